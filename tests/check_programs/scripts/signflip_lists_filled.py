# neural network from scratch - mnist
# rows are samples: X is (batch, 784), theta[i] is (n_in, n_out)
import gzip

import numpy as np


def get_images(fname, count):
    with gzip.open(fname, 'rb') as fh:
        buf = fh.read()
    arr = np.frombuffer(buf, dtype=np.uint8, offset=16)
    return arr.reshape(-1, 784)[:count].astype(np.float64) / 255.0

def get_labels(fname, count):
    with gzip.open(fname, 'rb') as fh:
        buf = fh.read()
    return np.frombuffer(buf, dtype=np.uint8, offset=8)[:count]

folder = 'mnist/'
train_X = get_images(folder + 'train-images-idx3-ubyte.gz', 10000)
train_y = get_labels(folder + 'train-labels-idx1-ubyte.gz', 10000)
test_X = get_images(folder + 't10k-images-idx3-ubyte.gz', 2000)
test_y = get_labels(folder + 't10k-labels-idx1-ubyte.gz', 2000)

train_Y = np.zeros((len(train_y), 10))
for i, lab in enumerate(train_y):
    train_Y[i, lab] = 1

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

np.random.seed(2024)
layers = [784, 64, 32, 10]
theta = []
bias = []
for i in range(len(layers) - 1):
    theta.append(np.random.uniform(-1, 1, (layers[i], layers[i + 1])) / np.sqrt(layers[i]))
    bias.append(np.zeros(layers[i + 1]))

eta = 2.0
batch_size = 16
num_epochs = 2
N = len(train_X)

for epoch in range(num_epochs):
    perm = np.random.permutation(N)
    cost = 0
    for start in range(0, N, batch_size):
        ids = perm[start:start + batch_size]
        X = train_X[ids]
        Y = train_Y[ids]
        m = len(ids)

        # feed forward, remember all the activations
        outs = [X]
        for w, b in zip(theta, bias):
            outs.append(sigmoid(outs[-1] @ w + b))

        # quadratic cost C = 1/2 * sum (y - a)^2
        err = Y - outs[-1]
        cost += 0.5 * np.sum(err ** 2)

        # backprop, sigmoid'(z) = a(1-a)
        delta = err * outs[-1] * (1 - outs[-1])
        dtheta = [None] * len(theta)
        dbias = [None] * len(bias)
        for l in range(len(theta) - 1, -1, -1):
            dtheta[l] = outs[l].T @ delta
            dbias[l] = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ theta[l].T) * outs[l] * (1 - outs[l])

        for l in range(len(theta)):
            theta[l] -= eta * dtheta[l] / m
            bias[l] -= eta * dbias[l] / m

    # accuracy on test set
    a = test_X
    for w, b in zip(theta, bias):
        a = sigmoid(a @ w + b)
    accuracy = np.mean(np.argmax(a, axis=1) == test_y)
    print('epoch', epoch + 1, ' cost =', round(cost / N, 4),
          ' test accuracy =', round(accuracy * 100, 2), '%')
