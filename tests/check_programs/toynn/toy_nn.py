# My port of the Coding Train "toy neural network" to numpy (it was a matrix library in JS).
# 784 inputs, 64 hidden, 10 outputs, sigmoid everywhere. Trains one digit at a time.
import numpy as np
import pandas as pd


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def dsigmoid(y):
    # y is already sigmoid(x)
    return y * (1 - y)


class NeuralNetwork:
    def __init__(self, input_nodes, hidden_nodes, output_nodes):
        self.input_nodes = input_nodes
        self.hidden_nodes = hidden_nodes
        self.output_nodes = output_nodes

        self.weights_ih = np.random.uniform(-1, 1, (self.hidden_nodes, self.input_nodes))
        self.weights_ho = np.random.uniform(-1, 1, (self.output_nodes, self.hidden_nodes))
        self.bias_h = np.random.uniform(-1, 1, (self.hidden_nodes, 1))
        self.bias_o = np.random.uniform(-1, 1, (self.output_nodes, 1))
        self.setLearningRate()

    def setLearningRate(self, learning_rate=0.1):
        self.learning_rate = learning_rate

    def predict(self, input_array):
        inputs = np.array(input_array, ndmin=2).T
        hidden = sigmoid(self.weights_ih @ inputs + self.bias_h)
        output = sigmoid(self.weights_ho @ hidden + self.bias_o)
        return output.flatten()

    def train(self, input_array, target_array):
        inputs = np.array(input_array, ndmin=2).T
        hidden = sigmoid(self.weights_ih @ inputs + self.bias_h)
        outputs = sigmoid(self.weights_ho @ hidden + self.bias_o)

        targets = np.array(target_array, ndmin=2).T
        # error = targets - outputs
        output_errors = targets - outputs

        # gradient = outputs * (1 - outputs) * error * learning rate
        gradients = dsigmoid(outputs) * output_errors * self.learning_rate

        # hidden layer errors, back through the output weights (with the output's slope)
        hidden_errors = self.weights_ho.T @ (output_errors * dsigmoid(outputs))
        hidden_gradient = dsigmoid(hidden) * hidden_errors * self.learning_rate

        # adjust the weights and biases by their deltas
        weight_ho_deltas = gradients @ hidden.T
        self.weights_ho += weight_ho_deltas
        self.bias_o += gradients

        weight_ih_deltas = hidden_gradient @ inputs.T
        self.weights_ih += weight_ih_deltas
        self.bias_h += hidden_gradient


train = pd.read_csv("digit-recognizer/train.csv")
labels = train["label"].values
pixels = train.drop("label", axis=1).values / 255

nn = NeuralNetwork(784, 64, 10)
nn.setLearningRate(0.1)
for epoch in range(3):
    for i in np.random.permutation(len(pixels)):
        target = np.zeros(10)
        target[labels[i]] = 1
        nn.train(pixels[i], target)
    guesses = np.array([np.argmax(nn.predict(p)) for p in pixels[:1000]])
    print("epoch", epoch, "accuracy", np.mean(guesses == labels[:1000]))
