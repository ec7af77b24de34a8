# mnist.pkl.gz (the file from Nielsen's repo) loaded straight with pickle
# x -> h (sigmoid) -> y (softmax), mini-batch SGD
import gzip
import pickle

import numpy as np

with gzip.open("mnist.pkl.gz", "rb") as f:
    train_set, valid_set, test_set = pickle.load(f, encoding="latin1")
X, labels = train_set          # X is (50000, 784) already in [0, 1]
X_val, labels_val = valid_set

T = np.zeros((len(labels), 10))
T[np.arange(len(labels)), labels] = 1


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


hidden = 100
Wxh = np.random.randn(784, hidden) * 0.1
bh = np.zeros((1, hidden))
Why = np.random.randn(hidden, 10) * 0.1
by = np.zeros((1, 10))

lr = 0.5
batch_size = 32
num_epochs = 6
perm = np.arange(X.shape[0])

for epoch in range(num_epochs):
    np.random.shuffle(perm)
    losses = []
    for k in range(0, len(perm), batch_size):
        ids = perm[k:k + batch_size]
        x, t = X[ids], T[ids]
        bs = x.shape[0]

        # forward
        h = sigmoid(x.dot(Wxh) + bh)
        y = softmax(h.dot(Why) + by)
        losses.append(-np.sum(t * np.log(y + 1e-10)) / bs)

        # backward
        dy = (y - t) / bs
        dWhy = h.T.dot(dy)
        dby = np.sum(dy, axis=0, keepdims=True)
        dh = dy.dot(Why.T) * h * (1 - h)
        dWxh = x.T.dot(dh)
        dbh = np.sum(dh, axis=0, keepdims=True)

        # sgd step
        Wxh -= lr * dWxh
        bh -= lr * dbh
        Why -= lr * dWhy
        by -= lr * dby

    val_out = softmax(sigmoid(X_val.dot(Wxh) + bh).dot(Why) + by)
    print("epoch %d loss %.4f val acc %.4f" % (epoch, np.mean(losses),
          np.mean(val_out.argmax(axis=1) == labels_val)))
