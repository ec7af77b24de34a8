# ruff: noqa  (a learner's program, kept in their style)
"""PyTorch-style modules in numpy: Linear/Sigmoid/Sequential, .grad on each Param, zero_grad, SGD."""
import gzip
import numpy as np


class Param:
    def __init__(self, data):
        self.data = data
        self.grad = np.zeros_like(data)


class Linear:
    def __init__(self, n_in, n_out):
        self.weight = Param(np.random.uniform(-1, 1, (n_out, n_in)) / np.sqrt(n_in))
        self.bias = Param(np.zeros(n_out))

    def __call__(self, x):
        self.x = x
        return x @ self.weight.data.T + self.bias.data

    def backward(self, grad_out):
        self.weight.grad += grad_out.T @ self.x
        self.bias.grad += grad_out.sum(axis=0)
        return grad_out @ self.weight.data

    def parameters(self):
        return [self.weight, self.bias]


class Sigmoid:
    def __call__(self, x):
        self.y = 1 / (1 + np.exp(-x))
        return self.y

    def backward(self, grad_out):
        return grad_out * self.y * (1 - self.y)

    def parameters(self):
        return []


class Sequential:
    def __init__(self, *modules):
        self.modules = list(modules)

    def __call__(self, x):
        for m in self.modules:
            x = m(x)
        return x

    def backward(self, grad):
        for m in reversed(self.modules):
            grad = m.backward(grad)

    def parameters(self):
        return [p for m in self.modules for p in m.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad[...] = 0


class MSELoss:
    def __call__(self, pred, target):
        self.diff = pred - target
        return np.mean(np.sum(self.diff ** 2, axis=1))

    def backward(self):
        return 2 * self.diff / len(self.diff)


class SGD:
    def __init__(self, params, lr):
        self.params, self.lr = params, lr

    def step(self):
        for p in self.params:
            p.data -= self.lr * p.grad


def train_one_batch(model, loss_fn, opt, xb, yb):
    model.zero_grad()
    loss = loss_fn(model(xb), yb)
    model.backward(loss_fn.backward())
    opt.step()
    return loss


def evaluate(model, X, labels):
    return float(np.mean(model(X).argmax(axis=1) == labels))


def train(model, loss_fn, opt, X, Y, epochs, bs):
    for epoch in range(epochs):
        perm = np.random.permutation(len(X))
        for i in range(0, len(X), bs):
            b = perm[i:i + bs]
            loss = train_one_batch(model, loss_fn, opt, X[b], Y[b])
        print(epoch, loss)


def load(split):
    with gzip.open(f"data/MNIST/raw/{split}-images-idx3-ubyte.gz") as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784) / 255.0
    with gzip.open(f"data/MNIST/raw/{split}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return X, y


X, y = load("train")
Xt, yt = load("t10k")
model = Sequential(Linear(784, 64), Sigmoid(), Linear(64, 10), Sigmoid())
loss_fn = MSELoss()
opt = SGD(model.parameters(), lr=1.0)
train(model, loss_fn, opt, X, np.eye(10)[y], 20, 32)
print("accuracy", evaluate(model, Xt, yt))
