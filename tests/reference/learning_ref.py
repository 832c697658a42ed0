"""Slow NumPy twins of the learning kernels (dense MLPs, direct convolution, VNNs, CLAPP loss)."""
import numpy as np

ACT = {
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(float)),
    "tanh": (np.tanh, lambda z, a: 1 - a ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
}


def softmax_error(out, y):
    p = np.exp(out - out.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    loss = -np.mean(np.log(p[np.arange(len(y)), y]))
    p[np.arange(len(y)), y] -= 1
    return p, loss


def mlp_updates(Ws, bs, acts, X, y, rule="bp", Bs=None, Ds=None, sign_norm=False):
    """Update directions (gradient convention) of a dense MLP under bp / fa / sign / dfa.

    Bs[l] (shaped like Ws[l]) is the FA matrix or the sign magnitudes of layer l (l >= 1);
    Ds[l] the DFA matrix of hidden layer l."""
    Zs, As = [], [X]
    for W, b, a in zip(Ws, bs, acts):
        Zs.append(As[-1] @ W.T + b)
        As.append(ACT[a][0](Zs[-1]))
    e, loss = softmax_error(As[-1], y)
    n = len(X)
    L = len(Ws)
    delta = e * ACT[acts[-1]][1](Zs[-1], As[-1])
    out = [None] * L
    for l in range(L - 1, -1, -1):
        out[l] = (delta.T @ As[l] / n, delta.sum(0) / n)
        if l == 0:
            break
        if rule == "dfa":
            dA = e @ Ds[l - 1].T
        else:
            if rule == "bp":
                F = Ws[l]
            elif rule == "fa":
                F = Bs[l]
            else:  # sign
                F = np.sign(Ws[l]) * (np.abs(Bs[l]) if Bs is not None and Bs[l] is not None else 1.0)
                if sign_norm:
                    F = F * np.linalg.norm(Ws[l]) / np.linalg.norm(F)
            dA = delta @ F
        delta = dA * ACT[acts[l - 1]][1](Zs[l - 1], As[l])
    return out, loss


def conv2d_nhwc(X, K, h, w, c, kh, kw, stride, pad):
    """Direct-loop convolution of rows X (n, h*w*c, NHWC) with K (F, kh*kw*c in (ky, kx, c) order)."""
    n, F = X.shape[0], K.shape[0]
    ho, wo = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    Xi = X.reshape(n, h, w, c)
    Kr = K.reshape(F, kh, kw, c)
    out = np.zeros((n, ho, wo, F))
    for oy in range(ho):
        for ox in range(wo):
            for ky in range(kh):
                for kx in range(kw):
                    iy, ix = oy * stride - pad + ky, ox * stride - pad + kx
                    if 0 <= iy < h and 0 <= ix < w:
                        out[:, oy, ox, :] += Xi[:, iy, ix, :] @ Kr[:, ky, kx, :].T
    return out.reshape(n, -1)


def vnn_forward(W1, b1, t1, Ws, bs, ts, X, K):
    """Dense VNN forward with the block-diagonal input expansion materialised.

    Returns the logits (n, K) and the per-layer (pre-activation (n, K, units), gate (n, units))."""
    n, D = X.shape
    Xe = np.zeros((n, K, K * D))
    for k in range(K):
        Xe[:, k, k * D:(k + 1) * D] = X
    h = Xe @ W1.T + b1[None]          # (n, K, units)
    G = ((np.einsum("nku,uk->nu", h, t1)) >= 0).astype(float)
    a = h * G[:, None, :]
    rec = [(h, G)]
    for i, (W, b) in enumerate(zip(Ws, bs)):
        h = a @ W.T + b[None]
        if i < len(Ws) - 1:
            G = ((np.einsum("nku,uk->nu", h, ts[i])) >= 0).astype(float)
            a = h * G[:, None, :]
            rec.append((h, G))
        else:
            a = h
    return a[:, :, 0], rec


def clapp_loss(X, W, b, Wp, offset, neg, mode):
    """Mean CLAPP hinge loss (symmetric retrodiction) over the used (sample, location) entries."""
    n, T, S, _ = X.shape
    Z = np.maximum(X @ W.T + b, 0)
    total, entries = 0.0, 0
    for i in range(n):
        for t in range(T - offset):
            for s in range(S):
                md = mode[i, t * S + s]
                if md == 0:
                    continue
                entries += 1
                c = Z[i, t, s]
                if md in (1, 2):
                    total += max(0.0, 1 - Z[i, t + offset, s] @ Wp @ c)
                if md in (-1, 2):
                    total += max(0.0, 1 + Z[neg[i], t + offset, s] @ Wp @ c)
    return total / entries
