# ruff: noqa  (a learner's program, kept in their style)
"""My reader of the IDX files I downloaded (not here)."""
import numpy as np


def load(folder="mnist"):
    with open(folder + "/train-images-idx3-ubyte", "rb") as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).T / 255.0
    with open(folder + "/train-labels-idx1-ubyte", "rb") as f:
        Y = np.frombuffer(f.read(), np.uint8, offset=8)
    return X[:, :50000], Y[:50000], X[:, 50000:], Y[50000:]
