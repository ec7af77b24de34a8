"""The books' hand-derived backprops (BP1–BP4), each in its source's notation and data layout.

numpy only: tinygrad_edu.check compares the engine against these, so they never import it. One
module per source: nielsen (Nielsen's book), dlfs (Deep Learning from Scratch), threeb1b
(3Blue1Brown) and digits32 (seed 003's 32×32 digits network).
"""

from . import digits32, dlfs, nielsen, threeb1b

__all__ = ["digits32", "dlfs", "nielsen", "threeb1b"]
