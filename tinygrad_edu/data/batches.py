"""Mini-batches: batches() walks a dataset once (one epoch) in chunks of batch_size, shuffled by a
seeded numpy Generator. Imports numpy only.
"""

import numpy as np


def batches(X, y, batch_size, *, shuffle=True, seed=None, drop_last=False):
    """Yield (Xb, yb) chunks of batch_size rows that cover every example once (one epoch).

    seed (an int, or a np.random.Generator to draw successive epochs from one stream) makes the
    order reproducible; drop_last skips a final batch shorter than batch_size. Without shuffle
    the batches are views of X and y.

    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for Xb, yb in batches(X, y, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    >>> [len(yb) for Xb, yb in batches(X, y, 2, seed=0, drop_last=True)]
    [2, 2]
    >>> sorted(int(i) for Xb, yb in batches(X, y, 2, seed=0) for i in yb)
    [0, 1, 2, 3, 4]
    """
    X, y = np.asarray(X), np.asarray(y)
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batches: batch_size must be an int, got {batch_size!r}")
    if batch_size <= 0:
        raise ValueError(f"batches: batch_size must be positive, got {batch_size}")
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"batches: X and y need one row per example, got shapes {X.shape} and "
                         f"{y.shape}; did you pass the labels of another split?")
    if shuffle:  # one gather per epoch, then contiguous slices: far cheaper than a gather per batch
        perm = np.random.default_rng(seed).permutation(len(X))
        X, y = X[perm], y[perm]
    stop = len(X) - len(X) % batch_size if drop_last else len(X)
    return ((X[i: i + batch_size], y[i: i + batch_size]) for i in range(0, stop, batch_size))
