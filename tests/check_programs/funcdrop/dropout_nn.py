# ruff: noqa  (a learner's program, kept in their style)
"""Coursera week 1 (regularization), on MNIST: inverted dropout on the hidden layer."""
import numpy as np
from mnist_data import load_mnist


def initialize_parameters(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def softmax(Z):
    T = np.exp(Z - Z.max(axis=0, keepdims=True))
    return T / T.sum(axis=0, keepdims=True)


def forward_propagation(X, parameters):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.maximum(0, Z1)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = softmax(Z2)
    return A2, (Z1, A1, Z2, A2)


def forward_propagation_with_dropout(X, parameters, keep_prob=0.8):
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.maximum(0, Z1)
    D1 = np.random.rand(*A1.shape) < keep_prob
    A1 = A1 * D1 / keep_prob
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    A2 = softmax(Z2)
    return A2, (Z1, D1, A1, parameters["W2"], Z2, A2)


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    m = X.shape[1]
    Z1, D1, A1, W2, Z2, A2 = cache
    dZ2 = A2 - Y
    gradients = {"dW2": dZ2 @ A1.T / m, "db2": dZ2.sum(axis=1, keepdims=True) / m}
    dA1 = W2.T @ dZ2
    dA1 = dA1 * D1 / keep_prob
    dZ1 = dA1 * (Z1 > 0)
    gradients["dW1"] = dZ1 @ X.T / m
    gradients["db1"] = dZ1.sum(axis=1, keepdims=True) / m
    return gradients


def compute_cost(A2, Y):
    return -np.sum(Y * np.log(A2 + 1e-12)) / Y.shape[1]


def update_parameters(parameters, grads, learning_rate):
    for l in range(1, len(parameters) // 2 + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters


def model(X, Y, learning_rate=0.3, num_epochs=10, mini_batch_size=128, keep_prob=0.8):
    layers_dims = [X.shape[0], 64, 10]
    parameters = initialize_parameters(layers_dims)
    m = X.shape[1]
    for i in range(num_epochs):
        order = np.random.permutation(m)
        for k in range(0, m, mini_batch_size):
            batch = order[k:k + mini_batch_size]
            A2, cache = forward_propagation_with_dropout(X[:, batch], parameters, keep_prob)
            grads = backward_propagation_with_dropout(X[:, batch], Y[:, batch], cache, keep_prob)
            parameters = update_parameters(parameters, grads, learning_rate)
        A2, _ = forward_propagation(X, parameters)
        print("Cost after epoch {}: {}".format(i, compute_cost(A2, Y)))
    return parameters


train_X, train_Y, test_X, test_Y = load_mnist()
parameters = model(train_X, train_Y)
