# my first neural net from scratch! 784-64-64-10, relu + softmax, mini-batch SGD
import numpy as np
from dataset.mnist import load_mnist

(X_train, y_train), (X_test, y_test) = load_mnist(normalize=True, one_hot_label=False)


def one_hot(y):
    Y = np.zeros((y.size, 10))
    Y[np.arange(y.size), y] = 1
    return Y


Y_train = one_hot(y_train)

np.random.seed(1)
W1 = np.random.randn(784, 64) * 0.05
b1 = np.zeros(64)
W2 = np.random.randn(64, 64) * 0.1
b2 = np.zeros(64)
W3 = np.random.randn(64, 10) * 0.1
b3 = np.zeros(10)
params = [W1, b1, W2, b2, W3, b3]

lr = 0.5
batch_size = 64
epochs = 10


def relu(z):
    return np.maximum(0, z)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(X):
    z1 = X @ W1 + b1
    a1 = relu(z1)
    z2 = a1 @ W2 + b2
    a2 = relu(z2)
    out = softmax(a2 @ W3 + b3)
    return out, (z1, a1, z2, a2, out)


def backward(X, Y, cache):
    z1, a1, z2, a2, out = cache
    m = X.shape[0]
    dz3 = (out - Y) / m
    dW3 = a2.T @ dz3
    db3 = dz3.sum(axis=0)
    dz2 = (dz3 @ W3.T) * (z2 > 0)
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return [dW1, db1, dW2, db2, dW3, db3]


def update(grads):
    for p, g in zip(params, grads):
        p -= lr * g


def loss(out, Y):
    return -np.mean(np.sum(Y * np.log(out + 1e-9), axis=1))


def train_step(Xb, Yb):
    out, cache = forward(Xb)
    grads = backward(Xb, Yb, cache)
    update(grads)
    return loss(out, Yb)


def train_epoch(X, Y):
    perm = np.random.permutation(X.shape[0])
    for i in range(0, X.shape[0], batch_size):
        idx = perm[i:i + batch_size]
        train_step(X[idx], Y[idx])


def evaluate(X, y):
    out, _ = forward(X)
    return np.mean(np.argmax(out, axis=1) == y)


for epoch in range(epochs):
    train_epoch(X_train, Y_train)
    print(f"epoch {epoch}: test accuracy {evaluate(X_test, y_test):.4f}")
