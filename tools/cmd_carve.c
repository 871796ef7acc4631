// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxmemctl carve: plan which System RAM to soft-reserve at boot and print
 * the kernel arguments that do it, from the live memory map or a saved one.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <daxmem/carve.h>
#include <daxmem/libdaxmem.h>

#define PROC_IOMEM "/proc/iomem"
#define SYSFS_NODE "/sys/devices/system/node"
#define SYSFS_BLOCK_SIZE "/sys/devices/system/memory/block_size_bytes"

static const char carve_usage[] =
	"usage: daxmemctl carve SIZE [options]\n"
	"Plan SIZE of System RAM per NUMA node (or in total) to become Soft Reserved\n"
	"memory at the next boot, and print the kernel arguments that carve it.\n"
	"\n"
	"  --from FILE|DIR   plan on a saved /proc/iomem (FILE) or a /sys/firmware/memmap\n"
	"                    style directory (DIR) instead of the live /proc/iomem\n"
	"  --nodes FILE      NUMA layout, lines \"node N START-END\" (hex, END inclusive);\n"
	"                    default: the live layout, or one node with --from\n"
	"  --align SIZE      start and size alignment, a power of two (default 1G)\n"
	"  --keep SIZE|N%    System RAM every node keeps (default 2G)\n"
	"  --node N          plan node N only\n"
	"  --total           SIZE is the total over all nodes, highest addresses first\n"
	"  --dump-nodes      print the live NUMA layout in the --nodes format and exit\n"
	"  -u, --human       human-readable output instead of JSON\n"
	"  -h, --help        this text\n"
	"\n"
	"SIZE takes K/M/G/T suffixes. See docs/carving.md.\n";

struct carve_opts {
	const char *from;
	const char *nodes;
	bool human;
	bool dump_nodes;
	struct daxmem_carve_request req;
};

static int carve_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int carve_error(const char *fmt, ...)
{
	va_list ap;

	fputs("daxmemctl carve: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Read a whole text file; NULL with errno set on failure. */
static char *read_text(const char *path)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int load_memmap(const char *from, struct daxmem_memmap *map)
{
	const char *path = from ? from : PROC_IOMEM;
	unsigned int line = 0;
	struct stat st;
	char *text;
	int rc;

	if (from && !stat(from, &st) && S_ISDIR(st.st_mode)) {
		rc = daxmem_firmware_memmap_read(from, map);
		if (rc == -ENODATA)
			return carve_error(
				"%s: no memory map entries (want N/start, N/end, N/type)", from);
		if (rc)
			return carve_error("reading firmware memmap %s: %s", from, strerror(-rc));
		return 0;
	}
	text = read_text(path);
	if (!text)
		return carve_error("open %s: %s", path, strerror(errno));
	rc = daxmem_iomem_parse(text, map, &line);
	free(text);
	switch (rc) {
	case 0:
		return 0;
	case -EACCES:
		return carve_error("%s: every address reads as zero: run as root, or plan on a "
				   "copy saved by root with --from FILE",
				   path);
	case -ENODATA:
		return carve_error("%s: no top-level \"System RAM\" entry", path);
	case -EINVAL:
		return carve_error("%s:%u: not a /proc/iomem line (want \"START-END : name\")",
				   path, line);
	default:
		return carve_error("parsing %s: %s", path, strerror(-rc));
	}
}

static int load_live_nodes(struct daxmem_node_map *nodes, bool required)
{
	uint64_t block_size;
	char *text, *end;
	int rc;

	text = read_text(SYSFS_BLOCK_SIZE);
	if (!text) {
		if (!required)
			return 0;
		return carve_error("open %s: %s", SYSFS_BLOCK_SIZE, strerror(errno));
	}
	block_size = strtoull(text, &end, 16);
	rc = !block_size || (*end && *end != '\n');
	free(text);
	if (rc)
		return carve_error("%s: not a hex block size", SYSFS_BLOCK_SIZE);
	rc = daxmem_node_map_read_sysfs(SYSFS_NODE, block_size, nodes);
	if (rc == -ENOENT && !required)
		return 0;
	if (rc)
		return carve_error("reading %s: %s", SYSFS_NODE, strerror(-rc));
	return 0;
}

static int load_nodes(const struct carve_opts *o, struct daxmem_node_map *nodes)
{
	unsigned int line = 0;
	char *text;
	int rc;

	if (!o->nodes)
		return o->from ? 0 : load_live_nodes(nodes, false);
	text = read_text(o->nodes);
	if (!text)
		return carve_error("open %s: %s", o->nodes, strerror(errno));
	rc = daxmem_node_map_parse(text, nodes, &line);
	free(text);
	if (rc)
		return carve_error("%s:%u: want \"node N START-END\" (hex, END inclusive), "
				   "nodes not overlapping",
				   o->nodes, line);
	return 0;
}

static char *size_str(uint64_t size, char *buf, size_t len)
{
	return daxmem_format_size(size, buf, len);
}

static int report_failure(const struct carve_opts *o, const struct daxmem_carve_plan *plan, int rc)
{
	char want[32], largest[32], keep[32], align[32];

	size_str(o->req.size, want, sizeof(want));
	size_str(plan->largest, largest, sizeof(largest));
	size_str(o->req.align, align, sizeof(align));
	if (o->req.keep_percent)
		snprintf(keep, sizeof(keep), "%u%%", o->req.keep_percent);
	else
		size_str(o->req.keep, keep, sizeof(keep));
	switch (rc) {
	case -ENOSPC:
		if (o->req.total)
			return carve_error("%s in total does not fit: at most %s can be carved "
					   "(%s aligned, keeping %s of System RAM per node)",
					   want, largest, align, keep);
		return carve_error("%s per node does not fit: node %d can give at most %s "
				   "(%s aligned, keeping %s of System RAM)",
				   want, plan->failed_node, largest, align, keep);
	case -ENOENT:
		if (o->req.node >= 0)
			return carve_error("node %d has no System RAM in this memory map",
					   o->req.node);
		return carve_error("no System RAM in any node");
	case -E2BIG:
		return carve_error("the plan needs more than %d ranges: use a smaller --align "
				   "or a smaller SIZE",
				   DAXMEM_CARVE_MAX_PIECES);
	case -EINVAL:
		return carve_error("SIZE must be a positive multiple of --align");
	default:
		return carve_error("planning: %s", strerror(-rc));
	}
}

static uint64_t piece_size(const struct daxmem_carve_piece *p)
{
	return p->end - p->start + 1;
}

static const struct daxmem_carve_node *plan_node(const struct daxmem_carve_plan *plan, int node)
{
	size_t i;

	for (i = 0; i < plan->nr_nodes; i++)
		if (plan->nodes[i].node == node)
			return &plan->nodes[i];
	return NULL;
}

/* "memmap=A memmap=B" and "efi_fake_mem=a,b"; false if they do not fit. */
static bool build_cmdlines(const struct daxmem_carve_plan *plan, char *memmap, size_t mlen,
			   char *efi, size_t elen)
{
	size_t i, mo = 0, eo;
	int n;

	eo = (size_t)snprintf(efi, elen, "efi_fake_mem=");
	memmap[0] = '\0';
	for (i = 0; i < plan->nr_pieces; i++) {
		if (i && mo < mlen)
			memmap[mo++] = ' ';
		if (i && eo < elen)
			efi[eo++] = ',';
		if (mo >= mlen || eo >= elen)
			return false;
		n = daxmem_carve_memmap_arg(&plan->pieces[i], memmap + mo, mlen - mo);
		if (n < 0)
			return false;
		mo += (size_t)n;
		n = daxmem_carve_efi_fake_mem_arg(&plan->pieces[i], efi + eo, elen - eo);
		if (n < 0)
			return false;
		eo += (size_t)n;
	}
	if (!plan->kaslr_safe) {
		n = snprintf(memmap + mo, mlen - mo, " nokaslr");
		if (n < 0 || (size_t)n >= mlen - mo)
			return false;
	}
	return true;
}

static json_object *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

static int print_json(const struct carve_opts *o, const struct daxmem_carve_plan *plan,
		      const char *memmap, const char *efi)
{
	json_object *root = json_object_new_object();
	json_object *pieces = json_object_new_array();
	json_object *nodes = json_object_new_array();
	char arg[128];
	size_t i;

	json_object_object_add(root, "size", json_object_new_int64((int64_t)o->req.size));
	json_object_object_add(root, "per_node", json_object_new_boolean(!o->req.total));
	json_object_object_add(root, "align", json_object_new_int64((int64_t)o->req.align));
	json_object_object_add(root, "total", json_object_new_int64((int64_t)plan->total));
	for (i = 0; i < plan->nr_pieces; i++) {
		const struct daxmem_carve_piece *p = &plan->pieces[i];
		const struct daxmem_carve_node *n = plan_node(plan, p->node);
		json_object *e = json_object_new_object();

		json_object_object_add(e, "node", json_object_new_int(p->node));
		json_object_object_add(e, "start", hex(p->start));
		json_object_object_add(e, "end", hex(p->end));
		json_object_object_add(e, "size", json_object_new_int64((int64_t)piece_size(p)));
		daxmem_carve_memmap_arg(p, arg, sizeof(arg));
		json_object_object_add(e, "memmap", json_object_new_string(arg));
		daxmem_carve_efi_fake_mem_arg(p, arg, sizeof(arg));
		json_object_object_add(e, "efi_fake_mem", json_object_new_string(arg));
		json_object_object_add(e, "remaining_ram",
				       json_object_new_int64((int64_t)(n->ram - n->carved)));
		json_object_array_add(pieces, e);
	}
	json_object_object_add(root, "plan", pieces);
	for (i = 0; i < plan->nr_nodes; i++) {
		const struct daxmem_carve_node *n = &plan->nodes[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "node", json_object_new_int(n->node));
		json_object_object_add(e, "ram", json_object_new_int64((int64_t)n->ram));
		json_object_object_add(e, "keep", json_object_new_int64((int64_t)n->keep));
		json_object_object_add(e, "carvable", json_object_new_int64((int64_t)n->free));
		json_object_object_add(e, "carved", json_object_new_int64((int64_t)n->carved));
		json_object_object_add(e, "remaining_ram",
				       json_object_new_int64((int64_t)(n->ram - n->carved)));
		json_object_array_add(nodes, e);
	}
	json_object_object_add(root, "nodes", nodes);
	json_object_object_add(root, "cmdline", json_object_new_string(memmap));
	json_object_object_add(root, "efi_fake_mem", json_object_new_string(efi));
	json_object_object_add(root, "kaslr_safe", json_object_new_boolean(plan->kaslr_safe));
	printf("%s\n", json_object_to_json_string_ext(
			       root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return 0;
}

static int print_human(const struct carve_opts *o, const struct daxmem_carve_plan *plan,
		       const char *memmap, const char *efi)
{
	char a[32], b[32], c[32], d[32];
	size_t i;

	printf("carve %s %s, %s aligned\n", size_str(o->req.size, a, sizeof(a)),
	       o->req.total ? "in total" : "per node", size_str(o->req.align, b, sizeof(b)));
	for (i = 0; i < plan->nr_pieces; i++) {
		const struct daxmem_carve_piece *p = &plan->pieces[i];

		printf("  node %-3d 0x%012" PRIx64 "-0x%012" PRIx64 "  %s\n", p->node, p->start,
		       p->end, size_str(piece_size(p), a, sizeof(a)));
	}
	for (i = 0; i < plan->nr_nodes; i++) {
		const struct daxmem_carve_node *n = &plan->nodes[i];

		printf("  node %-3d System RAM %s, carved %s, left %s (keeps at least %s)\n",
		       n->node, size_str(n->ram, a, sizeof(a)), size_str(n->carved, b, sizeof(b)),
		       size_str(n->ram - n->carved, c, sizeof(c)), size_str(n->keep, d, sizeof(d)));
	}
	printf("\nkernel command line, any kernel (GRUB: no escaping needed for '%%'):\n  %s\n",
	       memmap);
	if (!plan->kaslr_safe)
		printf("  (nokaslr: a piece starts below the smallest piece's size, and the boot\n"
		       "   decompressor would be free to place the kernel inside it)\n");
	printf("\nor, only on kernels <= 6.10 built with CONFIG_EFI_FAKE_MEMMAP (not Debian's):\n"
	       "  %s\n",
	       efi);
	return 0;
}

static int parse_keep(const char *arg, struct daxmem_carve_request *req)
{
	size_t len = strlen(arg);

	if (len > 1 && arg[len - 1] == '%') {
		char *end;
		unsigned long pct = strtoul(arg, &end, 10);

		if (end != arg + len - 1 || pct > 100 || arg[0] < '0' || arg[0] > '9')
			return -EINVAL;
		req->keep_percent = (unsigned int)pct;
		req->keep = 0;
		return 0;
	}
	req->keep_percent = 0;
	return daxmem_parse_size(arg, &req->keep);
}

static int parse_args(int argc, char **argv, struct carve_opts *o)
{
	enum { OPT_FROM = 256, OPT_NODES, OPT_ALIGN, OPT_KEEP, OPT_NODE, OPT_TOTAL, OPT_DUMP };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, OPT_FROM },
		{ "nodes", required_argument, NULL, OPT_NODES },
		{ "align", required_argument, NULL, OPT_ALIGN },
		{ "keep", required_argument, NULL, OPT_KEEP },
		{ "node", required_argument, NULL, OPT_NODE },
		{ "total", no_argument, NULL, OPT_TOTAL },
		{ "dump-nodes", no_argument, NULL, OPT_DUMP },
		{ "human", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long node;
	int c;

	o->req.align = 1ULL << 30;
	o->req.keep = 2ULL << 30;
	o->req.node = -1;
	optind = 0; /* restart getopt: the command table may have used it */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "uh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM:
			o->from = optarg;
			break;
		case OPT_NODES:
			o->nodes = optarg;
			break;
		case OPT_ALIGN:
			if (daxmem_parse_size(optarg, &o->req.align) || !o->req.align ||
			    (o->req.align & (o->req.align - 1)) || o->req.align < 4096)
				return carve_error("--align %s: want a power of two of at least 4K",
						   optarg);
			break;
		case OPT_KEEP:
			if (parse_keep(optarg, &o->req))
				return carve_error(
					"--keep %s: want a size (2G) or a percentage (5%%)",
					optarg);
			break;
		case OPT_NODE:
			node = strtol(optarg, &end, 10);
			if (*end || end == optarg || node < 0 || node >= DAXMEM_CARVE_MAX_NODES)
				return carve_error("--node %s: want a node number 0..%d", optarg,
						   DAXMEM_CARVE_MAX_NODES - 1);
			o->req.node = (int)node;
			break;
		case OPT_TOTAL:
			o->req.total = true;
			break;
		case OPT_DUMP:
			o->dump_nodes = true;
			break;
		case 'u':
			o->human = true;
			break;
		case 'h':
			fputs(carve_usage, stdout);
			return -1;
		default:
			return carve_error("unknown option %s (see daxmemctl carve --help)",
					   argv[optind - 1]);
		}
	}
	if (o->dump_nodes)
		return optind == argc ? 0 : carve_error("--dump-nodes takes no SIZE");
	if (optind != argc - 1)
		return carve_error("want exactly one SIZE (see daxmemctl carve --help)");
	if (daxmem_parse_size(argv[optind], &o->req.size) || !o->req.size)
		return carve_error("SIZE %s: want a size such as 4G or 512M", argv[optind]);
	if (o->req.size % o->req.align) {
		char a[32];

		return carve_error("SIZE %s is not a multiple of --align %s", argv[optind],
				   size_str(o->req.align, a, sizeof(a)));
	}
	return 0;
}

static int dump_nodes(void)
{
	struct daxmem_node_map nodes;
	char buf[16384];
	int rc;

	daxmem_node_map_init(&nodes);
	rc = load_live_nodes(&nodes, true);
	if (!rc) {
		rc = daxmem_node_map_format(&nodes, buf, sizeof(buf));
		if (rc < 0)
			rc = carve_error("formatting the node map: %s", strerror(-rc));
		else
			rc = fputs(buf, stdout) < 0;
	}
	daxmem_node_map_release(&nodes);
	return rc;
}

int cmd_carve(int argc, char **argv)
{
	struct carve_opts o = { 0 };
	struct daxmem_memmap map;
	struct daxmem_node_map nodes;
	struct daxmem_carve_plan *plan;
	char memmap[4096], efi[4096];
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (o.dump_nodes)
		return dump_nodes();

	daxmem_memmap_init(&map);
	daxmem_node_map_init(&nodes);
	plan = calloc(1, sizeof(*plan));
	if (!plan) {
		rc = carve_error("out of memory");
		goto out;
	}
	rc = load_memmap(o.from, &map);
	if (!rc)
		rc = load_nodes(&o, &nodes);
	if (rc)
		goto out;
	rc = daxmem_carve_plan(&map, &nodes, &o.req, plan);
	if (rc) {
		rc = report_failure(&o, plan, rc);
		goto out;
	}
	if (!build_cmdlines(plan, memmap, sizeof(memmap), efi, sizeof(efi))) {
		rc = carve_error("the kernel arguments exceed %zu bytes", sizeof(memmap));
		goto out;
	}
	rc = o.human ? print_human(&o, plan, memmap, efi) : print_json(&o, plan, memmap, efi);
out:
	free(plan);
	daxmem_node_map_release(&nodes);
	daxmem_memmap_release(&map);
	return rc;
}
