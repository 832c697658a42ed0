"""Test-session settings shared by every test module."""
import pytest


@pytest.fixture(autouse=True, scope="session")
def _single_blas_thread():
    """One BLAS thread per process: on a 2-core CI machine OpenBLAS's worker threads only add
    synchronisation cost to the small products the tests use (20-50x slower when the cores are
    oversubscribed), and a fixed thread count keeps floating-point reductions reproducible."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a test dependency
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
