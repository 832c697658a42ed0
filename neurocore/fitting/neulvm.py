"""neuLVM: mesoscopic modelling of hidden spiking neurons (Wang, Schmutz, Bellec & Gerstner,
NeurIPS 2022).

A network of M homogeneous populations of escape-noise LIF neurons is coarse-grained into the
age-structured mesoscopic model of Schwalger, Deger & Gerstner (2017); its population activities
Z_alpha(t) (fraction of population alpha firing in bin t; A = Z/dt in Hz) are the latent variables
and a few recorded neurons are the observations. The discretisation (dt = 4 ms, age window 1 s,
refractory 4 ms, hazard exp(V - theta), Gaussian finite-size noise with variance
Zbar/N + 0.1 dt/N) follows the authors' code and is written out in ``csrc/kernels/fitting_meso.c``.

Fitting is an EM-style loop (the authors' ``train_meso.py``): the M-step minimises the negative
joint log-likelihood -log p(y, Z | Theta) over membrane rate, resting potential, threshold and the
(masked, tied) couplings with L-BFGS-B, the E-step improves the latent Z by Adam. Both use the exact
gradient of a hand-written adjoint in C (the authors used finite differences for the M-step and
TensorFlow for the E-step).
"""
import threading
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _fitting
from .data import TrialCountMismatchError, spike_trials

__all__ = ["MesoParams", "wta_ground_truth", "simulate_micro", "simulate_meso", "neg_log_likelihood",
           "initial_latent", "m_step", "e_step", "fit_neulvm", "NeuLVMFit", "WTA_MASK"]

#: Connectivity mask of the winner-take-all network, row = source (E1, E2, I): E1 -> {E1, I},
#: E2 -> {E2, I}, I -> all (inhibitory).
WTA_MASK = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])


@dataclass
class MesoParams:
    """Parameters of M populations (arrays of length M; J is (M, M), row = SOURCE population).

    amem : 1/tau_m (1/s);  urest : resting potential;  theta : threshold of the hazard exp(V - theta)
    asyn : 1/tau_s of each presynaptic population (1/s);  J : coupling (signed)
    N : population sizes;  A0 : rates (Hz) of the 1 s history;  dt (s);  a_cutoff (s): age window;
    t_ref (s): absolute refractory period.
    """
    amem: np.ndarray
    urest: np.ndarray
    theta: np.ndarray
    asyn: np.ndarray
    J: np.ndarray
    N: np.ndarray
    A0: np.ndarray
    dt: float = 0.004
    a_cutoff: float = 1.0
    t_ref: float = 0.004
    var_floor: float = 0.1
    lam_ref: float = 1e-8
    code_prob: bool = False

    def __post_init__(self):
        for k in ("amem", "urest", "theta", "asyn", "N", "A0"):
            setattr(self, k, np.atleast_1d(np.asarray(getattr(self, k), dtype=float)).copy())
        self.J = np.atleast_2d(np.asarray(self.J, dtype=float)).copy()
        M = self.amem.size
        for k in ("urest", "theta", "asyn", "N", "A0"):
            if getattr(self, k).shape != (M,):
                raise ValueError(f"argument '{k}' must have length {M} (one value per population)")
        if self.J.shape != (M, M):
            raise ValueError(f"argument 'J' must have shape ({M}, {M}), got {self.J.shape}")

    @property
    def M(self):
        return self.amem.size

    @property
    def A(self):
        return int(round(self.a_cutoff / self.dt))

    @property
    def n_ref(self):
        return int(round(self.t_ref / self.dt))

    def kernel_dict(self, T0=None, obs_pop=None, ext=None):
        d = dict(amem=self.amem, urest=self.urest, theta=self.theta, asyn=self.asyn, J=self.J, N=self.N, A0=self.A0,
                 dt=float(self.dt), A=self.A, T0=self.A if T0 is None else int(T0), n_ref=self.n_ref,
                 var_floor=float(self.var_floor), lam_ref=float(self.lam_ref), code_prob=int(bool(self.code_prob)))
        if obs_pop is not None:
            d["obs_pop"] = np.asarray(obs_pop, dtype=np.int32)
        if ext is not None:
            d["ext"] = np.asarray(ext, dtype=float)
        return d

    def copy(self, **changes):
        return replace(self, **{k: (np.array(getattr(self, k)) if isinstance(getattr(self, k), np.ndarray) else
                                    getattr(self, k)) for k in self.__dataclass_fields__} | changes)


def wta_ground_truth(**changes):
    """The three-population winner-take-all network of the paper's Fig. 4 (authors' code
    ``arg_parser.py``): E1, E2 (400 neurons each), I (200); tau_m = 20 ms; tau_s = 3, 3, 6 ms;
    J = mask * [9.984, 9.984, 19.968] per source; u_rest = 14.4; theta = 3.7; t_ref = 4 ms;
    history rates A0 = (5, 20, 25) Hz."""
    p = MesoParams(amem=[50.0] * 3, urest=[14.4] * 3, theta=[3.7] * 3, asyn=[1 / 0.003, 1 / 0.003, 1 / 0.006],
                   J=WTA_MASK * np.array([9.984, 9.984, 19.968])[:, None], N=[400, 400, 200], A0=[5.0, 20.0, 25.0])
    return p.copy(**changes) if changes else p


def _history(params, T, history_bins):
    Z = np.zeros((T, params.M))
    Z[:history_bins] = params.A0 * params.dt
    return Z


def _ext(params, ext, T):
    if ext is None:
        return None
    ext = np.asarray(ext, dtype=float)
    if ext.shape != (T, params.M):
        raise ValueError(f"argument 'ext' must have shape ({T}, {params.M}) (bins incl. history, populations), "
                         f"got {ext.shape}")
    return ext


@dataclass
class MicroRun:
    """Ground-truth microscopic run: Z (T, M) population fractions (the first T0 bins are the fixed
    history), y (T, n_obs) recorded spikes, obs_pop (n_obs,) their populations, dt, T0."""
    Z: np.ndarray
    y: np.ndarray
    obs_pop: np.ndarray
    dt: float
    T0: int

    @property
    def rates(self):
        """Population rates (Hz) after the history, (T - T0, M)."""
        return self.Z[self.T0:] / self.dt


def simulate_micro(params, duration, n_obs_per_pop=3, ext=None, rng=None):
    """Simulate the microscopic network (sum N escape-noise LIF neurons) for ``duration`` seconds
    after a 1 s (a_cutoff) history at rates A0; record the first ``n_obs_per_pop`` neurons of each
    population. ``ext`` (T0 + T, M) is an extra input to each population (e.g. a perturbation)."""
    gen = as_generator(rng)
    T0 = params.A
    T = T0 + v.steps(duration, params.dt)
    starts = np.concatenate([[0], np.cumsum(np.round(params.N).astype(int))])
    obs = np.concatenate([np.arange(starts[a], starts[a] + n_obs_per_pop) for a in range(params.M)]).astype(np.int32)
    obs_pop = np.repeat(np.arange(params.M), n_obs_per_pop).astype(np.int32)
    Z, y = _fitting.micro_run(_history(params, T, T0), obs, params.kernel_dict(T0, ext=_ext(params, ext, T)),
                              gen.bit_generator)
    return MicroRun(Z, y, obs_pop, params.dt, T0)


def simulate_meso(params, duration, deterministic=False, ext=None, rng=None, record_age=False):
    """Free simulation of the mesoscopic model (Z sampled from N(Zbar, Zbar/N), or Z = Zbar with
    ``deterministic``) after the 1 s history at rates A0. Returns the kernel's dict: Z, Zbar, msum
    (sum of the cohort masses m), Lam, h (and V, S with record_age)."""
    gen = as_generator(rng)
    T0 = params.A
    T = T0 + v.steps(duration, params.dt)
    return _fitting.meso_run(_history(params, T, T0), None, 1 if deterministic else 2,
                             params.kernel_dict(T0, ext=_ext(params, ext, T)), gen.bit_generator, False, 1.0,
                             record_age, _workspace(T, params))


_WS = threading.local()


def _workspace(T, params):
    """A per-thread scratch array for the kernel's age-structured trajectory (reused between calls:
    fresh pages cost more than the recursion itself)."""
    need = 4 * T * params.M * params.A
    ws = getattr(_WS, "a", None)
    if ws is None or ws.size < need:
        ws = _WS.a = np.empty(need)
    return ws


def neg_log_likelihood(params, Z, y=None, obs_pop=None, T0=None, grad=False, ext=None, w_obs=1.0, record_age=False):
    """-log p(y, Z | Theta) = sum_t [Gaussian NLL of Z(t) + Bernoulli NLL of the recorded spikes],
    over bins t >= T0 (default a_cutoff/dt). Returns the kernel's dict: ``nll`` = (latent, observed)
    and with ``grad`` the exact gradients gZ, g_amem, g_urest, g_theta, g_J."""
    Z = np.asarray(Z, dtype=float)
    if y is not None:
        y = spike_trials(y, "y")[0]
        if obs_pop is None:
            raise ValueError("argument 'obs_pop' is required with recorded spikes 'y'")
        if y.shape[0] != Z.shape[0]:
            raise ValueError(f"argument 'y' must have {Z.shape[0]} bins like 'Z', got {y.shape[0]}")
    return _fitting.meso_run(Z, y, 0, params.kernel_dict(T0, obs_pop, _ext(params, ext, Z.shape[0])), None, grad,
                             w_obs, record_age, _workspace(Z.shape[0], params))


def initial_latent(y, obs_pop, params, T0=None, sigma=0.4):
    """The authors' initial latent activity: per population the mean recorded spike train,
    Gaussian-smoothed with sd ``sigma`` seconds; the history bins stay at A0 dt."""
    from scipy.ndimage import gaussian_filter1d
    T0 = params.A if T0 is None else T0
    y = np.asarray(y, dtype=float)
    Z = _history(params, y.shape[0], T0)
    for a in range(params.M):
        sel = np.asarray(obs_pop) == a
        if sel.any():
            zz = gaussian_filter1d(y[:, sel].mean(axis=1), sigma / params.dt, mode="nearest")
            Z[T0:, a] = np.clip(zz[T0:], 1e-5, 1.0)
        else:
            Z[T0:, a] = params.A0[a] * params.dt
    return Z


# ---------------------------------------------------------------- M-step / E-step

def _theta_of(params, mask):
    jf = np.array([np.abs(params.J[b][mask[b] != 0]).mean() if np.any(mask[b] != 0) else 0.0
                   for b in range(params.M)])
    return np.concatenate([params.amem, jf, params.urest, params.theta])


def _params_of(th, base, mask):
    M = base.M
    return base.copy(amem=th[:M], J=mask * th[M:2 * M][:, None], urest=th[2 * M:3 * M], theta=th[3 * M:4 * M])


def m_step(params, Z, y, obs_pop, mask=WTA_MASK, bounds=None, maxiter=200, T0=None, trials=None):
    """M-step: L-BFGS-B over the 4M parameters (amem, one coupling factor per source population
    with J = mask * factor, urest, theta) with the exact adjoint gradient.

    Z, y may be lists (one entry per trial). ``bounds``: (lo, hi) arrays of length 4M (the
    authors use [0.4, 2] x ground truth). Returns (fitted MesoParams, final loss per bin)."""
    from scipy.optimize import minimize
    Zs = Z if isinstance(Z, (list, tuple)) else [Z]
    ys = y if isinstance(y, (list, tuple)) else [y]
    M = params.M
    mask = np.asarray(mask, dtype=float)
    n_bins = sum(z.shape[0] - (params.A if T0 is None else T0) for z in Zs)

    def f(th):
        p = _params_of(th, params, mask)
        L, g = 0.0, np.zeros(4 * M)
        for Zi, yi in zip(Zs, ys):
            try:
                r = neg_log_likelihood(p, Zi, yi, obs_pop, T0, grad=True)
            except FloatingPointError:
                return 1e30, np.zeros(4 * M)
            L += sum(r["nll"])
            g[:M] += r["g_amem"]
            g[M:2 * M] += (r["g_J"] * mask).sum(axis=1)
            g[2 * M:3 * M] += r["g_urest"]
            g[3 * M:] += r["g_theta"]
        return L / n_bins, g / n_bins

    th0 = _theta_of(params, mask)
    bnds = None if bounds is None else list(zip(bounds[0], bounds[1]))
    res = minimize(f, th0, jac=True, method="L-BFGS-B", bounds=bnds, options={"maxiter": maxiter})
    return _params_of(res.x, params, mask), float(res.fun)


def e_step(params, Z, y, obs_pop, lr=1e-3, max_steps=200, patience=3, T0=None, zmin=1e-5):
    """E-step: Adam (learning rate ``lr``) on the latent Z(t >= T0), clipped into [zmin, 1]; stops
    after ``patience`` steps without improvement and returns the best Z seen (the authors' rule),
    so the joint log-likelihood never decreases. Returns (Z, history of the NLL)."""
    T0 = params.A if T0 is None else T0
    Z = np.array(Z, dtype=float)
    r = neg_log_likelihood(params, Z, y, obs_pop, T0, grad=True)
    best, bestZ, hist = sum(r["nll"]), Z.copy(), [sum(r["nll"])]
    m = np.zeros_like(Z)
    s = np.zeros_like(Z)
    bad = 0
    for k in range(max_steps):
        g = np.nan_to_num(r["gZ"])
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        step = lr * (m / (1 - 0.9 ** (k + 1))) / (np.sqrt(s / (1 - 0.999 ** (k + 1))) + 1e-7)
        Z[T0:] = np.clip(Z[T0:] - step[T0:], zmin, 1.0)
        r = neg_log_likelihood(params, Z, y, obs_pop, T0, grad=True)
        L = sum(r["nll"])
        hist.append(L)
        if L < best:
            best, bestZ, bad = L, Z.copy(), 0
        else:
            bad += 1
            if bad >= patience:
                break
    return bestZ, hist


@dataclass
class NeuLVMFit:
    params: MesoParams
    Z: list
    loss: float
    history: list = field(default_factory=list)
    restarts: list = field(default_factory=list)


def fit_neulvm(y, obs_pop, params0, mask=WTA_MASK, bounds=None, n_em=20, n_restarts=1, init_range=(0.4, 2.0),
               m_maxiter=200, e_steps=200, lr=1e-3, rng=None, Z_init=None):
    """The EM-style loop: initial Z from smoothed recorded spikes, then alternate M- and E-steps
    (at most ``n_em`` rounds, starting with M) until one of them stops improving. With
    ``n_restarts > 1`` the parameters start at params0 scaled by uniform factors in ``init_range``
    (the authors' 'prior') and the lowest final loss wins.

    y : (T, n_obs) or list of such (trials), including the a_cutoff history bins.
    """
    gen = as_generator(rng)
    ys = [spike_trials(yy, "y")[0] for yy in (y if isinstance(y, (list, tuple)) else [y])]
    if Z_init is not None and len(Z_init) != len(ys):
        raise TrialCountMismatchError(f"argument 'Z_init' has {len(Z_init)} trials but 'y' has {len(ys)}")
    mask = np.asarray(mask, dtype=float)
    th_ref = _theta_of(params0, mask)
    best = None
    for r in range(v.count(n_restarts, "n_restarts", 1)):
        th = th_ref if n_restarts == 1 else th_ref * gen.uniform(*init_range, th_ref.size)
        if bounds is not None:
            th = np.clip(th, bounds[0], bounds[1])
        p = _params_of(th, params0, mask)
        Zs = [initial_latent(yy, obs_pop, p) if Z_init is None else np.array(Z_init[i]) for i, yy in enumerate(ys)]
        hist, last = [], np.inf
        for it in range(n_em):
            p, Lm = m_step(p, Zs, ys, obs_pop, mask, bounds, m_maxiter)
            hist.append(("M", Lm))
            if Lm >= last - 1e-9:
                break
            newZ, Le = [], 0.0
            for Zi, yy in zip(Zs, ys):
                Zi, h = e_step(p, Zi, yy, obs_pop, lr=lr, max_steps=e_steps)
                newZ.append(Zi)
                Le += h[-1] if h[-1] <= min(h) else min(h)
            n_bins = sum(z.shape[0] - p.A for z in Zs)
            Le /= n_bins
            hist.append(("E", Le))
            improved = Le < Lm - 1e-9
            Zs = newZ
            last = Le
            if not improved:
                break
        fit = NeuLVMFit(p, Zs, last if np.isfinite(last) else Lm, hist)
        if best is None or fit.loss < best.loss:
            restarts = best.restarts if best else []
            best = fit
            best.restarts = restarts
        best.restarts.append(fit.loss)
    return best
