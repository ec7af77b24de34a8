"""Losses and activations written as tensor expressions: mse, cross-entropy, nll, binary CE.

Everything here is composed from Tensor methods, so its graph is the list of primitives a
learner would write by hand; it imports only ``tensor``.
"""

import numpy as np

from . import ops
from .tensor import Tensor, _lift, _setting, apply

REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss, reduction, op):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _same_shape(op, pred, target):
    if pred.shape != target.shape:
        raise ValueError(
            f"{op}: prediction has shape {pred.shape} but target has shape {target.shape}; "
            "they must match (one-hot encode integer labels, or reshape the target)"
        )


def sigmoid(x):
    return x.sigmoid()


def relu(x):
    return x.relu()


def tanh(x):
    return x.tanh()


def softmax(x, axis=-1):
    return x.softmax(axis)


def log_softmax(x, axis=-1):
    return x.log_softmax(axis)


def mse_loss(pred, target, reduction="mean"):
    """Squared difference of pred and target, averaged (or summed) over all elements.

    >>> mse_loss(Tensor([1.0, 3.0]), Tensor([1.0, 1.0])).item()
    2.0
    """
    target = _lift(target, pred)
    _same_shape("mse_loss", pred, target)
    diff = pred - target
    return _reduce(diff * diff, reduction, "mse_loss")


def _labels(op, logits, labels):
    if isinstance(labels, Tensor):
        labels = _setting(labels, f"{op}'s labels", "compute them before the call and pass "
                          "them as an argument (labels = y.argmax(axis=1) in numpy)")
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"{op}: expects logits of shape (batch, classes), got {logits.shape}")
    if labels.shape != (logits.shape[0],) or labels.dtype.kind not in "iu":  # integers
        raise ValueError(
            f"{op}: labels must be {logits.shape[0]} integer class indices (shape "
            f"({logits.shape[0]},)), got {labels.dtype} array of shape {labels.shape}; for "
            "one-hot targets use labels.argmax(axis=1)"
        )
    if labels.size and not _in_range(labels, logits.shape[1]):
        raise ValueError(
            f"{op}: labels must lie in [0, {logits.shape[1] - 1}], got values from "
            f"{labels.min()} to {labels.max()}"
        )
    return labels


_UNSIGNED = {}  # a signed integer dtype -> the unsigned one of its size and byte order


def _in_range(labels, classes):
    """Whether every label lies in [0, classes): one pass, where min() and max() take two. Read
    as unsigned integers of the same size, a negative label is larger than any class count."""
    if labels.dtype.kind == "i":
        unsigned = _UNSIGNED.get(labels.dtype)
        if unsigned is None:
            unsigned = _UNSIGNED[labels.dtype] = np.dtype(labels.dtype.str.replace("i", "u"))
        labels = labels.view(unsigned)
    return np.maximum.reduce(labels, None) < classes


def nll_loss(log_probs, labels, reduction="mean"):
    """The negative log-probability of each sample's label: −log_probs[n, labels[n]].

    >>> nll_loss(Tensor([[-0.5, -1.0]]), np.array([1])).item()
    1.0
    """
    labels = _labels("nll_loss", log_probs, labels)
    return _reduce(-log_probs[np.arange(len(labels)), labels], reduction, "nll_loss")


def cross_entropy(logits, labels, reduction="mean"):
    """Softmax cross-entropy of raw scores and integer labels, stable for any magnitude.

    >>> round(cross_entropy(Tensor([[0.0, 0.0]]), np.array([0])).item(), 6)
    0.693147
    """
    labels = _labels("cross_entropy", logits, labels)
    return _reduce(apply(ops.softmax_cross_entropy, logits, labels=labels), reduction,
                   "cross_entropy")


def binary_cross_entropy(pred, target, reduction="mean"):
    """−[y·ln p + (1 − y)·ln(1 − p)] for probabilities p in (0, 1), elementwise.

    A p that rounds to exactly 0 or 1 gives inf; from raw scores use
    binary_cross_entropy_with_logits, which never does.

    >>> round(binary_cross_entropy(Tensor([0.5]), Tensor([1.0])).item(), 6)
    0.693147
    """
    target = _lift(target, pred)
    _same_shape("binary_cross_entropy", pred, target)
    loss = -(target * pred.log() + (1 - target) * (1 - pred).log())
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(z, target, reduction="mean"):
    """binary_cross_entropy of σ(z), computed from z: finite for any z, where log(1 − σ(z)) is not.

    −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = max(z, 0) − y·z + ln(1 + e^−|z|); maximum's ½ at a tie
    keeps the gradient exactly σ(z) − y at z = 0 too.

    >>> round(binary_cross_entropy_with_logits(Tensor([0.0]), Tensor([1.0])).item(), 6)
    0.693147
    """
    target = _lift(target, z)
    _same_shape("binary_cross_entropy_with_logits", z, target)
    loss = z.maximum(0.0) - target * z + ((-z.abs()).exp() + 1).log()
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")
