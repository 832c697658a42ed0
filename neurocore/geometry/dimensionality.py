"""Linear and nonlinear dimension of population activity.

Linear dimension: the eigenvalues lambda_i of the covariance of the activity (its PCA spectrum),
summarised by the participation ratio ``PR = (sum lambda)^2 / sum lambda^2`` (Gao & Ganguli 2015;
Chung & Abbott 2021; Clark, Abbott & Litwin-Kumar 2023) or by the number of PCs needed to explain a
fraction of the variance. Nonlinear (intrinsic) dimension: the TwoNN estimator (Facco et al. 2017),
which sees a curved one-dimensional loop as 1-D even when its PR is large.

Finite samples bias the plain PR downward: sampling noise adds about N tau_c / T to every
off-diagonal covariance entry squared. The ``cross_block`` estimator (Clark et al. 2023) replaces
``sum lambda^2 = tr C^2`` by the mean of ``tr(C_a C_b)`` over pairs of disjoint blocks a != b and
``(tr C)^2`` by the mean of ``tr C_a tr C_b``, both unbiased when blocks are independent.
"""
import numpy as np

from .. import _validate as v
from .._random import as_generator
from ._data import as_samples

ESTIMATORS = ("naive", "cross_block", "jackknife")


def _centered(X):
    return X - X.mean(axis=0, keepdims=True)


def pca_spectrum(X, axis=0, normalize=False):
    """Covariance eigenvalues (variance along each principal component), largest first.

    Parameters
    ----------
    X : 2-D array
        Activity, samples along ``axis`` (default rows = samples, columns = neurons).
    axis : {0, 1}
        Axis indexing samples.
    normalize : bool
        Return explained-variance ratios (summing to 1) instead of variances.

    Returns
    -------
    (min(n_samples - 1, n_neurons),) array
        Variances in the squared units of X (sample covariance, ddof = 1).
    """
    A = as_samples(X, "X", axis, min_samples=2)
    s = np.linalg.svd(_centered(A), compute_uv=False)
    lam = s ** 2 / (A.shape[0] - 1)
    lam = lam[: min(A.shape[0] - 1, A.shape[1])]
    return lam / lam.sum() if normalize else lam


def participation_ratio_of_spectrum(eigenvalues):
    """``(sum lambda)^2 / sum lambda^2`` of given eigenvalues (exact, no sampling)."""
    lam = np.asarray(eigenvalues, dtype=float)
    if lam.ndim != 1 or lam.size == 0 or np.any(lam < 0) or not np.all(np.isfinite(lam)):
        raise ValueError(f"argument 'eigenvalues' must be a non-empty 1-D array of non-negative numbers, got {lam!r}")
    den = np.sum(lam ** 2)
    return float(np.sum(lam) ** 2 / den) if den > 0 else 0.0


def _tr_and_tr2(A):
    """tr C and tr C^2 of the sample covariance of the (centered) block A, without forming N x N
    when samples are fewer than neurons."""
    n = A.shape[0]
    Ac = _centered(A)
    tr = np.sum(Ac * Ac) / (n - 1)
    K = Ac @ Ac.T if n <= A.shape[1] else Ac.T @ Ac
    return tr, np.sum(K * K) / (n - 1) ** 2, Ac


def participation_ratio(X, axis=0, estimator="naive", n_blocks=8, drop_smallest=False, shuffle=False, rng=None):
    """Participation ratio ``(tr C)^2 / tr(C^2)`` of the sample covariance C of X.

    Parameters
    ----------
    X : 2-D array
        Activity, samples along ``axis`` (time points, stimuli or trials).
    axis : {0, 1}
        Axis indexing samples; the other indexes neurons.
    estimator : {'naive', 'cross_block', 'jackknife'}
        'naive': the plug-in value, biased downward by finite samples.
        'cross_block': split the samples into ``n_blocks`` consecutive blocks (each centered on its
        own mean, ddof = 1) and use mean_{a!=b} tr C_a tr C_b / mean_{a!=b} tr(C_a C_b); unbiased
        numerator and denominator for independent blocks (Clark et al. 2023). For time series keep
        the blocks consecutive (long compared with the correlation time).
        'jackknife': delete-one-block jackknife correction of the naive value.
    n_blocks : int
        Blocks for the bias-corrected estimators (>= 2).
    drop_smallest : bool
        Drop the smallest singular value first (the behaviour of the MFTMA reference code
        ``alldata_dimension_analysis``, right when samples <= neurons, wrong otherwise). Only with
        estimator='naive'.
    shuffle : bool
        Assign samples to blocks at random (for i.i.d. samples); uses ``rng``.
    rng : int, Generator or None

    Returns
    -------
    float
        Dimensionless, between 1 and min(samples, neurons) for the naive estimator; the corrected
        estimators can exceed it slightly through noise.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"argument 'estimator' must be one of {ESTIMATORS}, got {estimator!r}")
    A = as_samples(X, "X", axis, min_samples=2)
    if estimator == "naive":
        if drop_smallest:
            s = np.linalg.svd(_centered(A), compute_uv=False)
            return participation_ratio_of_spectrum(s[:-1] ** 2)
        tr, tr2, _ = _tr_and_tr2(A)
        return float(tr * tr / tr2) if tr2 > 0 else 0.0
    if drop_smallest:
        raise ValueError("argument 'drop_smallest' is only available with estimator='naive'")
    B = v.count(n_blocks, "n_blocks", 2)
    n = A.shape[0]
    if n < 2 * B:
        raise ValueError(f"argument 'X' has {n} samples; estimator {estimator!r} with n_blocks={B} needs at "
                         f"least {2 * B}")
    idx = as_generator(rng).permutation(n) if shuffle else np.arange(n)
    blocks = np.array_split(idx, B)
    if estimator == "jackknife":
        full = participation_ratio(A, 0)
        loo = [participation_ratio(A[np.setdiff1d(idx, b)], 0) for b in blocks]
        return float(B * full - (B - 1) * np.mean(loo))
    trs, cent = [], []
    for b in blocks:
        Ac = _centered(A[b])
        trs.append(np.sum(Ac * Ac) / (len(b) - 1))
        cent.append(Ac / np.sqrt(len(b) - 1))
    trs = np.array(trs)
    num = (trs.sum() ** 2 - np.sum(trs ** 2)) / (B * (B - 1))
    # sum_{a != b} tr(C_a C_b) = |sum_a C_a|_F^2 - sum_a |C_a|_F^2, in the cheaper space
    if A.shape[1] <= n:
        Cs = [c.T @ c for c in cent]
        tot = sum(Cs)
        den = np.sum(tot * tot) - sum(np.sum(C * C) for C in Cs)
    else:
        Z = np.vstack(cent)
        K = Z @ Z.T
        off = [0] + list(np.cumsum([len(b) for b in blocks]))
        diag = sum(np.sum(K[off[a]:off[a + 1], off[a]:off[a + 1]] ** 2) for a in range(B))
        den = np.sum(K * K) - diag
    den /= B * (B - 1)
    return float(num / den) if den > 0 else float("nan")


def explained_variance_dimension(X, axis=0, fraction=0.9, convention="cross"):
    """Number of principal components needed to explain ``fraction`` of the variance.

    convention : {'cross', 'reference'}
        'cross': the smallest k whose cumulative explained variance is >= fraction.
        'reference': the count of PCs whose cumulative explained variance stays <= fraction
        (the MFTMA reference code ``D_expvar``; usually one less).
    """
    if not (0 < fraction <= 1):
        raise ValueError(f"argument 'fraction' must be in (0, 1], got {fraction!r}")
    c = np.cumsum(pca_spectrum(X, axis, normalize=True))
    if convention == "cross":
        return int(np.searchsorted(c, fraction - 1e-12) + 1)
    if convention == "reference":
        return int(np.sum(c <= fraction))
    raise ValueError(f"argument 'convention' must be 'cross' or 'reference', got {convention!r}")


def two_nn_dimension(X, axis=0, discard_fraction=0.1):
    """Intrinsic (nonlinear) dimension by the TwoNN estimator (Facco, d'Errico, Rodriguez & Laio 2017).

    For each point, mu = r2 / r1 is the ratio of its second- to first-nearest-neighbour distance;
    on a d-dimensional manifold (locally uniform density) mu is Pareto distributed with
    F(mu) = 1 - mu^{-d}, so -log(1 - F(mu)) = d log mu. As in the paper, d is the slope of a
    straight-line fit through the origin of -log(1 - F_emp) against log mu, leaving out the largest
    ``discard_fraction`` of the mu values (points in sparse regions or at borders).

    Returns
    -------
    float
        Dimensionless intrinsic dimension.
    """
    from scipy.spatial import cKDTree

    A = as_samples(X, "X", axis, min_samples=4)
    if not (0 <= discard_fraction < 1):
        raise ValueError(f"argument 'discard_fraction' must be in [0, 1), got {discard_fraction!r}")
    d, _ = cKDTree(A).query(A, k=3)
    r1, r2 = d[:, 1], d[:, 2]
    ok = r1 > 0
    if ok.sum() < 3:
        raise ValueError("argument 'X' has fewer than 3 distinct points")
    mu = np.sort(r2[ok] / r1[ok])
    n = len(mu)
    F = np.arange(n) / n
    keep = max(3, int(np.floor(n * (1 - discard_fraction))))
    x, y = np.log(mu[:keep]), -np.log(1 - F[:keep])
    return float(np.sum(x * y) / np.sum(x * x))
