/*
 * test/unit/fixture.c - hand-built objects and ipvsadm's own output.
 */
#include "fixture.h"

#include <check.h>
#include <string.h>
#include <sys/socket.h>

union ipvs_addr fx_addr(const char *s, int *af)
{
	union ipvs_addr a;
	int fam = 0;

	ck_assert_msg(ipvs_addr_parse(s, &fam, &a) == 0,
		      "fixture: bad address literal '%s'", s);
	if (af)
		*af = fam;
	return a;
}

void fx_svc(struct ipvs_service *s, int protocol, const char *addr,
	    uint16_t port, const char *sched)
{
	union ipvs_addr a;
	int af;

	a = fx_addr(addr, &af);
	ipvs_service_init(s);
	ipvs_service_key_init(&s->key, af, protocol, &a, port);
	strcpy(s->sched, sched);
	if (af == AF_INET6)
		s->netmask = 128;
}

void fx_svc_fwmark(struct ipvs_service *s, int af, uint32_t mark,
		   const char *sched)
{
	ipvs_service_init(s);
	ipvs_service_key_init_fwmark(&s->key, af, mark);
	strcpy(s->sched, sched);
	if (af == AF_INET6)
		s->netmask = 128;
}

void fx_persist(struct ipvs_service *s, uint32_t timeout)
{
	s->flags |= IPVS_SVC_F_PERSISTENT;
	s->timeout = timeout;
}

void fx_dest(struct ipvs_dest *d, const char *addr, uint16_t port,
	     uint32_t fwd, int32_t weight)
{
	int af;

	ipvs_dest_init(d);
	d->addr = fx_addr(addr, &af);
	d->af = (uint16_t)af;
	d->port = port;
	d->fwd = fwd;
	d->weight = weight;
}

void fx_tunnel(struct ipvs_dest *d, uint8_t type, uint16_t port,
	       uint16_t flags)
{
	d->tun_type = type;
	d->tun_port = port;
	d->tun_flags = flags;
}

void fx_op(struct ipvs_op *op, enum ipvs_op_kind kind,
	   const struct ipvs_service *s, const struct ipvs_dest *d)
{
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->svc = *s;
	if (d)
		op->dest = *d;
	else
		ipvs_dest_init(&op->dest);
}

uint64_t fx_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint32_t fx_below(uint64_t *state, uint32_t n)
{
	return (uint32_t)(fx_rand(state) % n);
}

/* --- the services and real servers of the observed lines --------------- */

static void svc_web(struct ipvs_service *s)
{
	fx_svc(s, IPVS_PROTO_TCP, "10.0.0.1", 80, "wrr");
}

static void svc_v6(struct ipvs_service *s)
{
	fx_svc(s, IPVS_PROTO_TCP, "fd00::10", 443, "rr");
	fx_persist(s, 100);
	s->netmask = 64;
}

static void svc_mark43(struct ipvs_service *s)
{
	fx_svc_fwmark(s, AF_INET6, 43, "lc");
	fx_persist(s, 360);
}

static void svc_port0(struct ipvs_service *s)
{
	fx_svc(s, IPVS_PROTO_TCP, "10.0.0.5", 0, "rr");
	fx_persist(s, 360);
}

/* A real server of @svc: fills op->svc, then op->dest from fx_dest. */
static void dest_op(struct ipvs_op *op, void (*svc)(struct ipvs_service *),
		    const char *addr, uint16_t port, uint32_t fwd,
		    int32_t weight)
{
	struct ipvs_service s;
	struct ipvs_dest d;

	svc(&s);
	fx_dest(&d, addr, port, fwd, weight);
	fx_op(op, IPVS_OP_ADD_DEST, &s, &d);
}

static void t_web(struct ipvs_op *op)
{
	struct ipvs_service s;

	svc_web(&s);
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_web_masq(struct ipvs_op *op)
{
	dest_op(op, svc_web, "10.1.1.1", 8080, IPVS_FWD_MASQ, 3);
}

static void t_web_gue_nocsum(struct ipvs_op *op)
{
	dest_op(op, svc_web, "10.1.1.2", 80, IPVS_FWD_TUNNEL, 1);
	fx_tunnel(&op->dest, IPVS_TUN_GUE, 6080, IPVS_TUN_F_NOCSUM);
}

static void t_web_droute_quiesced(struct ipvs_op *op)
{
	dest_op(op, svc_web, "10.1.1.3", 80, IPVS_FWD_DROUTE, 0);
}

static void t_web_gre_csum(struct ipvs_op *op)
{
	dest_op(op, svc_web, "10.1.1.4", 80, IPVS_FWD_TUNNEL, 1);
	fx_tunnel(&op->dest, IPVS_TUN_GRE, 0, IPVS_TUN_F_CSUM);
}

static void t_web_gue_remcsum(struct ipvs_op *op)
{
	dest_op(op, svc_web, "10.1.1.5", 80, IPVS_FWD_TUNNEL, 1);
	fx_tunnel(&op->dest, IPVS_TUN_GUE, 1, IPVS_TUN_F_REMCSUM);
}

static void t_web_ipip(struct ipvs_op *op)
{
	dest_op(op, svc_web, "10.1.1.6", 80, IPVS_FWD_TUNNEL, 1);
}

static void t_udp_sh_flags(struct ipvs_op *op)
{
	struct ipvs_service s;

	fx_svc(&s, IPVS_PROTO_UDP, "10.0.0.2", 53, "sh");
	fx_persist(&s, 60);
	s.netmask = 0xffffff00;
	s.flags |= IPVS_SVC_F_SCHED1 | IPVS_SVC_F_SCHED2;
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_sctp_mh(struct ipvs_op *op)
{
	struct ipvs_service s;

	fx_svc(&s, IPVS_PROTO_SCTP, "10.0.0.4", 9, "mh");
	s.flags |= IPVS_SVC_F_SCHED2;
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_mark42(struct ipvs_op *op)
{
	struct ipvs_service s;

	fx_svc_fwmark(&s, AF_INET, 42, "lc");
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_mark43(struct ipvs_op *op)
{
	struct ipvs_service s;

	svc_mark43(&s);
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_mark43_masq(struct ipvs_op *op)
{
	dest_op(op, svc_mark43, "fd00::5", 0, IPVS_FWD_MASQ, 1);
}

static void t_persist_default(struct ipvs_op *op)
{
	struct ipvs_service s;

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.7", 80, "rr");
	fx_persist(&s, 360);
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_udp_sip_ops(struct ipvs_op *op)
{
	struct ipvs_service s;

	fx_svc(&s, IPVS_PROTO_UDP, "10.0.0.3", 5060, "rr");
	fx_persist(&s, 30);
	strcpy(s.pe_name, "sip");
	s.flags |= IPVS_SVC_F_ONEPACKET;
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_v6(struct ipvs_op *op)
{
	struct ipvs_service s;

	svc_v6(&s);
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_v6_masq(struct ipvs_op *op)
{
	dest_op(op, svc_v6, "fd00::2", 8443, IPVS_FWD_MASQ, 2);
}

static void t_v6_ipip_v4(struct ipvs_op *op)
{
	dest_op(op, svc_v6, "10.1.1.9", 443, IPVS_FWD_TUNNEL, 1);
}

static void t_sh_all_last(struct ipvs_op *op)
{
	struct ipvs_service s;

	fx_svc(&s, IPVS_PROTO_UDP, "10.0.0.9", 53, "sh");
	fx_persist(&s, 60);
	strcpy(s.pe_name, "sip");
	s.flags |= IPVS_SVC_F_ONEPACKET | IPVS_SVC_F_SCHED2;
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_generic_flags(struct ipvs_op *op)
{
	struct ipvs_service s;

	fx_svc(&s, IPVS_PROTO_TCP, "10.0.0.8", 80, "rr");
	s.flags |= IPVS_SVC_F_SCHED1 | IPVS_SVC_F_SCHED3;
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_mark7_ops(struct ipvs_op *op)
{
	struct ipvs_service s;

	fx_svc_fwmark(&s, AF_INET, 7, "rr");
	s.flags |= IPVS_SVC_F_ONEPACKET;
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_port0(struct ipvs_op *op)
{
	struct ipvs_service s;

	svc_port0(&s);
	fx_op(op, IPVS_OP_ADD_SERVICE, &s, NULL);
}

static void t_port0_masq(struct ipvs_op *op)
{
	dest_op(op, svc_port0, "10.1.1.1", 0, IPVS_FWD_MASQ, 1);
}

/*
 * The first 17 came with the brief; the last 5 were printed by the same
 * ipvsadm 1.31 on the same 6.1 kernel under test/uml/uml-run (they pin -b
 * after --pe and -o, -o on a fwmark service, and a port-0 service).
 */
const struct fx_truth fx_truths[] = {
	{ "-A -t 10.0.0.1:80 -s wrr", t_web },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.1:8080 -m -w 3", t_web_masq },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.2:80 -i -w 1 --tun-type gue "
	  "--tun-port 6080 --tun-nocsum", t_web_gue_nocsum },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.3:80 -g -w 0", t_web_droute_quiesced },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.4:80 -i -w 1 --tun-type gre --tun-csum",
	  t_web_gre_csum },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.5:80 -i -w 1 --tun-type gue "
	  "--tun-port 1 --tun-remcsum", t_web_gue_remcsum },
	{ "-a -t 10.0.0.1:80 -r 10.1.1.6:80 -i -w 1 --tun-type ipip",
	  t_web_ipip },
	{ "-A -u 10.0.0.2:53 -s sh -p 60 -M 255.255.255.0 "
	  "-b sh-fallback,sh-port", t_udp_sh_flags },
	{ "-A --sctp-service 10.0.0.4:9 -s mh -b mh-port", t_sctp_mh },
	{ "-A -f 42 -s lc", t_mark42 },
	{ "-A -f 43 -6 -s lc -p 360", t_mark43 },
	{ "-a -f 43 -6 -r [fd00::5]:0 -m -w 1", t_mark43_masq },
	{ "-A -t 10.0.0.7:80 -s rr -p 360", t_persist_default },
	{ "-A -u 10.0.0.3:5060 -s rr -p 30 --pe sip -o", t_udp_sip_ops },
	{ "-A -t [fd00::10]:443 -s rr -p 100 -M 64", t_v6 },
	{ "-a -t [fd00::10]:443 -r [fd00::2]:8443 -m -w 2", t_v6_masq },
	{ "-a -t [fd00::10]:443 -r 10.1.1.9:443 -i -w 1 --tun-type ipip",
	  t_v6_ipip_v4 },
	{ "-A -u 10.0.0.9:53 -s sh -p 60 --pe sip -o -b sh-port",
	  t_sh_all_last },
	{ "-A -t 10.0.0.8:80 -s rr -b flag-1,flag-3", t_generic_flags },
	{ "-A -f 7 -s rr -o", t_mark7_ops },
	{ "-A -t 10.0.0.5:0 -s rr -p 360", t_port0 },
	{ "-a -t 10.0.0.5:0 -r 10.1.1.1:0 -m -w 1", t_port0_masq },
};

const size_t fx_ntruths = sizeof(fx_truths) / sizeof(fx_truths[0]);
