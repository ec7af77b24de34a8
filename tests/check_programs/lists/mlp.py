# ruff: noqa  (a learner's program, kept in their style)
"""My MLP after the 3Blue1Brown videos: lists of weights and biases, one column at a time.
forward() remembers every layer's activations so that update() can use them."""
import random

import numpy as np

import digit_files


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class MLP:
    def __init__(self, sizes):
        self.sizes = sizes
        self.weights = [np.random.randn(n, m) / np.sqrt(m) for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros((n, 1)) for n in sizes[1:]]
        self.activations = []

    def forward(self, x):
        self.activations = [x]
        for W, b in zip(self.weights, self.biases):
            self.activations.append(sigmoid(W @ self.activations[-1] + b))

    def update(self, batch, lr):
        dW = [np.zeros_like(W) for W in self.weights]
        db = [np.zeros_like(b) for b in self.biases]
        for x, y in batch:
            self.forward(x)
            a = self.activations
            delta = (a[-1] - y) * a[-1] * (1 - a[-1])
            for l in range(len(self.weights) - 1, -1, -1):
                dW[l] += delta @ a[l].T
                db[l] += delta
                if l > 0:
                    delta = (self.weights[l].T @ delta) * a[l] * (1 - a[l])
        for l in range(len(self.weights)):
            self.weights[l] -= lr / len(batch) * dW[l]
            self.biases[l] -= lr / len(batch) * db[l]

    def evaluate(self, test_data):
        correct = 0
        for x, label in test_data:
            self.forward(x)
            if np.argmax(self.activations[-1]) == label:
                correct += 1
        return correct

    def train(self, training_data, epochs, lr, batch_size=32):
        for epoch in range(epochs):
            random.shuffle(training_data)
            for start in range(0, len(training_data), batch_size):
                self.update(training_data[start:start + batch_size], lr)
            print("epoch", epoch, "done")


training_data = digit_files.as_columns("mnist_train.csv")
test_data = [(x, int(np.argmax(y))) for x, y in digit_files.as_columns("mnist_test.csv")]
net = MLP([784, 32, 10])
net.train(training_data, 10, 2.0, batch_size=20)
print(net.evaluate(test_data), "/", len(test_data))
