"""Learning in volatile environments, categorical task: every learner's excess error over exact Bayes.

Switching categorical task (theta ~ Dirichlet(s 1_5) redrawn with probability p_c, y ~ Cat(theta))
on the paper's grid s in {5, 2, 1, 0.25, 0.14, 0.1, 0.01} x p_c in {0.1, 0.05, 0.01, 0.005}.
Exact Bayes, MP_N, pf_N, VarSMiLe, SMiLe and the leaky integrator (m and omega grid-searched per
cell on separate seeds) are compared with the authors' published heatmap data and the paper's claims.
"""
from ..surprise.comparison import run_experiment
from ._base import ExperimentResult

NAME = "surprise_categorical"
TITLE = "Surprise-based learners on the switching categorical task (excess error over exact Bayes)"
PAPER = "Liakoni, Modirshanechi, Gerstner & Brea, Neural Comput. 33, 269 (2021)"


def run(quick=False, seed=0, out_dir="."):
    res = ExperimentResult(NAME, TITLE, PAPER)
    return run_experiment(res, "categorical", quick, seed, out_dir)
