"""viz: the graphs are rendered for real with Graphviz's `dot` and the SVG is read back: one op
node per recorded op, tensor labels and shapes, the styles of parameters, inputs and output,
highlighted mismatches, collapsed layers, gradient-flow labels; and the errors and fallbacks
(no `dot`, too many nodes, a freed graph)."""

import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

import tinygrad_edu.functional as F
from tinygrad_edu import Tape, Tensor, nn, presets, stack
from tinygrad_edu.autograd import backprop
from tinygrad_edu.viz import HIGHLIGHT, STYLES, draw, graph_preset, render

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}title"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="the Graphviz program `dot` is not installed "
                                      "(apt-get install graphviz); CI installs it")


def read_svg(path):
    """{node id: {"texts", "fill", "shape"}} and {(tail, head): [edge label texts]} of an SVG."""
    root = ET.parse(path).getroot()
    nodes, edges = {}, {}
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        texts = [t.text for t in g.iter(f"{SVG}text")]
        if g.get("class") == "node":
            shapes = [e for e in g.iter() if e.tag in (f"{SVG}polygon", f"{SVG}ellipse",
                                                        f"{SVG}path")]
            link = g.find(f".//{SVG}a")
            tooltip = None if link is None else link.get(XLINK).replace("\xa0", " ")
            nodes[title.text] = {"texts": texts, "fill": shapes[0].get("fill"),
                                 "shape": shapes[0].tag.removeprefix(SVG), "tooltip": tooltip}
        elif g.get("class") == "edge":
            tail, head = title.text.split("->")
            edges.setdefault((tail, head), []).append(texts)
    nodes.pop("legend", None)
    return nodes, edges


def by_name(nodes, name):
    """The one drawn node whose first label line is name."""
    found = [n for n in nodes.values() if n["texts"] and n["texts"][0] == name]
    assert len(found) == 1, f"{len(found)} nodes are labelled {name!r}"
    return found[0]


def small_mlp(seed=0):
    """A 4-3-2 sigmoid MLP in Nielsen's column layout on 5 examples, its tape and cost."""
    rng = np.random.default_rng(seed)
    W2 = Tensor(rng.standard_normal((3, 4)), requires_grad=True, name="W2")
    b2 = Tensor(rng.standard_normal((3, 1)), requires_grad=True, name="b2")
    W3 = Tensor(rng.standard_normal((2, 3)), requires_grad=True, name="W3")
    b3 = Tensor(rng.standard_normal((2, 1)), requires_grad=True, name="b3")
    x = Tensor(rng.random((4, 5)), name="x")
    y = Tensor(np.eye(2)[:, [0, 1, 1, 0, 1]], name="y")
    with Tape() as tape:
        z2 = W2 @ x + b2
        z2.name = "z2"
        a2 = z2.sigmoid()
        a2.name = "a2"
        z3 = W3 @ a2 + b3
        z3.name = "z3"
        a3 = z3.sigmoid()
        a3.name = "a3"
        C = ((a3 - y) ** 2).sum() * 0.1
        C.name = "C"
    return SimpleNamespace(**locals())


@needs_dot
def test_one_op_node_per_recorded_op_with_its_derivative_as_tooltip(tmp_path):
    net = small_mlp()
    net.C.backward(retain_graph=True)
    nodes, _ = read_svg(render(draw(net.C), tmp_path / "g.svg"))
    ellipses = [n["texts"][0] for n in nodes.values() if n["shape"] == "ellipse"]
    assert Counter(ellipses) == Counter(node.op.name for node in net.tape.nodes)
    assert len(ellipses) == len(net.tape) == 10
    tips = {n["tooltip"] for n in nodes.values() if n["shape"] == "ellipse"}
    assert tips == {f"{node.op.name}: {node.op.formula}" for node in net.tape.nodes}


@needs_dot
def test_tensor_boxes_name_shape_dtype_and_values(tmp_path):
    net = small_mlp()
    net.C.backward(retain_graph=True)
    nodes, _ = read_svg(render(draw(net.C), tmp_path / "g.svg"))
    for t in [net.W2, net.b2, net.W3, net.b3, net.x, net.y, net.z2, net.a2, net.z3, net.a3, net.C]:
        assert by_name(nodes, t.name)["texts"][1] == f"{t.shape} float64"
    tensors = [n for n in nodes.values() if n["shape"] == "polygon"]
    assert len(tensors) == len(net.tape) + 6 + 2  # each op's output, 6 named leaves, 2 constants
    b3 = " ".join(by_name(nodes, "b3")["texts"])  # 2 numbers: values, not a summary
    assert f"{net.b3.data[0, 0]:.4g}" in b3 and f"{net.b3.grad.data[1, 0]:.4g}" in b3
    W2 = " ".join(by_name(nodes, "W2")["texts"])  # 12 numbers: still small enough to list
    assert "mean" not in W2 and f"{net.W2.data[2, 3]:.4g}" in W2
    x = " ".join(by_name(nodes, "x")["texts"])  # 20 numbers: a summary, and no gradient
    assert f"mean {net.x.data.mean():.3g}" in x and f"max {net.x.data.max():.3g}" in x
    assert "grad" not in x
    z2 = " ".join(by_name(nodes, "z2")["texts"])  # an intermediate shows ∂C/∂z2 = δ2
    grads, _ = backprop(net.C, np.ones(()), retain_graph=True)
    assert f"‖·‖ {np.linalg.norm(grads[id(net.z2)]):.3g}" in z2


@needs_dot
def test_parameters_inputs_and_output_are_styled_apart(tmp_path):
    net = small_mlp()
    nodes, _ = read_svg(render(draw(net.C), tmp_path / "g.svg"))
    assert by_name(nodes, "W2")["fill"] == by_name(nodes, "b3")["fill"] == STYLES["parameter"]
    assert by_name(nodes, "x")["fill"] == by_name(nodes, "y")["fill"] == STYLES["input"]
    assert by_name(nodes, "z2")["fill"] == STYLES["intermediate"]
    assert by_name(nodes, "C")["fill"] == STYLES["output"]
    assert {n["fill"] for n in nodes.values() if n["shape"] == "ellipse"} == {STYLES["operation"]}
    assert len(set(STYLES.values())) == len(STYLES)
    assert not any(line.startswith("grad") for n in nodes.values() for line in n["texts"])
    assert "parameter (leaf, requires_grad)" in (tmp_path / "g.svg").read_text(encoding="utf-8")


@needs_dot
def test_a_planted_mismatch_is_red_agreeing_tensors_green(tmp_path):
    net = small_mlp()
    net.C.backward(retain_graph=True)
    rows = [SimpleNamespace(name="W3", ok=True), SimpleNamespace(name="z3", ok=True),
            SimpleNamespace(name="dW2", ok=False), SimpleNamespace(name="z2", ok=False),
            SimpleNamespace(name="b2", ok=None)]
    graph = draw(net.C, highlight=SimpleNamespace(rows=rows))
    nodes, _ = read_svg(render(graph, tmp_path / "g.svg"))
    assert by_name(nodes, "W2")["fill"] == by_name(nodes, "z2")["fill"] == HIGHLIGHT[False]
    assert by_name(nodes, "W3")["fill"] == by_name(nodes, "z3")["fill"] == HIGHLIGHT[True]
    assert by_name(nodes, "b2")["fill"] == HIGHLIGHT[None]
    assert by_name(nodes, "b3")["fill"] == STYLES["parameter"]  # not in the report
    red = [n["texts"][0] for n in nodes.values() if n["fill"] == HIGHLIGHT[False]]
    assert sorted(red) == ["W2", "z2"]
    nodes, _ = read_svg(render(draw(net.C, highlight=SimpleNamespace(rows=rows),
                                    collapse="module"), tmp_path / "c.svg"))
    assert by_name(nodes, "layer 2")["fill"] == HIGHLIGHT[False]
    assert by_name(nodes, "layer 3")["fill"] == HIGHLIGHT[True]


def test_the_red_node_shows_the_learners_value_beside_autograds():
    from tinygrad_edu.check import Row

    net = small_mlp()
    net.C.backward(retain_graph=True)
    rows = [Row("z2", "δ", (3, 5), (3, 5), max_abs=0.5, max_rel=1.0, ok=False),
            Row("dW2", "param", (3, 4), (3, 4), max_abs=0.25, max_rel=0.5, ok=False, n_bad=7,
                size=12, worst_index=(1, 2), got_value=0.125, expected_value=-0.125),
            Row("dW3", "param", (2, 3), (3, 2), ok=False),  # the wrong shape, nothing compared
            Row("db2", "param", (3, 1), (3, 1), max_abs=0.0, max_rel=0.0, ok=True)]
    source = draw(net.C, highlight=SimpleNamespace(rows=rows)).source
    W2 = source.split('label="W2')[1].split('"', 1)[0]
    assert "✗ yours 0.125 vs autograd -0.125 at (1, 2)" in W2
    assert "max abs 0.25  max rel 0.5" in W2 and "7 of 12 entries differ" in W2
    W3 = source.split('label="W3')[1].split('"', 1)[0]
    assert "✗ yours has shape (3, 2), autograd's (2, 3)" in W3
    assert "✗" not in source.split('label="b2')[1].split('"', 1)[0]  # agreeing: no red lines
    collapsed = draw(net.C, highlight=SimpleNamespace(rows=rows), collapse="module").source
    assert "z2: max abs 0.5  max rel 1" in collapsed.split('label="layer 2')[1].split('"', 1)[0]
    assert collapsed.count("✗ yours 0.125 vs autograd -0.125") == 1  # W2 keeps its own box


def test_auto_rankdir_follows_the_graphs_shape():
    a = Tensor(2.0, requires_grad=True, name="a")
    assert "rankdir=LR" in draw(a * a + a).source  # short: it fits left to right
    chain = a
    for _ in range(20):
        chain = chain.tanh()
    assert "rankdir=TB" in draw(chain).source  # a long chain reads top to bottom
    wide = stack([(a * float(i)).tanh().tanh().tanh() for i in range(12)])  # 12 chains of 11
    assert "rankdir=LR" in draw(wide).source  # wider than long: left to right
    assert "rankdir=BT" in draw(chain, rankdir="BT").source  # asked for: kept
    with pytest.raises(ValueError, match="'auto', 'LR', 'TB', 'RL' or 'BT'"):
        draw(chain, rankdir="up")


@needs_dot
def test_the_full_mlp_graph_is_narrow_enough_for_a_notebook(tmp_path):
    def width(path):
        return float(re.search(r'<svg width="([\d.]+)pt"', path.read_text("utf-8"))[1])

    auto = graph_preset("nielsen", tmp_path / "auto.svg", log=None)
    across = graph_preset("nielsen", tmp_path / "lr.svg", rankdir="LR", log=None)
    assert "rankdir=TB" in graph_preset("nielsen", tmp_path / "g.dot", log=None).read_text()
    assert width(auto) < width(across) / 3  # the 5,000 px strip is gone


@needs_dot
def test_the_collapsed_nielsen_mlp_is_a_handful_of_boxes(tmp_path):
    path = graph_preset("nielsen", tmp_path / "n.svg", collapse="module", log=None)
    nodes, edges = read_svg(path)
    # x, y, W2, b2, W3, b3, one box per layer (2) and the cost
    assert len(nodes) == 9
    layer2 = by_name(nodes, "layer 2")["texts"]
    assert layer2[1] == "matmul → add → sigmoid" and layer2[2] == "a2 (30, 10) float32"
    assert by_name(nodes, "cost")["texts"][1] == "sub → pow → sum → mul"
    assert by_name(nodes, "W2")["texts"][1] == "(30, 784) float32"
    ids = {n["texts"][0]: k for k, n in nodes.items()}
    assert (ids["layer 2"], ids["layer 3"]) in edges and (ids["W3"], ids["layer 3"]) in edges
    full, _ = read_svg(graph_preset("nielsen", tmp_path / "f.svg", log=None))
    assert len(full) == 10 + 18  # 10 ops, their outputs, 6 named leaves, 2 constants


@needs_dot
def test_module_calls_collapse_to_one_box_each(tmp_path):
    net = nn.Sequential(nn.Linear(4, 3, seed=0), nn.Sigmoid(), nn.Linear(3, 2, seed=1))
    loss = F.cross_entropy(net(Tensor(np.ones((5, 4), np.float32), name="x")), np.arange(5) % 2)
    nodes, _ = read_svg(render(draw(loss, collapse="module"), tmp_path / "m.svg"))
    boxes = {n["texts"][0]: n["texts"][1] for n in nodes.values() if n["fill"] in
             (STYLES["layer"], STYLES["output"])}
    assert boxes == {"0.Linear": "matmul → add", "1.Sigmoid": "sigmoid", "2.Linear": "matmul → add",
                     "cost": "softmax_cross_entropy → sum → mul"}
    assert {n["texts"][0] for n in nodes.values() if n["fill"] == STYLES["parameter"]} == \
        {"0.W", "0.b", "2.W", "2.b"}


@needs_dot
def test_grad_flow_labels_each_edge_with_the_norm_flowing_back(tmp_path):
    net = small_mlp()
    net.C.backward(retain_graph=True)
    graph = draw(net.C, grad_flow=True)
    nodes, edges = read_svg(render(graph, tmp_path / "g.svg"))
    ids = {n["texts"][0]: k for k, n in nodes.items() if n["shape"] == "polygon"}
    a3 = net.a3.data  # by hand: C = 0.1 Σ (a3 − y)², a3 = σ(z3), z3 = W3 a2 + b3
    delta3 = 0.2 * (a3 - net.y.data) * a3 * (1 - a3)
    dW3 = delta3 @ net.a2.data.T
    ((label,),) = [texts for (tail, _), texts in edges.items() if tail == ids["W3"]][0]
    assert float(label) == pytest.approx(np.linalg.norm(dW3), rel=0.05)  # 2 digits shown
    (label,) = edges[("op" + ids["C"][1:], ids["C"])][0]
    assert label == "1"  # ∂C/∂C
    dot = graph.source
    assert dot.count("penwidth=") >= len(net.tape) * 2  # every edge that carries a gradient
    assert f'{ids["x"]} -> ' in dot and "style=dotted" in dot  # x gets none: a dotted edge


def test_fan_out_edges_carry_each_use_s_share():
    a = Tensor(3.0, requires_grad=True, name="a")
    L = a * a * 2.0  # ∂L/∂a = 4a = 12, sent back as two edges of 6 each
    source = draw(L, grad_flow=True).source
    assert source.count("t0 -> op1 [label=6") == 2 and "label=12" not in source
    assert "grad 12" in source


def test_dot_text_is_reproducible_and_needs_no_dot_program(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` anywhere
    first, second = (draw(small_mlp().C).source for _ in range(2))
    assert first == second and first.startswith("digraph")
    assert render(draw(small_mlp().C), tmp_path / "g.dot").read_text(encoding="utf-8") == first
    with pytest.raises(RuntimeError) as e:
        render(draw(small_mlp().C), tmp_path / "g.svg")
    for hint in ("apt-get install graphviz", "brew install graphviz", "winget install graphviz",
                 "choco install graphviz", ".dot"):
        assert hint in str(e.value)
    assert not (tmp_path / "g.svg").exists()


def test_graph_preset_falls_back_to_dot_text(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    said = []
    path = graph_preset("digits32", tmp_path / "d.png", collapse="module", log=said.append)
    assert path == tmp_path / "d.dot" and not (tmp_path / "d.png").exists()
    assert "layer 1" in path.read_text(encoding="utf-8") and "(16, 1024)" in path.read_text(
        encoding="utf-8")
    assert "apt-get install graphviz" in said[0] and str(path) in said[0]


def test_graph_preset_draws_the_params_it_is_given_and_refuses_another_network_s(tmp_path):
    params = presets.get("nielsen").init_params(seed=5, dtype=np.float32)
    params["b3"][:] = 0.25  # 10 numbers: the box shows them
    source = graph_preset("nielsen", tmp_path / "p.dot", params=params,
                          log=None).read_text(encoding="utf-8")
    assert "data [0.25, 0.25" in source
    with pytest.raises(ValueError, match=r"params holds \['W1', 'W2', 'b1', 'b2'\].*needs"):
        graph_preset("nielsen", tmp_path / "q.dot", log=None,
                     params=presets.get("scratch").init_params())


def test_too_many_nodes_is_an_error_not_a_hang():
    x = Tensor(np.ones(3), requires_grad=True, name="x")
    for _ in range(400):
        x = x * 1.01
    with pytest.raises(ValueError, match=r"more than max_nodes=100 .*collapse='module'"):
        draw(x, max_nodes=100)
    assert draw(x, max_nodes=1201).source.count("shape=ellipse") == 400  # 400 ops, 801 tensors
    net = small_mlp()
    with pytest.raises(ValueError, match="even collapsed, the graph has 9 nodes"):
        draw(net.C, collapse="module", max_nodes=8)


def test_draw_after_a_plain_backward_shows_what_backward_kept():
    rng = np.random.default_rng(0)
    W = Tensor(rng.standard_normal((3, 4)), requires_grad=True, name="W")
    b = Tensor(np.zeros((3, 1)), requires_grad=True, name="b")
    x = Tensor(rng.random((4, 5)), name="x")
    z = W @ x + b
    z.name = "z"
    z.retain_grad()  # the learner's δ: a kept gradient on an intermediate
    C = z.sigmoid().sum()  # the sigmoid's output is dropped: backward frees it
    C.backward()  # micrograd's order: backward first, then draw, no retain_graph
    source = draw(C).source
    for name, shape in (("W", "(3, 4)"), ("b", "(3, 1)"), ("x", "(4, 5)"), ("z", "(3, 5)")):
        assert re.search(rf'label="{name}\\n{re.escape(shape)} float64', source), name
    assert source.count("shape=ellipse") == 4  # matmul, add, sigmoid, sum
    assert source.count("data freed by backward()") == 2  # W @ x and the sigmoid's output
    assert source.count('style="filled,dashed"') == 2 and STYLES["freed"] in source
    labels = dict(re.findall(r'label="(\w+)\\n[^"]*?(grad [^"\\]*)', source))
    assert set(labels) == {"W", "b", "z"}  # the gradients backward kept: leaves and retain_grad
    assert labels["b"].startswith(f"grad [{b.grad.data[0, 0]:.4g}, ")
    assert re.search(r'label="x\\n\(4, 5\) float64\\ndata mean', source)  # a leaf's values
    with pytest.raises(RuntimeError, match=r"grad_flow=True needs .*retain_graph=True"):
        draw(C, grad_flow=True)
    half = (W ** 2).sum() * 0.5  # the constants 0.5 and the square's 2 die with the graph
    half.backward()
    source = draw(half).source
    assert "data 0.5" in source and "data 2" in source


def test_draw_after_backward_keeps_the_intermediates_released():
    import gc
    import weakref

    W = Tensor(np.ones((5, 5)), requires_grad=True, name="W")
    z = W @ W
    ref = weakref.ref(z.data)
    C = z.sigmoid().sum()
    del z
    C.backward()
    gc.collect()
    assert ref() is None  # the skeleton kept for drawing holds no array
    assert draw(C).source.count("data freed by backward()") == 2


def test_a_freed_graph_keeps_parameters_and_tiny_constants_whole_and_no_other_array():
    """What draw() reads after backward: the parameters themselves (they hold no memory of the
    step), the ½ of a cost, and of an intermediate or a batch only its name, shape and dtype."""
    W = Tensor(np.ones((3, 3)), requires_grad=True, name="W")
    x = np.ones((3, 40))
    z = W @ x
    C = (z.sigmoid() * 0.5).sum()
    C.backward()
    bones, todo = [], [C._node]
    while todo:  # sum <- mul <- sigmoid <- matmul, through what each freed node kept
        node = todo.pop()
        bones += node.skeleton
        todo += [b[1] for b in node.skeleton if isinstance(b, tuple) and b[1] is not None]
    whole = [b for b in bones if isinstance(b, Tensor)]
    assert len(bones) == 6 and len(whole) == 2
    assert whole[0].data.size == 1 and whole[1] is W  # the constant ½, then the parameter
    assert not any(isinstance(v, np.ndarray) for b in bones if isinstance(b, tuple) for v in b)
    assert z._node.skeleton[1][3] == (3, 40)  # of the batch x, its shape
    assert "W" in draw(C).source


def test_collapsed_draw_after_backward():
    net = small_mlp()
    net.C.backward()
    source = draw(net.C, collapse="module").source
    assert "layer 2" in source and "layer 3" in source and "grad" in source


def test_weights_changed_after_the_forward_pass_are_reported():
    net = small_mlp()
    net.C.backward(retain_graph=True)
    net.W3.data = net.W3.data - 0.1  # an SGD step: the graph's saved W3 is stale now
    with pytest.raises(RuntimeError, match="draw: cannot compute the gradients to show"):
        draw(net.C)
    assert "W3" in draw(net.C, show_grad=False).source  # values alone need no backward


def test_settings_and_their_errors():
    net = small_mlp()
    net.C.backward(retain_graph=True)
    bare = draw(net.C, show_data=False, show_grad=False, rankdir="TB").source
    value_line = re.compile(r"\\[nl](data|grad) ")  # a label line after DOT's \n or \l
    assert not value_line.search(bare) and "rankdir=TB" in bare
    # data: 18 tensors; grad: all but x, y and the two constants
    assert len(value_line.findall(draw(net.C).source)) == 18 + 14
    with pytest.raises(ValueError, match="collapse='layers'"):
        draw(net.C, collapse="layers")
    with pytest.raises(ValueError, match="rankdir='UP'"):
        draw(net.C, rankdir="UP")
    with pytest.raises(ValueError, match="does not require grad"):
        draw(Tensor([1.0]) * 2, grad_flow=True)
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf or \.dot"):
        render(draw(net.C), "graph.txt")
    assert "label=sum" in draw((net.W2 * 2).sum()).source  # default settings stay off the label
    assert "axis=0" in draw((net.W2 * 2).sum(axis=0)).source


def test_drawing_changes_no_gradient():
    net = small_mlp()
    net.C.backward(retain_graph=True)
    before = net.W2.grad.data.copy()
    draw(net.C, grad_flow=True)
    np.testing.assert_array_equal(net.W2.grad.data, before)
    assert net.z2.grad is None


def test_every_preset_draws_collapsed(tmp_path):
    for name in presets.PRESETS:
        if presets.get(name).dataset == "mnist":
            source = graph_preset(name, tmp_path / f"{name}.dot", collapse="module",
                                  batch_size=2, log=None).read_text(encoding="utf-8")
            first = presets.get(name).first
            assert f"layer {first}" in source and "cost" in source
