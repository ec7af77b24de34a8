"""Our best small MLP on MNIST in a minute of two CPU cores, as tensor expressions.

784-256-128-10 with ReLU hidden layers and softmax cross-entropy, He initialisation
(W ~ N(0, 2/n_in), b = 0), Adam (β = 0.9, 0.999) on shuffled mini-batches of 128 from all 60,000
training images for 10 epochs, its learning rate starting at 0.002 and multiplied by 0.8 after
every epoch. A batch is N rows, as in Deep Learning from Scratch: z = a·W + b.

    python examples/best.py                          # ≥ 98% test
    python examples/best.py --epochs 1 --limit 2000  # a quick look
"""

import argparse
import time

import numpy as np

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.data import batches, load_mnist, one_hot
from tinygrad_edu.optim import Adam


def init(sizes=(784, 256, 128, 10), seed=0):
    """He initialisation: W of shape (n_in, n_out) from N(0, 2/n_in), zero biases."""
    rng = np.random.default_rng(seed)
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)
        params[f"b{l}"] = np.zeros(n_out)
    return {k: Tensor(v.astype(np.float32), requires_grad=True, name=k) for k, v in params.items()}


def scores(params, x):
    """The raw scores z3 for the rows of x (N, 784)."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    z1 = x @ W1 + b1
    a1 = z1.relu()
    z2 = a1 @ W2 + b2
    a2 = z2.relu()
    z3 = a2 @ W3 + b3
    return z3


def forward(params, x, y):
    """The mean softmax cross-entropy of the scores against one-hot rows y."""
    z3 = scores(params, x)
    C = F.cross_entropy(z3, np.asarray(y).argmax(axis=1))
    return C


def count_correct(params, X, labels):
    with no_grad():
        z3 = scores(params, X)
    return int((z3.numpy().argmax(axis=1) == labels).sum())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--lr-decay", type=float, default=0.8)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=60000, help="training images (≤ 60,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    mnist = load_mnist()
    X, labels = mnist.train.X[: args.limit], mnist.train.y[: args.limit]
    Y = one_hot(labels, 10)
    params = init(seed=args.seed)
    optimizer = Adam(params.values(), lr=args.lr)
    order = np.random.default_rng([args.seed, 1])
    for epoch in range(args.epochs):
        start, total, steps = time.perf_counter(), 0.0, 0
        optimizer.param_groups[0]["lr"] = args.lr * args.lr_decay**epoch
        for x, y in batches(X, Y, args.batch_size, seed=order):
            C = forward(params, x, y)
            C.backward()
            optimizer.step()
            optimizer.zero_grad()
            total, steps = total + C.item(), steps + 1
        correct = count_correct(params, *mnist.test)
        print(f"Epoch {epoch}: {correct} / {len(mnist.test.y)}  loss {total / steps:.4f}  "
              f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
