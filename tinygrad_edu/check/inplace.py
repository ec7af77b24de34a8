"""A network class that trains in place, one example at a time.

Make Your Own Neural Network's ``neuralNetwork`` (``query(inputs)``, ``train(inputs, targets)``
stepping ``self.wih`` and ``self.who`` by ``self.lr``) and the 3Blue1Brown-style classes whose
``backward`` steps the weights it has just differentiated (``forward(X, y, activate)`` then
``backward(y, activate)``, by ``self.alpha``). Neither returns gradients: the update is the
only way in, so the checker reads the gradients from it, as from an adapter's ``update``.

The parameters are the arrays the update changes, in the order the layers chain from the
inputs to the outputs; the learning rate is the attribute the update multiplies by; arguments
beyond the example (an activation function, the targets) are filled in as the class's own
calls pass them. recognize() describes the class to check.Adapter, so every check treats it as
it treats a hand-written adapter.
"""

import ast
import inspect
import re

import numpy as np

from . import attrs
from .adapter import Adapter
from .learner import RATE

FORWARD = (*attrs.FORWARD, "query", "think", "run")  # query: Make Your Own Neural Network
_LR = RATE
_INPUTS = re.compile(r"(?i)^(x|xs?_?\w*|inputs?(_\w+)?|images?|features?|a0|data|sample)$")
_TARGETS = re.compile(r"(?i)^(y|t|targets?(_\w+)?|labels?|wanted|desired|expected|answer)$")


def _tree(cls, name):
    return attrs._source(cls, name)


def _self_attr(node):
    """'W1' for self.W1 and self.W1[...] (the attribute a target writes), else None."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
            node.value.id == "self":
        return node.attr
    return None


def _reads(tree, attr):
    return any(isinstance(n, ast.Attribute) and n.attr == attr and isinstance(n.value, ast.Name)
               and n.value.id == "self" for n in ast.walk(tree))


def steps_in_place(tree):
    """({attribute: line} the function steps by a learning rate it keeps on self, the name of
    that rate): `self.who += self.lr * ...`, `self.W3 -= self.alpha * dW3`, `self.W = self.W -
    self.eta * dW`, or a step made of names that carry the rate (`gradients = ... *
    self.learning_rate`, `deltas = gradients @ hidden.T`, `self.weights_ho += deltas`);
    ({}, None) when it steps none."""
    stepped, rate, carries = {}, None, {}  # carries: local name -> the rate it was scaled by
    for n in sorted((n for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AugAssign))),
                    key=lambda n: (n.lineno, n.col_offset)) if tree is not None else ():
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                isinstance(n.targets[0], ast.Name):
            lr = _rate(n.value, carries)
            if lr:
                carries[n.targets[0].id] = lr
            continue
        if isinstance(n, ast.AugAssign) and isinstance(n.op, (ast.Add, ast.Sub)):
            target, value = n.target, n.value
        elif isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                isinstance(n.value, ast.BinOp) and isinstance(n.value.op, (ast.Add, ast.Sub)):
            target, value = n.targets[0], n.value.right
            if _self_attr(n.value.left) != _self_attr(target):
                continue
        else:
            continue
        attr, lr = _self_attr(target), _rate(value, carries)
        if attr is not None and lr is not None:
            stepped.setdefault(attr, n.lineno)
            rate = rate or lr
    return stepped, rate


def _rate(value, carries):
    """The rate attribute (self.lr) an expression is scaled by, itself or through a local name
    that was; None when it is not."""
    for a in ast.walk(value):
        if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name) and \
                a.value.id == "self" and _LR.match(a.attr):
            return a.attr
        if isinstance(a, ast.Name) and a.id in carries:
            return carries[a.id]
    return None


def _updater(cls):
    """(method, {attribute: line}, rate attribute): the method of cls that steps its parameters
    in place by a rate kept on self; (None, {}, None) when none does."""
    for name, func in vars(cls).items():
        if inspect.isfunction(func) and not name.startswith("__"):
            stepped, rate = steps_in_place(_tree(cls, name))
            if stepped:
                return name, stepped, rate
    return None, {}, None


def _forwards(cls):
    return [n for n in FORWARD if inspect.isfunction(getattr(cls, n, None))]


def looks_like(cls):
    """Whether cls steps its parameters in place by a rate of its own (self.lr, self.alpha) in
    one of its methods, and has a forward pass (query, forward, feedforward, ...)."""
    return _updater(cls)[0] is not None and bool(_forwards(cls))


def _required(cls, name):
    func = getattr(cls, name)
    return [p.name for p in list(inspect.signature(func).parameters.values())[1:]
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _own_call(cls, name):
    """The first call self.<name>(...) in cls's methods (the arguments the class passes)."""
    for other in vars(cls):
        tree = _tree(cls, other) if inspect.isfunction(vars(cls)[other]) else None
        for n in ast.walk(tree) if tree is not None else ():
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                    n.func.attr == name and isinstance(n.func.value, ast.Name) and \
                    n.func.value.id == "self":
                return n
    return None


def _arguments(cls, name, module):
    """[(parameter, kind, value)] for each required argument of method name: kind "x" (the
    example), "y" (its targets), or "value" (what the class's own call passes: a function of
    the module such as Sigmoid, a constant). Raises LookupError for one it cannot fill."""
    call = _own_call(cls, name)
    filled = []
    for k, parameter in enumerate(_required(cls, name)):
        given = call.args[k] if call is not None and k < len(call.args) else None
        value = _value(given, module)
        if value is not _NONE:
            filled.append((parameter, "value", value))
        elif _INPUTS.match(parameter):
            filled.append((parameter, "x", None))
        elif _TARGETS.match(parameter):
            filled.append((parameter, "y", None))
        else:
            raise LookupError(
                f"check: {cls.__name__}.{name} takes {parameter!r}, which the checker cannot "
                "fill in (it is not named for the inputs or the targets, and no call of it in "
                "the class passes a function or a constant); describe your program with "
                "check.Adapter (docs/verify.md)")
    return filled


_NONE = object()
_SIZES = (784, 1024)  # MNIST's inputs, the 32×32 text digits'



def _value(node, module):
    """What an argument expression of the class's own call is, when it names something of the
    module (a function such as Sigmoid) or is a constant; _NONE otherwise (a local variable)."""
    if node is None:
        return _NONE
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        pass
    if isinstance(node, (ast.Name, ast.Attribute)) and module is not None:
        try:
            return eval(compile(ast.Expression(node), "<argument>", "eval"), dict(vars(module)))
        except Exception:
            return _NONE
    return _NONE


def _call(net, name, filled, x, y):
    values = [x if kind == "x" else y if kind == "y" else value for _, kind, value in filled]
    return getattr(net, name)(*values)


def _output(got, n_out):
    """The output of one example in what a forward pass returned: the array itself, or the one
    of n_out values in a tuple (seed 003's forward returns (Loss, self.y_hat)); else None."""
    for value in (got if isinstance(got, tuple) else (got,)):
        if value is not None and np.size(value) == n_out:
            return np.asarray(value)
    return None


def _arrays(net, stepped):
    """{path: array} of the stepped attributes: self.wih itself, each entry of a list such as
    self.weights (as 'weights[0]', 'weights[1]', ...)."""
    found = {}
    for a in stepped:
        value = getattr(net, a, None)
        if isinstance(value, np.ndarray):
            found[a] = value
        elif isinstance(value, (list, tuple)) and value and \
                all(isinstance(v, np.ndarray) for v in value):
            found.update((f"{a}[{i}]", v) for i, v in enumerate(value))
    return found


def _chain(net, stepped, n_in, n_out):
    """(layout, [(weight, bias or None)]): the stepped 2-D arrays chained from the inputs to the
    outputs, as columns ((out, in), Make Your Own Neural Network) or rows ((in, out)), each
    with the stepped vector of its output size; None when they do not chain."""
    arrays = _arrays(net, stepped)
    weights = {a: v for a, v in arrays.items() if v.ndim == 2 and min(v.shape) > 1}
    biases = [a for a, v in arrays.items() if a not in weights]
    for layout, (i, o) in (("columns", (1, 0)), ("rows", (0, 1))):
        chain = _path(weights, n_in, n_out, i, o)
        if chain:
            pairs = []
            for w in chain:
                out = weights[w].shape[o]
                fits = [b for b in biases if arrays[b].size == out]
                b = next((b for b in fits if _kin(w, b)), fits[0] if fits else None)
                if b is not None:
                    biases.remove(b)
                pairs.append((w, b))
            return layout, pairs
    return None


def _kin(weight, bias):
    """Whether the names say the bias belongs to the weight: the same number (W1, b1) or the
    same name after its first letter (wih, bih)."""
    number = re.findall(r"\d+", weight)
    return number == re.findall(r"\d+", bias) if number else weight[1:] == bias[1:]


def _path(weights, size, n_out, i, o):
    """The order of all the weights that takes size inputs to n_out outputs, each weight's
    input axis i the size of the one before's output axis o; None when there is none (a
    square W2 may come before W3 or after it: the search tries both)."""
    if not weights:
        return [] if size == n_out else None
    for a, v in weights.items():
        if v.shape[i] == size:
            rest = _path({k: w for k, w in weights.items() if k != a}, v.shape[o], n_out, i, o)
            if rest is not None:
                return [a, *rest]
    return None


def recognize(net, module, data):
    """A Learner for net (of a class that looks_like this shape), through an Adapter."""
    cls = type(net)
    n_in, n_out = data.train.X.shape[1], data.train.Y.shape[1]
    updater, stepped, rate = _updater(cls)
    found = _chain(net, stepped, n_in, n_out)
    if found is None and n_in in _SIZES:  # the 32×32 digits' 1,024 inputs: the checker comes
        n_in = next(n for n in _SIZES if n != n_in)  # back with those data
        found = _chain(net, stepped, n_in, n_out)
    if found is None:
        shapes = ", ".join(f"self.{a} {v.shape}" for a, v in _arrays(net, stepped).items()) \
            or ", ".join(f"self.{a}" for a in stepped)
        raise LookupError(
            f"check: {cls.__name__}.{updater} steps {shapes}, which do not chain from the "
            f"{n_in} inputs to the {n_out} outputs; describe your program with check.Adapter "
            "(docs/verify.md)")
    _, pairs = found
    params = [f"self.{a}" for w, b in pairs for a in (w, b) if a is not None]
    forward = _forwards(cls)[0]
    forward_args = _arguments(cls, forward, module)
    x0, y0 = (data.train.X[0] if data.train.X.shape[1] == n_in else np.full(n_in, 0.5)), \
        data.train.Y[0]
    layout = None
    for form, x, y in (("vector", x0, y0), ("column", x0[:, None], y0[:, None])):
        try:
            with np.errstate(all="ignore"):
                out = _output(_call(net, forward, forward_args, x.copy(), y.copy()), n_out)
        except Exception:
            continue
        if out is not None:
            layout = form
            break
    if layout is None:
        raise LookupError(
            f"check: {cls.__name__}.{forward} gives no output of {n_out} values for one example, "
            f"as a vector ({n_in},) or a column ({n_in}, 1); describe your program with "
            "check.Adapter (docs/verify.md)")
    # the update: a method given the example itself (train(inputs, targets)), or one that
    # steps after the forward pass the class's own loop runs first (backward(y, activate))
    update_args = _arguments(cls, updater, module)
    takes_x = any(kind == "x" for _, kind, _ in update_args)

    def update(x, y, lr):
        setattr(net, rate, lr)
        if not takes_x:
            _call(net, forward, forward_args, x, y)
        _call(net, updater, update_args, x, y)
    update.__qualname__ = f"{cls.__name__}.{updater}"  # where the checks point: the learner's
    update.__wrapped__ = getattr(cls, updater)
    targets = "labels" if any(kind == "y" and attrs._takes_labels(cls, updater, p)
                              for p, kind, _ in update_args) else "onehot"

    def run_forward(x):
        y = np.zeros((n_out,) if layout == "vector" else (n_out, 1))
        got = _call(net, forward, forward_args, x, y)
        out = _output(got, n_out)
        return got if out is None else out
    run_forward.__qualname__ = f"{cls.__name__}.{forward}"
    run_forward.__wrapped__ = getattr(cls, forward)
    lr = getattr(net, rate, None)
    notes = [f"recognized a class that trains in place, one example at a time: {updater} steps "
             f"{', '.join(params)} by self.{rate}" + ("" if takes_x else
                                                       f" after {forward}") +
             f"; {forward} is its forward pass"]
    loop = attrs._epoch(cls, updater)
    epoch = _epoch(net, cls, loop, n_out) if loop else None
    if epoch is not None:
        notes.append(f"{loop} is its training loop, run for one epoch")
    elif loop:
        notes.append(f"{cls.__name__}.{loop} takes arguments the checker cannot fill in: the "
                     "mini-batch check is skipped")
    learner = Adapter(net, params=params, layout=layout, targets=targets, lr=lr, batch_size=1,
                      forward=run_forward, update=update, epoch=epoch,
                      # the call that carries each example: the step, or the forward pass
                      # before it (its result kept: the loop reads it)
                      epoch_calls=f"self.{updater if takes_x else forward}",
                      epoch_keep=not takes_x,
                      name=f"{cls.__name__} in {module.__file__.rpartition('/')[2]}"
                      if module else None).learner()
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + notes
    return learner


def _epoch(net, cls, name, n_out):
    """epoch(pairs) calling the class's loop name for one epoch: its data as rows (m, n_in) and
    its targets as digits when the argument is named for labels (trainLabels), else one-hot
    rows, or the (x, y) pairs themselves when its second argument is not the targets; epochs
    = 1. None when it takes other arguments without defaults."""
    arguments = list(inspect.signature(getattr(cls, name)).parameters.values())[1:]
    if not arguments:
        return None
    fill, second = {}, arguments[1].name if len(arguments) > 1 else None
    split = second is not None and (_TARGETS.match(second) or re.search(r"(?i)label|target",
                                                                          second))
    for p in arguments[2 if split else 1:]:
        if attrs._EPOCHS.search(p.name):
            fill[p.name] = 1
        elif p.default is p.empty:
            return None
    labels = split and (re.search(r"(?i)label", second) or attrs._takes_labels(cls, name, second))

    def epoch(pairs):
        if not split:
            return getattr(net, name)(pairs, **fill)
        X = np.array([np.ravel(x) for x, _ in pairs])
        Y = [int(np.argmax(y)) for _, y in pairs] if labels else \
            np.array([np.ravel(y) for _, y in pairs])
        return getattr(net, name)(X, Y, **fill)
    epoch.__wrapped__ = getattr(cls, name)
    return epoch
