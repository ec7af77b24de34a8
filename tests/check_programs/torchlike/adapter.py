"""tinygrad-edu check my_torch.py --adapter adapter.py
My weights are (out, in) like PyTorch and the checker wants (in, out) for rows, so I hand them
over transposed with (name, get, set) triples."""
from tinygrad_edu.check import Adapter


def adapter(program):
    model = program.Sequential(program.Linear(784, 64), program.Sigmoid(),
                               program.Linear(64, 10), program.Sigmoid())
    loss_fn = program.MSELoss()
    opt = program.SGD(model.parameters(), lr=1.0)
    lin = [model.modules[0], model.modules[2]]

    def triple(i, kind):
        p = getattr(lin[i], kind)
        name = f"self.modules[{2 * i}].{kind}"
        if kind == "weight":
            def setw(v, p=p):
                p.data[...] = v.T
            return (name, lambda p=p: p.data.T, setw)

        def setb(v, p=p):
            p.data[...] = v
        return (name, lambda p=p: p.data, setb)

    def grads(x, y):
        model.zero_grad()
        loss_fn(model(x), y)
        model.backward(loss_fn.backward())
        return [lin[0].weight.grad.T, lin[0].bias.grad, lin[1].weight.grad.T, lin[1].bias.grad]

    def update(x, y, lr):
        opt.lr = lr
        program.train_one_batch(model, loss_fn, opt, x, y)

    program.model = model
    return Adapter(program, params=[triple(i, k) for i in (0, 1) for k in ("weight", "bias")],
                   layout="rows", forward=lambda x: model(x), grads=grads, update=update,
                   evaluate=lambda x, labels: program.evaluate(model, x, labels),
                   epoch=lambda x, y: program.train(model, loss_fn, opt, x, y, 1, 32),
                   epoch_calls="train_one_batch", epoch_keep=True,
                   lr=1.0, batch_size=32, cost="squared_error", reduction="mean")
