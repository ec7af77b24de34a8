# ruff: noqa  (a learner's program, kept in their style)
"""mnist_loader in the book's style: reads a pickle that is not here."""
import gzip
import pickle

import numpy as np

DATA = "../data/mnist.pkl.gz"


def load_data():
    with gzip.open(DATA) as f:
        return pickle.load(f, encoding="latin1")


def load_data_wrapper():
    tr_d, va_d, te_d = load_data()
    training_inputs = [np.reshape(x, (784, 1)) for x in tr_d[0]]
    training_results = [vectorized_result(y) for y in tr_d[1]]
    training_data = list(zip(training_inputs, training_results))
    validation_data = list(zip([np.reshape(x, (784, 1)) for x in va_d[0]], va_d[1]))
    test_data = list(zip([np.reshape(x, (784, 1)) for x in te_d[0]], te_d[1]))
    return training_data, validation_data, test_data


def vectorized_result(j):
    e = np.zeros((10, 1))
    e[j] = 1.0
    return e


print("loader self-test:", len(load_data()[0][0]))
