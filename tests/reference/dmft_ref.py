"""Slow NumPy twins of the DMFT kernels (tests only)."""
import numpy as np


def pair_tensor(f1, f2, m1, m2, v1, v2, c, z, w):
    """E[f1(x1) f2(x2)] by a tensor-product rule (z, w) over two independent normals."""
    s2 = np.sqrt(v2)
    b = c / s2 if s2 > 0 else 0.0
    s = np.sqrt(max(v1 - (c * c / v2 if v2 > 0 else 0.0), 0.0))
    Z, Y = np.meshgrid(z, z, indexing="ij")
    W = np.outer(w, w)
    return float(np.sum(W * f2(m2 + s2 * Z) * f1(m1 + b * Z + s * Y)))


def hermite_coefficients(f, m, v, z, w):
    """a_k = sum_i w_i p_k(z_i) f(m + sqrt(v) z_i), k < len(z), p_k the orthonormal Hermite polynomials."""
    n = len(z)
    P = np.zeros((n, n))
    P[0] = 1.0
    if n > 1:
        P[1] = z
    for k in range(1, n - 1):
        P[k + 1] = (z * P[k] - np.sqrt(k) * P[k - 1]) / np.sqrt(k + 1)
    return (P * w) @ f(m + np.sqrt(max(v, 0.0)) * z)


def pair_expansion(f1, f2, m1, m2, v1, v2, c, z, w):
    """E[f1(x1) f2(x2)] by the discrete Mehler formula sum_k rho^k a_k b_k on a Gauss-Hermite rule."""
    den = np.sqrt(v1 * v2)
    rho = float(np.clip(c / den, -1.0, 1.0)) if den > 0 else 0.0
    a, b = hermite_coefficients(f1, m1, v1, z, w), hermite_coefficients(f2, m2, v2, z, w)
    return float(np.sum(rho ** np.arange(len(z)) * a * b))


def energy_residual(g, delta0, z, w):
    """g^2 Var[ln cosh(sqrt(Delta0) z)] / Delta0^2 - 1/2."""
    Phi = np.log(np.cosh(np.sqrt(delta0) * z))
    m = np.sum(w * Phi)
    return g * g * np.sum(w * (Phi - m) ** 2) / delta0**2 - 0.5


def two_time(phi, dphi, g, dt, n_steps, band, z, w, m0=0.0, c0=1.0, J0=0.0, sqrtK=0.0, I0=0.0, I1=0.0,
             omega=0.0, k_start=-1, pair="tensor"):
    """Direct transcription of the two-time Euler recursion (common input), full storage.

    ``pair``: 'tensor' (tensor-product rule) or 'expansion' (discrete Mehler formula, Gauss-Hermite).
    Returns mean, c (full (n+1)x(n+1)), rate, logk."""
    pair_tensor_ = pair_tensor if pair == "tensor" else pair_expansion
    a = 1.0 - dt
    N = n_steps + 1
    c = np.zeros((N, N))
    kk = np.zeros((N, N))
    mean = np.zeros(N)
    rate = np.zeros(N)
    logk = np.full(N, np.nan)
    mean[0], c[0, 0] = m0, c0
    if k_start == 0:
        kk[0, 0], logk[0] = 1.0, 0.0
    for n in range(n_steps):
        cnn = c[n, n]
        rate[n] = np.sum(w * phi(mean[n] + np.sqrt(cnn) * z))
        lo = max(0, n - band)
        Q = np.array([g * g * pair_tensor_(phi, phi, mean[m], mean[n], c[m, m], cnn, c[m, n], z, w)
                      for m in range(lo, n + 1)])
        r = np.zeros(n + 2 - lo)
        for i, m in enumerate(range(lo, n + 1)):
            r[i + 1] = a * r[i] + dt * Q[i]
        for m in range(max(0, n + 1 - band), n + 1):
            c[n + 1, m] = c[m, n + 1] = a * c[n, m] + dt * r[m - lo]
        c[n + 1, n + 1] = a * c[n + 1, n] + dt * r[n + 1 - lo]
        mean[n + 1] = a * mean[n] + dt * (sqrtK * I0 - sqrtK * J0 * rate[n] + I1 * np.sin(omega * n * dt))
        if k_start >= 0 and n >= k_start:
            klo = max(lo, k_start)
            P = np.array([g * g * pair_tensor_(dphi, dphi, mean[m], mean[n], c[m, m], cnn, c[m, n], z, w) * kk[m, n]
                          for m in range(klo, n + 1)])
            s = np.zeros(n + 2 - klo)
            for i in range(len(P)):
                s[i + 1] = a * s[i] + dt * P[i]
            for m in range(max(k_start, n + 1 - band), n + 1):
                kk[n + 1, m] = kk[m, n + 1] = a * kk[n, m] + dt * s[m - klo]
            kk[n + 1, n + 1] = a * kk[n + 1, n] + dt * s[n + 1 - klo]
            logk[n + 1] = 0.5 * np.log(kk[n + 1, n + 1])
        elif k_start == n + 1:
            kk[n + 1, n + 1], logk[n + 1] = 1.0, 0.0
    rate[n_steps] = np.sum(w * phi(mean[n_steps] + np.sqrt(c[n_steps, n_steps]) * z))
    return mean, c, rate, logk
