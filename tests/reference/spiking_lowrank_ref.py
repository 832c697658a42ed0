"""Slow NumPy twins of the low-rank layer of the spiking engine (``nc_spiking_scn_run_ext``).

``scn_ext_ref`` repeats the kernel's step exactly (same order, same arithmetic up to summation
order), noiseless, so spikes can be compared one by one. ``authors_ei_loop`` is the E-I simulator
as the authors' code writes it (Euler voltage with the input-derivative term, dense W @ s of the
previous step, one spike per step with inhibition first): the peer of the E-I benchmark.
``memory_numpy_loop`` is the associative-memory dynamics written as a plain vectorised NumPy loop:
the peer of the memory benchmark.
"""
import numpy as np


def scn_ext_ref(F, Omega, D, T, x, dt, lam, V0, r0, rule="one", is_inh=None, mu=None, i_inj=None, A=None,
                tau_u=None, c_hat=0.0, u0=None, hold_steps=None):
    """Returns (xhat per step (n_steps, K), u per step or None, spike list [(step, neuron)], V, r)."""
    F, Omega, D = (np.asarray(m, float) for m in (F, Omega, D))
    n, kx = F.shape
    a = np.exp(-lam * dt)
    V, r = np.array(V0, float), np.array(r0, float)
    xh = D @ r
    mu = np.zeros(n) if mu is None else np.broadcast_to(np.asarray(mu, float), (n,))
    x = np.asarray(x, float).reshape(-1, kx)
    n_steps = hold_steps if hold_steps is not None else x.shape[0] - 1
    u = None if A is None else np.array(u0, float)
    b = None if A is None else np.exp(-dt / tau_u)
    xs, us, spikes = [], [], []
    for t in range(n_steps):
        x0, x1 = (x[0], x[0]) if hold_steps is not None else (x[t], x[t + 1])
        if A is not None:
            un = b * u + (1 - b) * (A @ (u + c_hat * xh))
            ds = (x1 + un) - a * (x0 + u)
            u = un
        else:
            ds = x1 - a * x0
        V = a * V + F @ ds
        if i_inj is not None:
            V = V + (1 - a) * np.asarray(i_inj, float)
        r *= a
        xh = a * xh
        if rule == "all":
            fire = list(np.flatnonzero(V > T))
        else:
            fire = []
            cands = [np.ones(n, bool)] if rule == "one" else [np.asarray(is_inh, bool), ~np.asarray(is_inh, bool)]
            for mask in cands:
                d = np.where(mask, V - T, -np.inf)
                k = int(np.argmax(d))
                if d[k] > 0:
                    fire = [k]
                    break
        for k in fire:
            r[k] += 1
            V = V - Omega[:, k]
            V[k] -= mu[k]
            xh = xh + D[:, k]
            spikes.append((t, k))
        xs.append(xh.copy())
        if u is not None:
            us.append(u.copy())
    return np.array(xs), (None if u is None else np.array(us)), spikes, V, r


def authors_ei_loop(F, W, D, T, x, dt, lam, is_inh, mu, sigma=0.0, I_inj=None, rng=None):
    """The authors'-style E-I simulation (``run_EI_spiking_net``): thresholds normalised to 1 with bias
    1 - T, Euler voltage with c = x(t-1) + (x(t) - x(t-1)) / (dt lam), the recurrent input W s(t-1) of
    the previous step's spikes (dense matvec), the fast self term -mu, noise sigma sqrt(2 dt lam), and
    at most one spike per step with inhibition first. Returns (y (n_steps, J), spike count)."""
    rng = np.random.default_rng(rng)
    F, W, D = (np.asarray(m, float) for m in (F, W, D))
    n = F.shape[0]
    x = np.asarray(x, float).reshape(len(x), -1)
    b = 1.0 - np.asarray(T, float)
    Wself = np.diag(np.full(n, -1.0) * np.asarray(mu, float))
    inh = np.asarray(is_inh, bool)
    V = F @ x[0] + b
    s = np.zeros(n)
    r = np.zeros(n)
    Iinj = np.zeros(n) if I_inj is None else np.asarray(I_inj, float)
    ys = np.zeros((x.shape[0] - 1, D.shape[0]))
    count = 0
    for t in range(1, x.shape[0]):
        c = x[t - 1] + (x[t] - x[t - 1]) / (dt * lam)
        V = V + dt * lam * (-V + F @ c + b + Iinj)
        V = V + W @ s + Wself @ s
        if sigma > 0:
            V = V + sigma * np.sqrt(2 * dt * lam) * rng.standard_normal(n)
        s = np.zeros(n)
        vi = np.where(inh, V, -np.inf)
        k = int(np.argmax(vi))
        if vi[k] >= 1.0:
            s[k] = 1.0
        else:
            ve = np.where(~inh, V, -np.inf)
            k = int(np.argmax(ve))
            if ve[k] >= 1.0:
                s[k] = 1.0
        count += int(s.sum())
        r = r + dt * (-lam * r) + s
        ys[t - 1] = D @ r
    return ys, count


def memory_numpy_loop(E, delta, A, tau_u, lam, dt, u0, n_steps, L=None, R=None):
    """The hypercube memory as a plain vectorised NumPy loop (one step: slow latent, voltage, every
    supra-threshold neuron fires, its column of the recurrent matrix is subtracted). Returns
    (final v, spike count)."""
    E = np.asarray(E, float)
    n, d = E.shape
    D = -delta * E.T
    Omega = -(E @ D)
    a, b = np.exp(-lam * dt), np.exp(-dt / tau_u)
    u = np.array(u0, float)
    y = np.zeros(d)
    V = E @ u
    r = np.zeros(n)
    count = 0
    for _ in range(n_steps):
        z = u + y
        Az = A @ z if L is None else L @ (R @ z)
        un = b * u + (1 - b) * Az
        V = a * V + E @ (un - a * u)
        u = un
        r *= a
        y *= a
        idx = np.flatnonzero(V > 1.0)
        if idx.size:
            r[idx] += 1
            V -= Omega[:, idx].sum(axis=1)
            y += D[:, idx].sum(axis=1)
            count += idx.size
    return u + y, count
