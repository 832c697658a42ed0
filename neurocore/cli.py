"""The ``neurocore`` command: list and reproduce the papers' results."""
import argparse
import os
import sys


#: Exit codes of `neurocore reproduce`: 0 every metric passed; 3 some metric missed its reference
#: value (the report says which); 4 an experiment raised an exception (a bug).
EXIT_METRICS_FAILED = 3
EXIT_CRASHED = 4


def _crashed(mod, exc):
    import traceback

    from .experiments import ExperimentResult
    res = ExperimentResult(mod.NAME, getattr(mod, "TITLE", ""), getattr(mod, "PAPER", ""))
    res.check("experiment ran without error", 0.0, 1.0, kind="gt",
              source=f"{type(exc).__name__}: {exc}")
    res.data["traceback"] = traceback.format_exc()
    res.seconds = 0.0
    traceback.print_exc()
    return res


def _cmd_list(args):
    from . import experiments
    for name, mod in experiments.registry().items():
        print(f"{name:32s} {getattr(mod, 'TITLE', '')}  [{getattr(mod, 'PAPER', '')}]")
    return 0


def _cmd_reproduce(args):
    from tqdm import tqdm

    from . import experiments
    from .experiments.report import write_report
    import matplotlib
    matplotlib.use("Agg")
    if args.workers is not None:
        os.environ["NEUROCORE_SWEEP_WORKERS"] = str(args.workers)
    if args.scheduler is not None:
        os.environ["NEUROCORE_SWEEP_SCHEDULER"] = args.scheduler
    reg = experiments.registry()
    names = list(reg) if args.name == ["all"] else args.name
    unknown = [n for n in names if n not in reg]
    if unknown:
        print(f"unknown experiment(s): {', '.join(unknown)}; run 'neurocore list'", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    results, crashed = [], []
    bar = tqdm(names, desc="reproduce", unit="exp", file=sys.stderr)
    for name in bar:
        bar.set_postfix_str(name)
        try:
            res = experiments.run(name, quick=args.quick, seed=args.seed, out_dir=args.out,
                                  blas_threads=max(1, args.blas_threads))
        except Exception as exc:  # one broken experiment must not hide the others' results
            res = _crashed(reg[name], exc)
            crashed.append(name)
        results.append(res)
        status = "PASS" if res.passed else "FAIL"
        tqdm.write(f"{status} {name} ({res.seconds:.1f} s): "
                   + "; ".join(f"{m.name}={m.measured:.4g}" for m in res.metrics), file=sys.stderr)
    path = write_report(results, args.out, args.quick, args.seed)
    failed = [r.name for r in results if not r.passed and r.name not in crashed]
    print(f"report: {os.path.abspath(path)}")
    if crashed:
        print(f"crashed: {', '.join(crashed)}", file=sys.stderr)
        return EXIT_CRASHED
    if failed:
        print(f"metrics failed in: {', '.join(failed)}", file=sys.stderr)
        return EXIT_METRICS_FAILED
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="neurocore", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list the reproducible experiments").set_defaults(func=_cmd_list)
    rp = sub.add_parser("reproduce", help="reproduce experiments and write report.md plus figures")
    rp.add_argument("name", nargs="+", help="experiment name(s), or 'all'")
    rp.add_argument("--quick", action="store_true", help="small sizes, minutes in total")
    rp.add_argument("--out", default="results", help="output folder (default: results)")
    rp.add_argument("--seed", type=int, default=0, help="base random seed")
    rp.add_argument("--blas-threads", type=int, default=1,
                    help="BLAS threads per process (default 1: the experiments are many small products, "
                         "for which OpenBLAS threads cost more than they give on small machines)")
    rp.add_argument("--workers", type=int, default=None,
                    help="worker processes for parameter sweeps (default: all cores)")
    rp.add_argument("--scheduler", default=None,
                    help="Dask scheduler address (tcp://host:8786): run sweeps on that cluster")
    rp.set_defaults(func=_cmd_reproduce)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
