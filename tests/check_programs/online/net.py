# An online MLP: lists of weights and biases, each train(x, y) call one step by self.lr.
import numpy as np
from loader import load


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class MLP:
    def __init__(self, sizes, lr=0.5):
        self.weights = [np.random.randn(n, m) * 0.1 for m, n in zip(sizes[:-1], sizes[1:])]
        self.biases = [np.zeros((n, 1)) for n in sizes[1:]]
        self.lr = lr

    def predict(self, x):
        a = x.reshape(-1, 1)
        for w, b in zip(self.weights, self.biases):
            a = sigmoid(w @ a + b)
        return a

    def train(self, x, y):
        a = x.reshape(-1, 1)
        acts, zs = [a], []
        for w, b in zip(self.weights, self.biases):
            z = w @ a + b
            zs.append(z)
            a = sigmoid(z)
            acts.append(a)
        delta = (a - y.reshape(-1, 1)) * a * (1 - a)
        grads_w, grads_b = [], []
        for i in reversed(range(len(self.weights))):
            grads_w.insert(0, delta @ acts[i].T)
            grads_b.insert(0, delta)
            if i > 0:
                delta = (self.weights[i].T @ delta) * acts[i] * (1 - acts[i])
        for i in range(len(self.weights)):
            self.weights[i] -= self.lr * grads_w[i]
            self.biases[i] -= self.lr * grads_b[i]


images, labels = load()
net = MLP([784, 30, 10], lr=0.5)
for epoch in range(5):
    for x, label in zip(images, labels):
        net.train(x, np.eye(10)[label])
    print("epoch", epoch, "done")
