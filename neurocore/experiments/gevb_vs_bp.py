"""GEVB in vectorized nonnegative networks against backprop, FA and DFA on 8x8 digits.

Clark, Abbott & Chung (2021): in a VNN (K-vector hidden units, weights shared over components,
nonnegative past layer 1, one vector output) the backpropagated error of every hidden unit is a
nonnegative multiple of the output error vector e, so broadcasting e to all units and gating it by
each unit's tReLU gate (GEVB) gives updates of the true gradient's sign. Checks: the sign match
per example (the theorem), the test accuracies of the notes' digits proxy (seed001 2.4 test 6,
[est]) for the same VNN trained by GEVB and by BP, a conventional MLP trained by BP, FA and DFA
with the same width and budget, and that GEVB trains a convolutional VNN layer (test 7).
"""
import numpy as np

from ..learning.deep import load_digits_split, mlp, vnn_convnet, vnn_mlp
from ..learning.deep.compare import compare_rules, format_table
from ._base import ExperimentResult

NAME = "gevb_vs_bp"
TITLE = "GEVB in vectorized nonnegative networks vs BP / FA / DFA on digits"
PAPER = "Clark, Abbott & Chung, Credit assignment through broadcasting a global error vector, NeurIPS 2021"


def sign_agreement(net, X, y):
    """Fraction of weights whose GEVB update has the sign of the true gradient (|grad| > 1e-12)."""
    rule = net.rule
    net.set_rule("bp")
    bp, _ = net.updates(X, y)
    net.set_rule("gevb")
    gv, _ = net.updates(X, y)
    net.set_rule(rule)
    agree = total = 0
    for (g, _), (u, _) in zip(bp, gv):
        m = np.abs(g) > 1e-12
        agree += int(np.sum(np.sign(g[m]) == np.sign(u[m])))
        total += int(m.sum())
    return agree / total


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt
    from threadpoolctl import threadpool_limits

    res = ExperimentResult(NAME, TITLE, PAPER)
    with threadpool_limits(1):
        data = load_digits_split(rng=seed)
        seeds = [seed, seed + 1, seed + 2]
        width = 128 if quick else 256
        epochs = 12 if quick else 40
        lr, bs = 1e-3, 64

        def build(rule, s):
            if rule.startswith("VNN"):
                net = vnn_mlp(64, (width, width), K=10, rng=s, optimizer="adam", lr=lr)
                return net.set_rule("gevb" if "GEVB" in rule else "bp")
            net = mlp([64, width, width, 10], rng=s, optimizer="adam", lr=lr)
            return net.set_rule(rule.split()[-1].lower(), rng=s + 100)

        rules = ["VNN GEVB", "VNN BP", "MLP BP", "MLP FA", "MLP DFA"]
        acc, _ = compare_rules(build, rules, data, epochs, seeds, batch_size=bs)

        # sign match: per example (exact theorem) and averaged over a batch of 64, at init and after training
        per_ex, batch_fr = [], []
        for s in seeds:
            net = vnn_mlp(64, (width, width), K=10, rng=s)
            per_ex += [sign_agreement(net, data.X_train[i:i + 1], data.y_train[i:i + 1]) for i in range(5)]
            batch_fr.append(sign_agreement(net, data.X_train[:64], data.y_train[:64]))
        mixed = vnn_mlp(64, (width, width), K=10, mono=False, rng=seed)
        mixed_fr = sign_agreement(mixed, data.X_train[:1], data.y_train[:1])

        # conv VNN: GEVB with the conv layer trained vs frozen (notes test 7)
        cep = 6 if quick else 20
        conv = {}
        for variant in ("trained", "frozen", "BP"):
            a = []
            for s in seeds[: (1 if quick and variant == "BP" else 2 if quick else 3)]:
                net = vnn_convnet((8, 8, 1), channels=16, stride=2, pad=1, hidden=(128,), K=10, rng=s,
                                  optimizer="adam", lr=3e-3).set_rule("bp" if variant == "BP" else "gevb")
                net.layers[0].trainable = variant != "frozen"
                net.fit(data.X_train, data.y_train, epochs=cep, batch_size=bs, rng=s)
                a.append(net.accuracy(data.X_test, data.y_test))
            conv[variant] = np.array(a)

    table = format_table(acc)
    print(f"digits, {width}-{width} hidden, Adam lr {lr}, batch {bs}, {epochs} epochs, seeds {seeds}\n" + table)
    print(f"conv VNN (16 ch, stride 2) + 128 + vector out, {cep} epochs: GEVB {conv['trained'].mean():.4f}, "
          f"GEVB with the conv layer frozen {conv['frozen'].mean():.4f}, BP {conv['BP'].mean():.4f}")
    res.data.update(acc={k: v.tolist() for k, v in acc.items()}, table=table, seeds=seeds, epochs=epochs,
                    width=width, sign_per_example=per_ex, sign_batch64=batch_fr, sign_mixed=mixed_fr,
                    conv={k: v.tolist() for k, v in conv.items()})
    m = {k: v.mean() for k, v in acc.items()}
    res.check("sign match per example (min over 15)", min(per_ex), 1.0, 0.0, "abs",
              "theorem (Clark et al. 2021; notes seed001 2.2): sign(GEVB) = sign(grad) for every weight", "fraction")
    res.check("sign match, batch of 64 (mean)", float(np.mean(batch_fr)), 0.9, kind="gt",
              source="[derived] a batch mean mixes per-example scales; not covered by the theorem", unit="fraction")
    res.check("sign match, mixed-sign VNN (control)", mixed_fr, 1.0, kind="lt",
              source="notes 2.4 test 3: < 100% without nonnegativity", unit="fraction")
    res.check("VNN GEVB test accuracy", m["VNN GEVB"], 0.93, kind="gt", source="notes seed001 2.4 test 6 [est]")
    res.check("VNN BP test accuracy", m["VNN BP"], 0.95, kind="gt", source="notes seed001 2.4 test 6 [est]")
    res.check("|GEVB - BP| on the VNN", abs(m["VNN GEVB"] - m["VNN BP"]), 0.0, 0.03, "abs",
              "notes 2.4 test 6: within 3 points [est]; paper: GEVB matches BP in VNNs")
    res.check("MLP DFA test accuracy", m["MLP DFA"], 0.92, kind="gt", source="notes 2.4 test 6 [est]")
    res.check("conv layer trained - frozen (GEVB)", conv["trained"].mean() - conv["frozen"].mean(), 0.01,
              kind="gt", source="notes 2.4 test 7 [est]: GEVB trains conv layers")

    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    names = list(acc) + ["convVNN GEVB", "convVNN frozen", "convVNN BP"]
    vals = [acc[k] for k in acc] + [conv["trained"], conv["frozen"], conv["BP"]]
    ax.bar(range(len(names)), [v.mean() for v in vals], yerr=[v.std() for v in vals], color="C0", alpha=0.7)
    for i, v in enumerate(vals):
        ax.plot([i] * len(v), v, "k.", ms=4)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0.75, 1.0)
    ax.set_ylabel("test accuracy (digits)")
    ax.set_title("GEVB vs BP / FA / DFA")
    res.savefig(fig, out_dir, "gevb_vs_bp.png")
    return res
