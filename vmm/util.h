/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TINYVMM_UTIL_H
#define TINYVMM_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* "512M", "1G", "0x40000000", "4096": bytes, or -EINVAL (also on overflow). */
int parse_size(const char *s, uint64_t *out);
/* Read a whole file into a malloc'd buffer; errors are printed. */
int read_file(const char *path, uint8_t **buf, size_t *len);
uint64_t now_ns(void);

#endif
