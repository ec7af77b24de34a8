# MNIST, full batch gradient descent, column layout (each column is an image)
# cost = mean squared error over every entry of the output matrix
import gzip

import numpy as np


def load_images(path):
    with gzip.open(path, "rb") as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return data.reshape(-1, 784).T / 255.0          # (784, m)


def load_labels(path):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


X = load_images("data/train-images-idx3-ubyte.gz")
y = load_labels("data/train-labels-idx1-ubyte.gz")
X_test = load_images("data/t10k-images-idx3-ubyte.gz")
y_test = load_labels("data/t10k-labels-idx1-ubyte.gz")

m = X.shape[1]
Y = np.zeros((10, m))
Y[y, np.arange(m)] = 1

theta1 = np.random.randn(64, 784) * 0.05
bias1 = np.zeros((64, 1))
theta2 = np.random.randn(10, 64) * 0.05
bias2 = np.zeros((10, 1))

learning_rate = 4.0   # mse gradients are tiny, need a big step
iterations = 500

for it in range(iterations):
    # forward propagation
    Z1 = theta1.dot(X) + bias1
    A1 = sigmoid(Z1)
    Z2 = theta2.dot(A1) + bias2
    A2 = sigmoid(Z2)
    J = np.mean((A2 - Y) ** 2)

    # back propagation, np.mean divides by 10*m
    dA2 = 2 * (A2 - Y) / A2.size
    dZ2 = dA2 * A2 * (1 - A2)
    dtheta2 = dZ2.dot(A1.T)
    dbias2 = np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = theta2.T.dot(dZ2) * A1 * (1 - A1)
    dtheta1 = dZ1.dot(X.T)
    dbias1 = np.sum(dZ1, axis=1, keepdims=True)

    # gradient descent
    theta1 -= dtheta1 * learning_rate
    bias1 -= dbias1 * learning_rate
    theta2 -= dtheta2 * learning_rate
    bias2 -= dbias2 * learning_rate

    if it % 50 == 0:
        print("iteration", it, "cost", J, "train acc", np.mean(np.argmax(A2, axis=0) == y))

A2_test = sigmoid(theta2.dot(sigmoid(theta1.dot(X_test) + bias1)) + bias2)
print("test accuracy", np.mean(np.argmax(A2_test, axis=0) == y_test))
