/*
 * agent/duration.c - Go-style durations for kube-proxy-compatible flags.
 */
#include "duration.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *unit;
	double seconds;
} units[] = {
	/* Longest first, so "ms" is not read as "m". */
	{ "ns", 1e-9 }, { "us", 1e-6 }, { "µs", 1e-6 }, { "μs", 1e-6 },
	{ "ms", 1e-3 },
	{ "s", 1 }, { "m", 60 }, { "h", 3600 },
};

/* Match the unit at @p; returns its length, 0 if none. */
static size_t unit_at(const char *p, double *scale)
{
	size_t i, best = 0, len;

	for (i = 0; i < sizeof(units) / sizeof(*units); i++) {
		len = strlen(units[i].unit);
		if (len > best && strncmp(p, units[i].unit, len) == 0) {
			best = len;
			*scale = units[i].seconds;
		}
	}
	return best;
}

int agent_duration_parse(const char *s, double *seconds)
{
	double total = 0, v, scale = 0;
	const char *p = s;
	char *end;
	size_t ulen;

	if (!s || !*s)
		return -EINVAL;
	if (strcmp(s, "0") == 0) {
		*seconds = 0;
		return 0;
	}
	while (*p) {
		if (*p == '-' || *p == '+' || !(*p == '.' || (*p >= '0' && *p <= '9')))
			return -EINVAL;
		/* Go's digits and one dot only: strtod() would also take
		 * exponents ("1e3s") and hexadecimal ("0x10s"). */
		v = strtod(p, &end);
		if (end == p || strspn(p, "0123456789.") < (size_t)(end - p) ||
		    !(ulen = unit_at(end, &scale)))
			return -EINVAL;
		total += v * scale;
		p = end + ulen;
	}
	if (!isfinite(total))
		return -EINVAL;
	*seconds = total;
	return 0;
}

char *agent_duration_fmt(double seconds, char *buf, unsigned len)
{
	long h, m;
	double s;

	/* %.11g: nanoseconds of a value under a minute, as Go keeps them. */
	if (seconds == 0) {
		snprintf(buf, len, "0s");
	} else if (seconds < 1e-6) {
		snprintf(buf, len, "%.11gns", seconds * 1e9);
	} else if (seconds < 1e-3) {
		snprintf(buf, len, "%.11gµs", seconds * 1e6);
	} else if (seconds < 1) {
		snprintf(buf, len, "%.11gms", seconds * 1000);
	} else if (seconds < 60) {
		snprintf(buf, len, "%.11gs", seconds);
	} else {
		h = (long)(seconds / 3600);
		m = (long)((seconds - (double)h * 3600) / 60);
		s = seconds - (double)h * 3600 - (double)m * 60;
		if (h)
			snprintf(buf, len, "%ldh%ldm%.11gs", h, m, s);
		else
			snprintf(buf, len, "%ldm%.11gs", m, s);
	}
	return buf;
}
