"""Random rate networks: ``tau dx/dt = -x + J phi(x) + I(t)``.

The substrate of the SCS chaos, DMFT and FORCE papers. Integration (Euler, RK4) and Lyapunov
exponents run in C (``csrc/kernels/rate.c``); this package assembles them.

Examples
--------
>>> import neurocore.rate as nr
>>> net = nr.RateNetwork(200, g=1.5, rng=0)
>>> traj = net.run(duration=50.0, dt=0.1)
>>> traj.x.shape
(501, 200)
>>> lam = net.lyapunov(duration=200.0, dt=0.1, k=1, rng=1).exponents[0]
"""
from .network import (PHI, RateNetwork, RateTrajectory, LyapunovResult, integrate_rate_network,
                      lyapunov_spectrum, phi_function, random_coupling)

__all__ = ["PHI", "RateNetwork", "RateTrajectory", "LyapunovResult", "integrate_rate_network",
           "lyapunov_spectrum", "phi_function", "random_coupling"]
