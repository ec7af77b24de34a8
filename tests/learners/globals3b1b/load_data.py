# my MNIST loader: the four files from yann.lecun.com unpacked in ~/datasets/mnist
import os
import struct
import numpy as np

MNIST_DIR = os.path.expanduser("~/datasets/mnist")


def read_images(name):
    with open(os.path.join(MNIST_DIR, name), "rb") as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        return np.fromfile(f, dtype=np.uint8).reshape(n, rows * cols) / 255.0


def read_labels(name):
    with open(os.path.join(MNIST_DIR, name), "rb") as f:
        magic, n = struct.unpack(">II", f.read(8))
        return np.fromfile(f, dtype=np.uint8)


def get_mnist():
    """list of (image, label) pairs: image is a (784,) vector, label an int 0-9"""
    train = list(zip(read_images("train-images-idx3-ubyte"), read_labels("train-labels-idx1-ubyte").tolist()))
    test = list(zip(read_images("t10k-images-idx3-ubyte"), read_labels("t10k-labels-idx1-ubyte").tolist()))
    return train, test
