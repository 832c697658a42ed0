"""Associative memories on a hypercubic latent manifold (after Podlaski & Machens, NeurReps 2024).

**This is a reconstruction** (notes seed000_machens.md section 4, tags [recon]/[derived]): no text
or code of the paper was readable, so the construction below is the notes' proposal, and the tests
check the abstract's claims on it (stable overlapping patterns at the vertices, Hopfield
correspondence, several learning rules, capacity linear in N, pattern completion), not the
paper's numbers.

Model (d latent dimensions = the Hopfield units; N = 2d neurons, one per face of the box)::

    encoders  E = [I; -I]            (N x d): neuron (k, +) has boundary v_k = 1, (k, -) has v_k = -1
    decoders  D = -delta E^T         a spike of (k, +) lowers y_k by delta, one of (k, -) raises it
    fast      y = D r,  dr/dt = -lam r + spikes,  V = E (u + y),  thresholds 1, rule 'all'
    slow      tau_u du/dt = -u + gamma J v,   v = u + y   (the "box variable")

The spikes hold v inside the box [-1, 1]^d (within one jump delta), the leak pulls y back to 0 so
v = u inside it: the fast spiking dynamics compute v = clip(u) and the slow latent is a
brain-state-in-a-box / graded Hopfield network, ``tau_u du/dt = -u + gamma J clip(u)``. Binary
Hopfield states are the vertices v in {-1, +1}^d; the neural pattern of a vertex is the set of d
active neurons (one per face pair), so every neuron belongs to half of all vertices: stored patterns
overlap by construction. A pattern xi is a stable vertex iff gamma (J xi)_k xi_k > 1 for all k
(``vertex_margins``) [derived].

Geometry [derived, notes 4.2]: a strictly all-inhibitory network cannot have a bounded threshold
polytope, so the box needs the opposite-face coupling W_{(k,+),(k,-)} = +delta (excitatory but
never active: the two neurons are never co-active). The slow loop gamma J is the only place the
memories live. Everything runs on the spike-coding engine with its 'all' rule and the engine's
slow-latent option (``nc_spiking_scn_run_ext``, c_hat = +1, A = gamma J or its low-rank factors).

Differences from the notes' reconstruction: the slow loop sees v = u + y (the spiking readout),
not u; the default gain is gamma = 2 (notes: 3 at the rate level, 1.5 in their spiking test), which
gives capacities of about 0.05 patterns per neuron (Hebbian), 0.31 (pseudo-inverse) and 0.28
(margin perceptron, kappa = 1) -- the notes' gamma = 3 rate-level values are 0.06 and 0.27 per
neuron. With the engine's 'all' rule the spikes act within their step, so |v| <= 1 exactly after
every step (the notes measured up to 1.006); the rate budget of T1.6 does not arise.

Learning rules (``LEARNING_RULES``): Hebbian (with / without self-connections), pseudo-inverse
(projection), and a margin perceptron that enforces gamma xi_k (J xi)_k >= 1 + kappa. The retrieval
metric is the Hopfield overlap m = (1/d) sum_k xi_k sign(v_k) of the final state (``overlap``);
capacity is the largest number of patterns P whose mean overlap after completion from cues with
10 % flipped bits is >= 0.95 (the notes' criterion).
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .. import _validate as v
from .._random import as_generator
from .ei_boundary import LatentBoundaryNetwork

__all__ = ["PatternError", "check_patterns", "random_patterns", "hebbian", "pseudo_inverse", "perceptron",
           "LEARNING_RULES", "learn", "vertex_margins", "corrupt", "overlap", "rate_reference", "HypercubeMemory",
           "MemoryRun", "completion_overlaps", "capacity", "fit_capacity_slope"]


class PatternError(ValueError):
    """The patterns are not vertices of the hypercube {-1, +1}^d (or not a (P, d) array)."""


def check_patterns(xi, name="patterns"):
    """Return the patterns as a float (P, d) array, or raise :class:`PatternError` saying why."""
    a = np.asarray(xi)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise PatternError(f"argument '{name}' must be a (P, d) array of +-1 patterns, got shape {np.shape(xi)}")
    if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
        raise PatternError(f"argument '{name}' must be numeric, got dtype {a.dtype}")
    a = a.astype(float)
    bad = ~np.isin(a, (-1.0, 1.0))
    if bad.any():
        mu, k = np.argwhere(bad)[0]
        raise PatternError(f"argument '{name}' is not on the hypercube: pattern {mu} has {float(a[mu, k]):g} at unit {k}; "
                           "memories are stored at the vertices {-1, +1}^d (binarise with np.sign and replace 0s)")
    return a


def random_patterns(P, d, rng=None):
    """P random unbiased +-1 patterns of length d."""
    rng = as_generator(rng)
    return rng.choice(np.array([-1.0, 1.0]), size=(v.count(P, "P", 1), v.count(d, "d", 1)))


def hebbian(xi, self_connection=True):
    """J = (1/d) sum_mu xi^mu xi^mu^T (Hopfield 1982); zero diagonal when self_connection is False."""
    xi = check_patterns(xi)
    J = xi.T @ xi / xi.shape[1]
    if not self_connection:
        np.fill_diagonal(J, 0.0)
    return J


def pseudo_inverse(xi, self_connection=True):
    """The projection rule J = Xi (Xi^T Xi)^+ Xi^T (Personnaz et al. 1985; Kanter & Sompolinsky 1987)
    with Xi = xi^T (d x P): J xi^mu = xi^mu exactly. Zeroing the diagonal scales the gain on the
    pattern subspace by about (1 - P/d) [derived]."""
    xi = check_patterns(xi)
    X = xi.T
    J = X @ np.linalg.pinv(X.T @ X) @ X.T
    if not self_connection:
        np.fill_diagonal(J, 0.0)
    return J


def perceptron(xi, gamma=2.0, kappa=1.0, lr=1.0, max_epochs=500, self_connection=False, return_converged=False):
    """A margin perceptron rule: repeat over the patterns, and wherever gamma xi_k (J xi)_k < 1 + kappa
    add (lr/d) xi_k xi to row k of J (zero diagonal unless self_connection). It stops when every
    stored vertex has margin 1 + kappa (converges below the Gardner capacity for that margin)."""
    xi = check_patterns(xi)
    P, d = xi.shape
    gamma = v.positive(gamma, "gamma")
    J = np.zeros((d, d))
    ok = False
    for _ in range(v.count(max_epochs, "max_epochs", 1)):
        h = gamma * (xi @ J.T) * xi
        wrong = h < 1.0 + kappa
        if not wrong.any():
            ok = True
            break
        J += lr / d * (wrong * xi).T @ xi
        if not self_connection:
            np.fill_diagonal(J, 0.0)
    return (J, ok) if return_converged else J


LEARNING_RULES = {
    "hebbian": lambda xi, gamma: hebbian(xi, True),
    "hebbian_zero_diag": lambda xi, gamma: hebbian(xi, False),
    "pseudo_inverse": lambda xi, gamma: pseudo_inverse(xi, True),
    "pseudo_inverse_zero_diag": lambda xi, gamma: pseudo_inverse(xi, False),
    "perceptron": lambda xi, gamma: perceptron(xi, gamma),
}


def learn(xi, rule="hebbian", gamma=2.0):
    """J from one of ``LEARNING_RULES``."""
    v.choice(rule, "rule", LEARNING_RULES)
    return LEARNING_RULES[rule.lower()](xi, gamma)


def vertex_margins(J, xi, gamma):
    """gamma xi_k (J xi)_k for every pattern and unit (P, d); the vertex xi is a stable fixed point of
    the box dynamics iff all of its margins exceed 1 [derived: u* = gamma J xi must lie outside the
    box on the side of xi in every coordinate]."""
    xi = check_patterns(xi)
    return gamma * (xi @ np.asarray(J, float).T) * xi


def corrupt(xi, frac, rng=None):
    """Copies of the patterns with round(frac d) randomly chosen units flipped in each."""
    xi = check_patterns(xi)
    rng = as_generator(rng)
    P, d = xi.shape
    k = int(round(frac * d))
    out = xi.copy()
    for mu in range(P):
        out[mu, rng.choice(d, size=k, replace=False)] *= -1
    return out


def overlap(vstate, xi):
    """Hopfield overlaps m = (1/d) sign(v) . xi (..., P) of states v (..., d) with the patterns."""
    s = np.sign(np.asarray(vstate, float))
    return s @ check_patterns(xi).T / s.shape[-1]


def rate_reference(J, u0, gamma=2.0, tau_u=0.02, lam=100.0, dt=1e-4, duration=0.3, rec_every=None):
    """The rate-level reference of :class:`HypercubeMemory`: its limit delta -> 0, for a batch of
    initial conditions u0 (B, d).

    Each step of dt, exactly as the spiking kernel orders it: u <- b u + (1 - b) gamma J (u + y),
    b = e^{-dt/tau_u}; y <- e^{-lam dt} y; then the boundary: y <- clip(u + y, -1, 1) - u (the spikes
    of infinitesimal decoders hold v = u + y on the box faces). With lam=None, y responds instantly
    and v = clip(u) (brain-state-in-a-box, tau_u du/dt = -u + gamma J clip(u)).
    Returns (t, v) with v (rows, B, d) recorded every rec_every steps (default: final state only,
    v (B, d))."""
    J = np.asarray(J, float)
    u = np.array(u0, float, ndmin=2)
    n = v.steps(duration, dt)
    b = np.exp(-dt / v.positive(tau_u, "tau_u"))
    a = 0.0 if lam is None else np.exp(-v.positive(lam, "lam") * dt)
    y = np.clip(u, -1, 1) - u
    A = gamma * J
    rec, ts = [], []
    for t in range(n):
        u = b * u + (1 - b) * (u + y) @ A.T
        y = a * y
        y = np.clip(u + y, -1.0, 1.0) - u
        if rec_every and (t + 1) % rec_every == 0:
            rec.append(u + y)
            ts.append((t + 1) * dt)
    if rec_every:
        return np.array(ts), np.array(rec)
    return duration, u + y


@dataclass
class MemoryRun:
    """``t`` (rows,) s; ``v`` (rows, d) box variable u + y; ``u`` slow latent; spikes."""
    t: np.ndarray
    v: np.ndarray
    u: np.ndarray
    y: np.ndarray
    spike_times: np.ndarray
    spike_ids: np.ndarray
    max_spikes_per_step: int

    def rate(self, n, t0=0.0):
        """Mean rate per neuron (Hz) after t0."""
        T = self.t[-1] if self.t.size else 0.0
        return float(np.sum(self.spike_times >= t0) / (n * max(T - t0, 1e-12)))


class HypercubeMemory:
    """The spiking associative memory on the box [-1, 1]^d (see the module docstring).

    Parameters
    ----------
    J : (d, d) array, optional
        Slow (Hopfield) couplings; or give ``factors`` (L, R) with J = L R (rank p), which the
        engine applies in O(d p) per step.
    gamma : float
        Gain of the slow loop.
    delta : float
        Decoder size: one spike moves y_k by delta (the box is held to within delta).
    lam : float
        Leak of the spike filter and of V (1/s).
    tau_u : float
        Slow time constant (s).
    sigma, mu : float
        Voltage noise and extra reset (0 by default).
    """

    def __init__(self, J=None, gamma=2.0, delta=0.2, lam=100.0, tau_u=0.02, sigma=0.0, mu=0.0, factors=None,
                 patterns=None):
        if (J is None) == (factors is None):
            raise ValueError("give exactly one of 'J' and 'factors'")
        if J is not None:
            J = np.asarray(J, float)
            if J.ndim != 2 or J.shape[0] != J.shape[1]:
                raise ValueError(f"argument 'J' must be a square (d, d) array, got shape {J.shape}")
            d = J.shape[0]
        else:
            L, R = (np.asarray(f, float) for f in factors)
            d = L.shape[0]
            if L.ndim != 2 or R.shape != (L.shape[1], d):
                raise ValueError(f"argument 'factors' must be (L (d, p), R (p, d)), got {L.shape}, {R.shape}")
        self.J, self.factors = J, None if factors is None else (L, R)
        self.d, self.n = d, 2 * d
        self.gamma = v.positive(gamma, "gamma")
        self.delta = v.positive(delta, "delta")
        self.tau_u = v.positive(tau_u, "tau_u")
        self.patterns = None if patterns is None else check_patterns(patterns)
        E = np.vstack([np.eye(d), -np.eye(d)])
        self.E = E
        self.net = LatentBoundaryNetwork(E, E, 1.0, -self.delta * E.T, lam=lam, mu=mu, sigma=sigma, rule="all")

    @classmethod
    def from_patterns(cls, xi, rule="hebbian", gamma=2.0, low_rank=None, **kw):
        """Store the patterns with one of ``LEARNING_RULES``. ``low_rank`` (default: when P <= d/4 and
        the rule keeps self-connections) passes J as factors: Hebbian L = xi^T / d, R = xi;
        pseudo-inverse L = xi^T (xi xi^T)^+, R = xi."""
        xi = check_patterns(xi)
        P, d = xi.shape
        key = v.choice(rule, "rule", LEARNING_RULES) and rule.lower()
        factorable = key in ("hebbian", "pseudo_inverse")
        if low_rank is None:
            low_rank = factorable and P <= d // 4
        if low_rank and not factorable:
            raise ValueError(f"argument 'low_rank' needs a rule with self-connections and rank P, got {rule!r}")
        if low_rank:
            L = xi.T / d if key == "hebbian" else xi.T @ np.linalg.pinv(xi @ xi.T)
            return cls(factors=(L, xi.copy()), gamma=gamma, patterns=xi, **kw)
        return cls(learn(xi, key, gamma), gamma=gamma, patterns=xi, **kw)

    def coupling(self):
        """J as a dense matrix."""
        return self.J if self.J is not None else self.factors[0] @ self.factors[1]

    def run(self, u0, duration, dt=1e-4, rec_every=10, rng=None, max_spikes=None, progress=False):
        """Simulate from the slow state u0 (a cue; r = 0, so v = clip-free u0 at t = 0).

        Returns a :class:`MemoryRun` recorded every rec_every steps."""
        u0 = np.asarray(u0, float).reshape(-1)
        if u0.shape != (self.d,):
            raise ValueError(f"argument 'u0' must have length d = {self.d}, got {u0.shape}")
        n_steps = v.steps(duration, dt)
        self.net.reset()
        self.net.V = self.E @ u0
        slow = dict(tau_u=self.tau_u, c_hat=1.0, u0=u0, sparse_F=True)
        if self.J is not None:
            slow["A"] = self.gamma * self.J
        else:
            slow["L"], slow["R"] = self.gamma * self.factors[0], self.factors[1]
        if max_spikes is None:
            max_spikes = int(min(self.n * n_steps, 2 * self.d * (1 + 4 * self.gamma) * self.net.lam / self.delta
                                 * n_steps * dt + 10000))
        run = self.net.run(np.zeros(self.d), dt, rec_every=rec_every, rng=rng, slow=slow, n_steps=n_steps,
                           max_spikes=max_spikes, progress=progress)
        return MemoryRun(t=run.t, v=run.u + run.y, u=run.u, y=run.y, spike_times=run.spike_times,
                         spike_ids=run.spike_ids, max_spikes_per_step=run.max_spikes_per_step)

    def recall(self, cue, duration=0.3, dt=1e-4, amplitude=0.5, rng=None):
        """Pattern completion: start from u0 = amplitude * cue and return the final box state v (d,)."""
        run = self.run(amplitude * check_patterns(cue, "cue")[0], duration, dt, rec_every=v.steps(duration, dt), rng=rng)
        return run.v[-1]


def completion_overlaps(J, xi, frac, gamma=2.0, amplitude=0.5, rng=None, spiking=False, duration=0.3, dt=1e-4,
                        max_cues=None, **kw):
    """Final overlaps m_mu = (1/d) sign(v) . xi^mu after completion from cues with a fraction ``frac``
    of flipped units, one cue per pattern (P,). Rate level by default (``rate_reference``, batched);
    with spiking=True each cue runs through a :class:`HypercubeMemory` (kw: delta, lam, tau_u)."""
    xi = check_patterns(xi)
    rng = as_generator(rng)
    if max_cues is not None and xi.shape[0] > max_cues:
        xi = xi[rng.choice(xi.shape[0], size=max_cues, replace=False)]
    cues = corrupt(xi, frac, rng)
    if spiking:
        mem = HypercubeMemory(J, gamma=gamma, **kw)
        finals = np.array([mem.recall(c, duration, dt, amplitude) for c in cues])
    else:
        lam = kw.get("lam", 100.0)
        _, finals = rate_reference(J, amplitude * cues, gamma, kw.get("tau_u", 0.02), lam, dt if lam else 0.002,
                                   duration)
    return np.einsum("pd,pd->p", np.sign(finals), xi) / xi.shape[1]


def capacity(d, rule, gamma=2.0, frac=0.1, threshold=0.95, n_patterns=None, trials=3, rng=None, spiking=False,
             dt=None, max_cues=20, **kw):
    """Largest P (on the grid ``n_patterns``, default 1..d) whose mean completion overlap (over
    ``trials`` pattern sets, at most ``max_cues`` cued patterns of each) is >= threshold; the scan
    stops at the second consecutive failure after a success. Returns (P_max, grid, mean overlaps)."""
    rng = as_generator(rng)
    grid = np.arange(1, d + 1) if n_patterns is None else np.asarray(n_patterns, int)
    means = []
    best, fails = 0, 0
    for P in grid:
        ms = []
        for _ in range(trials):
            xi = random_patterns(int(P), d, rng)
            J = learn(xi, rule, gamma)
            step = dict(dt=dt) if dt else {}
            ms.append(completion_overlaps(J, xi, frac, gamma, rng=rng, spiking=spiking, max_cues=max_cues, **step,
                                          **kw).mean())
        m = float(np.mean(ms))
        means.append(m)
        if m >= threshold:
            best, fails = int(P), 0
        elif best > 0:
            fails += 1
            if fails >= 2:
                break
    return best, grid[:len(means)], np.array(means)


def fit_capacity_slope(N, P_max):
    """Least-squares line P_max = a N + b; returns (a, b, R^2)."""
    N, P_max = np.asarray(N, float), np.asarray(P_max, float)
    a, b = np.polyfit(N, P_max, 1)
    pred = a * N + b
    ss = np.sum((P_max - P_max.mean()) ** 2)
    r2 = 1.0 - np.sum((P_max - pred) ** 2) / ss if ss > 0 else float("nan")
    return float(a), float(b), float(r2)
