"""Spiking networks in C: LIF (CUBA / COBA), escape-noise (GLM / SRM) and low-rank spike-coding.

* :class:`LIFNetwork` -- populations, CSR projections (dense or sparse, float32/float64 weights,
  delays in whole steps), constant / per-step / Poisson input; units ms, mV, Hz.
* :class:`EscapeNoiseNetwork` -- p = 1 - exp(-dt rho(u)) networks with exponential or arbitrary
  synaptic kernels and refractoriness / adaptation kernels; the same discretisation as a
  teacher-forced likelihood (:meth:`EscapeNoiseNetwork.potential`).
* :class:`SpikeCodingNetwork` -- V = F x - Omega r, x_hat = D r, one (or all) spikes per step.
* Builders :func:`bernoulli_graph`, :func:`fixed_indegree_graph`, :func:`from_dense`.

Kernels: ``csrc/kernels/spiking*.c``; the event-driven propagation ``nc_spiking_propagate_csr`` is
shared with other families.
"""
from .coding import RULES, SCNRun, SpikeCodingNetwork
from .connectivity import Connectivity, bernoulli_graph, check_dale, fixed_indegree_graph, from_dense
from .escape import RHO, EscapeNoiseNetwork, EscapeNoiseRun, escape_probability, renewal_rate, rho_function
from .lif import METHODS, MODELS, LIFNetwork, Population, Projection
from .monitors import SpikeResult, cv_isi, firing_rates

__all__ = ["RULES", "SCNRun", "SpikeCodingNetwork", "Connectivity", "bernoulli_graph", "check_dale",
           "fixed_indegree_graph", "from_dense", "RHO", "EscapeNoiseNetwork", "EscapeNoiseRun",
           "escape_probability", "renewal_rate", "rho_function", "METHODS", "MODELS", "LIFNetwork",
           "Population", "Projection", "SpikeResult", "cv_isi", "firing_rates"]

# Low-rank layer (Podlaski & Machens): latent boundaries in E-I networks, the hypercube memory
# (a reconstruction) and geometry plots; modules neurocore.spiking.ei_boundary, .lowrank_memory,
# .geometry_plots (imported lazily by name to keep `import neurocore.spiking` light).
from .ei_boundary import EINetwork, InfeasibleBoundaryError, LatentBoundaryNetwork
from .lowrank_memory import HypercubeMemory, PatternError

__all__ += ["EINetwork", "InfeasibleBoundaryError", "LatentBoundaryNetwork", "HypercubeMemory", "PatternError"]
