# MNIST, column layout like Andrew Ng's course: X is (784, m), W1 is (n_h, 784)
import numpy as np
from keras.datasets import mnist

(train_X, train_y), (test_X, test_y) = mnist.load_data()
X = train_X.reshape(60000, 784).T / 255.0      # (784, 60000)
X_test = test_X.reshape(10000, 784).T / 255.0


def one_hot(y):
    Y = np.zeros((10, y.size))
    Y[y, np.arange(y.size)] = 1
    return Y


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


Y = one_hot(train_y)
n_h = 50
W1 = np.random.randn(n_h, 784) * 0.01
b1 = np.zeros((n_h, 1))
W2 = np.random.randn(10, n_h) * 0.01
b2 = np.zeros((10, 1))

lr = 0.5
batch_size = 64
epochs = 5
step = 0

for epoch in range(epochs):
    order = np.random.permutation(X.shape[1])
    for k in range(0, X.shape[1], batch_size):
        cols = order[k:k + batch_size]
        Xb, Yb = X[:, cols], Y[:, cols]
        m = Xb.shape[1]

        # forward prop
        Z1 = W1 @ Xb + b1
        A1 = sigmoid(Z1)
        Z2 = W2 @ A1 + b2
        A2 = softmax(Z2)
        cost = -np.sum(Yb * np.log(A2 + 1e-8)) / m

        # back prop
        dZ2 = A2 - Yb
        dW2 = dZ2 @ A1.T / m
        db2 = np.sum(dZ2, axis=1, keepdims=True) / m
        dZ1 = (W2.T @ dZ2) * A1 * (1 - A1)
        dW1 = dZ1 @ Xb.T / m
        db1 = np.sum(dZ1, axis=1, keepdims=True) / m

        # update
        alpha = lr / m   # average over the batch
        W1 = W1 - alpha * dW1
        b1 = b1 - alpha * db1
        W2 = W2 - alpha * dW2
        b2 = b2 - alpha * db2

        if step % 100 == 0:
            print("epoch", epoch, "step", step, "cost", round(float(cost), 4))
        step += 1

pred = np.argmax(softmax(W2 @ sigmoid(W1 @ X_test + b1) + b2), axis=0)
print("test accuracy:", np.mean(pred == test_y))
