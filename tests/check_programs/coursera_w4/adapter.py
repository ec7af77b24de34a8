"""How I describe dnn_app.py to the checker: tinygrad-edu check dnn_app.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    state = {"parameters": program.initialize_parameters_deep([784, 20, 7, 10])}

    def grads(X, Y):
        AL, caches = program.L_model_forward(X, state["parameters"])
        g = program.L_model_backward(AL, Y, caches)
        return {f"parameters['{k[1:]}']": v for k, v in g.items() if k[:2] in ("dW", "db")}

    def update(X, Y, lr):
        AL, caches = program.L_model_forward(X, state["parameters"])
        g = program.L_model_backward(AL, Y, caches)
        state["parameters"] = program.update_parameters(state["parameters"], g, lr)

    return Adapter(state, params=[f"parameters['{k}{l}']" for l in (1, 2, 3) for k in "Wb"],
                   layout="columns", forward=lambda X: program.L_model_forward(
                       X, state["parameters"])[0], grads=grads, update=update, lr=0.0075)
