/*
 * agent/metrics.h - a small Prometheus registry: counters, gauges and
 * histograms with labels, and the text exposition format (version 0.0.4)
 * that Prometheus scrapes.
 *
 * Two ways to have samples:
 *  - stored series, changed where things happen (a histogram observation
 *    per sync, a counter per health probe): agent_metrics_with() finds or
 *    makes the series for some label values;
 *  - a collector, called at exposition time, that emits samples from
 *    counters kept elsewhere (the sync's statistics, /proc): nothing is
 *    paid on the hot path, the scrape reads what is already counted.
 *
 * The exposition follows what client_golang writes, so promtool and
 * dashboards see the same text as from kube-proxy: HELP then TYPE per
 * family, label pairs sorted by name (a histogram's "le" last), values
 * escaped (\\, \", \n), HELP escaped (\\, \n), stored series sorted by
 * their label values, families without samples left out.
 *
 * Costs: finding a stored series is a linear scan of the family's series
 * (families with stored series have a handful); an observation is a
 * binary search in the buckets.  Exposition is linear in the samples.
 * Not thread-safe: the loop's thread owns the registry.
 */
#ifndef AGENT_METRICS_H
#define AGENT_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define AGENT_METRICS_MAX_LABELS 8

enum agent_metric_type {
	AGENT_METRIC_COUNTER,
	AGENT_METRIC_GAUGE,
	AGENT_METRIC_HISTOGRAM,
};

struct agent_metrics;
struct agent_metrics_family;
struct agent_metrics_series;
/* Where a collector writes its samples (see agent_metrics_emit). */
struct agent_metrics_out;

/* Called at exposition; emits the family's samples.  May emit none. */
typedef void (*agent_metrics_collect_fn)(struct agent_metrics_out *out,
					 void *arg);

struct agent_metrics *agent_metrics_new(void);
/* Frees every family and series; NULL is fine. */
void agent_metrics_free(struct agent_metrics *m);

/*
 * Register a family.  @labels is a comma-separated list of label names
 * ("ip_family,traffic_policy"), "" or NULL for none; the order given is
 * the order of the values passed to agent_metrics_with() and
 * agent_metrics_emit().  @name, @help and @labels are not copied (string
 * literals).  Families are exposed in registration order.  NULL when a
 * name is not a valid metric or label name (a programming error) or out
 * of memory.
 */
struct agent_metrics_family *agent_metrics_add(struct agent_metrics *m,
					       const char *name,
					       const char *help,
					       enum agent_metric_type type,
					       const char *labels);
/* A histogram: @buckets are the upper bounds, increasing, without +Inf
 * (copied). */
struct agent_metrics_family *agent_metrics_add_histogram(
	struct agent_metrics *m, const char *name, const char *help,
	const char *labels, const double *buckets, size_t nbuckets);
/* Collector for @f (counter or gauge families). */
void agent_metrics_set_collector(struct agent_metrics_family *f,
				 agent_metrics_collect_fn fn, void *arg);

/* The stored series for these label values (one const char * per label
 * name, in the family's order), made at zero if new.  NULL when out of
 * memory; the calls below accept NULL and do nothing. */
struct agent_metrics_series *agent_metrics_with(struct agent_metrics_family *f,
						...);
struct agent_metrics_series *agent_metrics_with_v(
	struct agent_metrics_family *f, const char *const *values);

void agent_metrics_inc(struct agent_metrics_series *s, double delta);
void agent_metrics_set(struct agent_metrics_series *s, double v);
void agent_metrics_observe(struct agent_metrics_series *s, double v);

/* A histogram series' totals, for tests and status. */
uint64_t agent_metrics_hist_count(const struct agent_metrics_series *s);
double agent_metrics_value(const struct agent_metrics_series *s);

/* From a collector: one sample with @values (the family's label count;
 * NULL when it has none). */
void agent_metrics_emit(struct agent_metrics_out *out,
			const char *const *values, double v);

/* Write every family in the text format to @b. */
void agent_metrics_expose(struct agent_metrics *m, struct agent_buf *b);

/* The text format's Content-Type. */
#define AGENT_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Buckets as client_golang's ExponentialBuckets(start, factor, n) and
 * LinearBuckets(start, width, n); @out has room for @n. */
void agent_metrics_exp_buckets(double *out, double start, double factor,
			       size_t n);
void agent_metrics_lin_buckets(double *out, double start, double width,
			       size_t n);

#endif
