"""Write the teaching notebooks of neurocore (one per model family), without outputs.

Run from anywhere: ``python notebooks/_build_notebooks.py``. The notebooks are generated from the
cell lists below so that they stay reviewable as plain text and are stored without outputs;
``tests/test_notebooks.py`` executes every ``notebooks/*.ipynb`` (each must finish in well under a
minute on a laptop). Edit the cells here, not the .ipynb files.
"""
import os

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = os.path.dirname(os.path.abspath(__file__))

SETUP = """\
import numpy as np
import matplotlib.pyplot as plt
%matplotlib inline
plt.rcParams["figure.dpi"] = 90"""


def md(text):
    return ("md", text)


def code(text):
    return ("code", text)


# ----------------------------------------------------------------------------------------------
RATE = [
    md(r"""# Random rate networks and the transition to chaos

*Model family:* `neurocore.rate` · *Paper:* H. Sompolinsky, A. Crisanti & H.-J. Sommers,
"Chaos in random neural networks", PRL 61, 259 (1988). *Reproduction:* `neurocore reproduce scs_transition`.

A network of $N$ rate units with state $x_i(t)$ (a "synaptic current") obeys

$$\tau \frac{dx_i}{dt} = -x_i + \sum_{j=1}^N J_{ij}\,\phi(x_j), \qquad J_{ij} \sim \mathcal N\!\left(0, \frac{g^2}{N}\right), \qquad \phi = \tanh .$$

The single parameter $g$ sets the strength of the random coupling. The origin $x = 0$ is always a
fixed point; its Jacobian is $-1 + J$, and by the circular law the eigenvalues of $J$ fill a disk
of radius $g$. For $g < 1$ every perturbation decays (rate $\approx 1 - g$), for $g > 1$ the
origin is unstable and, for large $N$, the network is **chaotic**: the activity fluctuates forever
and nearby trajectories separate at the rate of the largest Lyapunov exponent $\lambda_1 > 0$.

Dynamic mean-field theory (DMFT) replaces the recurrent input by a Gaussian process whose
autocorrelation is determined self-consistently. It predicts the stationary variance
$\Delta_0 = \langle x_i^2 \rangle$ (zero for $g < 1$) and $\lambda_1(g)$. This notebook measures
both in simulated networks and compares them with the DMFT numbers stored in neurocore.

Time is in units of $\tau$ throughout; everything below runs in a few seconds."""),
    code(SETUP + """
import neurocore.rate as nr
from neurocore.experiments.rate_sweep import DMFT_DELTA0, DMFT_LAMBDA1   # DMFT values (notes A.4)"""),
    md(r"""## 1. The spectrum of $J$: the circular law

The eigenvalues of $J$ are spread uniformly over a disk of radius $g$. The fixed point $x=0$ is
stable while all eigenvalues of $J - 1$ have negative real part, i.e. while $g < 1$."""),
    code("""fig, axes = plt.subplots(1, 2, figsize=(8, 4))
for ax, g in zip(axes, [0.8, 1.5]):
    J = nr.random_coupling(500, g, rng=0)
    ev = np.linalg.eigvals(J)
    ax.plot(ev.real, ev.imag, ".", ms=2)
    th = np.linspace(0, 2 * np.pi, 200)
    ax.plot(g * np.cos(th), g * np.sin(th), "k--", lw=0.8, label="radius g")
    ax.axvline(1, color="C3", lw=1, label="Re = 1 (instability)")
    ax.set_aspect("equal"); ax.set_title(f"eigenvalues of J, g = {g}")
    ax.set_xlabel("Re"); ax.set_ylabel("Im")
axes[0].legend(fontsize=7, loc="lower left")
plt.tight_layout()"""),
    md(r"""## 2. Activity below and above the transition

`RateNetwork(n, g, rng=seed)` draws $J$ and a random initial state; `run` integrates in C (Euler
or RK4) and returns a `RateTrajectory` with times `t` and states `x` (shape: time x units)."""),
    code("""fig, axes = plt.subplots(1, 3, figsize=(11, 3), sharey=True)
for ax, g in zip(axes, [0.8, 1.5, 3.0]):
    net = nr.RateNetwork(400, g=g, rng=1)
    traj = net.run(duration=60.0, dt=0.1, record_every=2)
    ax.plot(traj.t, traj.x[:, :5])
    ax.set_title(f"g = {g}"); ax.set_xlabel("time (tau)")
axes[0].set_ylabel("x_i(t)")
plt.tight_layout()"""),
    md(r"""## 3. Variance $\Delta_0(g)$: simulation against DMFT

After a transient we average $x_i(t)^2$ over units and time. Finite networks ($N = 400$) fluctuate
around the DMFT curve; near $g = 1$ the approach to the thermodynamic limit is slow."""),
    code("""gs = [0.5, 0.8, 1.25, 1.5, 2.0, 2.5, 3.0]
var = []
for g in gs:
    net = nr.RateNetwork(400, g=g, rng=1)
    net.run(50.0, dt=0.1, record_every=500)                 # transient, keep the end state
    x = net.run(200.0, dt=0.1, record_every=5).x[1:]
    var.append(np.mean(x ** 2))
plt.figure(figsize=(4.5, 3.3))
plt.plot(gs, var, "o-", label="simulation, N = 400")
plt.plot(list(DMFT_DELTA0), list(DMFT_DELTA0.values()), "s", color="C3", label="DMFT")
plt.xlabel("g"); plt.ylabel(r"$\\Delta_0 = \\langle x^2 \\rangle$"); plt.legend()
for g, v in zip(gs, var):
    print(f"g = {g:4}: simulated {v:.3f}   DMFT {DMFT_DELTA0.get(g, 0.0 if g < 1 else float('nan')):.3f}")"""),
    md(r"""## 4. The largest Lyapunov exponent

`lyapunov` evolves tangent vectors with the Jacobian of the Euler map and re-orthonormalises them
(QR) every few steps. Below $g = 1$ the exponent is the decay rate of the origin, $\approx g - 1$;
above it, it is positive and approaches the DMFT value as $N$ grows. Between 1 and about 1.3
finite networks often settle on fixed points or limit cycles instead (a finite-size effect), so
the measured exponent can be $\le 0$ there."""),
    code("""gs = [0.5, 0.8, 0.95, 1.25, 1.5, 2.0, 2.5, 3.0]
lam = []
for g in gs:
    net = nr.RateNetwork(400, g=g, rng=2)
    lam.append(net.lyapunov(duration=200.0, dt=0.1, k=1, transient=50.0, rng=3).exponents[0])
plt.figure(figsize=(4.5, 3.3))
plt.plot(gs, lam, "o-", label="simulation, N = 400")
gl = np.linspace(0.4, 1.0, 5)
plt.plot(gl, gl - 1, "--", color="C2", label="g - 1 (linear stability of x = 0)")
plt.plot(list(DMFT_LAMBDA1), list(DMFT_LAMBDA1.values()), "s", color="C3", label="DMFT")
plt.axhline(0, color="k", lw=0.6)
plt.xlabel("g"); plt.ylabel(r"$\\lambda_1$ (1/$\\tau$)"); plt.legend(fontsize=7)"""),
    md(r"""## 5. Sensitivity to initial conditions

Chaos means that two copies of the same network started $10^{-6}$ apart diverge exponentially,
at rate $\lambda_1$, until the distance saturates."""),
    code("""net = nr.RateNetwork(400, g=2.0, rng=4)
net.run(50.0, dt=0.1)
x0 = net.x.copy()
a = nr.integrate_rate_network(net.J, x0, 80.0, 0.1)
b = nr.integrate_rate_network(net.J, x0 + 1e-6 * np.random.default_rng(5).standard_normal(400), 80.0, 0.1)
d = np.linalg.norm(a.x - b.x, axis=1)
plt.figure(figsize=(4.5, 3.3))
plt.semilogy(a.t, d, label="|x_a - x_b|")
plt.semilogy(a.t, d[0] * np.exp(DMFT_LAMBDA1[2.0] * a.t), "--", label="DMFT rate 0.112 / tau")
plt.xlabel("time (tau)"); plt.legend()"""),
    md(r"""## Exercises

1. **Finite size.** Repeat section 4 for $N = 200, 400, 1000$ at $g = 1.5$ with three seeds each.
   How does the spread of $\lambda_1$ shrink with $N$?
2. **Other nonlinearities.** `RateNetwork(..., phi="relu")` with $g > 1$ explodes; why? Add a
   constant negative input `I=-1.0` and find a $g$ where the activity stays bounded.
3. **Spectrum.** Compute the first five exponents (`k=5`) at $g = 2$. Estimate the attractor
   dimension with the Kaplan-Yorke formula from a larger `k`.
4. **Integration step.** Compare `method="euler"` with `method="rk4"` for $\Delta_0$ at $g = 2$ and
   `dt = 0.2, 0.1, 0.05`. Which quantity converges faster?
5. **Noise.** `run(..., noise=0.3)` adds white noise. Does noise raise or lower the variance at
   $g = 0.8$? Compare with the linear prediction for an Ornstein-Uhlenbeck process."""),
]

# ----------------------------------------------------------------------------------------------
SPIKING = [
    md(r"""# The spiking engine: LIF networks, escape noise and spike coding

*Model family:* `neurocore.spiking` · *Papers:* R. Brette et al., J. Comput. Neurosci. 23, 349 (2007)
(benchmarks 1 and 2, after T. Vogels & L. Abbott, J. Neurosci. 25, 10786, 2005); M. Boerlin,
C. Machens & S. Denève, PLoS Comput. Biol. 9, e1003258 (2013). *Reproductions:* `neurocore reproduce cuba`, `coba`.

**Leaky integrate-and-fire (LIF).** Each neuron's membrane potential obeys

$$\tau_m \frac{dV}{dt} = -(V - E_L) + \sum_c g_c(t) \;(+\,I_{\rm ext}), \qquad \tau_c \frac{dg_c}{dt} = -g_c + \tau_c \sum_{\rm spikes} w\,\delta(t - t_k - d),$$

for current-based (CUBA) synapses; in conductance-based (COBA) models the synaptic term is
$g_c (E_c - V)$. When $V$ crosses $V_{\rm th}$ the neuron spikes, is reset to $V_{\rm reset}$ and
stays refractory for $t_{\rm ref}$. Units are ms and mV; rates are in Hz. Connectivity is stored as
CSR arrays (`bernoulli_graph`, `fixed_indegree_graph`, `from_dense`) and spikes are propagated
event by event in C.

**Escape noise.** In GLM / spike-response models a neuron with potential $u$ fires in a bin of
width $\Delta t$ with probability $p = 1 - e^{-\Delta t\, \rho(u)}$.

**Spike coding.** A spike-coding network tracks a signal $x(t)$ with a readout $\hat x = D r$ of
filtered spike trains $r$; neuron $i$ fires when its voltage $V_i = D_i^\top(x - \hat x)$ exceeds
$\|D_i\|^2/2$, i.e. exactly when its spike lowers the coding error."""),
    code(SETUP + """
import neurocore.spiking as ns"""),
    md(r"""## 1. One neuron: the f-I curve against theory

A constant input holds $V$ at $V_\infty = E_L + I_{\rm ext}$. If $V_\infty > V_{\rm th}$ the neuron
fires periodically with interspike interval
$T = t_{\rm ref} + \tau_m \ln\frac{V_\infty - V_{\rm reset}}{V_\infty - V_{\rm th}}$.
We simulate 60 unconnected neurons with different inputs in one population (every parameter may
be an array)."""),
    code("""i_ext = np.linspace(0.0, 30.0, 60)                       # mV above E_L
net = ns.LIFNetwork("cuba")
net.add_population("P", 60, tau_m=20.0, v_th=-50.0, v_reset=-60.0, e_l=-60.0, t_ref=2.0, i_ext=i_ext)
out = net.run(2000.0, dt=0.1)
v_inf = -60.0 + i_ext
with np.errstate(divide="ignore", invalid="ignore"):
    T = 2.0 + 20.0 * np.log((v_inf + 60.0) / (v_inf + 50.0))
theory = np.where(v_inf > -50.0, 1000.0 / T, 0.0)
plt.figure(figsize=(4.5, 3.3))
plt.plot(i_ext, out.rates(), "o", ms=3, label="simulation (exact integration, dt = 0.1 ms)")
plt.plot(i_ext, theory, "k-", lw=1, label="theory")
plt.xlabel("I_ext (mV)"); plt.ylabel("rate (Hz)"); plt.legend(fontsize=7)"""),
    md(r"""## 2. The CUBA benchmark network

3200 excitatory and 800 inhibitory neurons, connection probability 2 %, exponential current
synapses ($\tau_e = 5$ ms, $\tau_i = 10$ ms). The activity sustains itself in an asynchronous
irregular state (Brette et al. 2007). `neurocore.experiments.cuba.build_network` assembles exactly
the benchmark; here is the same thing written out."""),
    code("""rng = np.random.default_rng(0)
net = ns.LIFNetwork("cuba", tau_syn={"e": 5.0, "i": 10.0}, method="exact")
kw = dict(tau_m=20.0, v_th=-50.0, v_reset=-60.0, e_l=-49.0, t_ref=5.0)
E = net.add_population("E", 3200, sign=+1, **kw)
I = net.add_population("I", 800, sign=-1, **kw)
net.connect(E, net, "e", ns.bernoulli_graph(3200, 4000, 0.02, rng=rng), weight=1.62)
net.connect(I, net, "i", ns.bernoulli_graph(800, 4000, 0.02, rng=rng), weight=-9.0)
net.v = -60.0 + 10.0 * rng.random(4000)
print(net.n_synapses, "synapses")
out = net.run(500.0, dt=0.1, rng=0)
print(f"mean rate {out.mean_rate():.2f} Hz (E {out.mean_rate('E'):.2f}, I {out.mean_rate('I'):.2f})")"""),
    code("""fig, axes = plt.subplots(3, 1, figsize=(7, 6), gridspec_kw={"height_ratios": [3, 1, 1.2]})
out.raster(ax=axes[0], max_neurons=800)
axes[0].set_title("CUBA network: first 800 neurons")
t, r = out.population_rate()
axes[1].plot(t, r, lw=0.6, color="k"); axes[1].set_ylabel("rate (Hz)")
cv = out.cv_isi()
axes[2].hist(cv[np.isfinite(cv)], bins=30, color="0.5"); axes[2].set_xlabel("CV of ISIs")
plt.tight_layout()
print(f"mean CV of ISIs {np.nanmean(cv):.2f} (a short run: long ISIs are cut off)")"""),
    md(r"""## 3. Escape noise: a renewal neuron

With a refractory kernel $\eta_k$ that depends only on the time since the last spike, the neuron is
a renewal process and its rate is $1/\mathbb E[\text{ISI}]$ (`renewal_rate`). The simulator and
that formula share one discretisation, so they agree to sampling error."""),
    code("""eta = -5.0 * np.exp(-np.arange(1, 40) / 10.0)            # relative refractoriness, 1 ms bins
u0s = np.linspace(-4.0, -1.0, 7)
sim, th = [], []
for u0 in u0s:
    nrn = ns.EscapeNoiseNetwork(200, u0=u0, self_kernel=eta, self_mode="last")
    run = nrn.simulate(5000, dt=1.0, rng=1)
    sim.append(run.spikes.mean_rate() / 1000.0)           # spikes per ms: mean_rate is in Hz
    th.append(ns.renewal_rate(u0, 1.0, eta))
plt.figure(figsize=(4.5, 3.3))
plt.plot(u0s, sim, "o", label="simulation (200 neurons x 5 s)")
plt.plot(u0s, th, "k-", label="renewal theory")
plt.xlabel("baseline potential u0"); plt.ylabel("rate (spikes / ms)"); plt.legend()"""),
    md(r"""## 4. A spike-coding network tracks a signal

$N = 40$ neurons with random decoders code a two-dimensional signal. With the default
$F = D^\top$, $\Omega = D^\top D$ and thresholds $\|D_i\|^2/2$, every spike lowers the coding error.
Time is in seconds ($\lambda = 100$/s)."""),
    code("""rng = np.random.default_rng(2)
D = rng.standard_normal((2, 40)); D *= 0.1 / np.linalg.norm(D, axis=0)
scn = ns.SpikeCodingNetwork(D, lam=100.0)
dt = 1e-4
t = np.arange(0, 1.0 + dt / 2, dt)
x = np.stack([np.sin(2 * np.pi * 2 * t), np.cos(2 * np.pi * 3 * t)], axis=1)
res = scn.run(x, dt)
fig, axes = plt.subplots(2, 1, figsize=(7, 4.5), sharex=True)
axes[0].plot(res.t, res.x, "k", lw=1); axes[0].plot(res.t, res.x_hat, lw=0.8)
axes[0].set_ylabel("x (black), x_hat")
axes[1].scatter(res.spike_times, res.spike_ids, s=1, color="k"); axes[1].set_ylabel("neuron")
axes[1].set_xlabel("time (s)")
print(f"RMS error {np.sqrt(np.mean(res.error() ** 2)):.3f}; max decoder norm 0.1; "
      f"{res.spike_ids.size / 40 / 1.0:.1f} spikes/s per neuron")"""),
    md(r"""## Exercises

1. In section 1, add noise with `net.add_poisson_input(rate=1000.0, weight=0.5, target="v")`. How
   does the f-I curve change below threshold?
2. Scale the CUBA network down to 1000 neurons keeping $p\,N\,w$ fixed. Does the self-sustained
   state survive? (Watch the population rate at the end of the run.)
3. Build the COBA network (`LIFNetwork("coba", e_rev={"e": 0.0, "i": -80.0})`, weights 0.6 and
   6.7 nS-equivalents, `e_l=-60`); compare CV and rate with `neurocore reproduce coba --quick`.
4. In section 4 halve the decoder norm. How do the error and the spike count change? Why does
   the error scale with the decoder norm?
5. Add voltage noise `SpikeCodingNetwork(D, sigma=...)`. At what noise level does tracking break down?"""),
]

# ----------------------------------------------------------------------------------------------
PLASTICITY = [
    md(r"""# Synaptic plasticity rules

*Model family:* `neurocore.plasticity` · *Papers:* C. Brito & W. Gerstner, PLoS Comput. Biol. 20,
e1011844 (2024) (correlation-invariant learning); Meissner-Bernard et al., Front. Synaptic
Neurosci. 12, 585539 (2020) (voltage rule at the synapse location). *Reproductions:*
`neurocore reproduce correlation_invariance`, `dendritic_location_plasticity`.

All rate-based rules in neurocore are one C engine. With presynaptic activity $x_j$, postsynaptic
activity $y_i$, a third factor $m_i$ and $f(y) = \mathrm{sign}(y)|y|^p$, each rule is

$$h_{ij} = a_i x_j - b_i W_{ij}, \qquad W_{ij} \leftarrow W_{ij} + \eta\, m_i\, h_{ij},$$

with coefficients $a_i, b_i$ from one table: Hebb ($a = f(y)$), Oja ($a = f(y)$, $b = y f(y)$),
BCM ($a = y(y - \theta)$), covariance, heterosynaptic, subtractive normalisation, three-factor
(through an eligibility trace) and the correlation-invariant rule of Brito & Gerstner,

$$\Delta w_j = \eta\, x_j\,\big(f(y) - \lambda\, y\big), \qquad \lambda = c\, m^q,\quad m \leftarrow m + (\langle y^2\rangle - m)/\tau_{\rm meta},$$

whose nonlinear Hebbian LTP is balanced by a *metaplastic* linear LTD. Its fixed points do not
depend on the second-order correlations of the input, so it finds a hidden non-Gaussian feature
without whitening, where Oja's rule just finds the principal component."""),
    code(SETUP + """
import neurocore.plasticity as pl
from neurocore.experiments.correlation_invariance import n_steps_for
from IPython.display import Markdown
Markdown(pl.rules_table())"""),
    md(r"""## 1. Oja's rule finds the first principal component

We stream 2-D correlated inputs through `update` (in place, in C). The weight vector converges to
the leading eigenvector of the input covariance, with unit norm."""),
    code("""rng = np.random.default_rng(0)
C = np.array([[3.0, 1.2], [1.2, 1.0]])
X = rng.multivariate_normal([0, 0], C, size=20000)
W = 0.1 * rng.standard_normal((1, 2))
path = []
for x in X:
    y = W @ x
    pl.update(W, pre=x, post=y, rule="oja", eta=2e-3)
    path.append(W[0].copy())
path = np.array(path)
evals, evecs = np.linalg.eigh(C)
pc1 = evecs[:, -1] * np.sign(evecs[0, -1] * W[0, 0])
print("learned w:", W[0], " |w| =", np.linalg.norm(W), " PC1:", pc1)
fig, ax = plt.subplots(1, 2, figsize=(8, 3.4))
ax[0].plot(X[:2000, 0], X[:2000, 1], ".", ms=1, color="0.7")
ax[0].plot(path[:, 0], path[:, 1], "C0"); ax[0].arrow(0, 0, *pc1, color="C3", width=0.03)
ax[0].set_aspect("equal"); ax[0].set_title("w(t) (blue) and PC1 (red)")
ax[1].plot(np.abs(path @ pc1) / np.linalg.norm(path, axis=1)); ax[1].set_xlabel("sample")
ax[1].set_ylabel("|cos(w, PC1)|")
plt.tight_layout()"""),
    md(r"""## 2. Correlation invariance (Brito & Gerstner)

Inputs $x = A s$ mix one Laplace-distributed feature $s_1$ with seven Gaussian ones; the mixing
matrix $A$ has condition number $\kappa$. We train a single neuron $y = w\cdot x$ with three rules
and measure the alignment $|\cos(A^\top w, e_1)|$ with the hidden feature. At $\kappa = 1$ (white
input) the nonlinear rules find it; as $\kappa$ grows only the correlation-invariant rule still
does, while Oja's rule (and, for strong correlations, the heterosynaptic rule) drift to the
principal component. (`HebbianLearner` runs the mini-batch loop in C; this takes a few seconds.)"""),
    code("""rules = {
    "correlation-invariant": dict(rule="correlation_invariant", tau_meta=1.0),
    "heterosynaptic (nonlinear Oja, p = 3)": dict(rule="oja", power=3.0, normalize=True),
    "Oja": dict(rule="oja", power=1.0, normalize=True),
}
kappas = [1.0, 3.0, 10.0]
score = {name: [] for name in rules}
for kappa in kappas:
    X, A, _ = pl.latent_mixture(50000, kappa, rng=0)
    for name, kw in rules.items():
        L = pl.HebbianLearner(8, eta=0.02, batch=200, rng=1, **kw)
        L.fit(X, n_steps_for(kappa))              # 20000 + 60 kappa^2 updates: slow directions learn at eta/kappa^2
        score[name].append(pl.alignment(L.W, A))
for name, s in score.items():
    print(f"{name:38s}", "  ".join(f"kappa={k:g}: {a:.2f}" for k, a in zip(kappas, s)))
plt.figure(figsize=(5, 3.3))
for name, s in score.items():
    plt.plot(kappas, s, "o-", label=name)
plt.xscale("log"); plt.ylim(0, 1.05); plt.xlabel("condition number kappa"); plt.ylabel("alignment")
plt.legend(fontsize=7)"""),
    md(r"""The rule's stability is checked when a learner is built: if the metaplastic variable is
too slow for the weights, the constructor refuses and says which time constant to change."""),
    code("""try:
    pl.HebbianLearner(8, eta=0.5, tau_meta=50.0)
except ValueError as err:
    print("ValueError:", err)"""),
    md(r"""## 3. The voltage rule at the synapse location (Meissner-Bernard et al.)

The weight change is the product of a presynaptic glutamate trace and a two-threshold function
of the **local dendritic voltage** $u$: depression between $\theta_-$ and $\theta_+$, potentiation
above $\theta_+$. Because back-propagating action potentials attenuate along the dendrite, the
same pre-post pairing potentiates at proximal synapses and depresses (or does nothing) at distal
ones. Here we use the synthetic dendritic voltage harness; the experiment module sweeps distance,
frequency and timing."""),
    code("""pre, post = pl.pairing_protocol(n_pairs=5, frequency=50.0, delay=10.0)
distances = np.linspace(0, 400, 9)       # micrometres from the soma
dw = []
for d in distances:
    t, u = pl.synthetic_dendritic_voltage(d, pre, post, duration=300.0)
    out = pl.glutamate_voltage_rule(u, pre, dt=t[1] - t[0])
    dw.append(out.dw[0])
for d, w, c in zip(distances, dw, pl.classify(dw, w0=100.0)):   # percent of an initial weight of 100 a.u.
    print(f"{d:5.0f} um: dw = {w:7.2f}  {c}")
plt.figure(figsize=(4.5, 3.3))
plt.plot(distances, dw, "o-"); plt.axhline(0, color="k", lw=0.6)
plt.xlabel("distance from soma (um)"); plt.ylabel("total weight change (a.u.)")
plt.title("pre-post pairing, 50 Hz, post 10 ms after pre")"""),
    md(r"""## Exercises

1. Replace Oja by plain `"hebb"` in section 1. What happens to $|w|$? Add `bounds=(-1, 1)`.
2. Implement a BCM neuron with a sliding threshold $\theta = \langle y^2\rangle$ (pass `theta=`
   each step). Show that it becomes selective to one of two input patterns.
3. Extend section 2 to $\kappa = 30$ and 100 (more updates: the slow directions learn at
   $\eta/\kappa^2$). Does the correlation-invariant rule stay above 0.95?
4. Train the three-factor rule (`rule="three_factor"`, `eligibility=E`, `decay=...`) where the
   modulator is a delayed reward. How long may the delay be compared with the trace's time constant?
5. In section 3 change the pairing frequency to 5 Hz and 100 Hz. Where does the LTD-LTP boundary move?"""),
]

# ----------------------------------------------------------------------------------------------
SURPRISE = [
    md(r"""# Surprise-based learning in volatile environments

*Model family:* `neurocore.surprise` · *Paper:* V. Liakoni, A. Modirshanechi, W. Gerstner &
J. Brea, "Learning in volatile environments with the Bayes factor surprise", Neural Comput. 33,
269 (2021). *Reproductions:* `neurocore reproduce surprise_gaussian`, `surprise_categorical`.

A hidden parameter $\theta_t$ generates observations $y_t \sim P(y\mid\theta_t)$; before each
observation, with probability $p_c$, it is redrawn from the prior $\pi^{(0)}$. An ideal observer
must trade off integrating past evidence against forgetting it after a change. The paper shows
that the exact Bayesian update can be written as

$$\pi^{(t+1)} = (1 - \gamma_{t+1})\, \pi^{(t+1)}_{\rm integrate} + \gamma_{t+1}\, \pi^{(t+1)}_{\rm reset},\qquad
\gamma = \frac{m\,S_{\rm BF}}{1 + m\,S_{\rm BF}},\quad m = \frac{p_c}{1 - p_c},$$

where the **Bayes factor surprise** $S_{\rm BF} = P(y; \pi^{(0)}) / P(y; \pi^{(t)})$ compares how
well the prior and the current belief predict the new observation. Surprising observations raise
the adaptation rate $\gamma$. Approximate learners (VarSMiLe, particle filters pf$_N$, message
passing MP$_N$, Nassar's learners, a leaky integrator) are compared by their squared error."""),
    code(SETUP + """
import neurocore.surprise as ns"""),
    md(r"""## 1. The switching Gaussian task

$\theta \sim \mathcal N(0, 1)$, $y \sim \mathcal N(\theta, \sigma^2)$. We run several learners on
the same observations and record their estimates, surprise and adaptation rate."""),
    code("""env = ns.gaussian_task(T=400, sigma=0.5, p_c=0.02, n_seeds=1, rng=3)
exact = ns.learn(env, "exact", record=("estimate", "log_sbf", "gamma"))
leaky = ns.learn(env, "leaky", omega=ns.TUNED[("gaussian", 0.5, 0.01)]["leaky"], record=("estimate",))
var = ns.learn(env, "varsmile", m=ns.TUNED[("gaussian", 0.5, 0.01)]["varsmile"], record=("estimate",))
t = np.arange(env.T)
fig, axes = plt.subplots(3, 1, figsize=(8, 6), sharex=True)
axes[0].plot(t, env.y[0], ".", ms=2, color="0.6", label="y")
axes[0].plot(t, env.theta[0], "k", lw=1.5, label="theta")
axes[0].plot(t, exact.estimate[0], label="exact Bayes")
axes[0].plot(t, var.estimate[0], label="VarSMiLe")
axes[0].plot(t, leaky.estimate[0], label="leaky")
axes[0].legend(fontsize=7, ncol=5)
axes[1].semilogy(t, np.exp(exact.log_sbf[0])); axes[1].set_ylabel("S_BF")
axes[2].plot(t, exact.gamma[0]); axes[2].set_ylabel("gamma"); axes[2].set_xlabel("observation")
for ax in axes:
    for c in np.nonzero(env.change[0])[0][1:]:
        ax.axvline(c, color="C3", lw=0.5, ls=":")
plt.tight_layout()"""),
    md(r"""## 2. Surprise and adaptation rate in closed form

For a conjugate Gaussian belief with mean $\mu$ and $\nu$ pseudo-observations the surprise is a
ratio of two Gaussian predictive densities (`bayes_factor_surprise_gaussian`), and $\gamma$ grows
with $S_{\rm BF}$ with the change odds $m$ as the gain."""),
    code("""y = np.linspace(-3, 3, 200)
S = ns.bayes_factor_surprise_gaussian(y, mu=0.5, nu=20.0, sigma=0.5)
fig, ax = plt.subplots(1, 2, figsize=(8, 3.2))
ax[0].semilogy(y, S); ax[0].axhline(1, color="k", lw=0.5); ax[0].set_xlabel("observation y")
ax[0].set_ylabel("S_BF (belief: mean 0.5)")
for pc in [0.001, 0.01, 0.1]:
    ax[1].plot(y, ns.adaptation_rate(S, pc / (1 - pc)), label=f"p_c = {pc}")
ax[1].set_xlabel("observation y"); ax[1].set_ylabel("gamma"); ax[1].legend(fontsize=7)
plt.tight_layout()"""),
    md(r"""## 3. Error after a change point, and the excess error over exact Bayes

Averaging the squared error aligned on change points shows how quickly each learner recovers.
Many seeds run in one C call (`n_seeds`), and `grid_search` tunes a hyperparameter in one call too."""),
    code("""env = ns.gaussian_task(T=3000, sigma=0.5, p_c=0.01, n_seeds=20, rng=0)
m_best, _ = ns.grid_search(env, "varsmile", "m", np.geomspace(0.01, 1.0, 9))
om_best, _ = ns.grid_search(env, "leaky", "omega", np.linspace(0.05, 1.0, 12))
runs = {
    "exact": ns.learn(env, "exact", record=("err",)),
    "pf (N = 10)": ns.learn(env, "pf", N=10, rng=1, record=("err",)),
    f"VarSMiLe (m = {m_best:.2f})": ns.learn(env, "varsmile", m=m_best, record=("err",)),
    f"leaky (omega = {om_best:.2f})": ns.learn(env, "leaky", omega=om_best, record=("err",)),
}
plt.figure(figsize=(5, 3.4))
for name, r in runs.items():
    lags, curve = ns.transient_curve(r.err, env.change, before=3, after=40)
    plt.plot(lags, curve, label=f"{name}: excess {r.error - runs['exact'].error:+.4f}")
plt.xlabel("observations after a change"); plt.ylabel("mean squared error"); plt.legend(fontsize=7)"""),
    md(r"""## Exercises

1. Repeat section 3 with $\sigma = 0.1$ and $\sigma = 5$. When does the leaky integrator come close
   to exact Bayes, and why?
2. Vary the number of particles of pf$_N$ (`N = 1, 2, 5, 20`). How many are needed to be within
   1 % of exact Bayes?
3. Give the learner a wrong $p_c$ (`learn(..., p_c=0.1)`) while the environment has $p_c = 0.01$.
   Which learners are most sensitive?
4. Switch to the categorical task (`categorical_task(T, s=0.1, p_c=0.01)`) and plot the Shannon
   surprise (`record=("ssh",)`) next to $S_{\rm BF}$. When do they disagree?"""),
]

# ----------------------------------------------------------------------------------------------
GEOMETRY = [
    md(r"""# Neural population geometry

*Model family:* `neurocore.geometry` · *Papers:* S. Chung & L. Abbott, Curr. Opin. Neurobiol. 70,
137 (2021); S. Chung, D. Lee & H. Sompolinsky, PRX 8, 031003 (2018) (manifold capacity);
D. Clark, L. Abbott & A. Litwin-Kumar, PRL 131, 118401 (2023) (dimension of chaotic activity).
*Reproductions:* `neurocore reproduce manifold_capacity`, `geometry_untangling`.

Every tool takes an activity array of shape (samples, neurons) (`axis=0`, the layout of
`RateTrajectory.x`) or (neurons, samples) with `axis=1`.

**Dimensionality.** The participation ratio of the covariance eigenvalues $\lambda_k$,

$$\mathrm{PR} = \frac{(\sum_k \lambda_k)^2}{\sum_k \lambda_k^2},$$

counts the directions the activity really uses. The plug-in estimate is biased downward when the
number of samples is not much larger than the number of neurons; block estimators correct it.

**Manifold capacity.** $P$ class manifolds in $N$ dimensions can be separated by a linear readout
in most random dichotomies while $P/N < \alpha_M$. For points ($D = 0$) $\alpha = 2$ (Gardner /
Cover); extended manifolds of radius $R_M$ and dimension $D_M$ have
$\alpha_M \approx (1 + R_M^{-2})/D_M$ when $D_M$ is large. MFTMA estimates $\alpha_M, R_M, D_M$ from
the data."""),
    code(SETUP + """
import neurocore.geometry as geo
import neurocore.rate as nr"""),
    md(r"""## 1. The participation ratio and its finite-sample bias

Data with a known spectrum $\lambda_k \propto k^{-1}$ in 100 neurons. The plug-in PR is too low
at few samples, roughly by the factor $1/(1 + \mathrm{PR}/n)$ for $n$ Gaussian samples; the
cross-block estimator removes the bias at the price of more variance."""),
    code("""rng = np.random.default_rng(0)
N = 100
lam = 1.0 / np.arange(1, N + 1)
true_pr = geo.participation_ratio_of_spectrum(lam)
ns_ = [40, 80, 160, 400, 1000]
naive, cross = np.zeros((len(ns_), 20)), np.zeros((len(ns_), 20))
for a, n in enumerate(ns_):
    for rep in range(20):
        X = rng.standard_normal((n, N)) * np.sqrt(lam)      # (samples, neurons)
        naive[a, rep] = geo.participation_ratio(X)
        cross[a, rep] = geo.participation_ratio(X, estimator="cross_block", shuffle=True, rng=rep)
plt.figure(figsize=(4.5, 3.3))
plt.errorbar(ns_, naive.mean(1), naive.std(1), fmt="o-", capsize=3, label="naive (mean +- sd, 20 draws)")
plt.errorbar(ns_, cross.mean(1), cross.std(1), fmt="s-", capsize=3, label="cross-block")
n_fine = np.geomspace(40, 1000, 50)
plt.plot(n_fine, true_pr / (1 + true_pr / n_fine), "C0:", label="PR / (1 + PR / n)")
plt.axhline(true_pr, color="k", ls="--", label=f"true PR = {true_pr:.1f}")
plt.xscale("log"); plt.xlabel("samples n"); plt.ylabel("PR"); plt.legend(fontsize=7)"""),
    md(r"""## 2. Dimension of chaotic rate networks

The dimension of chaotic activity grows with $g$ but stays a small fraction of $N$
(Clark, Abbott & Litwin-Kumar 2023)."""),
    code("""gs = [1.2, 1.5, 2.0, 3.0]
pr = []
for g in gs:
    net = nr.RateNetwork(300, g=g, rng=0)
    net.run(50.0, dt=0.1, record_every=500)
    X = net.run(400.0, dt=0.1, record_every=5).x[1:]
    pr.append(geo.participation_ratio(X, estimator="cross_block"))
plt.figure(figsize=(4.5, 3.3))
plt.plot(gs, np.array(pr) / 300, "o-")
plt.xlabel("g"); plt.ylabel("PR / N"); plt.title("chaotic rate network, N = 300")"""),
    md(r"""## 3. Manifold capacity: theory and simulation

Point clouds ("manifolds") of $M$ Gaussian points of radius $r$ around random centers in
$N = 50$ dimensions. MFTMA gives the capacity $\alpha_M$; we check it by counting how often
random dichotomies of $P$ manifolds are linearly separable around $P = \alpha_M N$. At this small
$N$ the transition from "always separable" to "never" is smooth; it sharpens as $N$ grows."""),
    code("""rng = np.random.default_rng(1)
N, M = 50, 5                      # neurons, points per manifold
def clouds(P, radius):
    # P manifolds of M points each: a random center plus Gaussian scatter whose size is set by radius
    return [rng.standard_normal(N) + radius * rng.standard_normal((M, N)) / np.sqrt(M) for _ in range(P)]
radii = [0.0, 0.3, 0.6, 1.0]
alpha = []
for r in radii:
    a = geo.manifold_analysis(clouds(40, r if r > 0 else 1e-6), n_t=100, rng=2,
                              remove_center_correlation=False)
    alpha.append(a.capacity_population)
    print(f"radius {r:3}: alpha_M = {a.capacity_population:.2f}, R_M = {a.radius_mean:.2f}, D_M = {a.dimension_mean:.1f}")
r = 0.6
a_th = alpha[radii.index(r)]
Ps = [int(N * a_th * f) for f in (0.6, 0.8, 1.0, 1.25, 1.6)]
frac = [geo.separability_fraction(clouds(P, r), n_dichotomies=16, rng=3) for P in Ps]
plt.figure(figsize=(4.5, 3.3))
plt.plot(np.array(Ps) / N, frac, "o-", label=f"simulation, radius {r}")
plt.axvline(a_th, color="C3", ls="--", label="MFTMA capacity")
plt.axvline(geo.gardner_capacity(0.0), color="k", ls=":", label="points: 2")
plt.xlabel("load P / N"); plt.ylabel("fraction separable"); plt.legend(fontsize=7)"""),
    md(r"""## 4. Comparing representations: RDMs and CKA

Representational dissimilarity matrices and linear CKA compare two populations that respond to the
same stimuli, e.g. two layers of a network, without matching neurons one to one."""),
    code("""rng = np.random.default_rng(4)
S = rng.standard_normal((50, 10))                     # 50 stimuli, 10 latent features
layer1 = S @ rng.standard_normal((10, 80))
layer2 = np.tanh(layer1 @ rng.standard_normal((80, 60)) / 9)
noise = rng.standard_normal((50, 60))
print("CKA(layer1, layer2) =", round(geo.linear_cka(layer1, layer2), 3))
print("CKA(layer1, noise)  =", round(geo.linear_cka(layer1, noise), 3))
print("RDM correlation (Spearman):", round(geo.compare_rdms(geo.rdm(layer1), geo.rdm(layer2)), 3))
fig, ax = plt.subplots(1, 2, figsize=(7, 3.2))
ax[0].imshow(geo.rdm(layer1)); ax[0].set_title("RDM layer 1")
ax[1].imshow(geo.rdm(layer2)); ax[1].set_title("RDM layer 2")"""),
    md(r"""## Exercises

1. Compute the PR of the chaotic network of section 2 with the naive estimator and fewer time
   points. How large is the bias, and does `estimator="jackknife"` fix it?
2. Compare `two_nn_dimension` and the PR for points on a curved 2-D surface embedded in 50
   dimensions (e.g. a Swiss roll). Which one sees the intrinsic dimension?
3. In section 3 make the manifolds' centers correlated (add a shared vector to every center). What
   does `remove_center_correlation=True` change?
4. Train a linear probe (`linear_probe_accuracy`) on the activity of a rate network driven by
   four different constant inputs. How does the accuracy depend on $g$?"""),
]

# ----------------------------------------------------------------------------------------------
LANDSCAPE = [
    md(r"""# Loss-landscape symmetry in neural networks

*Model family:* `neurocore.landscape` · *Papers:* B. Şimşek, F. Ged, A. Jacot, F. Spadaro,
C. Hongler, W. Gerstner & J. Brea, ICML 2021 (symmetry-induced critical subspaces); J. Brea,
B. Şimşek, B. Illing & W. Gerstner, arXiv:1907.02911 (permutation saddles); S. Lippl, L. Abbott &
S. Chung, arXiv:2202.02649 (gated linear networks). *Reproductions:* `neurocore reproduce
symmetry_counts`, `permutation_saddles`, `gln_implicit_bias`.

A two-layer network $f(x) = \sum_{i=1}^{m} a_i\, \sigma(w_i \cdot x)$ is unchanged when its hidden
units are permuted. If a width-$r$ network $(W, A)$ is a critical point of the loss, a wider network
($m > r$) can implement the same function by **duplicating** units (splitting outgoing weights
$a_i \to \lambda a_i, (1-\lambda) a_i$) or adding units with zero outgoing weight. Every such
assignment of the $m$ units to the $r$ originals is an affine subspace of critical points. Their
numbers are exact combinatorics with Stirling numbers of the second kind $S(n, k)$:

$$T(r^*, m) = r^*!\; S(m+1, r^*+1) \quad\text{(global-minimum subspaces)}, \qquad G(r, m) = r!\; S(m, r)\quad\text{(critical subspaces)}.$$

Mild overparameterisation gives many more saddle subspaces than minima; heavy overparameterisation
reverses the balance."""),
    code(SETUP + """
import neurocore.landscape as nl"""),
    md(r"""## 1. Counting subspaces

The closed forms agree with brute-force enumeration of all maps from the $m$ units to the $r$
originals (or to zero)."""),
    code("""import itertools
r, m = 2, 4
brute_T = sum(1 for p in itertools.product(range(r + 1), repeat=m) if len(set(p) - {0}) == r)
brute_G = sum(1 for p in itertools.product(range(1, r + 1), repeat=m) if len(set(p)) == r)
print("T(2, 4):", nl.count_global_minimum_subspaces(r, m), "brute force:", brute_T)
print("G(2, 4):", nl.count_critical_subspaces(r, m), "brute force:", brute_G)
hs = np.arange(0, 41)
plt.figure(figsize=(4.8, 3.4))
for r_star in (4, 10, 30):
    ratio = [float(nl.saddle_to_minimum_ratio(r_star, int(h))) for h in hs]
    plt.semilogy(hs, ratio, label=f"r* = {r_star}")
plt.axhline(1, color="k", lw=0.6)
plt.xlabel("extra units h = m - r*"); plt.ylabel("saddle subspaces / minimum subspaces")
plt.legend()"""),
    md(r"""## 2. Every expansion implements the same function

A softplus teacher of width 3 on 2-D inputs. `SymmetryExpansion` enumerates the $T(3, 4) = 60$
global-minimum subspaces of width-4 networks; a random point of each has the teacher's output to
machine precision."""),
    code("""rng = np.random.default_rng(0)
X = rng.normal(size=(300, 2))
W3, A3 = rng.normal(size=(3, 2)), np.array([1.0, -0.8, 1.2])
Y3 = nl.network_output(X, W3, A3)
exp = nl.SymmetryExpansion(X, Y3, W3, A3, kind="minimum")
gaps = [exp.invariance(*exp.point(4, pi, rng)[:2]) for pi in exp.maps(4)]
print(len(gaps), "subspaces; largest |f - f*| =", max(gaps))"""),
    md(r"""## 3. The Fukumizu-Amari duplication line

Take the best width-1 network for a width-2 teacher: a critical point that is not a minimum of the
width-2 loss. Duplicating its unit with split $\lambda$ gives a line of critical points of the
width-2 loss. The smallest Hessian eigenvalue along the line tells where it is a saddle: the
segment $\lambda\in[0,1]$ and the outside behave differently."""),
    code("""W2, A2 = np.array([[1.0, 0.5], [-0.8, 1.2]]), np.array([1.0, -0.7])
Y2 = nl.network_output(X, W2, A2)
model = nl.TwoLayerNetwork(X, Y2)
th1 = min((nl.minimize_loss(model, rng.normal(size=3)) for _ in range(4)), key=lambda t: t[1])[0]
W1, A1 = nl.unpack(th1, 1, 2, 1)
lams = np.linspace(-1.0, 2.0, 25)
eig_min, grad_max = [], 0.0
for lam in lams:
    Wd, Ad = nl.duplicate_unit(W1, A1, 0, lam)
    grad_max = max(grad_max, np.abs(nl.loss_and_gradient(X, Y2, Wd, Ad)[1]).max())
    eig_min.append(np.linalg.eigvalsh(nl.hessian(X, Y2, Wd, Ad))[0])
print("largest |gradient| on the line:", grad_max)
plt.figure(figsize=(4.5, 3.3))
plt.plot(lams, eig_min, "o-", ms=3); plt.axhline(0, color="k", lw=0.6)
plt.axvspan(0, 1, color="C2", alpha=0.15, label="0 <= lambda <= 1")
plt.xlabel("split lambda"); plt.ylabel("smallest Hessian eigenvalue"); plt.legend()"""),
    md(r"""## 4. One extra unit connects permuted minima

With one spare unit, the permuted copy of the teacher can be reached along a path of zero loss
(`permutation_path`, seven straight segments)."""),
    code("""path = nl.permutation_path(W2, A2, [1, 0], [0.3, -0.4], 30)
loss = [nl.loss_and_gradient(X, Y2, p[:, :2], p[:, 2:], grad=False)[0] for p in path]
print("max loss along the path:", max(loss))
plt.figure(figsize=(4.5, 3))
plt.plot(path[:, :, 0]); plt.xlabel("point along the path"); plt.ylabel("w_i1 of the 3 units")"""),
    md(r"""## Exercises

1. Verify $G(r-1, r)\,/\,T(r, r) = (r-1)/2$ for $r = 5, 20, 100$ with exact integers.
2. At which overparameterisation $h$ does the minima count overtake the saddle count for
   $r^* = 10$? Derive it from the Stirling-number asymptotics.
3. Repeat section 3 with a `tanh` activation (`act="tanh"` wherever it applies). Does the line
   still turn into saddles outside $[0, 1]$?
4. Train a width-4 network by gradient descent (`minimize_loss`) from random starts on the width-3
   teacher. How often does it end in an expansion subspace of the teacher?"""),
]

# ----------------------------------------------------------------------------------------------
SWEEP = [
    md(r"""# Parameter sweeps from a laptop to a cluster

*Module:* `neurocore.sweep` · *Reproduction:* `neurocore reproduce rate_sweep` (Sompolinsky,
Crisanti & Sommers, PRL 61, 259, 1988).

Theory papers are read for curves: a quantity against a parameter, averaged over random network
realisations. `sweep(func, grid, seeds=...)` evaluates `func(**point, rng=Generator)` on the
Cartesian product of a parameter grid and seed replicates and returns a labelled
`xarray.Dataset`. Each task draws from its own `numpy.random.SeedSequence` child fixed by its place
in the grid,

$$\text{stream}(i_1, \dots, i_k, s) = \text{SeedSequence(root)}.\text{spawn}(n_1)[i_1]\cdots.\text{spawn}(n_{\rm seeds})[s],$$

so the numbers do not depend on the backend (local processes via joblib/loky, or Dask), on the
number of workers, or on the order in which tasks finish. With `checkpoint=DIR` every finished point
is saved and a rerun computes only what is missing.

Here we sweep the stationary variance of random tanh networks against $g$ and compare it with the
DMFT prediction $\Delta_0(g)$."""),
    code(SETUP + """
import tempfile
from neurocore.sweep import sweep
from neurocore.experiments.rate_sweep import rate_variance, DMFT_DELTA0
help(rate_variance)"""),
    md(r"""## 1. A grid times seeds

Four values of $g$, four seeds each, on two local worker processes. The result is an
`xarray.Dataset` with dimensions `g` and `seed`."""),
    code("""gs = [0.8, 1.5, 2.0, 3.0]
ds = sweep(rate_variance, {"g": gs}, seeds=4, rng=0, fixed={"n": 200, "duration": 100.0}, n_jobs=2)
ds"""),
    code("""mean, sd = ds["rate_variance"].mean("seed"), ds["rate_variance"].std("seed")
plt.figure(figsize=(4.5, 3.3))
plt.errorbar(gs, mean, yerr=sd, fmt="o-", capsize=3, label="simulation, N = 200 (mean +- sd, 4 seeds)")
plt.plot(list(DMFT_DELTA0), list(DMFT_DELTA0.values()), "s", color="C3", label="DMFT")
plt.xlabel("g"); plt.ylabel("variance <x^2>"); plt.legend(fontsize=7)"""),
    md(r"""## 2. Reproducibility does not depend on the workers

The same root seed run in this process (`n_jobs=1`) gives bit-identical numbers."""),
    code("""ds1 = sweep(rate_variance, {"g": gs}, seeds=4, rng=0, fixed={"n": 200, "duration": 100.0}, n_jobs=1)
print("identical:", bool((ds1["rate_variance"] == ds["rate_variance"]).all()))"""),
    md(r"""## 3. Checkpoints: extend a sweep without recomputing

A sweep with `checkpoint=` stores each finished point. Running again with a larger grid computes
only the new points (the stored ones are read back)."""),
    code("""import time
with tempfile.TemporaryDirectory() as tmp:
    t0 = time.perf_counter()
    sweep(rate_variance, {"g": gs[:2]}, seeds=2, rng=0, fixed={"n": 200, "duration": 100.0},
          n_jobs=1, checkpoint=tmp)
    t1 = time.perf_counter()
    big = sweep(rate_variance, {"g": gs[:2]}, seeds=2, rng=0, fixed={"n": 200, "duration": 100.0},
                n_jobs=1, checkpoint=tmp)
    t2 = time.perf_counter()
print(f"first run {t1 - t0:.2f} s, rerun from the checkpoint {t2 - t1:.2f} s")
big["rate_variance"].values"""),
    md(r"""## 4. Your own function

Any function of keyword parameters (and `rng`) that returns numbers, arrays or a dict of them can
be swept. Functions defined in a notebook travel to the workers by cloudpickle."""),
    code("""def lif_rate(i_ext, tau_m, rng=None):
    import neurocore.spiking as ns
    net = ns.LIFNetwork("cuba")
    net.add_population("P", 50, tau_m=tau_m, e_l=-60.0, v_th=-50.0, v_reset=-60.0, i_ext=i_ext)
    net.add_poisson_input(rate=800.0, weight=0.5, target="v")
    return {"rate": net.run(500.0, dt=0.1, rng=rng).mean_rate()}

fi = sweep(lif_rate, {"i_ext": list(np.linspace(0.0, 20.0, 9)), "tau_m": [10.0, 20.0]}, seeds=1, rng=1, n_jobs=2)
fi["rate"].isel(seed=0).plot.line(x="i_ext", marker="o")
plt.ylabel("rate (Hz)")"""),
    md(r"""## Exercises

1. Sweep the largest Lyapunov exponent too (`rate_point` in `neurocore.experiments.rate_sweep`)
   and plot both outputs against $g$.
2. Use `common_seeds=True`: every $g$ of a replicate gets the same random stream, so the same
   coupling matrix up to scale. How does that change the error bars of a *difference* between
   neighbouring $g$ values?
3. Start a Dask `LocalCluster` (`backend="dask"`) and confirm the numbers equal the loky ones.
4. Save a sweep with `ds.to_netcdf(...)` and reload it with `xarray.open_dataset`."""),
]

# ----------------------------------------------------------------------------------------------
DMFT = [
    md(r"""# Dynamic mean-field theory of random rate networks

*Model family:* `neurocore.dmft` · *Paper:* H. Sompolinsky, A. Crisanti & H.-J. Sommers,
"Chaos in random neural networks", PRL 61, 259 (1988). *Reproduction:* `neurocore reproduce scs_dmft`.

Notebook 01 simulated the network $\tau \dot x_i = -x_i + \sum_j J_{ij}\phi(x_j)$ with
$J_{ij} \sim \mathcal N(0, g^2/N)$ and $\phi = \tanh$. Here we solve its **dynamic mean-field
theory** (DMFT). For $N \to \infty$ the recurrent input $\eta_i(t) = \sum_j J_{ij}\phi(x_j)$ of any
unit is a Gaussian process, independent across units, whose autocorrelation is set by the network
itself:

$$\langle \eta(t)\eta(t+\tau)\rangle = g^2 C_\phi(\tau), \qquad C_\phi(\tau) = \langle \phi(x(t))\,\phi(x(t+\tau))\rangle .$$

For the stationary autocorrelation $\Delta(\tau) = \langle x(t)x(t+\tau)\rangle$ this gives
$(1 - \partial_\tau^2)\,\Delta(\tau) = g^2 C_\phi(\tau)$, i.e. Newton's equation of a particle,
$\ddot\Delta = -\partial V/\partial\Delta$, in a potential $V(\Delta; \Delta_0)$. Chaos is the
trajectory that starts at rest at $\Delta_0$ and creeps to $\Delta = 0$ as $\tau \to \infty$; energy
conservation fixes $\Delta_0$. The largest Lyapunov exponent $\lambda_1$ follows from the ground
state of a Schrödinger operator whose potential is $-g^2 C_{\phi'}(\tau)$.

`neurocore.dmft.solve_scs(g)` does all of this (Gaussian integrals in C) and returns an
`SCSSolution` with `delta0`, the profile `tau`, `delta` and `lambda1`."""),
    code(SETUP + """
from neurocore.dmft import solve_scs, scs_delta0, autocovariance
from neurocore.rate import integrate_rate_network, random_coupling"""),
    md(r"""## 1. The theory: $\Delta_0(g)$ and $\lambda_1(g)$

$\Delta_0 = 0$ up to $g = 1$ (the stable fixed point $x = 0$) and grows continuously, like
$g - 1$, above it. Below the transition $\lambda_1 = g - 1 < 0$ (the decay rate of the origin)."""),
    code("""gs = np.linspace(0.5, 3.0, 26)
sols = {g: solve_scs(g, tau_max=30.0) for g in [1.5, 2.0, 3.0]}
d0 = [scs_delta0(g)[0] for g in gs]
lam = [solve_scs(g, tau_max=max(30.0, 20 / (g - 1))).lambda1 if g > 1 else g - 1 for g in gs[::2]]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.3))
axes[0].plot(gs, d0); axes[0].set_xlabel("g"); axes[0].set_ylabel(r"$\\Delta_0$")
axes[1].plot(gs[::2], lam, "o-"); axes[1].axhline(0, color="k", lw=0.6)
axes[1].set_xlabel("g"); axes[1].set_ylabel(r"$\\lambda_1$ (1/$\\tau$)")
plt.tight_layout()
for g, s in sols.items():
    print(f"g = {g}: Delta0 = {s.delta0:.4f}, lambda1 = {s.lambda1:.4f} / tau, phase: {s.phase}")"""),
    md(r"""## 2. $\Delta(\tau)$: theory against a small simulated network

We simulate $N = 400$ units (RK4, $dt = 0.1\,\tau$), discard a transient of $50\,\tau$, sample the
state every $0.5\,\tau$ and average $x_i(t)x_i(t+\tau)$ over units and time
(`autocovariance(..., subtract_mean=False)`), for three random networks at each $g$. DMFT
describes the chaotic state of an infinite network; a finite one sometimes settles on a limit
cycle instead (an oscillating autocorrelation, the faint dots of one of the networks below), so we
compare the theory with the **median** over networks (large dots). $\Delta_0$ agrees within a few
per cent; the tails deviate more, since the recording spans only a few dozen correlation times
(and $N$ is small)."""),
    code("""sample, max_lag = 0.5, 15.0
plt.figure(figsize=(5, 3.5))
for i, (g, sol) in enumerate(sols.items()):
    acfs = []
    for seed in range(3):
        J = random_coupling(400, g, rng=seed)
        x0 = np.random.default_rng(10 + seed).standard_normal(400)
        x = integrate_rate_network(J, x0, 250.0, 0.1, method="rk4", record_every=5).x[100:]
        acfs.append(autocovariance(x, int(max_lag / sample), subtract_mean=False))
    lag = np.arange(len(acfs[0])) * sample
    med = np.median(acfs, axis=0)
    plt.plot(sol.tau[sol.tau <= max_lag], sol.delta[sol.tau <= max_lag], color=f"C{i}", label=f"DMFT g = {g}")
    plt.plot(lag, np.transpose(acfs), ".", ms=2, color=f"C{i}", alpha=0.3)
    plt.plot(lag, med, "o", ms=3, color=f"C{i}")
    print(f"g = {g}: Delta0 simulated {np.round([a[0] for a in acfs], 3)} (median {med[0]:.3f}), DMFT {sol.delta0:.3f}")
plt.xlabel(r"lag $\\tau$ (units of $\\tau_x$)"); plt.ylabel(r"$\\Delta(\\tau)$"); plt.legend()"""),
    md(r"""## 3. Correlation time and critical slowing down

Near the transition the autocorrelation decays ever more slowly: its tail decays at rate
$\kappa = \sqrt{1 - (g\langle\phi'\rangle)^2}$ (`SCSSolution.kappa`), which vanishes as $g \to 1^+$;
the correlation time $1/\kappa$ diverges like $\sqrt 3/(g-1)$. `SCSSolution.half_decay_time()`
is the lag at which $\Delta$ has fallen to $\Delta_0/2$. Near $g = 1$ the lag window must be long
(`tau_max` of about $20/(g-1)$)."""),
    code("""gc = np.array([1.05, 1.1, 1.2, 1.5, 2.0, 3.0])
sc = [solve_scs(g, tau_max=max(30.0, 20 / (g - 1)), dtau=0.2, lyapunov=False) for g in gc]
plt.figure(figsize=(4.5, 3.3))
plt.loglog(gc - 1, [1 / s.kappa for s in sc], "o-", label=r"$1/\\kappa$ (DMFT)")
plt.loglog(gc - 1, [s.half_decay_time() for s in sc], "s-", label=r"$\\tau_{1/2}$ (DMFT)")
plt.loglog(gc - 1, np.sqrt(3) / (gc - 1), "--", label=r"$\\sqrt{3}/(g-1)$")
plt.xlabel("g - 1"); plt.ylabel(r"time ($\\tau$)"); plt.legend()"""),
    md(r"""## Exercises

1. **Finite size.** Repeat section 2 at $g = 1.5$ for $N = 200, 400, 1000$. How does the error of
   $\Delta_0$ shrink? Why does $g = 1.5$ need larger networks than $g = 3$?
2. **Lyapunov exponent.** Measure $\lambda_1$ with `neurocore.rate.RateNetwork(...).lyapunov` at
   $g = 2$ and compare with `solve_scs(2.0).lambda1`.
3. **Critical exponent.** Use `neurocore.dmft.fit_critical_exponent` on $\Delta_0(g)$ for
   $g \in [1.002, 1.05]$ and check $\Delta_0 \propto (g-1)^\beta$ with $\beta = 1$.
4. **Beyond the stationary state.** `neurocore.dmft.solve_two_time` follows the transient from an
   initial variance; compare it with simulated networks started from large and small states."""),
]

# ----------------------------------------------------------------------------------------------
MEMORY = [
    md(r"""# Kernel memory networks: Hopfield, modern Hopfield and capacity

*Model family:* `neurocore.memory` · *Paper:* G. Iatropoulos, J. Brea & W. Gerstner, "Kernel memory
networks: a unifying framework for memory modeling", NeurIPS 2022. *Reproductions:*
`neurocore reproduce kernel_memory_special_cases`, `kernel_memory_capacity`.

An auto-associative memory stores $P$ patterns $x^\mu \in \{-1, +1\}^n$ and maps a corrupted cue
back to the closest one. A **kernel memory network** computes the field of neuron $i$ as a weighted
sum of kernel similarities between the state $x$ and the stored patterns,

$$h_i(x) = \sum_{\mu=1}^P A_{i\mu}\, K(x^\mu, x), \qquad x_i \leftarrow \operatorname{sgn} h_i(x).$$

The choice of $K$ and of the read-out $A$ recovers the classical models:

| model | kernel $K(x^\mu, x)$ | read-out $A$ |
|---|---|---|
| Hopfield (Hebbian) | $x^\mu\cdot x/n$ | $A = X^\top$ (constant) |
| projection rule | $x^\mu\cdot x/n$ | $A = X^\top K^{-1}$ (interpolation) |
| modern Hopfield | $e^{\beta x^\mu\cdot x}$ | $X^\top$, divided by $\sum_\mu K$ (softmax) |
| kernel memory | any, e.g. $e^{\beta(x^\mu\cdot x/n - 1)}$ | $X^\top K^{-1}$ or SVM |

With the **interpolation** read-out $A = X^\top K^{-1}$ ($K_{\mu\nu} = K(x^\mu, x^\nu)$) every
stored pattern is an exact fixed point. The capacity is then limited only by how well $K$
separates patterns: linear $K$ stores at most $n$ patterns, nonlinear kernels many more."""),
    code(SETUP + """
import neurocore.memory as nm"""),
    md(r"""## 1. The classical models are kernel networks

`HopfieldNetwork.as_kernel_memory()` and `ModernHopfield.as_kernel_memory()` return the kernel
networks with identical dynamics. We check both numerically."""),
    code("""X = nm.random_patterns(20, 100, rng=0)
cues = nm.flip_bits(X, 0.15, rng=1)
hop = nm.HopfieldNetwork(X)                                       # W = X^T X / n, zero diagonal
a = hop.recall(cues, mode="async", rng=2)
b = hop.as_kernel_memory().recall(cues, steps=None, mode="async", rng=2)
print("Hebbian Hopfield vs kernel network, max |state difference|:", np.abs(a.states - b.states).max())

Z = np.random.default_rng(3).standard_normal((500, 32)) / np.sqrt(32)   # continuous patterns
q = Z[:8] + 0.1 * np.random.default_rng(4).standard_normal((8, 32))
mh = nm.ModernHopfield(Z, beta=8.0)
print("modern Hopfield vs exponential kernel + softmax read-out:",
      np.abs(mh.retrieve(q) - mh.as_kernel_memory().recall(q).states).max())"""),
    md(r"""## 2. Capacity: fraction of patterns retrieved against the load

`capacity_curve(build, n, loads, flip=...)` stores $P$ random patterns for each load, cues them with
a fraction of flipped bits, iterates to a fixed point and counts exact retrievals. The Hebbian
Hopfield network fails near $P \approx 0.14\,n$ (fewer with corrupted cues), the projection rule
below $P = n$ (its basins shrink as the load grows), and an exponential kernel stores several
times $n$, the more the sharper the kernel (larger $\beta$)."""),
    code("""n = 50
builds = {
    "Hopfield (Hebbian)": lambda X: nm.HopfieldNetwork(X),
    "projection (linear kernel)": lambda X: nm.KernelMemory(X, kernel="linear"),
    "exponential kernel, beta = 2": lambda X: nm.KernelMemory(X, kernel=nm.exponential_kernel(2.0)),
    "exponential kernel, beta = 4": lambda X: nm.KernelMemory(X, kernel=nm.exponential_kernel(4.0)),
}
loads = [5, 10, 20, 35, 50, 100, 200, 400, 800]
plt.figure(figsize=(5, 3.5))
for label, build in builds.items():
    ls = [P for P in loads if P < n or "exponential" in label]    # linear kernels are singular for P >= n
    cc = nm.capacity_curve(build, n, ls, flip=0.05, n_cues=20, rng=5)
    plt.plot(cc.P / n, cc.success, "o-", label=f"{label}: P* = {cc.capacity:.0f}")
plt.axvline(0.138, color="k", ls=":", lw=0.8); plt.xscale("log")
plt.xlabel("load P / n"); plt.ylabel("fraction retrieved (5% flipped)"); plt.legend(fontsize=7)"""),
    md(r"""## 3. Basins of attraction

`basin_size` measures how retrieval degrades as the cue gets noisier, at a fixed load
($P = 30 < n$). Here a sharper kernel (larger $\beta$) also widens the basins: it weights the
stored pattern nearest to the cue ever more strongly against the others."""),
    code("""X = nm.random_patterns(30, n, rng=6)
flips = [0.0, 0.05, 0.1, 0.2, 0.3, 0.4]
plt.figure(figsize=(4.5, 3.3))
for beta in [1.0, 4.0, 16.0]:
    bc = nm.basin_size(nm.KernelMemory(X, kernel=nm.exponential_kernel(beta)), X, flips, n_cues=20, rng=7)
    plt.plot(flips, bc.success, "o-", label=f"beta = {beta}")
plt.xlabel("fraction of flipped bits in the cue"); plt.ylabel("fraction retrieved"); plt.legend()"""),
    md(r"""## Exercises

1. Add `nm.polynomial_kernel(3)` to the capacity plot. How does its capacity scale with $n$?
2. Use `rule="classification"` (one kernel SVM per neuron). Are the basins wider than with
   interpolation at the same kernel?
3. Store *correlated* patterns (flip 10% of the bits of one prototype). Which network still works?
4. `nm.SparseDistributedMemory` (Kanerva) is a kernel network too: compare `expected_kernel()` with
   `nm.sdm_kernel`."""),
]

# ----------------------------------------------------------------------------------------------
RECURRENT = [
    md(r"""# Training recurrent networks: recursive least squares and FORCE

*Model family:* `neurocore.learning.recurrent` · *Paper:* D. Sussillo & L. F. Abbott, "Generating
coherent patterns of activity from chaotic neural networks", Neuron 63, 544 (2009).
*Reproduction:* `neurocore reproduce force_vs_fullforce` (FORCE against full-FORCE, DePasquale et al. 2018).

**Recursive least squares (RLS).** A linear readout $z = W r$ of rates $r(t) \in \mathbb R^n$ is
fitted online to a target $f(t)$. With $P(0) = I/\alpha$ and $W(0) = 0$, each step does

$$k = P r, \quad c = \frac{1}{1 + r^\top k}, \quad P \leftarrow P - c\,k k^\top, \quad W \leftarrow W - c\,(W r - f)\,k^\top .$$

$P$ stays equal to $\left(\sum_t r_t r_t^\top + \alpha I\right)^{-1}$, so after $T$ steps $W$ is
exactly the **ridge regression** solution $W^\top = \left(R^\top R + \alpha I\right)^{-1} R^\top F$.

**FORCE.** A chaotic rate network ($g = 1.5$) with its readout fed back,

$$\tau \dot x = -x + J\tanh(x) + w_{fb}\, z, \qquad z = W \tanh(x),$$

is trained by RLS on $W$ *while running closed loop on its own output*. RLS makes the error small
from the very first updates, the feedback then tames the chaos, and the network becomes an
autonomous generator of the target. Time is in units of $\tau$; the defaults are the paper's
($dt = 0.1\,\tau$, an update every 2 steps, $\alpha = 1$)."""),
    code(SETUP + """
from neurocore.learning.recurrent import RLS, ridge_solution, ForceNetwork, four_sine"""),
    md(r"""## 1. RLS equals ridge regression

We stream 2000 random regressors through `RLS.fit` (one C call) and compare the weights with the
batch ridge solution."""),
    code("""rng = np.random.default_rng(0)
R = rng.standard_normal((2000, 50))
F = R @ rng.standard_normal(50) + 0.3 * rng.standard_normal(2000)
rls = RLS(50, alpha=1.0)
err = rls.fit(R, F)
W_ridge = ridge_solution(R, F, 1.0)
print("max |W_RLS - W_ridge| =", np.abs(rls.W - W_ridge).max())
plt.figure(figsize=(4.5, 3.3))
plt.semilogy(np.abs(err[:, 0]), lw=0.5)
plt.xlabel("step"); plt.ylabel("|a-priori error|"); plt.title("RLS learns within ~n steps")"""),
    md(r"""## 2. FORCE: a chaotic network learns to produce a periodic pattern

A network of $N = 300$ units is trained on the sum of four sines of Sussillo & Abbott (period
$60\,\tau$) for $1200\,\tau$, then the weights are frozen and it runs on its own."""),
    code("""dt = 0.1
period_steps = int(60.0 / dt)
target = four_sine(np.arange(period_steps) * dt)          # one period, repeated by the network
net = ForceNetwork(n=300, g=1.5, dt=dt, rng=1)
pre = net.test(target, 120.0, n_rec=4)                     # before training: chaotic, W = 0
train = net.train(target, 1200.0)
post = net.test(target, 240.0, n_rec=4)                    # weights frozen
print(f"normalised error: training {train.error:.4f}, test after training {post.error:.4f}")
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), sharey=True)
axes[0].plot(pre.t, pre.r, lw=0.8)
axes[0].set_title("before training: rates tanh(x_i), chaotic")
axes[1].plot(train.t[:2400], train.target[:2400, 0], "k", lw=2, alpha=0.3, label="target")
axes[1].plot(train.t[:2400], train.z[:2400, 0], "C3", lw=0.8, label="z (learning)")
axes[1].set_title("start of training"); axes[1].legend(fontsize=7)
axes[2].plot(post.t, post.target[:, 0], "k", lw=2, alpha=0.3, label="target")
axes[2].plot(post.t, post.z[:, 0], "C0", lw=0.8, label="z (frozen weights)")
axes[2].plot(post.t, post.r[:, 0], "C2", lw=0.6, label="rate of unit 1")
axes[2].set_title("after training, learning off"); axes[2].legend(fontsize=7)
for ax in axes:
    ax.set_xlabel("time (tau)")
plt.tight_layout()"""),
    md(r"""## 3. How much training is enough?

Train fresh networks for different durations and test each with frozen weights. Too little training
and the network drifts away from the pattern (or back into chaos) as soon as learning stops."""),
    code("""durations = [60.0, 180.0, 600.0, 1200.0]
test_err = []
for T in durations:
    net = ForceNetwork(n=300, g=1.5, dt=dt, rng=1)
    net.train(target, T)
    test_err.append(net.test(target, 240.0).error)
plt.figure(figsize=(4.5, 3.3))
plt.loglog(durations, test_err, "o-")
plt.xlabel("training time (tau)"); plt.ylabel("test error (normalised)")"""),
    md(r"""## Exercises

1. **Regulariser.** Repeat section 1 with $\alpha = 10^{-3}$ and $10^{3}$: does RLS still equal the
   ridge solution? What does $\alpha$ do to the first few hundred FORCE updates?
2. **Gain.** Train FORCE networks with $g = 0.8$, $1.2$, $1.5$ and $1.8$. Sussillo & Abbott found
   the best performance at the edge of chaos; do you?
3. **Noise.** `net.test(target, 240.0, noise=0.1)`: how robust is the trained pattern?
4. **full-FORCE.** `neurocore.learning.recurrent.FullForceNetwork` trains all recurrent weights
   against a target-driven teacher network. Compare its test error with FORCE at equal $N$."""),
]

# ----------------------------------------------------------------------------------------------
DEEP = [
    md(r"""# Credit assignment in deep networks: backprop, feedback alignment, direct feedback alignment

*Model family:* `neurocore.learning.deep` · *Papers:* T. Lillicrap, D. Cownden, D. Tweed &
C. Akerman, "Random synaptic feedback weights support error backpropagation for deep learning",
Nat. Commun. 7, 13276 (2016); A. Nøkland, "Direct feedback alignment provides learning in deep neural
networks", NeurIPS 2016. *Reproductions:* `neurocore reproduce sign_symmetry`, `dynamic_inversion`, `gevb_vs_bp`.

A feed-forward network $h_l = \phi(a_l)$, $a_l = W_l h_{l-1}$, is trained to reduce a loss $L$
with output error $e = \partial L/\partial a_L$. **Backprop (BP)** sends the error back through the
transposed forward weights,

$$\delta_l = \left(W_{l+1}^\top \delta_{l+1}\right) \odot \phi'(a_l), \qquad \Delta W_l = -\eta\, \delta_l\, h_{l-1}^\top ,$$

which needs the feedback pathway to know $W^\top$ exactly (the *weight-transport problem*).
**Feedback alignment (FA)** replaces $W_{l+1}^\top$ by a fixed random matrix $B_{l+1}^\top$; it
still learns because the forward weights come to *align* with the feedback,
$W_{l+1} \to \propto B_{l+1}$. **Direct feedback alignment (DFA)** broadcasts the output error
to every hidden layer through its own fixed random matrix, $\delta_l = (D_l e) \odot \phi'(a_l)$,
with no layer-to-layer feedback at all.

All three rules run on the same C substrate; `Network.set_rule('bp' | 'fa' | 'dfa')` picks one.
We train a small multilayer perceptron on scikit-learn's 8x8 digits (1300 training, 497 test images)."""),
    code(SETUP + """
from neurocore.learning.deep import load_digits_split, mlp
data = load_digits_split(rng=0)
print("train", data.X_train.shape, "test", data.X_test.shape)"""),
    md(r"""## 1. Learning curves

Same architecture (64 - 100 - 100 - 10, ReLU), same initial weights, same optimiser (Adam) and the
same mini-batches for the three rules; only the feedback differs."""),
    code("""plt.figure(figsize=(5, 3.5))
for rule in ["bp", "fa", "dfa"]:
    net = mlp([64, 100, 100, 10], rng=0, optimizer="adam", lr=1e-3).set_rule(rule, rng=1)
    h = net.fit(data.X_train, data.y_train, epochs=15, batch_size=32, rng=0,
                X_eval=data.X_test, y_eval=data.y_test)
    plt.plot(h.eval_epoch, h.eval_acc, "o-", ms=3, label=f"{rule.upper()}: {h.eval_acc[-1]:.3f}")
plt.xlabel("epoch"); plt.ylabel("test accuracy"); plt.legend()"""),
    md(r"""## 2. The forward weights align with the random feedback

Under FA the angle between the forward weights $W_l$ and the fixed feedback $B_l$ (as vectors of
all their entries) drops below 90°, the angle of two unrelated random matrices: clearly for the
output layer, whose feedback carries the error directly, and slowly for the hidden layer. This is
how a random feedback pathway comes to carry useful error information."""),
    code("""def angle(a, b):
    c = np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return np.degrees(np.arccos(np.clip(c, -1, 1)))

net = mlp([64, 100, 100, 10], rng=0, optimizer="adam", lr=1e-3).set_rule("fa", rng=1)
epochs, angles = [0], [[angle(l.W, l.B) for l in net.layers[1:]]]
for ep in range(1, 16):
    net.fit(data.X_train, data.y_train, epochs=1, batch_size=32, rng=ep)
    epochs.append(ep); angles.append([angle(l.W, l.B) for l in net.layers[1:]])
angles = np.array(angles)
plt.figure(figsize=(4.5, 3.3))
for j in range(angles.shape[1]):
    plt.plot(epochs, angles[:, j], "o-", ms=3, label=["hidden layer 2", "output layer"][j] + ": W vs B")
plt.axhline(90, color="k", ls=":", lw=0.8)
plt.xlabel("epoch"); plt.ylabel("angle (degrees)"); plt.legend()"""),
    md(r"""## Exercises

1. **Depth.** Repeat section 1 with five hidden layers. Which rule suffers most, and why might DFA
   cope better than FA with depth?
2. **Seeds.** Use `neurocore.learning.deep.compare.compare_rules` with five seeds and report mean
   and standard deviation of the test accuracy of each rule.
3. **Sign symmetry.** `set_rule('sign')` feeds back only the signs of $W^\top$ (Liao et al. 2016).
   With `optimizer='batch_manhattan'` it matches BP (`neurocore reproduce sign_symmetry`); try it.
4. **Alignment of the updates.** Compute, at one batch, the angle between the FA hidden-layer
   update and the one BP would make from the same weights. Does it follow the weight alignment?"""),
]

# ----------------------------------------------------------------------------------------------
FITTING = [
    md(r"""# Fitting spiking networks with hidden neurons: sample-and-measure

*Model family:* `neurocore.fitting` · *Paper:* G. Bellec, S. Wang, A. Modirshanechi, J. Brea &
W. Gerstner, "Fitting summary statistics of neural data with a differentiable spiking network
simulator", NeurIPS 2021. *Reproductions:* `neurocore reproduce sample_and_measure_hidden`,
`neulvm_wta` (Wang et al. 2022, the neuLVM).

We record $n_{obs}$ neurons over many trials, binned into spikes $z_{b,t,j} \in \{0, 1\}$. The
model is a stochastic spiking network with synaptic delays, in which some neurons may be **hidden**
(never recorded):

$$v_{t,j} = \sum_{d=1}^{D}\sum_i W_{d,ij}\, z_{t-d,i} + b_j, \qquad p_{t,j} = \sigma\!\left(\beta\,\frac{v_{t,j} - \theta}{\theta}\right), \qquad z_{t,j} \sim \mathrm{Bernoulli}(p_{t,j}).$$

*Maximum likelihood* (MLE) with only the recorded neurons conditions on their past spikes: given
the past, recorded neurons are independent, so such a model cannot produce the **same-bin
(lag-0) noise correlations** that a shared hidden input creates. *Sample-and-measure* also
simulates the model freely, measures summary statistics of its sampled spikes (PSTH and lagged
noise covariances $C_d = \langle \tilde z_t \tilde z_{t-d}^\top\rangle$) and penalises their
distance to the data's. Gradients flow through the sampled spikes with a pseudo-derivative.

Our ground truth: 4 recorded neurons, all driven (delay 1) by one hidden, self-exciting neuron."""),
    code(SETUP + """
from neurocore.fitting import SampleAndMeasureNetwork, LossWeights, noise_correlations
from neurocore.experiments.sample_and_measure_hidden import ground_truth, WEIGHTS"""),
    md(r"""## 1. The recording

300 trials of 100 bins from the ground truth; we keep only neurons 0-3."""),
    code("""gt = ground_truth()                          # 4 recorded + 1 hidden neuron, delays up to 3 bins
z, _ = gt.simulate(300, 100, rng=0)            # (trials, bins, neurons)
data = z[..., :4]
C_data = noise_correlations(data, 3)            # (lags, 4, 4)
print("firing probabilities per bin:", data.mean(axis=(0, 1)).round(3), " hidden:", z[..., 4].mean().round(3))
fig, ax = plt.subplots(figsize=(7, 2.5))
b, t, j = np.nonzero(z[:3])                    # trial, bin, neuron of every spike
ax.plot(t + 110 * b, j, "|", ms=8)
ax.set_yticks(range(5)); ax.set_yticklabels(["0", "1", "2", "3", "hidden"])
ax.set_xlabel("bin (three trials side by side)"); ax.set_title("spikes of the ground truth")"""),
    md(r"""## 2. Two fits

(a) `fit_mle`: exact maximum likelihood of a network of the 4 recorded neurons only.
(b) The same network plus one hidden neuron, warm-started from (a) and trained with
MLE + PSTH + noise-correlation losses (`LossWeights`; the experiment's weights, 200 Adam steps)."""),
    code("""mle = SampleAndMeasureNetwork(4, 0, D=3, rng=0)
mle.fit_mle(data)
hid = SampleAndMeasureNetwork(4, 1, D=3, rng=0)
hid.W[:, :4, :4], hid.bias[:4] = mle.W, mle.bias
hist = hid.fit(data, weights=WEIGHTS, n_iter=200, batch=100, lr=1e-2, n_lags=3, rng=0)
print(WEIGHTS)
plt.figure(figsize=(4.5, 3.2))
plt.semilogy(hist["nc"]); plt.xlabel("Adam step"); plt.ylabel("noise-correlation loss")"""),
    md(r"""## 3. Do the fitted models reproduce the noise correlations?

We simulate each model freely (1000 trials) and compare its lag-0 noise covariances of the
recorded neurons with the data's. The observed-only model has none off the diagonal; the model
with a hidden neuron recovers them."""),
    code("""def lag0(net):
    zz, _ = net.simulate(1000, 100, rng=1)
    C = noise_correlations(zz[..., :4], 3)[0]
    np.fill_diagonal(C, np.nan)                 # variances are not noise correlations
    return C

mats = {"data": C_data[0].copy(), "MLE, recorded only": lag0(mle), "with 1 hidden neuron": lag0(hid)}
np.fill_diagonal(mats["data"], np.nan)
fig, axes = plt.subplots(1, 3, figsize=(10, 3))
for ax, (title, C) in zip(axes, mats.items()):
    im = ax.imshow(C, vmin=-0.01, vmax=0.05, cmap="viridis")
    err = np.sqrt(np.nansum((C - mats["data"]) ** 2))
    ax.set_title(f"{title}\\n|C - C_data| = {err:.3f}", fontsize=9); ax.set_xticks(range(4)); ax.set_yticks(range(4))
fig.colorbar(im, ax=axes, shrink=0.8, label="lag-0 noise covariance")"""),
    md(r"""## Exercises

1. Fit the hidden-neuron model with the authors' literal loss, `LossWeights()` (noise-correlation
   weight 50, estimator `'p'`). Does the hidden neuron still get used? (The experiment's
   docstring discusses why.)
2. What are the fitted weights from the hidden neuron to the recorded ones (`hid.W[0, 4, :4]`)?
   Compare them with the ground truth's (1.0 each). Is the hidden neuron identifiable?
3. Make the common input weaker (`gt.W[0, 4, :4] = 0.4`). At which strength does the
   observed-only fit become as good as the hidden-neuron fit?
4. **neuLVM.** `neurocore.fitting.wta_ground_truth` and `fit_neulvm` fit a mesoscopic model of
   populations to a winner-take-all network in which a whole population is hidden; run
   `neurocore reproduce neulvm_wta --quick` and read its figure."""),
]

# ----------------------------------------------------------------------------------------------
LOWRANK = [
    md(r"""# Low-rank spiking networks: latent boundaries and spiking memories

*Model family:* `neurocore.spiking.ei_boundary`, `neurocore.spiking.lowrank_memory`,
`neurocore.spiking.geometry_plots` · *Papers:* W. F. Podlaski & C. K. Machens, "Approximating
nonlinear functions with latent boundaries in low-rank excitatory-inhibitory spiking networks",
Neural Computation 36, 803 (2024); and their hypercube associative memory (NeurReps 2024; the
memory model here is a **reconstruction**, see the module docstring). *Reproductions:*
`neurocore reproduce ei_boundary_function_approx`, `spiking_memory_completion`, `spiking_memory_capacity`.

A population of $N$ leaky integrate-and-fire neurons reads out a few latent variables
$y = D r$ from its filtered spike trains $\dot r_j = -\lambda r_j + \sum_k \delta(t - t_j^k)$.
Each neuron's voltage is a linear function of the input $x$ and the latent,

$$V_i = F_i\,x + E_i\,y, \qquad \text{neuron } i \text{ spikes when } V_i > T_i ,$$

so the recurrent weights $W = E D$ have low rank, and neuron $i$'s threshold is a **boundary**, the
hyperplane $F_i x + E_i y = T_i$ in the space of $(x, y)$. In an inhibitory population ($D < 0$)
every spike pushes $y$ back below the boundary it crossed: the latent tracks the *lower envelope*
of all boundaries. With tangents of a concave function $f$ as boundaries, the network computes
$y(t) \approx f(x(t))$.

The same geometry builds a memory: $d$ latent dimensions and $N = 2d$ neurons, one for each face
of the box $[-1, 1]^d$, hold a slow latent $u$ inside the box, $v = \operatorname{clip}(u)$, and a
slow Hopfield loop $\tau_u \dot u = -u + \gamma J v$ makes chosen vertices $\xi \in \{-1,1\}^d$
stable. Times are in seconds here ($\lambda = 100$/s, $dt = 0.1$ ms)."""),
    code(SETUP + """
from neurocore.spiking import ei_boundary as eb, lowrank_memory as lm, geometry_plots as gp"""),
    md(r"""## 1. An inhibitory population computes a concave function

Fifty neurons with boundaries tangent to $f(x) = -x^2 - 0.5$ at 50 anchor points; decoders
$D = -0.1$. The input ramps from $-1$ to $1$ in 0.3 s."""),
    code("""f = lambda x: -np.asarray(x) ** 2 - 0.5
df = lambda x: -2 * np.asarray(x)
anchors = np.linspace(-1, 1, 50)
E, F, T = eb.tangent_neurons(f, df, anchors)
dt = 1e-4
t, x = eb.ramp_protocol(dt)
net = eb.inhibitory_boundary_network(f, df, anchors, D=-0.1)
run = net.run(x, dt)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
gp.plot_boundaries_1d(axes[0], E, F, T, np.linspace(-1.2, 1.2, 200), run=run, target=f)
axes[0].legend(fontsize=7, loc="lower center"); axes[0].set_title("boundaries, envelope and y(t)")
gp.plot_raster(axes[1], run.spike_times, run.spike_ids)
axes[1].set_title("spikes (neurons ordered by anchor)")
plt.tight_layout()
m = run.t >= 0.05
print(f"{run.spike_times.size} spikes; mean |y - f(x)| = {np.mean(np.abs(run.y[m, 0] - f(run.x[m, 0]))):.3f} "
      f"(decoder size 0.1)")"""),
    md(r"""## 2. A spiking associative memory on the hypercube

We store $P = 3$ random patterns in $d = 40$ latent dimensions ($N = 80$ neurons) with the
pseudo-inverse rule, cue the network with pattern 0 with 20% of its entries flipped, and follow
the overlaps $m_\mu = \xi^\mu \cdot v / d$. The spikes keep $v$ inside the box while the slow loop
drives it to the vertex of the stored pattern."""),
    code("""d = 40
xi = lm.random_patterns(3, d, rng=0)
mem = lm.HypercubeMemory.from_patterns(xi, "pseudo_inverse", gamma=2.0)
cue = lm.corrupt(xi[:1], 0.2, rng=1)[0]
mrun = mem.run(0.5 * cue, 0.15, rec_every=10, rng=2)
print(f"final overlaps {lm.overlap(mrun.v[-1], xi).round(2)}, max |v| = {np.abs(mrun.v).max():.3f}, "
      f"mean rate {mrun.rate(mem.n):.1f} Hz")
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
gp.plot_overlaps(axes[0], mrun, xi); axes[0].legend(["cued pattern", "pattern 1", "pattern 2"], fontsize=7)
k = np.flatnonzero(cue != xi[0])[:2]
gp.plot_box(axes[1], mrun, dims=(int(k[0]), int(k[1])), patterns=xi[:1])
axes[1].set_title("two dimensions flipped in the cue")
gp.plot_raster(axes[2], mrun.spike_times, mrun.spike_ids)
plt.tight_layout()"""),
    md(r"""## 3. Which learning rule stores more?

A vertex $\xi$ is stable iff $\gamma\, \xi_k (J\xi)_k > 1$ for every $k$ (`vertex_margins`). The
rate-level reference (`completion_overlaps`, the slow latent with $v = \operatorname{clip}(u)$)
is fast enough to sweep the load: mean overlap after completion from cues with 10% flipped
entries, Hebbian against pseudo-inverse. The capacities (overlap $\ge 0.95$) come out near the
module's measured 0.05 (Hebbian) and 0.31 (pseudo-inverse) patterns per neuron."""),
    code("""loads = [2, 4, 8, 12, 16, 20, 24, 28, 32]
plt.figure(figsize=(4.5, 3.3))
for rule in ["hebbian", "pseudo_inverse"]:
    m = []
    for P in loads:                                # three pattern sets per load
        m.append(np.mean([lm.completion_overlaps(lm.learn(pats, rule), pats, 0.1, rng=s).mean()
                          for s in range(3) for pats in [lm.random_patterns(P, d, rng=100 * P + s)]]))
    plt.plot(np.array(loads) / (2 * d), m, "o-", label=rule)
plt.axhline(0.95, color="k", ls=":", lw=0.8)
plt.xlabel("patterns per neuron P / N"); plt.ylabel("mean overlap after completion"); plt.legend()"""),
    md(r"""## Exercises

1. **Excitatory boundaries.** Build the tangent network with `D=+0.1`. Why does $y$ no longer track
   the envelope (an unstable boundary)?
2. **Precision and spikes.** Halve and double the decoder size $|D|$ in section 1. How do the
   tracking error and the number of spikes change?
3. **E-I networks.** `eb.fig8_network()` is an excitatory-inhibitory network whose activity sits at
   the intersection of two boundaries; run it on `eb.ramp_protocol(dt)` and plot it with
   `gp.plot_ei_plane`.
4. **Capacity.** Run the spiking memory (`completion_overlaps(..., spiking=True)`) at the load where
   the rate reference begins to fail. Does the spiking network do as well?"""),
]

NOTEBOOKS = {
    "01_rate_networks_and_chaos.ipynb": RATE,
    "02_spiking_engine.ipynb": SPIKING,
    "03_plasticity_rules.ipynb": PLASTICITY,
    "04_surprise.ipynb": SURPRISE,
    "05_population_geometry.ipynb": GEOMETRY,
    "06_loss_landscape_symmetry.ipynb": LANDSCAPE,
    "07_sweeps.ipynb": SWEEP,
    "08_dmft.ipynb": DMFT,
    "09_kernel_memory.ipynb": MEMORY,
    "10_recurrent_training.ipynb": RECURRENT,
    "11_deep_credit_assignment.ipynb": DEEP,
    "12_fitting_hidden_neurons.ipynb": FITTING,
    "13_lowrank_spiking.ipynb": LOWRANK,
}


def build(name, cells):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, text) in enumerate(cells):
        if kind == "code" and text.splitlines()[-1].startswith(("plt.", "ax.", "ax[", "axes[")):
            text += ";"                                             # no "<matplotlib...>" echo
        cell = new_markdown_cell(text) if kind == "md" else new_code_cell(text)
        cell["id"] = f"{os.path.splitext(name)[0][:2]}-{i:02d}"    # stable ids: no diff noise on rebuild
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def main():
    for name, cells in NOTEBOOKS.items():
        path = os.path.join(HERE, name)
        nbformat.write(build(name, cells), path)
        print("wrote", os.path.relpath(path))


if __name__ == "__main__":
    main()
