# two hidden layers this time! 784 -> 128 -> 64 -> 10
# relu, relu, softmax + cross entropy. data from mnist.npz, rows = examples
import numpy as np

data = np.load('mnist.npz')
x_train = data['x_train'].reshape(-1, 784) / 255
y_train = data['y_train']
x_test = data['x_test'].reshape(-1, 784) / 255
y_test = data['y_test']
n = x_train.shape[0]

np.random.seed(0)
W1 = np.random.randn(784, 128) * np.sqrt(2 / 784)
b1 = np.zeros(128)
W2 = np.random.randn(128, 64) * np.sqrt(2 / 128)
b2 = np.zeros(64)
W3 = np.random.randn(64, 10) * np.sqrt(2 / 64)
b3 = np.zeros(10)

lr = 0.05
batch_size = 100

for epoch in range(15):
    perm = np.random.permutation(n)
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        xb = x_train[idx]
        yb = y_train[idx]
        m = len(idx)

        z1 = xb @ W1 + b1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ W2 + b2
        h2 = np.maximum(z2, 0)
        z3 = h2 @ W3 + b3
        z3 = z3 - z3.max(axis=1, keepdims=True)
        probs = np.exp(z3) / np.exp(z3).sum(axis=1, keepdims=True)

        # backprop
        delta3 = probs.copy()
        delta3[np.arange(m), yb] -= 1
        delta3 /= m
        dW3 = h2.T @ delta3
        db3 = delta3.sum(axis=0)
        delta2 = (delta3 @ W3.T) * (z2 > 0)
        dW2 = h1.T @ delta2
        db2 = delta2.sum(axis=0)
        delta1 = (delta2 @ W2.T) * (z1 > 0)
        dW1 = xb.T @ delta1
        db1 = delta1.sum(axis=0)

        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
        W3 -= lr * dW3
        b3 -= lr * db3

    # accuracy on test set
    h = np.maximum(np.maximum(x_test @ W1 + b1, 0) @ W2 + b2, 0)
    acc = np.mean((h @ W3 + b3).argmax(axis=1) == y_test)
    loss = -np.mean(np.log(probs[np.arange(m), yb] + 1e-10))
    print(f"epoch {epoch+1}: last batch loss {loss:.3f}, test acc {acc:.4f}")
