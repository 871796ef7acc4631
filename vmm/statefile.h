/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live-restart state file: a versioned sequence of typed records.
 *
 *   header  { "TVMSTATE", u32 version, u32 header_size, u64 file_size }
 *   record* { u32 type, u32 len, u8 payload[len], zero pad to 8 bytes }
 *   end     { STATE_REC_END, 4, u32 crc32 of every byte before this record }
 *
 * Little-endian, as the host. Readers skip record types they do not know,
 * so a newer tinyvmm restores an older state file; a file whose version is
 * newer than the reader's is refused.
 */
#ifndef TINYVMM_STATEFILE_H
#define TINYVMM_STATEFILE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_MAGIC "TVMSTATE"
#define STATE_VERSION 1
#define STATE_MAX_SIZE (64U << 20)

enum state_rec {
	STATE_REC_END = 0,
	STATE_REC_CONFIG = 1,
	STATE_REC_VM_PIC_MASTER = 2,
	STATE_REC_VM_PIC_SLAVE = 3,
	STATE_REC_VM_IOAPIC = 4,
	STATE_REC_VM_PIT2 = 5,
	STATE_REC_VM_CLOCK = 6,
	STATE_REC_DEV_SERIAL = 7,
	STATE_REC_DEV_I8042 = 8,
	STATE_REC_DEV_MCE = 9,
	STATE_REC_DEV_RTC = 10,
	/* u64 {start, end, page_offset} per physical range of the device */
	STATE_REC_DEV_RANGES = 11,
	/* u32 guest TSC frequency in kHz (KVM_GET_TSC_KHZ), u32 zero */
	STATE_REC_VM_TSC_KHZ = 12,
	/* Per-vCPU records start with a u32 vCPU index and 4 bytes of padding. */
	STATE_REC_VCPU_MP_STATE = 16,
	STATE_REC_VCPU_REGS = 17,
	STATE_REC_VCPU_SREGS = 18,
	STATE_REC_VCPU_XSAVE = 19,
	STATE_REC_VCPU_XCRS = 20,
	STATE_REC_VCPU_DEBUGREGS = 21,
	STATE_REC_VCPU_LAPIC = 22,
	STATE_REC_VCPU_MSRS = 23,
	STATE_REC_VCPU_EVENTS = 24,
	/* struct kvm_cpuid2 and its entries: the table given to KVM_SET_CPUID2 */
	STATE_REC_VCPU_CPUID = 25,
};

/**
 * struct state_config - which VM this state belongs to.
 * @stop_ns: CLOCK_MONOTONIC when the vCPUs stopped (for the pause time)
 */
struct state_config {
	uint64_t mem_size;
	uint64_t dev_size;
	uint64_t dev_rdev;
	uint64_t stop_ns;
	uint32_t ncpus;
	uint32_t restarts;
	char dax[256];
	char control[108];
	char pad[4];
};

struct state_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	int error; /* sticky -ENOMEM */
};

struct state_rec_view {
	uint32_t type;
	uint32_t len;
	const uint8_t *payload;
};

void state_buf_init(struct state_buf *b);
void state_buf_free(struct state_buf *b);
/* Append one record; a per-vCPU record gets its index prepended. */
void state_put(struct state_buf *b, uint32_t type, const void *payload, uint32_t len);
void state_put_vcpu(struct state_buf *b, uint32_t type, uint32_t vcpu, const void *payload,
		    uint32_t len);
/* Write the header's size and the END record; returns 0 or -ENOMEM. */
int state_finish(struct state_buf *b);

/*
 * Validate a whole file image (magic, version, sizes, every record's bounds,
 * CRC). Returns 0 or a negative errno with *why set.
 */
int state_validate(const uint8_t *data, size_t len, const char **why);
/*
 * Iterate records of a validated image: *pos starts at 0. Returns 1 with
 * @rec filled, 0 at the END record.
 */
int state_next(const uint8_t *data, size_t len, size_t *pos, struct state_rec_view *rec);
/* Split a per-vCPU record into its index and body; -EINVAL if too short. */
int state_vcpu_body(const struct state_rec_view *rec, uint32_t *vcpu, const uint8_t **body,
		    uint32_t *len);

#endif
