"""Issue 9, nothing lost and nothing silent: per-thread grad mode, atomic saves, diverged runs,
hostile inputs and the behaviours no other test would notice breaking."""

import os
import threading

import numpy as np
import pytest

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.autograd import Tape, detect_anomaly, is_grad_enabled
from tinygrad_edu.optim import SGD, Adam

# ----- grad mode, anomaly flag and tapes are per thread ----------------------------------------


def _problem():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal((20, 1))
    return X, y, Tensor(np.zeros((3, 1)), requires_grad=True, name="W")


def _step(X, y, W, opt):
    loss = ((Tensor(X) @ W - y) ** 2).mean()
    loss.backward()
    opt.step()
    opt.zero_grad()


def _train(steps, sync=lambda: None):
    """A least-squares fit by SGD; sync() twice a step lets the other thread into no_grad()."""
    X, y, W = _problem()
    opt = SGD([W], lr=0.05)
    for _ in range(steps):
        sync()  # the other thread is now inside no_grad()
        _step(X, y, W, opt)
        sync()
    return W.data.copy()


def _train_and_evaluate(steps, sync=lambda: None):
    """The same fit, evaluating under no_grad() after every step, while the other one trains."""
    X, y, W = _problem()
    opt, evals = SGD([W], lr=0.05), []
    for _ in range(steps):
        _step(X, y, W, opt)
        with no_grad():
            sync()
            evals.append(((Tensor(X) @ W - y) ** 2).mean().item())
            sync()
    return W.data.copy(), evals


def test_two_threads_train_at_once_one_evaluating_under_no_grad():
    alone_train, alone_eval = _train(30), _train_and_evaluate(30)
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def run(key, f):
        try:
            results[key] = f(30, sync=lambda: barrier.wait(timeout=10))
        except Exception as e:  # reported below: a thread's exception is otherwise lost
            errors.append(e)
            barrier.abort()

    threads = [threading.Thread(target=run, args=("train", _train)),
               threading.Thread(target=run, args=("eval", _train_and_evaluate))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    np.testing.assert_array_equal(results["train"], alone_train)
    np.testing.assert_array_equal(results["eval"][0], alone_eval[0])
    assert results["eval"][1] == alone_eval[1]


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    inside, done = threading.Event(), threading.Event()

    def hold_no_grad():
        with no_grad():
            inside.set()
            done.wait(timeout=10)

    t = threading.Thread(target=hold_no_grad)
    t.start()
    inside.wait(timeout=10)
    try:
        assert is_grad_enabled()
        w = Tensor([1.0, 2.0], requires_grad=True)
        (w * w).sum().backward()
        np.testing.assert_array_equal(w.grad.data, [2.0, 4.0])
    finally:
        done.set()
        t.join()


def test_threads_leaving_no_grad_out_of_order_leave_recording_on():
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a():
        with no_grad():
            a_in.set()
            b_in.wait(timeout=10)
        a_out.set()

    def b():
        a_in.wait(timeout=10)
        with no_grad():
            b_in.set()
            a_out.wait(timeout=10)  # b leaves last: a shared flag would stay off for good

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert is_grad_enabled()
    w = Tensor([3.0], requires_grad=True)
    (w * w).sum().backward()
    assert w.grad.item() == 6.0


def test_tapes_and_anomaly_flag_are_per_thread():
    seen = {}

    def other():
        x = Tensor([1.0], requires_grad=True)
        y = x * Tensor([np.inf])  # would raise inside this thread if the flag leaked
        seen["ok"] = not np.isfinite(y.data).all()

    w = Tensor([1.0], requires_grad=True)
    with Tape() as tape, detect_anomaly():
        t = threading.Thread(target=other)
        t.start()
        t.join()
        w * 2
    assert seen == {"ok": True}
    assert [n.op.name for n in tape.nodes] == ["mul"]  # the other thread's mul is not on it


def test_leaving_an_inner_no_grad_keeps_recording_off():
    w = Tensor([1.0], requires_grad=True)
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
        assert not (w * 2).requires_grad
    assert is_grad_enabled()
    assert (w * 2).requires_grad


# ----- optimizers refuse what would silently corrupt the weights -------------------------------

@pytest.mark.parametrize("make, words", [
    (lambda w: SGD([w, w], lr=0.1), ["w", "twice", "once"]),
    (lambda w: SGD([{"params": [w]}, {"params": [w]}], lr=0.1), ["w", "twice"]),
    (lambda w: SGD([w], lr=float("nan")), ["lr", "nan", "lr=0.1"]),
    (lambda w: SGD([w], lr=float("inf")), ["lr", "inf"]),
    (lambda w: SGD([w], lr=0.1, momentum=float("nan")), ["momentum", "nan"]),
    (lambda w: SGD([w], lr=0.1, weight_decay=float("inf")), ["weight_decay", "inf"]),
    (lambda w: SGD([{"params": [w], "lr": float("nan")}], lr=0.1), ["lr", "nan"]),
    (lambda w: Adam([w], lr=float("nan")), ["Adam", "lr", "nan"]),
    (lambda w: Adam([w], lr=float("inf")), ["Adam", "lr", "inf"]),
    (lambda w: Adam([w], betas=(float("nan"), 0.999)), ["betas[0]", "nan"]),
    (lambda w: Adam([w], eps=float("nan")), ["eps", "nan"]),
    (lambda w: Adam([w], weight_decay=float("nan")), ["weight_decay", "nan"]),
])
def test_optimizer_settings_and_duplicates_are_refused(make, words):
    w = Tensor([1.0, 2.0], requires_grad=True, name="w")
    with pytest.raises(ValueError) as e:
        make(w)
    for word in words:
        assert word in str(e.value)


# ----- Tensor refuses what numpy would silently turn into something else -----------------------

@pytest.mark.parametrize("make, words", [
    (lambda: Tensor(None), ["None", "Tensor([1.0, 2.0])"]),
    (lambda: Tensor([1.0, None]), ["object", "None"]),
    (lambda: Tensor(np.array([1, None], dtype=object)), ["object", "dtype=float"]),
    (lambda: Tensor("1.5"), ["'1.5'", "strings", "dtype=float"]),
    (lambda: Tensor(np.array(["1", "2"])), ["strings", "dtype=float"]),
    (lambda: Tensor(1 + 2j), ["complex", "imaginary", "x.real"]),
    (lambda: Tensor(np.array([1j])), ["complex", "x.real"]),
    (lambda: Tensor([1.0], requires_grad=True) * 1j, ["complex", "x.real"]),
    (lambda: Tensor([1.0], requires_grad=True) + None, ["None"]),
    (lambda: Tensor([1.0], requires_grad=True) + "2", ["strings"]),
    (lambda: Tensor([1.0], requires_grad=True) * np.array([2j]), ["complex"]),
])
def test_tensor_refuses_values_that_are_not_real_numbers(make, words):
    with pytest.raises(TypeError) as e:
        make()
    for word in words:
        assert word in str(e.value)


def test_rewording_an_error_never_raises_its_own():
    from tinygrad_edu import ops
    from tinygrad_edu.tensor import _failure, _wrap

    class Picky(TypeError):  # like numpy's _UFuncNoLoopError: another constructor
        def __init__(self, ufunc, dtypes):
            super().__init__(f"{ufunc} has no loop for {dtypes}")

    a, b = _wrap(np.array(["1", "2"])), Tensor([1.0, 2.0], requires_grad=True, name="b")
    error = _failure(ops.add, [a, b], Picky("add", ("<U1", "float64")))
    assert type(error) is TypeError
    assert "add" in str(error) and "(2,)" in str(error)
    with pytest.raises(TypeError, match="add"):  # numpy's own _UFuncNoLoopError, end to end
        from tinygrad_edu.tensor import apply
        apply(ops.add, a, b)


# ----- saves are atomic; loads name the file ----------------------------------------------------

def _folder_state(folder):
    """{name: sha256} of every file under folder: proof that nothing changed."""
    import hashlib
    from pathlib import Path
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def test_an_interrupted_module_save_keeps_the_old_file_and_leaves_nothing(tmp_path, monkeypatch):
    from tinygrad_edu.nn import Linear
    layer = Linear(3, 2, seed=0)
    target = tmp_path / "net.npz"
    layer.save(target)
    before = _folder_state(tmp_path)

    def half_then_interrupt(f, **arrays):
        f.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", half_then_interrupt)
    layer.W.data = layer.W.data + 1
    with pytest.raises(KeyboardInterrupt):
        layer.save(target)
    assert _folder_state(tmp_path) == before  # the old file, and no temporary file beside it
    monkeypatch.undo()
    again = Linear(3, 2, seed=1).load(target)
    np.testing.assert_array_equal(again.W.data, Linear(3, 2, seed=0).W.data)


@pytest.mark.parametrize("writer", ["save_network", "plot", "graph"])
def test_every_writer_is_atomic(tmp_path, monkeypatch, writer):
    from tinygrad_edu import files, train, viz
    target = tmp_path / {"save_network": "w.npz", "plot": "c.png", "graph": "g.dot"}[writer]
    target.write_bytes(b"the previous good file")
    real = files.os.replace

    def crash(src, dst):  # the very last step fails: the file must not be touched
        raise OSError(28, "No space left on device", str(dst))

    monkeypatch.setattr(files.os, "replace", crash)
    preset = train.presets.get("nielsen")
    with pytest.raises(OSError, match="No space"):
        if writer == "save_network":
            train.save_network(target, preset, preset.init_params(0))
        elif writer == "plot":
            hist = train.History(preset, {}, n_test=10, n_train=10, loss=[1.0], correct=[5])
            train.plot_history(hist, target)
        else:
            viz.render(viz.draw(Tensor([1.0], name="x") * 2), target)
    monkeypatch.setattr(files.os, "replace", real)
    assert target.read_bytes() == b"the previous good file"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_save_has_the_permissions_open_gives_and_a_replaced_file_keeps_its_own(tmp_path):
    from tinygrad_edu import files
    umask = os.umask(0o022)
    try:
        new = tmp_path / "new.txt"
        with files.atomic_write(new, "w") as f:
            f.write("x")
        assert new.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
        shared = tmp_path / "shared.txt"
        shared.write_text("old")
        shared.chmod(0o664)
        with files.atomic_write(shared, "w") as f:
            f.write("new")
        assert shared.stat().st_mode & 0o777 == 0o664 and shared.read_text() == "new"
    finally:
        os.umask(umask)
def test_module_save_to_a_folder_is_an_error_not_folder_npz(tmp_path):
    from tinygrad_edu.nn import Linear
    folder = tmp_path / "somedir"
    folder.mkdir()
    with pytest.raises(IsADirectoryError, match="somedir is a folder.*file name"):
        Linear(2, 2).save(folder)
    assert not (tmp_path / "somedir.npz").exists()
    assert Linear(2, 2).save(tmp_path / "net") == tmp_path / "net.npz"  # numpy's rule stays


@pytest.mark.parametrize("content, words", [
    (b"<!DOCTYPE html><html><body>404 Not Found</body></html>", ["HTML page", "not an .npz"]),
    (b"", ["not an .npz"]),
    ("truncated", ["truncated"]),
    ("pickled", ["pickled", "never loaded"]),
])
def test_module_load_of_a_bad_file_is_one_line_naming_it(tmp_path, content, words):
    from tinygrad_edu.nn import Linear
    path = tmp_path / "net.npz"
    if content == "truncated":
        Linear(30, 20).save(path)
        path.write_bytes(path.read_bytes()[:700])
    elif content == "pickled":
        np.savez(path, W=np.array([None, 1], dtype=object), b=np.zeros(2))
    else:
        path.write_bytes(content)
    layer = Linear(30, 20, seed=0)
    before = layer.W.data.copy()
    with pytest.raises(ValueError) as e:
        layer.load(path)
    message = str(e.value)
    assert str(path) in message and "\n" not in message and "Linear.save" in message
    assert "allow_pickle" not in message
    for word in words:
        assert word in message
    np.testing.assert_array_equal(layer.W.data, before)


BAD_META = [
    ("not json", "{sizes: [784"),
    ("a list", "[1, 2, 3]"),
    ("an extra key", "EXTRA"),
    ("string sizes", "STRSIZES"),
    ("an unknown activation", "SOFTPLUS"),
]


@pytest.mark.parametrize("label, meta", BAD_META, ids=[m[0] for m in BAD_META])
def test_damaged_preset_metadata_is_a_one_line_error_and_exit_2(tmp_path, capsys, label, meta):
    import json

    from tinygrad_edu import cli, train
    preset = train.presets.get("nielsen")
    good = {k: getattr(preset, k) for k in train.SAVED}
    good["sizes"] = list(good["sizes"])
    text = {"EXTRA": json.dumps({**good, "colour": "red"}),
            "STRSIZES": json.dumps({**good, "sizes": ["784", "30", "10"]}),
            "SOFTPLUS": json.dumps({**good, "activation": "softplus"})}.get(meta, meta)
    path = tmp_path / "w.npz"
    np.savez(path, **preset.init_params(0), **{train.META: np.array(text)})
    with pytest.raises(ValueError) as e:
        train.load_network(path)
    assert str(path) in str(e.value) and "__preset__" in str(e.value)
    before = _folder_state(tmp_path)
    status = cli.main(["evaluate", "--load", str(path)])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err and err.count("\n") == 1, err
    assert str(path) in err
    assert _folder_state(tmp_path) == before


def test_int_weights_are_blamed_on_the_file_not_on_load_mnist(tmp_path):
    from tinygrad_edu import train
    preset = train.presets.get("nielsen")
    params = {k: v.astype(np.int64) for k, v in preset.init_params(0).items()}
    train.save_network(tmp_path / "w.npz", preset, params)
    with pytest.raises(ValueError, match=r"w\.npz holds non-float weights") as e:
        train.evaluate(tmp_path / "w.npz", log=lambda line: None)
    assert "load_mnist" not in str(e.value)


# ----- diverged runs -----------------------------------------------------------------------------

def test_a_diverged_run_never_replaces_a_saved_network(tmp_path, capsys):
    from tinygrad_edu import cli
    good = tmp_path / "good.npz"
    quick = ["--epochs", "2", "--limit", "1000", "--test-limit", "200", "--no-progress"]
    assert cli.main(["train", *quick, "--save", str(good)]) == 0
    kept = good.read_bytes()
    capsys.readouterr()
    with np.errstate(all="ignore"):
        status = cli.main(["train", "--preset", "best", "--lr", "1e6", *quick, "--save", str(good)])
    out = capsys.readouterr().out
    assert status == 1  # called out: exit 1 and a warning, as a nan cost is
    assert "diverged" in out and "too large" in out
    assert good.read_bytes() == kept
    diverged = tmp_path / "good.diverged.npz"
    assert diverged.exists() and f"saved the network to {diverged}" in out
    assert f"not saved to {good}" in out


def test_a_nan_run_saves_beside_the_target_and_evaluate_warns(tmp_path):
    from tinygrad_edu import train
    lines = []
    with np.errstate(all="ignore"):
        hist = train.train("scratch", epochs=1, lr=1e10, train_limit=300, test_limit=50,
                           save=tmp_path / "w.npz", progress=False, log=lines.append)
    assert hist.diverged and hist.saved == tmp_path / "w.diverged.npz"
    assert not (tmp_path / "w.npz").exists()
    params = dict(hist.params, b2=np.full_like(hist.params["b2"], np.nan))
    train.save_network(tmp_path / "nan.npz", hist.preset, params)
    lines.clear()
    with np.errstate(all="ignore"):
        train.evaluate(tmp_path / "nan.npz", log=lines.append)
    assert "non-finite weights (b2" in lines[0] and "diverged" in lines[0]


def test_a_learning_run_is_not_called_diverged():
    from tinygrad_edu import train
    hist = train.train("scratch", epochs=2, train_limit=1000, test_limit=100, progress=False,
                       log=lambda line: None)
    assert hist.diverged == "" and hist.first_cost > hist.loss[-1]


# ----- the CLI checks every option and output before training -----------------------------------

def _no_training(monkeypatch):
    from tinygrad_edu import train

    def refuse(*args, **kwargs):
        raise AssertionError("training started before the options were checked")

    monkeypatch.setattr(train, "load_data", refuse)


@pytest.mark.parametrize("argv, words", [
    (["train", "--seed", "-1"], ["--seed", "≥ 0"]),
    (["check", "--seed", "-1"], ["--seed"]),
    (["train", "--lr", "inf"], ["--lr", "finite"]),
    (["train", "--lr", "nan"], ["--lr"]),
    (["train", "--save", "/etc/passwd/x.npz"], ["/etc/passwd is a file, not a folder"]),
    (["train", "--plot", "x.xyz"], ["x.xyz", "'.xyz'", ".png"]),
    (["train", "--plot", "/etc/passwd/c.png"], ["/etc/passwd is a file"]),
    (["graph", "--out", "g.xyz"], ["g.xyz", ".svg"]),
    (["graph", "--out", "/etc/passwd/g.svg"], ["/etc/passwd is a file"]),
])
def test_bad_options_fail_in_one_line_before_anything_runs(tmp_path, capsys, monkeypatch, argv,
                                                           words):
    from tinygrad_edu import cli, viz
    _no_training(monkeypatch)
    monkeypatch.setattr(viz, "graph_preset", lambda *a, **k: pytest.fail("drew before checking"))
    monkeypatch.chdir(tmp_path)
    status = cli.main(argv) if "--seed" not in argv and "--lr" not in argv else None
    if status is None:
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        status = e.value.code
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    for word in words:
        assert word in err, err
    assert list(tmp_path.iterdir()) == []


def test_plot_without_a_suffix_reports_the_file_it_writes(tmp_path, capsys, monkeypatch):
    from tinygrad_edu import cli
    monkeypatch.chdir(tmp_path)
    status = cli.main(["train", "--epochs", "1", "--limit", "300", "--test-limit", "50",
                       "--no-progress", "--plot", "curves"])
    out = capsys.readouterr().out
    assert status == 0
    assert "drew the training curves to curves.png" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curves.png"]


# ----- edge cases against PyTorch ---------------------------------------------------------------

def test_matmul_method_is_the_at_operator():
    W = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    x = np.ones((3, 2))
    np.testing.assert_array_equal(W.matmul(x).data, (W @ x).data)
    W.matmul(x).sum().backward()
    np.testing.assert_array_equal(W.grad.data, np.full((2, 3), 2.0))


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min"])
@pytest.mark.parametrize("axis", [0, -1])
def test_reductions_of_a_0d_tensor_over_axis_0_or_minus_1_backpropagate(op, axis):
    t = Tensor(3.0, requires_grad=True)
    out = getattr(t, op)(axis=axis)
    assert out.shape == () and out.item() == 3.0
    out.backward()
    assert t.grad.shape == () and t.grad.item() == 1.0


def test_zero_to_a_negative_power_has_gradient_minus_inf_like_pytorch():
    y = Tensor([-1.0, -0.5, 0.0, 2.0], requires_grad=True)
    base = Tensor([0.0, 0.0, 0.0, 0.0], requires_grad=True)
    with np.errstate(divide="ignore"):  # the forward 0⁻¹ = inf is numpy's own warning
        (base ** y).sum().backward()
    # ∂(0ʸ)/∂y = 0ʸ·ln 0: −∞ where y < 0, 0 where y ≥ 0 (PyTorch's pow_backward_exponent)
    np.testing.assert_array_equal(y.grad.data, [-np.inf, -np.inf, 0.0, 0.0])
    # ∂(xʸ)/∂x = y·xʸ⁻¹ at x = 0: −∞ for y = −1 and −0.5, 0 for y = 0 (x⁰) and y = 2
    np.testing.assert_array_equal(base.grad.data, [-np.inf, -np.inf, 0.0, 0.0])
    y2 = Tensor([-1.0, 3.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        (0.0 ** y2).sum().backward()  # a constant base
    np.testing.assert_array_equal(y2.grad.data, [-np.inf, 0.0])


def test_mean_of_no_elements_is_nan_without_a_warning():
    import warnings
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # decided: nan, silently, as PyTorch
        assert np.isnan(x.mean().item())
        np.testing.assert_array_equal(x.mean(axis=0).data, [np.nan] * 3)
        assert x.mean(axis=1).shape == (0,)
        x.mean().backward()
    assert x.grad.shape == (0, 3)
    with pytest.warns(RuntimeWarning):  # numpy's own mean, for comparison, warns
        assert np.isnan(np.zeros((0, 3)).mean())


def test_pytorch_transpose_and_dim_are_refused_with_numpys_spelling():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(ValueError, match=r"transpose: axes \(0, 1\).*keeps a 2-D tensor.*"
                                         r"swapaxes\(0, 1\)"):
        x.transpose(0, 1)
    with pytest.raises(ValueError, match=r"swapaxes\(1, 2\)"):
        Tensor(np.zeros((2, 3, 4))).transpose(1, 2)
    assert x.transpose(1, 0).shape == (3, 2) and x.transpose().shape == (3, 2)
    assert Tensor(np.zeros((2, 3, 4))).transpose(2, 0, 1).shape == (4, 2, 3)
    for op in ("sum", "mean", "max", "min"):
        with pytest.raises(TypeError, match=rf"{op}: dim= is PyTorch's name.*axis=1"):
            getattr(x, op)(dim=1)
        with pytest.raises(TypeError, match=r"keepdims=True"):
            getattr(x, op)(axis=0, keepdim=True)


# ----- behaviours no other test would notice breaking -------------------------------------------

def _fill_of(source, label):
    """The fillcolor of the DOT node whose label starts with label (no `dot` needed)."""
    import re
    for line in source.splitlines():
        if re.search(rf'\[label="{re.escape(label)}\\n', line):
            return re.search(r'fillcolor="([^"]+)"', line).group(1)
    raise AssertionError(f"no node labelled {label!r}")


def _mlp_graph(rows, **kw):
    from types import SimpleNamespace

    from tinygrad_edu import presets
    from tinygrad_edu.viz import draw
    preset = presets.get("nielsen")
    rng = np.random.default_rng(0)
    params = preset.tensors({k: v[..., :] for k, v in preset.init_params(0).items()})
    x = Tensor(rng.random((784, 3)), name="x")
    y = Tensor(np.eye(10)[:, :3], name="y")
    C = preset.forward(params, x, y)
    C.backward(retain_graph=True)
    return draw(C, highlight=SimpleNamespace(rows=rows), **kw).source


def test_a_wrong_dW2_paints_W2_red_even_when_W2_itself_agrees():
    from types import SimpleNamespace

    from tinygrad_edu.viz import HIGHLIGHT
    for rows in ([SimpleNamespace(name="W2", ok=True), SimpleNamespace(name="dW2", ok=False)],
                 [SimpleNamespace(name="dW2", ok=False), SimpleNamespace(name="W2", ok=True)]):
        assert _fill_of(_mlp_graph(rows), "W2") == HIGHLIGHT[False]
    rows = [SimpleNamespace(name="W2", ok=None), SimpleNamespace(name="dW2", ok=True)]
    assert _fill_of(_mlp_graph(rows), "W2") == HIGHLIGHT[True]  # checked beats not checked


def test_a_collapsed_layer_with_one_wrong_and_one_right_tensor_is_red():
    from types import SimpleNamespace

    from tinygrad_edu.viz import HIGHLIGHT
    for rows in ([SimpleNamespace(name="z2", ok=True), SimpleNamespace(name="a2", ok=False)],
                 [SimpleNamespace(name="z2", ok=False), SimpleNamespace(name="a2", ok=True)]):
        assert _fill_of(_mlp_graph(rows, collapse="module"), "layer 2") == HIGHLIGHT[False]
    rows = [SimpleNamespace(name="z3", ok=True), SimpleNamespace(name="a3", ok=None)]
    assert _fill_of(_mlp_graph(rows, collapse="module"), "layer 3") == HIGHLIGHT[True]


def _record_steps(monkeypatch, opt_class):
    """Patch opt_class.step to record, per call, the first group's lr and the batch's size."""
    seen = []
    real = opt_class.step

    def step(self):
        seen.append(self.param_groups[0]["lr"])
        return real(self)

    monkeypatch.setattr(opt_class, "step", step)
    return seen


def test_lr_decay_is_lr_through_epoch_0_and_lr_times_decay_through_epoch_1(monkeypatch):
    from tinygrad_edu import optim, train
    seen = _record_steps(monkeypatch, optim.Adam)
    preset = train.presets.get("best").with_overrides(lr_decay=0.5, lr=0.004, batch_size=100)
    train.train(preset, epochs=3, train_limit=300, test_limit=10, progress=False,
                log=lambda line: None)
    assert seen == [0.004] * 3 + [0.002] * 3 + [0.001] * 3


def test_a_short_last_batch_counts_as_one_of_the_epochs_batches(monkeypatch):
    from tinygrad_edu import presets, train
    costs, sizes = [], []
    real = presets.Preset.forward

    def forward(self, params, x, y):
        C = real(self, params, x, y)
        costs.append(C.item())
        sizes.append(x.shape[-1])  # columns: examples are the last axis
        return C

    monkeypatch.setattr(presets.Preset, "forward", forward)
    hist = train.train("nielsen", epochs=1, batch_size=10, train_limit=25, test_limit=10,
                       progress=False, eager=True, log=lambda line: None)  # eager: C.item()
    assert sizes == [10, 10, 5]
    assert hist.loss[0] == pytest.approx(sum(costs) / 3, rel=1e-12)


def test_demo_exits_1_when_its_check_disagrees(tmp_path, capsys, monkeypatch):
    from types import SimpleNamespace

    from tinygrad_edu import check, cli
    report = SimpleNamespace(ok=False, diagnosis="dW2 disagrees (planted)", rows=[])
    monkeypatch.setattr(check, "check_preset", lambda name, **kw: report)
    status = cli.main(["demo", "--epochs", "1", "--limit", "200", "--no-progress",
                       "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert status == 1 and "dW2 disagrees (planted)" in out
    report.ok = True
    assert cli.main(["demo", "--epochs", "1", "--limit", "200", "--no-progress",
                     "--out", str(tmp_path / "out")]) == 0


@pytest.mark.parametrize("labels, n, words", [
    ([3], 3, ["0..2", "3", "num_classes"]),
    ([-1], 10, ["0..9", "-1"]),
    ([0], 0, ["num_classes", "≥ 1", "0"]),
    ([1.0], 3, ["integer labels", "float64"]),
])
def test_one_hot_out_of_range_is_a_clear_value_error(labels, n, words):
    from tinygrad_edu.data import one_hot
    with pytest.raises(ValueError) as e:
        one_hot(labels, n)
    for word in words:
        assert word in str(e.value)


def test_gradcheck_fails_on_a_nan_gradient():
    from tinygrad_edu.check import gradcheck
    with np.errstate(all="ignore"), pytest.raises(AssertionError, match="nan"):
        gradcheck(lambda x: (x - x).sqrt(), np.array([1.0, 2.0]))  # autograd: ∞ − ∞; numeric 0
    with np.errstate(all="ignore"), pytest.raises(AssertionError, match="nan"):
        gradcheck(lambda x: (x * np.nan).sum(), np.array([1.0]))  # both nan: still a failure


def test_load_mnist_validation_as_a_fraction_says_what_to_write():
    from tinygrad_edu.data import load_mnist
    with pytest.raises(TypeError, match=r"validation.*0\.1.*int\(0\.1 \* 60000\)"):
        load_mnist(validation=0.1)


# ----- a machine without Graphviz's `dot` -------------------------------------------------------

def test_demo_without_dot_says_how_to_install_graphviz_once_and_writes_dot_text(tmp_path, capsys,
                                                                               monkeypatch):
    from tinygrad_edu import cli
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` anywhere
    status = cli.main(["demo", "--epochs", "1", "--limit", "200", "--no-progress",
                       "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert status == 0
    assert out.count("apt-get install graphviz") == 1, out
    drawn = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert drawn == ["nielsen-graph-full.dot", "nielsen-graph.dot", "nielsen.npz"]
    assert (tmp_path / "out" / "nielsen-graph.dot").read_text().startswith("digraph")


def test_docs_blocks_that_need_dot_are_skipped_with_the_reason_when_it_is_missing(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PATH": str(tmp_path)}  # an empty folder: no `dot`
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly",
                           str(root / "tests" / "test_docs.py"), "-k", "graphs.md"],
                          capture_output=True, text=True, env=env, cwd=root, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "renders a graph with Graphviz's `dot`, which is not on PATH" in proc.stdout


# ----- writes through the array after the forward pass ------------------------------------------

@pytest.mark.parametrize("write", [
    lambda w: w.data.__setitem__(slice(None), 0.0),
    lambda w: np.subtract(w.data, 1.0, out=w.data),
])
def test_writes_through_the_array_are_caught_under_detect_anomaly(write):
    from tinygrad_edu.autograd import _State
    with detect_anomaly():
        w = Tensor([1.0, 2.0], requires_grad=True, name="w")
        loss = (w * w).sum()
        write(w)
        with pytest.raises(RuntimeError, match=r"input 0 \(w \(2,\)\) of mul .*written in place "
                                               r"through its array.*after backward\(\)"):
            loss.backward()
        w2 = Tensor([1.0, 2.0], requires_grad=True, name="w2")
        loss = (w2 * w2).sum()
        nodes = [loss._node, loss._node.inputs[0]._node]
        assert all(node in _State.saved for node in nodes)
        loss.backward()  # untouched: fine, and the graph's copies are dropped with it
        assert not any(node in _State.saved for node in nodes)
        w2.data -= 0.1 * w2.grad.data  # the update after backward is the right place
        np.testing.assert_allclose(w2.data, [0.8, 1.6])
    assert _State.saved == {}  # nothing is kept outside detect_anomaly()
    w = Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum()
    assert _State.saved == {}


def test_an_assignment_before_backward_keeps_its_own_message_under_detect_anomaly():
    with detect_anomaly():
        W = Tensor(np.ones(2), requires_grad=True, name="W")
        loss = (W * 3.0).sum()
        W.data -= 0.1
        with pytest.raises(RuntimeError, match=r"modified in place .*assigned at"):
            loss.backward()


# ----- the hostile-input table: a clear error naming the input, and no file changed -------------

def _cli(*argv):
    """(status, stderr) of the CLI, argparse's exits included."""
    import contextlib
    import io

    from tinygrad_edu import cli
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = cli.main([str(a) for a in argv])
        except SystemExit as e:
            status = e.code
    return status, err.getvalue()


def _hostile_cases():
    from tinygrad_edu import data, nn, optim, train
    W = lambda: Tensor([1.0, 2.0], requires_grad=True, name="W")  # noqa: E731
    cli = "cli"
    return [
        # (label, run(folder), exception type or "cli", words the message must hold)
        ("cli train --seed -1", lambda d: _cli("train", "--seed", "-1"), cli, ["--seed", "-1"]),
        ("cli train --epochs x", lambda d: _cli("train", "--epochs", "x"), cli, ["--epochs"]),
        ("cli train --lr inf", lambda d: _cli("train", "--lr", "inf"), cli, ["--lr", "inf"]),
        ("cli train --hidden 0", lambda d: _cli("train", "--hidden", "0"), cli, ["--hidden"]),
        ("cli train --save into a file", lambda d: _cli("train", "--save", d / "good.npz" / "x"),
         cli, ["good.npz is a file, not a folder"]),
        ("cli train --save a folder", lambda d: _cli("train", "--save", d / "sub"), cli,
         ["sub is a folder", "file name"]),
        ("cli train --plot x.xyz", lambda d: _cli("train", "--plot", d / "x.xyz"), cli,
         ["x.xyz", "'.xyz'"]),
        ("cli train --data missing", lambda d: _cli("train", "--data", d / "nope"), cli,
         ["nope"]),
        ("cli evaluate html", lambda d: _cli("evaluate", "--load", d / "page.npz"), cli,
         ["page.npz", "HTML page", "train --save"]),
        ("cli evaluate truncated", lambda d: _cli("evaluate", "--load", d / "cut.npz"), cli,
         ["cut.npz", "truncated"]),
        ("cli evaluate missing", lambda d: _cli("evaluate", "--load", d / "none.npz"), cli,
         ["none.npz", "no such file"]),
        ("cli evaluate a module file", lambda d: _cli("evaluate", "--load", d / "module.npz"),
         cli, ["module.npz", "__preset__", "not written by train"]),
        ("cli graph --out g.xyz", lambda d: _cli("graph", "--out", d / "g.xyz"), cli,
         ["g.xyz", ".svg"]),
        ("load_mnist(validation=0.1)", lambda d: data.load_mnist(validation=0.1), TypeError,
         ["validation", "0.1", "int("]),
        ("load_mnist(missing folder)", lambda d: data.load_mnist(d / "nope"), FileNotFoundError,
         ["nope"]),
        ("read_idx(html)", lambda d: data.read_idx(d / "page.npz"), ValueError,
         ["page.npz", "IDX"]),
        ("one_hot([3], 3)", lambda d: data.one_hot([3], 3), ValueError, ["0..2", "num_classes"]),
        ("Module.save(folder)", lambda d: nn.Linear(2, 2).save(d / "sub"), IsADirectoryError,
         ["sub", "folder"]),
        ("Module.load(html)", lambda d: nn.Linear(2, 2).load(d / "page.npz"), ValueError,
         ["page.npz", "HTML", "Linear.save"]),
        ("Module.load(truncated)", lambda d: nn.Linear(2, 2).load(d / "cut.npz"), ValueError,
         ["cut.npz", "truncated"]),
        ("Module.load(train file)", lambda d: nn.Linear(2, 2).load(d / "good.npz"), ValueError,
         ["good.npz", "train", "load_network"]),
        ("Module.load(other sizes)", lambda d: nn.Linear(3, 2).load(d / "module.npz"),
         ValueError, ["module.npz", "W", "shape"]),
        ("load_network(html)", lambda d: train.load_network(d / "page.npz"), ValueError,
         ["page.npz", "HTML"]),
        ("SGD([W, W])", lambda d: optim.SGD([W()] * 2, lr=0.1), ValueError, ["W", "twice"]),
        ("SGD(lr=nan)", lambda d: optim.SGD([W()], lr=float("nan")), ValueError,
         ["lr", "nan"]),
        ("SGD(lr='0.1')", lambda d: optim.SGD([W()], lr="0.1"), ValueError, ["lr", "'0.1'"]),
        ("Adam(betas=(0.9, 1.0))", lambda d: optim.Adam([W()], betas=(0.9, 1.0)), ValueError,
         ["betas[1]", "1.0"]),
        ("Adam(betas=0.9)", lambda d: optim.Adam([W()], betas=0.9), ValueError, ["betas", "pair"]),
        ("SGD(no params)", lambda d: optim.SGD([], lr=0.1), ValueError, ["empty"]),
        ("Tensor(None)", lambda d: Tensor(None), TypeError, ["None"]),
        ("Tensor(object array)", lambda d: Tensor(np.array([1, "a"], dtype=object)), TypeError,
         ["object"]),
        ("Tensor('abc')", lambda d: Tensor("abc"), TypeError, ["'abc'", "strings"]),
        ("Tensor(1j)", lambda d: Tensor(1j), TypeError, ["complex", "x.real"]),
        ("Tensor(ragged)", lambda d: Tensor([[1, 2], [3]]), ValueError, ["rectangular"]),
        ("Tensor(int, requires_grad)", lambda d: Tensor(np.array([1, 2]), requires_grad=True),
         TypeError, ["int64", "astype"]),
        ("W + 'a'", lambda d: W() + "a", TypeError, ["'a'", "strings"]),
        ("W.sum(dim=0)", lambda d: W().sum(dim=0), TypeError, ["dim=", "axis=0"]),
        ("W2d.transpose(0, 1)", lambda d: Tensor(np.ones((2, 3))).transpose(0, 1), ValueError,
         ["swapaxes(0, 1)"]),
        ("W @ wrong shape", lambda d: W() @ np.ones((3, 1)), ValueError, ["matmul", "(2,)"]),
    ]


def test_hostile_inputs_get_a_clear_error_and_change_no_file(tmp_path):
    from tinygrad_edu import nn, train
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "sub").mkdir()
    (folder / "page.npz").write_text("<!DOCTYPE html><html><body>Not Found</body></html>")
    preset = train.presets.get("nielsen")
    train.save_network(folder / "good.npz", preset, preset.init_params(0))
    (folder / "cut.npz").write_bytes((folder / "good.npz").read_bytes()[:4000])
    nn.Linear(2, 2, seed=0).save(folder / "module.npz")
    failures = []
    for label, run, expected, words in _hostile_cases():
        before = _folder_state(folder)
        try:
            result = run(folder)
        except Exception as e:  # noqa: BLE001 (the table checks the type itself)
            if expected == "cli" or not isinstance(e, expected):
                failures.append(f"{label}: {type(e).__name__}: {e}")
                continue
            message = str(e)
        else:
            if expected != "cli":
                failures.append(f"{label}: no error")
                continue
            status, message = result
            if status != 2 or "Traceback" in message or message.count("\n") != 1:
                if not (status == 2 and "usage:" in message):  # argparse prints its usage too
                    failures.append(f"{label}: exit {status}: {message!r}")
                    continue
        missing = [w for w in words if w not in message]
        if missing:
            failures.append(f"{label}: {missing} not in {message!r}")
        if "\n" in message.strip() and "usage:" not in message:
            failures.append(f"{label}: more than one line: {message!r}")
        if _folder_state(folder) != before:
            failures.append(f"{label}: a file changed")
    assert not failures, "\n".join(failures)
    assert sorted(p.name for p in folder.iterdir()) == ["cut.npz", "good.npz", "module.npz",
                                                        "page.npz", "sub"]
