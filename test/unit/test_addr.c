/*
 * test/unit/test_addr.c - ipvs/addr.c: parsing, comparing, classifying and
 * printing addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture.h"
#include "ipvs/addr.h"
#include "suites.h"

START_TEST(addr_len_is_per_family)
{
	ck_assert_uint_eq(ipvs_addr_len(AF_INET), 4);
	ck_assert_uint_eq(ipvs_addr_len(AF_INET6), 16);
	ck_assert_uint_eq(ipvs_addr_len(AF_UNSPEC), 0);
	ck_assert_uint_eq(ipvs_addr_len(AF_UNIX), 0);
	ck_assert_uint_eq(ipvs_addr_len(-1), 0);
}
END_TEST

START_TEST(addr_parse_v4_zeroes_the_rest)
{
	static const uint8_t want[4] = { 10, 0, 0, 1 };
	union ipvs_addr a;
	int af = 0;
	size_t i;

	memset(&a, 0xa5, sizeof(a));
	ck_assert_int_eq(ipvs_addr_parse("10.0.0.1", &af, &a), 0);
	ck_assert_int_eq(af, AF_INET);
	ck_assert_mem_eq(a.raw, want, 4);
	for (i = 4; i < sizeof(a.raw); i++)
		ck_assert_uint_eq(a.raw[i], 0);
}
END_TEST

START_TEST(addr_parse_v6)
{
	union ipvs_addr a;
	struct in6_addr want;
	int af = 0;

	ck_assert_int_eq(inet_pton(AF_INET6, "fd00::10", &want), 1);
	ck_assert_int_eq(ipvs_addr_parse("fd00::10", &af, &a), 0);
	ck_assert_int_eq(af, AF_INET6);
	ck_assert_mem_eq(a.raw, &want, 16);
}
END_TEST

/* Text that is not one numeric address: no names, no ports, no brackets. */
static const char *const bad_addrs[] = {
	"",          "10.0.0",      "10.0.0.256", "10.0.0.1:80", " 10.0.0.1",
	"10.0.0.1 ", "fd00::1::2",  "[fd00::1]",  "fd00::g",     "localhost",
	"::ffff:1.2.3", "10.0.0.1/24",
};

START_TEST(addr_parse_rejects_non_addresses)
{
	const char *s = bad_addrs[_i];
	union ipvs_addr a;
	int af = 12345;

	ck_assert_msg(ipvs_addr_parse(s, &af, &a) == -EINVAL,
		      "'%s' parsed as an address", s);
	ck_assert_int_eq(af, 12345);
}
END_TEST

START_TEST(addr_parse_rejects_null)
{
	union ipvs_addr a;
	int af = 0;

	ck_assert_int_eq(ipvs_addr_parse(NULL, &af, &a), -EINVAL);
}
END_TEST

START_TEST(addr_cmp_is_byte_order_within_family)
{
	union ipvs_addr a = fx_addr("10.0.0.1", NULL);
	union ipvs_addr b = fx_addr("10.0.0.2", NULL);
	union ipvs_addr c = fx_addr("9.255.255.255", NULL);

	ck_assert_int_lt(ipvs_addr_cmp(AF_INET, &a, &b), 0);
	ck_assert_int_gt(ipvs_addr_cmp(AF_INET, &b, &a), 0);
	ck_assert_int_gt(ipvs_addr_cmp(AF_INET, &a, &c), 0);
	ck_assert_int_eq(ipvs_addr_cmp(AF_INET, &a, &a), 0);
}
END_TEST

START_TEST(addr_cmp_v4_ignores_bytes_past_the_address)
{
	union ipvs_addr a = fx_addr("10.0.0.1", NULL);
	union ipvs_addr b = a;

	b.raw[4] = 1;
	b.raw[15] = 0xff;
	ck_assert_int_eq(ipvs_addr_cmp(AF_INET, &a, &b), 0);
	ck_assert_int_ne(ipvs_addr_cmp(AF_INET6, &a, &b), 0);
}
END_TEST

static const struct {
	const char *addr;
	int unusable;
} usable_cases[] = {
	{ "0.0.0.0", 1 },     { "224.0.0.1", 1 },   { "239.255.255.255", 1 },
	{ "223.255.255.255", 0 }, { "240.0.0.1", 0 }, { "10.0.0.1", 0 },
	{ "127.0.0.1", 0 },   { "::", 1 },          { "ff02::1", 1 },
	{ "ff05::1:3", 1 },   { "fe80::1", 0 },     { "fd00::1", 0 },
	{ "::1", 0 },
};

START_TEST(addr_unusable_means_unspecified_or_multicast)
{
	int af;
	union ipvs_addr a = fx_addr(usable_cases[_i].addr, &af);

	ck_assert_msg(ipvs_addr_is_unusable(af, &a) == usable_cases[_i].unusable,
		      "%s: want unusable=%d", usable_cases[_i].addr,
		      usable_cases[_i].unusable);
}
END_TEST

START_TEST(addr_fmt_prints_numeric_forms)
{
	char buf[INET6_ADDRSTRLEN];
	union ipvs_addr a = fx_addr("10.0.0.1", NULL);
	union ipvs_addr b = fx_addr("fd00:0:0:0:0:0:0:10", NULL);
	union ipvs_addr c = fx_addr("::ffff:10.1.2.3", NULL);

	ck_assert_str_eq(ipvs_addr_fmt(AF_INET, &a, buf, sizeof(buf)),
			 "10.0.0.1");
	ck_assert_str_eq(ipvs_addr_fmt(AF_INET6, &b, buf, sizeof(buf)),
			 "fd00::10");
	ck_assert_str_eq(ipvs_addr_fmt(AF_INET6, &c, buf, sizeof(buf)),
			 "::ffff:10.1.2.3");
}
END_TEST

START_TEST(addr_fmt_names_an_unknown_family)
{
	char buf[INET6_ADDRSTRLEN];
	union ipvs_addr a;

	memset(&a, 0, sizeof(a));
	ck_assert_str_eq(ipvs_addr_fmt(0, &a, buf, sizeof(buf)), "?af0");
}
END_TEST

START_TEST(addrport_fmt_brackets_v6_only)
{
	char buf[IPVS_ADDRPORT_STRLEN];
	union ipvs_addr a = fx_addr("10.0.0.1", NULL);
	union ipvs_addr b = fx_addr("fd00::10", NULL);

	ck_assert_str_eq(ipvs_addrport_fmt(AF_INET, &a, 80, buf, sizeof(buf)),
			 "10.0.0.1:80");
	ck_assert_str_eq(ipvs_addrport_fmt(AF_INET, &a, 0, buf, sizeof(buf)),
			 "10.0.0.1:0");
	ck_assert_str_eq(ipvs_addrport_fmt(AF_INET6, &b, 443, buf, sizeof(buf)),
			 "[fd00::10]:443");
	ck_assert_str_eq(ipvs_addrport_fmt(AF_INET6, &b, 65535, buf,
					   sizeof(buf)),
			 "[fd00::10]:65535");
}
END_TEST

START_TEST(addrport_fmt_longest_fits_strlen)
{
	char buf[IPVS_ADDRPORT_STRLEN];
	union ipvs_addr a;
	const char *want = "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535";

	memset(&a, 0xff, sizeof(a));
	ck_assert_str_eq(ipvs_addrport_fmt(AF_INET6, &a, 65535, buf,
					   sizeof(buf)), want);
	ck_assert_uint_lt(strlen(want), IPVS_ADDRPORT_STRLEN);
}
END_TEST

START_TEST(addrport_fmt_truncates_within_the_buffer)
{
	char buf[8];
	union ipvs_addr a = fx_addr("192.168.100.200", NULL);

	memset(buf, 'x', sizeof(buf));
	ipvs_addrport_fmt(AF_INET, &a, 8080, buf, sizeof(buf));
	ck_assert_str_eq(buf, "192.168");
}
END_TEST

Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("addr");

	tcase_add_test(tc, addr_len_is_per_family);
	tcase_add_test(tc, addr_parse_v4_zeroes_the_rest);
	tcase_add_test(tc, addr_parse_v6);
	tcase_add_loop_test(tc, addr_parse_rejects_non_addresses, 0,
			    (int)(sizeof(bad_addrs) / sizeof(bad_addrs[0])));
	tcase_add_test(tc, addr_parse_rejects_null);
	tcase_add_test(tc, addr_cmp_is_byte_order_within_family);
	tcase_add_test(tc, addr_cmp_v4_ignores_bytes_past_the_address);
	tcase_add_loop_test(tc, addr_unusable_means_unspecified_or_multicast, 0,
			    (int)(sizeof(usable_cases) /
				  sizeof(usable_cases[0])));
	tcase_add_test(tc, addr_fmt_prints_numeric_forms);
	tcase_add_test(tc, addr_fmt_names_an_unknown_family);
	tcase_add_test(tc, addrport_fmt_brackets_v6_only);
	tcase_add_test(tc, addrport_fmt_longest_fits_strlen);
	tcase_add_test(tc, addrport_fmt_truncates_within_the_buffer);
	suite_add_tcase(s, tc);
	return s;
}
