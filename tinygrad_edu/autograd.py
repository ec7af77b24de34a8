"""The tape and the backward pass: recording nodes, no_grad, Tape, detect_anomaly, unbroadcast.

This module knows nodes, not Tensors: it reads ``.data``-like attributes (``_data``, ``_node``,
``requires_grad``, ``_version``) of whatever objects it is given, and imports only ``ops``.
The backward pass is one short loop over the recorded nodes, newest first.
"""

import functools
import html
import itertools
import threading
import weakref
from contextlib import contextmanager
from heapq import heappop, heappush

import numpy as np


class _ThreadState(threading.local):
    """Recording state, one per thread as PyTorch's grad mode: a no_grad() in one thread (an
    evaluation beside a training loop) must not switch recording off in another."""

    enabled = True  # record operations (False inside no_grad())
    anomaly = False  # check every forward output and backward gradient for nan/inf
    capturing = None  # the jit capturing a step now (in this thread): reading a value is an error
    refusal = None  # while capturing: why a replay could not follow the step (the first reason)
    step_arrays = frozenset()  # while capturing: id() of the arrays the step was called with
    made = None  # while capturing: weak references to the tensors recorded, in order
    settings = None  # while capturing: the tensors whose arrays became settings (labels, index)
    step_start = -1  # while capturing: the tape position before the step's first operation

    def __init__(self):  # runs once in each thread that touches the state
        self.tapes = []  # open Tape() contexts, innermost last
        self.saved = {}  # under detect_anomaly: node -> copies of its inputs' arrays


_State = _ThreadState()


class _Quiet:
    """on: no thread has switched anything (no no_grad, Tape, detect_anomaly open anywhere), so
    every thread records with the defaults and the hot path skips the per-thread lookups: a
    threading.local read costs about a tenth of a whole recorded op."""

    on = True
    busy = 0  # contexts open now, in all threads
    lock = threading.Lock()


class _Changing:
    """`with _changing_state:` marks the recording state as changed while the block runs, for
    _Quiet (a plain class, not a generator: it is entered on every Module call)."""

    __slots__ = ()

    def __enter__(self):
        with _Quiet.lock:
            _Quiet.busy += 1
            _Quiet.on = False

    def __exit__(self, *exc):
        with _Quiet.lock:
            _Quiet.busy -= 1
            _Quiet.on = _Quiet.busy == 0


_changing_state = _Changing()


class _Layout:
    """changes: how many times a tensor's .data was given an array of another shape or dtype
    (W.data = W.data.astype(np.float64)). A captured jit step, written for its parameters' shapes
    and dtypes, compares it with the count it saw before replaying."""

    changes = 0  # it holds no state of its own, so one serves every block


_seq = itertools.count()


class Node:
    """One recorded operation: the primitive, its inputs, its settings and its tape position."""

    __slots__ = ("op", "inputs", "params", "seq", "skeleton")

    def __init__(self, op, inputs, params, seq):
        self.op = op
        self.inputs = inputs  # the input tensors; None once backward has freed the graph
        self.params = params
        self.seq = seq
        self.skeleton = None  # once freed: what viz.draw needs of the inputs (see bones)

    def __repr__(self):
        return f"<node #{self.seq} {self.op.name}>"


def record(op, inputs, params, out):
    """Record op on the tape as the node that produced out."""
    out._node = node = Node(op, inputs, params, next(_seq))
    if _Quiet.on:  # no Tape open and no detect_anomaly() in any thread
        return node
    if _State.made is not None:  # a step being captured: see jit's _kept_outside
        _State.made.append(weakref.ref(out))
    if _State.tapes:
        for tape in _State.tapes:
            tape.outputs.append(out)
    if _State.anomaly:
        _check_finite(out._data, node, "forward output")
        # Copies of what the node saved, to catch writes through the arrays (W.data[:] = 0,
        # out=W.data) that never pass through a Tensor: only here, as a copy per op is slow.
        _State.saved[node] = [x._data.copy() for x in inputs]
    return node


def check_not_capturing(what):
    """Refuse the capture if a step is being captured: a value read now would become a constant
    of the replay."""
    if _State.capturing is not None:
        refuse_capture(
            f"{what} reads a tensor's value while the step is being captured; a replay "
            "runs the recorded numpy lines only, so Python code that branches on values (if "
            "loss > 0, loss.item() in the step) cannot be replayed. Read values outside the "
            "step (from the loss it returns), or run it eagerly without jit"
        )


def refuse_capture(why, *, now=False):
    """Mark the step being captured (in this thread) as one a replay cannot follow, for why.

    The step itself runs on eagerly, so that its jit raises once it has returned, with the eager
    run's update at hand (train falls back on it without running the batch, or drawing its
    random numbers, twice). now=True raises at once: for what must not happen at all (a
    backward() inside the step, a parameter updated in it).
    """
    if now or _State.capturing is None:
        raise RuntimeError(f"jit: {why}")
    if _State.refusal is None:  # per thread: another thread's capture has its own
        _State.refusal = why  # the first reason is the one to fix first


def capturing():
    """Whether a jit step is being captured in this thread. While it is, the operations that need
    no gradient are recorded too ("forward-only" nodes: 1 − y of a batch's y, a mask z > 0, a
    detach()), so that the captured program knows what each constant was computed from: a
    replay computes again what came from the batch or the parameters, and watches what came
    from tensors made outside the step. (Capture marks the state changed, so the hot path's
    _Quiet.on test skips the rest outside a capture.)"""
    return not _Quiet.on and _State.capturing is not None


def from_step(t):
    """While a step is captured: whether t was computed from its batch or its parameters (it is
    a parameter or an argument's array, or a recorded operation reached one of them, also as a
    setting: the labels of a cost)."""
    arrays = _State.step_arrays
    return any(x.requires_grad or id(x._data) in arrays or x._node is not None
               and any(id(v) in arrays for v in _flat(x._node.params.values()))
               for x in graph_of(t))


def _flat(values):
    for v in values:
        if isinstance(v, tuple):
            yield from _flat(v)
        else:
            yield v


def is_grad_enabled():
    """Whether operations are being recorded now (in this thread)."""
    return _Quiet.on or _State.enabled


@contextmanager
def no_grad():
    """Run a block without recording: for parameter updates and evaluation.

    >>> from tinygrad_edu import Tensor
    >>> W = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = W * 2
    >>> y.requires_grad
    False
    """
    with _changing_state:
        was, _State.enabled = _State.enabled, False
        try:
            yield
        finally:
            _State.enabled = was


@contextmanager
def enable_grad(enabled=True):
    """Record operations inside the block (or not, with enabled=False), whatever was set outside."""
    with _changing_state:
        was, _State.enabled = _State.enabled, enabled
        try:
            yield
        finally:
            _State.enabled = was


class Tape:
    """A context that keeps, in order, every tensor produced by a recorded operation inside it.

    >>> from tinygrad_edu import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    >>> with Tape() as tape:
    ...     y = (x * x).sum()
    >>> [node.op.name for node in tape.nodes]
    ['mul', 'sum']
    """

    def __init__(self):
        self.outputs = []

    def __enter__(self):
        _changing_state.__enter__()
        _State.tapes.append(self)
        return self

    def __exit__(self, *exc):
        _State.tapes.remove(self)
        _changing_state.__exit__()

    @property
    def nodes(self):
        return [t._node for t in self.outputs]

    def __len__(self):
        return len(self.outputs)

    def __iter__(self):
        return iter(self.outputs)

    def __str__(self):
        lines = []
        for t in self.outputs:
            node = t._node
            ins = ", ".join(_label(x) for x in node.inputs) if node.inputs else "(freed)"
            lines.append(f"#{node.seq:<5} {node.op.name}({ins}) -> {_label(t)}")
        return "\n".join(lines)

    def __repr__(self):
        """The text a notebook or the prompt shows: a title, then one line per operation."""
        return f"Tape of {len(self)} operation{'s' * (len(self) != 1)}\n{self}".rstrip()

    def _repr_html_(self):
        """A notebook's view: one table row per operation, in tape order."""
        head = "".join(f"<th>{h}</th>" for h in ("#", "op", "inputs", "output", "shape",
                                                  "dtype"))
        rows = []
        for t in self.outputs:
            node = t._node
            ins = ", ".join(_label(x) for x in node.inputs) if node.inputs is not None else (
                "freed: " + ", ".join(_bone_label(b) for b in node.skeleton or ()))
            name = t.name or f"#{node.seq}"
            cells = (node.seq, node.op.name, ins, name, tuple(t._data.shape), t._data.dtype)
            rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells)
                        + "</tr>")
        return (f"<table><caption>Tape of {len(self)} operations</caption>"
                f"<tr>{head}</tr>{''.join(rows)}</table>")


def _bone_label(bone):
    """_label of an input that backward freed, from what bones() kept of it."""
    if bone.__class__ is not tuple:  # a leaf kept whole
        return _label(bone)
    _, node, name, shape, *_ = bone
    return f"{name or (f'#{node.seq}' if node is not None else 'tensor')} {tuple(shape)}"


def _label(t):
    """W1 (784, 30), or #3 (10, 30) for the unnamed output of tape position 3."""
    name = t.name or (f"#{t._node.seq}" if t._node is not None else "tensor")
    return f"{name} {tuple(t._data.shape)}"


# ----- anomaly detection ------------------------------------------------------------------------

@contextmanager
def detect_anomaly():
    """Raise FloatingPointError at the first operation whose output or gradient is not finite."""
    with _changing_state:
        was, _State.anomaly = _State.anomaly, True
        try:
            with np.errstate(all="ignore"):  # we report the first bad op ourselves, by name
                yield
        finally:
            _State.anomaly = was
            if not was:
                _State.saved = {}  # the copies of the saved arrays go with the outermost block


def _stats(a):
    a = np.asarray(a)
    if a.size == 0 or not np.issubdtype(a.dtype, np.number):
        return f"{a.shape}"
    return f"{a.shape} min {np.min(a):.4g} max {np.max(a):.4g} mean {np.mean(a):.4g}"


def _check_finite(value, node, what):
    value = np.asarray(value)
    if not np.issubdtype(value.dtype, np.floating) or np.isfinite(value).all():
        return
    bad = value.size - np.isfinite(value).sum()
    ins = "; ".join(f"{x.name or f'input {i}'} {_stats(x._data)}"
                    for i, x in enumerate(node.inputs or ()))
    raise FloatingPointError(
        f"detect_anomaly: {node.op.name} (tape position #{node.seq}) produced a non-finite "
        f"{what}: {bad} of {value.size} values are nan or inf. Inputs: {ins}"
    )


# ----- the backward pass ------------------------------------------------------------------------

def summed_axes(natural_shape, shape):
    """The axes unbroadcast sums to turn a gradient of natural_shape into one of shape.

    >>> summed_axes((30, 10), (30, 1)), summed_axes((10, 50), (50,)), summed_axes((3,), (3,))
    ((1,), (0,), ())
    """
    natural_shape, shape = tuple(natural_shape), tuple(shape)
    if natural_shape == shape:
        return ()
    extra = len(natural_shape) - len(shape)
    stretched = tuple(i + extra for i, n in enumerate(shape)
                      if n == 1 and natural_shape[i + extra] != 1)
    return tuple(range(extra)) + stretched


@functools.lru_cache(maxsize=1024)  # a training loop asks for the same few pairs every step
def _reduction(natural_shape, shape):
    """(summed_axes, keepdims) for the sum that turns natural_shape into shape, or None when it
    cannot. keepdims is False when only leading axes go ((64, 128) to a bias's (128,)): the sum
    then has the shape at once, with no reshape after it."""
    extra = len(natural_shape) - len(shape)
    if extra < 0 or any(n not in (1, m) for n, m in zip(shape, natural_shape[extra:])):
        return None
    axes = summed_axes(natural_shape, shape)
    return axes, any(a >= extra for a in axes)


def unbroadcast(dx, shape, op_name="backward"):
    """Sum dx over the axes that broadcasting added or stretched, so it has the input's shape.

    This is the one place where ∂C/∂b = Σ over the batch of δ happens.

    >>> unbroadcast(np.ones((32, 10)), (10,))
    array([32., 32., 32., 32., 32., 32., 32., 32., 32., 32.])
    """
    if dx.shape == shape:
        return dx
    reduction = _reduction(tuple(dx.shape), tuple(shape))
    if reduction is None:
        raise ValueError(
            f"{op_name}: gradient of shape {dx.shape} cannot be reduced to its input's "
            f"shape {shape}"
        )
    axes, keepdims = reduction
    if dx.__class__ is np.ndarray:  # ndarray.sum's own Python wrapper skipped: the same sum
        dx = np.add.reduce(dx, axes, None, None, keepdims)
    else:  # a Tensor, under create_graph
        dx = dx.sum(axis=axes, keepdims=keepdims)
    return dx if dx.shape == shape else dx.reshape(shape)


def graph_of(root):
    """Every tensor root depends on (itself included), found with an explicit stack."""
    seen, stack, found = {id(root)}, [root], []
    while stack:
        t = stack.pop()
        found.append(t)
        node = t._node
        if node is not None and node.inputs is not None:
            for x in node.inputs:
                if id(x) not in seen:
                    seen.add(id(x))
                    stack.append(x)
    return found


def _saved_error(t):
    """The error for a node whose saved inputs are gone or were changed after the forward pass."""
    node = t._node
    if node.inputs is None:
        return RuntimeError(
            f"backward: the graph through {node.op.name} (tape position #{node.seq}) was already "
            "freed by an earlier backward(); call backward(retain_graph=True) the first time if "
            "you need to backpropagate through it again"
        )
    if t._changed > node.seq:  # exp, sigmoid, tanh... read their own output in backward
        return RuntimeError(
            f"backward: the output ({_label(t)}) of {node.op.name} (tape position #{node.seq}) "
            f"was modified in place (its .data was assigned at #{t._changed}), so the gradients "
            "that use it would be wrong. Compute the forward pass again."
        )
    i, x = next((i, x) for i, x in enumerate(node.inputs) if x._changed > node.seq)
    return RuntimeError(
        f"backward: input {i} ({_label(x)}) of {node.op.name} (tape position "
        f"#{node.seq}) was modified in place after the forward pass saved it (its .data was "
        f"assigned at #{x._changed}, version {x._version}), so its gradient would be wrong. "
        "Update parameters after backward(), or compute the forward pass again."
    )


def stamp():
    """A tape position for a change of data: an input changed after its node's seq is stale."""
    return next(_seq)


def same_values(a, b):
    """np.array_equal(a, b, equal_nan=True) in a tenth of its time when there is no NaN: the plain
    comparison (one pass) first, the NaN-aware one (three more) only when that fails.

    >>> same_values(np.array([1.0, np.nan]), np.array([1.0, np.nan])), same_values(0.0, 1.0)
    (True, False)
    """
    return np.array_equal(a, b) or np.array_equal(a, b, equal_nan=True)


def _check_unwritten(t):
    """Under detect_anomaly: raise if an array t's node saved was written in place since."""
    node = t._node
    copies = _State.saved.get(node)
    if copies is None:
        return
    for i, (x, before) in enumerate(zip(node.inputs, copies)):
        if x._changed > node.seq:  # assigned, not only written: _saved_error says so
            continue
        now = x._data
        if now.shape == before.shape and not same_values(now, before):
            raise RuntimeError(
                f"backward: input {i} ({_label(x)}) of {node.op.name} (tape position "
                f"#{node.seq}) was written in place through its array after the forward pass "
                "saved it (W.data[...] = ..., np.add(..., out=W.data), or a write into the numpy "
                "array the tensor was made from), so its gradient would be wrong. Update "
                "parameters after backward(), by assignment (W.data = W.data - lr * W.grad.data "
                "or W.data -= ...), or compute the forward pass again."
            )


def backprop(root, dout, *, create_graph=False, retain_graph=False, on_step=None):
    """Return ({id(t): ∂root/∂t}, kept): the gradient of every tensor root depends on that
    requires grad (of leaves and retain_grad() tensors only, unless retain_graph or create_graph
    keeps the graph), and kept, the leaves and retain_grad() tensors: those whose .grad
    backward() writes.

    One loop, newest operation first: a heap of the tensors that have received a gradient,
    ordered by tape position, hands out the newest. Every operation that uses a tensor was
    recorded after it, so by the time a tensor is taken from the heap every use has added its
    share, and its gradient is complete. With create_graph the VJPs run on Tensors and are
    recorded.
    """
    saved = not _Quiet.on and _State.saved  # copies of saved arrays: under detect_anomaly() only
    anomaly = not _Quiet.on and _State.anomaly
    # An intermediate's gradient is dropped once its VJP has used it, as the graph will be: its
    # memory is reused at once. retain_graph keeps them all (explain and check read them).
    keep = retain_graph or create_graph
    grads, kept, done = {id(root): dout}, [], []
    if root._node is None:  # a leaf: its gradient is dout itself
        return grads, [root]
    heap = [(-root._node.seq, root)]  # positions are unique: the tensors are never compared
    if create_graph:  # the VJPs run on Tensors and must be recorded, even inside no_grad()
        _changing_state.__enter__()
        was, _State.enabled = _State.enabled, True
    try:
        while heap:
            t = heappop(heap)[1]
            node = t._node
            inputs = node.inputs
            if inputs is None or t._changed > node.seq:
                raise _saved_error(t)
            if saved:
                _check_unwritten(t)
            if t._retain:
                kept.append(t)
            done.append(t)
            g = grads[id(t)] if keep or t._retain else grads.pop(id(t))
            op = node.op
            if create_graph:
                ins, out = inputs, t
            elif len(inputs) == 2:  # most ops: a tuple, not a list comprehension's frame
                ins, out = (inputs[0]._data, inputs[1]._data), t._data
            elif len(inputs) == 1:
                ins, out = (inputs[0]._data,), t._data
            else:
                ins, out = [x._data for x in inputs], t._data
            if op.wants_needs:  # let the VJP skip gradients nobody needs (x in x @ W1)
                needs = ((inputs[0].requires_grad, inputs[1].requires_grad) if len(inputs) == 2
                         else [x.requires_grad for x in inputs])
                dxs = op.vjp_fn(g, out, *ins, needs=needs, **node.params)
            elif node.params:
                dxs = op.vjp_fn(g, out, *ins, **node.params)
            else:  # no settings: skip building an empty keyword dict
                dxs = op.vjp_fn(g, out, *ins)
            for x, dx in zip(inputs, dxs):
                if x._changed > node.seq:  # its .data was assigned after this node saved it
                    raise _saved_error(t)
                if dx is None or not x.requires_grad:
                    continue
                if dx.shape != x._data.shape:
                    dx = unbroadcast(dx, x._data.shape, op.name)
                if anomaly:
                    _check_finite(dx if not create_graph else dx._data, node, "gradient")
                k = id(x)
                if k in grads:
                    grads[k] = grads[k] + dx
                else:  # the first gradient x receives: x joins the heap, or is a leaf
                    grads[k] = dx
                    if x._node is None:
                        kept.append(x)
                    else:
                        heappush(heap, (-x._node.seq, x))
            if on_step is not None:
                on_step(t, node, g, dxs)
    finally:
        if create_graph:
            _State.enabled = was
            _changing_state.__exit__()
    if not keep:
        for t in done:  # free what the forward pass saved: the intermediates can now go
            node = t._node
            node.skeleton = list(map(bones, node.inputs))
            node.inputs = None
            if saved:
                saved.pop(node, None)
    return grads, kept


KEPT_LEAF = 16  # a freed graph keeps the values of leaves this small: the 2 of a square


def bones(x):
    """What a freed graph keeps of an input, so that draw() still shows the graph after backward.

    A parameter (a leaf that requires grad, as PyTorch's graph keeps its leaves) and a tiny leaf
    (a constant such as the ½ of a cost, which nobody else holds) are kept whole: they are no
    memory worth releasing. Of any other tensor, an intermediate or a batch of data, it keeps a
    weak reference (the tensor itself while the caller holds it), its node, name, shape, dtype,
    requires_grad and module; never its array, so the intermediates' memory is released.
    """
    if x._node is None and (x.requires_grad or x._data.size <= KEPT_LEAF):
        return x
    return (weakref.ref(x), x._node, x.name, x._data.shape, x._data.dtype, x.requires_grad,
            x.module)
