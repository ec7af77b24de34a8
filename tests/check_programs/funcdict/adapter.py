"""How I describe my script to the checker: tinygrad-edu check net.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    program.params = program.init_params()
    p = program.params

    def grads(x, y):
        A, cache = program.forward(x, p)
        g = program.backward(y, p, cache)
        return {k: g["d" + k] for k in ("W1", "b1", "W2", "b2")}

    def update(x, y, lr):
        A, cache = program.forward(x, p)
        program.update(p, program.backward(y, p, cache), lr)

    return Adapter(program, params=[f"params['{k}']" for k in ("W1", "b1", "W2", "b2")],
                   layout="columns", forward=lambda x: program.forward(x, p)[0], grads=grads,
                   update=update, evaluate=lambda x, labels: program.accuracy(x, labels, p),
                   epoch=lambda x, y: program.train(x, y, p, epochs=1, batch_size=16, lr=2.0),
                   epoch_calls="forward", epoch_keep=True, lr=2.0, batch_size=16, cost="quadratic")
