# ruff: noqa  (a learner's program, kept in their style)
# after 3Blue1Brown's videos: one image at a time as a flat vector, weights (in, out), online SGD
import numpy as np
from load_digits import training_images, training_labels

rng = np.random.default_rng(0)
W1 = rng.standard_normal((784, 16)) * 0.1
b1 = np.zeros(16)
W2 = rng.standard_normal((16, 10)) * 0.1
b2 = np.zeros(10)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(x):
    global a1, a2
    a1 = sigmoid(x @ W1 + b1)
    a2 = sigmoid(a1 @ W2 + b2)
    return a2


def backprop(x, y):
    a2 = forward(x)
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (W2 @ d2) * a1 * (1 - a1)
    return {"W1": np.outer(x, d1), "b1": d1, "W2": np.outer(a1, d2), "b2": d2}


def learn(x, y, lr):
    global W1, b1, W2, b2
    g = backprop(x, y)
    W1 -= lr * g["W1"]
    b1 -= lr * g["b1"]
    W2 -= lr * g["W2"]
    b2 -= lr * g["b2"]


for epoch in range(3):
    for image, label in zip(training_images, training_labels):
        target = np.zeros(10)
        target[label] = 1
        learn(image / 255, target, 0.5)
