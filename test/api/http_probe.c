/*
 * test/api/http_probe.c - k8s/http.h against a real server, for
 * test/api/test_http.py.
 *
 *   http_probe [--kubeconfig F] [--master URL] [--timeout-ms N]
 *              [--parallel] [--retry-401] [--save PREFIX]
 *              [--abort-after-bytes N] [--cancel-in-data-after-bytes N]
 *              [--free-after-bytes N] [--cancel-after-ms N]
 *              [--cancel-others-in-done] [--deadline-ms N]
 *              [--wait-stdin] PATH...
 *
 * GETs every PATH, one after the other (the next started from the last
 * one's done()) or all at once (--parallel), and prints one line per
 * request:
 *
 *   req=0 attempt=0 path=/api/v1/services status=200 curl=0 bytes=1234
 *   chunks=5 first_data_ms=3.1 end_ms=4.0 wire=1234 retry_after=-1
 *   error="" body_len=0 body=""
 *
 * or "req=N ... cancelled" for one cancelled.  A 10 ms ev_timer counts
 * ticks, to show that the loop runs during transfers; the last line is
 * "ticks=N elapsed_ms=T requests=R failures=F status_401=U".
 *
 *   --retry-401        after a 401, GET the same path once more (the
 *                      client re-read the token before done())
 *   --save PREFIX      write request N's 2xx body to PREFIXN
 *   --abort-after-bytes N       data() returns non-zero after N bytes
 *   --cancel-in-data-after-bytes N  data() cancels its own request
 *   --free-after-bytes N        data() frees the whole client
 *   --cancel-after-ms N         cancel whatever runs after N ms
 *   --cancel-others-in-done     the first done() cancels all the others
 *   --wait-stdin       print "ready" once the configuration is loaded and
 *                      wait for a line on stdin (the test rotates a token)
 *
 * Exit status: 0 when every request ended (done or cancelled), 1 on a
 * usage or configuration error, 2 when --deadline-ms (default 30 s) hit.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/version.h"
#include "k8s/config.h"
#include "k8s/http.h"

struct probe;

struct probe_req {
	struct probe *p;
	int idx;
	int attempt;
	const char *path;
	struct k8s_http_req *r;  /* NULL when not running */
	size_t bytes;            /* 2xx body bytes seen by data() */
	unsigned int chunks;     /* data() calls */
	double t_start, t_first; /* ms since the probe began; t_first < 0:
				    nothing yet */
	FILE *save;
};

struct probe {
	struct ev_loop *loop;
	struct k8s_config cfg;
	struct k8s_http *h;
	struct probe_req *reqs;
	int n, next, running;
	long timeout_ms;
	long abort_after, cancel_in_data_after, free_after;
	long cancel_after_ms, deadline_ms;
	int parallel, retry_401, wait_stdin, deadline_hit;
	int cancel_others;
	const char *save_prefix;
	ev_timer tick, cancel, deadline;
	unsigned long ticks;
	struct timespec t0;
};

static double probe_ms(const struct probe *p)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - p->t0.tv_sec) * 1e3 +
	       (now.tv_nsec - p->t0.tv_nsec) / 1e6;
}

/* JSON string escaping, so the test can json.loads() what is quoted. */
static void probe_quote(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void probe_start(struct probe *p, struct probe_req *q);
static void probe_cancel_all(struct probe *p, struct probe_req *keep);

/* One request is over (done, cancelled or never started). */
static void probe_over(struct probe *p, struct probe_req *q)
{
	q->r = NULL;
	if (q->save) {
		fclose(q->save);
		q->save = NULL;
	}
	p->running--;
	if (!p->parallel && p->next < p->n)
		probe_start(p, &p->reqs[p->next++]);
	if (p->running == 0 && p->next >= p->n)
		ev_break(p->loop, EVBREAK_ALL);
}

static void probe_print_head(const struct probe_req *q)
{
	printf("req=%d attempt=%d path=%s", q->idx, q->attempt, q->path);
}

static void probe_print_cancelled(struct probe *p, struct probe_req *q)
{
	probe_print_head(q);
	printf(" cancelled bytes=%zu chunks=%u first_data_ms=%.1f"
	       " end_ms=%.1f\n",
	       q->bytes, q->chunks, q->t_first, probe_ms(p) - q->t_start);
	fflush(stdout);
}

static int probe_data(void *arg, const char *buf, size_t len)
{
	struct probe_req *q = arg;
	struct probe *p = q->p;

	if (!q->chunks)
		q->t_first = probe_ms(p) - q->t_start;
	q->chunks++;
	q->bytes += len;
	if (q->save && fwrite(buf, 1, len, q->save) != len)
		return 1;
	if (p->abort_after > 0 && q->bytes >= (size_t)p->abort_after)
		return 1;
	if (p->cancel_in_data_after > 0 &&
	    q->bytes >= (size_t)p->cancel_in_data_after) {
		k8s_http_cancel(q->r);
		probe_print_cancelled(p, q);
		probe_over(p, q);
	} else if (p->free_after > 0 && q->bytes >= (size_t)p->free_after) {
		printf("freed in data of req=%d\n", q->idx);
		k8s_http_free(p->h);
		p->h = NULL;
		ev_break(p->loop, EVBREAK_ALL);
	}
	return 0;
}

static void probe_done(void *arg, const struct k8s_http_result *res)
{
	struct probe_req *q = arg;
	struct probe *p = q->p;

	probe_print_head(q);
	printf(" status=%d curl=%d bytes=%zu chunks=%u first_data_ms=%.1f end_ms=%.1f wire=%llu retry_after=%g error=",
	       res->status, res->curl_code, q->bytes, q->chunks, q->t_first,
	       probe_ms(p) - q->t_start, res->wire_len, res->retry_after);
	probe_quote(res->error, strlen(res->error));
	printf(" body_len=%zu body=", res->body_len);
	probe_quote(res->body, res->body_len);
	putchar('\n');
	fflush(stdout);
	if (p->cancel_others) {
		p->cancel_others = 0;
		probe_cancel_all(p, q);   /* from inside done(): at once */
	}
	if (p->retry_401 && res->status == 401 && q->attempt == 0) {
		q->attempt++;
		p->running--;
		probe_start(p, q);   /* from inside done(): allowed */
		return;
	}
	probe_over(p, q);
}

static void probe_start(struct probe *p, struct probe_req *q)
{
	struct k8s_http_cb cb = { probe_data, probe_done, q };
	char name[4096];

	q->bytes = 0;
	q->chunks = 0;
	q->t_first = -1;
	q->t_start = probe_ms(p);
	p->running++;
	if (p->save_prefix && !q->save) {
		snprintf(name, sizeof(name), "%s%d", p->save_prefix, q->idx);
		q->save = fopen(name, "w");
	}
	q->r = k8s_http_get(p->h, q->path, p->timeout_ms, &cb);
	if (!q->r) {
		probe_print_head(q);
		printf(" start-failed\n");
		probe_over(p, q);
	}
}

static void probe_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct probe *p = w->data;

	(void)loop;
	(void)revents;
	p->ticks++;
}

/* Cancel every running request but @keep; start nothing more. */
static void probe_cancel_all(struct probe *p, struct probe_req *keep)
{
	p->next = p->n;
	for (int i = 0; i < p->n; i++) {
		struct probe_req *q = &p->reqs[i];

		if (!q->r || q == keep)
			continue;
		k8s_http_cancel(q->r);
		probe_print_cancelled(p, q);
		probe_over(p, q);
	}
}

static void probe_cancel_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	probe_cancel_all(w->data, NULL);
}

static void probe_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct probe *p = w->data;

	(void)revents;
	printf("deadline hit after %.1f ms\n", probe_ms(p));
	p->deadline_hit = 1;
	ev_break(loop, EVBREAK_ALL);
}

static void probe_usage(void)
{
	fprintf(stderr, "usage: http_probe [--kubeconfig F] [--master URL] [--timeout-ms N] [--parallel] [--retry-401] [--save PREFIX] [--abort-after-bytes N] [--cancel-in-data-after-bytes N] [--free-after-bytes N] [--cancel-after-ms N] [--cancel-others-in-done] [--deadline-ms N] [--wait-stdin] PATH...\n");
	exit(1);
}

static void probe_args(struct probe *p, int argc, char **argv,
		       const char **kubeconfig, const char **master)
{
	static const struct option opts[] = {
		{ "kubeconfig", 1, NULL, 'k' }, { "master", 1, NULL, 'm' },
		{ "timeout-ms", 1, NULL, 't' }, { "parallel", 0, NULL, 'p' },
		{ "retry-401", 0, NULL, 'r' }, { "save", 1, NULL, 's' },
		{ "abort-after-bytes", 1, NULL, 'a' },
		{ "cancel-in-data-after-bytes", 1, NULL, 'C' },
		{ "free-after-bytes", 1, NULL, 'F' },
		{ "cancel-after-ms", 1, NULL, 'c' },
		{ "cancel-others-in-done", 0, NULL, 'o' },
		{ "deadline-ms", 1, NULL, 'd' }, { "wait-stdin", 0, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	p->timeout_ms = 10000;
	p->deadline_ms = 30000;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': *kubeconfig = optarg; break;
		case 'm': *master = optarg; break;
		case 't': p->timeout_ms = atol(optarg); break;
		case 'p': p->parallel = 1; break;
		case 'r': p->retry_401 = 1; break;
		case 's': p->save_prefix = optarg; break;
		case 'a': p->abort_after = atol(optarg); break;
		case 'C': p->cancel_in_data_after = atol(optarg); break;
		case 'F': p->free_after = atol(optarg); break;
		case 'c': p->cancel_after_ms = atol(optarg); break;
		case 'o': p->cancel_others = 1; break;
		case 'd': p->deadline_ms = atol(optarg); break;
		case 'w': p->wait_stdin = 1; break;
		default: probe_usage();
		}
	}
	if (optind >= argc)
		probe_usage();
}

static void probe_timers(struct probe *p)
{
	ev_timer_init(&p->tick, probe_tick_cb, 0.01, 0.01);
	p->tick.data = p;
	ev_timer_start(p->loop, &p->tick);
	ev_timer_init(&p->deadline, probe_deadline_cb, p->deadline_ms / 1e3,
		      0.);
	p->deadline.data = p;
	ev_timer_start(p->loop, &p->deadline);
	ev_timer_init(&p->cancel, probe_cancel_cb, p->cancel_after_ms / 1e3,
		      0.);
	p->cancel.data = p;
	if (p->cancel_after_ms > 0)
		ev_timer_start(p->loop, &p->cancel);
}

static void probe_run(struct probe *p)
{
	int first = p->parallel ? p->n : 1;

	probe_timers(p);
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
	for (p->next = 0; p->next < first;)
		probe_start(p, &p->reqs[p->next++]);
	if (p->running || p->next < p->n)
		ev_run(p->loop, 0);
	printf("ticks=%lu elapsed_ms=%.1f", p->ticks, probe_ms(p));
	if (p->h)
		printf(" requests=%lu failures=%lu status_401=%lu"
		       " token_errors=%lu",
		       k8s_http_stats(p->h)->requests,
		       k8s_http_stats(p->h)->failures,
		       k8s_http_stats(p->h)->status_401,
		       k8s_http_stats(p->h)->token_errors);
	putchar('\n');
	ev_timer_stop(p->loop, &p->tick);
	ev_timer_stop(p->loop, &p->deadline);
	ev_timer_stop(p->loop, &p->cancel);
}

static int probe_setup(struct probe *p, int argc, char **argv)
{
	const char *kubeconfig = NULL, *master = NULL;
	char err[512], line[64];

	probe_args(p, argc, argv, &kubeconfig, &master);
	/* As the agent sets it (agent/source_api.c). */
	p->cfg.user_agent = "ipvsagent/" IPVSAGENT_VERSION;
	if (k8s_config_load(&p->cfg, kubeconfig, master, err, sizeof(err))) {
		fprintf(stderr, "http_probe: %s\n", err);
		return -1;
	}
	if (p->wait_stdin) {
		printf("ready\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return -1;
	}
	p->n = argc - optind;
	p->reqs = calloc(p->n, sizeof(*p->reqs));
	for (int i = 0; p->reqs && i < p->n; i++) {
		p->reqs[i].p = p;
		p->reqs[i].idx = i;
		p->reqs[i].path = argv[optind + i];
	}
	p->loop = ev_loop_new(EVFLAG_AUTO);
	if (p->reqs && p->loop)
		p->h = k8s_http_new(p->loop, &p->cfg, err, sizeof(err));
	if (!p->h)
		fprintf(stderr, "http_probe: %s\n",
			p->reqs ? err : "no memory");
	return p->h ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct probe p;
	int ret = 1;

	memset(&p, 0, sizeof(p));
	if (probe_setup(&p, argc, argv) == 0) {
		probe_run(&p);
		ret = p.deadline_hit ? 2 : 0;
	}
	k8s_http_free(p.h);
	for (int i = 0; p.reqs && i < p.n; i++)
		if (p.reqs[i].save)
			fclose(p.reqs[i].save);
	free(p.reqs);
	if (p.loop)
		ev_loop_destroy(p.loop);
	k8s_config_fini(&p.cfg);
	fflush(stdout);
	return ret;
}
