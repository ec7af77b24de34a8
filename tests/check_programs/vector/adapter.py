"""How I describe net.py to the checker: tinygrad-edu check net.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    return Adapter(program, params=["W1", "b1", "W2", "b2"], layout="vector",
                   forward="forward", grads="backprop", update="learn", lr=0.5)
