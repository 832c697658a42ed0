"""Slow NumPy twins of the surprise learners (neurocore.surprise), written from the notes
(seed002 section 5), plus a brute-force grid filter and vectorised batch versions of MP_N and pf_N
that serve as the benchmark peer."""
import numpy as np
from scipy import optimize, special, stats


def gauss_logpred(y, mu, nu, sigma):
    return stats.norm.logpdf(y, mu, sigma * np.sqrt(1.0 + 1.0 / nu))


def _lse(a):
    m = np.max(a)
    return m + np.log(np.sum(np.exp(a - m)))


def runlength_gauss(y, sigma, p_c, mu0=0.0, sigma0=1.0, N=None, cutoff=1e-16):
    """Exact Bayes (N None) or MP_N: components (n, sum) with log weights. Returns est, log_sbf,
    gamma, ssh."""
    nu0 = sigma ** 2 / sigma0 ** 2
    n = np.array([0.0]); s = np.array([0.0]); lw = np.array([0.0])
    T = len(y)
    est, lsbf, gam, ssh = (np.zeros(T) for _ in range(4))
    logm = np.log(p_c) - np.log1p(-p_c)
    for t, yt in enumerate(y):
        mu = (nu0 * mu0 + s) / (nu0 + n)
        l = gauss_logpred(yt, mu, nu0 + n, sigma)
        l0 = gauss_logpred(yt, mu0, nu0, sigma)
        a = lw + l
        lpt = _lse(a)
        x = logm + l0 - lpt
        g = 1.0 / (1.0 + np.exp(-x))
        lw = np.append(a - lpt + np.log1p(-g), np.log(g))
        n = np.append(n + 1, 1.0); s = np.append(s + yt, yt)
        if N is None:
            keep = np.exp(lw) >= cutoff
        else:
            keep = np.ones(lw.size, bool)
            if lw.size > N:
                keep[np.argmin(lw)] = False
        lw, n, s = lw[keep], n[keep], s[keep]
        lw = lw - _lse(lw)
        est[t] = np.sum(np.exp(lw) * (nu0 * mu0 + s) / (nu0 + n))
        lsbf[t] = l0 - lpt
        gam[t] = g
        ssh[t] = -np.logaddexp(np.log1p(-p_c) + lpt, np.log(p_c) + l0)
    return est, lsbf, gam, ssh


def grid_filter_gauss(y, sigma, p_c, mu0=0.0, sigma0=1.0, lo=-6.0, hi=6.0, n=4001):
    """Brute-force forward filter on a theta grid; the change kernel is the prior. Posterior means."""
    th = np.linspace(lo, hi, n)
    prior = stats.norm.pdf(th, mu0, sigma0)
    prior /= prior.sum()
    pred = prior.copy()
    out = np.zeros(len(y))
    for t, yt in enumerate(y):
        post = pred * stats.norm.pdf(yt, th, sigma)
        post /= post.sum()
        out[t] = np.sum(post * th)
        pred = (1 - p_c) * post + p_c * prior
    return out


def varsmile_gauss(y, sigma, m, mu0=0.0, sigma0=1.0):
    nu0 = sigma ** 2 / sigma0 ** 2
    h, nu = nu0 * mu0, nu0
    est, lsbf, gam = (np.zeros(len(y)) for _ in range(3))
    for t, yt in enumerate(y):
        S = np.exp(gauss_logpred(yt, mu0, nu0, sigma) - gauss_logpred(yt, h / nu, nu, sigma))
        g = m * S / (1 + m * S)
        h = (1 - g) * h + g * nu0 * mu0 + yt
        nu = (1 - g) * nu + g * nu0 + 1
        est[t], lsbf[t], gam[t] = h / nu, np.log(S), g
    return est, lsbf, gam


def varsmile_cat(y, s, m, ns):
    a = np.full(ns, float(s))
    est, lsbf = np.zeros((len(y), ns)), np.zeros(len(y))
    for t, k in enumerate(y):
        S = (1.0 / ns) / (a[k] / a.sum())
        g = m * S / (1 + m * S)
        a = (1 - g) * a + g * s
        a[k] += 1
        est[t], lsbf[t] = a / a.sum(), np.log(S)
    return est, lsbf


def nassar_gauss(y, sigma, p_c, version, mu0=0.0, sigma0=1.0):
    mu, var, r = mu0, sigma0 ** 2, 1.0
    rho = sigma ** 2 / sigma0 ** 2
    m = p_c / (1 - p_c)
    est = np.zeros(len(y))
    for t, yt in enumerate(y):
        S = np.exp(stats.norm.logpdf(yt, mu0, np.sqrt(sigma0 ** 2 + sigma ** 2))
                   - stats.norm.logpdf(yt, mu, np.sqrt(var + sigma ** 2)))
        g = m * S / (1 + m * S)
        dn = mu + (yt - mu) / (rho + r + 1)
        d0 = mu0 + (yt - mu0) / (rho + 1)
        mu = (1 - g) * dn + g * d0
        if version == 10:
            r = (1 - g) * (r + 1) + g
            var = 1 / (1 / sigma0 ** 2 + r / sigma ** 2)
        else:
            var = sigma ** 2 * (rho + g * r + 1) / (rho + r + 1) / (rho + 1) + (1 - g) * g * (dn - d0) ** 2
            r = sigma ** 2 / var - rho
        est[t] = mu
    return est


def smile_gauss(y, sigma, m, mu0=0.0, sigma0=1.0):
    def kl(m1, v1, m2, v2):
        return max((m1 - m2) ** 2 / (2 * v2) + 0.5 * (v1 / v2 - 1 - np.log(v1 / v2)), 0.0)
    nu = sigma ** 2 / sigma0 ** 2
    h = nu * mu0
    s2 = sigma ** 2
    est = np.zeros(len(y))
    for t, yt in enumerate(y):
        mu = h / nu
        scc, bmax = kl(mu, s2 / nu, yt, s2), kl(yt, s2, mu, s2 / nu)
        B = m * scc / (1 + m * scc) * bmax

        def f(g):
            nu1 = (1 - g) * nu + g
            return kl(((1 - g) * nu * mu + g * yt) / nu1, s2 / nu1, mu, s2 / nu) - B
        if abs(f(0.0)) < 1e-15:
            g = 0.0
        elif f(1.0) <= 1e-15:
            g = 1.0
        else:
            g = optimize.brentq(f, 0.0, 1.0, xtol=1e-15, rtol=1e-15)
        h = (1 - g) * h + g * yt
        nu = (1 - g) * nu + g
        est[t] = h / nu
    return est


def leaky_gauss(y, omega):
    Nn = Ny = 0.0
    est = np.zeros(len(y))
    for t, yt in enumerate(y):
        Nn = omega * (Nn + 1)
        Ny = omega * (Ny + yt)
        est[t] = Ny / Nn
    return est


def kl_dirichlet(a, b):
    return (special.gammaln(a.sum()) - special.gammaln(b.sum()) - np.sum(special.gammaln(a))
            + np.sum(special.gammaln(b)) + np.sum((a - b) * (special.digamma(a) - special.digamma(a.sum()))))


# ---------------------------------------------------------------- vectorised batch peers

def mp_batch(y, sigma, p_c, N, mu0=0.0, sigma0=1.0):
    """MP_N over S seeds at once: y (S, T). Component arrays (S, N+1) with -inf log weights for
    empty slots. Returns the estimates (S, T)."""
    S, T = y.shape
    nu0 = sigma ** 2 / sigma0 ** 2
    lw = np.full((S, N + 1), -np.inf); lw[:, 0] = 0.0
    n = np.zeros((S, N + 1)); s = np.zeros((S, N + 1))
    logm = np.log(p_c) - np.log1p(-p_c)
    est = np.zeros((S, T))
    rows = np.arange(S)
    for t in range(T):
        yt = y[:, t:t + 1]
        nu = nu0 + n
        var = sigma ** 2 * (1 + 1 / nu)
        l = -0.5 * np.log(2 * np.pi * var) - (yt - (nu0 * mu0 + s) / nu) ** 2 / (2 * var)
        l0 = -0.5 * np.log(2 * np.pi * (sigma ** 2 + sigma0 ** 2)) - (yt[:, 0] - mu0) ** 2 / (2 * (sigma ** 2 + sigma0 ** 2))
        a = lw + l
        M = a.max(1, keepdims=True)
        lpt = M[:, 0] + np.log(np.exp(a - M).sum(1))
        g = 1 / (1 + np.exp(-(logm + l0 - lpt)))
        lw = a - lpt[:, None] + np.log1p(-g)[:, None]
        n = n + 1; s = s + yt
        # the slot of the least probable component takes the new one (drop argmin)
        j = np.argmin(lw, axis=1)
        lw[rows, j] = np.log(g); n[rows, j] = 1; s[rows, j] = yt[:, 0]
        lw -= np.log(np.exp(lw).sum(1, keepdims=True))
        w = np.exp(lw)
        est[:, t] = (w * (nu0 * mu0 + s) / (nu0 + n)).sum(1)
    return est


def pf_batch(y, sigma, p_c, N, rng, mu0=0.0, sigma0=1.0):
    """pf_N over S seeds at once (optimal proposal, multinomial resampling at N_eff <= N/2)."""
    rng = np.random.default_rng(rng)
    S, T = y.shape
    nu0 = sigma ** 2 / sigma0 ** 2
    lw = np.full((S, N), -np.log(N)); n = np.zeros((S, N)); s = np.zeros((S, N))
    est = np.zeros((S, T))
    rows = np.arange(S)[:, None]
    for t in range(T):
        yt = y[:, t:t + 1]
        nu = nu0 + n
        var = sigma ** 2 * (1 + 1 / nu)
        l = -0.5 * np.log(2 * np.pi * var) - (yt - (nu0 * mu0 + s) / nu) ** 2 / (2 * var)
        l0 = -0.5 * np.log(2 * np.pi * (sigma ** 2 + sigma0 ** 2)) - (yt - mu0) ** 2 / (2 * (sigma ** 2 + sigma0 ** 2))
        la, lb = np.log1p(-p_c) + l, np.log(p_c) + l0
        lab = np.logaddexp(la, lb)
        switch = rng.random((S, N)) >= np.exp(la - lab)
        lw = lw + lab
        lw -= np.log(np.exp(lw - lw.max(1, keepdims=True)).sum(1, keepdims=True)) + lw.max(1, keepdims=True)
        w = np.exp(lw)
        neff = 1 / (w ** 2).sum(1)
        res = neff <= N / 2
        if np.any(res):
            cw = np.cumsum(w[res], 1)
            u = rng.random((res.sum(), N))
            idx = np.minimum((cw[:, None, :] < u[:, :, None]).sum(2), N - 1)
            r = np.nonzero(res)[0][:, None]
            n[res] = n[r, idx]; s[res] = s[r, idx]; switch[res] = switch[r, idx]
            lw[res] = -np.log(N)
        n = np.where(switch, 0, n) + 1
        s = np.where(switch, 0, s) + yt
        w = np.exp(lw)
        est[:, t] = (w * (nu0 * mu0 + s) / (nu0 + n)).sum(1)
    del rows
    return est
