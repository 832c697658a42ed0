"""Parameter sweeps that scale from a laptop to a cluster.

:func:`sweep` evaluates a function on the Cartesian product of a parameter grid and seed
replicates, on local worker processes (joblib/loky, the default) or on a Dask cluster
(``backend='dask'`` with a ``distributed.Client`` or a scheduler address), and returns a labelled
``xarray.Dataset``. Every task draws from its own ``SeedSequence`` child, fixed by its place in the
grid, so the numbers do not depend on the backend, the worker count or the scheduling order.
With ``checkpoint=DIR`` every finished point is saved at once and a rerun computes only the rest.

Needs the ``sweep`` extra: ``pip install 'neurocore[sweep]'`` (joblib, xarray, dask.distributed).

Examples
--------
>>> from neurocore.sweep import sweep
>>> from neurocore.experiments.rate_sweep import rate_point
>>> ds = sweep(rate_point, {"g": [0.5, 1.5, 2.0]}, seeds=4, rng=0,
...            fixed={"n": 200, "duration": 200.0})            # doctest: +SKIP
>>> ds["variance"].mean("seed")                                 # doctest: +SKIP
>>> ds.to_netcdf("variance_vs_g.nc")                            # doctest: +SKIP

On a cluster: ``sweep(..., scheduler="tcp://host:8786")`` or ``client=distributed.Client(...)``.
"""
from ._grid import SEED_DIM, SweepError
from .core import SweepTaskError, load_checkpoint, options, sweep

__all__ = ["sweep", "options", "load_checkpoint", "SweepError", "SweepTaskError", "SEED_DIM"]
