"""Tests of tinygrad_edu.optim: SGD (momentum, Nesterov, weight decay) and Adam against updates
computed by hand, Nielsen's L2 update and DLFS's momentum as special cases, and the errors."""

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu import presets as P
from tinygrad_edu.optim import SGD, Adam
from tinygrad_edu.reference import nielsen

GRADS = [np.array([0.5, -1.0, 2.0]), np.array([-0.3, 0.2, 1.0]), np.array([0.1, 0.4, -2.0])]
W0 = np.array([1.0, -2.0, 0.5])


def run(opt_class, grads=GRADS, **settings):
    """The parameter after one step per gradient in grads."""
    W = Tensor(W0.copy(), requires_grad=True)
    opt = opt_class([W], **settings)
    for g in grads:
        W.grad = Tensor(g)
        opt.step()
    return W.data


def test_sgd_is_p_minus_lr_g():
    np.testing.assert_allclose(run(SGD, lr=0.1), W0 - 0.1 * sum(GRADS))


def test_sgd_momentum_by_hand():
    mu, lr = 0.9, 0.1
    p, v = W0.copy(), None
    for g in GRADS:  # PyTorch: v = g on the first step, then v = μv + g; p -= lr·v
        v = g.copy() if v is None else mu * v + g
        p = p - lr * v
    np.testing.assert_allclose(run(SGD, lr=lr, momentum=mu), p)


def test_sgd_nesterov_by_hand():
    mu, lr = 0.9, 0.1
    p, v = W0.copy(), None
    for g in GRADS:
        v = g.copy() if v is None else mu * v + g
        p = p - lr * (g + mu * v)
    np.testing.assert_allclose(run(SGD, lr=lr, momentum=mu, nesterov=True), p)


def test_sgd_weight_decay_by_hand():
    wd, lr, mu = 0.01, 0.1, 0.5
    p, v = W0.copy(), None
    for g in GRADS:
        d = g + wd * p
        v = d.copy() if v is None else mu * v + d
        p = p - lr * v
    np.testing.assert_allclose(run(SGD, lr=lr, momentum=mu, weight_decay=wd), p)


def test_dlfs_momentum_equals_sgd_momentum_at_a_constant_lr():
    # DLFS's Momentum: v ← μv − lr·g, p ← p + v; the same as PyTorch's while lr stays fixed
    mu, lr = 0.9, 0.1
    p, v = W0.copy(), np.zeros(3)
    for g in GRADS:
        v = mu * v - lr * g
        p = p + v
    np.testing.assert_allclose(run(SGD, lr=lr, momentum=mu), p)


@pytest.mark.parametrize("wd", [0.0, 0.1])
def test_adam_by_hand(wd):
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p, m, v = W0.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, start=1):
        g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    np.testing.assert_allclose(run(Adam, lr=lr, weight_decay=wd), p, rtol=1e-12)


def test_adam_first_step_is_lr_times_the_sign():
    np.testing.assert_allclose(run(Adam, GRADS[:1], lr=0.01), W0 - 0.01 * np.sign(GRADS[0]))


def test_nielsen_l2_update_is_sgd_with_weight_decay_lambda_over_n():
    preset = P.get("nielsen").with_overrides(sizes=(20, 6, 4))
    params = preset.init_params(seed=0, dtype=np.float64)
    rng = np.random.default_rng(1)
    x, y = rng.random((20, 5)), np.eye(4)[:, rng.integers(0, 4, 5)]
    eta, lmbda, n = 0.5, 5.0, 1000
    expected = nielsen.update_mini_batch(params, x, y, eta, lmbda=lmbda, n=n)

    W = preset.tensors(params)
    weights = [p for k, p in W.items() if k.startswith("W")]
    biases = [p for k, p in W.items() if k.startswith("b")]
    opt = SGD([{"params": weights, "weight_decay": lmbda / n}, {"params": biases}], lr=eta)
    preset.forward(W, x, y).backward()
    opt.step()
    for k, p in W.items():
        np.testing.assert_allclose(p.data, expected[k], rtol=1e-10, atol=1e-12, err_msg=k)


def test_step_keeps_float32_and_updates_in_place():
    W = Tensor(W0.astype(np.float32), requires_grad=True)
    data = W.data
    opt = Adam([W], lr=0.1)
    (W * W).sum().backward()
    opt.step()
    assert W.data is data and W.dtype == np.float32
    assert opt.state[id(W)]["m"].dtype == np.float32


@pytest.mark.parametrize("make", [lambda W: SGD([W], lr=0.1, momentum=0.9),
                                  lambda W: Adam([W], lr=0.1)])
def test_buffers_start_again_when_a_parameter_gets_another_dtype_or_shape(make):
    W = Tensor(W0.astype(np.float32), requires_grad=True)
    opt = make(W)
    for data in (W0.astype(np.float64), np.ones((2, 5))):  # float32 → float64, then new shape
        (W * W).sum().backward()
        opt.step()
        opt.zero_grad()
        W.data = data.copy()
        (W * W).sum().backward()
        opt.step()  # not a float32 or old-shape buffer: the full float64 update of the new W
        fresh = make(Tensor(data.copy(), requires_grad=True))
        Q = fresh.param_groups[0]["params"][0]
        (Q * Q).sum().backward()
        fresh.step()
        assert W.dtype == np.float64 and np.array_equal(W.numpy(), Q.numpy())
        opt.zero_grad()


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1)])
def test_another_tensors_new_dtype_leaves_a_parameters_buffers_as_they_are(make):
    W, V = (Tensor(W0.copy(), requires_grad=True) for _ in range(2))
    opt, ref = make([W, V]), make([Tensor(W0.copy(), requires_grad=True)])
    R = ref.param_groups[0]["params"][0]
    for k in range(3):  # V changes dtype between steps: a layout change that is not W's
        for T, o in ((W, opt), (R, ref)):
            o.zero_grad()
            (T * T).sum().backward()
            o.step()
        V.data = V.data.astype(np.float32 if k % 2 else np.float64)
    assert np.array_equal(W.numpy(), R.numpy())  # momentum (Adam's m and v) carried on

def test_a_step_bumps_the_version_so_a_stale_graph_cannot_be_backpropagated():
    W = Tensor(W0.copy(), requires_grad=True)
    opt = SGD([W], lr=0.1)
    loss = (W * W).sum()
    stale = (W * W).sum()
    loss.backward()
    opt.step()
    with pytest.raises(RuntimeError, match="modified in place"):
        stale.backward()


def test_parameters_without_a_gradient_are_left_alone():
    W, b = Tensor(W0.copy(), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    opt = SGD({"W": W, "b": b}, lr=0.1, momentum=0.9)  # a dict of tensors works too
    (W * 2).sum().backward()
    opt.step()
    assert np.array_equal(b.data, np.ones(3)) and b._version == 0
    np.testing.assert_allclose(W.data, W0 - 0.2)


def test_zero_grad_forgets_the_gradients():
    W = Tensor(W0.copy(), requires_grad=True)
    opt = SGD([W], lr=0.1)
    (W * W).sum().backward()
    opt.zero_grad()
    assert W.grad is None


def test_param_groups_override_the_defaults():
    a, b = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    a.grad, b.grad = Tensor(np.ones(2)), Tensor(np.ones(2))
    opt.step()
    np.testing.assert_allclose(a.data, 0.9)
    np.testing.assert_allclose(b.data, 0.0)


@pytest.mark.parametrize("make, message", [
    (lambda W: SGD([], lr=0.1), "empty parameter list"),
    (lambda W: SGD([Tensor(np.ones(2))], lr=0.1), "requires_grad=True"),
    (lambda W: SGD([W], lr=0), "lr > 0"),
    (lambda W: SGD([W], lr=0.1, nesterov=True), "nesterov=True needs momentum"),
    (lambda W: SGD([{"params": [W], "momentun": 0.9}], lr=0.1), "unknown settings"),
    (lambda W: Adam([W], betas=(0.9, 1.0)), "betas"),
])
def test_bad_settings_are_refused(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make(Tensor(np.ones(2), requires_grad=True))


def test_a_gradient_of_the_wrong_shape_is_reported():
    W = Tensor(np.ones(3), requires_grad=True, name="W")
    W.grad = Tensor(np.ones(2))
    with pytest.raises(ValueError, match=r"W has shape \(3,\) but its grad has \(2,\)"):
        SGD([W], lr=0.1).step()


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.5), lambda ps: Adam(ps, lr=0.5)])
def test_a_step_that_fails_changes_no_parameter(make):
    """A wrong gradient found at the second parameter: the first is not updated either, so the
    step is all or nothing (nothing half-written)."""
    a = Tensor(np.ones(2), requires_grad=True, name="a")
    b = Tensor(np.ones(3), requires_grad=True, name="b")
    a.grad, b.grad = Tensor(np.ones(2)), Tensor(np.ones(2))
    with pytest.raises(ValueError, match="b has shape"):
        make([a, b]).step()
    np.testing.assert_array_equal(a.data, [1.0, 1.0])


@pytest.mark.parametrize("lr", [0.1, 3, np.float64(0.1), np.float32(0.1)])
def test_plain_sgd_gives_numpys_bits_for_every_kind_of_learning_rate(lr):
    """p − lr·g in float32, exactly as numpy computes it: a Python number is converted to the
    parameter's dtype (SGD uses a 0-d array of that dtype, which is faster), a numpy float64
    makes numpy compute in float64 before the result is written back into float32."""
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal(50).astype(np.float32)
    g = rng.standard_normal(50).astype(np.float32)
    W = Tensor(p0.copy(), requires_grad=True)
    W.grad = Tensor(g)
    SGD([W], lr=lr).step()
    want = p0.copy()
    want -= (g * lr).astype(np.float32)
    assert W.data.dtype == np.float32 and W.data.tobytes() == want.tobytes()


@pytest.mark.parametrize("p_dtype, g_dtype", [(np.float32, np.float64), (np.float64, np.float32)])
def test_plain_sgd_multiplies_in_the_gradients_dtype_as_numpy_does(p_dtype, g_dtype):
    """A gradient of another dtype than its parameter (W.grad = Tensor(list) is float64): lr·g is
    computed in g's dtype, as g * lr, and only then written in the parameter's."""
    rng = np.random.default_rng(1)
    p0, g = rng.standard_normal(64).astype(p_dtype), rng.standard_normal(64).astype(g_dtype)
    W = Tensor(p0.copy(), requires_grad=True)
    W.grad = Tensor(g)
    SGD([W], lr=0.3).step()
    want = p0.copy()
    want -= (g * 0.3).astype(p_dtype)
    assert W.data.tobytes() == want.tobytes()
