"""Write report.md: one table row per metric, then the figures."""
import os
import platform
import time


def write_report(results, out_dir, quick, seed):
    path = os.path.join(out_dir, "report.md")
    n_pass = sum(m.passed for r in results for m in r.metrics)
    n_all = sum(len(r.metrics) for r in results)
    lines = [
        "# neurocore reproduction report",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M:%S')} on {platform.machine()} / Python "
        f"{platform.python_version()}; mode: {'quick' if quick else 'full'}; seed: {seed}.",
        "",
        f"**{n_pass} of {n_all} metrics pass** across {len(results)} experiment(s).",
        "",
        "| experiment | metric | measured | expected | source | pass |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        for m in r.metrics:
            unit = f" {m.unit}" if m.unit else ""
            lines.append(f"| {r.name} | {m.name} | {m.measured:.4g}{unit} | {m.expected_str()}{unit} | "
                         f"{m.source} | {'yes' if m.passed else '**NO**'} |")
    for r in results:
        lines += ["", f"## {r.name}: {r.title}", "", f"Paper: {r.paper}. Time: {r.seconds or 0:.1f} s.", ""]
        for fig in r.figures:
            lines.append(f"![{os.path.basename(fig)}]({os.path.relpath(fig, out_dir)})")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path
