"""Surprise learners: pf20 + MP20 over 10 seeds, neurocore (C) against vectorised NumPy
(tests/reference/surprise_ref.py: one Python loop over time, NumPy over seeds x particles)."""
import numpy as np

import neurocore.surprise as ns
from tests.reference.surprise_ref import mp_batch, pf_batch

from .harness import Case


def cases(quick=False):
    T = 10000 if quick else 100000
    env = ns.gaussian_task(T, 0.5, 0.01, n_seeds=10, rng=0)

    def nc():
        ns.learn(env, "pf", N=20, rng=1)
        ns.learn(env, "mp", N=20)

    def peer():
        pf_batch(env.y, 0.5, 0.01, 20, rng=1)
        mp_batch(env.y, 0.5, 0.01, 20)

    return [Case(f"surprise pf20 + MP20, 10 seeds x {T} steps", nc, peer, "vectorised NumPy",
                 repeats=3 if quick else 2, goal=0.05)]
