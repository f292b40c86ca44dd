/*
 * netlink/nl_link.h - links and addresses: the dummy interface that holds
 * the service addresses (kube-proxy's kube-ipvs0), the addresses bound to
 * it, and the node's own addresses (for NodePorts).  One persistent
 * NETLINK_ROUTE socket (libnl-route-3).
 *
 * What it promises:
 *  - the dummy is made as kube-proxy makes it: type dummy, left DOWN (the
 *    addresses of a down dummy are still local addresses, for IPv4 and
 *    IPv6, and IPVS accepts connections to them: test/kernel/kt_route.c
 *    shows it); one we make carries the alias NL_LINK_ALIAS, so ownership
 *    survives a restart or a crash;
 *  - addresses are bound as kube-proxy binds them: /32 or /128, scope
 *    global (the default), no broadcast; IPv6 ones with IFA_F_NODAD so that
 *    they are usable at once;
 *  - every listing is ONE netlink dump, however many addresses there are;
 *  - many binds and unbinds go out in one sendmsg() with their answers
 *    matched back by sequence number, each with the kernel's raw errno:
 *    binding a present address is EEXIST, unbinding a missing one
 *    EADDRNOTAVAIL, and neither disturbs the others;
 *  - bad arguments are refused with -EINVAL before anything is sent.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure; nl_route_last_error() then says what failed, naming the object
 * ("binding 10.96.0.1/32 to kube-ipvs0: File exists").
 */
#ifndef NETLINK_NL_LINK_H
#define NETLINK_NL_LINK_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "ipvs/addr.h"

/* kube-proxy's name for the dummy interface; ours too, for compatibility. */
#define NL_LINK_DUMMY_NAME "kube-ipvs0"

/* The alias (IFLA_IFALIAS) of a dummy that ipvsagent created. */
#define NL_LINK_ALIAS "ipvsagent"

struct nl_route;

/* --- the socket ------------------------------------------------------------ */

/* Open the socket.  -EPERM and friends come from socket()/bind(). */
int nl_route_open(struct nl_route **out);
void nl_route_close(struct nl_route *nr);

/* Human-readable description of the last failure on this handle. */
const char *nl_route_last_error(const struct nl_route *nr);

/* What the socket did, for metrics and tests. */
struct nl_route_counters {
	uint64_t requests;       /* netlink requests sent */
	uint64_t sendmsgs;       /* send() calls they took */
};

const struct nl_route_counters *nl_route_counters(const struct nl_route *nr);

/* --- links ----------------------------------------------------------------- */

struct nl_link {
	int ifindex;             /* the kernel's index of the link */
	char name[IF_NAMESIZE];  /* its name */
	char kind[16];           /* IFLA_INFO_KIND: "dummy"; "" for none */
	unsigned int flags;      /* IFF_* (IFF_UP: administratively up) */
	int owned;               /* carries NL_LINK_ALIAS: ipvsagent made it */
	int created;             /* nl_link_ensure_dummy() made it just now */
};

/* Look up the link called @name.  -ENODEV if there is none. */
int nl_link_get(struct nl_route *nr, const char *name, struct nl_link *out);

/*
 * Make sure a dummy link called @name exists and describe it in @out.
 * An existing dummy is adopted as it is (up or down, whoever made it); one
 * that is missing is created down, as kube-proxy does, with the alias
 * NL_LINK_ALIAS, and out->created is set.  -EEXIST when @name is a link of
 * another kind: its addresses are not ours to manage.  The kernel takes no
 * alias at creation, so it is set just after: a crash in between leaves
 * an unmarked dummy, adopted on restart but never counted as ours.
 */
int nl_link_ensure_dummy(struct nl_route *nr, const char *name,
			 struct nl_link *out);

/* Delete @link (by index).  -ENODEV if it is already gone.  --cleanup
 * should delete only a link that is ->owned. */
int nl_link_delete(struct nl_route *nr, const struct nl_link *link);

/* --- addresses of one link (the dummy) ------------------------------------- */

struct nl_addr {
	int family;              /* AF_INET or AF_INET6 */
	union ipvs_addr addr;    /* unused bytes zero */
	uint8_t prefixlen;       /* 0 means /32 or /128; not part of the key */
};

/* Addresses sorted by (family, address), without duplicates: a set the
 * caller diffs its desired addresses against. */
struct nl_addr_set {
	struct nl_addr *v;
	size_t n;
	size_t cap;              /* allocated entries of v */
};

void nl_addr_set_init(struct nl_addr_set *s);
void nl_addr_set_fini(struct nl_addr_set *s);

/* True if @s holds (@family, @a).  O(log n). */
int nl_addr_set_has(const struct nl_addr_set *s, int family,
		    const union ipvs_addr *a);

/* Insert (@family, @a) keeping the order; 0, -ENOMEM, or -EINVAL for a
 * family other than AF_INET and AF_INET6.  O(n) per call: to build a set
 * in bulk, append in any order and nl_addr_set_sort() once. */
int nl_addr_set_add(struct nl_addr_set *s, int family, const union ipvs_addr *a);

/* Append without ordering (errors as above); nl_addr_set_sort() before
 * any lookup. */
int nl_addr_set_append(struct nl_addr_set *s, int family,
		       const union ipvs_addr *a);

/* Sort and drop duplicates. */
void nl_addr_set_sort(struct nl_addr_set *s);

/*
 * Every IPv4 and IPv6 address on @link in one dump, replacing the contents
 * of @out.  Each keeps its prefix length, so that an address someone bound
 * as, say, a /24 can be unbound with the op this returns.
 */
int nl_addr_list(struct nl_route *nr, const struct nl_link *link,
		 struct nl_addr_set *out);

enum nl_addr_op_kind {
	NL_ADDR_BIND,            /* add a.addr/a.prefixlen (0: /32, /128) */
	NL_ADDR_UNBIND,          /* remove it (the prefix length must match) */
};

struct nl_addr_op {
	enum nl_addr_op_kind kind;
	struct nl_addr a;
	int err;                 /* out: 0 or a positive errno */
};

/*
 * Apply @n binds and unbinds on @link, in order, many per sendmsg().
 * Every op's err is set: EEXIST for binding a present address,
 * EADDRNOTAVAIL for unbinding a missing one, EINVAL for an op refused
 * locally (the others still go).  Returns the number of failed ops, or
 * -errno when the socket itself failed (then unanswered ops carry EIO).
 */
int nl_addr_apply(struct nl_route *nr, const struct nl_link *link,
		  struct nl_addr_op *ops, size_t n);

/* One op each: 0, or -EEXIST / -EADDRNOTAVAIL / -errno. */
int nl_addr_bind(struct nl_route *nr, const struct nl_link *link, int family,
		 const union ipvs_addr *a);
int nl_addr_unbind(struct nl_route *nr, const struct nl_link *link,
		   int family, const union ipvs_addr *a);

/* --- the node's own addresses ---------------------------------------------- */

/* A subnet, as in --nodeport-addresses. */
struct nl_addr_cidr {
	int family;              /* AF_INET or AF_INET6 */
	union ipvs_addr addr;    /* host bits zero */
	uint8_t prefixlen;
};

/* Parse "10.0.0.0/8" or "fd00::/64" (host bits are cleared); a bare
 * address is a /32 or /128.  0 or -EINVAL. */
int nl_addr_cidr_parse(const char *s, struct nl_addr_cidr *out);

/* True if @a of @family lies in @c. */
int nl_addr_cidr_contains(const struct nl_addr_cidr *c, int family,
			  const union ipvs_addr *a);

/* Which addresses nl_addr_list_local() returns. */
struct nl_addr_filter {
	int family;                        /* AF_INET, AF_INET6 or AF_UNSPEC */
	int exclude_ifindex;               /* the dummy's; 0 for none */
	const struct nl_addr_cidr *cidrs;  /* keep those inside one of them */
	size_t ncidrs;                     /* 0: keep every address */
};

struct nl_addr_local {
	int ifindex;             /* link the address is on */
	int family;              /* AF_INET or AF_INET6 */
	union ipvs_addr addr;
	uint8_t prefixlen;       /* of the address as configured */
};

struct nl_addr_locals {
	struct nl_addr_local *v; /* in the kernel's order */
	size_t n;
	size_t cap;              /* allocated entries of v */
};

void nl_addr_locals_init(struct nl_addr_locals *l);
void nl_addr_locals_fini(struct nl_addr_locals *l);

/*
 * The node's addresses, in one dump, replacing the contents of @out, by
 * kube-proxy's rules (GetAllLocalAddressesExcept): never those on
 * @f->exclude_ifindex (the dummy); never loopback addresses (127.0.0.0/8,
 * ::1), but other addresses on lo count (an anycast address there is a
 * node address); IPv6 link-local ones only when a CIDR asks for them; when
 * @f->ncidrs is set, only those inside one of the CIDRs.  An address on
 * two links is listed twice.
 */
int nl_addr_list_local(struct nl_route *nr, const struct nl_addr_filter *f,
		       struct nl_addr_locals *out);

#endif
