"""Slow NumPy twins of the fitting kernels (written independently from the equations in
csrc/kernels/fitting.h and fitting_meso.c), used as oracles by tests/test_fitting.py and as the
NumPy peer of benchmarks/bench_fitting.py."""
import numpy as np


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def sm_forward_meanfield(W, bias, B, T, n_obs, U=None, x=None, data=None, thr=0.4, beta=1.0):
    """Mean-field (z = p) pass; data (B, T, n_obs) teacher-forces the observed neurons. Returns s."""
    D, N, _ = W.shape
    drive = np.tile(bias, (T, 1)) if U is None else x @ U + bias
    z = np.zeros((B, T, N))
    s = np.zeros((B, T, N))
    for t in range(T):
        v = np.repeat(drive[t][None], B, axis=0)
        for d in range(1, min(D, t) + 1):
            v = v + z[:, t - d] @ W[d - 1]
        s[:, t] = (v - thr) / thr
        z[:, t] = sigmoid(beta * s[:, t])
        if data is not None:
            z[:, t, :n_obs] = data[:, t]
    return s


def sm_forward_dense(W, bias, B, T, n_obs, rng, thr=0.4, beta=1.0, drive=None):
    """Stochastic pass written the way a NumPy user would (dense delay matmuls per bin, trials
    batched). Returns (s, z)."""
    D, N, _ = W.shape
    Wst = W.reshape(D * N, N)
    z = np.zeros((B, T + D, N))  # D leading zero bins of history
    s = np.empty((B, T, N))
    for t in range(T):
        hist = z[:, t:t + D][:, ::-1].reshape(B, D * N)   # delay 1 first
        v = hist @ Wst + (bias if drive is None else drive[t])
        s[:, t] = (v - thr) / thr
        z[:, t + D] = rng.random((B, N)) < sigmoid(beta * s[:, t])
    return s, z[:, D:]


def sm_backward_dense(W, s, z, g, thr=0.4, beta=1.0, gamma=0.3, gz_el=None):
    """Reverse sweep (free pass, pseudo-derivative) in dense NumPy: returns dW, dbias.
    g = direct dL/ds; gz_el (B, T, N), optional = direct dL/dz, added to the recurrent dL/dz."""
    D, N, _ = W.shape
    B, T, _ = s.shape
    dv = np.zeros((B, T + D, N))
    Wst = W.reshape(D * N, N)
    for t in range(T - 1, -1, -1):
        gz = np.einsum("bdk,djk->bj", dv[:, t + 1:t + 1 + D], W)   # sum_d W[d-1] dv(t+d)
        if gz_el is not None:
            gz = gz + gz_el[:, t]
        psi = gamma * np.maximum(0.0, 1.0 - np.abs(s[:, t]))
        dv[:, t] = (g[:, t] + gz * psi) / thr
    dvv = dv[:, :T]
    dW = np.zeros_like(W)
    for d in range(1, D + 1):
        dW[d - 1] = np.einsum("bti,btj->ij", z[:, :T - d], dvv[:, d:])
    return dW, dvv.sum(axis=(0, 1))


def sm_stats(vals, n_lags):
    """PSTH and circular lagged noise covariances of (B, T, n) values."""
    B, T, n = vals.shape
    ps = vals.mean(axis=0)
    c = vals - ps
    C = np.zeros((n_lags, n, n))
    for d in range(n_lags):
        C[d] = np.einsum("bti,btj->ij", c, np.roll(c, d, axis=1)) / (B * T)
    return ps, C


def meso_forward(p, Z, T0, mode="teacher"):
    """Deterministic / teacher-forced mesoscopic recursion (see fitting_meso.c). p: MesoParams.
    Returns (Zbar, msum, Z)."""
    Z = np.array(Z, dtype=float)
    T, M = Z.shape
    A, nr, dt = p.A, p.n_ref, p.dt
    V = np.zeros((M, A))
    S = np.ones((M, A))
    lam = np.zeros((M, A))
    I = p.A0.copy()
    Zbar = np.zeros((T, M))
    msum = np.zeros((T, M))
    e = np.exp(-p.asyn * dt)
    for t in range(T):
        if t > 0:
            I = e * I + (1 - e) * Z[t - 1] / dt
        h = I @ p.J
        q = dt * (p.amem * p.urest + h)
        a = 1 - p.amem * dt
        if t > 0:
            Snew = np.ones((M, A))
            Snew[:, 1:] = S[:, :-1] * np.exp(-lam[:, :-1] * dt)
        else:
            Snew = np.ones((M, A))
        Vprev = np.zeros((M, A))
        if t > 0:
            Vprev[:, 1:] = V[:, :-1]
        V = a[:, None] * Vprev + q[:, None]
        V[:, :nr] = 0.0
        S = np.where(Snew < 1e-200, 0.0, Snew)
        lam = np.exp(V - p.theta[:, None])
        lam[:, :nr] = p.lam_ref
        P = -np.expm1(-lam * dt)
        k = np.arange(1, A + 1)
        Zk = np.array([[Z[t - kk, al] if t - kk >= 0 else 0.0 for kk in k] for al in range(M)])
        m = S * Zk
        w = (1 - S) * m
        den = w.sum(1)
        Lam = np.where(den > 0, (P * w).sum(1) / np.where(den > 0, den, 1), 0.0)
        raw = (P * m).sum(1) + Lam * (1 - m.sum(1))
        Zbar[t] = np.clip(raw, 0, 1)
        msum[t] = m.sum(1)
        if t >= T0 and mode == "mean":
            Z[t] = Zbar[t]
    return Zbar, msum, Z
