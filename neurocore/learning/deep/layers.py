"""Layers of the feed-forward substrate: dense and convolutional (NHWC, im2col in C).

A layer owns its parameters (``W``, ``b``), its update buffers (``gW``, ``gb``: the last computed
update direction, in gradient sign convention), its optimiser state and its *feedback*: how the
error at its output is sent to its input (``feedback`` = 'bp', 'fa', 'sign', 'ndi', 'di' or
'none') and, for direct schemes (DFA, GEVB), the matrix ``D`` that broadcasts the output error to
its own units.
"""
import numpy as np

from ..._random import as_generator
from ... import _validate as v
from .. import _learning

ACT = dict(_learning.ACT_CODES)
FEEDBACK = dict(_learning.FEEDBACK_CODES)


class Layer:
    """Common state of dense and convolutional layers (not used directly)."""

    kind = -1

    def _init_state(self, w_shape, b_shape, act, rows_in, rows_out):
        self.act = act
        v.choice(act, "act", ACT)
        self.rows_in, self.rows_out = int(rows_in), int(rows_out)
        self.gW = np.zeros(w_shape)
        self.gb = np.zeros(b_shape)
        self.mW, self.vW = np.zeros(w_shape), np.zeros(w_shape)
        self.mb, self.vb = np.zeros(b_shape), np.zeros(b_shape)
        self.feedback = "bp"
        self.B = None          # FA matrix, SIGN magnitudes or DI/NDI feedback (shaped like W)
        self.D = None          # direct feedback (n_out x n_err) for DFA / GEVB
        self.sign_norm = False
        self.alpha = 0.0
        self.di_dt = 0.5
        self.di_steps = 1000
        self.clip = 0.0
        self.trainable = True
        self.nonneg = False
        self.t = None          # TRELU gate signs (channels x K)
        self.vnn_in = False

    def _set_params(self, W, b, w_shape, b_shape):
        W = np.array(W, dtype=float, copy=True)
        b = np.zeros(b_shape) if b is None else np.array(b, dtype=float, copy=True)
        if W.shape != tuple(w_shape):
            raise ValueError(f"{self.name}: argument 'W' must have shape {tuple(w_shape)}, got {W.shape}")
        if b.shape != tuple(b_shape):
            raise ValueError(f"{self.name}: argument 'b' must have shape {tuple(b_shape)}, got {b.shape}")
        self.W, self.b = np.ascontiguousarray(W), np.ascontiguousarray(b)

    def reset_optimizer(self):
        for a in (self.mW, self.vW, self.mb, self.vb):
            a[...] = 0.0

    def spec(self):
        """The dict the C kernels read (arrays are shared, not copied)."""
        d = dict(kind=self.kind, vnn_in=int(self.vnn_in), act=ACT[self.act], n_in=self.n_in, n_out=self.n_out,
                 rows_in=self.rows_in, rows_out=self.rows_out, W=self.W, b=self.b, gW=self.gW, gb=self.gb,
                 mW=self.mW, vW=self.vW, mb=self.mb, vb=self.vb, feedback=FEEDBACK[self.feedback], B=self.B,
                 D=self.D, sign_norm=int(self.sign_norm), alpha=float(self.alpha), di_dt=float(self.di_dt),
                 di_steps=int(self.di_steps), clip=float(self.clip), trainable=int(self.trainable),
                 nonneg=int(self.nonneg), t=self.t)
        d.update(self._geometry())
        return d

    def _geometry(self):
        return {}

    def __repr__(self):
        return self.name


class Dense(Layer):
    """Fully connected layer ``z = W a + b``, ``a_out = phi(z)``.

    Parameters
    ----------
    n_in, n_out : int
        Input and output units.
    act : {'relu', 'tanh', 'sigmoid', 'linear', 'trelu'}
        Nonlinearity phi ('trelu': the vector-gated ReLU of VNNs, needs ``t``).
    W : (n_out, n_in) array, optional
        Initial weights (copied). Default: N(0, gain^2 / n_in) with gain sqrt(2) for relu, 1 otherwise,
        or U(-init_scale, init_scale) when ``init_scale`` is given.
    b : (rows_out, n_out) array, optional
        Biases (per vector component in VNNs). Default 0.
    rows : int
        Rows per sample (K for vector units, 1 otherwise).
    vnn_in : bool
        First layer of a VNN: the input is expanded block-diagonally over K = rows components;
        W is then (n_out, K * n_in).
    init_scale : float, optional
    rng : int, Generator or None
    name : str, optional
    """

    kind = 0

    def __init__(self, n_in, n_out, act="relu", W=None, b=None, rows=1, vnn_in=False, init_scale=None, rng=None,
                 name=None):
        self.n_in = v.count(n_in, "n_in", 1)
        self.n_out = v.count(n_out, "n_out", 1)
        rows = v.count(rows, "rows", 1)
        self.name = name or f"Dense({self.n_in}->{self.n_out}, {act})"
        cols = self.n_in * (rows if vnn_in else 1)
        w_shape, b_shape = (self.n_out, cols), (rows, self.n_out)
        if W is None:
            g = as_generator(rng)
            if init_scale is not None:
                W = g.uniform(-init_scale, init_scale, w_shape)
            else:
                gain = np.sqrt(2.0) if act == "relu" else 1.0
                W = g.standard_normal(w_shape) * gain / np.sqrt(self.n_in)
        self._init_state(w_shape, b_shape, act, 1 if vnn_in else rows, rows)
        self.vnn_in = bool(vnn_in)
        self._set_params(W, b, w_shape, b_shape)


class Conv2d(Layer):
    """2-D convolution on NHWC activations, through im2col and one GEMM per batch.

    Parameters
    ----------
    in_shape : (H, W, C)
        Input height, width and channels (activations are channel-fastest per row).
    c_out : int
        Output channels.
    kernel : int or (kh, kw)
    stride, pad : int
        Stride and zero padding.
    act : str
    W : (c_out, kh*kw*C) array, optional
        Kernel in (ky, kx, c) order; default N(0, gain^2 / (kh kw C)). For ``vnn_in`` layers
        (c_out * K, kh*kw*C): K consecutive kernels, one per vector component.
    b : (rows_out, c_out) array, optional
    rows, vnn_in, init_scale, rng, name : as for Dense.
    """

    kind = 1

    def __init__(self, in_shape, c_out, kernel=3, stride=1, pad=0, act="relu", W=None, b=None, rows=1,
                 vnn_in=False, init_scale=None, rng=None, name=None):
        if len(in_shape) != 3:
            raise ValueError(f"argument 'in_shape' must be (H, W, C), got {in_shape!r}")
        self.h_in, self.w_in, self.c_in = (v.count(int(s), "in_shape", 1) for s in in_shape)
        self.c_out = v.count(c_out, "c_out", 1)
        kh, kw = (kernel, kernel) if np.ndim(kernel) == 0 else kernel
        self.kh, self.kw = v.count(int(kh), "kernel", 1), v.count(int(kw), "kernel", 1)
        self.stride = v.count(stride, "stride", 1)
        self.pad = v.count(pad, "pad", 0)
        self.h_out = (self.h_in + 2 * self.pad - self.kh) // self.stride + 1
        self.w_out = (self.w_in + 2 * self.pad - self.kw) // self.stride + 1
        if self.h_out < 1 or self.w_out < 1:
            raise ValueError(f"argument 'kernel' ({self.kh}x{self.kw}) does not fit the padded input "
                             f"{self.h_in}x{self.w_in} (pad {self.pad})")
        rows = v.count(rows, "rows", 1)
        self.n_in = self.h_in * self.w_in * self.c_in
        self.n_out = self.h_out * self.w_out * self.c_out
        self.out_shape = (self.h_out, self.w_out, self.c_out)
        self.name = name or (f"Conv2d({self.h_in}x{self.w_in}x{self.c_in} -> {self.h_out}x{self.w_out}x{self.c_out}, "
                             f"{self.kh}x{self.kw}/{self.stride}, {act})")
        ckk = self.kh * self.kw * self.c_in
        w_shape, b_shape = (self.c_out * (rows if vnn_in else 1), ckk), (rows, self.c_out)
        if W is None:
            g = as_generator(rng)
            if init_scale is not None:
                W = g.uniform(-init_scale, init_scale, w_shape)
            else:
                gain = np.sqrt(2.0) if act == "relu" else 1.0
                W = g.standard_normal(w_shape) * gain / np.sqrt(ckk)
        self._init_state(w_shape, b_shape, act, 1 if vnn_in else rows, rows)
        self.vnn_in = bool(vnn_in)
        self._set_params(W, b, w_shape, b_shape)

    def _geometry(self):
        return dict(h_in=self.h_in, w_in=self.w_in, c_in=self.c_in, h_out=self.h_out, w_out=self.w_out,
                    c_out=self.c_out, kh=self.kh, kw=self.kw, stride=self.stride, pad=self.pad)
