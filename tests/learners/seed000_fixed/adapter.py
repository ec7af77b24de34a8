"""How I describe my network to the checker: tinygrad-edu check neural_network.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    net = program.Neural_Network()
    return Adapter(net, params=[f"self.{k}[{i}]" for i in range(3) for k in "WB"],
                   layout="vector", targets="labels",
                   forward=lambda x: (net.feedforward(x), net.layer[3])[1],
                   update_batch="self.gradient_step", evaluate="self.test",
                   epoch=lambda pairs: net.train(pairs, 1, 3.0),
                   lr=3.0, batch_size=125, cost="squared_error")
