"""A learner's pure-numpy network on 32×32 text-bitmap digits, as tensor expressions.

The 1024-16-16-10 sigmoid network of the "handwritten digit recognition without any framework"
tutorial: X = a⁽⁰⁾ is one bitmap as a (1024, 1) column, z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾, a⁽ˡ⁾ = S(z⁽ˡ⁾),
ŷ = a⁽³⁾, and the loss SquareErrorSum = ½Σ(ŷ − y)²; every weight and bias drawn from N(0, 1);
per-sample SGD, W ← W − α·∂Loss/∂W after each bitmap. The tutorial used α = 0.01 and walked the
files in the same order every epoch, which took it 1,743 epochs to reach 98.7% training accuracy;
we shuffle the samples every epoch and use α = 0.2, which gets there in a few dozen. Autograd
replaces the tutorial's delta1-delta3 (compare tinygrad_edu/reference/digits32.py).

    python examples/digits32.py                          # ≥ 97% train accuracy, test reported
    python examples/digits32.py --epochs 1 --limit 500   # a quick look
"""

import argparse
import time

import numpy as np

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.data import load_digits32, one_hot


def init(sizes=(1024, 16, 16, 10), seed=0):
    """Net.__init__: W1 (16, 1024), b1 (16, 1), …, all drawn from N(0, 1)."""
    rng = np.random.default_rng(seed)
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.standard_normal((n_out, n_in))
        params[f"b{l}"] = rng.standard_normal((n_out, 1))
    return {k: Tensor(v.astype(np.float32), requires_grad=True, name=k) for k, v in params.items()}


def predict(params, X):
    """ŷ for the bitmaps X, one per column: X has shape (1024, m)."""
    W1, b1, W2, b2, W3, b3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    z1 = W1 @ X + b1  # z⁽¹⁾ = W⁽¹⁾a⁽⁰⁾ + b⁽¹⁾
    a1 = z1.sigmoid()  # a⁽¹⁾ = S(z⁽¹⁾)
    z2 = W2 @ a1 + b2  # z⁽²⁾ = W⁽²⁾a⁽¹⁾ + b⁽²⁾
    a2 = z2.sigmoid()  # a⁽²⁾ = S(z⁽²⁾)
    z3 = W3 @ a2 + b3  # z⁽³⁾ = W⁽³⁾a⁽²⁾ + b⁽³⁾ (the tutorial's derivation says W⁽²⁾: a typo)
    y_hat = z3.sigmoid()  # ŷ = a⁽³⁾
    return y_hat


def forward(params, X, y):
    """Loss = (1/m) Σ SquareErrorSum(ŷ, y) = (1/m) Σ ½Σ(ŷ − y)²; m = 1 for per-sample SGD."""
    m = X.shape[1]
    y_hat = predict(params, X)
    Loss = ((y_hat - y) ** 2).sum() * (0.5 / m)
    return Loss


def count_correct(params, X, labels):
    with no_grad():
        y_hat = predict(params, X.T)
    return int((y_hat.numpy().argmax(axis=0) == labels).sum())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--alpha", type=float, default=0.2, help="learning rate α")
    parser.add_argument("--limit", type=int, default=None, help="training bitmaps (≤ 1,933)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    trainMat, trainLabels = load_digits32(split="train")
    testMat, testLabels = load_digits32(split="test")
    rng = np.random.default_rng([args.seed, 1])
    if args.limit is not None:  # a random subset: the files come sorted by label
        keep = np.sort(rng.permutation(len(trainMat))[: args.limit])
        trainMat, trainLabels = trainMat[keep], trainLabels[keep]
    labels = one_hot(trainLabels, 10)
    params = init(seed=args.seed)
    for epoch in range(args.epochs):
        start, total = time.perf_counter(), 0.0
        for i in rng.permutation(len(trainMat)):  # shuffled: the tutorial kept one fixed order
            X = trainMat[i].reshape(1024, 1)  # one bitmap as a column
            label = labels[i].reshape(10, 1)  # its one-hot label
            Loss = forward(params, X, label)
            Loss.backward()
            for p in params.values():
                p.data -= args.alpha * p.grad.data  # W ← W − α ∂Loss/∂W, after every sample
                p.grad = None
            total += Loss.item()
        train_ok = count_correct(params, trainMat, trainLabels)
        test_ok = count_correct(params, testMat, testLabels)
        print(f"Epoch {epoch}: {test_ok} / {len(testLabels)}  train {train_ok} / "
              f"{len(trainLabels)}  loss {total / len(trainMat):.4f}  "
              f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
