/*
 * agent/status.h - /status: what the agent knows and has done, as JSON,
 * for `ipvsagent status`, scripts (jq) and humans.
 *
 * The shape (times are seconds since the epoch, null when never):
 *
 *   { "version", "node", "time", "healthy",
 *     "sync": { "healthy", "ready", "busy", "timeoutSeconds",
 *               "oldestUnappliedChange", "lastApplied",
 *               "lastSync", "lastSyncDurationSeconds",
 *               "lastVerify", "lastVerifyDurationSeconds",
 *               "syncs", "verifications", "operationErrors", "repairs",
 *               "pendingKeys", "retryKeys" },
 *     "nodeStatus": { "name", "known", "eligible", "deleting",
 *                     "toBeDeleted", "zone" },
 *     "source": { "kind": "file", "path", "reads", "readErrors",
 *                 "rejected" }
 *             | { "kind": "api", "ready", "rejected",
 *                 "resources": [ { "resource", "state", "synced",
 *                   "resourceVersion", "lastError", "lastEvent",
 *                   "events", "lists", "relists", "errors" } ] },
 *     "counts": { "services", "endpointSlices", "servicesProgrammed",
 *                 "virtualServers", "realServers", "draining",
 *                 "foreignVirtualServers" },
 *     "services": [ { "namespace", "name",
 *        "virtualServers": [ { "kind", "protocol", "vip", "port",
 *            "portName", "scheduler", "persistenceSeconds", "state",
 *            "localOnly",
 *            "realServers": [ { "ip", "port", "weight", "activeConns",
 *                               "inactiveConns", "draining" } ] } ] } ],
 *     "errors": [ { "time", "level", "message" } ] }
 *
 * Services come sorted by namespace/name.  A virtual server's state is
 * "applied" (the kernel has it as wanted), "pending" (not yet, or not
 * as wanted) or "foreign" (someone else's service holds the key); its
 * real servers are the kernel's when it has them (draining ones
 * included), else the wanted ones.
 *
 * Cost: O(Services + virtual servers + real servers) and a sort: 12 MB
 * and ~0.3 s of the loop at 10,000 Services x 10 real servers under
 * User-Mode Linux (measured; hardware is several times faster);
 * ?service=NS/NAME costs one Service (~5 ms under UML, mostly HTTP).
 */
#ifndef AGENT_STATUS_H
#define AGENT_STATUS_H

#include "buf.h"

struct agent;

/* The whole document, or with @only ("namespace/name") just that
 * Service in "services".  Returns 0, or 1 when @only names no Service
 * the agent translated. */
int agent_status_json(const struct agent *a, double now, const char *only,
		      struct agent_buf *b);

#endif
