# the video's network without init_params(): weights as globals, columns (784, m), full batch
import numpy as np
import pandas as pd

data = np.array(pd.read_csv("train.csv"))
np.random.shuffle(data)
Y_train = data[:, 0]
X_train = data[:, 1:].T / 255.0

W1 = np.random.rand(10, 784) - 0.5
b1 = np.random.rand(10, 1) - 0.5
W2 = np.random.rand(10, 10) - 0.5
b2 = np.random.rand(10, 1) - 0.5


def ReLU(Z):
    return np.maximum(Z, 0)


def softmax(Z):
    A = np.exp(Z - Z.max(axis=0))
    return A / A.sum(axis=0)


def forward_prop(X):
    global Z1, A1, Z2, A2
    Z1 = W1.dot(X) + b1
    A1 = ReLU(Z1)
    Z2 = W2.dot(A1) + b2
    A2 = softmax(Z2)
    return A2


def one_hot(Y):
    one_hot_Y = np.zeros((10, Y.size))
    one_hot_Y[Y, np.arange(Y.size)] = 1
    return one_hot_Y


def backward_prop(X, Y):
    m = Y.size
    dZ2 = A2 - one_hot(Y)
    dW2 = 1 / m * dZ2.dot(A1.T)
    db2 = 1 / m * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = W2.T.dot(dZ2) * (Z1 > 0)
    dW1 = 1 / m * dZ1.dot(X.T)
    db1 = 1 / m * np.sum(dZ1, axis=1, keepdims=True)
    return dW1, db1, dW2, db2


def update_params(dW1, db1, dW2, db2, alpha):
    global W1, b1, W2, b2
    W1 -= alpha * dW1
    b1 -= alpha * db1
    W2 -= alpha * dW2
    b2 -= alpha * db2


def get_accuracy(X, Y):
    return np.mean(np.argmax(forward_prop(X), axis=0) == Y)


def gradient_descent(X, Y, alpha, iterations):
    for i in range(iterations):
        forward_prop(X)
        dW1, db1, dW2, db2 = backward_prop(X, Y)
        update_params(dW1, db1, dW2, db2, alpha)
        if i % 10 == 0:
            print("Iteration:", i, "accuracy:", get_accuracy(X, Y))


gradient_descent(X_train, Y_train, 0.10, 500)
np.save("trained_W1.npy", W1)
