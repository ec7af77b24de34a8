"""Checking gradients: hand-derived backprop against autograd, layer by layer, and autograd against
central differences.

One module per idea: ``verify`` (a learner's backprop against autograd, and ``check_preset`` on
a book's reference backprop), ``gradcheck`` (the engine's derivatives against central
differences), ``learner`` (the learner protocol: what the whole-program checks know of a
learner's program), ``program`` (``check_program``: every check on a learner's whole program),
``adapter`` (a few explicit lines that describe any other program as a Learner) and ``report``
(what every check fills in, as text, markdown, HTML and JSON).
"""

# the whole-program checks, one module each, and the oracle they share: check.forward.run, ...
from . import book, evaluation, forward, gradients, learning, minibatches, oracle, update  # noqa: F401
from .adapter import Adapter
from .gradcheck import gradcheck, numerical_grad
from .learner import Data, Learner, Param, Sample, Where
from .program import check_program
from .report import CheckResult, ProgramReport, Report, Row
from .verify import RTOL, SCALE_FLOOR, check_preset, verify

__all__ = ["verify", "check_preset", "gradcheck", "numerical_grad", "Report", "Row", "RTOL",
           "SCALE_FLOOR", "Learner", "Param", "Where", "Sample", "Data", "CheckResult",
           "ProgramReport", "Adapter", "check_program"]
