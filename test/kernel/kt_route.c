/*
 * test/kernel/kt_route.c - netlink/nl_link.c and netlink/sysctl.c on the
 * real kernel, cross-checked with ip(8) and sysctl(8): the dummy link, the
 * addresses bound to it, the node's addresses, kernel parameters, and
 * IPVS traffic to addresses on a dummy that is DOWN (as kube-proxy leaves
 * kube-ipvs0).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kt.h"
#include "netlink/nl_link.h"
#include "netlink/sysctl.h"

#define DUMMY NL_LINK_DUMMY_NAME
#define POD "kt-pod"

/* No dummy, no pod, no IPVS services: every test starts from here. */
static void reset_node(void)
{
	kt_run("ip link del " DUMMY " 2>/dev/null; ip netns del " POD
	       " 2>/dev/null; ip addr flush dev lo scope global; "
	       "ip addr del 10.96.0.1/32 dev d0 2>/dev/null; ipvsadm -C");
}

static struct nl_route *route_open(void)
{
	struct nl_route *nr;

	ck_assert_int_eq(nl_route_open(&nr), 0);
	return nr;
}

/* A fresh node with our dummy on it. */
static struct nl_route *open_with_dummy(struct nl_link *l)
{
	struct nl_route *nr;

	reset_node();
	nr = route_open();
	ck_assert_msg(nl_link_ensure_dummy(nr, DUMMY, l) == 0, "%s",
		      nl_route_last_error(nr));
	return nr;
}

static union ipvs_addr addr(const char *s, int *af)
{
	union ipvs_addr a;
	int f;

	ck_assert_msg(ipvs_addr_parse(s, &f, &a) == 0, "bad address %s", s);
	if (af)
		*af = f;
	return a;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_push(struct kt_lines *l, const char *s)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	ck_assert_ptr_nonnull(l->v);
	l->v[l->n++] = strdup(s);
}

static void lines_sort(struct kt_lines *l)
{
	qsort(l->v, l->n, sizeof(*l->v), cmpstr);
}

/* ip's view of the dummy's addresses: "inet 10.96.0.1/32", sorted. */
static void ip_addrs(struct kt_lines *out)
{
	kt_capture(out, "ip -o addr show dev " DUMMY " | awk '{print $3, $4}'");
}

/* Ours, in the same notation, from one dump. */
static void our_addrs(struct nl_route *nr, const struct nl_link *l,
		      struct kt_lines *out)
{
	struct nl_addr_set s;
	char host[INET6_ADDRSTRLEN], line[80];
	size_t i;

	nl_addr_set_init(&s);
	ck_assert_msg(nl_addr_list(nr, l, &s) == 0, "%s", nl_route_last_error(nr));
	memset(out, 0, sizeof(*out));
	for (i = 0; i < s.n; i++) {
		snprintf(line, sizeof(line), "%s %s/%u",
			 s.v[i].family == AF_INET ? "inet" : "inet6",
			 ipvs_addr_fmt(s.v[i].family, &s.v[i].addr, host, sizeof(host)),
			 s.v[i].prefixlen);
		lines_push(out, line);
	}
	nl_addr_set_fini(&s);
	lines_sort(out);
}

static void assert_ours_match_ip(struct nl_route *nr, const struct nl_link *l)
{
	struct kt_lines ours, theirs;

	our_addrs(nr, l, &ours);
	ip_addrs(&theirs);
	kt_assert_same(&ours, &theirs);
	kt_lines_free(&ours);
	kt_lines_free(&theirs);
}

/* @cmd prints the one line @want (trailing blanks aside). */
static void assert_output(const char *cmd, const char *want)
{
	struct kt_lines l;
	char full[512];

	snprintf(full, sizeof(full), "%s | sed 's/[[:space:]]*$//'", cmd);
	kt_capture(&l, full);
	ck_assert_msg(l.n == 1, "%s: %zu lines", cmd, l.n);
	ck_assert_str_eq(l.v[0], want);
	kt_lines_free(&l);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --- links ----------------------------------------------------------------- */

START_TEST(dummy_created_down_marked_and_deleted)
{
	struct nl_route *nr;
	struct nl_link l, again;
	struct kt_lines ip;

	reset_node();
	nr = route_open();
	ck_assert_int_eq(nl_link_get(nr, DUMMY, &l), -ENODEV);
	ck_assert_str_eq(nl_route_last_error(nr),
			 "looking up link " DUMMY ": No such device");
	ck_assert_int_eq(nl_link_ensure_dummy(nr, DUMMY, &l), 0);
	ck_assert_int_eq(l.created, 1);
	ck_assert_int_eq(l.owned, 1);
	ck_assert_str_eq(l.kind, "dummy");
	ck_assert_str_eq(l.name, DUMMY);
	ck_assert_uint_eq(l.flags & IFF_UP, 0);

	/* ip agrees: a dummy, down, our alias, the same index. */
	kt_capture(&ip, "ip -d -o link show dev " DUMMY);
	ck_assert_uint_eq(ip.n, 1);
	ck_assert_msg(strstr(ip.v[0], " state DOWN ") && strstr(ip.v[0], " dummy ") &&
		      strstr(ip.v[0], "alias " NL_LINK_ALIAS), "%s", ip.v[0]);
	ck_assert_int_eq(atoi(ip.v[0]), l.ifindex);
	kt_lines_free(&ip);

	/* Found, not made, the second time. */
	ck_assert_int_eq(nl_link_ensure_dummy(nr, DUMMY, &again), 0);
	ck_assert_int_eq(again.created, 0);
	ck_assert_int_eq(again.owned, 1);
	ck_assert_int_eq(again.ifindex, l.ifindex);
	ck_assert_int_eq(nl_link_get(nr, DUMMY, &again), 0);
	ck_assert_int_eq(again.ifindex, l.ifindex);

	ck_assert_int_eq(nl_link_delete(nr, &l), 0);
	ck_assert_int_ne(system("ip link show dev " DUMMY " >/dev/null 2>&1"), 0);
	ck_assert_int_eq(nl_link_get(nr, DUMMY, &again), -ENODEV);
	ck_assert_int_eq(nl_link_delete(nr, &l), -ENODEV);
	ck_assert_str_eq(nl_route_last_error(nr),
			 "deleting link " DUMMY ": No such device");
	nl_route_close(nr);
}
END_TEST

START_TEST(foreign_dummy_adopted_as_it_is)
{
	struct nl_route *nr;
	struct nl_link l;

	reset_node();
	kt_run("ip link add " DUMMY " type dummy && ip link set " DUMMY " up");
	nr = route_open();
	ck_assert_int_eq(nl_link_ensure_dummy(nr, DUMMY, &l), 0);
	ck_assert_int_eq(l.created, 0);
	ck_assert_int_eq(l.owned, 0);       /* kube-proxy's, say */
	ck_assert_uint_eq(l.flags & IFF_UP, IFF_UP);
	/* Left up and unmarked. */
	assert_output("ip -d -o link show dev " DUMMY " | grep -c 'UP.*state UNKNOWN'",
		      "1");
	assert_output("ip -d -o link show dev " DUMMY " | grep -c alias || true", "0");
	nl_route_close(nr);
	reset_node();
}
END_TEST

START_TEST(other_kind_of_link_refused)
{
	struct nl_route *nr;
	struct nl_link l;

	reset_node();
	kt_run("ip link add " DUMMY " type veth peer name kt-peer");
	nr = route_open();
	ck_assert_int_eq(nl_link_ensure_dummy(nr, DUMMY, &l), -EEXIST);
	ck_assert_str_eq(nl_route_last_error(nr), "link " DUMMY
			 " is a veth, not a dummy: not using it: File exists");
	ck_assert_int_eq(nl_link_get(nr, DUMMY, &l), 0);
	ck_assert_str_eq(l.kind, "veth");
	ck_assert_int_eq(l.owned, 0);
	/* Bad names never reach the kernel. */
	ck_assert_int_eq(nl_link_ensure_dummy(nr, "", &l), -EINVAL);
	ck_assert_int_eq(nl_link_ensure_dummy(nr, "a-name-far-too-long", &l), -EINVAL);
	nl_route_close(nr);
	reset_node();
}
END_TEST

/* --- addresses on the dummy ------------------------------------------------ */

START_TEST(bind_and_unbind_v4_v6_as_ip_sees_them)
{
	struct nl_link l;
	struct nl_route *nr = open_with_dummy(&l);
	union ipvs_addr a1, a2, a6;
	int f1, f2, f6;
	struct kt_lines ip;

	a1 = addr("10.96.0.1", &f1);
	a2 = addr("10.96.0.2", &f2);
	a6 = addr("fd00:96::1", &f6);
	ck_assert_int_eq(nl_addr_bind(nr, &l, f1, &a1), 0);
	ck_assert_int_eq(nl_addr_bind(nr, &l, f2, &a2), 0);
	ck_assert_int_eq(nl_addr_bind(nr, &l, f6, &a6), 0);
	assert_ours_match_ip(nr, &l);

	/* kube-proxy's form: /32 and /128, scope global, no broadcast; the
	 * IPv6 one not tentative (usable at once), the link still down. */
	kt_capture(&ip, "ip -o addr show dev " DUMMY " | awk '{$1=$2=\"\"; print}'"
		   " | sed 's/valid_lft.*//; s/^ *//; s/[ \\\\]*$//'");
	ck_assert_uint_eq(ip.n, 3);
	ck_assert_str_eq(ip.v[0], "inet 10.96.0.1/32 scope global " DUMMY);
	ck_assert_str_eq(ip.v[1], "inet 10.96.0.2/32 scope global " DUMMY);
	ck_assert_str_eq(ip.v[2], "inet6 fd00:96::1/128 scope global nodad");
	kt_lines_free(&ip);
	assert_output("ip -o link show dev " DUMMY " | grep -c 'state DOWN'", "1");
	/* Local addresses, though the link is down. */
	assert_output("ip route show table local dev " DUMMY " | sort | head -1",
		      "local 10.96.0.1 proto kernel scope host src 10.96.0.1");
	assert_output("ip -6 route show table local dev " DUMMY,
		      "local fd00:96::1 proto kernel metric 0 pref medium");

	ck_assert_int_eq(nl_addr_unbind(nr, &l, f2, &a2), 0);
	ck_assert_int_eq(nl_addr_unbind(nr, &l, f6, &a6), 0);
	assert_ours_match_ip(nr, &l);
	assert_output("ip -o addr show dev " DUMMY " | awk '{print $4}'", "10.96.0.1/32");
	nl_route_close(nr);
}
END_TEST

START_TEST(duplicate_bind_and_missing_unbind_are_told_apart)
{
	struct nl_link l;
	struct nl_route *nr = open_with_dummy(&l);
	union ipvs_addr a1, a9, a6, a69;
	int f1, f9, f6, f69;
	const char *e;

	a1 = addr("10.96.0.1", &f1);
	a9 = addr("10.96.0.9", &f9);
	a6 = addr("fd00:96::1", &f6);
	a69 = addr("fd00:96::9", &f69);
	ck_assert_int_eq(nl_addr_bind(nr, &l, f1, &a1), 0);
	ck_assert_int_eq(nl_addr_bind(nr, &l, f6, &a6), 0);

	ck_assert_int_eq(nl_addr_bind(nr, &l, f1, &a1), -EEXIST);
	e = nl_route_last_error(nr);
	ck_assert_msg(strncmp(e, "binding 10.96.0.1/32 to " DUMMY ": File exists",
			      strlen("binding 10.96.0.1/32 to " DUMMY ": File exists")) == 0,
		      "%s", e);
	ck_assert_int_eq(nl_addr_bind(nr, &l, f6, &a6), -EEXIST);
	e = nl_route_last_error(nr);
	ck_assert_msg(strncmp(e, "binding fd00:96::1/128 to " DUMMY ": File exists",
			      strlen("binding fd00:96::1/128 to " DUMMY ": File exists")) == 0,
		      "%s", e);

	ck_assert_int_eq(nl_addr_unbind(nr, &l, f9, &a9), -EADDRNOTAVAIL);
	e = nl_route_last_error(nr);
	ck_assert_msg(strncmp(e, "unbinding 10.96.0.9/32 from " DUMMY
			      ": Cannot assign requested address",
			      strlen("unbinding 10.96.0.9/32 from " DUMMY
				     ": Cannot assign requested address")) == 0, "%s", e);
	ck_assert_int_eq(nl_addr_unbind(nr, &l, f69, &a69), -EADDRNOTAVAIL);
	/* None of that disturbed what is there. */
	assert_ours_match_ip(nr, &l);
	assert_output("ip -o addr show dev " DUMMY " | wc -l", "2");
	/* A family the kernel never hears of. */
	ck_assert_int_eq(nl_addr_bind(nr, &l, AF_UNIX, &a1), -EINVAL);
	nl_route_close(nr);
}
END_TEST

START_TEST(batch_reports_each_op_and_the_others_go)
{
	struct nl_link l;
	struct nl_route *nr = open_with_dummy(&l);
	struct nl_addr_op ops[6];
	struct kt_lines ip;
	int af;

	memset(ops, 0, sizeof(ops));
	ops[0].kind = NL_ADDR_BIND;
	ops[0].a.addr = addr("10.96.0.1", &af);
	ops[0].a.family = af;
	ops[1] = ops[0];                                   /* again: EEXIST */
	ops[2].kind = NL_ADDR_BIND;
	ops[2].a.addr = addr("fd00:96::2", &af);
	ops[2].a.family = af;
	ops[3].kind = NL_ADDR_UNBIND;                      /* missing */
	ops[3].a.addr = addr("10.96.0.3", &af);
	ops[3].a.family = af;
	ops[4] = ops[0];
	ops[4].a.prefixlen = 33;                           /* refused here */
	ops[5].kind = NL_ADDR_BIND;
	ops[5].a.addr = addr("10.96.0.5", &af);
	ops[5].a.family = af;
	ck_assert_int_eq(nl_addr_apply(nr, &l, ops, 6), 3);
	ck_assert_int_eq(ops[0].err, 0);
	ck_assert_int_eq(ops[1].err, EEXIST);
	ck_assert_int_eq(ops[2].err, 0);
	ck_assert_int_eq(ops[3].err, EADDRNOTAVAIL);
	ck_assert_int_eq(ops[4].err, EINVAL);
	ck_assert_int_eq(ops[5].err, 0);
	/* The first failure is the one in words. */
	ck_assert_msg(strncmp(nl_route_last_error(nr), "binding 10.96.0.1/32 to "
			      DUMMY ": File exists", 43) == 0,
		      "%s", nl_route_last_error(nr));
	/* A refused op is named as it was given. */
	ck_assert_int_eq(nl_addr_apply(nr, &l, &ops[4], 1), 1);
	ck_assert_str_eq(nl_route_last_error(nr),
			 "binding 10.96.0.1/33 to " DUMMY ": Invalid argument");
	kt_capture(&ip, "ip -o addr show dev " DUMMY " | awk '{print $4}'");
	ck_assert_uint_eq(ip.n, 3);
	ck_assert_str_eq(ip.v[0], "10.96.0.1/32");
	ck_assert_str_eq(ip.v[1], "10.96.0.5/32");
	ck_assert_str_eq(ip.v[2], "fd00:96::2/128");
	kt_lines_free(&ip);
	ck_assert_int_eq(nl_addr_apply(nr, &l, ops, 0), 0);
	nl_route_close(nr);
}
END_TEST

/* Thousands of addresses: one dump lists exactly what ip lists, one
 * sendmsg binds hundreds, and a foreign /24 is listed with its prefix and
 * can be unbound with it. */
START_TEST(one_dump_lists_what_ip_lists)
{
	enum { NV4 = 2000, NV6 = 500 };
	struct nl_link l;
	struct nl_route *nr = open_with_dummy(&l);
	struct nl_addr_op *ops = calloc(NV4 + NV6, sizeof(*ops));
	struct nl_route_counters before;
	struct nl_addr_set s;
	struct nl_addr_op op;
	char ip[INET6_ADDRSTRLEN];
	double t0, t_bind, t_list, t_ip;
	FILE *f;
	int i, af;

	ck_assert_ptr_nonnull(ops);
	ck_assert_ptr_nonnull(f = fopen("/run/kt-addrs", "w"));
	for (i = 0; i < NV4 + NV6; i++) {
		if (i < NV4)
			snprintf(ip, sizeof(ip), "10.96.%d.%d", i / 250, 1 + i % 250);
		else
			snprintf(ip, sizeof(ip), "fd00:96::%x", i);
		ops[i].kind = NL_ADDR_BIND;
		ops[i].a.addr = addr(ip, &af);
		ops[i].a.family = af;
		fprintf(f, "addr add %s/%d dev kt-ref\n", ip, i < NV4 ? 32 : 128);
	}
	fclose(f);
	before = *nl_route_counters(nr);
	t0 = now();
	ck_assert_int_eq(nl_addr_apply(nr, &l, ops, NV4 + NV6), 0);
	t_bind = now() - t0;
	ck_assert_uint_le(nl_route_counters(nr)->sendmsgs - before.sendmsgs, 30);
	kt_run("ip addr add 10.97.0.1/24 dev " DUMMY);

	before = *nl_route_counters(nr);
	t0 = now();
	nl_addr_set_init(&s);
	ck_assert_int_eq(nl_addr_list(nr, &l, &s), 0);
	t_list = now() - t0;
	ck_assert_uint_eq(nl_route_counters(nr)->requests - before.requests, 1);
	ck_assert_uint_eq(nl_route_counters(nr)->sendmsgs - before.sendmsgs, 1);
	ck_assert_uint_eq(s.n, NV4 + NV6 + 1);
	ck_assert(nl_addr_set_has(&s, AF_INET, &ops[7].a.addr));
	ck_assert(nl_addr_set_has(&s, AF_INET6, &ops[NV4 + 7].a.addr));
	nl_addr_set_fini(&s);
	assert_ours_match_ip(nr, &l);

	/* The reference: ip -batch, one request and one ACK at a time. */
	kt_run("ip link add kt-ref type dummy");
	t0 = now();
	kt_run("ip -batch /run/kt-addrs");
	t_ip = now() - t0;
	kt_run("ip link del kt-ref");
	printf("kernel-route: %d addresses bound in %.3f s (ip -batch %.3f s), "
	       "listed in %.3f s\n", NV4 + NV6, t_bind, t_ip, t_list);

	/* The foreign /24 unbinds with the prefix the listing gave. */
	memset(&op, 0, sizeof(op));
	op.kind = NL_ADDR_UNBIND;
	op.a.addr = addr("10.97.0.1", &op.a.family);
	ck_assert_int_eq(nl_addr_apply(nr, &l, &op, 1), 1);
	ck_assert_int_eq(op.err, EADDRNOTAVAIL);       /* not a /32 */
	op.a.prefixlen = 24;
	ck_assert_int_eq(nl_addr_apply(nr, &l, &op, 1), 0);

	for (i = 0; i < NV4 + NV6; i++)
		ops[i].kind = NL_ADDR_UNBIND;
	ck_assert_int_eq(nl_addr_apply(nr, &l, ops, NV4 + NV6), 0);
	assert_output("ip -o addr show dev " DUMMY " | wc -l", "0");
	free(ops);
	nl_route_close(nr);
}
END_TEST

START_TEST(address_sets_order_and_dedupe)
{
	struct nl_addr_set s;
	union ipvs_addr a = addr("10.0.0.2", NULL), b = addr("10.0.0.1", NULL),
			c = addr("fd00::1", NULL);

	nl_addr_set_init(&s);
	ck_assert_int_eq(nl_addr_set_append(&s, AF_INET6, &c), 0);
	ck_assert_int_eq(nl_addr_set_append(&s, AF_INET, &a), 0);
	ck_assert_int_eq(nl_addr_set_append(&s, AF_INET, &b), 0);
	ck_assert_int_eq(nl_addr_set_append(&s, AF_INET, &a), 0);
	nl_addr_set_sort(&s);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(ipvs_addr_cmp(AF_INET, &s.v[0].addr, &b), 0);
	ck_assert_int_eq(ipvs_addr_cmp(AF_INET, &s.v[1].addr, &a), 0);
	ck_assert_int_eq(s.v[2].family, AF_INET6);
	ck_assert(nl_addr_set_has(&s, AF_INET, &a));
	ck_assert(!nl_addr_set_has(&s, AF_INET6, &a));
	ck_assert_int_eq(nl_addr_set_add(&s, AF_INET, &a), 0);
	ck_assert_uint_eq(s.n, 3);
	a = addr("10.0.0.0", NULL);
	ck_assert_int_eq(nl_addr_set_add(&s, AF_INET, &a), 0);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_int_eq(ipvs_addr_cmp(AF_INET, &s.v[0].addr, &a), 0);
	ck_assert_int_eq(nl_addr_set_add(&s, AF_UNIX, &a), -EINVAL);
	nl_addr_set_fini(&s);
}
END_TEST

/* --- the node's addresses -------------------------------------------------- */

/* Ours as "IFINDEX: inet ADDR/LEN", sorted. */
static void our_locals(struct nl_route *nr, const struct nl_addr_filter *f,
		       struct kt_lines *out)
{
	struct nl_addr_locals l;
	char host[INET6_ADDRSTRLEN], line[96];
	size_t i;

	nl_addr_locals_init(&l);
	ck_assert_msg(nl_addr_list_local(nr, f, &l) == 0, "%s",
		      nl_route_last_error(nr));
	memset(out, 0, sizeof(*out));
	for (i = 0; i < l.n; i++) {
		snprintf(line, sizeof(line), "%d: %s %s/%u", l.v[i].ifindex,
			 l.v[i].family == AF_INET ? "inet" : "inet6",
			 ipvs_addr_fmt(l.v[i].family, &l.v[i].addr, host, sizeof(host)),
			 l.v[i].prefixlen);
		lines_push(out, line);
	}
	nl_addr_locals_fini(&l);
	lines_sort(out);
}

static void assert_locals(struct nl_route *nr, const struct nl_addr_filter *f,
			  const char *awk_filter)
{
	struct kt_lines ours, theirs;
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "ip -o addr show | awk '$2 != \"" DUMMY "\" && (%s) {print $1, $3, $4}'",
		 awk_filter);
	our_locals(nr, f, &ours);
	kt_capture(&theirs, cmd);
	ck_assert_msg(theirs.n > 0 || strstr(awk_filter, "127"), "ip lists nothing: %s",
		      cmd);
	kt_assert_same(&ours, &theirs);
	kt_lines_free(&ours);
	kt_lines_free(&theirs);
}

#define NOT_LOOPBACK "$4 !~ /^127\\./ && $4 != \"::1/128\""

START_TEST(local_addresses_leave_out_the_dummy_and_loopback)
{
	struct nl_link l;
	struct nl_route *nr = open_with_dummy(&l);
	struct nl_addr_filter f = { .family = AF_UNSPEC, .exclude_ifindex = l.ifindex };
	struct nl_addr_cidr c[2];
	union ipvs_addr a = addr("10.96.0.1", NULL);
	struct kt_lines ours;

	ck_assert_int_eq(nl_addr_bind(nr, &l, AF_INET, &a), 0);
	/* Also on d0: listed there, not on the dummy. */
	kt_run("ip addr add 10.96.0.1/32 dev d0");
	/* A service address on lo (anycast): kube-proxy counts it. */
	kt_run("ip addr add 10.5.5.5/32 dev lo");
	/* d0 is up, so it has an IPv6 link-local address. */
	assert_output("ip -o -6 addr show dev d0 scope link | wc -l", "1");

	assert_locals(nr, &f, NOT_LOOPBACK " && $4 !~ /^fe80:/");
	f.family = AF_INET;
	assert_locals(nr, &f, "$3 == \"inet\" && " NOT_LOOPBACK);
	f.family = AF_INET6;
	assert_locals(nr, &f, "$3 == \"inet6\" && " NOT_LOOPBACK " && $4 !~ /^fe80:/");

	/* --nodeport-addresses */
	f.family = AF_UNSPEC;
	ck_assert_int_eq(nl_addr_cidr_parse("10.0.0.0/8", &c[0]), 0);
	ck_assert_int_eq(nl_addr_cidr_parse("fd00::/64", &c[1]), 0);
	f.cidrs = c;
	f.ncidrs = 2;
	assert_locals(nr, &f, "$4 ~ /^10\\./ || $4 ~ /^fd00::/");
	/* Link-local only when asked; loopback never. */
	ck_assert_int_eq(nl_addr_cidr_parse("fe80::/10", &c[0]), 0);
	ck_assert_int_eq(nl_addr_cidr_parse("127.0.0.0/8", &c[1]), 0);
	assert_locals(nr, &f, "$4 ~ /^fe80:/");
	f.ncidrs = 1;
	ck_assert_int_eq(nl_addr_cidr_parse("127.0.0.1", &c[0]), 0);
	our_locals(nr, &f, &ours);
	ck_assert_uint_eq(ours.n, 0);
	kt_lines_free(&ours);

	f.family = AF_UNIX;
	ck_assert_int_eq(nl_addr_list_local(nr, &f, &(struct nl_addr_locals){ 0 }),
			 -EINVAL);
	kt_run("ip addr del 10.96.0.1/32 dev d0");
	nl_route_close(nr);
	reset_node();
}
END_TEST

START_TEST(cidr_parse_and_contains)
{
	static const char *const bad[] = {
		"",          "/8",          "10.0.0.0/",   "10.0.0.0/33", "fd00::/129",
		"10.0.0.0/8x", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0/8",
		"10.0.0.0/0008", "[fd00::]/64", "10.0.0.0/8/8", "fd00::/64 ",
	};
	struct nl_addr_cidr c;
	char buf[INET6_ADDRSTRLEN];
	union ipvs_addr a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(nl_addr_cidr_parse(bad[i], &c) == -EINVAL, "'%s'", bad[i]);
	ck_assert_int_eq(nl_addr_cidr_parse(NULL, &c), -EINVAL);

	ck_assert_int_eq(nl_addr_cidr_parse("10.1.2.3/8", &c), 0);
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.prefixlen, 8);
	ck_assert_str_eq(ipvs_addr_fmt(AF_INET, &c.addr, buf, sizeof(buf)), "10.0.0.0");
	a = addr("10.255.0.1", NULL);
	ck_assert(nl_addr_cidr_contains(&c, AF_INET, &a));
	a = addr("11.0.0.1", NULL);
	ck_assert(!nl_addr_cidr_contains(&c, AF_INET, &a));

	ck_assert_int_eq(nl_addr_cidr_parse("10.1.2.128/25", &c), 0);
	a = addr("10.1.2.200", NULL);
	ck_assert(nl_addr_cidr_contains(&c, AF_INET, &a));
	a = addr("10.1.2.100", NULL);
	ck_assert(!nl_addr_cidr_contains(&c, AF_INET, &a));

	ck_assert_int_eq(nl_addr_cidr_parse("0.0.0.0/0", &c), 0);
	ck_assert(nl_addr_cidr_contains(&c, AF_INET, &a));
	a = addr("fd00::1", NULL);
	ck_assert(!nl_addr_cidr_contains(&c, AF_INET6, &a));

	ck_assert_int_eq(nl_addr_cidr_parse("fd00::ffff/64", &c), 0);
	ck_assert_str_eq(ipvs_addr_fmt(AF_INET6, &c.addr, buf, sizeof(buf)), "fd00::");
	ck_assert(nl_addr_cidr_contains(&c, AF_INET6, &a));
	a = addr("fd00:0:0:1::1", NULL);
	ck_assert(!nl_addr_cidr_contains(&c, AF_INET6, &a));

	ck_assert_int_eq(nl_addr_cidr_parse("fd00::7", &c), 0);
	ck_assert_uint_eq(c.prefixlen, 128);
	a = addr("fd00::7", NULL);
	ck_assert(nl_addr_cidr_contains(&c, AF_INET6, &a));
	a = addr("fd00::6", NULL);
	ck_assert(!nl_addr_cidr_contains(&c, AF_INET6, &a));
}
END_TEST

/* --- kernel parameters ----------------------------------------------------- */

static int sysctl_tool(const char *name)
{
	struct kt_lines l;
	char cmd[160];
	int v;

	snprintf(cmd, sizeof(cmd), "sysctl -n %s", name);
	kt_capture(&l, cmd);
	ck_assert_uint_eq(l.n, 1);
	v = atoi(l.v[0]);
	kt_lines_free(&l);
	return v;
}

START_TEST(sysctls_round_trip_with_sysctl_tool)
{
	static const char *const names[] = {
		"net.ipv4.vs.conntrack",           "net.ipv4.vs.expire_nodest_conn",
		"net.ipv4.vs.expire_quiescent_template", "net.ipv4.vs.conn_reuse_mode",
		"net.ipv4.ip_forward",             "net.ipv4.conf.all.arp_ignore",
		"net.ipv4.conf.all.arp_announce",  "net.ipv4.conf.d0.rp_filter",
	};
	size_t i;
	int old, v, want;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_msg(sysctl_get_int(names[i], &old) == 0, "%s", sysctl_last_error());
		ck_assert_int_eq(old, sysctl_tool(names[i]));
		want = old ? 0 : 1;
		ck_assert_int_eq(sysctl_set_int(names[i], want), 1);
		ck_assert_int_eq(sysctl_tool(names[i]), want);
		ck_assert_int_eq(sysctl_set_int(names[i], want), 0);
		kt_run("sysctl -q -w %s=%d", names[i], old);
		ck_assert_int_eq(sysctl_get_int(names[i], &v), 0);
		ck_assert_int_eq(v, old);
	}
	/* Slashes, as sysctl(8) takes them. */
	ck_assert_int_eq(sysctl_get_int("net/ipv4/vs/conntrack", &v), 0);
	ck_assert_int_eq(v, sysctl_tool("net.ipv4.vs.conntrack"));
}
END_TEST

START_TEST(sysctl_errors_name_the_parameter)
{
	int v;

	ck_assert_int_eq(sysctl_get_int("net.ipv4.vs.no_such_thing", &v), -ENOENT);
	ck_assert_msg(strstr(sysctl_last_error(), "net.ipv4.vs.no_such_thing"), "%s",
		      sysctl_last_error());
	/* The kernel's own range check: a TTL of 0. */
	ck_assert_int_eq(sysctl_set_int("net.ipv4.ip_default_ttl", 0), -EINVAL);
	ck_assert_msg(strstr(sysctl_last_error(), "sysctl net.ipv4.ip_default_ttl: "
			     "writing 0 (was "), "%s", sysctl_last_error());
	ck_assert_int_eq(sysctl_get_int("net.ipv4.ip_default_ttl", &v), 0);
	ck_assert_int_eq(v, sysctl_tool("net.ipv4.ip_default_ttl"));
	ck_assert_int_gt(v, 0);
	/* Two values are not one integer. */
	ck_assert_int_eq(sysctl_get_int("net.ipv4.ip_local_port_range", &v), -EINVAL);
}
END_TEST

/* --- IPVS to addresses on a down dummy ------------------------------------- */

static socklen_t sockaddr_make(struct sockaddr_storage *ss, int af,
			       const char *ip, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		ck_assert_int_eq(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons((uint16_t)port);
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
	return sizeof(*s6);
}

static int listen_on(int af, const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_make(&ss, af, ip, port);
	int fd = socket(af, SOCK_STREAM, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ck_assert_msg(bind(fd, (struct sockaddr *)&ss, len) == 0, "bind %s: %s", ip,
		      strerror(errno));
	ck_assert_int_eq(listen(fd, 16), 0);
	return fd;
}

/* In a child (inside @netns unless NULL): connect, write what the server
 * said, or the error, to @out. */
static void client(const char *netns, int af, const char *ip, int port, int out)
{
	struct timeval tv = { 3, 0 };
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_make(&ss, af, ip, port);
	char buf[64], path[64];
	ssize_t n;
	int fd;

	if (netns) {
		snprintf(path, sizeof(path), "/run/netns/%s", netns);
		if ((fd = open(path, O_RDONLY)) < 0 || setns(fd, CLONE_NEWNET)) {
			dprintf(out, "setns %s: %s", netns, strerror(errno));
			return;
		}
		close(fd);
	}
	fd = socket(af, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		dprintf(out, "connect: %s", strerror(errno));
		return;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0)
		dprintf(out, "read: %s", strerror(errno));
	else if (write(out, buf, (size_t)n) < 0)
		return;
	close(fd);
}

/* Connect to @ip:@port from the node or from a pod; the listener @lfd
 * answers "node" if IPVS brings the connection to it.  What the client got. */
static void ask(const char *netns, int af, const char *ip, int port, int lfd,
		char *got, size_t len)
{
	struct pollfd pfd[2];
	int p[2], c, status;
	pid_t pid;
	ssize_t n;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		client(netns, af, ip, port, p[1]);
		_exit(0);
	}
	close(p[1]);
	pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	if (poll(pfd, 2, 5000) > 0 && (pfd[0].revents & POLLIN)) {
		c = accept(lfd, NULL, NULL);
		ck_assert_int_ge(c, 0);
		ck_assert_int_eq(write(c, "node", 4), 4);
		close(c);
	}
	n = read(p[0], got, len - 1);
	got[n > 0 ? n : 0] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}

static void ipvs_apply(struct nl_ipvs *nl, const char *const *lines, size_t n)
{
	struct ipvs_op ops[4];
	size_t i;

	ck_assert_uint_le(n, 4);
	for (i = 0; i < n; i++)
		kt_op(&ops[i], lines[i]);
	ck_assert_msg(nl_ipvs_apply(nl, ops, n) == 0, "%s", nl_ipvs_last_error(nl));
}

/*
 * kube-proxy leaves kube-ipvs0 down.  Its addresses are still local (the
 * kernel adds their local routes whatever the link state), so a connection
 * to a VIP bound there reaches IPVS, from the node itself and from a pod,
 * IPv4 and IPv6; and without the binding it does not.
 */
START_TEST(vip_on_down_dummy_takes_ipvs_traffic)
{
	static const char *const rules[] = {
		"-A -t 10.96.0.10:80 -s rr",
		"-a -t 10.96.0.10:80 -r 10.1.0.1:8080 -m -w 1",
		"-A -t [fd00:96::10]:80 -s rr",
		"-a -t [fd00:96::10]:80 -r [fd00::1]:8080 -m -w 1",
	};
	struct nl_link l;
	struct nl_route *nr = open_with_dummy(&l);
	struct nl_ipvs *nl = kt_open_clean();
	union ipvs_addr v4 = addr("10.96.0.10", NULL), v6 = addr("fd00:96::10", NULL);
	int l4, l6;
	char got[128];

	ck_assert_uint_eq(l.flags & IFF_UP, 0);
	ck_assert_int_eq(nl_addr_bind(nr, &l, AF_INET, &v4), 0);
	ck_assert_int_eq(nl_addr_bind(nr, &l, AF_INET6, &v6), 0);
	ipvs_apply(nl, rules, 4);
	l4 = listen_on(AF_INET, "10.1.0.1", 8080);
	l6 = listen_on(AF_INET6, "fd00::1", 8080);
	kt_run("bash -c '. test/uml/lib.sh && pod_create " POD " 10.2.0.5'");

	ask(NULL, AF_INET, "10.96.0.10", 80, l4, got, sizeof(got));
	ck_assert_str_eq(got, "node");
	ask(NULL, AF_INET6, "fd00:96::10", 80, l6, got, sizeof(got));
	ck_assert_str_eq(got, "node");
	ask(POD, AF_INET, "10.96.0.10", 80, l4, got, sizeof(got));
	ck_assert_str_eq(got, "node");
	/* All through IPVS, and the link never came up. */
	assert_output("ipvsadm -Ln | awk '/-> 10.1.0.1:8080/ {print $5 + $6}'", "2");
	assert_output("ipvsadm -Ln | awk '/-> \\[fd00::1\\]:8080/ {print $5 + $6}'", "1");
	assert_output("ip -o link show dev " DUMMY " | grep -c 'state DOWN'", "1");

	/* Unbound, the VIP is nobody's: no route from the node. */
	ck_assert_int_eq(nl_addr_unbind(nr, &l, AF_INET, &v4), 0);
	ck_assert_int_eq(nl_addr_unbind(nr, &l, AF_INET6, &v6), 0);
	ask(NULL, AF_INET, "10.96.0.10", 80, l4, got, sizeof(got));
	ck_assert_msg(strncmp(got, "connect: ", 9) == 0, "got '%s'", got);
	ask(NULL, AF_INET6, "fd00:96::10", 80, l6, got, sizeof(got));
	ck_assert_msg(strncmp(got, "connect: ", 9) == 0, "got '%s'", got);

	close(l4);
	close(l6);
	nl_ipvs_close(nl);
	nl_route_close(nr);
	reset_node();
}
END_TEST

Suite *kt_route_suite(void)
{
	Suite *s = suite_create("kernel-route");
	TCase *links = tcase_create("links");
	TCase *addrs = tcase_create("addresses");
	TCase *params = tcase_create("sysctl");
	TCase *traffic = tcase_create("down-dummy");

	tcase_add_test(links, dummy_created_down_marked_and_deleted);
	tcase_add_test(links, foreign_dummy_adopted_as_it_is);
	tcase_add_test(links, other_kind_of_link_refused);
	suite_add_tcase(s, links);

	tcase_set_timeout(addrs, 120);
	tcase_add_test(addrs, bind_and_unbind_v4_v6_as_ip_sees_them);
	tcase_add_test(addrs, duplicate_bind_and_missing_unbind_are_told_apart);
	tcase_add_test(addrs, batch_reports_each_op_and_the_others_go);
	tcase_add_test(addrs, one_dump_lists_what_ip_lists);
	tcase_add_test(addrs, address_sets_order_and_dedupe);
	tcase_add_test(addrs, local_addresses_leave_out_the_dummy_and_loopback);
	tcase_add_test(addrs, cidr_parse_and_contains);
	suite_add_tcase(s, addrs);

	tcase_add_test(params, sysctls_round_trip_with_sysctl_tool);
	tcase_add_test(params, sysctl_errors_name_the_parameter);
	suite_add_tcase(s, params);

	tcase_set_timeout(traffic, 60);
	tcase_add_test(traffic, vip_on_down_dummy_takes_ipvs_traffic);
	suite_add_tcase(s, traffic);
	return s;
}
