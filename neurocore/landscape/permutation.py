"""Permutation points and saddles of deep networks (Brea, Simsek, Illing & Gerstner 2019).

At a *permutation point* two units i, j of one hidden layer have equal incoming weights (bias
included) and equal outgoing weight vectors. Swapping i and j leaves the loss unchanged, so the
gradient at a point of the symmetric subspace lies in that subspace; a critical point of the
loss restricted to it (equivalently: a critical point of the network with one unit fewer, whose
merged unit is split evenly) is a critical point of the full loss. Moving the outgoing weights
along ``(a_i + delta, a_j - delta)`` leaves the function unchanged: a flat valley of
``n_{k+1}`` dimensions through which the two units exchange their roles.

Counting (labelled units): a layer of width n with K merged pairs has C(n - K, K) n!/2^K
distinct K-th order permutation points per reduced critical point, i.e. C(n - K, K)/2^K times
the n! permuted copies of one minimum. Exact integers and Fractions.
"""
import math
from fractions import Fraction

import numpy as np

from .. import _validate as v
from .errors import WidthError
from .symmetry import _width

__all__ = ["count_permutation_points", "permutation_point_factor", "MLP", "split_unit", "valley_directions",
           "hessian_fd", "classify_critical_point", "saddle_swap_path", "two_layer_swap",
           "two_layer_valley_directions"]


def count_permutation_points(n, K):
    """C(n - K, K) n! / 2^K: distinct K-th order permutation points in a layer of n labelled units
    built from one reduced critical point with n - K units (exact int)."""
    n = _width(n, "n")
    K = _width(K, "K", 0)
    if 2 * K > n:
        raise WidthError(f"argument 'K' (={K}) must satisfy 2K <= n (={n}): K disjoint pairs need 2K units")
    return math.comb(n - K, K) * math.factorial(n) // 2 ** K


def permutation_point_factor(widths, K):
    """``sum_k C(n_k - K, K) / 2^K`` over the hidden layers: the factor by which K-th order
    permutation points outnumber the prod_k n_k! global minima (exact Fraction; terms with
    2K > n_k are 0)."""
    K = _width(K, "K", 0)
    total = Fraction(0)
    for i, n in enumerate(widths):
        n = _width(n, f"widths[{i}]")
        if 2 * K <= n:
            total += Fraction(math.comb(n - K, K), 2 ** K)
    return total


_ACTS = {
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z: 0.5 * (1.0 + np.tanh(0.5 * z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
                lambda z: 0.25 * (1.0 - np.tanh(0.5 * z) ** 2)),
}


class MLP:
    """A fully connected network with hidden activation ``act`` and a linear output, loss
    ``(1/P) sum_p 1/2 ||f(x_p) - y_p||^2`` (NumPy backpropagation; small networks).

    Parameters
    ----------
    widths : sequence of int
        ``[d_in, n_1, ..., n_{L-1}, d_out]``.
    act : {'softplus', 'tanh', 'sigmoid'}
    bias : bool
        Biases in every layer.

    The parameter vector stacks, layer by layer, ``W_l.ravel()`` (shape (n_l, n_{l-1})) and then
    ``b_l``.
    """

    def __init__(self, widths, act="softplus", bias=True):
        self.widths = [_width(n, f"widths[{i}]") for i, n in enumerate(widths)]
        if len(self.widths) < 3:
            raise WidthError(f"argument 'widths' needs an input, at least one hidden and an output width, got {widths}")
        v.choice(act, "act", _ACTS)
        self.act = act.lower()
        self.bias = bool(bias)
        self.shapes = [(self.widths[l + 1], self.widths[l]) for l in range(len(self.widths) - 1)]
        self.offsets = []
        off = 0
        for (o, i) in self.shapes:
            w_off = off
            off += o * i
            b_off = off
            off += o if self.bias else 0
            self.offsets.append((w_off, b_off))
        self.n_params = off

    def unflatten(self, theta):
        """List of (W_l, b_l) views into theta (b_l is None without biases)."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.n_params,):
            raise ValueError(f"argument 'theta' must have shape ({self.n_params},), got {theta.shape}")
        out = []
        for (o, i), (w_off, b_off) in zip(self.shapes, self.offsets):
            W = theta[w_off:w_off + o * i].reshape(o, i)
            b = theta[b_off:b_off + o] if self.bias else None
            out.append((W, b))
        return out

    def flatten(self, layers):
        parts = []
        for W, b in layers:
            parts.append(np.asarray(W, float).ravel())
            if self.bias:
                parts.append(np.asarray(b, float).ravel())
        return np.concatenate(parts)

    def init(self, rng=None, scale=1.0):
        """Random parameters, ``W_l ~ N(0, scale^2 / n_{l-1})``, biases N(0, 0.1^2 scale^2)."""
        from .._random import as_generator
        gen = as_generator(rng)
        layers = []
        for (o, i) in self.shapes:
            layers.append((gen.normal(0, scale / np.sqrt(i), (o, i)), gen.normal(0, 0.1 * scale, o)))
        return self.flatten(layers)

    def _forward(self, theta, X):
        sig, dsig = _ACTS[self.act]
        layers = self.unflatten(theta)
        hs, zs = [np.asarray(X, dtype=float)], []
        for l, (W, b) in enumerate(layers):
            z = hs[-1] @ W.T
            if self.bias:
                z = z + b
            zs.append(z)
            hs.append(z if l == len(layers) - 1 else sig(z))
        return layers, hs, zs

    def output(self, theta, X):
        return self._forward(theta, X)[1][-1]

    def loss(self, theta, X, Y):
        f = self.output(theta, X)
        return 0.5 * float(np.mean(np.sum((f - Y) ** 2, axis=1)))

    def loss_and_gradient(self, theta, X, Y):
        """Loss and gradient by backpropagation."""
        _, dsig = _ACTS[self.act]
        layers, hs, zs = self._forward(theta, X)
        P = hs[0].shape[0]
        e = hs[-1] - Y
        loss = 0.5 * float(np.sum(e * e)) / P
        grads = []
        delta = e / P
        for l in range(len(layers) - 1, -1, -1):
            W, _ = layers[l]
            grads.append((delta.T @ hs[l], delta.sum(axis=0)))
            if l > 0:
                delta = (delta @ W) * dsig(zs[l - 1])
        return loss, self.flatten(grads[::-1])

    def bind(self, X, Y):
        """An object with ``loss_value``, ``gradient``, ``loss_and_gradient`` and ``hessian`` of theta."""
        mlp, X, Y = self, np.asarray(X, float), np.asarray(Y, float)
        if Y.ndim == 1:
            Y = Y[:, None]

        class _Bound:
            def loss_value(self, theta):
                return mlp.loss(theta, X, Y)

            def gradient(self, theta):
                return mlp.loss_and_gradient(theta, X, Y)[1]

            def loss_and_gradient(self, theta):
                return mlp.loss_and_gradient(theta, X, Y)

            def hessian(self, theta):
                return hessian_fd(self.gradient, theta)
        return _Bound()

    def unit_index(self, layer, unit):
        """Parameter indices of a hidden unit: (incoming weights + bias, outgoing weights).
        ``layer`` counts hidden layers from 1."""
        k = self._layer(layer)
        o, i = self.shapes[k - 1]
        w_off, b_off = self.offsets[k - 1]
        if not 0 <= unit < o:
            raise ValueError(f"argument 'unit' must be in [0, {o}), got {unit}")
        inc = list(range(w_off + unit * i, w_off + (unit + 1) * i))
        if self.bias:
            inc.append(b_off + unit)
        o2, i2 = self.shapes[k]
        w2 = self.offsets[k][0]
        out = [w2 + r * i2 + unit for r in range(o2)]
        return np.array(inc), np.array(out)

    def _layer(self, layer):
        layer = _width(layer, "layer")
        if layer > len(self.widths) - 2:
            raise ValueError(f"argument 'layer' must be a hidden layer in 1..{len(self.widths) - 2}, got {layer}")
        return layer


def split_unit(mlp, theta, layer, unit):
    """The permutation point built from a reduced network: unit ``unit`` of hidden layer ``layer``
    (1-based) is duplicated (same incoming weights and bias) and its outgoing weights are halved
    between the two copies; the copy is appended as the last unit of that layer.

    Returns ``(mlp_full, theta_full, (i, j))`` with i, j the two equal units."""
    k = mlp._layer(layer)
    layers = [(W.copy(), None if b is None else b.copy()) for W, b in mlp.unflatten(theta)]
    W, b = layers[k - 1]
    n = W.shape[0]
    if not 0 <= unit < n:
        raise ValueError(f"argument 'unit' must be in [0, {n}), got {unit}")
    layers[k - 1] = (np.vstack([W, W[unit]]), None if b is None else np.append(b, b[unit]))
    W2, b2 = layers[k]
    half = 0.5 * W2[:, unit]
    W2 = np.hstack([W2, half[:, None]])
    W2[:, unit] = half
    layers[k] = (W2, b2)
    widths = list(mlp.widths)
    widths[k] += 1
    full = MLP(widths, mlp.act, mlp.bias)
    return full, full.flatten(layers), (unit, n)


def valley_directions(mlp, layer, i, j):
    """The n_{k+1} unit vectors ``(e_{a_i,o} - e_{a_j,o}) / sqrt(2)`` along which, at a point with
    equal incoming weights of units i and j, the function (hence the loss) is exactly constant.
    Shape (n_{k+1}, n_params)."""
    _, out_i = mlp.unit_index(layer, i)
    _, out_j = mlp.unit_index(layer, j)
    V = np.zeros((len(out_i), mlp.n_params))
    V[np.arange(len(out_i)), out_i] = 1 / np.sqrt(2)
    V[np.arange(len(out_i)), out_j] = -1 / np.sqrt(2)
    return V


def hessian_fd(grad, theta, h=None, order=4):
    """Hessian by finite differences of an analytic gradient, symmetrised.

    ``order=2``: central differences, error O(h^2) (default h = 1e-5); ``order=4``: the five-point
    stencil ``(-g(+2h) + 8 g(+h) - 8 g(-h) + g(-2h)) / 12h``, error O(h^4) (default h = 1e-4), which
    keeps flat directions flat to ~1e-10 even where third derivatives are large."""
    theta = np.asarray(theta, dtype=float)
    if order not in (2, 4):
        raise ValueError(f"argument 'order' must be 2 or 4, got {order!r}")
    h = (1e-5 if order == 2 else 1e-4) if h is None else v.positive(h, "h")
    n = theta.size
    H = np.empty((n, n))

    def g_at(i, step):
        t = theta.copy()
        t[i] += step
        return np.asarray(grad(t))

    for i in range(n):
        if order == 2:
            H[:, i] = (g_at(i, h) - g_at(i, -h)) / (2 * h)
        else:
            H[:, i] = (-g_at(i, 2 * h) + 8 * g_at(i, h) - 8 * g_at(i, -h) + g_at(i, -2 * h)) / (12 * h)
    return 0.5 * (H + H.T)


def classify_critical_point(H, zero_tol=1e-7):
    """Counts of negative (< -zero_tol), zero (|lambda| <= zero_tol) and positive eigenvalues, and
    the spectrum. A first-order saddle has exactly one negative eigenvalue."""
    lam = np.linalg.eigvalsh(0.5 * (H + H.T))
    return {"n_negative": int(np.sum(lam < -zero_tol)), "n_zero": int(np.sum(np.abs(lam) <= zero_tol)),
            "n_positive": int(np.sum(lam > zero_tol)), "eigenvalues": lam}


def saddle_swap_path(model, theta_pp, direction, swap, eps=1e-3, lr=0.05, n_steps=4000, gtol=1e-10):
    """A path from a minimum theta* over the permutation saddle theta_pp to the permuted minimum.

    Gradient descent from ``theta_pp + eps * direction`` (``direction``: the saddle's negative
    eigenvector, antisymmetric under the swap) finds theta*; reversed, it climbs to theta_pp. Its
    mirror image under the swap ``P`` (a permutation of parameter indices) descends from
    ``theta_pp - eps * direction = P(theta_pp + eps * direction)`` to ``P theta*``. The loss along
    the path never exceeds L(theta_pp) (up to the first step of size eps).

    Returns ``(path (n, n_params), losses (n,), theta_star)``."""
    from scipy.optimize import minimize
    swap = np.asarray(swap)
    theta = np.asarray(theta_pp, float) + eps * np.asarray(direction, float)
    pts = [theta.copy()]
    for _ in range(n_steps):
        theta = theta - lr * model.gradient(theta)
        pts.append(theta.copy())
    r = minimize(model.loss_and_gradient, theta, jac=True, method="BFGS", options={"gtol": gtol},
                 callback=lambda xk: pts.append(np.array(xk)))
    pts.append(r.x.copy())
    down = np.array(pts)
    path = np.vstack([down[::-1], np.asarray(theta_pp, float)[None], down[:, swap]])
    losses = np.array([model.loss_value(t) for t in path])
    return path, losses, r.x


def two_layer_swap(width, n_in, n_out, i, j):
    """Index permutation of ``theta = [W.ravel(), A.ravel()]`` (two-layer layout of
    :mod:`neurocore.landscape.network`) that swaps hidden units i and j: ``theta[swap]``."""
    order = np.arange(width)
    order[[i, j]] = order[[j, i]]
    idx_w = (order[:, None] * n_in + np.arange(n_in)).ravel()
    idx_a = width * n_in + (order[:, None] * n_out + np.arange(n_out)).ravel()
    return np.concatenate([idx_w, idx_a])


def two_layer_valley_directions(width, n_in, n_out, i, j):
    """Two-layer version of :func:`valley_directions`: ``(e_{A[i,o]} - e_{A[j,o]}) / sqrt(2)``."""
    V = np.zeros((n_out, width * (n_in + n_out)))
    for o in range(n_out):
        V[o, width * n_in + i * n_out + o] = 1 / np.sqrt(2)
        V[o, width * n_in + j * n_out + o] = -1 / np.sqrt(2)
    return V
