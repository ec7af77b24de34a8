# ruff: noqa  (a learner's program, kept in their style)
import numpy as np


def load_mnist_csv(train_file, test_file):
    tr = np.loadtxt(train_file, delimiter=',', skiprows=1)
    te = np.loadtxt(test_file, delimiter=',', skiprows=1)
    train_x = tr[:, 1:].T / 255.
    train_y = np.eye(10)[tr[:, 0].astype(int)].T
    test_x = te[:, 1:].T / 255.
    return train_x, train_y, test_x, te[:, 0].astype(int)
