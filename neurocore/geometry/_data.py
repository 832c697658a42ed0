"""Orientation handling shared by every geometry tool.

Every function takes activity as a 2-D array and an ``axis`` argument naming the axis that indexes
**samples** (stimuli, time points, trials); the other axis indexes **neurons** (units, features).
The default ``axis=0`` means (samples, neurons), the layout of ``RateTrajectory.x``. Recorded data
stored as (neurons, samples) is passed with ``axis=1``. Nothing is ever transposed silently: an
array that is not 2-D, an ``axis`` other than 0 or 1, or a list of manifolds whose neuron counts
disagree (the usual sign of mixed orientation) raises a ValueError naming the argument.
"""
import numbers

import numpy as np


def check_axis(axis, name="axis"):
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral) or axis not in (0, 1, -1, -2):
        raise ValueError(f"argument '{name}' must be 0 (rows are samples) or 1 (columns are samples), got {axis!r}")
    return int(axis) % 2


def as_samples(X, name="X", axis=0, min_samples=1, min_neurons=1):
    """Return ``X`` as a float64 (samples, neurons) array (a view or copy; the input is untouched)."""
    axis = check_axis(axis)
    try:
        A = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"argument '{name}' must be a numeric array, got {type(X).__name__}") from exc
    if A.ndim != 2:
        raise ValueError(f"argument '{name}' must be 2-D (samples, neurons) with axis=0 or (neurons, samples) "
                         f"with axis=1, got shape {A.shape}")
    if axis == 1:
        A = A.T
    if not np.all(np.isfinite(A)):
        raise ValueError(f"argument '{name}' must be finite, found NaN or inf")
    if A.shape[0] < min_samples:
        raise ValueError(f"argument '{name}' needs at least {min_samples} samples along axis {axis}, "
                         f"got {A.shape[0]} (shape {np.shape(X)})")
    if A.shape[1] < min_neurons:
        raise ValueError(f"argument '{name}' needs at least {min_neurons} neurons along axis {1 - axis}, "
                         f"got {A.shape[1]} (shape {np.shape(X)})")
    return A


def as_manifolds(manifolds, labels=None, axis=0, name="manifolds", min_points=1):
    """A list of (points, neurons) arrays from either a list of arrays or one array plus labels.

    ``manifolds`` is a sequence of 2-D arrays (one per class/manifold, samples along ``axis``) or,
    with ``labels``, one 2-D array whose samples are grouped by ``labels``.
    """
    if labels is not None:
        X = as_samples(manifolds, name, axis)
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.shape[0] != X.shape[0]:
            raise ValueError(f"argument 'labels' must be 1-D with one label per sample ({X.shape[0]}), "
                             f"got shape {labels.shape}")
        out = [X[labels == c] for c in np.unique(labels)]
    else:
        if isinstance(manifolds, np.ndarray) and manifolds.ndim == 3:
            manifolds = list(manifolds)
        if not isinstance(manifolds, (list, tuple)) or len(manifolds) == 0:
            raise ValueError(f"argument '{name}' must be a non-empty list of 2-D arrays (or one array with labels=)")
        out = [as_samples(m, f"{name}[{i}]", axis) for i, m in enumerate(manifolds)]
    n = {m.shape[1] for m in out}
    if len(n) != 1:
        raise ValueError(f"argument '{name}': manifolds have different neuron counts {sorted(n)} along axis "
                         f"{1 - check_axis(axis)}; pass axis=1 if the arrays are (neurons, samples)")
    for i, m in enumerate(out):
        if m.shape[0] < min_points:
            raise ValueError(f"argument '{name}[{i}]' needs at least {min_points} points, got {m.shape[0]}")
    return out
