"""Tests of neurocore.fitting: sample-and-measure (checks S1-S5, S7 of
/work/shared/papers/seed002_memory_fitting.md section 3) and neuLVM (N1-N7, section 2), the data
adapter, and the C kernels against the NumPy twins in tests/reference/fitting_ref.py."""
import numpy as np
import pytest
from scipy import integrate, optimize

from neurocore.fitting import (LossWeights, MesoParams, NaNInRecordingError, NonBinarySpikesError,
                               SampleAndMeasureNetwork, SpikeDataError, TrialCountMismatchError, WTA_MASK, _fitting,
                               e_step, fit_neulvm, initial_latent, m_step, neg_log_likelihood, noise_correlations,
                               simulate_meso, simulate_micro, sigmoid, spike_trials, wta_ground_truth)
from neurocore.fitting.neulvm import _params_of, _theta_of
from neurocore.spiking import EscapeNoiseNetwork

from .reference import fitting_ref as ref


def _relerr(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


def _fd(f, P, eps):
    G = np.zeros_like(P)
    for idx in np.ndindex(P.shape):
        Pp, Pm = P.copy(), P.copy()
        Pp[idx] += eps
        Pm[idx] -= eps
        G[idx] = (f(Pp) - f(Pm)) / (2 * eps)
    return G


# ------------------------------------------------------------------ sample-and-measure

def _small_net(n_hidden=1, n_in=2, seed=0, D=3, n_obs=3):
    rng = np.random.default_rng(seed)
    N = n_obs + n_hidden
    return SampleAndMeasureNetwork(n_obs, n_hidden, D=D, n_in=n_in, W=rng.normal(0, 0.5, (D, N, N)),
                                   U=rng.normal(0, 0.5, (n_in, N)) if n_in else None, bias=rng.normal(0, 0.3, N))


def test_s1_meanfield_gradient_all_losses_matches_finite_differences():
    # S1: in mean-field mode (z = p) the reverse sweep is the exact gradient of PSTH + NC + MLE + fr
    # losses; oracle: central finite differences, criterion relative error < 1e-5 (notes 3.7).
    net = _small_net()
    rng = np.random.default_rng(1)
    B, T = 5, 20
    x = rng.normal(0, 1, (T, 2))
    data = (rng.random((B, T, 3)) < 0.3).astype(np.uint8)
    w = LossWeights(psth=0.1, nc=50.0, mle=0.4, fr=0.5)

    def loss(name, P):
        m = net.copy()
        setattr(m, name, P)
        return m.loss_and_grad(data, x, w, n_lags=4, mean_field=True).total

    res = net.loss_and_grad(data, x, w, n_lags=4, mean_field=True)
    assert all(res.parts[k] > 0 for k in ("psth", "nc", "mle", "fr"))
    for name, key in (("W", "W"), ("U", "U"), ("bias", "bias")):
        G = _fd(lambda P: loss(name, P), getattr(net, name), 1e-6)
        assert _relerr(res.grads[key], G) < 1e-5, name


def test_s2_mle_gradient_without_sampling():
    # S2: the MLE term of a network without hidden neurons needs no sampling; oracle: central FD,
    # relative error < 1e-6 (notes 3.7).
    net = _small_net(n_hidden=0, n_in=0, seed=3, n_obs=4)
    rng = np.random.default_rng(2)
    data = (rng.random((6, 25, 4)) < 0.25).astype(np.uint8)
    w = LossWeights(psth=0, nc=0, mle=1.0, fr=0)
    res = net.loss_and_grad(data, weights=w)
    for name in ("W", "bias"):
        def f(P, name=name):
            m = net.copy()
            setattr(m, name, P)
            return m.loss_and_grad(data, weights=w).total
        assert _relerr(res.grads[name], _fd(f, getattr(net, name), 1e-6)) < 1e-6


def test_s2_mle_equals_spiking_engine_glm_likelihood():
    # The teacher-forced MLE loss is a Bernoulli-logistic GLM: with D = 1 it must equal the spiking
    # engine's escape-noise log-likelihood with rho = softplus and dt * rho_scale = 1 (then
    # p = 1 - exp(-softplus(u)) = sigmoid(u)), u = beta (v - thr)/thr. Oracle: neurocore.spiking.
    rng = np.random.default_rng(4)
    N, T, thr, beta = 4, 60, 0.4, 1.3
    W = rng.normal(0, 0.4, (1, N, N))
    b = rng.normal(0, 0.3, N)
    S = (rng.random((T, N)) < 0.3).astype(np.uint8)
    net = SampleAndMeasureNetwork(N, 0, D=1, W=W, bias=b, thr=thr, beta=beta)
    ll = net.log_likelihood(S[None])
    glm = EscapeNoiseNetwork(N, u0=beta * (b - thr) / thr, J=beta * W[0].T / thr, syn_kernel=[1.0], rho="softplus")
    _, _, ll_glm = glm.potential(S, dt=1.0)
    assert ll == pytest.approx(ll_glm, rel=1e-12)


def test_s3_same_seed_bit_identical_spikes_losses_gradients():
    # S3: reproducibility; same seed -> bitwise identical spikes, losses and gradients; another seed
    # differs.
    net = _small_net(n_hidden=2)
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1, (30, 2))
    data = (rng.random((8, 30, 3)) < 0.3).astype(np.uint8)
    r1 = net.loss_and_grad(data, x, rng=11)
    r2 = net.loss_and_grad(data, x, rng=11)
    r3 = net.loss_and_grad(data, x, rng=12)
    assert r1.total == r2.total and np.array_equal(r1.model_spikes, r2.model_spikes)
    for k in r1.grads:
        assert np.array_equal(r1.grads[k], r2.grads[k])
    assert not np.array_equal(r1.model_spikes, r3.model_spikes)


def test_s3_stochastic_backward_matches_numpy_twin():
    # The stochastic-mode reverse sweep (pseudo-derivative) against the dense NumPy twin.
    rng = np.random.default_rng(6)
    N, D = 5, 3
    W = rng.normal(0, 0.3, (D, N, N))
    b = rng.normal(0, 0.3, N)
    s, z = _fitting.sm_forward(W, b, 6, 30, 3, bitgen=np.random.default_rng(1).bit_generator)
    g = rng.normal(size=s.shape)
    dW, _, db = _fitting.sm_backward(W, b, s, z, g, 3)
    dW2, db2 = ref.sm_backward_dense(W, s, z.astype(float), g)
    assert np.allclose(dW, dW2, rtol=1e-12, atol=1e-12) and np.allclose(db, db2, rtol=1e-12, atol=1e-12)


def test_forward_matches_numpy_twin_free_and_teacher_forced():
    rng = np.random.default_rng(7)
    W = rng.normal(0, 0.3, (3, 5, 5))
    b = rng.normal(0, 0.3, 5)
    U = rng.normal(0, 0.3, (2, 5))
    x = rng.normal(0, 1, (20, 2))
    data = (rng.random((4, 20, 3)) < 0.3).astype(np.uint8)
    for d in (None, data):
        s, _ = _fitting.sm_forward(W, b, 4, 20, 3, U, x, d, mean_field=True)
        assert np.allclose(s, ref.sm_forward_meanfield(W, b, 4, 20, 3, U, x, d), atol=1e-12)


def test_s4_simulator_rates_and_covariances():
    # S4: W = 0, constant drive: rate = sigmoid(beta (b - thr)/thr) within 4 SE, off-diagonal
    # noise covariance within 4 SE of 0; with W(1)[0 -> 1] > 0 the lag-1 cross-covariance of
    # neuron 1 on neuron 0 is > 0 with z > 4. Oracle: Bernoulli statistics.
    B, T, N = 400, 100, 3
    b = np.array([0.2, 0.3, 0.5])
    net = SampleAndMeasureNetwork(N, 0, D=1, W=np.zeros((1, N, N)), bias=b)
    z, _ = net.simulate(B, T, rng=0)
    p = sigmoid((b - 0.4) / 0.4)
    rate = z.mean(axis=(0, 1))
    assert np.all(np.abs(rate - p) < 4 * np.sqrt(p * (1 - p) / (B * T)))
    C = noise_correlations(z, 2)
    se = np.sqrt(p[0] * (1 - p[0]) * p[1] * (1 - p[1]) / (B * T))
    assert abs(C[0, 0, 1]) < 4 * se and abs(C[1, 0, 1]) < 4 * se
    W = np.zeros((1, N, N))
    W[0, 0, 1] = 0.8
    z, _ = SampleAndMeasureNetwork(N, 0, D=1, W=W, bias=b).simulate(B, T, rng=1)
    C = noise_correlations(z, 2)
    assert C[1, 1, 0] / se > 4     # C_1[1, 0] = <n1(t) n0(t-1)>


def test_s5_psth_alone_and_mle_alone_recover_feedforward_glm():
    # S5: without hidden neurons and recurrence (W = 0), fits with L_PSTH alone and with L_MLE alone
    # recover bias and U of a feed-forward Bernoulli GLM within 10 % (notes 3.7: N = 5, 50 bins,
    # 200 trials). p does not depend on the sampled spikes, so L-BFGS on exact gradients is used.
    rng = np.random.default_rng(8)
    N, T, B, n_in = 5, 50, 200, 2
    # orthogonal unit-variance features; over seeds 8-12 the largest relative error was 0.079
    x = np.sqrt(2) * np.stack([np.sin(4 * np.pi * np.arange(T) / T), np.cos(4 * np.pi * np.arange(T) / T)], 1)
    U = rng.choice([-1, 1], (n_in, N)) * rng.uniform(0.5, 0.8, (n_in, N))   # SE ~ 0.015 (10^4 bins)
    b = rng.uniform(-0.5, -0.3, N)
    gt = SampleAndMeasureNetwork(N, 0, D=1, n_in=n_in, W=np.zeros((1, N, N)), U=U, bias=b)
    z, _ = gt.simulate(B, T, x, rng=9)
    fits = []
    for w in (LossWeights(psth=1.0, nc=0, mle=0, fr=0), LossWeights(psth=0, nc=0, mle=1.0, fr=0)):
        m = SampleAndMeasureNetwork(N, 0, D=1, n_in=n_in, W=np.zeros((1, N, N)), U=np.zeros((n_in, N)),
                                    bias=np.zeros(N))

        def f(th):
            m.U, m.bias = th[:n_in * N].reshape(n_in, N), th[n_in * N:]
            r = m.loss_and_grad(z, x, w, mean_field=True)
            return r.total, np.concatenate([r.grads["U"].ravel(), r.grads["bias"]])

        optimize.minimize(f, np.zeros(n_in * N + N), jac=True, method="L-BFGS-B",
                          options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 1000})
        assert np.max(np.abs(m.bias - b) / np.abs(b)) < 0.10
        assert np.max(np.abs(m.U - U) / np.abs(U)) < 0.10
        fits.append(np.r_[m.U.ravel(), m.bias])
    # no hidden neurons, inputs shared by the trials: both losses have the same minimiser
    assert np.allclose(fits[0], fits[1], atol=1e-4)


def test_s7_nc_and_psth_loss_gradient_with_centring_and_circular_shift():
    # S7: closed-form dL/ds of the PSTH + NC terms (trial centring, circular shifts) vs central FD,
    # relative error < 1e-6; the statistics themselves vs the NumPy twin.
    rng = np.random.default_rng(10)
    B, T, N, n = 4, 12, 4, 3
    s = rng.normal(-0.5, 0.8, (B, T, N))
    data = (rng.random((B, T, n)) < 0.3).astype(np.uint8)
    pd, ncd = _fitting.sm_stats(data=data, Dnc=5)
    ps2, C2 = ref.sm_stats(data.astype(float), 5)
    assert np.allclose(pd, ps2, atol=1e-15) and np.allclose(ncd, C2, atol=1e-15)
    for skip in (False, True):
        lp, ln, g = _fitting.sm_loss(s, pd, ncd, n, 1.0, 0.1, 50.0, skip)

        def f(S):
            a, c, _ = _fitting.sm_loss(S, pd, ncd, n, 1.0, 0.1, 50.0, skip)
            return a + c

        G = _fd(f, s, 1e-6)
        assert _relerr(g, G) < 1e-6
        assert np.all(g[..., n:] == 0.0)


# ------------------------------------------------------------------ data adapter

def test_data_adapter_named_errors_and_no_mutation():
    good = np.zeros((3, 10, 2))
    good[0, 1, 0] = 1
    out = spike_trials(good)
    assert out.dtype == np.uint8 and out.shape == (3, 10, 2)
    bad = good.copy()
    bad[1, 2, 1] = 2
    with pytest.raises(NonBinarySpikesError, match="'spikes'.*only 0 and 1"):
        spike_trials(bad)
    nan = good.copy()
    nan[2, 3, 0] = np.nan
    with pytest.raises(NaNInRecordingError, match="NaN"):
        spike_trials(nan)
    with pytest.raises(TrialCountMismatchError, match="3 trials, expected 4"):
        spike_trials(good, n_trials=4)
    with pytest.raises(SpikeDataError):
        spike_trials(np.zeros(5))
    assert np.isnan(nan[2, 3, 0]) and bad[1, 2, 1] == 2      # untouched


def test_fit_failing_midway_leaves_user_arrays_untouched():
    net = _small_net(n_in=0)
    rng = np.random.default_rng(11)
    data = (rng.random((10, 15, 3)) < 0.3).astype(float)
    before = data.copy()

    def boom(it, res):
        if it == 2:
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        net.fit(data, n_iter=5, batch=4, n_lags=3, rng=0, callback=boom)
    assert np.array_equal(data, before)
    p = wta_ground_truth()
    run = simulate_micro(p, 0.4, rng=0)
    y = run.y.copy()
    with pytest.raises(TrialCountMismatchError, match="'Z_init'"):
        fit_neulvm([run.y], run.obs_pop, p, Z_init=[run.Z, run.Z])
    Z = run.Z.copy()
    Z[-1, 0] = np.nan
    Zc = Z.copy()
    with pytest.raises(ValueError, match="'Z'"):
        neg_log_likelihood(p, Z, run.y, run.obs_pop)
    assert np.array_equal(run.y, y) and np.array_equal(Z, Zc, equal_nan=True)


def test_bad_inputs_name_the_argument():
    W = np.zeros((2, 3, 3))
    with pytest.raises(ValueError, match="'W'"):
        _fitting.sm_forward(np.zeros((2, 3, 4)), np.zeros(3), 2, 5, 3, mean_field=True)
    with pytest.raises(ValueError, match="'bias'"):
        _fitting.sm_forward(W, np.zeros(4), 2, 5, 3, mean_field=True)
    with pytest.raises(ValueError, match="'data'"):
        _fitting.sm_forward(W, np.zeros(3), 2, 5, 3, data=np.full((2, 5, 3), 2, np.uint8), mean_field=True)
    with pytest.raises(ValueError, match="'bitgen'"):
        _fitting.sm_forward(W, np.zeros(3), 2, 5, 3)
    with pytest.raises(ValueError, match="'n_obs'"):
        _fitting.sm_forward(W, np.zeros(3), 2, 5, 4, mean_field=True)
    with pytest.raises(ValueError, match="'x'"):
        SampleAndMeasureNetwork(3, 0, D=2, n_in=2).simulate(2, 5)
    p = wta_ground_truth()
    with pytest.raises(ValueError, match="'amem'"):
        simulate_meso(p.copy(amem=np.array([50.0, 300.0, 50.0])), 0.1)
    with pytest.raises(ValueError, match="'J'"):
        MesoParams(amem=[1.0], urest=[1.0], theta=[1.0], asyn=[1.0], J=np.zeros((2, 2)), N=[10], A0=[1.0])
    with pytest.raises(ValueError, match="'y'"):
        neg_log_likelihood(p, np.zeros((300, 3)), np.full((300, 9), 3), np.zeros(9, np.int32))


# ------------------------------------------------------------------ neuLVM

def _renewal_rate(amem, ur, th, J, tref):
    """Continuous-time renewal fixed point A* = 1/int S(a) da, self-consistent h = J A*, with the
    refractory clamp V(a) = V_inf (1 - exp(-amem (a - t_ref))) (notes 2.5)."""
    a = np.linspace(tref, 1.0, 100001)

    def rate(A):
        V = (ur + J * A / amem) * (1 - np.exp(-amem * (a - tref)))
        S = np.exp(-integrate.cumulative_trapezoid(np.exp(V - th), a, initial=0))
        return 1 / (tref + np.trapezoid(S, a))

    return optimize.brentq(lambda A: rate(A) - A, 1, 200)


def _one_pop(dt, A0):
    return MesoParams(amem=[50.0], urest=[14.4], theta=[3.7], asyn=[1 / 0.003], J=[[-5.0]], N=[500], A0=[A0], dt=dt)


def test_n1_deterministic_fixed_point_converges_to_renewal_theory():
    # N1: deterministic meso, one population, J = -5: the fixed point does not depend on A0 (1e-4 Hz),
    # its error to the renewal rate A* is first order in dt (error ratio dt/(dt/2) in [1.8, 2.2]) and
    # < 0.7 % at dt = 0.5 ms. Oracle: renewal theory (quadrature); prototype values 32.99 / 31.53 Hz.
    Astar = _renewal_rate(50.0, 14.4, 3.7, -5.0, 0.004)
    assert Astar == pytest.approx(31.33, abs=0.01)
    fp = [simulate_meso(_one_pop(0.004, A0), 1.5, deterministic=True)["Z"][-1, 0] / 0.004 for A0 in (5.0, 20.0, 34.0)]
    assert max(fp) - min(fp) < 1e-4
    err = {}
    for dt in (0.001, 0.0005):
        r = simulate_meso(_one_pop(dt, 20.0), 0.6, deterministic=True)["Z"]
        assert abs(r[-1, 0] - r[-2, 0]) / dt < 1e-6           # converged
        err[dt] = r[-1, 0] / dt - Astar
    assert abs(err[0.0005]) / Astar < 0.007
    assert 1.8 <= err[0.001] / err[0.0005] <= 2.2
    assert fp[0] == pytest.approx(32.99, abs=0.01)


def test_n1_meso_matches_numpy_twin():
    p = wta_ground_truth(a_cutoff=0.2)
    r = simulate_meso(p, 0.4, deterministic=True)
    Zb, ms, Z = ref.meso_forward(p, r["Z"], p.A, "mean")
    assert np.allclose(Zb, r["Zbar"], atol=1e-14) and np.allclose(ms, r["msum"], atol=1e-13)


def test_n2_meso_matches_micro_conditional_rates():
    # N2: 3-population WTA at dt = 4 ms, 30 s: mean rates of the winning E, losing E and I
    # population of the mesoscopic model vs the microscopic network, within 5 % / 25 % / 3 %.
    # Oracle: the microscopic simulation (same parameters).
    p = wta_ground_truth()

    def cond(R):
        w = R[:, 0] > R[:, 1]
        return np.r_[np.where(w, R[:, 0], R[:, 1]).mean(), np.where(w, R[:, 1], R[:, 0]).mean(), R[:, 2].mean()]

    mic = simulate_micro(p, 30.0, rng=0).rates
    mes = simulate_meso(p, 30.0, rng=0)["Z"][p.A:] / p.dt
    a = cond(mic)
    b = cond(mes)
    assert abs(b[0] / a[0] - 1) < 0.05 and abs(b[1] / a[1] - 1) < 0.25 and abs(b[2] / a[2] - 1) < 0.03


def test_n3_code_probability_vs_exact_bernoulli():
    # N3: the authors' P = lambda dt (where lambda dt < 0.01) differs from 1 - exp(-lambda dt) by at
    # most 5e-5 per bin there (Taylor: x^2/2 <= 5e-5) and is identical above.
    p = wta_ground_truth(a_cutoff=0.3)
    run = simulate_micro(p, 0.5, rng=1)
    r0 = neg_log_likelihood(p, run.Z, run.y, run.obs_pop, record_age=True)
    r1 = neg_log_likelihood(p.copy(code_prob=True), run.Z, run.y, run.obs_pop, record_age=True)
    V = r0["V"]
    lam_dt = np.exp(V - 3.7) * p.dt
    lam_dt[:, :, :p.n_ref] = p.lam_ref * p.dt
    small = lam_dt < 0.01
    assert small.any() and (~small).any()
    assert np.max(np.abs(r1["P"] - r0["P"])[small]) <= 5e-5
    assert np.max(np.abs(r1["P"] - r0["P"])[~small]) == 0.0


def test_n4_bookkeeping_invariants():
    # N4: S in [0, 1] with S_t[1] = 1, m >= 0, Zbar in [0, 1], |1 - sum m| < 1e-3 at stationarity
    # (a_cutoff = 1 s; definitions in fitting_meso.c).
    p = wta_ground_truth()
    r = simulate_meso(p, 2.0, rng=3, record_age=True)
    S = r["S"][p.A:]
    assert np.all(S >= 0) and np.all(S <= 1) and np.all(S[:, :, 0] == 1)
    assert np.all(r["Zbar"] >= 0) and np.all(r["Zbar"] <= 1) and np.all(r["Z"] >= 0)
    # mass conservation at the stationary state of the mean dynamics (one population, J = -5, the
    # setting of N1: every neuron fires within the 1 s window; the sampled Z injects finite-size
    # noise, and the WTA loser fires so rarely that mass leaves the window)
    d = simulate_meso(_one_pop(0.004, 20.0), 1.5, deterministic=True)
    assert np.max(np.abs(1 - d["msum"][-100:])) < 1e-3


def test_n5_adjoint_matches_finite_differences():
    # N5: hand-written adjoint of -log p(y, Z) with respect to Z and to (amem, urest, theta, J) vs
    # central finite differences on a 0.2 s window after a short history; relative error < 1e-5.
    p = wta_ground_truth(a_cutoff=0.12)
    rng = np.random.default_rng(4)
    run = simulate_micro(p, 0.2, rng=5)
    Z = run.Z.copy()
    Z[p.A:] = np.clip(Z[p.A:] + 0.01 * rng.random(Z[p.A:].shape), 1e-4, 1)
    r = neg_log_likelihood(p, Z, run.y, run.obs_pop, grad=True)
    idx = [(t, a) for t in range(p.A, Z.shape[0], 9) for a in range(3)]
    fd = []
    for t, a in idx:
        Zp, Zm = Z.copy(), Z.copy()
        Zp[t, a] += 1e-7
        Zm[t, a] -= 1e-7
        fd.append((sum(neg_log_likelihood(p, Zp, run.y, run.obs_pop)["nll"]) -
                   sum(neg_log_likelihood(p, Zm, run.y, run.obs_pop)["nll"])) / 2e-7)
    assert _relerr(np.array([r["gZ"][t, a] for t, a in idx]), np.array(fd)) < 1e-5
    for name in ("amem", "urest", "theta", "J"):
        G = _fd(lambda P: sum(neg_log_likelihood(p.copy(**{name: P}), Z, run.y, run.obs_pop)["nll"]),
                getattr(p, name), 1e-6)
        assert _relerr(r["g_" + name], G) < 1e-5, name


def test_n6_m_step_recovers_couplings_from_true_latents():
    # N6 (reduced for test time: 5 s, one start at 1.3 x ground truth): with the true Z from a
    # microscopic run plus 9 recorded neurons, the loss at the ground truth is below the loss at the
    # start, and the M-step recovers the three coupling factors within 20 % (calibrated over 5
    # seeds in the experiment neulvm_wta) and the thresholds of the winning E and I populations
    # within 20 %.
    p = wta_ground_truth()
    run = simulate_micro(p, 5.0, rng=2)
    th_gt = _theta_of(p, WTA_MASK)
    p0 = _params_of(th_gt * np.r_[1.3, 0.8, 1.2, 0.75, 1.3, 0.8, 1.1, 0.9, 1.2, 1.25, 0.8, 1.2], p, WTA_MASK)
    n = run.Z.shape[0] - p.A
    L0 = sum(neg_log_likelihood(p0, run.Z, run.y, run.obs_pop)["nll"]) / n
    Lgt = sum(neg_log_likelihood(p, run.Z, run.y, run.obs_pop)["nll"]) / n
    assert Lgt < L0
    pf, L = m_step(p0, run.Z, run.y, run.obs_pop, bounds=(0.4 * th_gt, 2.0 * th_gt), maxiter=60)
    assert L < L0
    rel = _theta_of(pf, WTA_MASK) / th_gt - 1
    assert np.all(np.abs(rel[3:6]) < 0.2), rel


def test_n7_e_step_improves_latents_monotonically():
    # N7: E-step with ground-truth parameters: the objective of the returned Z never exceeds the
    # start (revert-to-best rule) and the inferred latent correlates better with the true Z (80 ms
    # smoothing) than the smoothed-spike initialisation.
    from scipy.ndimage import gaussian_filter1d
    p = wta_ground_truth(a_cutoff=0.5)
    run = simulate_micro(p, 3.0, rng=6)
    Z0 = initial_latent(run.y, run.obs_pop, p)
    Z, hist = e_step(p, Z0, run.y, run.obs_pop, lr=2e-3, max_steps=60)
    assert min(hist) <= hist[0]
    assert sum(neg_log_likelihood(p, Z, run.y, run.obs_pop)["nll"]) == pytest.approx(min(hist))
    sm = lambda z: gaussian_filter1d(z[p.A:], 0.08 / p.dt, axis=0)
    c_new = np.mean([np.corrcoef(sm(Z)[:, a], sm(run.Z)[:, a])[0, 1] for a in range(3)])
    c_old = np.mean([np.corrcoef(sm(Z0)[:, a], sm(run.Z)[:, a])[0, 1] for a in range(3)])
    assert c_new > c_old


# ------------------------------------------------------------------ 'pz' noise-covariance estimator

def test_nc_pz_estimator_matches_spike_covariances_where_p_estimator_is_biased():
    # The 'pz' estimator (p at the later bin, sampled spike at the earlier one, + mean p(1-p) on the
    # lag-0 diagonal) is unbiased for the covariances of the model's own spikes: E[z_i(t) z_j(t-d)]
    # = E[p_i(t) z_j(t-d)] because z_i(t) given the past is Bernoulli(p_i(t)). Oracle: the
    # spike covariances of the same simulation; over 8 seeds (2000 trials x 50 bins) |pz - spikes|
    # had per-entry sd <= 7.5e-4 and max 1.4e-3, hence the 4e-3 bound. The authors' all-p estimator
    # misses the effect of each spike on later bins: its lagged entries were off by up to 0.031
    # (sd 7.6e-4) with these recurrent weights, so > 0.015 is many sd away.
    from neurocore.fitting.sample_and_measure import _model_nc_pz
    rng = np.random.default_rng(0)
    W = rng.normal(0, 0.5, (3, 4, 4))
    net = SampleAndMeasureNetwork(3, 1, D=3, W=W, bias=rng.normal(0, 0.3, 4))
    s, z = net._fwd(2000, 50, None, None, False, np.random.default_rng(3))
    Cz = noise_correlations(z[..., :3], 3)
    Cpz, _ = _model_nc_pz(s, z, 3, 1.0, 3)
    assert np.max(np.abs(Cpz - Cz)) < 4e-3
    a = sigmoid(s[..., :3]) - sigmoid(s[..., :3]).mean(axis=0)
    Cp1 = np.einsum("bti,btj->ij", a, np.roll(a, 1, axis=1)) / (2000 * 50)
    assert np.max(np.abs(Cp1 - Cz[1])) > 0.015


def test_nc_pz_loss_partials_match_finite_differences():
    # dL/ds and dL/dz of the 'pz' NC loss (trial centring, circular shifts, the p(1-p) diagonal),
    # with z treated as a free real input; oracle: central finite differences, rel. error < 1e-6.
    from neurocore.fitting.sample_and_measure import _nc_loss_pz
    rng = np.random.default_rng(2)
    B, T, N, n = 4, 12, 4, 3
    s = rng.normal(0, 1, (B, T, N))
    z = rng.random((B, T, N))
    ncd = rng.normal(0, 0.05, (3, n, n))
    _, gs, gz = _nc_loss_pz(s, z, ncd, n, 1.3, 50.0, False)
    Gs = _fd(lambda P: _nc_loss_pz(P, z, ncd, n, 1.3, 50.0, False)[0], s, 1e-6)
    Gz = _fd(lambda P: _nc_loss_pz(s, P, ncd, n, 1.3, 50.0, False)[0], z, 1e-6)
    assert _relerr(gs, Gs) < 1e-6 and np.all(Gs[..., n:] == 0)
    assert _relerr(gz, Gz[..., :n]) < 1e-6


def test_nc_pz_meanfield_gradient_all_losses_matches_finite_differences():
    # S1 with the 'pz' estimator: exact in mean-field mode (z = p); oracle: central finite differences.
    net = _small_net()
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (20, 2))
    data = (rng.random((5, 20, 3)) < 0.3).astype(np.uint8)
    w = LossWeights(psth=0.1, nc=50.0, mle=0.4, fr=0.5, nc_estimator="pz")

    def loss(name, P):
        m = net.copy()
        setattr(m, name, P)
        return m.loss_and_grad(data, x, w, n_lags=4, mean_field=True).total

    res = net.loss_and_grad(data, x, w, n_lags=4, mean_field=True)
    assert res.parts["nc"] > 0
    for name in ("W", "U", "bias"):
        assert _relerr(res.grads[name], _fd(lambda P: loss(name, P), getattr(net, name), 1e-6)) < 1e-5, name


def test_nc_pz_stochastic_gradient_matches_numpy_twin():
    # Stochastic mode: dL/dz of the 'pz' loss enters the reverse sweep with the pseudo-derivative,
    # like the recurrent dL/dz. Oracle: the dense NumPy twin with the per-element dL/dz added.
    from neurocore.fitting.sample_and_measure import _nc_loss_pz
    rng = np.random.default_rng(4)
    N, D, n, B, T = 5, 3, 3, 6, 25
    W = rng.normal(0, 0.4, (D, N, N))
    b = rng.normal(-0.2, 0.3, N)
    net = SampleAndMeasureNetwork(n, N - n, D=D, W=W, bias=b)
    data = (rng.random((B, T, n)) < 0.3).astype(np.uint8)
    stats = _fitting.sm_stats(data=data, Dnc=3)
    ncd = stats[1]
    w = LossWeights(psth=0.0, nc=50.0, mle=0.0, fr=0.0, nc_estimator="pz")
    res = net.loss_and_grad(data, weights=w, data_stats=stats, n_lags=3, rng=9)
    s, z = net._fwd(B, T, None, None, False, np.random.default_rng(9))
    assert np.array_equal(z, res.model_spikes)
    _, gs, gz = _nc_loss_pz(s, z, ncd, n, 1.0, 50.0, False)
    gfull = np.zeros_like(gs)
    gfull[..., :n] = gz
    dW, db = ref.sm_backward_dense(W, s, z.astype(float), gs, gz_el=gfull)
    assert np.allclose(res.grads["W"], dW, rtol=1e-10, atol=1e-13)
    assert np.allclose(res.grads["bias"], db, rtol=1e-10, atol=1e-13)


def test_nc_estimator_bad_name():
    net = _small_net(n_in=0)
    data = np.zeros((2, 10, 3), np.uint8)
    with pytest.raises(ValueError, match="nc_estimator"):
        net.loss_and_grad(data, weights=LossWeights(nc_estimator="zz"))


def test_s6_hidden_neuron_fit_beats_observed_only_mle_one_seed():
    # S6 (one seed, short): with the 'pz' NC estimator and NC weight 5000, the hidden-neuron model
    # recovers the common input that an observed-only GLM cannot express. Measured in the experiment
    # sample_and_measure_hidden: NC error ratio hidden/MLE 0.03-0.08 over 5 seeds (200-600 steps);
    # the bound 0.5 also fails the authors' literal loss (ratio 0.68 at 600 steps, ~1 at 200).
    from neurocore.experiments import sample_and_measure_hidden as exp
    data = exp.ground_truth().simulate(300, 100, rng=0)[0][..., :4]
    target = noise_correlations(data, exp.N_LAGS)
    mle = SampleAndMeasureNetwork(4, 0, D=3, rng=0)
    mle.fit_mle(data)
    hid = exp._fit_hidden(mle, data, exp.WEIGHTS, 200, 0)
    e_mle = exp.nc_error(mle, target, 10, n_trials=400)[0]
    e_hid = exp.nc_error(hid, target, 10, n_trials=400)[0]
    assert e_hid < 0.5 * e_mle
