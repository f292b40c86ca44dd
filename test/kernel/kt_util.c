/*
 * test/kernel/kt_util.c - running ipvsadm and comparing its view with ours.
 */
#include "kt.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipvs/parse.h"

void kt_run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	ck_assert_msg(r == 0, "command failed (%d): %s", r, cmd);
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_add(struct kt_lines *l, size_t *cap, const char *s)
{
	if (l->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		l->v = realloc(l->v, *cap * sizeof(*l->v));
		ck_assert_ptr_nonnull(l->v);
	}
	l->v[l->n++] = strdup(s);
}

void kt_capture(struct kt_lines *out, const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char buf[512];
	size_t cap = 0;

	ck_assert_msg(p != NULL, "popen %s", cmd);
	memset(out, 0, sizeof(*out));
	while (fgets(buf, sizeof(buf), p)) {
		buf[strcspn(buf, "\n")] = '\0';
		lines_add(out, &cap, buf);
	}
	ck_assert_int_eq(pclose(p), 0);
	qsort(out->v, out->n, sizeof(*out->v), cmpstr);
}

void kt_lines_free(struct kt_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void kt_dump_lines(struct nl_ipvs *nl, struct kt_lines *out)
{
	struct ipvs_table t;
	char line[IPVS_FMT_MAX];
	size_t cap = 0, i, j;

	ipvs_table_init(&t);
	ck_assert_msg(nl_ipvs_dump(nl, &t) == 0, "dump: %s",
		      nl_ipvs_last_error(nl));
	memset(out, 0, sizeof(*out));
	for (i = 0; i < t.nsvcs; i++) {
		lines_add(out, &cap, ipvs_service_fmt(&t.svcs[i].conf, line,
						      sizeof(line)));
		for (j = 0; j < t.svcs[i].ndests; j++)
			lines_add(out, &cap,
				  ipvs_dest_fmt(&t.svcs[i].conf,
						&t.svcs[i].dests[j].conf, line,
						sizeof(line)));
	}
	ipvs_table_fini(&t);
	qsort(out->v, out->n, sizeof(*out->v), cmpstr);
}

void kt_assert_same(const struct kt_lines *ours, const struct kt_lines *theirs)
{
	size_t i;

	for (i = 0; i < ours->n && i < theirs->n; i++)
		ck_assert_msg(strcmp(ours->v[i], theirs->v[i]) == 0,
			      "line %zu differs:\n  ours:    %s\n  ipvsadm: %s", i,
			      ours->v[i], theirs->v[i]);
	ck_assert_msg(ours->n == theirs->n, "ours has %zu lines, ipvsadm %zu%s%s",
		      ours->n, theirs->n, i < ours->n ? "; extra: " :
		      i < theirs->n ? "; missing: " : "",
		      i < ours->n ? ours->v[i] : i < theirs->n ? theirs->v[i] : "");
}

struct nl_ipvs *kt_open_clean(void)
{
	struct nl_ipvs *nl;

	kt_run("ipvsadm -C");
	ck_assert_int_eq(nl_ipvs_open(&nl), 0);
	return nl;
}

void kt_op(struct ipvs_op *op, const char *line)
{
	char why[128];

	ck_assert_msg(ipvs_op_parse(line, op, why, sizeof(why)) == 1,
		      "parse '%s': %s", line, why);
}
