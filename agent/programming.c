/*
 * agent/programming.c - network programming latency (see programming.h).
 */
#include "programming.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void agent_programming_init(struct agent_programming *p)
{
	memset(p, 0, sizeof(*p));
	strmap_init(&p->last);
}

static void free_value(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(value);
}

void agent_programming_fini(struct agent_programming *p)
{
	strmap_foreach(&p->last, free_value, NULL);
	strmap_fini(&p->last);
	free(p->pending);
	free(p->inflight);
	memset(p, 0, sizeof(*p));
}

/* The fraction and the zone after "YYYY-MM-DDTHH:MM:SS": adds them to
 * *@t; 0 or -1. */
static int parse_tail(const char *s, double *t)
{
	double frac = 0, scale = 0.1;
	int sign, hh, mm, n;

	if (*s == '.') {
		for (s++; isdigit((unsigned char)*s); s++, scale /= 10)
			frac += (*s - '0') * scale;
	}
	*t += frac;
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return 0;
	if ((*s != '+' && *s != '-') ||
	    sscanf(s + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || s[1 + n] != '\0')
		return -1;
	sign = *s == '+' ? 1 : -1;
	*t -= sign * (hh * 3600.0 + mm * 60.0);
	return 0;
}

double agent_programming_parse_time(const char *s)
{
	struct tm tm;
	const char *rest;
	double t;

	memset(&tm, 0, sizeof(tm));
	if (!s || !(rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return -1;
	t = (double)timegm(&tm);
	return parse_tail(rest, &t) ? -1 : t;
}

/* The newest stamp among the Service's slices, or -1. */
static double newest_stamp(const struct k8s_store *st, const char *ns,
			   const char *name)
{
	const struct k8s_endpointslice *v[64];
	size_t i, n = k8s_store_slices_of(st, ns, name, v, 64);
	double best = -1, t;

	for (i = 0; i < n && i < 64; i++) {
		t = agent_programming_parse_time(
			k8s_kvs_get(&v[i]->meta.annotations,
				    AGENT_TRIGGER_ANNOTATION));
		if (t > best)
			best = t;
	}
	return best;
}

static int push(double **v, size_t *n, size_t *cap, double t)
{
	double *nv;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if (!(nv = realloc(*v, *cap * sizeof(**v))))
			return -1;
		*v = nv;
	}
	(*v)[(*n)++] = t;
	return 0;
}

void agent_programming_note(struct agent_programming *p,
			    const struct k8s_store *st, const char *ns,
			    const char *name)
{
	char key[512];
	double t = newest_stamp(st, ns, name), *last;

	if (snprintf(key, sizeof(key), "%s/%s", ns, name) >= (int)sizeof(key))
		return;
	if (t < 0) {
		/* No stamp (or no slices left): forget the Service. */
		free(strmap_del(&p->last, key));
		return;
	}
	last = strmap_get(&p->last, key);
	if (last && *last >= t)
		return;
	if (!last) {
		if (!(last = malloc(sizeof(*last))))
			return;
		if (strmap_put(&p->last, key, last)) {
			free(last);
			return;
		}
	}
	*last = t;
	push(&p->pending, &p->npending, &p->cap_pending, t);
}

void agent_programming_batch_start(struct agent_programming *p)
{
	size_t i;

	/* Stamps of a batch that never completed stay for the next one. */
	for (i = 0; i < p->npending; i++)
		if (push(&p->inflight, &p->ninflight, &p->cap_inflight,
			 p->pending[i]))
			break;
	p->npending = 0;
}

void agent_programming_batch_done(struct agent_programming *p, double now)
{
	size_t i;

	for (i = 0; i < p->ninflight; i++) {
		if (p->observe)
			p->observe(p->arg, now - p->inflight[i]);
	}
	p->ninflight = 0;
}
