"""
network_matrix.py
~~~~~~~~~~~~~~~~~

My version of network.py (Nielsen, "Neural Networks and Deep Learning", ch. 1)
rewritten so that backprop handles a whole mini-batch at once: every
example is a ROW, so a mini-batch of m images is an (m, 784) matrix.

Weights are stored as (n_in, n_out) so that z = a @ w + b.
"""

import gzip
import random
import time

import numpy as np


#### Loading the MNIST data
def load_data(n_train=10000, n_test=1000, path="data/"):
    def _images(name):
        with gzip.open(path + name, "rb") as f:
            buf = f.read()
        images = np.frombuffer(buf, dtype=np.uint8, offset=16).reshape(-1, 784)
        return images.astype(np.float64) / 255.0

    def _labels(name):
        with gzip.open(path + name, "rb") as f:
            buf = f.read()
        return np.frombuffer(buf, dtype=np.uint8, offset=8).astype(np.int64)

    tr_x = _images("train-images-idx3-ubyte.gz")[:n_train]
    tr_y = _labels("train-labels-idx1-ubyte.gz")[:n_train]
    te_x = _images("t10k-images-idx3-ubyte.gz")[:n_test]
    te_y = _labels("t10k-labels-idx1-ubyte.gz")[:n_test]
    # training targets as one-hot rows, test targets stay as plain digits
    tr_onehot = np.zeros((n_train, 10))
    tr_onehot[np.arange(n_train), tr_y] = 1.0
    return (tr_x, tr_onehot), (te_x, te_y)


#### Miscellaneous functions
def sigmoid(z):
    """The sigmoid function."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """Derivative of the sigmoid function."""
    return sigmoid(z) * (1 - sigmoid(z))


class Network(object):

    def __init__(self, sizes):
        """``sizes`` is e.g. [784, 30, 10]. Biases and weights are
        initialized from a standard normal distribution."""
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(1, y) for y in sizes[1:]]
        self.weights = [np.random.randn(x, y) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        """Return the output of the network for a batch ``a`` of shape (m, 784)."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(a, w) + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None):
        """Train the network using mini-batch stochastic gradient descent.
        ``training_data`` is a tuple (X, Y) with X (n, 784) and Y (n, 10)."""
        X, Y = training_data
        n = X.shape[0]
        if test_data:
            n_test = test_data[0].shape[0]
        for j in range(epochs):
            t0 = time.time()
            perm = np.random.permutation(n)
            X_shuf, Y_shuf = X[perm], Y[perm]
            for k in range(0, n, mini_batch_size):
                self.update_mini_batch(X_shuf[k:k + mini_batch_size],
                                       Y_shuf[k:k + mini_batch_size], eta)
            if test_data:
                print("Epoch {0}: {1} / {2}  ({3:.2f}s)".format(
                    j, self.evaluate(test_data), n_test, time.time() - t0))
            else:
                print("Epoch {0} complete".format(j))

    def update_mini_batch(self, x_batch, y_batch, eta):
        """Apply one gradient descent step using backprop on a single
        mini-batch (x_batch, y_batch)."""
        m = x_batch.shape[0]
        nabla_b, nabla_w = self.backprop(x_batch, y_batch)
        self.weights = [w - (eta / m) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / m) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """Return (nabla_b, nabla_w), the gradient of the quadratic cost
        summed over the rows of the mini-batch x (m, 784), y (m, 10)."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # feedforward
        activation = x
        activations = [x]  # list to store all the activations, layer by layer
        zs = []  # list to store all the z vectors, layer by layer
        for b, w in zip(self.biases, self.weights):
            z = np.dot(activation, w) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # backward pass
        delta = self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta.sum(axis=0, keepdims=True)
        nabla_w[-1] = np.dot(activations[-2].T, delta)
        # l = 1 means the last layer of neurons, l = 2 is the second-last layer...
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(delta, self.weights[-l + 1].T) * sp
            nabla_b[-l] = delta.sum(axis=0, keepdims=True)
            nabla_w[-l] = np.dot(activations[-l - 1].T, delta)
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        """Return the number of test inputs for which the network outputs
        the correct result (index of the most activated output neuron)."""
        X, y = test_data
        predictions = np.argmax(self.feedforward(X), axis=1)
        return int(np.sum(predictions == y))

    def cost_derivative(self, output_activations, y):
        """Return the vector of partial derivatives dC_x/da for the
        output activations (quadratic cost C = 1/2 ||a - y||^2)."""
        return (output_activations - y)


if __name__ == "__main__":
    random.seed(2)
    np.random.seed(2)
    training_data, test_data = load_data(n_train=10000, n_test=1000)
    net = Network([784, 30, 10])
    net.SGD(training_data, 10, 10, 3.0, test_data=test_data)
    acc = net.evaluate(test_data) / test_data[0].shape[0]
    print("test accuracy: {:.4f}".format(acc))
