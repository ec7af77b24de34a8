"""What every loader in tinygrad_edu.data shares: the Split and Dataset it returns, the DataError
it raises when a file is not what it claims to be, and where the bundled files live with their
SHA-256. Imports numpy and the standard library only; importing it reads nothing.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

FILES = Path(__file__).with_name("files")

SHA256 = {  # the files bundled in FILES, checked by tests/test_data.py
    "train-images-idx3-ubyte.gz":
        "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
    "train-labels-idx1-ubyte.gz":
        "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
    "t10k-images-idx3-ubyte.gz":
        "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
    "t10k-labels-idx1-ubyte.gz":
        "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
    "digits.zip":
        "f62c376777f80ea4dc9703f8356696789bac944f0d0917c86ded8d7bb2a3f04b",
}


class DataError(ValueError):
    """A data file that exists but does not hold what its format promises (the message names it)."""


@dataclass(eq=False)
class Split:
    """One part of a dataset: inputs X (one example per row) and targets y; unpacks as X, y.

    >>> X, y = Split(np.zeros((2, 3)), np.array([0, 1]))
    >>> X.shape, len(Split(X, y))
    ((2, 3), 2)
    """

    X: np.ndarray
    y: np.ndarray

    def __iter__(self):
        return iter((self.X, self.y))

    def __len__(self):
        return len(self.X)

    def __repr__(self):
        return f"Split(X={self.X.dtype}{self.X.shape}, y={self.y.dtype}{self.y.shape})"


@dataclass(eq=False)
class Dataset:
    """The train, validation (None when there is none) and test Splits of one dataset.

    >>> s = Split(np.zeros((2, 3)), np.array([0, 1]))
    >>> Dataset(train=s, validation=None, test=s).test
    Split(X=float64(2, 3), y=int64(2,))
    """

    train: Split
    validation: Split | None
    test: Split


def one_hot(y, num_classes=10, *, dtype="float32"):
    """Turn integer labels of shape (n,) into rows of shape (n, num_classes) with a 1 at the label.

    >>> one_hot(np.array([2, 0]), 3)
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    y = np.asarray(y)
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be a whole number ≥ 1, got {num_classes!r}; "
                         "pass the number of classes, e.g. 10 for digits")
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(f"one_hot: expected a 1-D array of integer labels, got {y.dtype}{y.shape}")
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(
            f"one_hot: labels must lie in 0..{num_classes - 1}, got {y.min()}..{y.max()}; "
            "pass a larger num_classes?"
        )
    return np.eye(num_classes, dtype=dtype)[y]
