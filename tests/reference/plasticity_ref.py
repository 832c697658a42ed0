"""Slow NumPy twins of the plasticity kernels (written from the formulas, not from the C table)."""
import numpy as np


def f_power(y, power):
    return np.sign(y) * np.abs(y) ** power


def coefficients(rule, y, theta, power):
    """(a, b) per postsynaptic neuron, spelled out rule by rule."""
    fy = f_power(y, power)
    zero = np.zeros_like(y)
    if rule == "hebb":
        return fy, zero
    if rule == "oja":
        return fy, y * fy
    if rule == "bcm":
        return y * (y - theta), zero
    if rule == "covariance":
        return y - theta, zero
    if rule == "heterosynaptic":
        return fy, theta * np.ones_like(y)
    if rule == "subtractive":
        return fy, zero
    if rule == "three_factor":
        return fy, zero
    if rule == "correlation_invariant":
        return fy - theta * y, zero
    raise KeyError(rule)


def dense_update(W, pre, post, rule, eta, power=1.0, theta=0.0, pre_ref=None, modulator=1.0, E=None,
                 decay=1.0, bounds=(-np.inf, np.inf)):
    """Returns the updated (W, E) as new float64 arrays."""
    W = np.array(W, dtype=float)
    y = np.asarray(post, float)
    theta = np.broadcast_to(np.asarray(theta, float), y.shape)
    m = np.broadcast_to(np.asarray(modulator, float), y.shape)
    x = np.asarray(pre, float).copy()
    if rule == "covariance" and pre_ref is not None:
        x = x - pre_ref
    if rule == "subtractive":
        x = x - x.mean()
    a, b = coefficients(rule, y, theta, power)
    h = a[:, None] * x[None, :] - b[:, None] * W
    if E is not None:
        E = decay * np.asarray(E, float) + h
        W = W + eta * m[:, None] * E
    else:
        W = W + eta * m[:, None] * h
    W = np.clip(W, bounds[0], bounds[1])
    return W, E


def csr_update(indptr, indices, data, n_pre, pre, post, rule, eta, power=1.0, theta=0.0, pre_ref=None,
               modulator=1.0, E=None, decay=1.0, bounds=(-np.inf, np.inf)):
    """Per stored synapse, row by row (subtractive: mean over the row's stored synapses)."""
    data = np.array(data, dtype=float)
    E = None if E is None else np.array(E, dtype=float)
    y = np.asarray(post, float)
    theta = np.broadcast_to(np.asarray(theta, float), y.shape)
    m = np.broadcast_to(np.asarray(modulator, float), y.shape)
    x = np.asarray(pre, float).copy()
    if rule == "covariance" and pre_ref is not None:
        x = x - pre_ref
    a, b = coefficients(rule, y, theta, power)
    for i in range(len(indptr) - 1):
        sl = slice(indptr[i], indptr[i + 1])
        xi = x[indices[sl]]
        if rule == "subtractive" and xi.size:
            xi = xi - xi.mean()
        h = a[i] * xi - b[i] * data[sl]
        if E is not None:
            E[sl] = decay * E[sl] + h
            data[sl] = data[sl] + eta * m[i] * E[sl]
        else:
            data[sl] = data[sl] + eta * m[i] * h
    return np.clip(data, bounds[0], bounds[1]), E


def batch_fit(W, X, rule, eta, n_steps, batch, power=1.0, mod=1.0, tau_meta=0.0, meta_c=1.0, meta_q=1.0,
              meta=None, theta=None, pre_ref=None, normalize=False, norm_target=1.0):
    """Mini-batch learning loop in NumPy (same batch schedule as the C kernel)."""
    W = np.array(W, dtype=float)
    n = X.shape[0]
    meta = np.zeros(W.shape[0]) if meta is None else np.array(meta, float)
    for s in range(n_steps):
        rows = (s * batch + np.arange(batch)) % n
        Xb = X[rows]
        Y = Xb @ W.T
        if tau_meta > 0:
            meta = meta + ((Y ** 2).mean(axis=0) - meta) / tau_meta
            th = meta_c * meta ** meta_q
        else:
            th = np.zeros(W.shape[0]) if theta is None else theta
        dW = np.zeros_like(W)
        for k in range(batch):
            x = Xb[k].copy()
            if rule == "covariance" and pre_ref is not None:
                x = x - pre_ref
            if rule == "subtractive":
                x = x - x.mean()
            a, b = coefficients(rule, Y[k], th, power)
            dW += a[:, None] * x[None, :] - b[:, None] * W
        W = W + eta * mod / batch * dW
        if normalize:
            W = W * (norm_target / np.linalg.norm(W, axis=1, keepdims=True))
    return W, meta


def voltage_rule(u, spike_steps, dt, tau_g, theta_minus, theta_plus, a_ltd, a_ltp, shape="step",
                 saturate=False):
    """Glutamate trace times two-threshold Phi(u), exact exponential per sample; one synapse."""
    decay = np.exp(-dt / tau_g)
    w = tau_g * (1 - decay)
    g, acc = 0.0, 0.0
    counts = np.bincount(np.asarray(spike_steps, int), minlength=len(u)) if len(spike_steps) else np.zeros(len(u), int)
    for t, v in enumerate(u):
        for _ in range(counts[t]):
            g = g + (1 - g) if saturate else g + 1
        if v >= theta_plus:
            phi = a_ltp * (1.0 if shape == "step" else v - theta_plus)
        elif v >= theta_minus:
            phi = -a_ltd * (1.0 if shape == "step" else v - theta_minus)
        else:
            phi = 0.0
        acc += phi * g * w
        g *= decay
    return acc
