"""Slow NumPy twins of the spiking kernels, written from the equations in csrc/kernels/spiking.h."""
import numpy as np


def lif_ref(n_steps, dt, model, method, tau_m, v_th, v_reset, e_l, ref_steps, tau_syn, e_rev, v0, g0,
            W, delays, i_ext=0.0):
    """LIF network, step by step. W: list of (n, n) dense matrices per channel with W[c][j, i] the
    weight from j to i; delays: (n, n) int steps per channel (same shape). Returns spikes as
    (step, neuron) pairs and the final v, g."""
    n = v0.shape[0]
    nc = len(tau_syn)
    v = v0.astype(float).copy()
    g = g0.astype(float).copy()
    ref = np.zeros(n, int)
    L = 1 + max(int(d.max()) for d in delays)
    ring = np.zeros((nc, L, n))
    A = np.exp(-dt / tau_m)
    spikes = []
    for s in range(n_steps):
        vinf0 = e_l + i_ext
        if model == "cuba" and method == "exact":
            vn = vinf0 + (v - vinf0) * A
            for c in range(nc):
                ts = tau_syn[c]
                vn = vn + g[c] * ts / (ts - tau_m) * (np.exp(-dt / ts) - np.exp(-dt / tau_m))
        elif model == "cuba":
            vn = v + dt / tau_m * (vinf0 - v + g.sum(axis=0))
        else:
            vn = v + dt / tau_m * (vinf0 - v + sum(g[c] * (e_rev[c] - v) for c in range(nc)))
        for c in range(nc):
            g[c] *= np.exp(-dt / tau_syn[c])
        held = ref > 0
        v = np.where(held, v, vn)
        ref = np.where(held, ref - 1, ref)
        fired = np.flatnonzero(~held & (v > v_th))
        for j in fired:
            spikes.append((s, j))
            for c in range(nc):
                for i in np.flatnonzero(W[c][j] != 0):
                    ring[c, (s + delays[c][j, i]) % L, i] += W[c][j, i]
        for c in range(nc):
            g[c] += ring[c, s % L]
            ring[c, s % L] = 0.0
        v[fired] = v_reset[fired] if np.ndim(v_reset) else v_reset
        ref[fired] = ref_steps[fired] if np.ndim(ref_steps) else ref_steps
    return np.array(spikes, dtype=int).reshape(-1, 2), v, g


def glm_potential_ref(S, dt, u0, J, syn_decay=None, syn_kernel=None, self_kernel=None, self_mode="kernel",
                      I=None):
    """u[t] and p[t] (rho = exp) of the escape-noise discretisation for a given spike matrix S (T x n);
    J[i, j] is the weight from j to i."""
    T, n = S.shape
    u = np.zeros((T, n))
    for t in range(T):
        a = np.zeros(n)
        for k in range(1, t + 1):
            kap = syn_decay ** (k - 1) if syn_kernel is None else (syn_kernel[k - 1] if k <= len(syn_kernel) else 0.0)
            a += kap * S[t - k]
        e = np.zeros(n)
        if self_kernel is not None:
            if self_mode == "kernel":
                for k in range(1, min(t, len(self_kernel)) + 1):
                    e += self_kernel[k - 1] * S[t - k]
            else:  # last
                for i in range(n):
                    past = np.flatnonzero(S[:t, i])
                    if past.size:
                        age = t - past[-1]
                        if age <= len(self_kernel):
                            e[i] = self_kernel[age - 1]
        u[t] = u0 + J @ a + e + (0.0 if I is None else I[t])
    p = -np.expm1(-dt * np.exp(u))
    return u, p
