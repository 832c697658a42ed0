"""List the public functions and classes of neurocore whose docstring has no runnable example.

Usage: ``python docs/check_examples.py [family ...]`` (default: every subpackage). Prints one line
per symbol without a ``>>>`` example and exits with status 1 if there is any, so it can gate a CI
step once every family has its examples. Registries (dicts, tuples) and exceptions are not counted.
"""
import importlib
import inspect
import pkgutil
import sys

import neurocore


def missing_examples(families=None):
    out = {}
    for info in pkgutil.walk_packages(neurocore.__path__, prefix="neurocore.", onerror=lambda name: None):
        if not info.ispkg or any(p.startswith("_") for p in info.name.split(".")[1:]):
            continue
        if families and info.name.split(".")[1] not in families:
            continue
        try:
            pkg = importlib.import_module(info.name)
        except ImportError as err:
            print(f"# {info.name}: does not import ({err})", file=sys.stderr)
            continue
        for sym in getattr(pkg, "__all__", []):
            obj = getattr(pkg, sym, None)
            if obj is None or inspect.ismodule(obj) or not callable(obj):
                continue
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                continue
            doc = inspect.getdoc(obj) or ""
            if ">>>" not in doc:
                out.setdefault(info.name, []).append(sym)
    return out


def main(argv):
    miss = missing_examples(set(argv) or None)
    seen = set()
    for pkg, names in sorted(miss.items()):
        names = [n for n in names if (pkg.split(".")[1], n) not in seen]
        seen.update((pkg.split(".")[1], n) for n in names)
        if names:
            print(f"{pkg} ({len(names)}): {', '.join(names)}")
    return 1 if miss else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
