/*
 * agent/node_primary.c - the Node's primary IPs (see node_primary.h).
 */
#include "node_primary.h"

#include <string.h>

/* The first parsable address of @type whose family is not @skip_family
 * (0: any), or 0 when there is none. */
static int node_primary_find(const struct k8s_node *n, const char *type,
			     int skip_family, struct nl_addr_cidr *out)
{
	size_t i;

	for (i = 0; i < n->naddresses; i++) {
		const struct k8s_node_address *ad = &n->addresses[i];

		if (!ad->type || !ad->address || strcmp(ad->type, type))
			continue;
		if (strchr(ad->address, '/') ||
		    nl_addr_cidr_parse(ad->address, out))
			continue;
		if (out->family != skip_family)
			return 1;
	}
	return 0;
}

static int node_primary_one(const struct k8s_node *n, int skip_family,
			    struct nl_addr_cidr *out)
{
	return node_primary_find(n, "InternalIP", skip_family, out) ||
	       node_primary_find(n, "ExternalIP", skip_family, out);
}

size_t agent_node_primary(const struct k8s_node *n, struct nl_addr_cidr *out,
			  size_t max)
{
	size_t k = 0;

	if (!n || max == 0 || !node_primary_one(n, 0, &out[k]))
		return 0;
	k++;
	if (k < max && node_primary_one(n, out[0].family, &out[k]))
		k++;
	return k;
}
