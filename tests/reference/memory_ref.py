"""Slow NumPy/SciPy twins of the associative-memory kernels (tests only)."""
import numpy as np


def kernel_fn(name, s, degree=3, beta=1.0):
    if name == "linear":
        return s
    if name == "polynomial":
        return s ** degree
    if name == "exponential":
        return np.exp(beta * (s - 1.0))
    raise ValueError(name)


def interpolation_recall(X, Y, cues, name, dot_scale=None, **kw):
    """Y^T K^-1 k(x) with an explicit solve."""
    ds = X.shape[1] if dot_scale is None else dot_scale
    K = kernel_fn(name, X @ X.T / ds, **kw)
    k = kernel_fn(name, X @ np.atleast_2d(cues).T / ds, **kw)   # (P, B)
    return (Y.T @ np.linalg.solve(K, k)).T


def softmax_recall(X, q, beta):
    """The NumPy expression of the benchmark: X^T softmax(beta X q)."""
    a = beta * X @ q
    a = np.exp(a - a.max(axis=0))
    return X.T @ (a / a.sum(axis=0))


def svm_dual(G, y):
    """Hard-margin SVM without bias: max sum a - 1/2 a Q a, a >= 0, by L-BFGS-B."""
    from scipy.optimize import minimize
    Q = G * np.outer(y, y)
    f = lambda a: (0.5 * a @ Q @ a - a.sum(), Q @ a - 1.0)
    res = minimize(f, np.zeros(len(y)), jac=True, method="L-BFGS-B", bounds=[(0, None)] * len(y),
                   options=dict(ftol=1e-15, gtol=1e-12, maxiter=20000))
    return res.x


def hopfield_sync(W, x, sweeps):
    x = x.copy()
    for _ in range(sweeps):
        x = np.where(W @ x >= 0, 1.0, -1.0)
    return x


def sdm_shared_locations(addresses, radius, A, B):
    """Number of hard locations within radius of both A_i and B_j, (len(A), len(B))."""
    n = addresses.shape[1]
    actA = (n - addresses @ A.T) / 2 <= radius     # (M, |A|)
    actB = (n - addresses @ B.T) / 2 <= radius
    return actA.T.astype(float) @ actB.astype(float)


def sdm_kernel_bruteforce(n, radius, d):
    """Exact fraction of all 2^n addresses within radius of both 0...0 and the word with d ones."""
    count = 0
    for a in range(1 << n):
        ha = bin(a).count("1")
        hb = bin(a ^ ((1 << d) - 1)).count("1")
        count += ha <= radius and hb <= radius
    return count / (1 << n)
