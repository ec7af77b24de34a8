# ruff: noqa  (a learner's program, kept in their style)
"""Simple MNIST NN from scratch, now with momentum and mini-batches."""
import numpy as np
import load_mnist


def init_params():
    W1 = np.random.randn(32, 784) * np.sqrt(1 / 784)
    b1 = np.zeros((32, 1))
    W2 = np.random.randn(10, 32) * np.sqrt(1 / 32)
    b2 = np.zeros((10, 1))
    return W1, b1, W2, b2


def init_velocity():
    return np.zeros((32, 784)), np.zeros((32, 1)), np.zeros((10, 32)), np.zeros((10, 1))


def ReLU(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    A = np.exp(Z - Z.max(axis=0))
    return A / A.sum(axis=0)


def one_hot(Y):
    one_hot_Y = np.zeros((10, Y.size))
    one_hot_Y[Y, np.arange(Y.size)] = 1
    return one_hot_Y


def forward_prop(W1, b1, W2, b2, X):
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return Z1, A1, Z2, A2


def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):
    m = Y.size
    dZ2 = A2 - one_hot(Y)
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = W2.T.dot(dZ2) * (Z1 > 0)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, vW1, vb1, vW2, vb2, alpha, beta):
    vW1 = beta * vW1 - alpha * dW1
    vb1 = beta * vb1 - alpha * db1
    vW2 = beta * vW2 - alpha * dW2
    vb2 = beta * vb2 - alpha * db2
    return W1 + vW1, b1 + vb1, W2 + vW2, b2 + vb2, vW1, vb1, vW2, vb2


def get_predictions(A2):
    return np.argmax(A2, 0)


def get_accuracy(predictions, Y):
    return np.sum(predictions == Y) / Y.size


def train(X, Y, alpha, beta, epochs, batch_size):
    W1, b1, W2, b2 = init_params()
    vW1, vb1, vW2, vb2 = init_velocity()
    m = X.shape[1]
    for epoch in range(epochs):
        order = np.random.permutation(m)
        for k in range(0, m, batch_size):
            idx = order[k:k + batch_size]
            Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X[:, idx])
            dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X[:, idx], Y[idx])
            W1, b1, W2, b2, vW1, vb1, vW2, vb2 = update_params(
                W1, b1, W2, b2, dW1, db1, dW2, db2, vW1, vb1, vW2, vb2, alpha, beta)
        _, _, _, A2 = forward_prop(W1, b1, W2, b2, X)
        print("epoch", epoch, "accuracy", get_accuracy(get_predictions(A2), Y))
    return W1, b1, W2, b2


X_train, Y_train, X_test, Y_test = load_mnist.load()
W1, b1, W2, b2 = train(X_train, Y_train, 0.1, 0.9, 10, 64)
