"""tinygrad_edu: a small, fast, honest reverse-mode autodiff engine for learning backpropagation.

>>> from tinygrad_edu import Tensor
>>> x = Tensor([2.0], requires_grad=True)
>>> (x * x).backward()
>>> x.grad.item()
4.0
"""

from . import functional, ops
from .autograd import Tape, detect_anomaly, enable_grad, is_grad_enabled, no_grad, unbroadcast
from .explain import explain  # the function; the module stays tinygrad_edu.explain
from .jit import jit  # the function, as explain; the module stays tinygrad_edu.jit
from .tensor import Tensor, concatenate, grad, maximum, minimum, stack, vjp, where

__version__ = "0.1.0"

__all__ = [
    "Tensor", "Tape", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
    "unbroadcast", "grad", "vjp", "concatenate", "stack", "where", "maximum", "minimum",
    "functional", "ops", "explain", "jit",
]
