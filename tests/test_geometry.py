"""Population-geometry toolkit: closed-form theory, the notes' checks (seed001_learning.md 3.4) and
the NumPy twins in tests/reference/geometry_ref.py."""
import numpy as np
import pytest
from scipy.optimize import nnls

import neurocore.geometry as geo
from neurocore.geometry import _geometry
from tests.reference import geometry_ref as ref


def _gauss(n, lam, seed):
    return np.random.default_rng(seed).standard_normal((n, len(lam))) * np.sqrt(lam)


# ---------------------------------------------------------------- dimensionality

def test_pr_exact_on_prescribed_spectra():
    # Notes 3.4 check 1. lambda = (4,4,1,1,1,1): PR = 12^2 / 36 = 4 exactly (the notes' "100/36 =
    # 2.78" is an arithmetic slip: sum lambda = 12). Seed-to-seed sd at n = 200,000 measured 0.004.
    lam = np.array([4, 4, 1, 1, 1, 1.0])
    assert geo.participation_ratio_of_spectrum(lam) == pytest.approx(4.0, abs=1e-12)
    assert geo.participation_ratio(_gauss(200000, lam, 0)) == pytest.approx(4.0, abs=0.03)
    # Isotropic d = 20, n = 20,000: notes' band [19.2, 20] (Wishart bias d/(1 + d/n) = 19.98).
    pr = geo.participation_ratio(_gauss(20000, np.ones(20), 1))
    assert 19.2 <= pr <= 20.0
    # Against the twin (eigenvalues of np.cov).
    X = _gauss(300, np.arange(1, 11.0), 2)
    assert geo.participation_ratio(X) == pytest.approx(ref.participation_ratio(X), rel=1e-12)


def test_pr_bias_correction_on_spiked_spectrum():
    # lambda_k = 1/k, N = 200, n = 200 samples, 30 seeds: measured sd per seed 1.6 (naive) and 2.0
    # (cross-block). The naive estimate is biased down by ~1.9 (> 3 standard errors); the
    # cross-block estimator is unbiased within 3 standard errors of the mean.
    N = 200
    lam = 1.0 / np.arange(1, N + 1)
    true = geo.participation_ratio_of_spectrum(lam)
    naive = np.array([geo.participation_ratio(_gauss(200, lam, s)) for s in range(30)])
    cross = np.array([geo.participation_ratio(_gauss(200, lam, s), estimator="cross_block") for s in range(30)])
    se = lambda a: a.std(ddof=1) / np.sqrt(len(a))
    assert naive.mean() < true - 3 * se(naive)
    assert abs(cross.mean() - true) < 3 * se(cross)
    jk = np.array([geo.participation_ratio(_gauss(200, lam, s), estimator="jackknife") for s in range(10)])
    assert abs(jk.mean() - true) < abs(naive[:10].mean() - true)


def test_drop_smallest_is_the_reference_option():
    # Samples <= neurons: centering kills one dimension, so dropping the smallest singular value
    # changes nothing. Samples > neurons: it removes a real dimension (notes 3.1 pitfall).
    few = _gauss(30, np.ones(50), 3)
    assert geo.participation_ratio(few, drop_smallest=True) == pytest.approx(geo.participation_ratio(few), rel=1e-9)
    many = _gauss(5000, np.ones(6), 4)
    assert geo.participation_ratio(many, drop_smallest=True) < geo.participation_ratio(many) - 0.8


def test_pca_spectrum_and_explained_variance_dimension():
    X = _gauss(400, np.array([9.0, 4.0, 1.0, 0.5]), 5)
    lam = geo.pca_spectrum(X)
    assert np.allclose(lam, np.sort(np.linalg.eigvalsh(np.cov(X, rowvar=False)))[::-1], rtol=1e-10)
    # Exact spectrum with explained-variance fractions (0.6, 0.3, 0.1): 90% is reached at k = 2.
    Y = np.diag(np.sqrt([6.0, 3.0, 1.0])) @ np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))[0]
    Y = np.vstack([Y, -Y]) * np.sqrt(5)      # symmetric cloud: covariance exactly diag(6,3,1) rotated
    assert geo.explained_variance_dimension(Y, fraction=0.9) == 2
    assert geo.explained_variance_dimension(Y, fraction=0.95) == 3
    assert geo.explained_variance_dimension(Y, fraction=0.95, convention="reference") == 2


def test_nonlinear_dimension_two_nn():
    rng = np.random.default_rng(6)
    # A flat 3-torus (uniform density, no boundary) isometrically embedded in 50-D: TwoNN = 3;
    # measured 2.98 +- 0.07 (sd over 20 seeds, n = 2000), so +-0.25 is 3.5 sd.
    th = rng.uniform(0, 2 * np.pi, (2000, 3))
    X = np.column_stack([np.cos(th), np.sin(th)]) @ np.linalg.qr(rng.standard_normal((50, 6)))[0].T
    assert geo.two_nn_dimension(X) == pytest.approx(3.0, abs=0.25)
    # A loop through 20 Fourier features: linear PR ~ 20, intrinsic dimension 1.
    th = rng.uniform(0, 2 * np.pi, 2000)
    L = np.column_stack([f(k * th) for k in range(1, 11) for f in (np.cos, np.sin)])
    assert geo.participation_ratio(L) > 18
    assert geo.two_nn_dimension(L) == pytest.approx(1.0, abs=0.15)


# ---------------------------------------------------------------- the C solvers

@pytest.mark.parametrize("m,d", [(10, 5), (50, 51), (40, 20), (5, 30), (30, 4)])
def test_nnls_gram_matches_scipy(m, d):
    # Exact active-set solution: agrees with scipy.optimize.nnls (an independent implementation).
    rng = np.random.default_rng(m + d)
    A, t = rng.standard_normal((d, m)), rng.standard_normal(d)
    x, _ = nnls(A, t)
    a, na = _geometry.nnls_gram(A.T @ A, A.T @ t)
    assert np.max(np.abs(a - x)) < 1e-9
    assert na == np.count_nonzero(x)


@pytest.mark.parametrize("kappa", [0.0, 0.5])
def test_anchors_match_twin_and_kkt(kappa):
    rng = np.random.default_rng(7)
    m, D = 12, 12
    S = np.hstack([0.7 * rng.standard_normal((m, D)), np.ones((m, 1))])
    T = rng.standard_normal((300, D + 1))
    W, cases, _ = _geometry.anchors(S, T, kappa=kappa)
    assert np.max(np.abs(W - ref.anchors(S, T, kappa))) < 1e-8
    assert np.allclose(W.sum(1), 1.0) and np.all(W >= 0)
    # KKT of the primal min |v - t|^2 / 2 s.t. S v <= -kappa, v = t - S^T alpha with alpha >= 0.
    for i in np.where(cases > 0)[0][:50]:
        tp = T[i].copy()
        tp[-1] += kappa
        alpha, _ = nnls(S.T, tp)
        v = T[i] - S.T @ alpha
        assert np.all(S @ v <= -kappa + 1e-9)
        assert abs(alpha @ (S @ v + kappa)) < 1e-9


# ---------------------------------------------------------------- MFTMA

def _point_manifolds(P, M, N, radius, seed):
    rng = np.random.default_rng(seed)
    return [c + radius * rng.standard_normal((M, N)) for c in rng.standard_normal((P, N))]


def test_gardner_capacity_closed_form():
    # alpha(0) = 2 (Cover/Gardner), alpha(0.5) = 0.961, alpha(1) = 0.520 (notes 3.2), closed form
    # against quadrature.
    from neurocore.geometry.mftma import gardner_capacity_quad
    assert geo.gardner_capacity(0.0) == pytest.approx(2.0, abs=1e-14)
    assert geo.gardner_capacity(0.5) == pytest.approx(0.961, abs=5e-4)
    assert geo.gardner_capacity(1.0) == pytest.approx(0.520, abs=5e-4)
    for k in (0.2, 1.0, 2.5):
        assert geo.gardner_capacity(k) == pytest.approx(gardner_capacity_quad(k), rel=1e-10)


def test_point_manifold_limit_and_margin():
    # Notes 3.4 check 2: P = 50, M = 10 points within a tiny radius, N = 200. kappa = 0: capacity in
    # [1.8, 2.05]; kappa = 1: within 10% of Gardner alpha(1) = 0.520. n_t = 1000 makes the
    # sampling sd of the harmonic mean ~1% (per-sample variance of (t)_+^2 is 1.25).
    mans = _point_manifolds(50, 10, 200, 1e-3 / np.sqrt(200), 8)
    r0 = geo.manifold_analysis(mans, kappa=0.0, n_t=1000, rng=0)
    assert 1.8 <= r0.capacity_population <= 2.05
    assert r0.radius_mean < 1e-3
    r1 = geo.manifold_analysis(mans, kappa=1.0, n_t=1000, rng=0, remove_center_correlation=False)
    assert r1.capacity_population == pytest.approx(geo.gardner_capacity(1.0), rel=0.10)


def test_large_d_self_consistency():
    # Notes 3.4 check 3: random manifolds N = 1000, M = 40, P = 20; alpha_M within 10% of
    # (1 + R_M^-2) / D_M (PRX large-D theory). Spread radius 2 (per coordinate, centers have unit
    # variance) gives D_M ~ 16; measured mean ratio 0.96, single manifolds 0.88-1.03 (n_t = 200
    # sampling noise), so the population mean is held to 10% and each manifold to 20%.
    mans = _point_manifolds(20, 40, 1000, 2.0, 9)
    r = geo.manifold_analysis(mans, n_t=200, rng=1, remove_center_correlation=False)
    assert r.dimension_mean > 10
    ratio = r.capacity / r.capacity_theory()
    assert abs(np.mean(ratio) - 1) < 0.10
    assert np.all(np.abs(ratio - 1) < 0.20)


def test_separability_matches_capacity():
    # Notes 3.4 check 5: N = 60, 5-point manifolds; the fraction of random dichotomies that are
    # linearly separable crosses 0.5 at P/N within 20% of the MFTMA capacity. (The full sweep is in
    # the manifold_capacity experiment; here 5 loads x 16 dichotomies.)
    N, M, R = 60, 5, 0.5
    rng = np.random.default_rng(10)
    loads = np.array([0.6, 0.8, 1.0, 1.2, 1.4])
    frac = []
    for a in loads:
        P = int(round(a * N))
        mans = [c + R * rng.standard_normal((M, N)) for c in rng.standard_normal((P, N))]
        frac.append(geo.separability_fraction(mans, 16, rng=rng))
    frac = np.array(frac)
    i = np.where((frac[:-1] >= 0.5) & (frac[1:] < 0.5))[0][0]
    cross = loads[i] + (loads[i + 1] - loads[i]) * (frac[i] - 0.5) / (frac[i] - frac[i + 1])
    mans = [c + R * rng.standard_normal((M, N)) for c in rng.standard_normal((90, N))]
    cap = geo.manifold_analysis(mans, n_t=400, rng=2, remove_center_correlation=False).capacity_population
    assert cross == pytest.approx(cap, rel=0.20)


def test_center_correlation_removal_finds_shared_direction():
    # Centers share a strong common direction u: their mean |cos| is large, and the removed basis
    # contains u (|u . basis| close to 1) and lowers the residual correlation.
    rng = np.random.default_rng(11)
    N, P = 300, 30
    u = rng.standard_normal(N)
    u /= np.linalg.norm(u)
    centers = rng.standard_normal((P, N)) + 6.0 * np.outer(rng.standard_normal(P), u) * np.sqrt(N) / 3
    cc = geo.center_correlation_structure(centers, n_restarts=3, rng=0)
    assert cc.correlation > 0.3
    assert cc.K >= 1
    assert np.linalg.norm(cc.basis.T @ u) > 0.95
    assert cc.residual_correlation.min() < 0.5 * cc.correlation


def test_manifold_analysis_is_reproducible_and_accepts_t_vectors():
    mans = _point_manifolds(6, 8, 40, 0.5, 12)
    a = geo.manifold_analysis(mans, rng=3, remove_center_correlation=False)
    b = geo.manifold_analysis(mans, rng=3, remove_center_correlation=False)
    assert np.array_equal(a.capacity, b.capacity)
    T = [np.random.default_rng(i).standard_normal((200, 9)) for i in range(6)]
    c = geo.manifold_analysis(mans, t_vectors=T, remove_center_correlation=False)
    d = geo.manifold_analysis(mans, t_vectors=T, remove_center_correlation=False, rng=99)
    assert np.array_equal(c.radius, d.radius)


# ---------------------------------------------------------------- similarity and untangling

def test_cka_and_rsa_invariances():
    # Notes 3.4 check 7: CKA(X, s X Q) = 1 to 1e-10 for orthogonal Q, scalar s; the Euclidean-RDM
    # Spearman correlation is 1 under the same transform.
    rng = np.random.default_rng(13)
    X = rng.standard_normal((40, 60))
    Q, _ = np.linalg.qr(rng.standard_normal((60, 60)))
    Y = 3.7 * X @ Q
    assert abs(geo.linear_cka(X, Y) - 1.0) < 1e-10
    assert abs(geo.linear_cka(X[:, :20], Y[:, :20] @ np.eye(20)) - ref.linear_cka(X[:, :20], Y[:, :20])) < 1e-12
    assert geo.compare_rdms(geo.rdm(X, metric="euclidean"), geo.rdm(Y, metric="euclidean")) == pytest.approx(1.0, abs=1e-12)
    assert geo.compare_rdms(geo.rdm(X, metric="euclidean"), geo.rdm(Y, metric="euclidean"), "kendall_tau_a") == pytest.approx(1.0)
    # Independent representations: CKA ~ p/n scale, far below 1; twin agreement in both regimes.
    Z = rng.standard_normal((40, 60))
    assert geo.linear_cka(X, Z) == pytest.approx(ref.linear_cka(X, Z), rel=1e-10)
    assert geo.linear_cka(X, Z) < 0.7


def test_kendall_tau_a_and_rdm_metrics():
    rng = np.random.default_rng(14)
    x, y = rng.standard_normal(300), rng.standard_normal(300)
    y[:50] = x[:50]
    x[::7] = 0.0  # ties
    assert _geometry.kendall_tau_a(x, y) == pytest.approx(ref.kendall_tau_a(x, y), abs=1e-14)
    X = rng.standard_normal((8, 20))
    D = geo.rdm(X, metric="correlation")
    assert np.allclose(D, 1 - np.corrcoef(X))
    E = geo.rdm(X, metric="sqeuclidean")
    assert np.allclose(E, np.sum((X[:, None] - X[None]) ** 2, axis=2))


def test_tangling_circle_vs_figure_eight():
    # Notes 3.4 check 8: a circle is untangled (Q < 1: velocity differences equal position
    # differences), a figure-eight crosses itself with different velocities: max Q >= 10x larger.
    t = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    dt = t[1] - t[0]
    circle = np.column_stack([np.cos(t), np.sin(t)])
    eight = np.column_stack([np.sin(t), np.sin(t) * np.cos(t)])
    qc = geo.tangling(circle, dt=dt)
    q8 = geo.tangling(eight, dt=dt)
    assert qc.max < 1.0
    assert q8.max >= 10 * qc.max
    V = np.gradient(eight, dt, axis=0)
    assert np.allclose(q8.Q, ref.tangling(eight, V, q8.eps), rtol=1e-12)


def test_linear_probe_accuracy():
    rng = np.random.default_rng(15)
    lab = np.repeat(np.arange(4), 50)
    sep = rng.standard_normal((200, 30)) * 0.3 + 3 * np.eye(4, 30)[lab]
    assert geo.linear_probe_accuracy(sep, lab, rng=0) == 1.0
    # Random labels: chance 0.25; sd of the accuracy over 200 samples is ~0.03.
    noise = rng.standard_normal((200, 30))
    assert abs(geo.linear_probe_accuracy(noise, rng.permutation(lab), rng=0) - 0.25) < 0.12


# ---------------------------------------------------------------- orientation and bad input

def test_axis_orientation_is_explicit():
    rng = np.random.default_rng(16)
    X = rng.standard_normal((500, 30))
    Xc = X.copy()
    assert geo.participation_ratio(X.T, axis=1) == pytest.approx(geo.participation_ratio(X), rel=1e-12)
    assert geo.linear_cka(X.T, X.T, axis=1) == pytest.approx(1.0)
    assert np.array_equal(X, Xc)  # inputs never modified
    with pytest.raises(ValueError, match="'axis'"):
        geo.participation_ratio(X, axis=2)
    with pytest.raises(ValueError, match="'X' must be 2-D"):
        geo.participation_ratio(np.zeros((3, 4, 5)))
    mans = [rng.standard_normal((10, 40)), rng.standard_normal((40, 10))]
    with pytest.raises(ValueError, match="axis=1"):
        geo.manifold_analysis(mans)
    with pytest.raises(ValueError, match="'labels'"):
        geo.manifold_analysis(X, labels=np.zeros(3))
    with pytest.raises(ValueError, match="'Y'"):
        geo.linear_cka(X, X[:10])


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="'S'"):
        _geometry.anchors(np.zeros((4, 3)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="'T'"):
        _geometry.anchors(np.ones((4, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="'X' must be finite"):
        geo.participation_ratio(np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="'estimator'"):
        geo.participation_ratio(np.eye(4), estimator="magic")
    with pytest.raises(ValueError, match="'kappa'"):
        geo.manifold_analysis([np.eye(3), np.eye(3) + 1], kappa=-1)
    with pytest.raises(ValueError, match="'eps'"):
        geo.tangling(np.eye(5), eps=-1.0)
    with pytest.raises(ValueError, match="'method'"):
        geo.compare_rdms(np.eye(4), np.eye(4), "cosine")
    with pytest.raises(ValueError, match="'G'"):
        _geometry.nnls_gram(np.eye(3)[:2], np.ones(3))


def test_stiefel_decorrelation_kernel_against_numpy_cost():
    # The C optimiser returns orthonormal V, the cost the NumPy twin computes at V, a cost below
    # the start, and a vanishing Riemannian gradient (twin's analytic gradient, checked here by
    # finite differences).
    rng = np.random.default_rng(17)
    X = rng.standard_normal((12, 11)) + 2.0 * np.outer(rng.standard_normal(12), rng.standard_normal(11))
    V0 = np.linalg.qr(rng.standard_normal((11, 2)))[0]
    f0, G0 = ref.cc_cost_grad(V0, X)
    dV = rng.standard_normal(V0.shape) * 1e-6
    assert ref.cc_cost_grad(V0 + dV, X)[0] - f0 == pytest.approx(np.sum(G0 * dV), rel=1e-4)
    V, cost = _geometry.stiefel_decorrelate(X, V0, max_iter=2000, gtol=1e-9)
    assert np.allclose(V.T @ V, np.eye(2), atol=1e-12)
    assert cost == pytest.approx(ref.cc_cost_grad(V, X)[0], rel=1e-12)
    assert cost < f0
    f, G = ref.cc_cost_grad(V, X)
    xi = G - V @ (0.5 * (V.T @ G + G.T @ V))
    assert np.linalg.norm(xi) < 1e-3 * np.linalg.norm(G0)  # stops on a 1e-11 relative cost change


def test_untangling_on_stroke_digits_with_backprop_mlp():
    # Notes 3.4 check 6 on the scikit-learn-free digits: 10 classes x 50 held-out samples, a tanh
    # MLP trained by backprop; MFTMA capacity of the last hidden layer exceeds that of the pixels
    # (the experiment geometry_untangling runs the same on scikit-learn's digits when installed).
    from neurocore.experiments.geometry_untangling import stroke_digits, train_mlp
    X, y = stroke_digits(110, rng=0)
    test = np.concatenate([np.where(y == c)[0][:50] for c in range(10)])
    train = np.setdiff1d(np.arange(len(y)), test)
    net = train_mlp(X[train], y[train], hidden=(64, 64), epochs=20, rng=1)
    hidden = net(X[test])[-2]
    assert np.mean(np.argmax(net(X[test])[-1], 1) == y[test]) > 0.6
    c_pix = geo.manifold_analysis(X[test], labels=y[test], n_t=200, n_restarts=2, rng=2).capacity_population
    c_hid = geo.manifold_analysis(hidden, labels=y[test], n_t=200, n_restarts=2, rng=2).capacity_population
    assert c_hid > c_pix


def test_rate_network_activity_hooks_in():
    # One-line use on a neurocore model: (time, neurons) trajectories are axis=0. Below the chaotic
    # transition activity decays to a point; at g = 2 the PR/N is O(1e-2) (DMFT 0.0159, notes
    # seed001_dmft.md 2.4; the 25% check runs in the geometry_untangling experiment).
    import neurocore.rate as nr
    net = nr.RateNetwork(300, g=2.0, rng=3)
    net.run(100.0, dt=0.1, record_every=1000)
    X = net.run(1000.0, dt=0.1, record_every=5).x
    pr = geo.participation_ratio(X, axis=0, estimator="cross_block") / 300
    assert 0.005 < pr < 0.05
