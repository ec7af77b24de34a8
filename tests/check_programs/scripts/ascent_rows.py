# using Nielsen's mnist_loader but vectorised mini-batches with examples as ROWS
# 784 -> 30 sigmoid -> 10 softmax, cross entropy loss, batch size 10
import mnist_loader
import numpy as np

training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
training_data = list(training_data)
test_data = list(test_data)

# each x is (784,1) and y is (10,1) -> flatten into rows
X = np.array([x.ravel() for x, y in training_data])     # (50000, 784)
Y = np.array([y.ravel() for x, y in training_data])     # (50000, 10)
X_test = np.array([x.ravel() for x, y in test_data])
y_test = np.array([y for x, y in test_data])            # test labels are ints
n = len(X)

np.random.seed(2)
W1 = np.random.randn(784, 30) / np.sqrt(784)
b1 = np.zeros((1, 30))
W2 = np.random.randn(30, 10) / np.sqrt(30)
b2 = np.zeros((1, 10))

lr = 0.5
batch_size = 10

for epoch in range(20):
    perm = np.random.permutation(n)
    for i in range(0, n, batch_size):
        idx = perm[i:i+batch_size]
        xb = X[idx]
        yb = Y[idx]

        # forward
        a1 = 1.0 / (1.0 + np.exp(-(xb @ W1 + b1)))
        scores = a1 @ W2 + b2
        scores -= np.max(scores, axis=1, keepdims=True)
        y_hat = np.exp(scores) / np.sum(np.exp(scores), axis=1, keepdims=True)

        # backward (mean cross entropy over the batch)
        delta2 = (y_hat - yb) / len(idx)
        grad_W2 = a1.T @ delta2
        grad_b2 = np.sum(delta2, axis=0, keepdims=True)
        delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
        grad_W1 = xb.T @ delta1
        grad_b1 = np.sum(delta1, axis=0, keepdims=True)

        # step
        W2 -= lr * grad_W2
        b2 -= lr * grad_b2
        W1 += lr * grad_W1
        b1 -= lr * grad_b1

    # evaluate like Nielsen does: count correct out of 10000
    a1 = 1.0 / (1.0 + np.exp(-(X_test @ W1 + b1)))
    correct = np.sum(np.argmax(a1 @ W2 + b2, axis=1) == y_test)
    print("Epoch {0}: {1} / {2}".format(epoch, correct, len(y_test)))
