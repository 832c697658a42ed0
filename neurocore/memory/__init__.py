"""Associative memory: kernel memory networks and their special cases, and balanced memories.

* Kernel memory networks (Iatropoulos, Brea & Gerstner, NeurIPS 2022): :class:`KernelMemory` stores
  patterns by minimum-norm kernel interpolation or per-neuron kernel SVM classification;
  :func:`kernel_memory_recall` retrieves (one step or iterated, synchronous or asynchronous). Gram
  matrix, Cholesky fit, SVM dual and batched retrieval run in C (``csrc/kernels/memory.c``).
* Special cases: :class:`HopfieldNetwork` (Hebbian and projection rules), :class:`ModernHopfield`
  (:func:`modern_hopfield_retrieve`, a fused streaming softmax in C) and
  :class:`SparseDistributedMemory` (Kanerva, explicit hard locations), each with
  ``as_kernel_memory()`` / ``expected_kernel()`` giving the kernel network it equals.
* Capacity and basins: :func:`capacity_curve`, :func:`basin_size`, :func:`cover_probability`.
* Balanced memories (Rubin, Abbott & Sompolinsky, PNAS 2017): :mod:`neurocore.memory.balanced`.

Examples
--------
>>> import neurocore.memory as nm
>>> X = nm.random_patterns(60, 100, rng=0)
>>> mem = nm.KernelMemory(X, kernel=nm.exponential_kernel(5.0))
>>> cues = nm.flip_bits(X, 0.1, rng=1)
>>> res = nm.kernel_memory_recall(mem, cues, steps=None)
>>> bool((res.states == X).all())
True
"""
from . import balanced
from .capacity import (BasinCurve, CapacityCurve, basin_size, capacity_curve, cover_probability, flip_bits,
                       linearly_separable, overlaps, random_patterns)
from .hopfield import HopfieldNetwork, ModernHopfield, SparseDistributedMemory, modern_hopfield_retrieve
from .kernels import (KERNELS, MemoryKernel, cap_kernel, cap_kernel_values, exponential_kernel, kernel_matrix,
                      linear_kernel, polynomial_kernel, sdm_kernel, sdm_kernel_values)
from .network import KernelMemory, RecallResult, SingularGramError, kernel_memory_recall

__all__ = ["KernelMemory", "kernel_memory_recall", "RecallResult", "SingularGramError", "MemoryKernel", "KERNELS",
           "linear_kernel", "polynomial_kernel", "exponential_kernel", "sdm_kernel", "sdm_kernel_values",
           "cap_kernel", "cap_kernel_values", "kernel_matrix", "HopfieldNetwork", "ModernHopfield",
           "modern_hopfield_retrieve", "SparseDistributedMemory", "capacity_curve", "basin_size", "CapacityCurve",
           "BasinCurve", "cover_probability", "linearly_separable", "flip_bits", "overlaps", "random_patterns",
           "balanced"]
