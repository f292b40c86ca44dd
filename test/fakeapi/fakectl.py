#!/usr/bin/env python3
"""test/fakeapi/fakectl.py - drive test/fakeapi/fakeapi.py from the shell.

    fakectl.py [--server URL] COMMAND [ARGS]

    --server URL    default $FAKEAPI_URL, else http://127.0.0.1:8080
                    (https is accepted without verifying the certificate:
                    the server is a loopback test fixture)

Commands:
    apply FILE...               create or replace the objects in JSON FILEs
                                (an object, a List or an array; - is stdin)
          [--raw] [--pad BYTES] no API defaults / add a big annotation
          [--stamp]             slices get a last-change-trigger-time
    delete KIND NS NAME         NS is - for Nodes
    delete-all [KIND]
    get                         print every object (a JSON List)
    fault TYPE [key=value...]   e.g. fault status code=429 retry_after=2
                                     fault watch-410 reason=Gone after=3
                                     fault drop verb=watch after=2 partial=10
    faults [--clear]            list (or clear) the pending faults
    requests [--path RE] [--since SEQ] [--clear] [--json]
    counters
    bump [N]                    advance the resourceVersion counter
    compact [KEEP]              forget the watch history but KEEP events
    close-watches [clean|drop|expired]
    release                     let hanging requests go
    config [key=value...]       show or change settings (values are JSON)
    state
    save
    reset

Values in key=value are parsed as JSON when they can be (2 -> 2,
true -> true), else kept as strings.
"""
import argparse
import json
import os
import ssl
import sys
import urllib.error
import urllib.request


def call(server, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(server.rstrip("/") + path, data=data,
                                 method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    ctx = None
    if server.startswith("https:"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        sys.exit(f"fakectl: {method} {path}: {e.code} "
                 f"{e.read().decode(errors='replace')}")
    except urllib.error.URLError as e:
        sys.exit(f"fakectl: {server}: {e.reason}")


def kv(args):
    out = {}
    for a in args:
        if "=" not in a:
            sys.exit(f"fakectl: expected key=value, got {a!r}")
        k, v = a.split("=", 1)
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out


def read_objects(files):
    items = []
    for f in files:
        doc = json.load(sys.stdin if f == "-" else open(f))
        if isinstance(doc, list):
            items += doc
        elif isinstance(doc, dict) and "items" in doc:
            items += doc["items"] or []
        else:
            items.append(doc)
    return items


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Drive the fake Kubernetes API server.",
        epilog="See the module docstring for the commands.")
    p.add_argument("--server", default=os.environ.get(
        "FAKEAPI_URL", "http://127.0.0.1:8080"))
    p.add_argument("command")
    p.add_argument("args", nargs="*")
    p.add_argument("--raw", action="store_true")
    p.add_argument("--pad", type=int, default=0)
    p.add_argument("--stamp", action="store_true")
    p.add_argument("--path")
    p.add_argument("--since", type=int, default=0)
    p.add_argument("--clear", action="store_true")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    s, cmd, args = a.server, a.command, a.args

    def out(x):
        print(json.dumps(x, indent=1))

    if cmd == "apply":
        q = "?raw=1" if a.raw else "?raw=0"
        q += f"&pad={a.pad}" if a.pad else ""
        q += "&stamp=1" if a.stamp else ""
        r = call(s, "POST", "/_control/objects" + q,
                 {"kind": "List", "items": read_objects(args or ["-"])})
        for o in r["items"]:
            m = o["metadata"]
            print(f'{o["kind"]} {m.get("namespace", "-")}/{m["name"]} '
                  f'resourceVersion={m["resourceVersion"]}')
    elif cmd == "delete":
        if len(args) != 3:
            sys.exit("fakectl: delete KIND NS NAME")
        o = call(s, "DELETE", "/_control/objects/" + "/".join(
            x or "-" for x in args))
        print(f'deleted {o["kind"]} {args[1]}/{args[2]}')
    elif cmd == "delete-all":
        q = f"?kind={args[0]}" if args else ""
        out(call(s, "DELETE", "/_control/objects" + q))
    elif cmd == "get":
        out(call(s, "GET", "/_control/objects"))
    elif cmd == "fault":
        if not args:
            sys.exit("fakectl: fault TYPE [key=value...]")
        out(call(s, "POST", "/_control/faults",
                 dict(kv(args[1:]), type=args[0])))
    elif cmd == "faults":
        out(call(s, "DELETE" if a.clear else "GET", "/_control/faults"))
    elif cmd == "requests":
        if a.clear:
            return call(s, "DELETE", "/_control/requests")
        q = f"?since={a.since}"
        if a.path:
            q += "&path=" + urllib.request.quote(a.path)
        reqs = call(s, "GET", "/_control/requests" + q)
        if a.json:
            return out(reqs)
        for e in reqs:
            qs = "&".join(f"{k}={v}" for k, v in e["query"].items())
            print(f'{e["seq"]:5} {e["time"]:.3f} {e["method"]} '
                  f'{e["path"]}{"?" + qs if qs else ""} -> {e["status"]}'
                  f'{" fault=" + e["fault"] if e.get("fault") else ""}')
    elif cmd == "counters":
        out(call(s, "GET", "/_control/counters"))
    elif cmd == "bump":
        out(call(s, "POST", f"/_control/bump?n={int(args[0]) if args else 1}"))
    elif cmd == "compact":
        out(call(s, "POST",
                 f"/_control/compact?keep={int(args[0]) if args else 0}"))
    elif cmd == "close-watches":
        out(call(s, "POST", "/_control/watches/close?mode=" +
                 (args[0] if args else "clean")))
    elif cmd == "release":
        out(call(s, "POST", "/_control/release"))
    elif cmd == "config":
        out(call(s, "POST", "/_control/config", kv(args)) if args
            else call(s, "GET", "/_control/config"))
    elif cmd in ("state", "save", "reset"):
        out(call(s, "GET" if cmd == "state" else "POST", f"/_control/{cmd}"))
    else:
        sys.exit(f"fakectl: unknown command {cmd!r} (see --help)")


if __name__ == "__main__":
    main()
