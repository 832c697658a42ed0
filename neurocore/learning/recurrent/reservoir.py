"""Working-memory backbone + reward-modulated Hebbian readout (Pogodin, Corneil, Seeholzer, Heng &
Gerstner, arXiv 1910.10559; notes seed002_plasticity_surprise.md section 4).

A bump-attractor network with adaptation on a torus (after Itskov et al. 2011) produces a travelling
bump; one recorded trajectory is replayed identically every period through a fixed sparse projection
into a rate reservoir, giving it a reproducible spatio-temporal backbone. The readout learns by
reward-modulated Hebbian plasticity (Hoerzer et al.): ``dW = eta(t) M (z - zbar) r^T`` with the binary
improvement signal ``M = 1[-|z - f|^2 > its 5 ms average]`` (the plasticity engine's COVARIANCE rule
with a modulator), or by FORCE (RLS) for comparison. The loop runs in C (recurrent.c).
"""
import numpy as np

from ... import _validate as v
from ..._random import as_generator
from . import _recurrent
from ._state import Stateful
from .force import TrainResult, _periodic, _series
from .tasks import shifted_correlation

__all__ = ["BumpAttractor", "WMReservoir", "short_target", "long_target"]


def short_target(t, f=1.0):
    """1 s target of Pogodin et al.: ``1.3 (sin(2 pi f t)/1.5 + sin(4 pi f t)/3 + sin(6 pi f t)/9 + sin(8 pi f t)/3)``."""
    w = 2 * np.pi * f * np.asarray(t, dtype=float)
    return 1.3 * (np.sin(w) / 1.5 + np.sin(2 * w) / 3 + np.sin(3 * w) / 9 + np.sin(4 * w) / 3)


def long_target(t):
    """10 s target: ``0.5 sin(2 pi t / 10 s) + 0.5 short(t)`` (t in seconds)."""
    t = np.asarray(t, dtype=float)
    return 0.5 * np.sin(2 * np.pi * t / 10.0) + 0.5 * short_target(t)


class BumpAttractor:
    """Rate network with adaptation on an L x L torus: ``r <- r + dt/tau_r (-r + [W r + I - a]_+)``,
    ``a <- a + dt/tau_a (-a + beta r)``, ``I ~ N(i_mean, i_std^2)`` per unit and step.
    ``W_ij = (50/L)^2 [-0.375 + pdf_N(0,1)(d_ij)] + noise``, d the toroidal distance with each axis
    scaled by pi/L; the (50/L)^2 factor keeps the total input of the paper's 50 x 50 network.
    Times in ms (dt = 1, tau_r = 30, tau_a = 400, beta = 1.5)."""

    def __init__(self, L=30, w_noise=2.0, tau_r=30.0, tau_a=400.0, beta=1.5, i_mean=1.0, i_std=0.0025, dt=1.0,
                 rng=None):
        self.rng = as_generator(rng)
        self.L = v.count(L, "L", 3)
        n = self.L * self.L
        ix = np.arange(n) % self.L
        iy = np.arange(n) // self.L
        def axis(a):
            d = np.abs(a[:, None] - a[None, :])
            return np.minimum(d, self.L - d) * np.pi / self.L
        d = np.hypot(axis(ix), axis(iy))
        scale = (50.0 / self.L) ** 2
        self.W = scale * (-0.375 + np.exp(-0.5 * d * d) / np.sqrt(2 * np.pi))
        self.W += self.rng.standard_normal((n, n)) * (w_noise / 50.0) * scale
        self.dt, self.tau_r, self.tau_a, self.beta = dt, tau_r, tau_a, beta
        self.i_mean, self.i_std = i_mean, i_std
        self.r = np.zeros(n)
        self.r[0] = 1.0
        self.a = np.zeros(n)

    @property
    def n(self):
        return self.L * self.L

    def run(self, n_steps, record=True, rng=None):
        """Advance n_steps (ms); returns the rates after each step (n_steps, L*L) or None."""
        rec, self.r, self.a = _recurrent.bump_run(self.W, self.r, self.a, v.count(n_steps, "n_steps", 0), self.dt,
                                                  self.tau_r, self.tau_a, self.beta, self.i_mean, self.i_std,
                                                  record=record, bitgen=(self.rng if rng is None else
                                                                          as_generator(rng)).bit_generator)
        return rec if record else None

    def position(self, rates):
        """Bump centre (circular mean along each axis, grid units) for rates (T, L*L) -> (T, 2)."""
        R = np.asarray(rates).reshape(-1, self.L, self.L)
        ang = 2 * np.pi * np.arange(self.L) / self.L
        out = []
        for axis in (2, 1):
            m = R.sum(axis=3 - axis)
            c = (m * np.cos(ang)).sum(-1) + 1j * (m * np.sin(ang)).sum(-1)
            out.append(np.mod(np.angle(c), 2 * np.pi) * self.L / (2 * np.pi))
        return np.stack(out, axis=1)


class WMReservoir(Stateful):
    """Rate reservoir with output feedback, optional backbone input and a trained linear readout.

    ``x <- x + dt/tau (-x + lam J r + w_fb z + B(t))``, ``r = tanh(x) + U(-noise_r, noise_r)``,
    ``z = W r + U(-noise_z, noise_z)``. J is Bernoulli(p) x N(0, 1/(p n)), lam = 1.5, tau = 50 ms,
    dt = 1 ms, w_fb ~ U(-1, 1). The backbone current ``B(t) = gain U r_bump(t mod period)`` comes from
    a recorded bump-attractor trajectory through a sparse projection U (p = 0.1, N(0, 1/(0.1 n))).

    Parameters
    ----------
    n : int
    backbone : (T, n_bump) array or None
        A recorded working-memory trajectory replayed every period (None: no backbone).
    backbone_gain : float
    """
    _state_fields = ("x", "z", "W", "zbar", "pbar", "learn_count", "P", "step")

    def __init__(self, n=300, p=0.1, lam=1.5, tau=50.0, dt=1.0, noise_r=0.05, noise_z=0.5, backbone=None,
                 backbone_gain=1.0, rng=None):
        self.rng = as_generator(rng)
        self.n = v.count(n, "n", 1)
        self.dt, self.tau = v.positive(dt, "dt"), v.positive(tau, "tau")
        self.noise_r, self.noise_z = v.nonnegative(noise_r, "noise_r"), v.nonnegative(noise_z, "noise_z")
        mask = self.rng.random((self.n, self.n)) < p
        self.J = lam * mask * self.rng.standard_normal((self.n, self.n)) / np.sqrt(p * self.n)
        self.w_fb = self.rng.uniform(-1, 1, (self.n, 1))
        self.current = None
        if backbone is not None:
            bb = _series(backbone, "backbone")
            U = (self.rng.random((self.n, bb.shape[1])) < 0.1) * self.rng.standard_normal((self.n, bb.shape[1]))
            U /= np.sqrt(0.1 * self.n)
            self.current = backbone_gain * bb @ U.T
        self.x = 0.5 * self.rng.standard_normal(self.n)
        self.z = np.zeros(1)
        self.W = np.zeros((1, self.n))
        self.zbar = np.zeros(1)
        self.pbar = 0.0
        self.learn_count = 0.0
        self.P = None
        self.step = 0

    def _after_load(self):
        self.step = int(self.step)

    def _run(self, target, n_steps, rule, learn, eta0, tau_eta, alpha):
        target = _series(target, "target", 1)
        if self.current is not None and self.current.shape[0] != target.shape[0]:
            raise ValueError(f"argument 'target' has {target.shape[0]} steps but the backbone period is "
                             f"{self.current.shape[0]} steps")
        readout = v.choice(rule, "rule", {"rmh": 2, "force": 1, "none": 0})
        out = _recurrent.train(
            n_steps, self.dt, self.tau, self.x, self.W, J=self.J, w_fb=self.w_fb, inputs=self.current, target=target,
            P=self.P, alpha=alpha, z=self.z, zbar=self.zbar, pbar=self.pbar, learn_count=self.learn_count,
            noise_r=self.noise_r, noise_z=self.noise_z, readout=readout, learn=int(learn), learn_every=1,
            eta0=eta0, tau_eta=tau_eta, avg=0.2, step0=self.step, bitgen=self.rng.bit_generator)
        self.x, self.W, self.z, self.zbar, self.P = out["x"], out["W"], out["z"], out["zbar"], out["P"]
        self.pbar, self.learn_count = out["pbar"], out["learn_count"]
        tg = _periodic(target, n_steps, self.step)
        self.step += n_steps
        return TrainResult(np.arange(n_steps) * self.dt, out["zhat"], tg, shifted_correlation(out["zhat"], tg))

    def train(self, target, n_periods, rule="rmh", eta0=5e-4, tau_eta=20000.0, alpha=1.0):
        """Train for n_periods of target (one row per ms). rule: 'rmh' (reward-modulated Hebbian,
        ``eta = eta0 / (1 + t / tau_eta)``, t in training steps) or 'force' (RLS, P(0) = I / alpha)."""
        T = _series(target, "target").shape[0]
        return self._run(target, v.count(n_periods, "n_periods", 0) * T, rule, True, eta0, tau_eta, alpha)

    def test(self, target, n_periods=1):
        """Run n_periods without plasticity, then restore the state from before the test (as in the
        paper's protocol). ``error`` of the result is the shift-maximised correlation with the target."""
        saved = self.state_dict()
        T = _series(target, "target").shape[0]
        res = self._run(target, v.count(n_periods, "n_periods", 1) * T, "none", False, 0.0, 0.0, 1.0)
        self.load_state_dict(saved)
        return res
