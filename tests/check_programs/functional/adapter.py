# ruff: noqa  (a learner's program, kept in their style)
"""tinygrad-edu check simple_nn.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    p = dict(zip(["W1", "b1", "W2", "b2"], program.init_params()))

    def forward(x):
        return program.forward_prop(*p.values(), x)

    def grads(x, y):
        return program.backward_prop(*forward(x), p["W1"], p["W2"], x, y)

    def update(x, y, lr):
        p.update(zip(p, program.update_params(*p.values(), *grads(x, y), lr)))

    return Adapter(p, params=["W1", "b1", "W2", "b2"], layout="columns", targets="labels",
                   forward=lambda x: forward(x)[3], grads=grads, update=update, lr=0.1,
                   evaluate=lambda x, labels: program.get_accuracy(
                       program.get_predictions(forward(x)[3]), labels))
