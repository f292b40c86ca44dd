/*
 * test/unit/test_op.c - ipvs/op.c: the six kinds of change as ipvsadm
 * commands, their checks, and the messages for their failures.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture.h"
#include "ipvs/op.h"
#include "suites.h"

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

START_TEST(op_is_dest_for_the_three_dest_kinds)
{
	ck_assert(!ipvs_op_is_dest(IPVS_OP_ADD_SERVICE));
	ck_assert(!ipvs_op_is_dest(IPVS_OP_EDIT_SERVICE));
	ck_assert(!ipvs_op_is_dest(IPVS_OP_DEL_SERVICE));
	ck_assert(ipvs_op_is_dest(IPVS_OP_ADD_DEST));
	ck_assert(ipvs_op_is_dest(IPVS_OP_EDIT_DEST));
	ck_assert(ipvs_op_is_dest(IPVS_OP_DEL_DEST));
}
END_TEST

/* Each kind on an address service (v4) and on a v6 fwmark service. */
static const struct fmt_case {
	enum ipvs_op_kind kind;
	int mark;
	const char *want;
} fmt_cases[] = {
	{ IPVS_OP_ADD_SERVICE, 0, "-A -t 10.0.0.1:80 -s wrr" },
	{ IPVS_OP_EDIT_SERVICE, 0, "-E -t 10.0.0.1:80 -s wrr" },
	{ IPVS_OP_DEL_SERVICE, 0, "-D -t 10.0.0.1:80" },
	{ IPVS_OP_ADD_DEST, 0, "-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -m -w 3" },
	{ IPVS_OP_EDIT_DEST, 0, "-e -t 10.0.0.1:80 -r 10.1.1.1:8080 -m -w 3" },
	{ IPVS_OP_DEL_DEST, 0, "-d -t 10.0.0.1:80 -r 10.1.1.1:8080" },
	{ IPVS_OP_ADD_SERVICE, 1, "-A -f 43 -6 -s lc -p 360" },
	{ IPVS_OP_EDIT_SERVICE, 1, "-E -f 43 -6 -s lc -p 360" },
	{ IPVS_OP_DEL_SERVICE, 1, "-D -f 43 -6" },
	{ IPVS_OP_ADD_DEST, 1, "-a -f 43 -6 -r [fd00::5]:0 -m -w 1" },
	{ IPVS_OP_EDIT_DEST, 1, "-e -f 43 -6 -r [fd00::5]:0 -m -w 1" },
	{ IPVS_OP_DEL_DEST, 1, "-d -f 43 -6 -r [fd00::5]:0" },
};

static void fmt_case_build(const struct fmt_case *c, struct ipvs_op *op)
{
	struct ipvs_service s;
	struct ipvs_dest d;

	if (c->mark) {
		fx_svc_fwmark(&s, AF_INET6, 43, "lc");
		fx_persist(&s, 360);
		fx_dest(&d, "fd00::5", 0, IPVS_FWD_MASQ, 1);
	} else {
		fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 80, "wrr");
		fx_dest(&d, "10.1.1.1", 8080, IPVS_FWD_MASQ, 3);
	}
	fx_op(op, c->kind, &s, &d);
}

START_TEST(op_fmt_each_kind)
{
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX];

	fmt_case_build(&fmt_cases[_i], &op);
	ck_assert_str_eq(ipvs_op_fmt(&op, buf, sizeof(buf)), fmt_cases[_i].want);
}
END_TEST

START_TEST(op_fmt_names_an_unknown_kind)
{
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX];

	fmt_case_build(&fmt_cases[0], &op);
	op.kind = (enum ipvs_op_kind)42;
	ck_assert_str_eq(ipvs_op_fmt(&op, buf, sizeof(buf)), "?op42");
}
END_TEST

/* An edit rewrites the verb in place; a tiny buffer must stay a string. */
START_TEST(op_fmt_edit_in_a_tiny_buffer)
{
	static const char *const want[] = { "", "", "-", "-E", "-E " };
	struct ipvs_op op;
	char buf[8];
	size_t n;

	fmt_case_build(&fmt_cases[1], &op);
	for (n = 1; n < 5; n++) {
		memset(buf, 'x', sizeof(buf));
		ipvs_op_fmt(&op, buf, n);
		ck_assert_str_eq(buf, want[n]);
		ck_assert_int_eq(buf[n], 'x');
	}
}
END_TEST

/* What each kind checks: service ops the whole service, the others its key. */
enum svc_variant { S_GOOD, S_PORT0, S_BADCONF, S_BADKEY };
enum dest_variant { D_GOOD, D_BAD, D_MIXED, D_BADAF };

static const struct check_case {
	enum ipvs_op_kind kind;
	enum svc_variant svc;
	enum dest_variant dest;
	const char *why;   /* NULL: valid */
} check_cases[] = {
	{ IPVS_OP_ADD_SERVICE, S_GOOD, D_GOOD, NULL },
	{ IPVS_OP_ADD_SERVICE, S_GOOD, D_BAD, NULL },
	{ IPVS_OP_ADD_SERVICE, S_PORT0, D_GOOD, "port 0" },
	{ IPVS_OP_ADD_SERVICE, S_BADCONF, D_GOOD, "scheduler name" },
	{ IPVS_OP_EDIT_SERVICE, S_GOOD, D_BAD, NULL },
	{ IPVS_OP_EDIT_SERVICE, S_BADCONF, D_GOOD, "scheduler name" },
	{ IPVS_OP_DEL_SERVICE, S_PORT0, D_BAD, NULL },
	{ IPVS_OP_DEL_SERVICE, S_BADCONF, D_GOOD, NULL },
	{ IPVS_OP_DEL_SERVICE, S_BADKEY, D_GOOD, "unknown protocol 1" },
	{ IPVS_OP_ADD_DEST, S_GOOD, D_GOOD, NULL },
	{ IPVS_OP_ADD_DEST, S_PORT0, D_GOOD, NULL },
	{ IPVS_OP_ADD_DEST, S_BADCONF, D_GOOD, NULL },
	{ IPVS_OP_ADD_DEST, S_BADKEY, D_GOOD, "unknown protocol 1" },
	{ IPVS_OP_ADD_DEST, S_GOOD, D_BAD, "negative weight" },
	{ IPVS_OP_ADD_DEST, S_GOOD, D_MIXED, "mixed families" },
	{ IPVS_OP_EDIT_DEST, S_GOOD, D_GOOD, NULL },
	{ IPVS_OP_EDIT_DEST, S_GOOD, D_BAD, "negative weight" },
	{ IPVS_OP_DEL_DEST, S_PORT0, D_BAD, NULL },
	{ IPVS_OP_DEL_DEST, S_GOOD, D_MIXED, NULL },
	{ IPVS_OP_DEL_DEST, S_GOOD, D_BADAF, "unknown address family 99" },
	{ IPVS_OP_DEL_DEST, S_BADKEY, D_GOOD, "unknown protocol 1" },
};

static void check_case_build(const struct check_case *c, struct ipvs_op *op)
{
	struct ipvs_service s;
	struct ipvs_dest d;

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", c->svc == S_PORT0 ? 0 : 80,
	       c->svc == S_BADCONF ? "" : "rr");
	if (c->svc == S_BADKEY)
		s.key.protocol = 1;
	fx_dest(&d, c->dest == D_MIXED ? "fd00::1" : "10.1.1.1", 80,
		c->dest == D_MIXED ? IPVS_FWD_DROUTE : IPVS_FWD_MASQ,
		c->dest == D_BAD ? -1 : 1);
	if (c->dest == D_BADAF)
		d.af = 99;
	fx_op(op, c->kind, &s, &d);
}

START_TEST(op_check_each_case)
{
	const struct check_case *c = &check_cases[_i];
	struct ipvs_op op;
	char cmd[IPVS_FMT_MAX], why[128] = "";
	int r;

	check_case_build(c, &op);
	ipvs_op_fmt(&op, cmd, sizeof(cmd));
	r = ipvs_op_check(&op, why, sizeof(why));
	if (!c->why) {
		ck_assert_msg(r == 0, "'%s' refused: %s", cmd, why);
		return;
	}
	ck_assert_msg(r == -EINVAL, "'%s' accepted", cmd);
	ck_assert_msg(strstr(why, c->why), "'%s': reason '%s' lacks '%s'", cmd,
		      why, c->why);
	ck_assert_int_eq(ipvs_op_check(&op, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(op_check_refuses_null_and_unknown_kinds)
{
	struct ipvs_op op;
	char why[64];

	ck_assert_int_eq(ipvs_op_check(NULL, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "no operation");
	check_case_build(&check_cases[0], &op);
	op.kind = (enum ipvs_op_kind)42;
	ck_assert_int_eq(ipvs_op_check(&op, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "unknown operation 42");
	ck_assert_int_eq(ipvs_op_check(&op, NULL, 0), -EINVAL);
}
END_TEST

/* The kernel's errno, in words that fit the kind of object. */
static const struct err_case {
	enum ipvs_op_kind kind;
	int err;
	const char *text;   /* NULL: strerror(err) */
	const char *name;
} err_cases[] = {
	{ IPVS_OP_ADD_DEST, ESRCH, "Service not defined", "ESRCH" },
	{ IPVS_OP_EDIT_SERVICE, ESRCH, "Service not defined", "ESRCH" },
	{ IPVS_OP_DEL_SERVICE, ESRCH, "Service not defined", "ESRCH" },
	{ IPVS_OP_DEL_DEST, ENOENT, "No such destination", "ENOENT" },
	{ IPVS_OP_EDIT_DEST, ENOENT, "No such destination", "ENOENT" },
	{ IPVS_OP_ADD_SERVICE, ENOENT,
	  "Scheduler or persistence engine not found", "ENOENT" },
	{ IPVS_OP_ADD_SERVICE, EEXIST, "Service already exists", "EEXIST" },
	{ IPVS_OP_ADD_DEST, EEXIST, "Destination already exists", "EEXIST" },
	{ IPVS_OP_ADD_DEST, EINVAL, NULL, "EINVAL" },
	{ IPVS_OP_ADD_SERVICE, EINVAL, NULL, "EINVAL" },
	{ IPVS_OP_ADD_SERVICE, ENOMEM, NULL, "ENOMEM" },
	{ IPVS_OP_ADD_DEST, ENOBUFS, NULL, "ENOBUFS" },
	{ IPVS_OP_ADD_DEST, EPERM, NULL, "EPERM" },
	{ IPVS_OP_ADD_DEST, ETIMEDOUT, NULL, "errno" },
};

START_TEST(op_strerror_each_case)
{
	const struct err_case *c = &err_cases[_i];
	struct ipvs_op op;
	char cmd[IPVS_FMT_MAX], want[2 * IPVS_FMT_MAX], buf[2 * IPVS_FMT_MAX];

	fmt_case_build(&(struct fmt_case){ c->kind, 0, NULL }, &op);
	op.err = c->err;
	snprintf(want, sizeof(want), "%s: %s (%s %d)",
		 ipvs_op_fmt(&op, cmd, sizeof(cmd)),
		 c->text ? c->text : strerror(c->err), c->name, c->err);
	ck_assert_str_eq(ipvs_op_strerror(&op, buf, sizeof(buf)), want);
}
END_TEST

START_TEST(op_strerror_names_the_command)
{
	struct ipvs_service s;
	struct ipvs_dest d;
	struct ipvs_op op;
	char want[128], buf[128];

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 80, "rr");
	fx_dest(&d, "10.9.9.9", 80, IPVS_FWD_MASQ, 1);
	fx_op(&op, IPVS_OP_ADD_DEST, &s, &d);
	op.err = ESRCH;
	snprintf(want, sizeof(want),
		 "-a -t 10.0.0.1:80 -r 10.9.9.9:80 -m -w 1: Service not defined "
		 "(ESRCH %d)", ESRCH);
	ck_assert_str_eq(ipvs_op_strerror(&op, buf, sizeof(buf)), want);
}
END_TEST

START_TEST(op_strerror_truncates_within_the_buffer)
{
	struct ipvs_op op;
	char buf[16];

	fmt_case_build(&fmt_cases[3], &op);
	op.err = EEXIST;
	memset(buf, 'x', sizeof(buf));
	ipvs_op_strerror(&op, buf, 10);
	ck_assert_str_eq(buf, "-a -t 10.");
	ck_assert_int_eq(buf[10], 'x');
}
END_TEST

Suite *op_suite(void)
{
	Suite *s = suite_create("op");
	TCase *tc = tcase_create("op");

	tcase_add_test(tc, op_is_dest_for_the_three_dest_kinds);
	tcase_add_loop_test(tc, op_fmt_each_kind, 0, N_ELEMS(fmt_cases));
	tcase_add_test(tc, op_fmt_names_an_unknown_kind);
	tcase_add_test(tc, op_fmt_edit_in_a_tiny_buffer);
	tcase_add_loop_test(tc, op_check_each_case, 0, N_ELEMS(check_cases));
	tcase_add_test(tc, op_check_refuses_null_and_unknown_kinds);
	tcase_add_loop_test(tc, op_strerror_each_case, 0, N_ELEMS(err_cases));
	tcase_add_test(tc, op_strerror_names_the_command);
	tcase_add_test(tc, op_strerror_truncates_within_the_buffer);
	suite_add_tcase(s, tc);
	return s;
}
