# ruff: noqa  (a learner's program, kept in their style)
# functional style: parameters in a dict, examples as columns, sigmoid everywhere, MSE
import numpy as np


def init_params(layer_dims=(784, 32, 10), seed=1):
    np.random.seed(seed)
    params = {}
    for l in range(1, len(layer_dims)):
        params["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        params["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return params


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def forward(X, params):
    cache = {"A0": X}
    A = X
    L = len(params) // 2
    for l in range(1, L + 1):
        Z = params["W" + str(l)] @ A + params["b" + str(l)]
        A = sigmoid(Z)
        cache["Z" + str(l)] = Z
        cache["A" + str(l)] = A
    return A, cache


def backward(Y, params, cache):
    grads = {}
    L = len(params) // 2
    m = Y.shape[1]
    A = cache["A" + str(L)]
    dZ = (A - Y) * A * (1 - A) / m
    for l in range(L, 0, -1):
        grads["dW" + str(l)] = dZ @ cache["A" + str(l - 1)].T
        grads["db" + str(l)] = dZ.sum(axis=1, keepdims=True)
        if l > 1:
            A_prev = cache["A" + str(l - 1)]
            dZ = (params["W" + str(l)].T @ dZ) * A_prev * (1 - A_prev)
    return grads


def update(params, grads, lr):
    L = len(params) // 2
    for l in range(1, L + 1):
        params["W" + str(l)] -= lr * grads["dW" + str(l)]
        params["b" + str(l)] -= lr * grads["db" + str(l)]
    return params


def train(X, Y, params, epochs=20, batch_size=16, lr=2.0):
    m = X.shape[1]
    for epoch in range(epochs):
        perm = np.random.permutation(m)
        for k in range(0, m, batch_size):
            cols = perm[k:k + batch_size]
            A, cache = forward(X[:, cols], params)
            grads = backward(Y[:, cols], params, cache)
            params = update(params, grads, lr)
    return params


def accuracy(X, labels, params):
    A, _ = forward(X, params)
    return np.mean(np.argmax(A, axis=0) == labels)


if __name__ == "__main__":
    from mnist_loader_np import load_data_columns

    X_train, Y_train, X_test, y_test = load_data_columns()
    params = init_params()
    params = train(X_train, Y_train, params, epochs=20, batch_size=16, lr=2.0)
    print("test accuracy:", accuracy(X_test, y_test, params))
