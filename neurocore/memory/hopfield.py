"""The classic memories as first-class models, each with the kernel network it equals.

* :class:`HopfieldNetwork` (Hopfield 1982; projection rule of Personnaz et al. 1985 and Kanter &
  Sompolinsky 1987): an explicit n x n weight matrix and sign dynamics.
* :class:`ModernHopfield` (Ramsauer et al. 2020): ``x <- X^T softmax(beta X x)``, streamed in C.
* :class:`SparseDistributedMemory` (Kanerva 1988): explicit hard locations with counters.
"""
import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _memory
from .kernels import MemoryKernel, exponential_kernel, linear_kernel, sdm_kernel
from .._progress import progress_callback as _progress
from .network import _MODES, KernelMemory, RecallResult, _as_patterns


class HopfieldNetwork:
    """Binary Hopfield network ``x_i <- sgn(sum_j W_ij x_j)`` with a stored weight matrix.

    Parameters
    ----------
    patterns : (P, n) array of +-1
    rule : {'hebbian', 'projection'}
        'hebbian': ``W = X^T X / n`` (Hopfield 1982). 'projection': ``W = X^T (X X^T)^-1 X``, the
        pseudo-inverse rule; every pattern is an exact fixed point for P < n.
    zero_diagonal : bool, optional
        Remove self-couplings; default True for 'hebbian' (the 0.138 n capacity assumes it), False
        for 'projection' (the kernel-network form keeps ``diag = P/n`` on average).

    Notes
    -----
    ``as_kernel_memory()`` returns the kernel network with identical dynamics: the linear kernel
    with a constant read-out and ``self_coupling = -P/n`` (Hebbian), or with the interpolation
    read-out (projection).
    """

    def __init__(self, patterns, rule="hebbian", zero_diagonal=None):
        X = _as_patterns(patterns)
        if rule not in ("hebbian", "projection"):
            raise ValueError(f"argument 'rule' must be 'hebbian' or 'projection', got {rule!r}")
        self.patterns, self.rule = X, rule
        self.P, self.n = X.shape
        self.zero_diagonal = (rule == "hebbian") if zero_diagonal is None else bool(zero_diagonal)
        if rule == "hebbian":
            W = X.T @ X / self.n
        else:
            A = _memory.fit_interpolation(X, X, **linear_kernel().c_args(self.n))   # X^T K^-1, (n, P)
            W = A @ X / self.n
        if self.zero_diagonal:
            np.fill_diagonal(W, 0.0)
        self.W = np.ascontiguousarray(W)

    def as_kernel_memory(self):
        """The equal kernel memory network (see class notes)."""
        if self.rule == "hebbian":
            if not np.all(np.abs(self.patterns) == 1):
                raise ValueError("the Hebbian self-coupling correction needs +-1 patterns")
            return KernelMemory(self.patterns, kernel=linear_kernel(), rule="hebbian",
                                self_coupling=-self.P / self.n if self.zero_diagonal else 0.0, activation="sign")
        if self.zero_diagonal:
            raise ValueError("a zero-diagonal projection network has no scalar-self-coupling kernel form")
        return KernelMemory(self.patterns, kernel=linear_kernel(), rule="interpolation", activation="sign")

    def recall(self, cues, steps=None, mode="async", rng=None, progress=False):
        """Run the dynamics from cues ((n,) or (B, n)); same conventions as kernel_memory_recall
        (steps=None: until a fixed point, at most 1000 sweeps). Returns RecallResult."""
        cues = _as_patterns(np.atleast_2d(np.asarray(cues, dtype=float)), "cues")
        mode_code = v.choice(mode, "mode", _MODES)
        max_sweeps = 1000 if steps is None else v.count(steps, "steps", 1)
        bitgen = as_generator(rng).bit_generator if mode_code == 1 else None
        x, sw, st = _memory.weights_iterate(self.W, cues, max_sweeps=max_sweeps, mode=mode_code, bitgen=bitgen,
                                            progress=_progress(progress, len(cues), "Hopfield"))
        return RecallResult(x, sw, st == _memory.FIXED_POINT, st == _memory.CYCLE)


def modern_hopfield_retrieve(patterns, queries, beta):
    """One step of the modern Hopfield network, ``X^T softmax(beta X q)`` (Ramsauer et al. 2020).

    Fused and streamed in C: the softmax is accumulated online over blocks of patterns, so X is
    read once and the temporary memory is O(block x batch), not O(P x batch).

    Parameters
    ----------
    patterns : (P, d) array
        Stored patterns X (rows).
    queries : (d,) or (B, d) array
    beta : float
        Inverse temperature (per unit of raw dot product), > 0.

    Returns
    -------
    (d,) or (B, d) array
    """
    beta = v.positive(beta, "beta")
    q = np.asarray(queries, dtype=float)
    out = _memory.softmax_recall(patterns, np.atleast_2d(q), beta)
    return out[0] if q.ndim == 1 else out


class ModernHopfield:
    """Modern (continuous) Hopfield network: ``x <- X^T softmax(beta X x)``.

    Parameters
    ----------
    patterns : (P, d) array
    beta : float
        Inverse temperature on raw dot products, > 0.

    Notes
    -----
    It is the kernel memory network with the exponential kernel ``exp(beta (x . x' - 1))``
    (``dot_scale = 1``), constant coefficients and the softmax-normalised read-out
    (``as_kernel_memory()``); the ``exp(-beta)`` factor cancels in the normalisation.
    """

    def __init__(self, patterns, beta):
        self.patterns = _as_patterns(patterns)
        self.beta = v.positive(beta, "beta")

    def retrieve(self, queries, steps=1):
        """``steps`` updates from queries ((d,) or (B, d))."""
        steps = v.count(steps, "steps", 1)
        x = np.asarray(queries, dtype=float)
        for _ in range(steps):
            x = modern_hopfield_retrieve(self.patterns, x, self.beta)
        return x

    def as_kernel_memory(self):
        k = MemoryKernel("exponential", beta=self.beta, dot_scale=1.0, label=f"exponential beta={self.beta:g}")
        return KernelMemory(self.patterns, kernel=k, rule="hebbian", softmax_readout=True, activation="identity")


class SparseDistributedMemory:
    """Kanerva's sparse distributed memory with explicit hard locations.

    Parameters
    ----------
    n : int
        Address (and word) length in bits, patterns are +-1 vectors.
    n_locations : int
        Number M of random hard locations.
    radius : int
        Activation radius r: a location is active for x when ``Hamming(address, x) <= r``.
    m : int, optional
        Length of the stored data words (default n).
    rng : int, Generator or None
        Draws the addresses (uniform +-1).

    Notes
    -----
    Writing adds y^mu to the counters of the locations active for x^mu; reading sums the counters
    of the locations active for the cue. So the read-out is exactly ``sum_mu y^mu K_hat(x^mu, x)``
    with ``K_hat`` the number of shared active locations: a kernel network with a constant
    read-out, whose kernel has the expectation ``M sdm_kernel_values(n, r)[d]``.
    """

    def __init__(self, n, n_locations, radius, m=None, rng=None):
        self.n = v.count(n, "n", 1)
        self.M = v.count(n_locations, "n_locations", 1)
        self.radius = v.count(radius, "radius", 0)
        self.m = self.n if m is None else v.count(m, "m", 1)
        gen = as_generator(rng)
        self.addresses = np.where(gen.random((self.M, self.n)) < 0.5, -1.0, 1.0)
        self._addr_bits = _memory.sdm_pack(self.addresses)
        self.counters = np.zeros((self.M, self.m))

    def _bits(self, X, name):
        X = _as_patterns(np.atleast_2d(np.asarray(X, dtype=float)), name)
        if X.shape[1] != self.n:
            raise ValueError(f"argument '{name}' must have n = {self.n} columns, got {X.shape[1]}")
        try:
            return _memory.sdm_pack(X)
        except ValueError as e:
            raise ValueError(str(e).replace("'X'", f"'{name}'")) from None

    def write(self, patterns, data=None):
        """Store data words (default: the patterns, auto-association) at the pattern addresses.
        Returns the number of locations each pattern activated."""
        bits = self._bits(patterns, "patterns")
        Y = np.atleast_2d(np.asarray(patterns if data is None else data, dtype=float))
        if Y.shape != (bits.shape[0], self.m):
            raise ValueError(f"argument 'data' must have shape ({bits.shape[0]}, {self.m}), got {Y.shape}")
        self.counters, act = _memory.sdm_write(self._addr_bits, self.n, self.radius, bits, Y, self.counters)
        return act

    def read(self, cues):
        """Summed counters of the locations active for each cue: (B, m) and the activation counts."""
        return _memory.sdm_read(self._addr_bits, self.n, self.radius, self.counters, self._bits(cues, "cues"))

    def recall(self, cues, steps=1, **_):
        """Iterated read-out ``x <- sgn(read(x))`` for ``steps`` steps (sgn(0) = +1). Returns RecallResult."""
        x = np.atleast_2d(np.asarray(cues, dtype=float))
        steps = v.count(steps, "steps", 1)
        conv = np.zeros(len(x), dtype=bool)
        for _ in range(steps):
            new = np.where(self.read(x)[0] >= 0, 1.0, -1.0)
            conv = np.all(new == x, axis=1)
            x = new
        return RecallResult(x, np.full(len(x), steps), conv, np.zeros(len(x), dtype=bool))

    def expected_kernel(self):
        """The expected-kernel form (fraction of shared locations; multiply by M for counts)."""
        return sdm_kernel(self.n, self.radius)
