"""How I describe my script to the checker: tinygrad-edu check my_net.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    def grads(x, y):
        out, cache = program.forward(x)
        return program.backward(x, y, cache)

    def update(x, y, lr):
        program.lr = lr
        program.train_step(x, y)

    return Adapter(program, params=["W1", "b1", "W2", "b2", "W3", "b3"], layout="rows",
                   forward=lambda x: program.forward(x)[0], grads=grads, update=update,
                   evaluate="evaluate", epoch="train_epoch", epoch_calls="train_step",
                   lr=program.lr, batch_size=program.batch_size)
