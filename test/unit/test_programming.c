/*
 * test/unit/test_programming.c - agent/programming.c (network programming
 * latency from the slices' trigger-time stamps) and agent/node_primary.c
 * (the Node's primary IPs for --nodeport-addresses primary).
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "agent/node_primary.h"
#include "agent/programming.h"
#include "k8s/decode.h"
#include "k8s/store.h"
#include "suites.h"

/* --- RFC 3339 ------------------------------------------------------------ */

START_TEST(parse_times)
{
	/* 2026-11-21T22:10:01Z is 1795299001 s after the epoch. */
	ck_assert(agent_programming_parse_time("2026-11-21T22:10:01Z") == 1795299001.0);
	ck_assert(fabs(agent_programming_parse_time("2026-11-21T22:10:01.25Z") -
		       1795299001.25) < 1e-6);
	ck_assert(fabs(agent_programming_parse_time(
			       "2026-11-21T22:10:01.123456789Z") -
		       1795299001.123456789) < 1e-6);
	ck_assert(agent_programming_parse_time("2026-11-21T23:10:01+01:00") ==
		  1795299001.0);
	ck_assert(agent_programming_parse_time("2026-11-21T20:40:01-01:30") ==
		  1795299001.0);
	ck_assert(agent_programming_parse_time(NULL) == -1);
	ck_assert(agent_programming_parse_time("") == -1);
	ck_assert(agent_programming_parse_time("yesterday") == -1);
	ck_assert(agent_programming_parse_time("2026-11-21T22:10:01") == -1);
	ck_assert(agent_programming_parse_time("2026-11-21T22:10:01Zjunk") == -1);
	ck_assert(agent_programming_parse_time("2026-11-21 22:10:01Z") == -1);
	ck_assert(agent_programming_parse_time("2026-11-21T22:10:01+0100") == -1);
}
END_TEST

/* --- notes and batches ----------------------------------------------------- */

static int put_slice(void *arg, struct k8s_endpointslice *e)
{
	return k8s_store_put_slice(arg, e);
}

/* Put slice @name of Service web, stamped @stamp (NULL: none). */
static void slice(struct k8s_store *st, const char *name, const char *stamp)
{
	static const struct k8s_list_cb proto = { .slice = put_slice };
	struct k8s_list_cb cb = proto;
	char text[1024], ann[256] = "";

	if (stamp)
		snprintf(ann, sizeof(ann), ", \"annotations\": {\"%s\": \"%s\"}",
			 AGENT_TRIGGER_ANNOTATION, stamp);
	snprintf(text, sizeof(text),
		 "{\"kind\": \"EndpointSlice\", \"apiVersion\": \"discovery.k8s.io/v1\","
		 " \"metadata\": {\"namespace\": \"ns\", \"name\": \"%s\", \"labels\":"
		 " {\"kubernetes.io/service-name\": \"web\"}%s},"
		 " \"addressType\": \"IPv4\", \"endpoints\": null, \"ports\": null}",
		 name, ann);
	cb.arg = st;
	ck_assert_int_eq(k8s_decode_list(text, strlen(text), &cb, NULL, NULL, 0), 1);
}

static double seen[16];
static size_t nseen;

static void observe(void *arg, double s)
{
	(void)arg;
	ck_assert_uint_lt(nseen, 16);
	seen[nseen++] = s;
}

START_TEST(note_newest_once)
{
	struct k8s_store *st = k8s_store_new();
	struct agent_programming p;
	double t0 = 1795299001.0;

	agent_programming_init(&p);
	p.observe = observe;
	nseen = 0;
	slice(st, "web-a", "2026-11-21T22:10:01Z");
	slice(st, "web-b", "2026-11-21T22:10:00Z");
	agent_programming_note(&p, st, "ns", "web");
	/* Noted again with nothing newer: not counted twice. */
	agent_programming_note(&p, st, "ns", "web");
	/* A Service without stamps is not counted at all. */
	agent_programming_note(&p, st, "ns", "other");
	agent_programming_batch_start(&p);
	/* Noted while the batch is in flight: goes with the next one. */
	slice(st, "web-b", "2026-11-21T22:10:02.5Z");
	agent_programming_note(&p, st, "ns", "web");
	agent_programming_batch_done(&p, t0 + 0.004);
	ck_assert_uint_eq(nseen, 1);
	ck_assert(fabs(seen[0] - 0.004) < 1e-6);
	agent_programming_batch_start(&p);
	agent_programming_batch_done(&p, t0 + 1.5 + 0.002);
	ck_assert_uint_eq(nseen, 2);
	ck_assert(fabs(seen[1] - 0.002) < 1e-6);
	/* An empty batch observes nothing. */
	agent_programming_batch_start(&p);
	agent_programming_batch_done(&p, t0 + 9);
	ck_assert_uint_eq(nseen, 2);
	agent_programming_fini(&p);
	k8s_store_free(st);
}
END_TEST

START_TEST(note_forgets_gone_services)
{
	struct k8s_store *st = k8s_store_new();
	struct agent_programming p;

	agent_programming_init(&p);
	p.observe = observe;
	nseen = 0;
	slice(st, "web-a", "2026-11-21T22:10:01Z");
	agent_programming_note(&p, st, "ns", "web");
	ck_assert_int_eq(k8s_store_del_slice(st, "ns", "web-a"), 0);
	agent_programming_note(&p, st, "ns", "web");
	/* Back with the same stamp: a new Service, counted again. */
	slice(st, "web-a", "2026-11-21T22:10:01Z");
	agent_programming_note(&p, st, "ns", "web");
	agent_programming_batch_start(&p);
	agent_programming_batch_done(&p, 1795299002.0);
	ck_assert_uint_eq(nseen, 2);
	agent_programming_fini(&p);
	k8s_store_free(st);
}
END_TEST

/* --- the Node's primary IPs ------------------------------------------------- */

/* Decode a Node with status.addresses @addrs (a JSON array's inside). */
static void node(struct k8s_node *n, const char *addrs)
{
	char text[1024];
	cJSON *j;

	snprintf(text, sizeof(text),
		 "{\"kind\": \"Node\", \"metadata\": {\"name\": \"n1\"},"
		 " \"status\": {\"addresses\": [%s]}}", addrs);
	ck_assert_ptr_nonnull(j = cJSON_Parse(text));
	ck_assert_int_eq(k8s_decode_node(j, n, NULL), 0);
	cJSON_Delete(j);
}

static const char *cidr_str(const struct nl_addr_cidr *c, char *buf)
{
	inet_ntop(c->family, &c->addr, buf, INET6_ADDRSTRLEN);
	snprintf(buf + strlen(buf), 8, "/%u", c->prefixlen);
	return buf;
}

static const struct {
	const char *addrs;
	const char *want[2];
} primary_cases[] = {
	{ "", { NULL } },
	{ "{\"type\": \"Hostname\", \"address\": \"n1\"}", { NULL } },
	{ "{\"type\": \"InternalIP\", \"address\": \"10.0.0.5\"}", { "10.0.0.5/32" } },
	/* InternalIP before ExternalIP, whatever the order. */
	{ "{\"type\": \"ExternalIP\", \"address\": \"203.0.113.9\"},"
	  "{\"type\": \"InternalIP\", \"address\": \"10.0.0.5\"},"
	  "{\"type\": \"InternalIP\", \"address\": \"10.0.0.6\"}",
	  { "10.0.0.5/32" } },
	{ "{\"type\": \"ExternalIP\", \"address\": \"203.0.113.9\"}",
	  { "203.0.113.9/32" } },
	/* Dual-stack: the first of the other family too. */
	{ "{\"type\": \"InternalIP\", \"address\": \"10.0.0.5\"},"
	  "{\"type\": \"InternalIP\", \"address\": \"fd00::5\"},"
	  "{\"type\": \"InternalIP\", \"address\": \"fd00::6\"}",
	  { "10.0.0.5/32", "fd00::5/128" } },
	{ "{\"type\": \"InternalIP\", \"address\": \"fd00::5\"},"
	  "{\"type\": \"ExternalIP\", \"address\": \"203.0.113.9\"}",
	  { "fd00::5/128", "203.0.113.9/32" } },
	/* Garbage is skipped. */
	{ "{\"type\": \"InternalIP\", \"address\": \"10.0.0.0/8\"},"
	  "{\"type\": \"InternalIP\", \"address\": \"10.0.0.7\"}",
	  { "10.0.0.7/32" } },
};

START_TEST(primary_ips)
{
	struct nl_addr_cidr out[2];
	struct k8s_node n;
	char buf[INET6_ADDRSTRLEN + 8];
	size_t k, want = 0;

	node(&n, primary_cases[_i].addrs);
	while (want < 2 && primary_cases[_i].want[want])
		want++;
	k = agent_node_primary(&n, out, 2);
	ck_assert_uint_eq(k, want);
	for (size_t i = 0; i < k; i++)
		ck_assert_str_eq(cidr_str(&out[i], buf), primary_cases[_i].want[i]);
	/* Room for one: the first only. */
	if (want)
		ck_assert_uint_eq(agent_node_primary(&n, out, 1), 1);
	k8s_node_fini(&n);
}
END_TEST

START_TEST(primary_no_node)
{
	struct nl_addr_cidr out[2];

	ck_assert_uint_eq(agent_node_primary(NULL, out, 2), 0);
}
END_TEST

Suite *programming_suite(void)
{
	Suite *s = suite_create("programming");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parse_times);
	tcase_add_test(tc, note_newest_once);
	tcase_add_test(tc, note_forgets_gone_services);
	tcase_add_loop_test(tc, primary_ips, 0,
			    sizeof(primary_cases) / sizeof(primary_cases[0]));
	tcase_add_test(tc, primary_no_node);
	suite_add_tcase(s, tc);
	return s;
}
