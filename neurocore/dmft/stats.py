"""Estimators for comparing DMFT with finite-N simulations."""
import numpy as np


def autocovariance(x, max_lag, subtract_mean=True):
    """Population- and time-averaged autocovariance of recorded states.

    Parameters
    ----------
    x : (T, N) array
        States sampled at a fixed interval (rows are times).
    max_lag : int
        Largest lag (in samples).
    subtract_mean : bool
        Remove each unit's temporal mean first.

    Returns
    -------
    (max_lag+1,) array: ``C(l) = mean_i mean_t x_i(t) x_i(t+l)``, with the unbiased normalisation
    1 / (T - l) (notes 6), computed by FFT.
    """
    x = np.asarray(x, float)
    if subtract_mean:
        x = x - x.mean(axis=0)
    T = x.shape[0]
    nfft = 1 << int(np.ceil(np.log2(2 * T)))
    f = np.fft.rfft(x, n=nfft, axis=0)
    acf = np.fft.irfft((f * f.conj()).real.mean(axis=1), n=nfft)[: max_lag + 1]
    return acf / (T - np.arange(max_lag + 1))


def participation_ratio_blocks(blocks):
    """Naive and cross-block participation ratios from per-block covariance matrices.

    ``PR = (tr C)^2 / tr(C^2)``. The naive estimate uses the pooled covariance; sampling noise
    inflates tr(C^2) and biases it low. The cross-block estimate replaces tr(C^2) by the mean of
    tr(C_a C_b) over block pairs a != b, unbiased for independent blocks (notes 2.5).

    Parameters
    ----------
    blocks : (B, N, N) array
        Covariance matrix of each of B >= 2 time blocks.

    Returns
    -------
    dict with 'naive', 'cross' (both PR, not divided by N) and 'jackknife_se' of the cross estimate.
    """
    C = np.asarray(blocks, float)
    B = C.shape[0]
    if B < 2:
        raise ValueError(f"argument 'blocks' must hold at least 2 block covariances, got {B}")
    pooled = C.mean(axis=0)
    tr = np.trace(pooled)
    naive = tr**2 / np.sum(pooled * pooled)
    flat = C.reshape(B, -1)
    G = flat @ flat.T                     # G[a, b] = tr(C_a C_b) (symmetric matrices)
    traces = np.trace(C, axis1=1, axis2=2)

    def cross(keep):
        Gk = G[np.ix_(keep, keep)]
        k = len(keep)
        off = (Gk.sum() - np.trace(Gk)) / (k * (k - 1))
        return traces[keep].mean() ** 2 / off

    full = cross(np.arange(B))
    jk = np.array([cross(np.delete(np.arange(B), b)) for b in range(B)]) if B > 2 else np.array([full])
    se = float(np.sqrt((B - 1) / B * np.sum((jk - jk.mean()) ** 2))) if B > 2 else float("nan")
    return dict(naive=float(naive), cross=float(full), jackknife_se=se)
