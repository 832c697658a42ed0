"""Recursive least squares (RLS), the shared learning engine of FORCE and full-FORCE (C: rls.c)."""
import numpy as np

from ... import _validate as v
from . import _recurrent
from ._state import Stateful


def ridge_solution(R, F, alpha):
    """Batch ridge regression ``W^T = (R^T R + alpha I)^{-1} R^T F`` (what RLS converges to exactly).

    Parameters
    ----------
    R : (T, n) array of regressors (rates); F : (T, n_out) array of targets; alpha : float > 0.

    Returns
    -------
    W : (n_out, n) array
    """
    alpha = v.positive(alpha, "alpha")
    R = np.asarray(R, dtype=float)
    F = np.asarray(F, dtype=float).reshape(R.shape[0], -1)
    return np.linalg.solve(R.T @ R + alpha * np.eye(R.shape[1]), R.T @ F).T


class RLS(Stateful):
    """Recursive least squares for a linear readout ``z = W r``.

    Every step: ``k = P r``, ``c = 1 / (1 + r^T k)``, ``P <- P - c k k^T``, ``W <- W - c (W r - f) k^T``
    (a-priori error), with ``P(0) = I / alpha``. After T steps from ``W = 0`` the weights equal the
    ridge solution with regulariser alpha: ``W^T = (sum r r^T + alpha I)^{-1} sum r f^T``.

    The C kernel keeps only the upper triangle of P current and defers each rank-1 update of P to
    the next step, so one step streams P once; :attr:`P` returns the symmetric, up-to-date matrix.

    Parameters
    ----------
    n : int
        Number of regressors (presynaptic units).
    n_out : int
        Number of readouts.
    alpha : float
        Regulariser (> 0); ``1/alpha`` is the initial learning rate of FORCE.
    """
    _state_fields = ("_P", "W", "alpha", "n_updates")

    def __init__(self, n, n_out=1, alpha=1.0):
        self.n = v.count(n, "n", 1)
        self.n_out = v.count(n_out, "n_out", 1)
        self.alpha = v.positive(alpha, "alpha")
        self._P = np.eye(self.n) / self.alpha
        self.W = np.zeros((self.n_out, self.n))
        self._k = np.zeros(self.n)
        self._kp = np.zeros(self.n)
        self._cp = 0.0
        self.n_updates = 0

    @property
    def P(self):
        """The inverse correlation matrix ``(sum r r^T + alpha I)^{-1}`` (symmetric)."""
        self._sync()
        return self._P

    def _sync(self):
        if self._cp != 0.0:
            _recurrent.rls_flush(self._P, self._kp, self._cp)
            self._cp = 0.0
        # no pending update: the lower triangle may still be stale after a fit
        
    def _after_load(self):
        self._k = np.zeros(self.n)
        self._kp = np.zeros(self.n)
        self._cp = 0.0
        self.n_updates = int(self.n_updates)

    def update(self, r, f):
        """One RLS step with regressor ``r`` (n,) and target ``f`` (n_out,); returns the a-priori error."""
        f = np.atleast_1d(np.asarray(f, dtype=float))
        c, err = _recurrent.rls_step(self._P, self.W, r, f, self._kp, self._cp, self._k)
        self._kp, self._k = self._k, self._kp
        self._cp = c
        self.n_updates += 1
        return err

    def fit(self, R, F, progress=None):
        """Stream the rows of ``R`` (T, n) and ``F`` (T, n_out) through RLS in one C call.

        Returns the a-priori errors (T, n_out)."""
        self._sync()
        F = np.asarray(F, dtype=float)
        if F.ndim == 1:
            F = F[:, None]
        self._P, self.W, err = _recurrent.rls_fit(self._P, self.W, R, F, progress=progress)
        self.n_updates += np.shape(R)[0]
        return err

    def predict(self, R):
        """Readout ``R W^T`` for rows of regressors."""
        return np.asarray(R, dtype=float) @ self.W.T
