/*
 * ipvs/addr.c - address helpers shared by the model, the netlink layer and
 * the formatting in ipvsadm's notation.
 */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

size_t ipvs_addr_len(int af)
{
	switch (af) {
	case AF_INET:
		return sizeof(struct in_addr);
	case AF_INET6:
		return sizeof(struct in6_addr);
	default:
		return 0;
	}
}

int ipvs_addr_parse(const char *s, int *af, union ipvs_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (s && inet_pton(AF_INET, s, &out->v4) == 1) {
		*af = AF_INET;
		return 0;
	}
	if (s && inet_pton(AF_INET6, s, &out->v6) == 1) {
		*af = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int ipvs_addr_cmp(int af, const union ipvs_addr *a, const union ipvs_addr *b)
{
	return memcmp(a->raw, b->raw, ipvs_addr_len(af));
}

int ipvs_addr_is_unusable(int af, const union ipvs_addr *a)
{
	static const union ipvs_addr zero;

	if (ipvs_addr_cmp(af, a, &zero) == 0)
		return 1;
	if (af == AF_INET)
		return IN_MULTICAST(ntohl(a->v4.s_addr));
	return IN6_IS_ADDR_MULTICAST(&a->v6);
}

char *ipvs_addr_fmt(int af, const union ipvs_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(af, a->raw, buf, (socklen_t)len))
		snprintf(buf, len, "?af%d", af);
	return buf;
}

char *ipvs_addrport_fmt(int af, const union ipvs_addr *a, uint16_t port,
			char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	ipvs_addr_fmt(af, a, host, sizeof(host));
	if (af == AF_INET6)
		snprintf(buf, len, "[%s]:%u", host, port);
	else
		snprintf(buf, len, "%s:%u", host, port);
	return buf;
}
