/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: shared declarations of the libFuzzer targets and their replay driver
 *
 * Each tests/fuzz/targets/fuzz_*.c defines LLVMFuzzerTestOneInput(). Built with
 * clang -fsanitize=fuzzer it is a libFuzzer binary (tests/fuzz/build-libfuzzer.sh); linked with
 * tests/fuzz/replay.c it is a plain program that runs every file named on its command line
 * (or inside a named directory) through the target once: the `onefile` driver that replays
 * the seed corpora and saved crash inputs in `make check` with gcc and ASan, no clang needed.
 *
 * A target reports a broken invariant with FUZZ_CHECK(), which prints the condition and
 * aborts, so libFuzzer saves the input as a crash and the replay driver dies by SIGABRT.
 */
#ifndef TCPF_TESTS_FUZZ_H
#define TCPF_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                          \
        }                                                                                     \
    } while (0)

#endif /* TCPF_TESTS_FUZZ_H */
