# Globals, one (784, 1) column at a time from zip(images, labels); the test images scaled too.
import numpy as np
from tensorflow.keras.datasets import mnist

(train_images, train_labels), (test_images, test_labels) = mnist.load_data()

# flatten + scale
train_images = train_images.reshape(-1, 28 * 28) / 255
test_images = test_images.reshape(-1, 28 * 28) / 255

hidden_size = 50
lr = 0.1
W1 = np.random.uniform(-0.5, 0.5, (hidden_size, 784))
b1 = np.zeros((hidden_size, 1))
W2 = np.random.uniform(-0.5, 0.5, (10, hidden_size))
b2 = np.zeros((10, 1))


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward(x):
    global h, o
    h = sigmoid(W1 @ x + b1)
    o = sigmoid(W2 @ h + b2)
    return o


def backprop(x, y):
    delta_o = (o - y) * o * (1 - o)
    delta_h = (W2.T @ delta_o) * h * (1 - h)
    return delta_h @ x.T, delta_h, delta_o @ h.T, delta_o


def update(dW1, db1, dW2, db2, lr):
    global W1, b1, W2, b2
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2


def train(images, labels, epochs, lr):
    for epoch in range(epochs):
        correct = 0
        for img, lab in zip(images, labels):
            x = img.reshape(784, 1)
            y = np.zeros((10, 1))
            y[lab] = 1
            out = forward(x)
            correct += int(np.argmax(out) == lab)
            update(*backprop(x, y), lr)
        print(f"epoch {epoch}: train acc {correct / len(images):.3f}")


def accuracy(images, labels):
    correct = 0
    for img, lab in zip(images, labels):
        out = forward(img.reshape(784, 1))
        correct += int(np.argmax(out) == lab)
    return correct / len(images)


train(train_images, train_labels, 3, lr)
print("test accuracy:", accuracy(test_images, test_labels))
