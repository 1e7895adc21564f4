/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: netviz SHA-256 of the input captures for the provenance strip, with OpenSSL's EVP.
 * Only regular files are hashed (a pipe or a live interface is not); the file is only read. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nv.h"

#define SHA_BUF (1u << 20)

int
nv_sha256_file(const char *path, char hex[65])
{
    uint8_t md[EVP_MAX_MD_SIZE], *buf;
    EVP_MD_CTX *ctx = NULL;
    unsigned int mdlen = 0;
    struct stat st;
    ssize_t r;
    int fd, i, rc = -1;

    hex[0] = '\0';
    if (path == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return -1;
    buf = malloc(SHA_BUF);
    if (buf == NULL || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto out;
    if ((ctx = EVP_MD_CTX_new()) == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto out;
    while ((r = read(fd, buf, SHA_BUF)) > 0)
        if (EVP_DigestUpdate(ctx, buf, (size_t)r) != 1)
            goto out;
    if (r < 0 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
        goto out;
    for (i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    free(buf);
    close(fd);
    return rc;
}
