"""Optimizers: SGD (with momentum, Nesterov and weight decay) and Adam, with PyTorch's formulas.

Imports ``tensor``, with ``ops``' cached numbers and ``autograd``'s count of layout changes.
An optimizer reads each parameter's ``.grad`` after backward() and updates ``.data`` in place
(``p.data -= ...``), which bumps the parameter's version, so a graph built before the step can no
longer be backpropagated by mistake. Each step reuses buffers allocated once, so an update costs
a few numpy calls per parameter and no new arrays; they are checked against the parameter's shape
and dtype only after some ``.data`` assignment changed one (``_Layout.changes``, as jit does).
"""

import math

import numpy as np

from .autograd import _Layout
from .ops import _number
from .tensor import Tensor


def _setting(opt, name, value, *, positive=False, below_one=False):
    """Check one hyper-parameter: a finite real number, > 0 (positive) or ≥ 0, < 1 (below_one).

    nan passes every comparison test (`nan <= 0` is False), so each bound is written as what the
    value must be, and a nan or inf learning rate is refused here instead of poisoning the weights.
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (value > 0 if positive else value >= 0)
    if ok and below_one:
        ok = value < 1
    if not ok:
        need = f"{name} > 0" if positive else f"{name} ≥ 0"
        need += " and < 1" if below_one else ""
        example = "lr=0.1" if name == "lr" else "betas=(0.9, 0.999)" if below_one else f"{name}=0"
        raise ValueError(f"{opt}: need {need} (a finite number), got {name}={value!r}; "
                         f"pass e.g. {example}")


class Optimizer:
    """What SGD and Adam share: parameter groups, zero_grad and the settings of each group.

    params is an iterable of Tensors (or a dict of them), or of dicts {"params": [...], ...}
    whose other keys override the optimizer's settings for that group, as in PyTorch:
    ``SGD([{"params": weights, "weight_decay": 5e-5}, {"params": biases}], lr=0.5)``.
    """

    def __init__(self, params, defaults):
        params = list(params.values() if isinstance(params, dict) else params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.param_groups, seen = [], {}
        for i, group in enumerate(groups):
            unknown = set(group) - set(defaults) - {"params"}
            if unknown:
                raise TypeError(f"{type(self).__name__}: parameter group {i} has unknown "
                                f"settings {sorted(unknown)}; known: {sorted(defaults)}")
            group = {**defaults, **group}
            self._check_settings(group)
            ps = group["params"]
            group["params"] = list(ps.values() if isinstance(ps, dict) else ps)
            for p in group["params"]:
                if not isinstance(p, Tensor) or not p.requires_grad:
                    raise TypeError(f"{type(self).__name__}: parameters must be Tensors with "
                                    f"requires_grad=True, got {p!r:.60}")
                if id(p) in seen:  # it would be stepped twice per step(), at twice the rate
                    raise ValueError(
                        f"{type(self).__name__}: parameter {p.name or repr(p)[:60]} appears "
                        f"twice in the parameter list (as #{seen[id(p)]} and #{len(seen)}); "
                        "pass each parameter once, e.g. list({id(p): p for p in params}.values())"
                    )
                seen[id(p)] = len(seen)
            self.param_groups.append(group)
        self.state = {}  # id(p) -> that parameter's buffers

    def _check_settings(self, group):
        """Raise ValueError for a setting of group that is not a finite number in range."""

    def zero_grad(self):
        """Forget the gradients, so the next backward() starts from zero."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def _buffers(self, p, fresh):
        """p's buffers: those of its last update, or new ones, d (the update's scratch array)
        and fresh(p)'s, when it has none yet or p.data was given another shape or dtype since
        (W.data = W.data.astype(np.float64)). Shapes are compared only when some .data
        assignment has changed a shape or dtype since the last look (_Layout.changes, as jit
        does): every step comes here."""
        st = self.state.get(id(p))
        if st is None or st["layout"] != _Layout.changes:
            if st is None or st["d"].shape != p._data.shape or st["d"].dtype != p._data.dtype:
                st = self.state[id(p)] = {"d": np.empty_like(p._data), **fresh(p)}
            st["layout"] = _Layout.changes
        return st

    def _grads(self, group):
        """[(p, g)] for every parameter of group that received a gradient (a list: a generator
        costs more than the update of a small bias)."""
        found = []
        for p in group["params"]:
            grad = p.grad
            if grad is not None:
                g = grad._data
                if g.shape != p._data.shape:
                    raise ValueError(f"{type(self).__name__}.step: {p.name or 'a parameter'} "
                                     f"has shape {p.shape} but its grad has {g.shape}")
                found.append((p, g))
        return found


def _velocity(p):
    """SGD's buffer of p beside d: the momentum's velocity, made at its first use."""
    return {"v": None}


def _moments(p):
    """Adam's buffers of p beside d: the step count and the two moments."""
    return {"t": 0, "m": np.zeros_like(p._data), "v": np.zeros_like(p._data)}


class SGD(Optimizer):
    """Stochastic gradient descent: p ← p − lr·g, with PyTorch's momentum and weight decay.

    g = ∇C + weight_decay·p;  with momentum μ: v ← μ·v + g (v = g on the first step), and
    g = v, or g + μ·v with nesterov.  Nielsen's L2 update w ← (1 − ηλ/n)w − η∇C is
    SGD(lr=η, weight_decay=λ/n) on the weights.

    >>> W = Tensor([1.0, 2.0], requires_grad=True)
    >>> (W * W).sum().backward()
    >>> SGD([W], lr=0.1).step()
    >>> W.data
    array([0.8, 1.6])
    """

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        if nesterov and momentum == 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov,
                                      weight_decay=weight_decay))

    def _check_settings(self, group):
        _setting("SGD", "lr", group["lr"], positive=True)
        _setting("SGD", "momentum", group["momentum"])
        _setting("SGD", "weight_decay", group["weight_decay"])

    def step(self):
        """Update every parameter that has a gradient."""
        state = self.state
        for group in self.param_groups:
            lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
            dtype = scale = None
            for p, g in self._grads(group):
                st = state.get(id(p))  # _buffers()'s first look, written out: a call per
                if st is None or st["layout"] != _Layout.changes:  # parameter and step costs
                    st = self._buffers(p, _velocity)
                d = st["d"]
                if not wd and not mu:  # plain SGD, Nielsen's and DLFS's: one scaled subtract
                    if g.dtype is not dtype:  # lr in g's dtype, as g * lr: once per dtype
                        dtype, scale = g.dtype, _number(lr, g)
                    np.multiply(g, scale, out=d)
                    p._subtract(d)
                    continue
                np.multiply(p.data, wd, out=d)
                d += g  # d = ∇C + weight_decay·p
                if mu:
                    if st["v"] is None:
                        st["v"] = d.copy()
                    else:
                        st["v"] *= mu
                        st["v"] += d
                    if group["nesterov"]:
                        d += mu * st["v"]
                    else:
                        d[...] = st["v"]
                d *= lr
                p._subtract(d)


class Adam(Optimizer):
    """Adam (Kingma & Ba) as PyTorch writes it, with L2 weight decay added to the gradient.

    m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;
    p ← p − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + eps)

    >>> W = Tensor([1.0, -1.0], requires_grad=True)
    >>> W.grad = Tensor([0.5, -2.0])
    >>> Adam([W], lr=0.1).step()  # the first step moves each weight by lr against its gradient
    >>> W.data.round(6)
    array([ 0.9, -0.9])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _check_settings(self, group):
        _setting("Adam", "lr", group["lr"], positive=True)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (β1, β2), got {betas!r}; "
                             "pass e.g. betas=(0.9, 0.999)")
        _setting("Adam", "betas[0]", betas[0], below_one=True)
        _setting("Adam", "betas[1]", betas[1], below_one=True)
        group["betas"] = tuple(betas)
        _setting("Adam", "eps", group["eps"])
        _setting("Adam", "weight_decay", group["weight_decay"])

    def step(self):
        """Update every parameter that has a gradient."""
        for group in self.param_groups:
            (b1, b2), eps, wd = group["betas"], group["eps"], group["weight_decay"]
            for p, g in self._grads(group):
                st = self._buffers(p, _moments)
                st["t"] += 1
                m, v, d, t = st["m"], st["v"], st["d"], st["t"]
                if wd:
                    if "g" not in st:
                        st["g"] = np.empty_like(p.data)
                    g = np.add(g, np.multiply(p.data, wd, out=st["g"]), out=st["g"])
                m *= b1
                m += np.multiply(g, 1 - b1, out=d)
                v *= b2
                np.multiply(g, g, out=d)
                d *= 1 - b2
                v += d
                # d = lr·m̂ / (√v̂ + eps), with the bias corrections folded into two scalars
                np.sqrt(v, out=d)
                d *= 1 / np.sqrt(1 - b2**t)
                d += eps
                np.divide(m, d, out=d)
                d *= group["lr"] / (1 - b1**t)
                p._subtract(d)
