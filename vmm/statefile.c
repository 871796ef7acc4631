// SPDX-License-Identifier: GPL-2.0
/*
 * State file encoding and validation. Pure: buffers in, buffers out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "statefile.h"
#include "util/crc32.h"

#define HDR_SIZE 24
#define REC_HDR 8

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void state_grow(struct state_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	uint8_t *n;

	if (b->error)
		return;
	while (cap < b->len + more)
		cap *= 2;
	if (cap == b->cap)
		return;
	n = realloc(b->data, cap);
	if (!n) {
		b->error = -ENOMEM;
		return;
	}
	memset(n + b->cap, 0, cap - b->cap);
	b->data = n;
	b->cap = cap;
}

void state_buf_init(struct state_buf *b)
{
	memset(b, 0, sizeof(*b));
	state_grow(b, HDR_SIZE);
	if (b->error)
		return;
	memcpy(b->data, STATE_MAGIC, 8);
	put32(b->data + 8, STATE_VERSION);
	put32(b->data + 12, HDR_SIZE);
	b->len = HDR_SIZE;
}

void state_buf_free(struct state_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void state_put2(struct state_buf *b, uint32_t type, const void *a, uint32_t alen,
		       const void *p, uint32_t plen)
{
	uint32_t len = alen + plen;
	size_t padded = (len + 7) & ~7U;

	state_grow(b, REC_HDR + padded);
	if (b->error)
		return;
	put32(b->data + b->len, type);
	put32(b->data + b->len + 4, len);
	if (alen)
		memcpy(b->data + b->len + REC_HDR, a, alen);
	if (plen)
		memcpy(b->data + b->len + REC_HDR + alen, p, plen);
	memset(b->data + b->len + REC_HDR + len, 0, padded - len);
	b->len += REC_HDR + padded;
}

void state_put(struct state_buf *b, uint32_t type, const void *payload, uint32_t len)
{
	state_put2(b, type, NULL, 0, payload, len);
}

void state_put_vcpu(struct state_buf *b, uint32_t type, uint32_t vcpu, const void *payload,
		    uint32_t len)
{
	uint32_t idx[2] = { vcpu, 0 };

	state_put2(b, type, idx, sizeof(idx), payload, len);
}

int state_finish(struct state_buf *b)
{
	uint64_t size;
	uint32_t crc;

	if (b->error)
		return b->error;
	size = b->len + REC_HDR + 8;
	memcpy(b->data + 16, &size, 8);
	crc = util_crc32(0, b->data, b->len);
	state_put(b, STATE_REC_END, &crc, sizeof(crc));
	return b->error;
}

int state_validate(const uint8_t *data, size_t len, const char **why)
{
	uint64_t size;
	size_t pos = HDR_SIZE;

	if (len < HDR_SIZE || memcmp(data, STATE_MAGIC, 8)) {
		*why = "not a tinyvmm state file (bad magic)";
		return -EINVAL;
	}
	if (get32(data + 8) == 0 || get32(data + 8) > STATE_VERSION) {
		*why = "state file version is newer than this tinyvmm understands";
		return -ENOTSUP;
	}
	if (get32(data + 12) != HDR_SIZE) {
		*why = "state file header size is wrong";
		return -EINVAL;
	}
	memcpy(&size, data + 16, 8);
	if (size != len || len > STATE_MAX_SIZE) {
		*why = "state file is truncated or has trailing bytes";
		return -EINVAL;
	}
	while (pos + REC_HDR <= len) {
		uint32_t type = get32(data + pos), rlen = get32(data + pos + 4);
		size_t padded = ((size_t)rlen + 7) & ~(size_t)7;

		if (padded > len - pos - REC_HDR) {
			*why = "state record runs past the end of the file";
			return -EINVAL;
		}
		if (type == STATE_REC_END) {
			if (rlen != 4 || pos + REC_HDR + padded != len) {
				*why = "state file end record is malformed";
				return -EINVAL;
			}
			if (get32(data + pos + REC_HDR) != util_crc32(0, data, pos)) {
				*why = "state file checksum mismatch";
				return -EINVAL;
			}
			return 0;
		}
		pos += REC_HDR + padded;
	}
	*why = "state file has no end record";
	return -EINVAL;
}

int state_next(const uint8_t *data, size_t len, size_t *pos, struct state_rec_view *rec)
{
	size_t p = *pos ? *pos : HDR_SIZE;

	if (p + REC_HDR > len)
		return 0;
	rec->type = get32(data + p);
	rec->len = get32(data + p + 4);
	rec->payload = data + p + REC_HDR;
	if (rec->type == STATE_REC_END || rec->len > len - p - REC_HDR)
		return 0;
	*pos = p + REC_HDR + (((size_t)rec->len + 7) & ~(size_t)7);
	return 1;
}

int state_vcpu_body(const struct state_rec_view *rec, uint32_t *vcpu, const uint8_t **body,
		    uint32_t *len)
{
	if (rec->len < 8)
		return -EINVAL;
	*vcpu = get32(rec->payload);
	*body = rec->payload + 8;
	*len = rec->len - 8;
	return 0;
}
