# A neural network like the one in the 3Blue1Brown videos, but with 3 hidden layers of 16.
# 784 -> 16 -> 16 -> 16 -> 10, sigmoid everywhere, cost = sum of (output - wanted)^2
import random
import numpy as np
from load_data import get_mnist

np.random.seed(1)

# weights and biases, layer 1 is the first hidden layer
W1 = np.random.randn(16, 784)
W2 = np.random.randn(16, 16)
W3 = np.random.randn(16, 16)
W4 = np.random.randn(10, 16)
b1 = np.zeros(16)
b2 = np.zeros(16)
b3 = np.zeros(16)
b4 = np.zeros(10)

# the activations of the last forward pass
a0 = a1 = a2 = a3 = a4 = None
z1 = z2 = z3 = z4 = None


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1 - s)


def forward(x):
    global a0, a1, a2, a3, a4, z1, z2, z3, z4
    a0 = x
    z1 = W1 @ a0 + b1
    a1 = sigmoid(z1)
    z2 = W2 @ a1 + b2
    a2 = sigmoid(z2)
    z3 = W3 @ a2 + b3
    a3 = sigmoid(z3)
    z4 = W4 @ a3 + b4
    a4 = sigmoid(z4)


def backprop(y):
    # how much the cost changes with each z, last layer first
    d4 = 2 * (a4 - y) * sigmoid_prime(z4)
    d3 = (W4.T @ d4) * sigmoid_prime(z3)
    d2 = (W3.T @ d3) * sigmoid_prime(z2)
    d1 = (W2.T @ d2) * sigmoid_prime(z1)
    dW4 = np.outer(d4, a3)
    dW3 = np.outer(d3, a2)
    dW2 = np.outer(d2, a1)
    dW1 = np.outer(d1, a0)
    return [dW1, d1, dW2, d2, dW3, d3, dW4, d4]


def update(grads, eta):
    global W1, b1, W2, b2, W3, b3, W4, b4
    dW1, db1, dW2, db2, dW3, db3, dW4, db4 = grads
    W1 = W1 - eta * dW1
    b1 = b1 - eta * db1
    W2 = W2 - eta * dW2
    b2 = b2 - eta * db2
    W3 = W3 - eta * dW3
    b3 = b3 - eta * db3
    W4 = W4 - eta * dW4
    b4 = b4 - eta * db4


def wanted(label):
    y = np.zeros(10)
    y[label] = 1
    return y


def train_step(x, label, eta):
    y = wanted(label)
    forward(x)
    grads = backprop(y)
    update(grads, eta)
    return np.sum((a4 - y) ** 2)


def predict(x):
    forward(x)
    return np.argmax(a4)


def accuracy(data):
    correct = 0
    for x, label in data:
        if predict(x) == label:
            correct += 1
    return correct / len(data)


def train(data, epochs, eta):
    for epoch in range(epochs):
        random.shuffle(data)
        cost = 0
        for x, label in data:
            cost += train_step(x, label, eta)
        print("epoch", epoch, "cost", cost / len(data))


train_data, test_data = get_mnist()
train(train_data, 5, 1.0)
print("accuracy:", accuracy(test_data))
