"""The engine's behaviour: the tape, accumulation, no_grad, retain_grad, deep chains, freeing,
in-place safety, functional transforms, dtypes and every error message."""

import gc
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as te
import tinygrad_edu.functional as F
from tinygrad_edu import Tape, Tensor, detect_anomaly, grad, no_grad, vjp
from tinygrad_edu.check import gradcheck


def test_fan_out_adds_the_gradients_of_every_use():
    x = Tensor([3.0], requires_grad=True)
    y = x * x + x  # x is used three times
    y.backward()
    assert x.grad.item() == 7.0


def test_gradients_accumulate_across_calls_until_zeroed():
    W = Tensor([1.0, 2.0], requires_grad=True)
    (W * 3).sum().backward()
    (W * 3).sum().backward()
    np.testing.assert_array_equal(W.grad.data, [6.0, 6.0])
    W.zero_grad()
    assert W.grad is None


def test_leaves_get_their_own_gradient_arrays():
    a, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    (a + b).sum().backward()
    assert a.grad.data is not b.grad.data
    a.grad.data[0] = 5.0
    assert b.grad.item() == 1.0


def test_no_grad_records_nothing():
    W = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = W * 2
    assert not y.requires_grad and y._node is None
    assert te.is_grad_enabled()


def test_retain_grad_keeps_the_delta_of_an_intermediate():
    x = Tensor(np.ones((4, 3)))
    W = Tensor(np.full((3, 2), 0.1), requires_grad=True)
    z = (x @ W).retain_grad()
    a = z.sigmoid()
    u = a * 1.0  # an intermediate without retain_grad
    u.sum().backward()
    s = 1 / (1 + np.exp(-0.3))
    np.testing.assert_allclose(z.grad.data, np.full((4, 2), s * (1 - s)))
    assert u.grad is None and a.grad is None


def test_a_100000_op_chain_backpropagates_without_recursion():
    x = Tensor([1.5], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_non_scalar_backward_needs_a_gradient():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*gradient="):
        y.backward()
    y.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\) but the output"):
        (Tensor(np.ones((2, 3)), requires_grad=True) * 2).backward(np.ones(3))


def test_backward_on_a_tensor_without_grad_says_so():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_requires_grad_on_integers_is_a_type_error():
    with pytest.raises(TypeError, match="floating-point.*int64"):
        Tensor(np.array([1, 2]), requires_grad=True)


def test_dtypes():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(3).dtype == np.float64
    assert Tensor(np.array([1, 2])).dtype == np.int64
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    assert (x * 2.0 + 1).dtype == np.float32
    assert (2.0 / x).dtype == np.float32
    assert x.mean().dtype == np.float32
    (x * 2.0).sum().backward()
    assert x.grad.dtype == np.float32


def test_second_backward_through_a_freed_graph_names_retain_graph():
    x = Tensor([2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="already freed.*retain_graph=True"):
        y.backward()
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    assert x.grad.item() == 4.0 + 4.0 + 4.0


def test_backward_frees_the_saved_arrays():
    W = Tensor(np.ones((50, 50)), requires_grad=True)
    z = W @ W
    ref = weakref.ref(z.data)
    loss = (z.sigmoid()).sum()
    del z
    gc.collect()
    assert ref() is not None  # still saved for backward
    loss.backward()
    gc.collect()
    assert ref() is None


def test_retain_graph_keeps_the_saved_arrays():
    W = Tensor(np.ones((5, 5)), requires_grad=True)
    z = W @ W
    ref = weakref.ref(z.data)
    loss = z.sigmoid().sum()
    del z
    loss.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None


def test_changing_saved_data_before_backward_is_an_error():
    W = Tensor(np.ones((3, 2)), requires_grad=True, name="W")
    x = Tensor(np.ones((4, 3)), name="x")
    loss = (x @ W).sigmoid().sum()
    W.data -= 0.1  # an SGD update before backward
    with pytest.raises(RuntimeError, match=r"W \(3, 2\)\) of matmul .*modified in place"):
        loss.backward()


def test_updating_after_backward_is_fine():
    W = Tensor(np.ones(2), requires_grad=True)
    for _ in range(3):
        loss = (W * W).sum()
        loss.backward()
        with no_grad():
            W.data -= 0.1 * W.grad.data
        W.zero_grad()
    np.testing.assert_allclose(W.data, 0.8**3)


def test_tape_keeps_the_recorded_nodes_in_order():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    with Tape() as tape:
        y = x.exp()
        z = (y * x).sum()
    assert [n.op.name for n in tape.nodes] == ["exp", "mul", "sum"]
    seqs = [n.seq for n in tape.nodes]
    assert seqs == sorted(seqs) and len(tape) == 3
    assert "exp(x (2,))" in str(tape)
    assert tape.outputs[-1] is z


def test_shape_errors_name_the_op_the_shapes_and_the_tensors():
    x = Tensor(np.ones((32, 784)), name="x")
    W1 = Tensor(np.ones((30, 784)), requires_grad=True, name="W1")
    with pytest.raises(ValueError, match=r"matmul: cannot multiply \(32, 784\) @ \(30, 784\)"
                                         r".*did you mean W1\.T\? \[x @ W1\]"):
        x @ W1
    b = Tensor(np.ones(30), name="b1")
    with pytest.raises(ValueError, match=r"add: shapes \(32, 784\) and \(30,\).*\[x \+ b1\]"):
        x + b
    with pytest.raises(ValueError, match=r"reshape: cannot reshape \(32, 784\)"):
        x.reshape(5, 5)
    with pytest.raises(ValueError, match=r"concatenate: .*input shapes \(32, 784\), \(30, 784\)"):
        te.concatenate([x, W1], axis=1)
    with pytest.raises(ValueError, match=r"mse_loss: prediction has shape \(32, 784\)"):
        F.mse_loss(x, W1)
    with pytest.raises(ValueError, match=r"cross_entropy: labels must be 32 integer"):
        F.cross_entropy(x, np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"reduction must be one of"):
        F.mse_loss(x, x, reduction="avg")


def test_detect_anomaly_names_the_first_bad_operation():
    x = Tensor([1.0, 0.0, -1.0], requires_grad=True, name="x")
    with detect_anomaly():
        with pytest.raises(FloatingPointError, match=r"log \(tape position #\d+\).*forward.*x "
                                                     r"\(3,\) min -1"):
            x.log()
    y = Tensor([0.0, 1.0], requires_grad=True, name="y")
    with detect_anomaly():
        z = y.sqrt().sum()  # finite forward, infinite gradient at 0
        with pytest.raises(FloatingPointError, match="sqrt.*non-finite gradient"):
            z.backward()


def test_grad_and_vjp():
    f = lambda x, W: ((x @ W).tanh() ** 2).sum()
    x, W = np.ones((2, 3)), np.full((3, 2), 0.3)
    dW = grad(f, argnums=1)(x, W)
    h = 1e-6
    num = (f(Tensor(x), Tensor(W + h * np.eye(3, 2))).item()
           - f(Tensor(x), Tensor(W - h * np.eye(3, 2))).item()) / (2 * h)
    assert dW.data[0, 0] + dW.data[1, 1] == pytest.approx(num, rel=1e-6)
    out, pullback = vjp(lambda a: a * a, np.array([1.0, 2.0]))
    np.testing.assert_array_equal(pullback(np.array([1.0, 10.0]))[0].data, [2.0, 40.0])
    with pytest.raises(ValueError, match="single number"):
        grad(lambda a: a * 2)(np.ones(3))


def test_hessian_vector_product_with_create_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x**3).sum()
    y.backward(create_graph=True)
    g = x.grad  # 3x², itself differentiable
    x.zero_grad()
    (g * Tensor([1.0, 1.0])).sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 12.0])  # 6x


def test_repr_and_array_protocol():
    W = Tensor(np.zeros((2, 2), dtype=np.float32), requires_grad=True, name="W")
    assert "dtype=float32" in repr(W) and "name='W'" in repr(W)
    assert "op=matmul" in repr(W @ W)
    assert np.asarray(W).dtype == np.float32
    assert isinstance(np.ones(2) * Tensor([1.0, 2.0]), Tensor)


# ----- hypothesis: random expression trees -------------------------------------------------------

UNARY = [lambda t: t.sigmoid(), lambda t: t.tanh(), lambda t: t.exp() * 0.1,
         lambda t: (t * t + 1.0).log(), lambda t: -t, lambda t: t.softmax(axis=-1)]
BINARY = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
          lambda a, b: a / (b * b + 1.0)]


@st.composite
def expressions(draw):
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    n_leaves = draw(st.integers(1, 3))
    shapes = []
    for _ in range(n_leaves):  # each leaf broadcasts to shape: drop leading axes, squash to 1
        s = shape[draw(st.integers(0, len(shape) - 1)):]
        shapes.append(tuple(1 if draw(st.booleans()) else n for n in s))
    steps = draw(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5), st.integers(0, 3),
                                    st.integers(0, 10)), min_size=1, max_size=6))
    return shapes, steps, draw(st.integers(0, 2**16))


@settings(max_examples=40, deadline=None)
@given(expressions())
def test_random_expression_trees_match_numerical_gradients(case):
    shapes, steps, seed = case
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=s) for s in shapes]

    def f(*leaves):
        pool = list(leaves)
        for binary, u, b, pick in steps:
            a = pool[pick % len(pool)]
            pool.append(BINARY[b](a, pool[(pick + 1) % len(pool)]) if binary else UNARY[u](a))
        return pool[-1] if len(steps) else pool[0]

    assert gradcheck(f, *arrays, atol=1e-6, rtol=1e-5)


def test_vjp_and_grad_work_inside_no_grad_and_refuse_disconnected_functions():
    with no_grad():
        assert grad(lambda x: (x * x).sum())(Tensor([3.0])).item() == 6.0
    with pytest.raises(ValueError, match="does not depend on its arguments"):
        grad(lambda x: Tensor(x.data * 2).sum())(Tensor([3.0]))
    # gradcheck of a gradient: numerical differences run f under no_grad()
    assert gradcheck(lambda x: grad(lambda y: (y**3).sum())(x), np.array([1.0, 2.0]))


def test_astype_to_integers_is_a_constant():
    x = Tensor([1.5, 2.5], requires_grad=True)
    y = x.astype(np.int64)
    assert y.dtype == np.int64 and not y.requires_grad
    z = x.astype(np.float32)
    assert z.requires_grad and z.dtype == np.float32


def test_changing_an_output_that_its_vjp_reads_is_an_error():
    a = Tensor([1.0, 2.0], requires_grad=True)
    y = a.exp()
    y.data = np.zeros(2)
    with pytest.raises(RuntimeError, match=r"output .* of exp .*modified in place"):
        y.sum().backward()


def test_concatenate_without_an_axis_says_what_to_do():
    with pytest.raises(ValueError, match="axis=None .*flatten"):
        te.concatenate([Tensor([1.0]), Tensor([2.0])], axis=None)


def test_binary_cross_entropy_with_logits_is_exact_and_finite():
    z = np.array([-1000.0, -3.0, 0.0, 2.0, 1000.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    zt = Tensor(z, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(zt, y, reduction="sum")
    loss.backward()
    sig = 0.5 * (1 + np.tanh(0.5 * z))
    np.testing.assert_allclose(zt.grad.data, sig - y, atol=1e-15)  # σ(z) − y, z = 0 included
    np.testing.assert_allclose(loss.item(), np.sum(np.logaddexp(0, z) - y * z))
    assert gradcheck(lambda t: F.binary_cross_entropy_with_logits(t, y[1:4]),
                     np.array([-3.0, 0.5, 2.0]))


def test_a_gradient_passed_to_backward_is_not_shared_with_a_leaf():
    x = Tensor([1.0, 2.0], requires_grad=True)
    g = np.array([3.0, 4.0])
    (x + 0.0).backward(g)
    assert x.grad.data is not g and not np.shares_memory(x.grad.data, g)
    g[0] = 100.0
    assert x.grad.data[0] == 3.0


def test_cross_entropy_backward_reuses_the_softmax_its_forward_computed(monkeypatch):
    from tinygrad_edu import ops
    calls, real = [], ops.softmax
    monkeypatch.setattr(ops, "softmax", lambda *a, **k: calls.append(1) or real(*a, **k))
    rng = np.random.default_rng(0)
    z = Tensor(rng.standard_normal((5, 4)), requires_grad=True)
    labels = np.array([0, 3, 1, 1, 2])
    F.cross_entropy(z, labels).backward()
    assert calls == []  # the forward's softmax, as DLFS's SoftmaxWithLoss keeps self.y
    first = z.grad.numpy().copy()
    z.grad = None
    C = F.cross_entropy(z, labels)
    F.cross_entropy(Tensor(rng.standard_normal((2, 4))), np.array([0, 1]))  # another forward
    C.backward()  # not the latest forward: the VJP computes its own softmax, same numbers
    assert calls == [1] and np.array_equal(z.grad.numpy(), first)


def test_a_recorded_tensor_can_be_deep_copied_with_its_graph():
    """copy.deepcopy of an output copies its graph: the copy backpropagates into copied leaves."""
    import copy

    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3).sigmoid().sum()
    y2 = copy.deepcopy(y)
    x2 = y2._node.inputs[0]._node.inputs[0]._node.inputs[0]
    y2.backward()
    assert x.grad is None and x2 is not x
    s = 1 / (1 + np.exp(-3 * np.array([1.0, 2.0])))
    np.testing.assert_allclose(x2.grad.data, 3 * s * (1 - s))


def test_comparisons_are_constant_masks_as_numpy_computes_them():
    z = Tensor(np.array([0.1, -1.0, 2.0], np.float32), requires_grad=True)
    mask = z > 0.1  # 0.1 compared in float32, as numpy compares z's array with it
    assert mask._node is None and not mask.requires_grad
    assert np.array_equal(mask.numpy(), z.numpy() > 0.1)
    assert np.array_equal((z <= [0.0, 0.0, 3.0]).numpy(), [False, True, True])
    assert np.array_equal((z == np.float64(2.0)).numpy(), [False, False, True])
    (z * (z > 0)).sum().backward()  # relu by hand: the gradient flows through the product
    assert np.array_equal(z.grad.numpy(), [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"greater: shapes \(3,\) and \(2,\) do not broadcast"):
        z.__gt__(Tensor(np.zeros(2)))


def test_integer_tensors_compare_with_any_python_integer_as_numpy_does():
    labels = Tensor(np.array([0, 255, 7], np.uint8))
    assert np.array_equal((labels != -1).numpy(), [True, True, True])
    assert np.array_equal((labels < 256).numpy(), [True, True, True])
    assert np.array_equal((labels == 7.0).numpy(), [False, False, True])
