"""One small valid call per C entry point: the seeds from which the fuzzer grows bad and edge inputs.

A target ``"<family>.<function>"`` (the function in ``neurocore.<family>._<family>``) joins the full
fuzz, leak, determinism and interrupt checks by getting an entry here. Without one it is fuzzed only
at the signature level (junk values) and the rest skips with a visible reason.

Spec fields
-----------
make(big=False)
    A dict of keyword arguments for one valid call, built fresh each time (new arrays, a freshly
    seeded BitGenerator), so two calls of ``make()`` give bit-identical results. Optional arrays
    should be given (not None) so that they are fuzzed too. With ``big=True`` the call should take a
    few milliseconds (used to overlap threads in the determinism test); default: same as small.
kinds
    Override the argument kind inferred from the valid value ('code' for an enum int, ...).
inplace
    Arguments the function is documented to update in place (exempt from the untouched check).
tolerate
    Violation kinds that are known, reported, and not yet fixed; they are counted in the summary
    instead of failing. Each entry says where it is reported.
interrupt
    A callable returning keyword arguments for a call long enough (> 2 s) to be interrupted.
bitwise
    Whether results are bit-identical across OpenBLAS thread counts and Python threads
    (False: reproducible to ``rtol``; say why in ``why``).
"""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Spec:
    make: object
    kinds: dict = field(default_factory=dict)
    inplace: tuple = ()
    tolerate: dict = field(default_factory=dict)
    interrupt: object = None
    bitwise: bool = True
    rtol: float = 0.0
    why: str = ""


def _rng(seed=0):
    return np.random.default_rng(seed)


def _noop(done, total):
    return None


# Violations once tolerated here (unnamed CPython parser messages, a late check of `progress`,
# tangling/Stiefel overflow to inf, an unnamed Stiefel failure) are fixed: nc_parse_args and the
# up-front progress check in csrc/bindings/common.h, finite-result checks in geometry.c.


# ------------------------------------------------------------------------------------------ rate

def _rate_integrate(big=False):
    n, steps = (200, 400) if big else (4, 20)
    r = _rng(1)
    return dict(J=r.standard_normal((n, n)) * (1.2 / np.sqrt(n)), x0=r.standard_normal(n), n_steps=steps,
                dt=0.1, tau=1.0, phi=0, method=0, I=0.1 * r.standard_normal(n),
                I_t=0.1 * r.standard_normal((steps, n)), noise=np.full(n, 0.1), record_every=1,
                bitgen=np.random.PCG64(3), progress=_noop)


def _rate_integrate_long():
    r = _rng(2)
    n = 300
    return dict(J=r.standard_normal((n, n)) * (1.5 / np.sqrt(n)), x0=r.standard_normal(n), n_steps=10 ** 7,
                dt=0.1, record_every=10 ** 7)


def _rate_lyapunov(big=False):
    n, steps, k = (150, 300, 4) if big else (4, 20, 2)
    r = _rng(4)
    Q, _ = np.linalg.qr(r.standard_normal((n, k)))
    return dict(J=r.standard_normal((n, n)) * (1.5 / np.sqrt(n)), x0=r.standard_normal(n),
                Q0=np.ascontiguousarray(Q.T), n_steps=steps, dt=0.1, tau=1.0, phi=0, I=0.1 * r.standard_normal(n),
                I_t=0.1 * r.standard_normal((steps, n)), ortho_every=5, progress=_noop)


def _rate_lyapunov_long():
    kw = _rate_lyapunov(big=True)
    kw.update(n_steps=10 ** 7, I_t=None)
    return kw


# ------------------------------------------------------------------------------------------ geometry

def _geo_anchors(big=False):
    m, d, nt = (20, 30, 400) if big else (3, 3, 10)
    r = _rng(5)
    S = np.hstack([r.standard_normal((m, d)), np.ones((m, 1))])
    T = r.standard_normal((nt, d + 1))
    return dict(S=S, T=T, kappa=0.0, tol=1e-12, max_iter=10 * m + 100, progress=_noop)


def _geo_anchors_long():
    kw = _geo_anchors(big=True)
    kw["T"] = _rng(6).standard_normal((2 * 10 ** 6, kw["S"].shape[1]))
    return kw


def _geo_nnls(big=False):
    m = 40 if big else 4
    r = _rng(7)
    A = r.standard_normal((m, m + 2))
    return dict(G=A @ A.T + np.eye(m), b=r.standard_normal(m), tol=1e-12, max_iter=10 * m + 100)


def _geo_tangling(big=False):
    n, d = (600, 20) if big else (10, 3)
    r = _rng(8)
    return dict(X=r.standard_normal((n, d)), Xdot=r.standard_normal((n, d)), eps=0.1, progress=_noop)


def _geo_tangling_long():
    r = _rng(9)
    return dict(X=r.standard_normal((40000, 50)), Xdot=r.standard_normal((40000, 50)), eps=0.1)


def _geo_kendall(big=False):
    n = 3000 if big else 8
    r = _rng(10)
    return dict(x=r.standard_normal(n), y=r.standard_normal(n))


def _geo_stiefel(big=False):
    P, n, K = (30, 40, 3) if big else (4, 5, 2)
    r = _rng(11)
    V, _ = np.linalg.qr(r.standard_normal((n, K)))
    return dict(X=r.standard_normal((P, n)), V0=np.ascontiguousarray(V), max_iter=50 if big else 20, gtol=1e-5)


SPECS = {
    "rate.integrate": Spec(_rate_integrate, kinds={"phi": "code", "method": "code"},
                           interrupt=_rate_integrate_long),
    "rate.lyapunov": Spec(_rate_lyapunov, kinds={"phi": "code"}, interrupt=_rate_lyapunov_long),
    "geometry.anchors": Spec(_geo_anchors, interrupt=_geo_anchors_long),
    "geometry.nnls_gram": Spec(_geo_nnls),
    "geometry.tangling": Spec(_geo_tangling, interrupt=_geo_tangling_long),
    "geometry.kendall_tau_a": Spec(_geo_kendall),
    "geometry.stiefel_decorrelate": Spec(_geo_stiefel),
}
