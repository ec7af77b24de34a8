# deeper net: 784 -> 64 -> 64 -> 10, relu, softmax cross entropy
import numpy as np

data = np.load("mnist.npz")
x_train = data["x_train"].reshape(-1, 784).astype(np.float64) / 255.0
y_train = data["y_train"]
x_test = data["x_test"].reshape(-1, 784).astype(np.float64) / 255.0
y_test = data["y_test"]


def relu(z):
    return np.maximum(z, 0)


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


np.random.seed(42)
W1 = np.random.randn(784, 64) * np.sqrt(2 / 784)
b1 = np.zeros(64)
W2 = np.random.randn(64, 64) * np.sqrt(2 / 64)
b2 = np.zeros(64)
W3 = np.random.randn(64, 10) * np.sqrt(2 / 64)
b3 = np.zeros(10)

lr = 0.1
batch_size = 128
epochs = 10
N = len(x_train)

for epoch in range(epochs):
    shuffle = np.random.permutation(N)
    for i in range(0, N, batch_size):
        idx = shuffle[i:i + batch_size]
        xb, yb = x_train[idx], y_train[idx]
        m = len(idx)

        # forward pass
        z1 = xb @ W1 + b1
        a1 = relu(z1)
        z2 = a1 @ W2 + b2
        a2 = relu(z2)
        z3 = a2 @ W3 + b3
        p = softmax(z3)
        loss = -np.log(p[np.arange(m), yb] + 1e-12).mean()

        # backward pass
        dz3 = p.copy()
        dz3[np.arange(m), yb] -= 1
        dz3 /= m
        dW3 = a2.T @ dz3
        db3 = dz3.sum(axis=0)
        dz2 = (dz3 @ W3.T) * (z2 > 0)
        dW2 = a1.T @ dz2
        db2 = dz2.sum(axis=0)
        dz1 = (dz2 @ W2.T) * (z1 > 0)
        dW1 = xb.T @ dz1
        db1 = dz1.sum(axis=0)

        # update the parameters
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db1
        W3 -= lr * dW3
        b3 -= lr * db3

    test_p = relu(relu(x_test @ W1 + b1) @ W2 + b2) @ W3 + b3
    print(f"epoch {epoch + 1}  loss {loss:.4f}  test acc {np.mean(test_p.argmax(1) == y_test):.4f}")
