r"""Balanced, noise-robust memories (Rubin, Abbott & Sompolinsky, PNAS 114, E9366, 2017).

A neuron with N non-negative afferents x_i (rates), a fraction ``f_exc`` of them excitatory
(``w_i >= 0``) and the rest inhibitory (``w_i <= 0``), must classify P = alpha N patterns with
labels y = +-1: ``y (w . x - theta) > 0``.

Theory used here (derived for this model, coding level p_out = 1/2, zero margin)
--------------------------------------------------------------------------------
Write ``x_i = r_i + sigma_i xi_i`` (mean r, CV c = sigma/r, per population) and whiten the weights,
``u_i = |w_i| sigma_i >= 0``. The field is ``w . x = b + sum_i g_i u_i xi_i`` with the mean drive
``b = sum_E u_i / c_E - sum_I u_i / c_I``. In the balanced regime (u_i ~ N^-1/2, threshold O(1))
the E and I mean drives, each O(sqrt N), must cancel to O(1), so in the large-N limit the weights
live in the cone ``C = {u >= 0, a . u = 0}`` with ``a_i = 1/c_E`` (E) and ``-1/c_I`` (I), and the
fluctuating part ``sum g u xi`` is Gaussian. The capacity at zero margin of a perceptron whose
weights are confined to a closed convex cone is twice the cone's statistical dimension per
synapse, ``alpha = 2 delta(C) / N`` (Gardner volume / conic kinematic formula; for the orthant this
gives the familiar alpha_c = 1, half of Cover's 2). The projection of a Gaussian vector g onto C is
``[g - lambda a]_+`` with lambda fixed by ``a . [g - lambda a]_+ = 0``; at large N, lambda solves

    f_E / c_E * m1(lambda / c_E) = f_I / c_I * m1(-lambda / c_I),   m1(t) = E[(z - t)_+]

and the balanced capacity is

    alpha_b = 2 [f_E m2(lambda / c_E) + f_I m2(-lambda / c_I)],       m2(t) = E[(z - t)_+^2]

(z ~ N(0, 1)). It depends on the input statistics only through ``phi = c_E / c_I``. It equals 1
(the unconstrained-sign-pattern value) exactly when lambda = 0, i.e. at

    f_exc* = phi / (1 + phi)        (N_E / N_I = CV_E / CV_I),

and is lower on both sides: the optimal E/I ratio. With a free threshold theta >= 0 the mean drive
only needs ``b >= theta >= 0``, i.e. the half-space ``a . u >= 0``: alpha_c = 1 for f_exc >= f*,
and alpha_c = alpha_b below. These values agree to 4 digits with the table the notes obtained by
running the authors' replica theory (seed001_dmft.md 5.4, p_out = 0.5): e.g. alpha_b = 0.7497 at
(f_exc = 0.8, phi = 1), 0.6384 at (0.8, 1/sqrt 2), 0.9630 at (0.7, sqrt 2). The balanced capacity
is what an LP measures with the threshold pinned to zero in canonical units (margin 1), and the
sign-constrained capacity what it measures with a free threshold (:func:`critical_load`).
"""
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _memory


def _pdf(t):
    return np.exp(-0.5 * t * t) / np.sqrt(2.0 * np.pi)


def _sf(t):
    from scipy.special import ndtr
    return ndtr(-t)


def _m1(t):
    return _pdf(t) - t * _sf(t)


def _m2(t):
    return (1.0 + t * t) * _sf(t) - t * _pdf(t)


def optimal_excitatory_fraction(phi):
    """``f_exc* = phi / (1 + phi)``, phi = CV_exc / CV_inh (see module notes)."""
    phi = v.positive(phi, "phi")
    return phi / (1.0 + phi)


def balanced_capacity_theory(f_exc, phi=1.0):
    """Balanced capacity alpha_b(f_exc) at zero margin, coding level 1/2 (module notes).

    Parameters
    ----------
    f_exc : float or array in (0, 1)
        Fraction of excitatory synapses.
    phi : float
        CV_exc / CV_inh of the afferent rates.
    """
    from scipy.optimize import brentq
    phi = v.positive(phi, "phi")
    f = np.atleast_1d(np.asarray(f_exc, dtype=float))
    if np.any((f <= 0) | (f >= 1)):
        raise ValueError(f"argument 'f_exc' must lie in (0, 1), got {f_exc!r}")
    cE, cI = phi, 1.0
    out = np.empty_like(f)
    for k, fe in enumerate(f):
        lam = brentq(lambda lam: fe / cE * _m1(lam / cE) - (1 - fe) / cI * _m1(-lam / cI), -60, 60, xtol=1e-14)
        out[k] = 2.0 * (fe * _m2(lam / cE) + (1 - fe) * _m2(-lam / cI))
    return out if np.ndim(f_exc) else float(out[0])


def sign_constrained_capacity_theory(f_exc, phi=1.0):
    """Capacity with a free threshold theta >= 0: 1 for f_exc >= phi/(1+phi), else alpha_b."""
    ab = np.asarray(balanced_capacity_theory(f_exc, phi))
    out = np.where(np.asarray(f_exc) >= optimal_excitatory_fraction(phi), 1.0, ab)
    return out if np.ndim(f_exc) else float(out)


def afferent_inputs(P, N, f_exc, cv_exc=1.0, cv_inh=1.0, mean_exc=1.0, mean_inh=2.0, rng=None):
    """Random non-negative afferent rates: Gamma distributed with the given means and CVs
    (CV = 1 gives the exponential inputs of the authors' QP notebooks, E ~ Exp(1), I ~ 2 Exp(1)).
    Returns X (P, N) (the first round(f_exc N) columns excitatory) and g (N,) synapse signs."""
    P, N = v.count(P, "P", 1), v.count(N, "N", 1)
    gen = as_generator(rng)
    NE = int(round(v.positive(f_exc, "f_exc") * N))
    kE, kI = 1.0 / v.positive(cv_exc, "cv_exc") ** 2, 1.0 / v.positive(cv_inh, "cv_inh") ** 2
    X = np.empty((P, N))
    X[:, :NE] = gen.gamma(kE, mean_exc / kE, (P, NE))
    X[:, NE:] = gen.gamma(kI, mean_inh / kI, (P, N - NE))
    g = np.r_[np.ones(NE), -np.ones(N - NE)]
    return X, g


def sign_constrained_feasible(X, y, g, threshold="free"):
    """Is there a sign-constrained w with ``y_mu (w . x_mu - theta) >= 1`` for all mu? (LP, HiGHS)

    Parameters
    ----------
    X : (P, N) array; y : (P,) +-1; g : (N,) +-1 synapse signs
    threshold : {'free', 'zero'}
        'free': theta >= 0 is a variable (sign-constrained capacity). 'zero': theta = 0 in these
        canonical units, i.e. the mean E and I drives must cancel (balanced capacity).
    """
    from scipy.optimize import linprog
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    A = -(y[:, None] * X * np.asarray(g, dtype=float)[None, :])
    if threshold == "free":
        A = np.hstack([A, y[:, None]])
    elif threshold != "zero":
        raise ValueError(f"argument 'threshold' must be 'free' or 'zero', got {threshold!r}")
    res = linprog(np.zeros(A.shape[1]), A_ub=A, b_ub=-np.ones(len(y)), bounds=(0, None), method="highs")
    return res.status == 0


def critical_load(N, f_exc, threshold="free", trials=4, cv_exc=1.0, cv_inh=1.0, rng=None, max_load=2.5):
    """Critical load P_c / N per trial: the largest P for which a nested sequence of random
    patterns stays separable (bisection over P, LP feasibility). Returns an array of ``trials``
    values; their mean estimates alpha_c ('free') or alpha_b ('zero')."""
    gen = as_generator(rng)
    N = v.count(N, "N", 2)
    out = []
    for _ in range(v.count(trials, "trials", 1)):
        Pmax = int(max_load * N)
        X, g = afferent_inputs(Pmax, N, f_exc, cv_exc, cv_inh, rng=gen)
        y = np.where(gen.random(Pmax) < 0.5, -1.0, 1.0)
        lo, hi = 1, Pmax
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if sign_constrained_feasible(X[:mid], y[:mid], g, threshold):
                lo = mid
            else:
                hi = mid
        out.append(lo / N)
    return np.array(out)


def balance_index(w, X):
    """Net over total mean synaptic drive, ``|mean_mu w . x| / mean_mu sum_i |w_i| x_i``:
    O(1) for unbalanced weights, O(N^-1/2) for balanced ones."""
    w = np.asarray(w, dtype=float)
    X = np.asarray(X, dtype=float)
    total = (X @ np.abs(w)).mean()
    return float(abs((X @ w).mean()) / total) if total > 0 else np.nan


def output_margin(w, X, y, theta=1.0):
    """kappa_out = min_mu y_mu (w . x_mu - theta): robustness to output (field) noise, threshold units."""
    return float(np.min(np.asarray(y) * (np.asarray(X) @ np.asarray(w) - theta)))


def noisy_error_rate(w, X, y, theta=1.0, sigma_in=0.0, sigma_out=0.0):
    """Expected classification error with Gaussian input noise (s.d. sigma_in per afferent) and
    output noise (s.d. sigma_out on the field): mean_mu H(y (w.x - theta) / sqrt(sigma_in^2 |w|^2 +
    sigma_out^2)), H the Gaussian tail."""
    from scipy.stats import norm
    w = np.asarray(w, dtype=float)
    s = np.sqrt(sigma_in ** 2 * (w @ w) + sigma_out ** 2)
    h = np.asarray(y) * (np.asarray(X) @ w - theta)
    if s == 0:
        return float(np.mean(h <= 0))
    return float(np.mean(norm.sf(h / s)))


@dataclass
class LearningResult:
    """Outcome of :func:`balanced_perceptron_learning`.

    w : final weights; errors : fraction of noisy errors per cycle; record : weights every
    ``record_every`` cycles (row 0 the initial weights); cycles : the cycle index of each record row.
    """
    w: np.ndarray
    errors: np.ndarray
    record: np.ndarray
    cycles: np.ndarray


def balanced_perceptron_learning(X, y, g, n_cycles, rho=None, eps=None, sigma_in=0.0, sigma_out=0.0, theta=1.0,
                                 w0=None, record_every=None, rng=None, progress=False):
    """The balancing plasticity rule (Rubin et al. 2017; notes seed001 5.5), in C.

    For each pattern in a random order: noisy field ``h = w.x - theta + xi sqrt(|w|^2 sigma_in^2 +
    sigma_out^2)``; on an error (y h <= 0) ``w <- (1 - eps) w + rho y x``, else ``w <- (1 - eps) w``;
    weights that cross zero are clipped to 0 (E stays >= 0, I <= 0). With output noise the weights
    grow until the margin beats it, which forces E and I to balance.

    Parameters
    ----------
    X : (P, N) non-negative inputs; y : (P,) +-1 labels; g : (N,) +1 (E) / -1 (I)
    n_cycles : int
        Passes through all patterns.
    rho, eps : float
        Learning rate (default 0.1/N) and weight decay per presentation (default 5e-7, the authors'
        values).
    sigma_in, sigma_out : float
        Input-noise s.d. per afferent and output-noise s.d. (threshold units).
    theta : float
        Threshold (1 in threshold units).
    w0 : (N,) array, optional
        Initial weights, default ``1e-3 g Exp(1)``.
    record_every : int, optional
        Keep the weights every k cycles (default n_cycles // 20, at least 1).
    rng : int, Generator or None
    """
    gen = as_generator(rng)
    X = np.ascontiguousarray(X, dtype=float)
    N = X.shape[1] if X.ndim == 2 else 1
    rho = 0.1 / N if rho is None else rho
    eps = 5e-7 if eps is None else eps
    g = np.asarray(g, dtype=float)
    if w0 is None:
        w0 = 1e-3 * g * gen.exponential(1.0, N) if g.shape == (N,) else np.zeros(N)
    n_cycles = v.count(n_cycles, "n_cycles", 0)
    record_every = max(1, n_cycles // 20) if record_every is None else v.count(record_every, "record_every", 1)
    from .._progress import progress_callback as _progress
    w, err, rec = _memory.perceptron_learn(X, y, g, w0, n_cycles, float(theta), float(rho), float(eps),
                                           float(sigma_in), float(sigma_out), gen.bit_generator,
                                           record_every=record_every,
                                           progress=_progress(progress, n_cycles, "perceptron"))
    return LearningResult(w, err, rec, np.arange(rec.shape[0]) * record_every)
