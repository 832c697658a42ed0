"""Slow NumPy twins of the rate kernels (csrc/kernels/rate.c), readable as the teaching version."""
import numpy as np

PHI = {"tanh": np.tanh, "relu": lambda x: np.maximum(x, 0.0),
       "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "linear": lambda x: x,
       "halftanh": lambda x: np.maximum(np.tanh(x), 0.0)}
DPHI = {"tanh": lambda x: 1 - np.tanh(x) ** 2, "relu": lambda x: (x > 0).astype(float),
        "sigmoid": lambda x: PHI["sigmoid"](x) * (1 - PHI["sigmoid"](x)), "linear": np.ones_like,
        "halftanh": lambda x: (x > 0) * (1 - np.tanh(x) ** 2)}


def integrate(J, x0, n_steps, dt, tau=1.0, phi="tanh", method="euler", I=None):
    f = PHI[phi]
    I = np.zeros(len(x0)) if I is None else I
    rhs = lambda x: (-x + J @ f(x) + I) / tau
    x = np.array(x0, dtype=float)
    out = [x.copy()]
    for _ in range(n_steps):
        if method == "euler":
            x = x + dt * rhs(x)
        else:
            k1 = rhs(x); k2 = rhs(x + dt / 2 * k1); k3 = rhs(x + dt / 2 * k2); k4 = rhs(x + dt * k3)
            x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(x.copy())
    return np.array(out)


def lyapunov(J, x0, Q0, n_steps, dt, ortho_every, tau=1.0, phi="tanh"):
    """Euler-map exponents by QR re-orthonormalisation; Q0 holds tangent vectors as rows."""
    a = dt / tau
    x, Q = np.array(x0, float), np.array(Q0, float).T
    acc = np.zeros(Q.shape[1])
    for s in range(n_steps):
        Q = (1 - a) * Q + a * J @ (DPHI[phi](x)[:, None] * Q)
        x = x + a * (-x + J @ PHI[phi](x))
        if (s + 1) % ortho_every == 0:
            Q, R = np.linalg.qr(Q)
            sign = np.sign(np.diag(R))
            Q, R = Q * sign, R * sign[:, None]
            acc += np.log(np.diag(R))
    return acc / ((n_steps // ortho_every) * ortho_every * dt)
