/*
 * test/unit/test_table.c - ipvs/table.c: appending, sorting and searching a
 * snapshot of services and their real servers.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture.h"
#include "ipvs/table.h"
#include "suites.h"

#define MANY 3000
#define MAX_DESTS 7

/* Service @i of MANY, all keys distinct: tcp, udp, v6 tcp, fwmark. */
static void nth_service(struct ipvs_service *s, int i)
{
	char ip[64];

	switch (i % 4) {
	case 0:
	case 1:
		snprintf(ip, sizeof(ip), "10.%d.%d.1", i >> 8, i & 255);
		fx_svc(s, i % 4 ? IPVS_PROTO_UDP : IPVS_PROTO_TCP, ip,
		       i % 4 ? 53 : 80, "rr");
		break;
	case 2:
		snprintf(ip, sizeof(ip), "fd00::%x", i);
		fx_svc(s, IPVS_PROTO_TCP, ip, 443, "rr");
		break;
	default:
		fx_svc_fwmark(s, i & 4 ? AF_INET6 : AF_INET, (uint32_t)i + 1,
			      "rr");
		break;
	}
	s->timeout = (uint32_t)i;   /* lets a test tell services apart */
}

/* Real server @j of service @i; its weight names the service. */
static void nth_dest(struct ipvs_dest *d, int i, int j)
{
	char ip[32];

	snprintf(ip, sizeof(ip), "10.200.%d.%d", j, 1 + i % 250);
	fx_dest(d, ip, (uint16_t)(8000 + j), IPVS_FWD_MASQ, i);
}

static void shuffle(uint64_t *rs, int *v, int n)
{
	int i, j, t;

	for (i = n - 1; i > 0; i--) {
		j = (int)fx_below(rs, (uint32_t)i + 1);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* MANY services in random order, service i with i % MAX_DESTS real servers
 * in random order.  Returns the number of real servers. */
static size_t fill_many(struct ipvs_table *t)
{
	static int order[MANY];
	int dorder[MAX_DESTS], i, j, n;
	uint64_t rs = 7;
	struct ipvs_table_service *ts;
	struct ipvs_service s;
	struct ipvs_dest d;
	size_t total = 0;

	for (i = 0; i < MANY; i++)
		order[i] = i;
	shuffle(&rs, order, MANY);
	for (i = 0; i < MANY; i++) {
		nth_service(&s, order[i]);
		ts = ipvs_table_add_service(t, &s);
		ck_assert_ptr_nonnull(ts);
		n = order[i] % MAX_DESTS;
		for (j = 0; j < n; j++)
			dorder[j] = j;
		shuffle(&rs, dorder, n);
		for (j = 0; j < n; j++) {
			nth_dest(&d, order[i], dorder[j]);
			ck_assert_ptr_nonnull(ipvs_table_add_dest(ts, &d));
		}
		total += (size_t)n;
	}
	return total;
}

START_TEST(table_empty_has_nothing_to_find)
{
	struct ipvs_table t;
	struct ipvs_service s;

	ipvs_table_init(&t);
	nth_service(&s, 0);
	ck_assert_uint_eq(t.nsvcs, 0);
	ck_assert_uint_eq(ipvs_table_ndests(&t), 0);
	ck_assert_ptr_null(ipvs_table_find(&t, &s.key));
	ipvs_table_sort(&t);
	ck_assert_uint_eq(t.nsvcs, 0);
	ipvs_table_fini(&t);
}
END_TEST

START_TEST(table_fini_on_an_empty_table_and_twice)
{
	struct ipvs_table t;

	ipvs_table_init(&t);
	ipvs_table_fini(&t);
	ck_assert_ptr_null(t.svcs);
	ck_assert_uint_eq(t.nsvcs, 0);
	ck_assert_uint_eq(t.cap, 0);
	ipvs_table_fini(&t);
}
END_TEST

START_TEST(table_add_copies_the_conf_and_zeroes_the_rest)
{
	struct ipvs_table t;
	struct ipvs_table_service *ts;
	struct ipvs_table_dest *td;
	struct ipvs_service s;
	struct ipvs_dest d;
	static const struct ipvs_stats zero_stats;
	static const struct ipvs_dest_state zero_state;

	ipvs_table_init(&t);
	nth_service(&s, 5);
	nth_dest(&d, 5, 2);
	ts = ipvs_table_add_service(&t, &s);
	ck_assert_ptr_nonnull(ts);
	ck_assert(ipvs_service_conf_equal(&ts->conf, &s));
	ck_assert_mem_eq(&ts->stats, &zero_stats, sizeof(zero_stats));
	ck_assert_uint_eq(ts->ndests, 0);
	td = ipvs_table_add_dest(ts, &d);
	ck_assert_ptr_nonnull(td);
	ck_assert(ipvs_dest_conf_equal(&td->conf, &d));
	ck_assert_mem_eq(&td->state, &zero_state, sizeof(zero_state));
	ck_assert_uint_eq(ts->ndests, 1);
	ck_assert_uint_eq(ipvs_table_ndests(&t), 1);
	ipvs_table_fini(&t);
	ck_assert_uint_eq(t.nsvcs, 0);
}
END_TEST

START_TEST(table_sort_orders_services_and_real_servers)
{
	struct ipvs_table t;
	size_t i, j;

	ipvs_table_init(&t);
	fill_many(&t);
	ipvs_table_sort(&t);
	ck_assert_uint_eq(t.nsvcs, MANY);
	for (i = 1; i < t.nsvcs; i++)
		ck_assert_int_lt(ipvs_service_key_cmp(&t.svcs[i - 1].conf.key,
						      &t.svcs[i].conf.key), 0);
	for (i = 0; i < t.nsvcs; i++)
		for (j = 1; j < t.svcs[i].ndests; j++)
			ck_assert_int_lt(
				ipvs_dest_key_cmp(&t.svcs[i].dests[j - 1].conf,
						  &t.svcs[i].dests[j].conf), 0);
	ipvs_table_fini(&t);
}
END_TEST

/* After sorting, each service is found by key, with its own real servers. */
START_TEST(table_find_returns_each_service_with_its_dests)
{
	struct ipvs_table t;
	struct ipvs_table_service *ts;
	struct ipvs_service s;
	size_t total, j;
	int i;

	ipvs_table_init(&t);
	total = fill_many(&t);
	ipvs_table_sort(&t);
	ck_assert_uint_eq(ipvs_table_ndests(&t), total);
	for (i = 0; i < MANY; i++) {
		nth_service(&s, i);
		ts = ipvs_table_find(&t, &s.key);
		ck_assert_msg(ts != NULL, "service %d not found", i);
		ck_assert(ipvs_service_conf_equal(&ts->conf, &s));
		ck_assert_uint_eq(ts->ndests, (size_t)(i % MAX_DESTS));
		for (j = 0; j < ts->ndests; j++)
			ck_assert_int_eq(ts->dests[j].conf.weight, i);
	}
	ipvs_table_fini(&t);
}
END_TEST

START_TEST(table_find_of_a_missing_key_is_null)
{
	struct ipvs_table t;
	struct ipvs_service s;
	int i;

	ipvs_table_init(&t);
	fill_many(&t);
	ipvs_table_sort(&t);
	for (i = 0; i < MANY; i += 97) {
		nth_service(&s, i);
		s.key.port++;
		if (s.key.fwmark)
			s.key.fwmark += MANY;
		ck_assert_ptr_null(ipvs_table_find(&t, &s.key));
	}
	fx_svc(&s, IPVS_PROTO_TCP, "0.0.0.0", 0, "rr");       /* below all */
	ck_assert_ptr_null(ipvs_table_find(&t, &s.key));
	fx_svc_fwmark(&s, AF_INET6, 0xffffffff, "rr");        /* above all */
	ck_assert_ptr_null(ipvs_table_find(&t, &s.key));
	ipvs_table_fini(&t);
}
END_TEST

Suite *table_suite(void)
{
	Suite *s = suite_create("table");
	TCase *tc = tcase_create("table");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, table_empty_has_nothing_to_find);
	tcase_add_test(tc, table_fini_on_an_empty_table_and_twice);
	tcase_add_test(tc, table_add_copies_the_conf_and_zeroes_the_rest);
	tcase_add_test(tc, table_sort_orders_services_and_real_servers);
	tcase_add_test(tc, table_find_returns_each_service_with_its_dests);
	tcase_add_test(tc, table_find_of_a_missing_key_is_null);
	suite_add_tcase(s, tc);
	return s;
}
