/*
 * k8s/watch_event.c - parsing one watch line.  A line that is not an
 * event is reported with why, so the reflector logs it once and goes on.
 */
#include "watch_event.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decode_field.h"
#include "json_error.h"

static const char *const watch_types[] = {
	[K8S_WATCH_ADDED] = "ADDED",
	[K8S_WATCH_MODIFIED] = "MODIFIED",
	[K8S_WATCH_DELETED] = "DELETED",
	[K8S_WATCH_BOOKMARK] = "BOOKMARK",
	[K8S_WATCH_ERROR] = "ERROR",
};

const char *k8s_watch_type_name(enum k8s_watch_type t)
{
	return (size_t)t < sizeof(watch_types) / sizeof(watch_types[0]) ?
		       watch_types[t] : "?";
}

static int event_fail(struct k8s_watch_event *ev, char *err, size_t errlen,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int event_fail(struct k8s_watch_event *ev, char *err, size_t errlen,
		      const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	k8s_watch_event_fini(ev); /* after: the arguments point into it */
	return -EINVAL;
}

void k8s_watch_event_fini(struct k8s_watch_event *ev)
{
	cJSON_Delete(ev->root);
	memset(ev, 0, sizeof(*ev));
}

/* Parse the whole line: nothing but whitespace may follow the value.
 * cJSON says only "failed", so the strict scanner tells a broken line
 * (-EINVAL, where and why) from a full heap (-ENOMEM). */
static int event_json(const char *line, size_t len, cJSON **root, char *err,
		      size_t errlen)
{
	const char *end = NULL;
	unsigned long l, c;
	char what[128];
	size_t pos;

	*root = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (*root) {
		pos = (size_t)(end - line);
		while (pos < len && strchr(" \t\r", line[pos]))
			pos++;
		if (pos == len)
			return 0;
		cJSON_Delete(*root);
		*root = NULL;
	}
	if (!k8s_json_error(line, len, &pos, what, sizeof(what)))
		return -ENOMEM;
	k8s_json_line_col(line, pos < len ? pos : len, &l, &c);
	if (err && errlen)
		snprintf(err, errlen, "not JSON: column %lu: %s", c, what);
	return -EINVAL;
}

static int event_type(const cJSON *t, enum k8s_watch_type *out)
{
	size_t i;

	for (i = 0; i < sizeof(watch_types) / sizeof(watch_types[0]); i++) {
		if (!strcmp(t->valuestring, watch_types[i])) {
			*out = (enum k8s_watch_type)i;
			return 0;
		}
	}
	return -1;
}

/* A string member of @obj, or NULL. */
static const char *event_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The Status of an ERROR event: code, reason, message. */
static void event_status(struct k8s_watch_event *ev)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(ev->object, "code");
	const char *s;

	if (cJSON_IsNumber(code) && code->valuedouble >= 0 &&
	    code->valuedouble < 1000)
		ev->code = code->valueint;
	s = event_str(ev->object, "reason");
	ev->reason = s ? s : "";
	s = event_str(ev->object, "message");
	ev->message = s ? s : "";
}

int k8s_watch_event_parse(const char *line, size_t len,
			  struct k8s_watch_event *ev, char *err,
			  size_t errlen)
{
	const cJSON *t, *md;
	int rc;

	memset(ev, 0, sizeof(*ev));
	rc = event_json(line, len, &ev->root, err, errlen);
	if (rc)
		return rc;
	if (!cJSON_IsObject(ev->root))
		return event_fail(ev, err, errlen, "not an event: %s, not an object",
				  k8s_dec_type_name(ev->root));
	t = cJSON_GetObjectItemCaseSensitive(ev->root, "type");
	if (!t)
		return event_fail(ev, err, errlen, "type: missing");
	if (!cJSON_IsString(t))
		return event_fail(ev, err, errlen, "type: expected a string, got %s",
				  k8s_dec_type_name(t));
	if (event_type(t, &ev->type))
		return event_fail(ev, err, errlen, "type: unknown event type \"%.32s\"",
				  t->valuestring);
	ev->object = cJSON_GetObjectItemCaseSensitive(ev->root, "object");
	if (!ev->object)
		return event_fail(ev, err, errlen, "object: missing");
	if (!cJSON_IsObject(ev->object))
		return event_fail(ev, err, errlen, "object: expected an object, got %s",
				  k8s_dec_type_name(ev->object));
	md = cJSON_GetObjectItemCaseSensitive(ev->object, "metadata");
	ev->rv = event_str(md, "resourceVersion");
	if (ev->rv && !*ev->rv)
		ev->rv = NULL;
	if (ev->type == K8S_WATCH_ERROR)
		event_status(ev);
	else if (ev->type == K8S_WATCH_BOOKMARK && !ev->rv)
		return event_fail(ev, err, errlen,
				  "BOOKMARK without metadata.resourceVersion");
	return 0;
}

int k8s_watch_event_expired(const struct k8s_watch_event *ev)
{
	if (ev->type != K8S_WATCH_ERROR)
		return 0;
	return ev->code == 410 || !strcmp(ev->reason, "Expired") ||
	       !strcmp(ev->reason, "Gone");
}
