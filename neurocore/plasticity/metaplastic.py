"""Correlation-invariant (metaplastic) Hebbian learning of rate neurons (Brito & Gerstner).

A rate neuron ``y = w . x`` learns with nonlinear Hebbian LTP and *Hebbian* LTD whose strength
``lambda`` depends on the recent postsynaptic activity (metaplasticity)::

    dw = eta x (f(y) - lambda y),   f(y) = y^3,   lambda = c m2^q,   m2 <- m2 + (<y^2> - m2) / tau_meta

At a fixed point ``E[x f(y)] = lambda E[x y]``; writing ``x = A s`` this becomes
``E[s f(v.s)] = lambda E[s (v.s)]`` with ``v = A^T w``, independent of the mixing A: the learned
feature does not depend on second-order input correlations. The heterosynaptic alternative
``dw = eta (x f(y) - y f(y) w)`` (rule 'oja' with power 3) and Oja's rule (power 1) lack this
invariance. BCM is the same construction with ``f(y) = y^2`` and ``q = 1``.

Equations are the notes' reconstruction ([inf], seed002 section 1.2), not a transcription of the
paper's Methods; the metaplastic variable is the one the notes found stable ([calib]).
"""
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _plasticity
from .rules import rule_code

__all__ = ["metaplastic_stability", "MetaplasticStability", "HebbianLearner", "latent_mixture", "alignment"]

#: E[s^(p+1)] of the unit-variance feature the defaults assume: Laplace (p = 3: kurtosis 6) and the
#: centred exponential (p = 2: skewness 2).
DEFAULT_SOURCE_MOMENT = {3.0: 6.0, 2.0: 2.0}


@dataclass
class MetaplasticStability:
    """Linear stability of the (weight amplitude, metaplastic variable) map at the learned scale.

    ``scale`` = E[y^2] at the fixed point; ``radius`` the spectral radius of the linearised map
    (stable < 1); ``tau_w`` the weights' own growth time in updates; ``tau_meta_max`` the largest
    stable tau_meta (inf when every tau_meta >= 1 is stable, 0 when none is).
    """
    stable: bool
    scale: float
    radius: float
    tau_w: float
    tau_meta_max: float


def _map_radius(eta, tau, c, q, p, mu):
    a_star = (mu / c) ** (1.0 / (2 * q - p + 1))

    def step(a, m):
        m_new = m + (a * a - m) / tau
        return np.array([a + eta * (mu * a ** p - c * m_new ** q * a), m_new])

    z = np.array([a_star, a_star ** 2])
    J = np.zeros((2, 2))
    for k in range(2):
        h = 1e-6 * max(1.0, abs(z[k]))
        dz = np.zeros(2)
        dz[k] = h
        J[:, k] = (step(*(z + dz)) - step(*(z - dz))) / (2 * h)
    return float(np.max(np.abs(np.linalg.eigvals(J)))), a_star


def metaplastic_stability(eta, tau_meta, meta_c, meta_q, power, source_moment):
    """Stability of the metaplastic threshold ``lambda = c m^q`` (sliding ``m`` of <y^2>, time constant
    ``tau_meta`` updates) against weights growing at rate ``eta`` with LTP ``f(y) = y^power``.

    One feature direction, ``y = a s`` with unit-variance ``s`` and ``E[s^(power+1)] = source_moment``:
    ``a' = a + eta (mu a^p - c m'^q a)``, ``m' = m + (a^2 - m) / tau_meta``. The fixed point
    ``a*^(2q-p+1) = mu / c`` exists and is isolated only if ``q > (p - 1) / 2``. In continuous time it is
    stable iff ``tau_meta < tau_w = 1 / (eta c a*^(2q) (p - 1))``: the threshold must follow the
    activity faster than the weights grow (the BCM condition). The discrete map's spectral radius is
    computed exactly (numerically).

    ``eta`` is the largest effective rate along the feature (for :class:`HebbianLearner` with
    ``relative_eta``: eta itself, since the update is scaled by 1 / lambda_max(C)).
    """
    p, q, c, mu = float(power), float(meta_q), float(meta_c), float(source_moment)
    if not q > (p - 1) / 2:
        return MetaplasticStability(False, float("nan"), float("inf"), float("nan"), 0.0)
    r, a_star = _map_radius(eta, tau_meta, c, q, p, mu)
    tau_w = 1.0 / (eta * c * a_star ** (2 * q) * (p - 1)) if p > 1 else float("inf")
    # Largest stable tau_meta by bisection on [1, 1e6] (radius grows with tau_meta).
    if _map_radius(eta, 1.0, c, q, p, mu)[0] >= 1:
        tmax = 0.0
    elif _map_radius(eta, 1e6, c, q, p, mu)[0] < 1:
        tmax = float("inf")
    else:
        lo, hi = 1.0, 1e6
        for _ in range(60):
            mid = np.sqrt(lo * hi)
            if _map_radius(eta, mid, c, q, p, mu)[0] < 1:
                lo = mid
            else:
                hi = mid
        tmax = lo
    return MetaplasticStability(r < 1, a_star ** 2, r, tau_w, tmax)


def latent_mixture(n_samples, kappa, d=8, rng=None, source="laplace"):
    """Inputs ``x = A s`` hiding one non-Gaussian feature among Gaussian ones (notes seed002 1.4).

    ``s_1`` is Laplace (or centred exponential for ``source='exponential'``) with unit variance,
    ``s_2..s_d`` standard Gaussian; ``A = U diag(geomspace(kappa, 1, d)) V^T`` with random orthogonal
    U, V, so the input covariance ``C = A A^T`` has condition number ``kappa^2`` (A has ``kappa``).

    Returns ``(X, A, S)`` with ``X`` of shape (n_samples, d).
    """
    rng = as_generator(rng)
    n_samples = v.count(n_samples, "n_samples", 1)
    kappa = v.positive(kappa, "kappa")
    d = v.count(d, "d", 2)
    S = rng.standard_normal((n_samples, d))
    if source == "laplace":
        S[:, 0] = rng.laplace(0.0, 1.0 / np.sqrt(2.0), n_samples)
    elif source == "exponential":
        S[:, 0] = rng.exponential(1.0, n_samples) - 1.0
    else:
        raise ValueError(f"argument 'source' must be 'laplace' or 'exponential', got {source!r}")
    U = np.linalg.qr(rng.standard_normal((d, d)))[0]
    V = np.linalg.qr(rng.standard_normal((d, d)))[0]
    A = U @ np.diag(np.geomspace(kappa, 1.0, d)) @ V.T
    return S @ A.T, A, S


def alignment(w, A, feature=0):
    """``|cos(A^T w, e_feature)|``: how well the receptive field picks out the hidden feature."""
    vv = A.T @ np.ravel(w)
    return float(abs(vv[feature]) / np.linalg.norm(vv))


class HebbianLearner:
    """Rate neurons ``y = W x`` trained on mini-batches by a registry rule, the loop in C.

    Parameters
    ----------
    n_in : int
        Input dimension.
    n_out : int
        Number of (independent) neurons, rows of W.
    rule : str
        'correlation_invariant' (default), 'bcm', 'oja', 'hebb', 'covariance', 'heterosynaptic',
        'subtractive'.
    power : float, optional
        Exponent of the LTP nonlinearity ``f(y) = sign(y)|y|^power`` (default 3 for the
        correlation-invariant rule, else 1).
    eta : float
        Learning rate. With ``relative_eta`` (default) the applied rate is ``eta / lambda_max(C)``,
        ``C = E[x x^T]`` estimated from the first data passed to :meth:`fit`, so that eta bounds the
        effective rate along every input direction.
    batch : int
        Samples averaged per update.
    tau_meta : float, optional
        Time constant (updates) of the metaplastic variable ``m <- m + (<y^2> - m)/tau_meta``; used by
        'correlation_invariant' (``lambda = meta_c m^meta_q``) and 'bcm' (``theta = meta_c m``).
        Default 2 updates.
    meta_c, meta_q : float
        Threshold ``c m^q``; defaults c = 3, q = 2 (correlation-invariant), c = 1, q = 1 (BCM).
    normalize : bool
        Rescale each weight row to unit norm after every update (heterosynaptic / Oja alternatives).
    source_moment : float, optional
        ``E[s^(p+1)]`` of the expected unit-variance feature, for the stability check (default 6, a
        Laplace source, for p = 3; 2, a centred exponential, for BCM).
    rng : int, Generator or None
        Draws the initial weights.

    Raises
    ------
    ValueError
        At construction, if the metaplastic threshold is unstable for these time constants: the
        message says which time constant to change and to what.
    """

    def __init__(self, n_in, n_out=1, rule="correlation_invariant", power=None, eta=0.005, batch=200,
                 tau_meta=None, meta_c=None, meta_q=None, normalize=False, source_moment=None,
                 relative_eta=True, rng=None):
        self.n_in = v.count(n_in, "n_in", 1)
        self.n_out = v.count(n_out, "n_out", 1)
        self.code = rule_code(rule)
        self.rule = rule
        meta_rule = rule in ("correlation_invariant", "bcm")
        self.power = v.positive(power if power is not None else (3.0 if rule == "correlation_invariant" else 1.0),
                                "power")
        self.eta = v.positive(eta, "eta")
        self.batch = v.count(batch, "batch", 1)
        self.normalize = bool(normalize)
        self.relative_eta = bool(relative_eta)
        if meta_rule:
            self.tau_meta = v.positive(2.0 if tau_meta is None else tau_meta, "tau_meta")
            if self.tau_meta < 1:
                raise ValueError(f"argument 'tau_meta' must be >= 1 update, got {tau_meta!r}")
            cq = (3.0, 2.0) if rule == "correlation_invariant" else (1.0, 1.0)
            self.meta_c = v.positive(cq[0] if meta_c is None else meta_c, "meta_c")
            self.meta_q = v.positive(cq[1] if meta_q is None else meta_q, "meta_q")
            p_eff = self.power if rule == "correlation_invariant" else 2.0
            mu = source_moment if source_moment is not None else DEFAULT_SOURCE_MOMENT.get(p_eff)
            if mu is None:
                raise ValueError(f"argument 'source_moment' (E[s^{p_eff + 1:g}] of the feature) is needed "
                                 f"for the stability check when power = {p_eff:g}")
            self.stability = metaplastic_stability(self.eta, self.tau_meta, self.meta_c, self.meta_q, p_eff, mu)
            self._check_stability(p_eff)
        else:
            if tau_meta is not None:
                raise ValueError(f"argument 'tau_meta' only applies to 'correlation_invariant' and 'bcm', "
                                 f"not {rule!r}")
            self.tau_meta, self.meta_c, self.meta_q, self.stability = 0.0, 1.0, 1.0, None
        self.rng = as_generator(rng)
        self.W = None
        self.meta = np.zeros(self.n_out)
        self.steps_done = 0
        self._lambda_max = None

    def _check_stability(self, p):
        st = self.stability
        if not self.meta_q > (p - 1) / 2:
            raise ValueError(
                f"unstable metaplastic threshold: meta_q = {self.meta_q:g} must exceed (power - 1)/2 = "
                f"{(p - 1) / 2:g}, otherwise LTD cannot fix the output scale; raise meta_q (e.g. 2)")
        if not st.stable:
            if st.tau_meta_max >= 1:
                raise ValueError(
                    f"unstable metaplastic threshold: tau_meta = {self.tau_meta:g} updates is too slow for the "
                    f"weights (growth time tau_w = {st.tau_w:.3g} updates at eta = {self.eta:g}; linearised "
                    f"map radius {st.radius:.3f} > 1). Make tau_meta shorter than {st.tau_meta_max:.3g} updates, "
                    f"or lower eta so that tau_w grows.")
            raise ValueError(
                f"unstable metaplastic threshold: eta = {self.eta:g} is too large even for tau_meta = 1 update "
                f"(weight growth time tau_w = {st.tau_w:.3g} updates, radius {st.radius:.3f}); lower eta "
                f"(the weights' time constant 1/eta must be longer).")

    def _init(self, X):
        C = X.T @ X / X.shape[0]
        self._lambda_max = float(np.linalg.eigvalsh(C)[-1])
        W = self.rng.standard_normal((self.n_out, self.n_in))
        var = np.einsum("ij,jk,ik->i", W, C, W)
        self.W = W / np.sqrt(var)[:, None]  # unit output variance
        if self.normalize:
            self.W /= np.linalg.norm(self.W, axis=1, keepdims=True)
        if self.tau_meta > 0:
            self.meta = np.einsum("ij,jk,ik->i", self.W, C, self.W)

    @property
    def applied_eta(self):
        """The rate the kernel applies (eta / lambda_max(C) with relative_eta)."""
        if self.relative_eta and self._lambda_max is not None:
            return self.eta / self._lambda_max
        return self.eta

    def fit(self, X, n_steps, progress=None):
        """Run ``n_steps`` updates on batches cycling through the rows of ``X`` (n_samples, n_in)."""
        X = np.ascontiguousarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_in:
            raise ValueError(f"argument 'X' must have shape (n_samples, {self.n_in}), got {X.shape}")
        n_steps = v.count(n_steps, "n_steps", 0)
        if self.W is None:
            self._init(X)
        self.W, self.meta = _plasticity.batch_fit(
            self.W, X, self.code, self.applied_eta, n_steps, batch=self.batch, power=self.power,
            tau_meta=self.tau_meta, meta_c=self.meta_c, meta_q=self.meta_q, meta0=self.meta,
            normalize=int(self.normalize), step0=self.steps_done, progress=progress)
        self.steps_done += n_steps
        return self

    @property
    def lam(self):
        """The metaplastic LTD strength ``lambda = c m^q`` (per neuron)."""
        return self.meta_c * self.meta ** self.meta_q
