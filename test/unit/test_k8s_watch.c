/*
 * test/unit/test_k8s_watch.c - the reflector's pure parts: the newline
 * splitter of watch streams under every chunking, watch event lines as
 * the API server writes them (and broken ones), list pages, and
 * real-shaped Services, EndpointSlices and Nodes going through the same
 * apply path a watch uses into the store (slices of one Service,
 * endpoints moving between slices, equal objects marking nothing).
 *
 * Fixtures are written with ' for " (see jtext()), so they stay readable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture.h"
#include "k8s/decode.h"
#include "k8s/nsmap.h"
#include "k8s/store.h"
#include "k8s/watch_apply.h"
#include "k8s/watch_event.h"
#include "k8s/watch_lines.h"
#include "suites.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* An assertion for hot loops: Check's own record a mark per passing
 * assertion, which costs a write each (thousands of splits below). */
#define CHECK(c)                                                        \
	do {                                                            \
		if (!(c))                                               \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c); \
	} while (0)

/* A copy of @s with every ' turned into " (free it). */
static char *jtext(const char *s)
{
	char *t = strdup(s), *p;

	ck_assert_ptr_nonnull(t);
	for (p = t; *p; p++) {
		if (*p == '\'')
			*p = '"';
	}
	return t;
}

/* ---- the line splitter --------------------------------------------------- */

/* What the splitter handed over: lines joined by '|', and counts. */
struct got {
	char text[4096];
	size_t len;
	int lines;
	int oversized;
	int stop_at;      /* line() returns 7 on this line (1-based); 0: never */
	size_t max_len;   /* the longest line seen */
};

static int got_line(void *arg, const char *line, size_t len)
{
	struct got *g = arg;

	CHECK(len > 0);
	CHECK(!memchr(line, '\n', len));
	CHECK(line[len - 1] != '\r');
	if (g->len + len + 2 < sizeof(g->text)) {
		memcpy(g->text + g->len, line, len);
		g->len += len;
		g->text[g->len++] = '|';
		g->text[g->len] = 0;
	}
	if (len > g->max_len)
		g->max_len = len;
	g->lines++;
	return g->lines == g->stop_at ? 7 : 0;
}

static void got_oversized(void *arg)
{
	((struct got *)arg)->oversized++;
}

/* Feed @s cut at the offsets @cuts (ascending, @ncuts of them), checking
 * the buffer never holds more than the maximum. */
static int feed_cuts(struct k8s_watch_lines *wl, struct got *g, const char *s,
		     size_t len, const size_t *cuts, size_t ncuts)
{
	struct k8s_watch_lines_cb cb = { got_line, got_oversized, g };
	size_t from = 0, i, to;
	int rc;

	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : len;
		rc = k8s_watch_lines_feed(wl, s + from, to - from, &cb);
		CHECK(wl->len <= wl->max);
		if (rc)
			return rc;
		from = to;
	}
	return 0;
}

/* Split @s at @cuts with a fresh splitter of max @max; return what came. */
static struct got split(const char *s, const size_t *cuts, size_t ncuts,
			size_t max)
{
	struct k8s_watch_lines wl;
	struct got g;

	memset(&g, 0, sizeof(g));
	k8s_watch_lines_init(&wl, max);
	CHECK(feed_cuts(&wl, &g, s, strlen(s), cuts, ncuts) == 0);
	k8s_watch_lines_fini(&wl);
	return g;
}

static const char stream[] =
	"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"
	"{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"b\"}}}\r\n"
	"\n"
	"{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"9\"}}}\n"
	"x\n";
static const char stream_lines[] =
	"{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}|"
	"{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"b\"}}}|"
	"{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"9\"}}}|"
	"x|";

START_TEST(lines_whole_stream_in_one_chunk)
{
	struct got g = split(stream, NULL, 0, 1024);

	ck_assert_str_eq(g.text, stream_lines);
	ck_assert_int_eq(g.lines, 4); /* the empty line is skipped */
	ck_assert_int_eq(g.oversized, 0);
}
END_TEST

START_TEST(lines_byte_by_byte)
{
	size_t len = strlen(stream), cuts[512], i;
	struct got g;

	ck_assert_uint_lt(len, NELEM(cuts));
	for (i = 1; i < len; i++)
		cuts[i - 1] = i;
	g = split(stream, cuts, len - 1, 1024);
	ck_assert_str_eq(g.text, stream_lines);
}
END_TEST

/* Every way of cutting the stream in two and in three pieces. */
START_TEST(lines_every_one_and_two_cuts)
{
	size_t len = strlen(stream), cuts[2];
	struct got g;

	for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
		g = split(stream, cuts, 1, 1024);
		CHECK(!strcmp(g.text, stream_lines));
		for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++) {
			g = split(stream, cuts, 2, 1024);
			CHECK(!strcmp(g.text, stream_lines));
		}
	}
}
END_TEST

/* Random chunkings, as fakeapi's random chunk writer makes them. */
START_TEST(lines_random_splits)
{
	size_t len = strlen(stream), cuts[64], n, i;
	uint64_t seed = 42;
	struct got g;
	int round;

	for (round = 0; round < 2000; round++) {
		n = fx_below(&seed, NELEM(cuts));
		for (i = 0; i < n; i++)
			cuts[i] = fx_below(&seed, (uint32_t)len + 1);
		/* ascending */
		for (i = 1; i < n; i++) {
			size_t j = i, t;

			while (j > 0 && cuts[j - 1] > cuts[j]) {
				t = cuts[j];
				cuts[j] = cuts[j - 1];
				cuts[j - 1] = t;
				j--;
			}
		}
		g = split(stream, cuts, n, 1024);
		CHECK(!strcmp(g.text, stream_lines));
	}
}
END_TEST

/* A line over the maximum is skipped (reported once), whatever the
 * chunking, and the next good line is kept. */
START_TEST(lines_overlong_skipped_then_next_kept)
{
	static const char s[] = "short\n0123456789abcdefXYZ\n0123456789abcdef\n"
				"next\n0123456789abcdef\r\nlast\n";
	size_t len = strlen(s), cuts[2];
	struct got g;

	for (cuts[0] = 0; cuts[0] <= len; cuts[0]++) {
		for (cuts[1] = cuts[0]; cuts[1] <= len; cuts[1]++) {
			g = split(s, cuts, 2, 16);
			/* exactly 16 bytes is kept; 17 and 19 are not, nor
			 * 16 + "\r" (the limit counts the "\r") */
			CHECK(!strcmp(g.text, "short|0123456789abcdef|next|last|"));
			CHECK(g.oversized == 2);
			CHECK(g.max_len <= 16);
		}
	}
}
END_TEST

/* An over-long line spread over many chunks is never buffered. */
START_TEST(lines_overlong_over_many_chunks_is_not_buffered)
{
	struct k8s_watch_lines wl;
	struct k8s_watch_lines_cb cb;
	struct got g;
	char chunk[1000];
	int i;

	memset(&g, 0, sizeof(g));
	cb = (struct k8s_watch_lines_cb){ got_line, got_oversized, &g };
	memset(chunk, 'x', sizeof(chunk));
	k8s_watch_lines_init(&wl, 4096);
	ck_assert_int_eq(k8s_watch_lines_feed(&wl, "{\"a\":", 5, &cb), 0);
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(k8s_watch_lines_feed(&wl, chunk, sizeof(chunk),
						      &cb), 0);
		ck_assert_uint_le(wl.len, 4096);
		ck_assert_uint_le(wl.cap, 8192);
	}
	ck_assert_int_eq(wl.skipping, 1);
	ck_assert_int_eq(k8s_watch_lines_feed(&wl, "}\nok\n", 5, &cb), 0);
	ck_assert_str_eq(g.text, "ok|");
	ck_assert_int_eq(g.oversized, 1);
	k8s_watch_lines_fini(&wl);
}
END_TEST

/* A stream cut inside a line: the piece is forgotten, never glued to
 * the next stream's first line. */
START_TEST(lines_partial_line_at_end_is_dropped)
{
	struct k8s_watch_lines wl;
	struct k8s_watch_lines_cb cb;
	struct got g;

	memset(&g, 0, sizeof(g));
	cb = (struct k8s_watch_lines_cb){ got_line, got_oversized, &g };
	k8s_watch_lines_init(&wl, 64);
	ck_assert_int_eq(k8s_watch_lines_feed(&wl, "one\n{\"type\":\"ADD", 16, &cb), 0);
	ck_assert_str_eq(g.text, "one|");
	ck_assert_uint_eq(k8s_watch_lines_reset(&wl), 12);
	ck_assert_int_eq(k8s_watch_lines_feed(&wl, "ED\"}\ntwo\n", 9, &cb), 0);
	ck_assert_str_eq(g.text, "one|ED\"}|two|");
	/* ended on a boundary: nothing to drop */
	ck_assert_uint_eq(k8s_watch_lines_reset(&wl), 0);
	/* ended inside a skipped line: nothing kept, and the skip ends */
	ck_assert_int_eq(k8s_watch_lines_feed(&wl, "", 0, &cb), 0);
	{
		char big[100];

		memset(big, 'y', sizeof(big));
		ck_assert_int_eq(k8s_watch_lines_feed(&wl, big, sizeof(big), &cb), 0);
	}
	ck_assert_uint_eq(k8s_watch_lines_reset(&wl), 0);
	ck_assert_int_eq(k8s_watch_lines_feed(&wl, "three\n", 6, &cb), 0);
	ck_assert_str_eq(g.text, "one|ED\"}|two|three|");
	k8s_watch_lines_fini(&wl);
	k8s_watch_lines_fini(&wl);
}
END_TEST

START_TEST(lines_callback_stops_the_feed)
{
	struct k8s_watch_lines wl;
	struct k8s_watch_lines_cb cb;
	struct got g;

	memset(&g, 0, sizeof(g));
	g.stop_at = 2;
	cb = (struct k8s_watch_lines_cb){ got_line, NULL, &g };
	k8s_watch_lines_init(&wl, 64);
	ck_assert_int_eq(k8s_watch_lines_feed(&wl, "a\nb\nc\n", 6, &cb), 7);
	ck_assert_str_eq(g.text, "a|b|");
	k8s_watch_lines_fini(&wl);
}
END_TEST

/* A big line cut by chunks is gathered, then its buffer is given back. */
START_TEST(lines_big_buffer_is_given_back)
{
	size_t n = 200 << 10, i;
	char *s = malloc(n + 1);
	struct k8s_watch_lines wl;
	struct k8s_watch_lines_cb cb;
	struct got g;

	ck_assert_ptr_nonnull(s);
	memset(&g, 0, sizeof(g));
	cb = (struct k8s_watch_lines_cb){ got_line, got_oversized, &g };
	memset(s, 'z', n);
	s[n] = '\n';
	k8s_watch_lines_init(&wl, 1 << 20);
	for (i = 0; i <= n; i += 4096) {
		size_t k = n + 1 - i < 4096 ? n + 1 - i : 4096;

		ck_assert_int_eq(k8s_watch_lines_feed(&wl, s + i, k, &cb), 0);
	}
	ck_assert_int_eq(g.lines, 1);
	ck_assert_uint_eq(g.max_len, n);
	ck_assert_uint_eq(wl.cap, 0);
	ck_assert_ptr_null(wl.buf);
	k8s_watch_lines_fini(&wl);
	free(s);
}
END_TEST

/* ---- watch event lines --------------------------------------------------- */

static int parse(const char *fixture, struct k8s_watch_event *ev, char *err,
		 size_t errlen)
{
	char *t = jtext(fixture);
	int rc = k8s_watch_event_parse(t, strlen(t), ev, err, errlen);

	free(t);
	return rc;
}

/* What a 1.31 API server writes for a Service (managedFields cut). */
static const char ev_svc_added[] =
	"{'type':'ADDED','object':{'kind':'Service','apiVersion':'v1',"
	"'metadata':{'name':'web','namespace':'shop','uid':'0b8e-41','resourceVersion':'1042',"
	"'creationTimestamp':'2024-05-02T09:14:11Z','labels':{'app':'web'}},"
	"'spec':{'ports':[{'name':'http','protocol':'TCP','port':80,'targetPort':8080}],"
	"'selector':{'app':'web'},'clusterIP':'10.96.0.20','clusterIPs':['10.96.0.20'],"
	"'type':'ClusterIP','sessionAffinity':'None','ipFamilies':['IPv4'],"
	"'ipFamilyPolicy':'SingleStack','internalTrafficPolicy':'Cluster'},"
	"'status':{'loadBalancer':{}}}}";

START_TEST(event_added_service)
{
	struct k8s_watch_event ev;
	struct k8s_service s;

	ck_assert_int_eq(parse(ev_svc_added, &ev, NULL, 0), 0);
	ck_assert_int_eq(ev.type, K8S_WATCH_ADDED);
	ck_assert_str_eq(ev.rv, "1042");
	ck_assert_int_eq(k8s_watch_event_expired(&ev), 0);
	ck_assert_int_eq(k8s_decode_service(ev.object, &s, NULL), 0);
	ck_assert_str_eq(s.meta.name, "web");
	ck_assert_str_eq(s.cluster_ips[0], "10.96.0.20");
	k8s_service_fini(&s);
	k8s_watch_event_fini(&ev);
	k8s_watch_event_fini(&ev);
}
END_TEST

START_TEST(event_types_and_resource_versions)
{
	static const struct {
		const char *line;
		enum k8s_watch_type type;
		const char *rv;
	} cases[] = {
		{ "{'type':'MODIFIED','object':{'kind':'EndpointSlice','metadata':"
		  "{'name':'web-x','namespace':'shop','resourceVersion':'77'},"
		  "'addressType':'IPv4','endpoints':null,'ports':null}}",
		  K8S_WATCH_MODIFIED, "77" },
		{ "{'type':'DELETED','object':{'kind':'Service','apiVersion':'v1',"
		  "'metadata':{'name':'web','namespace':'shop','resourceVersion':'78'}}}",
		  K8S_WATCH_DELETED, "78" },
		{ "{'type':'BOOKMARK','object':{'kind':'Service','apiVersion':'v1',"
		  "'metadata':{'resourceVersion':'12345','creationTimestamp':null},"
		  "'spec':{},'status':{'loadBalancer':{}}}}",
		  K8S_WATCH_BOOKMARK, "12345" },
		{ "{'type':'BOOKMARK','object':{'kind':'EndpointSlice','apiVersion':"
		  "'discovery.k8s.io/v1','metadata':{'resourceVersion':'5','annotations':"
		  "{'k8s.io/initial-events-end':'true'}}}}",
		  K8S_WATCH_BOOKMARK, "5" },
		/* order of members does not matter; whitespace around is fine */
		{ "  {'object':{'metadata':{'name':'n'}},'type':'ADDED'}  \r",
		  K8S_WATCH_ADDED, NULL },
	};
	struct k8s_watch_event ev;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		ck_assert_int_eq(parse(cases[i].line, &ev, NULL, 0), 0);
		ck_assert_int_eq(ev.type, cases[i].type);
		if (cases[i].rv)
			ck_assert_str_eq(ev.rv, cases[i].rv);
		else
			ck_assert_ptr_null(ev.rv);
		ck_assert_int_eq(k8s_watch_event_expired(&ev), 0);
		k8s_watch_event_fini(&ev);
	}
	ck_assert_str_eq(k8s_watch_type_name(K8S_WATCH_BOOKMARK), "BOOKMARK");
	ck_assert_str_eq(k8s_watch_type_name(K8S_WATCH_ERROR), "ERROR");
}
END_TEST

START_TEST(event_errors_and_expiry)
{
	static const struct {
		const char *line;
		int code;
		const char *reason;
		int expired;
	} cases[] = {
		/* what kube-apiserver sends when the watch cache lost the RV */
		{ "{'type':'ERROR','object':{'kind':'Status','apiVersion':'v1',"
		  "'metadata':{},'status':'Failure','message':'too old resource "
		  "version: 1 (2)','reason':'Expired','code':410}}",
		  410, "Expired", 1 },
		/* older servers (etcd2 days) */
		{ "{'type':'ERROR','object':{'kind':'Status','apiVersion':'v1',"
		  "'metadata':{},'status':'Failure','message':'The resourceVersion "
		  "for the provided watch is too old.','reason':'Gone','code':410}}",
		  410, "Gone", 1 },
		{ "{'type':'ERROR','object':{'kind':'Status','reason':'Gone'}}",
		  0, "Gone", 1 },
		{ "{'type':'ERROR','object':{'kind':'Status','code':410}}",
		  410, "", 1 },
		{ "{'type':'ERROR','object':{'kind':'Status','apiVersion':'v1',"
		  "'metadata':{},'status':'Failure','message':'Internal error "
		  "occurred: etcdserver: request timed out','reason':"
		  "'InternalError','code':500}}",
		  500, "InternalError", 0 },
		{ "{'type':'ERROR','object':{'kind':'Status','status':'Failure',"
		  "'message':'Timeout: Too large resource version: 9, current: 5',"
		  "'reason':'Timeout','code':504,'details':{'causes':[{'reason':"
		  "'ResourceVersionTooLarge'}],'retryAfterSeconds':1}}}",
		  504, "Timeout", 0 },
		{ "{'type':'ERROR','object':{'kind':'Status','reason':'Forbidden',"
		  "'code':403}}",
		  403, "Forbidden", 0 },
		/* mistyped Status fields: no code, no reason, not expired */
		{ "{'type':'ERROR','object':{'code':'410','reason':410}}", 0, "", 0 },
	};
	struct k8s_watch_event ev;
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		ck_assert_int_eq(parse(cases[i].line, &ev, NULL, 0), 0);
		ck_assert_int_eq(ev.type, K8S_WATCH_ERROR);
		ck_assert_int_eq(ev.code, cases[i].code);
		ck_assert_str_eq(ev.reason, cases[i].reason);
		ck_assert_int_eq(k8s_watch_event_expired(&ev), cases[i].expired);
		k8s_watch_event_fini(&ev);
	}
	ck_assert_int_eq(parse(cases[0].line, &ev, NULL, 0), 0);
	ck_assert_str_eq(ev.message, "too old resource version: 1 (2)");
	k8s_watch_event_fini(&ev);
}
END_TEST

static const struct {
	const char *line;
	const char *why;
} bad_events[] = {
	{ "this is not json {", "not JSON: column 2: unexpected 'h'" },
	{ "{'type':'ADDED','object':{'metadata':{}}", "not JSON: column 41: unexpected end of input" },
	{ "{'type':'ADDED','object':{}} {}", "not JSON" },
	{ "{'type':'ADDED','object':{},}", "not JSON" },
	{ "[]", "not an event: an array, not an object" },
	{ "null", "not an event: null" },
	{ "'ADDED'", "not an event: a string" },
	{ "{}", "type: missing" },
	{ "{'object':{'metadata':{'name':'a'}}}", "type: missing" },
	{ "{'type':5,'object':{}}", "type: expected a string, got a number" },
	{ "{'type':null,'object':{}}", "type: expected a string, got null" },
	{ "{'type':'added','object':{}}", "type: unknown event type \"added\"" },
	{ "{'type':'SYNC','object':{}}", "type: unknown event type \"SYNC\"" },
	{ "{'type':'ADDED'}", "object: missing" },
	{ "{'type':'ADDED','object':null}", "object: expected an object, got null" },
	{ "{'type':'DELETED','object':'web'}", "object: expected an object, got a string" },
	{ "{'type':'MODIFIED','object':[{}]}", "object: expected an object, got an array" },
	{ "{'type':'ERROR','object':7}", "object: expected an object, got a number" },
	{ "{'type':'BOOKMARK','object':{'metadata':{}}}", "BOOKMARK without" },
	{ "{'type':'BOOKMARK','object':{'metadata':{'resourceVersion':''}}}",
	  "BOOKMARK without" },
	{ "{'type':'BOOKMARK','object':{'metadata':{'resourceVersion':12}}}",
	  "BOOKMARK without" },
};

START_TEST(event_bad_lines_are_einval_with_a_reason)
{
	struct k8s_watch_event ev;
	char err[160];

	err[0] = 0;
	ck_assert_int_eq(parse(bad_events[_i].line, &ev, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad_events[_i].why), "'%s': got '%s', want '%s'",
		      bad_events[_i].line, err, bad_events[_i].why);
	ck_assert_ptr_null(ev.root);
	ck_assert_ptr_null(ev.object);
	k8s_watch_event_fini(&ev);
}
END_TEST

/* A line is parsed by its length: no NUL needed, none read. */
START_TEST(event_needs_no_nul)
{
	char *t = jtext(ev_svc_added);
	size_t n = strlen(t);
	char *exact = malloc(n);
	struct k8s_watch_event ev;

	ck_assert_ptr_nonnull(exact);
	memcpy(exact, t, n);
	ck_assert_int_eq(k8s_watch_event_parse(exact, n, &ev, NULL, 0), 0);
	ck_assert_str_eq(ev.rv, "1042");
	k8s_watch_event_fini(&ev);
	/* every truncation is an error, never a crash or a success */
	for (size_t k = 0; k < n; k++)
		CHECK(k8s_watch_event_parse(exact, k, &ev, NULL, 0) == -EINVAL);
	free(exact);
	free(t);
}
END_TEST

/* ---- list pages ---------------------------------------------------------- */

static int count_items(void *arg, const cJSON *item)
{
	int *n = arg;

	(void)item;
	(*n)++;
	return *n == 100 ? -ECANCELED : 0;
}

START_TEST(page_metadata_and_items)
{
	char *t = jtext("{'kind':'ServiceList','apiVersion':'v1','metadata':"
			"{'resourceVersion':'2001','continue':'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ',"
			"'remainingItemCount':3},'items':[{'metadata':{'name':'a'}},"
			"{'metadata':{'name':'b'}}, 7]}");
	struct k8s_list_page page;
	char err[128];
	int n = 0;

	ck_assert_int_eq(k8s_decode_page(t, strlen(t), &page, count_items, &n,
					 err, sizeof(err)), 3);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(page.resource_version, "2001");
	ck_assert_str_eq(page.cont, "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ");
	k8s_list_page_fini(&page);
	k8s_list_page_fini(&page);
	free(t);

	/* the last page: no continue; null items */
	t = jtext("{'kind':'NodeList','metadata':{'resourceVersion':'5'},'items':null}");
	ck_assert_int_eq(k8s_decode_page(t, strlen(t), &page, count_items, &n,
					 err, sizeof(err)), 0);
	ck_assert_str_eq(page.resource_version, "5");
	ck_assert_ptr_null(page.cont);
	k8s_list_page_fini(&page);
	free(t);

	t = jtext("{'metadata':{'resourceVersion':'5','continue':''},'items':[]}");
	ck_assert_int_eq(k8s_decode_page(t, strlen(t), &page, NULL, NULL, NULL, 0), 0);
	ck_assert_ptr_null(page.cont);
	k8s_list_page_fini(&page);
	free(t);
}
END_TEST

START_TEST(page_broken_is_einval_without_items)
{
	static const char *const docs[] = {
		"{'kind':'ServiceList','metadata':{},'items':[{'metadata':{}}",
		"{'kind':'Status','status':'Failure','code':500}",
		"{'kind':'ServiceList','items':{}}",
		"[]",
		"",
	};
	struct k8s_list_page page;
	char err[128];
	size_t i;
	int n = 0;

	for (i = 0; i < NELEM(docs); i++) {
		char *t = jtext(docs[i]);

		ck_assert_int_eq(k8s_decode_page(t, strlen(t), &page, count_items,
						 &n, err, sizeof(err)), -EINVAL);
		ck_assert_int_ne(err[0], 0);
		ck_assert_ptr_null(page.resource_version);
		free(t);
	}
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(page_receiver_stops_the_walk)
{
	char *t;
	char buf[8192];
	size_t len = 0;
	struct k8s_list_page page;
	int i, n = 0;

	len += (size_t)snprintf(buf + len, sizeof(buf) - len,
				"{\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[");
	for (i = 0; i < 150; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s{}",
					i ? "," : "");
	snprintf(buf + len, sizeof(buf) - len, "]}");
	t = buf;
	ck_assert_int_eq(k8s_decode_page(t, strlen(t), &page, count_items, &n,
					 NULL, 0), -ECANCELED);
	ck_assert_int_eq(n, 100);
	ck_assert_ptr_null(page.resource_version); /* freed on error */
}
END_TEST

/* ---- into the store, as a watch does it ---------------------------------- */

/* Dirty keys, sorted, as "ns/name,ns/name". */
static void take_one(void *arg, const char *ns, const char *name)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 512 - n, "%s%s/%s", n ? " " : "", ns, name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dirty_is(struct k8s_store *st, const char *want)
{
	char raw[512] = "", sorted[512] = "", *v[32], *save = NULL, *tok;
	size_t n = 0, i;

	k8s_store_take_dirty(st, take_one, raw);
	for (tok = strtok_r(raw, " ", &save); tok && n < NELEM(v);
	     tok = strtok_r(NULL, " ", &save))
		v[n++] = tok;
	qsort(v, n, sizeof(v[0]), cmp_str);
	for (i = 0; i < n; i++)
		snprintf(sorted + strlen(sorted), sizeof(sorted) - strlen(sorted),
			 "%s%s", i ? "," : "", v[i]);
	ck_assert_str_eq(sorted, want);
}

/* Apply one watch line (a fixture) to @st; returns the K8S_APPLY_*. */
static int apply_line(struct k8s_store *st, enum k8s_resource res,
		      const char *line, struct k8s_nsmap *seen)
{
	struct k8s_apply a = { .store = st, .res = res, .node_name = "node-a",
			       .seen = seen };
	struct k8s_watch_event ev;
	int rc;

	ck_assert_int_eq(parse(line, &ev, NULL, 0), 0);
	rc = ev.type == K8S_WATCH_DELETED ? k8s_apply_del(&a, ev.object) :
					     k8s_apply_put(&a, ev.object);
	k8s_watch_event_fini(&ev);
	ck_assert_int_ge(rc, 0);
	return rc;
}

/* An EndpointSlice event as the endpoint slice controller writes it;
 * @eps is the endpoints array (or null). */
static char *slice_event(const char *type, const char *name, const char *svc,
			 const char *rv, const char *eps)
{
	char *s;

	ck_assert_int_ge(asprintf(&s,
		"{'type':'%s','object':{'kind':'EndpointSlice','apiVersion':"
		"'discovery.k8s.io/v1','metadata':{'name':'%s','generateName':"
		"'%s-','namespace':'shop','uid':'u-%s','resourceVersion':'%s',"
		"'generation':2,'labels':{'endpointslice.kubernetes.io/managed-by':"
		"'endpointslice-controller.k8s.io','kubernetes.io/service-name':'%s'},"
		"'annotations':{'endpoints.kubernetes.io/last-change-trigger-time':"
		"'2024-05-02T09:15:02Z'},'ownerReferences':[{'apiVersion':'v1',"
		"'kind':'Service','name':'%s','uid':'s1','controller':true,"
		"'blockOwnerDeletion':true}]},'addressType':'IPv4','endpoints':%s,"
		"'ports':[{'name':'','protocol':'TCP','port':8080}]}}",
		type, name, svc, name, rv, svc, svc, eps), 0);
	return s;
}

static int apply_slice_event(struct k8s_store *st, const char *type,
			     const char *name, const char *svc, const char *rv,
			     const char *eps)
{
	char *line = slice_event(type, name, svc, rv, eps);
	int rc = apply_line(st, K8S_RES_SLICES, line, NULL);

	free(line);
	return rc;
}

#define EP(ip, ready) \
	"{'addresses':['" ip "'],'conditions':{'ready':" ready ",'serving':" \
	ready ",'terminating':false},'nodeName':'node-a','zone':'z1',"     \
	"'targetRef':{'kind':'Pod','namespace':'shop','name':'p-" ip "'}}"

/* The endpoints of one Service's slices: "slice=ip,ip;slice=...". */
static void endpoints_are(struct k8s_store *st, const char *svc,
			  const char *want)
{
	const struct k8s_endpointslice *v[8];
	size_t n = k8s_store_slices_of(st, "shop", svc, v, NELEM(v)), i, j;
	char got[512] = "";

	for (i = 0; i < n && i < NELEM(v); i++) {
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s=",
			 i ? ";" : "", v[i]->meta.name);
		for (j = 0; j < v[i]->nendpoints; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
				 "%s%s", j ? "," : "",
				 v[i]->endpoints[j].addresses[0]);
	}
	ck_assert_str_eq(got, want);
}

START_TEST(store_one_service_over_several_slices)
{
	struct k8s_store *st = k8s_store_new();

	ck_assert_int_eq(apply_slice_event(st, "ADDED", "web-b2x", "web", "10",
					   "[" EP("10.1.0.3", "true") "]"),
			 K8S_APPLY_CHANGED);
	ck_assert_int_eq(apply_slice_event(st, "ADDED", "web-a7k", "web", "11",
					   "[" EP("10.1.0.1", "true") ","
					   EP("10.1.0.2", "false") "]"),
			 K8S_APPLY_CHANGED);
	ck_assert_int_eq(apply_slice_event(st, "ADDED", "db-q1", "db", "12",
					   "null"), K8S_APPLY_CHANGED);
	endpoints_are(st, "web", "web-a7k=10.1.0.1,10.1.0.2;web-b2x=10.1.0.3");
	endpoints_are(st, "db", "db-q1=");
	dirty_is(st, "shop/db,shop/web");
	ck_assert_int_eq(k8s_store_slice(st, "shop", "web-a7k")->endpoints[1].ready, 0);
	ck_assert_str_eq(k8s_store_slice(st, "shop", "web-a7k")->ports[0].name, "");
	k8s_store_free(st);
}
END_TEST

/* A pod's endpoint moves from one slice to another (the controller
 * rebalances): two MODIFIED events; the Service is dirty, nothing else. */
START_TEST(store_endpoint_moves_between_slices)
{
	struct k8s_store *st = k8s_store_new();

	apply_slice_event(st, "ADDED", "web-a7k", "web", "10",
			  "[" EP("10.1.0.1", "true") "," EP("10.1.0.2", "true") "]");
	apply_slice_event(st, "ADDED", "web-b2x", "web", "11",
			  "[" EP("10.1.0.3", "true") "]");
	apply_slice_event(st, "ADDED", "api-c3", "api", "12",
			  "[" EP("10.1.0.9", "true") "]");
	dirty_is(st, "shop/api,shop/web");
	ck_assert_int_eq(apply_slice_event(st, "MODIFIED", "web-a7k", "web", "13",
					   "[" EP("10.1.0.1", "true") "]"),
			 K8S_APPLY_CHANGED);
	endpoints_are(st, "web", "web-a7k=10.1.0.1;web-b2x=10.1.0.3");
	ck_assert_int_eq(apply_slice_event(st, "MODIFIED", "web-b2x", "web", "14",
					   "[" EP("10.1.0.3", "true") ","
					   EP("10.1.0.2", "true") "]"),
			 K8S_APPLY_CHANGED);
	endpoints_are(st, "web", "web-a7k=10.1.0.1;web-b2x=10.1.0.3,10.1.0.2");
	dirty_is(st, "shop/web");
	/* the other order: it appears in the new slice first */
	apply_slice_event(st, "MODIFIED", "web-a7k", "web", "15",
			  "[" EP("10.1.0.1", "true") "," EP("10.1.0.2", "true") "]");
	apply_slice_event(st, "MODIFIED", "web-b2x", "web", "16",
			  "[" EP("10.1.0.3", "true") "]");
	endpoints_are(st, "web", "web-a7k=10.1.0.1,10.1.0.2;web-b2x=10.1.0.3");
	dirty_is(st, "shop/web");
	/* a slice handed to another Service marks both */
	apply_slice_event(st, "MODIFIED", "web-b2x", "api", "17",
			  "[" EP("10.1.0.3", "true") "]");
	endpoints_are(st, "web", "web-a7k=10.1.0.1,10.1.0.2");
	endpoints_are(st, "api", "api-c3=10.1.0.9;web-b2x=10.1.0.3");
	dirty_is(st, "shop/api,shop/web");
	/* deleted: gone from the index */
	ck_assert_int_eq(apply_slice_event(st, "DELETED", "web-a7k", "web", "18",
					   "null"), K8S_APPLY_CHANGED);
	endpoints_are(st, "web", "");
	dirty_is(st, "shop/web");
	k8s_store_free(st);
}
END_TEST

/* The same content with a newer resourceVersion (a relist, a no-op
 * update): nothing marked, but the store holds the newer metadata. */
START_TEST(store_equal_object_marks_nothing)
{
	struct k8s_store *st = k8s_store_new();

	apply_slice_event(st, "ADDED", "web-a7k", "web", "10",
			  "[" EP("10.1.0.1", "true") "]");
	dirty_is(st, "shop/web");
	ck_assert_int_eq(apply_slice_event(st, "MODIFIED", "web-a7k", "web", "20",
					   "[" EP("10.1.0.1", "true") "]"),
			 K8S_APPLY_SAME);
	ck_assert_uint_eq(k8s_store_ndirty(st), 0);
	ck_assert_str_eq(k8s_store_slice(st, "shop", "web-a7k")->meta.resource_version,
			 "20");
	/* a condition flips: that is a change */
	ck_assert_int_eq(apply_slice_event(st, "MODIFIED", "web-a7k", "web", "21",
					   "[" EP("10.1.0.1", "false") "]"),
			 K8S_APPLY_CHANGED);
	dirty_is(st, "shop/web");
	/* deleting what is not there changes nothing */
	ck_assert_int_eq(apply_slice_event(st, "DELETED", "nope", "web", "22",
					   "null"), K8S_APPLY_SAME);
	ck_assert_uint_eq(k8s_store_ndirty(st), 0);
	k8s_store_free(st);
}
END_TEST

/* A refused update keeps the last good version; a DELETED event deletes
 * even an object the decoder would refuse. */
START_TEST(store_rejected_keeps_last_good_version)
{
	struct k8s_store *st = k8s_store_new();

	apply_slice_event(st, "ADDED", "web-a7k", "web", "10",
			  "[" EP("10.1.0.1", "true") "]");
	k8s_store_take_dirty(st, NULL, NULL);
	ck_assert_int_eq(apply_line(st, K8S_RES_SLICES,
				    "{'type':'MODIFIED','object':{'metadata':{'name':'web-a7k',"
				    "'namespace':'shop','labels':{'kubernetes.io/service-name':"
				    "'web'}},'addressType':'IPv5'}}", NULL),
			 K8S_APPLY_REJECTED);
	endpoints_are(st, "web", "web-a7k=10.1.0.1");
	ck_assert_uint_eq(k8s_store_ndirty(st), 0);
	ck_assert_int_eq(apply_line(st, K8S_RES_SLICES,
				    "{'type':'DELETED','object':{'metadata':{'name':'web-a7k',"
				    "'namespace':'shop'},'addressType':'IPv5'}}", NULL),
			 K8S_APPLY_CHANGED);
	ck_assert_uint_eq(k8s_store_nslices(st), 0);
	dirty_is(st, "shop/web");
	ck_assert_int_eq(apply_line(st, K8S_RES_SLICES,
				    "{'type':'DELETED','object':{'metadata':{}}}", NULL),
			 K8S_APPLY_REJECTED);
	k8s_store_free(st);
}
END_TEST

/* FQDN slices are kept (and ignored); a missing namespace is "default". */
START_TEST(store_fqdn_slice_and_default_namespace)
{
	struct k8s_store *st = k8s_store_new();

	ck_assert_int_eq(apply_line(st, K8S_RES_SLICES,
				    "{'type':'ADDED','object':{'kind':'EndpointSlice',"
				    "'metadata':{'name':'ext-1','namespace':'shop','labels':"
				    "{'kubernetes.io/service-name':'ext'}},'addressType':'FQDN',"
				    "'endpoints':[{'addresses':['db.example.com']}],"
				    "'ports':[{'name':'pg','port':5432}]}}", NULL),
			 K8S_APPLY_CHANGED);
	ck_assert_int_eq(k8s_store_slice(st, "shop", "ext-1")->af, 0);
	ck_assert_uint_eq(k8s_store_slice(st, "shop", "ext-1")->nendpoints, 0);
	/* a Service with no pods yet: null endpoints and null ports */
	ck_assert_int_eq(apply_line(st, K8S_RES_SLICES,
				    "{'type':'ADDED','object':{'kind':'EndpointSlice',"
				    "'apiVersion':'discovery.k8s.io/v1','metadata':{'name':"
				    "'ext-2','namespace':'shop','labels':{'kubernetes.io/"
				    "service-name':'ext'}},'addressType':'IPv4','endpoints':"
				    "null,'ports':null}}", NULL), K8S_APPLY_CHANGED);
	ck_assert_uint_eq(k8s_store_slice(st, "shop", "ext-2")->nports, 0);
	ck_assert_uint_eq(k8s_store_slices_of(st, "shop", "ext", NULL, 0), 2);
	ck_assert_int_eq(apply_line(st, K8S_RES_SERVICES,
				    "{'type':'ADDED','object':{'kind':'Service','metadata':"
				    "{'name':'x'},'spec':{'clusterIP':'10.96.0.9','ports':"
				    "[{'port':80}]}}}", NULL), K8S_APPLY_CHANGED);
	ck_assert_ptr_nonnull(k8s_store_service(st, "default", "x"));
	ck_assert_int_eq(apply_line(st, K8S_RES_SERVICES,
				    "{'type':'DELETED','object':{'kind':'Service','metadata':"
				    "{'name':'x'}}}", NULL), K8S_APPLY_CHANGED);
	ck_assert_uint_eq(k8s_store_nservices(st), 0);
	dirty_is(st, "default/x,shop/ext");
	k8s_store_free(st);
}
END_TEST

/* A relist: what the list named stays (even when refused), the rest goes
 * and is marked. */
START_TEST(store_relist_retains_what_the_list_named)
{
	struct k8s_store *st = k8s_store_new();
	struct k8s_apply a = { .store = st, .res = K8S_RES_SLICES };
	struct k8s_nsmap seen;
	char *line;

	apply_slice_event(st, "ADDED", "web-a", "web", "1", "[" EP("10.1.0.1", "true") "]");
	apply_slice_event(st, "ADDED", "web-b", "web", "2", "[" EP("10.1.0.2", "true") "]");
	apply_slice_event(st, "ADDED", "db-a", "db", "3", "[" EP("10.1.0.3", "true") "]");
	apply_slice_event(st, "ADDED", "old-a", "old", "4", "null");
	k8s_store_take_dirty(st, NULL, NULL);
	k8s_nsmap_init(&seen);
	a.seen = &seen;
	/* the list: web-a unchanged, db-a refused, web-b and old-a gone */
	line = slice_event("ADDED", "web-a", "web", "50",
			   "[" EP("10.1.0.1", "true") "]");
	ck_assert_int_eq(apply_line(st, K8S_RES_SLICES, line, &seen),
			 K8S_APPLY_SAME);
	free(line);
	ck_assert_int_eq(apply_line(st, K8S_RES_SLICES,
				    "{'type':'ADDED','object':{'metadata':{'name':'db-a',"
				    "'namespace':'shop'},'addressType':7}}", &seen),
			 K8S_APPLY_REJECTED);
	ck_assert_uint_eq(k8s_store_ndirty(st), 0);
	ck_assert_int_eq(k8s_apply_retain(&a), 2);
	ck_assert_ptr_nonnull(k8s_store_slice(st, "shop", "web-a"));
	ck_assert_ptr_nonnull(k8s_store_slice(st, "shop", "db-a"));
	ck_assert_ptr_null(k8s_store_slice(st, "shop", "web-b"));
	ck_assert_ptr_null(k8s_store_slice(st, "shop", "old-a"));
	dirty_is(st, "shop/old,shop/web");
	k8s_nsmap_fini(&seen, NULL);

	/* Services the same way */
	a.res = K8S_RES_SERVICES;
	k8s_nsmap_init(&seen);
	a.seen = &seen;
	apply_line(st, K8S_RES_SERVICES, ev_svc_added, NULL);
	k8s_store_take_dirty(st, NULL, NULL);
	ck_assert_int_eq(k8s_apply_retain(&a), 1);
	ck_assert_uint_eq(k8s_store_nservices(st), 0);
	dirty_is(st, "shop/web");
	k8s_nsmap_fini(&seen, NULL);
	k8s_store_free(st);
}
END_TEST

#define NODE_EVENT(type, name, zone)                                          \
	"{'type':'" type "','object':{'kind':'Node','apiVersion':'v1','metadata':" \
	"{'name':'" name "','resourceVersion':'5','labels':{'kubernetes.io/"       \
	"hostname':'" name "','topology.kubernetes.io/zone':'" zone "'}},"         \
	"'status':{'addresses':[{'type':'InternalIP','address':'192.0.2.10'}]}}}"

START_TEST(store_node_slot)
{
	struct k8s_store *st = k8s_store_new();
	struct k8s_apply a = { .store = st, .res = K8S_RES_NODE,
			       .node_name = "node-a" };
	struct k8s_nsmap seen;

	ck_assert_int_eq(apply_line(st, K8S_RES_NODE,
				    NODE_EVENT("ADDED", "node-b", "z9"), NULL),
			 K8S_APPLY_SAME);
	ck_assert_ptr_null(k8s_store_node(st));
	ck_assert_int_eq(apply_line(st, K8S_RES_NODE,
				    NODE_EVENT("ADDED", "node-a", "z1"), NULL),
			 K8S_APPLY_CHANGED);
	ck_assert_str_eq(k8s_store_node(st)->zone, "z1");
	ck_assert_int_eq(apply_line(st, K8S_RES_NODE,
				    NODE_EVENT("MODIFIED", "node-a", "z1"), NULL),
			 K8S_APPLY_SAME);
	ck_assert_int_eq(apply_line(st, K8S_RES_NODE,
				    NODE_EVENT("MODIFIED", "node-a", "z2"), NULL),
			 K8S_APPLY_CHANGED);
	ck_assert_str_eq(k8s_store_node(st)->zone, "z2");
	ck_assert_uint_eq(k8s_store_ndirty(st), 0); /* the Node marks nothing */
	ck_assert_int_eq(apply_line(st, K8S_RES_NODE,
				    NODE_EVENT("DELETED", "node-b", "z2"), NULL),
			 K8S_APPLY_SAME);
	ck_assert_int_eq(apply_line(st, K8S_RES_NODE,
				    NODE_EVENT("DELETED", "node-a", "z2"), NULL),
			 K8S_APPLY_CHANGED);
	ck_assert_ptr_null(k8s_store_node(st));
	/* a relist that names the node keeps it; one that does not clears */
	k8s_nsmap_init(&seen);
	a.seen = &seen;
	apply_line(st, K8S_RES_NODE, NODE_EVENT("ADDED", "node-a", "z1"), &seen);
	ck_assert_int_eq(k8s_apply_retain(&a), 0);
	ck_assert_ptr_nonnull(k8s_store_node(st));
	k8s_nsmap_fini(&seen, NULL);
	ck_assert_int_eq(k8s_apply_retain(&a), 1);
	ck_assert_ptr_null(k8s_store_node(st));
	k8s_store_free(st);
}
END_TEST

Suite *k8s_watch_suite(void)
{
	Suite *s = suite_create("k8s_watch");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, lines_whole_stream_in_one_chunk);
	tcase_add_test(tc, lines_byte_by_byte);
	tcase_add_test(tc, lines_every_one_and_two_cuts);
	tcase_add_test(tc, lines_random_splits);
	tcase_add_test(tc, lines_overlong_skipped_then_next_kept);
	tcase_add_test(tc, lines_overlong_over_many_chunks_is_not_buffered);
	tcase_add_test(tc, lines_partial_line_at_end_is_dropped);
	tcase_add_test(tc, lines_callback_stops_the_feed);
	tcase_add_test(tc, lines_big_buffer_is_given_back);
	tcase_add_test(tc, event_added_service);
	tcase_add_test(tc, event_types_and_resource_versions);
	tcase_add_test(tc, event_errors_and_expiry);
	tcase_add_loop_test(tc, event_bad_lines_are_einval_with_a_reason, 0,
			    NELEM(bad_events));
	tcase_add_test(tc, event_needs_no_nul);
	tcase_add_test(tc, page_metadata_and_items);
	tcase_add_test(tc, page_broken_is_einval_without_items);
	tcase_add_test(tc, page_receiver_stops_the_walk);
	tcase_add_test(tc, store_one_service_over_several_slices);
	tcase_add_test(tc, store_endpoint_moves_between_slices);
	tcase_add_test(tc, store_equal_object_marks_nothing);
	tcase_add_test(tc, store_rejected_keeps_last_good_version);
	tcase_add_test(tc, store_fqdn_slice_and_default_namespace);
	tcase_add_test(tc, store_relist_retains_what_the_list_named);
	tcase_add_test(tc, store_node_slot);
	suite_add_tcase(s, tc);
	return s;
}
