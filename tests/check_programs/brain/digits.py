# ruff: noqa  (a learner's program, kept in their style)
"""my loader: reads the idx files I downloaded"""
import numpy as np


def load():
    with open("train-images.idx3-ubyte", "rb") as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784) / 255
    with open("train-labels.idx1-ubyte", "rb") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return list(zip(X[:50000], y[:50000])), list(zip(X[50000:], y[50000:]))
