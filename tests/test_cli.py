"""The command line: every command run in-process through cli.main (as the console script runs
it), `python -m tinygrad_edu` and the installed script in a subprocess, and every error path:
bad input ends with one line on stderr and exit status 2, never a traceback.
"""

import argparse
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
    status, out, err = run(capsys, "train", "--model", f"{model}:forward", "--hidden", "50")
    assert_clean_error(status, err, "--hidden", "--model")
    status, out, err = run(capsys, "train", "--model", f"{model}:nothing")
    assert_clean_error(status, err, "defines no 'nothing'")


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
