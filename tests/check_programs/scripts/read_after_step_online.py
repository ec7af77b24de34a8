# Make Your Own Neural Network style but with biases and no class.
# Reads the csv version of MNIST (label, 784 pixels per line).
import numpy as np

if __name__ == "__main__":
    data = np.loadtxt('mnist_train.csv', delimiter=',')
    labels = data[:, 0].astype(int)
    X = data[:, 1:] / 255.0 * 0.99 + 0.01      # scale inputs to 0.01..1.0
    n = X.shape[0]
    T = np.zeros((10, n)) + 0.01               # targets, one column per example
    T[labels, np.arange(n)] = 0.99

    test = np.loadtxt('mnist_test.csv', delimiter=',')
    test_labels = test[:, 0].astype(int)
    X_test = test[:, 1:] / 255.0 * 0.99 + 0.01

    hidden = 100
    W1 = np.random.normal(0.0, 784 ** -0.5, (hidden, 784))
    b1 = np.zeros((hidden, 1))
    W2 = np.random.normal(0.0, hidden ** -0.5, (10, hidden))
    b2 = np.zeros((10, 1))
    lr = 0.1

    for epoch in range(2):
        for i in range(n):
            x = X[i].reshape(784, 1)
            t = T[:, i:i+1]

            # forward pass
            h = 1 / (1 + np.exp(-(W1 @ x + b1)))
            o = 1 / (1 + np.exp(-(W2 @ h + b2)))

            # error E = sum (t - o)^2, so dE/do = -2 (t - o)
            delta_o = -2 * (t - o) * o * (1 - o)

            # update the output layer first
            W2 -= lr * delta_o @ h.T
            b2 -= lr * delta_o

            # then push the error back to the hidden layer
            delta_h = (W2.T @ delta_o) * h * (1 - h)
            W1 -= lr * delta_h @ x.T
            b1 -= lr * delta_h

        # test set, all columns at once
        H = 1 / (1 + np.exp(-(W1 @ X_test.T + b1)))
        O = 1 / (1 + np.exp(-(W2 @ H + b2)))
        acc = np.mean(np.argmax(O, axis=0) == test_labels)
        print("epoch", epoch + 1, "test accuracy", acc)
