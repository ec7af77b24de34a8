"""A script with no functions: its training loop read as the forward pass, backprop and update.

Many learners' first network is one file of top-level code: read the data, make ``W1, b1, W2, b2``
with ``np.random.randn``, then ``for epoch in range(300):`` a forward pass, the δs, the gradients
and ``W1 -= lr * dW1``, perhaps inside a loop over mini-batches. ``recognize`` reads that loop from
the file and runs its own statements, in the module's namespace, with the checker's data bound to
the script's data names:

- the parameters are the module's arrays the loop updates (``W1 -= ...``, ``W1 = W1 - ...``);
- the step is the loop body that holds those updates; its statements before the first update are
  the forward pass and the backprop; the forward pass ends at the last array of the output's shape
  made before the targets are first read, and each gradient is what its update subtracts, η aside;
- the data are the names the loop reads that the file's loading made (never run: the checker binds
  its own examples, in the layout the script's first product shows); the statements computed from
  them (``m = len(X)``) run again with every batch;
- one epoch is the training loop's body run once, with the step handed to a recorder.

Numpy and the standard library; the check package's adapter, learner and source.
"""

import ast
import builtins
import copy
import re
from pathlib import Path

import numpy as np

from .adapter import INPUTS, Adapter
from .calls import _HELD_OUT as _HELD
from .calls import SCRIPT_LOOP, gradient_spellings
from .learner import _HELD_OUT_X as _INPUT
from .learner import RATE, Where, held_out
from .oracle import COSTS
from .source import _WORK_WORDS
from .source import opened as _opened

N_OUT = 10  # digits
PROBE = 7  # examples the recognizer runs the loop's lines on: a batch not square with 10 outputs
STEP_CALL = "__tinygrad_edu_step__"  # what the epoch's step is replaced by, for the recorder
_LABELS = re.compile(r"(?i)label|digit|class|^y_?(int|idx)$")


class _Script:
    """What recognize read from the file: its top-level statements, training loop and step."""

    def __init__(self, module):
        self.module, self.ns = module, vars(module)
        # what the file itself bound: the names a recognition before this one bound are unbound
        loaded = self.ns.setdefault("__loaded_names__", set(self.ns) | {"__loaded_names__"})
        for name in set(self.ns) - loaded:
            del self.ns[name]
        self.file = str(Path(module.__file__).resolve())
        text = Path(self.file).read_text(encoding="utf-8", errors="replace")
        self.top = list(_opened(ast.parse(text).body))
        self.loop = self.step = None
        self.updates, self.params = [], []
        self.parts = {}  # id(update statement) -> [(parameter path, increment, sign)]
        skipped = {s.line for s in getattr(module, "__skipped__", [])}
        filled = set()  # the lists a loop filled: `L = len(weights)` after it runs again
        for node in self.top:
            if isinstance(node, (ast.For, ast.While)):
                found = self._updates(node)
                if found:
                    self.loop, (self.step, self.updates) = node, found
                    break
                filled |= self._fill(node)
            elif node.lineno in skipped or _reads(node) & filled:
                self._build(node)  # under `if __name__ == "__main__":`: W1 = ...
        if self.loop is not None:
            made = {}
            for node in self.top:  # in the order the file makes them: W1 before W2
                for name in _writes(node):
                    made.setdefault(name, node.lineno)
            paths = dict.fromkeys(p for u in self.updates for p, _, _ in self.parts[id(u)])
            # layer by layer (W[0], b[0], W[1], ...), a layer's weights before its biases
            # (one of whose sizes is 1), else in the order the file makes them
            self.params = sorted(paths, key=lambda p: (_index(p), 1 in np.shape(self.value(p)),
                                                       made.get(_base(p), 0)))
        self.bases = {_base(p) for p in self.params}  # W1, or W for W[0]

    def value(self, path):
        """The array at a parameter's path: W1, or W[0] of a list W."""
        return self.ns[path] if "[" not in path else self.ns[_base(path)][_index(path)]

    def _build(self, node):
        """Run a statement the loading skipped when it makes the network, not data: an
        assignment that reads no file (W1 = np.random.randn(30, 784), lr = 0.5) or a seed."""
        seed = isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and \
            ast.unparse(node.value.func).endswith("seed")
        if not seed and (not isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
                         or _loads(node)):
            return
        try:
            exec(compile(ast.Module([node], []), self.file, "exec"), self.ns)
        except Exception:  # needs the data: bound later, or left to the checks
            pass

    def _fill(self, loop):
        """Run a loop that only fills the network's lists, which loading skips as it skips
        every loop: `for n_in, n_out in zip(sizes[:-1], sizes[1:]): W.append(np.random.randn(
        n_in, n_out))`. Its body appends (or assigns entries) to module lists still empty,
        with numpy and builtins alone; anything else (a loader's loop) is left alone."""
        if not isinstance(loop, ast.For) or loop.orelse:
            return set()
        filled = set()
        for stmt in loop.body:
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                    call.func.attr == "append" and isinstance(call.func.value, ast.Name):
                filled.add(call.func.value.id)
            elif not (isinstance(stmt, ast.Assign) and all(
                    isinstance(t, (ast.Name, ast.Subscript)) for t in stmt.targets)):
                return set()
        empty = all(isinstance(self.ns.get(n), list) and not self.ns[n] for n in filled)
        if not filled or not empty or _loads(ast.Module(loop.body, [])):
            return set()
        numpy = {n for n, v in self.ns.items() if v is np or v is np.random}
        for n in ast.walk(loop):
            if isinstance(n, ast.Call):
                root = n.func
                while isinstance(root, ast.Attribute):
                    root = root.value
                if not (isinstance(root, ast.Name) and (root.id in numpy or root.id in filled
                                                        or hasattr(builtins, root.id))):
                    return set()  # a function of the file's own, or another library's
        try:
            exec(compile(ast.Module([loop], []), self.file, "exec"), self.ns)
        except Exception:
            for n in filled:  # half filled is worse than empty
                self.ns[n] = []
            return set()
        return filled

    def _updates(self, loop):
        """(the loop whose body holds them, the update statements) for loop, or None: the
        statements in one body that subtract from (or add to) a module array in place or by
        rebinding it."""
        for node in [loop, *(n for n in ast.walk(loop) if isinstance(n, (ast.For, ast.While))
                             and n is not loop)]:
            parts = {id(s): _parts(s, self.ns) for s in node.body}
            found = [s for s in node.body if parts[id(s)]]
            if sum(len(parts[id(s)]) for s in found) >= 2:
                self.parts = {id(s): parts[id(s)] for s in found}
                return node, found
        return None


def _updated(statement):
    """The name statement updates (`W1 -= lr * dW1`, `W1 = W1 - alpha * dW1`), or None."""
    if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name) and \
            isinstance(statement.op, (ast.Sub, ast.Add)):
        return statement.target.id
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
            isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.BinOp) \
            and isinstance(statement.value.op, (ast.Sub, ast.Add)) and \
            isinstance(statement.value.left, ast.Name) and \
            statement.value.left.id == statement.targets[0].id:
        return statement.targets[0].id
    return None


def _base(path):
    """The name a parameter's path starts with: W for W[0], W1 for W1."""
    return path.partition("[")[0]


def _index(path):
    """The layer index of a path into a list (2 for W[2]); 0 for a name."""
    return int(path[path.index("[") + 1:-1]) if "[" in path else 0


def _is_arrays(value):
    """Whether value is a list of float arrays, one per layer (W = [np.random.randn(30, 784),
    ...])."""
    return isinstance(value, list) and bool(value) and all(_is_array(v) for v in value)


def _parts(statement, ns):
    """[(the path of each parameter statement updates, what its update adds or subtracts, the
    sign: -1 for a subtraction)]; [] when it updates none. A module array by name (`W1 -= lr *
    dW1`, `W1 = W1 - lr * dW1`), or a module list of arrays, a layer at a time:
    `for i in range(L): W[i] -= lr * dW[i]`, `W = [w - lr * nw for w, nw in zip(W, nabla_w)]`
    or `for w, nw in zip(W, nabla_w): w -= lr * nw`, as W[0], W[1], ..., each increment with the
    layer's own index written in."""
    name = _updated(statement)
    if name is not None:
        if not _is_array(ns.get(name)):
            return []
        return [(name, *_increment(statement))]
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(
            statement.targets[0], ast.Name) and isinstance(statement.value, ast.ListComp):
        target, comp = statement.targets[0].id, statement.value
        elt = comp.elt
        if not (_is_arrays(ns.get(target)) and len(comp.generators) == 1
                and not comp.generators[0].ifs and isinstance(elt, ast.BinOp)
                and isinstance(elt.op, (ast.Sub, ast.Add)) and isinstance(elt.left, ast.Name)):
            return []
        zipped = _zipped(comp.generators[0].target, comp.generators[0].iter)
        if zipped.get(elt.left.id) != target:
            return []
        sign = -1 if isinstance(elt.op, ast.Sub) else 1
        return [(f"{target}[{k}]", _layer(elt.right, zipped, k), sign)
                for k in range(len(ns[target]))]
    if not isinstance(statement, ast.For) or statement.orelse:
        return []
    zipped = _zipped(statement.target, statement.iter)
    if zipped:  # for w, nw in zip(W, nabla_w): w -= lr * nw (in place: the list's own array)
        found = []
        for s in statement.body:
            # `b = b - lr * nb` too: it rebinds the loop's name and leaves the list's array as
            # it was, which the update check then shows (B[0] does not move)
            var = _updated(s)
            if var is not None and _is_arrays(ns.get(zipped.get(var))):
                target = zipped[var]
                expr, sign = _increment(s)
                found += [(f"{target}[{k}]", _layer(expr, zipped, k), sign)
                          for k in range(len(ns[target]))]
        return found
    # for i in range(L): W[i] -= lr * dW[i] (or W[i] = W[i] - ...), i run through its range
    if not (isinstance(statement.target, ast.Name) and isinstance(statement.iter, ast.Call)
            and ast.unparse(statement.iter.func) in ("range", "reversed")):
        return []
    try:
        steps = list(eval(compile(ast.Expression(statement.iter), "<range>", "eval"), dict(ns)))
    except Exception:
        return []
    var, found = statement.target.id, []
    for s in statement.body:
        subscript = s.target if isinstance(s, ast.AugAssign) else \
            s.targets[0] if isinstance(s, ast.Assign) and len(s.targets) == 1 else None
        if not (isinstance(subscript, ast.Subscript) and isinstance(subscript.value, ast.Name)
                and _is_arrays(ns.get(subscript.value.id))):
            return []  # the layer loop computes something else too: not an update alone
        target = subscript.value.id
        if isinstance(s, ast.AugAssign):
            if not isinstance(s.op, (ast.Sub, ast.Add)):
                return []
            expr, sign = s.value, -1 if isinstance(s.op, ast.Sub) else 1
        elif isinstance(s.value, ast.BinOp) and isinstance(s.value.op, (ast.Sub, ast.Add)) and \
                ast.unparse(s.value.left) == ast.unparse(subscript):
            expr, sign = s.value.right, -1 if isinstance(s.value.op, ast.Sub) else 1
        else:
            return []
        for i in steps:
            try:
                k = eval(compile(ast.Expression(subscript.slice), "<index>", "eval"),
                         {**ns, var: i})
            except Exception:
                return []
            k = k % len(ns[target]) if isinstance(k, int) else None
            if k is None:
                return []
            found.append((f"{target}[{k}]", _layer(expr, {var: i}, k, var), sign))
    return found


def _zipped(target, iterable):
    """{loop variable: the list it walks} for `for w, nw in zip(W, nabla_w)` (also under
    enumerate: `for i, (w, b) in enumerate(zip(W, B))`); {} for another loop."""
    if isinstance(iterable, ast.Call) and getattr(iterable.func, "id", "") == "enumerate" and \
            iterable.args and isinstance(target, ast.Tuple) and len(target.elts) == 2:
        target, iterable = target.elts[1], iterable.args[0]
    if not (isinstance(iterable, ast.Call) and getattr(iterable.func, "id", "") == "zip"
            and isinstance(target, ast.Tuple) and len(target.elts) == len(iterable.args)):
        return {}
    return {t.id: a.id for t, a in zip(target.elts, iterable.args)
            if isinstance(t, ast.Name) and isinstance(a, ast.Name)}


def _layer(expr, names, k, index=None):
    """expr for layer k: each loop variable of a zip (nw) as its list's entry (nabla_w[k]), the
    index variable of a range (i) as its value."""
    class Layer(ast.NodeTransformer):
        def visit_Name(self, node):
            if node.id == index:
                return ast.copy_location(ast.Constant(names[index]), node)
            if node.id in names and index is None:
                return ast.copy_location(ast.Subscript(ast.Name(names[node.id], ast.Load()),
                                                       ast.Constant(k), ast.Load()), node)
            return node
    return ast.fix_missing_locations(Layer().visit(copy.deepcopy(expr)))


def _increment(statement):
    """(the expression an update adds or subtracts, its sign: -1 for a subtraction)."""
    if isinstance(statement, ast.AugAssign):
        return statement.value, -1 if isinstance(statement.op, ast.Sub) else 1
    return statement.value.right, -1 if isinstance(statement.value.op, ast.Sub) else 1


def _is_array(value):
    return isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.ndim >= 1


def _reads(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return set()
    return {n.id for n in _walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _walk(node):
    """ast.walk that does not enter the bodies of functions and classes (a helper's locals)."""
    todo = [node]
    while todo:
        n = todo.pop()
        yield n
        if n is not node and isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef,
                                            ast.ClassDef, ast.Lambda)):
            continue
        todo.extend(ast.iter_child_nodes(n))


def _writes(node):
    """The names a statement binds or writes into (`X[i] = ...` writes X); a function or class
    definition binds its name only."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    found = set()
    local = {id(t) for c in _walk(node) if isinstance(c, ast.comprehension)
             for t in ast.walk(c.target)}  # [x for x, y in data]: x is the comprehension's
    for n in _walk(node):
        if id(n) in local:
            continue
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            found.add(n.id)
        elif isinstance(n, (ast.Subscript, ast.Attribute)) and isinstance(n.ctx, ast.Store):
            base = n.value
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
            if isinstance(base, ast.Name):
                found.add(base.id)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                n.func.attr in _FILLING and isinstance(n.func.value, ast.Name):
            found.add(n.func.value.id)  # X_list.append(vec) in a loader's loop fills X_list
    return found


def _fills(stmt, name):
    """Whether stmt appends to the list name (`A.append(sigmoid(z))`, in a loop too), as a
    forward pass keeps its activations; not a list made whole (`nabla_b = [np.zeros(...)]`)."""
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and isinstance(
            stmt.value.func, ast.Name) and not hasattr(builtins, stmt.value.func.id) and \
            name in _writes(stmt):
        return True  # zs, acts = forward(x): the activations a forward helper of yours kept
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr in ("append", "insert", "extend")
               and isinstance(n.func.value, ast.Name) and n.func.value.id == name
               for n in _walk(stmt))


def _in_order(stmt, names):
    """names in the order stmt last writes them (Z before A in a layer loop's body
    `Z.append(W[i] @ A[-1] + B[i]); A.append(σ(Z[-1]))`): the output is the last."""
    last = {}
    for n in _walk(stmt):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                n.func.attr in _FILLING:
            base = n.func.value
        elif isinstance(getattr(n, "ctx", None), ast.Store):
            base = n
            while isinstance(base, (ast.Subscript, ast.Attribute)):
                base = base.value
        else:
            continue
        if isinstance(base, ast.Name) and base.id in names:
            last[base.id] = max(last.get(base.id, (0, 0)), (n.lineno, n.col_offset))
    return sorted(names, key=lambda name: last.get(name, (0, 0)))


_FILLING = ("append", "extend", "insert", "update", "fill", "setdefault")


def _loads(node):
    """Whether a statement reads files or the network, or is a loop (a loader's loop)."""
    if isinstance(node, (ast.For, ast.While, ast.With)):
        return True
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            func = n.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if any(w in name.lower() for w in _WORK_WORDS if w not in ("train", "fit", "sgd")):
                return True
    return False


def looks_like(module):
    """Whether module is a script whose top-level loop updates two or more of its arrays."""
    try:
        return bool(_Script(module).params)
    except (OSError, SyntaxError, ValueError):
        return False


def _matmul_operands(node):
    """(left, right) of a product `a @ b` or `np.dot(a, b)`, or None."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        return node.left, node.right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
            node.func.attr in ("dot", "matmul"):
        if len(node.args) == 2:  # np.dot(W1, X)
            return node.args[0], node.args[1]
        if len(node.args) == 1:  # W1.dot(X)
            return node.func.value, node.args[0]
    return None


def _name_of(node):
    """The name an operand is (X, X.T, X[idx]): (name, transposed)."""
    transposed = False
    while True:
        if isinstance(node, ast.Attribute) and node.attr == "T":
            transposed, node = not transposed, node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                node.func.attr in ("reshape", "copy", "astype", "ravel", "flatten"):
            node = node.func.value  # X[i].reshape(784, 1)
        else:
            break
    return (node.id, transposed) if isinstance(node, ast.Name) else (None, False)


def _kind_of(got, X):
    """How a step's batch holds the examples X (rows) bound to the data: all of them as rows or
    columns, or the first one as a vector (n,), column (n, 1) or row (1, n); None if neither."""
    if got.shape == X.shape and np.array_equal(got, X):
        return "rows"
    if got.shape == X.T.shape and np.array_equal(got, X.T):
        return "columns"
    first = X[0]
    if got.size == first.size and np.array_equal(got.ravel(), first):
        return {1: "vector"}.get(got.ndim) or ("column" if got.shape[-1] == 1 else "row")
    return None


def _weight_product(statements, weights, wanted):
    """(name, layout) for the first product of a weight with a name wanted(name) accepts in
    statements: X in `X @ W1` is rows, in `W1 @ X` or `W1.dot(X)` columns, and X.T turns either
    round; (None, None) when there is none."""
    for stmt in statements:
        for node in ast.walk(stmt):
            pair = _matmul_operands(node)
            for k, side in enumerate(pair or ()):
                name, transposed = _name_of(side)
                if _name_of(pair[1 - k])[0] in weights and name is not None and wanted(name):
                    return name, "rows" if (k == 0) != transposed else "columns"
    return None, None


class _Runner:
    """Runs the script's own statements in its module's namespace on the checker's data."""

    def __init__(self, script, data):
        self.s, self.ns, self.file = script, script.ns, script.file
        step_body = script.step.body
        first = step_body.index(script.updates[0])
        # what reads the network: its arrays, and the file's functions that read them (a
        # forward(x) helper over the global lists)
        params = script.bases | {n for n, v in self.ns.items() if hasattr(v, "__code__")
                                 and v.__code__.co_filename == self.file
                                 and set(v.__code__.co_names) & script.bases}
        # the statements that pick the batch (idx = perm[i:i + b]; xb = X[idx]) lead the step
        lead = 0
        while lead < first and not (_reads(step_body[lead]) & params):
            lead += 1
        self.lead, self.pre = step_body[:lead], step_body[lead:first]
        self.update_stmts = [s for s in step_body[first:] if s in script.updates]
        last = step_body.index(self.update_stmts[-1])
        # the updates with what the step computes between them (the δ of the layer below,
        # after the layer above is stepped): all of it is the update, in the script's order
        self.steps = step_body[first:last + 1]
        self.interleaved = any(s not in script.updates for s in self.steps)
        self.weights = [p for p in script.params if script.value(p).ndim == 2
                        and 1 not in script.value(p).shape]  # not the (30, 1) biases
        # the names the loop's products call them: W1, or W and the w of `for w, b in zip(W, B)`
        self.weight_names = {_base(p) for p in self.weights} | _walkers(
            script.top, {_base(p) for p in self.weights})
        self.listed = False  # the step's input is the first entry of a list (A = [X[:, idx]])
        self.x, self.layout = self._input()
        if self.x is None:
            raise LookupError(f"check: the training loop of {Path(self.file).name} never "
                              f"multiplies {self.weights[0] if self.weights else 'a weight'} "
                              "by the examples: describe your program with check.Adapter "
                              "(docs/verify.md)")
        self.lr_names = self._rates()
        self.n_in = self._inputs(data)
        self.roots, self.derived = self._data_names()
        self.root_x, self.root_y, self.step_y = self._batch_names()
        self.full_batch = self.x == self.root_x
        self.prelude = self._prelude()
        # how a hook binds its examples, settled by probe(): "full" (the data names are the
        # batch), "replay" (the step's own leading lines pick it from them) or "direct" (bound
        # straight into the step's names); the data's layout, and the step's: rows or columns
        # for a batch, vector (n,), column (n, 1) or row (1, n) for one example
        self.mode = "full" if self.full_batch else "direct"
        self.data_layout = self.step_layout = self.layout
        self.layouts = {}  # a data name held the other way round from the inputs (T columns)
        self.step_labels = False  # whether the step's targets are digits
        self.direct_pre = self._computable(self.lead) + self.pre
        self.sizes = self._batch_constants()
        self.kept = {}  # the script's own values of sizes while a hook has them at its batch's

    def _batch_constants(self):
        """The module's integers the loop cuts its batches with (range(0, n, bs), X[k:k + bs],
        X[b * bs:(b + 1) * bs], n // bs) that the step reads too (dz2 = (probs - yb) / bs): a
        hook's batch, smaller than the script's, has them at its own size."""
        found = set()
        for node in ast.walk(self.s.loop):
            parts = []
            if isinstance(node, ast.Slice) and node.upper is not None:
                parts.append(node.upper)
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "range" and \
                    len(node.args) == 3:
                parts.append(node.args[2])
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.FloorDiv):
                parts.append(node.right)
            found |= {n.id for part in parts for n in ast.walk(part) if isinstance(n, ast.Name)}
        local = _assigned_in(self.s.loop) | set().union(*map(_writes, self.derived), set())
        reads = set().union(*map(_reads, self.pre + self.steps), set())  # lr / batch_size too
        return sorted(n for n in found & reads - local if isinstance(self.ns.get(n), int)
                      and not isinstance(self.ns.get(n), bool))

    def restore(self):
        """Give the script's batch sizes back their own values after a hook."""
        self.ns.update(self.kept)
        self.kept = {}

    def _prelude(self):
        """The assignments of the training loop's body before the loop over the batches that
        holds the step (perm = np.random.permutation(n)), and the step loop's own variable:
        what its leading lines (idx = perm[i:i + b]; xb = X[idx]) read."""
        if self.full_batch or self.s.step is self.s.loop:
            return []  # the loop over the batches is the training loop itself: nothing before
        found = []
        for stmt in self.s.loop.body:
            if any(n is self.s.step for n in ast.walk(stmt)):
                break
            if isinstance(stmt, (ast.Assign, ast.AugAssign)) and not _writes(stmt) & self.roots:
                found.append(stmt)
        return found

    def probe(self, X, Y, labels):
        """Settle how a hook binds its examples (canonical rows X, one-hot Y, labels): through
        the step's own leading lines (idx = perm[i:i + b]; xb = X[idx]; B = len(idx)) or its
        loop's first item (`for x, y in zip(X, Y)`) when they pick the batch, or one example,
        from the data bound to the script's names; else straight into the step's names."""
        if self.full_batch:
            self.step_labels = False
            return
        for layout in (self.layout, "columns" if self.layout == "rows" else "rows", "list"):
            self.mode, self.data_layout = "replay", layout
            try:
                self.bind(X, Y, labels)
                got = np.asarray(self.ns[self.x][0] if self.listed else self.ns[self.x])
            except Exception:
                continue
            kind = _kind_of(got, X)
            if kind is None:
                continue
            self.step_layout = kind
            self._settle_targets(X, Y, labels)
            if self._runs(X, Y, labels):
                return
        self.mode, self.data_layout = "direct", self.layout
        self.step_labels = self._direct_labels()
        try:  # the examples bound straight into the step's names: do its lines run on them?
            self.examples(X, Y, labels)
            with np.errstate(all="ignore"):
                exec(self._code(self.pre_lines), self.ns)
        except Exception as e:  # the checker's reading, not the learner's code, is at fault
            raise LookupError(
                f"check: the training loop of {Path(self.file).name} could not be run on the "
                f"checker's examples ({type(e).__name__}: {e}): the checker found no way to "
                f"hand its step a batch through {self.x} (a batch of (x, y) pairs looped over "
                "inside the step, Nielsen's update_mini_batch written out, is not read yet); "
                "describe your program with check.Adapter (docs/verify.md)") from None
        finally:
            self.restore()

    def _runs(self, X, Y, labels):
        """Whether the step's lines run on the examples bound so, and give each update a
        gradient of its parameter's shape (a (1024,) vector where the script holds (1024, 1)
        columns would broadcast into something else)."""
        try:
            self.bind(X, Y, labels)
            with np.errstate(all="ignore"):
                exec(self._code(self.pre), self.ns)
                exprs = None if self.interleaved else self.gradient_exprs()
                for name, expr in (exprs or {}).items():
                    code = compile(ast.fix_missing_locations(ast.Expression(expr)), self.file,
                                   "eval")
                    if np.shape(eval(code, self.ns)) != self.s.value(name).shape:
                        return False
        except Exception:
            return False
        return True

    def _settle_targets(self, X, Y, labels):
        """The layout of the targets' data name: the one that hands the step its example's (or
        batch's) own targets (t = T[:, i:i+1] with T in columns beside X in rows)."""
        name = self.root_y
        if name is not None and not self._holds_labels(name):
            for layout in (self.data_layout, "columns" if self.data_layout == "rows" else "rows"):
                self.layouts[name] = layout
                try:
                    self.bind(X, Y, labels)
                except Exception:
                    continue
                got = np.asarray(self.ns.get(self.step_y))
                want = Y[0] if self.per_example else Y
                if self.per_example and np.array_equal(got.ravel(), want) or \
                        got.shape == want.shape and np.array_equal(got, want) or \
                        got.shape == want.T.shape and np.array_equal(got, want.T):
                    break
        target = self.ns.get(self.step_y) if self.step_y else None
        self.step_labels = target is not None and np.asarray(target).dtype.kind in "iu"

    @property
    def per_example(self):
        return self.step_layout in ("vector", "column", "row")

    @property
    def pre_lines(self):
        """The step's lines a hook runs before the update: with its leading ones, or those of
        them that need only the batch."""
        return self.pre if self.mode == "replay" else self.direct_pre

    # ----- reading the loop ------------------------------------------------------------------

    def _input(self):
        """(the name the step multiplies its first weight by, the layout)."""
        for stmt in self.lead + self.pre:
            name, layout = _weight_product([stmt], self.weight_names,
                                           lambda n: n not in self.s.bases)
            if name is None:
                name, layout = self._through_helper(stmt)
            if name is not None:
                return self._first_of(name), layout
        return None, None

    def _through_helper(self, stmt):
        """(the argument, the layout) where stmt hands the examples to a function of the file
        that multiplies the weights by its parameter (`acts = forward(xb)` with `z = acts[-1] @
        weights[i] + biases[i]` inside, after `acts = [x]`); (None, None) otherwise."""
        helpers = {n.name: n for n in self.s.top if isinstance(n, ast.FunctionDef)}
        for call in (n for n in ast.walk(stmt) if isinstance(n, ast.Call)):
            fn = helpers.get(getattr(call.func, "id", None))
            if fn is None:
                continue
            weights = self.weight_names | _walkers(fn.body, {_base(p) for p in self.weights})
            name, layout = _weight_product(fn.body, weights,
                                           lambda n, known=weights: n not in known)
            for _ in range(5):  # acts = [x]; a = x: back to the parameter
                copied = next((st.value for st in ast.walk(fn) if isinstance(st, ast.Assign)
                               and len(st.targets) == 1 and getattr(st.targets[0], "id", None)
                               == name), None)
                if isinstance(copied, ast.List) and len(copied.elts) == 1:
                    copied = copied.elts[0]
                if not isinstance(copied, ast.Name):
                    break
                name = copied.id
            params = [a.arg for a in fn.args.args]
            if name in params and params.index(name) < len(call.args) and isinstance(
                    call.args[params.index(name)], ast.Name):
                return call.args[params.index(name)].id, layout
        return None, None

    def _first_of(self, name, depth=0):
        """The name a list of activations starts from (xb for `a = [xb]`, whose a[-1] the first
        product reads), or that a plain copy was made from (`activation = x`); else name. A
        list that starts from a batch cut in place (`A = [X[:, cols]]`) is itself the name,
        its first entry the batch (self.listed)."""
        for stmt in self.lead + self.pre:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and \
                    isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == name:
                value = stmt.value
                if isinstance(value, ast.List) and len(value.elts) == 1:
                    value = value.elts[0]
                    if not isinstance(value, ast.Name):
                        self.listed = True
                        return name
                if isinstance(value, ast.Name) and depth < 5:
                    return self._first_of(value.id, depth + 1)
        return name

    def _rates(self):
        """The module numbers the updates multiply by (lr, alpha, eta), directly or through a
        name the loop computes from one (`alpha = lr / m`: self.step_rates)."""
        def number(n):
            return isinstance(self.ns.get(n), (int, float)) and not isinstance(self.ns.get(n),
                                                                                bool)
        made = {}
        for node in ast.walk(self.s.loop):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                    isinstance(node.targets[0], ast.Name):
                made.setdefault(node.targets[0].id, node.value)
        names, self.step_rates = set(), set()
        for _, expr, _ in self.increments():
            for n in _reads(expr):
                if number(n) and (RATE.match(n) or isinstance(self.ns[n], float)):
                    names.add(n)  # not the batch size of `alpha / batch_size * dW[l]`
                elif n in made and RATE.match(n) and any(number(r) for r in _reads(made[n])):
                    self.step_rates.add(n)
                    names |= {r for r in _reads(made[n]) if number(r) and RATE.match(r)}
        return sorted(names)

    def _inputs(self, data):
        W1 = self.s.value(self.weights[0])
        n_in = data.train.X.shape[1]
        return n_in if n_in in W1.shape else next((k for k in INPUTS if k in W1.shape), None)

    def _defining(self, name):
        """The top-level statements before the loop that bind or write name, in order."""
        found = []
        for node in self.s.top:
            if node is self.s.loop:
                break
            if name in _writes(node):
                found.append(node)
        return found

    def _from_loading(self, name, depth=0):
        """Whether name is made by the file's data loading, or from what it made (X =
        np.array(X_list), which ran on the empty list when the file was loaded). The network's
        lists are not data, though a loop fills them (L = len(weights) is the network's)."""
        if name in self.s.bases:
            return False
        nodes = self._defining(name)
        if any(_loads(n) for n in nodes):
            return True
        return depth < 8 and any(self._from_loading(r, depth + 1) for r in
                                 set().union(*map(_reads, nodes), set()) - {name}
                                 if not hasattr(builtins, r))

    def _data_names(self):
        """(the data names to bind, the top-level statements computed from them, in file order):
        of the names the loop reads that the module lacks, those whose statement loads (or
        computes from what loading made) are bound by the checker, and those computed from
        bound names only (`m = len(X)`) run again with every batch."""
        needed = {n for n in _reads(self.s.loop) - self.s.bases if not hasattr(builtins, n)
                  and (n not in _assigned_in(self.s.loop) or self._defining(n))  # X = X[perm]
                  and (n not in self.ns or self._from_loading(n))}
        kinds, derived = {}, []

        def kind(name, depth=0):
            if name in kinds:
                return kinds[name]
            kinds[name] = "root"  # a cycle reads as loading
            nodes = self._defining(name)
            if not nodes or any(_loads(n) for n in nodes) or depth > 20:
                return "root"
            for r in set().union(*map(_reads, nodes)) - {name}:
                if hasattr(builtins, r) or r in self.ns and not self._from_loading(r):
                    continue  # sets = {} filled by a loading loop is loading's
                if kind(r, depth + 1) == "root" and r not in needed:
                    return "root"  # X = np.zeros((len(files), 1024)): made while loading
            kinds[name] = "derived"
            derived.extend(n for n in nodes if n not in derived)
            return "derived"

        roots = {n for n in sorted(needed) if kind(n) == "root" and self._defining(n)}
        order = {id(n): k for k, n in enumerate(self.s.top)}
        derived.sort(key=lambda n: order[id(n)])
        return roots, derived

    def _computable(self, lead):
        """The leading statements a hook runs too: those that need only what it binds (B =
        xb.shape[0]), not the loop's own position (idx = perm[i:i + b]) or the batch itself."""
        known = set(self.ns) | self.roots | {self.x, self.step_y} | set().union(
            *map(_writes, self.derived), set())
        kept = []
        for stmt in lead:
            if _writes(stmt) & {self.x, self.step_y} or not _reads(stmt) <= known | set(
                    dir(builtins)):
                continue
            kept.append(stmt)
            known |= _writes(stmt)
        return kept

    def _flows(self):
        """{name: the data names it is computed from}, over the training loop's statements in
        order (a loop's target from its iterable): which data the step's batch comes from."""
        deps = {r: {r} for r in self.roots}
        for node in [*self.derived, *ast.walk(self.s.loop)]:  # Y = np.eye(10)[y], then the loop
            if isinstance(node, ast.For):
                came = set().union(*(deps.get(r, set()) for r in _reads(node.iter)))
                for n in _writes(node.target):
                    deps[n] = deps.get(n, set()) | came
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(
                    node.targets[0], ast.Tuple) and isinstance(node.value, ast.Tuple):
                for t, v in zip(node.targets[0].elts, node.value.elts):  # x, t = X[i], T[i]
                    came = set().union(*(deps.get(r, set()) for r in _reads(v)))
                    for n in _writes(ast.Assign([t], v)):
                        deps[n] = deps.get(n, set()) | came
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                came = set().union(*(deps.get(r, set()) for r in _reads(node)))
                for n in _writes(node):
                    deps[n] = deps.get(n, set()) | came
        return deps

    def _batch_names(self):
        """(the data name of the inputs, that of the targets, the step's name for its targets)."""
        deps = self._flows()
        from_x = deps.get(self.x, set()) & self.roots
        root_x = self.x if self.x in self.roots else next(
            iter(sorted(from_x, key=lambda n: (not _INPUT.search(n), bool(_HELD.search(n)), n))),
            None)
        # what the step reads from before it: the data, or the batch its loop picked (yb)
        step_reads = set().union(*map(_reads, self.pre), set()) - set().union(
            *map(_writes, self.pre), set())
        found = []
        for name in sorted(step_reads - {self.x} - self.s.bases):
            roots = (deps.get(name, set()) & self.roots) - {root_x}
            if roots and name not in self.roots or name in self.roots and name != root_x:
                found.append((name, sorted(roots) or [name]))
        # the step's own name first (yb = Y[idx]), then the data's (Y)
        found.sort(key=lambda f: (f[0] in self.roots, f[0]))
        if not found:
            return root_x, None, None
        step_y, roots = found[0]
        base = self._base(step_y)
        if base is not None and base not in self.roots and base != root_x and any(
                base in _writes(d) for d in self.derived):
            # T = np.zeros((10, n)) + 0.01; T[labels, np.arange(n)] = 0.99: the targets the
            # step is given are the checker's, bound to T itself, never made from the digits
            self.roots.add(base)
            self.derived = [d for d in self.derived if base not in _writes(d)]
            return root_x, base, step_y
        return root_x, roots[0], step_y

    def _base(self, name, depth=0):
        """The name from outside the loop that the step's name is cut from: T for
        `t = T[:, i:i+1]`, Y for `yb = Y[idx]` or `for x, y in zip(X, Y)`, the name itself when
        the loop does not assign it; None when it is made another way."""
        if name not in _assigned_in(self.s.loop):
            return name
        if depth > 5:
            return None
        for node in ast.walk(self.s.loop):
            pairs = []
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                t, v = node.targets[0], node.value
                pairs = zip(t.elts, v.elts) if isinstance(t, ast.Tuple) and \
                    isinstance(v, ast.Tuple) else [(t, v)]
            elif isinstance(node, ast.For) and isinstance(node.target, ast.Tuple) and \
                    isinstance(node.iter, ast.Call) and getattr(node.iter.func, "id", "") == "zip":
                pairs = zip(node.target.elts, node.iter.args)
            for t, v in pairs:
                if isinstance(t, ast.Name) and t.id == name:
                    base, _ = _name_of(v)
                    if base == name:  # Y = Y[perm]: the data itself, shuffled
                        return name if self._defining(name) else None
                    return self._base(base, depth + 1) if base else None
        return None

    # ----- binding the checker's data --------------------------------------------------------

    def canonical(self, x, y=None):
        """(X rows (m, n_in), Y one-hot rows (m, 10), labels (m,)) from a hook's arguments, as
        the Adapter hands them in the step's layout and targets (no y: zeros)."""
        x = np.asarray(x, dtype=np.float64)
        X = x.reshape(1, -1) if self.per_example else x.T if self.step_layout == "columns" else x
        y = np.asarray(np.zeros(len(X), dtype=int) if y is None else y)
        if y.dtype.kind in "iu":
            labels = y.reshape(-1).astype(int)
            return X, np.eye(N_OUT)[labels], labels
        Y = y.reshape(1, -1) if self.per_example else y.T if self.step_layout == "columns" else y
        return X, Y.astype(np.float64), Y.argmax(axis=1)

    def batch(self, x, y=None):
        """Bind one batch (or example) a hook is given where the step reads it."""
        self.examples(*self.canonical(x, y))

    def examples(self, X, Y, labels):
        """Bind canonical examples where the step reads them: the data names (and the lines
        that pick the step's batch from them), or the step's own names."""
        if self.mode != "direct":
            self.bind(X, Y, labels)
            if self.mode == "full" or self.per_example:
                return  # replay: a batch smaller than the data's is the one asked for
        laid = self._laid(X, self.step_layout)
        self.ns[self.x] = [laid] if self.listed else laid
        for name in self.sizes:  # dz2 = (probs - yb) / bs on a batch of len(X)
            self.kept.setdefault(name, self.ns[name])
            self.ns[name] = len(X)
        if self.step_y is not None:
            target = labels if self.step_labels else self._laid(Y, self.step_layout)
            self.ns[self.step_y] = int(target[0]) if self.per_example and self.step_labels \
                else target

    def bind(self, X, Y, labels, step=True):
        """Bind the data names to the examples as the script holds them, run the lines computed
        from them again and, for a step inside the training loop, the lines that pick its batch:
        those of the loop before it (a shuffle read as the batch's own order), its loop's
        first position or item, and its leading lines."""
        for name in self.roots:
            self.ns[name] = self._data(name, X, Y, labels)
        exec(self._code(self.derived), self.ns)
        if self.mode != "replay" or not step:
            return
        for stmt in self.prelude:
            exec(self._code([stmt]), self.ns)
            for name in _writes(stmt):
                value = self.ns.get(name)
                if isinstance(value, np.ndarray) and value.ndim == 1 and \
                        value.dtype.kind in "iu" and np.array_equal(
                            np.sort(value), np.arange(len(value))):
                    self.ns[name] = np.arange(len(value))
        step = self.s.step
        if isinstance(step, ast.For):
            ranged = isinstance(step.iter, ast.Call) and \
                getattr(step.iter.func, "id", "") == "range"
            if ranged:
                first = step.iter.args[0] if len(step.iter.args) > 1 else ast.Constant(0)
            elif isinstance(step.iter, ast.Call) and \
                    ast.unparse(step.iter.func).endswith("permutation"):
                first = ast.Constant(0)  # for i in np.random.permutation(n): read in order
            else:  # for x, y in zip(X, Y): its first item
                first = ast.Call(ast.Name("next", ast.Load()),
                                 [ast.Call(ast.Name("iter", ast.Load()), [step.iter], [])], [])
            code = ast.fix_missing_locations(ast.Module([ast.copy_location(
                ast.Assign([step.target], first), step)], []))
            exec(compile(code, self.file, "exec"), self.ns)
        exec(self._code(self.lead), self.ns)

    def _data(self, name, X, Y, labels):
        """What data name holds beside canonical X, Y, labels, as the script holds it: the
        inputs, the one-hot targets or the digits, in the data's layout, or (x, y) pairs of
        columns as Nielsen's loader gives them; a held-out set (x_test, y_test) gets the inputs
        and each label moved on by one."""
        layout = self.layouts.get(name, self.data_layout)
        rows = layout == "rows"
        if self._holds_pairs(name):
            moved = labels if name in (self.root_x, self.root_y) else (labels + 1) % N_OUT
            if name not in (self.root_x, self.root_y) and self._test_pairs(name):
                return [(x.reshape(-1, 1), int(k)) for x, k in zip(X, moved)]
            return [(x.reshape(-1, 1), np.eye(N_OUT)[k].reshape(-1, 1)) for x, k in
                    zip(X, moved)]
        if name == self.root_x:
            return self._laid(X, self.data_layout)
        holds = self._holds_labels(name)
        value = labels if holds else self._laid(Y, layout)
        if name == self.root_y:
            return value
        return held_out([name], self._laid(X, self.data_layout), value, N_OUT, rows)[name]

    def _laid(self, A, layout=None):
        """Canonical rows A as layout holds them (the step's, by default)."""
        layout = layout or self.step_layout
        A = np.asarray(A, dtype=np.float64)
        if layout == "list":  # a loader's list of (n, 1) columns, one per example
            return [a.reshape(-1, 1) for a in A]
        if layout == "columns":
            return np.ascontiguousarray(A.T)
        if layout == "vector":
            return A.reshape(-1)
        if layout == "column":
            return A.reshape(-1, 1)
        return np.array(A)

    def _holds_pairs(self, name):
        """Whether the script walks name as (x, y) pairs: `for x, y in training_data`."""
        return any(isinstance(n, (ast.For, ast.comprehension)) and
                   isinstance(n.target, ast.Tuple) and len(n.target.elts) == 2 and
                   name in _reads(n.iter) and not isinstance(n.iter, ast.Call)
                   for n in ast.walk(ast.Module(self.s.top, [])))

    def _test_pairs(self, name):
        """Nielsen's test_data and validation_data hold (x, digit) pairs."""
        return bool(re.search(r"(?i)test|val", name))

    def _holds_labels(self, name):
        """Whether the script keeps digits in name: compared with an argmax, used as an index
        (probs[range(m), y]), one-hot encoded by np.eye(10)[y], or named so; not when it is
        made two-dimensional (np.zeros((m, 10)))."""
        for node in self._defining(name):
            value = getattr(node, "value", None)
            if isinstance(node, ast.Assign) and isinstance(value, ast.Call) and \
                    getattr(value.func, "attr", "") in ("zeros", "ones", "eye") and \
                    value.args and isinstance(value.args[0], ast.Tuple) and \
                    len(value.args[0].elts) == 2:
                return False
            if isinstance(node, ast.Assign) and isinstance(value, ast.Subscript) and \
                    isinstance(value.value, ast.Call) and \
                    getattr(value.value.func, "attr", "") in ("eye", "identity"):
                return False  # Y = np.eye(10)[labels]
        names = {name, *self._aliases(name)}  # y, and the yb = y[idx] its batches are
        for node in ast.walk(ast.Module(self.s.top, [])):
            if isinstance(node, ast.Compare) and any(
                    isinstance(v, ast.Name) and v.id in names
                    for v in [node.left, *node.comparators]):
                return True
            if isinstance(node, ast.Subscript) and _name_of(node.value)[0] not in names and any(
                    isinstance(v, ast.Name) and v.id in names for v in ast.walk(node.slice)):
                return True  # probs[range(m), y], t[train_y[i]] = 1: digits index
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Call) and \
                    isinstance(node.slice, ast.Name) and node.slice.id in names:
                return True  # np.eye(10)[y]
        if any(isinstance(k, ast.keyword) and k.arg == "dtype" and "int" in ast.unparse(k.value)
               for node in self._defining(name) for k in ast.walk(node)):
            return True
        return bool(_LABELS.search(name))


    # ----- the hooks -------------------------------------------------------------------------

    def _code(self, statements):
        return compile(ast.Module(list(statements), []), self.file, "exec")

    def _aliases(self, name):
        """The names the training loop gives slices of name (yb in `xb, yb = X[idx], y[idx]`)."""
        found = set()
        for node in ast.walk(self.s.loop):
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            pairs = zip(node.targets[0].elts, node.value.elts) if isinstance(
                node.targets[0], ast.Tuple) and isinstance(node.value, ast.Tuple) else \
                [(node.targets[0], node.value)]
            for target, value in pairs:
                if isinstance(target, ast.Name) and isinstance(value, ast.Subscript) and \
                        _name_of(value)[0] == name:
                    found.add(target.id)
        return found

    def _direct_labels(self):
        """Whether the step's targets are digits, read from the script where its lines cannot
        pick them: their name and how they are used, or those of the data they are cut from."""
        if self.step_y is None:
            return False
        bases = {n for n in self.roots | {self.root_y} if n and self.step_y in self._aliases(n)}
        return any(self._holds_labels(n) for n in {self.step_y, *bases})

    def find_output(self, X, Y, labels):
        """(the forward statements, the output's name): up to the last array of the output's
        shape made before the step first reads its targets."""
        self.examples(X, Y, labels)
        m = 1 if self.per_example else len(X)
        shapes = {(N_OUT,), (N_OUT, 1), (1, N_OUT)} if self.per_example else {
            (m, N_OUT) if self.step_layout == "rows" else (N_OUT, m)}
        target = self.step_y or self.root_y
        output = end = None
        pre = self.pre_lines
        for k, stmt in enumerate(pre):
            if target is not None and target in _reads(stmt):
                break
            exec(self._code([stmt]), self.ns)
            for name in _in_order(stmt, _writes(stmt)):
                value = self.ns.get(name)
                if isinstance(value, list) and value and _fills(stmt, name):
                    value, name = value[-1], f"{name}[-1]"  # A.append(σ(z)): the last layer's
                if isinstance(value, np.ndarray) and value.shape in shapes and \
                        value.dtype.kind == "f":
                    output, end = name, k
        if output is None:
            return None, None
        self.backprop_at = next((s for s in pre[end + 1:] if self._makes_array(s)),
                                self.update_stmts[0])
        self.forward_end = end
        return pre[:end + 1], output

    def _makes_array(self, stmt):
        """Run stmt (the probe's batch is bound); whether it makes an array, not a number (the
        cost the loop prints): where the backprop starts."""
        try:
            exec(self._code([stmt]), self.ns)
        except Exception:
            return True
        return any(isinstance(self.ns.get(n), np.ndarray) and np.ndim(self.ns.get(n)) >= 1
                   for n in _writes(stmt))

    def cost(self, forward_end):
        """The cost the step's own line computes after the forward pass, where its text says
        it plainly: Σ(a − y)² (½ of it: quadratic), a log of the output with 1 − y beside y
        (sigmoid cross-entropy) or without (softmax cross-entropy); None otherwise (a mean over
        every entry, np.mean((a - y) ** 2), scales by the outputs too)."""
        target = self.step_y or self.root_y
        for stmt in self.pre_lines[forward_end + 1:]:
            if target is None or target not in _reads(stmt):
                continue
            text = ast.unparse(stmt).replace(" ", "")
            if "log(" in text:
                return "sigmoid_cross_entropy" if re.search(r"\(1-\w+\)\*", text) or \
                    "1-" + target in text else "cross_entropy"
            if "**2" in text and ("sum(" in text or ".sum" in text):
                half = re.search(r"0\.5\*|/2\b|/\(2\*|\*0\.5|1/2", text)
                return "quadratic" if half else "squared_error"
            return None
        return None

    def gradient_exprs(self):
        """{param: the expression of its gradient}: what each update subtracts with the rate
        taken off (`lr * dW1` → dW1), or None when an update is written another way."""
        found = {}
        for path, expr, _ in self.increments():
            grad = _without_rate(expr, set(self.lr_names) | self.step_rates)
            if grad is None:
                return None
            found[path] = self._own(path, grad) if "[" not in path else grad
        return found

    def increments(self):
        """[(parameter path, what its update adds or subtracts, sign)] over the updates."""
        return [part for u in self.update_stmts for part in self.s.parts[id(u)]]

    def _own(self, param, grad):
        """The gradient the step computes for param under its own name (db2 for b2) where the
        update subtracts another one of that shape (`b2 -= lr * db1`): the update check then
        names the swap, and the gradients check holds the backprop to what it computed."""
        if not isinstance(grad, ast.Name) or grad.id in gradient_spellings(param):
            return grad
        made = set().union(*map(_writes, self.pre), set())
        own = [g for g in gradient_spellings(param) if g in made]
        return ast.Name(own[0], ast.Load()) if own else grad

    def literal_rate(self):
        """The η written as a number in every update (`W1 -= 0.5 * dW1`), or None."""
        rates = set()
        for _, expr, _ in self.increments():
            if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
                for side in (expr.left, expr.right):
                    if isinstance(side, ast.Constant) and isinstance(side.value, (int, float)):
                        rates.add(side.value)
        return rates.pop() if len(rates) == 1 else None


def _walkers(top, lists):
    """The loop variables that walk the lists (w in `for w, b in zip(W, B)`, in a loop or a
    comprehension, anywhere in the file's top-level code)."""
    found = set()
    for node in ast.walk(ast.Module(list(top), [])):
        if isinstance(node, (ast.For, ast.comprehension)):
            found |= {v for v, name in _zipped(node.target, node.iter).items() if name in lists}
    return found


def _without_rate(expr, rates):
    """expr with its factor η taken off (`lr * dW1`, `dW1 * lr`, `alpha * (dW1 + ...)`, `-lr *
    dW1`: what the learner's code multiplies η by), or None when η is not a factor of it."""
    def rate(node):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return rate(node.operand)
        return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) or \
            isinstance(node, ast.Name) and node.id in rates
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
            if rate(side):  # -lr * dW1 too: dW1 is the gradient, the step's sign the update's
                return other
            if isinstance(side, ast.BinOp) and isinstance(side.op, ast.Div) and rate(side.left):
                return ast.BinOp(other, ast.Div(), side.right)  # (eta / m) * nw: nw / m
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):  # lr * dW / m
        inner = _without_rate(expr.left, rates)
        return None if inner is None else ast.BinOp(inner, ast.Div(), expr.right)
    return None


def recognize(module, data):
    """A Learner for a script whose top-level loop trains module arrays, through an Adapter."""
    script = _Script(module)
    name = Path(script.file).name
    if not script.params:
        raise LookupError(f"check: {name} has no training loop that updates its arrays")
    run = _Runner(script, data)
    if run.n_in is None:
        shape = script.value(run.weights[0]).shape
        raise LookupError(f"check: {run.weights[0]} has shape {shape}, "
                          "which takes neither 784 nor 1024 inputs: describe your program with "
                          "check.Adapter (docs/verify.md)")
    sample = data.train.take(slice(0, PROBE))
    X = sample.X if sample.X.shape[1] == run.n_in else np.random.default_rng(0).random(
        (len(sample.labels), run.n_in))  # the first pass, on data of another size: a probe
    with np.errstate(all="ignore"):
        run.probe(X, sample.Y, sample.labels)
        forward_code, output = run.find_output(X, sample.Y, sample.labels)
        run.restore()
    loop_where = Where(SCRIPT_LOOP, script.file, script.loop.lineno)
    hooks, notes = {}, []
    if forward_code is not None:
        code, read = run._code(forward_code), compile(output, script.file, "eval")

        def forward(x):
            try:
                run.batch(x)
                exec(code, run.ns)
                return eval(read, run.ns)  # the output's name, or A[-1]
            finally:
                run.restore()
        forward.where = Where(SCRIPT_LOOP, script.file, forward_code[0].lineno)
        hooks["forward"] = forward
        notes.append(f"its forward pass is lines {forward_code[0].lineno}–"
                     f"{forward_code[-1].end_lineno}, ending in {output}")
    pre = run._code(run.pre_lines)
    exprs = None if run.interleaved else run.gradient_exprs()
    if exprs is not None:
        compiled = {p: compile(ast.fix_missing_locations(ast.Expression(e)), script.file, "eval")
                for p, e in exprs.items()}

        def grads(x, y):
            try:
                run.batch(x, y)
                exec(pre, run.ns)
                return {p: eval(c, run.ns) for p, c in compiled.items()}
            finally:
                run.restore()
        hooks["grads"] = grads
        notes.append("its gradients are what the updates subtract, η taken off: " + ", ".join(
            f"{p} ← {ast.unparse(e)}" for p, e in exprs.items()))
    updates = run._code(run.pre_lines + run.steps)
    literal = run.literal_rate() if not run.lr_names else None

    def update(x, y, lr):
        saved = {n: run.ns[n] for n in run.lr_names}
        try:
            run.batch(x, y)
            run.ns.update({n: lr for n in run.lr_names})
            exec(updates, run.ns)
        finally:
            run.ns.update(saved)
            run.restore()
    hooks["update"] = update
    lr = run.ns[run.lr_names[0]] if run.lr_names else literal
    epoch = _epoch(run)
    if epoch is not None:
        hooks["epoch"] = epoch
    judge = _evaluation(run)
    if judge is not None:
        hooks["evaluate"] = judge
        notes.append(f"its accuracy is line {judge.where.line}'s, on the test images it names "
                     f"({', '.join(judge.names)})")
    batch = None if run.full_batch or run.per_example else _batch_size(run)
    start = getattr(run, "backprop_at", None) or (run.pre_lines or run.update_stmts)[0]
    where = {"backprop": Where(SCRIPT_LOOP, script.file, start.lineno),
             "update": Where(SCRIPT_LOOP, script.file, run.update_stmts[0].lineno)}
    layout = "vector" if run.step_layout == "row" else run.step_layout
    cost = run.cost(run.forward_end) if forward_code is not None else None
    if cost is not None:
        notes.append(f"the cost is {COSTS[cost]}, as your line after the forward pass "
                     "computes it")
    learner = Adapter(script.ns, params=list(script.params), layout=layout,
                      targets="labels" if run.step_labels else "onehot", lr=lr, batch_size=batch,
                      cost=cost,
                      epoch_calls=STEP_CALL if epoch is not None else None,
                      name=f"the training loop of {name}", **hooks).learner()
    learner.where.update({k: v for k, v in where.items()})
    if "forward" in hooks:
        learner.where["forward"] = hooks["forward"].where
    learner.where["epoch"] = loop_where
    if judge is not None:
        learner.where["evaluate"] = judge.where
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + [
        f"recognized a script with no functions: its training loop (line "
        f"{script.loop.lineno}) updates {', '.join(script.params)} ("
        + ("full-batch" if run.full_batch else "one example at a time" if run.per_example
           else "mini-batches") + f", the examples as {_LAYOUT_WORDS[run.step_layout]})"
        ] + notes + (
        [f"η = {lr} from your script"] if lr is not None else [])
    learner.owner = module
    learner.update_at = {path: Where(SCRIPT_LOOP, script.file, u.lineno)
                         for u in run.update_stmts for path, _, _ in script.parts[id(u)]}
    if exprs is not None:  # bias2's gradient is db2: where a finding looks for its line
        learner.gradient_names = {p: e.id for p, e in exprs.items() if isinstance(e, ast.Name)}
        for p, e in exprs.items():  # biases[2]'s is db[2] / m: an entry of the list db
            entry = next((n for n in ast.walk(e) if isinstance(n, ast.Subscript)
                          and isinstance(n.value, ast.Name)), None)
            if "[" in p and entry is not None:
                learner.gradient_names[p] = f"{entry.value.id}[]"  # calls._assignments
    return learner


_LAYOUT_WORDS = {"rows": "rows", "columns": "columns", "vector": "vectors (n,)",
                 "column": "columns (n, 1)", "row": "rows (1, n)"}


def _batch_size(run):
    """The width of the slice the step's batch is cut with (`perm[i:i + batch_size]`), else the
    step loop's stride (`range(0, n, batch_size)`): the two differ where batches overlap."""
    step = run.s.step
    var = step.target.id if isinstance(step, ast.For) and isinstance(step.target, ast.Name) \
        else None
    for node in (n for stmt in run.lead for n in ast.walk(stmt)):
        if isinstance(node, ast.Slice) and isinstance(node.lower, ast.Name) and \
                node.lower.id == var and isinstance(node.upper, ast.BinOp) and \
                isinstance(node.upper.op, ast.Add):
            width = node.upper.right if _name_of(node.upper.left)[0] == var else node.upper.left
            try:
                value = eval(compile(ast.Expression(width), run.file, "eval"), run.ns)
            except Exception:
                continue
            if isinstance(value, int):
                return value
    if isinstance(step, ast.For) and isinstance(step.iter, ast.Call) and \
            getattr(step.iter.func, "id", "") == "range" and len(step.iter.args) == 3:
        try:
            value = eval(compile(ast.Expression(step.iter.args[2]), run.file, "eval"), run.ns)
        except Exception:
            return None
        return value if isinstance(value, int) else None
    return None


def _epoch(run):
    """epoch(x, y): the training loop's body run once on the checker's data, with the step's
    work handed to the function the recorder replaces (STEP_CALL)."""
    script = run.s
    step_y = run.step_y or run.root_y
    call = ast.Expr(ast.Call(ast.Name(STEP_CALL, ast.Load()),
                             [ast.Subscript(ast.Name(run.x, ast.Load()), ast.Constant(0),
                                            ast.Load()) if run.listed else
                              ast.Name(run.x, ast.Load())] +
                             ([ast.Name(step_y, ast.Load())] if step_y else []), []))
    loop = copy.deepcopy(script.loop)
    if run.full_batch:
        body = [call]
    else:
        step = next(n for n in ast.walk(loop) if isinstance(n, (ast.For, ast.While))
                    and n.lineno == script.step.lineno and n.col_offset == script.step.col_offset)
        step.body = copy.deepcopy(run.lead) + [call]
        body = [loop] if step is loop else loop.body
        if step is not loop:  # what the epoch prints after its batches reads the last one's
            held = next(k for k, stmt in enumerate(body)
                        if any(n is step for n in ast.walk(stmt)))
            body = body[:held + 1]
        if isinstance(loop, ast.For) and step is not loop:
            body = [ast.Assign([loop.target], ast.Constant(0))] + body if isinstance(
                loop.target, ast.Name) else body
    module = ast.Module(body, [])
    ast.copy_location(call, script.step)
    ast.fix_missing_locations(module)
    code = compile(module, run.file, "exec")
    pre_and_updates = run._code(run.pre + run.steps)

    def step_fn(x, y=None):
        run.ns[run.x] = [x] if run.listed else x
        if step_y is not None:
            run.ns[step_y] = y
        exec(pre_and_updates, run.ns)
    run.ns[STEP_CALL] = step_fn

    def epoch(x, y=None):
        if y is None:  # one example at a time: the Adapter hands over (x, y) pairs
            X = np.stack([np.ravel(e) for e, _ in x])
            ys = [np.asarray(t) for _, t in x]
            labels = np.array([int(t) if t.size == 1 else int(t.argmax()) for t in ys])
            Y = np.eye(N_OUT)[labels]
        else:
            X, Y, labels = run.canonical(x, y)
        run.bind(X, Y, labels, step=False)
        exec(code, run.ns)
    return epoch


def _assigned_in(loop):
    return set().union(*(_writes(s) for s in ast.walk(loop) if isinstance(s, ast.stmt)),
                       _writes(loop) if isinstance(loop, ast.For) else set())


def _scores(node, picked=frozenset(), helpers=frozenset()):
    """Whether a statement compares an argmax (or a name picked holds one) with something, or
    calls a function of the file's that does (`test_acc = accuracy(X_test, y_test)`): the
    accuracy's line."""
    return any(isinstance(n, ast.Compare) and any(isinstance(o, ast.Eq) for o in n.ops) and any(
        isinstance(c, ast.Call) and getattr(c.func, "attr", getattr(c.func, "id", "")) ==
        "argmax" or isinstance(c, ast.Name) and c.id in picked
        for side in [n.left, *n.comparators] for c in ast.walk(side))
        or isinstance(n, ast.Call) and getattr(n.func, "id", None) in helpers
        for n in ast.walk(node))


def _bounds(lines):
    """The names lines read only as a slice's bounds (n_test in `X[:n_test]`): counts, not
    data to bind."""
    inside = {n.id for stmt in lines for sl in ast.walk(stmt) if isinstance(sl, ast.Slice)
              for n in ast.walk(sl) if isinstance(n, ast.Name)}
    outside = set().union(*(_reads(ast.Module([ast.fix_missing_locations(_without_slices(
        copy.deepcopy(stmt)))], [])) for stmt in lines), set())
    return inside - outside


def _without_slices(node):
    class Drop(ast.NodeTransformer):
        def visit_Slice(self, sl):
            return ast.copy_location(ast.Slice(), sl)
    return Drop().visit(node)


def _first_score(region, helpers=frozenset()):
    """The index of the region's first statement that scores predictions, or None."""
    picked = set()
    for k, stmt in enumerate(region):
        if _scores(stmt, picked, helpers):
            return k, picked
        if isinstance(stmt, ast.Assign) and _argmaxes(stmt.value):
            picked |= _writes(stmt)  # preds = np.argmax(out, axis=1)
    return None, picked


def _argmaxes(node):
    return any(isinstance(c, ast.Call) and getattr(c.func, "attr", getattr(c.func, "id", ""))
               == "argmax" for c in ast.walk(node))


def _evaluation(run):
    """evaluate(x, labels): the script's own accuracy on its test images, from the lines after
    the training loop (or after the loop over the batches, each epoch) up to the first that
    compares an argmax with the labels; the test names bound to the checker's examples. None
    when the script computes no such figure."""
    script = run.s
    regions = [script.top[script.top.index(script.loop) + 1:]]
    if script.step is not script.loop and script.step in script.loop.body:
        regions.insert(0, script.loop.body[script.loop.body.index(script.step) + 1:])
    helpers = {n.name for n in script.top if isinstance(n, ast.FunctionDef) and _scores(n)}
    for region in regions:
        k, picked = _first_score(region, helpers)
        if k is None:
            continue
        lines = [st for st in region[:k + 1] if not (isinstance(st, ast.Expr) and st is not
                                                    region[k])]  # prints aside
        made = set().union(*map(_writes, lines[:-1]), set())
        names = sorted(n for n in set().union(*map(_reads, lines)) - made - _bounds(lines)
                       if not hasattr(builtins, n) and n not in script.bases
                       and (n not in run.ns or run._from_loading(n) or n in run.roots)
                       and (run._defining(n) or n in run.roots))
        if not any((_INPUT.search(n) and n not in (run.root_x, run.root_y)) or _HELD.search(n)
                   for n in names):
            continue  # the training data's figure, or the last batch's: not a test
        last = lines[-1]
        if isinstance(last, ast.Expr):  # print(..., np.mean(pred == y_test))
            # the innermost call around the comparison: np.mean(pred == y_test), not the
            # string a print formats it into, nor the round() around it
            figures = [a for a in ast.walk(last) if isinstance(a, ast.Call) and a is not
                       last.value and _scores(ast.Expr(a), picked, helpers)]
            if not figures:
                continue
            result = ast.Expression(figures[-1])
        elif isinstance(last, (ast.Assign, ast.AugAssign)):
            target = last.targets[0] if isinstance(last, ast.Assign) else last.target
            result = ast.Expression(ast.Name(target.id, ast.Load())) \
                if isinstance(target, ast.Name) else None
        else:  # a loop that counts: correct += 1
            counted = [n.target.id for n in ast.walk(last) if isinstance(n, ast.AugAssign)
                       and isinstance(n.target, ast.Name)]
            result = ast.Expression(ast.Name(counted[0], ast.Load())) if counted else None
            lines = [st for st in lines if st is last or not any(
                c in _writes(st) for c in counted)] + []
            zero = [ast.parse(f"{c} = 0").body[0] for c in counted]
            lines = zero + lines
        if result is None:
            continue
        run_lines = lines[:-1] if isinstance(last, ast.Expr) else lines  # not the print
        code = compile(ast.fix_missing_locations(ast.Module(run_lines, [])), run.file, "exec")
        value = compile(ast.fix_missing_locations(result), run.file, "eval")
        rows = _rows_of(run, lines, names)

        def evaluate(x, labels=None, code=code, value=value, names=names, rows=rows):
            if labels is None:  # one example at a time: the Adapter hands over pairs
                X = np.asarray([np.ravel(e) for e, _ in x], dtype=np.float64)
                labels = np.asarray([int(k) for _, k in x])
            else:  # in the step's layout: back to rows
                X, labels = run.canonical(x)[0], np.asarray(labels)
            for name in names:
                if run._holds_pairs(name):
                    run.ns[name] = [(e.reshape(-1, 1), int(k)) for e, k in zip(X, labels)]
                elif _INPUT.search(name):
                    run.ns[name] = run._laid(X, rows)
                elif run._holds_labels(name) or not _ONE_HOT.search(name):
                    run.ns[name] = labels
                else:
                    run.ns[name] = run._laid(np.eye(N_OUT)[labels], rows)
            exec(code, run.ns)
            return eval(value, run.ns)
        evaluate.where = Where("the test accuracy", script.file, lines[-1].lineno)
        evaluate.names = names
        return evaluate
    return None


_ONE_HOT = re.compile(r"^(Y|T)|one_?hot|onehot")


def _rows_of(run, lines, names):
    """How the test images are held: as the first product with a weight that reads them
    (X_test @ W1, or W1 @ X_test / W1.dot(X_test.T)) holds them; the training inputs' layout
    otherwise (a list of columns walked by `for x, y in zip(test_x, test_y)`)."""
    return _weight_product(lines, run.weight_names, lambda n: n in names)[1] or run.data_layout
