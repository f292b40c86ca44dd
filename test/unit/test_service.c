/*
 * test/unit/test_service.c - ipvs/service.c: keys and their order and hash,
 * configuration equality, validation, and ipvsadm -Sn notation.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture.h"
#include "ipvs/service.h"
#include "suites.h"

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int sgn(int x)
{
	return (x > 0) - (x < 0);
}

/* --- keys ------------------------------------------------------------- */

START_TEST(key_init_copies_only_the_family_bytes)
{
	struct ipvs_service_key k;
	union ipvs_addr a = fx_addr("10.0.0.1", NULL);
	size_t i;

	a.raw[4] = 0xee;   /* junk past a v4 address must not travel */
	memset(&k, 0xa5, sizeof(k));
	ipvs_service_key_init(&k, AF_INET, IPVS_PROTO_TCP, &a, 80);
	ck_assert_uint_eq(k.af, AF_INET);
	ck_assert_uint_eq(k.protocol, IPVS_PROTO_TCP);
	ck_assert_uint_eq(k.fwmark, 0);
	ck_assert_uint_eq(k.port, 80);
	ck_assert_mem_eq(k.addr.raw, a.raw, 4);
	for (i = 4; i < sizeof(k.addr.raw); i++)
		ck_assert_uint_eq(k.addr.raw[i], 0);
}
END_TEST

START_TEST(key_init_fwmark_zeroes_address_fields)
{
	static const union ipvs_addr zero;
	struct ipvs_service_key k;

	memset(&k, 0xa5, sizeof(k));
	ipvs_service_key_init_fwmark(&k, AF_INET6, 7);
	ck_assert_uint_eq(k.af, AF_INET6);
	ck_assert_uint_eq(k.fwmark, 7);
	ck_assert_uint_eq(k.protocol, 0);
	ck_assert_uint_eq(k.port, 0);
	ck_assert_mem_eq(k.addr.raw, zero.raw, sizeof(zero.raw));
}
END_TEST

/* Sort order: family, then fwmark, protocol, address, port. */
START_TEST(key_cmp_orders_fields_by_significance)
{
	struct ipvs_service a, b;

	fx_svc(&a, IPVS_PROTO_UDP, "10.0.0.9", 9, "rr");
	fx_svc(&b, IPVS_PROTO_TCP, "fd00::1", 1, "rr");
	ck_assert_int_lt(ipvs_service_key_cmp(&a.key, &b.key), 0);
	fx_svc(&b, IPVS_PROTO_TCP, "10.0.0.1", 1, "rr");
	ck_assert_int_gt(ipvs_service_key_cmp(&a.key, &b.key), 0);
	fx_svc(&b, IPVS_PROTO_UDP, "10.0.0.10", 1, "rr");
	ck_assert_int_lt(ipvs_service_key_cmp(&a.key, &b.key), 0);
	fx_svc(&b, IPVS_PROTO_UDP, "10.0.0.9", 10, "rr");
	ck_assert_int_lt(ipvs_service_key_cmp(&a.key, &b.key), 0);
	fx_svc_fwmark(&b, AF_INET, 1, "rr");
	ck_assert_int_lt(ipvs_service_key_cmp(&a.key, &b.key), 0);
	fx_svc(&b, IPVS_PROTO_UDP, "10.0.0.9", 9, "wlc");
	ck_assert_int_eq(ipvs_service_key_cmp(&a.key, &b.key), 0);
}
END_TEST

/* Keys drawn from a small space, so that many pairs are equal. */
static void random_svc_key(uint64_t *rs, struct ipvs_service_key *k)
{
	int af = fx_below(rs, 2) ? AF_INET6 : AF_INET;
	static const int protos[] = { IPVS_PROTO_TCP, IPVS_PROTO_UDP,
				      IPVS_PROTO_SCTP };
	union ipvs_addr a;

	if (fx_below(rs, 4) == 0) {
		ipvs_service_key_init_fwmark(k, af, 1 + fx_below(rs, 3));
		return;
	}
	memset(&a, 0, sizeof(a));
	a.raw[0] = (uint8_t)(10 + fx_below(rs, 2));
	a.raw[3] = (uint8_t)fx_below(rs, 3);
	a.raw[15] = (uint8_t)fx_below(rs, 2);
	ipvs_service_key_init(k, af, protos[fx_below(rs, 3)], &a,
			      (uint16_t)(fx_below(rs, 3) * 80));
	if (af == AF_INET && fx_below(rs, 2))
		k->addr.raw[4 + fx_below(rs, 12)] = 0x5a; /* ignored junk */
}

static void random_dest_key(uint64_t *rs, struct ipvs_dest *d)
{
	ipvs_dest_init(d);
	d->af = fx_below(rs, 2) ? AF_INET6 : AF_INET;
	d->addr.raw[0] = (uint8_t)(10 + fx_below(rs, 2));
	d->addr.raw[3] = (uint8_t)fx_below(rs, 4);
	d->port = (uint16_t)(fx_below(rs, 3) * 80);
	d->weight = (int32_t)fx_below(rs, 5);   /* not part of the key */
	if (d->af == AF_INET && fx_below(rs, 2))
		d->addr.raw[4 + fx_below(rs, 12)] = 0x5a;
}

#define PAIRS 256
#define TRIPLES 48

START_TEST(service_key_cmp_is_antisymmetric_and_hash_consistent)
{
	static struct ipvs_service_key k[PAIRS];
	uint64_t rs = 1;
	int i, j, c, equal = 0;

	for (i = 0; i < PAIRS; i++)
		random_svc_key(&rs, &k[i]);
	for (i = 0; i < PAIRS; i++)
		for (j = 0; j < PAIRS; j++) {
			c = ipvs_service_key_cmp(&k[i], &k[j]);
			ck_assert_int_eq(sgn(c),
					 -sgn(ipvs_service_key_cmp(&k[j], &k[i])));
			if (c == 0) {
				equal += i != j;
				ck_assert(ipvs_service_key_hash(&k[i]) ==
					  ipvs_service_key_hash(&k[j]));
			}
		}
	ck_assert_int_gt(equal, 0);   /* the sample did exercise equality */
}
END_TEST

START_TEST(service_key_cmp_is_transitive)
{
	struct ipvs_service_key k[TRIPLES];
	uint64_t rs = 2;
	int i, j, l;

	for (i = 0; i < TRIPLES; i++)
		random_svc_key(&rs, &k[i]);
	for (i = 0; i < TRIPLES; i++)
		for (j = 0; j < TRIPLES; j++)
			for (l = 0; l < TRIPLES; l++)
				if (ipvs_service_key_cmp(&k[i], &k[j]) <= 0 &&
				    ipvs_service_key_cmp(&k[j], &k[l]) <= 0)
					ck_assert_int_le(
						ipvs_service_key_cmp(&k[i], &k[l]), 0);
}
END_TEST

START_TEST(dest_key_cmp_is_antisymmetric_and_hash_consistent)
{
	static struct ipvs_dest d[PAIRS];
	uint64_t rs = 3;
	int i, j, c, equal = 0;

	for (i = 0; i < PAIRS; i++)
		random_dest_key(&rs, &d[i]);
	for (i = 0; i < PAIRS; i++)
		for (j = 0; j < PAIRS; j++) {
			c = ipvs_dest_key_cmp(&d[i], &d[j]);
			ck_assert_int_eq(sgn(c),
					 -sgn(ipvs_dest_key_cmp(&d[j], &d[i])));
			if (c == 0) {
				equal += i != j;
				ck_assert(ipvs_dest_key_hash(&d[i]) ==
					  ipvs_dest_key_hash(&d[j]));
			}
		}
	ck_assert_int_gt(equal, 0);
}
END_TEST

START_TEST(dest_key_cmp_is_transitive)
{
	struct ipvs_dest d[TRIPLES];
	uint64_t rs = 4;
	int i, j, l;

	for (i = 0; i < TRIPLES; i++)
		random_dest_key(&rs, &d[i]);
	for (i = 0; i < TRIPLES; i++)
		for (j = 0; j < TRIPLES; j++)
			for (l = 0; l < TRIPLES; l++)
				if (ipvs_dest_key_cmp(&d[i], &d[j]) <= 0 &&
				    ipvs_dest_key_cmp(&d[j], &d[l]) <= 0)
					ck_assert_int_le(
						ipvs_dest_key_cmp(&d[i], &d[l]), 0);
}
END_TEST

START_TEST(dest_key_is_family_address_and_port)
{
	struct ipvs_dest a, b;

	fx_dest(&a, "10.1.1.1", 80, IPVS_FWD_MASQ, 1);
	fx_dest(&b, "10.1.1.1", 80, IPVS_FWD_TUNNEL, 9);
	fx_tunnel(&b, IPVS_TUN_GUE, 6080, IPVS_TUN_F_CSUM);
	ck_assert_int_eq(ipvs_dest_key_cmp(&a, &b), 0);
	fx_dest(&b, "10.1.1.1", 81, IPVS_FWD_MASQ, 1);
	ck_assert_int_lt(ipvs_dest_key_cmp(&a, &b), 0);
	fx_dest(&b, "10.1.1.0", 81, IPVS_FWD_MASQ, 1);
	ck_assert_int_gt(ipvs_dest_key_cmp(&a, &b), 0);
	fx_dest(&b, "::a01:101", 80, IPVS_FWD_MASQ, 1);
	ck_assert_int_lt(ipvs_dest_key_cmp(&a, &b), 0);
}
END_TEST

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Not promised, but a hash that collides on near keys would be useless. */
START_TEST(key_hashes_spread_distinct_keys)
{
	enum { N = 4096 };
	static uint64_t hs[N], hd[N];
	struct ipvs_service s;
	struct ipvs_dest d;
	char ip[32];
	int i;

	for (i = 0; i < N; i++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i / 256, i % 256);
		fx_svc(&s, IPVS_PROTO_TCP, ip, 80, "rr");
		fx_dest(&d, ip, 80, IPVS_FWD_MASQ, 1);
		hs[i] = ipvs_service_key_hash(&s.key);
		hd[i] = ipvs_dest_key_hash(&d);
	}
	qsort(hs, N, sizeof(hs[0]), u64_cmp);
	qsort(hd, N, sizeof(hd[0]), u64_cmp);
	for (i = 1; i < N; i++) {
		ck_assert(hs[i - 1] != hs[i]);
		ck_assert(hd[i - 1] != hd[i]);
	}
}
END_TEST

/* --- configuration equality -------------------------------------------- */

static void full_service(struct ipvs_service *s)
{
	fx_svc(s, IPVS_PROTO_TCP, "10.0.0.1", 80, "sh");
	fx_persist(s, 300);
	s->netmask = 0xffffff00;
	s->flags |= IPVS_SVC_F_SCHED1;
	strcpy(s->pe_name, "sip");
}

static const char *const svc_fields[] = {
	"af",        "protocol",  "fwmark", "addr",  "port",    "sched",
	"persistent", "onepacket", "sched1", "sched2", "sched3", "timeout",
	"netmask",   "pe_name",
};

static void svc_change(struct ipvs_service *s, int field)
{
	switch (field) {
	case 0: s->key.af = AF_INET6; break;
	case 1: s->key.protocol = IPVS_PROTO_UDP; break;
	case 2: s->key.fwmark = 1; break;
	case 3: s->key.addr.raw[3]++; break;
	case 4: s->key.port++; break;
	case 5: strcpy(s->sched, "mh"); break;
	case 6: s->flags ^= IPVS_SVC_F_PERSISTENT; break;
	case 7: s->flags ^= IPVS_SVC_F_ONEPACKET; break;
	case 8: s->flags ^= IPVS_SVC_F_SCHED1; break;
	case 9: s->flags ^= IPVS_SVC_F_SCHED2; break;
	case 10: s->flags ^= IPVS_SVC_F_SCHED3; break;
	case 11: s->timeout++; break;
	case 12: s->netmask = 0xffff0000; break;
	case 13: s->pe_name[0] = '\0'; break;
	}
}

START_TEST(service_conf_equal_sees_each_field)
{
	struct ipvs_service a, b;

	full_service(&a);
	full_service(&b);
	ck_assert(ipvs_service_conf_equal(&a, &b));
	svc_change(&b, _i);
	ck_assert_msg(!ipvs_service_conf_equal(&a, &b), "%s change not seen",
		      svc_fields[_i]);
	ck_assert_msg(!ipvs_service_conf_equal(&b, &a), "%s change not seen",
		      svc_fields[_i]);
}
END_TEST

START_TEST(service_conf_equal_ignores_kernel_flags_and_junk)
{
	struct ipvs_service a, b;

	full_service(&a);
	full_service(&b);
	b.flags |= IPVS_SVC_F_HASHED;
	b.key.addr.raw[12] = 0xff;             /* past the v4 address */
	strcpy(b.sched + strlen(b.sched) + 1, "x"); /* past the NUL */
	ck_assert(ipvs_service_conf_equal(&a, &b));
}
END_TEST

static void full_dest(struct ipvs_dest *d)
{
	fx_dest(d, "10.1.1.1", 80, IPVS_FWD_TUNNEL, 5);
	fx_tunnel(d, IPVS_TUN_GUE, 6080, IPVS_TUN_F_CSUM);
	d->u_thresh = 100;
	d->l_thresh = 10;
}

static const char *const dest_fields[] = {
	"af",       "addr",     "port",     "fwd",      "weight",
	"u_thresh", "l_thresh", "tun_type", "tun_port", "tun_flags",
};

static void dest_change(struct ipvs_dest *d, int field)
{
	switch (field) {
	case 0: d->af = AF_INET6; break;
	case 1: d->addr.raw[3]++; break;
	case 2: d->port++; break;
	case 3: d->fwd = IPVS_FWD_MASQ; break;
	case 4: d->weight = 0; break;
	case 5: d->u_thresh = 0; break;
	case 6: d->l_thresh = 0; break;
	case 7: d->tun_type = IPVS_TUN_GRE; break;
	case 8: d->tun_port++; break;
	case 9: d->tun_flags = IPVS_TUN_F_REMCSUM; break;
	}
}

START_TEST(dest_conf_equal_sees_each_field)
{
	struct ipvs_dest a, b;

	full_dest(&a);
	full_dest(&b);
	ck_assert(ipvs_dest_conf_equal(&a, &b));
	dest_change(&b, _i);
	ck_assert_msg(!ipvs_dest_conf_equal(&a, &b), "%s change not seen",
		      dest_fields[_i]);
	ck_assert_msg(!ipvs_dest_conf_equal(&b, &a), "%s change not seen",
		      dest_fields[_i]);
}
END_TEST

START_TEST(init_fills_ipvsadm_defaults)
{
	struct ipvs_service s;
	struct ipvs_dest d;

	memset(&s, 0xa5, sizeof(s));
	memset(&d, 0xa5, sizeof(d));
	ipvs_service_init(&s);
	ipvs_dest_init(&d);
	ck_assert_uint_eq(s.key.af, AF_INET);
	ck_assert_str_eq(s.sched, "wlc");
	ck_assert_uint_eq(s.netmask, 0xffffffff);
	ck_assert_uint_eq(s.flags, 0);
	ck_assert_uint_eq(s.timeout, 0);
	ck_assert_str_eq(s.pe_name, "");
	ck_assert_uint_eq(d.af, AF_INET);
	ck_assert_uint_eq(d.fwd, IPVS_FWD_MASQ);
	ck_assert_int_eq(d.weight, 1);
	ck_assert_uint_eq(d.u_thresh | d.l_thresh, 0);
	ck_assert_uint_eq(d.tun_type | d.tun_port | d.tun_flags, 0);
}
END_TEST

/* --- ipvs_service_check ------------------------------------------------ */

/* Short names keep each case on a line or two. */
#define TCP IPVS_PROTO_TCP
#define UDP IPVS_PROTO_UDP
#define SCTP IPVS_PROTO_SCTP
#define PERS IPVS_SVC_F_PERSISTENT
#define OPS IPVS_SVC_F_ONEPACKET
#define HASHED IPVS_SVC_F_HASHED
#define SCHED123 (IPVS_SVC_F_SCHED1 | IPVS_SVC_F_SCHED2 | IPVS_SVC_F_SCHED3)
#define V4_FULL 0xffffffffu
#define BIG_NAME "abcdefghijklmnop"   /* 16 chars: no room for the NUL */
#define V4 "10.0.0.1"
#define V6 "fd00::1"

/* A whole service per row; @why is NULL for a valid one. */
static const struct svc_case {
	const char *name;
	int af;               /* for fwmark rows and overrides; 0: from addr */
	int protocol;
	uint32_t fwmark;
	const char *addr;     /* NULL for a fwmark service */
	uint16_t port;
	const char *sched;
	uint32_t flags, timeout, netmask;
	const char *pe;
	const char *why;
} svc_cases[] = {
	{ "tcp v4", 0, TCP, 0, V4, 80, "rr", 0, 0, V4_FULL, "", NULL },
	{ "udp v6", 0, UDP, 0, V6, 53, "rr", 0, 0, 128, "", NULL },
	{ "sctp", 0, SCTP, 0, V4, 9, "rr", 0, 0, V4_FULL, "", NULL },
	{ "fwmark v4", AF_INET, 0, 42, NULL, 0, "lc", 0, 0, V4_FULL, "", NULL },
	{ "fwmark v6", AF_INET6, 0, 43, NULL, 0, "lc", 0, 0, 128, "", NULL },
	{ "fwmark max", AF_INET, 0, 0xffffffff, NULL, 0, "lc", 0, 0, V4_FULL,
	  "", NULL },
	{ "port 0 persistent", 0, TCP, 0, V4, 0, "rr", PERS, 360, V4_FULL, "",
	  NULL },
	{ "v4 mask /24", 0, TCP, 0, V4, 80, "rr", PERS, 60, 0xffffff00, "",
	  NULL },
	{ "v4 mask /1", 0, TCP, 0, V4, 80, "rr", PERS, 60, 0x80000000, "",
	  NULL },
	{ "v4 mask /31", 0, TCP, 0, V4, 80, "rr", PERS, 60, 0xfffffffe, "",
	  NULL },
	{ "v6 prefix 1", 0, TCP, 0, V6, 80, "rr", PERS, 60, 1, "", NULL },
	{ "v6 prefix 128", 0, TCP, 0, V6, 80, "rr", PERS, 60, 128, "", NULL },
	{ "one-packet udp", 0, UDP, 0, V4, 53, "rr", OPS, 0, V4_FULL, "",
	  NULL },
	/* ipvsadm allows -o on a fwmark service: it may match UDP. */
	{ "one-packet fwmark", AF_INET, 0, 7, NULL, 0, "rr", OPS, 0, V4_FULL,
	  "", NULL },
	{ "15-char scheduler", 0, TCP, 0, V4, 80, "abcdefghijklmno", 0, 0,
	  V4_FULL, "", NULL },
	{ "15-char engine", 0, UDP, 0, V4, 80, "rr", PERS, 9, V4_FULL,
	  "abcdefghijklmno", NULL },
	{ "sched flags", 0, TCP, 0, V4, 80, "sh", SCHED123, 0, V4_FULL, "",
	  NULL },
	{ "kernel's hashed flag", 0, TCP, 0, V4, 80, "rr", HASHED, 0, V4_FULL,
	  "", NULL },
	{ "max timeout", 0, TCP, 0, V4, 80, "rr", PERS, 0xffffffff, V4_FULL,
	  "", NULL },
	{ "family 0", AF_UNSPEC, 0, 7, NULL, 0, "rr", 0, 0, V4_FULL, "",
	  "unknown address family 0" },
	{ "family 99", 99, 0, 7, NULL, 0, "rr", 0, 0, V4_FULL, "",
	  "unknown address family 99" },
	{ "fwmark with protocol", AF_INET, TCP, 7, NULL, 0, "rr", 0, 0,
	  V4_FULL, "", "fwmark service with protocol or port" },
	{ "fwmark with port", AF_INET, 0, 7, NULL, 80, "rr", 0, 0, V4_FULL, "",
	  "fwmark service with protocol or port" },
	{ "protocol 1", 0, 1, 0, V4, 80, "rr", 0, 0, V4_FULL, "",
	  "unknown protocol 1" },
	{ "protocol 0", 0, 0, 0, V4, 80, "rr", 0, 0, V4_FULL, "",
	  "unknown protocol 0" },
	{ "port 0", 0, TCP, 0, V4, 0, "rr", 0, 0, V4_FULL, "",
	  "port 0 on a non-persistent service" },
	{ "empty scheduler", 0, TCP, 0, V4, 80, "", 0, 0, V4_FULL, "",
	  "scheduler name" },
	{ "16-char scheduler", 0, TCP, 0, V4, 80, BIG_NAME, 0, 0, V4_FULL, "",
	  "scheduler name" },
	{ "16-char engine", 0, TCP, 0, V4, 80, "rr", 0, 0, V4_FULL, BIG_NAME,
	  "persistence engine name" },
	{ "flag 0x40", 0, TCP, 0, V4, 80, "rr", 0x40, 0, V4_FULL, "",
	  "unknown flags 0x40" },
	{ "flag 0x80000000", 0, TCP, 0, V4, 80, "rr", 0x80000000, 0, V4_FULL,
	  "", "unknown flags" },
	{ "one-packet tcp", 0, TCP, 0, V4, 80, "rr", OPS, 0, V4_FULL, "",
	  "one-packet scheduling is only for UDP" },
	{ "one-packet sctp", 0, SCTP, 0, V4, 80, "rr", OPS, 0, V4_FULL, "",
	  "one-packet scheduling is only for UDP" },
	{ "v4 mask 255.0.255.0", 0, TCP, 0, V4, 80, "rr", PERS, 60, 0xff00ff00,
	  "", "bad netmask 0xff00ff00" },
	{ "v4 mask 0.255.255.255", 0, TCP, 0, V4, 80, "rr", PERS, 60,
	  0x00ffffff, "", "bad netmask" },
	{ "v4 mask 0", 0, TCP, 0, V4, 80, "rr", PERS, 60, 0, "",
	  "bad netmask 0x0" },
	{ "v6 prefix 0", 0, TCP, 0, V6, 80, "rr", PERS, 60, 0, "",
	  "bad netmask 0x0" },
	{ "v6 prefix 129", 0, TCP, 0, V6, 80, "rr", PERS, 60, 129, "",
	  "bad netmask 0x81" },
	/* ipvs_service_init's v4 default is no v6 prefix: set 128 after it. */
	{ "v6 with v4 mask", 0, TCP, 0, V6, 80, "rr", 0, 0, V4_FULL, "",
	  "bad netmask 0xffffffff" },
	{ "non-persistent bad mask", 0, TCP, 0, V4, 80, "rr", 0, 0, 0xff00ff00,
	  "", "bad netmask" },
	{ "persistent timeout 0", 0, TCP, 0, V4, 80, "rr", PERS, 0, V4_FULL, "",
	  "persistent with timeout 0" },
};

/* Copy up to the field's size: a 16-char name leaves no NUL, on purpose. */
static void set_name(char *dst, const char *src)
{
	size_t n = strlen(src);

	memset(dst, 0, IPVS_NAME_MAX + 1);
	memcpy(dst, src, n > IPVS_NAME_MAX + 1 ? IPVS_NAME_MAX + 1 : n);
}

static void svc_case_build(const struct svc_case *c, struct ipvs_service *s)
{
	union ipvs_addr a;
	int af = c->af;

	ipvs_service_init(s);
	memset(&a, 0, sizeof(a));
	if (c->addr)
		a = fx_addr(c->addr, af ? NULL : &af);
	ipvs_service_key_init(&s->key, af, c->protocol, &a, c->port);
	s->key.fwmark = c->fwmark;
	set_name(s->sched, c->sched);
	set_name(s->pe_name, c->pe);
	s->flags = c->flags;
	s->timeout = c->timeout;
	s->netmask = c->netmask;
}

START_TEST(service_check_each_case)
{
	const struct svc_case *c = &svc_cases[_i];
	struct ipvs_service s;
	char why[128] = "";
	int r;

	svc_case_build(c, &s);
	r = ipvs_service_check(&s, why, sizeof(why));
	if (!c->why) {
		ck_assert_msg(r == 0, "%s: refused: %s", c->name, why);
		return;
	}
	ck_assert_msg(r == -EINVAL, "%s: accepted", c->name);
	ck_assert_msg(strstr(why, c->why), "%s: reason '%s' lacks '%s'",
		      c->name, why, c->why);
	ck_assert_int_eq(ipvs_service_check(&s, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(service_check_refuses_null)
{
	char why[64];

	ck_assert_int_eq(ipvs_service_check(NULL, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "no service");
	ck_assert_int_eq(ipvs_service_check(NULL, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(service_check_reason_fits_a_short_buffer)
{
	struct ipvs_service s;
	char why[8];

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 0, "rr");
	ck_assert_int_eq(ipvs_service_check(&s, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "port 0 ");
}
END_TEST

START_TEST(service_key_check_allows_port_0_only_if_persistent)
{
	struct ipvs_service s;
	char why[64];

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 0, "rr");
	ck_assert_int_eq(ipvs_service_key_check(&s.key, 1, why, sizeof(why)), 0);
	ck_assert_int_eq(ipvs_service_key_check(&s.key, 0, why, sizeof(why)),
			 -EINVAL);
	ck_assert_str_eq(why, "port 0 on a non-persistent service");
	ck_assert_int_eq(ipvs_service_key_check(NULL, 1, why, sizeof(why)),
			 -EINVAL);
	ck_assert_str_eq(why, "no service");
}
END_TEST

START_TEST(service_key_check_ignores_configuration)
{
	struct ipvs_service s;

	fx_svc(&s, IPVS_PROTO_TCP, "fd00::1", 80, "");
	s.netmask = 0;
	s.flags = IPVS_SVC_F_ONEPACKET | 0x40;
	ck_assert_int_eq(ipvs_service_key_check(&s.key, 0, NULL, 0), 0);
	s.key.protocol = 1;
	ck_assert_int_eq(ipvs_service_key_check(&s.key, 0, NULL, 0), -EINVAL);
}
END_TEST

/* --- ipvs_dest_check --------------------------------------------------- */

#define MASQ IPVS_FWD_MASQ
#define LOCAL IPVS_FWD_LOCAL
#define TUN IPVS_FWD_TUNNEL
#define DR IPVS_FWD_DROUTE
#define IPIP IPVS_TUN_IPIP
#define GUE IPVS_TUN_GUE
#define GRE IPVS_TUN_GRE
#define RS "10.1.1.1"

/* A real server per row, of service 10.0.0.1:80 or [fd00::10]:443. */
static const struct dest_case {
	const char *name;
	int svc6;             /* the service is IPv6 */
	int af;               /* override the address's family; 0: keep */
	const char *addr;
	uint16_t port;
	uint32_t fwd;
	int32_t weight;
	uint32_t u, l;        /* thresholds */
	uint8_t tun_type;
	uint16_t tun_port, tun_flags;
	const char *why;
} dest_cases[] = {
	{ "masq", 0, 0, RS, 8080, MASQ, 1, 0, 0, 0, 0, 0, NULL },
	{ "local", 0, 0, RS, 80, LOCAL, 1, 0, 0, 0, 0, 0, NULL },
	{ "droute", 0, 0, RS, 80, DR, 1, 0, 0, 0, 0, 0, NULL },
	{ "ipip", 0, 0, RS, 80, TUN, 1, 0, 0, IPIP, 0, 0, NULL },
	{ "gue", 0, 0, RS, 80, TUN, 1, 0, 0, GUE, 6080, 0, NULL },
	{ "gue remcsum", 0, 0, RS, 80, TUN, 1, 0, 0, GUE, 1,
	  IPVS_TUN_F_REMCSUM, NULL },
	{ "gre csum", 0, 0, RS, 80, TUN, 1, 0, 0, GRE, 0, IPVS_TUN_F_CSUM,
	  NULL },
	{ "v6 in v6", 1, 0, "fd00::2", 8443, MASQ, 2, 0, 0, 0, 0, 0, NULL },
	{ "v4 in v6 tunnel", 1, 0, "10.1.1.9", 443, TUN, 1, 0, 0, 0, 0, 0,
	  NULL },
	{ "v6 in v4 tunnel", 0, 0, "fd00::9", 80, TUN, 1, 0, 0, 0, 0, 0, NULL },
	{ "loopback", 0, 0, "127.0.0.1", 80, DR, 1, 0, 0, 0, 0, 0, NULL },
	{ "weight 0", 0, 0, RS, 80, MASQ, 0, 0, 0, 0, 0, 0, NULL },
	{ "weight max", 0, 0, RS, 80, MASQ, INT32_MAX, 0, 0, 0, 0, 0, NULL },
	{ "thresholds", 0, 0, RS, 80, MASQ, 1, 100, 10, 0, 0, 0, NULL },
	{ "equal thresholds", 0, 0, RS, 80, MASQ, 1, 5, 5, 0, 0, 0, NULL },
	{ "upper only", 0, 0, RS, 80, MASQ, 1, 5, 0, 0, 0, 0, NULL },
	{ "family 99", 0, 99, RS, 80, MASQ, 1, 0, 0, 0, 0, 0,
	  "unknown address family 99" },
	{ "0.0.0.0", 0, 0, "0.0.0.0", 80, MASQ, 1, 0, 0, 0, 0, 0,
	  "unusable real server address" },
	{ "224.0.0.1", 0, 0, "224.0.0.1", 80, MASQ, 1, 0, 0, 0, 0, 0,
	  "unusable real server address" },
	{ "::", 1, 0, "::", 80, MASQ, 1, 0, 0, 0, 0, 0,
	  "unusable real server address" },
	{ "ff02::1", 1, 0, "ff02::1", 80, MASQ, 1, 0, 0, 0, 0, 0,
	  "unusable real server address" },
	{ "fwd 4", 0, 0, RS, 80, 4, 1, 0, 0, 0, 0, 0,
	  "unknown forwarding method 4" },
	{ "v6 masq in v4", 0, 0, "fd00::2", 80, MASQ, 1, 0, 0, 0, 0, 0,
	  "mixed families need tunnelling" },
	{ "v4 droute in v6", 1, 0, RS, 443, DR, 1, 0, 0, 0, 0, 0,
	  "mixed families need tunnelling" },
	{ "weight -1", 0, 0, RS, 80, MASQ, -1, 0, 0, 0, 0, 0,
	  "negative weight" },
	{ "weight min", 0, 0, RS, 80, MASQ, INT32_MIN, 0, 0, 0, 0, 0,
	  "negative weight" },
	{ "lower above upper", 0, 0, RS, 80, MASQ, 1, 5, 10, 0, 0, 0,
	  "lower threshold above upper" },
	/* The kernel answers ERANGE here too: 0 is no exception. */
	{ "lower without upper", 0, 0, RS, 80, MASQ, 1, 0, 1, 0, 0, 0,
	  "lower threshold above upper" },
	{ "gue type on masq", 0, 0, RS, 80, MASQ, 1, 0, 0, GUE, 6080, 0,
	  "tunnel options without tunnelling" },
	{ "tunnel port on droute", 0, 0, RS, 80, DR, 1, 0, 0, 0, 6080, 0,
	  "tunnel options without tunnelling" },
	{ "tunnel flags on masq", 0, 0, RS, 80, MASQ, 1, 0, 0, 0, 0,
	  IPVS_TUN_F_CSUM, "tunnel options without tunnelling" },
	{ "tunnel type 3", 0, 0, RS, 80, TUN, 1, 0, 0, 3, 0, 0,
	  "unknown tunnel type 3" },
	{ "gue without port", 0, 0, RS, 80, TUN, 1, 0, 0, GUE, 0, 0,
	  "GUE tunnel needs a port" },
};

static void dest_case_build(const struct dest_case *c, struct ipvs_service *s,
			    struct ipvs_dest *d)
{
	if (c->svc6)
		fx_svc(s, IPVS_PROTO_TCP, "fd00::10", 443, "rr");
	else
		fx_svc(s, IPVS_PROTO_TCP, "10.0.0.1", 80, "rr");
	fx_dest(d, c->addr, c->port, c->fwd, c->weight);
	if (c->af)
		d->af = (uint16_t)c->af;
	d->u_thresh = c->u;
	d->l_thresh = c->l;
	fx_tunnel(d, c->tun_type, c->tun_port, c->tun_flags);
}

START_TEST(dest_check_each_case)
{
	const struct dest_case *c = &dest_cases[_i];
	struct ipvs_service s;
	struct ipvs_dest d;
	char why[128] = "";
	int r;

	dest_case_build(c, &s, &d);
	r = ipvs_dest_check(&s, &d, why, sizeof(why));
	if (!c->why) {
		ck_assert_msg(r == 0, "%s: refused: %s", c->name, why);
		return;
	}
	ck_assert_msg(r == -EINVAL, "%s: accepted", c->name);
	ck_assert_msg(strstr(why, c->why), "%s: reason '%s' lacks '%s'",
		      c->name, why, c->why);
	ck_assert_int_eq(ipvs_dest_check(&s, &d, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(dest_check_refuses_null)
{
	struct ipvs_service s;
	struct ipvs_dest d;
	char why[64];

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 80, "rr");
	fx_dest(&d, "10.1.1.1", 80, IPVS_FWD_MASQ, 1);
	ck_assert_int_eq(ipvs_dest_check(NULL, &d, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "no service or real server");
	ck_assert_int_eq(ipvs_dest_check(&s, NULL, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "no service or real server");
}
END_TEST

/* --- names and formatting ---------------------------------------------- */

START_TEST(proto_names_follow_ipvsadm)
{
	ck_assert_str_eq(ipvs_proto_opt(IPVS_PROTO_TCP), "-t");
	ck_assert_str_eq(ipvs_proto_opt(IPVS_PROTO_UDP), "-u");
	ck_assert_str_eq(ipvs_proto_opt(IPVS_PROTO_SCTP), "--sctp-service");
	ck_assert_ptr_null(ipvs_proto_opt(0));
	ck_assert_ptr_null(ipvs_proto_opt(1));
	ck_assert_str_eq(ipvs_proto_name(IPVS_PROTO_TCP), "TCP");
	ck_assert_str_eq(ipvs_proto_name(IPVS_PROTO_UDP), "UDP");
	ck_assert_str_eq(ipvs_proto_name(IPVS_PROTO_SCTP), "SCTP");
	ck_assert_str_eq(ipvs_proto_name(0), "?");
}
END_TEST

START_TEST(key_fmt_names_the_service_as_ipvsadm_does)
{
	struct ipvs_service s;
	char buf[IPVS_FMT_MAX];

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 80, "rr");
	ck_assert_str_eq(ipvs_service_key_fmt(&s.key, buf, sizeof(buf)),
			 "-t 10.0.0.1:80");
	fx_svc(&s, IPVS_PROTO_UDP, "fd00::1", 53, "rr");
	ck_assert_str_eq(ipvs_service_key_fmt(&s.key, buf, sizeof(buf)),
			 "-u [fd00::1]:53");
	fx_svc(&s, IPVS_PROTO_SCTP, "10.0.0.4", 9, "rr");
	ck_assert_str_eq(ipvs_service_key_fmt(&s.key, buf, sizeof(buf)),
			 "--sctp-service 10.0.0.4:9");
	fx_svc_fwmark(&s, AF_INET, 42, "rr");
	ck_assert_str_eq(ipvs_service_key_fmt(&s.key, buf, sizeof(buf)),
			 "-f 42");
	fx_svc_fwmark(&s, AF_INET6, 0xffffffff, "rr");
	ck_assert_str_eq(ipvs_service_key_fmt(&s.key, buf, sizeof(buf)),
			 "-f 4294967295 -6");
	fx_svc(&s, 1, "10.0.0.1", 80, "rr");
	ck_assert_str_eq(ipvs_service_key_fmt(&s.key, buf, sizeof(buf)),
			 "-? 10.0.0.1:80");
}
END_TEST

/* Every observed -Sn line, from an object built field by field. */
START_TEST(fmt_reproduces_each_ipvsadm_line)
{
	const struct fx_truth *t = &fx_truths[_i];
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX];

	t->build(&op);
	if (op.kind == IPVS_OP_ADD_SERVICE)
		ipvs_service_fmt(&op.svc, buf, sizeof(buf));
	else
		ipvs_dest_fmt(&op.svc, &op.dest, buf, sizeof(buf));
	ck_assert_str_eq(buf, t->line);
}
END_TEST

START_TEST(fmt_ipvsadm_lines_are_valid_objects)
{
	const struct fx_truth *t = &fx_truths[_i];
	struct ipvs_op op;
	char why[128] = "";

	t->build(&op);
	ck_assert_msg(ipvs_service_check(&op.svc, why, sizeof(why)) == 0,
		      "%s: %s", t->line, why);
	if (op.kind == IPVS_OP_ADD_DEST)
		ck_assert_msg(ipvs_dest_check(&op.svc, &op.dest, why,
					      sizeof(why)) == 0,
			      "%s: %s", t->line, why);
}
END_TEST

START_TEST(service_fmt_prints_netmask_only_when_persistent)
{
	struct ipvs_service s;
	char buf[IPVS_FMT_MAX];

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 80, "rr");
	s.netmask = 0xffffff00;
	ck_assert_str_eq(ipvs_service_fmt(&s, buf, sizeof(buf)),
			 "-A -t 10.0.0.1:80 -s rr");
	fx_svc(&s, IPVS_PROTO_TCP, "fd00::1", 80, "rr");
	fx_persist(&s, 5);
	ck_assert_str_eq(ipvs_service_fmt(&s, buf, sizeof(buf)),
			 "-A -t [fd00::1]:80 -s rr -p 5");
	s.netmask = 1;
	ck_assert_str_eq(ipvs_service_fmt(&s, buf, sizeof(buf)),
			 "-A -t [fd00::1]:80 -s rr -p 5 -M 1");
}
END_TEST

START_TEST(service_fmt_names_flags_after_the_scheduler)
{
	struct ipvs_service s;
	char buf[IPVS_FMT_MAX];

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 80, "mh");
	s.flags = IPVS_SVC_F_SCHED1 | IPVS_SVC_F_SCHED2 | IPVS_SVC_F_SCHED3 |
		  IPVS_SVC_F_HASHED;
	ck_assert_str_eq(ipvs_service_fmt(&s, buf, sizeof(buf)),
			 "-A -t 10.0.0.1:80 -s mh -b mh-fallback,mh-port,flag-3");
	strcpy(s.sched, "sh");
	s.flags = IPVS_SVC_F_SCHED3;
	ck_assert_str_eq(ipvs_service_fmt(&s, buf, sizeof(buf)),
			 "-A -t 10.0.0.1:80 -s sh -b flag-3");
	strcpy(s.sched, "wlc");
	s.flags = IPVS_SVC_F_SCHED2;
	ck_assert_str_eq(ipvs_service_fmt(&s, buf, sizeof(buf)),
			 "-A -t 10.0.0.1:80 -s wlc -b flag-2");
}
END_TEST

/* ipvsadm -Sn prints -g for local delivery; "-l" would mean --list. */
START_TEST(dest_fmt_local_delivery_says_g)
{
	struct ipvs_service s;
	struct ipvs_dest d;
	char buf[IPVS_FMT_MAX];

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 80, "rr");
	fx_dest(&d, "127.0.0.1", 80, IPVS_FWD_LOCAL, 1);
	ck_assert_str_eq(ipvs_dest_fmt(&s, &d, buf, sizeof(buf)),
			 "-a -t 10.0.0.1:80 -r 127.0.0.1:80 -g -w 1");
}
END_TEST

START_TEST(dest_fmt_omits_thresholds_as_ipvsadm_does)
{
	struct ipvs_service s;
	struct ipvs_dest d;
	char buf[IPVS_FMT_MAX];

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.1", 80, "rr");
	fx_dest(&d, "10.1.1.1", 80, IPVS_FWD_MASQ, 1);
	d.u_thresh = 100;
	d.l_thresh = 10;
	ck_assert_str_eq(ipvs_dest_fmt(&s, &d, buf, sizeof(buf)),
			 "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 1");
}
END_TEST

/* The longest lines the model can hold still fit IPVS_FMT_MAX. */
START_TEST(fmt_longest_lines_fit_fmt_max)
{
	struct ipvs_service s;
	struct ipvs_dest d;
	char buf[4 * IPVS_FMT_MAX];

	fx_svc(&s, IPVS_PROTO_SCTP, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	       65535, "abcdefghijklmno");
	fx_persist(&s, 0xffffffff);
	s.netmask = 127;
	s.flags |= IPVS_SVC_F_ONEPACKET | IPVS_SVC_F_SCHED1 |
		   IPVS_SVC_F_SCHED2 | IPVS_SVC_F_SCHED3;
	strcpy(s.pe_name, "abcdefghijklmno");
	fx_dest(&d, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535,
		IPVS_FWD_TUNNEL, INT32_MAX);
	fx_tunnel(&d, IPVS_TUN_GUE, 65535, IPVS_TUN_F_REMCSUM);
	ck_assert_uint_lt(strlen(ipvs_service_fmt(&s, buf, sizeof(buf))),
			  IPVS_FMT_MAX);
	ck_assert_uint_lt(strlen(ipvs_dest_fmt(&s, &d, buf, sizeof(buf))),
			  IPVS_FMT_MAX);
}
END_TEST

START_TEST(fmt_truncates_within_the_buffer)
{
	const struct fx_truth *t = &fx_truths[2];   /* a long GUE line */
	struct ipvs_op op;
	char small[24];
	size_t n;

	t->build(&op);
	for (n = 1; n <= sizeof(small); n++) {
		memset(small, 'x', sizeof(small));
		ipvs_dest_fmt(&op.svc, &op.dest, small, n);
		ck_assert_uint_eq(strlen(small), n - 1);
		ck_assert(strncmp(small, t->line, n - 1) == 0);
		if (n < sizeof(small))
			ck_assert_int_eq(small[n], 'x');
	}
}
END_TEST

Suite *service_suite(void)
{
	Suite *s = suite_create("service");
	TCase *keys = tcase_create("keys");
	TCase *equal = tcase_create("conf_equal");
	TCase *check = tcase_create("check");
	TCase *fmt = tcase_create("fmt");

	tcase_set_timeout(keys, 60);
	tcase_add_test(keys, key_init_copies_only_the_family_bytes);
	tcase_add_test(keys, key_init_fwmark_zeroes_address_fields);
	tcase_add_test(keys, key_cmp_orders_fields_by_significance);
	tcase_add_test(keys, service_key_cmp_is_antisymmetric_and_hash_consistent);
	tcase_add_test(keys, service_key_cmp_is_transitive);
	tcase_add_test(keys, dest_key_cmp_is_antisymmetric_and_hash_consistent);
	tcase_add_test(keys, dest_key_cmp_is_transitive);
	tcase_add_test(keys, dest_key_is_family_address_and_port);
	tcase_add_test(keys, key_hashes_spread_distinct_keys);
	suite_add_tcase(s, keys);

	tcase_add_loop_test(equal, service_conf_equal_sees_each_field, 0,
			    N_ELEMS(svc_fields));
	tcase_add_test(equal, service_conf_equal_ignores_kernel_flags_and_junk);
	tcase_add_loop_test(equal, dest_conf_equal_sees_each_field, 0,
			    N_ELEMS(dest_fields));
	tcase_add_test(equal, init_fills_ipvsadm_defaults);
	suite_add_tcase(s, equal);

	tcase_add_loop_test(check, service_check_each_case, 0,
			    N_ELEMS(svc_cases));
	tcase_add_test(check, service_check_refuses_null);
	tcase_add_test(check, service_check_reason_fits_a_short_buffer);
	tcase_add_test(check, service_key_check_allows_port_0_only_if_persistent);
	tcase_add_test(check, service_key_check_ignores_configuration);
	tcase_add_loop_test(check, dest_check_each_case, 0, N_ELEMS(dest_cases));
	tcase_add_test(check, dest_check_refuses_null);
	suite_add_tcase(s, check);

	tcase_add_test(fmt, proto_names_follow_ipvsadm);
	tcase_add_test(fmt, key_fmt_names_the_service_as_ipvsadm_does);
	tcase_add_loop_test(fmt, fmt_reproduces_each_ipvsadm_line, 0,
			    (int)fx_ntruths);
	tcase_add_loop_test(fmt, fmt_ipvsadm_lines_are_valid_objects, 0,
			    (int)fx_ntruths);
	tcase_add_test(fmt, service_fmt_prints_netmask_only_when_persistent);
	tcase_add_test(fmt, service_fmt_names_flags_after_the_scheduler);
	tcase_add_test(fmt, dest_fmt_local_delivery_says_g);
	tcase_add_test(fmt, dest_fmt_omits_thresholds_as_ipvsadm_does);
	tcase_add_test(fmt, fmt_longest_lines_fit_fmt_max);
	tcase_add_test(fmt, fmt_truncates_within_the_buffer);
	suite_add_tcase(s, fmt);
	return s;
}
