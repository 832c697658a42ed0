"""Two-site cavity theory of the dimension of chaotic activity (kernels: dmft.c).

Clark, Abbott & Litwin-Kumar, PRL 131, 118401 (2023), as implemented in the authors' code (notes
seed001_dmft.md 2.3): with the single-site spectra C^x(w), C^phi(w) from the SCS DMFT, the unit's
susceptibility S^x(w) = 1/(1 + i w) (or delta / (e^{i w} - (1 - delta)) for the map with step
delta), S^phi = <phi'> S^x and C^{x phi} = <phi'> C^x,

* psi^phi(w1, w2) = (M - 1) C^phi(w1) C^phi(w2),  M = 1 / |1 - g^2 S^phi(w1) S^phi(w2)|^2,
* psi^x(w1, w2) = |U|^2 C^phi(w1) C^phi(w2) + 2 Re U C^{x phi}(w1) C^{x phi}(w2),
  U = g^2 S^x(w1) S^x(w2) / (1 - g^2 S^phi(w1) S^phi(w2)),

and psi^a(0, 0) = int int dw1 dw2 / (2 pi)^2 psi^a. The participation ratio of the equal-time
covariance is PR^a / N = C^a(0)^2 / (C^a(0)^2 + psi^a(0, 0)).
"""
from dataclasses import dataclass

import numpy as np

from . import _dmft
from .scs import solve_scs


@dataclass
class CavityDimension:
    """Participation ratios (as fractions of N) of x and phi, and the cross-covariance scale psi."""
    g: float
    pr_x: float
    pr_phi: float
    psi_x: float
    psi_phi: float
    delta0: float
    c_phi0: float


def _spectrum(lagfun, dtau, nfft):
    seq = np.zeros(nfft)
    L = min(len(lagfun), nfft // 2)
    seq[:L] = lagfun[:L]
    seq[nfft - L + 1:] = lagfun[1:L][::-1]
    return dtau * np.fft.fft(seq).real


def cavity_dimension_from_lags(g, delta, c_phi, mean_dphi, dtau, nfft=8192, map_delta=None, progress=None):
    """PR/N from lag functions Delta(k dtau), C_phi(k dtau) of the single-site DMFT.

    Parameters
    ----------
    g : float
        Coupling gain.
    delta, c_phi : arrays
        Autocovariance of x and of phi at lags k * dtau, k >= 0 (decayed to ~0 at the end).
    mean_dphi : float
        <phi'(x)>.
    dtau : float
        Lag spacing (units of tau); for the map it must be 1 (one step).
    nfft : int
        Frequency grid (zero padding); it must resolve the peak of M near g = 1.
    map_delta : float, optional
        Use the transfer function of the map x(n+1) = (1 - delta) x(n) + delta J phi(x(n)).

    Returns
    -------
    CavityDimension
    """
    nfft = int(nfft)
    if nfft < 2 * len(delta) - 1:
        nfft = 1 << int(np.ceil(np.log2(2 * len(delta))))
    cx, cp = _spectrum(np.asarray(delta, float), dtau, nfft), _spectrum(np.asarray(c_phi, float), dtau, nfft)
    w = 2 * np.pi * np.fft.fftfreq(nfft, d=dtau)
    if map_delta is None:
        S = 1.0 / (1.0 + 1j * w)
    else:
        S = map_delta / (np.exp(1j * w * dtau) - (1.0 - map_delta))
    dw = 2 * np.pi / (nfft * dtau)
    args = (dw, cx, cp, np.ascontiguousarray(S.real), np.ascontiguousarray(S.imag), float(g), float(mean_dphi))
    psi_x = _dmft.cavity_psi(0, *args, progress=progress)
    psi_phi = _dmft.cavity_psi(1, *args, progress=progress)
    d0, c0 = float(delta[0]), float(c_phi[0])
    return CavityDimension(g=float(g), pr_x=d0**2 / (d0**2 + psi_x), pr_phi=c0**2 / (c0**2 + psi_phi),
                           psi_x=psi_x, psi_phi=psi_phi, delta0=d0, c_phi0=c0)


def cavity_dimension(g, tau_max=None, dtau=0.05, nfft=16384, scs=None):
    """PR^x/N and PR^phi/N of the continuous-time SCS network from the two-site cavity.

    Parameters
    ----------
    g : float
        Coupling gain (> 1, chaotic phase).
    tau_max : float, optional
        Lag window of the DMFT solution (default max(120, 40 / (g - 1))).
    dtau : float
        Lag spacing of the DMFT solution (units of tau).
    nfft : int
        Frequency grid.
    scs : SCSSolution, optional
        Reuse a solution (its lag grid is used as is).
    """
    if g <= 1:
        raise ValueError(f"argument 'g' must exceed 1 (chaotic phase) for the cavity dimension, got {g}")
    if scs is None:
        tau_max = max(120.0, 40.0 / (g - 1.0)) if tau_max is None else tau_max
        scs = solve_scs(g, tau_max=tau_max, dtau=dtau, lyapunov=False)
    dt = float(scs.tau[1] - scs.tau[0])
    return cavity_dimension_from_lags(g, scs.delta, scs.c_phi, scs.mean_dphi, dt, nfft=nfft)


def map_delta1_closed_form(g):
    """Closed forms of the delta = 1 map x(n+1) = J tanh(x(n)) (notes A.2): q, PR^phi/N = 1 - r and
    PR^x/N = (1 - r)/(2 - r) with r = (g <phi'>)^4, q = g^2 E tanh^2(sqrt(q) z)."""
    from scipy.optimize import brentq
    from .gaussian import gaussian_mean
    if g <= 1:
        raise ValueError(f"argument 'g' must exceed 1, got {g}")
    q = brentq(lambda q: g * g * _e_tanh2(q) - q, 1e-6, g * g + 1)
    a = float(gaussian_mean("dtanh", 0.0, q, quadrature="trapezoid", n_quad=801))
    r = (g * a) ** 4
    return dict(q=q, mean_dphi=a, e_phi2=q / (g * g), pr_phi=1 - r, pr_x=(1 - r) / (2 - r))


def _e_tanh2(q):
    from .gaussian import gaussian_pair
    return float(gaussian_pair("tanh", "tanh", 0.0, 0.0, q, q, q, quadrature="trapezoid", n_quad=801))
