# tanh hidden layer + softmax, mini batches of 32, rows = samples
import numpy as np

with np.load('mnist.npz') as f:
    x_train, y_train = f['x_train'], f['y_train']
    x_test, y_test = f['x_test'], f['y_test']

X = x_train.reshape(len(x_train), -1) / 255.0
X_test = x_test.reshape(len(x_test), -1) / 255.0
Y = np.zeros((len(y_train), 10))
Y[np.arange(len(y_train)), y_train] = 1

np.random.seed(3)
W1 = np.random.randn(784, 128) * np.sqrt(1.0 / 784)
b1 = np.zeros((1, 128))
W2 = np.random.randn(128, 10) * np.sqrt(1.0 / 128)
b2 = np.zeros((1, 10))

lr = 0.05
bs = 32
n = X.shape[0]

for epoch in range(5):
    order = np.random.permutation(n)
    X = X[order]
    Y = Y[order]
    for b in range(n // bs):
        xb = X[b*bs:(b+1)*bs]
        yb = Y[b*bs:(b+1)*bs]

        # forward
        h = np.tanh(xb @ W1 + b1)
        logits = h @ W2 + b2
        logits -= logits.max(axis=1, keepdims=True)
        out = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        loss = -np.sum(yb * np.log(out + 1e-9)) / bs

        # backward
        d_logits = (out - yb) / bs
        dW2 = h.T @ d_logits
        db2 = d_logits.sum(axis=0, keepdims=True)
        dh = (d_logits @ W2.T) * (1 - h ** 2)    # tanh' = 1 - tanh^2
        dW1 = xb.T @ dh
        db1 = dh.sum(axis=0, keepdims=True)

        # update
        W2 -= lr * dW2
        b2 -= lr * db2
        W1 -= lr * dW1
        b1 -= lr * db1

    print('epoch', epoch, 'last batch loss', round(float(loss), 4))

# evaluate on the test set
predictions = np.argmax(out, axis=1)
test_acc = np.mean(predictions == y_test[:len(predictions)])
print("test accuracy:", test_acc)
