"""Tests of neurocore.plasticity: the rule engine against its NumPy twin, the correlation-invariant rule
(notes seed002 section 1.4) and the voltage rule at the synapse location (section 3.4)."""
import numpy as np
import pytest
import scipy.sparse as sp

import neurocore.plasticity as pl
from neurocore.plasticity import _plasticity
from tests.reference import plasticity_ref as ref

ALL_RULES = sorted(pl.RULES)


# ---------------------------------------------------------------- registry

def test_registry_single_source():
    # Expected: the C table (plasticity.h) lists these 8 rules with codes 0..7; names, flags and docs
    # are exported from the same X-macro table, so every name has all three.
    assert set(pl.RULES) == {"hebb", "oja", "bcm", "covariance", "heterosynaptic", "subtractive",
                             "three_factor", "correlation_invariant"}
    assert sorted(pl.RULES.values()) == list(range(8))
    assert set(pl.RULE_DOCS) == set(pl.RULES) == set(pl.RULE_FLAGS)
    table = pl.rules_table()
    for name in pl.RULES:
        assert f"`{name}`" in table
    assert "correlation_invariant" in pl.rules.__doc__
    assert pl.RULE_FLAGS["three_factor"] & pl.rules.FLAG_ELIGIBILITY
    assert pl.RULE_FLAGS["covariance"] & pl.rules.FLAG_CENTER_PRE


# ---------------------------------------------------------------- twins: dense and CSR

def _signals(rng, n_post, n_pre):
    return dict(pre=rng.standard_normal(n_pre), post=rng.standard_normal(n_post),
                theta=rng.random(n_post) if rng.random() < 0.5 else float(rng.random()),
                pre_ref=rng.standard_normal(n_pre),
                modulator=rng.standard_normal(n_post) if rng.random() < 0.5 else float(rng.standard_normal()),
                power=float(rng.choice([1.0, 2.0, 3.0, 1.7])), decay=float(rng.random()))


@pytest.mark.parametrize("rule", ALL_RULES)
def test_dense_matches_numpy_twin_float64(rule):
    # Expected: tests/reference/plasticity_ref.py, the formulas written out rule by rule; 1e-12 is the
    # issue's bound (float64 round-off is ~1e-15 here).
    rng = np.random.default_rng(pl.RULES[rule])
    for trial in range(12):
        n_post, n_pre = int(rng.integers(1, 40)), int(rng.integers(0, 50))
        s = _signals(rng, n_post, n_pre)
        W0 = rng.standard_normal((n_post, n_pre))
        use_e = rule == "three_factor" or trial % 2 == 0
        E0 = rng.standard_normal((n_post, n_pre)) if use_e else None
        bounds = (-1.5, 1.2) if trial % 3 == 0 else None
        W, E = W0.copy(), None if E0 is None else E0.copy()
        pl.update(W, s["pre"], s["post"], rule=rule, eta=0.03, power=s["power"], theta=s["theta"],
                  pre_ref=s["pre_ref"], modulator=s["modulator"], eligibility=E, decay=s["decay"], bounds=bounds)
        Wr, Er = ref.dense_update(W0, s["pre"], s["post"], rule, 0.03, power=s["power"], theta=s["theta"],
                                  pre_ref=s["pre_ref"], modulator=s["modulator"], E=E0, decay=s["decay"],
                                  bounds=bounds or (-np.inf, np.inf))
        np.testing.assert_allclose(W, Wr, rtol=0, atol=1e-12)
        if use_e:
            np.testing.assert_allclose(E, Er, rtol=0, atol=1e-12)


@pytest.mark.parametrize("rule", ALL_RULES)
def test_csr_matches_numpy_twin_float64(rule):
    # Expected: the per-row twin ref.csr_update (only stored synapses change); 1e-12.
    rng = np.random.default_rng(100 + pl.RULES[rule])
    for trial in range(10):
        n_post, n_pre = int(rng.integers(1, 30)), int(rng.integers(1, 40))
        S = sp.random(n_post, n_pre, density=float(rng.uniform(0.05, 0.6)), format="csr", random_state=trial)
        S.indices = S.indices.astype(np.int32)
        S.indptr = S.indptr.astype(np.int32)
        s = _signals(rng, n_post, n_pre)
        use_e = rule == "three_factor" or trial % 2 == 1
        E0 = rng.standard_normal(S.nnz) if use_e else None
        bounds = (-0.5, 0.8) if trial % 3 == 0 else None
        data0 = S.data.copy()
        E = None if E0 is None else E0.copy()
        pl.update_csr(S, s["pre"], s["post"], rule=rule, eta=0.05, power=s["power"], theta=s["theta"],
                      pre_ref=s["pre_ref"], modulator=s["modulator"], eligibility=E, decay=s["decay"],
                      bounds=bounds)
        dr, Er = ref.csr_update(S.indptr, S.indices, data0, n_pre, s["pre"], s["post"], rule, 0.05,
                                power=s["power"], theta=s["theta"], pre_ref=s["pre_ref"], modulator=s["modulator"],
                                E=E0, decay=s["decay"], bounds=bounds or (-np.inf, np.inf))
        np.testing.assert_allclose(S.data, dr, rtol=0, atol=1e-12)
        if use_e:
            np.testing.assert_allclose(E, Er, rtol=0, atol=1e-12)


def test_dense_and_csr_agree_on_full_pattern():
    # Expected: a CSR matrix storing every entry is the dense matrix, so both paths give the same W
    # (not for 'subtractive', whose CSR mean runs over stored synapses: equal here too, all are stored).
    rng = np.random.default_rng(7)
    for rule in ALL_RULES:
        W = rng.standard_normal((6, 9))
        S = sp.csr_matrix(W)
        S.data = W.ravel().copy()
        S.indices = np.tile(np.arange(9, dtype=np.int32), 6)
        S.indptr = (np.arange(7) * 9).astype(np.int32)
        s = _signals(rng, 6, 9)
        E1, E2 = (np.zeros((6, 9)), np.zeros(54)) if rule == "three_factor" else (None, None)
        kw = dict(rule=rule, eta=0.1, power=s["power"], theta=s["theta"], pre_ref=s["pre_ref"],
                  modulator=s["modulator"], decay=0.5)
        pl.update(W, s["pre"], s["post"], eligibility=E1, **kw)
        pl.update_csr(S, s["pre"], s["post"], eligibility=E2, **kw)
        np.testing.assert_allclose(S.toarray(), W, atol=1e-13)


@pytest.mark.parametrize("rule", ["three_factor", "covariance", "oja"])
def test_float32_matches_twin(rule):
    # Expected: the float64 twin; float32 round-off (eps 6e-8) over |W| ~ 3 bounds the error by ~1e-6.
    rng = np.random.default_rng(3)
    W0 = rng.standard_normal((50, 70)).astype(np.float32)
    E0 = rng.standard_normal((50, 70)).astype(np.float32)
    s = _signals(rng, 50, 70)
    W, E = W0.copy(), E0.copy()
    pl.update(W, s["pre"], s["post"], rule=rule, eta=0.05, power=1.0, theta=s["theta"], pre_ref=s["pre_ref"],
              modulator=s["modulator"], eligibility=E, decay=0.9)
    Wr, Er = ref.dense_update(W0, s["pre"], s["post"], rule, 0.05, theta=s["theta"], pre_ref=s["pre_ref"],
                              modulator=s["modulator"], E=E0, decay=0.9)
    assert W.dtype == np.float32
    np.testing.assert_allclose(W, Wr, atol=2e-5)
    np.testing.assert_allclose(E, Er, atol=2e-5)


def test_subtractive_conserves_row_sums():
    # Expected (theory): sum_j (x_j - mean x) = 0, so every row sum is unchanged (dense and CSR).
    rng = np.random.default_rng(5)
    W = rng.random((20, 30))
    sums = W.sum(axis=1)
    for _ in range(50):
        pl.update(W, rng.random(30), rng.random(20), rule="subtractive", eta=0.1)
    np.testing.assert_allclose(W.sum(axis=1), sums, rtol=1e-12)
    S = sp.random(20, 30, density=0.3, format="csr", random_state=2)
    rs = np.asarray(S.sum(axis=1)).ravel()
    for _ in range(20):
        pl.update_csr(S, rng.random(30), rng.random(20), rule="subtractive", eta=0.1)
    np.testing.assert_allclose(np.asarray(S.sum(axis=1)).ravel(), rs, atol=1e-12)


def test_three_factor_eligibility_closed_form():
    # Expected (closed form): with constant pre/post and m = 0, E_k = (1 - d^k)/(1 - d) y x^T and W is
    # untouched; one step with m = 1 then adds eta E_{k+1}.
    rng = np.random.default_rng(9)
    W0 = rng.standard_normal((4, 5))
    W, E = W0.copy(), np.zeros((4, 5))
    x, y, d, k = rng.random(5), rng.random(4), 0.8, 15
    for _ in range(k):
        pl.update(W, x, y, rule="three_factor", eta=0.5, modulator=0.0, eligibility=E, decay=d)
    np.testing.assert_array_equal(W, W0)
    np.testing.assert_allclose(E, (1 - d ** k) / (1 - d) * np.outer(y, x), rtol=1e-13)
    pl.update(W, x, y, rule="three_factor", eta=0.5, modulator=1.0, eligibility=E, decay=d)
    np.testing.assert_allclose(W, W0 + 0.5 * (1 - d ** (k + 1)) / (1 - d) * np.outer(y, x), rtol=1e-13)


def test_oja_finds_principal_component():
    # Expected (Oja 1982): the weight vector converges to the unit-norm top eigenvector of C = E[x x^T].
    rng = np.random.default_rng(11)
    Q = np.linalg.qr(rng.standard_normal((6, 6)))[0]
    L = Q @ np.diag(np.sqrt([5, 2, 1, 0.5, 0.3, 0.1]))
    X = rng.standard_normal((20000, 6)) @ L.T
    w = rng.standard_normal((1, 6)) * 0.1
    for x in X:
        pl.update(w, x, w @ x, rule="oja", eta=0.002)
    top = Q[:, 0]
    assert abs(np.linalg.norm(w) - 1) < 0.05        # 20000 noisy steps at eta = 0.002: |w| within a few %
    assert abs(w.ravel() @ top) / np.linalg.norm(w) > 0.99


def test_bounds_and_normalize_rows():
    # Expected: hard bounds clip exactly; row normalisation gives the target norm / sum.
    W = np.zeros((3, 4))
    pl.update(W, np.ones(4), np.array([10.0, -10.0, 0.1]), rule="hebb", eta=1.0, bounds=(-1, 2))
    np.testing.assert_array_equal(W, [[2] * 4, [-1] * 4, [0.1] * 4])
    R = np.random.default_rng(0).random((5, 7)).astype(np.float32)
    pl.normalize_rows(R, "l2", 2.0)
    np.testing.assert_allclose(np.linalg.norm(R, axis=1), 2.0, rtol=1e-6)
    pl.normalize_rows(R, "sum", 1.0)
    np.testing.assert_allclose(R.sum(axis=1), 1.0, rtol=1e-5)


def test_apply_does_not_touch_input_and_rule_object():
    # Expected: apply() returns the update of the twin and leaves its inputs alone.
    rng = np.random.default_rng(2)
    W0 = rng.standard_normal((3, 4))
    keep = W0.copy()
    x, y = rng.random(4), rng.random(3)
    W1 = pl.apply(W0, x, y, rule="bcm", eta=0.2, theta=0.3)
    np.testing.assert_array_equal(W0, keep)
    np.testing.assert_allclose(W1, ref.dense_update(W0, x, y, "bcm", 0.2, theta=0.3)[0], atol=1e-14)
    r = pl.PlasticityRule("covariance", eta=0.1)
    W2 = W0.copy()
    r.step(W2, x, y, theta=0.5)
    np.testing.assert_allclose(W2, ref.dense_update(W0, x, y, "covariance", 0.1, theta=0.5)[0], atol=1e-14)


# ---------------------------------------------------------------- bad input

def test_bad_input_names_the_argument():
    W = np.zeros((3, 4))
    with pytest.raises(ValueError, match="'pre'"):
        pl.update(W, np.ones(5), np.ones(3))
    with pytest.raises(ValueError, match="'post'"):
        pl.update(W, np.ones(4), np.ones(2))
    with pytest.raises(ValueError, match="'rule'"):
        pl.update(W, np.ones(4), np.ones(3), rule="hebbian")
    with pytest.raises(ValueError, match="'eligibility'"):
        pl.update(W, np.ones(4), np.ones(3), rule="three_factor")
    with pytest.raises(ValueError, match="'eligibility'"):
        pl.update(W, np.ones(4), np.ones(3), rule="three_factor", eligibility=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="'decay'"):
        pl.update(W, np.ones(4), np.ones(3), rule="three_factor", eligibility=np.zeros((3, 4)), decay=1.5)
    with pytest.raises(ValueError, match="w_min"):
        pl.update(W, np.ones(4), np.ones(3), bounds=(1, 0))
    with pytest.raises(ValueError, match="'power'"):
        pl.update(W, np.ones(4), np.ones(3), power=0)
    with pytest.raises(ValueError, match="'theta'"):
        pl.update(W, np.ones(4), np.ones(3), theta=np.ones(4))
    with pytest.raises(ValueError, match="'pre' must be finite"):
        pl.update(W, np.array([1, np.nan, 0, 0]), np.ones(3))
    with pytest.raises(TypeError, match="'W'"):
        pl.update([[0.0] * 4] * 3, np.ones(4), np.ones(3))
    with pytest.raises(TypeError, match="'W'.*float32 or float64"):
        pl.update(np.zeros((3, 4), np.float16), np.ones(4), np.ones(3))
    with pytest.raises(ValueError, match="'W'.*C-contiguous"):
        pl.update(np.zeros((4, 3)).T, np.ones(4), np.ones(3))
    ro = np.zeros((3, 4))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="'W'.*writable"):
        pl.update(ro, np.ones(4), np.ones(3))
    with pytest.raises(IndexError, match="'indices'"):
        pl.update_csr((np.array([0, 1]), np.array([7]), np.zeros(1), 4), np.ones(4), np.ones(1))
    with pytest.raises(ValueError, match="'indptr'"):
        pl.update_csr((np.array([0, 2, 1]), np.array([0, 1]), np.zeros(2), 4), np.ones(4), np.ones(2))


# ---------------------------------------------------------------- batch learning kernel

@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r != "three_factor"])
def test_batch_fit_matches_twin(rule):
    # Expected: ref.batch_fit, same batch schedule (wrapping around X); dgemm summation order differs
    # from the twin's by round-off only, so 1e-12 holds.
    rng = np.random.default_rng(21)
    X = rng.standard_normal((23, 5))
    W0 = rng.standard_normal((3, 5)) * 0.5
    meta_rules = rule in ("bcm", "correlation_invariant")
    kw = dict(power=3.0 if rule == "correlation_invariant" else 1.0, tau_meta=2.0 if meta_rules else 0.0,
              meta_c=0.7, meta_q=2.0 if rule == "correlation_invariant" else 1.0,
              normalize=rule == "oja")
    theta = None if meta_rules else rng.random(3)
    pre_ref = rng.standard_normal(5)
    W, meta = _plasticity.batch_fit(W0, X, pl.RULES[rule], 0.01, 40, batch=7, power=kw["power"],
                                    tau_meta=kw["tau_meta"], meta_c=kw["meta_c"], meta_q=kw["meta_q"],
                                    meta0=np.ones(3), theta=theta, pre_ref=pre_ref, normalize=int(kw["normalize"]))
    Wr, mr = ref.batch_fit(W0, X, rule, 0.01, 40, 7, power=kw["power"], tau_meta=kw["tau_meta"], meta_c=kw["meta_c"],
                           meta_q=kw["meta_q"], meta=np.ones(3), theta=theta, pre_ref=pre_ref,
                           normalize=kw["normalize"])
    np.testing.assert_allclose(W, Wr, rtol=0, atol=1e-12)
    if meta_rules:
        np.testing.assert_allclose(meta, mr, rtol=1e-12)


def test_batch_fit_chunks_are_seamless():
    # Expected: fitting 30 + 50 steps (step0 carried) equals fitting 80 steps at once, bit for bit.
    rng = np.random.default_rng(4)
    X, _, _ = pl.latent_mixture(1000, 3.0, rng=1)
    a = pl.HebbianLearner(8, eta=0.005, rng=5).fit(X, 30).fit(X, 50)
    b = pl.HebbianLearner(8, eta=0.005, rng=5).fit(X, 80)
    np.testing.assert_array_equal(a.W, b.W)
    np.testing.assert_array_equal(a.meta, b.meta)


# ---------------------------------------------------------------- metaplastic stability

def test_stability_condition_theory_and_errors():
    # Expected (theory, metaplastic.py): continuous-time growth time tau_w = c / (2 eta K^2) = 8.33 updates
    # for K = 6, c = 3, eta = 0.005; the fixed point's scale E[y^2] = K/c = 2; the discrete map loses
    # stability slightly above tau_w. The notes' prototype: tau_m <= 3 stable, 10 oscillated [calib].
    st = pl.metaplastic_stability(0.005, 2.0, 3.0, 2.0, 3.0, 6.0)
    assert st.stable and abs(st.scale - 2.0) < 1e-9 and abs(st.tau_w - 3 / (2 * 0.005 * 36)) < 1e-9
    assert st.tau_w < st.tau_meta_max < 1.2 * st.tau_w
    assert pl.metaplastic_stability(0.005, 3.0, 3.0, 2.0, 3.0, 6.0).stable
    assert not pl.metaplastic_stability(0.005, 10.0, 3.0, 2.0, 3.0, 6.0).stable
    with pytest.raises(ValueError, match="tau_meta.*shorter than 9.3"):
        pl.HebbianLearner(8, eta=0.005, tau_meta=10)
    with pytest.raises(ValueError, match="meta_q"):
        pl.HebbianLearner(8, eta=0.005, meta_q=1.0)
    with pytest.raises(ValueError, match="lower eta"):
        pl.HebbianLearner(8, eta=2.0, tau_meta=1)
    with pytest.raises(ValueError, match="tau_meta.*shorter"):
        pl.HebbianLearner(8, rule="bcm", eta=0.02, tau_meta=50)
    pl.HebbianLearner(8, eta=0.005, tau_meta=3)  # stable: no error


def test_unstable_threshold_really_fails_in_simulation():
    # Expected: a configuration the check refuses (tau_meta = 16 > 9.3) does not settle at E[y^2] = K/c = 2
    # (notes: slow thresholds oscillate or collapse), while tau_meta = 2 does.
    X, A, _ = pl.latent_mixture(40000, 1.0, rng=0)
    ok = pl.HebbianLearner(8, eta=0.005, tau_meta=2, rng=100).fit(X, 8000)
    assert pl.alignment(ok.W, A) > 0.95
    tail_ok = []
    for _ in range(20):
        ok.fit(X, 50)
        tail_ok.append(ok.meta[0])
    bad = pl.HebbianLearner(8, eta=0.005, tau_meta=2, rng=100)
    bad.tau_meta = 16.0   # bypass the construction check on purpose
    bad.fit(X, 8000)
    tail_bad = []
    for _ in range(20):
        bad.fit(X, 50)
        tail_bad.append(bad.meta[0])
    # Stable: m fluctuates by batch noise only, sd(<y^2>_200) / ~sqrt(2) = 0.32 / 1.4 ~ 0.2 (measured 0.19).
    assert 1.3 < np.mean(tail_ok) < 2.5 and np.std(tail_ok) < 0.4
    # Refused configuration: measured collapse to y = 0 (m ~ 1e-13); oscillation would also fail here.
    assert np.std(tail_bad) > 2 * np.std(tail_ok) or not (1.3 < np.mean(tail_bad) < 2.5)


# ---------------------------------------------------------------- correlation invariance (notes 1.4)

def _run(rule, kappa, seed, n_steps=8000, **kw):
    X, A, _ = pl.latent_mixture(40000, kappa, rng=seed)
    L = pl.HebbianLearner(8, rule=rule, batch=200, rng=seed + 100, **kw).fit(X, n_steps)
    return L, X, A


@pytest.mark.parametrize("kappa", [1.0, 3.0])
def test_ci_rule_aligns_with_hidden_source(kappa):
    # Expected: notes T1.1, |cos(A^T w, e1)| >= 0.95 in every run (observed there 0.997-1.000).
    for seed in range(3):
        L, X, A = _run("correlation_invariant", kappa, seed, eta=0.005, tau_meta=2)
        assert pl.alignment(L.W, A) >= 0.95, (kappa, seed)


def test_heterosynaptic_rule_fails_with_correlations_but_not_without():
    # Expected: notes T1.2 (kappa = 3: |cos| <= 0.5 in every run, observed 0.05-0.34) and the control T1.3
    # (kappa = 1: >= 0.85, observed 0.92-0.94).
    for seed in range(3):
        L, _, A = _run("oja", 3.0, seed, power=3.0, normalize=True, eta=0.005)
        assert pl.alignment(L.W, A) <= 0.5, seed
    L, _, A = _run("oja", 1.0, 0, power=3.0, normalize=True, eta=0.005)
    assert pl.alignment(L.W, A) >= 0.85


def test_ci_invariance_scale_and_fixed_point():
    # Expected: notes T1.4 (same sources, A = I vs kappa = 3: latent solutions agree, |cos| >= 0.95),
    # T1.5 (E[y^2] in [1.3, 2.5], theory K/c = 2) and T1.6 (||E[x f(y)] - lambda E[x y]|| / ||E[x f(y)]||
    # <= 0.05 on 1e5 fresh samples, lambda averaged over the last 1000 updates: a single lambda is a
    # 2-batch average whose batch noise is ~30 %; measured 0.022).
    seed = 4
    X3, A3, S = pl.latent_mixture(40000, 3.0, rng=seed)
    L3 = pl.HebbianLearner(8, eta=0.005, tau_meta=2, rng=1).fit(X3, 8000)
    LI = pl.HebbianLearner(8, eta=0.005, tau_meta=2, rng=1).fit(S, 8000)
    v3, vI = (A3.T @ L3.W.ravel()), LI.W.ravel()
    assert abs(v3 @ vI) / np.linalg.norm(v3) / np.linalg.norm(vI) >= 0.95
    frng = np.random.default_rng(1234)                     # fresh samples through the same mixing A3
    Sf = frng.standard_normal((100000, 8))
    Sf[:, 0] = frng.laplace(0.0, 1.0 / np.sqrt(2.0), 100000)
    Xf = Sf @ A3.T
    lams = []
    for _ in range(40):
        L3.fit(X3, 25)
        lams.append(L3.lam[0])
    y = Xf @ L3.W.ravel()
    assert 1.3 <= np.mean(y ** 2) <= 2.5
    lam = np.mean(lams)
    ltp = Xf.T @ y ** 3 / len(y)
    ltd = lam * Xf.T @ y / len(y)
    assert np.linalg.norm(ltp - ltd) / np.linalg.norm(ltp) <= 0.05


# ---------------------------------------------------------------- voltage rule at the synapse (notes 3.4)

def _protocol(d, n=5, f=50.0, delay=10.0, plateau=0.0, duration=400.0):
    pre, post = pl.pairing_protocol(n, f, delay)
    _, u = pl.synthetic_dendritic_voltage(d, pre, post, duration, plateau_amp=plateau)
    return float(pl.glutamate_voltage_rule(u, pre, 0.1).dw[0])


def test_voltage_rule_matches_twin():
    # Expected: ref.voltage_rule (sample loop in NumPy), both shapes and saturation, to 1e-12.
    rng = np.random.default_rng(0)
    u = np.cumsum(rng.standard_normal(3000)) * 2 + 20
    spikes = np.sort(rng.choice(3000, 12, replace=False)) * 0.1
    for shape in ("step", "linear"):
        for sat in (False, True):
            rule = pl.VoltageRule(shape=shape, saturate=sat)
            got = rule(u, spikes, 0.1).dw[0]
            want = ref.voltage_rule(u, np.floor(spikes / 0.1 + 1e-9).astype(int), 0.1, 50.0, 15.0, 35.0, 1.0, 3.0,
                                    shape=shape, saturate=sat)
            assert abs(got - want) <= 1e-12 * max(1.0, abs(want))


def test_voltage_rule_closed_form_and_dt_convergence():
    # Expected: notes T3.7. Piecewise-constant u, one spike at 0: dw = Phi(u) tau_g (1 - exp(-T/tau_g))
    # exactly (exact exponential update). On the realistic harness the step thresholds make the error
    # O(dt) (measured: 26.97, 26.33, 25.88, 25.93 for dt = 0.1, 0.05, 0.025, 0.0125 ms), so halving dt
    # from 0.025 ms changes dw by < 0.5 % (the notes' criterion) and dt = 0.1 ms is within 5 %.
    u = np.full(2000, 40.0)   # 200 ms above theta_plus
    dw = pl.glutamate_voltage_rule(u, [0.0], 0.1).dw[0]
    assert abs(dw - 3.0 * 50.0 * (1 - np.exp(-200.0 / 50.0))) <= 1e-6 * dw
    pre, post = pl.pairing_protocol(5, 50, 10)
    res = []
    for dt in (0.1, 0.025, 0.0125):
        _, uu = pl.synthetic_dendritic_voltage(0.0, pre, post, 400.0, dt=dt)
        res.append(pl.glutamate_voltage_rule(uu, pre, dt).dw[0])
    assert abs(res[1] - res[2]) < 0.005 * abs(res[2])
    assert abs(res[0] - res[2]) < 0.05 * abs(res[2])


def test_voltage_rule_regimes_and_specificity():
    # Expected: notes T3.1 (no presynaptic spike: exactly 0 for any voltage) and T3.2 (a 20 ms rectangular
    # pulse from the pre spike: below theta_minus exactly 0, middle band < 0, above theta_plus > 0).
    rng = np.random.default_rng(1)
    assert pl.glutamate_voltage_rule(rng.random(5000) * 100, [], 0.1).dw[0] == 0.0
    out = []
    for level in (10.0, 25.0, 50.0):
        u = np.zeros(1000)
        u[100:300] = level
        out.append(pl.glutamate_voltage_rule(u, [10.0], 0.1).dw[0])
    assert out[0] == 0.0 and out[1] < 0 < out[2]


def test_location_frequency_timing_harness():
    # Expected: notes T3.3-T3.6 on the synthetic harness (values there: d = 0: +27.0, 100: +7.2,
    # 200: -11.2, 300: -7.3, 400: -1.2, >= 500: 0; single pairing +10 ms: +2.7, -10 ms: 0.0;
    # 10 Hz: +15.2 vs 50 Hz: +27.0). The notes' prototype and ours implement the same harness
    # independently, so we also require its numbers to 0.1 (they are the harness's, not the paper's).
    dists = [0, 100, 200, 300, 400, 500, 700]
    dw = [_protocol(d) for d in dists]
    np.testing.assert_allclose(dw[:6], [27.0, 7.2, -11.2, -7.3, -1.2, 0.0], atol=0.1)
    assert dw[0] > 0 > dw[2] and abs(dw[-1]) < 1e-9
    signs = np.sign([_protocol(d) for d in np.linspace(0, 200, 21)])
    assert np.sum(signs[1:] != signs[:-1]) == 1            # one sign change between 0 and 200 um
    assert _protocol(200, plateau=40.0) > 0                  # T3.4: dendritic plateau rescues distal LTP
    f10, f50 = _protocol(0, f=10.0, duration=700.0), _protocol(0, f=50.0)
    assert f50 > f10 > 0                                     # T3.5
    np.testing.assert_allclose([f10, f50], [15.2, 27.0], atol=0.1)
    pos, neg = _protocol(0, n=1, delay=10.0), _protocol(0, n=1, delay=-10.0)
    assert pos > 0 and abs(neg) <= 0.1 * pos                 # T3.6
    np.testing.assert_allclose(pos, 2.7, atol=0.05)


def test_voltage_rule_many_synapses_and_recorded_trace():
    # Expected: a 2-D voltage array with one spike list per synapse gives the same numbers as separate
    # calls; resample_trace of a finely sampled trace reproduces the direct result within 0.5 %.
    pre, post = pl.pairing_protocol(5, 50, 10)
    us = np.array([pl.synthetic_dendritic_voltage(d, pre, post, 400.0)[1] for d in (0, 200)])
    both = pl.glutamate_voltage_rule(us, [pre, pre], 0.1, record=True)
    np.testing.assert_allclose(both.dw, [_protocol(0), _protocol(200)], rtol=1e-14)
    assert both.dw_t.shape == (2, 4000) and both.dw_t[0, -1] == both.dw[0]
    tf, uf = pl.synthetic_dendritic_voltage(0, pre, post, 400.0, dt=0.02)
    tg, ug = pl.resample_trace(tf, uf - 65.0, 0.1, baseline=-65.0)
    r = pl.glutamate_voltage_rule(ug, pre, 0.1).dw[0]
    assert abs(r - _protocol(0)) < 0.02 * abs(_protocol(0))
    np.testing.assert_array_equal(pl.classify([27.0, -11.0, 0.5], w0=100.0, band=5.0), ["LTP", "LTD", "none"])


def test_voltage_rule_bad_input():
    with pytest.raises(ValueError, match="'pre_spikes'"):
        pl.glutamate_voltage_rule(np.zeros(100), [20.0], 0.1)
    with pytest.raises(ValueError, match="theta_minus"):
        pl.VoltageRule(theta_minus=40, theta_plus=30)
    with pytest.raises(ValueError, match="'shape'"):
        pl.VoltageRule(shape="cubic")
    with pytest.raises(ValueError, match="'u'"):
        pl.glutamate_voltage_rule(np.zeros((2, 2, 2)), [0.0], 0.1)
    with pytest.raises(ValueError, match="'u' must be finite"):
        pl.glutamate_voltage_rule(np.array([0.0, np.nan]), [0.0], 0.1)
    with pytest.raises(ValueError, match="one spike-time array per synapse"):
        pl.glutamate_voltage_rule(np.zeros((3, 100)), [[1.0], [2.0]], 0.1)
