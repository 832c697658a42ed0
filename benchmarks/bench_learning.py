"""Deep-network learning: one training epoch of an MLP on digits (neurocore vs pure NumPy), and a conv
layer forward + backward on a batch of 128 against the BLAS time of its GEMMs measured in the same run."""
import time

import numpy as np

from .harness import Case


def numpy_mlp_epoch(Ws, bs, X, y, perm, batch, lr=1e-3, state=None):
    """Pure-NumPy BP epoch with Adam for a ReLU MLP (the peer)."""
    b1, b2, eps = 0.9, 0.999, 1e-8
    if state is None:
        state = {"t": 0, "m": [np.zeros_like(p) for p in Ws + bs], "v": [np.zeros_like(p) for p in Ws + bs]}
    for s in range(0, len(perm), batch):
        idx = perm[s:s + batch]
        a, acts = X[idx], [X[idx]]
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = a @ W.T + b
            a = np.maximum(z, 0) if i < len(Ws) - 1 else z
            acts.append(a)
        p = np.exp(a - a.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p[np.arange(len(idx)), y[idx]] -= 1
        d = p / len(idx)
        grads = [None] * (2 * len(Ws))
        for i in range(len(Ws) - 1, -1, -1):
            grads[i], grads[len(Ws) + i] = d.T @ acts[i], d.sum(0)
            if i:
                d = (d @ Ws[i]) * (acts[i] > 0)
        state["t"] += 1
        c1, c2 = 1 - b1 ** state["t"], 1 - b2 ** state["t"]
        for j, (P, g) in enumerate(zip(Ws + bs, grads)):
            m, v = state["m"][j], state["v"][j]
            m *= b1; m += (1 - b1) * g
            v *= b2; v += (1 - b2) * g * g
            P -= lr * (m / c1) / (np.sqrt(v / c2) + eps)
    return state


def cases(quick=False):
    from threadpoolctl import threadpool_limits
    from neurocore.learning.deep import Conv2d, Network, load_digits_split, mlp
    threadpool_limits(1)   # both sides single-threaded BLAS (the shared 2-core box oversubscribes otherwise)
    d = load_digits_split(rng=0)
    out = []
    for batch in (32, 128):
        net = mlp([64, 256, 256, 10], rng=0, optimizer="adam", lr=1e-3)
        Ws = [L.W.copy() for L in net.layers]
        bs = [L.b[0].copy() for L in net.layers]
        perm = np.random.default_rng(0).permutation(len(d.X_train))
        nc = lambda net=net, batch=batch: net.train_epoch(d.X_train, d.y_train, batch_size=batch, rng=0)
        peer = lambda Ws=Ws, bs=bs, perm=perm, batch=batch: numpy_mlp_epoch(Ws, bs, d.X_train, d.y_train, perm, batch)
        out.append(Case(f"MLP 64-256-256-10 BP+Adam epoch, digits, batch {batch}", nc, peer, "NumPy loop",
                        repeats=5 if quick else 10, goal=1.0))
    # conv layer: a 1x1 conv feeding the measured 3x3 conv (so its input gradient is computed too)
    n, H, C, F = 128, 16, 16, 32
    l0 = Conv2d((H, H, C), C, kernel=1, act="linear", rng=0)
    l1 = Conv2d((H, H, C), F, kernel=3, pad=1, act="relu", rng=1)
    net = Network([l0, l1], loss="mse", optimizer="sgd", lr=1e-6)
    X = np.random.default_rng(0).standard_normal((n, H * H * C))
    T = np.zeros((n, H * H * F))
    P, ckk = H * H, 9 * C
    cols, dl = np.random.rand(n * P, ckk), np.random.rand(n * P, F)
    x1, d1 = np.random.rand(n * P, C), np.random.rand(n * P, C)

    def blas_bound():
        best = np.inf
        for _ in range(3):
            t0 = time.perf_counter()
            cols @ l1.W.T; dl.T @ cols; dl @ l1.W       # conv 3x3: forward, weight grad, input grad
            x1 @ l0.W.T; d1.T @ x1                       # conv 1x1: forward, weight grad
            best = min(best, time.perf_counter() - t0)
        return best

    out.append(Case(f"conv 3x3 {H}x{H}x{C}->{F} (+1x1) fwd+bwd, batch {n}", lambda: net.updates(X, target=T),
                    None, "BLAS-bound (same GEMMs, NumPy)", repeats=5, goal=2.0, peer_seconds=blas_bound))
    return out
