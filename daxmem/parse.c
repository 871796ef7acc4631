// SPDX-License-Identifier: LGPL-2.1
/* Size and range parsers, names of backends and modes. Pure. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxmem/libdaxmem.h>

static const char *const backend_names[] = {
	[DAXMEM_BACKEND_DEVDAX] = "devdax",
	[DAXMEM_BACKEND_PAGELESS] = "pageless",
};

static const char *const mode_names[] = {
	[DAXMEM_MODE_DEVDAX] = "devdax",
	[DAXMEM_MODE_PAGELESS] = "pageless",
	[DAXMEM_MODE_COMPOUND] = "compound",
};

const char *daxmem_backend_name(enum daxmem_backend backend)
{
	if (backend < 0 || (size_t)backend >= sizeof(backend_names) / sizeof(backend_names[0]))
		return "unknown";
	return backend_names[backend];
}

int daxmem_backend_from_name(const char *name, enum daxmem_backend *backend)
{
	size_t i;

	for (i = 0; i < sizeof(backend_names) / sizeof(backend_names[0]); i++) {
		if (strcmp(name, backend_names[i]) == 0) {
			*backend = (enum daxmem_backend)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *daxmem_mode_name(enum daxmem_mode mode)
{
	if (mode < 0 || (size_t)mode >= sizeof(mode_names) / sizeof(mode_names[0]))
		return "unknown";
	return mode_names[mode];
}

int daxmem_mode_from_name(const char *name, enum daxmem_mode *mode)
{
	size_t i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*mode = (enum daxmem_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* parse one number with an optional binary suffix; *end is left after it */
static int parse_number(const char *str, uint64_t *val, const char **end)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *p;

	if (!isdigit((unsigned char)*str))
		return -EINVAL;
	errno = 0;
	v = strtoull(str, &p, 0);
	if (errno)
		return -EINVAL;
	switch (*p) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	default:
		break;
	}
	if (shift) {
		p++;
		if (strncmp(p, "iB", 2) == 0)
			p += 2;
		else if (*p == 'B' || *p == 'b')
			p++;
		if (v > (UINT64_MAX >> shift))
			return -ERANGE;
		v <<= shift;
	}
	*val = v;
	*end = p;
	return 0;
}

int daxmem_parse_size(const char *str, uint64_t *size)
{
	const char *end;
	uint64_t v;
	int rc;

	if (!str)
		return -EINVAL;
	rc = parse_number(str, &v, &end);
	if (rc)
		return rc;
	if (*end)
		return -EINVAL;
	*size = v;
	return 0;
}

int daxmem_parse_ranges(const char *str, struct daxmem_range **ranges, size_t *nr)
{
	struct daxmem_range *out = NULL;
	size_t n = 0, cap = 0, i;
	uint64_t offset = 0;
	const char *p = str;
	int rc = -EINVAL;

	if (!str || !*str)
		return -EINVAL;
	for (;;) {
		uint64_t a, b;
		char sep;

		rc = parse_number(p, &a, &p);
		if (rc)
			goto err;
		sep = *p++;
		if (sep != '-' && sep != '+') {
			rc = -EINVAL;
			goto err;
		}
		rc = parse_number(p, &b, &p);
		if (rc)
			goto err;
		rc = -EINVAL;
		if (sep == '+') {
			if (!b || a + b - 1 < a)
				goto err;
			b = a + b - 1;
		}
		if (b < a)
			goto err;
		for (i = 0; i < n; i++)
			if (out[i].start <= b && a <= out[i].end)
				goto err;
		if (n == cap) {
			struct daxmem_range *m;

			cap = cap ? cap * 2 : 4;
			m = realloc(out, cap * sizeof(*m));
			if (!m) {
				rc = -ENOMEM;
				goto err;
			}
			out = m;
		}
		out[n++] = (struct daxmem_range){ a, b, offset };
		offset += b - a + 1;
		if (*p == '\0')
			break;
		if (*p++ != ',')
			goto err;
	}
	*ranges = out;
	*nr = n;
	return 0;
err:
	free(out);
	return rc;
}

char *daxmem_format_size(uint64_t size, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned int u = 0;
	double v = (double)size;

	while (v >= 1024.0 && u < sizeof(units) / sizeof(units[0]) - 1) {
		v /= 1024.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)size);
	else
		snprintf(buf, len, "%.2f %s", v, units[u]);
	return buf;
}
