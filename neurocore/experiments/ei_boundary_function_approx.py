"""Latent boundaries in low-rank E-I spiking networks: tangent construction, boundary tracking,
noise suppression, the E-I fixed point with its paradoxical inhibitory response, balance and
irregularity, decoder mistuning and difference-of-convex function approximation (Podlaski &
Machens 2024, Figs. 2, 5, 6, 8; checks T2.1-T2.7 of notes seed000_machens.md).

Everything runs on the spike-coding engine (one spike per step, inhibition first for E-I).
Reference values: the authors' Fig. 8 script (y_E 1.9 / y_I 3.35 before, 0.71 / 2.1 after the
perturbation) [code], the pre-computed mistuning sweep [code-data], the closed-form intersections
[derived] and the notes' own re-implementation [est].
"""
import numpy as np

from ..spiking import ei_boundary as eb
from ..spiking import geometry_plots as gp
from ._base import ExperimentResult

NAME = "ei_boundary_function_approx"
TITLE = "Latent boundaries in low-rank E-I spiking networks: tracking, balance, DC function approximation"
PAPER = "Podlaski & Machens, Neural Computation 36:803 (2024), arXiv 2307.09334"



def _quad(x):
    return -np.asarray(x) ** 2 - 0.5


def _dquad(x):
    return -2 * np.asarray(x)


def smooth_target(x):
    """A smooth non-monotonic test mapping with values in about [1.3, 4.8] on [0, 10]."""
    x = np.asarray(x, float)
    return 3 + 1.2 * np.sin(0.9 * x) + 0.6 * np.cos(2.1 * x + 0.5)


def fig8_protocol(net, dt=5e-5, T_end=0.25, t_pert=0.125, I_I=1.0, rng=None):
    """x = 0 for 5 ms then 1; current I_I into all I cells from t_pert (None: no perturbation)."""
    n_on = int(round(0.005 / dt))
    if t_pert is None:
        x = np.ones(int(round(T_end / dt)) + 1)
        x[:n_on + 1] = 0.0
        return net.run(x, dt, rng=rng)
    n1 = int(round(t_pert / dt))
    x1 = np.ones(n1 + 1)
    x1[:n_on + 1] = 0.0
    r1 = net.run(x1, dt, rng=rng)
    I = np.r_[np.zeros(net.ne), np.full(net.ni, I_I)]
    r2 = net.run(np.ones(int(round((T_end - t_pert) / dt)) + 1), dt, I_inj=I, rng=rng)
    return eb.concat_runs([r1, r2])


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    rng = np.random.default_rng(seed)

    # T2.1 tangent construction
    anchors = np.linspace(-1, 1, 50)
    E, F, T = eb.tangent_neurons(_quad, _dquad, anchors)
    xs = np.linspace(-1.5, 1.5, 31)
    tang = eb.boundary_lines(E, F, T, xs)
    exact = _quad(anchors)[:, None] + _dquad(anchors)[:, None] * (xs[None, :] - anchors[:, None])
    res.check("T2.1 tangent lines: max |line - tangent|", float(np.abs(tang - exact).max()), 1e-12, kind="lt",
              source="closed form f(x_i) + f'(x_i)(x - x_i)")

    # T2.2 inhibitory boundary tracking (Fig. 6 settings, noiseless)
    dt = 1e-4
    t, x = eb.ramp_protocol(dt)
    net = eb.inhibitory_boundary_network(_quad, _dquad, anchors, D=-0.1)
    run1 = net.run(x, dt)
    m = run1.t >= 0.05
    env = eb.lower_envelope(E, F, T, run1.x[m, 0])
    y = run1.y[m, 0]
    res.check("T2.2 max(y - envelope)", float(np.max(y - env)), 0.06, kind="lt", source="notes T2.2 [est] 0.047")
    res.check("T2.2 mean(envelope - y)", float(np.mean(env - y)), (0.02, 0.06), kind="range",
              source="notes T2.2: about |D|/2 [est 0.037]")
    res.check("T2.2 mean |y - f|", float(np.mean(np.abs(y - _quad(run1.x[m, 0])))), 0.06, kind="lt",
              source="notes T2.2 [est 0.040]")

    # T2.3 noise suppression
    errs = []
    for s in (45, 55):
        netn = eb.inhibitory_boundary_network(_quad, _dquad, anchors, D=-0.1, mu=0.02, sigma=0.02)
        rn = netn.run(x, dt, rng=s)
        errs.append(float(np.mean(np.abs(rn.y[m, 0] - _quad(rn.x[m, 0])))))
    res.check("T2.3 noisy (mu = sigma_v = 0.02) mean |y - f|, worst of seeds 45/55", max(errs), 0.06, kind="lt",
              source="notes T2.3 [est 0.039-0.041]")

    # T2.4 E-I fixed point and paradoxical response (Fig. 8)
    ideal_b = eb.ei_fixed_point(1.25, 1.0, 1.0, 0.0, 2.0, 1.0, 1.0, 1.5, 1.0)
    ideal_a = eb.ei_fixed_point(1.25, 1.0, 1.0, 0.0, 2.0, 1.0, 1.0, 1.5, 1.0, I_I=1.0)
    res.check("ideal intersection y_E before", ideal_b[0], 2.0, 1e-12, source="derived (2, 3.5)")
    res.check("ideal intersection y_E after I_I = +1", ideal_a[0], 2 / 3, 1e-12, source="derived (0.667, 1.833)")
    n_seeds = 2 if quick else 3
    before, after = [], []
    for s in range(n_seeds):
        r8 = fig8_protocol(eb.fig8_network(), rng=seed + s)
        before.append(r8.y[r8.window(0.075, 0.125)].mean(0))
        after.append(r8.y[r8.window(0.175)].mean(0))
        if s == 0:
            run8 = r8
    before, after = np.mean(before, 0), np.mean(after, 0)
    res.check("T2.4 y_E before", before[0], 1.9, 0.12, source="authors' Fig. 8 script reference 1.9 [code]")
    res.check("T2.4 y_I before", before[1], 3.35, 0.2, source="authors' Fig. 8 script reference 3.35 [code]")
    res.check("T2.4 y_E after I_I = +1", after[0], 0.71, 0.12, source="authors' reference 0.71 [code]")
    res.check("T2.4 y_I after I_I = +1", after[1], 2.1, 0.2, source="authors' reference 2.1 [code]")
    res.check("T2.4 paradoxical: change of y_I under extra I drive", after[1] - before[1], 0.0, kind="lt",
              source="inhibition-stabilised intersection: y_I decreases")

    # T2.5 balance and irregularity (no perturbation)
    net8 = eb.fig8_network()
    r5 = fig8_protocol(net8, t_pert=None, rng=seed + 10)
    w = r5.window(0.075)
    exc, inh = net8.inputs_to_E(r5)
    e, i = exc[w, 0], inh[w, 0]
    sel = r5.spike_times >= 0.075
    cv = eb.isi_cv(r5.spike_times[sel], r5.spike_ids[sel], range(net8.ne), min_spikes=3)
    res.check("T2.5 net input to E (mean)", abs(float(np.mean(e + i))), 0.1, kind="lt",
              source="balance: notes T2.5 [est -0.01]")
    res.check("T2.5 corr(exc, inh input)", float(np.corrcoef(e, i)[0, 1]), -0.7, kind="lt",
              source="notes T2.5 [est -0.85]")
    res.check("T2.5 ISI CV of E neurons", cv, (0.3, 0.6), kind="range", source="notes T2.5 [est 0.42-0.44]")
    res.data["exc_input_mean"] = float(e.mean())

    # T2.6 decoder mistuning
    trials = 8 if quick else 30
    mse = {}
    angle = {}
    for sd in (0.0, 0.25):
        ms, an = [], []
        for _ in range(trials):
            Ds = [np.clip(c * (1 + sd * rng.standard_normal(50)), 0, None) for c in (0.075, 0.15, 0.15, 0.075)]
            netm = eb.fig8_network(D_E=Ds[0], D_I=Ds[1], D_EI=Ds[2], D_IE=Ds[3])
            rm = fig8_protocol(netm, T_end=0.15, t_pert=None, rng=rng)
            ms.append(float(np.mean((rm.y[rm.window(0.075)] - np.array([1.9, 3.35])) ** 2)))
            if sd > 0:
                an.append(0.5 * (eb.decoder_angle(Ds[0], Ds[3]) + eb.decoder_angle(Ds[1], Ds[2])))
        mse[sd], angle[sd] = np.array(ms), np.array(an)
    res.check("T2.6 median MSE at sigma_D = 0.25", float(np.median(mse[0.25])), (0.08, 0.35), kind="range",
              source="authors' sweep data: median 0.163 [code-data]")
    res.check("T2.6 MSE(0.25) / MSE(0)", float(np.mean(mse[0.25]) / np.mean(mse[0.0])), 5.0, kind="gt",
              source="authors' sweep data: 0.225 / 0.011 [code-data]")
    res.check("T2.6 mean decoder angle at sigma_D = 0.25", float(np.mean(angle[0.25])), 19.6, 2.0, unit="deg",
              source="authors' sweep data 19.6 deg [code-data]; acos(1/(1+0.25^2)) = 19.7 deg [derived]")

    # T2.7 DC function approximation, Fig. 5 (3 E + 3 I)
    des = eb.fig5_design()
    net5 = eb.design_ei_network(des, [0, 5, 10], [0, 5, 10], 0.75 * np.array([1.05, 1.075, 1.025]),
                                0.75 * np.array([0.9, 1.5, 2.5]))
    dt5 = 5e-5
    t5 = dt5 * np.arange(int(round(0.25 / dt5)) + 1)
    x5 = -2.5 + 12.5 * t5 / 0.25
    r7 = net5.run(x5, dt5)
    m7 = (r7.t >= 0.05) & (r7.x[:, 0] >= 0.3)
    tg = des.target(r7.x[m7, 0])
    res.check("T2.7 Fig. 5 RMSE of y_E vs the zig-zag target", float(np.sqrt(np.mean((r7.y[m7, 0] - tg) ** 2))), 0.5,
              kind="lt", source="notes T2.7 [est 0.33]")
    res.check("T2.7 Fig. 5 correlation", float(np.corrcoef(r7.y[m7, 0], tg)[0, 1]), 0.9, kind="gt",
              source="notes T2.7 [est 0.95]")

    # an arbitrary smooth mapping: DC split + 50 E + 50 I neurons (tutorial settings)
    xg = np.linspace(-3, 10.5, 2701)
    BE, BI = eb.dc_decompose(smooth_target, xg, gE=0.25)
    interp = lambda B: (lambda z: np.interp(z, xg, B))
    dinterp = lambda B: (lambda z: np.interp(z, xg, np.gradient(B, xg)))
    desg = eb.EIBoundaryDesign(interp(BE), dinterp(BE), interp(BI), dinterp(BI), gE=1.0, gI=2.0)
    anc = np.linspace(-2.5, 10, 50)
    netg = eb.design_ei_network(desg, anc, anc, np.full(50, 0.5), np.full(50, 1.0), mu=0.01, sigma=0.01)
    rg = netg.run(x5, dt5, rng=seed)
    mg = (rg.t >= 0.05) & (rg.x[:, 0] >= 0.3)
    tgg = smooth_target(rg.x[mg, 0])
    res.check("DC split: max |B_E - B_I - f|", float(np.abs(BE - BI - smooth_target(xg)).max()), 1e-3, kind="lt",
              source="construction (curvature threshold 1e-4)")
    res.check("smooth target, 50E+50I: RMSE", float(np.sqrt(np.mean((rg.y[mg, 0] - tgg) ** 2))), 0.4, kind="lt",
              source="decoder jump D_E = 0.5 bounds the error (about D_E/2)")
    res.check("smooth target, 50E+50I: correlation", float(np.corrcoef(rg.y[mg, 0], tgg)[0, 1]), 0.95, kind="gt",
              source="universal DC approximation claim [text]")

    # figure
    fig, axs = plt.subplots(2, 3, figsize=(14, 8))
    xx = np.linspace(-1, 1, 200)
    gp.plot_boundaries_1d(axs[0, 0], E, F, T, xx, run=run1, target=_quad)
    axs[0, 0].set_title("inhibitory boundary (N = 50, D = -0.1)")
    axs[0, 0].legend(fontsize=7, loc="lower center")
    gp.plot_ei_plane(axs[0, 1], net8, 1.0, run=r5, fixed_point=ideal_b)
    gp.plot_ei_plane(axs[0, 1], net8, 1.0, fixed_point=ideal_a, I_inj=np.r_[np.zeros(50), np.ones(50)],
                     yE=np.linspace(0, 3, 50))
    axs[0, 1].set_xlim(0, 3)
    axs[0, 1].set_ylim(0, 5)
    axs[0, 1].set_title("E-I plane, Fig. 8 network (x = 1, then I_I = +1)")
    ax = axs[0, 2]
    ax.plot(1e3 * run8.t, run8.y[:, 0], color="tab:red", lw=0.7, label="$y_E$")
    ax.plot(1e3 * run8.t, run8.y[:, 1], color="tab:blue", lw=0.7, label="$|y_I|$")
    for val in (1.9, 3.35):
        ax.hlines(val, 75, 125, color="k", lw=0.8)
    for val in (0.71, 2.1):
        ax.hlines(val, 175, 250, color="k", lw=0.8)
    ax.axvline(125, ls=":", color="0.5")
    ax.set_xlabel("time (ms)")
    ax.set_title("paradoxical response (black: authors' reference means)")
    ax.legend(fontsize=7)
    gp.plot_raster(axs[1, 0], r5.spike_times, r5.spike_ids, split=net8.ne)
    axs[1, 0].set_title(f"balanced irregular regime, E ISI CV = {cv:.2f}")
    ax = axs[1, 1]
    ax.plot(r7.x[:, 0], r7.y[:, 0], color="tab:red", lw=0.8, label="network $y_E$")
    xq = np.linspace(-2.5, 10, 300)
    ax.plot(xq, des.target(xq), "k--", lw=1, label="$(q - p + 1.55)/0.6$")
    ax.set_xlabel("input x")
    ax.set_title("Fig. 5: 3 E + 3 I neurons, difference of convex")
    ax.legend(fontsize=7)
    ax = axs[1, 2]
    ax.plot(rg.x[:, 0], rg.y[:, 0], color="tab:red", lw=0.6, label="network $y_E$")
    ax.plot(xq, smooth_target(xq), "k--", lw=1, label="target")
    ax.set_xlabel("input x")
    ax.set_title("arbitrary smooth mapping, 50 E + 50 I")
    ax.legend(fontsize=7)
    fig.tight_layout()
    res.savefig(fig, out_dir, f"{NAME}.png")
    return res
