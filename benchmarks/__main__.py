"""Run every benchmark module: ``python -m benchmarks [--quick] [family ...]``."""
import argparse
import importlib
import json
import os
import pkgutil
import platform
import time

from .harness import run_case


def main():
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("names", nargs="*", help="families (bench_<name>.py); default all")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    here = os.path.dirname(__file__)
    mods = [m.name for m in pkgutil.iter_modules([here]) if m.name.startswith("bench_")]
    if args.names:
        mods = [m for m in mods if m[len("bench_"):] in args.names]
    rows = []
    print(f"{'case':44s} {'peer':26s} {'neurocore s':>12s} {'peer s':>10s} {'ratio':>7s} {'goal':>6s}")
    for m in sorted(mods):
        mod = importlib.import_module(f"benchmarks.{m}")
        for case in mod.cases(args.quick):
            r = run_case(case)
            rows.append(r)
            goal = "" if r["goal"] is None else f"<={r['goal']:g}"
            print(f"{r['name']:44s} {r['peer']:26s} {r['neurocore_s']:12.4g} {r['peer_s']:10.4g} "
                  f"{r['ratio']:7.3f} {goal:>6s}", flush=True)
    os.makedirs(os.path.join(here, "results"), exist_ok=True)
    path = os.path.join(here, "results", time.strftime("%Y%m%d-%H%M%S") + ".json")
    with open(path, "w") as fh:
        json.dump({"machine": platform.machine(), "python": platform.python_version(), "rows": rows}, fh, indent=1)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
