"""Associative memory: modern-Hopfield retrieval and kernel-memory fitting against NumPy/SciPy.

Issue 5 goals: the fused streaming softmax (one pass over X, O(block x batch) temporaries) is >= 2x
faster than ``X.T @ softmax(beta * X @ q)`` for one query and >= 1x for a batch of 64 at d = 512,
P = 100,000; kernel-memory fitting (Gram + Cholesky) at P = 5,000 is >= 1x SciPy. The peak
temporary memory of each side (tracemalloc, NumPy and PyMem allocations) is recorded as extra.
"""
import tracemalloc

import numpy as np

import neurocore.memory as nm
from .harness import Case


def numpy_softmax_recall(X, Q, beta):
    a = beta * (X @ Q.T if Q.ndim == 2 else X @ Q)
    a = np.exp(a - a.max(axis=0))
    a /= a.sum(axis=0)
    return X.T @ a


def peak_bytes(fn):
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def scipy_fit(X, beta):
    from scipy.linalg import cho_factor, cho_solve
    n = X.shape[1]
    K = np.exp(beta * (X @ X.T / n - 1.0))
    c = cho_factor(K, lower=True, check_finite=False)
    return cho_solve(c, X, check_finite=False).T


def cases(quick=False):
    out = []
    rng = np.random.default_rng(0)
    d, P = 512, (20_000 if quick else 100_000)
    X = rng.standard_normal((P, d)) / np.sqrt(d)
    beta = 4.0
    for B, goal in ((1, 0.5), (64, 1.0)):
        Q = X[:B] + 0.1 * rng.standard_normal((B, d)) / np.sqrt(d)
        q = Q[0] if B == 1 else Q
        nc = lambda q=q: nm.modern_hopfield_retrieve(X, q, beta)
        peer = lambda q=q: numpy_softmax_recall(X, q, beta)
        err = float(np.abs(np.asarray(nc()).T - peer()).max()) if B > 1 else float(np.abs(nc() - peer()).max())
        out.append(Case(f"modern Hopfield d={d} P={P} batch={B}", nc, peer, "NumPy X.T @ softmax(beta X q)",
                        repeats=3 if quick else 5, goal=goal,
                        extra={"max_abs_diff": err, "neurocore_peak_temp_bytes": peak_bytes(nc),
                               "peer_peak_temp_bytes": peak_bytes(peer)}))
    Pf = 1500 if quick else 5000
    Xf = nm.random_patterns(Pf, 100, rng=1, distinct=True)
    kern = nm.exponential_kernel(2.0)
    nc_fit = lambda: nm.KernelMemory(Xf, kernel=kern).readout
    peer_fit = lambda: scipy_fit(Xf, 2.0)
    err = float(np.abs(nc_fit() - peer_fit()).max())
    out.append(Case(f"kernel memory fit (exp kernel) P={Pf} n=100", nc_fit, peer_fit, "NumPy Gram + SciPy cho_solve",
                    repeats=3, goal=1.0, extra={"max_abs_diff": err}))
    return out
