"""neurocore.landscape: symmetry-induced critical subspaces (Simsek et al. 2021), permutation saddles
(Brea et al. 2019) and the implicit bias of gated linear networks (Lippl, Abbott & Chung 2022).

Check ids (G1-G6, P1-P6) refer to /work/shared/papers/seed002_memory_fitting.md sections 4.3 and
5.4; GLN checks to seed001_learning.md section 1.5."""
import math
from fractions import Fraction

import numpy as np
import pytest

import neurocore.landscape as nl
from tests.reference import landscape_ref as ref


# ---------------------------------------------------------------- exact counts (Simsek)

def test_T_and_G_closed_forms_match_brute_force_enumeration():
    # G1, G2: r! S(m+1, r+1) and r! S(m, r) against enumeration of all maps, r <= 4, m <= 7.
    for r in range(1, 5):
        for m in range(r, 8):
            assert nl.count_global_minimum_subspaces(r, m) == ref.brute_T(r, m)
            assert nl.count_critical_subspaces(r, m) == ref.brute_G(r, m)
            assert sum(1 for _ in nl.expansion_maps(r, m)) == ref.brute_T(r, m)
            assert sum(1 for _ in nl.expansion_maps(r, m, zero_type=False)) == ref.brute_G(r, m)


def test_counts_match_notes_tables_and_the_abstract():
    # Tables A and B (notes 4.2, brute-forced there) and T(r*, r*) = r*! isolated minima (abstract).
    assert [nl.count_global_minimum_subspaces(5, 5 + h) for h in range(6)] == \
        [120, 2520, 31920, 317520, 2739240, 21538440]
    assert [nl.count_critical_subspaces(4, 4 + h) for h in range(6)] == [24, 240, 1560, 8400, 40824, 186480]
    for r in range(1, 12):
        assert nl.count_global_minimum_subspaces(r, r) == math.factorial(r)
        assert nl.count_global_minimum_subspaces(r, r + 1) == math.factorial(r + 2) // 2


def test_ratios_exact_and_table_C():
    # G6: G(99, 100)/T(100, 100) = 49.5 exactly (big integers); the closed form (r*-1)/2 at h = 0.
    assert nl.saddle_to_minimum_ratio(100, 0) == Fraction(99, 2)
    assert Fraction(nl.count_critical_subspaces(99, 100), nl.count_global_minimum_subspaces(100, 100)) == \
        Fraction(99, 2)
    table_c = {4: [(0, 1.5), (1, 0.417), (2, 0.161)], 8: [(0, 3.5), (1, 1.283), (2, 0.636)],
               10: [(0, 4.5), (1, 1.75), (2, 0.916), (5, 0.232), (10, 0.045)],
               100: [(0, 49.5), (1, 24.10), (2, 15.65), (5, 7.236), (10, 3.472), (50, 0.291)]}
    for r, rows in table_c.items():
        for h, val in rows:
            assert float(nl.saddle_to_minimum_ratio(r, h)) == pytest.approx(val, abs=5e-4 if val < 10 else 5e-3)


def test_counts_beyond_64_bits_stay_exact():
    # Independent oracle: Stirling numbers by the recurrence S(n,k) = k S(n-1,k) + S(n-1,k-1).
    S = [[0] * 62 for _ in range(62)]
    S[0][0] = 1
    for n in range(1, 62):
        for k in range(1, n + 1):
            S[n][k] = k * S[n - 1][k] + S[n - 1][k - 1]
    T = nl.count_global_minimum_subspaces(30, 60)
    assert isinstance(T, int) and T > 2 ** 64
    assert T == math.factorial(30) * S[61][31]
    assert nl.count_critical_subspaces(30, 60) == math.factorial(30) * S[60][30]


def test_width_errors_are_named():
    with pytest.raises(nl.WidthError, match="'m'"):
        nl.count_global_minimum_subspaces(5, 4)
    with pytest.raises(nl.WidthError, match="'r_star'"):
        nl.count_global_minimum_subspaces(2.5, 4)
    with pytest.raises(nl.WidthError, match="'m'"):
        nl.count_critical_subspaces(3, "4")
    with pytest.raises(nl.WidthError):
        nl.count_critical_subspaces(True, 4)
    with pytest.raises(nl.WidthError, match="'m'"):
        nl.expand_network(np.eye(3), np.ones(3), 2)
    with pytest.raises(nl.WidthError, match="'K'"):
        nl.count_permutation_points(4, 3)


# ---------------------------------------------------------------- two-layer kernels vs twin

def test_C_gradient_and_hessian_match_numpy_twin():
    # Expected: term-by-term einsum formulas in tests/reference/landscape_ref.py.
    rng = np.random.default_rng(0)
    X, W, A, Y = rng.normal(size=(150, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4, 2)), rng.normal(size=(150, 2))
    loss, grad = nl.loss_and_gradient(X, Y, W, A, "softplus")
    H = nl.hessian(X, Y, W, A, "softplus")
    l_ref, g_ref, H_ref = ref.two_layer_loss_grad_hess(X, Y, W, A)
    assert loss == pytest.approx(l_ref, rel=1e-13)
    np.testing.assert_allclose(grad, g_ref, atol=1e-13)
    np.testing.assert_allclose(H, H_ref, atol=1e-12)


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "square", "relu"])
def test_hessian_matches_finite_differences_of_gradient(act):
    # Central differences (h = 1e-5) of the analytic gradient: error O(h^2) ~ 1e-9.
    rng = np.random.default_rng(1)
    X, W, A = rng.normal(size=(100, 3)), rng.normal(size=(3, 3)), rng.normal(size=(3, 1))
    y = np.sign(rng.normal(size=100))
    for loss, Y in (("mse", rng.normal(size=(100, 1))), ("logistic", y)):
        g = lambda t: nl.loss_and_gradient(X, Y, *nl.unpack(t, 3, 3, 1), act, loss)[1]
        H = nl.hessian(X, Y, W, A, act, loss)
        np.testing.assert_allclose(H, nl.hessian_fd(g, nl.pack(W, A)), atol=2e-8)


def test_network_bad_input_names_argument():
    X = np.zeros((10, 3))
    with pytest.raises(ValueError, match="'W'"):
        nl.hessian(X, np.zeros((10, 1)), np.zeros((2, 4)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match="'A'"):
        nl.loss_and_gradient(X, np.zeros((10, 1)), np.zeros((2, 3)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="'act'"):
        nl.loss_and_gradient(X, np.zeros((10, 1)), np.zeros((2, 3)), np.zeros((2, 1)), act="gelu")
    with pytest.raises(ValueError, match="'Y'"):
        nl.loss_and_gradient(X, np.full(10, 0.5), np.zeros((2, 3)), np.zeros((2, 1)), loss="logistic")
    with pytest.raises(ValueError, match="'X'"):
        nl.network_output(np.array([[np.nan, 0, 0]]), np.zeros((2, 3)), np.zeros((2, 1)))


# ---------------------------------------------------------------- expansion manifold (Simsek)

def _teacher(r, seed=3, P=400):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(P, 2))
    if r == 2:
        W, A = np.array([[1.0, 0.5], [-0.8, 1.2]]), np.array([1.0, -0.7])
    else:
        W, A = rng.normal(size=(r, 2)), rng.choice([-1, 1], r) * rng.uniform(0.5, 1.5, r)
    return X, nl.network_output(X, W, A, "softplus"), W, A


def test_every_global_minimum_subspace_is_function_invariant():
    # G3: r* = 3, d = 2, 400 inputs, one random point in each of the T(3, 4) = 60 subspaces;
    # all implement the teacher (gap < 1e-12) and are critical (zero residual => zero gradient).
    X, Y, W, A = _teacher(3)
    exp = nl.SymmetryExpansion(X, Y, W, A, kind="minimum")
    maps = list(exp.maps(4))
    assert len(maps) == exp.count(4) == 60
    rng = np.random.default_rng(0)
    for pi in maps:
        Wm, Am, _ = exp.point(4, pi, rng)
        assert exp.invariance(Wm, Am) < 1e-12
        loss, g = nl.loss_and_gradient(X, Y, Wm, Am)
        assert loss < 1e-25 and np.max(np.abs(g)) < 1e-12


def test_subspace_dimension_is_flat_in_the_hessian():
    # dim Gamma_pi = k0 d + (m - k0 - r) k (notes 4.2): at zero loss the Hessian is J^T J, and the
    # loss is constant on Gamma_pi, so it has at least that many zero eigenvalues.
    X, Y, W, A = _teacher(3)
    for pi in [(1, 2, 3, 0), (1, 2, 3, 3), (0, 1, 2, 3, 0), (1, 1, 2, 3, 3)]:
        Wm, Am, _ = nl.expand_network(W, A, len(pi), pi, rng=1)
        lam = np.linalg.eigvalsh(nl.hessian(X, Y, Wm, Am))
        dim = nl.subspace_dimension(pi, 2, 1)
        assert dim >= len(pi) - 3
        assert np.sum(np.abs(lam) < 1e-10) >= dim


def test_one_extra_unit_connects_permuted_minima():
    # G4: r* = 2, m = 3, the 7-segment path from theta* to P12 theta*, 350 points + end:
    # loss < 1e-25 everywhere (notes prototype 2.7e-32); the end is exactly the permuted teacher.
    X, Y, W, A = _teacher(2)
    path = nl.permutation_path(W, A, [1, 0], [0.3, -0.4], n_per_segment=50)
    assert path.shape == (351, 3, 3)
    losses = [nl.loss_and_gradient(X, Y, p[:, :2], p[:, 2:], grad=False)[0] for p in path]
    assert max(losses) < 1e-25
    np.testing.assert_array_equal(path[-1, :2, :2], W[::-1])
    np.testing.assert_array_equal(path[-1, :2, 2], A[::-1])
    assert path[-1, 2, 2] == 0.0
    # a 3-cycle on a width-3 teacher needs two transpositions (14 segments)
    X3, Y3, W3, A3 = _teacher(3)
    p3 = nl.permutation_path(W3, A3, [2, 0, 1], [0.1, 0.2], n_per_segment=10)
    assert len(p3) == 141
    np.testing.assert_array_equal(p3[-1, :3, :2], W3[[2, 0, 1]])
    assert max(nl.loss_and_gradient(X3, Y3, p[:, :2], p[:, 2:], grad=False)[0] for p in p3) < 1e-25


def _width1_optimum():
    X, Y, _, _ = _teacher(2)
    model = nl.TwoLayerNetwork(X, Y)
    rng = np.random.default_rng(0)
    best = min((nl.minimize_loss(model, rng.normal(size=3)) for _ in range(4)), key=lambda t: t[1])
    W1, A1 = nl.unpack(best[0], 1, 2, 1)
    return X, Y, W1, A1


def test_fukumizu_amari_line_of_critical_points():
    # G5: duplicating the width-1 optimum with split lam gives critical points (|grad| < 1e-8,
    # prototype 7e-12) with >= 1 zero eigenvalue; the smallest eigenvalue is ~0 on [0, 1] and
    # negative outside (lam = 1.7: prototype -4.0e-4).
    X, Y, W1, A1 = _width1_optimum()
    exp = nl.SymmetryExpansion(X, Y, W1, A1, kind="critical")
    assert exp.count(2) == 1 and exp.count(4) == 1  # G(1, m) = 1
    for lam in (0.0, 0.3, 1.0, 1.7):
        W2, A2 = nl.duplicate_unit(W1, A1, 0, lam)
        loss, g = nl.loss_and_gradient(X, Y, W2, A2)
        assert np.max(np.abs(g)) < 1e-8
        assert loss == pytest.approx(exp.loss, rel=1e-12)
        lam_h = np.linalg.eigvalsh(nl.hessian(X, Y, W2, A2))
        assert np.sum(np.abs(lam_h) < 1e-9) >= 1
        if 0 <= lam <= 1:
            assert lam_h[0] > -1e-9
        else:
            assert lam_h[0] < -1e-5


def test_teacher_errors_are_named():
    X, Y, W, A = _teacher(2)
    with pytest.raises(nl.NotZeroLossError, match="'W', 'A'"):
        nl.SymmetryExpansion(X, Y + 0.1, W, A, kind="minimum")
    with pytest.raises(nl.NotCriticalError, match="not a critical point"):
        nl.SymmetryExpansion(X, Y + 0.1, W, A, kind="critical")
    with pytest.raises(ValueError, match="not minimal"):
        nl.SymmetryExpansion(X, Y, np.vstack([W[0], W[0]]), A, kind="critical", tol=1e9)
    exp = nl.SymmetryExpansion(X, Y, W, A)
    with pytest.raises(nl.WidthError, match="'m'"):
        exp.point(1)
    with pytest.raises(ValueError, match="'pi'"):
        exp.point(3, (1, 1, 1))


# ---------------------------------------------------------------- permutation points (Brea)

def test_permutation_point_counts_brute_force_and_table_D():
    # P5: C(n-K, K) n!/2^K against enumeration for n <= 6; Table D factors (notes 5.2).
    for n in range(2, 7):
        for K in range(1, n // 2 + 1):
            assert nl.count_permutation_points(n, K) == ref.brute_permutation_points(n, K)
    assert [float(nl.permutation_point_factor([10], K)) for K in range(1, 6)] == [4.5, 7.0, 4.375, 0.9375, 0.03125]
    assert [float(nl.permutation_point_factor([20], K)) for K in range(1, 5)] == [9.5, 38.25, 85.0, 113.75]
    assert nl.permutation_point_factor([4, 6], 2) == Fraction(1, 4) + Fraction(3, 2)


@pytest.fixture(scope="module")
def toy():
    """Notes 5.3: 2-D Gaussian inputs (P = 400), teacher of 3 softplus units at 0, 120, 240 degrees,
    |w| = 3, a = 1; the best reduced 2-unit network of 8 BFGS restarts (polished by Newton)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    ang = np.deg2rad([0, 120, 240])
    Y = nl.network_output(X, 3 * np.c_[np.cos(ang), np.sin(ang)], np.ones(3))
    model = nl.TwoLayerNetwork(X, Y)
    best = min((nl.minimize_loss(model, np.concatenate([2 * rng.normal(size=4), rng.normal(size=2)]))
                for _ in range(8)), key=lambda t: t[1])
    W, A = nl.unpack(best[0], 2, 2, 1)
    return X, Y, model, W, A


def test_toy_permutation_points_are_first_order_saddles(toy):
    # P1: critical; P2: exact flat valley (loss constant to 1e-14 over delta in [-1, 1]) and
    # n_{k+1} = 1 zero eigenvalue; P3: exactly one eigenvalue < -1e-3, smallest in [-1, -0.01]
    # (prototype: -0.077 and -0.49).
    X, Y, model, W, A = toy
    for unit in range(2):
        W3, A3 = nl.duplicate_unit(W, A, unit, 0.5)
        theta = nl.pack(W3, A3)
        loss, g = model.loss_and_gradient(theta)
        assert np.max(np.abs(g)) < 1e-8
        V = nl.two_layer_valley_directions(3, 2, 1, unit, 2)
        for delta in np.linspace(-1, 1, 9):
            assert abs(model.loss_value(theta + delta * V[0]) - loss) < 1e-14
        c = nl.classify_critical_point(model.hessian(theta), zero_tol=1e-7)
        assert c["n_zero"] >= 1
        assert np.sum(c["eigenvalues"] < -1e-3) == 1
        assert -1.0 <= c["eigenvalues"][0] <= -0.01


def test_swap_path_over_the_saddle(toy):
    # P4: theta* -> theta_pp -> P_ij theta*: loss never above L(theta_pp) + 1e-10; the end is the
    # permuted start (exact index permutation).
    X, Y, model, W, A = toy
    W3, A3 = nl.duplicate_unit(W, A, 0, 0.5)
    theta_pp = nl.pack(W3, A3)
    lam, vec = np.linalg.eigh(model.hessian(theta_pp))
    swap = nl.two_layer_swap(3, 2, 1, 0, 2)
    v0 = vec[:, 0]
    np.testing.assert_allclose(v0[swap], -v0, atol=1e-8)  # the descent direction is antisymmetric
    path, losses, theta_star = nl.saddle_swap_path(model, theta_pp, v0, swap, n_steps=1500, lr=0.2)
    L_pp = model.loss_value(theta_pp)
    assert losses.max() <= L_pp + 1e-10
    assert losses[0] < L_pp - 0.01 and losses[-1] == pytest.approx(losses[0], abs=1e-14)
    np.testing.assert_array_equal(path[-1], theta_star[swap])
    assert np.max(np.abs(theta_star[swap] - theta_star)) > 0.1  # a different point of parameter space


def test_deep_permutation_point_has_a_flat_valley():
    # P6: 2 hidden layers (2-3-3-1 softplus with biases): a layer-1 permutation point built from the
    # reduced 2-2-3-1 critical point is critical and has >= n_2 = 3 eigenvalues |lambda| < 1e-7,
    # with the valley directions in the Hessian's null space.
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 2))
    teacher = nl.MLP([2, 3, 3, 1])
    Y = teacher.output(teacher.init(rng=5, scale=2.0), X)
    reduced = nl.MLP([2, 2, 3, 1])
    bound = reduced.bind(X, Y)
    theta_r, _ = nl.minimize_loss(bound, reduced.init(rng=1), gtol=1e-11, polish=False)
    theta_r = nl.newton_polish(bound, theta_r, tol=1e-11)
    full, theta, (i, j) = nl.split_unit(reduced, theta_r, 1, 0)
    fb = full.bind(X, Y)
    assert np.max(np.abs(fb.gradient(theta))) < 1e-8
    H = fb.hessian(theta)
    c = nl.classify_critical_point(H, zero_tol=1e-7)
    assert c["n_zero"] >= 3
    V = nl.valley_directions(full, 1, i, j)
    assert V.shape == (3, full.n_params)
    L0 = fb.loss_value(theta)
    for o in range(3):  # the loss is exactly constant along every valley direction
        assert max(abs(fb.loss_value(theta + dlt * V[o]) - L0) for dlt in (-1.0, -0.1, 0.3, 1.0)) < 1e-14
    assert np.max(np.abs(V @ H @ V.T)) < 1e-9  # so the Hessian's quadratic form vanishes on the valley
    # Only the split along the outgoing vector a itself is a line of critical points, hence an exact
    # Hessian null vector. The other n_2 - 1 valley directions couple to w_i - w_j through
    # G_o = E[delta_o sigma' x] (not zero at a reduced critical point): H V_o != 0 in general (here
    # ~2e-6), giving eigenvalue pairs of order -G^2/c, numerically zero in this instance.
    _, out_i = full.unit_index(1, i)
    a = theta[out_i]
    v_a = (a / np.linalg.norm(a)) @ V
    assert np.max(np.abs(H @ v_a)) < 1e-9


def test_mlp_gradient_matches_finite_differences():
    # Backprop against central differences of the loss (error ~1e-9).
    rng = np.random.default_rng(0)
    mlp = nl.MLP([3, 4, 2, 2], act="tanh")
    X, Y = rng.normal(size=(50, 3)), rng.normal(size=(50, 2))
    theta = mlp.init(rng=1)
    g = mlp.loss_and_gradient(theta, X, Y)[1]
    e = np.eye(mlp.n_params)
    g_fd = np.array([(mlp.loss(theta + 1e-6 * e[i], X, Y) - mlp.loss(theta - 1e-6 * e[i], X, Y)) / 2e-6
                     for i in range(mlp.n_params)])
    np.testing.assert_allclose(g, g_fd, atol=1e-8)
    with pytest.raises(ValueError, match="'layer'"):
        nl.split_unit(mlp, theta, 3, 0)


# ---------------------------------------------------------------- gated linear networks

def _gln_problem(seed, P=40, d=8, H=6, s=1, n_test=0):
    rng = np.random.default_rng(seed)
    X = nl.append_bias(rng.normal(size=(P + n_test, d - 1)))
    gates = nl.hyperplane_gates(X[:P], H, s, rng=rng)
    teacher = nl.GatedLinearNetwork(gates, readout=H > 1 or s == 0, init_scale=1.0, rng=rng) if H > 1 else \
        nl.GatedLinearNetwork(gates, readout=False, init_scale=1.0, rng=rng)
    y = np.sign(teacher.output(X))
    return X[:P], y[:P], X[P:], y[P:], gates


def test_context_coding_and_median_init():
    # Notes 1.5 (1): the context is the integer with bits 1[u_j . x > beta_j]; median init halves the data.
    rng = np.random.default_rng(0)
    X = nl.append_bias(rng.normal(size=(100, 5)))  # even P: the median falls between two points
    gates = nl.hyperplane_gates(X, 4, 3, rng=1)
    ctx = gates.contexts(X)
    for h in range(4):
        bits = (X @ gates.U[h].T > gates.offsets[h]).astype(int)
        np.testing.assert_array_equal(ctx[:, h], bits @ (2 ** np.arange(3)))
        assert np.all(np.abs(bits.mean(axis=0) - 0.5) <= 1 / 100)
    assert gates.n_contexts == 8 and ctx.max() < 8


def test_gln_gradient_matches_loop_twin():
    X, y, _, _, gates = _gln_problem(1, P=30, d=5, H=3, s=2)
    net = nl.GatedLinearNetwork(gates, readout=True, init_scale=1.0, rng=2)
    loss, grad = net.loss_and_gradient(X, y)
    f_ref, l_ref, g_ref = ref.gln_loss_grad(X, y, gates.contexts(X), net.W, net.a)
    assert loss == pytest.approx(l_ref, rel=1e-13)
    np.testing.assert_allclose(grad, g_ref, atol=1e-14)
    np.testing.assert_allclose(net.output(X), f_ref, atol=1e-13)


def test_per_context_svm_matches_least_distance_programming():
    # The C dual coordinate ascent against an exact active-set solver (NNLS-LDP), context by context.
    X, y, _, _, gates = _gln_problem(1, P=60, d=10, H=1, s=2)
    ctx = gates.contexts(X)
    W, alpha = nl.context_max_margin(X, y, ctx, 4)
    for c in range(4):
        sel = ctx[:, 0] == c
        w_ref = ref.hard_margin_svm_ldp(X[sel], y[sel])
        np.testing.assert_allclose(W[c], w_ref, atol=1e-7 * np.linalg.norm(w_ref))
    margins = y * np.einsum("pd,pd->p", W[ctx[:, 0]], X)
    assert margins.min() == pytest.approx(1.0, abs=1e-8)


def test_group_norm_program_matches_slsqp_dual():
    # Strong duality: OPT = max sum(alpha) s.t. ||v_h(alpha)|| <= 1 (SLSQP twin), and the certified
    # gap of the reweighting solver is below its tolerance; all margins >= 1.
    X, y, _, _, gates = _gln_problem(0, P=30, d=6, H=4)
    ctx = gates.contexts(X)
    sol = nl.group_norm_max_margin(X, y, ctx, 2, tol=1e-7)
    assert sol.value - sol.dual_value <= 1e-7 * sol.value
    assert sol.value == pytest.approx(ref.group_norm_dual_slsqp(X, y, ctx, 2), rel=1e-5)
    assert (y * sol.output(X, ctx)).min() >= 1 - 1e-8


def test_shallow_gln_converges_to_per_context_max_margin():
    # Notes 1.5 (3): n = 60, d = 10, s = 2; loss-normalised GD for 10^4 steps. Measured cosine
    # 0.999994 (0.99999994 at 10^5 steps); the must-show bound is 0.99, asserted at 0.999.
    X, y, _, _, gates = _gln_problem(1, P=60, d=10, H=1, s=2)
    W_svm, _ = nl.context_max_margin(X, y, gates.contexts(X), 4)
    net = nl.GatedLinearNetwork(gates, readout=False, init_scale=0.01, rng=2)
    net.train(X, y, 10000, lr=1.0, normalized=True)
    assert nl.cosine(net.W, W_svm) > 0.999
    for c in range(4):
        assert nl.cosine(net.W[0, c], W_svm[c]) > 0.999


def test_two_layer_gln_conservation_law():
    # Gradient flow conserves a_h^2 - sum_c ||W_hc||^2. The implicit midpoint rule keeps it to
    # rounding (measured 1e-13 after 2*10^4 normalised steps); plain GD drifts by O(lr^2) per step
    # (notes 1.5 (2): relative drift < 1e-3 over 10^4 steps at lr 1e-3; measured 2e-4).
    X, y, _, _, gates = _gln_problem(0)
    net = nl.GatedLinearNetwork(gates, readout=True, init_scale=0.5, rng=1)
    q0 = net.conserved_quantities()
    net.train(X, y, 5000, lr=0.05, method="midpoint", normalized="log")
    assert np.max(np.abs(net.conserved_quantities() - q0)) < 1e-6 * np.max(np.abs(q0))
    net2 = nl.GatedLinearNetwork(gates, readout=True, init_scale=0.5, rng=1)
    net2.train(X, y, 10000, lr=1e-3)
    drift = np.max(np.abs(net2.conserved_quantities() - q0)) / np.max(np.abs(q0))
    assert 1e-8 < drift < 1e-3


def test_two_layer_gln_reaches_group_norm_margin():
    # Notes 1.5 (4): normalised margin min_i y_i f / ||theta||^2 within 5% of 1/(2 OPT); held-out
    # prediction agreement with the convex solution >= 95%. Measured at these settings: margin
    # ratio 0.995, agreement 0.98.
    X, y, Xt, _, gates = _gln_problem(0, n_test=400)
    sol = nl.group_norm_max_margin(X, y, gates.contexts(X), 2)
    net = nl.GatedLinearNetwork(gates, readout=True, init_scale=0.01, rng=100)
    net.train(X, y, 100000, lr=0.05, normalized="log")
    assert net.normalized_margin(X, y) * 2 * sol.value == pytest.approx(1.0, abs=0.05)
    agree = np.mean(np.sign(net.output(Xt)) == np.sign(sol.output(Xt, gates.contexts(Xt))))
    assert agree >= 0.95


def test_gln_bad_input():
    X, y, _, _, gates = _gln_problem(0)
    net = nl.GatedLinearNetwork(gates, readout=True, rng=0)
    with pytest.raises(ValueError, match="'y'"):
        net.train(X, np.zeros(len(y)), 10, lr=0.1)
    with pytest.raises(ValueError, match="'lr'"):
        net.train(X, y, 10, lr=-1.0)
    with pytest.raises(ValueError, match="'method'"):
        net.train(X, y, 10, lr=0.1, method="adam")
    with pytest.raises(ValueError, match="'X'"):
        gates.contexts(X[:, :3])
    # XOR without gates is not linearly separable
    Xx = nl.append_bias(np.array([[1.0, 1], [-1, -1], [1, -1], [-1, 1]]))
    with pytest.raises(nl.NotSeparableError):
        nl.context_max_margin(Xx, np.array([1.0, 1, -1, -1]), np.zeros(4, int), 1)
