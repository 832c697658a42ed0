"""full-FORCE against FORCE on the oscillation task: test error against N and against noise.

DePasquale et al. (2018): full-FORCE (RLS on the whole recurrent matrix towards a target-generating
network's inputs) performs the task with fewer units and more robustly to noise than FORCE (RLS on the
readout of the same random network with output feedback). Both networks share J_D, the input weights
and u_out (FORCE's feedback weights), N, dt, tau, alpha and the training budget.
"""
import numpy as np

from ..learning.recurrent import FullForceNetwork, oscillation_task
from ._base import ExperimentResult

NAME = "force_vs_fullforce"
TITLE = "full-FORCE vs FORCE: test error against network size and noise (oscillation task)"
PAPER = "DePasquale, Cueva, Rajan, Escola & Abbott, PLoS ONE 13:e0191527 (2018); Sussillo & Abbott, Neuron 2009"

THRESHOLD = 0.1   # normalised test error counted as "task performed"


def _pair(n, seed, trials, noise, inp, tg, test_trials=2):
    ff = FullForceNetwork(n=n, rng=seed)
    fo = ff.force_twin(rng=seed + 1000)
    ff.train(inp, tg, trials, noise=noise)
    fo.train(tg, trials * len(tg) * ff.dt, inputs=inp, noise=noise)
    e_ff = ff.test(inp, tg, test_trials, noise=noise)
    e_fo = fo.test(tg, test_trials * len(tg) * ff.dt, inputs=inp, noise=noise)
    return e_ff, e_fo


def _crossing(ns, med, thr):
    """Smallest N whose median error is below thr (NaN if none)."""
    for n, m in zip(ns, med):
        if m < thr:
            return float(n)
    return float("nan")


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt
    res = ExperimentResult(NAME, TITLE, PAPER)
    inp, tg = oscillation_task()
    seeds = [seed + k for k in range(5)]
    ns = [50, 100] if quick else [50, 100, 200, 300]
    trials = 60 if quick else 100
    noises = [0.0, 0.05] if quick else [0.0, 0.05, 0.1, 0.2]
    n_noise = 100
    err = {"ff": np.zeros((len(ns), len(seeds))), "f": np.zeros((len(ns), len(seeds)))}
    example = None
    for a, n in enumerate(ns):
        for b, s in enumerate(seeds):
            eff, efo = _pair(n, s, trials, 0.0, inp, tg)
            err["ff"][a, b], err["f"][a, b] = eff.error, efo.error
            if n == n_noise and b == 0:
                example = (eff, efo)
    nerr = {"ff": np.zeros((len(noises), len(seeds))), "f": np.zeros((len(noises), len(seeds)))}
    for a, eta in enumerate(noises):
        for b, s in enumerate(seeds):
            if eta == 0.0 and n_noise in ns:
                i = ns.index(n_noise)
                nerr["ff"][a, b], nerr["f"][a, b] = err["ff"][i, b], err["f"][i, b]
                continue
            eff, efo = _pair(n_noise, s, trials, eta, inp, tg)
            nerr["ff"][a, b], nerr["f"][a, b] = eff.error, efo.error
    med = {k: np.median(v, axis=1) for k, v in err.items()}
    nmed = {k: np.median(v, axis=1) for k, v in nerr.items()}
    for a, n in enumerate(ns):
        res.data[f"median_error_N{n}"] = {"full-FORCE": float(med["ff"][a]), "FORCE": float(med["f"][a])}
    for a, eta in enumerate(noises):
        res.data[f"median_error_noise{eta}"] = {"full-FORCE": float(nmed["ff"][a]), "FORCE": float(nmed["f"][a])}
    res.data["N_crossing_threshold"] = {"threshold": THRESHOLD, "full-FORCE": _crossing(ns, med["ff"], THRESHOLD),
                                        "FORCE": _crossing(ns, med["f"], THRESHOLD)}
    i = ns.index(n_noise)
    res.check(f"median test error ratio fF/F at N={n_noise}", med["ff"][i] / med["f"][i], 1.0, kind="lt",
              source="DePasquale et al.: full-FORCE needs fewer units than FORCE (5 seeds)")
    res.check(f"median test error ratio fF/F at N={ns[0]}", med["ff"][0] / med["f"][0], 1.0, kind="lt",
              source="DePasquale et al.: fewer units (5 seeds)")
    res.check(f"median fF error at noise {noises[-1]}, N={n_noise}", nmed["ff"][-1], nmed["f"][-1], kind="lt",
              source="DePasquale et al.: full-FORCE is more robust to noise than FORCE (median, 5 seeds)")
    res.check(f"fF median error N={ns[-1]}", med["ff"][-1], THRESHOLD, kind="lt",
              source="notes 6.4.4 [est]: median normalised error < 10 %")

    fig, ax = plt.subplots(1, 3, figsize=(14, 3.8))
    t = np.arange(len(example[0].z)) * 1e-3
    ax[0].plot(t, example[0].target[:, 0], "k", lw=2, label="target")
    ax[0].plot(t, example[0].z[:, 0], "C0", label="full-FORCE")
    ax[0].plot(t, example[1].z[:, 0], "C3", alpha=0.7, label="FORCE")
    ax[0].set(xlabel="time (s)", ylabel="output", title=f"N = {n_noise}, test trials")
    ax[0].legend(fontsize=8)
    for k, c, lab in (("ff", "C0", "full-FORCE"), ("f", "C3", "FORCE")):
        ax[1].semilogy(ns, err[k], "o", color=c, alpha=0.3)
        ax[1].semilogy(ns, med[k], "-", color=c, lw=2, label=lab + " (median)")
        ax[2].semilogy(noises, nerr[k], "o", color=c, alpha=0.3)
        ax[2].semilogy(noises, nmed[k], "-", color=c, lw=2, label=lab)
    for a_ in ax[1:]:
        a_.axhline(THRESHOLD, color="gray", ls=":")
        a_.set_ylabel("normalised test error")
        a_.legend(fontsize=8)
    ax[1].set(xlabel="N", title="error vs N (5 seeds)")
    ax[2].set(xlabel="noise (stationary sd)", title=f"error vs noise, N = {n_noise}")
    fig.tight_layout()
    res.savefig(fig, out_dir, "force_vs_fullforce.png")
    plt.close(fig)
    return res
