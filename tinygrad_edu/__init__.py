"""tinygrad_edu: a small, fast, honest reverse-mode autodiff engine for learning backpropagation.

>>> from tinygrad_edu import Tensor
>>> x = Tensor([2.0], requires_grad=True)
>>> (x * x).backward()
>>> x.grad.item()
4.0

The engine (Tensor, the tape) is imported at once; the submodules ``te.nn``, ``te.optim``,
``te.functional``, ``te.viz``, ``te.check``, ``te.data``, ``te.explain`` and ``te.jit`` on first
use (PEP 562), so ``import tinygrad_edu`` stays fast and ``te.viz.draw(loss)`` needs no import of
its own.
"""

import importlib
import sys
import types

from . import ops
from .autograd import Tape, detect_anomaly, enable_grad, is_grad_enabled, no_grad, unbroadcast
from .tensor import Tensor, concatenate, grad, maximum, minimum, stack, vjp, where

__version__ = "0.1.0"

SUBMODULES = ("functional", "nn", "optim", "viz", "check", "data", "presets")

__all__ = [
    "Tensor", "Tape", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly",
    "unbroadcast", "grad", "vjp", "concatenate", "stack", "where", "maximum", "minimum",
    "functional", "ops", "explain", "jit", "nn", "optim", "viz", "check", "data",
]


def __getattr__(name):
    """Import a submodule the first time te.<name> is read."""
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tinygrad_edu' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(SUBMODULES))


class _Package(types.ModuleType):
    """te.explain and te.jit are the functions explain() and jit(), imported on first use.
    Importing the module tinygrad_edu.explain or tinygrad_edu.jit (as check, train and cli do)
    would put the module there; the setters keep the functions."""

    @property
    def explain(self):
        return importlib.import_module(".explain", __name__).explain

    @explain.setter
    def explain(self, module):
        pass

    @property
    def jit(self):
        return importlib.import_module(".jit", __name__).jit

    @jit.setter
    def jit(self, module):
        pass


sys.modules[__name__].__class__ = _Package
