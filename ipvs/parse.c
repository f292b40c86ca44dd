/*
 * ipvs/parse.c - a small option parser for ipvsadm rule lines.
 *
 * getopt() would need argv copies and global state; rule files hold
 * 100,000 lines, so this walks the tokens of one line in place instead.
 */
#include "parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_TOKENS 32

struct parser {
	char *tok[MAX_TOKENS];  /* the line split on blanks */
	int n, i;               /* token count, cursor */
	struct ipvs_op *op;
	int have_cmd, have_svc, have_dest, af6, fwd_set, port_given;
	char *why;
	size_t len;
};

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->why && p->len) {
		va_start(ap, fmt);
		vsnprintf(p->why, p->len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *next_arg(struct parser *p)
{
	return p->i + 1 < p->n ? p->tok[++p->i] : NULL;
}

static int parse_u32(const char *s, unsigned long max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "1.2.3.4", "1.2.3.4:80", "[fd00::1]", "[fd00::1]:80". */
static int parse_addrport(const char *s, int *af, union ipvs_addr *a,
			  uint16_t *port, int *port_given)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *end;
	uint32_t v;

	*port = 0;
	*port_given = 0;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		colon = end[1] == ':' ? end + 1 : NULL;
		if (!colon && end[1])
			return -1;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			return -1; /* bare IPv6 needs brackets */
		if ((colon ? (size_t)(colon - s) : strlen(s)) >= sizeof(host))
			return -1;
		snprintf(host, sizeof(host), "%.*s",
			 (int)(colon ? colon - s : (long)strlen(s)), s);
	}
	if (ipvs_addr_parse(host, af, a))
		return -1;
	if (colon) {
		if (parse_u32(colon + 1, 65535, &v))
			return -1;
		*port = (uint16_t)v;
		*port_given = 1;
	}
	return 0;
}

static int set_cmd(struct parser *p, enum ipvs_op_kind kind)
{
	if (p->have_cmd)
		return fail(p, "more than one command");
	p->have_cmd = 1;
	p->op->kind = kind;
	return 0;
}

static int parse_service(struct parser *p, int protocol)
{
	const char *arg = next_arg(p);
	struct ipvs_service_key *k = &p->op->svc.key;
	int af, given;
	union ipvs_addr a;
	uint16_t port;
	uint32_t mark;

	if (p->have_svc)
		return fail(p, "more than one service");
	p->have_svc = 1;
	if (!arg)
		return fail(p, "service address missing");
	if (protocol == 0) {
		if (parse_u32(arg, 0xffffffffUL, &mark) || !mark)
			return fail(p, "bad firewall mark '%s'", arg);
		ipvs_service_key_init_fwmark(k, AF_INET, mark);
		return 0;
	}
	if (parse_addrport(arg, &af, &a, &port, &given))
		return fail(p, "bad service address '%s'", arg);
	ipvs_service_key_init(k, af, protocol, &a, port);
	return 0;
}

static int parse_dest(struct parser *p)
{
	const char *arg = next_arg(p);
	struct ipvs_dest *d = &p->op->dest;
	int af;

	if (!arg || parse_addrport(arg, &af, &d->addr, &d->port, &p->port_given))
		return fail(p, "bad real server '%s'", arg ? arg : "");
	d->af = (uint16_t)af;
	p->have_dest = 1;
	return 0;
}

static int parse_persistent(struct parser *p)
{
	struct ipvs_service *s = &p->op->svc;

	s->flags |= IPVS_SVC_F_PERSISTENT;
	s->timeout = IPVS_PERSIST_DEFAULT;
	/* The timeout is optional: take the next token only if it is a number. */
	if (p->i + 1 < p->n && parse_u32(p->tok[p->i + 1], 0xffffffffUL,
					  &s->timeout) == 0)
		p->i++;
	return 0;
}

static int parse_netmask(struct parser *p)
{
	const char *arg = next_arg(p);
	struct in_addr m;
	uint32_t plen;

	if (!arg)
		return fail(p, "netmask missing");
	if (inet_pton(AF_INET, arg, &m) == 1)
		p->op->svc.netmask = ntohl(m.s_addr);
	else if (parse_u32(arg, 128, &plen) == 0)
		p->op->svc.netmask = plen;
	else
		return fail(p, "bad netmask '%s'", arg);
	return 0;
}

static int parse_sched_flags(struct parser *p)
{
	static const char *const names[][3] = {
		{ "flag-1", "sh-fallback", "mh-fallback" },
		{ "flag-2", "sh-port", "mh-port" },
		{ "flag-3", "flag-3", "flag-3" },
	};
	const char *arg = next_arg(p);
	char buf[128], *tok, *save = NULL;
	int i, j, found;

	if (!arg || strlen(arg) >= sizeof(buf))
		return fail(p, "scheduler flags missing");
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		found = 0;
		for (i = 0; i < 3 && !found; i++)
			for (j = 0; j < 3 && !found; j++)
				if (strcmp(tok, names[i][j]) == 0) {
					p->op->svc.flags |= IPVS_SVC_F_SCHED1 << i;
					found = 1;
				}
		if (!found)
			return fail(p, "unknown scheduler flag '%s'", tok);
	}
	return 0;
}

static int parse_name(struct parser *p, char *dst, const char *what)
{
	const char *arg = next_arg(p);

	if (!arg || strlen(arg) > IPVS_NAME_MAX)
		return fail(p, "%s name missing or over %d chars", what,
			    IPVS_NAME_MAX);
	strcpy(dst, arg);
	return 0;
}

static int parse_number(struct parser *p, unsigned long max, uint32_t *out,
			const char *what)
{
	const char *arg = next_arg(p);

	if (parse_u32(arg, max, out))
		return fail(p, "bad %s '%s'", what, arg ? arg : "");
	return 0;
}

static int parse_tun_type(struct parser *p)
{
	const char *arg = next_arg(p);
	static const char *const types[] = { "ipip", "gue", "gre" };
	uint8_t i;

	for (i = 0; arg && i < 3; i++)
		if (strcmp(arg, types[i]) == 0) {
			p->op->dest.tun_type = i;
			return 0;
		}
	return fail(p, "bad tunnel type '%s'", arg ? arg : "");
}

static int set_fwd(struct parser *p, uint32_t fwd)
{
	p->op->dest.fwd = fwd;
	p->fwd_set = 1;
	return 0;
}

static int is(const char *t, const char *s, const char *l)
{
	return (s && strcmp(t, s) == 0) || (l && strcmp(t, l) == 0);
}

/* One option; every branch consumes its own argument. */
static int parse_option(struct parser *p, const char *t)
{
	struct ipvs_op *op = p->op;
	uint32_t v;

	if (is(t, "-A", "--add-service")) return set_cmd(p, IPVS_OP_ADD_SERVICE);
	if (is(t, "-E", "--edit-service")) return set_cmd(p, IPVS_OP_EDIT_SERVICE);
	if (is(t, "-D", "--delete-service")) return set_cmd(p, IPVS_OP_DEL_SERVICE);
	if (is(t, "-a", "--add-server")) return set_cmd(p, IPVS_OP_ADD_DEST);
	if (is(t, "-e", "--edit-server")) return set_cmd(p, IPVS_OP_EDIT_DEST);
	if (is(t, "-d", "--delete-server")) return set_cmd(p, IPVS_OP_DEL_DEST);
	if (is(t, "-t", "--tcp-service")) return parse_service(p, IPVS_PROTO_TCP);
	if (is(t, "-u", "--udp-service")) return parse_service(p, IPVS_PROTO_UDP);
	if (is(t, NULL, "--sctp-service")) return parse_service(p, IPVS_PROTO_SCTP);
	if (is(t, "-f", "--fwmark-service")) return parse_service(p, 0);
	if (is(t, "-6", "--ipv6")) return p->af6 = 1, 0;
	if (is(t, "-s", "--scheduler")) return parse_name(p, op->svc.sched, "scheduler");
	if (is(t, NULL, "--pe")) return parse_name(p, op->svc.pe_name, "persistence engine");
	if (is(t, "-p", "--persistent")) return parse_persistent(p);
	if (is(t, "-M", "--netmask")) return parse_netmask(p);
	if (is(t, "-b", "--sched-flags")) return parse_sched_flags(p);
	if (is(t, "-o", "--ops")) return op->svc.flags |= IPVS_SVC_F_ONEPACKET, 0;
	if (is(t, "-r", "--real-server")) return parse_dest(p);
	if (is(t, "-m", "--masquerading")) return set_fwd(p, IPVS_FWD_MASQ);
	if (is(t, "-i", "--ipip")) return set_fwd(p, IPVS_FWD_TUNNEL);
	if (is(t, "-g", "--gatewaying")) return set_fwd(p, IPVS_FWD_DROUTE);
	if (is(t, "-w", "--weight")) {
		if (parse_number(p, 0x7fffffffUL, &v, "weight"))
			return -EINVAL;
		op->dest.weight = (int32_t)v;
		return 0;
	}
	if (is(t, "-x", "--u-threshold")) return parse_number(p, 0xffffffffUL, &op->dest.u_thresh, "upper threshold");
	if (is(t, "-y", "--l-threshold")) return parse_number(p, 0xffffffffUL, &op->dest.l_thresh, "lower threshold");
	if (is(t, NULL, "--tun-type")) return parse_tun_type(p);
	if (is(t, NULL, "--tun-port")) {
		if (parse_number(p, 65535, &v, "tunnel port"))
			return -EINVAL;
		op->dest.tun_port = (uint16_t)v;
		return 0;
	}
	if (is(t, NULL, "--tun-nocsum")) return op->dest.tun_flags = IPVS_TUN_F_NOCSUM, 0;
	if (is(t, NULL, "--tun-csum")) return op->dest.tun_flags = IPVS_TUN_F_CSUM, 0;
	if (is(t, NULL, "--tun-remcsum")) return op->dest.tun_flags = IPVS_TUN_F_REMCSUM, 0;
	return fail(p, "unknown option '%s'", t);
}

static int split(struct parser *p, char *buf)
{
	char *save = NULL, *t;

	for (t = strtok_r(buf, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (p->n == MAX_TOKENS)
			return fail(p, "too many words");
		p->tok[p->n++] = t;
	}
	return 0;
}

/* What ipvsadm does after parsing: families, default ports, checks. */
static int finish(struct parser *p)
{
	struct ipvs_op *op = p->op;

	if (!p->have_cmd || !p->have_svc)
		return fail(p, "command or service missing");
	if (p->af6 && op->svc.key.fwmark)
		op->svc.key.af = AF_INET6;
	if (op->svc.key.af == AF_INET6 && op->svc.netmask == 0xffffffff)
		op->svc.netmask = 128;
	if (!ipvs_op_is_dest(op->kind))
		return 0;
	if (!p->have_dest)
		return fail(p, "real server missing");
	/* ipvsadm: no port means the service's; only NAT may change the port
	 * (-a and -e only: -d names the real server as it is). */
	if (!p->port_given || (op->kind != IPVS_OP_DEL_DEST &&
			       op->dest.fwd != IPVS_FWD_MASQ &&
			       !op->svc.key.fwmark))
		op->dest.port = op->svc.key.port;
	return 0;
}

int ipvs_op_parse(const char *line, struct ipvs_op *op, char *why, size_t len)
{
	struct parser p = { .op = op, .why = why, .len = len };
	char buf[1024];
	int r;

	if (!line || strlen(line) >= sizeof(buf))
		return fail(&p, "line missing or too long");
	strcpy(buf, line);
	if ((r = split(&p, buf)))
		return r;
	if (p.n == 0 || p.tok[0][0] == '#')
		return 0;
	memset(op, 0, sizeof(*op));
	ipvs_service_init(&op->svc);
	ipvs_dest_init(&op->dest);
	op->dest.fwd = IPVS_FWD_DROUTE; /* ipvsadm's default */
	for (p.i = 0; p.i < p.n; p.i++)
		if ((r = parse_option(&p, p.tok[p.i])))
			return r;
	if ((r = finish(&p)))
		return r;
	return 1;
}
