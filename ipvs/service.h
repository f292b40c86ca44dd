/*
 * ipvs/service.h - the model: IPVS virtual services and real servers.
 *
 * These are the kernel's objects as a user configures them (what
 * `ipvsadm -A` and `-a` take), plus the counters the kernel reports.  The
 * configuration and the counters are kept in separate structs so that
 * comparing what we want with what the kernel has never looks at traffic.
 *
 * Pure C: nothing here talks to the kernel.
 */
#ifndef IPVS_SERVICE_H
#define IPVS_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* Longest scheduler or persistence-engine name; the kernel's buffers are 16. */
#define IPVS_NAME_MAX 15

/* Room for the longest line ipvs_service_fmt() or ipvs_dest_fmt() writes. */
#define IPVS_FMT_MAX 256

/* Persistence timeout ipvsadm uses for a bare -p. */
#define IPVS_PERSIST_DEFAULT 360

enum ipvs_proto {
	IPVS_PROTO_TCP = 6,
	IPVS_PROTO_UDP = 17,
	IPVS_PROTO_SCTP = 132,
};

/* Service flags, the kernel's IP_VS_SVC_F_* values. */
enum ipvs_svc_flag {
	IPVS_SVC_F_PERSISTENT = 0x0001,
	IPVS_SVC_F_HASHED = 0x0002,   /* kernel-internal, ignored on input */
	IPVS_SVC_F_ONEPACKET = 0x0004,
	IPVS_SVC_F_SCHED1 = 0x0008,
	IPVS_SVC_F_SCHED2 = 0x0010,
	IPVS_SVC_F_SCHED3 = 0x0020,
};

/* Flags a user may set; the rest the kernel owns. */
#define IPVS_SVC_F_USER                                                      \
	(IPVS_SVC_F_PERSISTENT | IPVS_SVC_F_ONEPACKET | IPVS_SVC_F_SCHED1 |  \
	 IPVS_SVC_F_SCHED2 | IPVS_SVC_F_SCHED3)

/* Forwarding methods, the kernel's IP_VS_CONN_F_* values. */
enum ipvs_fwd {
	IPVS_FWD_MASQ = 0,
	IPVS_FWD_LOCAL = 1,
	IPVS_FWD_TUNNEL = 2,
	IPVS_FWD_DROUTE = 3,
};

enum ipvs_tun_type {
	IPVS_TUN_IPIP = 0,
	IPVS_TUN_GUE = 1,
	IPVS_TUN_GRE = 2,
};

/* Tunnel flags, the kernel's IP_VS_TUNNEL_ENCAP_FLAG_* values. */
enum ipvs_tun_flag {
	IPVS_TUN_F_NOCSUM = 0,
	IPVS_TUN_F_CSUM = 1 << 0,
	IPVS_TUN_F_REMCSUM = 1 << 1,
};

/*
 * What identifies a virtual service: either (af, protocol, addr, port) or
 * (af, fwmark).  A fwmark service has protocol, addr and port zero.
 */
struct ipvs_service_key {
	uint16_t af;            /* AF_INET or AF_INET6 */
	uint16_t protocol;      /* enum ipvs_proto, 0 for a fwmark service */
	uint32_t fwmark;        /* firewall mark, 0 for an address service */
	union ipvs_addr addr;   /* virtual address */
	uint16_t port;          /* virtual port, host byte order */
};

/* A virtual service as configured. */
struct ipvs_service {
	struct ipvs_service_key key;
	char sched[IPVS_NAME_MAX + 1];   /* scheduler name, e.g. "rr" */
	uint32_t flags;                  /* enum ipvs_svc_flag, user bits only */
	uint32_t timeout;                /* persistence timeout, seconds */
	uint32_t netmask;                /* persistence granularity: v4 mask
					    (host order) or v6 prefix length */
	char pe_name[IPVS_NAME_MAX + 1]; /* persistence engine, "" for none */
};

/* A real server (the kernel says destination) as configured. */
struct ipvs_dest {
	uint16_t af;             /* its own family: may differ (tunnels) */
	union ipvs_addr addr;    /* real server address */
	uint16_t port;           /* real server port, host byte order */
	uint32_t fwd;            /* enum ipvs_fwd */
	int32_t weight;          /* 0 quiesces: no new connections */
	uint32_t u_thresh;       /* upper connection threshold, 0 = none */
	uint32_t l_thresh;       /* lower connection threshold */
	uint8_t tun_type;        /* enum ipvs_tun_type, tunnel only */
	uint16_t tun_port;       /* GUE destination port, host order */
	uint16_t tun_flags;      /* enum ipvs_tun_flag */
};

/* Traffic counters, 64-bit as the kernel's STATS64 attribute has them. */
struct ipvs_stats {
	uint64_t conns;     /* connections scheduled */
	uint64_t inpkts;    /* packets in */
	uint64_t outpkts;   /* packets out */
	uint64_t inbytes;   /* bytes in */
	uint64_t outbytes;  /* bytes out */
	uint64_t cps;       /* rates, per second, as estimated by the kernel */
	uint64_t inpps;
	uint64_t outpps;
	uint64_t inbps;
	uint64_t outbps;
};

/* What the kernel knows of a real server besides its configuration. */
struct ipvs_dest_state {
	uint32_t activeconns;    /* established connections */
	uint32_t inactconns;     /* other connections */
	uint32_t persistconns;   /* persistence templates */
	struct ipvs_stats stats;
};

/* Build a service key; port in host order. */
void ipvs_service_key_init(struct ipvs_service_key *k, int af, int protocol,
			   const union ipvs_addr *addr, uint16_t port);
void ipvs_service_key_init_fwmark(struct ipvs_service_key *k, int af,
				  uint32_t fwmark);

/* Total orders, so tables can be sorted and searched. */
int ipvs_service_key_cmp(const struct ipvs_service_key *a,
			 const struct ipvs_service_key *b);
int ipvs_dest_key_cmp(const struct ipvs_dest *a, const struct ipvs_dest *b);

/* Hashes consistent with the comparisons above. */
uint64_t ipvs_service_key_hash(const struct ipvs_service_key *k);
uint64_t ipvs_dest_key_hash(const struct ipvs_dest *d);

/* True when every configured field is equal (keys included). */
int ipvs_service_conf_equal(const struct ipvs_service *a,
			    const struct ipvs_service *b);
int ipvs_dest_conf_equal(const struct ipvs_dest *a, const struct ipvs_dest *b);

/* Fill in ipvsadm's defaults: scheduler "wlc", full netmask, weight 1. */
void ipvs_service_init(struct ipvs_service *s);
void ipvs_dest_init(struct ipvs_dest *d);

/*
 * Check an object before it goes to the kernel.  Returns 0, or -EINVAL and
 * writes the reason into @why (may be NULL).
 */
int ipvs_service_check(const struct ipvs_service *s, char *why, size_t len);
/* The key alone, enough for a delete; port 0 is fine when @persistent. */
int ipvs_service_key_check(const struct ipvs_service_key *k, int persistent,
			   char *why, size_t len);
int ipvs_dest_check(const struct ipvs_service *s, const struct ipvs_dest *d,
		    char *why, size_t len);

/* Protocol names in ipvsadm's notation: "-t", "-u", "--sctp-service". */
const char *ipvs_proto_opt(int protocol);
const char *ipvs_proto_name(int protocol);   /* "TCP", "UDP", "SCTP" */

/*
 * Format the service's key the way ipvsadm names it on a command line:
 * "-t 10.0.0.1:80", "-f 7 -6".  Returns @buf.
 */
char *ipvs_service_key_fmt(const struct ipvs_service_key *k, char *buf,
			   size_t len);

/* One line of `ipvsadm -Sn`: "-A -t 10.0.0.1:80 -s rr -p 360". */
char *ipvs_service_fmt(const struct ipvs_service *s, char *buf, size_t len);

/* One line of `ipvsadm -Sn`: "-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 1". */
char *ipvs_dest_fmt(const struct ipvs_service *s, const struct ipvs_dest *d,
		    char *buf, size_t len);
/* The same with the service's key already formatted (ipvs_service_key_fmt):
 * a dump of 100,000 real servers formats each key once, not ten times. */
char *ipvs_dest_fmt_key(const char *key, const struct ipvs_dest *d, char *buf,
			size_t len);

#endif
