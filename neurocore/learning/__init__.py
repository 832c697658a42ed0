"""Learning rules in neural networks (kernels: csrc/kernels/learning.c).

* :mod:`neurocore.learning.deep`: credit assignment in deep feed-forward networks (backprop,
  feedback alignment, DFA, dynamic inversion, GEVB in vectorized nonnegative networks,
  sign-concordant feedback with Batch Manhattan, CLAPP).

The recurrent-training half of the family (FORCE / RLS) lives beside it.
"""
from . import deep

__all__ = ["deep"]
