/*
 * test/kernel/kt_batch.c - one batch, many results: every op gets its own
 * errno, a failed op stops nothing, and bad arguments never reach the
 * kernel (or crash).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "kt.h"

START_TEST(one_bad_op_fails_alone)
{
	static const char *const lines[] = {
		"-A -t 10.0.0.1:80 -s rr",
		"-A -t 10.0.0.2:80 -s nosuchsched",              /* ENOENT */
		"-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m",
		"-a -t 10.0.0.1:80 -r 10.1.255.255:80 -m",       /* broadcast: EINVAL */
		"-a -t 10.0.0.1:80 -r 10.1.1.2:80 -m -w 4",
		"-a -t 10.0.0.99:80 -r 10.1.1.2:80 -m",          /* ESRCH */
		"-A -u [fd00::10]:53 -s wrr",
		"-a -u [fd00::10]:53 -r [fd00::2]:53 -m -w 2",
	};
	static const int want[] = { 0, ENOENT, 0, EINVAL, 0, ESRCH, 0, 0 };
	struct nl_ipvs *nl = kt_open_clean();
	struct ipvs_op ops[8];
	struct kt_lines theirs;
	size_t i;

	for (i = 0; i < 8; i++)
		kt_op(&ops[i], lines[i]);
	ck_assert_int_eq(nl_ipvs_apply(nl, ops, 8), 3);
	for (i = 0; i < 8; i++)
		ck_assert_msg(ops[i].err == want[i], "op %zu (%s): err %d, want %d",
			      i, lines[i], ops[i].err, want[i]);
	kt_capture(&theirs, "ipvsadm -Sn");
	ck_assert_uint_eq(theirs.n, 5);
	ck_assert_str_eq(theirs.v[0], "-A -t 10.0.0.1:80 -s rr");
	ck_assert_str_eq(theirs.v[2], "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 1");
	ck_assert_str_eq(theirs.v[3], "-a -t 10.0.0.1:80 -r 10.1.1.2:80 -m -w 4");
	kt_lines_free(&theirs);
	nl_ipvs_close(nl);
}
END_TEST

/* An op we can tell is wrong is refused with EINVAL without a round trip. */
START_TEST(invalid_op_refused_locally)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct ipvs_op ops[3];

	kt_op(&ops[0], "-A -t 10.0.0.1:80 -s rr");
	kt_op(&ops[1], "-A -t 10.0.0.2:80 -s rr");
	strcpy(ops[1].svc.sched, "0123456789abcde"); /* 15: fine */
	ops[1].svc.sched[15] = 'f';                   /* 16, unterminated */
	kt_op(&ops[2], "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m");
	ck_assert_int_eq(nl_ipvs_apply(nl, ops, 3), 1);
	ck_assert_int_eq(ops[0].err, 0);
	ck_assert_int_eq(ops[1].err, EINVAL);
	ck_assert_int_eq(ops[2].err, 0);
	nl_ipvs_close(nl);
}
END_TEST

static int single(struct nl_ipvs *nl, const char *line)
{
	struct ipvs_op op;

	kt_op(&op, line);
	switch (op.kind) {
	case IPVS_OP_ADD_SERVICE: return nl_ipvs_add_service(nl, &op.svc);
	case IPVS_OP_EDIT_SERVICE: return nl_ipvs_edit_service(nl, &op.svc);
	case IPVS_OP_DEL_SERVICE: return nl_ipvs_del_service(nl, &op.svc);
	case IPVS_OP_ADD_DEST: return nl_ipvs_add_dest(nl, &op.svc, &op.dest);
	case IPVS_OP_EDIT_DEST: return nl_ipvs_edit_dest(nl, &op.svc, &op.dest);
	default: return nl_ipvs_del_dest(nl, &op.svc, &op.dest);
	}
}

START_TEST(kernel_errnos_are_raw_and_named)
{
	struct nl_ipvs *nl = kt_open_clean();

	ck_assert_int_eq(single(nl, "-A -t 10.0.0.1:80 -s rr"), 0);
	ck_assert_int_eq(single(nl, "-A -t 10.0.0.1:80 -s rr"), -EEXIST);
	ck_assert_ptr_nonnull(strstr(nl_ipvs_last_error(nl),
				     "-A -t 10.0.0.1:80 -s rr: Service already exists"));
	ck_assert_int_eq(single(nl, "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m"), 0);
	ck_assert_int_eq(single(nl, "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m"), -EEXIST);
	ck_assert_int_eq(single(nl, "-D -t 10.0.0.2:80"), -ESRCH);
	ck_assert_int_eq(single(nl, "-E -t 10.0.0.2:80 -s rr"), -ESRCH);
	ck_assert_int_eq(single(nl, "-a -t 10.0.0.2:80 -r 10.1.1.1:80 -m"), -ESRCH);
	ck_assert_int_eq(single(nl, "-d -t 10.0.0.1:80 -r 10.1.1.9:80"), -ENOENT);
	ck_assert_ptr_nonnull(strstr(nl_ipvs_last_error(nl),
				     "-d -t 10.0.0.1:80 -r 10.1.1.9:80"));
	ck_assert_int_eq(single(nl, "-e -t 10.0.0.1:80 -r 10.1.1.9:80 -m"), -ENOENT);
	ck_assert_int_eq(single(nl, "-E -t 10.0.0.1:80 -s wrr -p 60"), 0);
	ck_assert_int_eq(single(nl, "-e -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 0"), 0);
	ck_assert_int_eq(single(nl, "-d -t 10.0.0.1:80 -r 10.1.1.1:80"), 0);
	ck_assert_int_eq(single(nl, "-D -t 10.0.0.1:80"), 0);
	nl_ipvs_close(nl);
}
END_TEST

START_TEST(bad_arguments_never_crash)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct ipvs_service s;
	struct ipvs_dest d;

	ck_assert_int_eq(nl_ipvs_add_service(nl, NULL), -EINVAL);
	ck_assert_int_eq(nl_ipvs_add_dest(nl, NULL, NULL), -EINVAL);
	ck_assert_int_eq(nl_ipvs_apply(nl, NULL, 3), -EINVAL);
	ck_assert_int_eq(nl_ipvs_apply(NULL, NULL, 0), -EINVAL);
	ck_assert_int_eq(nl_ipvs_dump(nl, NULL), -EINVAL);
	ck_assert_int_eq(nl_ipvs_get_info(NULL, NULL), -EINVAL);
	ipvs_service_init(&s);
	s.key.protocol = IPVS_PROTO_TCP;
	s.key.port = 0;                                   /* port 0, not persistent */
	ck_assert_int_eq(nl_ipvs_add_service(nl, &s), -EINVAL);
	s.key.port = 80;
	s.key.af = 99;                                    /* no such family */
	ck_assert_int_eq(nl_ipvs_add_service(nl, &s), -EINVAL);
	s.key.af = AF_INET;
	memset(s.sched, 'x', sizeof(s.sched));            /* 16 chars, no NUL */
	ck_assert_int_eq(nl_ipvs_add_service(nl, &s), -EINVAL);
	strcpy(s.sched, "rr");
	ck_assert_int_eq(nl_ipvs_add_service(nl, &s), 0);
	ipvs_dest_init(&d);
	d.af = AF_INET6;                                  /* v6 dest, v4 svc, NAT */
	ck_assert_int_eq(nl_ipvs_add_dest(nl, &s, &d), -EINVAL);
	nl_ipvs_close(nl);
	nl_ipvs_close(NULL);
}
END_TEST

/* The event-loop interface: start, then run whenever the fd is readable. */
START_TEST(nonblocking_batch)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct pollfd pfd = { .fd = nl_ipvs_fd(nl), .events = POLLIN };
	struct ipvs_op ops[3];
	int r;

	kt_op(&ops[0], "-A -t 10.0.0.1:80 -s rr");
	kt_op(&ops[1], "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m");
	kt_op(&ops[2], "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m");
	ck_assert_int_eq(nl_ipvs_batch_start(nl, ops, 3), 0);
	ck_assert_int_eq(nl_ipvs_batch_start(nl, ops, 3), -EBUSY);
	while ((r = nl_ipvs_batch_run(nl)) == -EAGAIN)
		ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(r, 1);
	ck_assert_int_eq(ops[2].err, EEXIST);
	nl_ipvs_close(nl);
}
END_TEST

Suite *kt_batch_suite(void)
{
	Suite *s = suite_create("kernel-batch");
	TCase *tc = tcase_create("batch");

	tcase_add_test(tc, one_bad_op_fails_alone);
	tcase_add_test(tc, invalid_op_refused_locally);
	tcase_add_test(tc, kernel_errnos_are_raw_and_named);
	tcase_add_test(tc, bad_arguments_never_crash);
	tcase_add_test(tc, nonblocking_batch);
	suite_add_tcase(s, tc);
	return s;
}
