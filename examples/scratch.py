"""Deep Learning from Scratch, chapter 5: TwoLayerNet on MNIST, as tensor expressions.

Affine → Relu → Affine → SoftmaxWithLoss, 784-50-10, weights 0.01·N(0, 1) and zero biases, trained
as the book's train_neuralnet.py does: 10,000 iterations of SGD (lr 0.1) on mini-batches of 100
drawn at random with replacement from the 60,000 training images, with the train and test
accuracy printed once per epoch of 600 iterations. A batch is N rows, as in the book. Autograd
replaces the layers' backward methods (compare tinygrad_edu/reference/dlfs.py).

    python examples/scratch.py                            # the book's run: about 97% test
    python examples/scratch.py --iters 600 --limit 2000   # a quick look
"""

import argparse
import time

import numpy as np

import tinygrad_edu.functional as F
from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.data import load_mnist, one_hot
from tinygrad_edu.optim import SGD


def init(input_size=784, hidden_size=50, output_size=10, weight_init_std=0.01, seed=0):
    """TwoLayerNet.__init__: W ~ weight_init_std·N(0, 1), b = 0."""
    rng = np.random.default_rng(seed)
    params = {
        "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
        "b1": np.zeros(hidden_size),
        "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
        "b2": np.zeros(output_size),
    }
    return {k: Tensor(v.astype(np.float32), requires_grad=True, name=k) for k, v in params.items()}


def predict(params, x):
    """The scores for the rows of x (N, 784): Affine1, Relu1, Affine2."""
    z1 = x @ params["W1"] + params["b1"]  # Affine1: x·W1 + b1
    a1 = z1.relu()  # Relu1
    z2 = a1 @ params["W2"] + params["b2"]  # Affine2: the scores, before softmax
    return z2


def forward(params, x, t):
    """SoftmaxWithLoss: the mean cross-entropy −(1/N) Σ log softmax(z2)[label] for one-hot t.

    The book adds 1e-7 inside the log to dodge log(0); F.cross_entropy works from the scores
    shifted by their maximum, so it never takes log(0).
    """
    z2 = predict(params, x)
    L = F.cross_entropy(z2, np.asarray(t).argmax(axis=1))
    return L


def accuracy(params, x, labels):
    """The fraction of rows whose highest score is the label."""
    with no_grad():
        y = predict(params, x).numpy().argmax(axis=1)
    return float((y == labels).sum() / len(labels))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, default=10000, help="iterations (book: 10,000)")
    parser.add_argument("--epochs", type=int, help="iterations as epochs of train_size/100")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--limit", type=int, default=60000, help="training images (≤ 60,000)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    mnist = load_mnist()
    x_train, t_train = mnist.train.X[: args.limit], mnist.train.y[: args.limit]
    x_test, t_test = mnist.test
    T_train = one_hot(t_train, 10)  # one_hot_label=True
    params = init(seed=args.seed)
    optimizer = SGD(params.values(), lr=args.lr)

    train_size, batch_size = len(x_train), args.batch_size
    iter_per_epoch = max(train_size // batch_size, 1)
    iters_num = args.iters if args.epochs is None else args.epochs * iter_per_epoch
    rng = np.random.default_rng([args.seed, 1])
    start, total = time.perf_counter(), 0.0
    for i in range(1, iters_num + 1):
        batch_mask = rng.choice(train_size, batch_size)  # with replacement, as the book draws
        L = forward(params, x_train[batch_mask], T_train[batch_mask])
        L.backward()  # grad = network.gradient(x_batch, t_batch)
        optimizer.step()  # params[key] -= lr * grad[key]
        optimizer.zero_grad()
        total += L.item()
        if i % iter_per_epoch == 0 or i == iters_num:
            train_acc = accuracy(params, x_train, t_train)
            correct = round(accuracy(params, x_test, t_test) * len(t_test))
            steps = i % iter_per_epoch or iter_per_epoch
            print(f"Epoch {(i - 1) // iter_per_epoch}: {correct} / {len(t_test)}  train acc "
                  f"{train_acc:.4f}  loss {total / steps:.4f}  {time.perf_counter() - start:.1f} s")
            start, total = time.perf_counter(), 0.0


if __name__ == "__main__":
    main()
