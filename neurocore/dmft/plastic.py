"""Coupled neuronal-synaptic dynamics (Clark & Abbott, PRX 14, 021001, 2024): network and DMFT.

Model (notes seed001_dmft.md 4.1; the form of the plasticity is [mem] there, so every comparison
below is DMFT against a simulation of the *same* equations):
``dx_i/dt = -x_i + sum_j (g J0_ij + A_ij) tanh(x_j)``, ``J0_ij ~ N(0, 1/N)`` quenched, and
``dA_ij/dt = gamma (-A_ij + (k/N) tanh(x_i) tanh(x_j))``: k > 0 Hebbian, k < 0 anti-Hebbian, gamma the
synaptic rate in units of the neuronal one (synaptic time constant 1/gamma).

DMFT (notes 4.2, [derived]): the plastic input becomes a self-coupling with memory,
``(1 + d/dt) x = eta(t) + k gamma int_{-inf}^t e^{-gamma (t-s)} C_phi(t - s) phi(x(s)) ds`` with
``<eta eta> = g^2 C_phi``. x is not Gaussian, so the solver samples single-site paths
(Eissfeller-Opper): draw eta from the current C_phi, integrate the paths in C (causal memory kernel),
re-estimate C_phi, damp and repeat. The white noise behind eta is drawn once and reused at every
iteration (common random numbers), so the iteration map is deterministic and its residual can go
to zero; the sampling error of the fixed point itself is ~ 1/sqrt(paths * T / tau_c).
"""
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from .._random import as_generator
from ..errors import ConvergenceError
from . import _dmft
from .stats import autocovariance


def _check(g, k, gamma, dt):
    if not np.isfinite(g) or g < 0:
        raise ValueError(f"argument 'g' must be a non-negative finite coupling gain, got {g!r}")
    if not np.isfinite(k):
        raise ValueError(f"argument 'k' must be finite, got {k!r}")
    v.positive(gamma, "gamma")
    v.positive(dt, "dt")
    if dt >= 1.0:
        raise ValueError(f"argument 'dt' must be smaller than tau = 1, got {dt}")
    if gamma * dt >= 1.0:
        raise ValueError(f"argument 'dt' (={dt}) must be smaller than the synaptic time 1/gamma (={1 / gamma})")


class PlasticNetwork:
    """Finite-N network with plastic couplings J = g J0 + A (Euler steps in C).

    Parameters
    ----------
    n : int
        Units.
    g, k, gamma : float
        Gain of the quenched couplings, Hebbian strength (k < 0 anti-Hebbian) and synaptic rate
        (1/tau).
    rng : int, Generator or None
        Draws J0 and x(0) ~ N(0, 1); A(0) = 0.
    """

    def __init__(self, n, g=1.5, k=0.0, gamma=0.5, rng=None):
        self.rng = as_generator(rng)
        self.n = v.count(n, "n", 1)
        _check(g, k, gamma, 0.01)
        self.g, self.k, self.gamma = float(g), float(k), float(gamma)
        self.J0 = self.rng.standard_normal((self.n, self.n)) / np.sqrt(self.n)
        self.x = self.rng.standard_normal(self.n)
        self.A = np.zeros((self.n, self.n))
        self.t = 0.0

    def run(self, duration, dt=0.1, record_every=1, plastic=True, progress=False):
        """Integrate (x, A) for ``duration`` (units of tau); with plastic=False A stays frozen.

        Returns (t, x) with x of shape (samples, n); the network keeps the final state."""
        _check(self.g, self.k, self.gamma, dt)
        n_steps = v.steps(v.nonnegative(duration, "duration"), dt)
        from ..rate.network import _progress
        rec, self.x, self.A = _dmft.plastic_integrate(self.J0, self.x, self.A, n_steps, dt, self.g, self.k,
                                                      self.gamma if plastic else 0.0, record_every=record_every,
                                                      progress=_progress(progress, n_steps, "plastic network"))
        t = self.t + np.arange(rec.shape[0]) * dt * record_every
        self.t += n_steps * dt
        return t, rec

    @property
    def coupling(self):
        """The current total coupling matrix g J0 + A."""
        return self.g * self.J0 + self.A

    def speed(self):
        """|dx/dt| / sqrt(N) at the current state."""
        return float(np.linalg.norm(-self.x + self.coupling @ np.tanh(self.x)) / np.sqrt(self.n))


def freeze_test(net, duration=100.0, settle=0.0, dt=0.1):
    """Halt plasticity and follow the neurons alone (rate kernels, J = g J0 + A frozen).

    Returns a dict: ``distance_from_freeze`` (max over time of |x(t) - x(t0)| / |x(t0)|),
    ``drift`` (max over [settle, settle + duration] of |x(t) - x(settle)| / |x(settle)|),
    ``final_speed`` (|dx/dt| / sqrt(N)) and ``max_re_eig`` of the Jacobian -1 + J diag(phi') at the end.
    """
    from ..rate import integrate_rate_network
    J = net.coupling
    x0 = net.x.copy()
    if settle > 0:
        x_s = integrate_rate_network(J, x0, settle, dt, record_every=v.steps(settle, dt, "settle")).x_final
    else:
        x_s = x0
    tr = integrate_rate_network(J, x_s, duration, dt, record_every=max(1, int(round(1.0 / dt))))
    xs = tr.x
    d_freeze = float(np.max(np.linalg.norm(xs - x0, axis=1)) / np.linalg.norm(x0))
    drift = float(np.max(np.linalg.norm(xs - x_s, axis=1)) / np.linalg.norm(x_s))
    xf = tr.x_final
    speed = float(np.linalg.norm(-xf + J @ np.tanh(xf)) / np.sqrt(net.n))
    jac = -np.eye(net.n) + J * (1 - np.tanh(xf) ** 2)[None, :]
    return dict(distance_from_freeze=d_freeze, drift=drift, final_speed=speed,
                max_re_eig=float(np.max(np.linalg.eigvals(jac).real)))


@dataclass
class PlasticDMFTResult:
    """Self-consistent single-site statistics of the coupled model.

    ``tau`` lags (units of tau), ``c_x`` and ``c_phi`` the autocorrelations <x x>, <phi phi>;
    ``iterations``, ``residual`` (max change of C_phi relative to C_phi(0) in the last iteration),
    ``converged``."""
    g: float
    k: float
    gamma: float
    tau: np.ndarray
    c_x: np.ndarray
    c_phi: np.ndarray
    iterations: int
    residual: float
    converged: bool

    def half_decay_time(self):
        from .scs import decay_time
        return decay_time(self.tau, self.c_x / self.c_x[0], 0.5)


def _gaussian_paths(cov, n_paths, n_steps, white):
    """Stationary Gaussian paths with autocovariance cov[l] (l = 0..L-1, zero beyond) by circulant
    embedding; ``white`` holds the (n_paths//2 + 1, 2, nfft) normal draws reused across iterations."""
    nfft = white.shape[2]
    L = len(cov)
    c = np.zeros(nfft)
    c[:L] = cov
    c[nfft - L + 1:] = cov[1:][::-1]
    lam = np.clip(np.fft.fft(c).real, 0.0, None)
    z = white[:, 0] + 1j * white[:, 1]
    y = np.fft.fft(np.sqrt(lam / nfft) * z, axis=1)
    paths = np.concatenate([y.real, y.imag], axis=0)[:n_paths, :n_steps]
    return np.ascontiguousarray(paths)


def solve_plastic_dmft(g, k, gamma, dt=0.1, duration=300.0, burn_in=60.0, window=30.0, n_paths=400,
                       c_phi0=None, damping=0.5, tol=5e-3, max_iter=40, rng=None, raise_on_fail=True):
    """Solve the single-site DMFT of the coupled neuronal-synaptic model by path sampling.

    Parameters
    ----------
    g, k, gamma : float
        Model parameters (see the module docstring).
    dt : float
        Euler step of the single-site paths (units of tau).
    duration, burn_in : float
        Observation time per path and the initial time discarded (memory warm-up).
    window : float
        Lag window kept for C_phi and the memory kernel (units of tau).
    n_paths : int
        Sampled paths M.
    c_phi0 : array, optional
        Starting C_phi on the lag grid (default: the SCS solution at g, or a short exponential).
    damping : float
        Mixing weight of the new estimate.
    tol : float
        Residual tolerance (max |C_phi_new - C_phi| / C_phi(0)).
    max_iter : int
    rng : int, Generator or None
    raise_on_fail : bool
        Raise ConvergenceError (naming the residual) if tol is not reached.

    Returns
    -------
    PlasticDMFTResult
    """
    _check(g, k, gamma, dt)
    v.count(n_paths, "n_paths", 2)
    v.count(max_iter, "max_iter", 1)
    if not 0 < damping <= 1:
        raise ValueError(f"argument 'damping' must be in (0, 1], got {damping}")
    gen = as_generator(rng)
    L = int(round(window / dt)) + 1
    tau = np.arange(L) * dt
    if c_phi0 is None:
        if g > 1:
            from .scs import solve_scs
            s = solve_scs(g, tau_max=window, dtau=dt, lyapunov=False)
            c_phi = np.interp(tau, s.tau, s.c_phi)
        else:
            c_phi = 0.5 * np.exp(-tau / 3.0)
    else:
        c_phi = np.asarray(c_phi0, float).copy()
        if c_phi.shape != (L,):
            raise ValueError(f"argument 'c_phi0' must have shape ({L},) (lags 0..window), got {c_phi.shape}")
    n_burn = int(round(burn_in / dt))
    n_steps = n_burn + int(round(duration / dt))
    nfft = 1 << int(np.ceil(np.log2(n_steps + L)))
    white = gen.standard_normal(((n_paths + 1) // 2, 2, nfft))
    decay = (1.0 - gamma * dt) ** np.arange(L - 1)
    residual, it, c_x = np.inf, 0, None
    for it in range(1, max_iter + 1):
        eta = _gaussian_paths(g * g * c_phi, n_paths, n_steps, white)
        kernel = gamma * k * dt * decay * c_phi[1:]
        x, ph = _dmft.plastic_single_site(eta, np.ascontiguousarray(kernel), dt)
        x, ph = x[:, n_burn:], ph[:, n_burn:]
        new_phi = autocovariance(ph.T, L - 1, subtract_mean=False)
        c_x = autocovariance(x.T, L - 1, subtract_mean=False)
        residual = float(np.max(np.abs(new_phi - c_phi)) / max(new_phi[0], 1e-12))
        c_phi = (1 - damping) * c_phi + damping * new_phi
        if residual <= tol:
            break
    converged = residual <= tol
    if not converged and raise_on_fail:
        raise ConvergenceError(f"plastic DMFT sampler: not converged after {it} iterations "
                               f"(residual {residual:.3g} > tol {tol:.3g})")
    return PlasticDMFTResult(g=float(g), k=float(k), gamma=float(gamma), tau=tau, c_x=c_x, c_phi=c_phi,
                             iterations=it, residual=residual, converged=bool(converged))
