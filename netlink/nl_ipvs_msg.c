/*
 * netlink/nl_ipvs_msg.c - the attributes of IPVS requests and replies.
 *
 * The kernel insists on a few things (DESIGN.md): NEW/SET_SERVICE carry
 * scheduler, flags, timeout and netmask every time; NEW/SET_DEST carry
 * forwarding method, weight and both thresholds; ports are big-endian;
 * addresses are always 16 bytes (union nf_inet_addr).
 */
#include "nl_ipvs_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <string.h>
#include <sys/socket.h>


struct nl_msg *nl_ipvs_msg_new(int family, int cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				flags, (uint8_t)cmd, IPVS_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int put_be16(struct nl_msg *msg, int type, uint16_t host)
{
	uint16_t be = htons(host);

	return nla_put(msg, type, sizeof(be), &be);
}

/* IPv4 masks travel in network order, IPv6 prefix lengths as they are. */
static uint32_t netmask_to_kernel(const struct ipvs_service *s)
{
	return s->key.af == AF_INET ? htonl(s->netmask) : s->netmask;
}

static int put_service_conf(struct nl_msg *msg, const struct ipvs_service *s)
{
	struct ip_vs_flags flags = {
		.flags = s->flags & IPVS_SVC_F_USER,
		.mask = ~0U,
	};

	if (nla_put_string(msg, IPVS_SVC_ATTR_SCHED_NAME, s->sched) ||
	    nla_put(msg, IPVS_SVC_ATTR_FLAGS, sizeof(flags), &flags) ||
	    nla_put_u32(msg, IPVS_SVC_ATTR_TIMEOUT, s->timeout) ||
	    nla_put_u32(msg, IPVS_SVC_ATTR_NETMASK, netmask_to_kernel(s)))
		return -ENOMEM;
	/* Omitting the engine on SET clears it, which is what we want. */
	if (s->pe_name[0] &&
	    nla_put_string(msg, IPVS_SVC_ATTR_PE_NAME, s->pe_name))
		return -ENOMEM;
	return 0;
}

int nl_ipvs_msg_put_service(struct nl_msg *msg, const struct ipvs_service *s,
			    int full)
{
	const struct ipvs_service_key *k = &s->key;
	struct nlattr *nest = nla_nest_start(msg, IPVS_CMD_ATTR_SERVICE);
	int r = 0;

	if (!nest)
		return -ENOMEM;
	if (nla_put_u16(msg, IPVS_SVC_ATTR_AF, k->af))
		return -ENOMEM;
	if (k->fwmark) {
		r = nla_put_u32(msg, IPVS_SVC_ATTR_FWMARK, k->fwmark);
	} else {
		r = nla_put_u16(msg, IPVS_SVC_ATTR_PROTOCOL, k->protocol) ||
		    nla_put(msg, IPVS_SVC_ATTR_ADDR, sizeof(k->addr), &k->addr) ||
		    put_be16(msg, IPVS_SVC_ATTR_PORT, k->port);
	}
	if (r || (full && put_service_conf(msg, s)))
		return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_dest(struct nl_msg *msg, const struct ipvs_dest *d, int full)
{
	struct nlattr *nest = nla_nest_start(msg, IPVS_CMD_ATTR_DEST);

	if (!nest || nla_put(msg, IPVS_DEST_ATTR_ADDR, sizeof(d->addr), &d->addr) ||
	    put_be16(msg, IPVS_DEST_ATTR_PORT, d->port) ||
	    nla_put_u16(msg, IPVS_DEST_ATTR_ADDR_FAMILY, d->af))
		return -ENOMEM;
	if (full &&
	    (nla_put_u32(msg, IPVS_DEST_ATTR_FWD_METHOD, d->fwd) ||
	     nla_put_u32(msg, IPVS_DEST_ATTR_WEIGHT, (uint32_t)d->weight) ||
	     nla_put_u32(msg, IPVS_DEST_ATTR_U_THRESH, d->u_thresh) ||
	     nla_put_u32(msg, IPVS_DEST_ATTR_L_THRESH, d->l_thresh)))
		return -ENOMEM;
	/* Tunnel attributes only where they mean something: kernels before
	 * 5.3 do not know them. */
	if (full && d->fwd == IPVS_FWD_TUNNEL &&
	    (nla_put_u8(msg, IPVS_DEST_ATTR_TUN_TYPE, d->tun_type) ||
	     put_be16(msg, IPVS_DEST_ATTR_TUN_PORT, d->tun_port) ||
	     nla_put_u16(msg, IPVS_DEST_ATTR_TUN_FLAGS, d->tun_flags)))
		return -ENOMEM;
	nla_nest_end(msg, nest);
	return 0;
}

static const int op_cmd[] = {
	[IPVS_OP_ADD_SERVICE] = IPVS_CMD_NEW_SERVICE,
	[IPVS_OP_EDIT_SERVICE] = IPVS_CMD_SET_SERVICE,
	[IPVS_OP_DEL_SERVICE] = IPVS_CMD_DEL_SERVICE,
	[IPVS_OP_ADD_DEST] = IPVS_CMD_NEW_DEST,
	[IPVS_OP_EDIT_DEST] = IPVS_CMD_SET_DEST,
	[IPVS_OP_DEL_DEST] = IPVS_CMD_DEL_DEST,
};

struct nl_msg *nl_ipvs_msg_op(int family, const struct ipvs_op *op)
{
	int full_svc = op->kind == IPVS_OP_ADD_SERVICE ||
		       op->kind == IPVS_OP_EDIT_SERVICE;
	int full_dest = op->kind == IPVS_OP_ADD_DEST ||
			op->kind == IPVS_OP_EDIT_DEST;
	struct nl_msg *msg;

	msg = nl_ipvs_msg_new(family, op_cmd[op->kind], NLM_F_ACK);
	if (!msg)
		return NULL;
	if (nl_ipvs_msg_put_service(msg, &op->svc, full_svc) ||
	    (ipvs_op_is_dest(op->kind) && put_dest(msg, &op->dest, full_dest))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* --- replies -------------------------------------------------------------- */

static struct nla_policy cmd_policy[IPVS_CMD_ATTR_MAX + 1] = {
	[IPVS_CMD_ATTR_SERVICE] = { .type = NLA_NESTED },
	[IPVS_CMD_ATTR_DEST] = { .type = NLA_NESTED },
};

static struct nla_policy svc_policy[IPVS_SVC_ATTR_MAX + 1] = {
	[IPVS_SVC_ATTR_AF] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_PROTOCOL] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_ADDR] = { .type = NLA_UNSPEC, .minlen = 4 },
	[IPVS_SVC_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_SVC_ATTR_FWMARK] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_SCHED_NAME] = { .type = NLA_STRING },
	[IPVS_SVC_ATTR_FLAGS] = { .type = NLA_UNSPEC,
				  .minlen = sizeof(struct ip_vs_flags) },
	[IPVS_SVC_ATTR_TIMEOUT] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_NETMASK] = { .type = NLA_U32 },
	[IPVS_SVC_ATTR_STATS] = { .type = NLA_NESTED },
	[IPVS_SVC_ATTR_PE_NAME] = { .type = NLA_STRING },
	[IPVS_SVC_ATTR_STATS64] = { .type = NLA_NESTED },
};

static struct nla_policy dest_policy[IPVS_DEST_ATTR_MAX + 1] = {
	[IPVS_DEST_ATTR_ADDR] = { .type = NLA_UNSPEC, .minlen = 4 },
	[IPVS_DEST_ATTR_PORT] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_FWD_METHOD] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_WEIGHT] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_U_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_L_THRESH] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_ACTIVE_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_INACT_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_PERSIST_CONNS] = { .type = NLA_U32 },
	[IPVS_DEST_ATTR_STATS] = { .type = NLA_NESTED },
	[IPVS_DEST_ATTR_ADDR_FAMILY] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_STATS64] = { .type = NLA_NESTED },
	[IPVS_DEST_ATTR_TUN_TYPE] = { .type = NLA_U8 },
	[IPVS_DEST_ATTR_TUN_PORT] = { .type = NLA_U16 },
	[IPVS_DEST_ATTR_TUN_FLAGS] = { .type = NLA_U16 },
};

/* Read a counter that is u64 in STATS64 and u32 in the old STATS. */
static uint64_t stat_get(struct nlattr *a, int is64)
{
	if (!a)
		return 0;
	if (is64 && nla_len(a) >= 8)
		return nla_get_u64(a);
	return nla_len(a) >= 4 ? nla_get_u32(a) : 0;
}

static void parse_stats(struct nlattr *s64, struct nlattr *s32,
			struct ipvs_stats *st)
{
	struct nlattr *tb[IPVS_STATS_ATTR_MAX + 1];
	struct nlattr *src = s64 ? s64 : s32;
	int is64 = s64 != NULL;

	memset(st, 0, sizeof(*st));
	if (!src || nla_parse_nested(tb, IPVS_STATS_ATTR_MAX, src, NULL))
		return;
	st->conns = stat_get(tb[IPVS_STATS_ATTR_CONNS], is64);
	st->inpkts = stat_get(tb[IPVS_STATS_ATTR_INPKTS], is64);
	st->outpkts = stat_get(tb[IPVS_STATS_ATTR_OUTPKTS], is64);
	st->inbytes = stat_get(tb[IPVS_STATS_ATTR_INBYTES], 1);
	st->outbytes = stat_get(tb[IPVS_STATS_ATTR_OUTBYTES], 1);
	st->cps = stat_get(tb[IPVS_STATS_ATTR_CPS], is64);
	st->inpps = stat_get(tb[IPVS_STATS_ATTR_INPPS], is64);
	st->outpps = stat_get(tb[IPVS_STATS_ATTR_OUTPPS], is64);
	st->inbps = stat_get(tb[IPVS_STATS_ATTR_INBPS], is64);
	st->outbps = stat_get(tb[IPVS_STATS_ATTR_OUTBPS], is64);
}

static int get_addr(struct nlattr *a, int af, union ipvs_addr *out)
{
	size_t len = ipvs_addr_len(af);

	memset(out, 0, sizeof(*out));
	if (!a || !len || (size_t)nla_len(a) < len)
		return -EINVAL;
	memcpy(out->raw, nla_data(a), len);
	return 0;
}

static void get_name(struct nlattr *a, char *dst)
{
	dst[0] = '\0';
	if (a)
		nla_strlcpy(dst, a, IPVS_NAME_MAX + 1);
}

static int parse_svc_key(struct nlattr **tb, struct ipvs_service_key *k)
{
	union ipvs_addr addr;
	int af;

	if (!tb[IPVS_SVC_ATTR_AF])
		return -EINVAL;
	af = nla_get_u16(tb[IPVS_SVC_ATTR_AF]);
	if (tb[IPVS_SVC_ATTR_FWMARK] && nla_get_u32(tb[IPVS_SVC_ATTR_FWMARK])) {
		ipvs_service_key_init_fwmark(k, af,
					     nla_get_u32(tb[IPVS_SVC_ATTR_FWMARK]));
		return ipvs_addr_len(af) ? 0 : -EINVAL;
	}
	if (!tb[IPVS_SVC_ATTR_PROTOCOL] || !tb[IPVS_SVC_ATTR_PORT] ||
	    get_addr(tb[IPVS_SVC_ATTR_ADDR], af, &addr))
		return -EINVAL;
	ipvs_service_key_init(k, af, nla_get_u16(tb[IPVS_SVC_ATTR_PROTOCOL]),
			      &addr, ntohs(nla_get_u16(tb[IPVS_SVC_ATTR_PORT])));
	return 0;
}

int nl_ipvs_msg_parse_service(struct nlmsghdr *h, struct ipvs_service *s,
			      struct ipvs_stats *stats)
{
	struct nlattr *cmd[IPVS_CMD_ATTR_MAX + 1], *tb[IPVS_SVC_ATTR_MAX + 1];
	struct ip_vs_flags flags;

	if (genlmsg_parse(h, 0, cmd, IPVS_CMD_ATTR_MAX, cmd_policy) ||
	    !cmd[IPVS_CMD_ATTR_SERVICE] ||
	    nla_parse_nested(tb, IPVS_SVC_ATTR_MAX, cmd[IPVS_CMD_ATTR_SERVICE],
			     svc_policy))
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	if (parse_svc_key(tb, &s->key))
		return -EINVAL;
	get_name(tb[IPVS_SVC_ATTR_SCHED_NAME], s->sched);
	get_name(tb[IPVS_SVC_ATTR_PE_NAME], s->pe_name);
	if (tb[IPVS_SVC_ATTR_FLAGS]) {
		memcpy(&flags, nla_data(tb[IPVS_SVC_ATTR_FLAGS]), sizeof(flags));
		s->flags = flags.flags & IPVS_SVC_F_USER;
	}
	if (tb[IPVS_SVC_ATTR_TIMEOUT])
		s->timeout = nla_get_u32(tb[IPVS_SVC_ATTR_TIMEOUT]);
	if (tb[IPVS_SVC_ATTR_NETMASK]) {
		s->netmask = nla_get_u32(tb[IPVS_SVC_ATTR_NETMASK]);
		if (s->key.af == AF_INET)
			s->netmask = ntohl(s->netmask);
	}
	if (stats)
		parse_stats(tb[IPVS_SVC_ATTR_STATS64], tb[IPVS_SVC_ATTR_STATS],
			    stats);
	return 0;
}

static uint32_t get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

int nl_ipvs_msg_parse_dest(struct nlmsghdr *h, int svc_af,
			   struct ipvs_dest *d, struct ipvs_dest_state *st)
{
	struct nlattr *cmd[IPVS_CMD_ATTR_MAX + 1], *tb[IPVS_DEST_ATTR_MAX + 1];
	int af = svc_af;

	if (genlmsg_parse(h, 0, cmd, IPVS_CMD_ATTR_MAX, cmd_policy) ||
	    !cmd[IPVS_CMD_ATTR_DEST] ||
	    nla_parse_nested(tb, IPVS_DEST_ATTR_MAX, cmd[IPVS_CMD_ATTR_DEST],
			     dest_policy))
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	if (tb[IPVS_DEST_ATTR_ADDR_FAMILY])
		af = nla_get_u16(tb[IPVS_DEST_ATTR_ADDR_FAMILY]);
	if (get_addr(tb[IPVS_DEST_ATTR_ADDR], af, &d->addr) ||
	    !tb[IPVS_DEST_ATTR_PORT])
		return -EINVAL;
	d->af = (uint16_t)af;
	d->port = ntohs(nla_get_u16(tb[IPVS_DEST_ATTR_PORT]));
	d->fwd = get_u32(tb[IPVS_DEST_ATTR_FWD_METHOD]) & IP_VS_CONN_F_FWD_MASK;
	d->weight = (int32_t)get_u32(tb[IPVS_DEST_ATTR_WEIGHT]);
	d->u_thresh = get_u32(tb[IPVS_DEST_ATTR_U_THRESH]);
	d->l_thresh = get_u32(tb[IPVS_DEST_ATTR_L_THRESH]);
	if (d->fwd == IPVS_FWD_TUNNEL) {
		if (tb[IPVS_DEST_ATTR_TUN_TYPE])
			d->tun_type = nla_get_u8(tb[IPVS_DEST_ATTR_TUN_TYPE]);
		if (tb[IPVS_DEST_ATTR_TUN_PORT])
			d->tun_port = ntohs(nla_get_u16(tb[IPVS_DEST_ATTR_TUN_PORT]));
		if (tb[IPVS_DEST_ATTR_TUN_FLAGS])
			d->tun_flags = nla_get_u16(tb[IPVS_DEST_ATTR_TUN_FLAGS]);
	}
	if (st) {
		memset(st, 0, sizeof(*st));
		st->activeconns = get_u32(tb[IPVS_DEST_ATTR_ACTIVE_CONNS]);
		st->inactconns = get_u32(tb[IPVS_DEST_ATTR_INACT_CONNS]);
		st->persistconns = get_u32(tb[IPVS_DEST_ATTR_PERSIST_CONNS]);
		parse_stats(tb[IPVS_DEST_ATTR_STATS64], tb[IPVS_DEST_ATTR_STATS],
			    &st->stats);
	}
	return 0;
}
