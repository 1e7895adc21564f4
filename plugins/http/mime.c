/* SPDX-License-Identifier: GPL-3.0-or-later */
/* summary: http plugin: Content-Type to file name extension table
 *
 * tcpflow 1.6.1 used the first extension of each type in Apache's mime.types (691 types).
 * This table keeps the types seen on the web in practice, with the same first extensions
 * (text/html -> html, image/jpeg -> jpg, application/json -> json), plus a few types
 * registered since (text/javascript, font/woff2, image/webp, application/wasm). An unknown
 * type gives no extension, as in tcpflow. Keep the table sorted by type (bsearch).
 */
#define _POSIX_C_SOURCE 200809L /* strdup, strcasecmp */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"

struct mime_entry {
    const char *type;
    const char *ext;
};

static const struct mime_entry mime_table[] = {
    { "application/atom+xml", "atom" },
    { "application/ecmascript", "es" },
    { "application/epub+zip", "epub" },
    { "application/font-woff", "woff" },
    { "application/gzip", "gz" },
    { "application/java-archive", "jar" },
    { "application/javascript", "js" },
    { "application/json", "json" },
    { "application/ld+json", "jsonld" },
    { "application/manifest+json", "webmanifest" },
    { "application/msword", "doc" },
    { "application/octet-stream", "bin" },
    { "application/ogg", "ogx" },
    { "application/pdf", "pdf" },
    { "application/pgp-signature", "asc" },
    { "application/pkcs7-signature", "p7s" },
    { "application/pkix-cert", "cer" },
    { "application/postscript", "ai" },
    { "application/rdf+xml", "rdf" },
    { "application/rss+xml", "rss" },
    { "application/rtf", "rtf" },
    { "application/vnd.android.package-archive", "apk" },
    { "application/vnd.apple.mpegurl", "m3u8" },
    { "application/vnd.ms-cab-compressed", "cab" },
    { "application/vnd.ms-excel", "xls" },
    { "application/vnd.ms-fontobject", "eot" },
    { "application/vnd.ms-powerpoint", "ppt" },
    { "application/vnd.oasis.opendocument.presentation", "odp" },
    { "application/vnd.oasis.opendocument.spreadsheet", "ods" },
    { "application/vnd.oasis.opendocument.text", "odt" },
    { "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx" },
    { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx" },
    { "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx" },
    { "application/wasm", "wasm" },
    { "application/x-7z-compressed", "7z" },
    { "application/x-bittorrent", "torrent" },
    { "application/x-bzip", "bz" },
    { "application/x-bzip2", "bz2" },
    { "application/x-debian-package", "deb" },
    { "application/x-font-ttf", "ttf" },
    { "application/x-gzip", "gz" },
    { "application/x-java-archive", "jar" },
    { "application/x-javascript", "js" },
    { "application/x-msdownload", "exe" },
    { "application/x-rar-compressed", "rar" },
    { "application/x-sh", "sh" },
    { "application/x-shockwave-flash", "swf" },
    { "application/x-tar", "tar" },
    { "application/x-www-form-urlencoded", "form" },
    { "application/x-x509-ca-cert", "der" },
    { "application/x-xz", "xz" },
    { "application/xhtml+xml", "xhtml" },
    { "application/xml", "xml" },
    { "application/xml-dtd", "dtd" },
    { "application/zip", "zip" },
    { "application/zstd", "zst" },
    { "audio/aac", "aac" },
    { "audio/flac", "flac" },
    { "audio/midi", "mid" },
    { "audio/mp4", "m4a" },
    { "audio/mpeg", "mpga" },
    { "audio/ogg", "oga" },
    { "audio/opus", "opus" },
    { "audio/wav", "wav" },
    { "audio/webm", "weba" },
    { "audio/x-wav", "wav" },
    { "font/collection", "ttc" },
    { "font/otf", "otf" },
    { "font/ttf", "ttf" },
    { "font/woff", "woff" },
    { "font/woff2", "woff2" },
    { "image/avif", "avif" },
    { "image/bmp", "bmp" },
    { "image/gif", "gif" },
    { "image/heic", "heic" },
    { "image/ief", "ief" },
    { "image/jp2", "jp2" },
    { "image/jpeg", "jpg" },
    { "image/jpg", "jpg" },
    { "image/pjpeg", "jpg" },
    { "image/png", "png" },
    { "image/svg+xml", "svg" },
    { "image/tiff", "tiff" },
    { "image/vnd.microsoft.icon", "ico" },
    { "image/webp", "webp" },
    { "image/x-icon", "ico" },
    { "image/x-ms-bmp", "bmp" },
    { "message/rfc822", "eml" },
    { "multipart/form-data", "form" },
    { "text/cache-manifest", "appcache" },
    { "text/calendar", "ics" },
    { "text/css", "css" },
    { "text/csv", "csv" },
    { "text/html", "html" },
    { "text/javascript", "js" },
    { "text/markdown", "md" },
    { "text/plain", "txt" },
    { "text/rtf", "rtf" },
    { "text/tab-separated-values", "tsv" },
    { "text/vcard", "vcf" },
    { "text/vtt", "vtt" },
    { "text/x-c", "c" },
    { "text/xml", "xml" },
    { "video/3gpp", "3gp" },
    { "video/mp2t", "ts" },
    { "video/mp4", "mp4" },
    { "video/mpeg", "mpeg" },
    { "video/ogg", "ogv" },
    { "video/quicktime", "qt" },
    { "video/webm", "webm" },
    { "video/x-flv", "flv" },
    { "video/x-matroska", "mkv" },
    { "video/x-msvideo", "avi" },
};

static int
mime_cmp(const void *key, const void *elem)
{
    return strcasecmp((const char *)key, ((const struct mime_entry *)elem)->type);
}

const char *
mime_ext(const char *content_type)
{
    char type[96];
    const char *s = content_type, *e;
    const struct mime_entry *m;
    size_t len;

    if (s == NULL)
        return NULL;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s;
    while (*e != '\0' && *e != ';')
        e++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    len = (size_t)(e - s);
    if (len == 0 || len >= sizeof(type))
        return NULL;
    memcpy(type, s, len);
    type[len] = '\0';
    m = bsearch(type, mime_table, sizeof(mime_table) / sizeof(mime_table[0]),
                sizeof(mime_table[0]), mime_cmp);
    return m != NULL ? m->ext : NULL;
}
