# ruff: noqa  (a learner's program, kept in their style)
"""My MNIST MLP: one ReLU hidden layer, softmax output, rows of 784 pixels."""
import numpy as np
from dataset.mnist import load_mnist


class MLP:
    def __init__(self, n_in=784, n_hidden=64, n_out=10):
        self.W1 = np.random.randn(n_in, n_hidden) * np.sqrt(2.0 / n_in)
        self.b1 = np.zeros(n_hidden)
        self.W2 = np.random.randn(n_hidden, n_out) * np.sqrt(2.0 / n_hidden)
        self.b2 = np.zeros(n_out)

    def softmax(self, z):
        z = z - np.max(z, axis=1, keepdims=True)
        e = np.exp(z)
        return e / np.sum(e, axis=1, keepdims=True)

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.a1 = np.maximum(0, self.z1)
        self.z2 = self.a1 @ self.W2 + self.b2
        self.out = self.softmax(self.z2)
        return self.out

    def loss(self, X, Y):
        out = self.forward(X)
        return -np.mean(np.sum(Y * np.log(out + 1e-9), axis=1))

    def backward(self, X, Y):
        m = X.shape[0]
        dz2 = (self.out - Y) / m
        dW2 = self.a1.T @ dz2
        db2 = np.sum(dz2, axis=0)
        da1 = dz2 @ self.W2.T
        dz1 = da1 * (self.z1 > 0)
        dW1 = X.T @ dz1
        db1 = np.sum(dz1, axis=0)
        return dW1, db1, dW2, db2

    def train_step(self, X, Y, lr):
        self.forward(X)
        dW1, db1, dW2, db2 = self.backward(X, Y)
        self.W1 -= lr * dW1
        self.b1 -= lr * db1
        self.W2 -= lr * dW2
        self.b2 -= lr * db2

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)

    def accuracy(self, X, labels):
        return np.mean(self.predict(X) == labels)

    def fit(self, X, labels, epochs=5, batch_size=32, lr=0.1):
        Y = np.eye(10)[labels]
        n = X.shape[0]
        for epoch in range(epochs):
            order = np.random.permutation(n)
            for start in range(0, n, batch_size):
                batch = order[start:start + batch_size]
                self.train_step(X[batch], Y[batch], lr)
            print("epoch", epoch, "loss", self.loss(X[:2000], Y[:2000]))


if __name__ == "__main__":
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
    model = MLP()
    model.fit(x_train, t_train, epochs=10, batch_size=64, lr=0.1)
    print("test accuracy", model.accuracy(x_test, t_test))
