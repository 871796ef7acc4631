// SPDX-License-Identifier: GPL-2.0
/* State file encoding, validation and iteration; MCE status bits. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mce.h"
#include "statefile.h"

static struct state_buf sample(void)
{
	struct state_buf b;
	struct state_config cfg = { .mem_size = 1 << 30, .ncpus = 2 };
	uint8_t regs[144];

	memset(regs, 0x11, sizeof(regs));
	strcpy(cfg.dax, "/dev/dax0.0");
	state_buf_init(&b);
	state_put(&b, STATE_REC_CONFIG, &cfg, sizeof(cfg));
	state_put_vcpu(&b, STATE_REC_VCPU_REGS, 1, regs, sizeof(regs));
	state_put(&b, 999, "future", 6); /* unknown type: readers skip it */
	state_put(&b, STATE_REC_DEV_MCE, NULL, 0);
	cr_assert_eq(state_finish(&b), 0);
	return b;
}

Test(statefile, round_trip)
{
	struct state_buf b = sample();
	struct state_rec_view r;
	const uint8_t *body;
	uint32_t vcpu, len;
	size_t pos = 0;
	const char *why = NULL;
	int n = 0;

	cr_assert_eq(b.len % 8, 0);
	cr_assert_eq(state_validate(b.data, b.len, &why), 0, "%s", why);
	while (state_next(b.data, b.len, &pos, &r)) {
		if (n == 0) {
			struct state_config c;

			cr_assert_eq(r.type, STATE_REC_CONFIG);
			cr_assert_eq(r.len, sizeof(c));
			memcpy(&c, r.payload, sizeof(c));
			cr_assert_str_eq(c.dax, "/dev/dax0.0");
			cr_assert_eq(c.ncpus, 2);
		}
		if (n == 1) {
			cr_assert_eq(r.type, STATE_REC_VCPU_REGS);
			cr_assert_eq(state_vcpu_body(&r, &vcpu, &body, &len), 0);
			cr_assert_eq(vcpu, 1);
			cr_assert_eq(len, 144);
			cr_assert_eq(body[143], 0x11);
		}
		if (n == 2)
			cr_assert_eq(r.type, 999);
		if (n == 3)
			cr_assert_eq(r.len, 0);
		n++;
	}
	cr_assert_eq(n, 4);
	state_buf_free(&b);
}

Test(statefile, rejects_corruption)
{
	struct state_buf b = sample();
	uint8_t *copy = malloc(b.len);
	const char *why;
	uint32_t v;

	memcpy(copy, b.data, b.len);
	cr_assert_eq(state_validate(copy, b.len - 8, &why), -EINVAL, "truncated");
	cr_assert_eq(state_validate(copy, 10, &why), -EINVAL, "shorter than a header");
	copy[0] = 'X';
	cr_assert_eq(state_validate(copy, b.len, &why), -EINVAL, "magic");
	memcpy(copy, b.data, b.len);
	v = STATE_VERSION + 1;
	memcpy(copy + 8, &v, 4);
	cr_assert_eq(state_validate(copy, b.len, &why), -ENOTSUP, "newer version");
	memcpy(copy, b.data, b.len);
	copy[40] ^= 1; /* a payload byte */
	cr_assert_eq(state_validate(copy, b.len, &why), -EINVAL, "checksum");
	cr_assert_str_eq(why, "state file checksum mismatch");
	memcpy(copy, b.data, b.len);
	v = 0x7fffffff; /* first record claims to be huge */
	memcpy(copy + 24 + 4, &v, 4);
	cr_assert_eq(state_validate(copy, b.len, &why), -EINVAL, "record length");
	free(copy);
	state_buf_free(&b);
}

Test(statefile, short_vcpu_record)
{
	struct state_rec_view r = { .type = STATE_REC_VCPU_REGS, .len = 4,
				    .payload = (const uint8_t *)"abcd" };
	const uint8_t *body;
	uint32_t vcpu, len;

	cr_assert_eq(state_vcpu_body(&r, &vcpu, &body, &len), -EINVAL);
}

Test(mce, status_bits_per_vendor)
{
	uint64_t st, mcg;

	mce_status_for(false, true, &st, &mcg);
	cr_assert(st >> 63, "VAL");
	cr_assert(st & (1ULL << 61), "UC");
	cr_assert(st & (1ULL << 58), "ADDRV");
	cr_assert(st & (1ULL << 56), "S");
	cr_assert(st & (1ULL << 55), "AR");
	cr_assert_eq(st & 0xffff, 0x134, "data load MCACOD");
	cr_assert_eq(mcg & 7, 7, "MCIP|EIPV|RIPV");
	mce_status_for(false, false, &st, &mcg);
	cr_assert_not(st & (1ULL << 55), "AO has no AR");
	cr_assert_eq(st & 0xffff, 0xc0, "scrub MCACOD");
	cr_assert_eq(mcg & 7, 5, "MCIP|RIPV");
	mce_status_for(true, true, &st, &mcg);
	cr_assert_not(st & (3ULL << 55), "AMD has no S/AR");
	cr_assert(st & (1ULL << 61), "UC");
	cr_assert(st & (1ULL << 43), "AMD Poison: the guest may use the address");
	cr_assert(st & (1ULL << 58), "ADDRV");
	mce_status_for(false, true, &st, &mcg);
	cr_assert_not(st & (1ULL << 43), "Intel has no Poison bit");
}
