/*
 * ipvs/addr.h - IPv4/IPv6 addresses as IPVS sees them.
 *
 * The kernel keeps every address in a 16-byte union and says which half is
 * meaningful by an address family.  We do the same, so an address can be
 * copied into a netlink attribute without conversion.
 */
#ifndef IPVS_ADDR_H
#define IPVS_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Large enough for "[ffff:...:ffff]:65535" and a terminating NUL. */
#define IPVS_ADDRPORT_STRLEN (INET6_ADDRSTRLEN + 8)

union ipvs_addr {
	struct in_addr v4;   /* AF_INET: first 4 bytes, rest zero */
	struct in6_addr v6;  /* AF_INET6 */
	uint8_t raw[16];     /* for hashing and comparison */
};

/* Bytes of the address that are meaningful for @af, 0 for an unknown family. */
size_t ipvs_addr_len(int af);

/* Parse a textual IPv4 or IPv6 address; sets *af.  Returns 0 or -EINVAL. */
int ipvs_addr_parse(const char *s, int *af, union ipvs_addr *out);

/* Compare two addresses of the same family (memcmp order). */
int ipvs_addr_cmp(int af, const union ipvs_addr *a, const union ipvs_addr *b);

/* True for addresses a real server may not have: unspecified or multicast. */
int ipvs_addr_is_unusable(int af, const union ipvs_addr *a);

/*
 * Format "addr:port" the way ipvsadm -n does: IPv6 in brackets.  Returns
 * @buf.  @buf must hold IPVS_ADDRPORT_STRLEN bytes.
 */
char *ipvs_addrport_fmt(int af, const union ipvs_addr *a, uint16_t port,
			char *buf, size_t len);

/* Format the bare address; returns @buf. */
char *ipvs_addr_fmt(int af, const union ipvs_addr *a, char *buf, size_t len);

#endif
