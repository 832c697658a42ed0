"""Named errors of neurocore.landscape. All derive from ValueError (bad input) or
neurocore.errors.ConvergenceError (a solver stopped early), so generic handlers still catch them."""
from ..errors import ConvergenceError

__all__ = ["WidthError", "NotZeroLossError", "NotCriticalError", "NotSeparableError", "ConvergenceFailure"]


class WidthError(ValueError):
    """A network width is not an integer, or a target width m is smaller than the minimal width r*."""


class NotZeroLossError(ValueError):
    """The network given as the zero-loss (global-minimum) teacher does not reach zero loss."""


class NotCriticalError(ValueError):
    """The network given as a critical point has a gradient above tolerance."""


class NotSeparableError(ValueError):
    """The data (within a context, or under the given gates) are not linearly separable, so the
    max-margin program has no solution."""


class ConvergenceFailure(ConvergenceError):
    """An iterative refinement (Newton polish, IRLS) stopped before its tolerance."""
