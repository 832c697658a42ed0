"""Surprise-based learning in volatile environments (Liakoni, Modirshanechi, Gerstner & Brea 2021).

Switching Gaussian and categorical environments, and the online learners the paper compares:
exact Bayes (run-length filter), message passing MP_N, SOR_N, the particle filter pf_N, VarSMiLe,
SMiLe, the modified Nassar learners and the leaky integrator. Environments and learners run in C
(``csrc/kernels/surprise.c``), batched over seeds and hyperparameter grids; every mixture is
handled in the log domain.

Examples
--------
>>> import neurocore.surprise as ns
>>> env = ns.gaussian_task(T=5000, sigma=0.5, p_c=0.01, n_seeds=4, rng=0)
>>> exact = ns.learn(env, "exact")
>>> pf = ns.learn(env, "pf", N=20, rng=1)
>>> pf.error > 0.0 and exact.error > 0.0
True
"""
from .environments import SwitchingEnvironment, gaussian_task, categorical_task
from .learners import (LEARNERS, TUNED, LearnResult, learn, grid_search, transient_curve,
                       adaptation_rate, shannon_surprise, gaussian_log_predictive,
                       bayes_factor_surprise_gaussian, bayes_factor_surprise_categorical)

__all__ = ["SwitchingEnvironment", "gaussian_task", "categorical_task", "LEARNERS", "TUNED",
           "LearnResult", "learn", "grid_search", "transient_curve", "adaptation_rate",
           "shannon_surprise", "gaussian_log_predictive", "bayes_factor_surprise_gaussian",
           "bayes_factor_surprise_categorical"]
