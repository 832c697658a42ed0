"""Manifold capacity (MFTMA) against its limits and against simulated separability.

Three checks of the notes (seed001_learning.md 3.4): the point-manifold limit reproduces Gardner's
capacity curve alpha(kappa) (check 2), large-D manifolds obey alpha_M ~ (1 + R_M^-2)/D_M (check 3),
and the load where half of the random dichotomies of small manifolds are linearly separable
(LP feasibility) matches the MFTMA capacity (check 5).
"""
import numpy as np

from ..geometry import gardner_capacity, manifold_analysis, separability_fraction
from ._base import ExperimentResult

NAME = "manifold_capacity"
TITLE = "MFTMA capacity: Gardner limit, large-D theory and simulated separability"
PAPER = "Chung, Lee & Sompolinsky, PRX 8, 031003 (2018); Chung & Abbott, COIN 70, 137 (2021)"


def _manifolds(P, M, N, radius, rng):
    return [c + radius * rng.standard_normal((M, N)) for c in rng.standard_normal((P, N))]


def half_crossing(loads, frac):
    """Load where the separable fraction first drops through 1/2 (linear interpolation)."""
    for i in range(len(loads) - 1):
        if frac[i] >= 0.5 > frac[i + 1]:
            return loads[i] + (loads[i + 1] - loads[i]) * (frac[i] - 0.5) / (frac[i] - frac[i + 1])
    return float("nan")


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    rng = np.random.default_rng(seed)
    n_t = 400 if quick else 1000

    # 1. Point manifolds: Gardner's curve.
    kappas = [0.0, 0.5, 1.0, 2.0] if quick else [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]
    pts = _manifolds(50, 10, 200, 1e-3 / np.sqrt(200), rng)
    caps = [manifold_analysis(pts, kappa=k, n_t=n_t, rng=rng, remove_center_correlation=(k == 0)).capacity_population
            for k in kappas]
    res.check("point limit capacity (kappa = 0)", caps[0], (1.8, 2.05), kind="range",
              source="Gardner alpha(0) = 2; notes 3.4 check 2 band")
    res.check("point limit capacity (kappa = 1)", caps[kappas.index(1.0)], float(gardner_capacity(1.0)), 0.10,
              kind="rel", source="Gardner alpha(1) = 0.520 (closed form)")

    # 2. Large-D self-consistency and capacity against radius.
    radii = [0.5, 1.0, 2.0] if quick else [0.25, 0.5, 1.0, 1.5, 2.0, 3.0]
    largeD = [manifold_analysis(_manifolds(20, 40, 1000, R, rng), n_t=200, rng=rng, remove_center_correlation=False)
              for R in radii]
    r2 = largeD[radii.index(2.0)]
    res.check("alpha_M / ((1 + R^-2) / D_M), spread 2", float(np.mean(r2.capacity / r2.capacity_theory())), 1.0, 0.10,
              kind="rel", source="PRX large-D theory; notes 3.4 check 3")
    res.data["largeD"] = {"spread": radii, "capacity": [r.capacity_population for r in largeD],
                          "radius": [r.radius_mean for r in largeD], "dimension": [r.dimension_mean for r in largeD]}

    # 3. Simulated separability, N = 60, 5-point manifolds.
    N, M, R = 60, 5, 0.5
    loads = np.array([0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4]) if not quick else np.array([0.6, 0.8, 1.0, 1.2, 1.4])
    n_dich = 20 if quick else 60
    frac = np.array([separability_fraction(_manifolds(int(round(a * N)), M, N, R, rng), n_dich, rng=rng)
                     for a in loads])
    cross = half_crossing(loads, frac)
    cap = manifold_analysis(_manifolds(120, M, N, R, rng), n_t=n_t, rng=rng,
                            remove_center_correlation=False).capacity_population
    res.check("separability crossing P/N vs MFTMA capacity", cross, cap, 0.20, kind="rel",
              source="MFTMA capacity of the same manifold ensemble; notes 3.4 check 5")
    res.data.update(kappas=kappas, capacity_points=caps, loads=loads.tolist(), separable=frac.tolist(),
                    crossing=cross, capacity_mftma=cap)

    fig, ax = plt.subplots(1, 3, figsize=(13, 3.8))
    kk = np.linspace(0, 2.2, 100)
    ax[0].plot(kk, gardner_capacity(kk), "k-", label=r"Gardner $\alpha(\kappa)$")
    ax[0].plot(kappas, caps, "o", color="C0", label="MFTMA, point manifolds")
    ax[0].set_xlabel(r"margin $\kappa$")
    ax[0].set_ylabel(r"capacity $\alpha$")
    ax[0].legend(fontsize=8)
    ax[0].set_title("Point-manifold limit")
    rr = np.array([r.radius_mean for r in largeD])
    ax[1].plot(radii, [r.capacity_population for r in largeD], "o-", label=r"MFTMA $\alpha_M$")
    ax[1].plot(radii, [float(np.mean(r.capacity_theory())) for r in largeD], "s--", label=r"$(1+R_M^{-2})/D_M$")
    ax[1].set_xlabel("point spread around center (per coordinate)")
    ax[1].set_ylabel("capacity")
    ax[1].set_yscale("log")
    ax[1].legend(fontsize=8)
    ax[1].set_title(f"N=1000, M=40: R_M = {rr.min():.2f}..{rr.max():.2f}")
    ax[2].plot(loads, frac, "o-", label=f"separable fraction ({n_dich} dichotomies)")
    ax[2].axvline(cap, color="C3", ls="--", label=f"MFTMA capacity {cap:.2f}")
    ax[2].axhline(0.5, color="k", lw=0.5)
    ax[2].set_xlabel("load P/N")
    ax[2].set_ylabel("fraction linearly separable")
    ax[2].legend(fontsize=8)
    ax[2].set_title("N=60, 5-point manifolds")
    fig.tight_layout()
    res.savefig(fig, out_dir, "manifold_capacity.png")
    return res
