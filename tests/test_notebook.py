"""The tutorial notebook (examples/tutorial.ipynb) runs headless, start to end, in a fresh kernel
(nbclient, as `make test` installs it), and each cell shows what its text promises: epoch lines,
progress widgets and curves, the graph after backward, the checker naming the broken δ, and
explain's lines shown once. The committed copy carries its outputs, for reading on a code host
(less the progress widgets, which only a live kernel can draw).

To run it and save its outputs after changing it:
    .venv/bin/python tests/test_notebook.py --save
"""

import shutil
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="pip install -e .[dev]")
nbclient = pytest.importorskip("nbclient", reason="pip install -e .[dev]")

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "tutorial.ipynb"
HIGHLIGHT_RED = "#ff9e9e"  # viz.HIGHLIGHT[False], as the SVG writes it
WIDGET = "application/vnd.jupyter.widget-view+json"


def execute(path=NOTEBOOK):
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def outputs(nb):
    """{cell id: (stdout, stderr, {mime type: [data of each display]})} of each code cell."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        out, err, shown = "", "", {}
        for o in cell.outputs:
            assert o.output_type != "error", f"cell {cell.id}: {o.ename}: {o.evalue}"
            if o.output_type == "stream":
                out, err = (out + o.text, err) if o.name == "stdout" else (out, err + o.text)
            else:
                for mime, data in o.data.items():
                    shown.setdefault(mime, []).append(data)
        found[cell.id] = (out, err, shown)
    return found


@pytest.fixture(scope="module")
def ran():
    if shutil.which("dot") is None:
        pytest.skip("the graph cells need Graphviz's dot (apt-get install graphviz); CI has it")
    return outputs(execute())


def test_the_network_trains_with_epoch_lines_widgets_and_curves(ran):
    out, err, shown = ran["train"]
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["Epoch 0", "Epoch 1", "Epoch 2"]
    correct = [int(line.split()[2]) for line in lines]
    assert correct[-1] > 850  # of 1,000 test images, after 3 epochs on 10,000
    assert "image/png" in shown and shown["image/png"][0]  # History shows its curves inline
    assert err == ""  # no text bar redraws on stderr
    pytest.importorskip("ipywidgets")
    assert len(shown[WIDGET]) == 3  # one tqdm widget per epoch


def test_the_graph_is_drawn_after_backward(ran):
    _, _, shown = ran["graph"]
    svg = shown["image/svg+xml"][0]
    assert "W2" in svg and "z3" in svg and "data freed by backward()" in svg
    assert shown["text/plain"][0].startswith("<graphviz.graphs.Digraph")
    _, _, params = ran["setup"]
    assert "shape=(10, 30), dtype=float64, name='W3', requires_grad=True" in (
        params["text/plain"][0])


def test_the_checker_finds_the_planted_bug_and_the_fix_agrees(ran):
    out, _, _ = ran["verify"]
    first, diagnosis = out.splitlines()[:2]
    assert first == "z3" and "σ'(z³)" in diagnosis
    assert HIGHLIGHT_RED in ran["highlight"][2]["image/svg+xml"][0]
    assert ran["fixed"][0].startswith("True all 6 gradients agree")


def test_explain_shows_the_deltas_once(ran):
    out, _, shown = ran["explain"]
    assert out == ""  # displayed, not printed as well
    text = shown["text/plain"][0]
    assert text.startswith("∂C/∂C") and "∂C/∂z3 = ∂C/∂a3 ⊙ σ'(z3)" in text
    assert "∂C/∂W2" in text and "text/html" in shown


def test_the_committed_notebook_carries_its_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None and c.outputs for c in code)
    assert any("image/svg+xml" in o.get("data", {}) for c in code for o in c.outputs)


if __name__ == "__main__":
    if "--save" not in sys.argv[1:]:
        sys.exit("usage: python tests/test_notebook.py --save   (runs the notebook, saves it)")
    nb = execute()
    for cell in nb.cells:  # a progress widget is live only in a kernel; saved, it reads "0%"
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if WIDGET not in o.get("data", {})]
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, NOTEBOOK)
    print(f"ran and saved {NOTEBOOK}")
