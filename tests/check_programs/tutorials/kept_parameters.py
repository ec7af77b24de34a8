import gzip

import numpy as np

np.random.seed(2)

# Load the data
def load_images(filename):
    with gzip.open(filename, 'r') as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return data.reshape(-1, 28 * 28)

def load_labels(filename):
    with gzip.open(filename, 'r') as f:
        data = np.frombuffer(f.read(), np.uint8, offset=8)
    return data

train_images = load_images('mnist/train-images-idx3-ubyte.gz')
train_labels = load_labels('mnist/train-labels-idx1-ubyte.gz')
test_images = load_images('mnist/t10k-images-idx3-ubyte.gz')
test_labels = load_labels('mnist/t10k-labels-idx1-ubyte.gz')

m_train = 3000
X = train_images[:m_train].T / 255.      # (784, m)
Y_labels = train_labels[:m_train]
X_test = test_images[:2000].T / 255.
Y_test_labels = test_labels[:2000]

Y = np.zeros((10, m_train))
for i in range(m_train):
    Y[Y_labels[i], i] = 1

print("X shape:", X.shape, " Y shape:", Y.shape)


def layer_sizes(X, Y):
    n_x = X.shape[0]
    n_h = 32
    n_y = Y.shape[0]
    return (n_x, n_h, n_y)

def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.05
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.05
    b2 = np.zeros((n_y, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters

def softmax(Z):
    t = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return t / np.sum(t, axis=0, keepdims=True)

def forward_propagation(X, parameters):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]

    Z1 = np.dot(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = softmax(Z2)

    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache

def compute_cost(A2, Y):
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(A2)) / m
    return cost

def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = parameters["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]

    dZ2 = A2 - Y
    dW2 = np.dot(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
    dW1 = np.dot(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m

    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return grads

def update_parameters(parameters, grads, learning_rate=1.0):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]

    W1 = W1 - learning_rate * grads["dW1"]
    b1 = b1 - learning_rate * grads["db1"]
    W2 = W2 - learning_rate * grads["dW2"]
    b2 = b2 - learning_rate * grads["db2"]

    return parameters

def predict(parameters, X):
    A2, cache = forward_propagation(X, parameters)
    return np.argmax(A2, axis=0)

def nn_model(X, Y, num_iterations=100, learning_rate=1.0, print_cost=True):
    n_x, n_h, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)

    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        cost = compute_cost(A2, Y)
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)

        if print_cost and i % 10 == 0:
            print("Cost after iteration %i: %f" % (i, cost))
    return parameters


parameters = nn_model(X, Y, num_iterations=100, learning_rate=1.0, print_cost=True)

predictions = predict(parameters, X)
print("Accuracy on training set: %.2f%%" % (np.mean(predictions == Y_labels) * 100))
predictions = predict(parameters, X_test)
print("Accuracy on test set: %.2f%%" % (np.mean(predictions == Y_test_labels) * 100))
