/*
 * k8s/json_split.c - skipping over valid JSON values.  O(length), no
 * allocation.
 */
#include "json_split.h"

#include <string.h>

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* @p at the opening quote; returns one past the closing one. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < end ? p + 1 : end;
}

/* @p at the first byte of a value; returns one past its last byte. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return end;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && !strchr(",}] \t\r\n", *p))
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"') {
			p = skip_string(p, end);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return end;
}

int k8s_json_member(const char *text, size_t len, const char *key,
		    const char **val, size_t *vlen)
{
	const char *end = text + len, *p = skip_space(text, end), *k, *v;
	size_t klen = strlen(key);
	int match;

	if (p >= end || *p != '{')
		return 0;
	for (p = skip_space(p + 1, end); p < end && *p == '"';) {
		k = p + 1;
		p = skip_string(p, end);
		match = (size_t)(p - 1 - k) == klen && !memcmp(k, key, klen);
		p = skip_space(p, end) + 1; /* the ':' */
		v = skip_space(p, end);
		p = skip_value(v, end);
		if (match) {
			*val = v;
			*vlen = (size_t)(p - v);
			return 1;
		}
		p = skip_space(p, end);
		if (p < end && *p == ',')
			p = skip_space(p + 1, end);
	}
	return 0;
}

void k8s_json_iter_init(struct k8s_json_iter *it, const char *array, size_t len)
{
	it->p = array + 1;
	it->end = array + len;
}

int k8s_json_iter_next(struct k8s_json_iter *it, const char **elem, size_t *len)
{
	const char *p = skip_space(it->p, it->end);

	if (p < it->end && *p == ',')
		p = skip_space(p + 1, it->end);
	if (p >= it->end || *p == ']') {
		it->p = it->end;
		return 0;
	}
	*elem = p;
	it->p = skip_value(p, it->end);
	*len = (size_t)(it->p - p);
	return 1;
}
