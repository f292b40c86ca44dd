/*
 * test/unit/test_state.c - ipvs/state.c: the keyed table of services and
 * real servers, its growth and shrinking, the pointers it promises to keep,
 * dumps loaded into it and acknowledged ops applied to it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture.h"
#include "ipvs/state.h"
#include "suites.h"

#define MANY 50000

/* Service @i, all keys distinct: tcp, udp, v6 tcp, v4 and v6 fwmark. */
static void nth_service(struct ipvs_service *s, int i)
{
	char ip[64];

	switch (i % 5) {
	case 0:
	case 1:
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", (i >> 16) & 255,
			 (i >> 8) & 255, i & 255);
		fx_svc(s, i % 5 ? IPVS_PROTO_UDP : IPVS_PROTO_TCP, ip,
		       i % 5 ? 53 : 80, "rr");
		break;
	case 2:
		snprintf(ip, sizeof(ip), "fd00::%x:%x", i >> 16, i & 0xffff);
		fx_svc(s, IPVS_PROTO_TCP, ip, 443, "rr");
		break;
	default:
		fx_svc_fwmark(s, i % 5 == 3 ? AF_INET : AF_INET6,
			      (uint32_t)i + 1, "rr");
		break;
	}
	s->timeout = (uint32_t)i;   /* tells services apart */
}

/* Real server @j: v4 for even j, v6 for odd; its weight names it. */
static void nth_dest(struct ipvs_dest *d, int j)
{
	char ip[64];

	if (j % 2)
		snprintf(ip, sizeof(ip), "fd01::%x:%x", j >> 16, j & 0xffff);
	else
		snprintf(ip, sizeof(ip), "10.200.%d.%d", (j >> 8) & 255,
			 j & 255);
	fx_dest(d, ip, (uint16_t)(8000 + (j >> 16)), IPVS_FWD_MASQ, j);
}

static struct ipvs_state_service *put_nth(struct ipvs_state *st, int i)
{
	struct ipvs_service s;
	struct ipvs_state_service *ss;

	nth_service(&s, i);
	ss = ipvs_state_put(st, &s);
	ck_assert_ptr_nonnull(ss);
	return ss;
}

static struct ipvs_state_service *find_nth(struct ipvs_state *st, int i)
{
	struct ipvs_service s;

	nth_service(&s, i);
	return ipvs_state_find(st, &s.key);
}

static int remove_nth(struct ipvs_state *st, int i)
{
	struct ipvs_service s;

	nth_service(&s, i);
	return ipvs_state_remove(st, &s.key);
}

static struct ipvs_state_dest *dput_nth(struct ipvs_state_service *ss, int j)
{
	struct ipvs_dest d;
	struct ipvs_state_dest *sd;

	nth_dest(&d, j);
	sd = ipvs_state_dest_put(ss, &d);
	ck_assert_ptr_nonnull(sd);
	return sd;
}

static struct ipvs_state_dest *dfind_nth(struct ipvs_state_service *ss, int j)
{
	struct ipvs_dest d;

	nth_dest(&d, j);
	return ipvs_state_dest_find(ss, &d);
}

static int dremove_nth(struct ipvs_state_service *ss, int j)
{
	struct ipvs_dest d;

	nth_dest(&d, j);
	return ipvs_state_dest_remove(ss, &d);
}

/* Counts what a walk visits; stops after @stop_at visits when > 0. */
struct counter {
	int n;
	int stop_at;
};

static int count_svc(struct ipvs_state_service *ss, void *arg)
{
	struct counter *c = arg;

	(void)ss;
	c->n++;
	return c->stop_at && c->n == c->stop_at ? 42 : 0;
}

static int count_dest(struct ipvs_state_dest *sd, void *arg)
{
	struct counter *c = arg;

	(void)sd;
	c->n++;
	return c->stop_at && c->n == c->stop_at ? 43 : 0;
}

static int nsvcs_walked(const struct ipvs_state *st)
{
	struct counter c = { 0, 0 };

	ck_assert_int_eq(ipvs_state_foreach(st, count_svc, &c), 0);
	return c.n;
}

static int ndests_walked(const struct ipvs_state_service *ss)
{
	struct counter c = { 0, 0 };

	ck_assert_int_eq(ipvs_state_dest_foreach(ss, count_dest, &c), 0);
	return c.n;
}

/* ---- services ------------------------------------------------------------ */

START_TEST(state_new_is_empty)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_service s;

	ck_assert_ptr_nonnull(st);
	nth_service(&s, 0);
	ck_assert_uint_eq(ipvs_state_nservices(st), 0);
	ck_assert_uint_eq(ipvs_state_ndests(st), 0);
	ck_assert_ptr_null(ipvs_state_find(st, &s.key));
	ck_assert_int_eq(ipvs_state_remove(st, &s.key), -ENOENT);
	ck_assert_int_eq(nsvcs_walked(st), 0);
	ipvs_state_free(st);
}
END_TEST

START_TEST(state_free_null_is_harmless)
{
	ipvs_state_free(NULL);
}
END_TEST

START_TEST(state_put_inserts_with_no_dests_and_zero_stats)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss;
	struct ipvs_service s;
	static const struct ipvs_stats zero;

	nth_service(&s, 7);
	ss = ipvs_state_put(st, &s);
	ck_assert_ptr_nonnull(ss);
	ck_assert_ptr_eq(ipvs_state_find(st, &s.key), ss);
	ck_assert(ipvs_service_conf_equal(ipvs_state_service_conf(ss), &s));
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), 0);
	ck_assert_mem_eq(ipvs_state_service_stats(ss), &zero, sizeof(zero));
	ck_assert_uint_eq(ipvs_state_nservices(st), 1);
	ipvs_state_free(st);
}
END_TEST

START_TEST(state_put_existing_replaces_conf_keeps_pointer_dests_stats)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss;
	struct ipvs_service s;

	ss = put_nth(st, 3);
	dput_nth(ss, 1);
	ipvs_state_service_stats(ss)->conns = 99;
	nth_service(&s, 3);
	strcpy(s.sched, "wlc");
	fx_persist(&s, 600);
	ck_assert_ptr_eq(ipvs_state_put(st, &s), ss);
	ck_assert(ipvs_service_conf_equal(ipvs_state_service_conf(ss), &s));
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), 1);
	ck_assert_uint_eq(ipvs_state_service_stats(ss)->conns, 99);
	ck_assert_uint_eq(ipvs_state_nservices(st), 1);
	ipvs_state_free(st);
}
END_TEST

START_TEST(state_remove_takes_the_services_dests)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *a, *b;
	int j;

	a = put_nth(st, 0);
	b = put_nth(st, 1);
	for (j = 0; j < 40; j++)
		dput_nth(a, j);
	dput_nth(b, 0);
	ck_assert_uint_eq(ipvs_state_ndests(st), 41);
	ck_assert_int_eq(remove_nth(st, 0), 0);
	ck_assert_ptr_null(find_nth(st, 0));
	ck_assert_ptr_eq(find_nth(st, 1), b);
	ck_assert_uint_eq(ipvs_state_nservices(st), 1);
	ck_assert_uint_eq(ipvs_state_ndests(st), 1);
	ck_assert_int_eq(remove_nth(st, 0), -ENOENT);
	ipvs_state_free(st);
}
END_TEST

START_TEST(state_clear_empties_and_the_state_is_reusable)
{
	struct ipvs_state *st = ipvs_state_new();
	int i;

	for (i = 0; i < 100; i++)
		dput_nth(put_nth(st, i), i);
	ipvs_state_clear(st);
	ck_assert_uint_eq(ipvs_state_nservices(st), 0);
	ck_assert_uint_eq(ipvs_state_ndests(st), 0);
	ck_assert_ptr_null(find_nth(st, 5));
	ck_assert_int_eq(nsvcs_walked(st), 0);
	ipvs_state_clear(st);
	put_nth(st, 5);
	ck_assert_ptr_nonnull(find_nth(st, 5));
	ck_assert_uint_eq(ipvs_state_nservices(st), 1);
	ipvs_state_free(st);
}
END_TEST

/* Each key field alone makes a different service. */
START_TEST(state_each_key_field_tells_services_apart)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_service base, s[6];
	int i;

	fx_svc(&base, IPVS_PROTO_TCP, "10.0.0.1", 80, "rr");
	for (i = 0; i < 6; i++)
		s[i] = base;
	s[1].key.protocol = IPVS_PROTO_UDP;
	s[2].key.port = 81;
	s[3].key.addr.raw[3] = 2;
	s[4].key.af = AF_INET6;
	s[5].key.protocol = 0;
	s[5].key.port = 0;
	memset(&s[5].key.addr, 0, sizeof(s[5].key.addr));
	s[5].key.fwmark = 80;
	for (i = 0; i < 6; i++)
		ck_assert_ptr_nonnull(ipvs_state_put(st, &s[i]));
	ck_assert_uint_eq(ipvs_state_nservices(st), 6);
	for (i = 0; i < 6; i++)
		ck_assert(ipvs_service_conf_equal(
			ipvs_state_service_conf(ipvs_state_find(st, &s[i].key)),
			&s[i]));
	ipvs_state_free(st);
}
END_TEST

/* A v4 key is 4 bytes: what lies past them in the union is not the key. */
START_TEST(state_v4_key_ignores_bytes_past_the_address)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss;
	struct ipvs_service s;

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 80, "rr");
	ss = ipvs_state_put(st, &s);
	memset(s.key.addr.raw + 4, 0xaa, 12);
	ck_assert_ptr_eq(ipvs_state_find(st, &s.key), ss);
	ck_assert_ptr_eq(ipvs_state_put(st, &s), ss);
	ck_assert_uint_eq(ipvs_state_nservices(st), 1);
	ipvs_state_free(st);
}
END_TEST

/* 50,000 keys: many share home slots at every size the table passes. */
START_TEST(state_grows_to_many_services_and_finds_each)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss;
	int i;

	for (i = 0; i < MANY; i++)
		put_nth(st, i);
	ck_assert_uint_eq(ipvs_state_nservices(st), MANY);
	ck_assert_int_eq(nsvcs_walked(st), MANY);
	for (i = 0; i < MANY; i++) {
		ss = find_nth(st, i);
		ck_assert_msg(ss != NULL, "service %d lost", i);
		ck_assert_uint_eq(ipvs_state_service_conf(ss)->timeout,
				  (uint32_t)i);
	}
	for (i = MANY; i < MANY + 1000; i++)
		ck_assert_ptr_null(find_nth(st, i));
	ipvs_state_free(st);
}
END_TEST

/* Removals interleaved with the inserts that make it grow, then removal of
 * nearly all (it shrinks), checked against a plain array. */
START_TEST(state_removal_during_growth_and_shrink)
{
	struct ipvs_state *st = ipvs_state_new();
	static char present[MANY];
	size_t n = 0;
	int i, k;

	memset(present, 0, sizeof(present));
	for (i = 0; i < MANY; i++) {
		put_nth(st, i);
		present[i] = 1;
		n++;
		if (i % 3 == 2) {
			k = (i * 7) % (i + 1);
			if (present[k]) {
				ck_assert_int_eq(remove_nth(st, k), 0);
				present[k] = 0;
				n--;
			} else {
				ck_assert_int_eq(remove_nth(st, k), -ENOENT);
			}
		}
	}
	for (i = 0; i < MANY; i += 1 + (i % 2)) {
		if (present[i] && i % 1000) {
			ck_assert_int_eq(remove_nth(st, i), 0);
			present[i] = 0;
			n--;
		}
	}
	ck_assert_uint_eq(ipvs_state_nservices(st), n);
	ck_assert_int_eq(nsvcs_walked(st), (int)n);
	for (i = 0; i < MANY; i++)
		ck_assert_msg((find_nth(st, i) != NULL) == present[i],
			      "service %d: present %d", i, present[i]);
	ipvs_state_free(st);
}
END_TEST

/* Random puts and removes over a small key space, against a plain array. */
START_TEST(state_random_churn_matches_a_model)
{
	enum { KEYS = 600, STEPS = 40000 };
	struct ipvs_state *st = ipvs_state_new();
	char present[KEYS] = { 0 };
	uint64_t rs = 11;
	size_t n = 0;
	int step, k;

	for (step = 0; step < STEPS; step++) {
		k = (int)fx_below(&rs, KEYS);
		/* Phases bias toward inserts, then removes, so it grows and
		 * shrinks across several table sizes. */
		if (fx_below(&rs, 100) < ((step / 5000) % 2 ? 30u : 70u)) {
			n += !present[k];
			put_nth(st, k);
			present[k] = 1;
		} else {
			ck_assert_int_eq(remove_nth(st, k),
					 present[k] ? 0 : -ENOENT);
			n -= present[k];
			present[k] = 0;
		}
		if (step % 997 == 0)
			for (k = 0; k < KEYS; k++)
				ck_assert((find_nth(st, k) != NULL) ==
					  present[k]);
	}
	ck_assert_uint_eq(ipvs_state_nservices(st), n);
	for (k = 0; k < KEYS; k++)
		ck_assert((find_nth(st, k) != NULL) == present[k]);
	ipvs_state_free(st);
}
END_TEST

/* The promise the agent relies on: a service pointer lives until its
 * service is removed, whatever happens to the others. */
START_TEST(state_service_pointers_survive_growth_and_other_removals)
{
	enum { HELD = 100 };
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *held[HELD];
	struct ipvs_state_dest *sd;
	int i;

	for (i = 0; i < HELD; i++) {
		held[i] = put_nth(st, i);
		dput_nth(held[i], i);
	}
	for (i = HELD; i < MANY; i++)
		put_nth(st, i);
	for (i = HELD; i < MANY; i += 2)
		ck_assert_int_eq(remove_nth(st, i), 0);
	for (i = HELD; i < MANY - 10; i++)
		remove_nth(st, i);   /* shrinks the table several times */
	for (i = 0; i < HELD; i++) {
		ck_assert_ptr_eq(find_nth(st, i), held[i]);
		ck_assert_ptr_eq(put_nth(st, i), held[i]);
		ck_assert_uint_eq(ipvs_state_service_conf(held[i])->timeout,
				  (uint32_t)i);
		sd = dfind_nth(held[i], i);
		ck_assert_ptr_nonnull(sd);
		ck_assert_int_eq(sd->conf.weight, i);
	}
	ipvs_state_free(st);
}
END_TEST

START_TEST(state_service_stats_are_writable_and_kept)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 1);

	ipvs_state_service_stats(ss)->inbytes = 12345;
	ck_assert_uint_eq(ipvs_state_service_stats(find_nth(st, 1))->inbytes,
			  12345);
	ipvs_state_free(st);
}
END_TEST

/* ---- real servers -------------------------------------------------------- */

START_TEST(dest_put_inserts_with_zero_counters)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 0);
	struct ipvs_state_dest *sd;
	struct ipvs_dest d;
	static const struct ipvs_state_conns zero;

	nth_dest(&d, 4);
	sd = ipvs_state_dest_put(ss, &d);
	ck_assert_ptr_nonnull(sd);
	ck_assert(ipvs_dest_conf_equal(&sd->conf, &d));
	ck_assert_mem_eq(&sd->conns, &zero, sizeof(zero));
	ck_assert_ptr_eq(ipvs_state_dest_find(ss, &d), sd);
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), 1);
	ck_assert_uint_eq(ipvs_state_ndests(st), 1);
	ipvs_state_free(st);
}
END_TEST

START_TEST(dest_put_existing_replaces_conf_keeps_counters_and_pointer)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 0);
	struct ipvs_state_dest *sd, *other;
	struct ipvs_dest d;

	other = dput_nth(ss, 1);
	sd = dput_nth(ss, 2);
	sd->conns.active = 5;
	nth_dest(&d, 2);
	d.weight = 0;
	d.u_thresh = 10;
	d.l_thresh = 5;
	ck_assert_ptr_eq(ipvs_state_dest_put(ss, &d), sd);
	ck_assert(ipvs_dest_conf_equal(&sd->conf, &d));
	ck_assert_uint_eq(sd->conns.active, 5);
	ck_assert_ptr_eq(dfind_nth(ss, 1), other);
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), 2);
	ck_assert_uint_eq(ipvs_state_ndests(st), 2);
	ipvs_state_free(st);
}
END_TEST

/* The key is (af, addr, port); forwarding and weight are configuration. */
START_TEST(dest_key_is_family_address_and_port)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 0);
	struct ipvs_dest a, b;

	fx_dest(&a, "10.1.1.1", 80, IPVS_FWD_MASQ, 1);
	ck_assert_ptr_nonnull(ipvs_state_dest_put(ss, &a));
	b = a;
	b.fwd = IPVS_FWD_DROUTE;
	b.weight = 7;
	ck_assert_ptr_nonnull(ipvs_state_dest_find(ss, &b));
	b = a;
	b.port = 81;
	ck_assert_ptr_null(ipvs_state_dest_find(ss, &b));
	b = a;
	b.addr.raw[3] = 2;
	ck_assert_ptr_null(ipvs_state_dest_find(ss, &b));
	b = a;
	b.af = AF_INET6;
	ck_assert_ptr_null(ipvs_state_dest_find(ss, &b));
	b = a;
	memset(b.addr.raw + 4, 0x55, 12);   /* past a v4 address */
	ck_assert_ptr_nonnull(ipvs_state_dest_find(ss, &b));
	ipvs_state_free(st);
}
END_TEST

START_TEST(dest_remove_and_remove_missing)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 0);
	int j;

	for (j = 0; j < 5; j++)
		dput_nth(ss, j);
	ck_assert_int_eq(dremove_nth(ss, 2), 0);
	ck_assert_int_eq(dremove_nth(ss, 2), -ENOENT);
	ck_assert_int_eq(dremove_nth(ss, 99), -ENOENT);
	ck_assert_ptr_null(dfind_nth(ss, 2));
	for (j = 0; j < 5; j++)
		if (j != 2)
			ck_assert_int_eq(dfind_nth(ss, j)->conf.weight, j);
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), 4);
	ck_assert_uint_eq(ipvs_state_ndests(st), 4);
	ck_assert_int_eq(ndests_walked(ss), 4);
	for (j = 0; j < 5; j++)
		dremove_nth(ss, j);
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), 0);
	ck_assert_uint_eq(ipvs_state_ndests(st), 0);
	ck_assert_int_eq(dremove_nth(ss, 0), -ENOENT);
	dput_nth(ss, 3);   /* usable again after it emptied */
	ck_assert_ptr_nonnull(dfind_nth(ss, 3));
	ipvs_state_free(st);
}
END_TEST

/* The state's total follows every service's own count. */
START_TEST(dest_counts_add_up_over_services)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss;
	int i, j;

	for (i = 0; i < 50; i++) {
		ss = put_nth(st, i);
		for (j = 0; j < i; j++)
			dput_nth(ss, j);
		dput_nth(ss, 0);   /* replace: no change in count */
	}
	ck_assert_uint_eq(ipvs_state_ndests(st), 50 * 49 / 2 + 1);
	ck_assert_int_eq(remove_nth(st, 49), 0);
	ck_assert_int_eq(dremove_nth(find_nth(st, 48), 0), 0);
	ck_assert_uint_eq(ipvs_state_ndests(st), 50 * 49 / 2 + 1 - 49 - 1);
	ipvs_state_free(st);
}
END_TEST

/* 20,000 real servers in one service: grows its index many times, then
 * everything is removed in a scrambled order, shrinking it again. */
START_TEST(dest_many_in_one_service)
{
	enum { N = 20000 };
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 0);
	int j, k;

	for (j = 0; j < N; j++)
		dput_nth(ss, j);
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), N);
	ck_assert_int_eq(ndests_walked(ss), N);
	for (j = 0; j < N; j++)
		ck_assert_int_eq(dfind_nth(ss, j)->conf.weight, j);
	for (j = 0; j < N; j++) {
		k = (int)(((long)j * 7919) % N);   /* 7919 is prime to N */
		ck_assert_int_eq(dremove_nth(ss, k), 0);
		if (j % 1999 == 0)
			ck_assert_ptr_null(dfind_nth(ss, k));
	}
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), 0);
	ck_assert_uint_eq(ipvs_state_ndests(st), 0);
	ipvs_state_free(st);
}
END_TEST

/* Random puts and removes in one service across the size where it gains
 * and loses its index, against a plain array. */
START_TEST(dest_random_churn_matches_a_model)
{
	enum { KEYS = 120, STEPS = 60000 };
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 0);
	char present[KEYS] = { 0 };
	uint64_t rs = 5;
	size_t n = 0;
	int step, k, bias;

	for (step = 0; step < STEPS; step++) {
		k = (int)fx_below(&rs, KEYS);
		/* Every 3000 steps the bias swings between growing and
		 * shrinking, so sizes sweep 0..120 over and over. */
		bias = (step / 3000) % 2 ? 25 : 75;
		if ((int)fx_below(&rs, 100) < bias) {
			n += !present[k];
			dput_nth(ss, k);
			present[k] = 1;
		} else {
			ck_assert_int_eq(dremove_nth(ss, k),
					 present[k] ? 0 : -ENOENT);
			n -= present[k];
			present[k] = 0;
		}
		ck_assert_uint_eq(ipvs_state_service_ndests(ss), n);
		if (step % 101 == 0)
			for (k = 0; k < KEYS; k++)
				ck_assert((dfind_nth(ss, k) != NULL) ==
					  present[k]);
	}
	ck_assert_uint_eq(ipvs_state_ndests(st), n);
	ck_assert_int_eq(ndests_walked(ss), (int)n);
	ipvs_state_free(st);
}
END_TEST

/* Changing the conf of a real server moves nothing; changing the set of
 * another service's real servers moves nothing of this one. */
START_TEST(dest_pointers_survive_replace_and_other_services)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *a = put_nth(st, 0), *b = put_nth(st, 1);
	struct ipvs_state_dest *held[30];
	struct ipvs_dest d;
	int j;

	for (j = 0; j < 30; j++)
		dput_nth(a, j);
	for (j = 0; j < 30; j++)   /* inserting may move them: take them now */
		held[j] = dfind_nth(a, j);
	for (j = 0; j < 30; j++) {
		nth_dest(&d, j);
		d.weight = 100 + j;
		ck_assert_ptr_eq(ipvs_state_dest_put(a, &d), held[j]);
	}
	for (j = 0; j < 5000; j++)
		dput_nth(b, j);
	for (j = 0; j < 5000; j += 2)
		dremove_nth(b, j);
	for (j = 0; j < 200; j++)
		put_nth(st, 10 + j);
	ck_assert_int_eq(remove_nth(st, 1), 0);
	for (j = 0; j < 30; j++) {
		ck_assert_ptr_eq(dfind_nth(a, j), held[j]);
		ck_assert_int_eq(held[j]->conf.weight, 100 + j);
	}
	ipvs_state_free(st);
}
END_TEST

/* ---- walks --------------------------------------------------------------- */

struct order {
	int seen[16];
	int n;
};

static int record_svc(struct ipvs_state_service *ss, void *arg)
{
	struct order *o = arg;

	o->seen[o->n++] = (int)ipvs_state_service_conf(ss)->timeout;
	return 0;
}

static int record_dest(struct ipvs_state_dest *sd, void *arg)
{
	struct order *o = arg;

	o->seen[o->n++] = sd->conf.weight;
	return 0;
}

/* Insertion order; a replaced service keeps its place. */
START_TEST(foreach_walks_services_in_insertion_order)
{
	struct ipvs_state *st = ipvs_state_new();
	static const int ins[] = { 5, 3, 9, 1, 7 };
	struct order o = { { 0 }, 0 };
	int i;

	for (i = 0; i < 5; i++)
		put_nth(st, ins[i]);
	put_nth(st, 3);
	remove_nth(st, 9);
	put_nth(st, 9);
	ck_assert_int_eq(ipvs_state_foreach(st, record_svc, &o), 0);
	ck_assert_int_eq(o.n, 5);
	ck_assert_int_eq(o.seen[0], 5);
	ck_assert_int_eq(o.seen[1], 3);
	ck_assert_int_eq(o.seen[2], 1);
	ck_assert_int_eq(o.seen[3], 7);
	ck_assert_int_eq(o.seen[4], 9);
	ipvs_state_free(st);
}
END_TEST

/* Insertion order until a removal moves the last one into the hole. */
START_TEST(dest_foreach_walks_in_insertion_order_until_a_removal)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 0);
	struct order o = { { 0 }, 0 };
	int j;

	for (j = 0; j < 5; j++)
		dput_nth(ss, j);
	ipvs_state_dest_foreach(ss, record_dest, &o);
	for (j = 0; j < 5; j++)
		ck_assert_int_eq(o.seen[j], j);
	dremove_nth(ss, 1);
	o.n = 0;
	ipvs_state_dest_foreach(ss, record_dest, &o);
	ck_assert_int_eq(o.n, 4);
	ck_assert_int_eq(o.seen[0], 0);
	ck_assert_int_eq(o.seen[1], 4);
	ck_assert_int_eq(o.seen[2], 2);
	ck_assert_int_eq(o.seen[3], 3);
	ipvs_state_free(st);
}
END_TEST

START_TEST(foreach_stops_on_non_zero_and_returns_it)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = NULL;
	struct counter c = { 0, 3 };
	int i;

	for (i = 0; i < 10; i++)
		ss = put_nth(st, i);
	for (i = 0; i < 10; i++)
		dput_nth(ss, i);
	ck_assert_int_eq(ipvs_state_foreach(st, count_svc, &c), 42);
	ck_assert_int_eq(c.n, 3);
	c.n = 0;
	ck_assert_int_eq(ipvs_state_dest_foreach(ss, count_dest, &c), 43);
	ck_assert_int_eq(c.n, 3);
	ipvs_state_free(st);
}
END_TEST

static int remove_odd(struct ipvs_state_service *ss, void *arg)
{
	const struct ipvs_service *conf = ipvs_state_service_conf(ss);
	struct ipvs_service_key k = conf->key;

	if (conf->timeout % 2)
		ck_assert_int_eq(ipvs_state_remove(arg, &k), 0);
	return 0;
}

/* Documented exception: the callback may remove the service it is given. */
START_TEST(foreach_callback_may_remove_its_own_service)
{
	struct ipvs_state *st = ipvs_state_new();
	int i;

	for (i = 0; i < 1000; i++)
		put_nth(st, i);
	ck_assert_int_eq(ipvs_state_foreach(st, remove_odd, st), 0);
	ck_assert_uint_eq(ipvs_state_nservices(st), 500);
	for (i = 0; i < 1000; i++)
		ck_assert((find_nth(st, i) != NULL) == !(i % 2));
	ipvs_state_free(st);
}
END_TEST

/* ---- load ---------------------------------------------------------------- */

/* A dump: services @from..@to-1, service i with i % 13 real servers whose
 * counters are marked with the service and the real server. */
static void dump_fill(struct ipvs_table *t, int from, int to)
{
	struct ipvs_table_service *ts;
	struct ipvs_table_dest *td;
	struct ipvs_service s;
	struct ipvs_dest d;
	int i, j;

	for (i = from; i < to; i++) {
		nth_service(&s, i);
		ts = ipvs_table_add_service(t, &s);
		ck_assert_ptr_nonnull(ts);
		ts->stats.conns = (uint64_t)i;
		for (j = 0; j < i % 13; j++) {
			nth_dest(&d, j);
			td = ipvs_table_add_dest(ts, &d);
			ck_assert_ptr_nonnull(td);
			td->state.activeconns = (uint32_t)(i * 100 + j);
		}
	}
}

static void assert_loaded(struct ipvs_state *st, int from, int to)
{
	struct ipvs_state_service *ss;
	struct ipvs_state_dest *sd;
	size_t total = 0;
	int i, j;

	for (i = from; i < to; i++) {
		ss = find_nth(st, i);
		ck_assert_msg(ss != NULL, "service %d not loaded", i);
		ck_assert_uint_eq(ipvs_state_service_stats(ss)->conns,
				  (uint64_t)i);
		ck_assert_uint_eq(ipvs_state_service_ndests(ss),
				  (size_t)(i % 13));
		for (j = 0; j < i % 13; j++) {
			sd = dfind_nth(ss, j);
			ck_assert_ptr_nonnull(sd);
			ck_assert_uint_eq(sd->conns.active,
					  (uint32_t)(i * 100 + j));
		}
		total += (size_t)(i % 13);
	}
	ck_assert_uint_eq(ipvs_state_nservices(st), (size_t)(to - from));
	ck_assert_uint_eq(ipvs_state_ndests(st), total);
}

START_TEST(load_fills_services_dests_and_counters)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_table t;

	ipvs_table_init(&t);
	dump_fill(&t, 0, 3000);
	ck_assert_int_eq(ipvs_state_load(st, &t), 0);
	assert_loaded(st, 0, 3000);
	ipvs_table_fini(&t);
	ipvs_state_free(st);
}
END_TEST

/* A second load replaces: gone services go, kept keys keep their struct,
 * real servers and counters are the new dump's. */
START_TEST(load_replaces_and_keeps_pointers_of_kept_keys)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *held;
	struct ipvs_table t;

	ipvs_table_init(&t);
	dump_fill(&t, 0, 2000);
	ck_assert_int_eq(ipvs_state_load(st, &t), 0);
	held = find_nth(st, 1500);
	dput_nth(held, 77);    /* not in the dump: must go */
	put_nth(st, 9999);     /* not in the dump: must go */
	ipvs_table_fini(&t);
	dump_fill(&t, 1000, 2500);
	ck_assert_int_eq(ipvs_state_load(st, &t), 0);
	assert_loaded(st, 1000, 2500);
	ck_assert_ptr_null(find_nth(st, 999));
	ck_assert_ptr_null(find_nth(st, 9999));
	ck_assert_ptr_eq(find_nth(st, 1500), held);
	ck_assert_ptr_null(dfind_nth(held, 77));
	ipvs_table_fini(&t);
	ipvs_state_free(st);
}
END_TEST

START_TEST(load_of_an_empty_dump_empties)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_table t;

	ipvs_table_init(&t);
	dump_fill(&t, 0, 100);
	ck_assert_int_eq(ipvs_state_load(st, &t), 0);
	ipvs_table_fini(&t);
	ck_assert_int_eq(ipvs_state_load(st, &t), 0);
	ck_assert_uint_eq(ipvs_state_nservices(st), 0);
	ck_assert_uint_eq(ipvs_state_ndests(st), 0);
	ipvs_state_free(st);
}
END_TEST

/* Dumps are not snapshots: a key twice is possible, and the later wins. */
START_TEST(load_duplicate_keys_the_later_wins)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_table_service *ts;
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_table t;

	ipvs_table_init(&t);
	nth_service(&s, 1);
	ts = ipvs_table_add_service(&t, &s);
	nth_dest(&d, 1);
	ipvs_table_add_dest(ts, &d);
	strcpy(s.sched, "sh");
	ts = ipvs_table_add_service(&t, &s);
	nth_dest(&d, 2);
	ipvs_table_add_dest(ts, &d);
	d.weight = 9;
	ipvs_table_add_dest(ts, &d);   /* a real server twice, too */
	ck_assert_int_eq(ipvs_state_load(st, &t), 0);
	ck_assert_uint_eq(ipvs_state_nservices(st), 1);
	ck_assert_str_eq(ipvs_state_service_conf(find_nth(st, 1))->sched, "sh");
	ck_assert_uint_eq(ipvs_state_ndests(st), 1);
	ck_assert_int_eq(dfind_nth(find_nth(st, 1), 2)->conf.weight, 9);
	ipvs_table_fini(&t);
	ipvs_state_free(st);
}
END_TEST

/* One service with many real servers loads with its index. */
START_TEST(load_a_service_with_many_dests)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_table_service *ts;
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_table t;
	int j;

	ipvs_table_init(&t);
	nth_service(&s, 0);
	ts = ipvs_table_add_service(&t, &s);
	for (j = 0; j < 5000; j++) {
		nth_dest(&d, j);
		ipvs_table_add_dest(ts, &d);
	}
	ck_assert_int_eq(ipvs_state_load(st, &t), 0);
	ck_assert_int_eq(ipvs_state_load(st, &t), 0);   /* same size again */
	for (j = 0; j < 5000; j++)
		ck_assert_ptr_nonnull(dfind_nth(find_nth(st, 0), j));
	ck_assert_uint_eq(ipvs_state_ndests(st), 5000);
	ts->ndests = 10;
	ck_assert_int_eq(ipvs_state_load(st, &t), 0);   /* shrinks */
	ck_assert_uint_eq(ipvs_state_ndests(st), 10);
	ck_assert_ptr_null(dfind_nth(find_nth(st, 0), 10));
	ck_assert_ptr_nonnull(dfind_nth(find_nth(st, 0), 9));
	ipvs_table_fini(&t);
	ipvs_state_free(st);
}
END_TEST

/* A dump's services one at a time, in any order, as nl_ipvs_dump_each
 * hands them over: the same as loading the table whole. */
static int load_each(struct ipvs_state *st, struct ipvs_table *t, int reverse)
{
	size_t i, k;
	int r;

	ipvs_state_load_begin(st);
	for (i = 0; i < t->nsvcs; i++) {
		k = reverse ? t->nsvcs - 1 - i : i;
		if ((r = ipvs_state_load_service(st, &t->svcs[k])))
			return r;
	}
	ipvs_state_load_end(st);
	return 0;
}

START_TEST(load_a_service_at_a_time)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *held;
	struct ipvs_table t;

	ipvs_table_init(&t);
	dump_fill(&t, 0, 2000);
	ck_assert_int_eq(load_each(st, &t, 1), 0);
	assert_loaded(st, 0, 2000);
	held = find_nth(st, 1500);
	put_nth(st, 9999);     /* not in the next dump: must go */
	ipvs_table_fini(&t);
	dump_fill(&t, 1000, 2500);
	ck_assert_int_eq(load_each(st, &t, 0), 0);
	assert_loaded(st, 1000, 2500);
	ck_assert_ptr_null(find_nth(st, 999));
	ck_assert_ptr_null(find_nth(st, 9999));
	ck_assert_ptr_eq(find_nth(st, 1500), held);
	/* A dump that fails half way: no end, nothing dropped, what came
	 * is fresh. */
	ipvs_table_fini(&t);
	dump_fill(&t, 0, 10);
	ipvs_state_load_begin(st);
	ck_assert_int_eq(ipvs_state_load_service(st, &t.svcs[3]), 0);
	ck_assert_uint_eq(ipvs_state_nservices(st), 1501);
	ck_assert_ptr_nonnull(find_nth(st, 3));
	ck_assert_ptr_eq(find_nth(st, 1500), held);
	ipvs_table_fini(&t);
	ipvs_state_free(st);
}
END_TEST

/* ---- acknowledged ops ---------------------------------------------------- */

static int apply(struct ipvs_state *st, enum ipvs_op_kind kind, int i, int j,
		 int err)
{
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_op op;

	nth_service(&s, i);
	nth_dest(&d, j);
	fx_op(&op, kind, &s, &d);
	op.err = err;
	return ipvs_state_apply_op(st, &op);
}

START_TEST(apply_add_service_inserts)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_service s;

	ck_assert_int_eq(apply(st, IPVS_OP_ADD_SERVICE, 4, 0, 0), 0);
	nth_service(&s, 4);
	ck_assert(ipvs_service_conf_equal(
		ipvs_state_service_conf(find_nth(st, 4)), &s));
	ck_assert_uint_eq(ipvs_state_service_ndests(find_nth(st, 4)), 0);
	ipvs_state_free(st);
}
END_TEST

/* Acknowledged, so the kernel had no such service: what we cached was wrong. */
START_TEST(apply_add_service_over_a_cached_one_resets_it)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 4);

	dput_nth(ss, 1);
	ipvs_state_service_stats(ss)->conns = 3;
	ck_assert_int_eq(apply(st, IPVS_OP_ADD_SERVICE, 4, 0, 0), 0);
	ck_assert_ptr_eq(find_nth(st, 4), ss);
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), 0);
	ck_assert_uint_eq(ipvs_state_ndests(st), 0);
	ck_assert_uint_eq(ipvs_state_service_stats(ss)->conns, 0);
	ipvs_state_free(st);
}
END_TEST

START_TEST(apply_edit_service_sets_conf_keeps_dests)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 4);
	struct ipvs_service s;
	struct ipvs_op op;

	dput_nth(ss, 1);
	nth_service(&s, 4);
	strcpy(s.sched, "mh");
	fx_op(&op, IPVS_OP_EDIT_SERVICE, &s, NULL);
	ck_assert_int_eq(ipvs_state_apply_op(st, &op), 0);
	ck_assert_ptr_eq(find_nth(st, 4), ss);
	ck_assert_str_eq(ipvs_state_service_conf(ss)->sched, "mh");
	ck_assert_uint_eq(ipvs_state_service_ndests(ss), 1);
	ipvs_state_free(st);
}
END_TEST

/* The kernel accepted an edit, so it has the service: learn it. */
START_TEST(apply_edit_service_of_an_uncached_one_inserts_it)
{
	struct ipvs_state *st = ipvs_state_new();

	ck_assert_int_eq(apply(st, IPVS_OP_EDIT_SERVICE, 4, 0, 0), 0);
	ck_assert_ptr_nonnull(find_nth(st, 4));
	ipvs_state_free(st);
}
END_TEST

START_TEST(apply_del_service_removes_it_and_its_dests)
{
	struct ipvs_state *st = ipvs_state_new();
	int j;

	for (j = 0; j < 20; j++)
		dput_nth(put_nth(st, 4), j);
	put_nth(st, 5);
	ck_assert_int_eq(apply(st, IPVS_OP_DEL_SERVICE, 4, 0, 0), 0);
	ck_assert_ptr_null(find_nth(st, 4));
	ck_assert_ptr_nonnull(find_nth(st, 5));
	ck_assert_uint_eq(ipvs_state_ndests(st), 0);
	ck_assert_int_eq(apply(st, IPVS_OP_DEL_SERVICE, 4, 0, 0), 0);
	ck_assert_uint_eq(ipvs_state_nservices(st), 1);
	ipvs_state_free(st);
}
END_TEST

START_TEST(apply_add_dest_puts_it)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 4);

	ck_assert_int_eq(apply(st, IPVS_OP_ADD_DEST, 4, 6, 0), 0);
	ck_assert_int_eq(dfind_nth(ss, 6)->conf.weight, 6);
	ck_assert_uint_eq(ipvs_state_ndests(st), 1);
	ipvs_state_free(st);
}
END_TEST

/* The kernel would have refused it (ESRCH): nothing to record. */
START_TEST(apply_add_dest_to_a_missing_service_does_nothing)
{
	struct ipvs_state *st = ipvs_state_new();

	put_nth(st, 5);
	ck_assert_int_eq(apply(st, IPVS_OP_ADD_DEST, 4, 6, 0), 0);
	ck_assert_ptr_null(find_nth(st, 4));
	ck_assert_uint_eq(ipvs_state_nservices(st), 1);
	ck_assert_uint_eq(ipvs_state_ndests(st), 0);
	ipvs_state_free(st);
}
END_TEST

START_TEST(apply_edit_dest_sets_conf_keeps_counters)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 4);
	struct ipvs_state_dest *sd = dput_nth(ss, 6);
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_op op;

	sd->conns.inactive = 8;
	nth_service(&s, 4);
	nth_dest(&d, 6);
	d.weight = 0;
	fx_op(&op, IPVS_OP_EDIT_DEST, &s, &d);
	ck_assert_int_eq(ipvs_state_apply_op(st, &op), 0);
	ck_assert_ptr_eq(dfind_nth(ss, 6), sd);
	ck_assert_int_eq(sd->conf.weight, 0);
	ck_assert_uint_eq(sd->conns.inactive, 8);
	ipvs_state_free(st);
}
END_TEST

START_TEST(apply_del_dest_removes_it)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 4);

	dput_nth(ss, 6);
	dput_nth(ss, 7);
	ck_assert_int_eq(apply(st, IPVS_OP_DEL_DEST, 4, 6, 0), 0);
	ck_assert_ptr_null(dfind_nth(ss, 6));
	ck_assert_ptr_nonnull(dfind_nth(ss, 7));
	ck_assert_int_eq(apply(st, IPVS_OP_DEL_DEST, 4, 6, 0), 0);
	ck_assert_int_eq(apply(st, IPVS_OP_DEL_DEST, 9, 6, 0), 0);
	ck_assert_uint_eq(ipvs_state_ndests(st), 1);
	ipvs_state_free(st);
}
END_TEST

/* A failed op, of any kind, changes nothing. */
START_TEST(apply_failed_op_changes_nothing)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth(st, 4);
	enum ipvs_op_kind kind = (enum ipvs_op_kind)_i;
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_op op;

	dput_nth(ss, 6);
	nth_service(&s, kind == IPVS_OP_ADD_SERVICE ? 5 : 4);
	strcpy(s.sched, "sh");
	nth_dest(&d, kind == IPVS_OP_ADD_DEST ? 7 : 6);
	d.weight = 50;
	fx_op(&op, kind, &s, &d);
	op.err = EEXIST;
	ck_assert_int_eq(ipvs_state_apply_op(st, &op), 0);
	ck_assert_uint_eq(ipvs_state_nservices(st), 1);
	ck_assert_ptr_eq(find_nth(st, 4), ss);
	ck_assert_str_eq(ipvs_state_service_conf(ss)->sched, "rr");
	ck_assert_uint_eq(ipvs_state_ndests(st), 1);
	ck_assert_int_eq(dfind_nth(ss, 6)->conf.weight, 6);
	ipvs_state_free(st);
}
END_TEST

Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *svc = tcase_create("services");
	TCase *dst = tcase_create("dests");
	TCase *walk = tcase_create("walks");
	TCase *load = tcase_create("load");
	TCase *ack = tcase_create("apply_op");

	tcase_set_timeout(svc, 120);
	tcase_add_test(svc, state_new_is_empty);
	tcase_add_test(svc, state_free_null_is_harmless);
	tcase_add_test(svc, state_put_inserts_with_no_dests_and_zero_stats);
	tcase_add_test(svc, state_put_existing_replaces_conf_keeps_pointer_dests_stats);
	tcase_add_test(svc, state_remove_takes_the_services_dests);
	tcase_add_test(svc, state_clear_empties_and_the_state_is_reusable);
	tcase_add_test(svc, state_each_key_field_tells_services_apart);
	tcase_add_test(svc, state_v4_key_ignores_bytes_past_the_address);
	tcase_add_test(svc, state_grows_to_many_services_and_finds_each);
	tcase_add_test(svc, state_removal_during_growth_and_shrink);
	tcase_add_test(svc, state_random_churn_matches_a_model);
	tcase_add_test(svc, state_service_pointers_survive_growth_and_other_removals);
	tcase_add_test(svc, state_service_stats_are_writable_and_kept);
	suite_add_tcase(s, svc);

	tcase_set_timeout(dst, 120);
	tcase_add_test(dst, dest_put_inserts_with_zero_counters);
	tcase_add_test(dst, dest_put_existing_replaces_conf_keeps_counters_and_pointer);
	tcase_add_test(dst, dest_key_is_family_address_and_port);
	tcase_add_test(dst, dest_remove_and_remove_missing);
	tcase_add_test(dst, dest_counts_add_up_over_services);
	tcase_add_test(dst, dest_many_in_one_service);
	tcase_add_test(dst, dest_random_churn_matches_a_model);
	tcase_add_test(dst, dest_pointers_survive_replace_and_other_services);
	suite_add_tcase(s, dst);

	tcase_add_test(walk, foreach_walks_services_in_insertion_order);
	tcase_add_test(walk, dest_foreach_walks_in_insertion_order_until_a_removal);
	tcase_add_test(walk, foreach_stops_on_non_zero_and_returns_it);
	tcase_add_test(walk, foreach_callback_may_remove_its_own_service);
	suite_add_tcase(s, walk);

	tcase_set_timeout(load, 60);
	tcase_add_test(load, load_fills_services_dests_and_counters);
	tcase_add_test(load, load_replaces_and_keeps_pointers_of_kept_keys);
	tcase_add_test(load, load_of_an_empty_dump_empties);
	tcase_add_test(load, load_duplicate_keys_the_later_wins);
	tcase_add_test(load, load_a_service_with_many_dests);
	tcase_add_test(load, load_a_service_at_a_time);
	suite_add_tcase(s, load);

	tcase_add_test(ack, apply_add_service_inserts);
	tcase_add_test(ack, apply_add_service_over_a_cached_one_resets_it);
	tcase_add_test(ack, apply_edit_service_sets_conf_keeps_dests);
	tcase_add_test(ack, apply_edit_service_of_an_uncached_one_inserts_it);
	tcase_add_test(ack, apply_del_service_removes_it_and_its_dests);
	tcase_add_test(ack, apply_add_dest_puts_it);
	tcase_add_test(ack, apply_add_dest_to_a_missing_service_does_nothing);
	tcase_add_test(ack, apply_edit_dest_sets_conf_keeps_counters);
	tcase_add_test(ack, apply_del_dest_removes_it);
	tcase_add_loop_test(ack, apply_failed_op_changes_nothing,
			    IPVS_OP_ADD_SERVICE, IPVS_OP_DEL_DEST + 1);
	suite_add_tcase(s, ack);
	return s;
}
