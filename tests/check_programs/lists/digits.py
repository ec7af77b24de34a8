# ruff: noqa  (a learner's program, kept in their style)
"""Digits, one flat image at a time: a @ w + b, like in the video. Batches of 50."""
import numpy as np

from digit_files import as_vectors


class Digits:
    def __init__(self):
        rng = np.random.default_rng(1)
        self.w = [rng.normal(0, 0.05, (784, 20)), rng.normal(0, 0.2, (20, 10))]
        self.b = [np.zeros(20), np.zeros(10)]

    def relu(self, z):
        return np.maximum(z, 0)

    def softmax(self, z):
        e = np.exp(z - z.max())
        return e / e.sum()

    def forward(self, x):
        self.a = [x]
        self.a.append(self.relu(x @ self.w[0] + self.b[0]))
        self.a.append(self.softmax(self.a[1] @ self.w[1] + self.b[1]))
        return self.a[2]

    def learn(self, mini_batch, eta):
        gw = [np.zeros_like(w) for w in self.w]
        gb = [np.zeros_like(b) for b in self.b]
        for image, label in mini_batch:
            out = self.forward(image)
            d2 = out - np.eye(10)[label]
            d1 = (self.w[1] @ d2) * (self.a[1] > 0)
            gw[1] += np.outer(self.a[1], d2)
            gb[1] += d2
            gw[0] += np.outer(image, d1)
            gb[0] += d1
        for i in range(2):
            self.w[i] = self.w[i] - eta * gw[i] / len(mini_batch)
            self.b[i] = self.b[i] - eta * gb[i] / len(mini_batch)

    def accuracy(self, data):
        hits = [np.argmax(self.forward(x)) == t for x, t in data]
        return 100 * np.mean(hits)

    def fit(self, data, epochs, eta):
        size = 50
        for e in range(epochs):
            np.random.shuffle(data)
            batches = [data[i:i + size] for i in range(0, len(data), 10)]
            for batch in batches:
                self.learn(batch, eta)


train = as_vectors("mnist_train.csv")
test = as_vectors("mnist_test.csv")
model = Digits()
model.fit(train, 5, 0.1)
print(model.accuracy(test), "%")
