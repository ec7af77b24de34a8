"""Pictures of the recorded graph: draw() turns a tensor's graph into a graphviz.Digraph, render()
writes it as .svg/.png/.pdf/.dot, graph_preset() draws a preset's network on a real batch.

The only module that imports the ``graphviz`` package. It imports ``autograd`` (walking the tape,
backprop for the gradients it shows), ``tensor`` and ``presets`` (a preset's network and batch).
"""

import inspect
import re
from collections import Counter, defaultdict
from pathlib import Path

import graphviz
import numpy as np

from . import presets
from .autograd import backprop, graph_of, unbroadcast
from .files import atomic_write, check_output
from .tensor import Tensor

SMALL = 12  # tensors with at most this many elements show their values, larger ones summaries
FORMATS = ("svg", "png", "pdf")
STYLES = {  # fill colours; tests and the legend read them from here
    "parameter": "#cfe2ff",
    "input": "#eeeeee",
    "intermediate": "#ffffff",
    "output": "#ffd27f",
    "operation": "#efe3ff",
    "layer": "#d8f0f0",
    "freed": "#f2f2f2",
}
LEGEND = {
    "parameter": "parameter (leaf, requires_grad)",
    "input": "input / constant (leaf, no grad)",
    "intermediate": "intermediate tensor",
    "output": "output (backward starts here)",
    "operation": "operation (hover: its derivative)",
    "layer": "layer / module: its ops in one box",
    "freed": "values freed by backward() (dashed)",
}
HIGHLIGHT = {False: "#ff9e9e", True: "#a8e6a3", None: "#c8c8c8"}  # by a report row's ok
LEGEND_HIGHLIGHT = {False: "gradient disagrees with the report", True: "gradient agrees",
                    None: "gradient not checked"}
RANKDIRS = ("LR", "TB", "RL", "BT")
WIDTH = 900  # px: what a notebook cell or a page shows without scrolling sideways
RANK_PX = 120  # about one rank's width left to right: a box, an ellipse's half, the gap
NODE_PX = 170  # about one box's width top to bottom, with its gap
LAYER_NAME = re.compile(r"[za](\d+)")  # z2, a2: the books' names mark the layer a tensor is in
MISSING_DOT = """\
{what}: the Graphviz program `dot` is not installed (or not on PATH), so the graph cannot be
rendered as {fmt}. Install Graphviz:
  Debian/Ubuntu:  sudo apt-get install graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz   (or: choco install graphviz), then reopen the shell
The DOT text works without it: render(graph, "graph.dot") (or graph.source) saves it, and
`dot -Tsvg graph.dot -o graph.svg` renders it later."""


def draw(root, *, show_data=True, show_grad=True, rankdir="auto", collapse=None, highlight=None,
         grad_flow=False, max_nodes=500):
    """The graph that root was computed by, as a graphviz.Digraph: boxes for tensors, ellipses
    for operations (hover one for its derivative), a legend for the styles.

    Gradients are shown once backward has run: with retain_graph=True, ∂C/∂t of every tensor;
    after a plain backward(), which frees the graph, the structure, names, shapes, leaf values and
    every .grad that backward kept, and the values it freed drawn dashed, as freed.
    collapse="module" draws each module call, or each layer named z{l}/a{l}, as one box;
    highlight takes a report whose .rows have .name and .ok and colours those tensors red
    (disagree), green (agree) or grey (not checked); grad_flow labels the edges with the norm
    of the gradient flowing back along them.

    >>> a = Tensor(2.0, requires_grad=True, name="a")
    >>> L = a * a + a
    >>> L.backward(retain_graph=True)
    >>> graph = draw(L)
    >>> graph.source.count("shape=ellipse"), "grad 5" in graph.source
    (2, True)
    """
    if collapse not in (None, "module"):
        raise ValueError(f"draw: collapse={collapse!r}; use None (every op) or 'module'")
    if rankdir != "auto" and rankdir not in RANKDIRS:
        raise ValueError(f"draw: rankdir={rankdir!r}; use 'auto', 'LR', 'TB', 'RL' or 'BT'")
    if grad_flow and not root.requires_grad:
        raise ValueError("draw: grad_flow=True, but the root does not require grad, so no "
                         "gradient flows; build it from tensors with requires_grad=True")
    freed = _freed(root)
    if freed is not None:
        if grad_flow:
            raise RuntimeError(
                f"draw: grad_flow=True needs the gradients along every edge, but backward() "
                f"freed the graph through {freed.op.name} (tape position #{freed.seq}); call "
                "backward(retain_graph=True) before drawing the flow (draw(root) without "
                "grad_flow works as it is)")
        root = _revive(root)
    tensors, ops = _walk(root, max_nodes if collapse is None else None)
    num = _number(root, ops)
    tensors.sort(key=lambda t: num[id(t)])
    members = defaultdict(list)  # group name -> its tensors in tape order; the last is its output
    for t, name in _groups(root, ops, tensors).items() if collapse else ():
        members[name].append(t)
    box = {id(t): f"g{num[id(inside[-1])]}" for inside in members.values() for t in inside}
    alone = [t for t in tensors if id(t) not in box]
    drawn = len(members) + len(alone) + sum(t._node is not None for t in alone)
    if drawn > max_nodes:
        raise ValueError(f"draw: even collapsed, the graph has {drawn} nodes, more than "
                         f"max_nodes={max_nodes}; pass a larger max_nodes to draw it anyway")
    grads, flows = {}, {}
    if freed is None and root.requires_grad and (grad_flow or (show_grad and any(
            t.grad is not None for t in tensors))):
        grads, flows = _gradients(root, keep_flows=grad_flow)
    status, bad = _statuses(highlight)

    g = graphviz.Digraph("graph", graph_attr={"rankdir": rankdir, "fontname": "Helvetica"},
                         node_attr={"fontname": "Helvetica", "fontsize": "10"},
                         edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    fills = set()  # the colours used, for the legend
    for t in alone:
        k = num[id(t)]
        head = [_esc(t.name or f"t{k}"), f"{t.shape} {t.dtype}"]
        label = _label(head, _differs(bad.get(t.name)) + _value_lines(t, grads, show_data,
                                                                       show_grad))
        style = _tensor_style(t, root, status)
        dashed = ",dashed" if getattr(t, "freed", False) else ""
        g.node(f"t{k}", label, shape="box", style="filled" + dashed, **style)
        fills.add(style["fillcolor"])
        if t._node is not None:
            g.node(f"op{k}", _op_label(t._node), shape="ellipse", style="filled",
                   fillcolor=STYLES["operation"], tooltip=_esc(_formula(t._node)))
            fills.add(STYLES["operation"])
    for name, inside in members.items():
        out, k = inside[-1], num[id(inside[-1])]
        head = [_esc(name), _chain([t._node.op.name for t in inside if t._node is not None]),
                f"{_esc(out.name or f't{k}')} {out.shape} {out.dtype}"]
        wrong = [f"{_esc(t.name)}: " * (i == 0) + line for t in inside  # whose lines they are
                 for i, line in enumerate(_differs(bad.get(t.name)))]
        label = _label(head, wrong + _value_lines(out, grads, show_data, show_grad))
        tips = dict.fromkeys(_formula(t._node) for t in inside if t._node is not None)
        style = _group_style(inside, root, status)
        g.node(f"g{k}", label, shape="box", style="filled,rounded",
               tooltip="\\n".join(map(_esc, tips)), **style)
        fills.add(style["fillcolor"])

    edges = {}  # (tail, head[, input index]) -> the gradients flowing back along it
    for t in ops:
        head = box.get(id(t), f"op{num[id(t)]}")
        for i, x in enumerate(t._node.inputs):
            tail = box.get(id(x), f"t{num[id(x)]}")
            if tail != head:  # collapsed edges inside a box vanish, parallel ones merge
                key = (tail, head) if collapse else (tail, head, i)
                edges.setdefault(key, []).append(flows.get((id(t), i)))
        if id(t) not in box:
            edges[(head, f"t{num[id(t)]}")] = [grads.get(id(t))]
    norms = {key: _norm(parts) for key, parts in edges.items()}
    logs = np.log10([n for n in norms.values() if n] or [1.0])
    for key in edges:
        g.edge(key[0], key[1], **(_flow_style(norms[key], logs) if grad_flow else {}))
    if rankdir == "auto":
        g.graph_attr["rankdir"] = _direction(*_extent(edges))
    _legend(g, fills, grad_flow)
    return g


def render(graph, path):
    """Write graph to path as .svg, .png or .pdf (with Graphviz's `dot`) or as .dot text.

    Without `dot`, raises RuntimeError saying how to install Graphviz; .dot needs no `dot`.

    >>> import tempfile
    >>> path = render(draw(Tensor(1.0, name="x")), Path(tempfile.mkdtemp()) / "x.dot")
    >>> path.read_text(encoding="utf-8").startswith("digraph")
    True
    """
    try:
        return _write(graph, path)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(MISSING_DOT.format(what="render", fmt=Path(path).suffix)) from None


def graph_preset(name, out, *, collapse=None, grad_flow=False, batch_size=10, seed=0,
                 params=None, rankdir="auto", log=print):
    """Draw a preset's network (a name or a presets.Preset) on a real batch after backward.

    The batch comes from the preset's dataset (MNIST, or the 32×32 digits), the weights from
    params (arrays by name, e.g. trained ones) or the preset's own init with seed. Writes out
    (.svg/.png/.pdf/.dot) and returns its path; without `dot`, writes the .dot next to it,
    logs how to install Graphviz and returns the .dot path.

    >>> import tempfile
    >>> path = graph_preset("nielsen", Path(tempfile.mkdtemp()) / "g.dot", log=None)
    >>> path.suffix, "W2" in path.read_text(encoding="utf-8")
    ('.dot', True)
    """
    preset = presets.get(name)
    names = [f"{k}{l}" for l in preset.layers for k in "Wb"]
    if params is not None and sorted(params) != sorted(names):
        raise ValueError(f"graph_preset: params holds {sorted(params)}, but the {preset.name} "
                         f"network {preset.sizes} needs {names}; pass the params of a network "
                         "of this preset, e.g. train(...).params")
    x, y = preset.sample(batch_size, seed, dtype="float32")
    tensors = preset.tensors(preset.init_params(seed, np.float32) if params is None else params)
    C = preset.forward(tensors, Tensor(x, name="x"), Tensor(y, name="y"))
    C.backward(retain_graph=True)
    graph = draw(C, collapse=collapse, grad_flow=grad_flow, rankdir=rankdir)
    out = Path(out)
    try:
        path = _write(graph, out)
    except graphviz.ExecutableNotFound:
        path = _write(graph, out.with_suffix(".dot"))
        if log:
            log(MISSING_DOT.format(what="graph", fmt=out.suffix) + f"\nwrote {path} instead")
        return path
    if log:
        log(f"{preset.name}: drew {len(_walk(C, None)[1])} operations "
            f"({'one box per layer' if collapse else 'every op'}) to {path}")
    return path


# ----- walking the graph ------------------------------------------------------------------------

def _freed(root):
    """The first node of root's graph that backward() freed, or None."""
    return next((t._node for t in graph_of(root)
                 if t._node is not None and t._node.inputs is None), None)


class _Kept:
    """A tensor of a freed graph as draw() sees it: what backward() kept of it (autograd.bones),
    and its data and .grad while something still holds the tensor (always so for the root)."""

    def __init__(self, t, name, shape, dtype, requires_grad, module):
        self.name, self.shape, self.dtype = name, shape, dtype
        self.requires_grad, self.module = requires_grad, module
        self.data = None if t is None else t.data
        self.freed = self.data is None  # the tensor is gone, and its values with it
        self.grad = None if t is None else t.grad
        self._node = None


class _KeptNode:
    def __init__(self, node, inputs):
        self.op, self.params, self.seq, self.inputs = node.op, node.params, node.seq, inputs


def _revive(root):
    """A stand-in (_Kept) for every tensor of root's graph, live parts and freed parts alike."""
    made, todo = {}, []

    def kept(key, t, node, *fields):
        if key not in made:
            made[key] = _Kept(t, *fields)
            if node is not None:
                todo.append((made[key], node))
        return made[key]

    def live(x):
        return kept(id(x), x, x._node, x.name, x.shape, x.dtype, x.requires_grad, x.module)

    top = live(root)
    while todo:
        standin, node = todo.pop()
        if node.inputs is not None:
            inputs = [live(x) for x in node.inputs]
        else:
            inputs = []
            for bone in node.skeleton:
                if bone.__class__ is not tuple:  # a parameter or a tiny constant, kept whole
                    inputs.append(live(bone))
                    continue
                ref, x_node, *fields = bone
                x = ref()
                inputs.append(live(x) if x is not None else kept(("gone", id(ref)), None, x_node,
                                                                  *fields))
        standin._node = _KeptNode(node, inputs)
    return top


def _walk(root, limit):
    """(every tensor in root's graph, those of them an operation made, in tape order); refuses a
    graph that backward() freed, and one of more than limit tensors + operations."""
    tensors = graph_of(root)
    ops = sorted((t for t in tensors if t._node is not None), key=lambda t: t._node.seq)
    freed = next((t._node for t in ops if t._node.inputs is None), None)
    if freed is not None:
        raise RuntimeError(
            f"draw: the graph through {freed.op.name} (tape position #{freed.seq}) was freed "
            "by backward(); call backward(retain_graph=True) before drawing, or draw before "
            "backward()"
        )
    if limit is not None and len(tensors) + len(ops) > limit:
        raise ValueError(
            f"draw: the graph has more than max_nodes={limit} nodes (tensors + operations), "
            "too many to read or lay out; pass collapse='module' for one box per layer, or "
            "a larger max_nodes"
        )
    return tensors, ops


def _number(root, ops):
    """{id(t): k} in the order the tape met the tensors, so node ids (t0, op2) are reproducible."""
    num = {}
    for t in ops:
        for x in t._node.inputs:
            num.setdefault(id(x), len(num))
        num.setdefault(id(t), len(num))
    num.setdefault(id(root), len(num))
    return num


def _groups(root, ops, tensors):
    """{tensor: group name} for collapse="module": module calls, then layers, then the cost.

    A tensor tagged by a Module call (t.module) or named z{l}/a{l} sets its group; any other
    operation joins the group of its consumers when they all share one, and the ops after the
    last layer form "cost". Unnamed constants join their consumers' group too.
    """
    tag = {}
    for t in ops:
        module = getattr(t, "module", None)
        match = LAYER_NAME.fullmatch(t.name or "")
        if module:
            tag[id(t)] = str(module)
        elif match:
            tag[id(t)] = f"layer {match[1]}"
    if not tag:
        return {}
    consumers = defaultdict(list)
    for t in ops:
        for x in t._node.inputs:
            consumers[id(x)].append(t)
    group = {}
    for t in reversed(ops):  # consumers come later on the tape, so they are decided first
        if id(t) in tag:
            group[id(t)] = tag[id(t)]
        elif t is root:
            group[id(t)] = "cost"
        else:
            _join(group, t, consumers)
    for x in tensors:
        if x._node is None and x.name is None and not x.requires_grad:
            _join(group, x, consumers)
    return {t: group[id(t)] for t in tensors if id(t) in group}


def _join(group, t, consumers):
    """Put t in its consumers' group when they all have the same one."""
    around = {group.get(id(c)) for c in consumers[id(t)]}
    if len(around) == 1 and None not in around:
        group[id(t)] = around.pop()


def _gradients(root, keep_flows):
    """({id(t): ∂C/∂t}, {(id(op output), input index): the gradient sent back along that edge})."""
    flows = {}

    def on_step(t, node, dout, dxs):
        for i, (x, dx) in enumerate(zip(node.inputs, dxs)):
            if dx is not None and x.requires_grad:
                flows[(id(t), i)] = unbroadcast(np.asarray(dx), x.shape, node.op.name)

    try:
        grads, _ = backprop(root, np.ones_like(root.data), retain_graph=True,
                            on_step=on_step if keep_flows else None)
    except RuntimeError as e:  # an input changed in place since the forward pass
        raise RuntimeError(f"draw: cannot compute the gradients to show: {e}") from None
    return grads, flows


def _statuses(report):
    """({tensor name: ok}, {tensor name: its failing row}) from a report's rows; dW2 also names
    W2. False wins over True over None."""
    status, bad = {}, {}
    if report is None:
        return status, bad
    rank = {False: 0, True: 1, None: 2}
    for row in report.rows:
        ok = None if row.ok is None else bool(row.ok)
        names = [row.name] + ([row.name[1:]] if re.fullmatch(r"d[A-Za-z]\w*", row.name) else [])
        for name in names:
            if name not in status or rank[ok] < rank[status[name]]:
                status[name] = ok
            if ok is False:
                bad.setdefault(name, row)
    return status, bad


def _differs(row):
    """A failing row's lines for its red node: the learner's value beside autograd's where they
    differ most, the errors, how many entries differ; each only when the report has it."""
    if row is None:
        return []
    lines = []
    got_shape, shape = getattr(row, "got_shape", None), getattr(row, "expected_shape", None)
    if got_shape is not None and shape is not None and tuple(got_shape) != tuple(shape):
        lines.append(f"✗ yours has shape {tuple(got_shape)}, autograd's {tuple(shape)}")
    got, expected = getattr(row, "got_value", None), getattr(row, "expected_value", None)
    if got is not None and expected is not None:
        where = getattr(row, "worst_index", None)
        at = f" at {tuple(where)}" if where is not None else ""
        lines.append(f"✗ yours {got:.4g} vs autograd {expected:.4g}{at}")
    errors = [f"max {what} {value:.3g}" for what, value in
              (("abs", getattr(row, "max_abs", None)), ("rel", getattr(row, "max_rel", None)))
              if value is not None]
    if errors:
        lines.append("  ".join(errors))
    n_bad, size = getattr(row, "n_bad", None), getattr(row, "size", None)
    if n_bad is not None and size is not None:
        lines.append(f"{n_bad} of {size} entries differ")
    return [_esc(line) for line in lines] or ["✗ gradient disagrees"]


def _extent(edges):
    """(depth, breadth) of the drawn graph as dot ranks it: the nodes on its longest path, and
    the most nodes on one rank, with each leaf just before its first consumer."""
    after, waiting, nodes = defaultdict(list), Counter(), set()
    for tail, head, *_ in edges:
        after[tail].append(head)
        waiting[head] += 1
        nodes |= {tail, head}
    leaves = [n for n in nodes if not waiting[n]]
    rank = dict.fromkeys(leaves, 0)
    ready = list(leaves)
    while ready:  # Kahn's order: a node is ranked once every edge into it is
        n = ready.pop()
        for m in after[n]:
            rank[m] = max(rank.get(m, 0), rank[n] + 1)
            waiting[m] -= 1
            if not waiting[m]:
                ready.append(m)
    for n in leaves:
        rank[n] = min(rank[m] for m in after[n]) - 1
    per_rank = Counter(rank.values())
    return (max(rank.values()) - min(rank.values()) + 1, max(per_rank.values())) if rank else (1, 1)


def _direction(depth, breadth):
    """LR while the longest path fits the width (or the graph is wider than long), else TB.

    >>> _direction(5, 3), _direction(30, 3), _direction(12, 20)
    ('LR', 'TB', 'LR')
    """
    across = depth * RANK_PX  # the picture's width left to right
    return "LR" if across <= WIDTH or across <= breadth * NODE_PX else "TB"


# ----- labels and styles ------------------------------------------------------------------------

def _esc(text):
    """Text for a DOT label: backslashes would start Graphviz escapes such as \\n."""
    return str(text).replace("\\", "\\\\")


def _label(head, values):
    """Title lines centred (DOT's \\n), value lines left-aligned (\\l) so matrices line up."""
    return "\\n".join(head) + ("\\n" + "".join(line + "\\l" for line in values) if values else "")


def _values(a):
    """Small arrays in full, a column vector (n, 1) on one line as a transposed row."""
    column = a.ndim == 2 and a.shape[1] == 1
    if a.ndim == 0:
        return [f"{a.item():.4g}"]
    text = np.array2string(a[:, 0] if column else a, separator=", ", max_line_width=48,
                           formatter={"float_kind": lambda v: f"{v:.4g}"})
    return (text + ("ᵀ" if column else "")).split("\n")


def _summary(a):
    """Mean and norm, then the range: two short lines keep the boxes narrow."""
    if a.size == 0:
        return ["empty"]
    with np.errstate(all="ignore"):  # a nan or inf should show, not warn
        a = a.astype(np.float64)
        return [f"mean {a.mean():.3g}  ‖·‖ {np.linalg.norm(a):.3g}",
                f"min {a.min():.3g}  max {a.max():.3g}"]


def _value_lines(t, grads, show_data, show_grad):
    """data and grad: the values of a small tensor, a summary of a large one."""
    lines = ["data freed by backward()"] if show_data and getattr(t, "freed", False) else []
    gr = t.grad.data if t.grad is not None else grads.get(id(t))
    for what, a, show in (("data", t.data, show_data), ("grad", gr, show_grad)):
        if show and a is not None:
            a = np.asarray(a)
            first, *rest = _values(a) if a.size <= SMALL else _summary(a)
            lines += [f"{what} {first}"] + [f"{' ' * len(what)} {r}" for r in rest]
    return lines


def _op_label(node):
    """The op's name and the settings it was called with that differ from its defaults."""
    defaults = inspect.signature(node.op.forward).parameters
    lines = [node.op.name]
    for key, value in node.params.items():
        simple = isinstance(value, (type(None), bool, int, float, str)) or (
            isinstance(value, tuple) and all(isinstance(v, int) for v in value))
        if key in defaults and simple and value == defaults[key].default:
            continue
        lines.append(f"{key}={value!r}" if simple else f"{key}=…")
    return "\\n".join(map(_esc, lines))


def _chain(names):
    if len(names) > 8:
        names = names[:5] + [f"… {len(names) - 7} more …"] + names[-2:]
    return " → ".join(names)


def _formula(node):
    return f"{node.op.name}: {node.op.formula}"


def _tensor_style(t, root, status):
    if t.name in status:
        return _highlight(status[t.name])
    if t is root:
        return {"fillcolor": STYLES["output"], "penwidth": "2"}
    if t._node is None:
        return {"fillcolor": STYLES["parameter" if t.requires_grad else "input"]}
    return {"fillcolor": STYLES["freed" if getattr(t, "freed", False) else "intermediate"]}


def _group_style(inside, root, status):
    seen = [status[t.name] for t in inside if t.name in status]
    if seen:  # the box shows its worst tensor: one wrong gradient makes the layer red
        return _highlight(False if False in seen else (True if True in seen else None))
    if inside[-1] is root:
        return {"fillcolor": STYLES["output"], "penwidth": "2"}
    return {"fillcolor": STYLES["layer"]}


def _highlight(ok):
    extra = {"color": "#c00000", "penwidth": "2"} if ok is False else {}
    return {"fillcolor": HIGHLIGHT[ok], **extra}


def _norm(parts):
    """‖sum of the gradients flowing back along one edge‖, None when none flows."""
    known = [np.asarray(a, dtype=np.float64) for a in parts if a is not None]
    return float(np.linalg.norm(np.sum(known, axis=0))) if known else None


def _flow_style(norm, logs):
    """Label an edge with its gradient norm; its width grows with the log of that norm."""
    if norm is None:
        return {"style": "dotted", "color": "#999999"}
    if norm == 0:
        return {"label": "0", "penwidth": "0.4", "style": "dashed"}
    lo, hi = float(logs.min()), float(logs.max())
    width = 3.0 if hi == lo else 0.5 + 5.0 * (np.log10(norm) - lo) / (hi - lo)
    return {"label": f"{norm:.2g}", "penwidth": f"{width:.2f}"}


def _legend(g, fills, grad_flow):
    """One table of the colours that the picture uses, in a dashed cluster."""
    rows = [(STYLES[k], text) for k, text in LEGEND.items()]
    rows += [(HIGHLIGHT[ok], text) for ok, text in LEGEND_HIGHLIGHT.items()]
    rows = [(color, text) for color, text in rows if color in fills]
    if grad_flow:
        rows.append(("#ffffff", "edge: ‖gradient‖ flowing back, width ∝ log"))
    cells = "".join(f'<tr><td bgcolor="{color}">{text}</td></tr>' for color, text in rows)
    with g.subgraph(name="cluster_legend") as legend:
        legend.attr(label="legend", fontsize="10", style="dashed", color="#999999")
        legend.node("legend", f'<<table border="0" cellborder="1" cellspacing="2">{cells}</table>>',
                    shape="plaintext")


def graph_path(path):
    """path if a graph can be written there: a suffix render() knows and a writable folder."""
    path = Path(path)
    if path.suffix.lower().lstrip(".") not in (*FORMATS, "dot", "gv"):
        raise ValueError(f"render: cannot tell the format of {path.name!r} from its suffix; use "
                         ".svg, .png, .pdf or .dot")
    return check_output(path, "graph")


def _write(graph, path):
    """render() without the friendly message: lets graphviz.ExecutableNotFound through.

    Atomic, as every writer of the package: a failed render leaves no half-written file."""
    path = graph_path(path)
    fmt = path.suffix.lower().lstrip(".")
    data = graph.source.encode() if fmt in ("dot", "gv") else graph.pipe(format=fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        f.write(data)
    return path
