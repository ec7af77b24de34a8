# ruff: noqa  (a learner's program, kept in their style)
"""Network with Ws and bs lists. feed_forward keeps z and a of every layer for backprop."""
import numpy as np

from digit_files import as_vectors


def sig(z):
    return 1 / (1 + np.exp(-z))


class Network:
    def __init__(self, n_hidden=24):
        np.random.seed(3)
        self.Ws = [np.random.randn(n_hidden, 784) * 0.05, np.random.randn(10, n_hidden) * 0.3]
        self.bs = [np.zeros(n_hidden), np.zeros(10)]

    def feed_forward(self, x):
        self.zs = []
        self.acts = [x]
        for W, b in zip(self.Ws, self.bs):
            self.zs.append(W @ self.acts[-1] + b)
            self.acts.append(sig(self.zs[-1]))

    def train_batch(self, mini_batch, alpha):
        nW = [0 * W for W in self.Ws]
        nb = [0 * b for b in self.bs]
        for x, label in mini_batch:
            self.feed_forward(x)
            y = np.zeros(10)
            y[label] = 1
            d = 2 * (self.acts[2] - y) * self.acts[2] * (1 - self.acts[2])
            nW[1] += np.outer(d, self.acts[1])
            nb[1] += d
            d = (self.Ws[1].T @ d) * self.acts[1] * (1 - self.acts[1])
            nW[0] += np.outer(d, x)
            nb[0] += d
        m = len(mini_batch)
        self.Ws = [W - alpha / m * g for W, g in zip(self.Ws, nW)]
        self.bs = [b - alpha / m * g for b, g in zip(self.bs, nb)]

    def score(self, test_data):
        right = 0
        for x, label in test_data:
            if self.acts[-1].argmax() == label:
                right += 1
        return right / len(test_data)

    def train(self, training_data, epochs, alpha, mini_batch_size):
        for epoch in range(epochs):
            order = np.random.permutation(len(training_data))
            shuffled = [training_data[i] for i in order]
            for k in range(0, len(shuffled), mini_batch_size):
                self.train_batch(shuffled[k:k + mini_batch_size], alpha)
            print("epoch", epoch)


train = as_vectors("mnist_train.csv")
test = as_vectors("mnist_test.csv")
net = Network(24)
net.train(train, 20, 1.5, 16)
