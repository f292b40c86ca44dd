/*
 * test/kernel/kt_misc.c - info, timeouts, counters from real traffic, and
 * zeroing them, each cross-checked with ipvsadm.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kt.h"

START_TEST(info_matches_ipvsadm)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct nl_ipvs_info info;
	struct kt_lines l;
	char want[128];

	ck_assert_int_eq(nl_ipvs_get_info(nl, &info), 0);
	snprintf(want, sizeof(want), "IP Virtual Server version %u.%u.%u (size=%u)",
		 info.version >> 16, (info.version >> 8) & 0xff,
		 info.version & 0xff, info.conn_tab_size);
	kt_capture(&l, "ipvsadm -Ln | head -1");
	ck_assert_str_eq(l.v[0], want);
	kt_lines_free(&l);
	nl_ipvs_close(nl);
}
END_TEST

START_TEST(timeouts_both_ways)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct nl_ipvs_timeouts t = { 901, 121, 301 }, got;
	struct kt_lines l;

	ck_assert_int_eq(nl_ipvs_set_timeouts(nl, &t), 0);
	kt_capture(&l, "ipvsadm -Ln --timeout");
	ck_assert_str_eq(l.v[0], "Timeout (tcp tcpfin udp): 901 121 301");
	kt_lines_free(&l);
	kt_run("ipvsadm --set 900 120 300");
	ck_assert_int_eq(nl_ipvs_get_timeouts(nl, &got), 0);
	ck_assert_uint_eq(got.tcp, 900);
	ck_assert_uint_eq(got.tcp_fin, 120);
	ck_assert_uint_eq(got.udp, 300);
	/* 0 leaves a timeout alone. */
	t = (struct nl_ipvs_timeouts){ 0, 0, 77 };
	ck_assert_int_eq(nl_ipvs_set_timeouts(nl, &t), 0);
	ck_assert_int_eq(nl_ipvs_get_timeouts(nl, &got), 0);
	ck_assert_uint_eq(got.tcp, 900);
	ck_assert_uint_eq(got.udp, 77);
	nl_ipvs_close(nl);
}
END_TEST

/* A TCP listener on the node's own address stands in for a pod. */
static int listen_on(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	inet_pton(AF_INET, ip, &a.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	return fd;
}

static void connect_and_send(const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, ip, &a.sin_addr);
	ck_assert_msg(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
		      "connect %s:%d: %s", ip, port, strerror(errno));
	ck_assert_int_eq(write(fd, "hello", 5), 5);
	close(fd);
}

static struct ipvs_table_service *dump_one(struct nl_ipvs *nl, struct ipvs_table *t)
{
	ipvs_table_init(t);
	ck_assert_int_eq(nl_ipvs_dump(nl, t), 0);
	ck_assert_uint_eq(t->nsvcs, 1);
	return &t->svcs[0];
}

/* The kernel folds its per-CPU counters into what it reports from a timer
 * every two seconds: wait for the counters to show @conns. */
static struct ipvs_table_service *dump_when_counted(struct nl_ipvs *nl,
						    struct ipvs_table *t,
						    uint64_t conns)
{
	struct ipvs_table_service *ts;
	int tries;

	for (tries = 0;; tries++) {
		ts = dump_one(nl, t);
		if (ts->stats.conns >= conns || tries == 50)
			return ts;
		ipvs_table_fini(t);
		usleep(100 * 1000);
	}
}

START_TEST(counters_from_traffic_then_zero)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct ipvs_op ops[2];
	struct ipvs_table t, so;
	struct ipvs_table_service *ts;
	struct kt_lines l;
	char want[64];
	int lfd, i;

	kt_op(&ops[0], "-A -t 10.0.0.50:80 -s rr");
	kt_op(&ops[1], "-a -t 10.0.0.50:80 -r 10.1.0.1:8080 -m");
	ck_assert_int_eq(nl_ipvs_apply(nl, ops, 2), 0);
	lfd = listen_on("10.1.0.1", 8080);
	for (i = 0; i < 3; i++)
		connect_and_send("10.0.0.50", 80);
	ts = dump_when_counted(nl, &t, 3);
	ck_assert_uint_eq(ts->stats.conns, 3);
	ck_assert_uint_ge(ts->stats.inpkts, 6);
	ck_assert_uint_ge(ts->stats.inbytes, 15);
	ck_assert_uint_eq(ts->ndests, 1);
	ck_assert_uint_eq(ts->dests[0].state.stats.conns, 3);
	ck_assert_uint_eq(ts->dests[0].state.activeconns +
			  ts->dests[0].state.inactconns, 3);
	snprintf(want, sizeof(want), "%llu %llu",
		 (unsigned long long)ts->stats.conns,
		 (unsigned long long)ts->stats.inpkts);
	/* A services-only dump (the traffic metrics'): the same counters,
	 * no real server. */
	ipvs_table_init(&so);
	ck_assert_int_eq(nl_ipvs_dump_services(nl, &so), 0);
	ck_assert_uint_eq(so.nsvcs, 1);
	ck_assert_uint_eq(so.svcs[0].ndests, 0);
	ck_assert_uint_eq(so.svcs[0].stats.conns, 3);
	ck_assert_uint_eq(so.svcs[0].stats.inbytes, ts->stats.inbytes);
	ck_assert_uint_eq(so.svcs[0].stats.outpkts, ts->stats.outpkts);
	ipvs_table_fini(&so);
	ipvs_table_fini(&t);
	kt_capture(&l, "ipvsadm -Ln --stats --exact | awk '/^TCP/ {print $3, $4}'");
	ck_assert_str_eq(l.v[0], want);
	kt_lines_free(&l);

	ck_assert_int_eq(nl_ipvs_zero(nl, &ops[0].svc), 0);
	ts = dump_one(nl, &t);
	ck_assert_uint_eq(ts->stats.conns, 0);
	ck_assert_uint_eq(ts->dests[0].state.stats.conns, 0);
	ipvs_table_fini(&t);
	ck_assert_int_eq(nl_ipvs_zero(nl, NULL), 0);
	close(lfd);
	nl_ipvs_close(nl);
}
END_TEST

/* One service with more real servers than fit one dump chunk, among many
 * small ones: chunking and the EBUSY retry of pipelined dumps. */
START_TEST(dump_large_and_many_small)
{
	struct nl_ipvs *nl = kt_open_clean();
	FILE *f = fopen("/run/kt-big", "w");
	struct kt_lines theirs, ours;
	struct ipvs_table so;
	int i, j;

	ck_assert_ptr_nonnull(f);
	fprintf(f, "-A -t 10.0.0.1:80 -s rr\n");
	for (i = 0; i < 2000; i++)
		fprintf(f, "-a -t 10.0.0.1:80 -r 10.1.%d.%d:80 -m -w 1\n",
			10 + i / 250, 1 + i % 250);
	for (i = 0; i < 300; i++) {
		fprintf(f, "-A -u 10.3.%d.%d:53 -s wrr\n", i / 250, 1 + i % 250);
		for (j = 0; j < 3 + i % 200; j++)
			fprintf(f, "-a -u 10.3.%d.%d:53 -r 10.1.%d.%d:53 -m -w 1\n",
				i / 250, 1 + i % 250, 20 + j / 250, 1 + j % 250);
	}
	fclose(f);
	kt_run("ipvsadm -R < /run/kt-big");
	kt_capture(&theirs, "ipvsadm -Sn");
	kt_dump_lines(nl, &ours);               /* io_uring, many sockets */
	kt_assert_same(&ours, &theirs);
	kt_lines_free(&ours);
	nl_ipvs_set_parallel_dumps(nl, 0);      /* one socket */
	kt_dump_lines(nl, &ours);
	kt_assert_same(&ours, &theirs);
	kt_lines_free(&ours);
	ck_assert_uint_eq(nl_ipvs_counters(nl)->busy_retries, 0);
	/* Services only: all 301, no real server. */
	ipvs_table_init(&so);
	ck_assert_int_eq(nl_ipvs_dump_services(nl, &so), 0);
	ck_assert_uint_eq(so.nsvcs, 301);
	ck_assert_uint_eq(ipvs_table_ndests(&so), 0);
	ipvs_table_fini(&so);
	kt_lines_free(&theirs);
	nl_ipvs_close(nl);
}
END_TEST

Suite *kt_misc_suite(void)
{
	Suite *s = suite_create("kernel-misc");
	TCase *tc = tcase_create("misc");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, info_matches_ipvsadm);
	tcase_add_test(tc, timeouts_both_ways);
	tcase_add_test(tc, counters_from_traffic_then_zero);
	tcase_add_test(tc, dump_large_and_many_small);
	suite_add_tcase(s, tc);
	return s;
}
