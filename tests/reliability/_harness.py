"""Machinery of the reliability suite: discovery of the C entry points, input mutations, the contract.

Every extension module ``neurocore/<family>/_<family>*.so`` is imported and each public builtin
function in it becomes a fuzz target. A target with an entry in ``specs.SPECS`` (a factory of one
small valid call) is fuzzed argument by argument from that valid call; a target without one gets
only the signature-level tier (junk values for the parameters named in its docstring) and the full
tier skips with a visible reason.

The contract every call must meet (issue 15):
  * it raises one of ALLOWED (a Python exception) whose message names an argument of the function,
    or it returns a result whose floating-point values are all finite (no silent NaN);
  * an input that differs from a valid one only in memory layout or in a safely castable dtype
    (non-contiguous, Fortran order, read-only, byte-swapped, a list, float32, int) gives the same
    result as the canonical float64 C-contiguous array with the same values;
  * the caller's arrays are never modified (unless the spec names the argument as in-place);
  * no crash (the process would die), no hang (a watchdog interrupts calls that run past
    WATCHDOG_S, and faulthandler kills the process after HANG_S with a traceback).
"""
import faulthandler
import glob
import importlib
import os
import re
import resource
import signal
import sys
from dataclasses import dataclass, field

import numpy as np

from neurocore.errors import ConvergenceError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ALLOWED = (TypeError, ValueError, MemoryError, OverflowError, IndexError, FloatingPointError,
           KeyboardInterrupt, ConvergenceError)
WATCHDOG_S = float(os.environ.get("NEUROCORE_FUZZ_WATCHDOG", "3.0"))
HANG_S = float(os.environ.get("NEUROCORE_FUZZ_HANG", "60.0"))
UNDER_ASAN = "asan" in os.environ.get("LD_PRELOAD", "")
#: Extra address space a single fuzzed call may take (bad sizes must fail with MemoryError, not
#: swallow the shared machine). Not used under ASan, whose shadow memory needs terabytes of it.
MEMORY_HEADROOM = 3 << 30

# Messages of CPython's own argument parser (PyArg_ParseTupleAndKeywords). They do not name the
# argument; the bindings are expected to re-raise them with the name (see report / common.h).
PARSER_MESSAGES = re.compile(
    r"cannot be interpreted as an integer|^must be real number|int too big to convert|"
    r"signed integer is (greater|less) than (maximum|minimum)|Python int too large to convert|"
    r"object is not callable|an integer is required|must be (str|int|float), not|"
    r"only integer scalar arrays can be converted|only 0-dimensional arrays can be converted|"
    r"only length-1 arrays can be converted|int too large to convert to float|"
    r"argument \d+ must be|takes exactly one argument|takes at most \d+ keyword argument \(|takes no keyword arguments|truth value of an? (empty )?array|"
    r"takes at most \d+ (keyword )?arguments|takes (at most|exactly) \d+ (positional )?arguments?")


# ------------------------------------------------------------------------------------------ discovery

@dataclass
class Target:
    family: str
    module: str          # e.g. neurocore.rate._rate
    name: str            # e.g. integrate
    func: object = None
    import_error: str = ""

    @property
    def key(self):
        return f"{self.family}.{self.name}"


def discover():
    """All C entry points: one Target per public builtin function of every extension module.

    A module that fails to import gives one Target named '<import>' carrying the error, so the
    failure is visible in the test report instead of silently shrinking the suite."""
    found = {}
    for so in sorted(glob.glob(os.path.join(ROOT, "neurocore", "*", "_*.so"))):
        family = os.path.basename(os.path.dirname(so))
        stem = os.path.basename(so).split(".")[0]
        modname = f"neurocore.{family}.{stem}"
        if modname in found:
            continue
        try:
            mod = importlib.import_module(modname)
        except Exception as exc:  # noqa: BLE001 - reported as a skip reason
            found[modname] = [Target(family, modname, "<import>", import_error=f"{type(exc).__name__}: {exc}")]
            continue
        targets = []
        for name in sorted(dir(mod)):
            obj = getattr(mod, name)
            if name.startswith("_") or not callable(obj) or isinstance(obj, type):
                continue
            targets.append(Target(family, modname, name, obj))
        found[modname] = targets
    return [t for ts in found.values() for t in ts]


_SIG = re.compile(r"^\s*(\w+)\((.*?)\)\s*(->|$)")


def signature(func):
    """(required, optional) parameter names from the first docstring line ``name(a, b, c=1, ...)``."""
    doc = (getattr(func, "__doc__", None) or "").strip().splitlines()
    m = _SIG.match(doc[0]) if doc else None
    if not m:
        return [], []
    req, opt = [], []
    depth, cur, parts = 0, "", []
    for ch in m.group(2):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    for p in (p.strip() for p in parts):
        if not p or p.startswith("..."):
            continue
        name = p.split("=")[0].strip().lstrip("*")
        if not re.fullmatch(r"\w+", name):
            continue
        (opt if "=" in p else req).append(name)
    return req, opt


# ------------------------------------------------------------------------------------------ guards

class Watchdog(KeyboardInterrupt):
    """Raised inside a call that ran past WATCHDOG_S (delivered like Ctrl-C, through SIGALRM)."""


class _Guard:
    """Context for one fuzzed call: an address-space cap, an interrupting watchdog, a hang killer."""
    armed = False

    def __init__(self, watchdog_s=WATCHDOG_S, cap=True):
        self.watchdog_s = watchdog_s
        self.cap = cap and not UNDER_ASAN and hasattr(resource, "RLIMIT_AS")
        self.fired = False

    @staticmethod
    def _handler(signum, frame):
        if _Guard.armed:
            _Guard.armed = False
            raise Watchdog(f"watchdog: call still running after {WATCHDOG_S} s")

    def __enter__(self):
        if self.cap:
            self.old = resource.getrlimit(resource.RLIMIT_AS)
            with open("/proc/self/statm") as fh:
                vm = int(fh.read().split()[0]) * resource.getpagesize()
            soft = vm + MEMORY_HEADROOM
            if self.old[1] != resource.RLIM_INFINITY:
                soft = min(soft, self.old[1])
            resource.setrlimit(resource.RLIMIT_AS, (soft, self.old[1]))
        self.prev = signal.signal(signal.SIGALRM, _Guard._handler)
        _Guard.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.watchdog_s)
        faulthandler.dump_traceback_later(HANG_S, exit=True)
        return self

    def __exit__(self, *exc):
        self.fired = not _Guard.armed
        _Guard.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.prev)
        faulthandler.cancel_dump_traceback_later()
        if self.cap:
            resource.setrlimit(resource.RLIMIT_AS, self.old)
        return False


# ------------------------------------------------------------------------------------------ outcomes

@dataclass
class Outcome:
    result: object = None
    exc: BaseException = None
    watchdog: bool = False


def call(func, kwargs, args=(), watchdog_s=WATCHDOG_S):
    out = Outcome()
    g = _Guard(watchdog_s)
    try:
        with g:
            out.result = func(*args, **kwargs)
    except Watchdog as exc:
        out.exc, out.watchdog = exc, True
    except BaseException as exc:  # noqa: BLE001 - classified by the caller
        out.exc = exc
    return out


def nonfinite_paths(obj, path="result"):
    """Paths of floating-point values in a result that are NaN or inf."""
    bad = []
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc" and obj.size and not np.all(np.isfinite(obj)):
            bad.append(f"{path} (first at flat index {int(np.flatnonzero(~np.isfinite(obj.ravel()))[0])})")
    elif isinstance(obj, (float, np.floating, complex)):
        if not np.isfinite(obj):
            bad.append(path)
    elif isinstance(obj, dict):
        for k, val in obj.items():
            bad += nonfinite_paths(val, f"{path}[{k!r}]")
    elif isinstance(obj, (tuple, list)):
        for i, val in enumerate(obj):
            bad += nonfinite_paths(val, f"{path}[{i}]")
    return bad


def same_result(a, b, rtol=1e-9, atol=1e-12):
    """Structural equality of two results (arrays within a tight tolerance; NaN equals NaN)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_result(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same_result(x, y, rtol, atol) for x, y in zip(a, b))
    if a is None or b is None:
        return a is b
    try:
        x, y = np.asarray(a), np.asarray(b)
    except Exception:  # noqa: BLE001
        return a == b
    if x.shape != y.shape:
        return False
    if x.dtype.kind in "fc" or y.dtype.kind in "fc":
        return bool(np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True))
    return bool(np.array_equal(x, y))


def names_argument(message, names):
    """The parameter names that a message mentions (as a whole word), or any name it quotes as
    "argument 'x'" (a field of a dict argument, or a name the docstring signature leaves out)."""
    found = [n for n in names if re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", message)]
    return found or re.findall(r"argument '(\w+)'", message)


@dataclass
class Tally:
    """Per-target counts, printed in the terminal summary."""
    calls: int = 0
    results: int = 0
    equivalent: int = 0
    watchdog: int = 0
    errors: dict = field(default_factory=dict)
    tolerated: dict = field(default_factory=dict)

    def error(self, exc):
        k = type(exc).__name__
        self.errors[k] = self.errors.get(k, 0) + 1


TALLIES = {}


def tally(key):
    return TALLIES.setdefault(key, Tally())


class ContractViolation(AssertionError):
    def __init__(self, kind, msg):
        super().__init__(f"[{kind}] {msg}")
        self.kind = kind


def check_outcome(out, names, label, tolerated=(), sentinel=None, tl=None):
    """Raise ContractViolation unless `out` meets the contract (see module docstring).

    `tolerated` lists violation kinds that are known and reported for this target: they are
    counted in the tally instead of failing the test. `sentinel` is an exception the call was
    made to propagate (raised by a user callback); it is accepted as is."""
    def violate(kind, msg):
        if kind in tolerated:
            if tl is not None:
                tl.tolerated[kind] = tl.tolerated.get(kind, 0) + 1
            return
        raise ContractViolation(kind, f"{label}: {msg}")

    if tl is not None:
        tl.calls += 1
    if out.exc is None:
        if tl is not None:
            tl.results += 1
        bad = nonfinite_paths(out.result)
        if bad:
            violate("silent-nan", f"returned non-finite values at {', '.join(bad)}")
        return
    exc = out.exc
    if tl is not None:
        tl.error(exc)
    if out.watchdog:
        if tl is not None:
            tl.watchdog += 1
        return  # long but interruptible: a huge valid size, stopped by the watchdog's SIGALRM
    if sentinel is not None and exc is sentinel:
        return
    if not isinstance(exc, ALLOWED):
        violate("wrong-exception", f"raised {type(exc).__name__}: {exc}")
        return
    if isinstance(exc, (KeyboardInterrupt, MemoryError, ConvergenceError, FloatingPointError)):
        # MemoryError may carry no message (allocation failure inside NumPy); a solver that did
        # not converge or dynamics that diverged describe the computation, not one argument.
        return
    msg = str(exc)
    if not names_argument(msg, names):
        if PARSER_MESSAGES.search(msg):
            violate("unnamed-parse-error", f"{type(exc).__name__} from CPython's argument parser "
                                           f"does not name the argument: {msg!r}")
        else:
            violate("unnamed-error", f"{type(exc).__name__} does not name an argument: {msg!r}")


def snapshot(kwargs):
    """Copies of every array in kwargs (to check the call left the caller's data alone)."""
    return {k: (np.array(v, copy=True), v.dtype, v.shape) for k, v in kwargs.items()
            if isinstance(v, np.ndarray) and v.size * v.itemsize < (64 << 20)}


def check_untouched(before, kwargs, inplace, label):
    for k, (copy, dtype, shape) in before.items():
        if k in inplace:
            continue
        now = kwargs[k]
        if now.dtype != dtype or now.shape != shape or not np.array_equal(now, copy, equal_nan=now.dtype.kind in "fc"):
            raise ContractViolation("modified-input", f"{label}: argument '{k}' was modified by the call")
