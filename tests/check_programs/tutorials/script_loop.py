# an L-layer network for MNIST, all numpy, trained by the script's own loop
# L-layer network for MNIST, all numpy. Params live in a dict built from layer_dims,
# forward pass caches every Z and A. Leaky ReLU hidden layers, softmax output,
# cross-entropy + L2 regularisation, mini-batch gradient descent with step decay.
import gzip
import time

import numpy as np

np.random.seed(7)

DATA = "data/"
N_TRAIN, N_TEST = 8000, 2000


def load_images(fname, n):
    with gzip.open(DATA + fname, "rb") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return raw.reshape(-1, 784)[:n].astype(np.float64) / 255.0


def load_labels(fname, n):
    with gzip.open(DATA + fname, "rb") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return raw[:n].astype(np.int64)


def one_hot(labels, k=10):
    oh = np.zeros((labels.shape[0], k))
    oh[np.arange(labels.shape[0]), labels] = 1.0
    return oh


# data kept as (examples, features); batches get transposed to (features, examples)
X_train = load_images("train-images-idx3-ubyte.gz", N_TRAIN)
Y_train = one_hot(load_labels("train-labels-idx1-ubyte.gz", N_TRAIN))
X_test = load_images("t10k-images-idx3-ubyte.gz", N_TEST)
y_test = load_labels("t10k-labels-idx1-ubyte.gz", N_TEST)

# ---------------- hyperparameters ----------------
layer_dims = [784, 128, 64, 10]
lr0 = 0.1
decay_every = 3          # halve the learning rate every 3 epochs
epochs = 8
batch_size = 64
lambd = 0.1              # L2 strength
alpha = 0.01             # leaky relu slope


def initialize_parameters(layer_dims):
    params = {}
    for l in range(1, len(layer_dims)):
        # He init
        scale = np.sqrt(2.0 / layer_dims[l - 1])
        params["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * scale
        params["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return params


def leaky_relu(Z):
    return np.where(Z > 0, Z, alpha * Z)


def leaky_relu_derivative(Z):
    return np.where(Z > 0, 1.0, alpha)


def softmax(Z):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def forward(X, params):
    L = len(params) // 2
    Zs = [None]
    As = [X]
    A = X
    for l in range(1, L + 1):
        Z = params["W" + str(l)] @ A + params["b" + str(l)]
        A = softmax(Z) if l == L else leaky_relu(Z)
        Zs.append(Z)
        As.append(A)
    return Zs, As


def compute_cost(AL, Y, params):
    m = Y.shape[1]
    L = len(params) // 2
    ce = -np.sum(Y * np.log(AL + 1e-12)) / m
    l2 = sum(np.sum(params["W" + str(l)] ** 2) for l in range(1, L + 1))
    return ce + lambd / (2 * m) * l2


def backward(Y, params, Zs, As):
    grads = {}
    m = Y.shape[1]
    L = len(params) // 2
    dZ = As[L] - Y                       # softmax + cross-entropy
    for l in range(L, 0, -1):
        W = params["W" + str(l)]
        grads["dW" + str(l)] = dZ @ As[l - 1].T / m + (lambd / m) * W
        grads["db" + str(l)] = np.sum(dZ, axis=1, keepdims=True) / m
        if l > 1:
            dA_prev = W.T @ dZ
            dZ = dA_prev * leaky_relu_derivative(Zs[l - 1])
    return grads


def update_parameters(params, grads, lr):
    L = len(params) // 2
    for l in range(1, L + 1):
        params["W" + str(l)] -= lr * grads["dW" + str(l)]
        params["b" + str(l)] -= lr * grads["db" + str(l)]
    return params


def predict(X, params):
    _, As = forward(X, params)
    return np.argmax(As[-1], axis=0)


params = initialize_parameters(layer_dims)
m = X_train.shape[0]

for epoch in range(epochs):
    t0 = time.time()
    lr = lr0 * (0.5 ** (epoch // decay_every))

    # shuffle the training set every epoch
    perm = np.random.permutation(m)
    X_train, Y_train = X_train[perm], Y_train[perm]

    epoch_cost = 0.0
    n_batches = 0
    for k in range(0, m, batch_size):
        Xb = X_train[k:k + batch_size].T
        Yb = Y_train[k:k + batch_size].T
        Zs, As = forward(Xb, params)
        epoch_cost += compute_cost(As[-1], Yb, params)
        n_batches += 1
        grads = backward(Yb, params, Zs, As)
        params = update_parameters(params, grads, lr)

    train_acc = np.mean(predict(X_train.T, params) == np.argmax(Y_train, axis=1))
    print(f"epoch {epoch + 1}/{epochs}  lr={lr:.4f}  cost={epoch_cost / n_batches:.4f}  "
          f"train_acc={train_acc:.4f}  ({time.time() - t0:.1f}s)")

test_acc = np.mean(predict(X_test.T, params) == y_test)
print(f"Test accuracy: {test_acc * 100:.2f}%")
