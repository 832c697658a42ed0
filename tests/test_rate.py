"""Rate-network kernels against their NumPy twin, closed-form theory and the platform contract."""
import os
import signal
import threading

import numpy as np
import pytest

import neurocore.rate as nr
from neurocore.rate import _rate
from tests.reference import rate_ref


def _net(n, g, seed):
    rng = np.random.default_rng(seed)
    return nr.random_coupling(n, g, rng), rng.standard_normal(n)


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_matches_numpy_subcritical_1000_steps(method):
    # Issue 2: max abs difference < 1e-10 over 1,000 steps at g = 0.8 (float64).
    J, x0 = _net(300, 0.8, 1)
    got = nr.integrate_rate_network(J, x0, 100.0, 0.1, method=method).x
    ref = rate_ref.integrate(J, x0, 1000, 0.1, method=method)
    assert np.max(np.abs(got - ref)) < 1e-10


@pytest.mark.parametrize("method", ["euler", "rk4"])
@pytest.mark.parametrize("phi", ["tanh", "relu", "sigmoid", "linear", "halftanh"])
def test_matches_numpy_chaotic_100_steps(method, phi):
    # Issue 2: over 100 steps with dt = 0.1 tau at g = 1.5, rounding has not yet grown: < 1e-10.
    J, x0 = _net(200, 1.5 if phi != "linear" else 0.9, 2)
    I = np.linspace(-0.5, 0.5, 200)
    got = nr.integrate_rate_network(J, x0, 10.0, 0.1, tau=1.0, phi=phi, method=method, I=I).x
    ref = rate_ref.integrate(J, x0, 100, 0.1, phi=phi, method=method, I=I)
    assert np.max(np.abs(got - ref)) < 1e-10


def test_chaotic_statistics_match_numpy():
    # In the chaotic regime trajectories decorrelate, so compare the time-averaged mean of x^2
    # (issue 2: within 3%). Both runs use the same J and x0 and average over t in [100, 600].
    J, x0 = _net(400, 2.0, 3)
    got = nr.integrate_rate_network(J, x0, 600.0, 0.1, method="rk4", record_every=10).x[100:]
    ref = rate_ref.integrate(J, x0, 6000, 0.1, method="rk4")[1000::10]
    m_got, m_ref = np.mean(got ** 2), np.mean(ref ** 2)
    assert abs(m_got - m_ref) / m_ref < 0.03


def test_input_time_varying_equals_constant():
    J, x0 = _net(50, 1.2, 4)
    I = np.random.default_rng(0).standard_normal(50)
    a = nr.integrate_rate_network(J, x0, 5.0, 0.1, I=I).x
    b = nr.integrate_rate_network(J, x0, 5.0, 0.1, I_t=np.tile(I, (50, 1))).x
    assert np.array_equal(a, b)


def test_record_every_and_time_axis():
    J, x0 = _net(20, 1.0, 5)
    full = nr.integrate_rate_network(J, x0, 3.0, 0.1)
    sub = nr.integrate_rate_network(J, x0, 3.0, 0.1, record_every=3)
    assert sub.x.shape == (11, 20)
    np.testing.assert_array_equal(sub.x, full.x[::3])
    np.testing.assert_allclose(sub.t, np.arange(11) * 0.3)
    np.testing.assert_array_equal(sub.x_final, full.x[-1])


def test_noise_stationary_variance_closed_form():
    # Isolated units (J = 0): Euler-Maruyama makes x an AR(1) process
    # x' = (1-a) x + sigma sqrt(2a) z with a = dt/tau, whose stationary variance is
    # sigma^2 * 2a / (1 - (1-a)^2) = sigma^2 / (1 - a/2). 500 units x 200 samples, 5 tau apart
    # (correlation e^-5 < 1%, so samples are nearly independent).
    n, sigma, dt = 500, 0.7, 0.1
    tr = nr.integrate_rate_network(np.zeros((n, n)), np.zeros(n), 1050.0, dt, noise=sigma,
                                   record_every=50, rng=0)
    var = np.var(tr.x[10:])
    expected = sigma ** 2 / (1 - dt / 2)
    # standard error of a variance from n*200 independent Gaussian samples: var*sqrt(2/(n*200))
    assert abs(var - expected) < 5 * expected * np.sqrt(2 / (n * 200))


def test_determinism_same_seed_bit_identical():
    J, x0 = _net(100, 1.5, 6)
    a = nr.integrate_rate_network(J, x0, 20.0, 0.1, noise=0.3, rng=42).x
    b = nr.integrate_rate_network(J, x0, 20.0, 0.1, noise=0.3, rng=np.random.default_rng(42)).x
    c = nr.integrate_rate_network(J, x0, 20.0, 0.1, noise=0.3, rng=43).x
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_generator_stream_advances():
    J, x0 = _net(10, 1.0, 7)
    g = np.random.default_rng(5)
    a = nr.integrate_rate_network(J, x0, 1.0, 0.1, noise=0.1, rng=g).x
    b = nr.integrate_rate_network(J, x0, 1.0, 0.1, noise=0.1, rng=g).x
    assert not np.array_equal(a, b)


def test_lyapunov_transient_consumes_time_varying_input():
    # The transient and the estimate see consecutive rows of I_t: same result as running the
    # transient by hand and passing the remaining rows.
    J, x0 = _net(40, 1.8, 12)
    I_t = np.sin(np.arange(300)[:, None] * 0.1 + np.arange(40)[None, :])
    a = nr.lyapunov_spectrum(J, x0, 20.0, 0.1, I_t=I_t, transient=10.0, rng=3)
    xt = nr.integrate_rate_network(J, x0, 10.0, 0.1, I_t=I_t[:100]).x_final
    b = nr.lyapunov_spectrum(J, xt, 20.0, 0.1, I_t=I_t[100:], rng=3)
    assert np.array_equal(a.exponents, b.exponents)
    with pytest.raises(ValueError, match="I_t"):
        nr.lyapunov_spectrum(J, x0, 20.0, 0.1, I_t=I_t[:200], transient=10.0)


def test_user_arrays_untouched():
    J, x0 = _net(30, 1.5, 8)
    J0, xx = J.copy(), x0.copy()
    nr.integrate_rate_network(J, x0, 5.0, 0.1)
    nr.lyapunov_spectrum(J, x0, 5.0, 0.1)
    assert np.array_equal(J, J0) and np.array_equal(x0, xx)


def test_lyapunov_matches_numpy_twin():
    J, x0 = _net(60, 1.8, 9)
    Q0 = np.linalg.qr(np.random.default_rng(1).standard_normal((60, 3)))[0].T.copy()
    lg, _, _, _ = _rate.lyapunov(J, x0, Q0, 500, 0.1, ortho_every=5)
    ref = rate_ref.lyapunov(J, x0, Q0, 500, 0.1, 5)
    np.testing.assert_allclose(lg / 50.0, ref, rtol=0, atol=1e-9)


def test_lyapunov_subcritical_equals_linearisation():
    # Issue 2: at g = 0.5 (N = 1000) the largest exponent equals the largest real part of the
    # eigenvalues of (J - 1)/tau (NumPy eigvals), within 0.02/tau. Starting at the fixed point
    # x = 0, the tangent dynamics are exactly linear; dt = 0.05 makes the Euler map's exponent
    # log|1 + dt mu|/dt differ from max Re mu by < 0.01.
    J, _ = _net(1000, 0.5, 10)
    lam = nr.lyapunov_spectrum(J, np.zeros(1000), 200.0, 0.05, rng=0).exponents[0]
    expected = np.linalg.eigvals(J - np.eye(1000)).real.max()
    assert abs(lam - expected) < 0.02


def test_lyapunov_chaotic_positive():
    # Issue 2: for g = 1.5 the exponent is positive. DMFT gives 0.047/tau (notes A.4); a single
    # N = 1000 network can sit on a limit cycle (exponent ~0), so average 3 networks. Measured for
    # seeds 1-3, T = 300: 0.041, 0.034, 0.031.
    lams = [nr.RateNetwork(1000, g=1.5, rng=s).lyapunov(300.0, dt=0.1, transient=100.0, rng=s).exponents[0]
            for s in (1, 2, 3)]
    assert np.mean(lams) > 0.01


def test_lyapunov_spectrum_sum_is_volume_contraction():
    # Linear network: the sum of all N exponents of the Euler map equals log|det(I + dt (J - I))|/dt.
    J, _ = _net(8, 0.7, 11)
    dt = 0.05
    res = nr.lyapunov_spectrum(J, np.zeros(8), 400.0, dt, k=8, phi="linear", ortho_every=4, rng=1)
    expected = np.log(abs(np.linalg.det(np.eye(8) + dt * (J - np.eye(8))))) / dt
    assert abs(res.exponents.sum() - expected) < 1e-9
    assert np.all(np.diff(res.exponents) <= 1e-12)


# ------------------------------------------------------------------ bad input

def _call(**kw):
    J, x0 = _net(5, 1.0, 0)
    args = dict(J=J, x0=x0, duration=1.0, dt=0.1)
    args.update(kw)
    return nr.integrate_rate_network(**args)


@pytest.mark.parametrize("kw, exc, word", [
    (dict(J=np.zeros((5, 4))), ValueError, "J"),
    (dict(J=np.zeros((5, 5), dtype=complex)), TypeError, "J"),
    (dict(J=np.array([["a"] * 5] * 5)), TypeError, "J"),
    (dict(J=np.full((5, 5), np.nan)), ValueError, "J"),
    (dict(x0=np.zeros(4)), ValueError, "x0"),
    (dict(x0=np.array([np.inf, 0, 0, 0, 0])), ValueError, "x0"),
    (dict(dt=0.0), ValueError, "dt"),
    (dict(dt=-0.1), ValueError, "dt"),
    (dict(dt=2.0, duration=2.0), ValueError, "dt"),
    (dict(duration=-1.0), ValueError, "duration"),
    (dict(duration=0.15), ValueError, "duration"),
    (dict(tau=-1.0), ValueError, "tau"),
    (dict(phi="cosh"), ValueError, "phi"),
    (dict(method="rk45"), ValueError, "method"),
    (dict(I=np.zeros(3)), ValueError, "I"),
    (dict(I_t=np.zeros((3, 5))), ValueError, "I_t"),
    (dict(noise=-1.0), ValueError, "noise"),
    (dict(record_every=0), ValueError, "record_every"),
    (dict(rng="seed"), TypeError, "rng"),
])
def test_bad_input_names_argument(kw, exc, word):
    if "rng" in kw:
        kw["noise"] = 0.1
    with pytest.raises(exc, match=word):
        _call(**kw)


def test_error_message_shows_the_value():
    J, x0 = _net(5, 1.0, 0)
    with pytest.raises(ValueError, match=r"'dt' \(=2\) must not exceed tau \(=1\)"):
        _rate.integrate(J, x0, 1, 2.0)
    with pytest.raises(ValueError, match=r"'noise' must be >= 0, got -0.5 at index 0"):
        _rate.integrate(J, x0, 1, 0.1, noise=np.full(5, -0.5), bitgen=np.random.default_rng(0).bit_generator)


def test_negative_n_steps_in_binding():
    J, x0 = _net(5, 1.0, 0)
    with pytest.raises(ValueError, match="n_steps"):
        _rate.integrate(J, x0, -1, 0.1)


def test_lyapunov_bad_k():
    J, x0 = _net(5, 1.0, 0)
    with pytest.raises(ValueError, match="Q0"):
        nr.lyapunov_spectrum(J, x0, 1.0, 0.1, k=6)


def test_divergence_raises_not_nan():
    J = np.eye(5) * 50.0
    with pytest.raises(FloatingPointError, match="diverged"):
        nr.integrate_rate_network(J, np.ones(5), 1000.0, 0.5, phi="linear")


def test_progress_callback_and_exception_propagates():
    J, x0 = _net(400, 1.5, 0)
    seen = []

    def progress(done, total):
        seen.append((done, total))
        if len(seen) == 2:
            raise RuntimeError("stop here")
    with pytest.raises(RuntimeError, match="stop here"):
        nr.integrate_rate_network(J, x0, 20000.0, 0.1, record_every=200000, progress=progress)
    assert seen[0][1] == 200000 and 0 < seen[0][0] < 200000


@pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
def test_ctrl_c_interrupts_long_run():
    J, x0 = _net(500, 1.5, 0)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            nr.integrate_rate_network(J, x0, 1e6, 0.1, record_every=10 ** 7)
    finally:
        timer.cancel()
