"""Rate network, 10,000 Euler steps: neurocore against the plain NumPy loop and the bandwidth bound."""
import numpy as np

import neurocore.rate as nr
from .harness import Case, stream_copy_bandwidth


def numpy_loop(J, x0, n_steps, dt):
    x = x0.copy()
    for _ in range(n_steps):
        x += dt * (-x + J @ np.tanh(x))
    return x


def cases(quick=False):
    out = []
    n_steps = 2000 if quick else 10000
    dt = 0.1
    for n in (200, 2000):
        J = nr.random_coupling(n, 1.5, rng=0)
        x0 = np.random.default_rng(1).standard_normal(n)
        nc = lambda J=J, x0=x0: nr.integrate_rate_network(J, x0, n_steps * dt, dt, record_every=n_steps)
        peer = lambda J=J, x0=x0: numpy_loop(J, x0, n_steps, dt)
        out.append(Case(f"rate N={n} {n_steps} Euler steps", nc, peer, "NumPy loop", repeats=3,
                        goal=0.2 if n == 200 else 1.0))
    n = 2000
    J = nr.random_coupling(n, 1.5, rng=0)
    x0 = np.random.default_rng(1).standard_normal(n)
    bw = stream_copy_bandwidth()
    bound = J.nbytes * n_steps / bw   # every step streams J once from memory
    out.append(Case(f"rate N={n} vs bandwidth bound", 
                    lambda: nr.integrate_rate_network(J, x0, n_steps * dt, dt, record_every=n_steps),
                    None, f"J bytes / copy bw ({bw / 1e9:.1f} GB/s)", repeats=3, goal=1.5,
                    peer_seconds=lambda: bound))
    return out
