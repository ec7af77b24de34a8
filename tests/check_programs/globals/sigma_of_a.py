import gzip
import random

import numpy as np


# ---------- load mnist ----------
def load_mnist(images_file, labels_file, count):
    with gzip.open(images_file, 'rb') as f:
        imgs = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    with gzip.open(labels_file, 'rb') as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    imgs = imgs.reshape(-1, 784)[:count] / 255.0
    return imgs, labels[:count]

d = 'mnist/'
x_train, y_train = load_mnist(d + 'train-images-idx3-ubyte.gz',
                              d + 'train-labels-idx1-ubyte.gz', 10000)
x_test, y_test = load_mnist(d + 't10k-images-idx3-ubyte.gz', d + 't10k-labels-idx1-ubyte.gz', 2000)

train = []
for i in range(len(x_train)):
    target = np.zeros((10, 1))
    target[y_train[i]] = 1
    train.append((x_train[i].reshape(-1, 1), target))

# ---------- network ----------
sizes = [784, 40, 10]
num_layers = len(sizes)
random.seed(3)
np.random.seed(3)
weights = [np.random.randn(sizes[i + 1], sizes[i]) / np.sqrt(sizes[i])
           for i in range(num_layers - 1)]
biases = [np.random.randn(sizes[i + 1], 1) for i in range(num_layers - 1)]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


def backprop(x, y):
    nabla_w = [np.zeros(w.shape) for w in weights]
    nabla_b = [np.zeros(b.shape) for b in biases]
    a = x
    activations = [x]
    zs = []
    for w, b in zip(weights, biases):
        z = w @ a + b
        zs.append(z)
        a = sigmoid(z)
        activations.append(a)
    # output error (quadratic cost)
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = delta @ activations[-2].T
    # go backwards through the hidden layers
    for l in range(2, num_layers):
        sp = sigmoid_prime(activations[-l])
        delta = (weights[-l + 1].T @ delta) * sp
        nabla_b[-l] = delta
        nabla_w[-l] = delta @ activations[-l - 1].T
    return nabla_w, nabla_b


def predict(x):
    a = x
    for w, b in zip(weights, biases):
        a = sigmoid(w @ a + b)
    return a


eta = 3.0
batch_size = 10
epochs = 2

for epoch in range(epochs):
    random.shuffle(train)
    for k in range(0, len(train), batch_size):
        batch = train[k:k + batch_size]
        sum_w = [np.zeros(w.shape) for w in weights]
        sum_b = [np.zeros(b.shape) for b in biases]
        for x, y in batch:
            gw, gb = backprop(x, y)
            for i in range(len(weights)):
                sum_w[i] += gw[i]
                sum_b[i] += gb[i]
        for i in range(len(weights)):
            weights[i] -= eta / len(batch) * sum_w[i]
            biases[i] -= eta / len(batch) * sum_b[i]

    correct = 0
    for i in range(len(x_test)):
        out = predict(x_test[i].reshape(-1, 1))
        if np.argmax(out) == y_test[i]:
            correct += 1
    print(f'epoch {epoch}: {correct}/{len(x_test)} correct, '
          f'accuracy {correct / len(x_test) * 100:.1f}%')
