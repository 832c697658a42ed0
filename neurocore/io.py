"""Save and load models and runs: versioned ``.npz`` files, atomic writes, RNG state included.

A model object takes part by implementing two methods::

    def state_dict(self) -> dict          # str -> ndarray / number / str / bool / None / nested dict,
                                          #        and numpy Generators (their full state is stored)
    @classmethod
    def from_state(cls, state) -> obj     # rebuild from exactly that dict

and then ``neurocore.io.save(path, obj)`` / ``neurocore.io.load(path)`` round-trip it exactly:
arrays bit for bit, and every ``numpy.random.Generator`` in the state with its bit generator's
state, so that a run resumed from a checkpoint draws the same numbers as an uninterrupted one.
A plain dict (a "run": arrays, scalars, generators) is saved the same way with ``save(path, dict)``.
Models with the PyTorch-style pair ``state_dict()`` / ``load_state_dict(state)`` (the learning
family) are restored into an identically built object: ``load(path, into=model)``; a model's
``rng`` Generator is saved with it in either case.

File format (schema 1): a NumPy ``.npz`` archive (``allow_pickle=False``: loading never executes
code) with a JSON header in the member ``__neurocore__``::

    {"schema": 1, "format": "neurocore", "kind": "model" | "run", "class": "pkg.mod:Class",
     "neurocore_version": "...", "state": <tree>}

where ``<tree>`` mirrors the state dict: arrays are replaced by ``{"__array__": "a3"}`` (the name
of the npz member holding it), generators by ``{"__rng__": <bit_generator.state>}``, nested dicts
stay dicts, scalars are stored inline. Writes go to a temporary file in the same directory,
are flushed and fsync'ed, then renamed over the target (``os.replace``), so a crash or SIGKILL
during ``save`` leaves the previous file intact. A file written by a newer schema, or a damaged
file, raises :class:`CheckpointError` with the reason.
"""
import importlib
import json
import os
import tempfile
import zipfile

import numpy as np

__all__ = ["SCHEMA", "CheckpointError", "save", "load", "load_state", "rng_state", "rng_from_state"]

#: Version of the file layout written by this module; files with a larger number are refused.
SCHEMA = 1
_HEADER = "__neurocore__"


class CheckpointError(ValueError):
    """A checkpoint file cannot be read: damaged, not a neurocore file, or from a newer schema."""


# ------------------------------------------------------------------------------------------ RNG

def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return {"__ndarray__": obj.tolist(), "dtype": obj.dtype.str}
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


def _from_jsonable(obj):
    if isinstance(obj, dict):
        if "__ndarray__" in obj:
            return np.array(obj["__ndarray__"], dtype=np.dtype(obj["dtype"]))
        return {k: _from_jsonable(v) for k, v in obj.items()}
    return obj


def rng_state(gen):
    """The full state of a Generator (or BitGenerator) as a JSON-compatible dict."""
    bg = gen.bit_generator if isinstance(gen, np.random.Generator) else gen
    return _jsonable(bg.state)


def rng_from_state(state):
    """A new ``numpy.random.Generator`` in exactly the given state (see :func:`rng_state`)."""
    state = _from_jsonable(state)
    name = state.get("bit_generator")
    cls = getattr(np.random, str(name), None)
    if not (isinstance(cls, type) and issubclass(cls, np.random.BitGenerator)):
        raise CheckpointError(f"unknown bit generator {name!r} in the saved RNG state")
    bg = cls()
    bg.state = state
    return np.random.Generator(bg)


# ------------------------------------------------------------------------------------------ encoding

def _encode(obj, arrays, path):
    if isinstance(obj, np.random.Generator):
        return {"__rng__": rng_state(obj)}
    if isinstance(obj, np.random.BitGenerator):
        return {"__rng__": rng_state(obj), "bit_generator_only": True}
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise TypeError(f"argument 'state': {path} is an object array, which cannot be saved safely")
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if not isinstance(k, str) or k.startswith("__"):
                raise TypeError(f"argument 'state': keys must be strings not starting with '__', got {k!r} in {path}")
            out[k] = _encode(v, arrays, f"{path}[{k!r}]")
        return out
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return {"__int__": str(int(obj))}  # exact for any size (JSON readers may round big ints)
    if isinstance(obj, (float, np.floating)):
        return {"__float__": float(obj).hex()}  # exact, and NaN/inf survive
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (list, tuple)):
        return {"__list__": [_encode(v, arrays, f"{path}[{i}]") for i, v in enumerate(obj)],
                "tuple": isinstance(obj, tuple)}
    raise TypeError(f"argument 'state': cannot save {type(obj).__name__} at {path}; use arrays, numbers, "
                    f"strings, None, lists, dicts or numpy Generators")


def _decode(obj, arrays):
    if isinstance(obj, dict):
        if "__array__" in obj:
            key = obj["__array__"]
            if key not in arrays:
                raise CheckpointError(f"the header refers to array {key!r}, which is missing from the file")
            return arrays[key]
        if "__rng__" in obj:
            gen = rng_from_state(obj["__rng__"])
            return gen.bit_generator if obj.get("bit_generator_only") else gen
        if "__int__" in obj:
            return int(obj["__int__"])
        if "__float__" in obj:
            return float.fromhex(obj["__float__"])
        if "__list__" in obj:
            items = [_decode(v, arrays) for v in obj["__list__"]]
            return tuple(items) if obj.get("tuple") else items
        return {k: _decode(v, arrays) for k, v in obj.items()}
    return obj


# ------------------------------------------------------------------------------------------ files

def _fsync_dir(dirname):
    try:
        fd = os.open(dirname, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_savez(path, arrays):
    path = os.fspath(path)
    dirname = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=dirname, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(dirname)


def _class_path(obj):
    cls = type(obj)
    return f"{cls.__module__}:{cls.__qualname__}"


def save(path, obj):
    """Write a model (anything with ``state_dict()``) or a run (a dict) to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Target file; conventionally ends in ``.npz`` (the name is used as given).
    obj : model or dict
        A model object implementing ``state_dict()`` / ``from_state()``, or a dict of arrays,
        numbers, strings, lists, nested dicts and numpy Generators.

    Returns
    -------
    str
        The path written.
    """
    if isinstance(obj, dict):
        kind, cls, state = "run", None, obj
    elif hasattr(obj, "state_dict") and (hasattr(type(obj), "from_state") or hasattr(obj, "load_state_dict")):
        kind, cls, state = "model", _class_path(obj), obj.state_dict()
        if not isinstance(state, dict):
            raise TypeError(f"argument 'obj': {cls}.state_dict() must return a dict, got {type(state).__name__}")
        gen = getattr(obj, "rng", None)
        if "rng" not in state and isinstance(gen, np.random.Generator):
            state = dict(state, rng=gen)  # a model's own Generator is part of its future
    else:
        raise TypeError(f"argument 'obj' must be a dict or an object with state_dict() and from_state() "
                        f"or load_state_dict(), got {type(obj).__name__}")
    arrays = {}
    tree = _encode(state, arrays, "state")
    from . import __version__
    header = {"format": "neurocore", "schema": SCHEMA, "kind": kind, "class": cls,
              "neurocore_version": __version__, "state": tree}
    arrays[_HEADER] = np.array(json.dumps(header))
    _atomic_savez(path, arrays)
    return os.fspath(path)


def _read(path):
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            names = set(z.files)
            if _HEADER not in names:
                raise CheckpointError(f"{path} is not a neurocore checkpoint (no {_HEADER} header)")
            header = json.loads(str(z[_HEADER][()]))
            arrays = {k: z[k] for k in names if k != _HEADER}
    except CheckpointError:
        raise
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError,
            json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path} is damaged or not a neurocore checkpoint: {type(exc).__name__}: {exc}") from exc
    if not isinstance(header, dict) or header.get("format") != "neurocore":
        raise CheckpointError(f"{path} is not a neurocore checkpoint")
    schema = header.get("schema")
    if not isinstance(schema, int) or schema < 1:
        raise CheckpointError(f"{path} has an invalid schema number {schema!r}")
    if schema > SCHEMA:
        from . import __version__
        raise CheckpointError(f"{path} was written with checkpoint schema {schema} (neurocore "
                              f"{header.get('neurocore_version')}); this neurocore {__version__} reads "
                              f"schema <= {SCHEMA}. Upgrade neurocore to load it.")
    return header, arrays


def load_state(path):
    """``(header, state)`` of a checkpoint without building the object (for inspection)."""
    header, arrays = _read(path)
    return header, _decode(header["state"], arrays)


def load(path, cls=None, into=None):
    """Read what :func:`save` wrote: the model object (via ``Class.from_state``) or the run dict.

    Parameters
    ----------
    path : str or os.PathLike
    cls : type, optional
        Expected model class; by default the class recorded in the file, which must live in the
        ``neurocore`` package (a checkpoint never names arbitrary code to import).
    into : model, optional
        Restore into this existing (identically built) object with ``into.load_state_dict(state)``
        instead of building a new one (for models with the state_dict/load_state_dict protocol);
        its ``rng`` attribute gets the saved Generator state. Returns ``into``.

    Raises
    ------
    CheckpointError
        Damaged file, not a neurocore checkpoint, newer schema, or a class mismatch.
    """
    header, state = load_state(path)
    if header.get("kind") == "run":
        if cls is not None:
            raise CheckpointError(f"{os.fspath(path)} holds a run (a dict), not a {cls.__name__}")
        return state
    recorded = header.get("class") or ""
    if into is not None:
        if recorded and recorded != _class_path(into):
            raise CheckpointError(f"{os.fspath(path)} holds a {recorded}, not a {_class_path(into)}")
        gen = state.pop("rng", None) if not hasattr(type(into), "from_state") else None
        if hasattr(into, "load_state_dict"):
            into.load_state_dict(state)
        else:
            fresh = type(into).from_state(state)
            into.__dict__.update(fresh.__dict__)
        if isinstance(gen, np.random.Generator):
            into.rng = gen
        return into
    if cls is None:
        mod, _, qual = recorded.partition(":")
        if not (mod == "neurocore" or mod.startswith("neurocore.")) or not qual:
            raise CheckpointError(f"{os.fspath(path)} names class {recorded!r}, outside neurocore; "
                                  f"pass cls= to load it")
        try:
            cls = importlib.import_module(mod)
            for part in qual.split("."):
                cls = getattr(cls, part)
        except (ImportError, AttributeError) as exc:
            raise CheckpointError(f"{os.fspath(path)} names class {recorded!r}, which is not available: {exc}") from exc
    elif recorded and recorded != f"{cls.__module__}:{cls.__qualname__}":
        raise CheckpointError(f"{os.fspath(path)} holds a {recorded}, not a {cls.__module__}:{cls.__qualname__}")
    if not hasattr(cls, "from_state"):
        raise CheckpointError(f"{cls.__qualname__} has no from_state(); load with into=<a built {cls.__qualname__}>")
    return cls.from_state(state)
