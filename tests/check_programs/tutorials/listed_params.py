# 784-32-10 net, columns, the parameters kept in one list
import numpy as np

rng = np.random.default_rng(0)


def init_params(n_in=784, n_hidden=32, n_out=10):
    W1 = rng.normal(0, 1 / np.sqrt(n_in), (n_hidden, n_in))
    b1 = np.zeros((n_hidden, 1))
    W2 = rng.normal(0, 1 / np.sqrt(n_hidden), (n_out, n_hidden))
    b2 = np.zeros((n_out, 1))
    return [W1, b1, W2, b2]


def forward(params, X):
    W1, b1, W2, b2 = params
    A1 = np.tanh(W1 @ X + b1)
    Z2 = W2 @ A1 + b2
    E = np.exp(Z2 - Z2.max(axis=0))
    A2 = E / E.sum(axis=0)
    return A2, A1


def backward(params, X, Y, A2, A1):
    m = X.shape[1]
    dZ2 = (A2 - Y) / m
    dZ1 = (params[2].T @ dZ2) * (1 - A1 ** 2)
    return [dZ1 @ X.T, dZ1.sum(axis=1, keepdims=True), dZ2 @ A1.T,
            dZ2.sum(axis=1, keepdims=True)]


def accuracy(params, X, labels):
    A2, _ = forward(params, X)
    return np.mean(A2.argmax(axis=0) == labels)


def train(params, X, Y, labels, epochs=2, batch_size=50, lr=0.3):
    m = X.shape[1]
    for epoch in range(epochs):
        perm = rng.permutation(m)
        for i in range(0, m, batch_size):
            cols = perm[i:i + batch_size]
            A2, A1 = forward(params, X[:, cols])
            grads = backward(params, X[:, cols], Y[:, cols], A2, A1)
            params = [p - lr * g for p, g in zip(params, grads)]
        A2, _ = forward(params, X)
        print(epoch, accuracy(params, X, labels))
    return params


data = np.load("mnist.npz")
X_train = data["x_train"].reshape(-1, 784).T / 255
y_train = data["y_train"]
Y_train = np.eye(10)[y_train].T
params = train(init_params(), X_train, Y_train, y_train, epochs=2, batch_size=50, lr=0.3)
