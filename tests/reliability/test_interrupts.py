"""Interrupts (issue 15, item 5): Ctrl-C during a long C call.

Each spec with an ``interrupt`` factory (a call that would run for minutes) is started on the main
thread and sent SIGINT after 0.3 s. Expected (issue 15): KeyboardInterrupt within 0.5 s of the
signal. The machine is shared, so a slow attempt is retried (up to 3) before failing; every
latency is printed. For the rate kernels, the exception carries ``partial`` (the last completed
chunk), and resuming from it reproduces the uninterrupted run bit for bit.
"""
import os
import signal
import threading
import time

import numpy as np
import pytest

from . import _harness as H
from .specs import SPECS

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals")
TARGETS = {t.key: t for t in H.discover()}
LIMIT_S = 0.5


def _interrupt_after(func, kw, delay=0.3):
    """Run func(**kw), SIGINT after `delay`; return (exception, latency from signal to return)."""
    sent = []

    def fire():
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(delay, fire)
    timer.start()
    exc = None
    try:
        func(**kw)
    except KeyboardInterrupt as e:
        exc = e
    finally:
        timer.cancel()
    back = time.perf_counter()
    return exc, (back - sent[0]) if sent else None


@pytest.mark.parametrize("key", sorted(k for k, s in SPECS.items() if s.interrupt))
def test_ctrl_c_returns_within_half_a_second(key):
    target = TARGETS.get(key)
    if target is None or target.import_error:
        pytest.skip(f"{key}: extension not built/importable")
    kw = SPECS[key].interrupt()
    latencies = []
    for _ in range(3):
        exc, lat = _interrupt_after(target.func, kw)
        assert lat is not None, f"{key}: the call finished before the signal; make the interrupt call longer"
        assert isinstance(exc, KeyboardInterrupt), f"{key}: no KeyboardInterrupt"
        latencies.append(lat)
        if lat < LIMIT_S:
            break
    print(f"{key}: Ctrl-C latency {', '.join(f'{x * 1e3:.0f} ms' for x in latencies)}")
    if H.UNDER_ASAN:  # chunks are sized for the optimised build with OpenBLAS, not for ASan + fallback
        return
    assert min(latencies) < LIMIT_S, f"{key}: KeyboardInterrupt took {min(latencies):.2f} s (> {LIMIT_S} s)"


def test_rate_interrupt_leaves_last_chunk_and_resumes_bit_identically():
    # Expected value: the uninterrupted noisy run with the same seed. The binding attaches the
    # state after the last completed chunk (and the BitGenerator has advanced exactly that far),
    # so continuing from it for the remaining steps must give the same bits.
    target = TARGETS.get("rate.integrate")
    if target is None or target.import_error:
        pytest.skip("rate extension not built")
    from neurocore.rate import _rate
    rng = np.random.default_rng(0)
    n, steps = 400, 60000
    J = rng.standard_normal((n, n)) * (1.5 / np.sqrt(n))
    x0, noise = rng.standard_normal(n), np.full(n, 0.05)
    full = _rate.integrate(J, x0, steps, 0.1, noise=noise, record_every=100, bitgen=np.random.PCG64(9))
    bg = np.random.PCG64(9)
    exc, _ = _interrupt_after(_rate.integrate, dict(J=J, x0=x0, n_steps=steps, dt=0.1, noise=noise,
                                                    record_every=100, bitgen=bg), delay=0.2)
    if exc is None:
        pytest.skip("the run finished before the signal (machine too fast for this size)")
    part = exc.partial
    done = part["steps_done"]
    assert 0 < done < steps
    assert np.array_equal(part["record"], full[0][: done // 100 + 1])
    # resume needs whole record blocks to line up; continue to the next multiple of 100 first
    pad = (-done) % 100
    rec_pad, x = _rate.integrate(J, part["x"], pad, 0.1, noise=noise, record_every=1, bitgen=bg)
    rest, xf = _rate.integrate(J, x, steps - done - pad, 0.1, noise=noise, record_every=100, bitgen=bg)
    assert np.array_equal(xf, full[1])
    assert np.array_equal(rest[1:], full[0][(done + pad) // 100 + 1:])


def test_lyapunov_interrupt_carries_partial_sums():
    target = TARGETS.get("rate.lyapunov")
    if target is None or target.import_error:
        pytest.skip("rate extension not built")
    kw = SPECS["rate.lyapunov"].interrupt()
    exc, _ = _interrupt_after(target.func, kw)
    part = exc.partial
    assert part["steps_done"] % kw["ortho_every"] == 0
    assert part["history"].shape == (part["steps_done"] // kw["ortho_every"], kw["Q0"].shape[0])
    # log_growth is the running sum of the per-interval log growths (definition in rate.c)
    assert np.allclose(part["log_growth"], part["history"].sum(axis=0), rtol=1e-12, atol=1e-12)
