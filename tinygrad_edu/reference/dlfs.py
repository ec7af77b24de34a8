"""Koki Saitoh's *Deep Learning from Scratch*, chapter 5: backprop as layers, by hand.

A batch is N rows, as in the book: x is (N, 784), W1 is (784, 50), b1 is (50,). Each layer keeps
what its backward needs (Affine its input x, Relu its mask); `backprop` is TwoLayerNet.gradient,
returning ∂L/∂ of every intermediate too: z1 (Affine1 out), a1 (Relu1 out), z2 (the scores).
"""

from collections import OrderedDict

import numpy as np


def sigmoid(x):
    """y = 1 / (1 + exp(−x)), elementwise."""
    return 0.5 * (1 + np.tanh(0.5 * x))  # the same σ, without overflow in exp


def softmax(x):
    """Softmax of each row of x.

    >>> softmax(np.array([[0.0, 0.0], [1000.0, 1000.0]]))
    array([[0.5, 0.5],
           [0.5, 0.5]])
    """
    x = x - np.max(x, axis=-1, keepdims=True)  # the book's guard against overflow in exp
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    """The book's mean cross-entropy −(1/N) Σ t·log(y + 1e-7) for one-hot rows t."""
    return -np.sum(t * np.log(y + 1e-7)) / y.shape[0]  # 1e-7 keeps log(0) away


class Affine:
    """out = x·W + b for a batch of rows. backward(dout) returns dx and sets self.dW, self.db."""

    def __init__(self, W, b):
        self.W, self.b = W, b
        self.x = None
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        dx = dout @ self.W.T  # ∂L/∂X = ∂L/∂Y · Wᵀ
        self.dW = self.x.T @ dout  # BP4: ∂L/∂W = Xᵀ · ∂L/∂Y
        self.db = np.sum(dout, axis=0)  # BP3: ∂L/∂B = ∂L/∂Y summed over the N rows
        return dx


class Relu:
    """y = max(0, x). backward passes dout where x > 0 and 0 elsewhere, x = 0 included.

    >>> relu = Relu()
    >>> relu.forward(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    >>> relu.backward(np.ones(3))
    array([0., 0., 1.])
    """

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0  # relu'(0) = 0, as in the book and PyTorch (a central difference: 0.5)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()  # a copy: the caller's dout is never changed
        dx[self.mask] = 0  # BP2's ⊙ h'(a): 1 where x > 0, 0 elsewhere
        return dx


class Sigmoid:
    """y = 1 / (1 + exp(−x)). backward uses the stored output: dx = dout ⊙ y(1 − y)."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out  # BP2's ⊙ σ'(x), with σ' = y(1 − y)


class SoftmaxWithLoss:
    """Softmax, then mean cross-entropy against one-hot rows t; backward returns (y − t)/N.

    forward adds 1e-7 inside the log as the book does, so the loss it prints differs from the
    exact one by log(1 + 1e-7/y) per row; backward is the exact gradient of the exact loss.

    >>> layer = SoftmaxWithLoss()
    >>> round(float(layer.forward(np.zeros((1, 2)), np.array([[0.0, 1.0]]))), 6)
    0.693147
    >>> layer.backward()
    array([[ 0.5, -0.5]])
    """

    def __init__(self):
        self.loss = self.y = self.t = None

    def forward(self, x, t):
        if t.shape != x.shape:
            raise ValueError(
                f"SoftmaxWithLoss: t has shape {t.shape} but the scores have shape {x.shape}; "
                "pass one-hot labels, e.g. np.eye(10)[labels]"
            )
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        return dout * (self.y - self.t) / batch_size  # BP1: ∂L/∂(scores) = (y − t)/N


def init_params(rng, input_size=784, hidden_size=50, output_size=10, weight_init_std=0.01):
    """TwoLayerNet's parameters: W ~ weight_init_std·N(0, 1), b = 0, keyed W1, b1, W2, b2.

    hidden_size may also be a list of sizes, for more Affine/Relu pairs (W3, b3, …).

    >>> params = init_params(np.random.default_rng(0))
    >>> [(name, p.shape) for name, p in params.items()]
    [('W1', (784, 50)), ('b1', (50,)), ('W2', (50, 10)), ('b2', (10,))]
    """
    hidden = [hidden_size] if np.isscalar(hidden_size) else list(hidden_size)
    sizes = [input_size, *hidden, output_size]
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = weight_init_std * rng.standard_normal((n_in, n_out))
        params[f"b{l}"] = np.zeros(n_out)
    return params


def _layers(params):
    """TwoLayerNet's OrderedDict: Affine1, Relu1, Affine2, …, ending with the last Affine."""
    L = sum(1 for name in params if name.startswith("W"))
    layers = OrderedDict()
    for l in range(1, L + 1):
        layers[f"Affine{l}"] = Affine(params[f"W{l}"], params[f"b{l}"])
        if l < L:
            layers[f"Relu{l}"] = Relu()
    return layers


def _check_batch(where, params, x, t):
    n_in = params["W1"].shape[0]
    n_out = params[f"W{sum(1 for name in params if name.startswith('W'))}"].shape[1]
    if x.ndim != 2 or x.shape[1] != n_in:
        raise ValueError(
            f"dlfs.{where}: x has shape {x.shape}, but W1 is {params['W1'].shape}; pass a batch "
            f"as rows, shape (N, {n_in}): x.T for columns, x.reshape(1, -1) for one example"
        )
    if t.shape != (x.shape[0], n_out):
        raise ValueError(
            f"dlfs.{where}: t has shape {t.shape}, expected ({x.shape[0]}, {n_out}): "
            "one one-hot row per row of x, e.g. np.eye(10)[labels]"
        )


def predict(params, x):
    """The scores (before softmax) for the rows of x, as TwoLayerNet.predict.

    >>> predict(init_params(np.random.default_rng(0)), np.ones((3, 784))).shape
    (3, 10)
    """
    for layer in _layers(params).values():
        x = layer.forward(x)
    return x


def loss(params, x, t):
    """The exact mean softmax cross-entropy −(1/N) Σ t·log softmax(scores), as backprop uses.

    TwoLayerNet.loss adds 1e-7 inside the log (see SoftmaxWithLoss); this one does not.

    >>> params = init_params(np.random.default_rng(0), weight_init_std=0.0)
    >>> round(loss(params, np.ones((2, 784)), np.eye(10)[[3, 7]]), 6)  # ln 10
    2.302585
    """
    _check_batch("loss", params, x, t)
    scores = predict(params, x)
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    log_y = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))  # no log(0)
    return float(-np.sum(t * log_y) / x.shape[0])


def accuracy(params, x, t):
    """The fraction of rows whose highest score is the label (t one-hot or integer labels).

    >>> params = init_params(np.random.default_rng(0), weight_init_std=0.0)  # every score 0
    >>> accuracy(params, np.ones((4, 784)), np.array([0, 1, 2, 3]))  # so argmax says 0
    0.25
    """
    y = np.argmax(predict(params, x), axis=1)
    if t.ndim != 1:
        t = np.argmax(t, axis=1)
    return float(np.sum(y == t) / x.shape[0])


def backprop(params, x, t):
    """TwoLayerNet.gradient(x, t), also returning ∂L/∂ of every intermediate.

    L is the exact mean softmax cross-entropy of `loss`: (softmax − t)/N is its exact gradient,
    which the book's 1e-7 inside the log would change slightly. Keys: W1, b1, W2, b2 (shaped like
    the parameters), z1 = x·W1 + b1 and a1 = relu(z1) (N, 50), z2 = a1·W2 + b2 (N, 10).

    >>> rng = np.random.default_rng(0)
    >>> params = init_params(rng)
    >>> x, t = rng.random((100, 784)), np.eye(10)[rng.integers(0, 10, size=100)]
    >>> grads = backprop(params, x, t)
    >>> sorted(grads)
    ['W1', 'W2', 'a1', 'b1', 'b2', 'z1', 'z2']
    >>> grads["W1"].shape, grads["b1"].shape, grads["a1"].shape
    ((784, 50), (50,), (100, 50))
    """
    _check_batch("backprop", params, x, t)
    layers = _layers(params)
    last_layer = SoftmaxWithLoss()
    out = x
    for layer in layers.values():
        out = layer.forward(out)
    last_layer.forward(out, t)

    L = sum(1 for name in params if name.startswith("W"))
    dout = last_layer.backward(1)  # BP1: ∂L/∂z_L = (softmax(z_L) − t)/N
    grads = {f"z{L}": dout}
    for l in range(L, 0, -1):
        affine = layers[f"Affine{l}"]
        dout = affine.backward(dout)  # ∂L/∂a_(l−1) = ∂L/∂z_l · W_lᵀ
        grads[f"W{l}"], grads[f"b{l}"] = affine.dW, affine.db  # BP4, BP3
        if l > 1:
            grads[f"a{l - 1}"] = dout
            dout = layers[f"Relu{l - 1}"].backward(dout)  # BP2: ∂L/∂z = ∂L/∂a ⊙ (z > 0)
            grads[f"z{l - 1}"] = dout
    return grads
