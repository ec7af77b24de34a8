# My first neural network! Following Nielsen chapter 1, but as a plain script
# (I don't get classes yet). 784 -> 30 -> 10, sigmoid everywhere, quadratic cost.
import random

import mnist_loader
import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
training_data = list(training_data)   # python 3: zip -> list
test_data = list(test_data)

np.random.seed(1)
# weights are (out, in) so that W @ x works with x a (784, 1) column
W1 = np.random.randn(30, 784)
b1 = np.random.randn(30, 1)
W2 = np.random.randn(10, 30)
b2 = np.random.randn(10, 1)

eta = 0.5       # one example at a time so smaller than Nielsen's 3.0
epochs = 5

for epoch in range(epochs):
    random.shuffle(training_data)
    cost = 0.0
    for x, y in training_data:
        # ---- forward pass ----
        z1 = W1 @ x + b1
        a1 = sigmoid(z1)
        z2 = W2 @ a1 + b2
        a2 = sigmoid(z2)
        cost += 0.5 * np.sum((a2 - y) ** 2)

        # ---- backprop (C = 1/2 ||a2 - y||^2) ----
        delta2 = (a2 - y)  # error at the output layer
        delta1 = (W2.T @ delta2) * sigmoid_prime(z1)

        # ---- gradient step after every single example ----
        W2 -= eta * (delta2 @ a1.T)
        b2 -= eta * delta2
        W1 -= eta * (delta1 @ x.T)
        b1 -= eta * delta1

    # ---- how are we doing on the test set? ----
    correct = 0
    for x, y in test_data:
        out = sigmoid(W2 @ sigmoid(W1 @ x + b1) + b2)
        if np.argmax(out) == y:
            correct += 1
    print("Epoch", epoch, "cost", cost / len(training_data),
          "test:", correct, "/", len(test_data))
