"""Stationary DMFT of the Sompolinsky-Crisanti-Sommers random network (kernels: dmft.c).

``dx_i/dt = -x_i + sum_j J_ij tanh(x_j)``, ``J_ij ~ N(0, g^2/N)``, time in units of tau. The
single-site process ``(1 + d/dt) x = eta`` with ``<eta(t) eta(s)> = g^2 C_phi(t - s)`` has the
stationary autocorrelation Delta(tau) = <x(t) x(t + tau)>, which obeys
``Delta'' = Delta - g^2 C_phi(Delta; Delta0) = -dV/dDelta`` (a particle in a potential). The chaotic
solution starts at rest at Delta0 and creeps to 0, so energy conservation V(Delta0) = V(0) closes
on one scalar equation, ``Delta0^2 / 2 = g^2 Var[Phi(sqrt(Delta0) z)]`` with Phi = ln cosh
(notes seed001_dmft.md A.2). The largest Lyapunov exponent follows from the ground state of
``-d^2/dtau^2 - g^2 C_phi'(tau)``: ``lambda_1 = -1 + sqrt(-E0)`` (notes A.2).
"""
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from ..errors import ConvergenceError
from . import _dmft
from .gaussian import FN, quad_args


def _check_g(g):
    if not isinstance(g, (int, float, np.integer, np.floating)) or not np.isfinite(g) or g < 0:
        raise ValueError(f"argument 'g' must be a non-negative finite coupling gain, got {g!r}")
    return float(g)


@dataclass
class SCSSolution:
    """The stationary SCS DMFT solution.

    Attributes
    ----------
    g : float
        Coupling gain.
    delta0 : float
        Delta(0), the variance of x (dimensionless). 0 in the fixed-point phase (g <= 1).
    tau : (L,) array
        Lags (units of tau).
    delta, c_phi, c_dphi : (L,) arrays
        Delta(tau) = <x(t) x(t+tau)>, C_phi(tau) = <phi phi>, C_phi'(tau) = <phi' phi'>.
    kappa : float
        Exponential decay rate of the tail, sqrt(1 - (g <phi'>)^2) (1/tau).
    lambda1 : float
        Largest Lyapunov exponent from the Schroedinger operator (1/tau); g - 1 for g < 1.
    phase : str
        'fixed point' or 'chaotic'.
    residual, iterations, converged
        Of the energy-condition root search (relative residual of Delta0).
    """
    g: float
    delta0: float
    tau: np.ndarray
    delta: np.ndarray
    c_phi: np.ndarray
    c_dphi: np.ndarray
    kappa: float
    lambda1: float
    phase: str
    residual: float
    iterations: int
    converged: bool

    @property
    def mean_dphi(self):
        """<phi'(x)> = E[1 - tanh^2(sqrt(Delta0) z)]."""
        return float(np.sqrt(max(self.c_dphi[-1], 0.0))) if self.delta0 > 0 else 1.0

    def half_decay_time(self):
        """Lag where Delta(tau) / Delta0 first falls to 1/2 (units of tau), linear interpolation."""
        return decay_time(self.tau, self.delta / self.delta0 if self.delta0 > 0 else self.delta, 0.5)


def decay_time(tau, c_norm, level=0.5):
    """First lag at which the normalised correlation ``c_norm`` falls to ``level``."""
    c_norm = np.asarray(c_norm)
    idx = np.nonzero(c_norm <= level)[0]
    if len(idx) == 0 or idx[0] == 0:
        return float("nan")
    i = idx[0]
    return float(tau[i - 1] + (tau[i] - tau[i - 1]) * (c_norm[i - 1] - level) / (c_norm[i - 1] - c_norm[i]))


def scs_delta0(g, tol=1e-12, max_iter=200, quadrature="auto", n_quad=None):
    """Delta0(g) from the energy condition, with its root-search report.

    Parameters
    ----------
    g : float
        Coupling gain (>= 0). For g <= 1 the answer is 0 (x = 0 is a stable fixed point).
    tol : float
        Tolerance on the residual ``|g^2 Var Phi / Delta0^2 - 1/2|``.

    Returns
    -------
    delta0 : float
    report : dict
        ``residual``, ``iterations``, ``converged``.

    Raises
    ------
    ConvergenceError
        If the root search does not reach ``tol`` (the message names the residual).
    """
    g = _check_g(g)
    v.positive(tol, "tol")
    v.count(max_iter, "max_iter", 1)
    # Delta0 < g^2 (|tanh| <= 1 bounds the variance of the field); 'auto' picks the rule for that scale
    q = quad_args(quadrature, n_quad, variance=g * g)
    d0, res, it, conv = _dmft.scs_delta0(g, FN["tanh"], tol, max_iter, **q)
    if not conv:
        raise ConvergenceError(f"SCS energy condition: not converged after {it} iterations (residual {res:.3g})")
    return d0, dict(residual=res, iterations=it, converged=bool(conv))


def schrodinger_lyapunov(c_dphi, dtau, g):
    """lambda_1 = -1 + sqrt(-E0), E0 the ground state of ``-d^2/dtau^2 - g^2 C_phi'(tau)``.

    ``c_dphi`` holds C_phi'(k dtau) for k >= 0; the operator is discretised by central differences on
    [-tau_max, tau_max] with Dirichlet ends (notes A.2). Units: 1/tau.
    """
    from scipy.linalg import eigh_tridiagonal
    c = np.asarray(c_dphi, float)
    pot = -g * g * np.concatenate([c[:0:-1], c])
    n = len(pot)
    e0 = eigh_tridiagonal(2.0 / dtau**2 + pot, -np.ones(n - 1) / dtau**2, select="i", select_range=(0, 0))[0][0]
    return float(-1.0 + np.sqrt(-e0)) if e0 < 0 else -1.0


def solve_scs(g, tau_max=60.0, dtau=0.05, tol=1e-12, quadrature="auto", n_quad=None, lyapunov=True):
    """Solve the stationary SCS DMFT (tanh): Delta0, Delta(tau), C_phi(tau), C_phi'(tau), lambda_1.

    Parameters
    ----------
    g : float
        Coupling gain (>= 0).
    tau_max, dtau : float
        Lag window and spacing (units of tau). Near g = 1 the correlation time grows like
        sqrt(3)/(g - 1); use tau_max >= 20 / (g - 1) there.
    tol : float
        Residual tolerance of the energy condition.
    quadrature, n_quad
        Gaussian rule, see :mod:`neurocore.dmft.gaussian`.
    lyapunov : bool
        Also compute lambda_1 from the Schroedinger operator.

    Returns
    -------
    SCSSolution
    """
    g = _check_g(g)
    v.positive(tau_max, "tau_max")
    v.positive(dtau, "dtau")
    n = int(round(tau_max / dtau)) + 1
    d0, rep = scs_delta0(g, tol=tol, quadrature=quadrature, n_quad=n_quad)
    tau = np.arange(n) * dtau
    q = quad_args(quadrature, n_quad, variance=max(d0, 1e-12), pair=True)
    delta, cphi, cdphi, kappa = _dmft.scs_profile(g, d0, dtau, n, FN["tanh"], **q)
    if d0 > 0:
        lam = schrodinger_lyapunov(cdphi, dtau, g) if lyapunov else float("nan")
        phase = "chaotic"
    else:
        lam, phase = g - 1.0, "fixed point"
    return SCSSolution(g=g, delta0=d0, tau=tau, delta=delta, c_phi=cphi, c_dphi=cdphi, kappa=kappa,
                       lambda1=lam, phase=phase, **rep)


def fit_critical_exponent(gs, delta0s):
    """Fit Delta0 = A (g - 1)^beta on points with g > 1; returns (beta, A)."""
    gs, d = np.asarray(gs, float), np.asarray(delta0s, float)
    sel = (gs > 1) & (d > 0)
    beta, loga = np.polyfit(np.log(gs[sel] - 1.0), np.log(d[sel]), 1)
    return float(beta), float(np.exp(loga))
