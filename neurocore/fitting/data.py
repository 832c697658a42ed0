"""Data adapter: recorded spike trains as trials x time bins x neurons 0/1 arrays.

Every check raises an error whose class names the problem (all are ``SpikeDataError``, a
``ValueError``), and the user's array is never modified: the adapter works on a uint8 copy.
"""
import numpy as np

__all__ = ["SpikeDataError", "NonBinarySpikesError", "TrialCountMismatchError", "NaNInRecordingError",
           "spike_trials"]


class SpikeDataError(ValueError):
    """A recording cannot be used as a trials x time x neurons spike array."""


class NonBinarySpikesError(SpikeDataError):
    """Spike arrays must hold only 0 and 1 (one bin holds at most one spike)."""


class TrialCountMismatchError(SpikeDataError):
    """Two arrays that must describe the same trials have different trial counts."""


class NaNInRecordingError(SpikeDataError):
    """A recording holds NaN (or inf)."""


def spike_trials(spikes, name="spikes", n_trials=None, n_neurons=None, n_bins=None):
    """Validate a recording and return it as a fresh C-contiguous uint8 (trials, bins, neurons) array.

    Parameters
    ----------
    spikes : array-like, (trials, bins, neurons) or (bins, neurons) for one trial
        0/1 spike indicators per time bin; bool, integer or float (0.0 / 1.0) are accepted.
    name : str
        The argument name used in error messages.
    n_trials, n_neurons, n_bins : int, optional
        Required sizes (e.g. the trial count of a stimulus array that goes with the spikes).

    Raises
    ------
    NaNInRecordingError, NonBinarySpikesError, TrialCountMismatchError, SpikeDataError
    """
    a = np.asarray(spikes)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise SpikeDataError(f"argument '{name}' must be a numeric 0/1 array, got dtype {a.dtype}")
    if a.ndim == 2:
        a = a[None]
    if a.ndim != 3:
        raise SpikeDataError(f"argument '{name}' must have shape (trials, bins, neurons), got {np.shape(spikes)}")
    if np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.complexfloating):
        bad = ~np.isfinite(a)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise NaNInRecordingError(f"argument '{name}' holds NaN or inf (first at index {idx})")
    ok = (a == 0) | (a == 1)
    if not ok.all():
        idx = tuple(int(i) for i in np.argwhere(~ok)[0])
        raise NonBinarySpikesError(f"argument '{name}' must hold only 0 and 1 (binary spike bins), "
                                   f"got {a[idx]!r} at index {idx}")
    if n_trials is not None and a.shape[0] != n_trials:
        raise TrialCountMismatchError(f"argument '{name}' has {a.shape[0]} trials, expected {n_trials}")
    if n_bins is not None and a.shape[1] != n_bins:
        raise SpikeDataError(f"argument '{name}' has {a.shape[1]} time bins, expected {n_bins}")
    if n_neurons is not None and a.shape[2] != n_neurons:
        raise SpikeDataError(f"argument '{name}' has {a.shape[2]} neurons, expected {n_neurons}")
    if a.shape[0] < 1 or a.shape[1] < 1 or a.shape[2] < 1:
        raise SpikeDataError(f"argument '{name}' must have at least one trial, bin and neuron, got {a.shape}")
    return np.ascontiguousarray(a, dtype=np.uint8).copy() if a.dtype == np.uint8 else np.ascontiguousarray(a.astype(np.uint8))
