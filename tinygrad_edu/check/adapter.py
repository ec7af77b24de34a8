"""Adapter: a few explicit lines that describe any learner's program to the checker.

Where no recognizer knows a program's shape, an ``Adapter`` says where its parameters live (paths in
the learner's own words, such as ``"self.W[0]"`` or ``"params['b1']"``), which of its functions run
the forward pass, backprop, one update, the evaluation and the epoch loop, and how its code holds
examples; ``.learner()`` turns that into the ``Learner`` the checks use. Numpy only: it imports
``learner`` and nothing else of the package.
"""

import ast
import inspect
import re
import sys
import types
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .calls import _root
from .learner import Batches, Learner, Param, Where
from .oracle import COSTS, HIDDEN

# How the learner's code holds examples. Batch layouts take a whole batch at once; per-example
# layouts take one example at a time (and a mini-batch as a list of (x, y) pairs).
LAYOUTS = {"rows": "(m, n_in): one example per row, as in Deep Learning from Scratch",
           "columns": "(n_in, m): one example per column, as in the functional tutorials",
           "column": "one example at a time as a column (n_in, 1), as in Nielsen's network.py",
           "vector": "one example at a time as a 1-D array (n_in,), as in 3Blue1Brown scripts"}
TARGETS = ("onehot", "labels")
KEPT_EXAMPLES = 10_000  # the epoch the recorder runs the update in too: training for real
HOOKS = ("forward", "grads", "update", "update_batch", "evaluate", "epoch")
_SCALE = 2.0 ** 16  # an instrumented example carries its index as its first input, / 2¹⁶


class Adapter:
    """Tell the checker where a program keeps its parameters and how to call its code.

    obj is what the paths are read from: the learner's object (``self``), its module, or a dict
    (then paths start with one of its keys). params lists the parameter arrays as paths
    (``"self.W[0]"``, ``"params['b1']"``, ``"W1"``), or as (name, get, set) triples; each is read
    afresh every time and written back in place, so lists the learner rebinds and arrays its
    layer objects share stay right. Layers are numbered by the order of the weights; a bias
    belongs to the weight of its size.

    The hooks are callables or paths to the learner's functions (``"self.feedforward"``); they
    receive data in the learner's layout (see LAYOUTS) with targets one-hot or as labels:

    - forward(x) -> the network's output;
    - grads(x, y) -> the gradients: a dict (keys as in params, or their last name: ``"W1"`` or
      ``"dW1"``) or a sequence in the order of params (nested lists are flattened);
    - update(x, y, lr): one update in place; without grads, the gradients are taken from it:
      (before − after) / lr, then the parameters are restored (this reads a plain SGD step;
      give grads for an update with momentum or Adam);
    - update_batch(pairs, lr): per-example layouts only: one update on a mini-batch of (x, y) pairs;
    - evaluate(x, labels), or evaluate(pairs) of (x, label) for per-example layouts: the
      program's own accuracy figure;
    - epoch(x, y), or epoch(pairs): one epoch of the program's own training loop; while it runs,
      the function named by epoch_calls (default: update or update_batch when given as a path)
      is replaced by a recorder, so the checker sees which examples each mini-batch used; with
      epoch_keep=True the recorder also runs it and returns its result (for a function whose
      result the loop needs, such as a forward pass that takes the mini-batch).

    reduction ("mean" or "sum", batch layouts only) says how the program's cost reduces over a
    batch; without it the checker reads it from the gradients, which then cannot show a
    missing 1/m (gradients m× too large read as those of a summed cost).

    >>> class Net:
    ...     def __init__(self):
    ...         self.W = [np.ones((3, 4)), np.ones((2, 3))]
    ...         self.b = [np.zeros(3), np.zeros(2)]
    >>> learner = Adapter(Net(), params=["self.W[0]", "self.b[0]", "self.W[1]", "self.b[1]"],
    ...                   layout="vector").learner()
    >>> [(p.name, p.layer, p.role) for p in learner.params][:2]
    [('self.W[0]', 1, 'W'), ('self.b[0]', 1, 'b')]
    """

    def __init__(self, obj=None, *, params, layout="rows", targets="onehot", forward=None,
                 grads=None, update=None, update_batch=None, evaluate=None, epoch=None,
                 epoch_calls=None, epoch_keep=False, lr=None, batch_size=None, cost=None,
                 activation=None, reduction=None, name=None):
        if layout not in LAYOUTS:
            raise ValueError(f"adapter: layout={layout!r}; use one of "
                             + ", ".join(f"{k!r} ({v})" for k, v in LAYOUTS.items()))
        if targets not in TARGETS:
            raise ValueError(f"adapter: targets={targets!r}; use 'onehot' (y as one-hot "
                             "vectors) or 'labels' (y as the digit)")
        if update_batch is not None and layout in ("rows", "columns"):
            raise ValueError(f"adapter: update_batch is for per-example layouts ('column', "
                             f"'vector'); with layout={layout!r} give update(x, y, lr), which "
                             "receives the whole batch")
        if cost is not None and cost not in COSTS:
            raise ValueError(f"adapter: cost={cost!r}; use one of "
                             + ", ".join(f"{k!r} ({v})" for k, v in COSTS.items()))
        if activation is not None and activation not in (*HIDDEN, "leaky_relu"):
            raise ValueError(f"adapter: activation={activation!r} (of the hidden layers); use "
                             f"one of {', '.join(repr(a) for a in (*HIDDEN, 'leaky_relu'))}")
        if reduction not in (None, "mean", "sum"):
            raise ValueError(f"adapter: reduction={reduction!r}; use 'mean' (the cost averaged "
                             "over the batch) or 'sum'")
        if reduction is not None and layout in ("column", "vector"):
            raise ValueError(f"adapter: reduction is for batch layouts ('rows', 'columns'); with "
                             f"layout={layout!r} each gradient is one example's, and the "
                             "checker sums them")
        if isinstance(params, (str, bytes)) or not params:
            raise ValueError("adapter: params must be a list of paths such as ['self.W[0]', "
                             "'self.b[0]'] or of (name, get, set) triples")
        self.obj, self.params, self.layout, self.targets = obj, list(params), layout, targets
        self.hooks = dict(forward=forward, grads=grads, update=update, update_batch=update_batch,
                          evaluate=evaluate, epoch=epoch)
        self.epoch_calls, self.epoch_keep = epoch_calls, epoch_keep
        self.lr, self.batch_size, self.cost, self.activation = lr, batch_size, cost, activation
        self.name, self.reduction = name, reduction

    # ----- the Learner ---------------------------------------------------------------------------

    def learner(self):
        """The Learner the checks use; raises ValueError naming any path that does not resolve."""
        params = self._params()
        hooks = {k: self._callable(k, h) for k, h in self.hooks.items() if h is not None}
        per_example = self.layout in ("column", "vector")
        step = self._step(hooks) if "update" in hooks or "update_batch" in hooks else None
        grads = reduction = None
        if "grads" in hooks:
            grads = self._grads(hooks["grads"], params)
            reduction = "sum" if per_example else self.reduction  # per example: summed
        elif step is not None:
            grads = self._grads_from_update(step, params)
            reduction = "sum" if per_example and "update_batch" not in hooks else self.reduction
        where = {}
        for role, hook in [("forward", "forward"), ("backprop", "grads"), ("backprop", "update"),
                           ("backprop", "update_batch"), ("update", "update"),
                           ("update", "update_batch"), ("evaluate", "evaluate"),
                           ("epoch", "epoch")]:
            if role not in where and hook in hooks:
                # the epoch's own loop, not the function it calls per batch (recorded)
                skip = str(self.epoch_calls or "").rpartition(".")[2] if hook == "epoch" else ""
                found = _where(hooks[hook], self.obj, skip, _ROLE_NAMES.get(role))
                if found is not None:
                    where[role] = found
        notes = [f"adapter: {len(params)} parameters, layout {self.layout!r}, targets "
                 f"{self.targets!r}"]
        if "grads" not in hooks and step is not None:
            notes.append("adapter: gradients taken from one update: (before − after) / η")
        batch_size = self.batch_size
        if batch_size is None and per_example and "update" in hooks and \
                "update_batch" not in hooks:
            batch_size = 1  # online SGD: every example is its own update
        return Learner(
            name=self.name or _name(self.obj, where), params=params,
            layout="rows" if self.layout == "rows" else "columns",
            forward=self._forward(hooks["forward"]) if "forward" in hooks else None,
            grads=grads, grads_reduction=reduction, step=step,
            evaluate=self._evaluate(hooks["evaluate"]) if "evaluate" in hooks else None,
            batches=self._batches(hooks, params) if "epoch" in hooks else None,
            lr=self.lr, batch_size=batch_size, cost=self.cost, activation=self.activation,
            where=where, notes=notes, files=_files(self.obj, where),
            one_at_a_time=self.layout if per_example else None, owner=self.obj)

    # ----- parameters ----------------------------------------------------------------------------

    def _params(self):
        found = []
        for spec in self.params:
            if isinstance(spec, Param):
                found.append(spec)
                continue
            if isinstance(spec, str):
                path = _Path(spec, self.obj)
                name, get, set_ = spec, path.get, path.set
            elif isinstance(spec, tuple) and len(spec) == 3 and callable(spec[1]):
                name, get, set_ = spec
            else:
                raise ValueError(f"adapter: params entry {spec!r}: give a path such as "
                                 "'self.W[0]' or a (name, get, set) triple")
            value = get()
            if not isinstance(value, np.ndarray) or value.dtype.kind not in "fiu":
                kind = type(value).__name__
                raise ValueError(f"adapter: {name!r} is a {kind}, not an array of numbers; "
                                 f"name one array" + (f", e.g. '{name}[0]'"
                                                      if isinstance(value, (list, tuple)) else ""))
            found.append((name, get, set_, _role(name, value)))
        return _layers(found, self.layout)

    # ----- converting canonical rows to the learner's layout ------------------------------------

    def _x(self, X, copy=True):
        """X (m, n_in) rows as the learner's code takes it: an array, or a list of examples."""
        if copy:
            X = np.array(X, dtype=np.float64)
        if self.layout == "rows":
            return X
        if self.layout == "columns":
            return np.ascontiguousarray(X.T)
        return [x[:, None] if self.layout == "column" else x for x in X]

    def _y(self, Y):
        Y = np.array(Y, dtype=np.float64)
        if self.targets == "labels":
            labels = Y.argmax(axis=1)
            return [int(k) for k in labels] if self.layout in ("column", "vector") else labels
        return self._x(Y)

    def _pairs(self, X, ys):
        return list(zip(self._x(X), ys))

    def _rows(self, out, m):
        """The learner's output as rows (m, n_out) when its shape allows, otherwise as it came."""
        if self.layout in ("column", "vector"):
            if any(not isinstance(o, np.ndarray) for o in out):
                return next(o for o in out if not isinstance(o, np.ndarray))
            flat = [np.ravel(o) for o in out]
            if len({f.size for f in flat}) != 1:
                return out
            return np.stack(flat).astype(np.float64)
        if not isinstance(out, np.ndarray) or out.ndim != 2:
            return out
        if self.layout == "columns" and out.shape[1] == m:
            return out.T
        return out

    # ----- the Learner's callables ---------------------------------------------------------------

    def _forward(self, forward):
        def run(X):
            x = self._x(X)
            out = [forward(e) for e in x] if isinstance(x, list) else forward(x)
            return self._rows(out, len(X))
        return run

    def _grads(self, grads, params):
        names = [p.name for p in params]
        order = self._given_order(params)

        def run(X, Y):
            x, y = self._x(X), self._y(Y)
            if not isinstance(x, list):
                return _named(grads(x, y), names, order)
            each = [_named(grads(xi, yi), names, order) for xi, yi in zip(x, y)]
            if any(not isinstance(g, dict) for g in each):
                return next(g for g in each if not isinstance(g, dict))
            total = dict(each[0])
            for g in each[1:]:
                total.update({k: total[k] + v for k, v in g.items()
                              if k in total and _addable(total[k], v)})
            return total
        return run

    def _given_order(self, params):
        """The params' names in the order the adapter listed them: a returned tuple's order."""
        by_spec = {}
        for spec in self.params:
            by_spec[spec.name if isinstance(spec, Param) else
                    spec if isinstance(spec, str) else spec[0]] = True
        return [n for n in by_spec if any(p.name == n for p in params)]

    def _step(self, hooks):
        def run(X, Y, lr):
            x, y = self._x(X), self._y(Y)
            if not isinstance(x, list):
                hooks["update"](x, y, lr)
            elif "update_batch" in hooks:
                hooks["update_batch"](list(zip(x, y)), lr)
            else:
                for xi, yi in zip(x, y):
                    hooks["update"](xi, yi, lr)
        return run

    def _grads_from_update(self, step, params):
        # η = 1 keeps (before − after)/η as exact as the update itself; a per-example update is
        # taken from the same starting weights for every example and the results summed.
        lr = 1.0
        per_example = self.layout in ("column", "vector") and self.hooks["update_batch"] is None

        def one(X, Y, snapshot):
            before = {p.name: np.array(p.get(), dtype=np.float64) for p in params}
            try:
                step(X, Y, lr)
                return {p.name: (before[p.name] - np.array(p.get(), dtype=np.float64)) / lr
                        for p in params}
            finally:
                _restore(params, snapshot)

        def run(X, Y):
            snapshot = {p.name: np.array(p.get(), copy=True) for p in params}
            if not per_example:
                return one(X, Y, snapshot)
            total = {p.name: 0.0 for p in params}
            for i in range(len(X)):
                g = one(X[i:i + 1], Y[i:i + 1], snapshot)
                total = {k: total[k] + g[k] for k in total}
            return total
        run.from_update = True  # the update check does not hold the step against these
        return run

    def _evaluate(self, evaluate):
        def run(X, labels):
            labels = np.asarray(labels)
            if self.layout in ("column", "vector"):
                return evaluate(self._pairs(X, [int(k) for k in labels]))
            return evaluate(self._x(X), labels.copy())
        return run

    def _batches(self, hooks, params):
        target = self.epoch_calls
        if target is None:
            for k in ("update_batch", "update"):
                if isinstance(self.hooks[k], str):
                    target = self.hooks[k]
                    break
        if target is None:
            raise ValueError("adapter: epoch is given but not what it calls per mini-batch; "
                             "add epoch_calls='self.update_mini_batch' (the path of the update "
                             "function its loop calls)")
        path = _Path(target, self.obj)
        if not callable(path.get()):
            raise ValueError(f"adapter: epoch_calls={target!r} is a "
                             f"{type(path.get()).__name__}, not a function")
        n_in = _input_size(params, self.layout)

        n_out = _output_size(params, self.layout)
        columns = self.layout in ("columns", "column")

        def run(n, keep=self.epoch_keep):
            n = min(n, KEPT_EXAMPLES) if keep else n  # a real epoch of training: a shorter one
            X, Y = _instrumented(n, n_in, n_out)
            seen = Batches()
            seen.n = n
            seen.kept = keep and not self.epoch_keep  # run again, the update kept

            def recorder(*args, **kwargs):  # stands in for the update: notes the batch only
                given = [*args, *kwargs.values()]
                for a in given:
                    found = self._decode(a, n_in)
                    if found is not None:
                        seen.append(found)
                        if isinstance(a, (list, tuple)):  # (x, y) pairs: each y its x's
                            for i, (_, y) in zip(found, a):
                                seen.labels([i], y, n_out, columns)
                        else:  # the targets among the other arguments, if one reads as such
                            any(seen.labels(found, b, n_out, columns) for b in given
                                if b is not a and isinstance(b, np.ndarray))
                        return original(*args, **kwargs) if keep else None
                raise ValueError(f"adapter: {target} was called without the examples of a "
                                 f"mini-batch among its arguments ({_kinds(args, kwargs)})")

            if self.layout in ("column", "vector"):
                x = self._x(X, copy=False)  # views of one small array: an epoch of 60,000 is cheap
            else:  # one compact copy in float32: the loop may shuffle it in place
                x = np.array(X if self.layout == "rows" else X.T, dtype=np.float32)
            y = self._y(Y)
            try:
                with path.replaced(recorder) as original, np.errstate(all="ignore"):
                    if isinstance(x, list):
                        hooks["epoch"](list(zip(x, y)))
                    else:
                        hooks["epoch"](x, y)
            except Exception as e:  # a loop that uses what the update returns (a loss to print)
                if seen and not keep and "NoneType" in str(e):  # met our None: run it too
                    return run(n, keep=True)
                if seen and keep and not self.epoch_keep:
                    e.hint = (f"{target} was replaced by a recorder that returned None, and then "
                              "by one that runs it too (as epoch_keep=True does)")
                raise
            return seen
        run.held_out = getattr(hooks["epoch"], "held_out", [])  # its test targets' names
        return run

    def _decode(self, a, n_in):
        """The example indices an argument carries, or None when it carries no examples."""
        if isinstance(a, (list, tuple)) and a and all(
                isinstance(e, (list, tuple)) and e and isinstance(e[0], np.ndarray)
                and e[0].size == n_in for e in a):
            return [_index(np.ravel(e[0])) for e in a]
        if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
            return None
        if self.layout in ("column", "vector") and a.size == n_in:
            return [_index(np.ravel(a))]
        if a.ndim == 2 and self.layout == "rows" and a.shape[1] == n_in:
            return [_index(row) for row in a]
        if a.ndim == 2 and a.shape[0] == n_in:
            return [_index(col) for col in a.T]
        return None

    # ----- callables and where they live ---------------------------------------------------------

    def _callable(self, hook, value):
        if isinstance(value, str):
            value = _Path(value, self.obj).get()
        if not callable(value):
            raise ValueError(f"adapter: {hook}= is a {type(value).__name__}, not a function or "
                             "a path to one such as 'self.feedforward'")
        return value


# ----- paths like self.W[0] and params['b1'] ------------------------------------------------------

class _Path:
    """A path in the learner's words (self.W[0], params['b1'], W1), read and written against obj."""

    def __init__(self, text, obj):
        self.text, self.obj = text, obj
        try:
            tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError:
            tree = None
        steps = _steps(tree) if tree is not None else None
        if not steps:
            raise ValueError(f"adapter: {text!r} — write a path such as self.W[0], "
                             "params['b1'] or W1 (attributes, constant indices and keys only)")
        if obj is None:
            raise ValueError(f"adapter: {text!r} — nothing to read it from; pass the learner's "
                             "object, module or a dict as the Adapter's first argument")
        self.steps = steps[1:] if steps[0] == ("attr", "self") else steps

    def _walk(self, steps):
        value, owner, prefix = self.obj, _describe(self.obj), ""
        for kind, key in steps:
            try:
                value = _follow(value, kind, key, self.text, owner, prefix)
            except ValueError as e:
                raise ValueError(f"{e}{_filled_by_script(self.obj, steps[0][1])}") from None
            prefix += (f".{key}" if prefix else key) if kind == "attr" else f"[{key!r}]"
        return value

    def get(self):
        return self._walk(self.steps)

    def set(self, value):
        """Write value there: into the current array when it has the same shape (arrays that a
        layer object shares stay shared), otherwise by rebinding the name."""
        current = self.get()
        if isinstance(current, np.ndarray) and isinstance(value, np.ndarray) and \
                current.shape == value.shape and current.flags.writeable:
            np.copyto(current, value, casting="unsafe")
            return
        self._bind(value)

    def _bind(self, value):
        parent = self._walk(self.steps[:-1])
        kind, key = self.steps[-1]
        if kind == "attr" and not isinstance(parent, Mapping):
            setattr(parent, key, value)
        else:
            parent[key] = value

    @contextmanager
    def replaced(self, value):
        """Bind value there for the duration, then put back what was there."""
        parent = self._walk(self.steps[:-1])
        kind, key = self.steps[-1]
        own = kind == "attr" and not isinstance(parent, Mapping) and \
            key not in getattr(parent, "__dict__", {})  # a method: shadow it on the object
        original = self.get()
        self._bind(value)
        try:
            yield original
        finally:
            if own:
                delattr(parent, key)
            else:
                self._bind(original)


def _filled_by_script(obj, name):
    """'; it is filled at net.py:9, ...' when a statement of the learner's script part, which
    load() skips, writes into name (a `for` loop at module level that fills `parameters`):
    what the adapter reads is then still empty. '' otherwise."""
    for s in getattr(obj, "__skipped__", ()):
        for n in ast.walk(s.node):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target] \
                if isinstance(n, ast.AugAssign) else []
            filled = any(isinstance(t, (ast.Subscript, ast.Attribute)) and
                         _root_name(t) == name for t in targets) or (
                isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and
                n.func.attr in ("append", "extend", "update", "insert") and
                _root_name(n.func.value) == name)
            if filled:
                return (f"; it is filled at {Path(s.file).name}:{s.line}, in your script part "
                        "(statements at module level that are not definitions), which the "
                        "checker does not run, as it could train or read files: move those "
                        f"lines into a function and call it in your adapter (or run them there) "
                        f"before you name {name}")
    return ""


def _root_name(node):
    node = _root(node)  # calls._root: the start of an attribute or subscript chain
    return node.id if isinstance(node, ast.Name) else None


def _steps(node):
    """[(kind, key)] for Name/Attribute/Subscript with constant keys; None for anything else."""
    steps = []
    while True:
        if isinstance(node, ast.Name):
            return [("attr", node.id), *reversed(steps)]
        if isinstance(node, ast.Attribute):
            steps.append(("attr", node.attr))
        elif isinstance(node, ast.Subscript):
            key = node.slice
            if isinstance(key, ast.UnaryOp) and isinstance(key.op, ast.USub) and \
                    isinstance(key.operand, ast.Constant):
                key = ast.Constant(-key.operand.value)
            if not isinstance(key, ast.Constant) or not isinstance(key.value, (int, str)):
                return None
            steps.append(("item", key.value))
        else:
            return None
        node = node.value


def _follow(value, kind, key, text, owner, prefix):
    """value.key or value[key], or a ValueError that names what exists instead."""
    where = f"{owner}.{prefix}" if prefix and kind == "attr" else owner
    if kind == "attr" and isinstance(value, Mapping) and not prefix:
        kind = "item"  # a dict given as the Adapter's object: its keys are the names
    if kind == "attr":
        if hasattr(value, key):
            return getattr(value, key)
        raise ValueError(f"adapter: {text!r} — {where} has no attribute {key!r}; it has "
                         f"{_attributes(value)}")
    if isinstance(value, Mapping):
        if key in value:
            return value[key]
        keys = ", ".join(repr(k) for k in value)
        has = f"has keys {keys}, not {key!r}" if value else f"is empty: it has no {key!r}"
        raise ValueError(f"adapter: {text!r} — {prefix or owner} {has}")
    if isinstance(key, int) and isinstance(value, (list, tuple, np.ndarray)):
        if -len(value) <= key < len(value):
            return value[key]
        has = f"{prefix}[0..{len(value) - 1}]" if len(value) else f"an empty {prefix}"
        raise ValueError(f"adapter: {text!r} — {owner} has {has}")
    raise ValueError(f"adapter: {text!r} — {prefix or owner} is a {type(value).__name__}, "
                     f"which cannot be indexed by {key!r}")


def _attributes(value):
    names = [k for k, v in vars(value).items() if not k.startswith("_")
             and not callable(v)] if hasattr(value, "__dict__") else []
    return ", ".join(names) if names else "no data attributes"


def _describe(obj):
    if obj is None:
        return "the program"
    if isinstance(obj, types.ModuleType):
        return f"module {obj.__name__}"
    if isinstance(obj, Mapping):
        return "the dict"
    return type(obj).__name__


def _name(obj, where):
    """What the report is titled: "Neural_Network in neural_network.py", "mnist_nn.py"."""
    if obj is None or isinstance(obj, (Mapping, types.ModuleType)):
        file = getattr(obj, "__file__", None) or next(
            (where[k].file for k in ("forward", "backprop", "update") if k in where), None)
        return f"{Path(file).name}" if file else _describe(obj)
    file = _class_file(type(obj))
    return f"{type(obj).__name__} in {Path(file).name}" if file else type(obj).__name__


def _class_file(cls):
    """The file a class was written in, also for a module loaded without sys.modules."""
    file = getattr(inspect.getmodule(cls), "__file__", None)
    methods = [f for f in vars(cls).values() if isinstance(f, types.FunctionType)]
    return file or (methods[0].__code__.co_filename if methods else None)


# ----- roles and layers ---------------------------------------------------------------------------

def _role(name, value):
    """'W' or 'b' by the parameter's last name (W1, biases, wih), else by its shape."""
    last = name.replace("'", " ").replace('"', " ").replace("[", " ").replace(".", " ").split()
    words = [w for w in last if not w.strip("]").lstrip("-").isdigit()]
    word = words[-1].strip("]").lower() if words else ""
    if word.startswith(("b", "bias")) or "bias" in word:
        return "b"
    if word.startswith("w") or "weight" in word:
        return "W"
    return "W" if value.ndim == 2 and min(value.shape) > 1 else "b"


INPUTS = (784, 1024)  # the bundled data's input sizes: MNIST's 28×28, the 32×32 digits


def _orientation(shapes, layout):
    """How the weights multiply: "xW" (in, out), as rows take them, or "Wa" (out, in), as
    columns do. One example at a time ("column", "vector") can be either (3Blue1Brown-style
    `x @ W` on a flat vector): read from the shapes, the orientation in which consecutive
    weights chain, or a single weight's side that reads the input; "Wa" when both fit.

    >>> _orientation([(784, 16), (16, 10)], "vector"), _orientation([(16, 784), (10, 16)], "vector")
    ('xW', 'Wa')
    """
    if layout in ("rows", "columns"):
        return "xW" if layout == "rows" else "Wa"
    shapes = [s for s in shapes if len(s) == 2]
    chain_xw = all(a[1] == b[0] for a, b in zip(shapes, shapes[1:]))
    chain_wa = all(a[0] == b[1] for a, b in zip(shapes, shapes[1:]))
    if len(shapes) > 1 and chain_xw != chain_wa:
        return "xW" if chain_xw else "Wa"
    first = shapes[0] if shapes else (0, 0)
    return "xW" if first[0] in INPUTS and first[1] not in INPUTS else "Wa"


def _weight_shapes(params):
    return [np.shape(p.get()) for p in sorted((p for p in params if p.role == "W"),
                                              key=lambda p: p.layer)]


def _layers(found, layout):
    """Params numbered by layer (in the order of the weights) and sorted W before b."""
    weights = [f for f in found if not isinstance(f, Param) and f[3] == "W"]
    rows = _orientation([np.shape(f[1]()) for f in weights], layout) == "xW"
    out_size = {f[0]: (f[1]().shape[1] if rows else f[1]().shape[0]) for f in weights}
    taken, params = set(), []
    for layer, (name, get, set_, _) in enumerate(weights, start=1):
        params.append(Param(name, get, set_, layer, "W"))
    for name, get, set_, _ in (f for f in found if not isinstance(f, Param) and f[3] == "b"):
        size = get().size
        layer = next((i for i, w in enumerate(weights, start=1)
                      if out_size[w[0]] == size and i not in taken), None)
        if layer is None:
            sizes = ", ".join(f"{w[0]} → {out_size[w[0]]}" for w in weights)
            raise ValueError(f"adapter: bias {name!r} has {size} entries, but no weight is left "
                             f"with that many outputs ({sizes}); is the layout right?")
        taken.add(layer)
        params.append(Param(name, get, set_, layer, "b"))
    params += [f for f in found if isinstance(f, Param)]
    return sorted(params, key=lambda p: (p.layer, p.role != "W"))


def _input_size(params, layout):
    first = next(p for p in params if p.role == "W" and p.layer == 1).get()
    rows = _orientation(_weight_shapes(params), layout) == "xW"
    return first.shape[0] if rows else first.shape[-1]


def _output_size(params, layout):
    last = max((p for p in params if p.role == "W"), key=lambda p: p.layer).get()
    rows = _orientation(_weight_shapes(params), layout) == "xW"
    return last.shape[-1] if rows else last.shape[0]


def _restore(params, snapshot):
    for p in params:
        current = p.get()
        value = snapshot[p.name]
        p.set(np.array(value, dtype=current.dtype if isinstance(current, np.ndarray) else None,
                       copy=True))


# ----- gradients as the learner returns them ------------------------------------------------------

def _named(result, names, order):
    """{param name: gradient} from a dict or a (nested) sequence in the order params were given."""
    if result is None:
        return None
    if isinstance(result, Mapping):
        short = {}
        for n in names:
            last = _last_name(n)
            short.update({last: n, f"d{last}": n, f"grad_{last}": n})
        # keys that name no parameter (Coursera's dA1, a cache) are left out: a parameter they
        # should have named is still missing, and the gradients check says which
        return {(k if k in names else short[k]): v for k, v in result.items()
                if k in names or k in short}
    if isinstance(result, np.ndarray):
        return {names[0]: result} if len(names) == 1 else result
    flat = list(_flatten(result))
    if len(flat) != len(order):
        raise ValueError(f"adapter: grads returned {len(flat)} arrays for {len(order)} "
                         f"parameters ({', '.join(order)}); return them in that order, or a "
                         "dict keyed by those names")
    return dict(zip(order, flat))


def _flatten(value):
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _flatten(v)
    else:
        yield value


def _last_name(path):
    try:
        steps = _steps(ast.parse(path, mode="eval").body)
    except SyntaxError:
        steps = None
    return str(steps[-1][1]) if steps else path


def _addable(a, b):
    return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape


# ----- instrumented examples for the epoch loop ---------------------------------------------------

def _instrumented(n, n_in, n_out):
    """n examples whose first input is their index / 2¹⁶ (exact in float32), and targets.

    Example i is the window buf[i:i + n_in] of one array of n + n_in numbers, read-only, so an
    epoch of 60,000 costs no more memory than one example per thousand.
    """
    buf = np.zeros(n + n_in)
    buf[:n] = np.arange(n) / _SCALE
    X = np.lib.stride_tricks.as_strided(buf, shape=(n, n_in), strides=(buf.itemsize,) * 2,
                                        writeable=False)
    Y = np.eye(n_out)[np.arange(n) % n_out]
    return X, Y


def _index(x):
    return int(round(float(x[0]) * _SCALE))


def _kinds(args, kwargs):
    shown = [type(a).__name__ if not isinstance(a, np.ndarray) else f"array{a.shape}"
             for a in [*args, *kwargs.values()]]
    return ", ".join(shown) or "no arguments"


# ----- the learner's function behind a hook -------------------------------------------------------

# What the learner's function for a role is called, when a hook's glue calls several
# (`program.update(p, program.backward(y, p, cache), lr)`: the update, not the backward)
_ROLE_NAMES = {"forward": re.compile(r"(?i)forward|predict|feed|query"),
               "backprop": re.compile(r"(?i)back|grad|deriv"),
               "update": re.compile(r"(?i)update|step|sgd|train|optimi|apply"),
               "evaluate": re.compile(r"(?i)evaluat|accura|score|test")}


def _where(fn, obj, skip="", prefer=None):
    """Where(function, file, line) of the learner's own function behind a hook, when known;
    never the function named skip; of the functions it calls, one whose name prefer matches
    first."""
    target = _learner_function(fn, obj, skip=skip, prefer=prefer)
    if target is None:
        return None
    code = target.__code__
    return Where(target.__qualname__.replace(".<locals>", ""), code.co_filename,
                 code.co_firstlineno)


def _files(obj, where):
    """The learner's source files: the object's (or its class's) module and the hooks' files."""
    files = {w.file for w in where.values()}
    if obj is not None and not isinstance(obj, Mapping):
        file = getattr(obj, "__file__", None) if isinstance(obj, types.ModuleType) else \
            _class_file(type(obj))
        if file and not Path(file).resolve().is_relative_to(Path(__file__).resolve().parents[1]):
            files.add(file)
    return sorted(files)


def _learner_function(fn, obj, depth=0, skip="", prefer=None):
    """The learner's own function a hook runs: itself, or for a lambda the first learner function
    it names (``lambda x: net.feedforward(x)`` → ``Network.feedforward``)."""
    fn = inspect.unwrap(getattr(fn, "__func__", fn))
    if not isinstance(fn, types.FunctionType):
        return None
    if not _glue(fn):
        return fn if _learners(fn) else None
    owners = [] if obj is None else [obj] if isinstance(obj, Mapping) else [obj, type(obj)]
    for cell in fn.__closure__ or ():
        try:
            owners.append(cell.cell_contents)
        except ValueError:  # a cell not filled yet
            pass
    owners += [fn.__globals__[n] for n in fn.__code__.co_names if n in fn.__globals__]
    owners.append(fn.__globals__)
    # A method of the learner's object before a plain function (a helper passed along, such as
    # Sigmoid); in a lambda the outermost call, the first named (get_accuracy(get_predictions(
    # ...))); in a nested function the last (it sets η, runs the forward pass, then the update).
    functions, methods = [], []
    for name in fn.__code__.co_names:
        found = []
        for owner in owners:
            target = owner.get(name) if isinstance(owner, Mapping) else \
                getattr(owner, name, None) if not isinstance(owner, np.ndarray) else None
            bound = getattr(target, "__func__", None) is not None
            target = getattr(target, "__func__", target)
            if isinstance(target, types.FunctionType) and not _glue(target) and \
                    _learners(target) and target.__name__ != skip:
                found.append((bound, target))
        # model.backward(loss_fn.backward()): the network's method, not the loss object's
        found.sort(key=lambda f: bool(_LOSS.search(f[1].__qualname__.partition(".")[0])))
        if found:
            bound, target = found[0]
            (methods if bound or "." in target.__qualname__ else functions).append(target)
    pick = methods or functions
    named = [f for f in pick if prefer is not None and prefer.search(f.__name__)]
    pick = named if len(named) < len(pick) and named else pick  # the role's own, by its name
    found = (pick[0] if fn.__name__ == "<lambda>" else pick[-1]) if pick else None
    if found is None and depth < 3:  # glue that calls other glue: lambda x: forward(x)[3]
        for inner in owners:
            if isinstance(inner, types.FunctionType) and _glue(inner) and inner is not fn:
                found = _learner_function(inner, obj, depth + 1, skip, prefer) or found
    return found


_LOSS = re.compile(r"loss|cost|criterion", re.IGNORECASE)  # a class of the cost, not the net


def _glue(fn):
    """A lambda or a function nested in another (the adapter's own lines), not the learner's."""
    return fn.__name__ == "<lambda>" or "<locals>" in fn.__qualname__


def _learners(fn):
    """True for a function of the learner's code: not numpy's, the standard library's or ours."""
    top = (fn.__module__ or "").split(".")[0]
    file = fn.__code__.co_filename
    return not (top in sys.stdlib_module_names or top in ("numpy", "tinygrad_edu")
                or "site-packages" in file or file.startswith("<"))
