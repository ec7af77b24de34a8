# MNIST with relu hidden layers + softmax output, cross entropy loss
# rows = examples, so X is (m, 784) and each weight matrix is (n_in, n_out)
import gzip

import numpy as np

np.random.seed(1)

path = "mnist/"
with gzip.open(path + "train-images-idx3-ubyte.gz") as f:
    X_train = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28 * 28)[:10000] / 255.0
with gzip.open(path + "train-labels-idx1-ubyte.gz") as f:
    y_train = np.frombuffer(f.read(), np.uint8, offset=8)[:10000]
with gzip.open(path + "t10k-images-idx3-ubyte.gz") as f:
    X_test = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28 * 28)[:2000] / 255.0
with gzip.open(path + "t10k-labels-idx1-ubyte.gz") as f:
    y_test = np.frombuffer(f.read(), np.uint8, offset=8)[:2000]

# one hot
T_train = (y_train[:, None] == np.arange(10)).astype(np.float64)

sizes = [784, 128, 64, 10]
Ws = [np.random.randn(n_in, n_out) * np.sqrt(2.0 / n_in)
      for n_in, n_out in zip(sizes[:-1], sizes[1:])]
bs = [np.zeros(n_out) for n_out in sizes[1:]]

lr = 0.1
batch_size = 32
epochs = 2


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


if __name__ == "__main__":
    N = X_train.shape[0]
    for epoch in range(epochs):
        idx = np.random.permutation(N)
        total_loss = 0.0
        for s in range(0, N, batch_size):
            batch = idx[s:s + batch_size]
            x = X_train[batch]
            t = T_train[batch]
            m = x.shape[0]

            # forward
            hs = [x]
            pre = []
            for i, (W, b) in enumerate(zip(Ws, bs)):
                z = hs[-1] @ W + b
                pre.append(z)
                if i < len(Ws) - 1:
                    hs.append(np.maximum(0, z))
                else:
                    hs.append(softmax(z))
            p = hs[-1]
            total_loss += -np.sum(t * np.log(p + 1e-12))

            # backward (softmax + CE gives p - t), averaged over batch
            delta = (p - t) / m
            grads_W = []
            grads_b = []
            for i in range(len(Ws) - 1, -1, -1):
                grads_W.insert(0, hs[i].T @ delta)
                grads_b.insert(0, delta.sum(axis=0))
                if i > 0:
                    delta = (delta @ Ws[i].T) * (pre[i - 1] > 0)

            for i in range(len(Ws)):
                Ws[i] -= lr * grads_W[i]
                bs[i] -= lr * grads_b[i]

        # test
        a = X_test
        for i in range(len(Ws)):
            a = a @ Ws[i] + bs[i]
            if i < len(Ws) - 1:
                a = np.maximum(0, a)
        acc = np.mean(np.argmax(a, axis=1) == y_test)
        print("epoch", epoch + 1, "loss %.4f" % (total_loss / N),
              "test accuracy %.2f%%" % (100 * acc))
