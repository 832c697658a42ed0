"""``sweep``: a function over a parameter grid x seed replicates, on joblib/loky or Dask, into xarray."""
import contextlib
import numbers
import os
import warnings
from collections.abc import Mapping

import numpy as np

from . import _backends
from ._grid import (SEED_DIM, SweepError, check_func, check_grid, check_seeds, func_name, make_tasks,
                    point_str)
from ._store import CheckpointStore

__all__ = ["sweep", "options", "load_checkpoint", "SweepError", "SweepTaskError", "SEED_DIM"]

_BACKENDS = ("loky", "dask")
_OPTIONS = {"backend": None, "n_jobs": None, "scheduler": None}
#: Environment variables read when neither the call nor :func:`options` chooses.
ENV = {"backend": "NEUROCORE_SWEEP_BACKEND", "n_jobs": "NEUROCORE_SWEEP_WORKERS",
       "scheduler": "NEUROCORE_SWEEP_SCHEDULER"}


class SweepTaskError(RuntimeError):
    """A point of the sweep raised (with ``errors='raise'``); the message names the point."""


@contextlib.contextmanager
def options(backend=None, n_jobs=None, scheduler=None):
    """Defaults for every :func:`sweep` called inside the ``with`` block (explicit arguments win).

    This is how ``neurocore reproduce --workers N --scheduler ADDRESS`` reaches the sweeps inside an
    experiment without changing its signature. Outside any block the environment variables
    ``NEUROCORE_SWEEP_BACKEND``, ``NEUROCORE_SWEEP_WORKERS`` and ``NEUROCORE_SWEEP_SCHEDULER`` apply.

    Parameters
    ----------
    backend : {'loky', 'dask'}, optional
    n_jobs : int, optional
        Worker processes for loky (and for a LocalCluster that ``backend='dask'`` starts); -1: all cores.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); implies ``backend='dask'``.
    """
    if backend is not None and backend not in _BACKENDS:
        raise ValueError(f"argument 'backend' must be one of {list(_BACKENDS)} or None, got {backend!r}")
    if n_jobs is not None:
        _check_n_jobs(n_jobs)
    old = dict(_OPTIONS)
    for k, val in (("backend", backend), ("n_jobs", n_jobs), ("scheduler", scheduler)):
        if val is not None:
            _OPTIONS[k] = val
    try:
        yield dict(_OPTIONS)
    finally:
        _OPTIONS.clear()
        _OPTIONS.update(old)


def _check_n_jobs(n_jobs):
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"argument 'n_jobs' must be a positive integer or -1 (all cores), got {n_jobs!r}")
    return int(n_jobs)


def _default(name):
    if _OPTIONS[name] is not None:
        return _OPTIONS[name]
    env = os.environ.get(ENV[name])
    if env:
        if name == "n_jobs":
            try:
                return _check_n_jobs(int(env))
            except ValueError:
                raise ValueError(f"environment variable {ENV[name]} must be a positive integer or -1, "
                                 f"got {env!r}") from None
        return env
    return None


def _resolve(backend, client, scheduler, n_jobs):
    if backend is not None and backend not in _BACKENDS:
        raise ValueError(f"argument 'backend' must be one of {list(_BACKENDS)} or None, got {backend!r}")
    if client is not None and backend not in (None, "dask"):
        raise ValueError(f"argument 'client' is a Dask client but backend={backend!r}")
    if scheduler is not None and backend not in (None, "dask"):
        raise ValueError(f"argument 'scheduler' is a Dask address but backend={backend!r}")
    if client is not None or scheduler is not None:
        backend = "dask"
    if backend is None:
        backend = _default("backend")
        if backend is not None and backend not in _BACKENDS:
            raise ValueError(f"environment variable {ENV['backend']} must be one of {list(_BACKENDS)}, "
                             f"got {backend!r}")
    if backend in (None, "dask") and client is None and scheduler is None:
        scheduler = _default("scheduler")
        if scheduler is not None and backend is None:
            backend = "dask"
    backend = backend or "loky"
    n_jobs = _check_n_jobs(n_jobs) if n_jobs is not None else _default("n_jobs")
    if n_jobs is None:
        n_jobs = -1
    return backend, client, scheduler, n_jobs


def _root(rng):
    """(entropy, spawn-key prefix) of the root SeedSequence."""
    if rng is None:
        return np.random.SeedSequence().entropy, (), False
    if isinstance(rng, (numbers.Integral,)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"argument 'rng' as a seed must be >= 0, got {rng}")
        return int(rng), (), True
    if isinstance(rng, np.random.SeedSequence):
        return rng.entropy, tuple(rng.spawn_key), True
    if isinstance(rng, np.random.Generator):
        child = rng.bit_generator.seed_seq.spawn(1)[0]
        return child.entropy, tuple(child.spawn_key), True
    raise TypeError(f"argument 'rng' must be None, an int seed, a SeedSequence or a numpy Generator, "
                    f"got {type(rng).__name__}")


# ------------------------------------------------------------------------------------------------
# Collecting results: validation against the first result, then assembly into an xarray.Dataset
# ------------------------------------------------------------------------------------------------
_KINDS = "biufcU"


class _Collector:
    def __init__(self, tasks, grid, seeds, var_name):
        self.tasks = tasks
        self.grid = grid
        self.seeds = seeds
        self.var_name = var_name
        self.spec = None          # var -> dict(dims, shape, coords, kind, first=task)
        self.values = {}          # flat -> {var: ndarray}
        self.errors = {}          # flat -> "Type: message"
        self.tracebacks = {}
        self.grid_dims = list(grid) + ([SEED_DIM] if seeds is not None else [])

    def _normalise(self, task, value):
        import xarray as xr
        if isinstance(value, xr.Dataset):
            value = {k: value[k] for k in value.data_vars}
        items = value.items() if isinstance(value, Mapping) else [(self.var_name, value)]
        out = {}
        for k, v in items:
            if not isinstance(k, str) or not k.isidentifier():
                raise SweepError(f"point {task.describe()}: func returned a dict key {k!r}; variable names "
                                 f"must be identifiers")
            if k in self.grid_dims or k == "error":
                raise SweepError(f"point {task.describe()}: result variable {k!r} has the name of a sweep "
                                 f"dimension or of the 'error' variable; rename it")
            if isinstance(v, xr.DataArray):
                dims, arr = tuple(str(d) for d in v.dims), np.asarray(v.values)
                coords = {d: np.asarray(v.coords[d].values) for d in v.dims if d in v.coords}
            else:
                arr = np.asarray(v)
                dims, coords = tuple(f"{k}_dim_{i}" for i in range(arr.ndim)), {}
            if arr.dtype.kind not in _KINDS:
                raise SweepError(f"point {task.describe()}: result {k!r} is a {type(v).__name__} "
                                 f"(dtype {arr.dtype}); func must return numbers, strings, arrays of "
                                 f"them, an xarray.DataArray, or a dict of these")
            bad = [d for d in dims if d in self.grid_dims]
            if bad:
                raise SweepError(f"point {task.describe()}: result {k!r} has dimension(s) {bad} that are "
                                 f"sweep dimensions; rename them")
            out[k] = (dims, arr, coords)
        return out

    def add(self, task, record):
        """Validate and keep one record; raise SweepError naming the point if it does not fit."""
        if not record["ok"]:
            etype, msg, tb = record["error"]
            self.errors[task.flat] = f"{etype}: {msg}"
            self.tracebacks[task.flat] = tb
            return
        norm = self._normalise(task, record["value"])
        if self.spec is None:
            self.spec = {k: dict(dims=d, shape=a.shape, coords=c, kind=a.dtype.kind, first=task)
                         for k, (d, a, c) in norm.items()}
        else:
            ref = next(iter(self.spec.values()))["first"]
            if set(norm) != set(self.spec):
                raise SweepError(f"point {task.describe()} returned variables {sorted(norm)}, but point "
                                 f"{ref.describe()} returned {sorted(self.spec)}")
            for k, (d, a, c) in norm.items():
                s = self.spec[k]
                if a.shape != s["shape"] or d != s["dims"]:
                    raise SweepError(f"point {task.describe()} returned {k!r} with shape {a.shape} (dims "
                                     f"{d}), but point {ref.describe()} returned shape {s['shape']} (dims "
                                     f"{s['dims']}); every point must return the same shapes")
                if (a.dtype.kind == "U") != (s["kind"] == "U"):
                    raise SweepError(f"point {task.describe()} returned {k!r} of dtype {a.dtype}, but point "
                                     f"{ref.describe()} returned kind {s['kind']!r}")
                for dim, cv in c.items():
                    sv = s["coords"].get(dim)
                    if sv is not None and not np.array_equal(sv, cv):
                        raise SweepError(f"point {task.describe()} returned {k!r} with coordinate {dim!r} "
                                         f"different from point {ref.describe()}'s")
        self.errors.pop(task.flat, None)
        self.values[task.flat] = {k: a for k, (d, a, c) in norm.items()}

    def dataset(self, attrs, missing_msg="not run"):
        import xarray as xr
        shape = tuple(len(v) for v in self.grid.values())
        if self.seeds is not None:
            shape += (len(self.seeds),)
        coords = {name: _coord(vals) for name, vals in self.grid.items()}
        if self.seeds is not None:
            coords[SEED_DIM] = _coord(self.seeds)
        data = {}
        n_missing = len(self.tasks) - len(self.values)
        for k, s in (self.spec or {}).items():
            dtypes = {a[k].dtype for a in self.values.values()}   # few distinct ones
            dtype = object if any(d.kind == "U" for d in dtypes) else np.result_type(*dtypes)
            if n_missing and dtype != object and np.dtype(dtype).kind in "biu":
                dtype = np.float64
            arr = np.empty(shape + s["shape"], dtype=dtype)
            if dtype == object:
                arr.fill(None)
            else:
                arr.fill(np.nan if np.dtype(dtype).kind in "fc" else 0)
            for flat, vals in self.values.items():
                arr[self.tasks[flat].index] = vals[k]
            data[k] = (tuple(self.grid_dims) + s["dims"], arr)
            for dim, cv in s["coords"].items():
                coords.setdefault(dim, cv)
        n_failed = len(self.errors)
        if n_failed or n_missing:
            err = np.full(shape, "", dtype=object)
            for t in self.tasks:
                if t.flat in self.errors:
                    err[t.index] = self.errors[t.flat]
                elif t.flat not in self.values:
                    err[t.index] = missing_msg
            data["error"] = (tuple(self.grid_dims), err)
        attrs = dict(attrs, n_points=len(self.tasks), n_failed=n_failed)
        return xr.Dataset(data, coords=coords, attrs=attrs)


def _coord(values):
    try:
        arr = np.asarray(values)
    except Exception:
        arr = None
    if arr is None or arr.ndim != 1 or arr.shape[0] != len(values):
        arr = np.empty(len(values), dtype=object)
        arr[:] = list(values)
    return arr


# ------------------------------------------------------------------------------------------------
def sweep(func, grid, seeds=None, *, fixed=None, rng=None, common_seeds=False, backend=None, client=None,
          scheduler=None, n_jobs=None, batch_size=1, checkpoint=None, errors="record", retry_failed=True,
          progress=None, name=None):
    """Evaluate ``func`` on the Cartesian product of ``grid`` (times ``seeds`` replicates).

    Each task calls ``func(**point, **fixed, rng=Generator)`` with its own random stream: the task at
    grid indices ``(i1, ..., ik)`` and seed index ``s`` gets
    ``SeedSequence(root).spawn(n1)[i1] ... .spawn(n_seeds)[s]`` (built directly from its spawn key),
    so its numbers depend only on its place in the grid, never on the backend, the number of workers
    or the order in which tasks finish.

    Parameters
    ----------
    func : callable
        ``func(**params, **fixed, rng=...)``. Returns a number, a string, an array, an
        ``xarray.DataArray`` (its dimension names and coordinates are kept), or a dict of these
        (one output variable per key). Every point must return the same variables and shapes.
        With the loky or Dask backends func travels by pickle: define it in a module (or use
        closures only where cloudpickle can ship them).
    grid : mapping str -> sequence
        Parameter name -> ordered, distinct, hashable values (numbers, strings, tuples). The
        output has one dimension per parameter, in this order, labelled with these values.
    seeds : None, int or sequence of int/str
        Replicates per point: a count n (labels 0..n-1) or the labels. They form the last sweep
        dimension, ``'seed'``. With seeds, func must accept ``rng``; with None, rng is passed
        only if func accepts it (then one stream per point).
    fixed : dict, optional
        Keyword arguments passed unchanged to every call (recorded in ``attrs`` when scalar).
    rng : None, int, SeedSequence or Generator
        Root of every task's stream. None draws fresh entropy, which is stored in
        ``attrs['entropy']`` (and in the checkpoint, so a resumed sweep keeps it).
    common_seeds : bool
        Give every point of replicate s the same stream (common random numbers: e.g. one coupling
        matrix per seed, scaled by g). Default False: independent streams per point and seed.
    backend : {None, 'loky', 'dask'}
        None: 'dask' when a client or scheduler is given (or set through :func:`options` or the
        environment), otherwise 'loky' (local worker processes via joblib).
    client : distributed.Client, optional
        Run on this Dask cluster (laptop LocalCluster, HPC, Kubernetes: the same call).
    scheduler : str, optional
        Dask scheduler address; a ``Client(scheduler)`` is opened and closed around the sweep.
        ``backend='dask'`` with neither starts a LocalCluster of ``n_jobs`` processes.
    n_jobs : int, optional
        Local worker processes; 1 runs in this process, -1 (default) uses all cores.
    batch_size : int
        Dask only: points per Dask task (default 1). Raise it for sweeps of many millisecond-scale
        points, where the scheduler's cost per task (a few ms) dominates. loky batches by itself.
    checkpoint : str or path, optional
        Directory where every finished point is saved at once. Rerunning the same sweep with the
        same checkpoint loads the finished points and computes only the rest (after Ctrl-C, a lost
        worker or a restarted scheduler). See :func:`load_checkpoint` for a partial result.
    errors : {'record', 'raise'}
        'record' (default): a point whose func raises gets NaN results and its exception text in
        the ``error`` variable, and a RuntimeWarning counts the failures. 'raise': the first failure
        stops the sweep with :class:`SweepTaskError`.
    retry_failed : bool
        When resuming from a checkpoint, recompute points that failed before (default True).
    progress : None, bool or callable(done, total)
        True: a tqdm bar in this process (with Dask the scheduler's dashboard, when bokeh is
        installed there, shows the cluster side and its link is printed). None (default): a bar
        only when stderr is a terminal. A callable is called after every finished point.
    name : str, optional
        Name of the output variable when func returns a bare value (default: func's name).

    Returns
    -------
    xarray.Dataset
        Dimensions: the grid parameters, then ``'seed'``, then the output's own dimensions.
        ``ds['error']`` (present when a point failed) holds ``'Type: message'`` or ``''``.
        ``attrs``: func, entropy, backend, n_points, n_failed, n_computed, n_from_checkpoint.
        Save with ``ds.to_netcdf(path)``.

    Raises
    ------
    SweepError
        Before anything runs: an empty grid or parameter, unhashable or repeated values, a func
        that cannot take the parameters. At the first offending result: variables, shapes or
        dimensions that differ from the first point's (the message names both points).

    Examples
    --------
    >>> from neurocore.sweep import sweep
    >>> def f(g, rng):
    ...     return g + rng.standard_normal()
    >>> ds = sweep(f, {"g": [0.5, 1.0, 1.5]}, seeds=4, rng=0, n_jobs=1)
    >>> ds["f"].dims
    ('g', 'seed')
    """
    grid = check_grid(grid)
    seeds = check_seeds(seeds)
    fixed = dict(fixed or {})
    if not all(isinstance(k, str) for k in fixed):
        raise SweepError(f"argument 'fixed' must have string keys, got {list(fixed)}")
    pass_rng = check_func(func, list(grid), fixed, want_rng=True) if seeds is not None else \
        check_func(func, list(grid), fixed, want_rng=_accepts_rng(func))
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"argument 'batch_size' must be an integer >= 1, got {batch_size!r}")
    if errors not in ("record", "raise"):
        raise ValueError(f"argument 'errors' must be 'record' or 'raise', got {errors!r}")
    backend, client, scheduler, n_jobs = _resolve(backend, client, scheduler, n_jobs)
    fname = func_name(func)
    var_name = name or getattr(func, "__name__", "result")
    if not isinstance(var_name, str) or not var_name.isidentifier():
        var_name = "result"
    entropy, prefix, seeded = _root(rng)

    store = None
    if checkpoint is not None:
        store = CheckpointStore(checkpoint)
        manifest = dict(func=fname, entropy=(entropy, prefix), common_seeds=bool(common_seeds), grid=grid,
                        seeds=seeds, fixed=_scalars(fixed), var_name=var_name)
        entropy, prefix = store.open(manifest, entropy_given=seeded)
    tasks, _ = make_tasks(grid, seeds, entropy, prefix, common_seeds)
    col = _Collector(tasks, grid, seeds, var_name)

    todo = tasks
    n_loaded = 0
    if store is not None:
        records = store.load([t.key for t in tasks])
        todo = []
        for t in tasks:
            rec = records.get(t.key)
            if rec is None or (not rec["ok"] and retry_failed):
                todo.append(t)
            else:
                col.add(t, rec)
                n_loaded += 1

    total = len(tasks)
    bar, report = _progress(progress, total, n_loaded, fname)
    state = {"done": n_loaded, "computed": 0, "seconds": 0.0}

    def on_result(out):
        flat, ok, payload, seconds = out
        t = tasks[flat]
        rec = {"ok": ok, "value": payload if ok else None, "error": None if ok else payload,
               "seconds": seconds, "params": t.params, "seed": t.seed_label}
        col.add(t, rec)
        if store is not None:
            store.write(t.key, rec)
        state["done"] += 1
        state["computed"] += 1
        if np.isfinite(seconds):
            state["seconds"] += seconds
        if report is not None:
            report(state["done"], total)
        if not ok and errors == "raise":
            etype, msg, tb = payload
            raise SweepTaskError(f"point {t.describe()} raised {etype}: {msg}\n{tb}")

    try:
        if todo:
            if backend == "dask":
                with _backends.dask_client(client, scheduler, n_jobs) as c:
                    if bar is not None and getattr(c, "dashboard_link", None):
                        bar.write(f"sweep {fname}: Dask dashboard at {c.dashboard_link}")
                    _backends.run_dask(func, todo, fixed, entropy, pass_rng, on_result, c,
                                       label=var_name, batch_size=batch_size)
            elif n_jobs == 1:
                _backends.run_serial(func, todo, fixed, entropy, pass_rng, on_result)
            else:
                _backends.run_loky(func, todo, fixed, entropy, pass_rng, on_result, n_jobs)
    finally:
        if bar is not None:
            bar.close()

    attrs = dict(func=fname, entropy=str(entropy), spawn_prefix=str(prefix), backend=backend,
                 common_seeds=int(bool(common_seeds)), n_computed=state["computed"],
                 n_from_checkpoint=n_loaded, compute_seconds=state["seconds"])
    for k, val in _scalars(fixed).items():
        attrs[f"fixed_{k}"] = val
    ds = col.dataset(attrs)
    if col.errors:
        first = min(col.errors)
        warnings.warn(f"sweep {fname}: {len(col.errors)} of {total} points failed (first: point "
                      f"{tasks[first].describe()}: {col.errors[first]}); see ds['error']",
                      RuntimeWarning, stacklevel=2)
    return ds


def _accepts_rng(func):
    import inspect
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False
    return "rng" in params


def _scalars(fixed):
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in fixed.items()
            if isinstance(v, (numbers.Number, str, np.generic)) and not isinstance(v, bool)}


def _progress(progress, total, initial, fname):
    if progress is None:
        import sys
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
    if progress is True:
        from tqdm.auto import tqdm
        bar = tqdm(total=total, initial=initial, desc=f"sweep {fname.rsplit('.', 1)[-1]}", unit="pt",
                   leave=False)

        def report(done, _total):
            bar.n = done
            bar.refresh()
        return bar, report
    if callable(progress):
        return None, progress
    return None, None


def load_checkpoint(path):
    """The points a checkpoint holds so far, as the Dataset :func:`sweep` would return.

    Points not finished yet are NaN with ``error = 'not run'``; this works while the sweep is still
    running (records are written atomically).
    """
    store = CheckpointStore(path)
    man = store.read_manifest()
    if man is None:
        raise SweepError(f"argument 'path': {os.fspath(path)} holds no sweep checkpoint (no manifest.pkl)")
    entropy, prefix = man["entropy"]
    tasks, _ = make_tasks(man["grid"], man["seeds"], entropy, prefix, man["common_seeds"])
    col = _Collector(tasks, man["grid"], man["seeds"], man["var_name"])
    records = store.load([t.key for t in tasks])
    for t in tasks:
        if t.key in records:
            col.add(t, records[t.key])
    attrs = dict(func=man["func"], entropy=str(entropy), spawn_prefix=str(prefix),
                 common_seeds=int(bool(man["common_seeds"])), n_from_checkpoint=len(records))
    return col.dataset(attrs)
