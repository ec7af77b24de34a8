"""The book check: when the learner's gradients are not those of its cost but follow a rule a
textbook teaches (Rashid's hidden error whoᵀ·(t − o) without the output σ′, the cross-entropy's
δᴸ = a − y kept with the quadratic cost) or a slip as common (σ′ taken at a instead of z, a − y
with y the digit instead of its one-hot vector, a square W left untransposed in BP2), say so,
naming the term.

The textbook rules are written here once, in numpy, as the books write backprop (rows, one δ per
layer), each a small change to the exact rule; a test holds the exact rule to autograd. It imports
the oracle and calls.
"""

from collections.abc import Mapping

import numpy as np

from .calls import function, line_like, raised, skipped, where
from .learner import drawn
from .oracle import rel_error, tolerance
from .report import CheckResult
from .verify import DEFAULT_BATCH

VARIANTS = ("exact", "rashid", "sigma_prime_of_a", "sigma_prime_of_a_output",
            "output_delta_without_sigma_prime", "labels_not_one_hot", "untransposed_W")
SLIPS = ("sigma_prime_of_a", "sigma_prime_of_a_output", "labels_not_one_hot",  # not rules
         "untransposed_W")
VARIANT_WORDS = {  # each rule in a few words, for other checks to point here
    "rashid": "Rashid's hidden error, which drops the output layer's σ′",
    "sigma_prime_of_a": "σ′ taken at the activations a instead of at z",
    "sigma_prime_of_a_output": "the output δ with σ′ taken at a instead of at z",
    "output_delta_without_sigma_prime": "the cross-entropy's output δ = a − y with another cost",
    "labels_not_one_hot": "an output δ = a − y with y the digit, not its one-hot vector",
    "untransposed_W": "a hidden error W·δ, where BP2 has Wᵀ·δ (the layer is square, so it runs)",
}


def _act(name, z, leak=0.01):
    if name == "leaky_relu":  # z where z > 0, else leak·z
        return np.where(z > 0, z, leak * z)
    if name == "sigmoid":
        return 0.5 * (1 + np.tanh(0.5 * z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    return z


def _prime(name, z, leak=0.01):
    """f′(z) for an elementwise activation."""
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, leak)
    if name == "sigmoid":
        s = _act("sigmoid", z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(z.dtype)
    return np.ones_like(z)


def textbook_grads(oracle, arrays, X, Y, variant="exact", reduction=None):
    """{name: gradient} by the books' δ rules on rows X, Y, changed as variant says; None when
    the variant does not apply to this network (σ′ of a softmax output, say)."""
    layers, out_act = oracle.layers, oracle.output_activation
    if variant not in VARIANTS:
        raise ValueError(f"textbook_grads: unknown variant {variant!r}; one of {VARIANTS}")
    Ws = [arrays[L.W] if L.orientation == "xW" else arrays[L.W].T for L in layers]
    a, zs = [np.asarray(X, np.float64)], []
    for k, L in enumerate(layers):
        z = a[-1] @ Ws[k]
        if L.b is not None:
            z = z + np.reshape(arrays[L.b], (1, -1))
        zs.append(z)
        a.append(_act(oracle.activation if k < len(layers) - 1 else out_act, z, oracle.leak))
    Y = np.asarray(Y, np.float64)
    if variant == "labels_not_one_hot":  # a − y with y the (m,) labels broadcast over a row
        Y = np.repeat(Y.argmax(axis=1)[:, None], Y.shape[1], axis=1).astype(np.float64)
    cost, dC_da = oracle.cost, None
    if cost in ("quadratic", "squared_error"):
        if out_act == "softmax":
            return None  # its Jacobian is not diagonal: no textbook δᴸ = ∇ₐC ⊙ σ′(z)
        dC_da = (a[-1] - Y) * (2.0 if cost == "squared_error" else 1.0)
        at = a[-1] if variant in ("sigma_prime_of_a", "sigma_prime_of_a_output") else zs[-1]
        delta = dC_da * _prime(out_act, at)
        if variant == "output_delta_without_sigma_prime":
            if out_act == "identity":
                return None
            delta = dC_da
    else:
        if variant in ("sigma_prime_of_a_output", "output_delta_without_sigma_prime"):
            return None
        delta = a[-1] - Y if cost == "sigmoid_cross_entropy" else _act("softmax", zs[-1]) - Y
    if (reduction or oracle.reduction) == "mean":
        delta = delta / len(X)
    elif (reduction or oracle.reduction) == "entries":  # np.mean over every output too
        delta = delta / np.size(Y)
    elif (reduction or oracle.reduction) == "outputs":  # over each example's outputs
        delta = delta / Y.shape[1]
    if variant == "rashid" and (cost not in ("quadratic", "squared_error") or len(layers) < 2):
        return None
    if variant == "untransposed_W" and not any(W.shape[0] == W.shape[1] for W in Ws[1:]):
        return None  # no square layer: the exact rule
    grads = {}
    for k in range(len(layers) - 1, -1, -1):
        L = layers[k]
        dW = a[k].T @ delta
        grads[L.W] = dW if L.orientation == "xW" else dW.T
        if L.b is not None:
            grads[L.b] = delta.sum(axis=0).reshape(np.shape(arrays[L.b]))
        if k == 0:
            break
        error = delta @ Ws[k].T
        if variant == "untransposed_W" and Ws[k].shape[0] == Ws[k].shape[1]:
            error = delta @ Ws[k]  # W·δ for Wᵀ·δ: only a square W lets numpy run it
        if variant == "rashid" and k == len(layers) - 1:
            scale = {"mean": 1 / len(X), "entries": 1 / np.size(Y),
                     "outputs": 1 / Y.shape[1]}.get(
                reduction or oracle.reduction, 1.0)
            error = scale * dC_da @ Ws[k].T
        at = a[k] if variant == "sigma_prime_of_a" else zs[k - 1]
        delta = error * _prime(oracle.activation, at, oracle.leak)
    return grads


def _message(variant, oracle):
    last, out = oracle.layers[-1], oracle.output_activation
    W = last.W
    sig = {"sigmoid": "σ′(z) = a(1 − a)", "tanh": "tanh′(z) = 1 − a²",
           "relu": "relu′(z) = [z > 0]", "leaky_relu": f"leaky′(z) = 1 for z > 0, else "
           f"{oracle.leak:.3g}"}.get(oracle.activation, "f′(z)")
    if variant == "rashid":
        term = f"{W}.T @ (t − o)" if last.orientation == "Wa" else f"(t − o) @ {W}.T"
        fixed = f"{W}.T @ ((t − o) * o * (1 − o))" if last.orientation == "Wa" else \
            f"((t − o) * o * (1 − o)) @ {W}.T"
        below = ", ".join(L.W for L in oracle.layers[:-1])
        return (f"your hidden-layer error uses {term} without the output layer's "
                "σ′(z) = o(1 − o); that is the book's rule (Rashid's Make Your Own Neural "
                "Network), not the gradient of its cost",
                [f"so {below} {'move' if len(oracle.layers) > 2 else 'moves'} by the book's "
                 "rule, not down the gradient; the gradient of the cost back-propagates the "
                 f"output δ: hidden error = {fixed}", "the book's rule still learns, but it is "
                 "not gradient descent on the cost, so a gradient check calls it wrong"])
    if variant == "sigma_prime_of_a":
        return (f"your σ′ is taken at the activations a, σ′(a), instead of at z: every layer's δ "
                f"uses σ′(σ(z)); with a = σ(z) already computed, use {sig}",
                ["a common slip when sigmoid_prime(x) = σ(x)(1 − σ(x)) is called with the "
                 "layer's output rather than its weighted input"])
    if variant == "sigma_prime_of_a_output":
        return ("your output δ takes σ′ at the output a instead of at z: σ′(a) = σ(a)(1 − σ(a)) "
                "where the rule is σ′(z) = a(1 − a) (BP1: δᴸ = ∇ₐC ⊙ σ′(zᴸ))", [])
    if variant == "output_delta_without_sigma_prime":
        return (f"your output error δᴸ = a − y is the cross-entropy cost's; with the "
                f"{oracle.cost.replace('_', ' ')} cost and a {out} output it is "
                f"(a − y) ⊙ σ′(zᴸ) (BP1)",
                ["Nielsen's network2.py drops σ′ because its cost is the cross-entropy: "
                 "keep the two together (switch the cost, or multiply by a(1 − a))"])
    if variant == "untransposed_W":
        square = ", ".join(L.W for L in oracle.layers[1:] if L.n_in == L.n_out)
        return (f"your hidden error multiplies δ by {square or 'a square W'} itself where BP2 "
                "has its transpose: δˡ = ((Wˡ⁺¹)ᵀ·δˡ⁺¹) ⊙ σ′(zˡ); the layer is square, so numpy "
                "multiplies without an error",
                ["write the transpose: np.dot(w.transpose(), delta) (or delta @ W.T for examples "
                 "as rows)"])
    if variant == "labels_not_one_hot":
        return ("your output δ subtracts the labels as numbers: a − y with y the digit (3), "
                "not its one-hot vector (0, 0, 0, 1, 0, …); numpy broadcasts the m labels "
                "over each example's outputs without an error",
                ["one-hot encode the targets before the backward pass: Y = np.eye(10)[labels] "
                 "(.T for examples as columns)"])
    return ("", [])


def rule(got, oracle, X, Y):
    """The textbook variant (a name in VARIANTS other than "exact") the gradients got follow
    on X, Y, or None when they follow none, or the exact gradient."""
    arrays = oracle.arrays()
    tol = tolerance(oracle.dtype) * 10
    other = "sum" if oracle.reduction == "mean" else "mean"  # read from gradients that are
    for reduction in (oracle.reduction, other):  # not the cost's, it may be the other one
        exact = textbook_grads(oracle, arrays, X, Y, "exact", reduction)
        for variant in VARIANTS[1:]:
            grads = textbook_grads(oracle, arrays, X, Y, variant, reduction)
            if grads is None or all(rel_error(grads[n], exact[n]) <= tol for n in grads):
                continue  # not a variant on this network (σ′(a) of a relu is σ′(z))
            if all(got.get(n) is not None for n in grads) and \
                    max(rel_error(got[n], grads[n]) for n in grads) <= tol:
                return variant
    return None


def weight_decay(learner, got, expected, params, tol):
    """λ when the learner's gradients are autograd's plus λ·W for every weight matrix W (one λ
    with 0 < |λ| < 1 for all) and autograd's exactly for everything else: L2 weight decay, the
    cost C + ½λ Σ‖W‖² (Deep Learning from Scratch's weight_decay_lambda), or with λ < 0 that
    term subtracted; else None."""
    weights = [p.name for p in learner.params if p.role == "W"]
    others = [n for n in expected if n not in weights]
    if not weights or any(not isinstance(got.get(n), np.ndarray) or
                          got[n].shape != expected[n].shape for n in expected):
        return None
    if any(rel_error(got[n], expected[n]) > tol for n in others):
        return None
    excess = np.concatenate([np.ravel(got[n] - expected[n]) for n in weights])
    W = np.concatenate([np.ravel(params[n]) for n in weights])
    if not W @ W:
        return None
    lam = float(excess @ W / (W @ W))
    if not 0 < abs(lam) < 1 or any(rel_error(got[n], expected[n] + lam * params[n]) > tol
                                   for n in weights):  # + W itself is a slip, not a decay
        return None
    return lam  # < 0: the decay term with the wrong sign, for the gradients check to say


def run(learner, data, oracle):
    """Hold the learner's gradients to the exact rule and to the textbook variants."""
    if learner.grads is None:
        return skipped("book", f"{learner.name} offers no gradients to compare with the "
                       "textbook rules")
    batch = data.train.take(slice(0, DEFAULT_BATCH))
    place = where(learner, "backprop")
    name = function(learner, "backprop", "the backprop")
    before = learner.snapshot()
    try:
        got = learner.grads(batch.X, batch.Y)
    except Exception as e:
        return raised("book", e, learner, "backprop")
    if any(not np.array_equal(a, before[n]) for n, a in learner.snapshot().items()):
        learner.restore(before)
        return skipped("book", f"{name} changes the parameters it differentiates (see "
                       "gradients)")
    if not isinstance(got, Mapping):
        return skipped("book", f"{name} gave no gradients by name (see gradients)")
    exact = oracle.gradients(batch.X, batch.Y)
    if all(got.get(n) is not None for n in exact) and \
            max(rel_error(got[n], exact[n]) for n in exact) <= tolerance(oracle.dtype) * 10:
        return CheckResult("book", "ok", f"{name} follows the gradient of the cost "
                           f"({oracle.describe()})", where=place)
    decay = weight_decay(learner, got, exact, before, tolerance(oracle.dtype) * 10)
    if decay is not None and decay > 0:
        return CheckResult("book", "ok", f"{name} follows the gradient of the cost "
                           f"({oracle.describe()}) with ½λ‖W‖² added (L2 weight decay, λ = "
                           f"{decay:.4g})", where=place, data={"weight_decay": decay})
    variant = rule(got, oracle, batch.X, batch.Y)
    if variant is not None:
        summary, details = _message(variant, oracle)
        return CheckResult("book", "wrong", summary, details=details,
                           where=line_like(learner, "backprop", variant) or place,
                           data={"rule": variant})
    if drawn(learner, batch.X, batch.Y, got, list(exact)):
        return skipped("book", f"{name}'s gradients draw random numbers (dropout?), which no "
                       "textbook rule of the network without them explains: see gradients")
    return skipped("book", f"{name}'s gradients differ from autograd's in a way no textbook "
                   "rule explains: the gradients check says where")
