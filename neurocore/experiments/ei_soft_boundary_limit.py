"""The soft-boundary limit: a sigmoidal rate network that becomes the spiking boundary as its gain
grows (Podlaski & Machens 2024, Figs. 10-11; check T2.8 of notes seed000_machens.md).

The rate network (``run_rate_net``) dV/dt = lam (-V + F x + W r), r = 1/(1 + e^{-beta (V - T)}),
y = D r, uses the same E, F, T, D as the spiking inhibitory population of Fig. 6 (N = 50 tangents of
f = -x^2 - 0.5, D = -0.5). As beta grows, mean |y - f| falls towards the hard boundary; the spiking
network with the same parameters sits within about one decoder jump below the envelope. The E-I
version (Fig. 11) keeps the Fig. 8 intersection at large beta.
"""
import numpy as np

from ..spiking import ei_boundary as eb
from ._base import ExperimentResult

NAME = "ei_soft_boundary_limit"
TITLE = "Soft-boundary limit: sigmoidal rate networks approach the spiking latent boundary"
PAPER = "Podlaski & Machens, Neural Computation 36:803 (2024), arXiv 2307.09334"

#: mean |y - f| of the notes' re-implementation [est], notes T2.8
NOTES_ERR = {5: 0.37, 10: 0.17, 50: 0.021, 200: 0.003}


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    f = lambda x: -np.asarray(x) ** 2 - 0.5
    df = lambda x: -2 * np.asarray(x)
    anchors = np.linspace(-1, 1, 50)
    E, F, T = eb.tangent_neurons(f, df, anchors)
    dt = 1e-4
    t, x = eb.ramp_protocol(dt, T_end=0.3 if quick else 1.05)
    m = t[1:] >= 0.05
    betas = [5, 10, 50, 200] if quick else [2, 5, 10, 20, 50, 100, 200]
    errs, ys = [], {}
    for b in betas:
        y, _ = eb.rate_network_run(E[:, None], F[:, None], T, np.full((1, 50), -0.5), x, dt, b)
        ys[b] = y[:, 0]
        errs.append(float(np.mean(np.abs(y[m, 0] - f(x[1:][m])))))
    res.check("T2.8 mean|y - f| decreases monotonically with beta", float(np.all(np.diff(errs) < 0)), 1.0, 0.0,
              source="soft boundary -> hard boundary [text]")
    res.check("T2.8 mean |y - f| at beta = 50", errs[betas.index(50)], 0.03, kind="lt", source="notes T2.8 [est 0.021]")
    for b in (5, 200):
        res.check(f"mean |y - f| at beta = {b}", errs[betas.index(b)], NOTES_ERR[b], 0.3 * NOTES_ERR[b] + 0.002,
                  source=f"notes T2.8 [est {NOTES_ERR[b]}]")
    # the spiking network with the same decoders
    net = eb.inhibitory_boundary_network(f, df, anchors, D=-0.5)
    rs = net.run(x, dt)
    env = eb.lower_envelope(E, F, T, rs.x[m, 0])
    gap = float(np.mean(env - rs.y[m, 0]))
    res.check("spiking (D = -0.5): mean(envelope - y)", gap, (0.1, 0.4), kind="range",
              source="about |D|/2 below the hard boundary [derived]")
    # E-I rate network at the Fig. 8 parameters: the intersection (2, 3.5) at large beta
    net8 = eb.fig8_network(sigma=0.0, mu=0.0)
    xe = np.ones(int(0.1 / 5e-5) + 1)
    yr = eb.ei_rate_network_run(net8, xe, 5e-5, 50.0)
    res.check("E-I rate net (beta = 50): y_E at t = 100 ms", float(yr[-1, 0]), 2.0, 0.15,
              source="ideal intersection (2, 3.5) [derived]")
    res.check("E-I rate net (beta = 50): y_I at t = 100 ms", float(yr[-1, 1]), 3.5, 0.25,
              source="ideal intersection (2, 3.5) [derived]")
    res.data["betas"], res.data["errors"] = betas, errs

    fig, axs = plt.subplots(1, 2, figsize=(11, 4))
    ax = axs[0]
    xx = x[1:]
    ax.plot(xx[m], f(xx[m]), "k--", lw=1, label="f(x)")
    ax.plot(rs.x[m, 0], rs.y[m, 0], color="0.6", lw=0.6, label="spiking, D = -0.5")
    for b in (betas[0], 10, 50, 200):
        if b in ys:
            ax.plot(xx[m], ys[b][m], lw=1, label=f"rate, beta = {b}")
    ax.set_xlabel("input x")
    ax.set_ylabel("latent y")
    ax.legend(fontsize=7)
    ax.set_title("soft boundaries approach the hard one")
    ax = axs[1]
    ax.loglog(betas, errs, "o-", label="this implementation")
    ax.loglog(list(NOTES_ERR), list(NOTES_ERR.values()), "ks", mfc="none", label="notes [est]")
    ax.set_xlabel("gain beta")
    ax.set_ylabel("mean |y - f|")
    ax.legend(fontsize=7)
    fig.tight_layout()
    res.savefig(fig, out_dir, f"{NAME}.png")
    return res
