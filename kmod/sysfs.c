// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs ABI (docs/kmod.md): bus claim/release, region and device attributes,
 * and the per-range mappingM directories. Every write is parsed strictly;
 * anything malformed is EINVAL and changes nothing.
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "pdax.h"

/*
 * Parse a whole decimal/hex number, optionally with a K/M/G/T/P/E suffix.
 * memparse() wraps silently past 64 bits ("16E" is 0, which would release
 * every range), so the digits go through kstrtoull() and the suffix shift
 * is checked: -ERANGE for a value that does not fit in 64 bits.
 */
static int pdax_parse_size(const char *buf, u64 *val)
{
	static const char suffixes[] = "kmgtpe";
	bool hex = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
	unsigned int shift = 0;
	size_t n = strlen(buf);
	char tmp[32], *sfx;
	u64 v;
	int rc;

	if (n && buf[n - 1] == '\n')
		n--;
	if (!n || n >= sizeof(tmp) || !isdigit(buf[0]))
		return -EINVAL;
	memcpy(tmp, buf, n);
	tmp[n] = '\0';
	/* in hex, a trailing 'e' is a digit, as memparse() reads it */
	sfx = strchr(suffixes, tolower(tmp[n - 1]));
	if (sfx && !(hex && *sfx == 'e')) {
		shift = 10 * (sfx - suffixes + 1);
		tmp[--n] = '\0';
	}
	rc = kstrtoull(tmp, 0, &v);
	if (rc)
		return rc;
	if (shift && v > (U64_MAX >> shift))
		return -ERANGE;
	*val = v << shift;
	return 0;
}

/* Bus */

static ssize_t claim_store(const struct bus_type *bus, const char *buf,
			   size_t len)
{
	phys_addr_t start, end;
	int rc;

	if (sysfs_streq(buf, "all"))
		return pdax_region_claim_all() > 0 ? len : -ENOENT;
	rc = pdax_parse_range(buf, &start, &end);
	if (!rc)
		rc = pdax_region_claim(start, end);
	return rc ? rc : len;
}

static ssize_t release_store(const struct bus_type *bus, const char *buf,
			     size_t len)
{
	unsigned int flags = 0;
	struct pdax_region *region;
	char tmp[32], *s, *word;
	int id, rc;

	/* "ID" or "ID force" (release even with poisoned pages) */
	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = '\0';
	s = strim(tmp);
	word = strsep(&s, " ");
	if (kstrtoint(word, 10, &id) || id < 0)
		return -EINVAL;
	if (s) {
		if (strcmp(skip_spaces(s), "force"))
			return -EINVAL;
		flags |= PDAX_RELEASE_FORCE;
	}
	mutex_lock(&pdax_lock);
	region = pdax_region_find_id(id);
	if (region)
		get_device(&region->dev);
	mutex_unlock(&pdax_lock);
	if (!region)
		return -ENOENT;
	rc = pdax_region_release(region, flags);
	put_device(&region->dev);
	return rc ? rc : len;
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
/* Older kernels pass a non-const bus_type. */
static ssize_t claim_store_nc(struct bus_type *bus, const char *buf, size_t len)
{
	return claim_store(bus, buf, len);
}

static ssize_t release_store_nc(struct bus_type *bus, const char *buf,
				size_t len)
{
	return release_store(bus, buf, len);
}

static struct bus_attribute bus_attr_claim = __ATTR(claim, 0200, NULL,
						    claim_store_nc);
static struct bus_attribute bus_attr_release = __ATTR(release, 0200, NULL,
						      release_store_nc);
#else
static BUS_ATTR_WO(claim);
static BUS_ATTR_WO(release);
#endif

static struct attribute *pdax_bus_attrs[] = {
	&bus_attr_claim.attr,
	&bus_attr_release.attr,
	NULL,
};

static const struct attribute_group pdax_bus_group = {
	.attrs = pdax_bus_attrs,
};

const struct attribute_group *pdax_bus_groups[] = {
	&pdax_bus_group,
	NULL,
};

/* Regions */

static ssize_t id_show(struct device *dev, struct device_attribute *attr,
		       char *buf)
{
	return sysfs_emit(buf, "%d\n", to_pdax_region(dev)->id);
}
static DEVICE_ATTR_RO(id);

static ssize_t start_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%#llx\n", (u64)to_pdax_region(dev)->start);
}
/* physical addresses are root's only, as in device-dax */
static DEVICE_ATTR_ADMIN_RO(start);

static ssize_t region_size_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_pdax_region(dev)->size);
}
static struct device_attribute dev_attr_region_size =
	__ATTR(size, 0444, region_size_show, NULL);

static ssize_t available_size_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	u64 avail;

	mutex_lock(&pdax_lock);
	avail = pdax_region_available(to_pdax_region(dev));
	mutex_unlock(&pdax_lock);
	return sysfs_emit(buf, "%llu\n", avail);
}
static DEVICE_ATTR_RO(available_size);

static ssize_t region_align_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", PAGE_SIZE);
}
static struct device_attribute dev_attr_region_align =
	__ATTR(align, 0444, region_align_show, NULL);

static ssize_t region_numa_node_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_pdax_region(dev)->nid);
}
static struct device_attribute dev_attr_region_numa_node =
	__ATTR(numa_node, 0444, region_numa_node_show, NULL);

static ssize_t pdax_emit_name(char *buf, struct pdax_dev *pdev)
{
	return sysfs_emit(buf, "%s\n", pdev ? dev_name(&pdev->dev) : "");
}

static ssize_t seed_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	ssize_t n;

	mutex_lock(&pdax_lock);
	n = pdax_emit_name(buf, to_pdax_region(dev)->seed);
	mutex_unlock(&pdax_lock);
	return n;
}
static DEVICE_ATTR_RO(seed);

static ssize_t create_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	ssize_t n;

	mutex_lock(&pdax_lock);
	n = pdax_emit_name(buf, to_pdax_region(dev)->youngest);
	mutex_unlock(&pdax_lock);
	return n;
}

static ssize_t create_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t len)
{
	struct pdax_region *region = to_pdax_region(dev);
	struct pdax_dev *pdev;
	int rc = 0;

	if (!sysfs_streq(buf, "1"))
		return -EINVAL;
	mutex_lock(&pdax_lock);
	if (region->dead)
		rc = -ENODEV;
	else if (region->seed)
		rc = 0;
	else if (!pdax_region_available(region))
		rc = -ENOSPC;
	else {
		pdev = pdax_dev_create(region);
		if (IS_ERR(pdev))
			rc = PTR_ERR(pdev);
	}
	mutex_unlock(&pdax_lock);
	return rc ? rc : len;
}
static DEVICE_ATTR_RW(create);

static ssize_t delete_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t len)
{
	struct pdax_region *region = to_pdax_region(dev);
	struct pdax_dev *pdev;
	int rc;

	mutex_lock(&pdax_lock);
	pdev = pdax_dev_find(region, buf);
	if (pdev)
		get_device(&pdev->dev);
	mutex_unlock(&pdax_lock);
	if (!pdev)
		return -ENODEV;
	rc = pdax_dev_delete(pdev);
	put_device(&pdev->dev);
	return rc ? rc : len;
}
static DEVICE_ATTR_WO(delete);

/*
 * The poison lists are binary attributes: they hold any number of entries,
 * where a text attribute ends at one page. Each read() renders the list
 * and copies the window asked for; a list that grows between the reads of
 * one pass can show an entry twice or miss the new one (read it again).
 */
static ssize_t pdax_poison_read(char *text, size_t len, char *buf, loff_t off,
				size_t count)
{
	if (!text)
		return -ENOMEM;
	if (off >= len)
		count = 0;
	else
		count = min_t(size_t, count, len - off);
	memcpy(buf, text + off, count);
	kvfree(text);
	return count;
}

static ssize_t region_poison_read(struct file *filp, struct kobject *kobj,
				  struct bin_attribute *attr, char *buf,
				  loff_t off, size_t count)
{
	struct pdax_region *region = to_pdax_region(kobj_to_dev(kobj));
	size_t len = 0;
	char *text = pdax_poison_region_text(region, &len);

	return pdax_poison_read(text, len, buf, off, count);
}

static ssize_t region_poison_write(struct file *filp, struct kobject *kobj,
				   struct bin_attribute *attr, char *buf,
				   loff_t off, size_t count)
{
	struct pdax_region *region = to_pdax_region(kobj_to_dev(kobj));
	char tmp[32];
	u64 phys;
	int rc;

	/* one address per write(), as for a text attribute */
	if (off || !count || count >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, count);
	tmp[count] = '\0';
	if (kstrtou64(tmp, 0, &phys))
		return -EINVAL;
	if (phys < region->start || phys - region->start >= region->size)
		return -EINVAL;
	rc = pdax_poison_add(phys);
	return rc ? rc : count;
}

/* physical addresses are root's only, as in device-dax */
static struct bin_attribute bin_attr_region_poison =
	__BIN_ATTR(poison, 0600, region_poison_read, region_poison_write, 0);

static struct bin_attribute *pdax_region_bin_attrs[] = {
	&bin_attr_region_poison,
	NULL,
};

static struct attribute *pdax_region_attrs[] = {
	&dev_attr_id.attr,
	&dev_attr_start.attr,
	&dev_attr_region_size.attr,
	&dev_attr_available_size.attr,
	&dev_attr_region_align.attr,
	&dev_attr_region_numa_node.attr,
	&dev_attr_seed.attr,
	&dev_attr_create.attr,
	&dev_attr_delete.attr,
	NULL,
};

static const struct attribute_group pdax_region_group = {
	.attrs = pdax_region_attrs,
	.bin_attrs = pdax_region_bin_attrs,
};

const struct attribute_group *pdax_region_groups[] = {
	&pdax_region_group,
	NULL,
};

/* Devices */

static ssize_t size_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	u64 size;

	mutex_lock(&pdax_lock);
	size = to_pdax_dev(dev)->size;
	mutex_unlock(&pdax_lock);
	return sysfs_emit(buf, "%llu\n", size);
}

static ssize_t size_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t len)
{
	u64 size;
	int rc;

	rc = pdax_parse_size(buf, &size);
	if (!rc)
		rc = pdax_dev_resize(to_pdax_dev(dev), size);
	return rc ? rc : len;
}
static DEVICE_ATTR_RW(size);

static ssize_t align_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(to_pdax_dev(dev)->align));
}

static ssize_t align_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	u64 align;
	int rc;

	rc = pdax_parse_size(buf, &align);
	if (!rc)
		rc = pdax_dev_set_align(to_pdax_dev(dev), align);
	return rc ? rc : len;
}
static DEVICE_ATTR_RW(align);

static ssize_t mapping_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t len)
{
	phys_addr_t start, end;
	int rc;

	rc = pdax_parse_range(buf, &start, &end);
	if (!rc)
		rc = pdax_dev_add_range(to_pdax_dev(dev), start,
					end - start + 1);
	return rc ? rc : len;
}
static DEVICE_ATTR_WO(mapping);

static ssize_t resource_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct pdax_dev *pdev = to_pdax_dev(dev);
	u64 start;

	mutex_lock(&pdax_lock);
	start = pdev->nr_range ? pdev->ranges[0].start : 0;
	mutex_unlock(&pdax_lock);
	return sysfs_emit(buf, "%#llx\n", start);
}
static DEVICE_ATTR_ADMIN_RO(resource);

static const char *const pdax_mode_names[] = {
	[PDAX_MODE_PAGELESS] = "pageless",
	[PDAX_MODE_COMPOUND] = "compound",
};

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  pdax_mode_names[READ_ONCE(to_pdax_dev(dev)->mode)]);
}

static ssize_t mode_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t len)
{
	int mode, rc;

	mode = sysfs_match_string(pdax_mode_names, buf);
	if (mode < 0)
		return -EINVAL;
	rc = pdax_dev_set_mode(to_pdax_dev(dev), mode);
	return rc ? rc : len;
}
static DEVICE_ATTR_RW(mode);

static ssize_t scrub_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return pdax_scrub_show(to_pdax_dev(dev), buf);
}

static ssize_t scrub_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	int rc;

	if (!sysfs_streq(buf, "1"))
		return -EINVAL;
	rc = pdax_scrub_start(to_pdax_dev(dev));
	return rc ? rc : len;
}
static DEVICE_ATTR_RW(scrub);

static ssize_t preserved_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(to_pdax_dev(dev)->preserved));
}

static ssize_t preserved_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t len)
{
	struct pdax_dev *pdev = to_pdax_dev(dev);
	bool val;
	int rc;

	if (!sysfs_streq(buf, "0") && !sysfs_streq(buf, "1"))
		return -EINVAL;
	val = sysfs_streq(buf, "1");
	mutex_lock(&pdax_lock);
	rc = pdax_dev_check_idle(pdev);
	if (!rc) {
		/*
		 * The data is no longer to be kept: whoever opens next must
		 * not see it, so the scrub is due again (1 -> 0 only; a
		 * device scrubbed for its owner is not scrubbed again).
		 */
		if (pdev->preserved && !val)
			pdax_scrub_reset(pdev);
		pdev->preserved = val;
	}
	mutex_unlock(&pdax_lock);
	return rc ? rc : len;
}
static DEVICE_ATTR_RW(preserved);

static ssize_t dev_poison_read(struct file *filp, struct kobject *kobj,
			       struct bin_attribute *attr, char *buf,
			       loff_t off, size_t count)
{
	struct pdax_dev *pdev = to_pdax_dev(kobj_to_dev(kobj));
	size_t len = 0;
	char *text = pdax_poison_dev_text(pdev, &len);

	return pdax_poison_read(text, len, buf, off, count);
}

static struct bin_attribute bin_attr_dev_poison =
	__BIN_ATTR(poison, 0400, dev_poison_read, NULL, 0);

static struct bin_attribute *pdax_dev_bin_attrs[] = {
	&bin_attr_dev_poison,
	NULL,
};

static ssize_t pdax_faults_show(struct device *dev, enum pdax_order order,
				char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (s64)atomic64_read(&to_pdax_dev(dev)->faults[order]));
}

static ssize_t pdax_faults_store(struct device *dev, enum pdax_order order,
				 const char *buf, size_t len)
{
	if (!sysfs_streq(buf, "0"))
		return -EINVAL;
	atomic64_set(&to_pdax_dev(dev)->faults[order], 0);
	return len;
}

#define PDAX_FAULT_ATTR(name, order)                                          \
	static ssize_t name##_show(struct device *dev,                        \
				   struct device_attribute *attr, char *buf)  \
	{                                                                     \
		return pdax_faults_show(dev, order, buf);                     \
	}                                                                     \
	static ssize_t name##_store(struct device *dev,                       \
				    struct device_attribute *attr,            \
				    const char *buf, size_t len)              \
	{                                                                     \
		return pdax_faults_store(dev, order, buf, len);               \
	}                                                                     \
	static DEVICE_ATTR_RW(name)

PDAX_FAULT_ATTR(faults_4k, PDAX_ORDER_4K);
PDAX_FAULT_ATTR(faults_2m, PDAX_ORDER_2M);
PDAX_FAULT_ATTR(faults_1g, PDAX_ORDER_1G);

static ssize_t fault_poison_races_show(struct device *dev,
				       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (long long)atomic64_read(&to_pdax_dev(dev)->fault_poison_races));
}
static DEVICE_ATTR_RO(fault_poison_races);

static ssize_t numa_node_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", to_pdax_dev(dev)->region->nid);
}
static DEVICE_ATTR_RO(numa_node);

static ssize_t vmemmap_bytes_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(to_pdax_dev(dev)->vmemmap_bytes));
}
static DEVICE_ATTR_RO(vmemmap_bytes);

static ssize_t open_count_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(to_pdax_dev(dev)->open_count));
}
static DEVICE_ATTR_RO(open_count);

static struct attribute *pdax_dev_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_align.attr,
	&dev_attr_mapping.attr,
	&dev_attr_resource.attr,
	&dev_attr_mode.attr,
	&dev_attr_scrub.attr,
	&dev_attr_preserved.attr,
	&dev_attr_faults_4k.attr,
	&dev_attr_faults_2m.attr,
	&dev_attr_faults_1g.attr,
	&dev_attr_fault_poison_races.attr,
	&dev_attr_numa_node.attr,
	&dev_attr_vmemmap_bytes.attr,
	&dev_attr_open_count.attr,
	NULL,
};

static const struct attribute_group pdax_dev_group = {
	.attrs = pdax_dev_attrs,
	.bin_attrs = pdax_dev_bin_attrs,
};

const struct attribute_group *pdax_dev_groups[] = {
	&pdax_dev_group,
	NULL,
};
