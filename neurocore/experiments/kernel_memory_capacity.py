"""Capacity of kernel memory networks across kernels, and exponential capacity for continuous patterns.

Iatropoulos, Brea & Gerstner (2022). (a) Random +-1 patterns, cues with 1/16 of the bits flipped,
synchronous iteration to a fixed point: the number of patterns retrieved exactly by >= 90% of
cues, against n, for Hebbian Hopfield (linear kernel, constant read-out), the projection rule
(linear-kernel interpolation), the linear SVM, and polynomial-kernel interpolation of degree 2 and
3, whose capacities grow like the feature dimension (~n^(p-1) retrievable patterns).
(b) Continuous patterns on the sphere with the compact-support (spherical SDM) kernel: a cue
within half the support half-angle of its pattern is retrieved in one step unless another pattern
lies inside the support around the cue, so the capacity is ~ -ln(0.9) / F_n(2 rho), with F_n the
fraction of the sphere inside a cap of twice the half-angle rho, which shrinks exponentially with n: exponential capacity
with a basin that does not shrink with the load.
"""
from math import comb

import numpy as np

from .. import memory as nm
from ._base import ExperimentResult

NAME = "kernel_memory_capacity"
TITLE = "Kernel memory capacity against n across kernels; exponential capacity on the sphere"
PAPER = "Iatropoulos, Brea & Gerstner, NeurIPS 2022 (arXiv 2208.09416)"


def _models():
    return {
        "Hebbian Hopfield": (lambda X: nm.HopfieldNetwork(X).as_kernel_memory(), lambda n: 10 ** 9),
        "projection (linear interp.)": (lambda X: nm.KernelMemory(X, kernel="linear"), lambda n: n),
        "linear SVM": (lambda X: nm.KernelMemory(X, kernel="linear", rule="classification", max_sweeps=2000),
                       lambda n: 2 * n),
        "polynomial p=2 interp.": (lambda X: nm.KernelMemory(X, kernel=nm.polynomial_kernel(2)),
                                   lambda n: comb(n, 2) + 1),
        "polynomial p=3 interp.": (lambda X: nm.KernelMemory(X, kernel=nm.polynomial_kernel(3)),
                                   lambda n: comb(n, 3) + n),
    }


def cap_fraction(n, angle):
    """Fraction of the unit sphere S^(n-1) within ``angle`` (radians, < pi/2) of a point."""
    from scipy.special import betainc
    return 0.5 * betainc((n - 1) / 2.0, 0.5, np.sin(angle) ** 2)


def _sphere_success(n, N, rho, kern, rng, n_cues=200):
    X = rng.standard_normal((N, n))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    try:
        mem = nm.KernelMemory(X, kernel=kern, activation="identity")
    except nm.SingularGramError:
        return 0.0
    k = min(N, n_cues)
    idx = rng.choice(N, k, replace=False)
    u = rng.standard_normal((k, n))
    u -= np.sum(u * X[idx], axis=1, keepdims=True) * X[idx]
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    t = rho / 2
    cues = np.cos(t) * X[idx] + np.sin(t) * u
    out = mem.recall(cues).states
    cos = np.sum(out * X[idx], axis=1) / np.maximum(np.linalg.norm(out, axis=1), 1e-300)
    return float(np.mean(cos > 0.999))


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    rng = np.random.default_rng(seed)

    # (a) capacity against n across kernels
    ns = [16, 24, 32] if quick else [16, 24, 32, 48]
    pmax = 700 if quick else 1500
    caps = {name: [] for name in _models()}
    for n in ns:
        for name, (build, limit) in _models().items():
            loads = np.unique(np.round(np.geomspace(2, min(pmax, limit(n)), 12 if quick else 16)).astype(int))
            c = nm.capacity_curve(build, n, loads, flip=1 / 16, steps=None, n_cues=60 if quick else 100, rng=rng)
            caps[name].append(c.capacity)
    big = {k: v[-1] for k, v in caps.items()}
    res.check(f"capacity ratio projection / Hebbian at n={ns[-1]}",
              big["projection (linear interp.)"] / max(big["Hebbian Hopfield"], 1), 1.5, kind="gt",
              source="projection rule removes the cross-talk of the Hebbian rule")
    res.check(f"capacity ratio poly p=2 / projection at n={ns[-1]}",
              big["polynomial p=2 interp."] / big["projection (linear interp.)"], 2.0, kind="gt",
              source="feature dimension C(n,2)+1 >> n")
    res.check(f"capacity ratio poly p=3 / poly p=2 at n={ns[-1]}",
              big["polynomial p=3 interp."] / big["polynomial p=2 interp."], 1.0, kind="gt",
              source="feature dimension C(n,3)+n >> C(n,2)+1")
    slope2 = np.polyfit(np.log(ns), np.log(caps["polynomial p=2 interp."]), 1)[0]
    slope1 = np.polyfit(np.log(ns), np.log(caps["projection (linear interp.)"]), 1)[0]
    res.check("growth exponent d log C / d log n, projection", slope1, (0.5, 1.5), kind="range",
              source="capacity ~ n for the linear kernel")
    res.check("growth exponent d log C / d log n, polynomial p=2", slope2, (1.3, 2.7), kind="range",
              source="capacity ~ n^(p-1) ... n^p for degree p (Krotov & Hopfield 2016; feature dim ~ n^p)")
    res.data.update(n=ns, capacity=caps)

    # (b) exponential capacity on the sphere, compact-support kernel
    rho = np.radians(20.0)
    ns_s = [6, 8, 10, 12] if quick else [6, 8, 10, 12, 14]
    cap_s, cap_th = [], []
    for n in ns_s:
        kern = nm.cap_kernel(n, rho, grid=1001)
        th = 1 - np.log(0.9) / cap_fraction(n, 2 * rho)   # no other pattern inside the cue's support
        loads = np.unique(np.round(np.geomspace(4, min(3000, 8 * th), 10 if quick else 14)).astype(int))
        succ = [_sphere_success(n, int(N), rho, kern, rng) for N in loads]
        cap_s.append(nm.capacity._crossing(loads, succ, 0.9))
        cap_th.append(th)
    cap_s = np.array(cap_s)
    th = np.array(cap_th)
    slope = np.polyfit(ns_s, np.log(cap_s), 1)[0]
    slope_th = np.polyfit(ns_s, np.log(th), 1)[0]
    res.check("sphere: capacity growth rate d ln C / d n", slope, slope_th, 0.5, "rel",
              f"estimate -ln(0.9)/F_n(2 rho): {slope_th:.3f} per dimension (exponential capacity)")
    ratio = cap_s / th
    res.check("sphere: min capacity / estimate over n", ratio.min(), 0.5, kind="gt",
              source="estimate counts any pattern in the support as a failure (a lower bound up to noise)")
    res.data["capacity_over_estimate"] = ratio.tolist()   # 2.5-8: small contaminations leave cos > 0.999
    res.check(f"sphere: capacity / n at n={ns_s[-1]}", cap_s[-1] / ns_s[-1], 3.0, kind="gt",
              source="linear-kernel interpolation stores at most n patterns")
    res.data.update(n_sphere=ns_s, capacity_sphere=cap_s.tolist(), capacity_sphere_estimate=th.tolist(),
                    half_angle_deg=20.0)

    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for name, v in caps.items():
        ax[0].loglog(ns, v, "-o", label=name)
    ax[0].set_xlabel("pattern dimension n")
    ax[0].set_ylabel("capacity (patterns, >= 90% exact retrieval)")
    ax[0].set_title("+-1 patterns, cues with n/16 flipped bits")
    ax[0].legend(fontsize=7)
    ax[1].semilogy(ns_s, cap_s, "o-", label="compact-support kernel (measured)")
    ax[1].semilogy(ns_s, th, "s--", color="C1", label=r"estimate $-\ln 0.9 / F_n(2\rho)$")
    ax[1].semilogy(ns_s, ns_s, "k--", label="n (linear kernel bound)")
    ax[1].set_xlabel("dimension n")
    ax[1].set_ylabel("capacity (patterns)")
    ax[1].set_title("sphere, support half-angle 20 deg, cue at 10 deg")
    ax[1].legend(fontsize=7)
    fig.tight_layout()
    res.savefig(fig, out_dir, "kernel_memory_capacity.png")
    return res
