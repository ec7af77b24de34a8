"""How I describe my network to the checker: tinygrad-edu check net.py --adapter adapter.py"""
import numpy as np
from tinygrad_edu.check import Adapter


def adapter(program):
    net = program.Net()

    def update(x, y, lr):  # one online step: forward, then backward() updates in place
        net.setLearnrate(lr)
        net.forward(x, y, program.Sigmoid)
        net.backward(y, program.Sigmoid)

    return Adapter(net, params=["self.W1", "self.b1", "self.W2", "self.b2", "self.W3", "self.b3"],
                   layout="column", update=update, lr=0.01,
                   forward=lambda x: net.forward(x, np.zeros((10, 1)), program.Sigmoid)[1])
