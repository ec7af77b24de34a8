"""The books' hand-derived backprops against central differences of their own costs (numpy only).

tinygrad_edu.reference is the answer key that check.verify holds the engine to, so these tests
must not use the engine either: every number here comes from numpy and finite differences.
"""

import ast
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu.reference import digits32, dlfs, nielsen, threeb1b

RTOL = 1e-7  # on the norm of the difference, relative to the norm of the gradient


# --- numerical helpers ------------------------------------------------------------------------


def numerical_gradient(f, x, indices, h=1e-5):
    """Central differences of the scalar f() at x[i] for each i, changing x in place and back."""
    grad = []
    for i in indices:
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad.append((f_plus - f_minus) / (2 * h))
    return np.array(grad)


def all_indices(shape):
    return list(np.ndindex(shape))


def some_indices(shape, rng, count=25):
    flat = rng.choice(int(np.prod(shape)), size=min(count, int(np.prod(shape))), replace=False)
    return list(zip(*np.unravel_index(flat, shape)))


def assert_close(analytic, numeric, what):
    err = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(numeric), 1e-300)
    assert err <= RTOL, f"{what}: relative error {err:.1e} between backprop and finite differences"


def check_against_numerical(cost, params, x, y, grads, rng=None):
    """Every parameter gradient and every δ = ∂C/∂z in grads, against central differences of cost.

    For ∂C/∂z: z = W·a + b, so giving b one entry per example (b takes z's shape) makes
    ∂C/∂b exactly ∂C/∂z, and the module's own cost can be perturbed there.
    """
    p = {name: value.copy() for name, value in params.items()}
    for name in params:
        idx = all_indices(p[name].shape) if rng is None else some_indices(p[name].shape, rng)
        numeric = numerical_gradient(partial(cost, p, x, y), p[name], idx)
        assert_close(np.array([grads[name][i] for i in idx]), numeric, name)
    z_names = [name for name in grads if name.startswith("z")]
    assert z_names, "backprop returned no δ"
    for z_name in z_names:
        b_name = "b" + z_name[1:]
        pz = dict(p, **{b_name: p[b_name] + np.zeros_like(grads[z_name])})
        idx = all_indices(pz[b_name].shape)
        numeric = numerical_gradient(partial(cost, pz, x, y), pz[b_name], idx)
        assert_close(grads[z_name].ravel(), numeric, z_name)


def columns(rng, n_in, n_out, m):
    return rng.random((n_in, m)), np.eye(n_out)[:, rng.integers(0, n_out, size=m)]


def bitmaps(rng, n_in, n_out, m):
    x = (rng.random((n_in, m)) < 20 / n_in) * 1.0  # about 20 of the pixels on
    return x, np.eye(n_out)[:, rng.integers(0, n_out, size=m)]


def rows(rng, n_in, n_out, m):
    return rng.random((m, n_in)), np.eye(n_out)[rng.integers(0, n_out, size=m)]


def dlfs_params(rng, sizes):
    """The book's init with nonzero biases: with b = 0, an example whose previous layer is all
    zeros after relu has z = 0 exactly, right on the kink, where a central difference says 0.5."""
    params = dlfs.init_params(rng, sizes[0], sizes[1:-1], sizes[-1], weight_init_std=0.1)
    for name in params:
        if name.startswith("b"):
            sign = rng.choice([-1.0, 1.0], params[name].shape)
            params[name] = sign * rng.uniform(0.05, 0.15, params[name].shape)
    return params


NETWORKS = {  # name: (params for layer sizes, a batch, the module's cost, its backprop)
    "nielsen-quadratic": (
        lambda rng, sizes: nielsen.init_params(sizes, rng, scheme="improved"),
        columns,
        partial(nielsen.cost, cost="quadratic"),
        partial(nielsen.backprop, cost="quadratic"),
    ),
    "nielsen-cross_entropy": (
        lambda rng, sizes: nielsen.init_params(sizes, rng, scheme="improved"),
        columns,
        partial(nielsen.cost, cost="cross_entropy"),
        partial(nielsen.backprop, cost="cross_entropy"),
    ),
    "threeb1b": (
        lambda rng, sizes: threeb1b.init_params(rng, sizes),
        columns,
        threeb1b.cost,
        threeb1b.backprop,
    ),
    "digits32": (
        lambda rng, sizes: digits32.init_params(rng, sizes),
        bitmaps,
        digits32.loss,
        digits32.backprop,
    ),
    "dlfs": (dlfs_params, rows, dlfs.loss, dlfs.backprop),
}
REAL_SIZES = {
    "nielsen-quadratic": (784, 30, 10),
    "nielsen-cross_entropy": (784, 30, 10),
    "threeb1b": (784, 16, 16, 10),
    "digits32": (1024, 16, 16, 10),
    "dlfs": (784, 50, 10),
}


# --- every network: gradients and δs against finite differences ---------------------------------


SMALL = [  # digits32 is the seed's network, always three weight layers
    (name, sizes)
    for name in NETWORKS
    for sizes in [(6, 5, 4, 3), (7, 5, 3)]
    if name != "digits32" or len(sizes) == 4
]


@pytest.mark.parametrize("name, sizes", SMALL)
def test_backprop_matches_finite_differences(name, sizes):
    make_params, make_batch, cost, backprop = NETWORKS[name]
    rng = np.random.default_rng(0)
    params = make_params(rng, sizes)
    x, y = make_batch(rng, sizes[0], sizes[-1], 4)
    check_against_numerical(cost, params, x, y, backprop(params, x, y))


@pytest.mark.parametrize("name", list(NETWORKS))
def test_backprop_matches_finite_differences_at_the_real_sizes(name):
    make_params, make_batch, cost, backprop = NETWORKS[name]
    sizes = REAL_SIZES[name]
    rng = np.random.default_rng(1)
    params = make_params(rng, sizes)
    x, y = make_batch(rng, sizes[0], sizes[-1], 3)
    grads = backprop(params, x, y)
    assert {n: grads[n].shape for n in params} == {n: p.shape for n, p in params.items()}
    check_against_numerical(cost, params, x, y, grads, rng=rng)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_backprop_changes_no_input(name):
    make_params, make_batch, _, backprop = NETWORKS[name]
    rng = np.random.default_rng(2)
    params = make_params(rng, (6, 5, 4, 3))
    x, y = make_batch(rng, 6, 3, 4)
    before = ({n: p.copy() for n, p in params.items()}, x.copy(), y.copy())
    backprop(params, x, y)
    assert all(np.array_equal(params[n], before[0][n]) for n in params)
    assert np.array_equal(x, before[1]) and np.array_equal(y, before[2])


@pytest.mark.parametrize(
    "name", ["nielsen-quadratic", "nielsen-cross_entropy", "threeb1b", "digits32"]
)
def test_a_batch_is_the_mean_of_its_examples(name):
    make_params, make_batch, _, backprop = NETWORKS[name]
    rng = np.random.default_rng(3)
    params = make_params(rng, (6, 5, 4, 3))
    x, y = make_batch(rng, 6, 3, 5)
    grads = backprop(params, x, y)
    singles = [backprop(params, x[:, [k]], y[:, [k]]) for k in range(5)]
    for n in params:
        mean = np.mean([single[n] for single in singles], axis=0)
        np.testing.assert_allclose(grads[n], mean, rtol=1e-12, atol=1e-15)
    for z in [n for n in grads if n.startswith("z")]:
        by_example = np.hstack([single[z] for single in singles]) / 5  # each weighs 1/m
        np.testing.assert_allclose(grads[z], by_example, rtol=1e-12, atol=1e-15)


def test_no_reference_module_imports_the_engine():
    allowed = {"numpy", "collections"}
    for path in Path(nielsen.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            assert {n.split(".")[0] for n in names} <= allowed, f"{path.name} imports {names}"


# --- nielsen -----------------------------------------------------------------------------------


def test_nielsen_keys_follow_the_books_layer_numbers():
    params = nielsen.init_params([6, 5, 4, 3], np.random.default_rng(0))
    x, y = columns(np.random.default_rng(1), 6, 3, 2)
    assert list(nielsen.backprop(params, x, y)) == [
        "W2", "b2", "W3", "b3", "W4", "b4", "z2", "z3", "z4"
    ]  # fmt: skip


@pytest.mark.parametrize("cost", nielsen.COSTS)
def test_nielsen_output_delta_is_bp1(cost):
    rng = np.random.default_rng(4)
    params = nielsen.init_params([6, 5, 3], rng)
    x, y = columns(rng, 6, 3, 4)
    z3 = params["W3"] @ nielsen.sigmoid(params["W2"] @ x + params["b2"]) + params["b3"]
    a3 = nielsen.sigmoid(z3)
    bp1 = (a3 - y) * nielsen.sigmoid_prime(z3) if cost == "quadratic" else a3 - y
    np.testing.assert_allclose(nielsen.backprop(params, x, y, cost=cost)["z3"], bp1 / 4)


def test_nielsen_feedforward_returns_its_output():
    rng = np.random.default_rng(5)
    params = nielsen.init_params([6, 5, 3], rng)
    x = rng.random((6, 4))
    out = nielsen.feedforward(params, x)
    assert out is not None, "feedforward forgot `return a` (seed 001)"
    hidden = nielsen.sigmoid(params["W2"] @ x + params["b2"])
    np.testing.assert_allclose(out, nielsen.sigmoid(params["W3"] @ hidden + params["b3"]))


def test_nielsen_l2_update_is_gradient_descent_with_weight_decay_lambda_over_n():
    rng = np.random.default_rng(6)
    params = nielsen.init_params([6, 5, 3], rng)
    x, y = columns(rng, 6, 3, 10)
    before = {n: p.copy() for n, p in params.items()}
    eta, lmbda, n = 0.5, 5.0, 1000
    new = nielsen.update_mini_batch(params, x, y, eta, lmbda=lmbda, n=n, cost="cross_entropy")
    grads = nielsen.backprop(params, x, y, cost="cross_entropy")
    for name, p in params.items():
        weight_decay = lmbda / n if name.startswith("W") else 0.0  # biases are not decayed
        np.testing.assert_allclose(new[name], p - eta * (grads[name] + weight_decay * p))
        np.testing.assert_array_equal(p, before[name])


def test_nielsen_update_without_l2_is_network_py():
    rng = np.random.default_rng(7)
    params = nielsen.init_params([6, 5, 3], rng)
    x, y = columns(rng, 6, 3, 10)
    new = nielsen.update_mini_batch(params, x, y, 3.0)
    grads = nielsen.backprop(params, x, y)
    for name, p in params.items():
        np.testing.assert_allclose(new[name], p - 3.0 * grads[name])
    with pytest.raises(ValueError, match="needs n"):
        nielsen.update_mini_batch(params, x, y, 3.0, lmbda=5.0)


def test_nielsen_init_schemes():
    rng = np.random.default_rng(8)
    big = nielsen.init_params([400, 300, 10], rng, scheme="nielsen")
    improved = nielsen.init_params([400, 300, 10], rng, scheme="improved")
    assert abs(big["W2"].std() - 1) < 0.01
    assert abs(improved["W2"].std() * np.sqrt(400) - 1) < 0.01
    assert abs(improved["b2"].std() - 1) < 0.2
    with pytest.raises(ValueError, match="scheme"):
        nielsen.init_params([4, 3], rng, scheme="xavier")


def test_nielsen_cross_entropy_stays_finite_when_the_output_saturates():
    params = {"W2": np.zeros((2, 1)), "b2": np.array([[50.0], [-50.0]])}
    c = nielsen.cost(params, np.zeros((1, 1)), np.array([[0.0], [1.0]]), cost="cross_entropy")
    assert c == pytest.approx(100.0)


def test_nielsen_says_when_examples_are_rows():
    params = nielsen.init_params([6, 5, 3], np.random.default_rng(0))
    x, y = columns(np.random.default_rng(1), 6, 3, 4)
    with pytest.raises(ValueError, match=r"x\.T"):
        nielsen.backprop(params, x.T, y)
    with pytest.raises(ValueError, match="unknown cost"):
        nielsen.backprop(params, x, y, cost="mse")


# --- Deep Learning from Scratch ----------------------------------------------------------------


def test_dlfs_relu_derivative_is_zero_at_exactly_zero():
    relu = dlfs.Relu()
    relu.forward(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(relu.backward(np.ones((1, 3))), [[0.0, 0.0, 1.0]])

    rng = np.random.default_rng(9)
    params = dlfs.init_params(rng, 6, 5, 3, weight_init_std=0.1)  # b1 = 0
    x, t = rows(rng, 6, 3, 4)
    params["W1"][:, 0] = 0.0  # so z1[:, 0] = x·0 + 0 is exactly 0
    grads = dlfs.backprop(params, x, t)
    assert np.all(grads["a1"][:, 0] != 0)
    np.testing.assert_array_equal(grads["z1"][:, 0], 0.0)


def test_dlfs_activation_deltas_match_finite_differences():
    """∂L/∂aˡ: the layers after aˡ are a smaller network of the same kind, with aˡ as its input."""
    rng = np.random.default_rng(10)
    params = dlfs.init_params(rng, 6, [5, 4], 3, weight_init_std=0.5)
    x, t = rows(rng, 6, 3, 4)
    grads = dlfs.backprop(params, x, t)
    a = x
    for l in (1, 2):
        a = np.maximum(a @ params[f"W{l}"] + params[f"b{l}"], 0)
        tail = {}
        for k in range(l + 1, 4):
            tail[f"W{k - l}"], tail[f"b{k - l}"] = params[f"W{k}"], params[f"b{k}"]
        a_perturbed = a.copy()
        numeric = numerical_gradient(
            partial(dlfs.loss, tail, a_perturbed, t), a_perturbed, all_indices(a.shape)
        )
        assert_close(grads[f"a{l}"].ravel(), numeric, f"a{l}")


def layer_check(layer, x, dout, wrt=()):
    """backward(dout) against central differences of Σ forward(x) ⊙ dout, for x and wrt arrays."""
    out_dot = lambda: float(np.sum(layer.forward(x) * dout))
    layer.forward(x)
    dout_before = dout.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, dout_before)
    assert_close(dx.ravel(), numerical_gradient(out_dot, x, all_indices(x.shape)), "dx")
    for name in wrt:
        p = getattr(layer, name)
        analytic = getattr(layer, "d" + name)  # read before the differences rerun forward
        assert_close(analytic.ravel(), numerical_gradient(out_dot, p, all_indices(p.shape)), name)


def test_dlfs_affine_backward():
    rng = np.random.default_rng(11)
    layer = dlfs.Affine(rng.standard_normal((4, 3)), rng.standard_normal(3))
    layer_check(layer, rng.standard_normal((5, 4)), rng.standard_normal((5, 3)), wrt=("W", "b"))
    assert layer.dW.shape == (4, 3) and layer.db.shape == (3,)


def test_dlfs_relu_and_sigmoid_backward():
    rng = np.random.default_rng(12)
    x = rng.uniform(0.1, 2.0, (5, 4)) * rng.choice([-1.0, 1.0], (5, 4))  # away from relu's kink
    layer_check(dlfs.Relu(), x, rng.standard_normal((5, 4)))
    layer_check(dlfs.Sigmoid(), x, rng.standard_normal((5, 4)))


def test_dlfs_softmax_with_loss_backward_is_the_exact_gradient():
    rng = np.random.default_rng(13)
    scores, t = rng.standard_normal((5, 4)), np.eye(4)[rng.integers(0, 4, size=5)]

    def exact_loss():
        log_y = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
        return -np.sum(t * log_y) / 5

    layer = dlfs.SoftmaxWithLoss()
    book_loss = layer.forward(scores, t)
    assert book_loss == pytest.approx(exact_loss(), abs=1e-5)  # the book's 1e-7 in the log
    dx = layer.backward()
    assert_close(
        dx.ravel(), numerical_gradient(exact_loss, scores, all_indices(scores.shape)), "dx"
    )
    with pytest.raises(ValueError, match="one-hot"):
        layer.forward(scores, np.argmax(t, axis=1))


def test_dlfs_predict_loss_accuracy():
    rng = np.random.default_rng(14)
    params = dlfs.init_params(rng)
    x, t = rows(rng, 784, 10, 6)
    assert dlfs.predict(params, x).shape == (6, 10)
    assert dlfs.loss(params, x, t) == pytest.approx(np.log(10), abs=0.05)  # small weights
    labels = np.argmax(dlfs.predict(params, x), axis=1)
    assert dlfs.accuracy(params, x, np.eye(10)[labels]) == 1.0
    assert dlfs.accuracy(params, x, labels) == 1.0


# --- 3Blue1Brown and seed 003 -------------------------------------------------------------------


def test_threeb1b_cost_has_no_half_and_its_output_delta_is_2_a_minus_y():
    rng = np.random.default_rng(15)
    params = threeb1b.init_params(rng)
    x, y = columns(rng, 784, 10, 4)
    a = threeb1b.feedforward(params, x)
    assert threeb1b.cost(params, x, y) == pytest.approx(np.sum((a - y) ** 2) / 4)
    np.testing.assert_allclose(threeb1b.backprop(params, x, y)["z3"], 2 * (a - y) * a * (1 - a) / 4)
    assert all(np.all(params[f"b{l}"] == 0) for l in (1, 2, 3))
    assert params["W1"].std() == pytest.approx(np.sqrt(2 / 800), rel=0.05)


def test_digits32_keeps_the_seeds_numbering_and_per_sample_loss():
    rng = np.random.default_rng(16)
    params = digits32.init_params(rng)
    assert [(n, p.shape) for n, p in params.items()] == [
        ("W1", (16, 1024)), ("b1", (16, 1)), ("W2", (16, 16)),
        ("b2", (16, 1)), ("W3", (10, 16)), ("b3", (10, 1)),
    ]  # fmt: skip
    X, y = bitmaps(rng, 1024, 10, 1)
    y_hat = digits32.forward(params, X)
    assert digits32.loss(params, X, y) == pytest.approx(0.5 * np.sum((y_hat - y) ** 2))
    grads = digits32.backprop(params, X, y)
    assert list(grads) == ["W1", "b1", "W2", "b2", "W3", "b3", "z1", "z2", "z3"]
    np.testing.assert_allclose(grads["b3"], grads["z3"])  # m = 1: the seed's d3 = delta3
