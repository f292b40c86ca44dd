/*
 * k8s/decode_field.c - typed access to cJSON members, with exactly one
 * report per rejected unit.  cJSON looks members up by a linear walk of
 * the object; Kubernetes objects have a few dozen members at most, so
 * that is cheaper than building an index.
 */
#include "decode_field.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void k8s_dec_init(struct k8s_dec *d, const char *kind,
		  struct k8s_decode_log *log)
{
	d->kind = kind;
	d->ns = "";
	d->name = "";
	d->log = log;
}

void k8s_dec_warn(struct k8s_dec *d, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	char *p;

	if (!d->log || !d->log->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Values quoted from the input must not forge log lines. */
	for (p = buf; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	d->log->warn(d->log->arg, d->kind, d->ns, d->name, buf);
}

const char *k8s_dec_type_name(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "null";
}

/* The member, or NULL when absent or JSON null. */
static const cJSON *dec_member(const cJSON *obj, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNull(j) ? NULL : j;
}

static void dec_wrong_type(struct k8s_dec *d, const char *at, const char *key,
			   const char *want, const cJSON *got)
{
	k8s_dec_warn(d, "%s%s%s: expected %s, got %s", at, *at ? "." : "", key,
		     want, k8s_dec_type_name(got));
}

int k8s_dec_str(struct k8s_dec *d, const cJSON *obj, const char *key,
		const char *at, const char **out)
{
	const cJSON *j = dec_member(obj, key);

	if (!j)
		return 1;
	if (!cJSON_IsString(j)) {
		dec_wrong_type(d, at, key, "a string", j);
		return -1;
	}
	*out = j->valuestring;
	return 0;
}

int k8s_dec_bool(struct k8s_dec *d, const cJSON *obj, const char *key,
		 const char *at, int *out)
{
	const cJSON *j = dec_member(obj, key);

	if (!j)
		return 1;
	if (!cJSON_IsBool(j)) {
		dec_wrong_type(d, at, key, "a boolean", j);
		return -1;
	}
	*out = cJSON_IsTrue(j);
	return 0;
}

int k8s_dec_int(struct k8s_dec *d, const cJSON *obj, const char *key,
		const char *at, long lo, long hi, long *out)
{
	const cJSON *j = dec_member(obj, key);
	double v;

	if (!j)
		return 1;
	if (!cJSON_IsNumber(j)) {
		dec_wrong_type(d, at, key, "an integer", j);
		return -1;
	}
	v = j->valuedouble;
	/* Range first: converting an out-of-range double is undefined. */
	if (!(v >= (double)lo && v <= (double)hi)) {
		k8s_dec_warn(d, "%s%s%s: %.15g is out of range %ld..%ld", at,
			     *at ? "." : "", key, v, lo, hi);
		return -1;
	}
	if ((double)(long)v != v) {
		k8s_dec_warn(d, "%s%s%s: %.15g is not an integer", at,
			     *at ? "." : "", key, v);
		return -1;
	}
	*out = (long)v;
	return 0;
}

int k8s_dec_obj(struct k8s_dec *d, const cJSON *obj, const char *key,
		const char *at, const cJSON **out)
{
	const cJSON *j = dec_member(obj, key);

	*out = NULL;
	if (!j)
		return 1;
	if (!cJSON_IsObject(j)) {
		dec_wrong_type(d, at, key, "an object", j);
		return -1;
	}
	*out = j;
	return 0;
}

int k8s_dec_arr(struct k8s_dec *d, const cJSON *obj, const char *key,
		const char *at, const cJSON **out, size_t *n)
{
	const cJSON *j = dec_member(obj, key), *it;

	*out = NULL;
	*n = 0;
	if (!j)
		return 1;
	if (!cJSON_IsArray(j)) {
		dec_wrong_type(d, at, key, "an array", j);
		return -1;
	}
	/* cJSON_GetArraySize() returns int; count ourselves. */
	for (it = j->child; it; it = it->next)
		(*n)++;
	*out = j;
	return 0;
}

int k8s_dec_strdup_opt(struct k8s_dec *d, const cJSON *obj, const char *key,
		       const char *at, char **out)
{
	const char *s;

	*out = NULL;
	if (k8s_dec_str(d, obj, key, at, &s))
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

int k8s_dec_ip(struct k8s_dec *d, const char *s, int af, const char *at,
	       char **out)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char text[INET6_ADDRSTRLEN];
	int got = 0;

	if (af != AF_INET6 && inet_pton(AF_INET, s, bin) == 1)
		got = AF_INET;
	else if (af != AF_INET && inet_pton(AF_INET6, s, bin) == 1)
		got = AF_INET6;
	if (!got) {
		k8s_dec_warn(d, "%s: \"%.64s\" is not an %s address", at, s,
			     af == AF_INET    ? "IPv4"
			     : af == AF_INET6 ? "IPv6"
					      : "IP");
		return -1;
	}
	/* glibc's inet_pton takes IPv4 only in the canonical dotted quad (no
	 * leading zeros, four parts): the text is its own normal form, and
	 * inet_ntop's sprintf, a tenth of reading a large file, is saved. */
	if (got == AF_INET)
		*out = strdup(s);
	else
		*out = strdup(inet_ntop(got, bin, text, sizeof(text)));
	return *out ? 0 : -ENOMEM;
}

static int dec_ip_item(struct k8s_dec *d, const cJSON *j, const char *key,
		       const char *at, size_t i, char **out)
{
	char where[K8S_DEC_AT_MAX + 32];

	snprintf(where, sizeof(where), "%s%s%s[%zu]", at, *at ? "." : "", key,
		 i);
	if (!cJSON_IsString(j)) {
		k8s_dec_warn(d, "%s: expected a string, got %s", where,
			     k8s_dec_type_name(j));
		return -1;
	}
	return k8s_dec_ip(d, j->valuestring, 0, where, out);
}

int k8s_dec_ip_list(struct k8s_dec *d, const cJSON *obj, const char *key,
		    const char *at, char ***out, size_t *n)
{
	const cJSON *arr, *j;
	size_t len, i = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (k8s_dec_arr(d, obj, key, at, &arr, &len) || !len)
		return 0;
	*out = calloc(len, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (j = arr->child; j; j = j->next, i++) {
		rc = dec_ip_item(d, j, key, at, i, &(*out)[*n]);
		if (rc == -ENOMEM)
			return rc;
		if (!rc)
			(*n)++;
	}
	return 0;
}

static int dec_protocol(const char *s)
{
	if (!strcmp(s, "TCP"))
		return K8S_PROTO_TCP;
	if (!strcmp(s, "UDP"))
		return K8S_PROTO_UDP;
	if (!strcmp(s, "SCTP"))
		return K8S_PROTO_SCTP;
	return 0;
}

int k8s_dec_port_id(struct k8s_dec *d, const cJSON *j, const char *at,
		    const char **name, int *protocol)
{
	const char *proto = "TCP";

	*name = "";
	if (k8s_dec_str(d, j, "name", at, name) < 0 ||
	    k8s_dec_str(d, j, "protocol", at, &proto) < 0)
		return -1;
	*protocol = dec_protocol(proto);
	if (!*protocol) {
		k8s_dec_warn(d, "%s.protocol: unknown protocol \"%.32s\"", at,
			     proto);
		return -1;
	}
	return 0;
}

int k8s_dec_kind(struct k8s_dec *d, const cJSON *obj, const char *want)
{
	const cJSON *j = dec_member(obj, "kind");

	if (!j || (cJSON_IsString(j) && !strcmp(j->valuestring, want)))
		return 0;
	if (cJSON_IsString(j))
		k8s_dec_warn(d, "kind is \"%.64s\", not %s", j->valuestring,
			     want);
	else
		k8s_dec_warn(d, "kind: expected a string, got %s",
			     k8s_dec_type_name(j));
	return -EINVAL;
}
