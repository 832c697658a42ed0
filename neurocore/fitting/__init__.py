"""Fitting spiking network models to recordings with hidden neurons.

* :mod:`neurocore.fitting.neulvm`: neuLVM (Wang, Schmutz, Bellec & Gerstner 2022), the mesoscopic
  latent-variable model of populations of escape-noise neurons, its microscopic ground truth and the
  EM-style fit with exact adjoint gradients.
* :mod:`neurocore.fitting.sample_and_measure`: sample-and-measure fitting (Bellec, Wang et al. 2021)
  of a stochastic spiking network with delays and hidden neurons: PSTH and noise-correlation losses
  plus the log-likelihood, gradients through sampled spikes with a pseudo-derivative.
* :mod:`neurocore.fitting.data`: the trials x bins x neurons spike-array adapter and its named errors.
"""
from .data import (NaNInRecordingError, NonBinarySpikesError, SpikeDataError, TrialCountMismatchError,
                   spike_trials)
from .neulvm import (WTA_MASK, MesoParams, NeuLVMFit, e_step, fit_neulvm, initial_latent, m_step,
                     neg_log_likelihood, simulate_meso, simulate_micro, wta_ground_truth)
from .sample_and_measure import LossWeights, SampleAndMeasureNetwork, noise_correlations, psth, sigmoid

__all__ = ["SpikeDataError", "NonBinarySpikesError", "TrialCountMismatchError", "NaNInRecordingError",
           "spike_trials", "MesoParams", "wta_ground_truth", "simulate_micro", "simulate_meso",
           "neg_log_likelihood", "initial_latent", "m_step", "e_step", "fit_neulvm", "NeuLVMFit", "WTA_MASK",
           "SampleAndMeasureNetwork", "LossWeights", "noise_correlations", "psth", "sigmoid"]
