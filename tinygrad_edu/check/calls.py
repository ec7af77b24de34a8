"""Calling a learner's code from a check: an exception it raises becomes a CheckResult naming the
learner's own line, and one raised by the checker itself is left alone (that is our bug).

It also reads the learner's source around a place (the function, the line that assigns a
parameter). Numpy-free and engine-free: it imports only the report.
"""

import ast
import builtins
import dataclasses
import difflib
import re
import traceback
import types
from pathlib import Path

from .report import CheckResult

_PACKAGE = Path(__file__).resolve().parents[1]  # tinygrad_edu/: frames here are not the learner's


def learner_frame(e, learner):
    """The innermost frame of e's traceback in the learner's code, or None when there is none."""
    files = {str(Path(f).resolve()) for f in learner.files}
    frames = traceback.extract_tb(e.__traceback__)
    mine = [f for f in frames if str(Path(f.filename).resolve()) in files]
    if not mine:  # files unknown (a hand-built Learner): anything outside this package
        mine = [f for f in frames if _PACKAGE not in Path(f.filename).resolve().parents]
    return mine[-1] if mine else None


_HELD_OUT = re.compile(r"(?i)test|val|dev|eval|hold")  # the suffix of held-out data's name


def raised(check, e, learner, role=None):
    """The CheckResult for the learner's code raising e; re-raises when the checker raised it."""
    frame = learner_frame(e, learner)
    if frame is None or type(e).__name__ == "CheckTimeout":  # the budget's, not the learner's
        raise e
    last = traceback.format_exception_only(type(e), e)[-1].strip()
    where = f"{Path(frame.filename).name}:{frame.lineno}"
    function = learner.where[role].function if role in learner.where else frame.name
    script, args = _set_by_script(e, frame)
    # given Y, it reads Y_train: its own data under another name. Not so a held-out global
    # (X_test beside an argument X): a monitor of test accuracy in the training loop reads it
    name = getattr(e, "name", None) or ""  # a NameError's; other errors have none
    held_out = _HELD_OUT.search(name.partition("_")[2])
    own = [a for a in args if a != e.name and a.split("_")[0] == e.name.split("_")[0]] \
        if script is not None and not held_out else []
    if own:  # given Y, it reads the script's Y_train: the learner's mistake, not the checker's
        return CheckResult(check, "wrong", f"{function} is given `{own[0]}` but reads the global "
                           f"`{e.name}` at {where}, which your script sets ({script}): its "
                           f"figure is not computed from the data it was given; use `{own[0]}`",
                           where=f"{frame.name} ({where})",
                           details=[f"{where}: {frame.line.strip()}"] if frame.line else [])
    if script is not None and frame.name == "<module>":  # a loop of the script itself
        return CheckResult(check, "skipped", f"your {function} reads `{e.name}` at {where}, "
                           f"which your script sets ({script}) from something the checker does "
                           "not run (a loader of your own, a file): this check cannot run the "
                           "loop; an Adapter's epoch= can (docs/verify.md)",
                           where=f"{function} ({where})")
    if script is not None:  # the checker's doing, not the learner's mistake: skip, say how
        return CheckResult(check, "skipped", f"{function} reads the global `{e.name}` at "
                           f"{where}, which only your script part sets ({script}); the checker "
                           f"does not run that part: pass `{e.name}` to {function} as an "
                           "argument, and this check can run", where=f"{frame.name} ({where})")
    missing = getattr(e, "missing", None)  # a library the machine lacks (source._Missing)
    if missing is not None:
        lib = missing.partition(".")[0]
        return CheckResult(check, "skipped", f"{function} calls {missing} at {where}, and "
                           f"{lib} is not installed where the checker runs: install it into "
                           f"the environment tinygrad-edu runs in (pip install {lib}), and this "
                           "check can run", where=f"{frame.name} ({where})")
    line = f": {frame.line.strip()}" if frame.line else ""
    hint, at = "", f"{_qualname(e, frame)} ({where})"
    inplace = _none_from_in_place(frame) if "NoneType" in last else None
    if getattr(e, "hint", None):  # what the checker knows of this error (an Adapter's recorder)
        hint = e.hint
    elif inplace:
        name, call, lineno = inplace
        hint = (f"`{name} = {call}` at line {lineno} sets {name} to None: "
                f"{call.split('(')[0]} changes its argument in place and returns None; call "
                f"it on its own line (`{call}`) and keep using the argument")
        at = f"{_qualname(e, frame)} ({Path(frame.filename).name}:{lineno})"
    elif isinstance(e, AttributeError) and getattr(e, "obj", None) is not None and \
            e.name and (close := difflib.get_close_matches(e.name, dir(e.obj), n=1)):
        hint = (f"{type(e.obj).__name__} has no {e.name}: did you mean {close[0]}? A misspelt "
                "name fails only when its line runs, which is why your program got this far")
    elif "NoneType" in last:
        attr = _none_attribute(e, frame)
        hint = (f"self.{attr} is None when {frame.name} runs: it is set by another method that "
                f"has not run on this batch (the forward pass, in {function}, before what "
                "reads it?), or a function forgot to `return` its result") if attr else \
            "a value is None: did a function (feedforward?) forget to `return` its result?"
    return CheckResult(check, "error", f"{function} raised {last} at {where}{line}",
                       details=[hint] if hint else [], where=at,
                       data={"exception": type(e).__name__, "message": str(e),
                             "file": frame.filename, "line": frame.lineno})


_IN_PLACE = ("shuffle", "sort", "reverse", "append", "extend", "insert", "update")


def _none_from_in_place(frame):
    """(name, call, line) when the failing line reads a name that its function assigned from a
    call that works in place and returns None (`training_data = random.shuffle(training_data)`),
    else None."""
    inner = function_node(types.SimpleNamespace(file=frame.filename, line=frame.lineno))
    for n in ast.walk(inner) if inner is not None and frame.line else ():
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.Call) and \
                ast.unparse(n.value.func).rpartition(".")[2] in _IN_PLACE and \
                n.lineno < frame.lineno and \
                re.search(rf"\b{n.targets[0].id}\b", frame.line):
            return n.targets[0].id, ast.unparse(n.value), n.lineno
    return None


def _qualname(e, frame):
    """frame's function as its code names it (SGD.step, Network.SGD for its list
    comprehension), where Python says (3.11+); its bare name before."""
    tb = e.__traceback__
    while tb is not None and not (tb.tb_frame.f_code.co_filename == frame.filename
                                  and tb.tb_lineno == frame.lineno):
        tb = tb.tb_next
    name = getattr(tb.tb_frame.f_code, "co_qualname", frame.name) if tb else frame.name
    return re.sub(r"\.<locals>\.<\w+>$", "", name).replace(".<locals>", "")


def _none_attribute(e, frame):
    """The name of an attribute of self that the failing line reads and that is None (the
    self.t a DLFS layer's forward pass stores, read by a backward run first), or None."""
    tb = e.__traceback__
    while tb is not None and not (tb.tb_frame.f_code.co_filename == frame.filename
                                  and tb.tb_lineno == frame.lineno):
        tb = tb.tb_next
    owner = tb.tb_frame.f_locals.get("self") if tb is not None else None
    if owner is None or not frame.line:
        return None
    return next((a for a in re.findall(r"\bself\.(\w+)", frame.line)
                 if getattr(owner, a, 0) is None), None)


def _set_by_script(e, frame):
    """(the skipped script statement that assigns the global a NameError names, or None; the
    argument names of the learner's function that raised): the learner's function reads `test`
    that `train, test = digits.load()` at the bottom sets."""
    name = getattr(e, "name", None)
    if not isinstance(e, NameError) or not name:
        return None, ()
    tb, scope, args = e.__traceback__, None, ()
    while tb is not None:  # the learner's frame's module, where load() kept the skipped lines
        if tb.tb_frame.f_code.co_filename == frame.filename and tb.tb_lineno == frame.lineno:
            scope, code = tb.tb_frame.f_globals, tb.tb_frame.f_code
            args = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
        tb = tb.tb_next
    for skipped in (scope or {}).get("__skipped__", []):
        for node in ast.walk(skipped.node):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For)) \
                else []
            if any(isinstance(n, ast.Name) and n.id == name
                   for t in targets for n in ast.walk(t)):
                return str(skipped), args
    return None, args


def where(learner, role):
    """'Network.feedforward (net.py:14)' for role, or None when the Learner does not say."""
    w = learner.where.get(role)
    return str(w) if w is not None else None


def function(learner, role, fallback):
    """The learner's name for the function playing role ('Network.feedforward'), or fallback."""
    w = learner.where.get(role)
    return w.function if w is not None else fallback


def skipped(check, why):
    return CheckResult(check, "skipped", why)


def _trees(learner):
    """(file, its parsed module) for each of the learner's source files that parses."""
    for file in learner.files:
        try:
            yield file, ast.parse(Path(file).read_text())
        except (OSError, SyntaxError, ValueError):
            continue


def function_node(w):
    """The innermost function definition in the learner's source holding Where w (for a script
    with no functions, its training loop), or None."""
    if w is None:
        return None
    try:
        tree = ast.parse(Path(w.file).read_text())
    except (OSError, SyntaxError, ValueError):
        return None
    found = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                node.lineno <= w.line <= (node.end_lineno or node.lineno) and \
                (found is None or node.lineno >= found.lineno):
            found = node
    if found is None and w.function == SCRIPT_LOOP:  # a script's code: its training loop
        loop = min((node for node in ast.walk(tree) if isinstance(node, (ast.For, ast.While))
                    and node.lineno <= w.line <= (node.end_lineno or node.lineno)),
                   key=lambda node: node.lineno, default=None)  # the outermost, if any
        if loop is not None:  # read as a function of no arguments whose body is the loop
            found = ast.FunctionDef(name=SCRIPT_LOOP, args=ast.arguments(
                posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                kwarg=None, defaults=[]), body=[loop], decorator_list=[], returns=None,
                type_params=[])
            ast.copy_location(found, loop)
    return found


SCRIPT_LOOP = "the training loop"  # the Where of a script's code, which has no function


def returned_calls(w):
    """The names of the learner's functions whose results the function at Where w returns
    (`return self.forward(X)`: {'forward'}; not Python's or numpy's: sum, int, argmax)."""
    node = function_node(w)
    returns = [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value] \
        if node is not None else []
    names = {c.func.attr if isinstance(c.func, ast.Attribute) else c.func.id
             for value in returns for c in ast.walk(value) if isinstance(c, ast.Call)
             and isinstance(c.func, (ast.Attribute, ast.Name))}
    return {n for n in names if not hasattr(builtins, n) and n not in _NUMPY_CALLS}


# what an evaluation or a forward pass returns through, which are numpy's, not the learner's
_NUMPY_CALLS = {"mean", "argmax", "dot", "array", "asarray", "exp", "matmul", "count_nonzero",
                "average", "equal", "astype", "reshape", "item", "tolist", "squeeze"}


def assigns(learner, role, names, layers=True, gradients=None):
    """Where for role moved to the first line of its function that assigns one of names (the
    learner's parameters: `self.biases = [...]`, `grads['b1'] = ...`), as str; else, with
    layers, the line of a layer object's method that does (_layer_method); else the function's
    own line (a loop over zip(...), an index computed at run time). In a backprop the lines
    looked for are those of the names' gradients (`self.dW2 = ...`), unless gradients=False
    asks for the parameters' own (`self.W2 = ...`, a backprop that changes a weight)."""
    w = learner.where.get(role)
    node = function_node(w)
    if node is None:
        return where(learner, role)
    gradients = role == "backprop" if gradients is None else gradients
    wanted = _gradient_names(node, learner, names) if gradients else _param_names(names)
    found = _assignments(node, wanted)
    if not found:
        return (role == "backprop" and _in_callee(node, learner, names)) or \
            (layers and layer_method(learner, role, names)) or where(learner, role)
    # from the role's own first line on: an update written inline in a training function
    # (`W2 = W2 - alpha * dW2` in its loop) starts below the `W1, ..., W2 = init_params()`
    first = min([n for n in found if n.lineno >= w.line] or found, key=lambda n: n.lineno)
    copied = _copied_from_layer(learner, first, wanted) if gradients else None
    return copied or str(dataclasses.replace(w, line=first.lineno))


def _copied_from_layer(learner, assign, wanted):
    """Where (as str) of the layer method that sets the gradient an assignment copies
    (`grads['b2'] = self.layers['Affine2'].db`: Affine.backward's `self.db = ...`), or None."""
    if not isinstance(assign, ast.Assign) or len(assign.targets) != 1:
        return None
    target, value = assign.targets[0], assign.value
    pairs = zip(target.elts, value.elts) if isinstance(target, ast.Tuple) and \
        isinstance(value, ast.Tuple) else [(target, value)]
    for t, v in pairs:
        key = t.slice.value if isinstance(t, ast.Subscript) and \
            isinstance(t.slice, ast.Constant) else None
        if (ast.unparse(t) in wanted or key in wanted) and isinstance(v, ast.Attribute) and \
                v.attr.startswith("d") and len(v.attr) > 1:
            return layer_method(learner, "backprop", [f"layer.{v.attr[1:]}"])
    return None


def _in_callee(node, learner, names):
    """Where (as str) of the line, in a function the backprop calls, that sets the gradient of
    names' kind (`db = ...` in Coursera's linear_backward for parameters['b3']), when one such
    function does, also through one it calls (Coursera's linear_activation_backward calls
    linear_backward); else None."""
    def calls_in(f):
        return {c.func.id if isinstance(c.func, ast.Name) else c.func.attr
                for c in ast.walk(f) if isinstance(c, ast.Call) and (
                    isinstance(c.func, ast.Name) or isinstance(c.func, ast.Attribute) and
                    isinstance(c.func.value, ast.Name) and c.func.value.id == "self")}

    functions = {f.name: f for _, tree in _trees(learner) for _, f in _functions(tree)}
    called, todo = set(), calls_in(node)
    for _ in range(3):  # the backprop's callees, theirs, and theirs
        todo = {name for name in todo if name in functions and name not in called}
        called |= todo
        todo = {name for f in todo for name in calls_in(functions[f])}
    kinds = {re.sub(r"\d+", "", w) for w in _param_names(names) if w.isidentifier()}
    wanted = {g for k in kinds for g in (f"d{k}", f"d{k.lower()}", f"d_{k}", f"grad_{k}")}
    found = []
    for file, tree in _trees(learner):
        own = {f.name for _, f in _functions(tree)}
        for qualname, f in _functions(tree):
            if f.name in called and f is not node:  # not `dA, dW, db = linear_backward(...)`
                found += [(qualname, file, n.lineno) for n in _assignments(f, wanted)
                          if not (isinstance(n.value, ast.Call) and
                                  called_name(n.value) in own)]
    if len({(q, f) for q, f, _ in found}) != 1:  # one function, not one of several
        return None
    return f"{found[0][0]} ({Path(found[0][1]).name}:{min(n for *_, n in found)})"


def called_name(call):
    """The bare name a call calls: linear_backward for linear_backward(...) or self.x(...)."""
    return call.func.id if isinstance(call.func, ast.Name) else \
        call.func.attr if isinstance(call.func, ast.Attribute) else None


def _param_names(names):
    """What assigns names in the learner's code: self.biases for self.biases[0], b1 for
    params['b1']."""
    wanted = set()
    for name in names:
        wanted.add(name.split("[")[0])  # self.biases[0] is set by `self.biases = ...`
        try:
            index = ast.parse(name, mode="eval").body
        except SyntaxError:
            continue
        if isinstance(index, ast.Subscript) and isinstance(index.slice, ast.Constant) and \
                isinstance(index.slice.value, str):
            wanted.add(index.slice.value)  # params['b1'] is set by `grads['b1'] = ...`
    return wanted


def _gradient_names(node, learner, names):
    """What assigns the gradients of names in a backprop: W2's by `dW2 = ...`, `grads['dW2']
    = ...`, or the name it returns in W2's place."""
    wanted = _param_names(names)
    found = set(wanted) | {learner.gradient_names[n] for n in names
                           if n in learner.gradient_names}
    for w in wanted:  # b1's by db1 = ...; self.b1's by self.db1 = ... (or a local db1)
        owner, _, bare = w.rpartition(".")
        if not bare.isidentifier() or (owner and not owner.replace(".", "").isidentifier()):
            continue
        for g in gradient_spellings(bare):
            found |= {g, f"{owner}.{g}"} if owner else {g}
    return found | _returned(node, learner, names)


def gradient_spellings(name):
    """What a learner calls name's gradient: dW1, d_W1, grad_W1, W1_grad, nabla_W1, gW1."""
    return [f"d{name}", f"d_{name}", f"grad_{name}", f"{name}_grad", f"nabla_{name}",
            f"g{name}", f"grad{name}", f"delta_{name}"]


def _assignments(node, wanted):
    """The assignments in node to a name, or a constant key, in wanted, in line order."""
    found = []
    for n in ast.walk(node):
        targets = n.targets if isinstance(n, ast.Assign) else \
            [n.target] if isinstance(n, ast.AugAssign) else []
        targets = [e for t in targets for e in (  # grads['W2'], grads['b2'] = ...
            t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])]
        value = getattr(n, "value", None) if targets else None
        values = value.elts if isinstance(value, ast.Tuple) else [value]
        alias = bool(targets) and all(
            isinstance(v, (ast.Name, ast.Attribute, ast.Subscript, ast.Constant))
            for v in values) and any(  # of what the names are: b1 = self.params['b1']
            re.search(rf"\b{re.escape(w.rpartition('.')[2])}\b", ast.unparse(v))
            for v in values for w in wanted)
        for t in targets:
            key = t.slice.value if isinstance(t, ast.Subscript) and \
                isinstance(t.slice, ast.Constant) else None
            if isinstance(t, ast.Name) and alias:
                continue  # b1, b2 = self.params['b1'], self.params['b2']: a read, not a step
            base = t.value.id if isinstance(t, ast.Subscript) and \
                isinstance(t.value, ast.Name) else None  # db[l] = ... for a list db
            if ast.unparse(t) in wanted or (isinstance(key, str) and key in wanted) or \
                    f"{base}[]" in wanted:
                found.append(n)
                break
    return sorted(found, key=lambda n: n.lineno)


def delta_line(learner, role, b):
    """Where (as str) of the line that computes the δ of bias b's layer: the δ that b's
    gradient line reads (`grads['b1'] = np.sum(da1, axis=0)` → `da1 = ...`, a returned
    `db1 = np.sum(dz1, ...)` → `dz1 = ...`), or that line itself when the backprop returns the
    δ as b's gradient (`return [dW1, d1, ...]`); None when neither is found."""
    w = learner.where.get(role)
    node = function_node(w)
    if node is None or b is None:
        return None
    wanted = _gradient_names(node, learner, [b])
    lines = _assignments(node, wanted) or _nielsen_bias_line(node, learner, b)
    if not lines:
        return None
    first = lines[0]
    returned = _returned(node, learner, [b])
    targets = first.targets if isinstance(first, ast.Assign) else [first.target]
    summed = any(isinstance(c, ast.Call) and called_name(c) == "sum"  # db1 = np.sum(dz1, ...)
                 for c in ast.walk(first.value))
    if summed or not any(isinstance(t, ast.Name) and t.id in returned for t in targets):
        reads = {v.id for v in ast.walk(first.value) if isinstance(v, ast.Name)}
        earlier = [n for n in ast.walk(node) if isinstance(n, ast.Assign) and
                   n.lineno < first.lineno and any(isinstance(t, ast.Name) and t.id in reads
                                                   for t in n.targets)]
        if not earlier:
            return None
        first = max(earlier, key=lambda n: n.lineno)
    return str(dataclasses.replace(w, line=first.lineno))


def _spelled(name):
    """A pattern for parameter name as code writes it: params['W2'] with either quote, self.W[2]
    with or without spaces in the brackets, W2 as a whole word."""
    parts = re.split(r"(['\"])", name)
    text = "".join("['\"]" if p in ("'", '"') else re.escape(p) for p in parts)
    text = text.replace(r"\[", r"\[\s*").replace(r"\]", r"\s*\]")
    return rf"(?<![\w.]){text}(?!\w)"


def weight_line(learner, role, wrong, right):
    """Where (as str) of the line of role's function that writes BP2 with parameter wrong where
    it needs right (`d0 = (self.W[2].T @ d1) * sp` for self.W[1]): a product (@ or dot) of
    wrong. When wrong is used that way on more lines (its own right use among them), the code
    runs down the layers, so the slip is the last of them when wrong is the W of a layer above
    right, and the first when it is one below; None when no line names wrong."""
    w = learner.where.get(role)
    node = function_node(w)
    if node is None:
        return None
    lines = Path(w.file).read_text().splitlines()
    pattern = re.compile(_spelled(wrong))
    found = [number for number in range(node.lineno + 1, (node.end_lineno or node.lineno) + 1)
             if pattern.search(code := lines[number - 1].split("#")[0])
             and ("@" in code or "dot(" in code)]
    if not found:
        return None
    order = [p.name for p in learner.params]
    above = wrong in order and right in order and order.index(wrong) > order.index(right)
    return str(dataclasses.replace(w, line=found[-1] if above else found[0]))


def read_after_step(learner, role, names):
    """(name, step line, read line, that line's code) for the first of names that role's
    function steps (`self.who += ...`, `W2 -= ...`, `W2 = W2 - ...`) and then reads on a later
    line of its own that is not a step of it: an error computed with the weights already
    moved (`hidden_errors = self.who.T @ ...` after `self.who += ...`). None when none is."""
    w = learner.where.get(role)
    node = function_node(w)
    if node is None:
        return None
    lines = Path(w.file).read_text().splitlines()
    body = range(node.lineno + 1, (node.end_lineno or node.lineno) + 1)
    for name in names:
        spelled = _spelled(name)
        steps = re.compile(rf"{spelled}\s*([-+]=|=\s*{spelled}\s*[-+])")
        stepped = [k for k in body if steps.search(lines[k - 1].split("#")[0])]
        reads = [k for k in body if stepped and k > stepped[0] and k not in stepped
                 and re.search(spelled, lines[k - 1].split("#")[0])]
        if reads:
            return name, stepped[0], reads[0], lines[reads[0] - 1].strip()
    return None


def _nielsen_bias_line(node, learner, b):
    """[the line of network.py's backprop that sets bias b's gradient]: `nabla_b[-1] = delta`
    for the last layer, `nabla_b[-l] = delta` in the loop over the layers below for another;
    [] when b is not a self.biases[k] or no such line is found."""
    match = re.fullmatch(r"self\.\w+\[(\d+)\]", b)  # self.biases[1], self.b[1]
    if match is None:
        return []
    last = int(match.group(1)) == sum(p.role == "b" for p in learner.params) - 1
    loops = [n for n in ast.walk(node) if isinstance(n, (ast.For, ast.While))]
    in_loop = {id(n) for loop in loops for n in ast.walk(loop)}
    return [n for n in ast.walk(node) if isinstance(n, ast.Assign) and len(n.targets) == 1
            and isinstance(n.targets[0], ast.Subscript)
            and isinstance(n.targets[0].value, ast.Name) and "b" in n.targets[0].value.id
            and (ast.unparse(n.targets[0].slice) == "-1") == last
            and (id(n) in in_loop) != last]


def _returned(node, learner, names):
    """The names a backprop returns for names, read as one gradient per parameter in the
    parameters' order (`return [dW1, d1, dW2, d2]` for W1, b1, W2, b2: b1's gradient is d1)."""
    order = [p.name for p in learner.params]
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Return) and isinstance(n.value, (ast.Tuple, ast.List)) and \
                len(n.value.elts) == len(order):
            found |= {n.value.elts[order.index(name)].id for name in names if name in order
                      and isinstance(n.value.elts[order.index(name)], ast.Name)}
    return found


_TARGET = r"(self\.)?(t|T|y|Y|targets?|labels?|y_true|one_hot_?[yY])\b"
LINES = {  # what the line at fault looks like, by the mistake found (the book's rules)
    "delta": rf"\b{_TARGET}\s*-\s*[A-Za-z_]|[A-Za-z_][\w.\[\]-]*\s*-\s*{_TARGET}",  # a − y
    "sigma_prime_of_a": r"(?i)((sigmoid|sig|relu|tanh)\w*(prime|deriv|grad)|d_?(sigmoid|sig|relu"
                        r"|tanh))\w*\(\s*(self\.)?(a\b|a\d|a_|act|activations?\b|out|hidden_out"
                        r"|final_out)",
    "rashid": r"\.T\b.*err",
}
# BP2's W·δ where it needs Wᵀ·δ: a δ-like operand times a weight with no .T (d2 @ self.W2,
# W2 @ dZ2, np.dot(self.weights[-l + 1], delta), np.dot(delta, W2)); the forward's x @ W1 has
# no δ in it
_DELTA_WORD = r"(?:\w*delta\w*|d_?[a-zA-Z]*\d\w*|d[zZaA]\w*|\w*err\w*)"
_WEIGHT = r"(?:self\.)?(?:W\w*|w(?:ih|ho|hh|_ih|_ho)\b|weights\[[^\]]*\])"  # Rashid's wih, who
LINES["untransposed_W"] = (
    rf"\b{_DELTA_WORD}\s*@\s*{_WEIGHT}(?!\s*\.T|\.transpose|\w)"
    rf"|{_WEIGHT}\s*@\s*{_DELTA_WORD}\b"
    rf"|dot\(\s*{_WEIGHT}\s*,\s*{_DELTA_WORD}\s*\)"
    rf"|dot\(\s*{_DELTA_WORD}\s*,\s*{_WEIGHT}\s*\)")
LINES["sigma_prime_of_a_output"] = LINES["sigma_prime_of_a"]
LINES["labels_not_one_hot"] = LINES["delta"]
# δᴸ = ∂C/∂a without σ′: the backprop's own output δ line, a − y or a call of the cost's
# derivative (network.py's `delta = self.cost_derivative(activations[-1], y)`), never the cost
# function, which is right: the σ′ belongs beside it
LINES["output_delta_without_sigma_prime"] = (
    LINES["delta"] + r"|\b(cost_derivative|cost_prime|cost_grad\w*|d_?cost|loss_derivative"
    r"|loss_prime|loss_grad\w*|d_?loss)\s*\(")
# A cost's or loss layer's function that computes a gradient (cost_derivative,
# SoftmaxWithLoss.backward, CrossEntropyCost.delta), not the cost's value (quadratic_cost)
_GRADIENT_NAME = re.compile(r"(?i)deriv|prime|grad|delta|backward|^d_?(cost|loss)")


def line_like(learner, role, kind):
    """Where (as str) of the first line of role's function that looks like LINES[kind] (the
    output δ `dZ2 = A2 - Y`, a σ′ taken at `activations[-l]`), outside comments; for the output
    δ, else of a cost's or loss layer's own function that computes a gradient (cost_derivative,
    SoftmaxWithLoss.backward, in any of the learner's files; not quadratic_cost, which computes
    the cost itself); None when no line does."""
    w = learner.where.get(role)
    node = function_node(w)
    if node is None or kind not in LINES:
        return None
    places = [(w.function, w.file, node)]
    if LINES[kind] == LINES["delta"]:
        for file, tree in _trees(learner):
            places += [(q, file, f) for q, f in _functions(tree)
                       if ("loss" in q.lower() or "cost" in q.lower()) and f is not node
                       and _GRADIENT_NAME.search(f.name)]
    for function, file, f in places:
        lines = Path(file).read_text().splitlines()
        # a script's loop: from where its role starts (its backprop after the forward and cost)
        start = w.line if f is node and function == SCRIPT_LOOP else f.lineno + 1
        for number in range(start, (f.end_lineno or f.lineno) + 1):
            if re.search(LINES[kind], lines[number - 1].split("#")[0]):
                return f"{function} ({Path(file).name}:{number})"  # as Where says it
    return None


def _functions(tree):
    """(qualified name, node) for every function of a file: Class.method, or the bare name."""
    methods = {id(node): q for q, node in _methods(tree)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield methods.get(id(node), node.name), node


def dropped(learner):
    """(where, a sentence) when the program calls the update as a statement of its own and
    drops what it returns, while the update only rebinds its arguments (W1 = W1 - alpha * dW1
    leaves the caller's arrays as they were); else None."""
    w = learner.where.get("update")
    node = function_node(w)
    if node is None or not any(isinstance(n, ast.Return) and n.value is not None
                               for n in ast.walk(node)):
        return None
    args = {a.arg for a in node.args.args}
    in_place = any(  # W1 -= ..., W[0] = ..., params['W1'] = ..., w.data = ...: the caller sees it
        isinstance(t, (ast.Subscript, ast.Attribute)) and isinstance(_root(t), ast.Name) and
        _root(t).id in args or isinstance(n, ast.AugAssign) and isinstance(t, ast.Name) and
        t.id in args
        for n in ast.walk(node) if isinstance(n, (ast.Assign, ast.AugAssign))
        for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))
    rebound = [t.id for n in ast.walk(node) if isinstance(n, ast.Assign)
               for t in n.targets if isinstance(t, ast.Name) and t.id in args]
    if in_place or not rebound:
        return None
    returned = [e.id for n in ast.walk(node) if isinstance(n, ast.Return)
                for e in (n.value.elts if isinstance(n.value, ast.Tuple) else [n.value])
                if isinstance(e, ast.Name)]
    rebound = [r for r in returned if r in rebound]  # it returns what it rebinds
    if not rebound:
        return None
    name = node.name
    for file, tree in _trees(learner):
        for n in ast.walk(tree):
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call) and \
                    ast.unparse(n.value.func).rpartition(".")[2] == name:
                caller = next((f.name for f in ast.walk(tree) if isinstance(
                    f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f is not node and
                    f.lineno <= n.lineno <= (f.end_lineno or f.lineno)), None)
                said = rebound[:4] + (["..."] if len(rebound) > 4 else [])
                return (f"{caller or Path(file).stem} ({Path(file).name}:{n.lineno})",
                        f"{caller or 'your script'} calls {name} at line {n.lineno} and drops "
                        f"what it returns: {name} rebinds {', '.join(said)} (new arrays, "
                        "which the caller never sees) and returns them, so training never "
                        f"changes its parameters; assign them: {', '.join(said)} = "
                        f"{ast.unparse(n.value)}")
    return None


def _root(node):
    """The name an attribute or subscript chain starts from: params in params['W1'].T."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node


def return_in_loop(learner, role, names=()):
    """Where (as str) of a `return` inside a loop of role's function, or of the layer method
    that steps names (SGD.step): the loop ends at its first pass (only the first layer is
    updated); None when there is none."""
    w = learner.where.get(role)
    line = _loop_return(function_node(w))
    if line is not None:
        return str(dataclasses.replace(w, line=line))
    return layer_method(learner, role, names, find=_loop_return) if names else None


def _loop_return(node):
    """The line of a `return` inside a for or while loop of node, or None."""
    for loop in ast.walk(node) if node is not None else ():
        if isinstance(loop, (ast.For, ast.While)):
            for n in ast.walk(loop):
                if isinstance(n, ast.Return):
                    return n.lineno
    return None


def counter(node):
    """The line of a `self.iterations += 1` in node (a counter advanced per call), or None."""
    return next((n.lineno for n in ast.walk(node) if isinstance(n, ast.AugAssign) and
                 isinstance(n.target, ast.Attribute) and isinstance(n.value, ast.Constant) and
                 n.value.value == 1), None)


def layer_method(learner, role, names, find=None):
    """For a parameter of a layer object (self.layers[2].b, dense1.weights), the line of the
    layer's method that sets its gradient (self.db = ..., self.dweights = ...) for role
    "backprop", or that steps it (layer.b -= ...) for role "update", as 'Dense.backward
    (net.py:25)'; with find, the line find(method) names instead (counter: a
    `self.iterations += 1` the step advances once per layer). None when no one such line is
    found in the learner's files."""
    attrs = [n.rsplit(".", 1)[1] for n in names if "." in n and n.rsplit(".", 1)[0] != "self"]
    for attr in attrs:
        if not attr.isidentifier():
            continue
        grads = {f"self.{g}" for g in (f"d{attr}", f"d_{attr}", f"grad_{attr}", f"{attr}_grad",
                                       f"d{attr[:1].upper()}{attr[1:]}", f"{attr}.grad")}
        found = []
        for file, tree in _trees(learner):
            for qualname, node in _methods(tree):
                if node.name == "__init__":
                    continue
                for n in ast.walk(node):
                    if isinstance(n, ast.Assign):
                        targets, stepped = n.targets, False
                    elif isinstance(n, ast.AugAssign):
                        targets, stepped = [n.target], True
                    else:
                        continue
                    for t in targets:
                        text = ast.unparse(t)
                        if (role == "backprop" and text in grads) or (
                                role == "update" and stepped and isinstance(t, ast.Attribute)
                                and t.attr == attr):
                            found.append((qualname, file, n.lineno, node))
        if len({(q, f) for q, f, *_ in found}) == 1:  # one method, not one of several layers'
            line = min(line for _, _, line, _ in found)
            if find is not None:
                line = find(found[0][3])
                if line is None:
                    return None
            return f"{found[0][0]} ({Path(found[0][1]).name}:{line})"  # as Where says it
    return None


def _methods(tree):
    """(Class.method, node) for every function defined in a class, at any depth."""
    for cls in ast.walk(tree):
        if isinstance(cls, ast.ClassDef):
            for node in cls.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{cls.name}.{node.name}", node


def reshaped(learner, before, check):
    """A wrong result when the learner's update gave a parameter another shape than it had in
    before (a snapshot): a gradient of another shape broadcast into it (b of (10, 1) minus a
    (1, 7) sum becomes (10, 7)), which every later step and cost would trip over. Else None."""
    for p, now in zip(learner.params, learner.shapes().values()):
        was = before[p.name].shape
        if now != was:
            return CheckResult(
                check, "wrong", f"{function(learner, 'update', 'the update')} changes the shape "
                f"of {p.name} from {was} to {now}: a gradient of another shape was broadcast "
                "into it (p - η·g with g of the wrong shape: the gradients check says which)",
                where=assigns(learner, "update", [p.name]))
    return None
