"""A network class that keeps its layers in numbered attributes: self.W1, self.b1, self.W2, ...

The commonest shape of a from-scratch MLP class that is neither network.py nor the book's
TwoLayerNet: its own names for everything (forward or predict, backward or gradient, a
train_step(X, Y, lr), accuracy(X, labels), a fit or train loop over mini-batches), rows or
columns. recognize() reads the class as a learner would describe it to check.Adapter, and
returns the Adapter's Learner, so every check treats it as it treats a hand-written adapter.
"""

import ast
import copy
import inspect
import re
import textwrap

import numpy as np

from .adapter import Adapter
from .learner import RATE, held_out_targets
from .learner import held_out as held_out_arguments

# The learner's names for each role, most common first
FORWARD = ("forward", "feedforward", "feed_forward", "forward_pass", "forward_prop",
           "forward_propagation", "predict_proba", "predict")
GRADS = ("backward", "backprop", "back_prop", "backpropagate", "backpropagation",
         "backward_pass", "backward_propagation", "gradient", "gradients", "compute_gradients",
         "grads", "get_gradients")
STEP = ("train_step", "sgd_step", "update", "step", "update_params", "update_parameters",
        "train_on_batch", "train_batch", "fit_batch")
EVALUATE = ("accuracy", "evaluate", "score")
_WEIGHT, _BIAS = re.compile(r"[Ww](\d+)"), re.compile(r"[bB](\d+)")
_LR = RATE  # the names of η
_EPOCHS = re.compile(r"(?i)epoch")
_BATCH = re.compile(r"(?i)batch")
_LABELS = re.compile(r"(?i)^(labels?|y_?labels?|digits|targets?_?int|classes)$")
_ONE_HOT = re.compile(r"(?i)eye\(|one_?hot|to_categorical")


def numbered(cls):
    """{number: (weight attribute, bias attribute)} that cls's __init__ assigns (self.W1 and
    self.b1, ...), or {} when it assigns none or is not readable."""
    try:
        init = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))
    except (OSError, TypeError, SyntaxError):
        return {}
    names = {t.attr for n in ast.walk(init) if isinstance(n, (ast.Assign, ast.AnnAssign))
             for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
             if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
             and t.value.id == "self"}
    weights = {int(m.group(1)): n for n in names if (m := _WEIGHT.fullmatch(n))}
    biases = {int(m.group(1)): n for n in names if (m := _BIAS.fullmatch(n))}
    return {k: (weights[k], biases[k]) for k in sorted(weights) if k in biases}


def _method(cls, names, arguments):
    """The first of names that cls has as a method taking that many required arguments."""
    for name in names:
        func = getattr(cls, name, None)
        if not inspect.isfunction(func):
            continue
        required = [p for p in list(inspect.signature(func).parameters.values())[1:]
                    if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        if len(required) == arguments:
            return name
    return None


def _step(cls):
    """The name of cls's one-batch update, step(X, Y, lr) (its third argument named for η): a
    train_step, or a backward(X, Y, learning_rate) that steps the weights itself."""
    for name in (*STEP, *GRADS):
        if _method(cls, (name,), 3) and _LR.match(_arguments(cls, name)[2]):
            return name
    return None


def looks_like(cls):
    """Whether cls has this shape: numbered W and b, a forward pass and gradients or a step
    (or a loop that runs the forward pass and then a method that steps the parameters)."""
    return bool(numbered(cls)) and _method(cls, FORWARD, 1) is not None and (
        _method(cls, GRADS, 2) is not None or _step(cls) is not None or
        _loop_step(cls) is not None)


def _self_call(node):
    """The method name of a call self.<name>(...), else None."""
    return node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
        and isinstance(node.func.value, ast.Name) and node.func.value.id == "self" else None


def _steps_params(cls, name):
    """Whether method name assigns to the numbered parameters (self.W1 -= ..., self.b2 = ...)."""
    params = {a for pair in numbered(cls).values() for a in pair}
    tree = _source(cls, name)
    return tree is not None and any(
        isinstance(n, (ast.Assign, ast.AugAssign)) and any(
            isinstance(t, ast.Attribute) and t.attr in params and isinstance(t.value, ast.Name)
            and t.value.id == "self" for t in (n.targets if isinstance(n, ast.Assign)
                                                else [n.target]))
        for n in ast.walk(tree))


def _loop_step(cls):
    """(loop method, [(target name or None, call)], step name): a loop in cls's methods whose
    body calls a forward pass and then a method that steps the parameters
    (`output = self.forward(xb)`, `self.backward(xb, yb, output, self.lr)`), with those calls
    in order from the forward pass to the step; None when there is none."""
    for name, func in vars(cls).items():
        tree = _source(cls, name) if inspect.isfunction(func) else None
        for loop in (n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While))) \
                if tree is not None else ():
            calls = []
            for statement in loop.body:
                value = statement.value if isinstance(statement, (ast.Assign, ast.Expr)) \
                    else None
                method = _self_call(value)
                if method is None:
                    continue
                target = statement.targets[0].id if isinstance(statement, ast.Assign) and \
                    isinstance(statement.targets[0], ast.Name) else None
                if method in FORWARD and not any(_self_call(c) in FORWARD for _, c in calls):
                    calls = []  # from the first forward pass on
                calls.append((target, value))
                if method not in FORWARD and _steps_params(cls, method) and \
                        any(_self_call(c) in FORWARD for _, c in calls):
                    return name, calls, method
    return None


def _arguments(cls, name):
    return list(inspect.signature(getattr(cls, name)).parameters)[1:]


def _source(cls, name):
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(getattr(cls, name))))
    except (OSError, TypeError, SyntaxError):
        return None


def _calls_self(tree, names):
    """The first of names that the function's tree calls as self.<name>(...)."""
    called = {n.func.attr for n in ast.walk(tree) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
              and n.func.value.id == "self"} if tree is not None else set()
    return next((n for n in names if n in called), None)


def _epoch(cls, step):
    """The method whose loop calls self.<step> (fit, train, SGD...), or None (none, or two)."""
    found = []
    for name, func in vars(cls).items():
        if name == step or not inspect.isfunction(func):
            continue
        tree = _source(cls, name)
        loops = [n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While))] if tree \
            else []
        if any(_calls_self(loop, (step,)) for loop in loops):
            found.append(name)
    return found[0] if len(found) == 1 else None


def _takes_labels(cls, name, argument):
    """Whether method name's argument holds integer labels: it makes them one-hot itself
    (np.eye(10)[labels], one_hot(y)) or indexes with them (dz[range(m), y] -= 1), or it is
    named for labels; a Y or T is one-hot."""
    if _made_one_hot(_source(cls, name), argument):
        return True
    return bool(_LABELS.match(argument)) and argument not in ("y", "targets", "target")


def _made_one_hot(tree, argument):
    """Whether the function's tree makes argument one-hot or indexes with it."""
    for n in ast.walk(tree) if tree is not None else ():
        made = isinstance(n, (ast.Call, ast.Subscript)) and _ONE_HOT.search(ast.unparse(n))
        picks = isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Tuple) and \
            re.search(r"range\(|arange\(", ast.unparse(n.slice))
        if (made or picks) and any(isinstance(v, ast.Name) and v.id == argument
                                   for v in ast.walk(n)):
            return True
    return False


def one_hot_given(fn, argument):
    """Whether fn's argument holds one-hot targets: it takes their argmax (np.argmax(Y,
    axis=0)). Otherwise the digits: an accuracy compares them with the predicted ones (the
    video tutorial's get_accuracy(predictions, Y), whose Y holds digits)."""
    tree = _tree_of(fn)
    return any(isinstance(n, ast.Call) and n.args and ast.unparse(n.func).endswith("argmax")
               and isinstance(n.args[0], ast.Name) and n.args[0].id == argument
               for n in ast.walk(tree)) if tree is not None else False


def _tree_of(fn):
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None


def _output(net, name, X):
    try:
        with np.errstate(all="ignore"):
            return np.asarray(getattr(net, name)(X))
    except Exception:
        return None


def recognize(net, module, data, hyper):
    """A Learner for net (of a class that looks_like this shape), through an Adapter.
    hyper(method) -> (lr, batch size, where) from the learner's own call of method."""
    cls = type(net)
    pairs = numbered(cls)
    n_in, n_out = data.train.X.shape[1], data.train.Y.shape[1]
    W1 = np.asarray(getattr(net, pairs[min(pairs)][0]))
    if W1.ndim != 2 or n_in not in W1.shape:
        raise LookupError(f"check: {cls.__name__}.{pairs[min(pairs)][0]} has shape {W1.shape}, "
                          f"which does not take the {n_in} inputs as rows or as columns; "
                          "describe your program with check.Adapter (docs/verify.md)")
    layout = "rows" if W1.shape[0] == n_in else "columns"
    params = [f"self.{a}" for k in pairs for a in pairs[k]]
    X = data.train.X[:7] if layout == "rows" else data.train.X[:7].T.copy()
    m_axis = 0 if layout == "rows" else 1
    takes_one = [f for f in FORWARD if _method(cls, (f,), 1)]
    forward = next((f for f in takes_one if (out := _output(net, f, X)) is not None
                    and out.ndim == 2 and out.shape[m_axis] == 7
                    and out.shape[1 - m_axis] == n_out), None)
    if forward is None and not takes_one:
        raise LookupError(f"check: {cls.__name__} keeps {', '.join(params)} but has no forward "
                          f"pass the checker can call ({', '.join(FORWARD[:3])}, … taking the "
                          "inputs); describe your program with check.Adapter (docs/verify.md)")
    # none gives the output (one forgot its return): the first by name, for the forward check
    forward = forward or takes_one[0]
    notes = [f"recognized a network class with numbered parameters: {', '.join(params)} "
             f"({layout}); {forward} is its forward pass"]
    grads = _method(cls, GRADS, 2)
    step = _step(cls)
    targets = "onehot"
    hooks = {"forward": f"self.{forward}"}
    from .inplace import steps_in_place  # (inplace builds on this module's names)
    rate = steps_in_place(_source(cls, grads))[1] if grads and not step else None
    if rate:  # backward(X, Y) that steps the weights itself, by self.lr: the update step
        step, grads = grads, None
        targets = "labels" if _takes_labels(cls, step, _arguments(cls, step)[1]) else "onehot"
        hooks["update"] = _in_place(net, cls, step, forward if _follows_forward(cls, step)
                                    else None, rate)
        notes.append(f"{step} steps the parameters itself, by self.{rate}: it is the update "
                     "step, and the gradients are read from it")
    if grads:
        y_arg = _arguments(cls, grads)[1]
        targets = "labels" if _takes_labels(cls, grads, y_arg) else "onehot"
        hooks["grads"] = _gradients(net, cls, grads, forward, pairs)
        notes.append(f"{grads} gives its gradients")
    if step and not rate:
        hooks["update"] = _in_place(net, cls, step, forward, None) \
            if _follows_forward(cls, step) else f"self.{step}"  # (X, Y, lr) as it is
        if not grads:
            targets = "labels" if _takes_labels(cls, step, _arguments(cls, step)[1]) \
                else "onehot"
        notes.append(f"{step}(…, {_arguments(cls, step)[2]}) is its update step")
    applier = _applier(cls) if grads and not step and "update" not in hooks else None
    if applier:  # grads = self.backward(xb, yb); self.update(grads, lr)
        hooks["update"] = _applied(net, cls, grads, applier,
                                   forward if _follows_forward(cls, grads) else None)
        step = grads  # the loop's call that holds the batch: what its epoch records
        notes.append(f"{applier}({', '.join(_arguments(cls, applier))}) applies what {grads} "
                     f"returns: the two are its update step")
    settler = _settler(cls) if grads and not step and "update" not in hooks else None
    if settler:  # self.backward(xb, yb); self.update(): the step reads what backward kept
        name, rate = settler
        hooks["update"] = _settled(net, cls, grads, name, rate,
                                   forward if _follows_forward(cls, grads) else None)
        step = grads  # the loop's call that holds the batch: what its epoch records
        notes.append(f"{name}({', '.join(_arguments(cls, name))}) steps the parameters by the "
                     f"gradients {grads} keeps (self.dW1, …): the two are its update step")
    if "update" not in hooks and not grads and _loop_step(cls) is not None:
        _, calls, step = _loop_step(cls)  # output = self.forward(xb); self.backward(xb, ...)
        replayed = _replayed(net, cls, module, calls, step)
        if replayed is None:
            raise LookupError(
                f"check: {cls.__name__}'s loop calls {step}(…) with arguments the checker "
                "cannot fill in (the batch, what the forward pass returned, η, or the targets "
                "under a name such as y or labels); describe your program with check.Adapter "
                "(docs/verify.md)")
        hooks["update"], y_arg = replayed
        targets = "labels" if y_arg and _takes_labels(cls, step, y_arg) else "onehot"
        notes.append(f"{step} steps the parameters itself: it is the update step, called as "
                     "your loop calls it after the forward pass, and the gradients are read "
                     "from it")
    judge = _method(cls, EVALUATE, 2)
    if judge:
        hooks["evaluate"] = _evaluate(net, cls, judge, layout, n_out)
    epoch = _epoch(cls, step) if step else None
    lr = batch = None
    if epoch:
        lr, batch, call = loop_settings(cls, epoch, hyper)
        run = _epoch_run(net, cls, epoch, targets, layout, lr, batch, n_out)
        if run is not None:
            hooks["epoch"] = run
            said = [f"η = {lr}"] if lr is not None else []
            said += [f"batch size {batch}"] if batch is not None else []
            notes.append(f"{epoch} is its training loop: it calls {step} per mini-batch" +
                         (f"; {' and '.join(said)} from your {call}" if call and said else ""))
        else:
            notes.append(f"{cls.__name__}.{epoch} takes arguments the checker cannot fill in: "
                         "the mini-batch check is skipped")
    if lr is None and step:  # the rate the object keeps, as the script builds it
        rate = rate or _rate_passed(cls, step)
        lr = getattr(net, rate, None) if rate else None
        if lr is not None:
            notes.append(f"η = {lr}: self.{rate} as your script builds {cls.__name__}")
    reduction = _reduction(net, cls, X, data.train.Y[:7], layout, targets, forward)
    learner = Adapter(net, params=params, layout=layout, targets=targets, lr=lr,
                      reduction=reduction,
                      batch_size=batch, epoch_calls=f"self.{step}" if "epoch" in hooks else None,
                      name=f"{cls.__name__} in {module.__file__.rpartition('/')[2]}"
                      if module else None, **hooks).learner()
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + notes
    return learner


def _reduction(net, cls, X, Y, layout, targets, forward):
    """"mean" or "sum": how the class's own loss or cost method (X, Y) reduces over a batch
    (the cost of 7 examples against those of 3 and 4), so that gradients summed where the cost
    is a mean show as m times too large; None when it has none that can be called."""
    name = _method(cls, ("loss", "cost", "compute_loss", "compute_cost"), 2)
    if name is None:
        return None
    Y = Y if layout == "rows" else Y.T
    if targets == "labels":
        Y = np.argmax(Y, axis=1 if layout == "rows" else 0)
    parts = (slice(0, 7), slice(0, 3), slice(3, 7))

    def cut(a, k):
        return a[k] if layout == "rows" or a.ndim == 1 else a[:, k]
    probe = copy.deepcopy(net)
    state = np.random.get_state()
    try:
        with np.errstate(all="ignore"):
            whole, *halves = (float(np.sum(getattr(probe, name)(cut(X, k), cut(Y, k))))
                              for k in parts)
    except Exception:
        return None
    finally:
        np.random.set_state(state)
    if np.isclose(whole, sum(halves), rtol=1e-9):
        return "sum"
    if np.isclose(whole, (3 * halves[0] + 4 * halves[1]) / 7, rtol=1e-9):
        return "mean"
    return None


def _gradients(net, cls, name, forward, pairs):
    """grads(x, y) for the learner's gradient method: after a forward pass when the method does
    not run one itself (it reads what the forward kept); a method that returns nothing but sets
    self.dW1, self.db1 ... is read from those."""
    runs_forward = _calls_self(_source(cls, name), FORWARD) is not None

    def grads(x, y):
        if not runs_forward:
            getattr(net, forward)(x)
        got = getattr(net, name)(x, y)
        if got is None:
            got = {a: getattr(net, "d" + a) for k in pairs for a in pairs[k]
                   if hasattr(net, "d" + a)}
        return got
    grads.__qualname__ = f"{cls.__name__}.{name}"  # where the checks point: the learner's own
    grads.__wrapped__ = getattr(cls, name)
    return grads


def loop_settings(cls, loop, hyper):
    """(η, batch size, where): from the learner's own call of cls's training loop (hyper), else
    from its arguments' defaults (`fit(self, X, Y, epochs=5, batch_size=32, lr=0.1)`)."""
    lr, batch, call = hyper(loop)
    signature = inspect.signature(getattr(cls, loop)).parameters
    lr = lr if lr is not None else next((p.default for n, p in signature.items()
                                         if _LR.match(n) and p.default is not p.empty), None)
    batch = batch if batch is not None else next(
        (p.default for n, p in signature.items() if _BATCH.search(n)
         and p.default is not p.empty), None)
    return lr, batch, call


def _replayed(net, cls, module, calls, step):
    """(update(x, y, lr), the step's argument that takes the targets) running calls, the loop's
    from its forward pass to its step, as the loop runs them: the forward pass's input is x,
    what a call returns is passed on under the name the loop gives it, an argument named for η
    (`learning_rate`, `self.lr`) is lr, a name of the module is itself (an activation
    function), `self.<attribute>` is read, and the one name left, named for the targets (yb,
    y_batch, labels), is y. None when an argument is none of these."""
    from .inplace import _TARGETS, steps_in_place  # (inplace builds on this module's names)
    first = calls[0][1].args[0] if calls[0][1].args else None
    if not isinstance(first, ast.Name):
        return None
    made = {t for t, _ in calls if t}

    def kind(node):
        if isinstance(node, ast.Name):
            if node.id in made:
                return ("made", node.id)
            if node.id == first.id:
                return ("x", None)
            if _LR.match(node.id):
                return ("lr", None)
            if module is not None and node.id in vars(module):
                return ("value", vars(module)[node.id])
            return ("y", None) if _TARGETS.match(node.id) or re.search(
                r"(?i)^y|label|target", node.id) else None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                node.value.id == "self":
            return ("lr", None) if _LR.match(node.attr) else ("attr", node.attr)
        try:
            return ("value", ast.literal_eval(node))
        except (ValueError, TypeError, SyntaxError):
            return None
    plan = []
    for target, call in calls:
        args = [kind(a) for a in call.args]
        keywords = {k.arg: kind(k.value) for k in call.keywords if k.arg}
        if None in args or None in keywords.values() or len(keywords) < len(call.keywords):
            return None
        plan.append((target, call.func.attr, args, keywords))
    rate = steps_in_place(_source(cls, step))[1]

    def update(x, y, lr):
        def value(k):
            tag, v = k
            return {"made": lambda: made_now[v], "x": lambda: x, "y": lambda: y,
                    "lr": lambda: lr, "attr": lambda: getattr(net, v),
                    "value": lambda: v}[tag]()
        if rate is not None:
            setattr(net, rate, lr)
        made_now = {}
        for target, method, args, keywords in plan:
            got = getattr(net, method)(*map(value, args),
                                       **{k: value(v) for k, v in keywords.items()})
            if target:
                made_now[target] = got
    update.__qualname__ = f"{cls.__name__}.{step}"  # where the checks point: the learner's own
    update.__wrapped__ = getattr(cls, step)
    names = list(inspect.signature(getattr(cls, step)).parameters)[1:]
    _, _, args, keywords = plan[-1]
    y_arg = next((n for n, a in [*zip(names, args), *keywords.items()] if a[0] == "y"), None)
    return update, y_arg


def _follows_forward(cls, step):
    """Whether step runs after a forward pass of the class's own, as its training loop calls
    them (`self.forward(xb)` then `self.backward(xb, yb)`: the step reads what that pass kept),
    and does not run one itself; with no loop that calls step, whether it is named as a
    backward pass. A loop that calls the step alone keeps it alone: its stale activations are
    a finding."""
    if _calls_self(_source(cls, step), FORWARD) is not None:
        return False
    for name, func in vars(cls).items():
        tree = _source(cls, name) if inspect.isfunction(func) and name != step else None
        for loop in (n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While))) \
                if tree is not None else ():
            called = sorted((n.lineno, n.col_offset, n.func.attr) for n in ast.walk(loop)
                            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                            and isinstance(n.func.value, ast.Name) and n.func.value.id == "self")
            names = [c[2] for c in called]
            if step in names:
                return any(n in FORWARD for n in names[:names.index(step)])
    return step in GRADS


def _rate_passed(cls, step):
    """The attribute named for η that the class's own call of step passes (`self.backward(xb,
    yb, self.lr)`: 'lr'), or None."""
    for name, func in vars(cls).items():
        tree = _source(cls, name) if inspect.isfunction(func) and name != step else None
        for n in ast.walk(tree) if tree is not None else ():
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                    n.func.attr == step and isinstance(n.func.value, ast.Name) and \
                    n.func.value.id == "self":
                given = [*n.args, *(k.value for k in n.keywords)]
                return next((g.attr for g in given if isinstance(g, ast.Attribute)
                             and isinstance(g.value, ast.Name) and g.value.id == "self"
                             and _LR.match(g.attr)), None)
    return None


def _applier(cls):
    """The method that applies a gradients dict by η and steps the parameters with it,
    update(grads, lr), or None."""
    for name in STEP:
        if _method(cls, (name,), 2) and _LR.match(_arguments(cls, name)[1]) and \
                _steps_params(cls, name):
            return name
    return None


def _settler(cls):
    """(name, rate attribute or None) of the method that steps the parameters by the gradients
    the gradients method kept on the object: `update()` by a rate it keeps (self.lr), or
    `update(lr)` by its argument; None when there is none."""
    for name in STEP:
        if _method(cls, (name,), 0) and _steps_params(cls, name):
            from .inplace import steps_in_place  # (inplace builds on this module's names)
            rate = steps_in_place(_source(cls, name))[1]
            if rate:
                return name, rate
        if _method(cls, (name,), 1) and _LR.match(_arguments(cls, name)[0]) and \
                _steps_params(cls, name):
            return name, None
    return None


def _settled(net, cls, grads, name, rate, forward):
    """update(x, y, lr): the forward pass the loop runs first (if it does), the gradients
    method, then the method that steps by what it kept, by self.<rate> set to lr (or, rate
    None, by its lr argument), as the learner's loop calls them."""
    def update(x, y, lr):
        if forward is not None:
            getattr(net, forward)(x)
        getattr(net, grads)(x, y)
        if rate is not None:
            setattr(net, rate, lr)
            getattr(net, name)()
        else:
            getattr(net, name)(lr)
    update.__qualname__ = f"{cls.__name__}.{name}"  # where the checks point
    update.__wrapped__ = getattr(cls, name)
    return update


def _applied(net, cls, grads, applier, forward):
    """update(x, y, lr): the forward pass the loop runs first (if it does), the gradients
    method, then the method that applies what it returned, as the learner's loop calls them."""
    def update(x, y, lr):
        if forward is not None:
            getattr(net, forward)(x)
        getattr(net, applier)(getattr(net, grads)(x, y), lr)
    update.__qualname__ = f"{cls.__name__}.{applier}"  # where the checks point
    update.__wrapped__ = getattr(cls, applier)
    return update


def _in_place(net, cls, name, forward, rate):
    """update(x, y, lr) for a method that steps the parameters itself: after the forward pass
    its loop runs before it (forward; None: none, as the loop calls it alone), by self.<rate>
    set to lr, or (rate None) by its lr argument."""
    def update(x, y, lr):
        if rate is not None:
            setattr(net, rate, lr)
        if forward is not None:
            getattr(net, forward)(x)
        getattr(net, name)(x, y) if rate is not None else getattr(net, name)(x, y, lr)
    update.__qualname__ = f"{cls.__name__}.{name}"  # where the checks point: the learner's own
    update.__wrapped__ = getattr(cls, name)
    return update


def _evaluate(net, cls, name, layout, n_out):
    """evaluate(x, labels) for the learner's accuracy: given labels, or one-hot targets when
    its argument is not named for labels (the book's t)."""
    argument = _arguments(cls, name)[1]
    if not one_hot_given(getattr(cls, name), argument):
        return f"self.{name}"

    def evaluate(x, labels):
        hot = np.eye(n_out)[np.asarray(labels)]
        return getattr(net, name)(x, hot if layout == "rows" else hot.T)
    evaluate.__wrapped__ = getattr(cls, name)
    return evaluate


def _epoch_run(net, cls, name, targets, layout, lr, batch, n_out, wants_labels=None):
    """epoch(x, y) calling the learner's loop for one epoch, its arguments filled in by their
    names (the data, epochs = 1, the batch size, η); None when one cannot be. wants_labels:
    whether it takes the digits (None: read from its code)."""
    arguments = list(inspect.signature(getattr(cls, name)).parameters.values())[1:]
    if len(arguments) < 2:
        return None
    x_arg, y_arg = arguments[0].name, arguments[1].name
    if wants_labels is None:
        wants_labels = _takes_labels(cls, name, y_arg)
    fill, held_out = {}, []
    for p in arguments[2:]:
        if _EPOCHS.search(p.name):
            fill[p.name] = 1
        elif _BATCH.search(p.name) and batch is not None:
            fill[p.name] = batch
        elif _LR.match(p.name) and lr is not None:
            fill[p.name] = lr
        elif p.default is p.empty and re.search(r"(?i)test|val|dev", p.name):
            held_out.append(p.name)  # train(x_train, t_train, x_test, t_test, ...): the same data
        elif p.default is p.empty:
            return None
    if not any(_EPOCHS.search(k) for k in fill):
        return None

    def epoch(x, y):
        if wants_labels != (targets == "labels"):
            y = np.argmax(y, axis=1 if layout == "rows" else 0) if wants_labels else \
                (np.eye(n_out)[y] if layout == "rows" else np.eye(n_out)[y].T)
        given = held_out_arguments(held_out, x, y, n_out, layout == "rows")
        return getattr(net, name)(**{x_arg: x, y_arg: y}, **given, **fill)
    epoch.__wrapped__ = getattr(cls, name)
    epoch.held_out = held_out_targets(held_out)
    return epoch
