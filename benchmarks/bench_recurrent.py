"""Training recurrent networks: one RLS step and a whole FORCE run, neurocore against NumPy."""
import time

import numpy as np

from neurocore.learning.recurrent import RLS, ForceNetwork, four_sine
from .harness import Case


def numpy_force(J, w_fb, x, z, f, n_steps, dt=0.1, alpha=1.0, learn_every=2):
    """The FORCE loop in NumPy (Sussillo & Abbott's script, vectorised per step)."""
    n = len(x)
    P = np.eye(n) / alpha
    w = np.zeros(n)
    x = x.copy()
    r = np.tanh(x)
    z = float(z[0])
    for s in range(n_steps):
        x += dt * (-x + J @ r + w_fb[:, 0] * z)
        r = np.tanh(x)
        z = w @ r
        if (s + 1) % learn_every == 0:
            k = P @ r
            c = 1.0 / (1.0 + r @ k)
            P -= c * np.outer(k, k)
            w -= c * (z - f[s % len(f)]) * k
    return w


def cases(quick=False):
    out = []
    n = 1000
    rng = np.random.default_rng(0)
    rs = np.tanh(rng.standard_normal((64, n)))
    m = RLS(n, 1, alpha=1.0)
    P_np = np.eye(n)
    it = {"i": 0}

    def nc_step():
        for r in rs:
            m.update(r, 0.0)

    def np_step():
        P = P_np
        for r in rs:
            Pr = P @ r
            P -= np.outer(Pr, Pr) / (1.0 + r @ Pr)
    out.append(Case(f"RLS step N={n} (x{len(rs)})", nc_step, np_step, "NumPy P -= (Pr)(Pr)^T/(1+r^T P r)",
                    repeats=5, goal=0.5))

    n_steps = 10_000 if quick else 100_000
    net = ForceNetwork(n=n, rng=1)
    J, w_fb, x0, z0 = net.J, net.w_fb, net.x.copy(), net.z.copy()
    f = four_sine(np.arange(600) * 0.1)
    sample = 1000   # the NumPy loop is timed on `sample` steps and scaled to n_steps (it is linear in steps)

    def nc_force():
        ForceNetwork(n=n, rng=1).train(f, n_steps * 0.1)

    def np_force_seconds():
        t0 = time.perf_counter()
        numpy_force(J, w_fb, x0, z0, f, sample)
        return (time.perf_counter() - t0) * n_steps / sample
    out.append(Case(f"FORCE training N={n}, {n_steps} steps", nc_force, None,
                    f"NumPy loop ({sample} steps timed, scaled x{n_steps // sample})", repeats=1 if not quick else 2,
                    goal=1 / 3, peer_seconds=np_force_seconds))
    return out
