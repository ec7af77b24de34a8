# digit classifier, 784 -> 64 -> 10, relu + softmax
# backward() keeps the gradients on the object, update() applies them
import numpy as np
from mnist import load_mnist


class Net:
    def __init__(self, sizes=(784, 64, 10), learning_rate=0.1):
        self.learning_rate = learning_rate
        self.W1 = np.random.randn(sizes[0], sizes[1]) * np.sqrt(2 / sizes[0])
        self.b1 = np.zeros(sizes[1])
        self.W2 = np.random.randn(sizes[1], sizes[2]) * np.sqrt(2 / sizes[1])
        self.b2 = np.zeros(sizes[2])

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.h = np.maximum(self.z1, 0)
        z2 = self.h @ self.W2 + self.b2
        e = np.exp(z2 - z2.max(axis=1, keepdims=True))
        self.p = e / e.sum(axis=1, keepdims=True)
        return self.p

    def backward(self, X, Y):
        n = X.shape[0]
        dz2 = (self.p - Y) / n
        self.dW2 = self.h.T @ dz2
        self.db2 = dz2.sum(axis=0)
        dz1 = (dz2 @ self.W2.T) * (self.z1 > 0)
        self.dW1 = X.T @ dz1
        self.db1 = dz1.sum(axis=0)

    def update(self):
        self.W1 -= self.learning_rate * self.dW1
        self.b1 -= self.learning_rate * self.db1
        self.W2 -= self.learning_rate * self.dW2
        self.b2 -= self.learning_rate * self.db2

    def accuracy(self, X, labels):
        return np.mean(np.argmax(self.forward(X), axis=1) == labels)

    def fit(self, X, Y, epochs=5, batch_size=32):
        for epoch in range(epochs):
            order = np.random.permutation(len(X))
            for start in range(0, len(X), batch_size):
                idx = order[start:start + batch_size]
                self.forward(X[idx])
                self.backward(X[idx], Y[idx])
                self.update()
            print("epoch", epoch, "train acc", self.accuracy(X, np.argmax(Y, axis=1)))


(x_train, y_train), (x_test, y_test) = load_mnist()
Y_train = np.eye(10)[y_train]
net = Net(learning_rate=0.5)
net.fit(x_train, Y_train, epochs=3, batch_size=64)
print("test acc", net.accuracy(x_test, y_test))
