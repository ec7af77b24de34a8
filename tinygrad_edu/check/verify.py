"""Hand-derived backprop against autograd, layer by layer: verify and check_preset.

``verify`` compares every gradient a learner's numpy backprop returns (∂C/∂W, ∂C/∂b and the δ of
named tensors) with autograd and says, like a teacher, which step is wrong; ``check_preset`` runs
it on a book's reference backprop. It imports the engine, ``explain`` (the derivative templates
that write a step's formula) and ``presets``.
"""


import functools
import re
import traceback
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from .. import autograd, ops, presets
from ..autograd import summed_axes
from ..explain import book, step_formula, tensor_names
from ..tensor import Tensor
from .report import Report, Row

# A gradient agrees when max|got − expected| ≤ RTOL · max|expected|: errors are measured against
# the gradient's largest entry, so entries near zero (dead units, blank pixels) cannot blow up a
# relative error. Below SCALE_FLOOR the comparison becomes absolute (RTOL · SCALE_FLOOR = 1e-15).
# Two correct float64 computations in a different order differ by ~1e-16 relative; a real
# mistake is off by far more than 1e-7.
RTOL = 1e-7
SCALE_FLOOR = 1e-8

# A learner's code that computes in a lower precision is held to that precision: about a
# thousand units in the last place of its dtype (float32's is 1.2e-7), far below any real
# mistake (a missing σ', a wrong W, a 1/m: off by more than 1e-2) and above the rounding of a
# correct float32 backprop on MNIST (1e-6 to 1e-5 relative).
RTOLS = {np.dtype(np.float64): RTOL, np.dtype(np.float32): 1e-4, np.dtype(np.float16): 1e-2}

# The batch the checks draw by default: 7 examples cannot be mistaken for the 10 classes or a
# usual layer width, so a (7, 10) gradient that should be (10, 7) is told apart from one that
# should be summed over the batch.
DEFAULT_BATCH = 7


def _guess(find):
    """A guess at the learner's slip never breaks the report: when the learner's arrays defeat
    it (odd shapes, overflow), the diagnosis goes on without the guess."""
    @functools.wraps(find)
    def guarded(*args, **kwargs):
        try:
            with np.errstate(all="ignore"):
                return find(*args, **kwargs)
        except (ValueError, TypeError, IndexError, KeyError, ArithmeticError):
            return None
    return guarded


# ----- the forward graph -------------------------------------------------------------------------

class _Graph:
    """The forward pass as verify needs it: named tensors, their backward order, paths between."""

    def __init__(self, loss, leaves, batch, y):
        self.loss, self.batch, self.y = loss, batch, y
        self.grads = {}  # id(t) → autograd's ∂C/∂t, once verify has run the backward pass
        self.tensors = autograd.graph_of(loss)
        self.consumers = {}
        for t in self.tensors:
            if t._node is not None:
                for i, x in enumerate(t._node.inputs):
                    self.consumers.setdefault(id(x), []).append((t, i))
        self.known, self.kind, self.order = {}, {}, {}
        for name, leaf in leaves.items():
            uses = [t._node.seq for t, _ in self.consumers.get(id(leaf), [])]
            self.known[name], self.kind[name] = leaf, "param"
            self.order[name] = (min(uses) if uses else -1, 0)  # final once its first use is done
        for t in self.tensors:
            if t._node is None or not t.name or t is loss or not t.requires_grad:
                continue
            if t.name in self.known:
                other = self.known[t.name]
                where = "a parameter" if other._node is None else \
                    f"the tensor at tape position #{other._node.seq}"
                raise ValueError(
                    f"verify: forward names two tensors {t.name!r} (tape position "
                    f"#{t._node.seq} and {where}); give each a name of its own, e.g. z2 and z3")
            self.known[t.name], self.kind[t.name] = t, "δ"
            self.order[t.name] = (t._node.seq, 1)  # before the parameters its own op consumed
        plain = tensor_names(loss, self.tensors)  # t1, t2, … stay as they are: not layers
        self.book = {id(t): book(plain[id(t)]) if t.name else plain[id(t)] for t in self.tensors}
        self.root = plain[id(loss)]

    def backward_order(self):
        return sorted(self.known, key=lambda n: self.order[n], reverse=True)

    def descendants(self, t, avoid=None):
        """The ids of every tensor computed from t (t excluded), on paths that miss avoid."""
        seen, stack = set(), [t]
        while stack:
            for out, _ in self.consumers.get(id(stack.pop()), []):
                if out is not avoid and id(out) not in seen:
                    seen.add(id(out))
                    stack.append(out)
        return seen

    def paths(self, src, dst, limit=4):
        """Up to limit paths src → dst, each a list of (consumer, input index) edges."""
        ancestors = {id(t) for t in autograd.graph_of(dst)}
        found, stack = [], [(src, [])]
        while stack and len(found) <= limit:
            t, edges = stack.pop()
            if t is dst:
                found.append(edges)
                continue
            for out, i in self.consumers.get(id(t), []):
                if id(out) in ancestors:
                    stack.append((out, edges + [(out, i)]))
        return found

    def symbol(self, name):
        """∂C/∂name as the books write it: δ² for z2, ∂C/∂W³ for W3."""
        return "δ" + book(name)[1:] if re.fullmatch(r"z\d*", name) else \
            f"∂{self.root}/∂{book(name)}"

    def label(self, name):
        return f"δ at {name}" if re.fullmatch(r"z\d*", name) else f"∂{self.root}/∂{name}"

    def formula(self, src, dst, natural):
        """∂C/∂src written through the steps from src to dst, in book notation."""
        paths = self.paths(src, dst)
        if not paths or len(paths) > 4:
            return None
        terms = []
        for edges in paths:
            g = "1" if dst is self.loss else self.symbol(dst.name)
            for out, i in reversed(edges):
                x = out._node.inputs[i]
                axes = summed_axes(natural.get((id(out), i), x.shape), x.shape)
                g = step_formula(out._node, i, g, self.book, out_name=self.book[id(out)],
                                 unbroadcast_axes=axes)
            terms.append(g)
        text = " + ".join(terms)
        if dst is not self.loss and id(self.loss) in self.descendants(src, avoid=dst):
            text += f" + (the paths that bypass {dst.name})"
        return text.replace(" · ", "")


# ----- verify ------------------------------------------------------------------------------------

def verify(forward, backprop, params, x, y, *, dtype=None):
    """Compare the gradients a hand-written backprop returns with autograd's; return a Report.

    forward(params, x, y) writes the cost C with Tensors (name the intermediates: z.name = "z2");
    backprop(params, x, y) is your numpy code: it gets copies as arrays and returns a dict of
    name → ∂C/∂(that), for parameters and, optionally, named intermediates (δ). Nothing you pass
    is modified; autograd runs in float64 (integer targets stay integers), and so does your code
    unless it converts to another dtype.

    Rows come in backward order, the order the tape computes them: a named intermediate at its
    tape position, a parameter at the first op that uses it (its gradient is complete only when
    the backward pass reaches that op), an intermediate before the parameters its own op takes
    (z3 before b3 in z3 = W3·a2 + b3). A gradient agrees when max|got − expected| ≤ rtol ·
    max|expected| (relative to its largest entry), where rtol follows the precision your code
    computes in (RTOLS): RTOL (1e-7) in float64, 1e-4 when a gradient comes back in float32 or
    you pass dtype=np.float32 (for code that computes in float32 and returns float64). first_bad
    is the first row that does not agree. Each compared row also says where it differs: how
    many entries, the worst one's index (for a δ: which example and neuron) and both values.

    >>> def forward(p, x, y):
    ...     z = p["W"] @ x; z.name = "z"
    ...     return ((z.sigmoid() - y) ** 2).sum() * 0.5
    >>> def backprop(p, x, y):
    ...     a = 1 / (1 + np.exp(-p["W"] @ x))
    ...     delta = (a - y) * a * (1 - a)
    ...     return {"W": delta @ x.T, "z": delta}
    >>> params = {"W": np.array([[0.1, -0.2]])}
    >>> report = verify(forward, backprop, params, np.array([[1.0], [2.0]]), np.array([[1.0]]))
    >>> report.ok, report.diagnosis.split(" (")[0]
    (True, 'all 2 gradients agree with autograd')
    """
    if not isinstance(params, Mapping) or not params:
        raise TypeError(f"verify: params must be a non-empty dict of name → array, got "
                        f"{type(params).__name__}")
    precision = _precision(dtype)
    arrays = {name: _float64(v, f"params[{name!r}]") for name, v in params.items()}
    xa, ya = _float64(x, "x"), _target(y)
    leaves = {name: Tensor(a.copy(), requires_grad=True, name=name) for name, a in arrays.items()}
    loss = forward(dict(leaves), Tensor(xa.copy(), name="x"), Tensor(ya.copy(), name="y"))
    _check_loss(loss)
    graph = _Graph(loss, leaves, _Batch(xa.shape, ya), ya)
    natural = {}  # each VJP's gradient shape before unbroadcast: where Σ_batch happens

    def on_step(t, node, dout, dxs):
        for i, dx in enumerate(dxs):
            if dx is not None:
                natural[(id(t), i)] = np.shape(dx)

    grads, _ = autograd.backprop(loss, np.ones_like(loss._data), retain_graph=True,
                                 on_step=on_step)
    graph.grads = grads  # autograd's ∂C/∂t for every tensor t: the diagnosis reads them
    expected = {name: grads.get(id(t), np.zeros(t.shape)) for name, t in graph.known.items()}
    got, problem = _run_learner(backprop, arrays, xa, ya)
    order = graph.backward_order()
    if problem is not None:
        rows = [Row(n, graph.kind[n], expected[n].shape, note="not compared") for n in order]
        return Report(rows, problem, findings=[problem])

    # a float32 array among the gradients means float32 arithmetic somewhere in the learner's
    # code, whose rounding reaches every gradient computed alongside it (a δ stored in a float64
    # array included)
    precision = _lower(precision, *(_dtype(v) for v in got.values()))
    rows = [_compare(n, graph.kind[n], expected[n], got[n], graph.batch,
                     _natural_shape(graph, n, natural), precision,
                     _labels(graph, n, expected[n].shape)) if n in got else
            Row(n, graph.kind[n], expected[n].shape, note="not returned") for n in order]
    findings = [_unknown(key, graph) for key in got if key not in graph.known]
    missing = [n for n in order if graph.kind[n] == "param" and n not in got]
    bad = [r for r in rows if r.ok is False]
    if bad:
        diagnosis = _diagnose(graph, {r.name: r for r in rows}, bad, natural, got)
    elif findings:
        diagnosis = findings[0]
    elif not got:
        diagnosis = ("backprop returned an empty dict: return ∂C/∂ of every parameter, keyed by "
                     f"its name ({', '.join(n for n in order if graph.kind[n] == 'param')})")
        findings = [diagnosis]
    else:
        compared = [r for r in rows if r.ok]
        worst = max(r.max_rel for r in compared)
        diagnosis = (f"all {len(compared)} gradients agree with autograd "
                     f"(max rel error {worst:.1e})")
        if worst > RTOL:  # held to a lower precision: say so, and why that is not a mistake
            diagnosis = (f"all {len(compared)} gradients agree with autograd to the precision "
                         f"of your code (max rel error {worst:.1e}: {precision} rounding, not a "
                         "mistake)")
        if missing:
            diagnosis += ", but " + ", ".join(f"∂{graph.root}/∂{n}" for n in missing) + \
                f" {'was' if len(missing) == 1 else 'were'} not returned"
    return Report(rows, diagnosis, first_bad=bad[0].name if bad else None, findings=findings,
                  missing=missing)


class _Batch:
    """How many examples x holds and along which axis: the example axis of x and the δs."""

    def __init__(self, x_shape, y):
        self.m, self.layout = None, None
        y_shape = np.shape(y)
        if len(x_shape) != 2:
            return
        if len(y_shape) == 1:  # integer labels, or one target per example
            self.m = y_shape[0]
            rows, columns = x_shape[0] == self.m, x_shape[1] == self.m
        elif len(y_shape) == 2:
            rows, columns = x_shape[0] == y_shape[0], x_shape[1] == y_shape[1]
        else:
            return
        if rows != columns:
            self.layout = "rows" if rows else "columns"
            self.m = x_shape[0] if rows else x_shape[1]

    def axis(self, shape):
        """The example axis of a 2-D gradient of this shape, or None when it has none."""
        if self.m is None or len(shape) != 2:
            return None
        axes = [i for i, n in enumerate(shape) if n == self.m]
        if len(axes) == 2 and self.layout is not None:  # m examples of m neurons: the layout's
            return 1 if self.layout == "columns" else 0
        return axes[0] if len(axes) == 1 else None


def _precision(dtype):
    """The precision the caller says the learner's code computes in (integers and float128 are
    held to float64's tolerance, as _lower does)."""
    if dtype is None:
        return np.dtype(np.float64)
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or not np.issubdtype(dt, np.number) or np.issubdtype(dt, np.complexfloating):
        raise TypeError(f"verify: dtype must be a real number type such as np.float32 (the "
                        f"precision your code computes in), got {dtype!r}")
    return _lower(dt)


def _natural_shape(graph, name, natural):
    """A parameter's gradient before unbroadcast summed it over the batch (δ for a bias)."""
    t = graph.known[name]
    if graph.kind[name] != "param":
        return None
    for out, i in graph.consumers.get(id(t), []):
        shape = natural.get((id(out), i))
        if shape is not None and tuple(shape) != tuple(t.shape):
            return tuple(shape)
    return None


def _float64(value, what):
    value = value.data if isinstance(value, Tensor) else value
    a = np.array(value, copy=True)
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
        raise TypeError(f"verify: {what} must be real numbers, got an array of {a.dtype}")
    return a.astype(np.float64)


def _target(y):
    """Integer labels stay integers (a forward may index with them); everything else is float64."""
    y = y.data if isinstance(y, Tensor) else y
    a = np.array(y, copy=True)
    return a if np.issubdtype(a.dtype, np.integer) else _float64(a, "y")


def _check_loss(loss):
    if not isinstance(loss, Tensor):
        raise TypeError(f"verify: forward must return the cost C as a Tensor, got "
                        f"{type(loss).__name__}; write it with the Tensors it is given")
    if loss.size != 1:
        raise ValueError(f"verify: forward must return a single number, got shape {loss.shape}; "
                         "sum or average the cost over the batch")
    if not loss.requires_grad:
        raise ValueError("verify: the cost forward returned does not depend on any parameter; "
                         "compute it from the params dict it is given")


def _run_learner(backprop, arrays, x, y):
    """(dict of name → value, None), or (None, the problem in words)."""
    try:
        out = backprop({name: a.copy() for name, a in arrays.items()}, x.copy(), y.copy())
    except Exception as e:  # the learner's bug is the finding, not a crash
        return None, _raised(e)
    if out is None:
        return None, ("your backprop returned None, not a dict of gradients: is the "
                      "`return grads` at its end missing?")
    if isinstance(out, (tuple, list)):
        hint = (" Nielsen's backprop returns (nabla_b, nabla_w): return "
                "{'b2': nabla_b[0], 'W2': nabla_w[0], …} instead" if len(out) == 2 else "")
        return None, (f"your backprop returned a {type(out).__name__} of {len(out)} items, not a "
                      f"dict of name → gradient such as {{'W2': dW2, 'z2': delta2}}.{hint}")
    if not isinstance(out, Mapping):
        return None, (f"your backprop returned a {type(out).__name__}, not a dict of name → "
                      "gradient such as {'W2': dW2, 'z2': delta2}")
    keys = [k for k in out if not isinstance(k, str)]
    if keys:
        return None, (f"your backprop's dict has keys that are not names: {keys[:3]!r}; key "
                      "each gradient by the name of its parameter or tensor ('W2', 'z2')")
    return dict(out), None


def _raised(e):
    frames = traceback.extract_tb(e.__traceback__)
    last = traceback.format_exception_only(type(e), e)[-1].strip()
    where = ""
    # the learner's line, not numpy's or ours: the innermost frame outside the libraries
    own = [f for f in frames if not _library(f.filename)] or frames
    if own:
        f = own[-1]
        where = f" (at {Path(f.filename).name}:{f.lineno} in {f.name}" + \
            (f": {f.line.strip()}" if f.line else "") + ")"
    hint = ""
    if "NoneType" in last:
        hint = "; a value is None: did a function (feedforward?) forget to `return` its result?"
    return f"your backprop raised {last}{where}{hint}"


_LIBRARIES = tuple(str(Path(m.__file__).resolve().parent) for m in (np, autograd))
_STDLIB = str(Path(traceback.__file__).resolve().parent)


def _library(filename):
    path = str(Path(filename).resolve())
    return path.startswith(_LIBRARIES) or (path.startswith(_STDLIB) and
                                           "site-packages" not in path)


def _compare(name, kind, expected, value, batch, natural_shape=None, precision=None,
             labels=None):
    row = Row(name, kind, expected.shape)
    if isinstance(value, Tensor):
        value = value.data
    if value is None:
        row.ok, row.note = False, "None, not an array (a function that forgot to return?)"
        return row
    if not isinstance(value, (np.ndarray, np.generic, int, float)) or isinstance(value, bool):
        row.ok, row.note = False, f"a {type(value).__name__}, not an array"
        return row
    got = np.asarray(value)
    row.got_shape = got.shape
    if not np.issubdtype(got.dtype, np.number) or np.issubdtype(got.dtype, np.complexfloating):
        row.ok, row.note = False, f"an array of {got.dtype}, not real numbers"
        return row
    if got.shape != expected.shape:
        row.ok, row.note = False, "shape " + _shape_hint(got.shape, expected.shape,
                                                         natural_shape, batch)
        return row
    dtype = _lower(got.dtype, precision)
    got = got.astype(np.float64)
    if not np.isfinite(got).all():
        row.ok, row.note = False, "contains nan or inf"
        return row
    diff = np.abs(got - expected)
    row.max_abs = float(diff.max()) if diff.size else 0.0
    scale = float(np.abs(expected).max()) if expected.size else 0.0
    row.max_rel = row.max_abs / max(scale, SCALE_FLOOR)
    atol = RTOLS[dtype] * max(scale, SCALE_FLOOR)
    row.ok = row.max_rel <= RTOLS[dtype]
    _where(row, got, expected, diff, atol)
    if row.ok and row.max_rel > RTOL:
        row.note = f"agrees to {row.max_rel:.1e}: {dtype} rounding, not a mistake"
    elif not row.ok:
        row.note = _factor_hint(got, expected, batch.m) or _near_miss(row, dtype) or \
            where_text(row, labels, diff > atol)
    return row


def _lower(*dtypes):
    """The lowest of these precisions, as a key of RTOLS (integers and float128 count as
    float64; None is ignored)."""
    dts = [np.dtype(d) for d in dtypes if d is not None and np.dtype(d) in RTOLS]
    return max(dts, key=lambda d: np.finfo(d).eps, default=np.dtype(np.float64))


def _dtype(value):
    """The dtype of a returned gradient (an array or a Tensor), or None."""
    value = value.data if isinstance(value, Tensor) else value
    return value.dtype if isinstance(value, (np.ndarray, np.generic)) else None


def _near_miss(row, dtype):
    """A float64 gradient off by about float32's rounding: say what that size suggests."""
    if dtype != np.float64 or row.max_rel > RTOLS[np.dtype(np.float32)]:
        return ""
    return (f"off by {row.max_rel:.1e}: float32 rounding's size, a mistake in float64 code; if "
            "yours computes in float32, pass dtype=np.float32")


def _where(row, got, expected, diff, atol):
    """Fill row's where-it-differs fields: how many entries are off, the worst one's values."""
    row.size = int(diff.size)
    row.n_bad = int((diff > atol).sum())
    if diff.size:
        # the first of the entries within rounding of the largest: a transposed square W is off
        # by the same amount at [i, j] and [j, i], and which of the two the last bit favours
        # differs between BLAS builds; the finding should not
        top = diff.max()
        ties = np.flatnonzero(diff >= top - 1e-9 * abs(top)) if np.isfinite(top) else []
        first = int(ties[0]) if len(ties) else int(np.argmax(diff))
        worst = np.unravel_index(first, diff.shape)
        row.worst_index = tuple(int(i) for i in worst)
        row.got_value, row.expected_value = float(got[worst]), float(expected[worst])


def where_text(row, labels=None, bad=None):
    """'3 of 300 entries differ; worst at [2, 7]: yours 0.41, autograd 0.12', with the axes
    named when labels gives them ('example 5, neuron 4' for a δ, 'neuron 2, input 7' for a W),
    and the one example or neuron that all the differing entries share."""
    if row.n_bad is None or row.worst_index is None:
        return ""
    count = f"all {row.size} entries differ" if row.n_bad == row.size else \
        f"{row.n_bad} of {row.size} entries differ"
    at = "[" + ", ".join(str(i) for i in row.worst_index) + "]"
    named = [(k, label) for k, label in enumerate(labels or ()) if label]
    if named:
        order = sorted(named, key=lambda kl: ("example", "neuron", "input").index(kl[1]))
        at = ", ".join(f"{label} {row.worst_index[k]}" for k, label in order)
        if bad is not None and 1 < row.n_bad < row.size:
            for k, label in order:
                others = tuple(j for j in range(bad.ndim) if j != k)
                where = np.nonzero(bad.any(axis=others))[0]
                if len(where) == 1 and bad.shape[k] > 1:
                    count += f", all in {label} {where[0]}"
                    break
    return (f"{count}; worst at {at}: yours {row.got_value:.3g}, "
            f"autograd {row.expected_value:.3g}")


@_guess
def _labels(graph, name, shape):
    """What each axis of name's gradient counts: ('neuron', 'example') for a δ with a batch
    axis, ('neuron', 'input') or ('input', 'neuron') for a W, 'neuron' on a bias's long axis;
    None where it is not known."""
    t = graph.known[name]
    if graph.kind[name] == "δ":
        e = graph.batch.axis(shape)
        return None if e is None else tuple("example" if k == e else "neuron" for k in range(2))
    found = _layer_z(graph, t)
    if found is None:
        return None
    if found[1] == "b":
        long = [k for k, n in enumerate(shape) if n > 1]
        return tuple("neuron" if [k] == long else None for k in range(len(shape)))
    out, flipped = graph.consumers[id(t)][0][0], False
    if out._node.op.name == "transpose":
        out, flipped = graph.consumers[id(out)][0][0], True
    if len(shape) != 2 or out._node.op.name != "matmul":
        return None
    operand = next(i for i, x in enumerate(out._node.inputs)
                   if x is t or (flipped and x._node is not None and x._node.inputs[0] is t))
    labels = ("neuron", "input") if operand == 0 else ("input", "neuron")  # W·a or a·W
    return labels[::-1] if flipped else labels


def _shape_hint(got, expected, natural=None, batch=None):
    """Why a gradient's shape can be off, from the shapes and, for a parameter, from the shape
    its gradient had before it was summed over the batch (natural: δ's shape for a bias)."""
    got, expected = tuple(got), tuple(expected)
    if natural is not None and len(natural) == 2:
        summed = summed_axes(natural, expected)
        if got == natural:
            return "not summed over the batch"
        if len(summed) == 1 and natural[::-1] == got:
            return "transposed, and not summed over the batch"
        kept = 1 - summed[0] if len(summed) == 1 else None
        if kept is not None and got in ((natural[summed[0]],), _summed_over(natural, kept)):
            wrong, right = natural[kept], natural[summed[0]]
            examples = batch is not None and batch.m == right
            return (f"summed over the wrong axis: axis {kept}, the {wrong} neurons, instead of "
                    f"axis {summed[0]}, the {right} {'examples' if examples else 'entries'}")
    if len(got) == 2 and got == expected[::-1]:
        return "transposed"
    if int(np.prod(got)) == int(np.prod(expected)) and \
            tuple(n for n in got if n != 1) == tuple(n for n in expected if n != 1):
        return "differs by axes of length 1: reshape"
    try:
        if np.broadcast_shapes(got, expected) == tuple(got):
            return "not summed over the batch"
    except ValueError:
        pass
    return "mismatch"


def _summed_over(shape, axis):
    """The shape a sum over axis with keepdims=True leaves: (10, 7) over axis 0 → (1, 7)."""
    return tuple(1 if i == axis else n for i, n in enumerate(shape))


def batch_factor(r, m):
    """'m = 7 times too large: …' or '… too small: …' when a gradient is r× autograd's and r is
    the batch size m or 1/m (an averaging mistake, said with its way), else ''. One place for
    these words: the gradients check says them of all the gradients at once."""
    close = functools.partial(np.isclose, rtol=1e-6, atol=0)
    if m is not None and m > 1 and close(r, m):
        return f"m = {m} times too large: divide by the batch size"
    if m is not None and m > 1 and close(r, 1 / m):
        return f"m = {m} times too small: you divided by the batch size twice"
    return ""


def _factor_hint(got, expected, m=None):
    """'all zeros', 'm = 7 times too large: …' or 'exactly 0.5× autograd's: …' when the gradient
    is right up to a constant factor."""
    ee = float((expected * expected).sum())
    if ee == 0.0:
        return ""
    if not got.any():
        return "the gradient is all zeros: never computed, or overwritten by a zero array?"
    r = float((got * expected).sum()) / ee
    if np.linalg.norm(got - r * expected) > 1e-6 * np.linalg.norm(got) or abs(r - 1) < 1e-6:
        return ""
    close = functools.partial(np.isclose, rtol=1e-6, atol=0)
    by_m = batch_factor(r, m)
    if by_m:
        return by_m
    text = f"exactly {r:.4g}× autograd's"
    if close(r, 2) or close(r, 0.5):
        return text + ": the ½ of the cost, or the 2 of d(a − y)²/da?"
    if close(r, -1):
        return text + ": the sign is flipped, (y − a) for (a − y)?"
    return text


def _unknown(key, graph):
    named = ", ".join(n for n in graph.backward_order() if graph.kind[n] == "δ") or "none"
    leaf = {"x": "the input", "y": "the target"}.get(key)
    what = f"is {leaf}, which verify gives no gradient" if leaf else \
        "is neither a parameter nor a named tensor of the forward pass"
    return (f"{key!r} {what} (named tensors there: {named}); name the tensor in forward "
            f"(z.name = {key!r}) or fix the key")


# ----- the diagnosis -----------------------------------------------------------------------------

_WHERE = re.compile(r"(all \d+|\d+ of \d+) entries differ")


def says_where(note):
    """True when a row's note is where_text's "N of M entries differ; worst at …"."""
    return bool(note and _WHERE.match(note))


def _diagnose(graph, rows, bad, natural, got):
    """One line that names the first wrong step, and, when only some of its entries differ,
    where (a few wrong entries point at an index, an example or a neuron, not at a formula)."""
    B = bad[0]
    text = _diagnose_step(graph, rows, bad, natural, got)
    if B.note and _WHERE.match(B.note) and B.n_bad < B.size:
        text += f"; {graph.symbol(B.name)}: {B.note}"
    return text


def _diagnose_step(graph, rows, bad, natural, got):
    """The first wrong step, reasoning from the graph like a teacher."""
    B = bad[0]
    t = graph.known[B.name]
    more = len(bad) - 1
    below = f" ({more} more below it {'disagrees' if more == 1 else 'disagree'} too)" \
        if more else ""
    note = f" ({B.note})" if B.note and not _WHERE.match(B.note) else ""
    if B.got_shape is not None and tuple(B.got_shape) != tuple(B.expected_shape):
        why = B.note[len("shape "):]
        differs = wrong = f"has shape {tuple(B.got_shape)}, expected {tuple(B.expected_shape)}" \
            + (f" ({why})" if why != "mismatch" else "")
    elif B.max_rel is None:
        differs = wrong = f"is {B.note}"
    else:  # "δ at z3 agrees, δ at z2 does not" / "δ at the output z3 is wrong"
        differs, wrong = "does not" + note, "is wrong" + note
    descendants = graph.descendants(t)
    agreeing = [n for n, r in rows.items()
                if r.ok and graph.kind[n] == "δ" and id(graph.known[n]) in descendants]
    D = graph.known[min(agreeing, key=lambda n: graph.order[n])] if agreeing else None
    lhs = graph.symbol(B.name)
    grad_B = graph.label(B.name) if B.kind == "δ" else f"∂{graph.root}/∂{B.name}"
    if D is not None:
        step = _step(graph, t, D, lhs, natural)
        formula = step.partition(" = ")[2]
        if B.kind == "δ":
            slip = _hidden_slip(graph, B, t, got.get(B.name))
            return (f"{graph.label(D.name)} agrees, {grad_B} {differs}: the step {D.name} → "
                    f"{B.name}, {step}, is wrong{slip}{below}")
        return (f"{graph.label(D.name)} agrees but {grad_B} {differs}: check {step} "
                f"({_param_hint(formula)}){below}")
    # Nothing closer to the loss was returned and agrees. Is there a δ below that was not returned?
    zs_below = [x for x in graph.tensors if id(x) in descendants and x.name
                and graph.kind.get(x.name) == "δ" and re.fullmatch(r"z\d*", x.name)]
    if zs_below:
        Z = min(zs_below, key=lambda x: x._node.seq)
        return (f"{grad_B} {wrong}, and {graph.label(Z.name)} was not returned to compare: "
                f"check {_step(graph, t, Z, lhs, natural)}, and return {Z.name!r} too, to tell "
                f"whether {graph.symbol(Z.name)} or this step is wrong{below}")
    if B.kind == "param":  # only parameters returned (a whole program's gradients): by layers
        text = _layer_diagnosis(graph, rows, B, t, wrong, differs, got)
        if text is not None:
            return text + below
    # B is the output layer's δ (or comes after it): the step from the cost itself.
    named_below = [x for x in graph.tensors if x.name and id(x) in descendants]
    N = min(named_below, key=lambda x: x._node.seq) if named_below else graph.loss
    first = graph.consumers[id(t)][0][0] if graph.consumers.get(id(t)) else None
    first_op = first._node.op.name if first is not None else ""
    if B.kind == "δ" and first_op in ("softmax_cross_entropy", "log_softmax", "softmax"):
        return (f"δ at the output {B.name} {wrong}: for softmax cross-entropy check "
                f"δᴸ = (softmax(zᴸ) − y)/N, averaged over the N examples of the batch{below}")
    if B.kind == "δ" and first_op in _ACTIVATIONS and first.shape == graph.y.shape:
        return _bp1(graph, B, t, first, wrong, got.get(B.name)) + below
    cost = _cost_text(graph, t, book(B.name)) if B.kind == "δ" else None
    if cost is not None:
        cancels = ": σ' cancels in the cross-entropy cost, so BP1 is δᴸ = aᴸ − y, without " \
            "σ'(zᴸ)" if cost.startswith("(σ(") else ""
        return (f"δ at the output {B.name}, the first gradient below the loss, {wrong}: for "
                f"this cost {lhs} = ∂{graph.root}/∂{book(B.name)} = {cost}{cancels}{below}")
    return (f"{grad_B}, the first gradient below the loss, {wrong}: check "
            f"{_step(graph, t, N, lhs, natural)}{below}")


# The output layer's activations, and how BP1 writes their derivative.
_ACTIVATIONS = {"sigmoid": "σ'", "tanh": "tanh'", "relu": "relu'"}


def _bp1(graph, B, t, A, wrong, got):
    """BP1 in words for a wrong output δ: δᴸ = ∇ₐC ⊙ σ'(zᴸ), with this cost's ∇ₐC, whether or
    not the forward pass named the activation a, and what the learner's δ is instead, when it is
    one of the classic slips."""
    z = book(B.name)
    a = book(A.name) if A.name else ("a" + z[1:] if re.fullmatch(r"z\d*", B.name) else "a")
    d = _ACTIVATIONS[A._node.op.name]
    cost = _cost_text(graph, A, a)
    text = (f"δ at the output {B.name} {wrong}: check BP1, δᴸ = ∇ₐC ⊙ σ'(zᴸ), here "
            f"{graph.symbol(B.name)} = ∂{graph.root}/∂{a} ⊙ {d}({z})")
    if cost is not None:
        text += f", where this cost's ∂{graph.root}/∂{a} = {cost}"
    text += (f": the cost's derivative at this batch's {a}, times the activation's derivative "
             f"at {z} (not at {a})")
    slip = _slip(graph, t, A, got, a, z, d, output=True)
    return text + (f"; yours is {slip}" if slip else "")


def _hidden_slip(graph, B, t, got):
    """'; yours is ∂C/∂a² ⊙ σ'(a²): …' when a hidden δ whose activation follows is one of the
    classic slips of BP2 ('' otherwise)."""
    A = graph.consumers[id(t)][0][0] if graph.consumers.get(id(t)) else None
    if A is None or A._node.op.name not in _ACTIVATIONS:
        return ""
    z = book(B.name)
    a = book(A.name) if A.name else ("a" + z[1:] if re.fullmatch(r"z\d*", B.name) else "a")
    slip = _slip(graph, t, A, got, a, z, _ACTIVATIONS[A._node.op.name], output=False)
    if slip:
        return f"; yours is {slip}"
    other = _other_weight(graph, t, A, got)
    return f"; yours uses {other}" if other else ""


@_guess
def _other_weight(graph, t, A, got):
    """BP2 written with another layer's W of the same shape (δ² from W² where it needs W³)."""
    got = got.data if isinstance(got, Tensor) else got
    if not isinstance(got, np.ndarray) or got.shape != t.shape:
        return None
    for name, W, delta in _other_weight_deltas(graph, t, A):
        r = _proportional(got, delta)
        if r is not None and np.isclose(r, 1.0, rtol=1e-6, atol=0):
            return f"{name} where BP2 has {W}, the W of the layer above"
    return None


def _other_weight_deltas(graph, z, A):
    """(name, the right W's name, δ at z) for each other parameter Q shaped like the W that
    reads this layer's activation A: the δ that BP2 written with Q gives, through autograd's
    own gradient at that matmul (the W may be used transposed, as W.T)."""
    uses = [(out, i) for out, i in graph.consumers.get(id(A), []) if out._node.op.name == "matmul"]
    if len(uses) != 1 or A._node.op.name not in _ACTIVATIONS:
        return
    out, i = uses[0]
    W, g = out._node.inputs[1 - i], graph.grads.get(id(out))
    flip = W._node is not None and W._node.op.name == "transpose"
    leaf = W._node.inputs[0] if flip else W
    if g is None or graph.kind.get(leaf.name) != "param" or graph.known[leaf.name] is not leaf:
        return
    derivative = {"sigmoid": lambda: A.data * (1 - A.data), "tanh": lambda: 1 - A.data ** 2,
                  "relu": lambda: (z.data > 0).astype(np.float64)}[A._node.op.name]()
    for name, Q in graph.known.items():
        if graph.kind[name] != "param" or Q is leaf or Q.shape != leaf.shape:
            continue
        q = Q.data.T if flip else Q.data
        da = q.T @ g if i == 1 else g @ q.T  # z = W·a (columns) or z = a·W (rows)
        yield name, leaf.name, da * derivative


@_guess
def _slip(graph, t, A, got, a, z, d, *, output):
    """The learner's δ at z, when it is ∂C/∂a without the activation's derivative, or with the
    derivative taken at a instead of z (A: the activation's output, a and z: their symbols)."""
    if isinstance(got, Tensor):
        got = got.data
    if not isinstance(got, np.ndarray) or got.shape != t.shape or \
            not np.issubdtype(got.dtype, np.floating) or not np.isfinite(got).all():
        return None
    g, av = graph.grads.get(id(A)), A.data
    if g is None:
        return None
    at_a = {"sigmoid": lambda v: ops.sigmoid(v) * (1 - ops.sigmoid(v)),
            "tanh": lambda v: 1 - np.tanh(v) ** 2,
            "relu": lambda v: (v > 0).astype(np.float64)}[A._node.op.name](av)
    missing = f"∂{graph.root}/∂{a} alone: the ⊙ {d}({z}) is missing"
    if output:
        missing += " (that δᴸ belongs to the cross-entropy cost, not to this one)"
    slips = [(g, missing),
             (g * at_a, f"∂{graph.root}/∂{a} ⊙ {d}({a}): the derivative is taken at {a}, "
                        f"the activation applied twice")]
    for value, words in slips:
        r = _proportional(got, value)
        if r is not None and np.isclose(r, 1.0, rtol=1e-6, atol=0):
            return words
    return None


def _proportional(got, value):
    """r when got = r·value to 1e-6 relative, else None."""
    vv = float((value * value).sum())
    if vv == 0.0:
        return None
    r = float((got * value).sum()) / vv
    if np.linalg.norm(got - r * value) > 1e-6 * max(np.linalg.norm(got), 1e-300):
        return None
    return r


@_guess
def _cost_text(graph, A, a):
    """∂C/∂a as the books write it, '2(a³ − y)/m', read off autograd's gradient at the tensor A
    the cost is taken of (quadratic or cross-entropy costs; None when it is neither)."""
    g, y, av = graph.grads.get(id(A)), graph.y, A.data
    if g is None or y.shape != av.shape or not np.issubdtype(y.dtype, np.floating):
        return None
    bases = [(f"({a} − y)", av - y), (f"(σ({a}) − y)", ops.sigmoid(av) - y)]  # σ(z): logits
    if ((av > 0) & (av < 1)).all():
        bases.append((f"({a} − y)/({a}(1 − {a}))", (av - y) / (av * (1 - av))))
    m = graph.batch.m
    for text, value in bases:
        r = _proportional(g, value)
        if r is None:
            continue
        for k in (1, 2):
            factor = "" if k == 1 else str(k)
            if m and m > 1 and np.isclose(r * m, k, rtol=1e-6, atol=0):
                return f"{factor}{text}/m (m = {m} examples)"
            if np.isclose(r, k, rtol=1e-6, atol=0):
                return f"{factor}{text}" if k > 1 or "/" in text else text[1:-1]
        return f"{r:.4g}·{text}"
    return None


# ----- by layers, when only the parameters' gradients are compared ------------------------------

def _layer_z(graph, P):
    """The pre-activation z = W·a + b (or a·W + b) that parameter P feeds, and P's role there:
    (z, "W" or "b"), through a transpose of P; None for any other use."""
    t = P
    for _ in range(3):
        uses = graph.consumers.get(id(t), [])
        if len(uses) != 1:
            return None
        out = uses[0][0]
        op = out._node.op.name
        if op == "transpose":
            t = out
        elif op == "matmul":
            after = graph.consumers.get(id(out), [])
            z = after[0][0] if len(after) == 1 and after[0][0]._node.op.name == "add" else out
            return z, "W"
        elif op == "add":
            return out, "b"
        else:
            return None
    return None


def _layers(graph):
    """{id(z): {"W": name, "b": name}} for every layer the parameters feed."""
    layers = {}
    for name, t in graph.known.items():
        found = _layer_z(graph, t) if graph.kind[name] == "param" else None
        if found is not None:
            layers.setdefault(id(found[0]), {"z": found[0]})[found[1]] = name
    return layers


def _layer_diagnosis(graph, rows, B, P, wrong, differs, got):
    """BP1–BP4 in the learner's own parameter names, when no δ was returned: which layer is the
    first wrong one, whether its δ (seen through the bias) or only its ∂C/∂W is off, and the
    classic slip behind it when the learner's numbers match one."""
    found = _layer_z(graph, P)
    if found is None:
        return None
    z, role = found
    layers = _layers(graph)
    mine = layers[id(z)]
    after = graph.descendants(z)
    above = [L for k, L in layers.items() if id(L["z"]) in after]
    A = graph.consumers[id(z)][0][0] if graph.consumers.get(id(z)) else None
    act = A._node.op.name if A is not None else ""
    grad = f"∂{graph.root}/∂{B.name}"
    bp = {"W": "BP4, ∂C/∂W = δ·aᵀ (a: the activation entering the layer)",
          "b": "BP3, ∂C/∂b = Σ_batch δ"}[role]
    other = mine.get("b" if role == "W" else "W")
    if other is not None and rows.get(other) and rows[other].ok:
        what = "the transpose, and a: the layer below's activation, not its z" if role == "W" else \
            "δ summed over the examples, with nothing else added or scaled"
        return (f"∂{graph.root}/∂{other} agrees, so this layer's δ is right, but {grad} "
                f"{differs}: check {bp}: {what}")
    if not above:  # the output layer
        if act in _ACTIVATIONS and A.shape == graph.y.shape:
            a, d = "a", _ACTIVATIONS[act]
            cost = _cost_text(graph, A, a)
            delta = f"δᴸ = ∂{graph.root}/∂a ⊙ {d}(zᴸ)" + \
                (f", where this cost's ∂{graph.root}/∂a = {cost}" if cost else "")
            slip = _layer_slip(graph, z, A, P, got.get(B.name), output=True)
        elif act in ("softmax_cross_entropy", "log_softmax", "softmax"):
            delta = "δᴸ = (softmax(zᴸ) − y)/N for softmax cross-entropy averaged over N examples"
            slip = None
        else:
            cost = _cost_text(graph, z, "z")
            if cost is None:
                return None
            delta = f"δᴸ = ∂{graph.root}/∂zᴸ = {cost}"
            slip = None
        return (f"{grad}, in the output layer, {wrong}: check {bp}, with BP1's {delta}"
                + (f"; yours is {slip}" if slip else ""))
    nearest = min(above, key=lambda L: L["z"]._node.seq)
    names = [nearest[r] for r in ("W", "b") if r in nearest]
    if not all(rows.get(n) and rows[n].ok for n in names):
        return None
    d = _ACTIVATIONS.get(act, "f'")
    W = nearest.get("W", "the W above")
    slip = _layer_slip(graph, z, A, P, got.get(B.name), output=False) \
        if act in _ACTIVATIONS else None
    return (f"the layer above agrees ({', '.join(names)}) but {grad} {differs}: check BP2, "
            f"δ = ({W}ᵀ·δ above) ⊙ {d}(z) for this layer, then {bp}"
            + (f"; yours is {slip}" if slip else ""))


@_guess
def _layer_slip(graph, z, A, P, got, *, output):
    """The learner's ∂C/∂P, when it is what a classic slip in this layer's δ gives: σ' left
    out, σ' taken at a, or (hidden layers) another layer's W of the same shape in BP2."""
    got = got.data if isinstance(got, Tensor) else got
    g = graph.grads.get(id(A))
    if not isinstance(got, np.ndarray) or got.shape != P.shape or g is None or \
            not np.isfinite(got).all():
        return None
    av = A.data
    at_a = {"sigmoid": lambda v: ops.sigmoid(v) * (1 - ops.sigmoid(v)),
            "tanh": lambda v: 1 - np.tanh(v) ** 2,
            "relu": lambda v: (v > 0).astype(np.float64)}[A._node.op.name](av)
    d = _ACTIVATIONS[A._node.op.name]
    missing = f"∂C/∂a alone where δ needs ⊙ {d}(z): the {d} is missing"
    if output:
        missing += " (that δᴸ belongs to the cross-entropy cost, not to this one)"
    candidates = [(g, missing), (g * at_a, f"made with {d}(a) where δ needs {d}(z): the "
                                           f"derivative is taken at a, the activation applied "
                                           f"twice")]
    if not output:
        candidates += [(delta, f"BP2 written with {name} where it needs {W}, the W of the layer "
                               "above") for name, W, delta in _other_weight_deltas(graph, z, A)]
    for delta, words in candidates:
        grads, _ = autograd.backprop(z, delta, retain_graph=True)
        r = _proportional(got, grads.get(id(P), np.zeros(P.shape)))
        if r is not None and np.isclose(r, 1.0, rtol=1e-6, atol=0):
            return words
    return None


def _step(graph, src, dst, lhs, natural):
    """'δ² = ((W³)ᵀδ³) ⊙ σ'(z²)', or, when that is too long to read, the ops in between."""
    formula = graph.formula(src, dst, natural)
    if formula and len(formula) <= 80:
        return f"{lhs} = {formula}"
    return f"{lhs}, through " + ", ".join(_ops_between(graph, src, dst))


def _param_hint(formula):
    if formula and formula.startswith("Σ_batch"):
        return "δ summed over the batch"
    return "shape, transpose, batch sum"


def _ops_between(graph, src, dst):
    """The ops on the way from src to dst, in tape order."""
    after, before = graph.descendants(src), {id(x) for x in autograd.graph_of(dst)}
    between = [t for t in graph.tensors if id(t) in after and id(t) in before]
    return [t._node.op.name for t in sorted(between, key=lambda t: t._node.seq)]


# ----- the books' backprops on a real batch ------------------------------------------------------

def check_preset(name, *, batch_size=DEFAULT_BATCH, seed=0):
    """verify a preset's reference δ-formula backprop against autograd on a real batch.

    The preset's initial float64 parameters (seed) and batch_size training examples of its
    dataset; `tinygrad-edu check --preset P` prints this report and exits 1 when it is not ok.

    >>> report = check_preset("nielsen", batch_size=4)
    >>> report.ok, report.first_bad
    (True, None)
    """
    preset = presets.get(name)
    if preset.reference is None:
        have = ", ".join(n for n, p in presets.PRESETS.items() if p.reference is not None)
        raise ValueError(f"check_preset: the {preset.name!r} preset has no reference backprop "
                         f"to check; choose one of {have}")
    backprop = preset.reference.backprop
    if preset.loss == "sigmoid_cross_entropy":  # network2's cost, in the same nielsen module
        backprop = functools.partial(backprop, cost="cross_entropy")
    x, y = preset.sample(batch_size, seed)
    report = verify(preset.forward, backprop, preset.init_params(seed, np.float64), x, y)
    module = preset.reference.__name__.rsplit(".", 1)[-1]
    report.title = (f"check {preset.name}: reference.{module}.backprop against autograd on "
                    f"{batch_size} {preset.dataset} training examples (seed {seed}, float64)")
    return report
