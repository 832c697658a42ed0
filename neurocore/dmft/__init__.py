"""Dynamic mean-field theory (DMFT) of random rate networks, with the finite-N checks.

* :mod:`~neurocore.dmft.scs` -- the stationary Sompolinsky-Crisanti-Sommers solution (Delta0 from
  energy conservation, Delta(tau) from the potential-particle picture, lambda_1 from the
  Schroedinger operator).
* :mod:`~neurocore.dmft.twotime` -- the non-stationary two-time recursion (transients, common or
  independent sinusoidal drive of balanced ReLU networks, Lyapunov exponent).
* :mod:`~neurocore.dmft.cavity` -- the two-site cavity dimension (participation ratio) of chaos.
* :mod:`~neurocore.dmft.plastic` -- coupled neuronal-synaptic dynamics: network, path-sampling DMFT
  and the freezable-chaos protocol.
* :mod:`~neurocore.dmft.balanced` -- balanced rate networks driven by sinusoids.

Gaussian integrals run in C (``csrc/kernels/dmft.c``) with Gauss-Hermite or dense trapezoid rules.

Examples
--------
>>> from neurocore.dmft import solve_scs
>>> sol = solve_scs(2.0)
>>> round(sol.delta0, 4), round(sol.lambda1, 4)
(1.9248, 0.1125)
"""
from .gaussian import FN, QUAD, gaussian_mean, gaussian_pair, quadrature_rule
from .scs import SCSSolution, decay_time, fit_critical_exponent, schrodinger_lyapunov, scs_delta0, solve_scs
from .twotime import TwoTimeResult, lyapunov_from_log_k, solve_two_time
from .cavity import CavityDimension, cavity_dimension, cavity_dimension_from_lags, map_delta1_closed_form
from .plastic import PlasticDMFTResult, PlasticNetwork, freeze_test, solve_plastic_dmft
from .stats import autocovariance, participation_ratio_blocks
from .balanced import balanced_coupling, sinusoidal_input, balanced_lyapunov, balanced_dmft_lyapunov, zero_crossing

__all__ = ["FN", "QUAD", "gaussian_mean", "gaussian_pair", "quadrature_rule", "SCSSolution", "decay_time",
           "fit_critical_exponent", "schrodinger_lyapunov", "scs_delta0", "solve_scs", "TwoTimeResult",
           "lyapunov_from_log_k", "solve_two_time", "CavityDimension", "cavity_dimension",
           "cavity_dimension_from_lags", "map_delta1_closed_form", "PlasticDMFTResult", "PlasticNetwork",
           "freeze_test", "solve_plastic_dmft", "autocovariance", "participation_ratio_blocks",
           "balanced_coupling", "sinusoidal_input", "balanced_lyapunov", "balanced_dmft_lyapunov",
           "zero_crossing"]
