#include "control.h"
#include "snapshot.h"
#include <stddef.h>
int control_client(int argc, char **argv) { return 2; }
int control_start(struct vm *vm, const char *path) { return 0; }
void control_stop(struct vm *vm) { }
struct snapshot *snapshot_load(const char *path, struct vmm_config *cfg) { return NULL; }
int snapshot_check_device(struct snapshot *s, const struct dax_dev *d, uint64_t size) { return -1; }
int snapshot_restore(struct vm *vm, struct snapshot *s) { return -1; }
void snapshot_resumed(struct vm *vm, struct snapshot *s) { }
