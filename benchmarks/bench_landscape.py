"""Two-layer network Hessian (width 50, 1,000 samples): neurocore's exact C Hessian against central
finite differences of the analytic NumPy gradient (the usual way to get a Hessian without autodiff);
and long GLN training in C against the same loop in NumPy."""
import numpy as np

import neurocore.landscape as nl
from .harness import Case


def numpy_gradient(theta, X, Y, m, d):
    """Analytic MSE gradient of a softplus two-layer network, vectorised NumPy."""
    W = theta[: m * d].reshape(m, d)
    A = theta[m * d:].reshape(m, 1)
    Z = X @ W.T
    S = np.logaddexp(0.0, Z)
    S1 = 0.5 * (1.0 + np.tanh(0.5 * Z))
    E = S @ A - Y
    P = X.shape[0]
    return np.concatenate([(((E @ A.T) * S1).T @ X / P).ravel(), (S.T @ E / P).ravel()])


def numpy_fd_hessian(theta, X, Y, m, d, h=1e-5):
    n = theta.size
    H = np.empty((n, n))
    for i in range(n):
        tp = theta.copy()
        tp[i] += h
        tm = theta.copy()
        tm[i] -= h
        H[:, i] = (numpy_gradient(tp, X, Y, m, d) - numpy_gradient(tm, X, Y, m, d)) / (2 * h)
    return 0.5 * (H + H.T)


def numpy_gln_train(X, y, ctx, W, a, n_steps, lr):
    """Plain full-batch GD of a two-layer GLN in NumPy (gather/scatter by context)."""
    W = W.copy()
    a = a.copy()
    P, H = ctx.shape
    hs = np.arange(H)[None, :]
    for _ in range(n_steps):
        Wsel = W[hs, ctx]                        # (P, H, d)
        z = np.einsum("phd,pd->ph", Wsel, X)
        f = z @ a
        q = -y / (1.0 + np.exp(y * f)) / P
        ga = q @ z
        gW = np.zeros_like(W)
        np.add.at(gW, (np.broadcast_to(hs, ctx.shape), ctx), (q[:, None] * a[None, :])[:, :, None] * X[:, None, :])
        W -= lr * gW
        a -= lr * ga
    return W, a


def cases(quick=False):
    out = []
    rng = np.random.default_rng(0)
    for d in ((10,) if quick else (5, 10, 20)):
        P, m = 1000, 50
        X = rng.normal(size=(P, d))
        W, A = rng.normal(size=(m, d)) / np.sqrt(d), rng.normal(size=(m, 1)) / np.sqrt(m)
        Y = rng.normal(size=(P, 1))
        theta = nl.pack(W, A)
        out.append(Case(f"Hessian m=50 P=1000 d={d} ({theta.size} params)",
                        lambda X=X, Y=Y, W=W, A=A: nl.hessian(X, Y, W, A),
                        lambda X=X, Y=Y, theta=theta, d=d: numpy_fd_hessian(theta, X, Y, m, d),
                        "NumPy finite differences of analytic gradient", repeats=3, goal=0.2))
    Xg = nl.append_bias(rng.normal(size=(40, 7)))
    gates = nl.hyperplane_gates(Xg, 6, 1, rng=1)
    yg = np.sign(nl.GatedLinearNetwork(gates, init_scale=1.0, rng=2).output(Xg))
    net = nl.GatedLinearNetwork(gates, init_scale=0.1, rng=3)
    ctx = gates.contexts(Xg)
    n_steps = 2000 if quick else 20000

    def nc_train():
        g = nl.GatedLinearNetwork(gates, init_scale=0.1, rng=3)
        g.train(Xg, yg, n_steps, lr=0.05)
    out.append(Case(f"GLN P=40 H=6 C=2 d=8, {n_steps} GD steps", nc_train,
                    lambda: numpy_gln_train(Xg, yg, ctx, net.W, net.a, n_steps, 0.05), "NumPy loop", repeats=3,
                    goal=0.1))
    return out
