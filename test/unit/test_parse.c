/*
 * test/unit/test_parse.c - ipvs/parse.c: ipvsadm rule lines back into ops.
 *
 * The parser is the inverse of ipvs_op_fmt(): every observed ipvsadm line
 * and a few thousand random ops must survive format -> parse -> format.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fixture.h"
#include "ipvs/parse.h"
#include "suites.h"

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Parse @line, which must be a rule; returns the op's format in @out. */
static void parse_ok(const char *line, struct ipvs_op *op, char *out,
		     size_t len)
{
	char why[128] = "";
	int r = ipvs_op_parse(line, op, why, sizeof(why));

	ck_assert_msg(r == 1, "'%s': returned %d: %s", line, r, why);
	ipvs_op_fmt(op, out, len);
}

/* Same kind and key, and the same configuration where the line has it. */
static void assert_same_op(const struct ipvs_op *want,
			   const struct ipvs_op *got, const char *line)
{
	ck_assert_msg(want->kind == got->kind, "'%s': kind %d, want %d", line,
		      got->kind, want->kind);
	ck_assert_msg(ipvs_service_key_cmp(&want->svc.key, &got->svc.key) == 0,
		      "'%s': service key differs", line);
	switch (want->kind) {
	case IPVS_OP_ADD_SERVICE:
	case IPVS_OP_EDIT_SERVICE:
		ck_assert_msg(ipvs_service_conf_equal(&want->svc, &got->svc),
			      "'%s': service differs", line);
		break;
	case IPVS_OP_ADD_DEST:
	case IPVS_OP_EDIT_DEST:
		ck_assert_msg(ipvs_dest_conf_equal(&want->dest, &got->dest),
			      "'%s': real server differs", line);
		break;
	case IPVS_OP_DEL_DEST:
		ck_assert_msg(ipvs_dest_key_cmp(&want->dest, &got->dest) == 0,
			      "'%s': real server key differs", line);
		break;
	case IPVS_OP_DEL_SERVICE:
		break;
	}
}

/* --- the observed lines ------------------------------------------------ */

START_TEST(parse_each_ipvsadm_line_formats_back_the_same)
{
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX];

	parse_ok(fx_truths[_i].line, &op, buf, sizeof(buf));
	ck_assert_str_eq(buf, fx_truths[_i].line);
}
END_TEST

START_TEST(parse_each_ipvsadm_line_gives_the_hand_built_op)
{
	const struct fx_truth *t = &fx_truths[_i];
	struct ipvs_op want, got;
	char buf[IPVS_FMT_MAX], why[128] = "";

	t->build(&want);
	parse_ok(t->line, &got, buf, sizeof(buf));
	assert_same_op(&want, &got, t->line);
	ck_assert_msg(ipvs_op_check(&got, why, sizeof(why)) == 0, "'%s': %s",
		      t->line, why);
}
END_TEST

/* --- lines that are not rules ------------------------------------------ */

static const char *const blank_lines[] = {
	"", " ", "\t \r\n", "\n", "# a comment", "   # indented comment",
	"#-A -t 10.0.0.1:80 -s rr", "# -A --bogus",
};

START_TEST(parse_skips_blank_and_comment_lines)
{
	struct ipvs_op op;
	char why[64] = "untouched";

	ck_assert_int_eq(ipvs_op_parse(blank_lines[_i], &op, why, sizeof(why)),
			 0);
	ck_assert_str_eq(why, "untouched");
}
END_TEST

/* --- every verb, long options, blanks ---------------------------------- */

static const char *const verb_lines[] = {
	"-E -t 10.0.0.1:80 -s rr -p 60",
	"-D -t 10.0.0.1:80",
	"-D -f 43 -6",
	"-D -t 10.0.0.5:0",
	"-e -t 10.0.0.1:80 -r 10.1.1.1:8080 -m -w 0",
	"-e -f 43 -6 -r [fd00::5]:0 -m -w 1",
	"-d -t 10.0.0.1:80 -r 10.1.1.1:8080",
	"-d -u [fd00::10]:53 -r [fd00::2]:53",
	"-d -t [fd00::10]:443 -r 10.1.1.9:443",
	"-d -f 43 -6 -r [fd00::5]:0",
};

START_TEST(parse_each_verb_formats_back_the_same)
{
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX], why[128] = "";

	parse_ok(verb_lines[_i], &op, buf, sizeof(buf));
	ck_assert_str_eq(buf, verb_lines[_i]);
	ck_assert_msg(ipvs_op_check(&op, why, sizeof(why)) == 0, "'%s': %s",
		      verb_lines[_i], why);
}
END_TEST

/* Each long option beside its short form. */
static const char *const long_lines[][2] = {
	{ "--add-service --tcp-service 10.0.0.1:80 --scheduler rr "
	  "--persistent 60 --netmask 255.255.0.0",
	  "-A -t 10.0.0.1:80 -s rr -p 60 -M 255.255.0.0" },
	{ "--edit-service --udp-service 10.0.0.1:53 --scheduler sh "
	  "--sched-flags sh-port --ops --pe sip",
	  "-E -u 10.0.0.1:53 -s sh -b sh-port -o --pe sip" },
	{ "--delete-service --fwmark-service 9 --ipv6", "-D -f 9 -6" },
	{ "--add-server --tcp-service 10.0.0.1:80 --real-server 10.1.1.1:81 "
	  "--masquerading --weight 4 --u-threshold 9 --l-threshold 2",
	  "-a -t 10.0.0.1:80 -r 10.1.1.1:81 -m -w 4 -x 9 -y 2" },
	{ "--edit-server --tcp-service 10.0.0.1:80 --real-server 10.1.1.1 "
	  "--ipip --tun-type gue --tun-port 5 --tun-csum",
	  "-e -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 5 "
	  "--tun-csum" },
	{ "--delete-server --sctp-service 10.0.0.1:9 --real-server 10.1.1.1:9",
	  "-d --sctp-service 10.0.0.1:9 -r 10.1.1.1:9" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 --gatewaying",
	  "-a -t 10.0.0.1:80 -r 10.1.1.1 -g" },
};

START_TEST(parse_long_options_equal_short_ones)
{
	struct ipvs_op a, b;
	char fa[IPVS_FMT_MAX], fb[IPVS_FMT_MAX];

	parse_ok(long_lines[_i][0], &a, fa, sizeof(fa));
	parse_ok(long_lines[_i][1], &b, fb, sizeof(fb));
	ck_assert_str_eq(fa, fb);
	assert_same_op(&b, &a, long_lines[_i][0]);
	ck_assert_uint_eq(a.dest.u_thresh, b.dest.u_thresh);
	ck_assert_uint_eq(a.dest.l_thresh, b.dest.l_thresh);
}
END_TEST

START_TEST(parse_splits_on_any_blanks)
{
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX];

	parse_ok("  -A\t-t   10.0.0.1:80 \t-s rr \r\n", &op, buf, sizeof(buf));
	ck_assert_str_eq(buf, "-A -t 10.0.0.1:80 -s rr");
}
END_TEST

/* --- ipvsadm's defaults ------------------------------------------------ */

/* What a terse line means, spelt out the way ipvsadm -Sn would print it. */
static const char *const default_lines[][2] = {
	{ "-A -t 10.0.0.1:80", "-A -t 10.0.0.1:80 -s wlc" },
	{ "-A -t 10.0.0.1:80 -s rr -p", "-A -t 10.0.0.1:80 -s rr -p 360" },
	{ "-A -t 10.0.0.1:80 -p -s rr", "-A -t 10.0.0.1:80 -s rr -p 360" },
	{ "-A -t 10.0.0.1:0 -p", "-A -t 10.0.0.1:0 -s wlc -p 360" },
	{ "-A -t 10.0.0.1 -p", "-A -t 10.0.0.1:0 -s wlc -p 360" },
	{ "-A -t [fd00::1]:80 -s rr -p", "-A -t [fd00::1]:80 -s rr -p 360" },
	{ "-A -f 43 -6 -s rr -p", "-A -f 43 -6 -s rr -p 360" },
	{ "-A -6 -f 43 -s rr -p 9 -M 64", "-A -f 43 -6 -s rr -p 9 -M 64" },
	{ "-A -t 10.0.0.1:80 -s rr -p 4294967295",
	  "-A -t 10.0.0.1:80 -s rr -p 4294967295" },
	{ "-A -t 10.0.0.1:80 -s sh -b flag-1,sh-port",
	  "-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port" },
	{ "-A -t 10.0.0.1:80 -s mh -b flag-3,mh-fallback",
	  "-A -t 10.0.0.1:80 -s mh -b mh-fallback,flag-3" },
	{ "-A -u 10.0.0.1:53 -s rr --ops", "-A -u 10.0.0.1:53 -s rr -o" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1",
	  "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -g -w 1" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1:8080",
	  "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -g -w 1" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -i",
	  "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -i -w 1 --tun-type ipip" },
	{ "-e -t 10.0.0.1:80 -r 10.1.1.1:8080 -g -w 5",
	  "-e -t 10.0.0.1:80 -r 10.1.1.1:80 -g -w 5" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -m",
	  "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 1" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -m",
	  "-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -m -w 1" },
	{ "-a -r 10.1.1.1 -m -t 10.0.0.1:80",
	  "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 1" },
	{ "-a -f 42 -r 10.1.1.1:8080 -i",
	  "-a -f 42 -r 10.1.1.1:8080 -i -w 1 --tun-type ipip" },
	{ "-a -f 42 -r 10.1.1.1", "-a -f 42 -r 10.1.1.1:0 -g -w 1" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type gue --tun-port 6080",
	  "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -i -w 1 --tun-type gue "
	  "--tun-port 6080 --tun-nocsum" },
	/* A delete names the real server as it is: no port forcing. */
	{ "-d -t 10.0.0.1:80 -r 10.1.1.1:8080",
	  "-d -t 10.0.0.1:80 -r 10.1.1.1:8080" },
	{ "-d -t 10.0.0.1:80 -r 10.1.1.1", "-d -t 10.0.0.1:80 -r 10.1.1.1:80" },
};

START_TEST(parse_fills_ipvsadm_defaults)
{
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX];

	parse_ok(default_lines[_i][0], &op, buf, sizeof(buf));
	ck_assert_str_eq(buf, default_lines[_i][1]);
}
END_TEST

START_TEST(parse_service_defaults_by_field)
{
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX];

	parse_ok("-A -t 10.0.0.1:80 -p", &op, buf, sizeof(buf));
	ck_assert_int_eq(op.kind, IPVS_OP_ADD_SERVICE);
	ck_assert_str_eq(op.svc.sched, "wlc");
	ck_assert_uint_eq(op.svc.flags, IPVS_SVC_F_PERSISTENT);
	ck_assert_uint_eq(op.svc.timeout, IPVS_PERSIST_DEFAULT);
	ck_assert_uint_eq(op.svc.netmask, 0xffffffff);
	ck_assert_str_eq(op.svc.pe_name, "");
	parse_ok("-A -u [fd00::1]:53", &op, buf, sizeof(buf));
	ck_assert_uint_eq(op.svc.netmask, 128);
	ck_assert_uint_eq(op.svc.flags, 0);
}
END_TEST

START_TEST(parse_dest_defaults_by_field)
{
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX];

	parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1:8080", &op, buf, sizeof(buf));
	ck_assert_int_eq(op.kind, IPVS_OP_ADD_DEST);
	ck_assert_uint_eq(op.dest.fwd, IPVS_FWD_DROUTE);
	ck_assert_uint_eq(op.dest.port, 80);
	ck_assert_int_eq(op.dest.weight, 1);
	ck_assert_uint_eq(op.dest.u_thresh | op.dest.l_thresh, 0);
	parse_ok("-a -t 10.0.0.1:80 -r 10.1.1.1 -m -x 100 -y 10", &op, buf,
		 sizeof(buf));
	ck_assert_uint_eq(op.dest.u_thresh, 100);
	ck_assert_uint_eq(op.dest.l_thresh, 10);
	ck_assert_str_eq(buf, "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 1");
}
END_TEST

/* Syntax is the parser's; meaning is ipvs_op_check's. */
START_TEST(parse_leaves_meaning_to_op_check)
{
	struct ipvs_op op;
	char buf[IPVS_FMT_MAX], why[128];

	parse_ok("-A -t 10.0.0.1:80 -s rr -p 0", &op, buf, sizeof(buf));
	ck_assert_int_eq(ipvs_op_check(&op, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "persistent with timeout 0");
	parse_ok("-a -t 10.0.0.1:80 -r [fd00::1]:80 -m", &op, buf, sizeof(buf));
	ck_assert_int_eq(ipvs_op_check(&op, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "mixed families need tunnelling");
	parse_ok("-A -t 10.0.0.1:80 -s rr -o", &op, buf, sizeof(buf));
	ck_assert_int_eq(ipvs_op_check(&op, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "one-packet scheduling is only for UDP");
}
END_TEST

/* --- errors ------------------------------------------------------------ */

static const char *const bad_lines[][2] = {
	{ "-A -t 10.0.0.1:80 -s rr --bogus", "unknown option '--bogus'" },
	{ "-A -t 10.0.0.1:80 -s rr foo", "unknown option 'foo'" },
	{ "-A -t 10.0.0.1:80 -l", "unknown option '-l'" },
	{ "-C", "unknown option '-C'" },
	{ "-A -t 10.0.0.300:80", "bad service address '10.0.0.300:80'" },
	{ "-A -t fd00::1:80", "bad service address 'fd00::1:80'" },
	{ "-A -t fd00::1", "bad service address" },
	{ "-A -t ::1", "bad service address" },
	{ "-A -t 10.0.0.1:65536", "bad service address" },
	{ "-A -t 10.0.0.1:-1", "bad service address" },
	{ "-A -t 10.0.0.1:", "bad service address" },
	{ "-A -t 10.0.0.1:http", "bad service address" },
	{ "-A -t 10.0.0.1:80x", "bad service address" },
	{ "-A -t example.com:80", "bad service address" },
	{ "-A -t [fd00::1]80", "bad service address" },
	{ "-A -t [fd00::1", "bad service address" },
	{ "-A -t [fd00::1]:", "bad service address" },
	{ "-A -t [fd00::1]:65536", "bad service address" },
	{ "-A -t [fd00::zz]:80", "bad service address" },
	{ "-A -t [" "fd00:0000:0000:0000:0000:0000:0000:0001:0000:0000]:80",
	  "bad service address" },
	{ "-t 10.0.0.1:80 -s rr", "command or service missing" },
	{ "-A -s rr", "command or service missing" },
	{ "-A", "command or service missing" },
	{ "-A -t", "service address missing" },
	{ "-A -f", "service address missing" },
	{ "-A -t 10.0.0.1:80 -E", "more than one command" },
	{ "-A -t 10.0.0.1:80 -u 10.0.0.1:53", "more than one service" },
	{ "-A -t 10.0.0.1:80 -f 5", "more than one service" },
	{ "-a -t 10.0.0.1:80 -m", "real server missing" },
	{ "-d -t 10.0.0.1:80", "real server missing" },
	{ "-a -t 10.0.0.1:80 -r", "bad real server ''" },
	{ "-a -t 10.0.0.1:80 -r fd00::2", "bad real server 'fd00::2'" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1:65536", "bad real server" },
	{ "-A -t 10.0.0.1:80 -s abcdefghijklmnop",
	  "scheduler name missing or over 15 chars" },
	{ "-A -t 10.0.0.1:80 -s", "scheduler name missing" },
	{ "-A -t 10.0.0.1:80 --pe abcdefghijklmnop",
	  "persistence engine name missing or over 15 chars" },
	{ "-A -f 0", "bad firewall mark '0'" },
	{ "-A -f 4294967296", "bad firewall mark" },
	{ "-A -f -1", "bad firewall mark" },
	{ "-A -f 0x10", "bad firewall mark" },
	{ "-A -t 10.0.0.1:80 -M", "netmask missing" },
	{ "-A -t 10.0.0.1:80 -p 60 -M 129", "bad netmask '129'" },
	{ "-A -t 10.0.0.1:80 -p 60 -M 255.255.255.256", "bad netmask" },
	{ "-A -t 10.0.0.1:80 -b nonsense", "unknown scheduler flag 'nonsense'" },
	{ "-A -t 10.0.0.1:80 -b", "scheduler flags missing" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -w -1", "bad weight '-1'" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -w 2147483648", "bad weight" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -w 1.5", "bad weight" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -w", "bad weight ''" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -x abc", "bad upper threshold 'abc'" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -x 4294967296", "bad upper threshold" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -y", "bad lower threshold ''" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type vxlan",
	  "bad tunnel type 'vxlan'" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-type", "bad tunnel type ''" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-port 65536",
	  "bad tunnel port '65536'" },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1 -i --tun-port", "bad tunnel port ''" },
};

START_TEST(parse_refuses_each_bad_line)
{
	const char *line = bad_lines[_i][0], *want = bad_lines[_i][1];
	struct ipvs_op op;
	char why[128] = "";
	int r;

	r = ipvs_op_parse(line, &op, why, sizeof(why));
	ck_assert_msg(r == -EINVAL, "'%s': returned %d", line, r);
	ck_assert_msg(strstr(why, want), "'%s': reason '%s' lacks '%s'", line,
		      why, want);
	ck_assert_int_eq(ipvs_op_parse(line, &op, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(parse_refuses_null)
{
	struct ipvs_op op;
	char why[64];

	ck_assert_int_eq(ipvs_op_parse(NULL, &op, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "line missing or too long");
}
END_TEST

/* 32 words is the limit: the 33rd is refused, not dropped. */
START_TEST(parse_refuses_more_than_32_words)
{
	char line[256] = "-A -t 10.0.0.1:80 -s rr";   /* 5 words */
	struct ipvs_op op;
	char why[64];
	int i;

	for (i = 5; i < 32; i++)
		strcat(line, " -o");
	ck_assert_int_eq(ipvs_op_parse(line, &op, why, sizeof(why)), 1);
	strcat(line, " -o");
	ck_assert_int_eq(ipvs_op_parse(line, &op, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "too many words");
}
END_TEST

/* 1023 characters fit the parser's buffer; 1024 are refused. */
START_TEST(parse_refuses_lines_of_1024_chars)
{
	static char line[1100];
	struct ipvs_op op;
	char why[64];

	memset(line, ' ', sizeof(line));
	memcpy(line, "-A -t 10.0.0.1:80", 17);
	line[1023] = '\0';
	ck_assert_int_eq(ipvs_op_parse(line, &op, why, sizeof(why)), 1);
	line[1023] = ' ';
	line[1024] = '\0';
	ck_assert_int_eq(ipvs_op_parse(line, &op, why, sizeof(why)), -EINVAL);
	ck_assert_str_eq(why, "line missing or too long");
}
END_TEST

/* --- the property: parse inverts format -------------------------------- */

static const char *const scheds[] = {
	"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh",
	"sh", "sed", "nq", "fo", "ovf", "mh",
};

static int other_af(int af)
{
	return af == AF_INET ? AF_INET6 : AF_INET;
}

/* Random bytes, and for v6 the shapes inet_ntop abbreviates: runs of zero
 * groups ("::"), v4-mapped and small addresses. */
static void gen_addr(uint64_t *rs, int af, union ipvs_addr *a)
{
	uint32_t from, n, i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < ipvs_addr_len(af); i++)
		a->raw[i] = (uint8_t)fx_rand(rs);
	if (af != AF_INET6)
		return;
	switch (fx_below(rs, 4)) {
	case 1:
		from = fx_below(rs, 8);
		n = 1 + fx_below(rs, 8 - from);
		memset(a->raw + 2 * from, 0, 2 * n);
		break;
	case 2:
		memset(a->raw, 0, 10);
		a->raw[10] = a->raw[11] = 0xff;
		break;
	case 3:
		memset(a->raw, 0, 12 + fx_below(rs, 3));
		break;
	}
}

static void gen_usable_addr(uint64_t *rs, int af, union ipvs_addr *a)
{
	do
		gen_addr(rs, af, a);
	while (ipvs_addr_is_unusable(af, a));
}

static void gen_service_key(uint64_t *rs, struct ipvs_service *s)
{
	static const int protos[] = { IPVS_PROTO_TCP, IPVS_PROTO_UDP,
				      IPVS_PROTO_SCTP };
	int af = fx_below(rs, 2) ? AF_INET6 : AF_INET;
	union ipvs_addr a;

	ipvs_service_init(s);
	if (fx_below(rs, 4) == 0) {
		ipvs_service_key_init_fwmark(&s->key, af,
					     1 + fx_below(rs, UINT32_MAX));
	} else {
		gen_addr(rs, af, &a);
		ipvs_service_key_init(&s->key, af, protos[fx_below(rs, 3)], &a,
				      (uint16_t)fx_below(rs, 65536));
	}
	strcpy(s->sched, scheds[fx_below(rs, N_ELEMS(scheds))]);
	if (af == AF_INET6)
		s->netmask = 128;
}

static uint32_t gen_netmask(uint64_t *rs, int af)
{
	uint32_t plen;

	if (af == AF_INET6)
		return 1 + fx_below(rs, 128);
	plen = 1 + fx_below(rs, 32);
	return 0xffffffffu << (32 - plen);
}

/* The options of an -A/-E line; only what -Sn can print. */
static void gen_service_conf(uint64_t *rs, struct ipvs_service *s)
{
	const struct ipvs_service_key *k = &s->key;

	if (fx_below(rs, 2)) {
		fx_persist(s, fx_below(rs, 8) ? 1 + fx_below(rs, 86400 * 31)
					      : UINT32_MAX);
		if (fx_below(rs, 2))
			s->netmask = gen_netmask(rs, k->af);
	} else if (!k->fwmark && !k->port) {
		s->key.port = 1;   /* port 0 needs persistence */
	}
	s->flags |= fx_below(rs, 8) * IPVS_SVC_F_SCHED1;
	if ((k->fwmark || k->protocol == IPVS_PROTO_UDP) && !fx_below(rs, 3))
		s->flags |= IPVS_SVC_F_ONEPACKET;
	if (!fx_below(rs, 4))
		strcpy(s->pe_name, "sip");
}

static int32_t gen_weight(uint64_t *rs)
{
	switch (fx_below(rs, 3)) {
	case 0:
		return 0;
	case 1:
		return (int32_t)(1 + fx_below(rs, 100));
	default:
		return (int32_t)fx_below(rs, (uint32_t)INT32_MAX + 1);
	}
}

/* The real server of an -a/-e line.  Thresholds stay 0: -Sn omits them. */
static void gen_dest(uint64_t *rs, const struct ipvs_service *s,
		     struct ipvs_dest *d)
{
	static const uint32_t fwds[] = { IPVS_FWD_MASQ, IPVS_FWD_TUNNEL,
					 IPVS_FWD_DROUTE };
	int af = s->key.af;

	ipvs_dest_init(d);
	d->fwd = fwds[fx_below(rs, 3)];
	if (d->fwd == IPVS_FWD_TUNNEL && !fx_below(rs, 4))
		af = other_af(af);
	d->af = (uint16_t)af;
	gen_usable_addr(rs, af, &d->addr);
	/* ipvsadm gives -g and -i real servers the service's port. */
	if (d->fwd == IPVS_FWD_MASQ || s->key.fwmark)
		d->port = (uint16_t)fx_below(rs, 65536);
	else
		d->port = s->key.port;
	d->weight = gen_weight(rs);
	if (d->fwd != IPVS_FWD_TUNNEL)
		return;
	d->tun_type = (uint8_t)fx_below(rs, 3);
	if (d->tun_type == IPVS_TUN_GUE)
		d->tun_port = (uint16_t)(1 + fx_below(rs, 65535));
	if (d->tun_type != IPVS_TUN_IPIP)
		d->tun_flags = (uint16_t)fx_below(rs, 3);
}

/* A -d line names a real server by family, address and port. */
static void gen_dest_key(uint64_t *rs, const struct ipvs_service *s,
			 struct ipvs_dest *d)
{
	int af = fx_below(rs, 4) ? s->key.af : other_af(s->key.af);

	ipvs_dest_init(d);
	d->af = (uint16_t)af;
	gen_usable_addr(rs, af, &d->addr);
	d->port = (uint16_t)fx_below(rs, 65536);
}

static void gen_op(uint64_t *rs, struct ipvs_op *op)
{
	memset(op, 0, sizeof(*op));
	op->kind = (enum ipvs_op_kind)fx_below(rs, 6);
	gen_service_key(rs, &op->svc);
	ipvs_dest_init(&op->dest);
	switch (op->kind) {
	case IPVS_OP_ADD_SERVICE:
	case IPVS_OP_EDIT_SERVICE:
		gen_service_conf(rs, &op->svc);
		break;
	case IPVS_OP_ADD_DEST:
	case IPVS_OP_EDIT_DEST:
		gen_dest(rs, &op->svc, &op->dest);
		break;
	case IPVS_OP_DEL_DEST:
		gen_dest_key(rs, &op->svc, &op->dest);
		break;
	case IPVS_OP_DEL_SERVICE:
		break;
	}
}

#define PROPERTY_OPS 5000

START_TEST(parse_inverts_fmt_on_random_ops)
{
	uint64_t rs = 0x1905;   /* fixed: a failure names its line */
	struct ipvs_op op, got;
	char line[IPVS_FMT_MAX], again[IPVS_FMT_MAX], why[128];
	int i, kinds[6] = { 0 };

	for (i = 0; i < PROPERTY_OPS; i++) {
		gen_op(&rs, &op);
		kinds[op.kind]++;
		ipvs_op_fmt(&op, line, sizeof(line));
		why[0] = '\0';
		ck_assert_msg(ipvs_op_check(&op, why, sizeof(why)) == 0,
			      "generator made an invalid op '%s': %s", line, why);
		parse_ok(line, &got, again, sizeof(again));
		ck_assert_str_eq(again, line);
		assert_same_op(&op, &got, line);
		ck_assert_msg(ipvs_op_check(&got, why, sizeof(why)) == 0,
			      "'%s' parsed into an invalid op: %s", line, why);
	}
	for (i = 0; i < 6; i++)
		ck_assert_int_gt(kinds[i], PROPERTY_OPS / 10);
}
END_TEST

Suite *parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *lines = tcase_create("lines");
	TCase *errors = tcase_create("errors");
	TCase *property = tcase_create("property");

	tcase_add_loop_test(lines, parse_each_ipvsadm_line_formats_back_the_same,
			    0, (int)fx_ntruths);
	tcase_add_loop_test(lines, parse_each_ipvsadm_line_gives_the_hand_built_op,
			    0, (int)fx_ntruths);
	tcase_add_loop_test(lines, parse_skips_blank_and_comment_lines, 0,
			    N_ELEMS(blank_lines));
	tcase_add_loop_test(lines, parse_each_verb_formats_back_the_same, 0,
			    N_ELEMS(verb_lines));
	tcase_add_loop_test(lines, parse_long_options_equal_short_ones, 0,
			    N_ELEMS(long_lines));
	tcase_add_test(lines, parse_splits_on_any_blanks);
	tcase_add_loop_test(lines, parse_fills_ipvsadm_defaults, 0,
			    N_ELEMS(default_lines));
	tcase_add_test(lines, parse_service_defaults_by_field);
	tcase_add_test(lines, parse_dest_defaults_by_field);
	tcase_add_test(lines, parse_leaves_meaning_to_op_check);
	suite_add_tcase(s, lines);

	tcase_add_loop_test(errors, parse_refuses_each_bad_line, 0,
			    N_ELEMS(bad_lines));
	tcase_add_test(errors, parse_refuses_null);
	tcase_add_test(errors, parse_refuses_more_than_32_words);
	tcase_add_test(errors, parse_refuses_lines_of_1024_chars);
	suite_add_tcase(s, errors);

	tcase_set_timeout(property, 60);
	tcase_add_test(property, parse_inverts_fmt_on_random_ops);
	suite_add_tcase(s, property);
	return s;
}
