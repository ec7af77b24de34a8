"""How I describe the book's network to the checker:
tinygrad-edu check neural_network.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    n = program.neuralNetwork(784, 32, 10, 0.1)

    def update(x, y, lr):  # train() updates wih and who in place with self.lr
        n.lr = lr
        n.train(x, y)

    return Adapter(n, params=["self.wih", "self.who"], layout="vector", forward=n.query,
                   update=update, lr=0.1, batch_size=1, cost="quadratic")
