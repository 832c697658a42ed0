"""Side-by-side timing: neurocore and its peer run interleaved in one process; medians and ratio.

A benchmark module ``benchmarks/bench_<family>.py`` defines ``cases(quick)`` returning a list of
:class:`Case`. ``python -m benchmarks [--quick] [names...]`` runs them, prints a table and writes
``benchmarks/results/<timestamp>.json``.
"""
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np


@dataclass
class Case:
    """One comparison.

    neurocore, peer : zero-argument callables doing the same work. ``peer`` may be None when
    ``peer_seconds`` gives the peer's time directly (e.g. a bandwidth bound or a time a peer
    reports itself, such as Brian2's run time without compilation).
    goal : the ratio neurocore/peer the issue asks for (lower is better), for the printed table.
    """
    name: str
    neurocore: Callable
    peer: Optional[Callable]
    peer_name: str
    repeats: int = 5
    goal: Optional[float] = None
    peer_seconds: Optional[Callable] = None
    extra: dict = field(default_factory=dict)


def time_call(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run_case(case):
    """Interleave neurocore and peer runs; return a dict with medians and the ratio."""
    case.neurocore()  # warm-up (imports, caches, first-touch of memory)
    if case.peer is not None:
        case.peer()
    t_nc, t_peer = [], []
    for _ in range(case.repeats):
        t_nc.append(time_call(case.neurocore)[0])
        if case.peer is not None:
            t_peer.append(time_call(case.peer)[0])
        else:
            t_peer.append(case.peer_seconds())
    med_nc, med_peer = float(np.median(t_nc)), float(np.median(t_peer))
    out = {"name": case.name, "peer": case.peer_name, "neurocore_s": med_nc, "peer_s": med_peer,
           "ratio": med_nc / med_peer, "goal": case.goal, "repeats": case.repeats}
    out.update(case.extra)
    return out


def stream_copy_bandwidth(nbytes=256 * 2**20, repeats=5):
    """STREAM-like copy bandwidth in bytes/s (read + write counted), best of ``repeats``."""
    a = np.ones(nbytes // 8)
    b = np.empty_like(a)
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(b, a)
        best = min(best, time.perf_counter() - t0)
    return 2 * a.nbytes / best
