/*
 * agent/desired.c - per-Service contributions to the desired state.
 */
#include "desired.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vip.h"

static void warn(void *arg, const char *ns, const char *name, const char *reason)
{
	struct agent_desired *d = arg;

	d->rejected++;
	agent_log(AGENT_LOG_WARN, "Service %s/%s: %s (left out)", ns, name, reason);
}

int agent_desired_init(struct agent_desired *d)
{
	memset(d, 0, sizeof(*d));
	strmap_init(&d->contribs);
	strmap_init(&d->holders);
	agent_translation_init(&d->tr);
	d->want = ipvs_state_new();
	return d->want ? 0 : -ENOMEM;
}

static void contrib_free(struct agent_contrib *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++)
		free(c->vs[i].port_name);
	free(c->ns);
	free(c->name);
	free(c);
}

static void free_one(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	contrib_free(value);
}

void agent_desired_fini(struct agent_desired *d)
{
	strmap_foreach(&d->contribs, free_one, NULL);
	strmap_fini(&d->contribs);
	strmap_fini(&d->holders);
	agent_translation_fini(&d->tr);
	ipvs_state_free(d->want);
}

static char *ns_key(const char *ns, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", ns, name);
	return buf;
}

static void touch(struct agent_desired *d, const struct ipvs_service_key *k)
{
	if (d->touch)
		d->touch(d->touch_arg, k);
}

/* Take back everything Service @c put in the desired table. */
static void withdraw(struct agent_desired *d, struct agent_contrib *c)
{
	char key[IPVS_FMT_MAX];
	size_t i;

	for (i = 0; i < c->n; i++) {
		ipvs_service_key_fmt(&c->vs[i].key, key, sizeof(key));
		if (strmap_get(&d->holders, key) != c)
			continue;
		strmap_del(&d->holders, key);
		ipvs_state_remove(d->want, &c->vs[i].key);
		if (c->vs[i].bind && d->vip)
			agent_vip_unref(d->vip, c->vs[i].key.af, &c->vs[i].key.addr);
		touch(d, &c->vs[i].key);
	}
}

/* Put one translated virtual service in the table; 1 if it was taken. */
static int place(struct agent_desired *d, struct agent_contrib *c,
		 const struct agent_vs *vs)
{
	struct ipvs_state_service *ss;
	char key[IPVS_FMT_MAX];
	struct agent_contrib *holder;
	size_t i;

	ipvs_service_key_fmt(&vs->conf.key, key, sizeof(key));
	holder = strmap_get(&d->holders, key);
	if (holder && holder != c) {
		d->conflicts++;
		agent_log(AGENT_LOG_WARN, "Service %s/%s: %s is already Service "
			  "%s/%s's (left out)", c->ns, c->name, key, holder->ns,
			  holder->name);
		return 0;
	}
	if (!(ss = ipvs_state_put(d->want, &vs->conf)) ||
	    strmap_put(&d->holders, key, c))
		return -ENOMEM;
	for (i = 0; i < vs->ndests; i++)
		if (!ipvs_state_dest_put(ss, &vs->dests[i]))
			return -ENOMEM;
	if (vs->bind && d->vip)
		agent_vip_ref(d->vip, vs->conf.key.af, &vs->conf.key.addr);
	d->no_local_endpoints += vs->local_only;
	touch(d, &vs->conf.key);
	return 1;
}

static struct agent_contrib *contrib_new(const char *ns, const char *name,
					 size_t n)
{
	struct agent_contrib *c = calloc(1, sizeof(*c) + n * sizeof(c->vs[0]));

	if (c && (!(c->ns = strdup(ns)) || !(c->name = strdup(name)))) {
		contrib_free(c);
		return NULL;
	}
	return c;
}

/* Translate @svc and place its virtual services as contribution @c. */
static int contribute(struct agent_desired *d, const struct k8s_store *st,
		      const struct k8s_service *svc, struct agent_contrib **out)
{
	struct agent_translate_log log = { warn, d };
	const struct k8s_endpointslice **slices = NULL;
	struct agent_contrib *c;
	struct agent_contrib_vs *cv;
	size_t i, n;
	int r;

	*out = NULL;
	n = k8s_store_slices_of(st, svc->meta.ns, svc->meta.name, NULL, 0);
	if (n && !(slices = malloc(n * sizeof(*slices))))
		return -ENOMEM;
	k8s_store_slices_of(st, svc->meta.ns, svc->meta.name, slices, n);
	agent_translation_clear(&d->tr);
	r = agent_translate(&d->conf, svc, slices, n, &d->tr, &log);
	free(slices);
	if (r)
		return r == -EINVAL ? 0 : r;
	if (!(c = contrib_new(svc->meta.ns, svc->meta.name, d->tr.n)))
		return -ENOMEM;
	*out = c;
	for (i = 0; i < d->tr.n; i++) {
		if ((r = place(d, c, &d->tr.v[i])) < 0)
			return r;
		if (!r)
			continue;
		cv = &c->vs[c->n++];
		cv->key = d->tr.v[i].conf.key;
		cv->kind = d->tr.v[i].kind;
		cv->bind = d->tr.v[i].bind;
		cv->local_only = d->tr.v[i].local_only;
		cv->port_name = strdup(d->tr.v[i].port_name);
	}
	return 0;
}

int agent_desired_update(struct agent_desired *d, const struct k8s_store *st,
			 const char *ns, const char *name)
{
	const struct k8s_service *svc = k8s_store_service(st, ns, name);
	struct agent_contrib *old, *c = NULL;
	char key[512];
	int r;

	ns_key(ns, name, key, sizeof(key));
	if ((old = strmap_del(&d->contribs, key))) {
		withdraw(d, old);
		contrib_free(old);
	}
	if (!svc)
		return 0;
	r = contribute(d, st, svc, &c);
	if (c && strmap_put(&d->contribs, key, c)) {
		withdraw(d, c);
		contrib_free(c);
		r = -ENOMEM;
	}
	return r;
}

static int update_one(void *arg, const struct k8s_service *s)
{
	void **a = arg;

	agent_desired_update(a[0], a[1], s->meta.ns, s->meta.name);
	return 0;
}

int agent_desired_update_all(struct agent_desired *d, const struct k8s_store *st)
{
	void *a[2] = { d, (void *)(uintptr_t)st };

	return k8s_store_foreach_service(st, update_one, a);
}
