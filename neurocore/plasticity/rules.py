"""The rule engine: Hebbian, Oja, BCM, covariance, heterosynaptic, subtractive-normalised, three-factor
and correlation-invariant updates on dense or CSR weights, float32 or float64, in place, in C.

Every rule has the form (``csrc/kernels/plasticity.h``)::

    h_ij = a_i x_j - b_i W_ij
    W_ij <- clip(W_ij + eta m_i h_ij)                         (no eligibility trace)
    E_ij <- decay E_ij + h_ij ;  W_ij <- clip(W_ij + eta m_i E_ij)   (with eligibility trace E)

with ``y_i`` the postsynaptic signal (rate or trace), ``x_j`` the presynaptic signal, ``theta_i`` a
threshold, ``m_i`` the third factor and ``f(y) = sign(y)|y|^power``. The coefficients ``a_i, b_i``
of each rule come from one C table (NC_PLASTICITY_RULE_TABLE), which also yields :data:`RULES`,
:data:`RULE_DOCS` and the table in this module's documentation.
"""
import numbers

import numpy as np

from . import _plasticity

#: Rule name -> C code, from the C table NC_PLASTICITY_RULE_TABLE.
RULES = dict(_plasticity.RULE_CODES)
#: Rule name -> the update it performs (same table).
RULE_DOCS = dict(_plasticity.RULE_DOCS)
#: Rule name -> flags (CENTER_PRE = 1, SUBTRACT_MEAN = 2, ELIGIBILITY = 4).
RULE_FLAGS = dict(_plasticity.RULE_FLAGS)
FLAG_CENTER_PRE = _plasticity.FLAG_CENTER_PRE
FLAG_SUBTRACT_MEAN = _plasticity.FLAG_SUBTRACT_MEAN
FLAG_ELIGIBILITY = _plasticity.FLAG_ELIGIBILITY

__all__ = ["RULES", "RULE_DOCS", "RULE_FLAGS", "rules_table", "rule_code", "update", "update_csr", "apply",
           "normalize_rows", "PlasticityRule"]


def rules_table():
    """The registry as a Markdown table (name, code, update), generated from the C table."""
    lines = ["| rule | code | update |", "|---|---|---|"]
    for name, code in sorted(RULES.items(), key=lambda kv: kv[1]):
        lines.append(f"| `{name}` | {code} | {RULE_DOCS[name]} |")
    return "\n".join(lines)


def rule_code(rule):
    """C code of a rule given by name (or code)."""
    if isinstance(rule, (numbers.Integral,)) and not isinstance(rule, bool):
        if rule in RULES.values():
            return int(rule)
    elif isinstance(rule, str) and rule.lower() in RULES:
        return RULES[rule.lower()]
    raise ValueError(f"argument 'rule' must be one of {sorted(RULES)}, got {rule!r}")


def _bounds(bounds):
    if bounds is None:
        return -np.inf, np.inf
    try:
        lo, hi = bounds
    except (TypeError, ValueError):
        raise ValueError(f"argument 'bounds' must be None or a pair (w_min, w_max), got {bounds!r}") from None
    lo = -np.inf if lo is None else float(lo)
    hi = np.inf if hi is None else float(hi)
    return lo, hi


def update(W, pre, post, rule="hebb", eta=1e-3, power=1.0, theta=None, pre_ref=None, modulator=None,
           eligibility=None, decay=1.0, bounds=None):
    """Apply one plasticity step to dense weights **in place**.

    Parameters
    ----------
    W : (n_post, n_pre) ndarray, float32 or float64, C-contiguous and writable
        Weights, ``W[i, j]`` from presynaptic j to postsynaptic i. Updated in place.
    pre : (n_pre,) array
        Presynaptic activity or trace ``x_j`` (rate units or trace units; any consistent unit).
    post : (n_post,) array
        Postsynaptic activity or trace ``y_i``.
    rule : str
        One of :data:`RULES` (see :func:`rules_table`).
    eta : float
        Learning rate (weight units per unit of the Hebbian term). Negative values descend.
    power : float
        Exponent of ``f(y) = sign(y)|y|^power`` used by the LTP term (1 = linear).
    theta : float or (n_post,) array, optional
        Thresholds (BCM sliding threshold, covariance mean, heterosynaptic rate, metaplastic lambda).
    pre_ref : (n_pre,) array, optional
        Presynaptic reference subtracted by the covariance rule.
    modulator : float or (n_post,) array, optional
        Third factor ``m_i`` (reward, dopamine, error broadcast); default 1.
    eligibility : ndarray like W, optional
        Eligibility trace, updated in place (required by 'three_factor').
    decay : float
        Eligibility decay per call, ``exp(-dt / tau_e)``, in [0, 1].
    bounds : (w_min, w_max), optional
        Hard bounds applied after the update.
    """
    lo, hi = _bounds(bounds)
    _plasticity.update(W, pre, post, rule_code(rule), float(eta), power=float(power), theta=theta,
                       pre_ref=pre_ref, modulator=modulator, eligibility=eligibility, decay=float(decay),
                       w_min=lo, w_max=hi)


def update_csr(W, pre, post, rule="hebb", eta=1e-3, power=1.0, theta=None, pre_ref=None, modulator=None,
               eligibility=None, decay=1.0, bounds=None):
    """:func:`update` for a ``scipy.sparse.csr_array``/``csr_matrix`` (or an ``(indptr, indices, data,
    n_pre)`` tuple): only stored synapses change, ``W.data`` is updated **in place**.

    ``eligibility`` is then an array like ``W.data``. For the 'subtractive' rule the mean runs over each
    row's stored synapses, so every row sum is conserved.
    """
    if isinstance(W, tuple):
        indptr, indices, data, n_pre = W
    else:
        indptr, indices, data, n_pre = W.indptr, W.indices, W.data, W.shape[1]
    indptr = _as_int32(indptr, "indptr")
    indices = _as_int32(indices, "indices")
    lo, hi = _bounds(bounds)
    _plasticity.update_csr(indptr, indices, data, int(n_pre), pre, post, rule_code(rule), float(eta),
                           power=float(power), theta=theta, pre_ref=pre_ref, modulator=modulator,
                           eligibility=eligibility, decay=float(decay), w_min=lo, w_max=hi)


def _as_int32(a, name):
    a = np.asarray(a)
    if a.dtype == np.int32:
        return a
    if a.dtype.kind not in "iu":
        raise TypeError(f"argument '{name}' must hold integers, got dtype {a.dtype}")
    if a.size and (a.max() > np.iinfo(np.int32).max or a.min() < np.iinfo(np.int32).min):
        raise ValueError(f"argument '{name}' has values beyond int32; neurocore's CSR kernels use int32 indices")
    return a.astype(np.int32)


def apply(W, pre, post, rule="hebb", **kw):
    """Like :func:`update` but returns an updated copy and leaves ``W`` alone (eligibility too)."""
    W = np.array(W, dtype=np.result_type(np.asarray(W).dtype, np.float32), order="C", copy=True)
    if W.dtype not in (np.float32, np.float64):
        W = W.astype(np.float64)
    E = kw.pop("eligibility", None)
    if E is not None:
        E = np.array(E, dtype=W.dtype, order="C", copy=True)
    update(W, pre, post, rule=rule, eligibility=E, **kw)
    return (W, E) if E is not None else W


def normalize_rows(W, kind="l2", target=1.0):
    """Heterosynaptic normalisation in place: each row rescaled to L2 norm ``target`` ('l2',
    multiplicative) or shifted to sum ``target`` ('sum', subtractive)."""
    kinds = {"l2": 0, "sum": 1}
    if not isinstance(kind, str) or kind.lower() not in kinds:
        raise ValueError(f"argument 'kind' must be one of {sorted(kinds)}, got {kind!r}")
    _plasticity.normalize_rows(W, kinds[kind.lower()], float(target))


class PlasticityRule:
    """A configured rule, reusable step after step.

    Parameters mirror :func:`update`; call ``rule.step(W, pre, post, theta=..., modulator=...)``.
    Attributes ``name`` and ``code`` identify the registry entry; ``doc`` is its formula.
    """

    def __init__(self, rule="hebb", eta=1e-3, power=1.0, decay=1.0, bounds=None):
        self.code = rule_code(rule)
        self.name = {v: k for k, v in RULES.items()}[self.code]
        self.doc = RULE_DOCS[self.name]
        if not np.isfinite(eta):
            raise ValueError(f"argument 'eta' must be finite, got {eta!r}")
        if not (np.isfinite(power) and power > 0):
            raise ValueError(f"argument 'power' must be a positive finite number, got {power!r}")
        if not (0.0 <= decay <= 1.0):
            raise ValueError(f"argument 'decay' must be in [0, 1] (exp(-dt/tau_e)), got {decay!r}")
        self.eta, self.power, self.decay = float(eta), float(power), float(decay)
        self.bounds = _bounds(bounds)
        self.needs_eligibility = bool(RULE_FLAGS[self.name] & FLAG_ELIGIBILITY)

    def step(self, W, pre, post, theta=None, pre_ref=None, modulator=None, eligibility=None):
        """One in-place update of dense ``W`` (or a scipy CSR matrix)."""
        fn = update_csr if hasattr(W, "indptr") or isinstance(W, tuple) else update
        fn(W, pre, post, rule=self.code, eta=self.eta, power=self.power, theta=theta, pre_ref=pre_ref,
           modulator=modulator, eligibility=eligibility, decay=self.decay, bounds=self.bounds)

    def __repr__(self):
        return f"PlasticityRule({self.name!r}, eta={self.eta}, power={self.power}, decay={self.decay})"


__doc__ += "\n\nRegistered rules (generated from the C table)\n\n" + rules_table() + "\n"
