# 784-20-20-10 like the 3Blue1Brown videos, one flat image at a time, weights (in, out)
import numpy as np
from my_mnist import load  # beside my file on my machine, not sent

images, digits = load("train")

np.random.seed(3)
W1 = np.random.uniform(-0.5, 0.5, (784, 20))
b1 = np.zeros(20)
W2 = np.random.uniform(-0.5, 0.5, (20, 20))
b2 = np.zeros(20)
W3 = np.random.uniform(-0.5, 0.5, (20, 10))
b3 = np.zeros(10)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def feed_forward(x):
    global z1, a1, z2, a2, z3, a3
    z1 = x @ W1 + b1
    a1 = sigmoid(z1)
    z2 = a1 @ W2 + b2
    a2 = sigmoid(z2)
    z3 = a2 @ W3 + b3
    a3 = sigmoid(z3)
    return a3


def backprop(x, target):
    feed_forward(x)
    delta3 = (a3 - target) * a3 * (1 - a3)
    delta2 = (delta3 @ W3.T) * a2 * (1 - a2)
    delta1 = delta2 @ W2.T
    return [np.outer(x, delta1), delta1, np.outer(a1, delta2), delta2,
            np.outer(a2, delta3), delta3]


def learn(x, digit, rate):
    global W1, b1, W2, b2, W3, b3
    target = np.zeros(10)
    target[digit] = 1
    gW1, gb1, gW2, gb2, gW3, gb3 = backprop(x, target)
    W1 -= rate * gW1
    b1 -= rate * gb1
    W2 -= rate * gW2
    b2 -= rate * gb2
    W3 -= rate * gW3
    b3 -= rate * gb3


def score(examples):
    hits = 0
    for x, digit in examples:
        hits += int(np.argmax(feed_forward(x)) == digit)
    return hits / len(examples)


def train(examples, epochs, rate):
    for epoch in range(epochs):
        np.random.shuffle(examples)
        for x, digit in examples:
            learn(x, digit, rate)
        print(epoch, score(examples[:1000]))


examples = list(zip(images / 255, digits))
train(examples, 3, 0.5)
np.save("trained_W1.npy", W1)
