"""Sample-and-measure fitting of a stochastic spiking network with hidden neurons
(Bellec, Wang, Modirshanechi, Brea & Gerstner, NeurIPS 2021).

Model (discrete time, bin = one movie frame in the paper; trials b, bins t, neurons j; the first
``n_obs`` neurons are recorded, the others hidden)::

    v[b,t,j] = sum_{d=1..D} sum_i W[d-1, i, j] z[b,t-d,i] + sum_k x[t,k] U[k,j] + bias[j]
    s = (v - thr) / thr,     p = sigmoid(beta s),     z ~ Bernoulli(p)

``W[d-1, i, j]`` is the weight from neuron i to neuron j at delay d (d = 1 is the most recent bin;
the authors' TensorFlow code stores that delay last). Losses (weights are the paper's defaults):

* MLE (teacher-forced pass: observed history from the data, hidden neurons sampled),
  ``L_MLE = mean BCE(data, p)`` over trials, bins and observed neurons;
* PSTH, ``L_PSTH = mean_{t,j} CE(pi_D, pi_M)`` with pi = trial-averaged data spikes / model p;
* noise correlation, ``L_NC = mean_{d,i,j} (C_D - C_M)^2`` with the lagged covariances of
  trial-centred data spikes / model p (lags 0..Dnc-1, circular within a trial); with
  ``LossWeights(nc_estimator='pz')`` the model side is measured without bias for its sampled
  spikes (p at the later bin, sampled spike at the earlier one, Bernoulli variance on the lag-0
  diagonal), which the hidden-neuron experiment needs;
* hidden firing-rate regulariser ``mean_j (mean z_j - 0.17)^2``.

Default total: 0.1 L_PSTH + 50 L_NC + 0.4 L_MLE + 0.001 L_fr (``mode='mle+sm'``); ``mode='mle'``
is L_MLE + 0.001 L_fr (the authors' ``ground_truth`` flag). Gradients are hand-written reverse
sweeps in C (``csrc/kernels/fitting.c``) through the sampled spikes, with the pseudo-derivative
psi(s) = gamma max(0, 1 - |s|) in place of dz/ds; with ``mean_field=True`` (z = p) they are exact.
"""
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .. import _validate as v
from .._random import as_generator
from . import _fitting
from .data import spike_trials

__all__ = ["SampleAndMeasureNetwork", "LossWeights", "noise_correlations", "psth", "sigmoid"]


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def _truncnorm(rng, shape, sd):
    x = rng.normal(0.0, 1.0, shape)
    bad = np.abs(x) > 2
    while bad.any():
        x[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(x) > 2
    return sd * x


def psth(spikes):
    """Trial-averaged spike probability per bin, (bins, neurons)."""
    return _fitting.sm_stats(data=spike_trials(spikes), Dnc=1)[0]


def noise_correlations(spikes, n_lags=9):
    """Lagged noise covariances of a recording, (n_lags, neurons, neurons).

    ``C[d, i, j] = 1/(B T) sum_{b,t} n[b,t,i] n[b,t-d,j]`` with n = spikes minus their trial average
    and t - d taken circularly within each trial (the sample-and-measure statistic).
    """
    S = spike_trials(spikes)
    return _fitting.sm_stats(data=S, Dnc=v.count(n_lags, "n_lags", 1))[1]


def _psi(s, beta, gamma, mean_field):
    """dz/ds of the reverse sweep: exact beta p (1 - p) in mean-field mode, else the pseudo-derivative."""
    if mean_field:
        p = sigmoid(beta * s)
        return beta * p * (1.0 - p)
    return gamma * np.maximum(0.0, 1.0 - np.abs(s))


def _model_nc_pz(s, z, n, beta, n_lags, mean_field=False):
    """The model's noise covariances of the recorded neurons with the 'pz' estimator
    (see LossWeights.nc_estimator).

    C[d, i, j] = 1/(B T) sum_{b,t} a_i(b,t) c_j(b,t-d) (circular in t) with a = p - <p>_b and
    c = z - <z>_b for d >= 1, c = a for d = 0; the lag-0 diagonal adds mean_{b,t} p (1 - p).
    Returns C (n_lags, n, n) and the intermediates (p, a, shifted c per lag).
    """
    B, T, _ = s.shape
    p = sigmoid(beta * s[..., :n])
    zz = p if mean_field else np.asarray(z[..., :n], dtype=float)
    a = p - p.mean(axis=0)
    c = zz - zz.mean(axis=0)
    BT = float(B * T)
    C = np.empty((n_lags, n, n))
    C[0] = np.einsum("bti,btj->ij", a, a) / BT + np.diag((p * (1 - p)).mean(axis=(0, 1)))
    shifted = [None]
    for d in range(1, n_lags):
        cs = np.roll(c, d, axis=1)
        shifted.append(cs)
        C[d] = np.einsum("bti,btj->ij", a, cs) / BT
    return C, (p, a, shifted)


def _nc_loss_pz(s, z, ncd, n, beta, w_nc, mean_field):
    """Noise-correlation loss w_nc mean_{d,i,j} (C_D - C_M)^2 with the 'pz' estimator.

    Returns the weighted loss, dL/ds through p (B, T, N) and dL/dz of the recorded neurons
    (B, T, n), both with the trial centring applied (in mean-field mode z = p, so dL/dz is folded
    into dL/ds and the returned dL/dz is zero).
    """
    B, T, N = s.shape
    Dnc = ncd.shape[0]
    C, (p, a, shifted) = _model_nc_pz(s, z, n, beta, Dnc, mean_field)
    E = ncd - C
    loss = w_nc * float((E ** 2).sum()) / (Dnc * n * n)
    G = -2.0 * w_nc / (Dnc * n * n) * E / float(B * T)      # dL/dC_M, with the 1/(B T) of C_M
    ga = a @ (G[0] + G[0].T)
    gc = np.zeros_like(a)
    for d in range(1, Dnc):
        ga += shifted[d] @ G[d].T
        gc += np.roll(a @ G[d], -d, axis=1)
    ga -= ga.mean(axis=0)
    gc -= gc.mean(axis=0)
    gp = ga + np.diag(G[0]) * (1.0 - 2.0 * p)
    dpds = beta * p * (1.0 - p)
    gs = np.zeros((B, T, N))
    gs[..., :n] = gp * dpds
    if mean_field:
        gs[..., :n] += gc * dpds
        gc = np.zeros_like(gc)
    return loss, gs, gc


@dataclass
class LossWeights:
    """Weights of the loss terms; defaults are the authors' (mode 'mle+sm')."""
    psth: float = 0.1
    nc: float = 50.0
    mle: float = 0.4
    fr: float = 0.001
    fr_target: float = 0.17
    #: leave the lag-0 variances out of L_NC (the model measures probabilities, which lack the
    #: data's Bernoulli variance; the authors' code keeps them: False reproduces it)
    skip_diag0: bool = False
    #: how the model's noise covariances are measured: 'p' (the authors' code: trial-centred spike
    #: probabilities at both ends of every lag) or 'pz' (unbiased for sampled spikes: probability at
    #: the later bin, the model's sampled spike at the earlier bin for lags >= 1, probabilities at
    #: lag 0 off the diagonal, and Var p + mean p (1 - p) on the lag-0 diagonal). With recurrent
    #: weights, 'p' misses the effect of each sampled spike on later bins, so its lagged covariances
    #: differ from those of the spikes the model actually emits.
    nc_estimator: str = "p"

    @classmethod
    def mode(cls, name):
        if name == "mle+sm":
            return cls()
        if name == "mle":
            return cls(psth=0.0, nc=0.0, mle=1.0)
        if name == "sm":
            return cls(mle=0.0)
        raise ValueError(f"argument 'mode' must be 'mle+sm', 'mle' or 'sm', got {name!r}")


@dataclass
class LossResult:
    total: float
    parts: dict
    grads: dict
    model_spikes: Optional[np.ndarray] = field(default=None, repr=False)


class SampleAndMeasureNetwork:
    """Stochastic spiking network with synaptic delays and hidden neurons.

    Parameters
    ----------
    n_obs : int
        Recorded neurons (the first ``n_obs``).
    n_hidden : int
        Hidden neurons appended after the recorded ones.
    D : int
        Spike-history length in bins (9 in the paper).
    n_in : int
        Input features per bin (0: no input).
    thr, beta, gamma : float
        Threshold of the scaled potential (0.4), inverse temperature (1), pseudo-derivative
        amplitude (0.3).
    W, U, bias : arrays, optional
        (D, N, N), (n_in, N), (N,). Default: truncated normal with sd 1/sqrt(N D) and 1/sqrt(n_in),
        zero bias (the authors' initialisation).
    rng : int or Generator, optional
        For the initial weights.
    """

    def __init__(self, n_obs, n_hidden=0, D=9, n_in=0, thr=0.4, beta=1.0, gamma=0.3, W=None, U=None, bias=None,
                 rng=None):
        self.n_obs = v.count(n_obs, "n_obs", 1)
        self.n_hidden = v.count(n_hidden, "n_hidden", 0)
        self.N = self.n_obs + self.n_hidden
        self.D = v.count(D, "D", 1)
        self.n_in = v.count(n_in, "n_in", 0)
        self.thr = v.positive(thr, "thr")
        self.beta = v.positive(beta, "beta")
        self.gamma = v.nonnegative(gamma, "gamma")
        gen = as_generator(rng)
        N = self.N
        self.W = _truncnorm(gen, (self.D, N, N), 1.0 / np.sqrt(N * self.D)) if W is None else \
            self._arr(W, "W", (self.D, N, N))
        self.U = (_truncnorm(gen, (self.n_in, N), 1.0 / np.sqrt(max(self.n_in, 1))) if U is None else
                  self._arr(U, "U", (self.n_in, N))) if self.n_in else None
        self.bias = np.zeros(N) if bias is None else self._arr(bias, "bias", (N,))

    @staticmethod
    def _arr(a, name, shape):
        a = np.array(a, dtype=float)
        if a.shape != shape:
            raise ValueError(f"argument '{name}' must have shape {shape}, got {a.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"argument '{name}' must be finite")
        return a

    # -- parameters as a dict (what the optimisers update)
    def get_params(self):
        p = {"W": self.W, "bias": self.bias}
        if self.n_in:
            p["U"] = self.U
        return p

    def set_params(self, params):
        self.W = np.array(params["W"], dtype=float)
        self.bias = np.array(params["bias"], dtype=float)
        if self.n_in:
            self.U = np.array(params["U"], dtype=float)

    def copy(self):
        return SampleAndMeasureNetwork(self.n_obs, self.n_hidden, self.D, self.n_in, self.thr, self.beta, self.gamma,
                                       self.W.copy(), None if self.U is None else self.U.copy(), self.bias.copy())

    def _x(self, x, T):
        if not self.n_in:
            if x is not None:
                raise ValueError("argument 'x' given but the network has n_in = 0")
            return None
        if x is None:
            raise ValueError(f"argument 'x' (T, {self.n_in}) is required: the network has inputs")
        x = np.asarray(x, dtype=float)
        if x.shape != (T, self.n_in):
            raise ValueError(f"argument 'x' must have shape ({T}, {self.n_in}), got {x.shape}")
        return x

    def _fwd(self, B, T, x, data=None, mean_field=False, gen=None, progress=None):
        return _fitting.sm_forward(self.W, self.bias, B, T, self.n_obs, self.U, x, data, self.thr, self.beta,
                                   self.gamma, mean_field, None if gen is None else gen.bit_generator, progress)

    def simulate(self, n_trials, T, x=None, rng=None, mean_field=False, progress=None):
        """Free-running simulation.

        Returns
        -------
        spikes : (n_trials, T, N) uint8 (None in mean-field mode)
        p : (n_trials, T, N) spike probabilities per bin
        """
        n_trials = v.count(n_trials, "n_trials", 1)
        T = v.count(T, "T", 1)
        gen = as_generator(rng)
        s, z = self._fwd(n_trials, T, self._x(x, T), None, mean_field, gen, progress)
        return z, sigmoid(self.beta * s)

    def log_likelihood(self, data, x=None, rng=None):
        """Teacher-forced Bernoulli log-likelihood of the recorded neurons (summed; hidden neurons
        are sampled)."""
        S = spike_trials(data, "data", n_neurons=self.n_obs)
        B, T, _ = S.shape
        gen = as_generator(rng)
        s, _ = self._fwd(B, T, self._x(x, T), S, self.n_hidden == 0, None if self.n_hidden == 0 else gen)
        L, _ = _fitting.mle_loss(s, S, self.beta, 1.0)
        return -L * B * T * self.n_obs

    def loss_and_grad(self, data, x=None, weights=None, n_model_trials=None, data_stats=None, n_lags=9, rng=None,
                      mean_field=False):
        """The fitting loss and its gradient with respect to W, U and bias.

        Parameters
        ----------
        data : (B, T, n_obs) 0/1 array
            Recorded trials (teacher-forced pass; with ``data_stats=None`` also the PSTH / NC target).
        weights : LossWeights, optional
        n_model_trials : int, optional
            Trials of the free-running pass (default B).
        data_stats : (psth, nc), optional
            Precomputed data statistics (e.g. from all training trials).
        mean_field : bool
            z = p everywhere: deterministic, and the gradient is exact.

        Returns
        -------
        LossResult
            ``total``, ``parts`` (psth, nc, mle, fr), ``grads`` (dict like get_params()).
        """
        w = weights or LossWeights()
        S = spike_trials(data, "data", n_neurons=self.n_obs)
        B, T, _ = S.shape
        Bm = B if n_model_trials is None else v.count(n_model_trials, "n_model_trials", 1)
        xx = self._x(x, T)
        gen = as_generator(rng)
        grads = {"W": np.zeros_like(self.W), "bias": np.zeros(self.N)}
        if self.n_in:
            grads["U"] = np.zeros_like(self.U)
        parts = {"psth": 0.0, "nc": 0.0, "mle": 0.0, "fr": 0.0}

        def add(g3):
            dW, dU, db = g3
            grads["W"] += dW
            grads["bias"] += db
            if self.n_in:
                grads["U"] += dU

        zfree = None
        if w.psth or w.nc or (w.fr and self.n_hidden):
            s, z = self._fwd(Bm, T, xx, None, mean_field, None if mean_field else gen)
            zfree = z
            if data_stats is None:
                pd, ncd = _fitting.sm_stats(data=S, Dnc=n_lags)
            else:
                pd, ncd = data_stats
            if w.nc_estimator == "p":
                lp, ln, g = _fitting.sm_loss(s, pd, ncd, self.n_obs, self.beta, w.psth, w.nc, w.skip_diag0)
            elif w.nc_estimator == "pz":
                lp, _, g = _fitting.sm_loss(s, pd, ncd, self.n_obs, self.beta, w.psth, 0.0, False)
                ln, gs, gzz = _nc_loss_pz(s, z, ncd, self.n_obs, self.beta, w.nc, mean_field)
                g = g + gs
                g[..., :self.n_obs] += gzz * _psi(s[..., :self.n_obs], self.beta, self.gamma, mean_field)
            else:
                raise ValueError(f"argument 'weights.nc_estimator' must be 'p' or 'pz', got {w.nc_estimator!r}")
            parts["psth"], parts["nc"] = lp / w.psth if w.psth else 0.0, ln / w.nc if w.nc else 0.0
            gz = None
            if w.fr and self.n_hidden:
                zz = sigmoid(self.beta * s[..., self.n_obs:]) if mean_field else z[..., self.n_obs:]
                r = zz.mean(axis=(0, 1))
                parts["fr"] = float(np.mean((r - w.fr_target) ** 2))
                gz = np.zeros(self.N)
                gz[self.n_obs:] = w.fr * 2.0 * (r - w.fr_target) / (self.n_hidden * Bm * T)
            add(_fitting.sm_backward(self.W, self.bias, s, z, g, self.n_obs, self.U, xx, None, self.thr, self.beta,
                                     self.gamma, mean_field, gz, True))
        if w.mle:
            s, z = self._fwd(B, T, xx, S, mean_field, None if mean_field else gen)
            lm, g = _fitting.mle_loss(s, S, self.beta, w.mle)
            parts["mle"] = lm / w.mle
            add(_fitting.sm_backward(self.W, self.bias, s, z, g, self.n_obs, self.U, xx, S, self.thr, self.beta,
                                     self.gamma, mean_field, None, True))
        total = w.psth * parts["psth"] + w.nc * parts["nc"] + w.mle * parts["mle"] + w.fr * parts["fr"]
        return LossResult(total, parts, grads, zfree)

    def fit(self, data, x=None, mode="mle+sm", weights=None, n_iter=500, batch=20, n_model_trials=None, lr=1e-3,
            clipnorm=1.0, n_lags=9, rng=None, callback=None, mask=None):
        """Adam on the loss (learning rate ``lr``, per-variable gradient-norm clip ``clipnorm``; the
        authors' settings), each step on ``batch`` random recorded trials; the PSTH / NC targets are
        the statistics of all recorded trials. ``mask``: dict of 0/1 arrays that freeze entries.

        Returns
        -------
        history : dict of lists (total loss and parts per step)
        """
        S = spike_trials(data, "data", n_neurons=self.n_obs)
        B, T, _ = S.shape
        w = weights or LossWeights.mode(mode)
        gen = as_generator(rng)
        stats = _fitting.sm_stats(data=S, Dnc=n_lags)
        params = {k: a.copy() for k, a in self.get_params().items()}
        m = {k: np.zeros_like(a) for k, a in params.items()}
        s2 = {k: np.zeros_like(a) for k, a in params.items()}
        b1, b2, eps = 0.9, 0.999, 1e-7
        hist = {"total": [], "psth": [], "nc": [], "mle": [], "fr": []}
        batch = min(v.count(batch, "batch", 1), B)
        for it in range(v.count(n_iter, "n_iter", 0)):
            idx = gen.choice(B, batch, replace=False)
            self.set_params(params)
            res = self.loss_and_grad(S[idx], x, w, n_model_trials or batch, stats, n_lags, gen)
            hist["total"].append(res.total)
            for k in res.parts:
                hist[k].append(res.parts[k])
            for k in params:
                g = res.grads[k]
                if mask is not None and k in mask:
                    g = g * mask[k]
                nrm = np.linalg.norm(g)
                if clipnorm and nrm > clipnorm:
                    g = g * (clipnorm / nrm)
                m[k] = b1 * m[k] + (1 - b1) * g
                s2[k] = b2 * s2[k] + (1 - b2) * g * g
                mh = m[k] / (1 - b1 ** (it + 1))
                vh = s2[k] / (1 - b2 ** (it + 1))
                params[k] -= lr * mh / (np.sqrt(vh) + eps)
            if callback is not None:
                callback(it, res)
        self.set_params(params)
        return hist

    def fit_mle(self, data, x=None, maxiter=500, l2=0.0):
        """Exact maximum-likelihood fit of a network WITHOUT hidden neurons (teacher forcing makes the
        loss a convex logistic regression): L-BFGS on mean BCE + l2 |W|^2 / 2 with the C gradient."""
        from scipy.optimize import minimize
        if self.n_hidden:
            raise ValueError("fit_mle needs a network without hidden neurons (n_hidden = 0)")
        S = spike_trials(data, "data", n_neurons=self.n_obs)
        keys = list(self.get_params())
        shapes = [self.get_params()[k].shape for k in keys]
        sizes = [int(np.prod(s)) for s in shapes]

        def unpack(th):
            out, o = {}, 0
            for k, sh, n in zip(keys, shapes, sizes):
                out[k] = th[o:o + n].reshape(sh)
                o += n
            return out

        def f(th):
            self.set_params(unpack(th))
            r = self.loss_and_grad(S, x, LossWeights(psth=0, nc=0, mle=1.0, fr=0), mean_field=True)
            g = np.concatenate([r.grads[k].ravel() for k in keys])
            L = r.total + 0.5 * l2 * np.sum(self.W ** 2)
            g[:sizes[0]] += l2 * self.W.ravel()
            return L, g

        th0 = np.concatenate([self.get_params()[k].ravel() for k in keys])
        res = minimize(f, th0, jac=True, method="L-BFGS-B", options={"maxiter": maxiter})
        self.set_params(unpack(res.x))
        return res
