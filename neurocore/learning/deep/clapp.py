"""CLAPP: contrastive, local and predictive plasticity (Illing, Ventura, Bellec & Gerstner 2021).

Each layer is a dense ReLU map applied to every image patch, ``z = relu(W x + b)``, trained only
by its own hinge loss on the score ``u = z_future^T W_pred c`` between the patch at "time" t
(a patch row; c = z_t) and the patch ``offset`` rows later at the same location, either of the
same image (positive, loss max(0, 1 - u)) or of another image of the batch (negative, loss
max(0, 1 + u)). The update is a Hebbian product times one scalar third factor per sample and
location, gamma = -dL/du, broadcast to the whole layer (kernel: ``nc_learning_clapp_grad``).
Layers are trained greedily in parallel: each layer's input is the previous layer's output, with
no gradient flowing between layers. CLAPP proper draws positive OR negative per sample and
location (saccade / no saccade); CLAPP-s ('symmetric' mode) uses both every step.
"""
import numpy as np

from ..._random import as_generator
from ... import _validate as v
from .. import _learning
from .layers import Dense
from .network import Network, OPTIMIZERS


def image_patches(images, patch=4, stride=2):
    """Cut (n, H, W) images into (n, T, S, patch*patch) patches: T patch rows ("time"), S per row."""
    im = np.asarray(images, dtype=float)
    if im.ndim != 3:
        raise ValueError(f"argument 'images' must be (n, H, W), got shape {im.shape}")
    n, H, W = im.shape
    T, S = (H - patch) // stride + 1, (W - patch) // stride + 1
    if T < 2 or S < 1:
        raise ValueError(f"argument 'patch' ({patch}) with stride {stride} leaves fewer than 2 patch rows")
    out = np.empty((n, T, S, patch * patch))
    for t in range(T):
        for s in range(S):
            out[:, t, s] = im[:, t * stride:t * stride + patch, s * stride:s * stride + patch].reshape(n, -1)
    return out


def clapp_updates(X, W, b, W_pred, W_retro=None, offset=2, neg=None, mode=None):
    """Layer-local CLAPP updates for one batch (C kernel), in gradient sign convention.

    Parameters
    ----------
    X : (n, T, S, d_in) array
        Layer input per patch.
    W, b : (d_h, d_in), (d_h,) arrays
    W_pred : (d_h, d_h) array
        Prediction matrix.
    W_retro : (d_h, d_h) array, optional
        Separate retrodiction matrix (CLAPP without weight transport); default W_pred^T.
    offset : int
        Rows between context and future (the code's k + skip_step).
    neg : (n,) int array
        Image providing the negative future for each sample.
    mode : (n, (T-offset)*S) int8 array
        +1 positive only, -1 negative only, 2 both, 0 skip.

    Returns
    -------
    dict with gW, gb, gWp, gWr (None without W_retro), loss, entries
    """
    gW, gb, gWp, gWr, loss, entries = _learning.clapp_grad(X, W, b, W_pred, W_retro, int(offset), neg, mode)
    return dict(gW=gW, gb=gb, gWp=gWp, gWr=gWr, loss=loss, entries=entries)


class CLAPPEncoder:
    """A stack of patch-wise dense ReLU layers trained by CLAPP.

    Parameters
    ----------
    d_in : int
        Input features per patch.
    hidden : sequence of int
        Units per layer.
    offset : int
        Context-to-future distance in patch rows (1: the next row; with 4x4 patches at stride 2
        neighbouring rows overlap by half, so the prediction is not trivial).
    symmetric : bool
        True: CLAPP-s (positive and negative every step); False: CLAPP (one of them, 50/50).
    asymmetric_retro : bool
        Use a separate learned retrodiction matrix instead of W_pred^T.
    optimizer, lr : str, float
    rng : int, Generator or None
    """

    def __init__(self, d_in, hidden=(8, 8), offset=1, symmetric=False, asymmetric_retro=False, optimizer="adam",
                 lr=2e-3, rng=None):
        self.rng = as_generator(rng)
        self.offset = v.count(offset, "offset", 1)
        self.symmetric = bool(symmetric)
        self.opt = v.choice(optimizer, "optimizer", OPTIMIZERS)
        self.lr = v.positive(lr, "lr")
        self.layers = []
        prev = v.count(d_in, "d_in", 1)
        for h in hidden:
            h = v.count(int(h), "hidden", 1)
            # U(+-1/sqrt(fan_in)) as PyTorch's default layers in the authors' code: scores start near 0
            L = dict(W=self.rng.uniform(-1, 1, (h, prev)) / np.sqrt(prev), b=np.zeros(h),
                     Wp=self.rng.uniform(-1, 1, (h, h)) / np.sqrt(h))
            L["Wr"] = np.ascontiguousarray(L["Wp"].T.copy()) if asymmetric_retro else None
            for k in ("W", "b", "Wp", "Wr"):
                if L[k] is not None:
                    L["m" + k], L["v" + k] = np.zeros_like(L[k]), np.zeros_like(L[k])
            self.layers.append(L)
            prev = h
        self.t = 0
        self.loss_history = []

    def layer_inputs(self, P):
        """Inputs of every layer for patches P (n, T, S, d_in): [P, z_1, z_2, ...]."""
        outs = [P]
        for L in self.layers:
            outs.append(np.maximum(outs[-1] @ L["W"].T + L["b"], 0.0))
        return outs

    def features(self, P, layer=-1):
        """Per-image feature vector: the given layer's output at every patch, concatenated."""
        z = self.layer_inputs(P)[layer]
        return z.reshape(len(z), -1)

    def _modes(self, n, T, S):
        shape = (n, (T - self.offset) * S)
        if self.symmetric:
            return np.full(shape, 2, dtype=np.int8)
        return np.where(self.rng.random(shape) < 0.5, 1, -1).astype(np.int8)

    def train_epoch(self, P, batch_size=32):
        """One epoch over patches P (n, T, S, d_in); all layers learn in parallel. Returns mean losses."""
        P = np.asarray(P, dtype=float)
        n, T, S, _ = P.shape
        order = self.rng.permutation(n)
        losses = np.zeros(len(self.layers))
        nb = 0
        for start in range(0, n - 1, batch_size):
            idx = order[start:start + batch_size]
            if len(idx) < 2:
                continue
            m = len(idx)
            perm = self.rng.permutation(m)
            neg = np.empty(m, dtype=np.int64)
            neg[perm] = np.roll(perm, 1)   # cyclic shift along a random order: no image is its own negative
            modes = self._modes(m, T, S)
            x = P[idx]
            self.t += 1
            for li, L in enumerate(self.layers):
                u = clapp_updates(x, L["W"], L["b"], L["Wp"], L["Wr"], self.offset, neg, modes)
                for k, g in (("W", u["gW"]), ("b", u["gb"]), ("Wp", u["gWp"]), ("Wr", u["gWr"])):
                    if g is not None:
                        _learning.opt_update(self.opt, L[k], g, L["m" + k], L["v" + k], lr=self.lr, t=self.t)
                losses[li] += u["loss"]
                x = np.maximum(x @ L["W"].T + L["b"], 0.0)   # detached input of the next layer
            nb += 1
        losses /= max(nb, 1)
        self.loss_history.append(losses)
        return losses

    def fit(self, P, epochs=40, batch_size=32):
        for _ in range(v.count(epochs, "epochs", 0)):
            self.train_epoch(P, batch_size)
        return self

    def hinge_loss(self, P, layer=0, rng=None):
        """Mean hinge loss per pair of one layer on patches P (every location's positive and a
        shuffled negative, each pair counted once: about 1 for random scores near 0)."""
        g = as_generator(rng)
        n, T, S, _ = P.shape
        x = self.layer_inputs(P)[layer]
        L = self.layers[layer]
        perm = g.permutation(n)
        neg = np.empty(n, dtype=np.int64)
        neg[perm] = np.roll(perm, 1)
        modes = np.full((n, (T - self.offset) * S), 2, dtype=np.int8)
        return 0.5 * clapp_updates(x, L["W"], L["b"], L["Wp"], L["Wr"], self.offset, neg, modes)["loss"]


def linear_probe(F_train, y_train, F_test, y_test, epochs=100, lr=0.01, batch_size=32, rng=None):
    """Test accuracy of a softmax-regression readout trained (Adam) on standardised features."""
    mu, sd = F_train.mean(0), F_train.std(0) + 1e-8
    A, Bt = (F_train - mu) / sd, (F_test - mu) / sd
    n_cls = int(max(y_train.max(), y_test.max()) + 1)
    g = as_generator(rng)
    net = Network([Dense(A.shape[1], n_cls, act="linear", W=np.zeros((n_cls, A.shape[1])))], optimizer="adam", lr=lr)
    net.fit(A, y_train, epochs=epochs, batch_size=batch_size, rng=g)
    return net.accuracy(Bt, y_test)
