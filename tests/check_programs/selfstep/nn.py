# A two-layer MLP for MNIST in numpy: backward() updates the weights itself.
import numpy as np
from keras.datasets import mnist


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class NeuralNetwork:
    def __init__(self, input_size, hidden_size, output_size, lr=0.1):
        self.W1 = np.random.randn(input_size, hidden_size) * 0.01
        self.b1 = np.zeros((1, hidden_size))
        self.W2 = np.random.randn(hidden_size, output_size) * 0.01
        self.b2 = np.zeros((1, output_size))
        self.lr = lr

    def forward(self, X):
        self.z1 = X @ self.W1 + self.b1
        self.a1 = sigmoid(self.z1)
        self.z2 = self.a1 @ self.W2 + self.b2
        self.a2 = softmax(self.z2)
        return self.a2

    def backward(self, X, y):
        m = X.shape[0]
        dz2 = self.a2 - y
        dW2 = self.a1.T @ dz2 / m
        db2 = np.sum(dz2, axis=0, keepdims=True) / m
        dz1 = dz2 @ self.W2.T * self.a1 * (1 - self.a1)
        dW1 = X.T @ dz1 / m
        db1 = np.sum(dz1, axis=0, keepdims=True) / m
        self.W2 -= self.lr * dW2
        self.b2 -= self.lr * db2
        self.W1 -= self.lr * dW1
        self.b1 -= self.lr * db1

    def train(self, X, y, epochs=10, batch_size=32):
        for epoch in range(epochs):
            perm = np.random.permutation(len(X))
            X, y = X[perm], y[perm]
            for i in range(0, len(X), batch_size):
                xb, yb = X[i:i + batch_size], y[i:i + batch_size]
                self.forward(xb)
                self.backward(xb, yb)
            loss = -np.mean(np.sum(y * np.log(self.forward(X) + 1e-9), axis=1))
            print(f"epoch {epoch} loss {loss:.4f}")

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)


(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(-1, 784) / 255.0
x_test = x_test.reshape(-1, 784) / 255.0
y_train_oh = np.eye(10)[y_train]
nn = NeuralNetwork(784, 64, 10, lr=0.5)
nn.train(x_train, y_train_oh, epochs=10, batch_size=64)
print("test accuracy", np.mean(nn.predict(x_test) == y_test))
