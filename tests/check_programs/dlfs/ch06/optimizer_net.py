# ruff: noqa  (a learner's program, kept in their style)
# ch05's two-layer net trained with an optimizer object of ch06 (common/optimizer.py)
import os
import sys

sys.path.append(os.pardir)
from collections import OrderedDict  # noqa: E402

import numpy as np  # noqa: E402

from common.layers import Affine, Relu, SoftmaxWithLoss  # noqa: E402
from common.optimizer import Adam  # noqa: E402
from dataset.mnist import load_mnist  # noqa: E402


class TwoLayerNet:

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)
        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Relu1'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.lastLayer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.lastLayer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        grads['W1'], grads['b1'] = self.layers['Affine1'].dW, self.layers['Affine1'].db
        grads['W2'], grads['b2'] = self.layers['Affine2'].dW, self.layers['Affine2'].db
        return grads


(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
optimizer = Adam(lr=0.001)
batch_size = 128
train_size = x_train.shape[0]
for i in range(2000):
    batch_mask = np.random.choice(train_size, batch_size)
    grads = network.gradient(x_train[batch_mask], t_train[batch_mask])
    optimizer.update(network.params, grads)
    if i % 100 == 0:
        print(i, network.loss(x_train[batch_mask], t_train[batch_mask]))
