/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz SHA-256 of the input captures for the provenance strip, with GNU Nettle.
 * Only regular files are hashed (a pipe or a live interface is not); the file is only read. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <nettle/sha2.h>
#include <nettle/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nv.h"

#define SHA_BUF (1u << 20)
#if NETTLE_VERSION_MAJOR >= 4 /* no length argument since Nettle 4 */
#define NV_SHA256_DIGEST(c, md) sha256_digest((c), (md))
#else
#define NV_SHA256_DIGEST(c, md) sha256_digest((c), SHA256_DIGEST_SIZE, (md))
#endif

int
nv_sha256_file(const char *path, char hex[65])
{
    uint8_t md[SHA256_DIGEST_SIZE], *buf;
    struct sha256_ctx ctx;
    struct stat st;
    ssize_t r;
    int fd, i, rc = -1;

    hex[0] = '\0';
    if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    buf = malloc(SHA_BUF);
    if (buf == NULL || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto out;
    sha256_init(&ctx);
    while ((r = read(fd, buf, SHA_BUF)) > 0)
        sha256_update(&ctx, (size_t)r, buf);
    if (r < 0)
        goto out;
    NV_SHA256_DIGEST(&ctx, md);
    for (i = 0; i < (int)sizeof(md); i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    rc = 0;
out:
    free(buf);
    close(fd);
    return rc;
}
