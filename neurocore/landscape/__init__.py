"""Exact theory of learning in overparameterised and gated networks.

* :mod:`.network` -- two-layer networks ``f(x) = sum_i a_i sigma(w_i . x)``: loss, gradient and the
  exact Hessian in C (``csrc/kernels/landscape.c``).
* :mod:`.symmetry` -- symmetry-induced critical subspaces (Simsek et al., ICML 2021): exact counts
  T(r*, m), G(r, m), points of every expansion subspace, the path that connects permuted minima
  through one added unit, Fukumizu-Amari duplication lines.
* :mod:`.permutation` -- permutation points and saddles of deep networks (Brea et al. 2019).
* :mod:`.gln` -- gated linear networks, gradient-descent training in C, and the infinite-time
  limit as a convex program (Lippl, Abbott & Chung 2022).

Examples
--------
>>> import neurocore.landscape as nl
>>> nl.count_global_minimum_subspaces(3, 4)
60
>>> nl.count_critical_subspaces(99, 100) * 2 == 99 * nl.count_global_minimum_subspaces(100, 100)
True
"""
from .errors import ConvergenceFailure, NotCriticalError, NotSeparableError, NotZeroLossError, WidthError
from .network import (ACTIVATIONS, LOSSES, TwoLayerNetwork, activation, hessian, loss_and_gradient, minimize_loss,
                      network_output, newton_polish, pack, unpack)
from .symmetry import (SymmetryExpansion, count_critical_subspaces, count_global_minimum_subspaces,
                       duplicate_unit, expand_network, expansion_maps, function_gap, permutation_path,
                       random_expansion_map, saddle_to_minimum_ratio, stirling2, subspace_dimension)
from .permutation import (MLP, classify_critical_point, count_permutation_points, hessian_fd,
                          permutation_point_factor, saddle_swap_path, split_unit, two_layer_swap,
                          two_layer_valley_directions, valley_directions)
from .gln import (GatedLinearNetwork, GroupNormSolution, HyperplaneGates, append_bias, context_max_margin, cosine,
                  group_norm_max_margin, hyperplane_gates, load_digits_binary, relu_gates)

__all__ = [
    "ConvergenceFailure", "NotCriticalError", "NotSeparableError", "NotZeroLossError", "WidthError",
    "ACTIVATIONS", "LOSSES", "TwoLayerNetwork", "activation", "hessian", "loss_and_gradient", "minimize_loss",
    "network_output", "newton_polish", "pack", "unpack",
    "SymmetryExpansion", "count_critical_subspaces", "count_global_minimum_subspaces", "duplicate_unit",
    "expand_network", "expansion_maps", "function_gap", "permutation_path", "random_expansion_map",
    "saddle_to_minimum_ratio", "stirling2", "subspace_dimension",
    "MLP", "classify_critical_point", "count_permutation_points", "hessian_fd", "permutation_point_factor",
    "saddle_swap_path", "split_unit", "two_layer_swap", "two_layer_valley_directions", "valley_directions",
    "GatedLinearNetwork", "GroupNormSolution", "HyperplaneGates", "append_bias", "context_max_margin", "cosine",
    "group_norm_max_margin", "hyperplane_gates", "load_digits_binary", "relu_gates",
]
