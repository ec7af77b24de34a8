"""The backward pass in words: one chain-rule line per tape step, with the tensors' own names.

It owns the names given to unnamed tensors (t1, t2, … in tape order), the filling of each
primitive's derivative template (``grad_text``, beside its VJP in ``ops``) with those names, and
``explain``/``explain_preset``. It imports the engine (``autograd``, ``tensor``) and ``presets`` (a
preset's network and real batch); ``check`` reuses ``step_formula`` to write a wrong step's formula.
"""

import html
import io
import re
import sys

import numpy as np

from . import autograd, presets
from .tensor import Tensor

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
BOOK_NAME = re.compile(r"([A-Za-z]+)(\d+)$")  # W2, z3, a1: the books' layer-indexed symbols


# ----- names -----------------------------------------------------------------------------------

def tensor_names(root, tensors=None):
    """A display name for every tensor root depends on: its .name, else t1, t2, … in tape order.

    Unnamed one-element constants show their value; the unnamed root is C, the cost.

    >>> x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    >>> loss = ((x * 3).exp()).sum()
    >>> sorted(tensor_names(loss).values())
    ['3', 'C', 't1', 't2', 'x']
    """
    tensors = autograd.graph_of(root) if tensors is None else tensors
    taken = {t.name for t in tensors if t.name}
    names, counters = {}, {"t": 0, "p": 0, "c": 0}

    def fresh(prefix):
        while True:
            counters[prefix] += 1
            name = f"{prefix}{counters[prefix]}"
            if name not in taken:
                return name

    first_use = {}  # a leaf has no tape position: it is placed by the first op that uses it
    for t in tensors:
        if t._node is not None:
            for x in t._node.inputs or ():
                first_use[id(x)] = min(first_use.get(id(x), t._node.seq), t._node.seq)
    for t in sorted(tensors, key=lambda t: t._node.seq if t._node is not None
                    else first_use.get(id(t), 0) - 0.5):
        if t.name:
            names[id(t)] = t.name
        elif t is root:
            names[id(t)] = "C"
        elif t._node is not None:
            names[id(t)] = fresh("t")
        elif t.size == 1:
            names[id(t)] = f"{t._data.item():g}"
        else:  # an unnamed parameter, or an unnamed constant array
            names[id(t)] = fresh("p" if t.requires_grad else "c")
    return names


def book(name):
    """The books' way to write a layer-indexed name: z2 → z², W3 → W³.

    >>> book("W3"), book("delta"), book("b12")
    ('W³', 'delta', 'b¹²')
    """
    m = BOOK_NAME.fullmatch(name)
    return m.group(1) + m.group(2).translate(SUPERSCRIPT) if m else name


def _transposed(text):
    """a2 → a2ᵀ; W³ or a compound expression → (W³)ᵀ."""
    return f"{text}ᵀ" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", text) else f"({text})ᵀ"


def shape_text(shape):
    """A shape as the lines print it: [30×10], [50] or [scalar].

    >>> shape_text((30, 10)), shape_text((50,)), shape_text(())
    ('[30×10]', '[50]', '[scalar]')
    """
    return "[" + ("×".join(map(str, shape)) if shape else "scalar") + "]"


def _axes_text(axis):
    if axis is None:
        return "every axis"
    if isinstance(axis, tuple):
        return "axes " + ", ".join(map(str, axis))
    return f"axis {axis}"


def _index_text(index):
    items = index if isinstance(index, tuple) else (index,)
    parts = []
    for i in items:
        if isinstance(i, slice):
            parts.append(":" if i == slice(None) else
                         f"{'' if i.start is None else i.start}:{'' if i.stop is None else i.stop}"
                         + ("" if i.step is None else f":{i.step}"))
        elif isinstance(i, np.ndarray):
            parts.append(f"{i.size} indices")
        else:
            parts.append(str(i))
    return ", ".join(parts)


def _wrap(text):
    """Parenthesize a compound expression before it is multiplied or negated."""
    depth = 0
    for ch in text:  # a space outside brackets separates two terms: "δ³ ⊙ σ'(z³)"
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == " " and depth == 0:
            return f"({text})"
    return f"({text})" if text.startswith("−") else text


def step_formula(node, i, dout, names, *, out_name, unbroadcast_axes=()):
    """∂C/∂(input i of node) as text: the op's template filled with dout and the tensors' names.

    The template is the primitive's grad_text (in ops.py, beside its VJP), one per input. Its
    fields: {dout} the incoming gradient, {out} the output's name, {x} {y} {cond} the inputs'
    names ({xT} {yT} transposed), {xshape} input i's shape, {i} its position (concatenate),
    {axes} the reduced axes, and the op's settings ({lo} {hi} {axis} {index} {T}). An op declared
    without grad_text reads "op's VJP of dout". names maps id(tensor) to the text to show for
    it; unbroadcast_axes, when the backward loop summed the gradient over broadcast axes, adds
    the Σ_batch it did.

    >>> a = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> W = Tensor([[1.0], [1.0]], requires_grad=True)
    >>> z = a @ W
    >>> names = {id(a): "a²", id(W): "W³"}
    >>> step_formula(z._node, 0, "δ³", names, out_name="z³")
    'δ³ · (W³)ᵀ'
    """
    texts = node.op.grad_text or ("{op}'s VJP of {dout}",) * len(node.inputs)  # none declared
    template = texts[0] if node.op.name == "concatenate" else texts[i]
    inputs = node.inputs
    fields = {"dout": _wrap(dout), "out": out_name, "i": i, "op": node.op.name}
    keys = ("cond", "x", "y") if node.op.name == "where" else ("x", "y")
    for key, t in zip(keys, inputs):
        fields[key] = names[id(t)]
        fields[key + "T"] = _transposed(fields[key])
    fields["xshape"] = shape_text(inputs[i].shape)
    for key, value in node.params.items():
        if key in ("lo", "hi"):
            fields[key] = ("−∞" if key == "lo" else "∞") if value is None else f"{value:g}"
        elif key == "index":
            fields[key] = _index_text(value)
        else:
            fields[key] = value
    fields["axes"] = _axes_text(node.params.get("axis"))
    axes = node.params.get("axes")
    full = axes is None or list(axes) == list(range(len(axes)))[::-1]
    fields["T"] = "ᵀ" if full else f" with axes {tuple(int(a) for a in np.argsort(axes))}"
    text = template.format(**fields)
    return f"Σ_batch {_wrap(text)}" if unbroadcast_axes else text


# ----- explain -----------------------------------------------------------------------------------

def _consumer_counts(tensors):
    counts = {}
    for t in tensors:
        if t._node is not None and t._node.inputs is not None:
            for x in t._node.inputs:
                counts[id(x)] = counts.get(id(x), 0) + 1
    return counts


class Explanation(str):
    """explain()'s text: a str to print, split or compare, that a notebook displays once, as text
    (a plain str would show there a second time, quoted and with its newlines escaped)."""

    def __repr__(self):
        return str(self)

    def _repr_pretty_(self, p, cycle):  # IPython's text display
        p.text(str(self))

    def _repr_html_(self):
        return f'<pre style="line-height: 1.3">{html.escape(str(self))}</pre>'


def _displayed_by_shell():
    """Whether an interactive shell (Jupyter, IPython, the Python prompt) shows returned values."""
    ipython = sys.modules.get("IPython")
    if ipython is not None and getattr(ipython, "get_ipython", lambda: None)() is not None:
        return True
    return hasattr(sys, "ps1")


def explain(loss, *, file=None):
    """Run the backward pass of loss and print each step as a chain-rule line; return the text.

    The text comes back as an Explanation, a str that a notebook displays once: in Jupyter,
    IPython or at the Python prompt explain() does not print it (the shell shows the returned
    value), elsewhere it prints to file (stdout by default). Given a file, it always writes there.

    One line per gradient a tape step computes, newest step first, with the tensors' names and the
    gradient's shape. A step that only hands the gradient to an unnamed tensor used once (the W·a
    of W·a + b) prints no line: that tensor's gradient is written with the result's name. Where
    the backward loop sums a gradient over broadcast axes (a bias), the line says Σ_batch. The graph
    is kept, so loss.backward() still works afterwards; .grad is not touched.

    >>> W = Tensor([[0.5, -0.5]], requires_grad=True, name="W2")
    >>> b = Tensor([[0.1]], requires_grad=True, name="b2")
    >>> x = Tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]], name="x")
    >>> z = W @ x + b; z.name = "z2"
    >>> a = z.sigmoid(); a.name = "a2"
    >>> _ = explain(a.sum())  # doctest: +NORMALIZE_WHITESPACE
    ∂C/∂C  = 1                             [scalar]
    ∂C/∂a2 = ∂C/∂C copied over every axis  [1×3]     sum
    ∂C/∂z2 = ∂C/∂a2 ⊙ σ'(z2)               [1×3]     sigmoid
    ∂C/∂b2 = Σ_batch ∂C/∂z2                [1×1]     add; unbroadcast sums axis 1 (size 3)
    ∂C/∂W2 = ∂C/∂z2 · xᵀ                   [1×2]     matmul
    """
    if not isinstance(loss, Tensor) or not loss.requires_grad:
        raise ValueError("explain: loss must be a Tensor computed from a tensor with "
                         "requires_grad=True (a parameter): call explain(loss) after the forward "
                         "pass, before anything detaches it")
    if loss.size != 1:
        raise ValueError(f"explain: loss has shape {loss.shape}; explain a single number, e.g. "
                         "explain(loss.sum())")
    on_step, text = _listing(loss)
    autograd.backprop(loss, np.ones_like(loss._data), retain_graph=True, on_step=on_step)
    return show(text(), file)


def _listing(loss):
    """(on_step, text): explain()'s lines, written by a backward pass of loss that calls on_step
    after each tape step (backprop's hook), and text() to read them after it. jit's capture runs
    one backward pass for its program and for these lines."""
    tensors = autograd.graph_of(loss)
    names = tensor_names(loss, tensors)
    counts = _consumer_counts(tensors)
    root = names[id(loss)]
    symbol = {id(loss): f"∂{root}/∂{root}"}
    rows = [(f"∂{root}/∂{root}", "1", shape_text(loss.shape), "")]
    started = set()

    def on_step(t, node, dout, dxs):
        for i, (x, dx) in enumerate(zip(node.inputs, dxs)):
            if dx is None or not x.requires_grad:
                continue
            axes = autograd.summed_axes(np.shape(dx), x.shape)
            text = step_formula(node, i, symbol[id(t)], names, out_name=names[id(t)],
                                unbroadcast_axes=axes)
            if (x._node is not None and not x.name and counts.get(id(x)) == 1
                    and text == _wrap(symbol[id(t)])):
                symbol[id(x)] = symbol[id(t)]  # a plain hand-over: no line, reuse the name
                continue
            symbol.setdefault(id(x), f"∂{root}/∂{names[id(x)]}")
            note = node.op.name
            if axes:
                sizes = ", ".join(str(np.shape(dx)[a]) for a in axes)
                note += (f"; unbroadcast sums {_axes_text(axes if len(axes) > 1 else axes[0])}"
                         f" (size {sizes})")
            sign = "+=" if id(x) in started else "="
            started.add(id(x))
            rows.append((symbol[id(x)], text, shape_text(x.shape), note, sign))

    return on_step, lambda: Explanation(_format_rows(rows))


def show(text, file=None):
    """Print text to file (stdout by default) unless a shell will display the returned value."""
    if file is not None or not _displayed_by_shell():
        print(text, file=sys.stdout if file is None else file)
    return text


def _format_rows(rows):
    """Align the columns: gradient, formula (long ones overflow), shape, op and notes."""
    left = max(len(r[0]) for r in rows)
    width = max(len(r[1]) for r in rows if len(r[1]) <= 36)  # longer formulas overflow
    shapes = max(len(r[2]) for r in rows)
    lines = []
    for row in rows:
        lhs, rhs, shape, note = row[:4]
        sign = row[4] if len(row) > 4 else "="
        lines.append(f"{lhs:<{left}} {sign} {rhs:<{width}}  {shape:<{shapes}}  {note}".rstrip())
    return "\n".join(lines)


# ----- presets -----------------------------------------------------------------------------------

def explain_preset(name, *, batch_size=10, seed=0):
    """The backward pass of a preset's network on a real batch, as explain() prints it.

    >>> print(explain_preset("nielsen", batch_size=4).splitlines()[-1])  # doctest: +ELLIPSIS
    ∂C/∂W2 = ∂C/∂z2 · xᵀ ... [30×784]  matmul
    """
    preset = presets.get(name)
    x, y = preset.sample(batch_size, seed)
    params = preset.tensors(preset.init_params(seed, np.float64))
    loss = preset.forward(params, Tensor(x, name="x"), Tensor(y, name="y"))
    layout = ("examples in columns: z = W·a + b" if preset.layout == "columns"
              else "examples in rows: z = a·W + b")
    legend = ["⊙ elementwise product", "· matrix product"]
    output_sigmoid = preset.loss != "cross_entropy"  # else the last layer's z goes to softmax
    if preset.activation == "sigmoid" or output_sigmoid:
        legend.append("σ'(z) = σ(z)(1 − σ(z))")
    if preset.activation == "relu":
        legend.append("[z > 0] relu's derivative (0 at 0)")
    legend.append("Σ_batch summed over the batch by unbroadcast")
    header = [preset.title, f"batch of {batch_size} {preset.dataset} examples, {layout}",
              presets.LOSSES[preset.loss], "; ".join(legend[:3]), "; ".join(legend[3:])]
    return Explanation("\n".join(filter(None, header)) + "\n" + explain(loss, file=io.StringIO()))

