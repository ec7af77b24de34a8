"""The evaluation check: the learner's own accuracy figure (a count, a fraction or a percentage)
equals the accuracy the oracle computes on the same weights and test examples, and it changes when
the weights change; a test that never runs the forward pass, or reads the activations cached by
the last one (seed 000's `test()` reads `self.layer[3]`), is named.

The weights are first trained a little by the oracle so the accuracy is well away from chance.
It imports the oracle and calls; the learner's parameters are restored.
"""

import ast
import dataclasses
import re
from numbers import Number
from pathlib import Path

import numpy as np

from .calls import function, function_node, raised, returned_calls, skipped, where
from .learner import Where, other_draws
from .minibatches import _held_out
from .report import CheckResult

TEST_EXAMPLES = 300


def _fraction(figure, units, m, accuracy):
    """(the figure as a fraction, its units); units None: the reading nearest accuracy."""
    readings = {"count": figure / m, "percent": figure / 100, "fraction": figure}
    if units in readings:
        return readings[units], units
    fits = {u: f for u, f in readings.items() if 0 <= f <= 1}
    if not fits:
        return figure, "fraction"
    units = min(fits, key=lambda u: abs(fits[u] - accuracy))
    return fits[units], units


def _units(figures, declared):
    """The learner's units when all their figures say so: figures in [0, 1] with a fraction
    among them (1.0 and 0.2857) are fractions, not a count nor percentages under 1%."""
    if declared is None and all(0 <= f <= 1 for f in figures) and any(f % 1 for f in figures):
        return "fraction"
    return declared


def _show(figure, units, m):
    """'45 of 200 (22.5%)', '22.5%', '0.225 (22.5%)': the figure as the learner's code gives it."""
    if units == "percent":
        return f"{figure:.4g}%"
    frac = figure / m if units == "count" else figure
    return (f"{figure:g} of {m}" if units == "count" else f"{figure:.4g}") + f" ({frac:.1%})"


def _cached_reads(w, depth=0):
    """(what the learner's evaluate reads its prediction from, where, as Where says it), e.g.
    ('self.layer[3]', 'Network.evaluate (net.py:41)'), when that is an attribute of self or of
    a global object (`loss_activation.output`) rather than something computed in the function,
    there or in a method of its own class that it calls (`self.predict(x)` returning
    np.argmax(self.activations[-1])); else (None, None)."""
    node = function_node(w)
    if node is None:
        return None, None
    local = {a.arg for a in node.args.args} | {
        t.id for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign, ast.For))
        for t in ast.walk(n.target if not isinstance(n, ast.Assign) else ast.Tuple(n.targets))
        if isinstance(t, ast.Name)}
    for call in ast.walk(node):  # np.argmax(self.layer[3]), or self.acts[-1].argmax()
        if isinstance(call, ast.Call) and ast.unparse(call.func).endswith("argmax") and \
                (call.args or isinstance(call.func, ast.Attribute)):
            arg = call.args[0] if call.args else call.func.value
            root = arg
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(arg, (ast.Attribute, ast.Subscript)) and isinstance(root, ast.Name) \
                    and (root.id == "self" or root.id not in local) and \
                    not any(isinstance(n, ast.Call) for n in ast.walk(arg)):
                return ast.unparse(arg), str(dataclasses.replace(w, line=call.lineno))
    owner = w.function.rpartition(".")[0]
    if depth or not owner:
        return None, None
    methods = {f.name: f for f in ast.walk(ast.parse(Path(w.file).read_text()))
               if isinstance(f, ast.ClassDef) and f.name == owner.rpartition(".")[2]
               for f in f.body if isinstance(f, ast.FunctionDef)}
    for call in ast.walk(node):  # self.predict(x): the method of the same class it calls
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                isinstance(call.func.value, ast.Name) and call.func.value.id == "self" and \
                call.func.attr in methods:
            found = _cached_reads(Where(f"{owner}.{call.func.attr}", w.file,
                                        methods[call.func.attr].lineno), depth + 1)
            if found[0]:
                return found
    return None, None


_HELD_OUT = {"test", "val", "valid", "validation", "evaluation", "eval", "dev", "holdout"}
_SETTINGS = {"interval", "every", "freq", "monitor", "n", "num", "size", "print", "flag"}


def _roots(node):
    """roots(name): the names whose values name is made of in function node, itself included
    (train_check = [... for x, y in training_data[:n]] → {train_check, training_data, ...})."""
    sources = {}  # name → the names its values are made of
    for n in ast.walk(node):
        if isinstance(n, ast.Assign):
            pairs = [(t, n.value) for t in n.targets]
        elif isinstance(n, ast.AugAssign):
            pairs = [(n.target, n.value)]
        elif isinstance(n, (ast.For, ast.comprehension)):
            pairs = [(n.target, n.iter)]
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                n.func.attr in ("append", "extend", "insert"):  # train_check.append((x, y))
            pairs = [(n.func.value, a) for a in n.args]
        else:
            continue
        for target, value in pairs:
            for v in ast.walk(target):
                if isinstance(v, ast.Name):
                    sources.setdefault(v.id, set()).update(_reads(value))

    # A name made from itself is state carried through the loop: the weights (W1, b1, ... =
    # update_params(W1, ...)) are made of the training data through their gradients, and a
    # figure on other data read through them is not on the training data
    carried = {name for name, made in sources.items() if name in made}

    def roots(name, seen=()):
        if name in seen:
            return set()
        if seen and name in carried:
            return {name}
        return {name} | {r for s in sources.get(name, ()) for r in roots(s, (*seen, name))}

    return roots


def _epoch_scoring(learner):
    """(the epoch function's node, its arguments, its training arguments, roots, [(call, the
    names its arguments are made of)] for each call of the evaluation or of what the
    evaluation returns through, evaluate → self.accuracy); None when there is no epoch
    function or evaluation to read, or the function holds a part of its training data out."""
    epoch, evaluate = learner.where.get("epoch"), learner.where.get("evaluate")
    node = function_node(epoch)
    if node is None or evaluate is None:
        return None
    args = [a.arg for a in node.args.args if a.arg != "self"]
    trains = [a for a in args if "train" in a.lower()] or args[:1]
    if not trains or _holds_out(node, trains) or _held_out(epoch) is not None:
        return None  # (_held_out: X_val = X[:, :k] beside X_train = X[:, k:], new names)
    roots = _roots(node)
    judges = {evaluate.function.rpartition(".")[2]} | returned_calls(evaluate)
    calls = [(call, set().union(set(), *(roots(v) for a in [*call.args, *(
        k.value for k in call.keywords)] for v in _reads(a))))
        for call in ast.walk(node) if isinstance(call, ast.Call)
        and ast.unparse(call.func).rpartition(".")[2] in judges]
    return node, args, trains, roots, calls


def _labelled_training(learner):
    """(line, the call's text, the training argument, the label) when the epoch's function
    scores its training data under a held-out label: inside `if monitor_evaluation_accuracy:`,
    or in a statement that says "test" or "validation" (print("Test accuracy:",
    self.evaluate(training_data))); else None. A training argument the function rebinds (a
    part held out) is left alone."""
    found = _epoch_scoring(learner)
    if found is None:
        return None
    node, _, trains, _, calls = found
    parents = {c: p for p in ast.walk(node) for c in ast.iter_child_nodes(p)}
    for call, read in calls:
        read &= set(trains)
        label = _label(call, parents, node) if read else None
        if read and label:
            return call.lineno, ast.unparse(call), sorted(read)[0], label
    return None


def _label(call, parents, function):
    """How the code labels the figure call computes: a string that names held-out data in the
    statement holding the call or in one of the next two that read the name it is assigned to
    (print("Test accuracy:", acc)), else the condition of an enclosing `if` that does, a flag
    for a figure (monitor_evaluation_accuracy, not `if test_data:`); None when none does, or
    one names training data first."""
    chain, up = [], call
    while up in parents and parents[up] is not function:
        up = parents[up]
        chain.append(up)
    statement = next((s for s in chain if isinstance(s, ast.stmt)), None)
    if statement is None:
        return None
    said = [statement]
    body = next((b for b in (getattr(parents.get(statement), f, None) for f in ("body", "orelse"))
                 if isinstance(b, list) and statement in b), [])
    names = {t.id for t in ast.walk(statement) if isinstance(t, ast.Name)
             and isinstance(t.ctx, ast.Store)}
    if names and body and not isinstance(statement, (ast.If, ast.For, ast.While)):
        at = body.index(statement)
        said += [s for s in body[at + 1:at + 3] if any(
            isinstance(v, ast.Name) and v.id in names and isinstance(v.ctx, ast.Load)
            for v in ast.walk(s))]
    for text in (c.value for st in said for c in ast.walk(st)
                 if isinstance(c, ast.Constant) and isinstance(c.value, str)):
        words = set(re.findall(r"[a-z]+", text.lower()))
        if words & {"train", "training"}:
            return None
        if _held_out_words(words):
            return repr(text)
    for test in (s.test for s in chain if isinstance(s, ast.If)):
        words = {w for v in ast.walk(test) if isinstance(v, ast.Name)
                 for w in v.id.lower().split("_")}
        if words & {"train", "training"}:
            return None
        if _held_out_words(words) and words & _FIGURES:  # a flag, not `if test_data:`
            return f"`if {ast.unparse(test)}:`"
    return None


_FIGURES = {"monitor", "accuracy", "acc", "score", "show", "print", "report", "log"}


def _holds_out(node, trains):
    """Whether function node rebinds a training argument to a part of something
    (training_data = training_data[:-n_val]): a part held out, which it may score as held-out
    data. A rebinding to the whole (training_data = list(training_data)) is not."""
    return any(isinstance(t, ast.Name) and t.id in trains and any(
        isinstance(v, ast.Subscript) and isinstance(v.slice, ast.Slice) for v in ast.walk(
            n.value)) for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign))
        for target in (n.targets if isinstance(n, ast.Assign) else [n.target])
        for t in ast.walk(target))


def _held_out_words(words):
    """Whether words name held-out data (test, validation, evaluation) and not training data."""
    return bool(words & (_HELD_OUT | {"testing"})) and not words & {"train", "training"}


def _scores_training(learner):
    """(line, the call's text, the training argument, the test argument, the line that rebinds
    that test argument to training data or None) when the epoch's function is given test data,
    never uses it (beyond len() or an `if`; nor after rebinding it to training data), and
    evaluates something built from its training data (a 'test' figure on examples it trains
    on); else None. A training argument the function rebinds (a part held out) is left alone."""
    found = _epoch_scoring(learner)
    if found is None:
        return None
    node, args, trains, roots, calls = found
    defaults = dict(zip(args[::-1], node.args.defaults[::-1]))
    tests = [a for a in args if set(a.lower().split("_")) & _HELD_OUT and
             not set(a.lower().split("_")) & _SETTINGS and not (
                 isinstance(defaults.get(a), ast.Constant) and
                 isinstance(defaults[a].value, (bool, int, float)))]
    if not tests:
        return None
    sizing = {id(v) for n in ast.walk(node) for part in (
        [n.test] if isinstance(n, (ast.If, ast.While, ast.IfExp)) else
        [n] if isinstance(n, ast.Call) and ast.unparse(n.func) == "len" else [])
        for v in ast.walk(part)}
    # a test argument the function rebinds to training data (test_data = [... for x, y in
    # training_data[:10000]]) is training data from there on: its reads are not the test's
    rebound = {t: n.lineno for n in ast.walk(node) if isinstance(n, ast.Assign)
               for target in n.targets for t in tests if isinstance(target, ast.Name)
               and target.id == t and (roots(t) - {t}) & set(trains)}
    if any(isinstance(v, ast.Name) and v.id in tests and v.id not in rebound and
           isinstance(v.ctx, ast.Load) and id(v) not in sizing for v in ast.walk(node)):
        return None  # the test data is used: scored somewhere, maybe beside the training data
    parents = {c: p for p in ast.walk(node) for c in ast.iter_child_nodes(p)}
    scored = [(call, read) for call, read in calls if read & set(trains)]
    # of several, the one whose result is named for held-out data (`test_accuracy = predict(
    # X_train, ...)` beside `train_accuracy = predict(X_train, ...)`)
    scored.sort(key=lambda c: not _named_held_out(c[0], parents))
    for call, read in scored:
        test = next((t for t in tests if t in read and t in rebound), tests[0])
        return (call.lineno, ast.unparse(call), sorted(read & set(trains))[0], test,
                rebound.get(test))
    return None


def _named_held_out(call, parents):
    """Whether the statement holding call assigns its result to a name for held-out data."""
    up = call
    while up in parents and not isinstance(up, ast.stmt):
        up = parents[up]
    return isinstance(up, ast.Assign) and any(
        set(t.id.lower().split("_")) & _HELD_OUT for t in up.targets if isinstance(t, ast.Name))


def _reads(expr):
    """The names whose values expr is made of: not those that only size it (a slice's bounds,
    len(test_data))."""
    if isinstance(expr, ast.Name):
        return {expr.id}
    if isinstance(expr, ast.Slice) or (isinstance(expr, ast.Call) and
                                        ast.unparse(expr.func) == "len"):
        return set()
    return set().union(*(_reads(c) for c in ast.iter_child_nodes(expr)))


def _trained(oracle, data, learner):
    """The learner's weights after a short oracle SGD run, when that raises the accuracy."""
    sub = data.train.take(slice(0, min(len(data.train), 600)))
    start = oracle.arrays()
    base = oracle.accuracy(sub.X, sub.labels, start)
    lr = float(learner.lr) if learner.lr else 0.5
    with np.errstate(all="ignore"):
        arrays, costs = oracle.sgd(sub.X, sub.Y, lr, 20, 60, start, curve=False)
    ok = np.isfinite(costs[-1]) and oracle.accuracy(sub.X, sub.labels, arrays) > base
    return arrays if ok else start


def _labels_one_hot(error):
    """(m, k) when error is numpy's failure to compare m labels (m,) with an (m, k) array."""
    shapes = [tuple(int(n) for n in t.split(",") if n.strip())
              for t in re.findall(r"\(([\d, ]+)\)", str(error))]
    if isinstance(error, ValueError) and len(shapes) == 2:
        one, two = sorted(shapes, key=len)
        if len(one) == 1 and len(two) == 2 and one[0] == two[0] and two[1] > 1:
            return two
    return None


_LABEL = re.compile(r"^(y|t|label|labels|target|targets|y_true|truth|answer)$")


def _label_argmax(w):
    """The line of the learner's evaluate that takes np.argmax of a label (`np.argmax(y)`,
    where y is an integer), or None."""
    node = function_node(w)
    for call in ast.walk(node) if node is not None else ():
        if isinstance(call, ast.Call) and call.args and \
                ast.unparse(call.func).endswith("argmax") and \
                isinstance(call.args[0], ast.Name) and _LABEL.match(call.args[0].id):
            return call.lineno
    return None


def _line_with(w, text):
    """The first line of the learner's function at w that holds text (outside comments)."""
    node = function_node(w)
    if node is None:
        return None
    lines = open(w.file, encoding="utf-8", errors="replace").read().splitlines()
    return next((k for k in range(node.lineno, (node.end_lineno or node.lineno) + 1)
                 if text in lines[k - 1].split("#")[0]), None)


def _one_label(oracle, test, weights, fractions):
    """The class c when the learner's figures (with the trained weights, and with the output
    neurons moved) are each, to the example, the share of test examples the network predicts
    as c: an evaluation that compares every prediction with c (np.argmax of an integer label,
    which is 0). None otherwise. Two figures must match, so a wrong figure that happens to
    equal one class's share is not read as this."""
    m = len(test)
    for c in range(oracle.layers[-1].n_out):
        constant = np.full(m, c)
        if all(abs(oracle.accuracy(test.X, constant, w) - f) <= 0.5 / m
               for w, f in zip(weights, fractions)):
            return c
    return None


def _shifted(oracle, arrays):
    """arrays with the output neurons moved by one class: the predictions change."""
    out = dict(arrays)
    last = oracle.layers[-1]
    out[last.W] = np.roll(arrays[last.W], 1, axis=0 if last.orientation == "Wa" else 1)
    if last.b is not None:
        b = arrays[last.b]
        out[last.b] = np.roll(b, 1, axis=0 if b.ndim == 1 or b.shape[1] == 1 else 1)
    return out


def run(learner, data, oracle):
    """Compare the learner's accuracy figure with the oracle's, before and after a weight change."""
    if learner.evaluate is None:
        return skipped("evaluation", f"{learner.name} has no evaluation the checker can call")
    test = data.test.take(slice(0, min(len(data.test), TEST_EXAMPLES)))
    m = len(test)
    name = function(learner, "evaluate", "the evaluation")
    place = where(learner, "evaluate")
    before = learner.snapshot()
    trained = _trained(oracle, data, learner)
    shifted = _shifted(oracle, trained)
    figures, returned = [], False
    try:
        learner.restore(trained)
        figures.append(learner.evaluate(test.X, test.labels))
        for seed in (1, 2, 3):  # each call starts from the same random numbers: now others
            with other_draws(seed):
                drawn = learner.evaluate(test.X, test.labels)
            if drawn != figures[0]:
                break
        for k in range(1, 5 if learner.forward is not None else 2):
            if learner.forward is not None:
                try:  # a forward pass on other examples: a figure read from its cache changes
                    returned = learner.forward(data.train.X[7 * k:7 * k + 7]) is None
                except Exception:
                    pass
            figures[1:] = [learner.evaluate(test.X, test.labels)]
            if figures[1] != figures[0] or returned:
                break
        learner.restore(shifted)
        figures.append(learner.evaluate(test.X, test.labels))
    except Exception as e:
        result = raised("evaluation", e, learner, "evaluate")
        one_hot = _labels_one_hot(e)
        if one_hot:  # argmax of the outputs against the one-hot rows it was handed
            m, k = one_hot
            result.details.append(f"it compares {m} predicted digits with a ({m}, {k}) array: "
                                  "are the labels it is given one-hot rows? Take "
                                  "np.argmax(t, axis=1) of them first, as the book's accuracy "
                                  "does when t.ndim != 1")
        if "(7," in str(e) or "(7)" in str(e):  # the 7 examples of the last forward pass
            cached, at = _cached_reads(learner.where.get("evaluate"))
            result.details.append("7 is the number of examples of the forward pass run "
                                  "before it: does it read the activations that pass cached "
                                  + (f"(it reads {cached}) " if cached else "") +
                                  "instead of running the forward pass on the test examples?")
            if cached:  # the line that reads them, not the one that trips over them
                result.where = at
        return result
    finally:
        learner.restore(before)
    bad = [f for f in figures if not isinstance(f, (Number, np.number)) or isinstance(f, bool)]
    if bad:
        return CheckResult("evaluation", "wrong",
                           f"{name} returns a {type(bad[0]).__name__}, not a number (a count, "
                           "a fraction or a percentage)", where=place)
    figures = [float(f) for f in figures]
    drawn = float(drawn) if isinstance(drawn, (Number, np.number)) else figures[0]
    acc, acc_shifted = (oracle.accuracy(test.X, test.labels, a) for a in (trained, shifted))
    frac, units = _fraction(figures[0], _units(figures, learner.evaluate_units), m, acc)
    frac2, _ = _fraction(figures[1], units, m, acc)
    frac3, _ = _fraction(figures[2], units, m, acc_shifted)
    slack = 1.5 / m  # a tie in argmax may fall either way in float32
    data_ = {"figure": figures[0], "units": units, "accuracy": acc, "examples": m}
    said = f"{name} reports {_show(figures[0], units, m)}"
    cached, cached_at = _cached_reads(learner.where.get("evaluate"))
    reads, it_reads = (f" ({cached})", f" (it reads {cached})") if cached else ("", "")
    if drawn != figures[0]:  # code that draws nothing gives the same figure, to the bit
        short = "it draws random numbers"
        why = (f"with the same weights and test examples its figure changes with the "
               f"random numbers ({_show(figures[0], units, m)}, then "
               f"{_show(drawn, units, m)}): is dropout, or another training-only step, left "
               "on in the evaluation (training=True)?")
    elif returned:
        short = f"{function(learner, 'forward', 'the forward pass')} returns None"
        why = f"{short}, so the figure cannot follow the weights (see forward)"
    elif abs(frac2 - frac) > slack:
        short = f"it reads cached activations{reads}"
        why = ("its figure changes after a forward pass on other examples, with the same "
               "weights: it reads the activations cached by the last forward pass"
               f"{it_reads} instead of running the forward pass on the test examples")
    elif acc < 1 - slack and (min(frac, frac2, frac3) >= 1 - slack / 2 or (
            len(set(figures)) == 1 and figures[0] in (1.0, float(m), 100.0))):
        # every example right whatever the weights (a 1.0 read as 1 % as well: a constant
        # figure that is all of them in some unit)
        short = "it counts every example as right"
        why = (f"its figure is {figures[0]:g} whatever the weights (the "
               f"network's accuracy goes {acc:.1%} → {acc_shifted:.1%}): does it compare the "
               "predictions with themselves, or the labels with the labels (predictions == "
               "predictions)?")
    elif abs(frac - (1 - acc)) <= slack and abs(frac3 - (1 - acc_shifted)) <= slack < \
            abs(acc - acc_shifted):  # both figures the share of wrong predictions
        short = "it reports the error rate, 1 − the accuracy"
        why = (f"its figure is the share of test examples the network gets wrong ("
               f"{1 - acc:.1%} with these weights, {1 - acc_shifted:.1%} after the output "
               "neurons move): it counts the predictions that differ from the label (!=); "
               "count those that equal it (==)")
        at = _line_with(learner.where.get("evaluate"), "!=")
        place = str(dataclasses.replace(learner.where["evaluate"], line=at)) if at else place
    elif (c := _one_label(oracle, test, (trained, shifted), (frac, frac3))) is not None:
        short = f"it compares every prediction with {c}"
        at = _label_argmax(learner.where.get("evaluate"))
        place = str(dataclasses.replace(learner.where["evaluate"], line=at)) if at else place
        why = (f"its figure is the share of test examples the network predicts as {c}, with "
               f"these weights and after the output neurons move: does it read the label "
               "right? " + ("np.argmax(y) of an integer label (not a one-hot vector) is 0, "
                            "for every example" if c == 0 else
                            f"every label comes out as {c}"))
    elif abs(frac3 - frac2) <= slack < abs(acc_shifted - acc):
        short = f"it never runs the forward pass{reads}"
        why = (f"its figure stays {_show(figures[2], units, m)} when the weights change (the "
               f"network's accuracy goes {acc:.1%} → {acc_shifted:.1%}): it never runs the "
               f"forward pass on the test examples{it_reads}")
    else:
        short = why = None
    training, epoch = _scores_training(learner), learner.where.get("epoch")
    if training:
        line, call, train, test, rebinds = training
        built = f"built from {train}" if rebinds is None else \
            f"after line {rebinds} set {test} to examples of {train}"
        scores = (f"{epoch.function} is given {test} and never scores it: it scores {call} "
                  f"at line {line}, {built}, so the accuracy it shows is on examples it "
                  "trains on")
        fix = f"score {test} there (and the training data too, if you want both, each said " \
            "as what it is)" if rebinds is None else (
                f"remove line {rebinds}, which replaces the {test} {epoch.function} is given, "
                f"and score {test} (keep a training figure under a name of its own, each said "
                "as what it is)")
    elif labelled := _labelled_training(learner):
        line, call, train, label = labelled
        training = labelled
        scores = (f"{epoch.function} scores {call} at line {line} under {label}: the held-out "
                  f"figure it shows is on {train}, examples it trains on")
        fix = "score the held-out data there (a copied line that kept the training data?)"
    if abs(frac - acc) <= slack and why is None and training:
        return CheckResult("evaluation", "wrong", scores,
                           details=[fix, f"{said} on {m} test examples, as the network its "
                                    f"weights define ({acc:.1%}): the evaluation itself is "
                                    "right"],
                           where=str(dataclasses.replace(epoch, line=line)), data=data_)
    if abs(frac - acc) <= slack and why is None:
        return CheckResult("evaluation", "ok",
                           f"{said} on {m} test examples, as the network its weights define "
                           f"({acc:.1%}); it follows the weights ({acc_shifted:.1%} after "
                           "moving the output neurons)", where=place, data=data_)
    summary = f"{said} on {m} test examples, but the network its weights define gets {acc:.1%}"
    if abs(frac - acc) <= slack:
        summary = f"{said}, as the network does ({acc:.1%}), but " + (
            "not every time" if drawn != figures[0] else "not from the weights")
    details = ([why] if why else []) + [
        "run the forward pass on each test example and compare its argmax with the label"] + \
        ([f"also: {scores}"] if training else [])
    if cached and short and short.endswith(reads):  # the line that reads them
        place = cached_at
    return CheckResult("evaluation", "wrong", f"{summary}: {short}" if short else summary,
                       details=details, where=place, data=data_)
