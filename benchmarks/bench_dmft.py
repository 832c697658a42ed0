"""DMFT solvers: the C kernels against NumPy/SciPy implementations of the same computations.

* SCS Delta0 to a residual of 1e-10: C root search vs SciPy brentq on a NumPy energy function.
* Two-time recursion (tanh, Gauss-Hermite rule), both pair-average methods, each against a vectorised
  NumPy implementation of the same iteration:
  - 'expansion' (the default): per time point the Hermite coefficients of phi and phi' (one
    matrix-vector product), each pair sum_k rho^k a_k(m) a_k(n) (one array expression over band x
    nodes); the r recursion by scipy.signal.lfilter;
  - 'tensor': each column of the band is one array operation over band x nodes x nodes.
  The perturbation covariance (Lyapunov exponent) runs in both, from a quarter of the run on.
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


def _hermite_matrix(z, w):
    n = len(z)
    P = np.zeros((n, n))
    P[0] = 1.0
    P[1] = z
    for k in range(1, n - 1):
        P[k + 1] = (z * P[k] - np.sqrt(k) * P[k - 1]) / np.sqrt(k + 1)
    return P * w


def numpy_two_time(g, dt, n_steps, band, c0, z, w, k_start, pair="expansion"):
    """Vectorised NumPy version of the two-time Euler recursion (tanh, no mean, no drive), with the
    perturbation covariance k from step k_start. Returns c (band layout) and 0.5 log k(t, t)."""
    from scipy.signal import lfilter
    a = 1.0 - dt
    nb = band + 1
    g2 = g * g
    cb = np.zeros((n_steps + 1, nb))
    kb = np.zeros((n_steps + 1, nb))
    logk = np.full(n_steps + 1, np.nan)
    cb[0, 0] = c0
    W2 = np.outer(w, w)
    Hw = _hermite_matrix(z, w)
    A = np.zeros((n_steps + 1, len(z)))   # Hermite coefficients of phi at each time
    D = np.zeros((n_steps + 1, len(z)))   # ... and of phi'
    filt = ([dt], [1.0, -a])
    for n in range(n_steps):
        lo = max(0, n - band)
        ms = np.arange(lo, n + 1)
        cmm, cnn, cmn = cb[ms, 0], cb[n, 0], cb[n, n - ms]
        pert = n >= k_start
        if pair == "expansion":
            t = np.tanh(np.sqrt(cnn) * z)
            A[n], D[n] = Hw @ t, Hw @ (1.0 - t * t)
            rho = np.clip(cmn / np.sqrt(cmm * cnn), -1.0, 1.0)
            R = np.vander(rho, len(z), increasing=True)   # rho^k by repeated multiplication
            Q = g2 * np.einsum("mk,mk->m", R, A[ms] * A[n])
            if pert:
                Pd = g2 * np.einsum("mk,mk->m", R, D[ms] * D[n])
        else:
            s2 = np.sqrt(cnn)
            b = cmn / s2
            s = np.sqrt(np.maximum(cmm - cmn**2 / cnn, 0.0))
            x1 = np.tanh(b[:, None, None] * z[None, :, None] + s[:, None, None] * z[None, None, :])
            x2 = np.tanh(s2 * z)
            Q = g2 * np.einsum("mij,ij->m", x1, W2 * x2[:, None])
            if pert:
                Pd = g2 * np.einsum("mij,ij->m", 1.0 - x1 * x1, W2 * (1.0 - x2 * x2)[:, None])
        r = np.concatenate(([0.0], lfilter(*filt, Q)))
        m_new = np.arange(max(0, n + 1 - band), n + 1)
        cb[n + 1, n + 1 - m_new] = a * cb[n, n - m_new] + dt * r[m_new - lo]
        cb[n + 1, 0] = a * cb[n + 1, 1] + dt * r[n + 1 - lo]
        if pert:
            klo = max(lo, k_start)
            P = Pd[klo - lo:] * kb[n, n - np.arange(klo, n + 1)]
            sv = np.concatenate(([0.0], lfilter(*filt, P)))
            m_new = np.arange(max(k_start, n + 1 - band), n + 1)
            kb[n + 1, n + 1 - m_new] = a * kb[n, n - m_new] + dt * sv[m_new - klo]
            kb[n + 1, 0] = a * kb[n + 1, 1] + dt * sv[n + 1 - klo]
            logk[n + 1] = 0.5 * np.log(kb[n + 1, 0])
        elif n + 1 == k_start:
            kb[n + 1, 0], logk[n + 1] = 1.0, 0.0
    return cb, logk


def cases(quick=False):
    out = []
    z80, w80 = nd.quadrature_rule("hermite", 80)
    out.append(Case("SCS Delta0 (g=2) to residual 1e-10", lambda: nd.scs_delta0(2.0, tol=1e-10),
                    lambda: numpy_delta0(2.0, z80, w80), "SciPy brentq + NumPy", repeats=20, goal=1.0,
                    extra={"absolute_goal_s": 0.05}))
    T, band = (10.0, 5.0) if quick else (30.0, 15.0)
    dt = 0.1
    n_steps, nb = int(round(T / dt)), int(round(band / dt))
    d0 = nd.scs_delta0(2.0)[0]
    for pair, nq in (("expansion", 64), ("tensor", 32)):
        z, w = nd.quadrature_rule("hermite", nq)
        nc = (lambda pair=pair, nq=nq: nd.solve_two_time(2.0, T, dt=dt, band=band, c0=d0, lyapunov_from=T / 4,
                                                          quadrature="hermite", n_quad=nq, pair_average=pair))
        peer = lambda pair=pair, z=z, w=w: numpy_two_time(2.0, dt, n_steps, nb, d0, z, w, n_steps // 4, pair)
        out.append(Case(f"two-time DMFT + Lyapunov, {n_steps} steps, band {nb}, GH {nq}, {pair} pairs", nc, peer,
                        "vectorised NumPy, same iteration", repeats=2 if quick else 3,
                        goal=0.1 if pair == "expansion" else None))
    return out
