"""Where the tasks run: in this process, on joblib/loky worker processes, or on a Dask cluster.

Every backend calls :func:`execute` once per task and hands each outcome to ``on_result`` in this
process as soon as it arrives (in completion order). ``on_result`` may raise to stop the sweep;
the backend then cancels what has not started and re-raises.
"""
import contextlib
import time
import traceback
import uuid
import warnings

import numpy as np

_INSTALL = "pip install 'neurocore[sweep]'"


def execute(func, flat, params, fixed, entropy, spawn_key, pass_rng):
    """Run one task; never raises for an exception of ``func`` (it is returned and recorded).

    Returns ``(flat, ok, payload, seconds)``: payload is the raw return value, or
    ``(exception type name, message, formatted traceback)``.
    """
    t0 = time.perf_counter()
    kw = dict(fixed)
    kw.update(params)
    if pass_rng:
        kw["rng"] = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=spawn_key)))
    try:
        out = func(**kw)
    except Exception as e:  # KeyboardInterrupt/SystemExit propagate: they stop the sweep
        return flat, False, (type(e).__name__, str(e), traceback.format_exc()), time.perf_counter() - t0
    return flat, True, out, time.perf_counter() - t0


def _args(func, t, fixed, entropy, pass_rng):
    return (func, t.flat, t.params, fixed, entropy, t.spawn_key, pass_rng)


def run_serial(func, tasks, fixed, entropy, pass_rng, on_result):
    for t in tasks:
        on_result(execute(*_args(func, t, fixed, entropy, pass_rng)))


def run_loky(func, tasks, fixed, entropy, pass_rng, on_result, n_jobs, max_restarts=2):
    """joblib ``Parallel(backend='loky', return_as='generator_unordered')``: a reusable pool of worker
    processes; BLAS threads in the workers are capped at cores // n_jobs by joblib.

    If a worker process dies (killed, out of memory, a crash in C), loky breaks the pool; the
    tasks not finished yet are then resubmitted to a fresh pool, at most ``max_restarts`` times.
    """
    try:
        from joblib import Parallel, delayed
        from joblib.externals.loky.process_executor import BrokenProcessPool
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise ImportError(f"backend='loky' needs joblib ({_INSTALL})") from e
    remaining = list(tasks)
    for attempt in range(max_restarts + 1):
        finished = set()
        par = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered")
        gen = par(delayed(execute)(*_args(func, t, fixed, entropy, pass_rng)) for t in remaining)
        try:
            for out in gen:
                finished.add(out[0])
                on_result(out)
            return
        except BrokenProcessPool as e:
            remaining = [t for t in remaining if t.flat not in finished]
            if attempt == max_restarts:
                raise
            warnings.warn(f"sweep: a loky worker died ({type(e).__name__}); resubmitting the "
                          f"{len(remaining)} unfinished task(s) to a fresh pool", RuntimeWarning,
                          stacklevel=3)
        finally:
            gen.close()  # on an early exit this aborts the tasks not yet finished


@contextlib.contextmanager
def dask_client(client=None, scheduler=None, n_jobs=None):
    """The client to use: the one given, ``Client(scheduler)``, or a throw-away LocalCluster."""
    if client is not None:
        yield client
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:  # pragma: no cover
        raise ImportError(f"backend='dask' needs dask.distributed ({_INSTALL})") from e
    if scheduler is not None:
        c = Client(scheduler, set_as_default=False)
        try:
            yield c
        finally:
            c.close()
        return
    import os
    n = n_jobs if n_jobs and n_jobs > 0 else (os.cpu_count() or 1)
    try:
        import bokeh  # noqa: F401
        dash = ":0"
    except ImportError:
        dash = None
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=dash)
    c = Client(cluster, set_as_default=False)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def execute_batch(specs, fn, fixed, entropy, pass_rng):
    """Several tasks in one Dask task (``specs``: (flat, params, spawn_key) triples)."""
    return [execute(fn, flat, params, fixed, entropy, skey, pass_rng) for flat, params, skey in specs]


def run_dask(func, tasks, fixed, entropy, pass_rng, on_result, client, label="sweep", batch_size=1):
    """Submit every task to ``client`` and consume the results in completion order.

    ``batch_size`` > 1 groups that many points into one Dask task (for very short tasks, where
    the scheduler's per-task cost dominates); 1 keeps one Dask task per point. Dask reschedules
    the tasks of a worker that dies; a task that keeps killing workers ends as a ``KilledWorker``
    failure, which is recorded like any exception of ``func``.
    """
    from distributed import as_completed
    if not tasks:
        return
    token = uuid.uuid4().hex[:8]
    batches = [tasks[i:i + batch_size] for i in range(0, len(tasks), batch_size)]
    keys = [f"{label}-{b[0].key}-{len(b)}-{token}" for b in batches]
    specs = [[(t.flat, t.params, t.spawn_key) for t in b] for b in batches]
    futures = client.map(execute_batch, specs, fn=func, fixed=fixed, entropy=entropy, pass_rng=pass_rng,
                         key=keys, pure=False)
    flats_of = {f.key: [t.flat for t in b] for f, b in zip(futures, batches)}
    pending = set(futures)
    try:
        for fut, res in as_completed(futures, loop=client.loop, with_results=True, raise_errors=False):
            pending.discard(fut)
            if fut.status == "finished" and isinstance(res, list):
                for out in res:
                    on_result(out)
            else:  # KilledWorker, CancelledError, a scheduler that went away ...
                err = res if isinstance(res, BaseException) else RuntimeError(f"task status {fut.status}")
                for flat in flats_of[fut.key]:
                    on_result((flat, False, (type(err).__name__, str(err), ""), float("nan")))
            fut.release()
    finally:
        if pending:
            client.cancel(list(pending))
