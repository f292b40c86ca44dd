/*
 * test/unit/test_duration.c - agent/duration.c: durations as kube-proxy
 * (Go's time.ParseDuration and Duration.String) writes them.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "agent/duration.h"
#include "suites.h"

/* Equal to a relative 1e-12 (the parser sums floating-point terms). */
static int close_to(double a, double b)
{
	return fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b)) + 1e-18;
}

static const struct {
	const char *text;
	double seconds;
} good[] = {
	{ "0", 0 },
	{ "0s", 0 },
	{ "30s", 30 },
	{ "1m", 60 },
	{ "1m0s", 60 },
	{ "15m", 900 },
	{ "500ms", 0.5 },
	{ "1h30m", 5400 },
	{ "1h30m0s", 5400 },
	{ "1.5h", 5400 },
	{ "2.5s", 2.5 },
	{ ".5s", 0.5 },
	{ "5.s", 5 },
	{ "300us", 0.0003 },
	{ "300µs", 0.0003 },   /* U+00B5 micro sign */
	{ "300μs", 0.0003 },   /* U+03BC Greek mu: Go takes both */
	{ "100ns", 1e-7 },
	{ "1h1m1s1ms1us1ns", 3661.001001001 },
	{ "2h45m", 9900 },
	{ "1s500ms", 1.5 },
	{ "24h", 86400 },
	{ "0.25m", 15 },
	{ "10m10m", 1200 },    /* Go adds repeated units up */
};

START_TEST(parse_good)
{
	double v = -1;

	ck_assert_msg(agent_duration_parse(good[_i].text, &v) == 0, "%s",
		      good[_i].text);
	ck_assert_msg(close_to(v, good[_i].seconds), "%s: %.12g, want %.12g",
		      good[_i].text, v, good[_i].seconds);
}
END_TEST

static const char *const bad[] = {
	"", "-1s", "+1s", "5", "00", "0.0", "1x", "s", "ms", "1m-1s", "abc",
	"1 s", " 1s", "1s ", "1h 30m", ".", ".s", "1.2.3s", "1S", "1M", "1H",
	"1sec", "1min", "inf", "infs", "nans", "1e400s", "1d", "1y", "1m1",
	"--1s", "1s,",
};

START_TEST(parse_bad)
{
	double v = 42;

	ck_assert_msg(agent_duration_parse(bad[_i], &v) == -EINVAL, "'%s'", bad[_i]);
	ck_assert_msg(v == 42, "'%s' wrote the result", bad[_i]);
}
END_TEST

START_TEST(parse_null)
{
	double v = 42;

	ck_assert_int_eq(agent_duration_parse(NULL, &v), -EINVAL);
	ck_assert(v == 42);
}
END_TEST

/* Exactly what Go's Duration.String() prints. */
static const struct {
	double seconds;
	const char *text;
} go_fmt[] = {
	{ 0, "0s" },
	{ 30, "30s" },
	{ 1, "1s" },
	{ 2.5, "2.5s" },
	{ 1.5, "1.5s" },
	{ 59, "59s" },
	{ 60, "1m0s" },
	{ 90, "1m30s" },
	{ 900, "15m0s" },
	{ 3600, "1h0m0s" },
	{ 5400, "1h30m0s" },
	{ 86400, "24h0m0s" },
	{ 3661.5, "1h1m1.5s" },
	{ 0.5, "500ms" },
	{ 0.001, "1ms" },
	{ 0.0015, "1.5ms" },
	{ 0.0003, "300µs" },
	{ 1e-6, "1µs" },
	{ 1e-7, "100ns" },
};

START_TEST(fmt_like_go)
{
	char buf[32];

	ck_assert_ptr_eq(agent_duration_fmt(go_fmt[_i].seconds, buf, sizeof(buf)), buf);
	ck_assert_str_eq(buf, go_fmt[_i].text);
}
END_TEST

/* What parses formats back to the same duration, and what formats parses. */
START_TEST(fmt_round_trips)
{
	char buf[32];
	double v, w;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_int_eq(agent_duration_parse(good[i].text, &v), 0);
		agent_duration_fmt(v, buf, sizeof(buf));
		ck_assert_msg(agent_duration_parse(buf, &w) == 0, "%s -> %s",
			      good[i].text, buf);
		ck_assert_msg(close_to(v, w), "%s -> %s -> %.12g",
			      good[i].text, buf, w);
	}
	for (i = 0; i < sizeof(go_fmt) / sizeof(go_fmt[0]); i++) {
		ck_assert_int_eq(agent_duration_parse(go_fmt[i].text, &v), 0);
		ck_assert_msg(close_to(v, go_fmt[i].seconds), "%s", go_fmt[i].text);
	}
}
END_TEST

/* A short buffer is cut, not overrun. */
START_TEST(fmt_bounded)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	agent_duration_fmt(5400, buf, 4);
	ck_assert_str_eq(buf, "1h3");
	ck_assert_int_eq(buf[4], 'x');
}
END_TEST

Suite *duration_suite(void)
{
	Suite *s = suite_create("duration");
	TCase *p = tcase_create("parse");
	TCase *f = tcase_create("fmt");

	tcase_add_loop_test(p, parse_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(p, parse_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(p, parse_null);
	suite_add_tcase(s, p);
	tcase_add_loop_test(f, fmt_like_go, 0, sizeof(go_fmt) / sizeof(go_fmt[0]));
	tcase_add_test(f, fmt_round_trips);
	tcase_add_test(f, fmt_bounded);
	suite_add_tcase(s, f);
	return s;
}
