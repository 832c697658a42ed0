"""Sample-and-measure model (issue 9): one forward plus backward pass (free stochastic simulation,
PSTH + noise-correlation loss, reverse sweep with the pseudo-derivative) of 1,000 trials x 500 bins x
100 neurons (80 recorded, 20 hidden, 9 delays, 9 NC lags), against (a) the forward pass alone and
(b) the same computation written in NumPy (dense delay matmuls per bin)."""
import numpy as np

from neurocore.fitting import SampleAndMeasureNetwork, _fitting
from .harness import Case


def _numpy_fwd_bwd(W, bias, B, T, n_obs, psth_d, nc_d, rng, thr=0.4, beta=1.0, gamma=0.3, w_psth=0.1, w_nc=50.0):
    D, N, _ = W.shape
    Wst = W.reshape(D * N, N)
    z = np.zeros((B, T + D, N))
    s = np.empty((B, T, N))
    for t in range(T):
        hist = z[:, t:t + D][:, ::-1].reshape(B, D * N)
        s[:, t] = (hist @ Wst + bias - thr) / thr
        z[:, t + D] = rng.random((B, N)) < 1.0 / (1.0 + np.exp(-beta * s[:, t]))
    p = 1.0 / (1.0 + np.exp(-beta * s[..., :n_obs]))
    # losses and dL/dp
    pm = np.clip(p.mean(0), 1e-7, 1 - 1e-7)
    n = n_obs
    g = np.broadcast_to(w_psth * (-psth_d / pm + (1 - psth_d) / (1 - pm)) / (T * n * B), p.shape).copy()
    c = p - p.mean(0)
    Dnc = nc_d.shape[0]
    E = np.stack([nc_d[d] - np.einsum("bti,btj->ij", c, np.roll(c, d, axis=1)) / (B * T) for d in range(Dnc)])
    k = -2 * w_nc / (Dnc * n * n * B * T)
    G = np.zeros_like(c)
    for d in range(Dnc):
        G += k * (np.roll(c, d, axis=1) @ E[d].T + np.roll(c, -d, axis=1) @ E[d])
    g += G - G.mean(0)
    gs = np.zeros((B, T, N))
    gs[..., :n] = g * beta * p * (1 - p)
    # reverse sweep
    dv = np.zeros((B, T + D, N))
    for t in range(T - 1, -1, -1):
        gz = np.einsum("bdk,djk->bj", dv[:, t + 1:t + 1 + D], W)
        psi = gamma * np.maximum(0.0, 1.0 - np.abs(s[:, t]))
        dv[:, t] = (gs[:, t] + gz * psi) / thr
    dW = np.stack([np.einsum("bti,btj->ij", z[:, D:D + T - d], dv[:, d:T]) for d in range(1, D + 1)])
    return dW, dv[:, :T].sum((0, 1))


def cases(quick=False):
    B = 100 if quick else 1000
    T, N, n_obs, D = 500, 100, 80, 9
    rng = np.random.default_rng(0)
    net = SampleAndMeasureNetwork(n_obs, N - n_obs, D=D, rng=0)
    net.W *= 0.5
    net.bias[:] = -0.5          # ~ 8 % spike probability per bin
    data, _ = net.simulate(B, T, rng=1)
    psth_d, nc_d = _fitting.sm_stats(data=np.ascontiguousarray(data[..., :n_obs]), Dnc=9)
    w = (0.1, 50.0)

    def fwd():
        return _fitting.sm_forward(net.W, net.bias, B, T, n_obs, bitgen=np.random.default_rng(2).bit_generator)

    def fwd_bwd():
        s, z = fwd()
        _, _, g = _fitting.sm_loss(s, psth_d, nc_d, n_obs, 1.0, *w)
        return _fitting.sm_backward(net.W, net.bias, s, z, g, n_obs, inplace=True)

    def peer():
        return _numpy_fwd_bwd(net.W, net.bias, B, T, n_obs, psth_d, nc_d, np.random.default_rng(2))

    tag = f"{B} trials x {T} bins x {N} neurons, D={D}"
    return [Case(f"sample-and-measure fwd+bwd vs fwd alone ({tag})", fwd_bwd, fwd, "neurocore forward alone",
                 repeats=3, goal=3.0),
            Case(f"sample-and-measure fwd+bwd ({tag})", fwd_bwd, peer, "NumPy (dense matmuls)", repeats=3,
                 goal=0.2)]
