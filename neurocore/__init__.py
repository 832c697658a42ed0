"""neurocore: models of recent theoretical-neuroscience papers on a C computational core.

Subpackages (one per model family; each has C kernels in csrc/kernels/<family>.c):

- ``neurocore.rate``: random rate networks, Euler/RK4 integration, Lyapunov spectra.
- ``neurocore.experiments``: one module per paper reproduction, driven by ``neurocore reproduce``.

Randomness: every stochastic function takes ``rng`` (an int seed or a numpy Generator).
"""
from .errors import ConvergenceError
from ._random import as_generator

__version__ = "0.1.0"
__all__ = ["ConvergenceError", "as_generator", "__version__"]
