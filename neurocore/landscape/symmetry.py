"""Symmetry-induced critical subspaces of two-layer networks (Simsek et al., ICML 2021).

A network ``f(x) = sum_i a_i sigma(w_i . x)`` of minimal width r that reaches a critical point
(zero loss, or any critical point) is embedded into width m >= r along the *expansion manifold*:
a map ``pi: {1..m} -> {0, 1, .., r}`` assigns every new unit either to an old unit j >= 1
(a *duplicate*: ``w_i = w*_j`` and the outgoing weights of all duplicates of j sum to ``a*_j``)
or to 0 (a *zero-type* unit: ``a_i = 0``, ``w_i`` free). Each admissible pi gives an affine
subspace of parameters that all implement the teacher's function.

Counting conventions (labelled units, every permutation of the teacher counted separately):

* global-minimum subspaces, maps onto {1..r} with zero-type units allowed:
  ``T(r, m) = sum_k0 C(m, k0) r! S(m - k0, r) = r! S(m + 1, r + 1)``;
* symmetry-induced critical subspaces from a width-r critical point with non-zero residual,
  where zero-type units are not critical and only duplication survives:
  ``G(r, m) = r! S(m, r)`` (onto maps {1..m} -> {1..r}),

with S the Stirling numbers of the second kind. All counts are exact Python integers.
"""
import itertools
import math
import numbers
from fractions import Fraction

import numpy as np

from .._random import as_generator
from .errors import NotCriticalError, NotZeroLossError, WidthError
from .network import TwoLayerNetwork, _as_A, network_output, pack

__all__ = ["stirling2", "count_global_minimum_subspaces", "count_critical_subspaces", "saddle_to_minimum_ratio",
           "expansion_maps", "random_expansion_map", "subspace_dimension", "expand_network", "function_gap",
           "SymmetryExpansion", "permutation_path", "duplicate_unit"]


def _width(value, name, minimum=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise WidthError(f"argument '{name}' must be an integer width, got {value!r}")
    if value < minimum:
        raise WidthError(f"argument '{name}' must be a width >= {minimum}, got {value}")
    return int(value)


def _widths(r, m, r_name="r", m_name="m", r_min=1):
    r = _width(r, r_name, r_min)
    m = _width(m, m_name, 1)
    if m < r:
        raise WidthError(f"argument '{m_name}' (={m}) must be >= {r_name} (={r}): a network of width {m} "
                         f"cannot hold {r} distinct units")
    return r, m


def stirling2(n, k):
    """Stirling number of the second kind S(n, k), exact (Python int):
    ``S(n, k) = (1/k!) sum_j (-1)^j C(k, j) (k - j)^n``."""
    n = _width(n, "n", 0)
    k = _width(k, "k", 0)
    if k > n:
        return 0
    total = sum((-1) ** j * math.comb(k, j) * (k - j) ** n for j in range(k + 1))
    return total // math.factorial(k)


def count_global_minimum_subspaces(r_star, m):
    """T(r*, m) = r*! S(m + 1, r* + 1): affine subspaces of global minima of a width-m network whose
    minimal zero-loss width is r* (labelled units; T(r*, r*) = r*! isolated minima). Exact int."""
    r, m = _widths(r_star, m, "r_star", "m")
    return math.factorial(r) * stirling2(m + 1, r + 1)


def count_critical_subspaces(r, m):
    """G(r, m) = r! S(m, r): affine subspaces of symmetry-induced critical points of a width-m
    network coming from one critical point of width r (duplication only; labelled units). Exact int."""
    r, m = _widths(r, m, "r", "m")
    return math.factorial(r) * stirling2(m, r)


def saddle_to_minimum_ratio(r_star, h):
    """``G(r* - 1, r* + h) / T(r*, r* + h)`` as an exact Fraction: how many critical subspaces
    coming from one width-(r* - 1) critical point there are per global-minimum subspace, at
    overparameterisation h = m - r*. Equals (r* - 1)/2 at h = 0; tends to 0 for h >> r*."""
    r = _width(r_star, "r_star", 2)
    h = _width(h, "h", 0)
    return Fraction(count_critical_subspaces(r - 1, r + h), count_global_minimum_subspaces(r, r + h))


def expansion_maps(r, m, zero_type=True):
    """Every admissible map pi as a tuple of length m: values in {0..r} (0 = zero-type unit) if
    ``zero_type`` else in {1..r}, hitting every value 1..r. There are T(r, m) (resp. G(r, m))."""
    r, m = _widths(r, m)
    lo = 0 if zero_type else 1
    for pi in itertools.product(range(lo, r + 1), repeat=m):
        if len(set(pi) - {0}) == r:
            yield pi


def random_expansion_map(r, m, zero_type=True, rng=None):
    """One admissible map.

    Uniform among all T(r, m) (resp. G(r, m)) maps, by rejection from uniform random maps, when at
    least 1 in 1000 random maps is admissible; otherwise (large r, m close to r) a random
    assignment of r distinct positions to units 1..r plus uniform values elsewhere, which reaches
    every admissible map but not with equal probability."""
    r, m = _widths(r, m)
    gen = as_generator(rng)
    lo = 0 if zero_type else 1
    n_vals = r + 1 - lo
    admissible = count_global_minimum_subspaces(r, m) if zero_type else count_critical_subspaces(r, m)
    if admissible * 1000 >= n_vals ** m:
        while True:
            pi = tuple(int(x) for x in gen.integers(lo, r + 1, size=m))
            if len(set(pi) - {0}) == r:
                return pi
    pi = gen.integers(lo, r + 1, size=m)
    pi[gen.permutation(m)[:r]] = np.arange(1, r + 1)
    return tuple(int(x) for x in pi)


def subspace_dimension(pi, n_in, n_out=1):
    """Dimension of the affine subspace Gamma_pi: ``k0 d + (m - k0 - r) k`` (k0 zero-type units,
    each with a free incoming vector; each group of duplicates has its size minus one free splits per
    output). Always >= (m - r) k."""
    pi = tuple(pi)
    k0 = sum(1 for p in pi if p == 0)
    r = len(set(pi) - {0})
    return k0 * n_in + (len(pi) - k0 - r) * n_out


def _check_pi(pi, r, m):
    pi = tuple(int(p) for p in pi)
    if len(pi) != m:
        raise ValueError(f"argument 'pi' must have length m={m}, got {len(pi)}")
    if any(p < 0 or p > r for p in pi) or len(set(pi) - {0}) != r:
        raise ValueError(f"argument 'pi' must map onto every unit 1..{r} (0 = zero-type), got {pi}")
    return pi


def expand_network(W, A, m, pi=None, rng=None, zero_type=True, spread=1.0):
    """A point of the expansion subspace Gamma_pi of width m built from the width-r network (W, A).

    Parameters
    ----------
    W : (r, d) array
        Incoming weights of the minimal network.
    A : (r, k) or (r,) array
        Outgoing weights.
    m : int
        Target width, m >= r.
    pi : sequence of m ints in {0..r}, optional
        The map (0 = zero-type unit, j >= 1 = duplicate of unit j, 1-based). Random if omitted.
    rng : int, Generator or None
        For the free coordinates: the splits of the outgoing weights among duplicates (random
        weights summing to 1) and the incoming vectors of zero-type units (N(0, spread^2)).
    zero_type : bool
        When pi is drawn at random: allow zero-type units (global minima) or not (critical points).

    Returns
    -------
    W_m : (m, d) array, A_m : (m, k) array, pi : tuple
    """
    W = np.asarray(W, dtype=float)
    A = _as_A(A)
    if W.ndim != 2:
        raise ValueError(f"argument 'W' must be 2-dimensional (r, d), got shape {W.shape}")
    if A.shape[0] != W.shape[0]:
        raise ValueError(f"argument 'A' must have {W.shape[0]} rows (one per unit of W), got shape {A.shape}")
    r, d = W.shape
    k = A.shape[1]
    r, m = _widths(r, m, "r (rows of W)", "m")
    gen = as_generator(rng)
    pi = random_expansion_map(r, m, zero_type, gen) if pi is None else _check_pi(pi, r, m)
    Wm = np.empty((m, d))
    Am = np.zeros((m, k))
    for j in range(1, r + 1):
        members = [i for i, p in enumerate(pi) if p == j]
        lam = gen.normal(1.0 / len(members), spread, size=(len(members), k))
        lam[-1] = 1.0 - lam[:-1].sum(axis=0)  # the splits sum to one, per output
        for q, i in enumerate(members):
            Wm[i] = W[j - 1]
            Am[i] = lam[q] * A[j - 1]
    for i, p in enumerate(pi):
        if p == 0:
            Wm[i] = gen.normal(0.0, spread, size=d)
    return Wm, Am, pi


def function_gap(X, W1, A1, W2, A2, act="softplus"):
    """``max_p |f_1(x_p) - f_2(x_p)|``: zero (to rounding) for two points of one expansion manifold."""
    return float(np.max(np.abs(network_output(X, W1, A1, act) - network_output(X, W2, A2, act))))


class SymmetryExpansion:
    """A minimal network and the symmetry-induced subspaces it generates in wider networks.

    Parameters
    ----------
    X : (P, d) array
        Inputs.
    Y : (P, k) or (P,) array
        Targets (mean squared error loss).
    W : (r, d) array, A : (r, k) or (r,) array
        The minimal network: a zero-loss teacher (``kind='minimum'``) or a critical point of the
        width-r loss (``kind='critical'``).
    act : str
    kind : {'minimum', 'critical'}
    tol : float
        Zero loss means ``L < tol`` (minimum); critical means ``max|grad L| < tol`` (critical).

    Raises
    ------
    NotZeroLossError, NotCriticalError
        If the network is not what ``kind`` says.
    ValueError
        If the network is reducible (two equal incoming vectors, or a zero outgoing weight).
    """

    def __init__(self, X, Y, W, A, act="softplus", kind="minimum", tol=None):
        self.W = np.array(W, dtype=float)
        self.A = np.array(_as_A(A), dtype=float)
        if self.W.ndim != 2 or self.A.shape[0] != self.W.shape[0]:
            raise ValueError(f"arguments 'W' (r, d) and 'A' (r, k) must have the same number of rows, got "
                             f"{self.W.shape} and {self.A.shape}")
        self.r = self.W.shape[0]
        self.model = TwoLayerNetwork(X, Y, act=act, loss="mse")
        if kind not in ("minimum", "critical"):
            raise ValueError(f"argument 'kind' must be 'minimum' or 'critical', got {kind!r}")
        self.kind = kind
        for i in range(self.r):
            if np.all(self.A[i] == 0):
                raise ValueError(f"argument 'A': unit {i} has zero outgoing weight; the network is not minimal")
            for j in range(i):
                if np.array_equal(self.W[i], self.W[j]):
                    raise ValueError(f"argument 'W': units {j} and {i} have equal incoming weights; the network is "
                                     "not minimal")
        theta = pack(self.W, self.A)
        loss, grad = self.model.loss_and_gradient(theta)
        self.loss = loss
        self.grad_max = float(np.max(np.abs(grad)))
        if kind == "minimum":
            tol = 1e-20 if tol is None else tol
            if not loss < tol:
                raise NotZeroLossError(f"arguments 'W', 'A': the teacher's loss is {loss:.3g}, not below tol={tol:g}; "
                                       "the global-minimum construction needs a zero-loss network")
        else:
            tol = 1e-8 if tol is None else tol
            if not self.grad_max < tol:
                raise NotCriticalError(f"arguments 'W', 'A': max|grad L| = {self.grad_max:.3g} is not below tol={tol:g}; "
                                       "the network is not a critical point")

    @property
    def zero_type(self):
        return self.kind == "minimum"

    def count(self, m):
        """Number of affine subspaces at width m: T(r, m) for minima, G(r, m) for critical points."""
        if self.zero_type:
            return count_global_minimum_subspaces(self.r, m)
        return count_critical_subspaces(self.r, m)

    def maps(self, m):
        """Every admissible map pi (a generator of ``count(m)`` tuples)."""
        return expansion_maps(self.r, m, self.zero_type)

    def point(self, m, pi=None, rng=None):
        """A random point ``(W_m, A_m, pi)`` of the subspace Gamma_pi (random pi if omitted)."""
        if pi is not None:
            pi = _check_pi(pi, self.r, _width(m, "m"))
            if not self.zero_type and 0 in pi:
                raise ValueError("argument 'pi': zero-type units (0) are not critical at a non-zero residual; "
                                 "use duplicates only for kind='critical'")
        return expand_network(self.W, self.A, m, pi, rng, self.zero_type)

    def invariance(self, W_m, A_m):
        """max over the data of |f_m - f_r| (function invariance)."""
        return function_gap(self.model.X, W_m, A_m, self.W, self.A, self.model.act)


def permutation_path(W, A, perm, spare_w, n_per_segment=50):
    """A path of constant function from theta* to its permuted copy, in the network with one extra unit.

    The width-r network (W, A) gets a zero-type unit with incoming vector ``spare_w``. Each
    transposition of units i, j is done in 7 straight segments that stay on the expansion manifold:
    the spare unit moves onto w_i (its a is 0); a_i is shifted onto it; unit i (now a = 0) moves onto
    w_j; a_j is shifted onto unit i; unit j moves onto w_i; the spare's weight is shifted onto unit j;
    the spare moves back. Every point implements the same function, so the loss stays at the
    global-minimum value along the whole path (Simsek et al.: one added unit connects the r! minima).

    Parameters
    ----------
    W : (r, d) array, A : (r, k) or (r,) array
    perm : sequence
        Target order: unit q of the result is unit ``perm[q]`` of the input.
    spare_w : (d,) array
        Incoming vector of the extra (zero-type) unit at both ends.
    n_per_segment : int

    Returns
    -------
    path : (n_points, r + 1, d + k) array
        Each row is one network: ``path[t, :, :d]`` the incoming and ``path[t, :, d:]`` the outgoing
        weights of the r + 1 units (the spare is the last).
    """
    W = np.asarray(W, dtype=float)
    A = _as_A(A)
    r, d = W.shape
    perm = [int(p) for p in perm]
    if sorted(perm) != list(range(r)):
        raise ValueError(f"argument 'perm' must be a permutation of 0..{r - 1}, got {perm}")
    spare_w = np.asarray(spare_w, dtype=float)
    if spare_w.shape != (d,):
        raise ValueError(f"argument 'spare_w' must have shape ({d},), got {spare_w.shape}")
    state = np.zeros((r + 1, d + A.shape[1]))
    state[:r, :d] = W
    state[:r, d:] = A
    state[r, :d] = spare_w
    s = r
    ts = np.arange(n_per_segment) / n_per_segment
    points = []

    def move(target):  # straight segment from the current state to target
        for t in ts:
            points.append((1 - t) * state + t * target)
        state[:] = target

    order = list(range(r))  # order[q] = original unit now at position q
    for q in range(r):
        if order[q] == perm[q]:
            continue
        t_pos = order.index(perm[q])
        i, j = q, t_pos
        wi, wj = state[i, :d].copy(), state[j, :d].copy()
        ai, aj = state[i, d:].copy(), state[j, d:].copy()
        nxt = state.copy(); nxt[s, :d] = wi; move(nxt)                                  # 1
        nxt = state.copy(); nxt[i, d:] = 0; nxt[s, d:] = ai; move(nxt)                  # 2
        nxt = state.copy(); nxt[i, :d] = wj; move(nxt)                                  # 3
        nxt = state.copy(); nxt[j, d:] = 0; nxt[i, d:] = aj; move(nxt)                  # 4
        nxt = state.copy(); nxt[j, :d] = wi; move(nxt)                                  # 5
        nxt = state.copy(); nxt[s, d:] = 0; nxt[j, d:] = ai; move(nxt)                  # 6
        nxt = state.copy(); nxt[s, :d] = spare_w; move(nxt)                             # 7
        order[i], order[j] = order[j], order[i]
    points.append(state.copy())
    return np.array(points)


def duplicate_unit(W, A, index, lam):
    """Fukumizu-Amari duplication: unit ``index`` becomes two units with the same incoming vector
    and outgoing weights ``lam a`` and ``(1 - lam) a``. The new unit is appended last.

    At a critical point of width r this gives a line of critical points of width r + 1 (same
    function, same loss); for lam outside [0, 1] the line typically turns into saddles."""
    W = np.asarray(W, dtype=float)
    A = _as_A(A)
    index = int(index)
    if not 0 <= index < W.shape[0]:
        raise ValueError(f"argument 'index' must be in [0, {W.shape[0]}), got {index}")
    W2 = np.vstack([W, W[index]])
    A2 = np.vstack([A, (1.0 - lam) * A[index]])
    A2[index] = lam * A[index]
    return W2, A2
