/*
 * k8s/decode.h - turn the JSON the API server writes (a watch event's
 * object, a list item, `kubectl get -o json` output) into the typed
 * objects of objects.h.
 *
 * Bad input rejects the smallest unit that contains it, never the process:
 * a service port, an IP of a list, an endpoint, a label.  Each unit left
 * out is reported exactly once through the log callback, with the object's
 * namespace/name and a reason such as
 *   spec.ports[1].port: 70000 is out of range 1..65535
 * An object too broken to use at all (not a JSON object, no metadata.name,
 * another kind, an EndpointSlice without a known addressType) is rejected
 * with -EINVAL, also reported once.
 *
 * Defaults follow the API: protocol TCP; type ClusterIP; ready true;
 * serving = ready; terminating false; affinity timeout 10800 s; a missing
 * namespace is "default" for Services and EndpointSlices (what kubectl
 * would use), "" for Nodes.  IPs are stored in inet_ntop() form
 * ("FD00::0:1" becomes "fd00::1"), so equal addresses are equal strings.
 * Endpoints of FQDN slices are not decoded: nothing in ipvsagent uses them.
 *
 * Nothing here keeps state: the functions are reentrant.
 */
#ifndef K8S_DECODE_H
#define K8S_DECODE_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "objects.h"

/* Where rejected units are reported.  Either pointer may be NULL. */
struct k8s_decode_log {
	/* @kind is "Service", "EndpointSlice", "Node" or "List"; @ns and
	 * @name are "" when not known; @reason has no trailing newline and
	 * no control characters. */
	void (*warn)(void *arg, const char *kind, const char *ns,
		     const char *name, const char *reason);
	void *arg;
};

/*
 * Decode @obj into *@out (overwritten; k8s_*_fini() it when done).
 * Returns 0; -EINVAL when the object as a whole is unusable (reported
 * through @log); -ENOMEM.  On error *@out is zeroed and owns nothing.
 * An absent "kind" is fine (list items from the API server have none);
 * another kind than the one asked for is -EINVAL.
 */
int k8s_decode_service(const cJSON *obj, struct k8s_service *out,
		       struct k8s_decode_log *log);
int k8s_decode_endpointslice(const cJSON *obj, struct k8s_endpointslice *out,
			     struct k8s_decode_log *log);
int k8s_decode_node(const cJSON *obj, struct k8s_node *out,
		    struct k8s_decode_log *log);

/*
 * Receivers of k8s_decode_list().  Each takes ownership of the heap object
 * it is given (free it with k8s_*_free()), even when it fails.  A callback
 * returns 0, or a negative errno that stops the walk.  A NULL callback
 * means: skip that kind without decoding it.
 */
struct k8s_list_cb {
	int (*service)(void *arg, struct k8s_service *s);
	int (*slice)(void *arg, struct k8s_endpointslice *e);
	int (*node)(void *arg, struct k8s_node *n);
	void *arg;
};

/*
 * Decode a whole JSON document of @len bytes (no NUL needed): a List
 * (kind List, ServiceList, EndpointSliceList, NodeList, or no kind, with
 * "items"), as `kubectl get services,endpointslices -A -o json` prints
 * it, or a single Service, EndpointSlice or Node.  Each item goes to the
 * callback of its own "kind"; items of typed lists may omit it.  Items of
 * other kinds are skipped silently; unusable items are reported and
 * skipped.
 *
 * Returns the number of objects handed to callbacks, or:
 *   -EINVAL  the document is not JSON, or not a List: @err says
 *            "line L, column C: what" (columns count bytes, from 1) or
 *            what else is wrong, and no callback was called, so the
 *            caller can keep its last good state;
 *   -ENOMEM;
 *   a callback's negative return, after which the walk stopped (objects
 *            already handed over belong to the callbacks).
 * @err (may be NULL) receives a message for every negative return.
 * @cb NULL only checks the document (and reports bad items).
 * Memory: the text is checked whole first (k8s_json_error), then each
 * item of "items" is parsed, decoded and freed on its own, so one item's
 * cJSON tree is in memory at a time, never the file's.
 */
int k8s_decode_list(const char *text, size_t len, const struct k8s_list_cb *cb,
		    struct k8s_decode_log *log, char *err, size_t errlen);

/*
 * k8s_decode_list() over a stream of bytes (a file), item by item as the
 * bytes come: memory for a few hundred KiB of text and one item's tree,
 * never the document's.  @read fills @buf with up to @len bytes and
 * returns how many, 0 at the end, or a negative errno.
 *
 * Items reach the callbacks as they are read, before the end of the
 * document is seen: a receiver must be able to throw away what it got
 * when the result is negative (decode into a fresh store, swap it in on
 * success only; hold back the warnings too).
 *
 * Returns what k8s_decode_list() would, or one of:
 *   -EAGAIN  the document is not a List this reader takes on its own (bad
 *            JSON, no "items" array, an item without a kind before the
 *            list's own kind): read it whole and call k8s_decode_list(),
 *            which says exactly where and why (callbacks must not return
 *            -EAGAIN themselves);
 *   @read's negative errno.
 * @err receives a message for every negative return but -EAGAIN.
 */
int k8s_decode_list_read(ssize_t (*read)(void *arg, char *buf, size_t len),
			 void *rarg, const struct k8s_list_cb *cb,
			 struct k8s_decode_log *log, char *err, size_t errlen);

/*
 * One page of a LIST answer from the API server, as a reflector reads it:
 * {"kind": "ServiceList", "metadata": {"resourceVersion": RV,
 * "continue": TOKEN}, "items": [...]}.
 */
struct k8s_list_page {
	char *resource_version;  /* metadata.resourceVersion, or NULL */
	char *cont;              /* metadata.continue; NULL on the last page */
};

/*
 * Check the @len bytes of @text whole, read the page's metadata into
 * *@page (overwritten; k8s_list_page_fini() it), then call @item on each
 * element of "items", in order: each one parsed on its own and freed
 * after the call, so one item's tree is in memory at a time.  Elements
 * are passed whatever their JSON type (the kind decoders report what is
 * not an object).  @item returns 0, or a negative errno that stops the
 * walk.
 *
 * Returns the number of items walked, or: -EINVAL when the text is not
 * JSON or not a List ("items" missing or not an array; null is an empty
 * page), with @err saying why and no @item call; -ENOMEM; @item's
 * negative return.  Costs: one scan to check the text, one to split it,
 * and the parse of each item - about what parsing it whole would cost,
 * without the whole tree.
 */
int k8s_decode_page(const char *text, size_t len, struct k8s_list_page *page,
		    int (*item)(void *arg, const cJSON *item), void *arg,
		    char *err, size_t errlen);

/* Free what k8s_decode_page() stored; safe twice and on a zeroed page. */
void k8s_list_page_fini(struct k8s_list_page *page);

#endif
