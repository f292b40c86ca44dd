/*
 * test/unit/test_source_file.c - agent/source_file.c: a file read as a
 * stream, the whole-document path behind it, and what a broken file
 * leaves alone (the last good state, the log, the counters).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/heap.h"
#include "agent/source_file.h"
#include "suites.h"

struct loaded {
	int calls;
	size_t nsvc, nslice;
	int node;
};

static void on_loaded(void *arg, struct k8s_store *next)
{
	struct loaded *l = arg;

	l->calls++;
	l->nsvc = k8s_store_nservices(next);
	l->nslice = k8s_store_nslices(next);
	l->node = k8s_store_node(next) != NULL;
	k8s_store_free(next);
}

static char path[64];

/* Write @doc (with ' for ") to the test's file. */
static void write_file(const char *doc)
{
	FILE *f;
	const char *p;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/ipvsagent-unit-%ld.json",
			 (long)getpid());
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (p = doc; *p; p++)
		fputc(*p == '\'' ? '"' : *p, f);
	fclose(f);
}

static void source_init(struct agent_file_source *s, struct loaded *l)
{
	memset(s, 0, sizeof(*s));
	memset(l, 0, sizeof(*l));
	s->path = path;
	s->node_name = "node1";
	s->loaded = on_loaded;
	s->arg = l;
}

#define SVC(name)                                                            \
	"{'kind':'Service','metadata':{'name':'" name "','namespace':'n'},"  \
	"'spec':{'clusterIP':'10.96.0.1','ports':[{'port':80}]}}"
#define BAD_SVC                                                              \
	"{'kind':'Service','metadata':{'namespace':'n'},'spec':{}}"
#define SLICE(name)                                                          \
	"{'kind':'EndpointSlice','addressType':'IPv4','metadata':{'name':'"  \
	name "','namespace':'n','labels':{'kubernetes.io/service-name':'a'}}," \
	"'endpoints':[{'addresses':['10.0.0.1']}],'ports':[{'port':8080}]}"
#define NODE "{'kind':'Node','metadata':{'name':'node1'}}"

START_TEST(file_read_streamed_with_a_bad_object)
{
	struct agent_file_source s;
	struct loaded l;

	write_file("{'apiVersion':'v1','kind':'List','items':[" SVC("a") ","
		   BAD_SVC "," SLICE("a-1") "," NODE "]}");
	source_init(&s, &l);
	ck_assert_int_eq(agent_file_source_read(&s), 0);
	ck_assert_int_eq(l.calls, 1);
	ck_assert_uint_eq(l.nsvc, 1);
	ck_assert_uint_eq(l.nslice, 1);
	ck_assert_int_eq(l.node, 1);
	ck_assert_uint_eq(s.loads, 1);
	ck_assert_uint_eq(s.rejected, 1);
	ck_assert_uint_eq(s.errors, 0);
}
END_TEST

/* Broken after a bad object: nothing loaded, and the bad object is not
 * counted (or logged) for a document that was never taken. */
START_TEST(file_broken_late_changes_nothing)
{
	struct agent_file_source s;
	struct loaded l;

	write_file("{'kind':'List','items':[" SVC("a") "," BAD_SVC "," SLICE("a-1")
		   ",{'kind':'Service',]}");
	source_init(&s, &l);
	ck_assert_int_lt(agent_file_source_read(&s), 0);
	ck_assert_int_eq(l.calls, 0);
	ck_assert_uint_eq(s.loads, 0);
	ck_assert_uint_eq(s.rejected, 0);
	ck_assert_uint_eq(s.errors, 1);
}
END_TEST

/* What the stream does not take (kind after items, items without kinds;
 * a single object) is read whole, and counted once. */
START_TEST(file_unusual_shapes_are_read_whole)
{
	struct agent_file_source s;
	struct loaded l;

	write_file("{'apiVersion':'v1','items':[{'metadata':{'name':'a','namespace':'n'},"
		   "'spec':{'clusterIP':'10.96.0.1','ports':[{'port':80}]}},"
		   "{'metadata':{'namespace':'n'}}],'kind':'ServiceList'}");
	source_init(&s, &l);
	ck_assert_int_eq(agent_file_source_read(&s), 0);
	ck_assert_int_eq(l.calls, 1);
	ck_assert_uint_eq(l.nsvc, 1);
	ck_assert_uint_eq(s.rejected, 1);
	write_file(SVC("b"));
	ck_assert_int_eq(agent_file_source_read(&s), 0);
	ck_assert_uint_eq(l.nsvc, 1);
	ck_assert_uint_eq(s.loads, 2);
	ck_assert_uint_eq(s.rejected, 1);
}
END_TEST

START_TEST(file_missing_is_an_error)
{
	struct agent_file_source s;
	struct loaded l;

	source_init(&s, &l);
	s.path = "/nonexistent/ipvsagent/objects.json";
	ck_assert_int_lt(agent_file_source_read(&s), 0);
	ck_assert_int_eq(l.calls, 0);
	ck_assert_uint_eq(s.errors, 1);
}
END_TEST

/* agent/heap.c: the room is held in the heap until released, once. */
START_TEST(heap_reserve_then_release)
{
	ck_assert_int_eq(agent_heap_release(), 0);
	agent_heap_reserve(1000);            /* too small to bother */
	ck_assert_int_eq(agent_heap_release(), 0);
	agent_heap_reserve(8 << 20);
#ifndef __SANITIZE_ADDRESS__             /* ASan's malloc keeps no arena */
	ck_assert_uint_ge(mallinfo2().fordblks, 8 << 20);
#endif
	ck_assert_int_eq(agent_heap_release(), 1);
#ifndef __SANITIZE_ADDRESS__
	ck_assert_uint_lt(mallinfo2().fordblks, 2 << 20);
#endif
	ck_assert_int_eq(agent_heap_release(), 0);
}
END_TEST

static void teardown(void)
{
	if (path[0])
		unlink(path);
}

Suite *source_file_suite(void)
{
	Suite *s = suite_create("source_file");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, file_read_streamed_with_a_bad_object);
	tcase_add_test(tc, file_broken_late_changes_nothing);
	tcase_add_test(tc, file_unusual_shapes_are_read_whole);
	tcase_add_test(tc, file_missing_is_an_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("heap");
	tcase_add_test(tc, heap_reserve_then_release);
	suite_add_tcase(s, tc);
	return s;
}
