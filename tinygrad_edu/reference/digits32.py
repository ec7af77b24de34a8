"""The 1024-16-16-10 sigmoid network of seed 003, a pure-numpy tutorial on 32×32 digit bitmaps.

Column vectors and the seed's numbering: X = a⁽⁰⁾ is the bitmap as a (1024, 1) column (a batch is m
columns), z⁽ˡ⁾ = W⁽ˡ⁾a⁽ˡ⁻¹⁾ + b⁽ˡ⁾ with W1 (16, 1024), W2 (16, 16), W3 (10, 16) and column biases,
and ŷ = a⁽³⁾. The loss is the seed's ½Σ(ŷ − y)² per sample, averaged over the batch.
"""

import numpy as np


def S(z):
    """The seed's Sigmod: S(z) = 1 / (1 + e⁻ᶻ), elementwise; S'(z) = S(z)(1 − S(z))."""
    return 0.5 * (1 + np.tanh(0.5 * z))  # the same S, without overflow in exp


def init_params(rng, sizes=(1024, 16, 16, 10)):
    """Every weight and bias drawn from N(0, 1), as the seed does, keyed W1, b1, W2, b2, W3, b3.

    The seed found that all-zero or all-one initial values do not learn: every hidden unit of a
    layer then gets the same gradient and they stay equal.

    >>> params = init_params(np.random.default_rng(0))
    >>> for name, p in params.items():
    ...     print(name, p.shape)
    W1 (16, 1024)
    b1 (16, 1)
    W2 (16, 16)
    b2 (16, 1)
    W3 (10, 16)
    b3 (10, 1)
    """
    if len(sizes) != 4:
        raise ValueError(
            f"digits32.init_params: sizes {sizes} must name 4 layers, as 1024-16-16-10"
        )
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.standard_normal((n_out, n_in))
        params[f"b{l}"] = rng.standard_normal((n_out, 1))
    return params


def _check_batch(where, params, X, y):
    n_in, n_out = params["W1"].shape[1], params["W3"].shape[0]
    if X.ndim != 2 or X.shape[0] != n_in:
        raise ValueError(
            f"digits32.{where}: X has shape {X.shape}, but W1 takes {n_in} inputs; pass bitmaps "
            f"as columns, shape ({n_in}, m): X.T for rows, X.reshape(-1, 1) for one bitmap"
        )
    if y.shape != (n_out, X.shape[1]):
        raise ValueError(
            f"digits32.{where}: y has shape {y.shape}, expected ({n_out}, {X.shape[1]}): "
            "one one-hot column per column of X"
        )


def forward(params, X):
    """ŷ = S(W3 S(W2 S(W1 X + b1) + b2) + b3) for the columns of X.

    >>> forward(init_params(np.random.default_rng(0)), np.zeros((1024, 1))).shape
    (10, 1)
    """
    a1 = S(params["W1"] @ X + params["b1"])
    a2 = S(params["W2"] @ a1 + params["b2"])
    return S(params["W3"] @ a2 + params["b3"])


def loss(params, X, y):
    """Loss = (1/m) Σ ½Σ(ŷ − y)² over the m columns: the seed's SquareErrorSum when m = 1.

    >>> params = init_params(np.random.default_rng(0))
    >>> params["W3"][:], params["b3"][:] = 0, 0  # ŷ = S(0) = 0.5 everywhere
    >>> loss(params, np.zeros((1024, 1)), np.eye(10)[:, [4]])  # ½(9·0.25 + 0.25)
    1.25
    """
    _check_batch("loss", params, X, y)
    return float(0.5 * np.sum((forward(params, X) - y) ** 2) / X.shape[1])


def backprop(params, X, y):
    """∂Loss/∂W⁽ˡ⁾, ∂Loss/∂b⁽ˡ⁾ and δ⁽ˡ⁾ = ∂Loss/∂z⁽ˡ⁾ for l = 1, 2, 3, over the m columns of X.

    Keys W1, b1, W2, b2, W3, b3 (shaped like the parameters) and z1, z2, z3 (shape (nˡ, m)).
    With m = 1 these are exactly the seed's dW1, d1, delta1, ….

    >>> rng = np.random.default_rng(0)
    >>> params = init_params(rng)
    >>> X, y = (rng.random((1024, 4)) < 0.3) * 1.0, np.eye(10)[:, [0, 9, 2, 7]]
    >>> grads = backprop(params, X, y)
    >>> list(grads)
    ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'z1', 'z2', 'z3']
    >>> grads["W1"].shape, grads["b3"].shape, grads["z3"].shape
    ((16, 1024), (10, 1), (10, 4))
    """
    _check_batch("backprop", params, X, y)
    W1, b1, W2, b2, W3, b3 = (params[name] for name in ("W1", "b1", "W2", "b2", "W3", "b3"))
    m = X.shape[1]
    z1 = W1 @ X + b1  # z⁽¹⁾ = W⁽¹⁾a⁽⁰⁾ + b⁽¹⁾, a⁽⁰⁾ = X
    a1 = S(z1)
    z2 = W2 @ a1 + b2  # z⁽²⁾ = W⁽²⁾a⁽¹⁾ + b⁽²⁾
    a2 = S(z2)
    # z⁽³⁾ = W⁽³⁾a⁽²⁾ + b⁽³⁾. The seed's derivation writes W⁽²⁾ here, a typo: its code uses W3
    z3 = W3 @ a2 + b3
    y_hat = S(z3)

    # S'(z⁽ˡ⁾) = a⁽ˡ⁾(1 − a⁽ˡ⁾); ∂Loss/∂ŷ = (ŷ − y)/m, each of the m samples weighing 1/m
    delta3 = (y_hat - y) / m * y_hat * (1 - y_hat)  # BP1: δ⁽³⁾ = ∂Loss/∂ŷ ⊙ S'(z⁽³⁾)
    delta2 = (W3.T @ delta3) * a2 * (1 - a2)  # BP2: δ⁽²⁾ = ((W⁽³⁾)ᵀδ⁽³⁾) ⊙ S'(z⁽²⁾)
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)  # BP2: δ⁽¹⁾ = ((W⁽²⁾)ᵀδ⁽²⁾) ⊙ S'(z⁽¹⁾)
    return {  # the products and sums below add up the m samples' BP3 and BP4
        "W1": delta1 @ X.T,  # BP4: ∂Loss/∂W⁽¹⁾ = δ⁽¹⁾(a⁽⁰⁾)ᵀ
        "b1": delta1.sum(axis=1, keepdims=True),  # BP3: ∂Loss/∂b⁽¹⁾ = δ⁽¹⁾
        "W2": delta2 @ a1.T,  # BP4: ∂Loss/∂W⁽²⁾ = δ⁽²⁾(a⁽¹⁾)ᵀ
        "b2": delta2.sum(axis=1, keepdims=True),  # BP3: ∂Loss/∂b⁽²⁾ = δ⁽²⁾
        "W3": delta3 @ a2.T,  # BP4: ∂Loss/∂W⁽³⁾ = δ⁽³⁾(a⁽²⁾)ᵀ
        "b3": delta3.sum(axis=1, keepdims=True),  # BP3: ∂Loss/∂b⁽³⁾ = δ⁽³⁾
        "z1": delta1,
        "z2": delta2,
        "z3": delta3,
    }
