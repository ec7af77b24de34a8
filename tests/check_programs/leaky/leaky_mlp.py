# ruff: noqa  (a learner's program, kept in their style)
# 784-100-10 MLP with leaky ReLU hidden layer (slope 0.2 works better for me than 0.01), softmax + cross entropy
import numpy as np
from mnist_csv import load_csv


def leaky_relu(z, alpha=0.01):
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha=0.01):
    return np.where(z > 0, 1.0, alpha)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class MLP:
    def __init__(self, n_in=784, n_hidden=100, n_out=10, seed=0):
        rng = np.random.default_rng(seed)
        self.W1 = rng.normal(0, np.sqrt(2 / n_in), (n_in, n_hidden))
        self.b1 = np.zeros(n_hidden)
        self.W2 = rng.normal(0, np.sqrt(2 / n_hidden), (n_hidden, n_out))
        self.b2 = np.zeros(n_out)

    def forward(self, X):
        self.X = X
        self.z1 = X @ self.W1 + self.b1
        self.h = leaky_relu(self.z1, alpha=0.2)
        self.probs = softmax(self.h @ self.W2 + self.b2)
        return self.probs

    def backward(self, Y):
        m = Y.shape[0]
        delta2 = (self.probs - Y) / m
        self.dW2 = self.h.T @ delta2
        self.db2 = delta2.sum(axis=0)
        delta1 = (delta2 @ self.W2.T) * leaky_relu_prime(self.z1, alpha=0.2)
        self.dW1 = self.X.T @ delta1
        self.db1 = delta1.sum(axis=0)

    def sgd_step(self, X, Y, lr):
        self.forward(X)
        self.backward(Y)
        for name in ("W1", "b1", "W2", "b2"):
            setattr(self, name, getattr(self, name) - lr * getattr(self, "d" + name))

    def accuracy(self, X, labels):
        return (self.forward(X).argmax(axis=1) == labels).mean()


X_train, y_train = load_csv("mnist_train.csv")
X_train = X_train / 255
Y_train = np.eye(10)[y_train]
model = MLP()
for epoch in range(5):
    perm = np.random.permutation(len(X_train))
    for i in range(0, len(perm), 64):
        b = perm[i:i + 64]
        model.sgd_step(X_train[b], Y_train[b], 0.05)
    print(epoch, model.accuracy(X_train[:5000], y_train[:5000]))
