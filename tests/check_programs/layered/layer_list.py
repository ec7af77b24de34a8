# neural network from scratch: every layer updates itself in backward()
import numpy as np
from dataset import mnist_columns


class Layer:
    def forward(self, input):
        raise NotImplementedError

    def backward(self, output_gradient, learning_rate):
        raise NotImplementedError


class Dense(Layer):
    def __init__(self, input_size, output_size):
        self.weights = np.random.randn(output_size, input_size) * 0.1
        self.bias = np.random.randn(output_size, 1) * 0.1

    def forward(self, input):
        self.input = input
        return self.weights @ input + self.bias

    def backward(self, output_gradient, learning_rate):
        weights_gradient = output_gradient @ self.input.T
        input_gradient = self.weights.T @ output_gradient
        self.weights -= learning_rate * weights_gradient
        self.bias -= learning_rate * output_gradient.sum(axis=1, keepdims=True)
        return input_gradient


class Tanh(Layer):
    def forward(self, input):
        self.input = input
        return np.tanh(input)

    def backward(self, output_gradient, learning_rate):
        return output_gradient * (1 - np.tanh(self.input) ** 2)


class Sigmoid(Layer):
    def forward(self, input):
        self.output = 1 / (1 + np.exp(-input))
        return self.output

    def backward(self, output_gradient, learning_rate):
        return output_gradient * self.output * (1 - self.output)


def mse(y_true, y_pred):
    return np.mean(np.sum((y_true - y_pred) ** 2, axis=0))


def mse_prime(y_true, y_pred):
    return 2 * (y_pred - y_true) / y_true.shape[1]


def predict(network, input):
    output = input
    for layer in network:
        output = layer.forward(output)
    return output


def train(network, loss, loss_prime, x_train, y_train, epochs=10, learning_rate=0.05,
          batch_size=20, verbose=True):
    for e in range(epochs):
        error = 0
        for i in range(0, x_train.shape[1], batch_size):
            x = x_train[:, i:i + batch_size]
            y = y_train[:, i:i + batch_size]
            output = predict(network, x)
            error += loss(y, output)
            grad = loss_prime(y, output)
            for layer in reversed(network):
                grad = layer.backward(grad, learning_rate)
        if verbose:
            print(f"{e + 1}/{epochs}, error={error}")


x_train, y_train, x_test, y_test = mnist_columns()
network = [
    Dense(28 * 28, 40),
    Tanh(),
    Dense(40, 10),
    Sigmoid(),
]
train(network, mse, mse_prime, x_train, y_train, epochs=5, learning_rate=0.05)
print("accuracy", np.mean(np.argmax(predict(network, x_test), axis=0) == y_test))
