"""Implicit bias of gradient descent on gated linear networks (Lippl, Abbott & Chung 2022).

Trained on the logistic loss of separable data, a GLN's weight direction converges to the solution
of a convex program: a hard-margin SVM per context (shallow GLN) or the group-norm max-margin
program (two-layer GLN). Checked here on synthetic teacher data (long training against the
program), with the gradient-flow conservation law, and on the 8x8 digits (0-4 vs 5-9): the
shallow-GLN limit across shatter dimensions, and a trained ReLU network against the GLN program
with the ReLU's own gates frozen (notes seed001_learning.md section 1.5).
"""
import numpy as np

from .. import landscape as nl
from ..errors import ConvergenceError
from ._base import ExperimentResult

NAME = "gln_implicit_bias"
TITLE = "Gated linear networks converge to their convex max-margin programs"
PAPER = "Lippl, Abbott & Chung, arXiv:2202.02649 (2022)"


def _synthetic(seed, P, d, H, s, n_test=0):
    rng = np.random.default_rng(seed)
    X = nl.append_bias(rng.normal(size=(P + n_test, d - 1)))
    gates = nl.hyperplane_gates(X[:P], H, s, rng=rng)
    teacher = nl.GatedLinearNetwork(gates, readout=H > 1, init_scale=1.0, rng=rng)
    y = np.sign(teacher.output(X))
    return X[:P], y[:P], X[P:], gates


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt
    from scipy.optimize import minimize

    res = ExperimentResult(NAME, TITLE, PAPER)
    fig, axes = plt.subplots(1, 4, figsize=(17, 3.8))

    # (a) shallow GLN against the per-context SVM
    X, y, _, gates = _synthetic(seed + 1, 60, 10, 1, 2)
    W_svm, _ = nl.context_max_margin(X, y, gates.contexts(X), 4)
    net = nl.GatedLinearNetwork(gates, readout=False, init_scale=0.01, rng=seed + 2)
    steps, cos_sh = [], []
    for k in range(4 if quick else 5):
        net.train(X, y, 10 ** k * 9 if k else 10, lr=1.0, normalized=True)
        steps.append(10 ** (k + 1))
        cos_sh.append(nl.cosine(net.W, W_svm))
    res.check("shallow GLN: cos(trained W, per-context SVM)", cos_sh[-1], 0.99, kind="gt",
              source="issue 10 must-show (> 0.99); theory: Soudry et al. limit = per-context SVM")
    axes[0].semilogx(steps, 1 - np.array(cos_sh), "o-")
    axes[0].set_yscale("log")
    axes[0].set(xlabel="normalised GD steps", ylabel="1 - cosine to SVM", title="(a) shallow GLN, s = 2")

    # (b) two-layer GLN against the group-norm program, and the conservation law
    X, y, Xt, gates = _synthetic(seed, 40, 8, 6, 1, n_test=400)
    sol = nl.group_norm_max_margin(X, y, gates.contexts(X), 2, tol=1e-7)
    net = nl.GatedLinearNetwork(gates, readout=True, init_scale=0.01, rng=seed + 100)
    q0 = net.conserved_quantities()
    chunk = 5000 if quick else 20000
    ratios, coss, ts = [], [], []
    for k in range(4 if quick else 10):
        net.train(X, y, chunk, lr=0.05, method="midpoint" if k == 0 else "gd", normalized="log")
        if k == 0:
            res.check("two-layer GLN: max |change of a_h^2 - ||W_h||^2| (midpoint, 1st chunk)",
                      float(np.max(np.abs(net.conserved_quantities() - q0))), 1e-6, kind="lt",
                      source="gradient-flow conservation law; the midpoint rule conserves quadratic invariants")
        ts.append((k + 1) * chunk)
        ratios.append(net.normalized_margin(X, y) * 2 * sol.value)
        coss.append(nl.cosine(net.effective_weights, sol.beta))
    agree = float(np.mean(np.sign(net.output(Xt)) == np.sign(sol.output(Xt, gates.contexts(Xt)))))
    res.check("two-layer GLN: normalised margin x 2 OPT", ratios[-1], 1.0, 0.05, "abs",
              "notes 1.5 (4): within 5% of 1/(2 OPT)")
    res.check("two-layer GLN: held-out agreement with group-norm program", agree, 0.95, kind="gt",
              source="notes 1.5 (4) [est]")
    res.data.update(two_layer_cosine=coss, two_layer_margin_ratio=ratios, two_layer_steps=ts)
    axes[1].plot(ts, ratios, "o-", label="margin x 2 OPT")
    axes[1].plot(ts, coss, "s-", label="cos(a W, beta*)")
    axes[1].axhline(1, color="k", lw=0.6)
    axes[1].set(xlabel="steps (grad log L / |log L|)", title="(b) two-layer GLN, H = 6, s = 1", ylim=(0.8, 1.01))
    axes[1].legend(fontsize=7)

    # (c) digits: the shallow-GLN limit (per-context SVM) against the shatter dimension
    Xtr, ytr, Xte, yte = nl.load_digits_binary(500, rng=seed)
    # s = 0 (one linear classifier) is not separable on 500 digits: no max-margin limit exists.
    s_values = [1, 2, 3, 4, 6, 8] if quick else [1, 2, 3, 4, 5, 6, 8, 10]
    accs = []
    for s in s_values:
        a = []
        for rep in range(2 if quick else 4):
            g = nl.hyperplane_gates(Xtr, 1, s, rng=seed + 10 * rep + s)
            try:  # KKT violation 1e-4 of the unit margin: plenty for test accuracy, and fast
                W, _ = nl.context_max_margin(Xtr, ytr, g.contexts(Xtr), g.n_contexts, tol=1e-4, max_sweeps=20000)
            except (nl.NotSeparableError, ConvergenceError):
                continue
            c = g.contexts(Xte)[:, 0]
            a.append(np.mean(np.sign(np.einsum("pd,pd->p", W[c], Xte)) == yte))
        accs.append(float(np.mean(a)) if a else float("nan"))
    res.data.update(shatter_dims=s_values, shallow_test_accuracy=accs)
    res.check("digits: best shallow-GLN limit test accuracy (s = 1..)", float(np.nanmax(accs)), (0.80, 0.97),
              kind="range", source="notes 1.5 (5) [est] linear 0.85-0.92, contexts add >= 2 points")
    res.check("digits: accuracy drop from best s to s = 8", float(np.nanmax(accs) - accs[s_values.index(8)]), 0.0,
              kind="gt", source="notes 1.5 (5) [est]: too many contexts (few points each) generalise worse")
    axes[2].plot(s_values, accs, "o-")
    axes[2].set(xlabel="shatter dimension s (2^s contexts)", ylabel="test accuracy",
                title="(c) digits 0-4 vs 5-9: shallow-GLN limit")

    # (d) ReLU network against the GLN program with its gates frozen
    H = 20 if quick else 50
    n_tr = 300 if quick else 500
    Xtr, ytr, Xte, yte = nl.load_digits_binary(n_tr, rng=seed)
    rng = np.random.default_rng(seed + 7)
    d = Xtr.shape[1]
    model = nl.TwoLayerNetwork(Xtr, ytr, act="relu", loss="logistic")
    th0 = nl.pack(rng.normal(size=(H, d)) / np.sqrt(d), rng.normal(size=(H, 1)) / np.sqrt(H))
    r = minimize(model.loss_and_gradient, th0, jac=True, method="L-BFGS-B",
                 options={"maxiter": 3000, "gtol": 1e-12, "ftol": 0})
    W, A = model.split(r.x)
    f_tr = nl.network_output(Xtr, W, A, "relu")[:, 0]
    f_te = nl.network_output(Xte, W, A, "relu")[:, 0]
    trainable = np.zeros((H, 2), bool)
    trainable[:, 1] = True
    sol = nl.group_norm_max_margin(Xtr, ytr, nl.relu_gates(W, Xtr), 2, trainable=trainable,
                                   tol=1e-3 if quick else 1e-4, max_iter=1000, svm_tol=1e-8)
    f_cp = sol.output(Xte, nl.relu_gates(W, Xte))
    agree = float(np.mean(np.sign(f_cp) == np.sign(f_te)))
    res.check("ReLU net train accuracy", float(np.mean(np.sign(f_tr) == ytr)), 1.0, 0.0, "abs",
              "separable training set (needed for the max-margin limit)")
    res.check("ReLU net vs frozen-gate GLN program: test agreement", agree, 0.90, kind="gt",
              source="notes 1.5 (6) [est] >= 0.90")
    res.data.update(relu_test_acc=float(np.mean(np.sign(f_te) == yte)),
                    convex_test_acc=float(np.mean(np.sign(f_cp) == yte)), relu_agreement=agree)
    axes[3].scatter(f_te / np.std(f_te), f_cp / np.std(f_cp), s=4, alpha=0.5)
    axes[3].axhline(0, color="k", lw=0.5)
    axes[3].axvline(0, color="k", lw=0.5)
    axes[3].set(xlabel="trained ReLU net output (z-scored)", ylabel="GLN program output (z-scored)",
                title=f"(d) ReLU H={H}: agreement {agree:.3f}")
    fig.tight_layout()
    res.savefig(fig, out_dir, "gln_implicit_bias.png")
    return res
