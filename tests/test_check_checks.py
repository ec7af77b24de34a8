"""The oracle and the whole-program checks on small learner-style programs written here: a Nielsen
class (columns, per-example backprop, column biases), a DLFS TwoLayerNet (rows, 1-D biases, softmax
cross-entropy averaged), a 3Blue1Brown-style class (activations kept in self.layer, 1-D vectors)
and a Rashid class (no biases, an in-place train()). Each planted bug must be flagged by the right
check, in the learner's names; each correct program must pass."""

import inspect
import random

import numpy as np
import pytest

from tinygrad_edu.check import (
    book,
    evaluation,
    forward,
    gradients,
    learning,
    minibatches,
    oracle,
    update,
)
from tinygrad_edu.check.learner import Data, Learner, Param, Sample, Where


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


# ----- the data: a small learnable problem -------------------------------------------------------

N_IN, N_OUT = 12, 5


def make_data(n_train=600, n_test=200, seed=0):
    rng = np.random.default_rng(seed)
    teacher = rng.standard_normal((N_IN, N_OUT))

    def sample(n):
        X = rng.random((n, N_IN))
        labels = np.argmax((X - 0.5) @ teacher, axis=1)
        return Sample(X, np.eye(N_OUT)[labels], labels)

    return Data("synthetic", sample(n_train), sample(n_test))


@pytest.fixture(scope="module")
def data():
    return make_data()


def where(fn):
    """Where(...) for one of the functions below."""
    return Where(fn.__qualname__, inspect.getsourcefile(fn), inspect.getsourcelines(fn)[1])


# ----- Nielsen's network.py shape: columns, per-example backprop, (n, 1) biases ------------------

class Network:
    def __init__(self, sizes, bug=None, seed=1):
        rng = np.random.default_rng(seed)
        self.num_layers, self.sizes, self.bug = len(sizes), sizes, bug
        self.biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]
        self.weights = [rng.standard_normal((y, x)) / np.sqrt(x)
                        for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        if self.bug != "no_return":
            return a

    def SGD(self, training_data, epochs, mini_batch_size, eta):
        n = len(training_data)
        for _ in range(epochs):
            random.shuffle(training_data)
            step = {"overlap": mini_batch_size // 2, "slide": 1}.get(self.bug, mini_batch_size)
            mini_batches = [training_data[k:k + mini_batch_size] for k in range(0, n, step)]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta)

    def update_mini_batch(self, mini_batch, eta):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        scale = eta if self.bug == "eta_not_divided" else eta / len(mini_batch)
        if self.bug == "eta_twice":
            scale *= eta
        sign = -1.0 if self.bug == "flipped_sign" else 1.0
        for i in range(len(self.weights)):
            self.weights[i] = self.weights[i] - sign * scale * nabla_w[i]
            if self.bug != "biases_frozen":
                self.biases[i] = self.biases[i] - sign * scale * nabla_b[i]
            if self.bug == "return_in_loop":
                return

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation, activations, zs = x, [x], []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        at = activations if self.bug == "sigma_prime_of_a" else [None] + zs
        delta = (activations[-1] - y) * sigmoid_prime(at[-1])
        if self.bug == "cross_entropy_delta":  # network2's δᴸ kept with the quadratic cost
            delta = activations[-1] - y
        if self.bug == "cost_sign":  # cost_derivative returning y − a
            delta = -delta
        if self.bug == "labels_not_one_hot":  # a − y with y the digit
            delta = (activations[-1] - np.argmax(y)) * sigmoid_prime(at[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        if self.bug == "transposed":
            nabla_w[-1] = np.dot(activations[-2], delta.transpose())
        for l in range(2, self.num_layers):
            wrong = self.bug == "wrong_layer_W" and l == 3  # W of this layer, not the next
            W = self.weights[-l] if wrong else self.weights[-l + 1]
            square = W.shape[0] == W.shape[1] and self.bug == "untransposed_W"
            delta = np.dot(W if square else W.transpose(), delta) * sigmoid_prime(at[-l])
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        test_results = [(np.argmax(self.feedforward(x)), y) for (x, y) in test_data]
        if self.bug == "self_compare":  # predictions == predictions
            return sum(int(x == x) for (x, y) in test_results)
        return sum(int(x == y) for (x, y) in test_results)


def nielsen_learner(net, lr=3.0, batch_size=10, cost="quadratic"):
    """What i8core's recognizer makes of a Nielsen Network (written out by hand here)."""
    L = len(net.weights)

    def param(lst, i, role, name):
        return Param(f"self.{name}[{i}]", lambda: getattr(net, lst)[i],
                     lambda a: getattr(net, lst).__setitem__(i, a), i + 1, role)

    params = [p for i in range(L) for p in (param("weights", i, "W", "weights"),
                                            param("biases", i, "b", "biases"))]

    def forward(X):
        outs = [net.feedforward(x.reshape(-1, 1)) for x in X]
        return None if any(o is None for o in outs) else np.hstack(outs).T

    def grads(X, Y):
        total = None
        for x, y in zip(X, Y):
            nb, nw = net.backprop(x.reshape(-1, 1), y.reshape(-1, 1))
            one = {**{f"self.weights[{i}]": nw[i] for i in range(L)},
                   **{f"self.biases[{i}]": nb[i] for i in range(L)}}
            total = one if total is None else {k: total[k] + one[k] for k in one}
        return total

    def step(X, Y, lr):
        net.update_mini_batch([(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(X, Y)], lr)

    def evaluate(X, labels):
        return net.evaluate([(x.reshape(-1, 1), int(t)) for x, t in zip(X, labels)])

    def batches(n):
        seen = []
        net.update_mini_batch = lambda mb, eta: seen.append([int(x[0, 0]) for x, _ in mb])
        try:
            net.SGD([(np.full((1, 1), i), None) for i in range(n)], 1, batch_size, 0.0)
        finally:
            del net.update_mini_batch
        return seen

    return Learner(f"Network {net.sizes}", params, "columns", forward, grads, "sum", step,
                   evaluate, "count", batches, lr, batch_size, cost, None,
                   where={"forward": where(Network.feedforward),
                          "backprop": where(Network.backprop),
                          "update": where(Network.update_mini_batch),
                          "epoch": where(Network.SGD), "evaluate": where(Network.evaluate)})


# ----- Deep Learning from Scratch's TwoLayerNet: rows, 1-D biases, softmax CE averaged -----------

def softmax(x):
    x = x - x.max(axis=-1, keepdims=True)
    return np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, bug=None, seed=2,
                 dtype=np.float64, tanh=False):
        rng = np.random.default_rng(seed)
        self.bug, self.act = bug, np.tanh if tanh else sigmoid
        self.params = {"W1": (0.5 * rng.standard_normal((input_size, hidden_size))).astype(dtype),
                       "b1": np.zeros(hidden_size, dtype),
                       "W2": (0.5 * rng.standard_normal((hidden_size, output_size))).astype(dtype),
                       "b2": np.zeros(output_size, dtype)}

    def predict(self, x):
        W1, W2, b1, b2 = (self.params[k] for k in ("W1", "W2", "b1", "b2"))
        return self.act(x @ W1 + b1) @ W2 + b2

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        return np.sum(y == np.argmax(t, axis=1)) / float(x.shape[0])

    def gradient(self, x, t):
        W1, W2, b1, b2 = (self.params[k] for k in ("W1", "W2", "b1", "b2"))
        batch_num = x.shape[0]
        a1 = self.act(x @ W1 + b1)
        y = softmax(a1 @ W2 + b2)
        dy = (y - t) if self.bug == "not_divided_by_m" else (y - t) / batch_num
        grads = {"W2": a1.T @ dy,
                 "b2": dy if self.bug == "bias_not_summed" else np.sum(dy, axis=0)}
        dz1 = (dy @ W2.T) * ((1.0 - a1 ** 2) if self.act is np.tanh else (1.0 - a1) * a1)
        grads["W1"] = x.T @ dz1
        grads["b1"] = np.sum(dz1, axis=0)
        return grads


def dlfs_learner(net, lr=0.5, batch_size=20):
    params = [Param(f"params['{k}']", lambda k=k: net.params[k],
                    lambda a, k=k: net.params.__setitem__(k, a), int(k[1]), k[0])
              for k in ("W1", "b1", "W2", "b2")]

    def grads(X, Y):
        x, t = X.astype(net.params["W1"].dtype), Y.astype(net.params["W1"].dtype)
        return {f"params['{k}']": v for k, v in net.gradient(x, t).items()}

    def step(X, Y, lr):
        g = net.gradient(X, Y)
        for k in ("W1", "b1", "W2", "b2"):
            net.params[k] -= lr * g[k]

    def batches(n):  # the book's loop: iters_num draws of batch_size, with replacement
        return [list(np.random.choice(n, batch_size)) for _ in range(max(n // batch_size, 1))]

    return Learner("TwoLayerNet", params, "rows", lambda X: net.predict(X), grads, "mean", step,
                   lambda X, labels: net.accuracy(X, np.eye(N_OUT)[labels]), "fraction",
                   batches, lr, batch_size, None, None,
                   where={"forward": where(TwoLayerNet.predict),
                          "backprop": where(TwoLayerNet.gradient),
                          "evaluate": where(TwoLayerNet.accuracy)})


# ----- a 3Blue1Brown-style class: activations kept in self.layer, 1-D vectors ------------------

class Neural_Network:
    def __init__(self, sizes, bug=None, mb_size=8, seed=3):
        rng = np.random.default_rng(seed)
        self.bug, self.mb_size, self.L = bug, mb_size, len(sizes) - 1
        self.layer = [np.zeros(n) for n in sizes]
        self.W = [rng.standard_normal((o, i)) * np.sqrt(2 / (i + o))
                  for i, o in zip(sizes[:-1], sizes[1:])]
        self.B = [np.zeros(o) for o in sizes[1:]]

    def y(self, label):
        a = np.zeros_like(self.layer[-1])
        a[label] = 1
        return a

    def feedforward(self, input):
        self.layer[0] = input
        for i in range(self.L):
            self.layer[i + 1] = sigmoid(self.W[i] @ self.layer[i] + self.B[i])

    def test(self, test_data):
        c = 0
        for image, label in test_data:
            if self.bug != "eval_cached":
                self.feedforward(image)
            if np.argmax(self.layer[-1]) == label:
                c += 1
        return c / len(test_data) * 100

    def train(self, training_data, epochs, eta):
        n, mb = len(training_data), self.mb_size
        for _ in range(epochs):
            starts = range(n // mb) if self.bug == "overlap" else range(0, n, mb)
            for mini_batch in [training_data[k:k + mb] for k in starts]:
                self.gradient_step(mini_batch, eta)

    def gradient_step(self, mini_batch, eta):
        self.gw = [np.zeros_like(w) for w in self.W]
        self.gb = [np.zeros_like(b) for b in self.B]
        for image, label in mini_batch:
            if self.bug != "stale":
                self.feedforward(image)
            ga = 2 * (self.layer[-1] - self.y(label))
            for i in range(self.L - 1, -1, -1):
                z = self.W[i] @ self.layer[i] + self.B[i]
                self.gw[i] += np.outer(sigmoid_prime(z) * ga, self.layer[i])
                self.gb[i] += sigmoid_prime(z) * ga
                ga = self.W[i].T @ (sigmoid_prime(z) * ga)
        self.gw = [g / len(mini_batch) for g in self.gw]
        self.gb = [g / len(mini_batch) for g in self.gb]
        self.W = [w - eta * g for w, g in zip(self.W, self.gw)]
        self.B = [b - eta * g for b, g in zip(self.B, self.gb)]


def threeb1b_learner(net, lr=1.0):
    L = net.L

    def param(lst, i, role):
        return Param(f"self.{lst}[{i}]", lambda: getattr(net, lst)[i],
                     lambda a: getattr(net, lst).__setitem__(i, a), i + 1, role)

    params = [p for i in range(L) for p in (param("W", i, "W"), param("B", i, "b"))]

    def forward(X):
        outs = []
        for x in X:
            net.feedforward(x)
            outs.append(net.layer[-1].copy())
        return np.array(outs)

    def grads(X, Y):
        W, B = list(net.W), list(net.B)
        net.gradient_step([(x, int(np.argmax(y))) for x, y in zip(X, Y)], 0.0)
        net.W, net.B = W, B
        return {**{f"self.W[{i}]": net.gw[i] for i in range(L)},
                **{f"self.B[{i}]": net.gb[i] for i in range(L)}}

    def step(X, Y, lr):
        net.gradient_step([(x, int(np.argmax(y))) for x, y in zip(X, Y)], lr)

    def batches(n):
        seen = []
        net.gradient_step = lambda mb, eta: seen.append([int(x) for x, _ in mb])
        try:
            net.train([(i, 0) for i in range(n)], 1, 0.0)
        finally:
            del net.gradient_step
        return seen

    return Learner("Neural_Network", params, "columns", forward, grads, "mean", step,
                   lambda X, labels: net.test(list(zip(X, labels))), "percent", batches, lr,
                   net.mb_size, "squared_error", "sigmoid",
                   where={"forward": where(Neural_Network.feedforward),
                          "backprop": where(Neural_Network.gradient_step),
                          "update": where(Neural_Network.gradient_step),
                          "epoch": where(Neural_Network.train),
                          "evaluate": where(Neural_Network.test)})


# ----- Rashid's "Make Your Own Neural Network": no biases, train() updates in place ------------

class neuralNetwork:
    def __init__(self, inputnodes, hiddennodes, outputnodes, learningrate, fixed=False, seed=4):
        rng = np.random.default_rng(seed)
        self.wih = rng.normal(0.0, inputnodes ** -0.5, (hiddennodes, inputnodes))
        self.who = rng.normal(0.0, hiddennodes ** -0.5, (outputnodes, hiddennodes))
        self.lr, self.fixed = learningrate, fixed

    def train(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        targets = np.array(targets_list, ndmin=2).T
        hidden_outputs = sigmoid(np.dot(self.wih, inputs))
        final_outputs = sigmoid(np.dot(self.who, hidden_outputs))
        output_errors = targets - final_outputs
        if self.fixed:
            hidden_errors = np.dot(self.who.T, output_errors * final_outputs * (1 - final_outputs))
        else:
            hidden_errors = np.dot(self.who.T, output_errors)
        self.who += self.lr * np.dot(output_errors * final_outputs * (1.0 - final_outputs),
                                     hidden_outputs.T)
        self.wih += self.lr * np.dot(hidden_errors * hidden_outputs * (1.0 - hidden_outputs),
                                     inputs.T)

    def query(self, inputs_list):
        inputs = np.array(inputs_list, ndmin=2).T
        return sigmoid(np.dot(self.who, sigmoid(np.dot(self.wih, inputs))))


def rashid_learner(net):
    params = [Param("self.wih", lambda: net.wih, lambda a: setattr(net, "wih", a), 1, "W"),
              Param("self.who", lambda: net.who, lambda a: setattr(net, "who", a), 2, "W")]

    def grads(X, Y):  # from the in-place update, as an adapter does: (before − after) / lr
        total = {"self.wih": 0.0, "self.who": 0.0}
        lr = net.lr
        for x, y in zip(X, Y):
            before = (net.wih.copy(), net.who.copy())
            net.lr = 1.0
            net.train(x, y)
            total["self.wih"] = total["self.wih"] + before[0] - net.wih
            total["self.who"] = total["self.who"] + before[1] - net.who
            net.wih, net.who = before
        net.lr = lr
        return total

    def step(X, Y, lr):
        net.lr = lr
        for x, y in zip(X, Y):
            net.train(x, y)

    return Learner("neuralNetwork", params, "columns",
                   lambda X: np.hstack([net.query(x) for x in X]).T, grads, "sum", step,
                   lr=0.3, batch_size=1,
                   where={"forward": where(neuralNetwork.query),
                          "backprop": where(neuralNetwork.train),
                          "update": where(neuralNetwork.train)})


# ----- the oracle --------------------------------------------------------------------------------

def test_oracle_lays_out_each_style(data):
    o = oracle.build(nielsen_learner(Network([N_IN, 9, N_OUT]), cost=None), data)
    assert [(L.orientation, L.bias) for L in o.layers] == [("Wa", "column")] * 2
    assert (o.activation, o.output_activation, o.cost, o.reduction) == \
        ("sigmoid", "sigmoid", "quadratic", "sum")
    o = oracle.build(dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT)), data)
    assert [(L.orientation, L.bias) for L in o.layers] == [("xW", "1-D")] * 2
    assert (o.activation, o.output_activation, o.cost, o.reduction) == \
        ("sigmoid", "identity", "cross_entropy", "mean")
    o = oracle.build(rashid_learner(neuralNetwork(N_IN, 9, N_OUT, 0.3, fixed=True)), data)
    assert [L.bias for L in o.layers] == ["none", "none"]
    assert (o.cost, o.reduction) == ("quadratic", "sum")


def test_oracle_infers_a_tanh_hidden_layer(data):
    learner = dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT, tanh=True))
    o = oracle.build(learner, data)
    assert (o.activation, o.output_activation, o.cost) == ("tanh", "identity", "cross_entropy")
    assert check(gradients, learner, data).status == "ok"


def test_oracle_gradients_equal_the_textbook_rule(data):
    for learner in (nielsen_learner(Network([N_IN, 9, 8, N_OUT])),
                    dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT)),
                    threeb1b_learner(Neural_Network([N_IN, 9, 8, N_OUT]))):
        o = oracle.build(learner, data)
        X, Y = data.train.X[:7], data.train.Y[:7]
        auto = o.gradients(X, Y)
        manual = book.textbook_grads(o, o.arrays(), X, Y)
        assert set(auto) == set(manual) == {p.name for p in learner.params}
        for name in auto:
            np.testing.assert_allclose(manual[name], auto[name], rtol=1e-10, atol=1e-14)


def test_oracle_says_how_close_when_no_cost_matches(data):
    o = oracle.build(dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT, bug="not_divided_by_m")), data)
    assert o.closest is not None and "7× it" in o.closest, o.closest


def test_oracle_rejects_weights_that_do_not_line_up(data):
    net = Network([N_IN, 9, N_OUT])
    net.weights[1] = np.zeros((N_OUT, 4))
    with pytest.raises(ValueError, match=r"self.weights\[1\] has shape \(5, 4\).*receives 9"):
        oracle.build(nielsen_learner(net), data)


# ----- forward -----------------------------------------------------------------------------------

def test_forward_passes_on_correct_programs(data):
    for learner in (nielsen_learner(Network([N_IN, 9, N_OUT])),
                    dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT)),
                    threeb1b_learner(Neural_Network([N_IN, 9, 8, N_OUT])),
                    rashid_learner(neuralNetwork(N_IN, 9, N_OUT, 0.3))):
        result = forward.run(learner, data, oracle.build(learner, data))
        assert result.status == "ok", result


def test_forward_names_the_missing_return(data):
    learner = nielsen_learner(Network([N_IN, 9, N_OUT], bug="no_return"))
    result = forward.run(learner, data, oracle.build(learner, data))
    assert result.status == "wrong"
    assert result.summary.startswith("Network.feedforward returns None: it computes a but never "
                                     "returns it (add `return a`)"), result.summary
    assert "test_check_checks.py:" in result.where


def test_forward_flags_a_network_that_is_not_its_weights(data):
    net = TwoLayerNet(N_IN, 9, N_OUT)
    learner = dlfs_learner(net)
    o = oracle.build(learner, data)
    learner.forward = lambda X: net.predict(X) * 1.5
    result = forward.run(learner, data, o)
    assert result.status == "wrong" and "differs from the network" in result.summary


# ----- gradients ---------------------------------------------------------------------------------

def test_gradients_pass_on_correct_programs(data):
    for learner in (nielsen_learner(Network([N_IN, 9, N_OUT])),
                    dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT)),
                    threeb1b_learner(Neural_Network([N_IN, 9, 8, N_OUT])),
                    rashid_learner(neuralNetwork(N_IN, 9, N_OUT, 0.3, fixed=True))):
        result = gradients.run(learner, data, oracle.build(learner, data))
        assert result.status == "ok", result
        assert result.report is not None and result.loss is not None


def test_gradients_of_float32_code_are_not_called_wrong(data):
    learner = dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT, dtype=np.float32))
    result = gradients.run(learner, data, oracle.build(learner, data))
    assert result.status == "ok", result


@pytest.mark.parametrize("bug, name, words", [
    ("sigma_prime_of_a", "self.weights[1]", ""),
    ("wrong_layer_W", "self.weights[1]", ""),
    ("transposed", "self.weights[2]", "transposed"),
])
def test_gradients_flag_planted_nielsen_bugs(data, bug, name, words):
    sizes = [N_IN, 9, 9, 9, N_OUT] if bug == "wrong_layer_W" else [N_IN, 9, 8, N_OUT]
    learner = nielsen_learner(Network(sizes, bug=bug), cost="quadratic")
    result = gradients.run(learner, data, oracle.build(learner, data))
    assert result.status == "wrong", result
    bad = [r.name for r in result.report.rows if r.ok is False]
    assert name in bad and words in result.summary + " ".join(result.details), result


def test_gradients_say_which_way_an_averaging_mistake_goes(data):
    learner = dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT, bug="not_divided_by_m"))
    learner.cost = "cross_entropy"
    result = gradients.run(learner, data, oracle.build(learner, data))
    assert result.status == "wrong"
    assert any("every gradient is m = 7 times too large: divide by the batch size" in d
               for d in result.details), result.details


def test_gradients_flag_a_bias_not_summed_over_the_batch(data):
    learner = dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT, bug="bias_not_summed"))
    result = gradients.run(learner, data, oracle.build(learner, data))
    assert result.status == "wrong"
    assert "params['b2']" in result.summary and "not summed over the batch" in result.summary


def test_gradients_say_where_entries_differ(data):
    learner = nielsen_learner(Network([N_IN, 9, 9, 9, N_OUT], bug="wrong_layer_W"))
    result = gradients.run(learner, data, oracle.build(learner, data))
    row = next(r for r in result.report.rows if r.ok is False)
    assert row.n_bad and row.size and row.worst_index is not None
    assert row.got_value != row.expected_value
    assert any(d.startswith("largest error: example") for d in result.details)


# ----- update ------------------------------------------------------------------------------------

def check(module, learner, data, **kw):
    return module.run(learner, data, oracle.build(learner, data), **kw)


def test_a_gradient_that_reads_what_no_forward_pass_stored_names_the_attribute(data):
    """DLFS's SoftmaxWithLoss.backward reads self.t, which only its forward pass sets: a
    gradient() that never runs the forward pass meets None there."""
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]))

    class Layer:
        t = None

        def backward(self, dout):
            return dout / self.t.shape[0]

    learner.grads = lambda X, Y: Layer().backward(1.0)
    result = check(gradients, learner, data)
    assert result.status == "error" and result.details[0].startswith(
        "self.t is None when backward runs: it is set by another method that has not run"), \
        result.details


def test_gradients_that_pile_up_from_call_to_call_are_named(data):
    """dW += ... into buffers nothing zeroes (no zero_grad()): each call returns the last
    call's gradients plus this batch's."""
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]))
    right, piled = learner.grads, {}

    def grads(X, Y):
        for n, g in right(X, Y).items():
            piled[n] = piled.get(n, 0) + g
        return {n: g.copy() for n, g in piled.items()}

    learner.grads = grads
    result = check(gradients, learner, data)
    assert result.status == "wrong" and result.summary.endswith(
        "adds each call's gradients to the last ones: they are never zeroed between steps"), \
        result.summary


def test_gradients_left_at_zero_are_not_taken_for_stale_activations(data):
    """A `return` inside backward's layer loop leaves the first layer's gradients at zero, the
    same zeros after a forward pass on other examples: not stale, never computed."""
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]))
    right = learner.grads

    def grads(X, Y):
        return {n: np.zeros_like(g) if n.endswith("[0]") else g for n, g in right(X, Y).items()}

    learner.grads = grads
    result = check(gradients, learner, data)
    assert result.status == "wrong" and "stale" not in result.summary, result.summary
    assert "self.weights[0]" in result.summary + " ".join(result.details), result


def test_gradients_scaled_by_the_learning_rate_are_named_so(data):
    """dz3 = lr * (out - Y) / m: every gradient exactly η× autograd's, which the ½ of a cost
    does not explain when η is 3."""
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]), lr=3.0)
    right = learner.grads
    learner.grads = lambda X, Y: {n: 3.0 * g for n, g in right(X, Y).items()}
    result = check(gradients, learner, data)
    assert result.status == "wrong"
    assert "and 3 is your η: is the learning rate applied in the gradients as well" in \
        result.details[0], result.details


def test_an_update_that_broadcasts_a_gradient_into_another_shape_says_so(data):
    """db summed over the wrong axis, (1, m) for a (9, 1) bias: b - lr * db broadcasts to
    (9, m), and every later forward pass trips over it. The update and learning checks name
    the parameter and its two shapes, not numpy's error somewhere later."""
    net = Network([N_IN, 9, N_OUT])
    learner = nielsen_learner(net)
    right = learner.step

    def step(X, Y, lr):
        right(X, Y, lr)
        net.biases[0] = net.biases[0] - np.zeros((1, len(X)))

    learner.step = step
    for module in (update, learning):
        result = check(module, learner, data)
        assert result.status == "wrong" and "changes the shape of self.biases[0] from (9, 1) " \
            "to (9, " in result.summary, result.summary


def test_update_passes_on_correct_programs_and_restores_the_parameters(data):
    for learner in (nielsen_learner(Network([N_IN, 9, N_OUT])),
                    dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT)),
                    threeb1b_learner(Neural_Network([N_IN, 9, 8, N_OUT]))):
        before = learner.snapshot()
        result = check(update, learner, data)
        assert result.status == "ok", result
        after = learner.snapshot()
        assert all(np.array_equal(before[n], after[n]) for n in before)


@pytest.mark.parametrize("bug, words", [
    ("eta_not_divided", "η is not divided by m"),
    ("flipped_sign", "the sign is flipped"),
    ("return_in_loop", "never updates self.weights[1], self.biases[1]: its loop returns in its "
                       "first pass (the `return` at test_check_checks.py:"),
    ("eta_twice", "the step is η·η·∇C, η = 3: the learning rate is applied twice"),
    ("biases_frozen", "never updates self.biases, in any layer (self.biases[0], "
                      "self.biases[1]), while self.weights move: is that update line missing"),
])
def test_update_flags_planted_nielsen_bugs(data, bug, words):
    result = check(update, nielsen_learner(Network([N_IN, 9, N_OUT], bug=bug)), data)
    assert result.status == "wrong" and words in result.summary, result
    assert result.where.startswith("Network.update_mini_batch (test_check_checks.py:")


def test_an_update_that_cannot_subtract_a_misshapen_gradient_names_it(data):
    """db summed over the wrong axis has the batch's size: with the checker's batch the step's
    `b -= lr * db` raises, and the finding says which gradient has which shape."""
    net = Network([N_IN, 9, N_OUT])
    learner = nielsen_learner(net)
    right = learner.grads

    def grads(X, Y):
        g = right(X, Y)
        g["self.biases[0]"] = np.ones(len(X))
        return g

    def step(X, Y, lr):
        net.biases[0] -= lr * grads(X, Y)["self.biases[0]"]  # (9, 1) -= (7,): numpy refuses

    learner.grads, learner.step = grads, step
    result = check(update, learner, data)
    assert result.status == "error"
    assert "your gradient of self.biases[0] has shape (7,) where self.biases[0] has (9, 1), " \
        "with a batch of 7 examples" in result.details[-1], result.details


def test_an_update_that_leaves_parameters_with_zero_gradients_where_they_are_is_right(data):
    """A `return` inside backward's loop leaves layer 1's gradients at zero: the update, which
    applies them as the rule says, is not the one to blame (the gradients check is)."""
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]))
    right = learner.grads

    def grads(X, Y):
        return {n: np.zeros_like(g) if n.endswith("[0]") else g for n, g in right(X, Y).items()}

    def step(X, Y, lr):
        g = grads(X, Y)
        for p in learner.params:
            p.set(p.get() - lr / len(X) * g[p.name])

    learner.grads, learner.step = grads, step
    result = check(update, learner, data)
    assert result.status == "ok" and "(those of self.weights[0], self.biases[0] are all zeros, " \
        "so they stay)" in result.summary, result.summary


def test_an_update_that_changes_nothing_names_both_causes(data):
    """The step writes into a local copy, or reads an η of 0 the checker did not give it."""
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]))
    learner.step = lambda X, Y, lr: None
    result = check(update, learner, data)
    assert result.status == "wrong" and result.summary.endswith("changed no parameter")
    assert result.details[0].startswith("the step must write the new arrays where the network")
    assert result.details[1].startswith("or the learning rate it reads is 0 (a global `alpha")


def test_update_given_a_learning_rate_of_zero_says_so(data):
    result = check(update, nielsen_learner(Network([N_IN, 9, N_OUT]), lr=0.0), data)
    assert result.status == "wrong" and "is given a learning rate of 0 by your program" in \
        result.summary, result.summary


def test_update_names_the_parameter_that_moves_otherwise(data):
    """One bias stepped with something besides its gradient (a momentum buffer shared with
    another layer): the finding names it, and the parameters that move right."""
    net = Network([N_IN, 9, N_OUT])
    learner = nielsen_learner(net)
    right = learner.step
    push = np.linspace(-1, 1, N_OUT).reshape(-1, 1) * 1e-3

    def step(X, Y, lr):
        right(X, Y, lr)
        net.biases[1] = net.biases[1] + push

    learner.step = step
    result = check(update, learner, data)
    assert result.status == "wrong"
    assert result.summary.startswith("Network.update_mini_batch: the change of "
                                     "self.biases[1] is not −η·∇C"), result.summary
    assert any(d.startswith("self.weights[0], self.biases[0], self.weights[1] move along −∇C")
               for d in result.details), result.details


def test_update_names_stale_activations(data):
    result = check(update, threeb1b_learner(Neural_Network([N_IN, 9, 8, N_OUT], bug="stale")),
                   data)
    assert result.status == "wrong", result
    assert result.summary.startswith("Neural_Network.gradient_step uses stale activations: its "
                                     "step follows the gradient at the activations of the last "
                                     "example of the previous forward pass"), result.summary


def test_update_names_another_layers_gradient(data):
    # the two 9 × 9 layers' updates swapped
    net2 = Network([N_IN, 9, 9, 9, N_OUT])
    learner2 = nielsen_learner(net2)
    right2 = net2.update_mini_batch

    def swap(mini_batch, eta):
        before = [w.copy() for w in net2.weights]
        right2(mini_batch, eta)
        net2.weights[1], net2.weights[2] = before[1] + (net2.weights[2] - before[2]), \
            before[2] + (net2.weights[1] - before[1])

    learner2.step = lambda X, Y, lr: swap([(x.reshape(-1, 1), y.reshape(-1, 1))
                                           for x, y in zip(X, Y)], lr)
    result = check(update, learner2, data)
    assert result.status == "wrong", result
    assert "updates the wrong layer: self.weights[1] is updated with the gradient of " \
        "self.weights[2]" in result.summary, result.summary


def test_update_that_follows_gradients_of_the_wrong_sign_defers_to_the_gradients_check(data):
    """A sign flipped in cost_derivative makes the step p + η·∇C, yet update_mini_batch is
    right: it applies the learner's own gradients as the rule says."""
    result = check(update, nielsen_learner(Network([N_IN, 9, N_OUT], bug="cost_sign")), data)
    assert result.status == "ok" and "your own gradients" in result.summary, result


def test_update_of_the_books_rule_defers_to_the_gradients_check(data):
    result = check(update, rashid_learner(neuralNetwork(N_IN, 9, N_OUT, 0.3)), data)
    assert result.status == "ok" and "your own gradients" in result.summary, result


# ----- mini-batches ------------------------------------------------------------------------------

def test_minibatches_pass_for_shuffled_and_random_batches(data):
    result = check(minibatches, nielsen_learner(Network([N_IN, 9, N_OUT])), data)
    assert result.status == "ok" and "uses each of the 600 examples once" in result.summary
    result = check(minibatches, dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT)), data)
    assert result.status == "ok" and "at random with replacement" in result.summary, result


def test_minibatches_pass_many_epochs_of_random_batches(data):
    """A loop run for 20 epochs' worth of np.random.choice batches uses some examples 30 times
    or more: the bound follows the number of draws (Poisson), not one epoch's."""
    learner = dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT))
    learner.batches = lambda n: [list(np.random.choice(n, 10)) for _ in range(2 * n)]
    result = check(minibatches, learner, data)
    assert result.status == "ok" and "at random with replacement" in result.summary, result
    assert result.data["most_used_times"] > 12


def test_minibatches_count_seed_000s_overlapping_slices(data):
    result = check(minibatches, threeb1b_learner(Neural_Network([N_IN, 9, 8, N_OUT],
                                                                bug="overlap")), data)
    assert result.status == "wrong"
    assert result.summary == ("Neural_Network.train's batches overlap: 82 of 600 used; "
                              "example 7 used 8 times"), result.summary
    assert "the slices step by 1, not by the batch size" in result.details[0]


def test_minibatches_flag_overlap_in_a_shuffled_loop(data):
    result = check(minibatches, nielsen_learner(Network([N_IN, 9, N_OUT], bug="overlap")), data)
    assert result.status == "wrong" and "batches overlap: 600 of 600 used" in result.summary


def test_minibatches_flag_slices_that_step_by_one_in_a_shuffled_loop(data):
    """Slices of a shuffled list that step by 1 use each example about size times, as random
    draws with replacement would on average; consecutive batches sharing all but one example
    give them away."""
    result = check(minibatches, nielsen_learner(Network([N_IN, 9, N_OUT], bug="slide")), data)
    assert result.status == "wrong" and "batches overlap: 600 of 600 used" in result.summary
    assert "share 8.9 of their 10 examples on average: the slices step by 1" in \
        result.details[0], result.details


def test_minibatches_accept_a_dropped_last_batch(data):
    result = check(minibatches, threeb1b_learner(Neural_Network([N_IN, 9, N_OUT], mb_size=7)),
                   make_data(n_train=600, n_test=10))
    assert result.status == "ok", result
    assert "the last partial batch of 5 is dropped" not in result.summary  # 600 = 85·7 + 5 kept
    learner = threeb1b_learner(Neural_Network([N_IN, 9, N_OUT], mb_size=7))
    learner.batches = lambda n: [list(range(k, k + 7)) for k in range(0, n - 6, 7)]
    result = check(minibatches, learner, data)
    assert result.status == "ok" and "the last partial batch of 5 is dropped, which is fine" \
        in result.summary, result


# ----- evaluation --------------------------------------------------------------------------------

def test_evaluation_that_compares_the_predictions_with_themselves(data):
    result = check(evaluation, nielsen_learner(Network([N_IN, 9, N_OUT], bug="self_compare")),
                   data)
    assert result.status == "wrong" and result.summary.endswith(
        ": it counts every example as right"), result.summary
    assert "does it compare the predictions with themselves" in result.details[0]
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]))  # a fraction, 1.0, beside ~10 %:
    learner.evaluate, learner.evaluate_units = (lambda X, labels: 1.0), None  # not "1 %"
    result = check(evaluation, learner, data)
    assert result.summary.endswith(": it counts every example as right"), result.summary


def test_evaluation_passes_in_every_unit(data):
    for learner in (nielsen_learner(Network([N_IN, 9, N_OUT])),           # a count
                    dlfs_learner(TwoLayerNet(N_IN, 9, N_OUT)),             # a fraction
                    threeb1b_learner(Neural_Network([N_IN, 9, 8, N_OUT]))):  # a percentage
        result = check(evaluation, learner, data)
        assert result.status == "ok", result


def test_evaluation_names_a_test_on_cached_activations(data):
    result = check(evaluation, threeb1b_learner(Neural_Network([N_IN, 9, 8, N_OUT],
                                                               bug="eval_cached")), data)
    assert result.status == "wrong", result
    assert "(it reads self.layer[-1])" in result.details[0], result.details


def test_evaluation_blames_a_forward_that_returns_none(data):
    result = check(evaluation, nielsen_learner(Network([N_IN, 9, N_OUT], bug="no_return")), data)
    assert result.status == "wrong"
    assert "Network.feedforward returns None" in result.details[0], result


# ----- learning ----------------------------------------------------------------------------------

def test_learning_lowers_the_cost_of_correct_programs(data, tmp_path):
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]))
    before = learner.snapshot()
    result = check(learning, learner, data, plot=tmp_path / "curve.png")
    assert result.status == "ok", result
    assert result.data["costs"][-1] < result.data["costs"][0]
    assert (tmp_path / "curve.png").stat().st_size > 0
    assert all(np.array_equal(before[n], learner.snapshot()[n]) for n in before)


def test_learning_flags_a_flipped_sign(data):
    result = check(learning, nielsen_learner(Network([N_IN, 9, N_OUT], bug="flipped_sign")), data)
    assert result.status == "wrong" and "does not lower the cost" in result.summary, result


def test_learning_is_skipped_when_plain_sgd_does_not_learn_at_that_rate_either(data):
    """A right step at an η so small that plain SGD from the same start stays flat too (as a
    deep sigmoid network from small weights does for its first hundreds of steps at the book's
    η): the run tells nothing against the step, so the check is skipped and says why (it was
    ✗ "try another learning rate", a false alarm on the book's own ch06 momentum script). A
    step that climbs the cost beyond plain SGD's flat line is still wrong."""
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]))
    learner.lr = 1e-9
    result = check(learning, learner, data)
    assert result.status == "skipped" and "neither does plain SGD at this η" in result.summary, \
        result
    flipped = nielsen_learner(Network([N_IN, 9, N_OUT], bug="flipped_sign"))
    flipped.lr = 1e-9
    step = flipped.step
    flipped.step = lambda X, Y, lr: step(X, Y, 3.0)  # climbs at full speed, whatever η says
    assert check(learning, flipped, data).status == "wrong"


# ----- the book ----------------------------------------------------------------------------------

def test_book_names_rashids_hidden_error(data):
    result = check(book, rashid_learner(neuralNetwork(N_IN, 9, N_OUT, 0.3)), data)
    assert result.status == "wrong"
    assert result.summary == ("your hidden-layer error uses self.who.T @ (t − o) without the "
                              "output layer's σ′(z) = o(1 − o); that is the book's rule "
                              "(Rashid's Make Your Own Neural Network), not the gradient of its "
                              "cost")
    assert check(book, rashid_learner(neuralNetwork(N_IN, 9, N_OUT, 0.3, fixed=True)),
                 data).status == "ok"


def test_book_names_sigma_prime_at_a(data):
    result = check(book, nielsen_learner(Network([N_IN, 9, 8, N_OUT], bug="sigma_prime_of_a")),
                   data)
    assert result.status == "wrong" and "σ′(a), instead of at z" in result.summary, result


def test_book_leaves_other_mistakes_to_the_gradients_check(data):
    result = check(book, nielsen_learner(Network([N_IN, 9, 9, 9, N_OUT], bug="wrong_layer_W")),
                   data)
    assert result.status == "skipped" and "no textbook rule" in result.summary


# ----- a learner that raises ---------------------------------------------------------------------

def test_a_learner_exception_is_an_error_with_its_line(data):
    net = Network([N_IN, 9, N_OUT])
    learner = nielsen_learner(net)
    o = oracle.build(learner, data)
    net.weights[1] = net.weights[1][:, :4]  # the learner's code now fails in feedforward
    result = forward.run(learner, data, o)
    assert result.status == "error" and "ValueError" in result.summary
    assert "test_check_checks.py:" in result.summary and "np.dot(w, a) + b" in result.summary


def test_minibatches_count_over_a_whole_mnist_epoch(data):
    """Seed 000's slicing on MNIST's 60,000: the numbers the issue quotes."""
    mnist = Data("mnist", data.train, data.test)  # only the name matters: indices are recorded
    net = Neural_Network([N_IN, 9, N_OUT], bug="overlap", mb_size=125)
    result = check(minibatches, threeb1b_learner(net), mnist)
    assert result.summary == ("Neural_Network.train's batches overlap: 604 of 60,000 used; "
                              "example 124 used 125 times"), result.summary


def test_gradients_name_stale_activations(data):
    learner = threeb1b_learner(Neural_Network([N_IN, 9, 8, N_OUT], bug="stale"))
    result = check(gradients, learner, data)
    assert result.status == "wrong"
    assert result.summary == ("Neural_Network.gradient_step computes its gradients from stale "
                              "activations: they change after a forward pass on other examples "
                              "(self.B[2] and 5 more disagree with autograd)"), result.summary
    assert result.details[0].startswith("stale activations: your gradients for the same batch "
                                        "change after a forward pass on other examples")
    assert result.details[1].startswith("against autograd: ∂C/∂self.B[2]")


def test_gradients_point_to_the_book_for_a_textbook_rule(data):
    result = check(gradients, rashid_learner(neuralNetwork(N_IN, 9, N_OUT, 0.3)), data)
    assert result.status == "wrong" and "self.wih" in result.summary
    assert "a textbook rule, not a slip: your gradients follow Rashid's hidden error, which " \
        "drops the output layer's σ′ (see the book check)" in result.details, result.details


def test_update_accepts_a_decayed_learning_rate_but_not_one_per_layer(data):
    net = Network([N_IN, 9, N_OUT])
    learner = nielsen_learner(net)
    step = learner.step
    learner.step = lambda X, Y, lr: step(X, Y, 0.8 * lr)  # a schedule: every layer alike
    result = check(update, learner, data)
    assert result.status == "ok" and "a learning-rate schedule or decay" in result.details[-1]

    def per_layer(X, Y, lr):  # a decay counter advanced once per layer: layer 2 gets less
        W, b = net.weights[1].copy(), net.biases[1].copy()
        step(X, Y, lr)
        net.weights[1] = W + 0.9 * (net.weights[1] - W)
        net.biases[1] = b + 0.9 * (net.biases[1] - b)

    learner.step = per_layer
    result = check(update, learner, data)
    assert result.status == "wrong", result
    assert result.summary.startswith("Network.update_mini_batch: the parameters do not all move "
                                     "by the same multiple of η·∇C: self.weights[0], "
                                     "self.biases[0] by 1·η·∇C; self.weights[1], self.biases[1] "
                                     "by 0.9·η·∇C"), result.summary


def test_book_and_gradients_name_labels_subtracted_as_numbers(data):
    """a − y with y the digit, not its one-hot vector: numpy broadcasts it without an error.
    A slip, not a book's rule, and the gradients check says so."""
    learner = nielsen_learner(Network([N_IN, 9, N_OUT], bug="labels_not_one_hot"))
    result = check(book, learner, data)
    assert result.status == "wrong" and result.summary.startswith(
        "your output δ subtracts the labels as numbers: a − y with y the digit"), result.summary
    result = check(gradients, learner, data)
    assert "a common slip: your gradients follow an output δ = a − y with y the digit, not " \
        "its one-hot vector (see the book check)" in result.details, result.details


def test_book_names_a_square_w_left_untransposed_in_bp2(data):
    """np.dot(w, delta) for np.dot(w.transpose(), delta): only a square layer runs it."""
    learner = nielsen_learner(Network([N_IN, 9, 9, N_OUT], bug="untransposed_W"))
    result = check(book, learner, data)
    assert result.status == "wrong" and result.summary.startswith(
        "your hidden error multiplies δ by self.weights[1] itself where BP2 has its "
        "transpose"), result.summary


def test_book_names_the_cross_entropy_delta_kept_with_the_quadratic_cost(data):
    learner = nielsen_learner(Network([N_IN, 9, N_OUT], bug="cross_entropy_delta"))
    result = check(book, learner, data)
    assert result.status == "wrong", result
    assert result.summary.startswith("your output error δᴸ = a − y is the cross-entropy cost's; "
                                     "with the quadratic cost and a sigmoid output it is "
                                     "(a − y) ⊙ σ′(zᴸ)"), result.summary
    learner.cost = None  # unsaid, the cost is inferred: network2's cross-entropy, and right
    assert check(book, learner, data).status == "ok"


def test_learning_flags_a_step_that_falls_far_less_than_plain_sgd(data):
    learner = nielsen_learner(Network([N_IN, 9, N_OUT]))
    step = learner.step
    learner.step = lambda X, Y, lr: step(X, Y, lr / 1000)  # η in the wrong units
    result = check(learning, learner, data)
    assert result.status == "wrong", result
    costs, reference = result.data["costs"], result.data["reference"]
    assert costs[0] - costs[-1] < learning.SLOWER * (reference[0] - reference[-1])


def test_gradients_from_an_update_with_a_decaying_rate_are_not_called_wrong(data):
    net = TwoLayerNet(N_IN, 9, N_OUT)
    learner = dlfs_learner(net)
    grads, calls = learner.grads, []

    def decayed(X, Y):  # NNFS's optimizer: every call's step a little shorter, all alike
        calls.append(1)
        return {k: v / (1 + 0.01 * len(calls)) for k, v in grads(X, Y).items()}

    learner.grads = decayed
    result = check(gradients, learner, data)
    assert result.status == "ok" and "up to one common factor" in result.summary, result
    learner.grads = lambda X, Y: {k: v * (0.9 if "2" in k else 1.0) for k, v in grads(X, Y).items()}
    assert check(gradients, learner, data).status == "wrong"  # layers scaled differently


def test_evaluation_that_raises_on_cached_activations_says_so(data):
    net = TwoLayerNet(N_IN, 9, N_OUT)
    learner = dlfs_learner(net)
    cache = {}
    predict = net.predict

    def forward(X):
        cache["out"] = predict(X)
        return cache["out"]

    learner.forward = forward
    learner.evaluate = lambda X, labels: np.mean(np.argmax(cache["out"], axis=1) == labels)
    result = check(evaluation, learner, data)
    assert result.status == "error" and "ValueError" in result.summary, result
    assert "7 is the number of examples of the forward pass run before it" in result.details[-1]


def test_a_figure_of_one_among_fractions_reads_as_100_percent_not_1():
    from tinygrad_edu.check.evaluation import _units
    assert _units([1.0, 0.2857, 0.2857], None) == "fraction"
    assert _units([45.0, 45.0, 30.0], None) is None  # a count or a percentage: read by accuracy
    assert _units([1.0, 0.2857], "percent") == "percent"  # the learner's own word wins
