# Reads the MNIST files from the mnist/ folder next to this file (downloaded by hand).
import os
import numpy as np


def load_mnist_dataset(dataset, path):
    # dataset is 'train' or 't10k'
    with open(os.path.join(path, f'{dataset}-images-idx3-ubyte'), 'rb') as f:
        X = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with open(os.path.join(path, f'{dataset}-labels-idx1-ubyte'), 'rb') as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    return X, y


def create_data_mnist(path):
    X, y = load_mnist_dataset('train', path)
    X_test, y_test = load_mnist_dataset('t10k', path)
    # scale to 0..1 (the book's -1..1 did not train for me)
    X = X.astype(np.float32) / 255
    X_test = X_test.astype(np.float32) / 255
    return X, y, X_test, y_test
