/*
 * test/kernel/kt_roundtrip.c - every field survives the kernel, both ways:
 * what we create, `ipvsadm -Sn` prints exactly; what ipvsadm creates, our
 * dump returns exactly.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "kt.h"

/* Canonical ipvsadm -Sn lines: every scheduler, protocol, family, fwmark,
 * persistence with netmasks, scheduler flags, engine, one-packet, every
 * forwarding method and tunnel type.  Addresses are routable on d0. */
static const char *const rules[] = {
	"-A -t 10.0.0.1:80 -s rr",
	"-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -m -w 3",
	"-a -t 10.0.0.1:80 -r 10.1.1.2:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum",
	"-a -t 10.0.0.1:80 -r 10.1.1.3:80 -g -w 0",
	"-a -t 10.0.0.1:80 -r 10.1.1.4:80 -i -w 1 --tun-type gre --tun-csum",
	"-a -t 10.0.0.1:80 -r 10.1.1.5:80 -i -w 1 --tun-type gue --tun-port 1 --tun-remcsum",
	"-a -t 10.0.0.1:80 -r 10.1.1.6:80 -i -w 1 --tun-type ipip",
	"-a -t 10.0.0.1:80 -r 10.1.1.7:80 -i -w 2 --tun-type gre --tun-nocsum",
	"-A -t 10.0.0.2:443 -s wrr",
	"-A -t 10.0.0.3:443 -s lc",
	"-A -t 10.0.0.4:443 -s wlc",
	"-A -t 10.0.0.5:443 -s lblc",
	"-A -t 10.0.0.6:443 -s lblcr",
	"-A -t 10.0.0.7:443 -s dh",
	"-A -t 10.0.0.8:443 -s sed",
	"-A -t 10.0.0.9:443 -s nq",
	"-A -t 10.0.0.10:443 -s fo",
	"-A -t 10.0.0.11:443 -s ovf",
	"-A -t 10.0.0.12:443 -s mh -b mh-fallback,mh-port",
	"-A -u 10.0.0.2:53 -s sh -p 60 -M 255.255.255.0 -b sh-fallback,sh-port",
	"-a -u 10.0.0.2:53 -r 10.1.2.1:5353 -m -w 100",
	"-A -u 10.0.0.3:5060 -s rr -p 30 --pe sip -o",
	"-A --sctp-service 10.0.0.4:9 -s wrr -b flag-3",
	"-a --sctp-service 10.0.0.4:9 -r 10.1.3.1:9 -m -w 7",
	"-A -t 10.0.0.13:0 -s rr -p 3600",
	"-A -f 42 -s lc",
	"-a -f 42 -r 10.1.4.1:0 -m -w 1",
	"-a -f 42 -r 10.1.4.2:8080 -m -w 1",
	"-A -f 43 -6 -s lc -p 360",
	"-a -f 43 -6 -r [fd00::5]:0 -m -w 1",
	"-A -t [fd00::10]:443 -s rr -p 100 -M 64",
	"-a -t [fd00::10]:443 -r [fd00::2]:8443 -m -w 2",
	"-a -t [fd00::10]:443 -r 10.1.1.9:443 -i -w 1 --tun-type ipip",
	"-A -u [fd00::11]:53 -s sh",
	"-a -u [fd00::11]:53 -r [fd00::3]:53 -g -w 1",
	"-a -u [fd00::11]:53 -r [fd00::4]:53 -i -w 1 --tun-type gue --tun-port 5555 --tun-csum",
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static void rules_lines(struct kt_lines *l)
{
	FILE *f = fopen("/run/kt-rules", "w");
	size_t i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < NRULES; i++)
		fprintf(f, "%s\n", rules[i]);
	fclose(f);
	kt_capture(l, "cat /run/kt-rules");
}

START_TEST(ours_then_ipvsadm_prints_exactly)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct ipvs_op ops[NRULES];
	struct kt_lines want, theirs, ours;
	size_t i;

	for (i = 0; i < NRULES; i++)
		kt_op(&ops[i], rules[i]);
	ck_assert_int_eq(nl_ipvs_apply(nl, ops, NRULES), 0);
	rules_lines(&want);
	kt_capture(&theirs, "ipvsadm -Sn");
	kt_assert_same(&want, &theirs);
	kt_dump_lines(nl, &ours);
	kt_assert_same(&ours, &theirs);
	kt_lines_free(&want);
	kt_lines_free(&theirs);
	kt_lines_free(&ours);
	nl_ipvs_close(nl);
}
END_TEST

/* ipvsadm is fed the same rules through its own restore. */
START_TEST(ipvsadm_then_our_dump_returns_exactly)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct kt_lines want, ours;

	rules_lines(&want);
	kt_run("ipvsadm -R < /run/kt-rules");
	kt_dump_lines(nl, &ours);
	kt_assert_same(&ours, &want);
	kt_lines_free(&want);
	kt_lines_free(&ours);
	nl_ipvs_close(nl);
}
END_TEST

/* ipvsadm commands in their non-canonical spellings, and the fields -S
 * does not print (thresholds, connection counts) read field by field. */
START_TEST(ipvsadm_commands_fields)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct ipvs_table t;
	struct ipvs_table_service *ts;
	struct kt_lines theirs, ours;

	kt_run("ipvsadm --add-service --tcp-service 10.0.0.1:80 --scheduler wrr "
	       "--persistent");
	kt_run("ipvsadm -a -t 10.0.0.1:80 -r 10.1.1.1 --masquerading "
	       "--weight 9 -x 100 -y 10");
	kt_run("ipvsadm -a -t 10.0.0.1:80 -r 10.1.1.2:99 --gatewaying");
	kt_run("ipvsadm -A -f 7 -6 -s sed");
	kt_run("ipvsadm -a -f 7 -6 -r [fd00::7]:0 -m");
	kt_capture(&theirs, "ipvsadm -Sn");
	kt_dump_lines(nl, &ours);
	kt_assert_same(&ours, &theirs);

	ipvs_table_init(&t);
	ck_assert_int_eq(nl_ipvs_dump(nl, &t), 0);
	ipvs_table_sort(&t);
	ck_assert_uint_eq(t.nsvcs, 2);
	ts = &t.svcs[0];   /* AF_INET sorts first */
	ck_assert_str_eq(ts->conf.sched, "wrr");
	ck_assert_uint_eq(ts->conf.timeout, IPVS_PERSIST_DEFAULT);
	ck_assert_uint_eq(ts->ndests, 2);
	ck_assert_uint_eq(ts->dests[0].conf.u_thresh, 100);
	ck_assert_uint_eq(ts->dests[0].conf.l_thresh, 10);
	ck_assert_int_eq(ts->dests[0].conf.weight, 9);
	ck_assert_uint_eq(ts->dests[0].conf.port, 80);
	ck_assert_uint_eq(ts->dests[1].conf.fwd, IPVS_FWD_DROUTE);
	ck_assert_uint_eq(t.svcs[1].conf.key.af, AF_INET6);
	ck_assert_uint_eq(t.svcs[1].conf.key.fwmark, 7);
	ck_assert_uint_eq(t.svcs[1].dests[0].conf.af, AF_INET6);
	ipvs_table_fini(&t);
	kt_lines_free(&theirs);
	kt_lines_free(&ours);
	nl_ipvs_close(nl);
}
END_TEST

/* Thresholds we set are what ipvsadm lists. */
START_TEST(our_thresholds_ipvsadm_lists)
{
	struct nl_ipvs *nl = kt_open_clean();
	struct ipvs_op ops[2];
	struct kt_lines l;

	kt_op(&ops[0], "-A -t 10.0.0.1:80 -s rr");
	kt_op(&ops[1], "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -x 50 -y 5");
	ck_assert_int_eq(nl_ipvs_apply(nl, ops, 2), 0);
	kt_capture(&l, "ipvsadm -Ln --thresholds | awk '/->.*10.1.1.1/ {print $3, $4}'");
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(l.v[0], "50 5");
	kt_lines_free(&l);
	nl_ipvs_close(nl);
}
END_TEST

Suite *kt_roundtrip_suite(void)
{
	Suite *s = suite_create("kernel-roundtrip");
	TCase *tc = tcase_create("roundtrip");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ours_then_ipvsadm_prints_exactly);
	tcase_add_test(tc, ipvsadm_then_our_dump_returns_exactly);
	tcase_add_test(tc, ipvsadm_commands_fields);
	tcase_add_test(tc, our_thresholds_ipvsadm_lists);
	suite_add_tcase(s, tc);
	return s;
}
