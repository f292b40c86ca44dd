/*
 * agent/vip.c - binding service addresses to the dummy interface.
 */
#include "vip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

int agent_vip_init(struct agent_vip *v, const char *dummy,
		   struct agent_owner *owner)
{
	int r;

	memset(v, 0, sizeof(*v));
	strmap_init(&v->want);
	strmap_init(&v->changed);
	v->owner = owner;
	v->dirty = 1;  /* the first sync looks at what is bound already */
	if ((r = nl_route_open(&v->nr)))
		return r;
	if ((r = nl_link_ensure_dummy(v->nr, dummy, &v->link))) {
		agent_log(AGENT_LOG_ERROR, "vip: %s", nl_route_last_error(v->nr));
		return r;
	}
	if (v->link.created || v->link.owned) {
		if (!owner->dummy || strcmp(owner->dummy, dummy)) {
			free(owner->dummy);
			owner->dummy = strdup(dummy);
			owner->dirty = 1;
		}
		if (v->link.created)
			agent_log(AGENT_LOG_INFO, "vip: created dummy interface %s", dummy);
	}
	return agent_owner_save(owner);
}

int agent_vip_recheck(struct agent_vip *v, const char *dummy)
{
	int r = nl_link_ensure_dummy(v->nr, dummy, &v->link);

	if (r) {
		agent_log(AGENT_LOG_ERROR, "vip: %s", nl_route_last_error(v->nr));
		return r;
	}
	if (v->link.created)
		agent_log(AGENT_LOG_WARN, "vip: dummy interface %s was gone; "
			  "created it again", dummy);
	v->dirty = 1;
	return 0;
}

void agent_vip_fini(struct agent_vip *v)
{
	nl_route_close(v->nr);
	strmap_fini(&v->want);
	strmap_fini(&v->changed);
}

static void text(int af, const union ipvs_addr *a, char *buf)
{
	ipvs_addr_fmt(af, a, buf, INET6_ADDRSTRLEN);
}

/* Address @t became wanted or unwanted.  A Service re-translated
 * withdraws its VIP and places it again: the two flips cancel, and the
 * sync has nothing to do.  Out of memory: fall back to a full pass. */
static void vip_flip(struct agent_vip *v, const char *t)
{
	if (strmap_del(&v->changed, t))
		return;
	if (strmap_put(&v->changed, t, (void *)1))
		v->dirty = 1;
}

void agent_vip_ref(struct agent_vip *v, int af, const union ipvs_addr *a)
{
	char t[INET6_ADDRSTRLEN];
	uintptr_t n;

	text(af, a, t);
	n = (uintptr_t)strmap_get(&v->want, t);
	if (strmap_put(&v->want, t, (void *)(n + 1)) == 0 && n == 0)
		vip_flip(v, t);
}

void agent_vip_unref(struct agent_vip *v, int af, const union ipvs_addr *a)
{
	char t[INET6_ADDRSTRLEN];
	uintptr_t n;

	text(af, a, t);
	n = (uintptr_t)strmap_get(&v->want, t);
	if (n > 1) {
		strmap_put(&v->want, t, (void *)(n - 1));
	} else if (n == 1) {
		strmap_del(&v->want, t);
		vip_flip(v, t);
	}
}

int agent_vip_pending(const struct agent_vip *v)
{
	return v->dirty || v->changed.n > 0;
}

struct plan {
	struct agent_vip *v;
	const struct nl_addr_set *have;
	struct nl_addr_op *ops;
	size_t n, cap;
	int err;
};

static void plan_push(struct plan *p, enum nl_addr_op_kind kind,
		      const struct nl_addr *a)
{
	struct nl_addr_op *o;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		o = realloc(p->ops, p->cap * sizeof(*o));
		if (!o) {
			p->err = -ENOMEM;
			return;
		}
		p->ops = o;
	}
	o = &p->ops[p->n++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->a = *a;
}

static void plan_bind(const char *key, void *value, void *arg)
{
	struct plan *p = arg;
	struct nl_addr a = { 0 };

	(void)value;
	if (ipvs_addr_parse(key, &a.family, &a.addr) ||
	    nl_addr_set_has(p->have, a.family, &a.addr))
		return;
	plan_push(p, NL_ADDR_BIND, &a);
	/* Ours from now on: recorded before the kernel changes. */
	strmap_put(&p->v->owner->addrs, key, (void *)1);
	p->v->owner->dirty = 1;
}

static void plan_unbind(struct plan *p)
{
	char t[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < p->have->n; i++) {
		text(p->have->v[i].family, &p->have->v[i].addr, t);
		if (!strmap_get(&p->v->want, t) && strmap_get(&p->v->owner->addrs, t))
			plan_push(p, NL_ADDR_UNBIND, &p->have->v[i]);
	}
}

static void forget_unbound(struct plan *p)
{
	char t[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (p->ops[i].kind == NL_ADDR_BIND) {
			p->v->binds += !p->ops[i].err;
		} else if (!p->ops[i].err || p->ops[i].err == EADDRNOTAVAIL) {
			text(p->ops[i].a.family, &p->ops[i].a.addr, t);
			strmap_del(&p->v->owner->addrs, t);
			p->v->owner->dirty = 1;
			p->v->unbinds++;
		}
		if (p->ops[i].err && p->ops[i].err != EEXIST) {
			text(p->ops[i].a.family, &p->ops[i].a.addr, t);
			agent_log(AGENT_LOG_WARN, "vip: %s %s on %s: %s",
				  p->ops[i].kind == NL_ADDR_BIND ? "binding" : "unbinding",
				  t, p->v->link.name, strerror(p->ops[i].err));
			p->v->errors++;
		}
	}
}

/* The incremental plan: each flipped address, bound if wanted now,
 * unbound if not and ours.  A bind that finds the address present
 * (EEXIST) takes no ownership it did not have: the address may be
 * someone else's. */
static void plan_flip(const char *key, void *value, void *arg)
{
	struct plan *p = arg;
	struct nl_addr a = { 0 };

	(void)value;
	if (ipvs_addr_parse(key, &a.family, &a.addr))
		return;
	if (strmap_get(&p->v->want, key)) {
		plan_push(p, NL_ADDR_BIND, &a);
		if (p->n && !strmap_get(&p->v->owner->addrs, key)) {
			p->ops[p->n - 1].err = -1;  /* marks "newly claimed" */
			strmap_put(&p->v->owner->addrs, key, (void *)1);
			p->v->owner->dirty = 1;
		}
	} else if (strmap_get(&p->v->owner->addrs, key)) {
		plan_push(p, NL_ADDR_UNBIND, &a);
	}
}

static int vip_apply_flips(struct agent_vip *v)
{
	struct plan p = { .v = v };
	char t[INET6_ADDRSTRLEN];
	unsigned char *claimed = NULL;
	size_t i;
	int r;

	strmap_foreach(&v->changed, plan_flip, &p);
	if ((r = p.err) || (p.n && !(claimed = malloc(p.n))))
		goto out;
	for (i = 0; i < p.n; i++) {
		claimed[i] = p.ops[i].err == -1;
		p.ops[i].err = 0;
	}
	if ((r = agent_owner_save(v->owner)))
		goto out;
	if (p.n && (r = nl_addr_apply(v->nr, &v->link, p.ops, p.n)) < 0)
		agent_log(AGENT_LOG_ERROR, "vip: %s", nl_route_last_error(v->nr));
	for (i = 0; i < p.n; i++) {
		if (claimed[i] && p.ops[i].err == EEXIST) {
			text(p.ops[i].a.family, &p.ops[i].a.addr, t);
			strmap_del(&v->owner->addrs, t);
			v->owner->dirty = 1;
		}
	}
	forget_unbound(&p);
	r = r < 0 ? r : agent_owner_save(v->owner);
out:
	if (r)
		v->dirty = 1;  /* try the full way next time */
	strmap_fini(&v->changed);
	strmap_init(&v->changed);
	free(claimed);
	free(p.ops);
	return r;
}

/* @all_ours: unbind everything we own (cleanup), not just the unwanted. */
static int vip_apply(struct agent_vip *v, int all_ours)
{
	struct nl_addr_set have;
	struct plan p = { .v = v, .have = &have };
	int r;

	nl_addr_set_init(&have);
	if ((r = nl_addr_list(v->nr, &v->link, &have))) {
		agent_log(AGENT_LOG_ERROR, "vip: %s", nl_route_last_error(v->nr));
		goto out;
	}
	if (!all_ours)
		strmap_foreach(&v->want, plan_bind, &p);
	plan_unbind(&p);
	if ((r = p.err) || (r = agent_owner_save(v->owner)))
		goto out;
	if (p.n && (r = nl_addr_apply(v->nr, &v->link, p.ops, p.n)) < 0)
		agent_log(AGENT_LOG_ERROR, "vip: %s", nl_route_last_error(v->nr));
	forget_unbound(&p);
	r = r < 0 ? r : agent_owner_save(v->owner);
	v->dirty = r != 0;
	if (!r) {
		strmap_fini(&v->changed);
		strmap_init(&v->changed);
	}
out:
	free(p.ops);
	nl_addr_set_fini(&have);
	return r;
}

int agent_vip_sync(struct agent_vip *v)
{
	if (v->dirty)
		return vip_apply(v, 0);
	return v->changed.n ? vip_apply_flips(v) : 0;
}

int agent_vip_cleanup(struct agent_vip *v)
{
	int r = vip_apply(v, 1);

	if (r == 0 && v->owner->dummy && v->link.ifindex &&
	    strcmp(v->owner->dummy, v->link.name) == 0) {
		r = nl_link_delete(v->nr, &v->link);
		if (r == 0 || r == -ENODEV) {
			free(v->owner->dummy);
			v->owner->dummy = NULL;
			v->owner->dirty = 1;
			r = agent_owner_save(v->owner);
		}
	}
	return r;
}
