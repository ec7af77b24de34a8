"""Layers as PyTorch-shaped modules: Module, Linear, Sequential, Sigmoid/ReLU/Tanh, and the init
schemes named after their sources (init_weight, init_bias).

Imports ``autograd`` (a Tape to tag the tensors a module call produced), ``tensor`` and
``files`` (atomic saves, loads that name the file). The
schemes return plain numpy arrays so the books' reference code can use the same starting weights.
A module call marks every tensor it records with ``t.module``, the module's qualified name such
as ``"0.Linear"``, so a drawn graph can fold each layer into one box.
"""

import numpy as np

from .autograd import Tape
from .files import read_npz, save_npz
from .tensor import Tensor


def init_weight(scheme, n_in, n_out, rng, shape=None):
    """A weight array of the given shape drawn by a named scheme.

    nielsen: N(0, 1) (network.py); improved: N(0, 1/n_in) (network2.py); xavier: Glorot,
    N(0, 2/(n_in + n_out)) as in the 3Blue1Brown learner's code; he: N(0, 2/n_in);
    dlfs: 0.01·N(0, 1) (Deep Learning from Scratch).

    >>> init_weight("dlfs", 784, 50, np.random.default_rng(0)).shape
    (784, 50)
    """
    shape = (n_in, n_out) if shape is None else shape
    scale = {
        "nielsen": 1.0,
        "improved": 1.0 / np.sqrt(n_in),
        "xavier": np.sqrt(2.0 / (n_in + n_out)),
        "he": np.sqrt(2.0 / n_in),
        "dlfs": 0.01,
    }.get(scheme)
    if scale is None:
        raise ValueError(f"init: unknown scheme {scheme!r}; choose one of "
                         "nielsen, improved, xavier, he, dlfs")
    return scale * rng.standard_normal(shape)


def init_bias(scheme, n_out, rng, shape=None):
    """Biases as the source draws them: N(0, 1) for Nielsen's schemes, zeros otherwise.

    >>> init_bias("dlfs", 3, np.random.default_rng(0))
    array([0., 0., 0.])
    """
    shape = (n_out,) if shape is None else shape
    if scheme in ("nielsen", "improved"):
        return rng.standard_normal(shape)
    return np.zeros(shape)


class Module:
    """A layer or network: its parameters are the Tensor attributes that require grad, found
    (with those of its sub-modules) in the order they were assigned.

    Subclasses define forward(); calling the module runs it and sets ``t.module`` on every
    tensor recorded inside the call to the module's qualified name.

    >>> layer = Linear(3, 2, seed=0)
    >>> [(name, p.shape) for name, p in layer.named_parameters()]
    [('W', (3, 2)), ('b', (2,))]
    """

    name = None  # the qualified name a parent gave it, e.g. "0.Linear"; None for a root

    def forward(self, *args):
        raise NotImplementedError(f"{type(self).__name__}: a Module subclass must define forward")

    def __call__(self, *args):
        label = self.name or type(self).__name__
        with Tape() as tape:
            out = self.forward(*args)
        for t in tape.outputs:  # an inner module's call already tagged its own (deeper) tensors
            if getattr(t, "module", None) is None:
                t.module = label
        return out

    def named_children(self):
        """(name, module) for each direct sub-module, in assignment order."""
        for key, value in vars(self).items():
            if isinstance(value, Module):
                yield key, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield str(i), item

    def named_parameters(self, prefix=""):
        """(qualified name, Tensor) for every parameter, e.g. ("0.W", W) inside a Sequential."""
        for key, value in vars(self).items():
            if isinstance(value, Tensor) and value.requires_grad:
                yield prefix + key, value
        for key, child in self.named_children():
            yield from child.named_parameters(f"{prefix}{key}.")

    def parameters(self):
        """The parameter Tensors, to hand to an optimizer."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    def state_dict(self):
        """{qualified name: a copy of the parameter's array}, in parameter order.

        >>> sorted(Linear(3, 2, seed=0).state_dict())
        ['W', 'b']
        """
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy arrays into the parameters; every name must be present with its exact shape."""
        params = dict(self.named_parameters())
        missing = [k for k in params if k not in state]
        unexpected = [k for k in state if k not in params]
        if missing or unexpected:
            raise KeyError(
                f"load_state_dict: {type(self).__name__} has parameters {list(params)}; "
                f"missing from the state: {missing}; unexpected in the state: {unexpected}. "
                "Was it saved from a network of other sizes or layers?"
            )
        for k, p in params.items():
            value = np.asarray(state[k])
            if value.shape != p.shape:
                raise ValueError(
                    f"load_state_dict: {k} has shape {p.shape} in {type(self).__name__} but "
                    f"{value.shape} in the state; build the network with the sizes it was "
                    "saved with"
                )
        for k, p in params.items():  # only after every check, so a failed load changes nothing
            p.data = np.array(state[k], dtype=p.dtype)
        return self

    def save(self, path):
        """Write the state_dict to an .npz file (.npz is added when path lacks it); return its path.

        The write is atomic: an interrupted save leaves the previous file as it was.
        """
        return save_npz(path, self.state_dict(), f"{type(self).__name__}.save")

    def load(self, path):
        """Load parameters written by save(); returns the module. A file that is not such an .npz
        (a failed download, a truncated copy) raises one ValueError naming it, changing nothing."""
        hint = f"write it with {type(self).__name__}.save(path)"
        state = read_npz(path, f"{type(self).__name__}.load", hint)
        if "__preset__" in state:  # the META key of train.save_network
            raise ValueError(f"{type(self).__name__}.load: {path} was written by train(save=...) "
                             "(`tinygrad-edu train --save`), not by Module.save; read it with "
                             "tinygrad_edu.train.load_network(path)")
        try:
            return self.load_state_dict(state)
        except (KeyError, ValueError) as e:
            raise type(e)(f"{path}: {e.args[0]}") from None

    def __setattr__(self, key, value):
        if isinstance(value, Module):  # a sub-module learns where it sits: "fc1.Linear"
            value._adopt(f"{key}.{type(value).__name__}", f"{key}.")
        object.__setattr__(self, key, value)

    def _adopt(self, label, path):
        """Take the label a parent gives (e.g. "0.Linear") and name the parameters by path."""
        object.__setattr__(self, "name", label)
        for key, p in self.named_parameters(path):
            p.name = key
        for key, child in self.named_children():
            child._adopt(f"{label}/{key}.{type(child).__name__}", f"{path}{key}.")

    def __repr__(self):
        children = [f"  ({k}): {v!r}".replace("\n", "\n  ") for k, v in self.named_children()]
        body = "\n" + "\n".join(children) + "\n" if children else self.extra_repr()
        return f"{type(self).__name__}({body})"

    def extra_repr(self):
        return ""


class Linear(Module):
    """An affine layer: x @ W + b for rows of examples (DLFS), W @ x + b for columns (Nielsen).

    rows: x is (N, n_in), W is (n_in, n_out), b is (n_out,); columns: x is (n_in, m),
    W is (n_out, n_in), b is (n_out, 1). init names a scheme of init_weight.

    >>> layer = Linear(784, 30, init="nielsen", layout="columns", seed=0)
    >>> layer.W.shape, layer.b.shape, layer(Tensor(np.zeros((784, 10), np.float32))).shape
    ((30, 784), (30, 1), (30, 10))
    """

    def __init__(self, n_in, n_out, *, init="xavier", layout="rows", seed=None, rng=None,
                 dtype="float32"):
        if layout not in ("rows", "columns"):
            raise ValueError(f"Linear: layout must be 'rows' or 'columns', got {layout!r}")
        rng = np.random.default_rng(seed) if rng is None else rng
        cols = layout == "columns"
        W = init_weight(init, n_in, n_out, rng, (n_out, n_in) if cols else (n_in, n_out))
        b = init_bias(init, n_out, rng, (n_out, 1) if cols else (n_out,))
        self.n_in, self.n_out, self.layout, self.init = n_in, n_out, layout, init
        self.W = Tensor(W, requires_grad=True, name="W", dtype=dtype)
        self.b = Tensor(b, requires_grad=True, name="b", dtype=dtype)

    def forward(self, x):
        return self.W @ x + self.b if self.layout == "columns" else x @ self.W + self.b

    def extra_repr(self):
        return f"{self.n_in}, {self.n_out}, init={self.init!r}, layout={self.layout!r}"


class Sequential(Module):
    """Modules applied one after the other; parameters are named by position, like "0.W".

    >>> net = Sequential(Linear(4, 3, seed=0), ReLU(), Linear(3, 2, seed=1))
    >>> list(net.state_dict())
    ['0.W', '0.b', '2.W', '2.b']
    >>> net(Tensor(np.ones((5, 4), np.float32))).shape
    (5, 2)
    """

    def __init__(self, *layers):
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: item {i} is a {type(layer).__name__}, not a "
                                "Module; wrap a function f in a Module subclass with forward")
            layer._adopt(f"{i}.{type(layer).__name__}", f"{i}.")
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)


class Sigmoid(Module):
    """σ(z) = 1 / (1 + e⁻ᶻ), elementwise."""

    def forward(self, z):
        return z.sigmoid()


class ReLU(Module):
    """max(z, 0), elementwise."""

    def forward(self, z):
        return z.relu()


class Tanh(Module):
    """tanh(z), elementwise."""

    def forward(self, z):
        return z.tanh()
