/* SPDX-License-Identifier: GPL-2.0 */
/* CPUID tables for the unit tests: one built from entries, a leaf looked up. */
#ifndef TESTS_UNIT_VMM_CPUID_TABLE_H
#define TESTS_UNIT_VMM_CPUID_TABLE_H

#include <criterion/criterion.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc()ed struct kvm_cpuid2 holding a copy of the n entries e. */
static inline struct kvm_cpuid2 *cpuid_table(const struct kvm_cpuid_entry2 *e, uint32_t n)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(*e));

	cr_assert(c);
	c->nent = n;
	memcpy(c->entries, e, n * sizeof(*e));
	return c;
}

/* Leaf fn.idx of c; the test fails if c has none. */
static inline struct kvm_cpuid_entry2 *cpuid_leaf(struct kvm_cpuid2 *c, uint32_t fn, uint32_t idx)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn && c->entries[i].index == idx)
			return &c->entries[i];
	cr_assert_fail("no leaf %#x.%u", fn, idx);
	return NULL;
}

#endif
