"""Low-rank spike-coding networks (Boerlin, Machens & Deneve 2013; Podlaski & Machens 2024).

Equations (time in the unit of 1/lambda, e.g. seconds with lambda = 100 /s)::

    dr/dt = -lambda r + s(t)           filtered spike trains (a spike of k adds 1 to r_k)
    x_hat = D r                        leaky readout (D: K x N decoders)
    V     = F x - Omega r              voltages (F: N x K, Omega: N x N, low rank when Omega = F D)
    spike when V_i > T_i

with the exact step of ``nc_spiking_scn_run`` (csrc/kernels/spiking.h). Spike rules: 'one' (the
neuron furthest above threshold, at most one spike per step; Boerlin et al.), 'one_ipriority' (an
inhibitory neuron first, as in the E-I code of Podlaski & Machens), 'all' (every supra-threshold
neuron; the associative-memory reconstruction). Extra reset ``mu`` and voltage noise ``sigma``
(sigma sqrt(2 lambda dt) per step, the E-I paper's convention) are optional.

The classic autoencoder: F = D^T, Omega = D^T D, T_i = |D_i|^2 / 2, so that
V_i = D_i . (x - x_hat) and each spike greedily lowers the coding error |x - x_hat|.
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _spiking

__all__ = ["SpikeCodingNetwork", "SCNRun", "RULES"]

RULES = {"one": 0, "one_ipriority": 1, "all": 2}


@dataclass
class SCNRun:
    """Result of a spike-coding run: ``t`` (n_steps,) times of the recorded steps (end of each step),
    ``x_hat`` (n_steps, K), spikes as (``spike_times``, ``spike_ids``), optional ``V`` (n_steps, N)."""
    t: np.ndarray
    x: np.ndarray
    x_hat: np.ndarray
    spike_times: np.ndarray
    spike_ids: np.ndarray
    max_spikes_per_step: int
    V: Optional[np.ndarray] = None

    def error(self):
        """x - x_hat at every recorded step (n_steps, K)."""
        return self.x - self.x_hat


class SpikeCodingNetwork:
    """A spike-coding network with arbitrary F, D, Omega and thresholds.

    Parameters
    ----------
    D : (K, N) array
        Decoders (the readout x_hat = D r).
    F : (N, K) array, optional
        Input (encoding) weights; default D^T.
    Omega : (N, N) array, optional
        Recurrent weights (a spike of j subtracts Omega[:, j] from V); default F D (rank K).
    T : float or (N,) array, optional
        Thresholds; default |D_i|^2 / 2.
    lam : float
        Leak rate lambda of r and V (1/time).
    is_inh : (N,) bool array, optional
        Inhibitory neurons (for rule 'one_ipriority').
    rule : {'one', 'one_ipriority', 'all'}
    mu, sigma : float
        Extra self reset and voltage-noise amplitude.
    """

    def __init__(self, D, F=None, Omega=None, T=None, lam=100.0, is_inh=None, rule="one", mu=0.0, sigma=0.0):
        self.D = np.atleast_2d(np.asarray(D, dtype=float))
        K, N = self.D.shape
        self.F = self.D.T.copy() if F is None else np.asarray(F, dtype=float)
        if self.F.shape != (N, K):
            raise ValueError(f"argument 'F' must have shape ({N}, {K}), got {self.F.shape}")
        self.Omega = self.F @ self.D if Omega is None else np.asarray(Omega, dtype=float)
        if self.Omega.shape != (N, N):
            raise ValueError(f"argument 'Omega' must have shape ({N}, {N}), got {self.Omega.shape}")
        self.T = (0.5 * np.sum(self.D ** 2, axis=0) if T is None
                  else np.broadcast_to(np.asarray(T, dtype=float), (N,)).copy())
        self.lam = v.positive(lam, "lam")
        self.is_inh = None if is_inh is None else np.asarray(is_inh, dtype=bool).astype(np.uint8)
        self.rule = rule
        v.choice(rule, "rule", RULES)
        self.mu = float(mu)
        self.sigma = v.nonnegative(sigma, "sigma")
        self.n, self.k = N, K
        self.r = np.zeros(N)
        self.V = None

    def ideal_voltage(self, x):
        """F x - Omega r for the current r."""
        return self.F @ np.asarray(x, dtype=float) - self.Omega @ self.r

    def run(self, x, dt, I_inj=None, max_spikes=None, record_v=False, rng=None, progress=False):
        """Drive the network with the signal ``x`` and return the readout.

        Parameters
        ----------
        x : (n_steps + 1, K) array, or (K,) for a constant signal together with ``x`` repeated
            Signal samples; row 0 is x at the start, row t + 1 at the end of step t.
        dt : float
            Time step (same time unit as 1/lam); dt * lam <= 0.5.
        I_inj : (N,) array, optional
            Injected constant current (enters as lam * I_inj).
        max_spikes : int, optional
            Spike-buffer capacity (default N * n_steps / 10 + 1000).

        The voltages start at F x[0] - Omega r (the ideal voltage) on the first run and continue
        from the last state afterwards.
        """
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.k:
            raise ValueError(f"argument 'x' must have shape (n_steps + 1, {self.k}), got {x.shape}")
        n_steps = x.shape[0] - 1
        if self.V is None:
            self.V = self.ideal_voltage(x[0])
        if max_spikes is None:
            max_spikes = self.n * n_steps // 10 + 1000
        bitgen = as_generator(rng).bit_generator if self.sigma > 0 else None
        from .._progress import progress_callback as _progress
        out = _spiking.scn_run(self.F, self.Omega, self.D, self.T, x, float(dt), self.lam, self.V, self.r,
                               rule=RULES[self.rule.lower()], is_inh=self.is_inh, mu=self.mu, sigma=self.sigma,
                               i_inj=I_inj, max_spikes=v.count(max_spikes, "max_spikes", 0), record_v=record_v,
                               bitgen=bitgen, progress=_progress(progress, n_steps, "spike coding"))
        self.V, self.r = out["V"], out["r"]
        return SCNRun(t=dt * np.arange(1, n_steps + 1), x=x[1:], x_hat=out["x_hat"], spike_times=out["spike_times"],
                      spike_ids=out["spike_ids"], max_spikes_per_step=int(out["max_spikes_per_step"]),
                      V=out.get("v_trace"))
