/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TINYVMM_CONTROL_H
#define TINYVMM_CONTROL_H
struct vm;
int control_client(int argc, char **argv);
int control_start(struct vm *vm, const char *path);
void control_stop(struct vm *vm);
#endif
