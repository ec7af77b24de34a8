#!/usr/bin/env python3
"""Digit recogniser from scratch, sigmoid neurons + quadratic cost (Nielsen ch1/2)."""
import gzip
import random

import numpy as np

MNIST = "mnist/"


def load_mnist(kind, n):
    prefix = "train" if kind == "train" else "t10k"
    with gzip.open(MNIST + prefix + "-images-idx3-ubyte.gz", "rb") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784, 1)
    with gzip.open(MNIST + prefix + "-labels-idx1-ubyte.gz", "rb") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images[:n] / 255.0, labels[:n]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1 - s)


train_images, train_labels = load_mnist("train", 10000)
test_images, test_labels = load_mnist("test", 2000)
training_data = [(img, np.eye(10)[lab].reshape(10, 1))
                 for img, lab in zip(train_images, train_labels)]

net = [784, 30, 10]
random.seed(5)
np.random.seed(5)
W = [np.random.randn(net[i + 1], net[i]) / np.sqrt(net[i]) for i in range(len(net) - 1)]
B = [np.random.randn(net[i + 1], 1) for i in range(len(net) - 1)]

lr = 3.0
m = 10
EPOCHS = 2

for epoch in range(EPOCHS):
    random.shuffle(training_data)
    for start in range(0, len(training_data), m):
        mini_batch = training_data[start:start + m]
        grad_W = [np.zeros_like(w) for w in W]
        grad_B = [np.zeros_like(b) for b in B]
        for x, y in mini_batch:
            # forward pass
            a = x
            acts = [a]
            zs = []
            for w, b in zip(W, B):
                z = np.dot(w, a) + b
                a = sigmoid(z)
                zs.append(z)
                acts.append(a)
            # backward pass
            delta = (a - y) * sigmoid_prime(zs[-1])
            grad_W[-1] += np.dot(delta, acts[-2].T)
            grad_B[-1] += delta
            for l in range(2, len(net)):
                delta = np.dot(W[-l + 1].T, delta) * sigmoid_prime(zs[-l])
                grad_W[-l] += np.dot(delta, acts[-l - 1].T)
                grad_B[-l] += delta
        # gradient descent step
        for w, gw in zip(W, grad_W):
            w -= lr / len(mini_batch) * gw
        for b, gb in zip(B, grad_B):
            b = b - lr / len(mini_batch) * gb

    correct = 0
    for x, label in zip(test_images, test_labels):
        a = x
        for w, b in zip(W, B):
            a = sigmoid(np.dot(w, a) + b)
        correct += int(np.argmax(a) == label)
    print("Epoch {}: test accuracy {:.2f}% ({}/{})".format(
        epoch + 1, 100.0 * correct / len(test_labels), correct, len(test_labels)))
