"""How I describe my script to the checker: tinygrad-edu check relu_net.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    def update(x, y, lr):
        program.learning_rate = lr
        program.update(x, y)

    return Adapter(program, params=["W1", "b1", "W2", "b2"], layout="rows",
                   forward=lambda x: program.forward(x)[3], grads="backward", update=update,
                   evaluate="accuracy", epoch=lambda x, y: program.train(x, y.argmax(axis=1), 1),
                   epoch_calls="update", lr=program.learning_rate, batch_size=program.batch_size)
