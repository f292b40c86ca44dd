/*
 * test/unit/test_k8s_store.c - k8s/store*.c and k8s/nsmap.c: lookups, the
 * Service -> slices index through every kind of change, dirty keys, file
 * reloads that mark only what changed, and a randomised run checked
 * against a brute-force model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "k8s/decode.h"
#include "k8s/nsmap.h"
#include "k8s/store.h"
#include "suites.h"

/* ---- hand-built objects ------------------------------------------------- */

static char *xstrdup(const char *s)
{
	char *t = s ? strdup(s) : NULL;

	ck_assert(!s || t);
	return t;
}

static struct k8s_service *mk_svc(const char *ns, const char *name,
				  uint16_t port)
{
	struct k8s_service *s = calloc(1, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	s->meta.ns = xstrdup(ns);
	s->meta.name = xstrdup(name);
	s->meta.resource_version = xstrdup("1");
	s->ports = calloc(1, sizeof(*s->ports));
	s->ports[0].name = xstrdup("");
	s->ports[0].protocol = K8S_PROTO_TCP;
	s->ports[0].port = port;
	s->nports = 1;
	s->affinity_timeout = K8S_AFFINITY_TIMEOUT_DEFAULT;
	return s;
}

/* A slice of Service @svc (NULL: no label) with endpoints @ips (may be
 * NULL), separated by commas. */
static struct k8s_endpointslice *mk_slice(const char *ns, const char *name,
					  const char *svc, const char *ips)
{
	struct k8s_endpointslice *e = calloc(1, sizeof(*e));
	char *list = xstrdup(ips ? ips : ""), *tok, *save = NULL;

	ck_assert_ptr_nonnull(e);
	e->meta.ns = xstrdup(ns);
	e->meta.name = xstrdup(name);
	e->service_name = xstrdup(svc);
	e->af = AF_INET;
	e->endpoints = calloc(16, sizeof(*e->endpoints));
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		struct k8s_endpoint *ep = &e->endpoints[e->nendpoints++];

		ep->addresses = calloc(1, sizeof(char *));
		ep->addresses[0] = xstrdup(tok);
		ep->naddresses = 1;
		ep->ready = ep->serving = 1;
	}
	free(list);
	return e;
}

/* ---- dirty keys as one sorted string ------------------------------------ */

struct keys {
	char *v[256];
	size_t n;
};

static void keys_add(void *arg, const char *ns, const char *name)
{
	struct keys *k = arg;
	char *s;

	ck_assert_uint_lt(k->n, 256);
	ck_assert_int_ge(asprintf(&s, "%s/%s", ns, name), 0);
	k->v[k->n++] = s;
}

static int keys_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* take_dirty as "a/b c/d" (sorted); checks the count it returns. */
static char *dirty(struct k8s_store *st)
{
	static char out[4096];
	struct keys k = { .n = 0 };
	size_t n, i;

	n = k8s_store_take_dirty(st, keys_add, &k);
	ck_assert_uint_eq(n, k.n);
	qsort(k.v, k.n, sizeof(k.v[0]), keys_cmp);
	out[0] = 0;
	for (i = 0; i < k.n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, k.v[i]);
		free(k.v[i]);
	}
	ck_assert_uint_eq(k8s_store_ndirty(st), 0);
	return out;
}

/* slices_of as "a b c". */
static char *slices(struct k8s_store *st, const char *ns, const char *svc)
{
	static char out[4096];
	const struct k8s_endpointslice *v[64];
	size_t n, i;

	n = k8s_store_slices_of(st, ns, svc, v, 64);
	ck_assert_uint_le(n, 64);
	out[0] = 0;
	for (i = 0; i < n; i++) {
		strcat(out, i ? " " : "");
		strcat(out, v[i]->meta.name);
		ck_assert_str_eq(v[i]->service_name, svc);
		ck_assert_str_eq(v[i]->meta.ns, ns);
	}
	return out;
}

/* ---- basic operations --------------------------------------------------- */

START_TEST(store_empty)
{
	struct k8s_store *st = k8s_store_new();

	ck_assert_ptr_nonnull(st);
	ck_assert_uint_eq(k8s_store_nservices(st), 0);
	ck_assert_uint_eq(k8s_store_nslices(st), 0);
	ck_assert_ptr_null(k8s_store_service(st, "a", "b"));
	ck_assert_ptr_null(k8s_store_slice(st, "a", "b"));
	ck_assert_uint_eq(k8s_store_slices_of(st, "a", "b", NULL, 0), 0);
	ck_assert_ptr_null(k8s_store_node(st));
	ck_assert_uint_eq(k8s_store_take_dirty(st, NULL, NULL), 0);
	ck_assert_int_eq(k8s_store_del_service(st, "a", "b"), -ENOENT);
	ck_assert_int_eq(k8s_store_del_slice(st, "a", "b"), -ENOENT);
	ck_assert_int_eq(k8s_store_put_service(st, NULL), -EINVAL);
	ck_assert_int_eq(k8s_store_put_slice(st, NULL), -EINVAL);
	ck_assert_uint_eq(k8s_store_ndirty(st), 0);
	k8s_store_free(st);
	k8s_store_free(NULL);
}
END_TEST

START_TEST(store_put_replace_delete_service)
{
	struct k8s_store *st = k8s_store_new();
	struct k8s_service *s1 = mk_svc("shop", "web", 80);
	struct k8s_service *s2 = mk_svc("shop", "web", 8080);

	ck_assert_int_eq(k8s_store_put_service(st, s1), 0);
	ck_assert_ptr_eq(k8s_store_service(st, "shop", "web"), s1);
	ck_assert_str_eq(dirty(st), "shop/web");
	ck_assert_str_eq(dirty(st), "");
	/* Replacing frees the old one (ASan would see a leak otherwise). */
	ck_assert_int_eq(k8s_store_put_service(st, s2), 0);
	ck_assert_ptr_eq(k8s_store_service(st, "shop", "web"), s2);
	ck_assert_uint_eq(k8s_store_service(st, "shop", "web")->ports[0].port, 8080);
	ck_assert_uint_eq(k8s_store_nservices(st), 1);
	ck_assert_str_eq(dirty(st), "shop/web");
	ck_assert_ptr_null(k8s_store_service(st, "other", "web"));
	ck_assert_ptr_null(k8s_store_service(st, "shop", "we"));
	/* Deleting what is not there marks nothing. */
	ck_assert_int_eq(k8s_store_del_service(st, "shop", "api"), -ENOENT);
	ck_assert_str_eq(dirty(st), "");
	ck_assert_int_eq(k8s_store_del_service(st, "shop", "web"), 0);
	ck_assert_ptr_null(k8s_store_service(st, "shop", "web"));
	ck_assert_uint_eq(k8s_store_nservices(st), 0);
	ck_assert_str_eq(dirty(st), "shop/web");
	k8s_store_free(st);
}
END_TEST

START_TEST(store_rejects_objects_without_identity)
{
	struct k8s_store *st = k8s_store_new();
	struct k8s_service *s = mk_svc("shop", "web", 80);
	struct k8s_endpointslice *e = mk_slice("shop", "web-1", "web", NULL);

	free(s->meta.name);
	s->meta.name = NULL;
	free(e->meta.ns);
	e->meta.ns = NULL;
	ck_assert_int_eq(k8s_store_put_service(st, s), -EINVAL); /* freed */
	ck_assert_int_eq(k8s_store_put_slice(st, e), -EINVAL);
	ck_assert_uint_eq(k8s_store_nservices(st) + k8s_store_nslices(st), 0);
	ck_assert_str_eq(dirty(st), "");
	k8s_store_free(st);
}
END_TEST

START_TEST(store_service_split_over_several_slices)
{
	struct k8s_store *st = k8s_store_new();
	const struct k8s_endpointslice *v[2];

	ck_assert_int_eq(k8s_store_put_slice(st, mk_slice("shop", "web-c", "web", "10.0.0.3")), 0);
	ck_assert_int_eq(k8s_store_put_slice(st, mk_slice("shop", "web-a", "web", "10.0.0.1")), 0);
	ck_assert_int_eq(k8s_store_put_slice(st, mk_slice("shop", "web-b", "web", "10.0.0.2")), 0);
	ck_assert_int_eq(k8s_store_put_slice(st, mk_slice("shop", "api-a", "api", "10.0.1.1")), 0);
	/* The Service itself need not be there. */
	ck_assert_str_eq(slices(st, "shop", "web"), "web-a web-b web-c");
	ck_assert_str_eq(slices(st, "shop", "api"), "api-a");
	ck_assert_str_eq(slices(st, "other", "web"), "");
	/* Like snprintf: the count, and as many as fit. */
	ck_assert_uint_eq(k8s_store_slices_of(st, "shop", "web", NULL, 0), 3);
	ck_assert_uint_eq(k8s_store_slices_of(st, "shop", "web", v, 2), 3);
	ck_assert_str_eq(v[1]->meta.name, "web-b");
	ck_assert_str_eq(dirty(st), "shop/api shop/web");
	ck_assert_uint_eq(k8s_store_nslices(st), 4);
	ck_assert_str_eq(k8s_store_slice(st, "shop", "web-b")->endpoints[0].addresses[0],
			 "10.0.0.2");
	k8s_store_free(st);
}
END_TEST

START_TEST(store_endpoints_move_between_slices)
{
	struct k8s_store *st = k8s_store_new();
	struct k8s_endpointslice *a, *b;
	const struct k8s_endpointslice *v[2];

	k8s_store_put_slice(st, mk_slice("shop", "web-a", "web", "10.0.0.1,10.0.0.2"));
	k8s_store_put_slice(st, mk_slice("shop", "web-b", "web", "10.0.0.3"));
	dirty(st);
	/* The controller moves 10.0.0.2 from a to b: two updates, one key. */
	a = mk_slice("shop", "web-a", "web", "10.0.0.1");
	b = mk_slice("shop", "web-b", "web", "10.0.0.3,10.0.0.2");
	ck_assert_int_eq(k8s_store_put_slice(st, a), 0);
	ck_assert_int_eq(k8s_store_put_slice(st, b), 0);
	ck_assert_str_eq(dirty(st), "shop/web");
	ck_assert_uint_eq(k8s_store_slices_of(st, "shop", "web", v, 2), 2);
	ck_assert_ptr_eq(v[0], a);
	ck_assert_ptr_eq(v[1], b);
	ck_assert_uint_eq(v[1]->nendpoints, 2);
	ck_assert_uint_eq(k8s_store_nslices(st), 2);
	k8s_store_free(st);
}
END_TEST

START_TEST(store_slice_moves_between_services)
{
	struct k8s_store *st = k8s_store_new();

	k8s_store_put_slice(st, mk_slice("shop", "x-1", "web", "10.0.0.1"));
	k8s_store_put_slice(st, mk_slice("shop", "w-1", "web", "10.0.0.9"));
	dirty(st);
	/* Relabelled: both the old and the new Service change. */
	ck_assert_int_eq(k8s_store_put_slice(st, mk_slice("shop", "x-1", "api", "10.0.0.1")), 0);
	ck_assert_str_eq(dirty(st), "shop/api shop/web");
	ck_assert_str_eq(slices(st, "shop", "web"), "w-1");
	ck_assert_str_eq(slices(st, "shop", "api"), "x-1");
	/* Label removed: it joins nothing, the old Service changes. */
	ck_assert_int_eq(k8s_store_put_slice(st, mk_slice("shop", "x-1", NULL, "10.0.0.1")), 0);
	ck_assert_str_eq(dirty(st), "shop/api");
	ck_assert_str_eq(slices(st, "shop", "api"), "");
	ck_assert_uint_eq(k8s_store_nslices(st), 2);
	/* A slice without the label changing marks nothing. */
	ck_assert_int_eq(k8s_store_put_slice(st, mk_slice("shop", "x-1", NULL, "10.0.0.2")), 0);
	ck_assert_str_eq(dirty(st), "");
	ck_assert_int_eq(k8s_store_del_slice(st, "shop", "x-1"), 0);
	ck_assert_str_eq(dirty(st), "");
	/* And back into a Service. */
	ck_assert_int_eq(k8s_store_put_slice(st, mk_slice("shop", "w-0", "web", "10.0.0.8")), 0);
	ck_assert_str_eq(slices(st, "shop", "web"), "w-0 w-1");
	ck_assert_str_eq(dirty(st), "shop/web");
	k8s_store_free(st);
}
END_TEST

START_TEST(store_delete_slice)
{
	struct k8s_store *st = k8s_store_new();

	k8s_store_put_slice(st, mk_slice("shop", "web-a", "web", "10.0.0.1"));
	k8s_store_put_slice(st, mk_slice("shop", "web-b", "web", "10.0.0.2"));
	dirty(st);
	ck_assert_int_eq(k8s_store_del_slice(st, "shop", "web-a"), 0);
	ck_assert_str_eq(dirty(st), "shop/web");
	ck_assert_str_eq(slices(st, "shop", "web"), "web-b");
	ck_assert_int_eq(k8s_store_del_slice(st, "shop", "web-a"), -ENOENT);
	ck_assert_int_eq(k8s_store_del_slice(st, "shop", "web-b"), 0);
	ck_assert_str_eq(slices(st, "shop", "web"), "");
	ck_assert_uint_eq(k8s_store_nslices(st), 0);
	ck_assert_str_eq(dirty(st), "shop/web");
	k8s_store_free(st);
}
END_TEST

START_TEST(store_namespaces_keep_same_names_apart)
{
	struct k8s_store *st = k8s_store_new();

	k8s_store_put_service(st, mk_svc("a", "web", 1));
	k8s_store_put_service(st, mk_svc("b", "web", 2));
	k8s_store_put_slice(st, mk_slice("a", "web-1", "web", "10.0.0.1"));
	k8s_store_put_slice(st, mk_slice("b", "web-1", "web", "10.0.0.2"));
	ck_assert_uint_eq(k8s_store_nservices(st), 2);
	ck_assert_uint_eq(k8s_store_service(st, "b", "web")->ports[0].port, 2);
	ck_assert_str_eq(slices(st, "a", "web"), "web-1");
	ck_assert_str_eq(k8s_store_slice(st, "b", "web-1")->endpoints[0].addresses[0],
			 "10.0.0.2");
	ck_assert_str_eq(dirty(st), "a/web b/web");
	k8s_store_del_slice(st, "a", "web-1");
	ck_assert_str_eq(slices(st, "a", "web"), "");
	ck_assert_str_eq(slices(st, "b", "web"), "web-1");
	k8s_store_free(st);
}
END_TEST

START_TEST(store_node_slot)
{
	struct k8s_store *st = k8s_store_new();
	struct k8s_node *n1 = calloc(1, sizeof(*n1)), *n2 = calloc(1, sizeof(*n2));

	n1->meta.name = xstrdup("node-a");
	n1->zone = xstrdup("z1");
	n2->meta.name = xstrdup("node-a");
	n2->zone = xstrdup("z2");
	k8s_store_set_node(st, n1);
	ck_assert_ptr_eq(k8s_store_node(st), n1);
	k8s_store_set_node(st, n2); /* frees n1 */
	ck_assert_str_eq(k8s_store_node(st)->zone, "z2");
	ck_assert_str_eq(dirty(st), "");
	k8s_store_set_node(st, NULL);
	ck_assert_ptr_null(k8s_store_node(st));
	k8s_store_set_node(st, calloc(1, sizeof(struct k8s_node)));
	k8s_store_free(st); /* frees the node */
}
END_TEST

static void put_from_take(void *arg, const char *ns, const char *name)
{
	struct k8s_store *st = arg;

	/* Changing the store while keys are handed out is allowed. */
	if (!strcmp(name, "web"))
		k8s_store_put_service(st, mk_svc(ns, "api", 1));
}

START_TEST(store_take_dirty_callback_may_change_the_store)
{
	struct k8s_store *st = k8s_store_new();

	k8s_store_put_service(st, mk_svc("shop", "web", 80));
	ck_assert_uint_eq(k8s_store_take_dirty(st, put_from_take, st), 1);
	ck_assert_uint_eq(k8s_store_ndirty(st), 1);
	ck_assert_str_eq(dirty(st), "shop/api");
	k8s_store_free(st);
}
END_TEST

static int count_svc(void *arg, const struct k8s_service *s)
{
	(void)s;
	return ++*(int *)arg == 2 ? 7 : 0;
}

static int count_slice(void *arg, const struct k8s_endpointslice *e)
{
	(void)e;
	++*(int *)arg;
	return 0;
}

START_TEST(store_foreach_and_mark_all)
{
	struct k8s_store *st = k8s_store_new();
	int n = 0;

	k8s_store_put_service(st, mk_svc("shop", "web", 80));
	k8s_store_put_service(st, mk_svc("shop", "api", 80));
	k8s_store_put_service(st, mk_svc("shop", "db", 80));
	k8s_store_put_slice(st, mk_slice("shop", "orphan-1", "orphan", NULL));
	k8s_store_put_slice(st, mk_slice("shop", "web-1", "web", NULL));
	k8s_store_put_slice(st, mk_slice("shop", "nolabel", NULL, NULL));
	dirty(st);
	/* A non-zero return stops the walk and is returned. */
	ck_assert_int_eq(k8s_store_foreach_service(st, count_svc, &n), 7);
	ck_assert_int_eq(n, 2);
	n = 0;
	ck_assert_int_eq(k8s_store_foreach_slice(st, count_slice, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(k8s_store_mark_all_dirty(st), 0);
	ck_assert_str_eq(dirty(st), "shop/api shop/db shop/orphan shop/web");
	k8s_store_free(st);
}
END_TEST

/* ---- file reloads -------------------------------------------------------- */

static int into_store_svc(void *arg, struct k8s_service *s)
{
	return k8s_store_put_service(arg, s);
}

static int into_store_slice(void *arg, struct k8s_endpointslice *e)
{
	return k8s_store_put_slice(arg, e);
}

static int into_store_node(void *arg, struct k8s_node *n)
{
	k8s_store_set_node(arg, n);
	return 0;
}

/* The documented reload sequence: decode into a new store, then swap. */
static int reload(struct k8s_store *st, const char *doc)
{
	struct k8s_store *next = k8s_store_new();
	struct k8s_list_cb cb = { into_store_svc, into_store_slice,
				  into_store_node, next };
	char *t = strdup(doc), *p, err[256];
	int rc;

	for (p = t; *p; p++) {
		if (*p == '\'')
			*p = '"';
	}
	rc = k8s_decode_list(t, strlen(t), &cb, NULL, err, sizeof(err));
	free(t);
	if (rc < 0) {
		k8s_store_free(next);
		return rc;
	}
	ck_assert_int_eq(k8s_store_replace_all(st, next), 0);
	return rc;
}

#define SVC(ns, name, rv, port)                                               \
	"{'kind':'Service','metadata':{'name':'" name "','namespace':'" ns    \
	"','resourceVersion':'" rv "'},'spec':{'clusterIP':'10.96.0.1',"      \
	"'ports':[{'name':'http','port':" port ",'protocol':'TCP'}]}}"
#define SLICE(ns, name, svc, rv, ip)                                          \
	"{'kind':'EndpointSlice','addressType':'IPv4','metadata':{'name':'"   \
	name "','namespace':'" ns "','resourceVersion':'" rv "',"           \
	"'labels':{'kubernetes.io/service-name':'" svc "'}},"                 \
	"'endpoints':[{'addresses':['" ip "'],'conditions':{'ready':true}}],"  \
	"'ports':[{'name':'http','port':8080,'protocol':'TCP'}]}"
#define LIST(items) "{'apiVersion':'v1','kind':'List','items':[" items "]}"

START_TEST(store_reload_marks_only_what_changed)
{
	struct k8s_store *st = k8s_store_new();
	const struct k8s_service *before;

	ck_assert_int_eq(reload(st, LIST(SVC("shop", "web", "1", "80") ","
					 SVC("shop", "api", "1", "80") ","
					 SLICE("shop", "web-a", "web", "1", "10.0.0.1") ","
					 SLICE("shop", "web-b", "web", "1", "10.0.0.2") ","
					 SLICE("shop", "api-a", "api", "1", "10.0.1.1"))),
			 5);
	ck_assert_str_eq(dirty(st), "shop/api shop/web");
	ck_assert_str_eq(slices(st, "shop", "web"), "web-a web-b");
	before = k8s_store_service(st, "shop", "web");

	/* Same content, new resourceVersions: nothing to do, newer copies. */
	reload(st, LIST(SVC("shop", "web", "2", "80") "," SVC("shop", "api", "2", "80") ","
			SLICE("shop", "web-a", "web", "2", "10.0.0.1") ","
			SLICE("shop", "web-b", "web", "2", "10.0.0.2") ","
			SLICE("shop", "api-a", "api", "2", "10.0.1.1")));
	ck_assert_str_eq(dirty(st), "");
	ck_assert_ptr_ne(k8s_store_service(st, "shop", "web"), before);
	ck_assert_str_eq(k8s_store_service(st, "shop", "web")->meta.resource_version, "2");
	ck_assert_str_eq(k8s_store_slice(st, "shop", "web-a")->meta.resource_version, "2");
	ck_assert_str_eq(slices(st, "shop", "web"), "web-a web-b");

	/* A hand edit that kept the resourceVersion still counts. */
	reload(st, LIST(SVC("shop", "web", "2", "81") "," SVC("shop", "api", "2", "80") ","
			SLICE("shop", "web-a", "web", "2", "10.0.0.1") ","
			SLICE("shop", "web-b", "web", "2", "10.0.0.2") ","
			SLICE("shop", "api-a", "api", "2", "10.0.1.1")));
	ck_assert_str_eq(dirty(st), "shop/web");

	/* An endpoint changes in one slice; another slice goes. */
	reload(st, LIST(SVC("shop", "web", "2", "81") "," SVC("shop", "api", "2", "80") ","
			SLICE("shop", "web-a", "web", "2", "10.0.0.1") ","
			SLICE("shop", "api-a", "api", "3", "10.0.1.2")));
	ck_assert_str_eq(dirty(st), "shop/api shop/web");
	ck_assert_str_eq(slices(st, "shop", "web"), "web-a");
	ck_assert_uint_eq(k8s_store_nslices(st), 2);

	/* A slice moves to another Service; a Service goes, one comes. */
	reload(st, LIST(SVC("shop", "web", "2", "81") "," SVC("shop", "db", "1", "5432") ","
			SLICE("shop", "web-a", "api", "3", "10.0.0.1") ","
			SLICE("shop", "api-a", "api", "3", "10.0.1.2")));
	ck_assert_str_eq(dirty(st), "shop/api shop/db shop/web");
	ck_assert_str_eq(slices(st, "shop", "web"), "");
	ck_assert_str_eq(slices(st, "shop", "api"), "api-a web-a");
	ck_assert_ptr_null(k8s_store_service(st, "shop", "api"));
	ck_assert_uint_eq(k8s_store_nservices(st), 2);

	/* A broken file changes nothing. */
	ck_assert_int_eq(reload(st, "{'kind':'List','items':["), -EINVAL);
	ck_assert_str_eq(dirty(st), "");
	ck_assert_uint_eq(k8s_store_nservices(st), 2);

	/* An empty List is a real answer: everything goes. */
	ck_assert_int_eq(reload(st, LIST("")), 0);
	ck_assert_str_eq(dirty(st), "shop/api shop/db shop/web");
	ck_assert_uint_eq(k8s_store_nservices(st) + k8s_store_nslices(st), 0);
	k8s_store_free(st);
}
END_TEST

/* The first reading takes the new store's maps whole: the same objects,
 * slices and dirty marks as taking them one by one would give. */
START_TEST(store_first_reading_moves_everything)
{
	static const char doc[] = LIST(SVC("shop", "web", "1", "80") ","
				       SVC("shop", "api", "1", "80") ","
				       SVC("other", "web", "1", "80") ","
				       SLICE("shop", "web-b", "web", "1", "10.0.0.2") ","
				       SLICE("shop", "web-a", "web", "1", "10.0.0.1") ","
				       SLICE("shop", "lone-a", "lone", "1", "10.0.2.1") ","
				       SLICE("other", "web-a", "web", "1", "10.0.3.1"));
	struct k8s_store *fast = k8s_store_new(), *slow = k8s_store_new();

	/* slow: a store that is not empty takes the objects one by one */
	ck_assert_int_eq(reload(slow, LIST(SVC("x", "gone", "1", "80"))), 1);
	ck_assert_str_eq(dirty(slow), "x/gone");
	ck_assert_int_eq(reload(slow, doc), 7);
	ck_assert_int_eq(reload(fast, doc), 7);
	ck_assert_str_eq(dirty(slow), "other/web shop/api shop/lone shop/web x/gone");
	ck_assert_str_eq(dirty(fast), "other/web shop/api shop/lone shop/web");
	ck_assert_str_eq(slices(fast, "shop", "web"), slices(slow, "shop", "web"));
	ck_assert_str_eq(slices(fast, "shop", "web"), "web-a web-b");
	ck_assert_str_eq(slices(fast, "shop", "lone"), "lone-a");
	ck_assert_str_eq(slices(fast, "other", "web"), "web-a");
	ck_assert_uint_eq(k8s_store_nservices(fast), 3);
	ck_assert_uint_eq(k8s_store_nslices(fast), 4);
	ck_assert_ptr_nonnull(k8s_store_service(fast, "other", "web"));
	/* and it is an ordinary store afterwards */
	ck_assert_int_eq(reload(fast, LIST(SVC("shop", "web", "1", "81"))), 1);
	ck_assert_str_eq(dirty(fast), "other/web shop/api shop/lone shop/web");
	ck_assert_uint_eq(k8s_store_nslices(fast), 0);
	k8s_store_free(fast);
	k8s_store_free(slow);
}
END_TEST

START_TEST(store_reload_node)
{
	struct k8s_store *st = k8s_store_new();

	reload(st, LIST("{'kind':'Node','metadata':{'name':'n1','labels':"
			"{'topology.kubernetes.io/zone':'z1'}}}"));
	ck_assert_str_eq(k8s_store_node(st)->zone, "z1");
	reload(st, LIST(SVC("a", "b", "1", "80")));
	ck_assert_str_eq(k8s_store_node(st)->meta.name, "n1"); /* kept */
	k8s_store_free(st);
}
END_TEST

/* ---- a randomised run against a brute-force model ---------------------- */

#define R_NS 2
#define R_SVC 4
#define R_SLICES 24

struct model {
	int svc[R_NS][R_SLICES];       /* service index of each slice, -1: none,
					  -2: not stored */
	int dirty[R_NS][R_SVC];
};

static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void model_check(struct k8s_store *st, const struct model *m)
{
	char ns[8], svc[8], want[512], name[16];
	int i, k, j;

	for (i = 0; i < R_NS; i++) {
		snprintf(ns, sizeof(ns), "ns%d", i);
		for (k = 0; k < R_SVC; k++) {
			snprintf(svc, sizeof(svc), "s%d", k);
			want[0] = 0;
			for (j = 0; j < R_SLICES; j++) {
				if (m->svc[i][j] != k)
					continue;
				snprintf(name, sizeof(name), "%sx%02d", want[0] ? " " : "", j);
				strcat(want, name);
			}
			ck_assert_str_eq(slices(st, ns, svc), want);
		}
	}
}

static void model_dirty(struct k8s_store *st, struct model *m)
{
	char want[512] = "", key[32];
	int i, k;

	for (i = 0; i < R_NS; i++) {
		for (k = 0; k < R_SVC; k++) {
			if (!m->dirty[i][k])
				continue;
			snprintf(key, sizeof(key), "%sns%d/s%d", want[0] ? " " : "", i, k);
			strcat(want, key);
			m->dirty[i][k] = 0;
		}
	}
	ck_assert_str_eq(dirty(st), want);
}

START_TEST(store_random_ops_match_a_model)
{
	struct k8s_store *st = k8s_store_new();
	struct model m;
	uint64_t seed = 42;
	char ns[8], name[8], svc[8];
	int step, i, j, k, old;

	for (i = 0; i < R_NS; i++)
		for (j = 0; j < R_SLICES; j++)
			m.svc[i][j] = -2;
	memset(m.dirty, 0, sizeof(m.dirty));
	for (step = 0; step < 20000; step++) {
		i = (int)(rnd(&seed) % R_NS);
		j = (int)(rnd(&seed) % R_SLICES);
		k = (int)(rnd(&seed) % (R_SVC + 1)) - 1; /* -1: no label */
		snprintf(ns, sizeof(ns), "ns%d", i);
		snprintf(name, sizeof(name), "x%02d", j);
		snprintf(svc, sizeof(svc), "s%d", k);
		old = m.svc[i][j];
		if (rnd(&seed) % 4 == 0) {
			ck_assert_int_eq(k8s_store_del_slice(st, ns, name),
					 old == -2 ? -ENOENT : 0);
			m.svc[i][j] = -2;
		} else {
			ck_assert_int_eq(k8s_store_put_slice(st, mk_slice(ns, name, k >= 0 ? svc : NULL,
									 "10.0.0.1")),
					 0);
			m.svc[i][j] = k;
			if (k >= 0)
				m.dirty[i][k] = 1;
		}
		if (old >= 0)
			m.dirty[i][old] = 1;
		model_check(st, &m);
		if (rnd(&seed) % 8 == 0)
			model_dirty(st, &m);
	}
	k8s_store_free(st);
}
END_TEST

/* ---- scale: the design point ------------------------------------------- */

START_TEST(store_twenty_thousand_services)
{
	struct k8s_store *st = k8s_store_new();
	const struct k8s_endpointslice *v[4];
	char ns[16], name[32], sl[40];
	size_t i, nsvc = 20000;

	for (i = 0; i < nsvc; i++) {
		snprintf(ns, sizeof(ns), "ns-%zu", i % 100);
		snprintf(name, sizeof(name), "svc-%zu", i);
		ck_assert_int_eq(k8s_store_put_service(st, mk_svc(ns, name, 80)), 0);
		snprintf(sl, sizeof(sl), "%s-a", name);
		ck_assert_int_eq(k8s_store_put_slice(st, mk_slice(ns, sl, name, "10.0.0.1")), 0);
		snprintf(sl, sizeof(sl), "%s-b", name);
		ck_assert_int_eq(k8s_store_put_slice(st, mk_slice(ns, sl, name, "10.0.0.2")), 0);
	}
	ck_assert_uint_eq(k8s_store_nservices(st), nsvc);
	ck_assert_uint_eq(k8s_store_nslices(st), 2 * nsvc);
	ck_assert_uint_eq(k8s_store_take_dirty(st, NULL, NULL), nsvc);
	for (i = 0; i < nsvc; i++) {
		snprintf(ns, sizeof(ns), "ns-%zu", i % 100);
		snprintf(name, sizeof(name), "svc-%zu", i);
		ck_assert_ptr_nonnull(k8s_store_service(st, ns, name));
		ck_assert_uint_eq(k8s_store_slices_of(st, ns, name, v, 4), 2);
	}
	for (i = 0; i < nsvc; i += 2) {
		snprintf(ns, sizeof(ns), "ns-%zu", i % 100);
		snprintf(name, sizeof(name), "svc-%zu", i);
		snprintf(sl, sizeof(sl), "%s-a", name);
		ck_assert_int_eq(k8s_store_del_slice(st, ns, sl), 0);
		ck_assert_int_eq(k8s_store_del_service(st, ns, name), 0);
	}
	ck_assert_uint_eq(k8s_store_ndirty(st), nsvc / 2);
	ck_assert_uint_eq(k8s_store_nservices(st), nsvc / 2);
	ck_assert_uint_eq(k8s_store_nslices(st), nsvc * 3 / 2);
	k8s_store_free(st);
}
END_TEST

/* ---- nsmap ----------------------------------------------------------- */

static int del_every_other(void *arg, struct k8s_nsmap_entry *e)
{
	struct k8s_nsmap *m = arg;

	if (atoi(e->name) % 2)
		k8s_nsmap_del(m, e->ns, e->name);
	return 0;
}

START_TEST(nsmap_keys_are_pairs)
{
	struct k8s_nsmap m;
	void *old = (void *)1;
	char name[16];
	int i;

	k8s_nsmap_init(&m);
	ck_assert_ptr_null(k8s_nsmap_get(&m, "a", "b"));
	ck_assert_ptr_null(k8s_nsmap_del(&m, "a", "b"));
	/* "a/b" + "c" and "a" + "b/c" are different keys. */
	ck_assert_int_eq(k8s_nsmap_put(&m, "a/b", "c", "1", &old), 0);
	ck_assert_ptr_null(old);
	ck_assert_int_eq(k8s_nsmap_put(&m, "a", "b/c", "2", NULL), 0);
	ck_assert_int_eq(k8s_nsmap_put(&m, "", "a/b/c", "3", NULL), 0);
	ck_assert_str_eq(k8s_nsmap_get(&m, "a/b", "c"), "1");
	ck_assert_str_eq(k8s_nsmap_get(&m, "a", "b/c"), "2");
	ck_assert_str_eq(k8s_nsmap_get(&m, "", "a/b/c"), "3");
	ck_assert_int_eq(k8s_nsmap_put(&m, "a", "b/c", "4", &old), 0);
	ck_assert_str_eq(old, "2");
	ck_assert_uint_eq(m.count, 3);
	k8s_nsmap_fini(&m, NULL);

	/* Growth, and deleting during a walk. */
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "%d", i);
		ck_assert_int_eq(k8s_nsmap_put(&m, "ns", name, NULL, NULL), 0);
	}
	ck_assert_uint_eq(m.count, 10000);
	ck_assert_uint_ge(m.nbuckets, 10000);
	k8s_nsmap_foreach(&m, del_every_other, &m);
	ck_assert_uint_eq(m.count, 5000);
	ck_assert_ptr_null(k8s_nsmap_find(&m, "ns", "9999"));
	ck_assert_ptr_nonnull(k8s_nsmap_find(&m, "ns", "9998"));
	k8s_nsmap_fini(&m, NULL);
	k8s_nsmap_fini(&m, NULL);
}
END_TEST

Suite *k8s_store_suite(void)
{
	Suite *s = suite_create("k8s_store");
	TCase *tc = tcase_create("store");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, store_empty);
	tcase_add_test(tc, store_put_replace_delete_service);
	tcase_add_test(tc, store_rejects_objects_without_identity);
	tcase_add_test(tc, store_service_split_over_several_slices);
	tcase_add_test(tc, store_endpoints_move_between_slices);
	tcase_add_test(tc, store_slice_moves_between_services);
	tcase_add_test(tc, store_delete_slice);
	tcase_add_test(tc, store_namespaces_keep_same_names_apart);
	tcase_add_test(tc, store_node_slot);
	tcase_add_test(tc, store_take_dirty_callback_may_change_the_store);
	tcase_add_test(tc, store_foreach_and_mark_all);
	tcase_add_test(tc, store_reload_marks_only_what_changed);
	tcase_add_test(tc, store_reload_node);
	tcase_add_test(tc, store_first_reading_moves_everything);
	tcase_add_test(tc, store_random_ops_match_a_model);
	tcase_add_test(tc, store_twenty_thousand_services);
	tcase_add_test(tc, nsmap_keys_are_pairs);
	suite_add_tcase(s, tc);
	return s;
}
