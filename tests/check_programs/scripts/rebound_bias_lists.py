"""Vectorised version of the chapter 2 network, with loops over the lists to step them.

Instead of one example at a time, a whole mini batch goes through as a
(784, m) matrix, one column per image.
"""
import gzip

import numpy as np


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        buf = f.read()
    return np.frombuffer(buf, dtype=np.uint8, offset=offset)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def dsigmoid(z):
    s = sigmoid(z)
    return s * (1 - s)


if __name__ == "__main__":
    root = "mnist/"
    # (784, 10000)
    X = read_idx(root + "train-images-idx3-ubyte.gz", 16).reshape(-1, 784)[:10000].T / 255.0
    y = read_idx(root + "train-labels-idx1-ubyte.gz", 8)[:10000]
    Xt = read_idx(root + "t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784)[:2000].T / 255.0
    yt = read_idx(root + "t10k-labels-idx1-ubyte.gz", 8)[:2000]
    Y = np.eye(10)[y].T   # (10, 10000) one hot columns

    rng = np.random.default_rng(42)
    layers = [784, 64, 10]
    W = [rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
         for n_in, n_out in zip(layers[:-1], layers[1:])]
    B = [np.zeros((n_out, 1)) for n_out in layers[1:]]
    L = len(W)

    alpha = 3.0
    m = 20
    n = X.shape[1]

    for epoch in range(2):
        order = rng.permutation(n)
        X, Y = X[:, order], Y[:, order]
        for start in range(0, n, m):
            xb = X[:, start:start + m]
            yb = Y[:, start:start + m]
            # forward, keep everything
            A = [xb]
            Z = []
            for i in range(L):
                Z.append(W[i] @ A[-1] + B[i])
                A.append(sigmoid(Z[-1]))
            # backward
            dW = [None] * L
            dB = [None] * L
            d = (A[-1] - yb) * dsigmoid(Z[-1])
            for i in reversed(range(L)):
                dW[i] = d @ A[i].T
                dB[i] = d.sum(axis=1, keepdims=True)
                if i > 0:
                    d = (W[i].T @ d) * dsigmoid(Z[i - 1])
            k = xb.shape[1]
            for w, gw in zip(W, dW):
                w -= alpha / k * gw
            for b, gb in zip(B, dB):
                b = b - alpha / k * gb

        out = Xt
        for w, b in zip(W, B):
            out = sigmoid(w @ out + b)
        acc = np.mean(np.argmax(out, axis=0) == yt)
        print(f"epoch {epoch+1}: test acc = {acc*100:.2f}%")
