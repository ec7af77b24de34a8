"""A program of plain functions that hand the parameters to each other by name.

The functional tutorial ("simple MNIST NN from scratch": init_params() -> W1, b1, W2, b2;
forward_prop(W1, b1, W2, b2, X) -> Z1, A1, Z2, A2; backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
-> dW1, db1, dW2, db2; update_params(W1, ..., alpha); get_accuracy(get_predictions(A2), Y);
gradient_descent(X, Y, alpha, iterations)) and the Coursera assignments (a parameters dict:
L_model_forward(X, parameters) -> AL, caches; L_model_backward(AL, Y, caches) -> grads;
update_parameters(parameters, grads, learning_rate); model(X, Y, layers_dims, ...)).

Each function is called with what its arguments are named for: the parameters by the names the
init function returns them under, X and Y, what the forward pass returned under the names its
return statement gives them, the gradients likewise, η under alpha, learning_rate, lr or eta.
recognize() describes the program to check.Adapter with those calls, as a learner would.
"""

import ast
import contextlib
import copy
import inspect
import io
import re
from pathlib import Path

import numpy as np

from .adapter import Adapter
from .attrs import _made_one_hot, one_hot_given
from .attrs import _tree_of as _tree
from .calls import SCRIPT_LOOP
from .learner import Where, held_out_targets
from .learner import held_out as held_out_arguments
from .source import function_of

INIT = re.compile(r"(?i)^init\w*(param|weight|network|net\b)|^initiali[sz]e\w*(param|weight)"
                  r"|^initiali[sz]e$")
ROLES = {"forward": re.compile(r"(?i)forward"), "backward": re.compile(r"(?i)back"),
         "update": re.compile(r"(?i)^update")}
X_NAMES = ("X", "x", "X_batch", "x_batch", "inputs", "A0")
Y_NAMES = ("Y", "y", "Y_batch", "y_batch", "labels", "T", "t", "targets")
LR_NAMES = ("alpha", "learning_rate", "lr", "eta")
EPOCHS = re.compile(r"(?i)epoch|iteration|iters|steps")
BATCH = re.compile(r"(?i)batch")
DIMS = ("layers_dims", "layer_dims", "layer_sizes", "sizes", "dims", "layers")
OUTPUT = re.compile(r"(?i)^(A\d*|AL|a\d*|aL|out\w*|y_?hat|probs?|pred\w*)$")
EVALUATE = re.compile(r"(?i)accura|evaluat|score")
STATE = re.compile(r"(?i)^init\w*(veloc|adam|moment|rms|optim|state)")
PREDICT = re.compile(r"(?i)predict")


def _functions(module):
    """{name: function} of the learner's own files' module-level functions."""
    files = set(getattr(module, "__learner_files__", [module.__file__]))
    return {n: f for n, f in vars(module).items() if inspect.isfunction(f)
            and f.__code__.co_filename in files}


def _arguments(fn):
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _required(fn):
    return [p.name for p in inspect.signature(fn).parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def returned_names(fn):
    """The names fn's last return statement gives its results (`return Z1, A1, Z2, A2`), or
    None when it returns something else."""
    tree = _tree(fn)
    returns = [n for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value is not None] \
        if tree is not None else []
    if not returns:
        return None
    value = returns[-1].value
    elts = value.elts if isinstance(value, ast.Tuple) else [value]
    names = [e.id if isinstance(e, ast.Name) else None for e in elts]  # None: no name
    return names if any(names) else None


def _alias(name, known):
    """The key of known that argument name stands for: itself, or X, Y, η by their aliases."""
    if name in known:
        return name
    for names, key in ((X_NAMES, "X"), (Y_NAMES, "Y"), (LR_NAMES, "lr")):
        if name in names and key in known:
            return key
    return None


def _bindable(fn, known):
    return all(_alias(a, known) is not None for a in _required(fn))


def _call(fn, known):
    """fn called with each argument it requires taken from known by its name."""
    return fn(**{a: known[_alias(a, known)] for a in _required(fn)})


def _pick(candidates, known):
    """The first of candidates whose required arguments known can all fill."""
    return next((f for f in candidates if _bindable(f, known)), None)


def _loops_call(fn, name):
    tree = _tree(fn)
    loops = [n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While))] if tree else []
    return any(isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == name
               for loop in loops for c in ast.walk(loop))


def _takes_labels(fn, argument):
    """Whether fn makes its argument one-hot itself (one_hot(Y), np.eye(10)[Y]) or indexes
    with it (dZ[Y, range(m)] -= 1): then it holds integer labels."""
    return _made_one_hot(_tree(fn), argument)


def looks_like(module):
    """Whether module's own functions have this shape: an init, a forward, a backward and an
    update function (or a training function whose loop steps the parameters itself after its
    backward call), and no class of the network."""
    fns = _functions(module)
    return any(INIT.search(n) for n in fns) and all(
        any(pattern.search(n) for n in fns) for role, pattern in ROLES.items()
        if role != "update") and (any(ROLES["update"].search(n) for n in fns) or any(
            _inline_update(f, fns) for f in fns.values()))


def _inline_update(fn, fns):
    """(statements, read, rebound, early): the lines of fn's innermost loop that step the
    parameters after its call of a backward function (`for k in params: params[k] -= lr *
    grads[k]`, `W1 = W1 - alpha * dW1`), with line numbers as in the file; the names they read
    that are fn's own (its arguments and locals), and the names they rebind; early is None, or
    the statement that calls the backward function when the stepping lines come before it and
    read what it assigns (each step made with the previous batch's gradients). None when it has
    none."""
    tree = _tree(fn)
    if tree is None:
        return None
    ast.increment_lineno(tree, fn.__code__.co_firstlineno - 1)
    backs = {n for n in fns if ROLES["backward"].search(n)}
    own = set(fn.__code__.co_varnames)
    for loop in sorted((n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While))),
                       key=lambda n: -n.lineno):
        called = [i for i, s in enumerate(loop.body) if any(
            isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in backs
            for c in ast.walk(s))]
        steps = [s for s in loop.body[called[0] + 1:] if _steps(s)] if called else []
        early = None
        if called and not steps:  # grads = backward(...) below the lines that use grads
            back = loop.body[called[0]]
            given = {n.id for n in ast.walk(back) if isinstance(n, ast.Name)
                     and isinstance(n.ctx, ast.Store)}
            steps = [s for s in loop.body[:called[0]] if _steps(s) and given & {
                n.id for n in ast.walk(s) if isinstance(n, ast.Name)}]
            early = back if steps else None
        if not steps:
            continue
        stored = {n.id for s in steps for n in ast.walk(s) if isinstance(n, ast.Name)
                  and isinstance(n.ctx, ast.Store)}
        read = list(dict.fromkeys(n.id for s in steps for n in ast.walk(s)
                                  if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                                  and n.id in own and (n.id not in stored or any(
                                      _target(t) == n.id for t in _targets(steps)))))
        rebound = list(dict.fromkeys(t for t in map(_target, _targets(steps))
                                     if t is not None))
        return steps, read, [n for n in rebound if n in read], early
    return None


def _listed(fn):
    """The names in the list fn's last return statement gives (`return [W1, b1, W2, b2]`), or
    None when it returns something else."""
    tree = _tree(fn)
    returns = [n for n in ast.walk(tree) if isinstance(n, ast.Return)] if tree else []
    value = returns[-1].value if returns else None
    if not isinstance(value, ast.List) or not all(isinstance(e, ast.Name) for e in value.elts):
        return None
    return [e.id for e in value.elts]


def _script_epoch(module, statements, forward, backward, init, store):
    """(epoch(x, y), its line): the script's own top-level training loop, whose inner loop cuts
    a batch from the data (`Xb = X_train[k:k + batch_size].T`) for the forward function and the
    backward one, run once through (layered's script epoch) with the data the checks hand in
    bound to those names, transposed back where the script keeps its examples the other way
    (rows cut and turned into columns); the names the script gives init's result (`params =
    initialize_parameters(layer_dims)`) are the parameters the checks hold. None when the
    script has no such loop."""
    from .layered import _loop_lines, run_once  # (layered imports from funcs when it runs)
    tree = ast.Module([s.node for s in statements], type_ignores=[])

    def calls(fn):
        return lambda c: isinstance(c.func, ast.Name) and c.func.id == fn.__name__ and c.args
    found = _loop_lines(tree, calls(forward), calls(backward))
    if found is None:
        return None
    loop, lines, before = found
    cuts = {}  # Xb -> (X_train, transposed)
    for s in (n for b in before for n in ast.walk(b) if isinstance(n, ast.Assign)):
        value = s.value
        turned = isinstance(value, ast.Attribute) and value.attr == "T"
        value = value.value if turned else value
        if len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) and \
                isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name):
            cuts[s.targets[0].id] = (value.value.id, turned)
    given = {}
    for fn, names in ((forward, X_NAMES), (backward, Y_NAMES)):
        call = next((c for s in lines for c in ast.walk(s) if isinstance(c, ast.Call)
                     and calls(fn)(c)), None)
        position = next((i for i, a in enumerate(_arguments(fn)) if a in names), None)
        arg = call.args[position] if call is not None and position is not None and \
            position < len(call.args) else None
        if not isinstance(arg, ast.Name) or arg.id not in cuts:
            return None
        given[fn] = cuts[arg.id]
    (x_src, x_turned), (y_src, y_turned) = given[forward], given[backward]
    once = run_once(module, statements, loop, x_src, y_src)
    if once is None or x_turned != y_turned:
        return None

    made = next((s.node.targets[0] for s in statements if isinstance(s.node, ast.Assign)
                 and len(s.node.targets) == 1 and isinstance(s.node.value, ast.Call)
                 and isinstance(s.node.value.func, ast.Name)
                 and s.node.value.func.id == init.__name__), None)
    names = [made.id] if isinstance(made, ast.Name) else [
        e.id for e in made.elts if isinstance(e, ast.Name)] if isinstance(made, ast.Tuple) else []
    namespace = vars(module)

    def epoch(x, y):
        if x_turned:  # the script keeps rows and cuts columns from them
            x, y = np.ascontiguousarray(np.asarray(x).T), np.ascontiguousarray(np.asarray(y).T)
        if len(names) == 1 and len(store) == 1:  # params = initialize_parameters(...)
            namespace[names[0]] = next(iter(store.values()))
        else:  # W1, b1, W2, b2 = init_params()
            namespace.update({n: store[n] for n in names if n in store})
        return once(x, y)
    # where the checks point: the script's loop itself, as the learner's own lines
    epoch.__wrapped__ = function_of([copy.deepcopy(once.outer)], (), forward, SCRIPT_LOOP)
    return epoch, once.outer.lineno


def _renames(fn, called, known):
    """{argument of called: name}: the arguments fn's call of called hands a name of known that
    is not their own (`backward(params, acts, Y[batch])` gives activations acts)."""
    tree = _tree(fn) if fn is not None else None
    call = next((c for c in ast.walk(tree) if isinstance(c, ast.Call) and isinstance(
        c.func, ast.Name) and c.func.id == called.__name__), None) if tree is not None else None
    if call is None:
        return {}
    params = list(inspect.signature(called).parameters)
    given = [*zip(params, call.args), *((k.arg, k.value) for k in call.keywords if k.arg)]
    return {p: a.id for p, a in given if _alias(p, known) is None and isinstance(a, ast.Name)
            and a.id in known}


def _weights_and_biases(made):
    """Whether a list holds weight matrices, each followed by its bias (W1, b1, W2, b2, ...)."""
    pairs = list(zip(made[::2], made[1::2]))
    return len(made) >= 2 and len(made) % 2 == 0 and all(
        isinstance(W, np.ndarray) and isinstance(b, np.ndarray) and W.ndim == 2
        and b.size in W.shape and b.size == np.max(b.shape) for W, b in pairs)


def _targets(steps):
    """The targets of the stepping assignments among steps (in their loops too)."""
    for s in steps:
        for n in ast.walk(s):
            if isinstance(n, ast.AugAssign):
                yield n.target
            elif isinstance(n, ast.Assign):
                yield from n.targets


def _target(t):
    """The name a stepping assignment rebinds (W1 in `W1 = W1 - ...`), None for an entry."""
    return t.id if isinstance(t, ast.Name) else None


def _steps(s):
    """Whether statement s steps a value by an increment: `p -= ...`, `p = p - ...`, or a loop
    of such lines (`for k in params: params[k] -= lr * grads[k]`)."""
    if isinstance(s, ast.AugAssign):
        return isinstance(s.op, (ast.Sub, ast.Add))
    if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.value, ast.ListComp):
        # params = [p - eta * g for p, g in zip(params, grads)]
        made, loop = s.value, s.value.generators[0]
        return isinstance(made.elt, ast.BinOp) and isinstance(made.elt.op, (ast.Sub, ast.Add)) \
            and isinstance(loop.iter, ast.Call) and ast.unparse(loop.iter.func) == "zip" \
            and bool(loop.iter.args) and ast.unparse(loop.iter.args[0]) == \
            ast.unparse(s.targets[0])
    if isinstance(s, ast.Assign) and len(s.targets) == 1:
        return isinstance(s.value, ast.BinOp) and isinstance(s.value.op, (ast.Sub, ast.Add)) \
            and ast.unparse(s.value.left) == ast.unparse(s.targets[0])
    if isinstance(s, ast.For):
        return bool(s.body) and all(_steps(b) for b in s.body)
    return False


def _made_update(fn, found):
    """A function of the names the stepping lines read, made of those lines, compiled in fn's
    file and module: `train`'s update step, as the checks call an update function."""
    steps, read, rebound, _ = found
    body = [*steps]
    if rebound:
        body.append(ast.Return(ast.Tuple([ast.Name(n, ast.Load()) for n in rebound],
                                         ast.Load())))
    return function_of(body, read, fn, f"the update in {fn.__qualname__}")


def recognize(module, data, script_call, script_sizes=None, statements=None):
    """A Learner for module's functions, through an Adapter. script_call(name) -> (the
    arguments of the script's own call of function name by parameter, where) or (None, None)."""
    fns = _functions(module)
    epoch_fn = next((f for n, f in fns.items() if any(ROLES["update"].search(m) and
                                                      _loops_call(f, m) for m in fns)), None)
    inline = None
    if not any(ROLES["update"].search(n) for n in fns):  # the loop steps them itself
        epoch_fn, inline = next(((f, found) for f in fns.values()
                                 if (found := _inline_update(f, fns))), (None, None))
    bound, call = script_call(epoch_fn.__name__) if epoch_fn else (None, None)
    bound = bound or {}
    init = next(f for n, f in fns.items() if INIT.search(n))
    n_in, n_out = data.train.X.shape[1], data.train.Y.shape[1]
    made_by, _ = script_call(init.__name__)  # parameters = initialize_parameters_deep([...])
    dims = next((v for b in (bound, made_by or {}) for d, v in b.items()
                 if d in DIMS and isinstance(v, (list, tuple))), None)
    if dims is None and script_sizes is not None:  # layers_dims = [train_X.shape[0], 100, 10]
        dims = next((found for d in DIMS if (found := script_sizes(d, n_in, n_out))), None)
    if dims is None and epoch_fn is not None:  # set inside the training function itself
        dims = _local_sizes(epoch_fn, n_in, n_out, init.__name__)
    if _required(init):  # the layer sizes: a list, or n_x, n_h, n_y
        sizes = {**{a: v for a, v in bound.items() if isinstance(v, int)},
                 **{a: v for a, v in (made_by or {}).items() if isinstance(v, int)}}
        given = {a: dims if a in DIMS else sizes.get(a, n_in if re.search(r"(?i)^n_?x$|in", a)
                                                     else n_out if re.search(
                                                         r"(?i)^n_?y$|out|class", a) else None)
                 for a in _required(init)}
        missing = [a for a, v in given.items() if v is None]
        if missing and epoch_fn is not None:  # n_x, n_h, n_y = layer_sizes(X, Y)
            given.update(_sizes_from(epoch_fn, fns, missing, data))
        if any(v is None for v in given.values()):
            raise LookupError(f"check: {init.__name__}({', '.join(_required(init))}) needs "
                              "the layer sizes, and no call of your training function gives "
                              "them: describe your program with check.Adapter (docs/verify.md)")
        made = init(**given)
    else:
        made = init()
    store = {}  # the parameters, where every function reads them
    if isinstance(made, dict):
        held = next((a for f in fns.values() for a in _arguments(f)
                     if a in ("parameters", "params", "weights", "model")), "parameters")
        store[held] = made
        keys = [k for k in made if re.fullmatch(r"[Wb]\d+", str(k))]
        params = [(f"{held}['{k}']", _getter(store, held, k), _setter(store, held, k))
                  for k in keys]
    elif isinstance(made, list) and (_listed(init) or _weights_and_biases(made)):
        # return [W1, b1, W2, b2], or a list appended W, b, W, b in a loop over the sizes
        held = next((a for f in fns.values() for a in _arguments(f)
                     if a in ("parameters", "params", "weights", "model")), "params")
        store[held] = made
        listed = _listed(init) or ["W" if i % 2 == 0 else "b" for i in range(len(made))]
        params = [(f"{held}[{i}]", _getter(store, held, i), _setter(store, held, i))
                  for i, n in enumerate(listed) if re.fullmatch(r"[Ww]\d*|[bB]\d*", n)]
    else:
        names = returned_names(init)
        if names is None or None in names:  # `return np.zeros(...), ...`: the caller's names
            names = _assigned(epoch_fn, init.__name__) or names
        if not isinstance(made, tuple) or names is None or None in names or \
                len(names) != len(made):
            raise LookupError(f"check: {init.__name__}() returns what the checker cannot name "
                              "(a tuple of W1, b1, ... or a dict): describe your program with "
                              "check.Adapter (docs/verify.md)")
        store.update(zip(names, made))
        params = [(n, _getter(store, n), _setter(store, n)) for n in names
                  if re.fullmatch(r"[Ww]\d+|[bB]\d+", n)]
    W1 = np.asarray(params[0][1]())
    if W1.ndim != 2 or n_in not in W1.shape:
        raise LookupError(f"check: {params[0][0]} has shape {W1.shape}, which does not take "
                          f"the {n_in} inputs: describe your program with check.Adapter")
    layout = "columns" if W1.shape[1] == n_in else "rows"
    # settings the functions take beside the data: β, λ, ε from the training function's own
    # defaults and the script's call of it; an optimizer's state (v, s) from its init function
    state = {}
    if epoch_fn is not None:
        state.update({p.name: p.default for p in inspect.signature(
            epoch_fn).parameters.values() if p.default is not p.empty})
    state.update({k: v for k, v in bound.items() if isinstance(v, (int, float))})
    known = {**state, **store, "X": None, "Y": None, "lr": None}
    for n, f in fns.items():
        if f is not init and STATE.search(n) and _bindable(f, known):
            names = returned_names(f) or _assigned(epoch_fn, n)
            made = _call(f, known)
            if names and len(names) > 1 and isinstance(made, tuple) and len(made) == len(names):
                state.update(zip(names, made))
            elif names and len(names) == 1:
                state[names[0]] = made
    known.update(state)
    # the functions the training step calls: in the innermost loop that calls an update (a
    # forward pass with dropout there, beside one without it to print the cost after the loop)
    called = set(_stepped_names(epoch_fn, fns)) if epoch_fn is not None else set()
    # those the training function calls first; of several updates, the one the script's call
    # names (model(..., optimizer="momentum") → update_parameters_with_momentum)
    named = [v.lower() for v in bound.values() if isinstance(v, str)]
    roles = {role: sorted((f for n, f in fns.items() if pattern.search(n) and f is not init),
                          key=lambda f: (not any(v in f.__name__.lower() for v in named),
                                         f.__name__ not in called))
             for role, pattern in ROLES.items()}
    forward = _pick(roles["forward"], known)
    if forward is None:
        raise LookupError("check: none of your forward functions ("
                          f"{', '.join(f.__name__ for f in roles['forward'])}) takes only the "
                          "parameters and X by their names: describe your program with "
                          "check.Adapter (docs/verify.md)")
    # what the forward returns, under its return statement's names and those the training
    # function assigns it to (`AL, caches = L_model_forward(...)` for a `return A, caches`)
    called_as = _assigned(epoch_fn, forward.__name__)
    outputs = returned_names(forward) or called_as or ["out"]
    after = {**known, **{n: None for n in outputs + (called_as or [])}}
    # an argument named otherwise than what the training function hands it (`backward(params,
    # acts, Y[batch])` for `def backward(params, activations, Y)`): by that call
    backward = next((f for f in roles["backward"] if _bindable(
        f, {**after, **dict.fromkeys(_renames(epoch_fn, f, after))})), None)
    renames = _renames(epoch_fn, backward, after) if backward else {}
    grads_names = (returned_names(backward) or _assigned(epoch_fn, backward.__name__)
                   or ["grads"]) if backward else []
    grads_as = (_assigned(epoch_fn, backward.__name__) or []) if backward else []
    if inline is not None:  # train's own lines, as a function of the names they read
        roles["update"] = [_made_update(epoch_fn, inline)]
    update = _pick(roles["update"], {**after, **{n: None for n in grads_names + grads_as},
                                     "t": None})
    if backward is None or update is None:
        raise LookupError("check: your backward and update functions take arguments the "
                          "checker cannot name from what the forward pass returns "
                          f"({', '.join(outputs)}): describe your program with check.Adapter")
    y_arg = next(a for a in _required(backward) if _alias(a, after) == "Y") \
        if any(_alias(a, after) == "Y" for a in _required(backward)) else None
    targets = "labels" if y_arg and _takes_labels(backward, y_arg) else "onehot"
    run = _Runner(store, forward, backward, update, outputs, grads_names, layout, n_out)
    run.state, run.update_names = state, _assigned(epoch_fn, update.__name__)
    run.renames = renames
    if any(isinstance(v, list) for v in store.values()):
        run.listed = [p[0] for p in params]
    if inline is not None:
        run.update_names = inline[2] or None
    if re.search(r"(?i)drop", forward.__name__):  # the forward pass without dropout, to show
        shown = next((f for f in roles["forward"] if f is not forward and _bindable(f, known)
                      and not re.search(r"(?i)drop", f.__name__)), None)
        if shown is not None:
            run.shown = shown
    run.aliases = {"forward": called_as or [], "backward": _assigned(epoch_fn,
                                                                   backward.__name__) or []}
    if "t" in _required(update) and "t" not in state:  # Adam's step count, from 1
        run.state["t"], run.counts = 0, True
    hooks = {"forward": _wrapped(run.output, run.shown or forward),
             "grads": _wrapped(run.grads, backward),
             "update": _wrapped(run.step, update)}
    notes = [f"recognized a program of functions: {init.__name__} makes "
             f"{', '.join(p[0] for p in params)} ({layout}); {forward.__name__}, "
             f"{backward.__name__} and {update.__qualname__} are called with what their "
             "arguments are named for"]
    if inline is not None:
        lines = sorted({inline[0][0].lineno, inline[0][-1].end_lineno})
        notes.append(f"the update is the lines of {epoch_fn.__name__}'s loop that step the "
                     f"parameters {'before' if inline[3] is not None else 'after'} "
                     f"{backward.__name__} "
                     f"({Path(module.__file__).name}:{'-'.join(map(str, lines))}): they are "
                     "run as one update step, with the names they read")
    x7 = data.test.X[:7] if layout == "rows" else data.test.X[:7].T.copy()
    judge = _evaluation(fns, run, known, outputs, (x7, data.test.labels[:7]))
    if judge is not None:
        hooks["evaluate"] = judge
    stepped, at = script_call(update.__name__)  # a script's own loop: its update's η
    lr = next((b[a] for b in (bound, stepped or {}) for a in LR_NAMES
               if isinstance(b.get(a), (int, float))), None)
    if lr is not None and epoch_fn is None and at is not None:
        notes.append(f"η = {lr} from your {at}")
    batch = next((v for a, v in bound.items() if BATCH.search(a) and isinstance(v, int)), None)
    if epoch_fn is not None:
        signature = inspect.signature(epoch_fn).parameters
        lr = lr if lr is not None else next((p.default for a, p in signature.items()
                                             if a in LR_NAMES and p.default is not p.empty), None)
        batch = batch if batch is not None else next(
            (p.default for a, p in signature.items() if BATCH.search(a)
             and isinstance(p.default, int)), None)
        epoch = _epoch(epoch_fn, bound, layout, n_out, lr, batch, dims, store)
        if epoch is not None:
            epoch = _training_batches(module, epoch, forward, backward)
            hooks["epoch"] = epoch
            notes.append(f"{epoch_fn.__name__} is your training loop, run for one epoch" +
                         (f" with η = {lr} from your {call}" if call and lr is not None else ""))
    elif statements:  # the script's own loop: `for epoch in range(epochs): ... forward(Xb, ...)`
        found = _script_epoch(module, statements, forward, backward, init, store)
        if found is not None:
            epoch, line = found
            hooks["epoch"] = _training_batches(module, epoch, forward, backward)
            notes.append(f"the loop at line {line} of your script is its training loop, run "
                         "for one epoch, with the lines before it that read the training data")
    counts = _example_counts(module, fns)
    if counts:  # `_, m_train = X_train.shape` in the script part: each batch's own count
        hooks = {role: _counted(hook, counts, module, layout) for role, hook in hooks.items()}
        notes.append(f"{', '.join(counts)}, which your script sets from its training data "
                     f"({'; '.join(dict.fromkeys(counts.values()))}), is set to each batch's "
                     "number of examples when the checks call your functions")
    learner = Adapter(module, params=params, layout=layout, targets=targets, lr=lr,
                      batch_size=batch, epoch_calls=BATCH_SEEN if "epoch" in hooks else None,
                      name=f"{Path(module.__file__).name}", **hooks).learner()
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + notes
    learner.owner = module
    if inline is not None and inline[3] is not None:  # the step before its gradients
        file, back = module.__file__, inline[3]
        learner.early_update = (Where(f"the update in {epoch_fn.__name__}", file,
                                      inline[0][0].lineno),
                                Where(epoch_fn.__name__, file, back.lineno),
                                ast.unparse(back).strip())
    return learner


BATCH_SEEN = "_tinygrad_edu_batch_seen"  # what the epoch's recorder stands in for


def _training_batches(module, epoch, forward, backward):
    """epoch, with the module's forward and backward functions wrapped while it runs: a
    forward pass that the backward pass follows is a training step, and its X is handed to
    module._tinygrad_edu_batch_seen (the Adapter's recorder stands in for it). A forward pass
    on other data to print an accuracy is no training batch, and is not seen."""
    x_arg = next((a for a in _arguments(forward) if _alias(a, {"X": 0}) == "X"), None)
    y_arg = next((a for a in _arguments(backward) if _alias(a, {"Y": 0}) == "Y"), None)
    signature, backward_signature = inspect.signature(forward), inspect.signature(backward)
    setattr(module, BATCH_SEEN, lambda x, y=None: None)  # the recorder stands in while it runs

    def run(x, y):
        last = []

        def forward_seen(*args, **kwargs):
            given = signature.bind(*args, **kwargs).arguments
            last[:] = [given.get(x_arg)]
            return forward(*args, **kwargs)

        def backward_seen(*args, **kwargs):
            if last and last[0] is not None:  # the batch, and the targets it is trained on
                targets = backward_signature.bind(*args, **kwargs).arguments.get(y_arg) \
                    if y_arg else None
                getattr(module, BATCH_SEEN)(last[0], *([targets] if isinstance(
                    targets, np.ndarray) else []))
                last.clear()
            return backward(*args, **kwargs)

        setattr(module, forward.__name__, forward_seen)
        setattr(module, backward.__name__, backward_seen)
        try:
            return epoch(x, y)
        finally:
            setattr(module, forward.__name__, forward)
            setattr(module, backward.__name__, backward)
    wrapped = _wrapped(run, epoch.__wrapped__)
    wrapped.held_out = getattr(epoch, "held_out", [])  # its test targets' names
    return wrapped


def _named(names, values):
    """{name: value} for the names given (a None in names: a result with no name)."""
    return {n: v for n, v in zip(names, values) if n is not None}


def _getter(store, key, inner=None):
    if inner is None:
        return lambda: store[key]
    return lambda: store[key][inner]


def _setter(store, key, inner=None):
    def put(value):
        if inner is None:
            store[key] = value
        else:
            store[key][inner] = value
    return put


# a global that counts the examples: m, m_train, N, n_samples (n alone is the inputs' count)
_COUNT = re.compile(r"^(m|M|N|m_\w+|n_?(samples|examples|train)\w*"
                    r"|num_?(samples|examples|train)\w*)$")


def _example_counts(module, fns):
    """{name: the script statement}: the globals the learner's functions read that only the
    script part sets, from the size of its data (`_, m_train = X_train.shape`, `m, n =
    data.shape`, `m = Y.size`, `m = len(X)`), named as a count of examples."""
    read = {n for f in fns.values() for n in f.__code__.co_names}
    found = {}
    for statement in getattr(module, "__skipped__", []):
        for node in ast.walk(statement.node):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            target, value = node.targets[0], node.value
            shape = isinstance(value, ast.Attribute) and value.attr == "shape"
            sized = shape or isinstance(value, ast.Attribute) and value.attr == "size" or \
                isinstance(value, ast.Subscript) and isinstance(value.value, ast.Attribute) and \
                value.value.attr == "shape" or isinstance(value, ast.Call) and \
                getattr(value.func, "id", "") == "len"
            names = target.elts if isinstance(target, ast.Tuple) and shape else [target]
            for t in names:
                if sized and isinstance(t, ast.Name) and t.id in read and _COUNT.match(t.id) \
                        and not hasattr(module, t.id):
                    found[t.id] = str(statement)
    return found


def _counted(hook, counts, module, layout):
    """hook with the globals counts names set, while it runs, to the number of examples of the
    batch it is given (its first argument, in layout)."""
    missing = object()

    def call(x, *args, **kwargs):
        m = np.shape(x)[1 if layout == "columns" else 0] if np.ndim(x) == 2 else len(x)
        kept = {n: vars(module).get(n, missing) for n in counts}
        for n in counts:
            setattr(module, n, m)
        try:
            return hook(x, *args, **kwargs)
        finally:
            for n, v in kept.items():
                if v is missing:
                    vars(module).pop(n, None)
                else:
                    setattr(module, n, v)
    call.__wrapped__ = getattr(hook, "__wrapped__", hook)
    return call


def _wrapped(hook, fn):
    """hook as a plain function that points the checks' places at the learner's own fn."""
    def call(*args, **kwargs):
        return hook(*args, **kwargs)
    call.__wrapped__ = fn
    return call


class _Runner:
    """The learner's forward, backward and update, called with their arguments by name."""

    def __init__(self, store, forward, backward, update, outputs, grads_names, layout, n_out):
        self.store, self.forward, self.backward, self.update = store, forward, backward, update
        self.outputs, self.grads_names, self.layout, self.n_out = outputs, grads_names, \
            layout, n_out
        self.state, self.counts, self.update_names = {}, False, None
        self.aliases = {"forward": [], "backward": []}
        self.shown = None  # the forward pass the forward check is shown, when not forward
        self.listed = []  # the parameters' names, where they are one list (params[0], ...)
        self.renames = {}  # backward's argument -> the name the training function hands it

    def _forward(self, x, forward=None):
        known = {**self.state, **self.store, "X": x}
        forward = forward or self.forward
        out = _call(forward, known)
        names = (returned_names(forward) or self.outputs) if forward is not self.forward \
            else self.outputs
        values = out if isinstance(out, tuple) and len(names) > 1 else (out,)
        aliases = self.aliases["forward"] if forward is self.forward else []
        self.last_names = [n for n in (*aliases, *names) if n is not None]
        return {**known, **_named(aliases, values), **_named(names, values)}

    def output(self, x):
        """The network's output: the forward's result named for an activation (A2, AL), of the
        output's shape (from the forward pass without dropout, where there are two)."""
        known = self._forward(x, self.shown)
        results = self.last_names
        shaped = [n for n in results if isinstance(known[n], np.ndarray) and
                  known[n].ndim == 2 and self.n_out in known[n].shape]
        named = [n for n in shaped if OUTPUT.match(n)]
        out = known[(named or shaped or results)[-1]]
        if not shaped and isinstance(out, list) and out and isinstance(out[-1], np.ndarray) \
                and out[-1].ndim == 2 and self.n_out in out[-1].shape:
            return out[-1]  # `return [X, h1, h2, out]`: every layer's activation, the last
        return out

    def _grads(self, x, y):
        known = {**self._forward(x), "Y": y}
        known.update({a: known[n] for a, n in self.renames.items() if n in known})
        got = _call(self.backward, known)
        values = got if isinstance(got, tuple) and len(self.grads_names) > 1 else (got,)
        # under the names its return gives them, and those the training function uses
        return known, {**_named(self.aliases["backward"], values),
                       **_named(self.grads_names, values)}

    def grads(self, x, y):
        _, got = self._grads(x, y)
        nested = [v for v in got.values() if isinstance(v, dict)]
        if nested:
            return nested[0]  # Coursera's grads dict
        listed = [v for v in got.values() if isinstance(v, list) and len(v) == len(self.listed)]
        if self.listed and listed:  # return [dW1, db1, dW2, db2] for params = [W1, b1, ...]
            return dict(zip(self.listed, listed[0]))
        return {n: got[n] for n in self.grads_names if n in got}

    def step(self, x, y, lr):
        known, got = self._grads(x, y)
        if self.counts:
            self.state["t"] += 1
        new = _call(self.update, {**known, **got, "t": self.state.get("t"), "lr": lr})
        names = returned_names(self.update)
        if names is None or None in names:  # `return W1 + vW1, ...`: the caller's names
            names = self.update_names or names
        if isinstance(new, dict):  # Coursera's parameters dict, returned (and written in place)
            held = next(k for k, v in self.store.items() if isinstance(v, dict))
            self.store[held] = new
        elif isinstance(new, tuple) and names and len(names) == len(new):
            for n, v in zip(names, new):  # the parameters, and an optimizer's state (v, s)
                if n in self.store and isinstance(v, type(self.store[n])):
                    self.store[n] = v
                elif n in self.state:
                    self.state[n] = v


def _evaluation(fns, run, known, outputs, probe):
    """evaluate(x, labels) calling the learner's own accuracy function by its arguments' names:
    get_accuracy(predictions, Y) with predictions from get_predictions(A2), or a predict(X,
    labels, parameters) that returns the accuracy; None when there is none it can call."""
    makers = [f for n, f in fns.items() if PREDICT.search(n) and not EVALUATE.search(n)]
    # an accuracy function, or a predict(X, labels, parameters) that returns the accuracy
    judges = [f for n, f in fns.items() if EVALUATE.search(n)] + [
        f for f in makers if any(_alias(a, {"Y": 0}) == "Y" for a in _required(f))]
    # one that runs the network on the inputs itself (test_accuracy(X, Y, W1, ...)) first: it
    # is the whole evaluation, where get_accuracy(predictions, Y) is its last step
    judges.sort(key=lambda f: not any(_alias(a, {"X": 0}) == "X" for a in _required(f)))
    for judge in judges:
        y_arg = next((a for a in _required(judge) if _alias(a, {"Y": 0}) == "Y"), None)
        hot = y_arg is not None and one_hot_given(judge, y_arg)

        def evaluate(x, labels, judge=judge, hot=hot):
            if hot:  # np.argmax(Y, axis=0) in it: the targets one-hot, in its layout
                labels = np.eye(run.n_out)[np.asarray(labels)]
                labels = labels if run.layout == "rows" else labels.T
            have = {**run._forward(x), "Y": labels}
            for a in _required(judge):
                if _alias(a, have) is None and re.search(r"(?i)pred", a):
                    maker = _pick(makers, have)
                    if maker is None:
                        raise LookupError(f"{judge.__name__} needs {a}: no function of yours "
                                          "makes them from what the checker has")
                    have[a] = _call(maker, have)
            return _call(judge, have)
        sample = {**known, **{n: None for n in outputs}, "predictions": None}
        if all(_alias(a, sample) is not None or re.search(r"(?i)pred", a)
               for a in _required(judge)) and _a_number(evaluate, probe):
            return _wrapped(evaluate, judge)
    return None


def _a_number(evaluate, probe):
    """Whether evaluate gives one number on the probe batch (x, labels): an accuracy, not the
    predictions (a predict that prints its accuracy and returns the digits)."""
    try:
        with np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
            got = evaluate(*probe)
    except Exception:
        return True  # the evaluation check reports what it raises
    return np.ndim(got) == 0 and np.issubdtype(np.asarray(got).dtype, np.number)


def _epoch(fn, bound, layout, n_out, lr, batch, dims, store=None):
    """epoch(x, y): the learner's training function for one epoch (iterations = 1 for a full
    batch), its other arguments as their script gives them and the parameters it is handed
    (`train(params, X, y, ...)`) as they are when it runs; None when one cannot be filled."""
    fill, held_out, stored = {}, [], []
    arguments = list(inspect.signature(fn).parameters.values())
    x_arg = next((p.name for p in arguments if p.name in X_NAMES or re.fullmatch(
        r"(?i)x_?train", p.name)), None)
    y_arg = next((p.name for p in arguments if p.name in Y_NAMES or re.fullmatch(
        r"(?i)(y|t|labels?)_?train", p.name)), None)
    if x_arg is None or y_arg is None:
        return None
    labels_arg = next((p.name for p in arguments if p.name != y_arg and p.default is p.empty
                       and re.fullmatch(r"(?i)(y|labels?)(_?train)?", p.name)), None) \
        if y_arg and y_arg[0] in "YT" else None  # sgd(params, X, Y, y, ...): both kinds
    for p in arguments:
        if p.name in (x_arg, y_arg, labels_arg):
            continue
        if EPOCHS.search(p.name):
            fill[p.name] = 1
        elif p.name in LR_NAMES and lr is not None:
            fill[p.name] = lr
        elif BATCH.search(p.name) and batch is not None:
            fill[p.name] = batch
        elif p.name in DIMS and dims is not None:
            fill[p.name] = dims
        elif re.search(r"(?i)print|verbose|plot|show", p.name):
            fill[p.name] = False
        elif p.name in bound:
            fill[p.name] = bound[p.name]
        elif store and p.name in store:
            stored.append(p.name)
        elif p.default is p.empty and re.search(r"(?i)test|val|dev", p.name):
            held_out.append(p.name)  # model(X_train, Y_train, X_test, Y_test, ...): the same
        elif p.default is p.empty:
            return None
    if not any(EPOCHS.search(k) for k in fill):
        return None
    labels = _takes_labels(fn, y_arg) or any(
        _takes_labels(f, a) for f in _called(fn) for a in _arguments(f))

    def epoch(x, y):
        if labels:
            y = np.argmax(y, axis=1 if layout == "rows" else 0) if np.ndim(y) == 2 else y
        given = held_out_arguments(held_out, x, y, n_out, layout == "rows")
        if labels_arg:
            given[labels_arg] = np.argmax(y, axis=1 if layout == "rows" else 0)
        return fn(**{x_arg: x, y_arg: y}, **given, **fill, **{k: store[k] for k in stored})
    wrapped = _wrapped(epoch, fn)
    wrapped.held_out = held_out_targets(held_out)
    return wrapped


def _sizes_from(fn, fns, wanted, data):
    """{size name: value} for the sizes wanted, from the learner's function that fn calls to
    read them off the data (Coursera's `n_x, n_h, n_y = layer_sizes(X, Y)`, its n_h written
    inside), called on a few examples in columns, then in rows: the first way that gives the
    inputs' size as n_x; {} when there is no such function."""
    n_in = data.train.X.shape[1]
    X, Y = data.train.X[:7], data.train.Y[:7]
    for name, f in fns.items():
        names = _assigned(fn, name)
        if f is fn or not names or not set(wanted) <= set(names):
            continue
        for x, y in ((X.T, Y.T), (X, Y)):
            args = {a: _alias(a, {"X": x, "Y": y}) for a in _required(f)}
            if None in args.values():
                break
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    got = f(**{a: x if k == "X" else y for a, k in args.items()})
            except Exception:
                continue
            if not (isinstance(got, tuple) and len(got) == len(names)):
                break
            sizes = dict(zip(names, got))
            inputs = [v for k, v in sizes.items() if re.search(r"(?i)^n_?x$|in", k)]
            if inputs == [n_in] and all(isinstance(sizes[k], int) for k in wanted):
                return {k: sizes[k] for k in wanted}
    return {}


def _local_sizes(fn, n_in, n_out, init=None):
    """The layer sizes fn assigns to a DIMS name as a list of numbers (`layers_dims =
    [X.shape[0], 64, 32, 10]`), or hands its call of the init function named init as one
    (`params = init_network([784, 128, 64, 10])`), its first entry the input size and its last
    the output size when they are not numbers; None when there is none."""
    tree = _tree(fn)
    for n in ast.walk(tree) if tree is not None else ():
        given = n.value if isinstance(n, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in DIMS for t in n.targets) else \
            n.args[0] if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and \
            n.func.id == init and len(n.args) == 1 else None
        if isinstance(given, (ast.List, ast.Tuple)):
            elts, sizes = given.elts, []
            for k, e in enumerate(elts):
                if isinstance(e, ast.Constant) and isinstance(e.value, int):
                    sizes.append(e.value)
                elif k in (0, len(elts) - 1):
                    sizes.append(n_in if k == 0 else n_out)
                else:
                    return None
            return sizes
    return None


def _assigned(fn, name):
    """The names fn assigns the results of its call of name to (`vW1, vb1 = init_velocity()`),
    or None."""
    tree = _tree(fn) if fn is not None else None
    found = []
    for n in ast.walk(tree) if tree is not None else ():
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and \
                isinstance(n.value.func, ast.Name) and n.value.func.id == name:
            target = n.targets[0]
            elts = target.elts if isinstance(target, ast.Tuple) else [target]
            if all(isinstance(e, ast.Name) for e in elts):
                found.append((n.lineno, [e.id for e in elts]))
    # the call that names most of what it returns (`A2, cache = feedforward(...)` in the loop,
    # not `A2, _ = feedforward(params, X)` to print the cost after it), the first of those
    found.sort(key=lambda f: (f[1].count("_"), f[0]))
    return found[0][1] if found else None


def _stepped_names(fn, fns):
    """The names fn calls in its innermost loop that calls an update function (all it calls
    when there is none)."""
    tree = _tree(fn)
    if tree is None:
        return []
    loops = [n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While)) and any(
        isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in fns
        and ROLES["update"].search(c.func.id) for c in ast.walk(n))]
    inner = max(loops, key=lambda n: n.lineno) if loops else tree
    return [c.func.id for c in ast.walk(inner) if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Name)]


def _called_names(fn):
    tree = _tree(fn)
    return [c.func.id for c in ast.walk(tree) if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Name)] if tree is not None else []


def _called(fn):
    """The module-level functions fn calls."""
    tree = _tree(fn)
    names = {c.func.id for c in ast.walk(tree) if isinstance(c, ast.Call)
             and isinstance(c.func, ast.Name)} if tree is not None else set()
    return [fn.__globals__[n] for n in names if inspect.isfunction(fn.__globals__.get(n))]
