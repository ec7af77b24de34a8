"""The oracle: the learner's network written again as tensor expressions, from the learner's own
weights, so every check has a right answer to hold the learner's code against.

``build(learner, data)`` lays out the layers from the learner's parameters (W·a or x·W from the
shapes; 1-D, column, row or no biases) and settles the hidden activation, the output activation and
the cost, inferring them from the learner's forward pass and output-layer gradient when the Learner
leaves them None. It imports the engine (tensor, autograd, functional) and verify's batch size
and tolerances.
"""

import itertools
from dataclasses import dataclass, field

import numpy as np

from .. import autograd
from ..functional import binary_cross_entropy_with_logits
from ..tensor import Tensor
from . import helpers
from .learner import drawn
from .verify import DEFAULT_BATCH, RTOL, RTOLS, SCALE_FLOOR

HIDDEN = ("sigmoid", "relu", "tanh")
OUTPUT = ("sigmoid", "softmax", "identity", "tanh")  # tanh: the "from scratch" video's output
COSTS = {  # cost → what it is per example, as the report writes it
    "quadratic": "quadratic ½‖a − y‖²",
    "squared_error": "squared error ‖a − y‖²",
    "cross_entropy": "softmax cross-entropy −Σ y·ln softmax(z)",
    "sigmoid_cross_entropy": "sigmoid cross-entropy −Σ [y ln a + (1 − y) ln(1 − a)]",
}
# The costs each output can carry: cross-entropies are computed from z, so a forward that returns
# the raw scores (DLFS's predict) carries them as well as one that returns probabilities.
# How the cost reduces over a batch: "entries" is a mean over every output of every example,
# np.mean((a - y) ** 2) or PyTorch's MSELoss, for the squared costs only; "outputs" is that mean
# taken over one example's outputs, for a program that trains one example at a time (the "from
# scratch" video's mse(y_true, y_pred) = np.mean(np.power(y_true - y_pred, 2)) on a (10, 1) column)
REDUCED = {"mean": "averaged over the batch", "sum": "summed over the batch",
           "entries": "averaged over every entry of the batch's outputs",
           "outputs": "averaged over each example's outputs, summed over the examples"}
SQUARED = ("quadratic", "squared_error")
MEANED = (*SQUARED, "sigmoid_cross_entropy")  # costs a program may average over the outputs too
# (np.mean((a - y) ** 2), PyTorch's BCELoss, the video's np.mean(-y * np.log(p) - ...))
CARRIES = {
    "sigmoid": ("quadratic", "squared_error", "sigmoid_cross_entropy"),
    "softmax": ("quadratic", "squared_error", "cross_entropy"),
    "identity": ("quadratic", "squared_error", "cross_entropy", "sigmoid_cross_entropy"),
    "tanh": ("quadratic", "squared_error"),
}

def tolerance(dtype):
    """The relative tolerance for numbers a learner computes in dtype: verify's RTOLS, so every
    check holds a float32 program to the precision the gradients check does."""
    return RTOLS.get(np.dtype(dtype), RTOL)


def rel_error(got, expected):
    """max|got − expected| relative to max|expected| (absolute below 1e-8), as verify measures."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return np.inf
    if not expected.size:
        return 0.0
    return float(np.abs(got - expected).max() / max(np.abs(expected).max(), SCALE_FLOOR))


@dataclass
class Layer:
    """One weight layer: the learner's names for W and b, how W multiplies, how b is shaped."""

    index: int
    W: str
    b: str | None
    orientation: str  # "Wa": W is (out, in) and z = W·a; "xW": W is (in, out) and z = x·W
    bias: str  # "1-D", "column", "row" or "none"
    n_in: int
    n_out: int


@dataclass
class Oracle:
    """The learner's network as tensor expressions; every method reads the learner's weights."""

    learner: object
    layers: list
    activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    cost: str = "quadratic"
    reduction: str = "mean"  # how the learner's grads reduce the cost over a batch
    notes: list = field(default_factory=list)  # how activation and cost were settled
    closest: str | None = None  # when no standard cost matched the learner's gradient: how near
    mended: tuple | None = None  # (convention, helper names): the cost was read with the
    # learner's wrong derivative helpers mended (_mended_cost)
    candidates: list = field(default_factory=list, repr=False)  # (hidden, output) still possible
    # {k: c}: the forward pass multiplies hidden layer k's activations (k counted from 0) by c,
    # as dropout without the inverted scaling does at test time (Deep Learning from Scratch's
    # Dropout: x * (1 − dropout_ratio)); only ever set for a learner whose gradients draw
    scales: dict = field(default_factory=dict)
    leak: float = 0.01  # the slope below 0 when activation is "leaky_relu"
    input_scale: float = 1.0  # the forward pass multiplies its inputs by it first (x / 255)

    @property
    def names(self):
        return [p.name for p in self.learner.params]

    @property
    def dtype(self):
        """The dtype the learner's parameters are held in (the first of them)."""
        return np.asarray(self.learner.params[0].get()).dtype

    def arrays(self):
        """{name: a float64 copy of the learner's current array}."""
        return self.learner.snapshot()

    def describe(self):
        """'784-30-10, sigmoid hidden layers, sigmoid output, quadratic ½‖a − y‖², mean'."""
        sizes = "-".join(str(n) for n in [self.layers[0].n_in] + [L.n_out for L in self.layers])
        act = f"leaky relu (slope {self.leak:.3g})" if self.activation == "leaky_relu" else \
            self.activation
        hidden = f"{act} hidden layers, " if len(self.layers) > 1 else ""
        return (f"{sizes}, {hidden}{self.output_activation} output, {COSTS[self.cost]} "
                f"({REDUCED[self.reduction]})"
                + "".join(f", a{self.layers[k].index} × {c:.4g}"
                          for k, c in sorted(self.scales.items()))
                + (f", x {'÷' if self.input_scale < 1 else '×'} "
                   f"{max(self.input_scale, 1 / self.input_scale):g} first"
                   if self.input_scale != 1 else ""))

    def input_scaling(self):
        """What input_scale says, for the report ('' when it is 1)."""
        c = self.input_scale
        if c == 1:
            return ""
        return (f"your forward pass {'divides' if c < 1 else 'multiplies'} its inputs by "
                f"{1 / c if c < 1 else c:g} first, so the network its weights define is read "
                "with that scaling: the checks give your code the bundled pixels as they are "
                "(0 to 255)")

    def scaling(self):
        """What scales says, for the report ('' when it is empty)."""
        if not self.scales:
            return ""
        return ("your forward pass multiplies the hidden activations by " + ", ".join(
            f"{c:.4g} (a{self.layers[k].index})" for k, c in sorted(self.scales.items()))
            + ", and your gradients draw random numbers: dropout that keeps a unit with that "
            "probability in training and scales by it at test time (Deep Learning from "
            "Scratch's Dropout), so the network its weights define is read with that factor; "
            "with inverted dropout (÷ p in training) that factor would be a mistake")

    # ----- the network ----------------------------------------------------------------------------

    def _z(self, layer, a, params):
        W = params[layer.W]
        z = a @ (W.T if layer.orientation == "Wa" else W)
        if layer.b is not None:
            b = params[layer.b]
            z = z + (b.T if layer.bias == "column" else b)
        return z

    def logits(self, params, x, *, activation=None, named=False, scales=None, leak=None,
               input_scale=None):
        """z of the output layer for rows x; params is {name: Tensor}."""
        act = activation or self.activation
        scales = self.scales if scales is None else scales
        leak = self.leak if leak is None else leak
        input_scale = self.input_scale if input_scale is None else input_scale
        a = x if input_scale == 1 else x * input_scale
        for k, layer in enumerate(self.layers):
            z = self._z(layer, a, params)
            if named:
                z.name = f"z{layer.index}"
            if k == len(self.layers) - 1:
                return z
            a = z.maximum(z * leak) if act == "leaky_relu" else getattr(z, act)()
            if k in scales:
                a = a * scales[k]
            if named:
                a.name = f"a{layer.index}"

    def _output(self, z, output_activation):
        if output_activation == "sigmoid":
            return z.sigmoid()
        if output_activation == "softmax":
            return z.softmax(axis=-1)
        if output_activation == "tanh":
            return z.tanh()
        return z

    def _cost(self, z, y, *, output_activation, cost, reduction):
        if cost == "cross_entropy":
            per = -(y * z.log_softmax(axis=-1)).sum()
        elif cost == "sigmoid_cross_entropy":
            per = binary_cross_entropy_with_logits(z, y, reduction="sum")
        else:
            d = self._output(z, output_activation) - y
            per = (d * d).sum() * (0.5 if cost == "quadratic" else 1.0)
        if reduction == "entries":  # np.mean((a - y) ** 2): over every output of every example
            return per * (1.0 / (z.shape[0] * z.shape[1]))
        if reduction == "outputs":  # the same mean, one example at a time
            return per * (1.0 / z.shape[1])
        return per * (1.0 / z.shape[0]) if reduction == "mean" else per

    def forward(self, params, x, y, *, reduction=None, named=False, **settled):
        """The cost C for verify: params {name: Tensor}, x rows (m, n_in), y one-hot (m, n_out)."""
        act = settled.get("activation", self.activation)
        out = settled.get("output_activation", self.output_activation)
        cost = settled.get("cost", self.cost)
        z = self.logits(params, x, activation=act, named=named)
        loss = self._cost(z, y, output_activation=out, cost=cost,
                          reduction=reduction or self.reduction)
        loss.name = "C"
        return loss

    def _leaves(self, arrays, requires_grad):
        arrays = self.arrays() if arrays is None else arrays
        return {n: Tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad, name=n)
                for n, a in arrays.items()}

    def output(self, X, arrays=None, **settled):
        """The network's output for rows X (m, n_out), from the learner's weights or arrays."""
        with autograd.no_grad():
            z = self.logits(self._leaves(arrays, False), Tensor(np.asarray(X, np.float64)),
                            activation=settled.get("activation"), scales=settled.get("scales"),
                            leak=settled.get("leak"), input_scale=settled.get("input_scale"))
            return self._output(z, settled.get("output_activation",
                                               self.output_activation)).data

    def loss(self, X, Y, arrays=None, *, reduction=None, named=True):
        """(the cost Tensor with its graph, {name: leaf Tensor}) on the batch X, Y."""
        leaves = self._leaves(arrays, True)
        loss = self.forward(leaves, Tensor(np.asarray(X, np.float64), name="x"),
                            Tensor(np.asarray(Y, np.float64), name="y"),
                            reduction=reduction, named=named)
        return loss, leaves

    def gradients(self, X, Y, arrays=None, *, reduction=None, **settled):
        """{name: ∂C/∂param} by autograd, C reduced over the batch as reduction (default: ours)."""
        leaves = self._leaves(arrays, True)
        loss = self.forward(leaves, Tensor(np.asarray(X, np.float64)),
                            Tensor(np.asarray(Y, np.float64)), reduction=reduction, **settled)
        grads, _ = autograd.backprop(loss, np.ones_like(loss.data))
        return {n: grads.get(id(t), np.zeros(t.shape)) for n, t in leaves.items()}

    def cost_value(self, X, Y, arrays=None):
        """The cost averaged over the examples of X, Y (a float; nan when it overflowed)."""
        with autograd.no_grad(), np.errstate(all="ignore"):
            loss = self.forward(self._leaves(arrays, False), Tensor(np.asarray(X, np.float64)),
                                Tensor(np.asarray(Y, np.float64)), reduction="mean")
        return float(loss.data)

    def accuracy(self, X, labels, arrays=None):
        """The fraction of rows of X whose largest output is at their label."""
        with np.errstate(all="ignore"):
            return float(np.mean(self.output(X, arrays).argmax(axis=1) == np.asarray(labels)))

    def sgd(self, X, Y, lr, batch_size, steps, arrays=None, *, curve=True):
        """`steps` plain SGD steps of the mean cost on consecutive batches: (arrays, the cost on
        X, Y after each step, or only at the start and the end when curve is False)."""
        arrays = {n: a.copy() for n, a in (self.arrays() if arrays is None else arrays).items()}
        costs = [self.cost_value(X, Y, arrays)]
        for k in range(steps):
            i = (k * batch_size) % len(X)
            grads = self.gradients(X[i:i + batch_size], Y[i:i + batch_size], arrays,
                                   reduction="mean")
            arrays = {n: arrays[n] - lr * grads[n] for n in arrays}
            if curve or k == steps - 1:
                costs.append(self.cost_value(X, Y, arrays))
        return arrays, costs


# ----- building it ------------------------------------------------------------------------------

def build(learner, data):
    """The learner's network as an Oracle, its activation and cost settled as the Learner says
    or as its forward pass and output-layer gradient show."""
    layers = _layers(learner, data.train.X.shape[1])
    oracle = Oracle(learner, layers)
    batch = data.train.take(slice(0, DEFAULT_BATCH))
    _settle_activations(oracle, learner, batch)
    _settle_cost(oracle, learner, batch)
    return oracle


def _layers(learner, n_in):
    if not learner.params:
        raise ValueError(f"oracle: {learner.name} has no parameters to build a network from; "
                         "the Learner must list its weight arrays (Param, role 'W')")
    by_layer = {}
    for p in learner.params:
        if p.role not in ("W", "b"):
            raise ValueError(f"oracle: parameter {p.name} has role {p.role!r}; use 'W' or 'b'")
        by_layer.setdefault(p.layer, {})[p.role] = p
    layers, n, orientation = [], n_in, None
    for index in sorted(by_layer):
        ps = by_layer[index]
        if "W" not in ps:
            raise ValueError(f"oracle: layer {index} of {learner.name} has a bias "
                             f"{ps['b'].name} but no weight matrix")
        W = np.asarray(ps["W"].get())
        if W.ndim != 2:
            raise ValueError(f"oracle: {ps['W'].name} has shape {W.shape}; a weight matrix "
                             "must be 2-D")
        fits = [o for o, k in (("Wa", 1), ("xW", 0)) if W.shape[k] == n]
        if not fits:
            raise ValueError(
                f"oracle: {ps['W'].name} has shape {W.shape}, but layer {index} receives {n} "
                f"values (the {'input' if index == min(by_layer) else 'previous layer'}): "
                "neither W·a nor x·W lines up; are the layers numbered in order?")
        if len(fits) == 2:  # square: as the layers before it, else as the learner's layout
            fits = [orientation or ("Wa" if learner.layout == "columns" else "xW")]
        orientation = fits[0]
        n_out = W.shape[0] if orientation == "Wa" else W.shape[1]
        bias = "none"
        if "b" in ps:
            shape = np.shape(ps["b"].get())
            bias = {(n_out,): "1-D", (n_out, 1): "column", (1, n_out): "row"}.get(shape)
            if shape == (1, 1):
                bias = "row"
            if bias is None:
                raise ValueError(f"oracle: {ps['b'].name} has shape {shape}; layer {index} has "
                                 f"{n_out} neurons, so its bias should be ({n_out},), "
                                 f"({n_out}, 1) or (1, {n_out})")
        layers.append(Layer(index, ps["W"].name, ps["b"].name if "b" in ps else None,
                            orientation, bias, n, n_out))
        n = n_out
    return layers


def rows(out, m, n_out):
    """The learner's forward answer as rows (m, n_out) when it can be read as such, else None."""
    if not isinstance(out, np.ndarray) or out.size != m * n_out:
        return None
    if out.shape == (m, n_out):
        return out.astype(np.float64)
    if out.shape == (n_out, m):
        return out.T.astype(np.float64)
    return out.reshape(m, n_out).astype(np.float64) if m == 1 else None


def _settle_activations(oracle, learner, batch):
    liked_cost, liked = learner.like
    hidden = [learner.activation] if learner.activation else _first(HIDDEN, liked)
    if len(oracle.layers) == 1:
        hidden = hidden[:1]
    outputs = list(OUTPUT)
    if learner.cost == "cross_entropy":
        outputs = ["softmax", "identity"]
    elif learner.cost == "sigmoid_cross_entropy":
        outputs = ["sigmoid", "identity"]
    elif liked_cost in ("cross_entropy", "sigmoid_cross_entropy"):  # --like's: tried first
        outputs = _first(outputs, "softmax" if liked_cost == "cross_entropy" else "sigmoid")
    oracle.activation, oracle.output_activation = hidden[0], outputs[0]
    oracle.candidates = [(h, o) for h in hidden for o in outputs]
    if learner.forward is None:
        return
    try:
        got = rows(learner.forward(batch.X), len(batch), oracle.layers[-1].n_out)
    except Exception:  # the forward check reports it with the learner's line
        oracle.notes.append("the forward pass raised, so the activations were inferred from "
                            "the gradients")
        return
    if got is None:
        return
    scores = sorted((rel_error(got, oracle.output(batch.X, activation=h, output_activation=o)),
                     k, h, o) for k, (h, o) in enumerate(oracle.candidates))  # ties: in order
    err, _, h, o = scores[0]
    if err > tolerance(oracle.dtype) * 100 and len(oracle.layers) > 1 and \
            learner.activation in (None, "leaky_relu"):
        err, h, o = _leaky(oracle, got, batch, err, h, o)
    if err > tolerance(oracle.dtype) * 100:
        err, h, o = _input_scale(oracle, got, batch, err, h, o)
    if err > tolerance(oracle.dtype) * 100 and _draws(learner, batch):
        err, h, o = _test_time_scales(oracle, got, batch, err, h, o)
    if err <= tolerance(oracle.dtype) * 100:
        oracle.activation, oracle.output_activation = h, o
        oracle.candidates = [(h, o)]
        if not learner.activation:
            oracle.notes.append(f"activations inferred from the forward pass: {h} hidden, "
                                f"{o} output" + (f" (not --like's {liked}: your forward pass "
                                                 "computes another)" if liked not in (None, h)
                                                 else ""))


def _leaky(oracle, got, batch, err, h, o):
    """(err, h, o) with h = "leaky_relu" when a leaky ReLU, its slope found by search, fits the
    forward pass (within the tolerance, where the standard activations do not); sets
    oracle.leak and the candidates then."""
    outputs = sorted({o_ for _, o_ in oracle.candidates}, key=list(OUTPUT).index)
    for o_ in outputs:
        def error(s, o_=o_):
            return rel_error(got, oracle.output(batch.X, activation="leaky_relu",
                                                output_activation=o_, leak=s))
        slope = _search(error, lo=1e-3, hi=0.5)
        e = error(slope)
        if e < err and e <= tolerance(oracle.dtype) * 100:  # a fit, not a nearer miss
            err, h, o = e, "leaky_relu", o_
            oracle.leak = float(np.round(slope, 6))
    if h == "leaky_relu":
        oracle.candidates = [(h, o_) for o_ in outputs]
    return err, h, o


INPUT_SCALES = (1 / 255, 1 / 256, 255.0, 256.0)  # pixels to [0, 1] and back: where learners scale


def _input_scale(oracle, got, batch, err, h, o):
    """(err, h, o) of the candidate that fits once the inputs are multiplied by one of
    INPUT_SCALES first: a forward pass that divides the pixels by 255 itself (and, if its
    training step does too, trains the same network). Sets oracle.input_scale and a note."""
    for c in INPUT_SCALES:
        for h_, o_ in oracle.candidates:
            e = rel_error(got, oracle.output(batch.X, activation=h_, output_activation=o_,
                                             input_scale=c))
            if e < err and e <= tolerance(oracle.dtype) * 100:
                err, h, o = e, h_, o_
                oracle.input_scale = c
    return err, h, o


def _draws(learner, batch):
    """Whether the learner's gradients for batch change with the random numbers (dropout)."""
    if learner.grads is None:
        return False
    try:
        got = learner.grads(batch.X, batch.Y)
    except Exception:  # the gradients check reports it with the learner's line
        return False
    return isinstance(got, dict) and drawn(learner, batch.X, batch.Y, got, list(got)) is not None


def _test_time_scales(oracle, got, batch, err, h, o):
    """(err, h, o) of the best candidate once hidden activations may be multiplied by a constant
    in (0, 1], the factor found by search: a network with dropout that keeps each unit with
    probability p in training and multiplies by p at test time (not inverted dropout) returns
    the output of its weights' network with a · p. Sets oracle.scales when that fits."""
    hidden = range(len(oracle.layers) - 1)
    views = [(got, None)]
    if len(hidden) > 1:  # with zero biases, relu layers show only the factors' product
        views += _with_other_biases(oracle, batch)
    best = (err, h, o, {})
    for h_, o_ in oracle.candidates:
        def residual(c, h_=h_, o_=o_):  # c: one factor per hidden layer
            return np.concatenate([np.ravel(out - oracle.output(
                batch.X, arrays, activation=h_, output_activation=o_,
                scales=dict(zip(hidden, c)))) for out, arrays in views])

        c = np.full(len(hidden), _search(lambda c: _size(residual([c] * len(hidden)))))
        if len(hidden) > 1:  # layers with a ratio of their own, from that common one
            c = _least_squares(residual, c)
        e = max(rel_error(out, oracle.output(batch.X, arrays, activation=h_,
                                             output_activation=o_, scales=dict(zip(hidden, c))))
                for out, arrays in views)
        if e < best[0]:
            best = (e, h_, o_, dict(zip(hidden, c.tolist())))
    err, h, o, scales = best
    if err <= tolerance(oracle.dtype) * 100:
        oracle.scales = {k: c for k, c in scales.items() if abs(c - 1) > 1e-9}
        oracle.notes.append(oracle.scaling())
    return err, h, o


def _with_other_biases(oracle, batch):
    """[(the learner's forward output, the arrays it came from)] with the biases set to small
    random numbers for the call (put back after), or [] when there are none or it fails."""
    learner = oracle.learner
    biases = [p for p in learner.params if p.role == "b"]
    if not biases or learner.forward is None:
        return []
    before = learner.snapshot()
    rng = np.random.default_rng(7)
    try:
        for p in biases:
            b = np.asarray(p.get())
            p.set((b + rng.normal(0, 0.1, b.shape)).astype(b.dtype))
        out = rows(learner.forward(batch.X), len(batch), oracle.layers[-1].n_out)
        arrays = learner.snapshot()
    except Exception:  # the first view decides alone
        return []
    finally:
        learner.restore(before)
    return [] if out is None else [(out, arrays)]


def _size(r):
    return float(r @ r)


def _least_squares(residual, c, steps=40):
    """c in (0, 1]ⁿ where ‖residual(c)‖ is least, from c: Levenberg–Marquardt, the Jacobian by
    differences (a few factors, each call one forward pass of 7 examples)."""
    r, damping = residual(c), 1e-3
    for _ in range(steps):
        J = np.stack([(residual(c + e * 1e-7) - r) / 1e-7 for e in np.eye(len(c))], axis=1)
        A, g = J.T @ J, J.T @ r
        step = np.linalg.solve(A + damping * np.diag(np.diag(A) + 1e-12), -g)
        trial = np.clip(c + step, 1e-3, 1.0)
        r_trial = residual(trial)
        if _size(r_trial) < _size(r):
            c, r, damping = trial, r_trial, damping / 3
            if np.abs(step).max() < 1e-12:
                break
        else:
            damping *= 4
            if damping > 1e8:
                break
    return c


def _search(error, lo=0.02, hi=1.0):
    """The c in [lo, hi] where error(c) is least: a grid, then golden sections around its best."""
    grid = np.linspace(lo, hi, 50)
    i = int(np.argmin([error(c) for c in grid]))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        if error(c) < error(d):
            b = d
        else:
            a = c
    return float((a + b) / 2)


def _first(names, preferred):
    """names as a list, preferred (if one of them) first."""
    return sorted(names, key=lambda n: n != preferred)


def _split_reduction(oracle, batch, options, got, names):
    """The option (hidden, output, cost, "mean") when the output layer's parameters each match
    that cost, one of them averaged over the batch and the other summed: code that divides by
    m somewhere means a mean, and the parameter without its 1/m is the mistake (Coursera's
    `db = np.sum(dZ, ...)` beside `dW = 1 / m * ...`). None otherwise."""
    if len(names) < 2 or batch.X.shape[0] < 2:
        return None
    tol = tolerance(oracle.dtype) * 10
    for h, o, c, r in options:
        if r != "mean" or (h, o, c, "sum") not in options:
            continue
        fits = {}
        for red in ("mean", "sum"):
            e = oracle.gradients(batch.X, batch.Y, reduction=red, activation=h,
                                 output_activation=o, cost=c)
            fits[red] = {n for n in names if agree(got, e, [n], tol)}
        if fits["mean"] and fits["sum"] and fits["mean"] | fits["sum"] == set(names):
            return h, o, c, "mean"
    return None


def _mended_cost(oracle, learner, batch, options, names):
    """((hidden, output, cost, reduction), (convention, helper names)) when the output layer's
    gradient, computed by the learner's code with its wrong derivative helpers mended
    (helpers.right_derivatives: written for z, else for the activations a), is that of one of
    options; else None. A sigmoid_prime that is not σ′ leaves no cost to read off the
    gradient, and a wrong cost would mislead every check after."""
    acts = {a for h, o, *_ in options for a in (h, o)}
    hidden = "leaky_relu" if "leaky_relu" in acts else None
    for convention, helper_names, got in helpers.mended_grads(learner, acts, hidden,
                                                              oracle.leak, batch.X, batch.Y):
        for h, o, c, r in options:
            expected = oracle.gradients(batch.X, batch.Y, reduction=r, activation=h,
                                        output_activation=o, cost=c)
            if agree(got, expected, names, tolerance(oracle.dtype) * 10):
                return (h, o, c, r), (convention, helper_names)
    return None


def agree(got, expected, names, tol):
    """Whether got (a learner's gradients) has each of names in expected's shape, within tol
    (relative to its size) of expected's."""
    return all(isinstance(got.get(n), np.ndarray) and got[n].shape == expected[n].shape
               and rel_error(got[n], expected[n]) <= tol for n in names)


def _one_parameter_cost(oracle, batch, options, got, names):
    """(the option, the parameter) when the output layer's weight gradient (else its bias
    gradient) is exactly one option's: a bias gradient divided by m once more (`np.mean(delta)`
    then `alpha / batch_size`), or summed over every axis, says nothing against the cost that
    the weights' gradient follows. None when neither matches one option alone."""
    if len(names) < 2:
        return None
    for n in names:
        fits = [opt for opt in options if rel_error(got[n], oracle.gradients(
            batch.X, batch.Y, reduction=opt[3], activation=opt[0], output_activation=opt[1],
            cost=opt[2])[n]) <= tolerance(oracle.dtype) * 10]
        if len({opt[2:] for opt in fits}) == 1:
            return fits[0], n
    return None


def _settle_cost(oracle, learner, batch):
    costs = [learner.cost] if learner.cost else _first(COSTS, learner.like[0])
    reductions = [learner.grads_reduction] if learner.grads_reduction else [
        "mean", "sum", "entries"]
    if learner.grads_reduction == "sum":  # one example at a time: its cost may be a mean too
        reductions.append("outputs")
    options = [(h, o, c, r) for (h, o), c, r in itertools.product(oracle.candidates, costs,
                                                                  reductions)
               if c in CARRIES[o] and (r not in ("entries", "outputs") or c in MEANED)]
    oracle.activation, oracle.output_activation, oracle.cost, oracle.reduction = options[0]
    if len(options) == 1 or learner.grads is None:
        if len(options) > 1:
            oracle.notes.append(f"assumed: {oracle.describe()} (the program gives no gradients "
                                "to infer the cost from)")
        return
    try:
        got = learner.grads(batch.X, batch.Y)
    except Exception:
        oracle.notes.append("the learner's gradient code raised, so its cost could not be "
                            f"inferred; assumed: {oracle.describe()}")
        return
    last = oracle.layers[-1]
    names = [n for n in (last.W, last.b) if n is not None and isinstance(got, dict)
             and isinstance(got.get(n), np.ndarray)
             and got[n].shape == np.shape(learner.param(n).get())]
    if not names:
        return
    if drawn(learner, batch.X, batch.Y, got, names):
        # what such an output is trained with, most often
        natural = {"softmax": "cross_entropy", "identity": "cross_entropy",
                   "sigmoid": "quadratic", "tanh": "quadratic"}
        oracle.activation, oracle.output_activation, oracle.cost, oracle.reduction = next(
            (opt for opt in options if learner.cost or learner.like[0] or
             (opt[2] == natural[opt[1]] and opt[3] == (learner.grads_reduction or "mean"))),
            options[0])
        oracle.notes.append("your gradients draw random numbers (dropout?), so the cost could "
                            f"not be read from them; assumed: {oracle.describe()}")
        return
    scored = []
    for h, o, c, r in options:
        expected = oracle.gradients(batch.X, batch.Y, reduction=r, activation=h,
                                    output_activation=o, cost=c)
        g, e = (np.concatenate([np.ravel(x[n]) for n in names]).astype(np.float64)
                for x in (got, expected))
        ratio = float(g @ e / (e @ e)) if e @ e else 0.0
        residual = float(np.linalg.norm(g - ratio * e) / max(np.linalg.norm(g), 1e-300))
        scored.append((max(rel_error(got[n], expected[n]) for n in names), residual, ratio,
                       (h, o, c, r)))
    err, _, _, settled = min(scored, key=lambda s: s[0])
    if err <= tolerance(oracle.dtype) * 10:
        oracle.activation, oracle.output_activation, oracle.cost, oracle.reduction = settled
        oracle.notes.append(f"cost inferred from the output layer's gradient: {oracle.describe()}"
                            + (f" (not --like's {learner.like[0]}: your gradients follow "
                               "another)" if learner.like[0] not in (None, oracle.cost) else ""))
        return
    split = _split_reduction(oracle, batch, options, got, names)
    if split is not None:  # W by the mean's gradient, b by the sum's (or the other way)
        oracle.activation, oracle.output_activation, oracle.cost, oracle.reduction = split
        oracle.notes.append(f"cost inferred from the output layer's gradient: {oracle.describe()}"
                            " (its weight and bias gradients differ by the batch size: one "
                            "of them lacks the 1/m that the other has, so the cost is a mean)")
        return
    mended = _mended_cost(oracle, learner, batch, options, names)
    if mended is not None:  # the derivative helper is wrong, and the cost is read past it
        settled, oracle.mended = mended
        oracle.activation, oracle.output_activation, oracle.cost, oracle.reduction = settled
        oracle.notes.append(f"cost inferred from the output layer's gradient with "
                            f"{' and '.join(oracle.mended[1])} mended (they are not the "
                            f"derivative they are named for): {oracle.describe()}")
        return
    alone = _one_parameter_cost(oracle, batch, options, got, names)
    if alone is not None:  # the weights' gradient is a cost's, the bias's is the slip
        (oracle.activation, oracle.output_activation, oracle.cost, oracle.reduction), n = alone
        oracle.notes.append(f"cost inferred from the output layer's gradient of {n} alone: "
                            f"{oracle.describe()} (its other gradient matches no cost)")
        return
    # None matches: the closest is the one the gradient is a multiple of (the multiple nearest
    # ±1: a flipped sign is −1× the mean's gradient, not −1/m× the sum's), else the nearest.
    err, residual, ratio, settled = min(scored, key=lambda s: (
        (False, abs(np.log(abs(s[2])))) if s[1] <= 1e-6 and s[2] else (True, s[0])))
    oracle.activation, oracle.output_activation, oracle.cost, oracle.reduction = settled
    how = f"exactly {ratio:.4g}× it" if residual <= 1e-6 else \
        f"off by up to {err:.2g} of its largest entry"
    oracle.closest = (f"the output layer's gradient matches no standard cost; closest: "
                      f"{oracle.describe()}, {how}")
    oracle.notes.append(oracle.closest)
