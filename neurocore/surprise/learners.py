"""Online learners for switching environments and the surprise measures they report.

Notation (Liakoni et al. 2021): pi_t is the learner's belief after t observations, P(y; pi) the
predictive probability (density) of y under a belief, pi0 the prior.

- Bayes factor surprise ``S_BF = P(y; pi0) / P(y; pi_t)``.
- Adaptation rate ``gamma = m S_BF / (1 + m S_BF)``, with ``m = p_c / (1 - p_c)`` for exact Bayes,
  MP_N, SOR_N, pf_N and the Nassar learners; ``m`` is a tuned free parameter of VarSMiLe.
- Shannon surprise ``S_Sh = -log[(1 - p_c) P(y; pi_t) + p_c P(y; pi0)]`` in nats (the authors'
  code uses log10).
"""
from dataclasses import dataclass, field

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _surprise

#: Learner names known to the C kernel -> codes (from NC_SURPRISE_LEARNER_TABLE).
LEARNERS = dict(_surprise.LEARNER_CODES)

#: Grid-searched optimal hyperparameters from the authors' parameter dictionaries (notes section
#: 5.7): (task, sigma or s, p_c) -> {learner: value}; m for varsmile and smile, omega for leaky.
TUNED = {
    ("gaussian", 0.1, 0.1): {"varsmile": 0.79, "leaky": 0.06, "smile": 0.13},
    ("gaussian", 0.1, 0.01): {"varsmile": 0.21, "leaky": 0.27, "smile": 0.04},
    ("gaussian", 0.5, 0.01): {"varsmile": 0.13, "leaky": 0.75, "smile": 0.02},
    ("gaussian", 1.0, 0.1): {"varsmile": 0.41, "leaky": 0.69, "smile": 0.049},
    ("gaussian", 5.0, 0.01): {"varsmile": 0.0289, "leaky": 0.99, "smile": 1.7e-4},
    ("categorical", 0.1, 0.01): {"varsmile": 0.18, "leaky": 0.84},
    ("categorical", 1.0, 0.1): {"varsmile": 0.23, "leaky": 0.90},
    ("categorical", 0.01, 0.01): {"varsmile": 0.29, "leaky": 0.57},
}

_RECORD = {"err": _surprise.REC_ERR, "estimate": _surprise.REC_EST, "log_sbf": _surprise.REC_SBF,
           "ssh": _surprise.REC_SSH, "gamma": _surprise.REC_GAMMA, "n_comp": _surprise.REC_NCOMP}
_NEEDS = {"mp": "N", "sor": "N", "pf": "N", "varsmile": "m", "smile": "m", "leaky": "omega"}


# ---------------------------------------------------------------- closed forms

def gaussian_log_predictive(y, mu, nu, sigma):
    """log N(y; mu, sigma^2 (1 + 1/nu)): predictive of a conjugate belief with mean mu and
    posterior variance sigma^2/nu (nu = sigma^2/sigma0^2 for the prior)."""
    var = sigma ** 2 * (1.0 + 1.0 / np.asarray(nu, dtype=float))
    return -0.5 * np.log(2 * np.pi * var) - (np.asarray(y) - mu) ** 2 / (2 * var)


def bayes_factor_surprise_gaussian(y, mu, nu, sigma, mu0=0.0, sigma0=1.0):
    """S_BF = N(y; mu0, sigma0^2 + sigma^2) / N(y; mu, sigma^2 + sigma^2/nu) (dimensionless)."""
    nu0 = sigma ** 2 / sigma0 ** 2
    return np.exp(gaussian_log_predictive(y, mu0, nu0, sigma) - gaussian_log_predictive(y, mu, nu, sigma))


def bayes_factor_surprise_categorical(y, alpha):
    """S_BF = (1/n) / (alpha_y / sum(alpha)) for a Dirichlet(alpha) belief over n categories."""
    alpha = np.asarray(alpha, dtype=float)
    return (1.0 / alpha.shape[-1]) / (np.take_along_axis(alpha, np.asarray(y)[..., None], -1)[..., 0]
                                      / alpha.sum(-1))


def adaptation_rate(S, m):
    """gamma(S, m) = m S / (1 + m S), in [0, 1]."""
    S = np.asarray(S, dtype=float)
    return m * S / (1.0 + m * S)


def shannon_surprise(S_BF, log_p0, p_c):
    """S_Sh = -log P(y; pi0) - log(p_c + (1 - p_c)/S_BF), in nats; equal to
    -log[(1 - p_c) P(y; pi_t) + p_c P(y; pi0)]."""
    return -np.asarray(log_p0) - np.log(p_c + (1.0 - p_c) / np.asarray(S_BF, dtype=float))


# ---------------------------------------------------------------- running learners

@dataclass
class LearnResult:
    """Output of :func:`learn`.

    ``err_mean`` holds each run's squared error averaged over steps 2..T (step 1 excluded), with
    shape ``(E,)`` or ``(K, E)`` when a hyperparameter was given K values; ``error`` averages it
    over seeds, giving one value per (hyperparameter,) + cell. Per-step arrays (when recorded)
    carry the same leading axes plus T: ``err`` (squared error against the generating theta),
    ``estimate`` (the learner's theta estimate after y_t), ``log_sbf`` (log Bayes factor surprise of
    y_t under the belief before it), ``ssh`` (Shannon surprise, nats), ``gamma`` (adaptation rate),
    ``n_comp`` (mixture components). Learners without a surprise (leaky) give NaN.
    """
    learner: str
    err_mean: np.ndarray
    error: object
    params: dict
    records: dict = field(default_factory=dict)

    def __getattr__(self, name):
        rec = self.__dict__.get("records", {})
        if name in rec:
            return rec[name]
        raise AttributeError(name)

    @property
    def S_BF(self):
        """Bayes factor surprise exp(log_sbf) (may overflow to inf at very sharp predictives)."""
        with np.errstate(over="ignore"):
            return np.exp(self.records["log_sbf"])


def _hyper(value, name, learner, default):
    if value is None:
        if _NEEDS.get(learner) == name:
            raise ValueError(f"argument '{name}' is required by learner {learner!r}")
        return np.atleast_1d(np.asarray(default)), False
    arr = np.asarray(value)
    return np.atleast_1d(arr), arr.ndim > 0


def learn(env, learner, m=None, omega=None, N=None, p_c=None, record=(), cutoff=1e-16, rng=None,
          progress=False, per_cell=False):
    """Run one learner on every row of ``env`` (in C).

    Parameters
    ----------
    env : SwitchingEnvironment
    learner : {'exact', 'mp', 'sor', 'pf', 'varsmile', 'smile', 'nas10', 'nas12', 'leaky'}
        'mp'/'sor'/'pf' need ``N``; 'varsmile'/'smile' need ``m``; 'leaky' needs ``omega``.
        The Nassar learners exist for the Gaussian task only.
    m, omega, N : scalar or 1-D array
        Hyperparameters. Arrays (broadcast together, length K) run every value on every row:
        a grid search in one call. m >= 0; omega in (0, 1]; N >= 1 components/particles.
    p_c : float, optional
        Change probability the learner assumes (default: each row's true p_c).
    record : iterable of str
        Per-step outputs to keep: 'err', 'estimate', 'log_sbf', 'ssh', 'gamma', 'n_comp'.
    cutoff : float
        Exact Bayes prunes run lengths with posterior probability below this.
    rng : int, Generator or None
        Randomness of 'pf' (switch draws, resampling) and 'sor'.
    progress : bool or callable(done, total)
    per_cell : bool
        If True, array hyperparameters have the shape ``env.cell_shape`` and give one value per
        (sigma or s, p_c) cell (e.g. the per-cell optimum of :func:`grid_search`).

    Returns
    -------
    LearnResult
    """
    code = v.choice(learner, "learner", LEARNERS)
    learner = learner.lower()
    E = env.n_runs
    mm, m_arr = _hyper(m, "m", learner, 0.0)
    oo, o_arr = _hyper(omega, "omega", learner, 1.0)
    nn, n_arr = _hyper(N, "N", learner, 1)
    if np.any(~np.isfinite(np.asarray(nn, dtype=float))) or np.any(np.asarray(nn) != np.round(np.asarray(nn, dtype=float))):
        raise ValueError(f"argument 'N' must be an integer >= 1, got {N!r}")
    if per_cell:
        cs = tuple(env.cell_shape)
        rows = [np.repeat(np.broadcast_to(np.asarray(a if a is not None else d), cs).ravel(), env.n_seeds)
                for a, d in ((m, 0.0), (omega, 1.0), (N, 1))]
        mm, oo, nn = rows[0][None].astype(float), rows[1][None].astype(float), rows[2][None].astype(np.int64)
        K, grid = 1, False
        mm_r, oo_r, nn_r = mm[0], oo[0], nn[0]
    else:
        mm, oo, nn = np.broadcast_arrays(mm.astype(float), oo.astype(float), nn.astype(np.int64))
        K = mm.shape[0]
        grid = m_arr or o_arr or n_arr
        mm_r, oo_r, nn_r = mm.repeat(E), oo.repeat(E), nn.repeat(E)
    if p_c is None:
        pcs = np.tile(env.p_c, K)
    else:
        pcs = np.broadcast_to(np.asarray(p_c, dtype=float), (K,)).repeat(E)
    mask = 0
    for r in record:
        if r not in _RECORD:
            raise ValueError(f"argument 'record' entries must be among {sorted(_RECORD)}, got {r!r}")
        mask |= _RECORD[r]
    task = _surprise.TASK_GAUSSIAN if env.task == "gaussian" else _surprise.TASK_CATEGORICAL
    bitgen = as_generator(rng).bit_generator if learner in ("pf", "sor") else None
    from .._progress import progress_callback as _progress
    out = _surprise.learn(task, code, env.y, pcs, np.tile(env.stochasticity, K), mm_r, oo_r,
                          nn_r, theta=env.theta, env_index=np.tile(np.arange(E, dtype=np.int64), K),
                          mu0=env.mu0, sigma0=env.sigma0, ns=env.n_states, cutoff=float(cutoff), record=mask,
                          bitgen=bitgen, progress=_progress(progress, K * E, learner))
    lead = (K, E) if grid else (E,)
    err_mean = out.pop("err_mean").reshape(lead)
    recs = {k: a.reshape(lead + a.shape[1:]) for k, a in out.items()}
    per_cell = err_mean.reshape(lead[:-1] + tuple(env.cell_shape) + (env.n_seeds,)).mean(-1)
    error = float(per_cell) if per_cell.ndim == 0 else per_cell
    params = {"m": m, "omega": omega, "N": N}
    return LearnResult(learner, err_mean, error, params, recs)


def grid_search(env, learner, param, values, rng=None, **fixed):
    """Minimise the seed-averaged error of ``learner`` over one hyperparameter.

    Parameters
    ----------
    env : SwitchingEnvironment
    learner : str
    param : {'m', 'omega', 'N'}
    values : 1-D array
        Grid of candidate values.
    **fixed : other keyword arguments of :func:`learn`.

    Returns
    -------
    best : float or array (one per cell)
        The grid value with the lowest error.
    errors : (len(values),) + cell_shape array
    """
    values = np.asarray(values)
    if values.ndim != 1 or values.size < 1:
        raise ValueError(f"argument 'values' must be a non-empty 1-D grid, got shape {values.shape}")
    res = learn(env, learner, rng=rng, **{param: values}, **fixed)
    errors = np.asarray(res.error).reshape((values.size,) + tuple(env.cell_shape))
    best = values[np.argmin(errors, axis=0)]
    return (best.item() if best.ndim == 0 else best), errors


def transient_curve(err, change, before=5, after=50):
    """Squared error aligned on change points, averaged over all changes in all runs.

    Parameters
    ----------
    err : (R, T) array
        Per-step squared errors (``record=('err',)``).
    change : (R, T) bool array
        ``env.change``; the change at step 0 is ignored.
    before, after : int
        Steps kept before and after each change (changes closer than that to the ends are skipped).

    Returns
    -------
    lags : (before + after,) int array
        Step relative to the change (0 = the first observation from the new theta).
    curve : (before + after,) array
        Mean squared error at each lag; NaN where no change qualified.
    """
    err = np.asarray(err)
    change = np.asarray(change, dtype=bool)
    err = err.reshape(-1, err.shape[-1])
    change = change.reshape(-1, change.shape[-1])
    if change.shape[0] != err.shape[0]:
        change = np.tile(change, (err.shape[0] // change.shape[0], 1))
    T = err.shape[1]
    lags = np.arange(-before, after)
    rows, ts = np.nonzero(change)
    sel = (ts >= max(before, 1)) & (ts + after <= T)
    if not np.any(sel):
        return lags, np.full(lags.size, np.nan)
    idx = ts[sel, None] + lags[None, :]
    return lags, err[rows[sel, None], idx].mean(axis=0)
