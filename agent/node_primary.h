/*
 * agent/node_primary.h - this node's primary IPs, for
 * `--nodeport-addresses primary`: what kube-proxy calls the node IPs,
 * taken from the Node object as client-go's GetNodeHostIPs does.
 */
#ifndef AGENT_NODE_PRIMARY_H
#define AGENT_NODE_PRIMARY_H

#include <stddef.h>

#include "k8s/objects.h"
#include "netlink/nl_link.h"

/*
 * The first address of the Node's InternalIPs, else of its ExternalIPs,
 * then the first of the other IP family in the same order: at most two,
 * written to @out as /32 or /128 CIDRs.  Returns how many (0 for a NULL
 * Node or one without usable addresses).
 */
size_t agent_node_primary(const struct k8s_node *n, struct nl_addr_cidr *out,
			  size_t max);

#endif
