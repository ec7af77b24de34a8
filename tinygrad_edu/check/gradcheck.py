"""Autograd's own derivatives against central differences: numerical_grad and gradcheck.

It imports the engine only.
"""

import warnings

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor

# ----- gradcheck ---------------------------------------------------------------------------------

def numerical_grad(f, inputs, i, eps=1e-6):
    """Central difference ∂f/∂inputs[i] of sum(f(*inputs)), in float64.

    >>> numerical_grad(lambda x: x * x, [np.array([3.0])], 0).round(6)
    array([6.])
    """
    x = inputs[i]
    g = np.zeros(x.shape, dtype=np.float64)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    with no_grad():
        for k in range(flat.size):
            old = flat[k]
            flat[k] = old + eps
            up = float(np.sum(np.asarray(f(*[Tensor(a) for a in inputs]))))
            flat[k] = old - eps
            down = float(np.sum(np.asarray(f(*[Tensor(a) for a in inputs]))))
            flat[k] = old
            gflat[k] = (up - down) / (2 * eps)
    return g


def gradcheck(f, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Compare autograd's gradient of sum(f(*inputs)) with central differences, for every input.

    Returns True, or raises AssertionError naming the input, the worst element's index and both
    values. Checks run in float64 on copies; float32 inputs are converted, with a warning.

    >>> gradcheck(lambda x: (x * x).sum(), np.array([1.0, -2.0]))
    True
    """
    arrays, labels = [], []
    for k, a in enumerate(inputs):
        labels.append(f"input {k}" + (f" ({a.name})" if isinstance(a, Tensor) and a.name else ""))
        a = np.array(a._data if isinstance(a, Tensor) else a, copy=True)
        if a.dtype != np.float64:
            if np.issubdtype(a.dtype, np.floating):
                warnings.warn(f"gradcheck: {labels[-1]} of dtype {a.dtype} converted to float64; "
                              "central differences are too coarse in single precision",
                              stacklevel=2)
            a = a.astype(np.float64)
        arrays.append(a)
    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = f(*leaves)
    if not isinstance(out, Tensor) or not out.requires_grad:
        raise ValueError("gradcheck: f must return a Tensor computed from its inputs")
    out.sum().backward()
    for i, leaf in enumerate(leaves):
        analytic = np.zeros_like(arrays[i]) if leaf.grad is None else leaf.grad._data
        numeric = numerical_grad(f, arrays, i, eps)
        if analytic.shape != numeric.shape:
            raise AssertionError(f"gradcheck: {labels[i]}: gradient shape {analytic.shape}, "
                                 f"expected {numeric.shape}")
        err = np.abs(analytic - numeric)
        bad = ~(err <= atol + rtol * np.abs(numeric))  # nan counts as bad
        if bad.any():
            k = np.unravel_index(np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1)),
                                 numeric.shape)
            raise AssertionError(
                f"gradcheck: {labels[i]} of shape {numeric.shape}: at index "
                f"{tuple(map(int, k))} autograd gives {analytic[k]:.10g} but the numerical "
                f"gradient is {numeric[k]:.10g} (eps={eps}, atol={atol}, rtol={rtol}); "
                f"{int(bad.sum())} of {bad.size} elements disagree"
            )
    return True
