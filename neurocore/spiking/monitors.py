"""What a spiking run returns: spikes as two flat arrays, traces and population counts, with the
usual statistics (rates, CV of inter-spike intervals) and a raster plot."""
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

__all__ = ["SpikeResult", "cv_isi", "firing_rates"]


def firing_rates(spike_ids, n, duration):
    """Rate of each of n neurons in Hz, given spike ids and a duration in ms."""
    return np.bincount(np.asarray(spike_ids, dtype=np.int64), minlength=n)[:n] * (1000.0 / duration)


def cv_isi(spike_times, spike_ids, n, min_spikes=3):
    """Coefficient of variation (SD / mean) of each neuron's inter-spike intervals.

    Neurons with fewer than ``min_spikes`` spikes get NaN.
    """
    spike_ids = np.asarray(spike_ids, dtype=np.int64)
    spike_times = np.asarray(spike_times, dtype=float)
    order = np.lexsort((spike_times, spike_ids))
    ids, ts = spike_ids[order], spike_times[order]
    out = np.full(n, np.nan)
    if ids.size < 2:
        return out
    isi = np.diff(ts)
    same = ids[1:] == ids[:-1]
    isi, owner = isi[same], ids[1:][same]
    cnt = np.bincount(owner, minlength=n)[:n]
    s1 = np.bincount(owner, weights=isi, minlength=n)[:n]
    s2 = np.bincount(owner, weights=isi * isi, minlength=n)[:n]
    ok = cnt >= max(1, min_spikes - 1)
    mean = s1[ok] / cnt[ok]
    var = np.maximum(s2[ok] / cnt[ok] - mean ** 2, 0.0)
    out[ok] = np.sqrt(var) / mean
    return out


@dataclass
class SpikeResult:
    """Spikes (``spike_times`` in ms, ``spike_ids``), traces and population spike counts of a run.

    ``trace_v[k, r]`` is V of neuron ``record[r]`` at time ``trace_t[k]``; ``trace_g[k, c, r]`` its
    synaptic variable of channel c. ``pop_counts[b, p]`` counts the spikes of population p in bin b
    (width ``rate_bin`` ms).
    """
    spike_times: Optional[np.ndarray]
    spike_ids: Optional[np.ndarray]
    t_start: float
    duration: float
    dt: float
    n: int
    populations: dict = field(default_factory=dict)
    pop_counts: Optional[np.ndarray] = None
    rate_bin: float = 1.0
    trace_t: Optional[np.ndarray] = None
    trace_v: Optional[np.ndarray] = None
    trace_g: Optional[np.ndarray] = None
    channels: list = field(default_factory=list)

    @property
    def n_spikes(self):
        if self.pop_counts is not None:
            return int(self.pop_counts.sum())
        return int(self.spike_ids.size)

    def rates(self):
        """Firing rate of every neuron (Hz)."""
        return firing_rates(self.spike_ids, self.n, self.duration)

    def mean_rate(self, population=None):
        """Mean firing rate (Hz) of all neurons or of one population (by name)."""
        if self.pop_counts is not None:
            if population is None:
                return self.pop_counts.sum() / (self.n * self.duration / 1000.0)
            names = list(self.populations)
            lo, hi = self.populations[population]
            return self.pop_counts[:, names.index(population)].sum() / ((hi - lo) * self.duration / 1000.0)
        r = self.rates()
        if population is None:
            return float(r.mean())
        lo, hi = self.populations[population]
        return float(r[lo:hi].mean())

    def population_rate(self, population=None):
        """(times in ms, rate in Hz) of a population (or all neurons) in bins of ``rate_bin`` ms."""
        names = list(self.populations)
        if population is None:
            counts, size = self.pop_counts.sum(axis=1), self.n
        else:
            lo, hi = self.populations[population]
            counts, size = self.pop_counts[:, names.index(population)], hi - lo
        t = self.t_start + self.rate_bin * (np.arange(counts.shape[0]) + 0.5)
        return t, counts / (size * self.rate_bin / 1000.0)

    def cv_isi(self, population=None, min_spikes=3):
        """CV of the ISIs of every neuron (NaN with fewer than min_spikes spikes), or of one population."""
        cv = cv_isi(self.spike_times, self.spike_ids, self.n, min_spikes)
        if population is None:
            return cv
        lo, hi = self.populations[population]
        return cv[lo:hi]

    def raster(self, ax=None, max_neurons=None, **kw):
        """Raster plot (time in ms vs neuron id); returns the axes."""
        import matplotlib.pyplot as plt
        ax = ax or plt.gca()
        sel = np.ones(self.spike_ids.size, bool) if max_neurons is None else self.spike_ids < max_neurons
        kw.setdefault("s", 1)
        kw.setdefault("color", "k")
        kw.setdefault("marker", ".")
        kw.setdefault("linewidths", 0)
        ax.scatter(self.spike_times[sel], self.spike_ids[sel], **kw)
        ax.set_xlabel("time (ms)")
        ax.set_ylabel("neuron")
        return ax
