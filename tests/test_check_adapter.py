"""check.Adapter on small programs written in the learners' styles: paths in their words and the
errors when one does not resolve, every layout's conversions, gradients from a hook or taken from
an in-place update (checked against central differences), and the epoch loop's mini-batches."""

import random

import numpy as np
import pytest

from tinygrad_edu.check import Adapter, Learner


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def data(m=5, n_in=6, n_out=3, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_out, m)
    return rng.random((m, n_in)), np.eye(n_out)[labels], labels


def numerical(learner, cost, eps=1e-6):
    """{name: central-difference gradient of cost()} over the learner's params."""
    grads = {}
    for p in learner.params:
        base = p.get().astype(np.float64).copy()
        g = np.zeros_like(base)
        for i in np.ndindex(base.shape):
            for sign in (1, -1):
                moved = base.copy()
                moved[i] += sign * eps
                p.set(moved)
                g[i] += sign * cost() / (2 * eps)
        p.set(base)
        grads[p.name] = g
    return grads


def assert_close(got, expected):
    assert sorted(got) == sorted(expected)
    for k in expected:
        assert got[k].shape == expected[k].shape, k
        np.testing.assert_allclose(got[k], expected[k], rtol=1e-5, atol=1e-8, err_msg=k)


# ----- a 3Blue1Brown-style class: W[i], B[i], activations kept in self.layer ----------------------

class Neural_Network:
    def __init__(self, sizes=(6, 5, 4, 3)):
        rng = np.random.default_rng(1)
        self.layer = [np.zeros(n) for n in sizes]
        self.W = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
        self.B = [rng.normal(size=o) for o in sizes[1:]]

    def y(self, label):
        a = np.zeros_like(self.layer[-1])
        a[label] = 1
        return a

    def feedforward(self, x):
        self.layer[0] = x
        for i in range(len(self.W)):
            self.layer[i + 1] = sigmoid(self.W[i] @ self.layer[i] + self.B[i])

    def gradient_step(self, mini_batch, eta):
        gw = [np.zeros_like(w) for w in self.W]
        gb = [np.zeros_like(b) for b in self.B]
        for image, label in mini_batch:
            self.feedforward(image)
            ga = 2 * (self.layer[-1] - self.y(label))
            for i in reversed(range(len(self.W))):
                d = self.layer[i + 1] * (1 - self.layer[i + 1]) * ga
                gw[i] += np.outer(d, self.layer[i])
                gb[i] += d
                ga = self.W[i].T @ d
        self.W = [w - eta * g / len(mini_batch) for w, g in zip(self.W, gw)]  # rebinds the list
        self.B = [b - eta * g / len(mini_batch) for b, g in zip(self.B, gb)]

    def test(self, test_data):
        hits = 0
        for x, label in test_data:
            self.feedforward(x)
            hits += int(np.argmax(self.layer[-1]) == label)
        return hits / len(test_data) * 100

    def train(self, training_data, epochs, eta):
        mb_size = 4
        for _ in range(epochs):
            # the seed's slip: k steps by 1, so the batches overlap and most examples go unused
            mini_batches = [training_data[k:k + mb_size]
                            for k in range(len(training_data) // mb_size)]
            for mini_batch in mini_batches:
                self.gradient_step(mini_batch, eta)


def threeb1b_adapter(net):
    return Adapter(net, params=[f"self.{k}[{i}]" for i in range(3) for k in "WB"],
                   layout="vector", targets="labels",
                   forward=lambda x: (net.feedforward(x), net.layer[3])[1],
                   update_batch="self.gradient_step", evaluate="self.test",
                   epoch=lambda pairs: net.train(pairs, 1, 0.5), cost="squared_error")


def test_paths_resolve_in_the_learners_words_by_layer_and_role():
    learner = threeb1b_adapter(Neural_Network()).learner()
    assert isinstance(learner, Learner) and learner.layout == "columns"
    assert [(p.name, p.layer, p.role) for p in learner.params] == [
        ("self.W[0]", 1, "W"), ("self.B[0]", 1, "b"), ("self.W[1]", 2, "W"),
        ("self.B[1]", 2, "b"), ("self.W[2]", 3, "W"), ("self.B[2]", 3, "b")]
    assert learner.name == "Neural_Network in test_check_adapter.py"
    assert learner.cost == "squared_error"


def test_params_are_read_afresh_after_the_learner_rebinds_its_lists():
    net = Neural_Network()
    learner = threeb1b_adapter(net).learner()
    X, Y, labels = data()
    learner.step(X, Y, 0.5)  # gradient_step assigns new lists to self.W and self.B
    np.testing.assert_array_equal(learner.param("self.W[2]").get(), net.W[2])
    learner.param("self.B[1]").set(np.full(4, 7.0))
    np.testing.assert_array_equal(net.B[1], np.full(4, 7.0))


@pytest.mark.parametrize("path, words", [
    ("self.W[3]", "Neural_Network has W[0..2]"),
    ("self.wih", "Neural_Network has no attribute 'wih'; it has layer, W, B"),
    ("self.W[i]", "write a path such as self.W[0]"),
    ("self.layer", "is a list, not an array of numbers; name one array, e.g. 'self.layer[0]'"),
    ("self.W[0][0][0][0]", "is a float64, which cannot be indexed"),
])
def test_a_path_that_does_not_resolve_says_what_exists(path, words):
    with pytest.raises(ValueError, match="adapter: ") as e:
        Adapter(Neural_Network(), params=[path]).learner()
    assert words in str(e.value) and repr(path) in str(e.value)


def test_a_dict_the_script_part_fills_says_where_it_is_filled(tmp_path):
    """`parameters = {}` then a module-level `for` loop filling it: the loader skips the loop
    (script part), so the adapter finds the dict empty, and says which line fills it and why
    that line did not run, not only that the key is missing."""
    from tinygrad_edu.check.source import load

    path = tmp_path / "net.py"
    path.write_text("import numpy as np\n\nsizes = [4, 3, 2]\nparameters = {}\n"
                    "for l in range(1, len(sizes)):\n"
                    "    parameters['W' + str(l)] = np.random.randn(sizes[l], sizes[l - 1])\n"
                    "    parameters['b' + str(l)] = np.zeros((sizes[l], 1))\n")
    module = load(path)
    with pytest.raises(ValueError) as e:
        Adapter(module, params=["parameters['W1']"]).learner()
    assert "parameters is empty: it has no 'W1'; it is filled at net.py:5, in your script " \
        "part" in str(e.value), str(e.value)


def test_dict_keys_and_bad_settings_are_named():
    with pytest.raises(ValueError, match=r"params has keys 'W1', 'b1', not 'W3'"):
        Adapter({"params": {"W1": np.ones((2, 3)), "b1": np.ones(3)}},
                params=["params['W3']"]).learner()
    with pytest.raises(ValueError, match="layout='col'.*'rows'"):
        Adapter(Neural_Network(), params=["self.W[0]"], layout="col")
    with pytest.raises(ValueError, match="targets="):
        Adapter(Neural_Network(), params=["self.W[0]"], targets="digits")
    # a misspelt cost was an IndexError from deep in the oracle, in the forward check
    with pytest.raises(ValueError, match="cost='softmax_cross_entropy'; use one of 'quadratic'"):
        Adapter(Neural_Network(), params=["self.W[0]"], cost="softmax_cross_entropy")
    with pytest.raises(ValueError, match="activation='ReLU'"):
        Adapter(Neural_Network(), params=["self.W[0]"], activation="ReLU")
    with pytest.raises(ValueError, match="update_batch is for per-example layouts"):
        Adapter(Neural_Network(), params=["self.W[0]"], update_batch=print)
    with pytest.raises(ValueError, match=r"bias 'self.B\[0\]' has 5 entries.*W\[0\] → 6.*layout"):
        Adapter(Neural_Network(), params=["self.W[0]", "self.B[0]"], layout="rows").learner()
    with pytest.raises(ValueError, match="forward= is a int"):
        Adapter(Neural_Network(), params=["self.W[0]"], forward=3).learner()


def test_forward_returning_nothing_and_per_example_outputs_become_rows():
    net = Neural_Network()
    learner = threeb1b_adapter(net).learner()
    X, Y, labels = data()
    out = learner.forward(X)
    assert out.shape == (5, 3)
    net.feedforward(X[4])
    np.testing.assert_allclose(out[4], net.layer[3])
    silent = Adapter(net, params=["self.W[0]"], layout="vector", forward="self.feedforward")
    assert silent.learner().forward(X) is None  # returns None: the forward check says so


def test_gradients_taken_from_a_mini_batch_update_match_central_differences():
    net = Neural_Network()
    learner = threeb1b_adapter(net).learner()
    X, Y, labels = data()
    before = learner.snapshot()
    got = learner.grads(X, Y)
    assert {k: v.tobytes() for k, v in learner.snapshot().items()} == \
        {k: v.tobytes() for k, v in before.items()}  # the update was undone

    def cost():  # Σ(a − y)² averaged over the batch: what gradient_step's step follows
        total = 0.0
        for x, label in zip(X, labels):
            net.feedforward(x)
            total += np.sum((net.layer[3] - net.y(label)) ** 2)
        return total / len(X)
    assert_close(got, numerical(learner, cost))
    assert learner.grads_reduction is None and learner.where["backprop"].function == \
        "Neural_Network.gradient_step"


def test_evaluate_gets_pairs_of_example_and_label():
    learner = threeb1b_adapter(Neural_Network()).learner()
    X, Y, labels = data(m=8)
    net_score = learner.evaluate(X, labels)
    outs = learner.forward(X)
    assert net_score == pytest.approx(np.mean(outs.argmax(axis=1) == labels) * 100)


def test_the_epoch_loop_is_recorded_batch_by_batch_without_updating():
    net = Neural_Network()
    learner = threeb1b_adapter(net).learner()
    before = learner.snapshot()
    batches = learner.batches(20)
    assert batches == [list(range(k, k + 4)) for k in range(5)]  # overlapping, 8 of 20 used
    assert all(np.array_equal(before[k], v) for k, v in learner.snapshot().items())
    assert "gradient_step" not in vars(net)  # the recorder is gone again
    assert learner.batches(70000)[-1] == list(range(17499, 17503))  # three base-256 digits


# ----- seed 003's shape: forward stores z's, backward() updates in place and returns nothing ------

def Sigmoid(x, diff=False):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s) if diff else s


class Net:
    def __init__(self):
        rng = np.random.default_rng(2)
        self.W1, self.b1 = rng.normal(size=(5, 6)), rng.normal(size=(5, 1))
        self.W2, self.b2 = rng.normal(size=(3, 5)), rng.normal(size=(3, 1))
        self.alpha = 0.01

    def forward(self, X, y, activate):
        self.X = X
        self.z1 = self.W1 @ X + self.b1
        self.a1 = activate(self.z1)
        self.z2 = self.W2 @ self.a1 + self.b2
        self.y_hat = activate(self.z2)
        return (np.square(self.y_hat - y) * 0.5).sum(), self.y_hat

    def backward(self, y, activate):
        delta2 = activate(self.z2, True) * (self.y_hat - y)
        delta1 = activate(self.z1, True) * (self.W2.T @ delta2)
        self.W2 -= self.alpha * delta2 @ self.a1.T
        self.W1 -= self.alpha * delta1 @ self.X.T
        self.b2 -= self.alpha * delta2
        self.b1 -= self.alpha * delta1

    def setLearnrate(self, lr):
        self.alpha = lr


def seed003_adapter(net):
    def update(x, y, lr):
        net.setLearnrate(lr)
        net.forward(x, y, Sigmoid)
        net.backward(y, Sigmoid)
    return Adapter(net, params=["self.W1", "self.b1", "self.W2", "self.b2"], layout="column",
                   forward=lambda x: net.forward(x, np.zeros((3, 1)), Sigmoid)[1],
                   update=update, lr=0.01, cost="quadratic", activation="sigmoid")


def test_gradients_from_an_in_place_update_that_returns_nothing():
    net = Net()
    learner = seed003_adapter(net).learner()
    X, Y, labels = data()
    W1 = net.W1
    got = learner.grads(X, Y)
    assert net.W1 is W1 and net.alpha == 1.0  # restored in place; η = 1 for an exact difference

    def cost():  # ½‖a − y‖² summed over the examples: one online update per example
        return sum(net.forward(x[:, None], y[:, None], Sigmoid)[0] for x, y in zip(X, Y))
    assert_close(got, numerical(learner, cost))
    assert learner.grads_reduction == "sum" and learner.batch_size == 1
    assert learner.where["backprop"].function == "Net.backward"  # not the adapter's own glue
    assert learner.where["forward"].function == "Net.forward"


def test_step_runs_one_online_update_per_example():
    net = Net()
    learner = seed003_adapter(net).learner()
    X, Y, labels = data(m=1)
    W2 = net.W2.copy()
    g = learner.grads(X, Y)["self.W2"]
    learner.step(X, Y, 0.1)
    np.testing.assert_allclose(net.W2, W2 - 0.1 * g)
    assert learner.forward(X).shape == (1, 3)


# ----- the functional style: W1, b1, W2, b2 from init_params(), examples in columns ---------------

def init_params():
    rng = np.random.default_rng(3)
    return rng.normal(size=(5, 6)), rng.normal(size=(5, 1)), rng.normal(size=(3, 5)), \
        rng.normal(size=(3, 1))


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0)
    Z2 = W2 @ A1 + b2
    A2 = np.exp(Z2) / np.exp(Z2).sum(axis=0)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.size
    dZ2 = A2 - np.eye(3)[Y].T
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = W2.T @ dZ2 * (Z1 > 0)
    return dZ1 @ X.T / m, np.sum(dZ1, axis=1, keepdims=True) / m, dW2, db2


def test_functional_style_gradients_returned_as_a_tuple_in_the_order_of_params():
    p = dict(zip(["W1", "b1", "W2", "b2"], init_params()))
    learner = Adapter(p, params=["W1", "b1", "W2", "b2"], layout="columns", targets="labels",
                      forward=lambda x: forward_prop(*p.values(), x)[3],
                      grads=lambda x, y: backward_prop(*forward_prop(*p.values(), x), p["W1"],
                                                       p["W2"], x, y)).learner()
    X, Y, labels = data()
    assert learner.forward(X).shape == (5, 3)

    def cost():
        A2 = forward_prop(*p.values(), X.T)[3]
        return -np.log(A2[labels, np.arange(5)]).mean()
    assert_close(learner.grads(X, Y), numerical(learner, cost))
    assert learner.where["forward"].function == "forward_prop"


# ----- deeplearning.ai: parameters['W1'], caches, grads['dW1'] ------------------------------------

def L_model_forward(X, parameters):
    A, caches = X, []
    for l in (1, 2):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        caches.append((A, Z))
        A = np.tanh(Z) if l == 1 else sigmoid(Z)
    return A, caches


def L_model_backward(AL, Y, parameters, caches):
    grads, m = {}, Y.shape[1]
    dZ = AL - Y  # sigmoid with cross-entropy
    for l in (2, 1):
        A_prev, Z = caches[l - 1]
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        if l == 2:
            dZ = (parameters["W2"].T @ dZ) * (1 - np.tanh(caches[0][1]) ** 2)
    return grads


def test_dict_of_parameters_with_grads_keyed_dW():
    rng = np.random.default_rng(4)
    parameters = {"W1": rng.normal(size=(5, 6)), "b1": np.zeros((5, 1)),
                  "W2": rng.normal(size=(3, 5)), "b2": np.zeros((3, 1))}

    def grads(x, y):
        AL, caches = L_model_forward(x, parameters)
        return L_model_backward(AL, y, parameters, caches)
    names = [f"parameters['{k}{l}']" for l in (1, 2) for k in "Wb"]
    learner = Adapter({"parameters": parameters}, params=names, layout="columns",
                      forward=lambda x: L_model_forward(x, parameters)[0], grads=grads).learner()
    X, Y, labels = data()
    got = learner.grads(X, Y)
    assert sorted(got) == sorted(names)

    def cost():
        AL = L_model_forward(X.T, parameters)[0]
        return -np.mean(np.sum(Y.T * np.log(AL) + (1 - Y.T) * np.log(1 - AL), axis=0))
    assert_close(got, numerical(learner, cost))


# ----- NNFS layer objects: dense.weights, dense.dweights, rows ------------------------------------

class Layer_Dense:
    def __init__(self, n_in, n_out, seed):
        self.weights = 0.5 * np.random.default_rng(seed).normal(size=(n_in, n_out))
        self.biases = np.zeros((1, n_out))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = inputs @ self.weights + self.biases

    def backward(self, dvalues):
        self.dweights = self.inputs.T @ dvalues
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = dvalues @ self.weights.T


def test_layer_objects_share_their_arrays_and_give_dweights():
    dense1, dense2 = Layer_Dense(6, 5, 5), Layer_Dense(5, 3, 6)
    kept = dense1.weights

    def forward(x):
        dense1.forward(x)
        dense2.forward(np.maximum(dense1.output, 0))
        return dense2.output

    def grads(x, y):
        out = forward(x)
        e = np.exp(out - out.max(axis=1, keepdims=True))
        dense2.backward((e / e.sum(axis=1, keepdims=True) - y) / len(x))
        dense1.backward(dense2.dinputs * (dense1.output > 0))
        return [dense1.dweights, dense1.dbiases, dense2.dweights, dense2.dbiases]
    learner = Adapter({"dense1": dense1, "dense2": dense2}, layout="rows", forward=forward,
                      grads=grads, params=["dense1.weights", "dense1.biases", "dense2.weights",
                                           "dense2.biases"]).learner()
    assert [(p.layer, p.role) for p in learner.params] == [(1, "W"), (1, "b"), (2, "W"), (2, "b")]
    X, Y, labels = data()

    def cost():
        out = forward(X)
        log_p = out - out.max(axis=1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
        return -log_p[np.arange(5), labels].mean()
    assert_close(learner.grads(X, Y), numerical(learner, cost))
    learner.param("dense1.weights").set(np.ones((6, 5)))
    assert dense1.weights is kept and kept.sum() == 30  # written in place, not rebound


# ----- Nielsen's per-example backprop: (nabla_b, nabla_w), a shuffled epoch -----------------------

class Network:
    def __init__(self, sizes):
        rng = np.random.default_rng(7)
        self.biases = [rng.normal(size=(y, 1)) for y in sizes[1:]]
        self.weights = [rng.normal(size=(y, x)) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta):
        for _ in range(epochs):
            random.shuffle(training_data)
            for k in range(0, len(training_data), mini_batch_size):
                self.update_mini_batch(training_data[k:k + mini_batch_size], eta)

    def update_mini_batch(self, mini_batch, eta):
        raise AssertionError("the recorder stands in for it during the epoch")

    def backprop(self, x, y):
        activations, zs, a = [x], [], x
        for b, w in zip(self.biases, self.weights):
            zs.append(w @ a + b)
            a = sigmoid(zs[-1])
            activations.append(a)
        delta = (a - y) * a * (1 - a)
        nabla_b, nabla_w = [delta, None], [delta @ activations[-2].T, None]
        nabla_b.reverse()
        nabla_w.reverse()
        s = sigmoid(zs[0])
        nabla_b[0] = (self.weights[1].T @ delta) * s * (1 - s)
        nabla_w[0] = nabla_b[0] @ activations[0].T
        return nabla_b, nabla_w


def test_nielsen_tuple_of_lists_and_a_shuffled_epoch_that_uses_every_example_once():
    net = Network([6, 5, 3])
    params = ["self.biases[0]", "self.biases[1]", "self.weights[0]", "self.weights[1]"]
    learner = Adapter(net, params=params, layout="column", forward="self.feedforward",
                      grads="self.backprop", epoch=lambda pairs: net.SGD(pairs, 1, 3, 3.0),
                      epoch_calls="self.update_mini_batch").learner()
    assert [p.name for p in learner.params] == [params[2], params[0], params[3], params[1]]
    X, Y, labels = data()
    got = learner.grads(X, Y)
    assert learner.grads_reduction == "sum"

    def cost():
        return sum(0.5 * np.sum((net.feedforward(x[:, None]) - y[:, None]) ** 2)
                   for x, y in zip(X, Y))
    assert_close(got, numerical(learner, cost))
    random.seed(0)
    batches = learner.batches(11)
    assert sorted(i for b in batches for i in b) == list(range(11))
    assert [len(b) for b in batches] == [3, 3, 3, 2] and batches[0] != [0, 1, 2]
    assert learner.where["epoch"].function == "Network.SGD"
    assert learner.where["backprop"].line == Network.backprop.__code__.co_firstlineno


def test_grads_of_the_wrong_count_and_an_epoch_without_its_update_are_named():
    net = Network([6, 5, 3])
    learner = Adapter(net, params=["self.weights[0]", "self.weights[1]"], layout="column",
                      grads=lambda x, y: net.backprop(x, y)).learner()
    X, Y, labels = data()
    with pytest.raises(ValueError, match=r"grads returned 4 arrays for 2 parameters"):
        learner.grads(X, Y)
    with pytest.raises(ValueError, match="epoch_calls="):
        Adapter(net, params=["self.weights[0]"], layout="column",
                epoch=lambda pairs: None).learner()


def test_the_epoch_recorder_can_keep_running_a_function_whose_result_the_loop_needs():
    class Program:  # mini-batches made once, then a forward pass per batch (Coursera's loop)
        def __init__(self):
            self.W = np.ones((3, 6))
            self.calls = 0

        def forward(self, X):
            self.calls += 1
            return self.W @ X

        def model(self, X, Y):
            order = np.random.default_rng(0).permutation(X.shape[1])
            for k in range(0, X.shape[1], 4):
                out = self.forward(X[:, order[k:k + 4]])
                assert out.shape[0] == 3  # the loop uses the result
    program = Program()
    learner = Adapter(program, params=["W"], layout="columns", epoch=program.model,
                      epoch_calls="forward", epoch_keep=True).learner()
    batches = learner.batches(10)
    order = np.random.default_rng(0).permutation(10)
    assert batches == [list(order[:4]), list(order[4:8]), list(order[8:])]
    assert program.calls == 3 and "forward" not in vars(program)
    assert Adapter(program, params=["W"], layout="columns", epoch=program.model,
                   epoch_calls="forward").learner().batches is not None
    learner = Adapter(program, params=["W"], layout="columns", epoch=program.model,
                      epoch_calls="forward").learner()
    program.calls = 0  # the loop reads None.shape, the recorder's: run again, forward kept
    batches = learner.batches(10)
    assert batches == [list(order[:4]), list(order[4:8]), list(order[8:])] and batches.kept
    assert program.calls == 3


def test_seed003_gradients_taken_from_its_in_place_backward_pass_the_check():
    from pathlib import Path

    from tinygrad_edu.check import check_program

    def adapter(program):
        net = program.Net()

        def update(x, y, lr):
            net.setLearnrate(lr)
            net.forward(x, y, program.Sigmoid)
            net.backward(y, program.Sigmoid)
        return Adapter(net, params=["self.W1", "self.b1", "self.W2", "self.b2", "self.W3",
                                    "self.b3"], layout="column", update=update, lr=0.01)
    net_py = Path(__file__).resolve().parent / "learners" / "seed003" / "net.py"
    report = check_program(net_py, adapter=adapter, checks=("gradients",))
    (result,) = report.results
    assert result.status == "ok", str(report)
    assert result.where.startswith("Net.backward") and "all 6 parameters" in result.summary


def test_reduction_says_how_the_cost_reduces_so_a_missing_one_over_m_shows():
    """A backward pass that forgets to divide by the batch size gives gradients m× too large,
    which read as those of a summed cost unless the adapter says the cost is a mean."""
    W = {"W": np.ones((4, 3))}

    def grads(x, y):  # ∂/∂W of Σ_batch ½‖xW − y‖²: the sum, where the program's cost is a mean
        return {"W": x.T @ (x @ W["W"] - y)}

    assert Adapter(W, params=["W"], grads=grads).learner().grads_reduction is None  # inferred
    learner = Adapter(W, params=["W"], grads=grads, reduction="mean").learner()
    assert learner.grads_reduction == "mean"
    with pytest.raises(ValueError, match="reduction='average'; use 'mean'"):
        Adapter(W, params=["W"], reduction="average")
    with pytest.raises(ValueError, match="reduction is for batch layouts"):
        Adapter(W, params=["W"], layout="vector", reduction="mean")


@pytest.mark.parametrize("apart", [False, True])
def test_the_epoch_recorder_reads_the_labels_that_come_with_each_batch(apart):
    """X and Y shuffled with two permutations pair the images with other images' labels: the
    recorder reads the targets beside each batch, each example's label being its index % n_out."""
    class Program:
        def __init__(self):
            self.W = np.ones((3, 6))

        def update(self, X, Y, lr):
            pass

        def epoch(self, X, Y):
            rng = np.random.default_rng(0)
            p = rng.permutation(X.shape[1])
            q = rng.permutation(X.shape[1]) if apart else p
            X, Y = X[:, p], Y[:, q]
            for k in range(0, X.shape[1], 4):
                self.update(X[:, k:k + 4], Y[:, k:k + 4], 0.1)

    program = Program()
    learner = Adapter(program, params=["W"], layout="columns", update="self.update",
                      epoch="self.epoch").learner()
    batches = learner.batches(30)
    assert sorted(i for b in batches for i in b) == list(range(30))
    assert batches.checked == 30 and (batches.wrong > 15) == apart, (batches.wrong, apart)
    from types import SimpleNamespace

    from tinygrad_edu.check import minibatches

    result = minibatches.run(learner, SimpleNamespace(name="tiny", train=range(30)), None)
    assert ("pairs the examples with other examples' labels" in result.summary) == apart, \
        result.summary
