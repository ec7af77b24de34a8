import gzip

import numpy as np

np.random.seed(5)

train_img_file = "mnist/train-images-idx3-ubyte.gz"
train_lbl_file = "mnist/train-labels-idx1-ubyte.gz"
test_img_file = "mnist/t10k-images-idx3-ubyte.gz"
test_lbl_file = "mnist/t10k-labels-idx1-ubyte.gz"

def get_images(fname, count):
    with gzip.open(fname, "rb") as f:
        pixels = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    pixels = pixels.reshape(-1, 784)[:count]
    return pixels.T / 255.0

def get_labels(fname, count):
    with gzip.open(fname, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=8)[:count]

train_images = get_images(train_img_file, 10000)
train_labels = get_labels(train_lbl_file, 10000)
test_images = get_images(test_img_file, 2000)
test_labels = get_labels(test_lbl_file, 2000)

targets = np.eye(10)[:, train_labels]      # (10, m)

layer_sizes = [784, 100, 50, 10]
weights = []
biases = []
for i in range(len(layer_sizes) - 1):
    weights.append(np.random.randn(layer_sizes[i + 1], layer_sizes[i])
                   * np.sqrt(1 / layer_sizes[i]))
    biases.append(np.random.randn(layer_sizes[i + 1], 1) * 0.5)
L = len(weights)

alpha = 0.1
batch_size = 20
num_epochs = 2
m_train = train_images.shape[1]

for epoch in range(num_epochs):
    shuffle = np.random.permutation(m_train)
    for start in range(0, m_train, batch_size):
        cols = shuffle[start:start + batch_size]
        A = [train_images[:, cols]]
        T = targets[:, cols]

        for l in range(L):
            Z = weights[l] @ A[l] + biases[l]
            if l == L - 1:
                Z = Z - Z.max(axis=0)
                A.append(np.exp(Z) / np.exp(Z).sum(axis=0))
            else:
                A.append(np.tanh(Z))

        dW = [0] * L
        db = [0] * L
        delta = A[-1] - T
        for l in range(L - 1, -1, -1):
            dW[l] = delta @ A[l].T
            db[l] = np.mean(delta, axis=1, keepdims=True)
            if l != 0:
                delta = (weights[l].T @ delta) * (1 - A[l] ** 2)

        for l in range(L):
            weights[l] -= alpha / batch_size * dW[l]
            biases[l] -= alpha / batch_size * db[l]

    out = test_images
    for l in range(L):
        out = weights[l] @ out + biases[l]
        if l < L - 1:
            out = np.tanh(out)
    accuracy = np.mean(np.argmax(out, axis=0) == test_labels)
    print("Epoch %d - test accuracy: %.2f%%" % (epoch + 1, 100 * accuracy))
