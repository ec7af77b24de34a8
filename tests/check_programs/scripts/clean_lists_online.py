import gzip

import numpy as np

np.random.seed(1)

path = "mnist/"

def read_images(fname):
    with gzip.open(path + fname, "rb") as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return data.reshape(-1, 784).astype(np.float64) / 255.0

def read_labels(fname):
    with gzip.open(path + fname, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)

train_x = read_images("train-images-idx3-ubyte.gz")[:10000]
train_y = read_labels("train-labels-idx1-ubyte.gz")[:10000]
test_x = read_images("t10k-images-idx3-ubyte.gz")[:2000]
test_y = read_labels("t10k-labels-idx1-ubyte.gz")[:2000]

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))

sizes = [784, 30, 10]
L = len(sizes) - 1
biases = [np.random.randn(y, 1) for y in sizes[1:]]
weights = [np.random.randn(y, x) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]

eta = 0.5
epochs = 2

for epoch in range(epochs):
    order = np.random.permutation(len(train_x))
    for i in order:
        x = train_x[i].reshape(784, 1)
        y = np.zeros((10, 1))
        y[train_y[i]] = 1.0

        # forward
        activation = x
        activations = [x]
        zs = []
        for w, b in zip(weights, biases):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)

        # backward
        nabla_w = [np.zeros(w.shape) for w in weights]
        nabla_b = [np.zeros(b.shape) for b in biases]
        delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].T)
        for l in range(2, len(sizes)):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(weights[-l + 1].T, delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l - 1].T)

        for l in range(L):
            weights[l] -= eta * nabla_w[l]
            biases[l] -= eta * nabla_b[l]

    correct = 0
    for x, label in zip(test_x, test_y):
        a = x.reshape(784, 1)
        for w, b in zip(weights, biases):
            a = sigmoid(np.dot(w, a) + b)
        if np.argmax(a) == label:
            correct += 1
    print("Epoch {}: {} / {} test accuracy {:.4f}".format(
        epoch, correct, len(test_x), correct / len(test_x)))
