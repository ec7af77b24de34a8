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
from .calls import SCRIPT_LOOP
from .learner import Where, held_out
from .source import _WORK_WORDS

STEP_CALL = "__tinygrad_edu_step__"  # what the epoch's step is replaced by, for the recorder
_INPUT = re.compile(r"(?i)^x|image|input|pixel|data")
_LABELS = re.compile(r"(?i)label|digit|class|^y_?(int|idx)$")
_NUMPY = ("np", "numpy")


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
        for node in self.top:
            if isinstance(node, (ast.For, ast.While)):
                found = self._updates(node)
                if found:
                    self.loop, (self.step, self.updates) = node, found
                    break
        if self.loop is not None:
            made = {}
            for node in self.top:  # in the order the file makes them: W1 before W2
                for name in _writes(node):
                    made.setdefault(name, node.lineno)
            self.params = sorted(dict.fromkeys(_updated(u) for u in self.updates),
                                 key=lambda n: made.get(n, 0))

    def _updates(self, loop):
        """(the loop whose body holds them, the update statements) for loop, or None: the
        statements in one body that subtract from (or add to) a module array in place or by
        rebinding it."""
        for node in [loop, *(n for n in ast.walk(loop) if isinstance(n, (ast.For, ast.While))
                             and n is not loop)]:
            found = [s for s in node.body if _updated(s) is not None
                     and _is_array(self.ns.get(_updated(s)))]
            if len(found) >= 2:
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


def _increment(statement):
    """(the expression an update adds or subtracts, its sign: -1 for a subtraction)."""
    if isinstance(statement, ast.AugAssign):
        return statement.value, -1 if isinstance(statement.op, ast.Sub) else 1
    return statement.value.right, -1 if isinstance(statement.value.op, ast.Sub) else 1


def _is_array(value):
    return isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.ndim >= 1


def _opened(body):
    """The top-level statements, with if (the `__main__` guard), try and with blocks opened."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _opened(node.body)
            yield from _opened(node.orelse)
        elif isinstance(node, (ast.Try, ast.With)):
            yield from _opened(node.body)
        else:
            yield node


def _reads(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _writes(node):
    """The names a statement binds or writes into (`X[i] = ...` writes X)."""
    found = set()
    for n in ast.walk(node):
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


_FILLING = ("append", "extend", "insert", "update", "fill", "setdefault")


def _does_work(node):
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
        else:
            break
    return (node.id, transposed) if isinstance(node, ast.Name) else (None, False)


class _Runner:
    """Runs the script's own statements in its module's namespace on the checker's data."""

    def __init__(self, script, data):
        self.s, self.ns, self.file = script, script.ns, script.file
        step_body = script.step.body
        first = step_body.index(script.updates[0])
        params = set(script.params)
        # the statements that pick the batch (idx = perm[i:i + b]; xb = X[idx]) lead the step
        lead = 0
        while lead < first and not (_reads(step_body[lead]) & params):
            lead += 1
        self.lead, self.pre = step_body[:lead], step_body[lead:first]
        self.update_stmts = [s for s in step_body[first:] if s in script.updates]
        self.weights = [p for p in script.params if self.ns[p].ndim == 2]
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
        self.replay = False  # whether a batch runs the step's own leading lines (set by probe)
        self.direct_pre = self._computable(self.lead) + self.pre

    def _prelude(self):
        """The assignments of the training loop's body before the loop over the batches that
        holds the step (perm = np.random.permutation(n)), and the step loop's own variable:
        what its leading lines (idx = perm[i:i + b]; xb = X[idx]) read."""
        if self.full_batch or self.s.step is self.s.loop:
            return []
        found = []
        for stmt in self.s.loop.body:
            if any(n is self.s.step for n in ast.walk(stmt)):
                break
            if isinstance(stmt, (ast.Assign, ast.AugAssign)) and not _writes(stmt) & self.roots:
                found.append(stmt)
        return found

    def probe(self, x, y):
        """Settle how a batch is bound: through the step's own leading lines when they run on
        it (they compute what the step reads: B = len(idx)), else straight into its names."""
        if self.full_batch or not self.lead:
            return
        step = self.s.step
        if not (isinstance(step, ast.For) and isinstance(step.iter, ast.Call) and
                getattr(step.iter.func, "id", "") == "range"):
            return
        self.replay = True
        try:
            self.batch(x, y)
            m = x.shape[0] if self.layout == "rows" else x.shape[1]
            got = self.ns[self.x]
            if not isinstance(got, np.ndarray) or got.shape != x.shape or \
                    not np.array_equal(got, x):
                raise ValueError(m)
        except Exception:
            self.replay = False

    @property
    def pre_lines(self):
        """The step's lines a hook runs before the update: with its leading ones, or those of
        them that need only the batch."""
        return self.pre if self.replay else self.direct_pre

    # ----- reading the loop ------------------------------------------------------------------

    def _input(self):
        """(the name the step multiplies its first weight by, the layout): X in `X @ W1` is
        rows, in `W1 @ X` columns; X.T turns either round."""
        for stmt in self.pre:
            for node in ast.walk(stmt):
                pair = _matmul_operands(node)
                if pair is None:
                    continue
                for k, side in enumerate(pair):
                    other, _ = _name_of(pair[1 - k])
                    if other in self.weights:
                        name, transposed = _name_of(side)
                        if name is None or name in self.s.params:
                            continue
                        rows = (k == 0) != transposed
                        return name, "rows" if rows else "columns"
        return None, None

    def _rates(self):
        """The module numbers the updates multiply by (lr, alpha, eta)."""
        names = set()
        for u in self.update_stmts:
            expr, _ = _increment(u)
            names |= {n for n in _reads(expr) if isinstance(self.ns.get(n), (int, float))
                      and not isinstance(self.ns.get(n), bool)}
        return sorted(names)

    def _inputs(self, data):
        W1 = self.ns[self.weights[0]]
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
        np.array(X_list), which ran on the empty list when the file was loaded)."""
        nodes = self._defining(name)
        if any(_does_work(n) for n in nodes):
            return True
        return depth < 8 and any(self._from_loading(r, depth + 1) for r in
                                 set().union(*map(_reads, nodes), set()) - {name}
                                 if not hasattr(builtins, r))

    def _data_names(self):
        """(the data names to bind, the top-level statements computed from them, in file order):
        of the names the loop reads that the module lacks, those whose statement loads (or
        computes from what loading made) are bound by the checker, and those computed from
        bound names only (`m = len(X)`) run again with every batch."""
        needed = {n for n in _reads(self.s.loop) if not hasattr(builtins, n)
                  and n not in _assigned_in(self.s.loop)
                  and (n not in self.ns or self._from_loading(n))}
        kinds, derived = {}, []

        def kind(name, depth=0):
            if name in kinds:
                return kinds[name]
            kinds[name] = "root"  # a cycle reads as loading
            nodes = self._defining(name)
            if not nodes or any(_does_work(n) for n in nodes) or depth > 20:
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
            iter(sorted(from_x, key=lambda n: (not _INPUT.search(n), n))), None)
        # what the step reads from before it: the data, or the batch its loop picked (yb)
        step_reads = set().union(*map(_reads, self.pre), set()) - set().union(
            *map(_writes, self.pre), set())
        found = []
        for name in sorted(step_reads - {self.x} - set(self.s.params)):
            roots = (deps.get(name, set()) & self.roots) - {root_x}
            if roots and name not in self.roots or name in self.roots and name != root_x:
                found.append((name, sorted(roots) or [name]))
        # the step's own name first (yb = Y[idx]), then the data's (Y)
        found.sort(key=lambda f: (f[0] in self.roots, f[0]))
        if not found:
            return root_x, None, None
        step_y, roots = found[0]
        return root_x, roots[0], step_y

    # ----- binding the checker's data --------------------------------------------------------

    def bind(self, X, Y, labels):
        """Bind the data names to canonical rows X, one-hot Y and labels, as the script holds
        them, and run the statements computed from them again."""
        for name in self.roots:
            self.ns[name] = self._value(name, X, Y, labels)
        for node in self.derived:
            exec(compile(ast.Module([node], []), self.file, "exec"), self.ns)

    def _value(self, name, X, Y, labels):
        if name == self.root_x:
            return self._laid(X)
        if self._holds_labels(name):
            return labels
        return self._laid(Y)

    def _laid(self, A):
        return np.array(A, dtype=np.float64) if self.layout == "rows" else \
            np.ascontiguousarray(np.asarray(A, dtype=np.float64).T)

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
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple) and any(
                    isinstance(v, ast.Name) and v.id in names for v in node.slice.elts):
                return True
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

    def batch(self, x, y):
        """Bind one batch, in the script's layout, where the step reads it."""
        if self.full_batch:
            for name in self.roots:
                self.ns[name] = self._data(name, x, y)
            exec(self._code(self.derived), self.ns)
        elif self.replay:
            for name in self.roots:
                self.ns[name] = self._data(name, x, y)
            exec(self._code(self.derived), self.ns)
            for stmt in self.prelude:
                exec(self._code([stmt]), self.ns)
                for name in _writes(stmt):  # a shuffle: the batch in its own order
                    value = self.ns.get(name)
                    if isinstance(value, np.ndarray) and value.ndim == 1 and \
                            value.dtype.kind in "iu" and np.array_equal(
                                np.sort(value), np.arange(len(value))):
                        self.ns[name] = np.arange(len(value))
            step = self.s.step
            start = step.iter.args[0] if len(step.iter.args) > 1 else ast.Constant(0)
            first = ast.fix_missing_locations(ast.copy_location(
                ast.Module([ast.Assign([step.target], start)], []), step))
            exec(compile(first, self.file, "exec"), self.ns)
            exec(self._code(self.lead), self.ns)
        else:
            self.ns[self.x] = x
            if self.step_y is not None:
                self.ns[self.step_y] = y

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

    def _onehot(self, y, n_out=10):
        y = np.asarray(y)
        if y.ndim == 2:
            return y
        hot = np.eye(n_out)[y]
        return hot if self.layout == "rows" else np.ascontiguousarray(hot.T)

    def _labels_of(self, y):
        y = np.asarray(y)
        if y.ndim == 1:
            return y
        return y.argmax(axis=1 if self.layout == "rows" else 0)

    def targets(self):
        """'labels' when the step's batch of targets are digits, else 'onehot' (a full batch
        binds each data name as the script holds it, from one-hot targets)."""
        if self.full_batch or self.step_y is None:
            return "onehot"
        bases = {n for n in self.roots | {self.root_y} if n and self.step_y in self._aliases(n)}
        return "labels" if any(self._holds_labels(n) for n in {self.step_y, *bases}) \
            else "onehot"

    def _data(self, name, x, y):
        """What data name gets beside a batch x, y (in the script's layout): x, y, the digits
        of y, or for a held-out set (x_test, y_test) x and y's labels moved on by one."""
        if name == self.root_x:
            return x
        labels = self._holds_labels(name)
        value = self._labels_of(y) if labels else self._onehot(y)
        if name == self.root_y or name in (self.step_y,):
            return value
        rows = self.layout == "rows"
        return held_out([name], x, value, 10 if labels else value.shape[1 if rows else 0],
                        rows)[name]

    def find_output(self, x, y, n_out):
        """(the forward statements, the output's name): up to the last array of the output's
        shape made before the step first reads its targets."""
        self.batch(x, y)
        m = x.shape[0] if self.layout == "rows" else x.shape[1]
        shape = (m, n_out) if self.layout == "rows" else (n_out, m)
        target = self.step_y or self.root_y
        output = end = None
        pre = self.pre_lines
        for k, stmt in enumerate(pre):
            if target is not None and target in _reads(stmt):
                break
            exec(self._code([stmt]), self.ns)
            for name in _writes(stmt):
                value = self.ns.get(name)
                if isinstance(value, np.ndarray) and value.shape == shape and \
                        value.dtype.kind == "f":
                    output, end = name, k
        if output is None:
            return None, None
        self.backprop_at = next((s for s in pre[end + 1:] if self._makes_array(s)),
                                self.update_stmts[0])
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

    def gradient_exprs(self):
        """{param: the expression of its gradient}: what each update subtracts with the rate
        taken off (`lr * dW1` → dW1), or None when an update is written another way."""
        found = {}
        for u in self.update_stmts:
            expr, _ = _increment(u)
            grad = _without_rate(expr, set(self.lr_names))
            if grad is None:
                return None
            found[_updated(u)] = grad
        return found

    def literal_rate(self):
        """The η written as a number in every update (`W1 -= 0.5 * dW1`), or None."""
        rates = set()
        for u in self.update_stmts:
            expr, _ = _increment(u)
            if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
                for side in (expr.left, expr.right):
                    if isinstance(side, ast.Constant) and isinstance(side.value, (int, float)):
                        rates.add(side.value)
        return rates.pop() if len(rates) == 1 else None


def _without_rate(expr, rates):
    """expr with its factor η taken off (`lr * dW1`, `dW1 * lr`, `alpha * (dW1 + ...)`,
    `-lr * dW1` with its sign kept), or None when η is not a factor of it."""
    def rate(node):
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return rate(node.operand)
        return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) or \
            isinstance(node, ast.Name) and node.id in rates
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
        for side, other in ((expr.left, expr.right), (expr.right, expr.left)):
            if rate(side):
                if isinstance(side, ast.UnaryOp):
                    return ast.UnaryOp(ast.USub(), other)
                return other
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
        raise LookupError(f"check: {run.weights[0]} has shape {script.ns[run.weights[0]].shape}, "
                          "which takes neither 784 nor 1024 inputs: describe your program with "
                          "check.Adapter (docs/verify.md)")
    n_out = data.train.Y.shape[1]
    sample = data.train.take(slice(0, 10))
    X = sample.X if sample.X.shape[1] == run.n_in else np.random.default_rng(0).random(
        (len(sample.labels), run.n_in))  # the first pass, on data of another size: a probe
    y_probe = sample.labels if run.targets() == "labels" else run._laid(sample.Y)
    with np.errstate(all="ignore"):
        run.probe(run._laid(X), y_probe)
        forward_code, output = run.find_output(run._laid(X), y_probe, n_out)
    loop_where = Where(SCRIPT_LOOP, script.file, script.loop.lineno)
    hooks, notes = {}, []
    if forward_code is not None:
        code = run._code(forward_code)

        def forward(x):
            run.batch(x, _zeros_like_targets(run, x, n_out))
            exec(code, run.ns)
            return run.ns[output]
        forward.where = Where(SCRIPT_LOOP, script.file, forward_code[0].lineno)
        hooks["forward"] = forward
        notes.append(f"its forward pass is lines {forward_code[0].lineno}–"
                     f"{forward_code[-1].end_lineno}, ending in {output}")
    pre = run._code(run.pre_lines)
    exprs = run.gradient_exprs()
    if exprs is not None:
        compiled = {p: compile(ast.Expression(e), script.file, "eval") for p, e in exprs.items()}

        def grads(x, y):
            run.batch(x, y)
            exec(pre, run.ns)
            return {p: eval(c, run.ns) for p, c in compiled.items()}
        hooks["grads"] = grads
        notes.append("its gradients are what the updates subtract, η taken off: " + ", ".join(
            f"{p} ← {ast.unparse(e)}" for p, e in exprs.items()))
    updates = run._code(run.pre_lines + run.update_stmts)
    literal = run.literal_rate() if not run.lr_names else None

    def update(x, y, lr):
        run.batch(x, y)
        saved = {n: run.ns[n] for n in run.lr_names}
        run.ns.update({n: lr for n in run.lr_names})
        try:
            exec(updates, run.ns)
        finally:
            run.ns.update(saved)
    hooks["update"] = update
    lr = run.ns[run.lr_names[0]] if run.lr_names else literal
    epoch = _epoch(run, n_out)
    if epoch is not None:
        hooks["epoch"] = epoch
    batch = None if run.full_batch else _batch_size(run)
    start = getattr(run, "backprop_at", None) or (run.pre_lines or run.update_stmts)[0]
    where = {"backprop": Where(SCRIPT_LOOP, script.file, start.lineno),
             "update": Where(SCRIPT_LOOP, script.file, run.update_stmts[0].lineno)}
    learner = Adapter(script.ns, params=list(script.params), layout=run.layout,
                      targets=run.targets(), lr=lr, batch_size=batch,
                      epoch_calls=STEP_CALL if epoch is not None else None,
                      name=f"the training loop of {name}", **hooks).learner()
    learner.where.update({k: v for k, v in where.items()})
    if "forward" in hooks:
        learner.where["forward"] = hooks["forward"].where
    learner.where["epoch"] = loop_where
    learner.notes = [n for n in learner.notes if not n.startswith("adapter:")] + [
        f"recognized a script with no functions: its training loop (line "
        f"{script.loop.lineno}) updates {', '.join(script.params)} ({run.layout}, "
        + ("full-batch" if run.full_batch else "mini-batches") + ")"] + notes + (
        [f"η = {lr} from your script"] if lr is not None else [])
    learner.owner = module
    if exprs is not None:  # bias2's gradient is db2: where a finding looks for its line
        learner.gradient_names = {p: e.id for p, e in exprs.items() if isinstance(e, ast.Name)}
    return learner


def _zeros_like_targets(run, x, n_out):
    m = x.shape[0] if run.layout == "rows" else x.shape[1]
    if run.targets() == "labels":
        return np.zeros(m, dtype=int)
    return np.zeros((m, n_out) if run.layout == "rows" else (n_out, m))


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


def _epoch(run, n_out):
    """epoch(x, y): the training loop's body run once on the checker's data, with the step's
    work handed to the function the recorder replaces (STEP_CALL)."""
    script = run.s
    step_y = run.step_y or run.root_y
    call = ast.Expr(ast.Call(ast.Name(STEP_CALL, ast.Load()),
                             [ast.Name(run.x, ast.Load())] +
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
    pre_and_updates = run._code(run.pre + run.update_stmts)

    def step_fn(x, y=None):
        run.ns[run.x] = x
        if step_y is not None:
            run.ns[step_y] = y
        exec(pre_and_updates, run.ns)
    run.ns[STEP_CALL] = step_fn

    def epoch(x, y):
        for name in run.roots:
            run.ns[name] = run._data(name, x, y)
        exec(run._code(run.derived), run.ns)
        exec(code, run.ns)
    return epoch


def _assigned_in(loop):
    return set().union(*(_writes(s) for s in ast.walk(loop) if isinstance(s, ast.stmt)),
                       _writes(loop) if isinstance(loop, ast.For) else set())
