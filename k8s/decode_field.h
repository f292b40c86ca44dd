/*
 * k8s/decode_field.h - what the object decoders share (private to
 * k8s/decode_*.c): the report context, typed field getters that report a
 * wrong type once, metadata, label sets and IP lists.
 *
 * Conventions of the getters: 0 = got it; 1 = absent or null (the caller
 * applies the default; nothing reported); -1 = present but unusable
 * (reported, the caller leaves its unit out).  Functions that allocate
 * return -ENOMEM too.  @at names the enclosing unit in reports, e.g.
 * "spec.ports[2]"; it is never content, so fixed buffers hold it.
 */
#ifndef K8S_DECODE_FIELD_H
#define K8S_DECODE_FIELD_H

#include <stddef.h>

#include "decode.h"

/* Long enough for "status.loadBalancer.ingress[4294967295]". */
#define K8S_DEC_AT_MAX 64

struct k8s_dec {
	const char *kind;           /* "Service", ... for reports */
	const char *ns;             /* for reports, "" until known */
	const char *name;           /* for reports, "" until known */
	struct k8s_decode_log *log; /* may be NULL */
};

void k8s_dec_init(struct k8s_dec *d, const char *kind,
		  struct k8s_decode_log *log);

/* Report one rejected unit.  The reason is cut at 255 bytes. */
void k8s_dec_warn(struct k8s_dec *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "a string", "a number", ... for reports. */
const char *k8s_dec_type_name(const cJSON *j);

int k8s_dec_str(struct k8s_dec *d, const cJSON *obj, const char *key,
		const char *at, const char **out);
int k8s_dec_bool(struct k8s_dec *d, const cJSON *obj, const char *key,
		 const char *at, int *out);
/* An integer in [@lo, @hi]; 1.5 and "80" are wrong types. */
int k8s_dec_int(struct k8s_dec *d, const cJSON *obj, const char *key,
		const char *at, long lo, long hi, long *out);
/* An object (*out may be NULL on 1). */
int k8s_dec_obj(struct k8s_dec *d, const cJSON *obj, const char *key,
		const char *at, const cJSON **out);
/* An array and its length. */
int k8s_dec_arr(struct k8s_dec *d, const cJSON *obj, const char *key,
		const char *at, const cJSON **out, size_t *n);

/* A string member copied, or *@out = NULL when absent (reported and NULL
 * when of the wrong type).  Returns 0 or -ENOMEM. */
int k8s_dec_strdup_opt(struct k8s_dec *d, const cJSON *obj, const char *key,
		       const char *at, char **out);

/*
 * Check @s is a numeric IP of family @af (0: either) and store its
 * canonical text in *@out.  0; -1 (reported as "@at: ..."); -ENOMEM.
 */
int k8s_dec_ip(struct k8s_dec *d, const char *s, int af, const char *at,
	       char **out);

/* obj[@key], an array of IP strings, into a new vector without the bad
 * ones (each reported).  Absent or null: empty.  0 or -ENOMEM. */
int k8s_dec_ip_list(struct k8s_dec *d, const cJSON *obj, const char *key,
		    const char *at, char ***out, size_t *n);

/* "name" ("" when absent) and "protocol" (TCP when absent) of a port
 * entry, the same in a Service and a slice.  0 or -1 (reported).
 * *@name points into the JSON. */
int k8s_dec_port_id(struct k8s_dec *d, const cJSON *j, const char *at,
		    const char **name, int *protocol);

/* Fail with -EINVAL (reported) when "kind" is present and not @want. */
int k8s_dec_kind(struct k8s_dec *d, const cJSON *obj, const char *want);

/* metadata; @namespaced says whether a namespace applies.  Sets d->ns and
 * d->name.  0, -EINVAL (no usable name: reported), -ENOMEM. */
int k8s_dec_meta(struct k8s_dec *d, const cJSON *obj, int namespaced,
		 struct k8s_meta *m);

#endif
