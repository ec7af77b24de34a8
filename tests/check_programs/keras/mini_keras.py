"""My own mini Keras in numpy, with dropout, trained on MNIST from the Kaggle CSVs."""
import numpy as np

np.random.seed(0)


class Dense:
    def __init__(self, n_in, n_out):
        self.W = np.random.randn(n_in, n_out) * np.sqrt(2.0 / n_in)
        self.b = np.zeros(n_out)

    def forward(self, x, training=False):
        self.x = x
        return x @ self.W + self.b

    def backward(self, grad):
        self.dW = self.x.T @ grad
        self.db = grad.sum(axis=0)
        return grad @ self.W.T


class ReLU:
    def forward(self, x, training=False):
        self.mask = x > 0
        return x * self.mask

    def backward(self, grad):
        return grad * self.mask


class Sigmoid:
    def forward(self, x, training=False):
        self.x = x
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, grad):
        s = self.out
        return grad * s * (1 - s)


class Dropout:
    def __init__(self, p=0.5):
        self.p = p

    def forward(self, x, training=False):
        if not training:
            return x
        self.mask = (np.random.rand(*x.shape) > self.p) / (1 - self.p)
        return x * self.mask

    def backward(self, grad):
        return grad * self.mask


class Softmax:
    def forward(self, x, training=False):
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.out = e / e.sum(axis=1, keepdims=True)
        return self.out

    def backward(self, grad):
        # CrossEntropy.backward already gives dL/dz for softmax + cross-entropy
        return grad


class CrossEntropy:
    def forward(self, pred, y):
        return -np.mean(np.sum(y * np.log(pred + 1e-12), axis=1))

    def backward(self, pred, y):
        return (pred - y) / len(y)


class MSE:
    def forward(self, pred, y):
        return np.mean(np.sum((pred - y) ** 2, axis=1))

    def backward(self, pred, y):
        return 2 * (pred - y) / len(y)


class SGD:
    def __init__(self, lr=0.1):
        self.lr = lr

    def step(self, layers):
        for layer in layers:
            if hasattr(layer, "W"):
                layer.W -= self.lr * layer.dW
                layer.b -= self.lr * layer.db


class Sequential:
    def __init__(self, loss=None, optimizer=None):
        self.layers = []
        self.loss = loss or CrossEntropy()
        self.optimizer = optimizer or SGD()

    def add(self, layer):
        self.layers.append(layer)

    def forward(self, x, training=False):
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def backward(self, loss_grad):
        grad = loss_grad
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def train_on_batch(self, xb, yb, lr):
        self.optimizer.lr = lr
        pred = self.forward(xb, training=True)
        loss = self.loss.forward(pred, yb)
        self.backward(self.loss.backward(pred, yb))
        self.optimizer.step(self.layers)
        return loss

    def fit(self, X, y, epochs, batch_size, lr):
        for epoch in range(epochs):
            idx = np.random.permutation(len(X))
            X, y = X[idx], y[idx]
            losses = []
            for i in range(0, len(X), batch_size):
                losses.append(self.train_on_batch(X[i:i + batch_size], y[i:i + batch_size], lr))
            print("epoch", epoch, "loss", np.mean(losses))

    def predict(self, X):
        return self.forward(X)

    def evaluate(self, X, labels):
        out = self.forward(X)
        return np.mean(np.argmax(out, axis=1) == labels)


def build_model():
    model = Sequential(loss=CrossEntropy(), optimizer=SGD(0.1))
    model.add(Dense(784, 64))
    model.add(ReLU())
    model.add(Dropout(0.5))
    model.add(Dense(64, 10))
    model.add(Softmax())
    return model


def load_mnist(path="mnist_train.csv"):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    X = data[:, 1:] / 255.0
    labels = data[:, 0].astype(int)
    return X, np.eye(10)[labels], labels


X_train, Y_train, L_train = load_mnist("mnist_train.csv")
X_test, Y_test, L_test = load_mnist("mnist_test.csv")
model = build_model()
model.fit(X_train, Y_train, epochs=10, batch_size=32, lr=0.1)
print("test accuracy:", model.evaluate(X_test, L_test))
