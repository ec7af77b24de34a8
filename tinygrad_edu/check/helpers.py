"""The learner's own helpers, tried on numbers: activation derivatives (sigmoid_prime, dsig,
tanh_derivative, relu_grad, and the Coursera form sigmoid_backward(dA, cache)), a cost class's
output δ (network2's CrossEntropyCost.delta) and a softmax. When the gradients (or the forward
pass) are wrong and the helper they call is itself wrong, the helper's own line is the place to
look, not the line that calls it.

A derivative helper is read by its name (an activation's name and a derivative's mark: prime,
deriv, grad, backward, a d before or after it) and called with one array (or dA and z). Two
conventions are right: f′(z) from z (Nielsen's sigmoid_prime) and f′ from the activation
a = f(z) (a·(1 − a), written for sigmoid's output); only a helper that the learner's files
call, never with more arguments than that, and that is wrong under both is reported, and one
written for a that a line hands a z is named at that line. It imports nothing of the checks but
Where and calls.function_node."""

import ast
import contextlib
import copy
import inspect
import re
from pathlib import Path

import numpy as np

from .calls import called_name, function_node
from .learner import Where

# An activation's names, most specific first (a leaky ReLU's helper is not ReLU's).
ACTIVATIONS = {"leaky_relu": r"leaky_?relu|lrelu|leaky", "relu": r"relu",
               "tanh": r"tanh", "sigmoid": r"sigmoid|sigm|logistic|sig"}
_DERIVATIVE = re.compile(r"prime|deriv|grad|backward")  # or a d before the name, or after it
# (the derivative's symbol, its formula, the activation in words)
FORMULAS = {"sigmoid": ("σ′", "σ′(z) = σ(z)·(1 − σ(z))", "sigmoid"),
            "tanh": ("tanh′", "tanh′(z) = 1 − tanh²(z)", "tanh"),
            "relu": ("relu′", "relu′(z) = 1 where z > 0, else 0", "ReLU"),
            "leaky_relu": ("f′", "f′(z) = 1 where z > 0, else the slope {leak:g}",
                           "leaky ReLU (slope {leak:g} below 0)")}
# Where a helper is tried: both signs, no exact 0 (ReLU's derivative has no value there)
PROBE = np.array([[-2.5, -1.3, -0.6], [-0.2, 0.3, 0.7], [1.1, 1.8, 2.6], [-3.2, 0.05, 3.5]])
SHOWN = sorted(range(PROBE.size), key=lambda k: (abs(abs(PROBE.flat[k]) - 0.65),  # the plainest
                                                 PROBE.flat[k] < 0))  # z first: 0.7, −0.6, ...


def activation_of(name):
    """The activation a helper's name says it differentiates, or None.

    >>> [activation_of(n) for n in ("sigmoid_prime", "dsig", "tanh_derivative", "relu",
    ...                              "leaky_relu_grad", "softmax_grad", "cost_derivative")]
    ['sigmoid', 'sigmoid', 'tanh', None, 'leaky_relu', None, None]
    >>> [activation_of(n) for n in ("dSigmoid", "relu_d", "sigmoidPrime", "design")]
    ['sigmoid', 'relu', 'sigmoid', None]
    """
    low = name.lower()
    if "softmax" in low:
        return None
    for act, pattern in ACTIVATIONS.items():
        found = re.search(pattern, low)
        if found and (_DERIVATIVE.search(low) or low[:found.start()] in ("d", "d_")
                      or low[found.end():] in ("d", "_d")):
            return act
    return None


def derivative(act, z, leak):
    """act′(z), elementwise."""
    if act == "sigmoid":
        s = 0.5 * (1 + np.tanh(0.5 * z))
        return s * (1 - s)
    if act == "tanh":
        return 1 - np.tanh(z) ** 2
    return np.where(z > 0, 1.0, 0.0 if act == "relu" else leak)


def value(act, z, leak):
    """act(z), elementwise: the activations a helper of the other convention is given."""
    if act == "sigmoid":
        return 0.5 * (1 + np.tanh(0.5 * z))
    if act == "tanh":
        return np.tanh(z)
    return np.where(z > 0, z, 0.0 if act == "relu" else leak * z)


def wrong_helper(learner, oracle, layers):
    """(where, as Where says it, and a sentence) for the first helper the learner's files call
    that is not the derivative of the activation one of layers (Layer objects whose gradients
    are wrong) uses; None when there is none, or nothing could be tried. A helper takes z (or
    a = f(z)) alone, sigmoid_prime(z), or the gradient above it first, as the Coursera
    assignments' sigmoid_backward(dA, cache) with cache = Z, which returns dA ⊙ f′(z)."""
    acts = {oracle.output_activation if L is oracle.layers[-1] else oracle.activation
            for L in layers}
    for name, _, node, file, chained, act, from_z, from_a, _ in _derivative_helpers(
            learner, acts, oracle.activation, oracle.leak):
        leak = oracle.leak
        true = derivative(act, PROBE, leak)
        if _close(from_a, true):  # written for a = f(z): right, unless a call hands it z
            short = name.rpartition(".")[2]
            given = None if chained else _z_given(learner, short, file)
            if given:
                _, computes = _returned(node)
                formula = FORMULAS[act][1].format(leak=leak)
                return (given[0], f"{short} computes the derivative from the activations a = "
                        f"f(z){computes}, but this line gives it {given[1]}, a z: "
                        f"{short}({given[1]}) is then not the derivative there. Give it the "
                        f"activations, or make it take z ({formula})")
            continue
        wrong = ~np.isclose(from_z, true, rtol=1e-6, atol=1e-9)
        i = next(np.unravel_index(k, PROBE.shape) for k in SHOWN if wrong.flat[k])
        z, short = PROBE[i], name.rpartition(".")[2]
        args = [a.arg for a in node.args.args[1 if _is_method(node) else 0:]][:1 + chained]
        line, computes = _returned(node)
        symbol, formula, words = (text.format(leak=leak) for text in FORMULAS[act])
        times = f"{args[0]} × " if chained else ""
        what = f"{args[0]} ⊙ the derivative" if chained else "the derivative"
        return (str(Where(name, file, line)),
                f"{short}({', '.join(args)}) is not {what} of the {words} your network uses"
                f"{computes}: at z = {z:g} it gives {times}{from_z[i]:.4g}, where "
                f"{symbol}({z:g}) = {true[i]:.4g}. The derivative is {formula}"
                + (f"; the {args[-1]} it is given holds z" if chained and _given_z(node) else
                   f"; {short} is not right either when given the activations a = f(z) "
                   "instead of z (the other common convention)"))
    return None


UPSTREAM = 0.5 + 0.1 * np.arange(PROBE.size).reshape(PROBE.shape)  # a dA with no zeros


def _derivative_helpers(learner, acts, hidden, leak):
    """(name, fn, node, file, chained, act, from_z, from_a, install) for each derivative helper
    of the learner's, of an activation in acts, that is not that derivative when given z: what it
    gives on PROBE as z and as a = f(z) (divided by dA for a chained one, whose cache holds Z:
    from_a is then from_z), and _helpers' install."""
    found = [(h, False) for h in _helpers(learner)] + \
        [(h, True) for h in _helpers(learner, arguments=2) if _upstream(h[2])]
    for (name, fn, node, file, install), chained in found:
        act = activation_of(name.rpartition(".")[2])
        if act not in acts or (act == "leaky_relu" and hidden != "leaky_relu"):
            continue
        above = (UPSTREAM,) if chained else ()  # dA: the gradient the helper multiplies
        from_z = _call(fn, *above, PROBE)
        from_a = _call(fn, *above, value(act, PROBE, leak))
        if chained:
            from_z, from_a = (None if g is None else g / UPSTREAM for g in (from_z, from_a))
        if chained and _given_z(node):  # sigmoid_backward(dA, cache): the cache is Z
            from_a = from_z
        if from_z is None or from_a is None or _close(from_z, derivative(act, PROBE, leak)):
            continue
        yield name, fn, node, file, chained, act, from_z, from_a, install


def derivative_of_a(act, a, leak):
    """act′ written from the activation a = act(z), the other convention: a(1 − a) for
    sigmoid, 1 − a² for tanh, [a > 0] for ReLU."""
    if act == "sigmoid":
        return a * (1 - a)
    if act == "tanh":
        return 1 - a * a
    return np.where(a > 0, 1.0, 0.0 if act == "relu" else leak)


def mended_grads(learner, acts, hidden, leak, X, Y):
    """(convention, helper names, the learner's gradients for X, Y) with its wrong derivative
    helpers mended (right_derivatives), written for z, then for a; nothing when none is
    wrong, and no run whose code fails, or gives no dict, with them mended."""
    for convention in ("z", "a"):
        with right_derivatives(learner, acts, hidden, leak, convention) as names:
            if not names:
                return
            try:
                got = learner.grads(X, Y)
            except Exception:  # mended, the code fails: the helper was not all it was
                continue
        if isinstance(got, dict):
            yield convention, names, got


def _mended(act, leak, form):
    """The right derivative helper of act: of z, of a = f(z), or chained (dA, Z) -> dA ⊙ f′(Z)."""
    if form == "chained":
        return lambda dA, Z: np.asarray(dA) * derivative(act, np.asarray(Z), leak)
    if form == "z":
        return lambda z: derivative(act, np.asarray(z), leak)
    return lambda a: derivative_of_a(act, np.asarray(a), leak)


@contextlib.contextmanager
def right_derivatives(learner, acts, hidden, leak, convention="z"):
    """Inside the block, every derivative helper that is wrong under both conventions (as
    wrong_helper tells) computes the right derivative instead, from z (convention "z") or from
    the activations a = f(z) ("a"); a chained one (sigmoid_backward(dA, cache)) only when its
    cache holds Z. Yields the helpers' short names; each is put back after, also on an error.
    The learner's code then runs as if only those helpers had been mended: what it computes
    shows whether they were the only mistake."""
    undo, names = [], []
    try:
        for name, _, node, _, chained, act, _, from_a, install in list(
                _derivative_helpers(learner, acts, hidden, leak)):
            if _close(from_a, derivative(act, PROBE, leak)):
                continue  # right for the activations: a call that hands it z is the mistake
            if chained and not _given_z(node):
                continue
            undo.append(install(_mended(act, leak, "chained" if chained else convention)))
            names.append(name.rpartition(".")[2])
        for cls, act, _, _, right in _activation_layers(learner, acts, hidden, leak):
            if not right:
                undo.append(_mend_layer(cls, act, leak))
                names.append(f"{cls.__name__}.backward")
        yield names
    finally:
        for put_back in reversed(undo):
            put_back()


# An activation layer's class name (DLFS's Relu and Sigmoid, NNFS's Activation_ReLU)
_LAYERS = {"leaky_relu": r"leaky|lrelu", "relu": r"relu", "tanh": r"tanh",
           "sigmoid": r"sigmoid|logistic"}


def wrong_layer(learner, oracle, layers):
    """(where, a sentence) for the first activation layer class of the learner's (a Relu or
    Sigmoid with forward(x) and backward(dout), as Deep Learning from Scratch and NNFS write
    them) whose backward, after a forward on numbers, is not dout ⊙ f′(x) for an activation one
    of layers (whose gradients are wrong) uses; None when there is none, or none could be run.
    The place is the line that makes what backward returns (or sets: NNFS's self.dinputs)."""
    acts = {oracle.output_activation if L is oracle.layers[-1] else oracle.activation
            for L in layers}
    leak = oracle.leak
    for cls, act, node, file, right in _activation_layers(learner, acts, oracle.activation, leak):
        if right:
            continue
        got, true = _layer_backward(cls), derivative(act, PROBE, leak)
        wrong = ~np.isclose(got, true, rtol=1e-6, atol=1e-9)
        i = next(np.unravel_index(k, PROBE.shape) for k in SHOWN if wrong.flat[k])
        z = PROBE[i]
        line, computes = _made(node)
        symbol, formula, words = (text.format(leak=leak) for text in FORMULAS[act])
        arg = node.args.args[1].arg if len(node.args.args) > 1 else "dout"
        return (str(Where(f"{cls.__name__}.backward", file, line)),
                f"{cls.__name__}.backward({arg}) is not {arg} ⊙ the derivative of the {words} "
                f"at the x its forward was given{computes}: at x = {z:g} it gives {arg} × "
                f"{got[i]:.4g}, where {symbol}({z:g}) = {true[i]:.4g}. The derivative is "
                f"{formula}")
    return None


def _activation_layers(learner, acts, hidden, leak):
    """(class, activation, backward's def node, file, right) for each class of the learner's
    files named for an activation in acts that has forward(self, x) and backward(self, dout),
    and whose backward could be run on numbers (_layer_backward); right: whether it gives
    dout ⊙ f′(x)."""
    files = _files(learner)
    seen = set()
    for module in learner.modules:
        for cls in list(vars(module).values()):
            if not inspect.isclass(cls) or cls in seen:
                continue
            seen.add(cls)
            low = cls.__name__.lower()
            act = None if "softmax" in low or "loss" in low else next(
                (a for a, pattern in _LAYERS.items() if re.search(pattern, low)), None)
            if act not in acts or (act == "leaky_relu" and hidden != "leaky_relu"):
                continue
            forward, backward = vars(cls).get("forward"), vars(cls).get("backward")
            if not (inspect.isfunction(forward) and inspect.isfunction(backward)):
                continue
            path = str(Path(backward.__code__.co_filename).resolve())
            if path not in files:
                continue
            try:
                tree = ast.parse(Path(path).read_text())
            except (OSError, SyntaxError, ValueError):
                continue
            node = _def(tree, "backward", backward.__code__.co_firstlineno)
            got = _layer_backward(cls)
            if node is None or got is None:
                continue
            yield cls, act, node, files[path], _close(got, derivative(act, PROBE, leak))


def _layer_backward(cls):
    """What a fresh layer of cls (made without __init__, else with no arguments) gives from
    backward(UPSTREAM) after forward(PROBE), divided by UPSTREAM: f′ at PROBE when it is right;
    None when it cannot be run so."""
    for make in (lambda: cls.__new__(cls), cls):
        try:
            layer = make()
            with np.errstate(all="ignore"):
                layer.forward(np.array(PROBE))
                d = layer.backward(np.array(UPSTREAM))
            if d is None:  # NNFS keeps it: self.dinputs
                d = getattr(layer, "dinputs", None)
            d = np.asarray(d, dtype=np.float64)
        except Exception:
            continue
        if d.shape == PROBE.shape:
            return d / UPSTREAM
    return None


def _made(node):
    """_returned's (line, words) for a layer's backward, or for one that returns nothing the
    last line that sets self.dinputs (or another self.d... attribute)."""
    if any(isinstance(n, ast.Return) and n.value for n in ast.walk(node)):
        return _returned(node)
    sets = [n for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign)) and any(
        isinstance(t, ast.Attribute) and t.attr.startswith("d") or isinstance(t, ast.Subscript)
        and isinstance(_base(t), ast.Attribute) and _base(t).attr.startswith("d")
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
    if not sets:
        return node.lineno, ""
    last = max(sets, key=lambda n: n.lineno)
    return last.lineno, f" (it sets {ast.unparse(last)})"


def _base(target):
    while isinstance(target, ast.Subscript):
        target = target.value
    return target


def _mend_layer(cls, act, leak):
    """cls's forward keeping its input and its backward giving dout ⊙ f′(x) (returned, and kept
    as self.dinputs, as NNFS's code reads it), until the function returned is called."""
    forward, backward = vars(cls)["forward"], vars(cls)["backward"]

    def kept(self, x, *args, **kwargs):
        self._mended_x = np.array(x, copy=True)
        return forward(self, x, *args, **kwargs)

    def right(self, dout, *args, **kwargs):
        self.dinputs = np.asarray(dout) * derivative(act, self._mended_x, leak)
        return self.dinputs

    cls.forward, cls.backward = kept, right

    def put_back():
        cls.forward, cls.backward = forward, backward
    return put_back


_Z_TEXT = re.compile(r"^(self\.)?(z|Z|zs|Zs|z_\w+|Z_\w+|z\d|Z\d|zs\[.*\]|Zs\[.*\])$")


def _z_given(learner, name, helper_file):
    """(where, the argument's text) of a call of name, in the learner's files, whose argument
    is written as a z (`sigmoid_prime(zs[-1])`, `sigmoid_prime(z)`), the backprop's own calls
    first; None when no call does."""
    backprop = learner.where.get("backprop")
    node = function_node(backprop)
    span = range(node.lineno, (node.end_lineno or node.lineno) + 1) if node else range(0)
    found = []
    for file in dict.fromkeys(([backprop.file] if backprop else []) + [helper_file]):
        try:
            tree = ast.parse(Path(file).read_text())
        except (OSError, SyntaxError, ValueError):
            continue
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _called(call) == name and call.args and \
                    _Z_TEXT.match(ast.unparse(call.args[0])):
                inside = file == backprop.file and call.lineno in span
                owner = backprop.function if inside else Path(file).stem
                found.append((not inside, call.lineno,
                              str(Where(owner, file, call.lineno)), ast.unparse(call.args[0])))
    return min(found)[2:] if found else None


def _given_z(node):
    """Whether a two-argument helper's second argument is z by its name: the Coursera
    assignments' activation cache holds Z (sigmoid_backward(dA, cache)), as does a `Z`."""
    last = node.args.args[-1].arg.lower()
    return last.startswith("z") or last in ("cache", "activation_cache")


def _upstream(node):
    """Whether a two-argument helper takes the gradient above it first (dA, dout, grad)."""
    args = [a.arg.lower() for a in node.args.args[1 if _is_method(node) else 0:]]
    return bool(args) and (args[0].startswith("d") or any(
        w in args[0] for w in ("grad", "delta", "upstream", "error")))


# A cost class's name, by the cost the oracle settled on
COST_CLASSES = {"quadratic": r"quadratic|squared|mse", "squared_error": r"quadratic|squared|mse",
                "sigmoid_cross_entropy": r"cross|entropy", "cross_entropy": r"cross|entropy"}
COST_WORDS = {"quadratic": "quadratic cost", "squared_error": "squared error",
              "sigmoid_cross_entropy": "sigmoid cross-entropy",
              "cross_entropy": "softmax cross-entropy"}
_Y_NAMES = {"y", "t", "target", "targets", "label", "labels", "y_true", "expected", "desired"}


def wrong_cost_delta(learner, oracle):
    """(where, a sentence) for a cost class's delta(z, a, y) (network2's) of the cost the
    network uses that is not that cost's ∂C/∂z at the output; None when there is none, or it
    could not be tried. Read as per example, as network2's is: the batch's 1/m comes after."""
    out = oracle.output_activation
    if oracle.cost not in COST_CLASSES or (out, oracle.cost) not in _OUTPUT_DELTAS:
        return None
    z = PROBE.T * 0.9  # (3, 4): three output neurons, four examples as columns
    a = output_of(out, z)
    y = np.eye(3, 4)
    true = _OUTPUT_DELTAS[out, oracle.cost](z, a, y)
    for name, fn, node, file, _ in _helpers(learner, names=("delta",), arguments=3):
        owner = name.rpartition(".")[0]
        if not owner or not re.search(COST_CLASSES[oracle.cost], owner.lower()):
            continue
        args = [x.arg for x in node.args.args[1 if _is_method(node) else 0:]]
        order = _zay(args)
        if order is None:
            continue
        given = {"z": z, "a": a, "y": y}
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(fn(*[np.array(given[k], copy=True) for k in order]),
                                 dtype=np.float64)
        except Exception:
            continue
        if got.shape != true.shape or np.allclose(got, true, rtol=1e-6, atol=1e-9):
            continue
        line, computes = _returned(node)
        cost = COST_WORDS[oracle.cost]
        rule, why = _DELTA_WORDS[out, oracle.cost]
        return (str(Where(name, file, line)),
                f"{name}({', '.join(args)}) is not ∂C/∂z of the {cost} your network uses at "
                f"its {out} output{computes}: δᴸ = {rule}{why}")
    return None


_COST_NAME = re.compile(r"(?i)^(compute_|calc\w*_|get_)?(cost|loss)(_\w+)?$|cross_?entropy|^mse"
                        r"|_(cost|loss)$")


def negated_cost(learner, out, Y):
    """(where, a sentence) for a cost function of the learner's (compute_cost(AL, Y), two
    arrays in) that returns minus a cost of out against the one-hot Y (the cross-entropy
    without its leading minus: the printed cost is negative and rises as the network learns);
    None when there is none, or it gives a cost (any of the usual ones, summed or averaged).
    out and Y are rows (m, n_out); the function is given them in the learner's layout."""
    if learner.one_at_a_time or learner.layout not in ("rows", "columns"):
        return None
    a, y = np.clip(np.asarray(out, np.float64), 1e-12, 1 - 1e-12), np.asarray(Y, np.float64)
    m, n = a.shape
    with np.errstate(all="ignore"):
        costs = [("the cross-entropy", -(y * np.log(a)).sum()),
                 ("the cross-entropy", -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum()),
                 ("the quadratic cost", 0.5 * ((a - y) ** 2).sum()),
                 ("the squared error", ((a - y) ** 2).sum())]
    names = {f.__name__ for module in learner.modules for _, f, _, _ in _functions(module)
             if _COST_NAME.search(f.__name__) and not re.search(r"(?i)deriv|prime|grad|delta"
                                                                   r"|backward|^d_?", f.__name__)}
    given = (out, Y) if learner.layout == "rows" else (out.T, Y.T)
    for name, fn, node, file, _ in _helpers(learner, names=names, arguments=2):
        args = [x.arg for x in node.args.args[1 if _is_method(node) else 0:]][:2]
        order = given[::-1] if args and args[0].lower() in _Y_NAMES else given
        try:
            with np.errstate(all="ignore"):
                got = float(np.asarray(fn(*[np.array(v, copy=True) for v in order])).sum())
        except Exception:
            continue
        if not np.isfinite(got) or got == 0:
            continue
        scales = (1, m, m * n)
        if any(np.isclose(got, c / k, rtol=1e-4) for _, c in costs for k in scales):
            continue
        found = next((what for what, c in costs for k in scales
                      if np.isclose(-got, c / k, rtol=1e-4)), None)
        if found is None:
            continue
        line, computes = _returned(node)
        short = name.rpartition(".")[2]
        return (str(Where(name, file, line)),
                f"{short}({', '.join(args)}) returns minus {found}{computes}: {got:.4g} where "
                f"the cost is {-got:.4g}, so the cost it prints is negative and rises toward 0 "
                "as the network learns (a log of a number below 1 is negative: the cost "
                "needs the minus in front)")
    return None


def output_of(out, z):
    """The output activation out of z (columns): sigmoid, or softmax over each column."""
    if out == "softmax":
        e = np.exp(z - z.max(axis=0))
        return e / e.sum(axis=0)
    return value("sigmoid", z, 0.0)


def _sigmoid_prime(z):
    return derivative("sigmoid", z, 0.0)


_OUTPUT_DELTAS = {  # (output activation, cost) -> ∂C/∂z per example, C summed over examples
    ("sigmoid", "quadratic"): lambda z, a, y: (a - y) * _sigmoid_prime(z),
    ("sigmoid", "squared_error"): lambda z, a, y: 2 * (a - y) * _sigmoid_prime(z),
    ("sigmoid", "sigmoid_cross_entropy"): lambda z, a, y: a - y,
    ("softmax", "cross_entropy"): lambda z, a, y: a - y,
}
_DELTA_WORDS = {
    ("sigmoid", "quadratic"): ("(a − y) ⊙ σ′(z)", ""),
    ("sigmoid", "squared_error"): ("2(a − y) ⊙ σ′(z)", ""),
    ("sigmoid", "sigmoid_cross_entropy"): (
        "a − y: the cross-entropy's ∂C/∂a = (a − y)/(a(1 − a)) and σ′(z) = a(1 − a) cancel, so "
        "no σ′(z) is left to multiply by", " (with it, an output neuron that is badly wrong "
        "learns slowly, which the cross-entropy is there to prevent)"),
    ("softmax", "cross_entropy"): ("a − y, with a = softmax(z)", ""),
}


def _zay(args):
    """The order in which args name z, a and y ("z", "a", "y" for delta(z, a, y)), or None."""
    if len(args) != 3:
        return None
    roles = []
    for arg in args:
        low = arg.lower()
        roles.append("z" if low.startswith("z") else "y" if low in _Y_NAMES else "a")
    return roles if sorted(roles) == ["a", "y", "z"] else None


def wrong_softmax(learner, oracle):
    """(where, a sentence) for a softmax helper of the learner's (one array in, called in their
    files) that does not normalize each example's outputs in the learner's layout (examples as
    columns: over axis 0; one example at a time: over all of it); None otherwise. Asked when the
    forward pass differs from every network tried, whatever output the oracle came nearest
    (a softmax over the whole batch of small outputs comes nearer to no softmax at all)."""
    if learner.layout not in ("rows", "columns"):
        return None
    single = learner.one_at_a_time
    classes = 0 if learner.layout == "columns" else 1
    z = PROBE.T * 0.9 if classes == 0 else PROBE * 0.9  # 3 classes, 4 examples
    if single:  # one example: (3, 1) or (3,), normalized over all of it
        z = z[:, :1] if single == "column" else z[:, 0]
        classes = None
    e = np.exp(z - z.max(axis=classes, keepdims=True))
    true = e / e.sum(axis=classes, keepdims=True)
    for name, fn, node, file, _ in _helpers(learner, names=_SOFTMAX):
        got = _call(fn, z)
        if got is None or _close(got, true):
            continue
        line, _ = _returned(node)
        arg = node.args.args[_is_method(node)].arg
        if single:
            return (str(Where(name, file, line)),
                    f"{name}({arg}) does not normalize one example's outputs: on 3 outputs "
                    f"they sum to {got.sum():.3g} instead of 1")
        examples = 1 - classes
        if np.allclose(got.sum(axis=examples), 1):
            what = (f"normalizes over the examples (axis={examples}): with examples as "
                    f"{learner.layout} each example's outputs must sum to 1, over axis={classes}")
        elif np.isclose(got.sum(), 1):
            what = ("normalizes over the whole batch (a sum with no axis), which is right for "
                    f"one example at a time only: with examples as {learner.layout}, sum over "
                    f"axis={classes} with keepdims=True")
        else:
            what = f"is not softmax over each example's outputs (axis={classes})"
        return (str(Where(name, file, line)),
                f"{name}({arg}) {what}. On 4 examples of 3 outputs, each example's outputs sum "
                f"to {', '.join(f'{v:.3g}' for v in got.sum(axis=classes))} instead of 1")
    return None


_ONE_HOT_NAME = re.compile(r"(?i)one_?hot|onehot|to_categorical")


def wrong_one_hot(learner, n_out):
    """(where, a sentence) for a one-hot helper of the learner's (one_hot(Y), labels in) that
    does not put each example's 1 at its label, in the learner's layout (rows (m, n) or columns
    (n, m)); None when there is none, or it is right."""
    labels = np.array([3, 0, 9 % n_out, 5 % n_out, 1, 7 % n_out, 2])
    rows = np.eye(n_out)[labels]
    names = {f.__name__ for module in learner.modules for _, f, _, _ in _functions(module)
             if _ONE_HOT_NAME.search(f.__name__)}
    for name, fn, node, file, _ in _helpers(learner, names=names, arguments=1):
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(fn(labels.copy()), dtype=np.float64)
        except Exception:
            continue
        for want, layout in ((rows, "rows"), (rows.T, "columns")):
            if got.shape != want.shape or np.array_equal(got, want):
                continue
            axis = 1 if layout == "rows" else 0
            where_one = np.argmax(got, axis=axis)
            k = next((i for i in range(len(labels)) if where_one[i] != labels[i]), 0)
            arg = node.args.args[_is_method(node)].arg
            line = next((n.lineno for n in ast.walk(node) if isinstance(n, ast.Assign) and any(
                isinstance(t, ast.Subscript) and arg in {v.id for v in ast.walk(t)
                                                         if isinstance(v, ast.Name)}
                for t in n.targets)), _returned(node)[0])
            return (str(Where(name, file, line)),
                    f"{name}({arg}) does not put each example's 1 at its label: for label "
                    f"{labels[k]} it puts it at {where_one[k]}, so every target δᴸ = a − y "
                    "compares with is another digit's")
        break
    return None


_SOFTMAX = ("softmax", "soft_max", "Softmax", "stable_softmax", "softmax_stable", "soft_max_fn",
            "softmax_fn", "softmax_forward")


def _returned(node):
    """(the line to point at, ' (it returns <expression>)' or ''): a function's one `return`
    with its expression, or its def line when it has several."""
    returns = [n for n in ast.walk(node) if isinstance(n, ast.Return) and n.value]
    if len(returns) != 1:
        return node.lineno, ""
    value = returns[0].value
    if isinstance(value, ast.Name):  # `return dZ`: the last line that writes dZ says more
        name, before = value.id, returns[0].lineno
        while True:
            last = _last_write(node, name, before)
            if last is None:
                break
            # `dx = dout` names the array the line before wrote (the book's Relu.backward:
            # `dout[self.mask] = 0; dx = dout; return dx`): that write is the place
            alias = isinstance(last, ast.Assign) and isinstance(last.value, ast.Name) and \
                _last_write(node, last.value.id, last.lineno)
            if _reshapes(last, name) and _last_write(node, name, last.lineno):
                before = last.lineno  # `cost = np.squeeze(cost)`: the line before made it
                continue
            if not alias:
                return last.lineno, f" (it returns {value.id}, from {ast.unparse(last)})"
            name, before = last.value.id, last.lineno
    return returns[0].lineno, f" (it returns {ast.unparse(value)})"


def _reshapes(statement, name):
    """Whether statement only reshapes name in place of itself: name = np.squeeze(name),
    float(name), name.reshape(...), name.item()."""
    if not isinstance(statement, ast.Assign) or not isinstance(statement.value, ast.Call):
        return False
    read = {v.id for v in ast.walk(statement.value) if isinstance(v, ast.Name)} - {
        "np", "numpy", "float", "int"}
    return read == {name} and called_name(statement.value) in (
        "squeeze", "float", "reshape", "item", "array", "asarray", "ravel", "flatten")


def _last_write(node, name, before):
    """The last statement of node before line `before` that assigns name or into it."""
    writes = [n for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign))
              and n.lineno < before and any(
                  isinstance(t, (ast.Name, ast.Subscript)) and _root(t) == name
                  for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
    return max(writes, key=lambda n: n.lineno) if writes else None


def _root(target):
    target = _base(target)
    return target.id if isinstance(target, ast.Name) else None


def _close(got, true):
    return got.shape == true.shape and np.allclose(got, true, rtol=1e-6, atol=1e-9)


def _call(fn, *arrays):
    """fn(copies of arrays) as a float64 array of their shape, or None when it raises or gives
    another shape (a helper for scalars, `if z > 0:`, cannot be tried on an array)."""
    z = arrays[-1]
    try:
        with np.errstate(all="ignore"):
            out = fn(*(np.array(a, copy=True) for a in arrays))
            if isinstance(out, tuple) and out and np.shape(out[0]) == z.shape:
                out = out[0]  # Coursera's softmax(Z) returns (A, cache)
            out = np.asarray(out, dtype=np.float64)
    except Exception:
        return None
    if out.shape != z.shape:
        try:
            out = np.broadcast_to(out, z.shape).copy()
        except ValueError:
            return None
    return out


def _helpers(learner, names=None, arguments=1):
    """(qualified name, callable, def node, file, install) for every function of the learner's
    files that
    takes `arguments` arguments and is called somewhere in them, never with more: module
    functions, static methods, and methods (those that read self on a bare instance: _unbound); only
    those called one of names when names are given, else those whose name is an activation's
    derivative. install(f) makes the learner's code call f (of the helper's arguments, without
    self) in the helper's place, and returns the function that puts the helper back."""
    files = _files(learner)
    trees = {}
    for path in files:
        try:
            trees[path] = ast.parse(Path(path).read_text())
        except (OSError, SyntaxError, ValueError):
            continue
    calls = [c for tree in trees.values() for c in ast.walk(tree) if isinstance(c, ast.Call)]
    called = {_called(c) for c in calls}
    # a call that passes more than the one array (leaky_prime(z, alpha=0.2)) sets what the
    # defaults would: such a helper cannot be tried with them
    settings = {_called(c) for c in calls if len(c.args) + len(c.keywords) > arguments}
    seen = set()
    for module in learner.modules:
        for owner, obj, cls, kind in _functions(module):
            code = getattr(obj, "__code__", None)
            path = str(Path(code.co_filename).resolve()) if code else None
            if code is None or path not in trees or code in seen or obj.__name__ not in called \
                    or obj.__name__ in settings:
                continue
            seen.add(code)
            node = _def(trees[path], obj.__name__, code.co_firstlineno)
            if node is None or (obj.__name__ not in names if names else
                                activation_of(obj.__name__) is None):
                continue
            method = _is_method(node)
            if len(node.args.args) - len(node.args.defaults) != arguments + method:
                continue
            fn = _unbound(obj, cls if _reads_self(node) else None, learner.owner) \
                if method else obj
            if fn is None:
                continue
            name = f"{owner}.{obj.__name__}" if owner else obj.__name__
            yield name, fn, node, files[path], _installer(learner.modules, obj, cls, kind)


def _installer(modules, fn, cls, kind):
    """install(f) for _helpers: f in fn's place, in the class that defines it (a method, a
    static method) or in every module that holds fn (a function imported from beside it too)."""
    def install(f):
        if kind == "function":
            holders = [m for m in modules if vars(m).get(fn.__name__) is fn]
            new = f
        else:
            holders = [cls]
            new = staticmethod(f) if kind == "static" else (lambda self, *xs: f(*xs))
        before = [(h, vars(h)[fn.__name__]) for h in holders]
        for h in holders:
            setattr(h, fn.__name__, new)

        def put_back():
            for h, old in before:
                setattr(h, fn.__name__, old)
        return put_back
    return install


def _unbound(method, cls, owner=None):
    """method as a function of its arguments alone: called with self = None when it never reads
    self, else with a shallow copy of the learner's own object when it is one of cls (its
    self.alpha is there), else with a bare instance of cls, made without running __init__
    (`self.sigmoid(z)` inside `sigmoid_prime` finds the class's own method there; a read of an
    attribute that __init__ would set raises, and the helper is not tried). None when neither
    can be made."""
    if cls is None:
        return lambda *xs: method(None, *xs)
    try:
        self = copy.copy(owner) if isinstance(owner, cls) else cls.__new__(cls)
    except Exception:  # a __new__ that needs arguments, an object that cannot be copied
        return None
    return lambda *xs: method(self, *xs)


def _files(learner):
    """{resolved path: path} of the learner's files and of every module of theirs that was
    loaded (an activations.py the program imports its helpers from, which the recognizer or
    adapter did not name)."""
    paths = [*learner.files, *(getattr(m, "__file__", None) for m in learner.modules)]
    return {str(Path(f).resolve()): f for f in paths if f}


def _functions(module):
    """(class name or '', function, its class or None, "function", "static" or "method") for a
    module's functions and its classes' methods."""
    for obj in list(vars(module).values()):
        if inspect.isfunction(obj):
            yield "", obj, None, "function"
        elif inspect.isclass(obj) and obj.__module__ == module.__name__:
            for attr in list(vars(obj).values()):  # (copy.copy caches __slotnames__ there)
                if isinstance(attr, staticmethod):
                    yield obj.__name__, attr.__func__, obj, "static"
                elif inspect.isfunction(attr):
                    yield obj.__name__, attr, obj, "method"


def _called(call):
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr \
        if isinstance(func, ast.Attribute) else None


def _def(tree, name, line):
    """The def of name whose first line (its first decorator's, if any) is line."""
    return next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                               ast.AsyncFunctionDef))
                 and n.name == name and line in [n.lineno] + [d.lineno
                                                              for d in n.decorator_list]), None)


def _is_method(node):
    """Whether node is written as a method: its first argument is self."""
    return bool(node.args.args) and node.args.args[0].arg == "self" and not any(
        isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)


def _reads_self(node):
    return any(isinstance(n, ast.Name) and n.id == "self" for n in ast.walk(node))
