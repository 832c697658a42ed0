"""Voltage-based plasticity at the synapse location (Meissner-Bernard et al., Front. Synaptic
Neurosci. 2020; arXiv 2001.03614).

A presynaptic spike leaves a glutamate (NMDA-bound) trace ``g``; the weight changes with ``g``
times a two-threshold function of the *local dendritic* voltage ``u`` (mV relative to rest)::

    dg/dt = -g / tau_g + sum_f delta(t - t_f)
    dw/dt = g(t) Phi(u(t)),   Phi = 0 below theta_minus, -A_LTD between, +A_LTP above theta_plus

The voltage is not simulated by the rule: pass recorded traces (see :func:`resample_trace`) or the
synthetic traces of :func:`synthetic_dendritic_voltage`. The equations are the notes' reconstruction
of the model family ([inf], seed002 section 3.2), and every number of the synthetic harness is the
harness's own (notes section 3.4), not a parameter fitted to the paper's data.
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .. import _validate as v
from . import _plasticity

__all__ = ["VoltageRule", "VoltageRuleResult", "glutamate_voltage_rule", "synthetic_dendritic_voltage",
           "pairing_protocol", "resample_trace", "classify"]

_SHAPES = {"step": 0, "linear": 1}


@dataclass
class VoltageRuleResult:
    """``dw[s]``: total weight change of synapse s (arbitrary units: A x ms). With ``record``:
    ``dw_t[s, k]`` the running total and ``g_t[s, k]`` the glutamate trace in sample k."""
    dw: np.ndarray
    dw_t: Optional[np.ndarray] = None
    g_t: Optional[np.ndarray] = None
    t: Optional[np.ndarray] = None


@dataclass
class VoltageRule:
    """Parameters of the glutamate x voltage rule.

    Attributes
    ----------
    tau_g : float
        Glutamate-trace time constant (ms).
    theta_minus, theta_plus : float
        LTD and LTP thresholds on the local voltage (mV relative to rest).
    a_ltd, a_ltp : float
        Depression and potentiation amplitudes (per ms of trace-weighted time).
    shape : {'step', 'linear'}
        Phi is a step at each threshold, or grows linearly above it.
    saturate : bool
        A presynaptic spike sets ``g <- g + (1 - g)`` instead of ``g <- g + 1``.

    Defaults are the synthetic harness's (notes seed002 3.4), not fitted values.
    """
    tau_g: float = 50.0
    theta_minus: float = 15.0
    theta_plus: float = 35.0
    a_ltd: float = 1.0
    a_ltp: float = 3.0
    shape: str = "step"
    saturate: bool = False

    def __post_init__(self):
        v.positive(self.tau_g, "tau_g")
        v.nonnegative(self.a_ltd, "a_ltd")
        v.nonnegative(self.a_ltp, "a_ltp")
        v.choice(self.shape, "shape", _SHAPES)
        if not (np.isfinite(self.theta_minus) and np.isfinite(self.theta_plus)
                and self.theta_minus <= self.theta_plus):
            raise ValueError(f"arguments 'theta_minus' (={self.theta_minus}) and 'theta_plus' "
                             f"(={self.theta_plus}) must be finite with theta_minus <= theta_plus")

    def phi(self, u):
        """The instantaneous factor Phi(u) (NumPy, for plots)."""
        u = np.asarray(u, float)
        lin = self.shape == "linear"
        ltp = self.a_ltp * ((u - self.theta_plus) if lin else 1.0)
        ltd = -self.a_ltd * ((u - self.theta_minus) if lin else 1.0)
        return np.where(u >= self.theta_plus, ltp, np.where(u >= self.theta_minus, ltd, 0.0))

    def __call__(self, u, pre_spikes, dt, record=False):
        return glutamate_voltage_rule(u, pre_spikes, dt, rule=self, record=record)


def _spike_steps(pre_spikes, n_syn, dt, n_t):
    """pre_spikes (ms): one array for every synapse, or a list of arrays (one per synapse)."""
    if n_syn == 1 or (len(pre_spikes) and np.ndim(pre_spikes[0]) == 0):
        lists = [np.asarray(pre_spikes, float)] * n_syn
    else:
        if len(pre_spikes) != n_syn:
            raise ValueError(f"argument 'pre_spikes' must hold one spike-time array per synapse ({n_syn}), "
                             f"got {len(pre_spikes)}")
        lists = [np.asarray(p, float) for p in pre_spikes]
    steps, ptr = [], [0]
    for k, times in enumerate(lists):
        if times.ndim != 1 or not np.all(np.isfinite(times)):
            raise ValueError(f"argument 'pre_spikes' must hold finite 1-d spike times (ms); synapse {k} does not")
        st = np.sort(np.floor(times / dt + 1e-9).astype(np.int64))
        if st.size and (st[0] < 0 or st[-1] >= n_t):
            raise ValueError(f"argument 'pre_spikes' has a spike outside the voltage trace [0, {n_t * dt:g}) ms "
                             f"(synapse {k})")
        steps.append(st)
        ptr.append(ptr[-1] + st.size)
    return np.asarray(ptr, np.int64), (np.concatenate(steps) if steps else np.zeros(0, np.int64))


def glutamate_voltage_rule(u, pre_spikes, dt, rule=None, record=False, **params):
    """Weight change from the glutamate trace and the local voltage, integrated in C.

    Parameters
    ----------
    u : (n_t,) or (n_syn, n_t) array
        Local dendritic voltage (mV relative to rest) sampled every ``dt``; held constant over each
        sample. One trace is shared by every synapse when 1-d.
    pre_spikes : array or list of arrays
        Presynaptic spike times (ms from the trace start): one array for all synapses, or one per
        synapse. A spike in sample k acts at the start of that sample.
    dt : float
        Sample interval (ms).
    rule : VoltageRule, optional
        Parameters; keyword arguments (``tau_g=...``) build one otherwise.
    record : bool
        Also return the running weight change and the glutamate trace.

    Returns
    -------
    VoltageRuleResult
        ``dw`` of shape (n_syn,) (a float array even for one synapse).
    """
    rule = rule if rule is not None else VoltageRule(**params)
    dt = v.positive(dt, "dt")
    u = np.asarray(u, dtype=float)
    if u.ndim not in (1, 2):
        raise ValueError(f"argument 'u' must be (n_t,) or (n_syn, n_t), got shape {u.shape}")
    n_t = u.shape[-1]
    if u.ndim == 2:
        n_syn = u.shape[0]
    else:
        n_syn = len(pre_spikes) if (len(pre_spikes) and np.ndim(pre_spikes[0]) == 1) else 1
    ptr, steps = _spike_steps(pre_spikes, n_syn, dt, n_t)
    dw, dw_t, g_t = _plasticity.voltage_rule(u, ptr, steps, dt, rule.tau_g, rule.theta_minus, rule.theta_plus,
                                             rule.a_ltd, rule.a_ltp, shape=_SHAPES[rule.shape.lower()],
                                             saturate=int(rule.saturate), record=bool(record))
    if record:
        return VoltageRuleResult(dw, dw_t, g_t, np.arange(n_t) * dt)
    return VoltageRuleResult(dw)


def pairing_protocol(n_pairs=5, frequency=50.0, delay=10.0, start=20.0):
    """Pre and post spike times (ms) of a pairing protocol.

    ``n_pairs`` presynaptic spikes at ``frequency`` (Hz) from ``start``; each followed by a
    postsynaptic (somatic) spike ``delay`` ms later (negative: post before pre).
    """
    n_pairs = v.count(n_pairs, "n_pairs", 0)
    frequency = v.positive(frequency, "frequency")
    pre = start + np.arange(n_pairs) * (1000.0 / frequency)
    return pre, pre + float(delay)


def synthetic_dendritic_voltage(distance, pre_times, post_times, duration, dt=0.1, epsp_amp=5.0, epsp_tau=5.0,
                                bap_amp=80.0, bap_tau=1.5, adp_amp=5.0, adp_tau=20.0, length_constant=200.0,
                                plateau_amp=0.0, plateau_duration=30.0, plateau_start=None):
    """A synthetic local voltage trace (mV above rest) at a synapse ``distance`` um from the soma.

    ``u = sum_pre EPSP + exp(-d/lambda) sum_post (bAP + ADP) + plateau``, with an alpha-function EPSP
    of peak ``epsp_amp`` at ``epsp_tau`` ms (local, not attenuated), a back-propagating action
    potential ``bap_amp exp(-t/bap_tau)`` and an after-depolarisation ``adp_amp exp(-t/adp_tau)``
    attenuated with length constant ``length_constant`` (um), and an optional dendritic plateau
    (``plateau_amp`` mV for ``plateau_duration`` ms from ``plateau_start``, default the first post
    spike). All defaults are the notes' harness values (seed002 3.4), not fitted to data.

    Returns
    -------
    t, u : (n_t,) arrays (ms, mV)
    """
    dt = v.positive(dt, "dt")
    duration = v.positive(duration, "duration")
    d = v.nonnegative(distance, "distance")
    lam = v.positive(length_constant, "length_constant")
    n_t = int(round(duration / dt))
    t = np.arange(n_t) * dt
    u = np.zeros(n_t)
    for tp in np.atleast_1d(np.asarray(pre_times, float)):
        s = t - tp
        on = s >= 0
        u[on] += epsp_amp * (s[on] / epsp_tau) * np.exp(1.0 - s[on] / epsp_tau)
    att = np.exp(-d / lam)
    post = np.atleast_1d(np.asarray(post_times, float))
    for tq in post:
        s = t - tq
        on = s >= 0
        u[on] += att * (bap_amp * np.exp(-s[on] / bap_tau) + adp_amp * np.exp(-s[on] / adp_tau))
    if plateau_amp:
        t0 = (post[0] if post.size else 0.0) if plateau_start is None else float(plateau_start)
        u[(t >= t0) & (t < t0 + plateau_duration)] += plateau_amp
    return t, u


def resample_trace(t, u, dt, baseline=None, duration=None):
    """Prepare a recorded dendritic voltage for the rule: subtract the resting baseline and resample
    onto a uniform grid of step ``dt`` (linear interpolation).

    Parameters
    ----------
    t, u : arrays
        Sample times (ms, increasing) and membrane potential (mV).
    baseline : float or 'first' or None
        Resting potential to subtract: a value in mV, 'first' (median of the first 5 % of samples), or
        None when ``u`` is already relative to rest.
    """
    t = np.asarray(t, float)
    u = np.asarray(u, float)
    if t.ndim != 1 or t.shape != u.shape or t.size < 2 or np.any(np.diff(t) <= 0):
        raise ValueError("arguments 't' and 'u' must be 1-d arrays of equal length with increasing t")
    dt = v.positive(dt, "dt")
    if isinstance(baseline, str):
        if baseline != "first":
            raise ValueError(f"argument 'baseline' must be a number, 'first' or None, got {baseline!r}")
        baseline = float(np.median(u[: max(1, u.size // 20)]))
    u = u - (baseline or 0.0)
    end = t[-1] - t[0] if duration is None else float(duration)
    grid = np.arange(int(np.floor(end / dt + 1e-9)) + 1) * dt
    return grid, np.interp(grid + t[0], t, u)


def classify(dw, w0=1.0, band=10.0):
    """'LTP', 'LTD' or 'none' from the percent change ``100 dw / w0`` with a +-band (percent)."""
    pct = 100.0 * np.asarray(dw, float) / w0
    return np.where(pct > band, "LTP", np.where(pct < -band, "LTD", "none"))
