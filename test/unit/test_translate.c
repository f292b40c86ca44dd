/*
 * test/unit/test_translate.c - agent/translate.c: Services and
 * EndpointSlices to IPVS virtual services, with kube-proxy's ipvs-mode
 * meaning (DESIGN.md, "Kubernetes API facts").
 *
 * Objects are decoded from JSON (written with ' for ") by k8s/decode.h, as
 * the agent gets them; a few tests then break a field by hand to reach what
 * the decoder would never hand over.  Most tests compare a listing of the
 * whole translation, one sorted line per virtual service:
 *
 *   C -t 10.96.0.10:80 rr bind: 10.1.0.1:8080 10.1.0.2:8080
 *
 * kind (C clusterIP, E externalIP, L load balancer, N node port), the key
 * in ipvsadm notation, the scheduler, " p<timeout>" when persistent,
 * " bind" when the VIP is bound, " local" for a Local policy with no local
 * endpoint, then the real servers.  Every translation is also checked for
 * the invariants every virtual service has (see check_invariants()).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agent/translate.h"
#include "k8s/decode.h"
#include "suites.h"

#define MAX_SLICES 64

/* An assertion for hot loops: Check records every passing ck_assert (a
 * write per call), which costs seconds over thousands of real servers. */
#define REQUIRE(cond)                                                        \
	do {                                                                 \
		if (!(cond))                                                 \
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #cond); \
	} while (0)


static struct k8s_service svc;
static struct k8s_endpointslice slices[MAX_SLICES];
static size_t nslices;
static struct agent_translation tr;
static struct agent_translate_conf conf;
static struct agent_node_addr node_addrs[3];
static char listing_buf[1 << 16];

/* The warnings agent_translate() gave. */
static struct {
	int n;
	char ns[64];
	char name[64];
	char reason[256];
} warns;

static void warn_cb(void *arg, const char *ns, const char *name,
		    const char *reason)
{
	(void)arg;
	warns.n++;
	snprintf(warns.ns, sizeof(warns.ns), "%s", ns);
	snprintf(warns.name, sizeof(warns.name), "%s", name);
	snprintf(warns.reason, sizeof(warns.reason), "%s", reason);
}

static void node_addr(struct agent_node_addr *a, const char *s)
{
	ck_assert_int_eq(ipvs_addr_parse(s, &a->af, &a->addr), 0);
}

/* Node node-a, no zone, scheduler rr, node ports on two IPv4 addresses
 * and one IPv6 address. */
static void setup(void)
{
	memset(&svc, 0, sizeof(svc));
	memset(slices, 0, sizeof(slices));
	nslices = 0;
	memset(&warns, 0, sizeof(warns));
	agent_translation_init(&tr);
	node_addr(&node_addrs[0], "192.168.1.10");
	node_addr(&node_addrs[1], "192.168.1.11");
	node_addr(&node_addrs[2], "2001:db8::10");
	memset(&conf, 0, sizeof(conf));
	conf.node_name = "node-a";
	conf.scheduler = "rr";
	conf.node_addrs = node_addrs;
	conf.nnode_addrs = 3;
}

static void teardown(void)
{
	size_t i;

	k8s_service_fini(&svc);
	for (i = 0; i < nslices; i++)
		k8s_endpointslice_fini(&slices[i]);
	agent_translation_fini(&tr);
}

/* ---- building objects ---------------------------------------------------- */

/* printf, then ' -> ", then parse (the test fails if it is not JSON). */
static cJSON *jvf(const char *fmt, va_list ap)
{
	char *s, *p;
	cJSON *j;

	ck_assert_int_ge(vasprintf(&s, fmt, ap), 0);
	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = cJSON_Parse(s);
	ck_assert_msg(j != NULL, "fixture is not JSON: %s", s);
	free(s);
	return j;
}

/* The Service, from a whole JSON object. */
static void svc_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void svc_json(const char *fmt, ...)
{
	va_list ap;
	cJSON *j;

	va_start(ap, fmt);
	j = jvf(fmt, ap);
	va_end(ap);
	k8s_service_fini(&svc);
	ck_assert_int_eq(k8s_decode_service(j, &svc, NULL), 0);
	cJSON_Delete(j);
}

/* The Service default/web, from the members of its spec. */
#define SVC(spec) svc_json("{'metadata':{'namespace':'default','name':'web'}," \
			   "'spec':{" spec "}}")

/* One more EndpointSlice of default/web. */
static void slice_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void slice_json(const char *fmt, ...)
{
	va_list ap;
	cJSON *j;

	ck_assert_uint_lt(nslices, MAX_SLICES);
	va_start(ap, fmt);
	j = jvf(fmt, ap);
	va_end(ap);
	ck_assert_int_eq(k8s_decode_endpointslice(j, &slices[nslices], NULL), 0);
	nslices++;
	cJSON_Delete(j);
}

/* A slice of @type (IPv4, IPv6, FQDN) from its ports and endpoints. */
#define SLICE(type, ports, eps)                                              \
	slice_json("{'metadata':{'namespace':'default','name':'web-%zu',"  \
		   "'labels':{'kubernetes.io/service-name':'web'}},"         \
		   "'addressType':'" type "','ports':" ports                 \
		   ",'endpoints':" eps "}", nslices)

#define PORT(name, proto, port)                                              \
	"{'name':'" name "','protocol':'" proto "','port':" #port "}"
/* A ready endpoint (no conditions: the defaults). */
#define EP(ip) "{'addresses':['" ip "']}"
/* On a node. */
#define EPN(ip, node) "{'addresses':['" ip "'],'nodeName':'" node "'}"
/* With explicit conditions (true/false). */
#define EPC(ip, r, s, t)                                                     \
	"{'addresses':['" ip "'],'conditions':{'ready':" #r                  \
	",'serving':" #s ",'terminating':" #t "}}"
/* On a node, with explicit conditions. */
#define EPNC(ip, node, r, s, t)                                              \
	"{'addresses':['" ip "'],'nodeName':'" node "','conditions':"        \
	"{'ready':" #r ",'serving':" #s ",'terminating':" #t "}}"
/* With topology hints for @zones ("{'name':'z'},..."). */
#define EPZ(ip, zones) "{'addresses':['" ip "'],'hints':{'forZones':[" zones "]}}"
#define Z(name) "{'name':'" name "'}"

/* ---- running and reading the result -------------------------------------- */

/* What every virtual service must be, whatever the input. */
static void check_invariants(void)
{
	char why[128];
	size_t i, j;

	for (i = 0; i < tr.n; i++) {
		const struct agent_vs *vs = &tr.v[i];
		const struct ipvs_service *s = &vs->conf;

		if (ipvs_service_check(s, why, sizeof(why)))
			ck_abort_msg("vs %zu: %s", i, why);
		REQUIRE(s->netmask == (s->key.af == AF_INET6 ? 128 : 0xffffffff));
		REQUIRE((s->flags & ~(uint32_t)IPVS_SVC_F_PERSISTENT) == 0);
		REQUIRE(s->key.fwmark == 0);
		REQUIRE(vs->bind == (vs->kind != AGENT_VS_NODE_PORT));
		REQUIRE(vs->port_name != NULL);
		REQUIRE(vs->ndests == 0 || vs->dests != NULL);
		if (vs->local_only)
			REQUIRE(vs->ndests == 0);
		for (j = 0; j < vs->ndests; j++) {
			const struct ipvs_dest *d = &vs->dests[j];

			REQUIRE(d->af == s->key.af);
			REQUIRE(d->fwd == IPVS_FWD_MASQ);
			REQUIRE(d->weight == 1);
			REQUIRE(d->port != 0);
			if (ipvs_dest_check(s, d, why, sizeof(why)))
				ck_abort_msg("vs %zu dest %zu: %s", i, j, why);
			/* Unique: sorted strictly by key. */
			if (j)
				REQUIRE(ipvs_dest_key_cmp(&vs->dests[j - 1], d) < 0);
		}
	}
}

/* Translate svc with its slices into a fresh tr; the return code. */
static int run(void)
{
	const struct k8s_endpointslice *p[MAX_SLICES];
	const struct agent_translate_log log = { warn_cb, NULL };
	size_t i;
	int r;

	for (i = 0; i < nslices; i++)
		p[i] = &slices[i];
	agent_translation_clear(&tr);
	r = agent_translate(&conf, &svc, p, nslices, &tr, &log);
	check_invariants();
	return r;
}

static const char kind_letter[] = {
	[AGENT_VS_CLUSTER_IP] = 'C',
	[AGENT_VS_EXTERNAL_IP] = 'E',
	[AGENT_VS_LOAD_BALANCER] = 'L',
	[AGENT_VS_NODE_PORT] = 'N',
};

static int line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One virtual service as a listing line (malloc'd). */
static char *vs_line(const struct agent_vs *vs)
{
	char key[IPVS_FMT_MAX], ap[IPVS_ADDRPORT_STRLEN], *line;
	size_t j, len = 128 + vs->ndests * IPVS_ADDRPORT_STRLEN, off;

	line = malloc(len);
	ck_assert_ptr_nonnull(line);
	off = (size_t)snprintf(line, len, "%c %s %s", kind_letter[vs->kind],
			       ipvs_service_key_fmt(&vs->conf.key, key, sizeof(key)),
			       vs->conf.sched);
	if (vs->conf.flags & IPVS_SVC_F_PERSISTENT)
		off += (size_t)snprintf(line + off, len - off, " p%u",
					vs->conf.timeout);
	off += (size_t)snprintf(line + off, len - off, "%s%s:",
				vs->bind ? " bind" : "",
				vs->local_only ? " local" : "");
	for (j = 0; j < vs->ndests; j++)
		off += (size_t)snprintf(line + off, len - off, " %s",
					ipvs_addrport_fmt(vs->dests[j].af,
							  &vs->dests[j].addr,
							  vs->dests[j].port, ap,
							  sizeof(ap)));
	return line;
}

/* The whole translation, one sorted line per virtual service. */
static const char *listing(void)
{
	char **lines = calloc(tr.n + 1, sizeof(*lines));
	size_t i, off = 0;

	ck_assert_ptr_nonnull(lines);
	for (i = 0; i < tr.n; i++)
		lines[i] = vs_line(&tr.v[i]);
	qsort(lines, tr.n, sizeof(*lines), line_cmp);
	listing_buf[0] = '\0';
	for (i = 0; i < tr.n; i++) {
		off += (size_t)snprintf(listing_buf + off, sizeof(listing_buf) - off,
					"%s\n", lines[i]);
		ck_assert_uint_lt(off, sizeof(listing_buf));
		free(lines[i]);
	}
	free(lines);
	return listing_buf;
}

/* Translate; it must succeed, silently, and list as @want. */
static void expect(const char *want)
{
	ck_assert_int_eq(run(), 0);
	ck_assert_int_eq(warns.n, 0);
	ck_assert_str_eq(listing(), want);
}

/* The virtual service of @kind whose key formats as @key, or NULL. */
static const struct agent_vs *find_vs(enum agent_vs_kind kind, const char *key)
{
	char buf[IPVS_FMT_MAX];
	size_t i;

	for (i = 0; i < tr.n; i++)
		if (tr.v[i].kind == kind &&
		    strcmp(ipvs_service_key_fmt(&tr.v[i].conf.key, buf, sizeof(buf)),
			   key) == 0)
			return &tr.v[i];
	return NULL;
}

/* Replace a decoded string by hand (what the decoder would not allow). */
static void set_str(char **p, const char *s)
{
	free(*p);
	*p = strdup(s);
	ck_assert_ptr_nonnull(*p);
}

/* ---- clusterIPs, families, ports ---------------------------------------- */

START_TEST(cluster_ip_one_port)
{
	const struct agent_vs *vs;

	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80,'targetPort':8080}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]",
	      "[" EP("10.1.0.2") "," EP("10.1.0.1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:8080 10.1.0.2:8080\n");
	ck_assert_uint_eq(tr.n, 1);
	vs = &tr.v[0];
	ck_assert_int_eq(vs->kind, AGENT_VS_CLUSTER_IP);
	ck_assert_int_eq(vs->bind, 1);
	ck_assert_int_eq(vs->local_only, 0);
	ck_assert_str_eq(vs->port_name, "http");
	ck_assert_uint_eq(vs->conf.key.af, AF_INET);
	ck_assert_uint_eq(vs->conf.key.protocol, IPVS_PROTO_TCP);
	ck_assert_uint_eq(vs->conf.key.port, 80);
	ck_assert_str_eq(vs->conf.sched, "rr");
	ck_assert_uint_eq(vs->conf.flags, 0);
	ck_assert_uint_eq(vs->conf.timeout, 0);
	ck_assert_uint_eq(vs->conf.netmask, 0xffffffff);
	ck_assert_str_eq(vs->conf.pe_name, "");
}
END_TEST

START_TEST(dual_stack_each_cluster_ip_gets_its_own_family)
{
	/* Either family first in spec.clusterIPs. */
	if (_i == 0)
		SVC("'clusterIPs':['10.96.0.10','fd00::10'],'ports':[{'name':'http','port':80}]");
	else
		SVC("'clusterIPs':['fd00::10','10.96.0.10'],'ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]",
	      "[" EP("10.1.0.1") "," EP("10.1.0.2") "]");
	SLICE("IPv6", "[" PORT("http", "TCP", 8080) "]", "[" EP("fd01::1") "]");
	SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]", "[" EP("10.1.0.3") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:8080 10.1.0.2:8080 10.1.0.3:8080\n"
	       "C -t [fd00::10]:80 rr bind: [fd01::1]:8080\n");
	ck_assert_uint_eq(find_vs(AGENT_VS_CLUSTER_IP, "-t [fd00::10]:80")->conf.netmask, 128);
}
END_TEST

START_TEST(dual_stack_without_endpoints_of_one_family)
{
	SVC("'clusterIPs':['10.96.0.10','fd00::10'],'ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n"
	       "C -t [fd00::10]:80 rr bind:\n");
}
END_TEST

START_TEST(single_stack_ipv6)
{
	SVC("'type':'NodePort','clusterIP':'fd00::10',"
	    "'ports':[{'name':'http','port':80,'nodePort':30080}]");
	SLICE("IPv6", "[" PORT("http", "TCP", 80) "]", "[" EP("fd01::1") "]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	expect("C -t [fd00::10]:80 rr bind: [fd01::1]:80\n"
	       "N -t [2001:db8::10]:30080 rr: [fd01::1]:80\n");
}
END_TEST

/* kube-proxy runs one proxier per family, and each skips the Services with
 * no clusterIP of its family: no node port, externalIP or LB IP of the
 * other family for a single-stack Service. */
START_TEST(single_stack_gets_nothing_in_the_other_family)
{
	svc_json("{'metadata':{'namespace':'default','name':'web'},"
		 "'spec':{'type':'LoadBalancer','clusterIP':'10.96.0.10',"
		 "'externalIPs':['198.51.100.1','2001:db8:5::1'],"
		 "'ports':[{'name':'http','port':80,'nodePort':30080}]},"
		 "'status':{'loadBalancer':{'ingress':[{'ip':'203.0.113.1'},"
		 "{'ip':'2001:db8:7::1'}]}}}");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	SLICE("IPv6", "[" PORT("http", "TCP", 80) "]", "[" EP("fd01::1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n"
	       "E -t 198.51.100.1:80 rr bind: 10.1.0.1:80\n"
	       "L -t 203.0.113.1:80 rr bind: 10.1.0.1:80\n"
	       "N -t 192.168.1.10:30080 rr: 10.1.0.1:80\n"
	       "N -t 192.168.1.11:30080 rr: 10.1.0.1:80\n");
}
END_TEST

START_TEST(no_cluster_ip_yet_gives_nothing)
{
	SVC("'type':'NodePort','ports':[{'name':'http','port':80,'nodePort':30080}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	expect("");
}
END_TEST

/* Every port and protocol its own virtual service, node ports included. */
static const struct {
	const char *proto;   /* in the Service */
	const char *opt;     /* ipvsadm's notation */
	int number;
} protos[] = {
	{ "TCP", "-t", IPVS_PROTO_TCP },
	{ "UDP", "-u", IPVS_PROTO_UDP },
	{ "SCTP", "--sctp-service", IPVS_PROTO_SCTP },
};

START_TEST(every_protocol)
{
	const char *p = protos[_i].proto, *o = protos[_i].opt;
	char want[512];

	svc_json("{'metadata':{'namespace':'default','name':'web'},'spec':{"
		 "'type':'NodePort','clusterIP':'10.96.0.10','ports':[{'name':"
		 "'x','protocol':'%s','port':80,'nodePort':30080}]}}", p);
	slice_json("{'metadata':{'name':'s'},'addressType':'IPv4','ports':[{"
		   "'name':'x','protocol':'%s','port':8080}],'endpoints':["
		   EP("10.1.0.1") "]}", p);
	snprintf(want, sizeof(want),
		 "C %s 10.96.0.10:80 rr bind: 10.1.0.1:8080\n"
		 "N %s 192.168.1.10:30080 rr: 10.1.0.1:8080\n"
		 "N %s 192.168.1.11:30080 rr: 10.1.0.1:8080\n", o, o, o);
	expect(want);
	ck_assert_uint_eq(tr.v[0].conf.key.protocol, protos[_i].number);
}
END_TEST

START_TEST(every_port_of_a_service)
{
	SVC("'clusterIP':'10.96.0.10','ports':["
	    "{'name':'web','port':80},"
	    "{'name':'dns','protocol':'UDP','port':53},"
	    "{'name':'dns-tcp','protocol':'TCP','port':53},"
	    "{'name':'sig','protocol':'SCTP','port':3868}]");
	SLICE("IPv4",
	      "[" PORT("web", "TCP", 8080) "," PORT("dns", "UDP", 5353) ","
	      PORT("dns-tcp", "TCP", 5354) "," PORT("sig", "SCTP", 3869) "]",
	      "[" EP("10.1.0.1") "]");
	expect("C --sctp-service 10.96.0.10:3868 rr bind: 10.1.0.1:3869\n"
	       "C -t 10.96.0.10:53 rr bind: 10.1.0.1:5354\n"
	       "C -t 10.96.0.10:80 rr bind: 10.1.0.1:8080\n"
	       "C -u 10.96.0.10:53 rr bind: 10.1.0.1:5353\n");
	ck_assert_str_eq(find_vs(AGENT_VS_CLUSTER_IP, "-u 10.96.0.10:53")->port_name, "dns");
	ck_assert_str_eq(find_vs(AGENT_VS_CLUSTER_IP, "-t 10.96.0.10:53")->port_name, "dns-tcp");
}
END_TEST

/* A slice port matches a service port by (name, protocol), not by name. */
START_TEST(slice_port_matched_by_name_and_protocol)
{
	SVC("'clusterIP':'10.96.0.10','ports':["
	    "{'name':'dns','protocol':'UDP','port':53},"
	    "{'name':'other','protocol':'TCP','port':99}]");
	SLICE("IPv4",
	      "[" PORT("dns", "TCP", 1111) "," PORT("dns", "UDP", 5353) ","
	      PORT("Other", "TCP", 2222) "]",
	      "[" EP("10.1.0.1") "]");
	SLICE("IPv4", "[" PORT("other", "UDP", 3333) "]", "[" EP("10.1.0.2") "]");
	expect("C -t 10.96.0.10:99 rr bind:\n"
	       "C -u 10.96.0.10:53 rr bind: 10.1.0.1:5353\n");
}
END_TEST

START_TEST(unnamed_ports)
{
	/* An unnamed service port matches an unnamed slice port, whether the
	 * slice says "" or leaves the name out; a named one does not. */
	SVC("'clusterIP':'10.96.0.10','ports':[{'port':80}]");
	SLICE("IPv4", "[{'port':8080}]", "[" EP("10.1.0.1") "]");
	SLICE("IPv4", "[{'name':'','protocol':'TCP','port':8080}]",
	      "[" EP("10.1.0.2") "]");
	SLICE("IPv4", "[" PORT("http", "TCP", 9090) "]", "[" EP("10.1.0.3") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:8080 10.1.0.2:8080\n");
	ck_assert_str_eq(tr.v[0].port_name, "");
}
END_TEST

START_TEST(named_service_port_ignores_unnamed_slice_port)
{
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[{'port':8080}]", "[" EP("10.1.0.1") "]");
	expect("C -t 10.96.0.10:80 rr bind:\n");
}
END_TEST

START_TEST(service_without_ports_gives_nothing)
{
	SVC("'clusterIP':'10.96.0.10'");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	expect("");
}
END_TEST

/* ---- node ports, load balancers, external IPs, bind ---------------------- */

/* Node ports for NodePort and LoadBalancer, on every node address of the
 * Service's families; never for ClusterIP, even with a nodePort. */
static const struct {
	const char *type;
	const char *want;
} node_port_cases[] = {
	{ "ClusterIP",
	  "C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n" },
	{ "NodePort",
	  "C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n"
	  "N -t 192.168.1.10:30080 rr: 10.1.0.1:80\n"
	  "N -t 192.168.1.11:30080 rr: 10.1.0.1:80\n" },
	{ "LoadBalancer",
	  "C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n"
	  "N -t 192.168.1.10:30080 rr: 10.1.0.1:80\n"
	  "N -t 192.168.1.11:30080 rr: 10.1.0.1:80\n" },
};

START_TEST(node_ports_by_type)
{
	svc_json("{'metadata':{'name':'web'},'spec':{'type':'%s',"
		 "'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80,"
		 "'nodePort':30080}]}}", node_port_cases[_i].type);
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	expect(node_port_cases[_i].want);
}
END_TEST

START_TEST(node_ports_dual_stack_on_every_node_address)
{
	SVC("'type':'NodePort','clusterIPs':['10.96.0.10','fd00::10'],"
	    "'ports':[{'name':'http','port':80,'nodePort':30080},"
	    "{'name':'dns','protocol':'UDP','port':53,'nodePort':30053}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 8080) "," PORT("dns", "UDP", 53) "]",
	      "[" EP("10.1.0.1") "]");
	SLICE("IPv6", "[" PORT("http", "TCP", 8080) "," PORT("dns", "UDP", 53) "]",
	      "[" EP("fd01::1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:8080\n"
	       "C -t [fd00::10]:80 rr bind: [fd01::1]:8080\n"
	       "C -u 10.96.0.10:53 rr bind: 10.1.0.1:53\n"
	       "C -u [fd00::10]:53 rr bind: [fd01::1]:53\n"
	       "N -t 192.168.1.10:30080 rr: 10.1.0.1:8080\n"
	       "N -t 192.168.1.11:30080 rr: 10.1.0.1:8080\n"
	       "N -t [2001:db8::10]:30080 rr: [fd01::1]:8080\n"
	       "N -u 192.168.1.10:30053 rr: 10.1.0.1:53\n"
	       "N -u 192.168.1.11:30053 rr: 10.1.0.1:53\n"
	       "N -u [2001:db8::10]:30053 rr: [fd01::1]:53\n");
}
END_TEST

START_TEST(node_ports_without_node_addresses)
{
	conf.nnode_addrs = 0;
	SVC("'type':'NodePort','clusterIP':'10.96.0.10',"
	    "'ports':[{'name':'http','port':80,'nodePort':30080}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n");
}
END_TEST

/* allocateLoadBalancerNodePorts: false leaves a port without nodePort. */
START_TEST(load_balancer_port_without_node_port)
{
	svc_json("{'metadata':{'name':'web'},'spec':{'type':'LoadBalancer',"
		 "'clusterIP':'10.96.0.10','ports':[{'name':'a','port':80},"
		 "{'name':'b','port':81,'nodePort':30081}]},'status':{"
		 "'loadBalancer':{'ingress':[{'ip':'203.0.113.1'}]}}}");
	SLICE("IPv4", "[" PORT("a", "TCP", 80) "," PORT("b", "TCP", 81) "]",
	      "[" EP("10.1.0.1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n"
	       "C -t 10.96.0.10:81 rr bind: 10.1.0.1:81\n"
	       "L -t 203.0.113.1:80 rr bind: 10.1.0.1:80\n"
	       "L -t 203.0.113.1:81 rr bind: 10.1.0.1:81\n"
	       "N -t 192.168.1.10:30081 rr: 10.1.0.1:81\n"
	       "N -t 192.168.1.11:30081 rr: 10.1.0.1:81\n");
}
END_TEST

/* Every ingress IP but ipMode Proxy (dropped by the decoder) and
 * hostname-only ones; both families for a dual-stack Service. */
START_TEST(load_balancer_ingress_ips)
{
	svc_json("{'metadata':{'name':'web'},'spec':{'type':'LoadBalancer',"
		 "'clusterIPs':['10.96.0.10','fd00::10'],'ports':[{'name':"
		 "'http','port':80,'nodePort':30080}]},'status':{'loadBalancer':"
		 "{'ingress':[{'ip':'203.0.113.1'},"
		 "{'ip':'203.0.113.2','ipMode':'Proxy'},"
		 "{'ip':'203.0.113.3','ipMode':'VIP'},"
		 "{'hostname':'lb.example.com'},"
		 "{'ip':'2001:db8:7::1'}]}}}");
	ck_assert_uint_eq(svc.nlb_ips, 3);
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	SLICE("IPv6", "[" PORT("http", "TCP", 80) "]", "[" EP("fd01::1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n"
	       "C -t [fd00::10]:80 rr bind: [fd01::1]:80\n"
	       "L -t 203.0.113.1:80 rr bind: 10.1.0.1:80\n"
	       "L -t 203.0.113.3:80 rr bind: 10.1.0.1:80\n"
	       "L -t [2001:db8:7::1]:80 rr bind: [fd01::1]:80\n"
	       "N -t 192.168.1.10:30080 rr: 10.1.0.1:80\n"
	       "N -t 192.168.1.11:30080 rr: 10.1.0.1:80\n"
	       "N -t [2001:db8::10]:30080 rr: [fd01::1]:80\n");
	ck_assert_ptr_null(find_vs(AGENT_VS_LOAD_BALANCER, "-t 203.0.113.2:80"));
}
END_TEST

START_TEST(external_ips)
{
	SVC("'clusterIPs':['10.96.0.10','fd00::10'],"
	    "'externalIPs':['198.51.100.1','198.51.100.2','2001:db8:5::1'],"
	    "'ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]", "[" EP("10.1.0.1") "]");
	SLICE("IPv6", "[" PORT("http", "TCP", 8080) "]", "[" EP("fd01::1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:8080\n"
	       "C -t [fd00::10]:80 rr bind: [fd01::1]:8080\n"
	       "E -t 198.51.100.1:80 rr bind: 10.1.0.1:8080\n"
	       "E -t 198.51.100.2:80 rr bind: 10.1.0.1:8080\n"
	       "E -t [2001:db8:5::1]:80 rr bind: [fd01::1]:8080\n");
}
END_TEST

/* Bound on the dummy interface: clusterIP, externalIP, LB IP; never a
 * node port (the node already has the address). */
START_TEST(bind_flag_per_kind)
{
	static const struct {
		enum agent_vs_kind kind;
		const char *key;
		int bind;
	} want[] = {
		{ AGENT_VS_CLUSTER_IP, "-t 10.96.0.10:80", 1 },
		{ AGENT_VS_EXTERNAL_IP, "-t 198.51.100.1:80", 1 },
		{ AGENT_VS_LOAD_BALANCER, "-t 203.0.113.1:80", 1 },
		{ AGENT_VS_NODE_PORT, "-t 192.168.1.10:30080", 0 },
		{ AGENT_VS_NODE_PORT, "-t 192.168.1.11:30080", 0 },
	};
	const struct agent_vs *vs;
	size_t i;

	svc_json("{'metadata':{'name':'web'},'spec':{'type':'LoadBalancer',"
		 "'clusterIP':'10.96.0.10','externalIPs':['198.51.100.1'],"
		 "'ports':[{'name':'http','port':80,'nodePort':30080}]},"
		 "'status':{'loadBalancer':{'ingress':[{'ip':'203.0.113.1'}]}}}");
	ck_assert_int_eq(run(), 0);
	ck_assert_uint_eq(tr.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		vs = find_vs(want[i].kind, want[i].key);
		ck_assert_msg(vs != NULL, "no %s", want[i].key);
		ck_assert_int_eq(vs->bind, want[i].bind);
	}
}
END_TEST

/* ---- session affinity ----------------------------------------------------- */

START_TEST(session_affinity_client_ip_everywhere)
{
	svc_json("{'metadata':{'name':'web'},'spec':{'type':'LoadBalancer',"
		 "'clusterIPs':['10.96.0.10','fd00::10'],"
		 "'externalIPs':['198.51.100.1'],'sessionAffinity':'ClientIP',"
		 "'sessionAffinityConfig':{'clientIP':{'timeoutSeconds':600}},"
		 "'ports':[{'name':'http','port':80,'nodePort':30080}]},"
		 "'status':{'loadBalancer':{'ingress':[{'ip':'203.0.113.1'}]}}}");
	expect("C -t 10.96.0.10:80 rr p600 bind:\n"
	       "C -t [fd00::10]:80 rr p600 bind:\n"
	       "E -t 198.51.100.1:80 rr p600 bind:\n"
	       "L -t 203.0.113.1:80 rr p600 bind:\n"
	       "N -t 192.168.1.10:30080 rr p600:\n"
	       "N -t 192.168.1.11:30080 rr p600:\n"
	       "N -t [2001:db8::10]:30080 rr p600:\n");
	/* check_invariants() saw the netmasks: 0xffffffff and 128. */
	ck_assert_uint_eq(find_vs(AGENT_VS_CLUSTER_IP, "-t 10.96.0.10:80")->conf.flags,
			  IPVS_SVC_F_PERSISTENT);
	ck_assert_uint_eq(find_vs(AGENT_VS_CLUSTER_IP, "-t 10.96.0.10:80")->conf.netmask,
			  0xffffffff);
	ck_assert_uint_eq(find_vs(AGENT_VS_CLUSTER_IP, "-t [fd00::10]:80")->conf.netmask,
			  128);
}
END_TEST

START_TEST(session_affinity_default_timeout)
{
	SVC("'clusterIP':'10.96.0.10','sessionAffinity':'ClientIP',"
	    "'ports':[{'name':'http','port':80}]");
	expect("C -t 10.96.0.10:80 rr p10800 bind:\n");
	ck_assert_uint_eq(tr.v[0].conf.timeout, K8S_AFFINITY_TIMEOUT_DEFAULT);
}
END_TEST

START_TEST(session_affinity_none)
{
	SVC("'clusterIP':'10.96.0.10','sessionAffinity':'None',"
	    "'sessionAffinityConfig':{'clientIP':{'timeoutSeconds':600}},"
	    "'ports':[{'name':'http','port':80}]");
	expect("C -t 10.96.0.10:80 rr bind:\n");
	ck_assert_uint_eq(tr.v[0].conf.flags, 0);
	ck_assert_uint_eq(tr.v[0].conf.timeout, 0);
}
END_TEST

/* ---- schedulers ----------------------------------------------------------- */

static const struct {
	const char *ours;    /* ipvsagent.io/scheduler, or NULL */
	const char *kr;      /* kube-router.io/service.scheduler, or NULL */
	const char *dflt;    /* --ipvs-scheduler */
	const char *want;    /* NULL: the Service is rejected */
} sched_cases[] = {
	{ NULL, NULL, "rr", "rr" },
	{ NULL, NULL, "wlc", "wlc" },
	{ "sh", NULL, "rr", "sh" },
	{ NULL, "lc", "rr", "lc" },
	{ "mh", "lc", "rr", "mh" },        /* ours wins */
	{ "rr", "bogus", "wlc", "rr" },    /* ours wins, even over a bad one */
	{ "bogus", NULL, "rr", NULL },
	{ "bogus", "lc", "rr", NULL },     /* a bad one of ours is not skipped */
	{ NULL, "bogus", "rr", NULL },
	{ "RR", NULL, "rr", NULL },        /* the kernel's names are lower case */
	{ NULL, NULL, "bogus", NULL },     /* a bad default rejects everything */
};

START_TEST(scheduler_choice)
{
	char ann[256] = "";
	size_t off = 0;

	if (sched_cases[_i].ours)
		off += (size_t)snprintf(ann + off, sizeof(ann) - off,
					"'%s':'%s'", AGENT_ANNOTATION_SCHEDULER,
					sched_cases[_i].ours);
	if (sched_cases[_i].kr)
		snprintf(ann + off, sizeof(ann) - off, "%s'%s':'%s'",
			 off ? "," : "", AGENT_ANNOTATION_KUBE_ROUTER,
			 sched_cases[_i].kr);
	conf.scheduler = sched_cases[_i].dflt;
	svc_json("{'metadata':{'namespace':'shop','name':'cart',"
		 "'annotations':{%s}},'spec':{'type':'NodePort',"
		 "'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80,"
		 "'nodePort':30080}]}}", ann);
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	if (sched_cases[_i].want) {
		ck_assert_int_eq(run(), 0);
		ck_assert_int_eq(warns.n, 0);
		ck_assert_uint_eq(tr.n, 3);
		for (size_t i = 0; i < tr.n; i++)
			ck_assert_str_eq(tr.v[i].conf.sched, sched_cases[_i].want);
		return;
	}
	ck_assert_int_eq(run(), -EINVAL);
	ck_assert_uint_eq(tr.n, 0);
	ck_assert_int_eq(warns.n, 1);
	ck_assert_str_eq(warns.ns, "shop");
	ck_assert_str_eq(warns.name, "cart");
	ck_assert_msg(strstr(warns.reason, sched_cases[_i].ours ? sched_cases[_i].ours :
			     sched_cases[_i].kr ? sched_cases[_i].kr : sched_cases[_i].dflt),
		      "reason does not name the scheduler: %s", warns.reason);
}
END_TEST

START_TEST(scheduler_names_known)
{
	static const char *const good[] = {
		"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed",
		"nq", "fo", "ovf", "mh", "twos",
	};
	static const char *const bad[] = {
		"", "r", "rrr", "RR", "wlc ", " wlc", "round-robin", "none",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(agent_scheduler_known(good[i]), "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!agent_scheduler_known(bad[i]), "'%s'", bad[i]);
	ck_assert(!agent_scheduler_known(NULL));
}
END_TEST

/* A rejected Service appends nothing and keeps what was there; a NULL log
 * is fine. */
START_TEST(rejected_service_keeps_earlier_results)
{
	const struct k8s_endpointslice *none = NULL;

	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	ck_assert_int_eq(agent_translate(&conf, &svc, &none, 0, &tr, NULL), 0);
	ck_assert_uint_eq(tr.n, 1);
	svc_json("{'metadata':{'name':'bad','annotations':{'%s':'nope'}},"
		 "'spec':{'clusterIP':'10.96.0.11','ports':[{'port':80}]}}",
		 AGENT_ANNOTATION_SCHEDULER);
	ck_assert_int_eq(agent_translate(&conf, &svc, &none, 0, &tr, NULL), -EINVAL);
	ck_assert_uint_eq(tr.n, 1);
}
END_TEST

/* Several Services go into one translation, one after the other. */
START_TEST(translations_append)
{
	const struct k8s_endpointslice *none = NULL;

	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	ck_assert_int_eq(agent_translate(&conf, &svc, &none, 0, &tr, NULL), 0);
	SVC("'clusterIP':'10.96.0.11','ports':[{'port':53,'protocol':'UDP'}]");
	ck_assert_int_eq(agent_translate(&conf, &svc, &none, 0, &tr, NULL), 0);
	ck_assert_str_eq(listing(), "C -t 10.96.0.10:80 rr bind:\n"
				    "C -u 10.96.0.11:53 rr bind:\n");
	agent_translation_clear(&tr);
	ck_assert_uint_eq(tr.n, 0);
}
END_TEST

/* ---- services that are not proxied ---------------------------------------- */

START_TEST(skipped_services)
{
	static const char *const objs[] = {
		/* headless */
		"{'metadata':{'name':'web'},'spec':{'clusterIP':'None',"
		"'ports':[{'name':'http','port':80}]}}",
		"{'metadata':{'name':'web'},'spec':{'clusterIPs':['None'],"
		"'ports':[{'name':'http','port':80}]}}",
		/* ExternalName */
		"{'metadata':{'name':'web'},'spec':{'type':'ExternalName',"
		"'externalName':'db.example.com','ports':[{'name':'http','port':80}]}}",
		"{'metadata':{'name':'web'},'spec':{'type':'ExternalName',"
		"'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]}}",
		/* someone else's proxy */
		"{'metadata':{'name':'web','labels':{"
		"'service.kubernetes.io/service-proxy-name':'other'}},"
		"'spec':{'type':'NodePort','clusterIP':'10.96.0.10',"
		"'ports':[{'name':'http','port':80,'nodePort':30080}]}}",
	};

	svc_json("%s", objs[_i]);
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	ck_assert(agent_service_skipped(&svc));
	expect("");
}
END_TEST

START_TEST(proxied_service_is_not_skipped)
{
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	ck_assert(!agent_service_skipped(&svc));
}
END_TEST

/* ---- which endpoints -------------------------------------------------------- */

/* Slices are merged, and an IP:port in several of them counts once; a
 * ready copy wins over a not-ready one whatever the order. */
START_TEST(endpoints_merged_and_deduplicated)
{
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	if (_i == 0) {
		SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]",
		      "[" EP("10.1.0.1") "," EPC("10.1.0.2", false, false, false) "]");
		SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]",
		      "[" EP("10.1.0.2") "," EP("10.1.0.1") "," EP("10.1.0.3") "]");
	} else {
		SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]",
		      "[" EP("10.1.0.2") "," EP("10.1.0.1") "," EP("10.1.0.3") "]");
		SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]",
		      "[" EP("10.1.0.1") "," EPC("10.1.0.2", false, false, false) "]");
	}
	/* The same endpoint twice in one slice, too. */
	SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]",
	      "[" EP("10.1.0.4") "," EP("10.1.0.4") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:8080 10.1.0.2:8080 "
	       "10.1.0.3:8080 10.1.0.4:8080\n");
}
END_TEST

/* Same IP, another target port (a rollout changing targetPort): two real
 * servers. */
START_TEST(endpoints_deduplicated_by_ip_and_port)
{
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 8080) "]", "[" EP("10.1.0.1") "]");
	SLICE("IPv4", "[" PORT("http", "TCP", 9090) "]", "[" EP("10.1.0.1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:8080 10.1.0.1:9090\n");
}
END_TEST

/*
 * CategorizeEndpoints: the ready ones; only when none is ready, the
 * serving-and-terminating ones; never one neither ready nor serving.
 * Endpoints are 10.1.0.1..4 in order.
 */
static const struct {
	const char *eps;
	const char *dests;
} ready_cases[] = {
	{ "[" EP("10.1.0.1") "," EPC("10.1.0.2", false, true, true) "]",
	  " 10.1.0.1:80" },
	{ "[" EPC("10.1.0.1", false, true, true) ","
	  EPC("10.1.0.2", false, false, true) ","
	  EPC("10.1.0.3", false, false, false) ","
	  EPC("10.1.0.4", false, true, true) "]",
	  " 10.1.0.1:80 10.1.0.4:80" },
	/* serving but not terminating and not ready: not a fallback */
	{ "[" EPC("10.1.0.1", false, true, false) ","
	  EPC("10.1.0.2", false, false, true) "]",
	  "" },
	{ "[" EPC("10.1.0.1", false, false, false) "]", "" },
	{ "[" EPC("10.1.0.1", true, true, false) ","
	  EPC("10.1.0.2", true, true, false) ","
	  EPC("10.1.0.3", false, true, true) "]",
	  " 10.1.0.1:80 10.1.0.2:80" },
	/* serving defaults to ready */
	{ "[{'addresses':['10.1.0.1'],'conditions':{'ready':false,'terminating':true}}]",
	  "" },
	{ "[]", "" },
	{ "null", "" },
};

START_TEST(ready_else_serving_terminating)
{
	char want[256];

	SVC("'type':'NodePort','clusterIP':'10.96.0.10',"
	    "'ports':[{'name':'http','port':80,'nodePort':30080}]");
	slice_json("{'metadata':{'name':'s'},'addressType':'IPv4','ports':["
		   PORT("http", "TCP", 80) "],'endpoints':%s}", ready_cases[_i].eps);
	snprintf(want, sizeof(want),
		 "C -t 10.96.0.10:80 rr bind:%s\n"
		 "N -t 192.168.1.10:30080 rr:%s\n"
		 "N -t 192.168.1.11:30080 rr:%s\n",
		 ready_cases[_i].dests, ready_cases[_i].dests, ready_cases[_i].dests);
	expect(want);
}
END_TEST

/* The fallback is decided over all slices, not per slice. */
START_TEST(fallback_only_when_no_slice_has_ready)
{
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]",
	      "[" EPC("10.1.0.1", false, true, true) "]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.2") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.2:80\n");
}
END_TEST

/* internalTrafficPolicy: Local - the clusterIP gets this node's endpoints
 * (ready, else serving-and-terminating); the node ports keep the cluster's. */
static const struct {
	const char *eps;
	const char *local;    /* the clusterIP's dests, or " local" */
	const char *cluster;  /* the node ports' dests */
} internal_cases[] = {
	{ "[" EPN("10.1.0.1", "node-a") "," EPN("10.1.0.2", "node-b") ","
	  EPN("10.1.0.3", "node-a") "]",
	  ": 10.1.0.1:80 10.1.0.3:80", ": 10.1.0.1:80 10.1.0.2:80 10.1.0.3:80" },
	{ "[" EPN("10.1.0.2", "node-b") "," EP("10.1.0.3") "]",
	  " local:", ": 10.1.0.2:80 10.1.0.3:80" },
	/* local fallback to serving-and-terminating, though others are ready */
	{ "[" EPNC("10.1.0.1", "node-a", false, true, true) ","
	  EPN("10.1.0.2", "node-b") "]",
	  ": 10.1.0.1:80", ": 10.1.0.2:80" },
	/* a local one neither ready nor serving is never used */
	{ "[" EPNC("10.1.0.1", "node-a", false, false, false) ","
	  EPNC("10.1.0.3", "node-a", false, false, true) ","
	  EPN("10.1.0.2", "node-b") "]",
	  " local:", ": 10.1.0.2:80" },
	/* local ready wins over local serving-and-terminating */
	{ "[" EPNC("10.1.0.1", "node-a", false, true, true) ","
	  EPN("10.1.0.3", "node-a") "]",
	  ": 10.1.0.3:80", ": 10.1.0.3:80" },
	{ "[]", " local:", ":" },
};

START_TEST(internal_traffic_policy_local)
{
	char want[512];

	SVC("'type':'NodePort','clusterIP':'10.96.0.10',"
	    "'internalTrafficPolicy':'Local',"
	    "'ports':[{'name':'http','port':80,'nodePort':30080}]");
	slice_json("{'metadata':{'name':'s'},'addressType':'IPv4','ports':["
		   PORT("http", "TCP", 80) "],'endpoints':%s}", internal_cases[_i].eps);
	snprintf(want, sizeof(want),
		 "C -t 10.96.0.10:80 rr bind%s\n"
		 "N -t 192.168.1.10:30080 rr%s\n"
		 "N -t 192.168.1.11:30080 rr%s\n",
		 internal_cases[_i].local, internal_cases[_i].cluster,
		 internal_cases[_i].cluster);
	expect(want);
}
END_TEST

/* externalTrafficPolicy: Local - node ports, LB IPs and externalIPs get
 * this node's endpoints; the clusterIP keeps the cluster's. */
START_TEST(external_traffic_policy_local)
{
	svc_json("{'metadata':{'name':'web'},'spec':{'type':'LoadBalancer',"
		 "'clusterIP':'10.96.0.10','externalIPs':['198.51.100.1'],"
		 "'externalTrafficPolicy':'Local','ports':[{'name':'http',"
		 "'port':80,'nodePort':30080}]},'status':{'loadBalancer':{"
		 "'ingress':[{'ip':'203.0.113.1'}]}}}");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]",
	      "[" EPN("10.1.0.1", "node-a") "," EPN("10.1.0.2", "node-b") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80 10.1.0.2:80\n"
	       "E -t 198.51.100.1:80 rr bind: 10.1.0.1:80\n"
	       "L -t 203.0.113.1:80 rr bind: 10.1.0.1:80\n"
	       "N -t 192.168.1.10:30080 rr: 10.1.0.1:80\n"
	       "N -t 192.168.1.11:30080 rr: 10.1.0.1:80\n");
}
END_TEST

START_TEST(external_traffic_policy_local_without_local_endpoints)
{
	svc_json("{'metadata':{'name':'web'},'spec':{'type':'LoadBalancer',"
		 "'clusterIP':'10.96.0.10','externalIPs':['198.51.100.1'],"
		 "'externalTrafficPolicy':'Local','ports':[{'name':'http',"
		 "'port':80,'nodePort':30080}]},'status':{'loadBalancer':{"
		 "'ingress':[{'ip':'203.0.113.1'}]}}}");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]",
	      "[" EPN("10.1.0.2", "node-b") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.2:80\n"
	       "E -t 198.51.100.1:80 rr bind local:\n"
	       "L -t 203.0.113.1:80 rr bind local:\n"
	       "N -t 192.168.1.10:30080 rr local:\n"
	       "N -t 192.168.1.11:30080 rr local:\n");
}
END_TEST

START_TEST(both_traffic_policies_local)
{
	SVC("'type':'NodePort','clusterIP':'10.96.0.10',"
	    "'internalTrafficPolicy':'Local','externalTrafficPolicy':'Local',"
	    "'ports':[{'name':'http','port':80,'nodePort':30080}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]",
	      "[" EPN("10.1.0.1", "node-a") "," EPN("10.1.0.2", "node-b") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n"
	       "N -t 192.168.1.10:30080 rr: 10.1.0.1:80\n"
	       "N -t 192.168.1.11:30080 rr: 10.1.0.1:80\n");
}
END_TEST

/* Without a node name nothing is local. */
START_TEST(local_policy_without_node_name)
{
	conf.node_name = NULL;
	SVC("'clusterIP':'10.96.0.10','internalTrafficPolicy':'Local',"
	    "'ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]",
	      "[" EPN("10.1.0.1", "node-a") "," EP("10.1.0.2") "]");
	expect("C -t 10.96.0.10:80 rr bind local:\n");
}
END_TEST

/*
 * Topology hints: used when this node's zone is known, every ready
 * endpoint has hints, and at least one is for our zone; then only the
 * ready endpoints hinted for our zone.  Node zone "zone-a".
 */
static const struct {
	const char *zone;    /* conf.node_zone */
	const char *eps;
	const char *dests;
} topo_cases[] = {
	{ "zone-a",
	  "[" EPZ("10.1.0.1", Z("zone-a")) "," EPZ("10.1.0.2", Z("zone-b")) ","
	  EPZ("10.1.0.3", Z("zone-b") "," Z("zone-a")) "]",
	  " 10.1.0.1:80 10.1.0.3:80" },
	/* one ready endpoint without hints: no filtering */
	{ "zone-a",
	  "[" EPZ("10.1.0.1", Z("zone-a")) "," EP("10.1.0.2") "]",
	  " 10.1.0.1:80 10.1.0.2:80" },
	/* hints with an empty zone list count as none (as in kube-proxy) */
	{ "zone-a",
	  "[" EPZ("10.1.0.1", Z("zone-a")) "," EPZ("10.1.0.2", "") "]",
	  " 10.1.0.1:80 10.1.0.2:80" },
	/* none for our zone: no filtering */
	{ "zone-a",
	  "[" EPZ("10.1.0.1", Z("zone-b")) "," EPZ("10.1.0.2", Z("zone-c")) "]",
	  " 10.1.0.1:80 10.1.0.2:80" },
	/* zone unknown: no filtering */
	{ NULL,
	  "[" EPZ("10.1.0.1", Z("zone-a")) "," EPZ("10.1.0.2", Z("zone-b")) "]",
	  " 10.1.0.1:80 10.1.0.2:80" },
	{ "",
	  "[" EPZ("10.1.0.1", Z("zone-a")) "," EPZ("10.1.0.2", Z("zone-b")) "]",
	  " 10.1.0.1:80 10.1.0.2:80" },
	/* a not-ready endpoint without hints does not count */
	{ "zone-a",
	  "[" EPZ("10.1.0.1", Z("zone-a")) "," EPZ("10.1.0.2", Z("zone-b")) ","
	  EPC("10.1.0.3", false, false, false) "]",
	  " 10.1.0.1:80" },
	/* hinted for us but not ready: not a topology endpoint; hints are
	 * ignored in the serving-and-terminating fallback */
	{ "zone-a",
	  "[{'addresses':['10.1.0.1'],'conditions':{'ready':false,'serving':true,"
	  "'terminating':true},'hints':{'forZones':[" Z("zone-a") "]}},"
	  "{'addresses':['10.1.0.2'],'conditions':{'ready':false,'serving':true,"
	  "'terminating':true},'hints':{'forZones':[" Z("zone-b") "]}}]",
	  " 10.1.0.1:80 10.1.0.2:80" },
};

START_TEST(topology_hints)
{
	char want[512];

	conf.node_zone = topo_cases[_i].zone;
	SVC("'type':'NodePort','clusterIP':'10.96.0.10',"
	    "'ports':[{'name':'http','port':80,'nodePort':30080}]");
	slice_json("{'metadata':{'name':'s'},'addressType':'IPv4','ports':["
		   PORT("http", "TCP", 80) "],'endpoints':%s}", topo_cases[_i].eps);
	snprintf(want, sizeof(want),
		 "C -t 10.96.0.10:80 rr bind:%s\n"
		 "N -t 192.168.1.10:30080 rr:%s\n"
		 "N -t 192.168.1.11:30080 rr:%s\n",
		 topo_cases[_i].dests, topo_cases[_i].dests, topo_cases[_i].dests);
	expect(want);
}
END_TEST

/* Local policies pick by node, not by zone hints. */
START_TEST(topology_hints_do_not_apply_to_local)
{
	conf.node_zone = "zone-a";
	SVC("'clusterIP':'10.96.0.10','internalTrafficPolicy':'Local',"
	    "'ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]",
	      "[{'addresses':['10.1.0.1'],'nodeName':'node-a','hints':"
	      "{'forZones':[" Z("zone-b") "]}},"
	      "{'addresses':['10.1.0.2'],'nodeName':'node-b','hints':"
	      "{'forZones':[" Z("zone-a") "]}}]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n");
}
END_TEST

/* Hints are weighed over the merged slices. */
START_TEST(topology_hints_across_slices)
{
	conf.node_zone = "zone-a";
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]",
	      "[" EPZ("10.1.0.1", Z("zone-a")) "]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.2") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80 10.1.0.2:80\n");
}
END_TEST

/* ---- input that is ignored ---------------------------------------------------- */

START_TEST(fqdn_slices_ignored)
{
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	SLICE("FQDN", "[" PORT("http", "TCP", 80) "]",
	      "[{'addresses':['db.example.com']}]");
	ck_assert_int_eq(slices[0].af, 0);
	/* Even one holding IPs (the decoder drops its endpoints). */
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	slices[1].af = 0;
	expect("C -t 10.96.0.10:80 rr bind:\n");
}
END_TEST

START_TEST(slices_of_the_other_family_ignored)
{
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	SLICE("IPv6", "[" PORT("http", "TCP", 80) "]", "[" EP("fd01::1") "]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.1") "]");
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.1:80\n");
}
END_TEST

/* A slice port without a port number, or a slice without ports, gives no
 * real server for that slice. */
START_TEST(slice_port_missing_or_zero)
{
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[{'name':'http','protocol':'TCP'}]", "[" EP("10.1.0.1") "]");
	SLICE("IPv4", "null", "[" EP("10.1.0.2") "]");
	SLICE("IPv4", "[]", "[" EP("10.1.0.3") "]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.4") "]");
	ck_assert_uint_eq(slices[0].nports, 1);
	ck_assert_uint_eq(slices[0].ports[0].port, 0);
	/* Port 0 set by hand in an otherwise good slice. */
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]", "[" EP("10.1.0.5") "]");
	slices[4].ports[0].port = 0;
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.4:80\n");
}
END_TEST

/* Addresses that are not IPs of the slice's family (which the decoder
 * would have dropped) are left out, the rest kept. */
START_TEST(bad_endpoint_addresses_ignored)
{
	SVC("'clusterIP':'10.96.0.10','ports':[{'name':'http','port':80}]");
	SLICE("IPv4", "[" PORT("http", "TCP", 80) "]",
	      "[" EP("10.1.0.1") "," EP("10.1.0.2") "," EP("10.1.0.3") ","
	      EP("10.1.0.4") "," EP("10.1.0.5") "," EP("10.1.0.6") "]");
	set_str(&slices[0].endpoints[0].addresses[0], "not-an-ip");
	set_str(&slices[0].endpoints[1].addresses[0], "10.1.0.300");
	set_str(&slices[0].endpoints[2].addresses[0], "");
	set_str(&slices[0].endpoints[3].addresses[0], "fd01::4");
	free(slices[0].endpoints[4].addresses[0]);   /* no address at all */
	slices[0].endpoints[4].naddresses = 0;
	expect("C -t 10.96.0.10:80 rr bind: 10.1.0.6:80\n");
}
END_TEST

/* Likewise for the Service's own IPs. */
START_TEST(bad_service_ips_ignored)
{
	svc_json("{'metadata':{'name':'web'},'spec':{'type':'LoadBalancer',"
		 "'clusterIPs':['10.96.0.10','fd00::10'],"
		 "'externalIPs':['198.51.100.1','198.51.100.2'],"
		 "'ports':[{'name':'http','port':80}]},'status':{"
		 "'loadBalancer':{'ingress':[{'ip':'203.0.113.1'},"
		 "{'ip':'203.0.113.2'}]}}}");
	set_str(&svc.cluster_ips[1], "fd00::zz");
	set_str(&svc.external_ips[0], "198.51.100");
	set_str(&svc.lb_ips[1], "lb.example.com");
	expect("C -t 10.96.0.10:80 rr bind:\n"
	       "E -t 198.51.100.2:80 rr bind:\n"
	       "L -t 203.0.113.1:80 rr bind:\n");
}
END_TEST

/* ---- scale ------------------------------------------------------------------- */

/*
 * 5,000 endpoints in 50 slices of 110 (each repeats ten of the previous
 * slice's, not ready there: the ready copy must win), every 7th not
 * ready but serving-and-terminating.  No timing assertion: the test
 * timeout catches a quadratic blowup.
 */
#define SCALE_EPS 5000
#define SCALE_SLICES 50

/* Endpoint @i's address: 10.2.x.y. */
static void scale_ip(size_t i, char *buf, size_t len)
{
	snprintf(buf, len, "10.2.%zu.%zu", i / 250, i % 250 + 1);
}

static void scale_slices(void)
{
	size_t per = SCALE_EPS / SCALE_SLICES, s, i, off;
	char *text, ip[32];
	size_t len = 256 + (per + 10) * 128;

	text = malloc(len);
	ck_assert_ptr_nonnull(text);
	for (s = 0; s < SCALE_SLICES; s++) {
		off = (size_t)snprintf(text, len, "[");
		/* The next slice's first ten, as not ready and not serving. */
		for (i = (s + 1) * per; s + 1 < SCALE_SLICES && i < (s + 1) * per + 10; i++) {
			scale_ip(i, ip, sizeof(ip));
			off += (size_t)snprintf(text + off, len - off,
						"{'addresses':['%s'],'conditions':{'ready':false,"
						"'serving':false}},", ip);
		}
		for (i = s * per; i < (s + 1) * per; i++) {
			scale_ip(i, ip, sizeof(ip));
			off += (size_t)snprintf(text + off, len - off, "%s", i % per ? "," : "");
			if (i % 7 == 0)
				off += (size_t)snprintf(text + off, len - off,
							"{'addresses':['%s'],'conditions':{'ready':false,"
							"'serving':true,'terminating':true}}", ip);
			else
				off += (size_t)snprintf(text + off, len - off,
							"{'addresses':['%s'],'nodeName':'%s'}", ip,
							i % 2 ? "node-a" : "node-b");
		}
		snprintf(text + off, len - off, "]");
		ck_assert_uint_lt(off + 2, len);
		slice_json("{'metadata':{'name':'s%zu'},'addressType':'IPv4',"
			   "'ports':[" PORT("http", "TCP", 8080) "],'endpoints':%s}",
			   s, text);
	}
	free(text);
}

static int dest_cmp(const void *a, const void *b)
{
	return ipvs_dest_key_cmp(a, b);
}

START_TEST(five_thousand_endpoints)
{
	const struct agent_vs *vs;
	size_t i, ready = 0, local = 0;
	char ip[32];

	SVC("'type':'NodePort','clusterIP':'10.96.0.10',"
	    "'externalTrafficPolicy':'Local',"
	    "'ports':[{'name':'http','port':80,'nodePort':30080}]");
	scale_slices();
	for (i = 0; i < SCALE_EPS; i++) {
		ready += i % 7 != 0;
		local += i % 7 != 0 && i % 2;
	}
	ck_assert_int_eq(run(), 0);
	ck_assert_uint_eq(tr.n, 3);
	vs = find_vs(AGENT_VS_CLUSTER_IP, "-t 10.96.0.10:80");
	ck_assert_ptr_nonnull(vs);
	ck_assert_uint_eq(vs->ndests, ready);
	/* Sorted and unique (check_invariants), so the count and the
	 * absence of every not-ready one make it exactly the ready ones. */
	for (i = 0; i < vs->ndests; i++)
		REQUIRE(vs->dests[i].port == 8080);
	for (i = 0; i < SCALE_EPS; i += 7) {
		struct ipvs_dest key;
		int af;

		scale_ip(i, ip, sizeof(ip));
		ipvs_dest_init(&key);
		REQUIRE(ipvs_addr_parse(ip, &af, &key.addr) == 0);
		key.port = 8080;
		REQUIRE(!bsearch(&key, vs->dests, vs->ndests, sizeof(key), dest_cmp));
	}
	vs = find_vs(AGENT_VS_NODE_PORT, "-t 192.168.1.10:30080");
	ck_assert_ptr_nonnull(vs);
	ck_assert_uint_eq(vs->ndests, local);
}
END_TEST

Suite *translate_suite(void)
{
	Suite *s = suite_create("translate");
	TCase *ips = tcase_create("ips");
	TCase *sched = tcase_create("scheduler");
	TCase *eps = tcase_create("endpoints");
	TCase *ign = tcase_create("ignored");
	TCase *scale = tcase_create("scale");

	tcase_add_checked_fixture(ips, setup, teardown);
	tcase_add_test(ips, cluster_ip_one_port);
	tcase_add_loop_test(ips, dual_stack_each_cluster_ip_gets_its_own_family, 0, 2);
	tcase_add_test(ips, dual_stack_without_endpoints_of_one_family);
	tcase_add_test(ips, single_stack_ipv6);
	tcase_add_test(ips, single_stack_gets_nothing_in_the_other_family);
	tcase_add_test(ips, no_cluster_ip_yet_gives_nothing);
	tcase_add_loop_test(ips, every_protocol, 0, sizeof(protos) / sizeof(protos[0]));
	tcase_add_test(ips, every_port_of_a_service);
	tcase_add_test(ips, slice_port_matched_by_name_and_protocol);
	tcase_add_test(ips, unnamed_ports);
	tcase_add_test(ips, named_service_port_ignores_unnamed_slice_port);
	tcase_add_test(ips, service_without_ports_gives_nothing);
	tcase_add_loop_test(ips, node_ports_by_type, 0,
			    sizeof(node_port_cases) / sizeof(node_port_cases[0]));
	tcase_add_test(ips, node_ports_dual_stack_on_every_node_address);
	tcase_add_test(ips, node_ports_without_node_addresses);
	tcase_add_test(ips, load_balancer_port_without_node_port);
	tcase_add_test(ips, load_balancer_ingress_ips);
	tcase_add_test(ips, external_ips);
	tcase_add_test(ips, bind_flag_per_kind);
	tcase_add_test(ips, session_affinity_client_ip_everywhere);
	tcase_add_test(ips, session_affinity_default_timeout);
	tcase_add_test(ips, session_affinity_none);
	suite_add_tcase(s, ips);

	tcase_add_checked_fixture(sched, setup, teardown);
	tcase_add_loop_test(sched, scheduler_choice, 0,
			    sizeof(sched_cases) / sizeof(sched_cases[0]));
	tcase_add_test(sched, scheduler_names_known);
	tcase_add_test(sched, rejected_service_keeps_earlier_results);
	tcase_add_test(sched, translations_append);
	suite_add_tcase(s, sched);

	tcase_add_checked_fixture(eps, setup, teardown);
	tcase_add_loop_test(eps, endpoints_merged_and_deduplicated, 0, 2);
	tcase_add_test(eps, endpoints_deduplicated_by_ip_and_port);
	tcase_add_loop_test(eps, ready_else_serving_terminating, 0,
			    sizeof(ready_cases) / sizeof(ready_cases[0]));
	tcase_add_test(eps, fallback_only_when_no_slice_has_ready);
	tcase_add_loop_test(eps, internal_traffic_policy_local, 0,
			    sizeof(internal_cases) / sizeof(internal_cases[0]));
	tcase_add_test(eps, external_traffic_policy_local);
	tcase_add_test(eps, external_traffic_policy_local_without_local_endpoints);
	tcase_add_test(eps, both_traffic_policies_local);
	tcase_add_test(eps, local_policy_without_node_name);
	tcase_add_loop_test(eps, topology_hints, 0,
			    sizeof(topo_cases) / sizeof(topo_cases[0]));
	tcase_add_test(eps, topology_hints_do_not_apply_to_local);
	tcase_add_test(eps, topology_hints_across_slices);
	suite_add_tcase(s, eps);

	tcase_add_checked_fixture(ign, setup, teardown);
	tcase_add_loop_test(ign, skipped_services, 0, 5);
	tcase_add_test(ign, proxied_service_is_not_skipped);
	tcase_add_test(ign, fqdn_slices_ignored);
	tcase_add_test(ign, slices_of_the_other_family_ignored);
	tcase_add_test(ign, slice_port_missing_or_zero);
	tcase_add_test(ign, bad_endpoint_addresses_ignored);
	tcase_add_test(ign, bad_service_ips_ignored);
	suite_add_tcase(s, ign);

	tcase_add_checked_fixture(scale, setup, teardown);
	tcase_set_timeout(scale, 60);
	tcase_add_test(scale, five_thousand_endpoints);
	suite_add_tcase(s, scale);
	return s;
}
