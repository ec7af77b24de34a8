"""How I describe pixels.py to the checker: tinygrad-edu check pixels.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    return Adapter(program, params=["W1", "b1", "W2", "b2"], layout="rows", targets="labels",
                   forward="predict", update="train_step", evaluate="accuracy", lr=0.2,
                   batch_size=50)
