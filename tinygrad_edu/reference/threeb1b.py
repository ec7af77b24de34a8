"""3Blue1Brown's neural-network videos (chapters 3 and 4): the 784-16-16-10 digit network, by hand.

Column notation as in the video: a⁽ˡ⁾ = σ(W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾) with a⁽⁰⁾ the 784 pixels, so W1 is
(16, 784), W2 (16, 16), W3 (10, 16), each b⁽ˡ⁾ a column, and a batch is m columns side by side.
The cost is the video's C₀ = Σⱼ (aⱼ⁽ᴸ⁾ − yⱼ)², with no ½, averaged over the batch.
"""

import numpy as np


def sigmoid(z):
    """σ(z) = 1 / (1 + e⁻ᶻ), elementwise."""
    return 0.5 * (1 + np.tanh(0.5 * z))  # the same σ, without overflow in exp


def _last_layer(params):
    return sum(1 for name in params if name.startswith("W"))  # layer 0 is the input


def init_params(rng, sizes=(784, 16, 16, 10)):
    """Xavier weights randn·√(2/(n_in + n_out)) and zero biases, keyed W1, b1, …, W3, b3.

    >>> params = init_params(np.random.default_rng(0))
    >>> for name, p in params.items():
    ...     print(name, p.shape)
    W1 (16, 784)
    b1 (16, 1)
    W2 (16, 16)
    b2 (16, 1)
    W3 (10, 16)
    b3 (10, 1)
    """
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.standard_normal((n_out, n_in)) * np.sqrt(2 / (n_in + n_out))
        params[f"b{l}"] = np.zeros((n_out, 1))
    return params


def feedforward(params, x):
    """Return the output a⁽ᴸ⁾ for the columns of x.

    Seed 000 scored its test set without running this on the test images (10% accuracy), and
    trained on activations left over from the previous call: run it, and use what it returns.

    >>> feedforward(init_params(np.random.default_rng(0)), np.zeros((784, 2))).shape
    (10, 2)
    """
    a = x
    for l in range(1, _last_layer(params) + 1):
        a = sigmoid(params[f"W{l}"] @ a + params[f"b{l}"])  # a⁽ˡ⁾ = σ(W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾)
    return a


def _check_batch(where, params, x, y):
    n_in, n_out = params["W1"].shape[1], params[f"W{_last_layer(params)}"].shape[0]
    if x.ndim != 2 or x.shape[0] != n_in:
        raise ValueError(
            f"threeb1b.{where}: x has shape {x.shape}, but W1 takes {n_in} inputs; pass images "
            f"as columns, shape ({n_in}, m): x.T for rows, x.reshape(-1, 1) for one image"
        )
    if y.shape != (n_out, x.shape[1]):
        raise ValueError(
            f"threeb1b.{where}: y has shape {y.shape}, expected ({n_out}, {x.shape[1]}): "
            "one one-hot column per column of x"
        )


def cost(params, x, y):
    """C = (1/m) Σₖ Σⱼ (aⱼ⁽ᴸ⁾ − yⱼ)², the squared error summed over outputs, averaged over columns.

    >>> params = init_params(np.random.default_rng(0))
    >>> params["W3"][:] = 0  # every output σ(0) = 0.5
    >>> cost(params, np.zeros((784, 1)), np.eye(10)[:, [7]])  # 9·0.25 + 0.25
    2.5
    """
    _check_batch("cost", params, x, y)
    return float(np.sum((feedforward(params, x) - y) ** 2) / x.shape[1])


def backprop(params, x, y):
    """∂C/∂W⁽ˡ⁾, ∂C/∂b⁽ˡ⁾ and ∂C/∂z⁽ˡ⁾ for every layer, for the cost averaged over the m columns.

    Keys W1, b1, …, W3, b3 (shaped like the parameters) and z1, z2, z3 (shape (nˡ, m)).

    >>> rng = np.random.default_rng(0)
    >>> params = init_params(rng)
    >>> grads = backprop(params, rng.random((784, 5)), np.eye(10)[:, [3, 1, 4, 1, 5]])
    >>> sorted(grads)
    ['W1', 'W2', 'W3', 'b1', 'b2', 'b3', 'z1', 'z2', 'z3']
    >>> grads["W1"].shape, grads["b1"].shape, grads["z1"].shape
    ((16, 784), (16, 1), (16, 5))
    """
    _check_batch("backprop", params, x, y)
    L, m = _last_layer(params), x.shape[1]
    a, z = {0: x}, {}
    for l in range(1, L + 1):
        z[l] = params[f"W{l}"] @ a[l - 1] + params[f"b{l}"]  # z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾
        a[l] = sigmoid(z[l])  # a⁽ˡ⁾ = σ(z⁽ˡ⁾)
    dC_da = 2 * (a[L] - y) / m  # ∂C/∂a⁽ᴸ⁾ = 2(a⁽ᴸ⁾ − y), each of the m examples weighing 1/m
    grads = {}
    for l in range(L, 0, -1):
        # BP1 at l = L, BP2 below it: ∂C/∂z⁽ˡ⁾ = σ'(z⁽ˡ⁾) ⊙ ∂C/∂a⁽ˡ⁾, with σ'(z⁽ˡ⁾) = a⁽ˡ⁾(1 − a⁽ˡ⁾)
        delta = a[l] * (1 - a[l]) * dC_da
        grads[f"z{l}"] = delta
        grads[f"W{l}"] = delta @ a[l - 1].T  # BP4: ∂C/∂w⁽ˡ⁾ⱼₖ = a⁽ˡ⁻¹⁾ₖ σ'(z⁽ˡ⁾ⱼ) ∂C/∂a⁽ˡ⁾ⱼ
        grads[f"b{l}"] = delta.sum(axis=1, keepdims=True)  # BP3: ∂C/∂b⁽ˡ⁾ = σ'(z⁽ˡ⁾) ∂C/∂a⁽ˡ⁾
        dC_da = params[f"W{l}"].T @ delta  # BP2's sum: ∂C/∂a⁽ˡ⁻¹⁾ₖ = Σⱼ w⁽ˡ⁾ⱼₖ ∂C/∂z⁽ˡ⁾ⱼ
    return grads
