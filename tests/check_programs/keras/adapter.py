"""How I describe my mini Keras to the checker:
tinygrad-edu check mini_keras.py --adapter adapter.py"""
from tinygrad_edu.check import Adapter


def adapter(program):
    model = program.build_model()  # the script builds it at module level, which the checker skips
    dense = [i for i, layer in enumerate(model.layers) if hasattr(layer, "W")]

    def grads(x, y):
        pred = model.forward(x, training=True)
        model.backward(model.loss.backward(pred, y))
        return [getattr(model.layers[i], k) for i in dense for k in ("dW", "db")]

    return Adapter(model, params=[f"self.layers[{i}].{k}" for i in dense for k in ("W", "b")],
                   layout="rows", forward="self.predict", grads=grads,
                   update="self.train_on_batch", evaluate="self.evaluate",
                   epoch=lambda x, y: model.fit(x, y, 1, 32, 0.1), epoch_keep=True,
                   lr=0.1, batch_size=32)
