/*
 * agent/metrics.c - the registry and the text exposition format.
 */
#include "metrics.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct agent_metrics_series {
	const struct agent_metrics_family *f;   /* its family (the buckets) */
	char *values[AGENT_METRICS_MAX_LABELS]; /* label values, family order */
	double value;          /* counter or gauge */
	uint64_t *counts;      /* histogram: per bucket, not cumulative */
	uint64_t count;        /* histogram: observations */
	double sum;            /* histogram: their sum */
};

struct agent_metrics_family {
	const char *name;                        /* a literal: not copied */
	const char *help;                        /* a literal: not copied */
	enum agent_metric_type type;
	char *label_buf;                         /* label names, cut at ',' */
	const char *labels[AGENT_METRICS_MAX_LABELS]; /* into label_buf */
	size_t nlabels;                          /* how many labels */
	size_t order[AGENT_METRICS_MAX_LABELS];  /* label indexes by name */
	double *buckets;                         /* histogram upper bounds */
	size_t nbuckets;                         /* how many, +Inf not counted */
	struct agent_metrics_series **series;    /* stored series */
	size_t nseries, cap;                     /* used and allocated */
	agent_metrics_collect_fn collect;        /* or NULL */
	void *collect_arg;
	struct agent_metrics_family *next;       /* registration order */
};

struct agent_metrics {
	struct agent_metrics_family *first, *last;   /* registration order */
};

struct agent_metrics_out {
	struct agent_buf *b;                     /* the exposition */
	const struct agent_metrics_family *f;    /* the family collected */
	int header;                              /* HELP and TYPE are written */
};

/* --- names ----------------------------------------------------------------- */

static int name_ok(const char *s, int colon)
{
	const char *p;

	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || (colon && *p == ':')))
			return 0;
	return 1;
}

/* Cut @labels at the commas into @f, and order them by name. */
static int family_labels(struct agent_metrics_family *f, const char *labels)
{
	char *save = NULL, *tok;
	size_t i, j, t;

	if (!labels || !*labels)
		return 0;
	if (!(f->label_buf = strdup(labels)))
		return -ENOMEM;
	for (tok = strtok_r(f->label_buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (f->nlabels == AGENT_METRICS_MAX_LABELS || !name_ok(tok, 0) ||
		    !strncmp(tok, "__", 2) ||
		    (f->type == AGENT_METRIC_HISTOGRAM && !strcmp(tok, "le")))
			return -EINVAL;
		f->labels[f->nlabels++] = tok;
	}
	for (i = 0; i < f->nlabels; i++)
		f->order[i] = i;
	for (i = 1; i < f->nlabels; i++)   /* insertion sort: a few names */
		for (j = i; j > 0 && strcmp(f->labels[f->order[j - 1]],
					    f->labels[f->order[j]]) > 0; j--) {
			t = f->order[j];
			f->order[j] = f->order[j - 1];
			f->order[j - 1] = t;
		}
	for (i = 1; i < f->nlabels; i++)
		if (!strcmp(f->labels[f->order[i - 1]], f->labels[f->order[i]]))
			return -EINVAL;
	return 0;
}

/* --- registry ------------------------------------------------------------- */

struct agent_metrics *agent_metrics_new(void)
{
	return calloc(1, sizeof(struct agent_metrics));
}

static void series_free(struct agent_metrics_series *s, size_t nlabels)
{
	size_t i;

	for (i = 0; i < nlabels; i++)
		free(s->values[i]);
	free(s->counts);
	free(s);
}

static void family_free(struct agent_metrics_family *f)
{
	size_t i;

	for (i = 0; i < f->nseries; i++)
		series_free(f->series[i], f->nlabels);
	free(f->series);
	free(f->buckets);
	free(f->label_buf);
	free(f);
}

void agent_metrics_free(struct agent_metrics *m)
{
	struct agent_metrics_family *f, *next;

	if (!m)
		return;
	for (f = m->first; f; f = next) {
		next = f->next;
		family_free(f);
	}
	free(m);
}

static struct agent_metrics_family *family_new(const char *name,
					       const char *help,
					       enum agent_metric_type type,
					       const char *labels)
{
	struct agent_metrics_family *f;

	if (!name_ok(name, 1) || !help)
		return NULL;
	if (!(f = calloc(1, sizeof(*f))))
		return NULL;
	f->name = name;
	f->help = help;
	f->type = type;
	if (family_labels(f, labels)) {
		family_free(f);
		return NULL;
	}
	return f;
}

static void append(struct agent_metrics *m, struct agent_metrics_family *f)
{
	if (m->last)
		m->last->next = f;
	else
		m->first = f;
	m->last = f;
}

struct agent_metrics_family *agent_metrics_add(struct agent_metrics *m,
					       const char *name,
					       const char *help,
					       enum agent_metric_type type,
					       const char *labels)
{
	struct agent_metrics_family *f;

	if (type == AGENT_METRIC_HISTOGRAM)
		return NULL;   /* needs buckets */
	if ((f = family_new(name, help, type, labels)))
		append(m, f);
	return f;
}

struct agent_metrics_family *agent_metrics_add_histogram(
	struct agent_metrics *m, const char *name, const char *help,
	const char *labels, const double *buckets, size_t nbuckets)
{
	struct agent_metrics_family *f;
	size_t i;

	for (i = 1; i < nbuckets; i++)
		if (!(buckets[i] > buckets[i - 1]))
			return NULL;
	if (!(f = family_new(name, help, AGENT_METRIC_HISTOGRAM, labels)))
		return NULL;
	f->buckets = malloc((nbuckets ? nbuckets : 1) * sizeof(*buckets));
	if (!f->buckets) {
		family_free(f);
		return NULL;
	}
	memcpy(f->buckets, buckets, nbuckets * sizeof(*buckets));
	f->nbuckets = nbuckets;
	append(m, f);
	return f;
}

void agent_metrics_set_collector(struct agent_metrics_family *f,
				 agent_metrics_collect_fn fn, void *arg)
{
	if (!f)
		return;
	f->collect = fn;
	f->collect_arg = arg;
}

/* --- series --------------------------------------------------------------- */

static struct agent_metrics_series *series_find(struct agent_metrics_family *f,
						const char *const *values)
{
	size_t i, j;

	for (i = 0; i < f->nseries; i++) {
		for (j = 0; j < f->nlabels; j++)
			if (strcmp(f->series[i]->values[j], values[j]))
				break;
		if (j == f->nlabels)
			return f->series[i];
	}
	return NULL;
}

static struct agent_metrics_series *series_new(struct agent_metrics_family *f,
					       const char *const *values)
{
	struct agent_metrics_series *s = calloc(1, sizeof(*s));
	size_t i;

	if (!s)
		return NULL;
	s->f = f;
	for (i = 0; i < f->nlabels; i++)
		if (!(s->values[i] = strdup(values[i] ? values[i] : "")))
			goto bad;
	if (f->type == AGENT_METRIC_HISTOGRAM &&
	    !(s->counts = calloc(f->nbuckets ? f->nbuckets : 1,
				 sizeof(*s->counts))))
		goto bad;
	return s;
bad:
	series_free(s, f->nlabels);
	return NULL;
}

struct agent_metrics_series *agent_metrics_with_v(
	struct agent_metrics_family *f, const char *const *values)
{
	struct agent_metrics_series *s, **v;

	if (!f)
		return NULL;
	if ((s = series_find(f, values)))
		return s;
	if (f->nseries == f->cap) {
		v = realloc(f->series, (f->cap ? f->cap * 2 : 4) * sizeof(*v));
		if (!v)
			return NULL;
		f->series = v;
		f->cap = f->cap ? f->cap * 2 : 4;
	}
	if ((s = series_new(f, values)))
		f->series[f->nseries++] = s;
	return s;
}

struct agent_metrics_series *agent_metrics_with(struct agent_metrics_family *f,
						...)
{
	const char *values[AGENT_METRICS_MAX_LABELS];
	va_list ap;
	size_t i;

	if (!f)
		return NULL;
	va_start(ap, f);
	for (i = 0; i < f->nlabels; i++)
		values[i] = va_arg(ap, const char *);
	va_end(ap);
	return agent_metrics_with_v(f, values);
}

void agent_metrics_inc(struct agent_metrics_series *s, double delta)
{
	if (s)
		s->value += delta;
}

void agent_metrics_set(struct agent_metrics_series *s, double v)
{
	if (s)
		s->value = v;
}

/* Counted in the first bucket whose bound is >= @v (binary search);
 * above every bound it is only in +Inf, which is the total count. */
void agent_metrics_observe(struct agent_metrics_series *s, double v)
{
	size_t lo = 0, hi, mid;

	if (!s || !s->counts)
		return;
	hi = s->f->nbuckets;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (v <= s->f->buckets[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	if (lo < s->f->nbuckets)
		s->counts[lo]++;
	s->count++;
	s->sum += v;
}

uint64_t agent_metrics_hist_count(const struct agent_metrics_series *s)
{
	return s ? s->count : 0;
}

double agent_metrics_value(const struct agent_metrics_series *s)
{
	return s ? (s->counts ? s->sum : s->value) : 0;
}

/* --- exposition ----------------------------------------------------------- */

/* HELP text: backslash and newline escaped. */
static void put_help(struct agent_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			agent_buf_puts(b, "\\\\");
		else if (*s == '\n')
			agent_buf_puts(b, "\\n");
		else
			agent_buf_putc(b, *s);
	}
}

/* A label value: backslash, double quote and newline escaped. */
static void put_value(struct agent_buf *b, const char *s)
{
	const char *run;

	for (run = s; *s; s++) {
		if (*s != '\\' && *s != '"' && *s != '\n')
			continue;
		agent_buf_put(b, run, (size_t)(s - run));
		agent_buf_puts(b, *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : "\\n");
		run = s + 1;
	}
	agent_buf_put(b, run, (size_t)(s - run));
}

static const char *type_name(enum agent_metric_type t)
{
	return t == AGENT_METRIC_COUNTER ? "counter" :
	       t == AGENT_METRIC_GAUGE ? "gauge" : "histogram";
}

static void put_header(struct agent_buf *b, const struct agent_metrics_family *f)
{
	agent_buf_printf(b, "# HELP %s ", f->name);
	put_help(b, f->help);
	agent_buf_printf(b, "\n# TYPE %s %s\n", f->name, type_name(f->type));
}

/* "{a=\"x\",b=\"y\",le=\"0.5\"}": sorted by name, @le last; nothing when
 * there is no label at all. */
static void put_labels(struct agent_buf *b, const struct agent_metrics_family *f,
		       const char *const *values, const char *le)
{
	size_t i, k;

	if (!f->nlabels && !le)
		return;
	agent_buf_putc(b, '{');
	for (i = 0; i < f->nlabels; i++) {
		k = f->order[i];
		agent_buf_printf(b, "%s%s=\"", i ? "," : "", f->labels[k]);
		put_value(b, values && values[k] ? values[k] : "");
		agent_buf_putc(b, '"');
	}
	if (le)
		agent_buf_printf(b, "%sle=\"%s\"", f->nlabels ? "," : "", le);
	agent_buf_putc(b, '}');
}

static void put_sample(struct agent_buf *b, const struct agent_metrics_family *f,
		       const char *suffix, const char *const *values,
		       const char *le, double v)
{
	char num[40];

	agent_buf_puts(b, f->name);
	agent_buf_puts(b, suffix);
	put_labels(b, f, values, le);
	agent_buf_putc(b, ' ');
	agent_buf_puts(b, agent_fmt_double(v, num, sizeof(num)));
	agent_buf_putc(b, '\n');
}

static void put_histogram(struct agent_buf *b,
			  const struct agent_metrics_family *f,
			  const struct agent_metrics_series *s)
{
	const char *const *values = (const char *const *)s->values;
	char le[40];
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i < f->nbuckets; i++) {
		cum += s->counts[i];
		put_sample(b, f, "_bucket", values,
			   agent_fmt_double(f->buckets[i], le, sizeof(le)),
			   (double)cum);
	}
	put_sample(b, f, "_bucket", values, "+Inf", (double)s->count);
	put_sample(b, f, "_sum", values, NULL, s->sum);
	put_sample(b, f, "_count", values, NULL, (double)s->count);
}

/* Series in the order of their label pairs (names sorted), as Go does. */
static int series_cmp(const void *x, const void *y, void *arg)
{
	const struct agent_metrics_series *a = *(const struct agent_metrics_series *const *)x;
	const struct agent_metrics_series *b = *(const struct agent_metrics_series *const *)y;
	const struct agent_metrics_family *f = arg;
	size_t i;
	int c;

	for (i = 0; i < f->nlabels; i++)
		if ((c = strcmp(a->values[f->order[i]], b->values[f->order[i]])))
			return c;
	return 0;
}

void agent_metrics_emit(struct agent_metrics_out *out,
			const char *const *values, double v)
{
	if (!out->header) {
		put_header(out->b, out->f);
		out->header = 1;
	}
	put_sample(out->b, out->f, "", values, NULL, v);
}

static void expose_family(struct agent_buf *b, struct agent_metrics_family *f)
{
	struct agent_metrics_out out = { b, f, 0 };
	size_t i;

	if (f->nseries) {
		qsort_r(f->series, f->nseries, sizeof(*f->series), series_cmp, f);
		put_header(b, f);
		out.header = 1;
	}
	for (i = 0; i < f->nseries; i++) {
		if (f->type == AGENT_METRIC_HISTOGRAM)
			put_histogram(b, f, f->series[i]);
		else
			put_sample(b, f, "", (const char *const *)f->series[i]->values,
				   NULL, f->series[i]->value);
	}
	if (f->collect && f->type != AGENT_METRIC_HISTOGRAM)
		f->collect(&out, f->collect_arg);
}

void agent_metrics_expose(struct agent_metrics *m, struct agent_buf *b)
{
	struct agent_metrics_family *f;

	for (f = m->first; f; f = f->next)
		expose_family(b, f);
}

void agent_metrics_exp_buckets(double *out, double start, double factor,
			       size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, start *= factor)
		out[i] = start;
}

void agent_metrics_lin_buckets(double *out, double start, double width,
			       size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, start += width)
		out[i] = start;
}
