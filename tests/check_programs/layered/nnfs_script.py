# MNIST with the classes from Neural Networks from Scratch (chapters 1-10), as one script
import numpy as np
from mnist_data import load_mnist

np.random.seed(42)


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = np.dot(dvalues, self.weights.T)


class Activation_ReLU:
    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0


class Activation_Softmax_Loss_CategoricalCrossentropy:
    def forward(self, inputs, y_true):
        exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = exp_values / np.sum(exp_values, axis=1, keepdims=True)
        clipped = np.clip(self.output, 1e-7, 1 - 1e-7)
        return np.mean(-np.log(clipped[range(len(clipped)), y_true]))

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), y_true] -= 1
        self.dinputs = self.dinputs / samples


class Optimizer_SGD:
    def __init__(self, learning_rate=1.0):
        self.learning_rate = learning_rate

    def update_params(self, layer):
        layer.weights += -self.learning_rate * layer.dweights
        layer.biases += -self.learning_rate * layer.dbiases


X, y, X_test, y_test = load_mnist()

dense1 = Layer_Dense(784, 64)
activation1 = Activation_ReLU()
dense2 = Layer_Dense(64, 10)
loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
optimizer = Optimizer_SGD(learning_rate=0.3)

BATCH_SIZE = 32
for epoch in range(5):
    for step in range(len(X) // BATCH_SIZE):
        batch_X = X[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]
        batch_y = y[step * BATCH_SIZE:(step + 1) * BATCH_SIZE]

        dense1.forward(batch_X)
        activation1.forward(dense1.output)
        dense2.forward(activation1.output)
        loss = loss_activation.forward(dense2.output, batch_y)

        loss_activation.backward(loss_activation.output, batch_y)
        dense2.backward(loss_activation.dinputs)
        activation1.backward(dense2.dinputs)
        dense1.backward(activation1.dinputs)

        optimizer.update_params(dense1)
        optimizer.update_params(dense2)
    accuracy = np.mean(np.argmax(loss_activation.output, axis=1) == batch_y)
    print(f"epoch {epoch}, loss {loss:.3f}, last batch accuracy {accuracy:.3f}")

dense1.forward(X_test)
activation1.forward(dense1.output)
dense2.forward(activation1.output)
print("test accuracy", np.mean(np.argmax(dense2.output, axis=1) == y_test))
