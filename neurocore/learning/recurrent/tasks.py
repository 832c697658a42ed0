"""Target functions and tasks of the FORCE / full-FORCE papers (inputs and targets per time step)."""
import numpy as np

from ... import _validate as v
from ..._random import as_generator


def four_sine(t, period=60.0, amplitude=1.3):
    """Sussillo & Abbott's (2009) sum of four sines with base period ``period`` (units of tau):
    ``amplitude/1.5 * (sin(w t) + sin(2 w t)/2 + sin(3 w t)/6 + sin(4 w t)/3)``, ``w = 2 pi / period``
    (relative weights [mem] in the notes, section 6.1)."""
    w = 2 * np.pi / v.positive(period, "period")
    t = np.asarray(t, dtype=float)
    return amplitude / 1.5 * (np.sin(w * t) + np.sin(2 * w * t) / 2 + np.sin(3 * w * t) / 6
                              + np.sin(4 * w * t) / 3)


def oscillation_task(dt=1e-3, pulse=0.05, half=1.0, f0=1.0, f1=3.0):
    """The oscillation task of full-FORCE (``trial_osc.m``): a 50 ms input pulse, then a sine whose
    frequency sweeps linearly ``f0 -> f1`` (Hz) over ``half`` seconds, followed by its time-reversed,
    sign-inverted copy. With half = 1 s the phase at the midpoint is a whole number of cycles, so the
    target is continuous (the demo uses 0.975 s halves and a small jump).

    Returns
    -------
    inputs : (T, 1) array, target : (T, 1) array, with T = (pulse + 2 half) / dt steps of dt seconds.
    """
    dt = v.positive(dt, "dt")
    n_p, n_h = v.steps(pulse, dt, "pulse"), v.steps(half, dt, "half")
    t = np.arange(n_h) * dt
    first = np.sin(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) * t * t / half))
    tgt = np.concatenate([np.zeros(n_p), first, -first[::-1]])
    inp = np.zeros_like(tgt)
    inp[:n_p] = 1.0
    return inp[:, None], tgt[:, None]


def pulse_interval_task(intervals, dt=1e-3, pulse=0.02, lead=0.1, tail=0.4, width=0.05, rng=None):
    """Ready-set-go interval reproduction (DePasquale et al., ``trial_ready_set_go.m``), one trial
    per interval, concatenated: a 'ready' pulse and a 'set' pulse ``interval`` s later on input
    channels 0 and 1; the target is a Gaussian 'go' bump (sd ``width``) ``interval`` s after set.
    The hint is the timing ramp: rising linearly from ready to set, then falling back to 0 at go.

    Returns
    -------
    inputs : (T, 2), target : (T, 1), hints : (T, 1) arrays and the trial start steps.
    """
    dt = v.positive(dt, "dt")
    intervals = np.atleast_1d(np.asarray(intervals, dtype=float))
    if intervals.ndim != 1 or np.any(intervals <= 0):
        raise ValueError("argument 'intervals' must be positive durations in seconds")
    ins, tgs, hs, starts, pos = [], [], [], [], 0
    for iv in intervals:
        n_lead, n_iv = int(round(lead / dt)), int(round(iv / dt))
        T = n_lead + 2 * n_iv + int(round(tail / dt))
        inp = np.zeros((T, 2))
        npl = max(1, int(round(pulse / dt)))
        inp[n_lead:n_lead + npl, 0] = 1.0
        inp[n_lead + n_iv:n_lead + n_iv + npl, 1] = 1.0
        t = np.arange(T) * dt
        go = (n_lead + 2 * n_iv) * dt
        tg = np.exp(-0.5 * ((t - go) / width) ** 2)
        h = np.zeros(T)
        h[n_lead:n_lead + n_iv] = np.linspace(0, 1, n_iv, endpoint=False)
        h[n_lead + n_iv:n_lead + 2 * n_iv] = np.linspace(1, 0, n_iv, endpoint=False)
        ins.append(inp); tgs.append(tg); hs.append(h); starts.append(pos); pos += T
    return (np.concatenate(ins), np.concatenate(tgs)[:, None], np.concatenate(hs)[:, None],
            np.array(starts))


def normalized_error(z, f):
    """``sum |z - f|^2 / sum |f|^2`` (the full-FORCE demos' error, as a fraction)."""
    z, f = np.asarray(z, dtype=float), np.asarray(f, dtype=float)
    return float(np.sum((z - f) ** 2) / np.sum(f ** 2))


def shifted_correlation(z, f):
    """Normalised cross-correlation of z and f maximised over circular shifts (Pogodin et al.)."""
    z = np.asarray(z, dtype=float).ravel()
    f = np.asarray(f, dtype=float).ravel()
    z, f = z - z.mean(), f - f.mean()
    den = np.linalg.norm(z) * np.linalg.norm(f)
    if den == 0:
        return 0.0
    cc = np.fft.irfft(np.fft.rfft(z) * np.conj(np.fft.rfft(f)), n=len(z))
    return float(cc.max() / den)
