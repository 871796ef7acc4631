// SPDX-License-Identifier: GPL-2.0
/*
 * JSON output of daxmemctl. Keys follow daxctl where the meaning is the same
 * (chardev, size, align, mode, mappings with page_offset/start/end/size;
 * regions with id, size, available_size, align); -u renders sizes for humans
 * and addresses in hex, as daxctl does.
 */
#include <inttypes.h>
#include <stdio.h>

#include "daxmemctl.h"

static struct json_object *json_size(uint64_t v, unsigned int flags)
{
	char buf[48];

	if (flags & CTL_JSON_HUMAN)
		return json_object_new_string(daxmem_format_size(v, buf, sizeof(buf)));
	return json_object_new_uint64(v);
}

static struct json_object *json_addr(uint64_t v, unsigned int flags)
{
	char buf[32];

	if (flags & CTL_JSON_HUMAN) {
		snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
		return json_object_new_string(buf);
	}
	return json_object_new_uint64(v);
}

struct json_object *ctl_json_dev(struct daxmem_dev *dev, unsigned int flags)
{
	struct daxmem_region *region = daxmem_dev_get_region(dev);
	struct json_object *o = json_object_new_object(), *maps;
	size_t i;

	json_object_object_add(o, "chardev", json_object_new_string(daxmem_dev_get_chardev(dev)));
	json_object_object_add(o, "name", json_object_new_string(daxmem_dev_get_name(dev)));
	json_object_object_add(o, "size", json_size(daxmem_dev_get_size(dev), flags));
	json_object_object_add(o, "align", json_size(daxmem_dev_get_align(dev), flags));
	json_object_object_add(o, "mode",
			       json_object_new_string(daxmem_mode_name(daxmem_dev_get_mode(dev))));
	json_object_object_add(o, "region", json_object_new_int(daxmem_region_get_id(region)));
	json_object_object_add(
		o, "backend",
		json_object_new_string(daxmem_backend_name(daxmem_region_get_backend(region))));
	json_object_object_add(o, "preserved",
			       json_object_new_boolean(daxmem_dev_is_preserved(dev)));
	json_object_object_add(o, "recorded", json_object_new_boolean(daxmem_dev_is_recorded(dev)));
	json_object_object_add(o, "present", json_object_new_boolean(daxmem_dev_is_present(dev)));
	if (daxmem_dev_get_label(dev))
		json_object_object_add(o, "label",
				       json_object_new_string(daxmem_dev_get_label(dev)));
	maps = json_object_new_array();
	for (i = 0; i < daxmem_dev_get_nr_ranges(dev); i++) {
		const struct daxmem_range *r = daxmem_dev_get_range(dev, i);
		struct json_object *m = json_object_new_object();
		uint64_t pgoff = r->page_offset / 4096;

		json_object_object_add(m, "page_offset",
				       (flags & CTL_JSON_HUMAN) ? json_addr(pgoff, flags) :
								  json_object_new_uint64(pgoff));
		json_object_object_add(m, "start", json_addr(r->start, flags));
		json_object_object_add(m, "end", json_addr(r->end, flags));
		json_object_object_add(m, "size", json_size(daxmem_range_size(r), flags));
		json_object_array_add(maps, m);
	}
	json_object_object_add(o, "mappings", maps);
	return o;
}

/*
 * "kvm_memtype": "wb" | "uc" | "unknown" (no firmware map to read), with a
 * "kvm_memtype_warning" when KVM would map the guest's RAM uncached.
 */
static void json_kvm_memtype(struct json_object *o, struct daxmem_region *region,
			     const struct ctl_host *host)
{
	uint64_t start = daxmem_region_get_start(region);
	uint64_t end = start + daxmem_region_get_size(region) - 1;
	enum daxmem_kvm_memtype mt;
	char warning[200];
	uint64_t gap = 0;

	if (!host->have_firmware || start == UINT64_MAX) {
		json_object_object_add(o, "kvm_memtype", json_object_new_string("unknown"));
		return;
	}
	mt = daxmem_kvm_memtype(&host->firmware, start, end, host->intel);
	json_object_object_add(o, "kvm_memtype",
			       json_object_new_string(daxmem_kvm_memtype_name(mt)));
	if (mt != DAXMEM_KVM_MEMTYPE_UC)
		return;
	daxmem_memmap_covers(&host->firmware, start, end, DAXMEM_MEM_RAM, &gap);
	snprintf(warning, sizeof(warning),
		 "the firmware memory map does not say RAM at %#" PRIx64
		 ": KVM on Intel maps this memory uncached for guests",
		 gap);
	json_object_object_add(o, "kvm_memtype_warning", json_object_new_string(warning));
}

struct json_object *ctl_json_region(struct daxmem_region *region, unsigned int flags,
				    bool with_devices, const struct ctl_host *host)
{
	struct json_object *o = json_object_new_object();
	uint64_t start = daxmem_region_get_start(region);
	struct daxmem_dev *dev;

	json_object_object_add(o, "id", json_object_new_int(daxmem_region_get_id(region)));
	json_object_object_add(
		o, "backend",
		json_object_new_string(daxmem_backend_name(daxmem_region_get_backend(region))));
	if (start != UINT64_MAX)
		json_object_object_add(o, "start", json_addr(start, flags));
	json_object_object_add(o, "size", json_size(daxmem_region_get_size(region), flags));
	json_object_object_add(o, "align", json_size(daxmem_region_get_align(region), flags));
	json_object_object_add(o, "available_size",
			       json_size(daxmem_region_get_available_size(region), flags));
	json_object_object_add(o, "allocatable_size",
			       json_size(daxmem_region_get_allocatable_size(region), flags));
	struct json_object *poison = json_object_new_array();
	struct daxmem_range r;

	for (size_t i = 0; daxmem_region_get_poisoned(region, i, &r) == 0; i++) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "start", json_addr(r.start, flags));
		json_object_object_add(p, "end", json_addr(r.end, flags));
		json_object_object_add(p, "size", json_size(daxmem_range_size(&r), flags));
		json_object_array_add(poison, p);
	}
	json_object_object_add(o, "poison", poison);
	if (host)
		json_kvm_memtype(o, region, host);
	if (with_devices) {
		struct json_object *devs = json_object_new_array();

		daxmem_dev_foreach(region, dev)
			json_object_array_add(devs, ctl_json_dev(dev, flags));
		json_object_object_add(o, "devices", devs);
	}
	return o;
}

void ctl_json_print(struct json_object *obj)
{
	printf("%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
								   JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}
