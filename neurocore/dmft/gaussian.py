"""Gaussian quadrature and Gaussian averages (kernels: csrc/kernels/dmft.c).

The averages are over the standard normal measure ``Dz = exp(-z^2/2) dz / sqrt(2 pi)``. Two rules:

* ``'hermite'``: Gauss-Hermite, exact for polynomials of degree < 2n. Fast, but it mis-integrates
  tanh when the variance is large (tanh's poles sit at distance pi / (2 sqrt(v)) from the real
  axis; notes seed001_dmft.md A.3, A.8): with 80 nodes Delta0 is off by 1.5e-4 at g = 4 and by
  6e-3 at g = 10.
* ``'trapezoid'``: a dense trapezoid rule on [-zmax, zmax], what Clark's code uses (notes A.3); it
  converges geometrically for functions analytic in a strip, and is accurate at any g.

``quadrature='auto'`` (the default everywhere) takes Gauss-Hermite with 80 nodes while the variance
is at most 2.5 (g <~ 2.2 for tanh), and above that the trapezoid rule on [-10, 10] with spacing
dz = min(0.2, 0.3 pi / (2 sqrt(v))), a third of the distance of tanh's poles (error ~ exp(-2 pi a/dz)).
"""
import numpy as np

from . import _dmft

#: Functions whose Gaussian averages the C kernel knows (name -> code, from NC_DMFT_FN_TABLE).
FN = dict(_dmft.FN_CODES)
#: Quadrature rules (name -> code, from NC_DMFT_QUAD_TABLE).
QUAD = dict(_dmft.QUAD_CODES)
#: Fewest quadrature nodes accepted.
MIN_QUAD = int(_dmft.MIN_QUAD)

AUTO_HERMITE_MAX_VAR = 2.5


def quad_args(quadrature="auto", n_quad=None, variance=1.0, zmax=10.0, pair=False):
    """Keyword arguments (quadrature code, n_quad, zmax) for the C entry points.

    ``variance`` is the largest variance the rule will see; it drives the 'auto' choice.
    """
    if quadrature == "auto":
        if variance <= AUTO_HERMITE_MAX_VAR:
            quadrature, default_n = "hermite", 80
        else:
            dz = min(0.2, 0.3 * np.pi / (2.0 * np.sqrt(variance)))
            quadrature, default_n = "trapezoid", 2 * int(np.ceil(zmax / dz)) + 1
    else:
        default_n = 80 if quadrature == "hermite" else 501
    if not isinstance(quadrature, str) or quadrature.lower() not in QUAD:
        raise ValueError(f"argument 'quadrature' must be one of {sorted(QUAD) + ['auto']}, got {quadrature!r}")
    n = default_n if n_quad is None else n_quad
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"argument 'n_quad' must be an integer number of quadrature points, got {n_quad!r}")
    return dict(quadrature=QUAD[quadrature.lower()], n_quad=int(n), zmax=float(zmax))


def quadrature_rule(quadrature="hermite", n_quad=80, zmax=10.0):
    """Nodes z and weights w (summing to 1) with ``sum(w f(z)) ~ E f(z)``, z ~ N(0, 1)."""
    return _dmft.quad_rule(**quad_args(quadrature, n_quad, zmax=zmax))


def _fn(name, arg):
    if isinstance(name, str) and name.lower() in FN:
        return FN[name.lower()]
    raise ValueError(f"argument '{arg}' must be one of {sorted(FN)}, got {name!r}")


def gaussian_mean(f, m, v, quadrature="auto", n_quad=None):
    """E f(x) for x ~ N(m, v) (arrays broadcast). ``f`` names a function of ``FN``.

    ReLU, step, relu2_half and linear use closed forms; tanh-family functions use quadrature.
    """
    m, v = np.broadcast_arrays(np.asarray(m, float), np.asarray(v, float))
    q = quad_args(quadrature, n_quad, float(np.max(v, initial=0.0)))
    out = _dmft.gaussian_mean(_fn(f, "f"), m.ravel(), v.ravel(), **q)
    return out.reshape(m.shape)


def gaussian_pair(f1, f2, m1, m2, v1, v2, c, quadrature="auto", n_quad=None):
    """E[f1(x1) f2(x2)] for jointly Gaussian (x1, x2): means m1, m2, variances v1, v2, covariance c.

    The covariance is clipped to |c| <= sqrt(v1 v2). Arrays broadcast.
    """
    arrs = np.broadcast_arrays(*[np.asarray(a, float) for a in (m1, m2, v1, v2, c)])
    q = quad_args(quadrature, n_quad, float(max(np.max(arrs[2], initial=0), np.max(arrs[3], initial=0))), pair=True)
    out = _dmft.gaussian_pair(_fn(f1, "f1"), _fn(f2, "f2"), *[a.ravel() for a in arrs], **q)
    return out.reshape(arrs[0].shape)
