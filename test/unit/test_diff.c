/*
 * test/unit/test_diff.c - ipvs/diff.c: the ops between two states, one
 * rule per test, their order, the keep() filter, and a property test that
 * applying the ops really turns one random state into the other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture.h"
#include "ipvs/diff.h"
#include "suites.h"

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Service @i: v4 tcp, v4 udp, v6 tcp or v4 fwmark, all keys distinct. */
static void nth_service(struct ipvs_service *s, int i)
{
	char ip[64];

	switch (i % 4) {
	case 0:
	case 1:
		snprintf(ip, sizeof(ip), "10.%d.%d.1", (i >> 8) & 255, i & 255);
		fx_svc(s, i % 4 ? IPVS_PROTO_UDP : IPVS_PROTO_TCP, ip,
		       i % 4 ? 53 : 80, "rr");
		break;
	case 2:
		snprintf(ip, sizeof(ip), "fd00::%x", i);
		fx_svc(s, IPVS_PROTO_TCP, ip, 443, "rr");
		break;
	default:
		fx_svc_fwmark(s, AF_INET, (uint32_t)i + 1, "rr");
		break;
	}
}

/* Real server @j for service @i: of the service's family. */
static void nth_dest(struct ipvs_dest *d, int i, int j)
{
	char ip[64];

	if (i % 4 == 2)
		snprintf(ip, sizeof(ip), "fd01::%x", j + 1);
	else
		snprintf(ip, sizeof(ip), "10.200.%d.%d", (j >> 8) & 255,
			 1 + (j & 127));
	fx_dest(d, ip, (uint16_t)(8000 + (j >> 7)), IPVS_FWD_MASQ, 1);
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

/* Service @i with real servers 0..@n-1. */
static struct ipvs_state_service *put_nth_with(struct ipvs_state *st, int i,
					       int n)
{
	struct ipvs_state_service *ss = put_nth(st, i);
	struct ipvs_dest d;
	int j;

	for (j = 0; j < n; j++) {
		nth_dest(&d, i, j);
		ck_assert_ptr_nonnull(ipvs_state_dest_put(ss, &d));
	}
	return ss;
}

static struct ipvs_state_dest *dest_of(struct ipvs_state_service *ss, int i,
				       int j)
{
	struct ipvs_dest d;

	nth_dest(&d, i, j);
	return ipvs_state_dest_find(ss, &d);
}

static int copy_dest(struct ipvs_state_dest *sd, void *arg)
{
	struct ipvs_state_dest *nd = ipvs_state_dest_put(arg, &sd->conf);

	ck_assert_ptr_nonnull(nd);
	nd->conns = sd->conns;
	return 0;
}

static int copy_service(struct ipvs_state_service *ss, void *arg)
{
	struct ipvs_state_service *ns =
		ipvs_state_put(arg, ipvs_state_service_conf(ss));

	ck_assert_ptr_nonnull(ns);
	return ipvs_state_dest_foreach(ss, copy_dest, ns);
}

static struct ipvs_state *state_copy(const struct ipvs_state *src)
{
	struct ipvs_state *st = ipvs_state_new();

	ck_assert_ptr_nonnull(st);
	ipvs_state_foreach(src, copy_service, st);
	return st;
}

/* Run a diff that must succeed. */
static void diff(const struct ipvs_state *want, const struct ipvs_state *have,
		 struct ipvs_ops *ops)
{
	ck_assert_int_eq(ipvs_diff(want, have, NULL, NULL, ops), 0);
}

static void assert_op(const struct ipvs_ops *ops, size_t i,
		      enum ipvs_op_kind kind, const struct ipvs_service *s,
		      const struct ipvs_dest *d)
{
	const struct ipvs_op *op;

	ck_assert_msg(i < ops->n, "op %zu missing: only %zu", i, ops->n);
	op = &ops->v[i];
	ck_assert_int_eq(op->kind, kind);
	ck_assert_int_eq(op->err, 0);
	if (s)
		ck_assert(ipvs_service_conf_equal(&op->svc, s));
	if (d)
		ck_assert(ipvs_dest_conf_equal(&op->dest, d));
}

/* ---- the ops array ------------------------------------------------------- */

START_TEST(ops_push_copies_and_grows)
{
	struct ipvs_ops ops;
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_op *op;
	int i;

	ipvs_ops_init(&ops);
	ck_assert_uint_eq(ops.n, 0);
	for (i = 0; i < 1000; i++) {
		nth_service(&s, i);
		nth_dest(&d, i, i);
		op = ipvs_ops_push(&ops, IPVS_OP_ADD_DEST, &s, &d);
		ck_assert_ptr_nonnull(op);
		ck_assert_int_eq(op->err, 0);
	}
	ck_assert_uint_eq(ops.n, 1000);
	ck_assert_uint_ge(ops.cap, 1000);
	for (i = 0; i < 1000; i++) {
		nth_service(&s, i);
		nth_dest(&d, i, i);
		assert_op(&ops, (size_t)i, IPVS_OP_ADD_DEST, &s, &d);
	}
	ipvs_ops_clear(&ops);
	ck_assert_uint_eq(ops.n, 0);
	ipvs_ops_fini(&ops);
	ck_assert_ptr_null(ops.v);
	ck_assert_uint_eq(ops.cap, 0);
	ipvs_ops_fini(&ops);
}
END_TEST

START_TEST(ops_push_without_dest_zeroes_it)
{
	struct ipvs_ops ops;
	struct ipvs_service s;
	struct ipvs_op *op;
	static const struct ipvs_dest zero;

	ipvs_ops_init(&ops);
	nth_service(&s, 2);
	op = ipvs_ops_push(&ops, IPVS_OP_DEL_SERVICE, &s, NULL);
	ck_assert_ptr_nonnull(op);
	ck_assert_int_eq(op->kind, IPVS_OP_DEL_SERVICE);
	ck_assert_mem_eq(&op->dest, &zero, sizeof(zero));
	ipvs_ops_fini(&ops);
}
END_TEST

/* ---- one rule per test --------------------------------------------------- */

START_TEST(diff_of_empty_and_null_states_is_empty)
{
	struct ipvs_state *a = ipvs_state_new(), *b = ipvs_state_new();
	struct ipvs_ops ops;

	ipvs_ops_init(&ops);
	diff(a, b, &ops);
	diff(NULL, NULL, &ops);
	diff(a, NULL, &ops);
	diff(NULL, b, &ops);
	ck_assert_int_eq(ipvs_diff_service(NULL, NULL, &ops), 0);
	ck_assert_uint_eq(ops.n, 0);
	ipvs_ops_fini(&ops);
	ipvs_state_free(a);
	ipvs_state_free(b);
}
END_TEST

START_TEST(diff_of_equal_states_is_empty)
{
	struct ipvs_state *a = ipvs_state_new(), *b;
	struct ipvs_ops ops;
	int i;

	for (i = 0; i < 200; i++)
		put_nth_with(a, i, i % 30);
	b = state_copy(a);
	ipvs_ops_init(&ops);
	diff(a, b, &ops);
	diff(b, a, &ops);
	ck_assert_uint_eq(ops.n, 0);
	ipvs_ops_fini(&ops);
	ipvs_state_free(a);
	ipvs_state_free(b);
}
END_TEST

/* The kernel sets HASHED itself: a dump that shows it differs in nothing. */
START_TEST(diff_ignores_kernel_owned_service_flags)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_service s;
	struct ipvs_ops ops;

	nth_service(&s, 0);
	ipvs_state_put(want, &s);
	s.flags |= IPVS_SVC_F_HASHED;
	ipvs_state_put(have, &s);
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 0);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

START_TEST(diff_service_missing_in_have_adds_it_then_its_dests)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_ops ops;
	int j;

	put_nth_with(want, 1, 3);
	nth_service(&s, 1);
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 4);
	assert_op(&ops, 0, IPVS_OP_ADD_SERVICE, &s, NULL);
	for (j = 0; j < 3; j++) {
		nth_dest(&d, 1, j);
		assert_op(&ops, (size_t)j + 1, IPVS_OP_ADD_DEST, &s, &d);
	}
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

START_TEST(diff_service_missing_in_have_without_dests_is_one_add)
{
	struct ipvs_state *want = ipvs_state_new();
	struct ipvs_ops ops;

	put_nth(want, 2);
	ipvs_ops_init(&ops);
	diff(want, NULL, &ops);
	ck_assert_uint_eq(ops.n, 1);
	assert_op(&ops, 0, IPVS_OP_ADD_SERVICE, NULL, NULL);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
}
END_TEST

/* One delete: the kernel takes the real servers with the service. */
START_TEST(diff_service_missing_in_want_is_one_delete)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_service s;
	struct ipvs_ops ops;

	put_nth_with(have, 3, 25);
	nth_service(&s, 3);
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 1);
	assert_op(&ops, 0, IPVS_OP_DEL_SERVICE, &s, NULL);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* Each configurable field of a service alone makes one edit in place. */
static void svc_change(struct ipvs_service *s, int field)
{
	switch (field) {
	case 0:
		strcpy(s->sched, "wrr");
		break;
	case 1:
		fx_persist(s, 300);
		break;
	case 2:
		s->flags |= IPVS_SVC_F_SCHED1;
		break;
	case 3:
		s->timeout = 77;
		break;
	case 4:
		s->netmask = 0xffffff00;
		break;
	default:
		strcpy(s->pe_name, "sip");
		break;
	}
}

START_TEST(diff_service_conf_change_is_one_edit_with_want_conf)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_service s;
	struct ipvs_ops ops;

	put_nth_with(have, 0, 4);
	nth_service(&s, 0);
	svc_change(&s, _i);
	put_nth_with(want, 0, 4);
	ipvs_state_put(want, &s);
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 1);
	assert_op(&ops, 0, IPVS_OP_EDIT_SERVICE, &s, NULL);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

START_TEST(diff_dest_missing_in_have_is_an_add)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_ops ops;

	put_nth_with(have, 0, 2);
	put_nth_with(want, 0, 3);
	nth_service(&s, 0);
	nth_dest(&d, 0, 2);
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 1);
	assert_op(&ops, 0, IPVS_OP_ADD_DEST, &s, &d);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

START_TEST(diff_dest_missing_in_want_is_a_delete)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_ops ops;

	put_nth_with(have, 0, 3);
	put_nth_with(want, 0, 2);
	nth_service(&s, 0);
	nth_dest(&d, 0, 2);
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 1);
	assert_op(&ops, 0, IPVS_OP_DEL_DEST, &s, &d);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* Each configurable field of a real server alone makes one edit. */
static void dest_change(struct ipvs_dest *d, int field)
{
	switch (field) {
	case 0:
		d->fwd = IPVS_FWD_DROUTE;
		break;
	case 1:
		d->weight = 0;
		break;
	case 2:
		d->u_thresh = 100;
		break;
	case 3:
		d->u_thresh = 100;   /* both, as l <= u must hold */
		d->l_thresh = 50;
		break;
	case 4:
		d->fwd = IPVS_FWD_TUNNEL;
		d->tun_type = IPVS_TUN_GRE;
		break;
	case 5:
		d->fwd = IPVS_FWD_TUNNEL;
		d->tun_type = IPVS_TUN_GUE;
		d->tun_port = 6080;
		break;
	default:
		d->fwd = IPVS_FWD_TUNNEL;
		d->tun_flags = IPVS_TUN_F_CSUM;
		break;
	}
}

START_TEST(diff_dest_conf_change_is_one_edit_with_want_conf)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_ops ops;

	put_nth_with(have, 0, 3);
	put_nth_with(want, 0, 3);
	nth_service(&s, 0);
	nth_dest(&d, 0, 1);
	dest_change(&d, _i);
	ck_assert_ptr_nonnull(
		ipvs_state_dest_put(ipvs_state_find(want, &s.key), &d));
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 1);
	assert_op(&ops, 0, IPVS_OP_EDIT_DEST, &s, &d);
	ck_assert_int_eq(ipvs_op_check(&ops.v[0], NULL, 0), 0);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* Counters are not configuration: real servers that differ only there
 * need nothing. */
START_TEST(diff_ignores_counters)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_state_service *hs;
	struct ipvs_ops ops;

	put_nth_with(want, 0, 3);
	hs = put_nth_with(have, 0, 3);
	ipvs_state_service_stats(hs)->conns = 5;
	dest_of(hs, 0, 1)->conns.active = 9;
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 0);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* All kinds at once on one service: EDIT_SERVICE, DEL_DEST, ADD_DEST,
 * EDIT_DEST, and every dest op names the service by want's conf. */
START_TEST(diff_within_a_service_edit_then_del_then_add_then_edit)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_state_service *ws;
	struct ipvs_service s;
	struct ipvs_dest d[6];
	struct ipvs_ops ops;
	int j;

	put_nth_with(have, 0, 4);     /* 0 1 2 3 */
	nth_service(&s, 0);
	strcpy(s.sched, "lc");
	ws = ipvs_state_put(want, &s);
	for (j = 0; j < 6; j++)
		nth_dest(&d[j], 0, j);
	d[1].weight = 5;
	d[3].weight = 0;
	/* want: 3' 5 1' 4 0  (2 goes; 4 and 5 come; 1 and 3 change) */
	ipvs_state_dest_put(ws, &d[3]);
	ipvs_state_dest_put(ws, &d[5]);
	ipvs_state_dest_put(ws, &d[1]);
	ipvs_state_dest_put(ws, &d[4]);
	ipvs_state_dest_put(ws, &d[0]);
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 6);
	assert_op(&ops, 0, IPVS_OP_EDIT_SERVICE, &s, NULL);
	assert_op(&ops, 1, IPVS_OP_DEL_DEST, &s, &d[2]);
	assert_op(&ops, 2, IPVS_OP_ADD_DEST, &s, &d[5]);   /* want's order */
	assert_op(&ops, 3, IPVS_OP_ADD_DEST, &s, &d[4]);
	assert_op(&ops, 4, IPVS_OP_EDIT_DEST, &s, &d[3]);
	assert_op(&ops, 5, IPVS_OP_EDIT_DEST, &s, &d[1]);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* Deletions of whole services come first, then each service's run. */
START_TEST(diff_deletes_services_before_anything_else)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_ops ops;

	put_nth_with(want, 1, 1);     /* add */
	put_nth_with(have, 2, 1);     /* delete */
	put_nth_with(want, 3, 2);     /* one more real server */
	put_nth_with(have, 3, 1);
	put_nth_with(have, 4, 1);     /* delete */
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 5);
	assert_op(&ops, 0, IPVS_OP_DEL_SERVICE, NULL, NULL);
	assert_op(&ops, 1, IPVS_OP_DEL_SERVICE, NULL, NULL);
	assert_op(&ops, 2, IPVS_OP_ADD_SERVICE, NULL, NULL);
	assert_op(&ops, 3, IPVS_OP_ADD_DEST, NULL, NULL);
	assert_op(&ops, 4, IPVS_OP_ADD_DEST, NULL, NULL);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* The same states give the same list, op for op. */
START_TEST(diff_is_deterministic)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_ops a, b;
	int i;

	for (i = 0; i < 300; i++) {
		if (i % 3)
			put_nth_with(want, i, i % 7);
		if (i % 5)
			put_nth_with(have, i, i % 11);
	}
	ipvs_ops_init(&a);
	ipvs_ops_init(&b);
	diff(want, have, &a);
	diff(want, have, &b);
	ck_assert_uint_gt(a.n, 0);
	ck_assert_uint_eq(a.n, b.n);
	ck_assert_mem_eq(a.v, b.v, a.n * sizeof(*a.v));
	ipvs_ops_fini(&a);
	ipvs_ops_fini(&b);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* ipvs_diff_service alone, with either side NULL. */
START_TEST(diff_service_with_one_side_null)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_state_service *ss = put_nth_with(st, 5, 2);
	struct ipvs_ops ops;

	ipvs_ops_init(&ops);
	ck_assert_int_eq(ipvs_diff_service(ss, NULL, &ops), 0);
	ck_assert_uint_eq(ops.n, 3);
	ck_assert_int_eq(ops.v[0].kind, IPVS_OP_ADD_SERVICE);
	ipvs_ops_clear(&ops);
	ck_assert_int_eq(ipvs_diff_service(NULL, ss, &ops), 0);
	ck_assert_uint_eq(ops.n, 1);
	ck_assert_int_eq(ops.v[0].kind, IPVS_OP_DEL_SERVICE);
	ipvs_ops_clear(&ops);
	ck_assert_int_eq(ipvs_diff_service(ss, ss, &ops), 0);
	ck_assert_uint_eq(ops.n, 0);
	ipvs_ops_fini(&ops);
	ipvs_state_free(st);
}
END_TEST

/* A diff appends: what @out held stays in front. */
START_TEST(diff_appends_to_what_out_holds)
{
	struct ipvs_state *want = ipvs_state_new();
	struct ipvs_service s;
	struct ipvs_ops ops;

	put_nth(want, 1);
	nth_service(&s, 9);
	ipvs_ops_init(&ops);
	ipvs_ops_push(&ops, IPVS_OP_DEL_SERVICE, &s, NULL);
	diff(want, NULL, &ops);
	ck_assert_uint_eq(ops.n, 2);
	assert_op(&ops, 0, IPVS_OP_DEL_SERVICE, &s, NULL);
	assert_op(&ops, 1, IPVS_OP_ADD_SERVICE, NULL, NULL);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
}
END_TEST

/* keep() says which keys are ours: the others get no op, on either side. */
static int keep_even(const struct ipvs_service_key *k, void *arg)
{
	int *calls = arg;

	(*calls)++;
	/* nth_service: i % 4 == 0 is tcp port 80, 3 is a fwmark */
	return k->port == 80 || k->fwmark != 0;
}

START_TEST(diff_keep_filters_both_sides)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_ops ops;
	int calls = 0, i;
	size_t k;

	for (i = 0; i < 40; i++) {
		put_nth_with(i < 20 ? want : have, i, 2);
		put_nth_with(i < 20 ? have : want, i + 100, 1);
	}
	ipvs_ops_init(&ops);
	ck_assert_int_eq(ipvs_diff(want, have, keep_even, &calls, &ops), 0);
	ck_assert_int_gt(calls, 0);
	ck_assert_int_le(calls, 2 * 80);
	/* of each 4 keys, 2 kept: 40 kept keys; 10 adds of 3 ops, 10 with 2 */
	ck_assert_uint_eq(ops.n, 20 + 10 * 3 + 10 * 2);
	for (k = 0; k < ops.n; k++)
		ck_assert(ops.v[k].svc.key.port == 80 ||
			  ops.v[k].svc.key.fwmark);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* Thousands of real servers in one service, half overlapping. */
START_TEST(diff_many_dests_in_one_service)
{
	struct ipvs_state *want = ipvs_state_new(), *have = ipvs_state_new();
	struct ipvs_state_service *ws, *hs;
	struct ipvs_dest d;
	struct ipvs_ops ops;
	size_t k, n[6] = { 0 };
	int j;

	ws = put_nth(want, 0);
	hs = put_nth(have, 0);
	for (j = 0; j < 6000; j++) {
		nth_dest(&d, 0, j);
		if (j >= 2000)
			ipvs_state_dest_put(ws, &d);
		if (j < 4000) {
			d.weight = j % 3 ? 1 : 2;
			ipvs_state_dest_put(hs, &d);
		}
	}
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	for (k = 0; k < ops.n; k++)
		n[ops.v[k].kind]++;
	ck_assert_uint_eq(n[IPVS_OP_DEL_DEST], 2000);
	ck_assert_uint_eq(n[IPVS_OP_ADD_DEST], 2000);
	ck_assert_uint_eq(n[IPVS_OP_EDIT_DEST], 667);   /* j % 3 == 0 */
	ck_assert_uint_eq(ops.n, 2000 + 2000 + 667);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* The steady state at scale: 10,000 x 10 equal gives nothing, and one
 * changed real server gives exactly one op. */
START_TEST(diff_at_scale_is_proportional_to_the_change)
{
	struct ipvs_state *want = ipvs_state_new(), *have;
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_ops ops;
	int i;

	for (i = 0; i < 10000; i++)
		put_nth_with(want, i, 10);
	have = state_copy(want);
	ipvs_ops_init(&ops);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 0);
	nth_service(&s, 4321);
	nth_dest(&d, 4321, 3);
	d.weight = 0;
	ipvs_state_dest_put(ipvs_state_find(want, &s.key), &d);
	diff(want, have, &ops);
	ck_assert_uint_eq(ops.n, 1);
	assert_op(&ops, 0, IPVS_OP_EDIT_DEST, &s, &d);
	ipvs_ops_fini(&ops);
	ipvs_state_free(want);
	ipvs_state_free(have);
}
END_TEST

/* ---- the property: apply(diff(B, A), A) == B ----------------------------- */

#define P_ROUNDS 400
#define P_SVC_KEYS 24     /* small, so A's and B's keys overlap */
#define P_DEST_KEYS 40    /* more than a service's index threshold */

static const char *const p_scheds[] = { "rr", "wrr", "lc", "wlc", "sh", "mh" };

/* A valid random configuration for service key @i (kernel would take it). */
static void p_service(uint64_t *rs, struct ipvs_service *s, int i)
{
	nth_service(s, i);
	strcpy(s->sched, p_scheds[fx_below(rs, N_ELEMS(p_scheds))]);
	if (fx_below(rs, 3) == 0)
		fx_persist(s, 60 + fx_below(rs, 3) * 100);
	if (fx_below(rs, 4) == 0)
		s->flags |= IPVS_SVC_F_SCHED1 << fx_below(rs, 3);
	/* One-packet scheduling: UDP and fwmark services only. */
	if ((i % 4 == 1 || i % 4 == 3) && fx_below(rs, 4) == 0)
		s->flags |= IPVS_SVC_F_ONEPACKET;
	if (s->flags & IPVS_SVC_F_PERSISTENT && fx_below(rs, 2))
		s->netmask = s->key.af == AF_INET6 ? 64 : 0xffffff00;
	if (fx_below(rs, 6) == 0)
		strcpy(s->pe_name, "sip");
}

/* A valid random configuration for real server key @j of service @i. */
static void p_dest(uint64_t *rs, struct ipvs_dest *d, int i, int j)
{
	nth_dest(d, i, j);
	d->fwd = fx_below(rs, 4);
	d->weight = (int32_t)fx_below(rs, 4);
	d->u_thresh = fx_below(rs, 3) * 50;
	d->l_thresh = d->u_thresh ? fx_below(rs, 2) * 20 : 0;
	if (d->fwd == IPVS_FWD_TUNNEL) {
		d->tun_type = (uint8_t)fx_below(rs, 3);
		d->tun_port = d->tun_type == IPVS_TUN_GUE ? 6080 : 0;
		d->tun_flags = (uint16_t)fx_below(rs, 3);
	}
}

static void p_fill_service(uint64_t *rs, struct ipvs_state_service *ss, int i)
{
	struct ipvs_dest d;
	int j, n = (int)fx_below(rs, 3) == 0 ? P_DEST_KEYS : 12;

	for (j = 0; j < P_DEST_KEYS; j++) {
		if ((int)fx_below(rs, P_DEST_KEYS) >= n)
			continue;
		p_dest(rs, &d, i, j);
		ck_assert_ptr_nonnull(ipvs_state_dest_put(ss, &d));
	}
}

static struct ipvs_state *p_random(uint64_t *rs)
{
	struct ipvs_state *st = ipvs_state_new();
	struct ipvs_service s;
	int i;

	for (i = 0; i < P_SVC_KEYS; i++) {
		if (fx_below(rs, 5) < 2)
			continue;
		p_service(rs, &s, i);
		p_fill_service(rs, ipvs_state_put(st, &s), i);
	}
	return st;
}

/* B from A: each service kept, changed a little, replaced, dropped or new;
 * each kept service's real servers likewise. */
static void p_mutate_dests(uint64_t *rs, struct ipvs_state_service *ss, int i)
{
	struct ipvs_dest d;
	int j;

	for (j = 0; j < P_DEST_KEYS; j++) {
		nth_dest(&d, i, j);
		switch (fx_below(rs, 8)) {
		case 0:
			ipvs_state_dest_remove(ss, &d);
			break;
		case 1:
		case 2:
			p_dest(rs, &d, i, j);
			ck_assert_ptr_nonnull(ipvs_state_dest_put(ss, &d));
			break;
		default:
			break;
		}
	}
}

static struct ipvs_state *p_mutate(uint64_t *rs, const struct ipvs_state *a)
{
	struct ipvs_state *b = state_copy(a);
	struct ipvs_state_service *ss;
	struct ipvs_service s;
	int i;

	for (i = 0; i < P_SVC_KEYS; i++) {
		nth_service(&s, i);
		ss = ipvs_state_find(b, &s.key);
		switch (fx_below(rs, 6)) {
		case 0:
			if (ss)
				ipvs_state_remove(b, &s.key);
			else
				p_fill_service(rs, ipvs_state_put(b, &s), i);
			break;
		case 1:   /* a new conf, and some real servers changed */
			p_service(rs, &s, i);
			ss = ipvs_state_put(b, &s);
			p_mutate_dests(rs, ss, i);
			break;
		case 2:
			if (ss)
				p_mutate_dests(rs, ss, i);
			break;
		default:
			break;
		}
	}
	return b;
}

/* Is @k kept?  A bit of @mask, picked by the key's hash; NULL keeps all. */
static int p_kept(const uint32_t *mask, const struct ipvs_service_key *k)
{
	uint32_t h = (uint32_t)ipvs_service_key_hash(k);

	return !mask || ((*mask >> (h % 32)) & 1);
}

/* The property's keep(): @arg is the mask. */
static int p_keep(const struct ipvs_service_key *k, void *arg)
{
	return p_kept(arg, k);
}

/* Service @ss of one state equals the same key in @other, dests included. */
static void p_assert_service_equal(const struct ipvs_state_service *ss,
				   const struct ipvs_state_service *os)
{
	struct ipvs_state_dest *sd;
	struct ipvs_service s;
	struct ipvs_dest d;
	int j, i = -1, n = 0;

	ck_assert_ptr_nonnull(os);
	ck_assert(ipvs_service_conf_equal(ipvs_state_service_conf(ss),
					  ipvs_state_service_conf(os)));
	ck_assert_uint_eq(ipvs_state_service_ndests(ss),
			  ipvs_state_service_ndests(os));
	for (j = 0; j < P_SVC_KEYS; j++) {   /* which key index it is */
		nth_service(&s, j);
		if (!ipvs_service_key_cmp(&s.key,
					  &ipvs_state_service_conf(ss)->key))
			i = j;
	}
	ck_assert_int_ge(i, 0);
	for (j = 0; j < P_DEST_KEYS; j++) {
		nth_dest(&d, i, j);
		sd = ipvs_state_dest_find(ss, &d);
		if (!sd) {
			ck_assert_ptr_null(ipvs_state_dest_find(os, &d));
			continue;
		}
		n++;
		ck_assert_ptr_nonnull(ipvs_state_dest_find(os, &d));
		ck_assert(ipvs_dest_conf_equal(
			&sd->conf, &ipvs_state_dest_find(os, &d)->conf));
	}
	ck_assert_uint_eq((size_t)n, ipvs_state_service_ndests(ss));
}

/* @got equals @b on kept keys and @a on the others. */
static void p_assert_result(const struct ipvs_state *got,
			    const struct ipvs_state *a,
			    const struct ipvs_state *b, const uint32_t *mask)
{
	const struct ipvs_state *ref;
	struct ipvs_state_service *gs, *rs;
	struct ipvs_service s;
	int i;

	for (i = 0; i < P_SVC_KEYS; i++) {
		nth_service(&s, i);
		ref = p_kept(mask, &s.key) ? b : a;
		gs = ipvs_state_find(got, &s.key);
		rs = ipvs_state_find(ref, &s.key);
		ck_assert_msg((gs != NULL) == (rs != NULL), "service %d", i);
		if (gs)
			p_assert_service_equal(gs, rs);
	}
}

/* Ranks of a service's run: EDIT_SERVICE < DEL_DEST < ADD_DEST < EDIT_DEST. */
static int p_rank(enum ipvs_op_kind k)
{
	switch (k) {
	case IPVS_OP_ADD_SERVICE:
	case IPVS_OP_EDIT_SERVICE:
		return 0;
	case IPVS_OP_DEL_DEST:
		return 1;
	case IPVS_OP_ADD_DEST:
		return 2;
	case IPVS_OP_EDIT_DEST:
		return 3;
	default:
		return -1;
	}
}

/* Where the walk of an op list stands. */
struct p_order {
	struct ipvs_state *deleted;        /* services DEL_SERVICE'd so far */
	struct ipvs_state *done;           /* services whose run has ended */
	struct ipvs_service_key cur;       /* the service of the current run */
	int nrun;                          /* ops in the current run, 0: none */
	int rank;                          /* the current run's last rank */
	int past_deletes;                  /* a non-DEL_SERVICE op was seen */
};

/* The kernel would accept @op, on @c as it stands, for these reasons. */
static void p_check_kernel_accepts(const struct ipvs_state *c,
				   const struct ipvs_op *op)
{
	struct ipvs_state_service *cs = ipvs_state_find(c, &op->svc.key);
	int has_dest = cs && ipvs_state_dest_find(cs, &op->dest);

	ck_assert_msg(ipvs_op_check(op, NULL, 0) == 0, "op invalid");
	switch (op->kind) {
	case IPVS_OP_ADD_SERVICE:
		ck_assert_msg(!cs, "ADD_SERVICE of an existing service");
		break;
	case IPVS_OP_ADD_DEST:
		ck_assert_msg(cs, "ADD_DEST before its service exists");
		ck_assert_msg(!has_dest, "ADD_DEST of an existing real server");
		break;
	case IPVS_OP_EDIT_DEST:
	case IPVS_OP_DEL_DEST:
		ck_assert_msg(has_dest, "EDIT/DEL_DEST of a missing dest");
		break;
	default:   /* EDIT_SERVICE, DEL_SERVICE */
		ck_assert_msg(cs, "EDIT/DEL_SERVICE of a missing service");
		break;
	}
}

/* A run is one service's ops: contiguous, in rank order, the service op
 * (if any) first.  Ends the previous run when @k differs. */
static void p_check_run(struct p_order *o, const struct ipvs_op *op)
{
	const struct ipvs_service_key *k = &op->svc.key;
	struct ipvs_service done;
	int rank = p_rank(op->kind);

	if (o->nrun && ipvs_service_key_cmp(&o->cur, k)) {
		memset(&done, 0, sizeof(done));
		done.key = o->cur;
		ck_assert_ptr_nonnull(ipvs_state_put(o->done, &done));
		o->nrun = 0;
	}
	if (!o->nrun) {
		ck_assert_msg(!ipvs_state_find(o->done, k), "run split in two");
		o->cur = *k;
		o->rank = 0;
	}
	ck_assert_msg(rank >= o->rank, "ops out of order in a run");
	if (op->kind == IPVS_OP_ADD_SERVICE || op->kind == IPVS_OP_EDIT_SERVICE)
		ck_assert_msg(o->nrun == 0, "service op inside a run");
	o->rank = rank;
	o->nrun++;
}

/* Before applying @op to @c: it is valid, in order, and as @b wants. */
static void p_check_op(struct p_order *o, const struct ipvs_state *c,
		       const struct ipvs_state *b, const uint32_t *mask,
		       const struct ipvs_op *op)
{
	const struct ipvs_service_key *k = &op->svc.key;
	struct ipvs_state_service *bs = ipvs_state_find(b, k);

	p_check_kernel_accepts(c, op);
	ck_assert_msg(p_kept(mask, k), "op on a key keep() refused");
	ck_assert_msg(!ipvs_state_find(o->deleted, k), "op after DEL_SERVICE");
	if (op->kind == IPVS_OP_DEL_SERVICE) {
		ck_assert_msg(!o->past_deletes, "DEL_SERVICE after other ops");
		ck_assert_msg(!bs, "DEL_SERVICE of a wanted service");
		ck_assert_ptr_nonnull(ipvs_state_put(o->deleted, &op->svc));
		return;
	}
	ck_assert_msg(bs && ipvs_service_conf_equal(
				    &op->svc, ipvs_state_service_conf(bs)),
		      "op without want's service conf");
	o->past_deletes = 1;
	p_check_run(o, op);
}

/* Check each op, apply it as acknowledged. */
static void p_apply_all(struct ipvs_state *c, const struct ipvs_state *b,
			const uint32_t *mask, const struct ipvs_ops *ops)
{
	struct p_order o;
	struct ipvs_op op;
	size_t k;

	memset(&o, 0, sizeof(o));
	o.deleted = ipvs_state_new();
	o.done = ipvs_state_new();
	for (k = 0; k < ops->n; k++) {
		p_check_op(&o, c, b, mask, &ops->v[k]);
		op = ops->v[k];
		op.err = 0;
		ck_assert_int_eq(ipvs_state_apply_op(c, &op), 0);
	}
	ipvs_state_free(o.deleted);
	ipvs_state_free(o.done);
}

static void p_round(uint64_t *rs, int round)
{
	struct ipvs_state *a = p_random(rs), *b, *c;
	uint32_t maskv = (uint32_t)fx_rand(rs), *mask = NULL;
	struct ipvs_ops ops;

	/* Some rounds compare A with itself or with nothing. */
	switch (round % 10) {
	case 0:
		b = state_copy(a);
		break;
	case 1:
		b = ipvs_state_new();
		break;
	case 2:
		b = p_random(rs);
		break;
	default:
		b = p_mutate(rs, a);
		break;
	}
	if (round % 4 == 3)
		mask = &maskv;
	c = state_copy(a);
	ipvs_ops_init(&ops);
	ck_assert_int_eq(ipvs_diff(b, a, mask ? p_keep : NULL, mask, &ops), 0);
	if (round % 10 == 0)
		ck_assert_uint_eq(ops.n, 0);
	p_apply_all(c, b, mask, &ops);
	p_assert_result(c, a, b, mask);
	if (!mask) {
		ck_assert_uint_eq(ipvs_state_nservices(c),
				  ipvs_state_nservices(b));
		ck_assert_uint_eq(ipvs_state_ndests(c), ipvs_state_ndests(b));
	}
	ipvs_ops_clear(&ops);
	ck_assert_int_eq(ipvs_diff(b, c, mask ? p_keep : NULL, mask, &ops), 0);
	ck_assert_msg(ops.n == 0, "round %d: %zu ops after applying", round,
		      ops.n);
	ipvs_ops_fini(&ops);
	ipvs_state_free(a);
	ipvs_state_free(b);
	ipvs_state_free(c);
}

START_TEST(diff_property_applying_the_ops_reaches_want)
{
	uint64_t rs = 20261121;
	int round;

	for (round = 0; round < P_ROUNDS; round++)
		p_round(&rs, round);
}
END_TEST

/* Also from the other side: diff(A, B) applied to B gives A. */
START_TEST(diff_property_both_directions)
{
	uint64_t rs = 424242;
	struct ipvs_state *a, *b, *c;
	struct ipvs_ops ops;
	int round;

	ipvs_ops_init(&ops);
	for (round = 0; round < P_ROUNDS / 2; round++) {
		a = p_random(&rs);
		b = p_mutate(&rs, a);
		c = state_copy(b);
		ipvs_ops_clear(&ops);
		ck_assert_int_eq(ipvs_diff(a, b, NULL, NULL, &ops), 0);
		p_apply_all(c, a, NULL, &ops);
		p_assert_result(c, b, a, NULL);
		ipvs_ops_clear(&ops);
		diff(a, c, &ops);
		ck_assert_uint_eq(ops.n, 0);
		ipvs_state_free(a);
		ipvs_state_free(b);
		ipvs_state_free(c);
	}
	ipvs_ops_fini(&ops);
}
END_TEST

Suite *diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *ops = tcase_create("ops");
	TCase *rules = tcase_create("rules");
	TCase *prop = tcase_create("property");

	tcase_add_test(ops, ops_push_copies_and_grows);
	tcase_add_test(ops, ops_push_without_dest_zeroes_it);
	suite_add_tcase(s, ops);

	tcase_set_timeout(rules, 60);
	tcase_add_test(rules, diff_of_empty_and_null_states_is_empty);
	tcase_add_test(rules, diff_of_equal_states_is_empty);
	tcase_add_test(rules, diff_ignores_kernel_owned_service_flags);
	tcase_add_test(rules, diff_service_missing_in_have_adds_it_then_its_dests);
	tcase_add_test(rules, diff_service_missing_in_have_without_dests_is_one_add);
	tcase_add_test(rules, diff_service_missing_in_want_is_one_delete);
	tcase_add_loop_test(rules, diff_service_conf_change_is_one_edit_with_want_conf,
			    0, 6);
	tcase_add_test(rules, diff_dest_missing_in_have_is_an_add);
	tcase_add_test(rules, diff_dest_missing_in_want_is_a_delete);
	tcase_add_loop_test(rules, diff_dest_conf_change_is_one_edit_with_want_conf,
			    0, 7);
	tcase_add_test(rules, diff_ignores_counters);
	tcase_add_test(rules, diff_within_a_service_edit_then_del_then_add_then_edit);
	tcase_add_test(rules, diff_deletes_services_before_anything_else);
	tcase_add_test(rules, diff_is_deterministic);
	tcase_add_test(rules, diff_service_with_one_side_null);
	tcase_add_test(rules, diff_appends_to_what_out_holds);
	tcase_add_test(rules, diff_keep_filters_both_sides);
	tcase_add_test(rules, diff_many_dests_in_one_service);
	tcase_add_test(rules, diff_at_scale_is_proportional_to_the_change);
	suite_add_tcase(s, rules);

	tcase_set_timeout(prop, 120);
	tcase_add_test(prop, diff_property_applying_the_ops_reaches_want);
	tcase_add_test(prop, diff_property_both_directions);
	suite_add_tcase(s, prop);
	return s;
}
