/*
 * agent/status_table.c - the /status document as text: a few summary
 * lines, a kubectl-like table, the latest errors.
 */
#include "status_table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define BOLD "\033[1m"
#define RESET "\033[0m"

/* --- JSON -------------------------------------------------------------------- */

static double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static int jbool(const cJSON *o, const char *k)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

char *agent_status_age(double s, char *out, size_t len)
{
	long t = s < 0 ? 0 : (long)s;

	if (t < 120)
		snprintf(out, len, "%lds", t);
	else if (t < 3600)
		snprintf(out, len, "%ldm%lds", t / 60, t % 60);
	else if (t < 86400)
		snprintf(out, len, "%ldh%ldm", t / 3600, t % 3600 / 60);
	else
		snprintf(out, len, "%ldd%ldh", t / 86400, t % 86400 / 3600);
	return out;
}

/* "3s ago", or "never" for a null time. */
static const char *ago(const cJSON *doc, const cJSON *o, const char *k,
		       char *out, size_t len)
{
	char age[32];

	if (!cJSON_IsNumber(jget(o, k)))
		return "never";
	snprintf(out, len, "%s ago",
		 agent_status_age(jnum(doc, "time") - jnum(o, k), age, sizeof(age)));
	return out;
}

/* --- colour ------------------------------------------------------------------- */

static void paint(FILE *out, int color, const char *c, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void paint(FILE *out, int color, const char *c, const char *fmt, ...)
{
	va_list ap;

	if (color && c)
		fputs(c, out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	if (color && c)
		fputs(RESET, out);
}

/* --- the summary -------------------------------------------------------------- */

static void summary_sync(FILE *out, const cJSON *doc, int color)
{
	const cJSON *s = jget(doc, "sync");
	char a1[48], a2[48], a3[48], age[32];

	if (!jbool(s, "healthy"))
		paint(out, color, RED, "  UNHEALTHY  a change queued %s ago is not "
		      "in the kernel yet (limit %.0fs)\n",
		      agent_status_age(jnum(doc, "time") -
				       jnum(s, "oldestUnappliedChange"), age,
				       sizeof(age)),
		      jnum(s, "timeoutSeconds"));
	if (!jbool(s, "ready"))
		paint(out, color, YELLOW, "  waiting    for the source's first "
		      "complete reading: nothing applied yet\n");
	fprintf(out, "  sync       applied %s (%.1fms), verified %s (dump %.1fms), "
		"changed %s; %.0f pending, %.0f to retry, %.0f refused\n",
		ago(doc, s, "lastApplied", a1, sizeof(a1)),
		jnum(s, "lastSyncDurationSeconds") * 1e3,
		ago(doc, s, "lastVerify", a2, sizeof(a2)),
		jnum(s, "lastVerifyDurationSeconds") * 1e3,
		ago(doc, s, "lastSync", a3, sizeof(a3)), jnum(s, "pendingKeys"),
		jnum(s, "retryKeys"), jnum(s, "operationErrors"));
}

static void summary_source(FILE *out, const cJSON *doc, int color)
{
	const cJSON *src = jget(doc, "source"), *r;
	const char *st, *err;

	if (!strcmp(jstr(src, "kind"), "file")) {
		fprintf(out, "  source     file %s: %.0f reads, ", jstr(src, "path"),
			jnum(src, "reads"));
		paint(out, color, jnum(src, "readErrors") ? YELLOW : NULL,
		      "%.0f failed", jnum(src, "readErrors"));
		fprintf(out, ", %.0f objects rejected\n", jnum(src, "rejected"));
		return;
	}
	fprintf(out, "  source     API server%s\n",
		jbool(src, "ready") ? "" : " (first lists not complete)");
	cJSON_ArrayForEach(r, jget(src, "resources")) {
		st = jstr(r, "state");
		err = jstr(r, "lastError");
		fprintf(out, "    %-15s ", jstr(r, "resource"));
		paint(out, color, !strcmp(st, "watching") ? GREEN : YELLOW, "%-9s", st);
		fprintf(out, " rv %s, %.0f events, %.0f relists, %.0f errors%s",
			*jstr(r, "resourceVersion") ? jstr(r, "resourceVersion") : "-",
			jnum(r, "events"), jnum(r, "relists"), jnum(r, "errors"),
			*err ? "; last: " : "");
		paint(out, color, RED, "%s", err);
		fputc('\n', out);
	}
}

static void summary(FILE *out, const cJSON *doc, int color)
{
	const cJSON *n = jget(doc, "nodeStatus"), *c = jget(doc, "counts");
	int healthy = jbool(doc, "healthy");

	fprintf(out, "ipvsagent %s on node %s: ", jstr(doc, "version"),
		jstr(doc, "node"));
	paint(out, color, healthy ? GREEN BOLD : RED BOLD, "%s",
	      healthy ? "healthy" : "UNHEALTHY");
	fputc('\n', out);
	summary_sync(out, doc, color);
	summary_source(out, doc, color);
	fprintf(out, "  node       %s", jstr(n, "name"));
	if (jbool(n, "eligible"))
		fprintf(out, ": eligible for traffic\n");
	else
		paint(out, color, YELLOW, ": not eligible for traffic (%s)\n",
		      jbool(n, "deleting") ? "being deleted" :
		      jbool(n, "toBeDeleted") ? "ToBeDeletedByClusterAutoscaler" :
		      "Node not seen yet");
	fprintf(out, "  counts     %.0f Services (%.0f programmed), %.0f "
		"EndpointSlices, %.0f virtual servers, %.0f real servers "
		"(%.0f draining), %.0f foreign virtual servers\n",
		jnum(c, "services"), jnum(c, "servicesProgrammed"),
		jnum(c, "endpointSlices"), jnum(c, "virtualServers"),
		jnum(c, "realServers"), jnum(c, "draining"),
		jnum(c, "foreignVirtualServers"));
}

/* --- the table ---------------------------------------------------------------- */

enum { C_NS, C_NAME, C_TYPE, C_VS, C_SCHED, C_RS, C_WEIGHT, C_ACTIVE,
       C_INACTIVE, C_STATE, NCOLS };

static const char *const headers[NCOLS] = {
	"NAMESPACE", "NAME", "TYPE", "VIRTUAL SERVER", "SCHEDULER",
	"REAL SERVER", "WEIGHT", "ACTIVE", "INACTIVE", "STATE",
};

struct row {
	char *cell[NCOLS];          /* malloc'd text, or NULL for "" */
	const char *color[NCOLS];   /* ANSI colour of the cell, or NULL */
};

struct table {
	struct row *v;
	size_t n, cap;
	int oom;                    /* a row could not be added */
};

static struct row *row_new(struct table *t)
{
	struct row *v;

	if (t->n == t->cap) {
		v = realloc(t->v, (t->cap ? t->cap * 2 : 16) * sizeof(*v));
		if (!v) {
			t->oom = 1;
			return NULL;
		}
		t->v = v;
		t->cap = t->cap ? t->cap * 2 : 16;
	}
	memset(&t->v[t->n], 0, sizeof(*t->v));
	return &t->v[t->n++];
}

static void cell(struct row *r, int col, const char *color, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void cell(struct row *r, int col, const char *color, const char *fmt, ...)
{
	va_list ap;

	if (!r)
		return;
	va_start(ap, fmt);
	if (vasprintf(&r->cell[col], fmt, ap) < 0)
		r->cell[col] = NULL;
	va_end(ap);
	r->color[col] = color;
}

/* "TCP 10.96.0.10:80", "UDP [fd00::10]:53". */
static void vs_cell(struct row *r, const cJSON *vs)
{
	const char *vip = jstr(vs, "vip");
	int v6 = strchr(vip, ':') != NULL;
	const char *pn = jstr(vs, "portName");

	cell(r, C_VS, NULL, "%s %s%s%s:%.0f%s%s%s", jstr(vs, "protocol"),
	     v6 ? "[" : "", vip, v6 ? "]" : "", jnum(vs, "port"),
	     *pn ? " (" : "", pn, *pn ? ")" : "");
	if (jnum(vs, "persistenceSeconds") > 0)
		cell(r, C_SCHED, NULL, "%s persistent %.0f", jstr(vs, "scheduler"),
		     jnum(vs, "persistenceSeconds"));
	else
		cell(r, C_SCHED, NULL, "%s", jstr(vs, "scheduler"));
	cell(r, C_TYPE, NULL, "%s", jstr(vs, "kind"));
}

static void rs_cells(struct row *r, const cJSON *rs)
{
	const char *ip = jstr(rs, "ip");
	int v6 = strchr(ip, ':') != NULL, drain = jbool(rs, "draining");

	cell(r, C_RS, NULL, "%s%s%s:%.0f", v6 ? "[" : "", ip, v6 ? "]" : "",
	     jnum(rs, "port"));
	cell(r, C_WEIGHT, drain ? YELLOW : NULL, "%.0f", jnum(rs, "weight"));
	cell(r, C_ACTIVE, NULL, "%.0f", jnum(rs, "activeConns"));
	cell(r, C_INACTIVE, NULL, "%.0f", jnum(rs, "inactiveConns"));
	if (drain)
		cell(r, C_STATE, YELLOW, "draining");
}

/* The rows of one virtual server: one per real server, at least one. */
static void vs_rows(struct table *t, const cJSON *vs, struct row *first)
{
	const cJSON *rs;
	const char *state = jstr(vs, "state");
	struct row *r = first;
	char *old;
	int n = 0;

	vs_cell(r, vs);
	cJSON_ArrayForEach(rs, jget(vs, "realServers")) {
		if (n++ && !(r = row_new(t)))
			return;
		rs_cells(r, rs);
	}
	if (!n)
		cell(first, C_RS, jbool(vs, "localOnly") ? YELLOW : NULL, "%s",
		     jbool(vs, "localOnly") ? "<none: no local endpoint>" : "<none>");
	if (strcmp(state, "applied")) {   /* pending or foreign, first */
		old = first->cell[C_STATE];
		cell(first, C_STATE, RED, "%s%s%s", state, old ? "," : "",
		     old ? old : "");
		free(old);
	}
}

static void service_rows(struct table *t, const cJSON *svc)
{
	const cJSON *vs;
	struct row *r = row_new(t);

	cell(r, C_NS, NULL, "%s", jstr(svc, "namespace"));
	cell(r, C_NAME, NULL, "%s", jstr(svc, "name"));
	if (!cJSON_GetArraySize(jget(svc, "virtualServers")))
		cell(r, C_VS, YELLOW, "<none>");
	cJSON_ArrayForEach(vs, jget(svc, "virtualServers")) {
		if (vs != jget(svc, "virtualServers")->child && !(r = row_new(t)))
			return;
		if (r)
			vs_rows(t, vs, r);
	}
}

static void table_print(FILE *out, const struct table *t, int color)
{
	size_t w[NCOLS], i, c, len, last;
	const char *s;

	for (c = 0; c < NCOLS; c++)
		w[c] = strlen(headers[c]);
	for (i = 0; i < t->n; i++)
		for (c = 0; c < NCOLS; c++)
			if (t->v[i].cell[c] && (len = strlen(t->v[i].cell[c])) > w[c])
				w[c] = len;
	for (c = 0; c < NCOLS; c++)
		if (c + 1 < NCOLS)
			fprintf(out, "%-*s   ", (int)w[c], headers[c]);
		else
			fprintf(out, "%s\n", headers[c]);
	for (i = 0; i < t->n; i++) {
		for (last = NCOLS - 1; last > 0 && !t->v[i].cell[last]; last--)
			;   /* no padding after the last cell: no trailing blanks */
		for (c = 0; c <= last; c++) {
			s = t->v[i].cell[c] ? t->v[i].cell[c] : "";
			paint(out, color, t->v[i].color[c], "%s", s);
			if (c < last)
				fprintf(out, "%*s", (int)(w[c] - strlen(s) + 3), "");
		}
		fputc('\n', out);
	}
}

static void table_free(struct table *t)
{
	size_t i, c;

	for (i = 0; i < t->n; i++)
		for (c = 0; c < NCOLS; c++)
			free(t->v[i].cell[c]);
	free(t->v);
}

static void errors(FILE *out, const cJSON *doc, int color)
{
	const cJSON *e, *list = jget(doc, "errors");
	int n = cJSON_GetArraySize(list), i = 0;
	char age[32];

	if (!n)
		return;
	fprintf(out, "\nRecent warnings and errors (%d):\n", n);
	cJSON_ArrayForEach(e, list) {
		if (i++ < n - 5)   /* the last five */
			continue;
		paint(out, color, !strcmp(jstr(e, "level"), "E") ? RED : YELLOW,
		      "  %s ago  %s\n",
		      agent_status_age(jnum(doc, "time") - jnum(e, "time"), age,
				       sizeof(age)),
		      jstr(e, "message"));
	}
}

int agent_status_render(FILE *out, const cJSON *doc, int color)
{
	struct table t = { NULL, 0, 0, 0 };
	const cJSON *svc;

	if (!cJSON_IsObject(doc) || !cJSON_IsObject(jget(doc, "sync"))) {
		fprintf(out, "not an ipvsagent /status document\n");
		return 1;
	}
	summary(out, doc, color);
	cJSON_ArrayForEach(svc, jget(doc, "services"))
		service_rows(&t, svc);
	fputc('\n', out);
	if (t.n)
		table_print(out, &t, color);
	else
		fprintf(out, "No Services.\n");
	table_free(&t);
	errors(out, doc, color);
	return jbool(doc, "healthy") ? 0 : 1;
}
