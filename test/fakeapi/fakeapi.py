#!/usr/bin/env python3
"""test/fakeapi/fakeapi.py - a fake Kubernetes API server for ipvsagent's tests.

Standard library only. It serves core/v1 Services and Nodes and
discovery.k8s.io/v1 EndpointSlices the way a real kube-apiserver does, for
the requests that client-go reflectors and kubectl make, and it lets a test
inject the failures a real cluster produces.

Usage:

    python3 test/fakeapi/fakeapi.py --port 8080
    python3 test/fakeapi/fakeapi.py --port 0 --tls --cert S.crt --key S.key \\
        --token SECRET --state-file objects.json --seed 7

    --port N           0 picks a free port; the first line printed is always
                       "fakeapi: listening on http[s]://127.0.0.1:PORT"
    --bind ADDR        default 127.0.0.1
    --tls --cert --key serve HTTPS (test/fakeapi/mkcerts.sh DIR makes a CA
                       and a server certificate for 127.0.0.1 and localhost)
    --token T          require "Authorization: Bearer T" (repeatable); else 401
    --state-file F     load objects (a List, an array or one object, JSON) at
                       start; write them back on SIGTERM/SIGINT and on
                       POST /_control/save
    --seed N           seed for the random chunking of watch streams
    --watch-timeout A[,B]  watches without timeoutSeconds end after a random
                       time in [A,B] seconds (default 300,600)
    --bookmark-interval S  seconds between BOOKMARK events (default 60)
    --history N        watch history length in events (default 1000)

The API (GET only; writes go through the control interface):

    /version /api /api/v1 /apis /apis/discovery.k8s.io
    /apis/discovery.k8s.io/v1 /healthz /readyz /livez
    /api/v1/services                /api/v1/namespaces/NS/services[/NAME]
    /api/v1/nodes[/NAME]
    /apis/discovery.k8s.io/v1/endpointslices
    /apis/discovery.k8s.io/v1/namespaces/NS/endpointslices[/NAME]
    (and the legacy /api/v1/watch/... forms)

    list:  limit, continue (consistent snapshot at the list's RV),
           resourceVersion (+ resourceVersionMatch), labelSelector,
           fieldSelector.  resourceVersion=0 is served "from the watch
           cache": limit is ignored, as on a real server.
    watch: watch=1|true, resourceVersion, allowWatchBookmarks,
           timeoutSeconds, sendInitialEvents, selectors.  Chunked,
           newline-delimited JSON split into chunks at random places.
    Accept: application/json, or Table / PartialObjectMetadata(List) in
           meta.k8s.io v1 or v1beta1 (what kubectl asks for).  Discovery is
           legacy (application/json); a request that accepts only the
           aggregated format gets 406, which makes clients fall back.
    Responses over 128 KiB are gzipped when the client accepts gzip.
    List items carry no kind/apiVersion (like the real server); single
    objects and watch event objects do.

The control interface (no auth, no faults), JSON in and out:

    GET    /_control/state            rv, counts, history, watches, faults
    GET    /_control/objects          every object
    POST   /_control/objects          create or replace an object, a List or
                                      an array (?raw=1: no API defaults;
                                      ?pad=BYTES: a big annotation;
                                      ?stamp=1: EndpointSlices get
                                      endpoints.kubernetes.io/last-change-
                                      trigger-time = now, in microseconds,
                                      as the EndpointSlice controller sets)
    DELETE /_control/objects/KIND/NS/NAME   (NS "-" for Nodes)
    DELETE /_control/objects[?kind=K] delete all (of a kind), with events
    POST   /_control/bump?n=N         advance the resourceVersion counter
    POST   /_control/compact?keep=N   forget all but N history events
    POST   /_control/faults           add a fault (object or array)
    GET    /_control/faults ; DELETE /_control/faults
    POST   /_control/release          let hanging requests go (they close)
    POST   /_control/watches/close?mode=clean|drop|expired
    GET    /_control/requests?path=REGEX&since=SEQ ; DELETE clears
    GET    /_control/counters         requests per "verb resource"
    GET/POST /_control/config         chunking, timeouts, tokens, ...
    POST   /_control/save             write the state file
    POST   /_control/reset            objects, history, faults, log cleared;
                                      watches closed; hangs released (the
                                      resourceVersion counter keeps going)

A fault is {"type": T, "count": 1, "verb": V, "resource": R, "path": RE,
"namespace": NS, ...}; it applies to the next `count` matching requests
(-1: forever).  verb: list, watch, get, discovery or any (default; for the
watch-only types, watch).  Types:

    status     code=N [reason= message= retry_after=S text=BODY]: answer
               with a JSON Status (429: a plain-text body and Retry-After)
    watch-410  reason=Expired|Gone after=K: ERROR event with a 410 Status
               after K events, then the stream ends
    drop       after=K partial=BYTES midchunk=0|1 rst=0|1: close the
               connection after K events (and BYTES of the next event);
               on a non-watch request: without answering
    hang       [seconds=S]: accept, never answer (until released/reset)
    delay      seconds=S: answer normally after S seconds
    bad-line   after=K line=TEXT: a line that is not JSON, then go on
    close      after=K: end the watch cleanly after K events
    big        size=BYTES after=K: pad an object of the response (the first
               list item, the object, or watch event K) with a big annotation

"Events" counted by after= are ADDED/MODIFIED/DELETED, not bookmarks.
test/fakeapi/fakectl.py wraps all of this for the command line.
"""
import argparse
import base64
import collections
import copy
import datetime
import gc
import gzip
import ipaddress
import json
import os
import random
import re
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# --------------------------------------------------------------------------
# Kinds


class Kind:
    """One served resource type."""

    def __init__(self, kind, plural, group, version, namespaced, short_names,
                 fields):
        self.kind = kind
        self.plural = plural
        self.singular = kind.lower()
        self.group = group
        self.version = version
        self.namespaced = namespaced
        self.short_names = short_names
        self.fields = fields          # field selector name -> getter

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self):
        return self.kind + "List"


def _dig(obj, *path):
    for p in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


def _str(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


_META_FIELDS = {
    "metadata.name": lambda o: _str(_dig(o, "metadata", "name")),
    "metadata.namespace": lambda o: _str(_dig(o, "metadata", "namespace")),
}

KINDS = {
    "Service": Kind("Service", "services", "", "v1", True, ["svc"], dict(
        _META_FIELDS,
        **{"spec.clusterIP": lambda o: _str(_dig(o, "spec", "clusterIP")),
           "spec.type": lambda o: _str(_dig(o, "spec", "type"))})),
    "EndpointSlice": Kind("EndpointSlice", "endpointslices",
                          "discovery.k8s.io", "v1", True, [],
                          dict(_META_FIELDS)),
    "Node": Kind("Node", "nodes", "", "v1", False, ["no"], {
        "metadata.name": lambda o: _str(_dig(o, "metadata", "name")),
        "spec.unschedulable": lambda o: _str(
            bool(_dig(o, "spec", "unschedulable")))}),
}
BY_PLURAL = {(k.group, k.version, k.plural): k for k in KINDS.values()}
GROUPS = {"discovery.k8s.io": ["v1"]}


def kind_named(name):
    """Kind by kind name, plural or short name, case-insensitively."""
    n = name.lower()
    for k in KINDS.values():
        if n in (k.kind.lower(), k.plural, *k.short_names) or \
                n == f"{k.plural}.{k.group}":
            return k
    raise ApiError(status(400, "BadRequest", f"unknown kind {name!r}"))


# --------------------------------------------------------------------------
# Status objects and errors


def status(code, reason, message, details=None, retry_after=None):
    st = {"kind": "Status", "apiVersion": "v1", "metadata": {},
          "status": "Success" if code < 400 else "Failure",
          "message": message, "reason": reason, "code": code}
    if details is not None:
        st["details"] = details
    if retry_after is not None:
        st.setdefault("details", {})["retryAfterSeconds"] = int(retry_after)
    return st


REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden",
           404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable",
           409: "Conflict", 410: "Expired", 422: "Invalid",
           429: "TooManyRequests", 500: "InternalError",
           503: "ServiceUnavailable", 504: "Timeout"}


class ApiError(Exception):
    """Raised with the Status object to answer."""

    def __init__(self, st, headers=None):
        super().__init__(st["message"])
        self.status = st
        self.headers = headers or {}


def not_found(kind, name):
    det = {"name": name, "kind": kind.plural}
    if kind.group:
        det["group"] = kind.group
    return ApiError(status(404, "NotFound",
                           f'{kind.plural}{"." + kind.group if kind.group else ""}'
                           f' "{name}" not found', det))


def too_old(rv, oldest):
    return status(410, "Expired",
                  f"too old resource version: {rv} ({oldest})")


# --------------------------------------------------------------------------
# Time


def rfc3339(t=None):
    t = time.time() if t is None else t
    return datetime.datetime.fromtimestamp(
        int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339_micro(t):
    """RFC 3339 with microseconds, as Go's RFC3339Nano prints them."""
    return datetime.datetime.fromtimestamp(
        t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"


def parse_rfc3339(s):
    try:
        return datetime.datetime.strptime(
            s[:19], "%Y-%m-%dT%H:%M:%S").replace(
                tzinfo=datetime.timezone.utc).timestamp()
    except (TypeError, ValueError):
        return None


def human_duration(seconds):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m" if s % 60 == 0 else f"{m}m{s % 60}s"
    if m < 180:
        return f"{m}m"
    h = s // 3600
    if h < 8:
        return f"{h}h" if m % 60 == 0 else f"{h}h{m % 60}m"
    if h < 48:
        return f"{h}h"
    if h < 24 * 8:
        return f"{h // 24}d" if h % 24 == 0 else f"{h // 24}d{h % 24}h"
    if h < 24 * 365 * 2:
        return f"{h // 24}d"
    if h < 24 * 365 * 8:
        dy = (h // 24) % 365
        return f"{h // 24 // 365}y" if dy == 0 else f"{h // 24 // 365}y{dy}d"
    return f"{h // 24 // 365}y"


# --------------------------------------------------------------------------
# Selectors

_LABEL_KEY = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*/)?"
                        r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_LABEL_VAL = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")


def _split_top(s):
    """Split on commas that are not inside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts]


def parse_label_selector(s):
    """Parse a label selector into (op, key, values) requirements.

    Supports key, !key, key=v, key==v, key!=v, key in (a,b),
    key notin (a,b), key>N, key<N, joined by commas (AND)."""
    reqs = []
    if s is None or not s.strip():
        return reqs
    for part in _split_top(s):
        m = (re.match(r"^!\s*(\S+)$", part) and ("!", part[1:].strip(), ())) \
            or None
        if m is None:
            mm = re.match(r"^(\S+?)\s*(==|!=|=|>|<)\s*(\S*)$", part)
            if mm:
                m = (mm.group(2), mm.group(1), (mm.group(3),))
            else:
                mm = re.match(r"^(\S+)\s+(in|notin)\s+\((.*)\)$", part)
                if mm:
                    vals = tuple(v.strip() for v in mm.group(3).split(","))
                    m = (mm.group(2), mm.group(1), vals)
                elif re.match(r"^\S+$", part):
                    m = ("exists", part, ())
        if m is None or not _LABEL_KEY.match(m[1]) or \
                not all(_LABEL_VAL.match(v) for v in m[2]) or \
                (m[0] in (">", "<") and not all(
                    re.match(r"^-?\d+$", v) for v in m[2])):
            raise ApiError(status(
                400, "BadRequest",
                f"unable to parse requirement: {part!r} in labelSelector {s!r}"))
        reqs.append(m)
    return reqs


def labels_match(reqs, labels):
    labels = labels or {}
    for op, key, vals in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "exists" and not has:
            return False
        if op == "!" and has:
            return False
        if op in ("=", "==") and v != vals[0]:
            return False
        if op == "!=" and has and v == vals[0]:
            return False
        if op == "in" and (not has or v not in vals):
            return False
        if op == "notin" and has and v in vals:
            return False
        if op in (">", "<"):
            try:
                n = int(v)
            except (TypeError, ValueError):
                return False
            if (op == ">" and not n > int(vals[0])) or \
                    (op == "<" and not n < int(vals[0])):
                return False
    return True


def parse_field_selector(s, kind):
    """Parse a field selector: f=v, f==v, f!=v joined by commas (AND)."""
    reqs = []
    if s is None or not s.strip():
        return reqs
    for part in s.split(","):
        part = part.strip()
        mm = re.match(r"^([^=!]+)(==|!=|=)(.*)$", part)
        if not mm:
            raise ApiError(status(400, "BadRequest",
                                  f"invalid selector: '{s}'; can't understand"
                                  f" '{part}'"))
        field, op, val = mm.group(1).strip(), mm.group(2), mm.group(3).strip()
        if field not in kind.fields:
            raise ApiError(status(400, "BadRequest",
                                  f"field label not supported: {field}"))
        reqs.append((field, op != "!=", val))
    return reqs


def fields_match(reqs, kind, obj):
    for field, eq, val in reqs:
        if (kind.fields[field](obj) == val) != eq:
            return False
    return True


# --------------------------------------------------------------------------
# API defaults: what the real server adds to what a client sends


class Allocator:
    """ClusterIPs from 10.96.0.0/12 (fd00:10:96::/108) and node ports."""

    def __init__(self):
        self.ips = set()
        self.ports = set()
        self.next_ip = {4: 10, 6: 10}
        self.next_port = 30000

    def _svc_ips(self, svc):
        spec = svc.get("spec") or {}
        ips = set(spec.get("clusterIPs") or [])
        if spec.get("clusterIP"):
            ips.add(spec["clusterIP"])
        ips.discard("None")
        return ips

    def _svc_ports(self, svc):
        spec = svc.get("spec") or {}
        out = {p.get("nodePort") for p in spec.get("ports") or []
               if isinstance(p, dict)}
        out.add(spec.get("healthCheckNodePort"))
        return {p for p in out if isinstance(p, int) and p > 0}

    def claim(self, svc):
        self.ips |= self._svc_ips(svc)
        self.ports |= self._svc_ports(svc)

    def release(self, svc):
        self.ips -= self._svc_ips(svc)
        self.ports -= self._svc_ports(svc)

    def reset(self):
        self.__init__()

    def ip(self, family):
        base = ipaddress.ip_address("10.96.0.0" if family == 4
                                    else "fd00:10:96::")
        span = 1 << 20 if family == 4 else 1 << 20
        for _ in range(span):
            n = self.next_ip[family]
            self.next_ip[family] = n + 1 if n + 1 < span - 1 else 10
            ip = str(base + n)
            if ip not in self.ips:
                self.ips.add(ip)
                return ip
        raise ApiError(status(500, "InternalError", "no ClusterIP left"))

    def port(self):
        for _ in range(2768):
            p = self.next_port
            self.next_port = p + 1 if p < 32767 else 30000
            if p not in self.ports:
                self.ports.add(p)
                return p
        raise ApiError(status(500, "InternalError", "no node port left"))


def default_service(svc, alloc, old=None):
    """Apply the real API server's defaults and allocations to a Service."""
    spec = svc.setdefault("spec", {})
    ospec = (old or {}).get("spec") or {}
    spec.setdefault("type", "ClusterIP")
    typ = spec["type"]
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "ClientIP":
        spec.setdefault("sessionAffinityConfig",
                        {"clientIP": {"timeoutSeconds": 10800}})
    if typ != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
        cip = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
        if not cip and ospec.get("clusterIP"):
            cip = ospec["clusterIP"]
        if not cip:
            fam = 6 if (spec.get("ipFamilies") or ["IPv4"])[0] == "IPv6" else 4
            cip = alloc.ip(fam)
        spec["clusterIP"] = cip
        spec.setdefault("clusterIPs", [cip])
        if cip != "None":
            try:
                fam = ipaddress.ip_address(cip).version
            except ValueError:
                fam = 4
            spec.setdefault("ipFamilies", ["IPv6" if fam == 6 else "IPv4"])
        else:
            spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
    old_np = {(p.get("name"), p.get("protocol", "TCP"), p.get("port")):
              p.get("nodePort") for p in ospec.get("ports") or []
              if isinstance(p, dict)}
    for p in spec.get("ports") or []:
        if not isinstance(p, dict):
            continue
        p.setdefault("protocol", "TCP")
        if p.get("targetPort") in (None, 0, ""):
            p["targetPort"] = p.get("port")
        if typ in ("NodePort", "LoadBalancer") and not p.get("nodePort"):
            p["nodePort"] = old_np.get((p.get("name"), p["protocol"],
                                        p.get("port"))) or alloc.port()
    if typ in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if typ == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
        if spec["externalTrafficPolicy"] == "Local" and \
                not spec.get("healthCheckNodePort"):
            spec["healthCheckNodePort"] = ospec.get("healthCheckNodePort") \
                or alloc.port()
    svc.setdefault("status", {}).setdefault("loadBalancer", {})


def default_slice(eps):
    for p in eps.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("name", "")
            p.setdefault("protocol", "TCP")
    if "endpoints" not in eps:
        eps["endpoints"] = None


def validate(obj, kind):
    name = _dig(obj, "metadata", "name")
    if not isinstance(name, str) or not name:
        raise ApiError(status(422, "Invalid",
                              f"{kind.kind} is invalid: metadata.name: "
                              "Required value"))
    if kind.kind == "EndpointSlice" and obj.get("addressType") not in (
            "IPv4", "IPv6", "FQDN"):
        raise ApiError(status(422, "Invalid",
                              f'EndpointSlice "{name}" is invalid: '
                              "addressType: Unsupported value"))


# --------------------------------------------------------------------------
# The object store: objects, the resourceVersion counter, the history


Event = collections.namedtuple("Event", "rv type kind key obj old")


class Store:
    """Objects by (kind, namespace, name), an etcd-like global
    resourceVersion counter and a bounded history of change events."""

    def __init__(self, history_size=1000):
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.objects = {}
        self.rv = 0
        self.history = collections.deque()
        self.history_size = history_size
        self.compacted_rv = 0       # events with rv <= this are forgotten
        self.watchers = set()
        self.alloc = Allocator()

    # -- writes ------------------------------------------------------------

    def apply(self, objs, defaults=True, pad=0, keep_rv=False, stamp=False):
        """Create or replace objects; returns the stored copies."""
        with self.lock:
            prepared = [self._prepare(o, defaults, pad) for o in objs]
            if stamp:
                now = rfc3339_micro(time.time())
                for kind, _, obj in prepared:
                    if kind.kind == "EndpointSlice":
                        obj["metadata"].setdefault(
                            "annotations", {})[TRIGGER_TIME] = now
            stored, events = [], []
            for kind, key, obj in prepared:
                old = self.objects.get(key)
                if old is not None:
                    meta, ometa = obj["metadata"], old["metadata"]
                    meta.setdefault("uid", ometa.get("uid"))
                    meta.setdefault("creationTimestamp",
                                    ometa.get("creationTimestamp"))
                if defaults and kind.kind == "Service":
                    if old is not None:
                        self.alloc.release(old)
                    default_service(obj, self.alloc, old)
                meta = obj["metadata"]
                meta.setdefault("uid", str(uuid.uuid4()))
                meta.setdefault("creationTimestamp", rfc3339())
                if keep_rv and str(meta.get("resourceVersion", "")).isdigit():
                    self.rv = max(self.rv, int(meta["resourceVersion"]))
                else:
                    self.rv += 1
                    meta["resourceVersion"] = str(self.rv)
                if kind.kind == "Service":
                    if old is not None:
                        self.alloc.release(old)
                    self.alloc.claim(obj)
                self.objects[key] = obj
                stored.append(obj)
                events.append(Event(int(meta["resourceVersion"]),
                                    "MODIFIED" if old else "ADDED",
                                    kind, key, obj, old))
            if keep_rv:
                self.compacted_rv = self.rv
            else:
                self._record(events)
            return stored

    def delete(self, kind, ns, name):
        with self.lock:
            key = (kind.kind, ns if kind.namespaced else "", name)
            old = self.objects.pop(key, None)
            if old is None:
                raise not_found(kind, name)
            self._record([self._deletion(kind, key, old)])
            return old

    def delete_all(self, kind=None):
        with self.lock:
            events = []
            for key in sorted(self.objects):
                if kind is None or key[0] == kind.kind:
                    old = self.objects.pop(key)
                    events.append(self._deletion(KINDS[key[0]], key, old))
            self._record(events)
            return len(events)

    def _deletion(self, kind, key, old):
        if kind.kind == "Service":
            self.alloc.release(old)
        self.rv += 1
        gone = dict(old)
        gone["metadata"] = dict(old["metadata"], resourceVersion=str(self.rv))
        return Event(self.rv, "DELETED", kind, key, gone, old)

    def bump(self, n=1):
        with self.lock:
            self.rv += max(0, n)
            self.changed.notify_all()
            return self.rv

    def compact(self, keep=0):
        with self.lock:
            while len(self.history) > keep:
                self.compacted_rv = self.history.popleft().rv
            if not self.history:
                self.compacted_rv = self.rv
            return self.compacted_rv

    def reset(self):
        with self.lock:
            self.objects.clear()
            self.history.clear()
            self.compacted_rv = self.rv
            self.alloc.reset()
            for w in list(self.watchers):
                w.close("clean")

    def _prepare(self, o, defaults, pad):
        if not isinstance(o, dict) or not isinstance(o.get("kind"), str):
            raise ApiError(status(400, "BadRequest",
                                  "object has no kind"))
        kind = kind_named(o["kind"])
        if o.get("apiVersion") not in (None, kind.api_version):
            raise ApiError(status(400, "BadRequest",
                                  f"{o['kind']} is served as "
                                  f"{kind.api_version}, not {o['apiVersion']}"))
        obj = {"kind": kind.kind, "apiVersion": kind.api_version,
               **{k: copy.deepcopy(v) for k, v in o.items()
                  if k not in ("kind", "apiVersion")}}
        meta = obj.setdefault("metadata", {})
        if kind.namespaced:
            meta["namespace"] = meta.get("namespace") or "default"
        else:
            meta.pop("namespace", None)
        if defaults:
            validate(obj, kind)
            if kind.kind == "EndpointSlice":
                default_slice(obj)
        elif not isinstance(meta.get("name"), str):
            raise ApiError(status(422, "Invalid", "metadata.name: Required"))
        if pad:
            meta.setdefault("annotations", {})["fakeapi.test/padding"] = \
                "x" * pad
        return kind, (kind.kind, meta.get("namespace", ""), meta["name"]), obj

    def _record(self, events):
        if not events:
            return
        self.history.extend(events)
        while len(self.history) > self.history_size:
            self.compacted_rv = self.history.popleft().rv
        for w in list(self.watchers):
            w.offer(events)
        self.changed.notify_all()

    # -- reads -------------------------------------------------------------

    def state_at(self, rv):
        """The objects as they were at resourceVersion rv."""
        with self.lock:
            if rv >= self.rv:
                return dict(self.objects)
            if rv < self.compacted_rv:
                raise ApiError(too_old(rv, self.compacted_rv))
            state = dict(self.objects)
            for ev in reversed(self.history):
                if ev.rv <= rv:
                    break
                if ev.old is None:
                    state.pop(ev.key, None)
                else:
                    state[ev.key] = ev.old
            return state

    def wait_for(self, rv, timeout=3.0):
        """Wait until the store has reached rv (a client ahead of us)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.rv < rv:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ApiError(status(
                        504, "Timeout",
                        f"Timeout: Too large resource version: {rv}, "
                        f"current: {self.rv}",
                        {"causes": [{"reason": "ResourceVersionTooLarge",
                                     "message": "Too large resource version"}],
                         "retryAfterSeconds": 1}))
                self.changed.wait(left)

    def get(self, kind, ns, name):
        with self.lock:
            obj = self.objects.get((kind.kind, ns if kind.namespaced else "",
                                    name))
            if obj is None:
                raise not_found(kind, name)
            return obj, self.rv

    def start_watch(self, w, rv, initial):
        """Register a watch; return the events it starts with.

        rv None/"0": the current objects as ADDED, then changes.
        rv N: the history after N (410 ERROR if N was compacted)."""
        with self.lock:
            if initial:
                events = [("ADDED", o) for k, o in sorted(self.objects.items())
                          if k[0] == w.kind.kind and w.matches(o)]
                w.min_rv = self.rv
            elif rv < self.compacted_rv:
                return None, too_old(rv, self.compacted_rv)
            else:
                events = []
                for ev in self.history:
                    if ev.rv > rv:
                        t = w.translate(ev)
                        if t:
                            events.append(t)
                w.min_rv = max(rv, self.rv)
            self.watchers.add(w)
            return events, None

    def stop_watch(self, w):
        with self.lock:
            self.watchers.discard(w)


# --------------------------------------------------------------------------
# Watches


class Watch:
    """One open watch: its filter and its queue of pending events."""

    _ids = iter(range(1, 1 << 62))

    def __init__(self, kind, ns, name, lsel, fsel, peer, path):
        self.id = next(Watch._ids)
        self.kind, self.ns, self.name = kind, ns, name
        self.lsel, self.fsel = lsel, fsel
        self.peer, self.path = peer, path
        self.started = time.time()
        self.min_rv = 0
        self.queue = []
        self.closed = None          # None, or "clean", "drop", "expired"
        self.cond = threading.Condition()
        self.sent = 0

    def matches(self, obj):
        meta = obj.get("metadata") or {}
        if self.ns and meta.get("namespace") != self.ns:
            return False
        if self.name and meta.get("name") != self.name:
            return False
        return labels_match(self.lsel, meta.get("labels")) and \
            fields_match(self.fsel, self.kind, obj)

    def translate(self, ev):
        """(type, object) this watch sees for a store event, or None.
        An object that stops matching is DELETED, one that starts is ADDED."""
        if ev.kind is not self.kind:
            return None
        if ev.type == "DELETED":
            return ("DELETED", ev.obj) if self.matches(ev.obj) else None
        now = self.matches(ev.obj)
        before = ev.old is not None and self.matches(ev.old)
        if now and before:
            return ("MODIFIED", ev.obj)
        if now:
            return ("ADDED", ev.obj)
        if before:
            return ("DELETED", ev.obj)
        return None

    def offer(self, events):
        out = [t for t in (self.translate(e) for e in events
                           if e.rv > self.min_rv) if t]
        if out:
            with self.cond:
                self.queue.extend(out)
                self.cond.notify_all()

    def close(self, mode):
        with self.cond:
            self.closed = mode
            self.cond.notify_all()

    def describe(self):
        return {"id": self.id, "resource": self.kind.plural,
                "namespace": self.ns, "path": self.path, "peer": self.peer,
                "started": self.started, "eventsSent": self.sent}


class ChunkWriter:
    """Writes bytes as HTTP/1.1 chunks split at random places."""

    def __init__(self, wfile, rng, cfg):
        self.wfile, self.rng, self.cfg = wfile, rng, cfg

    def _size(self):
        r = self.rng.random()
        if r < 0.3:
            return self.rng.randint(1, 16)
        if r < 0.75:
            return self.rng.randint(17, 512)
        return self.rng.randint(513, max(513, self.cfg["max_chunk"]))

    def chunk(self, data, declared=None):
        n = len(data) if declared is None else declared
        self.wfile.write(b"%x\r\n" % n + data +
                         (b"\r\n" if declared is None else b""))

    def send(self, data):
        mode = self.cfg["chunking"]
        if mode != "random":
            # "event": one chunk per write (every line is its own write)
            if data:
                self.chunk(data)
            return
        i = 0
        while i < len(data):
            n = self._size()
            self.chunk(data[i:i + n])
            i += n
            if self.cfg["chunk_delay"] and self.rng.random() < 0.2:
                time.sleep(self.rng.uniform(0, self.cfg["chunk_delay"]))

    def end(self):
        self.wfile.write(b"0\r\n\r\n")


# --------------------------------------------------------------------------
# Tables (what kubectl prints)


def _col(name, desc, priority=0, fmt=""):
    return {"name": name, "type": "string", "format": fmt,
            "description": desc, "priority": priority}


COLUMNS = {
    "Service": [
        _col("Name", "Name must be unique within a namespace.", fmt="name"),
        _col("Type", "type determines how the Service is exposed."),
        _col("Cluster-IP", "clusterIP is the IP address of the service."),
        _col("External-IP", "externalIPs is a list of IP addresses."),
        _col("Port(s)", "The list of ports that are exposed by this service."),
        _col("Age", "CreationTimestamp is a timestamp representing the "
             "server time when this object was created."),
        _col("Selector", "Route service traffic to pods with label keys and "
             "values matching this selector.", 1)],
    "EndpointSlice": [
        _col("Name", "Name must be unique within a namespace.", fmt="name"),
        _col("AddressType", "addressType specifies the type of address "
             "carried by this EndpointSlice."),
        _col("Ports", "ports specifies the list of network ports exposed."),
        _col("Endpoints", "endpoints is a list of unique endpoints in this "
             "slice."),
        _col("Age", "CreationTimestamp is a timestamp representing the "
             "server time when this object was created.")],
    "Node": [
        _col("Name", "Name must be unique.", fmt="name"),
        _col("Status", "The status of the node"),
        _col("Roles", "The roles of the node"),
        _col("Age", "CreationTimestamp is a timestamp representing the "
             "server time when this object was created."),
        _col("Version", "Kubelet Version reported by the node."),
        _col("Internal-IP", "List of addresses reachable to the node.", 1),
        _col("External-IP", "List of addresses reachable to the node.", 1),
        _col("OS-Image", "OS Image reported by the node.", 1),
        _col("Kernel-Version", "Kernel Version reported by the node.", 1),
        _col("Container-Runtime", "Container Runtime Version reported by "
             "the node.", 1)],
}


def _age(obj):
    t = parse_rfc3339(_dig(obj, "metadata", "creationTimestamp"))
    return "<unknown>" if t is None else human_duration(time.time() - t)


def _more(items, limit=3):
    s = ",".join(items[:limit])
    if len(items) > limit:
        return f"{s} + {len(items) - limit} more..."
    return s or "<unset>"


def service_cells(o):
    spec = o.get("spec") or {}
    typ = spec.get("type") or "ClusterIP"
    cips = spec.get("clusterIPs") or ([spec["clusterIP"]]
                                      if spec.get("clusterIP") else [])
    ext = list(spec.get("externalIPs") or [])
    if typ in ("ClusterIP", "NodePort"):
        eip = ",".join(ext) or "<none>"
    elif typ == "LoadBalancer":
        lb = [i.get("ip") or i.get("hostname") or "" for i in
              _dig(o, "status", "loadBalancer", "ingress") or []]
        lbs = ",".join(x for x in lb if x)
        if len(lbs) > 16:
            lbs = lbs[:13] + "..."
        eip = ",".join(([lbs] if lbs else []) + ext) or "<pending>"
    elif typ == "ExternalName":
        eip = spec.get("externalName", "")
    else:
        eip = "<unknown>"
    ports = []
    for p in spec.get("ports") or []:
        if p.get("nodePort"):
            ports.append(f"{p.get('port')}:{p['nodePort']}/"
                         f"{p.get('protocol', 'TCP')}")
        else:
            ports.append(f"{p.get('port')}/{p.get('protocol', 'TCP')}")
    sel = spec.get("selector") or {}
    return [o["metadata"]["name"], typ, cips[0] if cips else "<none>", eip,
            ",".join(ports) or "<none>", _age(o),
            ",".join(f"{k}={v}" for k, v in sorted(sel.items())) or "<none>"]


def slice_cells(o):
    ports = []
    for p in o.get("ports") or []:
        if p.get("port") is not None:
            ports.append(str(p["port"]))
        elif p.get("name") is not None:
            ports.append(p["name"])
        else:
            ports.append("*")
    addrs = [a for e in o.get("endpoints") or [] for a in
             e.get("addresses") or []]
    return [o["metadata"]["name"], o.get("addressType", ""), _more(ports),
            _more(addrs), _age(o)]


def node_cells(o):
    conds = {c.get("type"): c.get("status") for c in
             _dig(o, "status", "conditions") or []}
    st = []
    if "Ready" in conds:
        st.append("Ready" if conds["Ready"] == "True" else "NotReady")
    if not st:
        st.append("Unknown")
    if _dig(o, "spec", "unschedulable"):
        st.append("SchedulingDisabled")
    labels = _dig(o, "metadata", "labels") or {}
    roles = sorted({k[len("node-role.kubernetes.io/"):] for k in labels
                    if k.startswith("node-role.kubernetes.io/")} |
                   ({labels["kubernetes.io/role"]}
                    if labels.get("kubernetes.io/role") else set()))
    addrs = _dig(o, "status", "addresses") or []

    def addr(t):
        return next((a["address"] for a in addrs if a.get("type") == t),
                    "<none>")

    info = _dig(o, "status", "nodeInfo") or {}
    return [o["metadata"]["name"], ",".join(st), ",".join(roles) or "<none>",
            _age(o), info.get("kubeletVersion", ""), addr("InternalIP"),
            addr("ExternalIP"), info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


CELLS = {"Service": service_cells, "EndpointSlice": slice_cells,
         "Node": node_cells}


def partial_meta(obj, version):
    return {"kind": "PartialObjectMetadata",
            "apiVersion": f"meta.k8s.io/{version}",
            "metadata": obj.get("metadata", {})}


def to_table(kind, objs, version, include, headers=True, meta=None):
    rows = []
    for o in objs:
        row = {"cells": CELLS[kind.kind](o)}
        if include == "Object":
            row["object"] = o
        elif include != "None":
            row["object"] = partial_meta(o, version)
        rows.append(row)
    return {"kind": "Table", "apiVersion": f"meta.k8s.io/{version}",
            "metadata": meta or {},
            "columnDefinitions": COLUMNS[kind.kind] if headers else None,
            "rows": rows}


# --------------------------------------------------------------------------
# Content negotiation


def parse_accept(header):
    out = []
    for i, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        params = {}
        for f in fields[1:]:
            if "=" in f:
                k, v = f.split("=", 1)
                params[k.strip().lower()] = v.strip()
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 1.0
        if q > 0:
            out.append((-q, i, fields[0].lower(), params))
    out.sort()
    return [(m, p) for _, _, m, p in out]


def negotiate(header, allowed_as=()):
    """(as, version) for a response: as is None for plain JSON."""
    if not header or not header.strip():
        return None, None
    for mtype, params in parse_accept(header):
        if mtype not in ("application/json", "application/*", "*/*"):
            continue
        a = params.get("as")
        if a is None:
            if "g" not in params and "v" not in params:
                return None, None
            continue
        if a in allowed_as and params.get("g") == "meta.k8s.io" and \
                params.get("v") in ("v1", "v1beta1"):
            return a, params["v"]
    raise ApiError(status(406, "NotAcceptable",
                          "only the following media types are accepted: "
                          "application/json, application/yaml, "
                          "application/vnd.kubernetes.protobuf"))


# --------------------------------------------------------------------------
# Faults

WATCH_ONLY = ("watch-410", "bad-line", "close")
FAULT_TYPES = ("status", "watch-410", "drop", "hang", "delay", "bad-line",
               "close", "big")


class Fault:
    def __init__(self, spec):
        if not isinstance(spec, dict) or spec.get("type") not in FAULT_TYPES:
            raise ApiError(status(400, "BadRequest",
                                  f"fault type must be one of {FAULT_TYPES}"))
        self.spec = dict(spec)
        self.type = spec["type"]
        self.count = int(spec.get("count", 1))
        default_verb = "watch" if self.type in WATCH_ONLY else "any"
        self.verb = spec.get("verb") or default_verb
        self.resource = kind_named(spec["resource"]).plural \
            if spec.get("resource") else None
        self.namespace = spec.get("namespace")
        self.path = re.compile(spec["path"]) if spec.get("path") else None
        self.fired = 0

    def get(self, key, default=None, conv=None):
        v = self.spec.get(key, default)
        if conv is not None and v is not None:
            v = conv(v)
        return v

    def flag(self, key):
        return str(self.spec.get(key, "")).lower() in ("1", "true", "yes")

    def matches(self, req):
        if self.count == 0:
            return False
        if self.verb != "any" and self.verb != req["verb"]:
            return False
        if self.resource and self.resource != req.get("resource"):
            return False
        if self.namespace is not None and \
                self.namespace != req.get("namespace"):
            return False
        return not self.path or bool(self.path.search(req["path"]))

    def describe(self):
        return dict(self.spec, remaining=self.count, fired=self.fired)


class FaultBook:
    def __init__(self):
        self.lock = threading.Lock()
        self.faults = []
        self.release = threading.Event()

    def add(self, specs):
        faults = [Fault(s) for s in specs]
        with self.lock:
            self.faults.extend(faults)
        return [f.describe() for f in faults]

    def take(self, req):
        with self.lock:
            for f in self.faults:
                if f.matches(req):
                    if f.count > 0:
                        f.count -= 1
                    f.fired += 1
                    return f
        return None

    def clear(self):
        with self.lock:
            self.faults = []

    def list(self):
        with self.lock:
            return [f.describe() for f in self.faults]

    def release_hangs(self):
        old, self.release = self.release, threading.Event()
        old.set()


# --------------------------------------------------------------------------
# Request log


class RequestLog:
    def __init__(self, size=100000):
        self.lock = threading.Lock()
        self.entries = collections.deque(maxlen=size)
        self.seq = 0

    def start(self, **fields):
        with self.lock:
            self.seq += 1
            e = dict(seq=self.seq, time=time.time(), **fields)
            self.entries.append(e)
            return e

    def query(self, path=None, since=0):
        rx = re.compile(path) if path else None
        with self.lock:
            return [dict(e) for e in self.entries
                    if e["seq"] > since and (not rx or rx.search(e["path"]))]

    def counters(self):
        c = collections.Counter()
        with self.lock:
            for e in self.entries:
                c[f"{e['verb']} {e.get('resource') or e['path']}"] += 1
        return dict(c)

    def clear(self):
        with self.lock:
            self.entries.clear()


# --------------------------------------------------------------------------
# Discovery


def discovery_resources(group, version):
    out = []
    for k in KINDS.values():
        if (k.group, k.version) != (group, version):
            continue
        r = {"name": k.plural, "singularName": k.singular,
             "namespaced": k.namespaced, "kind": k.kind,
             "verbs": ["get", "list", "watch"]}
        if k.short_names:
            r["shortNames"] = k.short_names
        if k.kind == "Service":
            r["categories"] = ["all"]
        out.append(r)
    return out


def api_group(name):
    versions = [{"groupVersion": f"{name}/{v}", "version": v}
                for v in GROUPS[name]]
    return {"name": name, "versions": versions,
            "preferredVersion": versions[0]}


# --------------------------------------------------------------------------
# HTTP


def _q1(query, key, default=None):
    v = query.get(key)
    return v[-1] if v else default


def _truthy(v):
    return v is not None and v.lower() in ("1", "true")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeapi/1"
    sys_version = ""

    # -- plumbing ------------------------------------------------------------

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("fakeapi: %s %s\n" % (self.address_string(),
                                                   fmt % args))

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send_body(self, code, body, ctype="application/json", headers=None):
        if (len(body) >= 128 * 1024 and self.server.cfg["gzip"] and
                "gzip" in (self.headers.get("Accept-Encoding") or "")):
            body = gzip.compress(body, 1)
            headers = dict(headers or {}, **{"Content-Encoding": "gzip"})
        self.send_response(code)
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.entry is not None:
            self.entry["status"] = code

    def send_json(self, code, obj, headers=None):
        self.send_body(code, json.dumps(obj, separators=(",", ":")).encode(),
                       headers=headers)

    def send_status(self, st, headers=None):
        self.send_json(st["code"], st, headers)

    def drop(self, rst=False):
        """Close the connection without a word (or with a TCP reset)."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        sock = self.connection
        try:
            if rst:
                # SO_LINGER 0: the last close of the socket sends a reset
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
                self.rfile.close()
                sock.close()
            else:
                sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if self.entry is not None:
            self.entry["status"] = "dropped"

    # -- dispatch ------------------------------------------------------------

    def dispatch(self, method):
        self.entry = None
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = parse_qs(url.query, keep_blank_values=True)
        if path == "/_control" or path.startswith("/_control/"):
            try:
                ControlAPI(self).handle(method, path, query)
            except ApiError as e:
                self.send_status(e.status)
            except (ValueError, KeyError, TypeError) as e:
                self.send_status(status(400, "BadRequest", f"control: {e}"))
            return
        req = self.classify(method, path, query)
        auth = self.headers.get("Authorization") or ""
        self.entry = self.server.log.start(
            method=method, path=path, query={k: v[-1] for k, v in
                                             query.items()},
            verb=req["verb"], resource=req.get("resource"),
            namespace=req.get("namespace"),
            token=auth[7:] if auth.startswith("Bearer ") else None,
            accept=self.headers.get("Accept"),
            userAgent=self.headers.get("User-Agent"),
            peer=self.client_address[1], status=None)
        try:
            if method != "GET":
                self.read_body()
            self.check_auth(auth, path)
            fault = self.server.faults.take(req)
            if fault is not None:
                self.entry["fault"] = fault.type
                if self.early_fault(fault):
                    return
            self.serve_api(method, path, query, req, fault)
        except ApiError as e:
            self.send_status(e.status, e.headers)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError,
                TimeoutError):
            self.close_connection = True
            self.entry["status"] = self.entry.get("status") or "client-gone"
        finally:
            self.entry["end"] = time.time()

    PUBLIC = ("/healthz", "/livez", "/readyz", "/version")

    def check_auth(self, auth, path):
        """Bearer tokens; without any, only the public paths (what anonymous
        users may see on a real cluster: system:public-info-viewer)."""
        tokens = self.server.cfg["tokens"]
        if not auth and path in self.PUBLIC:
            return
        if tokens and not (auth.startswith("Bearer ") and
                           auth[7:].strip() in tokens):
            raise ApiError(status(401, "Unauthorized", "Unauthorized"))

    def classify(self, method, path, query):
        """Which verb and resource a request is, for faults and the log."""
        parts = [p for p in path.split("/") if p]
        req = {"path": path, "verb": "other"}
        if parts[:2] == ["api", "v1"]:
            gv, rest = ("", "v1"), parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis" and \
                parts[1] in GROUPS and parts[2] in GROUPS[parts[1]]:
            gv, rest = (parts[1], parts[2]), parts[3:]
        else:
            if parts[:1] in (["api"], ["apis"], ["version"]):
                req["verb"] = "discovery"
            return req
        if not rest:
            req["verb"] = "discovery"
            return req
        watch = _truthy(_q1(query, "watch"))
        if rest[0] == "watch":
            watch, rest = True, rest[1:]
        ns = name = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            ns, rest = rest[1], rest[2:]
        if not rest or len(rest) > 2:
            return req
        kind = BY_PLURAL.get((gv[0], gv[1], rest[0]))
        if kind is None or (ns is not None and not kind.namespaced):
            return req
        if len(rest) == 2:
            if kind.namespaced and ns is None:
                return req
            name = rest[1]
        req.update(kind=kind, resource=kind.plural, namespace=ns, name=name,
                   watch=watch)
        req["verb"] = "watch" if watch else ("get" if name else "list")
        if method != "GET":
            req["verb"] = method.lower()
        return req

    # -- faults that act before the request is served -------------------

    def early_fault(self, f):
        """Act on a fault that replaces the answer; True when done."""
        if f.type == "status":
            code = f.get("code", 500, int)
            reason = f.get("reason") or REASONS.get(code, "Unknown")
            hdrs = {}
            if f.get("retry_after") is not None:
                hdrs["Retry-After"] = f.get("retry_after")
            if code == 429 or f.get("text") is not None:
                if code == 429:
                    hdrs.setdefault("Retry-After", 1)
                hdrs["X-Content-Type-Options"] = "nosniff"
                text = f.get("text", "Too many requests, please try again "
                             "later.\n")
                self.send_body(code, text.encode(),
                               "text/plain; charset=utf-8", hdrs)
                return True
            msg = f.get("message") or {
                401: "Unauthorized",
                403: f'{f.get("resource", "services")} is forbidden: User '
                     '"system:serviceaccount:kube-system:ipvsagent" cannot '
                     'list resource at the cluster scope',
                410: "The resourceVersion for the provided list is too old.",
                500: "Internal error occurred: injected by fakeapi",
            }.get(code, f"injected status {code}")
            self.send_status(status(code, reason, msg,
                                    retry_after=f.get("retry_after")), hdrs)
            return True
        if f.type == "hang":
            self.server.faults.release.wait(f.get("seconds", None, float))
            self.drop()
            return True
        if f.type == "delay":
            time.sleep(f.get("seconds", 1.0, float))
            return False
        if f.type == "drop" and self.entry["verb"] != "watch":
            self.drop(f.flag("rst"))
            return True
        return False

    # -- the API -------------------------------------------------------------

    def serve_api(self, method, path, query, req, fault):
        parts = [p for p in path.split("/") if p]
        if method != "GET":
            raise ApiError(status(405, "MethodNotAllowed",
                                  f"the server does not allow this method "
                                  f"on the requested resource (fakeapi "
                                  f"serves GET; use /_control/)"))
        if path in ("/healthz", "/readyz", "/livez"):
            return self.send_body(200, b"ok", "text/plain; charset=utf-8")
        if path == "/version":
            v = self.server.cfg["version"]
            major, minor = re.match(r"v(\d+)\.(\d+)", v).groups()
            return self.send_json(200, {
                "major": major, "minor": minor, "gitVersion": v,
                "gitCommit": "0" * 40, "gitTreeState": "clean",
                "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.22.0",
                "compiler": "gc", "platform": "linux/amd64"})
        if req["verb"] == "discovery":
            return self.serve_discovery(parts)
        kind = req.get("kind")
        if kind is None:
            if parts[:2] == ["api", "v1"] or (
                    len(parts) >= 3 and parts[0] == "apis" and
                    parts[1] in GROUPS):
                raise ApiError(status(
                    404, "NotFound",
                    "the server could not find the requested resource",
                    {"causes": [{"reason": "UnexpectedServerResponse",
                                 "message": "404 page not found"}]}))
            return self.send_body(404, b"404 page not found\n",
                                  "text/plain; charset=utf-8")
        if req["verb"] == "watch":
            return self.serve_watch(req, query, fault)
        if req["verb"] == "get":
            return self.serve_get(req, query, fault)
        return self.serve_list(req, query, fault)

    def serve_discovery(self, parts):
        negotiate(self.headers.get("Accept"))
        port = self.server.server_address[1]
        if parts == ["api"]:
            return self.send_json(200, {
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0",
                     "serverAddress": f"127.0.0.1:{port}"}]})
        if parts == ["apis"]:
            return self.send_json(200, {
                "kind": "APIGroupList", "apiVersion": "v1",
                "groups": [api_group(g) for g in GROUPS]})
        if parts == ["api", "v1"]:
            return self.send_json(200, {
                "kind": "APIResourceList", "groupVersion": "v1",
                "resources": discovery_resources("", "v1")})
        if len(parts) == 2 and parts[1] in GROUPS:
            return self.send_json(200, dict(kind="APIGroup", apiVersion="v1",
                                            **api_group(parts[1])))
        if len(parts) == 3 and parts[1] in GROUPS and \
                parts[2] in GROUPS[parts[1]]:
            return self.send_json(200, {
                "kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": f"{parts[1]}/{parts[2]}",
                "resources": discovery_resources(parts[1], parts[2])})
        self.send_body(404, b"404 page not found\n",
                       "text/plain; charset=utf-8")

    def _pad(self, obj, fault):
        if fault is None or fault.type != "big":
            return obj
        obj = dict(obj)
        meta = obj["metadata"] = dict(obj.get("metadata") or {})
        ann = meta["annotations"] = dict(meta.get("annotations") or {})
        ann["fakeapi.test/padding"] = "x" * fault.get("size", 4 << 20, int)
        return obj

    def serve_get(self, req, query, fault):
        kind = req["kind"]
        as_, ver = negotiate(self.headers.get("Accept"),
                             ("Table", "PartialObjectMetadata"))
        obj, rv = self.server.store.get(kind, req["namespace"], req["name"])
        obj = self._pad(obj, fault)
        if as_ == "Table":
            return self.send_json(200, to_table(
                kind, [obj], ver, _q1(query, "includeObject", "Metadata"),
                meta={"resourceVersion": str(rv)}))
        if as_ == "PartialObjectMetadata":
            return self.send_json(200, partial_meta(obj, ver))
        self.send_json(200, obj)

    def serve_list(self, req, query, fault):
        kind, ns = req["kind"], req["namespace"]
        store = self.server.store
        as_, ver = negotiate(self.headers.get("Accept"),
                             ("Table", "PartialObjectMetadataList"))
        lsel = parse_label_selector(_q1(query, "labelSelector"))
        fsel = parse_field_selector(_q1(query, "fieldSelector"), kind)
        limit = int(_q1(query, "limit") or 0)
        cont = _q1(query, "continue") or ""
        rv_param = _q1(query, "resourceVersion") or ""
        match = _q1(query, "resourceVersionMatch") or ""
        start = ""
        if cont:
            if rv_param:
                raise ApiError(status(400, "BadRequest",
                                      "specifying resource version is not "
                                      "allowed when using continue"))
            rv, start = decode_continue(cont)
            try:
                state = store.state_at(rv)
            except ApiError:
                raise ApiError(status(
                    410, "Expired",
                    "The provided continue parameter is too old to display a "
                    "consistent list result. You can start a new list "
                    "without the continue parameter."))
        else:
            if rv_param and not rv_param.isdigit():
                raise ApiError(status(400, "BadRequest",
                                      f"invalid resource version "
                                      f"{rv_param!r}"))
            want = int(rv_param or 0)
            if match == "Exact":
                if not rv_param or want == 0:
                    raise ApiError(status(400, "BadRequest",
                                          "resourceVersionMatch=Exact needs "
                                          "a resourceVersion"))
                store.wait_for(want)
                state, rv = store.state_at(want), want
            else:
                if want:
                    store.wait_for(want)
                elif rv_param == "0" and self.server.cfg["rv0_ignores_limit"]:
                    limit = 0       # served from the watch cache
                with store.lock:
                    state, rv = dict(store.objects), store.rv
        keys = sorted(k for k in state if k[0] == kind.kind and
                      (ns is None or k[1] == ns))
        if start:
            after = tuple(start.split("/", 1))
            keys = [k for k in keys if (k[1], k[2]) > after]
        items, more, next_start = [], False, ""
        for i, k in enumerate(keys):
            obj = state[k]
            meta = obj.get("metadata") or {}
            if not labels_match(lsel, meta.get("labels")) or \
                    not fields_match(fsel, kind, obj):
                continue
            items.append(obj)
            if limit and len(items) >= limit:
                more = i + 1 < len(keys)
                next_start = f"{k[1]}/{k[2]}"
                remaining = len(keys) - i - 1
                break
        if items and fault is not None and fault.type == "big":
            items[0] = self._pad(items[0], fault)
        meta = {"resourceVersion": str(rv)}
        if more:
            meta["continue"] = encode_continue(rv, next_start)
            if not lsel and not fsel:
                meta["remainingItemCount"] = remaining
        if as_ == "Table":
            return self.send_json(200, to_table(
                kind, items, ver, _q1(query, "includeObject", "Metadata"),
                meta=meta))
        if as_ == "PartialObjectMetadataList":
            return self.send_json(200, {
                "kind": "PartialObjectMetadataList",
                "apiVersion": f"meta.k8s.io/{ver}", "metadata": meta,
                "items": [partial_meta(o, ver) for o in items]})
        if not self.server.cfg["list_item_kinds"]:
            items = [{k: v for k, v in o.items()
                      if k not in ("kind", "apiVersion")} for o in items]
        body = json.dumps({"kind": kind.list_kind,
                           "apiVersion": kind.api_version, "metadata": meta,
                           "items": items}, separators=(",", ":"))
        self.send_body(200, body.encode())

    # -- watch -------------------------------------------------------------

    def serve_watch(self, req, query, fault):
        WatchStream(self, req, query, fault).run()


def encode_continue(rv, start):
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv,
                      "start": start + "\x00"},
                     separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        d = json.loads(raw)
        return int(d["rv"]), d["start"].rstrip("\x00")
    except (ValueError, KeyError, TypeError) as e:
        raise ApiError(status(400, "BadRequest",
                              f"continue key is not valid: {e}"))


BOOKMARK_BEFORE_END = 1.0     # a last bookmark this long before timeout


class WatchStream:
    """Serves one watch request: headers, replay, live events, bookmarks,
    timeout, and the watch faults."""

    def __init__(self, handler, req, query, fault):
        self.h = handler
        self.server = handler.server
        self.cfg = self.server.cfg
        self.req, self.query, self.fault = req, query, fault
        self.kind = req["kind"]
        self.fault_done = fault is None or fault.type not in (
            "watch-410", "drop", "bad-line", "close", "big")
        self.after = fault.get("after", 0, int) if fault else 0
        self.first_table = True

    def _timeout(self):
        t = _q1(self.query, "timeoutSeconds")
        if t:
            return float(t)
        lo, hi = self.cfg["watch_timeout"]
        return self.server.rng_for("timeout").uniform(lo, hi)

    def run(self):
        h, q, store = self.h, self.query, self.server.store
        self.as_, self.ver = negotiate(h.headers.get("Accept"),
                                       ("Table", "PartialObjectMetadata"))
        lsel = parse_label_selector(_q1(q, "labelSelector"))
        fsel = parse_field_selector(_q1(q, "fieldSelector"), self.kind)
        rv_param = _q1(q, "resourceVersion") or ""
        if rv_param and not rv_param.isdigit():
            raise ApiError(status(400, "BadRequest",
                                  f"invalid resource version {rv_param!r}"))
        bookmarks = _truthy(_q1(q, "allowWatchBookmarks"))
        send_initial = _q1(q, "sendInitialEvents")
        initial = rv_param in ("", "0") if send_initial is None \
            else _truthy(send_initial)
        if send_initial is not None and _truthy(send_initial) and \
                not bookmarks:
            raise ApiError(status(422, "Invalid", "sendInitialEvents "
                                  "requires allowWatchBookmarks=true"))
        deadline = time.monotonic() + self._timeout()
        w = Watch(self.kind, self.req["namespace"], self.req.get("name"),
                  lsel, fsel, h.client_address[1], h.path)
        events, err = store.start_watch(w, int(rv_param or 0), initial)
        self.w = w
        self.rng = self.server.rng_for("watch")
        self.out = ChunkWriter(h.wfile, self.rng, self.cfg)
        peek = None
        try:
            h.send_response(200)
            h.send_header("Audit-Id", str(uuid.uuid4()))
            h.send_header("Cache-Control", "no-cache, private")
            h.send_header("Content-Type", "application/json")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            h.wfile.flush()
            h.entry["status"] = 200
            if err is not None:
                self.out.send(self.line("ERROR", err))
                return self.finish("expired")
            buf = bytearray()
            ending = self.check_fault(buf, None)
            if not ending:
                ending = self.emit(buf, events)
            if not ending and send_initial is not None and \
                    _truthy(send_initial):
                buf += self.bookmark(w.min_rv, initial_end=True)
            self.out.send(bytes(buf))
            if ending:
                return self.finish(ending)
            peek = self.peeker()
            next_bm = time.monotonic() + self.cfg["bookmark_interval"]
            last_bm_sent = False
            while True:
                now = time.monotonic()
                wake = min(deadline, now + 0.25)
                if bookmarks:
                    wake = min(wake, next_bm)
                    if not last_bm_sent and deadline - BOOKMARK_BEFORE_END > now:
                        wake = min(wake, deadline - BOOKMARK_BEFORE_END)
                with w.cond:
                    if not w.queue and w.closed is None and now < deadline:
                        w.cond.wait(max(0.0, wake - time.monotonic()))
                    has_work = bool(w.queue)
                if has_work and self.cfg["coalesce"]:
                    time.sleep(self.cfg["coalesce"])
                # events and the bookmark's resourceVersion in one snapshot,
                # so a bookmark never runs ahead of an event not yet sent
                with store.lock:
                    with w.cond:
                        batch, w.queue = w.queue, []
                        closed = w.closed
                    cur_rv = store.rv
                buf = bytearray()
                ending = self.emit(buf, batch)
                now = time.monotonic()
                near_end = deadline - now <= BOOKMARK_BEFORE_END
                if not ending and bookmarks and (
                        now >= next_bm or (near_end and not last_bm_sent)):
                    buf += self.bookmark(cur_rv)
                    next_bm = now + self.cfg["bookmark_interval"]
                    last_bm_sent = last_bm_sent or near_end
                if not ending and not closed and now >= deadline:
                    ending = "clean"
                if closed and not ending:
                    ending = closed
                    if closed == "expired":
                        buf += self.line("ERROR", too_old(
                            store.compacted_rv, store.compacted_rv + 1))
                if buf:
                    self.out.send(bytes(buf))
                if ending:
                    return self.finish(ending)
                if peek is not None and self.client_gone(peek):
                    h.close_connection = True
                    h.entry["status"] = "client-gone"
                    return
        finally:
            if peek is not None:
                peek.close()
            store.stop_watch(w)
            h.entry["events"] = w.sent

    def finish(self, how):
        """End the stream: cleanly (terminating chunk) or by dropping."""
        if how == "drop":
            return self.h.drop(self.fault is not None and self.fault.flag("rst"))
        self.out.end()
        self.h.wfile.flush()

    def line(self, typ, obj):
        return json.dumps({"type": typ, "object": obj},
                          separators=(",", ":")).encode() + b"\n"

    def bookmark(self, rv, initial_end=False):
        meta = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        return self.line("BOOKMARK", {"kind": self.kind.kind,
                                      "apiVersion": self.kind.api_version,
                                      "metadata": meta})

    def render(self, obj):
        if self.as_ == "Table":
            t = to_table(self.kind, [obj], self.ver,
                         _q1(self.query, "includeObject", "Metadata"),
                         headers=self.first_table,
                         meta={"resourceVersion":
                               obj["metadata"].get("resourceVersion", "")})
            self.first_table = False
            return t
        if self.as_ == "PartialObjectMetadata":
            return partial_meta(obj, self.ver)
        return obj

    def emit(self, buf, events):
        """Append events to buf, acting on the fault at its position.
        Returns how the stream must end ("clean", "drop") or None."""
        for typ, obj in events:
            if not self.fault_done and self.w.sent == self.after:
                if self.fault.type == "big":
                    obj = self.h._pad(obj, self.fault)
                    self.fault_done = True
                else:
                    ending = self.check_fault(buf, self.line(typ,
                                                             self.render(obj)))
                    if ending:
                        return ending
            buf += self.line(typ, self.render(obj))
            self.w.sent += 1
            ending = self.check_fault(buf, None)
            if ending:
                return ending
        return None

    def check_fault(self, buf, next_line):
        """Fire the stream fault if its time has come; return the ending."""
        f = self.fault
        if self.fault_done or self.w.sent != self.after:
            return None
        partial = f.get("partial", 0, int) if f.type == "drop" else 0
        if f.type == "big" or (partial and next_line is None):
            return None          # needs the next event
        self.fault_done = True
        if f.type == "watch-410":
            reason = f.get("reason", "Expired")
            st = status(410, reason, "too old resource version: "
                        f"{self.w.min_rv} ({self.w.min_rv + 1})")
            buf += self.line("ERROR", st)
            return "clean"
        if f.type == "bad-line":
            buf += (f.get("line") or "this is not json {").encode() + b"\n"
            return None
        if f.type == "close":
            return "clean"
        if f.type == "drop":
            if partial:
                part = next_line[:min(partial, len(next_line) - 1)]
                if f.flag("midchunk"):
                    self.out.send(bytes(buf))
                    buf.clear()
                    self.out.chunk(part, declared=len(next_line))
                else:
                    buf += part
            return "drop"
        return None

    def peeker(self):
        try:
            fd = self.h.connection.fileno()
            return socket.socket(fileno=os.dup(fd))
        except OSError:
            return None

    def client_gone(self, peek):
        try:
            r, _, _ = select.select([peek], [], [], 0)
            if not r:
                return False
            data = peek.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            return data == b"" or isinstance(self.h.connection,
                                             ssl.SSLSocket)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True


# --------------------------------------------------------------------------
# The control interface


class ControlAPI:
    """/_control/...: what tests use to drive the fake cluster."""

    def __init__(self, handler):
        self.h = handler
        self.server = handler.server
        self.store = handler.server.store

    def body(self):
        raw = self.h.read_body()
        return json.loads(raw) if raw.strip() else None

    def handle(self, method, path, query):
        parts = [p for p in path.split("/") if p][1:]
        name = "/".join(parts[:2]) if parts[:1] == ["watches"] else \
            (parts[0] if parts else "")
        fn = getattr(self, f"{method.lower()}_{name.replace('/', '_')}", None)
        if fn is None:
            raise ApiError(status(404, "NotFound",
                                  f"no control endpoint {method} {path}"))
        result = fn(parts[1:], query)
        self.h.send_json(200, result)

    def get_state(self, args, q):
        st = self.store
        with st.lock:
            counts = collections.Counter(k[0] for k in st.objects)
            watches = [w.describe() for w in st.watchers]
            return {"resourceVersion": str(st.rv),
                    "objects": dict(counts),
                    "history": {"size": len(st.history),
                                "oldest": st.history[0].rv if st.history
                                else None,
                                "compactedResourceVersion":
                                str(st.compacted_rv)},
                    "watches": watches,
                    "faults": self.server.faults.list()}

    def get_objects(self, args, q):
        with self.store.lock:
            items = [o for _, o in sorted(self.store.objects.items())]
            return {"kind": "List", "apiVersion": "v1",
                    "metadata": {"resourceVersion": str(self.store.rv)},
                    "items": items}

    def post_objects(self, args, q):
        body = self.body()
        objs = body.get("items") if isinstance(body, dict) and \
            "items" in body else (body if isinstance(body, list) else [body])
        stored = self.store.apply(objs or [],
                                  defaults=not _truthy(_q1(q, "raw")),
                                  pad=int(_q1(q, "pad") or 0),
                                  stamp=_truthy(_q1(q, "stamp")))
        return {"kind": "List", "apiVersion": "v1",
                "metadata": {"resourceVersion": str(self.store.rv)},
                "items": stored}

    put_objects = post_objects

    def delete_objects(self, args, q):
        if len(args) == 3:
            kind = kind_named(args[0])
            ns = "" if args[1] in ("-", "_") else args[1]
            return self.store.delete(kind, ns, args[2])
        if args:
            raise ApiError(status(400, "BadRequest",
                                  "DELETE /_control/objects/KIND/NS/NAME"))
        k = _q1(q, "kind")
        n = self.store.delete_all(kind_named(k) if k else None)
        return {"deleted": n, "resourceVersion": str(self.store.rv)}

    def post_bump(self, args, q):
        return {"resourceVersion": str(self.store.bump(int(_q1(q, "n") or 1)))}

    def post_compact(self, args, q):
        rv = self.store.compact(int(_q1(q, "keep") or 0))
        return {"compactedResourceVersion": str(rv)}

    def get_faults(self, args, q):
        return self.server.faults.list()

    def post_faults(self, args, q):
        body = self.body()
        return self.server.faults.add(body if isinstance(body, list)
                                      else [body])

    def delete_faults(self, args, q):
        self.server.faults.clear()
        return {}

    def post_release(self, args, q):
        self.server.faults.release_hangs()
        return {}

    def post_watches_close(self, args, q):
        mode = _q1(q, "mode") or "clean"
        if mode not in ("clean", "drop", "expired"):
            raise ApiError(status(400, "BadRequest", "mode: clean|drop|expired"))
        with self.store.lock:
            ws = list(self.store.watchers)
        for w in ws:
            w.close(mode)
        return {"closed": len(ws)}

    def get_watches(self, args, q):
        with self.store.lock:
            return [w.describe() for w in self.store.watchers]

    def get_requests(self, args, q):
        return self.server.log.query(_q1(q, "path"),
                                     int(_q1(q, "since") or 0))

    def delete_requests(self, args, q):
        self.server.log.clear()
        return {}

    def get_counters(self, args, q):
        return self.server.log.counters()

    def get_config(self, args, q):
        return self.server.cfg

    def post_config(self, args, q):
        body = self.body() or {}
        cfg = self.server.cfg
        for k, v in body.items():
            if k == "token":
                k, v = "tokens", [v] if v else []
            if k == "watch_timeout" and not isinstance(v, list):
                v = [float(v), float(v)]
            if k not in cfg:
                raise ApiError(status(400, "BadRequest", f"no setting {k!r}"))
            cfg[k] = v
        if "seed" in body:
            self.server.reseed(body["seed"])
        if "history_size" in body:
            self.store.history_size = int(body["history_size"])
        return cfg

    def post_save(self, args, q):
        return {"saved": self.server.save_state()}

    def post_reset(self, args, q):
        self.store.reset()
        self.server.faults.clear()
        self.server.faults.release_hangs()
        self.server.log.clear()
        return {"resourceVersion": str(self.store.rv)}


# --------------------------------------------------------------------------
# The server


DEFAULT_CONFIG = {
    "tokens": [],
    "watch_timeout": [300.0, 600.0],
    "bookmark_interval": 60.0,
    "chunking": "random",          # or "event": one chunk per write
    "max_chunk": 4096,
    "chunk_delay": 0.0,            # max seconds slept between some chunks
    "coalesce": 0.005,             # seconds to gather events into a batch
    "seed": None,
    "gzip": True,
    "rv0_ignores_limit": True,
    "list_item_kinds": False,      # kind/apiVersion on list items
    "version": "v1.31.0",
    "history_size": 1000,
}


class FakeAPIServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, addr, cfg, tls_ctx=None, state_file=None,
                 verbose=False):
        super().__init__(addr, Handler)
        self.cfg = cfg
        self.store = Store(int(cfg["history_size"]))
        self.faults = FaultBook()
        self.log = RequestLog()
        self.verbose = verbose
        self.state_file = state_file
        self.tls = tls_ctx is not None
        self.rng_lock = threading.Lock()
        self.reseed(cfg.get("seed"))
        if tls_ctx is not None:
            self.socket = tls_ctx.wrap_socket(self.socket, server_side=True,
                                              do_handshake_on_connect=False)
        if state_file and os.path.exists(state_file):
            self.load_state()

    def reseed(self, seed):
        with self.rng_lock:
            self.master_rng = random.Random(seed)

    def rng_for(self, what):
        """A random generator for one stream, drawn from the seeded one."""
        with self.rng_lock:
            return random.Random(self.master_rng.getrandbits(64))

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError,
                            OSError)):
            return
        super().handle_error(request, client_address)

    def load_state(self):
        with open(self.state_file) as f:
            doc = json.load(f)
        items = doc if isinstance(doc, list) else \
            doc.get("items", []) if "items" in doc else [doc]
        rv = _dig(doc, "metadata", "resourceVersion") \
            if isinstance(doc, dict) else None
        self.store.apply(items, keep_rv=True)
        with self.store.lock:
            if rv and str(rv).isdigit():
                self.store.rv = max(self.store.rv, int(rv))
            if self.store.rv == 0:
                self.store.rv = 1
            self.store.compacted_rv = self.store.rv

    def save_state(self):
        if not self.state_file:
            return None
        with self.store.lock:
            doc = {"kind": "List", "apiVersion": "v1",
                   "metadata": {"resourceVersion": str(self.store.rv)},
                   "items": [o for _, o in sorted(self.store.objects.items())]}
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(doc, f, indent=1)
        os.replace(tmp, self.state_file)
        return self.state_file


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="A fake Kubernetes API server for tests.")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--tls", action="store_true")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--token", action="append", default=[])
    p.add_argument("--state-file")
    p.add_argument("--seed", type=int)
    p.add_argument("--watch-timeout", default="300,600")
    p.add_argument("--bookmark-interval", type=float, default=60.0)
    p.add_argument("--history", type=int, default=1000)
    p.add_argument("--chunking", choices=("random", "event"),
                   default="random")
    p.add_argument("--version", dest="kversion", default="v1.31.0")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args(argv)
    if a.tls and not (a.cert and a.key):
        p.error("--tls needs --cert and --key")
    return a


def main(argv=None):
    a = parse_args(argv)
    # A watch thread woken by a write waits for the GIL up to the switch
    # interval (5 ms by default); a real API server hands an event to its
    # watchers in well under a millisecond, and so should this one.
    sys.setswitchinterval(0.0002)
    cfg = copy.deepcopy(DEFAULT_CONFIG)
    wt = [float(x) for x in a.watch_timeout.split(",")]
    cfg.update(tokens=a.token, seed=a.seed, bookmark_interval=a.bookmark_interval,
               watch_timeout=[wt[0], wt[-1]], history_size=a.history,
               chunking=a.chunking, version=a.kversion)
    ctx = tls_context(a.cert, a.key) if a.tls else None
    srv = FakeAPIServer((a.bind, a.port), cfg, ctx, a.state_file, a.verbose)
    # The objects loaded from --state-file live for good: keep the cyclic
    # collector from walking them (tens of ms with 20,000 objects, a pause
    # that a real API server's watchers never see).
    gc.freeze()

    def stop(signum, frame):
        srv.save_state()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = srv.server_address[:2]
    print(f"fakeapi: listening on {'https' if a.tls else 'http'}://"
          f"{host}:{port}", flush=True)
    srv.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    main()
