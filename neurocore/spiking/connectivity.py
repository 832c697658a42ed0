"""Synaptic connectivity in CSR form and random-graph builders (fixed in-degree, Bernoulli(p)).

A :class:`Connectivity` holds the synapses of one projection, rows = presynaptic neurons:
the targets of presynaptic neuron j are ``indices[indptr[j]:indptr[j+1]]`` (int32), their weights
``weights[...]`` (float32 or float64) or one scalar for all (homogeneous: 4 bytes per synapse),
and optionally per-synapse delays. This is the layout the event-driven kernel
(``nc_spiking_propagate_csr`` in ``csrc/kernels/spiking.c``) reads: only the rows of the
neurons that spiked are touched.
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .. import _validate as v
from .._random import as_generator

__all__ = ["Connectivity", "bernoulli_graph", "fixed_indegree_graph", "from_dense", "check_dale"]


@dataclass
class Connectivity:
    """Synapses of one projection in CSR form (rows = presynaptic neurons).

    Attributes
    ----------
    n_pre, n_post : int
        Sizes of the source and target populations (local indices).
    indptr : (n_pre + 1,) int64
    indices : (n_syn,) int32
        Local postsynaptic index of each synapse.
    weights : (n_syn,) float32 or float64 array, or None
        Per-synapse weights; None means every synapse has weight 1 (scaled by the ``weight``
        given to :meth:`LIFNetwork.connect`).
    delays : (n_syn,) int array or None
        Per-synapse delays in time steps (None: one common delay).
    """
    n_pre: int
    n_post: int
    indptr: np.ndarray
    indices: np.ndarray
    weights: Optional[np.ndarray] = None
    delays: Optional[np.ndarray] = None

    def __post_init__(self):
        self.indptr = np.ascontiguousarray(self.indptr, dtype=np.int64)
        self.indices = np.ascontiguousarray(self.indices, dtype=np.int32)
        if self.indptr.shape != (self.n_pre + 1,):
            raise ValueError(f"argument 'indptr' must have length n_pre + 1 = {self.n_pre + 1}, "
                             f"got {self.indptr.shape[0]}")
        if self.indptr[0] != 0 or np.any(np.diff(self.indptr) < 0):
            raise ValueError("argument 'indptr' must start at 0 and be non-decreasing")
        if self.indices.shape[0] != self.indptr[-1]:
            raise ValueError(f"argument 'indices' must have length indptr[-1] = {self.indptr[-1]}, "
                             f"got {self.indices.shape[0]}")
        if self.indices.size and (self.indices.min() < 0 or self.indices.max() >= self.n_post):
            bad = int(np.flatnonzero((self.indices < 0) | (self.indices >= self.n_post))[0])
            raise IndexError(f"argument 'indices' has index {self.indices[bad]} at position {bad}, "
                             f"outside [0, {self.n_post})")
        if self.weights is not None:
            w = np.asarray(self.weights)
            if w.dtype not in (np.float32, np.float64):
                w = w.astype(np.float64)
            if w.shape != self.indices.shape:
                raise ValueError(f"argument 'weights' must have one weight per synapse "
                                 f"({self.indices.shape[0]}), got shape {w.shape}")
            self.weights = np.ascontiguousarray(w)
        if self.delays is not None:
            d = np.asarray(self.delays)
            if d.shape != self.indices.shape:
                raise ValueError(f"argument 'delays' must have one delay per synapse "
                                 f"({self.indices.shape[0]}), got shape {d.shape}")
            if d.size and d.min() < 0:
                raise ValueError(f"argument 'delays' must be >= 0 steps, got {d.min()}")
            self.delays = np.ascontiguousarray(d, dtype=np.int64)

    @property
    def n_synapses(self):
        return int(self.indices.shape[0])

    @property
    def in_degree(self):
        """Number of incoming synapses of each postsynaptic neuron."""
        return np.bincount(self.indices, minlength=self.n_post)

    @property
    def out_degree(self):
        return np.diff(self.indptr)

    @property
    def pre_indices(self):
        """Presynaptic index of each synapse (the COO row)."""
        return np.repeat(np.arange(self.n_pre, dtype=np.int32), np.diff(self.indptr))

    def nbytes_per_synapse(self):
        """Memory the kernel reads per synapse: 4 (index) + weight bytes (+ 2 with delays)."""
        b = 4
        if self.weights is not None:
            b += self.weights.itemsize
        if self.delays is not None:
            b += 2  # passed to C as uint16
        return b

    def to_dense(self):
        """(n_pre, n_post) matrix W[j, i] = summed weight from j to i."""
        W = np.zeros((self.n_pre, self.n_post))
        w = np.ones(self.n_synapses) if self.weights is None else self.weights.astype(float)
        np.add.at(W, (self.pre_indices, self.indices), w)
        return W

    def with_weights(self, weights, dtype=np.float32):
        """A copy with per-synapse weights (scalar broadcast or array of length n_synapses)."""
        w = np.broadcast_to(np.asarray(weights, dtype=dtype), (self.n_synapses,)).copy()
        return Connectivity(self.n_pre, self.n_post, self.indptr, self.indices, w, self.delays)


def _rows_to_csr(n_pre, n_post, pre, post):
    """CSR from COO pairs sorted by (pre, post)."""
    order = np.lexsort((post, pre))
    pre, post = pre[order], post[order]
    indptr = np.zeros(n_pre + 1, dtype=np.int64)
    np.cumsum(np.bincount(pre, minlength=n_pre), out=indptr[1:])
    return Connectivity(n_pre, n_post, indptr, post.astype(np.int32))


def bernoulli_graph(n_pre, n_post, p, rng=None, autapses=True):
    """Random graph in which each of the n_pre x n_post synapses exists with probability p.

    Parameters
    ----------
    n_pre, n_post : int
    p : float
        Connection probability, 0 <= p <= 1.
    rng : int, Generator or None
    autapses : bool
        With False (only meaningful when source and target are the same population) the
        diagonal j -> j is excluded.

    Returns
    -------
    Connectivity
        Unit weights; scale them with ``LIFNetwork.connect(weight=...)``.
    """
    n_pre, n_post = v.count(n_pre, "n_pre", 1), v.count(n_post, "n_post", 1)
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"argument 'p' must be a probability in [0, 1], got {p}")
    gen = as_generator(rng)
    rows = max(1, (1 << 22) // n_post)   # bound the temporary mask to 4M entries
    indptr = np.zeros(n_pre + 1, dtype=np.int64)
    parts = []
    for r0 in range(0, n_pre, rows):
        r1 = min(n_pre, r0 + rows)
        mask = gen.random((r1 - r0, n_post)) < p
        if not autapses:
            d = np.arange(r0, min(r1, n_post))
            mask[d - r0, d] = False
        indptr[r0 + 1:r1 + 1] = np.count_nonzero(mask, axis=1)
        parts.append(np.nonzero(mask)[1].astype(np.int32))
    np.cumsum(indptr, out=indptr)
    return Connectivity(n_pre, n_post, indptr, np.concatenate(parts) if parts else np.zeros(0, np.int32))


def fixed_indegree_graph(n_pre, n_post, k, rng=None, autapses=True):
    """Random graph in which every postsynaptic neuron receives exactly k synapses from k distinct
    presynaptic neurons chosen uniformly.

    Returns
    -------
    Connectivity
        Unit weights, rows = presynaptic neurons.
    """
    n_pre, n_post = v.count(n_pre, "n_pre", 1), v.count(n_post, "n_post", 1)
    k = v.count(k, "k", 0)
    limit = n_pre - (0 if autapses else 1)
    if k > limit:
        raise ValueError(f"argument 'k' (={k}) exceeds the {limit} available presynaptic neurons")
    gen = as_generator(rng)
    rows = max(1, (1 << 22) // n_pre)
    pre_parts, post_parts = [], []
    for c0 in range(0, n_post, rows):
        c1 = min(n_post, c0 + rows)
        keys = gen.random((c1 - c0, n_pre))
        if not autapses:
            d = np.arange(c0, min(c1, n_pre))
            keys[d - c0, d] = 2.0  # never among the k smallest
        pick = np.argpartition(keys, k, axis=1)[:, :k] if k < n_pre else np.tile(np.arange(n_pre), (c1 - c0, 1))
        pre_parts.append(pick.ravel())
        post_parts.append(np.repeat(np.arange(c0, c1), k))
    pre = np.concatenate(pre_parts).astype(np.int64)
    post = np.concatenate(post_parts).astype(np.int64)
    return _rows_to_csr(n_pre, n_post, pre, post)


def from_dense(W, dtype=np.float64, threshold=0.0):
    """CSR of a dense matrix ``W[j, i]`` (presynaptic j, postsynaptic i); entries with
    ``|W| <= threshold`` are dropped."""
    W = np.asarray(W, dtype=float)
    if W.ndim != 2:
        raise ValueError(f"argument 'W' must be 2-dimensional (n_pre, n_post), got shape {W.shape}")
    pre, post = np.nonzero(np.abs(W) > threshold)
    c = _rows_to_csr(W.shape[0], W.shape[1], pre, post)
    order = np.lexsort((post, pre))
    c.weights = np.ascontiguousarray(W[pre[order], post[order]].astype(dtype))
    return c


def check_dale(conn, weight, sign):
    """Raise ValueError unless every effective weight ``weight * conn.weights`` has the sign of the
    presynaptic population (sign = +1 excitatory, -1 inhibitory, 0 to skip)."""
    if sign == 0:
        return
    w = np.asarray(weight, dtype=float) * (1.0 if conn.weights is None else conn.weights.astype(float))
    bad = (w * sign) < 0
    if np.any(bad):
        kind = "excitatory" if sign > 0 else "inhibitory"
        raise ValueError(f"Dale's law: a projection from an {kind} population has "
                         f"{int(np.count_nonzero(bad))} weight(s) of the wrong sign")
