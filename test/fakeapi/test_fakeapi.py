#!/usr/bin/env python3
"""test/fakeapi/test_fakeapi.py - tests for the fake Kubernetes API server.

    python3 test/fakeapi/test_fakeapi.py [-v] [TestClass[.test_name] ...]

Starts fakeapi.py on free loopback ports (one plain-HTTP server, one with
TLS and a bearer token), checks every behaviour with urllib, http.client and
raw sockets, and runs the real kubectl against it (KUBECTL=path overrides
the one on PATH; without any kubectl those tests are skipped, loudly).
The last line is "N passed, M failed[, K skipped]".
"""
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAKEAPI = os.path.join(HERE, "fakeapi.py")
FAKECTL = os.path.join(HERE, "fakectl.py")
TOKEN = "test-token-1"


# --------------------------------------------------------------------------
# Servers


class Server:
    """A fakeapi.py subprocess on a free loopback port."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [sys.executable, FAKEAPI, "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"fakeapi: listening on (https?)://127\.0\.0\.1:(\d+)",
                     line)
        if not m:
            self.proc.kill()
            raise RuntimeError("fakeapi did not start: " + line +
                               self.proc.stderr.read())
        self.scheme, self.port = m.group(1), int(m.group(2))
        self.url = f"{self.scheme}://127.0.0.1:{self.port}"
        self.ctx = None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()

    # -- HTTP helpers ------------------------------------------------------

    def request(self, method, path, body=None, headers=None, token=None,
                timeout=10):
        """(status, headers, body bytes); never raises on HTTP errors."""
        data = None if body is None else (
            body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data,
                                     method=method, headers=headers or {})
        if token:
            req.add_header("Authorization", "Bearer " + token)
        try:
            with urllib.request.urlopen(req, timeout=timeout,
                                        context=self.ctx) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def get(self, path, **kw):
        code, hdrs, body = self.request("GET", path, **kw)
        ctype = hdrs.get("Content-Type", "")
        return code, (json.loads(body) if ctype.startswith("application/json")
                      else body.decode())

    def ok(self, path, **kw):
        code, obj = self.get(path, **kw)
        assert code == 200, (path, code, obj)
        return obj

    def control(self, method, path, body=None):
        code, _, data = self.request(method, "/_control/" + path, body)
        assert code == 200, (method, path, code, data)
        return json.loads(data)

    def apply(self, *objs, **query):
        q = "?" + urllib.parse.urlencode(query) if query else ""
        return self.control("POST", "objects" + q,
                            {"kind": "List", "items": list(objs)})["items"]

    def fault(self, **spec):
        return self.control("POST", "faults", spec)

    def config(self, **cfg):
        return self.control("POST", "config", cfg)

    def requests(self, path=None, since=0):
        q = f"requests?since={since}"
        if path:
            q += "&path=" + urllib.parse.quote(path)
        return self.control("GET", q)

    def wait_watches(self, n, resource=None, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            ws = [w for w in self.control("GET", "watches")
                  if resource is None or w["resource"] == resource]
            if len(ws) >= n:
                return ws
            time.sleep(0.02)
        raise AssertionError(f"fewer than {n} watches open")


PLAIN = None
SECURE = None
CERTDIR = None


def setUpModule():
    global PLAIN, SECURE, CERTDIR
    PLAIN = Server("--seed", "7")
    CERTDIR = tempfile.mkdtemp(prefix="fakeapi-certs-")
    subprocess.run([os.path.join(HERE, "mkcerts.sh"), CERTDIR], check=True)
    SECURE = Server("--tls", "--cert", f"{CERTDIR}/server.crt",
                    "--key", f"{CERTDIR}/server.key", "--token", TOKEN)
    SECURE.ctx = ssl.create_default_context(cafile=f"{CERTDIR}/ca.crt")


def tearDownModule():
    for s in (PLAIN, SECURE):
        if s:
            s.stop()
    if CERTDIR:
        shutil.rmtree(CERTDIR, ignore_errors=True)


# --------------------------------------------------------------------------
# Objects


def svc(name, ns="default", labels=None, port=80, **spec):
    s = {"kind": "Service", "apiVersion": "v1",
         "metadata": {"name": name, "namespace": ns},
         "spec": dict({"ports": [{"name": "http", "port": port}]}, **spec)}
    if labels is not None:
        s["metadata"]["labels"] = labels
    return s


def eps(name, service, ns="default", ips=("10.1.0.1",), labels=None):
    lab = {"kubernetes.io/service-name": service}
    lab.update(labels or {})
    return {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
            "metadata": {"name": name, "namespace": ns, "labels": lab},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [{"addresses": [ip],
                           "conditions": {"ready": True}} for ip in ips]}


def node(name, ready=True):
    return {"kind": "Node", "apiVersion": "v1",
            "metadata": {"name": name,
                         "labels": {"kubernetes.io/hostname": name}},
            "status": {"conditions": [{"type": "Ready",
                                       "status": "True" if ready else
                                       "False"}],
                       "addresses": [{"type": "InternalIP",
                                      "address": "192.0.2.10"}],
                       "nodeInfo": {"kubeletVersion": "v1.31.0"}}}


# --------------------------------------------------------------------------
# Raw HTTP/1.1 with chunked decoding, for watches


class RawResponse:
    """Reads one response from a raw socket, keeping the chunk framing.

    chunks: the chunk payloads as framed by the server; terminated: the
    zero-length chunk arrived; eof: the connection closed first."""

    def __init__(self, server, path, headers=None, token=None, timeout=10):
        sock = socket.create_connection(("127.0.0.1", server.port),
                                        timeout=timeout)
        if server.ctx is not None:
            sock = server.ctx.wrap_socket(sock, server_hostname="127.0.0.1")
        self.sock = sock
        hdrs = {"Host": f"127.0.0.1:{server.port}",
                "Accept": "application/json", "User-Agent": "raw-test"}
        hdrs.update(headers or {})
        if token:
            hdrs["Authorization"] = "Bearer " + token
        req = f"GET {path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in hdrs.items()) + "\r\n"
        sock.sendall(req.encode())
        self.buf = b""
        self.chunks = []
        self.partial = b""       # bytes of an unfinished chunk at EOF
        self.terminated = False
        self.eof = False
        self.error = None
        self.lock = threading.Lock()
        self.status, self.headers = self._read_head()

    def _fill(self):
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, ssl.SSLError) as e:
            self.error = e
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _read_head(self):
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                raise AssertionError("connection closed before headers")
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        code = int(lines[0].split()[1])
        hdrs = {}
        for ln in lines[1:]:
            k, v = ln.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
        return code, hdrs

    def read_chunks(self, until=None):
        """Read chunks until the end chunk, EOF, or until(self) is true."""
        while not self.terminated and not self.eof:
            if until is not None and until(self):
                return
            while b"\r\n" not in self.buf:
                if not self._fill():
                    self.partial = self.buf
                    return
            line, rest = self.buf.split(b"\r\n", 1)
            size = int(line.split(b";")[0], 16)
            while len(rest) < size + 2:
                self.buf = line + b"\r\n" + rest
                if not self._fill():
                    self.partial = rest
                    return
                line, rest = self.buf.split(b"\r\n", 1)
            assert rest[size:size + 2] == b"\r\n", "bad chunk framing"
            self.buf = rest[size + 2:]
            if size == 0:
                self.terminated = True
                return
            with self.lock:
                self.chunks.append(rest[:size])

    def read_body(self):
        """A plain (Content-Length) body."""
        n = int(self.headers.get("content-length", 0))
        while len(self.buf) < n and self._fill():
            pass
        return self.buf[:n]

    @property
    def data(self):
        with self.lock:
            return b"".join(self.chunks)

    def lines(self):
        return [ln for ln in self.data.split(b"\n")[:-1]]

    def events(self):
        return [json.loads(ln) for ln in self.lines()]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Streamer(threading.Thread):
    """Reads a watch in the background so a test can change things."""

    def __init__(self, server, path, **kw):
        super().__init__(daemon=True)
        self.r = RawResponse(server, path, **kw)
        self.start()

    def run(self):
        try:
            self.r.read_chunks()
        except OSError as e:
            self.r.error = e

    def wait_events(self, n, timeout=5, types=("ADDED", "MODIFIED",
                                                "DELETED")):
        deadline = time.time() + timeout
        while time.time() < deadline:
            evs = [e for e in self.r.events() if e["type"] in types]
            if len(evs) >= n:
                return evs
            if not self.is_alive():
                break
            time.sleep(0.01)
        raise AssertionError(f"wanted {n} events, got {self.r.events()}")

    def finish(self, timeout=5):
        self.join(timeout)
        assert not self.is_alive(), "watch did not end"
        return self.r


def watch_path(base, **q):
    q.setdefault("watch", "1")
    return base + "?" + urllib.parse.urlencode(q)


# --------------------------------------------------------------------------
# Tests


class Base(unittest.TestCase):
    server = None

    def setUp(self):
        self.s = PLAIN if self.server is None else self.server
        self.s.control("POST", "reset")
        self.s.config(watch_timeout=[300, 600], bookmark_interval=60,
                      chunking="random", chunk_delay=0, tokens=[] if
                      self.s is PLAIN else [TOKEN])


class TestDiscovery(Base):
    def test_version(self):
        v = self.s.ok("/version")
        self.assertEqual(v["major"], "1")
        self.assertTrue(v["gitVersion"].startswith("v1."))

    def test_core(self):
        self.assertEqual(self.s.ok("/api")["versions"], ["v1"])
        res = {r["name"]: r for r in self.s.ok("/api/v1")["resources"]}
        self.assertTrue(res["services"]["namespaced"])
        self.assertEqual(res["services"]["kind"], "Service")
        self.assertFalse(res["nodes"]["namespaced"])
        self.assertIn("watch", res["nodes"]["verbs"])

    def test_groups(self):
        groups = self.s.ok("/apis")
        self.assertEqual(groups["kind"], "APIGroupList")
        self.assertEqual([g["name"] for g in groups["groups"]],
                         ["discovery.k8s.io"])
        g = self.s.ok("/apis/discovery.k8s.io")
        self.assertEqual(g["preferredVersion"]["groupVersion"],
                         "discovery.k8s.io/v1")
        rl = self.s.ok("/apis/discovery.k8s.io/v1")
        self.assertEqual(rl["groupVersion"], "discovery.k8s.io/v1")
        self.assertEqual([r["kind"] for r in rl["resources"]],
                         ["EndpointSlice"])

    def test_aggregated_discovery_falls_back(self):
        agg = ("application/json;g=apidiscovery.k8s.io;v=v2;"
               "as=APIGroupDiscoveryList")
        code, hdrs, body = self.s.request(
            "GET", "/apis", headers={"Accept": agg + ",application/json"})
        self.assertEqual(code, 200)
        self.assertEqual(hdrs["Content-Type"], "application/json")
        self.assertEqual(json.loads(body)["kind"], "APIGroupList")
        code, _, body = self.s.request("GET", "/apis",
                                       headers={"Accept": agg})
        self.assertEqual(code, 406)
        self.assertEqual(json.loads(body)["reason"], "NotAcceptable")

    def test_unknown_paths(self):
        code, obj = self.s.get("/api/v1/pods")
        self.assertEqual((code, obj["reason"]), (404, "NotFound"))
        code, text = self.s.get("/nothing/here")
        self.assertEqual((code, text), (404, "404 page not found\n"))
        self.assertEqual(self.s.get("/healthz"), (200, "ok"))


class TestObjects(Base):
    def test_metadata_stamped(self):
        a, = self.s.apply(svc("a"))
        m = a["metadata"]
        self.assertTrue(m["uid"] and m["creationTimestamp"].endswith("Z"))
        self.assertTrue(m["resourceVersion"].isdigit())
        got = self.s.ok("/api/v1/namespaces/default/services/a")
        self.assertEqual((got["kind"], got["apiVersion"]), ("Service", "v1"))
        self.assertEqual(got["metadata"], m)
        # replacing keeps uid and creationTimestamp, bumps resourceVersion
        b, = self.s.apply(svc("a", port=81))
        self.assertEqual(b["metadata"]["uid"], m["uid"])
        self.assertEqual(b["metadata"]["creationTimestamp"],
                         m["creationTimestamp"])
        self.assertGreater(int(b["metadata"]["resourceVersion"]),
                           int(m["resourceVersion"]))

    def test_get_missing(self):
        code, st = self.s.get("/api/v1/namespaces/default/services/nope")
        self.assertEqual(code, 404)
        self.assertEqual((st["kind"], st["reason"], st["code"]),
                         ("Status", "NotFound", 404))
        self.assertEqual(st["details"], {"name": "nope", "kind": "services"})
        code, st = self.s.get("/api/v1/nodes/nope")
        self.assertEqual(code, 404)

    def test_service_defaults(self):
        a, lb = self.s.apply(
            svc("a"), svc("lb", type="LoadBalancer",
                          externalTrafficPolicy="Local"))
        sp = a["spec"]
        self.assertEqual(sp["type"], "ClusterIP")
        self.assertRegex(sp["clusterIP"], r"^10\.9[6-9]\.")
        self.assertEqual(sp["clusterIPs"], [sp["clusterIP"]])
        self.assertEqual(sp["ports"][0]["protocol"], "TCP")
        self.assertEqual(sp["ports"][0]["targetPort"], 80)
        self.assertEqual(sp["sessionAffinity"], "None")
        self.assertTrue(30000 <= lb["spec"]["ports"][0]["nodePort"] <= 32767)
        self.assertTrue(lb["spec"]["healthCheckNodePort"])
        self.assertNotEqual(lb["spec"]["clusterIP"], sp["clusterIP"])
        raw, = self.s.apply(svc("raw"), raw=1)
        self.assertNotIn("clusterIP", raw["spec"])
        sl, = self.s.apply({"kind": "EndpointSlice", "metadata": {
            "name": "s", "namespace": "default"}, "addressType": "IPv4",
            "ports": [{"port": 80}]})
        self.assertEqual(sl["ports"], [{"port": 80, "name": "",
                                        "protocol": "TCP"}])
        self.assertIsNone(sl["endpoints"])

    def test_invalid(self):
        code, _, body = self.s.request("POST", "/_control/objects", {
            "kind": "EndpointSlice", "metadata": {"name": "x"}})
        self.assertEqual(code, 422)
        code, _, _ = self.s.request("POST", "/_control/objects",
                                    {"kind": "Pod", "metadata": {"name": "x"}})
        self.assertEqual(code, 400)

    def test_delete_and_bump(self):
        self.s.apply(svc("a"))
        rv = int(self.s.control("GET", "state")["resourceVersion"])
        gone = self.s.control("DELETE", "objects/Service/default/a")
        self.assertEqual(gone["metadata"]["name"], "a")
        self.assertEqual(self.s.get("/api/v1/namespaces/default/services/a")
                         [0], 404)
        b = self.s.control("POST", "bump?n=5")
        self.assertEqual(int(b["resourceVersion"]), rv + 6)
        lst = self.s.ok("/api/v1/services")
        self.assertEqual(lst["metadata"]["resourceVersion"], str(rv + 6))

    def test_api_writes_refused(self):
        code, _, body = self.s.request("POST", "/api/v1/namespaces/default/"
                                       "services", svc("x"))
        self.assertEqual(code, 405)


class TestList(Base):
    def test_list_shape(self):
        self.s.apply(svc("a"), svc("b", "other"), eps("a-1", "a"),
                     node("n1"))
        for path, kind, n in (
                ("/api/v1/services", "ServiceList", 2),
                ("/api/v1/namespaces/other/services", "ServiceList", 1),
                ("/apis/discovery.k8s.io/v1/endpointslices",
                 "EndpointSliceList", 1),
                ("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
                 "EndpointSliceList", 1),
                ("/api/v1/nodes", "NodeList", 1)):
            lst = self.s.ok(path)
            self.assertEqual(lst["kind"], kind, path)
            self.assertTrue(lst["metadata"]["resourceVersion"].isdigit())
            self.assertEqual(len(lst["items"]), n, path)
            for it in lst["items"]:
                # like the real server: no kind/apiVersion on list items
                self.assertNotIn("kind", it)
                for f in ("uid", "resourceVersion", "creationTimestamp"):
                    self.assertIn(f, it["metadata"])
        self.assertEqual(self.s.ok("/api/v1/nodes/n1")["kind"], "Node")
        self.assertEqual(self.s.ok("/apis/discovery.k8s.io/v1/namespaces/"
                                   "default/endpointslices/a-1")["kind"],
                         "EndpointSlice")

    def _names(self, path):
        return [i["metadata"]["name"] for i in self.s.ok(path)["items"]]

    def test_pagination_snapshot(self):
        self.s.apply(*[svc(f"s{i}") for i in range(7)])
        p1 = self.s.ok("/api/v1/services?limit=3")
        rv = p1["metadata"]["resourceVersion"]
        self.assertEqual(len(p1["items"]), 3)
        self.assertEqual(p1["metadata"]["remainingItemCount"], 4)
        # change the world between pages: the pages must not see it
        self.s.control("DELETE", "objects/Service/default/s4")
        self.s.apply(svc("s5", port=9999), svc("s35"))
        c = urllib.parse.quote(p1["metadata"]["continue"])
        p2 = self.s.ok(f"/api/v1/services?limit=3&continue={c}")
        self.assertEqual(p2["metadata"]["resourceVersion"], rv)
        c = urllib.parse.quote(p2["metadata"]["continue"])
        p3 = self.s.ok(f"/api/v1/services?limit=3&continue={c}")
        self.assertNotIn("continue", p3["metadata"])
        names = [i["metadata"]["name"] for p in (p1, p2, p3)
                 for i in p["items"]]
        self.assertEqual(names, [f"s{i}" for i in range(7)])
        s5 = [i for i in p2["items"] + p3["items"]
              if i["metadata"]["name"] == "s5"][0]
        self.assertEqual(s5["spec"]["ports"][0]["port"], 80)
        log = self.s.requests("/api/v1/services")
        self.assertEqual([bool(e["query"].get("continue")) for e in log],
                         [False, True, True])

    def test_continue_expired(self):
        self.s.apply(*[svc(f"s{i}") for i in range(4)])
        p1 = self.s.ok("/api/v1/services?limit=2")
        self.s.apply(svc("s9"))
        self.s.control("POST", "compact")
        c = urllib.parse.quote(p1["metadata"]["continue"])
        code, st = self.s.get(f"/api/v1/services?limit=2&continue={c}")
        self.assertEqual((code, st["reason"], st["code"]),
                         (410, "Expired", 410))
        code, st = self.s.get(f"/api/v1/services?continue={c}"
                              "&resourceVersion=5")
        self.assertEqual(code, 400)
        code, st = self.s.get("/api/v1/services?continue=garbage!")
        self.assertEqual(code, 400)

    def test_resource_version_semantics(self):
        self.s.apply(*[svc(f"s{i}") for i in range(4)])
        # rv=0 is served from the watch cache: limit ignored, no continue
        lst = self.s.ok("/api/v1/services?limit=2&resourceVersion=0")
        self.assertEqual(len(lst["items"]), 4)
        self.assertNotIn("continue", lst["metadata"])
        rv = int(lst["metadata"]["resourceVersion"])
        self.s.control("DELETE", "objects/Service/default/s0")
        exact = self.s.ok(f"/api/v1/services?resourceVersion={rv}"
                          "&resourceVersionMatch=Exact")
        self.assertEqual(len(exact["items"]), 4)
        t0 = time.time()
        code, st = self.s.get(f"/api/v1/services?resourceVersion={rv + 100}")
        self.assertEqual((code, st["reason"]), (504, "Timeout"))
        self.assertGreater(time.time() - t0, 2.5)

    def test_label_selectors(self):
        self.s.apply(svc("a", labels={"app": "x", "tier": "fe"}),
                     svc("b", labels={"app": "y"}),
                     svc("c", labels={"service.kubernetes.io/"
                                      "service-proxy-name": "other"}),
                     svc("d"))
        cases = {
            "app": ["a", "b"],
            "!app": ["c", "d"],
            "app=x": ["a"], "app==x": ["a"],
            "app!=x": ["b", "c", "d"],
            "app,tier=fe": ["a"],
            "app,!tier": ["b"],
            "app in (x,y)": ["a", "b"],
            "app notin (x)": ["b", "c", "d"],
            "!service.kubernetes.io/service-proxy-name": ["a", "b", "d"],
        }
        for sel, want in cases.items():
            q = urllib.parse.quote(sel)
            self.assertEqual(self._names(f"/api/v1/services?labelSelector={q}"),
                             want, sel)
        code, st = self.s.get("/api/v1/services?labelSelector=a%3D%3Db%3Dc")
        self.assertEqual((code, st["reason"]), (400, "BadRequest"))

    def test_field_selectors(self):
        self.s.apply(svc("a"), svc("b", "kube-system"),
                     svc("h", clusterIP="None"),
                     svc("x", type="ExternalName", externalName="e.org"),
                     node("n1"), node("n2"))
        cases = {
            "metadata.name=a": ["a"],
            "metadata.namespace=kube-system": ["b"],
            "spec.clusterIP!=None": ["a", "x", "b"],
            "spec.clusterIP=None": ["h"],
            "spec.clusterIP!=None,metadata.namespace=default": ["a", "x"],
            "metadata.name!=a,spec.clusterIP!=None": ["x", "b"],
        }
        for sel, want in cases.items():
            q = urllib.parse.quote(sel)
            self.assertEqual(
                sorted(self._names(f"/api/v1/services?fieldSelector={q}")),
                sorted(want), sel)
        self.assertEqual(self._names("/api/v1/nodes?fieldSelector="
                                     "metadata.name%3Dn2"), ["n2"])
        code, st = self.s.get("/api/v1/services?fieldSelector=spec.foo%3D1")
        self.assertEqual(code, 400)
        self.assertIn("field label not supported", st["message"])

    def test_selectors_with_pages(self):
        self.s.apply(*[svc(f"s{i}", labels={"odd": str(i % 2)})
                       for i in range(10)])
        names, c = [], ""
        for _ in range(10):
            lst = self.s.ok("/api/v1/services?limit=2&labelSelector=odd%3D1"
                            + (f"&continue={urllib.parse.quote(c)}"
                               if c else ""))
            names += [i["metadata"]["name"] for i in lst["items"]]
            self.assertNotIn("remainingItemCount", lst["metadata"])
            c = lst["metadata"].get("continue")
            if not c:
                break
        self.assertEqual(names, ["s1", "s3", "s5", "s7", "s9"])

    def test_gzip(self):
        self.s.apply(*[svc(f"s{i:03}") for i in range(300)])
        code, hdrs, body = self.s.request(
            "GET", "/api/v1/services", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(hdrs.get("Content-Encoding"), "gzip")
        self.assertEqual(len(json.loads(gzip.decompress(body))["items"]), 300)
        code, hdrs, body = self.s.request("GET", "/api/v1/services")
        self.assertIsNone(hdrs.get("Content-Encoding"))

    def test_keep_alive(self):
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=5)
        for _ in range(3):
            c.request("GET", "/api/v1/services")
            r = c.getresponse()
            self.assertEqual(r.status, 200)
            self.assertEqual(r.version, 11)
            r.read()
        c.close()
        peers = {e["peer"] for e in self.s.requests("/api/v1/services")}
        self.assertEqual(len(peers), 1)


class TestTable(Base):
    ACCEPT = ("application/json;as=Table;v=v1;g=meta.k8s.io,"
              "application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
              "application/json")

    def test_service_table(self):
        self.s.apply(svc("a", selector={"app": "a"}),
                     svc("np", type="NodePort", ports=[
                         {"port": 53, "protocol": "UDP", "nodePort": 30053}]),
                     svc("lb", type="LoadBalancer", externalIPs=["1.2.3.4"]),
                     svc("x", type="ExternalName", externalName="e.org",
                         ports=[]))
        t = self.s.ok("/api/v1/services", headers={"Accept": self.ACCEPT})
        self.assertEqual((t["kind"], t["apiVersion"]),
                         ("Table", "meta.k8s.io/v1"))
        self.assertEqual([c["name"] for c in t["columnDefinitions"]],
                         ["Name", "Type", "Cluster-IP", "External-IP",
                          "Port(s)", "Age", "Selector"])
        rows = {r["cells"][0]: r for r in t["rows"]}
        self.assertEqual(rows["a"]["cells"][1], "ClusterIP")
        self.assertEqual(rows["a"]["cells"][3:5], ["<none>", "80/TCP"])
        self.assertEqual(rows["a"]["cells"][6], "app=a")
        self.assertEqual(rows["np"]["cells"][4], "53:30053/UDP")
        self.assertEqual(rows["lb"]["cells"][3], "1.2.3.4")
        self.assertEqual(rows["x"]["cells"][2:5], ["<none>", "e.org",
                                                   "<none>"])
        self.assertEqual(rows["a"]["object"]["kind"], "PartialObjectMetadata")
        self.assertEqual(rows["a"]["object"]["metadata"]["namespace"],
                         "default")

    def test_slice_and_node_tables(self):
        self.s.apply(eps("a-1", "a", ips=("10.0.0.1", "10.0.0.2", "10.0.0.3",
                                          "10.0.0.4")), node("n1"))
        t = self.s.ok("/apis/discovery.k8s.io/v1/endpointslices",
                      headers={"Accept": self.ACCEPT})
        self.assertEqual([c["name"] for c in t["columnDefinitions"]],
                         ["Name", "AddressType", "Ports", "Endpoints", "Age"])
        self.assertEqual(t["rows"][0]["cells"][:4], [
            "a-1", "IPv4", "8080",
            "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more..."])
        t = self.s.ok("/api/v1/nodes/n1", headers={"Accept": self.ACCEPT})
        self.assertEqual(t["rows"][0]["cells"][:3], ["n1", "Ready", "<none>"])

    def test_partial_metadata_list(self):
        self.s.apply(svc("a"))
        t = self.s.ok("/api/v1/services", headers={
            "Accept": "application/json;as=PartialObjectMetadataList;"
                      "v=v1;g=meta.k8s.io"})
        self.assertEqual(t["kind"], "PartialObjectMetadataList")
        self.assertEqual(t["items"][0]["metadata"]["name"], "a")

    def test_protobuf_only_is_406(self):
        code, _, _ = self.s.request("GET", "/api/v1/services", headers={
            "Accept": "application/vnd.kubernetes.protobuf"})
        self.assertEqual(code, 406)

    def test_table_watch(self):
        self.s.apply(svc("a"), svc("b"))
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           resourceVersion="0",
                                           timeoutSeconds="1"),
                        headers={"Accept": self.ACCEPT})
        r.read_chunks()
        evs = r.events()
        self.assertEqual([e["object"]["kind"] for e in evs], ["Table"] * 2)
        self.assertIsNotNone(evs[0]["object"]["columnDefinitions"])
        self.assertIsNone(evs[1]["object"]["columnDefinitions"])
        self.assertEqual(evs[1]["object"]["rows"][0]["cells"][0], "b")


class TestWatch(Base):
    def test_events_and_clean_end(self):
        a, = self.s.apply(svc("a"))
        rv = a["metadata"]["resourceVersion"]
        w = Streamer(self.s, watch_path("/api/v1/services",
                                        resourceVersion=rv,
                                        timeoutSeconds="2"))
        self.assertEqual(w.r.status, 200)
        self.assertEqual(w.r.headers["transfer-encoding"], "chunked")
        self.assertEqual(w.r.headers["content-type"], "application/json")
        self.s.wait_watches(1)
        self.s.apply(svc("b"))
        self.s.apply(svc("a", port=81))
        self.s.control("DELETE", "objects/Service/default/b")
        evs = w.wait_events(3)
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"])
                          for e in evs],
                         [("ADDED", "b"), ("MODIFIED", "a"),
                          ("DELETED", "b")])
        rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
        self.assertEqual(rvs, sorted(rvs))
        self.assertGreater(rvs[0], int(rv))
        for e in evs:
            self.assertEqual((e["object"]["kind"],
                              e["object"]["apiVersion"]), ("Service", "v1"))
        t0 = time.time()
        r = w.finish(4)
        self.assertTrue(r.terminated)
        self.assertLess(time.time() - t0, 2.5)

    def test_replay_from_history(self):
        a, = self.s.apply(svc("a"))
        self.s.apply(svc("b"))
        self.s.apply(svc("a", port=8))
        r = RawResponse(self.s, watch_path(
            "/api/v1/services", resourceVersion=a["metadata"]
            ["resourceVersion"], timeoutSeconds="0.3"))
        r.read_chunks()
        self.assertTrue(r.terminated)
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"])
                          for e in r.events()],
                         [("ADDED", "b"), ("MODIFIED", "a")])

    def test_initial_state_without_rv(self):
        self.s.apply(svc("a"), svc("b", "other"))
        for rv in ("", "0"):
            q = {"timeoutSeconds": "0.3"}
            if rv:
                q["resourceVersion"] = rv
            r = RawResponse(self.s, watch_path("/api/v1/services", **q))
            r.read_chunks()
            self.assertEqual([(e["type"], e["object"]["metadata"]["name"])
                              for e in r.events()],
                             [("ADDED", "a"), ("ADDED", "b")])

    def test_too_old_is_410_event(self):
        a, = self.s.apply(svc("a"))
        self.s.apply(svc("b"))
        self.s.control("POST", "compact")
        r = RawResponse(self.s, watch_path(
            "/api/v1/services", resourceVersion=a["metadata"]
            ["resourceVersion"], timeoutSeconds="5"))
        t0 = time.time()
        r.read_chunks()
        self.assertEqual(r.status, 200)
        self.assertTrue(r.terminated)
        self.assertLess(time.time() - t0, 1)
        ev, = r.events()
        self.assertEqual(ev["type"], "ERROR")
        st = ev["object"]
        self.assertEqual((st["kind"], st["code"], st["reason"]),
                         ("Status", 410, "Expired"))
        self.assertIn("too old resource version", st["message"])

    def test_history_is_bounded(self):
        self.s.config(history_size=5)
        try:
            first, = self.s.apply(svc("a"))
            for i in range(6):
                self.s.apply(svc("a", port=100 + i))
            r = RawResponse(self.s, watch_path(
                "/api/v1/services", resourceVersion=first["metadata"]
                ["resourceVersion"], timeoutSeconds="2"))
            r.read_chunks()
            self.assertEqual(r.events()[0]["object"]["code"], 410)
        finally:
            self.s.config(history_size=1000)

    def test_bookmarks(self):
        self.s.config(bookmark_interval=0.2)
        self.s.apply(svc("a"))
        rv = self.s.control("GET", "state")["resourceVersion"]
        w = Streamer(self.s, watch_path(
            "/api/v1/services", resourceVersion=rv, timeoutSeconds="1.5",
            allowWatchBookmarks="true"))
        self.s.wait_watches(1)
        bumped = self.s.control("POST", "bump?n=3")["resourceVersion"]
        r = w.finish()
        bms = [e for e in r.events() if e["type"] == "BOOKMARK"]
        self.assertGreaterEqual(len(bms), 3)
        self.assertEqual(bms[0]["object"], {
            "kind": "Service", "apiVersion": "v1",
            "metadata": {"resourceVersion": bms[0]["object"]["metadata"]
                         ["resourceVersion"]}})
        self.assertEqual(bms[-1]["object"]["metadata"]["resourceVersion"],
                         bumped)
        # no bookmarks unless asked for
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           resourceVersion=rv,
                                           timeoutSeconds="0.6"))
        r.read_chunks()
        self.assertEqual(r.events(), [])

    def test_bookmarks_never_run_ahead(self):
        self.s.config(bookmark_interval=0.01)
        rv = self.s.control("GET", "state")["resourceVersion"]
        w = Streamer(self.s, watch_path(
            "/api/v1/services", resourceVersion=rv, timeoutSeconds="1.2",
            allowWatchBookmarks="true"))
        self.s.wait_watches(1)
        for i in range(40):
            self.s.apply(svc(f"s{i % 5}", port=1000 + i))
            if i % 7 == 0:
                self.s.control("POST", "bump")
        r = w.finish()
        evs = r.events()
        self.assertEqual(len([e for e in evs if e["type"] != "BOOKMARK"]), 40)
        self.assertTrue(any(e["type"] == "BOOKMARK" for e in evs))
        rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in evs]
        self.assertEqual(rvs, sorted(rvs))

    def test_default_timeout_is_configurable(self):
        self.s.config(watch_timeout=[0.4, 0.6])
        rv = self.s.control("GET", "state")["resourceVersion"]
        t0 = time.time()
        r = RawResponse(self.s, watch_path("/api/v1/nodes",
                                           resourceVersion=rv))
        r.read_chunks()
        self.assertTrue(r.terminated)
        self.assertTrue(0.3 < time.time() - t0 < 1.5)

    def test_selector_transitions(self):
        self.s.apply(svc("a", labels={"x": "1"}), svc("b", "other",
                                                      labels={"x": "1"}))
        rv = self.s.control("GET", "state")["resourceVersion"]
        w = Streamer(self.s, watch_path(
            "/api/v1/namespaces/default/services", resourceVersion=rv,
            labelSelector="x", fieldSelector="spec.clusterIP!=None",
            timeoutSeconds="3"))
        self.s.wait_watches(1)
        self.s.apply(svc("b", "other", labels={"x": "1"}, port=2))  # other ns
        self.s.apply(svc("a", labels={}))                 # stops matching
        self.s.apply(svc("a", labels={"x": "2"}))         # matches again
        self.s.apply(svc("h", labels={"x": "1"}, clusterIP="None"))
        self.s.apply(svc("c", labels={"x": "1"}))
        evs = w.wait_events(3)
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"])
                          for e in evs],
                         [("DELETED", "a"), ("ADDED", "a"), ("ADDED", "c")])
        w.r.close()

    def test_node_watch_by_name(self):
        self.s.apply(node("n1"), node("n2"))
        rv = self.s.control("GET", "state")["resourceVersion"]
        w = Streamer(self.s, watch_path("/api/v1/nodes", resourceVersion=rv,
                                        fieldSelector="metadata.name=n2",
                                        timeoutSeconds="3"))
        self.s.wait_watches(1)
        self.s.apply(node("n1", ready=False), node("n2", ready=False))
        ev, = w.wait_events(1)
        self.assertEqual(ev["object"]["metadata"]["name"], "n2")
        # the legacy /watch/ path works too
        r = RawResponse(self.s, "/api/v1/watch/nodes/n1?timeoutSeconds=0.3")
        r.read_chunks()
        self.assertEqual([e["object"]["metadata"]["name"] for e in
                          r.events()], ["n1"])
        w.r.close()

    def test_send_initial_events(self):
        self.s.apply(svc("a"), svc("b"))
        r = RawResponse(self.s, watch_path(
            "/api/v1/services", sendInitialEvents="true",
            allowWatchBookmarks="true", resourceVersionMatch="NotOlderThan",
            timeoutSeconds="0.3"))
        r.read_chunks()
        evs = r.events()
        self.assertEqual([e["type"] for e in evs][:3],
                         ["ADDED", "ADDED", "BOOKMARK"])
        self.assertEqual(evs[2]["object"]["metadata"]["annotations"],
                         {"k8s.io/initial-events-end": "true"})

    def test_random_chunking(self):
        self.s.apply(*[svc(f"s{i}") for i in range(30)])
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           resourceVersion="0",
                                           timeoutSeconds="0.5"))
        r.read_chunks()
        self.assertEqual(len(r.events()), 30)
        chunks = r.chunks
        # chunk boundaries are not event boundaries
        self.assertTrue(any(not c.endswith(b"\n") for c in chunks))
        self.assertTrue(any(c.count(b"\n") >= 2 for c in chunks),
                        "no chunk holds several events")
        ends, pos = set(), 0
        for c in chunks:
            pos += len(c)
            ends.add(pos)
        spanning = 0
        start = 0
        for ln in r.lines():
            end = start + len(ln) + 1
            if any(start < e < end for e in ends):
                spanning += 1
            start = end
        self.assertGreater(spanning, 0, "no event spans several chunks")
        self.assertTrue(any(len(c) <= 16 for c in chunks))

    def test_chunking_is_seedable(self):
        self.s.apply(*[svc(f"s{i}") for i in range(10)])

        def sizes():
            r = RawResponse(self.s, watch_path("/api/v1/services",
                                               resourceVersion="0",
                                               timeoutSeconds="0.2"))
            r.read_chunks()
            return [len(c) for c in r.chunks]

        self.s.config(seed=1234)
        a = sizes()
        self.s.config(seed=1234)
        b = sizes()
        self.s.config(seed=99)
        c = sizes()
        self.assertEqual(a, b)
        self.assertNotEqual(a, c)
        self.s.config(chunking="event")
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           resourceVersion="0",
                                           timeoutSeconds="0.2"))
        r.read_chunks()
        self.assertEqual(len(r.chunks), 1)     # one batch, one write

    def test_client_disconnect_is_noticed(self):
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           resourceVersion="0",
                                           timeoutSeconds="30"))
        self.s.wait_watches(1)
        r.close()
        deadline = time.time() + 3
        while time.time() < deadline and self.s.control("GET", "watches"):
            time.sleep(0.05)
        self.assertEqual(self.s.control("GET", "watches"), [])

    def test_close_watches_from_control(self):
        for mode in ("clean", "expired", "drop"):
            w = Streamer(self.s, watch_path("/api/v1/services",
                                            resourceVersion="0",
                                            timeoutSeconds="30"))
            self.s.wait_watches(1)
            self.s.control("POST", f"watches/close?mode={mode}")
            r = w.finish()
            self.assertEqual(r.terminated, mode != "drop", mode)
            if mode == "expired":
                self.assertEqual(r.events()[-1]["object"]["code"], 410)


class TestFaults(Base):
    def test_watch_410_expired_and_gone(self):
        self.s.apply(svc("a"), svc("b"), svc("c"))
        for reason in ("Expired", "Gone"):
            self.s.fault(type="watch-410", reason=reason, after=2)
            r = RawResponse(self.s, watch_path("/api/v1/services",
                                               timeoutSeconds="5"))
            r.read_chunks()
            self.assertTrue(r.terminated)
            evs = r.events()
            self.assertEqual([e["type"] for e in evs],
                             ["ADDED", "ADDED", "ERROR"])
            self.assertEqual((evs[2]["object"]["code"],
                              evs[2]["object"]["reason"]), (410, reason))

    def test_list_410(self):
        self.s.fault(type="status", code=410, verb="list")
        code, st = self.s.get("/api/v1/services")
        self.assertEqual((code, st["reason"], st["kind"]),
                         (410, "Expired", "Status"))
        self.assertEqual(self.s.get("/api/v1/services")[0], 200)

    def test_429_plain_text(self):
        self.s.fault(type="status", code=429, retry_after=3)
        code, hdrs, body = self.s.request("GET", "/api/v1/services")
        self.assertEqual(code, 429)
        self.assertEqual(hdrs["Retry-After"], "3")
        self.assertTrue(hdrs["Content-Type"].startswith("text/plain"))
        self.assertEqual(body, b"Too many requests, please try again later.\n")

    def test_json_statuses(self):
        for code, reason in ((401, "Unauthorized"), (403, "Forbidden"),
                             (500, "InternalError"), (503,
                                                      "ServiceUnavailable")):
            self.s.fault(type="status", code=code)
            got, st = self.s.get("/api/v1/nodes")
            self.assertEqual((got, st["code"], st["reason"], st["status"]),
                             (code, code, reason, "Failure"))

    def test_count_and_matching(self):
        self.s.fault(type="status", code=500, count=2,
                     resource="endpointslices", verb="list")
        self.assertEqual(self.s.get("/api/v1/services")[0], 200)
        self.assertEqual(self.s.get("/apis/discovery.k8s.io/v1/"
                                    "endpointslices")[0], 500)
        self.assertEqual(self.s.get("/apis/discovery.k8s.io/v1/"
                                    "endpointslices")[0], 500)
        self.assertEqual(self.s.get("/apis/discovery.k8s.io/v1/"
                                    "endpointslices")[0], 200)
        self.s.fault(type="status", code=503, path="/namespaces/kube-system/")
        self.assertEqual(self.s.get("/api/v1/services")[0], 200)
        self.assertEqual(self.s.get("/api/v1/namespaces/kube-system/"
                                    "services")[0], 503)
        self.assertEqual(self.s.control("GET", "faults")[0]["remaining"], 0)
        log = [e for e in self.s.requests() if e.get("fault")]
        self.assertEqual(len(log), 3)

    def test_drop_mid_line(self):
        self.s.apply(*[svc(f"s{i}") for i in range(5)])
        self.s.fault(type="drop", verb="watch", after=3, partial=25)
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           timeoutSeconds="5"))
        r.read_chunks()
        self.assertTrue(r.eof)
        self.assertFalse(r.terminated)
        data = r.data
        lines = data.split(b"\n")
        self.assertEqual(len(lines), 4)
        self.assertEqual(lines[3], lines[3][:25])
        self.assertEqual(len(lines[3]), 25)
        self.assertTrue(lines[3].startswith(b'{"type":"ADDED"'))
        for ln in lines[:3]:
            json.loads(ln)

    def test_drop_mid_chunk_and_rst(self):
        self.s.apply(*[svc(f"s{i}") for i in range(3)])
        self.s.fault(type="drop", after=1, partial=10, midchunk=1)
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           timeoutSeconds="5"))
        r.read_chunks()
        self.assertTrue(r.eof and not r.terminated)
        self.assertEqual(len(r.partial), 10)     # a chunk cut short
        self.assertEqual(len(r.lines()), 1)
        self.s.fault(type="drop", verb="list", rst=1)
        with self.assertRaises((ConnectionResetError, http.client.HTTPException,
                                urllib.error.URLError)):
            c = http.client.HTTPConnection("127.0.0.1", self.s.port,
                                           timeout=5)
            c.request("GET", "/api/v1/services")
            c.getresponse()

    def test_drop_live_watch(self):
        self.s.fault(type="drop", after=2)
        rv = self.s.control("GET", "state")["resourceVersion"]
        w = Streamer(self.s, watch_path("/api/v1/services",
                                        resourceVersion=rv,
                                        timeoutSeconds="5"))
        self.s.wait_watches(1)
        self.s.apply(svc("a"))
        self.s.apply(svc("b"))
        r = w.finish()
        self.assertTrue(r.eof and not r.terminated)
        self.assertEqual(len(r.events()), 2)

    def test_hang_and_release(self):
        self.s.fault(type="hang", verb="list")
        sock = socket.create_connection(("127.0.0.1", self.s.port),
                                        timeout=0.5)
        sock.sendall(b"GET /api/v1/services HTTP/1.1\r\nHost: x\r\n\r\n")
        with self.assertRaises(socket.timeout):
            sock.recv(100)
        self.assertEqual(self.s.get("/api/v1/services")[0], 200)
        self.s.control("POST", "release")
        sock.settimeout(3)
        self.assertEqual(sock.recv(100), b"")     # closed, never answered
        sock.close()

    def test_delay(self):
        self.s.fault(type="delay", seconds=0.5)
        t0 = time.time()
        self.assertEqual(self.s.get("/api/v1/services")[0], 200)
        self.assertGreater(time.time() - t0, 0.45)

    def test_bad_line(self):
        self.s.apply(svc("a"), svc("b"))
        self.s.fault(type="bad-line", after=1, line="<html>oops")
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           timeoutSeconds="0.3"))
        r.read_chunks()
        lines = r.lines()
        self.assertEqual(lines[1], b"<html>oops")
        json.loads(lines[0])
        json.loads(lines[2])
        self.assertTrue(r.terminated)

    def test_close_after(self):
        self.s.apply(svc("a"), svc("b"), svc("c"))
        self.s.fault(type="close", after=1)
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           timeoutSeconds="5"))
        r.read_chunks()
        self.assertTrue(r.terminated)
        self.assertEqual(len(r.events()), 1)

    def test_big_objects(self):
        self.s.apply(svc("a"), svc("b"))
        self.s.fault(type="big", verb="list", size=5 << 20)
        lst = self.s.ok("/api/v1/services")
        pad = lst["items"][0]["metadata"]["annotations"][
            "fakeapi.test/padding"]
        self.assertEqual(len(pad), 5 << 20)
        self.s.fault(type="big", verb="watch", size=3 << 20, after=1)
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           timeoutSeconds="1"))
        r.read_chunks()
        evs = r.events()
        self.assertNotIn("annotations", evs[0]["object"]["metadata"])
        self.assertGreater(len(r.lines()[1]), 3 << 20)
        big, = self.s.apply(svc("c"), pad=2 << 20)
        self.assertEqual(len(self.s.ok("/api/v1/namespaces/default/"
                                       "services/c")["metadata"]
                             ["annotations"]["fakeapi.test/padding"]),
                         2 << 20)

    def test_faults_skip_control(self):
        self.s.fault(type="status", code=500, count=-1)
        self.assertEqual(self.s.control("GET", "state")["faults"][0]["type"],
                         "status")
        self.assertEqual(self.s.get("/api/v1/nodes")[0], 500)
        self.assertEqual(self.s.get("/api/v1/nodes")[0], 500)
        self.s.control("DELETE", "faults")
        self.assertEqual(self.s.get("/api/v1/nodes")[0], 200)


class TestRequestLog(Base):
    def test_log_and_counters(self):
        t0 = time.time()
        self.s.get("/api/v1/services?limit=500&labelSelector=a")
        self.s.get("/api/v1/nodes")
        log = self.s.requests()
        self.assertEqual([e["path"] for e in log],
                         ["/api/v1/services", "/api/v1/nodes"])
        e = log[0]
        self.assertEqual(e["query"], {"limit": "500", "labelSelector": "a"})
        self.assertEqual((e["verb"], e["resource"], e["status"]),
                         ("list", "services", 200))
        self.assertTrue(t0 <= e["time"] <= e["end"] <= time.time())
        self.assertEqual(len(self.s.requests("nodes")), 1)
        self.assertEqual(len(self.s.requests(since=e["seq"])), 1)
        self.assertEqual(self.s.control("GET", "counters"),
                         {"list services": 1, "list nodes": 1})
        self.s.control("DELETE", "requests")
        self.assertEqual(self.s.requests(), [])

    def test_retry_after_is_measurable(self):
        self.s.fault(type="status", code=429, retry_after=1)
        self.s.get("/api/v1/services")
        time.sleep(1.0)
        self.s.get("/api/v1/services")
        a, b = self.s.requests("/api/v1/services")
        self.assertEqual((a["status"], a["fault"], b["status"]),
                         (429, "status", 200))
        self.assertGreaterEqual(b["time"] - a["time"], 1.0)


class TestSecure(Base):
    server = property(lambda self: SECURE)

    def test_tls_and_token(self):
        code, st = self.s.get("/api/v1/services")
        self.assertEqual((code, st["kind"], st["reason"]),
                         (401, "Status", "Unauthorized"))
        self.assertEqual(self.s.get("/api/v1/services", token="wrong")[0],
                         401)
        self.assertEqual(self.s.get("/api/v1/services", token=TOKEN)[0], 200)
        self.assertEqual(self.s.get("/version", token=TOKEN)[0], 200)
        # like anonymous auth with the public-info-viewer role
        self.assertEqual(self.s.get("/version")[0], 200)
        self.assertEqual(self.s.get("/healthz", token="wrong")[0], 401)
        self.assertEqual(self.s.get("/api")[0], 401)
        # the control interface needs no token
        self.assertIn("resourceVersion", self.s.control("GET", "state"))
        log = self.s.requests("/api/v1/services")
        self.assertEqual([e["token"] for e in log], [None, "wrong", TOKEN])

    def test_token_rotation(self):
        self.s.config(token="rotated")
        try:
            self.assertEqual(self.s.get("/api/v1/nodes", token=TOKEN)[0], 401)
            self.assertEqual(self.s.get("/api/v1/nodes", token="rotated")[0],
                             200)
        finally:
            self.s.config(token=TOKEN)

    def test_tls_watch_and_localhost_name(self):
        self.s.apply(svc("a"))
        r = RawResponse(self.s, watch_path("/api/v1/services",
                                           timeoutSeconds="0.3"),
                        token=TOKEN)
        r.read_chunks()
        self.assertEqual(len(r.events()), 1)
        ctx = ssl.create_default_context(cafile=f"{CERTDIR}/ca.crt")
        with socket.create_connection(("127.0.0.1", self.s.port)) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as t:
                self.assertEqual(t.selected_alpn_protocol(), None)
                t.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
                          b"Connection: close\r\n\r\n")
                self.assertIn(b"200 OK", t.recv(100))

    def test_bad_client_does_not_block_server(self):
        with socket.create_connection(("127.0.0.1", self.s.port)):
            # a client that never does the TLS handshake
            self.assertEqual(self.s.get("/healthz")[0], 200)


class TestStateFile(unittest.TestCase):
    def test_load_and_save(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "state.json")
            with open(path, "w") as f:
                json.dump({"kind": "List", "metadata": {
                    "resourceVersion": "500"}, "items": [
                        dict(svc("a"), metadata={
                            "name": "a", "namespace": "default",
                            "resourceVersion": "42", "uid": "u-1"}),
                        node("n1")]}, f)
            s = Server("--state-file", path)
            try:
                lst = s.ok("/api/v1/services")
                self.assertEqual(lst["metadata"]["resourceVersion"], "500")
                m = lst["items"][0]["metadata"]
                self.assertEqual((m["resourceVersion"], m["uid"]),
                                 ("42", "u-1"))
                # history starts now: older resourceVersions are expired
                r = RawResponse(s, watch_path("/api/v1/services",
                                              resourceVersion="42",
                                              timeoutSeconds="1"))
                r.read_chunks()
                self.assertEqual(r.events()[0]["object"]["code"], 410)
                s.apply(svc("b"))
            finally:
                s.stop()         # SIGTERM saves
            with open(path) as f:
                saved = json.load(f)
            self.assertEqual(saved["metadata"]["resourceVersion"], "501")
            self.assertEqual(sorted(o["metadata"]["name"]
                                    for o in saved["items"]),
                             ["a", "b", "n1"])


class TestFakectl(Base):
    def ctl(self, *args, stdin=None):
        p = subprocess.run([sys.executable, FAKECTL, "--server", self.s.url,
                            *args], input=stdin, capture_output=True,
                           text=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_cli(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            json.dump({"kind": "List", "items": [svc("a"), node("n1")]}, f)
            f.flush()
            out = self.ctl("apply", f.name)
        self.assertIn("Service default/a resourceVersion=", out)
        self.assertIn("Node -/n1", out)
        self.ctl("apply", "-", stdin=json.dumps(svc("b")))
        self.assertEqual(len(self.s.ok("/api/v1/services")["items"]), 2)
        self.assertIn("deleted", self.ctl("delete", "svc", "default", "a"))
        self.ctl("delete", "node", "-", "n1")
        self.assertEqual(self.s.ok("/api/v1/nodes")["items"], [])
        self.ctl("fault", "status", "code=429", "retry_after=2", "verb=list")
        self.assertEqual(self.s.get("/api/v1/services")[0], 429)
        out = self.ctl("requests", "--path", "/api/v1/services")
        self.assertRegex(out, r"GET /api/v1/services -> 429 fault=status")
        self.assertIn('"resourceVersion"', self.ctl("bump", "2"))
        self.assertIn('"watches"', self.ctl("state"))
        self.assertIn('"bookmark_interval": 5',
                      self.ctl("config", "bookmark_interval=5"))
        self.ctl("reset")
        self.assertEqual(self.s.ok("/api/v1/services")["items"], [])


# --------------------------------------------------------------------------
# kubectl, the reference client

KUBECTL = os.environ.get("KUBECTL") or shutil.which("kubectl")


def loud_skip():
    msg = ("\n" + "!" * 72 + "\n!!! kubectl NOT FOUND: the kubectl tests are "
           "SKIPPED.\n!!! Install it with `make deps` (Debian package "
           "kubernetes-client)\n!!! or point KUBECTL at a kubectl binary.\n" +
           "!" * 72 + "\n")
    sys.stderr.write(msg)
    return msg


@unittest.skipUnless(KUBECTL, "kubectl not found (see the message above)"
                     if KUBECTL else loud_skip())
class TestKubectl(Base):
    server = property(lambda self: SECURE)

    def setUp(self):
        super().setUp()
        self.home = tempfile.mkdtemp(prefix="fakeapi-kubectl-")
        self.kubeconfig = os.path.join(self.home, "config")
        with open(self.kubeconfig, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: {self.s.url}
    certificate-authority: {CERTDIR}/ca.crt
users:
- name: tester
  user:
    token: {TOKEN}
contexts:
- name: fake
  context:
    cluster: fake
    user: tester
current-context: fake
""")
        self.env = dict(os.environ, HOME=self.home,
                        KUBECONFIG=self.kubeconfig)
        self.s.apply(svc("web", selector={"app": "web"}),
                     svc("dns", "kube-system", type="NodePort", ports=[
                         {"name": "dns", "port": 53, "protocol": "UDP",
                          "nodePort": 30053}]),
                     eps("web-abc", "web", ips=("10.1.0.1", "10.1.0.2")))

    def tearDown(self):
        shutil.rmtree(self.home, ignore_errors=True)

    def kubectl(self, *args):
        p = subprocess.run([KUBECTL, *args], env=self.env,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_get_services_and_endpointslices(self):
        out = self.kubectl("get", "services,endpointslices", "-A")
        rows = [ln.split() for ln in out.splitlines() if ln.strip()]
        self.assertEqual(rows[0], ["NAMESPACE", "NAME", "TYPE", "CLUSTER-IP",
                                   "EXTERNAL-IP", "PORT(S)", "AGE"])
        web = next(r for r in rows if r[1] == "service/web")
        self.assertEqual(web[0], "default")
        self.assertEqual(web[2], "ClusterIP")
        self.assertRegex(web[3], r"^10\.9[6-9]\.")
        self.assertEqual(web[4:6], ["<none>", "80/TCP"])
        dns = next(r for r in rows if r[1] == "service/dns")
        self.assertEqual(dns[0:3] + dns[5:6], ["kube-system", "service/dns",
                                               "NodePort", "53:30053/UDP"])
        hdr = rows.index(["NAMESPACE", "NAME", "ADDRESSTYPE", "PORTS",
                          "ENDPOINTS", "AGE"])
        sl = rows[hdr + 1]
        self.assertEqual(sl[:5], ["default",
                                  "endpointslice.discovery.k8s.io/web-abc",
                                  "IPv4", "8080", "10.1.0.1,10.1.0.2"])
        paths = {e["path"] for e in self.s.requests()}
        self.assertIn("/apis/discovery.k8s.io/v1/endpointslices", paths)
        self.assertIn("/api/v1/services", paths)
        self.assertTrue(all(e["token"] == TOKEN for e in self.s.requests()))
        # wide output and a namespaced get also work
        out = self.kubectl("get", "svc", "-n", "default", "-o", "wide")
        self.assertRegex(out, r"web\s+ClusterIP\s+\S+\s+<none>\s+80/TCP\s+"
                              r"\S+\s+app=web")

    def _watch(self, *extra):
        proc = subprocess.Popen([KUBECTL, "get", "services", "-A", "-w",
                                 *extra], env=self.env, text=True,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        lines = []

        def reader():
            for ln in proc.stdout:
                lines.append(ln.rstrip("\n"))

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        return proc, lines

    def _wait(self, lines, pred, what, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            hits = [ln for ln in list(lines) if pred(ln)]
            if hits:
                return hits
            time.sleep(0.02)
        self.fail(f"kubectl never printed {what}; it printed {lines}")

    def _stop(self, proc):
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        err = proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()
        return err

    def test_watch(self):
        proc, lines = self._watch()
        try:
            self._wait(lines, lambda ln: ln.split()[:2] == ["NAMESPACE",
                                                            "NAME"],
                       "the header")
            self._wait(lines, lambda ln: " web " in ln, "the web row")
            self.s.wait_watches(1, "services", timeout=10)
            self.s.apply(svc("watched", "team-a", port=443))
            self._wait(lines, lambda ln: "watched" in ln and "443/TCP" in ln,
                       "the new service")
            self.s.apply(svc("watched", "team-a", port=8443))
            self._wait(lines, lambda ln: "watched" in ln and "8443/TCP" in ln,
                       "the modified service")
            self.s.control("DELETE", "objects/Service/team-a/watched")
            self._wait(lines, lambda ln: len([x for x in lines
                                              if "watched" in x]) >= 3,
                       "a row for the deletion")
            row = [x for x in lines if "watched" in x][0].split()
            self.assertEqual(row[:3], ["team-a", "watched", "ClusterIP"])
        finally:
            self._stop(proc)
        w = [e for e in self.s.requests("/api/v1/services")
             if e["verb"] == "watch"]
        self.assertEqual(len(w), 1)
        lst = [e for e in self.s.requests("/api/v1/services")
               if e["verb"] == "list"]
        self.assertTrue(lst)

    def test_watch_events(self):
        proc, lines = self._watch("--output-watch-events")
        try:
            self.s.wait_watches(1, "services", timeout=10)
            self.s.apply(svc("ev", port=1))
            self.s.apply(svc("ev", port=2))
            self.s.control("DELETE", "objects/Service/default/ev")
            hits = self._wait(lines, lambda ln: ln.startswith("DELETED"),
                              "a DELETED event")
            self.assertIn(" ev ", hits[0])
            evs = [ln.split()[0] for ln in lines if " ev " in ln]
            self.assertEqual(evs, ["ADDED", "MODIFIED", "DELETED"])
        finally:
            self._stop(proc)


# --------------------------------------------------------------------------


def main():
    argv = [a for a in sys.argv[1:] if a != "-v"]
    loader = unittest.defaultTestLoader
    mod = sys.modules[__name__]
    suite = loader.loadTestsFromNames(argv, mod) if argv else \
        loader.loadTestsFromModule(mod)
    t0 = time.time()
    result = unittest.TextTestRunner(
        verbosity=2 if "-v" in sys.argv else 1).run(suite)
    failed = len(result.failures) + len(result.errors) + \
        len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print(f"fakeapi tests took {time.time() - t0:.1f} s")
    if not KUBECTL:
        loud_skip()
        sys.stderr.flush()
    if skipped:
        print(f"{passed} passed, {failed} failed, {skipped} skipped")
    else:
        print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
