"""Target-based training of dynamically balanced E/I rate networks under Dale's law
(Ingrosso & Abbott 2019, notes seed001_learning.md section 4).

A random balanced network (van Vreeswijk-Sompolinsky scaling: K inputs per unit of strength
``j0/sqrt(K)``, external drive ``sqrt(K) I0``) driven by the desired output ``u f_out(t)`` supplies
target currents ``h_i(t) = sum_j J^D_ij r^D_j(t) + u_i f_out(t)``. The trained network must generate
them from its own rates without the drive. Each row of J is the solution of a ridge least-squares
problem with the sign of every weight fixed by its PRESYNAPTIC type (E columns >= 0, I columns <= 0)
and the connectivity mask kept: solved either in C by projected coordinate descent on the shared Gram
matrix (``nc_recurrent_dale_solve``, warm-startable but slow to converge on correlated rates) or exactly
by an active-set NNLS per row on its rescaled masked sub-problem (``method="active_set"``).

Status: Dale's law holds exactly and the NNLS sparsity signature is there, but with the online scheme
(re-solve every Delta t_L) the trained network does not yet reproduce the target when it runs freely
(normalised test error ~1); see the experiment ``balanced_ei_training``.
"""
from dataclasses import dataclass

import numpy as np

from ... import _validate as v
from ..._random import as_generator
from . import _recurrent
from ._state import Stateful
from .force import PHI, TrainResult, _periodic, _series
from .tasks import normalized_error


def dale_lstsq(G, B, sign, mask=None, W0=None, max_sweeps=2000, tol=1e-10, method="cd"):
    """Sign-constrained ridge least squares, row by row.

    Minimises ``1/2 w_i^T G w_i - b_i^T w_i`` for each row i subject to ``w_ij >= 0`` (sign[j] = +1),
    ``w_ij <= 0`` (sign[j] = -1), free (0), and ``w_ij = 0`` where ``mask[i, j]`` is False.
    With ``G = R^T R + lam I`` and ``B = H^T R`` this is ``min |R w_i - h_i|^2 + lam |w_i|^2``.

    Parameters
    ----------
    G : (n, n) symmetric positive definite array
    B : (m, n) array
    sign : (n,) array of -1, 0, +1
    mask : (m, n) bool array, optional
    W0 : (m, n) array, optional
        Warm start; must itself respect the signs (ValueError naming 'W0' otherwise).
    method : {"cd", "active_set"}
        "cd": projected coordinate descent in C (warm-startable, cheap per sweep, but it needs
        thousands of sweeps when the rates are strongly correlated). "active_set": the exact
        Lawson-Hanson active-set NNLS (scipy.optimize.nnls) of every row on its masked sub-problem,
        rescaled to a unit-diagonal Gram matrix (inhibitory columns flipped, ``G = L L^T``); free
        coordinates (sign 0) are not supported there. ``W0``, ``max_sweeps`` and ``tol`` are ignored.

    Returns
    -------
    W : (m, n) array, sweeps : (m,) int array (coordinate sweeps used per row; 0 for "active_set")
    """
    sign = np.asarray(sign)
    if sign.ndim != 1 or not np.all(np.isin(sign, (-1, 0, 1))):
        raise ValueError("argument 'sign' must be a 1-d array of -1, 0 and +1")
    method = v.choice(method, "method", {"cd": "cd", "active_set": "active_set"})
    if method == "active_set":
        return _dale_active_set(G, B, sign, mask)
    return _recurrent.dale_solve(G, B, sign.astype(np.int8), mask=None if mask is None else np.asarray(mask, bool),
                                 W0=W0, max_sweeps=v.count(max_sweeps, "max_sweeps", 1), tol=v.positive(tol, "tol"))


def _dale_active_set(G, B, sign, mask):
    """Exact row-wise sign-constrained solve by NNLS on the rescaled masked sub-problems."""
    from scipy.optimize import nnls
    G = np.asarray(G, dtype=float)
    B = np.asarray(B, dtype=float)
    n = G.shape[0] if G.ndim == 2 else -1
    if G.ndim != 2 or G.shape != (n, n) or not np.all(np.isfinite(G)):
        raise ValueError(f"argument 'G' must be a finite square (n, n) array, got shape {G.shape}")
    if sign.shape != (n,):
        raise ValueError(f"argument 'sign' must have shape ({n},), got {sign.shape}")
    if np.any(sign == 0):
        raise ValueError("argument 'sign' must be +1 or -1 everywhere with method='active_set' "
                         "(free coordinates need method='cd')")
    if B.ndim != 2 or B.shape[1] != n or not np.all(np.isfinite(B)):
        raise ValueError(f"argument 'B' must be a finite (m, {n}) array, got shape {B.shape}")
    m = B.shape[0]
    if mask is None:
        mask = np.ones((m, n), bool)
    mask = np.asarray(mask, bool)
    if mask.shape != (m, n):
        raise ValueError(f"argument 'mask' must have shape ({m}, {n}), got {mask.shape}")
    W = np.zeros((m, n))
    s = sign.astype(float)
    for i in range(m):
        idx = np.flatnonzero(mask[i])
        if idx.size == 0:
            continue
        si = s[idx]
        Gs = G[np.ix_(idx, idx)] * np.outer(si, si)
        d = np.sqrt(np.diag(Gs))
        if not np.all(d > 0):
            raise ValueError(f"argument 'G' must be positive definite (non-positive diagonal in row {i}'s inputs)")
        try:
            L = np.linalg.cholesky(Gs / np.outer(d, d))
        except np.linalg.LinAlgError:
            raise ValueError(f"argument 'G' must be positive definite (Cholesky failed on row {i}'s inputs)") from None
        y = np.linalg.solve(L, B[i, idx] * si / d)
        vv, _ = nnls(L.T, y, maxiter=50 * idx.size)
        W[i, idx] = si * vv / d
    return W, np.zeros(m, dtype=np.int64)


def balanced_coupling(n=400, frac_e=0.8, K=100, j0=1.0, g=6.0, rng=None):
    """Sparse balanced E/I coupling: each unit receives each presynaptic unit with probability K/n;
    E weights ``j0/sqrt(K)``, I weights ``-g j0/sqrt(K)``. Returns (J, sign) with sign[j] = +1 for E, -1 for I."""
    rng = as_generator(rng)
    n, K = v.count(n, "n", 2), v.count(K, "K", 1)
    n_e = int(round(frac_e * n))
    sign = np.where(np.arange(n) < n_e, 1, -1).astype(np.int8)
    mask = rng.random((n, n)) < K / n
    np.fill_diagonal(mask, False)
    J = mask * np.where(sign > 0, 1.0, -g)[None, :] * (j0 / np.sqrt(K))
    return J, sign


@dataclass
class BalanceStats:
    """E and I currents per unit (time averages): ``exc`` = recurrent E input + external drive,
    ``inh`` = recurrent I input (negative), ``index`` = mean_i |exc_i + inh_i| / exc_i (0 = perfect
    cancellation), ``cv`` = mean over units of the temporal std of the total input divided by its
    mean absolute value (response variability)."""
    exc: np.ndarray
    inh: np.ndarray
    index: float
    fluct: float


def balance_stats(J, sign, R, I_ext):
    """Balance diagnostics of rates R (T, n) under coupling J and external drive I_ext (n,)."""
    R = np.asarray(R)
    E = R[:, sign > 0] @ J[:, sign > 0].T + I_ext
    I = R[:, sign < 0] @ J[:, sign < 0].T
    exc, inh = E.mean(0), I.mean(0)
    index = float(np.mean(np.abs(exc + inh) / exc))
    fluct = float(np.mean((E + I).std(0)))
    return BalanceStats(exc, inh, index, fluct)


class BalancedEINetwork(Stateful):
    """A dynamically balanced E/I rate network trained under Dale's law (Ingrosso & Abbott 2019).

    ``tau dx/dt = -x + J phi(x) + sqrt(K) I0``, ``z = w phi(x)``, phi = halftanh by default.

    Parameters
    ----------
    n, frac_e, K, j0, g : the random balanced network (see :func:`balanced_coupling`); its coupling is the
        target generator J^D and the initial (and sign-defining) J of the trained network.
    I0 : float
        External drive per unit, scaled by sqrt(K).
    gain_out : float
        Drive weights ``u ~ gain_out U(-1, 1)`` of the target in the generator.
    dt, tau : float (seconds)
    J_init, sign : arrays, optional
        Start from this coupling with these presynaptic signs (J_init must respect them).
    """
    _state_fields = ("J", "J_D", "w", "sign", "mask", "u", "x", "xT", "I_ext")

    def __init__(self, n=400, frac_e=0.8, K=100, j0=1.0, g=6.0, I0=0.3, gain_out=1.0, dt=1e-3, tau=1e-2,
                 phi="halftanh", J_init=None, sign=None, rng=None):
        self.rng = as_generator(rng)
        self.dt, self.tau = v.positive(dt, "dt"), v.positive(tau, "tau")
        self.phi = v.choice(phi, "phi", PHI)
        if J_init is None:
            self.J_D, self.sign = balanced_coupling(n, frac_e, K, j0, g, self.rng)
        else:
            J_init = np.array(J_init, dtype=float)
            if sign is None:
                raise ValueError("argument 'sign' is required with J_init")
            self.sign = np.asarray(sign).astype(np.int8)
            if J_init.ndim != 2 or J_init.shape[0] != J_init.shape[1] or self.sign.shape != (J_init.shape[1],):
                raise ValueError(f"argument 'J_init' must be (n, n) and 'sign' (n,), got {J_init.shape} and "
                                 f"{self.sign.shape}")
            bad = np.argwhere(J_init * self.sign[None, :] < 0)
            if len(bad):
                i, j = bad[0]
                raise ValueError(f"argument 'sign' contradicts 'J_init': J_init[{i}, {j}] = {J_init[i, j]:g} but "
                                 f"sign[{j}] = {self.sign[j]} (Dale's law: presynaptic unit {j} is "
                                 f"{'excitatory' if self.sign[j] > 0 else 'inhibitory'})")
            self.J_D = J_init
        self.n = self.J_D.shape[0]
        self.K = K
        self.mask = self.J_D != 0
        self.J = self.J_D.copy()
        self.u = gain_out * self.rng.uniform(-1, 1, (self.n, 1))
        self.I_ext = np.full(self.n, np.sqrt(K) * I0)
        self.w = np.zeros((1, self.n))
        self.x = 0.1 * self.rng.standard_normal(self.n)
        self.xT = self.x.copy()

    def _simulate(self, J, n_steps, drive, x0, step0=0):
        """Integrate with coupling J and currents I_ext (+ drive rows), recording all rates."""
        inputs = self.I_ext[None, :] + (0.0 if drive is None else drive)
        out = _recurrent.train(n_steps, self.dt, self.tau, x0, np.zeros((1, self.n)), J=J, inputs=inputs,
                               learn=0, n_rec=self.n, step0=step0, phi=self.phi)
        return out["r_rec"], out["x"]

    def train(self, target, n_periods, block=1.0, lam=1e-3, sweeps_per_block=20, solver="cd", progress=None):
        """Online target-based training (the paper's scheme, Delta t_L = ``block`` seconds).

        The trained network runs freely (no drive) next to the driven generator. Over each block the
        Gram matrix ``G = sum r r^T`` of the TRAINED network's own rates and ``B = sum h r^T`` with the
        generator's target currents ``h(t+dt) = J^D r^D + u f`` are accumulated (growing memory); then
        every row of J is re-solved under Dale's law and its mask (warm-started projected coordinate
        descent, ``sweeps_per_block`` sweeps) and the readout w by ridge regression. ``lam`` is the
        ridge term per sample. ``solver``: "cd" (warm-started coordinate descent, ``sweeps_per_block``
        sweeps, generally NOT converged) or "active_set" (exact NNLS per row, see :func:`dale_lstsq`). Returns the training run's :class:`TrainResult` (z of the trained
        network during training)."""
        f = _series(target, "target", 1)
        T = f.shape[0]
        nb = max(1, v.steps(v.positive(block, "block"), self.dt, "block"))
        total = v.count(n_periods, "n_periods", 1) * T
        lam = v.positive(lam, "lam")
        if not hasattr(self, "xT"):
            self.xT = self.x.copy()
        G = np.zeros((self.n, self.n)); B = np.zeros((self.n, self.n)); bw = np.zeros((1, self.n))
        count, step, zs = 0, 0, []
        inputs = np.broadcast_to(self.I_ext, (T, self.n))
        while step < total:
            m = min(nb, total - step)
            out = _recurrent.train(m, self.dt, self.tau, self.x, self.w, J=self.J, inputs=inputs, target=f,
                                   J_teach=self.J_D, u_out=self.u, xT=self.xT, learn=0, n_rec=self.n, step0=step,
                                   phi=self.phi)
            R, RT = out["r_rec"], out["rT_rec"]
            H = RT @ self.J_D.T + _periodic(f, m, step + 1) @ self.u.T
            G += R.T @ R; B += H.T @ R; bw += _periodic(f, m, step + 1).T @ R
            count += m
            zs.append(out["zhat"])
            self.x, self.xT = out["x"], out["xT"]
            Gn = G / count + lam * np.eye(self.n)
            self.J, self.sweeps = dale_lstsq(Gn, B / count, self.sign, self.mask, W0=self.J,
                                             max_sweeps=sweeps_per_block, tol=1e-9, method=solver)
            self.w = np.linalg.solve(Gn, bw.T / count).T
            step += m
            if progress:
                progress(step, total)
        z = np.concatenate(zs)
        F = _periodic(f, total, 1)
        return TrainResult(np.arange(1, total + 1) * self.dt, z, F, normalized_error(z, F))

    def test(self, target, n_periods):
        """Run the trained network freely (no drive) from its current state for ``n_periods``;
        returns :class:`TrainResult` with the recorded rates of every unit in ``r``."""
        f = _series(target, "target", 1)
        n_steps = v.count(n_periods, "n_periods", 1) * f.shape[0]
        R, x = self._simulate(self.J, n_steps, None, self.x, step0=getattr(self, "_phase", 0))
        self.x = x
        z = R @ self.w.T
        F = _periodic(f, n_steps, 1)
        return TrainResult(np.arange(1, n_steps + 1) * self.dt, z, F, normalized_error(z, F), R)

    def balance(self, R, J=None):
        """:class:`BalanceStats` of rates R under J (default the trained J)."""
        return balance_stats(self.J if J is None else J, self.sign, R, self.I_ext)
