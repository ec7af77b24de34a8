"""One table proves every primitive: forward against numpy, dtype, inputs unchanged, gradient
shapes, first derivatives against central differences and second derivatives against central
differences of the first."""

import numpy as np
import pytest

import tinygrad_edu as te
from tinygrad_edu import Tensor, ops, vjp
from tinygrad_edu.check import gradcheck
from tinygrad_edu.tensor import apply

POS = (0.5, 2.0)  # away from zero: log, sqrt, division, powers
AWAY = "away"  # ±(0.3..2): away from the kinks of abs, relu, clip and ties of max/min

IDX = np.array([0, 2, 2, 1])  # repeated indices must accumulate
MASK = np.array([True, False, True, True])


def _sum_scatter(x):
    return apply(ops.scatter_add, x, shape=(5, 3), index=np.array([0, 4, 4]))


CASES = [  # name, tinygrad_edu call, numpy reference, input shapes, input range
    ("add", lambda a, b: a + b, np.add, [(3, 4), (4,)], None),
    ("add", lambda a, b: a + b, np.add, [(4,), (3, 4)], None),
    ("add", lambda a, b: a + b, np.add, [(3, 1), (1, 4)], None),
    ("add", lambda a, b: a + b, np.add, [(2, 3, 4), (3, 1)], None),
    ("add", lambda a: 2.0 + a, lambda a: 2.0 + a, [(3,)], None),
    ("sub", lambda a, b: a - b, np.subtract, [(3, 4), (3, 1)], None),
    ("sub", lambda a: 1.5 - a, lambda a: 1.5 - a, [(3, 4)], None),
    ("mul", lambda a, b: a * b, np.multiply, [(3, 4), (4,)], None),
    ("mul", lambda a, b: a * b, np.multiply, [(1,), (2, 3)], None),
    ("div", lambda a, b: a / b, np.divide, [(3, 4), (4,)], POS),
    ("div", lambda a: 2.0 / a, lambda a: 2.0 / a, [(3, 4)], POS),
    ("pow", lambda a: a**3.0, lambda a: a**3.0, [(3, 4)], POS),
    ("pow", lambda a, b: a**b, np.power, [(3, 4), (4,)], POS),
    ("pow", lambda a: 2.0**a, lambda a: 2.0**a, [(5,)], None),
    ("neg", lambda a: -a, np.negative, [(3, 4)], None),
    ("matmul", lambda a, b: a @ b, np.matmul, [(5, 3), (3, 2)], None),
    ("matmul", lambda a, b: a @ b, np.matmul, [(3,), (3,)], None),
    ("matmul", lambda a, b: a @ b, np.matmul, [(3,), (3, 4)], None),
    ("matmul", lambda a, b: a @ b, np.matmul, [(5, 3), (3,)], None),
    ("matmul", lambda a, b: a @ b, np.matmul, [(2, 5, 3), (3, 4)], None),
    ("matmul", lambda a, b: a @ b, np.matmul, [(2, 5, 3), (2, 3, 4)], None),
    ("matmul", lambda a, b: a @ b, np.matmul, [(5, 3), (2, 3, 4)], None),
    ("matmul", lambda a, b: a @ b, np.matmul, [(3,), (2, 3, 4)], None),
    ("exp", lambda a: a.exp(), np.exp, [(3, 4)], None),
    ("log", lambda a: a.log(), np.log, [(3, 4)], POS),
    ("sqrt", lambda a: a.sqrt(), np.sqrt, [(3, 4)], POS),
    ("abs", lambda a: a.abs(), np.abs, [(3, 4)], AWAY),
    ("tanh", lambda a: a.tanh(), np.tanh, [(3, 4)], None),
    ("sigmoid", lambda a: a.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), [(3, 4)], None),
    ("relu", lambda a: a.relu(), lambda a: np.maximum(a, 0), [(3, 4)], AWAY),
    ("clip", lambda a: a.clip(-1.0, 1.0), lambda a: np.clip(a, -1, 1), [(4, 5)], AWAY),
    ("clip", lambda a: a.clip(lo=0.5), lambda a: np.clip(a, 0.5, None), [(4, 5)], AWAY),
    ("clip", lambda a: a.clip(lo=np.full((3, 1, 5), -0.01, dtype=a.dtype)),
     lambda a: np.clip(a, np.full((3, 1, 5), -0.01), None), [(4, 5)], AWAY),
    ("maximum", lambda a, b: a.maximum(b), np.maximum, [(3, 4), (4,)], AWAY),
    ("minimum", lambda a, b: a.minimum(b), np.minimum, [(3, 4), (3, 1)], AWAY),
    ("where", lambda a, b: te.where(np.array([True, False, True, False]), a, b),
     lambda a, b: np.where(np.array([True, False, True, False]), a, b), [(3, 4), (4,)], None),
    ("sum", lambda a: a.sum(), np.sum, [(3, 4)], None),
    ("sum", lambda a: a.sum(axis=0), lambda a: a.sum(axis=0), [(3, 4)], None),
    ("sum", lambda a: a.sum(axis=-1, keepdims=True), lambda a: a.sum(-1, keepdims=True),
     [(2, 3, 4)], None),
    ("sum", lambda a: a.sum(axis=(0, 2)), lambda a: a.sum(axis=(0, 2)), [(2, 3, 4)], None),
    ("mean", lambda a: a.mean(axis=1), lambda a: a.mean(axis=1), [(3, 4)], None),
    ("max", lambda a: a.max(), np.max, [(3, 4)], None),
    ("max", lambda a: a.max(axis=0), lambda a: a.max(axis=0), [(3, 4)], None),
    ("max", lambda a: a.max(axis=-1, keepdims=True), lambda a: a.max(-1, keepdims=True),
     [(2, 3, 4)], None),
    ("min", lambda a: a.min(axis=(0, 1)), lambda a: a.min(axis=(0, 1)), [(2, 3, 4)], None),
    ("reshape", lambda a: a.reshape(4, 3), lambda a: a.reshape(4, 3), [(3, 4)], None),
    ("reshape", lambda a: a.flatten(1), lambda a: a.reshape(2, -1), [(2, 3, 4)], None),
    ("transpose", lambda a: a.T, lambda a: a.T, [(3, 4)], None),
    ("transpose", lambda a: a.transpose(1, 0, 2), lambda a: a.transpose(1, 0, 2),
     [(2, 3, 4)], None),
    ("transpose", lambda a: a.transpose(2, 0, 1), lambda a: a.transpose(2, 0, 1),
     [(2, 3, 4)], None),
    ("transpose", lambda a: a.transpose(0, -1, 1), lambda a: a.transpose(0, 2, 1),
     [(2, 3, 4)], None),
    ("broadcast_to", lambda a: a.broadcast_to((3, 4)), lambda a: np.broadcast_to(a, (3, 4)),
     [(4,)], None),
    ("getitem", lambda a: a[1], lambda a: a[1], [(3, 4)], None),
    ("getitem", lambda a: a[:, 1:3], lambda a: a[:, 1:3], [(3, 4)], None),
    ("getitem", lambda a: a[None, ::2], lambda a: a[None, ::2], [(3, 4)], None),
    ("getitem", lambda a: a[IDX], lambda a: a[IDX], [(3, 4)], None),
    ("getitem", lambda a: a[np.arange(4), IDX], lambda a: a[np.arange(4), IDX], [(4, 3)],
     None),
    ("getitem", lambda a: a[MASK], lambda a: a[MASK], [(4, 2)], None),
    ("scatter_add", _sum_scatter, None, [(3, 3)], None),
    ("concatenate", lambda a, b: te.concatenate([a, b], axis=1),
     lambda a, b: np.concatenate([a, b], axis=1), [(3, 2), (3, 4)], None),
    ("concatenate", lambda a, b: te.concatenate([a, b], axis=-1),
     lambda a, b: np.concatenate([a, b], axis=-1), [(3,), (2,)], None),
    ("stack", lambda a, b: te.stack([a, b], axis=1), lambda a, b: np.stack([a, b], axis=1),
     [(3, 2), (3, 2)], None),
    ("astype", lambda a: a.astype(np.float64).astype(a.dtype), lambda a: a, [(3, 4)], None),
    ("softmax_cross_entropy", lambda a: apply(ops.softmax_cross_entropy, a, labels=IDX),
     lambda a: -np.log(_softmax(a, 1))[np.arange(4), IDX], [(4, 3)], None),
    ("softmax", lambda a: a.softmax(axis=-1), None, [(3, 4)], None),
    ("softmax", lambda a: a.softmax(axis=0), None, [(3, 4)], None),
    ("log_softmax", lambda a: a.log_softmax(axis=-1), None, [(3, 4)], None),
    ("log_softmax", lambda a: a.log_softmax(axis=0), None, [(2, 3, 4)], None),
]


def _inputs(shapes, kind, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    out = []
    for shape in shapes:
        if kind == AWAY:
            a = rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
            a += 0.05 * np.arange(a.size).reshape(shape)  # distinct values: no ties
        elif kind is None:
            a = rng.normal(size=shape)
        else:
            a = rng.uniform(*kind, shape)
        out.append(np.asarray(a, dtype=dtype))
    return out


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_every_primitive_has_a_row():
    assert set(ops.PRIMITIVES) <= {name for name, *_ in CASES}


def test_every_primitive_has_a_formula():
    for p in ops.PRIMITIVES.values():
        assert p.formula and p.vjp_fn is not None, p.name


@pytest.mark.parametrize("k", range(len(CASES)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_forward_matches_numpy_and_keeps_inputs(k):
    name, f, ref, shapes, kind = CASES[k]
    arrays = _inputs(shapes, kind, seed=k)
    copies = [a.copy() for a in arrays]
    out = f(*[Tensor(a, requires_grad=True) for a in arrays])
    if ref is not None:
        np.testing.assert_allclose(out.data, ref(*arrays), rtol=1e-12, atol=1e-12)
    for a, c in zip(arrays, copies):
        np.testing.assert_array_equal(a, c)
    assert out.dtype == np.float64 and out.requires_grad


@pytest.mark.parametrize("k", range(len(CASES)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_gradient_matches_central_differences(k):
    name, f, ref, shapes, kind = CASES[k]
    arrays = _inputs(shapes, kind, seed=k)
    w = np.random.default_rng(100 + k).normal(size=f(*map(Tensor, arrays)).shape)
    assert gradcheck(lambda *xs: f(*xs) * w, *arrays, atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("k", range(len(CASES)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_second_derivative_matches_differences_of_the_first(k):
    """Hessian-vector products through create_graph against differences of the gradient."""
    name, f, ref, shapes, kind = CASES[k]
    arrays = _inputs(shapes, kind, seed=k)
    rng = np.random.default_rng(200 + k)
    w = rng.normal(size=f(*map(Tensor, arrays)).shape)
    vs = [rng.normal(size=a.shape) for a in arrays]

    def first(*xs):
        out, pullback = vjp(f, *xs)
        return pullback(Tensor(w))

    leaves = [Tensor(a, requires_grad=True) for a in arrays]
    directional = sum((g * v).sum() for g, v in zip(first(*leaves), vs))
    if not directional.requires_grad:  # piecewise-linear op: second derivative is 0
        hvp = [np.zeros_like(a) for a in arrays]
    else:
        directional.backward()
        hvp = [np.zeros_like(a) if x.grad is None else x.grad.data for x, a in zip(leaves, arrays)]
    eps = 1e-5
    for i, a in enumerate(arrays):
        flat = a.reshape(-1)
        for j in range(flat.size):
            old = flat[j]
            flat[j] = old + eps
            up = sum((g.data * v).sum() for g, v in zip(first(*map(Tensor, arrays)), vs))
            flat[j] = old - eps
            down = sum((g.data * v).sum() for g, v in zip(first(*map(Tensor, arrays)), vs))
            flat[j] = old
            assert hvp[i].reshape(-1)[j] == pytest.approx((up - down) / (2 * eps),
                                                          rel=1e-5, abs=1e-6), (i, j)


@pytest.mark.parametrize("k", range(len(CASES)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_float32_keeps_dtype_and_agrees_with_float64(k):
    name, f, ref, shapes, kind = CASES[k]
    arrays = _inputs(shapes, kind, seed=k)
    grads = {}
    for dtype in (np.float32, np.float64):
        leaves = [Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
        out = f(*leaves)
        assert out.dtype == dtype, (name, out.dtype)
        (out * 0.5).sum().backward()
        for x in leaves:
            assert x.grad.dtype == dtype and x.grad.shape == x.shape
        grads[dtype] = [x.grad.data for x in leaves]
    for g32, g64 in zip(grads[np.float32], grads[np.float64]):
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-5)


def test_softmax_reference():
    a = np.random.default_rng(0).normal(size=(3, 4))
    np.testing.assert_allclose(Tensor(a).softmax(axis=0).data, _softmax(a, 0))
    np.testing.assert_allclose(Tensor(a).log_softmax().data, np.log(_softmax(a, -1)))


def test_ties_share_the_gradient_equally():
    x = Tensor([1.0, 3.0, 3.0, 2.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 0.5, 0.5, 0])
    y = Tensor([[2.0, 2.0, 2.0], [1.0, 0.0, 5.0]], requires_grad=True)
    y.min(axis=1).sum().backward()
    np.testing.assert_allclose(y.grad.data, [[1 / 3, 1 / 3, 1 / 3], [0, 1, 0]])
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 0.0], requires_grad=True)
    a.maximum(b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 1])
    np.testing.assert_array_equal(b.grad.data, [0.5, 0])


def test_kinks_have_derivative_zero():
    x = Tensor([0.0, 0.0], requires_grad=True)
    (x.relu() + x.abs()).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])


def test_repeated_indices_accumulate():
    x = Tensor(np.arange(3.0), requires_grad=True)
    x[np.array([0, 2, 2, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1, 0, 3])


def test_stable_for_inputs_of_magnitude_1000():
    """Finite values and gradients, no numpy warnings (pytest turns RuntimeWarning into errors)."""
    import tinygrad_edu.functional as F

    big = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0]])
    for f in [lambda t: t.sigmoid(), lambda t: t.softmax(), lambda t: t.log_softmax(),
              lambda t: t.tanh(), lambda t: F.cross_entropy(t, np.array([1, 0]))]:
        x = Tensor(big, requires_grad=True)
        out = f(x)
        out.sum().backward()
        assert np.isfinite(out.data).all() and np.isfinite(x.grad.data).all()


def test_wrong_derivative_is_caught():
    """The negative control: gradcheck must catch a primitive whose VJP is wrong."""
    wrong = ops.Primitive(lambda x: np.sin(x), "∂C/∂x = dout ⊙ sin x (wrong on purpose)")
    wrong.vjp(lambda dout, out, x: (dout * np.sin(x),))
    with pytest.raises(AssertionError, match="at index"):
        gradcheck(lambda x: apply(wrong, x), np.array([0.3, 1.0]))


def test_pow_at_zero_follows_the_true_derivative():
    """x⁰ has slope 0 everywhere and 0ʸ does not change with y: no 0·∞ = nan."""
    x = Tensor([0.0, 2.0], requires_grad=True)
    (x**0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0])
    w = Tensor([1.5], requires_grad=True)
    (Tensor([0.0]) ** w).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [0.0])
    assert te.grad(te.grad(lambda t: (t**1.0).sum()))(Tensor([0.0])).item() == 0.0


def test_max_of_a_nan_sends_the_gradient_to_the_nan():
    x = Tensor([1.0, np.nan, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0])


def _bits(a):
    a = np.asarray(a)
    return a.dtype, a.shape, a.tobytes()


EDGES = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, 1e-310, 88.7, -88.7, 1e30, -3.5, 0.25]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_fast_paths_give_the_same_bits_as_the_plain_formulas(dtype):
    """sigmoid with 0-d constants, σ's VJP, x²'s VJP without the power and unbroadcast through
    np.add.reduce are speed-ups only: every bit must equal the plain numpy formula's."""
    rng = np.random.default_rng(0)
    with np.errstate(all="ignore"):
        x = np.concatenate([rng.standard_normal(997) * 30, EDGES]).astype(dtype)
        d = rng.standard_normal(x.size).astype(dtype)
        s = 0.5 * (1 + np.tanh(0.5 * x))
        assert _bits(ops.sigmoid.forward(x)) == _bits(s)
        assert _bits(ops.sigmoid_vjp(d, s, x)[0]) == _bits(d * s * (1 - s))
        for two in (np.asarray(2.0, dtype), np.asarray(2.0), np.asarray(2)):  # own dtype or not
            assert _bits(ops.pow_vjp(d, x**two, x, two, needs=(True, False))[0]) == \
                _bits(d * two * x ** (two - 1))
        for shape in [(1, 1009), (1009,), ()]:
            m = np.stack([d, x[::-1]])
            kept = tuple(range(2 - len(shape))) + tuple(
                i for i, n in enumerate(shape, 2 - len(shape)) if n == 1)
            want = m.sum(axis=kept, keepdims=True).reshape(shape)
            assert _bits(te.autograd.unbroadcast(m, shape)) == _bits(want)


def test_sigmoid_keeps_numpys_dtypes_for_integers_and_scalars():
    """A Python 0.5 makes an integer array float64 and a 0-d array a scalar: so does σ."""
    for x in (np.arange(-2, 3), np.array(2.5), np.float32(3.0), np.array(True)):
        want = 0.5 * (1 + np.tanh(0.5 * np.asarray(x)))
        assert _bits(ops.sigmoid.forward(np.asarray(x))) == _bits(want)


def test_number_is_a_0d_array_only_where_numpy_would_convert_the_python_number():
    f32 = np.ones(3, np.float32)
    half = ops._number(0.5, f32)
    assert half.shape == () and half.dtype == np.float32 and not half.flags.writeable
    assert ops._number(0.5, f32) is half  # made once
    assert ops._number(0.5, np.arange(3)) == 0.5  # an int array with 0.5 is float64 in numpy
    wide = np.float64(0.1)
    assert ops._number(wide, f32) is wide  # a numpy float64 widens float32 arrays: kept
    assert (f32 * ops._number(0.1, f32)).dtype == (f32 * 0.1).dtype == np.float32
    assert str(ops._number(-0.0, f32)) == "-0.0"  # zero is left alone: -0.0 == 0.0 as a key
    assert ops._number(0.5, 3.0) == 0.5 and ops.sigmoid(0.0) == 0.5  # plain numbers, no dtype


def test_number_forgets_old_values_instead_of_growing():
    """A learning-rate schedule passes a new value every step: the table stays small."""
    f64 = np.ones(2)
    for k in range(1000):
        ops._number(1.0 / (k + 2), f64)
    assert len(ops._NUMBERS) <= 257


def test_sub_computes_no_gradient_for_a_constant():
    """a3 − y of a cost: y needs no gradient, so its −dout is never computed."""
    a = Tensor([1.0, 2.0], requires_grad=True)
    steps = []
    out = (a - np.array([0.5, 0.5])).sum()
    te.autograd.backprop(out, np.ones(()), on_step=lambda t, n, g, dxs: steps.append(dxs))
    assert steps[-1][1] is None and steps[-1][0] is not None
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a - b).sum().backward()
    np.testing.assert_array_equal(b.grad.data, [-1.0, -1.0])
