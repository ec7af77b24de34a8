# my first neural net - following Nielsen ch.1/2
# network.py but as a script
import gzip
import random

import numpy as np

DATA = "mnist/"

def load_images(fname):
    with gzip.open(DATA + fname, "rb") as f:
        data = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return data.reshape(-1, 784).astype(np.float64) / 255.0

def load_labels(fname):
    with gzip.open(DATA + fname, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=8)

def vectorized_result(j):
    e = np.zeros((10, 1))
    e[j] = 1.0
    return e

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))

train_x = load_images("train-images-idx3-ubyte.gz")[:10000]
train_y = load_labels("train-labels-idx1-ubyte.gz")[:10000]
test_x = load_images("t10k-images-idx3-ubyte.gz")[:2000]
test_y = load_labels("t10k-labels-idx1-ubyte.gz")[:2000]

training_data = [(x.reshape(784, 1), vectorized_result(y)) for x, y in zip(train_x, train_y)]
test_data = [(x.reshape(784, 1), y) for x, y in zip(test_x, test_y)]

sizes = [784, 30, 10]
num_layers = len(sizes)
np.random.seed(0)
random.seed(0)
biases = [np.random.randn(y, 1) for y in sizes[1:]]
# scaled init from ch.3, plain randn saturated too much
weights = [np.random.randn(y, x) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]

def feedforward(a):
    for b, w in zip(biases, weights):
        a = sigmoid(np.dot(w, a) + b)
    return a

def backprop(x, y):
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    # forward pass
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    # backward pass
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, num_layers):
        z = zs[-l]
        sp = sigmoid_prime(z)
        delta = np.dot(weights[-l + 1].transpose(), delta) * sp
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return (nabla_b, nabla_w)

epochs = 2
mini_batch_size = 10
eta = 3.0
n = len(training_data)

for j in range(epochs):
    random.shuffle(training_data)
    mini_batches = [training_data[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)]
    for mini_batch in mini_batches:
        nabla_b = [np.zeros(b.shape) for b in biases]
        nabla_w = [np.zeros(w.shape) for w in weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(weights, nabla_w)]
        biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(biases, nabla_b)]
    correct = sum(int(np.argmax(feedforward(x)) == y) for (x, y) in test_data)
    print("Epoch {0}: {1} / {2}  test accuracy {3:.2%}".format(
        j, correct, len(test_data), correct / len(test_data)))
