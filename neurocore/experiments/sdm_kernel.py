"""Kanerva's sparse distributed memory and its kernel (checks K6, K7).

The SDM read-out is ``sum_mu y^mu K_hat(x^mu, x)``, K_hat the number of hard locations within the
radius of both addresses; its expectation over random locations is M times the closed-form kernel
of neurocore.memory.sdm_kernel_values. With more hard locations the finite SDM converges to the
kernel network with the expected kernel (bit agreement of the read-outs).
"""
import numpy as np

from .. import memory as nm
from ._base import ExperimentResult

NAME = "sdm_kernel"
TITLE = "Sparse distributed memory: Monte-Carlo kernel against the closed form, and the kernel limit"
PAPER = "Iatropoulos, Brea & Gerstner, NeurIPS 2022 (arXiv 2208.09416); Kanerva 1988"


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    rng = np.random.default_rng(seed)
    n, r, M = 64, 24, 200_000
    K = nm.sdm_kernel_values(n, r)
    # one pair gives a Binomial(M, K(d)) count (relative s.e. 4.4% at d = 24): average 16 pairs
    pairs = 16
    sdm = nm.SparseDistributedMemory(n, M, r, m=pairs, rng=rng)
    x = nm.random_patterns(pairs, n, rng)
    sdm.write(x, data=np.eye(pairs))
    ds = np.arange(0, 41, 2 if quick else 1)
    mc = []
    for d in ds:
        xp = x.copy()
        for row in xp:
            row[rng.choice(n, d, replace=False)] *= -1
        mc.append(np.diag(sdm.read(xp)[0]).mean() / M)
    mc = np.array(mc)
    rel = np.abs(mc - K[ds]) / K[ds]
    for d in (0, 4, 8, 16, 24):
        res.check(f"K6 relative error at d={d}", rel[list(ds).index(d)], 0.05, kind="lt",
                  source="notes K6 (closed form vs M = 2e5 Monte Carlo)")
    res.check("K6 relative error at d=32", rel[list(ds).index(32)], 0.10, kind="lt", source="notes K6")

    # K7 identity and the kernel limit: SDM read-out signs vs the expected-kernel network
    n2, r2, P = 64, 24, 30
    Xp = nm.random_patterns(P, n2, rng)
    cues = nm.flip_bits(Xp, 0.1, rng)
    km = nm.KernelMemory(Xp, kernel=nm.sdm_kernel(n2, r2), rule="hebbian")
    h_kernel = km.field(cues)
    Ms = [1000, 4000, 16000, 64000] if quick else [1000, 4000, 16000, 64000, 256000]
    agree, ident = [], []
    for Mi in Ms:
        s = nm.SparseDistributedMemory(n2, Mi, r2, rng=rng)
        s.write(Xp)
        out = s.read(cues)[0]
        act_p = (n2 - s.addresses @ Xp.T) / 2 <= r2
        act_c = (n2 - s.addresses @ cues.T) / 2 <= r2
        ident.append(float(np.abs(out - (Xp.T @ (act_p.T.astype(float) @ act_c)).T).max()))
        agree.append(float(np.mean(np.sign(out + 1e-300) == np.sign(h_kernel + 1e-300))))
    res.check("K7 max |SDM - sum y K_hat| over all M", max(ident), 0.0, 0.0, "abs", "exact integer identity (notes K7)")
    res.check(f"sign agreement SDM (M={Ms[-1]}) vs expected-kernel network", agree[-1], 0.97, kind="gt",
              source="law of large numbers: K_hat / M -> K (finite-M noise only)")
    res.check("agreement grows with M", agree[-1] - agree[0], 0.0, kind="gt", source="law of large numbers")
    res.data.update(d=ds.tolist(), mc=mc.tolist(), formula=K[ds].tolist(), M=Ms, agreement=agree)

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
    ax[0].semilogy(np.arange(n + 1), K, "-", label="closed form")
    ax[0].semilogy(ds, np.maximum(mc, 1e-12), "o", ms=3, label=f"Monte Carlo, M = {M}, {pairs} pairs")
    ax[0].set_xlim(0, 2 * r + 2)
    ax[0].set_ylim(1e-7, 1.5 * K[0])
    ax[0].set_xlabel("Hamming distance d")
    ax[0].set_ylabel("shared locations / M")
    ax[0].set_title(f"SDM kernel, n = {n}, r = {r}")
    ax[0].legend(fontsize=8)
    ax[1].semilogx(Ms, agree, "-o")
    ax[1].set_xlabel("number of hard locations M")
    ax[1].set_ylabel("sign agreement with kernel network")
    ax[1].set_title("finite SDM -> expected-kernel network")
    fig.tight_layout()
    res.savefig(fig, out_dir, "sdm_kernel.png")
    return res
