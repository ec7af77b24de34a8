"""3Blue1Brown's digit network (Neural networks, chapters 1-4), as tensor expressions.

784 pixels a⁽⁰⁾, two hidden layers of 16 sigmoid neurons, 10 outputs:
a⁽ˡ⁾ = σ(W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾), and the video's cost C₀ = Σⱼ (aⱼ⁽³⁾ − yⱼ)² (no ½), averaged over a
mini-batch. Weights are Xavier-initialised, randn·√(2/(n_in + n_out)) as a learner's version of
the network does, biases start at 0; training is mini-batch SGD (the video's "stochastic gradient
descent" over mini-batches), lr 0.5, batches of 10, on the 60,000 MNIST training images.
Autograd replaces the chain rule of chapter 4 (compare tinygrad_edu/reference/threeb1b.py).

    python examples/threeb1b.py                          # about 95% test
    python examples/threeb1b.py --epochs 1 --limit 2000  # a quick look
"""

import argparse
import time

import numpy as np

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.data import batches, load_mnist, one_hot


def init(sizes=(784, 16, 16, 10), seed=0):
    """Xavier weights W⁽ˡ⁾ of shape (nˡ, nˡ⁻¹) and zero bias columns b⁽ˡ⁾."""
    rng = np.random.default_rng(seed)
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.standard_normal((n_out, n_in)) * np.sqrt(2 / (n_in + n_out))
        params[f"b{l}"] = np.zeros((n_out, 1))
    return {k: Tensor(v.astype(np.float32), requires_grad=True, name=k) for k, v in params.items()}


def feedforward(params, a0):
    """a⁽³⁾ for the images a0, one per column: a0 has shape (784, m)."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    z1 = W1 @ a0 + b1  # z⁽¹⁾ = W⁽¹⁾a⁽⁰⁾ + b⁽¹⁾
    a1 = z1.sigmoid()  # a⁽¹⁾ = σ(z⁽¹⁾)
    z2 = W2 @ a1 + b2  # z⁽²⁾ = W⁽²⁾a⁽¹⁾ + b⁽²⁾
    a2 = z2.sigmoid()  # a⁽²⁾ = σ(z⁽²⁾)
    z3 = W3 @ a2 + b3  # z⁽³⁾ = W⁽³⁾a⁽²⁾ + b⁽³⁾
    a3 = z3.sigmoid()  # a⁽³⁾ = σ(z⁽³⁾): how much the network "thinks" it is each digit
    return a3


def forward(params, a0, y):
    """C = (1/m) Σ over the batch of C₀ = Σⱼ (aⱼ⁽³⁾ − yⱼ)²."""
    m = a0.shape[1]
    a3 = feedforward(params, a0)
    C = ((a3 - y) ** 2).sum() * (1.0 / m)
    return C


def evaluate(params, X, labels):
    """How many images the brightest output neuron gets right."""
    with no_grad():
        a3 = feedforward(params, X.T)
    return int((a3.numpy().argmax(axis=0) == labels).sum())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--limit", type=int, default=60000, help="training images (≤ 60,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    mnist = load_mnist()
    X, labels = mnist.train.X[: args.limit], mnist.train.y[: args.limit]
    Y = one_hot(labels, 10)
    params = init(seed=args.seed)
    order = np.random.default_rng([args.seed, 1])
    for epoch in range(args.epochs):
        start, total, steps = time.perf_counter(), 0.0, 0
        for Xb, Yb in batches(X, Y, args.batch_size, seed=order):
            C = forward(params, Xb.T, Yb.T)  # columns: one image per column
            C.backward()  # ∇C: every ∂C/∂w and ∂C/∂b, by the chain rule of chapter 4
            for p in params.values():
                p.data -= args.lr * p.grad.data  # a small step downhill: −lr·∇C
                p.grad = None
            total, steps = total + C.item(), steps + 1
        correct = evaluate(params, mnist.test.X, mnist.test.y)
        print(f"Epoch {epoch}: {correct} / {len(mnist.test.y)}  loss {total / steps:.4f}  "
              f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
