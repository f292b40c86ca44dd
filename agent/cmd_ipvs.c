/*
 * agent/cmd_ipvs.c - save and restore in ipvsadm's notation.
 */
#include "cmd_ipvs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipvs/parse.h"
#include "netlink/nl_ipvs.h"

static struct nl_ipvs *open_or_complain(void)
{
	struct nl_ipvs *nl;
	int r = nl_ipvs_open(&nl);

	if (r) {
		fprintf(stderr, "ipvsagent: cannot talk to IPVS: %s%s\n",
			strerror(-r), r == -ENOENT ? " (is ip_vs loaded?)" : "");
		return NULL;
	}
	return nl;
}

int cmd_ipvs_save(FILE *out)
{
	struct nl_ipvs *nl = open_or_complain();
	struct ipvs_table t;
	char line[IPVS_FMT_MAX], key[IPVS_FMT_MAX];
	size_t i, j;
	int r;

	if (!nl)
		return 1;
	ipvs_table_init(&t);
	r = nl_ipvs_dump(nl, &t);
	if (r) {
		fprintf(stderr, "ipvsagent: %s\n", nl_ipvs_last_error(nl));
		goto out;
	}
	ipvs_table_sort(&t);
	/* 110,000 lines: big writes, and each service key formatted once. */
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	for (i = 0; i < t.nsvcs; i++) {
		fprintf(out, "%s\n", ipvs_service_fmt(&t.svcs[i].conf, line,
						      sizeof(line)));
		ipvs_service_key_fmt(&t.svcs[i].conf.key, key, sizeof(key));
		for (j = 0; j < t.svcs[i].ndests; j++)
			fprintf(out, "%s\n",
				ipvs_dest_fmt_key(key, &t.svcs[i].dests[j].conf,
						  line, sizeof(line)));
	}
out:
	ipvs_table_fini(&t);
	nl_ipvs_close(nl);
	return r ? 1 : 0;
}

/* Rule lines to ops; a line that does not parse is reported and skipped. */
static struct ipvs_op *read_ops(FILE *in, FILE *err, size_t *n, size_t **lines,
				int *bad)
{
	struct ipvs_op *ops = NULL, *p;
	size_t cap = 0, lineno = 0, *lp;
	char buf[1024], why[128];
	int r;

	*n = 0;
	*lines = NULL;
	while (fgets(buf, sizeof(buf), in)) {
		lineno++;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			p = realloc(ops, cap * sizeof(*ops));
			lp = realloc(*lines, cap * sizeof(**lines));
			if (!p || !lp) {
				free(p ? p : ops);
				free(lp ? lp : *lines);
				*lines = NULL;
				return NULL;
			}
			ops = p;
			*lines = lp;
		}
		r = ipvs_op_parse(buf, &ops[*n], why, sizeof(why));
		if (r < 0) {
			fprintf(err, "ipvsagent: line %zu: %s\n", lineno, why);
			(*bad)++;
		} else if (r > 0) {
			(*lines)[(*n)++] = lineno;
		}
	}
	return ops ? ops : calloc(1, sizeof(*ops));
}

int cmd_ipvs_restore(FILE *in, FILE *err)
{
	struct nl_ipvs *nl;
	struct ipvs_op *ops;
	size_t n, i, *lines;
	char msg[IPVS_FMT_MAX + 64];
	int bad = 0, r;

	ops = read_ops(in, err, &n, &lines, &bad);
	if (!ops) {
		fprintf(err, "ipvsagent: out of memory\n");
		return 1;
	}
	if (!(nl = open_or_complain())) {
		free(ops);
		free(lines);
		return 1;
	}
	r = nl_ipvs_apply(nl, ops, n);
	if (r < 0)
		fprintf(err, "ipvsagent: %s\n", nl_ipvs_last_error(nl));
	for (i = 0; i < n; i++)
		if (ops[i].err)
			fprintf(err, "ipvsagent: line %zu: %s\n", lines[i],
				ipvs_op_strerror(&ops[i], msg, sizeof(msg)));
	nl_ipvs_close(nl);
	free(ops);
	free(lines);
	return (r != 0 || bad) ? 1 : 0;
}
