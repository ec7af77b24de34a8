"""The shipped benchmarks: bench_ops (the cost of recording one operation, and one training step)
and bench_train (one epoch of MNIST), each against hand-written numpy doing the same math.

Imports the engine (tensor, functional, optim, jit), presets (the networks' initial weights) and
the bundled MNIST; PyTorch only if it is installed, for an extra column. Every baseline is
vectorized numpy written as a competent numpy programmer would, all sides run in turn in one
process on the same float32 batches, and all are first checked to compute the same gradients, so a
ratio compares the same math.
"""

import ctypes
import glob
import os
import platform
import statistics
import time
import timeit
from contextlib import contextmanager
from functools import partial

import numpy as np

from . import functional as F
from .data import load_mnist
from .jit import jit
from .optim import SGD
from .presets import get as get_preset
from .tensor import Tensor

DTYPE = np.float32
OVERHEAD_TARGET_US = 0.7  # median µs per recorded op over numpy (issue 11)
# ratio targets to hand-written numpy (issue 11), eager and replayed: {batch: target}
EAGER_TARGETS = {10: 2.5, 64: 1.25}
REPLAY_TARGETS = {10: 1.3, 64: 1.05}
BLOCK = 25  # batches a bench-train epoch runs before the next one takes its turn
NIELSEN = "Nielsen 784-30-10 sigmoid, quadratic"
MLP = "784-128-64-10 ReLU, softmax CE"


# ----- the machine --------------------------------------------------------------------------------

def machine():
    """What the timings were measured on: CPU model, cores, Python, numpy and BLAS threads.

    >>> sorted(machine())
    ['blas', 'blas_threads', 'cores', 'cpu', 'numpy', 'python']
    """
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    try:
        config = np.show_config(mode="dicts")["Build Dependencies"].get("blas", {})
    except (TypeError, KeyError):  # numpy < 1.25 only prints its configuration
        config = {}
    get, _ = _openblas()
    env = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS")
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count())
    return {"cpu": cpu, "cores": len(cores), "python": platform.python_version(),
            "numpy": np.__version__,
            "blas": f"{config.get('name', '?')} {config.get('version', '')}".strip(),
            "blas_threads": int(get()) if get else int(env) if env else None}


def _openblas():
    """(get_num_threads, set_num_threads) of the OpenBLAS numpy loaded, or (None, None)."""
    for path in glob.glob(os.path.join(os.path.dirname(np.__file__) + ".libs", "*openblas*")):
        lib = ctypes.CDLL(path)  # the copy numpy already loaded: this loads nothing new
        for prefix, suffix in [("scipy_openblas_", "64_"), ("scipy_openblas_", ""),
                               ("openblas_", "64_"), ("openblas_", "")]:
            get = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
            put = getattr(lib, f"{prefix}set_num_threads{suffix}", None)
            if get is not None and put is not None:
                return get, put
    return None, None


@contextmanager
def limit_blas_threads(n):
    """Run a block with OpenBLAS limited to n threads (None: leave it), then restore it.

    On a small shared machine a second BLAS thread waits for a busy core: a (64, 784) @
    (784, 128) product took 2× to 30× longer with 2 threads than with 1 on the 2-core machine
    of docs/benchmarks.md. Both sides of every comparison use the same BLAS either way.

    >>> with limit_blas_threads(1):
    ...     machine()["blas_threads"] in (1, None)
    True
    """
    get, put = _openblas()
    if n is None or get is None:
        yield
        return
    before = int(get())
    put(int(n))
    try:
        yield
    finally:
        put(before)


def _machine_line(m, default_threads):
    pinned = "" if m["blas_threads"] == default_threads else \
        f" (set for the benchmark; numpy's default here: {default_threads})"
    return (f"machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, numpy {m['numpy']}, "
            f"{m['blas']} with {m['blas_threads']} thread(s){pinned}")


# ----- timing -------------------------------------------------------------------------------------

def _calibrate(fn, seconds):
    """How many calls of fn take about `seconds` (at least 1)."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds / 4 or n >= 1 << 20:
            return max(1, int(n * seconds / max(elapsed, 1e-9)))
        n *= 4


def _alternate(runs, rounds):
    """Time each run in turn, `rounds` times, its order reversed every other round.

    runs maps a name to (fn, calls): fn() is one call, timed `calls` times in a row. Returns
    {name: [seconds per call in each round]}; interleaving spreads other processes' load evenly.
    """
    times = {name: [] for name in runs}
    names = list(runs)
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            fn, calls = runs[name]
            t0 = time.perf_counter()
            for _ in range(calls):
                fn()
            times[name].append((time.perf_counter() - t0) / calls)
    return times


def _interleave(runs, rounds, block=BLOCK):
    """Time each run's epoch, `rounds` times, all of them advanced in turn `block` batches at a
    time, the order of the runs reversed every other round.

    runs maps a name to a function making that epoch's generator, which yields after every batch
    and returns what it trained. Returns ({name: [seconds of each round's epoch]}, {name: what the
    last round's epoch returned}). A machine that speeds up or slows down for a few seconds (other
    tenants, clocks) then slows every run alike, where whole epochs timed one after another, a
    second or more each, could each meet a different moment. Each run still walks `block`
    consecutive batches with its own weights warm in the caches, as an epoch does.
    """
    times, results = {name: [] for name in runs}, {}
    for r in range(rounds):
        names = list(runs) if r % 2 == 0 else list(runs)[::-1]
        live = {name: runs[name]() for name in names}  # a generator runs nothing until next()
        spent = dict.fromkeys(names, 0.0)
        while live:
            for name in [n for n in names if n in live]:
                epoch, t0 = live[name], time.perf_counter()
                try:
                    for _ in range(block):
                        next(epoch)
                except StopIteration as done:
                    results[name] = done.value
                    del live[name]
                spent[name] += time.perf_counter() - t0
        for name in names:
            times[name].append(spent[name])
    return times, results


def _to_end(epoch):
    """Run an epoch generator through (outside the timed loops); what it returns."""
    while True:
        try:
            next(epoch)
        except StopIteration as done:
            return done.value


def _paired_ratio(a, b):
    """The median over rounds of a[i] / b[i]: each ratio compares runs made moments apart."""
    return statistics.median(x / y for x, y in zip(a, b))


# ----- the networks, with tinygrad_edu ------------------------------------------------------------

def nielsen_cost(P, x, y):
    """Nielsen's quadratic cost C = (1/m) Σ ½‖a3 − y‖² of a 784-30-10 sigmoid network (columns).

    The same expression as the nielsen preset's forward: what `tinygrad-edu train` runs.

    >>> P = {k: Tensor(v, requires_grad=True) for k, v in _init("nielsen").items()}
    >>> x, y = np.zeros((784, 2), np.float32), np.eye(10, 2, dtype=np.float32)
    >>> nielsen_cost(P, x, y).shape
    ()
    """
    a2 = (P["W2"] @ x + P["b2"]).sigmoid()
    a3 = (P["W3"] @ a2 + P["b3"]).sigmoid()
    return ((a3 - y) ** 2).sum() * (0.5 / x.shape[1])


def mlp_cost(P, x, labels):
    """The softmax cross-entropy of a 784-128-64-10 ReLU network (rows: x is (N, 784)).

    >>> P = {k: Tensor(v, requires_grad=True) for k, v in _init("mlp").items()}
    >>> round(mlp_cost(P, np.zeros((2, 784), np.float32), np.array([3, 5])).item(), 4)
    2.3026
    """
    a1 = (x @ P["W1"] + P["b1"]).relu()
    a2 = (a1 @ P["W2"] + P["b2"]).relu()
    return F.cross_entropy(a2 @ P["W3"] + P["b3"], labels)


def _init(network, seed=0):
    """Initial float32 weights: Nielsen's N(0, 1) for nielsen; He with zero biases for the MLP."""
    if network == "nielsen":
        preset = get_preset("nielsen")
    else:
        preset = get_preset("scratch").with_overrides(sizes=(784, 128, 64, 10), init="he")
    return preset.init_params(seed, dtype=DTYPE)


def _tensor_grads(cost, P, x, y):
    """One forward and backward step with tinygrad_edu; the gradients land in P[k].grad."""
    for p in P.values():
        p.grad = None
    cost(P, x, y).backward()


# ----- the same networks, by hand in numpy --------------------------------------------------------

def _sigmoid_in_place(z):
    """σ(z) = ½(1 + tanh(z/2)), the formula ops.sigmoid uses, written over z itself."""
    z *= 0.5
    np.tanh(z, out=z)
    z += 1
    z *= 0.5
    return z


def nielsen_numpy_grads(p, x, y):
    """∂C/∂W and ∂C/∂b of nielsen_cost for a whole mini-batch at once, by BP1-BP4 in numpy.

    >>> g = nielsen_numpy_grads(_init("nielsen"), np.zeros((784, 2), np.float32),
    ...                         np.eye(10, 2, dtype=np.float32))
    >>> [(k, v.shape, v.dtype.name) for k, v in g.items()][:2]
    [('W2', (30, 784), 'float32'), ('b2', (30, 1), 'float32')]
    """
    W2, b2, W3, b3 = p["W2"], p["b2"], p["W3"], p["b3"]
    z2 = W2 @ x
    z2 += b2
    a2 = _sigmoid_in_place(z2)
    z3 = W3 @ a2
    z3 += b3
    a3 = _sigmoid_in_place(z3)
    delta3 = a3 - y  # BP1: δ3 = ∇ₐC ⊙ σ'(z3), with the mean's 1/m folded in
    delta3 *= 1 / x.shape[1]
    s3 = 1 - a3
    s3 *= a3
    delta3 *= s3
    delta2 = W3.T @ delta3  # BP2: δ2 = (W3ᵀ δ3) ⊙ σ'(z2)
    s2 = 1 - a2
    s2 *= a2
    delta2 *= s2
    return {"W2": delta2 @ x.T, "b2": delta2.sum(axis=1, keepdims=True),  # BP3, BP4
            "W3": delta3 @ a2.T, "b3": delta3.sum(axis=1, keepdims=True)}


def mlp_numpy_grads(p, x, labels):
    """∂C/∂W and ∂C/∂b of mlp_cost by the δ-formulas, vectorized over the batch in numpy.

    >>> g = mlp_numpy_grads(_init("mlp"), np.zeros((2, 784), np.float32), np.array([3, 5]))
    >>> [(k, v.shape) for k, v in g.items()][-2:]
    [('W3', (64, 10)), ('b3', (10,))]
    """
    W1, b1, W2, b2, W3, b3 = p["W1"], p["b1"], p["W2"], p["b2"], p["W3"], p["b3"]
    N = x.shape[0]
    a1 = x @ W1
    a1 += b1
    np.maximum(a1, 0, out=a1)  # relu in place: a1 > 0 exactly where z1 > 0
    a2 = a1 @ W2
    a2 += b2
    np.maximum(a2, 0, out=a2)
    z3 = a2 @ W3
    z3 += b3
    z3 -= z3.max(axis=1, keepdims=True)  # shifted: the softmax cannot overflow
    delta3 = np.exp(z3, out=z3)
    delta3 /= delta3.sum(axis=1, keepdims=True)
    delta3[np.arange(N), labels] -= 1  # δ3 = (softmax(z3) − onehot) / N
    delta3 *= 1 / N
    delta2 = delta3 @ W3.T
    delta2 *= a2 > 0  # relu'(0) = 0, as in the engine
    delta1 = delta2 @ W2.T
    delta1 *= a1 > 0
    return {"W1": x.T @ delta1, "b1": delta1.sum(axis=0), "W2": a1.T @ delta2,
            "b2": delta2.sum(axis=0), "W3": a2.T @ delta3, "b3": delta3.sum(axis=0)}


def _network_py_backprop(weights, biases, x, y):
    """network.py's backprop(x, y): one (784, 1) example, layer by layer, lists as in the book."""
    nabla_b = [None] * len(biases)
    nabla_w = [None] * len(weights)
    activation, activations, zs = x, [x], []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = _network_py_sigmoid(z)
        activations.append(activation)
    delta = (activations[-1] - y) * _network_py_sigmoid_prime(zs[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, len(weights) + 1):
        sp = _network_py_sigmoid_prime(zs[-l])
        delta = np.dot(weights[-l + 1].transpose(), delta) * sp
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return nabla_b, nabla_w


def _network_py_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _network_py_sigmoid_prime(z):
    return _network_py_sigmoid(z) * (1 - _network_py_sigmoid(z))


def _network_py_update_mini_batch(weights, biases, mini_batch, eta):
    """network.py's update_mini_batch: backprop example by example, sum, then one step."""
    nabla_b = [np.zeros(b.shape, b.dtype) for b in biases]  # float32 here; the book's: float64
    nabla_w = [np.zeros(w.shape, w.dtype) for w in weights]
    for x, y in mini_batch:
        delta_nabla_b, delta_nabla_w = _network_py_backprop(weights, biases, x, y)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(weights, nabla_w)]
    biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(biases, nabla_b)]
    return weights, biases


# ----- checks -------------------------------------------------------------------------------------

def _max_rel_diff(ours, theirs):
    """The largest |a − b| over all gradients, relative to the largest |b| of the same gradient."""
    worst = 0.0
    for name, b in theirs.items():
        a = ours[name]
        if a.shape != b.shape:
            return float("inf")
        scale = float(np.abs(b).max()) or 1.0
        worst = max(worst, float(np.abs(a.astype(np.float64) - b).max()) / scale)
    return worst


def _check_same_gradients(label, cost, numpy_grads, params, x, y, tol=1e-4):
    """Raise RuntimeError unless tinygrad_edu and the numpy step give the same gradients."""
    P = {k: Tensor(v.copy(), requires_grad=True, name=k) for k, v in params.items()}
    _tensor_grads(cost, P, x, y)
    ours = {k: P[k].grad.data for k in params}
    theirs = numpy_grads(params, x, y)
    diff = _max_rel_diff(ours, theirs)
    if not diff <= tol:  # also catches nan
        raise RuntimeError(
            f"bench: {label}: tinygrad_edu's gradients differ from the hand-written numpy "
            f"step's by {diff:.3g} (relative; allowed {tol:g}), so the timing would not compare "
            "the same math; run tinygrad_edu.check on the engine first"
        )
    return diff


# ----- bench ops ----------------------------------------------------------------------------------

def _op_cases(rng):
    """(label, numpy statement, tinygrad_edu statement, variables) for the per-op table."""
    a, b = rng.standard_normal((2, 10), dtype=DTYPE)
    A, B = rng.standard_normal((2, 10, 10), dtype=DTYPE)
    x = rng.standard_normal(100, dtype=DTYPE)
    return [
        ("add (10,) + (10,)", "a + b", "ta + tb", {"a": a, "b": b}),
        ("matmul (10,10) @ (10,10)", "a @ b", "ta @ tb", {"a": A, "b": B}),
        ("sigmoid (100,)", "0.5 * (1 + np.tanh(0.5 * a))", "ta.sigmoid()", {"a": x}),
    ]


def _time_ops(repeat, quick, log, torch=None):
    rng = np.random.default_rng(0)
    rows = []
    for label, np_stmt, t_stmt, arrays in _op_cases(rng):
        ns = {"np": np, **arrays}
        ns.update({f"t{k}": Tensor(v, requires_grad=True) for k, v in arrays.items()})
        ns_off = {"np": np, **{f"t{k}": Tensor(v) for k, v in arrays.items()}}
        timers = {"numpy": timeit.Timer(np_stmt, globals=ns),
                  "recorded": timeit.Timer(t_stmt, globals=ns),
                  "not recorded": timeit.Timer(t_stmt, globals=ns_off)}
        if torch is not None:  # the same statement on PyTorch tensors that require grad
            ns_torch = {f"t{k}": torch.tensor(v, requires_grad=True) for k, v in arrays.items()}
            timers["torch"] = timeit.Timer(t_stmt, globals=ns_torch)
        number = 200 if quick else max(_calibrate(lambda t=timers["recorded"]: t.timeit(100),
                                                  0.03) * 100, 1000)
        times = {k: [] for k in timers}
        for r in range(repeat):  # alternate, so a burst of load hits every column alike
            for k in (timers if r % 2 == 0 else list(timers)[::-1]):
                times[k].append(timers[k].timeit(number) / number * 1e6)
        us = {k: statistics.median(v) for k, v in times.items()}
        rows.append({"op": label, "numpy_us": us["numpy"], "tinygrad_us": us["recorded"],
                     "not_recorded_us": us["not recorded"],
                     "overhead_us": us["recorded"] - us["numpy"],
                     "ratio": us["recorded"] / us["numpy"], "torch_us": us.get("torch")})
    log(f"(a) one operation on tiny float32 arrays, requires_grad=True so it is recorded "
        f"(µs per op, median of {repeat} timeit runs):")
    log(f"  {'operation':26} {'numpy':>8} {'tinygrad_edu':>13} {'overhead':>9} {'ratio':>7}"
        f" {'(no_grad)':>10} {'PyTorch':>8}")
    for r in rows:
        log(f"  {r['op']:26} {r['numpy_us']:8.2f} {r['tinygrad_us']:13.2f} "
            f"{r['overhead_us']:+9.2f} {r['ratio']:6.2f}× {r['not_recorded_us']:10.2f} "
            f"{_torch_cell(r['torch_us'], '.2f')}")
    med = statistics.median(r["overhead_us"] for r in rows)
    log(f"  median overhead {med:.2f} µs per recorded op; target ≤ {OVERHEAD_TARGET_US:.1f} µs: "
        f"{_verdict(med <= OVERHEAD_TARGET_US)}")
    return rows, med


def _verdict(met):
    return "met" if met else "MISSED"


def _torch_cell(value, fmt, width=8):
    """A figure, or — where the column was not measured (PyTorch missing, --eager)."""
    return f"{'—':>{width}}" if value is None else f"{value:{width}{fmt}}"


def _ratio_cell(ratio):
    return f"{'—':>7}" if ratio is None else f"{ratio:6.2f}×"


def _targets_text(r):
    """'eager ≤ 2.50×: met, replay ≤ 1.30×: MISSED' for a row with targets, else '—'. A ratio
    that the table rounds to its target is given with three decimals, so that a verdict next to
    "1.25×" and "≤ 1.25×" can be read: "MISSED (1.253×)"."""
    parts = []
    for label, ratio, target, met in (("eager", r["ratio"], r["target"], r["met"]),
                                      ("replay", r.get("replay_ratio"), r.get("replay_target"),
                                       r.get("replay_met"))):
        if target is None or ratio is None:
            continue
        close = f" ({ratio:.3f}×)" if f"{ratio:.2f}" == f"{target:.2f}" else ""
        parts.append(f"{label} ≤ {target:.2f}×: {_verdict(met)}{close}")
    return ", ".join(parts) or "—"


def _step_target(batch, targets=None):
    """The issue's target ratio for one step at this batch size (None: no target)."""
    return (EAGER_TARGETS if targets is None else targets).get(batch)


# ----- PyTorch, when it is installed --------------------------------------------------------------

def _torch():
    """The torch module if PyTorch is installed (an optional column, never a dependency)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


@contextmanager
def _torch_threads(torch, n):
    """PyTorch on n threads (None: leave it), as limit_blas_threads does for numpy."""
    if torch is None or n is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _torch_cost(torch, network):
    """nielsen_cost or mlp_cost written in PyTorch, the same expressions."""
    if network == "nielsen":
        def cost(P, x, y):
            a2 = torch.sigmoid(P["W2"] @ x + P["b2"])
            a3 = torch.sigmoid(P["W3"] @ a2 + P["b3"])
            return ((a3 - y) ** 2).sum() * (0.5 / x.shape[1])
        return cost

    def cost(P, x, labels):
        a1 = torch.relu(x @ P["W1"] + P["b1"])
        a2 = torch.relu(a1 @ P["W2"] + P["b2"])
        return torch.nn.functional.cross_entropy(a2 @ P["W3"] + P["b3"], labels)
    return cost


def _torch_batches(torch, data):
    return [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in data]


def _torch_grads(torch, cost, params, x, y):
    P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    cost(P, x, y).backward()
    return {k: p.grad.numpy() for k, p in P.items()}


def _check_torch(torch, label, cost, numpy_grads, params, x, y, tol=1e-4):
    """Raise unless PyTorch's gradients equal the numpy step's on this batch (float32 sums)."""
    diff = _max_rel_diff(_torch_grads(torch, cost, params, torch.from_numpy(x),
                                      torch.from_numpy(y)), numpy_grads(params, x, y))
    if not diff <= tol:
        raise RuntimeError(f"bench: {label}: PyTorch's gradients differ from the numpy step's by "
                           f"{diff:.3g} (relative; allowed {tol:g}): not the same math")
    return diff


def _epoch_torch(torch, cost, params, batches, lr):
    """The epoch in PyTorch eager mode: forward, backward, p ← p − lr·g under no_grad."""
    P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    for x, y in batches:
        cost(P, x, y).backward()
        with torch.no_grad():
            for p in P.values():
                p -= lr * p.grad
                p.grad = None
        yield
    return {k: p.detach().numpy() for k, p in P.items()}


def _mnist_batches(X, y, batch, count, layout, rng):
    """count real MNIST batches: x (784, m) and one-hot y (10, m), or x (N, 784) and labels."""
    out = []
    for _ in range(count):
        idx = rng.choice(len(X), batch, replace=False)
        if layout == "columns":  # F-ordered columns, as X[i:i+m].T gives them in an epoch loop
            out.append((X[idx].T, np.eye(10, dtype=DTYPE)[y[idx]].T))
        else:
            out.append((X[idx], y[idx]))
    return out


def _time_step(cost, numpy_grads, params, data, repeat, quick, eager=False, torch=None,
               network=None):
    """Seconds per call of each side's step (and of our forward alone), alternating."""
    P = {k: Tensor(v.copy(), requires_grad=True, name=k) for k, v in params.items()}
    counters = {"ours": 0, "forward": 0, "theirs": 0, "replay": 0, "torch": 0}
    step = jit(lambda x, y: cost(P, x, y))

    def batch_for(run):
        counters[run] += 1
        return data[counters[run] % len(data)]

    def ours():
        _tensor_grads(cost, P, *batch_for("ours"))

    def forward():  # recorded, then dropped: the graph is built and freed, not walked
        cost(P, *batch_for("forward"))

    def theirs():
        numpy_grads(params, *batch_for("theirs"))

    def replay():  # the captured step; its first calls (capture, checks) run before timing
        for p in P.values():
            p.grad = None
        step(*batch_for("replay"))

    calls = 3 if quick else _calibrate(theirs, 0.08)
    runs = {"ours": (ours, calls), "theirs": (theirs, calls), "forward": (forward, calls)}
    if not eager:
        for _ in range(step.check + 1):
            replay()
        runs["replay"] = (replay, calls)
    if torch is not None:
        tcost, tdata = _torch_cost(torch, network), _torch_batches(torch, data)
        TP = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}

        def pytorch():
            for p in TP.values():
                p.grad = None
            counters["torch"] += 1
            tcost(TP, *tdata[counters["torch"] % len(tdata)]).backward()

        runs["torch"] = (pytorch, calls)
    return _alternate(runs, repeat)


def _time_steps(repeat, quick, log, eager=False, torch=None):
    X, y = load_mnist(dtype=DTYPE).train
    rng = np.random.default_rng(0)
    workloads = [(NIELSEN, "nielsen", b, nielsen_cost, nielsen_numpy_grads, "columns")
                 for b in (1, 10, 100)]
    workloads.append((MLP, "mlp", 64, mlp_cost, mlp_numpy_grads, "rows"))
    rows = []
    for label, network, batch, cost, numpy_grads, layout in workloads:
        params = _init(network)
        data = _mnist_batches(X, y, batch, 4 if quick else 32, layout, rng)
        diff = _check_same_gradients(f"{label}, batch {batch}", cost, numpy_grads, params,
                                     *data[0])
        if torch is not None:
            _check_torch(torch, f"{label}, batch {batch}", _torch_cost(torch, network),
                         numpy_grads, params, *data[0])
        times = _time_step(cost, numpy_grads, params, data, repeat, quick, eager, torch,
                           network)
        target, replay_target = _step_target(batch), _step_target(batch, REPLAY_TARGETS)
        ratio = _paired_ratio(times["ours"], times["theirs"])
        replay = _paired_ratio(times["replay"], times["theirs"]) if "replay" in times else None
        us = {k: statistics.median(v) * 1e6 for k, v in times.items()}
        rows.append({"network": label, "batch": batch, "tinygrad_us": us["ours"],
                     "forward_us": us["forward"], "backward_us": us["ours"] - us["forward"],
                     "numpy_us": us["theirs"], "ratio": ratio, "target": target,
                     "met": None if target is None else ratio <= target, "max_rel_diff": diff,
                     "replay_us": us.get("replay"), "replay_ratio": replay,
                     "replay_target": replay_target,
                     "replay_met": None if replay_target is None or replay is None
                     else replay <= replay_target,
                     "torch_us": us.get("torch"),
                     "torch_ratio": _paired_ratio(times["torch"], times["theirs"])
                     if "torch" in times else None})
    log(f"(b) one forward+backward step (no update), float32, real MNIST batches; µs per step, "
        f"median of {repeat} alternating runs; ratio = median of the paired ratios to numpy:")
    log(f"  {'network':38} {'batch':>5} {'numpy by hand':>14} {'eager':>8} {'(fwd + bwd)':>15} "
        f"{'ratio':>7} {'replay':>8} {'ratio':>7} {'PyTorch':>8} {'ratio':>7}  targets")
    for r in rows:
        split = f"({r['forward_us']:.0f} + {r['backward_us']:.0f})"
        log(f"  {r['network']:38} {r['batch']:5d} {r['numpy_us']:14.1f} {r['tinygrad_us']:8.1f} "
            f"{split:>15} {r['ratio']:6.2f}× {_torch_cell(r['replay_us'], '.1f')} "
            f"{_ratio_cell(r['replay_ratio'])} {_torch_cell(r['torch_us'], '.1f')} "
            f"{_ratio_cell(r['torch_ratio'])}  {_targets_text(r)}")
    if torch is None:
        log("  PyTorch: not installed, skipped")
    if eager:
        log("  replay: not timed (--eager)")
    log("  gradients checked equal before timing (largest relative difference "
        f"{max(r['max_rel_diff'] for r in rows):.1e}); fwd = building the recorded graph, "
        "bwd = the rest of the step")
    return rows


def _check_counts(fn, **counts):
    """Raise before anything runs unless each count is a whole number ≥ 1 (blas_threads: or
    None, numpy's default)."""
    for name, n in counts.items():
        if name == "blas_threads" and n is None:
            continue
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            also = " or None (numpy's default)" if name == "blas_threads" else ""
            raise ValueError(f"{fn}: {name} must be a whole number ≥ 1{also}, got {n!r}")


def bench_ops(*, repeat=7, quick=False, blas_threads=1, eager=False, log=print):
    """Time recorded operations and one training step against numpy; print and return the table.

    (a) µs per op for a (10,) add, a (10,10) matmul and a (100,) sigmoid with requires_grad on,
    beside the same numpy expression; (b) one forward+backward step of Nielsen's 784-30-10 network
    at batch 1, 10 and 100 and of a 784-128-64-10 ReLU softmax-CE MLP at batch 64, beside a
    hand-written numpy step, alternating, eager and replayed (jit; not with eager=True), and in
    PyTorch when it is installed. Every figure is a median of `repeat` runs. OpenBLAS (and
    PyTorch) run with blas_threads threads (None: the default). quick=True shrinks every loop.

    >>> result = bench_ops(quick=True, repeat=1, log=lambda line: None)
    >>> [r["batch"] for r in result["steps"]], result["gradients_match"]
    ([1, 10, 100, 64], True)
    """
    _check_counts("bench_ops", repeat=repeat, blas_threads=blas_threads)
    default = machine()["blas_threads"]
    with limit_blas_threads(blas_threads):
        return _bench_ops(repeat, quick, log, default, eager, blas_threads)


def _bench_ops(repeat, quick, log, default_threads, eager, blas_threads):
    m = machine()
    log("tinygrad-edu bench ops" + ("  (quick: shrunk loops, numbers are rough)" if quick else ""))
    log(_machine_line(m, default_threads))
    torch = _torch()
    with _torch_threads(torch, blas_threads):
        ops, med = _time_ops(repeat, quick, log, torch)
        steps = _time_steps(repeat, quick, log, eager, torch)
    return {"machine": m, "repeat": repeat, "quick": quick, "ops": ops,
            "median_overhead_us": med, "overhead_target_us": OVERHEAD_TARGET_US,
            "overhead_met": med <= OVERHEAD_TARGET_US, "steps": steps,
            "gradients_match": True}  # _check_same_gradients raised otherwise


# ----- bench train --------------------------------------------------------------------------------

# Each epoch is a generator: it yields after every batch (see _interleave) and returns the trained
# weights; _to_end(epoch) runs one through.

def _epoch_tinygrad(cost, params, batches, lr):
    """One epoch with tinygrad_edu: forward, backward, SGD step."""
    P = {k: Tensor(v.copy(), requires_grad=True, name=k) for k, v in params.items()}
    opt = SGD(list(P.values()), lr=lr)
    for x, y in batches:
        opt.zero_grad()
        cost(P, x, y).backward()
        opt.step()
        yield
    return {k: p.data for k, p in P.items()}


def _epoch_replay(cost, params, batches, lr):
    """The epoch as train() runs it: one jit step (capture, checked calls, then replay)."""
    P = {k: Tensor(v.copy(), requires_grad=True, name=k) for k, v in params.items()}
    step = jit(lambda x, y: cost(P, x, y), optimizer=SGD(list(P.values()), lr=lr))
    for x, y in batches:
        step(x, y)
        yield
    return {k: p.data for k, p in P.items()}


def _epoch_numpy(numpy_grads, params, batches, lr):
    """The same epoch by hand: the numpy gradients, then W ← W − lr·∂C/∂W in place."""
    p = {k: v.copy() for k, v in params.items()}
    for x, y in batches:
        grads = numpy_grads(p, x, y)
        for k, g in grads.items():
            g *= lr
            p[k] -= g
        yield
    return p


def _epoch_network_py(params, examples, eta, mini_batch_size=10):
    """Nielsen's network.py SGD loop over the examples, one (784, 1) column at a time."""
    weights, biases = [params["W2"].copy(), params["W3"].copy()], [params["b2"].copy(),
                                                                   params["b3"].copy()]
    for k in range(0, len(examples), mini_batch_size):
        with np.errstate(over="ignore"):  # the book's σ overflows exp(−z) for z ≪ 0, harmlessly
            weights, biases = _network_py_update_mini_batch(
                weights, biases, examples[k:k + mini_batch_size], eta)
        yield  # outside errstate: the epochs timed in turn with this one keep their own
    return {"W2": weights[0], "b2": biases[0], "W3": weights[1], "b3": biases[1]}


def _accuracy(network, p, X, y):
    """Test accuracy of trained weights, by a numpy forward pass."""
    if network == "nielsen":
        z = p["W3"] @ _sigmoid_in_place(p["W2"] @ X.T + p["b2"]) + p["b3"]
        return float((z.argmax(axis=0) == y).mean())
    a = np.maximum(X @ p["W1"] + p["b1"], 0)
    a = np.maximum(a @ p["W2"] + p["b2"], 0)
    return float(((a @ p["W3"] + p["b3"]).argmax(axis=1) == y).mean())


def bench_train(*, epochs=1, quick=False, blas_threads=1, eager=False, log=print):
    """Time one MNIST epoch with tinygrad_edu against hand-written numpy; print and return it.

    (a) Nielsen's 784-30-10 sigmoid network on his 50,000 training images, mini-batch 10, SGD
    η = 3.0; (b) a 784-128-64-10 ReLU softmax-CE MLP on all 60,000, batch 64, SGD lr 0.1. Each
    is timed `epochs` times beside the numpy version, from the same initial weights: eager,
    replayed (jit, as train() runs it; not with eager=True) and in PyTorch eager mode when it is
    installed. All the epochs of a round run in turn, BLOCK batches at a time (_interleave).
    Nielsen's own per-example loop is timed on 2,000 examples and extrapolated to an epoch.
    OpenBLAS runs with blas_threads threads (None: numpy's default). quick=True trains on 2,000
    images (200 for the per-example loop), for the tests.

    >>> result = bench_train(quick=True, log=lambda line: None)
    >>> [r["batch"] for r in result["epochs"]], result["gradients_match"]
    ([10, 64], True)
    """
    _check_counts("bench_train", epochs=epochs, blas_threads=blas_threads)
    default = machine()["blas_threads"]
    with limit_blas_threads(blas_threads):
        return _bench_train(epochs, quick, log, default, eager, blas_threads)


def _bench_train(epochs, quick, log, default_threads, eager, blas_threads):
    torch = _torch()
    with _torch_threads(torch, blas_threads):
        return _bench_train_in(epochs, quick, log, default_threads, eager, torch)


def _bench_train_in(epochs, quick, log, default_threads, eager, torch):
    m = machine()
    ds = load_mnist(dtype=DTYPE)
    X, y = ds.train
    rng = np.random.default_rng(0)
    log("tinygrad-edu bench train" + ("  (quick: 2,000 images, numbers are rough)"
                                      if quick else ""))
    log(_machine_line(m, default_threads))
    # Nielsen trains on the first 50,000 images (load_mnist(validation=10000).train); the shuffle
    # is drawn once, outside the timed loops, and both sides walk the same batches.
    n_nielsen, n_mlp, n_loop = (2000, 2000, 200) if quick else (50000, 60000, 2000)
    order = rng.permutation(50000)[:n_nielsen]
    Xn, Yn = X[order], np.eye(10, dtype=DTYPE)[y[order]]
    nielsen_batches = [(Xn[i:i + 10].T, Yn[i:i + 10].T) for i in range(0, n_nielsen, 10)]
    order = rng.permutation(len(X))[:n_mlp]
    Xm, ym = X[order], y[order]
    mlp_batches = [(Xm[i:i + 64], ym[i:i + 64]) for i in range(0, n_mlp, 64)]
    loop_examples = [(Xn[i].reshape(784, 1), Yn[i].reshape(10, 1)) for i in range(n_loop)]

    cases = [("nielsen", NIELSEN, 10, 3.0, nielsen_cost, nielsen_numpy_grads, nielsen_batches,
              n_nielsen, EAGER_TARGETS[10]),
             ("mlp", MLP, 64, 0.1, mlp_cost, mlp_numpy_grads, mlp_batches, n_mlp,
              EAGER_TARGETS[64])]
    params = {c[0]: _init(c[0]) for c in cases}
    for network, label, batch, _, cost, numpy_grads, batches, *_ in cases:
        _check_same_gradients(f"{label}, batch {batch}", cost, numpy_grads, params[network],
                              *batches[0])
        if torch is not None:
            _check_torch(torch, f"{label}, batch {batch}", _torch_cost(torch, network),
                         numpy_grads, params[network], *batches[0])
    runs = {}  # name -> a function making the epoch's generator (see _interleave)
    for network, _, _, lr, cost, numpy_grads, batches, *_ in cases:
        p = params[network]
        runs[f"{network} ours"] = partial(_epoch_tinygrad, cost, p, batches, lr)
        runs[f"{network} theirs"] = partial(_epoch_numpy, numpy_grads, p, batches, lr)
        if not eager:
            runs[f"{network} replay"] = partial(_epoch_replay, cost, p, batches, lr)
        if torch is not None:
            runs[f"{network} torch"] = partial(_epoch_torch, torch, _torch_cost(torch, network),
                                               p, _torch_batches(torch, batches), lr)
    runs["network.py"] = partial(_epoch_network_py, params["nielsen"], loop_examples, 3.0)
    times, trained = _interleave(runs, epochs)

    rows = []
    for network, label, batch, lr, *_, n, target in cases:
        ours, theirs = times[f"{network} ours"], times[f"{network} theirs"]
        ratio = _paired_ratio(ours, theirs)
        replay, torch_s = times.get(f"{network} replay"), times.get(f"{network} torch")
        replay_ratio = None if replay is None else _paired_ratio(replay, theirs)
        rows.append({"network": label, "examples": n, "batch": batch, "lr": lr,
                     "tinygrad_s": statistics.median(ours), "numpy_s": statistics.median(theirs),
                     "ratio": ratio, "target": target, "met": ratio <= target,
                     "replay_s": None if replay is None else statistics.median(replay),
                     "replay_ratio": replay_ratio, "replay_target": REPLAY_TARGETS[batch],
                     "replay_met": None if replay is None
                     else replay_ratio <= REPLAY_TARGETS[batch],
                     "replay_accuracy": None if replay is None else _accuracy(
                         network, trained[f"{network} replay"], *ds.test),
                     "torch_s": None if torch_s is None else statistics.median(torch_s),
                     "torch_ratio": None if torch_s is None else _paired_ratio(torch_s, theirs),
                     "tinygrad_accuracy": _accuracy(network, trained[f"{network} ours"],
                                                    *ds.test),
                     "numpy_accuracy": _accuracy(network, trained[f"{network} theirs"],
                                                 *ds.test)})
    loop_s = statistics.median(times["network.py"])
    loop_epoch_s = loop_s * n_nielsen / n_loop
    original = {"examples_timed": n_loop, "seconds": loop_s, "epoch_seconds": loop_epoch_s,
                "epoch_examples": n_nielsen, "accuracy": _accuracy("nielsen",
                                                                    trained["network.py"],
                                                                    *ds.test),
                "speedup_tinygrad": loop_epoch_s / rows[0]["tinygrad_s"],
                "speedup_replay": None if rows[0]["replay_s"] is None else
                loop_epoch_s / rows[0]["replay_s"],
                "speedup_numpy": loop_epoch_s / rows[0]["numpy_s"]}

    log(f"one epoch, float32, plain SGD; seconds, median of {epochs} run(s), the epochs of a run "
        f"taking turns every {BLOCK} batches; "
        "ratio = median of the paired ratios; accuracy on the 10,000 test images after it:")
    log(f"  {'network':38} {'images':>6} {'batch':>5} {'numpy by hand':>14} {'eager':>8} "
        f"{'ratio':>7} {'replay':>8} {'ratio':>7} {'PyTorch':>8} {'ratio':>7}  accuracy "
        "(eager / numpy)")
    for r in rows:
        log(f"  {r['network']:38} {r['examples']:6d} {r['batch']:5d} {r['numpy_s']:13.3f}s "
            f"{r['tinygrad_s']:7.3f}s {r['ratio']:6.2f}× {_torch_cell(r['replay_s'], '.3f', 7)}"
            f"{'s' if r['replay_s'] else ''} {_ratio_cell(r['replay_ratio'])} "
            f"{_torch_cell(r['torch_s'], '.3f', 7)}{'s' if r['torch_s'] else ''} "
            f"{_ratio_cell(r['torch_ratio'])}  "
            f"{r['tinygrad_accuracy']:.2%} / {r['numpy_accuracy']:.2%}")
        log(f"  {'':38}   targets: {_targets_text(r)}")
    if torch is None:
        log("  PyTorch: not installed, skipped")
    if eager:
        log("  replay: not timed (--eager)")
    log(f"  Nielsen's network.py loop (update_mini_batch → backprop per (784, 1) example, float32):"
        f" {n_loop:,} examples took {loop_s:.3f} s, so {loop_epoch_s:.2f} s per {n_nielsen:,}-"
        f"example epoch (extrapolated); faster than that: tinygrad_edu's eager epoch "
        f"{original['speedup_tinygrad']:.1f}×" + ("" if original["speedup_replay"] is None else
                                                 f", replayed {original['speedup_replay']:.1f}×")
        + f", the vectorized numpy one {original['speedup_numpy']:.1f}×")
    return {"machine": m, "epochs": rows, "network_py": original, "quick": quick,
            "gradients_match": True}  # _check_same_gradients raised otherwise
