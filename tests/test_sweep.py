"""neurocore.sweep: reproducible streams, loky and Dask backends, checkpoints, bad input.

The workload is a real one: the stationary variance of small random tanh networks
(neurocore.rate) against the coupling gain g. Expected values come from the definition of
``SeedSequence.spawn`` (the per-task stream), from a reference run on another backend or worker
count (bit-identical by construction), or from counting calls.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("joblib")

from neurocore.experiments.rate_sweep import rate_variance  # noqa: E402
from neurocore.sweep import SweepError, SweepTaskError, load_checkpoint, options, sweep  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A small real workload: N = 40 units, 40 time units after a 10-unit transient (~5 ms a point).
SMALL = dict(n=40, duration=40.0, transient=10.0, dt=0.1)
GRID = {"g": [0.5, 1.5, 2.0, 3.0]}


# ---- workloads (module level so that loky and Dask workers can import them) ----------------------
def draws(g, k, rng):
    return rng.standard_normal(3)  # g and k only label the point


def slow_point(x, log, delay, rng):
    """Sleep, then log the call (one line per finished call) and return a seeded number."""
    time.sleep(delay)
    val = x ** 2 + rng.random()
    with open(log, "a") as fh:
        fh.write(f"{x}\n")
    return val


def slow_variance(g, delay, rng):
    time.sleep(delay)
    return rate_variance(g, rng=rng, **SMALL)


def worker_pid(i, delay):
    time.sleep(delay)
    return os.getpid()


def _lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as fh:
        return fh.read().split()


def _reference():
    return sweep(rate_variance, GRID, seeds=3, rng=7, fixed=SMALL, n_jobs=1)


# ---- streams --------------------------------------------------------------------------------------
def test_task_streams_are_nested_spawn_children():
    # Expected: the definition in the docstring, SeedSequence(root).spawn(n_g)[i].spawn(n_k)[j]
    # .spawn(n_seeds)[s], computed here with real spawn() calls.
    grid = {"g": [0.1, 0.2, 0.3], "k": ["a", "b"]}
    ds = sweep(draws, grid, seeds=4, rng=123, n_jobs=1)
    assert ds["draws"].dims == ("g", "k", "seed", "draws_dim_0")
    root = np.random.SeedSequence(123)
    for i, gi in enumerate(root.spawn(3)):
        for j, kj in enumerate(gi.spawn(2)):
            for s, ss in enumerate(kj.spawn(4)):
                want = np.random.Generator(np.random.PCG64(ss)).standard_normal(3)
                np.testing.assert_array_equal(ds["draws"].isel(g=i, k=j, seed=s).values, want)
    # Another root seed gives other numbers.
    other = sweep(draws, grid, seeds=4, rng=124, n_jobs=1)
    assert not np.any(other["draws"].values == ds["draws"].values)


def test_common_seeds_share_one_stream_per_replicate():
    # Expected: with common_seeds every point of replicate s uses SeedSequence(root).spawn(n)[s].
    ds = sweep(draws, {"g": [1.0, 2.0], "k": [1, 2, 3]}, seeds=2, rng=5, common_seeds=True, n_jobs=1)
    for s, ss in enumerate(np.random.SeedSequence(5).spawn(2)):
        want = np.random.Generator(np.random.PCG64(ss)).standard_normal(3)
        got = ds["draws"].isel(seed=s).values.reshape(-1, 3)
        assert np.all(got == want)


def test_labels_and_values_of_a_real_workload():
    # Expected: SCS 1988, x = 0 attracts for g < 1: from O(1), x^2 decays at least like
    # exp(-2 (1 - 1.3 g) t) (spectral radius of J within 30 % of g at N = 40), < 1e-3 after the
    # 10 tau transient; for g = 2 a chaotic state with variance O(Delta0 = 1.92) (notes A.4).
    # Every entry equals a direct call of the workload with the task's spawned Generator.
    ds = _reference()
    assert list(ds["g"].values) == GRID["g"] and list(ds["seed"].values) == [0, 1, 2]
    v = ds["rate_variance"]
    assert float(v.sel(g=0.5).max()) < 1e-3 and float(v.sel(g=2.0).min()) > 0.3
    ss = np.random.SeedSequence(7).spawn(4)[2].spawn(3)[1]
    direct = rate_variance(2.0, rng=np.random.Generator(np.random.PCG64(ss)), **SMALL)
    assert v.sel(g=2.0, seed=1).item() == direct
    assert ds.attrs["n_computed"] == 12 and ds.attrs["n_failed"] == 0 and "error" not in ds


def test_same_numbers_with_1_and_2_loky_workers_and_a_local_dask_cluster():
    # Expected: bit-identical to the 1-worker in-process reference (streams fixed by grid position).
    ref = _reference()
    two = sweep(rate_variance, GRID, seeds=3, rng=7, fixed=SMALL, n_jobs=2)
    assert two.attrs["backend"] == "loky"
    np.testing.assert_array_equal(two["rate_variance"].values, ref["rate_variance"].values)
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as lc, \
            Client(lc, set_as_default=False) as c:
        dk = sweep(rate_variance, GRID, seeds=3, rng=7, fixed=SMALL, client=c)
    assert dk.attrs["backend"] == "dask"
    np.testing.assert_array_equal(dk["rate_variance"].values, ref["rate_variance"].values)
    # backend='dask' alone starts (and stops) a LocalCluster of n_jobs worker processes.
    auto = sweep(rate_variance, GRID, seeds=3, rng=7, fixed=SMALL, backend="dask", n_jobs=1)
    np.testing.assert_array_equal(auto["rate_variance"].values, ref["rate_variance"].values)


# ---- a real Dask scheduler and two worker processes on loopback -----------------------------------
@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    pytest.importorskip("distributed")
    from distributed import Client
    d = tmp_path_factory.mktemp("dask")
    sfile = str(d / "scheduler.json")
    exe = os.path.join(os.path.dirname(sys.executable), "dask")
    env = dict(os.environ, PYTHONPATH=REPO, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    log = open(d / "dask.log", "w")
    procs = [subprocess.Popen([exe, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", sfile], cwd=str(d), env=env, stdout=log, stderr=log)]
    t0 = time.time()
    while not os.path.exists(sfile) and time.time() - t0 < 60:
        time.sleep(0.1)
    assert os.path.exists(sfile), "dask scheduler did not start"
    for i in range(2):
        procs.append(subprocess.Popen([exe, "worker", "--scheduler-file", sfile, "--nthreads", "1",
                                       "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                                       "--name", f"w{i}"], cwd=str(d), env=env, stdout=log, stderr=log))
    with open(sfile) as fh:
        address = json.load(fh)["address"]
    client = Client(address, set_as_default=False)
    try:
        client.wait_for_workers(2, timeout=60)
        yield address, procs, client
    finally:
        client.close()
        for p in procs[::-1]:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()


def test_same_numbers_on_a_dask_scheduler_with_two_worker_processes(dask_cluster):
    # Expected: identical to the in-process 1-worker reference.
    address, procs, client = dask_cluster
    ref = _reference()
    ds = sweep(rate_variance, GRID, seeds=3, rng=7, fixed=SMALL, scheduler=address)
    assert ds.attrs["backend"] == "dask"
    np.testing.assert_array_equal(ds["rate_variance"].values, ref["rate_variance"].values)
    # And the defaults route through options(): the same sweep without arguments.
    with options(scheduler=address):
        again = sweep(rate_variance, GRID, seeds=3, rng=7, fixed=SMALL)
    assert again.attrs["backend"] == "dask"
    np.testing.assert_array_equal(again["rate_variance"].values, ref["rate_variance"].values)
    # Batching points into Dask tasks changes nothing either.
    batched = sweep(rate_variance, GRID, seeds=3, rng=7, fixed=SMALL, scheduler=address, batch_size=5)
    np.testing.assert_array_equal(batched["rate_variance"].values, ref["rate_variance"].values)
    # Both worker processes take part (8 tasks of 0.1 s on two single-thread workers).
    pids = sweep(worker_pid, {"i": list(range(8))}, fixed={"delay": 0.1}, scheduler=address)
    assert set(pids["worker_pid"].values.tolist()) == {p.pid for p in procs[1:]}


def test_killing_a_dask_worker_mid_sweep_still_completes_correctly(dask_cluster):
    # Expected: the same numbers as an in-process run; the scheduler reruns the dead worker's tasks.
    address, procs, client = dask_cluster
    grid = {"g": [0.5, 1.5, 2.0, 3.0]}
    fixed = {"delay": 0.25}
    ref = sweep(slow_variance, grid, seeds=4, rng=3, fixed={"delay": 0.0}, n_jobs=1)
    victim = procs[2]
    killed = []

    def on_progress(done, total):
        if done == 3 and not killed:
            victim.send_signal(signal.SIGKILL)
            killed.append(done)

    ds = sweep(slow_variance, grid, seeds=4, rng=3, fixed=fixed, client=client, progress=on_progress)
    assert killed and victim.wait(timeout=10) == -signal.SIGKILL
    assert ds.attrs["n_failed"] == 0 and "error" not in ds
    np.testing.assert_array_equal(ds["slow_variance"].values, ref["slow_variance"].values)
    assert len(client.scheduler_info()["workers"]) == 1


# ---- checkpoints and resuming ---------------------------------------------------------------------
def test_interrupted_local_sweep_resumes_and_recomputes_only_missing(tmp_path):
    # Expected: the rerun calls func exactly (total - finished records) times (counted in a log),
    # and the merged result equals an uninterrupted run.
    ck, log1, log2 = tmp_path / "ck", tmp_path / "calls1", tmp_path / "calls2"
    grid = {"x": list(range(16))}
    script = textwrap.dedent(f"""
        from neurocore.sweep import sweep
        from tests.test_sweep import slow_point
        sweep(slow_point, {grid!r}, seeds=1, rng=11, n_jobs=2, checkpoint={str(ck)!r},
              fixed=dict(log={str(log1)!r}, delay=0.3))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    points = ck / "points"
    t0 = time.time()
    while time.time() - t0 < 60:
        if points.is_dir() and len(list(points.glob("*.pkl"))) >= 4:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # Ctrl-C
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0 and b"KeyboardInterrupt" in err
    done = len(list(points.glob("*.pkl")))
    assert 4 <= done < 16, done
    partial = load_checkpoint(ck)
    assert int((partial["error"] == "").sum()) == done

    ds = sweep(slow_point, grid, seeds=1, rng=11, n_jobs=2, checkpoint=ck,
               fixed=dict(log=str(log2), delay=0.0))
    assert len(_lines(log2)) == 16 - done
    assert ds.attrs["n_from_checkpoint"] == done and ds.attrs["n_computed"] == 16 - done
    full = sweep(slow_point, grid, seeds=1, rng=11, n_jobs=1, fixed=dict(log=str(tmp_path / "c3"), delay=0.0))
    np.testing.assert_array_equal(ds["slow_point"].values, full["slow_point"].values)
    # A third run computes nothing.
    log4 = tmp_path / "calls4"
    ds3 = sweep(slow_point, grid, seeds=1, rng=11, n_jobs=2, checkpoint=ck,
                fixed=dict(log=str(log4), delay=0.0))
    assert not os.path.exists(log4) and ds3.attrs["n_computed"] == 0


def dies_once(x, marker, rng):
    """Kills its own worker process the first time it sees x = 3 (a crash in C, the OOM killer)."""
    if x == 3 and not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return x + rng.random()


def test_a_killed_loky_worker_is_replaced_and_the_sweep_completes(tmp_path):
    # Expected: the same numbers as an in-process run; the lost task is resubmitted once.
    grid = {"x": list(range(8))}
    marker = tmp_path / "died"
    with pytest.warns(RuntimeWarning, match="loky worker died"):
        ds = sweep(dies_once, grid, rng=4, n_jobs=2, fixed={"marker": str(marker)})
    assert marker.exists() and ds.attrs["n_failed"] == 0
    ref = sweep(dies_once, grid, rng=4, n_jobs=1, fixed={"marker": str(marker)})  # marker set: no kill
    np.testing.assert_array_equal(ds["dies_once"].values, ref["dies_once"].values)


def test_keyboardinterrupt_in_process_keeps_finished_points(tmp_path):
    # Expected: after an interrupt at the 5th result, 5 records remain and the rerun makes 7 calls.
    ck, log = tmp_path / "ck", tmp_path / "calls"
    grid = {"x": list(range(12))}

    def stop(done, total):
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(slow_point, grid, rng=1, n_jobs=1, checkpoint=ck, progress=stop,
              fixed=dict(log=str(log), delay=0.0))
    assert len(_lines(log)) == 5
    ds = sweep(slow_point, grid, rng=1, n_jobs=1, checkpoint=ck, fixed=dict(log=str(log), delay=0.0))
    assert len(_lines(log)) == 12 and ds.attrs["n_from_checkpoint"] == 5
    # seed=None reuses the entropy stored in the checkpoint; another explicit seed is refused.
    again = sweep(slow_point, grid, rng=None, n_jobs=1, checkpoint=ck, fixed=dict(log=str(log), delay=0.0))
    np.testing.assert_array_equal(again["slow_point"].values, ds["slow_point"].values)
    with pytest.raises(SweepError, match="root seed"):
        sweep(slow_point, grid, rng=2, n_jobs=1, checkpoint=ck, fixed=dict(log=str(log), delay=0.0))


def test_appending_grid_values_reuses_the_finished_points(tmp_path):
    # Expected: appended values leave the spawn keys (i, s) of the old points unchanged (docstring of
    # make_tasks), so their records are reused, and the result equals a fresh run of the larger grid.
    ck, log = tmp_path / "ck", tmp_path / "calls"
    fx = dict(log=str(log), delay=0.0)
    sweep(slow_point, {"x": [0, 1, 2, 3]}, seeds=2, rng=3, n_jobs=1, checkpoint=ck, fixed=fx)
    ds = sweep(slow_point, {"x": [0, 1, 2, 3, 4, 5]}, seeds=2, rng=3, n_jobs=1, checkpoint=ck, fixed=fx)
    assert ds.attrs["n_from_checkpoint"] == 8 and ds.attrs["n_computed"] == 4 and len(_lines(log)) == 12
    fresh = sweep(slow_point, {"x": [0, 1, 2, 3, 4, 5]}, seeds=2, rng=3, n_jobs=1, fixed=fx)
    np.testing.assert_array_equal(ds["slow_point"].values, fresh["slow_point"].values)
    # The checkpoint can be read on its own (e.g. while a sweep still runs).
    part = load_checkpoint(ck)
    np.testing.assert_array_equal(part["slow_point"].values, fresh["slow_point"].values)
    with pytest.raises(SweepError, match="holds no sweep checkpoint"):
        load_checkpoint(tmp_path)


# ---- failures and bad input -----------------------------------------------------------------------
def flaky(g, rng):
    if g == 2:
        raise ZeroDivisionError("g = 2 is cursed")
    return g + rng.random()


def test_failed_points_are_recorded_not_dropped():
    # Expected: the failing point has NaN and its exception text; the others are computed.
    with pytest.warns(RuntimeWarning, match="2 of 6 points failed"):
        ds = sweep(flaky, {"g": [1, 2, 3]}, seeds=2, rng=0, n_jobs=2)
    assert np.all(np.isnan(ds["flaky"].sel(g=2).values))
    assert np.all(np.isfinite(ds["flaky"].sel(g=[1, 3]).values))
    assert all("ZeroDivisionError: g = 2 is cursed" == e for e in ds["error"].sel(g=2).values)
    assert all(e == "" for e in ds["error"].sel(g=[1, 3]).values.ravel())
    assert ds.attrs["n_failed"] == 2
    with pytest.raises(SweepTaskError, match=r"point g=2, seed=0 raised ZeroDivisionError"):
        sweep(flaky, {"g": [1, 2, 3]}, seeds=2, rng=0, n_jobs=1, errors="raise")


def test_empty_grid_and_empty_parameter():
    with pytest.raises(SweepError, match="'grid' is empty"):
        sweep(flaky, {}, n_jobs=1)
    with pytest.raises(SweepError, match="parameter 'g' has no values"):
        sweep(flaky, {"g": []}, n_jobs=1)
    with pytest.raises(SweepError, match="parameter 'g' must be an ordered sequence"):
        sweep(flaky, {"g": 1.5}, n_jobs=1)


def test_unhashable_and_repeated_values_name_the_point():
    def f(w, rng):
        return 0.0
    with pytest.raises(SweepError, match=r"parameter 'w' value #1 \(\[1, 2\], a list\) is not hashable"):
        sweep(f, {"w": [0, [1, 2]]}, seeds=1, n_jobs=1)
    with pytest.raises(SweepError, match=r"'w' lists the value 3 twice \(#0 and #2\)"):
        sweep(f, {"w": [3, 4, 3]}, seeds=1, n_jobs=1)


def shape_by_g(g, log):
    with open(log, "a") as fh:
        fh.write(f"{g}\n")
    return np.zeros(2 if g < 3 else 3)


def test_inconsistent_shapes_raise_at_the_first_offending_result(tmp_path):
    # Expected: the error names both points and comes at g = 3 (3rd call) with nothing run after.
    log = tmp_path / "calls"
    with pytest.raises(SweepError, match=r"point g=3 returned 'shape_by_g' with shape \(3,\).*point g=1 "
                                         r"returned shape \(2,\)"):
        sweep(shape_by_g, {"g": [1, 2, 3, 4, 5]}, fixed={"log": str(log)}, n_jobs=1)
    assert _lines(log) == ["1", "2", "3"]
    # Under loky the error also comes at the offending result (the rest is cancelled).
    with pytest.raises(SweepError, match=r"returned 'shape_by_g' with shape"):
        sweep(shape_by_g, {"g": [1, 2, 3, 4, 5]}, fixed={"log": str(tmp_path / "c2")}, n_jobs=2)

    def keys(g):
        return {"a": 1.0} if g == 1 else {"b": 1.0}
    with pytest.raises(SweepError, match=r"point g=2 returned variables \['b'\], but point g=1 "
                                         r"returned \['a'\]"):
        sweep(keys, {"g": [1, 2]}, n_jobs=1)

    def obj(g):
        return {"a": [1, "x", None]}
    with pytest.raises(SweepError, match=r"point g=1: result 'a' is a list"):
        sweep(obj, {"g": [1, 2]}, n_jobs=1)


def test_bad_arguments_name_themselves():
    def no_rng(g):
        return g
    with pytest.raises(SweepError, match="'seeds' needs func .*no_rng.* to take an 'rng'"):
        sweep(no_rng, {"g": [1]}, seeds=2, n_jobs=1)
    with pytest.raises(SweepError, match="cannot be called with parameters"):
        sweep(no_rng, {"h": [1]}, n_jobs=1)
    with pytest.raises(ValueError, match="argument 'backend'"):
        sweep(no_rng, {"g": [1]}, backend="mpi")
    with pytest.raises(ValueError, match="argument 'n_jobs'"):
        sweep(no_rng, {"g": [1]}, n_jobs=0)
    with pytest.raises(SweepError, match="parameter name 'seed' is reserved"):
        sweep(no_rng, {"seed": [1]}, n_jobs=1)
    with pytest.raises(SweepError, match="argument 'seeds' has repeated labels"):
        sweep(draws, {"g": [1]}, seeds=[1, 1], fixed={"k": 1}, n_jobs=1)
    with pytest.raises(ValueError, match="argument 'batch_size'"):
        sweep(no_rng, {"g": [1]}, batch_size=0)
    with pytest.raises(ValueError, match="argument 'errors'"):
        sweep(no_rng, {"g": [1]}, errors="ignore")


# ---- output containers ----------------------------------------------------------------------------
def trace(g, rng):
    t = np.arange(5) * 0.5
    return {"trace": xr.DataArray(g * t + rng.random(), dims=("time",), coords={"time": t}),
            "label": "chaotic" if g > 1 else "stable", "count": int(10 * g)}


def test_dataarray_and_dict_outputs_keep_their_dims_and_survive_netcdf(tmp_path):
    # Expected: coordinates as returned; int/str outputs kept; a NetCDF round trip returns the data.
    ds = sweep(trace, {"g": [0.5, 2.0]}, seeds=2, rng=0, n_jobs=1)
    assert ds["trace"].dims == ("g", "seed", "time")
    np.testing.assert_array_equal(ds["time"].values, np.arange(5) * 0.5)
    assert list(ds["label"].sel(seed=0).values) == ["stable", "chaotic"]
    assert ds["count"].dtype.kind == "i" and list(ds["count"].sel(seed=1).values) == [5, 20]
    path = tmp_path / "sweep.nc"
    ds.to_netcdf(path)
    back = xr.load_dataset(path)
    np.testing.assert_array_equal(back["trace"].values, ds["trace"].values)
    assert back.attrs["entropy"] == "0"


def test_options_and_environment_choose_the_backend(monkeypatch, capsys):
    with options(n_jobs=1):
        ds = sweep(draws, {"g": [1.0, 2.0]}, seeds=1, fixed={"k": 1}, rng=0, progress=True)
    assert ds.attrs["backend"] == "loky" and "2/2" in capsys.readouterr().err  # the tqdm bar
    monkeypatch.setenv("NEUROCORE_SWEEP_WORKERS", "banana")
    with pytest.raises(ValueError, match="NEUROCORE_SWEEP_WORKERS"):
        sweep(draws, {"g": [1.0]}, seeds=1, fixed={"k": 1}, rng=0)
    monkeypatch.setenv("NEUROCORE_SWEEP_WORKERS", "1")
    with options(backend="loky"):
        ds = sweep(draws, {"g": [1.0]}, seeds=1, fixed={"k": 1}, rng=0)
    assert ds.attrs["backend"] == "loky"
    with pytest.raises(ValueError, match="argument 'backend'"):
        with options(backend="slurm"):
            pass
