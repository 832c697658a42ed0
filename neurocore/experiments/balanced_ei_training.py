"""Training a dynamically balanced E/I rate network under Dale's law (Ingrosso & Abbott 2019).

A balanced generator network (K = 100 inputs per unit, 1/sqrt(K) weights, sqrt(K) drive) driven by the
target supplies target currents; the trained network learns them online from its own rates with every
weight's sign fixed by its presynaptic type. Reported: Dale's law (exact), the balance index of the E and
I currents, the sparsity signature of the constrained solution, and the output error.
"""
import numpy as np

from ..learning.recurrent.balanced import BalancedEINetwork
from ._base import ExperimentResult

NAME = "balanced_ei_training"
TITLE = "Dale's-law target-based training of a balanced E/I rate network"
PAPER = "Ingrosso & Abbott, PLoS ONE 14:e0220547 (2019)"


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt
    res = ExperimentResult(NAME, TITLE, PAPER)
    dt = 1e-3
    t = np.arange(2000) * dt
    f = (0.25 * (np.sin(2 * np.pi * t / 2) + np.sin(2 * np.pi * t) + np.sin(2 * np.pi * t / 0.5)
                 + np.sin(2 * np.pi * t / (2 / 3))))[:, None]
    n, K = (200, 50) if quick else (400, 100)
    net = BalancedEINetwork(n=n, K=K, gain_out=3.0, rng=seed)
    # Exact per-row sign-constrained solves (active-set NNLS) at every Delta t_L = 1 s re-solve: the
    # warm-started coordinate descent is far from converged at this budget (strongly correlated rates).
    net.train(f, 4 if quick else 15, block=1.0, solver="active_set")
    te = net.test(f, 2)
    bal_trained = net.balance(te.r)
    dale = bool(np.all(net.J[:, net.sign > 0] >= 0) and np.all(net.J[:, net.sign < 0] <= 0))
    res.check("Dale violations (count)", float(np.sum(net.J[:, net.sign > 0] < 0) + np.sum(net.J[:, net.sign < 0] > 0)),
              0.0, 0.0, "abs", "Dale's law enforced by the constrained solver (exact)")
    res.check("balance index of trained network", bal_trained.index, 0.3, kind="lt",
              source="notes 4.4.5 [est]: mean |h_E + h_I| / h_E < 0.3 (quick: measured 0.33-0.43 over seeds 0-3)")
    res.check("fraction of constrained weights exactly 0", float(np.mean(net.J[net.mask] == 0)), 0.1, kind="gt",
              source="notes 4.4.3 [est]: NNLS sparsity signature > 10 %")
    res.check("test normalised output error", te.error, 0.1, kind="lt", source="notes 4.4.4 [est]: < 0.1 (quick: measured 1.0-1.3 over seeds 0-3; the trained "
                     "network does not yet perform the task)")
    res.data["dale_exact"] = dale
    fig, ax = plt.subplots(1, 2, figsize=(12, 3.6))
    tt = np.arange(len(te.z)) * dt
    ax[0].plot(tt, te.target[:, 0], "k", lw=2, label="target")
    ax[0].plot(tt, te.z[:, 0], "C0", label=f"trained E/I network (error {te.error:.2f})")
    ax[0].set(xlabel="time (s)", ylabel="output")
    ax[0].legend(fontsize=8)
    ax[1].scatter(bal_trained.exc, -bal_trained.inh, s=5, c=np.where(net.sign > 0, "C3", "C0"))
    lim = [0, max(bal_trained.exc.max(), -bal_trained.inh.min())]
    ax[1].plot(lim, lim, "k:")
    ax[1].set(xlabel="E current (recurrent E + drive)", ylabel="-I current",
              title=f"balance index {bal_trained.index:.2f}")
    fig.tight_layout()
    res.savefig(fig, out_dir, "balanced_ei_training.png")
    plt.close(fig)
    return res
