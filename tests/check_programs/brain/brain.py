# ruff: noqa  (a learner's program, kept in their style)
# following 3blue1brown's neural network videos: 784 -> 20 -> 10, online gradient descent
import random
import numpy as np
import digits


def sig(z):
    return 1 / (1 + np.exp(-z))


class Brain:
    def __init__(self, sizes=(784, 20, 10)):
        self.sizes = sizes
        self.W = [np.random.randn(sizes[i + 1], sizes[i]) * 0.1 for i in range(len(sizes) - 1)]
        self.b = [np.zeros(sizes[i + 1]) for i in range(len(sizes) - 1)]
        self.a = [np.zeros(n) for n in sizes]

    def think(self, x):
        self.a[0] = x
        for i in range(len(self.W)):
            self.a[i + 1] = sig(self.W[i] @ self.a[i] + self.b[i])
        return self.a[-1]

    def nudge(self, x, label, lr):
        self.think(x)
        want = np.zeros(10)
        want[label] = 1
        # cost = sum((a - want)^2), so dC/da = 2(a - want)
        dz = 2 * (self.a[-1] - want) * self.a[-1] * (1 - self.a[-1])
        for i in reversed(range(len(self.W))):
            dW = np.outer(dz, self.a[i])
            db = dz
            dz = (self.W[i].T @ dz) * self.a[i] * (1 - self.a[i])
            self.W[i] -= lr * dW
            self.b[i] -= lr * db

    def score(self, data):
        right = 0
        for x, label in data:
            if np.argmax(self.think(x)) == label:
                right += 1
        return right / len(data)

    def learn(self, data, epochs, lr):
        for e in range(epochs):
            random.shuffle(data)
            for x, label in data:
                self.nudge(x, label, lr)
            print("epoch", e, "score", self.score(test))


train, test = digits.load()
brain = Brain()
brain.learn(train, 5, 0.1)
