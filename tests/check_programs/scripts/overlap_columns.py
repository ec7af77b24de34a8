# MNIST from the idx.gz files, examples as columns (784, n)
# 784 -> 100 relu -> 10 softmax + cross entropy, mini batches of 128
import gzip

import numpy as np

with gzip.open('train-images-idx3-ubyte.gz', 'rb') as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
with gzip.open('train-labels-idx1-ubyte.gz', 'rb') as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)

X = images.T.astype(np.float64) / 255.0     # (784, n)
n = X.shape[1]
Y = np.zeros((10, n))
Y[labels, np.arange(n)] = 1.0

np.random.seed(7)
w_ih = np.random.randn(100, 784) * np.sqrt(2.0 / 784)
b_h = np.zeros((100, 1))
w_ho = np.random.randn(10, 100) * np.sqrt(2.0 / 100)
b_o = np.zeros((10, 1))

lr = 0.05
batch_size = 128
epochs = 15

for epoch in range(epochs):
    perm = np.random.permutation(n)
    # go through the data in chunks
    for i in range(0, n, batch_size // 2):
        idx = perm[i:i + batch_size]
        xb = X[:, idx]
        yb = Y[:, idx]
        k = xb.shape[1]

        h_in = w_ih @ xb + b_h
        h = np.maximum(h_in, 0)
        o_in = w_ho @ h + b_o
        e = np.exp(o_in - np.max(o_in, axis=0))
        probs = e / e.sum(axis=0)

        # gradients (softmax + CE => probs - y)
        d_o = (probs - yb) / k
        dw_ho = d_o @ h.T
        db_o = d_o.sum(axis=1, keepdims=True)
        d_h = (w_ho.T @ d_o) * (h_in > 0)
        dw_ih = d_h @ xb.T
        db_h = d_h.sum(axis=1, keepdims=True)

        w_ho -= lr * dw_ho
        b_o -= lr * db_o
        w_ih -= lr * dw_ih
        b_h -= lr * db_h

    # whole training set loss / accuracy after each epoch
    h = np.maximum(w_ih @ X + b_h, 0)
    out = w_ho @ h + b_o
    out = out - out.max(axis=0)
    logp = out - np.log(np.exp(out).sum(axis=0))
    acc = np.mean(out.argmax(0) == labels)
    print("epoch %d loss %.4f acc %.4f" % (epoch, -np.sum(Y * logp) / n, acc))
