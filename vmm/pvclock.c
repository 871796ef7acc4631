// SPDX-License-Identifier: GPL-2.0
/* The guest's kvmclock from its pvclock pages; see pvclock.h. */
#include <errno.h>

#include "pvclock.h"

int pvclock_read(const struct pvclock_page *p, uint64_t tsc, uint64_t *ns)
{
	uint64_t delta;
	unsigned __int128 prod;

	if (p->version & 1)
		return -EAGAIN;
	/* KVM's scale keeps the multiplier in [2^31, 2^32): shifts of a few bits. */
	if (p->tsc_shift < -31 || p->tsc_shift > 31)
		return -EINVAL;
	if (tsc < p->tsc_timestamp)
		return -ERANGE;
	delta = tsc - p->tsc_timestamp;
	if (p->tsc_shift < 0) {
		delta >>= -p->tsc_shift;
	} else if (p->tsc_shift > 0) {
		if (delta >> (64 - p->tsc_shift))
			return -ERANGE;
		delta <<= p->tsc_shift;
	}
	prod = (unsigned __int128)delta * p->tsc_to_system_mul;
	delta = (uint64_t)(prod >> 32);
	if (delta > UINT64_MAX - p->system_time)
		return -ERANGE;
	*ns = p->system_time + delta;
	return 0;
}

uint64_t pvclock_continue(uint64_t saved, const struct pvclock_sample *s, int n, int *from)
{
	uint64_t best = saved;

	*from = -1;
	for (int i = 0; i < n; i++) {
		if (s[i].ok || s[i].ns <= best || s[i].ns - saved > PVCLOCK_MAX_AHEAD_NS)
			continue;
		best = s[i].ns;
		*from = i;
	}
	return best;
}
