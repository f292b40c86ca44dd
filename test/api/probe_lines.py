"""test/api/probe_lines.py - the probes' output lines, key=value fields.

Both probes print lines of `key=value` pairs, a value either bare or a
JSON string; this reads one into a dict (numbers as int or float).
"""
import json
import re

FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')


def fields(line):
    out = {}
    for k, v in FIELD.findall(line):
        if v.startswith('"'):
            out[k] = json.loads(v)
            continue
        for kind in (int, float):
            try:
                out[k] = kind(v)
                break
            except ValueError:
                pass
        else:
            out[k] = v
    return out
