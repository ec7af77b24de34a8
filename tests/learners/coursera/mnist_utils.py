# helper to read the MNIST files I downloaded into datasets/ (the course used h5 files instead)
import gzip
import numpy as np


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_dataset():
    """Returns train_x (784, m), train_y (10, m) one-hot, test_x (784, m_test), test_y (1, m_test)"""
    train_x = read_idx("datasets/train-images-idx3-ubyte.gz").reshape(-1, 784).T / 255.
    train_labels = read_idx("datasets/train-labels-idx1-ubyte.gz")
    test_x = read_idx("datasets/t10k-images-idx3-ubyte.gz").reshape(-1, 784).T / 255.
    test_labels = read_idx("datasets/t10k-labels-idx1-ubyte.gz")
    train_y = np.eye(10)[train_labels].T
    test_y = test_labels.reshape(1, -1)
    return train_x, train_y, test_x, test_y
