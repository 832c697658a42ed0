"""Learning rules in neural networks (kernels: csrc/kernels/learning.c).

* :mod:`neurocore.learning.deep`: credit assignment in deep feed-forward networks (backprop,
  feedback alignment, DFA, dynamic inversion, GEVB in vectorized nonnegative networks,
  sign-concordant feedback with Batch Manhattan, CLAPP).

* :mod:`neurocore.learning.recurrent`: training recurrent networks (RLS, FORCE, full-FORCE,
  Dale's-law balanced training, the working-memory reservoir).
"""
from . import deep, recurrent

__all__ = ["deep", "recurrent"]
