"""Training and evaluating the presets: train() runs the loop the books run, evaluate() reloads a
saved network and reports its accuracy and confusion matrix, plot_history() draws the curves.

Imports ``autograd`` (no_grad), ``optim``, ``presets``, ``data``, ``files`` (atomic saves) and tqdm;
matplotlib only when a plot is asked for. A step is the preset's forward (plain tensor
expressions), backward() and an optimizer step; evaluation runs under no_grad in chunks of 10,000
examples.
"""

import json
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
from tqdm import tqdm

from . import presets
from .autograd import no_grad
from .data import batches, load_digits32, load_mnist, one_hot
from .files import atomic_write, check_output, npz_path, read_npz, save_npz
from .optim import SGD, Adam

OPTIMIZERS = ("sgd", "momentum", "adam")
CHUNK = 10000  # examples per forward pass in evaluation: big matmuls, bounded memory
META = "__preset__"  # the .npz key holding the preset's settings as JSON
INITS = ("nielsen", "improved", "xavier", "he", "dlfs")  # nn.init_weight's schemes
DIVERGED = 10  # a last-epoch cost this many times the first batch's means training diverged


@dataclass
class History:
    """What train() measured, one entry per epoch, and the trained parameters (numpy arrays)."""

    preset: presets.Preset
    params: dict = field(repr=False)
    n_test: int = 0
    n_train: int = 0
    loss: list = field(default_factory=list)  # mean training cost over the epoch's batches
    correct: list = field(default_factory=list)  # test examples classified right after the epoch
    train_correct: list = field(default_factory=list)  # digits32 only: its target is on train
    seconds: list = field(default_factory=list)  # wall time of the epoch, evaluation included
    first_cost: float = float("nan")  # the cost of the very first batch, before any update
    saved: object = None  # the path the network was written to (None: not saved)

    @property
    def diverged(self):
        """Why this run diverged, in a sentence, or "" when it did not.

        Diverged: the cost or the weights are not finite, or the last epoch's mean cost is more
        than DIVERGED × the first batch's (a network at chance does not cost 10× its start).
        """
        if not all(np.isfinite(v).all() for v in self.params.values()):
            return "the weights are no longer finite (nan or inf)"
        if self.loss and not np.isfinite(self.loss[-1]):
            return "the cost is no longer finite"
        if self.loss and self.loss[-1] > DIVERGED * self.first_cost:
            return (f"the cost grew from {self.first_cost:.4g} (first batch) to "
                    f"{self.loss[-1]:.4g} (last epoch)")
        return ""

    @property
    def test_accuracy(self):
        """Test accuracy (a fraction) after each epoch."""
        return [c / self.n_test for c in self.correct]

    @property
    def train_accuracy(self):
        return [c / self.n_train for c in self.train_correct]

    @property
    def accuracy(self):
        """The final test accuracy, a fraction."""
        return self.correct[-1] / self.n_test if self.correct else float("nan")


def _require_matplotlib():
    try:
        import matplotlib  # noqa: F401  (the optional extra: only plots need it)
        from matplotlib.figure import Figure
    except ImportError:
        raise ModuleNotFoundError(
            "plot: drawing the training curves needs matplotlib, which is not installed; "
            "install it with: pip install tinygrad-edu[plot]  (or pip install matplotlib)"
        ) from None
    return Figure


def configure(preset, *, epochs=None, lr=None, batch_size=None, hidden=None, activation=None,
              loss=None, optimizer=None):
    """The preset (a name or a Preset) with the given settings replaced; None keeps one.

    >>> configure("nielsen", hidden=(100,), lr=0.5).sizes
    (784, 100, 10)
    """
    preset = presets.get(preset)
    if activation is not None and activation not in presets.ACTIVATIONS:
        raise ValueError(f"train: unknown activation {activation!r}; choose one of "
                         f"{', '.join(presets.ACTIVATIONS)}")
    if loss is not None and loss not in presets.LOSSES:
        raise ValueError(f"train: unknown loss {loss!r}; choose one of "
                         f"{', '.join(presets.LOSSES)}")
    if optimizer is not None and optimizer not in OPTIMIZERS:
        raise ValueError(f"train: unknown optimizer {optimizer!r}; choose one of "
                         f"{', '.join(OPTIMIZERS)}")
    sizes = None
    if hidden is not None:
        hidden = tuple(int(n) for n in hidden)
        if any(n <= 0 for n in hidden):
            raise ValueError(f"train: hidden layer sizes must be positive, got {hidden}")
        sizes = (preset.sizes[0], *hidden, preset.sizes[-1])
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("lr", lr)):
        if value is not None and not (value > 0 and np.isfinite(value)):  # nan > 0 is False
            raise ValueError(f"train: {name} must be positive (a finite number), got {value}")
    return preset.with_overrides(epochs=epochs, lr=lr, batch_size=batch_size, sizes=sizes,
                                 activation=activation, loss=loss, optimizer=optimizer)


def load_data(preset, data=None, dtype="float32", train_limit=None, test_limit=None):
    """(X_train, y_train, X_test, y_test) for the preset: rows of pixels and integer labels.

    MNIST is cut to the preset's train_size (Nielsen's first 50,000) and the limits keep its
    first images; the text digits come sorted by label, so a limit keeps evenly spaced files
    there, every digit included. data is a folder of IDX files (or, for digits32, a zip or
    folder of text digits) replacing the bundled copy.
    """
    if preset.dataset == "digits32":
        ds = load_digits32(data, "all", dtype=dtype)
    else:
        ds = load_mnist(data, dtype=dtype)
    (X, y), (Xt, yt) = ds.train, ds.test
    keep = _spread if preset.dataset == "digits32" else lambda n, limit: slice(0, limit)
    train = keep(len(X), min(preset.train_size, train_limit or len(X)))
    test = keep(len(Xt), min(len(Xt), test_limit or len(Xt)))
    return X[train], y[train], Xt[test], yt[test]


def _spread(n, limit):
    """limit indices spread evenly over range(n)."""
    return np.linspace(0, n - 1, min(n, limit)).round().astype(np.int64)


def make_optimizer(preset, params):
    """The preset's optimizer ("sgd", "momentum" or "adam") over params; weight decay applies to
    the weights W only, as in Nielsen's L2 regularization, so preset.weight_decay is his λ/n."""
    weights = [p for k, p in params.items() if k.startswith("W")]
    others = [p for k, p in params.items() if not k.startswith("W")]
    groups = [{"params": weights, "weight_decay": preset.weight_decay}]
    groups += [{"params": others, "weight_decay": 0.0}] if others else []
    if preset.optimizer == "sgd":
        return SGD(groups, lr=preset.lr, momentum=preset.momentum)
    if preset.optimizer == "momentum":  # SGD with momentum; 0.9 unless the preset sets one
        return SGD(groups, lr=preset.lr, momentum=preset.momentum or 0.9)
    if preset.optimizer == "adam":
        return Adam(groups, lr=preset.lr)
    raise ValueError(f"train: unknown optimizer {preset.optimizer!r}; choose one of "
                     f"{', '.join(OPTIMIZERS)}")


def predictions(preset, params, X):
    """The digit the network picks for each row of X, in chunks, without recording a graph."""
    if isinstance(next(iter(params.values())), np.ndarray):
        params = preset.tensors(params)
    with no_grad():
        return np.concatenate([preset.predict(params, preset.arrange(X[i: i + CHUNK])[0])
                               for i in range(0, len(X), CHUNK)])


def count_correct(preset, params, X, y):
    """How many rows of X the network classifies as y (params: Tensors or arrays)."""
    return int((predictions(preset, params, X) == y).sum())


def train(preset, *, epochs=None, lr=None, batch_size=None, hidden=None, activation=None,
          loss=None, optimizer=None, seed=0, data=None, dtype="float32", save=None, plot=None,
          train_limit=None, test_limit=None, progress=True, log=print):
    """Train a preset on its dataset and return the History; one line per epoch in Nielsen's form.

    preset is a name ("nielsen", "scratch", "3b1b", "digits32", "best") or a Preset; the keyword
    settings replace the preset's (hidden is a tuple of hidden-layer sizes). save writes the
    trained network to an .npz that evaluate() reads; plot writes a PNG of the curves.

    >>> h = train("nielsen", epochs=1, train_limit=2000, test_limit=500, progress=False)
    Epoch 0: ... / 500  loss ...
    >>> h.correct[0] > 250  # of 500; guessing gets 50
    True
    """
    preset = configure(preset, epochs=epochs, lr=lr, batch_size=batch_size, hidden=hidden,
                       activation=activation, loss=loss, optimizer=optimizer)
    if save is not None:  # every output is checked before training, not after it
        save = check_output(npz_path(check_output(save, "train: save")), "train: save")
    if plot is not None:
        plot = plot_path(plot)
    X, y, Xt, yt = load_data(preset, data, dtype, train_limit, test_limit)
    Y = one_hot(y, preset.sizes[-1], dtype=dtype)
    params = preset.tensors(preset.init_params(seed, dtype))
    opt = make_optimizer(preset, params)
    order = np.random.default_rng([seed, 1])  # the shuffles, apart from the initial weights
    report_train = preset.dataset == "digits32"
    hist = History(preset, {}, n_test=len(Xt), n_train=len(X))
    n_batches = -(-len(X) // preset.batch_size)
    every = max(1, n_batches // 200)  # refresh the bar ~200 times an epoch: tqdm is not free
    for epoch in range(preset.epochs):
        start, total = time.perf_counter(), 0.0
        for group in opt.param_groups:
            group["lr"] = preset.lr * preset.lr_decay**epoch
        with tqdm(total=n_batches, desc=f"Epoch {epoch}", unit="batch", leave=False,
                  disable=not progress) as bar:
            for i, (Xb, Yb) in enumerate(batches(X, Y, preset.batch_size, seed=order), 1):
                x, yb = preset.arrange(Xb, Yb)
                C = preset.forward(params, x, yb)
                if i == 1 and epoch == 0:
                    hist.first_cost = C.item()
                C.backward()
                opt.step()
                opt.zero_grad()
                total += C.item()
                if i % every == 0:
                    bar.set_postfix(loss=f"{total / i:.4f}", refresh=False)
                    bar.update(every)
            bar.set_postfix(loss=f"{total / n_batches:.4f}", refresh=False)
            bar.update(n_batches - bar.n)
            bar.refresh()  # the epoch's final state, even when it ended too fast for tqdm to draw
        hist.loss.append(total / n_batches)
        hist.correct.append(count_correct(preset, params, Xt, yt))
        line = f"Epoch {epoch}: {hist.correct[-1]} / {len(Xt)}"
        if report_train:
            hist.train_correct.append(count_correct(preset, params, X, y))
            line += f"  train {hist.train_correct[-1]} / {len(X)}"
        hist.seconds.append(time.perf_counter() - start)
        log(f"{line}  loss {hist.loss[-1]:.4f}  {hist.seconds[-1]:.1f} s")
        if not np.isfinite(hist.loss[-1]):
            log("the cost is no longer finite: the learning rate is too large for this network")
            break
    hist.params = {k: p.data for k, p in params.items()}
    why = hist.diverged
    if why and np.isfinite(hist.loss[-1]):  # a non-finite cost was reported as it happened
        log(f"warning: training diverged: {why}: the learning rate is too large for this "
            f"network (lr {preset.lr:g}); try one 10× smaller")
    if save is not None:
        target = save
        if why:  # a diverged network never replaces a good file: it goes beside it
            save = target.with_name(target.name[:-len(".npz")] + ".diverged.npz")
            log(f"not saved to {target} (left as it was): the diverged network goes to {save}")
        hist.saved = save_network(save, preset, hist.params)
    if plot is not None:
        plot_history(hist, plot)
    return hist


# ----- saving and evaluating --------------------------------------------------------------------

SAVED = ("name", "title", "sizes", "activation", "loss", "layout", "first", "init", "dataset")


def save_network(path, preset, params):
    """Write params and the preset settings that rebuild the network to an .npz file, atomically
    (an interrupted save leaves the previous file intact); return the path written."""
    meta = {k: getattr(preset, k) for k in SAVED}
    arrays = {k: np.asarray(v) for k, v in params.items()}
    return save_npz(path, {**arrays, META: np.array(json.dumps(meta))}, "save")


def load_network(path):
    """(preset, params) from a file written by train(save=...) or save_network.

    Every way the file can be wrong (not an .npz, truncated, foreign, damaged settings, integer
    weights) is one ValueError or OSError naming the file.
    """
    hint = "write it with `tinygrad-edu train --save` (train(save=...))"
    arrays = read_npz(path, "load", hint)
    if META not in arrays:
        raise ValueError(f"load: {path} has no {META} entry, so it was not written by "
                         "train(save=...); Module.load reads a module's own .npz")
    params = {k: v for k, v in arrays.items() if k != META}
    preset = _preset_of(path, arrays[META], hint)
    wrong = {k: str(v.dtype) for k, v in params.items() if v.dtype.kind != "f"}
    if wrong:
        raise ValueError(f"load: {path} holds non-float weights {wrong}; a trained network's "
                         f"weights are floats, so the file is damaged; {hint}")
    expected = {k: v.shape for k, v in preset.init_params(0).items()}
    found = {k: v.shape for k, v in params.items()}
    if expected != found:
        raise ValueError(f"load: {path} holds parameters {found}, but a {preset.sizes} "
                         f"{preset.layout} network needs {expected}; the file is damaged")
    return preset, params


def _preset_of(path, entry, hint):
    """The Preset the __preset__ JSON of a saved file describes, checked key by key."""
    def bad(problem):
        return ValueError(f"load: {path} has damaged {META} settings: {problem}; {hint}")

    try:
        meta = json.loads(str(entry))
    except ValueError as e:
        raise bad(f"not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise bad(f"a JSON {type(meta).__name__}, not an object")
    if set(meta) != set(SAVED):
        raise bad(f"keys {sorted(meta)}; expected {sorted(SAVED)}")
    sizes = meta["sizes"]
    if (not isinstance(sizes, list) or len(sizes) < 2
            or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in sizes)):
        raise bad(f"sizes {sizes!r} is not a list of at least two positive whole numbers")
    for key, allowed in (("activation", presets.ACTIVATIONS), ("loss", tuple(presets.LOSSES)),
                         ("layout", ("rows", "columns")), ("dataset", ("mnist", "digits32")),
                         ("init", INITS)):
        if meta[key] not in allowed:
            raise bad(f"{key} {meta[key]!r} is not one of {', '.join(allowed)}")
    if not isinstance(meta["first"], int) or isinstance(meta["first"], bool):
        raise bad(f"first {meta['first']!r} is not a whole number")
    for key in ("name", "title"):
        if not isinstance(meta[key], str):
            raise bad(f"{key} {meta[key]!r} is not a string")
    meta["sizes"] = tuple(sizes)
    if meta["name"] in presets.PRESETS:
        return presets.get(meta["name"]).with_overrides(**meta)
    known = {f.name for f in fields(presets.Preset)}
    return presets.Preset(**{k: v for k, v in meta.items() if k in known})


def confusion_matrix(y_true, y_pred, n=10):
    """Counts C[i, j] of examples of class i predicted as j.

    >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 1, 0]), n=2)
    array([[1, 0],
           [1, 1]])
    """
    C = np.zeros((n, n), dtype=np.int64)
    np.add.at(C, (y_true, y_pred), 1)
    return C


def format_confusion(C):
    r"""The confusion matrix as a table: rows are true digits, columns predicted ones.

    >>> print(format_confusion(np.array([[2, 0], [1, 3]])))
    true\pred    0    1
            0    2    0
            1    1    3
    """
    width = max(5, len(str(C.max())) + 1)
    head = "true\\pred" + "".join(f"{j:>{width}}" for j in range(len(C)))
    rows = [f"{i:>9}" + "".join(f"{v:>{width}}" for v in row) for i, row in enumerate(C)]
    return "\n".join([head, *rows])


def evaluate(path, *, data=None, log=print):
    """Reload a network saved by train(save=path); return (test accuracy, confusion matrix)."""
    preset, params = load_network(path)
    bad = [k for k, v in params.items() if not np.isfinite(v).all()]
    if bad:
        log(f"warning: {path} holds non-finite weights ({', '.join(bad)} contain nan or inf): "
            "it is a diverged network, and its accuracy below means nothing")
    dtype = next(iter(params.values())).dtype
    _, _, Xt, yt = load_data(preset, data, dtype, train_limit=1)
    pred = predictions(preset, params, Xt)
    C = confusion_matrix(yt, pred, preset.sizes[-1])
    accuracy = np.trace(C) / len(yt)
    log(f"{preset.name} ({'-'.join(map(str, preset.sizes))} {preset.activation}): "
        f"{np.trace(C)} / {len(yt)} test examples correct ({100 * accuracy:.2f}%)")
    log(format_confusion(C))
    return accuracy, C


# ----- plots ------------------------------------------------------------------------------------

def plot_path(path):
    """The file a plot of path is written to (.png added when path has no suffix), checked before
    a run: its format must be one matplotlib writes and its folder writable."""
    Figure = _require_matplotlib()
    path = Path(path)
    if not path.suffix:  # matplotlib's own rule, made visible: "curves" becomes curves.png
        path = path.with_name(path.name + ".png")
    formats = Figure().canvas.get_supported_filetypes()
    if path.suffix[1:].lower() not in formats:
        raise ValueError(f"plot: cannot draw to {path}: {path.suffix!r} is not an image format "
                         f"matplotlib writes; use one of .{', .'.join(sorted(formats))}")
    return check_output(path, "plot")


def plot_history(history, path, title=None):
    """Write a PNG (or the format of path's suffix) of the training loss and the test accuracy
    per epoch (needs matplotlib), atomically; return the path written."""
    path = plot_path(path)
    Figure = _require_matplotlib()
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2)
    epochs = np.arange(len(history.loss))
    ax_loss.plot(epochs, history.loss, marker="o", markersize=3)
    ax_loss.set(xlabel="epoch", ylabel="training cost C", title="training cost")
    ax_acc.plot(epochs, 100 * np.array(history.test_accuracy), marker="o", markersize=3,
                label="test")
    if history.train_correct:
        ax_acc.plot(epochs, 100 * np.array(history.train_accuracy), marker="o", markersize=3,
                    label="train")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    ax_acc.legend(loc="lower right")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
    p = history.preset
    decay = f" (× {p.lr_decay:g} per epoch)" if p.lr_decay != 1 else ""
    final = f"final test accuracy {100 * history.accuracy:.2f}%"
    if history.train_correct:
        final += f", train {100 * history.train_accuracy[-1]:.2f}%"
    fig.suptitle(title or f"{p.name}: {'-'.join(map(str, p.sizes))} {p.activation}, {p.loss}, "
                 f"{p.optimizer} lr {p.lr:g}{decay}, batch {p.batch_size}\n{final}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        fig.savefig(f, dpi=100, format=path.suffix[1:].lower())
    return path
