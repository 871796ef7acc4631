/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * The device core's test fixture: a context on the fake kernel with a state
 * file in a fresh directory and every log line kept, so a test can require
 * exactly one clear error line.
 */
#ifndef _CORE_FIXTURE_H_
#define _CORE_FIXTURE_H_

#include "fake_kernel.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL

/* devdax region 0: 1 GiB at 4 GiB; devdax region 1: 2 GiB at 5 GiB; pageless region 2: 1 GiB at 7 GiB */
#define R0_START 0x100000000ULL
#define R1_START 0x140000000ULL
#define R2_START 0x1c0000000ULL

struct core {
	struct fake_kernel k;
	struct daxmem_ctx *ctx;
	char dir[64];
	char state[96];
	char log[8192];
	unsigned int nr_errors;
	char first_error[512];
};

extern struct core core;

/* Criterion init/fini: the three regions above, an empty state */
void core_setup(void);
void core_teardown(void);

/* forget the log so far */
void core_log_reset(void);
/* exactly one error line was logged since the last reset, and it contains what */
void core_expect_error(const char *what);
void core_expect_no_error(void);

struct daxmem_region *core_region(enum daxmem_backend backend, int id);
/* create in region id of backend; returns the rc, *dev (may be NULL) holds a reference */
int core_create(enum daxmem_backend backend, int id, const struct daxmem_dev_spec *spec,
		struct daxmem_dev **dev);
/* destroy the device by name or chardev */
int core_destroy(const char *name);
/* the state file's text, malloc()ed ("" when there is none) */
char *core_state_text(void);
/* number of devices of the state file on disk */
size_t core_state_nr_devs(void);
/* the number of devices daxmem sees (present or recorded) */
size_t core_nr_devs(void);

#endif /* _CORE_FIXTURE_H_ */
