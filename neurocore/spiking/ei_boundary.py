"""Latent boundaries in low-rank spiking networks (Podlaski & Machens, Neural Computation 36:803, 2024).

The framework (notes seed000_machens.md section 1, from the authors' code)::

    dr_j/dt = -lam r_j + sum_k delta(t - t_j^k)     filtered spike trains (a spike adds 1)
    y       = D r                                    latent readout (J x N decoders)
    V_i     = F_i . x + E_i . y                      ideal voltage (F: N x Jx, E: N x J)
    spike when V_i > T_i: neuron i's *boundary* is the hyperplane F_i x + E_i y = T_i

so the recurrent weights are W = E D (rank J). Everything runs on the spike-coding engine of
``neurocore.spiking`` (``nc_spiking_scn_run_ext``): engine F = F, engine D = D, Omega = -W (the
engine subtracts Omega[:, k] on a spike of k), thresholds T as they are (the authors' code
normalises them to 1 and feeds 1 - T as a bias; the two are the same). The engine advances the
voltage exactly (``V <- a V + F (x[t+1] - a x[t])``, a = e^{-lam dt}), which is the authors'
input-derivative term ``c = x + dx/dt / lam`` without its Euler error, and a spike acts in the step
it is fired (the authors' code applies it one step later; the difference is one step of lag).

Sign conventions (the main source of bugs, notes 2.5.7):

* single population (``tangent_neurons``): E_i = 1, F_i = -f'(x_i), T_i = F_i x_i + f(x_i), and an
  *inhibitory* population has D < 0 (W = E D <= 0). Neuron i's boundary y = (T_i - F_i x) / E_i is the
  tangent of f at x_i; the leak pulls y towards 0 and every spike lowers y by |D_i|, so y lies just
  below the lower envelope min_i (T_i - F_i x)/E_i -- a stable, concave boundary. An *excitatory*
  population (D > 0) pushes y across its boundary: an unstable one.
* E-I networks (:class:`EINetwork`): decoders D_E, D_I >= 0 and the signs in the weights,
  ``V_E = F_E x + E_EE y_E - E_EI y_I``, ``V_I = F_I x + E_IE y_E - E_II y_I`` (all E.. >= 0).
  A boundary surface ``y_I = B(x, y_E)`` is tiled by tangent planes (``surface_neurons``):
  E_.E = dB/dy_E, E_.I = 1, F = dB/dx, T = E_.E y_E,i - B(x_i, y_E,i) + F x_i (``new_interp_fcn_to_nrns``).
  I neurons fire when y_I falls below the max of their planes, so the I boundary is convex and
  stable; the E boundary is convex too but unstable, and the activity sits at the intersection,
  which is stable when the I surface is the steeper one in y_E (g_Iy > g_Ey). For surfaces linear in
  y_E, ``y_E*(x) = (B_E(x) - B_I(x) + b_E - b_I) / (g_Iy - g_Ey)``: a difference of convex
  functions, hence any continuous piecewise-linear target (``dc_decompose``).

Where this differs from the notes (seed000_machens.md): (1) the spike acts in its own step, so y
never crosses the inhibitory envelope (max(y - envelope) ~ 0 instead of 0.047) and sits a little
further below it (mean(envelope - y) 0.049 instead of 0.037, inside the notes' [0.02, 0.06]);
(2) the Fig. 5 thresholds come out exactly (T_E = -0.5, 1.1, 10.7; T_I = 1.2, 7.6, 20.4) where the
notes list (-0.535, 1.025, 10.545) / (1.135, 7.455, 20.175): the authors' code integrates the kinks
numerically (two cumulative sums with dx = 0.05); the spike counts (109 E / 154 I) and errors agree
with the notes' (108 / 155). (3) The difference-of-convex split of a generic target makes the
boundaries grow quadratically with its total curvature; with one spike per step, decoders much
smaller than the tutorial's (D_E = 0.5, D_I = 1) exceed the rate budget lam y_I / D_I < 1/dt and
the network loses the target (measured: D_E = 0.2 fails on the smooth test mapping at dt = 5e-5).

Self terms: the engine keeps the full diagonal of W (E self-excitation, I self-inhibition) and adds
the extra reset ``mu`` (per population in :class:`EINetwork`), which is the authors' E-I simulator.
"""
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _spiking
from .coding import RULES

__all__ = ["InfeasibleBoundaryError", "LatentBoundaryNetwork", "LatentRun", "tangent_neurons", "boundary_lines",
           "lower_envelope", "check_inhibitory_target", "inhibitory_boundary_network", "ramp_protocol",
           "EINetwork", "surface_neurons", "EIBoundaryDesign", "design_ei_network", "dc_decompose",
           "piecewise_linear_convex", "fig5_design", "fig8_network", "rate_network_run", "ei_rate_network_run",
           "ei_fixed_point", "decoder_angle", "isi_cv"]


class InfeasibleBoundaryError(ValueError):
    """The requested boundary cannot be built by the population it was asked of.

    The message says which condition failed and where (e.g. an inhibitory population asked for a
    convex stretch, a target above the leak's resting point, an E-I pair whose intersection would
    be unstable, or a target the non-negative E readout cannot reach)."""


# ------------------------------------------------------------------ the generic network


@dataclass
class LatentRun:
    """One simulation: ``t`` (rows,) time at the end of each recorded step (s), ``x`` (rows, Jx)
    input, ``y`` (rows, J) latent readout D r, spikes as (``spike_times`` s, ``spike_ids``),
    optional ``V`` (rows, N) voltages and ``u`` (rows, J) slow latent."""
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    spike_times: np.ndarray
    spike_ids: np.ndarray
    max_spikes_per_step: int
    V: Optional[np.ndarray] = None
    u: Optional[np.ndarray] = None
    extra: dict = field(default_factory=dict)

    def window(self, t0, t1=np.inf):
        """Boolean mask of the recorded rows with t0 <= t < t1."""
        return (self.t >= t0) & (self.t < t1)

    def spike_counts(self, n, t0=0.0, t1=np.inf):
        """Spikes per neuron in [t0, t1)."""
        sel = (self.spike_times >= t0) & (self.spike_times < t1)
        return np.bincount(self.spike_ids[sel], minlength=n)


class LatentBoundaryNetwork:
    """A low-rank spiking network V = F x + E y, y = D r, spikes when V_i > T_i.

    Parameters
    ----------
    E : (N, J) array
        Encoders (weights of the latent on each voltage).
    F : (N, Jx) array
        Input weights.
    T : (N,) array or float
        Thresholds (same unit as V).
    D : (J, N) array
        Decoders: a spike of j moves y by D[:, j].
    W : (N, N) array, optional
        Recurrent weights, default E D (rank J). Pass another W for mistuned connections.
    lam : float
        Leak rate of r and V (1/s); the authors use 100 /s (tau = 10 ms).
    mu : float or (N,) array
        Extra self reset after a spike.
    sigma : float
        Voltage-noise amplitude: sigma sqrt(2 lam dt) N(0, 1) per step, i.e. an OU process with
        stationary SD sigma.
    rule : {'one', 'one_ipriority', 'all'}
        Spike rule of the engine; 'one_ipriority' needs ``is_inh``.
    is_inh : (N,) bool array, optional
    """

    def __init__(self, E, F, T, D, W=None, lam=100.0, mu=0.0, sigma=0.0, rule="one", is_inh=None):
        self.E = np.atleast_2d(np.asarray(E, dtype=float))
        N, J = self.E.shape
        self.F = np.asarray(F, dtype=float).reshape(N, -1)
        self.D = np.asarray(D, dtype=float).reshape(J, N)
        self.T = np.broadcast_to(np.asarray(T, dtype=float), (N,)).copy()
        self.W = self.E @ self.D if W is None else np.asarray(W, dtype=float)
        if self.W.shape != (N, N):
            raise ValueError(f"argument 'W' must have shape ({N}, {N}), got {self.W.shape}")
        self.lam = v.positive(lam, "lam")
        mu = np.asarray(mu, dtype=float)
        if not np.all(np.isfinite(mu)):
            raise ValueError(f"argument 'mu' must be finite, got {mu!r}")
        self.mu = np.broadcast_to(mu, (N,)).copy()
        self.sigma = v.nonnegative(sigma, "sigma")
        v.choice(rule, "rule", RULES)
        self.rule = rule.lower()
        self.is_inh = None if is_inh is None else np.asarray(is_inh, dtype=bool)
        if self.rule == "one_ipriority" and self.is_inh is None:
            raise ValueError("argument 'is_inh' is required for rule 'one_ipriority'")
        self.n, self.j, self.jx = N, J, self.F.shape[1]
        self.reset()

    def reset(self, y0=None, x0=None):
        """Silence the network: r = 0 (or a single spike-free r with D r = y0 by least squares) and
        the voltages at the ideal value F x0 + E y."""
        self.r = np.zeros(self.n)
        if y0 is not None:
            self.r = np.linalg.lstsq(self.D, np.asarray(y0, dtype=float), rcond=None)[0]
        self.V = None if x0 is None else self.F @ np.asarray(x0, float).reshape(-1) + self.E @ (self.D @ self.r)
        self.t = 0.0

    @property
    def voltage_offsets(self):
        """Nothing: thresholds are used as given (the authors' bias 1 - T is folded into T)."""
        return np.zeros(self.n)

    def _engine_kwargs(self):
        return dict(rule=RULES[self.rule], is_inh=None if self.is_inh is None else self.is_inh.astype(np.uint8),
                    mu=0.0, mu_vec=self.mu)

    def run(self, x, dt, I_inj=None, record_v=False, rec_every=1, max_spikes=None, rng=None, progress=False,
            slow=None, n_steps=None):
        """Drive the network with x and return the latent trajectory.

        Parameters
        ----------
        x : (n_steps + 1, Jx) array, or (n_steps + 1,) when Jx = 1
            Input samples (row 0 at the current time, row t + 1 at the end of step t). The first call
            starts the voltages at F x[0] + E y; later calls continue from the last state, so row 0
            should repeat the previous run's last input.
        dt : float
            Time step (s); lam dt <= 0.5.
        I_inj : (N,) array, optional
            Constant injected current, added to the voltage's resting value (V relaxes to
            F x + W r + I_inj).
        rec_every : int
            Record every rec_every-th step.
        slow : dict, optional
            Slow-latent option of the engine (keys A or L/R, tau_u, c_hat, u0), used by
            :class:`neurocore.spiking.lowrank_memory.HypercubeMemory`.
        n_steps : int, optional
            With a constant input: x is one sample (Jx,) held for n_steps steps.
        """
        x = np.asarray(x, dtype=float)
        hold = n_steps is not None
        if hold:
            n_steps = v.count(n_steps, "n_steps", 0)
            x = x.reshape(1, -1)
        elif x.ndim == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.jx:
            raise ValueError(f"argument 'x' must have shape (n_steps + 1, {self.jx}), got {x.shape}")
        if not hold:
            n_steps = x.shape[0] - 1
        if self.V is None:
            self.V = self.F @ x[0] + self.E @ (self.D @ self.r)
        if max_spikes is None:
            max_spikes = max(1000, self.n * n_steps // 5 + 1000)
        bitgen = as_generator(rng).bit_generator if self.sigma > 0 else None
        from .lif import _progress
        extra = {} if slow is None else dict(slow)
        out = _spiking.scn_run_ext(self.F, -self.W, self.D, self.T, x, float(dt), self.lam, self.V, self.r,
                                   sigma=self.sigma, i_inj=None if I_inj is None else np.broadcast_to(
                                       np.asarray(I_inj, float), (self.n,)).copy(),
                                   rec_every=v.count(rec_every, "rec_every", 1), record_v=record_v,
                                   record_u=slow is not None,
                                   max_spikes=v.count(max_spikes, "max_spikes", 0), bitgen=bitgen,
                                   progress=_progress(progress, n_steps, "latent boundary"),
                                   n_steps=n_steps if hold else -1, **self._engine_kwargs(), **extra)
        self.V, self.r = out["V"], out["r"]
        if slow is not None:
            self.u = out["u"]
        rows = n_steps // rec_every
        t = self.t + dt * rec_every * np.arange(1, rows + 1)
        xr = np.broadcast_to(x, (rows, self.jx)) if hold else x[rec_every::rec_every][:rows]
        run = LatentRun(t=t, x=xr, y=out["x_hat"], spike_times=self.t + out["spike_times"],
                        spike_ids=out["spike_ids"], max_spikes_per_step=int(out["max_spikes_per_step"]),
                        V=out.get("v_trace"), u=out.get("u_trace"))
        self.t += dt * n_steps
        return run


def concat_runs(runs):
    """Join consecutive :class:`LatentRun` segments into one."""
    cat = lambda name: None if getattr(runs[0], name) is None else np.concatenate([getattr(r, name) for r in runs])
    return LatentRun(t=cat("t"), x=cat("x"), y=cat("y"), spike_times=cat("spike_times"), spike_ids=cat("spike_ids"),
                     max_spikes_per_step=max(r.max_spikes_per_step for r in runs), V=cat("V"), u=cat("u"))


# ------------------------------------------------------------------ single population: 1-D tangent construction


def tangent_neurons(f, df, anchors):
    """Neurons whose boundaries are the tangents of f at the anchors (``fcn_to_nrns``).

    Returns (E, F, T), each (N,): E_i = 1, F_i = -f'(x_i), T_i = F_i x_i + f(x_i), so that neuron i's
    boundary y = (T_i - F_i x) / E_i is f(x_i) + f'(x_i)(x - x_i)."""
    xa = np.asarray(anchors, dtype=float)
    fa, dfa = np.asarray(f(xa), float), np.asarray(df(xa), float)
    F = -dfa
    return np.ones_like(xa), F, F * xa + fa


def boundary_lines(E, F, T, x):
    """Each neuron's boundary y_i(x) = (T_i - F_i x) / E_i, shape (N, len(x)) (1-D latent and input)."""
    E, F, T = (np.asarray(a, float).reshape(-1, 1) for a in (E, F, T))
    return (T - F * np.asarray(x, float).reshape(1, -1)) / E


def lower_envelope(E, F, T, x):
    """min_i of the boundary lines: the boundary an inhibitory population (D < 0, E > 0) holds."""
    return boundary_lines(E, F, T, x).min(axis=0)


def check_inhibitory_target(f, x, tol=1e-9):
    """Raise :class:`InfeasibleBoundaryError` unless one inhibitory population can hold y on f over x.

    Conditions: f concave (an inhibitory boundary is the minimum of lines), and f(x) < 0 (the leak
    pulls y to 0, so the resting point must lie beyond the boundary for the neurons to fire)."""
    x = np.asarray(x, dtype=float)
    fx = np.asarray(f(x), dtype=float)
    if np.any(fx >= 0):
        i = int(np.argmax(fx >= 0))
        raise InfeasibleBoundaryError(
            f"target f(x) = {fx[i]:.4g} >= 0 at x = {x[i]:.4g}: an inhibitory boundary must lie below the leak's "
            f"resting point y = 0 (shift the target down, e.g. f - {fx.max() + 0.1:.3g})")
    if x.size >= 3:
        # second differences on a possibly uneven grid
        h1, h2 = np.diff(x)[:-1], np.diff(x)[1:]
        curv = 2 * (h1 * fx[2:] - (h1 + h2) * fx[1:-1] + h2 * fx[:-2]) / (h1 * h2 * (h1 + h2))
        scale = max(1.0, float(np.max(np.abs(fx))))
        if np.any(curv > tol * scale / np.min(np.diff(x)) ** 2 + 1e-6 * scale):
            i = int(np.argmax(curv)) + 1
            raise InfeasibleBoundaryError(
                f"target is convex at x = {x[i]:.4g} (f'' = {curv[i - 1]:.4g} > 0): an inhibitory population holds "
                "y on the minimum of its neurons' lines, which is concave; use an E-I network (difference of convex "
                "functions, design_ei_network) for this target")


def inhibitory_boundary_network(f, df, anchors, D=-0.1, lam=100.0, mu=0.0, sigma=0.0, check=True):
    """A rank-1 inhibitory population whose boundary tiles the concave target f by tangents.

    D : float or (N,) array, negative (each spike lowers y by |D_j|). The Fig. 6 network is
    f = -x^2 - 0.5, anchors linspace(-1, 1, 50), D = -0.1."""
    xa = np.asarray(anchors, dtype=float)
    D = np.broadcast_to(np.asarray(D, dtype=float), xa.shape).copy()
    if np.any(D >= 0):
        raise InfeasibleBoundaryError(f"argument 'D' must be negative for an inhibitory population (stable boundary), "
                                      f"got max {D.max():.3g}")
    if check:
        check_inhibitory_target(f, np.linspace(xa.min(), xa.max(), 201))
    E, F, T = tangent_neurons(f, df, xa)
    return LatentBoundaryNetwork(E[:, None], F[:, None], T, D[None, :], lam=lam, mu=mu, sigma=sigma, rule="one")


def ramp_protocol(dt, T_end=0.3, x_start=-1.0, x_end=1.0, hold=0.05):
    """The Fig. 2/6 input: x held at x_start for ``hold`` s, then a linear ramp to x_end at T_end.
    Returns (t, x) with n_steps + 1 samples (t = 0 .. T_end)."""
    n = v.steps(T_end, dt, "T_end")
    t = dt * np.arange(n + 1)
    x = np.where(t < hold, x_start, x_start + (x_end - x_start) * (t - hold) / (T_end - hold))
    return t, x


# ------------------------------------------------------------------ E-I networks


class EINetwork(LatentBoundaryNetwork):
    """A rank-2 E-I network (``run_EI_spiking_net``): latents y_E = D_E r_E, y_I = D_I r_I (>= 0).

    ``V_E = F_E x + E_EE y_E - E_EI y_I``, ``V_I = F_I x + E_IE y_E - E_II y_I``; W_EE = E_EE D_E,
    W_EI = -E_EI D_EI, W_IE = E_IE D_IE, W_II = -E_II D_I (Dale's law by construction). ``D_EI`` and
    ``D_IE`` default to D_I and D_E; passing others gives mistuned cross-connections (Fig. 8f) while
    the readout keeps D_E and D_I. Spike rule: one spike per step, inhibition first.

    All per-neuron arguments are arrays of length NE (E rows) or NI (I rows); F_E, F_I are (N., Jx).
    """

    def __init__(self, E_EE, E_EI, F_E, T_E, D_E, E_IE, E_II, F_I, T_I, D_I, D_EI=None, D_IE=None,
                 mu_E=0.0, mu_I=0.0, sigma=0.0, lam=100.0, rule="one_ipriority"):
        D_E, D_I = np.atleast_1d(np.asarray(D_E, float)), np.atleast_1d(np.asarray(D_I, float))
        ne, ni = D_E.size, D_I.size
        col = lambda a, m: np.broadcast_to(np.asarray(a, float), (m,)).astype(float)
        E_EE, E_EI, T_E = col(E_EE, ne), col(E_EI, ne), col(T_E, ne)
        E_IE, E_II, T_I = col(E_IE, ni), col(E_II, ni), col(T_I, ni)
        for name, a in (("D_E", D_E), ("D_I", D_I), ("E_EE", E_EE), ("E_EI", E_EI), ("E_IE", E_IE), ("E_II", E_II)):
            if np.any(a < 0):
                raise ValueError(f"argument '{name}' must be >= 0 (the E-I convention keeps the signs in the weights)")
        F_E = np.asarray(F_E, float).reshape(ne, -1)
        F_I = np.asarray(F_I, float).reshape(ni, -1)
        D_EI = D_I if D_EI is None else col(D_EI, ni)
        D_IE = D_E if D_IE is None else col(D_IE, ne)
        E = np.block([[E_EE[:, None], -E_EI[:, None]], [E_IE[:, None], -E_II[:, None]]])
        D = np.zeros((2, ne + ni))
        D[0, :ne], D[1, ne:] = D_E, D_I
        W = np.block([[np.outer(E_EE, D_E), -np.outer(E_EI, D_EI)], [np.outer(E_IE, D_IE), -np.outer(E_II, D_I)]])
        mu = np.concatenate([col(mu_E, ne), col(mu_I, ni)])
        is_inh = np.r_[np.zeros(ne, bool), np.ones(ni, bool)]
        super().__init__(E, np.vstack([F_E, F_I]), np.r_[T_E, T_I], D, W=W, lam=lam, mu=mu, sigma=sigma, rule=rule,
                         is_inh=is_inh)
        self.ne, self.ni = ne, ni
        self.params = dict(E_EE=E_EE, E_EI=E_EI, F_E=F_E, T_E=T_E, D_E=D_E, E_IE=E_IE, E_II=E_II, F_I=F_I, T_I=T_I,
                           D_I=D_I, D_EI=D_EI, D_IE=D_IE)

    def inputs_to_E(self, run):
        """(excitatory, inhibitory) input to the E population along a run: F_E x + E_EE y_E and
        -E_EI y_I, each (rows, NE) (the ideal voltage is their sum)."""
        p = self.params
        exc = run.x @ p["F_E"].T + run.y[:, :1] * p["E_EE"][None, :]
        inh = -run.y[:, 1:2] * p["E_EI"][None, :]
        return exc, inh


def surface_neurons(B, dB_dyE, dB_dx, x_anchors, yE_anchors):
    """Tangent planes of a boundary surface y_I = B(x, y_E) (``new_interp_fcn_to_nrns``).

    B, dB_dyE, dB_dx : callables of (x, y_E). Returns (E_dotE, E_dotI, F, T), each (N,):
    E_.E = dB/dy_E, E_.I = 1, F = dB/dx, T = E_.E y_E,i - B(x_i, y_E,i) + F x_i; the plane of neuron i is
    y_I = F x + E_.E y_E - T."""
    xa = np.asarray(x_anchors, float)
    ya = np.broadcast_to(np.asarray(yE_anchors, float), xa.shape)
    Ee, F = np.asarray(dB_dyE(xa, ya), float) * np.ones_like(xa), np.asarray(dB_dx(xa, ya), float) * np.ones_like(xa)
    T = Ee * ya - np.asarray(B(xa, ya), float) + F * xa
    return Ee, np.ones_like(xa), F, T


@dataclass
class EIBoundaryDesign:
    """Two convex boundary functions of x and their y_E-slopes and offsets:
    E surface y_I = BE(x) + gE * y_E + bE, I surface y_I = BI(x) + gI * y_E + bI.
    ``BE``, ``BI``, ``dBE``, ``dBI`` are callables; the target is y_E*(x) = (BE - BI + bE - bI) / (gI - gE)."""
    BE: object
    dBE: object
    BI: object
    dBI: object
    gE: float
    gI: float
    bE: float = 0.0
    bI: float = 0.0

    def target(self, x):
        x = np.asarray(x, float)
        return (self.BE(x) - self.BI(x) + self.bE - self.bI) / (self.gI - self.gE)

    def yI_target(self, x):
        return self.BE(x) + self.gE * self.target(x) + self.bE


def design_ei_network(design, x_anchors_E, x_anchors_I, D_E, D_I, yE_anchor=5.0, mu=0.0, sigma=0.0, lam=100.0,
                      x_check=None):
    """Build the E-I network whose boundaries tile the two surfaces of ``design`` by tangent planes at
    (x_anchor, yE_anchor) and check that it can hold the target.

    Raises :class:`InfeasibleBoundaryError` when the intersection would be unstable (gI <= gE), when
    the target y_E* or the matching y_I* is not positive on ``x_check`` (both readouts are sums of
    non-negative decoders), or when a boundary is not convex (a population holds the max of its planes).
    """
    d = design
    if not d.gI > d.gE:
        raise InfeasibleBoundaryError(
            f"the I surface must be steeper in y_E than the E surface (gI = {d.gI:.4g} > gE = {d.gE:.4g}): otherwise "
            "the intersection of the two boundaries is unstable and the activity runs away or falls silent")
    xs = np.linspace(min(np.min(x_anchors_E), np.min(x_anchors_I)), max(np.max(x_anchors_E), np.max(x_anchors_I)),
                     401) if x_check is None else np.asarray(x_check, float)
    for name, fn in (("E", d.BE), ("I", d.BI)):
        vals = np.asarray(fn(xs), float)
        h = xs[1] - xs[0]
        curv = (vals[2:] - 2 * vals[1:-1] + vals[:-2]) / h ** 2
        if np.any(curv < -1e-6 * max(1.0, np.abs(vals).max()) / h):
            i = int(np.argmin(curv)) + 1
            raise InfeasibleBoundaryError(
                f"the {name} boundary is concave at x = {xs[i]:.4g} (B'' = {curv[i - 1]:.4g} < 0): a population's "
                "boundary is the maximum of its tangent planes and must be convex; split the target with dc_decompose")
    yE, yI = d.target(xs), d.yI_target(xs)
    if np.any(yE <= 0):
        i = int(np.argmax(yE <= 0))
        raise InfeasibleBoundaryError(
            f"target y_E*(x) = {yE[i]:.4g} <= 0 at x = {xs[i]:.4g}: y_E = D_E r_E >= 0 cannot represent it; add a "
            "positive constant to the target (bE - bI)")
    if np.any(yI <= 0):
        i = int(np.argmax(yI <= 0))
        raise InfeasibleBoundaryError(
            f"y_I at the intersection = {yI[i]:.4g} <= 0 at x = {xs[i]:.4g}: the I readout cannot be negative; raise "
            "the surfaces' offsets bE and bI together")
    one = lambda g: (lambda x, y: g * np.ones_like(np.asarray(x, float)))
    E_EE, E_EI, F_E, T_E = surface_neurons(lambda x, y: d.BE(x) + d.gE * y + d.bE, one(d.gE),
                                           lambda x, y: d.dBE(x), x_anchors_E, yE_anchor)
    E_IE, E_II, F_I, T_I = surface_neurons(lambda x, y: d.BI(x) + d.gI * y + d.bI, one(d.gI),
                                           lambda x, y: d.dBI(x), x_anchors_I, yE_anchor)
    return EINetwork(E_EE, E_EI, F_E, T_E, D_E, E_IE, E_II, F_I, T_I, D_I, mu_E=mu, mu_I=mu, sigma=sigma, lam=lam)


def piecewise_linear_convex(slope0, kinks, offset, x0=0.0):
    """A convex piecewise-linear function and its derivative: value ``offset`` at x0, slope ``slope0``
    left of the first kink, and each kink (position, added slope >= 0) raises the slope."""
    pos = np.array([k[0] for k in kinks], float)
    add = np.array([k[1] for k in kinks], float)
    if np.any(add < 0):
        raise InfeasibleBoundaryError("piecewise_linear_convex: every kink must raise the slope (convexity)")

    def f(x):
        x = np.asarray(x, float)
        out = offset + slope0 * (x - x0)
        for p, a in zip(pos, add):
            out = out + a * (np.maximum(x - p, 0.0) - max(x0 - p, 0.0))
        return out

    def df(x):
        x = np.asarray(x, float)
        return slope0 + sum(a * (x > p) for p, a in zip(pos, add))

    return f, df


def fig5_design():
    """The Fig. 5 example (notes 2.2, fig-05 reading): q with slope 0.4 and kinks +0.8 at 2, +1.6 at 6
    (offset 0.25); p with slope 0.4 and kinks +1.6 at 4 and 8 (offset 0.1); E surface
    y_I = q + 0.3 y_E + 0.25, I surface y_I = p + 0.9 y_E - 1.3, so y_E* = (q - p + 1.55)/0.6, a zig-zag
    between 2.83 (x = 0, 2, 6, 10) and 5.5 (x = 4, 8)."""
    q, dq = piecewise_linear_convex(0.4, [(2.0, 0.8), (6.0, 1.6)], 0.25)
    p, dp = piecewise_linear_convex(0.4, [(4.0, 1.6), (8.0, 1.6)], 0.1)
    return EIBoundaryDesign(q, dq, p, dp, gE=0.3, gI=0.9, bE=0.25, bI=-1.3)


def fig8_network(sigma=0.15, mu=0.5, D_E=0.075, D_I=0.15, D_EI=None, D_IE=None, ne=50, ni=50):
    """The homogeneous noisy E-I network of Fig. 8 (notes 2.3): E: E_EE = 1.25, E_EI = 1, F_E = 1,
    T_E = 0, D_E = 0.075; I: E_IE = 2, E_II = 1, F_I = 1, T_I = 1.5, D_I = 0.15; mu = 0.5, sigma = 0.15.
    (The script's 51st, silent illustrative E cell is left out.) Ideal fixed point at x = 1:
    (y_E, y_I) = (2, 3.5); with I_I = +1 into the I cells: (2/3, 11/6)."""
    return EINetwork(1.25, 1.0, np.ones(ne), 0.0, np.full(ne, D_E) if np.ndim(D_E) == 0 else D_E,
                     2.0, 1.0, np.ones(ni), 1.5, np.full(ni, D_I) if np.ndim(D_I) == 0 else D_I,
                     D_EI=D_EI, D_IE=D_IE, mu_E=mu, mu_I=mu, sigma=sigma)


def ei_fixed_point(E_EE, E_EI, F_E, T_E, E_IE, E_II, F_I, T_I, x, I_E=0.0, I_I=0.0):
    """Intersection of two linear boundaries F x + E_.E y_E - E_.I y_I + I = T (one neuron type each):
    the ideal (y_E, y_I) of a homogeneous E-I network [derived]."""
    M = np.array([[E_EE, -E_EI], [E_IE, -E_II]], float)
    rhs = np.array([T_E - F_E * x - I_E, T_I - F_I * x - I_I], float)
    return np.linalg.solve(M, rhs)


def dc_decompose(f, x, gE=0.25, tol=1e-4):
    """Split f (sampled on the uniform grid x) into two convex functions, f = B_E - B_I (tutorial
    notebook): C = f'', C_E = C where C > tol, C_I = -C where C < -tol; G_E = gE + int C_E,
    G_I = (gE - f'(x0)) + int C_I; B_E = f(x0) + int G_E, B_I = int G_I. Returns (B_E, B_I) on x.
    The curvature threshold ``tol`` drops the noise of the numerical derivative, so B_E - B_I equals
    f only up to the discarded curvature (checked by the caller)."""
    x = np.asarray(x, float)
    fx = np.asarray(f(x), float) if callable(f) else np.asarray(f, float)
    h = x[1] - x[0]
    d1 = np.gradient(fx, h)
    C = np.gradient(d1, h)
    CE, CI = np.where(C > tol, C, 0.0), np.where(C < -tol, -C, 0.0)
    cumint = lambda g: np.concatenate([[0.0], np.cumsum(0.5 * (g[1:] + g[:-1]) * h)])
    GE = gE + cumint(CE)
    GI = (gE - d1[0]) + cumint(CI)
    return fx[0] + cumint(GE), cumint(GI)


# ------------------------------------------------------------------ rate networks: the soft-boundary limit


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def rate_network_run(E, F, T, D, x, dt, beta, lam=100.0, V0=None):
    """The soft-boundary limit (``run_rate_net``): dV/dt = lam (-V + F x + W r), r = 1/(1 + e^{-beta (V - T)}),
    y = D r, W = E D, forward Euler. Shapes as in :class:`LatentBoundaryNetwork`; x is
    (n_steps + 1, Jx) or (n_steps + 1,). Returns (y (n_steps, J), V (N,)). As beta grows the
    sigmoid becomes the step of a spiking threshold and y approaches the hard boundary."""
    E = np.atleast_2d(np.asarray(E, float))
    N, J = E.shape
    F = np.asarray(F, float).reshape(N, -1)
    D = np.asarray(D, float).reshape(J, N)
    T = np.broadcast_to(np.asarray(T, float), (N,))
    x = np.asarray(x, float).reshape(len(x), -1)
    v.positive(beta, "beta")
    W = E @ D
    V = F @ x[0] if V0 is None else np.array(V0, float)
    ys = np.empty((x.shape[0] - 1, J))
    Fx = x @ F.T
    k = dt * lam
    for t in range(x.shape[0] - 1):
        rr = _sigmoid(beta * (V - T))
        V = V + k * (-V + Fx[t] + W @ rr)
        ys[t] = D @ _sigmoid(beta * (V - T))
    return ys, V


def ei_rate_network_run(net, x, dt, beta, I_inj=None):
    """The E-I rate network (``run_EI_rate_net``) with the weights of an :class:`EINetwork`."""
    x = np.asarray(x, float).reshape(len(x), -1)
    V = net.F @ x[0] + (0.0 if I_inj is None else I_inj)
    ys = np.empty((x.shape[0] - 1, 2))
    k = dt * net.lam
    I = 0.0 if I_inj is None else np.asarray(I_inj, float)
    Fx = x @ net.F.T
    for t in range(x.shape[0] - 1):
        V = V + k * (-V + Fx[t] + net.W @ _sigmoid(beta * (V - net.T)) + I)
        ys[t] = net.D @ _sigmoid(beta * (V - net.T))
    return ys


# ------------------------------------------------------------------ statistics


def decoder_angle(a, b):
    """Angle in degrees between two decoder vectors."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    c = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def isi_cv(spike_times, spike_ids, neurons, min_spikes=5):
    """Mean over ``neurons`` (with at least min_spikes spikes) of the ISI coefficient of variation."""
    cvs = []
    for i in neurons:
        ts = np.sort(spike_times[spike_ids == i])
        if ts.size >= min_spikes:
            isi = np.diff(ts)
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float("nan")
