"""Exceptions raised by neurocore."""


class ConvergenceError(RuntimeError):
    """An iterative solver stopped before reaching its tolerance.

    The message names the solver, the number of iterations and the final residual.
    """
