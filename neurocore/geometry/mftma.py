"""Mean-field theoretic manifold analysis (MFTMA): capacity, radius and dimension of class manifolds.

Theory: Chung, Lee & Sompolinsky, "Classification and geometry of general perceptual manifolds",
PRX 8, 031003 (2018); with center correlations: Cohen, Chung, Lee & Sompolinsky, Nat. Commun. 11,
746 (2020). Algorithm as in the authors' reference code (``mftma``), notes seed001_learning.md 3.2.

For each manifold the capacity is ``alpha_M^{-1} = < (t . s(t) + kappa)_+^2 / |s(t)|^2 >_t`` over
Gaussian vectors t in D+1 dimensions, where the anchor point s(t) solves a small quadratic programme
(solved exactly in C: an NNLS active-set method, ``csrc/kernels/geometry.c``). Radius and dimension
follow from the anchor statistics (PRX eqs. 28, 29); the population capacity is the harmonic mean.
The capacity is the critical load P/N of random dichotomies of the manifolds that a linear
readout through the origin can separate with margin kappa.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import integrate, special

from .. import _validate as v
from .._random import as_generator
from ._data import as_manifolds
from . import _geometry


def gardner_capacity(kappa=0.0):
    """Capacity of random points with margin kappa (Gardner 1988):
    ``alpha(kappa)^{-1} = int_{-kappa}^inf Dt (t + kappa)^2``; alpha(0) = 2.

    The integral has the closed form ``(1 + kappa^2) Phi(kappa) + kappa phi(kappa)`` with Phi, phi
    the standard normal CDF and density.
    """
    k = v.nonnegative(kappa, "kappa") if np.ndim(kappa) == 0 else None
    kappa = np.asarray(kappa, dtype=float) if k is None else k
    Phi = special.ndtr(kappa)
    phi = np.exp(-0.5 * np.square(kappa)) / np.sqrt(2 * np.pi)
    inv = (1 + np.square(kappa)) * Phi + kappa * phi
    return 1.0 / inv


def gardner_capacity_quad(kappa):
    """The same integral by quadrature (scipy.integrate.quad), for cross-checking."""
    f = lambda t: np.exp(-0.5 * t * t) / np.sqrt(2 * np.pi) * (t + kappa) ** 2
    return 1.0 / integrate.quad(f, -kappa, np.inf, epsabs=1e-13)[0]


# ---------------------------------------------------------------- center correlations


def _qr_retract(Y):
    Q, R = np.linalg.qr(Y)
    return Q * np.where(np.diag(R) < 0, -1.0, 1.0)


def _mean_abs_offdiag_corr(X):
    P = X.shape[0]
    nrm = np.sqrt(np.sum(X * X, axis=1))
    Cn = (X @ X.T) / np.outer(nrm, nrm)
    return float((np.sum(np.abs(Cn)) - P) / (P * (P - 1)))


@dataclass
class CenterCorrelation:
    """Low-rank structure of the manifold centers (Cohen et al. 2020).

    basis : (N, K) orthonormal directions removed from every manifold (K = 0 when disabled).
    residual_correlation : mean |cos| between centered centers after removal, for K = 1, 2, ...
    correlation : the same before removal (the reported "center correlation", res_coeff0).
    """
    basis: np.ndarray
    K: int
    correlation: float
    residual_correlation: np.ndarray


def center_correlation_structure(centers, n_restarts=10, max_K=None, rng=None, max_iter=500):
    """Find the K directions whose removal decorrelates the manifold centers.

    Parameters
    ----------
    centers : (P, N) array
        One center (mean activity) per manifold, rows = manifolds.
    n_restarts : int
        Random restarts per K (the reference uses 10), keeping the most stable solution.
    max_K : int, optional
        Largest K tried; default: (PCs before 95% center variance) + 11, as the reference.

    Returns
    -------
    CenterCorrelation
    """
    rng = as_generator(rng)
    centers = np.asarray(centers, dtype=float)
    P, N = centers.shape
    Xb = centers - centers.mean(axis=0, keepdims=True)
    q, _ = np.linalg.qr(Xb.T)
    nd = min(P - 1, q.shape[1])
    q = q[:, :nd]
    X = Xb @ q
    corr0 = _mean_abs_offdiag_corr(X)
    if nd < 2:
        return CenterCorrelation(np.zeros((N, 0)), 0, corr0, np.zeros(0))
    sv = np.linalg.svd(Xb, compute_uv=False)
    tot = np.cumsum(sv ** 2) / np.sum(sv ** 2)
    below = np.where(tot < 0.95)[0]
    mk = (below[-1] if len(below) else 0) + 11
    if max_K is not None:
        mk = v.count(max_K, "max_K", 1)
    mk = min(mk, nd - 1)
    denom = np.sqrt(np.sum(X * X, axis=1))
    Vs, res = [], []
    V1 = None
    for K in range(1, mk + 1):
        best, best_stab = None, -1.0
        for _ in range(n_restarts):
            s = rng.standard_normal((nd, 1))
            V0 = _qr_retract(s if V1 is None else np.hstack([s, V1]))
            Vt, _ = _geometry.stiefel_decorrelate(X, V0, max_iter=max_iter)
            X0 = X - (X @ Vt) @ Vt.T
            stab = float(np.min(np.sqrt(np.sum(X0 * X0, axis=1)) / denom))
            if stab > best_stab:
                best, best_stab = Vt, stab
        V1 = best
        X0 = X - (X @ V1) @ V1.T
        Vs.append(V1)
        res.append(_mean_abs_offdiag_corr(X0))
        if K > 4 and res[-1] > res[-2] > res[-3] > res[-4]:
            break
    res = np.array(res)
    Kopt = int(np.argmin(res)) + 1
    return CenterCorrelation(q @ Vs[Kopt - 1], Kopt, corr0, res)


# ---------------------------------------------------------------- MFTMA


@dataclass
class ManifoldAnalysis:
    """MFTMA result. Per-manifold arrays are indexed like the input manifolds.

    capacity : alpha_M (load P/N per manifold, dimensionless)
    radius : R_M, in units of the (normalised) center norm
    dimension : D_M
    capacity_population : harmonic mean of ``capacity`` (the critical P/N of the whole set)
    center_correlation : mean |cos| between centered manifold centers before removal
    K : number of center directions removed
    case_fractions : (P, 3) fraction of Gaussian samples in the interior / touching / embedded regime
    """
    capacity: np.ndarray
    radius: np.ndarray
    dimension: np.ndarray
    kappa: float
    n_t: int
    center_correlation: float
    K: int
    case_fractions: np.ndarray
    centers_removed: object = None
    extra: dict = field(default_factory=dict)

    @property
    def capacity_population(self):
        return float(1.0 / np.mean(1.0 / self.capacity))

    @property
    def radius_mean(self):
        return float(np.mean(self.radius))

    @property
    def dimension_mean(self):
        return float(np.mean(self.dimension))

    def capacity_theory(self):
        """The large-D approximation ``alpha_M ~ (1 + R_M^{-2}) / D_M`` per manifold (kappa = 0;
        PRX eq. 34 with the Gardner margin replaced by R sqrt(D))."""
        return (1.0 + self.radius ** -2) / self.dimension


def _anchor_stats(S, T, kappa, tol=1e-12):
    """Capacity, radius, dimension and case counts of one manifold (S: m x (D+1), center col 1)."""
    W, cases, _ = _geometry.anchors(S, T, kappa=kappa, tol=tol)
    D = S.shape[1] - 1
    s_all = W @ S
    ts = np.sum(s_all * T, axis=1)
    ss = np.sum(s_all * s_all, axis=1)
    slack = np.maximum(ts + kappa, 0.0) ** 2 / np.where(ss > 0, ss, np.inf)
    capacity = 1.0 / np.mean(slack) if np.mean(slack) > 0 else np.inf
    ds = (s_all - s_all.mean(axis=0))[:, :D] / s_all[:, D:]
    radius = float(np.sqrt(np.mean(np.sum(ds * ds, axis=1))))
    tD, sD = T[:, :D], s_all[:, :D]
    t_hat = tD / np.sqrt(np.sum(tD * tD, axis=1, keepdims=True))
    s_hat = sD / np.sqrt(np.sum(sD * sD, axis=1, keepdims=True) + 1e-12)
    dimension = D * float(np.mean(np.sum(t_hat * s_hat, axis=1))) ** 2
    frac = np.bincount(cases, minlength=3)[:3] / len(cases)
    return capacity, radius, dimension, frac


def manifold_analysis(manifolds, kappa=0.0, n_t=200, axis=0, labels=None, remove_center_correlation=True,
                      n_restarts=10, max_K=None, t_vectors=None, rng=None, progress=False):
    """MFTMA of a set of class manifolds: capacity, radius, dimension and center correlations.

    Parameters
    ----------
    manifolds : list of 2-D arrays, or one 2-D array with ``labels``
        Manifold i is a point cloud (M_i points, N neurons) with ``axis=0`` (the default; samples
        are rows) or (N, M_i) with ``axis=1``. M_i < N is recommended (M_i >= N is allowed).
    kappa : float
        Margin, in units of the (normalised) center norm (>= 0).
    n_t : int
        Gaussian samples per manifold (the reference README's default is 200).
    remove_center_correlation : bool
        Project out the low-rank structure of the centers first (Cohen et al. 2020), as the
        reference code always does. False analyses the manifolds as they are (after global-mean
        removal and center normalisation), which is what the PRX theory of random centers assumes.
    n_restarts, max_K : see :func:`center_correlation_structure`.
    t_vectors : list of (n_t, D_i + 1) arrays, optional
        Fixed Gaussian samples per manifold (D_i = min(M_i, N)), for reproducing other code.
    rng : int, Generator or None

    Returns
    -------
    ManifoldAnalysis
    """
    rng = as_generator(rng)
    kappa = v.nonnegative(kappa, "kappa")
    n_t = v.count(n_t, "n_t", 1)
    mans = as_manifolds(manifolds, labels, axis, min_points=1)
    P = len(mans)
    if P < 2 and remove_center_correlation:
        raise ValueError("argument 'manifolds' needs at least 2 manifolds for center-correlation removal "
                         "(or pass remove_center_correlation=False)")
    origin = sum(m.sum(axis=0) for m in mans) / sum(m.shape[0] for m in mans)
    Xs = [m - origin for m in mans]
    centers = np.array([m.mean(axis=0) for m in Xs])
    if remove_center_correlation:
        cc = center_correlation_structure(centers, n_restarts=n_restarts, max_K=max_K, rng=rng)
    else:
        cc = CenterCorrelation(np.zeros((centers.shape[1], 0)), 0,
                               _mean_abs_offdiag_corr(centers - centers.mean(axis=0)) if P > 1 else 0.0,
                               np.zeros(0))
    Vb = cc.basis
    cap, rad, dim, fr = np.zeros(P), np.zeros(P), np.zeros(P), np.zeros((P, 3))
    for i, Xr in enumerate(Xs):
        if Vb.shape[1]:
            Xr = Xr - (Xr @ Vb) @ Vb.T
        c = Xr.mean(axis=0)
        cn = np.linalg.norm(c)
        if not cn > 0:
            raise ValueError(f"argument 'manifolds[{i}]' has a zero center after global-mean (and center-"
                             f"correlation) removal; its capacity is undefined")
        Sr = (Xr - c) / cn                      # (M, N): rows are points
        M, N = Sr.shape
        if N > M:
            # Reduce to M dimensions keeping every inner product: the reference QR-reduces; any
            # factor F with F F^T = Sr Sr^T is equivalent because the Gaussian t is isotropic.
            lam, U = np.linalg.eigh(Sr @ Sr.T)
            Sr = U * np.sqrt(np.maximum(lam, 0.0))
        S = np.hstack([Sr, np.ones((Sr.shape[0], 1))])
        d1 = S.shape[1]
        if t_vectors is not None:
            T = np.asarray(t_vectors[i], dtype=float)
            if T.ndim != 2 or T.shape[1] != d1:
                raise ValueError(f"argument 't_vectors[{i}]' must be (n_t, {d1}), got {T.shape}")
        else:
            T = rng.standard_normal((n_t, d1))
        cap[i], rad[i], dim[i], fr[i] = _anchor_stats(np.ascontiguousarray(S), T, kappa)
        if progress:
            print(f"manifold {i + 1}/{P}: alpha={cap[i]:.4g} R={rad[i]:.4g} D={dim[i]:.4g}", flush=True)
    return ManifoldAnalysis(cap, rad, dim, kappa, n_t, cc.correlation, cc.K, fr, cc)


# ---------------------------------------------------------------- simulated separability


def dichotomy_separable(manifolds, y, tol=1e-7):
    """Whether a linear readout through the origin separates all points of the manifolds with
    labels ``y`` (one +-1 per manifold): sign(w . x) = y_i for every point x of manifold i.

    Solved as the bounded LP  max delta  s.t.  y_i w . x >= delta,  -1 <= w_j <= 1,  0 <= delta <= 1
    (HiGHS), which is always feasible; the dichotomy is separable iff delta* > tol max|x|.

    manifolds : list of (M_i, N) arrays (rows are points).
    """
    from scipy.optimize import linprog

    Z = np.vstack([yi * m for yi, m in zip(y, manifolds)])
    n, N = Z.shape
    c = np.zeros(N + 1)
    c[-1] = -1.0
    A = np.hstack([-Z, np.ones((n, 1))])
    res = linprog(c, A_ub=A, b_ub=np.zeros(n), bounds=[(-1.0, 1.0)] * N + [(0.0, 1.0)], method="highs")
    if res.status != 0:
        raise RuntimeError(f"linprog failed with status {res.status}: {res.message}")
    return bool(-res.fun > tol * max(1.0, float(np.max(np.abs(Z)))))


def separability_fraction(manifolds, n_dichotomies=50, axis=0, rng=None):
    """Fraction of random balanced-sign dichotomies (labels +-1 with probability 1/2 per manifold)
    of the manifolds that are linearly separable through the origin.

    Returns
    -------
    float in [0, 1]
    """
    rng = as_generator(rng)
    mans = as_manifolds(manifolds, None, axis)
    n = v.count(n_dichotomies, "n_dichotomies", 1)
    ok = 0
    for _ in range(n):
        y = rng.choice([-1.0, 1.0], size=len(mans))
        ok += dichotomy_separable(mans, y)
    return ok / n
