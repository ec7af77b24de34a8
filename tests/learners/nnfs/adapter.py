"""How I describe my layers to the checker: tinygrad-edu check nnfs_mnist.py --adapter adapter.py"""
import numpy as np
from tinygrad_edu.check import Adapter


def adapter(program):  # the script builds its layers at module level, which the checker skips
    program.dense1, program.dense2 = program.Layer_Dense(784, 32), program.Layer_Dense(32, 10)
    program.activation1 = program.Activation_ReLU()
    program.loss_activation = program.Activation_Softmax_Loss_CategoricalCrossentropy()
    program.optimizer = program.Optimizer_SGD(learning_rate=0.5, decay=1e-2)

    def grads(x, y):
        program.forward(x, y)
        program.backward(y)
        return [program.dense1.dweights, program.dense1.dbiases, program.dense2.dweights,
                program.dense2.dbiases]

    return Adapter(program, params=["dense1.weights", "dense1.biases", "dense2.weights",
                                    "dense2.biases"], layout="rows", targets="labels",
                   forward=lambda x: (program.forward(x, np.zeros(len(x), dtype=int)),
                                      program.loss_activation.output)[1],
                   grads=grads, update=lambda x, y, lr: program.train_step(x, y),
                   evaluate="evaluate", lr=0.5, batch_size=128)
