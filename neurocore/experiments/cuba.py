"""The CUBA benchmark of Brette et al. (2007): 4000 LIF neurons with exponential current synapses.

Vogels & Abbott (2005) network as in benchmark 2 of Brette et al. 2007 (Brian2 version): 3200 E +
800 I neurons, Bernoulli connectivity p = 0.02, tau_m = 20 ms, E_L = -49 mV, threshold -50 mV,
reset -60 mV, refractory 5 ms, tau_e = 5 ms, tau_i = 10 ms, w_e = 1.62 mV, w_i = -9 mV,
dt = 0.1 ms, exact integration, V0 ~ U(-60, -50) mV. The activity is self-sustained, asynchronous
and irregular. Metrics: mean rate and mean CV of ISIs, compared with the range Brian2 gives for the
same network over 5 seeds (tests/data/brian2_reference.json, made by benchmarks/brian2_reference.py)
widened by 10%.
"""
import json
import os

import numpy as np

from ._base import ExperimentResult

NAME = "cuba"
TITLE = "CUBA benchmark network (4000 LIF, current-based exponential synapses)"
PAPER = "Brette et al., J Comput Neurosci 23, 349 (2007), benchmark 2; Vogels & Abbott, J Neurosci 25, 10786 (2005)"

REFERENCE = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "brian2_reference.json")


def build_network(seed=0):
    """The CUBA network with connectivity and initial state drawn from ``seed``."""
    import neurocore.spiking as ns
    rng = np.random.default_rng(seed)
    net = ns.LIFNetwork("cuba", tau_syn={"e": 5.0, "i": 10.0}, method="exact")
    kw = dict(tau_m=20.0, v_th=-50.0, v_reset=-60.0, e_l=-49.0, t_ref=5.0)
    E = net.add_population("E", 3200, sign=+1, **kw)
    I = net.add_population("I", 800, sign=-1, **kw)
    net.connect(E, net, "e", ns.bernoulli_graph(3200, 4000, 0.02, rng=rng), weight=1.62)
    net.connect(I, net, "i", ns.bernoulli_graph(800, 4000, 0.02, rng=rng), weight=-9.0)
    net.v = -60.0 + 10.0 * rng.random(4000)
    return net


def brian2_range(model, widen=0.10):
    """(rate range, CV range) that Brian2 gives over 5 seeds, each widened by ``widen`` of its value
    on both ends; None if the reference file is missing."""
    path = os.path.abspath(REFERENCE)
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        ref = json.load(fh)[model]
    (r0, r1), (c0, c1) = ref["rate_range"], ref["cv_range"]
    return (r0 * (1 - widen), r1 * (1 + widen)), (c0 * (1 - widen), c1 * (1 + widen))


def report(res, model, run, seed, quick, out_dir, title):
    import matplotlib.pyplot as plt
    rate = float(run.mean_rate())
    cvs = run.cv_isi()
    cv = float(np.nanmean(cvs))
    rng_ = brian2_range(model)
    if rng_ is not None:
        res.check("mean firing rate", rate, rng_[0], kind="range",
                  source="Brian2 2.9 range over 5 seeds, +-10% (tests/data/brian2_reference.json)", unit="Hz")
        res.check("mean CV of ISIs", cv, rng_[1], kind="range",
                  source="Brian2 2.9 range over 5 seeds, +-10% (tests/data/brian2_reference.json)")
    res.check("E rate / I rate", run.mean_rate("E") / run.mean_rate("I"), 1.0, 0.1, "abs",
              source="identical E and I neurons receive statistically identical input")
    res.data.update(rate_hz=rate, cv_isi=cv, rate_E=float(run.mean_rate("E")), rate_I=float(run.mean_rate("I")),
                    n_spikes=run.n_spikes, seed=seed)
    fig, axes = plt.subplots(3, 1, figsize=(7, 7), gridspec_kw={"height_ratios": [3, 1, 1.2]})
    sel = run.spike_times < run.t_start + 500.0
    axes[0].scatter(run.spike_times[sel], run.spike_ids[sel], s=0.5, c=np.where(run.spike_ids[sel] < 3200, "C0", "C3"),
                    linewidths=0)
    axes[0].set_ylabel("neuron (E blue, I red)")
    axes[0].set_title(f"{title}: {rate:.2f} Hz, CV {cv:.2f}")
    t, r = run.population_rate()
    axes[1].plot(t, r, lw=0.6, color="k")
    axes[1].set_xlim(run.t_start, run.t_start + 500.0)
    axes[1].set_ylabel("rate (Hz)")
    axes[1].set_xlabel("time (ms)")
    axes[2].hist(cvs[np.isfinite(cvs)], bins=40, color="0.5")
    if rng_ is not None:
        for x in rng_[1]:
            axes[2].axvline(x, color="C2", ls="--", lw=0.8)
    axes[2].axvline(cv, color="C3", lw=1.2, label="mean")
    axes[2].set_xlabel("CV of ISIs (dashed: Brian2 range +-10%)")
    axes[2].legend(fontsize=7)
    fig.tight_layout()
    res.savefig(fig, out_dir, f"{model}.png")


def run(quick=False, seed=0, out_dir="."):
    res = ExperimentResult(NAME, TITLE, PAPER)
    net = build_network(seed)
    out = net.run(1000.0, dt=0.1, rng=seed)
    report(res, "cuba", out, seed, quick, out_dir, "CUBA")
    return res
