"""Tensor: a numpy array that records the operations done with it, and their gradients.

This module joins ``ops`` (what each primitive computes) and ``autograd`` (the tape and the
backward loop): ``apply`` runs a primitive's forward and records it, and every Tensor method is a
one-liner around ``apply``. It also holds the functional ``grad`` and ``vjp``.
"""

import weakref

import numpy as np

from . import ops
from .autograd import (
    Node,
    _Layout,
    _Quiet,
    _seq,
    _State,
    backprop,
    capturing,
    check_not_capturing,
    enable_grad,
    record,
    refuse_capture,
)


class Tensor:
    """An n-dimensional array that records operations for reverse-mode differentiation.

    >>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="W")
    >>> loss = (W * W).sum()
    >>> loss.backward()
    >>> W.grad
    Tensor([[2., 4.],
            [6., 8.]], shape=(2, 2), dtype=float64, name='W.grad')
    """

    __array_ufunc__ = None  # numpy defers to our reflected operators: array * Tensor is a Tensor
    __hash__ = object.__hash__  # comparisons are elementwise, so identity is the hash

    # Defaults shared by every instance; apply() sets only what differs.
    _node = None  # the Node that produced this tensor, None for a leaf
    _version = 0  # how many times .data was assigned
    _changed = -1  # the tape position of the last assignment: catches updates before backward
    _retain = False
    _jitted = False  # the loss a jit step returned: its backward already ran
    module = None  # set by nn.Module.__call__ on the tensors a module call produced
    grad = None
    name = None
    requires_grad = False

    def __init__(self, data, requires_grad=False, name=None, dtype=None):
        source = data
        if isinstance(data, Tensor):
            data = data._data
        if isinstance(data, (np.ndarray, np.generic)):  # numpy's dtype is kept
            data = _numeric(np.asarray(data), "Tensor")
            data = data if dtype is None else data.astype(dtype, copy=False)
        else:  # Python numbers and lists become float64, numpy's float default
            _numeric(_as_array(data, "Tensor"), "Tensor")  # None would become nan, "1" 1.0
            data = np.array(data, dtype=np.float64 if dtype is None else dtype)
        if requires_grad and not np.issubdtype(data.dtype, np.floating):
            raise TypeError(
                f"Tensor: requires_grad=True needs a floating-point array, got {data.dtype}; "
                f"only floats have gradients. Convert first, e.g. "
                f"Tensor(x.astype(np.float64), requires_grad=True)"
            )
        self._data = data
        self.requires_grad = bool(requires_grad)
        self.name = name
        if not _Quiet.on and _State.capturing is not None and not requires_grad:
            _made_in_step(self, source)

    @classmethod
    def apply_op(cls, op, *args, **params):
        """ops.Primitive calls this when a VJP runs on Tensors (create_graph=True)."""
        like = next(a for a in args if isinstance(a, Tensor))
        return apply(op, *(_lift(a, like) for a in args), **params)

    # ----- the array --------------------------------------------------------------------------

    @property
    def data(self):
        if not _Quiet.on and self._node is not None and _State.capturing is not None \
                and self._node.seq > _State.step_start:  # computed in the step being captured
            check_not_capturing(".data of a tensor computed in the step")
        return self._data

    @data.setter
    def data(self, value):  # `W.data -= lr * g` lands here: record that W changed
        if not _Quiet.on and _State.capturing is not None:
            refuse_capture(
                f"{self.name or 'a tensor'}.data is assigned inside the step: a replay runs only "
                "the recorded lines, so this update would be made on the first calls and never "
                "again. Give jit the optimizer (jit(fn, optimizer=SGD(params, lr=0.1))), or "
                "update the parameters after the step returns", now=True)
        if value is not self._data:  # not an in-place update (-=), which keeps the array
            value = value if value.__class__ is _ndarray else np.asarray(value)
            if value.shape != self._data.shape or value.dtype != self._data.dtype:
                _Layout.changes += 1
            self._data = value
        self._version += 1
        self._changed = next(_seq)  # stamp(), without the call: every optimizer step comes here

    def _subtract(self, d):
        """self.data -= d, an optimizer's update in the parameter's own array. While nothing
        records anywhere (_Quiet.on) the setter has nothing to refuse: its stamps are made here,
        a third of a small bias's update saved."""
        if not _Quiet.on:  # a capture refuses an update made inside the step: the setter says so
            self.data -= d
            return
        self._data -= d
        self._version += 1
        self._changed = next(_seq)

    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    size = property(lambda self: self._data.size)

    def numpy(self):
        check_not_capturing("numpy()")
        return self._data

    def item(self):
        check_not_capturing("item()")
        return self._data.item()

    def __array__(self, dtype=None, copy=None):
        check_not_capturing("np.asarray(tensor)")
        return self._data if dtype is None else self._data.astype(dtype)

    def __len__(self):
        return len(self._data)

    def __bool__(self):
        check_not_capturing("bool(tensor) (an if or while on a tensor)")
        return bool(self._data)  # numpy's rule: only a single element has a truth value

    def detach(self):
        """The same data, cut off from the graph."""
        out = Tensor(self._data, name=self.name)
        if capturing():  # a constant now, but the replay computes it for every batch
            record(ops.detach, (self,), {}, out)
        return out

    def astype(self, dtype):
        """A copy in another dtype; the gradient flows back in this tensor's dtype.

        Converting to integers makes a constant: rounding has no useful derivative.
        """
        dtype = np.dtype(dtype)
        if not np.issubdtype(dtype, np.floating):
            out = Tensor(self._data.astype(dtype), name=self.name)
            if capturing():  # a constant, which the replay computes for every batch
                record(ops.astype, (self,), {"dtype": dtype}, out)
            return out
        return apply(ops.astype, self, dtype=dtype)

    def __repr__(self):
        """Like numpy's repr (values cut to their corners past 40), then what numpy cannot say:
        shape, dtype, name, the op that made this tensor and whether it requires grad."""
        body = np.array2string(self._data, separator=", ", prefix="Tensor(", threshold=40)
        extra = [f"shape={self.shape}", f"dtype={self.dtype}"]
        if self.name:
            extra.append(f"name={self.name!r}")
        if self._node is not None and self.requires_grad:  # requires_grad implied
            extra.append(f"op={self._node.op.name}")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return f"Tensor({body}, {', '.join(extra)})"

    # ----- gradients --------------------------------------------------------------------------

    def backward(self, gradient=None, retain_graph=False, create_graph=False):
        """Compute ∂self/∂t for every tensor self depends on; add it to leaves' .grad.

        Gradients accumulate: a second backward() adds to .grad, so zero them between steps.
        """
        if not _Quiet.on and _State.capturing is not None:  # (a capture clears _Quiet.on)
            refuse_capture(
                "backward() is called inside the step: a jitted step runs the backward pass "
                "(and the optimizer's step, if it was given one) itself. Return the loss "
                "instead of calling backward() on it", now=True)
        if self._jitted:
            raise RuntimeError(
                "backward: this loss was returned by a jit step, which has already run the "
                "backward pass (and the optimizer's step, if it was given one): the gradients "
                "are in each parameter's .grad. Do not call backward() on it; use the step's "
                "loss for printing (loss.item()), or run the step without jit to do it yourself"
            )
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: {self.name or 'this tensor'} does not require grad: none of the "
                "tensors it was computed from has requires_grad=True (or it was computed under "
                "no_grad()). Create parameters with Tensor(..., requires_grad=True)."
            )
        if gradient is None:
            if self.size != 1:
                raise RuntimeError(
                    f"backward: the output has shape {self.shape}, not a single number, so "
                    "backward() needs gradient= (an array of that shape, ∂C/∂output); or reduce "
                    "it to a scalar loss first, e.g. loss.sum() or loss.mean()"
                )
            gradient = np.array(1, self._data.dtype)  # 3× faster than np.ones_like
            if self._data.ndim:
                gradient = gradient.reshape(self._data.shape)
        else:  # the caller's array may become a leaf's .grad: take our own copy
            gradient = np.array(gradient._data if isinstance(gradient, Tensor) else gradient,
                                dtype=self.dtype)
        if gradient.shape != self.shape:
            raise ValueError(
                f"backward: gradient has shape {gradient.shape} but the output has shape "
                f"{self.shape}; they must match"
            )
        dout = Tensor(gradient) if create_graph else gradient
        grads, kept = backprop(self, dout, create_graph=create_graph,
                               retain_graph=retain_graph)
        written = set()
        for t in kept:  # leaves and retain_grad() tensors keep their gradient
            g = grads.get(id(t))
            if g is None or not t.requires_grad:
                continue
            if not create_graph:
                if id(g) in written or g.dtype != t._data.dtype:
                    g = g.astype(t._data.dtype)  # a gradient array of its own for each tensor
                written.add(id(g))
                g = _wrap(g, f"{t.name}.grad" if t.name else None)
            t.grad = g if t.grad is None else _accumulate(t.grad, g, create_graph)

    def retain_grad(self):
        """Keep .grad on this intermediate after backward (the δ of a layer is z.grad)."""
        if _State.capturing is not None:
            refuse_capture(
                f"retain_grad() of {_describe(self)} inside the step: a replay hands back the "
                "parameters' gradients only, so its .grad would stay None. Run the step without "
                "jit to read an intermediate's gradient (a layer's δ)")
        self._retain = True
        return self

    def zero_grad(self):
        self.grad = None

    # ----- operators --------------------------------------------------------------------------

    def __add__(self, other): return binary(ops.add, self, other)
    def __radd__(self, other): return apply(ops.add, _lift(other, self), self)
    def __sub__(self, other): return binary(ops.sub, self, other)
    def __rsub__(self, other): return apply(ops.sub, _lift(other, self), self)
    def __mul__(self, other): return binary(ops.mul, self, other)
    def __rmul__(self, other): return apply(ops.mul, _lift(other, self), self)
    def __truediv__(self, other): return binary(ops.div, self, other)
    def __rtruediv__(self, other): return apply(ops.div, _lift(other, self), self)
    def __pow__(self, other): return binary(ops.pow, self, other)
    def __rpow__(self, other): return apply(ops.pow, _lift(other, self), self)
    def __matmul__(self, other): return binary(ops.matmul, self, other)
    def matmul(self, other): return apply(ops.matmul, self, _lift(other, self))
    def __rmatmul__(self, other): return apply(ops.matmul, _lift(other, self), self)
    def __neg__(self): return unary(ops.neg, self)
    def __getitem__(self, index): return apply(ops.getitem, self, index=_index(index))

    # Comparisons give constant masks: they have no gradient.
    def __lt__(self, other): return _mask("<", self, other)
    def __le__(self, other): return _mask("<=", self, other)
    def __gt__(self, other): return _mask(">", self, other)
    def __ge__(self, other): return _mask(">=", self, other)
    def __eq__(self, other): return _mask("==", self, other)
    def __ne__(self, other): return _mask("!=", self, other)

    # ----- functions --------------------------------------------------------------------------

    def exp(self): return unary(ops.exp, self)
    def log(self): return unary(ops.log, self)
    def sqrt(self): return unary(ops.sqrt, self)
    def abs(self): return unary(ops.abs, self)
    def tanh(self): return unary(ops.tanh, self)
    def sigmoid(self): return unary(ops.sigmoid, self)
    def relu(self): return unary(ops.relu, self)
    def clip(self, lo=None, hi=None): return apply(ops.clip, self, lo=lo, hi=hi)
    def maximum(self, other): return maximum(self, other)
    def minimum(self, other): return minimum(self, other)
    def softmax(self, axis=-1): return apply(ops.softmax, self, axis=axis)
    def log_softmax(self, axis=-1): return apply(ops.log_softmax, self, axis=axis)

    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        _numpy_names("sum", dim, keepdim)
        return apply(ops.sum, self, axis=_axis(axis), keepdims=keepdims)

    def max(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        _numpy_names("max", dim, keepdim)
        return apply(ops.max, self, axis=_axis(axis), keepdims=keepdims)

    def min(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        _numpy_names("min", dim, keepdim)
        return apply(ops.min, self, axis=_axis(axis), keepdims=keepdims)

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """A sum divided by the number of elements summed; nan over no elements, as numpy and
        PyTorch (without numpy's RuntimeWarning: PyTorch's behaviour)."""
        _numpy_names("mean", dim, keepdim)
        s = self.sum(axis, keepdims)
        if self.size:  # 1/m as a 0-d array of s's dtype, made once (ops._number)
            return s * ops._number(s.size / self.size, s._data)
        return s * np.nan if s.size else s  # no elements: 0 · nan is nan, with no warning

    # ----- shape ------------------------------------------------------------------------------

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return apply(ops.reshape, self, shape=tuple(shape))

    def transpose(self, *axes):
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        elif len(axes) == 2 and (self.ndim != 2 or tuple(axes) == (0, 1)):
            _torch_transpose(self, axes)  # PyTorch's transpose(dim0, dim1): refuse the trap
        return apply(ops.transpose, self, axes=tuple(axes) if axes else None)

    @property
    def T(self):
        return self.transpose()

    def swapaxes(self, a, b):
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(axes)

    def flatten(self, start_axis=0):
        """Merge the axes from start_axis on into one: (N, 28, 28).flatten(1) is (N, 784)."""
        return self.reshape(self.shape[:start_axis] + (-1,))

    def broadcast_to(self, shape):
        return apply(ops.broadcast_to, self, shape=tuple(shape))


def _mask(symbol, x, other):
    """x < other (and the rest) as a constant Tensor of booleans: a mask has no gradient. A
    Python number is compared in x's dtype, as numpy compares x's array with it."""
    op = ops.COMPARISONS[symbol]
    if isinstance(other, Tensor):
        y = other
    elif isinstance(other, (int, float)) and x._data.dtype.kind == "f":
        y = _lift(other, x)
    else:  # numpy's answer: uint8 labels != -1 is all True, x == None all False
        y = _wrap(np.asarray(other))
    try:
        out = Tensor(op.forward(x._data, y._data))
    except (ValueError, TypeError) as e:
        raise _failure(op, (x, y), e) from None
    if capturing():  # a mask of the batch: the replay computes it for every batch
        record(op, (x, y), {}, out)
    return out


def _made_in_step(t, source):
    """Record how t, made inside a step being captured, came from a tensor or from an argument's
    array (Tensor(h), Tensor(x, dtype=np.float32)): the replay computes it for every batch."""
    if isinstance(source, Tensor):
        x = source
    elif isinstance(source, np.ndarray) and id(source) in _State.step_arrays:
        if t._data is source:  # the batch itself: no operation, but jit looks for it kept
            if _State.made is not None:  # outside the loss (self.last_x = Tensor(x))
                _State.made.append(weakref.ref(t))
            return
        x = _wrap(source)
    else:  # a list, a number, another array: a constant the checked calls compare
        return
    if t._data is x._data:
        record(ops.detach, (x,), {}, t)
    else:
        record(ops.astype, (x,), {"dtype": t._data.dtype}, t)


def apply(op, *inputs, **params):
    """Run primitive op on the inputs' arrays and, if any input requires grad, record it."""
    try:
        if len(inputs) == 1:  # sum, reshape, softmax...: no list to build
            data = op.forward(inputs[0]._data, **params)
        else:
            data = op.forward(*[x._data for x in inputs], **params)
    except (ValueError, IndexError, TypeError) as e:
        raise _failure(op, inputs, e) from None
    for x in inputs:
        if x.requires_grad:
            return _output(op, inputs, params, data, True)
    return _output(op, inputs, params, data, False)


def binary(op, x, other):
    """x op other for the operators (x + y, x @ W): apply for two inputs, written out, the
    operand lifted only when it is not a Tensor. The hottest path of the engine, so _output's
    lines are repeated here rather than called: a call is a twentieth of a recorded add."""
    y = other if other.__class__ is Tensor else _lift(other, x)
    try:
        data = op.forward(x._data, y._data)
    except (ValueError, IndexError, TypeError) as e:
        raise _failure(op, (x, y), e) from None
    out = _new_tensor(Tensor)
    out._data = data if data.__class__ is _ndarray else np.asarray(data)
    if (x.requires_grad or y.requires_grad) and (_Quiet.on or _State.enabled):
        out.requires_grad = True
        if _Quiet.on:
            out._node = Node(op, (x, y), {}, next(_seq))
        else:
            record(op, (x, y), {}, out)
    elif not _Quiet.on and _State.capturing is not None:  # 1 - y of a batch's y: replayed
        record(op, (x, y), {}, out)
    return out


def unary(op, x):
    """op(x) for the one-input methods (x.sigmoid(), -x): binary's steps for one input."""
    try:
        data = op.forward(x._data)
    except (ValueError, IndexError, TypeError) as e:
        raise _failure(op, (x,), e) from None
    out = _new_tensor(Tensor)
    out._data = data if data.__class__ is _ndarray else np.asarray(data)
    if x.requires_grad and (_Quiet.on or _State.enabled):
        out.requires_grad = True
        if _Quiet.on:
            out._node = Node(op, (x,), {}, next(_seq))
        else:
            record(op, (x,), {}, out)
    elif not _Quiet.on and _State.capturing is not None:
        record(op, (x,), {}, out)
    return out


def _output(op, inputs, params, data, needs_grad):
    """The Tensor of a forward's result, recorded as op's node when an input requires grad."""
    out = _new_tensor(Tensor)  # no __init__: data is already a checked numpy array
    out._data = data if data.__class__ is _ndarray else np.asarray(data)
    if needs_grad and (_Quiet.on or _State.enabled):  # _Quiet.on: no thread changed anything
        out.requires_grad = True
        if _Quiet.on:  # record()'s first line: no Tape or detect_anomaly() is open
            out._node = Node(op, inputs, params, next(_seq))
        else:
            record(op, inputs, params, out)
    elif not _Quiet.on and _State.capturing is not None:  # no gradient: see capturing()
        record(op, inputs, params, out)
    return out


# Bound once: apply runs for every operation, and global plus attribute lookups add up there.
_new_tensor = object.__new__
_ndarray = np.ndarray


def _failure(op, inputs, error):
    """The error of a failed forward, reworded to name the op, the shapes and the tensors.

    Rewording is a courtesy: if it fails itself, the original error is raised unchanged.
    """
    try:
        return _reworded(op, inputs, error)
    except Exception:  # noqa: BLE001
        return error


def _reworded(op, inputs, error):
    labels = [_describe(x) for x in inputs]
    message = str(error)
    if message.startswith(op.name + ":"):  # our own message: name the tensors in its hint
        for i, label in (("{0}", labels[0]), ("{1}", labels[-1])):
            if label.endswith(".T"):  # W.T where W was meant: suggest W itself
                message = message.replace(i + ".T", label[:-2])
            elif label == "tensor":
                message = message.replace(i + ".T", "the transpose of that operand")
            message = message.replace(i, label)
    elif isinstance(error, ValueError) and "broadcast" in message:
        message = str(ops._shapes_error(op.name, *[x._data for x in inputs]))
    else:
        shapes = ", ".join(str(x.shape) for x in inputs)
        message = f"{op.name}: {message} (input shapes {shapes})"
    if any(label != "tensor" for label in labels):
        if op.symbol and len(inputs) == 2:
            expr = f"{labels[0]} {op.symbol} {labels[1]}"
        else:
            expr = f"{op.name}({', '.join(labels)})"
        message += f" [{expr}]"
    return _same_kind(error, message)


def _same_kind(error, message):
    """An exception of error's type carrying message, or of the built-in type it derives from.

    Some numpy exceptions take other constructor arguments (_UFuncNoLoopError wants the ufunc
    and the dtypes), so rewording must never trust type(error)(message) to work.
    """
    try:
        new = type(error)(message)
        if str(new) == message:
            return new
    except Exception:  # noqa: BLE001 (any constructor failure means: use the built-in type)
        pass
    for kind in (TypeError, IndexError, ValueError):
        if isinstance(error, kind):
            return kind(message)
    return RuntimeError(message)


def _describe(t):
    """A tensor as a learner would name it: W1, W1.T, matmul(x, W1), or 'tensor'."""
    if t.name:
        return t.name
    node = t._node
    if node is None or node.inputs is None:
        return "tensor"
    inner = [x.name or "…" for x in node.inputs]
    if node.op is ops.transpose and node.params["axes"] is None:
        return f"{inner[0]}.T"
    if node.op.vjp_fn is ops._no_gradient and node.op.symbol:  # a comparison: h > …
        return f"{inner[0]} {node.op.symbol} {inner[1]}"
    return f"{node.op.name}({', '.join(inner)})"


OPERAND = "operand of a Tensor operation"  # how errors name a number or array given to an operator


def _lift(value, like):
    """A constant Tensor for a number or array, in like's dtype when it is a Python number."""
    if value.__class__ is _ndarray and value.dtype.kind in "biuf":  # a batch of data: as it is
        return _wrap(value)
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (np.ndarray, np.generic)):  # numpy values keep their dtype
        value = np.asarray(value)
        return _wrap(value if value.dtype.kind in "biuf" else _numeric(value, OPERAND))
    if not isinstance(value, (int, float)):  # a list, or None, a string, a complex number
        _numeric(_as_array(value, OPERAND), OPERAND)
    dtype = like._data.dtype
    if dtype.kind != "f":  # an integer tensor and a float make floats, as numpy does
        dtype = np.result_type(like._data, value)
    return _wrap(np.asarray(value, dtype=dtype))


def _as_array(value, what):
    """np.asarray of a Python value, with numpy's error for ragged lists reworded."""
    try:
        return np.asarray(value)
    except ValueError as e:  # [[1, 2], [3]]: numpy refuses inhomogeneous shapes
        raise ValueError(f"{what}: cannot make an array of {value!r:.80}: {e}; give a "
                         "rectangular list of numbers or a numpy array") from None


def _numeric(array, what):
    """array if it holds real numbers or booleans, else a TypeError that says what to do.

    numpy would accept the others and go wrong later: None becomes nan, an object array fails
    inside the first ufunc, a complex number silently loses its imaginary part.
    """
    kind = array.dtype.kind
    if kind in "biuf":
        return array
    if kind == "O" and array.ndim == 0 and array.item() is None:
        raise TypeError(f"{what}: got None, not a number or an array; pass the data, "
                        "e.g. Tensor([1.0, 2.0]), or check the function that returned None")
    if kind == "c":
        problem = ("complex numbers are not supported (the imaginary part would be dropped); "
                   "pass the real part, e.g. x.real, or split real and imaginary parts into two "
                   "tensors")
    elif kind in "USa":
        problem = ("it holds strings, not numbers; convert them first, e.g. "
                   "np.asarray(x, dtype=float)")
    elif kind == "O":
        problem = ("it is a numpy object array (from None, mixed types or ragged lists); "
                   "give numbers only, e.g. np.asarray(x, dtype=float) after replacing None")
    else:
        problem = "only real numbers and booleans can be tensors; convert it to float first"
    shown = f"{np.array2string(array, threshold=6)[:60]} (dtype {array.dtype})"
    raise TypeError(f"{what}: cannot make a tensor of {shown}: {problem}")


def _numpy_names(op, dim, keepdim):
    """Refuse PyTorch's keyword names (dim=, keepdim=) with numpy's, which this library uses."""
    if dim is None and keepdim is None:  # the usual call: nothing to refuse
        return
    for key, value, numpy_name in (("dim", dim, "axis"), ("keepdim", keepdim, "keepdims")):
        if value is not None:
            raise TypeError(f"{op}: {key}= is PyTorch's name; tinygrad_edu follows numpy, so "
                            f"write {numpy_name}={value!r}")


def _torch_transpose(t, axes):
    """The error for transpose(a, b) where PyTorch's meaning (swap a and b) differs from numpy's
    (the new order of all axes): (0, 1) on a 2-D tensor would silently change nothing."""
    a, b = axes
    what = ("keeps a 2-D tensor as it is" if t.ndim == 2 else
            f"needs all {t.ndim} axes of a {t.ndim}-D tensor")
    raise ValueError(
        f"transpose: axes ({a}, {b}) are numpy's meaning, the new order of all the axes, which "
        f"{what}; to swap two axes as PyTorch's transpose({a}, {b}) does, write "
        f"x.swapaxes({a}, {b}) (or x.T for a 2-D tensor)"
    )


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _index(index):
    """An index with Tensors replaced by their arrays; lists become integer arrays."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        return _setting(index, "indexing with", "for a mask, multiply by it instead (h * (h > "
                        "0), or where(mask, h, 0)); else compute the index before the call and "
                        "pass it as an argument")
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _setting(t, use, advice):
    """t's array as a setting of an operation (an index, a cost's labels): a constant of the
    node, not an input, so one computed inside a step being captured is refused (from the
    batch, a replay would keep the first batch's; from constants, nothing would watch them)."""
    if capturing():
        if t._node is not None:  # h[h > 0], h[:, off + 1]
            refuse_capture(
                f"{use} {_describe(t)} (shape {t.shape}), computed inside the step, cannot be "
                "replayed: it is a setting of the operation, not an input, so the replay would "
                f"keep the value it had at capture; {advice}")
        elif _State.settings is not None:  # made outside: jit watches it (off.data = ...)
            _State.settings.append(t)
    return t._data


def _accumulate(old, new, create_graph):
    if create_graph:
        return old + new
    return _wrap(old._data + new._data, old.name)


def _wrap(array, name=None):
    """A constant Tensor around an array we made ourselves (no checks: the hot path)."""
    t = Tensor.__new__(Tensor)
    t._data = array
    t.name = name
    return t


# ----- functions of several tensors -------------------------------------------------------------

def _tensors(xs):
    like = next((x for x in xs if isinstance(x, Tensor)), None)
    like = like if like is not None else Tensor(np.asarray(xs[0]))
    return [_lift(x, like) for x in xs]


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis."""
    if axis is None:
        raise ValueError("concatenate: axis=None (flatten, then join) is not supported; "
                         "flatten the tensors first, e.g. concatenate([a.reshape(-1), "
                         "b.reshape(-1)])")
    return apply(ops.concatenate, *_tensors(list(tensors)), axis=axis)


def stack(tensors, axis=0):
    """Join tensors along a new axis (a reshape of each, then a concatenate)."""
    tensors = _tensors(list(tensors))
    ax = axis % (tensors[0].ndim + 1)
    return concatenate([t.reshape(t.shape[:ax] + (1,) + t.shape[ax:]) for t in tensors], axis=ax)


def where(cond, x, y):
    """x where cond is true, else y; cond gets no gradient."""
    x, y = _tensors([x, y])
    if not (isinstance(cond, Tensor) and not cond.requires_grad):  # a mask Tensor: as it is
        cond = np.asarray(cond._data if isinstance(cond, Tensor) else cond)
        # np.where reads numbers as != 0, so a batch's mask stays its own array; others: bool
        cond = Tensor(cond if cond.dtype.kind in "biuf" else cond.astype(bool))
    return apply(ops.where, cond, x, y)


def maximum(x, y):
    """Elementwise maximum; at ties each side gets half the gradient."""
    return apply(ops.maximum, *_tensors([x, y]))


def minimum(x, y):
    """Elementwise minimum; at ties each side gets half the gradient."""
    return apply(ops.minimum, *_tensors([x, y]))


# ----- functional transformations ---------------------------------------------------------------

def vjp(f, *args):
    """Evaluate f(*args) and return (out, pullback), where pullback(dout) gives ∂C/∂args.

    Arrays and constant Tensors become fresh leaves. An argument that already requires grad is
    used as it is and the pullback is recorded (create_graph), so grad(grad(f)) works.

    >>> out, pullback = vjp(lambda x: x * x, Tensor([3.0]))
    >>> pullback(Tensor([1.0]))[0]
    Tensor([6.], shape=(1,), dtype=float64)
    """
    leaves = [a if isinstance(a, Tensor) and a.requires_grad
              else Tensor(a, requires_grad=True) for a in args]
    nested = any(a is b for a, b in zip(args, leaves))  # inside another grad: keep the graph
    with enable_grad():  # even inside no_grad(): a gradient is what was asked for
        out = f(*leaves)
    if not isinstance(out, Tensor) or not out.requires_grad:
        raise ValueError(
            "vjp: f's output does not depend on its arguments through recorded operations "
            "(did f use .data, .numpy() or numpy functions?), so there is no gradient to give"
        )

    def pullback(dout):
        dout = dout if isinstance(dout, Tensor) else Tensor(np.asarray(dout, dtype=out.dtype))
        if dout.shape != out.shape:
            raise ValueError(f"vjp: dout has shape {dout.shape}, f's output has {out.shape}")
        grads, _ = backprop(out, dout if nested else dout._data, create_graph=nested,
                            retain_graph=True)
        result = []
        for x in leaves:
            g = grads.get(id(x))
            g = np.zeros_like(x._data) if g is None else g
            result.append(g if isinstance(g, Tensor) else Tensor(g))
        return tuple(result)

    return out, pullback


def grad(f, argnums=0):
    """The function that returns ∂f/∂args[argnums] of a scalar-valued f.

    >>> df = grad(lambda x: (x ** 3).sum())
    >>> df(Tensor([2.0]))
    Tensor([12.], shape=(1,), dtype=float64)
    >>> grad(grad(lambda x: (x ** 3).sum()))(Tensor([2.0]))  # second derivative: 6x
    Tensor([12.], shape=(1,), dtype=float64)
    """
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    def grad_f(*args):
        out, pullback = vjp(f, *args)
        if out.size != 1:
            raise ValueError(f"grad: f must return a single number, got shape {out.shape}; "
                             "use vjp for vector-valued functions")
        grads = pullback(Tensor(np.ones_like(out._data)))
        picked = tuple(grads[i] for i in nums)
        return picked[0] if isinstance(argnums, int) else picked

    return grad_f
