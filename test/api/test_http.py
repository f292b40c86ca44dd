"""test/api/test_http.py - k8s/http.h (libcurl multi + libev) against the
fake API server, through test/api/http_probe.

PROBE_DIR names the directory of the built probe (run.py's caller sets it;
point it at an ASan build to check for leaks: a sanitizer report on stderr
or a non-zero exit fails the test).
"""
import base64
import email.utils
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest

from probe_lines import fields
from test_fakeapi import Server

HERE = os.path.dirname(os.path.abspath(__file__))
MKCERTS = os.path.join(HERE, "..", "fakeapi", "mkcerts.sh")
PROBE = os.path.join(os.environ.get("PROBE_DIR", "build/test/api"),
                     "http_probe")
TOKEN = "http-test-token"
VERSION_H = os.path.join(HERE, "..", "..", "agent", "version.h")

# curl error codes the tests expect
CURLE_COULDNT_CONNECT = 7
CURLE_WRITE_ERROR = 23
CURLE_OPERATION_TIMEDOUT = 28
CURLE_GOT_NOTHING = 52
CURLE_SSL_CERTPROBLEM = 58
CURLE_PEER_FAILED_VERIFICATION = 60

PLAIN = SECURE = None
CERTS = OTHER = None


def setUpModule():
    global PLAIN, SECURE, CERTS, OTHER
    CERTS = tempfile.mkdtemp(prefix="http-test-certs-")
    OTHER = tempfile.mkdtemp(prefix="http-test-other-")
    subprocess.run([MKCERTS, CERTS], check=True)
    subprocess.run([MKCERTS, OTHER], check=True)    # a CA that is not ours
    PLAIN = Server("--seed", "3")
    SECURE = Server("--tls", "--cert", f"{CERTS}/server.crt",
                    "--key", f"{CERTS}/server.key", "--token", TOKEN)
    SECURE.ctx = ssl.create_default_context(cafile=f"{CERTS}/ca.crt")


def tearDownModule():
    for s in (PLAIN, SECURE):
        if s:
            s.stop()
    for d in (CERTS, OTHER):
        if d:
            shutil.rmtree(d, ignore_errors=True)


def svc(name, ns="default", port=80):
    return {"kind": "Service", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"ports": [{"name": "http", "port": port}]}}


def b64(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


# --------------------------------------------------------------------------
# Running the probe

def parse_line(line):
    out = fields(line)
    if " cancelled " in line:
        out["cancelled"] = True
    return out


class Run:
    """One probe run: .reqs (one dict per printed request line, in print
    order), .summary (the ticks line), .out, .err, .rc."""

    def __init__(self, out, err, rc):
        self.out, self.err, self.rc = out, err, rc
        lines = out.splitlines()
        self.reqs = [parse_line(ln) for ln in lines if ln.startswith("req=")]
        summ = [ln for ln in lines if ln.startswith("ticks=")]
        self.summary = parse_line(summ[-1]) if summ else {}

    def req(self, idx, attempt=0):
        hits = [r for r in self.reqs
                if r["req"] == idx and r["attempt"] == attempt]
        assert len(hits) == 1, (idx, attempt, self.out)
        return hits[0]


def env():
    e = {k: v for k, v in os.environ.items()
         if "proxy" not in k.lower() and not k.startswith("KUBERNETES_")}
    e["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
    return e


def check_clean(tc, run):
    tc.assertNotIn("Sanitizer", run.err, run.err)
    tc.assertEqual(run.rc, 0, f"probe exit {run.rc}\n{run.out}\n{run.err}")


def probe(tc, *args, master=None, kubeconfig=None, timeout=30):
    cmd = [PROBE]
    if master:
        cmd += ["--master", master]
    if kubeconfig:
        cmd += ["--kubeconfig", kubeconfig]
    p = subprocess.run(cmd + list(args), capture_output=True, text=True,
                       timeout=timeout, env=env())
    run = Run(p.stdout, p.stderr, p.returncode)
    check_clean(tc, run)
    return run


class Base(unittest.TestCase):
    server = None

    def setUp(self):
        if not os.access(PROBE, os.X_OK):
            self.fail(f"{PROBE} not built (make {PROBE})")
        self.s = self.server() if self.server else PLAIN
        self.s.control("POST", "reset")
        self.s.config(tokens=[TOKEN] if self.s is SECURE else [],
                      chunking="random", chunk_delay=0)
        self.tmp = tempfile.mkdtemp(prefix="http-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def get(self, *args, **kw):
        return probe(self, *args, master=self.s.url, **kw)

    def kubeconfig(self, cluster, user, name="config"):
        """A kubeconfig for self.s with the given cluster and user fields
        (YAML lines, already indented for their mapping)."""
        path = os.path.join(self.tmp, name)
        cl = "".join(f"    {k}: {v}\n" for k, v in cluster.items())
        us = "".join(f"    {k}: {v}\n" for k, v in user.items()) \
            or "    {}\n"
        with open(path, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: {self.s.url}
{cl}users:
- name: u
  user:
{us}contexts:
- name: x
  context:
    cluster: c
    user: u
current-context: x
""")
        return path

    def last_request(self, path):
        reqs = [r for r in self.s.requests() if r["path"] == path]
        self.assertTrue(reqs, f"no request for {path}")
        return reqs[-1]


def secure():
    return SECURE


# --------------------------------------------------------------------------
# Plain HTTP


class TestPlain(Base):
    def test_list(self):
        self.s.apply(svc("a"), svc("b"), svc("c", "kube-system"))
        run = self.get("--save", os.path.join(self.tmp, "body"),
                       "/api/v1/services?limit=500")
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"], r["error"]), (200, 0, ""))
        self.assertEqual((r["body_len"], r["retry_after"]), (0, -1))
        with open(os.path.join(self.tmp, "body0")) as f:
            got = json.load(f)
        self.assertEqual(r["bytes"], os.path.getsize(
            os.path.join(self.tmp, "body0")))
        self.assertEqual(got["kind"], "ServiceList")
        self.assertEqual(sorted(i["metadata"]["name"] for i in got["items"]),
                         ["a", "b", "c"])
        self.assertEqual(run.summary["requests"], 1)
        self.assertEqual(run.summary["failures"], 0)
        # what the server saw
        seen = self.last_request("/api/v1/services")
        self.assertEqual(seen["accept"], "application/json")
        self.assertEqual(seen["query"], {"limit": "500"})
        self.assertIsNone(seen["token"])
        with open(VERSION_H) as f:
            ver = re.search(r'IPVSAGENT_VERSION\s+"([^"]+)"', f.read())
        self.assertEqual(seen["userAgent"],
                         "ipvsagent/" + ver.group(1) if ver else "ipvsagent")

    def test_not_found_keeps_text_body(self):
        run = self.get("/nothing/here")
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"], r["error"]), (404, 0, ""))
        self.assertEqual(r["body"], "404 page not found\n")
        self.assertEqual(r["bytes"], 0)     # non-2xx bodies skip data()
        self.assertEqual(run.summary["failures"], 1)

    def test_connection_refused(self):
        with socket_closed_port() as port:
            run = probe(self, "/version", master=f"http://127.0.0.1:{port}")
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"]), (0, CURLE_COULDNT_CONNECT))
        self.assertNotEqual(r["error"], "")

    def test_sequential_from_done(self):
        """Each request after the first starts from the previous done()."""
        self.s.apply(svc("a"))
        paths = ["/version", "/api/v1/services", "/healthz",
                 "/api/v1/namespaces/default/services/a", "/api"]
        run = self.get(*paths)
        self.assertEqual([r["req"] for r in run.reqs], list(range(5)))
        self.assertTrue(all(r["status"] == 200 and r["curl"] == 0
                            for r in run.reqs), run.out)

    def test_many_parallel(self):
        self.s.apply(*[svc(f"s{i}") for i in range(20)])
        paths = [f"/api/v1/services?limit={i + 1}" for i in range(40)]
        paths += ["/api/v1/services?watch=1&timeoutSeconds=1"] * 4
        run = self.get("--parallel", *paths)
        self.assertEqual(sorted(r["req"] for r in run.reqs),
                         list(range(len(paths))))
        for r in run.reqs:
            self.assertEqual((r["status"], r["curl"]), (200, 0), r)
            self.assertGreater(r["bytes"], 0)
        # No tight time bound: the fake server listens with a backlog of
        # 5, so under load some of 44 connections wait for SYN
        # retransmits (1 s, then 3 s).  test_cancel_parallel_watches
        # shows that requests really run at once.
        self.assertLess(run.summary["elapsed_ms"], 20000)
        self.assertEqual(run.summary["requests"], len(paths))
        lists = [r for r in self.s.requests() if r["verb"] == "list"]
        self.assertEqual(len(lists), 40)


class socket_closed_port:
    """A loopback port with nothing listening."""

    def __enter__(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        return self.port

    def __exit__(self, *exc):
        return False


# --------------------------------------------------------------------------
# Errors and faults


class TestFaults(Base):
    def test_429_retry_after_and_text(self):
        self.s.fault(type="status", code=429, retry_after=7)
        r = self.get("/api/v1/services").req(0)
        self.assertEqual((r["status"], r["curl"], r["error"]), (429, 0, ""))
        self.assertEqual(r["retry_after"], 7)
        self.assertEqual(r["body"],
                         "Too many requests, please try again later.\n")

    def test_retry_after_http_date(self):
        when = email.utils.formatdate(time.time() + 30, usegmt=True)
        self.s.fault(type="status", code=429, retry_after=when)
        r = self.get("/api/v1/services").req(0)
        self.assertEqual(r["status"], 429)
        self.assertTrue(25 <= r["retry_after"] <= 31, r)

    def test_retry_after_past_date_is_zero(self):
        self.s.fault(type="status", code=429,
                     retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
        self.assertEqual(self.get("/api/v1/services").req(0)["retry_after"],
                         0)

    def test_500_status_body_kept(self):
        self.s.fault(type="status", code=500, retry_after=3)
        run = self.get("/api/v1/services")
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"]), (500, 0))
        st = json.loads(r["body"])
        self.assertEqual((st["kind"], st["code"], st["reason"]),
                         ("Status", 500, "InternalError"))
        self.assertEqual(r["retry_after"], 3)
        self.assertEqual(run.summary["failures"], 1)

    def test_long_error_body_cut_at_4k(self):
        self.s.fault(type="status", code=503, message="x" * 20000)
        r = self.get("/api/v1/services").req(0)
        self.assertEqual((r["status"], r["curl"]), (503, 0))
        self.assertEqual(r["body_len"], 4096)
        self.assertEqual(len(r["body"]), 4096)
        self.assertTrue(r["body"].startswith('{"kind":"Status"'), r["body"])

    def test_hang_times_out_and_loop_keeps_running(self):
        self.s.fault(type="hang", seconds=10)
        try:
            run = self.get("--timeout-ms", "1500", "/api/v1/services")
        finally:
            self.s.control("POST", "release")
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"]),
                         (0, CURLE_OPERATION_TIMEDOUT))
        self.assertIn("imed out", r["error"])
        self.assertTrue(1400 <= r["end_ms"] <= 4000, r)
        # the 10 ms tick ran all along (~150 times; a blocking call would
        # leave it near 0): nothing blocked the loop
        self.assertGreaterEqual(run.summary["ticks"], 50, run.summary)

    def test_drop_without_answer(self):
        self.s.fault(type="drop")
        r = self.get("/api/v1/services").req(0)
        self.assertEqual((r["status"], r["curl"]), (0, CURLE_GOT_NOTHING))
        self.assertNotEqual(r["error"], "")

    def test_reset_without_answer(self):
        self.s.fault(type="drop", rst=1)
        r = self.get("/api/v1/services").req(0)
        self.assertEqual(r["status"], 0)
        self.assertNotEqual(r["curl"], 0)
        self.assertNotEqual(r["error"], "")

    def test_watch_cut_mid_stream(self):
        self.s.apply(svc("a"), svc("b"), svc("c"))
        self.s.fault(type="drop", verb="watch", after=2, partial=10,
                     midchunk=1)
        r = self.get("/api/v1/services?watch=1&timeoutSeconds=5").req(0)
        self.assertEqual(r["status"], 200)
        self.assertNotEqual(r["curl"], 0)     # a stream cut is an error
        self.assertGreater(r["bytes"], 0)

    def test_abort_from_data(self):
        self.s.apply(*[svc(f"s{i}") for i in range(30)])
        run = self.get("--abort-after-bytes", "1", "/api/v1/services",
                       "/version")
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"]), (200, CURLE_WRITE_ERROR))
        self.assertEqual(r["error"], "aborted by the data callback")
        self.assertEqual(run.req(1)["curl"], CURLE_WRITE_ERROR)


# --------------------------------------------------------------------------
# Streams, big bodies, cancellation


class TestStreams(Base):
    def test_watch_streams_in_chunks(self):
        self.s.apply(svc("a"), svc("b"))
        stop = threading.Event()

        def writer():
            self.s.wait_watches(1, "services", timeout=10)
            for i in range(6):
                if stop.wait(0.2):
                    return
                self.s.apply(svc(f"late{i}"))

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        try:
            run = self.get("--save", os.path.join(self.tmp, "w"),
                           "/api/v1/services?watch=1&timeoutSeconds=2")
        finally:
            stop.set()
            t.join(5)
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"]), (200, 0))
        self.assertGreaterEqual(r["end_ms"], 1800)
        self.assertGreaterEqual(r["chunks"], 3)
        # data came while the stream lasted, not at its end
        self.assertLess(r["first_data_ms"], r["end_ms"] - 1000, r)
        with open(os.path.join(self.tmp, "w0")) as f:
            events = [json.loads(ln) for ln in f.read().splitlines()]
        names = [e["object"]["metadata"]["name"] for e in events
                 if e["type"] == "ADDED"]
        self.assertEqual(names[:2], ["a", "b"])
        self.assertEqual(names[2:], [f"late{i}" for i in range(6)])
        self.assertGreaterEqual(run.summary["ticks"], 50)

    def test_big_gzipped_list(self):
        self.s.apply(*[svc(f"big{i:03d}") for i in range(150)], pad=2000)
        run = self.get("--save", os.path.join(self.tmp, "l"),
                       "/api/v1/services")
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"]), (200, 0))
        with open(os.path.join(self.tmp, "l0"), "rb") as f:
            raw = f.read()
        self.assertEqual(r["bytes"], len(raw))
        # gzip on the wire (the server compresses bodies over 128 KiB)
        self.assertGreater(len(raw), 128 * 1024)
        self.assertLess(r["wire"], len(raw) // 4, r)
        self.assertGreater(r["chunks"], 1)
        ours = json.loads(raw)
        theirs = self.s.ok("/api/v1/services")
        self.assertEqual(ours, theirs)

    def test_cancel_watch_from_timer(self):
        self.s.apply(svc("a"))
        run = self.get("--cancel-after-ms", "500",
                       "/api/v1/services?watch=1&timeoutSeconds=30",
                       "/api/v1/nodes?watch=1")
        r = run.req(0)
        self.assertTrue(r.get("cancelled"), run.out)
        self.assertGreater(r["bytes"], 0)
        self.assertLess(run.summary["elapsed_ms"], 10000)
        self.assertEqual(len(run.reqs), 1)    # the second never started
        self.wait_no_watches()

    def test_cancel_parallel_watches(self):
        self.s.apply(svc("a"))
        run = self.get("--parallel", "--cancel-after-ms", "2000",
                       *["/api/v1/services?watch=1"] * 5)
        self.assertEqual(len(run.reqs), 5)
        self.assertTrue(all(r.get("cancelled") for r in run.reqs), run.out)
        # all five streamed at once (none waited for another to end)
        self.assertTrue(all(r["bytes"] > 0 for r in run.reqs), run.out)
        self.wait_no_watches()

    def test_cancel_from_own_data(self):
        """data() cancels its own request; the next one is then started
        from inside that data() call, so it waits until curl returns."""
        self.s.apply(svc("a"), svc("b"))
        run = self.get("--cancel-in-data-after-bytes", "1",
                       "/api/v1/services?watch=1&timeoutSeconds=30",
                       "/api/v1/services?watch=1&timeoutSeconds=30")
        self.assertEqual(len(run.reqs), 2, run.out)
        self.assertTrue(all(r.get("cancelled") for r in run.reqs), run.out)
        self.assertLess(run.summary["elapsed_ms"], 10000)
        self.wait_no_watches()

    def test_cancel_others_from_done(self):
        self.s.apply(svc("a"))
        run = self.get("--parallel", "--cancel-others-in-done",
                       "/api/v1/services?watch=1&timeoutSeconds=30",
                       "/api/v1/services?watch=1&timeoutSeconds=30",
                       "/healthz",
                       "/api/v1/services?watch=1&timeoutSeconds=30")
        done = [r for r in run.reqs if not r.get("cancelled")]
        self.assertEqual([r["req"] for r in done], [2], run.out)
        self.assertEqual(len(run.reqs), 4)
        self.assertLess(run.summary["elapsed_ms"], 10000)
        self.wait_no_watches()

    def test_free_from_data(self):
        self.s.apply(svc("a"))
        run = self.get("--parallel", "--free-after-bytes", "1",
                       "/api/v1/services?watch=1&timeoutSeconds=30",
                       "/api/v1/services?watch=1&timeoutSeconds=30",
                       "/version")
        self.assertIn("freed in data of req=", run.out)
        self.assertLess(run.summary["elapsed_ms"], 10000)
        self.wait_no_watches()

    def wait_no_watches(self):
        deadline = time.time() + 5
        while time.time() < deadline:
            if not self.s.control("GET", "watches"):
                return
            time.sleep(0.05)
        self.fail("the server still has watches open: the connection "
                  "was not closed")


# --------------------------------------------------------------------------
# TLS and authentication


class TestTLS(Base):
    server = staticmethod(secure)

    def ok(self, run):
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"], r["error"]), (200, 0, ""),
                         run.out)
        return r

    def test_ca_file(self):
        kc = self.kubeconfig({"certificate-authority": f"{CERTS}/ca.crt"},
                             {"token": TOKEN})
        self.ok(probe(self, "/api/v1/services", kubeconfig=kc))
        self.assertEqual(self.last_request("/api/v1/services")["token"],
                         TOKEN)

    def test_ca_data(self):
        kc = self.kubeconfig(
            {"certificate-authority-data": b64(f"{CERTS}/ca.crt")},
            {"token": TOKEN})
        self.ok(probe(self, "/api/v1/services", kubeconfig=kc))

    def test_wrong_ca_file(self):
        kc = self.kubeconfig({"certificate-authority": f"{OTHER}/ca.crt"},
                             {"token": TOKEN})
        r = probe(self, "/api/v1/services", kubeconfig=kc).req(0)
        self.assertEqual((r["status"], r["curl"]),
                         (0, CURLE_PEER_FAILED_VERIFICATION))
        self.assertIn("certificate", r["error"])

    def test_wrong_ca_data(self):
        kc = self.kubeconfig(
            {"certificate-authority-data": b64(f"{OTHER}/ca.crt")},
            {"token": TOKEN})
        r = probe(self, "/api/v1/services", kubeconfig=kc).req(0)
        self.assertEqual((r["status"], r["curl"]),
                         (0, CURLE_PEER_FAILED_VERIFICATION))

    def test_system_store_does_not_know_our_ca(self):
        kc = self.kubeconfig({}, {"token": TOKEN})
        r = probe(self, "/version", kubeconfig=kc).req(0)
        self.assertEqual(r["curl"], CURLE_PEER_FAILED_VERIFICATION)

    def test_insecure(self):
        kc = self.kubeconfig({"insecure-skip-tls-verify": "true"},
                             {"token": TOKEN})
        self.ok(probe(self, "/api/v1/services", kubeconfig=kc))

    def test_tls_server_name(self):
        # the certificate names 127.0.0.1 and localhost, not this:
        kc = self.kubeconfig({"certificate-authority": f"{CERTS}/ca.crt",
                              "tls-server-name": "api.wrong.invalid"},
                             {"token": TOKEN})
        r = probe(self, "/version", kubeconfig=kc).req(0)
        self.assertEqual((r["status"], r["curl"]),
                         (0, CURLE_PEER_FAILED_VERIFICATION), r)
        # a name it does carry: verified against it, still sent to
        # 127.0.0.1 (no DNS lookup of the name decides where we connect)
        kc = self.kubeconfig({"certificate-authority": f"{CERTS}/ca.crt",
                              "tls-server-name": "localhost"},
                             {"token": TOKEN})
        self.ok(probe(self, "/api/v1/services", kubeconfig=kc))

    def test_tls_server_name_is_sni_only(self):
        """client-go semantics: the TLS name changes, the Host header and
        the address connected to do not."""
        seen = {}
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(f"{CERTS}/server.crt", f"{CERTS}/server.key")
        ctx.sni_callback = lambda so, name, c: seen.update(sni=name)
        lsock = socket.create_server(("127.0.0.1", 0))
        port = lsock.getsockname()[1]

        def serve():
            conn, _ = lsock.accept()
            with ctx.wrap_socket(conn, server_side=True) as t:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += t.recv(4096)
                seen["head"] = data.decode()
                t.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

        th = threading.Thread(target=serve, daemon=True)
        th.start()
        kc = os.path.join(self.tmp, "sni")
        with open(kc, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:{port}
    certificate-authority: {CERTS}/ca.crt
    tls-server-name: localhost
users:
- name: u
  user: {{}}
contexts:
- name: x
  context: {{cluster: c, user: u}}
current-context: x
""")
        try:
            r = probe(self, "/version", kubeconfig=kc).req(0)
        finally:
            lsock.close()
            th.join(5)
        self.assertEqual((r["status"], r["curl"]), (200, 0))
        self.assertEqual(seen.get("sni"), "localhost")
        self.assertIn(f"\r\nHost: 127.0.0.1:{port}\r\n", seen["head"])

    def test_client_certificate_data(self):
        kc = self.kubeconfig({"certificate-authority": f"{CERTS}/ca.crt"},
                             {"client-certificate-data":
                              b64(f"{CERTS}/server.crt"),
                              "client-key-data": b64(f"{CERTS}/server.key"),
                              "token": TOKEN})
        self.ok(probe(self, "/api/v1/services", kubeconfig=kc))
        # a key that does not match the certificate: curl refuses it,
        # which shows the blobs really reach the TLS library
        kc = self.kubeconfig({"certificate-authority": f"{CERTS}/ca.crt"},
                             {"client-certificate-data":
                              b64(f"{CERTS}/server.crt"),
                              "client-key-data": b64(f"{OTHER}/server.key"),
                              "token": TOKEN})
        r = probe(self, "/api/v1/services", kubeconfig=kc).req(0)
        self.assertEqual((r["status"], r["curl"]),
                         (0, CURLE_SSL_CERTPROBLEM), r)

    def test_client_certificate_files(self):
        kc = self.kubeconfig({"certificate-authority": f"{CERTS}/ca.crt"},
                             {"client-certificate": f"{CERTS}/server.crt",
                              "client-key": f"{OTHER}/server.key",
                              "token": TOKEN})
        r = probe(self, "/api/v1/services", kubeconfig=kc).req(0)
        self.assertEqual(r["curl"], CURLE_SSL_CERTPROBLEM, r)

    def test_wrong_token_is_401(self):
        kc = self.kubeconfig({"certificate-authority": f"{CERTS}/ca.crt"},
                             {"token": "not-the-token"})
        run = probe(self, "/api/v1/services", kubeconfig=kc)
        r = run.req(0)
        self.assertEqual((r["status"], r["curl"]), (401, 0))
        self.assertEqual(json.loads(r["body"])["reason"], "Unauthorized")
        self.assertEqual(run.summary["status_401"], 1)

    def test_token_file_rotated_after_401(self):
        tok = os.path.join(self.tmp, "token")
        with open(tok, "w") as f:
            f.write("old-token\n")
        kc = self.kubeconfig({"certificate-authority": f"{CERTS}/ca.crt"},
                             {"tokenFile": tok})
        p = subprocess.Popen([PROBE, "--kubeconfig", kc, "--wait-stdin",
                              "--retry-401", "/api/v1/services"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env())
        try:
            self.assertEqual(p.stdout.readline(), "ready\n")
            # loaded with the old token; rotate it before the request
            with open(tok + ".new", "w") as f:
                f.write(TOKEN + "\n")
            os.replace(tok + ".new", tok)
            out, err = p.communicate("go\n", timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        run = Run(out, err, p.returncode)
        check_clean(self, run)
        self.assertEqual(run.req(0, 0)["status"], 401)
        self.assertEqual((run.req(0, 1)["status"], run.req(0, 1)["curl"]),
                         (200, 0))
        seen = [r["token"] for r in self.s.requests()
                if r["path"] == "/api/v1/services"]
        # the first carried the cached token (less than a minute old);
        # the 401 forced a re-read, so the retry carried the new one
        self.assertEqual(seen, ["old-token", TOKEN])
        self.assertEqual(run.summary["status_401"], 1)
        self.assertEqual(run.summary["token_errors"], 0)

    def test_watch_over_tls(self):
        self.s.apply(svc("a"), svc("b"))
        kc = self.kubeconfig({"certificate-authority": f"{CERTS}/ca.crt"},
                             {"token": TOKEN})
        r = probe(self, "/api/v1/services?watch=1&timeoutSeconds=1",
                  kubeconfig=kc).req(0)
        self.assertEqual((r["status"], r["curl"]), (200, 0))
        self.assertGreater(r["bytes"], 0)
        self.assertGreaterEqual(r["end_ms"], 900)


if __name__ == "__main__":
    unittest.main()
