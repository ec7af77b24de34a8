# ruff: noqa  (a learner's program, kept in their style)
# 2-layer net on MNIST; the loader gives pixels 0..255 and I scale them when I train
import numpy as np
from mnist_csv import load_csv

x_train, y_train = load_csv("mnist_train.csv")
x_test, y_test = load_csv("mnist_test.csv")

rng = np.random.default_rng(3)
W1 = rng.standard_normal((784, 32)) * 0.05
b1 = np.zeros(32)
W2 = rng.standard_normal((32, 10)) * 0.1
b2 = np.zeros(10)


def softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def predict(x):
    h = np.tanh(x @ W1 + b1)
    return softmax(h @ W2 + b2)


def train_step(x, y, lr):
    global W1, b1, W2, b2
    x = x / 255.0  # pixels to 0..1
    h = np.tanh(x @ W1 + b1)
    p = softmax(h @ W2 + b2)
    d2 = (p - np.eye(10)[y]) / len(x)
    d1 = (d2 @ W2.T) * (1 - h ** 2)
    W2 -= lr * h.T @ d2
    b2 -= lr * d2.sum(axis=0)
    W1 -= lr * x.T @ d1
    b1 -= lr * d1.sum(axis=0)


def accuracy(x, y):
    return np.mean(predict(x).argmax(axis=1) == y)


for epoch in range(5):
    order = rng.permutation(len(x_train))
    for k in range(0, len(order), 50):
        idx = order[k:k + 50]
        train_step(x_train[idx], y_train[idx], 0.2)
    print(epoch, accuracy(x_test, y_test))
