"""Balanced ReLU rate networks driven by sinusoidal input (Engelken et al., PLoS CB 18, e1010590, 2022).

``dh_i/dt = -h_i + sum_j J_ij relu(h_j) + sqrt(K) I0 + I1 sin(2 pi f t + theta_i)`` with
``J_ij = -sqrt(K) J0 / N + g z_ij / sqrt(N)`` (K = N: dense, as in the authors' code; notes
seed001_dmft.md 3.1). Common input: theta_i = 0. Independent input: theta_i uniform on [0, 2 pi).
Finite-N Lyapunov exponents use the rate kernels (``neurocore.rate``); the DMFT is the two-time
recursion of :mod:`neurocore.dmft.twotime` on the same Euler map.
"""
import numpy as np

from .. import _validate as v
from .._random import as_generator
from .twotime import solve_two_time


def balanced_coupling(n, g, J0=1.0, K=None, rng=None):
    """``J_ij = -sqrt(K) J0 / n + g z_ij / sqrt(n)`` (K defaults to n)."""
    n = v.count(n, "n", 1)
    if not np.isfinite(g) or g < 0:
        raise ValueError(f"argument 'g' must be a non-negative finite coupling gain, got {g!r}")
    K = n if K is None else v.positive(K, "K")
    gen = as_generator(rng)
    return g * gen.standard_normal((n, n)) / np.sqrt(n) - np.sqrt(K) * J0 / n


def input_phases(n, mode, rng=None):
    """theta_i: zeros (common) or uniform on [0, 2 pi) (independent)."""
    v.choice(mode, "mode", {"common": 0, "independent": 1})
    return np.zeros(n) if mode == "common" else as_generator(rng).uniform(0, 2 * np.pi, n)


def sinusoidal_input(n_steps, dt, theta, I1, f, step0=0):
    """(n_steps, N) input rows ``I1 sin(2 pi f s dt + theta_i)`` for global steps s = step0 .."""
    s = (step0 + np.arange(n_steps))[:, None] * dt
    return I1 * np.sin(2 * np.pi * f * s + np.asarray(theta)[None, :])


def balanced_lyapunov(n, g, I1, f, mode="common", I0=1.0, J0=1.0, dt=0.05, duration=200.0, transient=50.0,
                      rng=None):
    """Largest Lyapunov exponent (1/tau) of one driven balanced network (Euler map, rate kernels).

    The stiffness of the population mean requires dt (1 + sqrt(n) J0 <phi'>) < 2 (notes 3.8)."""
    from ..rate import integrate_rate_network, lyapunov_spectrum
    gen = as_generator(rng)
    J = balanced_coupling(n, g, J0, rng=gen)
    theta = input_phases(n, mode, gen)
    I = np.full(n, np.sqrt(n) * I0)
    n_tr, n_obs = v.steps(transient, dt, "transient"), v.steps(duration, dt)
    x0 = gen.standard_normal(n)
    if n_tr:
        x0 = integrate_rate_network(J, x0, transient, dt, phi="relu", I=I,
                                    I_t=sinusoidal_input(n_tr, dt, theta, I1, f), record_every=n_tr).x_final
    res = lyapunov_spectrum(J, x0, duration, dt, phi="relu", I=I, I_t=sinusoidal_input(n_obs, dt, theta, I1, f, n_tr),
                            ortho_every=max(1, int(round(1.0 / dt))), rng=gen)
    return float(res.exponents[0])


def balanced_dmft_lyapunov(g, I1, f, mode="common", N=1000, I0=1.0, J0=1.0, dt=0.05, duration=200.0,
                           lyapunov_from=None, band=15.0, n_theta=8, progress=False):
    """lambda_1 (1/tau) of the two-time DMFT of the same Euler map, at network size N (K = N).

    Returns (lambda1, TwoTimeResult)."""
    start = duration / 2 if lyapunov_from is None else lyapunov_from
    start = round(start / dt) * dt
    r = solve_two_time(g, duration, dt=dt, band=band, phi="relu", J0=J0, K=N, I0=I0, I1=I1, f=f,
                       input_mode=mode, n_theta=n_theta, m0=0.0, c0=1.0, lyapunov_from=start, progress=progress)
    return r.lambda1, r


def zero_crossing(x, y):
    """First x where y(x) crosses zero from above (linear interpolation); NaN if it never does."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    for i in range(len(x) - 1):
        if y[i] > 0 >= y[i + 1]:
            return float(x[i] + (x[i + 1] - x[i]) * y[i] / (y[i] - y[i + 1]))
    return float("nan")
