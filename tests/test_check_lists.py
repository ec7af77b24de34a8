"""check.lists: a 3Blue1Brown-style class (lists of weights and biases, a forward pass that may
only keep its output in the object, an update(mini_batch, eta) with its gradients inline, an
evaluation over pairs, a training loop) is checked with no adapter, as its adapter would have it."""

import importlib.util
import shutil
from pathlib import Path

import pytest

from tinygrad_edu.check import lists
from tinygrad_edu.check.program import check_program, make_data
from tinygrad_edu.check.shapes import NIELSEN_LISTS, _kind, recognize
from tinygrad_edu.check.source import load

HERE = Path(__file__).parent
PROGRAMS = HERE / "check_programs" / "lists"
LEARNERS = HERE / "learners"


@pytest.fixture(scope="module")
def data():
    return make_data(784, train_size=40, test_size=30)


@pytest.fixture
def programs(tmp_path):
    shutil.copytree(PROGRAMS, tmp_path / "lists")
    return tmp_path / "lists"


def _adapter(folder):
    path = LEARNERS / folder / "adapter.py"
    spec = importlib.util.spec_from_file_location(f"lists_adapter_{folder}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.adapter


def _line(path, where):
    """The source line a finding's place names: 'Neural_Network.test (neural_network.py:41)'."""
    return path.read_text().splitlines()[int(where.rpartition(":")[2].rstrip(")")) - 1]


def _result(report, check):
    return next(r for r in report.results if r.check == check)


@pytest.mark.parametrize("folder", ["seed000", "seed000_fixed"])
def test_seed000_is_checked_as_its_adapter_checks_it(folder):
    """Every check says the same of seed000 with no adapter as with its adapter.py: the three
    bugs (test() reading self.layer[3], stale activations in gradient_step, batches starting at
    k = 0, 1, 2, ...) in the same functions at the same lines; the fixed one passes clean."""
    path = LEARNERS / folder / "neural_network.py"
    own, adapted = check_program(path), check_program(path, adapter=_adapter(folder))
    assert own.results[0].check != "load", own.results[0].summary
    assert [(r.check, r.status, r.where) for r in own.results] == \
        [(r.check, r.status, r.where) for r in adapted.results]
    if folder == "seed000_fixed":
        assert own.ok, [r.summary for r in own.wrong]
        return
    assert {r.check for r in own.wrong} >= {"evaluation", "update", "minibatches"}
    assert "np.argmax(self.layer[3])" in _line(path, _result(own, "evaluation").where)
    assert "range(len(training_data)//mb_size)" in _line(path, _result(own, "minibatches").where)
    assert "gradient_step" in _result(own, "update").where


def test_seed000s_notes_say_what_was_read_and_from_where(data):
    learner = recognize(load(LEARNERS / "seed000" / "neural_network.py"), data)
    notes = " ".join(learner.notes)
    assert [p.name for p in learner.params][:2] == ["self.W[0]", "self.B[0]"]
    assert "keeps its output in self.layer[-1]" in notes
    assert "gradient_step(mini_batch, eta) is its update, on (x, label) pairs" in notes
    assert "η = 3.0 from your" in notes and "batch size 125 from mb_size = 125 in train" in notes
    assert (learner.lr, learner.batch_size) == (3.0, 125)


@pytest.mark.parametrize("program, layout, kept", [
    ("mlp.py", "columns (n, 1)", "self.activations[-1]"),
    ("cached.py", "1-D arrays", "self.acts[-1]"),  # not self.zs[-1], kept before it
    ("digits.py", "1-D arrays", None),  # it returns its output
])
def test_the_forward_pass_is_read_where_it_keeps_its_output(data, program, layout, kept):
    learner = recognize(load(PROGRAMS / program), data)
    first = " ".join(learner.notes)
    assert f"biases as {layout}" in first
    assert (f"keeps its output in {kept}" in first) if kept else "keeps its output" not in first
    out = learner.forward(data.test.X[:5])
    assert out.shape == (5, 10)


def test_a_clean_lists_class_passes_every_check():
    """self.weights and self.biases (columns), a forward pass that returns nothing, update(batch,
    lr) over (x, one-hot y) pairs, evaluate and train(..., batch_size=20)."""
    report = check_program(PROGRAMS / "mlp.py")
    assert report.ok and all(r.status == "ok" for r in report.results), \
        [r.summary for r in report.results]
    notes = " ".join(report.notes)
    assert "update(batch, lr) is its update, on (x, one-hot y) pairs" in notes
    assert "η = 2.0 and batch size 20 from your" in notes


def test_batches_that_step_by_10_where_each_holds_50_are_named_at_their_line():
    """The batch size from the loop's own `size = 50`, the overlap at the range that steps by 10;
    its targets as labels (np.eye(10)[label]) and its (in, out) weights read right."""
    path = PROGRAMS / "digits.py"
    report = check_program(path)
    assert [r.check for r in report.wrong] == ["minibatches"], [r.summary for r in report.wrong]
    result = _result(report, "minibatches")
    assert "overlap" in result.summary and "Digits.fit" in result.summary
    assert "range(0, len(data), 10)" in _line(path, result.where)
    assert "batch size 50 from size = 50 in fit" in " ".join(report.notes)


def test_an_evaluation_that_never_runs_the_forward_pass_is_named():
    """score() reads self.acts[-1], left by the last forward pass: a finding at that line, with
    the learner's own attribute (read with .argmax() as a method)."""
    path = PROGRAMS / "cached.py"
    report = check_program(path)
    assert [r.check for r in report.wrong] == ["evaluation"], [r.summary for r in report.wrong]
    result = _result(report, "evaluation")
    assert "Network.score" in result.summary and "self.acts[-1]" in result.summary
    assert "self.acts[-1].argmax()" in _line(path, result.where)


@pytest.mark.parametrize("old, new, check, named", [
    # evaluate() forgets its forward pass: it reads the activations the last one kept
    ("            self.forward(x)\n            if np.argmax", "            if np.argmax",
     "evaluation", "self.activations[-1]"),
    # update() forgets its forward pass: its gradients come from stale activations
    ("        for x, y in batch:\n            self.forward(x)\n", "        for x, y in batch:\n",
     "update", "stale activations"),
    # batches that overlap: they step by 1
    ("range(0, len(training_data), batch_size)", "range(len(training_data) // batch_size)",
     "minibatches", "overlap"),
])
def test_planted_bugs_in_a_lists_class_are_found(programs, old, new, check, named):
    path = programs / "mlp.py"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    result = _result(check_program(path), check)
    assert result.status == "wrong", result.summary
    assert named in result.summary + " ".join(result.details), (result.summary, result.details)


def test_a_forward_pass_that_forgets_its_return_is_not_a_finding_here(programs):
    """It keeps its output in self.activations, as this shape does: no "returns None"."""
    path = programs / "digits.py"
    text = path.read_text()
    assert "        return self.a[2]\n" in text
    path.write_text(text.replace("        return self.a[2]\n", "")
                    .replace("[np.argmax(self.forward(x)) == t", "[self.forward(x) or "
                             "np.argmax(self.a[2]) == t")
                    .replace("out = self.forward(image)", "self.forward(image)\n"
                             "            out = self.a[2]"))
    result = _result(check_program(path), "forward")
    assert result.status == "ok", result.summary


def test_which_classes_take_this_shape():
    """seed000's class does; Nielsen's Network, which has a backprop, stays Nielsen's."""
    seed000 = load(LEARNERS / "seed000" / "neural_network.py").Neural_Network
    deep = load(HERE / "check_programs" / "deeplist" / "deepnet.py").DeepNet
    assert lists.looks_like(seed000, NIELSEN_LISTS) and _kind(seed000) == "lists"
    assert _kind(deep) == "nielsen"


def test_a_lists_class_without_an_update_on_a_batch_still_asks_for_an_adapter(tmp_path, data):
    (tmp_path / "mine.py").write_text(
        "import numpy as np\n\n\nclass Net:\n    def __init__(self):\n"
        "        self.W = [np.zeros((3, 784)), np.zeros((10, 3))]\n"
        "        self.B = [np.zeros(3), np.zeros(10)]\n\n"
        "    def feedforward(self, x):\n        return x\n\n"
        "    def train(self, x, label):\n        pass\n")
    with pytest.raises(LookupError, match="Adapter"):
        recognize(load(tmp_path / "mine.py"), data)


@pytest.mark.parametrize("bug", [False, True])
def test_a_network_py_lookalike_whose_backprop_takes_only_y(tmp_path, bug):
    """class Network(object) with num_layers and sizes, but forward(x) keeps self.layer and
    backprop(y) reads it: not network.py's backprop(x, y) (it was taken for one, and every check
    failed calling it), but this shape: update(mini_batch, eta) runs both. Its accuracy takes
    np.argmax(y) of its pairs' targets, so it is given one-hot ones."""
    folder = tmp_path / "lists"
    shutil.copytree(PROGRAMS, folder)
    path = folder / "layers.py"
    if bug:  # σ′ left out of the hidden layer's δ
        text = path.read_text()
        old = "delta = np.dot(self.W[-l + 1].transpose(), delta) * self.act_prime(self.zs[-l])"
        assert old in text
        path.write_text(text.replace(old, "delta = np.dot(self.W[-l + 1].transpose(), delta)"))
    report = check_program(path)
    by = {r.check: r for r in report.results}
    if not bug:
        assert report.ok, [r.summary for r in report.wrong]
        assert by["evaluation"].status == "ok"
        return
    assert by["gradients"].status == "wrong" and "self.B[0]" in by["gradients"].summary
