/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Live-update metadata: what a host needs to bring its devices and guests
 * back after a kexec, kept in a small preserved device inside the carved
 * memory itself, so nothing depends on a disk.
 *
 * The image (little-endian) starts at offset 0 of the metadata device:
 *
 *   header   magic "DAXMEMLU", u32 version, u32 header size, u64 length,
 *            u64 saved CLOCK_REALTIME ns, u64 saved CLOCK_BOOTTIME ns,
 *            u32 carve entries, u32 records, u32 CRC-32, u32 flags,
 *            u64 capacity
 *   carve    per Soft Reserved range: u64 start, u64 end (inclusive)
 *   records  u32 kind, u32 name length, u64 data length, name, data,
 *            each of name and data zero-padded to 8 bytes
 *
 * The CRC-32 (IEEE) covers the first `length` bytes with the CRC field
 * read as zero. docs/host-live-update.md describes the procedure.
 */
#ifndef _DAXMEM_METADATA_H_
#define _DAXMEM_METADATA_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <daxmem/libdaxmem.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DAXMEM_META_MAGIC "DAXMEMLU"
#define DAXMEM_META_VERSION 1
#define DAXMEM_META_HEADER_SIZE 64
#define DAXMEM_META_DEV_NAME "daxmem-meta"
#define DAXMEM_META_SIZE_DEFAULT (2ULL << 20)
#define DAXMEM_META_MAX_CARVE 64
#define DAXMEM_META_MAX_RECORDS 256
#define DAXMEM_META_NAME_MAX 64 /* including the terminating NUL */

/* header flags */
#define DAXMEM_META_RESTORED 0x1u /* a restore has consumed this image */

enum daxmem_meta_kind {
	DAXMEM_META_STATE = 1, /* the daxmem state document (JSON) */
	DAXMEM_META_VMM = 2, /* a VMM's saved state; name = the device it runs on */
	DAXMEM_META_FILE = 3, /* any other file the host keeps across the kexec */
};

/* One Soft Reserved range, end inclusive. */
struct daxmem_meta_carve {
	uint64_t start;
	uint64_t end;
};

struct daxmem_meta_record {
	enum daxmem_meta_kind kind;
	char name[DAXMEM_META_NAME_MAX];
	const void *data; /* not owned: the caller's buffer, or the decoded image */
	uint64_t len;
};

struct daxmem_meta {
	uint64_t saved_realtime_ns;
	uint64_t saved_boottime_ns;
	uint32_t flags;
	uint64_t capacity;
	uint64_t image_size; /* set by daxmem_meta_decode() and daxmem_meta_save() */
	struct daxmem_meta_carve carve[DAXMEM_META_MAX_CARVE];
	size_t nr_carve;
	struct daxmem_meta_record *records; /* malloc()ed array */
	size_t nr_records;
};

const char *daxmem_meta_kind_name(enum daxmem_meta_kind kind);
int daxmem_meta_kind_from_name(const char *name, enum daxmem_meta_kind *kind);
/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), continuing from crc */
uint32_t daxmem_crc32(uint32_t crc, const void *buf, size_t len);

void daxmem_meta_init(struct daxmem_meta *m);
/* frees the records array, not the data the records point to */
void daxmem_meta_release(struct daxmem_meta *m);
/*
 * -EINVAL for an empty or unsafe name (a '/', "." or ".."), -EEXIST for a
 * name the kind has already or a second DAXMEM_META_STATE record, -E2BIG,
 * -ENOMEM
 */
int daxmem_meta_add_record(struct daxmem_meta *m, enum daxmem_meta_kind kind, const char *name,
			   const void *data, uint64_t len);
const struct daxmem_meta_record *daxmem_meta_find(const struct daxmem_meta *m,
						  enum daxmem_meta_kind kind, const char *name);

/* Bytes the image of m takes. */
uint64_t daxmem_meta_image_size(const struct daxmem_meta *m);
/* Write the image of m into buf (cap bytes); -ENOSPC if it does not fit. */
int daxmem_meta_encode(const struct daxmem_meta *m, void *buf, size_t cap);
/*
 * Validate and decode an image of len bytes. Records point into buf.
 * -ENOENT: no image (magic absent); -EPROTONOSUPPORT: newer version;
 * -EBADMSG: damaged (why says where). m is left empty on failure.
 */
int daxmem_meta_decode(const void *buf, size_t len, struct daxmem_meta *m, char *why,
		       size_t whylen);

/* The image length a header at buf claims, 0 when there is no valid header. */
uint64_t daxmem_meta_image_length(const void *buf, size_t len);
/* Set flags in the header of a valid image and update its CRC. */
int daxmem_meta_set_flags(void *buf, size_t len, uint32_t flags);

/*
 * The carve: top-level "Soft Reserved" ranges of an /proc/iomem text
 * (outermost ones when they nest), in address order.
 */
int daxmem_meta_carve_from_iomem(const char *iomem, struct daxmem_meta *m);
/* 0 when equal; else -ESTALE and a description of the first difference */
int daxmem_meta_carve_compare(const struct daxmem_meta *saved, const struct daxmem_meta *now,
			      char *why, size_t whylen);
/* format "0x100000000-0x13fffffff,..." into buf */
char *daxmem_meta_carve_format(const struct daxmem_meta *m, char *buf, size_t len);

/*
 * Host side (reads /proc/iomem, creates and maps the metadata device).
 *
 * daxmem_meta_save: find the metadata device named DAXMEM_META_DEV_NAME
 * at exactly @where, or create it there (preserved), record every device
 * into the state file, and write an image holding the carve, that state
 * document and m's records. Fills m's carve, times and capacity.
 */
int daxmem_meta_save(struct daxmem_ctx *ctx, const struct daxmem_range *where,
		     struct daxmem_meta *m);

/*
 * daxmem_meta_load: after a kexec, bring the metadata device back at
 * exactly @where without touching its contents (devices the new kernel
 * made over that memory by itself, such as dax_hmem's daxR.0, are emptied
 * first), and decode its image into m. The image is copied into *image
 * (malloc()ed; m's records point into it). A carve that differs from the
 * running kernel's is refused with -ESTALE and a message naming both; an
 * image already restored, with -EALREADY unless @again. On failure a
 * metadata device this call created is removed again (without clearing it).
 */
int daxmem_meta_load(struct daxmem_ctx *ctx, const struct daxmem_range *where, bool again,
		     struct daxmem_meta *m, void **image);

/*
 * daxmem_meta_restore: restore every device of the state document in m
 * (written to doc_path first, a file daxmem_restore() reads), after
 * emptying devices the new kernel made over memory the document records.
 * fn as for daxmem_restore(). Returns the number of devices created.
 */
int daxmem_meta_restore(struct daxmem_ctx *ctx, const struct daxmem_meta *m, const char *doc_path,
			daxmem_restore_fn fn, void *arg);

/* Mark the image at @where restored (flag set, CRC updated). */
int daxmem_meta_mark_restored(struct daxmem_ctx *ctx, const struct daxmem_range *where);

#ifdef __cplusplus
}
#endif

#endif /* _DAXMEM_METADATA_H_ */
