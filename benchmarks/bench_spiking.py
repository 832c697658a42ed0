"""CUBA and COBA (Brette et al. 2007; 4000 neurons, p = 0.02, dt = 0.1 ms): neurocore's whole Python
call against Brian2's simulation loop alone (code generation and compilation excluded), for the
cpp_standalone device (one thread) and the runtime device (Cython).

Brian2 runs in a subprocess (benchmarks/brian2_runner.py) with the interpreter from
``brian2_python()``: $NEUROCORE_BRIAN2_PYTHON, else this interpreter if Brian2 imports in it, else
/tmp/nc-brian2-venv/bin/python. (Brian2 2.9.0 fails to import with NumPy >= 2.4 because
ndarray.ptp is gone, so a side environment with numpy<2.4 is needed:
``python -m venv /tmp/nc-brian2-venv && /tmp/nc-brian2-venv/bin/pip install "numpy<2.4" brian2==2.9.0 cython``.)
Each peer time is Brian2's own report for one process (cpp_standalone: device._last_run_time;
runtime: wall time of run() after a warm-up step); the peer is re-run once per repeat.
Extra columns: synaptic events per second of neurocore and bytes per synapse.
"""
import os
import subprocess
import sys

import numpy as np

from .harness import Case

DURATION_MS = 5000.0


def brian2_python():
    env = os.environ.get("NEUROCORE_BRIAN2_PYTHON")
    if env:
        return env
    for py in (sys.executable, "/tmp/nc-brian2-venv/bin/python"):
        if not os.path.exists(py):
            continue
        r = subprocess.run([py, "-c", "import brian2"], capture_output=True)
        if r.returncode == 0:
            return py
    return None


def build(model, seed=0):
    """The benchmark network in neurocore (same parameters as benchmarks/brian2_runner.py)."""
    from neurocore.experiments.cuba import build_network as build_cuba
    from neurocore.experiments.coba import build_network as build_coba
    return (build_cuba if model == "cuba" else build_coba)(seed)


def cases(quick=False):
    from .brian2_reference import run_brian2
    duration = 1000.0 if quick else DURATION_MS
    py = brian2_python()
    out = []
    for model in ("cuba", "coba"):
        net = build(model, seed=0)
        state = (net.v.copy(), net.g.copy())
        info = {}

        def nc(net=net, state=state, info=info):
            net.v, net.g = state[0].copy(), state[1].copy()
            net._ref[:] = 0
            res = net.run(duration, dt=0.1)
            return res

        import time
        nc()
        t0 = time.perf_counter()
        res_nc = nc()
        t_single = time.perf_counter() - t0
        events = sum(int(np.diff(p.conn.indptr)[res_nc.spike_ids[(res_nc.spike_ids >= p.pre.start) &
                                                                   (res_nc.spike_ids < p.pre.stop)] - p.pre.start].sum())
                     for p in net.projections)
        extra = {"bytes_per_synapse": net.bytes_per_synapse(), "synaptic_events": events,
                 "events_per_s": events / t_single, "rate_hz": float(res_nc.mean_rate())}
        print(f"  {model}: {events / t_single:.3g} synaptic events/s, {net.bytes_per_synapse():g} bytes/synapse, "
              f"{res_nc.mean_rate():.2f} Hz", flush=True)
        if py is None:
            continue
        for device, goal in (("cpp_standalone", 0.5), ("runtime", 0.2)):
            def peer_seconds(model=model, device=device):
                return run_brian2(py, model, device, 0, duration / 1000.0)["run_s"]
            out.append(Case(f"{model.upper()} 4000 LIF {duration / 1000:g} s", nc, None,
                            f"Brian2 {device}" + (" 1 thread" if device == "cpp_standalone" else " cython"),
                            repeats=3, goal=goal, peer_seconds=peer_seconds, extra=dict(extra)))
    return out
