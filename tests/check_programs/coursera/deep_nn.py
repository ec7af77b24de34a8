# ruff: noqa  (a learner's program, kept in their style)
# L-layer network on MNIST, my own softmax (stable: subtract the max)
import numpy as np
from mnist_csv import load_mnist_csv


def initialize_parameters_deep(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters['W' + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2. / layer_dims[l - 1])
        parameters['b' + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def relu(Z):
    return np.maximum(0, Z)


def softmax(Z):
    T = np.exp(Z - np.max(Z))
    return T / np.sum(T, axis=0, keepdims=True)


def L_model_forward(X, parameters):
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        Z = parameters['W' + str(l)] @ A_prev + parameters['b' + str(l)]
        A = relu(Z)
        caches.append((A_prev, parameters['W' + str(l)], A))   # keep A: relu' is 1 where A > 0
    ZL = parameters['W' + str(L)] @ A + parameters['b' + str(L)]
    AL = softmax(ZL)
    caches.append((A, parameters['W' + str(L)], AL))
    return AL, caches


def compute_cost(AL, Y):
    m = Y.shape[1]
    return -np.sum(Y * np.log(AL + 1e-12)) / m


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    m = AL.shape[1]
    dZ = AL - Y
    for l in reversed(range(L)):
        A_prev, W, A = caches[l]
        if l < L - 1:
            dZ = dA * (A > 0)
        grads['dW' + str(l + 1)] = dZ @ A_prev.T / m
        grads['db' + str(l + 1)] = np.sum(dZ, axis=1, keepdims=True) / m
        dA = W.T @ dZ
    return grads


def update_parameters(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters['W' + str(l)] -= learning_rate * grads['dW' + str(l)]
        parameters['b' + str(l)] -= learning_rate * grads['db' + str(l)]
    return parameters


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation]
    mini_batches = []
    for k in range(0, m, mini_batch_size):
        mini_batches.append((shuffled_X[:, k:k + mini_batch_size], shuffled_Y[:, k:k + mini_batch_size]))
    return mini_batches


def predict(X, labels, parameters):
    AL, _ = L_model_forward(X, parameters)
    return np.mean(np.argmax(AL, axis=0) == labels)


def model(X, Y, layers_dims, learning_rate=0.1, mini_batch_size=64, num_epochs=10, print_cost=True):
    parameters = initialize_parameters_deep(layers_dims)
    seed = 10
    for i in range(num_epochs):
        seed = seed + 1
        cost_total = 0
        for minibatch_X, minibatch_Y in random_mini_batches(X, Y, mini_batch_size, seed):
            AL, caches = L_model_forward(minibatch_X, parameters)
            cost_total += compute_cost(AL, minibatch_Y)
            grads = L_model_backward(AL, minibatch_Y, caches)
            parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost:
            print("Cost after epoch %i: %f" % (i, cost_total))
    return parameters


train_x, train_y, test_x, test_labels = load_mnist_csv('mnist_train.csv', 'mnist_test.csv')
parameters = model(train_x, train_y, [784, 64, 32, 10], learning_rate=0.1, num_epochs=10)
print("test accuracy:", predict(test_x, test_labels, parameters))
