"""The task list of a sweep: parameter grid x seed replicates, each task with its own SeedSequence."""
import hashlib
import inspect
import numbers
from dataclasses import dataclass
from typing import Any, Dict, Tuple

import numpy as np

#: Name of the dimension that holds the seed replicates.
SEED_DIM = "seed"
_RESERVED = {SEED_DIM, "rng", "error"}


class SweepError(ValueError):
    """A sweep was asked something it cannot do (bad grid, inconsistent results, stale checkpoint)."""


def _python_scalar(v):
    return v.item() if isinstance(v, np.generic) else v


def point_str(params, seed_label=None):
    """``g=1.5, n=200, seed=3``: how errors name a point."""
    items = [f"{k}={_python_scalar(v)!r}" for k, v in params.items()]
    if seed_label is not None:
        items.append(f"{SEED_DIM}={_python_scalar(seed_label)!r}")
    return ", ".join(items)


def check_grid(grid):
    """Validate ``grid`` (mapping name -> sequence of hashable values); return {name: list}."""
    if not hasattr(grid, "items"):
        raise SweepError(f"argument 'grid' must be a mapping parameter name -> sequence of values, "
                         f"got {type(grid).__name__}")
    if len(grid) == 0:
        raise SweepError("argument 'grid' is empty: give at least one parameter with at least one value "
                         "(constant arguments go in 'fixed')")
    out = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise SweepError(f"argument 'grid': parameter names must be identifiers, got {name!r}")
        if name in _RESERVED:
            raise SweepError(f"argument 'grid': parameter name {name!r} is reserved "
                             f"({', '.join(sorted(_RESERVED))} are used by sweep itself)")
        ordered = isinstance(values, (list, tuple, range)) or (
            hasattr(values, "__array__") and not isinstance(values, (str, bytes)) and np.ndim(values) == 1)
        if not ordered:
            raise SweepError(f"argument 'grid': parameter {name!r} must be an ordered sequence of values "
                             f"(list, tuple, range or 1-d array), got {values!r}; constants go in 'fixed'")
        values = list(values)
        if len(values) == 0:
            raise SweepError(f"argument 'grid': parameter {name!r} has no values (empty sweep)")
        seen = {}
        for i, val in enumerate(values):
            try:
                hash(val)
            except TypeError:
                raise SweepError(f"argument 'grid': parameter {name!r} value #{i} ({val!r}, a "
                                 f"{type(val).__name__}) is not hashable, so it cannot label a point; use "
                                 f"numbers, strings or tuples (sweep an index and look the object up "
                                 f"inside func)") from None
            if val in seen:
                raise SweepError(f"argument 'grid': parameter {name!r} lists the value {val!r} twice "
                                 f"(#{seen[val]} and #{i}); each point must have its own label")
            seen[val] = i
        out[name] = values
    return out


def check_seeds(seeds):
    """``None`` (no replicate dimension), an int count, or a sequence of distinct labels."""
    if seeds is None:
        return None
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        if seeds < 1:
            raise SweepError(f"argument 'seeds' must be >= 1 replicates or a sequence of labels, got {seeds}")
        return list(range(int(seeds)))
    try:
        labels = [_python_scalar(s) for s in seeds]
    except TypeError:
        raise SweepError(f"argument 'seeds' must be None, an int count or a sequence of labels, "
                         f"got {seeds!r}") from None
    if not labels:
        raise SweepError("argument 'seeds' is an empty sequence")
    for s in labels:
        if not isinstance(s, (numbers.Integral, str)) or isinstance(s, bool):
            raise SweepError(f"argument 'seeds': labels must be ints or strings, got {s!r}")
    if len(set(labels)) != len(labels):
        raise SweepError(f"argument 'seeds' has repeated labels: {labels}")
    return labels


def check_func(func, names, fixed, want_rng):
    """Check that ``func(**params, **fixed, rng=...)`` binds; return whether it accepts ``rng``."""
    if not callable(func):
        raise SweepError(f"argument 'func' must be callable, got {type(func).__name__}")
    clash = set(names) & set(fixed)
    if clash:
        raise SweepError(f"argument 'fixed' repeats grid parameter(s) {sorted(clash)}")
    if "rng" in fixed:
        raise SweepError("argument 'fixed' must not contain 'rng': sweep gives every task its own Generator")
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return want_rng  # builtins without a signature: trust the caller
    params = sig.parameters
    var_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    takes_rng = "rng" in params or var_kw
    if want_rng and not takes_rng:
        raise SweepError(f"argument 'seeds' needs func {_name(func)} to take an 'rng' argument "
                         f"(a numpy Generator per task); it takes {list(params)}")
    kw = {k: None for k in list(names) + list(fixed)}
    if takes_rng and want_rng:
        kw["rng"] = None
    try:
        sig.bind(**kw)
    except TypeError as e:
        raise SweepError(f"func {_name(func)} cannot be called with parameters {sorted(kw)}: {e}") from None
    return takes_rng and want_rng


def _name(func):
    return getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or type(func).__name__


def func_name(func):
    return f"{getattr(func, '__module__', '?')}.{_name(func)}"


@dataclass(frozen=True)
class Task:
    """One point of the sweep: its position, parameters, seed label and SeedSequence spawn key."""
    flat: int
    index: Tuple[int, ...]           # grid indices, then the seed index if there are seeds
    params: Dict[str, Any]
    seed_label: Any
    spawn_key: Tuple[int, ...]
    key: str                         # stable content hash: names the checkpoint file

    def describe(self):
        return point_str(self.params, self.seed_label)


def task_key(entropy, spawn_key, params, seed_label):
    canon = repr((str(entropy), tuple(spawn_key),
                  tuple((k, type(_python_scalar(v)).__name__, repr(_python_scalar(v)))
                        for k, v in params.items()),
                  repr(_python_scalar(seed_label))))
    return hashlib.sha1(canon.encode()).hexdigest()[:20]


def make_tasks(grid, seeds, entropy, prefix=(), common_seeds=False):
    """All tasks in C order over (grid dims..., seed).

    The task at grid indices (i1, ..., ik) and seed index s draws from
    ``SeedSequence(entropy).spawn(n1)[i1].spawn(n2)[i2] ... .spawn(ns)[s]``, i.e. the SeedSequence
    with ``spawn_key = (i1, ..., ik, s)``: it depends on where the point sits in the grid and on
    nothing else (not on the order in which tasks run, nor on how many workers there are), and
    appending values to an axis leaves the existing points' streams alone. With ``common_seeds``
    the key is ``(s,)``: every point of replicate s shares one stream (common random numbers).
    ``prefix`` (the spawn key of a root SeedSequence that is itself a child) goes in front.
    """
    prefix = tuple(prefix)
    names = list(grid)
    shape = [len(grid[n]) for n in names] + ([len(seeds)] if seeds is not None else [])
    tasks = []
    for flat, idx in enumerate(np.ndindex(*shape)):
        idx = tuple(int(i) for i in idx)
        params = {n: grid[n][i] for n, i in zip(names, idx)}
        label = seeds[idx[-1]] if seeds is not None else None
        if seeds is None:
            skey = idx
        elif common_seeds:
            skey = (idx[-1],)
        else:
            skey = idx
        skey = prefix + tuple(skey)
        tasks.append(Task(flat, idx, params, label, skey, task_key(entropy, skey, params, label)))
    return tasks, tuple(shape)
