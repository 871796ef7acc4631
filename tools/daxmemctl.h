/* SPDX-License-Identifier: GPL-2.0 */
/* daxmemctl: the command table's functions and what they share. */
#ifndef _DAXMEMCTL_H_
#define _DAXMEMCTL_H_

#include <stdbool.h>

#include <json-c/json.h>

#include <daxmem/carve.h>
#include <daxmem/libdaxmem.h>

/* each command: argv[0] is the command's name; 0 on success */
int cmd_list(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_reconfigure(int argc, char **argv);
int cmd_carve(int argc, char **argv);
int cmd_savings(int argc, char **argv);
int cmd_liveupdate(int argc, char **argv);

/* one error line on stderr, prefixed "daxmemctl: "; returns 1 */
int ctl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* a library context with the global options applied (--state, -v); NULL after an error line */
struct daxmem_ctx *ctl_ctx(void);
/* --state FILE given to a command overrides the global one */
void ctl_set_state(const char *path);

/* host.c: the firmware memory map and CPU vendor, for kvm_memtype */
struct ctl_host {
	struct daxmem_memmap firmware;
	bool have_firmware; /* /sys/firmware/memmap (or $DAXMEM_FIRMWARE_MEMMAP) was read */
	bool intel; /* /proc/cpuinfo's vendor (or $DAXMEM_CPU_VENDOR) */
};
void ctl_host_read(struct ctl_host *host);
void ctl_host_release(struct ctl_host *host);

/* json.c: the one place JSON output is built */
#define CTL_JSON_HUMAN 1u
struct json_object *ctl_json_dev(struct daxmem_dev *dev, unsigned int flags);
/* @host, if not NULL, adds the memory type KVM would give the region's memory */
struct json_object *ctl_json_region(struct daxmem_region *region, unsigned int flags,
				    bool with_devices, const struct ctl_host *host);
/* print and release */
void ctl_json_print(struct json_object *obj);

#endif /* _DAXMEMCTL_H_ */
