"""test/api/test_reflector.py - k8s/reflector.h (LIST then WATCH, for ever)
against the fake API server, through test/api/reflect_probe.

The probe prints a line per thing it sees ("synced services n=3 rv=12",
"changed services dirty=ns/a", "state services backoff retry_in=0.8") and
answers "dump" and "stats" on stdin, so each test checks the store's exact
contents and the reflector's counters at the moment it cares about, and
the fake server's request log says what was asked, when, with what query.

PROBE_DIR names the directory of the built probe; point it at an ASan
build to check for leaks (a sanitizer report on stderr, or a non-zero
exit after "quit", fails the test).
"""
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from probe_lines import fields
from test_fakeapi import Server

PROBE = os.path.join(os.environ.get("PROBE_DIR", "build/test/api"),
                     "reflect_probe")
SERVER = None


def setUpModule():
    global SERVER
    SERVER = Server("--seed", "11")


def tearDownModule():
    if SERVER:
        SERVER.stop()


# --------------------------------------------------------------------------
# Objects


def svc(name, ns="ns", port=80, labels=None, **spec):
    s = {"kind": "Service", "apiVersion": "v1",
         "metadata": {"name": name, "namespace": ns},
         "spec": dict({"ports": [{"name": "http", "port": port}]}, **spec)}
    if labels:
        s["metadata"]["labels"] = labels
    return s


def eps(name, service, ips=("10.1.0.1",), ns="ns", ready=True, labels=None):
    lab = {"kubernetes.io/service-name": service}
    lab.update(labels or {})
    return {"kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
            "metadata": {"name": name, "namespace": ns, "labels": lab},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [{"addresses": [ip], "conditions": {"ready": ready}}
                          for ip in ips]}


def node(name, zone=None):
    labels = {"kubernetes.io/hostname": name}
    if zone is not None:
        labels["topology.kubernetes.io/zone"] = zone
    return {"kind": "Node", "apiVersion": "v1",
            "metadata": {"name": name, "labels": labels},
            "status": {"addresses": [{"type": "InternalIP",
                                      "address": "192.0.2.10"}]}}


# --------------------------------------------------------------------------
# The probe

def env():
    e = {k: v for k, v in os.environ.items()
         if "proxy" not in k.lower() and not k.startswith("KUBERNETES_")}
    e["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
    return e


class Probe:
    """A running reflect_probe: .lines is every (t, text) it printed."""

    def __init__(self, tc, *args):
        self.tc = tc
        self.proc = subprocess.Popen([PROBE, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env=env())
        self.lines = []
        self.cond = threading.Condition()
        self.err = []
        self.t_out = threading.Thread(target=self._read, daemon=True)
        self.t_err = threading.Thread(target=self._read_err, daemon=True)
        self.t_out.start()
        self.t_err.start()

    def _read(self):
        for line in self.proc.stdout:
            m = re.match(r"t=([\d.]+) (.*)", line.rstrip("\n"))
            with self.cond:
                self.lines.append((float(m.group(1)), m.group(2)) if m
                                  else (0.0, line.rstrip("\n")))
                self.cond.notify_all()

    def _read_err(self):
        for line in self.proc.stderr:
            self.err.append(line)

    def mark(self):
        with self.cond:
            return len(self.lines)

    def wait(self, pattern, since=0, timeout=10):
        """The first line at or after index @since matching @pattern:
        (index, re.Match).  Fails the test after @timeout seconds."""
        rx = re.compile(pattern)
        deadline = time.time() + timeout
        i = since
        with self.cond:
            while True:
                while i < len(self.lines):
                    m = rx.search(self.lines[i][1])
                    if m:
                        return i, m
                    i += 1
                left = deadline - time.time()
                if left <= 0:
                    self.tc.fail(f"no line /{pattern}/ within {timeout}s:\n"
                                 + self.text(since) + "\nstderr:\n"
                                 + "".join(self.err))
                self.cond.wait(left)

    def matching(self, pattern, since=0):
        rx = re.compile(pattern)
        with self.cond:
            return [(t, s) for t, s in self.lines[since:] if rx.search(s)]

    def text(self, since=0):
        with self.cond:
            return "\n".join(f"{t:.3f} {s}" for t, s in self.lines[since:])

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def _block(self, cmd, end):
        start = self.mark()
        self.cmd(cmd)
        i, _ = self.wait(f"^{end}$", start)
        with self.cond:
            return [s for _, s in self.lines[start:i]
                    if not s.startswith(("state ", "changed ", "synced ",
                                         "warn "))]

    def dump(self):
        return self._block("dump", "dump end")

    def stats(self, res="services"):
        for line in self._block("stats", "stats end"):
            if line.startswith(f"stats {res} "):
                return fields(line)
        self.tc.fail(f"no stats for {res}")

    def close(self):
        """quit, and check the exit was clean (no sanitizer report)."""
        try:
            self.cmd("quit")
            rc = self.proc.wait(10)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            self.proc.kill()
            rc = self.proc.wait()
        self.t_out.join(5)
        self.t_err.join(5)
        err = "".join(self.err)
        self.tc.assertNotIn("Sanitizer", err, err)
        self.tc.assertEqual(rc, 0, f"probe exit {rc}\n{err}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def names(dump, kind):
    return sorted(ln.split()[1] for ln in dump if ln.startswith(kind + " "))


def line_of(dump, kind, name):
    for ln in dump:
        p = ln.split()
        if p[0] == kind and p[1] == name:
            return fields(ln)
    return None


# --------------------------------------------------------------------------


class Base(unittest.TestCase):
    def setUp(self):
        if not os.access(PROBE, os.X_OK):
            self.fail(f"{PROBE} not built (make {PROBE})")
        self.s = SERVER
        self.s.control("POST", "reset")
        self.s.config(tokens=[], chunking="random", chunk_delay=0,
                      bookmark_interval=60.0, watch_timeout=[300.0, 600.0],
                      history_size=1000)
        self.tmp = tempfile.mkdtemp(prefix="reflector-test-")
        self.probes = []

    def tearDown(self):
        for p in self.probes:
            p.kill()
        self.s.control("POST", "reset")
        shutil.rmtree(self.tmp, ignore_errors=True)

    def probe(self, *args, kubeconfig=None):
        conn = ["--kubeconfig", kubeconfig] if kubeconfig else \
            ["--master", self.s.url]
        p = Probe(self, *conn, *args)
        self.probes.append(p)
        return p

    def reqs(self, resource, verb=None, since=0):
        return [r for r in self.s.requests(since=since)
                if r.get("resource") == resource and
                (verb is None or r["verb"] == verb)]

    def wait_reqs(self, resource, verb, n, timeout=10, answered=False):
        """The requests once there are @n (with @answered: once the first
        @n have a status)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.reqs(resource, verb)
            if len(got) >= n and not (answered and any(
                    r["status"] is None for r in got[:n])):
                return got
            time.sleep(0.02)
        self.fail(f"fewer than {n} {verb} requests for {resource}: "
                  f"{self.reqs(resource)}")

    def wait_stats(self, p, res, cond, timeout=10):
        deadline = time.time() + timeout
        while True:
            st = p.stats(res)
            if cond(st):
                return st
            if time.time() > deadline:
                self.fail(f"stats never matched: {st}")
            time.sleep(0.05)

    def rv(self):
        return int(self.s.control("GET", "state")["resourceVersion"])

    def synced(self, p, res="services", since=0):
        _, m = p.wait(rf"^synced {res} n=(\d+) rv=(\d+)", since)
        return int(m.group(1)), int(m.group(2))

    def close_watches(self, mode="clean"):
        return self.s.control("POST", f"watches/close?mode={mode}")["closed"]

    def rewatch(self, resource="services", timeout=10):
        """End the open watches cleanly (after a second: not a "very
        short watch") and wait until a new one is registered, so what the
        test changes next reaches the new watch."""
        before = {w["id"] for w in self.s.control("GET", "watches")}
        time.sleep(1.0)
        self.close_watches()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(w["id"] not in before and w["resource"] == resource
                   for w in self.s.control("GET", "watches")):
                return
            time.sleep(0.02)
        self.fail("no new watch")


class TestList(Base):
    def test_paging_with_continue(self):
        self.s.apply(*[svc(f"s{i}") for i in range(7)])
        p = self.probe("--resource", "services", "--page-size", "2")
        n, rv = self.synced(p)
        self.assertEqual((n, rv), (7, self.rv()))
        lists = self.wait_reqs("services", "list", 4, answered=True)
        self.assertEqual(len(lists), 4, lists)
        self.assertTrue(all(r["query"]["limit"] == "2" for r in lists))
        self.assertNotIn("continue", lists[0]["query"])
        self.assertTrue(all(r["query"].get("continue") for r in lists[1:]))
        self.assertTrue(all(r["status"] == 200 for r in lists))
        self.assertEqual(names(p.dump(), "svc"),
                         [f"ns/s{i}" for i in range(7)])
        watch = self.wait_reqs("services", "watch", 1)[0]["query"]
        self.assertEqual(watch["resourceVersion"], str(rv))
        self.assertEqual(watch["watch"], "1")
        self.assertEqual(watch["allowWatchBookmarks"], "true")
        self.assertTrue(300 <= int(watch["timeoutSeconds"]) <= 600, watch)
        st = p.stats()
        self.assertEqual((st["lists"], st["relists"], st["pages"]), (1, 0, 4))
        p.close()

    def test_selectors_keep_out_what_kube_proxy_ignores(self):
        self.s.apply(
            svc("plain"),
            svc("other-proxy",
                labels={"service.kubernetes.io/service-proxy-name": "x"}),
            svc("headless", clusterIP="None"),
            eps("plain-1", "plain"),
            eps("headless-1", "headless",
                labels={"service.kubernetes.io/headless": ""}),
            node("node-a", "z1"), node("node-b", "z2"))
        p = self.probe("--node", "node-a")
        for res in ("services", "endpointslices", "node"):
            self.synced(p, res)
        d = p.dump()
        self.assertEqual(names(d, "svc"), ["ns/plain"])
        self.assertEqual(names(d, "slice"), ["ns/plain-1"])
        self.assertEqual(names(d, "node"), ["node-a"])
        q = {r: self.reqs(r)[0]["query"]
             for r in ("services", "endpointslices", "nodes")}
        self.assertEqual(q["services"]["labelSelector"],
                         "!service.kubernetes.io/service-proxy-name")
        self.assertEqual(q["services"]["fieldSelector"], "spec.clusterIP!=None")
        self.assertEqual(q["endpointslices"]["labelSelector"],
                         "!service.kubernetes.io/headless")
        self.assertNotIn("fieldSelector", q["endpointslices"])
        self.assertEqual(q["nodes"]["fieldSelector"], "metadata.name=node-a")
        # the same selectors on the watches: a Service that takes the
        # label leaves the store (the server sends DELETED)
        for r in ("services", "endpointslices", "nodes"):
            w = self.wait_reqs(r, "watch", 1)[0]["query"]
            self.assertEqual({k: w.get(k) for k in q[r]
                              if k not in ("limit",)},
                             {k: v for k, v in q[r].items()
                              if k not in ("limit",)})
        m = p.mark()
        self.s.apply(svc("plain", labels={
            "service.kubernetes.io/service-proxy-name": "x"}))
        p.wait(r"^changed services dirty=ns/plain$", m)
        self.assertEqual(names(p.dump(), "svc"), [])
        p.close()

    def test_410_on_a_list_page_relists(self):
        self.s.apply(*[svc(f"s{i}") for i in range(5)])
        self.s.fault(type="delay", seconds=1.0, count=2, verb="list",
                     resource="services")
        p = self.probe("--resource", "services", "--page-size", "2")
        self.wait_reqs("services", "list", 2)
        # while page 2 waits, the snapshot it continues is compacted away
        self.s.apply(svc("late"))
        self.s.control("POST", "compact?keep=0")
        n, _ = self.synced(p)
        self.assertEqual(n, 6)
        lists = self.wait_reqs("services", "list", 3, answered=True)
        self.assertEqual([r["status"] for r in lists[:3]], [200, 410, 200])
        self.assertNotIn("continue", lists[2]["query"])
        st = p.stats()
        self.assertEqual((st["expired"], st["lists"], st["relists"]),
                         (1, 1, 0))
        self.assertIn("list: HTTP 410: The provided continue parameter is "
                      "too old", st["error"])
        self.assertEqual(names(p.dump(), "svc"),
                         sorted([f"ns/s{i}" for i in range(5)] + ["ns/late"]))
        p.close()

    def test_big_list_item_is_stored(self):
        self.s.apply(svc("a"), svc("b"))
        self.s.fault(type="big", size=3 << 20, verb="list",
                     resource="services")
        p = self.probe("--resource", "services")
        self.assertEqual(self.synced(p)[0], 2)
        self.assertEqual(p.stats()["rejected"], 0)
        p.close()


class TestWatch(Base):
    def start(self, *args, res="services"):
        p = self.probe("--resource", res, *args)
        self.synced(p, res)
        self.s.wait_watches(1)
        return p

    def test_events_update_the_store(self):
        self.s.apply(svc("a"), eps("a-1", "a", ["10.1.0.1"]))
        p = self.probe()
        self.synced(p, "services")
        self.synced(p, "endpointslices")
        self.s.wait_watches(3)
        m = p.mark()
        self.s.apply(svc("b", port=81))
        p.wait(r"^changed services dirty=ns/b$", m)
        self.assertEqual(line_of(p.dump(), "svc", "ns/b")["ports"],
                         "http:81/TCP")
        m = p.mark()
        self.s.apply(svc("b", port=82))
        p.wait(r"^changed services dirty=ns/b$", m)
        self.assertEqual(line_of(p.dump(), "svc", "ns/b")["ports"],
                         "http:82/TCP")
        m = p.mark()
        self.s.apply(eps("a-1", "a", ["10.1.0.1", "10.1.0.2"], ready=False))
        p.wait(r"^changed endpointslices dirty=ns/a$", m)
        self.assertEqual(line_of(p.dump(), "slice", "ns/a-1")["eps"],
                         "10.1.0.1:0,10.1.0.2:0")
        m = p.mark()
        self.s.control("DELETE", "objects/Service/ns/b")
        p.wait(r"^changed services dirty=ns/b$", m)
        rv_del = self.rv()
        self.s.control("DELETE", "objects/EndpointSlice/ns/a-1")
        p.wait(r"^changed endpointslices dirty=ns/a$", m)
        d = p.dump()
        self.assertEqual(names(d, "svc"), ["ns/a"])
        self.assertEqual(names(d, "slice"), [])
        st = p.stats()
        self.assertEqual((st["added"], st["modified"], st["deleted"]),
                         (1, 1, 1))
        self.assertEqual(st["rv"], rv_del)
        self.assertEqual((st["lists"], st["watches"], st["errors"]), (1, 1, 0))
        p.close()

    def test_unchanged_object_marks_nothing(self):
        self.s.apply(svc("a"))
        p = self.start()
        m = p.mark()
        self.s.apply(svc("a"))      # a new resourceVersion, same content
        self.wait_stats(p, "services", lambda st: st["modified"] == 1)
        self.assertEqual(p.matching("^changed ", m), [])
        self.assertEqual(line_of(p.dump(), "svc", "ns/a")["rv"], self.rv())
        p.close()

    def test_bookmarks_move_the_resource_version(self):
        self.s.config(bookmark_interval=0.2)
        self.s.apply(svc("a"))
        p = self.start()
        rv = int(self.s.control("POST", "bump?n=5")["resourceVersion"])
        st = self.wait_stats(p, "services",
                             lambda st: st["rv"] == rv)
        self.assertGreaterEqual(st["bookmarks"], 1)
        time.sleep(1.0)         # not a "very short watch"
        self.close_watches()
        w = self.wait_reqs("services", "watch", 2)
        self.assertEqual(w[1]["query"]["resourceVersion"], str(rv))
        st = p.stats()
        self.assertEqual((st["lists"], st["relists"], st["errors"]), (1, 0, 0))
        p.close()

    def test_clean_end_watches_again_from_rv(self):
        self.s.apply(svc("a"))
        p = self.start("--watch-timeout", "2,2")
        self.s.apply(svc("b"))
        rv = self.rv()
        w = self.wait_reqs("services", "watch", 3, timeout=10)
        self.assertEqual([r["query"]["timeoutSeconds"] for r in w[:3]],
                         ["2", "2", "2"])
        self.assertEqual(w[1]["query"]["resourceVersion"], str(rv))
        self.assertEqual(w[2]["query"]["resourceVersion"], str(rv))
        # one after the other, at once (no backoff)
        self.assertLess(w[1]["time"] - w[0]["end"], 0.5)
        st = p.stats()
        self.assertEqual((st["lists"], st["relists"], st["errors"]), (1, 0, 0))
        self.assertEqual(len(self.reqs("services", "list")), 1)
        self.assertEqual(p.matching("state services backoff"), [])
        p.close()

    def test_very_short_watch_backs_off(self):
        self.s.apply(svc("a"))
        self.s.fault(type="close", after=0, count=2)
        p = self.probe("--resource", "services", "--backoff", "0.3,1")
        self.synced(p)
        _, m = p.wait(r"^state services backoff retry_in=([\d.]+) "
                      r'error="watch: very short watch')
        self.assertGreaterEqual(float(m.group(1)), 0.3)
        self.wait_reqs("services", "watch", 3)
        self.assertEqual(len(self.reqs("services", "list")), 1)
        p.close()

    def check_expired(self, reason):
        self.s.apply(svc("a"))
        p = self.start()
        self.s.fault(type="watch-410", reason=reason, after=0)
        self.s.apply(svc("b"))
        m = p.mark()
        self.close_watches("drop")      # the next watch meets the fault
        n, rv = self.synced(p, since=m)
        self.assertEqual((n, rv), (2, self.rv()))
        st = p.stats()
        self.assertEqual((st["expired"], st["relists"], st["lists"]), (1, 1, 2))
        self.assertIn("410", st["error"])
        self.assertIn(reason, st["error"])
        self.assertEqual(names(p.dump(), "svc"), ["ns/a", "ns/b"])
        p.close()

    def test_error_410_expired_relists(self):
        self.check_expired("Expired")

    def test_error_410_gone_relists(self):
        self.check_expired("Gone")

    def test_second_410_in_a_row_backs_off(self):
        self.s.apply(svc("a"))
        p = self.start("--backoff", "0.5,1")
        self.s.fault(type="watch-410", after=0, count=2)
        time.sleep(1.0)
        self.close_watches()
        _, m = p.wait(r"^state services backoff retry_in=([\d.]+) "
                      r'error="watch: ERROR event: 410 Expired')
        self.assertGreaterEqual(float(m.group(1)), 0.5)
        self.wait_stats(p, "services", lambda st: st["lists"] == 3)
        lists = self.reqs("services", "list")
        self.assertLess(lists[1]["time"] - lists[0]["time"], 5)
        self.assertGreaterEqual(lists[2]["time"] - lists[1]["time"], 0.5)
        self.assertEqual(p.stats()["expired"], 2)
        p.close()

    def test_other_error_event_watches_again_from_rv(self):
        self.s.apply(svc("a"))
        p = self.start("--backoff", "0.1,0.2")
        rv = self.rv()
        # an ERROR 500 event: fakeapi has no fault for it, so ask with a
        # bad-line fault whose line is an ERROR event
        self.s.fault(type="bad-line", after=0, line=(
            '{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1",'
            '"metadata":{},"status":"Failure","message":"etcdserver: '
            'leader changed","reason":"InternalError","code":500}}'))
        time.sleep(1.0)
        self.close_watches()
        _, m = p.wait(r'^state services backoff .*error="watch: ERROR event: '
                      r'500 InternalError: etcdserver: leader changed"')
        w = self.wait_reqs("services", "watch", 3)
        self.assertEqual(w[2]["query"]["resourceVersion"], str(rv))
        st = p.stats()
        self.assertEqual((st["lists"], st["expired"], st["errors"]), (1, 0, 1))
        p.close()

    def test_objects_deleted_while_down_are_gone_after_relist(self):
        self.s.apply(svc("a"), svc("b"), svc("c"), eps("b-1", "b"))
        p = self.probe("--backoff", "0.2,0.4")
        self.synced(p, "services")
        self.synced(p, "endpointslices")
        self.s.wait_watches(3)
        self.s.fault(type="status", code=503, count=-1, verb="watch")
        self.close_watches("drop")
        p.wait(r"^state services backoff")
        self.s.control("DELETE", "objects/Service/ns/b")
        self.s.control("DELETE", "objects/EndpointSlice/ns/b-1")
        self.s.apply(svc("d"))
        self.s.control("POST", "compact?keep=0")
        time.sleep(0.5)
        self.assertEqual(names(p.dump(), "svc"), ["ns/a", "ns/b", "ns/c"])
        m = p.mark()
        self.s.control("DELETE", "faults")
        self.synced(p, "services", m)
        self.synced(p, "endpointslices", m)
        d = p.dump()
        self.assertEqual(names(d, "svc"), ["ns/a", "ns/c", "ns/d"])
        self.assertEqual(names(d, "slice"), [])
        dirty = set()
        for _, s in p.matching("^changed ", m):
            dirty |= set(fields(s)["dirty"].split(","))
        self.assertTrue({"ns/b", "ns/d"} <= dirty, dirty)
        self.assertNotIn("ns/a", dirty)     # unchanged: not marked
        p.close()


class TestFailures(Base):
    def backoffs(self, p, since=0, res="services"):
        return [fields(s)["retry_in"]
                for _, s in p.matching(rf"^state {res} backoff", since)]

    def test_500_backs_off_growing_with_jitter(self):
        self.s.apply(svc("a"))
        self.s.fault(type="status", code=500, count=-1, verb="list",
                     resource="services")
        p = self.probe("--resource", "services", "--backoff", "0.1,0.3")
        self.wait_reqs("services", "list", 9, timeout=15)
        waits = self.backoffs(p)[:8]
        bases = [0.1, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
        for w, b in zip(waits, bases):
            self.assertTrue(b <= w <= b * 1.25 + 1e-3, (waits, bases))
        capped = waits[2:]
        self.assertGreater(max(capped) - min(capped), 0.002,
                           f"no jitter: {capped}")
        # the server saw the same gaps
        t = [r["time"] for r in self.reqs("services", "list")]
        gaps = [b - a for a, b in zip(t, t[1:])][:8]
        for g, w in zip(gaps, waits):
            self.assertGreaterEqual(g, w - 0.01, (gaps, waits))
            self.assertLess(g, w + 0.5, (gaps, waits))
        st = p.stats()
        self.assertIn("list: HTTP 500: Internal error occurred: injected",
                      st["error"])
        self.assertEqual((st["synced"], st["lists"]), (0, 0))
        self.assertGreaterEqual(st["errors"], 8)
        # success resets the backoff: the next failure waits the minimum
        m = p.mark()
        self.s.control("DELETE", "faults")
        self.synced(p, since=m)
        self.s.wait_watches(1)
        self.close_watches("drop")
        _, mm = p.wait(r"^state services backoff retry_in=([\d.]+)", m)
        self.assertLessEqual(float(mm.group(1)), 0.125 + 1e-3)
        p.close()

    def test_dropped_watches_back_off_growing(self):
        self.s.apply(svc("a"))
        p = self.probe("--resource", "services", "--backoff", "0.1,0.8")
        self.synced(p)
        self.s.wait_watches(1)
        self.s.fault(type="drop", after=0, count=-1, verb="watch")
        self.close_watches("drop")
        self.wait_reqs("services", "watch", 5, timeout=15)
        waits = self.backoffs(p)[:4]
        for a, b in zip(waits, waits[1:]):
            self.assertGreater(b, a, waits)
        st = p.stats()
        self.assertEqual((st["lists"], st["relists"]), (1, 0))
        self.assertGreaterEqual(st["errors"], 4)
        self.assertEqual(names(p.dump(), "svc"), ["ns/a"])
        p.close()

    def test_429_retry_after_is_honoured(self):
        self.s.apply(svc("a"))
        self.s.fault(type="status", code=429, retry_after=1, verb="list",
                     resource="services")
        p = self.probe("--resource", "services", "--backoff", "0.05,0.1")
        _, m = p.wait(r"^state services backoff retry_in=([\d.]+)")
        self.assertAlmostEqual(float(m.group(1)), 1.0, delta=0.01)
        self.synced(p)
        t = [r["time"] for r in self.reqs("services", "list")]
        self.assertGreaterEqual(t[1] - t[0], 0.95)
        self.assertIn("HTTP 429: Too many requests", p.stats()["error"])
        p.close()

    def test_503_retry_after_on_a_watch(self):
        self.s.apply(svc("a"))
        p = self.probe("--resource", "services", "--backoff", "0.05,0.1")
        self.synced(p)
        self.s.wait_watches(1)
        self.s.fault(type="status", code=503, retry_after=2, verb="watch")
        self.close_watches("drop")
        _, m = p.wait(r'^state services backoff retry_in=([\d.]+) '
                      r'error="watch: HTTP 503')
        self.assertAlmostEqual(float(m.group(1)), 2.0, delta=0.01)
        w = self.wait_reqs("services", "watch", 3, timeout=6)
        self.assertGreaterEqual(w[2]["time"] - w[1]["time"], 1.95)
        p.close()

    def kubeconfig(self, token_file):
        path = os.path.join(self.tmp, "kubeconfig")
        with open(path, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: {self.s.url}
users:
- name: u
  user:
    tokenFile: {token_file}
contexts:
- name: x
  context:
    cluster: c
    user: u
current-context: x
""")
        return path

    def test_401_rereads_the_token_file_and_retries_at_once(self):
        tok = os.path.join(self.tmp, "token")
        with open(tok, "w") as f:
            f.write("old-token\n")
        self.s.config(tokens=["old-token"])
        self.s.apply(svc("a"))
        p = self.probe("--resource", "services", "--backoff", "3,4",
                       kubeconfig=self.kubeconfig(tok))
        self.synced(p)
        self.s.wait_watches(1)
        time.sleep(1.0)
        # the token rotates: the server takes only the new one
        self.s.config(tokens=["new-token"])
        with open(tok, "w") as f:
            f.write("new-token\n")
        m = p.mark()
        self.close_watches()
        w = self.wait_reqs("services", "watch", 3, answered=True)
        self.assertEqual([r["status"] for r in w[:3]], [200, 401, 200])
        self.assertEqual([r["token"] for r in w[:3]],
                         ["old-token", "old-token", "new-token"])
        self.assertLess(w[2]["time"] - w[1]["time"], 1.0)
        self.assertEqual(p.matching("backoff", m), [])
        self.assertEqual(p.stats()["errors"], 1)
        # a second 401 with no new token: the retry is spent, back off
        time.sleep(1.0)
        self.s.config(tokens=["newer-token"])
        m = p.mark()
        self.close_watches()
        p.wait(r"^state services backoff retry_in=3", m)
        w = self.wait_reqs("services", "watch", 5, answered=True)
        self.assertEqual([r["status"] for r in w[3:5]], [401, 401])
        self.assertEqual(len(self.reqs("services", "list")), 1)
        p.close()

    def check_partial_line(self, midchunk):
        self.s.apply(svc("a"))
        p = self.probe("--resource", "services", "--backoff", "1.5,2")
        self.synced(p)
        self.s.wait_watches(1)
        self.s.fault(type="drop", after=1, partial=40, midchunk=midchunk,
                     verb="watch")
        self.rewatch()
        m = p.mark()
        self.s.apply(svc("b"))
        self.s.apply(svc("c"))
        p.wait(r"^state services backoff", m)
        self.assertEqual(names(p.dump(), "svc"), ["ns/a", "ns/b"])
        st = p.stats()
        self.assertEqual((st["bad_lines"], st["errors"]), (0, 1))
        # the watch from b's resourceVersion brings c whole
        p.wait(r"^changed services dirty=ns/c$", m)
        self.assertEqual(names(p.dump(), "svc"), ["ns/a", "ns/b", "ns/c"])
        self.assertEqual(p.stats()["lists"], 1)
        p.close()

    def test_partial_line_at_a_drop_is_not_applied(self):
        self.check_partial_line(0)

    def test_partial_chunk_at_a_drop_is_not_applied(self):
        self.check_partial_line(1)

    def test_bad_line_is_counted_and_skipped(self):
        self.s.apply(svc("a"))
        p = self.probe("--resource", "services")
        self.synced(p)
        self.s.wait_watches(1)
        self.s.fault(type="bad-line", after=1, verb="watch")
        self.rewatch()
        m = p.mark()
        self.s.apply(svc("b"))
        self.s.apply(svc("c"))
        p.wait(r"^changed services dirty=ns/c$", m)
        p.wait(r"^warn Service /: watch: bad line of 18 bytes: not JSON", m)
        st = p.stats()
        self.assertEqual((st["bad_lines"], st["errors"], st["watches"]),
                         (1, 0, 2))
        self.assertEqual(names(p.dump(), "svc"), ["ns/a", "ns/b", "ns/c"])
        p.close()

    def test_rejected_object_keeps_the_last_good_version(self):
        self.s.apply(eps("a-1", "a", ["10.1.0.1"]))
        p = self.probe("--resource", "endpointslices")
        self.synced(p, "endpointslices")
        self.s.wait_watches(1)
        m = p.mark()
        bad = eps("a-1", "a", ["10.1.0.9"])
        bad["addressType"] = "IPX"
        self.s.apply(bad, raw=1)
        self.s.apply(eps("z-1", "z"))
        p.wait(r"^changed endpointslices dirty=ns/z$", m)
        p.wait(r"^warn EndpointSlice ns/a-1: addressType: unknown", m)
        self.assertEqual(line_of(p.dump(), "slice", "ns/a-1")["eps"],
                         "10.1.0.1:1")
        self.assertEqual(p.stats("endpointslices")["rejected"], 1)
        p.close()

    def test_big_watch_event_is_stored(self):
        self.s.apply(svc("a"))
        p = self.probe("--resource", "services")
        self.synced(p)
        self.s.wait_watches(1)
        self.s.fault(type="big", size=3 << 20, after=0, verb="watch")
        self.rewatch()
        m = p.mark()
        self.s.apply(svc("b", port=81))
        p.wait(r"^changed services dirty=ns/b$", m, timeout=20)
        self.assertEqual(line_of(p.dump(), "svc", "ns/b")["ports"],
                         "http:81/TCP")
        self.assertEqual(p.stats()["oversized"], 0)
        p.close()

    def test_oversized_watch_event_is_skipped(self):
        self.s.apply(svc("a"), svc("b", port=81))
        p = self.probe("--resource", "services")
        self.synced(p)
        self.s.wait_watches(1)
        self.s.fault(type="big", size=9 << 20, after=0, verb="watch")
        self.rewatch()
        m = p.mark()
        self.s.apply(svc("b", port=82))     # over 8 MiB: skipped
        self.s.apply(svc("c"))
        p.wait(r"^changed services dirty=ns/c$", m, timeout=30)
        p.wait(r"^warn Service /: watch: a line over 8388608 bytes skipped",
               m)
        d = p.dump()
        self.assertEqual(line_of(d, "svc", "ns/b")["ports"], "http:81/TCP")
        st = p.stats()
        self.assertEqual((st["oversized"], st["errors"], st["watches"]),
                         (1, 0, 2))
        p.close()

    def check_outage(self, fault):
        self.s.apply(svc("a"), svc("b"), eps("a-1", "a"), node("node-a", "z1"))
        p = self.probe("--backoff", "0.1,0.3", "--watch-timeout", "2,2",
                       "--list-timeout", "1")
        for res in ("services", "endpointslices", "node"):
            self.synced(p, res)
        before = p.dump()
        self.s.wait_watches(3)
        self.s.fault(count=-1, **fault)
        self.close_watches("drop")
        time.sleep(4.0)
        self.assertEqual(p.dump(), before)
        for res in ("services", "endpointslices", "node"):
            st = p.stats(res)
            self.assertGreaterEqual(st["errors"], 1, st)
            self.assertEqual(st["lists"], 1)
        # the server comes back with a change made meanwhile
        self.s.apply(svc("c"))
        m = p.mark()
        self.s.control("DELETE", "faults")
        self.s.control("POST", "release")
        p.wait(r"^changed services dirty=ns/c$", m, timeout=10)
        self.assertEqual(names(p.dump(), "svc"), ["ns/a", "ns/b", "ns/c"])
        p.close()

    def test_outage_500_keeps_the_store(self):
        self.check_outage({"type": "status", "code": 500})

    def test_outage_hang_keeps_the_store(self):
        self.check_outage({"type": "hang"})


class TestNode(Base):
    def test_zone_label_and_deletion(self):
        self.s.apply(node("node-a", "z1"), node("node-b", "z9"))
        p = self.probe("--resource", "node", "--node", "node-a")
        p.wait(r"^changed node zone=z1$")
        self.assertEqual(self.synced(p, "node")[0], 1)
        self.s.wait_watches(1)
        m = p.mark()
        self.s.apply(node("node-b", "z8"))          # not ours: nothing
        self.s.apply(node("node-a", "z2"))
        p.wait(r"^changed node zone=z2$", m)
        self.assertEqual([s for _, s in p.matching("^changed ", m)],
                         ["changed node zone=z2"])
        d = p.dump()
        self.assertEqual(names(d, "node"), ["node-a"])
        self.assertEqual(line_of(d, "node", "node-a")["zone"], "z2")
        m = p.mark()
        self.s.control("DELETE", "objects/Node/-/node-a")
        p.wait(r"^changed node node=none$", m)
        self.assertEqual(names(p.dump(), "node"), [])
        m = p.mark()
        self.s.apply(node("node-a"))
        p.wait(r"^changed node zone=$", m)
        self.assertEqual(p.stats("node")["deleted"], 1)
        p.close()

    def test_missing_node_is_cleared_by_a_relist(self):
        self.s.apply(node("node-a", "z1"))
        p = self.probe("--resource", "node", "--node", "node-a",
                       "--backoff", "0.1,0.2")
        self.synced(p, "node")
        self.s.wait_watches(1)
        self.s.fault(type="status", code=500, count=-1, verb="watch")
        self.close_watches("drop")
        p.wait(r"^state node backoff")
        self.s.control("DELETE", "objects/Node/-/node-a")
        self.s.control("POST", "compact?keep=0")
        m = p.mark()
        self.s.control("DELETE", "faults")
        p.wait(r"^changed node node=none$", m)
        self.assertEqual(self.synced(p, "node", m)[0], 0)
        self.assertEqual(p.stats("node")["relists"], 1)
        p.close()


if __name__ == "__main__":
    unittest.main()
