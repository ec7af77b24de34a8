# Loads MNIST from the raw IDX files I downloaded from Yann LeCun's site into ./MNIST/
# returns lists of (image, label): image is a flat vector of 784 pixels in [0, 1], label an int
import numpy as np

DATA_DIR = "MNIST/"


def read_images(filename):
    with open(DATA_DIR + filename, "rb") as f:
        data = f.read()
    # 16 byte header: magic, number of images, rows, cols
    n = int.from_bytes(data[4:8], "big")
    images = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 784)
    return images / 255


def read_labels(filename):
    with open(DATA_DIR + filename, "rb") as f:
        data = f.read()
    return np.frombuffer(data, dtype=np.uint8, offset=8)


def load_mnist():
    train_images = read_images("train-images.idx3-ubyte")
    train_labels = read_labels("train-labels.idx1-ubyte")
    test_images = read_images("t10k-images.idx3-ubyte")
    test_labels = read_labels("t10k-labels.idx1-ubyte")
    training_data = [(train_images[i], int(train_labels[i])) for i in range(len(train_labels))]
    test_data = [(test_images[i], int(test_labels[i])) for i in range(len(test_labels))]
    return training_data, test_data
