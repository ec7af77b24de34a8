"""The networks of the books and videos our users learn from, as presets the CLI can run.

A preset is an MLP written as plain tensor expressions in its source's own layout (column vectors
``W @ a + b`` for Nielsen and 3Blue1Brown, rows ``x @ W + b`` for Deep Learning from Scratch), its
source's parameter names and cost, and the settings the source trains it with; ``Preset.sample``
is the one place a real batch for a preset is drawn (explain, check and viz use it). It imports the
engine, ``nn`` (init schemes), ``data`` and the reference backprops the presets are checked against.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from . import functional as F
from . import reference
from .data import load_digits32, load_mnist, one_hot
from .nn import init_bias, init_weight
from .tensor import Tensor

ACTIVATIONS = ("sigmoid", "relu", "tanh")
LOSSES = {
    "quadratic": "C = (1/m) Σ ½‖a − y‖²  (Nielsen's quadratic cost)",
    "squared_error": "C = (1/m) Σ ‖a − y‖²  (squared error, no ½: 3Blue1Brown)",
    "cross_entropy": "C = −(1/m) Σ log softmax(z)[label]  (softmax cross-entropy)",
    "sigmoid_cross_entropy": "C = −(1/m) Σ [y ln a + (1−y) ln(1−a)]  (Nielsen's network2)",
}


@dataclass(frozen=True)
class Preset:
    """A network, its cost and the setting its source trains it with."""

    name: str
    title: str
    sizes: tuple
    activation: str
    loss: str
    layout: str  # "columns": x is (784, m), W is (out, in); "rows": x is (N, 784), W is (in, out)
    first: int  # the index of the first weight layer in the source's notation (W2 for Nielsen)
    init: str
    dataset: str = "mnist"
    epochs: int = 30
    lr: float = 3.0
    lr_decay: float = 1.0  # the learning rate is multiplied by this after every epoch
    batch_size: int = 10
    optimizer: str = "sgd"
    momentum: float = 0.0
    weight_decay: float = 0.0
    train_size: int = 60000  # Nielsen trains on the first 50,000 images
    target: str = ""
    source: str = ""
    reference: object = field(default=None, compare=False, repr=False)

    @property
    def layers(self):
        return range(self.first, self.first + len(self.sizes) - 1)

    def with_overrides(self, **changes):
        """A copy with the CLI's settings applied (None leaves a setting as it is)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def init_params(self, seed=0, dtype=np.float64):
        """The source's initial weights and biases, as a dict of arrays named W2, b2, ..."""
        rng = np.random.default_rng(seed)
        params, cols = {}, self.layout == "columns"
        for l, n_in, n_out in zip(self.layers, self.sizes[:-1], self.sizes[1:]):
            params[f"W{l}"] = init_weight(self.init, n_in, n_out, rng,
                                          (n_out, n_in) if cols else (n_in, n_out))
            params[f"b{l}"] = init_bias(self.init, n_out, rng, (n_out, 1) if cols else (n_out,))
        return {k: v.astype(dtype) for k, v in params.items()}

    def output(self, params, x, logits=False):
        """The network's output for input x, naming every z and a as the source does.

        The last layer's output is its activation, except with softmax cross-entropy (or when
        logits=True), where it is the raw score z (the loss applies the softmax).
        """
        a = x
        last = self.layers[-1]
        for l in self.layers:
            W, b = params[f"W{l}"], params[f"b{l}"]
            z = W @ a + b if self.layout == "columns" else a @ W + b
            z.name = f"z{l}"
            if l == last and (logits or self.loss == "cross_entropy"):
                return z
            a = getattr(z, self.activation if l < last else "sigmoid")()
            a.name = f"a{l}"
        return a

    def forward(self, params, x, y):
        """The scalar cost C for input x and one-hot targets y (in the preset's layout).

        With the cross_entropy loss y may also be the integer labels themselves, so a captured
        step (jit) gets them as an argument instead of computing them from y outside the tape.
        """
        out = self.output(params, x, logits=self.loss == "sigmoid_cross_entropy")
        m = x.shape[-1] if self.layout == "columns" else x.shape[0]
        if self.loss == "cross_entropy":
            logits = out.T if self.layout == "columns" else out
            labels = np.asarray(y)
            if labels.ndim != 1 or labels.dtype.kind not in "iu":  # one-hot: take the labels
                labels = labels.argmax(axis=0 if self.layout == "columns" else 1)
            C = F.cross_entropy(logits, labels)
        elif self.loss == "quadratic":
            C = ((out - y) ** 2).sum() * (0.5 / m)
        elif self.loss == "squared_error":
            C = ((out - y) ** 2).sum() * (1.0 / m)
        elif self.loss == "sigmoid_cross_entropy":
            # from z, not a = σ(z): ln(1 − a) is −inf once σ(z) rounds to 1 (z ≳ 17 in float32)
            C = F.binary_cross_entropy_with_logits(out, y, reduction="sum") * (1.0 / m)
        else:
            raise ValueError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        C.name = "C"
        return C

    def predict(self, params, x):
        """Class predictions (integers) for inputs in the preset's layout."""
        out = self.output(params, x)
        return np.asarray(out).argmax(axis=0 if self.layout == "columns" else 1)

    def arrange(self, X, Y=None):
        """Inputs (N, d) and one-hot targets (N, 10) in this preset's layout (Y may be None)."""
        if self.layout == "columns":
            return X.T, (None if Y is None else Y.T)
        return X, Y

    def sample(self, batch_size=10, seed=0, dtype="float64"):
        """A real training batch (x, y) in this preset's layout, y one-hot.

        batch_size examples drawn without replacement, seeded, from the 60,000 MNIST training
        images (the 1,933 training digits for digits32), pixels scaled to [0, 1] in dtype.

        >>> x, y = get("nielsen").sample(4)
        >>> x.shape, y.shape, x.dtype
        ((784, 4), (10, 4), dtype('float64'))
        """
        if self.dataset == "digits32":
            (X, labels), scale = load_digits32(split="train", dtype=dtype), 1
        else:  # raw bytes, scaled after picking: a float copy of all 60,000 images is 376 MB
            (X, labels), scale = load_mnist(normalize=False).train, 255
        if not 1 <= batch_size <= len(X):
            raise ValueError(f"sample: batch_size={batch_size}, but the {self.dataset} training "
                             f"set holds {len(X)} examples; ask for 1 to {len(X)}")
        pick = np.random.default_rng(seed).choice(len(X), size=batch_size, replace=False)
        x = X[pick].astype(dtype) / scale  # as load_mnist scales: the same numbers as its rows
        return self.arrange(x, one_hot(labels[pick], 10, dtype=dtype))

    def tensors(self, params, dtype=None):
        """Leaf tensors that require grad, named after the parameters."""
        return {k: Tensor(v, requires_grad=True, name=k, dtype=dtype) for k, v in params.items()}


PRESETS = {
    p.name: p for p in [
        Preset(
            "nielsen", "Nielsen ch.1 network.py: 784-30-10 sigmoid, quadratic cost",
            sizes=(784, 30, 10), activation="sigmoid", loss="quadratic", layout="columns",
            first=2, init="nielsen", epochs=30, lr=3.0, batch_size=10, train_size=50000,
            target="≥ 95.0% test (book: 95.42% peak)",
            source="Nielsen, Neural Networks and Deep Learning, ch.1",
            reference=reference.nielsen,
        ),
        Preset(
            "scratch", "Deep Learning from Scratch ch.5 TwoLayerNet: 784-50-10 ReLU, softmax CE",
            sizes=(784, 50, 10), activation="relu", loss="cross_entropy", layout="rows",
            first=1, init="dlfs", epochs=17, lr=0.1, batch_size=100,
            target="≥ 96.5% test (book's notebook: 96.9%)",
            source="Saito, Deep Learning from Scratch, ch.5",
            reference=reference.dlfs,
        ),
        Preset(
            "3b1b", "3Blue1Brown: 784-16-16-10 sigmoid, squared error",
            sizes=(784, 16, 16, 10), activation="sigmoid", loss="squared_error",
            layout="columns", first=1, init="xavier", epochs=30, lr=0.5, batch_size=10,
            target="≥ 94% test", source="3Blue1Brown, Neural networks, chapters 1-4",
            reference=reference.threeb1b,
        ),
        Preset(
            "digits32", "32×32 text digits: 1024-16-16-10 sigmoid, squared-error sum",
            sizes=(1024, 16, 16, 10), activation="sigmoid", loss="quadratic",
            layout="columns", first=1, init="nielsen", dataset="digits32", epochs=40, lr=0.2,
            batch_size=1, target="≥ 97% train, test reported",
            source="a learner's pure-numpy network on the 32×32 text-bitmap digits",
            reference=reference.digits32,
        ),
        Preset(
            "best", "784-256-128-10 ReLU, softmax CE, Adam with lr × 0.8 per epoch",
            sizes=(784, 256, 128, 10), activation="relu", loss="cross_entropy", layout="rows",
            first=1, init="he", epochs=10, lr=2e-3, lr_decay=0.8, batch_size=128,
            optimizer="adam",
            target="≥ 98.0% test in ≤ 60 s on 2 cores", source="ours",
        ),
    ]
}


def get(name):
    """The preset called name (a Preset is returned as it is), or a ValueError listing them.

    >>> get("nielsen").sizes, get("scratch").layout
    ((784, 30, 10), 'rows')
    """
    if isinstance(name, Preset):
        return name
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
