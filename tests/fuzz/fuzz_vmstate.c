// SPDX-License-Identifier: GPL-2.0
/*
 * The live-restart state loader: snapshot_load() on a file with fuzzed
 * contents (state_validate(), record walk, config record), then every
 * record walked as restore does, per-vCPU records split. When the first
 * input byte is odd the harness writes a correct size and CRC into the
 * image first, as anyone who can write the state file can, so the fuzzer
 * reaches the records behind the checksum.
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "snapshot.h"
#include "util/crc32.h"
#include "vmm.h"

#define HDR_SIZE 24
#define REC_HDR 8

static void fix_checksum(uint8_t *d, size_t len)
{
	uint64_t size = len;
	size_t pos = HDR_SIZE;

	if (len < HDR_SIZE + REC_HDR + 8)
		return;
	memcpy(d + 16, &size, 8);
	/* the last record that fits becomes the END record */
	while (pos + REC_HDR <= len) {
		uint32_t rlen;
		size_t padded;

		memcpy(&rlen, d + pos + 4, 4);
		padded = ((size_t)rlen + 7) & ~(size_t)7;
		if (padded > len - pos - REC_HDR || pos + REC_HDR + padded + REC_HDR + 8 > len)
			break;
		pos += REC_HDR + padded;
	}
	if (pos + REC_HDR + 8 != len)
		return;
	memset(d + pos, 0, REC_HDR + 8);
	d[pos + 4] = 4;
	{
		uint32_t crc = util_crc32(0, d, pos);

		memcpy(d + pos + REC_HDR, &crc, 4);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct vmm_config cfg = { 0 };
	struct state_rec_view rec;
	struct snapshot *s;
	size_t pos = 0;
	uint8_t *img;

	if (size < 1)
		return 0;
	if (fd < 0) {
		fd = memfd_create("state", MFD_CLOEXEC);
		fuzz_assert(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	img = malloc(size - 1 ? size - 1 : 1);
	if (!img)
		return 0;
	memcpy(img, data + 1, size - 1);
	if (data[0] & 1)
		fix_checksum(img, size - 1);
	fuzz_assert(!ftruncate(fd, 0));
	fuzz_assert(pwrite(fd, img, size - 1, 0) == (ssize_t)(size - 1));
	free(img);

	s = snapshot_load(path, &cfg);
	if (!s)
		return 0;
	fuzz_assert(cfg.cpus >= 1 && cfg.cpus <= MAX_VCPUS);
	fuzz_assert(cfg.dax && strlen(cfg.dax) < sizeof(s->cfg.dax));
	while (state_next(s->data, s->len, &pos, &rec)) {
		const uint8_t *body;
		uint32_t vcpu, len;

		fuzz_assert(rec.payload >= s->data && rec.payload + rec.len <= s->data + s->len);
		fuzz_assert(pos <= s->len);
		if (rec.type >= STATE_REC_VCPU_MP_STATE &&
		    !state_vcpu_body(&rec, &vcpu, &body, &len))
			fuzz_assert(body + len <= s->data + s->len);
	}
	free(s->data);
	free(s);
	return 0;
}
