// SPDX-License-Identifier: GPL-2.0
/*
 * statecpuid IN OUT LEAF SUBLEAF REG BIT: copy a tinyvmm state file with
 * one CPUID bit set in every vCPU's saved CPUID, and the file's CRC made
 * right again with tinyvmm's own encoder (vmm/statefile.c). The testbed
 * uses it to give a saved guest a feature the host's KVM lacks.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statefile.h"

static int die(const char *msg)
{
	fprintf(stderr, "statecpuid: %s\n", msg);
	return 1;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n <= (long)STATE_MAX_SIZE &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Set the bit in the record's table; 1 if the leaf was there. */
static int set_bit(uint8_t *payload, uint32_t len, uint32_t fn, uint32_t idx, int reg, int bit)
{
	struct kvm_cpuid2 hdr;
	int found = 0;

	if (len < 8 + sizeof(hdr))
		return 0;
	memcpy(&hdr, payload + 8, sizeof(hdr));
	if (len != 8 + sizeof(hdr) + hdr.nent * sizeof(struct kvm_cpuid_entry2))
		return 0;
	for (uint32_t i = 0; i < hdr.nent; i++) {
		uint8_t *p = payload + 8 + sizeof(hdr) + i * sizeof(struct kvm_cpuid_entry2);
		struct kvm_cpuid_entry2 e;
		uint32_t *r[] = { &e.eax, &e.ebx, &e.ecx, &e.edx };

		memcpy(&e, p, sizeof(e));
		if (e.function != fn || e.index != idx)
			continue;
		*r[reg] |= 1U << bit;
		memcpy(p, &e, sizeof(e));
		found = 1;
	}
	return found;
}

int main(int argc, char **argv)
{
	static const char *const regs[] = { "eax", "ebx", "ecx", "edx" };
	struct state_rec_view rec;
	struct state_buf b;
	const char *why;
	size_t len, pos = 0;
	uint8_t *in;
	int reg = -1, bit, changed = 0;
	uint32_t fn, idx;
	FILE *out;

	if (argc != 7)
		return die("usage: statecpuid IN OUT LEAF SUBLEAF eax|ebx|ecx|edx BIT");
	fn = (uint32_t)strtoul(argv[3], NULL, 0);
	idx = (uint32_t)strtoul(argv[4], NULL, 0);
	for (int i = 0; i < 4; i++)
		if (!strcmp(argv[5], regs[i]))
			reg = i;
	bit = atoi(argv[6]);
	if (reg < 0 || bit < 0 || bit > 31)
		return die("register must be eax, ebx, ecx or edx, bit 0-31");
	in = slurp(argv[1], &len);
	if (!in)
		return die("cannot read the state file");
	if (state_validate(in, len, &why))
		return die(why);
	state_buf_init(&b);
	while (state_next(in, len, &pos, &rec)) {
		uint8_t *copy = malloc(rec.len ? rec.len : 1);

		if (!copy)
			return die("out of memory");
		memcpy(copy, rec.payload, rec.len);
		if (rec.type == STATE_REC_VCPU_CPUID)
			changed += set_bit(copy, rec.len, fn, idx, reg, bit);
		state_put(&b, rec.type, copy, rec.len);
		free(copy);
	}
	if (!changed)
		return die("no saved CPUID has that leaf");
	if (state_finish(&b))
		return die("out of memory");
	out = fopen(argv[2], "wb");
	if (!out || fwrite(b.data, 1, b.len, out) != b.len || fclose(out))
		return die("cannot write the new state file");
	printf("cpuid %#x.%u %s bit %d set in %d vCPU records\n", fn, idx, regs[reg], bit, changed);
	state_buf_free(&b);
	free(in);
	return 0;
}
