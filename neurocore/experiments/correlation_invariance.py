"""Correlation-invariant plasticity: metaplastic Hebbian LTD finds a hidden non-Gaussian feature
whatever the second-order input correlations, without whitening; heterosynaptic depression and
Oja's rule do not (Brito & Gerstner).

Protocol (notes seed002 1.4): d = 8 latent sources (s_1 Laplace, s_2..s_8 Gaussian, unit variance),
inputs x = A s with A = U diag(geomspace(kappa, 1, 8)) V^T, so kappa is the mixing's condition
number. Each rule trains one rate neuron y = w.x on mini-batches (rate eta / lambda_max(C)); the
score is the alignment |cos(A^T w, e_1)| of the receptive field with the hidden feature. The step
budget grows with kappa^2 because only the fixed points, not the learning speed, are invariant.
The rule is the notes' reconstruction ([inf]), the metaplastic variable their calibrated one.
"""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..plasticity import HebbianLearner, alignment, latent_mixture
from ._base import ExperimentResult

NAME = "correlation_invariance"
TITLE = "Receptive-field alignment with a hidden source against input correlation strength"
PAPER = ("Brito & Gerstner, Learning what matters: synaptic plasticity with invariance to second-order "
         "input correlations, PLOS Comput Biol 20(2): e1011844 (2024); arXiv 2105.10109")

ETA, BATCH = 0.02, 200
RULES = {
    "correlation-invariant (metaplastic Hebbian LTD)": dict(rule="correlation_invariant", tau_meta=1.0),
    "heterosynaptic (x y^3 - y^4 w)": dict(rule="oja", power=3.0, normalize=True),
    "Oja (x y - y^2 w)": dict(rule="oja", power=1.0, normalize=True),
}


def n_steps_for(kappa):
    """Updates for mixing condition number kappa: the slowest direction learns at eta / kappa^2 (the
    worst of our seeds, whose feature lies mostly in slow directions, needed ~45 kappa^2 updates)."""
    return int(20000 + 60 * kappa ** 2)


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    kappas = [1.0, 10.0, 100.0] if quick else [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
    seeds = [seed + k for k in range(3 if quick else 5)]
    names = list(RULES)
    align = np.zeros((len(names), len(kappas), len(seeds)))
    scale = np.zeros((len(kappas), len(seeds)))
    curves = {}

    def job(b, c):
        kappa, s = kappas[b], seeds[c]
        n_steps = n_steps_for(kappa)
        X, A, _ = latent_mixture(50000, kappa, rng=s)
        for a, name in enumerate(names):
            L = HebbianLearner(8, eta=ETA, batch=BATCH, rng=1000 + s, **RULES[name])
            if b == len(kappas) - 1 and c == 0:
                trace = []
                for _ in range(40):
                    L.fit(X, n_steps // 40)
                    trace.append(alignment(L.W, A))
                curves[name] = np.array(trace)
            else:
                L.fit(X, n_steps)
            align[a, b, c] = alignment(L.W, A)
            if a == 0:
                scale[b, c] = float(np.mean((X @ L.W.ravel()) ** 2))

    # The C learning loop releases the GIL, so independent runs share the cores through threads.
    jobs = sorted(((b, c) for b in range(len(kappas)) for c in range(len(seeds))), key=lambda bc: -kappas[bc[0]])
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for f in [pool.submit(job, b, c) for b, c in jobs]:
            f.result()
    ci, het, oja = align
    src = "notes seed002 1.4 protocol, 5 seeds"
    res.check("CI rule: min alignment over kappa in [1, 100] and seeds", ci.min(), 0.95, kind="gt",
              source="issue 8 must-show (>= 0.95); notes T1.1")
    # For kappa >> 1 both alternatives learn (nearly) the principal direction v_1 of A, so their alignment
    # is |V_11|, the chance overlap of the feature with v_1: mean ~0.28 for d = 8, P(|V_11| > 0.5) = 0.17
    # per random mixing. The max over seeds is therefore seed-dependent; the mean is the robust number.
    res.check("heterosynaptic: mean alignment at kappa = 100", het[-1].mean(), 0.5, kind="lt",
              source="issue 8 must-show (< 0.5); notes T1.2 (kappa = 3: <= 0.5)")
    res.check("heterosynaptic: max alignment at kappa = 100", het[-1].max(), 0.5, kind="lt",
              source="issue 8 must-show (< 0.5 in every run; chance 0.17 per run to exceed)")
    res.check("Oja: mean alignment at kappa = 100", oja[-1].mean(), 0.5, kind="lt",
              source="issue 8 must-show (< 0.5): Oja finds the principal component")
    res.check("Oja: max alignment at kappa = 100", oja[-1].max(), 0.5, kind="lt",
              source="issue 8 must-show (< 0.5 in every run; chance 0.17 per run to exceed)")
    res.check("heterosynaptic control: mean alignment at kappa = 1 (white inputs)", het[0].mean(), 0.85, kind="gt",
              source="notes T1.3: it fails because of correlations, not because of the rule")
    res.check("CI rule: output variance E[y^2] (all runs, mean)", scale.mean(), (1.3, 2.5), kind="range",
              source="theory K/c = 6/3 = 2 (notes T1.5)")
    res.data.update(kappa=kappas, seeds=seeds, rules=names, alignment=align, output_variance=scale,
                    n_steps=[n_steps_for(k) for k in kappas], eta=ETA, batch=BATCH, protocol=src)

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    ax = axes[0]
    for a, name in enumerate(names):
        col = f"C{a}"
        for c in range(len(seeds)):
            ax.plot(kappas, align[a, :, c], "o", color=col, ms=3, alpha=0.4)
        ax.plot(kappas, align[a].mean(axis=1), "-o", color=col, label=name)
    ax.axhline(0.95, color="k", ls=":", lw=0.8)
    ax.axhline(0.5, color="k", ls="--", lw=0.6)
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel(r"condition number $\kappa$ of the input mixing A")
    ax.set_ylabel(r"alignment $|\cos(A^T w, e_1)|$")
    ax.set_title(f"Alignment with the hidden Laplace source ({len(seeds)} seeds)")
    ax = axes[1]
    nk = n_steps_for(kappas[-1])
    for a, name in enumerate(names):
        tr = curves[name]
        ax.plot((np.arange(len(tr)) + 1) * (nk // 40), tr, color=f"C{a}", label=name)
    ax.set_xlabel("updates")
    ax.set_ylabel("alignment")
    ax.set_ylim(-0.02, 1.05)
    ax.set_title(rf"Learning at $\kappa$ = {kappas[-1]:g} (seed {seeds[0]})")
    ax.legend(fontsize=7, loc="center right")
    fig.tight_layout()
    res.savefig(fig, out_dir, "correlation_invariance.png")
    return res
