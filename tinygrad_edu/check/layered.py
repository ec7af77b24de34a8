"""A network class that keeps its layers as objects in a list.

``Network([Dense(784, 64), Sigmoid(), Dense(64, 10), Sigmoid()], MSE())`` or ``Model([Linear(784,
128), ReLU(), Linear(128, 10)])``: each layer object has ``forward(x)`` and ``backward(grad)``, the
dense ones keep their weights (``self.W`` and ``self.b``, ``self.weights`` and ``self.biases``), and
the network runs them in order (``forward(x)``), backwards (``backward()``), steps each layer
(``step(lr)``, ``layer.step(lr)``) and loops over mini-batches (``fit(X, Y, epochs, batch_size,
lr)``), with ``train_step(x, y, lr)`` or the loop's own lines as its step.

recognize() reads the parameters from the layers the network was built with, as the learner's
script builds it (``self.layers[0].W``, …), runs its step as its loop does (a ``train_step``, or the
lines of the loop from its forward pass to its step, with the batch handed in), and describes the
program to check.Adapter. The gradients are read from one step.
"""

import ast
import builtins
import contextlib
import copy
import inspect
import io
import re
import textwrap
import types
from pathlib import Path

import numpy as np

from .adapter import Adapter
from .attrs import (
    EVALUATE,
    FORWARD,
    _arguments,
    _epoch,
    _epoch_run,
    _evaluate,
    _method,
    _output,
    _self_call,
    _source,
    _step,
    loop_settings,
)
from .calls import SCRIPT_LOOP
from .globalvars import LAYER_ATTRS, _makes_weights
from .source import function_of

_LR = re.compile(r"(?i)^(lr|eta|alpha|learning_rate|rate|step_size)$")


def _namespace(cls):
    """The globals of the module cls was written in (its methods'), or {}."""
    return next((f.__globals__ for f in vars(cls).values() if inspect.isfunction(f)), {})


def layer_classes(namespace):
    """The classes of the learner's files that make weights in __init__ (Dense, Linear)."""
    files = set(namespace.get("__learner_files__", [namespace.get("__file__")]))
    return [c for c in list(namespace.values()) if inspect.isclass(c) and _makes_weights(c)
            and any(getattr(getattr(f, "__code__", None), "co_filename", None) in files
                    for f in vars(c).values())]


def looks_like(cls):
    """Whether cls runs layers it keeps: a forward pass of one argument, a method that steps
    or trains (step, train_step, fit, train), no weights of its own, and layer classes in the
    learner's files that make weights (Dense, Linear, Layer_Dense)."""
    has = {n for n in dir(cls) if not n.startswith("__")}
    forward = _method(cls, FORWARD, 1) or _flagged(cls)
    return forward is not None and not _makes_weights(cls) and _runs_layers(cls, forward) \
        and bool(has & {"step", "train_step", "fit", "train", "update", "sgd_step"}) and \
        bool(layer_classes(_namespace(cls)))


_TRAINING = re.compile(r"(?i)^(is_)?train(ing)?(_mode)?$")


def _flagged(cls):
    """The forward pass of cls that also takes a training flag (NNFS's Model.forward(X,
    training)), or None."""
    return next((f for f in FORWARD if _method(cls, (f,), 2)
                 and _TRAINING.match(_arguments(cls, f)[1])), None)


def _runs_layers(cls, forward):
    """Whether cls's forward pass loops over a list it keeps (`for layer in self.layers:`)."""
    tree = _source(cls, forward)
    return tree is not None and any(
        isinstance(n, ast.For) and re.fullmatch(r"(reversed\()?self\.\w+\)?", ast.unparse(n.iter))
        for n in ast.walk(tree))


def construct(cls, call, namespace):
    """cls built by the script's own call (`Network([Dense(784, 64), Sigmoid(), ...],
    MSE())`), or the list of layers a script makes (`network = [Dense(784, 40), ...]`): run
    when every call in it makes an object of the learner's own classes (or is list, range,
    len); None when one does more."""
    if not _own_calls(call, namespace):
        return None
    try:
        return eval(compile(ast.Expression(call), namespace.get("__file__", "<script>"), "eval"),
                    dict(namespace))
    except Exception:
        return None


def _own_calls(node, namespace, skip=None):
    """Whether every call in node (but skip) makes an object of the learner's own classes (or
    is list, range, len, tuple)."""
    own = {n for n, v in namespace.items() if inspect.isclass(v) and any(
        getattr(getattr(f, "__code__", None), "co_filename", None) == namespace.get("__file__")
        for f in vars(v).values())}
    return all(isinstance(c.func, ast.Name) and c.func.id in own | {"list", "range", "len",
                                                                     "tuple"}
               for c in _calls(node) if c is not skip)


def assembled(net, statements, namespace, n_in):
    """net, with the script's calls of its own methods that follow the line that makes it run
    on it in order (NNFS's `model = Model()`, `model.add(Layer_Dense(X.shape[1], 128))`, …,
    `model.set(loss=..., optimizer=...)`, `model.finalize()`), when it keeps no layers yet: each
    call runs when every call in it makes one of the learner's own objects, and a name the
    script's loader would have made (X) stands for rows of n_in inputs."""
    if layers_of(net) is not None:
        return net
    cls = type(net)
    at = next((i for i, s in enumerate(statements) if isinstance(s.node, ast.Assign)
               and len(s.node.targets) == 1 and isinstance(s.node.targets[0], ast.Name)
               and isinstance(s.node.value, ast.Call) and isinstance(s.node.value.func, ast.Name)
               and s.node.value.func.id == cls.__name__), None)
    if at is None:
        return net
    made, file = statements[at].node.targets[0].id, getattr(statements[at], "file", None)
    scope = {**namespace, made: net}
    for s in statements[at + 1:]:
        if getattr(s, "file", None) != file:  # a script beside it: its own network
            continue
        node = s.node.value if isinstance(s.node, ast.Expr) else None
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == made
                and inspect.isfunction(getattr(cls, node.func.attr, None))):
            continue
        if not _own_calls(node, namespace, skip=node):
            continue  # it calls what is not the learner's own class
        for _ in range(4):  # a loader's names, missing: rows of n_in inputs stand for them
            try:
                eval(compile(ast.Expression(node), namespace.get("__file__", "<script>"),
                             "eval"), scope)
                break
            except NameError as e:
                scope[e.name] = np.zeros((1, n_in))
            except Exception:
                break
    return net


def layers_of(net):
    """(attribute, [(index, weights name, biases name)]) of net's list of layer objects, those
    with weights; None when it keeps none."""
    for attr, value in vars(net).items():
        found = _weighted(value) if isinstance(value, (list, tuple)) else []
        if found:
            return attr, found
    return None


def _weighted(layers):
    """[(index, weights name, biases name)] of the layer objects in layers that keep weights."""
    found = []
    for i, layer in enumerate(layers):
        pair = next(((w, b) for w, b in LAYER_ATTRS if np.ndim(getattr(layer, w, None)) == 2
                     and isinstance(getattr(layer, b, None), np.ndarray)), None)
        if pair:
            found.append((i, *pair))
    return found


def _calls(node):
    return [c for c in ast.walk(node) if isinstance(c, ast.Call)]


def _loop_lines(fn, starts, steps):
    """(loop, statements, those before them) of fn's (or a parsed script's) innermost loop whose
    body has a statement
    with a call that starts(call) (the forward pass on the batch) and, after it, one with a call
    that steps(call): the statements from the first of those to the last; None when none has."""
    tree = fn if isinstance(fn, ast.AST) else _source_of(fn)
    for loop in sorted((n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While))),
                       key=lambda n: -n.lineno) if tree is not None else ():
        body = loop.body
        first = next((i for i, s in enumerate(body) if any(map(starts, _calls(s)))), None)
        if first is None:
            continue
        last = max((i for i, s in enumerate(body) if i > first and any(map(steps, _calls(s)))),
                   default=None)
        if last is not None:
            return loop, body[first:last + 1], body[:first]
    return None


def _source_of(fn):
    """fn's parsed source, its line numbers as in its file; None when it cannot be read."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None
    ast.increment_lineno(tree, fn.__code__.co_firstlineno - 1)
    return tree


class _Batch(ast.NodeTransformer):
    """The batch's expressions made the names _x and _y: `X[idx]` (the loop method's inputs
    cut) and a name the loop assigned from it (`xb`), and the same for the targets."""

    def __init__(self, x_sources, y_sources, x_names, y_names):
        self.sources = {**{n: "_y" for n in y_sources}, **{n: "_x" for n in x_sources}}
        self.names = {**{n: "_y" for n in y_names}, **{n: "_x" for n in x_names}}

    def visit_Subscript(self, node):
        if isinstance(node.value, ast.Name) and node.value.id in self.sources:
            return ast.copy_location(ast.Name(self.sources[node.value.id], ast.Load()), node)
        return self.generic_visit(node)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.names:
            return ast.copy_location(ast.Name(self.names[node.id], ast.Load()), node)
        return node


def _made_from(scope, name):
    """name and the names scope assigns from a cut of it, in turn (`X_sh = X[:, perm]`; a
    tuple assignment `X, Y = X[idx], Y[idx]` keeps X)."""
    pairs = []  # (target, value) of every assignment, a tuple's element by element
    for n in ast.walk(scope) if scope is not None else ():
        if isinstance(n, ast.Assign) and len(n.targets) == 1:
            t, v = n.targets[0], n.value
            if isinstance(t, ast.Tuple) and isinstance(v, ast.Tuple) and \
                    len(t.elts) == len(v.elts):
                pairs += zip(t.elts, v.elts)
            else:
                pairs.append((t, v))
    found, grown = {name}, True
    while grown:
        grown = False
        for t, v in pairs:
            if isinstance(t, ast.Name) and t.id not in found and isinstance(v, ast.Subscript) \
                    and isinstance(v.value, ast.Name) and v.value.id in found:
                found.add(t.id)
                grown = True
    return found


def _walked(loop, made_x, made_y):
    """(x, y): the names a loop gives each example and its target as it walks the inputs
    (`for x, y in zip(x_train, y_train):`, also zip of a shuffled copy); None for any other
    loop."""
    if not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Tuple)
            and len(loop.target.elts) == 2 and isinstance(loop.iter, ast.Call)
            and _named(loop.iter, "zip") and len(loop.iter.args) == 2):
        return None
    names = [e.id if isinstance(e, ast.Name) else None for e in loop.target.elts]
    walks = [a.id if isinstance(a, ast.Name) else None for a in loop.iter.args]
    if None in names or walks[0] not in made_x or walks[1] not in made_y:
        return None
    return tuple(names)


def _replay(fn, found, x_arg, y_arg, fixed, layout, qualname, scope=None):
    """(update(x, y, lr), the function run): the loop lines found (from _loop_lines) as one
    function, the batch handed in where the loop cuts fn's inputs x_arg and targets y_arg
    (`X[idx]`, `xb = X[idx]`), or the example where it walks them (`for x, y in zip(X, Y)`),
    the names in fixed given their values (self, the network, the loss functions the script
    passes), η as lr, a running total the loop adds to as 0, a list it appends to empty, the
    batch's indices (`len(idx)`) as many as its examples. None when the lines read a name it
    cannot give."""
    loop, lines, before = found
    scope = scope if scope is not None else _source_of(fn)
    made_x = _made_from(scope, x_arg)  # X_sh = X[:, perm], and X itself
    made_y = _made_from(scope, y_arg)
    walked = _walked(loop, made_x, made_y) or ()
    cut, picks = {}, set()  # xb = X[idx], yb = Y[idx]; idx = order[i:i + batch_size]
    # (also in an if: NNFS's `if batch_size is None: ... else: batch_X = X[step * ...]`)
    for s in (n for b in before for n in ast.walk(b) if isinstance(n, ast.Assign)):
        if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and
                isinstance(s.targets[0], ast.Name) and isinstance(s.value, ast.Subscript)):
            continue
        base = s.value.value.id if isinstance(s.value.value, ast.Name) else None
        if base in made_x | made_y:
            cut[s.targets[0].id] = x_arg if base in made_x else y_arg
        else:
            picks.add(s.targets[0].id)
    made = _Batch(made_x, made_y, [n for n, a in cut.items() if a == x_arg] + list(walked[:1]),
                  [n for n, a in cut.items() if a == y_arg] + list(walked[1:]))
    lines = [made.visit(copy.deepcopy(s)) for s in lines]
    stored = {n.id for s in lines for n in ast.walk(s) if isinstance(n, ast.Name)
              and isinstance(n.ctx, ast.Store)}
    totals = {a.target.id for s in lines for a in ast.walk(s) if isinstance(a, ast.AugAssign)
              and isinstance(a.target, ast.Name)}  # running += loss: read, then written
    read = dict.fromkeys([*(n.id for s in lines for n in ast.walk(s) if isinstance(n, ast.Name)
                            and isinstance(n.ctx, ast.Load)), *totals])
    appended = {c.func.value.id for c in _calls(loop) if isinstance(c.func, ast.Attribute)
                and c.func.attr == "append" and isinstance(c.func.value, ast.Name)}
    given = {}
    for n in read:
        if n in ("_x", "_y") or n in stored and n not in totals:
            continue
        if n in fixed:
            given[n] = ("value", fixed[n])
        elif _LR.match(n):
            given[n] = ("lr", None)
        elif n in totals:
            given[n] = ("value", 0.0)
        elif n in picks:  # the batch's indices (len(idx)): as many as its examples
            given[n] = ("picks", None)
        elif n in appended:
            given[n] = ("list", None)
        elif n in fn.__globals__ or hasattr(builtins, n):
            continue  # np, len: the module's and Python's own
        else:
            return None
    run = function_of(lines, ("_x", "_y", *given), fn, qualname)

    def update(x, y, lr):
        m = x.shape[0] if layout == "rows" else x.shape[1] if layout == "columns" else 1
        values = {n: v if kind == "value" else lr if kind == "lr" else [] if kind == "list"
                  else np.arange(m) for n, (kind, v) in given.items()}
        run(x, y, **values)
    update.__wrapped__ = run  # where the checks point: the learner's own lines
    return update, run


def _steps_or_runs(call):
    """Whether a call in the loop may be part of the step: anything but a print or an append
    (`self.backward(grad)`, `layer.step(lr)` in a loop over the layers)."""
    return not _named(call, "print") and not (isinstance(call.func, ast.Attribute)
                                              and call.func.attr == "append")


def _trains(call, forward):
    """Whether call is self.<forward>(batch, ...) as training runs it: not with a training flag
    set off (NNFS's validation loop, `self.forward(batch_X, training=False)`)."""
    return _self_call(call) == forward and bool(call.args) and not any(
        _TRAINING.match(k.arg or "") and isinstance(k.value, ast.Constant)
        and k.value.value is False for k in call.keywords)


def _replayed_lines(net, cls, forward, layout):
    """(update(x, y, lr), the function run, the loop method's name, its step's name): the lines
    of a loop in cls's methods from the one that calls self.<forward> on the batch to the last
    that calls a method of self (`out = self.forward(X[idx])` … `self.step(lr)`); None when
    there are none, or they read a name _replay cannot give."""
    looped = _class_loop(cls, forward, _steps_or_runs)
    if looped is None:
        return None
    name, func, found = looped
    x_arg, y_arg = _arguments(cls, name)[:2]
    replayed = _replay(func, found, x_arg, y_arg, {"self": net}, layout,
                       f"{cls.__name__}.{name}'s step")
    if replayed is None:
        return None
    step = next((_self_call(c) for s in reversed(found[1]) for c in _calls(s)
                 if _self_call(c)), None)
    return (*replayed, name, step)


def _class_loop(cls, forward, steps):
    """(method name, method, loop lines as _loop_lines finds them): the first method of cls
    taking the data whose loop runs self.<forward> on a batch with training on and then a call
    that steps(call); None when none has one."""
    for name, func in vars(cls).items():
        if inspect.isfunction(func) and len(_arguments(cls, name)) >= 2:
            found = _loop_lines(func, lambda c: _trains(c, forward), steps)
            if found is not None:
                return name, func, found
    return None


_SEEN = "_tinygrad_edu_batch_seen"  # what the epoch's recorder stands in for


def _paired(net, epoch, forward):
    """epoch(x, y), with net's forward and backward passes watched while it runs: the inputs
    of a forward pass with training on, and the targets its backward pass is then handed (the
    argument that is not the forward's output), go to net._tinygrad_edu_batch_seen, for which
    the Adapter's recorder stands in."""
    setattr(net, _SEEN, lambda x, y=None: None)

    def run(x, y):
        last = []
        ahead, back = getattr(net, forward), net.backward

        def forward_seen(X, *args, **kwargs):
            out = ahead(X, *args, **kwargs)
            if any(v is True for v in (*args, *kwargs.values())):  # training=True
                last[:] = [X, out]
            return out

        def backward_seen(*args, **kwargs):
            if last:
                targets = next((a for a in (*args, *kwargs.values()) if isinstance(
                    a, np.ndarray) and a is not last[1] and len(a) == len(last[0])), None)
                getattr(net, _SEEN)(last[0], *([targets] if targets is not None else []))
                last.clear()
            return back(*args, **kwargs)

        setattr(net, forward, forward_seen)
        net.backward = backward_seen
        try:
            return epoch(x, y)
        finally:
            del net.__dict__[forward], net.__dict__["backward"]
    run.__wrapped__ = getattr(epoch, "__wrapped__", epoch)
    run.held_out = getattr(epoch, "held_out", None)
    return run


def _kept_grads(net, attr, layers, cls, forward, layout):
    """grads(x, y): the gradients the layers keep (NNFS's dweights, dbiases) after the lines of
    cls's training loop from its forward pass to its last backward call, run on the batch; None
    when the layers keep none by one convention or the lines cannot be run."""
    held = [getattr(net, attr)[i] for i, _, _ in layers]
    kept = _kept_gradients(held)
    if not kept:
        return None
    looped = _class_loop(cls, forward, lambda c: isinstance(c.func, ast.Attribute)
                         and c.func.attr == "backward")
    if looped is None:
        return None
    name, func, found = looped
    x_arg, y_arg = _arguments(cls, name)[:2]
    through = _replay(func, found, x_arg, y_arg, {"self": net}, layout,
                      f"{cls.__name__}.{name}'s backward pass")
    return None if through is None else _kept_after(through, attr, layers, held, kept)


def _kept_after(through, attr, layers, held, kept):
    """grads(x, y) for _kept_grads: the lines through run, then the layers' kept arrays."""
    def grads(x, y):
        through[0](x, y, 0.0)
        return {f"self.{attr}[{i}].{a}": getattr(layer, d).copy()
                for (i, _, _), layer in zip(layers, held) for a, d in kept[id(layer)]}
    grads.__wrapped__ = through[1]
    return grads


def recognize(net, module, data, hyper):
    """A Learner for net (of a class that looks_like this shape), through an Adapter.
    hyper(method) -> (lr, batch size, where) from the learner's own call of method."""
    cls = type(net)
    found = layers_of(net)
    if found is None:
        raise LookupError(f"check: {cls.__name__} keeps no list of layer objects with weights "
                          "that the checker can find (self.layers = [Dense(784, 64), ...]); "
                          "describe your program with check.Adapter (docs/verify.md)")
    attr, layers = found
    params = [f"self.{attr}[{i}].{a}" for i, w, b in layers for a in (w, b)]
    n_in, n_out = data.train.X.shape[1], data.train.Y.shape[1]
    W1 = getattr(getattr(net, attr)[layers[0][0]], layers[0][1])
    if n_in not in W1.shape:
        raise LookupError(f"check: {params[0]} has shape {W1.shape}, which does not take the "
                          f"{n_in} inputs; describe your program with check.Adapter")
    layout = "rows" if W1.shape[0] == n_in else "columns"
    X = data.train.X[:7] if layout == "rows" else data.train.X[:7].T.copy()
    m_axis = 0 if layout == "rows" else 1
    takes_one = [f for f in FORWARD if _method(cls, (f,), 1)]
    flagged = _flagged(cls) if not takes_one else None
    forward = flagged or next((f for f in takes_one if (out := _output(net, f, X)) is not None
                               and np.ndim(out) == 2 and out.shape[m_axis] == 7
                               and out.shape[1 - m_axis] == n_out), None) or takes_one[0]
    notes = [f"recognized a network of layer objects: {cls.__name__}.{attr} holds "
             f"{len(getattr(net, attr))} layers, {len(layers)} with weights "
             f"({', '.join(params)}; {layout}); {forward} is its forward pass"]
    hooks, epoch_calls, keep, holders = {"forward": f"self.{forward}"}, None, False, []
    if flagged:  # forward(X, training): shown the inputs with training off
        flag = _arguments(cls, flagged)[1]

        def shown(x):
            return getattr(net, flagged)(x, **{flag: False})
        shown.__wrapped__ = getattr(net, flagged)
        hooks["forward"] = shown
    step = _step(cls)  # train_step(x, y, lr)
    if step:
        hooks["update"] = f"self.{step}"
        epoch_calls = f"self.{step}"
        notes.append(f"{step}({', '.join(_arguments(cls, step))}) is its update step; the "
                     "gradients are read from it")
        loop = _epoch(cls, step)
    else:
        replayed = _replayed_lines(net, cls, forward, layout)
        if replayed is not None:
            update, run, loop, last = replayed
            holders = [(o, a) for o in vars(net).values() if hasattr(o, "__dict__")
                       and not inspect.isroutine(o) for a, v in vars(o).items()
                       if _RATE.match(a) and isinstance(v, (int, float))
                       and not isinstance(v, bool)]  # NNFS's self.optimizer.learning_rate
            if holders:
                update = _at_rate(update, holders, run)
            hooks["update"] = update
            grads = _kept_grads(net, attr, layers, cls, forward, layout) if holders else None
            if grads is not None:  # a step with momentum: its change is not η·∇C
                hooks["grads"] = grads
            epoch_calls, keep = f"self.{forward}", True
            lines = run.__code__.co_firstlineno
            notes.append(f"the lines of {loop}'s loop from {forward} to {last} (from line "
                         f"{lines}) are its update step, run on the batch the checks hand in; "
                         + ("the gradients are what its layers keep after its backward pass "
                            "(dweights, …)" if "grads" in hooks else
                            "the gradients are read from it"))
        else:
            loop = None
    objects = [o for o, _ in holders] + list(getattr(net, attr)) if holders else None
    targets = _targets(net, hooks.get("update"), X, data, layout, n_out, objects=objects)
    judge = _method(cls, EVALUATE, 2)
    if judge:
        hooks["evaluate"] = _evaluate(net, cls, judge, layout, n_out)
    lr = batch = None
    if loop:
        lr, batch, call = loop_settings(cls, loop, hyper)
        said = [f"η = {lr}"] if lr is not None else []
        said += [f"batch size {batch}"] if batch is not None else []
        held = next(((o, a) for o, a in holders if not a.lower().startswith("current")), None)
        if lr is None and held is not None:  # Optimizer_SGD(learning_rate=0.05)
            lr = getattr(*held)
            notes.append(f"η = {lr:g} from its {type(held[0]).__name__}'s {held[1]}")
        # the loop hands its targets to the step as they are: the digits where it takes them
        run_epoch = _epoch_run(net, cls, loop, targets, layout, lr, batch, n_out,
                               wants_labels=targets == "labels")
        if run_epoch is not None and flagged and _method(cls, ("backward",), 2):
            # the batch is seen where the backward pass is handed its targets: images and
            # labels both, so a shuffle that parts them shows (NNFS's Model.train)
            run_epoch, epoch_calls, keep = _paired(net, run_epoch, flagged), \
                f"self.{_SEEN}", False
        if run_epoch is not None:
            hooks["epoch"] = run_epoch
            notes.append(f"{loop} is its training loop, run for one epoch" +
                         (f"; {' and '.join(said)} from your {call}" if call and said else ""))
    learner = Adapter(net, params=params, layout=layout, targets=targets, lr=lr,
                      batch_size=batch, epoch_calls=epoch_calls if "epoch" in hooks else None,
                      epoch_keep=keep,
                      name=f"{cls.__name__} in {module.__file__.rpartition('/')[2]}",
                      **hooks).learner()
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + notes
    return learner


def _targets(net, update, X, data, layout, n_out, layers=None, objects=None, first="onehot"):
    """'onehot' or 'labels': what the step takes, tried on a copy of the parameters' values
    (restored): first's kind first, the other when it raises."""
    other = "labels" if first == "onehot" else "onehot"
    if update is None:
        return "onehot"
    step = getattr(net, update[len("self."):]) if isinstance(update, str) else update
    if layout in ("column", "vector"):  # one example: X is it
        Y = data.train.Y[0][:, None] if layout == "column" else data.train.Y[0]
        Y = Y if first == "onehot" else int(data.train.labels[0])
    else:
        Y = data.train.Y[:7] if layout == "rows" else data.train.Y[:7].T.copy()
        Y = Y if first == "onehot" else data.train.labels[:7]
    arrays = _arrays(net) if layers is None else [
        getattr(layers[i], a) for i, w, b in _weighted(layers) for a in (w, b)]
    kept = {id(v): (v, v.copy()) for v in arrays}
    states = [(o, dict(vars(o))) for o in objects or ()]  # an optimizer's step count
    try:
        step(X, Y, 0.0)
        return first
    except Exception:
        return other
    finally:
        for array, saved in kept.values():
            array[...] = saved
        for o, state in states:
            vars(o).clear()
            vars(o).update(state)


def _arrays(net):
    """The arrays of net's layer objects, to restore after a trial step."""
    found = layers_of(net)
    if found is None:
        return []
    attr, layers = found
    return [getattr(getattr(net, attr)[i], a) for i, w, b in layers for a in (w, b)]


# ----- the same, as functions of a list the script makes ------------------------------------------

def _module_network(module, statements):
    """(name, the list's expression, forward, trainer) for a module whose script part makes a
    list of its own layer objects (`network = [Dense(784, 40), Sigmoid(), ...]`), with a
    forward pass that loops over the list it is given, `predict(network, x)`, and a training
    function whose loop calls it, `train(network, mse, mse_prime, x_train, y_train, ...)`;
    None when it has no such parts."""
    namespace = vars(module)
    fns = {n: f for n, f in namespace.items() if inspect.isfunction(f)
           and f.__code__.co_filename == namespace.get("__file__")}
    forward = next((f for n, f in fns.items() if re.search(r"(?i)predict|forward|feed", n)
                    and len(_positional(f)) >= 2 and _iterates(f, _positional(f)[0])), None)
    if forward is None:
        return None
    trainer = next((f for f in fns.values() if f is not forward and _loop_lines(
        f, lambda c: _named(c, forward.__name__), lambda c: True) is not None), None)
    weights = {c.__name__ for c in layer_classes(namespace)}
    for s in statements:
        node = s.node
        if trainer is not None and isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and \
                isinstance(node.value, (ast.List, ast.Tuple)) and any(
                    isinstance(e, ast.Call) and isinstance(e.func, ast.Name)
                    and e.func.id in weights for e in node.value.elts):
            return node.targets[0].id, node.value, forward, trainer
    return None


def _stacked(epoch):
    """epoch(pairs) for a training function that walks its inputs' examples: the pairs the
    checks hand in stacked as the arrays it takes, (m, 784, 1) and (m, 10, 1) for columns."""
    def run(pairs):
        return epoch(np.stack([x for x, _ in pairs]), np.stack([np.asarray(y) for _, y in pairs]))
    run.__wrapped__ = epoch.__wrapped__ if hasattr(epoch, "__wrapped__") else epoch
    return run


def _positional(fn):
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _named(call, name):
    return isinstance(call.func, ast.Name) and call.func.id == name


def _iterates(fn, name):
    """Whether fn loops over its argument name (`for layer in network:`)."""
    tree = _source_of(fn)
    return tree is not None and any(isinstance(n, ast.For) and re.fullmatch(
        rf"(reversed\()?{re.escape(name)}\)?", ast.unparse(n.iter)) for n in ast.walk(tree))


def module_looks_like(module, statements):
    return _module_network(module, statements) is not None


def module_recognize(module, data, script_call, statements):
    """A Learner for a module that module_looks_like this shape, through an Adapter.
    script_call(name) -> (the arguments of the script's own call of function name, where)."""
    from .funcs import X_NAMES, Y_NAMES, _epoch  # (funcs is read after this module)
    name, expr, forward, trainer = _module_network(module, statements)
    built = construct(None, expr, vars(module))
    if built is None or not _weighted(built):
        raise LookupError(f"check: the list of layers your script makes ({name} = "
                          f"{ast.unparse(expr)[:60]}…) could not be built with no data; "
                          "describe your program with check.Adapter (docs/verify.md)")
    setattr(module, name, list(built))  # where the checks read the layers, as the script does
    layers = _weighted(built)
    params = [f"{name}[{i}].{a}" for i, w, b in layers for a in (w, b)]
    n_in, n_out = data.train.X.shape[1], data.train.Y.shape[1]
    W1 = getattr(built[layers[0][0]], layers[0][1])
    if n_in not in W1.shape:
        raise LookupError(f"check: {params[0]} has shape {W1.shape}, which does not take the "
                          f"{n_in} inputs; describe your program with check.Adapter")
    layout = "rows" if W1.shape[0] == n_in else "columns"
    found = _loop_lines(trainer, lambda c: _named(c, forward.__name__), _steps_or_runs)
    arguments = _positional(trainer)
    x_arg = next((a for a in arguments if a in X_NAMES or re.fullmatch(r"(?i)x_?train", a)),
                 None)
    y_arg = next((a for a in arguments if a in Y_NAMES or re.fullmatch(
        r"(?i)(y|t|labels?)_?train", a)), None)
    scope = _source_of(trainer)
    if x_arg and y_arg and _walked(found[0], _made_from(scope, x_arg), _made_from(scope, y_arg)):
        # one example at a time (the video's `for x, y in zip(x_train, y_train)`): a column
        # (784, 1) beside a bias column, else a flat (784,)
        b1 = getattr(built[layers[0][0]], layers[0][2])
        layout = "column" if layout == "columns" and np.ndim(b1) == 2 else "vector"

    def predicted(x):
        return forward(getattr(module, name), x)
    predicted.__wrapped__ = forward
    hooks = {"forward": predicted}
    notes = [f"recognized a network of layer objects in a list your script makes: {name} "
             f"holds {len(built)} layers, {len(layers)} with weights ({', '.join(params)}; "
             f"{layout}); {forward.__name__}({', '.join(_positional(forward))}) is its "
             "forward pass"]
    bound, call = script_call(trainer.__name__)
    bound = bound or {}
    held = next((ast.unparse(c.args[0]) for s in found[1] for c in _calls(s)
                 if _named(c, forward.__name__) and c.args), None)
    fixed = {**{k: v for k, v in bound.items() if callable(v)}, held: getattr(module, name)}
    replayed = _replay(trainer, found, x_arg, y_arg, fixed, layout,
                       f"{trainer.__name__}'s step") if x_arg and y_arg else None
    lr = next((v for k, v in bound.items() if _LR.match(k) and isinstance(v, (int, float))),
              None)
    signature = inspect.signature(trainer).parameters
    lr = lr if lr is not None else next((p.default for k, p in signature.items()
                                         if _LR.match(k) and p.default is not p.empty), None)
    batch = next((v for k, v in bound.items() if re.search(r"(?i)batch", k)
                  and isinstance(v, int)), None)
    batch = batch if batch is not None else next(
        (p.default for k, p in signature.items() if re.search(r"(?i)batch", k)
         and isinstance(p.default, int)), None)
    if replayed is not None:
        hooks["update"] = replayed[0]
        notes.append(f"the lines of {trainer.__name__}'s loop from {forward.__name__} on (from "
                     f"line {replayed[1].__code__.co_firstlineno}) are its update step, run on "
                     "the batch the checks hand in; the gradients are read from it")
    per_example = layout in ("column", "vector")
    X = data.train.X[0][:, None] if layout == "column" else data.train.X[0] if per_example \
        else data.train.X[:7] if layout == "rows" else data.train.X[:7].T.copy()
    targets = _targets(None, hooks.get("update"), X, data, layout, n_out, built)
    epoch = _epoch(trainer, {k: v for k, v in bound.items() if k != held}, layout, n_out, lr,
                   batch, None, {held: built})
    if epoch is not None and per_example:
        epoch = _stacked(epoch)
    if epoch is not None and replayed is not None:
        hooks["epoch"] = epoch
        notes.append(f"{trainer.__name__} is its training loop, run for one epoch" +
                     (f" with η = {lr} from your {call}" if call and lr is not None else ""))
    learner = Adapter(module, params=params, layout=layout, targets=targets, lr=lr,
                      batch_size=batch, epoch_calls=forward.__name__ if "epoch" in hooks
                      else None, epoch_keep=True, name=Path(module.__file__).name,
                      **hooks).learner()
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + notes
    learner.owner = module
    return learner


# ----- the same, as a script: layer objects at module level and a top-level loop -----------------

_RATE = re.compile(r"(?i)^(current_?)?(lr|eta|alpha|learning_rate)$")


def _objects(module, node):
    """The names node reads that hold the module's instances of the learner's own classes."""
    namespace = vars(module)
    own = {c for c in namespace.values() if inspect.isclass(c) and any(
        getattr(getattr(f, "__code__", None), "co_filename", None) == module.__file__
        for f in vars(c).values())}
    return list(dict.fromkeys(n.id for n in ast.walk(node) if isinstance(n, ast.Name)
                              and type(namespace.get(n.id)) in own))


def _script_loop(module, statements):
    """(loop lines as _loop_lines finds them, the layer objects they run with weights): the top-
    level training loop of NNFS's scripts, `dense1.forward(batch_X)` … `dense1.backward(...)`
    … `optimizer.update_params(dense1)`, run with the objects the file makes; None when the
    script part has no such loop."""
    tree = ast.Module([s.node for s in statements], type_ignores=[])
    namespace = vars(module)

    def starts(c):
        return isinstance(c.func, ast.Attribute) and c.func.attr == "forward" and \
            isinstance(c.func.value, ast.Name) and bool(c.args) and \
            _weighted([namespace.get(c.func.value.id)])
    found = _loop_lines(tree, starts, _steps_or_runs)
    if found is None or not any(isinstance(c.func, ast.Attribute) and c.func.attr == "backward"
                                for s in found[1] for c in _calls(s)):
        return None
    layers = [n for n in _objects(module, ast.Module(found[1], type_ignores=[]))
              if _weighted([namespace[n]])]
    return (found, layers) if layers else None


def script_looks_like(module, statements):
    """Whether module's script part trains layer objects the file makes in a loop of its own
    (after building them as the file does: its seed and its objects, never its data)."""
    from .globalvars import build  # (globalvars builds the module's own objects)
    if not layer_classes(vars(module)):
        return False
    build(module)
    return _script_loop(module, statements) is not None


def script_recognize(module, data, statements):
    """A Learner for a module that script_looks_like this shape, through an Adapter."""
    found, layers = _script_loop(module, statements)
    namespace = vars(module)
    params = [f"{n}.{a}" for n in layers for _, w, b in _weighted([namespace[n]])
              for a in (w, b)]
    n_in, n_out = data.train.X.shape[1], data.train.Y.shape[1]
    first = namespace[layers[0]]
    _, w, _ = _weighted([first])[0]
    if n_in not in getattr(first, w).shape:
        raise LookupError(f"check: {params[0]} has shape {getattr(first, w).shape}, which does "
                          f"not take the {n_in} inputs; describe your program with check.Adapter")
    layout = "rows" if getattr(first, w).shape[0] == n_in else "columns"
    loop, lines, before = found
    x_arg, y_arg = _batch_sources(lines, before)
    stand_in = types.SimpleNamespace(__globals__=namespace, __name__="training loop",
                                     __code__=types.SimpleNamespace(co_filename=module.__file__))
    scope = ast.Module(_top_level(statements), type_ignores=[])
    replayed = _replay(stand_in, found, x_arg, y_arg, {}, layout, SCRIPT_LOOP, scope) \
        if x_arg and y_arg else None  # (the loop's own name: the checks point into it)
    if replayed is None:
        raise LookupError("check: the training loop's lines read names the checker cannot give "
                          "them; describe your program with check.Adapter (docs/verify.md)")
    step, run = replayed
    holders = [(namespace[n], a) for n in _objects(module, ast.Module(lines, type_ignores=[]))
               for a, v in vars(namespace[n]).items()
               if _RATE.match(a) and isinstance(v, (int, float)) and not isinstance(v, bool)]
    lr = next((getattr(o, a) for o, a in holders if not a.lower().startswith("current")),
              None)

    update = _at_rate(step, holders, run)
    # the forward pass: the lines before the first that reads the batch's targets
    reads_y = next((i for i, s in enumerate(lines) if any(
        isinstance(n, ast.Name) and n.id in _y_names(y_arg, before) for n in ast.walk(s))),
        len(lines))
    forward_lines = (loop, lines[:reads_y], before)
    last = next((c.func.value.id for s in reversed(lines[:reads_y]) for c in _calls(s)
                 if isinstance(c.func, ast.Attribute) and c.func.attr == "forward"
                 and isinstance(c.func.value, ast.Name)), None)
    shown = _replay(stand_in, forward_lines, x_arg, y_arg, {}, layout,
                    "the training loop's forward pass", scope) if reads_y and last else None
    hooks, notes = {"update": update}, []
    # the gradients the layers keep after the loop's backward calls (dense1.dweights)
    backs = [i for i, s in enumerate(lines) if any(
        isinstance(c.func, ast.Attribute) and c.func.attr == "backward" for c in _calls(s))]
    kept = _kept_gradients([namespace[n] for n in layers])
    through = _replay(stand_in, (loop, lines[:backs[-1] + 1], before), x_arg, y_arg, {}, layout,
                      "the training loop's backward pass", scope) if backs and kept else None
    if through is not None:
        def grads(x, y):
            through[0](x, y, 0.0)
            return {f"{n}.{a}": getattr(namespace[n], d).copy() for n in layers
                    for a, d in kept[id(namespace[n])]}
        grads.__wrapped__ = through[1]
        hooks["grads"] = grads
        notes.append(f"the gradients are what the layers keep after its backward calls "
                     f"({', '.join(f'{layers[0]}.{d}' for _, d in kept[id(first)])}, …)")
    if shown is not None:
        def forward(x):
            shown[0](x, None, 0.0)
            return getattr(namespace[last], "output", None)
        forward.__wrapped__ = shown[1]
        hooks["forward"] = forward
    epoch = _script_epoch(module, statements, loop, x_arg, y_arg)
    if epoch is not None:
        epoch.__wrapped__ = run  # the checks name it as the training loop
        hooks["epoch"] = epoch
        notes.append(f"one epoch is the loop at line {epoch.outer.lineno} run once, with the "
                     f"lines before it that read {x_arg} or {y_arg} run again on the checker's "
                     "examples")
    X = data.train.X[:7] if layout == "rows" else data.train.X[:7].T.copy()
    objects = [namespace[n] for n in _objects(module, ast.Module(lines, type_ignores=[]))]
    # the digits first (NNFS's sparse labels, which its loss also takes one-hot), unless
    # the script makes its targets one-hot (y_onehot = np.eye(10)[y])
    hot = re.search(r"(?i)hot", y_arg) or any(
        isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == y_arg
                                          for t in n.targets)
        and re.search(r"eye\(|one_?hot", ast.unparse(n.value)) for n in ast.walk(scope))
    targets = _targets(None, update, X, data, layout, n_out, [namespace[n] for n in layers],
                       objects, first="onehot" if hot else "labels")
    batch = next((v for n in _objects_read(before) if re.search(r"(?i)batch", n)
                  and isinstance(v := namespace.get(n), int) and not isinstance(v, bool)), None)
    notes[:0] = [f"recognized a script of layer objects: {', '.join(layers)} "
                 f"({', '.join(params)}; {layout}), trained by its loop at line {loop.lineno}",
                 f"the loop's lines from {layers[0]}.forward on (line "
                 f"{run.__code__.co_firstlineno} on) are its update step, run on the batch the "
                 "checks hand in" + (f"; η = {lr} from the optimizer your script makes"
                                     if lr is not None else "")]
    if "forward" in hooks:
        notes.append(f"its forward pass is those lines up to {last}.forward, its output "
                     f"{last}.output")
    learner = Adapter(module, params=params, layout=layout, targets=targets, lr=lr,
                      batch_size=batch, epoch_calls=f"{layers[0]}.forward" if "epoch" in hooks
                      else None, epoch_keep=True,
                      name=f"the training loop of {Path(module.__file__).name}",
                      **hooks).learner()
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + notes
    learner.owner = module
    return learner


_KEPT = (("d{}", "d{}"), ("dW", "db"), ("dw", "db"), ("grad_{}", "grad_{}"), ("d_{}", "d_{}"))


def _at_rate(step, holders, run):
    """step(x, y, rate) with rate set first as each (object, attribute) of holders: an
    optimizer's η, and the one its decay computes from it (NNFS's current_learning_rate)."""
    def update(x, y, rate):
        for o, a in holders:
            setattr(o, a, rate)
        step(x, y, rate)
    update.__wrapped__ = run
    return update


def _kept_gradients(layers):
    """{id(layer): [(parameter attribute, its gradient's attribute)]} where every layer with
    weights names its gradients by one convention after its backward pass (NNFS's dweights and
    dbiases, dW and db): read from the attributes its class's backward assigns; {} otherwise."""
    found = {}
    for layer in layers:
        _, w, b = _weighted([layer])[0]
        tree = _source_of(getattr(type(layer), "backward", None))
        assigned = {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign)
                    for t in n.targets if isinstance(t, ast.Attribute)} if tree else set()
        pair = next(((gw.format(w), gb.format(b)) for gw, gb in _KEPT
                     if {gw.format(w), gb.format(b)} <= assigned), None)
        if pair is None:
            return {}
        found[id(layer)] = [(w, pair[0]), (b, pair[1])]
    return found


def _batch_sources(lines, before):
    """(x source, y source): the names the loop cuts its batch from (`batch_X = X[...]`,
    `batch_y = y[...]`), the inputs being what the first forward call is given."""
    first = next(c for s in lines for c in _calls(s) if isinstance(c.func, ast.Attribute)
                 and c.func.attr == "forward" and c.args)
    given = first.args[0]
    cuts = {s.targets[0].id: s.value.value.id for s in before if isinstance(s, ast.Assign)
            and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
            and isinstance(s.value, ast.Subscript) and isinstance(s.value.value, ast.Name)}
    if isinstance(given, ast.Subscript) and isinstance(given.value, ast.Name):
        x = given.value.id
    elif isinstance(given, ast.Name) and given.id in cuts:
        x = cuts[given.id]
    else:
        return None, None
    y = next((v for k, v in cuts.items() if v != x), None)
    return x, y


def _y_names(y_arg, before):
    """y_arg and the names the loop cuts from it: what reading the targets looks like."""
    return {"_y", y_arg, *(s.targets[0].id for s in before if isinstance(s, ast.Assign)
                           and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name)
                           and isinstance(s.value, ast.Subscript)
                           and ast.unparse(s.value.value) == y_arg)}


def _objects_read(statements):
    """The names statements read, in order."""
    return list(dict.fromkeys(n.id for s in statements for n in ast.walk(s)
                              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)))


def run_once(module, statements, loop, x_arg, y_arg):
    """_script_epoch, for the function programs' recognizer (check.funcs)."""
    return _script_epoch(module, statements, loop, x_arg, y_arg)


def _script_epoch(module, statements, loop, x_arg, y_arg):
    """epoch(x, y): the script's training loop run once through (its epochs' loop, `for epoch
    in range(EPOCHS):`, made to run one) with the data bound to x_arg and y_arg, and the
    top-level lines before it that read them run again first (`steps = len(X) //
    BATCH_SIZE`); the names it rebinds are put back after. None when the loop is not found
    among the top-level statements."""
    nodes = _top_level(statements)
    outer = next((n for n in nodes if isinstance(n, (ast.For, ast.While))
                  and any(m is loop for m in ast.walk(n))), None)
    if outer is None:
        return None
    at = nodes.index(outer)
    data = {x_arg, y_arg}
    before = []
    for n in nodes[:at]:  # in order: a line that reads the data, or a name made from it,
        # other than the data's own (X = X.reshape(...) / 255: the checks hand it in as is)
        stores = {m.id for m in ast.walk(n) if isinstance(m, ast.Name)
                  and isinstance(m.ctx, ast.Store)}
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.If)) and not stores & {x_arg, y_arg} \
                and data & {
                m.id for m in ast.walk(n) if isinstance(m, ast.Name)
                and isinstance(m.ctx, ast.Load)} and not any(
                isinstance(c.func, ast.Name) and c.func.id in vars(module) and
                inspect.isfunction(vars(module)[c.func.id]) for c in _calls(n)):
            before.append(n)
            data |= stores
    once = copy.deepcopy(outer)
    if outer is not loop and isinstance(once, ast.For) and isinstance(once.iter, ast.Call) \
            and ast.unparse(once.iter.func) == "range":
        once.iter = ast.Call(ast.Name("range", ast.Load()), [ast.Constant(1)], [])
    elif outer is not loop:
        return None  # an epochs' loop the checker cannot make run once
    code = compile(ast.fix_missing_locations(ast.Module([*before, once], type_ignores=[])),
                   module.__file__, "exec")
    namespace = vars(module)
    touched = {m.id for n in [*before, once] for m in ast.walk(n) if isinstance(m, ast.Name)
               and isinstance(m.ctx, ast.Store)} | {x_arg, y_arg}

    def epoch(x, y):
        kept = {n: namespace[n] for n in touched if n in namespace}
        namespace[x_arg], namespace[y_arg] = x, y
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(code, namespace)
        finally:
            for n in touched:
                namespace.pop(n, None)
            namespace.update(kept)
    epoch.outer = outer
    return epoch


def _top_level(statements):
    """The script part's statements in file order, those inside another one left out."""
    nodes = sorted({id(s.node): s.node for s in statements}.values(),
                   key=lambda n: (n.lineno, n.col_offset))
    blocks = [n for n in nodes if isinstance(n, (ast.For, ast.While, ast.If, ast.With, ast.Try))]
    return [n for n in nodes if not any(
        b is not n and b.lineno <= n.lineno <= (b.end_lineno or b.lineno) for b in blocks)]
