# two layer net on mnist, rows, params in a dict
# no update function: the training loop steps the dict itself
import numpy as np
from load import load_mnist

np.random.seed(3)


def init_network(n_in=784, n_hidden=48, n_out=10):
    net = {}
    net["W1"] = np.random.randn(n_in, n_hidden) * 0.05
    net["b1"] = np.zeros(n_hidden)
    net["W2"] = np.random.randn(n_hidden, n_out) * 0.05
    net["b2"] = np.zeros(n_out)
    return net


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(params, X):
    h = sigmoid(X @ params["W1"] + params["b1"])
    s = h @ params["W2"] + params["b2"]
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True), h


def backward(params, X, h, probs, labels):
    n = len(labels)
    d2 = probs.copy()
    d2[np.arange(n), labels] -= 1
    d2 /= n
    d1 = (d2 @ params["W2"].T) * h * (1 - h)
    return {"W1": X.T @ d1, "b1": d1.sum(axis=0), "W2": h.T @ d2, "b2": d2.sum(axis=0)}


def accuracy(params, X, labels):
    probs, _ = forward(params, X)
    return np.mean(probs.argmax(axis=1) == labels)


def train(params, X, labels, epochs=3, batch_size=100, lr=0.5):
    for epoch in range(epochs):
        order = np.random.permutation(len(X))
        for i in range(0, len(X), batch_size):
            idx = order[i:i + batch_size]
            probs, h = forward(params, X[idx])
            grads = backward(params, X[idx], h, probs, labels[idx])
            for name in params:
                params[name] -= lr * grads[name]
        print("epoch", epoch, "accuracy", accuracy(params, X, labels))
    return params


X_train, y_train, X_test, y_test = load_mnist()
params = init_network()
params = train(params, X_train, y_train, epochs=3, batch_size=100, lr=0.5)
print("test accuracy", accuracy(params, X_test, y_test))
