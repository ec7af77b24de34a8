# ruff: noqa  (a learner's program, kept in their style)
# neural network class (after "Make Your Own Neural Network") but with softmax + cross entropy
import numpy as np
import csv


def relu(x):
    return np.maximum(0, x)


def softmax(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


class NeuralNetwork:
    def __init__(self, inputnodes, hiddennodes, outputnodes, learningrate):
        self.inodes, self.hnodes, self.onodes = inputnodes, hiddennodes, outputnodes
        self.wih = np.random.normal(0.0, pow(self.inodes, -0.5), (self.hnodes, self.inodes))
        self.bih = np.zeros((self.hnodes, 1))
        self.who = np.random.normal(0.0, pow(self.hnodes, -0.5), (self.onodes, self.hnodes))
        self.bho = np.zeros((self.onodes, 1))
        self.lr = learningrate

    def train(self, inputs_list, targets_list):
        inputs = np.array(inputs_list, ndmin=2).T
        targets = np.array(targets_list, ndmin=2).T
        hidden_inputs = np.dot(self.wih, inputs) + self.bih
        hidden_outputs = relu(hidden_inputs)
        final_outputs = softmax(np.dot(self.who, hidden_outputs) + self.bho)
        output_errors = final_outputs - targets
        hidden_errors = np.dot(self.who.T, output_errors) * (hidden_inputs > 0)
        self.who -= self.lr * np.dot(output_errors, hidden_outputs.T)
        self.bho -= self.lr * output_errors
        self.wih -= self.lr * np.dot(hidden_errors, inputs.T)
        self.bih -= self.lr * hidden_errors

    def query(self, inputs_list):
        inputs = np.array(inputs_list, ndmin=2).T
        hidden_inputs = np.dot(self.wih, inputs) + self.bih
        hidden_outputs = relu(hidden_inputs)
        final_inputs = np.dot(self.who, hidden_outputs) + self.bho
        return softmax(final_inputs)


n = NeuralNetwork(784, 100, 10, 0.01)
with open("mnist_train.csv") as f:
    training_data_list = list(csv.reader(f))
for epoch in range(3):
    for record in training_data_list:
        inputs = np.asarray(record[1:], dtype=float) / 255.0 * 0.99 + 0.01
        targets = np.zeros(10)
        targets[int(record[0])] = 1.0
        n.train(inputs, targets)

scorecard = []
with open("mnist_test.csv") as f:
    for record in csv.reader(f):
        outputs = n.query(np.asarray(record[1:], dtype=float) / 255.0 * 0.99 + 0.01)
        scorecard.append(int(np.argmax(outputs) == int(record[0])))
print("performance =", sum(scorecard) / len(scorecard))
