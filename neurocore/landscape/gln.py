"""Gated linear networks and the infinite-time limit of gradient descent (Lippl, Abbott & Chung 2022).

Each unit h of the gated layer owns ``s`` input hyperplanes ``(u_hj, beta_hj)``; its context
``c_h(x) = sum_j 2^j 1[u_hj . x > beta_hj]`` is one of ``C = 2^s`` and selects which of its C weight
vectors it uses. Gates depend on the network input only and are never trained.

* shallow GLN: ``f(x) = W_{c(x)} . x`` (one unit, no readout);
* two-layer GLN: ``f(x) = sum_h a_h W_{h, c_h(x)} . x`` (trained readout a, no bias: homogeneous).

Trained by gradient descent on the logistic loss of separable data, ``theta/||theta||`` converges to
a KKT point of ``min ||theta||^2 s.t. y_i f(x_i) >= 1`` (Lyu & Li 2020). For the shallow GLN that is a
hard-margin SVM per context; for the two-layer GLN, with effective weights ``beta_hc = a_h W_hc``,
it is the group-norm program ``min sum_h ||beta_h||_2 s.t. y_i sum_h beta_{h, c_h(x_i)} . x_i >= 1``.
Under gradient flow ``a_h^2 - sum_c ||W_hc||^2`` is conserved for every unit h.

Inputs carry the bias: append a constant 1 to x (:func:`append_bias`).
"""
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _landscape
from ..errors import ConvergenceError
from .errors import ConvergenceFailure, NotSeparableError

__all__ = ["append_bias", "HyperplaneGates", "hyperplane_gates", "GatedLinearNetwork", "context_max_margin",
           "group_norm_max_margin", "GroupNormSolution", "relu_gates", "load_digits_binary", "cosine"]

_METHODS = {"gd": 0, "midpoint": 1}
_NORMALIZED = {False: 0, True: 1, "log": 2}


def append_bias(X):
    """``[X, 1]``: the bias of the gated layer lives in the data."""
    X = np.asarray(X, dtype=float)
    return np.hstack([X, np.ones((X.shape[0], 1))])


def cosine(u, v_):
    """Cosine similarity of two arrays, flattened."""
    u = np.ravel(u)
    v_ = np.ravel(v_)
    return float(u @ v_ / (np.linalg.norm(u) * np.linalg.norm(v_)))


@dataclass
class HyperplaneGates:
    """Input-hyperplane gates: ``U`` (H, s, d) normals and ``offsets`` (H, s)."""
    U: np.ndarray
    offsets: np.ndarray

    @property
    def n_hidden(self):
        return self.U.shape[0]

    @property
    def shatter_dim(self):
        return self.U.shape[1]

    @property
    def n_contexts(self):
        return 2 ** self.shatter_dim

    def contexts(self, X):
        """Context ids (P, H) int32: bit j of c_h(x) is ``1[u_hj . x > offset_hj]``."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.U.shape[2]:
            raise ValueError(f"argument 'X' must have shape (P, {self.U.shape[2]}), got {X.shape}")
        if self.shatter_dim == 0:
            return np.zeros((X.shape[0], self.n_hidden), dtype=np.int32)
        proj = np.einsum("hsd,pd->phs", self.U, X) > self.offsets[None]
        return (proj * (2 ** np.arange(self.shatter_dim))).sum(axis=2).astype(np.int32)


def hyperplane_gates(X, n_hidden, shatter_dim, median_init=True, rng=None, u_std=1.0, offset_std=0.0):
    """Random gates for ``n_hidden`` units with ``shatter_dim`` hyperplanes each.

    Normals ``u ~ N(0, u_std^2)``. With ``median_init`` the offset of every hyperplane is the
    median of ``u . x`` over X, so each hyperplane halves the data (scale-free, the right choice for
    small inputs); otherwise offsets ~ N(0, offset_std^2) (the reference code uses u_std = 36,
    offset_std = 9 for 785-dim MNIST inputs in [-1, 1])."""
    X = np.asarray(X, dtype=float)
    H = v.count(n_hidden, "n_hidden", 1)
    s = v.count(shatter_dim, "shatter_dim", 0)
    if s > 20:
        raise ValueError(f"argument 'shatter_dim' must be <= 20 (2^s contexts per unit), got {s}")
    gen = as_generator(rng)
    U = gen.normal(0.0, u_std, (H, s, X.shape[1]))
    if median_init:
        offsets = np.median(np.einsum("hsd,pd->hsp", U, X), axis=2) if s else np.zeros((H, 0))
    else:
        offsets = gen.normal(0.0, offset_std, (H, s))
    return HyperplaneGates(U, offsets)


def relu_gates(W, X):
    """The gates of a ReLU layer with incoming weights W (H, d), frozen: context 1 where
    ``W_h . x > 0``, else 0. Shape (P, H) int32."""
    return (np.asarray(X, float) @ np.asarray(W, float).T > 0).astype(np.int32)


def _labels(y, P):
    y = np.asarray(y, dtype=float)
    if y.shape != (P,) or not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError(f"argument 'y' must be a ({P},) array of labels +1/-1, got shape {y.shape}")
    return y


class GatedLinearNetwork:
    """A shallow (``readout=False``) or two-layer (``readout=True``) gated linear network.

    Parameters
    ----------
    gates : HyperplaneGates
    readout : bool
        Train a readout a (two-layer GLN). Without it the network must have one unit and a = 1.
    init_scale : float
        Initial weights: ``W ~ N(0, init_scale^2 / d)``, ``a ~ N(0, init_scale^2)``.
    rng : int, Generator or None
    """

    def __init__(self, gates, readout=True, init_scale=0.1, rng=None):
        if not isinstance(gates, HyperplaneGates):
            raise TypeError(f"argument 'gates' must be a HyperplaneGates, got {type(gates).__name__}")
        self.gates = gates
        self.readout = bool(readout)
        if not self.readout and gates.n_hidden != 1:
            raise ValueError(f"argument 'gates': a shallow GLN (readout=False) has one unit, got {gates.n_hidden}")
        init_scale = v.nonnegative(init_scale, "init_scale")
        gen = as_generator(rng)
        H, C, d = gates.n_hidden, gates.n_contexts, gates.U.shape[2]
        self.W = gen.normal(0.0, init_scale / np.sqrt(d), (H, C, d))
        self.a = gen.normal(0.0, init_scale, H) if self.readout else np.ones(1)

    @property
    def theta(self):
        return np.concatenate([self.W.ravel(), self.a])

    @theta.setter
    def theta(self, value):
        H, C, d = self.W.shape
        self.W = np.asarray(value[: H * C * d], float).reshape(H, C, d).copy()
        self.a = np.asarray(value[H * C * d:], float).copy()

    @property
    def effective_weights(self):
        """``beta_hc = a_h W_hc``, shape (H, C, d): the function depends on theta only through these."""
        return self.a[:, None, None] * self.W

    def conserved_quantities(self):
        """``a_h^2 - sum_c ||W_hc||^2`` per unit (constant under gradient flow)."""
        return self.a ** 2 - np.sum(self.W ** 2, axis=(1, 2))

    def output(self, X):
        """Network output f(x) for each row of X."""
        X = np.asarray(X, float)
        ctx = self.gates.contexts(X)
        beta = self.effective_weights
        return np.einsum("phd,pd->p", beta[np.arange(beta.shape[0])[None, :], ctx], X)

    def loss_and_gradient(self, X, y):
        """Mean logistic loss and its gradient with respect to theta (C)."""
        X = np.asarray(X, float)
        y = _labels(y, X.shape[0])
        f, loss, grad = _landscape.gln_loss_grad(X, y, self.gates.contexts(X), self.theta, self.gates.n_contexts,
                                                 self.readout)
        return loss, grad

    def train(self, X, y, n_steps, lr, method="gd", normalized=False, progress=None):
        """Full-batch training on the logistic loss, in C; updates the network in place.

        Parameters
        ----------
        X : (P, d) array, y : (P,) array of +-1
        n_steps : int
        lr : float
            Step size.
        normalized : {False, True, 'log'}
            False: plain GD ``lr grad L``. True: loss-normalised GD ``lr grad L / L``, a
            time-reparametrised gradient flow that reaches the max-margin direction much faster
            (the right choice for the shallow GLN, which is linear in theta). 'log':
            ``lr grad log L / max(1, |log L|)``, stable at any scale for the degree-2 homogeneous
            two-layer GLN (||theta||^2 then grows linearly with the steps).
        method : {'gd', 'midpoint'}
            Explicit GD, or the implicit midpoint rule, which conserves ``a_h^2 - ||W_h||^2``
            exactly (to the fixed-point tolerance 1e-14).
        progress : callable(done, total), optional

        Returns
        -------
        loss_trace : (n_steps,) array
            The loss before each step (its log when ``normalized``).
        """
        X = np.asarray(X, float)
        y = _labels(y, X.shape[0])
        if normalized not in _NORMALIZED:
            raise ValueError(f"argument 'normalized' must be False, True or 'log', got {normalized!r}")
        n_steps = v.count(n_steps, "n_steps", 0)
        lr = v.positive(lr, "lr")
        theta, trace = _landscape.gln_train(X, y, self.gates.contexts(X), self.theta, self.gates.n_contexts,
                                            self.readout, n_steps, lr, v.choice(method, "method", _METHODS),
                                            _NORMALIZED[normalized], progress=progress)
        self.theta = theta
        return trace

    def normalized_margin(self, X, y):
        """``min_i y_i f(x_i) / ||theta||^2`` (degree-2 homogeneity of the two-layer GLN; degree 1
        and ``/ ||W||`` for the shallow one)."""
        m = np.min(_labels(y, len(X)) * self.output(X))
        if self.readout:
            return float(m / np.sum(self.theta ** 2))
        return float(m / np.linalg.norm(self.W))


def _contexts_2d(contexts, P):
    c = np.asarray(contexts)
    if c.ndim == 1:
        c = c[:, None]
    if c.ndim != 2 or c.shape[0] != P:
        raise ValueError(f"argument 'contexts' must have shape ({P},) or ({P}, H), got {np.shape(contexts)}")
    return c.astype(np.int64)


def _separable(Phi, y):
    """Whether some w has y_i w . phi_i >= 1 for all i (an LP feasibility problem, HiGHS)."""
    from scipy.optimize import linprog
    r = linprog(np.zeros(Phi.shape[1]), A_ub=-(y[:, None] * Phi), b_ub=-np.ones(len(y)),
                bounds=[(None, None)] * Phi.shape[1], method="highs")
    return r.status == 0


def _svm(Q, alpha0=None, tol=1e-10, max_sweeps=200000, features=None, y=None):
    """Hard-margin SVM dual in C. On failure, an LP on the explicit ``features`` decides between
    'not separable' (NotSeparableError) and a genuine convergence failure."""
    try:
        return _landscape.svm_dual(Q, alpha0, tol, max_sweeps, 1e10)
    except ValueError as e:
        raise NotSeparableError(str(e)) from None
    except ConvergenceError:
        if features is not None and not _separable(features(), y):
            raise NotSeparableError("the data are not linearly separable with these gates/contexts: the "
                                    "max-margin program is infeasible") from None
        raise


def context_max_margin(X, y, contexts, n_contexts, tol=1e-10, max_sweeps=200000):
    """Per-context hard-margin SVM (no bias beyond the data's constant input): the infinite-time
    limit direction of a shallow GLN.

    Solves ``min sum_c ||w_c||^2 s.t. y_i w_{c(x_i)} . x_i >= 1`` through its dual by exact
    coordinate ascent in C (the joint kernel is block-diagonal in the contexts).

    Returns
    -------
    W : (n_contexts, d) array
        Max-margin weights (zero for contexts without data).
    alpha : (P,) array
        Dual variables (support vectors are alpha > 0).

    Raises
    ------
    NotSeparableError
    neurocore.errors.ConvergenceError
        If the KKT violation is still above ``tol`` after ``max_sweeps`` sweeps (tiny margins
        converge slowly; loosen tol).
    """
    X = np.asarray(X, float)
    y = _labels(y, X.shape[0])
    c = _contexts_2d(contexts, X.shape[0])[:, 0]
    same = c[:, None] == c[None, :]
    Q = (y[:, None] * y[None, :]) * same * (X @ X.T)
    n_contexts = v.count(n_contexts, "n_contexts", 1)
    if c.min() < 0 or c.max() >= n_contexts:
        raise ValueError(f"argument 'contexts' must lie in [0, {n_contexts}), got [{c.min()}, {c.max()}]")

    def features():  # x_i placed in the block of its context
        Phi = np.zeros((len(y), n_contexts * X.shape[1]))
        for i, ci in enumerate(c):
            Phi[i, ci * X.shape[1]:(ci + 1) * X.shape[1]] = X[i]
        return Phi
    alpha, _, _ = _svm(Q, tol=tol, max_sweeps=max_sweeps, features=features, y=y)
    W = np.zeros((n_contexts, X.shape[1]))
    np.add.at(W, c, (alpha * y)[:, None] * X)
    return W, alpha


@dataclass
class GroupNormSolution:
    """Solution of the group-norm max-margin program.

    ``beta`` (H, C, d) effective weights; ``value`` = sum_h ||beta_h|| (the optimum OPT);
    ``dual_value`` a certified lower bound (sum alpha / max_h ||v_h||); ``alpha`` the dual
    variables; ``iterations`` of the reweighting."""
    beta: np.ndarray
    value: float
    dual_value: float
    alpha: np.ndarray
    iterations: int

    def output(self, X, contexts):
        c = _contexts_2d(contexts, len(X))
        return np.einsum("phd,pd->p", self.beta[np.arange(self.beta.shape[0])[None, :], c], np.asarray(X, float))


def group_norm_max_margin(X, y, contexts, n_contexts, trainable=None, tol=1e-6, max_iter=2000, svm_tol=1e-10):
    """The infinite-time limit of a two-layer GLN: ``min_beta sum_h ||beta_h||_2 s.t.
    y_i sum_h beta_{h, c_h(x_i)} . x_i >= 1``.

    Solved by the variational form ``||b|| = min_eta (||b||^2/eta + eta)/2``: for fixed eta the
    problem is a weighted hard-margin SVM with kernel ``sum_h eta_h [c_ih = c_jh] x_i . x_j`` (dual
    coordinate ascent in C, warm-started), then ``eta_h <- ||beta_h||``. Stops when the duality gap
    (primal value minus the dual bound ``sum alpha / max_h ||v_h||``) is below ``tol`` relative.

    Parameters
    ----------
    X : (P, d) array, y : (P,) labels +-1
    contexts : (P, H) int array
        Context of each unit for each sample.
    n_contexts : int
    trainable : (H, C) bool array, optional
        Contexts whose weights are free; the others are fixed at 0 (a frozen ReLU layer is a GLN
        whose inactive context has weight 0).

    Returns
    -------
    GroupNormSolution

    Raises
    ------
    NotSeparableError, ConvergenceFailure
    """
    X = np.asarray(X, float)
    P, d = X.shape
    y = _labels(y, P)
    c = _contexts_2d(contexts, P)
    H = c.shape[1]
    C = v.count(n_contexts, "n_contexts", 1)
    if c.min() < 0 or c.max() >= C:
        raise ValueError(f"argument 'contexts' must lie in [0, {C}), got values in [{c.min()}, {c.max()}]")
    free = np.ones((H, C), bool) if trainable is None else np.asarray(trainable, bool)
    if free.shape != (H, C):
        raise ValueError(f"argument 'trainable' must have shape ({H}, {C}), got {free.shape}")
    on = free[np.arange(H)[None, :], c]  # (P, H): sample i reaches a free weight of unit h
    G = (y[:, None] * y[None, :]) * (X @ X.T)
    masks = [(c[:, h][:, None] == c[:, h][None, :]) & on[:, h][:, None] & on[:, h][None, :] for h in range(H)]
    def features():  # phi_h(x_i) for all units, stacked: (P, H C d)
        Phi = np.zeros((P, H, C, d))
        for h in range(H):
            Phi[on[:, h], h, c[on[:, h], h]] = X[on[:, h]]
        return Phi.reshape(P, -1)

    eta = np.ones(H)
    alpha = None
    ay = None

    def unit_vectors(alpha):
        # v_h = sum_i alpha_i y_i phi_h(x_i): (H, C, d)
        V = np.zeros((H, C, d))
        w = (alpha * y)[:, None] * X
        for h in range(H):
            np.add.at(V[h], c[on[:, h], h], w[on[:, h]])
        return V

    for it in range(1, max_iter + 1):
        S = np.zeros((P, P))
        for h in range(H):
            if eta[h] > 0:
                S += eta[h] * masks[h]
        Q = G * S
        if np.any(np.diag(Q) <= 0):
            bad = int(np.argmin(np.diag(Q)))
            raise NotSeparableError(f"sample {bad} reaches no trainable weight (all its gates are frozen or "
                                    "their weights vanished); the program is infeasible")
        alpha, _, _ = _svm(Q, alpha, tol=svm_tol, features=features, y=y)
        V = unit_vectors(alpha)
        norms = np.sqrt(np.sum(V ** 2, axis=(1, 2)))
        primal = float(np.sum(eta * norms))
        dual = float(alpha.sum() / norms.max())
        eta = eta * norms
        if primal - dual <= tol * primal:
            beta = (eta / np.where(norms > 0, norms, 1.0))[:, None, None] * V  # = eta_old * V
            return GroupNormSolution(beta, primal, dual, alpha, it)
    raise ConvergenceFailure(f"group_norm_max_margin: duality gap {(primal - dual) / primal:.3g} after {max_iter} "
                             f"reweighting iterations, above tol={tol}")


def load_digits_binary(n_train=500, rng=None):
    """The 8x8 digits (scikit-learn's copy of the UCI set, 1797 images) as a binary task, digits
    0-4 (+1) against 5-9 (-1); pixels scaled to [-1, 1] and a constant 1 appended (65 inputs).

    Returns ``(X_train, y_train, X_test, y_test)`` with a random split of ``n_train`` training
    images. Needs scikit-learn (its bundled data file, no download)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("load_digits_binary needs scikit-learn (pip install scikit-learn)") from e
    data = load_digits()
    X = append_bias(data.data / 8.0 - 1.0)
    y = np.where(data.target <= 4, 1.0, -1.0)
    n_train = v.count(n_train, "n_train", 1)
    idx = as_generator(rng).permutation(len(y))
    tr, te = idx[:n_train], idx[n_train:]
    return X[tr], y[tr], X[te], y[te]
