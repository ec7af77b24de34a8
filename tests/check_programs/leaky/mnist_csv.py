# ruff: noqa  (a learner's program, kept in their style)
import numpy as np


def load_csv(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, 1:], data[:, 0].astype(int)
