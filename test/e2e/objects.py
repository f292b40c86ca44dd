#!/usr/bin/env python3
"""test/e2e/objects.py - write Services and EndpointSlices as
`kubectl get services,endpointslices -A -o json` prints them.

A compact spec on the command line, one object per argument:

  svc:NS/NAME:CLUSTERIP:PORT[/PROTO][:key=value,...]
      keys: type=NodePort|LoadBalancer, nodePort=N, affinity=ClientIP,
            timeout=S, etp=Local, itp=Local, scheduler=NAME, lb=IP,
            extip=IP, portname=NAME
  eps:NS/NAME/SLICE:[PORTNAME=]PORT[/PROTO]:IP[@node][!not-ready][~terminating],...
  node:NAME[:deleting][:tobedeleted]
      this node's Node; deleting sets metadata.deletionTimestamp,
      tobedeleted the cluster autoscaler's ToBeDeletedByClusterAutoscaler
      taint

The file is written atomically (temporary file, rename), as a careful
operator or a ConfigMap update would.
"""
import json
import os
import sys


def meta(ns, name, **extra):
    m = {"name": name, "namespace": ns, "uid": f"uid-{ns}-{name}",
         "resourceVersion": "1", "creationTimestamp": "2026-11-21T00:00:00Z"}
    m.update(extra)
    return m


def service(spec):
    parts = spec.split(":")
    ident, cip, portspec = parts[1], parts[2], parts[3]
    kv = dict(p.split("=", 1) for p in (parts[4].split(",") if len(parts) > 4 and parts[4] else []))
    ns, name = ident.split("/")
    port, _, proto = portspec.partition("/")
    sp = {"name": kv.get("portname", ""), "port": int(port),
          "protocol": (proto or "TCP").upper(), "targetPort": int(port)}
    if "nodePort" in kv:
        sp["nodePort"] = int(kv["nodePort"])
    s = {"apiVersion": "v1", "kind": "Service",
         "metadata": meta(ns, name),
         "spec": {"clusterIP": cip, "clusterIPs": [cip], "ports": [sp],
                  "type": kv.get("type", "ClusterIP"),
                  "sessionAffinity": kv.get("affinity", "None"),
                  "ipFamilies": ["IPv6" if ":" in cip else "IPv4"],
                  "internalTrafficPolicy": kv.get("itp", "Cluster")},
         "status": {"loadBalancer": {}}}
    if s["spec"]["type"] != "ClusterIP":
        s["spec"]["externalTrafficPolicy"] = kv.get("etp", "Cluster")
    if kv.get("affinity") == "ClientIP":
        s["spec"]["sessionAffinityConfig"] = {
            "clientIP": {"timeoutSeconds": int(kv.get("timeout", 10800))}}
    if "scheduler" in kv:
        s["metadata"]["annotations"] = {"ipvsagent.io/scheduler": kv["scheduler"]}
    if "lb" in kv:
        s["status"]["loadBalancer"] = {"ingress": [{"ip": kv["lb"], "ipMode": "VIP"}]}
    if "extip" in kv:
        s["spec"]["externalIPs"] = [kv["extip"]]
    return s


def slice_(spec):
    _, ident, portspec, eps = spec.split(":", 3)
    ns, name, slice_name = ident.split("/")
    pname, _, portspec = portspec.rpartition("=")
    port, _, proto = portspec.partition("/")
    endpoints = []
    family = "IPv4"
    for e in eps.split(",") if eps else []:
        terminating = e.endswith("~")
        e = e.rstrip("~")
        ready = not e.endswith("!")
        e = e.rstrip("!")
        ip, _, node = e.partition("@")
        family = "IPv6" if ":" in ip else "IPv4"
        ep = {"addresses": [ip],
              "conditions": {"ready": ready and not terminating,
                             "serving": ready, "terminating": terminating},
              "targetRef": {"kind": "Pod", "name": f"pod-{ip}", "namespace": ns}}
        if node:
            ep["nodeName"] = node
        endpoints.append(ep)
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": meta(ns, slice_name,
                             labels={"kubernetes.io/service-name": name,
                                     "endpointslice.kubernetes.io/managed-by":
                                     "endpointslice-controller.k8s.io"}),
            "addressType": family,
            "endpoints": endpoints or None,
            "ports": [{"name": pname, "port": int(port),
                       "protocol": (proto or "TCP").upper()}]}


def node(spec):
    parts = spec.split(":")
    n = {"apiVersion": "v1", "kind": "Node",
         "metadata": {"name": parts[1], "uid": f"uid-node-{parts[1]}",
                      "resourceVersion": "1",
                      "creationTimestamp": "2026-11-21T00:00:00Z"},
         "spec": {}, "status": {"addresses": []}}
    if "deleting" in parts[2:]:
        n["metadata"]["deletionTimestamp"] = "2026-11-21T01:00:00Z"
        n["metadata"]["finalizers"] = ["example.com/hold"]
    if "tobedeleted" in parts[2:]:
        n["spec"]["taints"] = [{"key": "ToBeDeletedByClusterAutoscaler",
                                "value": "1795297000",
                                "effect": "NoSchedule"}]
    return n


def item(spec):
    if spec.startswith("svc:"):
        return service(spec)
    if spec.startswith("node:"):
        return node(spec)
    return slice_(spec)


def main():
    out, specs = sys.argv[1], sys.argv[2:]
    items = [item(s) for s in specs]
    doc = {"apiVersion": "v1", "kind": "List", "items": items,
           "metadata": {"resourceVersion": ""}}
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=4)
    os.rename(tmp, out)


if __name__ == "__main__":
    main()
