/*
 * k8s/config_yaml.h - typed access to a YAML document (libyaml's document
 * API), for the kubeconfig loader only.  Private to k8s/config*.c.
 *
 * The document API gives every style the same tree: block or flow
 * collections, plain or quoted scalars, and aliases resolved to the node
 * of their anchor (shared, not copied, so an alias bomb costs nothing).
 * Scalars are typed the way kubectl's YAML reader (YAML 1.1 through
 * sigs.k8s.io/yaml) types them where it matters here: an empty value,
 * ~ and null are null; booleans are plain true/false/yes/no/on/off in
 * their usual capitalisations, and a quoted "true" is a string.
 *
 * Conventions of the getters, as in decode_field.h: 0 = got it; 1 =
 * absent or null (nothing reported); -EINVAL = present but unusable
 * (reported into the error buffer, with the node's line).  @at names the
 * enclosing mapping in messages, e.g. "clusters[2].cluster".
 */
#ifndef K8S_CONFIG_YAML_H
#define K8S_CONFIG_YAML_H

#include <stddef.h>

#include <yaml.h>

struct k8s_yaml {
	yaml_document_t doc; /* the first document of the text */
	int loaded;          /* doc holds something to delete */
	const char *src;     /* message prefix, e.g. "kubeconfig /x" */
	char *err;           /* where messages go (may be NULL) */
	size_t errlen;
};

/*
 * Parse @len bytes of @text (its first document).  0, -EINVAL ("SRC: line
 * L, column C: what the parser says"), or -ENOMEM.  Free with
 * k8s_yaml_fini() either way.
 */
int k8s_yaml_load(struct k8s_yaml *y, const char *src, const char *text,
		  size_t len, char *err, size_t errlen);
void k8s_yaml_fini(struct k8s_yaml *y);

/* The root node; NULL for an empty document. */
yaml_node_t *k8s_yaml_root(struct k8s_yaml *y);

/* "SRC: " and the message into the error buffer; returns -EINVAL. */
int k8s_yaml_fail(struct k8s_yaml *y, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Whether @n is a null scalar (or NULL). */
int k8s_yaml_is_null(const yaml_node_t *n);

/* "a mapping", "a sequence", "a string" ... for messages. */
const char *k8s_yaml_type_name(const yaml_node_t *n);

/* map[@key] (the last one when repeated), or NULL when absent or null. */
yaml_node_t *k8s_yaml_get(struct k8s_yaml *y, yaml_node_t *map,
			  const char *key);

/* A scalar as a string; NUL bytes inside are refused (-EINVAL). */
int k8s_yaml_str(struct k8s_yaml *y, yaml_node_t *map, const char *key,
		 const char *at, const char **out, size_t *len);
int k8s_yaml_bool(struct k8s_yaml *y, yaml_node_t *map, const char *key,
		  const char *at, int *out);
int k8s_yaml_map(struct k8s_yaml *y, yaml_node_t *map, const char *key,
		 const char *at, yaml_node_t **out);
/* A sequence, its length in *@n; k8s_yaml_item() walks it. */
int k8s_yaml_seq(struct k8s_yaml *y, yaml_node_t *map, const char *key,
		 const char *at, yaml_node_t **out, size_t *n);
yaml_node_t *k8s_yaml_item(struct k8s_yaml *y, yaml_node_t *seq, size_t i);

#endif
