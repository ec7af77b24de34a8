# 3b1b style network, but with whole mini batches at once
# each column of X is one image
import gzip

import numpy as np


def load(fn, off):
    f = gzip.open("mnist/" + fn, "rb")
    raw = f.read()
    f.close()
    return np.frombuffer(raw, np.uint8, offset=off)

X = load("train-images-idx3-ubyte.gz", 16).reshape(60000, 784)[:10000].T.astype(float) / 255
labels = load("train-labels-idx1-ubyte.gz", 8)[:10000]
X_test = load("t10k-images-idx3-ubyte.gz", 16).reshape(10000, 784)[:2000].T.astype(float) / 255
labels_test = load("t10k-labels-idx1-ubyte.gz", 8)[:2000]

n = X.shape[1]
Y = np.zeros((10, n))
Y[labels, np.arange(n)] = 1.0

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))

np.random.seed(7)
sizes = [784, 30, 10]
W = [np.random.randn(j, i) / np.sqrt(i) for i, j in zip(sizes[:-1], sizes[1:])]
b = [np.random.randn(j, 1) for j in sizes[1:]]

eta = 3.0
batch_size = 10
epochs = 2

for epoch in range(epochs):
    p = np.random.permutation(n)
    X = X[:, p]
    Y = Y[:, p]
    for k in range(n // batch_size):
        xb = X[:, k:k + batch_size]
        yb = Y[:, k:k + batch_size]
        m = xb.shape[1]

        a = [xb]
        zs = []
        for w_, b_ in zip(W, b):
            zs.append(w_ @ a[-1] + b_)
            a.append(sigmoid(zs[-1]))

        delta = (a[-1] - yb) * sigmoid_prime(zs[-1])
        nabla_w = [None] * len(W)
        nabla_b = [None] * len(b)
        nabla_w[-1] = delta @ a[-2].T
        nabla_b[-1] = np.sum(delta, axis=1, keepdims=True)
        for l in range(2, len(sizes)):
            delta = (W[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
            nabla_w[-l] = delta @ a[-l - 1].T
            nabla_b[-l] = np.sum(delta, axis=1, keepdims=True)

        W = [w_ - (eta / m) * nw for w_, nw in zip(W, nabla_w)]
        b = [b_ - (eta / m) * nb for b_, nb in zip(b, nabla_b)]

    # evaluate
    out = X_test
    for w_, b_ in zip(W, b):
        out = sigmoid(w_ @ out + b_)
    acc = (np.argmax(out, axis=0) == labels_test).mean()
    print("Epoch %d  test accuracy: %.2f %%" % (epoch + 1, 100 * acc))
