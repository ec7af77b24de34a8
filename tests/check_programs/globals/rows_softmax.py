# MNIST from scratch, no classes: 784-64-10, ReLU + softmax, cross-entropy, mini-batches of 32
import csv

import numpy as np


def read_csv(path):
    with open(path) as f:
        rows = [list(map(int, r)) for r in csv.reader(f)]
    data = np.array(rows)
    return data[:, 1:] / 255.0, data[:, 0]


X_train, labels_train = read_csv("mnist_train.csv")
X_test, labels_test = read_csv("mnist_test.csv")

np.random.seed(42)
hidden = 64
W1 = np.random.randn(784, hidden) * np.sqrt(2 / 784)
b1 = np.zeros(hidden)
W2 = np.random.randn(hidden, 10) * np.sqrt(2 / hidden)
b2 = np.zeros(10)
learning_rate = 0.1
batch_size = 32

h = None  # the hidden layer of the last forward pass


def one_hot(labels):
    Y = np.zeros((len(labels), 10))
    Y[np.arange(len(labels)), labels] = 1
    return Y


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(X):
    global h
    h = np.maximum(0, X @ W1 + b1)
    return softmax(h @ W2 + b2)


def backward(X, Y):
    probs = forward(X)
    m = X.shape[0]
    dz2 = (probs - Y) / m
    dW2 = h.T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * (h > 0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return dW1, db1, dW2, db2


def sgd_step(X_batch, Y_batch, lr):
    global W1, b1, W2, b2
    dW1, db1, dW2, db2 = backward(X_batch, Y_batch)
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2


def accuracy(X, labels):
    return np.mean(np.argmax(forward(X), axis=1) == labels)


def train(X, Y, epochs, batch_size, lr):
    for epoch in range(epochs):
        order = np.random.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            sgd_step(X[idx], Y[idx], lr)
        print("epoch", epoch, "training accuracy", accuracy(X, Y.argmax(axis=1)))


train(X_train, one_hot(labels_train), 10, batch_size, learning_rate)
print("test accuracy", accuracy(X_test, labels_test))
np.save("trained_W1.npy", W1)
