"""Feed-forward networks trained by backprop or by a biologically plausible credit-assignment rule.

Everything numerical (forward pass, output error, the feedback operators, the outer-product
updates, the optimiser) runs in C per mini-batch (``csrc/kernels/learning.c``); an epoch is one C
call. The rule is set per layer by :meth:`Network.set_rule`.
"""
from dataclasses import dataclass, field

import numpy as np

from ..._random import as_generator
from ... import _validate as v
from .. import _learning
from .layers import Layer

OPTIMIZERS = dict(_learning.OPT_CODES)
LOSSES = dict(_learning.LOSS_CODES)

#: Credit-assignment rules understood by :meth:`Network.set_rule`.
RULES = ("bp", "fa", "dfa", "sign", "ndi", "pbp", "di", "gevb")


@dataclass
class History:
    """Per-epoch training record: mean training loss and accuracy, and evaluation accuracies."""
    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    eval_epoch: list = field(default_factory=list)
    eval_acc: list = field(default_factory=list)


class Network:
    """A stack of layers with an output loss and an optimiser.

    Parameters
    ----------
    layers : list of Dense / Conv2d
        Layer l's output (n_out, rows_out) must be layer l+1's input.
    loss : {'cross_entropy', 'mse'}
        Softmax cross-entropy on the outputs (output error e = softmax - onehot), or squared error
        ``0.5 |out - target|^2`` (e = out - target). Both averaged over the batch.
    optimizer : {'sgd', 'adam', 'batch_manhattan'}
        Batch Manhattan steps every parameter by ``lr * sign(batch update)`` (Liao et al. 2016).
    lr, momentum, beta1, beta2, eps, weight_decay : float
        Optimiser settings (momentum applies to sgd and batch_manhattan, after the sign).
    """

    def __init__(self, layers, loss="cross_entropy", optimizer="adam", lr=1e-3, momentum=0.0, beta1=0.9,
                 beta2=0.999, eps=1e-8, weight_decay=0.0):
        layers = list(layers)
        if not layers:
            raise ValueError("argument 'layers' must hold at least one layer")
        for i, L in enumerate(layers):
            if not isinstance(L, Layer):
                raise TypeError(f"argument 'layers' item {i} must be a Dense or Conv2d layer, got {type(L).__name__}")
        for i in range(1, len(layers)):
            a, b = layers[i - 1], layers[i]
            if a.n_out != b.n_in or a.rows_out != b.rows_in:
                raise ValueError(f"layer {i - 1} ({a.name}) outputs {a.n_out} features x {a.rows_out} rows per "
                                 f"sample but layer {i} ({b.name}) expects {b.n_in} x {b.rows_in}")
            if b.vnn_in:
                raise ValueError(f"layer {i} ({b.name}): only the first layer may expand its input (vnn_in)")
        self.layers = layers
        self.loss_name = loss
        self.config = dict(loss=v.choice(loss, "loss", LOSSES), opt=v.choice(optimizer, "optimizer", OPTIMIZERS),
                           lr=v.positive(lr, "lr"), momentum=v.nonnegative(momentum, "momentum"),
                           beta1=float(beta1), beta2=float(beta2), eps=v.positive(eps, "eps"),
                           weight_decay=v.nonnegative(weight_decay, "weight_decay"), adam_t=0)
        self.rule = "bp"

    # ------------------------------------------------------------------ basics
    @property
    def n_inputs(self):
        return self.layers[0].n_in

    @property
    def n_outputs(self):
        """Outputs per sample (logits): rows_out * n_out of the last layer."""
        last = self.layers[-1]
        return last.rows_out * last.n_out

    def _specs(self):
        return [L.spec() for L in self.layers]

    def _X(self, X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"argument 'X' must have shape (n, {self.n_inputs}), got {X.shape}")
        return X

    def forward(self, X, batch=256):
        """Network output (n, n_outputs): logits for cross-entropy, predictions for mse."""
        return _learning.forward(self._specs(), self.config, self._X(X), batch=batch)

    def predict(self, X):
        """Class predictions (argmax of the output)."""
        return np.argmax(self.forward(X), axis=1)

    def accuracy(self, X, y):
        """Fraction of correctly classified samples."""
        y = np.asarray(y)
        return float(np.mean(self.predict(X) == y))

    def loss(self, X, y=None, target=None):
        """Batch-mean loss on (X, y) or (X, target), without updating anything."""
        return self.updates(X, y, target)[1]

    def updates(self, X, y=None, target=None):
        """The update directions the current rule computes on one batch, without applying them.

        Returns
        -------
        list of (gW, gb)
            Per layer, in gradient sign convention (the step is ``W -= lr * gW`` for SGD); under
            'bp' these are the exact gradients of the batch-mean loss.
        loss : float
        """
        y = None if y is None else np.asarray(y, dtype=np.int64)
        loss, _, _ = _learning.step(self._specs(), self.config, self._X(X), y=y, target=target, apply=False)
        return [(L.gW.copy(), L.gb.copy()) for L in self.layers], loss

    def step(self, X, y=None, target=None):
        """One optimiser step on the batch; returns the batch loss."""
        y = None if y is None else np.asarray(y, dtype=np.int64)
        loss, _, t = _learning.step(self._specs(), self.config, self._X(X), y=y, target=target, apply=True)
        self.config["adam_t"] = t
        return loss

    def train_epoch(self, X, y=None, target=None, batch_size=32, rng=None, progress=None):
        """One pass over the data in random mini-batches (one C call). Returns (mean loss, accuracy)."""
        X = self._X(X)
        batch_size = v.count(batch_size, "batch_size", 1)
        perm = as_generator(rng).permutation(X.shape[0]).astype(np.int64)
        y = None if y is None else np.asarray(y, dtype=np.int64)
        loss, correct, t = _learning.train(self._specs(), self.config, X, y, target, perm, batch_size,
                                           progress=progress)
        self.config["adam_t"] = t
        return loss, correct / max(X.shape[0], 1)

    def fit(self, X, y=None, target=None, epochs=10, batch_size=32, rng=None, X_eval=None, y_eval=None,
            eval_every=1):
        """Train for ``epochs`` epochs; evaluate accuracy on (X_eval, y_eval) every ``eval_every``.

        Returns
        -------
        History
        """
        rng = as_generator(rng)
        epochs = v.count(epochs, "epochs", 0)
        h = History()
        for ep in range(epochs):
            loss, acc = self.train_epoch(X, y, target, batch_size, rng)
            h.loss.append(loss)
            h.train_acc.append(acc)
            if X_eval is not None and ((ep + 1) % eval_every == 0 or ep == epochs - 1):
                h.eval_epoch.append(ep + 1)
                h.eval_acc.append(self.accuracy(X_eval, y_eval))
        return h

    # ------------------------------------------------------------------ rules
    def set_rule(self, rule, rng=None, fa_scale=None, dfa_scale=1.0, sign_magnitude="uniform", sign_norm=True,
                 alpha=0.01, feedback="current", di_dt=0.5, di_steps=1000, clip=0.0, last_layer_bp=False):
        """Choose the credit-assignment rule for every layer.

        Parameters
        ----------
        rule : {'bp', 'fa', 'dfa', 'sign', 'ndi', 'pbp', 'di', 'gevb'}
            'bp' backprop; 'fa' feedback alignment (fixed random B, Lillicrap et al. 2016);
            'dfa' direct feedback alignment (fixed random D_l broadcasting e to layer l, Nokland
            2016); 'sign' sign-concordant feedback sign(W) o M (Liao et al. 2016, Moskovitz et al.
            2018); 'ndi' / 'di' dynamic inversion at steady state / integrated in time (Podlaski &
            Machens 2020); 'pbp' pseudo-backprop (= ndi with alpha = 0, B = -W^T); 'gevb' global
            error-vector broadcasting in vectorized nonnegative networks (Clark et al. 2021): every
            hidden unit receives the output error vector e, gated by its own tReLU gate.
        rng : int, Generator or None
            Draws the fixed random feedback.
        fa_scale : float, optional
            FA: B ~ N(0, fa_scale^2); default the standard deviation of W at the time of the call.
        dfa_scale : float
            DFA: D_l ~ N(0, dfa_scale^2 / n_classes).
        sign_magnitude : {'uniform', 'random'}
            'uniform' (uSF): |B| = 1; 'random' (frSF): fixed random magnitudes |R|.
        sign_norm : bool
            Rescale the sign feedback to the Frobenius norm of W every step (the scaling trick).
        alpha : float
            DI/NDI controller leak (0 allowed for contracting layers).
        feedback : {'current', 'fixed'} or list of arrays
            DI/NDI feedback B: 'current' uses -W^T of the current weights, 'fixed' freezes -W^T at
            the time of the call (the authors' setting), or one array per layer 1.. shaped like W.
        di_dt, di_steps : float, int
            DI Euler step (units of tau) and number of steps.
        clip : float
            > 0: clip each sample's propagated error to this norm (the DI scripts use 10 / 1).
        last_layer_bp : bool
            Keep true backprop through the last layer (the default of the sign-symmetry package).
        """
        if rule not in RULES:
            raise ValueError(f"argument 'rule' must be one of {list(RULES)}, got {rule!r}")
        rng = as_generator(rng)
        L = self.layers
        n_err = L[-1].n_out
        for i, layer in enumerate(L):
            layer.feedback, layer.B, layer.D = "bp", None, None
            layer.sign_norm, layer.clip = False, float(clip)
            layer.alpha, layer.di_dt, layer.di_steps = float(alpha), float(di_dt), int(di_steps)
        for i, layer in enumerate(L):
            if i == 0:
                continue  # layer 0 sends nothing down
            if rule == "fa":
                s = fa_scale if fa_scale is not None else float(np.std(layer.W))
                layer.feedback, layer.B = "fa", rng.standard_normal(layer.W.shape) * s
            elif rule == "sign":
                layer.feedback, layer.sign_norm = "sign", bool(sign_norm)
                if sign_magnitude == "random":
                    layer.B = np.abs(rng.standard_normal(layer.W.shape))
                elif sign_magnitude != "uniform":
                    raise ValueError(f"argument 'sign_magnitude' must be 'uniform' or 'random', got {sign_magnitude!r}")
            elif rule in ("ndi", "pbp", "di"):
                if layer.kind != 0 or layer.rows_out != 1:
                    raise ValueError(f"layer {i} ({layer.name}): dynamic inversion is implemented for dense layers")
                layer.feedback = "di" if rule == "di" else "ndi"
                if rule == "pbp":
                    layer.alpha, layer.B = 0.0, None
                elif isinstance(feedback, str):
                    if feedback == "fixed":
                        layer.B = -layer.W.copy()
                    elif feedback != "current":
                        raise ValueError(f"argument 'feedback' must be 'current', 'fixed' or a list, got {feedback!r}")
                else:
                    layer.B = np.array(feedback[i - 1], dtype=float)
            elif rule in ("dfa", "gevb"):
                layer.feedback = "none"
        if rule in ("dfa", "gevb"):
            for i, layer in enumerate(L[:-1]):
                if rule == "dfa":
                    layer.D = rng.standard_normal((layer.n_out, n_err)) * (dfa_scale / np.sqrt(n_err))
                else:
                    if layer.rows_out != L[-1].rows_out or n_err != 1:
                        raise ValueError("rule 'gevb' needs a vectorized network (see vnn_mlp / vnn_convnet): "
                                         "K rows per sample everywhere and one vector output unit")
                    layer.D = np.ones((layer.n_out, 1))
        if last_layer_bp and len(L) > 1 and rule in ("fa", "sign"):
            L[-1].feedback, L[-1].B, L[-1].sign_norm = "bp", None, False
        self.rule = rule
        return self

    def reset_optimizer(self):
        self.config["adam_t"] = 0
        for L in self.layers:
            L.reset_optimizer()

    def __repr__(self):
        inner = ",\n  ".join(L.name for L in self.layers)
        return f"Network(rule={self.rule!r}, loss={self.loss_name!r},\n  {inner})"
