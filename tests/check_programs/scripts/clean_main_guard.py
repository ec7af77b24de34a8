# columns = examples (Andrew Ng style), 784 -> 64 sigmoid -> 10 softmax
# reads the original gzip IDX files directly
import gzip

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


if __name__ == "__main__":
    with gzip.open('train-images-idx3-ubyte.gz', 'rb') as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).T / 255.0   # (784, 60000)
    with gzip.open('train-labels-idx1-ubyte.gz', 'rb') as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    with gzip.open('t10k-images-idx3-ubyte.gz', 'rb') as f:
        X_test = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784).T / 255.0
    with gzip.open('t10k-labels-idx1-ubyte.gz', 'rb') as f:
        y_test = np.frombuffer(f.read(), np.uint8, offset=8)

    m = X.shape[1]
    Y = np.zeros((10, m))
    Y[y, np.arange(m)] = 1

    W1 = np.random.randn(64, 784) * np.sqrt(1 / 784)
    b1 = np.zeros((64, 1))
    W2 = np.random.randn(10, 64) * np.sqrt(1 / 64)
    b2 = np.zeros((10, 1))

    alpha = 0.5
    batch_size = 128
    epoch = 0
    while epoch < 15:
        idx = np.random.permutation(m)
        # array_split doesn't care if it doesn't divide evenly
        for batch in np.array_split(idx, m // batch_size):
            xb = X[:, batch]
            yb = Y[:, batch]
            mb = xb.shape[1]

            # forward prop
            Z1 = W1 @ xb + b1
            A1 = sigmoid(Z1)
            Z2 = W2 @ A1 + b2
            A2 = softmax(Z2)

            # back prop
            dZ2 = A2 - yb
            dW2 = dZ2 @ A1.T / mb
            db2 = np.sum(dZ2, axis=1, keepdims=True) / mb
            dZ1 = (W2.T @ dZ2) * A1 * (1 - A1)
            dW1 = dZ1 @ xb.T / mb
            db1 = np.sum(dZ1, axis=1, keepdims=True) / mb

            # update params
            W1 -= alpha * dW1
            b1 -= alpha * db1
            W2 -= alpha * dW2
            b2 -= alpha * db2

        # accuracy on the test images
        A1_t = sigmoid(W1 @ X_test + b1)
        A2_t = softmax(W2 @ A1_t + b2)
        acc = np.mean(np.argmax(A2_t, axis=0) == y_test)
        print(f"epoch {epoch + 1}: test acc = {acc:.4f}")
        epoch += 1
