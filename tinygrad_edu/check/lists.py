"""A network class after 3Blue1Brown's videos: two lists of parameters and an update on a batch.

Its weights and biases sit in two lists (self.W[i] and self.B[i], or self.weights and
self.biases, ...) and each example is one vector or column; its forward pass may keep every
layer's activations in the object (self.layer[i], self.activations[i]) and return nothing; one
method takes a mini-batch of (x, label) or (x, one-hot) pairs and η, computes the gradients
inline and updates (gradient_step(mini_batch, eta), with no backprop method of its own); an
evaluation counts the correct pairs and a training loop makes the mini-batches. recognize() reads
the class as a learner would describe it to check.Adapter, and returns the Adapter's Learner, so
every check treats it as it treats a hand-written adapter. Imports numpy, the standard library,
``adapter`` and ``attrs``.
"""

import ast
import copy
import inspect
import re

import numpy as np

from .adapter import Adapter, _orientation
from .attrs import (
    _EPOCHS,
    _LABELS,
    _LR,
    FORWARD,
    _arguments,
    _epoch,
    _made_one_hot,
    _method,
    _source,
)

# The learner's names for its update on a mini-batch, most common first; any other method that
# takes (a batch, η) does too
UPDATE = ("update_mini_batch", "gradient_step", "update_batch", "update", "step", "train_batch",
          "train_mini_batch", "sgd_step", "train_step", "learn")
EVALUATE = ("evaluate", "test", "accuracy", "score", "validate", "evaluate_accuracy")
_BATCH_ARG = re.compile(r"(?i)batch|data|pairs|examples|samples")
_BATCH_SIZE = re.compile(r"(?i)batch|^mbs?(_?size)?$|^m_?b_?size$|^bs$|^size$")


def _assigned(cls):
    """The attribute names cls's __init__ assigns to self (self.W = [...])."""
    tree = _source(cls, "__init__")
    return {t.attr for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AnnAssign))
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
            and t.value.id == "self"} if tree is not None else set()


def _update(cls):
    """The name of cls's update on a mini-batch: a method taking (a batch, η), by its arguments'
    names (mini_batch, eta); the names of UPDATE first."""
    names = [*UPDATE, *(n for n, f in vars(cls).items() if inspect.isfunction(f))]
    for name in dict.fromkeys(names):
        if _method(cls, (name,), 2):
            batch, lr = _arguments(cls, name)[:2]
            if _BATCH_ARG.search(batch) and _LR.match(lr):
                return name
    return None


def looks_like(cls, lists):
    """Whether cls has this shape: its __init__ assigns one of the (weights, biases) pairs of
    names in lists, and it has a forward pass and an update(mini_batch, eta)."""
    kept = _assigned(cls)
    return any({w, b} <= kept for w, b in lists) and _method(cls, FORWARD, 1) is not None and \
        _update(cls) is not None


def recognize(net, module, data, lists, hyper):
    """A Learner for net (of a class that looks_like this shape), through an Adapter. lists:
    the names of net's (weights, biases) lists, or None when they hold no arrays. hyper(method)
    -> (lr, batch size, where) from the learner's own call of method."""
    cls = type(net)
    if lists is None:
        raise LookupError(f"check: {cls.__name__} has an update on mini-batches but no lists of "
                          "weight and bias arrays the checker can read (self.W and self.B, "
                          "self.weights and self.biases, …); describe your program with "
                          "check.Adapter (docs/verify.md)")
    w, b = lists
    weights = getattr(net, w)
    column = np.ndim(getattr(net, b)[0]) == 2
    layout = "column" if column else "vector"
    rows = _orientation([np.shape(a) for a in weights], layout) == "xW"
    n_in = np.shape(weights[0])[0 if rows else 1]
    n_out = np.shape(weights[-1])[1 if rows else 0]
    params = [f"self.{a}[{i}]" for i in range(len(weights)) for a in (w, b)]
    x1, x2 = _examples(data, n_in, column)

    forward = next(f for f in FORWARD if _method(cls, (f,), 1))
    kept = None
    if _size(_probe(net, forward, x1)[1]) != n_out:  # no output returned: one it keeps?
        kept = _kept_output(net, forward, x1, x2, n_out, skip=(w, b))
    hooks = {"forward": f"self.{forward}" if kept is None else _reading(net, cls, forward, kept,
                                                                         n_out)}
    shape = "columns (n, 1)" if column else "1-D arrays"
    notes = [f"recognized a network class with lists self.{w} and self.{b} (biases as {shape}, "
             f"one example at a time); {forward} is its forward pass" +
             (f", which keeps its output in self.{kept}" if kept else "")]

    update = _update(cls)
    hooks["update_batch"] = f"self.{update}"
    targets = _targets(cls, update)
    batch_arg, lr_arg = _arguments(cls, update)[:2]
    notes.append(f"{update}({batch_arg}, {lr_arg}) is its update, on (x, "
                 f"{'label' if targets == 'labels' else 'one-hot y'}) pairs; its gradients are "
                 "read from one update: (before − after) / η")

    judge = _method(cls, EVALUATE, 1)
    if judge:
        hooks["evaluate"] = _one_hot_judge(net, cls, judge, n_out, column) \
            if _argmax_of_targets(cls, judge) else f"self.{judge}"
    else:
        notes.append(f"{cls.__name__} has no {', '.join(EVALUATE[:3])}, … taking the test "
                     "pairs: the evaluation check is skipped")

    epoch = _epoch(cls, update)
    lr = batch = None
    if epoch:
        lr, batch, found = _hyper(net, cls, epoch, hyper)
        run = _epoch_run(net, cls, epoch, lr, batch)
        if run is not None:
            hooks["epoch"] = run
            notes.append(f"{epoch} is its training loop: it calls {update} per mini-batch" +
                         (f"; {found}" if found else ""))
        else:
            notes.append(f"{cls.__name__}.{epoch} takes arguments the checker cannot fill in: "
                         "the mini-batch check is skipped")
    else:
        notes.append(f"no one method of {cls.__name__} calls {update} in a loop: the "
                     "mini-batch check is skipped; an Adapter can name your training loop")
    learner = Adapter(net, params=params, layout=layout, targets=targets, lr=lr,
                      batch_size=batch, **hooks).learner()
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + notes
    return learner


def _argmax_of_targets(cls, judge):
    """Whether the evaluation takes the argmax of its pairs' targets (`for x, y in data: ...
    np.argmax(y)`): it is given one-hot ones, as its test data hold them."""
    tree = _source(cls, judge)
    data = _arguments(cls, judge)[0]
    for loop in (n for n in ast.walk(tree) if isinstance(n, ast.For)) if tree is not None else ():
        if isinstance(loop.iter, ast.Name) and loop.iter.id == data and \
                isinstance(loop.target, ast.Tuple) and len(loop.target.elts) == 2 and \
                isinstance(loop.target.elts[1], ast.Name):
            y = loop.target.elts[1].id
            return any(isinstance(n, ast.Call) and ast.unparse(n.func).endswith("argmax") and
                       n.args and isinstance(n.args[0], ast.Name) and n.args[0].id == y
                       for n in ast.walk(loop))
    return False


def _one_hot_judge(net, cls, judge, n_out, column):
    """evaluate(pairs) for an evaluation that reads its pairs' targets as one-hot: each label
    made one-hot, as a column or a vector, as the class's examples are."""
    def evaluate(pairs):
        hot = np.eye(n_out)
        return getattr(net, judge)([(x, hot[[int(label)]].T if column else hot[int(label)])
                                    for x, label in pairs])
    evaluate.__wrapped__ = getattr(cls, judge)  # where the checks point: the learner's own
    return evaluate


def _examples(data, n_in, column):
    """Two different examples of n_in inputs, as the class takes them: the data's first two
    when they have that size, else drawn (the sizes of another dataset)."""
    X = data.train.X[:2] if data.train.X.shape[1] == n_in else \
        np.random.default_rng(0).random((2, n_in))
    return [np.array(x, dtype=np.float64).reshape(-1, 1) if column else np.array(x,
                                                                                  dtype=np.float64)
            for x in X]


def _probe(net, forward, x):
    """(a copy of net after its forward pass on x, what that returned); the learner's own object
    keeps the activations it was built with."""
    try:
        probe = copy.deepcopy(net)
    except Exception:
        probe = net
    try:
        with np.errstate(all="ignore"):
            return probe, getattr(probe, forward)(x)
    except Exception:
        return probe, None


def _size(value):
    return value.size if isinstance(value, np.ndarray) else None


def _last(value):
    """The array an attribute holds, or the last of the arrays it lists; None for others."""
    if isinstance(value, (list, tuple)) and value:
        value = value[-1]
    return np.asarray(value, dtype=np.float64) if isinstance(value, np.ndarray) else None


def _kept_output(net, forward, x1, x2, n_out, skip):
    """Where the forward pass keeps the network's output when it returns none: the attribute
    (self.output) or list of them (self.layer[-1]) holding n_out values that change with the
    input; a list of pre-activations (self.zs) only when nothing else does. None: nowhere."""
    (first, _), (second, _) = _probe(net, forward, x1), _probe(net, forward, x2)
    found = []
    for name in vars(first):
        a, b = _last(getattr(first, name)), _last(getattr(second, name, None))
        if name not in skip and a is not None and b is not None and a.size == n_out and \
                a.shape == b.shape and not np.array_equal(a, b):
            found.append(f"{name}[-1]" if isinstance(getattr(first, name), (list, tuple))
                         else name)
    found.sort(key=lambda n: bool(re.match(r"(?i)z|pre|logit", n)))
    return found[0] if found else None


def _reading(net, cls, forward, kept, n_out):
    """forward(x) for a forward pass that keeps its output: it runs, then self.<kept> is read
    (a copy: the next pass may write into the same array)."""
    name, _, index = kept.partition("[")

    def run(x):
        got = getattr(net, forward)(x)
        if _size(got) == n_out:
            return got  # it returns the output after all (on these examples)
        value = getattr(net, name)
        return np.array(value[-1] if index else value, copy=True)
    run.__wrapped__ = getattr(cls, forward)  # where the checks point: the learner's own
    return run


def _targets(cls, update):
    """"labels" when the update's pairs hold the digit: the loop over the batch names it so
    (`for image, label in mini_batch`), makes it one-hot, or indexes with it, itself or
    through a method of the class (`self.y(label)`: `a[label] = 1`); else "onehot"."""
    tree = _source(cls, update)
    batch = _arguments(cls, update)[0]
    loops = [n for n in ast.walk(tree) if isinstance(n, ast.For) and isinstance(n.iter, ast.Name)
             and n.iter.id == batch and isinstance(n.target, ast.Tuple)
             and len(n.target.elts) == 2 and isinstance(n.target.elts[1], ast.Name)] \
        if tree is not None else []
    if not loops:
        return "onehot"
    y = loops[0].target.elts[1].id
    if _LABELS.match(y) or _made_one_hot(tree, y) or _indexes_with(tree, y):
        return "labels"
    for n in ast.walk(tree):  # passed on to a method of the class: self.y(label)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                isinstance(n.func.value, ast.Name) and n.func.value.id == "self" and \
                any(isinstance(a, ast.Name) and a.id == y for a in n.args) and \
                inspect.isfunction(getattr(cls, n.func.attr, None)):
            position = next(k for k, a in enumerate(n.args) if isinstance(a, ast.Name)
                            and a.id == y)
            arguments = _arguments(cls, n.func.attr)
            inner = _source(cls, n.func.attr)
            if position < len(arguments) and inner is not None and (
                    _made_one_hot(inner, arguments[position]) or
                    _indexes_with(inner, arguments[position])):
                return "labels"
    return "onehot"


def _indexes_with(tree, name):
    """Whether the function's tree indexes with name itself: a[label] = 1."""
    return any(isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Name)
               and n.slice.id == name for n in ast.walk(tree))


def _hyper(net, cls, epoch, hyper):
    """(η, batch size, where they come from) for the training loop epoch: the learner's own
    call of it, its defaults, a constant it assigns (mb_size = 125), the object's attributes."""
    lr, batch, call = hyper(epoch)
    said = []
    if call is not None and (lr is not None or batch is not None):
        said.append(f"{_and(lr, batch)} from your {call}")
    signature = inspect.signature(getattr(cls, epoch)).parameters
    constants = _constants(_source(cls, epoch))
    for role, pattern in (("lr", _LR), ("batch", _BATCH_SIZE)):
        if (lr if role == "lr" else batch) is not None:
            continue
        found = next(((p.default, f"the default of {n}") for n, p in signature.items()
                      if pattern.search(n) and _number(p.default)), None) or next(
            ((v, f"{n} = {v} in {epoch}") for n, v in constants.items() if pattern.search(n)),
            None) or next(((v, f"self.{n}") for n, v in vars(net).items()
                           if pattern.search(n) and _number(v)), None)
        if found is not None:
            if role == "lr":
                lr = found[0]
            else:
                batch = found[0]
            said.append(f"{'η' if role == 'lr' else 'batch size'} {found[0]} from {found[1]}")
    return lr, batch, "; ".join(said)


def _and(lr, batch):
    return " and ".join(s for s in (f"η = {lr}" if lr is not None else "",
                                    f"batch size {batch}" if batch is not None else "") if s)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _constants(tree):
    """{name: number} for the plain `name = 125` lines of a function's tree."""
    return {n.targets[0].id: n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
            and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
            and isinstance(n.value, ast.Constant) and _number(n.value.value)} \
        if tree is not None else {}


def _epoch_run(net, cls, name, lr, batch):
    """epoch(pairs) calling the learner's loop for one epoch, its arguments filled in by their
    names (the pairs, epochs = 1, η, the batch size, a few pairs for a test set it needs); None
    when one cannot be."""
    arguments = list(inspect.signature(getattr(cls, name)).parameters.values())[1:]
    if not arguments:
        return None
    fill, held_out = {}, []
    for p in arguments[1:]:
        if _EPOCHS.search(p.name):
            fill[p.name] = 1
        elif _LR.match(p.name) and (lr is not None or p.default is p.empty):
            fill[p.name] = lr if lr is not None else 1.0  # the updates are only recorded
        elif _BATCH_SIZE.search(p.name) and (batch is not None or p.default is p.empty):
            fill[p.name] = batch if batch is not None else 10
        elif p.default is p.empty and re.search(r"(?i)test|val|dev", p.name):
            held_out.append(p.name)
        elif p.default is p.empty:
            return None
    if not any(_EPOCHS.search(k) for k in fill):
        return None

    def epoch(pairs):
        return getattr(net, name)(pairs, **fill, **{h: pairs[:10] for h in held_out})
    epoch.__wrapped__ = getattr(cls, name)
    return epoch
