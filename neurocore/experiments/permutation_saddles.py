"""Permutation points and first-order saddles (Brea, Simsek, Illing & Gerstner 2019).

A critical point of a network with one unit fewer, whose unit is split evenly in two, is a critical
point of the full network (a permutation point) with a flat valley of outgoing-weight exchanges;
many are first-order saddles that connect a minimum to its permuted copy. Toy: 2-D inputs, a
teacher of 3 softplus units, a 3-unit student (notes seed002_memory_fitting.md 5.3-5.4, P1-P4).
The paper's MNIST (multilayer) experiment is not reproduced: on the 8x8 digits stand-in the reduced
networks could not be polished to precise critical points in the time available.
"""
import numpy as np

from .. import landscape as nl
from ._base import ExperimentResult

NAME = "permutation_saddles"
TITLE = "Permutation points are critical, carry a flat valley, and are often first-order saddles"
PAPER = "Brea, Simsek, Illing & Gerstner, arXiv:1907.02911 (2019)"


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 2))
    ang = np.deg2rad([0, 120, 240])
    Y = nl.network_output(X, 3 * np.c_[np.cos(ang), np.sin(ang)], np.ones(3))
    model = nl.TwoLayerNetwork(X, Y)
    fits = sorted((nl.minimize_loss(model, np.concatenate([2 * rng.normal(size=4), rng.normal(size=2)]))
                   for _ in range(8)), key=lambda t: t[1])
    W, A = nl.unpack(fits[0][0], 2, 2, 1)
    res.data["reduced_losses"] = [f[1] for f in fits]
    spectra, gmax, n_neg, flat = [], 0.0, [], 0.0
    for unit in range(2):
        W3, A3 = nl.duplicate_unit(W, A, unit, 0.5)
        th = nl.pack(W3, A3)
        gmax = max(gmax, float(np.max(np.abs(model.gradient(th)))))
        V = nl.two_layer_valley_directions(3, 2, 1, unit, 2)[0]
        flat = max(flat, max(abs(model.loss_value(th + dl * V) - model.loss_value(th)) for dl in np.linspace(-1, 1, 9)))
        c = nl.classify_critical_point(model.hessian(th))
        spectra.append(c["eigenvalues"])
        n_neg.append(int(np.sum(c["eigenvalues"] < -1e-3)))
    res.check("P1: max |grad| at the toy permutation points", gmax, 1e-8, kind="lt", source="notes P1")
    res.check("P2: max loss change along the valley, delta in [-1, 1]", flat, 1e-14, kind="lt", source="notes P2")
    res.check("P3: negative eigenvalues (< -1e-3), worst of the two points", max(n_neg), 1, 0, "abs",
              "notes P3: first-order saddles (prototype: exactly one)")
    W3, A3 = nl.duplicate_unit(W, A, 0, 0.5)
    th_pp = nl.pack(W3, A3)
    lam, vec = np.linalg.eigh(model.hessian(th_pp))
    path, losses, _ = nl.saddle_swap_path(model, th_pp, vec[:, 0], nl.two_layer_swap(3, 2, 1, 0, 2),
                                          n_steps=1500, lr=0.2)
    res.check("P4: max loss along minimum -> saddle -> permuted minimum, minus L(saddle)",
              losses.max() - model.loss_value(th_pp), 1e-10, kind="lt", source="notes P4")

    # Counting (notes 5.2): K-th order permutation points per minimum, C(n - K, K) / 2^K per layer.
    factors = {n: [float(nl.permutation_point_factor([n], K)) for K in range(1, n // 2 + 1)] for n in (6, 10, 20)}
    res.data["kth_order_factors"] = factors
    res.check("counting: factor for n = 10, K = 2", factors[10][1], 7.0, 0.0, "abs",
              "C(8, 2)/4 = 7 (notes Table D)")
    fig, ax = plt.subplots(1, 3, figsize=(14, 3.8))
    for u, sp in enumerate(spectra):
        ax[0].plot(np.arange(len(sp)), sp, "o", label=f"split unit {u}")
    ax[0].axhline(0, color="k", lw=0.6)
    ax[0].set_yscale("symlog", linthresh=1e-3)
    ax[0].set(xlabel="eigenvalue index", ylabel="Hessian eigenvalue", title="(a) toy permutation points")
    ax[0].legend(fontsize=7)
    ax[1].plot(losses)
    ax[1].axhline(model.loss_value(th_pp), color="C3", ls="--", label="L(permutation point)")
    ax[1].set(xlabel="path point", ylabel="loss", title="(b) minimum -> saddle -> permuted minimum")
    ax[1].legend(fontsize=7)
    for n, f in factors.items():
        ax[2].semilogy(np.arange(1, len(f) + 1), f, "o-", label=f"n = {n}")
    ax[2].axhline(1, color="k", lw=0.6)
    ax[2].set(xlabel="order K (merged pairs)", ylabel="K-th order points / n! minima",
              title="(c) C(n-K, K) / 2^K")
    ax[2].legend(fontsize=7)
    fig.tight_layout()
    res.savefig(fig, out_dir, "permutation_saddles.png")
    return res
