"""Tests of neurocore.memory: kernel memory networks, special cases, balanced memories.

Check ids K1-K8 refer to seed002_memory_fitting.md section 1.4; the balanced-memory numbers to
seed001_dmft.md section 5 and the derivation in neurocore/memory/balanced.py.
"""
import numpy as np
import pytest

import neurocore.memory as nm
from neurocore.memory import balanced as bal
from tests.reference import memory_ref as ref


@pytest.fixture(scope="module")
def X60():
    return nm.random_patterns(60, 100, rng=0)


# ---------------------------------------------------------------- K1, K2, K3: interpolation


@pytest.mark.parametrize("kernel", [nm.linear_kernel(), nm.polynomial_kernel(3), nm.exponential_kernel(5.0)])
def test_K1_stored_patterns_are_exact_fixed_points(X60, kernel):
    # K1: X K^-1 K = X exactly when K is positive definite; notes' prototype error <= 2e-15.
    mem = nm.KernelMemory(X60, kernel=kernel, activation="identity")
    out = nm.kernel_memory_recall(mem, X60).states
    assert np.abs(out - X60).max() < 1e-10
    # and the sign network keeps every stored pattern after iterating
    res = nm.KernelMemory(X60, kernel=kernel).recall(X60, steps=None)
    assert np.all(res.states == X60) and np.all(res.converged) and np.all(res.sweeps == 1)


def test_K2_linear_kernel_is_projection_rule(X60):
    # K2: X K^-1 k(x) = X^T (X^T)^+ x (pseudo-inverse rule), notes' prototype 6e-15.
    probes = np.random.default_rng(1).standard_normal((5, 100))
    mem = nm.KernelMemory(X60, kernel="linear", activation="identity")
    proj = probes @ (np.linalg.pinv(X60) @ X60).T
    assert np.abs(mem.recall(probes).states - proj).max() < 1e-10
    # the explicit projection-rule Hopfield network has the same weights
    hop = nm.HopfieldNetwork(X60, rule="projection")
    assert np.abs(hop.W - np.linalg.pinv(X60) @ X60).max() < 1e-10


@pytest.mark.parametrize("name,kw", [("linear", {}), ("polynomial", {"degree": 2}), ("exponential", {"beta": 3.0})])
def test_interpolation_matches_numpy_twin(X60, name, kw):
    # NumPy twin: explicit solve of the Gram system (tests/reference/memory_ref.py).
    rng = np.random.default_rng(2)
    Y = rng.standard_normal((60, 7))
    cues = rng.standard_normal((9, 100))
    mem = nm.KernelMemory(X60, targets=Y, kernel=name, **kw)
    want = ref.interpolation_recall(X60, Y, cues, name, **kw)
    assert np.allclose(mem.recall(cues).states, want, rtol=1e-9, atol=1e-9)


def test_K3_exponential_kernel_equals_modern_hopfield(X60):
    # K3: beta = 20 (per unit of s = x.x'/n), 15 flipped bits: signs agree on all bits, corr > 0.999,
    # the cue is retrieved exactly (notes' prototype: 1.0, 0.99999999, retrieved).
    n = X60.shape[1]
    cue = nm.flip_bits(X60[:1], 15 / n, rng=3)[0]
    kmem = nm.KernelMemory(X60, kernel=nm.exponential_kernel(20.0), activation="identity")
    h_kernel = kmem.recall(cue).states[0]
    h_mh = nm.modern_hopfield_retrieve(X60, cue, beta=20.0 / n)   # Ramsauer beta on raw dot products
    assert np.all(np.sign(h_kernel) == np.sign(h_mh))
    assert np.corrcoef(h_kernel, h_mh)[0, 1] > 0.999
    assert np.all(np.sign(h_kernel) == X60[0])


def test_modern_hopfield_is_kernel_network_with_softmax_readout():
    # Exact identity (derivation in ModernHopfield notes): both against the NumPy expression.
    rng = np.random.default_rng(4)
    X = rng.standard_normal((500, 32)) / np.sqrt(32)
    Q = X[:7] + 0.3 * rng.standard_normal((7, 32)) / np.sqrt(32)
    mh = nm.ModernHopfield(X, beta=8.0)
    want = ref.softmax_recall(X, Q.T, 8.0).T
    assert np.abs(mh.retrieve(Q) - want).max() < 1e-12
    assert np.abs(mh.as_kernel_memory().recall(Q).states - want).max() < 1e-12
    # streaming softmax is stable where exp(beta X q) overflows
    big = nm.modern_hopfield_retrieve(X * 50, Q[0] * 50, beta=100.0)
    assert np.all(np.isfinite(big)) and np.abs(big - ref.softmax_recall(X * 50, Q[0] * 50, 100.0)).max() < 1e-9


def test_modern_hopfield_batch_equals_single():
    # The batched (GEMM) and single-query (GEMV) streaming paths compute the same expression.
    rng = np.random.default_rng(5)
    X = rng.standard_normal((1000, 16))
    Q = rng.standard_normal((5, 16))
    batch = nm.modern_hopfield_retrieve(X, Q, 0.7)
    single = np.array([nm.modern_hopfield_retrieve(X, q, 0.7) for q in Q])
    assert np.abs(batch - single).max() < 1e-12


# ---------------------------------------------------------------- K4: classical Hopfield


def test_K4_hebbian_hopfield_capacity():
    # K4 (Amit-Gutfreund-Sompolinsky alpha_c = 0.138): n = 500, synchronous, zero diagonal, 20 sweeps
    # from the stored patterns; final bit-error fraction 0 at alpha = 0.05, < 0.5% at 0.10,
    # > 10% at 0.20 (notes' prototype 0; 0.11%; 18%).
    n = 500
    errs = {}
    for alpha in (0.05, 0.10, 0.20):
        X = nm.random_patterns(int(alpha * n), n, rng=6)
        res = nm.HopfieldNetwork(X).recall(X, steps=20, mode="sync")
        errs[alpha] = np.mean(res.states != X)
    assert errs[0.05] == 0.0
    assert errs[0.10] < 0.005
    assert errs[0.20] > 0.10


def test_hebbian_hopfield_equals_kernel_network_async():
    # Hebbian Hopfield = linear kernel, constant read-out, self-coupling -P/n (derivation in
    # HopfieldNetwork notes). With n even and P odd no field is ever exactly 0, so the two
    # asynchronous trajectories (same random order) must agree state by state.
    X = nm.random_patterns(41, 200, rng=7)
    hop = nm.HopfieldNetwork(X)
    cues = nm.flip_bits(X[:10], 0.15, rng=8)
    a = hop.recall(cues, mode="async", rng=9)
    b = hop.as_kernel_memory().recall(cues, steps=None, mode="async", rng=9)
    assert np.all(a.states == b.states) and np.all(a.sweeps == b.sweeps)
    s = hop.recall(cues, steps=5, mode="sync")
    assert np.all(s.states == np.array([ref.hopfield_sync(hop.W, c, s.sweeps[i]) for i, c in enumerate(cues)]))


# ---------------------------------------------------------------- K5: Cover, SVM


def test_K5_classification_capacity_follows_cover():
    # K5: n = 40, 40 random label sets; fraction separable >= 0.9 / in [0.3, 0.7] / <= 0.1 at
    # N = 60 / 80 / 100 (Cover: 0.996 / 0.5 / 0.022).
    rng = np.random.default_rng(10)
    n = 40
    assert abs(nm.cover_probability(80, 40) - 0.5) < 1e-12
    frac = {}
    for P in (60, 80, 100):
        X = rng.standard_normal((P, n))
        frac[P] = np.mean([nm.linearly_separable(X, np.where(rng.random(P) < 0.5, -1.0, 1.0)) for _ in range(40)])
    assert frac[60] >= 0.9 and 0.3 <= frac[80] <= 0.7 and frac[100] <= 0.1


def test_svm_agrees_with_lp_and_reference_dual():
    # The C dual coordinate ascent reaches the optimum of the hard-margin dual (reference: L-BFGS-B on
    # the same QP) and classifies all stored labels; it fails to converge on non-separable labels.
    rng = np.random.default_rng(11)
    n, P = 40, 50
    X = rng.standard_normal((P, n))
    Y = np.where(rng.random((P, 3)) < 0.5, -1.0, 1.0)
    mem = nm.KernelMemory(X, targets=Y, kernel="linear", rule="classification", svm_tol=1e-9)
    assert mem.svm_converged.all()
    G = mem.gram()
    for i in range(3):
        a_ref = ref.svm_dual(G, Y[:, i])
        w_ref = (a_ref * Y[:, i]) @ X / n
        w = mem.readout[i] @ X / n
        assert np.abs(w - w_ref).max() < 1e-5 * np.abs(w_ref).max()
    assert np.all(mem.recall(X).states == Y)
    # max margin: the SVM margin is at least that of the interpolating solution, per neuron
    Xs, Ys = X[:30], Y[:30]   # interpolation needs P <= n with the linear kernel
    svm_s = nm.KernelMemory(Xs, targets=Ys, kernel="linear", rule="classification", svm_tol=1e-9)
    interp = nm.KernelMemory(Xs, targets=Ys, kernel="linear")
    assert np.all(svm_s.margins() >= interp.margins() - 1e-9)
    # 2.5 n random labels are not separable (Cover probability ~ 1e-7): no convergence
    Xb = rng.standard_normal((100, n))
    yb = np.where(rng.random((100, 1)) < 0.5, -1.0, 1.0)
    assert not nm.linearly_separable(Xb, yb[:, 0])
    nb = nm.KernelMemory(Xb, targets=yb, kernel="linear", rule="classification", max_sweeps=300)
    assert not nb.svm_converged[0]


def test_svm_memory_binary_auto_association():
    # Kernel classification memory (polynomial p = 2 SVM per neuron): stored patterns are fixed points
    # and the margin is positive for every neuron (separable in the C(n,2)-dim feature space).
    X = nm.random_patterns(120, 40, rng=12)
    mem = nm.KernelMemory(X, kernel=nm.polynomial_kernel(2), rule="classification")
    assert mem.svm_converged.all()
    assert np.all(mem.recall(X).states == X) and np.all(mem.margins() > 0)


# ---------------------------------------------------------------- K6, K7: SDM


def test_sdm_kernel_formula_exact_small_n():
    # The closed form against enumeration of all 2^10 addresses (exact).
    K = nm.sdm_kernel_values(10, 3)
    for d in range(11):
        assert abs(K[d] - ref.sdm_kernel_bruteforce(10, 3, d)) < 1e-15


def test_K6_sdm_kernel_against_monte_carlo():
    # K6: n = 64, r = 24, M = 2e5 random addresses; relative error < 5% at d <= 24, < 10% at d = 32.
    # One pair gives a Binomial(M, K(d)) count, relative s.e. 1/sqrt(M K(d)) = 4.4% at d = 24 and
    # 7.7% at d = 32, so the estimate averages 16 independent pairs (s.e. 1.1% and 1.9%).
    n, r, M, pairs = 64, 24, 200_000, 16
    sdm = nm.SparseDistributedMemory(n, M, r, m=pairs, rng=13)
    K = nm.sdm_kernel_values(n, r)
    x = nm.random_patterns(pairs, n, rng=14)
    sdm.write(x, data=np.eye(pairs))
    rng = np.random.default_rng(15)
    for d, tol in [(0, 0.05), (4, 0.05), (8, 0.05), (16, 0.05), (24, 0.05), (32, 0.10)]:
        xp = x.copy()
        for row in xp:
            row[rng.choice(n, d, replace=False)] *= -1
        shared = np.diag(sdm.read(xp)[0]).mean()
        assert abs(shared / M - K[d]) < tol * K[d], (d, shared / M, K[d])


def test_K7_sdm_equals_kernel_network_exactly():
    # K7: the Kanerva counter read-out equals sum_mu y^mu K_hat(x^mu, x) with K_hat the number of shared
    # locations of the same address set, computed independently in NumPy (integer identity).
    n, r, M = 32, 11, 3000
    sdm = nm.SparseDistributedMemory(n, M, r, rng=15)
    X = nm.random_patterns(20, n, rng=16)
    sdm.write(X)
    cues = nm.flip_bits(X[:8], 0.1, rng=17)
    out, act = sdm.read(cues)
    Khat = ref.sdm_shared_locations(sdm.addresses, r, X, cues)   # (P, B)
    assert np.array_equal(out, (X.T @ Khat).T)
    assert np.array_equal(act, ref.sdm_shared_locations(sdm.addresses, r, cues, cues).diagonal())


# ---------------------------------------------------------------- K8: compact support, sphere


def test_cap_kernel_against_monte_carlo():
    # Spherical-cap kernel (quadrature) against sampled hard locations, n = 8, half-angle 40 deg;
    # 4e5 samples give a relative standard error ~1%; tolerance 5 s.e.
    n, rho = 8, np.radians(40)
    rng = np.random.default_rng(18)
    a = rng.standard_normal((400_000, n))
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    x = np.eye(n)[0]
    c = np.cos(rho)
    act_x = a @ x >= c
    for ang in (0.0, 20.0, 40.0, 60.0):
        t = np.radians(ang)
        xp = np.cos(t) * x + np.sin(t) * np.eye(n)[1]
        mc = np.mean(act_x & (a @ xp >= c)) / np.mean(act_x)
        th = nm.cap_kernel_values(np.cos(t), n, rho)[0]
        se = np.sqrt(max(th, 1e-3) / act_x.sum())
        assert abs(mc - th) < 5 * se, (ang, mc, th)
    assert nm.cap_kernel_values(np.cos(np.radians(80.5)), n, rho)[0] == 0.0   # beyond 2 rho


def test_K8_compact_support_memory_on_sphere():
    # K8: N = 2000 patterns uniform on S^63 (min pairwise angle ~55 deg), support half-angle 12 deg
    # (support 24 deg < min angle / 2): K is diagonal and every cue within 12 deg (half the
    # support radius) of its pattern is retrieved in one step (100%).
    n, N = 64, 2000
    rng = np.random.default_rng(19)
    X = rng.standard_normal((N, n))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    rho = np.radians(12.0)
    kern = nm.cap_kernel(n, rho)
    mem = nm.KernelMemory(X, kernel=kern, activation="identity")
    G = mem.gram()
    assert np.count_nonzero(G - np.diag(np.diag(G))) == 0
    # cues at random angles up to rho from their patterns
    idx = rng.choice(N, 200, replace=False)
    u = rng.standard_normal((200, n))
    u -= np.sum(u * X[idx], axis=1, keepdims=True) * X[idx]
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    t = rho * rng.random((200, 1))
    cues = np.cos(t) * X[idx] + np.sin(t) * u
    out = mem.recall(cues).states
    cos = np.sum(out * X[idx], axis=1) / np.linalg.norm(out, axis=1)
    assert np.all(cos > 1 - 1e-12)


# ---------------------------------------------------------------- errors


def test_errors_name_the_argument(X60):
    with pytest.raises(nm.SingularGramError, match="patterns 3 and 60 are identical"):
        nm.KernelMemory(np.vstack([X60, X60[3]]))
    # linearly dependent without duplicates (P > n, linear kernel): caught in C, actionable
    with pytest.raises(nm.SingularGramError, match="ridge > 0"):
        nm.KernelMemory(nm.random_patterns(30, 20, rng=1), kernel="linear")
    mem = nm.KernelMemory(X60, kernel="linear")
    with pytest.raises(ValueError, match="'cues'"):
        mem.recall(np.ones((2, 99)))
    with pytest.raises(ValueError, match="'targets'"):
        nm.KernelMemory(X60, targets=np.ones((59, 3)))
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="'beta'"):
            nm.exponential_kernel(bad)
        with pytest.raises(ValueError, match="'beta'"):
            nm.ModernHopfield(X60, bad)
        with pytest.raises(ValueError, match="'beta'"):
            nm.modern_hopfield_retrieve(X60, X60[0], bad)
    with pytest.raises(ValueError, match="'queries'"):
        nm.modern_hopfield_retrieve(X60, np.ones(99), 1.0)
    with pytest.raises(ValueError, match="'cues'"):
        nm.SparseDistributedMemory(16, 100, 5, rng=0).read(np.ones((1, 15)))
    with pytest.raises(ValueError, match="'mode'"):
        mem.recall(X60, mode="random")
    with pytest.raises(ValueError, match="'patterns'"):
        nm.KernelMemory(np.array([[1.0, np.nan]]))


def test_inputs_are_not_modified(X60):
    X = X60.copy()
    cues = nm.flip_bits(X[:5], 0.2, rng=2)
    c0 = cues.copy()
    nm.KernelMemory(X, kernel="exponential", beta=4.0).recall(cues, steps=None, mode="async", rng=1)
    assert np.array_equal(X, X60) and np.array_equal(cues, c0)


# ---------------------------------------------------------------- balanced memories (Rubin et al.)


def test_balanced_theory_reproduces_authors_table():
    # seed001 5.4 (authors' replica theory, run by the notes, p_out = 0.5): alpha_b at
    # f_exc = 0.2, 0.5, 0.7, 0.8, 0.9 for phi = 1/sqrt2, 1, sqrt2 (tolerance 1e-3, notes' test 1).
    table = {1 / np.sqrt(2): [0.8554, 0.9815, 0.8030, 0.6384, 0.4051],
             1.0: [0.7497, 1.0000, 0.8944, 0.7497, 0.5111],
             np.sqrt(2): [0.6384, 0.9815, 0.9630, 0.8554, 0.6333]}
    for phi, vals in table.items():
        got = bal.balanced_capacity_theory(np.array([0.2, 0.5, 0.7, 0.8, 0.9]), phi)
        assert np.abs(got - vals).max() < 1e-3
    # alpha_c = alpha_b = 0.7497 at f_exc = 0.2, phi = 1; alpha_c = 1 above f*
    assert abs(bal.sign_constrained_capacity_theory(0.2, 1.0) - 0.7497) < 1e-3
    assert bal.sign_constrained_capacity_theory(0.8, 1.0) == 1.0


@pytest.mark.parametrize("phi", [0.5, 1.0, 2.0])
def test_balanced_capacity_peaks_at_phi_over_one_plus_phi(phi):
    # Notes' test 2: argmax_f alpha_b(f) = phi/(1+phi) within 0.01, where alpha_b = 1.
    f = np.linspace(0.05, 0.95, 901)
    ab = bal.balanced_capacity_theory(f, phi)
    assert abs(f[np.argmax(ab)] - phi / (1 + phi)) < 0.01
    assert abs(ab.max() - 1.0) < 1e-6


def test_sign_constrained_capacity_by_lp():
    # LP feasibility at N = 200, f_exc = 0.8, E ~ Exp(1), I ~ 2 Exp(1) (phi = 1): free threshold ->
    # alpha_c = 1; zero threshold (balanced) -> alpha_b(0.8) = 0.7497 (theory above). Measured over
    # 24 single trials at N = 200: free 1.004 +- 0.088 (s.d.), zero 0.735 +- 0.086. With 6 trials
    # the mean has s.e. 0.036: bands of +-0.12 (3.3 s.e.), and free - zero > 0.1 (theory 0.25).
    free = bal.critical_load(200, 0.8, "free", trials=6, rng=20).mean()
    zero = bal.critical_load(200, 0.8, "zero", trials=6, rng=21).mean()
    assert abs(free - 1.0) <= 0.12
    assert abs(zero - 0.7497) <= 0.12
    assert free - zero > 0.1


def test_balancing_rule_balances_and_resists_output_noise():
    # Notes' test 5 setting (N = 1000, P = 300, binary inputs, f_exc = 0.8, sigma_out = 0.15, sigma_in = 0.1,
    # 2000 cycles). Measured (seed 1): learned with noise IB = 0.15, kappa_out = 0.22; without noise
    # IB = 0.90, kappa_out = 0.001. Claims checked: training error < 5%, kappa_out > sigma_out, the
    # noisy-trained weights are > 3x more balanced than the noise-free ones, and they resist output
    # noise sigma_out = 0.1 (expected error < 1% vs > 20%).
    rng = np.random.default_rng(22)
    N, P = 1000, 300
    X = (rng.random((P, N)) < 0.5).astype(float)
    y = np.where(rng.random(P) < 0.5, -1.0, 1.0)
    g = np.r_[np.ones(800), -np.ones(200)]
    noisy = bal.balanced_perceptron_learning(X, y, g, 2000, sigma_in=0.1, sigma_out=0.15, rng=1)
    clean = bal.balanced_perceptron_learning(X, y, g, 2000, rng=1)
    assert np.all(g * noisy.w >= 0) and np.all(g * clean.w >= 0)
    assert noisy.errors[-100:].mean() < 0.05
    assert bal.output_margin(noisy.w, X, y) > 0.15
    ib_noisy, ib_clean = bal.balance_index(noisy.w, X), bal.balance_index(clean.w, X)
    assert ib_clean > 3 * ib_noisy
    assert bal.noisy_error_rate(noisy.w, X, y, sigma_out=0.1) < 0.01
    assert bal.noisy_error_rate(clean.w, X, y, sigma_out=0.1) > 0.2


def test_perceptron_rule_errors():
    X = np.ones((3, 4))
    with pytest.raises(ValueError, match="'g'"):
        bal.balanced_perceptron_learning(X, np.ones(3), np.array([1, 2, 1, 1.0]), 1, rng=0)
    with pytest.raises(ValueError, match="'X'"):
        bal.balanced_perceptron_learning(-X, np.ones(3), np.ones(4), 1, rng=0)
    with pytest.raises(ValueError, match="'y'"):
        bal.balanced_perceptron_learning(X, np.zeros(3), np.ones(4), 1, rng=0)
