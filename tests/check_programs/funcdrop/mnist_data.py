# ruff: noqa  (a learner's program, kept in their style)
"""Loads the arrays I saved from Kaggle's MNIST (not here), as columns, one-hot labels."""
import numpy as np


def load_mnist(path="mnist.npz"):
    data = np.load(path)
    Y = np.eye(10)[data["y_train"]].T
    return data["x_train"].reshape(-1, 784).T / 255.0, Y, data["x_test"].reshape(-1, 784).T / 255.0, data["y_test"]
