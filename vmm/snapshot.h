/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TINYVMM_SNAPSHOT_H
#define TINYVMM_SNAPSHOT_H
#include <stdint.h>
struct vm;
struct vmm_config;
struct dax_dev;
struct snapshot;
struct snapshot *snapshot_load(const char *path, struct vmm_config *cfg);
int snapshot_check_device(struct snapshot *s, const struct dax_dev *d, uint64_t size);
int snapshot_restore(struct vm *vm, struct snapshot *s);
void snapshot_resumed(struct vm *vm, struct snapshot *s);
#endif
