# ruff: noqa  (a learner's program, kept in their style)
"""The learner's training script for network2.py."""
import network2

net = network2.Network([784, 40, 10], cost=network2.QuadraticCost)
net.SGD(list(range(10)), 60, 20, 0.5, lmbda=5.0)
