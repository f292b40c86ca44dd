/*
 * agent/source_api.c - the API server as the agent's source: load the
 * configuration, start one reflector per resource, and say "ready" only
 * when both Services and EndpointSlices have been listed once.
 */
#include "source_api.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "version.h"

static const enum k8s_resource api_needed[] = {
	K8S_RES_SERVICES, K8S_RES_SLICES,
};

static void api_changed(void *arg, enum k8s_resource res)
{
	struct agent_api_source *s = arg;

	agent_logv(3, "API: %s changed", k8s_resource_name(res));
	if (s->changed)
		s->changed(s->arg, res);
}

/* The Node is not waited for: a node without its Node object (or without
 * RBAC to read it) still proxies, only without a zone. */
static void api_synced(void *arg, enum k8s_resource res)
{
	struct agent_api_source *s = arg;
	size_t i;

	agent_logv(1, "API: %s listed, resourceVersion %s",
		   k8s_resource_name(res), k8s_reflector_rv(s->refl[res]));
	if (s->ready)
		return;
	for (i = 0; i < sizeof(api_needed) / sizeof(api_needed[0]); i++)
		if (!k8s_reflector_synced(s->refl[api_needed[i]]))
			return;
	s->ready = 1;
	agent_log(AGENT_LOG_INFO, "API: Services and EndpointSlices listed; "
		  "applying");
	if (s->ready_cb)
		s->ready_cb(s->arg);
}

/* Objects the decoder refused (they have a name), and lines of a
 * stream that are not events (they have none). */
static void api_warn(void *arg, const char *kind, const char *ns,
		     const char *name, const char *reason)
{
	struct agent_api_source *s = arg;

	if (*name)
		s->rejected++;
	agent_log(AGENT_LOG_WARN, "%s %s%s%s: %s", kind, ns, *ns ? "/" : "",
		  name, reason);
}

/* Failures are logged as the reflector starts to back off, recoveries
 * when it watches again: one line per attempt, 30 s apart at worst. */
static void api_state(void *arg, enum k8s_resource res,
		      enum k8s_reflector_state st)
{
	struct agent_api_source *s = arg;
	struct k8s_reflector *r = s->refl[res];

	if (!r)
		return;
	if (st == K8S_REFLECTOR_BACKOFF) {
		s->failing[res] = 1;
		agent_log(AGENT_LOG_WARN, "API: %s: %s; retrying in %.1fs",
			  k8s_resource_name(res), k8s_reflector_last_error(r),
			  k8s_reflector_retry_in(r));
	} else if (st == K8S_REFLECTOR_WATCHING && s->failing[res]) {
		s->failing[res] = 0;
		agent_log(AGENT_LOG_INFO, "API: %s: watching again",
			  k8s_resource_name(res));
	}
}

static int api_reflectors(struct agent_api_source *s, struct ev_loop *loop,
			  const char *node_name, struct k8s_store *store)
{
	static const struct k8s_reflector_hooks proto = {
		.changed = api_changed, .synced = api_synced,
		.state = api_state,
	};
	struct k8s_reflector_hooks hooks = proto;
	int i;

	s->log.warn = api_warn;
	s->log.arg = s;
	hooks.log = &s->log;
	hooks.arg = s;
	for (i = 0; i < K8S_RES_COUNT; i++) {
		s->refl[i] = k8s_reflector_new(loop, s->http, i, node_name,
					       store, &hooks);
		if (!s->refl[i])
			return -ENOMEM;
	}
	for (i = 0; i < K8S_RES_COUNT; i++)
		k8s_reflector_start(s->refl[i]);
	return 0;
}

int agent_api_source_start(struct agent_api_source *s, struct ev_loop *loop,
			   const char *kubeconfig, const char *master,
			   const char *node_name, struct k8s_store *store)
{
	char err[512];
	int r;

	s->config.user_agent = "ipvsagent/" IPVSAGENT_VERSION;
	if ((r = k8s_config_load(&s->config, kubeconfig, master, err,
				 sizeof(err)))) {
		agent_log(AGENT_LOG_ERROR, "API configuration: %s", err);
		return r;
	}
	if (!(s->http = k8s_http_new(loop, &s->config, err, sizeof(err)))) {
		agent_log(AGENT_LOG_ERROR, "API client: %s", err);
		return -ENOMEM;
	}
	if ((r = api_reflectors(s, loop, node_name, store))) {
		agent_log(AGENT_LOG_ERROR, "API: %s", strerror(-r));
		return r;
	}
	agent_log(AGENT_LOG_INFO, "API server %s (%s)", s->config.server,
		  s->config.source);
	return 0;
}

void agent_api_source_stop(struct agent_api_source *s)
{
	int i;

	for (i = 0; i < K8S_RES_COUNT; i++) {
		k8s_reflector_free(s->refl[i]);
		s->refl[i] = NULL;
	}
	k8s_http_free(s->http);
	s->http = NULL;
	k8s_config_fini(&s->config);
}
