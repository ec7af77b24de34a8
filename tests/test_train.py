"""Tests of tinygrad_edu.train: short real training runs that must clear a bar far above chance,
reproducibility, the overrides, saving and evaluating, the confusion matrix, and the plot; and of
the presets' real batches (Preset.sample)."""

import gzip
import io
import re
import sys

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu import presets as P
from tinygrad_edu.data import load_digits32, load_mnist
from tinygrad_edu.optim import SGD
from tinygrad_edu.reference import nielsen
from tinygrad_edu.train import (
    History,
    configure,
    confusion_matrix,
    count_correct,
    evaluate,
    format_confusion,
    load_data,
    load_network,
    load_params,
    make_optimizer,
    plot_history,
    save_network,
    train,
)

QUIET = dict(progress=False, log=lambda line: None)


def test_a_short_run_learns_far_above_chance():
    lines = []
    hist = train("scratch", epochs=2, batch_size=20, train_limit=6000, test_limit=2000,
                 progress=False, log=lines.append)  # 600 steps
    assert len(lines) == 2
    assert re.fullmatch(r"Epoch 1: \d+ / 2000  loss \d+\.\d{4}  \d+\.\d s", lines[1])
    assert hist.loss[1] < hist.loss[0] < 2.3  # ln 10 ≈ 2.30 is a uniform guess
    assert hist.accuracy >= 0.85  # chance is 0.10
    assert hist.correct[-1] == int(lines[1].split()[2])


def test_the_nielsen_network_learns_with_its_own_settings():
    hist = train("nielsen", epochs=2, train_limit=5000, test_limit=2000, **QUIET)  # 1000 steps
    assert hist.preset.lr == 3.0 and hist.preset.batch_size == 10
    assert hist.accuracy >= 0.7  # N(0, 1) weights start slowly; chance is 0.1


def test_same_seed_same_numbers_and_another_seed_others():
    kw = dict(epochs=2, train_limit=1000, test_limit=300, **QUIET)
    a, b, c = train("3b1b", seed=4, **kw), train("3b1b", seed=4, **kw), train("3b1b", seed=5, **kw)
    assert a.loss == b.loss and a.correct == b.correct
    for k in a.params:
        assert np.array_equal(a.params[k], b.params[k])
    assert a.loss != c.loss


def test_overrides_reach_the_network():
    hist = train("nielsen", epochs=1, hidden=(12, 8), activation="tanh", loss="cross_entropy",
                 optimizer="adam", lr=0.01, batch_size=50, train_limit=500, test_limit=100,
                 **QUIET)
    p = hist.preset
    assert (p.sizes, p.activation, p.loss, p.optimizer) == ((784, 12, 8, 10), "tanh",
                                                            "cross_entropy", "adam")
    assert {k: v.shape for k, v in hist.params.items()} == {
        "W2": (12, 784), "b2": (12, 1), "W3": (8, 12), "b3": (8, 1), "W4": (10, 8), "b4": (10, 1)}
    assert all(v.dtype == np.float32 for v in hist.params.values())


def test_momentum_optimizer_uses_sgd_with_momentum():
    preset = configure("scratch", optimizer="momentum")
    opt = make_optimizer(preset, preset.tensors(preset.init_params(0)))
    assert isinstance(opt, SGD) and opt.param_groups[0]["momentum"] == 0.9
    hist = train(preset, epochs=1, batch_size=20, train_limit=2000, test_limit=500, **QUIET)
    assert hist.accuracy > 0.7


def test_float64_training():
    hist = train("scratch", epochs=1, dtype="float64", train_limit=300, test_limit=100, **QUIET)
    assert all(v.dtype == np.float64 for v in hist.params.values())


@pytest.mark.parametrize("kw, message", [
    (dict(activation="softplus"), "unknown activation 'softplus'"),
    (dict(loss="hinge"), "unknown loss 'hinge'"),
    (dict(optimizer="rmsprop"), "unknown optimizer 'rmsprop'"),
    (dict(hidden=(30, 0)), "must be positive"),
    (dict(lr=-1.0), "lr must be positive"),
])
def test_bad_settings_are_refused_before_any_work(kw, message):
    with pytest.raises(ValueError, match=message):
        configure("nielsen", **kw)


def test_unknown_preset_lists_the_presets():
    with pytest.raises(ValueError, match="unknown preset 'lenet'.*nielsen"):
        train("lenet", **QUIET)


def test_digits32_reports_train_accuracy():
    lines = []
    hist = train("digits32", epochs=3, train_limit=400, test_limit=100, progress=False,
                 log=lines.append)
    assert re.fullmatch(r"Epoch 2: \d+ / 100  train \d+ / 400  loss .*", lines[2])
    assert len(hist.train_correct) == 3 and hist.n_train == 400
    assert hist.train_accuracy[-1] > 0.25 and hist.train_correct[0] < hist.train_correct[-1]


def test_a_limit_on_the_label_sorted_digits_keeps_every_digit():
    X, y, Xt, yt = load_data(P.get("digits32"), train_limit=50, test_limit=20)
    assert (len(X), len(Xt)) == (50, 20)
    assert set(y) == set(yt) == set(range(10))
    X, y, Xt, yt = load_data(P.get("scratch"), train_limit=50, test_limit=20)
    assert np.array_equal(y, load_mnist().train.y[:50])  # MNIST: the first images


def test_nielsen_trains_on_the_first_50000_images():
    hist = train("nielsen", epochs=1, train_limit=10**6, test_limit=10, lr=1e-9, batch_size=5000,
                 **QUIET)
    assert hist.n_train == 50000


def test_data_folder_replaces_the_bundled_mnist(tmp_path):
    ds = load_mnist(normalize=False, flatten=False)
    parts = {"train": (ds.train.X[:200], ds.train.y[:200]),
             "t10k": (ds.test.X[:50], ds.test.y[:50])}
    for part, (X, y) in parts.items():  # IDX: 0 0 type ndim, then each dimension as >u4
        (tmp_path / f"{part}-images-idx3-ubyte.gz").write_bytes(gzip.compress(
            bytes([0, 0, 8, 3]) + np.array(X.shape, ">u4").tobytes() + X.tobytes()))
        (tmp_path / f"{part}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(
            bytes([0, 0, 8, 1]) + np.array(y.shape, ">u4").tobytes()
            + y.astype(np.uint8).tobytes()))
    hist = train("scratch", epochs=1, data=tmp_path, **QUIET)
    assert (hist.n_train, hist.n_test) == (200, 50)


class Terminal(io.StringIO):
    """A stderr that says it is a terminal, as an interactive shell's is."""

    def isatty(self):
        return True


def test_progress_bar_shows_the_running_loss_on_a_terminal(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    train("scratch", epochs=1, train_limit=2000, test_limit=10, progress=True, log=print)
    err = sys.stderr.getvalue()
    assert "loss=" in err and "Epoch 0" in err
    assert capsys.readouterr().out.startswith("Epoch 0: ")


def test_no_progress_bar_when_stderr_is_a_file_or_a_pipe(capsys):
    # `tinygrad-edu train ... 2>&1 | tee log`: redraws would fill the log; the epoch lines stay
    train("scratch", epochs=1, train_limit=2000, test_limit=10, progress=True, log=print)
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("Epoch 0: ")


def test_a_diverging_run_stops_and_says_why():
    lines = []
    with np.errstate(all="ignore"):
        hist = train("scratch", epochs=3, lr=1e10, train_limit=500, test_limit=10,
                     progress=False, log=lines.append)
    assert len(hist.loss) < 3 and "learning rate is too large" in lines[-1]


# ----- save and evaluate ------------------------------------------------------------------------

def test_save_then_evaluate_rebuilds_the_network(tmp_path):
    path = tmp_path / "net.npz"
    hist = train("nielsen", epochs=1, hidden=(16,), train_limit=2000, save=path, **QUIET)
    lines = []
    accuracy, C = evaluate(path, log=lines.append)
    assert C.shape == (10, 10) and C.sum() == 10000
    assert accuracy == np.trace(C) / 10000 == hist.accuracy
    assert np.array_equal(C.sum(axis=1), np.bincount(load_mnist().test.y, minlength=10))
    assert lines[0].startswith("nielsen (784-16-10 sigmoid): ")
    assert lines[1].startswith("true\\pred") and len(lines[1].splitlines()) == 11


def test_evaluate_a_digits32_network(tmp_path):
    path = tmp_path / "digits.npz"
    hist = train("digits32", epochs=1, train_limit=200, save=path, **QUIET)
    accuracy, C = evaluate(path, log=lambda line: None)
    assert C.sum() == 946 and accuracy == hist.accuracy


def test_load_network_refuses_other_files(tmp_path):
    np.savez(tmp_path / "plain.npz", W=np.zeros(3))
    with pytest.raises(ValueError, match="not written by train"):
        load_network(tmp_path / "plain.npz")
    preset = P.get("scratch")
    params = preset.init_params(0)
    params["W1"] = params["W1"][:, :7]
    save_network(tmp_path / "bad.npz", preset, params)
    with pytest.raises(ValueError, match=r"W1.*\(784, 7\).*\(784, 50\)"):
        load_network(tmp_path / "bad.npz")


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    C = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 2, 0]), n=3)
    assert C.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    table = format_confusion(C).splitlines()
    assert table[0].split() == ["true\\pred", "0", "1", "2"]
    assert table[3].split() == ["2", "1", "0", "2"]


def test_count_correct_takes_arrays_or_tensors():
    preset = P.get("scratch")
    params = preset.init_params(0, np.float32)
    X, y = load_mnist().test
    n = count_correct(preset, params, X[:500], y[:500])
    assert n == count_correct(preset, preset.tensors(params), X[:500], y[:500])


# ----- plots ------------------------------------------------------------------------------------

def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "curves.png"
    hist = train("scratch", epochs=2, train_limit=500, test_limit=100, plot=path, **QUIET)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plot_history(History(hist.preset, {}, n_test=10, n_train=10, loss=[1.0], correct=[5],
                         train_correct=[6], seconds=[0.1]), tmp_path / "one.png")
    assert (tmp_path / "one.png").stat().st_size > 1000


def test_plot_without_matplotlib_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    trained = []
    with pytest.raises(ModuleNotFoundError, match=re.escape("pip install tinygrad-edu[plot]")):
        train("scratch", epochs=1, train_limit=100, plot=tmp_path / "c.png", progress=False,
              log=trained.append)
    assert not trained  # refused before training, not after it
    assert not (tmp_path / "c.png").exists()


def test_sigmoid_cross_entropy_is_finite_when_the_sigmoid_saturates():
    preset = P.get("nielsen").with_overrides(loss="sigmoid_cross_entropy", sizes=(6, 4, 3))
    params = preset.init_params(seed=0, dtype=np.float32)
    params["W3"] *= 40  # outputs far into saturation: σ(z) rounds to 0 or 1 in float32
    x = np.random.default_rng(0).random((6, 5)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[:, [0, 1, 2, 0, 1]]
    W = preset.tensors(params)
    C = preset.forward(W, x, y)
    assert np.isfinite(C.item()) and C.item() > 10
    C.backward()
    p64 = {k: v.astype(np.float64) for k, v in params.items()}
    assert C.item() == pytest.approx(nielsen.cost(p64, x.astype(np.float64), y, "cross_entropy"),
                                     rel=1e-5)
    expected = nielsen.backprop(p64, x.astype(np.float64), y.astype(np.float64), "cross_entropy")
    for k, p in W.items():
        np.testing.assert_allclose(p.grad.numpy(), expected[k], rtol=1e-4, atol=1e-5, err_msg=k)


def test_sigmoid_cross_entropy_gradient_is_exact_at_z_zero():
    preset = P.get("nielsen").with_overrides(loss="sigmoid_cross_entropy", sizes=(2, 3))
    W = preset.tensors({"W2": np.zeros((3, 2)), "b2": np.zeros((3, 1))})
    y = np.array([[1.0], [0.0], [0.0]])
    preset.forward(W, np.ones((2, 1)), y).backward()
    np.testing.assert_allclose(W["b2"].grad.numpy(), 0.5 - y)  # δ = σ(0) − y


# ----- a preset's real batch --------------------------------------------------------------------

def test_sample_draws_seeded_training_images_in_the_presets_layout():
    rows, columns = P.get("scratch"), P.get("nielsen")
    x, y = rows.sample(5, seed=2)
    assert x.shape == (5, 784) and y.shape == (5, 10) and x.dtype == y.dtype == np.float64
    assert np.array_equal(y.sum(axis=1), np.ones(5)) and 0 <= x.min() and x.max() <= 1
    X, labels = load_mnist(normalize=False).train
    pixels = np.rint(x * 255).astype(np.uint8)  # each row is one training image, scaled by 1/255
    found = [np.flatnonzero((X == row).all(axis=1)) for row in pixels]
    assert all(len(f) and labels[f[0]] == y[k].argmax() for k, f in enumerate(found))
    xc, yc = columns.sample(5, seed=2)  # the same images, as columns
    np.testing.assert_array_equal(xc, x.T)
    np.testing.assert_array_equal(yc, y.T)
    assert not np.array_equal(rows.sample(5, seed=3)[0], x)
    assert rows.sample(5, seed=2, dtype="float32")[0].dtype == np.float32


def test_sample_draws_without_replacement_and_refuses_impossible_sizes():
    digits = P.get("digits32")
    _, labels = load_digits32(split="train")
    x, y = digits.sample(len(labels))  # every training digit exactly once
    assert x.shape == (1024, len(labels)) and set(np.unique(x)) == {0.0, 1.0}
    np.testing.assert_array_equal(y.sum(axis=1), np.bincount(labels, minlength=10))
    for size in (0, len(labels) + 1):
        with pytest.raises(ValueError, match=f"batch_size={size}.*holds {len(labels)} examples"):
            digits.sample(size)


# ----- your own model -----------------------------------------------------------------------------

def nielsen_params(seed=0):
    """784-30-10 in Nielsen's column layout, as a learner writes it in a notebook."""
    rng = np.random.default_rng(seed)
    return {"W2": Tensor(rng.standard_normal((30, 784)) / 28, requires_grad=True, name="W2"),
            "b2": Tensor(np.zeros((30, 1)), requires_grad=True, name="b2"),
            "W3": Tensor(rng.standard_normal((10, 30)) / 5.5, requires_grad=True, name="W3"),
            "b3": Tensor(np.zeros((10, 1)), requires_grad=True, name="b3")}


def nielsen_forward(p, x):
    a2 = (p["W2"] @ x + p["b2"]).sigmoid()
    return (p["W3"] @ a2 + p["b3"]).sigmoid()


def test_train_takes_a_forward_function_of_params_and_x(tmp_path, capsys):
    params = nielsen_params()
    before = params["W2"].data.copy()
    hist = train(nielsen_forward, params=params, cost="quadratic", layout="columns", lr=3.0,
                 epochs=2, train_limit=2000, test_limit=500, save=tmp_path / "mine.npz",
                 progress=False)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Epoch 0", "Epoch 1"]
    assert re.fullmatch(r"Epoch 1: \d+ / 500  loss \d\.\d{4}  \d+\.\d s", lines[1])
    assert hist.correct[-1] > 350 and hist.loss[1] < hist.loss[0]  # of 500; guessing gets 50
    assert not np.array_equal(params["W2"].data, before)  # the learner's own tensors learned
    assert params["W2"].dtype == np.float64 and hist.model.startswith("nielsen_forward(params, x)")
    saved = load_params(tmp_path / "mine.npz")
    assert sorted(saved) == ["W2", "W3", "b2", "b3"]
    np.testing.assert_array_equal(saved["W3"], params["W3"].data)
    with pytest.raises(ValueError, match=r"your own model nielsen_forward.*load_params"):
        load_network(tmp_path / "mine.npz")


def test_train_takes_a_module_and_a_cost_function(tmp_path):
    model = nn.Sequential(nn.Linear(784, 30, seed=0), nn.ReLU(), nn.Linear(30, 10, seed=1))

    def softmax_ce(out, Y):
        return -(out.log_softmax(axis=1) * Y).sum() * (1.0 / out.shape[0])

    hist = train(model, cost=softmax_ce, epochs=1, lr=0.1, train_limit=2000, test_limit=500,
                 plot=tmp_path / "curves.png", progress=False, log=lambda line: None)
    assert hist.correct[0] > 350
    assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert hist._repr_png_()[:4] == b"\x89PNG"  # a notebook shows the curves inline
    assert "Sequential, softmax_ce, sgd lr 0.1, batch 10" in hist.model


def test_a_model_with_its_weights_in_a_list_is_replayed_as_it_trains_eagerly():
    def forward(params, x):  # the learner unpacks the list themselves
        W1, W2, b1, b2 = params
        return W2 @ (W1 @ x + b1).sigmoid() + b2

    def make():
        p = nielsen_params()
        return [p["W2"], p["W3"], p["b2"], p["b3"]]

    runs = []
    for eager in (True, False):
        params = make()
        h = train(forward, params=params, cost="cross_entropy", layout="columns", lr=0.5,
                  epochs=1, train_limit=500, test_limit=200, progress=False, eager=eager,
                  log=lambda line: None)
        runs.append((h.loss, [p.numpy() for p in params]))
    assert runs[0][0] == runs[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))


def test_a_model_whose_step_cannot_be_replayed_trains_eagerly_and_says_why():
    def forward(p, x):  # Python that reads a value: a replay could not follow it
        z = p["W2"] @ x + p["b2"]
        a2 = z.relu() if z.sum().item() > 0 else z.sigmoid()
        return p["W3"] @ a2 + p["b3"]

    said = []
    h = train(forward, params=nielsen_params(), cost="quadratic", layout="columns", lr=0.5,
              epochs=1, train_limit=300, test_limit=100, progress=False, log=said.append)
    assert said[0].startswith("train: this model's step cannot be replayed, so it is recorded "
                              "on every batch (as --eager): jit: item() reads a tensor's value")
    eager = train(forward, params=nielsen_params(), cost="quadratic", layout="columns",
                  lr=0.5, epochs=1, train_limit=300, test_limit=100, progress=False,
                  eager=True, log=lambda line: None)
    assert h.loss == eager.loss and h.correct == eager.correct


def test_a_dropout_model_falls_back_to_eager_with_the_weights_of_eager():
    def run(eager):
        rng = np.random.default_rng(7)  # the model's own generator, as a learner writes it

        def forward(p, x):  # a dropout mask drawn with numpy: a replay would keep the first one
            a2 = (p["W2"] @ x + p["b2"]).sigmoid()
            a2 = a2 * (rng.random(a2.shape) > 0.2).astype(np.float32)
            return p["W3"] @ a2 + p["b3"]

        params = nielsen_params()
        said = []
        train(forward, params=params, cost="quadratic", layout="columns", lr=0.5, epochs=1,
              train_limit=100, test_limit=20, progress=False, eager=eager, log=said.append)
        return said, {k: p.numpy() for k, p in params.items()}

    (said, fell_back), (_, eager) = run(False), run(True)
    assert "cannot be replayed" in said[0] and "a constant that changed" in said[0]
    for k in eager:  # the batch that showed it was not run a second time (no second mask)
        assert np.array_equal(fell_back[k], eager[k]), k


def test_your_own_models_mistakes_are_named():
    with pytest.raises(ValueError, match=r"needs its parameters: train\(forward, params="):
        train(nielsen_forward, cost="quadratic")
    with pytest.raises(ValueError, match=r"output has shape \(10, 5\).*layout='columns'"):
        train(lambda p, x: (x @ p["W"]).T, params={"W": np.zeros((784, 10))}, batch_size=5,
              cost="cross_entropy", epochs=1, train_limit=10, test_limit=10, progress=False)
    with pytest.raises(ValueError, match="unknown cost 'mse'"):
        train(nielsen_forward, params=nielsen_params(), cost="mse")
    with pytest.raises(TypeError, match="only go with your own model"):
        train("nielsen", cost="quadratic")
    frozen = {"W": Tensor(np.zeros((784, 10)))}
    with pytest.raises(ValueError, match=r"params \['W'\] do not require grad"):
        train(lambda p, x: x @ p["W"], params=frozen, cost="cross_entropy")
