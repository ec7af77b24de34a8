"""Tests of tinygrad_edu.nn: init schemes, Module's parameters and state_dict, save/load and their
errors, Linear in both layouts, Sequential, activations, and the module tags graphs group by."""

import numpy as np
import pytest

from tinygrad_edu import Tape, Tensor
from tinygrad_edu import presets as P
from tinygrad_edu.nn import (
    Linear,
    Module,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    init_bias,
    init_weight,
)


def mlp(seed=0, layout="rows"):
    return Sequential(Linear(4, 3, seed=seed, layout=layout), ReLU(),
                      Linear(3, 2, seed=seed + 1, layout=layout))


@pytest.mark.parametrize("scheme, std", [
    ("nielsen", 1.0), ("improved", 1 / np.sqrt(400)), ("xavier", np.sqrt(2 / 500)),
    ("he", np.sqrt(2 / 400)), ("dlfs", 0.01),
])
def test_init_schemes_have_their_sources_spread(scheme, std):
    W = init_weight(scheme, 400, 100, np.random.default_rng(0))
    assert W.shape == (400, 100)
    assert abs(W.mean()) < 0.05 * std
    assert W.std() == pytest.approx(std, rel=0.02)


def test_init_bias_is_gaussian_only_for_nielsen_schemes():
    rng = np.random.default_rng(0)
    assert init_bias("nielsen", 1000, rng).std() == pytest.approx(1, rel=0.1)
    assert not init_bias("he", 5, rng).any()


def test_unknown_init_scheme_names_the_choices():
    with pytest.raises(ValueError, match="unknown scheme 'glorot'.*xavier"):
        init_weight("glorot", 3, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown scheme"):
        Linear(3, 2, init="glorot")


def test_linear_computes_the_affine_map_in_both_layouts():
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    rows = Linear(4, 3, seed=0)
    assert rows.W.shape == (4, 3) and rows.b.shape == (3,) and rows.W.dtype == np.float32
    np.testing.assert_allclose(rows(Tensor(x)).numpy(), x @ rows.W.data + rows.b.data,
                               rtol=1e-6)
    cols = Linear(4, 3, seed=0, layout="columns", init="nielsen")
    assert cols.W.shape == (3, 4) and cols.b.shape == (3, 1)
    np.testing.assert_allclose(cols(Tensor(x.T)).numpy(), cols.W.data @ x.T + cols.b.data,
                               rtol=1e-6)
    with pytest.raises(ValueError, match="layout"):
        Linear(4, 3, layout="cols")


def test_same_seed_same_weights():
    assert np.array_equal(Linear(4, 3, seed=7).W.data, Linear(4, 3, seed=7).W.data)
    assert not np.array_equal(Linear(4, 3, seed=7).W.data, Linear(4, 3, seed=8).W.data)


def test_parameters_are_named_by_position_and_attribute():
    net = mlp()
    assert [k for k, _ in net.named_parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    assert [p.name for p in net.parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    assert all(p.requires_grad for p in net.parameters())

    class Net(Module):
        def __init__(self):
            self.fc1 = Linear(4, 3, seed=0)
            self.body = Sequential(Sigmoid(), Linear(3, 2, seed=1))
            self.scale = Tensor(2.0)  # a constant, not a parameter

        def forward(self, x):
            return self.body(self.fc1(x)) * self.scale

    assert list(Net().state_dict()) == ["fc1.W", "fc1.b", "body.1.W", "body.1.b"]


def test_module_calls_tag_the_tensors_they_record():
    class Net(Module):
        def __init__(self):
            self.fc1 = Linear(4, 3, seed=0)
            self.act = Tanh()

        def forward(self, x):
            return self.act(self.fc1(x)).sum()

    net = Sequential(Net(), Linear(1, 1, seed=1))
    x = Tensor(np.ones((2, 4), np.float32))
    with Tape() as tape:
        out = net[1](net[0](x).reshape(1, 1))
    tags = [(t._node.op.name, getattr(t, "module", None)) for t in tape]
    assert tags == [
        ("matmul", "0.Net/fc1.Linear"), ("add", "0.Net/fc1.Linear"),
        ("tanh", "0.Net/act.Tanh"), ("sum", "0.Net"),
        ("reshape", None),  # recorded outside any module call
        ("matmul", "1.Linear"), ("add", "1.Linear"),
    ]
    assert out.module == "1.Linear"
    assert Linear(2, 2, seed=0)(Tensor(np.ones((1, 2), np.float32))).module == "Linear"


def test_backward_through_a_sequential_matches_numpy():
    net = mlp()
    x = np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32)
    net(Tensor(x)).sum().backward()
    W1, b1, W2 = net[0].W.data, net[0].b.data, net[2].W.data
    z1 = x @ W1 + b1
    delta1 = (np.ones((5, 2)) @ W2.T) * (z1 > 0)
    np.testing.assert_allclose(net[0].W.grad.numpy(), x.T @ delta1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(net[0].b.grad.numpy(), delta1.sum(0), rtol=1e-5, atol=1e-6)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_a_sequential_in_columns_is_the_nielsen_preset():
    preset = P.get("nielsen")
    params = preset.init_params(seed=3, dtype=np.float32)
    net = Sequential(Linear(784, 30, layout="columns"), Sigmoid(),
                     Linear(30, 10, layout="columns"), Sigmoid())
    net.load_state_dict({"0.W": params["W2"], "0.b": params["b2"],
                         "2.W": params["W3"], "2.b": params["b3"]})
    x = np.random.default_rng(0).random((784, 7)).astype(np.float32)
    expected = preset.output(preset.tensors(params), Tensor(x)).numpy()
    np.testing.assert_allclose(net(Tensor(x)).numpy(), expected, rtol=1e-6)


def test_state_dict_is_a_copy_and_round_trips():
    net, other = mlp(seed=0), mlp(seed=10)
    state = net.state_dict()
    state["0.W"][...] = 0  # changing the copy leaves the network alone
    assert net[0].W.data.any()
    other.load_state_dict(net.state_dict())
    x = Tensor(np.ones((2, 4), np.float32))
    np.testing.assert_array_equal(other(x).numpy(), net(x).numpy())
    assert other[0].W.data is not net[0].W.data


def test_load_state_dict_keeps_the_parameters_dtype_and_bumps_the_version():
    net = mlp()
    v = net[0].W._version
    net.load_state_dict({k: v.astype(np.float64) for k, v in net.state_dict().items()})
    assert net[0].W.dtype == np.float32 and net[0].W._version == v + 1


def test_save_and_load_round_trip(tmp_path):
    net, other = mlp(seed=0), mlp(seed=5)
    net.save(tmp_path / "net.npz")
    assert other.load(tmp_path / "net.npz") is other
    for (k, a), (k2, b) in zip(net.named_parameters(), other.named_parameters()):
        assert k == k2 and np.array_equal(a.data, b.data)


def test_load_names_missing_and_unexpected_keys(tmp_path):
    net = mlp()
    state = net.state_dict()
    del state["2.b"]
    with pytest.raises(KeyError, match=r"missing from the state: \['2.b'\]"):
        net.load_state_dict(state)
    state = {**net.state_dict(), "4.W": np.zeros(3)}
    with pytest.raises(KeyError, match=r"unexpected in the state: \['4.W'\]"):
        net.load_state_dict(state)


def test_load_names_the_key_and_both_shapes_and_changes_nothing(tmp_path):
    big = Sequential(Linear(4, 5, seed=0), ReLU(), Linear(5, 2, seed=1))
    big.save(tmp_path / "big.npz")
    net = mlp()
    before = net.state_dict()
    with pytest.raises(ValueError, match=r"0.W has shape \(4, 3\) .* but \(4, 5\) in the state"):
        net.load(tmp_path / "big.npz")
    for k, v in net.state_dict().items():
        assert np.array_equal(v, before[k])


def test_sequential_rejects_what_is_not_a_module():
    with pytest.raises(TypeError, match="item 1 is a function"):
        Sequential(Linear(2, 2), lambda x: x)


def test_activation_modules():
    z = Tensor(np.array([-2.0, 0.0, 3.0]))
    np.testing.assert_allclose(Sigmoid()(z).numpy(), 1 / (1 + np.exp(-z.numpy())))
    np.testing.assert_allclose(ReLU()(z).numpy(), [0, 0, 3])
    np.testing.assert_allclose(Tanh()(z).numpy(), np.tanh(z.numpy()))


def test_repr_shows_the_layers():
    text = repr(mlp())
    assert "(0): Linear(4, 3, init='xavier', layout='rows')" in text and "(1): ReLU()" in text


def test_a_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="must define forward"):
        Module()(Tensor(1.0))
