# A network.py lookalike after 3Blue1Brown: forward(x) keeps self.layer, backprop(y) reads it.
import random

import numpy as np
from data_loader import get_mnist  # returns lists of (784x1 image, 10x1 one-hot)


class Network(object):

    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.W = [np.random.randn(y, x) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]
        self.B = [np.random.randn(y, 1) for y in sizes[1:]]
        self.layer = []
        self.zs = []

    def act(self, z):
        return 1.0 / (1.0 + np.exp(-z))

    def act_prime(self, z):
        return self.act(z) * (1 - self.act(z))

    def forward(self, x):
        self.layer = [x]
        self.zs = []
        for w, b in zip(self.W, self.B):
            z = np.dot(w, self.layer[-1]) + b
            self.zs.append(z)
            self.layer.append(self.act(z))

    def backprop(self, y):
        nabla_B = [np.zeros(b.shape) for b in self.B]
        nabla_W = [np.zeros(w.shape) for w in self.W]
        delta = (self.layer[-1] - y) * self.act_prime(self.zs[-1])
        nabla_B[-1] = delta
        nabla_W[-1] = np.dot(delta, self.layer[-2].transpose())
        for l in range(2, self.num_layers):
            delta = np.dot(self.W[-l + 1].transpose(), delta) * self.act_prime(self.zs[-l])
            nabla_B[-l] = delta
            nabla_W[-l] = np.dot(delta, self.layer[-l - 1].transpose())
        return nabla_B, nabla_W

    def update(self, mini_batch, eta):
        sum_B = [np.zeros(b.shape) for b in self.B]
        sum_W = [np.zeros(w.shape) for w in self.W]
        for x, y in mini_batch:
            self.forward(x)
            dB, dW = self.backprop(y)
            sum_B = [s + d for s, d in zip(sum_B, dB)]
            sum_W = [s + d for s, d in zip(sum_W, dW)]
        self.W = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.W, sum_W)]
        self.B = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.B, sum_B)]

    def train(self, training_data, epochs, eta, size=10):
        for j in range(epochs):
            random.shuffle(training_data)
            for k in range(0, len(training_data), size):
                self.update(training_data[k:k + size], eta)
            print("Epoch {0} complete".format(j))

    def accuracy(self, data):
        ok = 0
        for x, y in data:
            self.forward(x)
            ok += np.argmax(self.layer[-1]) == np.argmax(y)
        return ok / len(data)


train_data, test_data = get_mnist()
net = Network([784, 24, 10])
net.train(train_data, 20, 3.0)
print(net.accuracy(test_data))
