"""The update check: one step of the learner's own update moves its parameters to params − η·∇C for
that mini-batch, C averaged over the batch; otherwise it says how the step differs: η not divided
by m, a flipped sign, parameters never updated, another layer's gradient, or the gradient at the
activations of an earlier forward pass (stale activations).

It imports the oracle (for ∇C by autograd) and calls; the learner's parameters are restored.
"""

import ast
import dataclasses
import re
from pathlib import Path

import numpy as np

from .calls import (
    assigns,
    called_name,
    counter,
    dropped,
    function,
    function_node,
    layer_method,
    raised,
    read_after_step,
    reshaped,
    return_in_loop,
    skipped,
    where,
)
from .learner import other_draws
from .minibatches import EPOCH
from .report import CheckResult
from .verify import DEFAULT_BATCH

# How close after − before must come to −η·∇C, relative to its largest entry: the difference of
# two nearby arrays loses digits, more so in float32.
UPDATE_RTOL = {np.dtype(np.float64): 1e-6, np.dtype(np.float32): 2e-3}


def _fit(delta, direction, names):
    """(r, residual): delta ≈ r·direction over names, residual relative to |delta|."""
    d = np.concatenate([delta[n].ravel() for n in names])
    e = np.concatenate([direction[n].ravel() for n in names])
    if not e @ e:
        return 0.0, np.inf
    r = float(d @ e / (e @ e))
    return r, float(np.abs(d - r * e).max() / max(np.abs(d).max(), 1e-300))


def _factor(k, m, lr=None):
    """What a step of k·η·∇C means, or None when k is 1."""
    if np.isclose(k, 1, rtol=1e-4):
        return None
    if lr is not None and lr != 1 and np.isclose(k, lr, rtol=1e-4):
        return (f"the step is η·η·∇C, η = {lr:g}: the learning rate is applied twice (the "
                "gradients scaled by η before the update scales them again?)")
    if m > 1 and np.isclose(k, m, rtol=1e-4):
        return (f"the step is {m}× too large, {m} being the batch size: η is not divided by m "
                "(the rule is p − (η/m)·Σₓ∇Cₓ, the mean gradient)")
    if m > 1 and np.isclose(k, 1 / m, rtol=1e-4):
        return (f"the step is ÷{m} too small, {m} being the batch size: the gradient is "
                "divided by m twice (once in the gradient, once in the step?)")
    if np.isclose(k, -1, rtol=1e-4):
        return ("the sign is flipped: the step goes up the gradient, p + η·∇C, so the cost "
                "grows; use p − η·∇C")
    return f"the step is {k:.4g}× η·∇C: the learning rate is scaled by {k:.4g} somewhere"


def _schedule(k, m, lr=None):
    """True when one common factor k can be a learning-rate schedule (decay) rather than a
    mistake: positive and not the batch size's m or 1/m, nor η itself (η applied twice)."""
    return k > 0 and not (m > 1 and (np.isclose(k, m, rtol=1e-4) or
                                     np.isclose(k, 1 / m, rtol=1e-4))) \
        and not (lr is not None and lr != 1 and np.isclose(k, lr, rtol=1e-4))


def run(learner, data, oracle):
    """Take one learner step on a batch and compare the parameters' change with −η·∇C; then
    read whether the program drops what the update returns."""
    result = _step(learner, data, oracle)
    drop = dropped(learner) if result.status in ("ok", "wrong") else None
    if drop is None:
        return result
    line, words = drop
    if result.status == "ok":
        return CheckResult("update", "wrong", words, details=[
            f"{result.summary}: the update itself is right"], where=line, data=result.data)
    result.details.append(f"also: {words} ({line})")
    return result


def _step(learner, data, oracle):
    """Take one learner step on a batch and compare the parameters' change with −η·∇C."""
    if learner.step is None:
        return skipped("update", f"{learner.name} has no update step the checker can call")
    if learner.early_update is not None:
        return _early(learner)
    m = 1 if learner.batch_size == 1 else DEFAULT_BATCH
    if learner.lr is not None and float(learner.lr) == 0:
        return CheckResult("update", "wrong", f"{function(learner, 'update', 'the update')} is "
                           "given a learning rate of 0 by your program (η = 0), so no step "
                           "changes a parameter: is η overwritten after it is set (a later "
                           "`alpha = 0`, a loop variable left at its last value)?",
                           where=where(learner, "update"), data={"lr": 0.0})
    lr = float(learner.lr) if learner.lr else 0.1
    batch, prev = data.train.take(slice(0, m)), data.train.take(slice(m, 2 * m))
    name = function(learner, "update", "the update")
    place = where(learner, "update")
    before = learner.snapshot()
    try:
        if learner.forward is not None:
            try:  # a forward pass on other examples first, as in training: stale state shows
                learner.forward(prev.X)
            except Exception:  # the forward check reports it
                pass
        learner.step(batch.X, batch.Y, lr)
        grown = reshaped(learner, before, "update")
        if grown is not None:
            return grown
        after = learner.snapshot()
    except Exception as e:
        result = raised("update", e, learner, "update")
        if isinstance(e, ValueError):  # numpy's shapes: a gradient of the wrong shape?
            result.details += _misshapen(learner, batch, before)
        return result
    finally:
        learner.restore(before)
    names = list(before)
    delta = {n: after[n] - before[n] for n in names}
    if learner.l2:  # the decay the learner's λ calls for, taken out: the rest is the gradient's
        shrink = lr * learner.l2[0] / learner.l2[1]
        weights = {p.name for p in learner.params if p.role == "W"}
        delta = {n: d + shrink * before[n] if n in weights else d for n, d in delta.items()}
    # C averaged over the batch, or over every entry where the cost says so (np.mean)
    reduction = oracle.reduction if oracle.reduction in ("entries", "outputs") else "mean"
    g = oracle.gradients(batch.X, batch.Y, before, reduction=reduction)
    minus = {n: -g[n] for n in names}
    tol = UPDATE_RTOL.get(oracle.dtype, 1e-6)
    changed = [n for n in names if np.any(delta[n] != 0)]
    unchanged = [n for n in names if n not in changed and np.any(g[n] != 0)]
    data_ = {"lr": lr, "batch": m, "unchanged": unchanged}
    what = f"one call of {name} with η = {lr:g} on {m} example{'s' if m > 1 else ''}"
    broken = [n for n in names if not np.isfinite(after[n]).all()]
    if broken and all(np.isfinite(before[n]).all() for n in names):
        return _not_a_number(learner, broken, what, place, data_)
    if not changed:
        return CheckResult("update", "wrong", f"{what} changed no parameter",
                           details=["the step must write the new arrays where the network "
                                    "reads them (self.weights[i] = ..., not a local copy)",
                                    "or the learning rate it reads is 0 (a global `alpha = 0` "
                                    "set after the one given, a loop variable left at its "
                                    "last value)"],
                           where=place, data=data_)
    factors, decay = {}, {}
    for n in changed:
        r, residual = _fit(delta, minus, [n])
        if residual > tol and before[n].ndim == 2:  # L2 weight decay: Δ = −a·∇C − c·W
            r, c, residual = _fit_decay(delta[n], minus[n], before[n])
            if residual <= tol and (0 < c < 0.5 or learner.l2):  # with a λ given: judged below
                decay[n] = c
        if residual > tol:
            break
        factors[n] = r / lr
    else:
        l2 = _l2_wrong(learner, lr, m, decay)
        if l2:  # the line that steps the weights (network2's `self.weights = [(1-eta*...`)
            weights = [p.name for p in learner.params if p.role == "W"]
            return CheckResult("update", "wrong", f"{name}: {l2}",
                               where=assigns(learner, "update", weights[:1]),
                               data={**data_, "decay": decay})
        returns = return_in_loop(learner, "update", list(factors)) if unchanged else None
        summed = learner.cost_reduction == "sum" and m > 1 and factors and all(
            np.isclose(k, m, rtol=1e-4) for k in factors.values())
        if summed:  # a loss summed over the batch: η·∇ of the sum is its plain SGD step
            factors = {n: k / m for n, k in factors.items()}
        # the line that should step what never moves, where the recognizer knows it
        at = str(learner.update_at[unchanged[0]]) if unchanged and \
            unchanged[0] in learner.update_at else place
        result = _scaled(factors, decay, unchanged, m, what, name, place, data_, returns,
                         over="every entry of the outputs" if reduction == "entries"
                         else "the outputs" if reduction == "outputs" else "the batch")
        if summed and result.status == "ok":
            result.summary = (f"{what} moves every parameter to p − η·∇C with C your loss, "
                              "summed over the batch (a mean's step would be m× smaller)")
        if learner.l2 and result.status == "ok":
            result.details.append(f"the weights also shrink by ηλ/n = {shrink:.4g} each step "
                                  f"(L2 weight decay with your λ = {learner.l2[0]:g}), as "
                                  "they should")
        if result.status == "ok":
            fading = _fading(learner, batch, before, lr, delta,
                             EPOCH.get(data.name, len(data.train)))
            if fading is not None:  # η shrinks at every call, or a velocity never decays
                line = _velocity_reset(learner) if fading.startswith("its velocity starts") \
                    else _velocity_line(learner) if fading.startswith("its velocity") else \
                    _decay_line(learner)
                return CheckResult("update", "wrong", f"{name}: {fading}",
                                   details=[result.summary], where=line or place, data=data_)
            return result
        # −1× or m× autograd's gradient may be exactly the learner's own gradient, applied as
        # the rule says: a sign flipped in cost_derivative is the gradients check's to report
        own = _own_step(learner, batch, delta, changed, unchanged, lr, tol, what, place, data_)
        if own is not None:
            return own
        off = [n for n, k in factors.items() if _factor(k, m, lr)]
        if "up the gradient, where the others move by" in result.summary:  # those that climb
            off = [n for n in off if factors[n] < 0]
        if off:  # the line that steps them, not the def line
            result.where = assigns(learner, "update", off)
            if result.where == place or not _names_kind(learner, result.where, off):
                # a loop over keys: `params[key] += lr * grads[key]`, or over the layers,
                # `parameters["b" + str(l + 1)] = ...`: the line whose target names their kind
                result.where = _stepping_line(learner, off) or result.where
            if "once per layer" in result.summary:  # the counter's own line, if one is seen
                own = function_node(learner.where.get("update"))
                line = counter(own) if own is not None else None  # in the update's own loop
                result.where = (str(dataclasses.replace(learner.where["update"], line=line))
                                if line else None) or \
                    layer_method(learner, "update", off, find=counter) or result.where
        elif unchanged:  # the loop's return, the line known to step them (a script's `b = b
            # - ...` in a loop over its list), or that of the others: where it belongs
            result.where = returns or (at if at != place else None) or \
                assigns(learner, "update", list(factors))
        return result
    return _not_the_gradient(learner, oracle, batch, prev, delta, minus, changed, unchanged,
                             lr, tol, what, name, place, data_)


def _early(learner):
    """The finding for a loop that steps the parameters before computing their gradients."""
    update, back, line = learner.early_update
    return CheckResult(
        "update", "wrong",
        f"{back.function} steps the parameters (line {update.line}) before `{line}` (line "
        f"{back.line}) computes this batch's gradients: each step is made with the previous "
        "batch's gradients (the first with the values they start as), and the last batch's "
        "are never used",
        details=[f"move `{line}` above the lines that step the parameters; the step itself "
                 "(with this batch's gradients) is what the other checks run",
                 "the loss still falls, as a step a batch late is still downhill, so the "
                 "curve cannot show this"],
        where=str(update), data={"early": back.line})


def _drawn_steps(learner, batch, prev, lr, delta, draws=8):
    """The parameters' changes of the step run again as before from other random numbers, with
    delta first, when any differs from delta (the step draws); else None."""
    before, steps = learner.snapshot(), [delta]

    def again():
        if learner.forward is not None:
            learner.forward(prev.X)
        learner.step(batch.X, batch.Y, lr)
        after = learner.snapshot()
        learner.restore(before)
        return {n: after[n] - before[n] for n in delta}

    def same(a, b):
        return all(np.array_equal(a[n], b[n]) for n in delta)

    try:
        if not same(again(), delta):  # the same random numbers, another step: a state the
            return None  # step keeps (momentum, Adam's moments), not randomness
        for seed in range(1, draws):
            with other_draws(seed):
                steps.append(again())
            if seed == 1 and same(steps[1], delta):
                return None  # the same step: it draws nothing
    except Exception:  # it ran once: what this is, the result says
        return None
    finally:
        learner.restore(before)
    return steps


def _sign_step(delta, minus, changed, tiny=1e-6):
    """c when the step moves every changed parameter by c·g/(|g| + e) for g = −∇C, with one
    c > 0 and one e ≥ 0 (Adam's first step, m̂/(√v̂ + ε) with √v̂ = |g|, AdaGrad's and
    RMSprop's, up to their constants): nearly c·sign(g) wherever |g| is well above e. Read
    from 1/r = 1/c + (e/c)/|g|, r the step over sign(g), fitted over every entry with |g|
    above tiny × the largest; else None."""
    g = np.concatenate([np.ravel(minus[n]) for n in changed])
    d = np.concatenate([np.ravel(delta[n]) for n in changed])
    big = np.abs(g) > tiny * np.abs(g).max() if g.size and np.abs(g).max() else None
    if big is None or big.sum() < 3:
        return None
    r = d[big] / np.sign(g[big])
    if (r <= 0).any():
        return None
    A = np.stack([np.ones(big.sum()), 1 / np.abs(g[big])], axis=1)
    (a, b), *_ = np.linalg.lstsq(A, 1 / r, rcond=None)
    if a <= 0 or b < -1e-12 * a or np.abs((A @ [a, b]) * r - 1).max() > 1e-3:
        return None
    return float(1 / a)


def _after_own_forward(learner, batch, prev, lr, delta):
    """The parameters' change when the step runs after a forward pass on its own batch, when
    that differs from delta (the step after a forward pass on prev) while the step after prev
    again gives delta (so no state the step keeps explains it); else None."""
    if learner.forward is None:
        return None
    before = learner.snapshot()

    def step_after(X):
        learner.forward(X)
        learner.step(batch.X, batch.Y, lr)
        after = learner.snapshot()
        learner.restore(before)
        return {n: after[n] - before[n] for n in delta}

    try:
        if not all(np.array_equal(a, delta[n]) for n, a in step_after(prev.X).items()):
            return None  # another change from the same calls: a state of its own
        fresh = step_after(batch.X)
    except Exception:  # it ran once: what this is, the result says
        return None
    finally:
        learner.restore(before)
    return None if all(np.array_equal(a, delta[n]) for n, a in fresh.items()) else fresh


def _l2_wrong(learner, lr, m, decay):
    """A sentence when the learner's update was given λ and n (learner.l2) and a weight does
    not shrink by ηλ/n per step (network2's (1 − ηλ/n)·w): λ divided by the batch size, the
    factor's sign flipped, or no decay at all; None when every weight does. decay holds each
    weight's shrink beyond ηλ/n (_step takes ηλ/n out of the change first)."""
    if not learner.l2:
        return None
    lam, n = learner.l2
    expected = lr * lam / n
    for p in learner.params:
        if p.role != "W":
            continue
        c = expected + decay.get(p.name, 0.0)  # decay holds what is left beyond ηλ/n
        if np.isclose(c, expected, rtol=1e-3):
            continue
        rule = f"L2 weight decay with λ = {lam:g} shrinks it by ηλ/n = {expected:.4g} per step"
        if np.isclose(c, lr * lam / m, rtol=1e-3):
            return (f"{p.name} shrinks by ηλ/m = {c:.4g} per step, λ divided by the "
                    f"mini-batch's {m} examples, where {rule}, n being the number of training "
                    "examples: divide by len(training_data), not len(mini_batch)")
        if np.isclose(-c, expected, rtol=1e-3):
            return (f"{p.name} grows by the factor (1 + ηλ/n) each step, where {rule}, "
                    "(1 − ηλ/n)·w: the sign of the weight-decay term is flipped")
        if abs(c) <= 1e-6 * expected:
            return f"{p.name} does not shrink at all, where {rule}: the λ given is not used"
        return f"{p.name} shrinks by {c:.4g} per step, where {rule}"
    return None


def _not_a_number(learner, broken, what, place, data_):
    """The step made parameters nan or ∞: most often Adam's root taken of something that can
    be negative (√m̂ for √v̂, or a v that sums g where it needs g²). The line of that root."""
    w = learner.where.get("update")
    node = function_node(w)
    def roots(tree):
        return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and called_name(n) == "sqrt"
                or isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow)
                and ast.unparse(n.right) in ("0.5", "1 / 2", "(1 / 2)")]
    # the root a step divides by (m / (√v + ε)), not the bias correction's √(1 − β₂ᵗ)
    dividing = [r for n in ast.walk(node) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
                for r in roots(n.right)] if node is not None else []
    root = (dividing or roots(node) or [None])[0] if node is not None else None
    more = f" and {len(broken) - 1} more" if len(broken) > 1 else ""
    if root is not None:
        why = (f"the root `{ast.unparse(root)}` is taken of numbers below 0. An Adam-style step "
               "divides by √v̂, the root of the running mean of g² (never negative, since each "
               "g² is not): is this the root of the gradients' own running mean (m̂), or does "
               "v add up g instead of g²?")
        at = str(dataclasses.replace(w, line=root.lineno))
    else:
        why = ("it computes 0/0, ∞ − ∞, or the root or log of a negative number: print the "
               "step's parts for one batch to see which is not a number")
        at = _stepping_line(learner, broken) or place
    return CheckResult("update", "wrong", f"{what} makes {broken[0]}{more} nan or ∞ (not a "
                       f"number) from finite values: {why}", where=at, data=data_)


def _off_line(learner, names, place):
    """Where the parameters names are stepped: assigns' line, or in a loop over the layers'
    keys (`params["b" + str(l)] -= ...`) the line whose target names their kind."""
    found = assigns(learner, "update", names)
    return (_stepping_line(learner, names) or found) if found == place else found


def _fading(learner, batch, before, lr, first, epoch):
    """A sentence when more calls of the step, on the same batch from the same weights, move
    them ever less far (its η decays at every call) and at that pace η is all but gone within
    one epoch: a decay meant per epoch, applied per batch or per example. The pace is read as
    η·rᵏ (`lr *= 0.95`) or η/(1 + c·k) (NNFS's decay, `lr / (1 + decay·iterations)`), whichever
    the third call fits. None when the later steps are as long (plain SGD, Adam's first steps)
    or longer (momentum's), or η keeps a part of itself over the epoch."""
    d1 = np.concatenate([first[n].ravel() for n in first])
    if not d1 @ d1:
        return None
    sizes = [1.0]
    try:
        for _ in range(2):
            learner.step(batch.X, batch.Y, lr)
            after = learner.snapshot()
            d = np.concatenate([(after[n] - before[n]).ravel() for n in first])
            learner.restore(before)
            k = float(d @ d1 / (d1 @ d1))
            if np.abs(d - k * d1).max() > 1e-3 * np.abs(d).max():
                return None  # not the same step scaled: momentum, Adam's later steps
            sizes.append(k)
    except Exception:  # the first call ran: what a later one raises is the optimizer's state
        return None
    finally:
        learner.restore(before)
    _, r, r2 = sizes
    if np.isclose(r, 1, rtol=1e-6) and np.isclose(r2, 1, rtol=1e-6) and \
            _velocity_reset(learner):
        return ("its velocity starts from zero at every call: the same batch from the same "
                "weights moves them exactly as far the second time and the third, where "
                "momentum keeps μ·v of the step before (v = μ·v − η·∇C: 1 + μ times as far "
                "the second time), so the step is plain SGD's and the momentum does nothing; "
                "make the velocity once (`if self.v is None:`) and keep it between calls")
    if np.isclose(r, 2, rtol=1e-6) and np.isclose(r2, 3, rtol=1e-6):
        return ("its velocity adds up every gradient and keeps all of it: the same batch from "
                "the same weights moves them exactly 2× as far the second time and 3× the "
                "third (v = v + g, with nothing that decays it), so the steps grow without "
                "bound; momentum keeps a part μ < 1 of the velocity: v = μ·v − η·∇C")
    if not 0 < r2 < r < 0.999:
        return None
    calls = epoch // (learner.batch_size or len(batch))  # the span a schedule is judged over
    geometric = abs(r2 - r * r)  # η·rᵏ: each step r× the one before
    hyperbolic = abs(1 / r2 - (2 / r - 1))  # η/(1 + c·k): 1/step grows by the same c
    left = r ** calls if geometric <= hyperbolic else 1 / (1 + (1 / r - 1) * calls)
    if left > 0.01:
        return None
    gone = f"{left:.2g}× its start" if left > 1e-6 else "less than a millionth of its start"
    return (f"the learning rate falls at every call: the same batch from the same weights moves "
            f"them {r:.4g}× as far the second time and {r2:.4g}× the third, so over one epoch "
            f"of {calls:,} calls η falls to {gone} and training stops: is the decay meant once "
            "per epoch, not per batch or per example?")


def _velocity_line(learner):
    """Where (as str) of the update's first line that adds to a velocity from itself, `vW1 =
    vW1 + dW1` or `v[key] += g` (a target named v..., read on its own right side); None when
    there is none."""
    w = learner.where.get("update")
    node = function_node(w)
    for n in sorted((n for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign))),
                    key=lambda n: n.lineno) if node is not None else ():
        target = n.target if isinstance(n, ast.AugAssign) else n.targets[0]
        text = ast.unparse(target)
        if re.match(r"(self\.)?v", text) and (isinstance(n, ast.AugAssign) and
                                               isinstance(n.op, ast.Add)
                                               or text in ast.unparse(n.value)):
            return str(dataclasses.replace(w, line=n.lineno))
    return None


_FRESH = re.compile(r"(np\.|numpy\.)?(zeros|zeros_like|empty|empty_like)$|dict$")


def _velocity_reset(learner):
    """Where (as str) of the update's line that makes its velocity afresh at every call
    (`self.v = {}` or `self.v[key] = np.zeros_like(val)`, in no `if`) where the update also
    keeps a part of it, `self.v[key] = self.momentum * self.v[key] - ...`; None when it has no
    such line, or divides by a root (Adam, RMSprop: their repeated steps are alike anyway)."""
    w = learner.where.get("update")
    node = function_node(w)
    if node is None or "sqrt" in ast.unparse(node):
        return None

    def base(target):
        while isinstance(target, ast.Subscript):
            target = target.value
        return ast.unparse(target)

    kept = {base(n.targets[0]) for n in ast.walk(node) if isinstance(n, ast.Assign)
            and len(n.targets) == 1 and isinstance(n.value, ast.BinOp)
            and isinstance(n.value.left, ast.BinOp) and isinstance(n.value.left.op, ast.Mult)
            and ast.unparse(n.targets[0]) in (ast.unparse(n.value.left.left),
                                              ast.unparse(n.value.left.right))}

    def fresh(value):  # {}, [], dict(), np.zeros_like(w), {k: np.zeros_like(w) for ...}
        if isinstance(value, (ast.Dict, ast.List)):
            return not (value.keys if isinstance(value, ast.Dict) else value.elts)
        value = value.value if isinstance(value, ast.DictComp) else \
            value.elt if isinstance(value, ast.ListComp) else value
        return isinstance(value, ast.Call) and _FRESH.search(ast.unparse(value.func)) is not None

    def lines(body):
        for n in body:
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                    base(n.targets[0]) in kept and fresh(n.value):
                yield n.lineno
            elif isinstance(n, (ast.For, ast.With)):  # every call passes here; an if may not
                yield from lines(n.body)
    line = next(lines(node.body), None)
    return str(dataclasses.replace(w, line=line)) if line else None


def _decay_line(learner):
    """Where (as str) of the update's line that shrinks η (`self.lr *= 0.95`) or advances the
    counter its η is computed from (`self.t += 1`); None when there is none."""
    w = learner.where.get("update")
    node = function_node(w)
    if node is None:
        return None
    line = next((n.lineno for n in ast.walk(node) if isinstance(n, ast.AugAssign) and
                 isinstance(n.op, (ast.Mult, ast.Div)) and re.search(
                     r"(?i)lr|eta|alpha|rate", ast.unparse(n.target))), None) or counter(node)
    return str(dataclasses.replace(w, line=line)) if line else None


def _names_kind(learner, at, names):
    """Whether the line at (as Where says it) names the kind of the dict entries names
    (params['b1'] → "b"); True when they are not dict entries of one kind."""
    kinds = {re.sub(r"\d+", "", k) for n in names for k in re.findall(r"\[['\"](\w+)['\"]\]", n)}
    w = learner.where.get("update")
    line = re.search(r":(\d+)\)$", at or "")
    if len(kinds) != 1 or w is None or line is None:
        return True
    try:
        text = Path(w.file).read_text().splitlines()[int(line.group(1)) - 1]
    except (OSError, IndexError):
        return True
    kind = kinds.pop()
    return f"'{kind}" in text.split("=")[0] or f'"{kind}' in text.split("=")[0]


def _stepping_line(learner, names=()):
    """Where (as str) of the first line of the update that steps an entry chosen at run time,
    `params[key] += lr * grads[key]` (an optimizer's loop over the keys), or a loop's own
    variable in place (`for p, g in zip(params, grads): p -= lr * g`); None when none does."""
    w = learner.where.get("update")
    node = function_node(w)
    if node is None:
        return None
    looped = {t.id for f in ast.walk(node) if isinstance(f, ast.For)
              for t in ast.walk(f.target) if isinstance(t, ast.Name)}
    # params['b1'] is stepped by the line whose target names "b" (params["b" + str(l)])
    kinds = {re.sub(r"\d+", "", k) for n in names for k in re.findall(r"\[['\"](\w+)['\"]\]", n)}
    lines = sorted((n for n in ast.walk(node) if isinstance(n, (ast.AugAssign, ast.Assign))),
                   key=lambda n: n.lineno)
    lines.sort(key=lambda n: not any(
        f"'{k}'" in ast.unparse(t) or f'"{k}"' in ast.unparse(t) for k in kinds
        for t in ([n.target] if isinstance(n, ast.AugAssign) else n.targets)))
    for n in lines:
        targets = [n.target] if isinstance(n, ast.AugAssign) else n.targets
        if any(isinstance(t, ast.Subscript) and not isinstance(t.slice, ast.Constant)
               and (isinstance(n, ast.AugAssign) or ast.unparse(t) in ast.unparse(n.value))
               or isinstance(n, ast.AugAssign) and isinstance(t, ast.Name) and t.id in looped
               for t in targets):
            return str(dataclasses.replace(w, line=n.lineno))
    return None


def _fit_decay(delta, direction, w):
    """(a, c, residual): delta ≈ a·direction − c·w, residual relative to |delta|."""
    A = np.stack([direction.ravel(), -w.ravel()], axis=1)
    (a, c), *_ = np.linalg.lstsq(A, delta.ravel(), rcond=None)
    rest = delta.ravel() - A @ np.array([a, c])
    return float(a), float(c), float(np.abs(rest).max() / max(np.abs(delta).max(), 1e-300))


def _scaled(factors, decay, unchanged, m, what, name, place, data_, returns=None,
            over="the batch"):
    """Every changed parameter moves along −∇C, C averaged over `over`: by η (ok), or by
    another multiple of it."""
    data_["factors"] = factors
    groups = {}
    for n, k in factors.items():
        key = next((g for g in groups if np.isclose(g, k, rtol=1e-4)), k)
        groups.setdefault(key, []).append(n)
    problems, right, lr = [], [], float(data_["lr"])
    (common, *_), schedule = groups, None
    if len(groups) == 1 and _factor(common, m) and _schedule(common, m, lr):
        # every parameter by the same η' = k·η: the learner's own schedule (decay) set it
        schedule = (f"the step uses η' = {common * float(data_['lr']):.4g}, {common:.4g}× the η "
                    "given: a learning-rate schedule or decay in the learner's optimizer")
        groups = {1.0: groups[common]}
    for k, names in groups.items():
        mirror = next((g for g in groups if g > 0 and np.isclose(g, -k, rtol=1e-4)), None)
        if k < 0 and mirror is not None:  # these go up the gradient, the others down it
            problems.append(f"{', '.join(names)}: the sign is flipped: they move by {k:.4g}·η·∇C, "
                            f"up the gradient, where the others move by {mirror:.4g}·η·∇C; "
                            "step them with the same minus as the others")
            continue
        why = _factor(k, m, lr)
        if why is None:
            right += names
        elif not (len(groups) > 1 and _schedule(k, m, lr) and k < 1.5):
            problems.append(f"{', '.join(names)}: {why}")
    if len(groups) > 1 and not problems:
        problems.append("the parameters do not all move by the same multiple of η·∇C: " +
                        "; ".join(f"{', '.join(names)} by {k:.4g}·η·∇C"
                                  for k, names in groups.items()) +
                        " (the learning rate changes between layers: a decay counter advanced "
                        "once per layer?)")
    if unchanged:
        problems.insert(0, _never_updated(unchanged, list(factors) + unchanged, returns))
    notes = [f"{', '.join(decay)} also shrink{'s' if len(decay) == 1 else ''} by the factor "
             f"(1 − {max(decay.values()):.3g}) each step: L2 weight decay, which is fine"] \
        if decay else []
    notes += [schedule] if schedule else []
    if not problems:
        return CheckResult("update", "ok", f"{what} moves every parameter to p − η·∇C "
                           f"(C averaged over {over})", details=notes, where=place,
                           data=data_)
    if right:
        notes.insert(0, f"{', '.join(right)} {'move' if len(right) > 1 else 'moves'} right, "
                     "to p − η·∇C")
    return CheckResult("update", "wrong", f"{name}: {problems[0]}",
                       details=problems[1:] + notes, where=place, data=data_)


def _misshapen(learner, batch, before):
    """A line per parameter whose own gradient (learner.grads) has another shape: what the
    step trips over, with the checker's batch of m examples where the learner's had another
    size (a sum over the wrong axis gives a gradient the size of the batch)."""
    if learner.grads is None:
        return []
    try:
        own = learner.grads(batch.X, batch.Y)
    except Exception:  # the gradients check reports it
        return []
    return [f"your gradient of {n} has shape {np.shape(own[n])} where {n} has {before[n].shape}, "
            f"with a batch of {len(batch)} examples (see gradients): the step cannot subtract "
            "it" for n in before if isinstance(own, dict) and own.get(n) is not None
            and np.shape(own[n]) != before[n].shape][:2]


def _kind(name):
    """The parameter's name without its layer: self.biases[1] → self.biases, W2 → W,
    self.layers[2].b → self.layers[i].b."""
    return re.sub(r"\[\d+\]|\d+", "", re.sub(r"\[\d+\](?=\.)", "[i]", name))


def _never_updated(unchanged, names, returns=None):
    """What it means that the parameters unchanged never move: one kind of parameter left out
    in every layer (the biases), or the layers after some point (a `return` in the loop)."""
    kinds = {}
    for n in names:
        kinds.setdefault(_kind(n), []).append(n)
    left_out = [k for k, ns in kinds.items() if set(ns) <= set(unchanged)]
    if len(kinds) > 1 and left_out and \
            sorted(unchanged) == sorted(n for k in left_out for n in kinds[k]):
        moving = ", ".join(k for k in kinds if k not in left_out)
        return (f"it never updates {' or '.join(left_out)}, in any layer "
                f"({', '.join(unchanged)}), while {moving} move: is that update line missing, "
                "or does it assign to a copy (b = b - ... in a loop over the list) that the "
                "network never reads?")
    if returns:
        return (f"it never updates {', '.join(unchanged)}: its loop returns in its first pass "
                f"(the `return` at {returns.rpartition('(')[2].rstrip(')')} is inside the "
                "loop; move it out, after the loop)")
    return (f"it never updates {', '.join(unchanged)}: is there a `return` inside the update "
            "loop, or a loop that stops at the first layer?")


def _broadcast(grads, shapes):
    """The learner's gradients broadcast to the parameters' shapes, as numpy does in
    `p -= lr * g`, or None when they are missing or cannot be."""
    if not isinstance(grads, dict):
        return None
    try:
        return {n: np.broadcast_to(np.asarray(grads[n], dtype=float), shape)
                for n, shape in shapes.items()}
    except (KeyError, ValueError, TypeError):
        return None


def _own_step(learner, batch, delta, changed, unchanged, lr, tol, what, place, data_):
    """The ok result when the step is −η × the learner's own gradients for the batch (which
    then differ from autograd's: the gradients check says how), else None."""
    if learner.grads is None or getattr(learner.grads, "from_update", False):
        return None  # gradients read from this very step: it would be held against itself
    try:
        own = learner.grads(batch.X, batch.Y)
    except Exception:  # the gradients check reports it
        return None
    if not isinstance(own, dict) or any(own.get(n) is None or np.any(np.asarray(own[n]) != 0)
                                        for n in unchanged):
        return None  # a parameter left as it was must have had no gradient of its own
    # A wrong-shaped gradient that numpy broadcasts in the step (np.sum(dZ) gives one number
    # for a whole bias) is still the learner's own gradient applied as written.
    own = _broadcast(own, {n: delta[n].shape for n in changed})
    if own is None:
        return None
    scale = len(batch) if learner.grads_reduction == "sum" else 1
    r, residual = _fit(delta, {n: -own[n] / scale for n in changed}, changed)
    if residual > tol or not np.isclose(r / lr, 1, rtol=1e-4):
        return None
    zeros = f" (those of {', '.join(unchanged)} are all zeros, so they stay)" if unchanged else ""
    return CheckResult("update", "ok", f"{what} moves every parameter by −η × your own "
                       f"gradients, averaged over the batch{zeros}; those differ from "
                       "autograd's (see gradients)", where=place, data=data_)


def _not_the_gradient(learner, oracle, batch, prev, delta, minus, changed, unchanged, lr, tol,
                      what, name, place, data_):
    """The step is not a multiple of −∇C: stale activations, another layer's gradient, or the
    learner's own (wrong) gradients."""
    m = len(batch)
    stale = {
        "the activations of the last example of the previous forward pass":
            (np.repeat(prev.X[-1:], m, axis=0), batch.Y),
        "the activations of the previous forward pass": (prev.X, batch.Y),
        "the previous batch": (prev.X, prev.Y),
    }
    for words, (X, Y) in stale.items():
        g = oracle.gradients(X, Y, reduction="mean")  # at the restored parameters
        r, residual = _fit(delta, {n: -g[n] for n in changed}, changed)
        if residual <= tol and r > 0:
            return CheckResult(
                "update", "wrong",
                f"{name} uses stale activations: its step follows the gradient at {words}, "
                "not at this batch",
                details=[f"{what}: the change matches −η·∇C computed from {words} "
                         "(run before the step), with this batch's targets" if words !=
                         "the previous batch" else f"{what}: the change matches the previous "
                         "batch's gradient",
                         "run the forward pass on each example inside the step, before its "
                         "backward pass (an empty `# set the layer outputs` is a missing "
                         "feedforward call)"],
                where=place, data={**data_, "stale": words})
    swapped = []
    for n in changed:
        r, residual = _fit(delta, minus, [n])
        if residual <= tol:
            continue
        for q in minus:
            if q != n and minus[q].shape == delta[n].shape:
                r, residual = _fit({n: delta[n]}, {n: minus[q]}, [n])
                if residual <= tol:
                    swapped.append((n, f"{n} is updated with the gradient of {q}"))
    if swapped:  # at the line that steps the first of them, where the update shows it
        at = assigns(learner, "update", [swapped[0][0]], layers=False, gradients=False)
        return CheckResult("update", "wrong", f"{name} updates the wrong layer: {swapped[0][1]}",
                           details=[s for _, s in swapped[1:]], where=at or place, data=data_)
    own = _own_step(learner, batch, delta, changed, unchanged, lr, tol, what, place, data_)
    if own is not None:
        return own
    steps = _drawn_steps(learner, batch, prev, lr, delta)
    if steps:  # the step draws: on average, does it go along −η·∇C, as noise would?
        mean = {n: np.mean([d[n] for d in steps], axis=0) for n in changed}
        r, residual = _fit(mean, minus, changed)
        data_ = {**data_, "random": True, "mean_residual": residual}
        if r > 0 and residual <= 0.5:  # input noise of σ = 0.1 on MNIST: 0.27
            return CheckResult("update", "skipped", f"{name} draws random numbers in its step "
                               "(noise added to the inputs, dropout) that your gradients do "
                               "not: one step cannot be held to −η·∇C, though on average over "
                               f"{len(steps)} draws it moves along it (off by {residual:.2g})",
                               where=place, data=data_)
        return CheckResult("update", "wrong", f"{name} draws random numbers in its step, and "
                           f"even on average over {len(steps)} draws it does not move along "
                           f"−η·∇C (off by {residual:.2g} of its size after the best scaling)",
                           details=["is a sum started from random numbers (np.random.randn "
                                    "copied from __init__ where np.zeros belongs), or are random "
                                    "numbers added to the parameters?", what],
                           where=place, data=data_)
    c = _sign_step(delta, minus, changed)
    if c is not None:
        return CheckResult(
            "update", "ok", f"{what} moves each parameter by {c:.4g}·sign(−∇C) (less where ∇C "
            "is near the ε it adds): the first step of Adam, AdaGrad or RMSprop, which divide "
            "each gradient by its own size; that is right for a first step",
            details=["only plain SGD's steps are held to −η·∇C: this step keeps a state "
                     "(moments), so the steps after it are not checked"] + (
                [] if np.isclose(c, lr, rtol=0.01) else [
                    f"the step is {c / lr:.4g}×η: Adam with both bias corrections, and "
                    "AdaGrad, take η·sign(−∇C) first; RMSprop takes η/√(1 − ρ)·sign(−∇C); "
                    "Adam without its corrections η·(1 − β1)/√(1 − β2)·sign(−∇C)"]),
            where=place, data={**data_, "sign_step": c})
    fresh = _after_own_forward(learner, batch, prev, lr, delta)
    if fresh is not None:  # the step reads what the forward pass before it left
        r, residual = _fit(fresh, minus, changed)
        right = residual <= tol and np.isclose(r / lr, 1, rtol=1e-4)
        return CheckResult(
            "update", "wrong", f"{name} uses stale activations: its step depends on the "
            "forward pass run before it, not only on this batch" + (
                "; after a forward pass on this batch it is −η·∇C" if right else ""),
            details=[f"{what}, after a forward pass on other examples, and again after one on "
                     "this batch: the two changes differ, so the step reads activations (a "
                     "cache, a layer's output, a global) that the earlier forward pass left",
                     "run the forward pass on the batch inside the step, before its backward "
                     "pass"], where=place, data={**data_, "stale": "the previous forward pass"})
    r, residual = _fit(delta, minus, changed)
    right = [n for n in changed if _fit(delta, minus, [n])[1] <= tol]
    off = [n for n in changed if n not in right]
    moved = read_after_step(learner, "update", right) if right and off else None
    if moved is not None:  # the error of the layers below is computed with the new weights
        w, step, read, code = moved
        line = learner.where.get("update")
        return CheckResult(
            "update", "wrong", f"{name} steps {w} (line {step}) before it reads it again to "
            f"compute the error behind {', '.join(off)}: those move by an error made with the "
            f"new {w}, not the one the output came from",
            details=[f"{what}: {', '.join(right)} move along −∇C, as they should, and "
                     f"{', '.join(off)} do not", f"line {read}: {code}",
                     f"compute every layer's error (δ) first, then step the weights; or keep "
                     f"the old {w} for the errors below it"],
            where=str(dataclasses.replace(line, line=read)) if line is not None else place,
            data={**data_, "read_after_step": [w, step, read]})
    return CheckResult("update", "wrong",
                       f"{name}: the change of {', '.join(off)} is not −η·∇C for this batch "
                       f"(off by {residual:.2g} of its size after the best scaling)",
                       details=[f"{what}"] + ([f"{', '.join(right)} move along −∇C, as they "
                                               "should: what differs in how the others are "
                                               "stepped? (a buffer such as momentum shared "
                                               "between layers, a weight updated before the "
                                               "error that uses it is computed)"]
                                              if right else []) +
                       ([f"never updated: {', '.join(unchanged)}"] if unchanged else []),
                       where=_off_line(learner, off[:1], place), data=data_)
