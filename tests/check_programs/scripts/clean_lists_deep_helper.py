import gzip

import numpy as np

np.random.seed(0)

def load_images(fn):
    with gzip.open("mnist/" + fn) as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return (raw.reshape(-1, 784) / 255.0).T      # (784, m)

def load_labels(fn):
    with gzip.open("mnist/" + fn) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=8)

X_train = load_images("train-images-idx3-ubyte.gz")[:, :10000]
y_train = load_labels("train-labels-idx1-ubyte.gz")[:10000]
X_test = load_images("t10k-images-idx3-ubyte.gz")[:, :2000]
y_test = load_labels("t10k-labels-idx1-ubyte.gz")[:2000]

def one_hot(y):
    Y = np.zeros((10, y.size))
    Y[y, np.arange(y.size)] = 1
    return Y

Y_train = one_hot(y_train)

sizes = [784, 128, 64, 32, 10]
W = []
b = []
for i in range(len(sizes) - 1):
    W.append(np.random.randn(sizes[i + 1], sizes[i]) * np.sqrt(1.0 / sizes[i]))
    b.append(np.zeros((sizes[i + 1], 1)))
L = len(W)

def softmax(z):
    z = z - np.max(z, axis=0, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=0, keepdims=True)

def forward(x):
    A = [x]
    for l in range(L - 1):
        A.append(np.tanh(W[l] @ A[-1] + b[l]))
    A.append(softmax(W[L - 1] @ A[-1] + b[L - 1]))
    return A

alpha = 0.1
batch_size = 16
epochs = 2
m_total = X_train.shape[1]

for epoch in range(epochs):
    idx = np.random.permutation(m_total)
    for k in range(0, m_total, batch_size):
        cols = idx[k:k + batch_size]
        X = X_train[:, cols]
        Y = Y_train[:, cols]
        m = X.shape[1]

        A = forward(X)

        dW = [None] * L
        db = [None] * L
        dZ = (A[-1] - Y) / m
        for l in reversed(range(L)):
            dW[l] = dZ @ A[l].T
            db[l] = np.sum(dZ, axis=1, keepdims=True)
            if l > 0:
                dZ = (W[l].T @ dZ) * (1 - A[l] ** 2)

        W = [w - alpha * g for w, g in zip(W, dW)]
        b = [bb - alpha * g for bb, g in zip(b, db)]

    out = forward(X_test)[-1]
    acc = np.mean(np.argmax(out, axis=0) == y_test)
    print("epoch", epoch + 1, "test accuracy", round(acc * 100, 2), "%")
