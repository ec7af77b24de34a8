"""The learning check: a short run of the learner's own training steps on a subset, with its η and
batch size, lowers the cost; beside it, the same run of plain SGD on the oracle from the same
start, so "it does not learn" can be told from "this η does not learn". A plot of both when asked.

It imports the oracle and calls (and matplotlib, only when a plot is asked for); the learner's
parameters are restored.
"""

import numpy as np

from .calls import function, raised, reshaped, skipped, where
from .learner import other_draws
from .report import ABOVE, CAUTION, CheckResult

SUBSET = 300  # examples the cost is measured on and the steps are drawn from
STEPS = 40  # steps of a mini-batch learner; an online one (batch of 1) takes 4× as many
EXAMPLES = 2500  # at most this many example-steps: large batches take fewer steps
SLOWER = 0.25  # a cost that falls less than this part of plain SGD's fall is not learning
FLAT = 0.05  # when plain SGD does not lower the cost either, a rise within this part of it
# (momentum's first overshoot) tells nothing; a step that climbs the gradient rises more
LONGER = 5  # then plain SGD runs this many times as long: falling, it needed more steps


def _whole(learner, n):
    """n when the learner's own loop trains on the whole set at once (gradient_descent(X, Y,
    alpha, iterations): one epoch is one batch of every example), so that its steps here do
    too; None otherwise. A full-batch program's code may need a whole set: its one_hot(Y),
    sized by Y.max() + 1, has fewer rows on 10 examples without a 9."""
    if learner.batches is None:
        return None
    before = learner.snapshot()
    try:
        with np.errstate(all="ignore"):
            recorded = learner.batches(n)
    except Exception:  # the minibatches check says what it raises
        return None
    finally:
        learner.restore(before)
    return n if len(recorded) == 1 and len(recorded[0]) == n else None


def _small_batch(learner, sub, lr, before):
    """For a learner that trains on the whole set at once: what one of its steps raises on a
    mini-batch of 10 examples with no example of the last class, said beside the check's figure
    as a caution (a one_hot(Y) sized by Y.max() + 1 has a row too few there); None when it
    runs. The program as written never meets such a batch: nothing of it is wrong."""
    labels = np.asarray(sub.labels)
    pick = np.flatnonzero(labels != labels.max())[:10]
    try:
        with np.errstate(all="ignore"):
            learner.step(sub.X[pick], sub.Y[pick], lr)
    except Exception as e:
        found = raised("learning", e, learner, "update")
        return (f"{CAUTION}on a mini-batch of 10 examples with no {labels.max()} "
                f"among them, {found.summary}, in {found.where} (is a one_hot(Y) sized by "
                "Y.max() + 1?). Your "
                "training takes the whole set at once, which holds every digit; a loop over "
                "mini-batches would crash there")
    finally:
        learner.restore(before)
    return None


def run(learner, data, oracle, *, plot=None):
    """Run STEPS learner steps on a subset; compare the cost curve with the oracle's SGD."""
    if learner.step is None:
        return skipped("learning", f"{learner.name} has no training step the checker can call")
    sub = data.train.take(slice(0, min(len(data.train), SUBSET)))
    whole = None if learner.batch_size else _whole(learner, len(sub))
    size = learner.batch_size or whole or 10
    lr = float(learner.lr) if learner.lr else 0.1
    steps = min(STEPS, max(10, EXAMPLES // size)) if size > 1 else 4 * STEPS
    name = function(learner, "update", "the training step")
    place = where(learner, "update")
    before = learner.snapshot()
    costs = [oracle.cost_value(sub.X, sub.Y)]
    try:
        for k in range(steps):
            i = (k * size) % len(sub)
            with np.errstate(all="ignore"):
                learner.step(sub.X[i:i + size], sub.Y[i:i + size], lr)
            grown = reshaped(learner, before, "learning")
            if grown is not None:
                return grown
            costs.append(oracle.cost_value(sub.X, sub.Y))
    except Exception as e:
        return raised("learning", e, learner, "update")
    finally:
        learner.restore(before)
    with np.errstate(all="ignore"):
        _, reference = oracle.sgd(sub.X, sub.Y, lr, size, steps, before)
    run_ = f"{steps} steps of {name} (η = {lr:g}, batches of {size}, {len(sub)} examples)"
    data_ = {"costs": costs, "reference": reference, "lr": lr, "batch_size": size,
             "steps": steps}
    details = [_small_batch(learner, sub, lr, before)] if whole else []
    details = [d for d in details if d]
    if plot is not None:
        details.append(_plot(plot, costs, reference, name))

    def fell(c):
        return bool(np.isfinite(c[-1]) and c[-1] < c[0] * (1 - 1e-3))

    mine = f"cost {costs[0]:.4g} → {costs[-1]:.4g}"
    ref = f"plain SGD on the same steps from the same start: {reference[0]:.4g} → " \
        f"{reference[-1]:.4g}"
    if not np.isfinite(costs[-1]):
        first = next(k for k, c in enumerate(costs) if not np.isfinite(c))
        return CheckResult("learning", "wrong", f"{run_}: the cost becomes {costs[first]} at "
                           f"step {first}: the training diverges", details=[ref, *details],
                           where=place, data=data_)
    if fell(costs):
        # The same steps of a right program fall as far as plain SGD's (they are the same
        # steps); a quarter of that is a step that works against its own gradient.
        if fell(reference) and costs[0] - costs[-1] < SLOWER * (reference[0] - reference[-1]) \
                and _draws(learner, sub, size, lr, before):  # dropout: slower on purpose
            return CheckResult("learning", "ok", f"{run_}: {mine}", details=[
                ref, "its steps draw random numbers (dropout?): they train a thinned network "
                "each time, so a slower fall than plain SGD's on these few steps is expected",
                *details], where=place, data=data_)
        if fell(reference) and costs[0] - costs[-1] < SLOWER * (reference[0] - reference[-1]):
            return CheckResult("learning", "wrong", f"{run_} lowers the cost far less than "
                               f"plain SGD ({mine}, while {ref})",
                               details=[ABOVE, *details], where=place, data=data_)
        return CheckResult("learning", "ok", f"{run_}: {mine}", details=[ref, *details],
                           where=place, data=data_)
    if fell(reference):
        return CheckResult("learning", "wrong", f"{run_} does not lower the cost ({mine}), "
                           f"while {ref}", details=[ABOVE, *details],
                           where=place, data=data_)
    if costs[-1] > max(reference[-1], costs[0]) * (1 + FLAT):
        return CheckResult("learning", "wrong", f"{run_} does not lower the cost ({mine}), "
                           f"and it ends above plain SGD at this η ({reference[-1]:.4g})",
                           details=[ABOVE, *details], where=place, data=data_)
    with np.errstate(all="ignore"):  # about as flat as plain SGD: is η too small, or are
        _, longer = oracle.sgd(sub.X, sub.Y, lr, size, LONGER * steps, before, curve=False)
    if fell(longer):  # too few steps (a sigmoid network starts on a plateau; momentum
        # overshoots a little first): nothing against the program
        return CheckResult("learning", "skipped", f"{run_} does not lower the cost ({mine}), "
                           f"but neither does plain SGD at this η ({ref}), which needs more "
                           f"steps ({longer[0]:.4g} → {longer[-1]:.4g} in {LONGER * steps}): "
                           f"these {steps} are too few to tell, so this says nothing against "
                           "your step (the update check does)", details=details, where=place,
                           data=data_)
    # Plain SGD from these weights at this η stays flat even five times as long: the settings
    # are slow (a deep sigmoid network from small weights sits on a plateau for hundreds of
    # steps, and then learns), or η is too small; neither is the step's fault
    return CheckResult("learning", "skipped", f"{run_} does not lower the cost ({mine}), and "
                       f"neither does plain SGD at this η, even in {LONGER * steps} steps "
                       f"({longer[-1]:.4g}): a check this short cannot tell. If your own "
                       "training does not learn either, try a larger learning rate (or larger "
                       "initial weights); the update check says whether the step is right",
                       details=details, where=place, data=data_)


def _draws(learner, sub, size, lr, before):
    """Whether one step of the learner's from the same weights, on the same batch, moves them
    differently under other random numbers (a dropout mask drawn in the step)."""
    after = []
    state = np.random.get_state()
    try:
        for seed in (1, 2):
            np.random.seed(seed)  # a step's own draws, or those same_draws starts it from
            with np.errstate(all="ignore"), other_draws(seed):
                learner.step(sub.X[:size], sub.Y[:size], lr)
            after.append(learner.snapshot())
            learner.restore(before)
    except Exception:
        return False
    finally:
        np.random.set_state(state)
        learner.restore(before)
    return any(not np.array_equal(after[0][k], after[1][k]) for k in after[0])


def _plot(path, costs, reference, name):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return f"no plot: matplotlib is not installed (pip install matplotlib), so {path} " \
            "was not written"
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(costs, label=f"your {name}")
    ax.plot(reference, "--", label="plain SGD (autograd), same start")
    ax.set_xlabel("step")
    ax.set_ylabel("cost on the subset")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return f"plot: {path}"
