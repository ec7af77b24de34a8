"""Every primitive operation: its forward in numpy and, right below it, its derivative.

This module knows numpy and nothing else. The autograd engine records primitives on the tape and
calls their VJPs in reverse; `tensor.py` gives each one a Tensor method.

The VJP contract. ``vjp(dout, out, *inputs, **params)`` receives ∂C/∂out (``dout``), the forward's
output ``out`` and the forward's own inputs and settings, and returns one gradient per input
(``None`` where there is none). A VJP that declares a ``needs`` keyword also gets one bool per
input, true when that input requires grad, so it can skip work (``x @ W1``'s ∂C/∂x). It returns
each gradient in the shape it naturally computes: the backward loop undoes broadcasting for every
input in one place (``autograd.unbroadcast``). A VJP never changes its arguments, and is written
only with what numpy arrays and Tensors share (operators, ``@``, ``.T``, ``.sum(axis=,
keepdims=)``, ``.reshape``, and the primitives below), so the same code computes numbers in a plain
backward and records a new graph under ``create_graph=True``. Masks (``x > 0``, ties) are read with
``np.asarray``: they are constants.
"""

import builtins
import inspect

import numpy as np

PRIMITIVES = {}
_ndarray = np.ndarray


class Primitive:
    """One operation: a numpy forward, its VJP, and the derivative written as text for explain()."""

    def __init__(self, forward, formula, symbol=None, grad_text=()):
        self.name = forward.__name__
        self.forward = forward
        self.formula = formula
        # explain()'s templates, one per input: {dout}, {out}, {x}, {y}, {xT}, {yT} and the
        # op's settings are filled in with the tensors' names (None: no gradient for that input)
        self.grad_text = grad_text
        self.symbol = symbol  # infix operator for expressions in messages, e.g. "@"
        self.vjp_fn = None
        self.wants_needs = False

    def vjp(self, fn):
        """Register fn as this primitive's VJP (used as a decorator)."""
        self.vjp_fn = fn
        self.wants_needs = "needs" in inspect.signature(fn).parameters
        return fn

    def __call__(self, *args, **params):
        """Run on arrays, or record on the tape when any argument is a Tensor (inside a VJP)."""
        for a in args:
            if a.__class__ is not _ndarray:  # a plain backward's arrays skip the lookup
                apply = getattr(type(a), "apply_op", None)
                if apply is not None:
                    return apply(self, *args, **params)
        return self.forward(*args, **params)

    def __repr__(self):
        return f"<primitive {self.name}: {self.formula}>"


def primitive(formula, symbol=None, grad_text=()):
    """Declare a forward function as a primitive with its derivative formula as text."""

    def declare(forward):
        p = Primitive(forward, formula, symbol, grad_text)
        PRIMITIVES[p.name] = p
        return p

    return declare


_NUMBERS = {}


def _number(value, like):
    """value as a read-only 0-d array of like's dtype when value is a Python number and like a
    float array (made once per dtype), else value itself.

    numpy combines an array with a 0-d array of its own dtype in half the time it takes with a
    Python number, and the numbers are the same: numpy (2 and later, NEP 50) converts a Python
    number to the array's dtype either way. Not so for an integer array (a Python float makes it
    float64) or a numpy number (np.float64(0.1) makes float32 arrays float64), so those are left
    as they are; and not for 0 (-0.0 and 0.0 would share an entry).
    """
    if value.__class__ is not float and value.__class__ is not int or not value:
        return value
    dtype = getattr(like, "dtype", None)
    c = _NUMBERS.get((value, dtype))
    if c is None:
        if dtype is None or dtype.kind != "f":
            return value
        if len(_NUMBERS) > 256:  # a learning-rate schedule may pass a new value every step
            _NUMBERS.clear()
        c = _NUMBERS[value, dtype] = np.array(value, dtype)
        c.flags.writeable = False
    return c


def _cast(mask, like):
    """A 0/1 (or 0/½/1) constant in like's dtype, so float32 stays float32."""
    return np.asarray(mask).astype(like.dtype, copy=False)


def _shapes_error(name, *arrays):
    shapes = [np.shape(a) for a in arrays]
    hint = "reshape one of them"
    vec = next((s for s in shapes if len(s) == 1), None)
    other = next((s for s in shapes if len(s) == 2), None)
    if vec and other and other[0] == vec[0]:  # a bias vector for column-vector activations
        hint = "for column vectors make the bias a column: b.reshape(-1, 1)"
    return ValueError(
        f"{name}: shapes {' and '.join(map(str, shapes))} do not broadcast together; trailing "
        f"dimensions must be equal or 1 ({hint})"
    )


def _broadcast(name, x, y):
    try:
        np.broadcast_shapes(np.shape(x), np.shape(y))
    except ValueError:
        raise _shapes_error(name, x, y) from None


# ----- elementwise arithmetic -------------------------------------------------------------------

@primitive("∂C/∂x = dout;  ∂C/∂y = dout", symbol="+",
           grad_text=("{dout}", "{dout}"))
def add(x, y):
    return x + y


@add.vjp
def add_vjp(dout, out, x, y):
    return dout, dout


@primitive("∂C/∂x = dout;  ∂C/∂y = −dout", symbol="-",
           grad_text=("{dout}", "−{dout}"))
def sub(x, y):
    return x - y


@sub.vjp
def sub_vjp(dout, out, x, y, *, needs):
    return dout, (-dout if needs[1] else None)  # a3 − y of a cost: the labels need no −dout


@primitive("∂C/∂x = dout ⊙ y;  ∂C/∂y = dout ⊙ x", symbol="*",
           grad_text=("{dout} ⊙ {y}", "{dout} ⊙ {x}"))
def mul(x, y):
    return x * y


@mul.vjp
def mul_vjp(dout, out, x, y, *, needs):
    return (dout * y if needs[0] else None), (dout * x if needs[1] else None)


@primitive("∂C/∂x = dout / y;  ∂C/∂y = −dout ⊙ x / y²", symbol="/",
           grad_text=("{dout} / {y}", "−{dout} ⊙ {x} / {y}²"))
def div(x, y):
    return x / y


@div.vjp
def div_vjp(dout, out, x, y, *, needs):
    dx = dout / y
    return dx, (-dx * out if needs[1] else None)


@primitive("∂C/∂x = dout ⊙ y·x^(y−1);  ∂C/∂y = dout ⊙ xʸ·ln x", symbol="**",
           grad_text=("{dout} ⊙ {y}·{x}^({y}−1)", "{dout} ⊙ {out}·ln {x}"))
def pow(x, y):
    return x**y


@pow.vjp
def pow_vjp(dout, out, x, y, *, needs):
    # Where the true derivative is 0, say so instead of computing 0·∞: x⁰ has slope 0 even at
    # x = 0, and 0ʸ does not change with y where y ≥ 0 (PyTorch's convention). Where y < 0,
    # 0ʸ = ∞ and the slope is ∞ · ln 0 = −∞, as in PyTorch: numpy's warnings for 0⁻ⁿ and ln 0
    # are silenced because ±∞ is the answer. The masks are constants.
    xv, yv = np.asarray(x), np.asarray(y)
    c = yv.item() if yv.ndim == 0 else None  # a constant exponent, as a Python number
    if not needs[1] and c is not None and c >= 1:  # x², x³ of a cost: no 0·∞ to avoid
        # x ** 1 is x, bit for bit; on Tensors (create_graph) the power stays recorded, so that
        # a third derivative of x² is zeros that depend on x, as PyTorch gives
        short = c == 2 and x.__class__ is _ndarray
        return dout * y * (x if short else x ** (y - 1)), None
    dx = dy = None
    with np.errstate(divide="ignore", invalid="ignore"):
        if needs[0]:
            dx = dout * y * x ** (y - 1 + _cast(yv == 0, yv))
        if needs[1]:
            dy = dout * out * log(x + _cast((xv == 0) & (yv >= 0), xv))
    return dx, dy


@primitive("∂C/∂x = −dout",
           grad_text=("−{dout}",))
def neg(x):
    return -x


@neg.vjp
def neg_vjp(dout, out, x):
    return (-dout,)


# ----- matrix product ---------------------------------------------------------------------------

def _mT(a):
    return a.T if a.ndim == 2 else a.swapaxes(-1, -2)


@primitive("∂C/∂x = dout · yᵀ;  ∂C/∂y = xᵀ · dout", symbol="@",
           grad_text=("{dout} · {yT}", "{xT} · {dout}"))
def matmul(x, y):
    try:
        return x @ y
    except ValueError:
        raise _matmul_error(x, y) from None


def _matmul_error(x, y):
    if x.ndim == 0 or y.ndim == 0:
        return ValueError(f"matmul: cannot multiply {x.shape} @ {y.shape}; use * for scalars")
    k, k2 = x.shape[-1], y.shape[-2] if y.ndim > 1 else y.shape[0]
    hint = ""
    if y.ndim > 1 and y.shape[-1] == k:
        hint = "; did you mean {1}.T?"
    elif x.ndim > 1 and x.shape[-2] == k2:
        hint = "; did you mean {0}.T?"
    if k == k2:  # the matrix dimensions fit: the batch dimensions do not broadcast
        return ValueError(f"matmul: cannot multiply {x.shape} @ {y.shape}: batch dimensions "
                          f"{x.shape[:-2]} and {y.shape[:-2]} do not broadcast")
    return ValueError(f"matmul: cannot multiply {x.shape} @ {y.shape} ({k} ≠ {k2}){hint}")


@matmul.vjp
def matmul_vjp(dout, out, x, y, *, needs):
    if x.ndim == 2 and y.ndim == 2:  # the layers of an MLP: δ·aᵀ and Wᵀ·δ, nothing to reshape
        return (dout @ y.T if needs[0] else None), (x.T @ dout if needs[1] else None)
    if x.ndim == 1 and y.ndim == 1:  # dot product: out is a scalar
        return dout * y, dout * x
    # A vector is a one-row matrix on the left, a one-column matrix on the right.
    xm = x.reshape(1, -1) if x.ndim == 1 else x
    ym = y.reshape(-1, 1) if y.ndim == 1 else y
    dm = dout.reshape(dout.shape + (1,)) if y.ndim == 1 else dout
    dm = dm.reshape(dm.shape[:-1] + (1,) + dm.shape[-1:]) if x.ndim == 1 else dm
    dx = dy = None
    if needs[0]:  # skipped for the data x in x @ W1: a third of the first layer's backward
        dx = dm @ _mT(ym)
        dx = dx.reshape(dx.shape[:-2] + dx.shape[-1:]) if x.ndim == 1 else dx
    if needs[1]:
        dy = _mT(xm) @ dm
        dy = dy.reshape(dy.shape[:-1]) if y.ndim == 1 else dy
    return dx, dy


# ----- elementwise functions --------------------------------------------------------------------

@primitive("∂C/∂x = dout ⊙ eˣ = dout ⊙ out",
           grad_text=("{dout} ⊙ exp({x})",))
def exp(x):
    return np.exp(x)


@exp.vjp
def exp_vjp(dout, out, x):
    return (dout * out,)


@primitive("∂C/∂x = dout / x",
           grad_text=("{dout} / {x}",))
def log(x):
    return np.log(x)


@log.vjp
def log_vjp(dout, out, x):
    return (dout / x,)


@primitive("∂C/∂x = dout / (2·√x) = dout / (2·out)",
           grad_text=("{dout} / (2√{x})",))
def sqrt(x):
    return np.sqrt(x)


@sqrt.vjp
def sqrt_vjp(dout, out, x):
    return (dout * 0.5 / out,)


@primitive("∂C/∂x = dout ⊙ sign(x)   (0 at x = 0)",
           grad_text=("{dout} ⊙ sign({x})",))
def abs(x):
    return np.abs(x)


@abs.vjp
def abs_vjp(dout, out, x):
    return (dout * np.sign(np.asarray(x)),)  # sign(0) = 0: abs'(0) = 0, as in PyTorch


@primitive("∂C/∂x = dout ⊙ (1 − out²)",
           grad_text=("{dout} ⊙ (1 − tanh²({x}))",))
def tanh(x):
    return np.tanh(x)


@tanh.vjp
def tanh_vjp(dout, out, x):
    return (dout * (1 - out * out),)


@primitive("∂C/∂x = dout ⊙ σ'(x) = dout ⊙ σ(x)(1 − σ(x))",
           grad_text=("{dout} ⊙ σ'({x})",))
def sigmoid(x):
    half, one = _number(0.5, x), _number(1, x)  # 0-d arrays of x's dtype: see _number
    return half * (one + np.tanh(half * x))  # ½(1 + tanh(x/2)): σ without overflow in exp


@sigmoid.vjp
def sigmoid_vjp(dout, out, x):
    return (dout * out * (_number(1, out) - out),)


_ZEROS = {}


def _zero(like):
    """A read-only 0-d +0 of like's float dtype, made once per dtype: numpy compares an array
    with it, or takes a maximum, a quarter faster than with the Python number 0, to the same
    result. For other dtypes the number 0 itself (numpy's own promotion rules stay in force)."""
    dtype = like.dtype
    zero = _ZEROS.get(dtype)
    if zero is None:
        if dtype.kind != "f":
            return 0
        zero = _ZEROS[dtype] = np.zeros((), dtype)
        zero.flags.writeable = False
    return zero


@primitive("∂C/∂x = dout ⊙ [x > 0]   (0 at x = 0)",
           grad_text=("{dout} ⊙ [{x} > 0]",))
def relu(x):
    return np.maximum(x, _zero(x))


@relu.vjp
def relu_vjp(dout, out, x):
    x = np.asarray(x)
    return (dout * (x > _zero(x)),)  # relu'(0) = 0, as in PyTorch, micrograd and DLFS


@primitive("∂C/∂x = dout where lo ≤ x ≤ hi, else 0",
           grad_text=("{dout} ⊙ [{lo} ≤ {x} ≤ {hi}]",))
def clip(x, *, lo=None, hi=None):
    return np.clip(x, lo, hi)


@clip.vjp
def clip_vjp(dout, out, x, *, lo=None, hi=None):
    xv = np.asarray(x)
    inside = np.ones(xv.shape, dtype=bool)
    if lo is not None:
        inside = inside & (xv >= lo)  # not &=: array bounds may broadcast x to a larger shape
    if hi is not None:
        inside = inside & (xv <= hi)
    return (dout * inside,)


@primitive("∂C/∂x = dout where x > y (½ at ties);  ∂C/∂y the rest",
           grad_text=("{dout} ⊙ [{x} > {y}] (½ at ties)", "{dout} ⊙ [{y} > {x}] (½ at ties)"))
def maximum(x, y):
    _broadcast("maximum", x, y)
    return np.maximum(x, y)


@maximum.vjp
def maximum_vjp(dout, out, x, y):
    xv, yv = np.asarray(x), np.asarray(y)
    share = _cast((xv > yv) + 0.5 * (xv == yv), dout)  # ties split evenly, as in PyTorch
    return dout * share, dout * (1 - share)


@primitive("∂C/∂x = dout where x < y (½ at ties);  ∂C/∂y the rest",
           grad_text=("{dout} ⊙ [{x} < {y}] (½ at ties)", "{dout} ⊙ [{y} < {x}] (½ at ties)"))
def minimum(x, y):
    _broadcast("minimum", x, y)
    return np.minimum(x, y)


@minimum.vjp
def minimum_vjp(dout, out, x, y):
    xv, yv = np.asarray(x), np.asarray(y)
    share = _cast((xv < yv) + 0.5 * (xv == yv), dout)
    return dout * share, dout * (1 - share)


@primitive("∂C/∂x = dout where cond;  ∂C/∂y = dout elsewhere",
           grad_text=(None, "{dout} ⊙ [{cond}]", "{dout} ⊙ [not {cond}]"))
def where(cond, x, y):
    return np.where(cond, x, y)


@where.vjp
def where_vjp(dout, out, cond, x, y):
    c = np.asarray(cond).astype(bool)
    return None, dout * c, dout * ~c


# ----- reductions -------------------------------------------------------------------------------

def _kept_shape(shape, axis):
    """The shape a reduction over axis has with keepdims=True."""
    if axis is None or not shape:  # a 0-d x: numpy accepts axis=0 or -1, and keeps no axis
        return (1,) * len(shape)
    axes = {a % len(shape) for a in (axis if isinstance(axis, tuple) else (axis,))}
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


@primitive("∂C/∂x = dout, copied along the summed axes",
           grad_text=("{dout} copied over {axes}",))
def sum(x, *, axis=None, keepdims=False):
    return np.add.reduce(x, axis, None, None, keepdims)  # x.sum(axis, keepdims=...), one call


@sum.vjp
def sum_vjp(dout, out, x, *, axis=None, keepdims=False):
    if axis is not None:  # a 0-d dout (the sum of everything) broadcasts as it is
        dout = dout.reshape(_kept_shape(x.shape, axis))
    return (broadcast_to(dout, shape=x.shape),)


def _extremum_vjp(dout, out, x, axis, keepdims):
    kept = _kept_shape(x.shape, axis)
    xv, best = np.asarray(x), np.asarray(out).reshape(kept)
    hit = (xv == best) | (np.isnan(xv) & np.isnan(best))  # a nan is the max, as in numpy
    share = _cast(hit / hit.sum(axis=axis, keepdims=True), dout)  # ties share equally (amax)
    return (dout.reshape(kept) * share,)


@primitive("∂C/∂x = dout at the maximum (shared equally among ties), 0 elsewhere",
           grad_text=("{dout} at the maximum of {x} over {axes}, 0 elsewhere",))
def max(x, *, axis=None, keepdims=False):
    return x.max(axis=axis, keepdims=keepdims)


@max.vjp
def max_vjp(dout, out, x, *, axis=None, keepdims=False):
    return _extremum_vjp(dout, out, x, axis, keepdims)


@primitive("∂C/∂x = dout at the minimum (shared equally among ties), 0 elsewhere",
           grad_text=("{dout} at the minimum of {x} over {axes}, 0 elsewhere",))
def min(x, *, axis=None, keepdims=False):
    return x.min(axis=axis, keepdims=keepdims)


@min.vjp
def min_vjp(dout, out, x, *, axis=None, keepdims=False):
    return _extremum_vjp(dout, out, x, axis, keepdims)


# ----- shape and indexing -----------------------------------------------------------------------

@primitive("∂C/∂x = dout reshaped back to x's shape",
           grad_text=("{dout} reshaped to {xshape}",))
def reshape(x, *, shape):
    try:
        return x.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape {x.shape} ({x.size} elements) into {shape}"
        ) from None


@reshape.vjp
def reshape_vjp(dout, out, x, *, shape):
    return (dout.reshape(x.shape),)


@primitive("∂C/∂x = dout with the axes permuted back",
           grad_text=("({dout}){T}",))
def transpose(x, *, axes=None):
    return x.transpose(axes)


@transpose.vjp
def transpose_vjp(dout, out, x, *, axes=None):
    if axes is None:
        return (dout.transpose(),)
    return (dout.transpose(tuple(np.argsort([a % x.ndim for a in axes]))),)  # the inverse order


@primitive("∂C/∂x = dout summed over the broadcast axes",
           grad_text=("{dout}",))
def broadcast_to(x, *, shape):
    out = np.empty(shape, dtype=x.dtype)  # a writable copy, and faster than np.broadcast_to
    out[...] = x
    return out


@broadcast_to.vjp
def broadcast_to_vjp(dout, out, x, *, shape):
    return (dout,)  # the backward loop's unbroadcast sums it back to x's shape


@primitive("∂C/∂x = dout converted back to x's dtype",
           grad_text=("{dout} in the dtype of {x}",))
def astype(x, *, dtype):
    return x.astype(dtype)


@astype.vjp
def astype_vjp(dout, out, x, *, dtype):
    return (astype(dout, dtype=x.dtype),)


# ----- constants: comparisons and detach ----------------------------------------------------------
# A mask (z > 0) or a value cut from the graph (h.detach()) has no gradient: it is a constant, so
# these are not primitives, and no VJP is ever asked of them. The engine records them only while
# a jit step is captured, where the replay has to compute them again for every batch.

def _constant(forward, symbol=None):
    """forward as an operation without a derivative (not in PRIMITIVES)."""
    op = Primitive(forward, "no derivative: the result is a constant", symbol)
    op.vjp_fn = _no_gradient
    return op


def _no_gradient(dout, out, *inputs, **params):
    return (None,) * len(inputs)


def detach(x):
    return x  # the same array, as Tensor.detach() gives it


COMPARISONS = {symbol: _constant(ufunc, symbol) for symbol, ufunc in (
    ("<", np.less), ("<=", np.less_equal), (">", np.greater), (">=", np.greater_equal),
    ("==", np.equal), ("!=", np.not_equal))}
detach = _constant(detach)


def _advanced(index):
    """Whether index selects with arrays (repeats possible) rather than only slices and ints."""
    items = index if isinstance(index, tuple) else (index,)
    return builtins.any(isinstance(i, (np.ndarray, list)) for i in items)


@primitive("∂C/∂x = dout scattered back into x's shape (repeated indices add up)",
           grad_text=("{dout} scattered into {xshape} at [{index}]",))
def getitem(x, *, index):
    return x[index]


@getitem.vjp
def getitem_vjp(dout, out, x, *, index):
    return (scatter_add(dout, shape=x.shape, index=index),)


@primitive("∂C/∂x = dout[index]",
           grad_text=("{dout}[{index}]",))
def scatter_add(x, *, shape, index):
    out = np.zeros(shape, dtype=x.dtype)
    if _advanced(index):
        np.add.at(out, index, x)  # repeated indices accumulate
    else:
        out[index] = x
    return out


@scatter_add.vjp
def scatter_add_vjp(dout, out, x, *, shape, index):
    return (getitem(dout, index=index),)


@primitive("∂C/∂xᵢ = the slice of dout that xᵢ filled",
           grad_text=("{dout}[part {i} along axis {axis}]",))
def concatenate(*xs, axis=0):
    return np.concatenate(xs, axis=axis)


@concatenate.vjp
def concatenate_vjp(dout, out, *xs, axis=0):
    ax = axis % out.ndim
    bounds = np.cumsum([0] + [x.shape[ax] for x in xs])
    lead = (slice(None),) * ax
    return tuple(dout[lead + (slice(a, b),)] for a, b in zip(bounds[:-1], bounds[1:]))


# ----- softmax family ---------------------------------------------------------------------------

@primitive("∂C/∂x = out ⊙ (dout − Σ dout ⊙ out)",
           grad_text=("{out} ⊙ ({dout} − Σ {dout} ⊙ {out})",))
def softmax(x, *, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))  # shifted: no overflow for large x
    return e / e.sum(axis=axis, keepdims=True)


@softmax.vjp
def softmax_vjp(dout, out, x, *, axis=-1):
    return (out * (dout - (dout * out).sum(axis=axis, keepdims=True)),)


@primitive("∂C/∂x = dout − softmax(x) ⊙ Σ dout",
           grad_text=("{dout} − softmax({x}) ⊙ Σ {dout}",))
def log_softmax(x, *, axis=-1):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


@log_softmax.vjp
def log_softmax_vjp(dout, out, x, *, axis=-1):
    return (dout - exp(out) * dout.sum(axis=axis, keepdims=True),)


_ROWS = {}


def _rows(n):
    """np.arange(n), read-only and made once per n: the row index of every labels lookup."""
    rows = _ROWS.get(n)
    if rows is None:
        if len(_ROWS) > 64:  # batch sizes are few; a stream of new ones must not grow it
            _ROWS.clear()
        rows = _ROWS[n] = np.arange(n)
        rows.flags.writeable = False
    return rows


def _one_hot(labels, like):
    hot = np.zeros(like.shape, dtype=like.dtype)
    hot[_rows(len(labels)), labels] = 1
    return hot


@primitive("∂C/∂z = dout ⊙ (softmax(z) − onehot(labels))",
           grad_text=("{dout} ⊙ (softmax({x}) − onehot(labels))",))
def softmax_cross_entropy(z, *, labels):
    """Each row's −log softmax(z)[label]: DLFS's SoftmaxWithLoss, one step as in the book."""
    global _saved_softmax
    loss, probs = cross_entropy_and_softmax(z, labels)
    _saved_softmax = (z, probs)
    return loss


def cross_entropy_and_softmax(z, labels):
    """(each row's −log softmax(z)[label], softmax(z)): the forward keeps what the VJP needs.

    The row reductions are numpy's ufunc reductions called directly (z.max(axis=1) is the same
    reduction behind a Python wrapper, a fifth of a small batch's whole softmax)."""
    s = z - np.maximum.reduce(z, 1, None, None, True)
    e = np.exp(s)
    total = np.add.reduce(e, 1)
    return np.log(total) - s[_rows(len(labels)), labels], e / total.reshape(-1, 1)


# The softmax of the latest forward, with its z: the VJP reuses it instead of computing it again
# (the same numbers as softmax(z, axis=1)), as DLFS's SoftmaxWithLoss keeps self.y. Matched by
# identity, so a VJP for another z, or on Tensors under create_graph, computes its own.
_saved_softmax = (None, None)


@softmax_cross_entropy.vjp
def softmax_cross_entropy_vjp(dout, out, z, *, labels):
    saved_z, probs = _saved_softmax
    if saved_z is not z:
        probs = softmax(z, axis=1)
    if dout.__class__ is not _ndarray or probs.__class__ is not _ndarray \
            or dout.dtype != probs.dtype:  # Tensors under create_graph; a float64 dout
        return (dout.reshape(-1, 1) * (probs - _one_hot(labels, z)),)
    dz = probs.copy()  # probs − onehot(labels), without making the one-hot: the same numbers
    dz[_rows(len(labels)), labels] -= 1
    dz *= dout.reshape(-1, 1)
    return (dz,)
