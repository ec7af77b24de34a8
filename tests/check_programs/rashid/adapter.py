"""How I describe nn.py to the checker: tinygrad-edu check nn.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    net = program.NeuralNetwork(784, 100, 10, 0.01)

    def update(x, y, lr):  # x, y come as columns (784, 1), (10, 1)
        net.lr = lr
        net.train(x.ravel(), y.ravel())

    def evaluate(pairs):
        return sum(int(net.query(x.ravel()).argmax() == label) for x, label in pairs) / len(pairs)

    return Adapter(net, params=["self.wih", "self.bih", "self.who", "self.bho"], layout="column",
                   forward=lambda x: net.query(x.ravel()), update=update, evaluate=evaluate,
                   lr=0.01, batch_size=1)
