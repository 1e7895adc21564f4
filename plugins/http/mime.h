/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: http plugin: file name extension for a Content-Type */
#ifndef HTTP_MIME_H
#define HTTP_MIME_H

#include <stddef.h>

/* Extension (without the dot) for the media type in a Content-Type value: the part before
 * ';', trimmed, compared case-insensitively with a fixed table. NULL when unknown. The
 * result is always one of the table's constant strings, never text from the value. */
const char *mime_ext(const char *content_type);

#endif /* HTTP_MIME_H */
