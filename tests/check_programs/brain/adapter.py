# ruff: noqa  (a learner's program, kept in their style)
"""tinygrad-edu check brain.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    brain = program.Brain()
    return Adapter(brain, params=["self.W[0]", "self.b[0]", "self.W[1]", "self.b[1]"],
                   layout="vector", targets="labels", forward="self.think",
                   update="self.nudge",
                   evaluate="self.score", epoch=lambda pairs: brain.learn(pairs, 1, 0.1),
                   lr=0.1, batch_size=1, cost="squared_error")
