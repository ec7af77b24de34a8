"""explain(): the backward pass as chain-rule lines, for every primitive and the book presets."""

import inspect
import io
import re

import numpy as np
import pytest

import tinygrad_edu as te
from tinygrad_edu import Tensor, ops
from tinygrad_edu.autograd import summed_axes
from tinygrad_edu.explain import (
    book,
    explain,
    explain_preset,
    step_formula,
    tensor_names,
)
from tinygrad_edu.tensor import apply

CASES = [  # primitive, expression of the named leaves a, b, their shapes
    ("add", lambda a, b: a + b, [(2, 3), (3,)]),
    ("sub", lambda a, b: a - b, [(2, 3), (2, 3)]),
    ("mul", lambda a, b: a * b, [(2, 3), (2, 1)]),
    ("div", lambda a, b: a / b, [(2, 3), (2, 3)]),
    ("pow", lambda a, b: a**b, [(2, 3), (2, 3)]),
    ("neg", lambda a: -a, [(2, 3)]),
    ("matmul", lambda a, b: a @ b, [(2, 3), (3, 4)]),
    ("exp", lambda a: a.exp(), [(2, 3)]),
    ("log", lambda a: a.log(), [(2, 3)]),
    ("sqrt", lambda a: a.sqrt(), [(2, 3)]),
    ("abs", lambda a: a.abs(), [(2, 3)]),
    ("tanh", lambda a: a.tanh(), [(2, 3)]),
    ("sigmoid", lambda a: a.sigmoid(), [(2, 3)]),
    ("relu", lambda a: a.relu(), [(2, 3)]),
    ("clip", lambda a: a.clip(0.7, None), [(2, 3)]),
    ("maximum", lambda a, b: te.maximum(a, b), [(2, 3), (2, 3)]),
    ("minimum", lambda a, b: te.minimum(a, b), [(2, 3), (2, 3)]),
    ("where", lambda a, b: te.where(a.data > 1, a, b), [(2, 3), (2, 3)]),
    ("sum", lambda a: a.sum(axis=0), [(2, 3)]),
    ("max", lambda a: a.max(axis=1), [(2, 3)]),
    ("min", lambda a: a.min(), [(2, 3)]),
    ("reshape", lambda a: a.reshape(3, 2), [(2, 3)]),
    ("transpose", lambda a: a.T, [(2, 3)]),
    ("broadcast_to", lambda a: a.broadcast_to((4, 3)), [(3,)]),
    ("getitem", lambda a: a[np.array([0, 0, 1])], [(2, 3)]),
    ("scatter_add", lambda a: apply(ops.scatter_add, a, shape=(4, 3), index=slice(1, 3)),
     [(2, 3)]),
    ("concatenate", lambda a, b: te.concatenate([a, b], axis=1), [(2, 3), (2, 2)]),
    ("softmax", lambda a: a.softmax(axis=1), [(2, 3)]),
    ("log_softmax", lambda a: a.log_softmax(axis=1), [(2, 3)]),
    ("softmax_cross_entropy",
     lambda a: apply(ops.softmax_cross_entropy, a, labels=np.array([2, 0])), [(2, 3)]),
    ("astype", lambda a: a.astype(np.float32), [(2, 3)]),
]


def test_every_primitive_has_a_case():
    assert {name for name, *_ in CASES} == set(ops.PRIMITIVES)


@pytest.mark.parametrize("name", sorted(ops.PRIMITIVES))
def test_each_template_has_one_entry_per_input(name):
    params = inspect.signature(ops.PRIMITIVES[name].forward).parameters.values()
    variadic = any(p.kind is p.VAR_POSITIONAL for p in params)
    arrays = [p for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    templates = ops.PRIMITIVES[name].grad_text
    assert len(templates) == (1 if variadic else len(arrays))
    for template in templates:
        assert template is None or "{dout}" in template  # every gradient is made from ∂C/∂out


@pytest.mark.parametrize("name, f, shapes", CASES, ids=[c[0] for c in CASES])
def test_explain_covers_every_primitive(name, f, shapes):
    rng = np.random.default_rng(1)
    leaves = [Tensor(rng.uniform(0.5, 1.5, s), requires_grad=True, name=n)
              for n, s in zip("ab", shapes)]
    out = f(*leaves)
    weights = Tensor(rng.normal(size=out.shape))  # so no gradient is the trivial all-ones
    text = explain((out * weights).sum(), file=io.StringIO())
    lines = text.splitlines()
    step = [line for line in lines if re.search(rf"\s{name}(;|$)", line)]
    assert step, f"no line for {name}:\n{text}"
    for leaf in leaves:  # every parameter gets its gradient line, with its shape
        shape = "[" + "×".join(map(str, leaf.shape)) + "]"
        assert any(line.startswith(f"∂C/∂{leaf.name} ") and shape in line for line in lines), text


def test_the_nielsen_preset_reads_as_bp1_to_bp4():
    lines = [re.sub(r"\s+", " ", line) for line in explain_preset("nielsen").splitlines()]
    expected = [
        "∂C/∂z3 = ∂C/∂a3 ⊙ σ'(z3) [10×10] sigmoid",  # BP1
        "∂C/∂b3 = Σ_batch ∂C/∂z3 [10×1] add; unbroadcast sums axis 1 (size 10)",  # BP3
        "∂C/∂W3 = ∂C/∂z3 · a2ᵀ [10×30] matmul",  # BP4
        "∂C/∂a2 = W3ᵀ · ∂C/∂z3 [30×10] matmul",  # BP2, its (W³)ᵀδ³
        "∂C/∂z2 = ∂C/∂a2 ⊙ σ'(z2) [30×10] sigmoid",  # BP2, its ⊙ σ'(z²)
        "∂C/∂b2 = Σ_batch ∂C/∂z2 [30×1] add; unbroadcast sums axis 1 (size 10)",
        "∂C/∂W2 = ∂C/∂z2 · xᵀ [30×784] matmul",
    ]
    positions = [lines.index(line) for line in expected]
    assert positions == sorted(positions)  # in this order: newest step first
    assert lines[0].startswith("Nielsen ch.1") and "∂C/∂C = 1 [scalar]" in lines


def test_the_scratch_preset_shows_rows_and_softmax():
    text = re.sub(r" +", " ", explain_preset("scratch", batch_size=4))
    assert "∂C/∂W2 = a1ᵀ · ∂C/∂z2 [50×10] matmul" in text
    assert "∂C/∂a1 = ∂C/∂z2 · W2ᵀ [4×50] matmul" in text
    assert "∂C/∂z1 = ∂C/∂a1 ⊙ [z1 > 0] [4×50] relu" in text
    assert "∂C/∂b1 = Σ_batch ∂C/∂z1 [50] add; unbroadcast sums axis 0 (size 4)" in text
    assert re.search(r"∂C/∂z2 = ∂C/∂t\d ⊙ \(softmax\(z2\) − onehot\(labels\)\) \[4×10\] "
                     "softmax_cross_entropy", text)


def test_explain_leaves_grads_alone_and_backward_still_works():
    W = Tensor([[0.3, -0.2], [0.1, 0.4]], requires_grad=True, name="W")
    x = Tensor([[1.0], [2.0]], name="x")
    loss = (W @ x).sigmoid().sum()
    explain(loss, file=io.StringIO())
    assert W.grad is None
    loss.backward()
    s = 1 / (1 + np.exp(-np.array([[-0.1], [0.9]])))
    np.testing.assert_allclose(W.grad.data, (s * (1 - s)) @ x.data.T)


def test_unnamed_tensors_get_names_in_tape_order_and_fan_out_adds_up():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    u = x * 3  # t1, used twice
    loss = (u.exp() + u * u).sum()
    text = explain(loss, file=io.StringIO())
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]
    names = tensor_names(loss)
    assert names[id(u)] == "t1" and names[id(loss)] == "C"
    # t2 = exp(t1), t3 = t1·t1 and t4 = t2 + t3: the add hands ∂C/∂t4 on to t2 and t3 unchanged,
    # so their gradients are written ∂C/∂t4 and get no line of their own
    assert lines[1] == "∂C/∂t4 = ∂C/∂C copied over every axis [2] sum"
    assert lines[2:5] == ["∂C/∂t1 = ∂C/∂t4 ⊙ t1 [2] mul",
                          "∂C/∂t1 += ∂C/∂t4 ⊙ t1 [2] mul",  # t1 is both inputs of t1·t1
                          "∂C/∂t1 += ∂C/∂t4 ⊙ exp(t1) [2] exp"]
    assert "∂C/∂x = ∂C/∂t1 ⊙ 3 [2] mul" in lines
    assert text == explain(loss, file=io.StringIO())  # the same names every time


def test_explain_prints_to_file_or_stdout(capsys):
    W = Tensor([2.0], requires_grad=True, name="W")
    buffer = io.StringIO()
    text = explain((W * W).sum(), file=buffer)
    assert buffer.getvalue() == text + "\n" and capsys.readouterr().out == ""
    explain((W * W).sum())
    assert capsys.readouterr().out == text + "\n"


def test_explain_refuses_what_it_cannot_explain():
    W = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="has shape \\(2,\\); explain a single number"):
        explain(W * 2)
    with pytest.raises(ValueError, match="requires_grad=True"):
        explain(Tensor([1.0]).sum())


def test_book_names_and_step_formulas():
    assert book("z2") == "z²" and book("t") == "t"
    a = Tensor(np.ones((4, 3)), requires_grad=True)
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    z = a @ W
    names = {id(a): "a¹", id(W): "W²"}
    assert step_formula(z._node, 1, "δ²", names, out_name="z²") == "(a¹)ᵀ · δ²"
    assert step_formula(z._node, 0, "δ² ⊙ s", names, out_name="z²") == "(δ² ⊙ s) · (W²)ᵀ"
    b = Tensor(np.ones(2), requires_grad=True)
    zb = z + b
    names[id(z)], names[id(b)] = "t", "b²"
    assert step_formula(zb._node, 1, "δ²", names, out_name="z²",
                        unbroadcast_axes=summed_axes((4, 2), (2,))) == "Σ_batch δ²"


def test_an_op_declared_without_grad_text_still_gets_a_line():
    def double(x):
        return 2 * x

    op = ops.Primitive(double, "∂C/∂x = 2·dout")  # not registered: PRIMITIVES stays as it is
    op.vjp(lambda dout, out, x: (2 * dout,))
    a = Tensor([1.0, 2.0], requires_grad=True, name="a")
    text = re.sub(r"\s+", " ", explain(apply(op, a).sum(), file=io.StringIO()))
    assert "∂C/∂a = double's VJP of ∂C/∂t1 [2] double" in text
