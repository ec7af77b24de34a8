"""Every training script in examples/ runs under a small budget and prints Nielsen-style epoch
lines, and each script's hand-written forward gives exactly the cost of its preset's forward on the
same parameters and batch, so the examples and the presets cannot drift apart."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import presets as P

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCRIPTS = {  # script -> (preset, small-budget arguments, the test-set size it reports)
    "nielsen": ("nielsen", ["--epochs", "1", "--limit", "2000"], 10000),
    "scratch": ("scratch", ["--epochs", "2", "--limit", "5000"], 10000),
    "threeb1b": ("3b1b", ["--epochs", "1", "--limit", "3000"], 10000),
    "digits32": ("digits32", ["--epochs", "3", "--limit", "500"], 946),
    "best": ("best", ["--epochs", "1", "--limit", "2000"], 10000),
}


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runs():
    """Start every script at once (they wait on numpy and file reads), then collect them."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = {name: subprocess.Popen([sys.executable, str(EXAMPLES / f"{name}.py"), *args],
                                    cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
             for name, (_, args, _) in SCRIPTS.items()}
    return {name: (p.communicate(timeout=300), p.returncode) for name, p in procs.items()}


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_runs_under_a_small_budget(runs, name):
    (out, err), code = runs[name]
    assert code == 0, err
    lines = out.splitlines()
    n_test = SCRIPTS[name][2]
    epochs = int(SCRIPTS[name][1][1])
    assert len(lines) == epochs
    for epoch, line in enumerate(lines):
        match = re.match(rf"Epoch {epoch}: (\d+) / {n_test}  .*loss (\d+\.\d+)  \d+\.\d s$", line)
        assert match, line
    assert int(match[1]) > 0.25 * n_test  # well above the 10% of guessing, even on a tiny budget


def test_every_example_is_tested():
    assert {p.stem for p in EXAMPLES.glob("*.py")} >= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_forward_is_the_presets_forward(name):
    preset = P.get(SCRIPTS[name][0])
    example = load_example(name)
    params = preset.tensors(preset.init_params(seed=1, dtype=np.float32))
    x, y = preset.sample(16, dtype="float32")
    C_example = example.forward(params, x, y)
    C_preset = preset.forward(params, x, y)
    assert C_example.item() == pytest.approx(C_preset.item(), rel=1e-6)
    C_example.backward()
    grads = {k: p.grad.numpy().copy() for k, p in params.items()}
    for p in params.values():
        p.grad = None
    C_preset.backward()
    for k, p in params.items():
        np.testing.assert_allclose(grads[k], p.grad.numpy(), rtol=1e-5, atol=1e-7, err_msg=k)


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_init_draws_the_presets_weights(name):
    preset = P.get(SCRIPTS[name][0])
    example = load_example(name)
    params = example.init(seed=3)
    expected = preset.init_params(seed=3, dtype=np.float32)
    assert list(params) == list(expected)
    for k, p in params.items():
        np.testing.assert_array_equal(p.numpy(), expected[k], err_msg=k)
