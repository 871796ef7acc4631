/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live restart that rolls back by itself: a watchdog resumes the guest
 * under the old binary when the new one dies before it takes the state.
 */
#ifndef TINYVMM_ROLLBACK_H
#define TINYVMM_ROLLBACK_H

#include <sys/types.h>

/* Set in the environment of a tinyvmm that a watchdog started. */
#define ROLLBACK_ENV "TINYVMM_ROLLED_BACK"
/* How long the watchdog waits for the new binary to take the state. */
#define ROLLBACK_WAIT_S 60

/*
 * Fork the watchdog of a restart from @self (this binary) that saved
 * @state, before exec'ing the new binary. Returns its pid or -errno.
 */
pid_t rollback_watchdog_start(const char *self, const char *state);
/* The exec did not happen: the watchdog is not needed. */
void rollback_watchdog_cancel(pid_t pid);

#endif
