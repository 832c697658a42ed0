"""Terminal summary of the reliability suite: what each C entry point was put through."""
from . import _harness as H

LEAKS = []  # filled by test_leaks: (target, calls, tracemalloc growth, rss growth)


def pytest_terminal_summary(terminalreporter):
    tr = terminalreporter
    if H.TALLIES:
        tr.section("neurocore reliability: fuzzed calls per C entry point")
        tr.write_line(f"{'target':34s} {'calls':>6s} {'results':>7s} {'equiv':>6s} {'watchdog':>8s}  errors / tolerated")
        for key in sorted(H.TALLIES):
            t = H.TALLIES[key]
            errs = ", ".join(f"{k} {v}" for k, v in sorted(t.errors.items()))
            tol = ("; tolerated: " + ", ".join(f"{k} {v}" for k, v in t.tolerated.items())) if t.tolerated else ""
            tr.write_line(f"{key:34s} {t.calls:6d} {t.results:7d} {t.equivalent:6d} {t.watchdog:8d}  {errs}{tol}")
    if LEAKS:
        tr.section("neurocore reliability: leak check")
        tr.write_line(f"{'target':34s} {'calls':>6s} {'tracemalloc growth':>19s} {'RSS growth':>11s} {'gc objects':>10s}")
        for key, calls, traced, rss, objs in LEAKS:
            tr.write_line(f"{key:34s} {calls:6d} {traced:17d} B {rss / 1024:8.0f} KiB {objs:10d}")
