"""The learner protocol: what the whole-program checks know of a learner's program.

A recognizer (a code shape the checker knows, such as Nielsen's ``Network``) or a hand-written
``Adapter`` turns the learner's object or module into one ``Learner``; the checks use nothing else.
Every array the checks pass in is canonical: examples as rows ``X`` (m, n_in) in float64, one-hot
targets ``Y`` (m, n_out), integer ``labels`` (m,). The Learner's callables convert them to the
learner's own layout (columns, lists of (x, y) pairs, ...) and convert the answers back. This
module is numpy only.
"""

import contextlib
import functools
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

CHECKS = ("forward", "gradients", "update", "minibatches", "evaluation", "learning", "book")

_DRAWS = [1729]  # the seed each call of the learner's code starts from (other_draws changes
# it); not the seed its network was built with, or weights drawn again in a step would come
# out equal to the first ones


def same_draws(f, generators=()):
    """f, starting each call from numpy's and random's global generators, and the learner's own
    generators (an `rng = np.random.default_rng(0)`, a RandomState), seeded alike, and leaving
    them as they were: code that draws random numbers (a dropout mask, noise) draws the same
    ones in every call a check compares, as if it drew none."""
    if f is None or getattr(f, "same_draws", False):
        return f

    @functools.wraps(f)
    def call(*args, **kwargs):
        state, py_state = np.random.get_state(), random.getstate()
        own = [g.bit_generator.state if isinstance(g, np.random.Generator) else g.get_state()
               for g in generators]
        np.random.seed(_DRAWS[0])
        random.seed(_DRAWS[0])
        for k, g in enumerate(generators):
            if isinstance(g, np.random.Generator):
                g.bit_generator.state = type(g.bit_generator)(_DRAWS[0] + k).state
            else:
                g.seed(_DRAWS[0] + k)
        try:
            return f(*args, **kwargs)
        finally:
            np.random.set_state(state)
            random.setstate(py_state)
            for g, saved in zip(generators, own):
                if isinstance(g, np.random.Generator):
                    g.bit_generator.state = saved
                else:
                    g.set_state(saved)

    call.same_draws = True
    return call


def drawn(learner, X, Y, got, names):
    """'W1 and 3 more' when the learner's gradients got for (X, Y) change with the seed its
    calls start from (same_draws): they draw random numbers (dropout); else None."""
    try:
        with other_draws():
            again = learner.grads(X, Y)
    except Exception:  # the first call worked: whatever this is, the caller's check says it
        return None
    if not isinstance(again, Mapping) or not isinstance(got, Mapping):
        return None
    moved = [n for n in names if isinstance(again.get(n), np.ndarray) and
             isinstance(got.get(n), np.ndarray) and again[n].shape == got[n].shape and
             not np.array_equal(again[n], got[n])]
    return None if not moved else moved[0] + (f" and {len(moved) - 1} more" if len(moved) > 1
                                               else "")


def generators(*owners):
    """The numpy generators (Generator, RandomState) the owners hold: a module's globals, an
    object's attributes, and their attributes one level down."""
    found, seen = [], set()

    def visit(value, depth):
        if isinstance(value, (np.random.Generator, np.random.RandomState)):
            if id(value) not in seen:
                seen.add(id(value))
                found.append(value)
        elif depth < 2 and not isinstance(value, (type, np.ndarray)):
            attrs = getattr(value, "__dict__", None)
            for v in list(attrs.values()) if isinstance(attrs, dict) else ():
                visit(v, depth + 1)

    for owner in owners:
        visit(owner, 0)
    return found


@contextlib.contextmanager
def other_draws(seed=1):
    """Calls of same_draws functions start from another seed inside: what changes then was
    drawn at random (dropout left on, noise)."""
    _DRAWS[0], old = seed, _DRAWS[0]
    try:
        yield
    finally:
        _DRAWS[0] = old


class Batches(list):
    """One epoch's mini-batches as lists of example indices, as a recorder saw them, with how
    many of the targets that came with them it could read (checked) and how many were not their
    examples' own (wrong): example i's label is i % n_out (a learner that shuffles the images and
    the labels with two different permutations pairs them with other examples' labels)."""

    checked = wrong = moved = 0  # moved: labels one on from their own, (i + 1) % n_out, as
    # the held-out targets an epoch is given carry them: trained on, they are the test labels
    kept = False  # the learner's update ran too (its loop uses what the update returns)
    n = None  # the examples the epoch ran on, when fewer than asked (a real epoch is costly)
    ENOUGH = 2000  # targets read: enough to tell one in n_out from all, and cheap for an
    # online learner's 60,000 calls of one example each

    def labels(self, indices, targets, n_out, columns=False):
        """Count the targets (one-hot, as rows or columns, or integer labels) that came with
        the examples indices, when they can be read as such, until ENOUGH are read; ignore
        anything else."""
        k = len(indices)
        if not k or self.checked >= self.ENOUGH:
            return False
        t = np.asarray(targets)
        if t.dtype.kind in "iu" and t.size == k:
            got = t.ravel()
        elif t.dtype.kind == "f" and t.size == k * n_out and np.isin(t, (0, 1)).all():
            t = t.reshape((n_out, k) if columns else (k, n_out))
            if not (t.sum(axis=0 if columns else 1) == 1).all():
                return False
            got = t.argmax(axis=0 if columns else 1)
        else:
            return False
        self.checked += k
        self.wrong += int((got != np.asarray(indices) % n_out).sum())
        self.moved += int((got == (np.asarray(indices) + 1) % n_out).sum())
        return True


_HELD_OUT_X = re.compile(r"(?i)^x|(^|_)x(_|$)|image|input|pixel")  # x_test, test_x, images
RATE = re.compile(r"(?i)^(lr|eta|alpha|learning_?rate|learningrate|rate|step_?size)$")  # η


def held_out(names, x, y, n_out, rows):
    """{name: value} for a training function's held-out arguments (x_test, t_test, X_dev, ...):
    the training inputs x, and targets that carry each example's label moved on by one (as
    digits, or one-hot rows or columns, as y is), so that batches trained on them show
    (Batches.moved counts them)."""
    moved = (np.asarray(y) + 1) % n_out if np.ndim(y) == 1 else \
        np.roll(y, 1, axis=1 if rows else 0)
    return {h: x if _HELD_OUT_X.search(h) else moved for h in names}


def held_out_targets(names):
    """The names of names that held_out gives targets (y_test, t_test, labels_test)."""
    return [h for h in names if not _HELD_OUT_X.search(h)]


@dataclass
class Param:
    """One of the learner's parameter arrays, named as the learner's code names it.

    get() reads it afresh each time (learners rebind their lists: ``self.W = [...]``), set(a)
    writes it back where the learner's code will read it.
    """

    name: str  # "self.weights[0]", "W[1]", "params['b1']", "self.wih"
    get: Callable[[], np.ndarray]
    set: Callable[[np.ndarray], None]
    layer: int  # 1 for the first weight layer (the one that reads the input), 2 for the next, ...
    role: str  # "W" or "b"


@dataclass
class Where:
    """A place in the learner's code: the function, its file and line."""

    function: str  # "Network.feedforward", "backward_prop"
    file: str
    line: int

    def __str__(self):
        return f"{self.function} ({Path(self.file).name}:{self.line})"


@dataclass
class Sample:
    """Canonical examples: X (m, n_in) float64 rows, Y (m, n_out) one-hot, labels (m,) int."""

    X: np.ndarray
    Y: np.ndarray
    labels: np.ndarray

    def __len__(self):
        return len(self.labels)

    def take(self, index):
        """The examples at index (a slice, an index array or a list), as a new Sample."""
        return Sample(self.X[index], self.Y[index], self.labels[index])


@dataclass
class Data:
    """The bundled data a check runs on, in the canonical layout."""

    name: str  # "mnist" or "digits32"
    train: Sample
    test: Sample


@dataclass
class Learner:
    """A learner's program as the checks see it; None marks what this program does not offer.

    forward(X) -> what the learner's forward pass returned, converted to rows (m, n_out) when it
        is an array of a recognizable shape, otherwise as it came (None included).
    grads(X, Y) -> {param name: ∂C/∂param} for the batch, in each parameter's own shape, as the
        learner's code computes it (its backprop, or derived from one update).
    step(X, Y, lr) -> None: one update on this batch, done by the learner's code.
    evaluate(X, labels) -> the learner's own figure (a count, a fraction or a percentage).
    batches(n) -> the learner's own epoch loop run on n instrumented examples with its update
        replaced by a recorder: one list of example indices per mini-batch it would train on.
    repeats(n) -> the same for two epochs in one run of the loop, where the recognizer can ask
        for two (a shuffle done once, before the epochs, shows as two equal halves).
    """

    name: str  # "Network in network.py"
    params: list  # of Param, layer by layer, W before b
    layout: str = "columns"  # how the learner's code holds examples: "columns" or "rows"
    forward: Callable | None = None
    grads: Callable | None = None
    grads_reduction: str | None = None  # "sum" or "mean" over the batch, when the code tells
    step: Callable | None = None
    evaluate: Callable | None = None
    evaluate_units: str | None = None  # "count", "fraction" or "percent"; None: infer
    batches: Callable | None = None  # batches(n): one epoch's batches (Batches) on n examples
    lr: float | None = None  # the learner's η, from their own code or training call
    batch_size: int | None = None  # the learner's mini-batch size, likewise
    cost: str | None = None  # "quadratic" ½‖a−y‖², "squared_error" ‖a−y‖², "cross_entropy"
    # (softmax), "sigmoid_cross_entropy"; None: the checks infer it
    activation: str | None = None  # hidden activation ("sigmoid", "relu", "tanh"); None: infer
    like: tuple = (None, None)  # (cost, activation) of `--like PRESET`: tried first where the
    # program does not tell, never against what its forward pass or gradients show
    where: dict = field(default_factory=dict)  # role → Where: "forward", "backprop", "update",
    # "epoch", "evaluate"
    notes: list = field(default_factory=list)  # what the recognizer found or could not find
    files: list = field(default_factory=list)  # the learner's source files, for traceback lines
    repeats: Callable | None = None  # repeats(n): the batches of two epochs of the learner's
    # loop in one run on n examples, where a recognizer can ask for two (Nielsen's SGD)
    one_at_a_time: str | None = None  # "column" (n, 1) or "vector" (n,) when the learner's
    # code takes one example at a time (network.py's feedforward(x)); None for batches
    cost_reduction: str | None = None  # "sum" when the learner's own loss is a sum over the
    # batch (DLFS's loss(x, t) without / batch_size): then η·∇ of that sum is a right step
    l2: tuple | None = None  # (λ, n) the step is called with, when the learner's update takes
    # them (network2's update_mini_batch(batch, η, λ, n)): each weight then shrinks by ηλ/n
    modules: list = field(default_factory=list)  # the learner's loaded modules (the file's and
    # those it imports from beside it), where a check looks for their helper functions
    owner: object = None  # the learner's network object (or module) the callables use: a helper
    # method that reads self.alpha is tried on a copy of it
    update_at: dict = field(default_factory=dict)  # param → Where of the line that steps it,
    # where the recognizer knows it (a script's `for b, nb in zip(B, nabla_b): b = b - ...`)
    gradient_names: dict = field(default_factory=dict)  # param → the name its gradient has in
    # the learner's code, where no rule derives it (a script's `bias2 -= lr * db2`: db2)
    early_update: tuple | None = None  # (Where of the update, Where of the backward call, its
    # line): a loop that steps the parameters before the call that computes their gradients

    def param(self, name):
        """The Param called name."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no parameter {name!r}; it has "
                       f"{', '.join(p.name for p in self.params)}")

    def snapshot(self):
        """{name: a copy of the current array}, to compare or restore later."""
        return {p.name: np.array(p.get(), dtype=np.float64, copy=True) for p in self.params}

    def shapes(self):
        """{name: the current array's shape}, without copying it (snapshot copies)."""
        return {p.name: np.shape(p.get()) for p in self.params}

    def same_draws(self, generators=()):
        """Make every call of forward, grads, step and evaluate start from the same random
        numbers (same_draws), those of the learner's own generators too; batches(n) keeps
        drawing afresh, as a shuffle must."""
        for role in ("forward", "grads", "step", "evaluate"):
            setattr(self, role, same_draws(getattr(self, role), generators))
        return self

    def restore(self, arrays):
        """Write back arrays taken by snapshot(), in each parameter's current dtype."""
        for p in self.params:
            p.set(np.array(arrays[p.name], dtype=np.asarray(p.get()).dtype, copy=True))
