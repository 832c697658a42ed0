"""Data sets: scikit-learn's bundled 8x8 digits, and MNIST/CIFAR-style files the user has on disk.

No data is downloaded. ``load_digits_split`` works out of the box; ``load_idx`` reads the IDX
format of MNIST / Fashion-MNIST (optionally gzip-compressed) and ``load_arrays`` NumPy .npy/.npz
files.
"""
import gzip
import os
from dataclasses import dataclass

import numpy as np

from ..._random import as_generator


@dataclass
class DataSplit:
    """Train and test arrays; X rows are samples (float64), y integer labels."""
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    shape: tuple = None     # per-sample image shape (H, W, C) when the data are images
    n_classes: int = 10


def stratified_split(y, test_size, rng=None):
    """Indices (train, test) with each class split in proportion; test_size is a fraction or a count."""
    y = np.asarray(y)
    rng = as_generator(rng)
    n = len(y)
    n_test = int(round(test_size * n)) if test_size < 1 else int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"argument 'test_size' must leave both splits non-empty, got {test_size!r} of {n}")
    test = []
    classes, counts = np.unique(y, return_counts=True)
    quota = np.floor(counts * n_test / n).astype(int)
    rem = n_test - quota.sum()
    frac = counts * n_test / n - quota
    quota[np.argsort(-frac)[:rem]] += 1
    for c, q in zip(classes, quota):
        idx = np.flatnonzero(y == c)
        test.append(rng.permutation(idx)[:q])
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(n), test)
    return rng.permutation(train), test


def _scale(X, scale, ref):
    if scale == "pm1":
        return X / 8.0 - 1.0
    if scale == "unit":
        return X / 16.0
    if scale == "zscore":
        return (X - ref.mean()) / ref.std()
    if scale == "none":
        return X
    raise ValueError(f"argument 'scale' must be 'pm1', 'unit', 'zscore' or 'none', got {scale!r}")


def load_digits_split(test_size=497, scale="pm1", rng=0):
    """scikit-learn's 8x8 digits (1797 x 64, values 0..16), stratified train/test split.

    Parameters
    ----------
    test_size : int or float
        Test samples (count, or fraction if < 1). Default 497 (1300 train / 497 test).
    scale : {'pm1', 'unit', 'zscore', 'none'}
        [-1, 1], [0, 1], global scalar z-score (statistics of the training set), or raw.
    rng : int, Generator or None
        Seeds the split.
    """
    from sklearn.datasets import load_digits
    d = load_digits()
    X, y = d.data.astype(float), d.target.astype(np.int64)
    tr, te = stratified_split(y, test_size, rng)
    Xtr = _scale(X[tr], scale, X[tr])
    Xte = _scale(X[te], scale, X[tr])
    return DataSplit(Xtr, y[tr], Xte, y[te], shape=(8, 8, 1), n_classes=10)


def _missing(path, what):
    return FileNotFoundError(f"{what} file not found: {path!r}. neurocore downloads nothing; put the file there "
                             f"(e.g. the MNIST IDX files train-images-idx3-ubyte[.gz]) or pass the right path")


_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def load_idx(path):
    """Read one IDX file (MNIST format, optionally .gz) into an array of its stored shape."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise _missing(path, "IDX")
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path!r} is not an IDX file (bad magic number)")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    data = np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path!r}: header says shape {dims} but the file holds {data.size} values")
    return data.reshape(dims)


def load_mnist_idx(directory, prefix="", scale="unit"):
    """MNIST-style IDX quartet in ``directory`` (train/t10k images and labels, .gz or not).

    Returns a :class:`DataSplit` with X flattened to (n, 784) and scaled to [0, 1] ('unit'),
    [-1, 1] ('pm1') or raw ('none')."""
    def find(stem):
        for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
            p = os.path.join(directory, prefix + name)
            if os.path.exists(p):
                return p
        raise _missing(os.path.join(directory, prefix + stem), "IDX")
    Xtr = load_idx(find("train-images-idx3-ubyte")).astype(float)
    ytr = load_idx(find("train-labels-idx1-ubyte")).astype(np.int64)
    Xte = load_idx(find("t10k-images-idx3-ubyte")).astype(float)
    yte = load_idx(find("t10k-labels-idx1-ubyte")).astype(np.int64)
    f = {"unit": lambda a: a / 255.0, "pm1": lambda a: a / 127.5 - 1.0, "none": lambda a: a}
    if scale not in f:
        raise ValueError(f"argument 'scale' must be 'unit', 'pm1' or 'none', got {scale!r}")
    shape = Xtr.shape[1:] + (1,)
    return DataSplit(f[scale](Xtr.reshape(len(Xtr), -1)), ytr, f[scale](Xte.reshape(len(Xte), -1)), yte,
                     shape=shape, n_classes=int(max(ytr.max(), yte.max()) + 1))


def load_arrays(path, keys=("X_train", "y_train", "X_test", "y_test"), image_shape=None):
    """A data set stored as NumPy arrays: an .npz with the four ``keys`` (CIFAR-style images may be
    (n, H, W, C); they are flattened in that NHWC order), or a directory of ``<key>.npy`` files."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise _missing(path, "NumPy data")
    if os.path.isdir(path):
        arrs = []
        for k in keys:
            p = os.path.join(path, k + ".npy")
            if not os.path.exists(p):
                raise _missing(p, "NumPy array")
            arrs.append(np.load(p, allow_pickle=False))
    else:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in keys if k not in z]
            if missing:
                raise KeyError(f"{path!r} lacks the arrays {missing}; it holds {sorted(z.files)}")
            arrs = [z[k] for k in keys]
    Xtr, ytr, Xte, yte = arrs
    shape = image_shape or (tuple(Xtr.shape[1:]) if Xtr.ndim == 4 else None)
    return DataSplit(Xtr.reshape(len(Xtr), -1).astype(float), ytr.astype(np.int64),
                     Xte.reshape(len(Xte), -1).astype(float), yte.astype(np.int64), shape=shape,
                     n_classes=int(max(ytr.max(), yte.max()) + 1))
