"""Training and evaluating the presets and your own models: train() runs the loop the books run
(train_model() the same loop for a forward function or an nn.Module you wrote), evaluate()
reloads a saved network and reports its accuracy and confusion matrix, plot_history() draws the
curves.

Imports ``autograd`` (no_grad), ``functional`` (the costs), ``nn`` (Module), ``optim``,
``presets``, ``data``, ``jit`` (the replayed step), ``files`` (atomic saves) and tqdm (the
progress bar: a widget in a notebook); matplotlib only when a plot is asked for. A step is the
preset's forward (plain tensor expressions), backward() and an optimizer step; evaluation runs
under no_grad in chunks of 10,000 examples.
"""

import inspect
import io
import json
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
from tqdm import tqdm as text_tqdm
from tqdm.auto import tqdm
from tqdm.autonotebook import tqdm as chosen_tqdm  # tqdm's own choice: text_tqdm unless Jupyter

from . import functional as F
from . import presets
from .autograd import no_grad
from .data import batches, load_digits32, load_mnist, one_hot
from .files import atomic_write, check_output, npz_path, read_npz, save_npz
from .jit import jit
from .nn import Module
from .optim import SGD, Adam
from .tensor import Tensor

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
    model: str = ""  # your own model (train_model): what it is, for the plot; "" for presets
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

    def _repr_png_(self):
        """A notebook shows the training curves inline (its text form without matplotlib)."""
        try:
            _require_matplotlib()
        except ModuleNotFoundError:
            return None
        if not self.loss:
            return None
        buffer = io.BytesIO()
        _figure(self).savefig(buffer, dpi=100, format="png")
        return buffer.getvalue()


def progress_bar(total, desc, enabled=True):
    """An epoch's bar: tqdm's widget in a notebook, its text bar on a terminal, and none when
    stderr is a file or a pipe, where each redraw would be one more line in the log."""
    shown = enabled and (chosen_tqdm is not text_tqdm or _is_terminal(sys.stderr))
    return tqdm(total=total, desc=desc, unit="batch", leave=False, disable=not shown)


def _is_terminal(stream):
    return bool(getattr(stream, "isatty", lambda: False)())


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


def step_source(name, *, batch_size=10, seed=0):
    """The numpy source train() replays for a preset's training step: its tape captured on a real
    batch and written out, one line per step, with SGD's update inline (`explain --source`).

    >>> print(step_source("nielsen").splitlines()[0])
    def step_and_update(x, y):
    """
    preset = presets.get(name)
    x, y = preset.sample(batch_size, seed, dtype="float32")
    if preset.loss == "cross_entropy":  # the labels themselves, as train() hands them over
        y = y.argmax(axis=0 if preset.layout == "columns" else 1)
    params = preset.tensors(preset.init_params(seed, np.float32))
    step = jit(lambda x, y: preset.forward(params, x, y),
               optimizer=make_optimizer(preset, params), check=0)
    step(x, y)
    return step.source


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
          train_limit=None, test_limit=None, progress=True, eager=False, log=print, **model):
    """Train a preset on its dataset and return the History; one line per epoch in Nielsen's form.

    preset is a name ("nielsen", "scratch", "3b1b", "digits32", "best") or a Preset; the keyword
    settings replace the preset's (hidden is a tuple of hidden-layer sizes). save writes the
    trained network to an .npz that evaluate() reads; plot writes a PNG of the curves. Each step
    is captured once per batch shape and replayed (jit); eager=True records every step instead.
    Given your own model instead (a forward function with params=, or an nn.Module) and cost=,
    it is train_model(); **model are train_model's own settings (params, cost, layout, dataset).

    >>> h = train("nielsen", epochs=1, train_limit=2000, test_limit=500, progress=False)
    Epoch 0: ... / 500  loss ...
    >>> h.correct[0] > 250  # of 500; guessing gets 50
    True
    """
    if not isinstance(preset, (str, presets.Preset)):  # your own model
        settings = dict(epochs=epochs, lr=lr, batch_size=batch_size, optimizer=optimizer)
        return train_model(preset, **model, **{k: v for k, v in settings.items() if v is not None},
                           seed=seed, data=data, save=save, plot=plot, train_limit=train_limit,
                           dtype=None if dtype == "float32" else dtype,  # default: the params'
                           test_limit=test_limit, progress=progress, eager=eager, log=log)
    if model:
        raise TypeError(f"train: {', '.join(model)} only go with your own model (a forward "
                        f"function or an nn.Module), not with the preset {preset!r}")
    preset = configure(preset, epochs=epochs, lr=lr, batch_size=batch_size, hidden=hidden,
                       activation=activation, loss=loss, optimizer=optimizer)
    if save is not None:  # every output is checked before training, not after it
        save = check_output(npz_path(check_output(save, "train: save")), "train: save")
    if plot is not None:
        plot = plot_path(plot)
    X, y, Xt, yt = load_data(preset, data, dtype, train_limit, test_limit)
    # cross-entropy takes the labels themselves: a captured step must get them as an argument
    Y = y if preset.loss == "cross_entropy" else one_hot(y, preset.sizes[-1], dtype=dtype)
    params = preset.tensors(preset.init_params(seed, dtype))
    opt = make_optimizer(preset, params)
    jitted = None if eager else jit(lambda x, yb: preset.forward(params, x, yb), optimizer=opt)
    order = np.random.default_rng([seed, 1])  # the shuffles, apart from the initial weights
    hist = History(preset, {}, n_test=len(Xt), n_train=len(X))

    def step(Xb, Yb):
        x, yb = preset.arrange(Xb, Yb)
        if jitted is not None:
            return jitted(x, yb)  # forward, backward, opt.step(), opt.zero_grad()
        return _update(preset.forward(params, x, yb), opt)

    def new_epoch(epoch):
        for group in opt.param_groups:
            group["lr"] = preset.lr * preset.lr_decay**epoch

    _epochs(hist, preset.epochs, (X, y, Y), (Xt, yt), preset.batch_size, order, step,
            lambda X, y: count_correct(preset, params, X, y),
            report_train=preset.dataset == "digits32", progress=progress, log=log,
            new_epoch=new_epoch)
    hist.params = {k: p.data for k, p in params.items()}
    _finish(hist, save, plot, preset.lr, log, lambda path: save_network(path, preset, hist.params))
    return hist


def _update(C, opt):
    """One eager step: backward from the cost C, the optimizer's update, the gradients cleared."""
    C.backward()
    opt.step()
    opt.zero_grad()
    return C


def _epochs(hist, epochs, train, test, batch_size, order, step, correct, *, report_train,
            progress, log, new_epoch=None):
    """The loop train() and train_model() share: each epoch's shuffled mini-batches through
    step(Xb, Yb) (one update; it returns the batch's cost), the bar, then the test count and the
    epoch's line in Nielsen's form, all recorded in hist. It stops at a non-finite cost."""
    (X, y, Y), (Xt, yt) = train, test
    n_batches = -(-len(X) // batch_size)
    every = max(1, n_batches // 200)  # refresh the bar ~200 times an epoch: tqdm is not free
    for epoch in range(epochs):
        start, total = time.perf_counter(), 0.0
        if new_epoch is not None:
            new_epoch(epoch)
        with progress_bar(n_batches, f"Epoch {epoch}", progress) as bar:
            for i, (Xb, Yb) in enumerate(batches(X, Y, batch_size, seed=order), 1):
                C = step(Xb, Yb)
                if i == 1 and epoch == 0:
                    hist.first_cost = C.item()
                total += C.item()
                if i % every == 0:
                    bar.set_postfix(loss=f"{total / i:.4f}", refresh=False)
                    bar.update(every)
            bar.set_postfix(loss=f"{total / n_batches:.4f}", refresh=False)
            bar.update(n_batches - bar.n)
            bar.refresh()  # the epoch's final state, even when it ended too fast for tqdm to draw
        hist.loss.append(total / n_batches)
        hist.correct.append(correct(Xt, yt))
        line = f"Epoch {epoch}: {hist.correct[-1]} / {len(Xt)}"
        if report_train:
            hist.train_correct.append(correct(X, y))
            line += f"  train {hist.train_correct[-1]} / {len(X)}"
        hist.seconds.append(time.perf_counter() - start)
        log(f"{line}  loss {hist.loss[-1]:.4f}  {hist.seconds[-1]:.1f} s")
        if not np.isfinite(hist.loss[-1]):
            log("the cost is no longer finite: the learning rate is too large for this network")
            break


def _finish(hist, save, plot, lr, log, write):
    """The end of a run: warn when it diverged, save (a diverged network never replaces a good
    file: it goes beside it, as NAME.diverged.npz), and draw the curves."""
    why = hist.diverged
    if why and np.isfinite(hist.loss[-1]):  # a non-finite cost was reported as it happened
        log(f"warning: training diverged: {why}: the learning rate is too large for this "
            f"network (lr {lr:g}); try one 10× smaller")
    if save is not None:
        target = save
        if why:
            save = target.with_name(target.name[:-len(".npz")] + ".diverged.npz")
            log(f"not saved to {target} (left as it was): the diverged network goes to {save}")
        hist.saved = write(save)
    if plot is not None:
        plot_history(hist, plot)


# ----- your own model ---------------------------------------------------------------------------

COSTS = {  # what cost= names; a function cost(out, Y) of the output and one-hot targets works too
    "cross_entropy": "softmax cross-entropy of the output's scores (logits)",
    "quadratic": "Nielsen's C = (1/m) Σ ½‖a − y‖² of the output's activations",
    "squared_error": "C = (1/m) Σ ‖a − y‖² (3Blue1Brown)",
}


def train_model(model, params=None, *, cost, layout="rows", epochs=3, lr=0.1, batch_size=10,
                optimizer="sgd", dataset="mnist", seed=0, data=None, dtype=None, save=None,
                plot=None, train_limit=None, test_limit=None, progress=True, eager=False,
                log=print):
    """Train your own model as train() trains a preset: the same epoch lines, progress bars,
    test evaluation after each epoch, curves (plot=) and saving (save=); returns the History.

    model is a function forward(params, x) written as plain tensor expressions, with params a
    dict of its parameters (Tensors, trained in place, or arrays), or an nn.Module (its own
    parameters). x holds a batch of images, one per row ((m, 784): layout="rows") or per column
    ((784, m): layout="columns", Nielsen's); the output has one score per class in the same
    layout; params may also be a list ([W1, W2, b1, b2]), which forward receives as a list. cost
    is one of COSTS or a function cost(out, Y) of the output and the one-hot targets Y that
    returns the scalar cost. The data come in the parameters' dtype unless dtype is given. Each
    step is captured once and replayed (jit), as train() does for a preset; a model whose step
    cannot be replayed (Python that reads a tensor's value, random numbers in the step) trains
    eagerly, and the log says why once. eager=True records every step.

    >>> rng = np.random.default_rng(0)
    >>> params = {"W": Tensor(rng.normal(0, 0.01, (784, 10)), requires_grad=True),
    ...           "b": Tensor(np.zeros(10), requires_grad=True)}
    >>> h = train_model(lambda p, x: x @ p["W"] + p["b"], params, cost="cross_entropy",
    ...                 epochs=1, train_limit=1000, test_limit=500, progress=False)
    Epoch 0: ... / 500  loss ...
    >>> h.correct[0] > 300  # of 500; guessing gets 50
    True
    """
    forward, named, what = _forward_of(model, params)
    if not callable(cost) and cost not in COSTS:
        raise ValueError(f"train: unknown cost {cost!r}; use one of {', '.join(COSTS)} or a "
                         "function cost(out, Y) that returns the scalar cost")
    if layout not in ("rows", "columns"):
        raise ValueError(f"train: layout={layout!r}; use 'rows' (x is (m, 784)) or 'columns' "
                         "(x is (784, m), Nielsen's)")
    if dataset not in ("mnist", "digits32"):
        raise ValueError(f"train: dataset={dataset!r}; use 'mnist' or 'digits32'")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"train: unknown optimizer {optimizer!r}; choose one of "
                         f"{', '.join(OPTIMIZERS)}")
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("lr", lr)):
        if value <= 0:
            raise ValueError(f"train: {name} must be positive, got {value}")
    if save is not None:  # every output is checked before training, not after it
        save = check_output(npz_path(check_output(save, "train: save")), "train: save")
    if plot is not None:
        plot = plot_path(plot)
    dtype = np.dtype(dtype or next(iter(named.values())).dtype)
    preset = presets.get("digits32" if dataset == "digits32" else "nielsen")  # data: the same
    X, y, Xt, yt = load_data(preset, data, dtype, train_limit, test_limit)
    # cross-entropy takes the labels themselves: a captured step must get them as an argument
    Y = y if cost == "cross_entropy" else one_hot(y, 10, dtype=dtype)
    columns = layout == "columns"
    opt = (Adam(list(named.values()), lr=lr) if optimizer == "adam" else
           SGD(list(named.values()), lr=lr, momentum=0.9 if optimizer == "momentum" else 0.0))
    cost_name = cost if isinstance(cost, str) else getattr(cost, "__name__", "cost")
    hist = History(None, {}, n_test=len(Xt), n_train=len(X),
                   model=f"{what}, {cost_name}, {optimizer} lr {lr:g}, batch {batch_size}")
    order = np.random.default_rng([seed, 1])

    def batch_cost(x, targets):  # x and targets in the model's layout
        return model_cost(cost, forward(named, Tensor(x, name="x")), targets, layout)

    jitted = None if eager else jit(batch_cost, optimizer=opt)

    def step(Xb, Yb):
        nonlocal jitted
        x, targets = (Xb.T, Yb.T) if columns else (Xb, Yb)  # labels: .T is themselves
        if jitted is not None:
            try:
                return jitted(x, targets)  # forward, backward, opt.step(), opt.zero_grad()
            except RuntimeError as e:  # nothing was updated: the same batch, eagerly
                if not str(e).startswith("jit:"):
                    raise
                jitted = None
                log(f"train: this model's step cannot be replayed, so it is recorded on "
                    f"every batch (as --eager): {str(e).splitlines()[0]}")
                if hasattr(e, "finish_eagerly"):  # the batch's eager run is done: its update,
                    return e.finish_eagerly()  # without drawing a dropout mask a second time
        return _update(batch_cost(x, targets), opt)

    def correct(X, y):
        with no_grad():
            picks = [np.asarray(_scores(forward, named, X[i: i + CHUNK], columns))
                     .argmax(axis=0 if columns else 1) for i in range(0, len(X), CHUNK)]
        return int((np.concatenate(picks) == y).sum())

    _epochs(hist, epochs, (X, y, Y), (Xt, yt), batch_size, order, step, correct,
            report_train=dataset == "digits32", progress=progress, log=log)
    hist.params = {k: p.data for k, p in named.items()}
    meta = {"model": what, "cost": cost_name, "layout": layout, "dataset": dataset}
    _finish(hist, save, plot, lr, log,
            lambda path: save_npz(path, {**hist.params, META: np.array(json.dumps(meta))}, "save"))
    return hist


def _forward_of(model, params):
    """(forward(params, x), {name: parameter Tensor}, a few words saying what the model is)."""
    if isinstance(model, Module):
        if params is not None:
            raise ValueError("train: an nn.Module brings its own parameters; leave out params")
        named = dict(model.named_parameters())
        if not named:
            raise ValueError(f"train: the {type(model).__name__} has no parameters (Tensor "
                             "attributes with requires_grad=True) to train")
        return (lambda p, x: model(x)), named, type(model).__name__
    if not callable(model):
        raise TypeError(f"train: got {type(model).__name__}; pass a preset's name, a forward "
                        "function of (params, x) with params=, or an nn.Module")
    if params is None:
        raise ValueError(f"train: {getattr(model, '__name__', 'forward')} needs its parameters: "
                         "train(forward, params={'W1': W1, 'b1': b1, ...}, cost=...)")
    listed = isinstance(params, (list, tuple))  # [W1, W2, b1, b2], as learners keep them
    if listed:
        params = {f"params[{i}]": p for i, p in enumerate(params)}
    if not isinstance(params, dict) or not params:
        raise ValueError("train: params must be a dict {name: Tensor or array} or a list of "
                         "them, e.g. {'W1': W1, 'b1': b1} or [W1, b1], as forward(params, x) "
                         f"reads them; got {type(params).__name__}")
    named = {k: v if isinstance(v, Tensor) else
             Tensor(np.asarray(v, dtype=np.result_type(np.asarray(v).dtype, np.float32)),
                    requires_grad=True, name=k) for k, v in params.items()}
    frozen = [k for k, v in named.items() if not v.requires_grad]
    if frozen:
        raise ValueError(f"train: params {frozen} do not require grad, so they would never "
                         "learn; create them with Tensor(..., requires_grad=True)")
    name = getattr(model, "__name__", "forward")
    signature = "(params, x)" if _takes_two(model) else ""
    forward = (lambda p, x: model(list(p.values()), x)) if listed else model
    return forward, named, f"{name}{signature}"


def _takes_two(f):
    try:
        inspect.signature(f).bind(None, None)
    except (TypeError, ValueError):
        raise TypeError(f"train: {getattr(f, '__name__', 'forward')} must take (params, x), the "
                        "parameters and a batch of inputs") from None
    return True


def _scores(forward, named, X, columns):
    """The model's output for the rows of X, handed over in the model's layout."""
    return forward(named, Tensor(X.T if columns else X, name="x"))


def model_cost(cost, out, Y, layout="rows"):
    """The scalar cost C of the output out against one-hot targets Y, both in layout (for
    cross_entropy Y may be the labels themselves, one integer per example).

    >>> out = Tensor([[2.0, 0.0], [0.0, 2.0]], requires_grad=True)
    >>> model_cost("quadratic", out, np.eye(2)).item()  # ½ (1² + 1²), averaged over m = 2
    0.5
    """
    if not isinstance(out, Tensor):
        raise TypeError(f"train: the model returned {type(out).__name__}, not a Tensor; write "
                        "forward with tensor operations on params and x")
    columns = layout == "columns"
    if cost == "cross_entropy" and np.ndim(Y) == 1:  # labels
        if out.ndim != 2 or out.shape[1 if columns else 0] != len(Y):
            other = "rows" if columns else "columns"
            transposed = f"; is the layout right? (layout={other!r})" if (
                out.ndim == 2 and out.shape[0 if columns else 1] == len(Y)) else ""
            raise ValueError(f"train: the model's output has shape {out.shape}, but there are "
                             f"{len(Y)} examples (layout={layout!r}): one row of scores per "
                             f"example, or one column with layout='columns'{transposed}")
        return _named_cost(F.cross_entropy(out.T if columns else out, Y))
    if out.shape != np.shape(Y):
        transposed = "; is the layout right? (layout='columns' for x of (784, m))" if (
            out.shape == np.shape(Y)[::-1]) else ""
        raise ValueError(f"train: the model's output has shape {out.shape}, but the targets "
                         f"have {np.shape(Y)} (layout={layout!r}){transposed}")
    m = out.shape[1 if columns else 0]
    if callable(cost):
        C = cost(out, Tensor(Y, name="y"))
        if not isinstance(C, Tensor) or C.size != 1:
            raise ValueError(f"train: cost(out, Y) must return a single-number Tensor, got "
                             f"{getattr(C, 'shape', type(C).__name__)}")
    elif cost == "cross_entropy":
        C = F.cross_entropy(out.T if columns else out, np.asarray(Y).argmax(axis=0 if columns
                                                                             else 1))
    elif cost == "quadratic":
        C = ((out - Y) ** 2).sum() * (0.5 / m)
    else:
        C = ((out - Y) ** 2).sum() * (1.0 / m)
    return _named_cost(C)


def _named_cost(C):
    C.name = C.name or "C"
    return C


def load_params(path):
    """The parameters (arrays by name) that train(..., save=path) wrote, for your own model.

    Put them back with {k: Tensor(v, requires_grad=True) ...} or module.load_state_dict().
    """
    arrays = read_npz(path, "load_params", "write it with train(model, ..., save=path)")
    return {k: v for k, v in arrays.items() if k != META}


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
    if "model" in meta:
        raise ValueError(f"load: {path} holds the parameters of your own model {meta['model']}, "
                         "not of a preset; read them with train.load_params(path) and run "
                         "them with your model's code")
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
    fig = _figure(history, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as f:
        fig.savefig(f, dpi=100, format=path.suffix[1:].lower())
    return path


def _figure(history, title=None):
    """The matplotlib Figure of the training cost and the test accuracy per epoch."""
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
    final = f"final test accuracy {100 * history.accuracy:.2f}%"
    if history.train_correct:
        final += f", train {100 * history.train_accuracy[-1]:.2f}%"
    if p is None:  # your own model
        fig.suptitle(title or f"{history.model}\n{final}")
    else:
        decay = f" (× {p.lr_decay:g} per epoch)" if p.lr_decay != 1 else ""
        fig.suptitle(title or f"{p.name}: {'-'.join(map(str, p.sizes))} {p.activation}, "
                     f"{p.loss}, {p.optimizer} lr {p.lr:g}{decay}, batch {p.batch_size}\n{final}")
    return fig
