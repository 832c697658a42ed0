"""Dense three-factor update (eligibility trace x modulator), float32: neurocore against the NumPy
expression and against the memory-bandwidth bound measured in the same run.

One step reads and writes W and E once: 4 x n_post x n_pre x 4 bytes, so the bound is that many bytes
over the STREAM-like copy bandwidth (which counts read + write bytes, like the update does).
"""
import numpy as np

import neurocore.plasticity as pl
from .harness import Case, stream_copy_bandwidth


def numpy_three_factor(W, E, pre, post, mod, eta, decay):
    E *= decay
    E += np.outer(post, pre).astype(E.dtype, copy=False)
    W += (eta * mod).astype(W.dtype)[:, None] * E


def cases(quick=False):
    out = []
    n = 2000
    rng = np.random.default_rng(0)
    steps = 10 if quick else 20
    W = rng.standard_normal((n, n)).astype(np.float32)
    E = np.zeros((n, n), np.float32)
    W2, E2 = W.copy(), E.copy()
    pre, post, mod = rng.random(n), rng.random(n), rng.standard_normal(n)
    eta, decay = 1e-4, 0.95

    def nc():
        for _ in range(steps):
            pl.update(W, pre, post, rule="three_factor", eta=eta, modulator=mod, eligibility=E, decay=decay)

    def peer():
        for _ in range(steps):
            numpy_three_factor(W2, E2, pre, post, mod, eta, decay)

    out.append(Case(f"three-factor {n}x{n} f32 x{steps}", nc, peer, "NumPy expression", repeats=5, goal=1 / 3))
    bw = stream_copy_bandwidth()
    bound = 4 * W.nbytes * steps / bw
    out.append(Case(f"three-factor {n}x{n} f32 vs bandwidth", nc, None,
                    f"4 x W bytes / copy bw ({bw / 1e9:.1f} GB/s)", repeats=5, goal=1.5,
                    peer_seconds=lambda: bound))
    if not quick:
        # W and E (2 x 64 MB) far beyond the last-level cache: the DRAM-bound regime.
        nb = 4000
        Wb = rng.standard_normal((nb, nb)).astype(np.float32)
        Eb = np.zeros((nb, nb), np.float32)
        xb, yb, mb = rng.random(nb), rng.random(nb), rng.standard_normal(nb)

        def nc_big():
            for _ in range(5):
                pl.update(Wb, xb, yb, rule="three_factor", eta=eta, modulator=mb, eligibility=Eb, decay=decay)

        bound_b = 4 * Wb.nbytes * 5 / bw
        out.append(Case(f"three-factor {nb}x{nb} f32 vs bandwidth", nc_big, None,
                        f"4 x W bytes / copy bw ({bw / 1e9:.1f} GB/s)", repeats=3, goal=1.5,
                        peer_seconds=lambda: bound_b))
    # Rank-1 modulated Hebbian (no eligibility), float64: reads and writes W once.
    Wd = rng.standard_normal((n, n))
    Wd2 = Wd.copy()

    def nc_hebb():
        for _ in range(steps):
            pl.update(Wd, pre, post, rule="hebb", eta=eta, modulator=mod)

    def peer_hebb():
        for _ in range(steps):
            np.add(Wd2, np.outer(eta * mod * post, pre), out=Wd2)

    out.append(Case(f"modulated Hebb {n}x{n} f64 x{steps}", nc_hebb, peer_hebb, "NumPy expression", repeats=5,
                    goal=0.5))
    bound_h = 2 * Wd.nbytes * steps / bw
    out.append(Case(f"modulated Hebb {n}x{n} f64 vs bandwidth", nc_hebb, None,
                    f"2 x W bytes / copy bw ({bw / 1e9:.1f} GB/s)", repeats=5, goal=1.5,
                    peer_seconds=lambda: bound_h))
    # CSR (10 % density) three-factor, float32.
    import scipy.sparse as sp
    S = sp.random(n, n, density=0.1, format="csr", dtype=np.float32, random_state=1)
    S.indices = S.indices.astype(np.int32)
    S.indptr = S.indptr.astype(np.int32)
    Es = np.zeros_like(S.data)
    S2, Es2 = S.copy(), Es.copy()
    rows = np.repeat(np.arange(n), np.diff(S.indptr))

    def nc_csr():
        for _ in range(steps):
            pl.update_csr(S, pre, post, rule="three_factor", eta=eta, modulator=mod, eligibility=Es, decay=decay)

    def peer_csr():
        for _ in range(steps):
            Es2[:] = decay * Es2 + (post[rows] * pre[S2.indices]).astype(np.float32)
            S2.data += (eta * mod[rows]).astype(np.float32) * Es2

    out.append(Case(f"three-factor CSR {n}x{n} 10% f32 x{steps}", nc_csr, peer_csr, "NumPy expression", repeats=5,
                    goal=1 / 3))
    return out
