# handwritten digits (32x32 text files) with a 2 layer network, numpy only
import os
import numpy as np

# read the training digits: every file is 32 lines of 32 '0'/'1', named <digit>_<n>.txt
files = os.listdir('trainingDigits')
X = np.zeros((len(files), 1024))
labels = np.zeros(len(files), dtype=int)
for i, name in enumerate(files):
    with open('trainingDigits/' + name) as f:
        X[i] = [int(c) for line in f for c in line.strip()]
    labels[i] = int(name.split('_')[0])
Y = np.zeros((len(files), 10))
Y[np.arange(len(files)), labels] = 1

np.random.seed(0)
W1 = np.random.randn(1024, 32) * 0.05
b1 = np.zeros(32)
W2 = np.random.randn(32, 10) * 0.3
b2 = np.zeros(10)
lr = 2.0
m = len(X)

for epoch in range(300):
    # forward
    h = 1 / (1 + np.exp(-(X @ W1 + b1)))
    out = 1 / (1 + np.exp(-(h @ W2 + b2)))
    loss = np.mean(np.sum((out - Y) ** 2, axis=1))
    # backward
    d_out = 2 * (out - Y) / m * out * (1 - out)
    dW2 = h.T @ d_out
    db2 = d_out.sum(axis=0)
    d_h = d_out @ W2.T * h * (1 - h)
    dW1 = X.T @ d_h
    db1 = d_h.sum(axis=0)
    # gradient descent
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    if epoch % 20 == 0:
        acc = np.mean(np.argmax(out, axis=1) == labels)
        print(epoch, loss, acc)

print('final training accuracy:', np.mean(np.argmax(out, axis=1) == labels))
