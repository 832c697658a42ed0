"""Slow NumPy twins of the recurrent-training kernels (csrc/kernels/rls.c, recurrent.c)."""
import numpy as np
from scipy.optimize import nnls


def rls_numpy(R, F, alpha):
    """Plain RLS with a full symmetric P: k = P r, c = 1/(1 + r k), P -= c k k^T, W -= c (W r - f) k^T."""
    n = R.shape[1]
    P = np.eye(n) / alpha
    W = np.zeros((F.shape[1], n))
    for r, f in zip(R, F):
        k = P @ r
        c = 1.0 / (1.0 + r @ k)
        e = W @ r - f
        P -= c * np.outer(k, k)
        W -= c * np.outer(e, k)
    return P, W


def force_numpy(J, w_fb, x, z, target, n_steps, dt, tau, alpha, learn_every):
    """The FORCE loop of recurrent.h without noise: returns zhat per step, final x and W."""
    n = len(x)
    W = np.zeros((1, n))
    P = np.eye(n) / alpha
    r = np.tanh(x)
    x = x.copy()
    zs = []
    for s in range(n_steps):
        f = target[s % len(target)]
        x += dt / tau * (-x + J @ r + w_fb @ z)
        r = np.tanh(x)
        zh = W @ r
        z = zh.copy()
        if (s + 1) % learn_every == 0:
            k = P @ r
            c = 1.0 / (1.0 + r @ k)
            P -= c * np.outer(k, k)
            W -= c * np.outer(zh - f, k)
        zs.append(zh)
    return np.array(zs), x, W


def dale_nnls(G, b, sign):
    """Exact minimiser of 1/2 w G w - b w with sign constraints via scipy.optimize.nnls
    (G = L L^T, w = s * v with v >= 0 on constrained coordinates; free ones need sign = +-1 here)."""
    L = np.linalg.cholesky(G)
    s = np.asarray(sign, dtype=float)
    A = L.T * s[None, :]
    y = np.linalg.solve(L, b)
    v, _ = nnls(A, y, maxiter=10000)
    return s * v


def dale_objective(G, b, w):
    return 0.5 * w @ G @ w - b @ w
