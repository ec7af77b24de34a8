# three layers, rows; the weights are appended to one list as the sizes are walked, the network
# is made inside train(), and forward() hands back every layer's activation
import gzip

import numpy as np

PATH = "data/"


def read_images(name):
    with gzip.open(PATH + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)


def read_labels(name):
    with gzip.open(PATH + name) as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)


def init_network(sizes):
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        params.append(np.random.randn(n_in, n_out) * np.sqrt(1.0 / n_in))
        params.append(np.zeros((1, n_out)))
    return params


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(params, X):
    W1, b1, W2, b2, W3, b3 = params
    h1 = np.tanh(X @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    out = softmax(h2 @ W3 + b3)
    return [X, h1, h2, out]


def backward(params, activations, Y):
    W1, b1, W2, b2, W3, b3 = params
    X, h1, h2, out = activations
    m = X.shape[0]
    d3 = (out - Y) / m
    dW3 = h2.T @ d3
    db3 = d3.sum(axis=0, keepdims=True)
    d2 = (d3 @ W3.T) * (1 - h2 ** 2)
    dW2 = h1.T @ d2
    db2 = d2.sum(axis=0, keepdims=True)
    d1 = (d2 @ W2.T) * (1 - h1 ** 2)
    dW1 = X.T @ d1
    db1 = d1.sum(axis=0, keepdims=True)
    return [dW1, db1, dW2, db2, dW3, db3]


def accuracy(params, X, labels):
    return (forward(params, X)[-1].argmax(axis=1) == labels).mean()


def train(X, labels, epochs, lr, batch_size):
    params = init_network([784, 64, 32, 10])
    Y = np.zeros((len(labels), 10))
    Y[np.arange(len(labels)), labels] = 1
    for epoch in range(epochs):
        order = np.random.permutation(len(X))
        for i in range(0, len(X), batch_size):
            batch = order[i:i + batch_size]
            acts = forward(params, X[batch])
            grads = backward(params, acts, Y[batch])
            params = [p - lr * g for p, g in zip(params, grads)]
        print("epoch", epoch, "train accuracy", accuracy(params, X, labels))
    return params


np.random.seed(7)
X_train = read_images("train-images-idx3-ubyte.gz")[:10000] / 255.0
y_train = read_labels("train-labels-idx1-ubyte.gz")[:10000]
params = train(X_train, y_train, epochs=3, lr=0.1, batch_size=32)
