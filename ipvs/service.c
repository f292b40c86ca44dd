/*
 * ipvs/service.c - keys, comparison, validation and ipvsadm notation for
 * virtual services and real servers.
 */
#include "service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b))

void ipvs_service_key_init(struct ipvs_service_key *k, int af, int protocol,
			   const union ipvs_addr *addr, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->af = (uint16_t)af;
	k->protocol = (uint16_t)protocol;
	memcpy(k->addr.raw, addr->raw, ipvs_addr_len(af));
	k->port = port;
}

void ipvs_service_key_init_fwmark(struct ipvs_service_key *k, int af,
				  uint32_t fwmark)
{
	memset(k, 0, sizeof(*k));
	k->af = (uint16_t)af;
	k->fwmark = fwmark;
}

int ipvs_service_key_cmp(const struct ipvs_service_key *a,
			 const struct ipvs_service_key *b)
{
	int r;

	if ((r = CMP(a->af, b->af)) || (r = CMP(a->fwmark, b->fwmark)) ||
	    (r = CMP(a->protocol, b->protocol)))
		return r;
	if ((r = ipvs_addr_cmp(a->af, &a->addr, &b->addr)))
		return r;
	return CMP(a->port, b->port);
}

int ipvs_dest_key_cmp(const struct ipvs_dest *a, const struct ipvs_dest *b)
{
	int r;

	if ((r = CMP(a->af, b->af)))
		return r;
	if ((r = ipvs_addr_cmp(a->af, &a->addr, &b->addr)))
		return r;
	return CMP(a->port, b->port);
}

/* FNV-1a: cheap, and good enough for addresses that differ in few bits. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_SEED 0xcbf29ce484222325ULL

uint64_t ipvs_service_key_hash(const struct ipvs_service_key *k)
{
	uint64_t h = FNV_SEED;

	h = fnv1a(h, &k->af, sizeof(k->af));
	h = fnv1a(h, &k->protocol, sizeof(k->protocol));
	h = fnv1a(h, &k->fwmark, sizeof(k->fwmark));
	h = fnv1a(h, k->addr.raw, ipvs_addr_len(k->af));
	return fnv1a(h, &k->port, sizeof(k->port));
}

uint64_t ipvs_dest_key_hash(const struct ipvs_dest *d)
{
	uint64_t h = FNV_SEED;

	h = fnv1a(h, &d->af, sizeof(d->af));
	h = fnv1a(h, d->addr.raw, ipvs_addr_len(d->af));
	return fnv1a(h, &d->port, sizeof(d->port));
}

int ipvs_service_conf_equal(const struct ipvs_service *a,
			    const struct ipvs_service *b)
{
	return ipvs_service_key_cmp(&a->key, &b->key) == 0 &&
	       strcmp(a->sched, b->sched) == 0 &&
	       (a->flags & IPVS_SVC_F_USER) == (b->flags & IPVS_SVC_F_USER) &&
	       a->timeout == b->timeout && a->netmask == b->netmask &&
	       strcmp(a->pe_name, b->pe_name) == 0;
}

int ipvs_dest_conf_equal(const struct ipvs_dest *a, const struct ipvs_dest *b)
{
	return ipvs_dest_key_cmp(a, b) == 0 && a->fwd == b->fwd &&
	       a->weight == b->weight && a->u_thresh == b->u_thresh &&
	       a->l_thresh == b->l_thresh && a->tun_type == b->tun_type &&
	       a->tun_port == b->tun_port && a->tun_flags == b->tun_flags;
}

void ipvs_service_init(struct ipvs_service *s)
{
	memset(s, 0, sizeof(*s));
	s->key.af = AF_INET;
	strcpy(s->sched, "wlc");
	s->netmask = 0xffffffff;
}

void ipvs_dest_init(struct ipvs_dest *d)
{
	memset(d, 0, sizeof(*d));
	d->af = AF_INET;
	d->fwd = IPVS_FWD_MASQ;
	d->weight = 1;
}

static int why_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int netmask_ok(int af, uint32_t mask)
{
	if (af == AF_INET6)
		return mask >= 1 && mask <= 128;
	/* A v4 mask is contiguous ones from the top: ~mask + 1 is a power of 2. */
	return mask != 0 && ((~mask + 1) & ~mask) == 0;
}

static int name_ok(const char *name, size_t max)
{
	return memchr(name, '\0', max + 1) != NULL;
}

int ipvs_service_key_check(const struct ipvs_service_key *k, int persistent,
			   char *why, size_t len)
{
	if (!k)
		return why_fail(why, len, "no service");
	if (!ipvs_addr_len(k->af))
		return why_fail(why, len, "unknown address family %u", k->af);
	if (k->fwmark) {
		if (k->protocol || k->port)
			return why_fail(why, len,
					"fwmark service with protocol or port");
		return 0;
	}
	if (!ipvs_proto_opt(k->protocol))
		return why_fail(why, len, "unknown protocol %u", k->protocol);
	if (!k->port && !persistent)
		return why_fail(why, len, "port 0 on a non-persistent service");
	return 0;
}

int ipvs_service_check(const struct ipvs_service *s, char *why, size_t len)
{
	const struct ipvs_service_key *k;
	int r;

	if (!s)
		return why_fail(why, len, "no service");
	k = &s->key;
	r = ipvs_service_key_check(k, s->flags & IPVS_SVC_F_PERSISTENT, why, len);
	if (r)
		return r;
	if (!name_ok(s->sched, IPVS_NAME_MAX) || !s->sched[0])
		return why_fail(why, len, "scheduler name empty or over %d chars",
				IPVS_NAME_MAX);
	if (!name_ok(s->pe_name, IPVS_NAME_MAX))
		return why_fail(why, len, "persistence engine name over %d chars",
				IPVS_NAME_MAX);
	if (s->flags & ~IPVS_SVC_F_USER & ~IPVS_SVC_F_HASHED)
		return why_fail(why, len, "unknown flags 0x%x", s->flags);
	/* As ipvsadm: a fwmark service may match UDP, so it may use -o. */
	if ((s->flags & IPVS_SVC_F_ONEPACKET) && !k->fwmark &&
	    k->protocol != IPVS_PROTO_UDP)
		return why_fail(why, len, "one-packet scheduling is only for UDP");
	if (!netmask_ok(k->af, s->netmask))
		return why_fail(why, len, "bad netmask 0x%x", s->netmask);
	if ((s->flags & IPVS_SVC_F_PERSISTENT) && !s->timeout)
		return why_fail(why, len, "persistent with timeout 0");
	return 0;
}

int ipvs_dest_check(const struct ipvs_service *s, const struct ipvs_dest *d,
		    char *why, size_t len)
{
	if (!s || !d)
		return why_fail(why, len, "no service or real server");
	if (!ipvs_addr_len(d->af))
		return why_fail(why, len, "unknown address family %u", d->af);
	if (ipvs_addr_is_unusable(d->af, &d->addr))
		return why_fail(why, len, "unusable real server address");
	if (d->fwd > IPVS_FWD_DROUTE)
		return why_fail(why, len, "unknown forwarding method %u", d->fwd);
	if (d->af != s->key.af && d->fwd != IPVS_FWD_TUNNEL)
		return why_fail(why, len, "mixed families need tunnelling");
	if (d->weight < 0)
		return why_fail(why, len, "negative weight");
	/* The kernel refuses this (ERANGE) even when u_thresh is 0. */
	if (d->l_thresh > d->u_thresh)
		return why_fail(why, len, "lower threshold above upper");
	if (d->fwd != IPVS_FWD_TUNNEL && (d->tun_type || d->tun_port ||
					  d->tun_flags))
		return why_fail(why, len, "tunnel options without tunnelling");
	if (d->tun_type > IPVS_TUN_GRE)
		return why_fail(why, len, "unknown tunnel type %u", d->tun_type);
	if (d->tun_type == IPVS_TUN_GUE && !d->tun_port)
		return why_fail(why, len, "GUE tunnel needs a port");
	return 0;
}

const char *ipvs_proto_opt(int protocol)
{
	switch (protocol) {
	case IPVS_PROTO_TCP:
		return "-t";
	case IPVS_PROTO_UDP:
		return "-u";
	case IPVS_PROTO_SCTP:
		return "--sctp-service";
	default:
		return NULL;
	}
}

const char *ipvs_proto_name(int protocol)
{
	switch (protocol) {
	case IPVS_PROTO_TCP:
		return "TCP";
	case IPVS_PROTO_UDP:
		return "UDP";
	case IPVS_PROTO_SCTP:
		return "SCTP";
	default:
		return "?";
	}
}

char *ipvs_service_key_fmt(const struct ipvs_service_key *k, char *buf,
			   size_t len)
{
	char ap[IPVS_ADDRPORT_STRLEN];
	const char *opt = ipvs_proto_opt(k->protocol);

	if (k->fwmark)
		snprintf(buf, len, "-f %u%s", k->fwmark,
			 k->af == AF_INET6 ? " -6" : "");
	else
		snprintf(buf, len, "%s %s", opt ? opt : "-?",
			 ipvs_addrport_fmt(k->af, &k->addr, k->port, ap,
					   sizeof(ap)));
	return buf;
}

/* A bounded appender: keeps formatting code free of offset arithmetic. */
struct fmtbuf {
	char *buf;
	size_t len, off;
};

static void fmt_add(struct fmtbuf *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (f->off >= f->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(f->buf + f->off, f->len - f->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		f->off += (size_t)n;
}

/* ipvsadm names the scheduler flags after the schedulers that use them. */
static void fmt_sched_flags(struct fmtbuf *f, const struct ipvs_service *s)
{
	static const char *const generic[] = { "flag-1", "flag-2", "flag-3" };
	static const char *const sh[] = { "sh-fallback", "sh-port", "flag-3" };
	static const char *const mh[] = { "mh-fallback", "mh-port", "flag-3" };
	const char *const *names = generic;
	const char *sep = " -b ";
	int i;

	if (strcmp(s->sched, "sh") == 0)
		names = sh;
	else if (strcmp(s->sched, "mh") == 0)
		names = mh;
	for (i = 0; i < 3; i++) {
		if (s->flags & (IPVS_SVC_F_SCHED1 << i)) {
			fmt_add(f, "%s%s", sep, names[i]);
			sep = ",";
		}
	}
}

static void fmt_netmask(struct fmtbuf *f, const struct ipvs_service *s)
{
	struct in_addr m;
	char buf[INET_ADDRSTRLEN];

	if (s->key.af == AF_INET6) {
		if (s->netmask != 128)
			fmt_add(f, " -M %u", s->netmask);
	} else if (s->netmask != 0xffffffff) {
		m.s_addr = htonl(s->netmask);
		fmt_add(f, " -M %s", inet_ntop(AF_INET, &m, buf, sizeof(buf)));
	}
}

char *ipvs_service_fmt(const struct ipvs_service *s, char *buf, size_t len)
{
	struct fmtbuf f = { buf, len, 0 };
	char key[IPVS_FMT_MAX];

	buf[0] = '\0';
	fmt_add(&f, "-A %s -s %s",
		ipvs_service_key_fmt(&s->key, key, sizeof(key)), s->sched);
	if (s->flags & IPVS_SVC_F_PERSISTENT) {
		fmt_add(&f, " -p %u", s->timeout);
		fmt_netmask(&f, s);
	}
	if (s->pe_name[0])
		fmt_add(&f, " --pe %s", s->pe_name);
	if (s->flags & IPVS_SVC_F_ONEPACKET)
		fmt_add(&f, " -o");
	fmt_sched_flags(&f, s);   /* ipvsadm prints -b last */
	return buf;
}

static void fmt_tunnel(struct fmtbuf *f, const struct ipvs_dest *d)
{
	static const char *const types[] = { "ipip", "gue", "gre" };

	fmt_add(f, " --tun-type %s", d->tun_type <= IPVS_TUN_GRE ?
					     types[d->tun_type] : "?");
	if (d->tun_type == IPVS_TUN_IPIP)
		return;
	if (d->tun_type == IPVS_TUN_GUE)
		fmt_add(f, " --tun-port %u", d->tun_port);
	if (d->tun_flags & IPVS_TUN_F_REMCSUM)
		fmt_add(f, " --tun-remcsum");
	else if (d->tun_flags & IPVS_TUN_F_CSUM)
		fmt_add(f, " --tun-csum");
	else
		fmt_add(f, " --tun-nocsum");
}

char *ipvs_dest_fmt(const struct ipvs_service *s, const struct ipvs_dest *d,
		    char *buf, size_t len)
{
	char key[IPVS_FMT_MAX];

	return ipvs_dest_fmt_key(ipvs_service_key_fmt(&s->key, key, sizeof(key)),
				 d, buf, len);
}

char *ipvs_dest_fmt_key(const char *key, const struct ipvs_dest *d, char *buf,
			size_t len)
{
	/* ipvsadm has no switch for local delivery (-l is --list): it says -g. */
	static const char *const fwd[] = { "-m", "-g", "-i", "-g" };
	struct fmtbuf f = { buf, len, 0 };
	char ap[IPVS_ADDRPORT_STRLEN];

	buf[0] = '\0';
	fmt_add(&f, "-a %s -r %s %s -w %d", key,
		ipvs_addrport_fmt(d->af, &d->addr, d->port, ap, sizeof(ap)),
		d->fwd <= IPVS_FWD_DROUTE ? fwd[d->fwd] : "-?", d->weight);
	if (d->fwd == IPVS_FWD_TUNNEL)
		fmt_tunnel(&f, d);
	return buf;
}
