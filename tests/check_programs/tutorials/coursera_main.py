"""
Two layer neural network for MNIST digit classification
(following the structure of the deep learning specialization assignment)
LINEAR -> RELU -> LINEAR -> SOFTMAX
"""
import gzip

import numpy as np


def load_mnist(path, kind="train", num_examples=None):
    if kind == "test":
        kind = "t10k"
    labels_path = path + kind + "-labels-idx1-ubyte.gz"
    images_path = path + kind + "-images-idx3-ubyte.gz"

    with gzip.open(labels_path, "rb") as lbpath:
        labels = np.frombuffer(lbpath.read(), dtype=np.uint8, offset=8)

    with gzip.open(images_path, "rb") as imgpath:
        images = np.frombuffer(imgpath.read(), dtype=np.uint8, offset=16).reshape(len(labels), 784)

    if num_examples is not None:
        images = images[:num_examples]
        labels = labels[:num_examples]
    return images, labels


def convert_to_one_hot(Y, C):
    Y = np.eye(C)[Y.reshape(-1)].T
    return Y


def initialize_parameters(n_x, n_h, n_y):
    """
    Returns:
    parameters -- python dictionary containing your parameters:
                    W1 -- weight matrix of shape (n_h, n_x)
                    b1 -- bias vector of shape (n_h, 1)
                    W2 -- weight matrix of shape (n_y, n_h)
                    b2 -- bias vector of shape (n_y, 1)
    """
    np.random.seed(1)

    W1 = np.random.randn(n_h, n_x) * np.sqrt(2. / n_x)
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * np.sqrt(1. / n_h)
    b2 = np.zeros((n_y, 1))

    assert W1.shape == (n_h, n_x)
    assert b1.shape == (n_h, 1)
    assert W2.shape == (n_y, n_h)
    assert b2.shape == (n_y, 1)

    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}
    return parameters


def relu(Z):
    A = np.maximum(0, Z)
    return A


def softmax(Z):
    e = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def forward_propagation(X, parameters):
    """
    Returns:
    A2 -- The softmax output of the second activation
    cache -- a dictionary containing "Z1", "A1", "Z2" and "A2"
    """
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = softmax(Z2)

    cache = {"Z1": Z1,
             "A1": A1,
             "Z2": Z2,
             "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    """
    Computes the cross-entropy cost
    """
    m = Y.shape[1]
    logprobs = np.multiply(np.log(A2 + 1e-8), Y)
    cost = - np.sum(logprobs) / m
    cost = float(np.squeeze(cost))
    return cost


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]

    W2 = parameters["W2"]

    A1 = cache["A1"]
    A2 = cache["A2"]
    Z1 = cache["Z1"]

    dZ2 = A2 - Y
    dW2 = (1 / m) * np.dot(dZ2, A1.T)
    db2 = (1 / m) * np.sum(dZ2, axis=1, keepdims=True)
    dZ1 = np.multiply(np.dot(W2.T, dZ2), np.int64(Z1 > 0))
    dW1 = (1 / m) * np.dot(dZ1, X.T)
    db1 = (1 / m) * np.sum(dZ1, axis=1, keepdims=True)

    grads = {"dW1": dW1,
             "db1": db1,
             "dW2": dW2,
             "db2": db2}
    return grads


def update_parameters(parameters, grads, learning_rate=0.5):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]

    dW1 = grads["dW1"]
    db1 = grads["db1"]
    dW2 = grads["dW2"]
    db2 = grads["db2"]

    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2

    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}
    return parameters


def predict(parameters, X):
    A2, cache = forward_propagation(X, parameters)
    predictions = np.argmax(A2, axis=0)
    return predictions


def nn_model(X, Y, n_h, num_iterations=150, learning_rate=0.5, print_cost=False):
    n_x = X.shape[0]
    n_y = Y.shape[0]

    parameters = initialize_parameters(n_x, n_h, n_y)

    for i in range(0, num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)

        if print_cost and i % 10 == 0:
            print("Cost after iteration %i: %f" % (i, cost))

    return parameters


def main():
    path = "mnist/"
    train_x_orig, train_y = load_mnist(path, "train", num_examples=3000)
    test_x_orig, test_y = load_mnist(path, "test", num_examples=2000)

    # reshape so that each column is one example, and standardize
    train_x = train_x_orig.T / 255.
    test_x = test_x_orig.T / 255.
    train_Y = convert_to_one_hot(train_y, 10)

    print("train_x shape: " + str(train_x.shape))
    print("train_Y shape: " + str(train_Y.shape))
    print("test_x shape: " + str(test_x.shape))

    parameters = nn_model(train_x, train_Y, n_h=32, num_iterations=150,
                          learning_rate=0.5, print_cost=True)

    predictions = predict(parameters, train_x)
    print("Train Accuracy: " + str(np.mean(predictions == train_y) * 100) + "%")
    predictions = predict(parameters, test_x)
    print("Test Accuracy: " + str(np.mean(predictions == test_y) * 100) + "%")


if __name__ == "__main__":
    main()
