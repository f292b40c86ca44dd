/*
 * k8s/decode_meta.c - metadata: identity, resourceVersion, deletion, and
 * the label and annotation sets (sorted, so objects compare in O(n)).
 */
#include "decode_field.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A pair with its position in the JSON, so sorting can keep the first of
 * duplicate keys (the one cJSON_GetObjectItem would have found). */
struct meta_kvpos {
	struct k8s_kv kv;
	size_t pos;
};

static int meta_kvpos_cmp(const void *a, const void *b)
{
	const struct meta_kvpos *x = a, *y = b;
	int c = strcmp(x->kv.key, y->kv.key);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Collect the string members of @j; the others are reported and left out. */
static size_t meta_kvs_collect(struct k8s_dec *d, const cJSON *j,
			       const char *what, struct meta_kvpos *tmp)
{
	const cJSON *it;
	size_t n = 0, pos = 0;

	for (it = j->child; it; it = it->next, pos++) {
		if (!cJSON_IsString(it)) {
			k8s_dec_warn(d, "metadata.%s[\"%.64s\"]: expected a string, got %s",
				     what, it->string, k8s_dec_type_name(it));
			continue;
		}
		tmp[n].kv.key = it->string;
		tmp[n].kv.value = it->valuestring;
		tmp[n].pos = pos;
		n++;
	}
	return n;
}

/* Copy the sorted pairs, dropping (and reporting) repeated keys. */
static int meta_kvs_copy(struct k8s_dec *d, const char *what,
			 const struct meta_kvpos *tmp, size_t n,
			 struct k8s_kvs *kvs)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct k8s_kv *kv = &kvs->v[kvs->n];

		if (i && !strcmp(tmp[i].kv.key, tmp[i - 1].kv.key)) {
			k8s_dec_warn(d, "metadata.%s[\"%.64s\"]: repeated key",
				     what, tmp[i].kv.key);
			continue;
		}
		kv->key = strdup(tmp[i].kv.key);
		kv->value = strdup(tmp[i].kv.value);
		if (!kv->key || !kv->value) {
			free(kv->key);
			free(kv->value);
			return -ENOMEM;
		}
		kvs->n++;
	}
	return 0;
}

static int meta_kvs(struct k8s_dec *d, const cJSON *md, const char *what,
		    struct k8s_kvs *kvs)
{
	struct meta_kvpos *tmp;
	const cJSON *j, *it;
	size_t n = 0;
	int rc;

	if (k8s_dec_obj(d, md, what, "metadata", &j) || !j->child)
		return 0;
	for (it = j->child; it; it = it->next)
		n++;
	tmp = malloc(n * sizeof(*tmp));
	kvs->v = malloc(n * sizeof(*kvs->v));
	if (!tmp || !kvs->v) {
		free(tmp);
		return -ENOMEM;
	}
	n = meta_kvs_collect(d, j, what, tmp);
	qsort(tmp, n, sizeof(*tmp), meta_kvpos_cmp);
	rc = meta_kvs_copy(d, what, tmp, n, kvs);
	free(tmp);
	return rc;
}

/* metadata.name and metadata.namespace, the object's identity. */
static int meta_identity(struct k8s_dec *d, const cJSON *md, int namespaced,
			 struct k8s_meta *m)
{
	const char *ns = "", *name;
	int rc;

	if (namespaced) {
		rc = k8s_dec_str(d, md, "namespace", "metadata", &ns);
		if (rc < 0)
			return -EINVAL;
		if (rc || !*ns)
			ns = "default";
		d->ns = ns;
	}
	rc = k8s_dec_str(d, md, "name", "metadata", &name);
	if (rc < 0)
		return -EINVAL;
	if (rc || !*name) {
		k8s_dec_warn(d, "metadata.name: missing");
		return -EINVAL;
	}
	d->name = name;
	m->ns = strdup(ns);
	m->name = strdup(name);
	return m->ns && m->name ? 0 : -ENOMEM;
}

int k8s_dec_meta(struct k8s_dec *d, const cJSON *obj, int namespaced,
		 struct k8s_meta *m)
{
	const cJSON *md, *del;
	int rc;

	rc = k8s_dec_obj(d, obj, "metadata", "", &md);
	if (rc) {
		if (rc > 0)
			k8s_dec_warn(d, "metadata: missing");
		return -EINVAL;
	}
	rc = meta_identity(d, md, namespaced, m);
	if (rc)
		return rc;
	if (k8s_dec_strdup_opt(d, md, "uid", "metadata", &m->uid) ||
	    k8s_dec_strdup_opt(d, md, "resourceVersion", "metadata",
			       &m->resource_version))
		return -ENOMEM;
	/* Any non-null value: the API server's is a timestamp string. */
	del = cJSON_GetObjectItemCaseSensitive(md, "deletionTimestamp");
	m->deleting = del && !cJSON_IsNull(del);
	rc = meta_kvs(d, md, "labels", &m->labels);
	if (!rc)
		rc = meta_kvs(d, md, "annotations", &m->annotations);
	return rc;
}
