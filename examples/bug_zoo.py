"""The bug zoo: twelve hand-written backprops, each with one classic mistake, and what verify says.

Each bug is numpy code in a book's notation and layout (Nielsen's columns, Deep Learning from
Scratch's rows, 3Blue1Brown's columns), written against a preset so that verify can hold it to
autograd through the preset's own forward pass on a real MNIST batch.

    python examples/bug_zoo.py            # every bug's diagnosis
    python examples/bug_zoo.py --full     # with the whole report of each
"""

import sys
import textwrap
from dataclasses import dataclass

import numpy as np

from tinygrad_edu import presets
from tinygrad_edu.check import verify
from tinygrad_edu.check.verify import DEFAULT_BATCH


@dataclass
class Bug:
    key: str
    title: str
    preset: presets.Preset
    backprop: object  # backprop(params, x, y) -> dict of name -> gradient
    prepare: object = None  # prepare(params, x, y): run before backprop, as a training loop would


BUGS = []

NIELSEN = presets.get("nielsen")  # 784-30-10 sigmoid, ½‖a − y‖², columns, W2 and W3
SCRATCH = presets.get("scratch")  # 784-50-10 ReLU, softmax cross-entropy, rows, W1 and W2
THREEB1B = presets.get("3b1b")  # 784-16-16-10 sigmoid, ‖a − y‖², columns, W1, W2, W3
DEEP = THREEB1B.with_overrides(  # two square hidden layers: W2 and W3 have the same shape
    name="3b1b-deep", title="784-16-16-16-10 sigmoid, squared error", sizes=(784, 16, 16, 16, 10))


def bug(key, title, preset, prepare=None):
    def register(backprop):
        BUGS.append(Bug(key, title, preset, backprop, prepare))
        return backprop
    return register


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def columns_forward(params, x, layers):
    """z and a of every layer, keyed by the layer number (a[first − 1] is the input)."""
    z, a = {}, {layers[0] - 1: x}
    for l in layers:
        z[l] = params[f"W{l}"] @ a[l - 1] + params[f"b{l}"]
        a[l] = sigmoid(z[l])
    return z, a


def columns_grads(params, x, y, delta_L, layers, z, a, W_for=None, sigma_at=None):
    """BP2–BP4 down from δᴸ, with hooks for the mistakes below."""
    grads, delta = {}, delta_L
    for l in reversed(layers):
        if l < layers[-1]:
            W = params[f"W{l + 1}"] if W_for is None else W_for(l)
            delta = (W.T @ delta) * sigmoid_prime(z[l] if sigma_at is None else sigma_at(l))
        grads[f"z{l}"] = delta
        grads[f"W{l}"] = delta @ a[l - 1].T
        grads[f"b{l}"] = delta.sum(axis=1, keepdims=True)
    return grads


# ----- the wrong layer's W ------------------------------------------------------------------------

@bug("wrong_layer_W", "δ² written with W² instead of W³ (the seed's z³ = W⁽²⁾a⁽²⁾ + b⁽³⁾)", DEEP)
def backprop_wrong_layer_W(params, x, y):
    layers, m = DEEP.layers, x.shape[1]
    z, a = columns_forward(params, x, layers)
    L = layers[-1]
    delta_L = 2 * (a[L] - y) / m * sigmoid_prime(z[L])
    # the bug: δ² = ((W²)ᵀδ³) ⊙ σ'(z²); the index of W was copied from δ's layer, not the next one
    return columns_grads(params, x, y, delta_L, layers, z, a,
                         W_for=lambda l: params["W2"] if l == 2 else params[f"W{l + 1}"])


# ----- σ' at the wrong place ----------------------------------------------------------------------

@bug("sigma_prime_at_a", "σ'(a²) instead of σ'(z²) in the hidden layer", NIELSEN)
def backprop_sigma_prime_at_a(params, x, y):
    z, a = columns_forward(params, x, NIELSEN.layers)
    delta3 = (a[3] - y) / x.shape[1] * sigmoid_prime(z[3])
    # the bug: sigmoid_prime(activation), σ applied twice
    return columns_grads(params, x, y, delta3, NIELSEN.layers, z, a, sigma_at=lambda l: a[l])


@bug("missing_sigma_prime_at_output", "δᴸ = (a − y) for the quadratic cost, without σ'(zᴸ)",
     NIELSEN)
def backprop_missing_sigma_prime(params, x, y):
    z, a = columns_forward(params, x, NIELSEN.layers)
    delta3 = (a[3] - y) / x.shape[1]  # the bug: cross-entropy's δᴸ used with the quadratic cost
    return columns_grads(params, x, y, delta3, NIELSEN.layers, z, a)


# ----- transposes ---------------------------------------------------------------------------------

def rows_backprop(params, x, t, *, divide=True, dW=lambda a, dout: a.T @ dout):
    """Deep Learning from Scratch's TwoLayerNet.gradient, with two places to plant a bug."""
    z1 = x @ params["W1"] + params["b1"]
    a1 = np.maximum(z1, 0)
    z2 = a1 @ params["W2"] + params["b2"]
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    dz2 = (y - t) / (x.shape[0] if divide else 1)
    da1 = dz2 @ params["W2"].T
    dz1 = da1 * (z1 > 0)
    return {"z2": dz2, "W2": dW(a1, dz2), "b2": dz2.sum(axis=0),
            "a1": da1, "z1": dz1, "W1": dW(x, dz1), "b1": dz1.sum(axis=0)}


@bug("transposed_dW", "∂L/∂W = doutᵀ·x instead of xᵀ·dout (rows)", SCRATCH)
def backprop_transposed_dW(params, x, t):
    return rows_backprop(params, x, t, dW=lambda a, dout: dout.T @ a)  # the bug: (10, 50)


@bug("missing_transpose", "∂C/∂W² = a¹(δ²)ᵀ for δ²(a¹)ᵀ: square W², so no error is raised",
     THREEB1B)
def backprop_missing_transpose(params, x, y):
    layers, m = THREEB1B.layers, x.shape[1]
    z, a = columns_forward(params, x, layers)
    grads = columns_grads(params, x, y, 2 * (a[3] - y) / m * sigmoid_prime(z[3]), layers, z, a)
    grads["W2"] = a[1] @ grads["z2"].T  # the bug: (16×10)·(10×16) is 16×16 too
    return grads


# ----- the batch ----------------------------------------------------------------------------------

@bug("no_batch_division", "SoftmaxWithLoss backward returns y − t, not (y − t)/N", SCRATCH)
def backprop_no_batch_division(params, x, t):
    return rows_backprop(params, x, t, divide=False)


@bug("bias_not_summed", "∂C/∂b³ = δ³ for a whole batch: one column per example", NIELSEN)
def backprop_bias_not_summed(params, x, y):
    z, a = columns_forward(params, x, NIELSEN.layers)
    delta3 = (a[3] - y) / x.shape[1] * sigmoid_prime(z[3])
    grads = columns_grads(params, x, y, delta3, NIELSEN.layers, z, a)
    grads["b3"] = grads["z3"]  # the bug: Nielsen's nabla_b = delta, for m columns at once
    grads["b2"] = grads["z2"]
    return grads


@bug("bias_wrong_axis", "∂C/∂b³ = δ³ summed over the neurons (axis 0), not the examples", NIELSEN)
def backprop_bias_wrong_axis(params, x, y):
    z, a = columns_forward(params, x, NIELSEN.layers)
    delta3 = (a[3] - y) / x.shape[1] * sigmoid_prime(z[3])
    grads = columns_grads(params, x, y, delta3, NIELSEN.layers, z, a)
    grads["b3"] = grads["z3"].sum(axis=0, keepdims=True)  # the bug: rows' axis, in columns
    return grads


# ----- the forward pass ---------------------------------------------------------------------------

class StaleNet:
    """Seed 000's network: feedforward stores the activations, gradient_step reads them."""

    z, a = None, None

    @classmethod
    def feedforward(cls, params, x):
        cls.z, cls.a = columns_forward(params, x, THREEB1B.layers)
        return cls.a[THREEB1B.layers[-1]]


def previous_batch(params, x, y):
    """The training loop's previous step: feedforward on another batch."""
    x_before, _ = THREEB1B.sample(x.shape[1], seed=1)
    StaleNet.feedforward(params, x_before)


@bug("stale_activations", "backprop reads activations left over from the previous batch",
     THREEB1B, prepare=previous_batch)
def backprop_stale(params, x, y):
    # the bug: "# Set the layer outputs" and nothing under it; StaleNet.feedforward(params, x)
    z, a = StaleNet.z, StaleNet.a
    delta3 = 2 * (a[3] - y) / x.shape[1] * sigmoid_prime(z[3])
    return columns_grads(params, x, y, delta3, THREEB1B.layers, z, a)


def feedforward_no_return(params, a):
    for l in NIELSEN.layers:
        a = sigmoid(params[f"W{l}"] @ a + params[f"b{l}"])
    # the bug: `return a` is missing, so every call gives None (seed 001)


@bug("feedforward_forgets_return", "feedforward() without `return a`", NIELSEN)
def backprop_feedforward_forgets_return(params, x, y):
    output = feedforward_no_return(params, x)
    delta3 = (output - y) / x.shape[1] * output * (1 - output)
    z, a = columns_forward(params, x, NIELSEN.layers)
    return columns_grads(params, x, y, delta3, NIELSEN.layers, z, a)


@bug("backprop_forgets_return", "backprop() computes every gradient and returns nothing", NIELSEN)
def backprop_forgets_return(params, x, y):
    z, a = columns_forward(params, x, NIELSEN.layers)
    delta3 = (a[3] - y) / x.shape[1] * sigmoid_prime(z[3])
    grads = columns_grads(params, x, y, delta3, NIELSEN.layers, z, a)  # noqa: F841 (the bug)


# ----- the cost -----------------------------------------------------------------------------------

@bug("missing_factor_2", "∂C/∂a = a − y for C = ‖a − y‖² (no ½ in 3Blue1Brown's cost)",
     THREEB1B)
def backprop_missing_factor_2(params, x, y):
    z, a = columns_forward(params, x, THREEB1B.layers)
    delta3 = (a[3] - y) / x.shape[1] * sigmoid_prime(z[3])  # the bug: the 2 of d(a − y)²/da
    return columns_grads(params, x, y, delta3, THREEB1B.layers, z, a)


def run(b, *, batch_size=DEFAULT_BATCH, seed=0):
    """verify one bug on a real batch of its preset's data; return the Report."""
    params = b.preset.init_params(seed)
    x, y = b.preset.sample(batch_size, seed)
    if b.prepare is not None:
        b.prepare(params, x, y)
    return verify(b.preset.forward, b.backprop, params, x, y)


def main(argv=()):
    full = "--full" in argv
    for k, b in enumerate(BUGS, start=1):
        report = run(b)
        print(f"{k}. {b.key}: {b.title} [{b.preset.name}]")
        print(f"   first_bad: {report.first_bad}")
        print(textwrap.indent(str(report) if full else report.diagnosis, "   "))
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
