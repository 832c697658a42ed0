"""neurocore.sweep: wall time of a 2-worker local sweep against the ideal, and per-task overhead.

* ``loky 2 workers, M x T s tasks``: the tasks sleep for T seconds (so the case measures scheduling,
  not CPU contention with other work on the machine); the peer is the ideal M T / 2 seconds.
  Issue 13 asks for 100 one-second tasks within 1.15 x 50 s (``--quick``: 20 half-second tasks).
* ``dask overhead``: many no-op tasks on a 2-process LocalCluster, started once outside the timing;
  the peer is the budget of 10 ms per task (goal ratio <= 1), and next to it the same tasks through
  bare ``client.map`` + ``gather`` (what sweep adds: stream set-up, validation, xarray assembly),
  and sweep with ``batch_size=20`` (20 points per Dask task).
* ``loky overhead``: the same no-op tasks through sweep and through bare ``joblib.Parallel``.
"""
import time

from .harness import Case

_CLUSTER = {}


def sleeper(i, seconds):
    time.sleep(seconds)
    return float(i)


def noop(i):
    return 0.0


def _client():
    if "client" not in _CLUSTER:
        from distributed import Client, LocalCluster
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
        _CLUSTER.update(cluster=cluster, client=Client(cluster, set_as_default=False))
    return _CLUSTER["client"]


def cases(quick=False):
    from neurocore.sweep import sweep
    out = []
    m, secs = (20, 0.5) if quick else (100, 1.0)
    out.append(Case(f"sweep loky 2 workers, {m} x {secs:g} s tasks",
                    lambda: sweep(sleeper, {"i": list(range(m))}, fixed={"seconds": secs}, n_jobs=2),
                    None, f"ideal {m} x {secs:g} s / 2", repeats=1, goal=1.15,
                    peer_seconds=lambda: m * secs / 2))

    n = 500 if quick else 2000
    grid = {"i": list(range(n))}
    client = _client()

    def bare_dask():
        futs = client.map(noop, range(n), pure=False)
        return client.gather(futs)

    out.append(Case(f"sweep dask, {n} no-op tasks", lambda: sweep(noop, grid, client=client), None,
                    "budget 10 ms / task", repeats=3, goal=1.0, peer_seconds=lambda: 0.010 * n))
    out.append(Case(f"sweep dask, {n} no-op tasks (vs bare)", lambda: sweep(noop, grid, client=client),
                    bare_dask, "client.map + gather", repeats=3))
    out.append(Case(f"sweep dask batch_size=20, {n} no-op tasks", lambda: sweep(noop, grid, client=client,
                                                                             batch_size=20),
                    bare_dask, "client.map + gather (1/task)", repeats=3))

    def bare_joblib():
        from joblib import Parallel, delayed
        return Parallel(n_jobs=2, backend="loky")(delayed(noop)(i) for i in range(n))

    out.append(Case(f"sweep loky 2 workers, {n} no-op tasks", lambda: sweep(noop, grid, n_jobs=2),
                    bare_joblib, "joblib.Parallel (loky)", repeats=3))
    return out
