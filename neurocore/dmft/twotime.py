"""Non-stationary (two-time) DMFT of rate networks with sinusoidal drive (kernels: dmft.c).

Network (Engelken, Ingrosso, Khajeh, Goedeke & Abbott, PLoS CB 2022; notes seed001_dmft.md 3):
``dh_i/dt = -h_i + sum_j J_ij phi(h_j) + sqrt(K) I0 + I1 sin(omega t + theta_i)``, with
``J_ij = -sqrt(K) J0 / N + g z_ij / sqrt(N)``. Common input: theta_i = 0; independent input:
theta_i uniform on [0, 2 pi). The SCS network is the special case J0 = I0 = I1 = 0, phi = tanh.

The solver is the large-N limit of the Euler-discretised network with step dt, i.e. exactly the map
that ``neurocore.rate.integrate_rate_network(method='euler')`` iterates:
``h(n+1) = (1-dt) h(n) + dt (eta(n) - sqrt(K) J0 nu(n) + sqrt(K) I0 + I1 sin(omega n dt + theta))``
with ``<eta(n) eta(m)> = g^2 E[phi(h(n)) phi(h(m))]`` (raw moments). The two-time covariance
c(n, m) and the cross-covariance r(n, m) = <h(n) eta(m)> are swept column by column (notes 3.3);
only lags |n - m| <= band are kept (r = 0 at the band edge). For independent input the unit's own
filtered sinusoid is part of its mean and every average is taken over a grid of n_theta phases.
The perturbation covariance k(n, m) follows the same recursion with g^2 E[phi' phi'] k, and the
largest Lyapunov exponent is the growth rate of 0.5 log k(t, t) (notes 3.3).
"""
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from ..errors import ConvergenceError
from . import _dmft
from .gaussian import FN, quad_args

_MODES = {"common": 0, "independent": 1}


@dataclass
class TwoTimeResult:
    """Output of :func:`solve_two_time`.

    Attributes
    ----------
    t : (n_steps+1,) array
        Times (units of tau).
    mean : array
        Population mean of the Gaussian part of h, mu(t).
    c_band : (n_steps+1, band+1) array
        c(t_n, t_n - l dt), the covariance of the Gaussian part of h.
    rate : array
        nu(t) = E phi(h(t)), the population rate.
    log_k : array
        0.5 log k(t, t) of the perturbation (NaN before it starts).
    lambda1 : float
        Largest Lyapunov exponent (1/tau) from log_k, NaN if no perturbation was run.
    residual : float
        Stationarity (or periodicity) residual: max |c(t_end, t_end - l) - c(t_end - P, t_end - P - l)|
        over lags, relative to c(t_end, t_end); P = one step (autonomous) or one drive period.
    converged : bool
        residual <= tol.
    iterations : int
        Steps swept.
    """
    t: np.ndarray
    mean: np.ndarray
    c_band: np.ndarray
    rate: np.ndarray
    log_k: np.ndarray
    lambda1: float
    residual: float
    converged: bool
    iterations: int
    dt: float

    @property
    def variance(self):
        """c(t, t)."""
        return self.c_band[:, 0]

    def autocovariance(self, n=-1):
        """c(t_n, t_n - tau) against tau = l dt (lags of the band)."""
        return np.arange(self.c_band.shape[1]) * self.dt, self.c_band[n]


def lyapunov_from_log_k(t, log_k, period=None, fit_fraction=0.5):
    """Growth rate of ``log_k`` (units 1/tau) over the last ``fit_fraction`` of its finite part.

    With periodic drive, ``period`` > 0 fits the line through the per-period maxima (notes 3.3)."""
    ok = np.isfinite(log_k)
    t, y = np.asarray(t)[ok], np.asarray(log_k)[ok]
    if len(t) < 4:
        return float("nan")
    start = t[0] + (1 - fit_fraction) * (t[-1] - t[0])
    sel = t >= start
    t, y = t[sel], y[sel]
    if period:
        idx = np.floor((t - t[0]) / period).astype(int)
        full = [i for i in np.unique(idx) if np.sum(idx == i) > 1 and (t[idx == i][-1] - t[idx == i][0]) >= 0.9 * period]
        if len(full) >= 2:
            tm = np.array([t[idx == i][np.argmax(y[idx == i])] for i in full])
            ym = np.array([np.max(y[idx == i]) for i in full])
            return float(np.polyfit(tm, ym, 1)[0])
    return float(np.polyfit(t, y, 1)[0])


def _tanh_rule(g, c0, quadrature, n_quad):
    """Rule for the 2-D tanh averages: the variance of h stays near max(c0, Delta0(g)) (SCS).

    'auto' takes Gauss-Hermite (which allows the O(n) Hermite-expansion pair averages) while the
    variance is at most 6: 64 nodes up to variance 2.5, 128 up to 6. Measured against the dense
    trapezoid rule (stationary runs, dt = 0.1): lambda_1 off by 1.5e-5 at g = 2 (64 nodes) and by
    1.3e-4 at g = 3 (128 nodes); 32 nodes would be off by 1.3e-3 at g = 2. Above variance 6 (g >~ 3.2)
    Gauss-Hermite misses tanh' (4e-3 in lambda_1 at g = 4 with 128 nodes), so the trapezoid rule and the
    tensor-product pair averages are used (about 100x slower).
    """
    from .scs import scs_delta0
    if quadrature != "auto":
        return quad_args(quadrature, n_quad)
    scale = max(c0, scs_delta0(g)[0] if g > 1 else 0.0)
    if n_quad is None and scale <= 6.0:
        return quad_args("hermite", 64 if scale <= 2.5 else 128)
    return quad_args(quadrature, n_quad, variance=scale)


def solve_two_time(g, duration, dt=0.05, band=None, phi="tanh", J0=0.0, K=None, I0=0.0, I1=0.0, f=0.0,
                   input_mode="common", n_theta=16, m0=0.0, c0=None, lyapunov_from=None, tol=None,
                   quadrature="auto", n_quad=None, pair_average="auto", progress=False):
    """Sweep the two-time DMFT recursion over [0, duration].

    Parameters
    ----------
    g : float
        Gain of the random couplings (>= 0).
    duration, dt : float
        Time span and Euler step (units of tau); 0 < dt < tau = 1.
    band : float, optional
        Memory kept, in units of tau (default: min(duration, 40)).
    phi : {'tanh', 'relu'}
    J0, K, I0 : float
        Mean coupling -sqrt(K) J0 / N and constant input sqrt(K) I0 (K = in-degree; for dense
        networks K = N). K is needed only when J0 or I0 is non-zero.
    I1, f : float
        Sinusoid amplitude (raw units) and frequency f (1/tau), omega = 2 pi f.
    input_mode : {'common', 'independent'}
    n_theta : int
        Phases averaged for independent input.
    m0, c0 : float
        Initial mean and variance of h (c0 defaults to 1).
    lyapunov_from : float, optional
        Time at which the perturbation covariance starts (k = 1); then ``lambda1`` is estimated.
    tol : float, optional
        If given, raise ConvergenceError when the final stationarity/periodicity residual exceeds it.
    quadrature, n_quad
        Gaussian rule for the pair averages (tanh). ReLU uses closed forms plus Gauss-Legendre.
    pair_average : {'auto', 'expansion', 'tensor'}
        How the tanh pair averages E[phi(h_m) phi(h_n)] are evaluated. 'expansion': per time point
        the Hermite coefficients a_k(n) = E_rule[phi(mu_n + sqrt(c_nn) z) p_k(z)], k < n_quad, are
        stored and each pair costs O(n_quad), E = sum_k rho^k a_k(m) a_k(n) (the discrete Mehler
        formula; exact on the Gauss-Hermite nodes at rho = 0 and 1, and of the rule's own accuracy
        in between). Needs a Gauss-Hermite rule with at most 128 nodes. 'tensor': the
        tensor-product rule, O(n_quad^2) per pair, any rule. 'auto': 'expansion' where it applies.
    progress : bool or callable

    Returns
    -------
    TwoTimeResult
    """
    if not np.isfinite(g) or g < 0:
        raise ValueError(f"argument 'g' must be a non-negative finite coupling gain, got {g!r}")
    dt = v.positive(dt, "dt")
    if dt >= 1.0:
        raise ValueError(f"argument 'dt' must be smaller than tau = 1 (Euler step of the network), got {dt}")
    n_steps = v.steps(v.positive(duration, "duration"), dt)
    band_steps = n_steps if band is None and duration <= 40 else int(round((40.0 if band is None else band) / dt))
    band_steps = max(1, min(band_steps, n_steps))
    phi_code = v.choice(phi, "phi", {"tanh": FN["tanh"], "relu": FN["relu"]})
    mode = v.choice(input_mode, "input_mode", _MODES)
    if (J0 != 0 or I0 != 0) and K is None:
        raise ValueError("argument 'K' (in-degree) is required when J0 or I0 is non-zero")
    sqrtK = float(np.sqrt(v.positive(K, "K"))) if K is not None else 0.0
    c0 = 1.0 if c0 is None else v.nonnegative(c0, "c0")
    k_start = -1 if lyapunov_from is None else v.steps(v.nonnegative(lyapunov_from, "lyapunov_from"), dt, "lyapunov_from")
    omega = 2 * np.pi * float(f)
    q = quad_args("hermite", 32) if phi != "tanh" else _tanh_rule(g, c0, quadrature, n_quad)
    from ..rate.network import _progress
    pm = v.choice(pair_average, "pair_average", {"auto": -1, "tensor": 0, "expansion": 1})
    mean, cb, rate, logk = _dmft.twotime(
        phi_code, float(g), dt, n_steps, band_steps, J0=float(J0), sqrtK=sqrtK, I0=float(I0), I1=float(I1),
        omega=omega, input_mode=mode, n_theta=v.count(n_theta, "n_theta", 1), m0=float(m0), c0=c0,
        k_start=k_start, progress=_progress(progress, n_steps, "two-time DMFT"), pair_method=pm, **q)
    t = np.arange(n_steps + 1) * dt
    period = 1.0 / f if (I1 != 0 and f > 0) else None
    lag = int(round(period / dt)) if period else 1
    lam = lyapunov_from_log_k(t, logk, period) if k_start >= 0 else float("nan")
    if lag < n_steps - band_steps:
        a, b = cb[-1], cb[-1 - lag]
        residual = float(np.max(np.abs(a - b)) / max(abs(a[0]), 1e-300))
    else:
        residual = float("inf")
    converged = bool(residual <= tol) if tol is not None else bool(np.isfinite(residual))
    if tol is not None and not converged:
        raise ConvergenceError(f"two-time DMFT: c(t, t') not stationary/periodic after {n_steps} steps "
                               f"(residual {residual:.3g} > tol {tol:.3g}); run longer")
    return TwoTimeResult(t=t, mean=mean, c_band=cb, rate=rate, log_k=logk, lambda1=lam, residual=residual,
                         converged=converged, iterations=n_steps, dt=dt)
