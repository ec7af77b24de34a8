import mnist_loader
import numpy as np

# load with the loader from the book, then turn it into row matrices
tr, va, te = mnist_loader.load_data_wrapper()
tr = list(tr)
te = list(te)
X_train = np.array([x.ravel() for x, y in tr])    # (50000, 784)
Y_train = np.array([y.ravel() for x, y in tr])    # (50000, 10)
X_test = np.array([x.ravel() for x, y in te])     # (10000, 784)
y_test = np.array([y for x, y in te])             # ints

n_hidden = 30
eta = 1.5
n_epochs = 30
bs = 32

rng = np.random.default_rng(0)
w1 = rng.standard_normal((784, n_hidden)) / np.sqrt(784)
b1 = np.zeros((1, n_hidden))
w2 = rng.standard_normal((n_hidden, 10)) / np.sqrt(n_hidden)
b2 = np.zeros((1, 10))

N = X_train.shape[0]
for ep in range(n_epochs):
    perm = rng.permutation(N)
    total = 0.0
    for i in range(0, N, bs):
        xb = X_train[perm[i:i + bs]]
        yb = Y_train[perm[i:i + bs]]

        # forward pass
        a1 = 1.0 / (1.0 + np.exp(-(xb.dot(w1) + b1)))
        y_hat = a1.dot(w2) + b2          # linear output

        # MSE, mean over batch AND the 10 outputs
        loss = np.mean((y_hat - yb) ** 2)
        total += loss * len(xb)

        # backprop
        g_out = 2 * (y_hat - yb) / y_hat.size
        g_w2 = a1.T.dot(g_out)
        g_b2 = g_out.sum(axis=0, keepdims=True)
        g_a1 = g_out.dot(w2.T)
        g_z1 = g_a1 * a1 * (1 - a1)
        g_w1 = xb.T.dot(g_z1)
        g_b1 = g_z1.sum(axis=0, keepdims=True)

        # sgd
        w1 -= eta * g_w1
        b1 -= eta * g_b1
        w2 -= eta * g_w2
        b2 -= eta * g_b2

    a1 = 1.0 / (1.0 + np.exp(-(X_test.dot(w1) + b1)))
    pred = np.argmax(a1.dot(w2) + b2, axis=1)
    print("Epoch {}: avg loss {:.4f}, {} / {}".format(
        ep, total / N, np.sum(pred == y_test), len(y_test)))
