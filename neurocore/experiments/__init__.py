"""Paper reproductions: one module per experiment, registered by its ``NAME``.

A module defines ``NAME``, ``TITLE``, ``PAPER`` and ``run(quick=False, seed=0, out_dir='.')``,
which returns an :class:`ExperimentResult`. Modules are discovered automatically, so adding a
reproduction means adding one file. ``neurocore reproduce NAME|all`` drives them.
"""
import importlib
import pkgutil

from ._base import ExperimentResult, Metric

__all__ = ["ExperimentResult", "Metric", "registry", "get", "run"]


class _Unimportable:
    """Stands in for an experiment module that fails to import, so one broken module cannot take
    `neurocore list` or `reproduce all` down with it; running it re-raises the import error."""

    def __init__(self, name, exc):
        self.NAME, self.TITLE, self.PAPER = name, f"(module fails to import: {exc!r})", "?"
        self._exc = exc

    def run(self, quick=False, seed=0, out_dir="."):
        raise ImportError(f"experiment module {self.NAME!r} failed to import") from self._exc


def registry():
    """name -> module, for every experiment module in this package."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "report":
            continue
        try:
            mod = importlib.import_module(f"{__name__}.{info.name}")
        except Exception as exc:
            found[info.name] = _Unimportable(info.name, exc)
            continue
        if hasattr(mod, "NAME") and hasattr(mod, "run"):
            found[mod.NAME] = mod
    return dict(sorted(found.items()))


def get(name):
    reg = registry()
    if name not in reg:
        raise KeyError(f"unknown experiment {name!r}; known: {', '.join(reg)}")
    return reg[name]


def run(name, quick=False, seed=0, out_dir=".", blas_threads=1):
    """Run one experiment and return its ExperimentResult.

    ``blas_threads`` caps OpenBLAS's threads during the run (threadpoolctl): the experiments do
    many small matrix products, which OpenBLAS threads slow down on small or busy machines (one
    N = 1000 DMFT check took 46 s with them and 3.6 s without on a loaded 2-core machine).
    None leaves the BLAS setting alone."""
    import time
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits
    limit = nullcontext() if blas_threads is None else threadpool_limits(limits=blas_threads, user_api="blas")
    t0 = time.perf_counter()
    with limit:
        res = get(name).run(quick=quick, seed=seed, out_dir=out_dir)
    res.seconds = time.perf_counter() - t0
    return res
