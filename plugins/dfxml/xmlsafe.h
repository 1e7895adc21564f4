/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: dfxml plugin: a streaming XML writer that only ever emits well-formed XML 1.0
 *
 * A thin layer over libxml2's xmlTextWriter. libxml2 escapes markup (<, &, >, quotes) but
 * passes characters XML 1.0 forbids (0x00-0x08, 0x0B, 0x0C, 0x0E-0x1F, U+FFFE, U+FFFF) and
 * invalid UTF-8 straight through, which makes the document unreadable (RELIABILITY.md §4).
 * Every string written here first goes through dfx_xml_clean(): valid UTF-8 made of
 * allowed characters is kept as is; every other byte becomes the four characters "\xNN"
 * (Python's "backslashreplace" convention; a literal backslash is not doubled). CDATA is
 * never used, so "]]>" is ordinary escaped text.
 *
 * Errors are sticky: after the first failure (memory, or a write of the underlying FILE)
 * every call is a no-op and dfx_xml_failed() is true. The caller then discards the file.
 */
#ifndef DFXML_XMLSAFE_H
#define DFXML_XMLSAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct dfx_xml;

/* Starts a document on fp (borrowed; not closed here): XML declaration, UTF-8, indentation
 * by two spaces. Returns NULL on memory failure. */
struct dfx_xml *dfx_xml_create(FILE *fp);

/* Ends every open element, flushes to fp and frees the writer. Returns 0, or -1 if anything
 * failed since creation (*err_no set to the errno of a write failure, or ENOMEM/EIO).
 * Accepts NULL (returns -1). */
int dfx_xml_finish(struct dfx_xml *x, int *err_no);

/* Frees the writer without finishing the document (the file is to be discarded). */
void dfx_xml_abandon(struct dfx_xml *x);

bool dfx_xml_failed(const struct dfx_xml *x);

/* Element and attribute names are trusted program constants ("tcpflow:flow"); a name with
 * a prefix is written with that prefix (the namespace is declared on the root). */
void dfx_xml_start(struct dfx_xml *x, const char *name);
void dfx_xml_end(struct dfx_xml *x);
/* Attribute / namespace declaration with a value from anywhere (cleaned). */
void dfx_xml_attr(struct dfx_xml *x, const char *name, const char *value);
void dfx_xml_attr_u64(struct dfx_xml *x, const char *name, uint64_t v);
/* Text content (cleaned). */
void dfx_xml_text(struct dfx_xml *x, const char *value);
/* <name>value</name>, value cleaned. */
void dfx_xml_elem(struct dfx_xml *x, const char *name, const char *value);
void dfx_xml_elem_u64(struct dfx_xml *x, const char *name, uint64_t v);

/* Writes into out (capacity cap, cap >= 1) the cleaned form of s[0..len): see the file
 * comment. Returns the length the full result needs (excluding the NUL), like snprintf;
 * out always holds a NUL-terminated prefix that ends on a character boundary. For tests
 * and for callers that want the cleaned length. */
size_t dfx_xml_clean(const char *s, size_t len, char *out, size_t cap);

#endif /* DFXML_XMLSAFE_H */
