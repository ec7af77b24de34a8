# ruff: noqa  (a learner's program, kept in their style)
"""Columns, as in the course: X is (784, m). tanh hidden layer, softmax output."""
import numpy as np
import mnist_loader


def one_hot(y, k=10):
    Y = np.zeros((k, y.size))
    Y[y, np.arange(y.size)] = 1
    return Y


class NeuralNetwork:
    def __init__(self, n_x=784, n_h=32, n_y=10):
        self.W1 = np.random.randn(n_h, n_x) * 0.01
        self.b1 = np.zeros((n_h, 1))
        self.W2 = np.random.randn(n_y, n_h) * 0.01
        self.b2 = np.zeros((n_y, 1))

    def forward(self, X):
        self.Z1 = self.W1 @ X + self.b1
        self.A1 = np.tanh(self.Z1)
        self.Z2 = self.W2 @ self.A1 + self.b2
        E = np.exp(self.Z2 - self.Z2.max(axis=0))
        self.A2 = E / E.sum(axis=0)
        return self.A2

    def backward(self, X, Y):
        m = X.shape[1]
        dZ2 = self.A2 - Y
        grads = {"dW2": dZ2 @ self.A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}
        dZ1 = (self.W2.T @ dZ2) * (1 - self.A1 ** 2)
        grads["dW1"] = dZ1 @ X.T / m
        grads["db1"] = dZ1.sum(axis=1, keepdims=True) / m
        return grads

    def update(self, X, Y, learning_rate):
        self.forward(X)
        grads = self.backward(X, Y)
        self.W1 -= learning_rate * grads["dW1"]
        self.b1 -= learning_rate * grads["db1"]
        self.W2 -= learning_rate * grads["dW2"]
        self.b2 -= learning_rate * grads["db2"]

    def accuracy(self, X, y):
        return np.mean(np.argmax(self.forward(X), axis=0) == y)

    def fit(self, X, y, epochs=10, batch_size=128, learning_rate=0.5):
        Y = one_hot(y)
        m = X.shape[1]
        for epoch in range(epochs):
            perm = np.random.permutation(m)
            for k in range(0, m, batch_size):
                idx = perm[k:k + batch_size]
                self.update(X[:, idx], Y[:, idx], learning_rate)
            print(f"epoch {epoch}: accuracy {self.accuracy(X, y):.3f}")


X_train, y_train, X_test, y_test = mnist_loader.load_data()
net = NeuralNetwork()
net.fit(X_train.T, y_train, epochs=20, batch_size=128, learning_rate=0.5)
print("test", net.accuracy(X_test.T, y_test))
