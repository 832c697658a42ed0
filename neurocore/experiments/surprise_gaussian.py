"""Learning in volatile environments, Gaussian task: every learner's excess error over exact Bayes.

Switching Gaussian task (theta ~ N(0, 1) redrawn with probability p_c, y ~ N(theta, sigma^2)) on the
paper's grid sigma in {5, 2, 1, 0.5, 0.1} x p_c in {0.1, 0.05, 0.01, 0.005}. Exact Bayes, MP_N,
pf_N, VarSMiLe, SMiLe, Nas10*, Nas12* and the leaky integrator (m and omega grid-searched per cell
on separate seeds) are compared with the authors' published heatmap data and the paper's claims.
"""
from ..surprise.comparison import run_experiment
from ._base import ExperimentResult

NAME = "surprise_gaussian"
TITLE = "Surprise-based learners on the switching Gaussian task (excess error over exact Bayes)"
PAPER = "Liakoni, Modirshanechi, Gerstner & Brea, Neural Comput. 33, 269 (2021)"


def run(quick=False, seed=0, out_dir="."):
    res = ExperimentResult(NAME, TITLE, PAPER)
    return run_experiment(res, "gaussian", quick, seed, out_dir)
