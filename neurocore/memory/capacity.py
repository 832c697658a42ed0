"""Capacity and basins of attraction of associative memories, and Cover's counting function.

The toolkit works with any memory built by a callable ``build(patterns) -> memory`` whose
``memory.recall(cues, steps=..., mode=..., rng=...)`` returns a RecallResult (KernelMemory,
HopfieldNetwork, SparseDistributedMemory).
"""
from dataclasses import dataclass
from math import comb

import numpy as np

from .. import _validate as v
from .._random import as_generator


def random_patterns(P, n, rng=None, distinct=False):
    """P random +-1 patterns of dimension n, (P, n); ``distinct=True`` redraws patterns that repeat
    another one or its negation (x and -x give linearly dependent kernel rows for odd
    polynomial kernels and identical ones for even kernels; needs P <= 2^(n-1))."""
    gen = as_generator(rng)
    P, n = v.count(P, "P", 1), v.count(n, "n", 1)
    X = np.where(gen.random((P, n)) < 0.5, -1.0, 1.0)
    if distinct:
        if n < 63 and P > 2 ** (n - 1):
            raise ValueError(f"argument 'P' must be <= 2^(n-1) = {2 ** (n - 1)} for distinct patterns, got {P}")
        while True:
            _, first = np.unique(X * X[:, :1], axis=0, return_index=True)
            dup = np.setdiff1d(np.arange(P), first)
            if len(dup) == 0:
                break
            X[dup] = np.where(gen.random((len(dup), n)) < 0.5, -1.0, 1.0)
    return X


def flip_bits(patterns, fraction, rng=None):
    """Copies of +-1 patterns with exactly ``round(fraction n)`` bits flipped, at random positions."""
    X = np.array(patterns, dtype=float, copy=True, ndmin=2)
    gen = as_generator(rng)
    n = X.shape[1]
    k = int(round(v.nonnegative(fraction, "fraction") * n))
    if k > n:
        raise ValueError(f"argument 'fraction' must be <= 1, got {fraction!r}")
    for row in X:
        idx = gen.choice(n, size=k, replace=False)
        row[idx] *= -1
    return X


def overlaps(states, patterns):
    """Overlap ``m = x . x^mu / n`` of each state with its own pattern (row by row)."""
    S, X = np.atleast_2d(states), np.atleast_2d(patterns)
    return np.sum(S * X, axis=1) / X.shape[1]


def cover_probability(P, n):
    """Cover (1965): probability that P random labellings of P points in general position in R^n
    are separable by a hyperplane through the origin, ``2^(1-P) sum_{k<n} C(P-1, k)``."""
    P, n = v.count(P, "P", 1), v.count(n, "n", 1)
    return float(sum(comb(P - 1, k) for k in range(min(n, P))) * 2.0 ** (1 - P))


def linearly_separable(X, y):
    """Is there w with ``y_mu w . x_mu >= 1`` for all mu (no bias)? LP feasibility (HiGHS)."""
    from scipy.optimize import linprog
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    A = -(y[:, None] * X)
    res = linprog(np.zeros(X.shape[1]), A_ub=A, b_ub=-np.ones(len(y)), bounds=(None, None), method="highs")
    return res.status == 0


@dataclass
class CapacityCurve:
    """Retrieval quality against the number of stored patterns.

    P : loads; success : fraction of cues retrieved exactly (final state == pattern); overlap :
    mean final overlap; capacity : largest load at which success >= threshold (linearly
    interpolated between loads; 0 if never, P[-1] if always).
    """
    n: int
    P: np.ndarray
    success: np.ndarray
    overlap: np.ndarray
    capacity: float
    threshold: float


def _crossing(xs, ys, level):
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    if ys[0] < level:
        return 0.0
    for i in range(len(xs) - 1):
        if ys[i] >= level > ys[i + 1]:
            return float(xs[i] + (xs[i + 1] - xs[i]) * (ys[i] - level) / (ys[i] - ys[i + 1]))
    return float(xs[-1])


def capacity_curve(build, n, loads, flip=0.0, steps=None, mode="sync", n_cues=None, threshold=0.9,
                   trials=1, rng=None):
    """Fraction of stored patterns retrieved from corrupted cues, against the load P.

    Parameters
    ----------
    build : callable(patterns) -> memory
    n : int
        Pattern dimension.
    loads : sequence of int
        Numbers of stored random +-1 patterns.
    flip : float
        Fraction of bits flipped in each cue (0: test stability of the stored patterns).
    steps, mode : passed to ``memory.recall`` (None: iterate to a fixed point).
    n_cues : int, optional
        Cues per load (the first n_cues patterns); default all patterns.
    threshold : float
        Success level that defines the capacity.
    trials : int
        Independent pattern sets per load.
    """
    gen = as_generator(rng)
    loads = [v.count(p, "loads", 1) for p in loads]
    succ, ov = [], []
    for P in loads:
        s = o = 0.0
        for _ in range(v.count(trials, "trials", 1)):
            X = random_patterns(P, n, gen, distinct=True)
            mem = build(X)
            k = P if n_cues is None else min(P, n_cues)
            cues = flip_bits(X[:k], flip, gen)
            res = mem.recall(cues, steps=steps, mode=mode, rng=gen)
            s += np.mean(np.all(res.states == X[:k], axis=1))
            o += np.mean(overlaps(res.states, X[:k]))
        succ.append(s / trials)
        ov.append(o / trials)
    return CapacityCurve(n, np.array(loads), np.array(succ), np.array(ov), _crossing(loads, succ, threshold),
                         threshold)


@dataclass
class BasinCurve:
    """Retrieval success against the fraction of flipped cue bits; ``radius`` is the largest flip
    fraction with success >= threshold (interpolated)."""
    flips: np.ndarray
    success: np.ndarray
    radius: float
    threshold: float


def basin_size(memory, patterns, flips, steps=None, mode="sync", n_cues=None, threshold=0.9, rng=None):
    """Basin of attraction of the stored patterns, measured by retrieval from cues with a growing
    fraction of flipped bits (``flips``, increasing)."""
    gen = as_generator(rng)
    X = np.atleast_2d(np.asarray(patterns, dtype=float))
    k = len(X) if n_cues is None else min(len(X), n_cues)
    succ = []
    for f in flips:
        cues = flip_bits(X[:k], f, gen)
        res = memory.recall(cues, steps=steps, mode=mode, rng=gen)
        succ.append(np.mean(np.all(res.states == X[:k], axis=1)))
    return BasinCurve(np.asarray(flips, float), np.array(succ), _crossing(flips, succ, threshold), threshold)
