// SPDX-License-Identifier: GPL-2.0
/*
 * daxmemctl liveupdate save|restore: carry the daxmem state and each VMM's
 * saved state across a kexec of the host kernel in a preserved metadata
 * device inside the carve (docs/host-live-update.md).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <daxmem/metadata.h>

#include "daxmemctl.h"
#include "util/file.h"

#define DEFAULT_DIR "/run/daxmem/liveupdate"
#define FILE_MAX_BYTES (64u << 20)

static const char usage_text[] =
	"usage: daxmemctl liveupdate save --meta RANGE [--vmm DEVICE=FILE]... [--file NAME=FILE]...\n"
	"       daxmemctl liveupdate restore --meta RANGE [--dir DIR] [--again] [-u]\n"
	"       daxmemctl liveupdate extract --meta RANGE [--dir DIR] [-u]\n"
	"\n"
	"save: record every device into the state file and write, into the preserved\n"
	"metadata device '" DAXMEM_META_DEV_NAME "' at exactly RANGE (created there if needed),\n"
	"the carve (Soft Reserved ranges), the state document, and each VMM state\n"
	"FILE (saved by 'tinyvmm ctl SOCK save') under the name of the daxmem device\n"
	"its guest runs on, plus any other FILE under NAME.\n"
	"\n"
	"restore (after the kexec): rebuild the metadata device at RANGE without\n"
	"scrubbing it, check magic, version, checksum and that the carve is the\n"
	"same, empty the devices the new kernel made at boot over saved memory,\n"
	"restore every saved device (preserved ones untouched, the others zeroed),\n"
	"write the state document and every record into DIR, and mark the\n"
	"metadata restored. Prints what it restored as JSON.\n"
	"\n"
	"extract (after the kexec): rebuild and validate the metadata device as\n"
	"restore does and write the records into DIR, without restoring devices\n"
	"(a host reads its own notes first, e.g. which ranges go to pdax).\n"
	"\n"
	"  --meta RANGE       START (2 MiB there), START+SIZE or START-END\n"
	"  --vmm DEVICE=FILE  a VMM's state file; DEVICE is the daxmem device name\n"
	"  --file NAME=FILE   any other file to keep across the kexec\n"
	"  --dir DIR          where restore writes the records (default " DEFAULT_DIR ")\n"
	"  --again            restore metadata that was restored before\n"
	"  -u, --human        human-readable sizes, hexadecimal addresses\n"
	"  --state FILE       state file\n"
	"  -h, --help         this help\n";

enum { OPT_STATE = 256, OPT_META, OPT_VMM, OPT_FILE, OPT_DIR, OPT_AGAIN };

struct lu_args {
	const char *meta;
	const char *dir;
	bool again;
	unsigned int flags;
	struct daxmem_meta m;
	void *bufs[DAXMEM_META_MAX_RECORDS];
	size_t nr_bufs;
};

static int parse_meta_range(const char *arg, struct daxmem_range *r)
{
	struct daxmem_range *ranges;
	uint64_t start;
	size_t nr;

	if (!strpbrk(arg, "+-,")) {
		if (daxmem_parse_size(arg, &start))
			return ctl_error("--meta %s: not an address", arg);
		r->start = start;
		r->end = start + DAXMEM_META_SIZE_DEFAULT - 1;
		r->page_offset = 0;
		return 0;
	}
	if (daxmem_parse_ranges(arg, &ranges, &nr) || nr != 1)
		return ctl_error("--meta %s: want one range START, START+SIZE or START-END", arg);
	*r = ranges[0];
	free(ranges);
	return 0;
}

static int read_whole(const char *path, void **out, size_t *len)
{
	char why[512], *buf;

	if (util_read_file(path, FILE_MAX_BYTES, &buf, len, why, sizeof(why)))
		return ctl_error("%s", why);
	*out = buf;
	return 0;
}

/*
 * restore and extract write the state document as DIR/state.json and each
 * VMM record as DIR/DEVICE.vmstate: a file record may not take those names
 */
#define STATE_NAME "state.json"
#define VMSTATE_SUFFIX ".vmstate"

static bool file_name_reserved(const char *name)
{
	size_t n = strlen(name), s = strlen(VMSTATE_SUFFIX);

	return !strcmp(name, STATE_NAME) || (n >= s && !strcmp(name + n - s, VMSTATE_SUFFIX));
}

/* NAME=FILE: read FILE into a record */
static int add_record(struct lu_args *a, enum daxmem_meta_kind kind, const char *opt,
		      const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[DAXMEM_META_NAME_MAX];
	size_t len = 0;
	void *buf = NULL;
	int rc;

	if (!eq || eq == arg || !eq[1] || (size_t)(eq - arg) >= sizeof(name))
		return ctl_error("%s %s: want NAME=FILE", opt, arg);
	if (a->nr_bufs == DAXMEM_META_MAX_RECORDS)
		return ctl_error("%s: at most %d records", opt, DAXMEM_META_MAX_RECORDS);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	if (kind == DAXMEM_META_FILE && file_name_reserved(name))
		return ctl_error("%s %s: the name %s is reserved (state.json and *.vmstate hold the state and the VMMs' records)",
				 opt, arg, name);
	if (read_whole(eq + 1, &buf, &len))
		return 1;
	a->bufs[a->nr_bufs++] = buf;
	rc = daxmem_meta_add_record(&a->m, kind, name, buf, len);
	if (rc == -EEXIST)
		return ctl_error("%s %s: %s given twice", opt, arg, name);
	if (rc)
		return ctl_error("%s %s: invalid name %s (%s)", opt, arg, name, strerror(-rc));
	return 0;
}

static int parse(int argc, char **argv, struct lu_args *a, bool save)
{
	static const struct option opts[] = {
		{ "meta", required_argument, NULL, OPT_META },
		{ "vmm", required_argument, NULL, OPT_VMM },
		{ "file", required_argument, NULL, OPT_FILE },
		{ "dir", required_argument, NULL, OPT_DIR },
		{ "again", no_argument, NULL, OPT_AGAIN },
		{ "human", no_argument, NULL, 'u' },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "uh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_META:
			a->meta = optarg;
			break;
		case OPT_VMM:
		case OPT_FILE:
			if (!save)
				return ctl_error("liveupdate restore: --%s belongs to save",
						 c == OPT_VMM ? "vmm" : "file");
			if (add_record(a, c == OPT_VMM ? DAXMEM_META_VMM : DAXMEM_META_FILE,
				       c == OPT_VMM ? "--vmm" : "--file", optarg))
				return 1;
			break;
		case OPT_DIR:
		case OPT_AGAIN:
			if (save)
				return ctl_error(
					"liveupdate save: --%s belongs to restore and extract",
					c == OPT_DIR ? "dir" : "again");
			if (c == OPT_DIR)
				a->dir = optarg;
			else
				a->again = true;
			break;
		case 'u':
			a->flags |= CTL_JSON_HUMAN;
			break;
		case OPT_STATE:
			ctl_set_state(optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		default:
			return ctl_error(
				"liveupdate: bad option (see daxmemctl liveupdate --help)");
		}
	}
	if (optind != argc)
		return ctl_error("liveupdate: unexpected argument %s", argv[optind]);
	if (!a->meta)
		return ctl_error("liveupdate %s: --meta RANGE is required",
				 save ? "save" : "restore");
	return 0;
}

static struct json_object *json_num(uint64_t v, bool hex)
{
	char buf[32];

	if (!hex)
		return json_object_new_uint64(v);
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_object_new_string(buf);
}

static struct json_object *json_summary(const struct daxmem_meta *m, const struct daxmem_range *r,
					unsigned int flags)
{
	bool hex = flags & CTL_JSON_HUMAN;
	struct json_object *o = json_object_new_object(), *carve = json_object_new_array();
	size_t i;

	json_object_object_add(o, "meta_start", json_num(r->start, hex));
	json_object_object_add(o, "meta_end", json_num(r->end, hex));
	json_object_object_add(o, "image_size", json_object_new_uint64(m->image_size));
	json_object_object_add(o, "saved_realtime_ns",
			       json_object_new_uint64(m->saved_realtime_ns));
	for (i = 0; i < m->nr_carve; i++) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "start", json_num(m->carve[i].start, hex));
		json_object_object_add(c, "end", json_num(m->carve[i].end, hex));
		json_object_array_add(carve, c);
	}
	json_object_object_add(o, "carve", carve);
	return o;
}

static struct json_object *json_record(const struct daxmem_meta_record *rec)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(daxmem_meta_kind_name(rec->kind)));
	json_object_object_add(o, "name", json_object_new_string(rec->name));
	json_object_object_add(o, "size", json_object_new_uint64(rec->len));
	return o;
}

static int lu_save(struct daxmem_ctx *ctx, struct lu_args *a, const struct daxmem_range *where)
{
	struct json_object *out, *recs = json_object_new_array();
	size_t i;
	int rc;

	for (i = 0; i < a->m.nr_records; i++) {
		const struct daxmem_meta_record *rec = &a->m.records[i];

		if (rec->kind == DAXMEM_META_VMM) {
			struct daxmem_dev *dev = daxmem_dev_find(ctx, rec->name);

			if (!dev || !daxmem_dev_is_preserved(dev)) {
				json_object_put(recs);
				return ctl_error(dev ? "--vmm %s=...: device %s is not preserved: "
						       "restore would zero the guest's memory" :
						       "--vmm %s=...: no daxmem device named %s",
						 rec->name, rec->name);
			}
		}
		json_object_array_add(recs, json_record(rec));
	}
	rc = daxmem_meta_save(ctx, where, &a->m);
	if (rc) {
		json_object_put(recs);
		return 1;
	}
	out = json_summary(&a->m, where, a->flags);
	json_object_object_add(out, "records", recs);
	ctl_json_print(out);
	fprintf(stderr,
		"saved the state and %zu record%s (%llu bytes) to the metadata at %#llx-%#llx\n",
		a->m.nr_records, a->m.nr_records == 1 ? "" : "s",
		(unsigned long long)a->m.image_size, (unsigned long long)where->start,
		(unsigned long long)where->end);
	return 0;
}

struct restored_out {
	struct json_object *devs;
	unsigned int flags;
};

static void restored(struct daxmem_dev *dev, bool created, void *arg)
{
	struct restored_out *out = arg;
	struct json_object *o = ctl_json_dev(dev, out->flags);

	json_object_object_add(o, "restored", json_object_new_boolean(created));
	json_object_array_add(out->devs, o);
}

static int write_record(const char *dir, const struct daxmem_meta_record *rec, char *path,
			size_t len)
{
	FILE *f;

	snprintf(path, len, "%s/%s%s", dir, rec->name,
		 rec->kind == DAXMEM_META_VMM ? VMSTATE_SUFFIX : "");
	f = fopen(path, "wb");
	if (!f)
		return ctl_error("open %s: %s", path, strerror(errno));
	if (fwrite(rec->data, 1, rec->len, f) != rec->len || fclose(f))
		return ctl_error("write %s: %s", path, strerror(errno));
	return 0;
}

static int mkdir_p(const char *dir)
{
	char why[512];

	if (util_mkdir_p(dir, 0700, why, sizeof(why)))
		return ctl_error("%s", why);
	return 0;
}

/* every record into dir (the state document as dir/state.json); their JSON into recs */
static int write_records(struct daxmem_ctx *ctx, const char *dir, const struct daxmem_meta *m,
			 struct json_object *recs)
{
	char path[4096];
	size_t i;

	for (i = 0; i < m->nr_records; i++) {
		const struct daxmem_meta_record *rec = &m->records[i];
		struct json_object *o = json_record(rec);
		struct daxmem_dev *dev;

		json_object_array_add(recs, o);
		if (rec->kind == DAXMEM_META_STATE) {
			snprintf(path, sizeof(path), "%s/" STATE_NAME, dir);
			json_object_object_add(o, "path", json_object_new_string(path));
			continue;
		}
		if (rec->kind == DAXMEM_META_FILE && file_name_reserved(rec->name))
			return ctl_error("metadata: file record %s would overwrite the state or a VMM record",
					 rec->name);
		if (write_record(dir, rec, path, sizeof(path)))
			return 1;
		json_object_object_add(o, "path", json_object_new_string(path));
		dev = rec->kind == DAXMEM_META_VMM ? daxmem_dev_find(ctx, rec->name) : NULL;
		if (dev && daxmem_dev_is_present(dev))
			json_object_object_add(o, "chardev",
					       json_object_new_string(daxmem_dev_get_chardev(dev)));
	}
	return 0;
}

static int64_t age_ms(const struct daxmem_meta *m)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return ((int64_t)now.tv_sec * 1000000000LL + now.tv_nsec - (int64_t)m->saved_realtime_ns) /
	       1000000;
}

/* extract: the records only, for a host that needs its notes before restoring */
static int lu_extract(struct daxmem_ctx *ctx, struct lu_args *a, const struct daxmem_range *where)
{
	const char *dir = a->dir ? a->dir : DEFAULT_DIR;
	const struct daxmem_meta_record *rec;
	struct json_object *out, *recs;
	char path[4096];
	void *image;
	int rc;

	if (mkdir_p(dir) || daxmem_meta_load(ctx, where, true, &a->m, &image))
		return 1;
	recs = json_object_new_array();
	rc = write_records(ctx, dir, &a->m, recs);
	rec = daxmem_meta_find(&a->m, DAXMEM_META_STATE, NULL);
	snprintf(path, sizeof(path), "%s/" STATE_NAME, dir);
	if (!rc) {
		FILE *f = fopen(path, "wb");

		if (!f || fwrite(rec->data, 1, rec->len, f) != rec->len || fclose(f))
			rc = ctl_error("write %s: %s", path, strerror(errno));
	}
	if (!rc) {
		out = json_summary(&a->m, where, a->flags);
		json_object_object_add(out, "saved_age_ms", json_object_new_int64(age_ms(&a->m)));
		json_object_object_add(out, "restored_before",
				       json_object_new_boolean(a->m.flags & DAXMEM_META_RESTORED));
		json_object_object_add(out, "records", recs);
		ctl_json_print(out);
	} else {
		json_object_put(recs);
	}
	free(image);
	return rc;
}

static int lu_restore(struct daxmem_ctx *ctx, struct lu_args *a, const struct daxmem_range *where)
{
	const char *dir = a->dir ? a->dir : DEFAULT_DIR;
	struct json_object *out, *devs, *recs;
	char path[4096];
	void *image;
	int rc;

	if (mkdir_p(dir))
		return 1;
	rc = daxmem_meta_load(ctx, where, a->again, &a->m, &image);
	if (rc)
		return 1;
	devs = json_object_new_array();
	recs = json_object_new_array();
	snprintf(path, sizeof(path), "%s/" STATE_NAME, dir);
	rc = daxmem_meta_restore(ctx, &a->m, path, restored,
				 &(struct restored_out){ .devs = devs, .flags = a->flags });
	if (rc >= 0 && write_records(ctx, dir, &a->m, recs))
		rc = -EIO;
	if (rc >= 0)
		rc = daxmem_meta_mark_restored(ctx, where);
	if (rc >= 0) {
		out = json_summary(&a->m, where, a->flags);
		json_object_object_add(out, "saved_age_ms", json_object_new_int64(age_ms(&a->m)));
		json_object_object_add(out, "devices", devs);
		json_object_object_add(out, "records", recs);
		ctl_json_print(out);
		fprintf(stderr,
			"restored the devices and %zu record%s from the metadata at %#llx\n",
			a->m.nr_records, a->m.nr_records == 1 ? "" : "s",
			(unsigned long long)where->start);
	} else {
		json_object_put(devs);
		json_object_put(recs);
	}
	free(image);
	return rc < 0 ? 1 : 0;
}

int cmd_liveupdate(int argc, char **argv)
{
	struct lu_args a = { 0 };
	struct daxmem_range where;
	struct daxmem_ctx *ctx;
	bool save;
	size_t i;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_text, argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	if (strcmp(argv[1], "save") && strcmp(argv[1], "restore") && strcmp(argv[1], "extract"))
		return ctl_error("liveupdate: unknown action %s (save, restore, extract)", argv[1]);
	save = !strcmp(argv[1], "save");
	daxmem_meta_init(&a.m);
	rc = parse(argc - 1, argv + 1, &a, save);
	if (!rc)
		rc = parse_meta_range(a.meta, &where);
	if (!rc) {
		ctx = ctl_ctx();
		if (ctx) {
			rc = save			 ? lu_save(ctx, &a, &where) :
			     !strcmp(argv[1], "extract") ? lu_extract(ctx, &a, &where) :
							   lu_restore(ctx, &a, &where);
			daxmem_unref(ctx);
		} else {
			rc = 1;
		}
	}
	daxmem_meta_release(&a.m);
	for (i = 0; i < a.nr_bufs; i++)
		free(a.bufs[i]);
	return rc < 0 ? 0 : rc;
}
