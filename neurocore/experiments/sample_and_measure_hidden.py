"""Sample-and-measure with a hidden neuron (Bellec, Wang et al., NeurIPS 2021; check S6 of the notes):
a ground-truth network of 4 recorded neurons and 1 hidden, bursty common-input neuron is fitted
(a) by exact maximum likelihood with the 4 recorded neurons only, and (b) with one hidden neuron by
MLE + sample-and-measure (PSTH and noise-correlation) losses through sampled spikes with the
pseudo-derivative. The claim: (b) reproduces the recorded noise correlations of free simulations
better than (a) in at least 4 of 5 seeds.

Setup, and where it departs from the authors' code (each departure measured; 5 seeds, 600 Adam
steps, batch 100 of 300 recorded trials x 100 bins, NC error = Frobenius distance of lags 0..2,
lag-0 variances excluded, of a 1000-trial free simulation to the recording):

* Ground truth: the hidden neuron (rate ~0.17, self-excitation) gives STRONG common input (weight
  1.0 at delay 1) to all 4 recorded neurons, so lag-0 noise covariances are ~0.034 (correlation
  ~0.2). An observed-only GLM cannot express lag-0 covariance at all (its neurons are conditionally
  independent given the past). No stimulus: the PSTH is flat and all covariance is noise.
* Warm start: the recorded block of the hidden-neuron model starts at the observed-only MLE fit; the
  hidden neuron's weights at the authors' random initialisation.
* NC estimator 'pz' (LossWeights.nc_estimator) instead of the authors' 'p'. Their code measures the
  model's covariances with probabilities p at both ends of each lag. That matches the model's own
  spikes only for lag-0 off-diagonal entries: for lags >= 1 it misses the effect of each sampled
  spike on later bins (a fit with 'p' matched its p-covariances, but its spikes had lag-1
  autocovariance -0.033 against -0.011 in the data), and the lag-0 diagonal lacks the Bernoulli
  variance (this pushed the hidden neuron into large fluctuations in the first attempt). 'pz' takes
  p at the later bin, the sampled spike at the earlier one, and Var p + mean p (1 - p) on the lag-0
  diagonal, which is unbiased for the spike covariances (tested); the gradient through the sampled
  spikes uses the pseudo-derivative, and in mean-field mode it is exact (finite differences).
* NC weight 5000 instead of the authors' 50 (MLE 0.4 and PSTH 0.1 as theirs). In the teacher-forced
  MLE pass the hidden neuron is sampled independently of the recording, so the MLE term charges any
  use of it (~0.03 w^2 per recorded neuron for outgoing weight w), while the NC term pays back only
  the squared covariance error (~1e-4 of loss before weighting). The authors' 50 was set for V1
  data with a CNN front end; the notes give no weights for a synthetic toy.

Measured mean NC errors (ground truth's own / observed-only MLE / hidden-neuron fit; wins = seeds
where the hidden-neuron fit is below the MLE):

==========================================  ============================  =====
loss of the hidden-neuron fit               this ground truth              wins
==========================================  ============================  =====
'pz', NC weight 5000 (this experiment)       0.0073 / 0.120 / 0.0046       5/5
'pz', NC weight 50                           0.0073 / 0.120 / 0.113        5/5, hidden neuron unused
'p' (authors' code exactly), weight 50       0.0073 / 0.120 / 0.082        5/5, 11x the floor
'p', weight 5000                             0.0073 / 0.120 / 0.074        5/5
'p', weight 5000, lag-0 variances dropped    0.0073 / 0.120 / 0.113        4/5
==========================================  ============================  =====

With the earlier, weaker ground truth (common weight 0.6, lag-0 covariance ~0.004): authors' code
exactly 0.005 / 0.017 / 0.113, 0/5 (the reported failure); 'pz' with weight 50: 0.017 vs 0.017,
2/5; 'pz' with weight 5000: 0.0031, 5/5. So the claim holds once the model's statistic measures
the spikes it emits and the NC term is weighted enough to outbid the teacher-forced MLE's penalty
on an uninformative hidden neuron; with the authors' literal loss it holds only for strong common
input and then far from the sampling floor.
"""
import numpy as np

from ..fitting import LossWeights, SampleAndMeasureNetwork, noise_correlations
from ._base import ExperimentResult

NAME = "sample_and_measure_hidden"
TITLE = "Sample-and-measure fit with a hidden neuron vs observed-only maximum likelihood"
PAPER = "Bellec, Wang, Modirshanechi, Brea & Gerstner, NeurIPS 2021 (arXiv 2106.10064)"

N_LAGS = 3


WEIGHTS = LossWeights(psth=0.1, nc=5000.0, mle=0.4, nc_estimator="pz")
PAPER_WEIGHTS = LossWeights()   # the authors' code literally: NC weight 50, estimator "p"


def ground_truth(D=3):
    """4 recorded neurons (self-inhibition) driven at delay 1 by a hidden self-exciting neuron with
    strong common input (weight 1.0 to each)."""
    N = 5
    W = np.zeros((D, N, N))
    W[0, 4, :4] = 1.0
    W[0, 4, 4] = 0.3
    for j in range(4):
        W[0, j, j] = -0.3
    return SampleAndMeasureNetwork(4, 1, D=D, W=W, bias=np.r_[np.full(4, -0.3), -0.3])


def nc_error(net, target, rng, n_trials=1000, T=100):
    """Frobenius distance of the recorded neurons' noise-covariance matrices (lags 0..2, lag-0
    variances excluded) of a free simulation to the data's."""
    z, _ = net.simulate(n_trials, T, rng=rng)
    E = noise_correlations(z[..., :4], N_LAGS) - target
    E[0][np.diag_indices(4)] = 0.0
    return float(np.sqrt((E ** 2).sum())), noise_correlations(z[..., :4], N_LAGS)


def _fit_hidden(mle, data, weights, n_iter, s):
    """Hidden-neuron model warm-started from the observed-only MLE fit, trained on ``weights``."""
    hid = SampleAndMeasureNetwork(4, 1, D=3, rng=s)
    hid.W[:, :4, :4] = mle.W
    hid.bias[:4] = mle.bias
    hid.fit(data, weights=weights, n_iter=n_iter, batch=100, lr=1e-2, n_lags=N_LAGS, rng=s)
    return hid


def run(quick=False, seed=0, out_dir="."):
    import matplotlib.pyplot as plt

    res = ExperimentResult(NAME, TITLE, PAPER)
    seeds = [seed + k for k in range(3 if quick else 5)]
    n_iter = 200 if quick else 600
    rows = []
    for s in seeds:
        gt = ground_truth()
        z, _ = gt.simulate(300, 100, rng=s)
        data = z[..., :4]
        target = noise_correlations(data, N_LAGS)
        mle = SampleAndMeasureNetwork(4, 0, D=3, rng=s)
        mle.fit_mle(data)
        hid = _fit_hidden(mle, data, WEIGHTS, n_iter, s)
        hid50 = _fit_hidden(mle, data, PAPER_WEIGHTS, n_iter, s)
        e_mle, c_mle = nc_error(mle, target, 10 + s)
        e_hid, c_hid = nc_error(hid, target, 10 + s)
        e_hid50, _ = nc_error(hid50, target, 10 + s)
        e_gt, _ = nc_error(gt, target, 10 + s)
        rows.append((e_gt, e_mle, e_hid, e_hid50))
    r = np.array(rows)
    res.data["nc_errors (ground truth, observed-only MLE, hidden MLE+SM, hidden MLE+SM with the authors' literal loss)"] = rows
    res.data["weights"] = repr(WEIGHTS)
    res.check("fraction of seeds where the hidden-neuron fit has the lower NC error", float(np.mean(r[:, 2] < r[:, 1])),
              (0.8, 1.0), kind="range", source="paper claim via notes S6 (>= 4 of 5 seeds)")
    # the authors' literal loss is reported, not checked: it needs the full 600 steps (3 seeds at 200
    # steps: 1 of 3 below the MLE), see the module docstring for its measured outcome
    res.data["fraction of seeds, authors' literal loss below observed-only MLE"] = float(np.mean(r[:, 3] < r[:, 1]))
    res.data["mean NC error ratio, authors' literal loss / observed-only MLE"] = float(np.mean(r[:, 3] / r[:, 1]))
    res.check("mean NC error, hidden MLE+SM / observed-only MLE", float(np.mean(r[:, 2] / r[:, 1])), 0.5,
              kind="lt", source="this toy: the hidden model contains the truth (a real, not marginal, improvement)")
    res.check("mean NC error, hidden MLE+SM / ground truth's own error (sampling floor)",
              float(np.mean(r[:, 2]) / np.mean(r[:, 0])), 2.0, kind="lt",
              source="this toy: a fit that recovers the hidden common input reaches the sampling floor")
    res.check("NC error of the ground truth itself (sampling floor)", float(np.mean(r[:, 0])), float(np.mean(r[:, 1])),
              kind="lt", source="sanity: the true model beats the MLE fit")

    fig, ax = plt.subplots(3, 2, figsize=(6, 8))
    for r, (nm, C) in enumerate((("data", target), ("observed-only MLE", c_mle), ("hidden, MLE+SM", c_hid))):
        for c, d in enumerate((0, 1)):
            M = C[d].copy()
            if d == 0:
                M[np.diag_indices(4)] = np.nan
            im = ax[r, c].imshow(M, cmap="RdBu_r", vmin=-0.04, vmax=0.04)
            ax[r, c].set_title(f"{nm}, lag {d}", fontsize=9)
            ax[r, c].set_xticks([])
            ax[r, c].set_yticks([])
    fig.colorbar(im, ax=ax, shrink=0.6, label="noise covariance")
    res.savefig(fig, out_dir, "sample_and_measure_hidden.png")
    return res
