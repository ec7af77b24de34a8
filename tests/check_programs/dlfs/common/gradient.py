# ruff: noqa  (a learner's program, kept in their style)
import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        keep = x[idx]
        x[idx] = keep + h
        fxh1 = f(x)
        x[idx] = keep - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = keep
        it.iternext()
    return grad
