"""Recognizers: the code shapes learners copy, turned into a Learner with no adapter code.

``recognize(target, data)`` knows Nielsen's ``Network`` (network.py and network2.py: weights and
biases lists, feedforward, per-example backprop, update_mini_batch, SGD, evaluate) and Deep
Learning from Scratch's ``TwoLayerNet`` (a params dict W1/b1/..., predict, loss, accuracy,
gradient or numerical_gradient, ch.4 functions or ch.5 layers). It builds the learner's object as
their script does, seeded, and reads η and the batch size from their own skipped training call or
script. Imports numpy, the standard library, ``learner`` and ``source``.
"""

import ast
import builtins
import contextlib
import copy
import difflib
import inspect
import random
import re
import sys
import textwrap
from pathlib import Path

import numpy as np

from . import attrs, funcs, globalvars, inplace, layered, lists, script
from .adapter import Adapter
from .learner import Batches, Data, Learner, Param, Sample, Where
from .source import Skipped, give_data, load, read_script
from .source import opened as _opened

NIELSEN_HIDDEN = 30  # the book's hidden layer, when the learner's script does not say
DLFS_HIDDEN = 50
NUMERICAL_LIMIT = 5000  # parameters: above this, numerical_gradient is too slow to check with
_LAMBDA_NAMES = ("lmbda", "lmbd", "lambda_", "lam", "l2", "weight_decay", "reg")


def recognize(target, data, *, name=None, seed=0):
    """A Learner for target: a module loaded by source.load, a class, or a learner's object.

    name picks a class (or object) in a module, as ``file.py:Name`` does on the command line.
    data (a learner.Data) gives the input and output sizes when the learner's script does not.
    Raises LookupError, saying what was looked for, when no known shape matches.
    """
    module = target if inspect.ismodule(target) else None
    if module is not None:
        candidates = _candidates(module, name)
        for cls in candidates:
            kind = _kind(cls)
            if kind:
                obj = cls if not inspect.isclass(cls) else _construct(cls, kind, module, data,
                                                                      seed)
                return _RECOGNIZERS[kind](obj, module, data)
        if name is None and funcs.looks_like(module):  # init_params, forward_prop, ...
            _seed(seed)
            return funcs.recognize(module, data, lambda f: _script_call(module, f),
                                   lambda name, n_in, n_out: _script_sizes(module, name, n_in,
                                                                           n_out),
                                   statements=_scripts(module, False)[0])
        if name is None and globalvars.looks_like(module):  # W1 = np.random.randn(...), ...
            _seed(seed)
            return globalvars.recognize(module, data, lambda f: _script_call(module, f),
                                        _scripts(module)[1])
        own = _scripts(module, False)[0]  # the file's own script part, not its neighbours'
        if name is None and layered.module_looks_like(module, own):
            _seed(seed)  # network = [Dense(784, 40), Sigmoid(), ...]; predict(network, x)
            return layered.module_recognize(module, data, lambda f: _script_call(module, f),
                                            own)
        if name is None and layered.script_looks_like(module, own):
            _seed(seed)  # dense1 = Layer_Dense(784, 128), ...; a loop of dense1.forward(...)
            return layered.script_recognize(module, data, own)
        if name is None and script.looks_like(module):  # no functions: a training loop
            _seed(seed)
            return script.recognize(module, data)
        names = ", ".join(getattr(c, "__name__", type(c).__name__) for c in candidates)
        raise LookupError(
            f"check: no shape the checker knows in {Path(module.__file__).name} (looked at "
            f"{names or 'no classes'}): it knows Nielsen's Network (feedforward, backprop, "
            "update_mini_batch), DLFS's TwoLayerNet (params, predict, gradient), a class "
            "with self.W1, self.b1, ... and a forward pass and backward or step, a class "
            "that steps its weights in place by its own self.lr (query, train(inputs, "
            "targets)), a class with lists self.W and self.B and an update(mini_batch, eta), "
            "a class that runs a list of layer objects (Network([Dense(784, 64), Sigmoid(), "
            "...]) with forward and step or train_step), "
            "functions init_params, forward_prop, backward_prop, update_params (or a training "
            "function whose loop steps the parameters itself), W1, b1, ... (or layer objects) "
            "at module level with functions forward and backprop or train_step, a list of "
            "layer objects your script makes with predict(network, x) and train(network, ...), "
            "a script whose loop runs layer objects (dense1.forward(X), dense1.backward(...), "
            "optimizer.update_params(dense1)), or a script whose top-level loop updates W1, "
            "b1, ... itself. "
            "Describe your program in about 15 lines with check.Adapter "
            "(docs/verify.md) and pass it: --adapter my_adapter.py, or check_program(..., "
            "adapter=...)")
    cls = target if inspect.isclass(target) else type(target)
    kind = _kind(cls)
    if not kind:
        raise LookupError(
            f"check: {cls.__name__} is not a shape the checker knows (Nielsen's Network with "
            "feedforward/backprop, or DLFS's TwoLayerNet with params/predict/gradient); "
            "describe it in about 15 lines with check.Adapter (docs/verify.md)")
    module = sys.modules.get(cls.__module__) or inspect.getmodule(cls)
    obj = _construct(cls, kind, module, data, seed) if inspect.isclass(target) else target
    return _RECOGNIZERS[kind](obj, module, data)


# ----- finding the class and building it as the learner's script does ----------------------------

def _candidates(module, name):
    if name:
        obj = module
        for part in name.split("."):
            obj = getattr(obj, part)
        return [obj]
    files = set(getattr(module, "__learner_files__", [module.__file__]))
    found = [v for v in vars(module).values() if inspect.isclass(v) and _class_file(v) in files]
    if not any(_kind(c) for c in found):  # a training script: `import network2` beside it
        for sibling in getattr(module, "__learner_modules__", []):
            found += [v for v in vars(sibling).values()
                      if inspect.isclass(v) and _class_file(v) in files and v not in found]
    return found


def _class_file(cls):
    """The file a class was written in, from its methods' code (inspect needs sys.modules)."""
    for value in vars(cls).values():
        code = getattr(getattr(value, "__func__", value), "__code__", None)
        if code is not None:
            return code.co_filename
    return None


# Nielsen's method names, and what learners who rewrite network.py call them instead
NIELSEN_NAMES = {
    "feedforward": ("feedforward", "feed_forward", "feedForward", "forward", "forward_pass",
                    "forward_prop", "forwardprop"),
    "backprop": ("backprop", "back_prop", "backProp", "backpropagate", "backpropagation",
                 "back_propagate", "backward", "backward_pass"),
    "update_mini_batch": ("update_mini_batch", "update_minibatch", "update_batch",
                          "train_mini_batch", "train_batch"),
}


def _nielsen_names(cls):
    """{Nielsen's name: the class's own} for feedforward, backprop and update_mini_batch, where
    the class has one of the names learners give them (feed_forward, back_prop, update_batch)."""
    has = {n for n in dir(cls) if not n.startswith("__")}
    return {role: next(n for n in names if n in has)
            for role, names in NIELSEN_NAMES.items() if has & set(names)}


# network.py's two lists, under the names learners give them (weights first)
NIELSEN_LISTS = (("weights", "biases"), ("W", "b"), ("w", "b"), ("Ws", "bs"), ("W", "B"),
                 ("weights", "bias"), ("Weights", "Biases"))


def _nielsen_lists(net):
    """(weights, biases): the names of net's two lists of arrays, one of each per layer, as
    network.py's self.weights and self.biases (a 3Blue1Brown-style class calls them self.W and
    self.b); None when it has no such pair."""
    for w, b in NIELSEN_LISTS:
        ws, bs = getattr(net, w, None), getattr(net, b, None)
        if isinstance(ws, (list, tuple)) and isinstance(bs, (list, tuple)) and ws \
                and len(ws) == len(bs) and all(np.ndim(x) == 2 for x in ws):
            return w, b
    return None


def _like_network_py(cls, backprop):
    """Whether cls keeps network.py's shape under other names: __init__ assigns two lists
    (self.weights and self.biases, or one of NIELSEN_LISTS' pairs), and the backprop method
    returns a pair (nabla_b, nabla_w)."""
    try:
        init = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))
        back = ast.parse(textwrap.dedent(inspect.getsource(getattr(cls, backprop))))
    except (OSError, TypeError, SyntaxError):
        return False
    set_ = {t.attr for n in ast.walk(init) if isinstance(n, ast.Assign) for t in n.targets
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
            and t.value.id == "self"}
    pair = any(isinstance(n, ast.Return) and isinstance(n.value, ast.Tuple)
               and len(n.value.elts) == 2 for n in ast.walk(back))
    return pair and any({w, b} <= set_ for w, b in NIELSEN_LISTS)


def _kind(cls):
    has = {n for n in dir(cls) if not n.startswith("__")}
    if {"feedforward", "backprop"} <= has and _per_example(cls, "backprop"):
        if attrs.looks_like(cls) and not _like_network_py(cls, "backprop"):
            return "attrs"  # network.py's names, its parameters in self.W1, self.b1, ...
        return "nielsen"
    # network.py rewritten with other names (feed_forward, back_prop): its lists tell
    names = _nielsen_names(cls)
    if {"feedforward", "backprop"} <= set(names) and _like_network_py(cls, names["backprop"]) \
            and _per_example(cls, names["backprop"]):
        return "nielsen"
    if {"gradient", "numerical_gradient", "loss", *_DLFS_GRADIENT} & has and \
            _dlfs_forward(cls) and _keeps_params(cls):
        return "dlfs"
    if attrs.looks_like(cls):  # self.W1, self.b1, ... with methods of its own names
        return "attrs"
    if lists.looks_like(cls, NIELSEN_LISTS):  # self.W[i], self.B[i], an update(mini_batch, eta)
        return "lists"
    if inplace.looks_like(cls):  # train(inputs, targets) stepping self.wih by self.lr
        return "inplace"
    if layered.looks_like(cls):  # Network([Dense(784, 64), Sigmoid(), ...]): layer objects
        return "layered"
    return None


def _per_example(cls, backprop):
    """Whether backprop takes an example and its target, (x, y), as network.py's does; a
    backprop(y) that reads what the forward pass kept (self.layer, self.zs) is another shape
    (check.lists: its update(mini_batch, eta) runs both)."""
    func = getattr(cls, backprop, None)
    try:
        params = list(inspect.signature(func).parameters.values())[1:]
    except (TypeError, ValueError):
        return True
    return len([p for p in params if p.default is p.empty and p.kind in (
        p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) != 1


# The book's predict(x), and what learners call it instead
_DLFS_FORWARD = ("predict", "forward", "feedforward", "forward_pass")


def _dlfs_forward(cls):
    """The name of a params-dict class's forward pass: the book's predict, else forward..."""
    return next((n for n in _DLFS_FORWARD if callable(getattr(cls, n, None))), None)


def _keeps_params(cls):
    """Whether cls's __init__ sets self.params (the book's dict), or cannot be read."""
    try:
        init = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))
    except (OSError, TypeError, SyntaxError):
        return True
    return any(isinstance(n, ast.Attribute) and n.attr == "params" and isinstance(n.value, ast.Name)
               and n.value.id == "self" for n in ast.walk(init))


def _unreadable():
    """What reading a script or a literal may raise: the value is then just not known."""
    return contextlib.suppress(TypeError, OSError, ValueError, SyntaxError)


def _scripts(module, beside=True):
    """Skipped statements of the module and of the scripts beside it (beside=False: of the
    module alone), and their constants."""
    statements, constants = list(getattr(module, "__skipped__", [])), {}
    if module is None:
        return statements, constants
    statements += _entry_bodies(module, statements)
    file = Path(getattr(module, "__file__", "") or "")
    if file.is_file() and beside:
        for sibling in sorted(file.parent.glob("*.py")):
            if sibling.resolve() == file.resolve() or sibling.stat().st_size > 200_000:
                continue
            with _unreadable():
                found, values = read_script(sibling)
                if any(_mentions(s.node, _class_names(module)) for s in found):
                    statements += found
                    constants.update(values)
    own = {}  # the file's own values win over those of the scripts beside it
    for s in getattr(module, "__skipped__", []):
        if isinstance(s.node, ast.Assign) and isinstance(s.node.targets[0], ast.Name):
            with _unreadable():
                own[s.node.targets[0].id] = ast.literal_eval(s.node.value)
    for key, value in vars(module).items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            own.setdefault(key, value)
    return statements, {**constants, **own}


def _entry_bodies(module, statements):
    """The statements of the file's own functions that the script part calls with no arguments
    (`if __name__ == "__main__": main()`), as skipped statements of the script part: main()'s
    `parameters = nn_model(train_x, train_Y, n_h=32)` is the script's call."""
    called = {n.func.id for s in statements for n in ast.walk(s.node) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Name) and not n.args and not n.keywords}
    found = []
    try:
        file = module.__file__
        text = Path(file).read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(text)
    except (OSError, SyntaxError, TypeError, AttributeError):
        return found
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in called and not (
                node.args.args or node.args.posonlyargs):
            found += [Skipped(file, stmt.lineno, ast.get_source_segment(text, stmt) or
                              ast.unparse(stmt), stmt) for stmt in node.body]
    return found


def _class_names(module):
    return {n for n, v in vars(module).items() if inspect.isclass(v)}


def _mentions(node, names):
    return any(isinstance(n, ast.Name) and n.id in names or
               isinstance(n, ast.Attribute) and n.attr in names for n in ast.walk(node))


def _calls(statements, name):
    """(statement, call) for every call of something named name (or x.name) in statements."""
    for s in statements:
        for node in ast.walk(s.node):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    yield s, node


class _Unknown(Exception):
    pass


def _value(node, namespace, constants):
    """The value of an argument expression the script passes, without calling anything."""
    with _unreadable():
        return ast.literal_eval(node)
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    if any(isinstance(n, ast.Call) for n in ast.walk(node)):
        raise _Unknown
    try:
        return eval(compile(ast.Expression(node), "<args>", "eval"), dict(namespace))
    except Exception:
        if isinstance(node, ast.Attribute) and node.attr in namespace:
            return namespace[node.attr]  # network2.CrossEntropyCost seen from network2 itself
        raise _Unknown from None


def _bound(func, call, namespace, constants, skip_self=True):
    """{parameter name: value} for the arguments of call that can be read without running."""
    try:
        params = list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return {}
    if skip_self and params and params[0] == "self":
        params = params[1:]
    values = {}
    for p, arg in zip(params, call.args):
        try:
            values[p] = _value(arg, namespace, constants)
        except _Unknown:
            pass
    for kw in call.keywords:
        if kw.arg:
            try:
                values[kw.arg] = _value(kw.value, namespace, constants)
            except _Unknown:
                pass
    return values


def _script_call(module, name):
    """({argument: value} of the script's first call of the module's function name, the
    statement), or (None, None) when the script does not call it."""
    statements, constants = _scripts(module)
    for s, call in _calls(statements, name):
        return _bound(getattr(module, name), call, vars(module), constants, skip_self=False), s
    return None, None


def _script_sizes(module, name, n_in, n_out):
    """The layer sizes a script assigns to name as a list (`layers_dims = [train_X.shape[0],
    100, 10]`), an entry the checker cannot read taken as the input size when first and the
    output size when last; None when there is no such list, or a middle entry is unreadable."""
    statements, constants = _scripts(module)
    for s in statements:
        node = s.node
        for n in [node, *ast.walk(node)] if not isinstance(node, ast.Assign) else [node]:
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name
                                                 for t in n.targets) and \
                    isinstance(n.value, (ast.List, ast.Tuple)):
                sizes = []
                for k, e in enumerate(n.value.elts):
                    try:
                        sizes.append(int(_value(e, vars(module), constants)))
                    except (_Unknown, TypeError, ValueError):
                        if k not in (0, len(n.value.elts) - 1):
                            return None
                        sizes.append(n_in if k == 0 else n_out)
                return sizes
    return None


def _seed(seed):
    np.random.seed(seed)
    random.seed(seed)


def _construct(cls, kind, module, data, seed):
    statements, constants = _scripts(module)
    namespace = vars(module)
    n_in, n_out = data.train.X.shape[1], data.train.Y.shape[1]
    args = None
    for _, call in _calls(statements, cls.__name__):
        args = _bound(cls.__init__, call, namespace, constants)
        break
    _seed(seed)
    if kind == "layered":  # Network([Dense(784, 64), Sigmoid(), ...], MSE()), as the script
        built = next((made for _, call in _calls(statements, cls.__name__)
                      if (made := layered.construct(cls, call, namespace)) is not None), None)
        if built is not None:  # Model() filled by model.add(...) calls: those run too
            return layered.assembled(built, statements, namespace, n_in)
    if kind in ("nielsen", "lists"):  # as the script builds it; else Network([784, 30, 10])
        if args is not None:
            return cls(**args)
        required = [p for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                    if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        return cls([n_in, NIELSEN_HIDDEN, n_out]) if required else cls()
    if args is None or not args:
        wanted = inspect.signature(cls.__init__).parameters
        args = {"input_size": n_in, "hidden_size": DLFS_HIDDEN, "output_size": n_out,
                "hidden_size_list": [DLFS_HIDDEN]}  # ch.6's MultiLayerNet takes a list
        args = {k: v for k, v in args.items() if k in wanted}
        for name, p in list(wanted.items())[1:]:  # other names, by what they say: n_x, n_out
            if name not in args and p.default is p.empty and p.kind in (
                    p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                size = _SIZE_NAMES.get(next((k for k in _SIZE_NAMES if re.search(k, name)),
                                            None))
                if size is not None:
                    args[name] = {"in": n_in, "out": n_out, "hidden": DLFS_HIDDEN}[size]
    return cls(**args)


# A size argument's name, and which size it is
_SIZE_NAMES = {r"(?i)hid|^n_?h": "hidden", r"(?i)in|^n_?x$": "in",
               r"(?i)out|^n_?y$|class": "out"}


def _where(cls, method, title=None):
    func = getattr(cls, method, None)
    if func is None:
        return None
    try:
        file, line = inspect.getsourcefile(func), inspect.getsourcelines(func)[1]
    except (TypeError, OSError):
        return None
    return Where(title or f"{cls.__name__}.{method}", file, line)


def _files(module, cls):
    files = getattr(module, "__learner_files__", [getattr(module, "__file__", "")])
    return [f for f in {*files, _class_file(cls)} if f]


def _hyper(module, method_owner, method, names_lr, names_batch):
    """(lr, batch size, where found) from the learner's own call of method in their script."""
    statements, constants = _scripts(module)
    func = getattr(method_owner, method, None)
    for s, call in _calls(statements, method):
        if func is None:
            break
        values = _bound(func, call, vars(module) if module else {}, constants)
        lr = next((values[n] for n in names_lr if n in values), None)
        batch = next((values[n] for n in names_batch if n in values), None)
        return lr, batch, s
    lr = next((constants[n] for n in names_lr if n in constants), None)
    batch = next((constants[n] for n in names_batch if n in constants), None)
    return lr, batch, None


# ----- Nielsen's Network --------------------------------------------------------------------------

def _attributes(obj):
    """'it has self.params, self.sizes': what an object keeps, for a message."""
    names = [f"self.{k}" for k in vars(obj) if not k.startswith("_")][:6]
    return f"it has {', '.join(names)}" if names else "it keeps no attributes"


def _nielsen(net, module, data):
    cls = type(net)
    names = _nielsen_names(cls)
    forward_name, backprop_name = names["feedforward"], names["backprop"]
    update_name = names.get("update_mini_batch", "update_mini_batch")
    learner = Learner(name=f"{cls.__name__} in {Path(_class_file(cls) or '?').name}",
                      params=[], layout="columns", files=_files(module, cls), owner=net)
    lists = _nielsen_lists(net)
    kept = [a for a in ("weights", "biases") if getattr(net, a, None) is None]
    if lists is None:  # Nielsen's methods, its parameters kept another way (a dict, layers)
        kept = kept or ["weights", "biases"]
        raise LookupError(
            f"check: {cls.__name__} has Nielsen's methods but no self.{' or self.'.join(kept)} "
            f"list ({_attributes(net)}): the checker reads Nielsen's Network from those lists. "
            "Describe your program in about 15 lines with check.Adapter (docs/verify.md) and "
            "pass it: --adapter my_adapter.py, or check_program(..., adapter=...)")
    w_list, b_list = lists
    if _batched(cls, update_name):  # update_mini_batch(x_batch, y_batch, eta): matrix-based
        return _nielsen_batched(net, module, data, names, lists)
    n_layers = len(getattr(net, w_list))
    for i in range(n_layers):
        learner.params.append(_list_param(net, w_list, i, "W"))
        learner.params.append(_list_param(net, b_list, i, "b"))
    learner.params.sort(key=lambda p: (p.layer, p.role != "W"))
    column = np.asarray(getattr(net, b_list)[0]).ndim == 2
    learner.one_at_a_time = "column" if column else "vector"  # feedforward(x), x by x

    def arrange(v):
        return np.asarray(v, dtype=np.float64).reshape(-1, 1) if column else np.asarray(v)

    n_out = np.asarray(getattr(net, w_list)[-1]).shape[0]

    def forward(X):
        outs = [getattr(net, forward_name)(arrange(x)) for x in X]
        if any(o is None for o in outs):
            return None
        if all(np.size(o) == n_out for o in outs):
            return np.stack([np.asarray(o, dtype=np.float64).reshape(-1) for o in outs])
        return outs[0]
    learner.forward = forward

    weights_first = _weights_first(cls, update_name, backprop_name)

    def grads(X, Y):
        total = None
        for x, y in zip(X, Y):
            got = getattr(net, backprop_name)(arrange(x), arrange(y))
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise TypeError(f"{cls.__name__}.{backprop_name}(x, y) returned "
                                f"{type(got).__name__}; Nielsen's backprop returns the pair "
                                "(nabla_b, nabla_w)")
            nabla_b, nabla_w = got
            if weights_first:  # (nabla_w, nabla_b), as the learner's update unpacks it
                nabla_b, nabla_w = nabla_w, nabla_b
            each = {}
            for i in range(n_layers):
                each[f"self.{w_list}[{i}]"] = np.asarray(nabla_w[i], dtype=np.float64)
                each[f"self.{b_list}[{i}]"] = np.asarray(nabla_b[i], dtype=np.float64)
            total = each if total is None else {k: total[k] + each[k] for k in total}
        return total
    learner.grads, learner.grads_reduction = grads, "sum"

    sgd = _epoch_method(cls, update_name)
    lr, batch, call = _hyper(module, cls, sgd or "SGD", _LR_NAMES, _BATCH_NAMES)
    learner.lr, learner.batch_size = lr, batch
    if call is not None:
        learner.notes.append(f"η = {lr} and mini-batch size {batch} from your {call}")
    else:
        learner.notes.append(f"no {sgd or 'SGD'}(...) call found in your script: η and the "
                             "mini-batch size are not known (pass them through an Adapter)")
    if sgd not in (None, "SGD"):
        learner.notes.append(f"{cls.__name__}.{sgd} is your SGD: it calls {update_name} in a "
                             "loop")

    update = getattr(net, update_name, None)
    if update is not None:
        extra = _extra_args(update, 2)
        if extra is None:
            learner.notes.append(f"{cls.__name__}.{update_name} takes arguments the checker "
                                 "cannot fill in: the update check is skipped")
        else:
            lam = _l2(module, cls, sgd, extra)
            if lam:  # the learner's λ, and an n that is not the batch's m: λ/m shows
                extra = {k: (lam if k in _LAMBDA_NAMES else L2_N if v == "n" else v)
                         for k, v in extra.items()}
                learner.l2 = (lam, L2_N)

            def step(X, Y, lr):
                pairs = [(arrange(x), arrange(y)) for x, y in zip(X, Y)]
                getattr(net, update_name)(pairs, lr, **{k: (len(X) if v == "n" else v)
                                                    for k, v in extra.items()})
            learner.step = step
            if lam:
                learner.notes.append(f"{update_name} is called with your λ = {lam:g} and n = "
                                     f"{L2_N:,} training examples, so one step is "
                                     "(1 − ηλ/n)·w − η·∇C for the weights")
            elif any(v == 0.0 for v in extra.values()):
                learner.notes.append("update_mini_batch is called with λ = 0 (no weight decay), "
                                     "so one step is η·∇C")
    # network.py's evaluate(test_data), or network2.py's accuracy(data, convert=False): both
    # count the correct (x, label) pairs
    judge = next((n for n in ("evaluate", "accuracy", "score") if hasattr(net, n)), None)
    if judge:
        def evaluate(X, labels):
            return getattr(net, judge)([(arrange(x), int(t)) for x, t in zip(X, labels)])
        learner.evaluate, learner.evaluate_units = evaluate, "count"
    run_epochs = _epoch_call(net, sgd)
    if sgd is not None and run_epochs is None:
        learner.notes.append(f"{cls.__name__}.{sgd} takes arguments the checker cannot fill in "
                             "(it knows the training data, epochs, mini-batch size and η): the "
                             "mini-batch check is skipped")
    if run_epochs is not None and update is not None:
        learner.batches = _nielsen_batches(net, learner, column, run_epochs, update_name,
                                           w_list)
        learner.repeats = lambda n: learner.batches(n, epochs=2)
    if judge is None:
        learner.notes.append(f"{cls.__name__} has no evaluate, accuracy or score: the "
                             "evaluation check is skipped; an Adapter can name yours")
    learner.cost = _nielsen_cost(net)
    learner.where = {role: w for role, w in {
        "forward": _where(cls, forward_name), "backprop": _where(cls, backprop_name),
        "update": _where(cls, update_name), "epoch": _where(cls, sgd or "SGD"),
        "evaluate": _where(cls, judge or "evaluate")}.items() if w is not None}
    for role, found in (("update_mini_batch", update), ("SGD", sgd)):
        if found is None:
            learner.notes.append(f"{cls.__name__} has no {role}: the checks that need it are "
                                 "skipped; an Adapter can name yours")
    renamed = [f"{names[r]} for {r}" for r in ("feedforward", "backprop", "update_mini_batch")
               if names.get(r, r) != r]
    if lists != ("weights", "biases"):
        renamed.append(f"self.{w_list} and self.{b_list} for self.weights and self.biases")
    learner.notes.append(f"recognized Nielsen's Network: {n_layers} weight layers, "
                         f"biases as {'columns (n, 1)' if column else '1-D arrays'}" +
                         (f" ({', '.join(renamed)})" if renamed else ""))
    return learner


def _batched(cls, update):
    """Whether cls's update takes a mini-batch as two arrays and η (`update_mini_batch(x_batch,
    y_batch, eta)`), as the book's exercise of a fully matrix-based backprop does, where
    network.py's takes a list of (x, y) pairs and η."""
    func = getattr(cls, update, None)
    if not inspect.isfunction(func):
        return False
    params = [p.name for p in list(inspect.signature(func).parameters.values())[1:]
              if p.default is p.empty]
    return len(params) == 3 and params[2] in _LR_NAMES


def _nielsen_batched(net, module, data, names, lists):
    """A Learner for network.py rewritten to take a whole mini-batch at once: feedforward(X),
    backprop(X, Y) returning (nabla_b, nabla_w) summed over the batch, update_mini_batch(X, Y,
    η), SGD((X, Y), epochs, mini_batch_size, η) and evaluate((X, labels)), with the examples as
    rows (weights (n_in, n_out)) or as columns, through an Adapter."""
    cls = type(net)
    w_list, b_list = lists
    n_layers, n_in = len(getattr(net, w_list)), data.train.X.shape[1]
    layout = "rows" if np.shape(getattr(net, w_list)[0])[0] == n_in else "columns"
    params = [f"self.{a}[{i}]" for i in range(n_layers) for a in (w_list, b_list)]
    weights_first = _weights_first(cls, names["update_mini_batch"], names["backprop"])

    def grads(x, y):
        got = getattr(net, names["backprop"])(x, y)
        first, second = got
        nabla_w, nabla_b = (first, second) if weights_first else (second, first)
        return {**{f"self.{w_list}[{i}]": g for i, g in enumerate(nabla_w)},
                **{f"self.{b_list}[{i}]": g for i, g in enumerate(nabla_b)}}
    grads.__wrapped__ = getattr(cls, names["backprop"])
    sgd = _epoch_method(cls, names["update_mini_batch"])
    lr, batch, call = _hyper(module, cls, sgd or "SGD", _LR_NAMES, _BATCH_NAMES)
    run_epochs = _epoch_call(net, sgd)
    hooks = {"forward": f"self.{names['feedforward']}", "grads": grads,
             "update": f"self.{names['update_mini_batch']}"}
    if run_epochs is not None:
        def epoch(x, y):
            return run_epochs((x, y), 1, batch or 10, lr or 0.1)
        epoch.__wrapped__ = getattr(cls, sgd)
        hooks["epoch"] = epoch
    judge = next((n for n in ("evaluate", "accuracy", "score") if hasattr(net, n)), None)
    if judge:
        def evaluate(x, labels):
            return getattr(net, judge)((x, labels))
        evaluate.__wrapped__ = getattr(cls, judge)
        hooks["evaluate"] = evaluate
    learner = Adapter(net, params=params, layout=layout, lr=lr, batch_size=batch,
                      reduction="sum", epoch_calls=f"self.{names['update_mini_batch']}"
                      if "epoch" in hooks else None,
                      name=f"{cls.__name__} in {Path(_class_file(cls) or '?').name}",
                      **hooks).learner()
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")]
    learner.notes.append(f"recognized Nielsen's Network taking a whole mini-batch at once "
                         f"({layout}): {names['backprop']}(x, y) sums its gradients over the "
                         f"batch, {names['update_mini_batch']}(x_batch, y_batch, eta) steps")
    if call is not None:
        learner.notes.append(f"η = {lr} and mini-batch size {batch} from your {call}")
    learner.cost = _nielsen_cost(net)
    learner.owner = net
    return learner


def _list_param(net, attr, i, role):
    def get():
        return getattr(net, attr)[i]

    def put(a):
        getattr(net, attr)[i] = a
    return Param(f"self.{attr}[{i}]", get, put, layer=i + 1, role=role)


L2_N = 1000  # the n (training examples) a step with weight decay is given: not a batch size


def _l2(module, cls, sgd, extra):
    """The learner's λ from their own training call (net.SGD(..., lmbda=5.0)), when their
    update takes one (network2's) and it is a positive number; else None."""
    if not any(k in _LAMBDA_NAMES for k in extra):
        return None
    lam, _, _ = _hyper(module, cls, sgd or "SGD", _LAMBDA_NAMES, ())
    return float(lam) if isinstance(lam, (int, float)) and not isinstance(lam, bool) \
        and lam > 0 else None


def _extra_args(method, n_known):
    """{name: value} for update_mini_batch's arguments after (mini_batch, eta); None: unknown."""
    params = list(inspect.signature(method).parameters.values())[n_known:]
    extra = {}
    for p in params:
        if p.name in _LAMBDA_NAMES:
            extra[p.name] = 0.0
        elif p.name == "n":
            extra[p.name] = "n"
        elif p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL,
                                                                     p.VAR_KEYWORD):
            return None
    return extra


_LR_NAMES = ("eta", "lr", "learning_rate", "alpha")
_BATCH_NAMES = ("mini_batch_size", "batch_size", "mb_size")


def _epoch_method(cls, update="update_mini_batch"):
    """The name of the class's epoch loop: SGD, else the one method (train, fit, ...) whose loop
    calls self.update (update_mini_batch); None when there is no such method, or more than one."""
    if hasattr(cls, "SGD"):
        return "SGD"
    found = []
    for name, func in vars(cls).items():
        if name == update or not inspect.isfunction(func):
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
        except (OSError, TypeError, SyntaxError):
            continue
        loops = (n for n in ast.walk(tree) if isinstance(n, (ast.For, ast.While)))
        # its own name, or a misspelling of it that the class lacks (self.update_minibatch):
        # run, the loop then fails at that line, as it does for the learner
        if any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
               and isinstance(c.func.value, ast.Name) and c.func.value.id == "self"
               and (c.func.attr == update or not hasattr(cls, c.func.attr) and difflib.
                    SequenceMatcher(None, c.func.attr, update).ratio() >= 0.85)
               for loop in loops for c in ast.walk(loop)):
            found.append(name)
    return found[0] if len(found) == 1 else None


def _epoch_call(net, name):
    """run(examples, epochs, batch_size, lr) calling net's epoch method, or None when it takes an
    argument the checker cannot fill in. Nielsen's SGD is called as the book orders its
    arguments; another name is called by its arguments' names (epochs, mini_batch_size, eta)."""
    method = getattr(net, name, None) if name else None
    if method is None:
        return None
    if name == "SGD":
        return lambda examples, epochs, batch, lr: method(examples, epochs, batch, lr)
    params = [p for p in inspect.signature(method).parameters.values()
              if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if not params:
        return None
    roles = {}
    for p in params[1:]:
        role = ("epochs" if "epoch" in p.name.lower() else "batch" if p.name in _BATCH_NAMES
                or "batch" in p.name.lower() else "lr" if p.name in _LR_NAMES
                or "rate" in p.name.lower() else "lambda" if p.name in _LAMBDA_NAMES else None)
        if role is not None:
            roles[p.name] = role
        elif p.default is inspect.Parameter.empty:
            return None
    if not {"epochs", "batch", "lr"} <= set(roles.values()):
        return None

    def run(examples, epochs, batch, lr):
        values = {"epochs": epochs, "batch": batch, "lr": lr, "lambda": 0.0}
        return method(examples, **{k: values[r] for k, r in roles.items()})
    return run


def _weights_first(cls, update, backprop):
    """Whether the class's own update reads its backprop's pair as (nabla_w, nabla_b): it
    unpacks it so (`gW, gb = self.backprop(x, y)`), where network.py's order is (nabla_b,
    nabla_w). A backprop that returns the other order than its caller unpacks stays wrong."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(getattr(cls, update))))
    except (AttributeError, OSError, TypeError, SyntaxError):
        return False
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call) and \
                isinstance(n.value.func, ast.Attribute) and n.value.func.attr == backprop and \
                isinstance(n.targets[0], ast.Tuple) and len(n.targets[0].elts) == 2 and \
                all(isinstance(e, ast.Name) for e in n.targets[0].elts):
            first, second = (e.id.lower() for e in n.targets[0].elts)
            return "w" in first and "w" not in second and "b" in second
    return False


def _nielsen_batches(net, learner, column, run_epochs, update="update_mini_batch",
                     w_list="weights"):
    def batches(n, epochs=1):
        # Each example's pixels all hold its own index, stored once: 60,000 of them cost 60,000
        # floats, and the index survives the learner's copying, shuffling and zipping.
        n_in = np.asarray(getattr(net, w_list)[0]).shape[1]
        shape = (n, n_in, 1) if column else (n, n_in)
        every = np.lib.stride_tricks.as_strided(np.arange(n, dtype=np.float64), shape,
                                                (8,) + (0,) * (len(shape) - 1), writeable=False)
        y = np.zeros((np.asarray(getattr(net, w_list)[-1]).shape[0],) + ((1,) if column else ()))
        examples = [(x, y) for x in every]  # every[i] is a (784, 1) view full of i
        seen = []

        def record(mini_batch, *args, **kwargs):
            seen.append([int(np.asarray(x).flat[0]) for x, _ in mini_batch])
        setattr(net, update, record)
        try:
            run_epochs(examples, epochs, learner.batch_size or 10, learner.lr or 1.0)
        finally:
            delattr(net, update)
        return seen
    return batches


def _nielsen_cost(net):
    cost = getattr(net, "cost", None)
    name = getattr(cost, "__name__", type(cost).__name__ if cost is not None else "")
    if "CrossEntropy" in name:
        return "sigmoid_cross_entropy"
    if "Quadratic" in name or hasattr(net, "cost_derivative"):
        return "quadratic"
    return None


# ----- Deep Learning from Scratch's TwoLayerNet ---------------------------------------------------

def _dlfs_reduction(net, data):
    """How the network's loss(x, t) reduces over a batch: "sum" when the loss of four examples
    is the sum of the losses of its halves (a cross_entropy_error without / batch_size, its
    gradients to match), else "mean", the book's."""
    if not callable(getattr(net, "loss", None)):
        return "mean"
    X, T = data.train.X[:4], data.train.Y[:4]
    state = np.random.get_state()  # a dropout's draws in loss() are not the checks' to take
    try:
        # on a copy: loss() leaves its batch in the layers (SoftmaxWithLoss.t), which a
        # gradient() that forgets its own forward pass would then read
        probe = copy.deepcopy(net)
        with np.errstate(all="ignore"):
            whole, *halves = (float(probe.loss(X[k], T[k]))
                              for k in (slice(0, 4), slice(0, 2), slice(2, 4)))
    except Exception:  # the checks report what the learner's code raises
        return "mean"
    finally:
        np.random.set_state(state)
    summed, mean = sum(halves), sum(halves) / 2
    if np.isclose(whole, summed, rtol=1e-9) and not np.isclose(whole, mean, rtol=1e-9):
        return "sum"
    return "mean"


def _dlfs(net, module, data):
    cls = type(net)
    learner = Learner(name=f"{cls.__name__} in {Path(_class_file(cls) or '?').name}",
                      params=[], layout="rows", files=_files(module, cls), owner=net)
    keys = [k for k in net.params if re.fullmatch(r"[Wb]\d+", k)]
    others = [k for k in net.params if k not in keys]
    if others:
        learner.notes.append(f"params {', '.join(others)} are not weights W<n> or biases b<n>: "
                             "not checked")
    for k in sorted(keys, key=lambda k: (int(k[1:]), k[0] != "W")):
        learner.params.append(_dict_param(net, k))

    predict = _dlfs_forward(cls)
    if predict != "predict":
        learner.notes.append(f"{cls.__name__}.{predict} is your predict(x)")

    def forward(X):
        return getattr(net, predict)(np.asarray(X))
    learner.forward = forward
    named = next((m for m in _DLFS_GRADIENT if callable(getattr(net, m, None))), None)
    if named is not None:
        method = named
        if named != "gradient":
            learner.notes.append(f"{cls.__name__}.{named} is your gradient(x, t)")
    elif hasattr(net, "numerical_gradient") and sum(
            np.size(net.params[k]) for k in keys) <= NUMERICAL_LIMIT:
        method = "numerical_gradient"
        learner.notes.append("only numerical_gradient found: the gradients check compares it")
    else:
        method = None
        learner.notes.append(f"{cls.__name__} has no gradient(x, t) (numerical_gradient alone "
                             "is too slow at this size): the gradients check is skipped")
    if method:
        def grads(X, Y):
            got = getattr(net, method)(np.asarray(X), np.asarray(Y))
            return {f"self.params['{k}']": np.asarray(v, dtype=np.float64)
                    for k, v in dict(got).items() if k in keys}
        learner.grads, learner.grads_reduction = grads, _dlfs_reduction(net, data)
        learner.cost_reduction = learner.grads_reduction if learner.grads_reduction == "sum" \
            else None
    if hasattr(net, "accuracy"):
        takes = _accuracy_labels(cls)

        def evaluate(X, labels):
            if takes == "labels":  # accuracy(x, labels) compares with integer labels
                return net.accuracy(np.asarray(X), np.asarray(labels))
            one_hot = np.eye(learner.params[-1].get().shape[-1])[np.asarray(labels)]
            return net.accuracy(np.asarray(X), one_hot)  # the book's t: one-hot, or labels
        learner.evaluate, learner.evaluate_units = evaluate, "fraction"
        if takes == "labels":
            learner.notes.append(f"{cls.__name__}.accuracy is given integer labels, as its "
                                 "argument's name says")
    statements, constants = _scripts(module)
    if _training_loop(getattr(module, "__skipped__", [])) is not None:
        # the checked file trains the network itself: its own loop and settings, not those of
        # another script beside it (ch06/ holds a dozen, each with its own optimizer)
        statements, constants = _scripts(module, beside=False)
    learner.lr = next((constants[n] for n in ("learning_rate", "lr", "eta", "alpha")
                       if n in constants), None)
    learner.batch_size = next((constants[n] for n in ("batch_size", "mini_batch_size")
                               if n in constants), None)
    if learner.lr is not None:
        learner.notes.append(f"η = {learner.lr}, batch size {learner.batch_size} from your "
                             "training script")
    step, where = _dlfs_step(net, statements, constants)
    if step is not None and step.literal is not None:  # the loop's own number is its η
        learner.lr = step.literal
        learner.notes.append(f"η = {step.literal} from your training loop (written out in its "
                             "update)")
    if step is None:
        step, where, lr = _dlfs_optimizer_step(net, module, statements)
        if step is not None and lr is not None:
            learner.lr = lr
            learner.notes.append(f"η = {lr} from your optimizer ({where.function})")
    if step is None:
        step, where = _own_update(net, cls)
        if step is not None:
            learner.notes.append(f"{where.function} is your update step (x, t, η)")
    if step is not None:
        learner.step = step
    else:
        learner.notes.append("no `params[key] -= lr * grad[key]` loop or "
                             "`optimizer.update(network.params, grads)` found in a training "
                             "script: the update check is skipped (an Adapter can give one)")
    loop = _training_loop(statements)
    if loop is not None:
        learner.batches = _dlfs_batches(net, learner, loop)
        learner.where["epoch"] = Where("training loop", loop.file, loop.line)
    else:
        learner.notes.append("no training loop calling gradient(...) found in a script beside "
                             "it: the mini-batches check is skipped (an Adapter can give one)")
    learner.cost, learner.activation = _dlfs_cost(net)
    learner.where.update({role: w for role, w in {
        "forward": _where(cls, predict), "backprop": _where(cls, method or "gradient"),
        "evaluate": _where(cls, "accuracy"), "update": where}.items() if w is not None})
    learner.notes.append(f"recognized Deep Learning from Scratch's {cls.__name__}: params "
                         f"{', '.join(sorted(keys))}, rows")
    return learner


# The book's gradient(x, t), and the names learners give it
_DLFS_GRADIENT = ("gradient", "gradients", "grads", "compute_gradients", "get_gradients")


def _gradient_of(net):
    """net's gradient(x, t) method, under whichever of the names learners give it."""
    return next(getattr(net, m) for m in (*_DLFS_GRADIENT, "numerical_gradient")
                if callable(getattr(net, m, None)))


def _own_update(net, cls):
    """(step(X, Y, lr), its Where) for a method of the network's own that takes a batch, its
    one-hot targets and the learning rate (`update(self, X, T, learning_rate)`), else
    (None, None)."""
    for name in ("update", "step", "train_step", "update_params", "sgd_step"):
        method = getattr(cls, name, None)
        try:
            args = list(inspect.signature(method).parameters) if callable(method) else []
        except (TypeError, ValueError):
            continue
        if len(args) == 4 and re.search(r"(?i)^(lr|eta|alpha|learning_rate|rate|step_size)$",
                                        args[3]):
            def step(X, Y, lr, name=name):
                getattr(net, name)(np.asarray(X), np.asarray(Y), lr)
            return step, _where(cls, name)
    return None, None


def _accuracy_labels(cls):
    """"labels" when accuracy's second argument is named for integer labels (labels, y_true,
    digits), else "t": the book's t, one-hot or not (its accuracy takes argmax when t.ndim != 1)."""
    try:
        args = list(inspect.signature(cls.accuracy).parameters)
    except (TypeError, ValueError):
        return "t"
    name = args[2].lower() if len(args) > 2 else ""
    return "labels" if name in ("labels", "label", "y_labels", "y_true", "digits", "targets_int",
                                "classes") else "t"


def _dict_param(net, key):
    def get():
        return net.params[key]

    def put(a):
        # In place: ch.5's Affine layers hold the very arrays of params.
        current = net.params[key]
        if isinstance(current, np.ndarray) and current.shape == np.shape(a):
            current[...] = a
        else:
            net.params[key] = a
    return Param(f"self.params['{key}']", get, put, layer=int(key[1:]), role=key[0])


def _dlfs_step(net, statements, constants):
    """The script's own update loop (`for key in ...: network.params[key] -= lr * grad[key]`,
    whatever its operator: a `+=` is a learner's bug for the update check to find), with the
    plain statements the learner put beside that line in the loop (`grad[key] *= lr`)."""
    for s in statements:
        node = s.node
        if not isinstance(node, ast.For) or not isinstance(node.target, ast.Name):
            continue
        if "params[" not in ast.unparse(node) or not all(
                isinstance(b, (ast.Assign, ast.AugAssign, ast.Expr)) for b in node.body):
            continue
        updates = [b for b in node.body if isinstance(b, ast.AugAssign)
                   and isinstance(b.target, ast.Subscript)
                   and isinstance(b.target.value, ast.Attribute)
                   and b.target.value.attr == "params"]
        if len(updates) != 1:
            continue
        update = updates[0]
        net_name = ast.unparse(update.target.value.value)
        grad_names = {n.value.id for n in ast.walk(update.value)
                      if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name)}
        # the other names the loop reads: the learning rate (whatever its name), but not the
        # loop's own variable, numpy, or what a statement of the loop assigns
        assigned = {n.id for b in node.body for n in ast.walk(b)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        lr_names = {n.id for b in node.body for n in ast.walk(b) if isinstance(n, ast.Name)
                    and isinstance(n.ctx, ast.Load)} - grad_names - assigned - {
            node.target.id, net_name, "np", "numpy"} - set(dir(builtins))
        code = compile(ast.Module([node], type_ignores=[]), s.file, "exec")

        def step(X, Y, lr, code=code, net_name=net_name, grad_names=grad_names,
                 lr_names=lr_names):
            grad = _gradient_of(net)(np.asarray(X), np.asarray(Y))
            namespace = {"np": np, "numpy": np, net_name: net, **{g: grad for g in grad_names},
                         **{n: lr for n in lr_names}}
            exec(code, namespace)
        step.literal = None if lr_names else next(  # `-= 0.5 * grad[key]`: η written out
            (n.value for n in ast.walk(update.value) if isinstance(n, ast.Constant)
             and isinstance(n.value, (int, float)) and not isinstance(n.value, bool)), None)
        return step, Where("training loop", s.file, s.line)
    return None, None


def _dlfs_optimizer_step(net, module, statements):
    """(step, Where, the optimizer's lr) for a training loop that updates through an optimizer
    object, `optimizer.update(network.params, grads)` (Deep Learning from Scratch's chapter 6:
    SGD, Momentum, AdaGrad, Adam), with the optimizer made as the script's own
    `optimizer = Adam(lr=0.001)` makes it, once: it keeps its state (velocity, moments) from
    step to step, as in training. (None, None, None) when there is no such loop."""
    loop = _training_loop(statements)
    calls = [n for n in ast.walk(loop.node) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "update"
             and isinstance(n.func.value, ast.Name) and len(n.args) == 2
             and ast.unparse(n.args[0]).endswith(".params")] if loop is not None else []
    made = {s.node.targets[0].id: s.node for s in statements if isinstance(s.node, ast.Assign)
            and len(s.node.targets) == 1 and isinstance(s.node.targets[0], ast.Name)
            and isinstance(s.node.value, ast.Call)}
    call = next((c for c in calls if c.func.value.id in made), None)
    if call is None or module is None:
        return None, None, None
    try:
        namespace = dict(vars(module))
        exec(compile(ast.Module([made[call.func.value.id]], []), loop.file, "exec"), namespace)
        optimizer = namespace[call.func.value.id]
    except Exception:  # made from something the checker does not run: no update check
        return None, None, None
    update = getattr(optimizer, "update", None)
    if not callable(update):
        return None, None, None

    initial = getattr(optimizer, "lr", None)

    def step(X, Y, lr):
        # another η than the script's is set; the script's own is left as the optimizer keeps
        # it, so that one which decays it at every call (`self.lr *= 0.95`) shows
        if isinstance(getattr(optimizer, "lr", None), (int, float)) and lr != initial:
            optimizer.lr = lr
        update(net.params, _gradient_of(net)(np.asarray(X), np.asarray(Y)))
    lr = initial
    where = _where(type(optimizer), "update") or Where(
        f"{type(optimizer).__name__}.update", loop.file, call.lineno)
    return step, where, lr if isinstance(lr, (int, float)) else None


def _training_loop(statements):
    """The script's outermost `for i in range(...)` loop that calls x.gradient(...), or None."""
    for s in statements:  # file order: the outermost loop comes before what it holds
        node = s.node
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Call) and \
                ast.unparse(node.iter.func) == "range" and any(
                    isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                    and n.func.attr in (*_DLFS_GRADIENT, "numerical_gradient")
                    for n in ast.walk(node)):
            return s
    return None


class _Recorder:
    """Stands in for the network inside the script's loop: gradient() notes which examples the
    batch holds (each instrumented row is full of its own index) and changes nothing."""

    def __init__(self, net, n_out):
        self.params = {k: np.zeros_like(v) for k, v in net.params.items()}
        self.seen, self.n_out = Batches(), n_out

    def gradient(self, x, t):
        self.seen.append([int(v) for v in np.asarray(x).reshape(len(x), -1)[:, 0]])
        self.seen.labels(self.seen[-1], t, self.n_out)
        return {k: np.zeros_like(v) for k, v in self.params.items()}

    numerical_gradient = gradients = grads = compute_gradients = get_gradients = gradient

    def loss(self, x, t):
        return 0.0

    def accuracy(self, x, t):
        return 0.0

    def predict(self, x):
        return np.zeros((len(x), 1))

    forward = feedforward = forward_pass = predict


def _dlfs_batches(net, learner, loop):
    """batches(n): the script's own loop for one epoch (n / batch size steps) on n examples."""
    def batches(n):
        tree = ast.parse(Path(loop.file).read_text(encoding="utf-8", errors="replace"))
        script = load(loop.file)
        n_in, n_out = learner.params[0].get().shape[0], learner.params[-1].get().shape[-1]
        X = np.lib.stride_tricks.as_strided(np.arange(n, dtype=np.float64), (n, n_in), (8, 0),
                                            writeable=False)
        labels = np.arange(n) % n_out
        sample = Sample(X, np.eye(n_out)[labels], labels)
        give_data(script, Data("instrumented", sample, sample))
        namespace = vars(script)
        body = list(_opened(tree.body))  # an `if __name__ == "__main__":` block opened up
        for node in body:  # the script up to its loop: data, the network, the settings
            if node.lineno >= loop.line:
                break
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                try:
                    exec(compile(ast.Module([node], []), loop.file, "exec"), namespace)
                except Exception:  # a loader the checker cannot run: its data, by name
                    _bind_data(node, namespace, sample)
        recorder = _Recorder(net, n_out)
        for name, value in list(namespace.items()):
            if type(value).__name__ == type(net).__name__ and hasattr(value, "params"):
                namespace[name] = recorder  # the script's `network = TwoLayerNet(...)`
        for_node = next(node for node in body if node.lineno == loop.line)
        bound = for_node.iter.args[-1] if for_node.iter.args else None
        epoch = max(n // int(learner.batch_size or 100), 1)
        if any(isinstance(inner, (ast.For, ast.While)) and any(
                isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)
                and c.func.attr in (*_DLFS_GRADIENT, "numerical_gradient")
                for c in ast.walk(inner)) for stmt in for_node.body for inner in ast.walk(stmt)):
            epoch = 1  # `for epoch in range(10):` around a loop over the batches: one pass
        if isinstance(bound, ast.Name):  # iters_num = 10000: one epoch's worth instead
            namespace[bound.id] = epoch
        elif isinstance(bound, ast.Constant) and isinstance(bound.value, int):
            bound.value = epoch  # range(10000) written out: likewise
        exec(compile(ast.Module([for_node], []), loop.file, "exec"), namespace)
        return recorder.seen
    return batches


# The names a loader's results get: x_train, X_test, train_x (inputs); t_train, y_test, train_y,
# labels_train (targets); not train_size
_DATA_X = re.compile(r"(?i)^(x_?(train|test|val)\w*|(train|test|val)_?x)$")
_DATA_Y = re.compile(r"(?i)^((t|y|labels?)_?(train|test|val)\w*|(train|test|val)_?(t|y|labels?))$")


def _bind_data(node, namespace, sample):
    """Bind the names a failed data-loading line assigns (`(x_train, t_train), (x_test, t_test)
    = my_loader.load()`) to the instrumented examples, by their names: x_... the inputs (rows),
    t_... or y_... the one-hot targets; so `train_size = x_train.shape[0]` after it runs."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for t in targets:
        names = [n.id for n in ast.walk(t) if isinstance(n, ast.Name)]
        if isinstance(t, ast.Tuple) and isinstance(node.value, ast.Call) and \
                len(names) in (2, 4) and not any("train" in n.lower() or "test" in n.lower()
                                                 for n in names):
            for k, name in enumerate(names):  # X, T = my_reader.load(): inputs, then targets
                namespace[name] = sample.Y if k % 2 else sample.X
            continue
        for name in names:
            if _DATA_X.match(name):
                namespace[name] = sample.X
            elif _DATA_Y.match(name):
                namespace[name] = sample.Y


def _dlfs_cost(net):
    last = type(getattr(net, "lastLayer", None)).__name__
    layers = " ".join(getattr(net, "layers", {}) or {})
    try:
        text = inspect.getsource(getattr(type(net), _dlfs_forward(type(net)))) + \
            inspect.getsource(type(net).loss)
    except (TypeError, OSError, AttributeError):
        text = ""
    cost = "cross_entropy" if "Softmax" in last or "cross_entropy" in text else None
    activation = None
    for word, name in (("Relu", "relu"), ("relu", "relu"), ("Sigmoid", "sigmoid"),
                       ("sigmoid", "sigmoid"), ("tanh", "tanh")):
        if word in layers or word in text:
            activation = name
            break
    return cost, activation


def _attrs(net, module, data):
    return attrs.recognize(net, module, data, lambda method: _hyper(
        module, type(net), method, _LR_NAMES, _BATCH_NAMES))


def _lists(net, module, data):
    return lists.recognize(net, module, data, _nielsen_lists(net), lambda method: _hyper(
        module, type(net), method, _LR_NAMES, _BATCH_NAMES))


def _layered(net, module, data):
    return layered.recognize(net, module, data, lambda method: _hyper(
        module, type(net), method, _LR_NAMES, _BATCH_NAMES))


_RECOGNIZERS = {"nielsen": _nielsen, "dlfs": _dlfs, "attrs": _attrs,
                "inplace": inplace.recognize, "lists": _lists, "layered": _layered}
