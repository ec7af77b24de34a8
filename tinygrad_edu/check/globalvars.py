"""A program whose parameters are module-level globals, and functions that read and rebind them.

The 3Blue1Brown follow-along (``W1 = np.random.randn(16, 784)`` ... ``b4 = np.zeros(10)`` at module
level, ``forward(x)`` that keeps a0..a4 in globals and returns nothing, ``backprop(y)`` returning
the gradients, ``update(grads, eta)`` rebinding the globals, ``train_step(x, label, eta)``,
``accuracy(data)`` over (x, label) pairs, ``train(data, epochs, eta)``) and the NNFS book's layer
objects made at module level (``dense1 = Layer_Dense(784, 32)``, ``optimizer = Optimizer_SGD(...)``
and module functions ``forward(X, y)``, ``backward(y)``, ``train_step(X, y)``, ``evaluate(X, y)``).

recognize() builds the parameters as the file's own statements do (its seed, its arrays, its
objects; never its data loading or its loops), calls each function with what its arguments are
named for, reads what a function leaves in globals or objects instead of returning it, and
describes the program to check.Adapter as a learner would. Numpy and the check package's
adapter, attrs and funcs.
"""

import ast
import contextlib
import inspect
import re
from pathlib import Path

import numpy as np

from .adapter import INPUTS, Adapter, _flatten
from .adapter import _role as _param_role
from .attrs import _made_one_hot, one_hot_given
from .attrs import _tree_of as _tree
from .funcs import (
    EVALUATE,
    LR_NAMES,
    _assigned,
    _called,
    _functions,
    _loops_call,
    _required,
    _wrapped,
    returned_names,
)
from .source import _WORK_WORDS

WEIGHT, BIAS = re.compile(r"[Ww]_?(\d+)"), re.compile(r"[bB]_?(\d+)")
# a layer object's arrays (or the two lists of them, one per layer), weights first, under the
# names the books give them
LAYER_ATTRS = (("weights", "biases"), ("W", "b"), ("w", "b"), ("weights", "bias"), ("Ws", "bs"),
               ("W", "B"))
FORWARD = re.compile(r"(?i)forward|feed|predict|query")
BACKWARD = re.compile(r"(?i)back|grad")
STEP = re.compile(r"(?i)train_?(step|on|batch|one|example|single)|step|sgd|learn|^update|"
                  r"^train$|fit_?(batch|one|example)")
X_NAMES = ("X", "x", "X_batch", "x_batch", "inputs", "input", "image", "img", "a0", "A0",
           "batch_X", "X_b", "Xb", "xb")
Y_NAMES = ("Y", "y", "Y_batch", "y_batch", "labels", "label", "T", "t", "targets", "target",
           "digit", "y_true", "expected", "wanted", "batch_y", "Y_b", "Yb", "yb")
LR = ("alpha", "learning_rate", "lr", "eta", "rate", "step_size")
EPOCHS = re.compile(r"(?i)epoch|iteration|iters|steps")
BATCH = re.compile(r"(?i)batch")
OUTPUT = re.compile(r"(?i)^(a\d*|aL|out\w*|y_?hat|probs?|pred\w*|activation\w*)$")
_LABELS = re.compile(r"(?i)^(labels?|digits?|classes|targets?_?int)$")
_GRAD_PREFIXES = ("d", "grad_", "nabla_", "delta_", "g")


def looks_like(module):
    """Whether module keeps its network in module-level globals its own functions read: numbered
    weights (W1, W2, ...) or layer objects with weights (dense1 = Layer_Dense(784, 32)), a
    forward function and a backward or training step function."""
    fns = _functions(module)
    if not any(FORWARD.search(n) for n in fns) or not any(
            BACKWARD.search(n) or STEP.search(n) for n in fns):
        return False
    read = {name for f in fns.values() for name in f.__code__.co_names}
    assigned = _top_assigned(module)
    weights = [n for n in assigned if WEIGHT.fullmatch(n)] + [w for w, _ in _lists(module)]
    layers = [n for n, node in assigned.items() if _own_instance(module, node) and
              _makes_weights(getattr(module, _called_name(node), None))]
    return any(n in read for n in weights + layers)


def _lists(module):
    """[(weights, biases)]: the module's pair of lists of arrays, one of each per layer
    (weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])])."""
    for w, b in LAYER_ATTRS:
        ws, bs = getattr(module, w, None), getattr(module, b, None)
        if isinstance(ws, list) and isinstance(bs, list) and ws and len(ws) == len(bs) and \
                all(_array(x, 2) for x in ws) and all(_array(x) for x in bs):
            return [(w, b)]
    return []


# ----- building the parameters as the file does -------------------------------------------------

def _statements(module):
    """The file's top-level statements in order, with if/try bodies opened up, not its
    `if __name__ == "__main__":` block."""
    try:
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, TypeError):
        return []

    def flat(body):
        for node in body:
            if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.If):
                yield from flat(node.body)
                yield from flat(node.orelse)
            elif isinstance(node, ast.Try):
                yield from flat(node.body)
            else:
                yield node
    return list(flat(tree.body))


def _top_assigned(module):
    """{name: the value's node} of the file's top-level assignments to one name or several."""
    found = {}
    for node in _statements(module):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if isinstance(t, ast.Name):
                        found.setdefault(t.id, node.value)
    return found


def _called_name(node):
    return node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        else None


def _own_instance(module, node):
    """Whether node makes an instance of a class the learner wrote (Layer_Dense(784, 32))
    whose __init__ reads, loads or trains nothing (a DataLoader('mnist') is not run)."""
    cls = getattr(module, _called_name(node) or "", None)
    files = set(getattr(module, "__learner_files__", [module.__file__]))
    if not inspect.isclass(cls) or not any(
            getattr(getattr(f, "__code__", None), "co_filename", None) in files
            for f in vars(cls).values()):
        return False
    init = _tree(cls.__init__) if inspect.isfunction(cls.__init__) else None
    called = [ast.unparse(n.func).rpartition(".")[2].lower() for n in ast.walk(init)
              if isinstance(n, ast.Call)] if init is not None else []
    return not any(word in name for name in called for word in _WORK_WORDS)


def _makes_weights(cls):
    """Whether cls's __init__ assigns self.weights (or self.W, self.w): a layer object."""
    tree = _tree(getattr(cls, "__init__", None)) if inspect.isclass(cls) else None
    made = {t.attr for n in ast.walk(tree) if isinstance(n, ast.Assign) for t in n.targets
            if isinstance(t, ast.Attribute)} if tree is not None else set()
    return any(w in made for w, _ in LAYER_ATTRS)


def _seeds(node):
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and \
        ast.unparse(node.value.func).endswith("seed")


def build(module):
    """Run again, in file order, the statements that make the parameters: the file's seed, its
    assignments that load() ran (arrays, sizes, lists of them) and those that make its own layer
    objects, which load() skips. Data loading, loops and prints stay skipped. Returns the
    statements that could not run, as 'file:line: text'."""
    skipped_lines = {s.line for s in getattr(module, "__skipped__", [])}
    failed = []
    file = Path(module.__file__).name
    for node in _statements(module):
        kept = node.lineno not in skipped_lines  # by load(): no call of the learner's code
        run = (_seeds(node) and kept) or (isinstance(
            node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and (
                kept or _own_instance(module, node.value)))
        if not run:
            continue
        code = compile(ast.Module([node], type_ignores=[]), module.__file__, "exec")
        try:
            with np.errstate(all="ignore"):
                exec(code, module.__dict__)
        except Exception as e:  # a size read from the data the checker skipped
            failed.append(f"{file}:{node.lineno}: `{ast.unparse(node)}` ({type(e).__name__}: "
                          f"{e})")
    return failed


def _unbuilt(module):
    """'file:line: `W1 = ...`' for the file's assignments of W1, b1, ... that load() skipped
    (sized from data the checker does not load) and build() could not run either."""
    file = Path(module.__file__).name
    return [f"{file}:{node.lineno}: `{ast.unparse(node)}` (it needs your script part)"
            for node in _statements(module) if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and (WEIGHT.fullmatch(t.id) or BIAS.fullmatch(t.id))
                and not hasattr(module, t.id) for t in node.targets)]


# ----- the parameters -----------------------------------------------------------------------------

def _params(module):
    """The parameters' paths, layer by layer: numbered globals (W1, b1, ...), two lists
    (weights[0], biases[0], ...) or layer objects' arrays (dense1.weights, dense1.biases)."""
    found = []
    weights = {int(m.group(1)): n for n, v in vars(module).items()
               if (m := WEIGHT.fullmatch(n)) and _array(v, 2)}
    biases = {int(m.group(1)): n for n, v in vars(module).items()
              if (m := BIAS.fullmatch(n)) and _array(v)}
    for k in sorted(weights):
        found.append(weights[k])
        if k in biases:
            found.append(biases[k])
    for w, b in _lists(module):
        for k in range(len(getattr(module, w))):
            found += [f"{w}[{k}]", f"{b}[{k}]"]
    if found:
        return found
    assigned = _top_assigned(module)
    for name, node in sorted(assigned.items(), key=lambda item: getattr(item[1], "lineno", 0)):
        obj = getattr(module, name, None)
        if not _own_instance(module, node) or obj is None:
            continue
        for w, b in LAYER_ATTRS:
            if _array(getattr(obj, w, None), 2):
                found.append(f"{name}.{w}")
                if _array(getattr(obj, b, None)):
                    found.append(f"{name}.{b}")
                break
    return found


def _array(value, ndim=None):
    return isinstance(value, np.ndarray) and value.dtype.kind == "f" and (
        ndim is None or value.ndim == ndim)


def _get(module, path):
    """module's value at a path: W1, dense1.weights, weights[0]."""
    value = module
    for part in path.split("."):
        name, _, index = part.partition("[")
        value = getattr(value, name)
        if index:
            value = value[int(index.rstrip("]"))]
    return value


# ----- arguments by their names -------------------------------------------------------------------

def _role(argument):
    """'X', 'Y' or 'lr' for an argument named for one, else None."""
    if argument in X_NAMES:
        return "X"
    if argument in Y_NAMES:
        return "Y"
    if argument in LR or argument in LR_NAMES:
        return "lr"
    return None


def _bindable(fn, roles=("X", "Y", "lr"), names=()):
    return bool(fn) and all(_role(a) in roles or a in names for a in _required(fn))


def _result_names(fn, fns):
    """The names fn's results go by: its return statement's (`return out, cache`), a result
    with no name there named as a caller assigns it (`out, cache = forward(Xb)`)."""
    names = returned_names(fn)
    for caller in fns.values():
        assigned = _assigned(caller, fn.__name__)
        if assigned and (names is None or len(assigned) == len(names)):
            names = [n or a for n, a in zip(names or assigned, assigned)]
            break
    return names or []


def _global_lr(fn, module, depth=0):
    """The module's global number named for η that fn (or a function of the learner's it
    calls) reads (`p -= lr * g` under `lr = 0.5`), when fn takes no η of its own; else None."""
    if depth > 2:
        return None
    for name in fn.__code__.co_names:
        if (name in LR or name in LR_NAMES) and _number(getattr(module, name, None)):
            return name
    files = set(getattr(module, "__learner_files__", [module.__file__]))
    for inner in _called(fn):
        if inner is not fn and inner.__code__.co_filename in files:
            found = _global_lr(inner, module, depth + 1)
            if found:
                return found
    return None


def _takes(fn, role):
    return next((a for a in _required(fn) if _role(a) == role), None)


def _holds_labels(fn, argument, module, depth=0):
    """Whether fn's argument holds integer labels, not one-hot targets: fn (or a function of the
    learner's it hands the argument to) makes it one-hot, indexes with it (y[label] = 1,
    dz[range(m), y] -= 1), compares it with predictions, or it is named for labels."""
    if _LABELS.match(argument):
        return True
    tree = _tree(fn)
    if tree is None or depth > 3:
        return False
    if _made_one_hot(tree, argument):
        return True
    for n in ast.walk(tree):
        if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Name) and \
                n.slice.id == argument:
            return True  # y[label] = 1
        if isinstance(n, ast.Compare) and any(
                isinstance(v, ast.Name) and v.id == argument for v in [n.left, *n.comparators]):
            return True  # np.argmax(out) == label
        if isinstance(n, ast.Call):
            callee = _callee(n.func, fn, module)
            if callee is None:
                continue
            names = list(inspect.signature(callee).parameters)
            if names and names[0] == "self":
                names = names[1:]
            for name, arg in zip(names, n.args):
                if isinstance(arg, ast.Name) and arg.id == argument and \
                        _holds_labels(callee, name, module, depth + 1):
                    return True
    return False


def _callee(func, fn, module):
    """The learner's function or method a call in fn names: wanted(label), obj.backward(...)."""
    found = None
    if isinstance(func, ast.Name):
        found = fn.__globals__.get(func.id)
    elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        owner = fn.__globals__.get(func.value.id)
        if owner is not None and not inspect.ismodule(owner):
            found = getattr(type(owner), func.attr, None)
    files = set(getattr(module, "__learner_files__", [module.__file__]))
    return found if inspect.isfunction(found) and found.__code__.co_filename in files else None


def _pairs_loop(fn):
    """(x name, y name) when fn loops over one of its arguments as pairs (`for x, label in
    data`, also in a comprehension), as a program that takes one example at a time does;
    else None."""
    tree = _tree(fn)
    arguments = set(_required(fn))
    for n in ast.walk(tree) if tree is not None else ():
        if isinstance(n, (ast.For, ast.comprehension)) and isinstance(n.target, ast.Tuple) and \
                len(n.target.elts) == 2 and all(isinstance(e, ast.Name) for e in n.target.elts):
            # `for x, y in data`, or `for img, lab in zip(images, labels)` of its arguments
            zipped = isinstance(n.iter, ast.Call) and isinstance(n.iter.func, ast.Name) and \
                n.iter.func.id == "zip" and len(n.iter.args) == 2 and all(
                    isinstance(a, ast.Name) and a.id in arguments for a in n.iter.args)
            if isinstance(n.iter, ast.Name) and n.iter.id in arguments or zipped:
                return n.target.elts[0].id, n.target.elts[1].id
    return None


def _script_pairs(module, name):
    """Whether the script part hands the function name one (x, y) pair at a time: `for x, y in
    mini_batch: delta_nabla_b, delta_nabla_w = backprop(x, y)`, network.py's
    update_mini_batch written at top level."""
    for statement in getattr(module, "__skipped__", []):
        for n in ast.walk(statement.node):
            if not (isinstance(n, ast.For) and isinstance(n.target, ast.Tuple)
                    and len(n.target.elts) == 2
                    and all(isinstance(e, ast.Name) for e in n.target.elts)):
                continue
            pair = [e.id for e in n.target.elts]
            if any(isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == name
                   and [getattr(a, "id", None) for a in c.args] == pair
                   for b in n.body for c in ast.walk(b)):
                return True
    return False


def _calls(fn, name):
    """Whether fn's own code calls the function name."""
    tree = _tree(fn)
    return any(isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == name
               for c in ast.walk(tree)) if tree is not None else False


# ----- the recognizer -----------------------------------------------------------------------------

def recognize(module, data, script_call, constants=None):
    """A Learner for module's globals and functions, through an Adapter. script_call(name) ->
    (the arguments of the script's own call of function name by parameter, where) or (None,
    None); constants: the script's {name: number} (BATCH_SIZE = 128)."""
    failed = build(module)
    params = _params(module)
    name = Path(module.__file__).name
    if not params:
        failed += _unbuilt(module)
        why = f"; these did not run: {'; '.join(failed)}" if failed else ""
        raise LookupError(f"check: {name} keeps no parameters the checker can find at module "
                          "level (W1, b1, ... arrays, or layer objects with .weights and "
                          f".biases){why}: write their sizes as numbers (784, not "
                          "X.shape[1]), or describe your program with check.Adapter "
                          "(docs/verify.md)")
    n_in, n_out = data.train.X.shape[1], data.train.Y.shape[1]
    W1 = _get(module, params[0])
    # 784 inputs, or 1024 (the 32×32 digits): the checker then makes data of that size
    size = n_in if n_in in W1.shape else next((k for k in INPUTS if k in W1.shape), None)
    if size is None:
        raise LookupError(f"check: {params[0]} has shape {W1.shape}, which does not take the "
                          f"{n_in} inputs: describe your program with check.Adapter "
                          "(docs/verify.md)")
    fns = _functions(module)
    role = _roles(fns, name, params)
    forward, backward, step, pairs_step, update, judge, epoch = (role[k] for k in (
        "forward", "backward", "step", "pairs_step", "update", "evaluate", "epoch"))
    stepper = step or pairs_step or update
    per_example = pairs_step is not None or any(
        _pairs_loop(f) for f in (judge, epoch) if f is not None) or any(
        "outer" in f.__code__.co_names for f in (backward, step) if f is not None) or any(
        _script_pairs(module, f.__name__) for f in (backward, step) if f is not None)
    layout = _layout(module, params, W1, size, per_example)
    run = _Runner(module, forward, backward, step, layout, n_out)
    run.results, run.update_fn, run.pairs_fn = role["results"], update, pairs_step
    run.grad_results = [n for n in _result_names(backward, fns) if n] if backward else []
    run.lr_global = _global_lr(stepper, module) if stepper is not None and not _takes(
        stepper, "lr") else None
    run.targets = _targets(run, role, per_example, module)
    run.output = _output_reader(run, data)
    hooks = {"forward": _wrapped(run.forward, forward)}
    notes = [f"recognized a program of module-level globals: {', '.join(params)} ({layout}); "
             f"{forward.__name__} is the forward pass" + (
                 f", its output read from {run.output_name}" if run.output_name else "")]
    if backward is not None and (got := run.probe_grads(data, params)) is not None:
        hooks["grads"] = _wrapped(lambda x, y: run.grads(x, y, params), backward)
        notes.append(f"{backward.__name__} gives the gradients" + (f" ({got})" if got else ""))
    if stepper is not None:
        hooks["update_batch" if pairs_step else "update"] = _wrapped(
            run.step_pairs if pairs_step else run.step, stepper)
        notes.append((f"{update.__name__}, after {forward.__name__} and {backward.__name__},"
                      if update else stepper.__name__) + " is one training step" + (
            f", η set in your global {run.lr_global} for each call" if run.lr_global else ""))
    if judge is not None and (evaluate := _evaluation(run, judge, per_example)) is not None:
        hooks["evaluate"] = evaluate
    bound = (script_call(epoch.__name__)[0] if epoch is not None else None) or {}
    lr, said = _eta(module, epoch, stepper, script_call, constants or {})
    batch = next((v for k, v in {**(constants or {}), **bound}.items() if BATCH.search(k)
                  and isinstance(v, int) and not isinstance(v, bool)), None) \
        if not per_example or pairs_step else None
    if batch is None and stepper is not None and (not per_example or pairs_step):
        batch = _loop_batch(module, stepper.__name__, constants or {})
    if epoch is not None and (loop := _epoch(run, epoch, bound, lr, batch, per_example)):
        hooks["epoch"] = loop
        notes.append(f"{epoch.__name__} is your training loop, run for one epoch")
    if lr is not None:
        notes.append(f"η = {lr} from {said}")
    # the function the loop hands each mini-batch to: the step, or the backward pass (kept)
    calls = (step or pairs_step or backward if backward and _takes(backward, "X")
             else forward).__name__
    learner = Adapter(module, params=params, layout=layout, targets=run.targets, lr=lr,
                      batch_size=batch, epoch_calls=calls if "epoch" in hooks else None,
                      epoch_keep=update is not None, name=name, **hooks).learner()
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + notes
    learner.owner = module
    return learner


def _roles(fns, name, params):
    """{role: the learner's function} for forward, backward, step (of one batch: X, Y, η),
    pairs_step (update_mini_batch(mini_batch, eta)), update (of what backward returns, when
    there is no step), evaluate and epoch (the loop that calls the step), and the names of
    the forward pass's results."""
    by_name = {role: sorted((f for n, f in fns.items() if pattern.search(n)),
                            key=lambda f: f.__code__.co_firstlineno)
               for role, pattern in (("forward", FORWARD), ("backward", BACKWARD),
                                     ("step", STEP))}
    forward = next((f for f in by_name["forward"] if len(_required(f)) == 1 or (
        _takes(f, "X") and _bindable(f, ("X", "Y")))), None)
    if forward is None:
        raise LookupError(f"check: {name} keeps {', '.join(params)} at module level, but none "
                          "of its functions named for the forward pass ("
                          f"{', '.join(f.__name__ for f in by_name['forward']) or 'forward'}) "
                          "takes the inputs by a name the checker knows (x, X, inputs): "
                          "describe your program with check.Adapter (docs/verify.md)")
    results = [n for n in _result_names(forward, fns) if n]
    backward = next((f for f in by_name["backward"] if f is not forward
                     and _bindable(f, names=results)), None)
    # a train(x, y, epochs=10, batch=100, lr=0.2) is the epoch loop, not one step of it
    others = [f for f in by_name["step"] if f not in (forward, backward) and not any(
        re.search(r"(?i)epoch", p) for p in inspect.signature(f).parameters)]
    step = next((f for f in others if _bindable(f) and _takes(f, "X") and _takes(f, "Y")),
                None)
    pairs_step = next((f for f in others if len(_required(f)) == 2 and _pairs_loop(f)
                       and _role(_required(f)[1]) == "lr"), None) if step is None else None
    # no step of one batch: forward, backward, then an update(dW1, db1, ..., alpha) of its own
    update = _update_of(backward, fns, (forward, backward)) \
        if step is None and pairs_step is None and backward else None
    stepper = step or pairs_step or update
    return {"forward": forward, "backward": backward, "step": step, "pairs_step": pairs_step,
            "update": update, "results": results,
            "evaluate": next((f for n, f in fns.items() if EVALUATE.search(n)), None),
            "epoch": next((f for f in fns.values() if stepper is not None and f is not stepper
                           and _loops_call(f, stepper.__name__)), None)}


def _layout(module, params, W1, n_in, per_example):
    """The Adapter's layout: one example at a time as a vector, or as a column when the biases
    are columns and the weights (out, in); a batch as rows for (in, out) weights, else columns."""
    rows = W1.shape[0] == n_in and W1.shape[1] != n_in
    if not per_example:
        return "rows" if rows else "columns"
    bias = next((v for p in params if _param_role(p, v := _get(module, p)) == "b"), None)
    return "column" if bias is not None and bias.ndim == 2 and not rows else "vector"


def _targets(run, role, per_example, module):
    """"labels" when the step, backward or forward pass (or, for batches, the evaluation)
    takes the digits, else "onehot"."""
    for f in (role["step"], role["backward"], role["forward"]):
        if f is not None and _takes(f, "Y") and _holds_labels(f, _takes(f, "Y"), module):
            return "labels"
    if role["pairs_step"] is not None:
        y = _pairs_loop(role["pairs_step"])[1]
        if _holds_labels(role["pairs_step"], y, module):
            return "labels"
    judge = role["evaluate"]
    if judge is not None and not per_example and len(_required(judge)) >= 2 and \
            _holds_labels(judge, _required(judge)[1], module):
        return "labels"
    return "onehot"


def _loop_batch(module, name, constants):
    """The batch size of the script's own loop that calls name: the step of its
    `for k in range(0, len(order), 50)`; None when there is no such loop."""
    for statement in getattr(module, "__skipped__", []):
        for n in ast.walk(statement.node):
            if isinstance(n, ast.For) and isinstance(n.iter, ast.Call) and \
                    ast.unparse(n.iter.func) == "range" and len(n.iter.args) == 3 and any(
                        isinstance(c, ast.Call) and ast.unparse(c.func) == name
                        for b in n.body for c in ast.walk(b)):
                size = n.iter.args[2]
                if isinstance(size, ast.Constant) and isinstance(size.value, int):
                    return size.value
                if isinstance(size, ast.Name) and isinstance(constants.get(size.id), int):
                    return constants[size.id]
    return None


def _call_text(statement, name):
    """'your train(train_data, 5, 1.0) at digits.py:109': the call of name in a statement of
    the script part (a loop's whole body is too long to quote)."""
    call = next((n for n in ast.walk(statement.node) if isinstance(n, ast.Call)
                 and ast.unparse(n.func).rpartition(".")[2] == name), None)
    if call is None:
        return f"your {statement}"
    return f"your {ast.unparse(call)} at {Path(statement.file).name}:{call.lineno}"


def _update_of(backward, fns, taken):
    """The learner's update function that takes what backward returns (update_params(dW1, db1,
    dW2, db2, alpha), or update(grads, eta)) and η, in file order; None when there is none."""
    names = [n for n in _result_names(backward, fns) if n]
    for f in sorted(fns.values(), key=lambda f: f.__code__.co_firstlineno):
        if f in taken or not re.search(r"(?i)^update|^apply|optimi|sgd|descen", f.__name__):
            continue
        others = [a for a in _required(f) if _role(a) != "lr"]
        if others and (all(a in names for a in others) or len(others) == 1):
            return f
    return None


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _eta(module, epoch, step, script_call, constants):
    """(η, where it was read): the script's call of the training loop or step, the loop's
    default, the file's constant (lr = 0.5), or an optimizer object the file makes
    (Optimizer_SGD(learning_rate=0.5)); (None, None) when none says."""
    for fn in (epoch, step):
        bound, call = script_call(fn.__name__) if fn is not None else (None, None)
        for a, v in (bound or {}).items():
            if _role(a) == "lr" and _number(v):
                return v, _call_text(call, fn.__name__)
    for a, p in inspect.signature(epoch).parameters.items() if epoch is not None else ():
        if _role(a) == "lr" and _number(p.default):
            return p.default, f"{epoch.__name__}'s default {a}={p.default}"
    for k, v in constants.items():
        if (k in LR or k in LR_NAMES or k.lower() in LR) and _number(v):
            return v, f"your {k} = {v}"
    for name, node in _top_assigned(module).items():
        obj = getattr(module, name, None)
        if _own_instance(module, node) and obj is not None:
            for attr in ("learning_rate", "lr", "eta", "alpha"):
                if _number(getattr(obj, attr, None)):
                    return getattr(obj, attr), f"{name}.{attr}"
    return None, None


class _Runner:
    """The learner's functions, called with what their arguments are named for, their targets
    one-hot or labels as each one takes them."""

    def __init__(self, module, forward, backward, step, layout, n_out):
        self.module, self.forward_fn, self.backward_fn, self.step_fn = module, forward, \
            backward, step
        self.layout, self.n_out = layout, n_out
        self.targets, self.output, self.output_name = "onehot", None, None
        self.grad_names, self.results, self.lr_global = None, [], None
        self.update_fn = self.pairs_fn = None
        self.grad_results, self.wants = [], {}  # {(function, argument): "labels" or "onehot"}

    # ----- targets as each function takes them ------------------------------------------------

    def _one_example(self):
        return self.layout in ("vector", "column")

    def _as(self, fn, argument, y):
        """y (in the Adapter's targets) as fn's argument takes it."""
        if argument is None or y is None:
            return y
        if (fn, argument) not in self.wants:
            self.wants[fn, argument] = "labels" if _holds_labels(fn, argument, self.module) \
                else "onehot"
        wants = self.wants[fn, argument]
        if wants == self.targets:
            return y
        if wants == "labels":
            if self._one_example():
                return int(np.argmax(y))
            return np.argmax(y, axis=1 if self.layout == "rows" else 0)
        hot = np.eye(self.n_out)[np.asarray(y)]
        if self._one_example():
            return hot.reshape(-1, 1) if self.layout == "column" else hot
        return hot if self.layout == "rows" else hot.T

    def _dummy(self, x):
        """Targets for a forward pass that takes them (NNFS's forward(X, y) computes the loss)."""
        m = 1 if self._one_example() else (len(x) if self.layout == "rows" else x.shape[1])
        labels = np.zeros(m, dtype=int)
        if self.targets == "labels":
            return int(labels[0]) if self._one_example() else labels
        hot = np.eye(self.n_out)[labels]
        if self._one_example():
            return hot[0].reshape(-1, 1) if self.layout == "column" else hot[0]
        return hot if self.layout == "rows" else hot.T

    def call(self, fn, x=None, y=None, lr=None, known=None):
        """fn called with each argument it requires by what it is named for; a first argument
        named for nothing the checker knows (feedforward(a)) is the input."""
        given, required = {}, _required(fn)
        lone = required[0] if required and _role(required[0]) is None and not _takes(
            fn, "X") and not (known and required[0] in known) else None
        for a in required:
            role = "X" if a == lone else _role(a)
            given[a] = known[a] if known and a in known and role is None else x \
                if role == "X" else lr if role == "lr" else self._as(fn, a, y)
        return fn(**given)

    # ----- forward, gradients, step ------------------------------------------------------------

    def run_forward(self, x, y=None):
        y_arg = _takes(self.forward_fn, "Y")
        y = y if y is not None or y_arg is None else self._dummy(x)
        return self.call(self.forward_fn, x, y)

    def forward(self, x):
        out = self.run_forward(x)
        return self.output(out) if self.output is not None else out

    def grads(self, x, y, params):
        known = {}
        if not _calls(self.backward_fn, self.forward_fn.__name__):
            out = self.run_forward(x, y)  # backprop(y) reads the activations the forward kept
            values = out if isinstance(out, tuple) and len(self.results) > 1 else (out,)
            known = dict(zip(self.results, values))  # backward(X, Y, cache)
        got = self.call(self.backward_fn, x, y, known=known)
        return self._named(got, params)

    def step(self, x, y, lr):
        if self.lr_global is None:
            return self._step(x, y, lr)
        kept = getattr(self.module, self.lr_global)
        setattr(self.module, self.lr_global, lr)  # a step that reads the global lr: the check's
        try:
            return self._step(x, y, lr)
        finally:
            setattr(self.module, self.lr_global, kept)

    def step_pairs(self, pairs, lr):
        """update_mini_batch(mini_batch, eta) on (x, y) pairs, each y as its loop takes it."""
        y_name = _pairs_loop(self.pairs_fn)[1]
        pairs = [(x, self._as(self.pairs_fn, y_name, y)) for x, y in pairs]
        return self.step(pairs, None, lr)

    def _step(self, x, y, lr):
        if self.pairs_fn is not None:
            return self.pairs_fn(x, lr)
        if self.step_fn is not None:
            return self.call(self.step_fn, x, y, lr)
        known = {}
        if not _calls(self.backward_fn, self.forward_fn.__name__):
            out = self.run_forward(x, y)
            values = out if isinstance(out, tuple) and len(self.results) > 1 else (out,)
            known = dict(zip(self.results, values))
        got = self.call(self.backward_fn, x, y, known=known)
        values = got if isinstance(got, tuple) and len(self.grad_results) > 1 else (got,)
        named = dict(zip(self.grad_results, values))
        given = {a: lr if _role(a) == "lr" else named.get(a, got)  # update(grads, eta): all
                 for a in _required(self.update_fn)}
        return self.update_fn(**given)

    def probe_grads(self, data, params):
        """How the gradients come back (None: the checker cannot read them; '' plainly)."""
        x = _probe(data, self.layout)
        y = _probe_targets(data, self.layout, self.targets, self.n_out)
        try:
            with np.errstate(all="ignore"), contextlib.redirect_stdout(None):
                got = self.grads(x, y, params)
        except Exception:
            return ""  # the gradients check reports what it raises
        if not got:
            return None
        return self.grad_names or ""

    def _named(self, got, params):
        """{parameter path: gradient}, from what the backward returns, or, when it returns
        nothing, from the globals or the layer objects' attributes it sets (dW1,
        dense1.dweights)."""
        if got is None:
            found = {}
            for p in params:
                head, _, last = p.rpartition(".")
                owner = _get(self.module, head) if head else self.module
                for prefix in _GRAD_PREFIXES:
                    value = getattr(owner, prefix + last, None)
                    if isinstance(value, np.ndarray):
                        found[p] = value
                        break
            if found:
                self.grad_names = "read from " + ", ".join(
                    (p.rpartition(".")[0] + "." if "." in p else "") + "d" + p.rpartition(".")[2]
                    for p in list(found)[:2]) + (", ..." if len(found) > 2 else "")
            return found or None
        if isinstance(got, dict):
            return got
        flat = list(_flatten(got))
        if len(flat) != len(params) or not all(isinstance(g, np.ndarray) for g in flat):
            return got  # the Adapter says what does not line up
        names = returned_names(self.backward_fn)
        mapped = _by_name(names, params) if names and len(names) == len(flat) else None
        return dict(zip(mapped, flat)) if mapped else _by_shape(flat, params, self.module)


def _by_name(names, params):
    """The parameter each returned name is the gradient of (dW1 → W1, d1 → b1, db2 → b2), in
    the order returned; None when one cannot be told."""
    mapped = []
    for n in names:
        m = re.fullmatch(r"(?:d|grad_?|nabla_?|delta_?)([WwBb]?)_?(\d+)", n or "")
        if m is None:
            return None
        role = "W" if m.group(1) in ("W", "w") else "b"  # δ of a layer is its ∂C/∂b
        k = int(m.group(2))
        match = [p for p in params if (WEIGHT if role == "W" else BIAS).fullmatch(
            p.rpartition(".")[2]) and int(re.search(r"\d+", p.rpartition(".")[2]).group()) == k]
        if len(match) != 1 or match[0] in mapped:
            return None
        mapped.append(match[0])
    return mapped


def _by_shape(flat, params, module):
    """{param: gradient} pairing each returned array with the first parameter of its shape not
    taken yet, in the order the parameters were made; the returned order where shapes differ."""
    free, named = list(params), {}
    for g in flat:
        p = next((p for p in free if np.shape(_get(module, p)) == g.shape), None)
        if p is None:
            return list(flat)  # a gradient of the wrong shape: the Adapter's order, then
        free.remove(p)
        named[p] = g
    return named


def _probe(data, layout):
    X = data.train.X[:3]
    if layout == "rows":
        return X.copy()
    if layout == "columns":
        return X.T.copy()
    return X[0].reshape(-1, 1) if layout == "column" else X[0].copy()


def _probe_targets(data, layout, targets, n_out):
    Y = data.train.Y[:3]
    if targets == "labels":
        labels = Y.argmax(axis=1)
        return int(labels[0]) if layout in ("vector", "column") else labels
    if layout == "rows":
        return Y.copy()
    if layout == "columns":
        return Y.T.copy()
    return Y[0].reshape(-1, 1) if layout == "column" else Y[0].copy()


def _output_reader(run, data):
    """How to read the network's output after the forward pass: what it returns when that has
    the output's shape, else the last of the globals it assigns (a4) or of the objects it calls
    (loss_activation.output) that has; sets run.output_name."""
    x = _probe(data, run.layout)
    m = 1 if run.layout in ("vector", "column") else 3
    try:
        with np.errstate(all="ignore"), contextlib.redirect_stdout(None):
            out = run.run_forward(x)
    except Exception:
        return None  # the forward check reports what it raises
    if _shaped(out, m, run.n_out):
        return None
    if isinstance(out, tuple) and any(_shaped(o, m, run.n_out) for o in out):
        k = next(i for i, o in enumerate(out) if _shaped(o, m, run.n_out))
        return lambda got: got[k] if isinstance(got, tuple) else got
    candidates = _kept_by(run.forward_fn, run.module)
    shaped = [c for c in candidates if _shaped(_read(run.module, c), m, run.n_out)]
    named = [c for c in shaped if OUTPUT.match(c.rpartition(".")[2]) or c.endswith(".output")]
    pick = (named or shaped or [None])[-1]
    if pick is None:
        return None  # returns nothing and keeps nothing: the forward check says so
    run.output_name = pick
    return lambda got: _read(run.module, pick)


def _kept_by(fn, module, depth=0):
    """Where fn leaves results, in the order it does: the globals it assigns (global a4) and
    the .output of the module's objects it calls (dense2.forward(...)), also through the
    learner's functions it calls."""
    tree = _tree(fn)
    if tree is None or depth > 2:
        return []
    declared = {n for g in ast.walk(tree) if isinstance(g, ast.Global) for n in g.names}
    found = []
    for n in sorted((n for n in ast.walk(tree) if hasattr(n, "lineno")),
                    key=lambda n: (n.lineno, n.col_offset)):
        if isinstance(n, ast.Assign):
            found += [t.id for t in n.targets if isinstance(t, ast.Name) and t.id in declared]
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                isinstance(n.func.value, ast.Name):
            owner = fn.__globals__.get(n.func.value.id)
            if owner is not None and not inspect.ismodule(owner) and \
                    not isinstance(owner, np.ndarray) and hasattr(owner, "__dict__"):
                found.append(f"{n.func.value.id}.output")
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            inner = _callee(n.func, fn, module)
            if inner is not None and inner is not fn:
                found += _kept_by(inner, module, depth + 1)
    return found


def _read(module, path):
    try:
        return _get(module, path)
    except AttributeError:
        return None


def _shaped(value, m, n_out):
    return isinstance(value, np.ndarray) and value.size == m * n_out


def _evaluation(run, judge, per_example):
    """evaluate for the Adapter: accuracy(data) over (x, label) pairs as it is, or with one-hot
    targets when its loop takes their argmax; evaluate(X, y) with labels or one-hot."""
    required = _required(judge)
    if per_example:
        pairs = _pairs_loop(judge)
        if len(required) != 1 or pairs is None:
            return None
        if not one_hot_given(judge, pairs[1]):
            return judge

        def evaluate(examples):
            return judge([(x, _hot(label, run)) for x, label in examples])
        return _wrapped(evaluate, judge)
    if len(required) != 2 or _role(required[0]) != "X":
        return None
    hot = one_hot_given(judge, required[1])

    def evaluate(x, labels):
        if hot:
            labels = np.eye(run.n_out)[np.asarray(labels)]
            labels = labels if run.layout == "rows" else labels.T
        return judge(x, labels)
    return _wrapped(evaluate, judge)


def _hot(label, run):
    hot = np.eye(run.n_out)[int(label)]
    return hot.reshape(-1, 1) if run.layout == "column" else hot


def _epoch(run, fn, bound, lr, batch, per_example):
    """epoch for the Adapter: the learner's training function for one epoch, its other arguments
    as the script gives them; None when one cannot be filled."""
    arguments = list(inspect.signature(fn).parameters.values())
    fill, data_args = {}, []
    for p in arguments:
        role = _role(p.name)
        if EPOCHS.search(p.name):
            fill[p.name] = 1
        elif role == "lr" and lr is not None:
            fill[p.name] = lr
        elif BATCH.search(p.name) and batch is not None:
            fill[p.name] = batch
        elif re.search(r"(?i)print|verbose|plot|show", p.name):
            fill[p.name] = False
        elif role in ("X", "Y") or (per_example and p.default is p.empty and not data_args):
            data_args.append(p.name)
        elif p.name in bound and p.default is p.empty:
            fill[p.name] = bound[p.name]
        elif p.default is p.empty:
            return None
    if per_example and len(data_args) == 1:
        def epoch(pairs):
            return fn(**{data_args[0]: pairs}, **fill)
    elif not per_example and [_role(a) for a in data_args] == ["X", "Y"]:
        def epoch(x, y):
            return fn(**{data_args[0]: x, data_args[1]: run._as(fn, data_args[1], y)}, **fill)
    else:
        return None
    return _wrapped(epoch, fn)
