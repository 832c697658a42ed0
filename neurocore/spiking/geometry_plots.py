"""Geometry views of low-rank spiking networks (Podlaski & Machens): neuron boundaries in latent
space with the network's trajectory on top.

* :func:`plot_boundaries_1d` -- a rank-1 population: each neuron's boundary line in the (x, y) plane,
  the shaded region beyond the envelope (where some neuron fires) and y(t) against x(t).
* :func:`plot_ei_plane` -- a rank-2 E-I network at one input: E and I boundary lines in the
  (y_E, y_I) plane, the ideal intersection and the trajectory.
* :func:`plot_box` -- the hypercube memory projected on two latent dimensions: the box, its vertices
  (binary states) and v(t); :func:`plot_overlaps` -- pattern overlaps against time.
All take a Matplotlib ``ax`` and return it.
"""
import numpy as np

__all__ = ["plot_boundaries_1d", "plot_ei_plane", "plot_box", "plot_overlaps", "plot_raster"]


def plot_boundaries_1d(ax, E, F, T, x, run=None, target=None, inhibitory=True, max_lines=60):
    """Boundaries y_i(x) = (T_i - F_i x)/E_i of a 1-D population, the firing region and the run."""
    from .ei_boundary import boundary_lines
    x = np.asarray(x, float)
    lines = boundary_lines(E, F, T, x)
    env = lines.min(axis=0) if inhibitory else lines.max(axis=0)
    step = max(1, lines.shape[0] // max_lines)
    for li in lines[::step]:
        ax.plot(x, li, color="0.75", lw=0.6)
    lo, hi = ax.get_ylim() if ax.has_data() else (env.min() - 1, env.max() + 1)
    top = max(hi, env.max() + 0.5)
    ax.fill_between(x, env, top, color="tab:blue", alpha=0.12, lw=0, label="some neuron fires")
    ax.plot(x, env, color="tab:blue", lw=1.2, label="boundary (envelope)")
    if target is not None:
        ax.plot(x, target(x), "k--", lw=1, label="target f(x)")
    if run is not None:
        ax.plot(run.x[:, 0], run.y[:, 0], color="tab:red", lw=0.8, label="network y(t)")
    ax.set_xlabel("input x")
    ax.set_ylabel("latent y")
    ax.set_ylim(min(env.min(), run.y.min() if run is not None else env.min()) - 0.2, env.max() + 0.3)
    return ax


def plot_ei_plane(ax, net, x, run=None, yE=None, fixed_point=None, I_inj=None):
    """The E (red) and I (blue) boundary lines y_I = (F x + E_.E y_E + I - T)/E_.I of an
    :class:`~neurocore.spiking.ei_boundary.EINetwork` at input x, and the trajectory (y_E, y_I)."""
    p = net.params
    yE = np.linspace(0, 1.3 * max(1.0, run.y[:, 0].max() if run is not None else 4.0), 200) if yE is None else yE
    I = np.zeros(net.n) if I_inj is None else np.broadcast_to(np.asarray(I_inj, float), (net.n,))
    xv = np.atleast_1d(np.asarray(x, float))
    for pop, (Ee, Ei, F, T, col, off) in {"E": (p["E_EE"], p["E_EI"], p["F_E"], p["T_E"], "tab:red", 0),
                                          "I": (p["E_IE"], p["E_II"], p["F_I"], p["T_I"], "tab:blue", net.ne)}.items():
        seen = set()
        for i in range(len(Ee)):
            key = (round(Ee[i], 9), round(Ei[i], 9), round(float(F[i] @ xv), 9), round(T[i] - I[off + i], 9))
            if key in seen:
                continue
            seen.add(key)
            yI = (F[i] @ xv + Ee[i] * yE + I[off + i] - T[i]) / Ei[i]
            ax.plot(yE, yI, color=col, lw=0.8, alpha=0.8, label=f"{pop} boundaries" if not i else None)
    if run is not None:
        ax.plot(run.y[:, 0], run.y[:, 1], color="k", lw=0.4, alpha=0.6, label="trajectory")
    if fixed_point is not None:
        ax.plot(*fixed_point, "o", mfc="none", mec="k", ms=8, label="ideal intersection")
    ax.set_xlabel("$y_E$")
    ax.set_ylabel("$|y_I|$")
    return ax


def plot_box(ax, run, dims=(0, 1), patterns=None):
    """v(t) of a :class:`~neurocore.spiking.lowrank_memory.MemoryRun` on two latent dimensions, with
    the box [-1, 1]^2 (the manifold's faces) and its vertices (marked when a pattern sits there)."""
    a, b = dims
    ax.plot([-1, 1, 1, -1, -1], [-1, -1, 1, 1, -1], color="0.4", lw=1)
    for sx in (-1, 1):
        for sy in (-1, 1):
            ax.plot(sx, sy, "s", color="0.6", ms=5)
    if patterns is not None:
        for xi in np.asarray(patterns)[:8]:
            ax.plot(xi[a], xi[b], "s", mfc="none", mec="tab:green", ms=11)
    ax.plot(run.v[:, a], run.v[:, b], color="tab:red", lw=0.8)
    ax.plot(run.v[0, a], run.v[0, b], "o", color="tab:red", ms=4)
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    ax.set_xlabel(f"$v_{{{a}}}$")
    ax.set_ylabel(f"$v_{{{b}}}$")
    return ax


def plot_overlaps(ax, run, patterns, graded=True):
    """Overlaps (1/d) xi^mu . v(t) of the run with each stored pattern against time (ms)."""
    xi = np.asarray(patterns, float)
    m = (run.v if graded else np.sign(run.v)) @ xi.T / xi.shape[1]
    ax.plot(1e3 * run.t, m, lw=0.8)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("overlap $m_\\mu$")
    ax.set_ylim(-1.05, 1.05)
    return ax


def plot_raster(ax, spike_times, spike_ids, colors=None, split=None, ms=1.0):
    """Spike raster; ``split`` colours ids >= split differently (E red / I blue)."""
    t = 1e3 * np.asarray(spike_times)
    ids = np.asarray(spike_ids)
    if split is None:
        ax.plot(t, ids, "|", ms=ms, color="k")
    else:
        e = ids < split
        ax.plot(t[e], ids[e], "|", ms=ms, color="tab:red")
        ax.plot(t[~e], ids[~e], "|", ms=ms, color="tab:blue")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    return ax
