/*
 * agent/web.h - the agent's HTTP endpoints, as kube-proxy's:
 *
 *   --metrics-bind-address (127.0.0.1:10249)
 *       /metrics    Prometheus text (metrics_agent.h)
 *       /status     the agent's state as JSON (status.h); ?service=NS/NAME
 *       /healthz    "ok" (the process answers)
 *       /proxyMode  "ipvs"
 *   --healthz-bind-address (0.0.0.0:10256)
 *       /healthz    kube-proxy's JSON, 503 when a change is late or this
 *                   node is leaving (health.h)
 *       /livez      the same without the node's part
 *
 * A server that cannot listen (the port is taken) is logged and tried
 * again every 5 seconds, as kube-proxy does; the agent runs on.  An empty
 * address or port 0 turns a server off.
 */
#ifndef AGENT_WEB_H
#define AGENT_WEB_H

struct agent;

/* Start both servers (or schedule their retries); 0 or -ENOMEM. */
int agent_web_start(struct agent *a);
void agent_web_stop(struct agent *a);

#endif
