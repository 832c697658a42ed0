"""Ready-made architectures: MLPs, small conv nets and vectorized nonnegative networks (VNNs)."""
import numpy as np

from ..._random import as_generator
from ... import _validate as v
from .layers import Conv2d, Dense
from .network import Network


def mlp(sizes, act="relu", out_act="linear", rng=None, init_scale=None, **net_kw):
    """A fully connected network ``sizes[0] -> ... -> sizes[-1]``.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, input first.
    act, out_act : str
        Hidden and output nonlinearities.
    rng : int, Generator or None
    init_scale : float, optional
        U(-init_scale, init_scale) weights (e.g. 0.01 as in the dynamic-inversion scripts).
    **net_kw
        Passed to :class:`Network` (loss, optimizer, lr, ...).
    """
    rng = as_generator(rng)
    sizes = [v.count(int(s), "sizes", 1) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"argument 'sizes' needs at least input and output sizes, got {sizes}")
    layers = [Dense(sizes[i], sizes[i + 1], act=act if i < len(sizes) - 2 else out_act, rng=rng,
                    init_scale=init_scale) for i in range(len(sizes) - 1)]
    return Network(layers, **net_kw)


def convnet(in_shape, channels=(16,), kernel=3, stride=1, pad=1, hidden=(), n_out=10, act="relu", rng=None,
            **net_kw):
    """Conv layers (``channels``), then dense ``hidden`` layers and a linear output layer."""
    rng = as_generator(rng)
    layers, shape = [], tuple(in_shape)
    for c in channels:
        L = Conv2d(shape, c, kernel=kernel, stride=stride, pad=pad, act=act, rng=rng)
        layers.append(L)
        shape = L.out_shape
    n = int(np.prod(shape))
    for hdim in hidden:
        layers.append(Dense(n, hdim, act=act, rng=rng))
        n = hdim
    layers.append(Dense(n, n_out, act="linear", rng=rng))
    return Network(layers, **net_kw)


# ---------------------------------------------------------------------- vectorized networks

def _gate_signs(n_units, K, rng):
    """Fixed tReLU sign vectors t_i in {+-1}^K, paired units (2i, 2i+1) opposite."""
    half = rng.choice([-1.0, 1.0], size=((n_units + 1) // 2, K))
    t = np.empty((n_units, K))
    t[0::2] = half[: (n_units + 1) // 2]
    t[1::2] = -half[: n_units // 2]
    return t


def _mono_init(n_out, n_in, rng):
    """Nonnegative mirror-pair initialisation: G ~ N(0, 1/(0.25 n_in)) of half size, relu(G) and relu(-G)
    placed in 2x2 blocks so that units 2i and 2i+1 are mirror images (Clark et al., vnn.py)."""
    ho, hi = (n_out + 1) // 2, (n_in + 1) // 2
    G = rng.standard_normal((ho, hi)) / np.sqrt(0.25 * n_in)
    P, N = np.maximum(G, 0), np.maximum(-G, 0)
    W = np.empty((2 * ho, 2 * hi))
    W[0::2, 0::2], W[0::2, 1::2], W[1::2, 0::2], W[1::2, 1::2] = P, N, N, P
    return W[:n_out, :n_in].copy()


def vnn_mlp(n_in, hidden=(256, 256), K=10, mono=True, rng=None, **net_kw):
    """A vectorized network: every hidden unit is a K-vector, weights are shared over components.

    Layer 1 expands the input block-diagonally (a mixed-sign weight vector per component, W is
    (h1, K*n_in), N(0, 1/n_in), rows of pairs opposite), tReLU gates with fixed sign vectors t
    (pairs opposite), nonnegative weights past layer 1 when ``mono`` (mirror-pair init; kept
    nonnegative by ``W <- |W|`` after every step), and one vector output unit whose K components
    are the logits (Clark, Abbott & Chung 2021).
    """
    rng = as_generator(rng)
    K = v.count(K, "K", 2)
    hidden = [v.count(int(h), "hidden", 1) for h in hidden]
    h1 = hidden[0]
    half = rng.standard_normal(((h1 + 1) // 2, K * n_in)) / np.sqrt(n_in)
    W1 = np.empty((h1, K * n_in))
    W1[0::2], W1[1::2] = half[: (h1 + 1) // 2], -half[: h1 // 2]
    layers = [Dense(n_in, h1, act="trelu", W=W1, rows=K, vnn_in=True, name=f"VNNDense({n_in}x{K}->{h1}, trelu)")]
    layers[0].t = _gate_signs(h1, K, rng)
    prev = h1
    for h in hidden[1:] + [1]:
        last = h == 1 and len(layers) == len(hidden)
        if mono:
            W = _mono_init(h, prev, rng) if not last else np.abs(_mono_init(2, prev, rng)[:1])
        else:
            W = rng.standard_normal((h, prev)) / np.sqrt(0.5 * prev)
        L = Dense(prev, h, act="linear" if last else "trelu", W=W, rows=K,
                  name=f"VNNDense({prev}->{h}, {'linear' if last else 'trelu'}{', nonneg' if mono else ''})")
        L.nonneg = bool(mono)
        if not last:
            L.t = _gate_signs(h, K, rng)
        layers.append(L)
        prev = h
    net = Network(layers, **net_kw)
    net.vector_dim = K
    return net


def vnn_convnet(in_shape, channels=32, kernel=3, stride=2, pad=1, hidden=(256,), K=10, mono=True, rng=None,
                **net_kw):
    """A vectorized conv net: a per-component conv layer (ctReLU, one gate sign vector per channel),
    nonnegative dense layers past it and one vector output unit."""
    rng = as_generator(rng)
    K = v.count(K, "K", 2)
    h, w, c = in_shape
    ckk = kernel * kernel * c
    half = rng.standard_normal((K, (channels + 1) // 2, ckk)) / np.sqrt(ckk)
    Wc = np.empty((K, channels, ckk))
    Wc[:, 0::2], Wc[:, 1::2] = half[:, : (channels + 1) // 2], -half[:, : channels // 2]
    conv = Conv2d(in_shape, channels, kernel=kernel, stride=stride, pad=pad, act="trelu",
                  W=Wc.reshape(K * channels, ckk), rows=K, vnn_in=True)
    conv.t = _gate_signs(channels, K, rng)
    layers, prev = [conv], conv.n_out
    for hd in list(hidden) + [1]:
        last = hd == 1 and len(layers) == len(hidden) + 1
        if mono:
            W = _mono_init(hd, prev, rng) if not last else np.abs(_mono_init(2, prev, rng)[:1])
        else:
            W = rng.standard_normal((hd, prev)) / np.sqrt(0.5 * prev)
        L = Dense(prev, hd, act="linear" if last else "trelu", W=W, rows=K)
        L.nonneg = bool(mono)
        if not last:
            L.t = _gate_signs(hd, K, rng)
        layers.append(L)
        prev = hd
    net = Network(layers, **net_kw)
    net.vector_dim = K
    return net
