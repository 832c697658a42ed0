"""What an experiment returns: metrics with their reference value, tolerance and verdict, plus figures."""
import os
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np


@dataclass
class Metric:
    """One checked number.

    ``kind`` says how ``measured`` is compared with ``expected``:
    'abs' |m - e| <= tol; 'rel' |m - e| <= tol |e|; 'range' expected = (lo, hi) and lo <= m <= hi;
    'lt' m < expected; 'gt' m > expected.
    ``source`` says where the expected value comes from (theory, the paper, a reference simulation).
    """
    name: str
    measured: float
    expected: object
    tol: float = 0.0
    kind: str = "abs"
    source: str = ""
    unit: str = ""

    @property
    def passed(self):
        m = self.measured
        if m is None or (isinstance(m, float) and not np.isfinite(m)):
            return False
        if self.kind == "abs":
            return abs(m - self.expected) <= self.tol
        if self.kind == "rel":
            return abs(m - self.expected) <= self.tol * abs(self.expected)
        if self.kind == "range":
            lo, hi = self.expected
            return lo <= m <= hi
        if self.kind == "lt":
            return m < self.expected
        if self.kind == "gt":
            return m > self.expected
        raise ValueError(f"unknown metric kind {self.kind!r}")

    def expected_str(self):
        if self.kind == "abs":
            return f"{_fmt(self.expected)} ± {_fmt(self.tol)}"
        if self.kind == "rel":
            return f"{_fmt(self.expected)} ± {100 * self.tol:.3g}%"
        if self.kind == "range":
            return f"[{_fmt(self.expected[0])}, {_fmt(self.expected[1])}]"
        return f"{'<' if self.kind == 'lt' else '>'} {_fmt(self.expected)}"


def _fmt(x):
    if isinstance(x, (int, np.integer)):
        return str(x)
    return f"{x:.4g}"


@dataclass
class ExperimentResult:
    """Everything one reproduction produced."""
    name: str
    title: str
    paper: str
    metrics: List[Metric] = field(default_factory=list)
    figures: List[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    seconds: Optional[float] = None

    @property
    def passed(self):
        return all(m.passed for m in self.metrics)

    def check(self, name, measured, expected, tol=0.0, kind="abs", source="", unit=""):
        self.metrics.append(Metric(name, float(measured), expected, tol, kind, source, unit))

    def savefig(self, fig, out_dir, filename):
        import matplotlib.pyplot as plt
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, filename)
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        self.figures.append(path)
        return path
