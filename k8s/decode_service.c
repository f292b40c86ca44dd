/*
 * k8s/decode_service.c - v1 Service: type, cluster/external/load-balancer
 * IPs, ports, affinity and traffic policies.
 */
#include "decode_field.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One spec.ports[] entry: 0, 1 (left out, reported) or -ENOMEM. */
static int svc_port(struct k8s_dec *d, const cJSON *j, size_t i,
		    struct k8s_service_port *p)
{
	char at[K8S_DEC_AT_MAX];
	const char *name;
	long port, node_port = 0;

	snprintf(at, sizeof(at), "spec.ports[%zu]", i);
	if (!cJSON_IsObject(j)) {
		k8s_dec_warn(d, "%s: expected an object, got %s", at,
			     k8s_dec_type_name(j));
		return 1;
	}
	if (k8s_dec_port_id(d, j, at, &name, &p->protocol))
		return 1;
	switch (k8s_dec_int(d, j, "port", at, 1, 65535, &port)) {
	case 1:
		k8s_dec_warn(d, "%s.port: missing", at);
		return 1;
	case -1:
		return 1;
	}
	if (k8s_dec_int(d, j, "nodePort", at, 0, 65535, &node_port) < 0)
		return 1;
	p->port = (uint16_t)port;
	p->node_port = (uint16_t)node_port;
	p->name = strdup(name);
	return p->name ? 0 : -ENOMEM;
}

static int svc_ports(struct k8s_dec *d, const cJSON *spec,
		     struct k8s_service *s)
{
	const cJSON *arr, *j;
	size_t n, i = 0;
	int rc;

	if (k8s_dec_arr(d, spec, "ports", "spec", &arr, &n) || !n)
		return 0;
	s->ports = calloc(n, sizeof(*s->ports));
	if (!s->ports)
		return -ENOMEM;
	for (j = arr->child; j; j = j->next, i++) {
		rc = svc_port(d, j, i, &s->ports[s->nports]);
		if (rc < 0)
			return rc;
		if (!rc)
			s->nports++;
	}
	return 0;
}

static void svc_type(struct k8s_dec *d, const cJSON *spec,
		     struct k8s_service *s)
{
	static const char *const names[] = {
		[K8S_SVC_CLUSTER_IP] = "ClusterIP",
		[K8S_SVC_NODE_PORT] = "NodePort",
		[K8S_SVC_LOAD_BALANCER] = "LoadBalancer",
		[K8S_SVC_EXTERNAL_NAME] = "ExternalName",
	};
	const char *t;
	size_t i;

	s->type = K8S_SVC_CLUSTER_IP;
	if (k8s_dec_str(d, spec, "type", "spec", &t))
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(t, names[i])) {
			s->type = (enum k8s_service_type)i;
			return;
		}
	}
	k8s_dec_warn(d, "spec.type: unknown type \"%.32s\", using ClusterIP", t);
}

/* spec.clusterIPs, else [spec.clusterIP]; "None" means headless. */
static int svc_cluster_ips(struct k8s_dec *d, const cJSON *spec,
			   struct k8s_service *s)
{
	const cJSON *ips = cJSON_GetObjectItemCaseSensitive(spec, "clusterIPs");
	const char *one = NULL;
	int rc;

	if (k8s_dec_str(d, spec, "clusterIP", "spec", &one))
		one = NULL;
	if (cJSON_IsArray(ips) && cJSON_IsString(ips->child))
		one = ips->child->valuestring;
	if (one && !strcmp(one, "None")) {
		s->headless = 1;
		return 0;
	}
	if (cJSON_IsArray(ips))
		return k8s_dec_ip_list(d, spec, "clusterIPs", "spec",
				       &s->cluster_ips, &s->ncluster_ips);
	if (ips && !cJSON_IsNull(ips))
		k8s_dec_warn(d, "spec.clusterIPs: expected an array, got %s, using spec.clusterIP",
			     k8s_dec_type_name(ips));
	if (!one || !*one)
		return 0; /* not allocated yet, or ExternalName's "" */
	s->cluster_ips = calloc(1, sizeof(*s->cluster_ips));
	if (!s->cluster_ips)
		return -ENOMEM;
	rc = k8s_dec_ip(d, one, 0, "spec.clusterIP", &s->cluster_ips[0]);
	if (!rc)
		s->ncluster_ips = 1;
	return rc == -ENOMEM ? rc : 0;
}

/* One status.loadBalancer.ingress[] entry: 0, 1 (left out) or -ENOMEM. */
static int svc_lb_ingress(struct k8s_dec *d, const cJSON *j, size_t i,
			  char **out)
{
	char at[K8S_DEC_AT_MAX], ipat[K8S_DEC_AT_MAX + 4];
	const char *ip, *mode = "VIP";
	int rc;

	snprintf(at, sizeof(at), "status.loadBalancer.ingress[%zu]", i);
	if (!cJSON_IsObject(j)) {
		k8s_dec_warn(d, "%s: expected an object, got %s", at,
			     k8s_dec_type_name(j));
		return 1;
	}
	if (k8s_dec_str(d, j, "ip", at, &ip) || !*ip)
		return 1; /* hostname-only ingress: nothing for IPVS */
	if (k8s_dec_str(d, j, "ipMode", at, &mode) < 0)
		return 1;
	/* Proxy: the load balancer delivers to the node, not to the VIP
	 * (KEP-1860), so the VIP must not be captured here. */
	if (!strcmp(mode, "Proxy"))
		return 1;
	snprintf(ipat, sizeof(ipat), "%s.ip", at);
	rc = k8s_dec_ip(d, ip, 0, ipat, out);
	return rc == -ENOMEM ? rc : rc ? 1 : 0;
}

static int svc_lb_ips(struct k8s_dec *d, const cJSON *obj,
		      struct k8s_service *s)
{
	const cJSON *status, *lb, *arr, *j;
	size_t n, i = 0;
	int rc;

	if (k8s_dec_obj(d, obj, "status", "", &status) ||
	    k8s_dec_obj(d, status, "loadBalancer", "status", &lb) ||
	    k8s_dec_arr(d, lb, "ingress", "status.loadBalancer", &arr, &n) ||
	    !n)
		return 0;
	s->lb_ips = calloc(n, sizeof(*s->lb_ips));
	if (!s->lb_ips)
		return -ENOMEM;
	for (j = arr->child; j; j = j->next, i++) {
		rc = svc_lb_ingress(d, j, i, &s->lb_ips[s->nlb_ips]);
		if (rc < 0)
			return rc;
		if (!rc)
			s->nlb_ips++;
	}
	return 0;
}

/* sessionAffinity and sessionAffinityConfig.clientIP.timeoutSeconds. */
static void svc_affinity(struct k8s_dec *d, const cJSON *spec,
			 struct k8s_service *s)
{
	const char *aff;
	const cJSON *cfg, *cip;
	long t;

	s->affinity_timeout = K8S_AFFINITY_TIMEOUT_DEFAULT;
	if (!k8s_dec_str(d, spec, "sessionAffinity", "spec", &aff)) {
		if (!strcmp(aff, "ClientIP"))
			s->affinity_client_ip = 1;
		else if (strcmp(aff, "None"))
			k8s_dec_warn(d, "spec.sessionAffinity: unknown value \"%.32s\", using None",
				     aff);
	}
	if (k8s_dec_obj(d, spec, "sessionAffinityConfig", "spec", &cfg) ||
	    k8s_dec_obj(d, cfg, "clientIP", "spec.sessionAffinityConfig",
			&cip))
		return;
	if (k8s_dec_int(d, cip, "timeoutSeconds",
			"spec.sessionAffinityConfig.clientIP", 1, 86400,
			&t) == 0)
		s->affinity_timeout = (uint32_t)t;
}

/* "Local" -> 1; @other (the API's other value, and absence) -> 0. */
static int svc_policy(struct k8s_dec *d, const cJSON *spec, const char *key,
		      const char *other)
{
	const char *v;

	if (k8s_dec_str(d, spec, key, "spec", &v))
		return 0;
	if (!strcmp(v, "Local"))
		return 1;
	if (strcmp(v, other) && strcmp(v, "Global")) /* Global: pre-1.14 */
		k8s_dec_warn(d, "spec.%s: unknown value \"%.32s\", using %s",
			     key, v, other);
	return 0;
}

static int svc_spec(struct k8s_dec *d, const cJSON *spec,
		    struct k8s_service *s)
{
	long hc = 0;
	int rc;

	svc_type(d, spec, s);
	svc_affinity(d, spec, s);
	s->external_local = svc_policy(d, spec, "externalTrafficPolicy",
				       "Cluster");
	s->internal_local = svc_policy(d, spec, "internalTrafficPolicy",
				       "Cluster");
	if (!k8s_dec_int(d, spec, "healthCheckNodePort", "spec", 0, 65535,
			 &hc))
		s->health_check_node_port = (uint16_t)hc;
	rc = svc_cluster_ips(d, spec, s);
	if (!rc)
		rc = k8s_dec_ip_list(d, spec, "externalIPs", "spec",
				     &s->external_ips, &s->nexternal_ips);
	if (!rc)
		rc = svc_ports(d, spec, s);
	return rc;
}

int k8s_decode_service(const cJSON *obj, struct k8s_service *out,
		       struct k8s_decode_log *log)
{
	static const cJSON empty = { .type = cJSON_Object };
	const cJSON *spec;
	struct k8s_dec d;
	int rc;

	memset(out, 0, sizeof(*out));
	k8s_dec_init(&d, "Service", log);
	if (!cJSON_IsObject(obj)) {
		k8s_dec_warn(&d, "expected an object, got %s",
			     k8s_dec_type_name(obj));
		return -EINVAL;
	}
	rc = k8s_dec_kind(&d, obj, "Service");
	if (!rc)
		rc = k8s_dec_meta(&d, obj, 1, &out->meta);
	if (!rc && k8s_dec_obj(&d, obj, "spec", "", &spec) < 0)
		rc = -EINVAL;
	if (!rc)
		rc = svc_spec(&d, spec ? spec : &empty, out);
	if (!rc)
		rc = svc_lb_ips(&d, obj, out);
	if (rc)
		k8s_service_fini(out);
	return rc;
}
