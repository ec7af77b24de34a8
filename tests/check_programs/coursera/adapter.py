"""How I describe my L-layer network to the checker:
tinygrad-edu check deep_nn.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    program.parameters = program.initialize_parameters_deep([784, 64, 32, 10])

    def grads(x, y):
        AL, caches = program.L_model_forward(x, program.parameters)
        return program.L_model_backward(AL, y, caches)

    def epoch(x, y):  # one epoch of my own model(): it sees each mini-batch in L_model_forward
        program.model(x, y, [784, 64, 32, 10], learning_rate=0.1, num_epochs=1, print_cost=False)

    return Adapter(program, params=[f"parameters['{k}{l}']" for l in (1, 2, 3) for k in "Wb"],
                   layout="columns", grads=grads, epoch=epoch, epoch_calls="L_model_forward",
                   epoch_keep=True,
                   forward=lambda x: program.L_model_forward(x, program.parameters)[0],
                   update=lambda x, y, lr: program.update_parameters(program.parameters,
                                                                     grads(x, y), lr),
                   evaluate=lambda x, labels: program.predict(x, labels, program.parameters),
                   lr=0.1, batch_size=64)
