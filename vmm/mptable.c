// SPDX-License-Identifier: GPL-2.0
/*
 * MP table: how a guest without ACPI learns its CPUs, its IOAPIC and the
 * ISA interrupt routing.
 */
#include <errno.h>
#include <string.h>

#include "layout.h"
#include "mptable.h"

struct mpf_intel {
	char signature[4];
	uint32_t physptr;
	uint8_t length;
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature1;
	uint8_t feature2;
	uint8_t feature3[3];
} __attribute__((packed));

struct mpc_table {
	char signature[4];
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;
	uint32_t lapic;
	uint32_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;
	uint32_t featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} __attribute__((packed));

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

#define CPU_ENABLED 1
#define CPU_BOOTPROCESSOR 2
#define APIC_VERSION 0x14
#define MPC_APIC_USABLE 1

uint8_t mptable_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

int mptable_build(uint8_t *buf, size_t len, uint32_t gpa, int ncpus)
{
	struct mpf_intel *mpf = (struct mpf_intel *)buf;
	struct mpc_table *mpc;
	uint8_t *p;
	size_t need;
	int ioapic_id = ncpus, count = 0;

	if (ncpus < 1 || ncpus > MAX_VCPUS)
		return -EINVAL;
	need = sizeof(*mpf) + sizeof(*mpc) + ncpus * sizeof(struct mpc_cpu) +
	       sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +
	       18 * sizeof(struct mpc_intsrc);
	if (need > len)
		return -ENOSPC;
	memset(buf, 0, need);

	mpc = (struct mpc_table *)(buf + sizeof(*mpf));
	memcpy(mpc->signature, "PCMP", 4);
	mpc->spec = 4;
	memcpy(mpc->oem, "DAXMEM  ", 8);
	memcpy(mpc->productid, "TINYVMM     ", 12);
	mpc->lapic = LAPIC_ADDR;
	p = (uint8_t *)(mpc + 1);

	for (int i = 0; i < ncpus; i++) {
		struct mpc_cpu *c = (struct mpc_cpu *)p;

		c->type = MP_PROCESSOR;
		c->apicid = (uint8_t)i;
		c->apicver = APIC_VERSION;
		c->cpuflag = CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0);
		c->cpufeature = 0x600; /* family 6: only informative */
		c->featureflag = 0x201; /* FPU, APIC */
		p += sizeof(*c);
		count++;
	}
	{
		struct mpc_bus *b = (struct mpc_bus *)p;

		b->type = MP_BUS;
		b->busid = 0;
		memcpy(b->bustype, "ISA   ", 6);
		p += sizeof(*b);
		count++;
	}
	{
		struct mpc_ioapic *io = (struct mpc_ioapic *)p;

		io->type = MP_IOAPIC;
		io->apicid = (uint8_t)ioapic_id;
		io->apicver = 0x11;
		io->flags = MPC_APIC_USABLE;
		io->apicaddr = IOAPIC_ADDR;
		p += sizeof(*io);
		count++;
	}
	for (int irq = 0; irq < 16; irq++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		s->type = MP_INTSRC;
		s->irqtype = MP_INT;
		s->srcbus = 0;
		s->srcbusirq = (uint8_t)irq;
		s->dstapic = (uint8_t)ioapic_id;
		s->dstirq = (uint8_t)irq;
		p += sizeof(*s);
		count++;
	}
	/* Local interrupts: LINT0 = ExtINT from the PIC, LINT1 = NMI, all CPUs. */
	for (int lint = 0; lint < 2; lint++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		s->type = MP_LINTSRC;
		s->irqtype = lint ? MP_NMI : MP_EXTINT;
		s->srcbus = 0;
		s->dstapic = 0xff;
		s->dstirq = (uint8_t)lint;
		p += sizeof(*s);
		count++;
	}
	mpc->length = (uint16_t)(p - (uint8_t *)mpc);
	mpc->oemcount = (uint16_t)count;
	mpc->checksum = (uint8_t)-mptable_sum((uint8_t *)mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = gpa + sizeof(*mpf);
	mpf->length = 1;
	mpf->specification = 4;
	mpf->checksum = (uint8_t)-mptable_sum((uint8_t *)mpf, sizeof(*mpf));
	return (int)(p - buf);
}
