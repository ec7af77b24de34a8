import gzip

import numpy as np

FOLDER = "mnist/"


def load_images(name):
    with gzip.open(FOLDER + name, "rb") as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return data.reshape(-1, 784) / 255.0


def load_labels(name):
    with gzip.open(FOLDER + name, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)


def relu(z):
    return np.maximum(z, 0)


def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def forward(x):
    a = x
    zs, acts = [], [x]
    for l in range(len(W)):
        z = W[l] @ a + b[l]
        zs.append(z)
        a = softmax(z) if l == len(W) - 1 else relu(z)
        acts.append(a)
    return zs, acts


def accuracy(images, labels):
    hits = 0
    for img, lab in zip(images, labels):
        _, acts = forward(img.reshape(784, 1))
        hits += int(np.argmax(acts[-1]) == lab)
    return hits / len(labels)


if __name__ == "__main__":
    np.random.seed(2024)

    X = load_images("train-images-idx3-ubyte.gz")[:10000]
    y = load_labels("train-labels-idx1-ubyte.gz")[:10000]
    X_test = load_images("t10k-images-idx3-ubyte.gz")[:2000]
    y_test = load_labels("t10k-labels-idx1-ubyte.gz")[:2000]

    sizes = [784, 64, 10]
    W = [np.random.randn(n_out, n_in) * np.sqrt(2 / n_in)
         for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    b = [np.zeros((n_out, 1)) for n_out in sizes[1:]]

    learning_rate = 0.01
    epochs = 2

    for epoch in range(epochs):
        for i in np.random.permutation(len(X)):
            x = X[i].reshape(784, 1)
            target = np.zeros((10, 1))
            target[y[i]] = 1

            zs, acts = forward(x)

            dW = [None] * len(W)
            db = [None] * len(W)
            delta = acts[-1] - target
            for l in range(len(W) - 1, -1, -1):
                dW[l] = delta @ acts[l].T
                db[l] = delta
                if l > 0:
                    delta = (W[l].T @ delta) * (zs[l - 1] > 0)

            for l in range(len(W)):
                W[l] = W[l] - learning_rate * dW[l]
                b[l] = b[l] - learning_rate * db[l]

        test_acc = accuracy(X_test, y_test)
        print("epoch", epoch + 1, "- test accuracy:", test_acc)
