/*
 * k8s/json_split.h - find the parts of a JSON document without parsing it
 * whole, so a List of 20,000 objects is parsed one item at a time: the
 * cJSON tree of one item, not of the file, is ever in memory (the whole
 * tree would be several times the text, and would stay in the heap as
 * fragments long after it is freed).
 *
 * Only for text that k8s_json_error() found valid: nothing here checks
 * syntax again.
 */
#ifndef K8S_JSON_SPLIT_H
#define K8S_JSON_SPLIT_H

#include <stddef.h>

/* The value of the top-level object's member @key (the first one, with
 * no escapes in its name): 1 with *@val and *@vlen set, 0 if the
 * document is not an object or has no such member. */
int k8s_json_member(const char *text, size_t len, const char *key,
		    const char **val, size_t *vlen);

/* The elements of an array, in order. */
struct k8s_json_iter {
	const char *p;    /* next byte to look at */
	const char *end;  /* one past the array's ']' */
};

/* @array points at the '[' of a value of @len bytes. */
void k8s_json_iter_init(struct k8s_json_iter *it, const char *array, size_t len);

/* 1 with the next element's span, 0 at the end of the array. */
int k8s_json_iter_next(struct k8s_json_iter *it, const char **elem, size_t *len);

#endif
