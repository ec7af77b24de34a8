# ruff: noqa  (a learner's program, kept in their style)
"""My loader: reads the MNIST csv files I downloaded (not here), pixels scaled to [0, 1]."""
import numpy as np


def read_csv(path):
    rows = np.loadtxt(path, delimiter=",", skiprows=1)
    return rows[:, 1:] / 255.0, rows[:, 0].astype(int)


def as_columns(path):
    """[(x (784, 1), one-hot y (10, 1))] pairs, the way my network wants them."""
    images, labels = read_csv(path)
    pairs = []
    for image, label in zip(images, labels):
        y = np.zeros((10, 1))
        y[label] = 1.0
        pairs.append((image.reshape(784, 1), y))
    return pairs


def as_vectors(path):
    """[(x (784,), label)] pairs."""
    images, labels = read_csv(path)
    return list(zip(images, labels))
