/*
 * test/unit/test_strmap.c - agent/strmap.c: the agent's string-keyed hash
 * map.  Checked against a plain array model where it matters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/strmap.h"
#include "fixture.h"
#include "suites.h"

/* An assertion for hot loops: Check records every passing ck_assert (a
 * write per call), which costs seconds over 100,000 keys. */
#define REQUIRE(cond)                                                        \
	do {                                                                 \
		if (!(cond))                                                 \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)

/* The value stored for key number @i: never NULL. */
#define VAL(i) ((void *)(uintptr_t)((i) + 1))

static void key(char *buf, size_t len, size_t i)
{
	snprintf(buf, len, "-t 10.%zu.%zu.%zu:80", i >> 16, (i >> 8) & 255, i & 255);
}

START_TEST(empty_map)
{
	struct strmap m;

	strmap_init(&m);
	ck_assert_ptr_null(strmap_get(&m, "x"));
	ck_assert_ptr_null(strmap_del(&m, "x"));
	ck_assert_uint_eq(m.n, 0);
	strmap_fini(&m);
	strmap_fini(&m);   /* twice is fine: fini leaves an empty map */
	ck_assert_uint_eq(m.cap, 0);
}
END_TEST

START_TEST(put_get_del_replace)
{
	struct strmap m;
	char k[8] = "key";
	int a, b, c;

	strmap_init(&m);
	ck_assert_int_eq(strmap_put(&m, k, &a), 0);
	k[0] = 'X';   /* keys are copied */
	ck_assert_ptr_eq(strmap_get(&m, "key"), &a);
	ck_assert_ptr_null(strmap_get(&m, "Xey"));
	ck_assert_int_eq(strmap_put(&m, "other", &b), 0);
	ck_assert_int_eq(strmap_put(&m, "", &c), 0);   /* the empty key too */
	ck_assert_uint_eq(m.n, 3);
	ck_assert_ptr_eq(strmap_get(&m, ""), &c);

	/* Replace: same count, new value. */
	ck_assert_int_eq(strmap_put(&m, "key", &b), 0);
	ck_assert_uint_eq(m.n, 3);
	ck_assert_ptr_eq(strmap_get(&m, "key"), &b);

	/* Delete returns the value; a second delete finds nothing. */
	ck_assert_ptr_eq(strmap_del(&m, "key"), &b);
	ck_assert_ptr_null(strmap_del(&m, "key"));
	ck_assert_ptr_null(strmap_get(&m, "key"));
	ck_assert_ptr_eq(strmap_get(&m, "other"), &b);
	ck_assert_uint_eq(m.n, 2);

	/* Back after a delete (into its tombstone or elsewhere). */
	ck_assert_int_eq(strmap_put(&m, "key", &a), 0);
	ck_assert_ptr_eq(strmap_get(&m, "key"), &a);
	ck_assert_uint_eq(m.n, 3);

	/* Keys differing in one byte, a prefix, a long key. */
	ck_assert_ptr_null(strmap_get(&m, "ke"));
	ck_assert_ptr_null(strmap_get(&m, "keys"));
	strmap_fini(&m);
}
END_TEST

START_TEST(long_keys)
{
	struct strmap m;
	char k[4096];

	strmap_init(&m);
	memset(k, 'a', sizeof(k) - 1);
	k[sizeof(k) - 1] = '\0';
	ck_assert_int_eq(strmap_put(&m, k, VAL(1)), 0);
	k[sizeof(k) - 2] = 'b';
	ck_assert_ptr_null(strmap_get(&m, k));
	ck_assert_int_eq(strmap_put(&m, k, VAL(2)), 0);
	ck_assert_ptr_eq(strmap_get(&m, k), VAL(2));
	k[sizeof(k) - 2] = 'a';
	ck_assert_ptr_eq(strmap_get(&m, k), VAL(1));
	strmap_fini(&m);
}
END_TEST

/* 100,000 keys: all found through every growth; the load stays under 3/4. */
START_TEST(growth_to_100000)
{
	enum { N = 100000 };
	struct strmap m;
	char k[64];
	size_t i;

	strmap_init(&m);
	for (i = 0; i < N; i++) {
		key(k, sizeof(k), i);
		REQUIRE(strmap_put(&m, k, VAL(i)) == 0);
		REQUIRE(m.n == i + 1);
		REQUIRE(m.used * 4 <= m.cap * 3);
		REQUIRE((m.cap & (m.cap - 1)) == 0);
	}
	for (i = 0; i < N; i++) {
		key(k, sizeof(k), i);
		REQUIRE(strmap_get(&m, k) == VAL(i));
	}
	key(k, sizeof(k), N);
	ck_assert_ptr_null(strmap_get(&m, k));
	ck_assert_uint_le(m.cap, 4 * (size_t)N);
	/* Delete every other one. */
	for (i = 0; i < N; i += 2) {
		key(k, sizeof(k), i);
		REQUIRE(strmap_del(&m, k) == VAL(i));
	}
	ck_assert_uint_eq(m.n, N / 2);
	for (i = 0; i < N; i++) {
		key(k, sizeof(k), i);
		REQUIRE(strmap_get(&m, k) == (i % 2 ? VAL(i) : NULL));
	}
	strmap_fini(&m);
}
END_TEST

/*
 * Churn: a steady 1,000 live keys while 200,000 different keys come and
 * go.  Tombstones must be swept by rehashing, not paid for with ever
 * larger tables, and probing must always find an empty slot.
 */
START_TEST(tombstone_churn_stays_bounded)
{
	enum { LIVE = 1000, ROUNDS = 200000 };
	struct strmap m;
	size_t i, cap_after_fill;
	char k[64];

	strmap_init(&m);
	for (i = 0; i < LIVE; i++) {
		key(k, sizeof(k), i);
		ck_assert_int_eq(strmap_put(&m, k, VAL(i)), 0);
	}
	cap_after_fill = m.cap;
	for (i = LIVE; i < LIVE + ROUNDS; i++) {
		key(k, sizeof(k), i);
		REQUIRE(strmap_put(&m, k, VAL(i)) == 0);
		key(k, sizeof(k), i - LIVE);
		REQUIRE(strmap_del(&m, k) == VAL(i - LIVE));
		REQUIRE(m.n == LIVE);
		REQUIRE(m.used * 4 <= m.cap * 3);
		REQUIRE(m.cap <= 4 * cap_after_fill);
	}
	/* The live ones are the last LIVE, all found. */
	for (i = ROUNDS; i < ROUNDS + LIVE; i++) {
		key(k, sizeof(k), i);
		ck_assert_ptr_eq(strmap_get(&m, k), VAL(i));
	}
	key(k, sizeof(k), ROUNDS - 1);
	ck_assert_ptr_null(strmap_get(&m, k));
	strmap_fini(&m);
}
END_TEST

/* The same key put and deleted over and over: one live key at most. */
START_TEST(same_key_churn)
{
	struct strmap m;
	size_t i;

	strmap_init(&m);
	for (i = 0; i < 100000; i++) {
		REQUIRE(strmap_put(&m, "vip", VAL(i)) == 0);
		REQUIRE(strmap_del(&m, "vip") == VAL(i));
	}
	ck_assert_uint_eq(m.n, 0);
	ck_assert_uint_le(m.cap, 16);
	strmap_fini(&m);
}
END_TEST

struct visit {
	size_t n;
	unsigned char *seen;   /* times each key number was visited */
	size_t nkeys;
	int bad;               /* a value that did not match its key */
};

static void visit_cb(const char *k, void *value, void *arg)
{
	struct visit *v = arg;
	size_t i = (size_t)(uintptr_t)value - 1;
	char want[64];

	v->n++;
	key(want, sizeof(want), i);
	if (i >= v->nkeys || strcmp(k, want)) {
		v->bad++;
		return;
	}
	v->seen[i]++;
}

/* Every live entry once, no deleted one, with its own value. */
START_TEST(foreach_visits_each_once)
{
	enum { N = 5000 };
	struct visit v = { 0 };
	struct strmap m;
	size_t i;
	char k[64];

	strmap_init(&m);
	strmap_foreach(&m, visit_cb, &v);   /* empty: no call */
	ck_assert_uint_eq(v.n, 0);
	v.nkeys = N;
	v.seen = calloc(N, 1);
	ck_assert_ptr_nonnull(v.seen);
	for (i = 0; i < N; i++) {
		key(k, sizeof(k), i);
		ck_assert_int_eq(strmap_put(&m, k, VAL(i)), 0);
	}
	for (i = 0; i < N; i += 3) {
		key(k, sizeof(k), i);
		strmap_del(&m, k);
	}
	/* Replacing does not add a visit. */
	key(k, sizeof(k), 1);
	ck_assert_int_eq(strmap_put(&m, k, VAL(1)), 0);
	strmap_foreach(&m, visit_cb, &v);
	ck_assert_int_eq(v.bad, 0);
	ck_assert_uint_eq(v.n, m.n);
	for (i = 0; i < N; i++)
		ck_assert_msg(v.seen[i] == (i % 3 ? 1 : 0), "key %zu seen %u times",
			      i, v.seen[i]);
	free(v.seen);
	strmap_fini(&m);
}
END_TEST

/* Random operations against a model: an array indexed by key number. */
START_TEST(random_against_model)
{
	enum { KEYS = 2000, OPS = 200000 };
	void *model[KEYS] = { 0 };
	uint64_t rng = 0x5eed;
	struct strmap m;
	size_t live = 0, i;
	char k[64];

	strmap_init(&m);
	for (i = 0; i < OPS; i++) {
		uint32_t x = fx_below(&rng, KEYS), op = fx_below(&rng, 3);

		key(k, sizeof(k), x);
		switch (op) {
		case 0:
			REQUIRE(strmap_put(&m, k, VAL(i)) == 0);
			live += !model[x];
			model[x] = VAL(i);
			break;
		case 1:
			REQUIRE(strmap_del(&m, k) == model[x]);
			live -= !!model[x];
			model[x] = NULL;
			break;
		default:
			REQUIRE(strmap_get(&m, k) == model[x]);
		}
		REQUIRE(m.n == live);
	}
	for (i = 0; i < KEYS; i++) {
		key(k, sizeof(k), i);
		ck_assert_ptr_eq(strmap_get(&m, k), model[i]);
	}
	ck_assert_uint_le(m.cap, 8192);
	strmap_fini(&m);
}
END_TEST

Suite *strmap_suite(void)
{
	Suite *s = suite_create("strmap");
	TCase *basic = tcase_create("basic");
	TCase *big = tcase_create("big");

	tcase_add_test(basic, empty_map);
	tcase_add_test(basic, put_get_del_replace);
	tcase_add_test(basic, long_keys);
	tcase_add_test(basic, foreach_visits_each_once);
	suite_add_tcase(s, basic);
	tcase_set_timeout(big, 60);
	tcase_add_test(big, growth_to_100000);
	tcase_add_test(big, tombstone_churn_stays_bounded);
	tcase_add_test(big, same_key_churn);
	tcase_add_test(big, random_against_model);
	suite_add_tcase(s, big);
	return s;
}
