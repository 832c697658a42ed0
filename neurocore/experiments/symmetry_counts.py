"""Symmetry-induced critical subspaces of two-layer networks (Simsek et al., ICML 2021).

Exact counts of global-minimum subspaces T(r*, m) = r*! S(m+1, r*+1) and of symmetry-induced
critical subspaces G(r, m) = r! S(m, r), checked against brute-force enumeration; saddles dominate
for mild overparameterisation and minima for h >> r*. On a softplus teacher: every expansion
subspace implements the teacher's function, one added unit connects the permuted minima at zero
loss, and the Fukumizu-Amari line of duplicated critical points turns into saddles outside [0, 1]
(notes seed002_memory_fitting.md section 4, checks G1-G6).
"""
from fractions import Fraction

import numpy as np

from .. import landscape as nl
from ._base import ExperimentResult

NAME = "symmetry_counts"
TITLE = "Symmetry-induced critical subspaces: counts, invariance, connecting path, duplication line"
PAPER = "Simsek, Ged, Jacot, Spadaro, Hongler, Gerstner & Brea, ICML 2021 (arXiv:2105.12221)"


def run(quick=False, seed=0, out_dir="."):
    import itertools

    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    # G1, G2: closed forms against enumeration of all maps
    mismatches = 0
    for r in range(1, 4 if quick else 5):
        for m in range(r, 7 if quick else 8):
            bt = sum(1 for p in itertools.product(range(r + 1), repeat=m) if len(set(p) - {0}) == r)
            bg = sum(1 for p in itertools.product(range(1, r + 1), repeat=m) if len(set(p)) == r)
            mismatches += (bt != nl.count_global_minimum_subspaces(r, m)) + (bg != nl.count_critical_subspaces(r, m))
    res.check("G1/G2: closed forms vs brute-force enumeration (mismatches)", mismatches, 0, 0, "abs",
              "exact enumeration of maps [m] -> {0..r}")
    ratio = nl.saddle_to_minimum_ratio(100, 0)
    res.check("G6: G(99,100)/T(100,100)", float(ratio), 49.5, 0.0, "abs", "exact big-integer ratio (r*-1)/2")
    res.data["T(100,150)"] = str(nl.count_global_minimum_subspaces(100, 150))

    # G3: function invariance in all T(3, 4) = 60 subspaces
    rng = np.random.default_rng(seed + 3)
    X = rng.normal(size=(400, 2))
    W3, A3 = rng.normal(size=(3, 2)), np.array([1.0, -0.8, 1.2])
    Y3 = nl.network_output(X, W3, A3)
    exp = nl.SymmetryExpansion(X, Y3, W3, A3, kind="minimum")
    gap = max(exp.invariance(*exp.point(4, pi, rng)[:2]) for pi in exp.maps(4))
    res.check("G3: max |f - f*| over the 60 subspaces of T(3, 4)", gap, 1e-12, kind="lt",
              source="function invariance of the expansion manifold")

    # G4: connecting path with one extra unit
    W2, A2 = np.array([[1.0, 0.5], [-0.8, 1.2]]), np.array([1.0, -0.7])
    Y2 = nl.network_output(X, W2, A2)
    path = nl.permutation_path(W2, A2, [1, 0], [0.3, -0.4], 50)
    path_loss = np.array([nl.loss_and_gradient(X, Y2, p[:, :2], p[:, 2:], grad=False)[0] for p in path])
    res.check("G4: max loss along the 7-segment path to P12 theta*", path_loss.max(), 1e-25, kind="lt",
              source="notes G4 (prototype 2.7e-32)")

    # G5: Fukumizu-Amari line from the width-1 optimum
    model = nl.TwoLayerNetwork(X, Y2)
    th1 = min((nl.minimize_loss(model, rng.normal(size=3)) for _ in range(4)), key=lambda t: t[1])[0]
    W1, A1 = nl.unpack(th1, 1, 2, 1)
    lams = np.linspace(-1.0, 2.0, 13 if quick else 31)
    lam_min, gmax = [], 0.0
    for lam in lams:
        Wd, Ad = nl.duplicate_unit(W1, A1, 0, lam)
        gmax = max(gmax, float(np.max(np.abs(nl.loss_and_gradient(X, Y2, Wd, Ad)[1]))))
        lam_min.append(np.linalg.eigvalsh(nl.hessian(X, Y2, Wd, Ad))[0])
    lam_min = np.array(lam_min)
    Wd, Ad = nl.duplicate_unit(W1, A1, 0, 1.7)
    res.check("G5: max |grad| along the duplication line", gmax, 1e-8, kind="lt", source="notes G5 (prototype 7e-12)")
    res.check("G5: smallest Hessian eigenvalue at lambda = 1.7", np.linalg.eigvalsh(nl.hessian(X, Y2, Wd, Ad))[0],
              -1e-5, kind="lt", source="notes G5: saddle outside [0, 1] (prototype -4.0e-4)")
    inside = lam_min[(lams >= 0) & (lams <= 1)]
    res.check("G5: smallest eigenvalue on lambda in [0, 1]", inside.min(), -1e-9, kind="gt",
              source="Fukumizu-Amari: the segment [0, 1] of the line is not a saddle here")

    fig, ax = plt.subplots(1, 4, figsize=(17, 3.8))
    hs = np.arange(0, 41)
    for r in (4, 10, 100):
        ax[0].semilogy(hs, [float(nl.saddle_to_minimum_ratio(r, int(h))) for h in hs], label=f"r* = {r}")
    ax[0].axhline(1, color="k", lw=0.6)
    ax[0].set(xlabel="overparameterisation h = m - r*", ylabel="G(r*-1, m) / T(r*, m)",
              title="(a) saddle vs minimum subspaces")
    ax[0].legend(fontsize=7)
    r = 10
    ax[1].semilogy(hs, [nl.count_global_minimum_subspaces(r, r + int(h)) for h in hs], label="T(10, m)")
    ax[1].semilogy(hs, [nl.count_critical_subspaces(r - 1, r + int(h)) for h in hs], label="G(9, m)")
    ax[1].set(xlabel="h", ylabel="number of affine subspaces (exact ints)", title="(b) exact counts, r* = 10")
    ax[1].legend(fontsize=7)
    ax[2].semilogy(np.arange(len(path_loss)), np.maximum(path_loss, 1e-40))
    for k in range(1, 7):
        ax[2].axvline(50 * k, color="0.8", lw=0.6)
    ax[2].set(xlabel="path point", ylabel="loss", title="(c) zero-loss path theta* -> P12 theta* (m = 3)")
    ax[3].plot(lams, lam_min, "o-", ms=3)
    ax[3].axvspan(0, 1, color="C2", alpha=0.15)
    ax[3].axhline(0, color="k", lw=0.6)
    ax[3].set(xlabel="split lambda", ylabel="smallest Hessian eigenvalue", title="(d) Fukumizu-Amari line")
    fig.tight_layout()
    res.savefig(fig, out_dir, "symmetry_counts.png")
    res.data.update(ratio_r100_h0=str(Fraction(ratio)), fa_lambdas=lams.tolist(), fa_min_eig=lam_min.tolist())
    return res
