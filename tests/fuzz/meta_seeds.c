// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for fuzz-meta, written by the real encoder (daxmem_meta_encode):
 *   meta-seeds OUTDIR IOMEM STATE VMSTATE
 * IOMEM gives the carve (its Soft Reserved ranges), STATE the state
 * document and VMSTATE a VMM record. Each seed is a fix-up byte, a
 * trailing-room byte and the image (see fuzz_meta.c). tests/fuzz/mkseeds
 * builds and runs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxmem/metadata.h>

static const char *outdir;

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "meta-seeds: open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "meta-seeds: read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* encode m; edit (if given) may change the image before it is written */
static void seed(const char *name, const struct daxmem_meta *m, unsigned char fix,
		 unsigned char room, void (*edit)(unsigned char *img, size_t len))
{
	size_t len = daxmem_meta_image_size(m);
	unsigned char *img = malloc(len);
	char path[4096];
	FILE *f;
	int rc;

	rc = img ? daxmem_meta_encode(m, img, len) : -ENOMEM;
	if (rc) {
		fprintf(stderr, "meta-seeds: daxmem_meta_encode %s: %s\n", name, strerror(-rc));
		exit(1);
	}
	if (edit)
		edit(img, len);
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fputc(fix, f) == EOF || fputc(room, f) == EOF || fwrite(img, 1, len, f) != len ||
	    fclose(f)) {
		fprintf(stderr, "meta-seeds: write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	free(img);
}

static void mark_restored(unsigned char *img, size_t len)
{
	daxmem_meta_set_flags(img, len, DAXMEM_META_RESTORED);
}

/* the last record ("notes", 15 bytes) becomes a kind a newer writer might add */
static void future_kind(unsigned char *img, size_t len)
{
	size_t pos = len - 16 - 8 - 16;

	img[pos] = 9;
	daxmem_meta_set_flags(img, len, 0); /* the CRC again */
}

static void add(struct daxmem_meta *m, enum daxmem_meta_kind kind, const char *name,
		const void *data, size_t len)
{
	int rc = daxmem_meta_add_record(m, kind, name, data, len);

	if (rc) {
		fprintf(stderr, "meta-seeds: daxmem_meta_add_record %s: %s\n", name, strerror(-rc));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	size_t iomem_len, state_len, vm_len;
	char *iomem, *state, *vm;
	struct daxmem_meta m;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: meta-seeds OUTDIR IOMEM STATE VMSTATE\n");
		return 2;
	}
	outdir = argv[1];
	iomem = slurp(argv[2], &iomem_len);
	state = slurp(argv[3], &state_len);
	vm = slurp(argv[4], &vm_len);

	daxmem_meta_init(&m);
	add(&m, DAXMEM_META_STATE, "state.json", state, state_len);
	seed("state-only", &m, 0, 0, NULL);

	rc = daxmem_meta_carve_from_iomem(iomem, &m);
	if (rc || !m.nr_carve) {
		fprintf(stderr, "meta-seeds: no Soft Reserved range in %s\n", argv[2]);
		return 1;
	}
	m.saved_realtime_ns = 1700000000123456789ULL;
	m.saved_boottime_ns = 42000000000ULL;
	m.capacity = DAXMEM_META_SIZE_DEFAULT;
	add(&m, DAXMEM_META_VMM, "vm0", vm, vm_len);
	add(&m, DAXMEM_META_FILE, "notes", "kexec at 12:00\n", 15);
	seed("saved", &m, 0, 0, NULL);
	seed("saved-room", &m, 0, 64, NULL);
	seed("restored", &m, 0, 0, mark_restored);
	seed("future-kind", &m, 0, 0, future_kind);

	for (m.nr_carve = 0; m.nr_carve < DAXMEM_META_MAX_CARVE; m.nr_carve++) {
		m.carve[m.nr_carve].start = (4ULL << 30) + (m.nr_carve << 30);
		m.carve[m.nr_carve].end = m.carve[m.nr_carve].start + (512ULL << 20) - 1;
	}
	seed("max-carve", &m, 0, 0, NULL);
	daxmem_meta_release(&m);
	free(iomem);
	free(state);
	free(vm);
	return 0;
}
