"""Two-layer networks ``f(x) = sum_i a_i sigma(w_i . x)``: output, loss, gradient and exact Hessian in C.

The parameter vector is ``theta = [W.ravel(), A.ravel()]`` with ``W`` of shape (m, d) (incoming
weights, one row per hidden unit) and ``A`` of shape (m, k) (outgoing weights). The networks are
bias-free; append a constant 1 to the inputs for a hidden bias. Losses are averages over samples:
``mse`` is ``(1/P) sum_p 1/2 ||f(x_p) - y_p||^2``, ``logistic`` is ``(1/P) sum_p log(1 + exp(-y_p f(x_p)))``.
"""
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from . import _landscape
from .errors import ConvergenceFailure

#: Activation functions known to the C kernel (from NC_LANDSCAPE_ACT_TABLE).
ACTIVATIONS = dict(_landscape.ACT_CODES)
#: Losses known to the C kernel (from NC_LANDSCAPE_LOSS_TABLE).
LOSSES = dict(_landscape.LOSS_CODES)

__all__ = ["ACTIVATIONS", "LOSSES", "activation", "TwoLayerNetwork", "network_output", "loss_and_gradient",
           "hessian", "pack", "unpack", "minimize_loss", "newton_polish"]


def activation(name):
    """NumPy version of an activation (for reference code and plots)."""
    v.choice(name, "act", ACTIVATIONS)
    return {
        "softplus": lambda z: np.logaddexp(0.0, z),
        "tanh": np.tanh,
        "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z))),
        "relu": lambda z: np.maximum(z, 0.0),
        "linear": lambda z: np.asarray(z, dtype=float).copy(),
        "square": lambda z: np.asarray(z, dtype=float) ** 2,
    }[name.lower()]


def pack(W, A):
    """``theta = [W.ravel(), A.ravel()]``."""
    return np.concatenate([np.asarray(W, float).ravel(), np.asarray(A, float).ravel()])


def unpack(theta, width, n_in, n_out=1):
    """Inverse of :func:`pack`: returns ``(W (m, d), A (m, k))`` (copies)."""
    theta = np.asarray(theta, float)
    if theta.shape != (width * (n_in + n_out),):
        raise ValueError(f"argument 'theta' must have shape ({width * (n_in + n_out)},) for width={width}, "
                         f"n_in={n_in}, n_out={n_out}, got {theta.shape}")
    W = theta[: width * n_in].reshape(width, n_in).copy()
    A = theta[width * n_in:].reshape(width, n_out).copy()
    return W, A


def _as_A(A):
    A = np.asarray(A, dtype=float)
    return A[:, None] if A.ndim == 1 else A


def _as_Y(Y, loss):
    Y = np.asarray(Y, dtype=float)
    if loss == "mse" and Y.ndim == 1:
        return Y[:, None]
    return Y


def network_output(X, W, A, act="softplus"):
    """``F[p, o] = sum_i A[i, o] sigma(W[i] . X[p])`` (C). Shape (P, k)."""
    return _landscape.net_forward(X, W, _as_A(A), v.choice(act, "act", ACTIVATIONS))


def loss_and_gradient(X, Y, W, A, act="softplus", loss="mse", grad=True):
    """Loss and its gradient with respect to ``theta = [W.ravel(), A.ravel()]`` (C).

    Parameters
    ----------
    X : (P, d) array
        Inputs (append a column of ones for hidden biases).
    Y : (P, k) or (P,) array
        Targets (mse) or labels +-1 (logistic).
    W : (m, d) array
    A : (m, k) or (m,) array
    act : str
        One of :data:`ACTIVATIONS`.
    loss : {'mse', 'logistic'}
    grad : bool
        Also return the gradient.

    Returns
    -------
    loss : float
    gradient : (m (d + k),) array or None
    """
    code = v.choice(loss, "loss", LOSSES)
    return _landscape.net_loss_grad(X, _as_Y(Y, loss.lower()), W, _as_A(A), v.choice(act, "act", ACTIVATIONS),
                                    code, bool(grad))


def hessian(X, Y, W, A, act="softplus", loss="mse", progress=None):
    """Exact Hessian of the loss with respect to ``theta`` (C: Gauss-Newton part by BLAS plus the
    residual part, which is block-diagonal in the hidden units). Shape (n_theta, n_theta).

    ReLU's second derivative is a delta at 0 and is taken as 0 (exact almost everywhere)."""
    return _landscape.net_hessian(X, _as_Y(Y, loss.lower()), W, _as_A(A), v.choice(act, "act", ACTIVATIONS),
                                  v.choice(loss, "loss", LOSSES), progress)


@dataclass
class TwoLayerNetwork:
    """A bias-free two-layer network bound to a data set: ``f(x) = A^T sigma(W x)``.

    Parameters
    ----------
    X : (P, d) array
    Y : (P, k) array (or (P,))
    act : str
    loss : {'mse', 'logistic'}
    """
    X: np.ndarray
    Y: np.ndarray
    act: str = "softplus"
    loss: str = "mse"

    def __post_init__(self):
        self.X = np.ascontiguousarray(self.X, dtype=float)
        if self.X.ndim != 2:
            raise ValueError(f"argument 'X' must be 2-dimensional (P, d), got shape {self.X.shape}")
        v.choice(self.act, "act", ACTIVATIONS)
        v.choice(self.loss, "loss", LOSSES)
        self.Y = np.ascontiguousarray(_as_Y(self.Y, self.loss), dtype=float)

    @property
    def n_in(self):
        return self.X.shape[1]

    @property
    def n_out(self):
        return 1 if self.loss == "logistic" else self.Y.shape[1]

    def split(self, theta):
        theta = np.asarray(theta, float)
        m = theta.size // (self.n_in + self.n_out)
        return unpack(theta, m, self.n_in, self.n_out)

    def output(self, theta):
        W, A = self.split(theta)
        return network_output(self.X, W, A, self.act)

    def loss_value(self, theta):
        W, A = self.split(theta)
        return loss_and_gradient(self.X, self.Y, W, A, self.act, self.loss, grad=False)[0]

    def gradient(self, theta):
        W, A = self.split(theta)
        return loss_and_gradient(self.X, self.Y, W, A, self.act, self.loss)[1]

    def loss_and_gradient(self, theta):
        W, A = self.split(theta)
        return loss_and_gradient(self.X, self.Y, W, A, self.act, self.loss)

    def hessian(self, theta):
        W, A = self.split(theta)
        return hessian(self.X, self.Y, W, A, self.act, self.loss)


def newton_polish(model, theta, tol=1e-12, max_iter=30):
    """Refine a near-critical point by Newton steps with the exact Hessian (pseudo-inverse, so flat
    directions are left alone). Stops when ``max|grad| < tol``.

    ``model`` needs ``gradient(theta)`` and ``hessian(theta)``. Returns theta."""
    theta = np.array(theta, dtype=float)
    for _ in range(max_iter):
        g = model.gradient(theta)
        if np.max(np.abs(g)) < tol:
            return theta
        Hm = model.hessian(theta)
        theta = theta - np.linalg.lstsq(Hm, g, rcond=1e-12)[0]
    g = model.gradient(theta)
    if np.max(np.abs(g)) >= tol:
        raise ConvergenceFailure(f"newton_polish: max|grad| = {np.max(np.abs(g)):.3g} after {max_iter} Newton "
                                 f"steps, above tol={tol}")
    return theta


def minimize_loss(model, theta0, gtol=1e-10, polish=True, max_iter=20000):
    """Local minimum of ``model``'s loss from ``theta0``: SciPy BFGS on the C gradient, then
    (``polish``) Newton steps with the exact Hessian down to ``max|grad| < 1e-12``.

    Returns ``(theta, loss)``."""
    from scipy.optimize import minimize
    r = minimize(model.loss_and_gradient, np.asarray(theta0, float), jac=True, method="BFGS",
                 options={"gtol": gtol, "maxiter": max_iter})
    theta = r.x
    if polish:
        try:
            theta = newton_polish(model, theta)
        except ConvergenceFailure:
            pass  # keep the BFGS point; callers check the gradient they need
    return theta, model.loss_value(theta)
