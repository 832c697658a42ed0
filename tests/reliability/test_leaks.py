"""Refcount and leak check (issue 15, item 2): every C entry point called 10,000 times.

Half of the calls are the spec's valid call, half go through error paths (None, NaN, a wrong
shape, a wrong type for each argument in turn), because early-exit paths are where references
and buffers leak. Expected values: a function that frees what it allocates leaves traced memory
flat after warm-up, so the growth between call 1,000 and call 10,000 must stay below
LEAK_BYTES (one leaked 32-byte object per call would be ~290 kB), and the reference counts of the
caller's arguments must be unchanged (an unbalanced Py_INCREF allocates nothing but is a leak).
The numbers are printed in the terminal summary ("leak check").
"""
import gc
import os
import sys
import tracemalloc

import numpy as np
import pytest

from . import _harness as H
from .conftest import LEAKS
from .mutations import kind_of
from .specs import SPECS

CALLS = int(os.environ.get("NEUROCORE_LEAK_CALLS", "10000"))
WARMUP = CALLS // 10
LEAK_BYTES = 64 * 1024
RSS_BYTES = 4 << 20  # RSS moves in pages and with the allocator's arenas: a coarse second check
TARGETS = {t.key: t for t in H.discover()}


def _rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _error_calls(spec):
    """Keyword sets that fail early, one per argument and kind of mistake."""
    base = spec.make()
    out = []
    for arg, val in base.items():
        k = spec.kinds.get(arg, kind_of(val))
        if k == "farray":
            bad = [None, np.full_like(val, np.nan), val[..., :-1] if val.ndim else None, "x"]
        elif k == "iarray":
            bad = [None, "x", val.astype(float)]
        else:
            bad = {"float": [float("nan"), "x"], "int": [-1, 1.5], "code": [-1, 10 ** 6],
                   "bitgen": ["x"], "callable": [5]}.get(k, [])
        for b in bad:
            kw = dict(base)
            kw[arg] = b
            out.append(kw)
    kw = dict(base)
    kw["bogus"] = 1
    out.append(kw)
    return out


@pytest.mark.parametrize("key", sorted(SPECS))
def test_no_leak_over_10000_calls(key):
    target = TARGETS.get(key)
    if target is None or target.import_error:
        pytest.skip(f"{key}: extension not built/importable")
    spec = SPECS[key]
    func = target.func
    good = spec.make()
    bad = _error_calls(spec)
    watched = [v for v in good.values() if isinstance(v, (np.ndarray, np.random.BitGenerator)) or callable(v)]
    gc.collect()
    refs0 = [sys.getrefcount(v) for v in watched]
    n_err = 0

    def one(i):
        nonlocal n_err
        if i % 2 == 0:
            func(**good)
        else:
            try:
                func(**bad[(i // 2) % len(bad)])
            except H.ALLOWED:
                n_err += 1

    gc.collect()
    tracemalloc.start()
    try:
        for i in range(WARMUP):
            one(i)
        gc.collect()
        traced0, rss0, objs0 = tracemalloc.get_traced_memory()[0], _rss(), len(gc.get_objects())
        for i in range(WARMUP, CALLS):
            one(i)
        gc.collect()
        traced1, rss1, objs1 = tracemalloc.get_traced_memory()[0], _rss(), len(gc.get_objects())
    finally:
        tracemalloc.stop()
    gc.collect()
    refs1 = [sys.getrefcount(v) for v in watched]
    LEAKS.append((key, CALLS, traced1 - traced0, rss1 - rss0, objs1 - objs0))
    # A reference leaked on one path repeats on every call through it (>= CALLS / 2 / len(bad)
    # times, i.e. hundreds); a handful is bookkeeping outside the binding (caches, frames).
    assert n_err > 0, "the error paths were not exercised"
    assert all(abs(b - a) <= 5 for a, b in zip(refs0, refs1)), f"{key}: reference counts of the arguments changed over {CALLS} calls: {refs0} -> {refs1}"
    assert traced1 - traced0 < LEAK_BYTES, f"{key}: traced memory grew by {traced1 - traced0} B over {CALLS - WARMUP} calls"
    # (ASan's quarantine keeps freed blocks mapped, so RSS says nothing under test-asan)
    assert H.UNDER_ASAN or rss1 - rss0 < RSS_BYTES, f"{key}: RSS grew by {(rss1 - rss0) / 1024:.0f} KiB over {CALLS - WARMUP} calls"
    assert objs1 - objs0 < 100, f"{key}: {objs1 - objs0} more gc-tracked objects after {CALLS - WARMUP} calls"
