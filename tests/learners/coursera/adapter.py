"""How I describe my assignment code to the checker: tinygrad-edu check dnn_app.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    program.parameters = program.initialize_parameters_deep([784, 32, 16, 10])

    def grads(x, y):
        AL, caches = program.L_model_forward(x, program.parameters)
        return program.L_model_backward(AL, y, caches)

    def epoch(x, y):  # my mini-batches, each seen by L_model_forward (recorded, not run)
        for minibatch_X, _ in program.random_mini_batches(x, y, 64, seed=1):
            program.L_model_forward(minibatch_X, program.parameters)

    return Adapter(program, params=[f"parameters['{k}{l}']" for l in (1, 2, 3) for k in "Wb"],
                   layout="columns", grads=grads, epoch=epoch, epoch_calls="L_model_forward",
                   forward=lambda x: program.L_model_forward(x, program.parameters)[0],
                   update=lambda x, y, lr: program.update_parameters(program.parameters,
                                                                     grads(x, y), lr),
                   evaluate=lambda x, labels: program.predict(x, labels, program.parameters),
                   lr=0.1, batch_size=64)
