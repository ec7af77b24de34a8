# MNIST straight from the gzipped idx files
# 784 -> 128 relu -> 10 softmax, cross entropy, minibatch SGD
import gzip

import numpy as np

with gzip.open('train-images-idx3-ubyte.gz') as f:
    X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784) / 255.0
with gzip.open('train-labels-idx1-ubyte.gz') as f:
    y = np.frombuffer(f.read(), np.uint8, offset=8).astype(int)
with gzip.open('t10k-images-idx3-ubyte.gz') as f:
    X_test = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784) / 255.0
with gzip.open('t10k-labels-idx1-ubyte.gz') as f:
    y_test = np.frombuffer(f.read(), np.uint8, offset=8).astype(int)

n = X.shape[0]
print(X.shape, y.shape)

rng = np.random.default_rng(0)
W1 = rng.standard_normal((784, 128)) * np.sqrt(2 / 784)   # he init
b1 = np.zeros(128)
W2 = rng.standard_normal((128, 10)) * np.sqrt(2 / 128)
b2 = np.zeros(10)

lr = 0.1
batch_size = 64

for epoch in range(10):
    perm = rng.permutation(n)
    total_loss = 0
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        xb, yb = X[idx], y[idx]
        B = len(idx)
        # forward
        z1 = xb @ W1 + b1
        h = np.maximum(0, z1)
        z2 = h @ W2 + b2
        exps = np.exp(z2 - z2.max(axis=1, keepdims=True))
        probs = exps / exps.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(probs[np.arange(B), yb] + 1e-12))
        total_loss += loss * B
        # backward
        dz2 = probs.copy()
        dz2[np.arange(B), yb] -= 1
        dz2 /= B
        dW2 = h.T @ dz2
        db2 = dz2.sum(axis=0)
        dz1 = dz2 @ W2.T           # backprop into the hidden layer
        dW1 = xb.T @ dz1
        db1 = dz1.sum(axis=0)
        # sgd
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
    # test accuracy
    pred = (np.maximum(0, X_test @ W1 + b1) @ W2 + b2).argmax(axis=1)
    print("epoch", epoch, "loss", total_loss / n, "test acc", (pred == y_test).mean())
