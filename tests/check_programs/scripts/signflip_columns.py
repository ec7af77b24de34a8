# 784-30-10 network, sigmoid everywhere, quadratic cost
# full batch gradient descent, no classes (following the 3b1b video + Nielsen ch1)
import mnist_loader
import numpy as np

training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
training_data = list(training_data)   # python 3 gives zip objects
test_data = list(test_data)

# stack the (784,1) columns side by side -> (784, m)
X = np.hstack([x for x, y in training_data])
Y = np.hstack([y for x, y in training_data])
X_test = np.hstack([x for x, y in test_data])
y_test = np.array([y for x, y in test_data])
m = X.shape[1]
print("X", X.shape, "Y", Y.shape)

np.random.seed(1)
W1 = np.random.randn(30, 784) / np.sqrt(784)
b1 = np.zeros((30, 1))
W2 = np.random.randn(10, 30) / np.sqrt(30)
b2 = np.zeros((10, 1))

lr = 3.0
epochs = 100

for epoch in range(epochs):
    # forward pass
    z1 = W1 @ X + b1
    a1 = 1 / (1 + np.exp(-z1))
    z2 = W2 @ a1 + b2
    out = 1 / (1 + np.exp(-z2))

    # cost = 1/2m * sum of squared errors
    cost = 0.5 * np.sum((out - Y) ** 2) / m

    # backprop
    error = Y - out          # how far off we are
    delta2 = error * out * (1 - out)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)

    dW2 = delta2 @ a1.T / m
    db2 = np.sum(delta2, axis=1, keepdims=True) / m
    dW1 = delta1 @ X.T / m
    db1 = np.sum(delta1, axis=1, keepdims=True) / m

    # gradient descent step
    W2 -= lr * dW2
    b2 -= lr * db2
    W1 -= lr * dW1
    b1 -= lr * db1

    if epoch % 10 == 0:
        # check on the test set
        a1_t = 1 / (1 + np.exp(-(W1 @ X_test + b1)))
        out_t = 1 / (1 + np.exp(-(W2 @ a1_t + b2)))
        acc = np.mean(np.argmax(out_t, axis=0) == y_test)
        print("epoch", epoch, "cost", cost, "test acc", acc)

print("done")
