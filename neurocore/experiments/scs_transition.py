"""The Sompolinsky-Crisanti-Sommers transition to chaos, seen through the largest Lyapunov exponent.

A random tanh network ``dx/dt = -x + J tanh(x)``, ``J_ij ~ N(0, g^2/N)``, has a stable fixed point
at x = 0 for g < 1, where the largest exponent is the largest real part of the eigenvalues of
J - 1 (circular law: about g - 1), and is chaotic for g > 1, where the exponent is positive and
approaches the DMFT value (Clark's published operator solution, notes seed001_dmft.md A.4).
"""
import numpy as np

from ..rate import RateNetwork, lyapunov_spectrum
from ._base import ExperimentResult

NAME = "scs_transition"
TITLE = "Largest Lyapunov exponent of random tanh networks against g"
PAPER = "Sompolinsky, Crisanti & Sommers, PRL 61, 259 (1988)"

#: lambda_1 from the DMFT Schroedinger operator, continuous time (notes A.4, [data]).
DMFT_LAMBDA1 = {1.25: 0.016963, 1.5: 0.046746, 2.0: 0.112458, 2.5: 0.176143, 3.0: 0.235461}


def euler_map_linear_exponent(J, dt, tau=1.0):
    """Largest exponent of the Euler map linearised at x = 0: max log|1 + dt mu / tau| / dt over
    the eigenvalues mu of J - 1 (tends to max Re mu / tau as dt -> 0)."""
    mu = np.linalg.eigvals(J - np.eye(J.shape[0]))
    return float(np.max(np.log(np.abs(1.0 + dt * mu / tau))) / dt)


def crossing(gs, lams):
    """Where the curve lambda(g) first crosses zero from below, by linear interpolation."""
    for i in range(len(gs) - 1):
        if lams[i] < 0 <= lams[i + 1]:
            return gs[i] + (gs[i + 1] - gs[i]) * (-lams[i]) / (lams[i + 1] - lams[i])
    return float("nan")


def stable_branch_crossing(gs, lams, fit_range=(0.8, 1.0)):
    """Zero of a straight line fitted to lambda(g) on the stable side (x = 0 attracting).

    This is where the trivial fixed point loses stability. At finite N the mean curve itself
    crosses zero later, because for 1 < g < ~1.25 many N = 1000 networks settle on non-trivial
    fixed points or limit cycles instead of chaos (finite-size effect)."""
    gs = np.asarray(gs)
    sel = (gs >= fit_range[0]) & (gs <= fit_range[1])
    slope, intercept = np.polyfit(gs[sel], np.asarray(lams)[sel], 1)
    return float(-intercept / slope)


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    n = 1000
    dt = 0.05 if not quick else 0.1   # the dt = 0.1 map's lambda_1 differs from the flow's by ~0.001
    seeds = [seed, seed + 1, seed + 2] if not quick else [seed + 1, seed + 2]
    T, transient = (1000.0, 200.0) if not quick else (300.0, 100.0)
    gs = [0.5, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.5, 2.0, 3.0]
    curve = np.zeros((len(seeds), len(gs)))
    linear = np.zeros(len(seeds))
    for a, s in enumerate(seeds):
        for b, g in enumerate(gs):
            net = RateNetwork(n, g=g, rng=s)
            if g < 1:
                # Below the transition x decays to 0; start there so only the tangent dynamics matter.
                lam = lyapunov_spectrum(net.J, np.zeros(n), T / 2, dt, rng=s).exponents[0]
                if g == 0.5:
                    linear[a] = euler_map_linear_exponent(net.J, dt)
            else:
                lam = net.lyapunov(T, dt=dt, transient=transient, rng=s).exponents[0]
            curve[a, b] = lam
    mean = curve.mean(axis=0)
    i05 = gs.index(0.5)
    res.check("lambda_max(g=0.5) - linearisation", float(np.max(np.abs(curve[:, i05] - linear))), 0.0,
              0.02, "abs", "max Re eig of the Euler map at x=0 (NumPy eigvals)", "1/tau")
    res.check("lambda_max(g=1.5)", mean[gs.index(1.5)], 0.0, kind="gt", source="SCS: chaotic for g > 1",
              unit="1/tau")
    res.check("zero crossing g_c of the stable branch", stable_branch_crossing(gs, mean), (0.95, 1.1),
              kind="range", source="SCS: x = 0 loses stability at g = 1 (line fit, g in [0.8, 1])")
    res.data["first_positive_crossing"] = crossing(gs, mean)
    res.check("lambda_max(g=2)", mean[gs.index(2.0)], (0.09, 0.125), kind="range",
              source="DMFT 0.1125, finite-N band (notes A.6)", unit="1/tau")
    res.check("lambda_max(g=3)", mean[gs.index(3.0)], (0.20, 0.245), kind="range",
              source="DMFT 0.2355, finite-N band (notes A.6)", unit="1/tau")
    res.data.update(g=gs, lambda_max=curve, seeds=seeds, N=n, T=T, dt=dt)

    fig, ax = plt.subplots(figsize=(5, 3.6))
    for a in range(len(seeds)):
        ax.plot(gs, curve[a], "o", color="0.6", ms=3)
    ax.plot(gs, mean, "-o", color="C0", label=f"simulation, N = {n} (mean of {len(seeds)} seeds)")
    gl = np.linspace(0.4, 1.0, 10)
    ax.plot(gl, gl - 1, "--", color="C2", label="g - 1 (circular law, x = 0 stable)")
    ax.plot(list(DMFT_LAMBDA1), list(DMFT_LAMBDA1.values()), "s", color="C3", label="DMFT (Clark)")
    ax.axhline(0, color="k", lw=0.6)
    ax.axvline(1, color="k", lw=0.6, ls=":")
    ax.set_xlabel("coupling gain g")
    ax.set_ylabel(r"largest Lyapunov exponent $\lambda_1$ (1/$\tau$)")
    ax.set_title("Transition to chaos in random tanh networks")
    ax.legend(fontsize=7)
    res.savefig(fig, out_dir, "scs_transition.png")
    return res
