/*
 * k8s/config_yaml.c - a YAML document loaded whole with libyaml, and
 * typed getters over it.  Kubeconfigs are small (kilobytes), so the tree
 * costs nothing worth streaming for; lookups walk a mapping's pairs,
 * which hold a handful of keys.
 */
#include "config_yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define YAML_NULL_TAG "tag:yaml.org,2002:null"
#define YAML_BOOL_TAG "tag:yaml.org,2002:bool"

/* 1-based line and column of byte @off (libyaml's reader errors carry an
 * offset, not a mark). */
static void yaml_line_col(const char *text, size_t len, size_t off,
			  size_t *line, size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int yaml_parse_error(struct k8s_yaml *y, const yaml_parser_t *p,
			    const char *text, size_t len)
{
	const char *what = p->problem ? p->problem : "not YAML";
	size_t line, col;

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (p->error == YAML_READER_ERROR) {
		yaml_line_col(text, len, p->problem_offset, &line, &col);
		return k8s_yaml_fail(y, "line %zu, column %zu: %s", line, col,
				     what);
	}
	if (p->context)
		return k8s_yaml_fail(y,
				     "line %zu, column %zu: %s (%s at line %zu, column %zu)",
				     p->problem_mark.line + 1,
				     p->problem_mark.column + 1, what,
				     p->context, p->context_mark.line + 1,
				     p->context_mark.column + 1);
	return k8s_yaml_fail(y, "line %zu, column %zu: %s",
			     p->problem_mark.line + 1,
			     p->problem_mark.column + 1, what);
}

int k8s_yaml_load(struct k8s_yaml *y, const char *src, const char *text,
		  size_t len, char *err, size_t errlen)
{
	yaml_parser_t p;
	int r = 0;

	memset(y, 0, sizeof(*y));
	y->src = src;
	y->err = err;
	y->errlen = errlen;
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (yaml_parser_load(&p, &y->doc))
		y->loaded = 1;
	else
		r = yaml_parse_error(y, &p, text, len);
	yaml_parser_delete(&p);
	return r;
}

void k8s_yaml_fini(struct k8s_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = 0;
}

yaml_node_t *k8s_yaml_root(struct k8s_yaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

int k8s_yaml_fail(struct k8s_yaml *y, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!y->err || !y->errlen)
		return -EINVAL;
	n = snprintf(y->err, y->errlen, "%s: ", y->src);
	if (n < 0 || (size_t)n >= y->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(y->err + n, y->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *yaml_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int yaml_tag_is(const yaml_node_t *n, const char *tag)
{
	return n->tag && !strcmp((const char *)n->tag, tag);
}

int k8s_yaml_is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t i;

	if (!n)
		return 1;
	if (n->type != YAML_SCALAR_NODE)
		return 0;
	if (yaml_tag_is(n, YAML_NULL_TAG))
		return 1;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		if (!strcmp(yaml_scalar(n), nulls[i]))
			return 1;
	}
	return 0;
}

const char *k8s_yaml_type_name(const yaml_node_t *n)
{
	if (k8s_yaml_is_null(n))
		return "null";
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	default:
		return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
			       ? "a plain scalar"
			       : "a quoted string";
	}
}

yaml_node_t *k8s_yaml_get(struct k8s_yaml *y, yaml_node_t *map,
			  const char *key)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k, *found = NULL;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		k = yaml_document_get_node(&y->doc, pair->key);
		if (k && k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen(key) &&
		    !strcmp(yaml_scalar(k), key))
			found = yaml_document_get_node(&y->doc, pair->value);
	}
	return k8s_yaml_is_null(found) ? NULL : found;
}

static int yaml_wrong_type(struct k8s_yaml *y, const char *at,
			   const char *key, const char *want,
			   const yaml_node_t *got)
{
	return k8s_yaml_fail(y, "%s%s%s: expected %s, got %s (line %zu)", at,
			     *at ? "." : "", key, want, k8s_yaml_type_name(got),
			     got->start_mark.line + 1);
}

int k8s_yaml_str(struct k8s_yaml *y, yaml_node_t *map, const char *key,
		 const char *at, const char **out, size_t *len)
{
	yaml_node_t *n = k8s_yaml_get(y, map, key);

	if (!n)
		return 1;
	if (n->type != YAML_SCALAR_NODE)
		return yaml_wrong_type(y, at, key, "a string", n);
	if (strlen(yaml_scalar(n)) != n->data.scalar.length)
		return k8s_yaml_fail(y, "%s%s%s: contains a NUL byte (line %zu)",
				     at, *at ? "." : "", key,
				     n->start_mark.line + 1);
	*out = yaml_scalar(n);
	if (len)
		*len = n->data.scalar.length;
	return 0;
}

int k8s_yaml_bool(struct k8s_yaml *y, yaml_node_t *map, const char *key,
		  const char *at, int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
					   "Yes",  "YES",  "on",   "On",
					   "ON",   "y",    "Y" };
	static const char *const no[] = { "false", "False", "FALSE", "no",
					  "No",    "NO",    "off",   "Off",
					  "OFF",   "n",     "N" };
	yaml_node_t *n = k8s_yaml_get(y, map, key);
	size_t i;

	if (!n)
		return 1;
	if (n->type != YAML_SCALAR_NODE ||
	    (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
	     !yaml_tag_is(n, YAML_BOOL_TAG)))
		return yaml_wrong_type(y, at, key, "a boolean", n);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(yaml_scalar(n), yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(yaml_scalar(n), no[i])) {
			*out = 0;
			return 0;
		}
	}
	return k8s_yaml_fail(y, "%s%s%s: expected a boolean, got \"%.32s\" (line %zu)",
			     at, *at ? "." : "", key, yaml_scalar(n),
			     n->start_mark.line + 1);
}

int k8s_yaml_map(struct k8s_yaml *y, yaml_node_t *map, const char *key,
		 const char *at, yaml_node_t **out)
{
	yaml_node_t *n = k8s_yaml_get(y, map, key);

	*out = NULL;
	if (!n)
		return 1;
	if (n->type != YAML_MAPPING_NODE)
		return yaml_wrong_type(y, at, key, "a mapping", n);
	*out = n;
	return 0;
}

int k8s_yaml_seq(struct k8s_yaml *y, yaml_node_t *map, const char *key,
		 const char *at, yaml_node_t **out, size_t *n)
{
	yaml_node_t *s = k8s_yaml_get(y, map, key);

	*out = NULL;
	*n = 0;
	if (!s)
		return 1;
	if (s->type != YAML_SEQUENCE_NODE)
		return yaml_wrong_type(y, at, key, "a sequence", s);
	*out = s;
	*n = (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
	return 0;
}

yaml_node_t *k8s_yaml_item(struct k8s_yaml *y, yaml_node_t *seq, size_t i)
{
	return yaml_document_get_node(&y->doc,
				      seq->data.sequence.items.start[i]);
}
