# A script of module-level globals whose train(x, y, epochs, batch, lr) is the epoch loop.
import numpy as np

# load the kaggle csv (label, pixel0..pixel783)
train = np.loadtxt("train.csv", delimiter=",", skiprows=1)
X = train[:, 1:] / 255.0
labels = train[:, 0].astype(int)
X_train, X_test = X[:35000], X[35000:]
y_train, y_test = labels[:35000], labels[35000:]

np.random.seed(42)
W1 = np.random.randn(784, 32) * 0.05
b1 = np.zeros(32)
W2 = np.random.randn(32, 10) * 0.05
b2 = np.zeros(10)

cache = {}


def relu(z):
    return np.maximum(z, 0)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def forward(x):
    z1 = x @ W1 + b1
    a1 = relu(z1)
    z2 = a1 @ W2 + b2
    out = softmax(z2)
    cache["x"], cache["z1"], cache["a1"], cache["out"] = x, z1, a1, out
    return out


def backprop(y):
    # y = one-hot labels, same rows as the last forward
    n = y.shape[0]
    dz2 = (cache["out"] - y) / n
    dW2 = cache["a1"].T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * (cache["z1"] > 0)
    dW1 = cache["x"].T @ dz1
    db1 = dz1.sum(axis=0)
    return dW1, db1, dW2, db2


def update(dW1, db1, dW2, db2, lr):
    global W1, b1, W2, b2
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2


def accuracy(x, y):
    return np.mean(np.argmax(forward(x), axis=1) == y)


def train(x, y, epochs=10, batch=100, lr=0.2):
    onehot = np.eye(10)[y]
    for ep in range(epochs):
        p = np.random.permutation(len(x))
        for i in range(0, len(x), batch):
            idx = p[i:i + batch]
            forward(x[idx])
            grads = backprop(onehot[idx])
            update(*grads, lr)
        print("epoch", ep, "done")


train(X_train, y_train)
