#!/usr/bin/env python3
"""test/api/run.py - run every test/api/test_*.py (the API client against
the fake API server).  PROBE_DIR names the directory of the built probes.
The last line is "N passed, M failed[, K skipped]"; exit 1 on a failure."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "fakeapi"))

suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py")
res = unittest.TextTestRunner(verbosity=2 if "-v" in sys.argv else 1).run(suite)
failed = len(res.failures) + len(res.errors)
print(f"{res.testsRun - failed - len(res.skipped)} passed, {failed} failed"
      + (f", {len(res.skipped)} skipped" if res.skipped else ""))
sys.exit(1 if failed else 0)
