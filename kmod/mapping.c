// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs mappingM/{start,end,page_offset}: one directory per device range.
 * Each directory carries a snapshot of its range, so reading needs no lock
 * and the directories can be rebuilt under pdax_lock.
 */
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "pdax.h"

struct pdax_mapping_attrs {
	struct device_attribute start;
	struct device_attribute end;
	struct device_attribute page_offset;
	struct attribute *attrs[4];
	struct attribute_group group;
	char name[24];
	u64 start_val;
	u64 end_val;
	u64 pgoff_val;
};

static ssize_t pdax_mapping_start_show(struct device *dev,
				       struct device_attribute *attr, char *buf)
{
	struct pdax_mapping_attrs *m =
		container_of(attr, struct pdax_mapping_attrs, start);

	return sysfs_emit(buf, "%#llx\n", m->start_val);
}

static ssize_t pdax_mapping_end_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct pdax_mapping_attrs *m =
		container_of(attr, struct pdax_mapping_attrs, end);

	return sysfs_emit(buf, "%#llx\n", m->end_val);
}

static ssize_t pdax_mapping_pgoff_show(struct device *dev,
				       struct device_attribute *attr, char *buf)
{
	struct pdax_mapping_attrs *m =
		container_of(attr, struct pdax_mapping_attrs, page_offset);

	return sysfs_emit(buf, "%#llx\n", m->pgoff_val);
}

static void pdax_mapping_attr_init(struct device_attribute *a,
				   const char *name, umode_t mode,
				   ssize_t (*show)(struct device *,
						   struct device_attribute *,
						   char *))
{
	sysfs_attr_init(&a->attr);
	a->attr.name = name;
	a->attr.mode = mode;
	a->show = show;
}

void pdax_mapping_attrs_remove(struct pdax_dev *pdev)
{
	int i;

	for (i = 0; i < pdev->nr_mapping_attrs; i++)
		sysfs_remove_group(&pdev->dev.kobj,
				   &pdev->mapping_attrs[i].group);
	kfree(pdev->mapping_attrs);
	pdev->mapping_attrs = NULL;
	pdev->nr_mapping_attrs = 0;
}

/* Rebuild the mappingM directories after the ranges changed. */
int pdax_mapping_attrs_update(struct pdax_dev *pdev)
{
	struct pdax_mapping_attrs *ma;
	int i, rc;

	pdax_mapping_attrs_remove(pdev);
	if (!pdev->nr_range)
		return 0;
	ma = pdax_range_alloc_fails() ? NULL :
		kcalloc(pdev->nr_range, sizeof(*ma), GFP_KERNEL);
	if (!ma)
		return -ENOMEM;
	for (i = 0; i < pdev->nr_range; i++) {
		struct pdax_mapping_attrs *m = &ma[i];
		struct pdax_range *r = &pdev->ranges[i];

		m->start_val = r->start;
		m->end_val = r->start + r->len - 1;
		m->pgoff_val = r->off >> PAGE_SHIFT;
		/* start and end are physical: root only, as in device-dax */
		pdax_mapping_attr_init(&m->start, "start", 0400,
				       pdax_mapping_start_show);
		pdax_mapping_attr_init(&m->end, "end", 0400,
				       pdax_mapping_end_show);
		pdax_mapping_attr_init(&m->page_offset, "page_offset", 0444,
				       pdax_mapping_pgoff_show);
		m->attrs[0] = &m->start.attr;
		m->attrs[1] = &m->end.attr;
		m->attrs[2] = &m->page_offset.attr;
		snprintf(m->name, sizeof(m->name), "mapping%d", i);
		m->group.name = m->name;
		m->group.attrs = m->attrs;
	}
	pdev->mapping_attrs = ma;
	for (i = 0; i < pdev->nr_range; i++) {
		rc = sysfs_create_group(&pdev->dev.kobj, &ma[i].group);
		if (rc) {
			dev_err(&pdev->dev, "sysfs_create_group(%s) failed: %d\n",
				ma[i].name, rc);
			return rc;
		}
		pdev->nr_mapping_attrs = i + 1;
	}
	return 0;
}
