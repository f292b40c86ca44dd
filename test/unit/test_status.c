/*
 * test/unit/test_status.c - agent/status.c (the /status document, on a
 * fixture agent) and agent/status_table.c (`ipvsagent status`'s table,
 * fed JSON).
 */
#include <cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/log.h"
#include "agent/status.h"
#include "agent/status_table.h"
#include "agent/version.h"
#include "agent_fixture.h"
#include "suites.h"

#define NOW 1795297100.0

#define LIST \
	"{'apiVersion':'v1','kind':'List','items':[" \
	" {'kind':'Service','metadata':{'namespace':'default','name':'web'}," \
	"  'spec':{'clusterIP':'10.96.0.10','sessionAffinity':'ClientIP'," \
	"   'ports':[{'name':'http','port':80,'protocol':'TCP'}]}}," \
	" {'kind':'EndpointSlice','metadata':{'namespace':'default','name':'web-1'," \
	"   'labels':{'kubernetes.io/service-name':'web'}},'addressType':'IPv4'," \
	"  'ports':[{'name':'http','port':8080,'protocol':'TCP'}]," \
	"  'endpoints':[{'addresses':['10.244.1.2']},{'addresses':['10.244.2.2']}]}," \
	" {'kind':'Service','metadata':{'namespace':'default','name':'local'}," \
	"  'spec':{'clusterIP':'10.96.0.20','internalTrafficPolicy':'Local'," \
	"   'ports':[{'port':53,'protocol':'UDP'}]}}," \
	" {'kind':'Service','metadata':{'namespace':'a-first','name':'other'}," \
	"  'spec':{'clusterIP':'10.96.0.30','ports':[{'port':80}]}}" \
	"]}"

static struct fx_agent fx;
static cJSON *doc;

static void setup(void)
{
	struct agent_drain *d;
	int af;

	fx_agent_init(&fx, LIST);
	fx_agent_apply(&fx, "-t 10.96.0.10:80", 1);
	fx_agent_apply(&fx, "-t 10.96.0.30:80", 0);   /* someone else's */
	/* 10.244.2.2 drains: weight 0 in the kernel, in the drain list. */
	d = fx.a.sync.drains = calloc(1, sizeof(*d));
	ck_assert_ptr_nonnull(d);
	fx.a.sync.ndrains = fx.a.sync.cap_drains = 1;
	d->key = ipvs_state_service_conf(fx_agent_find(fx.a.sync.have,
						       "-t 10.96.0.10:80"))->key;
	ipvs_dest_init(&d->dest);
	ck_assert_int_eq(ipvs_addr_parse("10.244.2.2", &af, &d->dest.addr), 0);
	d->dest.af = (uint16_t)af;
	d->dest.port = 8080;
	ipvs_state_dest_find(fx_agent_find(fx.a.sync.have, "-t 10.96.0.10:80"),
			     &d->dest)->conf.weight = 0;
	ipvs_state_dest_find(fx_agent_find(fx.a.sync.have, "-t 10.96.0.10:80"),
			     &d->dest)->conns.active = 3;
	fx.a.sync.stats.last_applied = NOW - 5;
	fx.a.sync.stats.last_sync = NOW - 5;
	fx.a.sync.stats.last_sync_duration = 0.0012;
	fx.a.sync.stats.last_verify = NOW - 12;
	fx.a.sync.stats.last_verify_duration = 0.0034;
	fx.a.file.loads = 2;
	fx.opt.services_file = "/etc/ipvsagent/services.json";
	doc = NULL;
}

static void teardown(void)
{
	cJSON_Delete(doc);
	fx_agent_fini(&fx);
}

static cJSON *status(const char *only, int want_rc)
{
	struct agent_buf b;

	agent_buf_init(&b);
	ck_assert_int_eq(agent_status_json(&fx.a, NOW, only, &b), want_rc);
	ck_assert(!b.oom);
	cJSON_Delete(doc);
	doc = cJSON_Parse(b.p);
	ck_assert_msg(doc != NULL, "not JSON: %s", b.p);
	agent_buf_fini(&b);
	return doc;
}

static const cJSON *get(const cJSON *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(key))
				     : cJSON_GetObjectItemCaseSensitive(o, key);
		path = dot + 1;
	}
	o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(path))
			     : cJSON_GetObjectItemCaseSensitive(o, path);
	ck_assert_msg(o != NULL, "no %s", path);
	return o;
}

static const char *s_at(const cJSON *o, const char *path)
{
	const cJSON *v = get(o, path);

	ck_assert_msg(cJSON_IsString(v), "%s is not a string", path);
	return v->valuestring;
}

static double n_at(const cJSON *o, const char *path)
{
	const cJSON *v = get(o, path);

	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", path);
	return v->valuedouble;
}

START_TEST(document_shape)
{
	const cJSON *d = status(NULL, 0), *web;

	ck_assert_str_eq(s_at(d, "node"), "node1");
	ck_assert(n_at(d, "time") == NOW);
	ck_assert(cJSON_IsTrue(get(d, "healthy")));
	ck_assert(cJSON_IsTrue(get(d, "sync.healthy")));
	ck_assert(cJSON_IsNull(get(d, "sync.oldestUnappliedChange")));
	ck_assert(n_at(d, "sync.lastApplied") == NOW - 5);
	ck_assert(n_at(d, "sync.timeoutSeconds") == 60);
	ck_assert(cJSON_IsTrue(get(d, "nodeStatus.eligible")));
	ck_assert(cJSON_IsFalse(get(d, "nodeStatus.known")));
	ck_assert_str_eq(s_at(d, "source.kind"), "file");
	ck_assert(n_at(d, "source.reads") == 2);
	ck_assert(n_at(d, "counts.services") == 3);
	ck_assert(n_at(d, "counts.virtualServers") == 1);
	ck_assert(n_at(d, "counts.realServers") == 2);
	ck_assert(n_at(d, "counts.draining") == 1);
	ck_assert(n_at(d, "counts.foreignVirtualServers") == 1);
	/* Sorted by namespace/name. */
	ck_assert_int_eq(cJSON_GetArraySize(get(d, "services")), 3);
	ck_assert_str_eq(s_at(d, "services.0.namespace"), "a-first");
	ck_assert_str_eq(s_at(d, "services.1.name"), "local");
	ck_assert_str_eq(s_at(d, "services.2.name"), "web");
	ck_assert_str_eq(s_at(d, "services.0.virtualServers.0.state"), "foreign");
	ck_assert_str_eq(s_at(d, "services.1.virtualServers.0.state"), "pending");
	ck_assert(cJSON_IsTrue(get(d, "services.1.virtualServers.0.localOnly")));
	ck_assert_int_eq(cJSON_GetArraySize(get(d, "services.1.virtualServers.0.realServers")), 0);
	web = get(d, "services.2.virtualServers.0");
	ck_assert_str_eq(s_at(web, "kind"), "ClusterIP");
	ck_assert_str_eq(s_at(web, "protocol"), "TCP");
	ck_assert_str_eq(s_at(web, "vip"), "10.96.0.10");
	ck_assert(n_at(web, "port") == 80);
	ck_assert_str_eq(s_at(web, "portName"), "http");
	ck_assert_str_eq(s_at(web, "scheduler"), "rr");
	ck_assert(n_at(web, "persistenceSeconds") == 10800);
	/* The kernel's real servers: the draining one (weight 0) as well;
	 * so the wanted configuration is not what the kernel has yet. */
	ck_assert_int_eq(cJSON_GetArraySize(get(web, "realServers")), 2);
	ck_assert_str_eq(s_at(web, "realServers.0.ip"), "10.244.1.2");
	ck_assert(n_at(web, "realServers.0.weight") == 1);
	ck_assert(cJSON_IsFalse(get(web, "realServers.0.draining")));
	ck_assert(n_at(web, "realServers.1.weight") == 0);
	ck_assert(n_at(web, "realServers.1.activeConns") == 3);
	ck_assert(cJSON_IsTrue(get(web, "realServers.1.draining")));
	ck_assert(cJSON_IsArray(get(d, "errors")));
}
END_TEST

START_TEST(one_service)
{
	const cJSON *d = status("default/web", 0);

	ck_assert_int_eq(cJSON_GetArraySize(get(d, "services")), 1);
	ck_assert_str_eq(s_at(d, "services.0.name"), "web");
	d = status("default/nope", 1);
	ck_assert_int_eq(cJSON_GetArraySize(get(d, "services")), 0);
}
END_TEST

/* A change late beyond 2 x sync period, and the latest warnings. */
START_TEST(unhealthy_and_errors)
{
	const cJSON *d;
	int fd = dup(2), null = open("/dev/null", 1);

	dup2(null, 2);   /* the log line goes to stderr too */
	agent_log(AGENT_LOG_WARN, "Service default/x: bad \"port\" (left out)");
	dup2(fd, 2);
	close(fd);
	close(null);
	fx.a.sync.stats.oldest_unapplied = NOW - 61;
	d = status(NULL, 0);
	ck_assert(cJSON_IsFalse(get(d, "healthy")));
	ck_assert(n_at(d, "sync.oldestUnappliedChange") == NOW - 61);
	d = get(d, "errors");
	d = cJSON_GetArrayItem(d, cJSON_GetArraySize(d) - 1);   /* the latest */
	ck_assert_str_eq(s_at(d, "level"), "W");
	ck_assert_str_eq(s_at(d, "message"), "Service default/x: bad \"port\" (left out)");
}
END_TEST

/* The API source: each reflector's state, even before it runs. */
START_TEST(api_source)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	const cJSON *d;

	fx.a.use_api = 1;
	fx.a.api.refl[K8S_RES_SERVICES] = k8s_reflector_new(loop, NULL,
		K8S_RES_SERVICES, "node1", fx.a.store, NULL);
	fx.a.api.refl[K8S_RES_NODE] = k8s_reflector_new(loop, NULL,
		K8S_RES_NODE, "node1", fx.a.store, NULL);
	ck_assert_ptr_nonnull(fx.a.api.refl[K8S_RES_SERVICES]);
	ck_assert_ptr_nonnull(fx.a.api.refl[K8S_RES_NODE]);
	d = status(NULL, 0);
	ck_assert_str_eq(s_at(d, "source.kind"), "api");
	ck_assert(cJSON_IsFalse(get(d, "source.ready")));
	ck_assert_int_eq(cJSON_GetArraySize(get(d, "source.resources")), 2);
	ck_assert_str_eq(s_at(d, "source.resources.0.resource"), "services");
	ck_assert_str_eq(s_at(d, "source.resources.0.state"), "stopped");
	ck_assert(cJSON_IsFalse(get(d, "source.resources.0.synced")));
	ck_assert_str_eq(s_at(d, "source.resources.1.resource"), "node");
	ck_assert(cJSON_IsNull(get(d, "source.resources.1.lastEvent")));
	/* No Node yet: not eligible, as kube-proxy. */
	ck_assert(cJSON_IsFalse(get(d, "nodeStatus.eligible")));
	k8s_reflector_free(fx.a.api.refl[K8S_RES_SERVICES]);
	k8s_reflector_free(fx.a.api.refl[K8S_RES_NODE]);
	ev_loop_destroy(loop);
}
END_TEST

/* --- the table --------------------------------------------------------------- */

static char *render(const cJSON *d, int color, int *rc)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	*rc = agent_status_render(f, d, color);
	fclose(f);
	return text;
}

/* Long texts: Check's messages have a size limit, so show a mismatch on
 * stderr and fail with a short one. */
static void same(const char *got, const char *want)
{
	/* A prefix: with CK_FORK=no other tests' warnings follow. */
	if (!strncmp(got, want, strlen(want)))
		return;
	fprintf(stderr, "--- got:\n%s--- want:\n%s---\n", got, want);
	ck_abort_msg("the table differs (see stderr)");
}

START_TEST(table_from_document)
{
	int rc;
	char *text = render(status(NULL, 0), 0, &rc);

	ck_assert_int_eq(rc, 0);
	same(text,
"ipvsagent " IPVSAGENT_VERSION " on node node1: healthy\n"
"  sync       applied 5s ago (1.2ms), verified 12s ago (dump 3.4ms), changed 5s ago; 0 pending, 0 to retry, 0 refused\n"
"  source     file /etc/ipvsagent/services.json: 2 reads, 0 failed, 0 objects rejected\n"
"  node       node1: eligible for traffic\n"
"  counts     3 Services (3 programmed), 1 EndpointSlices, 1 virtual servers, 2 real servers (1 draining), 1 foreign virtual servers\n"
"\n"
"NAMESPACE   NAME    TYPE        VIRTUAL SERVER             SCHEDULER             REAL SERVER                 WEIGHT   ACTIVE   INACTIVE   STATE\n"
"a-first     other   ClusterIP   TCP 10.96.0.30:80          rr                    <none>                                                   foreign\n"
"default     local   ClusterIP   UDP 10.96.0.20:53          rr                    <none: no local endpoint>                                pending\n"
"default     web     ClusterIP   TCP 10.96.0.10:80 (http)   rr persistent 10800   10.244.1.2:8080             1        0        0\n"
"                                                                                 10.244.2.2:8080             0        3        0          draining\n");
	free(text);
}
END_TEST

#define API_DOC \
	"{'version':'9.9','node':'n2','time':1000,'healthy':false," \
	" 'sync':{'healthy':false,'ready':false,'timeoutSeconds':60," \
	"  'oldestUnappliedChange':900,'lastApplied':null,'lastVerify':990," \
	"  'lastVerifyDurationSeconds':0.002,'pendingKeys':4,'retryKeys':1,'operationErrors':2}," \
	" 'nodeStatus':{'name':'n2','eligible':false,'toBeDeleted':true}," \
	" 'source':{'kind':'api','ready':false,'resources':[" \
	"  {'resource':'services','state':'watching','resourceVersion':'42','events':3}," \
	"  {'resource':'endpointslices','state':'backoff','lastError':'list: HTTP 500'}]}," \
	" 'counts':{'services':1}," \
	" 'services':[{'namespace':'ns','name':'v6','virtualServers':[" \
	"  {'kind':'NodePort','protocol':'UDP','vip':'fd00::1','port':30053,'scheduler':'sh'," \
	"   'state':'applied','realServers':[{'ip':'fd00:1::2','port':53,'weight':1}]}]}]," \
	" 'errors':[{'time':995,'level':'E','message':'sync: -a ...: Invalid argument'}]}"

static cJSON *quoted(const char *s)
{
	char *t = strdup(s), *p;
	cJSON *j;

	for (p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = cJSON_Parse(t);
	free(t);
	ck_assert_ptr_nonnull(j);
	return j;
}

START_TEST(table_unhealthy_api)
{
	cJSON *d = quoted(API_DOC);
	int rc;
	char *text = render(d, 0, &rc);

	ck_assert_int_eq(rc, 1);
	ck_assert_ptr_nonnull(strstr(text, "on node n2: UNHEALTHY\n"));
	ck_assert_ptr_nonnull(strstr(text, "UNHEALTHY  a change queued 100s ago is "
				     "not in the kernel yet (limit 60s)\n"));
	ck_assert_ptr_nonnull(strstr(text, "waiting    for the source's first"));
	ck_assert_ptr_nonnull(strstr(text, "applied never"));
	ck_assert_ptr_nonnull(strstr(text, "source     API server (first lists not complete)\n"));
	ck_assert_ptr_nonnull(strstr(text, "    services        watching  rv 42, 3 events"));
	ck_assert_ptr_nonnull(strstr(text, "endpointslices  backoff   rv -, 0 events, "
				     "0 relists, 0 errors; last: list: HTTP 500\n"));
	ck_assert_ptr_nonnull(strstr(text, "not eligible for traffic (ToBeDeletedByClusterAutoscaler)"));
	ck_assert_ptr_nonnull(strstr(text, "NodePort   UDP [fd00::1]:30053   sh"));
	ck_assert_ptr_nonnull(strstr(text, "[fd00:1::2]:53"));
	ck_assert_ptr_nonnull(strstr(text, "Recent warnings and errors (1):\n"
				     "  5s ago  sync: -a ...: Invalid argument\n"));
	ck_assert_ptr_null(strchr(text, '\033'));
	free(text);
	text = render(d, 1, &rc);
	ck_assert_ptr_nonnull(strstr(text, "\033[31m\033[1mUNHEALTHY\033[0m"));
	free(text);
	cJSON_Delete(d);
}
END_TEST

START_TEST(table_not_a_document)
{
	cJSON *d = quoted("{'a':1}");
	int rc;
	char *text = render(d, 0, &rc);

	ck_assert_int_eq(rc, 1);
	ck_assert_str_eq(text, "not an ipvsagent /status document\n");
	free(text);
	cJSON_Delete(d);
}
END_TEST

START_TEST(ages)
{
	char b[32];

	ck_assert_str_eq(agent_status_age(-3, b, sizeof(b)), "0s");
	ck_assert_str_eq(agent_status_age(119.9, b, sizeof(b)), "119s");
	ck_assert_str_eq(agent_status_age(190, b, sizeof(b)), "3m10s");
	ck_assert_str_eq(agent_status_age(7500, b, sizeof(b)), "2h5m");
	ck_assert_str_eq(agent_status_age(273600, b, sizeof(b)), "3d4h");
}
END_TEST

Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("status");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, document_shape);
	tcase_add_test(tc, one_service);
	tcase_add_test(tc, unhealthy_and_errors);
	tcase_add_test(tc, api_source);
	tcase_add_test(tc, table_from_document);
	tcase_add_test(tc, table_unhealthy_api);
	tcase_add_test(tc, table_not_a_document);
	tcase_add_test(tc, ages);
	suite_add_tcase(s, tc);
	return s;
}
