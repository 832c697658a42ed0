"""Training recurrent networks: RLS, FORCE, full-FORCE, Dale's-law target-based training of balanced
E/I networks and the working-memory reservoir with a reward-modulated Hebbian readout.

The hot loops are C (``csrc/kernels/rls.c``, ``csrc/kernels/recurrent.c``): one call runs the network,
its output and the learning rule over a whole chunk of steps.
"""
from .rls import RLS, ridge_solution
from .tasks import four_sine, normalized_error, oscillation_task, pulse_interval_task, shifted_correlation
from .force import PHI, ForceNetwork, FullForceNetwork, TrainResult

__all__ = ["RLS", "ridge_solution", "four_sine", "normalized_error", "oscillation_task", "pulse_interval_task",
           "shifted_correlation", "PHI", "ForceNetwork", "FullForceNetwork", "TrainResult"]
