# MNIST MLP with SGD + momentum, data from mnist.npz
import numpy as np

data = np.load("mnist.npz")
X_train, y_train = data["x_train"], data["y_train"]
X_test, y_test = data["x_test"], data["y_test"]
X_train = X_train.reshape(len(X_train), -1) / 255.0
X_test = X_test.reshape(len(X_test), -1) / 255.0


def one_hot(y, k=10):
    out = np.zeros((len(y), k))
    out[np.arange(len(y)), y] = 1
    return out


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    ez = np.exp(z)
    return ez / ez.sum(axis=1, keepdims=True)


Y_train = one_hot(y_train)

W1 = np.random.randn(784, 100) * 0.01
b1 = np.zeros((1, 100))
W2 = np.random.randn(100, 10) * 0.01
b2 = np.zeros((1, 10))

# velocity for momentum
vW1 = np.zeros_like(W1)
vb1 = np.zeros_like(b1)
vW2 = np.zeros_like(W2)
vb2 = np.zeros_like(b2)

lr = 0.05
beta = 0.9
batch_size = 64
epochs = 10
N = X_train.shape[0]

for epoch in range(epochs):
    idx = np.random.permutation(N)   # new order every epoch
    for start in range(0, N, batch_size):
        batch = idx[start:start + batch_size]
        xb = X_train[batch]
        yb = Y_train[batch]
        m = xb.shape[0]

        # forward
        Z1 = xb @ W1 + b1
        A1 = np.maximum(Z1, 0)
        Z2 = A1 @ W2 + b2
        P = softmax(Z2)
        loss = -np.sum(yb * np.log(P + 1e-8)) / m

        # backward
        dZ2 = (P - yb) / m
        dW2 = A1.T @ dZ2
        db2 = dZ2.sum(axis=0, keepdims=True)
        dA1 = dZ2 @ W2.T
        dZ1 = dA1 * (Z1 > 0)
        dW1 = xb.T @ dZ1
        db1 = dZ1.sum(axis=0, keepdims=True)

        # momentum update
        vW1 = beta * vW1 + dW1
        vb1 = beta * vb1 + db1
        vW2 = beta * vW2 + dW2
        vb2 = beta * vb2 + db2
        W1 -= lr * vW1
        b1 -= lr * vb1
        W2 -= lr * vW2
        b2 -= lr * vb2

    test_pred = np.argmax(np.maximum(X_test @ W1 + b1, 0) @ W2 + b2, axis=1)
    print("epoch", epoch + 1, "last batch loss", round(float(loss), 4),
          "test acc", np.mean(test_pred == y_test))
