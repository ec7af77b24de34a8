# MNIST with a 2 layer network, numpy only
# loss = mean squared error like torch.nn.MSELoss
import numpy as np
from keras.datasets import mnist


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


class NeuralNetwork:
    def __init__(self, n_in=784, n_hidden=64, n_out=10):
        # weights are (in, out) because X is (m, 784)
        self.W1 = np.random.randn(n_in, n_hidden) * np.sqrt(1.0 / n_in)
        self.b1 = np.zeros((1, n_hidden))
        self.W2 = np.random.randn(n_hidden, n_out) * np.sqrt(1.0 / n_hidden)
        self.b2 = np.zeros((1, n_out))

    def forward(self, X):
        self.Z1 = X @ self.W1 + self.b1
        self.A1 = sigmoid(self.Z1)
        self.Z2 = self.A1 @ self.W2 + self.b2
        self.A2 = sigmoid(self.Z2)
        return self.A2

    def loss(self, y_hat, Y):
        return np.mean((y_hat - Y) ** 2)

    def backward(self, X, Y):
        y_hat = self.A2
        # derivative of mean over all m*10 entries
        dA2 = 2 * (y_hat - Y) / y_hat.size
        dZ2 = dA2 * y_hat * (1 - y_hat)
        dW2 = self.A1.T @ dZ2
        db2 = np.sum(dZ2, axis=0, keepdims=True)
        dA1 = dZ2 @ self.W2.T
        dZ1 = dA1 * self.A1 * (1 - self.A1)
        dW1 = X.T @ dZ1
        db1 = np.sum(dZ1, axis=0, keepdims=True)
        return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}

    def update(self, grads, lr):
        self.W1 -= lr * grads["W1"]
        self.b1 -= lr * grads["b1"]
        self.W2 -= lr * grads["W2"]
        self.b2 -= lr * grads["b2"]

    def train(self, X, Y, epochs, lr, batch_size):
        n = X.shape[0]
        for epoch in range(epochs):
            perm = np.random.permutation(n)
            X, Y = X[perm], Y[perm]
            for i in range(0, n, batch_size):
                xb = X[i:i + batch_size]
                yb = Y[i:i + batch_size]
                y_hat = self.forward(xb)  # noqa: F841 (backward reads what it keeps)
                grads = self.backward(xb, yb)
                self.update(grads, lr)
            out = self.forward(X)
            acc = np.mean(np.argmax(out, axis=1) == np.argmax(Y, axis=1))
            print(f"epoch {epoch+1}: loss {self.loss(out, Y):.4f} acc {acc:.4f}")


def one_hot(y, k=10):
    oh = np.zeros((y.shape[0], k))
    oh[np.arange(y.shape[0]), y] = 1
    return oh


if __name__ == "__main__":
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    X_train = x_train.reshape(-1, 784) / 255.0
    X_test = x_test.reshape(-1, 784) / 255.0
    Y_train = one_hot(y_train)

    nn = NeuralNetwork()
    nn.train(X_train, Y_train, epochs=10, lr=5.0, batch_size=64)
    preds = np.argmax(nn.forward(X_test), axis=1)
    print("test accuracy:", np.mean(preds == y_test))
