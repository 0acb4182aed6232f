/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Numbers a person reads. */
#ifndef CMAPLAN_TOOLS_FORMAT_H
#define CMAPLAN_TOOLS_FORMAT_H

#include <stdint.h>
#include <stdio.h>

#define FORMAT_BYTES_MAX 32

/* "1.5 GiB", "512 MiB", "4 KiB", "0 B" */
const char *format_bytes(char buf[static FORMAT_BYTES_MAX], uint64_t bytes);
/* pages of page_size as bytes; saturates instead of overflowing */
const char *format_pages(char buf[static FORMAT_BYTES_MAX], uint64_t pages, uint64_t page_size);
/* "2 MiB" for page sizes (exact units only) */
const char *format_page_size(char buf[static FORMAT_BYTES_MAX], uint64_t bytes);
/* parse "2M", "1G", "2048k", "2MiB", "1GB" into bytes; -EINVAL on junk */
int parse_bytes_arg(const char *s, uint64_t *ret);

/* a JSON string literal, escaped */
void print_json_string(FILE *f, const char *s);

#endif
