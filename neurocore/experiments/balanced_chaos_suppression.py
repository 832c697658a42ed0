"""Suppression of chaos in balanced rate networks: independent versus common sinusoidal input.

Engelken, Ingrosso, Khajeh, Goedeke & Abbott (PLoS CB 2022): in a balanced ReLU network
(J_ij = -sqrt(N) J0 / N + g z_ij / sqrt(N), input sqrt(N) I0 + I1 sin(2 pi f t + theta_i)) common input
(theta_i = 0) is cancelled by the recurrent feedback, so suppressing chaos needs a far larger
amplitude than independent input (random theta_i). The largest Lyapunov exponent is measured on
finite networks (rate kernels, Euler dt = 0.1, QR every tau) and computed with the two-time DMFT of
the same Euler map (neurocore.dmft.balanced_dmft_lyapunov; independent input averaged over a phase
grid). g = 2, f = 0.2, I0 = J0 = 1 as in the paper's Fig 2 (notes seed001_dmft.md 3.5).
"""
import numpy as np

from ..dmft import balanced_dmft_lyapunov, balanced_lyapunov, zero_crossing
from ._base import ExperimentResult

NAME = "balanced_chaos_suppression"
TITLE = "Balanced networks: chaos suppression by independent vs common input"
PAPER = "Engelken, Ingrosso, Khajeh, Goedeke & Abbott, PLoS Comput Biol 18, e1010590 (2022)"


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    g, f, dt = 2.0, 0.2, 0.1
    n = 500 if quick else 1000
    seeds = [seed, seed + 1] if quick else [seed, seed + 1, seed + 2]
    s = np.sqrt(n / 500.0)   # common-input amplitudes scale with sqrt(N) (notes 3.4)
    amps = {"independent": [0.0, 1.0, 2.0, 4.0, 8.0], "common": [0.0, 10 * s, 20 * s, 30 * s]}
    dmft_amps = {"independent": [0.0, 2.0, 4.0, 8.0] if quick else amps["independent"], "common": amps["common"]}
    T, T_dmft, band, n_theta = (200.0, 100.0, 20.0, 4) if quick else (300.0, 200.0, 30.0, 8)
    sim, dmft = {}, {}
    for mode in ("independent", "common"):
        sim[mode] = np.array([[balanced_lyapunov(n, g, I1, f, mode=mode, dt=dt, duration=T, transient=50.0,
                                                 rng=1000 * sd + i) for sd in seeds]
                              for i, I1 in enumerate(amps[mode])])
        dmft[mode] = np.array([balanced_dmft_lyapunov(g, I1, f, mode=mode, N=n, dt=dt, duration=T_dmft, band=band,
                                                      n_theta=n_theta)[0] for I1 in dmft_amps[mode]])
    crit_sim = {m: zero_crossing(amps[m], sim[m].mean(axis=1)) for m in sim}
    crit_dmft = {m: zero_crossing(dmft_amps[m], dmft[m]) for m in dmft}
    res.check("simulation: common / independent suppression amplitude", crit_sim["common"] / crit_sim["independent"],
              4.0, kind="gt", source="Engelken et al. Fig 2/3: common input needs a far larger I1 (notes 3.6 #4)")
    res.check("DMFT: common / independent suppression amplitude", crit_dmft["common"] / crit_dmft["independent"],
              4.0, kind="gt", source="Engelken et al. Fig 2/3")
    # Known gap, NOT a loosened tolerance: at N <= 1000 the DMFT lambda_1 lies about 0.04/tau above the
    # simulated one at every amplitude, already at I1 = 0. Measured at I1 = 0 (Euler dt = 0.1): DMFT 0.095
    # (band 20-40 tau, as used here; a 10 tau band gives 0.088; same value at N = 500, 1000, 2000);
    # simulation seed means 0.056 (N = 500, 3 seeds), 0.053 (N = 1000, 3 seeds), 0.079 (N = 2000, 2 seeds:
    # 0.083, 0.075). So the finite network approaches the DMFT only above N ~ 1000 (the paper compares
    # at N = 5000), and the DMFT zero crossings sit at larger I1 than those of N = 500-1000 networks
    # (quick run: 3.7 vs 2.6 independent, 20 vs 11 common). Checked: the DMFT's stationary statistics at
    # I1 = 0, N = 1000 equal the independent three-equation solution of notes 3.2 (m = -1.7876,
    # Delta0 = 20.624, nu = 1.05653; plateau c(20-30 tau) = 13.9-13.7 vs Delta_inf = 13.88).
    tol = 0.2
    for m in ("independent", "common"):
        res.check(f"DMFT suppression amplitude vs simulation ({m}, N={n})", crit_dmft[m], crit_sim[m], tol, "rel",
                  "issue 4: within 20%. Zero crossing of the seed-mean lambda_1(I1), linear interpolation. "
                  "Expected to miss at N <= 1000 (finite size): at I1 = 0 the DMFT lambda_1 is 0.095, simulations "
                  "give 0.056 / 0.053 / 0.079 at N = 500 / 1000 / 2000 (see the code comment)")
    res.check("lambda_1 at I1 = 0 (simulation) > 0", sim["common"][0].mean(), 0.0, kind="gt",
              source="balanced ReLU network at g = 2 > sqrt(2) is chaotic (notes 3.2)")
    res.data.update(N=n, amps=amps, dmft_amps=dmft_amps, sim=sim, dmft=dmft, crit_sim=crit_sim, crit_dmft=crit_dmft)

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, m in zip(axes, ("independent", "common")):
        a = np.array(amps[m])
        for j in range(len(seeds)):
            ax.plot(a, sim[m][:, j], "o", color="0.6", ms=3)
        ax.plot(a, sim[m].mean(axis=1), "o-", color="C0", label=f"simulation N = {n}")
        ax.plot(dmft_amps[m], dmft[m], "s--", color="C3", label="two-time DMFT")
        ax.axhline(0, color="k", lw=0.6)
        ax.set_xlabel(r"input amplitude $I_1$")
        ax.set_title(f"{m} input, f = {f}")
        ax.legend(fontsize=8)
    axes[0].set_ylabel(r"$\lambda_1$ (1/$\tau$)")
    res.savefig(fig, out_dir, "balanced_chaos_suppression.png")
    return res
