/*
 * netlink/nl_ipvs_msg.h - IPVS generic-netlink messages: building requests
 * with libnl and parsing replies into the model's types.
 */
#ifndef NETLINK_NL_IPVS_MSG_H
#define NETLINK_NL_IPVS_MSG_H

#include <linux/netlink.h>
#include <netlink/msg.h>

#include "ipvs/op.h"

/* A new request for @cmd of family @family; NULL when out of memory. */
struct nl_msg *nl_ipvs_msg_new(int family, int cmd, int flags);

/* The request that carries out @op; NULL when out of memory. */
struct nl_msg *nl_ipvs_msg_op(int family, const struct ipvs_op *op);

/* Add the service attribute: its key only, or (@full) every field. */
int nl_ipvs_msg_put_service(struct nl_msg *msg, const struct ipvs_service *s,
			    int full);

/* Parse a GET_SERVICE reply; 0 or -EINVAL for a malformed one. */
int nl_ipvs_msg_parse_service(struct nlmsghdr *h, struct ipvs_service *s,
			      struct ipvs_stats *stats);

/* Parse a GET_DEST reply; @svc_af is the family when the kernel omits it. */
int nl_ipvs_msg_parse_dest(struct nlmsghdr *h, int svc_af,
			   struct ipvs_dest *d, struct ipvs_dest_state *st);

#endif
