# MNIST MLP with a Model class and Linear / ReLU layers (rows, softmax cross-entropy)
import numpy as np
from mnist_reader import read_mnist


class Linear:
    def __init__(self, fan_in, fan_out):
        self.weights = np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / fan_in)
        self.bias = np.zeros((1, fan_out))

    def forward(self, x):
        self.x = x
        return x @ self.weights + self.bias

    def backward(self, grad):
        self.grad_w = self.x.T @ grad
        self.grad_b = grad.sum(axis=0, keepdims=True)
        return grad @ self.weights.T

    def update(self, lr):
        self.weights -= lr * self.grad_w
        self.bias -= lr * self.grad_b


class ReLU:
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, grad):
        return grad * self.mask

    def update(self, lr):
        pass


class SoftmaxCrossEntropy:
    def forward(self, logits, labels):
        shifted = logits - logits.max(axis=1, keepdims=True)
        self.probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        self.labels = labels
        return -np.mean(np.log(self.probs[np.arange(len(labels)), labels]))

    def backward(self):
        grad = self.probs.copy()
        grad[np.arange(len(self.labels)), self.labels] -= 1
        return grad / len(self.labels)


class Model:
    def __init__(self, layers):
        self.layers = layers
        self.criterion = SoftmaxCrossEntropy()

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def train_step(self, x, y, lr):
        loss = self.criterion.forward(self.forward(x), y)
        grad = self.criterion.backward()
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        for layer in self.layers:
            layer.update(lr)
        return loss

    def evaluate(self, X, y):
        return np.mean(np.argmax(self.forward(X), axis=1) == y)

    def fit(self, X, y, epochs=3, batch_size=32, lr=0.1):
        for epoch in range(epochs):
            perm = np.random.permutation(len(X))
            X, y = X[perm], y[perm]
            for i in range(0, len(X), batch_size):
                self.train_step(X[i:i + batch_size], y[i:i + batch_size], lr)
            print("epoch", epoch + 1, "accuracy", self.evaluate(X, y))


def main():
    np.random.seed(1)
    (X_train, y_train), (X_test, y_test) = read_mnist()
    model = Model([Linear(784, 100), ReLU(), Linear(100, 10)])
    model.fit(X_train, y_train, epochs=3, batch_size=32, lr=0.1)
    print("test accuracy", model.evaluate(X_test, y_test))


if __name__ == "__main__":
    main()
