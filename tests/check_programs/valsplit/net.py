# ruff: noqa  (a learner's program, kept in their style)
# sigmoid 784-30-10 network (quadratic cost) that keeps a validation set aside inside fit
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class Net:
    def __init__(self, sizes=(784, 30, 10)):
        self.W1 = np.random.randn(sizes[1], sizes[0]) / np.sqrt(sizes[0])
        self.b1 = np.random.randn(sizes[1], 1)
        self.W2 = np.random.randn(sizes[2], sizes[1]) / np.sqrt(sizes[1])
        self.b2 = np.random.randn(sizes[2], 1)

    def forward(self, X):
        self.a1 = sigmoid(self.W1 @ X + self.b1)
        self.a2 = sigmoid(self.W2 @ self.a1 + self.b2)
        return self.a2

    def backprop(self, X, Y):
        m = X.shape[1]
        a2 = self.forward(X)
        d2 = (a2 - Y) * a2 * (1 - a2) / m
        d1 = (self.W2.T @ d2) * self.a1 * (1 - self.a1)
        return d1 @ X.T, d1.sum(axis=1, keepdims=True), d2 @ self.a1.T, d2.sum(axis=1, keepdims=True)

    def sgd_step(self, X, Y, eta):
        dW1, db1, dW2, db2 = self.backprop(X, Y)
        self.W1 -= eta * dW1
        self.b1 -= eta * db1
        self.W2 -= eta * dW2
        self.b2 -= eta * db2

    def accuracy(self, X, labels):
        return np.mean(np.argmax(self.forward(X), axis=0) == labels)

    def fit(self, X, Y, epochs=30, batch_size=10, eta=3.0, val_size=10000):
        n = X.shape[1]
        X_val, Y_val = X[:, :val_size], Y[:, :val_size]
        X_train, Y_train = X[:, val_size:], Y[:, val_size:]
        n_train = X_train.shape[1]
        for epoch in range(epochs):
            perm = np.random.permutation(n_train)
            for k in range(0, n_train, batch_size):
                cols = perm[k:k + batch_size]
                self.sgd_step(X_train[:, cols], Y_train[:, cols], eta)
            print("epoch", epoch, "validation accuracy", self.accuracy(X_val, Y_val.argmax(axis=0)))


if __name__ == "__main__":
    from mnist_columns import load_columns

    X, Y, X_test, y_test = load_columns()
    net = Net()
    net.fit(X, Y, epochs=30, batch_size=10, eta=3.0)
    print("test accuracy", net.accuracy(X_test, y_test))
