"""Population geometry: MFTMA against the issue's 10 s budget, the C anchor QPs against SciPy's NNLS
loop, and tangling against a blocked NumPy computation.

Issue 12 asks for MFTMA on 100 manifolds of 50 points in 5,000 dimensions in under 10 s on one
core: run with OPENBLAS_NUM_THREADS=1 for the one-core number.
"""
import numpy as np

import neurocore.geometry as geo
from neurocore.geometry import _geometry
from .harness import Case


def _manifolds(P, M, N, seed=0):
    rng = np.random.default_rng(seed)
    return [c + rng.standard_normal((M, N)) for c in rng.standard_normal((P, N))]


def _scipy_anchors(S, T, kappa=0.0):
    from scipy.optimize import nnls
    W = np.zeros((T.shape[0], S.shape[0]))
    for i, t in enumerate(T):
        h = S @ t
        j = int(np.argmax(h))
        if h[j] + kappa < 0:
            W[i, j] = 1.0
            continue
        tp = t.copy()
        tp[-1] += kappa
        a, _ = nnls(S.T, tp)
        W[i] = a / a.sum()
    return W


def _numpy_tangling(X, V, eps, block=256):
    Q = np.empty(len(X))
    sx, sv = np.sum(X * X, 1), np.sum(V * V, 1)
    for s in range(0, len(X), block):
        dx = sx[s:s + block, None] + sx[None] - 2 * X[s:s + block] @ X.T
        dv = sv[s:s + block, None] + sv[None] - 2 * V[s:s + block] @ V.T
        Q[s:s + block] = np.max(dv / (np.maximum(dx, 0) + eps), axis=1)
    return Q


def cases(quick=False):
    out = []
    P, M, N = (100, 50, 5000) if not quick else (40, 50, 2000)
    mans = _manifolds(P, M, N)
    budget = 10.0 if not quick else 10.0 * (P * N) / (100 * 5000)
    out.append(Case(f"MFTMA {P} manifolds x {M} pts x {N} dims", lambda: geo.manifold_analysis(mans, rng=0),
                    None, f"issue budget {budget:g} s", repeats=1 if not quick else 2, goal=1.0,
                    peer_seconds=lambda: budget))
    out.append(Case(f"MFTMA same, no center-corr removal",
                    lambda: geo.manifold_analysis(mans, rng=0, remove_center_correlation=False),
                    None, f"issue budget {budget:g} s", repeats=1 if not quick else 2, goal=1.0,
                    peer_seconds=lambda: budget))
    rng = np.random.default_rng(1)
    m, D, n_t = 50, 50, (2000 if not quick else 500)
    S = np.hstack([0.5 * rng.standard_normal((m, D)), np.ones((m, 1))])
    T = rng.standard_normal((n_t, D + 1))
    out.append(Case(f"anchor QPs m={m} D={D} n_t={n_t}", lambda: _geometry.anchors(S, T), lambda: _scipy_anchors(S, T),
                    "scipy.optimize.nnls loop", repeats=3, goal=0.2))
    n = 4000 if not quick else 1500
    t = np.linspace(0, 20 * np.pi, n)
    X = np.column_stack([np.sin(k * t / 7) for k in range(1, 11)])
    V = np.gradient(X, t[1] - t[0], axis=0)
    out.append(Case(f"tangling T={n} d=10", lambda: _geometry.tangling(X, V, 0.1), lambda: _numpy_tangling(X, V, 0.1),
                    "NumPy blocked GEMM", repeats=3, goal=1.0))
    return out
