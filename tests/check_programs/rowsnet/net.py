# NeuralNetwork class: 784 -> 64 (relu) -> 10 (softmax), batches of rows
import numpy as np


class NeuralNetwork:
    def __init__(self, input_size=784, hidden_size=64, output_size=10):
        self.params = {
            "W1": np.random.randn(input_size, hidden_size) * 0.01,
            "b1": np.zeros(hidden_size),
            "W2": np.random.randn(hidden_size, output_size) * 0.01,
            "b2": np.zeros(output_size),
        }

    def relu(self, x):
        return np.maximum(0, x)

    def relu_derivative(self, x):
        return np.where(x > 0, 1, 0)

    def softmax(self, x):
        x = x - np.max(x, axis=1, keepdims=True)
        return np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)

    def predict(self, X):
        h = self.relu(X @ self.params["W1"] + self.params["b1"])
        return self.softmax(h @ self.params["W2"] + self.params["b2"])

    def loss(self, X, T):
        Y = self.predict(X)
        return -np.sum(T * np.log(Y + 1e-7)) / X.shape[0]

    def gradients(self, X, T):
        n = X.shape[0]
        z1 = X @ self.params["W1"] + self.params["b1"]
        h = self.relu(z1)
        Y = self.softmax(h @ self.params["W2"] + self.params["b2"])
        dy = (Y - T) / n
        grads = {}
        grads["W2"] = h.T @ dy
        grads["b2"] = np.sum(dy, axis=0)
        dz1 = (dy @ self.params["W2"].T) * self.relu_derivative(z1)
        grads["W1"] = X.T @ dz1
        grads["b1"] = np.sum(dz1, axis=0)
        return grads

    def update(self, X, T, learning_rate):
        grads = self.gradients(X, T)
        for key in self.params:
            self.params[key] -= learning_rate * grads[key]

    def accuracy(self, X, labels):
        return np.mean(np.argmax(self.predict(X), axis=1) == labels)

    def train(self, X, T, epochs, batch_size, learning_rate):
        n = X.shape[0]
        for epoch in range(epochs):
            shuffle = np.random.permutation(n)
            for i in range(0, n, batch_size):
                batch = shuffle[i:i + batch_size]
                self.update(X[batch], T[batch], learning_rate)
            print(epoch, self.loss(X[:1000], T[:1000]))


if __name__ == "__main__":
    from mnist import load

    x_train, t_train, x_test, y_test = load()
    network = NeuralNetwork()
    network.train(x_train, t_train, 10, 100, 0.1)
    print("test acc", network.accuracy(x_test, y_test))
