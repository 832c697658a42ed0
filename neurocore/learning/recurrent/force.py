"""FORCE (Sussillo & Abbott 2009) and full-FORCE (DePasquale et al. 2018), trained in C.

The whole loop -- network step, output, RLS update of P and of the weights -- runs in one C call per
chunk of steps (``csrc/kernels/recurrent.c`` with the shared RLS kernel ``rls.c``).
"""
from dataclasses import dataclass

import numpy as np

from ... import _validate as v
from ..._random import as_generator
from ...rate.network import PHI as RATE_PHI
from . import _recurrent
from ._state import Stateful
from .tasks import normalized_error

#: Transfer functions of the training kernels: name -> code, the rate.h table (neurocore.rate.PHI).
PHI = RATE_PHI


@dataclass
class TrainResult:
    """Output of a training or test run: ``z[s]`` the readout after step s, ``target[s]`` its target,
    ``t`` the times (units of dt), ``r`` the recorded rates of the first units (and ``r_teacher`` those
    of the target-generating network, full-FORCE), ``error`` the normalised error
    ``sum |z - f|^2 / sum |f|^2`` over the run."""
    t: np.ndarray
    z: np.ndarray
    target: np.ndarray
    error: float
    r: np.ndarray = None
    r_teacher: np.ndarray = None


def _periodic(series, n_steps, step0):
    """Rows step0 .. step0+n_steps-1 of a periodically repeated series."""
    idx = (step0 + np.arange(n_steps)) % series.shape[0]
    return series[idx]


def _series(a, name, cols=None):
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"argument '{name}' must be a (T,) or (T, k) array with T >= 1 steps, got shape {a.shape}")
    if cols is not None and a.shape[1] != cols:
        raise ValueError(f"argument '{name}' must have {cols} column(s), got {a.shape[1]}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"argument '{name}' must be finite, found NaN or inf")
    return a


def _noise_std(noise, dt, tau):
    """Per-step std of the state noise whose stationary std for an isolated unit is ``noise``
    (the convention of neurocore.rate: tau dx = ... + noise sqrt(2 tau) dW)."""
    return v.nonnegative(noise, "noise") * np.sqrt(2 * dt / tau)


class ForceNetwork(Stateful):
    """FORCE learning (Sussillo & Abbott 2009): a chaotic rate network with output feedback,
    ``tau dx/dt = -x + J r + w_fb z + u_in f_in``, ``r = tanh(x)``, ``z = W r``, where only the readout
    W is trained by RLS every ``learn_every`` steps, running closed loop on its own z.

    Defaults are the published ones: N = 1000, sparseness p = 0.1, g = 1.5, alpha = 1,
    dt = 0.1 tau, learn_every = 2, w_fb ~ U(-1, 1), W(0) = 0, x(0) ~ 0.5 N(0, 1).

    Parameters
    ----------
    n, p, g : int, float, float
        Units, connection probability and gain: ``J_ij ~ N(0, g^2 / (p n))`` on a Bernoulli(p) mask.
    alpha : float
        RLS regulariser, ``P(0) = I / alpha``.
    n_out, n_in : int
        Readouts and input channels.
    dt, tau : float
        Step and time constant (same unit).
    learn_every : int
        Steps between RLS updates.
    J, w_fb, u_in : arrays, optional
        Use these instead of drawing them (e.g. the target-generating network of full-FORCE, for the
        matched comparison of DePasquale et al.).
    phi : str
    rng : int, Generator or None
    """
    _state_fields = ("x", "z", "W", "P", "J", "w_fb", "u_in", "step")

    def __init__(self, n=1000, p=0.1, g=1.5, alpha=1.0, n_out=1, n_in=0, dt=0.1, tau=1.0, learn_every=2,
                 J=None, w_fb=None, u_in=None, phi="tanh", rng=None):
        self.rng = as_generator(rng)
        self.n = v.count(n, "n", 1)
        self.n_out = v.count(n_out, "n_out", 1)
        self.n_in = v.count(n_in, "n_in", 0)
        self.alpha = v.positive(alpha, "alpha")
        self.dt, self.tau = v.positive(dt, "dt"), v.positive(tau, "tau")
        self.learn_every = v.count(learn_every, "learn_every", 1)
        self.phi = v.choice(phi, "phi", PHI)
        if J is None:
            p = v.positive(p, "p")
            mask = self.rng.random((self.n, self.n)) < p
            J = mask * self.rng.standard_normal((self.n, self.n)) * (v.nonnegative(g, "g") / np.sqrt(p * self.n))
        self.J = np.array(J, dtype=float)
        self.w_fb = self.rng.uniform(-1, 1, (self.n, self.n_out)) if w_fb is None else np.array(w_fb, dtype=float)
        self.u_in = (None if self.n_in == 0 else
                     (self.rng.uniform(-1, 1, (self.n, self.n_in)) if u_in is None else np.array(u_in, dtype=float)))
        self.x = 0.5 * self.rng.standard_normal(self.n)
        self.z = 0.5 * self.rng.standard_normal(self.n_out)
        self.W = np.zeros((self.n_out, self.n))
        self.P = None
        self.step = 0

    def _after_load(self):
        self.step = int(self.step)

    def _run(self, n_steps, target, inputs, learn, noise=0.0, n_rec=0, feedback_target=False, progress=None):
        target = _series(target, "target", self.n_out)
        kw = {}
        if inputs is not None:
            if self.u_in is None:
                raise ValueError("argument 'inputs' needs a network built with n_in > 0")
            kw = dict(u_in=self.u_in, inputs=_series(inputs, "inputs", self.n_in))
        out = _recurrent.train(
            n_steps, self.dt, self.tau, self.x, self.W, J=self.J, w_fb=self.w_fb, target=target, P=self.P,
            alpha=self.alpha, z=self.z, sigma_x=_noise_std(noise, self.dt, self.tau), readout=1,
            feedback_target=int(feedback_target), learn=int(learn), learn_every=self.learn_every,
            n_rec=n_rec, step0=self.step, phi=self.phi, bitgen=self.rng.bit_generator, progress=progress, **kw)
        self.x, self.W, self.z, self.P = out["x"], out["W"], out["z"], out["P"]
        tg = _periodic(target, n_steps, self.step)
        t = (self.step + 1 + np.arange(n_steps)) * self.dt
        self.step += n_steps
        return TrainResult(t, out["zhat"], tg, normalized_error(out["zhat"], tg), out["r_rec"])

    def train(self, target, duration, inputs=None, noise=0.0, n_rec=0, progress=None):
        """Train for ``duration`` (time units) on a periodic target (``target[s % T]`` at step s, one
        row per step of dt). Returns :class:`TrainResult`."""
        return self._run(v.steps(v.nonnegative(duration, "duration"), self.dt), target, inputs, True, noise,
                         n_rec, progress=progress)

    def test(self, target, duration, inputs=None, noise=0.0, n_rec=0, feedback_target=False, progress=None):
        """Run with frozen weights (``feedback_target`` feeds the target instead of z: teacher forcing)."""
        return self._run(v.steps(v.nonnegative(duration, "duration"), self.dt), target, inputs, False, noise,
                         n_rec, feedback_target, progress)


class FullForceNetwork(Stateful):
    """full-FORCE (DePasquale, Cueva, Rajan, Escola & Abbott 2018).

    A random target-generating network ``tau dxD/dt = -xD + J_D rD + u_in f_in + u_out f_out
    (+ u_hint f_hint)`` is driven by the desired output. The task network
    ``tau dx/dt = -x + J r + u_in f_in`` (plus state noise) learns its full recurrent matrix J by RLS
    so that ``J r`` reproduces ``J_D rD + u_out f_out + u_hint f_hint``, and its readout ``z = W r``
    so that z = f_out; both share one P. J and W start at 0; updates happen with probability
    ``1 / dtrls`` per step. Defaults follow ``demo_oscillation.m``: N = 300, dt = 1 ms, tau = 10 ms,
    g = 1.5, alpha = 1, dtrls = 2.

    Parameters
    ----------
    n, g, alpha, dt, tau, dtrls : see above (times in seconds)
    n_in, n_out, n_hint : int
    gain_in, gain_out, gain_hint : float
        ``u ~ gain * U(-1, 1)``.
    rng : int, Generator or None
    """
    _state_fields = ("x", "xT", "J", "W", "P", "J_D", "u_in", "u_out", "u_hint", "step")

    def __init__(self, n=300, g=1.5, alpha=1.0, n_in=1, n_out=1, n_hint=0, dt=1e-3, tau=1e-2, dtrls=2,
                 gain_in=1.0, gain_out=1.0, gain_hint=1.0, phi="tanh", rng=None):
        self.rng = as_generator(rng)
        self.n = v.count(n, "n", 1)
        self.n_in, self.n_out, self.n_hint = (v.count(n_in, "n_in", 0), v.count(n_out, "n_out", 1),
                                              v.count(n_hint, "n_hint", 0))
        self.alpha = v.positive(alpha, "alpha")
        self.dt, self.tau = v.positive(dt, "dt"), v.positive(tau, "tau")
        self.dtrls = v.positive(dtrls, "dtrls")
        if self.dtrls < 1:
            raise ValueError(f"argument 'dtrls' must be >= 1 (steps per update on average), got {dtrls}")
        self.phi = v.choice(phi, "phi", PHI)
        self.J_D = self.rng.standard_normal((self.n, self.n)) * (v.nonnegative(g, "g") / np.sqrt(self.n))
        self.u_in = gain_in * self.rng.uniform(-1, 1, (self.n, self.n_in)) if self.n_in else None
        self.u_out = gain_out * self.rng.uniform(-1, 1, (self.n, self.n_out))
        self.u_hint = gain_hint * self.rng.uniform(-1, 1, (self.n, self.n_hint)) if self.n_hint else None
        self.x = 0.5 * self.rng.standard_normal(self.n)
        self.xT = self.x.copy()
        self.J = np.zeros((self.n, self.n))
        self.W = np.zeros((self.n_out, self.n))
        self.P = None
        self.step = 0

    def _after_load(self):
        self.step = int(self.step)

    def force_twin(self, learn_every=2, rng=None):
        """The matched FORCE network of the paper's comparison: the same J_D, u_in and u_out (as the
        feedback weights of z), N, dt, tau and alpha; only its readout is trained."""
        return ForceNetwork(self.n, alpha=self.alpha, n_out=self.n_out, n_in=self.n_in, dt=self.dt, tau=self.tau,
                            learn_every=learn_every, J=self.J_D, w_fb=self.u_out, u_in=self.u_in,
                            phi=[k for k, c in PHI.items() if c == self.phi][0],
                            rng=self.rng if rng is None else rng)

    def _run(self, n_steps, inputs, target, hints, learn, noise, n_rec, progress):
        target = _series(target, "target", self.n_out)
        kw = {}
        if self.n_in:
            if inputs is None:
                raise ValueError("argument 'inputs' is required (the network has input channels)")
            kw.update(u_in=self.u_in, inputs=_series(inputs, "inputs", self.n_in))
        if self.n_hint:
            if hints is None:
                raise ValueError("argument 'hints' is required (the network was built with n_hint > 0)")
            kw.update(u_hint=self.u_hint, hints=_series(hints, "hints", self.n_hint))
        out = _recurrent.train(
            n_steps, self.dt, self.tau, self.x, self.W, target=target, J_teach=self.J_D, u_out=self.u_out,
            xT=self.xT, J_learn=self.J, P=self.P, alpha=self.alpha, sigma_x=_noise_std(noise, self.dt, self.tau),
            readout=1, learn_J=1, learn=int(learn), learn_prob=1.0 / self.dtrls, n_rec=n_rec, step0=self.step,
            phi=self.phi, bitgen=self.rng.bit_generator, progress=progress, **kw)
        self.x, self.W, self.J, self.P, self.xT = out["x"], out["W"], out["J_learn"], out["P"], out["xT"]
        tg = _periodic(target, n_steps, self.step)
        t = (self.step + 1 + np.arange(n_steps)) * self.dt
        self.step += n_steps
        return TrainResult(t, out["zhat"], tg, normalized_error(out["zhat"], tg), out["r_rec"], out["rT_rec"])

    def train(self, inputs, target, n_trials, hints=None, noise=0.0, n_rec=0, progress=None):
        """Train on ``n_trials`` repetitions of one trial (rows of ``inputs``, ``target``, ``hints`` per step)."""
        T = _series(target, "target").shape[0]
        return self._run(v.count(n_trials, "n_trials", 0) * T, inputs, target, hints, True, noise, n_rec, progress)

    def test(self, inputs, target, n_trials, hints=None, noise=0.0, n_rec=0, progress=None):
        """Run ``n_trials`` trials with frozen weights. Returns :class:`TrainResult`."""
        T = _series(target, "target").shape[0]
        return self._run(v.count(n_trials, "n_trials", 0) * T, inputs, target, hints, False, noise, n_rec, progress)
