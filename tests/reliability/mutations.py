"""Bad and edge values for one argument, derived from a valid value of it.

``mutations(kind, value)`` lists ``(label, make)`` pairs; ``make(draw)`` returns ``(new, canonical)``
where ``canonical`` is None for a bad/edge value, or (for a value that differs from a valid one only
in layout or in a safely castable dtype) the plain C-contiguous array with the same values, which
must give the same result. ``draw(strategy)`` is Hypothesis' ``data.draw`` (for positions, axes).
"""
import numpy as np
from hypothesis import strategies as st

from ._harness import UNDER_ASAN

HUGE = 2 ** 31 + 1  # more elements on an axis than a C int holds


class Sentinel(Exception):
    """Raised by the fuzzer's own progress callback; the call must let it through unchanged."""


def kind_of(value):
    if isinstance(value, np.random.BitGenerator):
        return "bitgen"
    if isinstance(value, np.ndarray):
        return "farray" if value.dtype.kind == "f" else "iarray"
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, str):
        return "str"
    if value is None:
        return "none"
    if callable(value):
        return "callable"
    return "other"


def _c(a):
    return np.ascontiguousarray(a)


def _unaligned(a):
    buf = np.zeros(a.nbytes + 1, dtype=np.uint8)
    out = np.frombuffer(buf.data, dtype=a.dtype, count=a.size, offset=1).reshape(a.shape)
    out[...] = a
    return out


def _noncontig(a):
    big = np.zeros(a.shape[:-1] + (2 * a.shape[-1],), dtype=a.dtype)
    big[..., ::2] = a
    return big[..., ::2]


def _at(a, draw, value):
    b = a.copy()
    if b.size:
        b.flat[draw(st.integers(0, b.size - 1))] = value
    return b


def _resize(a, draw, delta):
    ax = draw(st.integers(0, a.ndim - 1))
    n = a.shape[ax] + delta
    if n < 0:
        n = 0
    idx = np.arange(n) % max(a.shape[ax], 1)
    return np.take(a, idx, axis=ax) if a.shape[ax] else np.zeros(a.shape[:ax] + (n,) + a.shape[ax + 1:], a.dtype)


def _empty_axis(a, draw):
    ax = draw(st.integers(0, a.ndim - 1))
    return np.take(a, np.arange(0), axis=ax)


def _huge_axis(a, draw):
    ax = draw(st.integers(0, a.ndim - 1))
    shape = list(a.shape)
    shape[ax] = HUGE
    return np.broadcast_to(np.zeros((1,) * a.ndim, a.dtype), tuple(shape))


def _array_common(a):
    """Mutations shared by float and integer arrays."""
    m = [
        ("none", lambda d: (None, None)),
        ("scalar", lambda d: (1.0, None)),
        ("string", lambda d: ("abc", None)),
        ("dict", lambda d: ({"a": 1}, None)),
        ("ragged", lambda d: ([[1.0], [1.0, 2.0]], None)),
        ("object-dtype", lambda d: (a.astype(object), None)),
        ("str-dtype", lambda d: (a.astype(str), None)),
        ("complex-dtype", lambda d: (a.astype(complex), None)),
        ("readonly", lambda d: (_readonly(a), _c(a))),
        ("byteswapped", lambda d: (a.astype(a.dtype.newbyteorder()), _c(a))),
        ("list", lambda d: (a.tolist(), _c(a))),
        ("unaligned", lambda d: (_unaligned(a), _c(a))),
        ("ndim+1", lambda d: (a[..., None], None)),
        ("shape+1", lambda d: (_resize(a, d, +1), None)),
        ("shape-1", lambda d: (_resize(a, d, -1), None)),
    ]
    if a.ndim >= 1:
        m += [("ndim-1", lambda d: (a.reshape(-1)[:1].reshape(()) if a.ndim == 1 else a.reshape(a.shape[0], -1)[:, 0], None)),
              ("empty-axis", lambda d: (_empty_axis(a, d), None)),
              ("reversed", lambda d: (a[::-1], _c(a[::-1])))]
        if a.size:
            m.append(("noncontiguous", lambda d: (_noncontig(a), _c(a))))
        if not UNDER_ASAN:
            m.append(("huge-axis", lambda d: (_huge_axis(a, d), None)))
    if a.ndim >= 2:
        m.append(("fortran", lambda d: (np.asfortranarray(a), _c(a))))
        m.append(("transposed", lambda d: (a.T, _c(a.T))))
    return m


def _readonly(a):
    b = a.copy()
    b.flags.writeable = False
    return b


def float_array(a):
    m = _array_common(a) + [
        ("nan", lambda d: (_at(a, d, np.nan), None)),
        ("inf", lambda d: (_at(a, d, np.inf), None)),
        ("-inf", lambda d: (_at(a, d, -np.inf), None)),
        ("huge-value", lambda d: (_at(a, d, 1e308), None)),
        ("tiny-value", lambda d: (_at(a, d, 5e-324), None)),
        ("zeros", lambda d: (np.zeros_like(a), None)),
        ("negated", lambda d: (-a, None)),
        ("scaled", lambda d: (a * d(st.sampled_from([1e-300, 1e-8, 1e8, 1e150])), None)),
        ("float32", lambda d: (a.astype(np.float32), a.astype(np.float32).astype(np.float64))),
        ("int64", lambda d: (np.round(a).astype(np.int64), np.round(a).astype(np.float64))),
        ("bool", lambda d: (a != 0, (a != 0).astype(np.float64))),
        ("float16", lambda d: (a.astype(np.float16), a.astype(np.float16).astype(np.float64))),
        ("longdouble", lambda d: (a.astype(np.longdouble), None)),
    ]
    return m


def int_array(a):
    m = _array_common(a) + [
        ("negative-entry", lambda d: (_at(a, d, -1), None)),
        ("huge-entry", lambda d: (_at(a, d, np.iinfo(a.dtype).max), None)),
        ("min-entry", lambda d: (_at(a, d, np.iinfo(a.dtype).min) if a.dtype.kind == "i" else _at(a, d, 0), None)),
        ("entry+1", lambda d: (_at(a, d, int(a.max(initial=0)) + 1), None)),
        ("float-dtype", lambda d: (a.astype(np.float64), None)),
        ("int32", lambda d: (a.astype(np.int32), None)),
        ("uint64", lambda d: (a.astype(np.uint64), None)),
    ]
    return m


def float_scalar(v):
    return [
        ("nan", lambda d: (float("nan"), None)),
        ("inf", lambda d: (float("inf"), None)),
        ("-inf", lambda d: (float("-inf"), None)),
        ("zero", lambda d: (0.0, None)),
        ("-zero", lambda d: (-0.0, None)),
        ("negative", lambda d: (-abs(float(v)) - 1.0, None)),
        ("huge", lambda d: (1e308, None)),
        ("-huge", lambda d: (-1e308, None)),
        ("denormal", lambda d: (5e-324, None)),
        ("bigint", lambda d: (2 ** 1100, None)),
        ("none", lambda d: (None, None)),
        ("string", lambda d: ("1.0", None)),
        ("complex", lambda d: (complex(1.0, 1.0), None)),
        ("array", lambda d: (np.ones(2), None)),
        ("np.float64", lambda d: (np.float64(v), v)),
        ("random", lambda d: (d(st.floats(allow_nan=True, allow_infinity=True)), None)),
    ]


def int_scalar(v):
    return [
        ("-1", lambda d: (-1, None)),
        ("zero", lambda d: (0, None)),
        ("one", lambda d: (1, None)),
        ("int32max", lambda d: (2 ** 31 - 1, None)),
        ("int32max+1", lambda d: (2 ** 31, None)),
        ("int64max", lambda d: (2 ** 63 - 1, None)),
        ("int64min", lambda d: (-2 ** 63, None)),
        ("int64max+1", lambda d: (2 ** 63, None)),
        ("2**64+5", lambda d: (2 ** 64 + 5, None)),
        ("float", lambda d: (float(v) + 0.5, None)),
        ("float-integral", lambda d: (float(v), None)),
        ("none", lambda d: (None, None)),
        ("string", lambda d: (str(v), None)),
        ("np.int64", lambda d: (np.int64(v), v)),
        ("np.int32", lambda d: (np.int32(v), v)),
        ("random", lambda d: (d(st.integers(-2 ** 70, 2 ** 70)), None)),
    ]


def bool_scalar(v):
    return [("two", lambda d: (2, None)), ("none", lambda d: (None, None)), ("string", lambda d: ("yes", None)),
            ("array", lambda d: (np.ones(3), None)), ("np.bool_", lambda d: (np.bool_(v), v))]


def bitgen(v):
    return [
        ("none", lambda d: (None, None)),
        ("int", lambda d: (0, None)),
        ("generator", lambda d: (np.random.default_rng(0), None)),
        ("string", lambda d: ("pcg", None)),
        ("object", lambda d: (object(), None)),
        ("mt19937", lambda d: (np.random.MT19937(0), None)),
        ("philox", lambda d: (np.random.Philox(0), None)),
    ]


def _raiser(*args):
    raise Sentinel("raised by the fuzzer's progress callback")


def callback(v):
    return [
        ("not-callable", lambda d: (5, None)),
        ("string", lambda d: ("print", None)),
        ("raises", lambda d: (_raiser, None)),
        ("none", lambda d: (None, None)),
    ]


def string(v):
    return [("empty", lambda d: ("", None)), ("unknown", lambda d: ("no-such-option", None)),
            ("none", lambda d: (None, None)), ("int", lambda d: (5, None))]


def optional_none(v):
    return [("string", lambda d: ("abc", None)), ("int", lambda d: (3, None)), ("object", lambda d: (object(), None))]


BY_KIND = {"farray": float_array, "iarray": int_array, "float": float_scalar, "int": int_scalar,
           "code": int_scalar, "bool": bool_scalar, "bitgen": bitgen, "callable": callback, "str": string,
           "none": optional_none}


def mutations(kind, value):
    return BY_KIND.get(kind, lambda v: [("none", lambda d: (None, None))])(value)


#: Junk for the signature-only tier (targets without a spec).
JUNK = [None, 0, -1, 1, 2 ** 31, 2 ** 63, -2 ** 63 - 1, 0.5, float("nan"), float("inf"), "abc", b"x", object(),
        [], [1.0, 2.0], {"a": 1}, np.zeros(0), np.zeros((0, 3)), np.ones(3), np.ones((2, 2)), np.eye(3),
        np.array([np.nan]), np.array(["a"]), np.ones(3, dtype=complex), np.ones(3, dtype=object),
        np.ones(4, dtype=np.int32), np.random.PCG64(0), np.random.default_rng(0), _raiser]
