# handwritten digits from the 32x32 text files (trainingDigits / testDigits)
# network 1024 -> 64 -> 10, no biases, sigmoid, cost = sum (o - t)^2
import os

import numpy as np


def img2vector(filename):
    # every file has 32 lines of 32 '0'/'1' characters
    vec = np.zeros((1024, 1))
    with open(filename) as fr:
        for i in range(32):
            line = fr.readline()
            for j in range(32):
                vec[32 * i + j, 0] = int(line[j])
    return vec


def load_dir(dirname):
    xs, labels = [], []
    for name in sorted(os.listdir(dirname)):
        labels.append(int(name.split("_")[0]))   # file name is <label>_<n>.txt
        xs.append(img2vector(os.path.join(dirname, name)))
    return xs, labels


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


train_x, train_y = load_dir("trainingDigits")
test_x, test_y = load_dir("testDigits")

np.random.seed(0)
# V : input -> hidden, W : hidden -> output
V = np.random.randn(64, 1024) / np.sqrt(1024)
W = np.random.randn(10, 64) / np.sqrt(64)

lr = 0.05
epochs = 30

for epoch in range(epochs):
    cost = 0.0
    order = np.random.permutation(len(train_x))
    for i in order:
        x = train_x[i]
        t = np.zeros((10, 1))
        t[train_y[i]] = 1.0

        # forward
        h = sigmoid(V @ x)
        o = sigmoid(W @ h)
        cost += np.sum((o - t) ** 2)

        # backward, d/do of (o-t)^2 is 2(o-t)
        delta_o = 2 * (o - t) * o * (1 - o)
        dW = delta_o @ h.T
        delta_h = (W.T @ delta_o) * h * (1 - h)
        dV = delta_h @ x.T

        # update
        W -= lr * dW
        V -= lr * dV

    right = sum(int(np.argmax(sigmoid(W @ sigmoid(V @ x))) == y) for x, y in zip(test_x, test_y))
    print("epoch", epoch, "cost", cost / len(train_x), "test acc", right / len(test_x))
