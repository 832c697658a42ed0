"""Measure Brian2's mean rate and CV of ISIs for the CUBA and COBA benchmarks over 5 seeds and store
them in tests/data/brian2_reference.json (read by tests/test_spiking.py and the cuba / coba
experiments, so that pytest never runs Brian2).

    .venv/bin/python -m benchmarks.brian2_reference [--seeds 5] [--duration 1.0]

Brian2 runs in the interpreter named by NEUROCORE_BRIAN2_PYTHON (see bench_spiking.brian2_python).
"""
import argparse
import json
import os
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "tests", "data", "brian2_reference.json")


def run_brian2(python, model, device, seed, duration, monitor=True):
    cmd = [python, os.path.join(HERE, "brian2_runner.py"), "--model", model, "--device", device,
           "--seed", str(seed), "--duration", str(duration)]
    if not monitor:
        cmd.append("--no-monitor")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = [ln for ln in out.splitlines() if ln.startswith("BRIAN2_RESULT ")][-1]
    return json.loads(line[len("BRIAN2_RESULT "):])


def main():
    from .bench_spiking import brian2_python
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--duration", type=float, default=1.0)
    args = ap.parse_args()
    py = brian2_python()
    if py is None:
        raise SystemExit("Brian2 is not importable; set NEUROCORE_BRIAN2_PYTHON")
    data = {"script": "benchmarks/brian2_reference.py (networks in benchmarks/brian2_runner.py)",
            "date": time.strftime("%Y-%m-%d"), "device": "runtime (cython)", "duration_s": args.duration}
    for model in ("cuba", "coba"):
        runs = [run_brian2(py, model, "runtime", s, args.duration) for s in range(args.seeds)]
        rates = [r["rate_hz"] for r in runs]
        cvs = [r["cv_isi"] for r in runs]
        data[model] = {"seeds": list(range(args.seeds)), "rate_hz": rates, "cv_isi": cvs,
                       "rate_range": [min(rates), max(rates)], "cv_range": [min(cvs), max(cvs)],
                       "brian2": runs[0]["brian2"]}
        print(model, data[model])
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as fh:
        json.dump(data, fh, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
