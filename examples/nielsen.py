"""Nielsen's network.py (Neural Networks and Deep Learning, chapter 1), as tensor expressions.

A 784-30-10 network of sigmoid neurons with the quadratic cost, weights and biases drawn from
N(0, 1), trained by mini-batch SGD (η = 3.0, mini-batches of 10, 30 epochs) on the first 50,000
MNIST training images and scored on the 10,000 test images after every epoch, as the book does.
Only the forward pass is written here; autograd does BP1-BP4 (compare the hand-written backprop in
tinygrad_edu/reference/nielsen.py). The input is layer 1, so the parameters are W2, b2, W3, b3.

    python examples/nielsen.py                        # the book's run: about 95% after 30 epochs
    python examples/nielsen.py --epochs 1 --limit 2000  # a quick look
"""

import argparse
import time

import numpy as np

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.data import batches, load_mnist, one_hot


def init(sizes=(784, 30, 10), seed=0):
    """network.py's Network(sizes): every weight and bias drawn from N(0, 1)."""
    rng = np.random.default_rng(seed)
    params = {}
    for l, (n_in, n) in enumerate(zip(sizes[:-1], sizes[1:]), start=2):
        params[f"W{l}"] = rng.standard_normal((n, n_in))  # Wˡ is (nˡ, nˡ⁻¹): w_jk
        params[f"b{l}"] = rng.standard_normal((n, 1))  # bˡ is a column
    return {k: Tensor(v.astype(np.float32), requires_grad=True, name=k) for k, v in params.items()}


def feedforward(params, x):
    """a³ for the inputs x: one image per column, x of shape (784, m)."""
    z2 = params["W2"] @ x + params["b2"]  # z² = W²x + b²
    a2 = z2.sigmoid()  # a² = σ(z²)
    z3 = params["W3"] @ a2 + params["b3"]  # z³ = W³a² + b³
    a3 = z3.sigmoid()  # a³ = σ(z³): the output layer
    return a3


def forward(params, x, y):
    """The quadratic cost C = (1/m) Σₓ ½‖a³(x) − y(x)‖² of a mini-batch of m columns."""
    m = x.shape[1]
    a3 = feedforward(params, x)
    C = ((a3 - y) ** 2).sum() * (0.5 / m)
    return C


def evaluate(params, X, labels):
    """How many test images the network gets right: the output neuron with the highest a³."""
    with no_grad():
        a3 = feedforward(params, X.T)
    return int((a3.numpy().argmax(axis=0) == labels).sum())


def SGD(params, X, labels, X_test, labels_test, epochs=30, mini_batch_size=10, eta=3.0, seed=0):
    """network.py's SGD: shuffle, cut into mini-batches, step, and score the test set per epoch."""
    Y = one_hot(labels, 10)  # the vectorized_result of each label, as rows
    order = np.random.default_rng([seed, 1])
    for j in range(epochs):
        start, total, steps = time.perf_counter(), 0.0, 0
        for Xb, Yb in batches(X, Y, mini_batch_size, seed=order):
            x, y = Xb.T, Yb.T  # the book's column vectors: one example per column
            C = forward(params, x, y)
            C.backward()  # ∂C/∂w and ∂C/∂b for every parameter: BP1-BP4 by autograd
            for p in params.values():
                # w → w − η ∂C/∂w: C averages over the m examples, so this is the book's η/m Σₓ
                p.data -= eta * p.grad.data
                p.grad = None
            total, steps = total + C.item(), steps + 1
        correct = evaluate(params, X_test, labels_test)
        print(f"Epoch {j}: {correct} / {len(labels_test)}  loss {total / steps:.4f}  "
              f"{time.perf_counter() - start:.1f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--eta", type=float, default=3.0)
    parser.add_argument("--mini-batch-size", type=int, default=10)
    parser.add_argument("--limit", type=int, default=50000, help="training images (≤ 50,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    mnist = load_mnist(validation=10000)  # the book's split: 50,000 train, 10,000 validation
    X, labels = mnist.train.X[: args.limit], mnist.train.y[: args.limit]
    params = init((784, 30, 10), args.seed)
    SGD(params, X, labels, mnist.test.X, mnist.test.y, args.epochs, args.mini_batch_size,
        args.eta, args.seed)


if __name__ == "__main__":
    main()
