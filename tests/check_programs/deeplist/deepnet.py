# ruff: noqa  (a learner's program, kept in their style)
"""A deeper network.py after 3Blue1Brown: three hidden layers of 32, lists W and b."""
import numpy as np
import mnist_loader


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


class DeepNet:
    def __init__(self):
        sizes = [784, 32, 32, 32, 10]
        self.W = [np.random.randn(n, m) / np.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros((n, 1)) for n in sizes[1:]]

    def forward(self, x):
        a = x
        for W, b in zip(self.W, self.b):
            a = sigmoid(W @ a + b)
        return a

    def backprop(self, x, y):
        zs, acts = [], [x]
        a = x
        for W, b in zip(self.W, self.b):
            z = W @ a + b
            zs.append(z)
            a = sigmoid(z)
            acts.append(a)
        d3 = (acts[4] - y) * sigmoid_prime(zs[3])
        d2 = (self.W[3].T @ d3) * sigmoid_prime(zs[2])
        d1 = (self.W[2].T @ d2) * sigmoid_prime(zs[1])
        d0 = (self.W[1].T @ d1) * sigmoid_prime(zs[0])
        deltas = [d0, d1, d2, d3]
        gW = [d @ acts[i].T for i, d in enumerate(deltas)]
        gb = [d for d in deltas]
        return gb, gW

    def update_mini_batch(self, batch, eta):
        sum_b = [np.zeros(b.shape) for b in self.b]
        sum_W = [np.zeros(W.shape) for W in self.W]
        for x, y in batch:
            gb, gW = self.backprop(x, y)
            sum_b = [s + g for s, g in zip(sum_b, gb)]
            sum_W = [s + g for s, g in zip(sum_W, gW)]
        self.W = [W - eta / len(batch) * g for W, g in zip(self.W, sum_W)]
        self.b = [b - eta / len(batch) * g for b, g in zip(self.b, sum_b)]

    def evaluate(self, test_data):
        return sum(int(np.argmax(self.forward(x)) == y) for x, y in test_data)

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None):
        training_data = list(training_data)
        n = len(training_data)
        for j in range(epochs):
            np.random.shuffle(training_data)
            for k in range(0, n, mini_batch_size):
                self.update_mini_batch(training_data[k:k + mini_batch_size], eta)
            if test_data:
                print(j, self.evaluate(test_data), len(test_data))


training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
net = DeepNet()
net.SGD(training_data, 10, 10, 3.0, test_data=list(test_data))
