"""DMFT solvers: the C kernels against NumPy/SciPy implementations of the same computations.

* SCS Delta0 to a residual of 1e-10: C root search vs SciPy brentq on a NumPy energy function.
* Two-time recursion (tanh, Gauss-Hermite 32 x 32 pair averages): C vs the vectorised NumPy
  implementation below (each column of the band is one array operation over band x nodes x nodes).
"""
import numpy as np

import neurocore.dmft as nd
from .harness import Case


def numpy_delta0(g, z, w):
    from scipy.optimize import brentq

    def h(D):
        Phi = np.log(np.cosh(np.sqrt(D) * z))
        m = w @ Phi
        return g * g * (w @ (Phi - m) ** 2) / D**2 - 0.5
    return brentq(h, 1e-6, 2 * g * g, xtol=1e-14, rtol=1e-15)


def numpy_two_time(g, dt, n_steps, band, c0, z, w):
    """Vectorised NumPy version of the two-time Euler recursion (tanh, no mean, no drive)."""
    a = 1.0 - dt
    nb = band + 1
    cb = np.zeros((n_steps + 1, nb))
    cb[0, 0] = c0
    W2 = np.outer(w, w)
    for n in range(n_steps):
        lo = max(0, n - band)
        ms = np.arange(lo, n + 1)
        cmm = cb[ms, 0]
        cnn = cb[n, 0]
        cmn = cb[n, n - ms]
        s2 = np.sqrt(cnn)
        b = cmn / s2
        s = np.sqrt(np.maximum(cmm - cmn**2 / cnn, 0.0))
        # x2 = s2 z_i, x1 = b z_i + s y_j
        x1 = b[:, None, None] * z[None, :, None] + s[:, None, None] * z[None, None, :]
        x2 = np.tanh(s2 * z)
        Q = g * g * np.einsum("mij,ij->m", np.tanh(x1), W2 * x2[:, None])
        r = np.zeros(len(ms) + 1)
        for i in range(len(ms)):
            r[i + 1] = a * r[i] + dt * Q[i]
        m_new = np.arange(max(0, n + 1 - band), n + 1)
        cb[n + 1, n + 1 - m_new] = a * cb[n, n - m_new] + dt * r[m_new - lo]
        cb[n + 1, 0] = a * cb[n + 1, 1] + dt * r[n + 1 - lo]
    return cb


def cases(quick=False):
    out = []
    z80, w80 = nd.quadrature_rule("hermite", 80)
    out.append(Case("SCS Delta0 (g=2) to residual 1e-10", lambda: nd.scs_delta0(2.0, tol=1e-10),
                    lambda: numpy_delta0(2.0, z80, w80), "SciPy brentq + NumPy", repeats=20, goal=1.0,
                    extra={"absolute_goal_s": 0.05}))
    z, w = nd.quadrature_rule("hermite", 32)
    T, band = (10.0, 5.0) if quick else (30.0, 15.0)
    dt = 0.1
    n_steps, nb = int(round(T / dt)), int(round(band / dt))
    d0 = nd.scs_delta0(2.0)[0]
    nc = lambda: nd.solve_two_time(2.0, T, dt=dt, band=band, c0=d0, quadrature="hermite", n_quad=32)
    peer = lambda: numpy_two_time(2.0, dt, n_steps, nb, d0, z, w)
    out.append(Case(f"two-time DMFT {n_steps} steps, band {nb}, GH 32x32", nc, peer, "vectorised NumPy",
                    repeats=2 if quick else 3, goal=0.1))
    return out
