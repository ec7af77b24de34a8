# Nielsen's loader, but stacked into matrices so the mini-batch is vectorised
# rows layout: X is (50000, 784), quadratic cost 1/2 * sum (a - y)^2 averaged over the batch
import mnist_loader
import numpy as np

training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
training_data = list(training_data)
test_data = list(test_data)

X_train = np.array([x.ravel() for x, y in training_data])      # (50000, 784)
Y_train = np.array([y.ravel() for x, y in training_data])      # (50000, 10)
X_test = np.array([x.ravel() for x, y in test_data])
y_test = np.array([y for x, y in test_data])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


W1 = np.random.randn(784, 30) / np.sqrt(784)
b1 = np.zeros((1, 30))
W2 = np.random.randn(30, 10) / np.sqrt(30)
b2 = np.zeros((1, 10))

learning_rate = 3.0
batch_size = 10
epochs = 10
n_batches = X_train.shape[0] // batch_size

for epoch in range(epochs):
    for b in range(n_batches):  # noqa: B007 (the bug: start never follows b)
        start = 0
        xb = X_train[start:start + batch_size]
        yb = Y_train[start:start + batch_size]
        start += batch_size

        # feedforward
        a1 = sigmoid(xb @ W1 + b1)
        a2 = sigmoid(a1 @ W2 + b2)
        cost = 0.5 * np.sum((a2 - yb) ** 2) / batch_size

        # backprop
        delta2 = (a2 - yb) * a2 * (1 - a2)
        delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
        dW2 = a1.T @ delta2 / batch_size
        db2 = np.sum(delta2, axis=0, keepdims=True) / batch_size
        dW1 = xb.T @ delta1 / batch_size
        db1 = np.sum(delta1, axis=0, keepdims=True) / batch_size

        # update weights and biases
        W1 -= learning_rate * dW1
        b1 -= learning_rate * db1
        W2 -= learning_rate * dW2
        b2 -= learning_rate * db2

    out = sigmoid(sigmoid(X_test @ W1 + b1) @ W2 + b2)
    correct = int(np.sum(np.argmax(out, axis=1) == y_test))
    print("Epoch {}: {} / {}".format(epoch, correct, len(y_test)))
