"""The gradients check: the learner's own gradients against autograd's on the oracle, per layer and
in the learner's names, with where they differ (how many entries, which neuron, which example).

It runs ``verify`` with the oracle as the forward pass, then reads the result in the learner's
dtype and batch convention. It imports verify, the oracle, book (to name a textbook rule)
and calls.
"""

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from . import book, calls, helpers
from .calls import assigns, delta_line, function, function_node, line_like, raised, skipped, where
from .learner import drawn
from .oracle import CARRIES, COSTS, INPUT_SCALES, agree, rel_error, tolerance
from .report import CheckResult
from .verify import DEFAULT_BATCH, batch_factor, says_where, verify, where_text


def run(learner, data, oracle):
    """verify the learner's grads(X, Y) against autograd on a batch of DEFAULT_BATCH examples."""
    if learner.grads is None:
        return skipped("gradients", f"{learner.name} offers no gradients to compare (no "
                       "backprop, and no update to derive them from)")
    batch = data.train.take(slice(0, DEFAULT_BATCH))
    name = function(learner, "backprop", "the backprop")
    place = where(learner, "backprop")
    before = learner.snapshot()
    try:
        got = learner.grads(batch.X, batch.Y)
    except Exception as e:
        return raised("gradients", e, learner, "backprop")
    moved = [n for n, a in learner.snapshot().items() if not np.array_equal(a, before[n])]
    if moved:  # before anything else: every gradient after this is of other weights
        learner.restore(before)
        more = f" and {len(moved) - 1} more" if len(moved) > 1 else ""
        return CheckResult("gradients", "wrong", f"{name} changes {moved[0]}{more} while it "
                           "computes the gradients: a backprop must only read the parameters",
                           details=["is a line that sets a parameter (from __init__, "
                                    "`self.W2 = np.random.randn(...)`, or the update) in the "
                                    "backprop? The gradients after it are those of other "
                                    "weights, and training starts over from them"],
                           where=assigns(learner, "backprop", moved[:1], layers=False,
                                         gradients=False),
                           data={"changed": moved})
    if not isinstance(got, Mapping):
        return CheckResult("gradients", "wrong",
                           f"{name} gave a {type(got).__name__}, not one gradient per parameter",
                           where=place)
    # Only the parameters' gradients are compared; a recognizer may hand over more (δs).
    got = {k: (np.array(v, copy=True) if v is not None else None) for k, v in got.items()
           if k in oracle.names}
    dtype = _dtype(got, oracle)
    report = verify(oracle.forward, lambda p, x, y: dict(got), oracle.arrays(), batch.X, batch.Y,
                    dtype=dtype)
    loss, _ = oracle.loss(batch.X, batch.Y)
    expected = oracle.gradients(batch.X, batch.Y)
    reduce = "summed" if oracle.reduction in ("sum", "outputs") else "averaged"
    setting = (f"cost {oracle.describe()}, {len(batch)} examples; your gradients are read as "
               f"{reduce} over the batch")
    data_ = {"rows": [r.name for r in report.rows], "dtype": str(dtype),
             "reduction": oracle.reduction, "cost": oracle.cost}
    shaped = [n for n in expected if isinstance(got.get(n), np.ndarray)
              and got[n].shape == expected[n].shape]
    k = _common_factor(got, expected, shaped) if len(shaped) == len(expected) else None
    piled = _accumulates(learner, batch, got, expected, shaped, tolerance(dtype))
    if piled:  # right or not the first time, the second call shows it
        return CheckResult("gradients", "wrong", f"{name} adds each call's gradients to the "
                           "last ones: they are never zeroed between steps",
                           details=[piled] + ([] if report.ok else [
                               f"against autograd: {report.diagnosis}"]) + [setting],
                           where=place, report=report, loss=loss, data=data_)
    if not report.ok and k is not None and 0.5 < k < 1 and not np.isclose(k, 0.5, rtol=1e-3):
        # Every gradient alike a little short: gradients taken from an update whose learning
        # rate decays (NNFS's optimizer) come out so; no slip in backprop scales them all alike.
        return CheckResult("gradients", "ok",
                           f"{name}'s gradients agree with autograd's up to one common factor, "
                           f"{k:.4g}, for all {len(shaped)} parameters",
                           details=[f"a learning-rate schedule (decay) in the update the "
                                    f"gradients were taken from scales them all by {k:.4g}",
                                    setting], where=place, report=report, loss=loss,
                           data={**data_, "factor": k})
    if report.ok:
        worst = max((r.max_rel for r in report.rows if r.max_rel is not None), default=0.0)
        details = [setting]
        return CheckResult("gradients", "ok",
                           f"{name}'s gradients agree with autograd for all "
                           f"{sum(r.ok is True for r in report.rows)} parameters (max rel error "
                           f"{worst:.1e})", details=details, where=place, report=report,
                           loss=loss, data=data_)
    decay = book.weight_decay(learner, got, expected, before, tolerance(dtype))
    weights = [p.name for p in learner.params if p.role == "W"]
    those = weights[0] + (f" and {len(weights) - 1} more" if len(weights) > 1 else "")
    if decay is not None and decay < 0:
        return CheckResult("gradients", "wrong",
                           f"{name}'s gradients are autograd's minus {-decay:.4g}·W for the "
                           f"weights ({those}): the L2 weight-decay term has the wrong sign",
                           details=[f"the cost C + ½λ‖W‖² has the gradient ∇C + λ·W: add "
                                    f"{-decay:.4g}·W, do not subtract it (subtracted, every "
                                    "step makes the weights larger)", setting],
                           where=assigns(learner, "backprop", weights[:1]), report=report,
                           loss=loss, data={**data_, "weight_decay": decay})
    if decay is not None:
        return CheckResult("gradients", "ok",
                           f"{name}'s gradients agree with autograd's plus {decay:.4g}·W for "
                           f"the weights ({those}): L2 weight decay, λ = {decay:.4g}, the "
                           "gradient of the cost with ½λ‖W‖² added, which is right",
                           details=[setting], where=place, report=report, loss=loss,
                           data={**data_, "weight_decay": decay})
    moved_by_draws = drawn(learner, batch.X, batch.Y, got, shaped)
    if moved_by_draws:  # no rule of autograd's deterministic network can explain them
        return CheckResult("gradients", "skipped", f"{name}'s gradients draw random numbers "
                           "(dropout?): the same batch gives other gradients "
                           f"({moved_by_draws}) when the random "
                           "numbers change (numpy's, random's or your generator's), so "
                           "autograd, which runs the forward pass without them, cannot check "
                           "them",
                           details=["is that dropout, or noise added in training? To check "
                                    "the gradients, switch it off for the check (dropout's "
                                    "p = 0, keep_prob = 1, in an adapter) and run it again",
                                    setting],
                           where=place, report=report, loss=loss,
                           data={**data_, "random": True})
    averaging = _averaging(got, expected, oracle, len(batch))
    stale = _stale(learner, data, batch, got, tolerance(dtype))
    scaled = None if stale or len(shaped) < len(expected) else _scaled_inputs(
        oracle, batch, got, shaped, tolerance(dtype))
    if scaled:
        c, cost, reduction = scaled
        forward = function(learner, "forward", "your forward pass")
        step, used = c * oracle.input_scale, oracle.input_scale  # as the step and forward see x
        return CheckResult(
            "gradients", "wrong",
            f"{name} computes its gradients for the inputs {_scale_words(step)}, while "
            f"{forward} runs the network on them {_scale_words(used)}: it trains a network on "
            "other inputs than the one that predicts",
            details=[f"your gradients are autograd's exactly for x {_scale_words(step)}, with "
                     f"the {COSTS[cost]} ({'summed' if reduction == 'sum' else 'averaged'} "
                     "over the batch); scale the inputs once, where they are loaded, so that "
                     "training and prediction see the same numbers"],
            where=_scaling_line(learner) or place, report=report, loss=loss,
            data={**data_, "input_scale": c})
    textbook = None if stale else book.rule(got, oracle, batch.X, batch.Y)
    rule = None if not textbook else (
        f"a common slip: your gradients follow {book.VARIANT_WORDS[textbook]} (see the book "
        "check)" if textbook in book.SLIPS else f"a textbook rule, not a slip: your gradients "
        f"follow {book.VARIANT_WORDS[textbook]} (see the book check)")
    lr = float(learner.lr) if learner.lr else None
    twice = (f"every gradient is exactly {k:.4g}× autograd's, and {k:.4g} is your η: is the "
             "learning rate applied in the gradients as well as in the update (a step of "
             "η·η·∇C)?") if k is not None and lr not in (None, 1.0) and \
        np.isclose(k, lr, rtol=1e-6) else None
    details = [stale, twice, averaging, rule] + \
        [_row_line(r) for r in report.rows if r.ok is False] + \
        [f"not returned: {n}" for n in report.missing] + \
        [None if averaging else _worst_example(learner, oracle, batch, report,
                                                tolerance(dtype))] + \
        [setting] + ([f"note: {oracle.closest}"] if oracle.closest and not learner.cost else [])
    summary = f"{name}: {report.diagnosis}"
    if stale:  # the cause, before the rows it explains
        bad = [r.name for r in report.rows if r.ok is False]
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        summary = (f"{name} computes its gradients from stale activations: they change after a "
                   f"forward pass on other examples ({bad[0] if bad else 'none'}{more} "
                   "disagree with autograd)")
        details[1:1] = [f"against autograd: {report.diagnosis}"]
    bad = [r.name for r in report.rows if r.ok is False and r.kind == "param"]
    # every gradient one multiple of autograd's (a sign, 1/m) or a textbook rule: the line of
    # the term at fault (the output δ, σ′)
    at_a = "(a) where δ needs" in (report.diagnosis or "")  # σ′(a) in one layer: its line
    line = line_like(learner, "backprop", textbook or ("delta" if k is not None else "") or
                     ("sigma_prime_of_a" if at_a else ""))
    other_w = re.search(r"BP2 written with (\S+) where it needs (\S+), the W of the layer",
                        report.diagnosis or "")
    if bad and not stale and not line and other_w:  # another layer's W: the line that names it
        line = calls.weight_line(learner, "backprop", *other_w.groups())
    if bad and not stale and not line:
        layer = next((L for L in oracle.layers if bad[0] in (L.W, L.b)), None)
        line = assigns(learner, "backprop", bad[:1]) if _alone(bad[0], oracle, report) else \
            delta_line(learner, "backprop", layer.b if layer else None)  # the layer's δ
    wrong_layers = [L for L in oracle.layers if L.W in bad or L.b in bad]
    helper = None if stale or not bad else (
        oracle.layers[-1] in wrong_layers and (
            helpers.wrong_cost_delta(learner, oracle)
            or helpers.wrong_one_hot(learner, oracle.layers[-1].n_out))
        or helpers.wrong_helper(learner, oracle, wrong_layers)
        or helpers.wrong_layer(learner, oracle, wrong_layers))
    if helper:  # the δ line calls a derivative that is itself wrong: the helper is the place
        line, said = helper
        details.insert(0, said)
        mended = _mended(learner, oracle, batch, dtype)
        if mended:  # and the only mistake: the helper mended, every gradient agrees
            summary = (f"{name}'s gradients are wrong because {' and '.join(mended)} "
                       f"{'is' if len(mended) == 1 else 'are'} not the derivative "
                       f"{'it is' if len(mended) == 1 else 'they are'} named for: mended, the "
                       f"gradients of all {len(report.rows)} parameters agree with autograd's")
            details.insert(1, f"against autograd, as your code computes them: {report.diagnosis}")
            details = [d for d in details if not (d or "").startswith("note: the output layer")]
    return CheckResult("gradients", "wrong", summary, details=[d for d in details if d],
                       # stale: the fault is a missing forward call, no one line
                       where=line or place, report=report, loss=loss, data=data_)


def _mended(learner, oracle, batch, dtype):
    """The names of the learner's wrong derivative helpers when, mended (helpers.
    right_derivatives, written for z or for a), they leave the learner's code computing
    autograd's gradients for every parameter; else None."""
    expected = oracle.gradients(batch.X, batch.Y)
    for _, names, got in helpers.mended_grads(
            learner, {oracle.activation, oracle.output_activation}, oracle.activation,
            oracle.leak, batch.X, batch.Y):
        if agree(got, expected, expected, tolerance(dtype)):
            return names
    return None


def _scaled_inputs(oracle, batch, got, names, tol):
    """(c, cost, reduction) when the learner's gradients are autograd's for the inputs × c (a
    step that divides by 255 where the forward pass does not), with a cost the output can carry;
    else None."""
    for c in INPUT_SCALES:  # on top of the forward pass's own (oracle.input_scale)
        for cost in CARRIES.get(oracle.output_activation, (oracle.cost,)):
            for reduction in ("mean", "sum"):
                expected = oracle.gradients(batch.X * c, batch.Y, reduction=reduction, cost=cost)
                if all(rel_error(got[n], expected[n]) <= tol for n in names):
                    return c, cost, reduction
    return None


def _scale_words(c):
    if np.isclose(c, 1):
        return "as they are"
    return f"divided by {1 / c:g}" if c < 1 else f"multiplied by {c:g}"


def _scaling_line(learner):
    """Where (as str) of the line of the backprop (or the update its gradients come from) that
    scales by 255 or 256, or None."""
    w = learner.where.get("backprop")
    node = function_node(w)
    if node is None:
        return None
    lines = Path(w.file).read_text().splitlines()
    for number in range(node.lineno, (node.end_lineno or node.lineno) + 1):
        if re.search(r"[/*]=?\s*\(?\s*25[56](\.0*)?\b", lines[number - 1].split("#")[0]):
            return f"{w.function} ({Path(w.file).name}:{number})"
    return None


def _alone(name, oracle, report):
    """Whether name's layer has a parameter whose gradient agrees: then the fault is in the line
    that computes name's own gradient, not in the δ that reaches the layer (which may come
    from anywhere above it)."""
    layer = next((L for L in oracle.layers if name in (L.W, L.b)), None)
    others = [] if layer is None else [n for n in (layer.W, layer.b) if n and n != name]
    return any(r.ok is True for r in report.rows if r.name in others)


def _accumulates(learner, batch, got, expected, names, tol):
    """A sentence when a second call on the same batch returns the first call's gradients plus
    autograd's: buffers that `dW += ...` fills and nothing zeroes (a missing zero_grad())."""
    if not names:
        return None
    try:
        again = learner.grads(batch.X, batch.Y)
    except Exception:  # the first call worked: whatever this is, the rows say it
        return None
    if not isinstance(again, Mapping) or not all(
            isinstance(again.get(n), np.ndarray) and again[n].shape == got[n].shape and
            np.any(again[n] != got[n]) for n in names):
        return None
    if max(rel_error(again[n] - got[n], expected[n]) for n in names) > tol * 100:
        return None
    return ("called twice on the same batch, your code returns the first gradients plus "
            "autograd's (dW += ... into buffers that nothing zeroes): zero them before each "
            "backward pass (zero_grad(), or dW = ... instead of +=)")


def _stale(learner, data, batch, got, tol):
    """A sentence when the learner's gradients for this batch change after a forward pass on
    other examples: they are computed from activations stored by that pass, not from the batch."""
    if learner.forward is None:
        return None
    try:
        learner.forward(data.train.X[len(batch):2 * len(batch)])
        again = learner.grads(batch.X, batch.Y)
    except Exception:  # the forward check reports a forward that raises
        return None
    names = [n for n in got if isinstance(got[n], np.ndarray) and
             isinstance(again.get(n) if isinstance(again, Mapping) else None, np.ndarray) and
             again[n].shape == got[n].shape]
    if not names or all(np.array_equal(again[n], got[n]) or
                        _common_factor(again, got, [n]) is not None for n in names):
        return None  # the same gradients (all zeros too), or each only rescaled: not stale
    return ("stale activations: your gradients for the same batch change after a forward pass "
            "on other examples, so they are computed from the activations that pass stored, "
            "not from this batch; run the forward pass on the batch inside the backprop")


def _common_factor(got, expected, names, tol=1e-6):
    """k when got = k·expected for every name alike (to tol), else None."""
    g = np.concatenate([np.ravel(got[n]) for n in names]).astype(np.float64)
    e = np.concatenate([np.ravel(expected[n]) for n in names]).astype(np.float64)
    if not e @ e:
        return None
    k = float(g @ e / (e @ e))
    return k if np.abs(g - k * e).max() <= tol * max(np.abs(g).max(), 1e-300) else None


def _dtype(got, oracle):
    kinds = [np.asarray(v).dtype for v in got.values() if isinstance(v, np.ndarray)]
    dtypes = kinds + [oracle.dtype]
    return max(dtypes, key=lambda d: tolerance(d) if d.kind == "f" else 0)


def _row_line(r):
    """'self.weights[0]: <verify's note>', with where it differs when the note says why instead."""
    where = "" if says_where(r.note) else where_text(r)
    return f"{r.name}: {r.note or 'differs'}" + (f"; {where}" if where else "")


def _averaging(got, expected, oracle, m):
    """One line when every gradient alike is off by the batch size, in verify's words for it."""
    names = [n for n in expected if isinstance(got.get(n), np.ndarray)
             and got[n].shape == expected[n].shape]
    k = _common_factor(got, expected, names) if names else None
    words = batch_factor(k, m) if k is not None else ""
    if not words:
        return None
    cost = "a sum" if oracle.reduction in ("sum", "outputs") else "a mean"
    return f"averaging: every gradient is {words} (the cost is {cost} over the batch)"


def _worst_example(learner, oracle, batch, report, tol):
    """'the largest error is on example 3, neuron 5 of layer 2' for the first wrong parameter."""
    bad = [r for r in report.rows if r.ok is False and r.kind == "param"
           and r.got_shape is not None and tuple(r.got_shape) == tuple(r.expected_shape)]
    if not bad or len(batch) < 2:
        return None
    row = bad[0]
    errors = []
    for i in range(len(batch)):
        one = batch.take(slice(i, i + 1))
        try:
            mine = learner.grads(one.X, one.Y)[row.name]
        except Exception:
            return None
        errors.append(rel_error(mine, oracle.gradients(one.X, one.Y)[row.name]))
    i = int(np.argmax(errors))
    if errors[i] <= tol:  # each example alone agrees: the mistake is in how they are combined
        return None
    layer = next(L for L in oracle.layers if row.name in (L.W, L.b))
    neuron = row.worst_index[0] if layer.orientation == "Wa" or row.name == layer.b \
        else row.worst_index[-1]
    if row.name == layer.b and layer.bias == "row":
        neuron = row.worst_index[-1]
    return (f"largest error: example {i} of the batch (rel. {errors[i]:.2g} on its own), "
            f"neuron {neuron} of layer {layer.index} ({row.name})")
