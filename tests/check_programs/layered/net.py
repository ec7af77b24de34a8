# a small "framework": layer objects in a list, like keras but by hand
import numpy as np
from data import load


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) / np.sqrt(n_in)
        self.b = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0)
        return grad @ self.W.T


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, grad):
        return grad * self.out * (1 - self.out)


class MeanSquaredError:
    def forward(self, pred, target):
        self.pred, self.target = pred, target
        return 0.5 * np.sum((pred - target) ** 2) / len(pred)

    def backward(self):
        return (self.pred - self.target) / len(self.pred)


class Network:
    def __init__(self, layers, loss):
        self.layers = layers
        self.loss = loss

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self):
        grad = self.loss.backward()
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def step(self, lr):
        for layer in self.layers:
            if isinstance(layer, Dense):
                layer.W -= lr * layer.dW
                layer.b -= lr * layer.db

    def accuracy(self, X, labels):
        return np.mean(self.forward(X).argmax(axis=1) == labels)

    def fit(self, X, Y, epochs=5, batch_size=16, lr=1.0):
        for epoch in range(epochs):
            order = np.random.permutation(len(X))
            running = 0.0
            for start in range(0, len(X), batch_size):
                idx = order[start:start + batch_size]
                out = self.forward(X[idx])
                running += self.loss.forward(out, Y[idx])
                self.backward()
                self.step(lr)
            print("epoch", epoch, "loss", running)


if __name__ == "__main__":
    np.random.seed(0)
    x_train, y_train, x_test, y_test = load()
    net = Network([Dense(784, 40), Sigmoid(), Dense(40, 10), Sigmoid()], MeanSquaredError())
    net.fit(x_train, np.eye(10)[y_train], epochs=5, batch_size=16, lr=3.0)
    print("test accuracy", net.accuracy(x_test, y_test))
