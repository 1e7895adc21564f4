#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/fuzz/mutate-jobs.sh: the seeded mutation run of mutate.sh (hostile captures: exit
# 0/1/3, no signal, no sanitizer report, bounded output), through tcpflow -j 3, so that the
# worker threads, the batches and the ordered close merge see damaged input too. Another
# seed and 100 mutants (TF_MUT_SEED / TF_MUT_COUNT override).
MUT_EXTRA='-j 3'
: "${TF_MUT_SEED:=2}" "${TF_MUT_COUNT:=100}"
export MUT_EXTRA TF_MUT_SEED TF_MUT_COUNT
. "$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)/mutate.sh"
