"""Slow NumPy/SciPy twins of the geometry kernels (csrc/kernels/geometry.c) and formulas."""
import numpy as np
from scipy.optimize import nnls


def anchors(S, T, kappa):
    """MFTMA anchor weights by SciPy's NNLS on the least-squares form of the dual:
    min_{a>=0} |S^T a - (t + kappa e_center)|  (S: m x (D+1), last column 1)."""
    m, d1 = S.shape
    W = np.zeros((T.shape[0], m))
    for i, t in enumerate(T):
        h = S @ t
        j = int(np.argmax(h))
        if h[j] + kappa < 0:
            W[i, j] = 1.0
            continue
        tp = t.copy()
        tp[-1] += kappa
        a, _ = nnls(S.T, tp, maxiter=50 * m)
        if np.linalg.norm(S.T @ a) < 1e-8:
            W[i, j] = 1.0
        else:
            W[i] = a / a.sum()
    return W


def tangling(X, V, eps):
    D2x = np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=2)
    D2v = np.sum((V[:, None, :] - V[None, :, :]) ** 2, axis=2)
    return np.max(D2v / (D2x + eps), axis=1)


def kendall_tau_a(x, y):
    n = len(x)
    sx = np.sign(x[:, None] - x[None, :])
    sy = np.sign(y[:, None] - y[None, :])
    return np.sum(np.triu(sx * sy, 1)) / (n * (n - 1) / 2)


def participation_ratio(X):
    """PR from the eigenvalues of np.cov (rows = samples)."""
    lam = np.linalg.eigvalsh(np.atleast_2d(np.cov(X, rowvar=False)))
    return lam.sum() ** 2 / np.sum(lam ** 2)


def linear_cka(X, Y):
    """Kornblith et al. 2019, feature-space form on centered data."""
    X = X - X.mean(0)
    Y = Y - Y.mean(0)
    return np.linalg.norm(Y.T @ X) ** 2 / (np.linalg.norm(X.T @ X) * np.linalg.norm(Y.T @ Y))


def cc_cost_grad(V, X):
    """Center-correlation cost 1/2 sum (C - c c^T)^2 / (r r^T) and its Euclidean gradient
    (the reference's square_corrcoeff_full_cost, written in matrix form)."""
    C = X @ X.T
    c = X @ V
    r = np.diag(C) - np.sum(c * c, axis=1)
    A = C - c @ c.T
    B = A / np.outer(r, r)
    e = np.sum(A * B, axis=1)
    return 0.5 * np.sum(A * B), X.T @ (-2.0 * (B @ c) + 2.0 * (e / r)[:, None] * c)
