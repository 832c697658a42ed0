"""Voltage-based plasticity at the synapse location: the same pairing protocol potentiates proximal
and depresses distal synapses, dendritic depolarisation rescues distal LTP, and the outcome depends
on stimulation frequency and timing (Meissner-Bernard et al.).

The rule (glutamate trace x two-threshold function of the local voltage) runs in C on synthetic local
voltage traces: local alpha EPSPs, a back-propagating AP and after-depolarisation attenuated with
distance (length constant 200 um), and an optional dendritic plateau. EVERY NUMBER HERE IS THE
SYNTHETIC HARNESS'S (notes seed002 3.4, [calib]); none is fitted to the paper's recordings, which
were not available. The paper drives the rule with recorded dendritic voltages; pass such traces as
arrays to neurocore.plasticity.glutamate_voltage_rule (after resample_trace).
"""
import numpy as np

from ..plasticity import VoltageRule, glutamate_voltage_rule, pairing_protocol, synthetic_dendritic_voltage
from ._base import ExperimentResult

NAME = "dendritic_location_plasticity"
TITLE = "LTP/LTD against synapse location, stimulation frequency and timing (synthetic harness)"
PAPER = ("Meissner-Bernard et al., Dendritic voltage recordings explain paradoxical synaptic plasticity: "
         "a modeling study, Front. Synaptic Neurosci. 12:585539 (2020); arXiv 2001.03614")

DT = 0.1               # ms
PLATEAU = 40.0         # mV, 30 ms from the first presynaptic spike (must exceed theta_plus = 35 mV)
#: The notes' prototype of the same harness (seed002 3.4), dt = 0.1 ms, 5 pairings +10 ms at 50 Hz.
NOTES_VALUES = {0: 27.0, 100: 7.2, 200: -11.2, 300: -7.3, 400: -1.2, 500: 0.0}


def protocol_dw(distance, n_pairs=5, frequency=50.0, delay=10.0, plateau=0.0, rule=None, dt=DT, record=False):
    """Weight change of one synapse at ``distance`` um for a pre->post pairing protocol."""
    pre, post = pairing_protocol(n_pairs, frequency, delay)
    duration = float(max(pre.max(), post.max()) + 300.0) if n_pairs else 300.0
    t, u = synthetic_dendritic_voltage(distance, pre, post, duration, dt=dt, plateau_amp=plateau,
                                       plateau_start=pre[0] if plateau else None)
    out = glutamate_voltage_rule(u, pre, dt, rule=rule, record=record)
    return (out, t, u) if record else float(out.dw[0])


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    rule = VoltageRule()
    dists = np.arange(0, 601, 50 if quick else 10)
    dw_d = np.array([protocol_dw(d, rule=rule) for d in dists])
    dw_plateau = np.array([protocol_dw(d, plateau=PLATEAU, rule=rule) for d in dists])
    dw_10 = np.array([protocol_dw(d, frequency=10.0, rule=rule) for d in dists])
    freqs = np.array([1, 5, 10, 20, 30, 40, 50, 70, 100.0])
    dw_f0 = np.array([protocol_dw(0, frequency=f, rule=rule) for f in freqs])
    dw_f200 = np.array([protocol_dw(200, frequency=f, rule=rule) for f in freqs])
    delays = np.arange(-50, 51, 5 if quick else 2.5)
    dw_timing = np.array([protocol_dw(0, n_pairs=1, delay=dl, rule=rule) for dl in delays])
    dw_timing50 = np.array([protocol_dw(0, n_pairs=5, frequency=50.0, delay=dl, rule=rule) for dl in delays])

    at = {d: protocol_dw(d, rule=rule) for d in NOTES_VALUES}
    src = "synthetic harness, notes seed002 3.4 (not fitted to the paper)"
    res.check("dw proximal (0 um), 5 pairings +10 ms at 50 Hz", at[0], 0.0, kind="gt", source=src, unit="a.u.")
    res.check("dw distal (200 um), same protocol", at[200], 0.0, kind="lt", source=src, unit="a.u.")
    signs = np.sign(dw_d[(dists > 0) & (dists <= 200)])
    signs = np.concatenate([[np.sign(at[0])], signs])
    res.check("sign changes between 0 and 200 um", int(np.sum(signs[1:] != signs[:-1])), 1, 0, "abs", source=src)
    res.check("dw far (600 um)", abs(dw_d[-1]), 0.05, kind="lt", source="bAP and ADP vanish; EPSPs stay below "
              "theta_minus", unit="a.u.")
    res.check("dw distal (200 um) with dendritic plateau", protocol_dw(200, plateau=PLATEAU, rule=rule), 0.0,
              kind="gt", source="depolarisation rescues distal LTP (harness)", unit="a.u.")
    f10, f50 = protocol_dw(0, frequency=10.0, rule=rule), at[0]
    res.check("frequency: dw(50 Hz) - dw(10 Hz) at 0 um", f50 - f10, 0.0, kind="gt", source=src, unit="a.u.")
    res.check("frequency: dw(10 Hz) at 0 um", f10, 0.0, kind="gt", source=src, unit="a.u.")
    pos, neg = protocol_dw(0, n_pairs=1, delay=10.0, rule=rule), protocol_dw(0, n_pairs=1, delay=-10.0, rule=rule)
    res.check("timing: single pairing +10 ms", pos, 0.0, kind="gt", source=src, unit="a.u.")
    res.check("timing: |dw(-10 ms)| / dw(+10 ms)", abs(neg) / pos, 0.1, kind="lt", source="notes T3.6")
    res.check("50 Hz post->pre (-10 ms) at 0 um", protocol_dw(0, delay=-10.0, rule=rule), 0.0, kind="gt",
              source="Sjostrom et al. 2001: LTP for both orders at 50 Hz (notes 3.4 data check)", unit="a.u.")
    for d, want in NOTES_VALUES.items():
        res.check(f"harness value at {d} um vs the notes' prototype", at[d], want, 0.1, "abs",
                  source="notes seed002 3.4 (independent implementation of the same harness)", unit="a.u.")
    res.data.update(distance_um=dists, dw_50Hz=dw_d, dw_50Hz_plateau=dw_plateau, dw_10Hz=dw_10, freq_hz=freqs,
                    dw_freq_0um=dw_f0, dw_freq_200um=dw_f200, delay_ms=delays, dw_single_pairing=dw_timing,
                    dw_50Hz_delay=dw_timing50, plateau_mV=PLATEAU, harness_note=src)

    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    ax = axes[0, 0]
    for d, col in ((0, "C0"), (200, "C3"), (500, "C2")):
        out, t, u = protocol_dw(d, rule=rule, record=True)
        ax.plot(t, u, color=col, lw=0.8, label=f"{d} um")
    out, t, u = protocol_dw(200, plateau=PLATEAU, rule=rule, record=True)
    ax.plot(t, u, color="C3", ls="--", lw=0.8, label="200 um + plateau")
    ax.axhline(rule.theta_plus, color="k", ls=":", lw=0.7)
    ax.axhline(rule.theta_minus, color="k", ls="--", lw=0.7)
    ax.set_xlim(10, 160)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("local voltage u (mV above rest)")
    ax.set_title(r"Local voltage, 5 pairings +10 ms at 50 Hz ($\theta_\pm$ dotted/dashed)", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[0, 1]
    ax.plot(dists, dw_d, "-", color="C0", label="50 Hz")
    ax.plot(dists, dw_10, "-", color="C1", label="10 Hz")
    ax.plot(dists, dw_plateau, "--", color="C3", label=f"50 Hz + dendritic plateau ({PLATEAU:g} mV, 30 ms)")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("synapse distance from soma (um)")
    ax.set_ylabel(r"$\Delta w$ (a.u.)")
    ax.set_title("LTP proximal, LTD distal; plateau rescues LTP", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1, 0]
    ax.plot(freqs, dw_f0, "-o", ms=3, label="0 um")
    ax.plot(freqs, dw_f200, "-o", ms=3, color="C3", label="200 um")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xscale("log")
    ax.set_xlabel("pairing frequency (Hz)")
    ax.set_ylabel(r"$\Delta w$ (a.u.)")
    ax.set_title("Frequency dependence (5 pairings, +10 ms)", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1, 1]
    ax.plot(delays, dw_timing * 5, "-", label="isolated pairing (x5)")
    ax.plot(delays, dw_timing50, "-", color="C1", label="5 pairings at 50 Hz")
    ax.axhline(0, color="k", lw=0.6)
    ax.axvline(0, color="k", lw=0.6, ls=":")
    ax.set_xlabel("post - pre delay (ms)")
    ax.set_ylabel(r"$\Delta w$ (a.u.)")
    ax.set_title("Timing at 0 um: causal LTP; both orders potentiate at 50 Hz", fontsize=9)
    ax.legend(fontsize=7)
    fig.suptitle("Synthetic harness values (notes seed002 3.4), not fitted to the paper's data", fontsize=9)
    fig.tight_layout()
    res.savefig(fig, out_dir, "dendritic_location_plasticity.png")
    return res
