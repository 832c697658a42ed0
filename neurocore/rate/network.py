"""Rate-network models and their Python API (kernels: csrc/kernels/rate.c)."""
from dataclasses import dataclass

import numpy as np

from .._progress import progress_callback
from .. import _validate as v
from .._random import as_generator
from . import _rate

_progress = progress_callback  # the old private name, still imported by a few modules

#: Transfer functions known to the C kernel: name -> code (from the C table NC_RATE_PHI_TABLE).
PHI = dict(_rate.PHI_CODES)
_METHODS = {"euler": 0, "rk4": 1}


def phi_function(name):
    """The NumPy version of a transfer function, for analysis and reference code."""
    v.choice(name, "phi", PHI)
    return {
        "tanh": np.tanh,
        "relu": lambda x: np.maximum(x, 0.0),
        "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
        "linear": lambda x: np.asarray(x, dtype=float).copy(),
        "halftanh": lambda x: np.maximum(np.tanh(x), 0.0),
    }[name.lower()]


def random_coupling(n, g, rng=None, zero_diagonal=False):
    """Random coupling matrix of the SCS model, ``J_ij ~ N(0, g^2 / n)``.

    Parameters
    ----------
    n : int
        Number of units.
    g : float
        Coupling gain (dimensionless); the chaotic transition of the tanh network is at g = 1.
    rng : int, Generator or None
    zero_diagonal : bool
        Remove autapses (irrelevant at large n).
    """
    n = v.count(n, "n", 1)
    g = v.nonnegative(g, "g")
    J = as_generator(rng).standard_normal((n, n)) * (g / np.sqrt(n))
    if zero_diagonal:
        np.fill_diagonal(J, 0.0)
    return J


@dataclass
class RateTrajectory:
    """Recorded states: ``x[i]`` is the state at time ``t[i]``; ``x_final`` the last state."""
    t: np.ndarray
    x: np.ndarray
    x_final: np.ndarray


@dataclass
class LyapunovResult:
    """Lyapunov exponents (1/time units of tau), largest first, and their running estimate.

    ``exponents[i]`` is the time-averaged log growth rate of the i-th tangent direction;
    ``history[j]`` the log growth of each direction in the j-th orthonormalisation interval.
    """
    exponents: np.ndarray
    history: np.ndarray
    interval: float
    x_final: np.ndarray

    def block_means(self, n_blocks=10):
        """Exponent estimates from ``n_blocks`` consecutive blocks (for error bars)."""
        h = self.history[: (len(self.history) // n_blocks) * n_blocks]
        return h.reshape(n_blocks, -1, h.shape[1]).mean(axis=1) / self.interval


def integrate_rate_network(J, x0, duration, dt, tau=1.0, phi="tanh", method="euler", I=None,
                           I_t=None, noise=None, record_every=1, rng=None, progress=False):
    """Integrate ``tau dx/dt = -x + J phi(x) + I + I_t(t)`` (+ noise) in C.

    Parameters
    ----------
    J : (N, N) array
        Couplings; ``J[i, j]`` is the weight from unit j to unit i.
    x0 : (N,) array
        Initial state.
    duration, dt, tau : float
        Simulated time, step and time constant, all in the same unit (e.g. tau = 1). dt <= tau.
    phi : {'tanh', 'relu', 'sigmoid', 'linear', 'halftanh'}
    method : {'euler', 'rk4'}
        RK4 holds the input constant over a step.
    I : (N,) array, optional
        Constant input.
    I_t : (n_steps, N) array, optional
        Input per step (row s applies during step s).
    noise : float or (N,) array, optional
        Stationary standard deviation sigma of an isolated unit: ``tau dx = ... + sigma sqrt(2 tau) dW``.
        Added after each deterministic step (Euler-Maruyama).
    record_every : int
        Keep every k-th state (the initial state is always kept).
    rng : int, Generator or None
        Needed only with noise.
    progress : bool or callable(done, total)
        True shows a tqdm bar.

    Returns
    -------
    RateTrajectory
    """
    dt = v.positive(dt, "dt")
    n_steps = v.steps(v.nonnegative(duration, "duration"), dt)
    phi_code = v.choice(phi, "phi", PHI)
    method_code = v.choice(method, "method", _METHODS)
    J = np.asarray(J) if not isinstance(J, np.ndarray) else J
    bitgen = None
    if noise is not None:
        if np.ndim(noise) == 0:
            noise = np.full(np.shape(J)[0] if np.ndim(J) == 2 else 1, float(noise))
        bitgen = as_generator(rng).bit_generator
    record_every = v.count(record_every, "record_every", 1)
    rec, xf = _rate.integrate(J, x0, n_steps, dt, tau=float(tau), phi=phi_code, method=method_code,
                              I=I, I_t=I_t, noise=noise, record_every=record_every, bitgen=bitgen,
                              progress=progress_callback(progress, n_steps, "rate network"))
    t = np.arange(rec.shape[0]) * (record_every * dt)
    return RateTrajectory(t=t, x=rec, x_final=xf)


def lyapunov_spectrum(J, x0, duration, dt, k=1, tau=1.0, phi="tanh", I=None, I_t=None,
                      ortho_every=10, transient=0.0, rng=None, progress=False):
    """The k largest Lyapunov exponents of the Euler-discretised rate network.

    Tangent vectors evolve with the Jacobian of the Euler map and are re-orthonormalised by
    Gram-Schmidt (QR) every ``ortho_every`` steps (Benettin et al. 1980; Engelken, Wolf & Abbott
    2020). For dt -> 0 the map's exponents converge to those of the flow.

    Parameters
    ----------
    duration : float
        Averaging time after the transient (units of tau).
    k : int
        Number of exponents (1 <= k <= min(64, N)).
    transient : float
        Time integrated first (without tangent vectors) so that x reaches the attractor. With
        ``I_t``, the input covers both: its first transient/dt rows drive the transient.
    rng : int, Generator or None
        Draws the random initial tangent vectors.

    Returns
    -------
    LyapunovResult
        ``exponents`` in units of 1/tau.
    """
    dt = v.positive(dt, "dt")
    k = v.count(k, "k", 1)
    ortho_every = v.count(ortho_every, "ortho_every", 1)
    n_steps = v.steps(v.nonnegative(duration, "duration"), dt)
    if transient > 0:
        n_trans = v.steps(transient, dt, "transient")
        I_trans = None
        if I_t is not None:
            # A time-varying input runs on through the transient: its first n_trans rows drive
            # the transient and the following n_steps rows the exponent estimate.
            I_t = np.asarray(I_t)
            if I_t.ndim != 2 or I_t.shape[0] != n_trans + n_steps:
                raise ValueError(f"argument 'I_t' must have (transient + duration)/dt = {n_trans + n_steps} "
                                 f"rows when transient > 0, got shape {I_t.shape}")
            I_trans, I_t = I_t[:n_trans], I_t[n_trans:]
        x0 = integrate_rate_network(J, x0, transient, dt, tau=tau, phi=phi, I=I, I_t=I_trans,
                                    record_every=n_trans).x_final
    n = np.shape(J)[0] if np.ndim(J) == 2 else 0
    Q0, _ = np.linalg.qr(as_generator(rng).standard_normal((max(n, 1), min(k, max(n, 1)))))
    Q0 = np.ascontiguousarray(Q0.T)
    if k > n:
        Q0 = np.zeros((k, n))  # let the binding report the bad k with its message
    lg, hist, xf, _ = _rate.lyapunov(J, x0, Q0, n_steps, dt, tau=float(tau), phi=v.choice(phi, "phi", PHI),
                                     I=I, I_t=I_t, ortho_every=ortho_every,
                                     progress=progress_callback(progress, n_steps, "Lyapunov"))
    total_time = (n_steps // ortho_every) * ortho_every * dt
    exps = lg / total_time if total_time > 0 else np.full(k, np.nan)
    return LyapunovResult(exponents=exps, history=hist, interval=ortho_every * dt, x_final=xf)


class RateNetwork:
    """A random rate network ``tau dx/dt = -x + J phi(x) + I``, ``J_ij ~ N(0, g^2/N)``.

    Parameters
    ----------
    n : int
        Number of units.
    g : float
        Coupling gain.
    phi : str
        Transfer function ('tanh', 'relu', 'sigmoid', 'linear').
    tau : float
        Time constant (sets the time unit).
    I : float or (n,) array
        Constant external input.
    J : (n, n) array, optional
        Use this coupling matrix instead of drawing one.
    rng : int, Generator or None
        Draws J and the initial state.
    """

    def __init__(self, n, g=1.5, phi="tanh", tau=1.0, I=None, J=None, rng=None):
        self.rng = as_generator(rng)
        self.n = v.count(n, "n", 1)
        self.g = float(g)
        self.phi = phi
        v.choice(phi, "phi", PHI)
        self.tau = v.positive(tau, "tau")
        self.J = random_coupling(self.n, g, self.rng) if J is None else np.asarray(J, dtype=float)
        self.I = None if I is None else np.broadcast_to(np.asarray(I, dtype=float), (self.n,)).copy()
        self.x = self.rng.standard_normal(self.n)

    def run(self, duration, dt=0.1, method="euler", record_every=1, noise=None, rng=None, progress=False):
        """Integrate from the current state; the network keeps the final state. Returns RateTrajectory."""
        try:
            traj = integrate_rate_network(self.J, self.x, duration, dt, tau=self.tau, phi=self.phi,
                                          method=method, I=self.I, noise=noise, record_every=record_every,
                                          rng=self.rng if rng is None else rng, progress=progress)
        except KeyboardInterrupt as exc:
            # Keep the state of the last completed chunk, so a later run() resumes from there.
            partial = getattr(exc, "partial", None)
            if partial is not None:
                self.x = partial["x"]
            raise
        self.x = traj.x_final
        return traj

    def lyapunov(self, duration, dt=0.1, k=1, transient=0.0, ortho_every=10, rng=None, progress=False):
        """Largest k Lyapunov exponents from the current state (units 1/tau). Returns LyapunovResult."""
        res = lyapunov_spectrum(self.J, self.x, duration, dt, k=k, tau=self.tau, phi=self.phi, I=self.I,
                                ortho_every=ortho_every, transient=transient,
                                rng=self.rng if rng is None else rng, progress=progress)
        self.x = res.x_final
        return res

    # -- checkpoints (neurocore.io) -------------------------------------------------------------
    def state_dict(self):
        """Everything that defines the network and its future: parameters, J, state x and RNG."""
        return {"n": self.n, "g": self.g, "phi": self.phi, "tau": self.tau, "J": self.J, "I": self.I,
                "x": self.x, "rng": self.rng}

    @classmethod
    def from_state(cls, state):
        """Rebuild a network from :meth:`state_dict` output (exactly; the RNG continues its stream)."""
        net = cls.__new__(cls)
        net.n, net.g, net.phi, net.tau = int(state["n"]), float(state["g"]), state["phi"], float(state["tau"])
        net.J = np.array(state["J"], dtype=float)
        net.I = None if state["I"] is None else np.array(state["I"], dtype=float)
        net.x = np.array(state["x"], dtype=float)
        net.rng = as_generator(state["rng"])
        return net

    def save(self, path):
        """Write the network to ``path`` (atomic, versioned .npz; see :mod:`neurocore.io`)."""
        from .. import io
        return io.save(path, self)

    @classmethod
    def load(cls, path):
        """Read a network written by :meth:`save`."""
        from .. import io
        return io.load(path, cls=cls)
