"""Train several credit-assignment rules on the same data, architecture and budget; tabulate accuracies."""
import numpy as np


def compare_rules(build, rules, data, epochs, seeds, batch_size=32, eval_every=None):
    """Test accuracy of every rule for every seed.

    Parameters
    ----------
    build : callable(rule, seed) -> Network
        Builds the network with its rule set (same architecture and optimiser for all rules).
    rules : sequence of str
        Labels passed to ``build``.
    data : DataSplit
    epochs : int
    seeds : sequence of int

    Returns
    -------
    dict rule -> (len(seeds),) array of final test accuracies, and dict rule -> list of curves
    """
    acc, curves = {}, {}
    for r in rules:
        acc[r], curves[r] = np.zeros(len(seeds)), []
        for i, s in enumerate(seeds):
            net = build(r, s)
            h = net.fit(data.X_train, data.y_train, epochs=epochs, batch_size=batch_size, rng=s,
                        X_eval=data.X_test, y_eval=data.y_test, eval_every=eval_every or epochs)
            acc[r][i] = h.eval_acc[-1]
            curves[r].append((h.eval_epoch, h.eval_acc))
    return acc, curves


def format_table(acc, title="test accuracy"):
    """A plain-text table: rule, mean +- sd, per-seed values."""
    lines = [f"{'rule':<24} {title:>16}   per seed"]
    for r, a in acc.items():
        lines.append(f"{r:<24} {a.mean():>9.4f} ± {a.std():.4f}   " + " ".join(f"{x:.4f}" for x in a))
    return "\n".join(lines)
