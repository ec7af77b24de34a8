"""The forward check: the learner's forward pass returns the network's output, of the right shape,
equal to the oracle's output from the same weights (seed 001's `feedforward` without `return a`).

It imports the oracle (for the right answer) and calls (to report the learner's exceptions).
"""

import ast
import dataclasses

import numpy as np

from . import helpers
from .calls import function, function_node, raised, skipped, where
from .oracle import rel_error, tolerance
from .report import CheckResult
from .verify import DEFAULT_BATCH


def run(learner, data, oracle):
    """Run the learner's forward on a batch and compare it with the oracle's output."""
    if learner.forward is None:
        return skipped("forward", f"{learner.name} has no forward pass the checker can call")
    batch = data.train.take(slice(0, DEFAULT_BATCH))
    m, n_out = len(batch), oracle.layers[-1].n_out
    name = function(learner, "forward", "the forward pass")
    place = where(learner, "forward")
    try:
        out = learner.forward(batch.X)
    except Exception as e:
        return raised("forward", e, learner, "forward")
    if out is None:
        computed, line = _last_assigned(learner.where.get("forward"))
        what = f"it computes {computed} but never returns it (add `return {computed}`)" \
            if computed else "add `return` with the network's output at its end"
        return CheckResult("forward", "wrong", f"{name} returns None: {what}",
                           details=["every caller of it (evaluation, accuracy) then sees None "
                                    "instead of the output, so accuracy cannot change"],
                           where=place if line is None else  # the line the return follows
                           str(dataclasses.replace(learner.where["forward"], line=line)),
                           data={"returned": None})
    if isinstance(out, np.ndarray) and out.shape == (n_out, m) != (m, n_out):
        out = out.T  # columns, as the learner's code holds them
    if not isinstance(out, np.ndarray):
        return CheckResult("forward", "wrong",
                           f"{name} returns a {type(out).__name__}, not the network's output "
                           f"array of shape ({m}, {n_out}) for {m} examples", where=place,
                           data={"returned": type(out).__name__})
    if out.shape != (m, n_out):
        return CheckResult("forward", "wrong",
                           f"{name} returns shape {out.shape} for {m} examples; the network's "
                           f"output is {n_out} numbers per example", where=place,
                           details=[f"expected {m} examples of {n_out} outputs ({m}, {n_out}) "
                                    f"in rows, or ({n_out}, {m}) in columns"],
                           data={"shape": list(out.shape)})
    expected = oracle.output(batch.X)
    err = rel_error(out, expected)
    data_ = {"max_rel_error": err, "network": oracle.describe()}
    if err <= tolerance(out.dtype if out.dtype.kind == "f" else oracle.dtype) * 10:
        negated = helpers.negated_cost(learner, out, batch.Y)
        if negated:  # the forward pass is right; the cost it prints is not
            at, said = negated
            return CheckResult("forward", "wrong",
                               f"{name} returns the network's output, but {said}",
                               details=[f"the forward pass itself is right ({oracle.describe()}"
                                        f"; max rel error {err:.1e})"], where=at, data=data_)
        return CheckResult("forward", "ok",
                           f"{name} returns the network's output ({oracle.describe()}; max rel "
                           f"error {err:.1e})", where=place, data=data_)
    diff = np.abs(out.astype(np.float64) - expected)
    i, j = np.unravel_index(np.argmax(diff), diff.shape)
    details = [f"worst at example {i}, output {j}: yours {out[i, j]:.6g}, the network's "
               f"{expected[i, j]:.6g}",
               f"{int((diff > 1e-6 * max(np.abs(expected).max(), 1e-8)).sum())} of {diff.size} "
               "outputs differ",
               "the oracle computes, from your weights: " + _formula(oracle)]
    details += [f"note: {n}" for n in oracle.notes]
    softmax = helpers.wrong_softmax(learner, oracle)
    if softmax:  # the output's own helper is wrong: its line is the place
        place, said = softmax
        details.insert(0, said)
        data_["helper"] = place
    return CheckResult("forward", "wrong",
                       f"{name} returns an output that differs from the network its weights "
                       f"define (max rel error {err:.2g})", details=details, where=place,
                       data=data_)


def _formula(oracle):
    steps = []
    for k, L in enumerate(oracle.layers):
        Wa = f"{L.W}·a" if L.orientation == "Wa" else f"a·{L.W}"
        z = f"{Wa} + {L.b}" if L.b else Wa
        act = oracle.activation if k < len(oracle.layers) - 1 else oracle.output_activation
        steps.append(f"a = {act}({z})" if act != "identity" else f"a = {z}")
    return "; ".join(steps)


def _last_assigned(w):
    """(the name the learner's function assigns last ('a'), its line), read from its source,
    or (None, None)."""
    node = function_node(w)
    if node is None:
        return None, None
    names = [t for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign))
             for t in (n.targets if isinstance(n, ast.Assign) else [n.target])]
    names.sort(key=lambda t: (t.lineno, t.col_offset))
    return (ast.unparse(names[-1]), names[-1].lineno) if names else (None, None)
