"""Stochastic escape-noise networks (GLM / spike-response-model type) in discrete time.

The discretisation, written once here and in ``csrc/kernels/spiking.h`` (``nc_spiking_glm_step``),
is what both the simulator and the teacher-forced likelihood use, so a gradient written for
:func:`escape_noise_potential` holds for the simulator too. Bins t = 0, 1, ... of width dt;
S_i[t] in {0, 1}::

    a_j[t] = sum_{k>=1} kappa_k S_j[t-k]     kappa_k = syn_decay**(k-1)  (exponential, a jump of 1)
                                             or syn_kernel[k-1]          (arbitrary kernel)
    h_i[t] = sum_j J_ij a_j[t]
    e_i[t] = sum_{k>=1} eta_k S_i[t-k]       eta_k = self_amp * self_decay**(k-1) ('exp'),
                                             self_kernel[k-1] ('kernel'), or only the LAST spike:
                                             e_i[t] = self_kernel[t - t_last - 1] ('last', renewal)
    u_i[t] = u0_i + I_i[t] + h_i[t] + e_i[t]
    p_i[t] = 1 - exp(-dt rho(u_i[t]))        rho(u) = rho_scale * f(u), f in {exp, softplus, sigmoid}
    S_i[t] ~ Bernoulli(p_i[t])

A spike in bin t first acts in bin t + 1. Time is in the unit of dt (e.g. ms, then rho is in
1/ms).
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _spiking
from .connectivity import Connectivity, from_dense
from .monitors import SpikeResult

__all__ = ["RHO", "EscapeNoiseNetwork", "escape_probability", "renewal_rate", "rho_function"]

#: rho names known to the C kernel (table NC_SPIKING_RHO_TABLE).
RHO = dict(_spiking.RHO_CODES)
_SELF = {"none": 0, "exp": 1, "kernel": 2, "last": 3}


def rho_function(name, scale=1.0):
    """NumPy version of the escape rate rho(u) = scale * f(u)."""
    v.choice(name, "rho", RHO)
    f = {"exp": np.exp, "softplus": lambda u: np.logaddexp(0.0, u),
         "sigmoid": lambda u: 1.0 / (1.0 + np.exp(-u))}[name.lower()]
    return lambda u: scale * f(np.asarray(u, dtype=float))


def escape_probability(u, dt, rho="exp", rho_scale=1.0):
    """Spike probability in one bin, p = 1 - exp(-dt rho(u))."""
    return -np.expm1(-dt * rho_function(rho, rho_scale)(u))


def renewal_rate(u0, dt, self_kernel, rho="exp", rho_scale=1.0):
    """Stationary rate (1 / time unit of dt) of one neuron whose hazard depends on the time since its
    last spike only ('last' mode): the discrete renewal process with bin probability
    p_k = 1 - exp(-dt rho(u0 + eta_k)) in the k-th bin after a spike (eta_k = self_kernel[k-1],
    0 after the kernel). Renewal theory: rate = 1 / E[ISI], with
    E[ISI]/dt = sum_{k>=1} P(ISI > k-1 bins) = sum_{k>=1} prod_{m<k} (1 - p_m), and the tail after
    the kernel (constant p) summed as a geometric series.
    """
    eta = np.asarray(self_kernel, dtype=float)
    p = escape_probability(u0 + eta, dt, rho, rho_scale)
    p_inf = float(escape_probability(u0, dt, rho, rho_scale))
    surv = np.concatenate([[1.0], np.cumprod(1.0 - p)])   # P(no spike in bins 1..k), k = 0..K
    mean_bins = surv[:-1].sum() + surv[-1] / p_inf
    return 1.0 / (mean_bins * dt)


@dataclass
class EscapeNoiseRun:
    """Spikes of an escape-noise run plus, optionally, the potentials u (n_steps x n)."""
    spikes: SpikeResult
    u: Optional[np.ndarray] = None

    def raster(self):
        """(n_steps, n) uint8 spike matrix."""
        s = self.spikes
        n_steps = int(round(s.duration / s.dt))
        S = np.zeros((n_steps, s.n), np.uint8)
        S[np.rint((s.spike_times - s.t_start) / s.dt).astype(int), s.spike_ids] = 1
        return S


class EscapeNoiseNetwork:
    """N escape-noise neurons ``p_i[t] = 1 - exp(-dt rho(u_i[t]))`` (see the module docstring).

    Parameters
    ----------
    n : int
    u0 : float or (n,) array
        Baseline potential (includes any constant input).
    J : (n, n) array or Connectivity, optional
        Couplings; a dense ``J[i, j]`` is the weight from j to i (the usual matrix convention);
        a Connectivity has rows = presynaptic neurons.
    tau_syn : float, optional
        Exponential synaptic filter, kappa_k = exp(-dt/tau_syn)^(k-1) (in units of dt's time).
    syn_kernel : array, optional
        Arbitrary synaptic kernel kappa_1, kappa_2, ... instead of tau_syn.
    self_kernel : array, optional
        Refractoriness / adaptation kernel eta_1, eta_2, ... (-inf allowed: absolute refractoriness).
    self_mode : {'kernel', 'last', 'exp'}
        Sum eta over all past own spikes (SRM adaptation), use only the last spike (renewal), or an
        exponential kernel of amplitude ``self_amp`` and time constant ``self_tau``.
    rho : {'exp', 'softplus', 'sigmoid'};  rho_scale : float
    """

    def __init__(self, n, u0=0.0, J=None, tau_syn=None, syn_kernel=None, self_kernel=None, self_mode="kernel",
                 self_amp=0.0, self_tau=None, rho="exp", rho_scale=1.0):
        self.n = v.count(n, "n", 1)
        self.u0 = np.broadcast_to(np.asarray(u0, dtype=float), (self.n,)).copy()
        self.rho = rho
        v.choice(rho, "rho", RHO)
        self.rho_scale = v.positive(rho_scale, "rho_scale")
        if J is None:
            self.conn = None
        elif isinstance(J, Connectivity):
            self.conn = J
        else:
            J = np.asarray(J, dtype=float)
            if J.shape != (self.n, self.n):
                raise ValueError(f"argument 'J' must have shape ({self.n}, {self.n}), got {J.shape}")
            self.conn = from_dense(J.T)
        self.tau_syn = None if tau_syn is None else v.positive(tau_syn, "tau_syn")
        self.syn_kernel = None if syn_kernel is None else np.asarray(syn_kernel, dtype=float)
        if self.conn is not None and self.tau_syn is None and self.syn_kernel is None:
            raise ValueError("a coupled network needs 'tau_syn' or 'syn_kernel'")
        self.self_mode = self_mode if (self_kernel is not None or self_mode == "exp") else "none"
        v.choice(self.self_mode, "self_mode", _SELF)
        self.self_kernel = None if self_kernel is None else np.asarray(self_kernel, dtype=float)
        self.self_amp = float(self_amp)
        self.self_tau = self_tau
        if self.self_mode == "exp" and self_tau is None:
            raise ValueError("argument 'self_tau' is required with self_mode='exp'")

    def _kwargs(self, dt):
        proj = [] if self.conn is None else [(self.conn.indptr, self.conn.indices, self.conn.weights, 1.0, None, 0, 0, 0)]
        return dict(rho=RHO[self.rho.lower()], rho_scale=self.rho_scale,
                    syn_decay=0.0 if self.tau_syn is None else float(np.exp(-dt / self.tau_syn)),
                    syn_kernel=self.syn_kernel, self_mode=_SELF[self.self_mode], self_amp=self.self_amp,
                    self_decay=0.0 if self.self_tau is None else float(np.exp(-dt / self.self_tau)),
                    self_kernel=self.self_kernel, projections=proj)

    def simulate(self, n_steps, dt=1.0, I=None, max_spikes=None, record_u=False, rng=None, progress=False):
        """Sample spikes for ``n_steps`` bins from a silent past.

        Parameters
        ----------
        I : (n_steps, n) array, optional
            Input per bin.
        max_spikes : int, optional
            Spike-buffer capacity (default n_steps * n / 4 + 1000); overflow raises OverflowError.

        Returns
        -------
        EscapeNoiseRun
            Spike times are bin indices times dt.
        """
        n_steps = v.count(n_steps, "n_steps", 0)
        dt = v.positive(dt, "dt")
        if max_spikes is None:
            max_spikes = n_steps * self.n // 4 + 1000
        gen = as_generator(rng)
        from .._progress import progress_callback as _progress
        out = _spiking.glm_run(self.u0, n_steps, dt, i_t=I, max_spikes=v.count(max_spikes, "max_spikes", 0),
                               record_u=record_u, pop_of=np.zeros(self.n, np.int32), n_pop=1,
                               bitgen=gen.bit_generator, progress=_progress(progress, n_steps, "escape noise"),
                               **self._kwargs(dt))
        sr = SpikeResult(spike_times=out["spike_times"], spike_ids=out["spike_ids"], t_start=0.0,
                         duration=n_steps * dt, dt=dt, n=self.n, populations={"all": (0, self.n)},
                         pop_counts=out["pop_counts"], rate_bin=dt)
        return EscapeNoiseRun(sr, out.get("u"))

    def potential(self, spikes, dt=1.0, I=None):
        """Teacher-forced discretisation: u[t], p[t] and the Bernoulli log-likelihood of a given
        (n_steps, n) 0/1 spike matrix (what a fit maximises).

        Returns
        -------
        u, p : (n_steps, n) arrays
        loglik : float
            sum_t,i S log p + (1 - S) log(1 - p)
        """
        S = np.asarray(spikes)
        if S.dtype != np.uint8:
            if S.size and not np.all((S == 0) | (S == 1)):
                raise ValueError("argument 'spikes' must hold only 0 and 1")
            S = S.astype(np.uint8)
        return _spiking.glm_potential(self.u0, S, v.positive(dt, "dt"), i_t=I, **self._kwargs(dt))
