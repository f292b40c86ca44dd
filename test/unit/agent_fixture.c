/*
 * test/unit/agent_fixture.c - a struct agent without a kernel.
 */
#include "agent_fixture.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ipvs/parse.h"
#include "k8s/decode.h"

static int put_service(void *arg, struct k8s_service *s)
{
	return k8s_store_put_service(arg, s);
}

static int put_slice(void *arg, struct k8s_endpointslice *e)
{
	return k8s_store_put_slice(arg, e);
}

static int put_node(void *arg, struct k8s_node *n)
{
	k8s_store_set_node(arg, n);
	return 0;
}

static void translate(void *arg, const char *ns, const char *name)
{
	struct agent *a = arg;

	ck_assert_int_eq(agent_desired_update(&a->desired, a->store, ns, name), 0);
}

void fx_agent_init(struct fx_agent *f, const char *list)
{
	struct k8s_list_cb cb = { put_service, put_slice, put_node, NULL };
	struct agent *a = &f->a;
	char err[256], *text = strdup(list), *p;

	ck_assert_ptr_nonnull(text);
	for (p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	memset(f, 0, sizeof(*f));
	f->opt.sync_period = 30;
	f->opt.metrics_service_traffic = 1;
	strcpy(f->opt.hostname, "node1");
	a->opt = &f->opt;
	a->started = 1795297000;
	ck_assert_ptr_nonnull(a->store = k8s_store_new());
	cb.arg = a->store;
	ck_assert_msg(k8s_decode_list(text, strlen(text), &cb, NULL, err,
				      sizeof(err)) >= 0, "%s", err);
	free(text);
	ck_assert_int_eq(agent_desired_init(&a->desired), 0);
	a->desired.conf.node_name = "node1";
	a->desired.conf.scheduler = "rr";
	k8s_store_take_dirty(a->store, translate, a);
	strmap_init(&a->owner.addrs);
	ck_assert_ptr_nonnull(a->owner.svcs = ipvs_state_new());
	ck_assert_ptr_nonnull(a->sync.have = ipvs_state_new());
	ck_assert_ptr_nonnull(a->sync.pending = ipvs_state_new());
	ck_assert_ptr_nonnull(a->sync.retry = ipvs_state_new());
	a->sync.want = a->desired.want;
	a->sync.opt = &f->opt;
	a->sync.ready = 1;
}

void fx_agent_fini(struct fx_agent *f)
{
	struct agent *a = &f->a;

	ipvs_state_free(a->sync.have);
	ipvs_state_free(a->sync.pending);
	ipvs_state_free(a->sync.retry);
	free(a->sync.drains);
	agent_owner_fini(&a->owner);
	agent_desired_fini(&a->desired);
	k8s_store_free(a->store);
}

struct ipvs_state_service *fx_agent_find(struct ipvs_state *st, const char *key)
{
	struct ipvs_op op;
	struct ipvs_state_service *ss;
	char line[256], err[128];

	/* "-t VIP:PORT" as a delete line parses into a key. */
	snprintf(line, sizeof(line), "-D %s", key);
	ck_assert_msg(ipvs_op_parse(line, &op, err, sizeof(err)) == 1, "%s: %s",
		      key, err);
	ss = ipvs_state_find(st, &op.svc.key);
	ck_assert_msg(ss != NULL, "%s not in the state", key);
	return ss;
}

static int copy_dest(struct ipvs_state_dest *sd, void *arg)
{
	ck_assert_ptr_nonnull(ipvs_state_dest_put(arg, &sd->conf));
	return 0;
}

static void apply(struct fx_agent *f, struct ipvs_state_service *ws, int owned)
{
	const struct ipvs_service *conf = ipvs_state_service_conf(ws);
	struct ipvs_state_service *hs = ipvs_state_put(f->a.sync.have, conf);

	ck_assert_ptr_nonnull(hs);
	ipvs_state_dest_foreach(ws, copy_dest, hs);
	if (owned)
		ck_assert_int_eq(agent_owner_add(&f->a.owner, &conf->key), 0);
}

void fx_agent_apply(struct fx_agent *f, const char *key, int owned)
{
	apply(f, fx_agent_find(f->a.desired.want, key), owned);
}

static int apply_one(struct ipvs_state_service *ws, void *arg)
{
	apply(arg, ws, 1);
	return 0;
}

void fx_agent_apply_all(struct fx_agent *f)
{
	ipvs_state_foreach(f->a.desired.want, apply_one, f);
}
