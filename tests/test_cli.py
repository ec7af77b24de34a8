"""The command line: every command run in-process through cli.main (as the console script runs
it), `python -m tinygrad_edu` and the installed script in a subprocess, and every error path:
bad input ends with one line on stderr and exit status 2, never a traceback.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import bench, cli, train, viz

ROOT = Path(__file__).resolve().parent.parent
EPOCH_LINE = re.compile(r"^Epoch (\d+): (\d+) / (\d+)  loss \d+\.\d+  \d+\.\d s$", re.M)
QUICK = ["--epochs", "1", "--limit", "500", "--no-progress"]


def run(capsys, *argv):
    """(exit status, stdout, stderr) of `tinygrad-edu argv...`, argparse's exits included."""
    try:
        status = cli.main([str(a) for a in argv])
    except SystemExit as e:
        status = e.code
    out, err = capsys.readouterr()
    return status, out, err


def assert_clean_error(status, err, *words):
    assert status == 2
    assert "Traceback" not in err and err.count("\n") == 1, err
    for word in words:
        assert word in err, err


def subprocess_env(**extra):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH",
                                                                                 "")])}
    env.pop("PYTHONUNBUFFERED", None)
    return {**env, **extra}


# ----- the two ways to start it -----------------------------------------------------------------

def test_python_dash_m_lists_every_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tinygrad_edu", "--help"], capture_output=True,
                          text=True, cwd=tmp_path, env=subprocess_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    for command in cli.COMMANDS:
        assert re.search(rf"^\s+{command}\s", proc.stdout, re.M), f"{command} not in --help"
    assert "--blas-threads N" in proc.stdout


def test_the_installed_console_script_runs_main(tmp_path):
    script = Path(sys.executable).with_name("tinygrad-edu")
    if not script.exists():
        pytest.skip("the tinygrad-edu script is not installed next to this Python")
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                          cwd=tmp_path, env=subprocess_env(), timeout=60)
    assert proc.returncode == 0 and re.fullmatch(r"tinygrad-edu \d+\.\d+\.\d+\n", proc.stdout)
    proc = subprocess.run([str(script), "check", "--preset", "nowhere"], capture_output=True,
                          text=True, cwd=tmp_path, env=subprocess_env(), timeout=60)
    assert proc.returncode == 2 and "invalid choice: 'nowhere'" in proc.stderr


@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_a_reader_that_goes_away_is_no_error(tmp_path, unbuffered):
    # `tinygrad-edu check --markdown | head`: the pipe closes before the report is written
    env = subprocess_env(**({"PYTHONUNBUFFERED": "1"} if unbuffered else {}))
    proc = subprocess.Popen([sys.executable, "-m", "tinygrad_edu", "check", "--markdown"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141, err
    assert err == ""


# ----- train and evaluate -----------------------------------------------------------------------

def test_train_prints_nielsens_epoch_lines_and_evaluate_reloads_the_same_network(tmp_path,
                                                                                   capsys):
    status, out, err = run(capsys, "train", "--epochs", "1", "--limit", "2000", "--no-progress",
                           "--save", tmp_path / "net")
    assert status == 0, err
    (epoch, correct, total), = EPOCH_LINE.findall(out)
    assert (epoch, total) == ("0", "10000") and int(correct) > 3000  # chance is 1000
    saved = tmp_path / "net.npz"  # np.savez adds the suffix, and the CLI says where it went
    assert saved.exists() and f"saved the network to {saved}" in out

    status, out, err = run(capsys, "evaluate", "--load", saved)
    assert status == 0, err
    assert f"{correct} / 10000 test examples correct ({int(correct) / 100:.2f}%)" in out
    head, *rows = out.split("true\\pred")[1].strip().split("\n")
    assert head.split() == [str(d) for d in range(10)] and len(rows) == 10
    C = np.array([[int(v) for v in row.split()[1:]] for row in rows])
    assert C.sum() == 10000 and np.trace(C) == int(correct)


def test_every_training_option_reaches_the_network(tmp_path, capsys):
    bundled = Path(train.__file__).parent / "data" / "files"
    status, out, err = run(capsys, "train", "--preset", "scratch", "--epochs", "2", "--lr", "0.01",
                           "--batch-size", "50", "--hidden", "20,12", "--activation", "tanh",
                           "--loss", "sigmoid_cross_entropy", "--optimizer", "adam",
                           "--seed", "3", "--data", bundled, "--dtype", "float64",
                           "--limit", "300", "--test-limit", "200", "--no-progress",
                           "--eager", "--save", tmp_path / "w.npz")
    assert status == 0, err
    assert [(e, t) for e, _, t in EPOCH_LINE.findall(out)] == [("0", "200"), ("1", "200")]
    preset, params = train.load_network(tmp_path / "w.npz")
    assert preset.sizes == (784, 20, 12, 10)
    assert (preset.activation, preset.loss) == ("tanh", "sigmoid_cross_entropy")
    assert params["W1"].dtype == np.float64
    with bench.limit_blas_threads(1):  # as the CLI runs it: the same sums in the same order
        again = train.train("scratch", epochs=2, lr=0.01, batch_size=50, hidden=(20, 12),
                            activation="tanh", loss="sigmoid_cross_entropy", optimizer="adam",
                            seed=3, dtype="float64", train_limit=300, test_limit=200,
                            progress=False, log=lambda line: None)
    # the same run (the seed, lr, batch size, optimizer...), eager there, replayed (jit) here
    for k, v in again.params.items():
        np.testing.assert_array_equal(params[k], v)


def test_plot_writes_a_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "curves" / "c.png"  # the folder is made
    status, out, err = run(capsys, "train", *QUICK, "--plot", path)
    assert status == 0, err
    assert path.read_bytes().startswith(b"\x89PNG") and f"{path}" in out


def test_plot_without_matplotlib_says_how_to_install_it_before_training(monkeypatch, capsys,
                                                                          tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    status, out, err = run(capsys, "train", *QUICK, "--plot", tmp_path / "c.png")
    assert_clean_error(status, err, "pip install tinygrad-edu[plot]")
    assert "Epoch" not in out


# ----- bad input --------------------------------------------------------------------------------

def test_unknown_preset_is_an_argparse_error(capsys):
    status, out, err = run(capsys, "train", "--preset", "lenet")
    assert status == 2 and "invalid choice: 'lenet'" in err and "Traceback" not in err


@pytest.mark.parametrize("argv, words", [
    (["--epochs", "0"], ["--epochs", "expected a whole number ≥ 1"]),
    (["--epochs", "-1"], ["--epochs", "expected a whole number ≥ 1, got '-1'"]),
    (["--batch-size", "x"], ["--batch-size", "expected a whole number ≥ 1, got 'x'"]),
    (["--hidden", "30,x"], ["--hidden", "expected sizes"]),
    (["--lr", "-1"], ["--lr", "expected a number > 0"]),
])
def test_bad_numbers_are_argparse_errors(capsys, argv, words):
    status, out, err = run(capsys, "train", *argv)
    assert status == 2 and "Traceback" not in err
    assert all(word in err for word in words), err


def test_missing_bad_and_foreign_npz_files(tmp_path, capsys):
    missing = tmp_path / "nowhere.npz"
    assert_clean_error(*run(capsys, "evaluate", "--load", missing)[::2], "no such file",
                       str(missing), "train --save")
    text = tmp_path / "text.npz"
    text.write_text("not weights")
    assert_clean_error(*run(capsys, "evaluate", "--load", text)[::2], "not an .npz file")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, W=np.zeros(3))
    assert_clean_error(*run(capsys, "graph", "--load", foreign, "--out", tmp_path / "g.dot")[::2],
                       "was not written by train")
    status, out, err = run(capsys, "evaluate")
    assert status == 2 and "--load" in err


def test_a_missing_data_folder_is_one_line(tmp_path, capsys):
    status, out, err = run(capsys, "train", *QUICK, "--data", tmp_path / "mnist")
    assert_clean_error(status, err, "no such folder", str(tmp_path / "mnist"))


# ----- check, explain, graph --------------------------------------------------------------------

@pytest.mark.parametrize("preset", ["nielsen", "scratch", "3b1b", "digits32"])
def test_check_passes_for_every_book_network(capsys, preset):
    status, out, err = run(capsys, "check", "--preset", preset, "--batch-size", "4")
    assert status == 0, out + err
    assert out.startswith(f"check {preset}") and "diagnosis: all" in out and "✗" not in out


def test_check_exits_1_when_a_gradient_disagrees(monkeypatch, capsys):
    report = cli.check.check_preset("nielsen", batch_size=2)
    report.rows[0].ok = False  # as verify reports a wrong step
    monkeypatch.setattr(cli.check, "check_preset", lambda *a, **k: report)
    status, out, err = run(capsys, "check", "--markdown")
    assert status == 1 and out.startswith("**check nielsen")


def test_explain_prints_the_backward_pass(capsys):
    status, out, err = run(capsys, "explain", "--preset", "nielsen", "--batch-size", "3")
    assert status == 0, err
    assert re.search(r"^∂C/∂W2 = ∂C/∂z2 · xᵀ .*\[30×784\]", out, re.M), out
    assert "σ'(z" in out and "batch of 3 mnist examples" in out


@pytest.mark.parametrize("preset", ["nielsen", "scratch"])
def test_explain_source_prints_the_replayed_step_as_numpy(capsys, preset):
    status, out, err = run(capsys, "explain", "--preset", preset, "--source")
    assert status == 0, err
    lines = [line.strip() for line in out.splitlines()]
    assert lines[0] == "def step_and_update(x, y):" and lines[-1] == "return C"
    assert "W2 -= dW2" in lines  # the update is inline
    if preset == "nielsen":  # the book's BP2, in its own names
        assert "dz2 = da2 * a2 * (1 - a2)" in lines and "da2 = W3.T @ dz3" in lines
    else:  # cross-entropy's δ from the softmax the forward kept
        assert "dz2 = 0.1 * (softmax_z2 - one_hot(y, z2))" in lines
    compile(out, "<explain --source>", "exec")  # the printed text is Python


@pytest.mark.parametrize("suffix", [".svg", ".dot"])
def test_graph_writes_the_collapsed_network(tmp_path, capsys, suffix):
    if suffix == ".svg" and shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    out_file = tmp_path / "tmp" / f"x{suffix}"
    status, out, err = run(capsys, "graph", "--preset", "nielsen", "--collapse", "module",
                           "--out", out_file)
    assert status == 0, err
    text = out_file.read_text(encoding="utf-8")
    assert ("<svg" in text) if suffix == ".svg" else text.startswith("digraph")
    assert "W2" in text and out.count(str(out_file)) == 1


def test_graph_rankdir(tmp_path, capsys):
    out_file = tmp_path / "g.dot"
    for rankdir, expected in (("BT", "BT"), ("auto", "TB")):  # auto: every op is a long chain
        status, out, err = run(capsys, "graph", "--preset", "nielsen", "--rankdir", rankdir,
                               "--out", out_file)
        assert status == 0, err
        assert f"rankdir={expected}" in out_file.read_text(encoding="utf-8")


MODEL_FILE = """\
import numpy as np
from tinygrad_edu import Tensor, nn


def init(seed):
    rng = np.random.default_rng(seed)
    return {"W2": Tensor(rng.standard_normal((30, 784)) / 28, requires_grad=True),
            "b2": Tensor(np.zeros((30, 1)), requires_grad=True),
            "W3": Tensor(rng.standard_normal((10, 30)) / 5.5, requires_grad=True),
            "b3": Tensor(np.zeros((10, 1)), requires_grad=True)}


def forward(p, x):
    a2 = (p["W2"] @ x + p["b2"]).sigmoid()
    return (p["W3"] @ a2 + p["b3"]).sigmoid()


HIDDEN = 30
weights = init(1)  # a learner's global dict of weights, made when the file is run


class Net(nn.Module):
    def __init__(self):
        self.layers = nn.Sequential(nn.Linear(784, 30, seed=0), nn.ReLU(),
                                    nn.Linear(30, 10, seed=1))

    def forward(self, x):
        return self.layers(x)


if __name__ == "__main__":
    raise SystemExit("the CLI must not run this block")
"""


def test_train_your_own_model_from_a_file(tmp_path, capsys):
    model = tmp_path / "my_model.py"
    model.write_text(MODEL_FILE, encoding="utf-8")
    status, out, err = run(capsys, "train", "--model", f"{model}:forward", "--cost", "quadratic",
                           "--layout", "columns", "--lr", "3", "--epochs", "1", "--limit",
                           "2000", "--test-limit", "500", "--save", tmp_path / "w.npz")
    assert status == 0, err
    correct = int(re.search(r"^Epoch 0: (\d+) / 500  loss ", out, re.M)[1])
    assert correct > 350 and "saved the parameters to" in out
    assert sorted(train.load_params(tmp_path / "w.npz")) == ["W2", "W3", "b2", "b3"]
    status, out, err = run(capsys, "train", "--model", f"{model}:Net", "--epochs", "1",
                           "--limit", "1000", "--test-limit", "100", "--no-progress")
    assert status == 0 and re.search(r"^Epoch 0: \d+ / 100", out, re.M), err
    status, out, err = run(capsys, "train", "--model", f"{model}:forward", "--init", "make")
    assert_clean_error(status, err, "no make()")
    status, out, err = run(capsys, "train", "--model", f"{model}:forward", "--init", "HIDDEN")
    assert_clean_error(status, err, "--init HIDDEN", "it is a int", "the dict or list")
    status, out, err = run(capsys, "train", "--model", f"{model}:forward", "--init", "weights",
                           "--cost", "quadratic", "--layout", "columns", "--epochs", "1",
                           "--limit", "200", "--test-limit", "50", "--no-progress")
    assert status == 0 and re.search(r"^Epoch 0: \d+ / 50", out, re.M), err  # a global dict
    status, out, err = run(capsys, "train", "--model", f"{model}:forward", "--hidden", "50")
    assert_clean_error(status, err, "--hidden", "--model")
    status, out, err = run(capsys, "train", "--model", f"{model}:nothing")
    assert_clean_error(status, err, "defines no 'nothing'")
    status, out, err = run(capsys, "train", "--model", f"{model}:forward", "--preset", "best")
    assert_clean_error(status, err, "--preset", "--model")


def test_a_model_file_imports_the_modules_beside_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # the folder the CLI adds goes with the test
    (tmp_path / "my_loader_beside.py").write_text("HIDDEN = 30\n", encoding="utf-8")
    model = tmp_path / "net_with_import.py"
    model.write_text("from my_loader_beside import HIDDEN\n" + MODEL_FILE, encoding="utf-8")
    status, out, err = run(capsys, "train", "--model", f"{model}:forward", "--cost", "quadratic",
                           "--layout", "columns", "--epochs", "1", "--limit", "200",
                           "--test-limit", "50", "--no-progress")
    assert status == 0 and re.search(r"^Epoch 0: \d+ / 50", out, re.M), err


LIST_MODEL = """
import numpy as np
from tinygrad_edu import Tensor

print("building my net...")  # a learner's file prints as it is imported
sizes = [784, 30, 10]


def init():
    rng = np.random.default_rng(1)
    return ([Tensor(rng.standard_normal((n, m)) / np.sqrt(m), requires_grad=True)
             for m, n in zip(sizes[:-1], sizes[1:])]
            + [Tensor(np.zeros((n, 1)), requires_grad=True) for n in sizes[1:]])


def forward(params, x):
    W1, W2, b1, b2 = params
    return W2 @ (W1 @ x + b1).sigmoid() + b2
"""


def test_train_a_learners_model_with_its_weights_in_a_list_replayed_or_eager(tmp_path, capsys):
    model = tmp_path / "mymodel.py"
    model.write_text(LIST_MODEL, encoding="utf-8")
    outs = []
    for extra in ([], ["--eager"]):
        status, out, err = run(capsys, "train", "--model", f"{model}:forward", "--layout",
                               "columns", "--lr", "0.5", "--epochs", "1", "--limit", "1000",
                               "--test-limit", "200", "--no-progress", *extra)
        assert status == 0, err
        outs.append(re.search(r"^Epoch 0: (\d+ / 200  loss \S+)", out, re.M)[1])
    assert outs[0] == outs[1]  # replayed by default, the same network as --eager


def test_train_refuses_the_own_model_options_without_a_model(capsys):
    # a preset's cost is --loss: --cost (or --init, --layout) alone would be silently ignored
    status, out, err = run(capsys, "train", "--cost", "quadratic", "--layout", "columns")
    assert_clean_error(status, err, "--cost, --layout", "--model", "--loss")
    assert "Epoch" not in out


def test_graph_load_draws_the_saved_weights(tmp_path, capsys, monkeypatch):
    weights = tmp_path / "w.npz"
    train.train("nielsen", epochs=1, train_limit=100, test_limit=10, progress=False,
                save=weights, log=lambda line: None)
    drawn = {}
    real = viz.graph_preset
    monkeypatch.setattr(viz, "graph_preset", lambda *a, **k: drawn.update(k) or real(*a, **k))
    status, out, err = run(capsys, "graph", "--load", weights, "--out", tmp_path / "g.dot")
    assert status == 0, err
    _, saved = train.load_network(weights)
    assert sorted(drawn["params"]) == sorted(saved)
    for k, v in saved.items():
        np.testing.assert_array_equal(drawn["params"][k], v)


# ----- bench and BLAS threads -------------------------------------------------------------------

def test_bench_ops_quick_prints_its_table(capsys):
    status, out, err = run(capsys, "bench", "ops", "--quick", "--repeat", "1")
    assert status == 0, err
    assert out.startswith("tinygrad-edu bench ops") and "machine:" in out and "×" in out


def test_bench_passes_its_options_through(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(bench, "bench_ops", lambda **k: calls.append(("ops", k)))
    monkeypatch.setattr(bench, "bench_train", lambda **k: calls.append(("train", k)))
    run(capsys, "bench", "ops", "--repeat", "3", "--blas-threads", "2")
    run(capsys, "--blas-threads", "0", "bench", "train", "--epochs", "4", "--quick")
    run(capsys, "bench", "train", "--eager")
    assert calls == [("ops", {"repeat": 3, "quick": False, "blas_threads": 2, "eager": False}),
                     ("train", {"epochs": 4, "quick": True, "blas_threads": None,
                                "eager": False}),
                     ("train", {"epochs": 1, "quick": False, "blas_threads": 1, "eager": True})]


def test_commands_run_with_one_blas_thread_unless_told(monkeypatch, capsys):
    get, put = bench._openblas()
    if get is None:
        pytest.skip("numpy here does not use OpenBLAS")
    before = int(get())
    seen = []
    monkeypatch.setitem(cli.COMMANDS, "explain", lambda args: seen.append(int(get())) or 0)
    for argv in (["explain"], ["--blas-threads", "2", "explain"],
                 ["explain", "--blas-threads", "2"], ["--blas-threads", "0", "explain"]):
        assert run(capsys, *argv)[0] == 0
    assert seen == [1, 2, 2, before] and int(get()) == before  # and restored afterwards


# ----- demo -------------------------------------------------------------------------------------

def test_demo_trains_checks_draws_the_trained_network_and_sums_up(tmp_path, capsys, monkeypatch):
    drawn = []
    real = viz.graph_preset
    monkeypatch.setattr(viz, "graph_preset", lambda *a, **k: drawn.append(k) or real(*a, **k))
    status, out, err = run(capsys, "demo", *QUICK, "--out", tmp_path / "out")
    assert status == 0, err
    (_, correct, total), = EPOCH_LINE.findall(out)
    summary = out.split("== Summary")[1].split("\n")[1:]
    assert summary[0] == (f"test accuracy after 1 epoch: {int(correct) / int(total):.2%} "
                          f"({correct} / {total})")
    assert summary[1].startswith("check: all 6 gradients agree with autograd")
    files = [line.split()[-1] for line in summary[3:] if line.strip()]
    files = [summary[2].split()[1], *files]
    assert files[0].endswith("nielsen.npz") and len(files) == 3
    assert all(Path(f).exists() for f in files)
    step3 = out.split("== 3/3")[1].split("== Summary")[0]
    for f in files[1:]:
        assert step3.count(f) == 1, step3  # graph_preset says where it drew, once
    _, saved = train.load_network(files[0])
    for k in drawn:  # the graphs show the trained network, not a fresh one
        for name, v in saved.items():
            np.testing.assert_array_equal(k["params"][name], v)
    assert len(drawn) == 2


# ----- the reference in docs/api.md -------------------------------------------------------------

def _commands(parser, prefix="tinygrad-edu"):
    """(command line, its parser) for every command and sub-command, the top level first."""
    found = [(prefix, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, f"{prefix} {name}")
    return found


def test_api_md_documents_every_command_and_option():
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8").split("\n## CLI\n")[1]
    sections = dict(re.findall(r"\n### `(tinygrad-edu[\w -]*)`\n(.*?)(?=\n### |\Z)", text, re.S))
    sections["tinygrad-edu"] = text.split("\n### ")[0]
    missing = []
    for line, parser in _commands(cli.build_parser()):
        options = [a.option_strings[-1] for a in parser._actions
                   if a.option_strings and a.help != argparse.SUPPRESS
                   and a.option_strings[-1] not in ("--help", "--blas-threads")]
        has_subcommands = any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
        if line not in sections:
            if options or not has_subcommands:
                missing.append(f"a section ### `{line}`")
            continue
        missing += [f"{line} {opt}" for opt in options if f"`{opt}" not in sections[line]]
    assert "`--blas-threads N`" in sections["tinygrad-edu"]
    assert not missing, "docs/api.md's CLI section lacks: " + ", ".join(missing)


# ----- check PATH: a learner's own program ------------------------------------------------------

LEARNERS = ROOT / "tests" / "learners"


def _fake_report(ok=True, loss=None, report=None):
    from tinygrad_edu.check import CheckResult, ProgramReport
    status = "ok" if ok else "wrong"
    return ProgramReport("Network in network.py", [
        CheckResult("forward", "ok", "feedforward returns the output"),
        CheckResult("gradients", status, "∂C/∂self.weights[1] checked", loss=loss, report=report,
                    where="Network.backprop (network.py:9)")])


@pytest.fixture
def fake_check(monkeypatch):
    """check.check_program replaced by one that records its call and returns calls["report"]."""
    calls = {"report": _fake_report()}

    def check_program(target, **kwargs):
        calls.update(target=target, **kwargs)
        return calls["report"]
    monkeypatch.setattr(cli.check, "check_program", check_program)
    return calls


def test_check_path_runs_check_program_with_the_options(fake_check, capsys, tmp_path):
    net = LEARNERS / "seed001" / "network.py"
    status, out, err = run(capsys, "check", f"{net}:Network", "--like", "nielsen", "--plot",
                           tmp_path / "sub" / "curves.png")
    assert status == 0, err
    assert fake_check["target"] == f"{net}:Network" and fake_check["like"] == "nielsen"
    assert fake_check["plot"] == tmp_path / "sub" / "curves.png" and (tmp_path / "sub").is_dir()
    assert out.startswith("check Network in network.py") and "✓ forward" in out
    fake_check["report"] = _fake_report(ok=False)
    status, out, err = run(capsys, "check", net)
    assert status == 1 and "✗ gradients" in out and fake_check["target"] == net


def test_check_path_draws_the_learners_plots_off_screen(fake_check, capsys, monkeypatch):
    """A plt.show() in the learner's epoch loop must not open a window that holds the check:
    the command sets MPLBACKEND=Agg before it runs the learner's code, unless it is set."""
    monkeypatch.setenv("MPLBACKEND", "")  # recorded, so that the test leaves it as it was
    monkeypatch.delenv("MPLBACKEND")
    seen = {}
    real = fake_check.copy()

    def check_program(target, **kwargs):
        seen["backend"] = os.environ.get("MPLBACKEND")
        return real["report"]
    monkeypatch.setattr(cli.check, "check_program", check_program)
    run(capsys, "check", LEARNERS / "seed001" / "network.py")
    assert seen["backend"] == "Agg"
    monkeypatch.setenv("MPLBACKEND", "TkAgg")  # the learner's own choice stays
    run(capsys, "check", LEARNERS / "seed001" / "network.py")
    assert seen["backend"] == "TkAgg"


def test_check_json_prints_only_json(fake_check, capsys):
    fake_check["report"] = _fake_report(ok=False)
    status, out, err = run(capsys, "check", LEARNERS / "seed001" / "network.py", "--json")
    assert status == 1
    data = json.loads(out)
    assert data["ok"] is False and [c["status"] for c in data["checks"]] == ["ok", "wrong"]


def test_check_path_usage_errors_exit_2_naming_what_exists(fake_check, capsys, tmp_path):
    status, out, err = run(capsys, "check", tmp_path / "nope.py")
    assert_clean_error(status, err, "no such file", "nope.py")
    status, out, err = run(capsys, "check", f"{LEARNERS / 'seed001' / 'network.py'}:Netwrok")
    assert_clean_error(status, err, "defines no 'Netwrok'", "it defines Network")
    status, out, err = run(capsys, "check", "--json")
    assert_clean_error(status, err, "--json needs a program to check")
    bare = tmp_path / "adapter.py"
    bare.write_text("x = 1\n")
    status, out, err = run(capsys, "check", LEARNERS / "seed001" / "network.py", "--adapter",
                           bare)
    assert_clean_error(status, err, "defines no function adapter(program)")
    assert "target" not in fake_check  # nothing was checked


def _failing_step():
    from tinygrad_edu import Tensor
    from tinygrad_edu.check import Report, Row
    x = Tensor(np.ones((2, 3)), name="x")
    W = Tensor(np.full((3, 2), 0.5), requires_grad=True, name="W1")
    z = x @ W
    z.name = "z1"
    loss = (z.sigmoid() ** 2).sum()
    report = Report([Row("z1", "δ", (2, 2), (2, 2), 1.0, 1.0, False),
                     Row("W1", "param", (3, 2), (3, 2), 1.0, 1.0, False)], "δ at z1 is wrong")
    return loss, report


def test_check_graph_draws_the_failing_step_red(fake_check, capsys, tmp_path):
    loss, report = _failing_step()
    fake_check["report"] = _fake_report(ok=False, loss=loss, report=report)
    net = LEARNERS / "seed001" / "network.py"
    status, out, err = run(capsys, "check", net, "--graph", tmp_path / "g.dot", "--json")
    assert status == 1 and json.loads(out)["ok"] is False  # stdout stays JSON; notes on stderr
    assert f"drew the failing gradients step to {tmp_path / 'g.dot'}" in err
    source = (tmp_path / "g.dot").read_text(encoding="utf-8")
    assert source.startswith("digraph") and "W1" in source and "z1" in source
    assert viz.HIGHLIGHT[False] in source  # the failing tensors filled red
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed: the SVG cannot be drawn here")
    status, out, err = run(capsys, "check", net, "--graph", tmp_path / "g.svg")
    assert status == 1 and (tmp_path / "g.svg").read_text(encoding="utf-8").lstrip().startswith(
        ("<?xml", "<svg"))


def test_check_graph_without_dot_writes_the_dot_file(fake_check, capsys, tmp_path, monkeypatch):
    loss, report = _failing_step()
    fake_check["report"] = _fake_report(ok=False, loss=loss, report=report)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` to be found
    status, out, err = run(capsys, "check", LEARNERS / "seed001" / "network.py", "--graph",
                           tmp_path / "g.svg")
    assert status == 1 and (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph")
    assert "g.dot instead" in out


def test_check_graph_with_nothing_compared_says_so(fake_check, capsys, tmp_path):
    status, out, err = run(capsys, "check", LEARNERS / "seed001" / "network.py", "--graph",
                           tmp_path / "g.svg")
    assert status == 0 and "no gradient step was compared" in out
    assert not (tmp_path / "g.svg").exists()


def test_check_graph_with_every_gradient_right_draws_it_green(fake_check, capsys, tmp_path):
    loss, report = _failing_step()
    for row in report.rows:  # every gradient agrees: nothing to draw red
        row.ok = True
    fake_check["report"] = _fake_report(ok=True, loss=loss, report=report)
    status, out, err = run(capsys, "check", LEARNERS / "seed001" / "network.py", "--graph",
                           tmp_path / "g.dot")
    assert status == 0 and "every gradient agrees" in out
    assert (tmp_path / "g.dot").read_text(encoding="utf-8").startswith("digraph")


ADAPTED = '''
import numpy as np


class Tiny:
    def __init__(self):
        rng = np.random.default_rng(0)
        self.w1, self.w2 = rng.normal(size=(784, 8)) / 28, rng.normal(size=(8, 10)) / 3

    def out(self, x):
        return np.tanh(x @ self.w1) @ self.w2


net = Tiny()
net.train_for_ever()  # script code: never run by the checker
'''


def test_check_with_an_adapter_file_end_to_end(capsys, tmp_path):
    (tmp_path / "tiny.py").write_text(ADAPTED)
    (tmp_path / "tiny_adapter.py").write_text(
        "from tinygrad_edu.check import Adapter\n\n\n"
        "def adapter(program):\n"
        "    net = program.Tiny()\n"
        "    return Adapter(net, params=['self.w1', 'self.w2'], forward='self.out',\n"
        "                   name='Tiny in tiny.py (adapted)')\n")
    status, out, err = run(capsys, "check", tmp_path / "tiny.py", "--adapter",
                           tmp_path / "tiny_adapter.py", "--json", "--blas-threads", "1")
    data = json.loads(out)
    assert data["name"] == "Tiny in tiny.py (adapted)" and status == (0 if data["ok"] else 1)
    assert any("adapter: 2 parameters" in n for n in data["notes"])


def test_check_a_seed_program_for_real(capsys):
    status, out, err = run(capsys, "check", LEARNERS / "seed001" / "network.py", "--json")
    data = json.loads(out)
    assert status in (0, 1) and status == (0 if data["ok"] else 1)
    assert data["name"].startswith("Network") and data["checks"]


def test_check_path_markdown(fake_check, capsys):
    status, out, err = run(capsys, "check", LEARNERS / "seed001" / "network.py", "--markdown")
    assert status == 0 and out.startswith("**check Network in network.py**")
    assert "| ✓ | forward |" in out


SEED000_ADAPTER = '''
from tinygrad_edu.check import Adapter


def adapter(program):
    net = program.Neural_Network()
    return Adapter(net, params=[f"self.{k}[{i}]" for i in range(3) for k in "WB"],
                   layout="vector", targets="labels",
                   forward=lambda x: (net.feedforward(x), net.layer[3])[1],
                   update_batch="self.gradient_step", evaluate="self.test",
                   epoch=lambda pairs: net.train(pairs, 1, 3.0), lr=3.0, batch_size=125,
                   cost="squared_error")
'''


def test_check_seed000_with_its_adapter_names_its_bugs_and_draws_the_step(capsys, tmp_path):
    (tmp_path / "seed000_adapter.py").write_text(SEED000_ADAPTER)
    status, out, err = run(capsys, "check", LEARNERS / "seed000" / "neural_network.py",
                           "--adapter", tmp_path / "seed000_adapter.py", "--json",
                           "--graph", tmp_path / "step.dot")
    data = json.loads(out)
    assert status == 1 and data["name"] == "Neural_Network in neural_network.py"
    status_of = {c["check"]: c for c in data["checks"]}
    assert status_of["forward"]["status"] == "ok"
    assert status_of["minibatches"]["status"] == "wrong"
    assert "self.layer[3]" in status_of["evaluation"]["summary"]
    assert status_of["gradients"]["status"] == "wrong"
    assert {r["name"]: r["ok"] for r in status_of["gradients"]["gradients"]}["self.B[2]"] is False
    assert status_of["gradients"]["where"].startswith("Neural_Network.gradient_step")
    assert "drew the failing gradients step" in err
    assert viz.HIGHLIGHT[False] in (tmp_path / "step.dot").read_text(encoding="utf-8")
