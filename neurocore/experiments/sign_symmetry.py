"""Sign-concordant feedback with Batch Manhattan against BP, FA and DFA on 8x8 digits.

Liao, Leibo & Poggio (2016); Moskovitz, Litwin-Kumar & Abbott (2018): feedback that shares only the
signs of the forward weights (B = sign(W), uniform magnitudes, 'uSF', or fixed random magnitudes,
'frSF'), rescaled to the forward weights' norm, trains nearly as well as backprop; Batch
Manhattan (steps of lr * sign(batch update)) is one of the tricks that make it work. Checks (notes
seed001 5.3, [est]): accuracies of a 64-256-256-10 MLP, the alignment of the sign-feedback
update with the true gradient at initialisation, and a small conv net with sign feedback.
"""
import numpy as np

from ..learning.deep import convnet, load_digits_split, mlp
from ..learning.deep.compare import compare_rules, format_table
from ._base import ExperimentResult

NAME = "sign_symmetry"
TITLE = "Sign-concordant feedback and Batch Manhattan vs BP / FA / DFA on digits"
PAPER = "Moskovitz, Litwin-Kumar & Abbott, Feedback alignment in deep convolutional networks, arXiv 1812.06488"


def hidden_cosine(net, X, y, rule, layer=0, **kw):
    """Cosine between the rule's update of ``layer`` and the true gradient."""
    net.set_rule("bp")
    g = net.updates(X, y)[0][layer][0].ravel()
    net.set_rule(rule, **kw)
    u = net.updates(X, y)[0][layer][0].ravel()
    net.set_rule("bp")
    return float(g @ u / (np.linalg.norm(g) * np.linalg.norm(u)))


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt
    from threadpoolctl import threadpool_limits

    res = ExperimentResult(NAME, TITLE, PAPER)
    with threadpool_limits(1):
        data = load_digits_split(rng=seed)
        seeds = [seed, seed + 1, seed + 2]
        epochs = 12 if quick else 30

        def build(rule, s):
            bm = "BM" in rule
            net = mlp([64, 256, 256, 10], rng=s, optimizer="batch_manhattan" if bm else "adam",
                      lr=2e-4 if bm else 1e-3, momentum=0.9 if bm else 0.0)
            base = {"BP": "bp", "FA": "fa", "DFA": "dfa"}.get(rule.split()[0], "sign")
            return net.set_rule(base, rng=s + 100, sign_magnitude="random" if "frSF" in rule else "uniform")

        rules = ["BP", "FA", "DFA", "sign uSF", "sign frSF", "sign uSF + BM"]
        acc, _ = compare_rules(build, rules, data, epochs, seeds)
        Xb, yb = data.X_train[:256], data.y_train[:256]
        cos_ss = [hidden_cosine(mlp([64, 256, 256, 10], rng=s), Xb, yb, "sign") for s in seeds]
        cos_fa = [hidden_cosine(mlp([64, 256, 256, 10], rng=s), Xb, yb, "fa", rng=s + 100) for s in seeds]
        conv_acc = []
        for s in seeds[: (1 if quick else 3)]:
            net = convnet((8, 8, 1), channels=(16, 32), stride=2, pad=1, hidden=(), rng=s, optimizer="adam",
                          lr=1e-3).set_rule("sign")
            net.fit(data.X_train, data.y_train, epochs=epochs, batch_size=32, rng=s)
            conv_acc.append(net.accuracy(data.X_test, data.y_test))
    table = format_table(acc)
    print(f"digits, 64-256-256-10 ReLU, batch 32, {epochs} epochs, seeds {seeds}\n" + table)
    print(f"cos(update, gradient) of layer 1 at init: sign {np.mean(cos_ss):.3f}, FA {np.mean(cos_fa):.3f}; "
          f"conv net (16, 32 ch, stride 2) with sign feedback: {np.mean(conv_acc):.4f}")
    m = {k: v.mean() for k, v in acc.items()}
    res.data.update(acc={k: v.tolist() for k, v in acc.items()}, table=table, cos_sign=cos_ss, cos_fa=cos_fa,
                    conv_sign=conv_acc, epochs=epochs, seeds=seeds)
    res.check("BP test accuracy", m["BP"], 0.96, kind="gt", source="notes seed001 5.3 test 4 [est]")
    res.check("sign (uSF) test accuracy", m["sign uSF"], 0.94, kind="gt", source="notes 5.3 test 4 [est]")
    res.check("sign + Batch Manhattan test accuracy", m["sign uSF + BM"], 0.94, kind="gt",
              source="notes 5.3 test 4 [est]")
    res.check("BP - sign (uSF)", m["BP"] - m["sign uSF"], 0.03, kind="lt", source="notes 5.3: within 3 points [est]")
    res.check("FA test accuracy", m["FA"], 0.92, kind="gt", source="notes 5.3 test 4 [est]")
    res.check("cos(sign update, gradient) at init", float(np.mean(cos_ss)), 0.3, kind="gt",
              source="notes 5.3 test 3 [est]")
    res.check("|cos(FA update, gradient)| at init", float(abs(np.mean(cos_fa))), 0.1, kind="lt",
              source="notes 5.3 test 3 [est]")
    res.check("conv net with sign feedback", float(np.mean(conv_acc)), 0.93, kind="gt",
              source="notes 5.3 test 6 [est]")

    fig, ax = plt.subplots(figsize=(5.2, 3.2))
    names = list(acc)
    ax.bar(range(len(names)), [acc[k].mean() for k in names], yerr=[acc[k].std() for k in names], color="C1",
           alpha=0.7)
    for i, k in enumerate(names):
        ax.plot([i] * len(acc[k]), acc[k], "k.", ms=4)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0.85, 1.0)
    ax.set_ylabel("test accuracy (digits)")
    ax.set_title("Sign-concordant feedback")
    res.savefig(fig, out_dir, "sign_symmetry.png")
    return res
