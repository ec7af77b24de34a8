"""How I describe my network to the checker: tinygrad-edu check net.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    net = program.Net()
    return Adapter(net, params=["self.W1", "self.b1", "self.W2", "self.b2"], layout="columns",
                   forward="self.forward", grads="self.backprop", update="self.sgd_step",
                   evaluate="self.accuracy",
                   epoch=lambda x, y: net.fit(x, y, epochs=1, batch_size=10, eta=3.0),
                   epoch_calls="self.sgd_step", lr=3.0, batch_size=10, cost="quadratic")
