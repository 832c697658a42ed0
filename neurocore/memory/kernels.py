"""Kernel functions of kernel memory networks (Iatropoulos, Brea & Gerstner 2022).

Every kernel is a function of the normalised overlap ``s = x . x' / dot_scale``: ``dot_scale = n``
(the default) for +-1 patterns, where ``s`` is in [-1, 1] and ``s = 1 - 2 d / n`` with ``d`` the
Hamming distance; ``dot_scale = 1`` for unit vectors on the sphere. Normalising by ``n`` keeps the
meaning of ``beta`` and the degree independent of ``n``; the modern-Hopfield ``beta`` of Ramsauer et
al. (raw dot products) is ``beta_kernel / dot_scale``.
"""
from dataclasses import dataclass, field
from math import comb
from typing import Optional

import numpy as np

from .. import _validate as v
from . import _memory

#: Kernel kinds known to the C kernel: name -> code (from NC_MEMORY_KERNEL_TABLE in memory.h).
KERNELS = dict(_memory.KERNEL_CODES)


@dataclass(frozen=True)
class MemoryKernel:
    """A kernel ``K(x, x') = f(s)``, ``s = x . x' / dot_scale``.

    Attributes
    ----------
    name : {'linear', 'polynomial', 'exponential', 'table'}
    degree : int
        Polynomial degree p: ``f(s) = s**p``.
    beta : float
        Exponential inverse temperature: ``f(s) = exp(beta (s - 1))`` (dimensionless, per unit of s).
    table : (L,) array or None
        Values of ``f`` on the uniform grid ``s_k = -1 + 2 k / (L - 1)``, linearly interpolated
        (exact on the grid). The SDM kernels use it.
    dot_scale : float or None
        None means the pattern dimension n.
    label : str
        Human-readable name (figures, reports).
    """
    name: str
    degree: int = 1
    beta: float = 1.0
    table: Optional[np.ndarray] = field(default=None, compare=False, repr=False)
    dot_scale: Optional[float] = None
    label: str = ""

    def code(self):
        return v.choice(self.name, "kernel", KERNELS)

    def c_args(self, n):
        """Keyword arguments of the C entry points for patterns of dimension n."""
        ds = float(n) if self.dot_scale is None else float(self.dot_scale)
        return dict(kernel=self.code(), dot_scale=ds, degree=int(self.degree), beta=float(self.beta),
                    table=self.table)

    def __call__(self, s):
        """``f(s)`` in NumPy (reference and plotting)."""
        s = np.asarray(s, dtype=float)
        if self.name == "linear":
            return s.copy()
        if self.name == "polynomial":
            return s ** self.degree
        if self.name == "exponential":
            return np.exp(self.beta * (s - 1.0))
        grid = np.linspace(-1.0, 1.0, len(self.table))
        return np.interp(np.clip(s, -1, 1), grid, self.table)


def linear_kernel(dot_scale=None):
    """``K = x . x' / n``: interpolation gives the projection (pseudo-inverse) rule, a constant
    read-out the Hebbian Hopfield network."""
    return MemoryKernel("linear", dot_scale=dot_scale, label="linear")


def polynomial_kernel(degree, dot_scale=None):
    """``K = (x . x' / n)^p``: with a constant read-out, the dense associative memory of Krotov &
    Hopfield (2016), in its gradient (not energy-difference) form."""
    degree = v.count(degree, "degree", 1)
    return MemoryKernel("polynomial", degree=degree, dot_scale=dot_scale, label=f"polynomial p={degree}")


def exponential_kernel(beta, dot_scale=None):
    """``K = exp(beta (x . x' / n - 1))``: with a constant softmax-normalised read-out, the modern
    Hopfield network of Ramsauer et al. (2020) at inverse temperature ``beta / dot_scale``."""
    beta = v.positive(beta, "beta")
    return MemoryKernel("exponential", beta=beta, dot_scale=dot_scale, label=f"exponential beta={beta:g}")


def sdm_kernel_values(n, radius):
    """Expected fraction of SDM hard locations shared by two addresses at Hamming distance d.

    A random address ``a`` in {-1, 1}^n is active for ``x`` when ``Hamming(a, x) <= radius``. For
    ``x, x'`` at distance ``d``, with ``i`` of the ``d`` differing and ``j`` of the ``n - d``
    agreeing bits flipped in ``a``::

        K(d) = 2^-n sum_{i<=d, j<=n-d} C(d, i) C(n-d, j) [i + j <= r] [d - i + j <= r]

    (notes seed002 section 1.2; exact integer arithmetic). Returns the (n + 1,) array K(0..n);
    ``M K(d)`` is the expected number of shared locations among M random ones.
    """
    n = v.count(n, "n", 1)
    r = v.count(radius, "radius", 0)
    out = np.zeros(n + 1)
    denom = 1 << n
    for d in range(n + 1):
        m = n - d
        # cum[j] = sum_{j' <= j} C(m, j')
        cum, acc = [], 0
        for j in range(m + 1):
            acc += comb(m, j)
            cum.append(acc)
        total = 0
        for i in range(d + 1):
            jmax = min(r - i, r - d + i, m)
            if jmax >= 0:
                total += comb(d, i) * cum[jmax]
        out[d] = total / denom
    return out


def sdm_kernel(n, radius):
    """Kanerva's SDM as a kernel on +-1 patterns of dimension n: ``K(s)`` with ``s = 1 - 2 d / n``
    is the expected fraction of hard locations within ``radius`` of both patterns
    (:func:`sdm_kernel_values`), tabulated exactly on the n + 1 attainable overlaps."""
    vals = sdm_kernel_values(n, radius)
    return MemoryKernel("table", table=vals[::-1].copy(), label=f"SDM r={radius}")


def cap_kernel_values(s, n, half_angle):
    """Continuous SDM with infinitely many hard locations on the sphere (the compact-support kernel).

    Hard locations ``a`` are uniform on the unit sphere S^{n-1}; one is active for a unit vector x
    when the angle between them is at most ``half_angle`` (radians). ``K(x, x')`` is the probability
    that a location is active for both, divided by the probability that it is active for one, so
    ``K(x, x) = 1`` and ``K = 0`` once the angle between x and x' reaches ``2 half_angle``. It is
    positive semi-definite (an inner product of indicator features). Computed by 1-D quadrature:
    with ``u = a . x`` (density ``(1 - u^2)^((n-3)/2)``) the other overlap is
    ``u s + sqrt(1 - u^2) sqrt(1 - s^2) t`` with ``t`` a coordinate of a uniform point on S^{n-2}
    (``t^2 ~ Beta(1/2, (n-2)/2)``).
    """
    from scipy import integrate, special
    n = v.count(n, "n", 3)
    rho = v.positive(half_angle, "half_angle")
    if rho >= np.pi / 2:
        raise ValueError(f"argument 'half_angle' must be below pi/2, got {half_angle!r}")
    c = np.cos(rho)
    a1, b1 = 0.5, (n - 1) / 2.0
    norm_u = special.beta(a1, b1)
    p_one = 0.5 * special.betaincc(a1, b1, c * c)   # P(u >= c)

    def tail_t(z):
        z = np.asarray(z, dtype=float)
        zz = np.clip(z * z, 0.0, 1.0)
        up = 0.5 * special.betaincc(0.5, (n - 2) / 2.0, zz)
        return np.where(z >= 1, 0.0, np.where(z <= -1, 1.0, np.where(z >= 0, up, 1.0 - up)))

    out = []
    for sv in np.atleast_1d(np.asarray(s, dtype=float)):
        sv = float(np.clip(sv, -1.0, 1.0))
        if sv >= 1.0 - 1e-15:
            out.append(1.0)
            continue
        if np.arccos(sv) >= 2 * rho:
            out.append(0.0)
            continue
        sq = np.sqrt(1.0 - sv * sv)

        def integrand(u):
            z = (c - u * sv) / (np.sqrt(max(1.0 - u * u, 1e-300)) * sq)
            return (1.0 - u * u) ** ((n - 3) / 2.0) * tail_t(z)
        val, _ = integrate.quad(integrand, c, 1.0, limit=200, epsabs=0.0, epsrel=1e-10)
        out.append(val / norm_u / p_one)
    return np.array(out)


def cap_kernel(n, half_angle, grid=2001):
    """The compact-support kernel of :func:`cap_kernel_values` for unit vectors in R^n
    (``dot_scale = 1``), tabulated on ``grid`` overlaps (only the support is integrated)."""
    grid = v.count(grid, "grid", 3)
    s = np.linspace(-1.0, 1.0, grid)
    vals = np.zeros(grid)
    inside = np.arccos(s) < 2 * half_angle
    vals[inside] = cap_kernel_values(s[inside], n, half_angle)
    return MemoryKernel("table", table=vals, dot_scale=1.0,
                        label=f"spherical SDM, half-angle {np.degrees(half_angle):.0f} deg")


def as_kernel(kernel, degree=3, beta=1.0):
    """A MemoryKernel from a MemoryKernel or a name ('linear', 'polynomial', 'exponential')."""
    if isinstance(kernel, MemoryKernel):
        return kernel
    name = v.choice(kernel, "kernel", {"linear": "linear", "polynomial": "polynomial",
                                       "exponential": "exponential"})
    if name == "linear":
        return linear_kernel()
    if name == "polynomial":
        return polynomial_kernel(degree)
    return exponential_kernel(beta)


def kernel_matrix(A, B, kernel):
    """``G[i, j] = K(A_i, B_j)`` computed in C (one GEMM, then the kernel map).

    Parameters
    ----------
    A : (rows_a, n) array
    B : (rows_b, n) array
    kernel : MemoryKernel
    """
    A = np.asarray(A, dtype=float)
    n = A.shape[1] if A.ndim == 2 else 1
    return _memory.kernel_matrix(A, B, **kernel.c_args(n))
