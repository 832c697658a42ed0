"""The COBA benchmark of Brette et al. (2007): 4000 LIF neurons with exponential conductance synapses.

Vogels & Abbott (2005) network as in benchmark 1 of Brette et al. 2007 (Brian2 version): 3200 E +
800 I neurons, Bernoulli p = 0.02, tau_m = 20 ms, E_L = -60 mV, I = 20 mV, threshold -50 mV, reset
-60 mV, refractory 5 ms, tau_e = 5 ms, tau_i = 10 ms, E_e = 0 mV, E_i = -80 mV, w_e = 0.6 and
w_i = 6.7 (conductances in units of the leak conductance), dt = 0.1 ms, Euler integration (as in the
benchmark), V0 ~ N(-55, 5) mV, g_e0 ~ N(4, 1.5), g_i0 ~ N(20, 12). Metrics as for `cuba`.
"""
import numpy as np

from ._base import ExperimentResult
from .cuba import report

NAME = "coba"
TITLE = "COBA benchmark network (4000 LIF, conductance-based exponential synapses)"
PAPER = "Brette et al., J Comput Neurosci 23, 349 (2007), benchmark 1; Vogels & Abbott, J Neurosci 25, 10786 (2005)"


def build_network(seed=0):
    """The COBA network with connectivity and initial state drawn from ``seed``."""
    import neurocore.spiking as ns
    rng = np.random.default_rng(seed)
    net = ns.LIFNetwork("coba", tau_syn={"e": 5.0, "i": 10.0}, e_rev={"e": 0.0, "i": -80.0}, method="euler")
    kw = dict(tau_m=20.0, v_th=-50.0, v_reset=-60.0, e_l=-60.0, t_ref=5.0, i_ext=20.0)
    E = net.add_population("E", 3200, sign=+1, **kw)
    I = net.add_population("I", 800, sign=-1, **kw)
    net.connect(E, net, "e", ns.bernoulli_graph(3200, 4000, 0.02, rng=rng), weight=0.6)
    net.connect(I, net, "i", ns.bernoulli_graph(800, 4000, 0.02, rng=rng), weight=6.7)
    net.v = rng.standard_normal(4000) * 5.0 - 55.0
    net.g = np.stack([rng.standard_normal(4000) * 1.5 + 4.0, rng.standard_normal(4000) * 12.0 + 20.0])
    return net


def run(quick=False, seed=0, out_dir="."):
    res = ExperimentResult(NAME, TITLE, PAPER)
    net = build_network(seed)
    out = net.run(1000.0, dt=0.1, rng=seed)
    report(res, "coba", out, seed, quick, out_dir, "COBA")
    return res
