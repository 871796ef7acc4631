// SPDX-License-Identifier: GPL-2.0
/*
 * MCi_STATUS / MCG_STATUS of an injected memory error, as hardware of the
 * host's vendor reports it (the values QEMU also uses). Pure.
 */
#include "mce.h"

#define MCG_STATUS_RIPV (1ULL << 0)
#define MCG_STATUS_EIPV (1ULL << 1)
#define MCG_STATUS_MCIP (1ULL << 2)
#define MCI_STATUS_VAL (1ULL << 63)
#define MCI_STATUS_UC (1ULL << 61)
#define MCI_STATUS_EN (1ULL << 60)
#define MCI_STATUS_MISCV (1ULL << 59)
#define MCI_STATUS_ADDRV (1ULL << 58)
#define MCI_STATUS_POISON (1ULL << 43) /* AMD: consumed poisoned data */
#define MCI_STATUS_S (1ULL << 56)
#define MCI_STATUS_AR (1ULL << 55)
#define MCACOD_DATA_LOAD 0x134 /* Intel: data cache load, generic level */
#define MCACOD_SCRUB 0xc0 /* Intel: memory scrubbing error */

void mce_status_for(bool amd, bool action_required, uint64_t *status, uint64_t *mcg_status)
{
	*status = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN | MCI_STATUS_MISCV |
		  MCI_STATUS_ADDRV;
	*mcg_status = MCG_STATUS_MCIP | MCG_STATUS_RIPV;
	if (amd) {
		/*
		 * AMD has no S/AR bits: an uncorrected error in user context is
		 * what Linux treats as action required. Linux 6.8+ trusts the
		 * address of a non-northbridge bank only with the Poison bit
		 * (amd_mce_usable_address()); without it the guest kills the
		 * process but never poisons the page, frees it and reuses it.
		 */
		*status |= MCI_STATUS_POISON;
		if (action_required)
			*mcg_status |= MCG_STATUS_EIPV;
		return;
	}
	*status |= MCI_STATUS_S;
	if (action_required) {
		*status |= MCI_STATUS_AR | MCACOD_DATA_LOAD;
		*mcg_status |= MCG_STATUS_EIPV;
	} else {
		*status |= MCACOD_SCRUB;
	}
}
