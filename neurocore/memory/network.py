"""Kernel memory networks (Iatropoulos, Brea & Gerstner, NeurIPS 2022). Kernels: csrc/kernels/memory.c.

Each output neuron i is trained independently, with minimum weight norm in the kernel's feature
space, either to interpolate its targets (continuous outputs) or to classify them with maximal
margin (binary outputs, a hard-margin SVM without bias). For an auto-associative memory the
targets are the patterns themselves and retrieval iterates the map.
"""
from dataclasses import dataclass

import numpy as np

from .._progress import progress_callback
from .. import _validate as v
from .._random import as_generator
from . import _memory
from .kernels import MemoryKernel, as_kernel

SingularGramError = _memory.SingularGramError
_MODES = {"sync": 0, "synchronous": 0, "async": 1, "asynchronous": 1}
_ACTIVATIONS = {"identity": 0, "sign": 1}
_RULES = ("interpolation", "classification", "hebbian")
STATE_NAMES = {0: "running", _memory.FIXED_POINT: "fixed point", _memory.CYCLE: "2-cycle"}


@dataclass
class RecallResult:
    """Outcome of retrieval for a batch of cues.

    states : (B, n) array
        Final states (one-step output when ``steps=1``).
    sweeps : (B,) int array
        Sweeps used (a sweep updates every unit once).
    converged : (B,) bool array
        True where a fixed point was reached (always True for one-step retrieval).
    cycle : (B,) bool array
        True where synchronous dynamics ended in a 2-cycle.
    """
    states: np.ndarray
    sweeps: np.ndarray
    converged: np.ndarray
    cycle: np.ndarray


def _as_patterns(patterns, name="patterns"):
    X = np.asarray(patterns, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"argument '{name}' must be a 2-D array (P patterns, n dimensions), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"argument '{name}' must be finite")
    return np.ascontiguousarray(X)


def _duplicates(X):
    """First pair (i, j), i < j, of identical rows, or None."""
    _, idx, inv = np.unique(X, axis=0, return_index=True, return_inverse=True)
    inv = np.ravel(inv)
    if len(idx) == X.shape[0]:
        return None
    for j in range(X.shape[0]):
        i = idx[inv[j]]
        if i != j:
            return int(min(i, j)), int(max(i, j))
    return None


def _is_binary(Y):
    return bool(np.all((Y == 1.0) | (Y == -1.0)))


class KernelMemory:
    """A kernel memory network: stored pairs (x^mu, y^mu), kernel K, read-out ``h = A k(x)``.

    Parameters
    ----------
    patterns : (P, n) array
        Stored keys x^mu (+-1 or continuous).
    targets : (P, m) array, optional
        Stored values y^mu; default the patterns (auto-association).
    kernel : MemoryKernel or {'linear', 'polynomial', 'exponential'}
        See :mod:`neurocore.memory.kernels`; ``degree``/``beta`` configure the named ones.
    rule : {'interpolation', 'classification', 'hebbian'}
        'interpolation': minimum-norm interpolation, read-out ``A = Y^T (K + ridge I)^-1``
        (every stored pair is reproduced exactly when K is positive definite).
        'classification': one hard-margin (C = inf) or soft-margin SVM per output neuron on the signs
        of the targets, read-out ``A_i = alpha_i o y_i`` (maximal margin, i.e. noise robustness).
        'hebbian': constant coefficients, ``A = Y^T`` (the classical special cases).
    ridge : float
        Added to the Gram diagonal (interpolation only); 0 means exact interpolation.
    C, svm_tol, max_sweeps : SVM box constraint (inf = hard margin), KKT tolerance and sweep cap.
    softmax_readout : bool
        Divide the read-out by ``sum_mu k_mu`` (modern Hopfield with the exponential kernel).
    self_coupling : float
        Added ``self_coupling * x`` to the field (auto-association), e.g. ``-P/n`` removes the
        Hebbian self-coupling.
    activation : {'sign', 'identity'}, optional
        Output non-linearity; default 'sign' when all targets are +-1, else 'identity'.

    Raises
    ------
    SingularGramError
        The Gram matrix is singular (duplicate or linearly dependent patterns); the message names
        the duplicated patterns when there are any.
    """

    def __init__(self, patterns, targets=None, kernel="linear", rule="interpolation", *, degree=3, beta=1.0,
                 ridge=0.0, C=np.inf, svm_tol=1e-6, max_sweeps=20000, softmax_readout=False,
                 self_coupling=0.0, activation=None):
        X = _as_patterns(patterns)
        Y = X if targets is None else _as_patterns(targets, "targets")
        if Y.shape[0] != X.shape[0]:
            raise ValueError(f"argument 'targets' must have one row per pattern ({X.shape[0]}), got {Y.shape[0]} rows")
        if rule not in _RULES:
            raise ValueError(f"argument 'rule' must be one of {list(_RULES)}, got {rule!r}")
        self.kernel = as_kernel(kernel, degree=degree, beta=beta)
        self.patterns, self.targets, self.rule = X, Y, rule
        self.P, self.n = X.shape
        self.m = Y.shape[1]
        self.softmax_readout = bool(softmax_readout)
        self.self_coupling = float(self_coupling)
        if activation is None:
            activation = "sign" if _is_binary(Y) else "identity"
        v.choice(activation, "activation", _ACTIVATIONS)
        self.activation = activation
        self.svm_converged = None
        self.svm_sweeps = None
        ridge = v.nonnegative(ridge, "ridge")
        if rule == "interpolation":
            dup = _duplicates(X)
            if dup is not None and ridge == 0:
                raise SingularGramError(
                    f"argument 'patterns': patterns {dup[0]} and {dup[1]} are identical, so the kernel Gram "
                    f"matrix is singular and minimum-norm interpolation is undefined. Remove duplicate "
                    f"patterns or pass ridge > 0.")
            self.readout = _memory.fit_interpolation(X, Y, ridge=ridge, **self.kernel.c_args(self.n))
        elif rule == "classification":
            G = self.gram()
            labels = np.where(Y >= 0, 1.0, -1.0).T.copy()
            A, sweeps, conv = _memory.svm_fit(G, labels, C=float(C), tol=v.positive(svm_tol, "svm_tol"),
                                              max_sweeps=v.count(max_sweeps, "max_sweeps", 1))
            self.readout, self.svm_sweeps, self.svm_converged = A, sweeps, conv.astype(bool)
        else:
            self.readout = np.ascontiguousarray(Y.T)

    def gram(self):
        """The P x P Gram matrix ``K(x^mu, x^nu)``."""
        return _memory.kernel_matrix(self.patterns, self.patterns, **self.kernel.c_args(self.n))

    def kernel_vector(self, cues):
        """``k(x)_mu = K(x^mu, x)`` for each cue: (B, P)."""
        cues = np.atleast_2d(np.asarray(cues, dtype=float))
        return _memory.kernel_matrix(cues, self.patterns, **self.kernel.c_args(self.n))

    def field(self, cues):
        """The read-out before the non-linearity, ``A k(x) (+ self_coupling x)``: (B, m)."""
        return self._step(cues, activation="identity")

    def _c_net(self, activation=None):
        act = self.activation if activation is None else activation
        return dict(self.kernel.c_args(self.n), self_coupling=self.self_coupling,
                    softmax=int(self.softmax_readout), activation=_ACTIVATIONS[act])

    def _step(self, cues, activation=None, progress=False):
        cues = _as_patterns(np.atleast_2d(np.asarray(cues, dtype=float)), "cues")
        if cues.shape[1] != self.n:
            raise ValueError(f"argument 'cues' must have n = {self.n} columns (the pattern dimension), got {cues.shape[1]}")
        return _memory.recall_step(self.patterns, self.readout, cues, progress=progress_callback(progress, len(cues), "recall"),
                                   **self._c_net(activation))

    def recall(self, cues, steps=1, mode="sync", tol=1e-12, rng=None, progress=False):
        """Retrieve from cues; see :func:`kernel_memory_recall`."""
        return kernel_memory_recall(self, cues, steps=steps, mode=mode, tol=tol, rng=rng, progress=progress)

    def margins(self):
        """Per output neuron: the geometric margin ``min_mu y_i^mu f_i(x^mu) / ||w_i||`` in feature
        space (the noise robustness maximised by the SVM rule), with ``||w_i||^2 = a_i^T K a_i``."""
        G = self.gram()
        F = self.readout @ G                     # f_i(x^mu), (m, P)
        Ysgn = np.where(self.targets.T >= 0, 1.0, -1.0)
        norms = np.sqrt(np.maximum(np.einsum("ip,pq,iq->i", self.readout, G, self.readout), 0.0))
        return (Ysgn * F).min(axis=1) / norms


def kernel_memory_recall(memory, cues, steps=1, mode="sync", tol=1e-12, rng=None, progress=False):
    """Retrieval in a kernel memory network, in C.

    Parameters
    ----------
    memory : KernelMemory
    cues : (n,) or (B, n) array
        Retrieval cues (e.g. stored patterns with flipped bits or added noise).
    steps : int or None
        1: one synchronous step (hetero-association allowed). k > 1: at most k sweeps of the
        recurrent dynamics ``x <- act(A k(x))`` (auto-association, m == n). None: until a fixed
        point (or 2-cycle), at most 1000 sweeps.
    mode : {'sync', 'async'}
        Synchronous updates, or one unit at a time in a random order per sweep (``rng``).
    tol : float
        Fixed-point tolerance for the identity activation (max absolute change).
    rng : int, Generator or None
        Draws the asynchronous update order.
    progress : bool or callable(done, total)

    Returns
    -------
    RecallResult
    """
    cues2 = np.atleast_2d(np.asarray(cues, dtype=float))
    mode_code = v.choice(mode, "mode", _MODES)
    if steps == 1 and mode_code == 0:
        out = memory._step(cues2, progress=progress)
        B = out.shape[0]
        return RecallResult(out, np.ones(B, dtype=np.int64), np.ones(B, dtype=bool), np.zeros(B, dtype=bool))
    max_sweeps = 1000 if steps is None else v.count(steps, "steps", 1)
    bitgen = as_generator(rng).bit_generator if mode_code == 1 else None
    cues2 = _as_patterns(cues2, "cues")
    x, sweeps, state = _memory.recall_iterate(memory.patterns, memory.readout, cues2, max_sweeps=max_sweeps,
                                             mode=mode_code, tol=v.nonnegative(tol, "tol"), bitgen=bitgen,
                                             progress=progress_callback(progress, len(cues2), "recall"),
                                             **memory._c_net())
    return RecallResult(x, sweeps, state == _memory.FIXED_POINT, state == _memory.CYCLE)
