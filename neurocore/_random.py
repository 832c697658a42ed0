"""One way to take randomness: ``rng`` is an int seed, a ``numpy.random.Generator`` or None."""
import numpy as np

__all__ = ["as_generator", "spawn"]


def as_generator(rng=None):
    """Return a ``numpy.random.Generator`` for ``rng``.

    Parameters
    ----------
    rng : None, int, numpy.random.SeedSequence, numpy.random.Generator
        A Generator is used as is (its stream advances); anything else seeds a new PCG64 one.

    The C kernels draw from ``as_generator(rng).bit_generator``, so a seed fixes every draw, on
    every machine.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.BitGenerator):
        return np.random.Generator(rng)
    if rng is not None and not isinstance(rng, (int, np.integer, np.random.SeedSequence)):
        raise TypeError(f"argument 'rng' must be None, an int seed, a SeedSequence or a "
                        f"numpy.random.Generator, got {type(rng).__name__}")
    if isinstance(rng, (int, np.integer)) and rng < 0:
        raise ValueError(f"argument 'rng' as a seed must be >= 0, got {rng}")
    return np.random.default_rng(rng)


def spawn(rng, n):
    """``n`` independent Generators derived from ``rng`` (through ``SeedSequence.spawn``)."""
    gen = as_generator(rng)
    return [np.random.Generator(type(gen.bit_generator)(s))
            for s in gen.bit_generator.seed_seq.spawn(n)]
