"""Representational similarity and untangling: RDMs and their comparison, linear CKA, trajectory
tangling and linear-probe decodability.

* RSA (Kriegeskorte, Mur & Bandettini 2008): a representational dissimilarity matrix (RDM) per
  representation, compared by rank correlation of their upper triangles (Spearman, or Kendall's
  tau_a, which the RSA toolbox recommends when RDMs have ties).
* Linear CKA (Kornblith et al. 2019): ``|Y^T X|_F^2 / (|X^T X|_F |Y^T Y|_F)`` on column-centered
  data; invariant to orthogonal transforms and isotropic scaling of either representation.
* Tangling (Russo et al. 2018): ``Q(t) = max_t' |xdot_t - xdot_t'|^2 / (|x_t - x_t'|^2 + eps)``,
  high where similar states have different derivatives (the flow field cannot be smooth there).
* Linear-probe decodability: cross-validated accuracy of a ridge-regularised linear classifier.
"""
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .. import _validate as v
from .._random import as_generator
from ._data import as_samples, check_axis
from . import _geometry

RDM_METRICS = ("correlation", "euclidean", "sqeuclidean", "cosine")
RDM_COMPARISONS = ("spearman", "pearson", "kendall_tau_a")


def rdm(X, axis=0, metric="correlation"):
    """Representational dissimilarity matrix between the conditions (samples) of X.

    Parameters
    ----------
    X : 2-D array
        One activity pattern per condition; conditions along ``axis`` (default rows).
    metric : {'correlation', 'euclidean', 'sqeuclidean', 'cosine'}
        'correlation' is 1 - Pearson correlation across neurons.

    Returns
    -------
    (n_conditions, n_conditions) symmetric array with zero diagonal.
    """
    if metric not in RDM_METRICS:
        raise ValueError(f"argument 'metric' must be one of {RDM_METRICS}, got {metric!r}")
    A = as_samples(X, "X", axis, min_samples=2)
    if metric in ("correlation", "cosine"):
        B = A - A.mean(axis=1, keepdims=True) if metric == "correlation" else A
        nrm = np.sqrt(np.sum(B * B, axis=1))
        if np.any(nrm == 0):
            raise ValueError(f"argument 'X' has a constant (or zero) pattern; metric {metric!r} is undefined")
        B = B / nrm[:, None]
        D = 1.0 - B @ B.T
    else:
        sq = np.sum(A * A, axis=1)
        D = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (A @ A.T), 0.0)
        if metric == "euclidean":
            D = np.sqrt(D)
    D = 0.5 * (D + D.T)
    np.fill_diagonal(D, 0.0)
    return D


def _upper(R, name):
    R = np.asarray(R, dtype=float)
    if R.ndim != 2 or R.shape[0] != R.shape[1] or R.shape[0] < 3:
        raise ValueError(f"argument '{name}' must be a square RDM with at least 3 conditions, got shape {R.shape}")
    return R[np.triu_indices(R.shape[0], 1)]


def compare_rdms(rdm_a, rdm_b, method="spearman"):
    """Similarity of two RDMs: rank (or linear) correlation of their upper triangles.

    method : {'spearman', 'pearson', 'kendall_tau_a'}
    """
    if method not in RDM_COMPARISONS:
        raise ValueError(f"argument 'method' must be one of {RDM_COMPARISONS}, got {method!r}")
    a, b = _upper(rdm_a, "rdm_a"), _upper(rdm_b, "rdm_b")
    if a.shape != b.shape:
        raise ValueError(f"arguments 'rdm_a' and 'rdm_b' must have the same size, got {np.shape(rdm_a)} "
                         f"and {np.shape(rdm_b)}")
    if method == "spearman":
        return float(stats.spearmanr(a, b).statistic)
    if method == "pearson":
        return float(np.corrcoef(a, b)[0, 1])
    return float(_geometry.kendall_tau_a(a, b))


def linear_cka(X, Y, axis=0):
    """Linear centered kernel alignment between two representations of the same samples.

    X : (n, p1), Y : (n, p2) with samples along ``axis`` (the same samples in the same order).

    Returns
    -------
    float in [0, 1]
    """
    A = as_samples(X, "X", axis, min_samples=2)
    B = as_samples(Y, "Y", axis, min_samples=2)
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"arguments 'X' and 'Y' must hold the same number of samples along axis {axis}, "
                         f"got {A.shape[0]} and {B.shape[0]}")
    A = A - A.mean(axis=0)
    B = B - B.mean(axis=0)
    if A.shape[0] < max(A.shape[1], B.shape[1]):
        Ka, Kb = A @ A.T, B @ B.T            # n x n Gram matrices: tr(Ka Kb) = |B^T A|_F^2
        num = np.sum(Ka * Kb)
        den = np.linalg.norm(Ka) * np.linalg.norm(Kb)
    else:
        num = np.linalg.norm(B.T @ A) ** 2
        den = np.linalg.norm(A.T @ A) * np.linalg.norm(B.T @ B)
    if den == 0:
        raise ValueError("arguments 'X' and 'Y' must not be constant across samples")
    return float(num / den)


@dataclass
class Tangling:
    """Tangling Q(t) of every time point (concatenated over conditions), its eps, and argmax t'."""
    Q: np.ndarray
    eps: float
    argmax: np.ndarray

    @property
    def max(self):
        return float(np.max(self.Q))

    def quantile(self, q=0.9):
        return float(np.quantile(self.Q, q))


def tangling(trajectories, axis=0, dt=1.0, derivatives=None, eps=None, eps_factor=0.1, n_pcs=None, progress=None):
    """Trajectory tangling (Russo et al., Neuron 2018).

    Parameters
    ----------
    trajectories : 2-D array or list of 2-D arrays
        One trajectory per condition, time along ``axis`` (default rows: (time, neurons)).
        Q is computed over all time points of all conditions together.
    dt : float
        Sample interval (time units); derivatives are central differences (np.gradient).
    derivatives : same structure as ``trajectories``, optional
        Known derivatives instead of finite differences.
    eps : float, optional
        Regulariser (squared units of x). Default ``eps_factor`` times the mean squared norm of the
        mean-centered states (Russo et al. use 0.1 times the total variance).
    n_pcs : int, optional
        Project onto the top principal components first (Russo et al. use ~8-12 for motor cortex).

    Returns
    -------
    Tangling
    """
    axis = check_axis(axis)
    dt = v.positive(dt, "dt")
    trajs = trajectories if isinstance(trajectories, (list, tuple)) else [trajectories]
    X = [as_samples(x, f"trajectories[{i}]", axis, min_samples=2) for i, x in enumerate(trajs)]
    if derivatives is None:
        V = [np.gradient(x, dt, axis=0) for x in X]
    else:
        ders = derivatives if isinstance(derivatives, (list, tuple)) else [derivatives]
        V = [as_samples(d, f"derivatives[{i}]", axis) for i, d in enumerate(ders)]
        if [d.shape for d in V] != [x.shape for x in X]:
            raise ValueError("argument 'derivatives' must match the shapes of 'trajectories'")
    Xa, Va = np.vstack(X), np.vstack(V)
    if len({x.shape[1] for x in X}) != 1:
        raise ValueError("argument 'trajectories': conditions have different neuron counts")
    mu = Xa.mean(axis=0)
    if n_pcs is not None:
        k = v.count(n_pcs, "n_pcs", 1)
        _, _, Vt = np.linalg.svd(Xa - mu, full_matrices=False)
        Xa, Va = (Xa - mu) @ Vt[:k].T, Va @ Vt[:k].T
        mu = np.zeros(Xa.shape[1])
    if eps is None:
        eps = v.positive(eps_factor, "eps_factor") * float(np.mean(np.sum((Xa - mu) ** 2, axis=1)))
        if not eps > 0:
            raise ValueError("argument 'trajectories' is constant; pass eps explicitly")
    Q, arg = _geometry.tangling(np.ascontiguousarray(Xa), np.ascontiguousarray(Va), v.positive(eps, "eps"),
                                progress=progress)
    return Tangling(Q, float(eps), arg)


def linear_probe_accuracy(X, labels, axis=0, n_folds=5, ridge=1e-3, rng=None):
    """Cross-validated accuracy of a linear readout (one-vs-rest ridge regression on +-1 targets).

    Parameters
    ----------
    X : 2-D array
        Activity, samples along ``axis``.
    labels : (n_samples,) array
        Class of each sample (any hashable values).
    n_folds : int
        Stratification is not enforced; samples are shuffled once with ``rng``.
    ridge : float
        L2 penalty relative to the mean eigenvalue of the training covariance (dimensionless).

    Returns
    -------
    float
        Mean held-out accuracy (chance = 1 / n_classes).
    """
    A = as_samples(X, "X", axis, min_samples=2)
    y = np.asarray(labels)
    if y.ndim != 1 or y.shape[0] != A.shape[0]:
        raise ValueError(f"argument 'labels' must be 1-D with one label per sample ({A.shape[0]}), got shape {y.shape}")
    classes, yi = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError("argument 'labels' must contain at least 2 classes")
    k = v.count(n_folds, "n_folds", 2)
    if k > A.shape[0]:
        raise ValueError(f"argument 'n_folds' ({k}) exceeds the number of samples ({A.shape[0]})")
    ridge = v.nonnegative(ridge, "ridge")
    perm = as_generator(rng).permutation(A.shape[0])
    correct = 0
    for test in np.array_split(perm, k):
        train = np.setdiff1d(perm, test)
        Xtr, Xte = A[train], A[test]
        mu = Xtr.mean(axis=0)
        Xtr, Xte = Xtr - mu, Xte - mu
        Ytr = -np.ones((len(train), len(classes)))
        Ytr[np.arange(len(train)), yi[train]] = 1.0
        b = Ytr.mean(axis=0)
        n, p = Xtr.shape
        lam = ridge * max(np.sum(Xtr * Xtr) / max(n, 1) / p, 1e-300) * n
        if p <= n:
            W = np.linalg.solve(Xtr.T @ Xtr + lam * np.eye(p), Xtr.T @ (Ytr - b))
        else:
            W = Xtr.T @ np.linalg.solve(Xtr @ Xtr.T + lam * np.eye(n), Ytr - b)
        pred = np.argmax(Xte @ W + b, axis=1)
        correct += int(np.sum(pred == yi[test]))
    return correct / A.shape[0]
