"""Switching environments of the surprise paper, generated in C from the rng's bit generator."""
from dataclasses import dataclass

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _surprise


@dataclass
class SwitchingEnvironment:
    """Observations of a switching environment, one row per run (cells x seeds, cell-major).

    Attributes
    ----------
    task : {'gaussian', 'categorical'}
    y : (R, T) array
        Observations: float (Gaussian) or int categories in [0, n_states) (categorical).
    theta : (R, T) or (R, T, n_states) array
        The parameter that generated ``y[:, t]`` (Gaussian mean, or categorical probabilities).
    change : (R, T) bool array
        True where theta was redrawn just before ``y[:, t]``; ``change[:, 0]`` is always True.
    p_c : (R,) array
        Change probability of each row.
    stochasticity : (R,) array
        sigma (Gaussian observation std) or s (Dirichlet concentration) of each row.
    cell_shape : tuple
        Shape of the (sigma or s, p_c) cells; rows are ``cell_shape + (n_seeds,)`` flattened.
    """
    task: str
    y: np.ndarray
    theta: np.ndarray
    change: np.ndarray
    p_c: np.ndarray
    stochasticity: np.ndarray
    n_seeds: int
    cell_shape: tuple
    mu0: float = 0.0
    sigma0: float = 1.0
    n_states: int = 5

    @property
    def T(self):
        return self.y.shape[1]

    @property
    def n_runs(self):
        return self.y.shape[0]


def _rows(stoch, p_c, n_seeds, sname):
    stoch = np.asarray(stoch, dtype=float)
    p_c = np.asarray(p_c, dtype=float)
    if np.any(~np.isfinite(p_c)) or np.any((p_c < 0) | (p_c > 1)):
        raise ValueError(f"argument 'p_c' must be a probability in [0, 1], got {p_c}")
    if np.any(~np.isfinite(stoch)) or np.any(stoch <= 0):
        raise ValueError(f"argument '{sname}' must be positive and finite, got {stoch}")
    stoch, p_c = np.broadcast_arrays(stoch, p_c)
    shape = stoch.shape
    rows_s = np.repeat(stoch.ravel(), n_seeds)
    rows_p = np.repeat(p_c.ravel(), n_seeds)
    return rows_s, rows_p, shape


def gaussian_task(T, sigma, p_c, n_seeds=1, mu0=0.0, sigma0=1.0, rng=None):
    """Gaussian switching task: ``theta ~ N(mu0, sigma0^2)``, redrawn with probability ``p_c``
    before each observation, ``y ~ N(theta, sigma^2)``.

    Parameters
    ----------
    T : int
        Steps per run.
    sigma : float or array
        Observation standard deviation ("stochasticity"), same units as y; > 0.
    p_c : float or array
        Change probability per step, in [0, 1]. ``sigma`` and ``p_c`` broadcast to a grid of cells.
    n_seeds : int
        Independent runs per cell.
    mu0, sigma0 : float
        Prior of theta.
    rng : int, Generator or None

    Returns
    -------
    SwitchingEnvironment
    """
    T = v.count(T, "T", 1)
    n_seeds = v.count(n_seeds, "n_seeds", 1)
    sigma0 = v.positive(sigma0, "sigma0")
    rs, rp, shape = _rows(sigma, p_c, n_seeds, "sigma")
    y, th, ch = _surprise.env(_surprise.TASK_GAUSSIAN, T, rp, rs, as_generator(rng).bit_generator,
                              mu0=float(mu0), sigma0=sigma0)
    return SwitchingEnvironment("gaussian", y, th, ch, rp, rs, n_seeds, shape, float(mu0), sigma0, 1)


def categorical_task(T, s, p_c, n_seeds=1, n_states=5, rng=None):
    """Categorical switching task: ``theta ~ Dirichlet(s 1)`` over ``n_states`` categories,
    redrawn with probability ``p_c`` before each observation, ``y ~ Cat(theta)``.

    Parameters
    ----------
    T : int
    s : float or array
        Dirichlet concentration (> 0); small s gives nearly deterministic observations.
    p_c : float or array
        Change probability per step, in [0, 1].
    n_seeds : int
    n_states : int
        Alphabet size (the paper uses 5).
    rng : int, Generator or None

    Returns
    -------
    SwitchingEnvironment
    """
    T = v.count(T, "T", 1)
    n_seeds = v.count(n_seeds, "n_seeds", 1)
    n_states = v.count(n_states, "n_states", 2)
    rs, rp, shape = _rows(s, p_c, n_seeds, "s")
    y, th, ch = _surprise.env(_surprise.TASK_CATEGORICAL, T, rp, rs, as_generator(rng).bit_generator,
                              ns=n_states)
    return SwitchingEnvironment("categorical", y, th, ch, rp, rs, n_seeds, shape, 0.0, 1.0, n_states)
