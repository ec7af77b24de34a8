# handwritten digits from the 32x32 text files (machine learning in action data)
# 1024-64-64-10, sigmoid, quadratic cost, mini-batches of 32
import os

import numpy as np

X_list, y_list = [], []
for fname in os.listdir('trainingDigits'):
    label = int(fname.split('_')[0])          # "7_123.txt" -> 7
    vec = np.zeros(1024)
    with open(os.path.join('trainingDigits', fname)) as f:
        for r in range(32):                    # 32 lines of 32 chars
            line = f.readline()
            for c in range(32):
                vec[32 * r + c] = int(line[c])
    X_list.append(vec)
    y_list.append(label)

X = np.array(X_list)          # (n, 1024)
labels = np.array(y_list)
n = X.shape[0]
Y = np.zeros((n, 10))
Y[np.arange(n), labels] = 1   # one hot

np.random.seed(0)
W1 = np.random.randn(1024, 64) * 0.05
b1 = np.zeros(64)
W2 = np.random.randn(64, 64) * 0.1
b2 = np.zeros(64)
W3 = np.random.randn(64, 10) * 0.1
b3 = np.zeros(10)

lr = 0.5
batch_size = 32

for epoch in range(50):
    perm = np.random.permutation(n)
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        xb, yb = X[idx], Y[idx]
        # forward
        a1 = 1 / (1 + np.exp(-(xb @ W1 + b1)))
        a2 = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
        out = 1 / (1 + np.exp(-(a2 @ W3 + b3)))
        # backward, cost = mean over batch of 0.5*sum((out-y)^2)
        delta3 = (out - yb) * out * (1 - out) / len(idx)
        delta2 = (delta3 @ W3.T) * a2 * (1 - a2)
        delta1 = (delta2 @ W2) * a1 * (1 - a1)
        # update
        W3 -= lr * (a2.T @ delta3)
        b3 -= lr * delta3.sum(axis=0)
        W2 -= lr * (a1.T @ delta2)
        b2 -= lr * delta2.sum(axis=0)
        W1 -= lr * (xb.T @ delta1)
        b1 -= lr * delta1.sum(axis=0)

    # training accuracy every 5 epochs
    if epoch % 5 == 0:
        a1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
        a2 = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
        out = 1 / (1 + np.exp(-(a2 @ W3 + b3)))
        cost = 0.5 * np.sum((out - Y) ** 2) / n
        print(epoch, cost, np.mean(out.argmax(axis=1) == labels))
