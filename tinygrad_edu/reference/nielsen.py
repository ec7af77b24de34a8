"""Michael Nielsen's *Neural Networks and Deep Learning* (network.py, network2.py), by hand.

Column vectors as in the book: one input x is a (784, 1) column and a batch is m columns side by
side. The input is layer 1, so the parameters are W2, b2, …, WL, bL with Wˡ shaped (nˡ, nˡ⁻¹) and
bˡ shaped (nˡ, 1); backprop runs example by example, as the book does, with BP1–BP4.
"""

import numpy as np

COSTS = ("quadratic", "cross_entropy")


def sigmoid(z):
    """σ(z) = 1 / (1 + e⁻ᶻ), elementwise.

    >>> sigmoid(np.array([-800.0, 0.0, 800.0]))
    array([0. , 0.5, 1. ])
    """
    return 0.5 * (1 + np.tanh(0.5 * z))  # the same σ, without overflow in exp


def sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z)), the derivative of the sigmoid.

    >>> sigmoid_prime(np.array([0.0]))
    array([0.25])
    """
    return sigmoid(z) * (1 - sigmoid(z))


def _last_layer(params):
    return 1 + sum(1 for name in params if name.startswith("W"))  # layer 1 is the input


def init_params(sizes, rng, scheme="nielsen"):
    """Weights and biases for layer sizes such as [784, 30, 10], keyed W2, b2, …, WL, bL.

    scheme="nielsen" draws every weight from N(0, 1), as network.py does; "improved" draws Wˡ from
    N(0, 1/nˡ⁻¹), network2.py's default. Biases are N(0, 1) in both.

    >>> params = init_params([784, 30, 10], np.random.default_rng(0))
    >>> [(name, p.shape) for name, p in params.items()]
    [('W2', (30, 784)), ('b2', (30, 1)), ('W3', (10, 30)), ('b3', (10, 1))]
    """
    if scheme not in ("nielsen", "improved"):
        raise ValueError(f"init_params: unknown scheme {scheme!r}; use 'nielsen' or 'improved'")
    biases = [rng.standard_normal((n, 1)) for n in sizes[1:]]
    weights = [rng.standard_normal((n, n_in)) for n_in, n in zip(sizes[:-1], sizes[1:])]
    if scheme == "improved":
        weights = [W / np.sqrt(W.shape[1]) for W in weights]
    params = {}
    for l, (W, b) in enumerate(zip(weights, biases), start=2):
        params[f"W{l}"], params[f"b{l}"] = W, b
    return params


def feedforward(params, a):
    """Return the output aᴸ for the input a: one column, or m columns side by side.

    Without the final `return a` every prediction is None and accuracy never moves (seed 001).

    >>> params = {"W2": np.zeros((10, 784)), "b2": np.zeros((10, 1))}
    >>> feedforward(params, np.ones((784, 3))).shape
    (10, 3)
    """
    for l in range(2, _last_layer(params) + 1):
        a = sigmoid(params[f"W{l}"] @ a + params[f"b{l}"])  # aˡ = σ(Wˡaˡ⁻¹ + bˡ)
    return a


def _check_batch(where, params, x, y, cost):
    n_in, n_out = params["W2"].shape[1], params[f"W{_last_layer(params)}"].shape[0]
    if x.ndim != 2 or x.shape[0] != n_in:
        raise ValueError(
            f"nielsen.{where}: x has shape {x.shape}, but W2 takes {n_in} inputs; pass examples "
            f"as columns, shape ({n_in}, m): x.T for rows, x.reshape(-1, 1) for one example"
        )
    if y.shape != (n_out, x.shape[1]):
        raise ValueError(
            f"nielsen.{where}: y has shape {y.shape}, expected ({n_out}, {x.shape[1]}): "
            "one one-hot column per column of x"
        )
    if cost not in COSTS:
        raise ValueError(f"nielsen.{where}: unknown cost {cost!r}; use one of {COSTS}")


def cost(params, x, y, cost="quadratic"):
    """The cost averaged over the m columns of x: quadratic or network2's cross-entropy.

    quadratic:      C = (1/m) Σₓ ½‖aᴸ − y‖²
    cross_entropy:  C = (1/m) Σₓ Σⱼ −[yⱼ ln aⱼᴸ + (1 − yⱼ) ln(1 − aⱼᴸ)]

    >>> params = {"W2": np.zeros((10, 784)), "b2": np.zeros((10, 1))}
    >>> x, y = np.ones((784, 1)), np.eye(10)[:, [3]]
    >>> cost(params, x, y), round(cost(params, x, y, cost="cross_entropy"), 4)
    (1.25, 6.9315)
    """
    _check_batch("cost", params, x, y, cost)
    a = x
    for l in range(2, _last_layer(params) + 1):
        z = params[f"W{l}"] @ a + params[f"b{l}"]
        a = sigmoid(z)
    m = x.shape[1]
    if cost == "quadratic":
        return float(0.5 * np.sum((a - y) ** 2) / m)
    # -ln σ(z) = ln(1 + e⁻ᶻ) and -ln(1 − σ(z)) = ln(1 + eᶻ): the same cost, but a saturated
    # output gives a large finite number where the book needs np.nan_to_num around log(0)
    return float(np.sum(y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)) / m)


def backprop(params, x, y, cost="quadratic"):
    """∂C/∂Wˡ, ∂C/∂bˡ and δˡ = ∂C/∂zˡ for the cost averaged over the m columns of x.

    Keys W2, b2, …, WL, bL (shaped like the parameters) and z2, …, zL (shape (nˡ, m)). Column k of
    zˡ is example k's δˡ divided by m: the gradient of the batched zˡ = Wˡaˡ⁻¹ + bˡ.

    >>> rng = np.random.default_rng(0)
    >>> params = init_params([784, 30, 10], rng)
    >>> x, y = rng.random((784, 5)), np.eye(10)[:, [3, 1, 4, 1, 5]]
    >>> grads = backprop(params, x, y)
    >>> list(grads)
    ['W2', 'b2', 'W3', 'b3', 'z2', 'z3']
    >>> grads["W2"].shape, grads["z2"].shape
    ((30, 784), (30, 5))
    """
    _check_batch("backprop", params, x, y, cost)
    L, m = _last_layer(params), x.shape[1]
    nabla = {name: np.zeros_like(p) for name, p in params.items()}
    nabla.update({f"z{l}": np.zeros((params[f"b{l}"].shape[0], m)) for l in range(2, L + 1)})
    for k in range(m):  # one example at a time, as network.py's update_mini_batch does
        activation = x[:, [k]]
        activations, zs = {1: activation}, {}  # keyed by the book's layer number l
        for l in range(2, L + 1):
            zs[l] = params[f"W{l}"] @ activation + params[f"b{l}"]
            activation = activations[l] = sigmoid(zs[l])
        if cost == "quadratic":
            delta = (activations[L] - y[:, [k]]) * sigmoid_prime(zs[L])  # BP1: δᴸ = (aᴸ−y) ⊙ σ'(zᴸ)
        else:
            delta = activations[L] - y[:, [k]]  # BP1 for cross-entropy: σ'(zᴸ) cancels, δᴸ = aᴸ − y
        for l in range(L, 1, -1):
            if l < L:  # BP2: δˡ = ((Wˡ⁺¹)ᵀδˡ⁺¹) ⊙ σ'(zˡ)
                delta = (params[f"W{l + 1}"].T @ delta) * sigmoid_prime(zs[l])
            nabla[f"b{l}"] += delta  # BP3: ∂C/∂bˡ = δˡ
            nabla[f"W{l}"] += delta @ activations[l - 1].T  # BP4: ∂C/∂Wˡ = δˡ(aˡ⁻¹)ᵀ
            nabla[f"z{l}"][:, [k]] = delta
    # C is the mean over the batch, so every example counts 1/m: the book's η/m in the update
    return {name: g / m for name, g in nabla.items()}


def update_mini_batch(params, x, y, eta, lmbda=0.0, n=None, cost="quadratic"):
    """One gradient-descent step on the batch x, y; returns new parameters, changing none.

    Each weight becomes (1 − ηλ/n)w − (η/m)Σₓ∇Cₓ and each bias b − (η/m)Σₓ∇Cₓ, with n the size of
    the whole training set (network2.py): SGD with weight decay λ/n. lmbda=0 is network.py.

    >>> params = {"W2": np.ones((1, 1)), "b2": np.zeros((1, 1))}
    >>> x, y = np.zeros((1, 1)), np.full((1, 1), 0.5)  # a = σ(0) = y: a zero gradient
    >>> update_mini_batch(params, x, y, eta=0.5, lmbda=1.0, n=10)["W2"]
    array([[0.95]])
    """
    if lmbda and n is None:
        raise ValueError("update_mini_batch: lmbda > 0 needs n, the size of the training set")
    nabla = backprop(params, x, y, cost=cost)  # already (1/m)Σₓ∇Cₓ
    decay = 1 - eta * lmbda / n if lmbda else 1.0
    return {
        name: (decay * p if name.startswith("W") else p) - eta * nabla[name]
        for name, p in params.items()
    }
