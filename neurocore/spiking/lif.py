"""Leaky integrate-and-fire networks with exponential current (CUBA) or conductance (COBA) synapses.

Units: time in ms, voltage in mV, rates in Hz.

CUBA::

    tau_m dV/dt   = -(V - E_L) + I + sum_c g_c          (g_c in mV)
    tau_c dg_c/dt = -g_c,    a spike of j adds w_ij to g_c of i after the delay

COBA::

    tau_m dV/dt   = -(V - E_L) + I + sum_c g_c (E_c - V)  (g_c in units of the leak conductance)

Threshold ``V > v_th`` -> spike, ``V = v_reset``, V clamped for ``t_ref``. CUBA is integrated
exactly (``method='exact'``); COBA by Euler (as in the Brette et al. 2007 benchmark) or
exponential Euler. The step order is in ``csrc/kernels/spiking.h``.

Example
-------
>>> import neurocore.spiking as ns
>>> net = ns.LIFNetwork("cuba", tau_syn={"e": 5.0, "i": 10.0})
>>> E = net.add_population("E", 3200, tau_m=20, v_th=-50, v_reset=-60, e_l=-49, t_ref=5, sign=+1)
>>> I = net.add_population("I", 800, tau_m=20, v_th=-50, v_reset=-60, e_l=-49, t_ref=5, sign=-1)
>>> _ = net.connect(E, net, "e", ns.bernoulli_graph(3200, 4000, 0.02, rng=1), weight=1.62)
>>> _ = net.connect(I, net, "i", ns.bernoulli_graph(800, 4000, 0.02, rng=2), weight=-9.0)
>>> res = net.run(1000.0, dt=0.1, rng=3)
>>> 5.0 < res.mean_rate() < 7.0   # Hz; Brian2 gives 5.5-5.8 Hz for this network
True
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from .._progress import progress_callback
from .. import _validate as v
from .._random import as_generator
from . import _spiking
from .connectivity import Connectivity, check_dale
from .monitors import SpikeResult

__all__ = ["LIFNetwork", "Population", "Projection", "MODELS", "METHODS"]

_progress = progress_callback  # the old private name, still imported by a few modules

MODELS = dict(_spiking.LIF_MODELS)
METHODS = dict(_spiking.LIF_METHODS)


@dataclass
class Population:
    """A contiguous block ``start .. start + n - 1`` of the network's neurons."""
    name: str
    start: int
    n: int
    sign: int = 0   # +1 excitatory, -1 inhibitory (Dale's law is checked), 0 unchecked

    @property
    def stop(self):
        return self.start + self.n

    @property
    def slice(self):
        return slice(self.start, self.stop)


@dataclass
class Projection:
    """Synapses from ``pre`` to ``post`` onto synaptic channel ``target``; effective weight of a
    synapse = ``weight * conn.weights[k]`` (or ``weight`` when the connectivity is homogeneous)."""
    pre: Population
    post: Population
    target: str
    conn: Connectivity
    weight: float
    delay: float = 0.0          # ms, common delay (per-synapse delays in conn.delays, in steps)
    _global_indices: Optional[np.ndarray] = field(default=None, repr=False)

    def global_indices(self):
        if self._global_indices is None:
            self._global_indices = np.ascontiguousarray(self.conn.indices + np.int32(self.post.start), dtype=np.int32)
        return self._global_indices


class LIFNetwork:
    """A network of LIF neurons made of populations and CSR projections.

    Parameters
    ----------
    model : {'cuba', 'coba'}
    tau_syn : dict name -> ms
        Synaptic channels and their decay time constants, e.g. ``{"e": 5.0, "i": 10.0}``.
    e_rev : dict name -> mV, optional
        Reversal potentials (COBA only), e.g. ``{"e": 0.0, "i": -80.0}``.
    method : {'exact', 'euler', 'exp_euler'}, optional
        Default 'exact' for CUBA, 'exp_euler' for COBA.
    """

    def __init__(self, model="cuba", tau_syn=None, e_rev=None, method=None):
        self.model = model.lower()
        v.choice(self.model, "model", MODELS)
        tau_syn = {"e": 5.0, "i": 10.0} if tau_syn is None else dict(tau_syn)
        if not 1 <= len(tau_syn) <= _spiking.MAX_CHANNELS:
            raise ValueError(f"argument 'tau_syn' must name 1 to {_spiking.MAX_CHANNELS} channels, got {len(tau_syn)}")
        self.channels = list(tau_syn)
        self.tau_syn = np.array([v.positive(float(tau_syn[c]), f"tau_syn['{c}']") for c in self.channels])
        if self.model == "coba":
            if e_rev is None:
                e_rev = {"e": 0.0, "i": -80.0}
            missing = [c for c in self.channels if c not in e_rev]
            if missing:
                raise ValueError(f"argument 'e_rev' must give a reversal potential for channels {missing}")
            self.e_rev = np.array([float(e_rev[c]) for c in self.channels])
        else:
            self.e_rev = np.zeros(len(self.channels))
        self.method = method or ("exact" if self.model == "cuba" else "exp_euler")
        v.choice(self.method, "method", METHODS)
        self.populations: List[Population] = []
        self.projections: List[Projection] = []
        self._params: Dict[str, list] = {k: [] for k in ("tau_m", "v_th", "v_reset", "e_l", "t_ref", "i_ext")}
        self.poisson = None
        self.v = np.zeros(0)
        self.g = np.zeros((len(self.channels), 0))
        self._ref = np.zeros(0, dtype=np.int32)
        self._ring = None
        self._ring_dt = None
        self.t = 0.0

    # ------------------------------------------------------------------ building
    @property
    def n(self):
        return sum(p.n for p in self.populations)

    @property
    def start(self):  # lets the network itself stand for "all neurons" as a connect target
        return 0

    @property
    def stop(self):
        return self.n

    def add_population(self, name, n, tau_m=20.0, v_th=-50.0, v_reset=-60.0, e_l=-60.0, t_ref=2.0,
                       i_ext=0.0, sign=0, v0=None):
        """Append n neurons; every parameter may be a scalar or a length-n array.

        Parameters
        ----------
        tau_m : ms;  v_th, v_reset, e_l : mV;  t_ref : ms (absolute refractory period)
        i_ext : mV
            Constant input: alone it holds V at E_L + i_ext.
        sign : {+1, -1, 0}
            Excitatory / inhibitory (Dale's law checked on every outgoing projection) / unchecked.
        v0 : initial V (mV), scalar or array; default v_reset.
        """
        n = v.count(n, "n", 1)
        if sign not in (-1, 0, 1):
            raise ValueError(f"argument 'sign' must be +1, -1 or 0, got {sign!r}")
        vals = dict(tau_m=tau_m, v_th=v_th, v_reset=v_reset, e_l=e_l, t_ref=t_ref, i_ext=i_ext)
        for key, val in vals.items():
            arr = np.asarray(val, dtype=float)
            if arr.ndim > 1 or (arr.ndim == 1 and arr.shape[0] != n):
                raise ValueError(f"argument '{key}' must be a scalar or have length n={n}, got shape {arr.shape}")
            arr = np.broadcast_to(arr, (n,)).astype(float)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"argument '{key}' must be finite")
            if key in ("tau_m",) and np.any(arr <= 0):
                raise ValueError(f"argument '{key}' must be > 0, got {arr.min()}")
            if key == "t_ref" and np.any(arr < 0):
                raise ValueError(f"argument 't_ref' must be >= 0 ms, got {arr.min()}")
            self._params[key].append(arr)
        pop = Population(name, self.n, n, sign)
        self.populations.append(pop)
        v0 = np.broadcast_to(np.asarray(v_reset if v0 is None else v0, dtype=float), (n,))
        self.v = np.concatenate([self.v, v0])
        self.g = np.concatenate([self.g, np.zeros((len(self.channels), n))], axis=1)
        self._ref = np.concatenate([self._ref, np.zeros(n, dtype=np.int32)])
        self._ring = None
        return pop

    def population(self, name):
        for p in self.populations:
            if p.name == name:
                return p
        raise KeyError(f"no population named {name!r}; have {[p.name for p in self.populations]}")

    def _as_pop(self, x, name):
        if isinstance(x, Population):
            return x
        if x is self:
            return Population("all", 0, self.n, 0)
        if isinstance(x, str):
            return self.population(x)
        raise TypeError(f"argument '{name}' must be a Population, its name or the network, got {type(x).__name__}")

    def connect(self, pre, post, target, conn, weight=1.0, delay=0.0, check_dale_law=True):
        """Add a projection.

        Parameters
        ----------
        pre, post : Population, population name, or the network itself (all neurons)
        target : str
            Synaptic channel of the postsynaptic neurons (a key of ``tau_syn``).
        conn : Connectivity or (n_pre, n_post) array
            Synapses with local indices; a dense array is converted with ``from_dense``.
        weight : float
            Scale of every synapse (mV for CUBA, units of the leak conductance for COBA).
        delay : float
            Common synaptic delay in ms (a whole number of steps at run time); per-synapse delays
            go in ``conn.delays`` (steps).
        """
        pre, post = self._as_pop(pre, "pre"), self._as_pop(post, "post")
        if target not in self.channels:
            raise ValueError(f"argument 'target' must be one of the channels {self.channels}, got {target!r}")
        if not isinstance(conn, Connectivity):
            from .connectivity import from_dense
            conn = from_dense(conn)
        if conn.n_pre != pre.n or conn.n_post != post.n:
            raise ValueError(f"argument 'conn' must be {pre.n} x {post.n} (pre x post), got {conn.n_pre} x {conn.n_post}")
        weight = float(weight)
        if not np.isfinite(weight):
            raise ValueError(f"argument 'weight' must be finite, got {weight}")
        delay = v.nonnegative(float(delay), "delay") if np.isfinite(delay) and delay >= 0 else None
        if delay is None:
            raise ValueError("argument 'delay' must be a non-negative number of ms")
        if check_dale_law and pre.sign != 0:
            if self.model == "cuba":
                check_dale(conn, weight, pre.sign)
            else:
                check_dale(conn, weight, +1)  # conductances are positive
                c = self.channels.index(target)
                vth = np.concatenate(self._params["v_th"])[post.slice]
                effect = np.sign(self.e_rev[c] - vth)
                if np.any(effect * pre.sign < 0):
                    kind = "excitatory" if pre.sign > 0 else "inhibitory"
                    raise ValueError(f"Dale's law: {kind} population {pre.name!r} projects onto channel {target!r} "
                                     f"whose reversal potential {self.e_rev[c]} mV has the opposite effect")
        proj = Projection(pre, post, target, conn, weight, delay)
        self.projections.append(proj)
        self._ring = None
        return proj

    def add_poisson_input(self, rate, weight, target):
        """Independent Poisson spike trains onto every neuron.

        Parameters
        ----------
        rate : float or (n,) array
            Total input rate per neuron in Hz.
        weight : float or (n,) array
            Jump per input spike (same units as the synapse weights; mV on V for target='v').
        target : str
            A synaptic channel, or 'v' to kick the membrane potential directly.
        """
        n = self.n
        rate = np.broadcast_to(np.asarray(rate, dtype=float), (n,)).copy()
        if np.any(rate < 0) or not np.all(np.isfinite(rate)):
            raise ValueError("argument 'rate' must be finite and >= 0 Hz")
        weight = np.broadcast_to(np.asarray(weight, dtype=float), (n,)).copy()
        if target == "v":
            chan = -1
        elif target in self.channels:
            chan = self.channels.index(target)
        else:
            raise ValueError(f"argument 'target' must be 'v' or one of {self.channels}, got {target!r}")
        self.poisson = (rate / 1000.0, weight, chan)

    # ------------------------------------------------------------------ running
    def _param(self, key):
        return np.concatenate(self._params[key])

    def _projection_tuples(self, dt):
        out = []
        for pr in self.projections:
            d = v.steps(pr.delay, dt, "delay") if pr.delay > 0 else 0
            out.append((pr.conn.indptr, pr.global_indices(), pr.conn.weights, pr.weight, pr.conn.delays, d,
                        self.channels.index(pr.target), pr.pre.start))
        return out

    def bytes_per_synapse(self):
        """Mean bytes per synapse of the connectivity the kernel reads (index + weight (+ delay))."""
        n_syn = sum(p.conn.n_synapses for p in self.projections)
        if n_syn == 0:
            return 0.0
        return sum(p.conn.n_synapses * p.conn.nbytes_per_synapse() for p in self.projections) / n_syn

    @property
    def n_synapses(self):
        return sum(p.conn.n_synapses for p in self.projections)

    def run(self, duration, dt=0.1, max_spikes=None, record_spikes=True, record=None, record_every=1,
            record_g=False, rate_bin=None, i_t=None, rng=None, progress=False):
        """Integrate for ``duration`` ms from the current state (which is kept for the next run).

        Parameters
        ----------
        duration, dt : float
            ms; dt must be at most half the smallest time constant.
        max_spikes : int, optional
            Capacity of the spike monitor; default 200 spikes per neuron per second of run
            (at least 10000). A run that fills it raises OverflowError.
        record_spikes : bool
        record : array of int, optional
            Neurons whose V (and, with record_g, synaptic variables) are traced every
            ``record_every`` steps.
        rate_bin : float, optional
            Bin (ms) of the population spike counts (a whole number of steps); default the
            whole number of steps closest to 1 ms.
        i_t : (n_steps, n) array, optional
            Extra input (mV) during each step.
        rng : int, Generator or None
            Draws the Poisson input.

        Returns
        -------
        SpikeResult
        """
        dt = v.positive(dt, "dt")
        n_steps = v.steps(v.nonnegative(duration, "duration"), dt)
        n = self.n
        if n == 0:
            raise ValueError("the network has no neurons; call add_population first")
        t_ref = np.rint(self._param("t_ref") / dt).astype(np.int32)
        if max_spikes is None:
            max_spikes = max(10000, int(0.2 * n * duration) + 1000)
        max_spikes = v.count(max_spikes, "max_spikes", 0) if record_spikes else -1
        if rate_bin is None:
            rb = max(1, int(round(1.0 / dt)))
        else:
            rb = v.steps(v.positive(rate_bin, "rate_bin"), dt, "rate_bin")
        if rb < 1:
            raise ValueError(f"argument 'rate_bin' must be at least one step ({dt} ms)")
        pop_of = np.repeat(np.arange(len(self.populations), dtype=np.int32), [p.n for p in self.populations])
        rate, weight, chan = self.poisson if self.poisson is not None else (None, None, 0)
        bitgen = as_generator(rng).bit_generator if self.poisson is not None else None
        projections = self._projection_tuples(dt)
        if self._ring_dt != dt:
            self._ring = None
        out = _spiking.lif_run(
            n_steps, dt, MODELS[self.model], METHODS[self.method], self._param("tau_m"), self._param("v_th"),
            self._param("v_reset"), self._param("e_l"), t_ref, self.tau_syn, self.e_rev, self.v, g0=self.g,
            ref0=self._ref, ring0=self._ring, projections=projections, i_ext=self._param("i_ext"), i_t=i_t,
            poisson_rate=rate, poisson_weight=weight, poisson_chan=chan, max_spikes=max_spikes,
            record=None if record is None else np.asarray(record, dtype=np.int32), record_every=record_every,
            record_g=record_g, pop_of=pop_of, n_pop=len(self.populations), rate_bin=rb, bitgen=bitgen,
            progress=progress_callback(progress, n_steps, "LIF network"))
        self.v, self.g, self._ref, self._ring, self._ring_dt = out["v"], out["g"], out["ref"], out["ring"], dt
        t0 = self.t
        self.t += n_steps * dt
        return SpikeResult(
            spike_times=out.get("spike_times", np.zeros(0)) + t0 if record_spikes else None,
            spike_ids=out.get("spike_ids") if record_spikes else None,
            t_start=t0, duration=n_steps * dt, dt=dt, n=n,
            populations={p.name: (p.start, p.stop) for p in self.populations},
            pop_counts=out.get("pop_counts"), rate_bin=rb * dt,
            trace_t=None if record is None else t0 + dt * record_every * np.arange(1, n_steps // record_every + 1),
            trace_v=out.get("trace_v"), trace_g=out.get("trace_g"), channels=list(self.channels))
