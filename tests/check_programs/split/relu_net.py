# ruff: noqa  (a learner's program, kept in their style: its helpers star-imported from beside it)
import numpy as np
from activations import *
from mnist_reader import load_mnist

X_train, y_train, X_test, y_test = load_mnist("data/")
X_train = X_train / 255.0
X_test = X_test / 255.0

input_size = 784
hidden_size = 64
output_size = 10
learning_rate = 0.05
batch_size = 64

W1 = np.random.randn(input_size, hidden_size) * 0.01
b1 = np.zeros(hidden_size)
W2 = np.random.randn(hidden_size, output_size) * 0.01
b2 = np.zeros(output_size)


def one_hot(y):
    out = np.zeros((len(y), 10))
    out[np.arange(len(y)), y] = 1
    return out


def forward(X):
    z1 = X.dot(W1) + b1
    a1 = relu(z1)
    z2 = a1.dot(W2) + b2
    a2 = softmax(z2)
    return z1, a1, z2, a2


def backward(X, Y):
    z1, a1, z2, a2 = forward(X)
    m = X.shape[0]
    delta2 = (a2 - Y) / m
    dW2 = a1.T.dot(delta2)
    db2 = delta2.sum(axis=0)
    delta1 = delta2.dot(W2.T) * relu_derivative(z1)
    dW1 = X.T.dot(delta1)
    db1 = delta1.sum(axis=0)
    return dW1, db1, dW2, db2


def update(X, Y):
    global W1, b1, W2, b2
    dW1, db1, dW2, db2 = backward(X, Y)
    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2


def accuracy(X, y):
    a2 = forward(X)[3]
    return np.mean(a2.argmax(axis=1) == y)


def train(X, y, epochs):
    Y = one_hot(y)
    for epoch in range(epochs):
        idx = np.random.permutation(len(X))
        X, Y = X[idx], Y[idx]
        for i in range(0, len(X), batch_size):
            update(X[i:i + batch_size], Y[i:i + batch_size])
        print("epoch", epoch, "accuracy", accuracy(X_test, y_test))


train(X_train, y_train, 10)
