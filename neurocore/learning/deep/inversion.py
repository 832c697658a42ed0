"""Dynamic inversion (Podlaski & Machens, NeurIPS 2020): the backward pass as feedback control.

For a layer ``y = W x`` (W: d_out x d_in) and an output error delta, two populations run
(the authors' sign convention, code ``sim_tools.py``)::

    dr_y/dt = -alpha r_y + W r_x - delta        (controller / error units, d_out)
    dr_x/dt = -r_x + B r_y                      (inverted error, d_in)

with time in units of the r_x time constant. With the default feedback B = -W^T the steady state
is r_x* = W^T (W W^T + alpha I)^-1 delta, a Tikhonov-regularised pseudo-inverse that tends to
W^+ delta as alpha -> 0; for any feedback B that makes the loop stable and alpha = 0 (contracting
layer), W r_x* = delta exactly. Stability needs the Jacobian [[-I, B], [W, -alpha I]] to be
Hurwitz; a random B usually is not and is stabilised by descending the smoothed spectral
abscissa (:func:`stabilize_feedback`).

In this module ``B`` always means the paper's feedback matrix (d_in x d_out); the network layers
store it transposed (shaped like W).
"""
from dataclasses import dataclass

import numpy as np

from .. import _learning


@dataclass
class InversionResult:
    """Final states of the two populations (rows = samples)."""
    r_x: np.ndarray
    r_y: np.ndarray


def _rows(delta, d_out):
    delta = np.asarray(delta, dtype=float)
    one = delta.ndim == 1
    delta = np.atleast_2d(delta)
    if delta.shape[1] != d_out:
        raise ValueError(f"argument 'delta' must have {d_out} entries per row (W has {d_out} rows), got shape "
                         f"{delta.shape}")
    return delta, one


def dynamic_inversion(W, delta, B=None, alpha=0.01, dt=0.5, n_steps=1000, semi_implicit=True):
    """Integrate the DI dynamics from zero (Euler, in C).

    Parameters
    ----------
    W : (d_out, d_in) array
    delta : (d_out,) or (n, d_out) array
        Output error(s).
    B : (d_in, d_out) array, optional
        Feedback; default -W^T (negative feedback through the transpose).
    alpha : float
        Controller leak (>= 0).
    dt : float
        Euler step in units of tau (the authors use 0.5 with 1000 steps, or 0.1 with 10000).
    n_steps : int
    semi_implicit : bool
        Update r_x with the already updated r_y (the authors' order, stable up to sigma_max(W) ~ 3.46
        at dt = 0.5); False: plain forward Euler (unstable for sigma_max > sqrt(2) at dt = 0.5).

    Returns
    -------
    InversionResult
    """
    W = np.asarray(W, dtype=float)
    d, one = _rows(delta, W.shape[0])
    Bw = None if B is None else np.ascontiguousarray(np.asarray(B, dtype=float).T)
    if Bw is not None and Bw.shape != W.shape:
        raise ValueError(f"argument 'B' must have shape {W.shape[::-1]} (d_in, d_out), got {Bw.shape[::-1]}")
    rx, ry = _learning.di_run(W, Bw, d, float(alpha), float(dt), int(n_steps), semi_implicit=bool(semi_implicit))
    return InversionResult(rx[0] if one else rx, ry[0] if one else ry)


def ndi(W, delta, B=None, alpha=0.0):
    """Steady state of dynamic inversion (non-dynamic inversion), by an LU solve in C.

    Contracting layers (d_out <= d_in): r_x = B (W B - alpha I)^-1 delta; expanding layers:
    r_x = (B W - alpha I)^-1 B delta. B defaults to -W^T."""
    W = np.asarray(W, dtype=float)
    d, one = _rows(delta, W.shape[0])
    Bw = None if B is None else np.ascontiguousarray(np.asarray(B, dtype=float).T)
    if Bw is not None and Bw.shape != W.shape:
        raise ValueError(f"argument 'B' must have shape {W.shape[::-1]} (d_in, d_out), got {Bw.shape[::-1]}")
    rx = _learning.ndi(W, Bw, d, float(alpha))
    return rx[0] if one else rx


def regularized_pseudoinverse(W, alpha):
    """W^T (W W^T + alpha I)^-1: the DI steady-state operator for B = -W^T (NumPy)."""
    W = np.asarray(W, dtype=float)
    return W.T @ np.linalg.inv(W @ W.T + alpha * np.eye(W.shape[0]))


def di_jacobian(W, B=None, alpha=0.0):
    """Jacobian [[-I, B], [W, -alpha I]] of the DI dynamics (states ordered r_x, r_y)."""
    W = np.asarray(W, dtype=float)
    d_out, d_in = W.shape
    B = -W.T if B is None else np.asarray(B, dtype=float)
    return np.block([[-np.eye(d_in), B], [W, -alpha * np.eye(d_out)]])


def spectral_abscissa(W, B=None, alpha=0.0):
    """Largest real part of the DI Jacobian's eigenvalues (< 0: the inversion loop is stable)."""
    return float(np.max(np.linalg.eigvals(di_jacobian(W, B, alpha)).real))


def stabilize_feedback(W, B, alpha=0.0, lr=0.05, max_iter=2000, min_iter=10, target=-0.01, eps=1e-2):
    """Descend the smoothed spectral abscissa of the DI loop with respect to B only.

    Follows the authors' procedure (Vanbiervliet et al. 2009; Hennequin et al. 2014): with s the
    spectral abscissa of M, solve the Lyapunov equations (M - s' I)^T Q + Q (M - s' I) = -2I and
    (M - s' I) P + P (M - s' I)^T = -2I at s' = s + eps, take the gradient Q P / trace(Q P) and
    step on its B block. Stops once s < target (after min_iter steps).

    Returns
    -------
    B : (d_in, d_out) array
        The stabilised feedback.
    s : float
        Its spectral abscissa.

    Raises
    ------
    neurocore.errors.ConvergenceError
        If the loop is still unstable (s >= 0) after max_iter steps.
    """
    from scipy.linalg import solve_continuous_lyapunov
    from ...errors import ConvergenceError
    W = np.asarray(W, dtype=float)
    B = np.array(B, dtype=float, copy=True)
    d_out, d_in = W.shape
    I = None
    s = spectral_abscissa(W, B, alpha)
    for it in range(max_iter):
        if it >= min_iter and s < target:
            break
        M = di_jacobian(W, B, alpha)
        if I is None:
            I = np.eye(M.shape[0])
        A = M - (s + eps) * I
        Q = solve_continuous_lyapunov(A.T, -2 * I)
        P = solve_continuous_lyapunov(A, -2 * I)
        G = Q @ P / np.trace(Q @ P)
        B -= lr * G[:d_in, d_in:]
        s = spectral_abscissa(W, B, alpha)
    if s >= 0:
        raise ConvergenceError(f"stabilize_feedback: spectral abscissa still {s:.3g} >= 0 after {max_iter} steps")
    return B, s


def single_loop_inversion(weights, gains, delta, B=None, alpha=0.0):
    """Steady state of single-loop dynamic inversion through a chain of layers (NumPy).

    The loop runs from the output error back to the first hidden layer through the linearised
    chain J = W_m G_{m-1} W_{m-1} ... G_1 W_1 (G_j = diag(phi'(z_j)), ``gains``), with one feedback
    B (default -(W_1^T ... W_m^T), the authors' 'neg-transpose' product). Returns the list of
    errors [r_x, G_1 W_1 r_x, ...] at the inputs of W_1 .. W_m (contracting chain:
    r_x = B (J B - alpha I)^-1 delta).
    """
    Ws = [np.asarray(W, dtype=float) for W in weights]
    if len(gains) != len(Ws) - 1:
        raise ValueError(f"argument 'gains' must hold {len(Ws) - 1} vectors (one per inner layer), got {len(gains)}")
    J = Ws[0]
    for W, g in zip(Ws[1:], gains):
        J = W @ (np.asarray(g, dtype=float)[:, None] * J)
    if B is None:
        B = -Ws[0].T
        for W in Ws[1:]:
            B = B @ W.T
    delta = np.asarray(delta, dtype=float)
    r_x = B @ np.linalg.solve(J @ B - alpha * np.eye(J.shape[0]), delta.T)
    out, cur = [r_x.T], r_x
    for W, g in zip(Ws[:-1], gains):
        cur = np.asarray(g, dtype=float)[:, None] * (W @ cur)
        out.append(cur.T)
    return out
