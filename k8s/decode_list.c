/*
 * k8s/decode_list.c - a whole document: a List of Services,
 * EndpointSlices and Nodes (a file, or `kubectl get -o json` output),
 * dispatched item by item to the caller.  The document is checked as a
 * whole before the first callback, so a broken file changes nothing.
 * Or the same List read from a stream, item by item as it comes, for a
 * caller that can throw away what it got (k8s_decode_list_read): the
 * common shape only, the rest (and the exact place of an error) left to
 * the whole-document path.
 */
#include "decode.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_field.h"
#include "json_error.h"
#include "json_split.h"
#include "json_stream.h"

struct list_walk {
	const struct k8s_list_cb *cb;
	struct k8s_decode_log *log;
	const char *default_kind; /* "Service" in a ServiceList, or NULL */
	int delivered;            /* objects handed to callbacks */
};

static void list_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void list_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Report a broken item under "List", with its namespace/name if it has
 * them. */
static void list_warn_item(struct list_walk *w, const cJSON *item, size_t i,
			   const char *why)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(item, "metadata");
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(md, "namespace");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(md, "name");
	struct k8s_dec d;

	k8s_dec_init(&d, "List", w->log);
	if (cJSON_IsString(ns))
		d.ns = ns->valuestring;
	if (cJSON_IsString(name))
		d.name = name->valuestring;
	k8s_dec_warn(&d, "items[%zu]: %s", i, why);
}

/*
 * Each kind: decode into a heap object and hand it over.  An unusable
 * item (-EINVAL, already reported by the decoder) is skipped.
 */
static int list_service(struct list_walk *w, const cJSON *item)
{
	struct k8s_service *o = malloc(sizeof(*o));
	int rc;

	if (!o)
		return -ENOMEM;
	rc = k8s_decode_service(item, o, w->log);
	if (rc) {
		free(o);
		return rc == -EINVAL ? 0 : rc;
	}
	/* The receiver keeps it: one block, not dozens (or as it is, when
	 * out of memory). */
	(void)k8s_service_pack(o);
	w->delivered++;
	rc = w->cb->service(w->cb->arg, o);
	return rc < 0 ? rc : 0;
}

static int list_slice(struct list_walk *w, const cJSON *item)
{
	struct k8s_endpointslice *o = malloc(sizeof(*o));
	int rc;

	if (!o)
		return -ENOMEM;
	rc = k8s_decode_endpointslice(item, o, w->log);
	if (rc) {
		free(o);
		return rc == -EINVAL ? 0 : rc;
	}
	(void)k8s_endpointslice_pack(o);
	w->delivered++;
	rc = w->cb->slice(w->cb->arg, o);
	return rc < 0 ? rc : 0;
}

static int list_node(struct list_walk *w, const cJSON *item)
{
	struct k8s_node *o = malloc(sizeof(*o));
	int rc;

	if (!o)
		return -ENOMEM;
	rc = k8s_decode_node(item, o, w->log);
	if (rc) {
		free(o);
		return rc == -EINVAL ? 0 : rc;
	}
	w->delivered++;
	rc = w->cb->node(w->cb->arg, o);
	return rc < 0 ? rc : 0;
}

/* One item, by its own kind.  0 (also for skipped items) or < 0: stop. */
static int list_item(struct list_walk *w, const cJSON *item, size_t i)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(item, "kind");
	const char *kind = w->default_kind;

	if (!cJSON_IsObject(item)) {
		list_warn_item(w, item, i, "not an object");
		return 0;
	}
	if (cJSON_IsString(k))
		kind = k->valuestring;
	else if (k && !cJSON_IsNull(k))
		kind = NULL;
	if (!kind) {
		list_warn_item(w, item, i, "no kind");
		return 0;
	}
	if (!strcmp(kind, "Service") && w->cb->service)
		return list_service(w, item);
	if (!strcmp(kind, "EndpointSlice") && w->cb->slice)
		return list_slice(w, item);
	if (!strcmp(kind, "Node") && w->cb->node)
		return list_node(w, item);
	return 0; /* another kind, or one the caller does not want */
}

/* Turn a walk's result into the return value, with a message. */
static int list_result(struct list_walk *w, int rc, size_t i, char *err,
		       size_t errlen)
{
	char buf[128];

	if (rc == -ENOMEM)
		list_err(err, errlen, "items[%zu]: out of memory", i);
	else if (rc)
		list_err(err, errlen, "items[%zu]: stopped by the receiver: %s",
			 i, strerror_r(-rc, buf, sizeof(buf)));
	return rc ? rc : w->delivered;
}

/*
 * Walk the items, freeing each one's JSON as soon as it is decoded: the
 * tree and the objects are never both whole in memory.
 */
static int list_walk_items(struct list_walk *w, cJSON *items, char *err,
			   size_t errlen)
{
	cJSON *it;
	size_t i = 0;
	int rc = 0;

	while (items && (it = items->child)) {
		cJSON_DetachItemViaPointer(items, it);
		rc = list_item(w, it, i);
		cJSON_Delete(it);
		if (rc)
			break;
		i++;
	}
	return list_result(w, rc, i, err, errlen);
}

/* "ServiceList" -> "Service": items of typed lists from the API server
 * carry no kind of their own.  NULL for "List" and other documents. */
static const char *list_kind_items(const cJSON *k, char *buf, size_t buflen)
{
	size_t n;

	if (!cJSON_IsString(k))
		return NULL;
	n = strlen(k->valuestring);
	if (n <= 4 || n - 4 >= buflen || strcmp(k->valuestring + n - 4, "List"))
		return NULL;
	memcpy(buf, k->valuestring, n - 4);
	buf[n - 4] = 0;
	return buf;
}

/* The same from the document's top-level "kind". */
static const char *list_item_kind(const cJSON *root, char *buf, size_t buflen)
{
	return list_kind_items(cJSON_GetObjectItemCaseSensitive(root, "kind"),
			       buf, buflen);
}

/* Is the document a List (*@items, NULL for "items": null) or one object
 * of a kind we know (*@single)?  Anything else is -EINVAL: a file that is
 * not a List must not read as "no Services". */
static int list_shape(const cJSON *root, cJSON **items, int *single,
		      char *err, size_t errlen)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(root, "kind");
	const char *kind = cJSON_IsString(k) ? k->valuestring : "";

	*single = 0;
	*items = NULL;
	if (!cJSON_IsObject(root)) {
		list_err(err, errlen, "the document is %s, not a Kubernetes List",
			 k8s_dec_type_name(root));
		return -EINVAL;
	}
	*items = cJSON_GetObjectItemCaseSensitive(root, "items");
	if (cJSON_IsArray(*items))
		return 0;
	if (cJSON_IsNull(*items)) {
		*items = NULL;
		return 0;
	}
	if (*items) {
		list_err(err, errlen, "items: expected an array, got %s",
			 k8s_dec_type_name(*items));
		return -EINVAL;
	}
	if (!strcmp(kind, "Service") || !strcmp(kind, "EndpointSlice") ||
	    !strcmp(kind, "Node")) {
		*single = 1;
		return 0;
	}
	list_err(err, errlen, "not a Kubernetes List: no items (kind \"%.64s\")",
		 kind);
	return -EINVAL;
}

static int list_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parse the whole text; on failure say where and why. */
static int list_parse(const char *text, size_t len, cJSON **root, char *err,
		      size_t errlen)
{
	unsigned long line, col;
	const char *end = text;
	char what[128];
	size_t pos;

	*root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (*root) {
		for (pos = (size_t)(end - text); pos < len; pos++) {
			if (!list_space(text[pos]))
				break;
		}
		if (pos == len)
			return 0;
		cJSON_Delete(*root);
		*root = NULL;
		snprintf(what, sizeof(what),
			 "unexpected data after the JSON document");
	} else if (!k8s_json_error(text, len, &pos, what, sizeof(what))) {
		/* Valid JSON that cJSON refused: it ran out of memory. */
		pos = end ? (size_t)(end - text) : 0;
		snprintf(what, sizeof(what), "cJSON could not parse this (out of memory?)");
	}
	k8s_json_line_col(text, pos < len ? pos : len, &line, &col);
	list_err(err, errlen, "line %lu, column %lu: %s", line, col, what);
	return -EINVAL;
}

/* The kind of a typed list's items, from the top-level "kind" value. */
static const char *stream_kind(const char *text, size_t len, char *buf,
			       size_t buflen)
{
	const char *v;
	size_t vlen;
	cJSON *k, *root;
	const char *kind = NULL;

	if (!k8s_json_member(text, len, "kind", &v, &vlen) || *v != '"')
		return NULL;
	if (!(k = cJSON_ParseWithLength(v, vlen)))
		return NULL;
	if ((root = cJSON_CreateObject())) {
		cJSON_AddItemToObject(root, "kind", k);
		kind = list_item_kind(root, buf, buflen);
		cJSON_Delete(root);
	} else {
		cJSON_Delete(k);
	}
	return kind;
}

/*
 * The common case, a valid List with an items array, one item at a time:
 * each item's tree is built, decoded and freed before the next, so memory
 * holds one item's tree, never the file's.  Sets *@done and returns the
 * result, or leaves *@done 0 when it does not apply (the caller then
 * parses the whole document).
 */
static int list_stream(const char *text, size_t len, struct list_walk *w,
		       int *done, char *err, size_t errlen)
{
	struct k8s_json_iter it;
	const char *items, *elem;
	size_t ilen, elen, i = 0;
	char kind[64];
	cJSON *item;
	int rc = 0;

	*done = 0;
	if (!k8s_json_member(text, len, "items", &items, &ilen) || *items != '[')
		return 0;
	*done = 1;
	w->default_kind = stream_kind(text, len, kind, sizeof(kind));
	k8s_json_iter_init(&it, items, ilen);
	while (!rc && k8s_json_iter_next(&it, &elem, &elen)) {
		if (!(item = cJSON_ParseWithLength(elem, elen))) {
			rc = -ENOMEM; /* the text was checked: only memory fails */
			break;
		}
		rc = list_item(w, item, i);
		cJSON_Delete(item);
		if (!rc)
			i++;
	}
	return list_result(w, rc, i, err, errlen);
}

/* Check the whole text first: a broken file changes nothing. */
static int list_check(const char *text, size_t len, char *err, size_t errlen)
{
	unsigned long line, col;
	char what[128];
	size_t pos;

	if (!k8s_json_error(text, len, &pos, what, sizeof(what)))
		return 0;
	k8s_json_line_col(text, pos < len ? pos : len, &line, &col);
	list_err(err, errlen, "line %lu, column %lu: %s", line, col, what);
	return -EINVAL;
}

int k8s_decode_list(const char *text, size_t len, const struct k8s_list_cb *cb,
		    struct k8s_decode_log *log, char *err, size_t errlen)
{
	static const struct k8s_list_cb none; /* check only, keep nothing */
	struct list_walk w = { .cb = cb ? cb : &none, .log = log };
	char kind[64];
	cJSON *root, *items;
	int single, rc, streamed;

	list_err(err, errlen, "%s", "");
	if (!text) {
		list_err(err, errlen, "no document");
		return -EINVAL;
	}
	if ((rc = list_check(text, len, err, errlen)))
		return rc;
	rc = list_stream(text, len, &w, &streamed, err, errlen);
	if (streamed)
		return rc;
	rc = list_parse(text, len, &root, err, errlen);
	if (!rc)
		rc = list_shape(root, &items, &single, err, errlen);
	if (!rc && single) {
		rc = list_result(&w, list_item(&w, root, 0), 0, err, errlen);
	} else if (!rc) {
		w.default_kind = list_item_kind(root, kind, sizeof(kind));
		rc = list_walk_items(&w, items, err, errlen);
	}
	cJSON_Delete(root);
	return rc;
}

/* ---- a List read from a stream ----------------------------------------- */

struct list_read {
	struct k8s_json_in in;
	struct list_walk w;
	size_t i;          /* the item being read */
	int kind_seen;     /* the list's own "kind" was read */
	int items_seen;    /* its "items" were read */
	char kind[64];     /* w.default_kind's text */
};

/* JSON value the stream did not take: the whole-document path's. */
static int read_refused(int rc)
{
	return rc == -EINVAL ? -EAGAIN : rc;
}

/* The item at the stream's position.  Without a kind of its own it takes
 * the list's, which must then be known already. */
static int read_item(struct list_read *r)
{
	const cJSON *k;
	cJSON *item;
	int rc;

	if (!(item = k8s_json_in_value(&r->in, &rc)))
		return read_refused(rc);
	k = cJSON_GetObjectItemCaseSensitive(item, "kind");
	if (!r->kind_seen && cJSON_IsObject(item) && (!k || cJSON_IsNull(k)))
		rc = -EAGAIN;
	else
		rc = list_item(&r->w, item, r->i);
	k8s_json_in_drop(&r->in);
	return rc;
}

/* "[" item, item, ... "]" */
static int read_items(struct list_read *r)
{
	int c, rc;

	k8s_json_in_take(&r->in);
	if (k8s_json_in_peek(&r->in) == ']') {
		k8s_json_in_take(&r->in);
		return 0;
	}
	for (;;) {
		if ((rc = read_item(r)))
			return rc;
		r->i++;
		c = k8s_json_in_peek(&r->in);
		k8s_json_in_take(&r->in);
		if (c == ']')
			return 0;
		if (c != ',')
			return -EAGAIN;
	}
}

/* One member of the top-level object: the items streamed, any other
 * value parsed (the first "kind" kept) and dropped. */
static int read_member(struct list_read *r)
{
	cJSON *key, *v;
	int rc = 0;

	if (k8s_json_in_peek(&r->in) != '"')
		return -EAGAIN;
	if (!(key = k8s_json_in_value(&r->in, &rc)))
		return read_refused(rc);
	if (k8s_json_in_peek(&r->in) != ':')
		return -EAGAIN;
	k8s_json_in_take(&r->in);
	if (!r->items_seen && !strcmp(key->valuestring, "items")) {
		k8s_json_in_drop(&r->in);
		r->items_seen = 1;
		/* null, or not an array: the whole-document path says which */
		return k8s_json_in_peek(&r->in) == '[' ? read_items(r) : -EAGAIN;
	}
	if (!(v = k8s_json_in_value(&r->in, &rc)))
		return read_refused(rc);
	if (!r->kind_seen && !strcmp(key->valuestring, "kind")) {
		r->kind_seen = 1;
		r->w.default_kind = list_kind_items(v, r->kind, sizeof(r->kind));
	}
	k8s_json_in_drop(&r->in);
	return 0;
}

/* "{" member, member, ... "}" and nothing after it. */
static int read_document(struct list_read *r)
{
	int c, rc;

	if (k8s_json_in_peek(&r->in) != '{')
		return -EAGAIN;
	k8s_json_in_take(&r->in);
	do {
		if ((rc = read_member(r)))
			return rc;
		c = k8s_json_in_peek(&r->in);
		k8s_json_in_take(&r->in);
	} while (c == ',');
	if (c != '}' || k8s_json_in_peek(&r->in) >= 0 || r->in.err)
		return -EAGAIN;
	return r->items_seen ? 0 : -EAGAIN;
}

int k8s_decode_list_read(ssize_t (*read)(void *arg, char *buf, size_t len),
			 void *rarg, const struct k8s_list_cb *cb,
			 struct k8s_decode_log *log, char *err, size_t errlen)
{
	static const struct k8s_list_cb none;
	struct list_read r = { .w = { .cb = cb ? cb : &none, .log = log } };
	int rc;

	list_err(err, errlen, "%s", "");
	k8s_json_in_init(&r.in, read, rarg);
	rc = read_document(&r);
	/* The input failing is its own reason, whatever the parse made of
	 * what it cut short. */
	if (r.in.err && (!rc || rc == -EAGAIN))
		rc = r.in.err;
	k8s_json_in_fini(&r.in);
	if (rc == -EAGAIN)
		return rc;
	if (rc && rc == r.in.err) {
		list_err(err, errlen, "%s", rc == -ENOMEM ? "out of memory" :
			 strerror(-rc));
		return rc;
	}
	return list_result(&r.w, rc, r.i, err, errlen);
}

/* ---- one page of a LIST answer (the reflector's) ----------------------- */

void k8s_list_page_fini(struct k8s_list_page *page)
{
	free(page->resource_version);
	free(page->cont);
	page->resource_version = page->cont = NULL;
}

/* A copy of string member @key of @md, or NULL when absent or empty. */
static int page_str(const cJSON *md, const char *key, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(md, key);

	*out = NULL;
	if (!cJSON_IsString(v) || !*v->valuestring)
		return 0;
	*out = strdup(v->valuestring);
	return *out ? 0 : -ENOMEM;
}

/* metadata.resourceVersion and metadata.continue: only the small
 * "metadata" value is parsed, never the page. */
static int page_meta(const char *text, size_t len, struct k8s_list_page *page)
{
	const char *v;
	size_t vlen;
	cJSON *md;
	int rc;

	if (!k8s_json_member(text, len, "metadata", &v, &vlen) || *v != '{')
		return 0;
	if (!(md = cJSON_ParseWithLength(v, vlen)))
		return -ENOMEM; /* the text was checked: only memory fails */
	rc = page_str(md, "resourceVersion", &page->resource_version);
	if (!rc)
		rc = page_str(md, "continue", &page->cont);
	cJSON_Delete(md);
	return rc;
}

/* Each element of the items array, parsed alone, to @item. */
static int page_items(const char *items, size_t ilen,
		      int (*item)(void *arg, const cJSON *item), void *arg)
{
	struct k8s_json_iter it;
	const char *elem;
	size_t elen;
	int n = 0, rc;
	cJSON *j;

	k8s_json_iter_init(&it, items, ilen);
	while (k8s_json_iter_next(&it, &elem, &elen)) {
		if (!(j = cJSON_ParseWithLength(elem, elen)))
			return -ENOMEM;
		rc = item ? item(arg, j) : 0;
		cJSON_Delete(j);
		if (rc < 0)
			return rc;
		n++;
	}
	return n;
}

int k8s_decode_page(const char *text, size_t len, struct k8s_list_page *page,
		    int (*item)(void *arg, const cJSON *item), void *arg,
		    char *err, size_t errlen)
{
	const char *items;
	size_t ilen;
	int rc;

	memset(page, 0, sizeof(*page));
	list_err(err, errlen, "%s", "");
	if (!text) {
		list_err(err, errlen, "no document");
		return -EINVAL;
	}
	if ((rc = list_check(text, len, err, errlen)))
		return rc;
	if (!k8s_json_member(text, len, "items", &items, &ilen)) {
		list_err(err, errlen, "not a List: no items");
		return -EINVAL;
	}
	if (*items != '[' && strncmp(items, "null", 4)) {
		list_err(err, errlen, "items: expected an array");
		return -EINVAL;
	}
	rc = page_meta(text, len, page);
	if (!rc && *items == '[')
		rc = page_items(items, ilen, item, arg);
	if (rc < 0) {
		list_err(err, errlen, "%s", rc == -ENOMEM ? "out of memory" :
			 "stopped by the receiver");
		k8s_list_page_fini(page);
	}
	return rc;
}
