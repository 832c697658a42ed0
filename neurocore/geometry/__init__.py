"""Neural population geometry (Chung & Abbott, Curr. Opin. Neurobiol. 70, 137, 2021): a toolkit
that takes any activity array, from neurocore's models or recorded data.

Orientation: every tool takes a 2-D array and ``axis``, the axis that indexes samples (stimuli,
time points, trials); the other axis indexes neurons. The default ``axis=0`` is (samples, neurons),
the layout of ``neurocore.rate.RateTrajectory.x``; recordings stored (neurons, samples) need
``axis=1``. Nothing is transposed silently.

* Dimensionality: :func:`participation_ratio` (naive, cross-block and jackknife bias-corrected),
  :func:`pca_spectrum`, :func:`explained_variance_dimension`, :func:`two_nn_dimension` (nonlinear).
* Manifold capacity: :func:`manifold_analysis` (MFTMA: capacity, radius, dimension, center
  correlations; the anchor QPs run in C), :func:`gardner_capacity`, :func:`separability_fraction`.
* Similarity and untangling: :func:`rdm`, :func:`compare_rdms`, :func:`linear_cka`,
  :func:`tangling`, :func:`linear_probe_accuracy`.

Examples
--------
>>> import numpy as np, neurocore.geometry as geo
>>> X = np.random.default_rng(0).standard_normal((5000, 20))   # (samples, neurons)
>>> round(geo.participation_ratio(X), 1)
19.9
>>> geo.gardner_capacity(0.0)
2.0
"""
from .dimensionality import (ESTIMATORS, explained_variance_dimension, participation_ratio,
                             participation_ratio_of_spectrum, pca_spectrum, two_nn_dimension)
from .mftma import (CenterCorrelation, ManifoldAnalysis, center_correlation_structure, dichotomy_separable,
                    gardner_capacity, manifold_analysis, separability_fraction)
from .similarity import (RDM_COMPARISONS, RDM_METRICS, Tangling, compare_rdms, linear_cka, linear_probe_accuracy,
                         rdm, tangling)

__all__ = ["ESTIMATORS", "explained_variance_dimension", "participation_ratio", "participation_ratio_of_spectrum",
           "pca_spectrum", "two_nn_dimension", "CenterCorrelation", "ManifoldAnalysis",
           "center_correlation_structure", "dichotomy_separable", "gardner_capacity", "manifold_analysis",
           "separability_fraction", "RDM_COMPARISONS", "RDM_METRICS", "Tangling", "compare_rdms", "linear_cka",
           "linear_probe_accuracy", "rdm", "tangling"]
