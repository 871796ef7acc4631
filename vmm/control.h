/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket: a unix stream socket taking one text command per
 * connection and answering with one line starting "ok" or "error:".
 */
#ifndef TINYVMM_CONTROL_H
#define TINYVMM_CONTROL_H

struct vm;

/* tinyvmm ctl SOCK COMMAND [ARGS]: the client side. Returns the exit status. */
int control_client(int argc, char **argv);
int control_start(struct vm *vm, const char *path);
void control_stop(struct vm *vm);

#endif
