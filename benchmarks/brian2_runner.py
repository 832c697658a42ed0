"""Run the Brette et al. (2007) CUBA / COBA benchmark networks in Brian2 and print one JSON line.

This script imports only Brian2 and NumPy, so it can run in a separate interpreter (Brian2 2.9.0
does not import with NumPy >= 2.4, which neurocore's venv has; see ``brian2_python()`` in
``benchmarks/bench_spiking.py``). Usage::

    python benchmarks/brian2_runner.py --model cuba --device runtime --seed 0 --duration 1.0

Networks (the Brian2 versions of the benchmarks): 4000 LIF neurons (3200 E, 800 I), Bernoulli
connectivity p = 0.02, dt = 0.1 ms, refractory 5 ms, threshold -50 mV, reset -60 mV, tau_m = 20 ms,
tau_e = 5 ms, tau_i = 10 ms.
  CUBA: E_L = -49 mV, w_e = 1.62 mV, w_i = -9 mV, 'exact' integration, V0 ~ U(-60, -50) mV.
  COBA: E_L = -60 mV, I = 20 mV, E_e = 0 mV, E_i = -80 mV, w_e = 0.6, w_i = 6.7 (units of g_L),
        'euler' integration, V0 ~ N(-55, 5) mV, g_e0 ~ N(4, 1.5), g_i0 ~ N(20, 12).
Reported: ``run_s`` = the time of the simulation loop alone (cpp_standalone: Brian's own
``device._last_run_time``; runtime: wall time of ``run()`` after a one-step warm-up run that
triggers code generation and compilation), mean rate (Hz), mean CV of ISIs over neurons with at
least 3 spikes, total spikes, synapses.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=["cuba", "coba"], default="cuba")
    ap.add_argument("--device", choices=["runtime", "cpp_standalone"], default="runtime")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--duration", type=float, default=1.0, help="seconds")
    ap.add_argument("--no-monitor", action="store_true")
    args = ap.parse_args()

    import brian2 as b2
    from brian2 import ms, mV, second

    b2.prefs.logging.std_redirection = False
    if args.device == "cpp_standalone":
        b2.set_device("cpp_standalone", build_on_run=False,
                      directory=tempfile.mkdtemp(prefix="nc_brian2_"))
        b2.prefs.devices.cpp_standalone.openmp_threads = 0   # one thread
    else:
        b2.prefs.codegen.target = "cython"
    b2.seed(args.seed)
    np.random.seed(args.seed)
    b2.defaultclock.dt = 0.1 * ms

    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr = -50 * mV, -60 * mV
    if args.model == "cuba":
        El = -49 * mV
        eqs = """dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
                 dge/dt = -ge / taue : volt
                 dgi/dt = -gi / taui : volt"""
        P = b2.NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                           method="exact")
        P.v = "Vr + rand() * (Vt - Vr)"
        we, wi = 1.62 * mV, -9.0 * mV
    else:
        El, Ee, Ei, I = -60 * mV, 0 * mV, -80 * mV, 20 * mV
        eqs = """dv/dt = (ge * (Ee - v) + gi * (Ei - v) - (v - El) + I) / taum : volt (unless refractory)
                 dge/dt = -ge / taue : 1
                 dgi/dt = -gi / taui : 1"""
        P = b2.NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                           method="euler")
        P.v = "(randn() * 5 - 55) * mV"
        P.ge = "randn() * 1.5 + 4"
        P.gi = "randn() * 12 + 20"
        we, wi = 0.6, 6.7
    Ce = b2.Synapses(P, P, on_pre="ge += we")
    Ci = b2.Synapses(P, P, on_pre="gi += wi")
    Ce.connect("i < 3200", p=0.02)
    Ci.connect("i >= 3200", p=0.02)
    mon = None if args.no_monitor else b2.SpikeMonitor(P)
    net = b2.Network(b2.collect())

    if args.device == "cpp_standalone":
        net.run(args.duration * second)
        t0 = time.perf_counter()
        b2.device.build(compile=True, run=True)
        wall = time.perf_counter() - t0
        run_s = float(b2.device._last_run_time)
    else:
        net.run(b2.defaultclock.dt)   # code generation and compilation happen here
        t0 = time.perf_counter()
        net.run(args.duration * second)
        run_s = time.perf_counter() - t0
        wall = run_s
    out = {"model": args.model, "device": args.device, "seed": args.seed, "duration_s": args.duration,
           "run_s": run_s, "wall_s": wall, "n_synapses": int(len(Ce) + len(Ci)),
           "brian2": b2.__version__}
    if mon is not None:
        i = np.asarray(mon.i[:])
        t = np.asarray(mon.t[:] / ms)
        out["n_spikes"] = int(i.size)
        out["rate_hz"] = i.size / (4000 * args.duration)
        order = np.lexsort((t, i))
        i, t = i[order], t[order]
        same = i[1:] == i[:-1]
        isi, owner = np.diff(t)[same], i[1:][same]
        cnt = np.bincount(owner, minlength=4000)
        s1 = np.bincount(owner, weights=isi, minlength=4000)
        s2 = np.bincount(owner, weights=isi * isi, minlength=4000)
        ok = cnt >= 2
        mean = s1[ok] / cnt[ok]
        cv = np.sqrt(np.maximum(s2[ok] / cnt[ok] - mean ** 2, 0)) / mean
        out["cv_isi"] = float(np.mean(cv)) if cv.size else float("nan")
    print("BRIAN2_RESULT " + json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
