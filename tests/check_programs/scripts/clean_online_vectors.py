# one-example-at-a-time training, every sample is a flat (784,) vector
# 784 -> 64 (relu) -> 10 (softmax), cross entropy
import numpy as np
from keras.datasets import mnist


def relu(z):
    return np.maximum(0, z)


def relu_deriv(z):
    return (z > 0).astype(float)


def softmax(z):
    e = np.exp(z - np.max(z))   # subtract max so exp doesn't overflow
    return e / np.sum(e)


(x_train, y_train), (x_test, y_test) = mnist.load_data()
X = x_train.reshape(60000, 784) / 255.0
X_test = x_test.reshape(10000, 784) / 255.0
Y = np.eye(10)[y_train]          # one hot rows

hidden = 64
rng = np.random.default_rng(42)
W1 = rng.normal(0, np.sqrt(2 / 784), (hidden, 784))   # He init
b1 = np.zeros(hidden)
W2 = rng.normal(0, np.sqrt(2 / hidden), (10, hidden))
b2 = np.zeros(10)
lr = 0.01

epoch = 0
while epoch < 3:
    total_loss = 0.0
    correct = 0
    for x, y in zip(X, Y):
        # forward
        z1 = W1 @ x + b1
        a1 = relu(z1)
        z2 = W2 @ a1 + b2
        p = softmax(z2)
        total_loss += -np.log(p[np.argmax(y)] + 1e-12)
        correct += int(np.argmax(p) == np.argmax(y))

        # backward: softmax + cross entropy -> p - y
        dz2 = p - y
        dW2 = np.outer(dz2, a1)
        db2 = dz2
        dz1 = (W2.T @ dz2) * relu_deriv(z1)
        dW1 = np.outer(dz1, x)
        db1 = dz1

        # update
        W2 -= lr * dW2
        b2 -= lr * db2
        W1 -= lr * dW1
        b1 -= lr * db1

    print(f"epoch {epoch}: loss {total_loss / len(X):.4f}  train acc {correct / len(X):.4f}")
    epoch += 1

# test accuracy (whole test set at once, rows this time so transpose W)
A1_test = relu(X_test @ W1.T + b1)
scores = A1_test @ W2.T + b2
test_acc = np.mean(np.argmax(scores, axis=1) == y_test)
print("test accuracy:", test_acc)
