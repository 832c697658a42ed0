"""Low-rank spiking networks (Podlaski & Machens): the hypercube memory (N = 1000, 100,000 steps)
against a vectorised NumPy loop of the same dynamics, and the E-I network of Fig. 8 against the
authors'-style NumPy loop (``run_EI_spiking_net``: dense W @ s per step, one spike per step)."""
import numpy as np

from neurocore.spiking import ei_boundary as eb
from neurocore.spiking import lowrank_memory as lm
from tests.reference import spiking_lowrank_ref as ref
from .harness import Case


def cases(quick=False):
    out = []
    d = 500
    n_steps = 10_000 if quick else 100_000
    dt = 1e-4
    xi = lm.random_patterns(25, d, 0)
    cue = 0.5 * lm.corrupt(xi[:1], 0.1, 1)[0]
    for low_rank in (True, False):
        mem = lm.HypercubeMemory.from_patterns(xi, "hebbian", gamma=2.0, low_rank=low_rank)
        A = None if low_rank else 2.0 * mem.J
        L, R = (2.0 * mem.factors[0], mem.factors[1]) if low_rank else (None, None)
        nc = lambda mem=mem: mem.run(cue, n_steps * dt, dt, rec_every=n_steps)
        peer = lambda mem=mem, A=A, L=L, R=R: ref.memory_numpy_loop(mem.E, mem.delta, A, mem.tau_u, 100.0, dt, cue,
                                                                    n_steps, L=L, R=R)
        out.append(Case(f"memory N=1000 {n_steps} steps, J {'rank 25 (L R)' if low_rank else 'dense'}", nc, peer,
                        "NumPy loop, same dynamics", repeats=2 if not quick else 3, goal=0.2))
    # E-I network, Fig. 8 settings
    dt = 5e-5
    x = np.ones(5001)
    x[:101] = 0.0
    for sigma in (0.0, 0.15):
        net = eb.fig8_network(sigma=sigma)

        def nc(net=net):
            net.reset()
            return net.run(x, dt, rng=0)

        peer = lambda net=net, sigma=sigma: ref.authors_ei_loop(net.F, net.W, net.D, net.T, x, dt, 100.0,
                                                                net.is_inh, net.mu, sigma, rng=0)
        out.append(Case(f"E-I Fig. 8 (50E+50I) 5000 steps, sigma={sigma}", nc, peer, "authors'-style NumPy loop",
                        repeats=5, goal=0.05))
    return out
