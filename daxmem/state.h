/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * The state document: which ranges belong to which device, which devices are
 * preserved, which pages are poisoned. Serialisation is pure (state.c); the
 * file, its lock and its atomic replacement are in state_file.c.
 */
#ifndef _DAXMEM_STATE_H_
#define _DAXMEM_STATE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <daxmem/libdaxmem.h>

#define DAXMEM_STATE_FORMAT "daxmem-state"
#define DAXMEM_STATE_VERSION 1

struct daxmem_state_dev {
	char *name;
	char *chardev;
	char *label; /* may be NULL */
	enum daxmem_backend backend;
	int region;
	unsigned long align;
	enum daxmem_mode mode;
	bool preserved;
	struct daxmem_range *ranges;
	size_t nr_ranges;
};

/* where a region sat when last seen: regions have no start attribute in sysfs */
struct daxmem_state_region {
	enum daxmem_backend backend;
	int id;
	uint64_t start;
	uint64_t size;
};

/*
 * The backend chosen for a Soft Reserved range by reconfigure: restore hands
 * the range back to it before it rebuilds devices. @hmem is the dax_hmem
 * platform device that held it ("hmem.N", empty if unknown): on kernels that
 * list no "hmem.N" in /proc/iomem nothing else says which one to bind back.
 */
struct daxmem_state_backend {
	uint64_t start;
	uint64_t end;
	enum daxmem_backend backend;
	char hmem[32];
};

struct daxmem_state {
	int version;
	struct daxmem_state_region *regions;
	size_t nr_regions;
	struct daxmem_state_backend *backends;
	size_t nr_backends;
	struct daxmem_state_dev *devs;
	size_t nr_devs;
	struct daxmem_range *poisoned; /* page_offset unused */
	size_t nr_poisoned;
};

void daxmem_state_init(struct daxmem_state *st);
void daxmem_state_clear(struct daxmem_state *st);
uint64_t daxmem_state_dev_size(const struct daxmem_state_dev *d);
/* index of the device recorded under name, or -1 */
long daxmem_state_find_dev(const struct daxmem_state *st, const char *name);
/* deep copy of d appended (or replacing the entry of the same name) */
int daxmem_state_put_dev(struct daxmem_state *st, const struct daxmem_state_dev *d);
/* base, or base-N when base is already recorded */
void daxmem_state_unique_name(const struct daxmem_state *st, const char *base, char *buf,
			      size_t len);
void daxmem_state_remove_dev(struct daxmem_state *st, size_t i);
int daxmem_state_put_region(struct daxmem_state *st, const struct daxmem_state_region *r);
const struct daxmem_state_region *daxmem_state_find_region(const struct daxmem_state *st,
							   enum daxmem_backend backend, int id);
/* replaces the entry of the same start */
int daxmem_state_put_backend(struct daxmem_state *st, const struct daxmem_state_backend *b);
const struct daxmem_state_backend *daxmem_state_find_backend(const struct daxmem_state *st,
							     uint64_t start);
/* merges with overlapping or adjacent entries */
int daxmem_state_add_poison(struct daxmem_state *st, uint64_t start, uint64_t end);

/* malloc()ed JSON text, NULL on allocation failure */
char *daxmem_state_format(const struct daxmem_state *st);
/*
 * Parse and validate a state document. On failure returns -EBADMSG (not a
 * valid state document; err says why) or -EPROTONOSUPPORT (newer format),
 * and leaves st empty.
 */
int daxmem_state_parse(const char *text, size_t len, struct daxmem_state *st, char *err,
		       size_t errlen);

#endif /* _DAXMEM_STATE_H_ */
