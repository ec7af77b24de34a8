"""How tinygrad_edu looks in Jupyter and at the prompt: the mime bundles IPython makes of explain's
result, a Tensor and a Tape, and `te.nn`, `te.viz`... reachable after `import tinygrad_edu`
without importing them up front. Display tests read the bundles, never screenshots."""

import importlib
import io
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_edu as te
from tinygrad_edu import Tape, Tensor

explain_module = importlib.import_module("tinygrad_edu.explain")  # te.explain is the function

formatters = pytest.importorskip("IPython.core.formatters", reason="IPython: pip install -e .[dev]")


def bundle(obj):
    """The mime bundle a notebook receives for obj as a cell's last value."""
    data, _ = formatters.DisplayFormatter().format(obj)
    return data


def small_loss():
    W = Tensor([[0.5, -0.5]], requires_grad=True, name="W2")
    x = Tensor([[1.0, 2.0], [0.0, 1.0]], name="x")
    z = W @ x
    z.name = "z2"
    return z.sigmoid().sum()


# ----- explain -------------------------------------------------------------------------------

def test_explain_displays_its_text_once_in_a_notebook(monkeypatch, capsys):
    monkeypatch.setattr(explain_module, "_displayed_by_shell", lambda: True)
    text = te.explain(small_loss())
    assert capsys.readouterr().out == ""  # the shell shows the returned value: no print too
    shown = bundle(text)
    assert shown["text/plain"] == str(text)  # the lines themselves, not a quoted '...\n...'
    assert "\\n" not in shown["text/plain"] and shown["text/plain"].startswith("∂C/∂C")
    assert shown["text/html"].startswith("<pre") and "∂C/∂W2" in shown["text/html"]
    assert repr(text) == str(text)


def test_explain_still_prints_in_scripts_and_to_a_file(capsys):
    text = te.explain(small_loss())
    assert capsys.readouterr().out == text + "\n"  # as before: print-based callers see it
    assert isinstance(text, str) and text.splitlines()[0].startswith("∂C/∂C")
    file = io.StringIO()
    te.explain(small_loss(), file=file)
    assert file.getvalue() == text + "\n"


def test_te_explain_is_callable_whichever_import_came_first():
    code = ("import tinygrad_edu.explain, tinygrad_edu as te; from tinygrad_edu import Tensor; "
            "x = Tensor([1.0], requires_grad=True, name='x'); "
            "print(te.explain((x * x).sum(), file=open('/dev/null', 'w')).splitlines()[-1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("∂C/∂x")


# ----- Tensor ---------------------------------------------------------------------------------

def test_tensor_repr_shows_shape_dtype_name_op_and_requires_grad():
    W = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True, name="W")
    assert repr(W) == ("Tensor([[1., 1., 1.],\n        [1., 1., 1.]], shape=(2, 3), "
                       "dtype=float32, name='W', requires_grad=True)")
    z = (W * 2).sum()
    assert repr(z) == "Tensor(12., shape=(), dtype=float32, op=sum)"
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.], shape=(2,), dtype=float64)"
    big = repr(Tensor(np.arange(1000.0).reshape(10, 100)))
    assert "..." in big and big.endswith("shape=(10, 100), dtype=float64)")  # abbreviated
    assert bundle(W)["text/plain"] == repr(W)


# ----- Tape -----------------------------------------------------------------------------------

def test_tape_is_a_table():
    x = Tensor([1.0, 2.0], requires_grad=True, name="x")
    with Tape() as tape:
        y = (x * x).sum()
        y.name = "y"
    shown = bundle(tape)
    html = shown["text/html"]
    assert html.count("<tr>") == 3 and "<th>op</th>" in html and "<th>shape</th>" in html
    assert "<td>mul</td>" in html and "<td>x (2,), x (2,)</td>" in html
    assert "<td>y</td><td>()</td><td>float64</td>" in html
    lines = shown["text/plain"].splitlines()
    assert lines[0] == "Tape of 2 operations" and "mul(x (2,), x (2,))" in lines[1]
    y.backward()
    assert "<td>freed: x (2,), x (2,)</td>" in tape._repr_html_()  # names kept after backward


# ----- te.<submodule> -------------------------------------------------------------------------

def test_submodules_are_reachable_and_loaded_lazily():
    code = """
import sys
import tinygrad_edu as te
lazy = ["nn", "optim", "functional", "viz", "check", "data", "explain", "presets"]
print(sorted(m for m in lazy if "tinygrad_edu." + m in sys.modules))
print(te.nn.Linear.__name__, te.optim.SGD.__name__, te.functional.cross_entropy.__name__,
      te.viz.draw.__name__, te.check.verify.__name__, te.data.load_mnist.__name__,
      te.explain.__name__, callable(te.explain))
print("graphviz" in sys.modules, "nn" in dir(te))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["[]", "Linear SGD cross_entropy draw verify load_mnist explain True",
                   "True True"]
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        te.nothing  # noqa: B018
