"""Capture and replay: run a training step eagerly once, write its tape out as one straight-line
numpy function (forward lines, then one line per VJP step, unbroadcast sums resolved), and run that
function for every later batch of the same shapes and dtypes, as tinygrad's TinyJit or jax.jit do.

It imports the engine (``autograd``: the tape, the backward loop, the capture flag; ``ops``;
``tensor``), ``optim`` (plain SGD's update is written inline), ``explain`` (the tensors' names and
the chain-rule listing) and, only when a drawing is asked for, ``viz``.
"""

import gc
import inspect
import keyword
import re
import threading
import weakref

import numpy as np

from . import ops
from .autograd import (
    _changing_state,
    _Layout,
    _Quiet,
    _State,
    backprop,
    from_step,
    graph_of,
    same_values,
    stamp,
    summed_axes,
    unbroadcast,
)
from .explain import _listing, show, tensor_names
from .optim import SGD
from .tensor import Tensor, _describe, _new_tensor, _wrap

CHECKED_CALLS = 2  # replays per shape compared with an eager run before replay is trusted
KEPT = 8  # programs a step keeps (the newest): a Python number argument that changes every call
ALTERNATIVES = 4  # programs per signature: one per set of frozen parameters (a GAN's two phases)


def jit(fn=None, *, optimizer=None, check=CHECKED_CALLS, debug=False):
    """Capture fn(*batch) -> scalar loss once per input shape and dtype, then replay it.

    The returned step runs forward and backward (and, with optimizer, ``optimizer.step()``
    then ``zero_grad()``) and returns the loss as a constant Tensor. Without an optimizer the
    gradients are added to the parameters' ``.grad``, as ``loss.backward()`` does. The first
    `check` replays of each shape also run eagerly and must agree, bit for bit; with debug=True
    every call does (as slow as eager, for hunting a difference).

    >>> W = Tensor([[1.0, 2.0]], requires_grad=True, name="W")
    >>> step = jit(lambda x: ((W @ x) ** 2).sum())
    >>> step(np.array([[1.0], [1.0]])).item(), W.grad.numpy().tolist()
    (9.0, [[6.0, 6.0]])
    """
    if fn is None:  # used as @jit(optimizer=opt)
        return lambda f: Jit(f, optimizer=optimizer, check=check, debug=debug)
    return Jit(fn, optimizer=optimizer, check=check, debug=debug)


class Jit:
    """A captured training step: its Programs, by input signature (shapes, dtypes)."""

    def __init__(self, fn, *, optimizer=None, check=CHECKED_CALLS, debug=False):
        if not callable(fn):
            raise TypeError(f"jit: expected a function returning the loss, got {fn!r:.60}")
        self.fn, self.optimizer, self.check, self.debug = fn, optimizer, check, debug
        self.programs = {}  # signature -> [Program, ...], one per set of frozen parameters
        self.program = None  # the Program of the latest call
        self.settings = []  # the setting tensors (labels, an index) of the latest eager run
        self.made = []  # weak references to the tensors the latest eager run recorded
        self.lock = threading.RLock()  # one call of the step at a time, replays included
        try:
            self.arg_names = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            self.arg_names = []

    def __call__(self, *args, **kwargs):
        if kwargs:  # step(x=x, y=y): the same step as step(x, y)
            args = self._positional(args, kwargs)
        # One call at a time, decided and run under the step's lock: a replay writes into
        # buffers its step keeps, and another thread's checked call may change the program.
        lock = self.lock
        lock.acquire()
        try:
            prog = self.program
            # The replay of every later batch, kept short: each line here runs once per step,
            # and at a batch of 10 the step is only ten times longer than this path once was.
            if prog is not None and prog.fast and _Quiet.on and not self.debug \
                    and prog.layout == _Layout.changes and len(args) == prog.nargs:
                if prog._guarded is not None and not prog.kept_vars:
                    loss = prog._guarded(*args)  # SGD's update in the source, behind the
                    if loss is not _MISS:  # checks of fits() (_misfits)
                        return _loss(loss, prog.loss.name)
                elif prog.fits(*args):  # Adam's update, or tensors the caller keeps
                    loss = prog.replay(args, self.optimizer)
                    if loss is not _MISS:
                        return loss
            if _State.capturing is not None:  # a step inside a step: the outer replay would
                raise RuntimeError("jit: a jitted step was called while another is being "
                                   "captured; call the inner function directly")  # skip it
            if not (_Quiet.on or _State.enabled):
                raise RuntimeError("jit: the step was called inside no_grad(); a jitted step "
                                   "trains (backward, and the optimizer's step): to evaluate, "
                                   "call the plain function under no_grad()")
            return self._call(args)
        finally:
            lock.release()

    def _call(self, args):
        """The slow path: find or capture the program for args, then a checked call or a replay."""
        prog = self.program
        if prog is None or not prog.matches(args) or not prog.valid() or _State.anomaly:
            key = _key(args)
            prog = next((p for p in self.programs.get(key, ()) if p.valid()), None)
            if prog is None or _State.anomaly:
                return self._capture(key, args)
            self.program = prog
        if prog.observe:  # an eager run since its last one may have given the caller new
            _adopt(prog)  # tensors: those of a run with its own tape are followed at once
        if prog.checks_left or self.debug or prog.observe:
            return self._checked(prog, args)
        loss = prog.replay(args, self.optimizer)  # _MISS: another thread's eager run asked it
        return self._checked(prog, args) if loss is _MISS else loss  # to look again first

    def _positional(self, args, kwargs):
        """args and kwargs as fn's positional arguments, in its order."""
        try:
            bound = inspect.signature(self.fn).bind(*args, **kwargs)
        except (TypeError, ValueError) as e:
            raise TypeError(f"jit: the step's arguments do not fit its function: {e}") from None
        if bound.kwargs:  # a **kwargs or keyword-only parameter: no position to key programs by
            raise TypeError(f"jit: pass {', '.join(bound.kwargs)} as positional arguments "
                            "(the step keys its programs by argument position)")
        return bound.args

    def _eager(self, args):
        """The loss of fn(*args), recorded, with value reads refused and operations on the
        arguments recorded even where they need no gradient (1 − y of a cost)."""
        if self.optimizer is not None:
            self.optimizer.zero_grad()
        _observe()  # this run may give the caller new tensors to keep (even if it fails)
        watched = _Watched(args, self.arg_names, self._params())
        _State.capturing, _State.step_arrays = self, frozenset(_input_slots(args))
        _State.refusal, _State.made, _State.settings = None, [], []
        _State.step_start = stamp()
        try:
            with _changing_state:  # every thread off the lean paths: the checks below run
                C = self.fn(*args)
            self.settings = _State.settings  # the builder watches those made outside the step
            self.made = _State.made  # (what the caller keeps of them: see _checked)
            refusal = _State.refusal or watched.written() or _kept_outside(
                C, _State.made, self.settings)
        finally:
            _State.capturing, _State.step_arrays, _State.refusal = None, frozenset(), None
            _State.made = _State.settings = None
        valid = isinstance(C, Tensor) and C.size == 1 and C.requires_grad
        if refusal is not None:  # the eager run is done: its update is at hand
            error = RuntimeError(f"jit: {refusal}")
            raise _with_eager_step(error, lambda: self._finish_eagerly(C)) if valid else error
        if not valid:
            got = f"shape {C.shape}" if isinstance(C, Tensor) else type(C).__name__
            raise ValueError(
                f"jit: the step must return a scalar loss Tensor computed from parameters with "
                f"requires_grad=True, got {got}; return the cost C, not C.item() or a tuple"
            )
        return C

    def _capture(self, key, args):
        C = self._eager(args)
        if _State.anomaly:  # detect_anomaly checks every op as it runs: no program, eager only
            return self._finish_eagerly(C)
        builder = _Builder(C, args, self.arg_names, self.optimizer, self.settings)
        explain_step, explanation = _listing(C)  # explain()'s lines, from the same backward pass

        def on_step(t, node, dout, dxs):
            builder.step(t, node, dout, dxs)
            explain_step(t, node, dout, dxs)

        grads, _ = backprop(C, np.ones_like(C._data), retain_graph=True, on_step=on_step)
        prog = builder.finish(key, self.check)
        # written now: after the optimizer's step the graph's parameters are newer than its nodes
        prog.explanation = explanation()
        # Not replayed now: its first `check` replays are compared with eager runs of their own
        # batches, and a shape called once is never compiled (Program._ready).
        self.programs[key] = (self.programs.pop(key, []) + [prog])[-ALTERNATIVES:]  # newest last
        while len(self.programs) > KEPT:  # the oldest signature goes
            del self.programs[next(iter(self.programs))]
        self.program = prog
        return self._finish(prog.params, grads, C)

    def _checked(self, prog, args):
        """One replay compared with an eager run of the same batch; the eager result is kept.
        The replays that follow update what the caller kept of the run (Program.follow)."""
        loss, watched = self._checked_run(prog, args)  # its graph is gone with its frame
        if not _State.tapes:  # a Tape() keeps every tensor: nothing to tell, not a full check
            found = [(ref, where) for ref, where in watched if ref() is not None]
            with _FOLLOW:
                prog.follow(found)
                if found:  # a program with the same tape may follow these without an eager run
                    _LATEST[0] = (prog.ops, found)
                prog.checked()
        return loss

    def _checked_run(self, prog, args):
        C = self._eager(args)
        tensors = graph_of(C)
        diff = prog.tape_differs(C, tensors, args)
        if diff:
            self._forget(prog)
            raise _with_eager_step(RuntimeError(f"jit: the step recorded a different tape than "
                                                f"when it was captured: {diff}"),
                                   lambda: self._finish_eagerly(C))
        watched = _weak_graph(tensors, args, self.made)
        grads, kept = backprop(C, np.ones_like(C._data))  # frees the graph: what the caller
        _compare(prog, C._data, grads, *prog.gradients(args), "replay",  # keeps stays alive
                 lambda: self._finish(_receivers(kept), grads, C))
        return self._finish(prog.params, grads, C), watched

    def _params(self):
        """The parameters a step is known to train before it runs: its optimizer's, and those
        of its programs (a step without an optimizer shows them at its first capture)."""
        seen = {}
        groups = self.optimizer.param_groups if self.optimizer is not None else ()
        for p in [p for g in groups for p in g["params"]] + [
                p for progs in self.programs.values() for prog in progs for p in prog.params]:
            seen.setdefault(id(p), p)
        return list(seen.values())

    def _forget(self, prog):
        """Drop prog: the next call with its signature captures again."""
        rest = [p for p in self.programs.get(prog.key, ()) if p is not prog]
        if rest:
            self.programs[prog.key] = rest
        else:
            self.programs.pop(prog.key, None)
        self.program = None

    def _finish_eagerly(self, C):
        """backward() of the eager loss C, then _finish: the step as if jit were not there."""
        grads, kept = backprop(C, np.ones_like(C._data))
        return self._finish(_receivers(kept), grads, C)

    def _finish(self, params, grads, C):
        """Write eager gradients as backward() does, then the optimizer's step."""
        _add_grads(params, [grads.get(id(p)) for p in params])
        if self.optimizer is not None:
            self.optimizer.step()
            self.optimizer.zero_grad()
        return _loss(C._data, C.name)

    @property
    def source(self):
        """The numpy source the latest call's replay runs (with plain SGD's update, if inline)."""
        if self.program is None:
            raise RuntimeError("jit: no program to show: nothing was captured yet, or the last "
                               "one was dropped when a checked call differed; call the step with "
                               "a batch")
        return self.program.update_source or self.program.source


class _Watched:
    """Copies of a step's argument arrays and known parameters, taken before it runs: numpy
    that writes into them (x -= m, np.clip(W.data, ..., out=W.data)) is invisible to the tape, so
    a replay would not do it."""

    def __init__(self, args, names, params):
        arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        self.args = [(names[i] if i < len(names) else i, a, a.copy())
                     for i, a in enumerate(arrays) if isinstance(a, np.ndarray)]
        self.params = [(p, p._data.copy()) for p in params]

    def written(self):
        """Why the step cannot be replayed, if it wrote into one of them; else None."""
        for name, a, was in self.args:
            if not same_values(a, was):
                return (f"the step writes into its argument {name} (x -= ..., np.add(..., "
                        "out=x)), which a replay would not do: compute with tensor operations "
                        "(x = x - m), or prepare the batch before calling the step")
        for p, was in self.params:
            if p._data.shape != was.shape or not same_values(p._data, was):
                return (f"the step writes into the parameter {p.name or f'of shape {p.shape}'} "
                        "(np.clip(W.data, ..., out=W.data), W.data[...] = ...), which a replay "
                        "would not do: clip or change parameters after the step returns")
        return None


_FOLLOWING = weakref.WeakSet()  # the programs whose replays write into what a caller keeps
_MISS = object()  # what a Program's guarded update returns when a lean-path check fails
CHECKS = "lean_checks"  # the prefix of the names the checks use (a reserved name: _identifier)
_LATEST = [None]  # (ops, what the caller kept) of the latest eager run that was followed
# Held while _FOLLOWING, _LATEST or a following program's kept, observe and fast change, and
# while such a program replays and writes back: they are shared by the steps of all threads (an
# eager run of any step asks every following program to look again). Taken after a step's own
# lock, never before it.
_FOLLOW = threading.RLock()


def _observe():
    """Before any eager run of a step (any step: two may share a model): the caller may be
    given new tensors to keep, so every program that follows what the caller keeps must see
    them before it replays again (_adopt, or an eager run)."""
    with _FOLLOW:
        _LATEST[0] = None
        for p in list(_FOLLOWING):
            p.kept, p.observe = [], True
            p.fast = p._lean()
        _FOLLOWING.clear()


def _is_wire(u):
    """Whether a _tape_of input is an operation's output or an argument (not a leaf, which a
    frozen parameter is in one program and a parameter in another)."""
    return isinstance(u, tuple) and len(u) == 2 and u[0] in ("op", "arg")


def _adopt(prog):
    """Follow the tensors of the latest eager run if its tape had prog's operations, wired
    alike (the same step at another batch size, or with other parameters frozen): no eager
    run needed."""
    with _FOLLOW:
        latest = _LATEST[0]
        if latest is not None and latest[0] == prog.ops:
            prog.follow(latest[1])


def _weak_graph(tensors, args, made):
    """[(weak reference, where)] for each tensor of an eager run's graph that a replay computes
    again: ("op", tape position) for a recorded one, ("arg", position) for a Tensor(x) made in
    the step around an argument's array; see Program.follow."""
    order = sorted((t for t in tensors if t._node is not None), key=lambda t: t._node.seq)
    found = [(weakref.ref(t), ("op", k)) for k, t in enumerate(order)]
    slots, inside = _input_slots(args), {id(t) for t in tensors}
    for ref in made:
        t = ref()
        if t is not None and t._node is None and id(t) in inside and id(t._data) in slots:
            found.append((ref, ("arg", slots[id(t._data)])))
    return found


def _either(conditions):
    """The source text that is true when any of conditions is ("False" for none), on lines of
    their own inside an if's or a return's parentheses."""
    return "(" + "\n            or ".join(conditions or ["False"]) + ")"


def _before_return(source, line):
    """source with line added before its last return."""
    head, ret, tail = source.rpartition("\n    return ")
    return f"{head}\n{line}{ret}{tail}"


def _kept_outside(C, made, settings):
    """Why a replay would leave stale a tensor the step computed from its batch or parameters
    and kept outside the loss (a running metric in a dict, a mask stored on the model): the
    replay computes the loss and its gradients only. None when there is none."""
    if _State.tapes or _State.anomaly:  # they keep every tensor (and no program is made
        return None  # under detect_anomaly())
    inside = {id(t) for t in graph_of(C)} if isinstance(C, Tensor) else set()
    inside.update(id(t) for t in settings)  # labels the loss was computed with

    def kept():  # newest first: the tensor kept, not what it was made from
        return next((t for t in (ref() for ref in reversed(made))
                     if t is not None and id(t) not in inside and from_step(t)), None)

    t = kept()
    if t is not None:
        del t
        gc.collect()  # a tensor held only by a reference cycle (a closure of the step) goes
        t = kept()
    if t is None:
        return None
    what = t.name or _describe(t)
    return (f"the step computes {what} (shape {t.shape}) from the batch or the parameters and "
            "keeps it outside the loss (a running metric in a dict, a mask or a value stored "
            "on the model), where it stays after the step returns; a replay computes only the "
            "loss and the gradients, so it would keep the first batch's value. Compute it "
            "outside the step, or run the step without jit")


def _receivers(kept):
    """The tensors whose .grad backward() writes: leaves and retain_grad() tensors."""
    return [t for t in kept if t.requires_grad]


def _with_eager_step(error, finish):
    """error, carrying finish_eagerly(): the update of the eager run that found the difference,
    for a caller that falls back to eager (train) without running the batch, and drawing its
    random numbers, a second time. Nothing was updated before it is called; it runs once."""
    done = []

    def finish_eagerly():
        if done:
            raise RuntimeError("jit: finish_eagerly() already made this batch's update")
        done.append(True)
        return finish()

    error.finish_eagerly = finish_eagerly
    return error


def _loss(value, name):
    """The loss a step returns: a constant Tensor whose backward() says the step already ran it."""
    out = _new_tensor(Tensor)
    out._data, out.name, out._jitted = np.asarray(value), name, True
    return out


def _add_grads(params, grads):
    """Add each gradient to its parameter's .grad as Tensor.backward does: its own array each."""
    written = set()
    for p, g in zip(params, grads):
        if g is None:
            continue
        if id(g) in written or g.dtype != p._data.dtype or not g.flags.writeable:
            g = g.astype(p._data.dtype)
        written.add(id(g))
        p.grad = _wrap(g, f"{p.name}.grad" if p.name else None) if p.grad is None \
            else _wrap(p.grad._data + g, p.grad.name)


def _key(args):
    """The signature of a call: each argument's shape and dtype (or a Python value's repr), and
    which arguments are one array (step(x, x): the program reads one variable for both)."""
    key = tuple(_signature(a, i) for i, a in enumerate(args))
    aliases = _aliases(args)
    return key if aliases is None else key + (("same arrays", aliases),)


def _aliases(args):
    """For each argument, the position of the first one with the same array, or None when every
    array argument is its own."""
    first, pattern = {}, []
    for i, a in enumerate(args):
        a = a._data if isinstance(a, Tensor) else a
        pattern.append(first.setdefault(id(a), i) if isinstance(a, np.ndarray) else i)
    return None if pattern == list(range(len(args))) else tuple(pattern)


def _signature(a, i=0):
    if isinstance(a, Tensor):
        a = a._data
    if isinstance(a, np.ndarray):
        return (a.shape, a.dtype.str)
    if isinstance(a, (tuple, list, dict)):  # its arrays would be constants of the program
        values = a.values() if isinstance(a, dict) else a
        if any(isinstance(v, (np.ndarray, Tensor, tuple, list, dict)) for v in values):
            raise TypeError(f"jit: argument {i} is a {type(a).__name__} of arrays; pass each "
                            "array as an argument of its own, step(x, y), not step((x, y))")
    return ("value", repr(a))  # a Python setting is baked into the program: another one recaptures


def _compare(prog, loss, eager, replay_loss, replayed, when, finish):
    """Raise unless the replayed loss and gradients equal the eager ones (1 ulp allowed); the
    error carries finish, the eager step's update (see _with_eager_step)."""
    pairs = [("loss", loss, replay_loss)]
    pairs += [(f"∂C/∂{name}", eager.get(id(p)), g)
              for p, name, g in zip(prog.params, prog.param_names, replayed)]
    for what, a, b in pairs:
        a, b = np.asarray(a), np.asarray(b)
        if a.shape == b.shape and same_values(a, b):
            continue
        ulps = _ulps(a, b) if a.shape == b.shape else None
        if ulps is not None and ulps <= 1:
            continue
        where = "shapes differ" if ulps is None else \
            f"largest difference {np.max(np.abs(a - b)):.3g} ({ulps:.0f} ulp)"
        raise _with_eager_step(RuntimeError(
            f"jit: at {when}, the replayed {what} {b.shape} differs from the eager one "
            f"{a.shape}: {where}. The step computes something the tape does not show (numpy on "
            f".data, a value read from the batch outside recorded operations, random numbers); "
            f"run it eagerly, or compute it with tensor operations.\n{prog.source}"
        ), finish)


def _ulps(a, b):
    if not np.issubdtype(a.dtype, np.floating):
        return np.inf
    spacing = np.spacing(np.maximum(np.abs(a), np.abs(b)).astype(a.dtype))
    return float(np.max(np.abs(a.astype(np.float64) - b) / spacing)) if a.size else 0.0


# ----- the program ------------------------------------------------------------------------------

class Program:
    """One captured step as numpy source, its compiled functions and the eager graph it came from.

    ``source`` is the straight-line function; ``loss`` the captured loss Tensor, graph kept, so
    ``explain()`` and ``draw()`` show the steps the source runs.
    """

    def __init__(self, key, source, update_source, namespace, params, param_names, shapes,
                 tape, loss, checks, leaves, constants):
        self.key, self.source, self.update_source = key, source, update_source
        self.params, self.param_names, self.loss = params, param_names, loss
        self.shapes = shapes  # ((shape, dtype) or None) per argument: the fast signature test
        self.nargs = len(shapes)
        self.tape = tape  # what tape_differs compares a later eager run with
        self.checks_left = checks
        self.arrays = all(x is not None for x in shapes)  # no Tensor or Python value among them
        self.aliases = key[-1][1] if key and key[-1][0] == "same arrays" else None
        self.leaves = [(t, t._data.shape, t._data.dtype) for t in leaves]  # what it reads
        self.constants = constants  # (tensor, array, a literal's bytes): what must not change
        self.layout = _Layout.changes
        self.explanation = None
        self.namespace = namespace  # what the source refers to: np, the parameters, constants
        self.written = source, update_source  # as the builder wrote them, without KEPT
        self.kept, self.kept_vars = [], []  # what the caller keeps of the step: see follow()
        self.observe = False  # run the next call eagerly, to see what the caller keeps
        self._compile(source, update_source)
        self.fast = self._lean()

    def _compile(self, source, update_source):
        """Take new sources; they are compiled when first run (_ready)."""
        self.source, self.update_source = source, update_source
        self.compiled = False

    def _ready(self):
        """Compile the sources, and the checks a replay makes before it runs (_misfits): as
        unchanged(), fits(*args) and the first lines of a copy of the update (_guarded).

        Not at capture: a shape called once (an epoch's last, shorter batch, in a benchmark
        that starts a new step every epoch) never pays for Python's compile, a third of a
        capture's time."""
        if self.compiled:
            return
        self.compiled = True
        source, update_source = self.source, self.update_source
        head = source.split("\n", 1)[0]
        args = [a for a in head[head.index("(") + 1:head.rindex(")")].split(", ") if a]
        calls, stale = self._misfits(args)
        checks = (f"def {CHECKS}_unchanged():\n    return not ({_either(stale)})\n"
                  f"def {CHECKS}({', '.join(args)}):\n    return not ({_either(calls + stale)})\n")
        exec(compile(source + checks, "<jit>", "exec"), self.namespace)  # noqa: S102  (ours)
        self._gradients = self.namespace["step"]
        self.unchanged = self.namespace[f"{CHECKS}_unchanged"]
        self.fits = self.namespace[CHECKS]  # the lean path's test when the update runs outside
        self._update = self._guarded = None
        if update_source is not None:
            head, body = update_source.split("\n", 1)  # the guarded copy: one call a replay
            guarded = (head.replace("def step_and_update(", f"def {CHECKS}_update(")
                       + f"\n    if {_either(calls + stale)}:\n        return {CHECKS}_MISS\n")
            exec(compile(f"{update_source}{guarded}{body}", "<jit update>", "exec"),  # noqa: S102
                 self.namespace)
            self._update = self.namespace["step_and_update"]
            self._guarded = self.namespace[f"{CHECKS}_update"]

    def _misfits(self, args):
        """([the call's], [the program's]): the conditions, as source text over the argument
        names args and names put in the namespace, under which a call may not replay this
        program. The call's: an argument is not a numpy array of the captured shape and dtype
        (none for a program captured with Tensor or number arguments: its calls go the slow
        way). The program's: a parameter no longer requires grad; a constant tensor the source
        keeps, made outside the step, was assigned or made trainable, or a literal of the
        source was written in place. One list for the three compiled checks (_compile)."""
        ns, calls, stale = self.namespace, [], []
        ns[f"{CHECKS}_ndarray"], ns[f"{CHECKS}_MISS"] = np.ndarray, _MISS
        if self.arrays:
            for i, (a, (shape, dtype)) in enumerate(zip(args, self.shapes)):
                ns[f"{CHECKS}_D{i}"] = dtype
                calls += [f"{a}.__class__ is not {CHECKS}_ndarray", f"{a}.shape != {shape!r}",
                          f"{a}.dtype != {CHECKS}_D{i}"]
        else:  # never replayed by the lean path (_lean): fits() says no
            calls.append("True")
        for j, (t, _, _) in enumerate(self.leaves):
            ns[f"{CHECKS}_L{j}"] = t
            stale.append(f"not {CHECKS}_L{j}.requires_grad")
        for j, (t, data, number) in enumerate(self.constants):  # read by reference: the same
            ns[f"{CHECKS}_C{j}"], ns[f"{CHECKS}_A{j}"] = t, data  # object, never trainable
            stale += [f"{CHECKS}_C{j}._data is not {CHECKS}_A{j}", f"{CHECKS}_C{j}.requires_grad"]
            if number is not None:  # a literal of the source: the same bits (-0.0)
                ns[f"{CHECKS}_B{j}"] = number
                stale.append(f"{CHECKS}_A{j}.tobytes() != {CHECKS}_B{j}")
        return calls, stale

    def follow(self, found):
        """Have each replay write its values into the tensors found alive after a checked call
        (an activation the caller keeps, net.layer[i], or the batch as Tensor(x)): found is
        [(weak reference, ("op", tape position) or ("arg", argument position))]. Else a
        replay would leave them at that call's values."""
        names = [self.op_vars[k] if kind == "op" else self.arg_vars[k] for _, (kind, k) in found]
        for name in names:  # computed into in place by a later line (IN_PLACE): give it its
            self.written = tuple(None if src is None else re.sub(  # own array, the line
                rf"^    (\w+) = .*, out={name}\)  # (.+), in {name}'s array: .*$",  # its comment
                r"    \1 = \2", src, flags=re.M) for src in self.written)  # gives: t2 = t1 + b
        if names != self.kept_vars:
            self.kept_vars = names
            self.namespace["KEPT"] = [()]
            line = (f"    KEPT[0] = ({''.join(n + ', ' for n in names)})  # what the caller "
                    "keeps of the step (net.layer[i]): jit writes it there")
            self._compile(*(None if src is None else
                            src if not names else _before_return(src, line)
                            for src in self.written))
        self.kept = [ref for ref, _ in found]
        self.observe = False
        self.fast = self._lean()
        if self.kept:
            _FOLLOWING.add(self)

    def write_back(self, args):
        """After a replay: the kept tensors (follow()) get this batch's values."""
        for ref, value in zip(self.kept, self.namespace["KEPT"][0]):
            t = ref()
            if t is not None:
                t._data = value

    def laid_out(self):
        """Whether every parameter the source reads still has the shape and dtype it was
        written for (False after W.data = W.data.astype(np.float64): capture again)."""
        if self.layout != _Layout.changes:
            if any(t._data.shape != shape or t._data.dtype != dtype
                   for t, shape, dtype in self.leaves):
                return False
            self.layout = _Layout.changes  # another tensor's change: nothing of ours
        return True

    def valid(self):
        """laid_out() and unchanged(): the program still computes what the eager step would."""
        self._ready()
        return self.laid_out() and self.unchanged()

    def _lean(self):
        """Whether Jit.__call__ may take its lean path: no checked call left, and arguments that
        are all arrays, each its own."""
        lean = (self.checks_left == 0 and self.arrays and self.aliases is None
                and not self.observe)
        if lean:  # the lean path calls what _ready compiles
            self._ready()
        return lean

    def checked(self):
        """One checked call done."""
        self.checks_left = max(self.checks_left - 1, 0)
        self.fast = self._lean()

    def matches(self, args):
        """Whether args have this program's shapes and dtypes (Tensors and values too), and one
        array for the same arguments as at capture (step(x, x) is a signature of its own)."""
        if len(args) != len(self.shapes):
            return False
        if (self.aliases is not None or self.checks_left) and _aliases(args) != self.aliases:
            return False  # (a replay of separate arrays is right for one array as well)
        for i, a in enumerate(args):
            if a.__class__ is Tensor:
                a = a._data
            want = self.shapes[i]
            if a.__class__ is np.ndarray and want is not None:
                if a.shape != want[0] or a.dtype != want[1]:
                    return False
            elif _signature(a) != self.key[i]:
                return False
        return True

    def gradients(self, args):
        """(loss, gradients) of the parameters for this batch, replayed; nothing is written."""
        self._ready()
        return self._gradients(*[a._data if isinstance(a, Tensor) else a for a in args])

    def replay(self, args, optimizer):
        """This batch's step, replayed; _MISS, with nothing run, when the program follows what
        the caller keeps and an eager run since (of any step, in another thread) has asked it to
        look again: what the caller keeps may have changed."""
        if self.kept_vars:  # (kept_vars changes under the step's lock, kept under _FOLLOW)
            with _FOLLOW:  # the replay and its write-back into the tensors followed now
                if self.observe:
                    return _MISS
                return self._replay(args, optimizer)
        return self._replay(args, optimizer)

    def _replay(self, args, optimizer):
        self._ready()
        arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        if self._update is not None:
            loss = self._update(*arrays)
        else:
            loss, grads = self._gradients(*arrays)
            if optimizer is not None:
                optimizer.zero_grad()
            _add_grads(self.params, grads)
            if optimizer is not None:
                optimizer.step()
                optimizer.zero_grad()
        if self.kept:
            self.write_back(arrays)
        return _loss(loss, self.loss.name)

    def explain(self, *, file=None):
        """The chain-rule listing of the captured step (explain() of its loss, written at
        capture, before the optimizer changed the parameters its graph holds)."""
        return show(self.explanation, file)

    def draw(self, **kwargs):
        """The graphviz drawing of the captured step (viz.draw of its loss)."""
        from . import viz  # graphviz only when a drawing is asked for: jit is imported by train

        return viz.draw(self.loss, **kwargs)

    def tape_differs(self, C, tensors, args):
        """'' when a new eager run recorded the captured tape, else what differs, in words."""
        mine = _tape_of(C, tensors, args)
        if len(mine) != len(self.tape):
            return f"{len(self.tape)} operations then, {len(mine)} now"
        for i, (a, b) in enumerate(zip(self.tape, mine)):
            if a[0] != b[0]:
                return f"operation {i + 1} was {a[0]}, now {b[0]}"
            pairs = [(f"input {j}", u, v) for j, (u, v) in enumerate(zip(a[1], b[1]))]
            pairs += [(k, u, v) for (k, u), (_, v) in zip(a[2], b[2])]
            for what, u, v in pairs:
                if _is_param(u) and not _same(u, v):
                    return (f"{what} of {a[0]} (operation {i + 1}) is a different parameter "
                            "than at capture: a Tensor(..., requires_grad=True) made inside the "
                            "step, or put in place of another between calls (P['W'] = "
                            "Tensor(...)), which a replay would not see; create parameters "
                            "outside the step, and change their values with W.data = ...")
                if not _same(u, v):
                    change = (f"other values in an array of shape {u.shape}"
                              if isinstance(u, np.ndarray) and isinstance(v, np.ndarray)
                              and u.shape == v.shape and u.ndim else
                              f"{_short(u)} then, {_short(v)} now")
                    return (f"{what} of {a[0]} (operation {i + 1}) is a constant that changed "
                            f"between batches ({change}): a value the "
                            "replay cannot compute again: numpy on the inputs (labels = "
                            "y.argmax(1): pass it to the step as an argument instead; 1 - Y or "
                            "np.eye(10)[y] of an array argument: make it a Tensor first, "
                            "Y = Tensor(Y), so that the operation is recorded), random "
                            "numbers (a dropout mask), or a Python value that changed between "
                            "calls")
        return ""


def _is_param(u):
    return isinstance(u, tuple) and len(u) == 2 and isinstance(u[0], str) and u[0] == "param"


def _short(v):
    return f"array of shape {v.shape}" if isinstance(v, np.ndarray) and v.ndim else repr(v)


def _same(u, v):
    if isinstance(u, tuple) and isinstance(v, tuple):
        return len(u) == len(v) and all(_same(a, b) for a, b in zip(u, v))
    if isinstance(u, np.ndarray) or isinstance(v, np.ndarray):
        u, v = np.asarray(u), np.asarray(v)
        return u.shape == v.shape and u.dtype == v.dtype and same_values(u, v)
    return u == v


def _tape_of(C, tensors, args):
    """Each recorded op in tape order, with its inputs and settings as comparable values."""
    slots = _input_slots(args)
    order, index = sorted((t for t in tensors if t._node is not None),
                          key=lambda t: t._node.seq), {}
    tape = []
    for k, t in enumerate(order):
        index[id(t)] = k
        node = t._node
        ins = tuple(("op", index[id(x)]) if id(x) in index else
                    ("arg", slots[id(x._data)]) if id(x._data) in slots else
                    ("param", id(x)) if x.requires_grad else x._data for x in node.inputs)
        settings = tuple((k2, _setting(v, slots)) for k2, v in sorted(node.params.items()))
        tape.append((node.op.name, ins, settings))
    return tape


def _setting(v, slots):
    if isinstance(v, tuple):
        return tuple(_setting(x, slots) for x in v)
    if isinstance(v, np.ndarray) and id(v) in slots:
        return ("arg", slots[id(v)])
    return v


def _input_slots(args):
    """{id(array): position} for the arrays the step was called with."""
    slots = {}
    for i, a in enumerate(args):
        a = a._data if isinstance(a, Tensor) else a
        if isinstance(a, np.ndarray):
            slots.setdefault(id(a), i)
    return slots


# ----- writing the source -----------------------------------------------------------------------

# op -> the forward as a numpy expression, the same calls as the primitive's forward in ops.py
FORWARD = {
    "add": "{0} + {1}", "sub": "{0} - {1}", "mul": "{0} * {1}", "div": "{0} / {1}",
    "pow": "{0} ** {1}", "neg": "-{0}", "matmul": "{0} @ {1}",
    "exp": "np.exp({0})", "log": "np.log({0})", "sqrt": "np.sqrt({0})", "abs": "np.abs({0})",
    "tanh": "np.tanh({0})", "sigmoid": "0.5 * (1 + np.tanh(0.5 * {0}))",
    "relu": "np.maximum({0}, 0)", "detach": "{0}  # detach(): the same array, a constant",
    **{op.name: f"{{0}} {symbol} {{1}}" for symbol, op in ops.COMPARISONS.items()},
}


# op -> the numpy function whose out= computes it into its first input's array (_reusable)
IN_PLACE = {"add": "add", "sub": "subtract", "relu": "maximum"}


def _vjp_lines(op, g, out, ins, needs, node, consts):
    """The gradient expressions of one step, the same arithmetic as op's VJP in ops.py (so the
    numbers are the same, bit for bit), or None when the VJP is called as it is."""
    x, y = (ins + [None])[:2]
    name = op.name
    if name == "add":
        return [g, g]
    if name == "sub":
        return [g, f"-{g}"]
    if name == "mul":
        return [f"{g} * {y}" if needs[0] else None, f"{g} * {x}" if needs[1] else None]
    if name == "div":
        return [f"{g} / {y}", f"-({g} / {y}) * {out}" if needs[1] else None]
    if name == "pow" and not needs[1] and node.inputs[1]._node is None:
        yv = node.inputs[1]._data
        if yv.ndim == 0 and yv == 2:  # x ** (2 − 1) is x: the capture knows the exponent
            return [f"2 * {x} * {g}", None]
        if yv.ndim == 0 and yv != 0:  # y − 1 as a literal only where numpy casts it to x's dtype
            less = _literal(yv - 1) if yv.dtype == node.inputs[0]._data.dtype else f"({y} - 1)"
            return [f"{g} * {y} * {x} ** {less}", None]
        return None
    if name == "neg":
        return [f"-{g}"]
    if name == "matmul" and node.inputs[0].ndim == 2 and node.inputs[1].ndim == 2:
        return [f"{g} @ {y}.T" if needs[0] else None, f"{x}.T @ {g}" if needs[1] else None]
    if name == "exp":
        return [f"{g} * {out}"]
    if name == "log":
        return [f"{g} / {x}"]
    if name == "sqrt":
        return [f"{g} * 0.5 / {out}"]
    if name == "tanh":
        return [f"{g} * (1 - {out} * {out})"]
    if name == "sigmoid":
        return [f"{g} * {out} * (1 - {out})"]
    if name == "relu":  # relu(x) > 0 exactly where x > 0 (nan in neither): the same mask as the
        return [f"{g} * ({out} > 0)"]  # VJP's, and x's array may hold relu(x) (IN_PLACE)
    if name == "abs":
        return [f"{g} * np.sign({x})"]
    if name == "sum":
        x0 = node.inputs[0]
        if node.params["axis"] is None and consts.uses.get(id(x0)) == 1 and _spreads(x0):
            # the cost's Σ: its one number reaches x's producer, whose VJP multiplies it with
            # arrays of x's shape; numpy broadcasts it there, the same numbers as a full copy
            return [f"{g}  # copied over every element by broadcasting in the next line"]
        kept = ops._kept_shape(x0.shape, node.params["axis"])
        return [f"broadcast_to({g}.reshape({kept}), shape={x0.shape})"]
    if name == "transpose" and node.params["axes"] is None:
        return [f"{g}.T"]
    if name == "reshape":
        return [f"{g}.reshape({node.inputs[0].shape})"]
    if name == "broadcast_to":
        return [g]
    return None


def _spreads(x):
    """Whether the VJP line of x's producer gives a full-shape gradient from a scalar dout."""
    node = x._node
    if node is None:
        return False
    if node.op.name == "pow":  # dx = dout·y·x^(y−1): x has the output's shape
        return node.inputs[0].shape == x.shape
    if node.op.name == "mul":  # dx = dout·y, dy = dout·x: both must have it
        return all(u.shape == x.shape for u in node.inputs)
    return node.op.name in ("sigmoid", "tanh", "exp", "relu")  # out and x have one shape


def _literal(v):
    """A 0-d float constant as the shortest literal that gives back the same value in its dtype."""
    v = np.asarray(v)[()]
    if v == 0 and np.signbit(v):
        return "(-0.0)"  # "-0" would be Python's integer 0, which is +0.0
    text = np.format_float_positional(v, unique=True, trim="-")
    return f"({text})" if text.startswith("-") else text


def _identifier(name, taken):
    name = re.sub(r"\W", "_", name) or "t"
    if name[0].isdigit() or keyword.iskeyword(name) or name in _RESERVED or _PREFIXED.match(name):
        name = "_" + name
    base, k = name, 1
    while name in taken:
        k += 1
        name = f"{base}_{k}"
    taken.add(name)
    return name


_RESERVED = {"np", "step", "step_and_update", "stamp", "broadcast_to", "one_hot",
             "cross_entropy_and_softmax", "P", "G", "lr", "KEPT"}
_PREFIXED = re.compile(rf"[POD]_|G\d+$|{CHECKS}")  # P_W, O_W, D_W, G0, the checks' names


class _Builder:
    """Writes the program while the engine's backward loop runs (backprop's on_step)."""

    def __init__(self, C, args, arg_names, optimizer, settings=()):
        self.C, self.args, self.optimizer = C, args, optimizer
        self.tensors = graph_of(C)
        self.ns = {"np": np, "stamp": stamp, "broadcast_to": ops.broadcast_to.forward,
                   "one_hot": ops._one_hot,
                   "cross_entropy_and_softmax": ops.cross_entropy_and_softmax}
        self.taken = set(_RESERVED)
        self.names = {}  # id(tensor) -> its variable name, or a literal for a 0-d constant
        self.params = []
        shown = tensor_names(C, self.tensors)
        slots = self.slots = _input_slots(args)
        self.arg_vars = []
        for i in range(len(args)):
            label = arg_names[i] if i < len(arg_names) else f"arg{i}"
            self.arg_vars.append(_identifier(label, self.taken))
        self.lines, self.param_lines = ["    # forward"], []
        self.saved = {}  # id(t) of a softmax_cross_entropy output -> its softmax's variable
        self.functions = {}  # op name -> the variable of its forward function
        self.literals = {}  # id(t) of a 0-d constant written as a literal -> its value
        self.constants = []  # (tensor, its array, its bytes if written as a literal) per constant
        for t in {id(t): t for t in settings}.values():  # labels, an index: made outside
            if id(t._data) not in slots:  # (an argument's array is the batch's)
                self.constants.append((t, t._data, None))
        self.uses = {}  # id(tensor) -> how many recorded operations use it
        for t in self.tensors:
            for x in (t._node.inputs if t._node is not None else ()):
                self.uses[id(x)] = self.uses.get(id(x), 0) + 1
        first = {k: i for i, k in enumerate(shown)}  # tensor_names lists them by first use
        order = sorted(self.tensors, key=lambda t: first[id(t)])
        # one float dtype in the whole step: a 0-d constant may be a Python literal (below)
        self.one_dtype = len({t._data.dtype for t in self.tensors
                              if t._data.dtype.kind == "f"}) == 1
        for t in order:
            if t._node is None:
                self._leaf(t, shown, slots)
        for t in order:
            if t._node is not None:
                self.names[id(t)] = _identifier(shown[id(t)], self.taken)
                self._forward(t)
        self.grad_names, self.grad_dtypes = {}, {}
        self.lines.append("    # backward, newest step first")
        g = _identifier("d" + self.names[id(C)], self.taken)
        self.grad_names[id(C)] = g
        # Gradients with no batch in them (the seed ∂C/∂C = 1, then × the cost's constant, the
        # Σ's copy) are the same every step: worked out once here, they are shown as comments
        # and the first line that meets the batch uses their value.
        self.known = {id(C): np.ones_like(C._data)}  # id(t) -> its gradient, known at capture
        self.lines.append(f"    # {g} = 1  (the seed; gradients with no batch in them are "
                          "worked out once, at capture)")

    def _leaf(self, t, shown, slots):
        if id(t._data) in slots:
            self.names[id(t)] = self.arg_vars[slots[id(t._data)]]
        elif t.requires_grad:
            var = _identifier(shown[id(t)], self.taken)
            self.names[id(t)] = var
            self.ns[f"P_{var}"] = t
            self.params.append((t, var))
            self.param_lines.append(f"    {var} = P_{var}._data  # read by reference")
        elif (t._data.ndim == 0 and t._data.dtype.kind == "f" and np.isfinite(t._data)
              and _uses_share_dtype(t, self)):
            self.names[id(t)] = _literal(t._data)
            self.literals[id(t)] = t._data
        else:  # a constant array made outside the step, or computed from the batch: the guard
            var = _identifier(shown[id(t)], self.taken)  # compares it on the checked calls
            self.names[id(t)] = var
            self.ns[var] = t._data
        if not t.requires_grad and id(t._data) not in slots:  # its value is in the program now
            self.constants.append((t, t._data, t._data.tobytes() if id(t) in self.literals
                                   else None))

    def _const(self, value):
        if isinstance(value, tuple):
            return "(" + "".join(self._const(v) + ", " for v in value) + ")"
        if isinstance(value, np.ndarray):
            slots = _input_slots(self.args)
            if id(value) in slots:
                return self.arg_vars[slots[id(value)]]
            var = _identifier("c", self.taken)
            self.ns[var] = value
            return var
        if isinstance(value, (int, float, bool, type(None), str)):
            return repr(value)
        var = _identifier("c", self.taken)
        self.ns[var] = value
        return var

    def _forward(self, t):
        node, out = t._node, self.names[id(t)]
        ins = [self.names[id(x)] for x in node.inputs]
        name = node.op.name
        if name == "softmax_cross_entropy":
            probs = _identifier("softmax_" + ins[0], self.taken)
            self.saved[id(t)] = probs
            line = (f"{out}, {probs} = cross_entropy_and_softmax({ins[0]}, "
                    f"{self._const(node.params['labels'])})")
        elif name in IN_PLACE and self._reusable(node.inputs[0], t):
            line = (f"{out} = np.{IN_PLACE[name]}({ins[0]}, {ins[1] if len(ins) > 1 else 0}, "
                    f"out={ins[0]})  # {FORWARD[name].format(*ins)}, in {ins[0]}'s array: nothing "
                    f"reads {ins[0]} again")  # (Program.follow turns it back into the comment)
        elif name in FORWARD and not node.params:
            line = f"{out} = " + FORWARD[name].format(*ins)
        elif name == "sum":
            axis, keep = node.params["axis"], node.params["keepdims"]
            settings = "" if axis is None and not keep else \
                f"axis={axis!r}, keepdims={keep!r}"
            line = f"{out} = {ins[0]}.sum({settings})"
        elif name == "transpose" and node.params["axes"] is None:
            line = f"{out} = {ins[0]}.T"
        elif name == "reshape":
            line = f"{out} = {ins[0]}.reshape({node.params['shape']!r})"
        elif name == "astype":
            line = f"{out} = {ins[0]}.astype({node.params['dtype'].name!r})"
        else:
            fn = self.functions.get(name)
            if fn is None:  # a name of its own: a constant may be called max or clip
                fn = self.functions[name] = _identifier(name, self.taken)
                self.ns[fn] = node.op.forward
            settings = "".join(f", {k}={self._const(v)}" for k, v in node.params.items())
            line = f"{out} = {fn}({', '.join(ins)}{settings})"
        self.lines.append("    " + line)

    def _reusable(self, x, t):
        """Whether t = x ± y or relu(x) may be computed into x's array (IN_PLACE): x is an
        intermediate that only this step reads, and whose producer's VJP does not read it back
        (matmul, add, sub read their inputs or nothing), of t's shape and dtype (the same
        numbers, one array less). Their own VJP lines read nothing of x: relu's reads t."""
        node = x._node
        return (node is not None and node.op.name in ("matmul", "add", "sub")
                and self.uses.get(id(x)) == 1 and x is not self.C and x._data.ndim > 0
                and x._data.shape == t._data.shape and x._data.dtype == t._data.dtype)

    def _fold(self, t, node, g, dxs):
        """Record the input gradients of a step as known values, when they are (the step's
        dout is known and its VJP needs nothing from the batch); False when a line is needed."""
        name, inputs = node.op.name, node.inputs
        if name in ("mul", "div"):  # dx = dout·y is known when y is a literal, as the cost's ½
            if name == "div" and inputs[1].requires_grad:
                return False
            for i, x in enumerate(inputs):
                if x.requires_grad and id(inputs[1 - i]) not in self.literals:
                    return False
        elif name not in ("add", "sub", "neg", "sum", "broadcast_to", "reshape", "transpose"):
            return False
        todo = [(x, dx) for x, dx in zip(inputs, dxs) if dx is not None and x.requires_grad]
        if any(id(x) in self.grad_names for x, _ in todo) or len({id(x) for x, _ in todo}) \
                < len(todo):
            return False  # x is used twice (h + h too): its gradient is a sum, written as lines
        for x, dx in todo:
            value = np.asarray(unbroadcast(dx, x._data.shape, name))  # as the backward loop
            var = _identifier("d" + self.names[id(x)], self.taken)
            self.grad_names[id(x)] = var
            self.grad_dtypes[id(x)] = value.dtype
            self.known[id(x)] = value
            how = _vjp_lines(node.op, g, self.names[id(t)], [self.names[id(u)] for u in inputs],
                             [u.requires_grad for u in inputs], node, self)
            i = next(i for i, u in enumerate(inputs) if u is x)
            expr = f"{g} copied over {value.shape}" if name in ("sum", "broadcast_to") \
                else how[i].split("  #")[0] if how else f"{name}'s VJP of {g}"
            self.lines.append(f"    # {var} = {expr} = {_value_text(value)}")
        return True

    def _known_text(self, t, node, value):
        """How the first line that meets the batch writes a known dout: a literal (or a numpy
        scalar) when every entry is the same number and numpy can spread it over the line's
        arrays, else an array kept in the namespace."""
        first = value.reshape(-1)[:1]
        form = _scalar_dout(t, node, value.dtype)
        if form and first.size and np.isfinite(first[0]) and (value == first[0]).all():
            if form == "literal":
                return _literal(first[0])
            var = _identifier("k", self.taken)  # a numpy scalar: its dtype is kept, as 0-d
            self.ns[var] = first[0]
            return var
        return self._known_array(self.grad_names[id(t)], value)

    def _known_array(self, name, value):
        """A namespace constant for a known gradient array, read-only: a line that hands it on
        as a gradient (db = known_dt) gives a .grad that _add_grads copies, never the constant."""
        var = _identifier("known_" + name, self.taken)
        value = np.array(value)  # our own copy, apart from the eager run's arrays
        value.flags.writeable = False
        self.ns[var] = value
        return var

    def step(self, t, node, dout, dxs):
        """One backward step (backprop's on_step): its gradient lines, as the loop computed them."""
        g, out = self.grad_names[id(t)], self.names[id(t)]
        ins = [self.names[id(x)] for x in node.inputs]
        needs = [x.requires_grad for x in node.inputs]
        known, gname = self.known.pop(id(t), None), g
        if known is not None:
            if self._fold(t, node, g, dxs):
                return
            g = self._known_text(t, node, known)
        if node.op.name == "softmax_cross_entropy":
            z, labels = ins[0], self._const(node.params["labels"])
            # a known scalar (a literal) spreads over the rows by itself
            dz = g if known is not None and g not in self.ns else f"{g}.reshape(-1, 1)"
            exprs = [f"{dz} * ({self.saved[id(t)]} - one_hot({labels}, {z}))"]
        else:
            exprs = _vjp_lines(node.op, g, out, ins, needs, node, self)
            if known is not None and node.op.name == "pow" and exprs and exprs[0] == \
                    f"2 * {ins[0]} * {g}" and g not in self.ns:  # x · (2·g): 2·g is exact
                twice = known.reshape(-1)[0] * known.dtype.type(2)
                if np.isfinite(twice):
                    exprs[0] = f"{ins[0]} * {_literal(twice)}  # 2 · {ins[0]} · {gname}"
        if exprs is None:  # the VJP itself, called with the captured settings
            fn = _identifier(node.op.name + "_vjp", self.taken)
            self.ns[fn] = node.op.vjp_fn
            settings = "".join(f", {k}={self._const(v)}" for k, v in node.params.items())
            if node.op.wants_needs:
                settings = f", needs={needs!r}" + settings
            var = _identifier("d_" + out, self.taken)
            self.lines.append(f"    {var} = {fn}({g}, {out}, {', '.join(ins)}{settings})")
            exprs = [f"{var}[{i}]" for i in range(len(dxs))]
        for x, dx, expr in zip(node.inputs, dxs, exprs):
            if dx is None or not x.requires_grad:
                continue
            if dx.shape != x._data.shape:
                axes = summed_axes(dx.shape, x._data.shape)
                axis = axes[0] if len(axes) == 1 else axes
                kept = tuple(n for i, n in enumerate(dx.shape) if i not in axes)
                if kept == x._data.shape:
                    expr = f"{_paren(expr)}.sum(axis={axis})"
                else:
                    expr = f"{_paren(expr)}.sum(axis={axis}, keepdims=True)"
                    if tuple(n if i not in axes else 1 for i, n in enumerate(dx.shape)) \
                            != x._data.shape:
                        expr += f".reshape({x._data.shape})"
            k = id(x)
            self.grad_dtypes[k] = np.result_type(self.grad_dtypes.get(k, dx.dtype), dx.dtype)
            if expr == g and k not in self.grad_names and x._node is not None and not x.name \
                    and self.uses.get(k) == 1:
                self.grad_names[k] = g  # a plain hand-over (the W·a of W·a + b): no line
                continue
            if k in self.known:  # a known gradient meets one with the batch in it
                var = self.grad_names[k]
                const = self._known_array(var, self.known.pop(k))
                self.lines.append(f"    {var} = {const} + {_paren(expr)}")
            elif k in self.grad_names:
                var = self.grad_names[k]
                self.lines.append(f"    {var} = {var} + {_paren(expr)}")
            else:
                var = _identifier("d" + self.names[k], self.taken) \
                    if not self.names[k][0].isdigit() else _identifier("dconst", self.taken)
                self.grad_names[k] = var
                self.lines.append(f"    {var} = {expr}")

    def finish(self, key, checks):
        for p, _ in self.params:  # a parameter's gradient with no batch in it: its own copy
            if id(p) in self.known:
                var = self.grad_names[id(p)]
                const = self._known_array(var, self.known.pop(id(p)))
                self.lines.append(f"    {var} = {const}.copy()  # the same every step")
        params = [p for p, _ in self.params if id(p) in self.grad_names]
        names = [v for p, v in self.params if id(p) in self.grad_names]
        grads = [self.grad_names[id(p)] for p in params]
        head = f"def step({', '.join(self.arg_vars)}):"
        body = "\n".join(self.param_lines + self.lines)
        loss = self.names[id(self.C)]
        tail = f"    return {loss}, ({''.join(g + ', ' for g in grads)})"
        source = f"{head}\n{body}\n{tail}\n"
        update = self._inline_sgd(params, names, grads, head, body, loss)
        shapes = tuple((a.shape, a.dtype) if isinstance(a, np.ndarray) else None
                       for a in (x._data if isinstance(x, Tensor) else x for x in self.args))
        prog = Program(key, source, update, self.ns, params, names, shapes,
                       _tape_of(self.C, self.tensors, self.args), self.C, checks,
                       [t for t, _ in self.params], self.constants)
        prog.ops = tuple((op, tuple(u if _is_wire(u) else "leaf" for u in ins))
                         for op, ins, _ in prog.tape)  # what _adopt compares: the wiring
        prog.op_vars = [self.names[id(t)] for t in sorted(
            (t for t in self.tensors if t._node is not None), key=lambda t: t._node.seq)]
        prog.arg_vars = self.arg_vars
        return prog

    def _inline_sgd(self, params, names, grads, head, body, loss):
        """The step with plain SGD's update written out (p ← p − lr·g, as SGD.step computes it),
        or None when the optimizer is anything else (it then runs its own step())."""
        opt = self.optimizer
        if type(opt) is not SGD:
            return None
        groups = {}
        for gi, group in enumerate(opt.param_groups):
            if group["momentum"] or group["weight_decay"]:
                return None
            for p in group["params"]:
                groups[id(p)] = gi
        if any(id(p) not in groups for p in params) or len(params) != len(
                [p for group in opt.param_groups for p in group["params"]]):
            return None  # a parameter outside the optimizer, or one the step never reaches
        body, owned = self._reuse_buffers(params, names, grads, body)
        lines = []
        for gi, group in enumerate(opt.param_groups):
            self.ns[f"G{gi}"] = group
            lines.append(f"    if G{gi}['momentum'] or G{gi}['weight_decay']:")
            lines.append("        raise RuntimeError('jit: SGD gained momentum or weight "
                         "decay since capture: make a new jit step')")
        for p, var, g in zip(params, names, grads):
            gi = groups[id(p)]
            if g in owned:  # the step's own array, used up here: scaled where it lies
                lines.append(f"    {g} *= G{gi}['lr']")
                lines.append(f"    {var} -= {g}")
                continue
            self.ns[f"D_{var}"] = np.empty_like(p._data)
            cast = "" if self.grad_dtypes[id(p)] == p._data.dtype else f".astype({var}.dtype)"
            lines.append(f"    np.multiply({g}{cast}, G{gi}['lr'], out=D_{var})")
            lines.append(f"    {var} -= D_{var}")
        stamped = " = ".join(f"P_{var}._changed" for var in names)
        lines.append(f"    {stamped} = stamp()  # as p.data -= d would: older graphs are stale")
        update = "\n".join(lines)
        head = head.replace("def step(", "def step_and_update(")
        return f"{head}\n{body}\n{update}\n    return {loss}\n"

    def _reuse_buffers(self, params, names, grads, body):
        """body with each weight gradient written as `dW = x.T @ dz` into one array kept
        between replays (numpy's out=), the same numbers without a fresh allocation per step.

        Only in the update function: it uses the gradient up before returning, while step()
        hands its gradients to the caller, who may keep them.
        """
        lines, owned = body.split("\n"), set()
        for p, var, g in zip(params, names, grads):
            assigned = [i for i, line in enumerate(lines) if line.startswith(f"    {g} = ")]
            if len(assigned) != 1:  # accumulated from several uses (dW = dW + ...): left as is
                continue
            m = re.fullmatch(rf"    {g} = ([\w.]+) @ ([\w.]+)", lines[assigned[0]])
            if m is None or self.grad_dtypes[id(p)] != p._data.dtype:
                continue
            self.ns[f"O_{var}"] = np.empty(p._data.shape, p._data.dtype)  # C order, as @ makes
            lines[assigned[0]] = (f"    {g} = np.matmul({m[1]}, {m[2]}, out=O_{var})"
                                  "  # the same array every step")
            owned.add(g)
        return "\n".join(lines), owned


def _uses_share_dtype(t, builder):
    """Whether the 0-d constant t may be written as a Python literal, which numpy casts to the
    dtype of the array it meets: every op using t has inputs and output of t's dtype (a
    comparison's booleans apart), and another input that is an array, not a constant (2.0 * 3
    would be a Python float, which numpy would cast on, where the 0-d arrays kept float64);
    and the step has one float dtype, so that the gradients that meet t in the backward lines
    have it too."""
    if not builder.one_dtype:
        return False
    for u in builder.tensors:
        node = u._node
        if node is not None and any(x is t for x in node.inputs):
            if any(x._data.dtype != t.dtype for x in node.inputs) or (
                    u._data.dtype != t.dtype and node.op.vjp_fn is not ops._no_gradient):
                return False  # (a comparison's booleans come from operands of t's dtype)
            if all(x is t or x._node is None and not x.requires_grad and x._data.ndim == 0
                   and id(x._data) not in builder.slots for x in node.inputs):
                return False
    return True


def _scalar_dout(t, node, dtype):
    """How a known dout with the same number in every entry may enter t's VJP line: "literal"
    (a Python number: numpy casts it to the dtype of the array it meets, so that must be an
    array of dout's dtype, never relu's bool mask, which would make float64, nor another number,
    as pow's g · y · …, which Python would multiply in double), "scalar" (a numpy scalar, which
    keeps its dtype as the 0-d array did), or None: the line needs dout's full shape (an array).
    A number can stand for dout only where every array it multiplies has t's shape."""
    name, shape, ins = node.op.name, t._data.shape, node.inputs
    if name == "pow":  # g · y · x^(y − 1) for a constant number y; 2 · x · g becomes x · (2g)
        y = ins[1]
        spreads = (ins[0]._data.shape == shape and not y.requires_grad and y._node is None
                   and y._data.ndim == 0)
        plain = spreads and y._data == 2
    elif name in ("mul", "div"):  # dx = g ⊙ y, dy = g ⊙ x (or ÷): the other has t's shape
        spreads = all(ins[1 - i]._data.shape == shape for i in (0, 1) if ins[i].requires_grad)
        plain = not any(u._node is None and not u.requires_grad and u._data.ndim == 0
                        for u in ins)
    else:
        spreads = name in ("softmax_cross_entropy", "sigmoid", "tanh", "exp", "log", "abs",
                           "sqrt", "relu")
        plain = name not in ("sqrt", "relu")  # g · 0.5 / out; g · (out > 0)
    if not spreads:
        return None
    same = all(u._data.dtype == dtype for u in (t, *ins))
    return "literal" if plain and same else "scalar"


def _value_text(value):
    """0.05, or 'every entry 0.05', or 'an array of shape (3, 2)': a known gradient in words."""
    flat = value.reshape(-1)
    if flat.size and (flat == flat[0]).all():
        return _literal(flat[0]) if value.ndim == 0 else f"{_literal(flat[0])} in every entry"
    return f"an array of shape {value.shape}"


def _paren(expr):
    return expr if re.fullmatch(r"[\w.]+", expr) else f"({expr})"
