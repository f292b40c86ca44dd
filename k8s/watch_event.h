/*
 * k8s/watch_event.h - one line of a watch stream, {"type": T, "object":
 * O}, parsed: its type, its object (still JSON: the reflector decodes it
 * by resource), the object's resourceVersion, and for an ERROR event the
 * Status it carries (code, reason, message).
 *
 * Costs: one cJSON parse of the line; the tree is kept until fini, so
 * the object is decoded from it without a second parse.
 */
#ifndef K8S_WATCH_EVENT_H
#define K8S_WATCH_EVENT_H

#include <stddef.h>

#include <cjson/cJSON.h>

enum k8s_watch_type {
	K8S_WATCH_ADDED,
	K8S_WATCH_MODIFIED,
	K8S_WATCH_DELETED,
	K8S_WATCH_BOOKMARK,
	K8S_WATCH_ERROR,
};

struct k8s_watch_event {
	enum k8s_watch_type type;
	cJSON *root;          /* the parsed line; owns what the rest points to */
	const cJSON *object;  /* "object", a JSON object */
	const char *rv;       /* object.metadata.resourceVersion, or NULL */
	int code;             /* ERROR: the Status's code; 0 when absent */
	const char *reason;   /* ERROR: the Status's reason; "" when absent */
	const char *message;  /* ERROR: the Status's message; "" when absent */
};

/*
 * Parse one line of @len bytes (no newline, no NUL needed).  Returns 0;
 * -EINVAL with a reason in @err when the line is not an event: not JSON
 * (with the position), not an object, "type" missing, not a string or
 * unknown, "object" missing or not an object, a BOOKMARK without a
 * resourceVersion; -ENOMEM.  On error *@ev owns nothing.
 */
int k8s_watch_event_parse(const char *line, size_t len,
			  struct k8s_watch_event *ev, char *err,
			  size_t errlen);

/* Free the tree; safe on a zeroed or failed event, and twice. */
void k8s_watch_event_fini(struct k8s_watch_event *ev);

/* "ADDED", ..., "ERROR". */
const char *k8s_watch_type_name(enum k8s_watch_type t);

/*
 * 1 when an ERROR event means "your resourceVersion is gone: relist":
 * code 410, or reason Expired or Gone (as apimachinery's IsResourceExpired
 * and IsGone judge it).
 */
int k8s_watch_event_expired(const struct k8s_watch_event *ev);

#endif
