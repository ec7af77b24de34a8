"""How I describe leaky_mlp.py to the checker (tinygrad-edu check ... --adapter adapter.py)."""
from tinygrad_edu.check import Adapter


def adapter(program):
    net = program.MLP()

    def grads(x, y):
        net.forward(x)
        net.backward(y)
        return [net.dW1, net.db1, net.dW2, net.db2]

    return Adapter(net, params=["self.W1", "self.b1", "self.W2", "self.b2"], layout="rows",
                   forward="self.forward", grads=grads, update="self.sgd_step",
                   evaluate="self.accuracy", lr=0.05, batch_size=64)
