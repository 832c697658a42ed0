"""Python-side argument checks shared by the model layer (the bindings re-check what C relies on)."""
import numbers

import numpy as np


def choice(value, name, options):
    """Return ``options[value]`` for a string option, with an error that lists the valid names."""
    if isinstance(value, str) and value.lower() in options:
        return options[value.lower()]
    raise ValueError(f"argument '{name}' must be one of {sorted(options)}, got {value!r}")


def positive(value, name):
    if not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"argument '{name}' must be a positive finite number, got {value!r}")
    return float(value)


def nonnegative(value, name):
    if not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise ValueError(f"argument '{name}' must be a non-negative finite number, got {value!r}")
    return float(value)


def count(value, name, minimum=0):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"argument '{name}' must be an integer >= {minimum}, got {value!r}")
    return int(value)


def steps(duration, dt, name="duration"):
    """Number of whole steps of size dt in duration (rounded to nearest, error if not close)."""
    n = duration / dt
    k = int(round(n))
    if abs(n - k) > 1e-6 * max(1.0, n):
        raise ValueError(f"argument '{name}' (={duration}) must be a whole multiple of dt (={dt})")
    return k
