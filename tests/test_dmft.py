"""Tests of neurocore.dmft: quadrature, SCS DMFT, two-time recursion, cavity dimension, plastic model.

Reference values tagged [data] come from davidclark1/rnn-lyapunov as quoted in
/work/shared/papers/seed001_dmft.md (section A.4); [computed] from the notes' own scripts.
"""
import numpy as np
import pytest

import neurocore.dmft as nd
from neurocore.errors import ConvergenceError
from neurocore.rate import integrate_rate_network, random_coupling
from tests.reference import dmft_ref

# notes A.4 [data]: g -> (Delta0, lambda_1)
TABLE = {1.25: (0.31559, 0.016963), 1.5: (0.74769, 0.046746), 2.0: (1.92481, 0.112458),
         3.0: (5.44633, 0.235461), 5.0: (16.9640, 0.433697), 10.0: (71.3678, 0.773435)}
# notes A.4 [computed] by potential shooting: Delta(tau)/Delta0 at tau = 1, 2, 4, 6
PROFILE = {1.5: [0.9855, 0.9441, 0.8061, 0.6415], 2.0: [0.9679, 0.8830, 0.6501, 0.4384],
           3.0: [0.9422, 0.8071, 0.5108, 0.2989]}


# ------------------------------------------------------------------ quadrature and Gaussian averages

@pytest.mark.parametrize("n", [8, 33, 200])
def test_gauss_hermite_even_moments(n):
    # closed form: E z^(2k) = (2k-1)!!, exact for 2k < 2n
    z, w = nd.quadrature_rule("hermite", n)
    for k in range(1, min(n, 8)):
        assert np.sum(w * z ** (2 * k)) == pytest.approx(np.prod(np.arange(1, 2 * k, 2)), rel=1e-12)
    assert np.sum(w * z) == pytest.approx(0.0, abs=1e-14)


def test_closed_form_relu_means():
    # closed forms: E relu(m + s z) = m Phi(m/s) + s phi(m/s); E step = Phi(m/s)
    from scipy.stats import norm
    m, v = np.array([-1.0, 0.0, 2.0]), np.array([0.5, 2.0, 3.0])
    s = np.sqrt(v)
    assert np.allclose(nd.gaussian_mean("relu", m, v), m * norm.cdf(m / s) + s * norm.pdf(m / s), atol=1e-14)
    assert np.allclose(nd.gaussian_mean("step", m, v), norm.cdf(m / s), atol=1e-14)


def test_pair_averages_against_tensor_twin():
    # the NumPy tensor-product twin (tests/reference) with a dense Gauss-Hermite rule
    z, w = nd.quadrature_rule("hermite", 120)
    cases = [("tanh", "tanh", 0.3, -0.2, 1.5, 2.0, 0.9), ("dtanh", "dtanh", 0.0, 0.0, 1.9, 1.9, -0.5),
             ("lncosh", "lncosh", 0.1, 0.4, 2.5, 1.0, 1.2)]
    fns = {"tanh": np.tanh, "dtanh": lambda x: 1 - np.tanh(x) ** 2, "lncosh": lambda x: np.log(np.cosh(x))}
    for f1, f2, m1, m2, v1, v2, c in cases:
        ref = dmft_ref.pair_tensor(fns[f1], fns[f2], m1, m2, v1, v2, c, z, w)
        got = nd.gaussian_pair(f1, f2, m1, m2, v1, v2, c, quadrature="hermite", n_quad=120)
        assert got == pytest.approx(ref, rel=1e-11, abs=1e-13)


def test_relu_pair_against_bivariate_normal():
    # closed forms: P(x1 > 0, x2 > 0) for zero means is 1/4 + arcsin(rho) / (2 pi) (Sheppard);
    # E[relu relu] at zero means is v (sqrt(1-rho^2) + rho (pi - arccos rho)) / (2 pi) (arc-cosine kernel)
    for rho in (-0.7, 0.0, 0.4, 0.95):
        v = 2.0
        p = nd.gaussian_pair("step", "step", 0.0, 0.0, v, v, rho * v)
        assert p == pytest.approx(0.25 + np.arcsin(rho) / (2 * np.pi), abs=1e-10)
        e = nd.gaussian_pair("relu", "relu", 0.0, 0.0, v, v, rho * v)
        assert e == pytest.approx(v * (np.sqrt(1 - rho**2) + rho * (np.pi - np.arccos(rho))) / (2 * np.pi), abs=1e-10)


def test_price_theorem():
    # Price's theorem: d/dc E[Phi(x1) Phi(x2)] = E[phi(x1) phi(x2)] (Phi = ln cosh, phi = tanh)
    v, c, h = 2.0, 0.8, 1e-4
    d = (nd.gaussian_pair("lncosh", "lncosh", 0, 0, v, v, c + h) - nd.gaussian_pair("lncosh", "lncosh", 0, 0, v, v, c - h)) / (2 * h)
    assert d == pytest.approx(nd.gaussian_pair("tanh", "tanh", 0, 0, v, v, c), rel=1e-7)


# ------------------------------------------------------------------ SCS stationary solution

@pytest.mark.parametrize("g", sorted(TABLE))
def test_scs_delta0_matches_published_table(g):
    # [data] Delta0 (notes A.4); 'auto' uses Gauss-Hermite for g <= ~2.2, dense trapezoid above
    d0, rep = nd.scs_delta0(g)
    assert rep["converged"] and rep["residual"] < 1e-10
    assert d0 == pytest.approx(TABLE[g][0], rel=1e-4)


def test_gauss_hermite_fails_for_tanh_at_large_variance():
    # notes A.3/A.8: Gauss-Hermite mis-integrates tanh at large Delta0; 201 nodes give 71.41 at
    # g = 10 (the appendix's [inf] number) instead of the [data] 71.3678
    d0, _ = nd.scs_delta0(10.0, quadrature="hermite", n_quad=201)
    assert abs(d0 / TABLE[10.0][0] - 1) > 3e-4
    d0t, _ = nd.scs_delta0(10.0, quadrature="trapezoid", n_quad=501)
    assert d0t == pytest.approx(TABLE[10.0][0], rel=2e-5)


@pytest.mark.parametrize("g", [1.5, 2.0, 3.0])
def test_scs_profile_and_lyapunov(g):
    sol = nd.solve_scs(g, tau_max=40.0, dtau=0.05)
    got = np.interp([1, 2, 4, 6], sol.tau, sol.delta) / sol.delta0
    assert np.allclose(got, PROFILE[g], atol=5e-4)          # [computed] notes A.4 (4 digits)
    assert sol.lambda1 == pytest.approx(TABLE[g][1], rel=2e-3)  # [data] notes A.4
    # tail rate kappa = sqrt(1 - (g <phi'>)^2) against the log-slope of Delta (notes A.2)
    sel = (sol.tau > 25) & (sol.tau < 35)
    slope = -np.polyfit(sol.tau[sel], np.log(sol.delta[sel]), 1)[0]
    assert slope == pytest.approx(sol.kappa, rel=0.03)


def test_scs_fixed_point_phase_and_onset_exponent():
    # SCS: g <= 1 -> Delta0 = 0, lambda_1 = g - 1; near onset Delta0 ~ (g - 1)^1 (notes A.2)
    sol = nd.solve_scs(0.7, tau_max=5.0)
    assert sol.delta0 == 0.0 and sol.phase == "fixed point" and sol.lambda1 == pytest.approx(-0.3)
    gs = np.array([1.005, 1.01, 1.02, 1.04])
    d0 = [nd.scs_delta0(g)[0] for g in gs]
    beta, A = nd.fit_critical_exponent(gs, d0)
    assert beta == pytest.approx(1.0, abs=0.05)
    assert A == pytest.approx(1.0, abs=0.15)    # Delta0 ~ (g - 1) at leading order (notes A.2)


def test_scs_energy_twin():
    # NumPy twin of the energy condition evaluated at the C root
    z, w = nd.quadrature_rule("hermite", 80)
    d0, _ = nd.scs_delta0(2.0, quadrature="hermite", n_quad=80)
    assert abs(dmft_ref.energy_residual(2.0, d0, z, w)) < 1e-10


# ------------------------------------------------------------------ two-time recursion

@pytest.mark.parametrize("pair", ["tensor", "expansion"])
def test_two_time_matches_numpy_twin_tanh(pair):
    # the recursion transcribed in NumPy (tests/reference), same Gauss-Hermite nodes, same pair rule
    z, w = nd.quadrature_rule("hermite", 32)
    args = dict(g=1.8, dt=0.2, n_steps=40, band=15)
    ref = dmft_ref.two_time(np.tanh, lambda x: 1 - np.tanh(x) ** 2, z=z, w=w, c0=3.0, k_start=10, pair=pair,
                            m0=0.4, **args)
    r = nd.solve_two_time(1.8, 8.0, dt=0.2, band=3.0, c0=3.0, m0=0.4, lyapunov_from=2.0, quadrature="hermite",
                          n_quad=32, pair_average=pair)
    assert np.allclose(r.mean, ref[0], rtol=1e-10, atol=1e-12)
    for n in (5, 20, 40):
        lags = np.arange(0, min(n, 15) + 1)
        assert np.allclose(r.c_band[n, lags], ref[1][n, n - lags], rtol=1e-10, atol=1e-12)
    assert np.allclose(r.log_k[10:], ref[3][10:], rtol=1e-9, atol=1e-10)


def test_two_time_expansion_against_tensor_rule():
    # the two pair rules are two discretisations of the same integral on the same Gauss-Hermite nodes,
    # both with the rule's own error. At g = 2 with 64 nodes, over this 12 tau transient, c differs by
    # 2e-7 (relative) and log k by 1.6e-5 (measured; with 32 nodes 4e-5 and 1.6e-3)
    kw = dict(dt=0.1, band=5.0, c0=2.5, lyapunov_from=3.0, quadrature="hermite", n_quad=64)
    a = nd.solve_two_time(2.0, 12.0, pair_average="expansion", **kw)
    b = nd.solve_two_time(2.0, 12.0, pair_average="tensor", **kw)
    assert np.max(np.abs(a.c_band - b.c_band)) < 2e-6 * np.max(b.c_band)
    ok = np.isfinite(b.log_k)
    assert np.max(np.abs(a.log_k[ok] - b.log_k[ok])) < 1e-4
    # independent input (phase-averaged means, 4 phases), g = 1.5, 48 nodes: measured 1e-9 on c and log k
    kw = dict(dt=0.1, band=2.0, c0=1.0, I1=0.8, f=0.2, input_mode="independent", n_theta=4, lyapunov_from=1.0,
              quadrature="hermite", n_quad=48)
    a = nd.solve_two_time(1.5, 8.0, pair_average="expansion", **kw)
    b = nd.solve_two_time(1.5, 8.0, pair_average="tensor", **kw)
    ok = np.isfinite(b.log_k)
    assert np.max(np.abs(a.c_band - b.c_band)) < 1e-8 and np.max(np.abs(a.log_k[ok] - b.log_k[ok])) < 1e-8
    with pytest.raises(ValueError, match="'pair_average'"):
        nd.solve_two_time(2.0, 1.0, dt=0.1, pair_average="mehler")
    with pytest.raises(ValueError, match="'pair_method'"):
        nd.solve_two_time(2.0, 1.0, dt=0.1, quadrature="trapezoid", n_quad=101, pair_average="expansion")


def test_two_time_matches_numpy_twin_relu_common_drive():
    # balanced ReLU with common drive: the twin integrates the kinked functions with a plain trapezoid
    # tensor rule (dz = 0.05), whose first-order error at the step of phi' is ~1e-3 (measured 3e-3 on
    # log k with dz = 0.025); the C kernel uses closed-form inner integrals
    z, w = nd.quadrature_rule("trapezoid", 401, zmax=10.0)
    relu = lambda x: np.maximum(x, 0.0)
    step = lambda x: (x > 0).astype(float)
    kw = dict(J0=1.0, I0=1.0, I1=3.0, omega=2 * np.pi * 0.2)
    ref = dmft_ref.two_time(relu, step, 2.0, 0.1, 20, 8, z, w, c0=2.0, sqrtK=10.0, k_start=5, **kw)
    r = nd.solve_two_time(2.0, 2.0, dt=0.1, band=0.8, phi="relu", J0=1.0, K=100, I0=1.0, I1=3.0, f=0.2,
                          c0=2.0, lyapunov_from=0.5)
    assert np.allclose(r.mean, ref[0], rtol=1e-4, atol=1e-4)
    assert np.allclose(r.variance, np.diag(ref[1]), rtol=1e-4)
    assert np.allclose(r.log_k[5:], ref[3][5:], atol=1e-2)


def test_two_time_relaxes_to_stationary_scs():
    # from c0 = 5 the Euler-map DMFT relaxes to a stationary state near the continuous-time Delta0;
    # the Euler map with dt = 0.1 shifts it by O(dt) (measured: < 0.5%), and lambda_1 from the
    # perturbation covariance matches the Schroedinger value within 0.005 (measured 0.1114 vs 0.1125)
    r = nd.solve_two_time(2.0, 50.0, dt=0.1, band=20.0, c0=5.0, lyapunov_from=20.0, tol=1e-3)
    assert r.converged and r.residual < 1e-3
    assert r.variance[-1] == pytest.approx(TABLE[2.0][0], rel=0.01)
    assert r.lambda1 == pytest.approx(TABLE[2.0][1], abs=0.006)


# ------------------------------------------------------------------ cavity dimension

def test_cavity_map_delta1_closed_form():
    # notes 2.6 #1: at delta = 1 the cavity integral equals 1 - r and (1 - r)/(2 - r), r = (g <phi'>)^4
    cf = nd.map_delta1_closed_form(2.0)
    d = np.zeros(32); d[0] = cf["q"]
    c = np.zeros(32); c[0] = cf["e_phi2"]
    res = nd.cavity_dimension_from_lags(2.0, d, c, cf["mean_dphi"], 1.0, nfft=256, map_delta=1.0)
    assert res.pr_phi == pytest.approx(cf["pr_phi"], abs=1e-10)
    assert res.pr_x == pytest.approx(cf["pr_x"], abs=1e-10)
    assert cf["pr_x"] == pytest.approx(0.18147, abs=1e-4)    # [computed] notes A.4


def test_cavity_dimension_matches_published_theory():
    # [data] PR^x/N = 0.015915, PR^phi/N = 0.019741 at g = 2 (notes A.4)
    res = nd.cavity_dimension(2.0, tau_max=100.0, dtau=0.1, nfft=4096)
    assert res.pr_x == pytest.approx(0.015915, rel=0.01)
    assert res.pr_phi == pytest.approx(0.019741, rel=0.01)


def test_cross_block_estimator_unbiased():
    # synthetic Gaussian data with a known covariance (spiked): the cross-block estimate is unbiased
    # within 3 jackknife s.e., the naive one is biased low when T ~ N (notes 2.5)
    # (5 seeds, N = 100, 8 blocks of 20 samples; measured: cross 40.2 +- 1.1 vs 40.6, naive 31.9)
    N, T, B = 100, 20, 8
    evals = np.r_[np.full(3, 10.0), np.ones(N - 3)]
    true_pr = evals.sum() ** 2 / np.sum(evals**2)
    cross, naive = [], []
    for seed in range(5):
        X = np.random.default_rng(seed).standard_normal((B, T, N)) * np.sqrt(evals)
        est = nd.participation_ratio_blocks(np.einsum("bti,btj->bij", X, X) / T)
        cross.append(est["cross"])
        naive.append(est["naive"])
    assert np.mean(cross) == pytest.approx(true_pr, rel=0.06)
    assert np.mean(naive) < 0.85 * true_pr


# ------------------------------------------------------------------ finite-N checks (small)

def test_scs_simulation_small_network():
    # N = 300, g = 2, Euler dt = 0.1, T = 3000, 3 seeds: the seed-averaged autocovariance against the
    # DMFT Delta(tau), tau <= 10. Small networks differ a lot from one another (measured single-seed
    # max deviations 0.08-0.43 Delta0, variances 1.59-1.98); the experiment scs_dmft does N = 2000.
    sol = nd.solve_scs(2.0, tau_max=12.0, dtau=0.5)
    acfs = []
    for seed in (0, 2, 3):
        J = random_coupling(300, 2.0, rng=seed)
        x0 = np.random.default_rng(seed).standard_normal(300)
        x = integrate_rate_network(J, x0, 3100.0, 0.1, record_every=5).x[200:]
        acfs.append(nd.autocovariance(x, 20))
    acf = np.mean(acfs, axis=0)
    assert acf[0] == pytest.approx(sol.delta0, rel=0.1)
    assert np.max(np.abs(acf - sol.delta[:21])) < 0.2 * sol.delta0


def test_plastic_network_k0_is_rate_network():
    # with k = 0 and A = 0 the plastic kernel must be the rate network with J = g J0 (exact)
    net = nd.PlasticNetwork(50, g=1.5, k=0.0, gamma=0.5, rng=4)
    x0 = net.x.copy()
    _, xs = net.run(5.0, dt=0.1)
    ref = integrate_rate_network(1.5 * net.J0, x0, 5.0, 0.1).x
    assert np.allclose(xs, ref, rtol=1e-12, atol=1e-12)
    assert np.all(net.A == 0)


def test_plastic_hebbian_matrix_is_symmetric_with_trace():
    # A stays symmetric; after burn-in tr A ~ k <phi^2> (notes appendix T1.4: stationary tr A -> k C_phi(0))
    net = nd.PlasticNetwork(150, g=1.5, k=1.0, gamma=0.5, rng=5)
    _, xs = net.run(80.0, dt=0.1, record_every=5)
    assert np.max(np.abs(net.A - net.A.T)) < 1e-13
    q = np.mean(np.tanh(xs[-100:]) ** 2)
    assert np.trace(net.A) == pytest.approx(q, rel=0.15)    # one run: time-average vs snapshot


def test_plastic_dmft_k0_reduces_to_scs():
    # notes 4.5 #1: at k = 0 the sampler reproduces the SCS Delta0 (Euler dt = 0.1 and M = 200 paths;
    # measured within 4% over seeds 0-3)
    res = nd.solve_plastic_dmft(1.5, 0.0, 0.5, dt=0.1, duration=150.0, burn_in=20.0, window=20.0, n_paths=200,
                                tol=2e-2, max_iter=6, rng=0)
    assert res.converged
    assert res.c_x[0] == pytest.approx(TABLE[1.5][0], rel=0.06)


# ------------------------------------------------------------------ errors

def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="'g'"):
        nd.solve_scs(-1.0)
    with pytest.raises(ValueError, match="'dt'"):
        nd.solve_two_time(2.0, 10.0, dt=1.0)
    with pytest.raises(ValueError, match="'n_quad'"):
        nd.scs_delta0(2.0, quadrature="hermite", n_quad=4)
    with pytest.raises(ValueError, match="'quadrature'"):
        nd.scs_delta0(2.0, quadrature="simpson")
    with pytest.raises(ValueError, match="'dt'"):
        nd.solve_plastic_dmft(1.5, 1.0, 0.5, dt=1.5)
    with pytest.raises(ValueError, match="'K'"):
        nd.solve_two_time(2.0, 1.0, dt=0.1, phi="relu", J0=1.0)


def test_convergence_errors_name_the_residual():
    with pytest.raises(ConvergenceError, match="residual"):
        nd.scs_delta0(2.0, tol=1e-300, max_iter=3)
    with pytest.raises(ConvergenceError, match="residual"):
        nd.solve_two_time(2.0, 10.0, dt=0.1, band=3.0, c0=20.0, tol=1e-12)
    with pytest.raises(ConvergenceError, match="residual"):
        nd.solve_plastic_dmft(1.5, 1.0, 0.5, duration=30.0, burn_in=5.0, window=5.0, n_paths=20, max_iter=1,
                              tol=1e-12, rng=0)
