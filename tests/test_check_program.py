"""check.shapes and check.program: the recognizers on the learners' shapes, and check_program's
order, time budget and error paths (on stand-in checks, so they test the orchestration alone)."""

import importlib.util
import shutil
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu.check.learner import CHECKS
from tinygrad_edu.check.program import check_program, make_data
from tinygrad_edu.check.report import CheckResult
from tinygrad_edu.check.shapes import recognize
from tinygrad_edu.check.source import load

PROGRAMS = Path(__file__).with_name("check_programs")


@pytest.fixture(scope="module")
def data():
    return make_data(784, train_size=40, test_size=30)


@pytest.fixture
def programs(tmp_path):
    shutil.copytree(PROGRAMS, tmp_path / "programs")
    return tmp_path / "programs"


def _variant(programs, old, new, name="network.py"):
    """A copy of the Nielsen program with one edit: a learner's bug or a hang."""
    path = programs / "nielsen" / name
    text = (PROGRAMS / "nielsen" / "network.py").read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


def _assert_step_is_eta_times_grads(learner, data, reduction, decay=0.0):
    """One step of η = 0.5 moves each parameter by −η × its gradients (÷ m when they are
    summed), each weight shrunk by the factor (1 − decay) first (L2 weight decay)."""
    X, Y = data.train.X[:6], data.train.Y[:6]
    before, grads = learner.snapshot(), learner.grads(X, Y)
    learner.step(X, Y, 0.5)
    scale = 0.5 / (len(X) if reduction == "sum" else 1)
    for p in learner.params:
        kept = 1 - decay if p.role == "W" else 1
        np.testing.assert_allclose(p.get(), kept * before[p.name] - scale * grads[p.name],
                                   atol=1e-12)
    learner.restore(before)


# ----- recognizers --------------------------------------------------------------------------------

def test_nielsen_network_py(data):
    learner = recognize(load(PROGRAMS / "nielsen" / "network.py"), data)
    assert [p.name for p in learner.params] == ["self.weights[0]", "self.biases[0]",
                                                 "self.weights[1]", "self.biases[1]"]
    assert [p.get().shape for p in learner.params] == [(30, 784), (30, 1), (10, 30), (10, 1)]
    assert (learner.layout, learner.lr, learner.batch_size) == ("columns", 3.0, 10)
    assert learner.grads_reduction == "sum" and learner.cost == "quadratic"
    assert str(learner.where["forward"]) == "Network.feedforward (network.py:18)"
    assert learner.forward(data.test.X[:5]).shape == (5, 10)
    grads = learner.grads(data.train.X[:3], data.train.Y[:3])
    one = [learner.grads(data.train.X[i:i + 1], data.train.Y[i:i + 1]) for i in range(3)]
    for name, g in grads.items():  # per-example backprop, summed over the batch
        np.testing.assert_allclose(g, sum(o[name] for o in one))
    _assert_step_is_eta_times_grads(learner, data, "sum")
    labels = np.argmax(learner.forward(data.test.X), axis=1)
    assert learner.evaluate(data.test.X, data.test.labels) == int((labels ==
                                                                   data.test.labels).sum())


def test_nielsen_minibatches_run_the_learners_own_sgd(data):
    learner = recognize(load(PROGRAMS / "nielsen" / "network.py"), data)
    batches = learner.batches(1000)
    assert len(batches) == 100 and {len(b) for b in batches} == {10}
    assert sorted(sum(batches, [])) == list(range(1000))  # each example once, shuffled
    assert sum(batches, [])[:10] != list(range(10))


def test_nielsen_minibatches_catch_a_sliding_window(programs, data):
    path = _variant(programs, "for k in range(0, n, mini_batch_size)]",
                    "for k in range(n // mini_batch_size)]")
    batches = recognize(load(path), data).batches(1000)
    used = sum(batches, [])
    assert len(batches) == 100 and len(set(used)) < 200  # overlapping windows, as seed 000


def test_nielsen_shuffled_once_before_the_epochs_is_named_as_never_shuffling_is(programs):
    """random.shuffle before `for j in range(epochs)`: each call of SGD shuffles, so two calls
    differ, but every epoch of one call repeats the first's batches; read from the code."""
    path = _variant(programs, "        for j in range(epochs):\n            random.shuffle("
                    "training_data)\n", "        random.shuffle(training_data)\n"
                    "        for j in range(epochs):\n")
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    assert result.status == "wrong" and result.summary == (
        "Network.SGD: it shuffles the training data once, at line 27, before its epoch loop "
        "(line 28): every epoch then trains on the same batches in the same order; shuffle at "
        "the start of each epoch, inside the loop"), result.summary
    assert result.where == "Network.SGD (network.py:27)"


def _renamed(programs, name, signature="self, training_data, epochs, mini_batch_size, eta, "
             "test_data=None", call="(training_data, 30, 10, 3.0, test_data=test_data)"):
    """The Nielsen program with its SGD named otherwise (a `train`), the script's call too."""
    path = _variant(programs, "    def SGD(self, training_data, epochs, mini_batch_size, eta, "
                    "test_data=None):", f"    def {name}({signature}):")
    text = path.read_text()
    assert "net.SGD(training_data, 30, 10, 3.0, test_data=test_data)" in text
    path.write_text(text.replace("net.SGD(training_data, 30, 10, 3.0, test_data=test_data)",
                                 f"net.{name}{call}"))
    return path


def test_an_sgd_named_train_is_run_as_sgd(programs, data):
    """Learners name the epoch loop train or fit: the method whose loop calls update_mini_batch
    is the SGD, its call gives η and the batch size, and the mini-batch check runs it."""
    path = _renamed(programs, "train")
    learner = recognize(load(path), data)
    assert (learner.lr, learner.batch_size) == (3.0, 10)
    assert str(learner.where["epoch"]).startswith("Network.train (network.py:")
    assert "Network.train is your SGD: it calls update_mini_batch in a loop" in learner.notes
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    assert result.status == "ok", result.summary


@pytest.mark.parametrize("batch", [10, 1])
def test_a_shuffled_order_drawn_and_never_used_is_named(programs, batch):
    """network.py's SGD drawing `order = np.random.permutation(n)` each epoch, then slicing
    training_data as it is: the batches come in the same order every epoch, so the order is
    never used; named at that line, for mini-batches and for one example at a time (the
    same-order test skipped batches of one, and a drawn-but-unused order was a ✓)."""
    path = _variant(programs, "            random.shuffle(training_data)\n",
                    "            order = np.random.permutation(n)  # shuffle every epoch\n")
    if batch == 1:
        path.write_text(path.read_text().replace("net.SGD(training_data, 30, 10, 3.0",
                                                 "net.SGD(training_data, 30, 1, 3.0"))
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    line = _line_of(path, "order = np.random.permutation(n)")
    assert result.status == "wrong" and result.where == f"Network.SGD (network.py:{line})", \
        (result.where, result.summary)
    assert "but its batches come in the same order every epoch" in result.summary


def test_an_sgd_named_train_that_shuffles_once_is_named(programs):
    path = _renamed(programs, "train")
    text = path.read_text()
    old = "        for j in range(epochs):\n            random.shuffle(training_data)\n"
    assert old in text
    path.write_text(text.replace(old, "        random.shuffle(training_data)\n"
                                      "        for j in range(epochs):\n"))
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    assert result.status == "wrong" and result.summary.startswith(
        "Network.train: it shuffles the training data once, at line 27"), result.summary


def test_an_epoch_loop_in_another_order_is_called_by_its_arguments_names(programs, data):
    """fit(self, training_data, eta, epochs, batch_size): called by name, not in SGD's order;
    one with an argument the checker cannot fill in is said and skipped."""
    path = _renamed(programs, "fit", "self, training_data, eta, epochs, mini_batch_size, "
                    "test_data=None", "(training_data, 3.0, 30, 10, test_data=test_data)")
    learner = recognize(load(path), data)
    assert (learner.lr, learner.batch_size) == (3.0, 10)
    assert [len(b) for b in learner.batches(100)] == [10] * 10
    path = _renamed(programs, "fit", "self, training_data, epochs, mini_batch_size, eta, "
                    "schedule, test_data=None", "(training_data, 30, 10, 3.0, None)")
    learner = recognize(load(path), data)
    assert learner.batches is None
    assert any(n.startswith("Network.fit takes arguments the checker cannot fill in")
               for n in learner.notes)


_SCORE = ('                print("Epoch {0}: {1} / {2}".format(j, self.evaluate(test_data), '
          'n_test))\n')
_TRAIN_CHECK = ("                train_check = [(x, np.argmax(y)) for x, y in "
                "training_data[:n_test]]\n")


def test_a_shuffle_before_the_epochs_with_another_inside_is_not_shuffling_once(programs):
    """random.shuffle before the loop, and random.sample(...) of the whole list inside it: two
    epochs of one run differ, so nothing is said (read from the code alone, it looked like a
    shuffle done once)."""
    path = _variant(programs, "        for j in range(epochs):\n            random.shuffle("
                    "training_data)\n", "        random.shuffle(training_data)\n"
                    "        for j in range(epochs):\n            training_data = random.sample("
                    "training_data, n)\n")
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    assert result.status == "ok" and not result.details, (result.summary, result.details)


def test_sigma_prime_at_a_in_the_hidden_layers_only_points_at_its_line(programs):
    """Nielsen's chapter 1 network.py with `sp = sigmoid_prime(activations[-l])`: the output δ
    is right, so no textbook variant matches the whole backprop; the diagnosis names σ′(a), and
    the place is that line, not `cost_derivative(activations[-1], y)` above it."""
    path = _variant(programs, "sp = sigmoid_prime(z)", "sp = sigmoid_prime(activations[-l])")
    result = next(r for r in check_program(path).results if r.check == "gradients")
    line = _line_of(path, "sp = sigmoid_prime(activations[-l])")
    assert result.where == f"Network.backprop (network.py:{line})", result.where


@pytest.mark.parametrize("split", [
    "        n_val = n // 6\n        validation = training_data[-n_val:]\n"
    "        training_data = training_data[:-n_val]\n        n = len(training_data)\n",
    "        training_data, validation = training_data[:50000], training_data[50000:]\n"
    "        n = len(training_data)\n"])
def test_a_validation_set_held_out_by_the_epoch_function_is_fine(programs, split):
    """SGD sets a sixth of its training data aside as validation: 50,000 of 60,000 used is
    what it means to do, said as such, not 'trains on only'."""
    path = _variant(programs, "        n = len(training_data)\n",
                    "        n = len(training_data)\n" + split)
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    assert result.status == "ok" and "uses 50,000 of 60,000 examples once each; it holds out " \
        "the other 10,000 at line" in result.summary, result.summary


@pytest.mark.parametrize("scored, built", [
    ("train_check", "built from training_data"),
    ("test_data", "after line {rebinds} set test_data to examples of training_data")])
def test_a_test_figure_scored_on_the_training_data_is_named(programs, scored, built):
    """SGD is given test_data but prints evaluate(train_check), built from training_data: "my
    test accuracy is 99% but Kaggle says 60%"; or it rebinds test_data = [... for x, y in
    training_data[:n_test]] in the epoch loop and scores that: the name is the test's, the
    examples are trained on."""
    path = _variant(programs, _SCORE, _TRAIN_CHECK.replace("train_check", scored) +
                    _SCORE.replace("(test_data)", f"({scored})"))
    result = next(r for r in check_program(path).results if r.check == "evaluation")
    line = _line_of(path, f"self.evaluate({scored})")
    assert result.status == "wrong" and result.summary == (
        f"Network.SGD is given test_data and never scores it: it scores self.evaluate({scored}) "
        f"at line {line}, {built.format(rebinds=line - 1)}, so the accuracy it shows is on "
        "examples it trains on"), result.summary
    assert result.where == f"Network.SGD (network.py:{line})"
    assert scored == "train_check" or result.details[0].startswith(
        f"remove line {line - 1}, which replaces the test_data")


def test_a_test_argument_rebound_to_a_part_of_itself_is_fine(programs):
    path = _variant(programs, _SCORE, "                test_data = test_data[:n_test]\n" + _SCORE)
    result = next(r for r in check_program(path).results if r.check == "evaluation")
    assert result.status == "ok", result.summary


def test_a_figure_labelled_test_but_scored_on_the_training_data_is_named(programs):
    """SGD scores test_data, and also prints "Test accuracy" of examples it trains on: the
    test data is used, but the labelled figure is the training data's."""
    score = ('                print("Test accuracy:", self.evaluate([(x, np.argmax(y)) for x, '
             'y in training_data[:n_test]]))\n')
    path = _variant(programs, _SCORE, _SCORE + score)
    result = next(r for r in check_program(path).results if r.check == "evaluation")
    line = _line_of(path, 'print("Test accuracy:"')
    assert result.status == "wrong" and result.summary.startswith(
        "Network.SGD scores self.evaluate([(x, np.argmax(y)) for x, y in "
        f"training_data[:n_test]]) at line {line} under 'Test accuracy:': the held-out figure "
        "it shows is on training_data"), result.summary
    path = _variant(programs, _SCORE, _SCORE + score.replace("Test", "Training"))
    result = next(r for r in check_program(path).results if r.check == "evaluation")
    assert result.status == "ok", result.summary


@pytest.mark.parametrize("uses_evaluation_data", [True, False])
def test_network2s_evaluation_accuracy_on_the_training_data_is_named(programs,
                                                                     uses_evaluation_data):
    """network2's `if monitor_evaluation_accuracy:` block copied from the training one, still
    scoring training_data (and `training_data = list(training_data)` is no part held out):
    named by its flag when the evaluation data is used elsewhere (network2's evaluation cost),
    and as test data never scored when it is not (evaluate returns through self.accuracy)."""
    path = programs / "network2" / "network2.py"
    text = path.read_text()
    old = "                accuracy.append(self.accuracy(evaluation_data))\n"
    assert old in text
    new = old.replace("evaluation_data", "training_data")
    if uses_evaluation_data:
        new = "                seen = [x for x, y in evaluation_data]\n" + new
    path.write_text(text.replace(old, new).replace(
        "        n = len(training_data)\n",
        "        training_data = list(training_data)\n        n = len(training_data)\n", 1))
    result = next(r for r in check_program(path).results if r.check == "evaluation")
    assert result.status == "wrong", result.summary
    assert (" under `if monitor_evaluation_accuracy:`: the held-out figure it shows is on "
            "training_data" if uses_evaluation_data else "is given evaluation_data and never "
            "scores it: it scores self.accuracy(training_data) at line") in result.summary, \
        result.summary


def test_scoring_the_training_data_beside_the_test_data_is_fine(programs):
    path = _variant(programs, _SCORE, _TRAIN_CHECK + _SCORE + _SCORE.replace(
        "(test_data)", "(train_check)"))
    result = next(r for r in check_program(path).results if r.check == "evaluation")
    assert result.status == "ok", result.summary


def test_sums_started_from_the_initial_weights_draw_are_not_taken_for_weight_decay(programs):
    """update_mini_batch's nabla_b, nabla_w copied from __init__ (np.random.randn): the checks'
    calls draw from another seed than the network was built with, so the noise is not −W
    exactly (which reads as L2 weight decay)."""
    path = _variant(programs, "        nabla_b = [np.zeros(b.shape) for b in self.biases]\n"
                    "        nabla_w = [np.zeros(w.shape) for w in self.weights]\n        for x, y",
                    "        nabla_b = [np.random.randn(*b.shape) for b in self.biases]\n"
                    "        nabla_w = [np.random.randn(*w.shape) for w in self.weights]\n"
                    "        for x, y")
    result = next(r for r in check_program(path).results if r.check == "update")
    assert result.status == "wrong" and result.summary.startswith(
        "Network.update_mini_batch draws random numbers in its step, and even on average over 8 "
        "draws it does not move along −η·∇C"), result.summary


def test_network2_one_d_biases_lambda_and_cost_class(data):
    learner = recognize(load(PROGRAMS / "network2" / "network2.py"), data)
    assert [p.get().shape for p in learner.params] == [(40, 784), (40,), (10, 40), (10,)]
    assert (learner.lr, learner.batch_size) == (0.5, 20)  # from run.py beside it
    assert learner.cost == "quadratic"  # network2.QuadraticCost in run.py's call
    assert learner.forward(data.test.X[:4]).shape == (4, 10)
    # run.py's λ = 5.0 in the step, with n = 1000 training examples: weights shrink by ηλ/n
    assert learner.l2 == (5.0, 1000)
    _assert_step_is_eta_times_grads(learner, data, "sum", decay=0.5 * 5.0 / 1000)
    assert len(learner.batches(100)) == 5


def test_dlfs_ch05_layers_stay_linked_to_params(data):
    learner = recognize(load(PROGRAMS / "dlfs" / "ch05" / "two_layer_net.py"), data)
    assert [p.name for p in learner.params] == ["self.params['W1']", "self.params['b1']",
                                                 "self.params['W2']", "self.params['b2']"]
    assert (learner.layout, learner.lr, learner.batch_size) == ("rows", 0.1, 100)
    assert (learner.cost, learner.activation, learner.grads_reduction) == (
        "cross_entropy", "relu", "mean")
    W1 = learner.param("self.params['W1']")
    W1.set(np.zeros_like(W1.get()))
    assert not learner.forward(data.test.X[:3])[:, 0].any()  # Affine1 sees the new W1
    learner.restore(learner.snapshot())
    _assert_step_is_eta_times_grads(learner, data, "mean")  # the script's own update loop
    assert str(learner.where["update"]).startswith("training loop (train_neuralnet.py:")
    assert 0 <= learner.evaluate(data.test.X, data.test.labels) <= 1
    batches = learner.batches(1000)  # the script's own loop, one epoch: 10 batches of 100
    assert [len(b) for b in batches] == [100] * 10 and max(map(max, batches)) < 1000
    assert str(learner.where["epoch"]) == "training loop (train_neuralnet.py:17)"


def test_dlfs_the_files_own_learning_rate_wins_over_a_version_beside_it(programs, data):
    """Learners keep older versions side by side (two_layer_net_old.py in ch04/): the checked
    file's own learning_rate and batch_size are the ones its checks run with."""
    text = (PROGRAMS / "dlfs" / "ch04" / "two_layer_net.py").read_text()
    assert "learning_rate = 0.1\nbatch_size = 100\n" in text
    (programs / "dlfs" / "ch04" / "two_layer_net_old.py").write_text(text)
    path = programs / "dlfs" / "ch04" / "two_layer_net.py"
    path.write_text(text.replace("learning_rate = 0.1\nbatch_size = 100\n",
                                 "learning_rate = 0.37\nbatch_size = 50\n"))
    learner = recognize(load(path), data)
    assert (learner.lr, learner.batch_size) == (0.37, 50)


def test_dlfs_update_loop_with_a_line_of_its_own_before_the_update(programs, data):
    """`grad[key] = learning_rate * grad[key]` beside the update in the script's loop: the
    loop is still the update the check runs, and it applies η twice."""
    script = programs / "dlfs" / "ch05" / "train_neuralnet.py"
    line = "        network.params[key] -= learning_rate * grad[key]\n"
    text = script.read_text()
    assert line in text
    script.write_text(text.replace(line, "        grad[key] = learning_rate * grad[key]\n" + line))
    learner = recognize(load(programs / "dlfs" / "ch05" / "two_layer_net.py"), data)
    assert learner.step is not None
    report = check_program(programs / "dlfs" / "ch05" / "two_layer_net.py")
    result = next(r for r in report.results if r.check == "update")
    assert result.status == "wrong" and "the learning rate is applied twice" in result.summary


def test_a_nielsen_class_that_keeps_its_parameters_in_a_dict_is_told_to_use_an_adapter(
        tmp_path):
    """feedforward and backprop, but self.params = {'W1': ...}: the checker's limit, said so,
    not 'building your network raised AttributeError' as if the learner's code were wrong."""
    (tmp_path / "net.py").write_text(
        "import numpy as np\n\n\nclass Network:\n"
        "    def __init__(self, sizes):\n"
        "        self.sizes = sizes\n"
        "        self.params = {'W1': np.zeros((sizes[1], sizes[0]))}\n\n"
        "    def feedforward(self, a):\n        return self.params['W1'] @ a\n\n"
        "    def backprop(self, x, y):\n        return {}\n\n\n"
        "net = Network([784, 10])\n")
    report = check_program(tmp_path / "net.py")
    result = report.results[0]
    assert result.check == "load" and not report.ok
    assert result.summary.startswith("Network has Nielsen's methods but no self.weights or "
                                     "self.biases list (it has self.sizes, self.params)"), \
        result.summary
    assert "--adapter my_adapter.py" in result.summary


def test_dlfs_softmax_without_its_one_over_m_is_an_averaging_slip_not_sigma_of_a(programs):
    """SoftmaxWithLoss.backward without / batch_size: gradients m times too large. In a relu
    network σ′(a) is σ′(z), so no textbook variant may be blamed for it."""
    layers = programs / "dlfs" / "common" / "layers.py"
    text = layers.read_text()
    assert "return (self.y - self.t) / batch_size" in text
    layers.write_text(text.replace("return (self.y - self.t) / batch_size",
                                   "return self.y - self.t"))
    report = check_program(programs / "dlfs" / "ch05" / "two_layer_net.py")
    status = {r.check: r for r in report.results}
    assert status["gradients"].status == "wrong"
    assert "m = 7 times too large: divide by the batch size" in status["gradients"].summary
    assert not any("slip" in d for d in status["gradients"].details)
    assert status["book"].status != "wrong", status["book"].summary


def test_dlfs_ch04_functions_and_its_own_hidden_size(data):
    learner = recognize(load(PROGRAMS / "dlfs" / "ch04" / "two_layer_net.py"), data)
    assert learner.params[0].get().shape == (784, 100)  # its skipped TwoLayerNet(..., 100, ...)
    assert (learner.activation, learner.cost) == ("sigmoid", "cross_entropy")
    assert learner.step is None and any("update check is skipped" in n for n in learner.notes)
    assert set(learner.grads(data.train.X[:5], data.train.Y[:5])) == {
        p.name for p in learner.params}


def test_a_layer_whose_delta_is_wrong_points_at_its_delta_line(programs):
    """σ′ dropped from the hidden δ (da1 = dz1): W1 and b1 are both wrong, so the fault is the
    δ that b1's gradient line reads, not that line itself."""
    path = programs / "dlfs" / "ch04" / "two_layer_net.py"
    text = path.read_text()
    assert "        da1 = sigmoid_grad(a1) * dz1\n" in text
    path.write_text(text.replace("        da1 = sigmoid_grad(a1) * dz1\n", "        da1 = dz1\n"))
    result = next(r for r in check_program(path).results if r.check == "gradients")
    assert result.status == "wrong"
    assert result.where == f"TwoLayerNet.gradient (two_layer_net.py:{_line_of(path, 'da1 = dz1')})"


def test_a_learners_object_is_recognized_as_it_is(data):
    module = load(PROGRAMS / "nielsen" / "network.py")
    net = module.Network([784, 12, 10])
    learner = recognize(net, data)
    assert learner.params[0].get() is net.weights[0]


def test_unknown_shapes_point_to_the_adapter(tmp_path, data):
    (tmp_path / "mine.py").write_text("class Model:\n    def run(self, x):\n        return x\n")
    with pytest.raises(LookupError, match="Adapter"):
        recognize(load(tmp_path / "mine.py"), data)


# ----- check_program's orchestration, on stand-in checks ------------------------------------------

def _forward_check(learner, data, oracle):
    out = learner.forward(data.test.X[:5])
    if out is None:
        return CheckResult("forward", "wrong", "your forward pass returned None",
                           where=str(learner.where.get("forward")))
    return CheckResult("forward", "ok", f"output {np.shape(out)}")


def _evaluation_check(learner, data, oracle):
    return CheckResult("evaluation", "ok", str(learner.evaluate(data.test.X, data.test.labels)))


def _gradients_check(learner, data, oracle):
    learner.grads(data.train.X[:3], data.train.Y[:3])
    return CheckResult("gradients", "ok", "ran")


def _stand_ins(**runs):
    return {"oracle": lambda learner, data: "oracle", **runs}


def test_check_program_runs_checks_in_order_from_a_path(programs, data):
    seen = []

    def record(name):
        def run(learner, data, oracle):
            seen.append((name, oracle))
            learner.params[0].set(learner.params[0].get() * 0)  # a check may train: undone
            return CheckResult(name, "ok", "fine")
        return run
    report = check_program(f"{programs / 'nielsen' / 'network.py'}:Network", data=data,
                           checks=_stand_ins(**{n: record(n) for n in CHECKS}))
    assert [r.check for r in report.results] == list(CHECKS) and report.ok
    assert seen == [(n, "oracle") for n in CHECKS]
    assert report.name == "Network in network.py" and report.seconds > 0
    assert any("η = 3.0" in n for n in report.notes)


def test_check_program_catches_seed001_missing_return(programs, data):
    path = _variant(programs, "            a = sigmoid(np.dot(w, a) + b)\n        return a\n",
                    "            a = sigmoid(np.dot(w, a) + b)\n")
    report = check_program(path, data=data, checks=_stand_ins(forward=_forward_check))
    assert not report.ok
    assert report.wrong[0].where == "Network.feedforward (network.py:18)"


def test_a_learners_exception_names_their_line(programs, data):
    path = _variant(programs, "for l in range(2, self.num_layers):",
                    "for l in xrange(2, self.num_layers):")
    report = check_program(path, data=data, checks=_stand_ins(gradients=_gradients_check))
    result = report.results[0]
    assert result.status == "error" and result.where == "Network.backprop (network.py:62)"
    assert "NameError" in result.summary and "Python 2" in result.summary
    assert "network.py:62:" in result.details[-1]
    assert any("xrange is Python 2" in n for n in report.notes)


def test_a_hang_becomes_a_finding_naming_the_function(programs, data):
    path = _variant(programs, "test_results = [", "while True: pass\n        test_results = [")
    report = check_program(path, data=data, budget_s=0.5,
                           checks=_stand_ins(evaluation=_evaluation_check,
                                             forward=_forward_check))
    hang, after = report.results
    assert hang.status == "error" and "did not finish" in hang.summary
    assert hang.where == "Network.evaluate (network.py:71)"
    assert after.status == "skipped" and "time budget" in after.summary


def test_a_hang_in_a_real_check_is_the_budgets_finding_not_the_learners_exception(programs,
                                                                                  monkeypatch):
    """The minibatches check reports what the learner's loop raises; the budget's own
    CheckTimeout, raised inside that loop, is not the learner's exception."""
    from tinygrad_edu.check import program

    monkeypatch.setitem(program.CHECK_BUDGET_S, "minibatches", 0.5)
    path = _variant(programs, "            for mini_batch in mini_batches:\n",
                    "            while True:\n                pass\n"
                    "            for mini_batch in mini_batches:\n")
    result = next(r for r in check_program(path, checks=["minibatches"]).results)
    assert result.status == "error" and "did not finish within" in result.summary, \
        result.summary
    assert "raised" not in result.summary


def test_the_budget_works_outside_the_main_thread(programs, data):
    path = _variant(programs, "test_results = [",
                    "import time; time.sleep(2)\n        test_results = [")
    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("report", check_program(
        path, data=data, budget_s=0.3, checks=_stand_ins(evaluation=_evaluation_check))))
    thread.start()
    thread.join(10)
    result = box["report"].results[0]
    assert result.status == "error" and "did not finish" in result.summary
    assert result.where == "Network.evaluate (network.py:71)"


def test_load_failures_are_findings_not_tracebacks(tmp_path):
    (tmp_path / "net.py").write_text("def f(:\n")
    report = check_program(tmp_path / "net.py")
    assert not report.ok and report.results[0].check == "load"
    assert report.results[0].where == "net.py:1" and "SyntaxError" in report.results[0].summary
    (tmp_path / "other.py").write_text("X = 1\n")
    report = check_program(tmp_path / "other.py")
    assert report.results[0].status == "error" and "Adapter" in report.results[0].summary


def test_like_settles_cost_and_activation(programs, data):
    report = check_program(programs / "dlfs" / "ch04" / "two_layer_net.py", like="scratch",
                           data=data, checks=_stand_ins(forward=_forward_check))
    assert report.ok and any("cost cross_entropy" in n for n in report.notes)


def test_a_learning_failure_that_no_other_check_explains_says_what_they_cannot_see(programs,
                                                                                  data):
    from tinygrad_edu.check.report import ABOVE

    def learning(learner, data, oracle):
        return CheckResult("learning", "wrong", "does not lower the cost", details=[ABOVE])

    def wrong_forward(learner, data, oracle):
        return CheckResult("forward", "wrong", "returns None")

    for forward, pointer in ((_forward_check, False), (wrong_forward, True)):
        report = check_program(programs / "nielsen" / "network.py", data=data,
                               checks=_stand_ins(forward=forward, learning=learning))
        result = next(r for r in report.results if r.check == "learning")
        assert (result.details[0] == ABOVE) == pointer, result.details
        assert pointer or result.details[0].startswith("no check above explains it")


def test_make_data_is_canonical_and_seeded():
    a, b = make_data(784, seed=3, train_size=50), make_data(784, seed=3, train_size=50)
    assert a.name == "mnist" and a.train.X.shape == (50, 784) and a.train.X.dtype == np.float64
    np.testing.assert_array_equal(a.train.X, b.train.X)
    assert (a.train.Y.argmax(1) == a.train.labels).all() and a.train.X.max() <= 1.0
    digits = make_data(1024, train_size=20, test_size=10)
    assert digits.name == "digits32" and digits.test.X.shape == (10, 1024)
    with pytest.raises(ValueError, match="784.*1024"):
        make_data(100)


def test_check_program_takes_a_learner_an_adapter_or_an_object(programs, data):
    learner = recognize(load(PROGRAMS / "nielsen" / "network.py"), data)
    checks = _stand_ins(forward=_forward_check)

    class Described:  # anything with .learner(), as check.adapter.Adapter
        def learner(self):
            return learner
    assert check_program(learner, data=data, checks=checks).name == "Network in network.py"
    assert check_program(Described(), data=data, checks=checks).ok
    report = check_program(programs / "nielsen" / "network.py", data=data, checks=checks,
                           adapter=lambda module: Described())
    assert report.ok and report.name == "Network in network.py"
    net = load(PROGRAMS / "network2" / "network2.py").Network([784, 8, 10])
    report = check_program(net, data=data, checks=checks)
    assert report.ok and report.results[0].summary == "output (5, 10)"


def test_unknown_check_names_are_refused(programs, data):
    with pytest.raises(ValueError, match="unknown check.*gradient\\b.*forward"):
        check_program(programs / "nielsen" / "network.py", data=data, checks=["gradient"])


def test_each_result_records_its_seconds(programs, data):
    report = check_program(programs / "nielsen" / "network.py", data=data,
                           checks=_stand_ins(forward=_forward_check))
    assert report.results[0].data["seconds"] >= 0


def test_plot_reaches_a_check_that_draws(programs, data, tmp_path, monkeypatch):
    import tinygrad_edu.check.program as program
    seen = {}

    class Drawing:  # a check module whose run takes plot=, as the learning check's does
        @staticmethod
        def run(learner, data, oracle, *, plot=None):
            seen["plot"] = plot
            return CheckResult("learning", "ok", "drew")
    real = program._import
    monkeypatch.setattr(program, "_import",
                        lambda name: Drawing if name == "learning" else real(name))
    check_program(programs / "nielsen" / "network.py", data=data, checks=["learning"],
                  plot=tmp_path / "p.png")
    assert seen["plot"] == tmp_path / "p.png"


# ----- planted bugs through the real checks: the recognizers hand them the learner's own code -----

NIELSEN_BUGS = [  # (edit of network.py, the check that must flag it, names it must use)
    (("for k in range(0, n, mini_batch_size)]", "for k in range(n // mini_batch_size)]"),
     "minibatches", ("SGD",)),
    (("w - (eta / len(mini_batch)) * nw", "w - eta * nw"), "update", ("update_mini_batch",)),
    (("        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, "
      "nabla_b)]\n", ""), "update", ("self.biases[0]",)),
    (("sp = sigmoid_prime(z)", "sp = sigmoid_prime(activations[-l])"), "gradients",
     ("self.weights[0]",)),
    (("return (nabla_b, nabla_w)", "return (nabla_w, nabla_b)"), "gradients", ("backprop",)),
]


@pytest.mark.parametrize("edit, check, names", NIELSEN_BUGS, ids=[b[1] + str(i) for i, b in
                                                                     enumerate(NIELSEN_BUGS)])
def test_planted_nielsen_bugs_are_flagged_in_the_learners_names(programs, edit, check, names):
    report = check_program(_variant(programs, *edit), checks=[check])
    result = report.results[0]
    text = "\n".join([result.summary, *result.details, result.where or ""])
    assert result.status in ("wrong", "error"), text
    assert all(name in text for name in names), text


def test_the_unedited_nielsen_program_passes_every_check(programs):
    report = check_program(programs / "nielsen" / "network.py")
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    assert [r.status for r in report.results] == ["ok"] * len(CHECKS)


DLFS_BUGS = [  # (file under dlfs/, edit, check, names)
    ("common/layers.py", ("self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout)"),
     "gradients", ("self.params['b1']",)),
    ("common/layers.py", ("return (self.y - self.t) / batch_size", "return self.y - self.t"),
     "gradients", ("self.params['W2']",)),
    ("ch05/train_neuralnet.py", ("network.params[key] -= learning_rate * grad[key]",
                                 "network.params[key] += learning_rate * grad[key]"),
     "update", ("training loop",)),
    ("ch05/train_neuralnet.py", ("batch_mask = np.random.choice(train_size, batch_size)",
                                 "batch_mask = np.arange(batch_size)"),
     "minibatches", ("training loop",)),
]


@pytest.mark.parametrize("file, edit, check, names", DLFS_BUGS,
                         ids=[b[2] + str(i) for i, b in enumerate(DLFS_BUGS)])
def test_planted_dlfs_bugs_are_flagged_in_the_learners_names(programs, file, edit, check, names):
    path = programs / "dlfs" / file
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1]))
    report = check_program(programs / "dlfs" / "ch05" / "two_layer_net.py", checks=[check])
    result = report.results[0]
    said = "\n".join([result.summary, *result.details, result.where or ""])
    assert result.status in ("wrong", "error"), said
    assert all(name in said for name in names), said


def test_the_unedited_dlfs_program_passes(programs):
    report = check_program(programs / "dlfs" / "ch05" / "two_layer_net.py")
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)


def test_a_constructor_that_raises_is_a_load_finding_with_its_line(programs):
    path = _variant(programs, "        self.num_layers = len(sizes)\n",
                    "        self.num_layers = len(sizes)\n        open('weights.npy')\n")
    report = check_program(path)
    result = report.results[0]
    assert (result.check, result.status) == ("load", "error")
    assert "FileNotFoundError" in result.summary
    assert result.where == "Network.__init__ (network.py:14)"


def test_check_program_takes_a_loaded_module(programs, data):
    module = load(programs / "network2" / "network2.py")
    report = check_program(module, data=data, checks=_stand_ins(forward=_forward_check))
    assert report.ok and report.name == "Network in network2.py"


def test_a_training_script_that_imports_the_network_module_is_recognized(data):
    learner = recognize(load(PROGRAMS / "network2" / "run.py"), data)
    assert learner.name == "Network in network2.py" and learner.params[0].get().shape == (40, 784)
    assert (learner.lr, learner.batch_size) == (0.5, 20)


def test_a_constructor_that_loads_data_gets_the_bundled_data(programs, data):
    path = _variant(programs, "        self.num_layers = len(sizes)\n",
                    "        self.num_layers = len(sizes)\n"
                    "        self.train, _, _ = mnist_loader.load_data_wrapper()\n")
    report = check_program(path, data=data, checks=_stand_ins(forward=_forward_check))
    assert report.ok, report.results[0].summary


def test_a_missing_plotting_library_is_a_note_not_a_failure(programs, data):
    path = _variant(programs, "import random\n", "import random\nimport pyplot_not_here as plt\n")
    report = check_program(path, data=data, checks=_stand_ins(forward=_forward_check))
    assert report.ok and any("pyplot_not_here cannot be imported" in n for n in report.notes)


# ----- fresh learner programs, tried as a new learner would ------------------------------------

def test_a_scalar_bias_gradient_is_one_finding_not_three(programs):
    """my_two_layer_net.py: a sigmoid TwoLayerNet whose b1 gradient is np.sum(dz1), one number,
    trained by the book's 10,000 random batches. Only the gradients check may flag it: the update
    applies the learner's own gradients as numpy broadcasts them, and batches drawn at random with
    replacement over many epochs are the book's way, not overlapping slices."""
    report = check_program(programs / "dlfs" / "my_two_layer_net.py")
    status = {r.check: r for r in report.results}
    assert [r.check for r in report.wrong] == ["gradients"], [r.summary for r in report.wrong]
    assert "self.params['b1']" in status["gradients"].summary
    assert status["gradients"].where == "TwoLayerNet.gradient (my_two_layer_net.py:54)"
    assert "your own gradients" in status["update"].summary
    assert "at random with replacement" in status["minibatches"].summary
    assert status["minibatches"].data["draws"] == 60_000  # range(10000): one epoch's worth


def test_the_fixed_sigmoid_two_layer_net_passes(programs):
    path = programs / "dlfs" / "my_two_layer_net.py"
    path.write_text(path.read_text().replace("np.sum(dz1)", "np.sum(dz1, axis=0)"))
    report = check_program(path)
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)


def test_a_python3_network_py_with_eta_not_over_m_on_the_biases(programs):
    report = check_program(programs / "nielsen3" / "network.py")
    assert [r.check for r in report.wrong] == ["update"]
    result = report.wrong[0]
    assert "self.biases[0], self.biases[1]: the step is 7× too large" in result.summary
    assert "self.weights[0], self.weights[1] move right" in "\n".join(result.details)
    assert result.where == "Network.update_mini_batch (network.py:43)"  # self.biases = [...]


def test_a_global_only_the_script_sets_skips_the_check_and_says_how(programs):
    """brain.py (3b1b style, online SGD, activations kept in self.a) is right, but its learn()
    prints self.score(test) with the `test` its script part loads: the checker's doing, not a
    mistake, so the epoch check is skipped with the line and what to change, not flagged."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("brain_adapter",
                                                  programs / "brain" / "adapter.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = check_program(programs / "brain" / "brain.py", adapter=module.adapter)
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    result = next(r for r in report.results if r.check == "minibatches")
    assert result.status == "skipped"
    assert "Brain.learn reads the global `test` at brain.py:50" in result.summary
    assert "brain.py:53: train, test = digits.load()" in result.summary
    assert [r.status for r in report.results].count("ok") == len(CHECKS) - 1
    # its own loader (digits.load) is never run: the report says so, as a note
    assert any(n.startswith("not run: load, your own loading code: the checks give your "
                            "network the bundled mnist directly") for n in report.notes), \
        report.notes


def test_network2s_load_of_a_saved_network_is_not_called_a_data_loader():
    """network2.py's load(filename) reads a trained network back from JSON: the note that
    the learner's own data-loading code is not run named it as one."""
    report = check_program(Path(__file__).with_name("learners") / "nielsen2" / "network2.py")
    assert not any(n.startswith("not run: load,") for n in report.notes), report.notes


def test_a_clean_float32_functional_program_passes_with_its_adapter(programs):
    """simple_nn.py: the full-batch functional tutorial in float32, pandas missing, no epoch
    loop: no false alarm, and the missing epoch is a skip with its reason."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fn_adapter",
                                                  programs / "functional" / "adapter.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = check_program(programs / "functional" / "simple_nn.py", adapter=module.adapter)
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    status = {r.check: r.status for r in report.results}
    assert status.pop("minibatches") == "skipped" and set(status.values()) == {"ok"}
    assert any("pandas cannot be imported" in n for n in report.notes)


def test_like_does_not_override_what_the_forward_pass_shows(programs):
    """--like 3b1b (sigmoid, squared error) on the ReLU/softmax tutorial: the preset is tried
    first where the program does not tell, and the forward pass and gradients tell."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fn_adapter_like",
                                                  programs / "functional" / "adapter.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = check_program(programs / "functional" / "simple_nn.py", adapter=module.adapter,
                           like="3b1b")
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    assert any(n.startswith("--like 3b1b: cost squared_error, activation sigmoid, where your "
                            "program does not show another") for n in report.notes)


def _adapted(path, *edits):
    """check_program of the learner program at path, with edits (old, new), and the adapter
    beside it (adapter.py)."""
    import importlib.util

    text = path.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(f"{path.parent.name}_adapter",
                                                  path.with_name("adapter.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return check_program(path, adapter=module.adapter)


def _keras(programs, *edits):
    """The mini-Keras program with dropout (its adapter beside it), with edits (old, new)."""
    return _adapted(programs / "keras" / "mini_keras.py", *edits)


def test_a_network_with_dropout_is_no_false_alarm(programs):
    """Dropout in training draws a new mask in every call: the checks start each call from the
    same random numbers, so no stale activations or cached test are seen where there are none,
    and the gradients, which autograd of the network without dropout cannot check, say so."""
    report = _keras(programs)
    status = {r.check: r for r in report.results}
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    assert status["gradients"].status == "skipped"
    assert status["gradients"].summary.startswith(
        "Sequential.backward's gradients draw random numbers (dropout?): the same batch gives "
        "other gradients"), status["gradients"].summary
    assert status["book"].status == "skipped" and "random" in status["book"].summary
    assert status["update"].status == "ok" and "your own gradients" in status["update"].summary
    for check in ("forward", "minibatches", "evaluation", "learning"):
        assert status[check].status == "ok", status[check].summary


def test_dropout_left_on_in_the_evaluation_is_named(programs):
    report = _keras(programs, ("        out = self.forward(X)\n",
                               "        out = self.forward(X, training=True)\n"))
    result = next(r for r in report.results if r.check == "evaluation")
    assert result.status == "wrong" and result.summary.endswith(": it draws random numbers"), \
        result.summary
    assert "is dropout, or another training-only step, left on in the evaluation" in \
        result.details[0]
    assert result.where.startswith("Sequential.evaluate (mini_keras.py:")
    assert [r.check for r in report.wrong] == ["evaluation"]


def test_dropout_scaled_at_test_time_as_deep_learning_from_scratch_writes_it(programs):
    """DLFS chapter 6's Dropout keeps a unit with probability 0.8 in training and multiplies by
    0.8 at test time (not inverted): the forward pass is the weights' network with a1 × 0.8,
    said in a note, not 'differs from the network its weights define'."""
    report = check_program(programs / "dlfs" / "ch06" / "two_layer_net_dropout.py")
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    status = {r.check: r for r in report.results}
    assert status["forward"].status == "ok" and "a1 × 0.8;" in status["forward"].summary
    assert "identity output" in status["forward"].summary  # predict returns the scores
    assert status["gradients"].status == "skipped" and "dropout?" in status["gradients"].summary
    assert any(n.startswith("your forward pass multiplies the hidden activations by 0.8 (a1), "
                            "and your gradients draw random numbers") for n in report.notes)


def test_two_dropout_layers_scaled_at_test_time_each_get_their_own_factor(programs):
    """Two hidden layers with non-inverted dropout of 0.5 and 0.2: with zero biases a relu
    network shows only the factors' product, so the checker also calls the forward pass with
    other biases, and names 0.5 and 0.8, not √0.4 twice."""
    report = _keras(programs, (
        "        if not training:\n            return x\n"
        "        self.mask = (np.random.rand(*x.shape) > self.p) / (1 - self.p)\n",
        "        if not training:\n            return x * (1 - self.p)\n"
        "        self.mask = (np.random.rand(*x.shape) > self.p)\n"), (
        "    model.add(Dense(64, 10))\n",
        "    model.add(Dense(64, 32))\n    model.add(ReLU())\n    model.add(Dropout(0.2))\n"
        "    model.add(Dense(32, 10))\n"))
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    forward = next(r for r in report.results if r.check == "forward")
    assert "784-64-32-10" in forward.summary and "a1 × 0.5, a2 × 0.8;" in forward.summary


def test_a_test_time_factor_without_dropout_in_training_is_wrong(programs):
    """The same factor with no mask drawn in training is a mistake: the factor is read as
    dropout's only when the gradients draw random numbers."""
    layers = programs / "dlfs" / "common" / "layers.py"
    text = layers.read_text()
    old = "self.mask = np.random.rand(*x.shape) > self.dropout_ratio"
    assert old in text
    layers.write_text(text.replace(old, "self.mask = np.ones(x.shape, dtype=bool)"))
    report = check_program(programs / "dlfs" / "ch06" / "two_layer_net_dropout.py")
    forward = next(r for r in report.results if r.check == "forward")
    assert forward.status == "wrong" and "differs from the network its weights define" in \
        forward.summary, forward.summary
    assert not any("multiplies the hidden activations" in n for n in report.notes)


NO_DROPOUT = ("    model.add(Dropout(0.5))\n", "")


def _line_of(path, text):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_a_layers_own_gradient_line_is_where_a_finding_points(programs):
    """self.layers[2].b's gradient is summed over the wrong axis and its W's is right: the line
    that sets it is in the layer's method (Dense.backward's self.db = ...), not in the
    Sequential.backward the adapter calls."""
    report = _keras(programs, NO_DROPOUT, ("self.db = grad.sum(axis=0)",
                                           "self.db = grad.sum(axis=1)"))
    result = next(r for r in report.results if r.check == "gradients")
    path = programs / "keras" / "mini_keras.py"
    assert result.status == "wrong"
    assert result.where == f"Dense.backward (mini_keras.py:{_line_of(path, 'self.db = ')})", \
        result.where


def test_a_relu_layer_without_its_mask_is_the_place(programs):
    """The whole layer's gradients wrong because ReLU's backward lost its mask: the δ may come
    from anywhere above, but the ReLU layer, tried on numbers, is not relu′ (it was the
    function the adapter calls, Sequential.backward, before layers were tried)."""
    report = _keras(programs, NO_DROPOUT, ("        return grad * self.mask\n",
                                           "        return grad\n"))
    result = next(r for r in report.results if r.check == "gradients")
    line = _line_of(PROGRAMS / "keras" / "mini_keras.py", "return grad * self.mask")
    assert result.status == "wrong" and result.where == f"ReLU.backward (mini_keras.py:{line})", \
        result.where
    assert "because ReLU.backward is not" in result.summary, result.summary


def test_biases_never_stepped_point_at_the_line_that_steps_the_weights(programs):
    report = _keras(programs, NO_DROPOUT, ("                layer.b -= self.lr * layer.db\n",
                                           ""))
    result = next(r for r in report.results if r.check == "update")
    path = programs / "keras" / "mini_keras.py"
    assert result.summary.startswith("Sequential.train_on_batch: it never updates "
                                     "self.layers[i].b, in any layer (self.layers[0].b, "
                                     "self.layers[2].b), while self.layers[i].W move"), \
        result.summary
    assert result.where == f"SGD.step (mini_keras.py:{_line_of(path, 'layer.W -= ')})"


def test_a_list_shuffled_into_none_names_the_line_that_did_it():
    """`training_data = random.shuffle(training_data)`: the finding is at that line, with what
    random.shuffle returns, not at the list comprehension that trips over the None."""
    path = Path(__file__).with_name("learners") / "nielsen2" / "network2_shuffle.py"
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    line = _line_of(path, "training_data = random.shuffle(training_data)")
    assert result.where == f"Network.SGD (network2_shuffle.py:{line})", result.where
    assert result.details[0].startswith(
        f"`training_data = random.shuffle(training_data)` at line {line} sets training_data "
        "to None: random.shuffle changes its argument in place and returns None"), result.details


def test_an_update_whose_returned_parameters_the_loop_drops_is_named(tmp_path):
    """Samson Zhang's update_params rebinds W1 = W1 - alpha * dW1 and returns the new arrays;
    a loop that calls it without assigning them never trains. update_params alone is right."""
    import importlib.util

    folder = Path(__file__).with_name("learners") / "functional"
    shutil.copytree(folder, tmp_path / "functional")
    path = tmp_path / "functional" / "mnist_nn_fixed.py"
    text = path.read_text()
    old = "        W1, b1, W2, b2 = update_params("
    assert old in text
    path.write_text(text.replace(old, "        update_params("))
    spec = importlib.util.spec_from_file_location("fn_drop", path.with_name("adapter.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = next(r for r in check_program(path, adapter=module.adapter).results
                  if r.check == "update")
    line = _line_of(path, "        update_params(")
    assert result.status == "wrong" and result.summary.startswith(
        f"gradient_descent calls update_params at line {line} and drops what it returns: "
        "update_params rebinds W1, b1, W2, b2"), result.summary
    assert result.where == f"gradient_descent (mnist_nn_fixed.py:{line})"
    assert result.details[0].endswith(": the update itself is right")


def test_an_adapters_network_is_built_from_the_same_seed_on_every_run(programs):
    """The adapter draws the network's weights (and this program seeds nothing itself): seeded
    before it runs, two checks of the same program say the same, to the digit."""
    first = str(_keras(programs, ("np.random.seed(0)\n", ""))).splitlines()
    assert first == str(_keras(programs)).splitlines()  # the file as edited


def test_dropout_drawn_from_the_learners_own_generator_is_drawn_alike_too(programs):
    """`rng = np.random.default_rng(0)` draws the masks: the checks reseed that generator for
    each call as they do numpy's, so the step matches the learner's own gradients."""
    report = _keras(programs, ("import numpy as np\n",
                               "import numpy as np\n\nrng = np.random.default_rng(0)\n"),
                    ("np.random.rand(*x.shape) > self.p", "rng.random(x.shape) > self.p"))
    status = {r.check: r for r in report.results}
    assert status["gradients"].status == "skipped", status["gradients"].summary
    assert status["update"].status == "ok", status["update"].summary
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)


def test_a_step_that_adds_noise_its_gradients_do_not_is_skipped_not_wrong(programs):
    """Noise added to the inputs in train_on_batch, and clean gradients from the adapter: the
    step moves otherwise with other random numbers, so it cannot be held to −η·∇C."""
    report = _keras(programs, NO_DROPOUT, (
        "        pred = self.forward(xb, training=True)\n",
        "        xb = xb + np.random.normal(0, 0.1, xb.shape)\n"
        "        pred = self.forward(xb, training=True)\n"))
    result = next(r for r in report.results if r.check == "update")
    assert result.status == "skipped" and result.summary.startswith(
        "Sequential.train_on_batch draws random numbers in its step"), result.summary


def test_a_backprop_that_assigns_a_parameter_is_named_before_anything_else(programs):
    """A line of __init__ copied into backward (`self.W = np.random.randn(...)`): the
    gradients are of other weights; it is said so, not taken for dropout."""
    report = _keras(programs, NO_DROPOUT, (
        "        return grad @ self.W.T\n",
        "        out = grad @ self.W.T\n"
        "        self.W = np.random.randn(*self.W.shape) * 0.01\n        return out\n"))
    result = next(r for r in report.results if r.check == "gradients")
    assert result.status == "wrong" and "changes self.layers[" in result.summary and \
        result.summary.endswith("while it computes the gradients: a backprop must only read "
                                "the parameters"), result.summary
    book = next(r for r in report.results if r.check == "book")
    assert book.status == "skipped" and "changes the parameters" in book.summary


def test_a_gradient_set_in_a_helper_the_backprop_calls_points_there(tmp_path):
    """Coursera's L_model_backward builds its keys at run time (grads["db" + str(l)]) from
    linear_backward's dW and db: a bias summed over the wrong axis is at linear_backward's
    `db = ...` line."""
    import importlib.util

    shutil.copytree(Path(__file__).with_name("learners") / "coursera", tmp_path / "coursera")
    path = tmp_path / "coursera" / "dnn_app.py"
    text = path.read_text()
    old = "    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)\n"
    assert old in text
    path.write_text(text.replace(old, old.replace("axis=1", "axis=0")))
    spec = importlib.util.spec_from_file_location("cw_adapter", path.with_name("adapter.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = next(r for r in check_program(path, adapter=module.adapter).results
                  if r.check == "gradients")
    assert result.status == "wrong"
    assert result.where == f"linear_backward (dnn_app.py:{_line_of(path, '    db = 1 / m')})", \
        result.where


def test_a_step_that_keeps_a_state_is_not_taken_for_one_that_draws(tmp_path):
    """A momentum buffer shared between layers: run again from the same parameters the step
    moves otherwise, because of the buffer, not of random numbers; it is still wrong."""
    import importlib.util

    shutil.copytree(Path(__file__).with_name("learners") / "nnfs", tmp_path / "nnfs")
    path, adapter = tmp_path / "nnfs" / "nnfs_mnist.py", tmp_path / "nnfs" / "adapter.py"
    old = "        layer.biases += -self.current_learning_rate * layer.dbiases\n"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, (
        "        self.bias_momentums = 0.5 * getattr(self, 'bias_momentums', 0) - "
        "self.current_learning_rate * layer.dbiases\n"
        "        layer.biases += self.bias_momentums\n")))
    text = adapter.read_text()  # a hidden layer as wide as the output: the buffer fits both
    assert "Layer_Dense(784, 32), program.Layer_Dense(32, 10)" in text
    adapter.write_text(text.replace("Layer_Dense(784, 32), program.Layer_Dense(32, 10)",
                                    "Layer_Dense(784, 10), program.Layer_Dense(10, 10)"))
    spec = importlib.util.spec_from_file_location("nnfs_momentum", adapter)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = next(r for r in check_program(path, adapter=module.adapter).results
                  if r.check == "update")
    assert result.status == "wrong" and "dense2.biases" in result.summary, result.summary


def test_a_permutation_before_the_batch_loop_of_one_epoch_is_not_shuffling_once(programs):
    """An adapter's epoch is one epoch: train_epoch draws a permutation, then loops over the
    batches. That loop is not over epochs, so nothing is shuffled 'once'."""
    import importlib.util

    path = programs / "script" / "my_net.py"
    spec = importlib.util.spec_from_file_location("script_adapter", path.with_name("adapter.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    report = check_program(path, adapter=module.adapter)
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    assert all(r.status == "ok" for r in report.results), [r.summary for r in report.results]


def test_checks_that_only_trip_over_a_forward_without_return_are_skipped_saying_so(programs):
    """Sequential.forward without `return x` (so the adapter's predict gives None): the forward
    finding is the one; the checks whose calls raise on its None are skipped, naming it."""
    report = _keras(programs, NO_DROPOUT, ("            x = layer.forward(x, training)\n"
                                           "        return x\n",
                                           "            x = layer.forward(x, training)\n"))
    status = {r.check: r for r in report.results}
    assert status["forward"].status == "wrong"
    tripped = [r for r in report.results if r.summary.startswith(
        "not checked: Sequential.predict returns None (see forward), and ")]
    assert tripped and all(r.status == "skipped" for r in tripped)
    assert not any(r.status == "error" and "NoneType" in r.summary for r in report.results)


def test_an_argmax_of_a_forward_without_return_is_skipped_too(programs):
    """np.argmax(self.forward(X), axis=1) on that None raises AxisError, not a NoneType error:
    the line calls the forward pass, so the evaluation is skipped naming it, not a finding."""
    report = _keras(programs, NO_DROPOUT, ("            x = layer.forward(x, training)\n"
                                           "        return x\n",
                                           "            x = layer.forward(x, training)\n"),
                    ("        out = self.forward(X)\n        return np.mean(np.argmax(out, "
                     "axis=1) == labels)\n", "        return np.mean(np.argmax(self.forward(X), "
                     "axis=1) == labels)\n"))
    evaluation = next(r for r in report.results if r.check == "evaluation")
    assert evaluation.status == "skipped" and evaluation.summary.startswith(
        "not checked: Sequential.predict returns None (see forward), and Sequential.evaluate "
        "raised numpy.exceptions.AxisError"), evaluation.summary
    assert [r.check for r in report.wrong] == ["forward"]


def _script(programs, *edits):
    """The script program of globals (its adapter beside it), with edits (old, new)."""
    return _adapted(programs / "script" / "my_net.py", *edits)


def test_a_step_that_reads_the_last_forward_pass_is_stale_and_its_crash_a_consequence(
        programs):
    """train_step backpropagates from a global cache the previous forward pass left, and runs
    its own forward pass after the update: no single hypothesis (this batch's inputs with the
    previous activations) matches, but the step changes with the forward pass run before it.
    The learning check's shape error (200 evaluated examples against a batch of 64) is that
    finding's consequence: skipped, naming it."""
    report = _script(programs, ("    return out, (z1, a1, z2, a2, out)\n",
                                "    last['cache'] = (z1, a1, z2, a2, out)\n"
                                "    return out, (z1, a1, z2, a2, out)\n"),
                     ("lr = 0.5\n", "lr = 0.5\nlast = {}\n"),
                     ("    out, cache = forward(Xb)\n    grads = backward(Xb, Yb, cache)\n"
                      "    update(grads)\n",
                      "    grads = backward(Xb, Yb, last['cache'])\n    update(grads)\n"
                      "    out, cache = forward(Xb)\n"))
    status = {r.check: r for r in report.results}
    assert status["update"].status == "wrong" and status["update"].summary == (
        "train_step uses stale activations: its step depends on the forward pass run before "
        "it, not only on this batch; after a forward pass on this batch it is −η·∇C")
    assert status["learning"].status == "skipped" and status["learning"].summary.startswith(
        "not checked: train_step reads stale activations (see update), and train_step raised "
        "ValueError: operands could not be broadcast"), status["learning"].summary
    assert [r.check for r in report.wrong] == ["update"] and not report.raised


def test_a_pytorch_style_program_names_the_networks_backward_and_the_grads_line(programs):
    """The adapter's grads call loss_fn.backward() and model.backward(...): the backprop is the
    network's (Sequential.backward), not the loss object's, and a wrong bias gradient points at
    the line that adds to self.bias.grad in Linear.backward."""
    report = _adapted(programs / "torchlike" / "my_torch.py",
                      ("        self.bias.grad += grad_out.sum(axis=0)\n",
                       "        self.bias.grad -= grad_out.sum(axis=0)\n"))
    result = next(r for r in report.results if r.check == "gradients")
    line = _line_of(programs / "torchlike" / "my_torch.py", "self.bias.grad -= ")
    assert result.status == "wrong" and result.summary.startswith("Sequential.backward: "), \
        result.summary
    assert result.where == f"Linear.backward (my_torch.py:{line})", result.where


def test_a_pytorch_style_program_passes(programs):
    report = _adapted(programs / "torchlike" / "my_torch.py")
    assert report.ok and all(r.status == "ok" for r in report.results), \
        [r.summary for r in report.results]


def test_random_batches_from_a_slice_of_the_training_data_are_named_with_the_slice(programs):
    """x_train = x_train[:300] before DLFS's np.random.choice loop (the book's overfitting
    demo): every example is drawn many times, which read as overlapping slices that step by
    76; it is random draws from examples 0 to 299 alone, and the slice's line says so."""
    script = programs / "dlfs" / "ch05" / "train_neuralnet.py"
    old = "network = TwoLayerNet("
    text = script.read_text()
    assert old in text
    script.write_text(text.replace(old, "x_train = x_train[:300]\nt_train = t_train[:300]\n" + old))
    report = check_program(programs / "dlfs" / "ch05" / "two_layer_net.py")
    result = next(r for r in report.results if r.check == "minibatches")
    assert result.status == "wrong" and result.summary.endswith(
        "trains on only 300 of 60,000 examples: it draws its batches at random with replacement "
        "from examples 0 to 299 alone"), result.summary
    line = _line_of(script, "x_train = x_train[:300]")
    assert result.where == f"training loop (train_neuralnet.py:{line})", result.where
    assert result.details[0].startswith("`x_train = x_train[:300]` at line")


@pytest.mark.parametrize("decayed, sign, ok", [(("W1", "W2"), "+", True),
                                               (("W1",), "+", False), (("W1", "W2"), "-", False)])
def test_l2_weight_decay_in_the_gradients_is_right_in_every_layer(programs, decayed, sign, ok):
    """Deep Learning from Scratch's weight_decay_lambda: grads['W'] = dW + λ·W, the gradient of
    C + ½λ Σ‖W‖² (not a false alarm); the decay left out of one layer is still wrong, and one
    subtracted is named as the wrong sign."""
    path = programs / "dlfs" / "ch05" / "two_layer_net.py"
    text = path.read_text()
    for k in decayed:
        i = k[1]
        old = f"grads['W{i}'], grads['b{i}'] = self.layers['Affine{i}'].dW,"
        assert old in text
        text = text.replace(old, f"grads['W{i}'], grads['b{i}'] = self.layers['Affine{i}'].dW "
                                 f"{sign} 0.1 * self.params['W{i}'],")
    path.write_text(text)
    results = {r.check: r for r in check_program(path).results}
    if ok:
        assert results["gradients"].status == "ok" and "plus 0.1·W for the weights " \
            "(self.params['W1'] and 1 more): L2 weight decay, λ = 0.1" in \
            results["gradients"].summary, results["gradients"].summary
        assert results["book"].status == "ok" and results["book"].summary.endswith(
            "with ½λ‖W‖² added (L2 weight decay, λ = 0.1)"), results["book"].summary
    else:
        assert results["gradients"].status == "wrong", results["gradients"].summary
        assert (sign == "-") == results["gradients"].summary.endswith(
            "minus 0.1·W for the weights (self.params['W1'] and 1 more): the L2 weight-decay "
            "term has the wrong sign"), results["gradients"].summary


def _optimizer_net(programs, optimizer="Adam(lr=0.001)", edit=None):
    """ch06/optimizer_net.py trained with another optimizer of common/optimizer.py, or with
    that file edited (old, new)."""
    path = programs / "dlfs" / "ch06" / "optimizer_net.py"
    name = optimizer.partition("(")[0]
    text = path.read_text().replace("from common.optimizer import Adam",
                                    f"from common.optimizer import {name}")
    path.write_text(text.replace("optimizer = Adam(lr=0.001)", f"optimizer = {optimizer}"))
    if edit:
        module = programs / "dlfs" / "common" / "optimizer.py"
        source = module.read_text()
        assert edit[0] in source
        module.write_text(source.replace(*edit))
    return check_program(path)


@pytest.mark.parametrize("optimizer, summary", [
    ("Adam(lr=0.001)", "one call of Adam.update with η = 0.001 on 7 examples moves each "
     "parameter by 0.001·sign(−∇C) (less where ∇C is near the ε it adds): the first step of Adam"),
    ("Momentum(lr=0.05)", "one call of Momentum.update with η = 0.05 on 7 examples moves every "
     "parameter to p − η·∇C"),
    ("SGD(lr=0.05)", "one call of SGD.update with η = 0.05 on 7 examples moves every parameter "
     "to p − η·∇C")])
def test_a_training_loop_that_updates_through_an_optimizer_object(programs, optimizer, summary):
    """Deep Learning from Scratch's chapter 6: optimizer.update(network.params, grads), the
    optimizer made as the script makes it (its η, its state kept from step to step). The
    script's own loop wins over the one in two_layer_net_dropout.py beside it (η = 0.1)."""
    report = _optimizer_net(programs, optimizer)
    assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)
    update = next(r for r in report.results if r.check == "update")
    assert update.summary.startswith(summary), update.summary
    assert update.where.startswith(f"{optimizer.partition('(')[0]}.update (optimizer.py:")
    assert not any("η = 0.1" in n for n in report.notes), report.notes


def test_an_adam_without_its_square_root_is_wrong(programs):
    report = _optimizer_net(programs, edit=("(np.sqrt(self.v[key]) + 1e-7)",
                                            "(self.v[key] + 1e-7)"))
    update = next(r for r in report.results if r.check == "update")
    assert update.status == "wrong" and "is not −η·∇C" in update.summary, update.summary


@pytest.mark.parametrize("reset", [
    "        self.v = {}\n        for key, val in params.items():\n"
    "            self.v[key] = np.zeros_like(val)\n",
    "        self.v = {key: np.zeros_like(val) for key, val in params.items()}\n"])
def test_a_momentum_whose_velocity_is_made_at_every_call_is_wrong(programs, reset):
    """Momentum without its `if self.v is None:`: the velocity starts from zero at every call,
    so every step is plain SGD's (its first step is right, and passed before). The same batch
    from the same weights moves them 1× as far the second and third time, where μ = 0.9 would
    move them 1.9× as far: the line that makes the velocity afresh is the place."""
    guarded = ("        if self.v is None:\n"
               "            self.v = {key: np.zeros_like(val) for key, val in params.items()}\n")
    report = _optimizer_net(programs, "Momentum(lr=0.05)", edit=(guarded, reset))
    update = next(r for r in report.results if r.check == "update")
    assert update.status == "wrong" and "its velocity starts from zero at every call" in \
        update.summary, update.summary
    module = programs / "dlfs" / "common" / "optimizer.py"
    line = next(k for k, text in enumerate(module.read_text().splitlines(), 1)
                if text.strip().startswith("self.v = {"))
    assert update.where == f"Momentum.update (optimizer.py:{line})", update.where


def _renamed_methods(programs, *edits):
    """network.py with Nielsen's methods renamed as learners rewrite them, and edits."""
    path = programs / "nielsen" / "network.py"
    text = (PROGRAMS / "nielsen" / "network.py").read_text()
    for old, new in [("feedforward(", "feed_forward("), ("backprop(", "back_prop("),
                     ("update_mini_batch", "update_batch"), ("evaluate(", "score("), *edits]:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    return path


def test_network_py_with_its_methods_renamed_is_recognized(programs):
    """feed_forward, back_prop and update_batch in a class that keeps self.weights and
    self.biases and returns (nabla_b, nabla_w): Nielsen's network under other names."""
    report = check_program(_renamed_methods(programs))
    assert report.ok and all(r.status == "ok" for r in report.results), \
        [r.summary for r in report.results]
    assert any(n.endswith("(feed_forward for feedforward, back_prop for backprop, update_batch "
                          "for update_mini_batch)") for n in report.notes), report.notes
    evaluation = next(r for r in report.results if r.check == "evaluation")
    assert evaluation.summary.startswith("Network.score reports"), evaluation.summary
    path = _renamed_methods(programs, ("sp = sigmoid_prime(z)",
                                       "sp = sigmoid_prime(activations[-l])"))
    result = next(r for r in check_program(path).results if r.check == "gradients")
    line = _line_of(path, "sp = sigmoid_prime(activations[-l])")
    assert result.status == "wrong" and result.summary.startswith("Network.back_prop"), \
        result.summary
    assert result.where == f"Network.back_prop (network.py:{line})", result.where


def test_a_class_with_forward_and_backward_is_not_taken_for_network_py(programs):
    """A layer-style class (forward/backward, no (nabla_b, nabla_w) pair) is no Nielsen
    network: the checker asks for an adapter instead of misreading it."""
    path = programs / "nielsen" / "layers_net.py"
    path.write_text(
        "import numpy as np\n\n\nclass Net:\n    def __init__(self):\n"
        "        self.weights = [np.zeros((784, 10))]\n        self.biases = [np.zeros(10)]\n\n"
        "    def feed_forward(self, X):\n        return X @ self.weights[0] + self.biases[0]\n\n"
        "    def back_prop(self, X, Y):\n        return {'W': X.T @ (self.feed_forward(X) - Y)}\n")
    with pytest.raises(LookupError, match="Adapter"):
        recognize(load(path), make_data())


def test_a_learning_rate_written_out_in_the_files_own_loop_is_its_eta(programs, data):
    """two_layer_net.py trains itself with `-= 0.5 * grad[key]` while train_neuralnet.py
    beside it sets learning_rate = 0.1: the file's own loop and its written-out 0.5 are used."""
    path = programs / "dlfs" / "ch05" / "two_layer_net.py"
    path.write_text(path.read_text() + (
        "\n\nfrom dataset.mnist import load_mnist  # noqa: E402\n\n"
        "(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True)\n"
        "net = TwoLayerNet(input_size=784, hidden_size=32, output_size=10)\n"
        "for i in range(10000):\n"
        "    mask = np.random.choice(x_train.shape[0], 100)\n"
        "    grad = net.gradient(x_train[mask], t_train[mask])\n"
        "    for key in ('W1', 'b1', 'W2', 'b2'):\n"
        "        net.params[key] -= 0.5 * grad[key]\n"))
    learner = recognize(load(path), data)
    assert learner.lr == 0.5 and str(learner.where["update"]).startswith(
        "training loop (two_layer_net.py:")
    _assert_step_is_eta_times_grads(learner, data, "mean")


def test_a_last_partial_batch_dropped_from_a_reshuffled_list_is_fine(programs):
    """range(len(X) // batch_size) over a permutation drawn every epoch: the 96 left out are
    other examples each epoch, as fine as a dropped tail of an unshuffled list."""
    report = _script(programs, ("    for i in range(0, X.shape[0], batch_size):\n"
                                "        idx = perm[i:i + batch_size]\n",
                                "    for k in range(X.shape[0] // batch_size):\n"
                                "        idx = perm[k * batch_size:(k + 1) * batch_size]\n"))
    result = next(r for r in report.results if r.check == "minibatches")
    assert result.status == "ok" and result.summary.endswith(
        "uses 59,968 of 60,000 examples once each; the last partial batch of 32 is dropped, "
        "which is fine"), result.summary


@pytest.mark.parametrize("derivative_too", [True, False])
def test_a_leaky_relu_network_is_read_with_its_slope(programs, derivative_too):
    """relu(z) = np.where(z > 0, z, 0.05 * z): no standard activation fits the forward pass; a
    leaky ReLU with the slope found by search does (not 'differs from the network its weights
    define'). Its derivative left as relu's ([z > 0]) is still a finding."""
    edits = [("    return np.maximum(0, z)\n", "    return np.where(z > 0, z, 0.05 * z)\n")]
    if derivative_too:
        edits += [("* (z2 > 0)", "* np.where(z2 > 0, 1.0, 0.05)"),
                  ("* (z1 > 0)", "* np.where(z1 > 0, 1.0, 0.05)")]
    report = _script(programs, *edits)
    results = {r.check: r for r in report.results}
    assert results["forward"].status == "ok" and "leaky relu (slope 0.05) hidden layers" in \
        results["forward"].summary, results["forward"].summary
    assert (results["gradients"].status == "ok") == derivative_too, results["gradients"].summary
    if derivative_too:
        assert report.ok, "\n".join(f"{r.check}: {r.summary}" for r in report.wrong)


def test_a_hidden_layers_wrong_delta_in_network_py_points_at_its_delta_line(programs):
    """sp = sigmoid(z) for sigmoid_prime(z): the hidden layer's δ is wrong, set by
    nabla_b[-l] = delta in the loop; the finding points at the loop's `delta = ... * sp`, not
    at backprop's def line."""
    path = _variant(programs, "sp = sigmoid_prime(z)", "sp = sigmoid(z)")
    result = next(r for r in check_program(path).results if r.check == "gradients")
    line = _line_of(path, "delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp")
    assert result.status == "wrong" and result.where == f"Network.backprop (network.py:{line})", \
        result.where


def _gradients(path):
    return next(r for r in check_program(path).results if r.check == "gradients")


def test_a_wrong_derivative_helper_is_where_the_finding_points(programs):
    """sigmoid_prime(z) = σ(z)·(1 − z): every δ that calls it is wrong, and the helper is the
    line to fix, not the δ lines that call it; the finding says what it gives and should give."""
    path = _variant(programs, "    return sigmoid(z) * (1 - sigmoid(z))",
                    "    return sigmoid(z) * (1 - z)")
    result = _gradients(path)
    line = _line_of(path, "    return sigmoid(z) * (1 - z)")
    assert result.status == "wrong" and result.where == f"sigmoid_prime (network.py:{line})", \
        result.where
    assert result.details[0].startswith(
        "sigmoid_prime(z) is not the derivative of the sigmoid your network uses (it returns "
        "sigmoid(z) * (1 - z)): at z = 0.7 it gives 0.2005, where σ′(0.7) = 0.2217. The "
        "derivative is σ′(z) = σ(z)·(1 − σ(z))"), result.details[0]


def test_a_derivative_helper_of_a_method_is_named_with_its_class(programs):
    """The same slip in a method that never reads self (self.sigmoid_prime(z)): the finding
    names Network.sigmoid_prime."""
    path = _variant(programs, "sigmoid_prime(", "self.sigmoid_prime(")
    text = path.read_text().replace("def self.sigmoid_prime(z):\n    return sigmoid(z) * (1 - "
                                    "sigmoid(z))\n", "")
    text = text.replace("    def cost_derivative(", "    def sigmoid_prime(self, z):\n"
                        "        return 1 - sigmoid(z) ** 2\n\n    def cost_derivative(")
    path.write_text(text)
    result = _gradients(path)
    line = _line_of(path, "        return 1 - sigmoid(z) ** 2")
    assert result.where == f"Network.sigmoid_prime (network.py:{line})", result.where


@pytest.mark.parametrize("bug", [False, True])
def test_a_derivative_method_that_calls_self_is_tried(programs, bug):
    """An object-oriented network whose sigmoid_derivative(self, z) reads self.sigmoid(z): tried
    on a bare instance of its class (no __init__ run), its s·(1 + s) is the line to fix; with it
    mended the backprop's gradients are autograd's, which the finding says, and the cost is read
    past it (the quadratic of `(a − y) * σ′(z)`, where no cost fitted the broken σ′). Right,
    every check passes."""
    path = programs / "oop" / "net.py"
    if bug:
        path.write_text(path.read_text().replace("        return s * (1 - s)\n",
                                                 "        return s * (1 + s)\n"))
    report = check_program(path)
    results = {r.check: r for r in report.results}
    if not bug:
        assert report.ok, [r.summary for r in report.results]
        return
    result = results["gradients"]
    line = _line_of(path, "        return s * (1 + s)")
    assert result.status == "wrong" and \
        result.where == f"NeuralNetwork.sigmoid_derivative (net.py:{line})", result.where
    assert result.summary == (
        "NeuralNetwork.backprop's gradients are wrong because sigmoid_derivative is not the "
        "derivative it is named for: mended, the gradients of all 4 parameters agree with "
        "autograd's"), result.summary
    assert result.details[0].startswith("sigmoid_derivative(z) is not the derivative of the "
                                        "sigmoid your network uses (it returns s * (1 + s))")
    assert "quadratic" in results["forward"].summary, results["forward"].summary
    assert not any(d.startswith("note: the output layer") for d in result.details)


@pytest.mark.parametrize("bug", [False, True])
def test_a_helper_in_a_file_beside_the_program_is_tried(programs, bug):
    """A script that star-imports its helpers from activations.py beside it: a relu_derivative
    there returning ReLU itself is the place (it was never read, as the adapter names only
    the script's functions, so the finding stayed on backward's def line)."""
    folder = programs / "split"
    if bug:
        helpers_file = folder / "activations.py"
        helpers_file.write_text(helpers_file.read_text().replace(
            "    return (z > 0).astype(z.dtype)\n", "    return np.maximum(z, 0)\n"))
    report = _adapted(folder / "relu_net.py")
    result = next(r for r in report.results if r.check == "gradients")
    if not bug:
        assert report.ok, [r.summary for r in report.results]
        return
    lines = [i for i, text in enumerate((folder / "activations.py").read_text().splitlines(), 1)
             if text == "    return np.maximum(z, 0)"]  # relu's own, then relu_derivative's
    assert result.where == f"relu_derivative (activations.py:{lines[-1]})", result.where
    assert "mended, the gradients of all 4 parameters agree" in result.summary, result.summary


@pytest.mark.parametrize("learner, old, new, place", [
    ("dlfs", "        dout[self.mask] = 0\n", "        dout[~self.mask] = 0\n",
     "Relu.backward (layers.py:{line})"),
    ("dlfs", "        dout[self.mask] = 0\n        return dout\n",  # the book's own ending
     "        dout[~self.mask] = 0\n        dx = dout\n        return dx\n",
     "Relu.backward (layers.py:{line})"),
    ("nnfs", "        self.dinputs[self.inputs <= 0] = 0\n",
     "        self.dinputs[self.inputs > 0] = 0\n",
     "Activation_ReLU.backward (nnfs_mnist.py:{line})")])
def test_an_activation_layers_wrong_backward_is_the_place(programs, tmp_path, learner, old, new,
                                                          place):
    """Deep Learning from Scratch's Relu layer and NNFS's Activation_ReLU: a backward that zeroes
    the wrong half of dout is tried on numbers after a forward, and named at the line that
    makes what it returns (or sets: NNFS's self.dinputs; through the book's `dx = dout`, the
    line that wrote dout), not at gradient()'s def line; the finding says that mended, every
    gradient agrees."""
    if learner == "dlfs":
        path, main = programs / "dlfs" / "common" / "layers.py", programs / "dlfs" / "ch05" / \
            "two_layer_net.py"
    else:
        shutil.copytree(Path(__file__).with_name("learners") / "nnfs", tmp_path / "nnfs")
        path = main = tmp_path / "nnfs" / "nnfs_mnist.py"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    report = check_program(main) if learner == "dlfs" else _adapted(main)
    result = next(r for r in report.results if r.check == "gradients")
    line = _line_of(path, new.split("\n")[0])  # the line that zeroes, not `dx = dout`
    assert result.status == "wrong" and result.where == place.format(line=line), result.where
    assert "mended, the gradients of all 4 parameters agree" in result.summary, result.summary
    assert "at x = 0.7 it gives" in result.details[0], result.details[0]


def test_a_helper_method_that_reads_an_attribute_is_tried_on_the_learners_object(programs):
    """sigmoid_derivative(self, z) scaled by a self.gain that __init__ sets: a bare instance has
    no gain, so the helper is tried on a (shallow) copy of the learner's own network, and its
    s·(1 + s) is named at its line."""
    path = programs / "oop" / "net.py"
    text = path.read_text().replace("        self.sizes = sizes\n",
                                    "        self.sizes = sizes\n        self.gain = 1.0\n")
    path.write_text(text.replace("        return s * (1 - s)\n",
                                 "        return self.gain * s * (1 + s)\n"))
    result = _gradients(path)
    line = _line_of(path, "        return self.gain * s * (1 + s)")
    assert result.where == f"NeuralNetwork.sigmoid_derivative (net.py:{line})", result.where
    assert "mended, the gradients of all 4 parameters agree" in result.summary, result.summary


def test_a_library_the_machine_lacks_skips_the_checks_that_call_it(programs):
    """A network whose sigmoid calls a library that is not installed where the checker runs:
    the checks that reach the call are skipped, saying what to install (they were ✗ "your code
    raised", as if the program were wrong); scipy.special.expit, Make Your Own Neural
    Network's sigmoid, is computed with numpy instead, so those programs are checked."""
    from tinygrad_edu.check.source import _Missing

    z = np.array([-800.0, -2.0, 0.0, 3.0])  # e^800 overflows to inf: σ is then 0, quietly
    assert np.allclose(_Missing("scipy.special.expit")(z), [0.0, *(1 / (1 + np.exp(-z[1:])))],
                       atol=0)
    path = programs / "oop" / "net.py"
    text = path.read_text().replace("import numpy as np\n",
                                    "import numpy as np\nimport fancy_activations as fancy\n", 1)
    path.write_text(text.replace("        return 1.0 / (1.0 + np.exp(-z))\n",
                                 "        return fancy.logistic(z)\n"))
    results = {r.check: r for r in check_program(path).results}
    for check in ("forward", "gradients", "update"):
        assert results[check].status == "skipped", results[check].summary
        assert "fancy_activations.logistic at net.py:" in results[check].summary and \
            "(pip install fancy_activations)" in results[check].summary, results[check].summary


def test_an_accuracy_that_compares_with_one_hot_targets_is_told_so(programs):
    """The book's TwoLayerNet.accuracy without its `if t.ndim != 1: t = np.argmax(t, axis=1)`,
    given the one-hot targets its training script uses: numpy's broadcast error alone said
    nothing of why; the finding adds that t holds one-hot rows."""
    path = programs / "dlfs" / "ch05" / "two_layer_net.py"
    path.write_text(path.read_text().replace(
        "        if t.ndim != 1:\n            t = np.argmax(t, axis=1)\n", ""))
    result = next(r for r in check_program(path).results if r.check == "evaluation")
    assert result.status == "error" and any(
        "are the labels it is given one-hot rows? Take np.argmax(t, axis=1)" in d
        for d in result.details), result.details


@pytest.mark.parametrize("short", [False, True])
def test_a_training_script_with_a_loader_of_its_own_runs_its_loop(programs, short):
    """ch05's training script loading MNIST through a module of the learner's that is not
    there: the loop's train_size = x_train.shape[0] was never set, and the minibatches check
    was skipped with advice to pass train_size to the loop "as an argument" (it is a script);
    x_train and t_train are now bound to the recorder's examples by their names, and a pair
    named otherwise (X, T = read_all(...)) as inputs, then targets (it was a false ✗)."""
    path = programs / "dlfs" / "ch05" / "train_neuralnet.py"
    text = path.read_text().replace(
        "from dataset.mnist import load_mnist", "from my_mnist_reader import read_all").replace(
        "load_mnist(normalize=True, one_hot_label=True)", "read_all('data/')")
    if short:
        text = text.replace("(x_train, t_train), (x_test, t_test) = read_all", "X, T = read_all")
        for old, new in (("x_train.shape", "X.shape"), ("x_train[", "X["), ("t_train[", "T[")):
            text = text.replace(old, new)
    path.write_text(text)
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    assert result.status == "ok" and "draws its batches at random" in result.summary, \
        result.summary


def test_a_bias_gradient_without_the_means_1_over_m_is_named_in_linear_backward(programs):
    """Course 1 week 4's linear_backward with `db = np.sum(dZ, ...)` beside `dW = 1. / m * ...`:
    the output layer's W matches the mean cost and b the summed one, so no cost fitted and the
    finding blamed W ("divided by the batch size twice") at L_model_backward's def line. The
    split now reads as a mean, and the place is linear_backward's db line, two calls down."""
    path = programs / "coursera_w4" / "dnn_app.py"
    report = _adapted(path, ("    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)\n",
                             "    db = np.sum(dZ, axis=1, keepdims=True)\n"))
    result = next(r for r in report.results if r.check == "gradients")
    line = _line_of(path, "    db = np.sum(dZ, axis=1, keepdims=True)")
    assert result.status == "wrong" and result.where == f"linear_backward (dnn_app.py:{line})", \
        (result.where, result.summary)
    assert "m = 7 times too large" in result.summary, result.summary


def test_a_script_loop_reading_what_the_script_could_not_set_is_skipped_with_its_reason(
        programs):
    """ch05's loop reading train_size, which its script sets from a reader of its own: the
    check is skipped, saying so, and no longer advises passing train_size to the loop "as an
    argument" (the loop is module-level script, not a function)."""
    path = programs / "dlfs" / "ch05" / "train_neuralnet.py"
    path.write_text(path.read_text().replace(
        "from two_layer_net import TwoLayerNet", "from two_layer_net import TwoLayerNet\n"
        "from my_reader import count_rows").replace(
        "train_size = x_train.shape[0]", "train_size = count_rows('train.csv')"))
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    assert result.status == "skipped" and result.summary.startswith(
        "your training loop reads `train_size` at train_neuralnet.py:"), result.summary
    assert "as an argument" not in result.summary and "an Adapter's epoch= can" in \
        result.summary, result.summary


def test_a_book_training_script_under_a_main_guard_runs_its_loop(programs):
    """ch05's training script inside `if __name__ == "__main__":`: the loop was looked for among
    the top-level statements only, and the minibatches check raised StopIteration from the
    checker's own code, reported as the learner's (a false ✗ with no place)."""
    path = programs / "dlfs" / "ch05" / "train_neuralnet.py"
    head, _, script = path.read_text().partition("(x_train, t_train)")
    path.write_text(head + 'if __name__ == "__main__":\n' + "".join(
        f"    {line}\n" if line else "\n" for line in ("(x_train, t_train)" + script).split("\n")))
    result = next(r for r in check_program(path).results if r.check == "minibatches")
    assert result.status == "ok" and "draws its batches at random" in result.summary, \
        result.summary


@pytest.mark.parametrize("train, held_out", [
    ("X[:, val_size:]", True),  # columns: the first val_size set aside, the rest trained on
    ("X[:, :n - val_size]", False)])  # both from the start: the validation is trained on too
def test_a_validation_split_of_columns_is_read_as_held_out_only_when_apart(tmp_path, train,
                                                                           held_out):
    """fit(self, X, Y) splitting its columns into X_val and X_train (new names, a tuple of
    slices): read as a held-out validation set (it was "trains on only 50,000"), unless both
    slices start at the beginning and so overlap."""
    from tinygrad_edu.check.learner import Where
    from tinygrad_edu.check.minibatches import _held_out

    path = tmp_path / "net.py"
    path.write_text("def fit(self, X, Y, val_size=10000):\n    n = X.shape[1]\n"
                    "    X_val, Y_val = X[:, :val_size], Y[:, :val_size]\n"
                    f"    X_train, Y_train = {train}, Y[:, val_size:]\n")
    found = _held_out(Where("fit", str(path), 1))
    assert (found is not None) == held_out, found
    if held_out:
        assert found[0] == 3 and found[1].startswith("X_val, Y_val = "), found


@pytest.mark.parametrize("overlap", [False, True])
def test_a_fit_that_sets_columns_aside_and_scores_them_passes(programs, overlap):
    """fit(X, Y) keeping X_val = X[:, :val_size] aside and training on X[:, val_size:], then
    printing the validation accuracy: right, so every check passes (the minibatches check said
    "trains on only 50,000" and the evaluation check "the held-out figure … is on examples it
    trains on"). Training on X[:, :n - val_size] instead overlaps the validation set: both
    findings are then right."""
    edits = [("X_train, Y_train = X[:, val_size:], Y[:, val_size:]",
              "X_train, Y_train = X[:, :n - val_size], Y[:, :n - val_size]")] if overlap else []
    report = _adapted(programs / "valsplit" / "net.py", *edits)
    results = {r.check: r for r in report.results}
    if not overlap:
        assert report.ok, [r.summary for r in report.results]
        assert "it holds out the other 10,000" in results["minibatches"].summary
        return
    assert results["minibatches"].status == "wrong" and results["evaluation"].status == "wrong"


def test_a_book_loop_nested_in_an_epoch_loop_runs_one_epoch(programs):
    """A training script with `for epoch in range(10):` around its loop over the batches,
    reading its data through a loader of its own: one pass of the outer loop is the epoch
    (its bound was set to an epoch's worth of batches, 1,200 epochs of 1,200 batches: the
    check ran out of time)."""
    script = programs / "dlfs" / "ch05" / "train_epochs.py"
    script.write_text(
        "import os\nimport sys\n\nsys.path.append(os.pardir)\nimport numpy as np\n\n"
        "from my_reader import get_mnist\nfrom two_layer_net import TwoLayerNet\n\n"
        "x_train, t_train, x_test, t_test = get_mnist('./data', one_hot=True)\n"
        "net = TwoLayerNet(784, 50, 10)\nlr = 0.1\nbatch_size = 50\n"
        "for epoch in range(10):\n"
        "    for i in range(x_train.shape[0] // batch_size):\n"
        "        idx = np.random.choice(x_train.shape[0], batch_size)\n"
        "        grad = net.gradient(x_train[idx], t_train[idx])\n"
        "        for key in ('W1', 'b1', 'W2', 'b2'):\n"
        "            net.params[key] -= lr * grad[key]\n"
        "    print(epoch, net.accuracy(x_test, t_test))\n")
    result = next(r for r in check_program(script).results if r.check == "minibatches")
    assert result.status == "ok" and "(1,200 batches of 50)" in result.summary, result.summary


@pytest.mark.parametrize("bug", [False, True])
def test_a_bias_stepped_with_the_weights_gradient_is_named_in_update(programs, bug):
    """A functional program whose adapter's update runs forward, backward and update in one
    glue function: the update role is the learner's `update` (it was `backward`, the last name
    the glue used), and `params["b" + str(l)] -= lr * grads["dW" + str(l)].sum(...)` is named at
    that line of the loop over the layers, not at a def line."""
    path = programs / "funcdict" / "net.py"
    edits = [('params["b" + str(l)] -= lr * grads["db" + str(l)]',
              'params["b" + str(l)] -= lr * grads["dW" + str(l)].sum(axis=1, keepdims=True)')]
    report = _adapted(path, *(edits if bug else []))
    result = next(r for r in report.results if r.check == "update")
    if not bug:
        assert report.ok and result.where.startswith("update (net.py:"), result.where
        return
    line = _line_of(path, 'params["b" + str(l)] -= lr')
    assert result.status == "wrong" and result.where == f"update (net.py:{line})", result.where


def test_a_mended_helper_is_put_back(tmp_path, monkeypatch):
    """right_derivatives puts the learner's helpers back when its block ends, also when the
    block raises: a module function (in every module that imported it), a method and a static
    method, each wrong, each mended inside."""
    from tinygrad_edu.check import helpers
    from tinygrad_edu.check.learner import Learner

    (tmp_path / "acts.py").write_text("import numpy as np\n\n\ndef sigmoid_prime(z):\n"
                                      "    return 1 - z\n")
    (tmp_path / "net.py").write_text(
        "import numpy as np\nfrom acts import sigmoid_prime\n\n\nclass Net:\n"
        "    def sig(self, z):\n        return 1 / (1 + np.exp(-z))\n\n"
        "    def dsigmoid(self, z):\n        return self.sig(z)\n\n"
        "    @staticmethod\n    def tanh_prime(z):\n        return 1 + np.tanh(z)\n\n"
        "    def backprop(self, z):\n        return (sigmoid_prime(z), self.dsigmoid(z), "
        "self.tanh_prime(z))\n")
    modules = {}
    for name in ("acts", "net"):  # net's `from acts import` finds the acts loaded first
        spec = importlib.util.spec_from_file_location(name, tmp_path / f"{name}.py")
        modules[name] = importlib.util.module_from_spec(spec)
        with monkeypatch.context() as m:
            m.setitem(sys.modules, "acts", modules["acts"])
            spec.loader.exec_module(modules[name])
    net = modules["net"].Net()
    learner = Learner(name="Net", params=[], files=[str(tmp_path / "net.py"),
                                                     str(tmp_path / "acts.py")],
                      modules=list(modules.values()))
    before = net.backprop(np.array(0.0))
    with pytest.raises(KeyError), helpers.right_derivatives(
            learner, {"sigmoid", "tanh"}, "sigmoid", 0.01) as names:
        assert sorted(names) == ["dsigmoid", "sigmoid_prime", "tanh_prime"], names
        assert [float(v) for v in net.backprop(np.array(0.0))] == [0.25, 0.25, 1.0]
        raise KeyError("the block fails")
    assert [float(v) for v in net.backprop(np.array(0.0))] == [float(v) for v in before]
    assert modules["acts"].sigmoid_prime is modules["net"].sigmoid_prime


def test_an_output_delta_without_sigma_prime_is_the_backprops_own_line(programs):
    """network.py with δᴸ = cost_derivative(a, y) alone under the quadratic cost, and a
    quadratic_cost(a, y) method that computes the cost itself: both the gradients and the book
    check point at the backprop's δ line, where σ′(z) belongs, not at the (right) cost function
    (its ½‖a − y‖² looked like an output δ's a − y)."""
    path = _variant(programs, "self.cost_derivative(activations[-1], y) * sigmoid_prime(zs[-1])",
                    "self.cost_derivative(activations[-1], y)")
    path.write_text(path.read_text().replace(
        "    def cost_derivative(", "    def quadratic_cost(self, a, y):\n"
        "        return 0.5 * np.linalg.norm(a - y) ** 2\n\n    def cost_derivative("))
    results = {r.check: r for r in check_program(path).results}
    line = _line_of(path, "delta = self.cost_derivative(activations[-1], y)")
    for check in ("gradients", "book"):
        assert results[check].status == "wrong", results[check].summary
        assert results[check].where == f"Network.backprop (network.py:{line})", \
            (check, results[check].where)


def test_an_evaluation_that_counts_the_wrong_predictions_is_named(programs):
    """network.py's evaluate with `x != y`: its figure is the error rate, 1 − the accuracy,
    with the trained weights and after the output neurons move; the finding says so at that
    line (it advised running the forward pass, which evaluate does)."""
    path = _variant(programs, "return sum(int(x == y) for (x, y) in test_results)",
                    "return sum(int(x != y) for (x, y) in test_results)")
    result = next(r for r in check_program(path).results if r.check == "evaluation")
    line = _line_of(path, "int(x != y)")
    assert result.status == "wrong" and result.where == f"Network.evaluate (network.py:{line})", \
        result.where
    assert result.summary.endswith("it reports the error rate, 1 − the accuracy"), result.summary


def test_an_evaluation_that_takes_argmax_of_an_integer_label_is_named(programs):
    """network.py's evaluate comparing with np.argmax(y) where y is the digit: every
    prediction is compared with 0. Its figure is the share of 0 predictions, with the trained
    weights and after the output neurons move; the finding says so at that line, instead of
    telling a learner whose code runs the forward pass to run it."""
    old = "test_results = [(np.argmax(self.feedforward(x)), y) for (x, y) in test_data]"
    new = "test_results = [(np.argmax(self.feedforward(x)), np.argmax(y)) for (x, y) in test_data]"
    path = _variant(programs, old, new)
    result = next(r for r in check_program(path).results if r.check == "evaluation")
    line = _line_of(path, "np.argmax(y)) for (x, y) in test_data]")
    assert result.status == "wrong" and result.where == f"Network.evaluate (network.py:{line})", \
        result.where
    assert result.summary.endswith(": it compares every prediction with 0"), result.summary
    assert "np.argmax(y) of an integer label (not a one-hot vector) is 0" in result.details[0]


@pytest.mark.parametrize("bug", [False, True])
def test_a_book_shaped_class_with_its_own_names_and_update(programs, bug):
    """A params-dict network with predict and loss, as the book's TwoLayerNet, but with
    gradients(X, T) for gradient, accuracy(X, labels) that compares with integer labels, and
    its own update(X, T, learning_rate): its gradients are checked (they were skipped), its
    accuracy is given labels (one-hot targets made it raise), and its update is the step, so a
    flipped sign in it is found (it was not)."""
    path = programs / "rowsnet" / "net.py"
    if bug:
        path.write_text(path.read_text().replace("self.params[key] -= learning_rate",
                                                 "self.params[key] += learning_rate"))
    results = {r.check: r for r in check_program(path).results}
    assert results["gradients"].status == "ok" and results["evaluation"].status == "ok", \
        [results["gradients"].summary, results["evaluation"].summary]
    if not bug:
        assert results["update"].status == "ok", results["update"].summary
        return
    assert results["update"].status == "wrong" and "the sign is flipped" in \
        results["update"].summary, results["update"].summary
    line = _line_of(path, "self.params[key] += learning_rate")  # the loop's line, not the def
    assert results["update"].where == f"NeuralNetwork.update (net.py:{line})", \
        results["update"].where


@pytest.mark.parametrize("lines, found", [
    (["z1 = x @ self.W1 + self.b1", "d2 = (self.a2 - y) / m", "d1 = (d2 @ self.W2) * (z1 > 0)"],
     3),
    (["z2 = self.W2 @ a1 + self.b2", "dZ2 = A2 - Y", "dA1 = W2 @ dZ2"], 3),
    (["delta = np.dot(self.weights[-l + 1], delta) * sp"], 1),
    (["dz1 = np.dot(dz2, W2) * (z1 > 0)"], 1),
    (["hidden_inputs = numpy.dot(self.wih, inputs)",  # Rashid's who, square
      "hidden_errors = numpy.dot(self.who, output_errors)"], 2),
    (["d1 = (d2 @ self.W2.T) * (z1 > 0)", "dA1 = W2.T @ dZ2",
      "delta = np.dot(self.weights[-l + 1].transpose(), delta) * sp", "self.dW2 = d2 @ a1.T",
      "hidden_errors = numpy.dot(self.who.T, output_errors)"],
     None)])
def test_an_untransposed_w_in_bp2_is_found_at_its_line(tmp_path, lines, found):
    """The book rule `untransposed_W` (a square W·δ where BP2 has Wᵀ·δ) has its line: a δ-like
    operand times a weight with no .T, in either order or in np.dot; a forward's x @ W1 and
    the lines that transpose are not it. (Without it the book check named the backprop's def
    line while the gradients check named the δ line.)"""
    from tinygrad_edu.check.calls import line_like
    from tinygrad_edu.check.learner import Learner, Where

    path = tmp_path / "net.py"
    path.write_text("def backward(self, x, y):\n" + "".join(f"    {t}\n" for t in lines))
    learner = Learner(name="net", params=[], where={"backprop": Where("backward", str(path), 1)},
                      files=[str(path)])
    place = line_like(learner, "backprop", "untransposed_W")
    assert place == (None if found is None else f"backward (net.py:{found + 1})"), place


def test_a_helper_written_for_the_activations_is_not_blamed(programs):
    """sigmoid_prime(a) = a·(1 − a), called with the activations, is right; with BP2's
    transpose left out, the finding stays on the δ line that lost it."""
    path = _variant(programs, "    return sigmoid(z) * (1 - sigmoid(z))",
                    "    return z * (1 - z)")
    text = path.read_text().replace("sigmoid_prime(zs[-1])", "sigmoid_prime(activations[-1])")
    text = text.replace("sp = sigmoid_prime(z)", "sp = sigmoid_prime(activations[-l])")
    path.write_text(text.replace("self.weights[-l + 1].transpose(), delta", "delta.T, "
                                 "self.weights[-l + 1]).T * 1 if False else np.dot("
                                 "self.weights[-l + 1].transpose() * 2, delta"))
    result = _gradients(path)
    assert result.status == "wrong" and result.where.startswith("Network.backprop (network.py:"), \
        result.where
    assert not any("sigmoid_prime(" in d for d in result.details), result.details


@pytest.mark.parametrize("cost, old, new, rule", [
    ("CrossEntropyCost", "        return a - y\n", "        return (a - y) * sigmoid_prime(z)\n",
     "δᴸ = a − y: the cross-entropy's ∂C/∂a = (a − y)/(a(1 − a)) and σ′(z) = a(1 − a) cancel"),
    ("QuadraticCost", "        return (a - y) * sigmoid_prime(z)\n", "        return a - y\n",
     "δᴸ = (a − y) ⊙ σ′(z)")])
def test_a_cost_classs_wrong_delta_is_where_the_finding_points(programs, cost, old, new, rule):
    """network2's cost classes: a delta(z, a, y) that is not the ∂C/∂z of the cost the script
    trains with (the quadratic's σ′ kept for the cross-entropy, or dropped for the quadratic)
    is the line to fix, not backprop's `delta = (self.cost).delta(...)` that calls it."""
    folder = programs / "network2"
    text = (folder / "network2.py").read_text()
    start = text.index(f"class {cost}")
    (folder / "network2.py").write_text(text[:start] + text[start:].replace(old, new, 1))
    run = folder / "run.py"
    run.write_text(run.read_text().replace("network2.QuadraticCost", f"network2.{cost}"))
    result = _gradients(run)
    line = text[:start + text[start:].index(old)].count("\n") + 1  # the class's own return
    assert result.status == "wrong" and result.where == f"{cost}.delta (network2.py:{line})", \
        result.where
    assert result.details[0].startswith(f"{cost}.delta(z, a, y) is not ∂C/∂z of the ") and \
        rule in result.details[0], result.details[0]
    # the step applies those gradients as it should, weight decay (run.py's λ) included
    update = next(r for r in check_program(run).results if r.check == "update")
    assert update.status == "ok" and "your own gradients" in update.summary, update.summary


def test_a_helper_written_for_the_activations_but_given_z_is_named_at_the_call(programs):
    """sigmoid_prime(z) = z·(1 − z), the form for activations, called with zs[-1]: the helper
    is right for what it was written for; the call that hands it z is the place, and the
    finding says both."""
    path = _variant(programs, "    return sigmoid(z) * (1 - sigmoid(z))", "    return z * (1 - z)")
    result = _gradients(path)
    line = _line_of(path, "* sigmoid_prime(zs[-1])")
    assert result.status == "wrong" and result.where == f"Network.backprop (network.py:{line})", \
        result.where
    assert result.details[0].startswith(
        "sigmoid_prime computes the derivative from the activations a = f(z) (it returns "
        "z * (1 - z)), but this line gives it zs[-1], a z"), result.details[0]


def test_a_wrong_helper_nobody_calls_is_not_blamed(programs):
    """A wrong sigmoid_derivative the program never calls is not the fault of its wrong δ."""
    path = _variant(programs, "def sigmoid(z):", "def sigmoid_derivative(z):\n    return 1 - "
                    "sigmoid(z)\n\n\ndef sigmoid(z):")
    path.write_text(path.read_text().replace("sp = sigmoid_prime(z)", "sp = sigmoid(z)"))
    result = _gradients(path)
    assert result.status == "wrong" and result.where.startswith("Network.backprop"), result.where


def test_a_wrong_forward_pass_is_not_read_as_a_leaky_relu_that_comes_nearer(programs):
    """A Coursera-style L-layer network whose softmax sums over the examples (axis=1 with
    examples as columns) fits no network; a leaky ReLU with some slope comes nearer to it than
    relu does, but a nearer miss is no fit: the network stays the relu one it is."""
    report = _adapted(programs / "coursera" / "deep_nn.py",
                      ("    return T / np.sum(T, axis=0, keepdims=True)\n",
                       "    return T / np.sum(T, axis=1, keepdims=True)\n"))
    forward = next(r for r in report.results if r.check == "forward")
    assert forward.status == "wrong", forward.summary
    assert not any("leaky" in line for r in report.results for line in [r.summary, *r.details])


@pytest.mark.parametrize("old, new, says", [
    ("axis=0, keepdims=True)", "axis=1, keepdims=True)",
     "softmax(Z) normalizes over the examples (axis=1): with examples as columns each "
     "example's outputs must sum to 1, over axis=0"),
    ("np.sum(T, axis=0, keepdims=True)", "np.sum(T)",
     "softmax(Z) normalizes over the whole batch (a sum with no axis), which is right for one "
     "example at a time only")])
def test_a_softmax_over_the_wrong_axis_is_where_the_forward_finding_points(programs, old, new,
                                                                         says):
    """The Coursera-style network's softmax summed over the examples (or over everything): the
    forward finding points at the softmax's line, not at L_model_forward, and the wrong
    gradients, figure and training after it say they may be that finding again."""
    path = programs / "coursera" / "deep_nn.py"
    report = _adapted(path, (old, new))
    results = {r.check: r for r in report.results}
    line = _line_of(path, new)
    assert results["forward"].where == f"softmax (deep_nn.py:{line})", results["forward"].where
    assert results["forward"].details[0].startswith(says), results["forward"].details[0]
    after = [r for r in report.results if r.check in ("gradients", "evaluation", "learning")
             and r.status == "wrong"]
    assert after and all(r.details[0].startswith("this may be the forward check's finding "
                                                 "again: your output comes from softmax")
                         for r in after), [(r.check, r.details[:1]) for r in after]


@pytest.mark.parametrize("scaled", [True, False])
def test_inputs_scaled_in_the_step_but_not_in_predict_are_named(programs, scaled):
    """train_step divides x by 255 and predict does not: its gradients are autograd's for x/255
    with the cross-entropy, which no rule read at x itself explains; the finding says so at
    the line that scales. Without that line the program is right."""
    edits = [] if scaled else [("    x = x / 255.0  # pixels to 0..1\n", "")]
    report = _adapted(programs / "scaled" / "pixels.py", *edits)
    result = next(r for r in report.results if r.check == "gradients")
    if not scaled:
        assert result.status == "ok", result.summary
        return
    assert result.status == "wrong" and result.summary == (
        "train_step computes its gradients for the inputs divided by 255, while predict runs "
        "the network on them as they are: it trains a network on other inputs than the one "
        "that predicts"), result.summary
    line = _line_of(programs / "scaled" / "pixels.py", "x = x / 255.0")
    assert result.where == f"train_step (pixels.py:{line})", result.where
    assert "softmax cross-entropy" in result.details[0] and "averaged" in result.details[0]


@pytest.mark.parametrize("bug", [False, True])
def test_one_flat_example_at_a_time_with_weights_in_out(programs, bug):
    """3Blue1Brown-style: x a (784,) vector, W1 (784, 16) used as x @ W1: the adapter's
    layout='vector' reads the weights' orientation from their shapes (it took them as (out,
    in) and refused b2). The network passes; with σ′ left out of the hidden δ, that layer's
    gradients are found wrong and the output layer's right."""
    edits = [("d1 = (W2 @ d2) * a1 * (1 - a1)", "d1 = W2 @ d2")] if bug else []
    report = _adapted(programs / "vector" / "net.py", *edits)
    results = {r.check: r for r in report.results}
    if not bug:
        assert report.ok and results["gradients"].status == "ok", \
            [r.summary for r in report.results]
        return
    bad = [r.name for r in results["gradients"].report.rows if r.ok is False]
    assert results["gradients"].status == "wrong" and sorted(bad) == ["W1", "b1"], bad


@pytest.mark.parametrize("old, new, helper", [
    (None, None, None),
    ("    dZ = dA * s * (1 - s)\n", "    dZ = dA * Z * (1 - Z)\n", "sigmoid_backward"),
    ("    dZ[Z <= 0] = 0\n", "    dZ[Z > 0] = 0\n", "relu_backward")])
def test_the_coursera_assignments_backward_helpers(programs, old, new, helper):
    """Course 1 week 4's shape: relu_backward(dA, cache) and sigmoid_backward(dA, cache), the
    cache holding Z. Right, the program passes; σ′ computed from the Z it is given as if it were
    a (Z·(1 − Z)), or relu's mask inverted, is the helper's own line, not L_model_backward's."""
    path = programs / "coursera_w4" / "dnn_app.py"
    report = _adapted(path, *([(old, new)] if old else []))
    result = next(r for r in report.results if r.check == "gradients")
    if helper is None:
        assert report.ok and result.status == "ok", [r.summary for r in report.results]
        return
    line = _line_of(path, new.strip())
    assert result.status == "wrong" and result.where == f"{helper} (dnn_app.py:{line})", \
        result.where
    assert result.details[0].startswith(f"{helper}(dA, cache) is not dA ⊙ the derivative of "
                                        "the ") and result.details[0].endswith(
        "the cache it is given holds z"), result.details[0]


@pytest.mark.parametrize("bug", [False, True])
def test_a_helper_called_with_its_own_settings_is_not_tried_with_the_defaults(programs, bug):
    """leaky_relu_prime(z, alpha=0.01) called with alpha=0.2 is right as called; tried with
    its default it would not be. With δ1 made from the output instead of δ2, the finding points
    at that δ line (self.db1 = delta1.sum(...) reads it), not at the helper."""
    edits = [("delta1 = (delta2 @ self.W2.T)", "delta1 = (self.probs @ self.W2.T)")] if bug \
        else []
    path = programs / "leaky" / "leaky_mlp.py"
    report = _adapted(path, *edits)
    result = next(r for r in report.results if r.check == "gradients")
    if not bug:
        assert report.ok, [r.summary for r in report.results]
        return
    line = _line_of(path, "delta1 = (self.probs @ self.W2.T)")
    assert result.status == "wrong" and result.where == f"MLP.backward (leaky_mlp.py:{line})", \
        result.where
    assert not any("leaky_relu_prime(" in d for d in result.details), result.details


def test_a_returned_bias_gradient_points_at_the_delta_it_sums(programs):
    """backward returns db2 = dz2.sum(axis=0); with relu′ inverted in dz2, the place is the
    `dz2 = ...` line that db2 sums, not db2's own line."""
    report = _script(programs, ("dz2 = (dz3 @ W3.T) * (z2 > 0)", "dz2 = (dz3 @ W3.T) * (z2 < 0)"))
    result = next(r for r in report.results if r.check == "gradients")
    line = _line_of(programs / "script" / "my_net.py", "dz2 = (dz3 @ W3.T) * (z2 < 0)")
    assert result.status == "wrong" and result.where == f"backward (my_net.py:{line})", \
        result.where


@pytest.mark.parametrize("edit, ok", [
    (("    h = np.tanh(x @ W1 + b1)\n    return",
      "    h = np.tanh(x / 255.0 @ W1 + b1)\n    return"), True),
    (("    x = x / 255.0  # pixels to 0..1\n", "    x = x * 1.0\n    x /= 255.0  # to 0..1\n"),
     False)])
def test_inputs_scaled_in_both_places_are_the_network(programs, edit, ok):
    """predict dividing by 255 as train_step does: the network is read with that scaling, and
    every check passes (the forward check took it for another network, and the gradients check
    for a step that scales alone). An in-place x /= 255.0 in the step alone is named at its
    line."""
    path = programs / "scaled" / "pixels.py"
    report = _adapted(path, edit)
    result = next(r for r in report.results if r.check == "gradients")
    if ok:
        assert report.ok, [r.summary for r in report.results]
        forward = next(r for r in report.results if r.check == "forward")
        assert "divides its inputs by 255 first" in forward.summary + " ".join(forward.details) \
            or any("divides its inputs by 255 first" in n for n in report.notes), forward
        return
    line = _line_of(path, "x /= 255.0")
    assert result.status == "wrong" and result.where == f"train_step (pixels.py:{line})", \
        result.where


def test_weights_drawn_at_import_are_the_same_in_every_check(programs):
    """W1 = np.random.randn(...) at import, with no seed of the learner's: two checks of the
    program report the same figures (the checker seeds before it imports the file)."""
    path = programs / "script" / "my_net.py"
    path.write_text(path.read_text().replace("np.random.seed(1)\n", ""))
    module = importlib.util.spec_from_file_location("script_adapter", path.with_name("adapter.py"))
    adapter = importlib.util.module_from_spec(module)
    module.loader.exec_module(adapter)
    np.random.rand(7)  # the global generator moved on between the two checks
    first = check_program(path, adapter=adapter.adapter)
    np.random.rand(3)
    second = check_program(path, adapter=adapter.adapter)
    assert [r.summary for r in first.results] == [r.summary for r in second.results]


@pytest.mark.parametrize("summed", [True, False])
def test_a_dlfs_loss_summed_over_the_batch_is_its_own_convention(programs, summed):
    """cross_entropy_error and SoftmaxWithLoss.backward without / batch_size, and η scaled
    down to match: the loss is a sum, read from loss(x, t) itself, so its gradients and the
    loop's η·∇ step are right (they were 'm times too large'). The backward alone without
    / batch_size, the loss still a mean, stays a finding."""
    common = programs / "dlfs" / "common"
    layers = common / "layers.py"
    layers.write_text(layers.read_text().replace("return (self.y - self.t) / batch_size",
                                                 "return self.y - self.t"))
    if summed:
        functions = common / "functions.py"
        functions.write_text(functions.read_text().replace(
            "+ 1e-7)) / batch_size", "+ 1e-7))"))
        script = programs / "dlfs" / "ch05" / "train_neuralnet.py"
        script.write_text(script.read_text().replace("learning_rate = 0.1",
                                                     "learning_rate = 0.001"))
    report = check_program(programs / "dlfs" / "ch05" / "two_layer_net.py")
    results = {r.check: r for r in report.results}
    assert (results["gradients"].status == "ok") == summed, results["gradients"].summary
    if summed:
        assert results["update"].status == "ok" and "summed over the batch" in \
            results["update"].summary, results["update"].summary


@pytest.mark.parametrize("factor, says", [
    (None, None),
    ("(1 - eta * (lmbda / len(mini_batch)))", "shrinks by ηλ/m = "),
    ("(1 + eta * (lmbda / n))", "grows by the factor (1 + ηλ/n) each step"),
    ("1", "does not shrink at all")])
def test_network2s_weight_decay_is_checked_with_the_scripts_lambda(programs, factor, says):
    """network2's update_mini_batch(batch, η, λ, n) is stepped with run.py's λ = 5.0 and an n
    that is not the batch's size: (1 − ηλ/n)·w passes; λ divided by the mini-batch, the sign
    flipped, or no decay at all are findings (with λ = 0 in the step all three passed)."""
    path = programs / "network2" / "network2.py"
    if factor:
        path.write_text(path.read_text().replace("(1 - eta * (lmbda / n))", factor))
    result = next(r for r in check_program(programs / "network2" / "run.py").results
                  if r.check == "update")
    if says is None:
        assert result.status == "ok", result.summary
    else:
        assert result.status == "wrong" and result.summary.startswith(
            f"Network.update_mini_batch: self.weights[0] {says}"), result.summary
        line = _line_of(path, "* w - (eta / len(mini_batch)) * nw")  # it decays, not the def
        assert result.where == f"Network.update_mini_batch (network2.py:{line})", result.where


@pytest.mark.parametrize("old, new", [
    ("self.db = np.sum(dout, axis=0)", "self.db = np.sum(dout)"),
    ("self.dW = np.dot(self.x.T, dout)", "self.dW = np.dot(dout.T, self.x)")])
def test_a_dlfs_layers_own_gradient_line_is_where_the_finding_points(programs, old, new):
    """TwoLayerNet.gradient copies each layer's gradient (grads['b2'] = self.layers['Affine2']
    .db); with Affine.backward's self.db summed over everything, or its dW transposed, the place
    is that line of common/layers.py, not the copy in gradient()."""
    layers = programs / "dlfs" / "common" / "layers.py"
    layers.write_text(layers.read_text().replace(old, new))
    result = next(r for r in check_program(programs / "dlfs" / "ch05" / "two_layer_net.py")
                  .results if r.check == "gradients")
    assert result.status == "wrong" and \
        result.where == f"Affine.backward (layers.py:{_line_of(layers, new)})", result.where


def test_reading_how_a_dlfs_loss_reduces_leaves_the_network_as_it_was(programs):
    """gradient() without its own self.loss(x, t) backpropagates from whatever the layers last
    saw: nothing, in the learner's network as the checker builds it (SoftmaxWithLoss.t is None).
    The checker's own look at loss() (sum or mean) runs on a copy, so the finding is that None,
    not a shape mismatch with the checker's four examples."""
    path = programs / "dlfs" / "ch05" / "two_layer_net.py"
    path.write_text(path.read_text().replace("        self.loss(x, t)\n        dout = ",
                                             "        dout = "))
    result = next(r for r in check_program(path).results if r.check == "gradients")
    assert "NoneType" in result.summary and "not aligned" not in result.summary, result.summary


@pytest.mark.parametrize("step", ["size // 2", "size"])
def test_overlapping_batches_from_a_generator_point_at_its_slice(programs, step):
    """train_epoch takes its batches from a generator of its own whose range() steps by half
    a batch: the slices overlap, and the place is the generator's slice, not train_epoch.
    Stepping by the batch size it is fine."""
    report = _script(programs, (
        "def train_epoch(X, Y):\n"
        "    perm = np.random.permutation(X.shape[0])\n"
        "    for i in range(0, X.shape[0], batch_size):\n"
        "        idx = perm[i:i + batch_size]\n"
        "        train_step(X[idx], Y[idx])\n",
        "def batches(X, Y, size):\n"
        "    perm = np.random.permutation(X.shape[0])\n"
        f"    for i in range(0, X.shape[0] - size + 1, {step}):\n"
        "        idx = perm[i:i + size]\n"
        "        yield X[idx], Y[idx]\n\n\n"
        "def train_epoch(X, Y):\n"
        "    for xb, yb in batches(X, Y, batch_size):\n"
        "        train_step(xb, yb)\n"))
    result = next(r for r in report.results if r.check == "minibatches")
    if step == "size":
        assert result.status == "ok", result.summary
        return
    line = _line_of(programs / "script" / "my_net.py", "idx = perm[i:i + size]")
    assert result.status == "wrong" and result.where == f"batches (my_net.py:{line})", \
        result.where


def test_a_backprop_that_redraws_a_weight_points_at_that_line(programs):
    """self.W2 = ... drawn again in backward, after self.dW2 = ...: the finding points at the
    line that sets the weight, not at the one that sets its gradient."""
    path = programs / "leaky" / "leaky_mlp.py"
    report = _adapted(path, ("        self.db2 = delta2.sum(axis=0)\n",
                             "        self.db2 = delta2.sum(axis=0)\n"
                             "        self.W2 = np.random.randn(*self.W2.shape) * 0.05\n"))
    result = next(r for r in report.results if r.check == "gradients")
    line = _line_of(path, "self.W2 = np.random.randn(*self.W2.shape) * 0.05")
    assert result.status == "wrong" and result.where == f"MLP.backward (leaky_mlp.py:{line})", \
        result.where


@pytest.mark.parametrize("edit, wrong", [
    (("        train_step(X[idx], Y[idx])\n", "        train_step(X_train[idx], Y[idx])\n"), True),
    (("        train_step(X[idx], Y[idx])\n",
      "        train_step(X[idx], Y[idx])\n    print(evaluate(X_test, y_test))\n"), False)])
def test_a_global_read_in_place_of_an_argument_and_a_held_out_monitor(programs, edit, wrong):
    """train_epoch(X, Y) that reads the script's X_train instead of its X computes from other
    data than it was given: wrong, use X. One that prints the accuracy on the script's X_test
    reads held-out data on purpose: the check cannot run it (skipped, pass it as an argument),
    and it must not be told to use X, which would score the training data as a test."""
    report = _script(programs, edit)
    result = next(r for r in report.results if r.check == "minibatches")
    if wrong:
        assert result.status == "wrong" and result.summary.startswith(
            "train_epoch is given `X` but reads the global `X_train`"), result.summary
    else:
        assert result.status == "skipped" and "reads the global `X_test`" in result.summary \
            and "use `X`" not in result.summary, result.summary


def test_a_whole_batch_softmax_is_found_when_no_softmax_comes_nearest(programs):
    """Rows, e / e.sum() over the whole batch, weights drawn small (× 0.01): the outputs are so
    small that an identity output comes nearer than any softmax, and the forward finding still
    points at the softmax."""
    report = _script(programs, ("    return e / e.sum(axis=1, keepdims=True)\n",
                                "    return e / e.sum()\n"),
                     ("np.random.randn(784, 64) * 0.05", "np.random.randn(784, 64) * 0.01"),
                     ("np.random.randn(64, 64) * 0.1", "np.random.randn(64, 64) * 0.01"),
                     ("np.random.randn(64, 10) * 0.1", "np.random.randn(64, 10) * 0.01"))
    forward = next(r for r in report.results if r.check == "forward")
    line = _line_of(programs / "script" / "my_net.py", "    return e / e.sum()")
    assert forward.status == "wrong" and forward.where == f"softmax (my_net.py:{line})", \
        forward.where
    assert forward.details[0].startswith("softmax(z) normalizes over the whole batch"), \
        forward.details[0]


@pytest.mark.parametrize("bug", [False, True])
def test_a_softmax_for_one_example_at_a_time_is_not_blamed(programs, bug):
    """After "Make Your Own Neural Network", with a softmax output: e / np.sum(e) is right for
    the one (10, 1) column it is given. With query reading hidden_inputs for hidden_outputs,
    the forward finding stays on query; the softmax is not blamed for it."""
    edits = [("np.dot(self.who, hidden_outputs) + self.bho\n        return",
              "np.dot(self.who, hidden_inputs) + self.bho\n        return")] if bug else []
    path = programs / "rashid" / "nn.py"
    report = _adapted(path, *edits)
    forward = next(r for r in report.results if r.check == "forward")
    if not bug:
        assert report.ok, [r.summary for r in report.results]
        return
    assert forward.status == "wrong" and forward.where.startswith("NeuralNetwork.query"), \
        forward.where
    assert not any(d.startswith(("softmax(", "this may be the forward check's finding again"))
                   for r in report.results for d in r.details), \
        [r.details[:1] for r in report.results]


def test_a_coursera_style_l_layer_network_passes(programs):
    report = _adapted(programs / "coursera" / "deep_nn.py")
    assert report.ok and all(r.status == "ok" for r in report.results), \
        [r.summary for r in report.results]


@pytest.mark.parametrize("edit, wrong, right", [
    (None, None, None),
    (("d0 = (self.W[1].T @ d1)", "d0 = (self.W[2].T @ d1)"), "self.W[2]", "self.W[1]"),
    (("d1 = (self.W[2].T @ d2)", "d1 = (self.W[1].T @ d2)"), "self.W[1]", "self.W[2]"),
])
def test_a_class_with_lists_w_and_b_and_a_forward_is_nielsens_shape(programs, edit, wrong,
                                                                     right):
    """After 3Blue1Brown: self.W and self.b lists, forward for feedforward, a script that builds
    DeepNet() with no sizes. It was "no shape the checker knows" (needing an adapter) and, with
    the sizes network.py takes, failed to build. With BP2 written with another layer's square W
    the finding is at that line, not backprop's def line; the W's own right use, one line away,
    is not blamed (the slip is the later line for a W from above, the earlier for one below)."""
    path = programs / "deeplist" / "deepnet.py"
    if edit:
        path.write_text(path.read_text().replace(*edit))
    report = check_program(path)
    results = {r.check: r for r in report.results}
    assert results["forward"].status == "ok", results["forward"].summary
    if edit is None:
        assert report.ok and all(r.status == "ok" for r in report.results), \
            [r.summary for r in report.results]
        assert any("self.W and self.b for self.weights and self.biases" in n
                   for n in report.notes), report.notes
        return
    gradients = results["gradients"]
    assert gradients.status == "wrong" and f"written with {wrong} where it needs {right}" in \
        gradients.summary, gradients.summary
    assert gradients.where == f"DeepNet.backprop (deepnet.py:{_line_of(path, edit[1])})", \
        gradients.where


def test_a_backprop_returning_weights_first_is_read_in_its_own_order(programs, data):
    """(nabla_w, nabla_b) where network.py returns (nabla_b, nabla_w), as its own update unpacks
    them: read in that order (returned in the other order than the update unpacks, it is a bug
    network.py's planted-bug test keeps)."""
    path = programs / "deeplist" / "deepnet.py"
    path.write_text(path.read_text().replace("return gb, gW", "return gW, gb").replace(
        "gb, gW = self.backprop(x, y)", "gW, gb = self.backprop(x, y)"))
    learner = recognize(load(path), data)
    X, Y = data.train.X[:3], data.train.Y[:3]
    got = learner.grads(X, Y)
    assert {k: v.shape for k, v in got.items()} == {p.name: p.get().shape
                                                    for p in learner.params}


@pytest.mark.parametrize("program", ["mlp.py", "colnet.py"])
def test_a_class_with_numbered_attributes_is_recognized(programs, program):
    """self.W1, self.b1, ... with forward, backward(X, Y), a step(X, Y, lr), accuracy and a
    fit loop, in rows (with predict and loss beside them) and in columns. The rows one was taken
    for the book's TwoLayerNet and failed to build ("no attribute 'params'", blamed on the
    learner); both needed an adapter."""
    report = check_program(programs / "attrnet" / program)
    assert report.ok and all(r.status == "ok" for r in report.results), \
        [r.summary for r in report.results]
    assert any(n.startswith("recognized a network class with numbered parameters") and
               ("(rows)" if program == "mlp.py" else "(columns)") in n for n in report.notes), \
        report.notes


@pytest.mark.parametrize("edit, check, found", [
    (("        self.out = self.softmax(self.z2)\n        return self.out\n",
      "        self.out = self.softmax(self.z2)\n"), "forward", "never returns it"),
    (("dz1 = da1 * (self.z1 > 0)", "dz1 = da1"), "gradients", "MLP.backward"),
    (("for start in range(0, n, batch_size):", "for start in range(0, n, 8):"), "minibatches",
     "overlap"),
])
def test_a_numbered_attributes_class_has_its_bugs_found_at_their_lines(programs, edit, check,
                                                                       found):
    """A forward without return, relu′ left out of the hidden δ, and slices that step by 8
    where each batch holds 64: each at its own line (the overlap at the range that steps by 8,
    not at fit's def line)."""
    path = programs / "attrnet" / "mlp.py"
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(*edit))
    result = next(r for r in check_program(path).results if r.check == check)
    assert result.status == "wrong" and found in result.summary + " ".join(result.details), \
        (result.summary, result.details)
    line = _line_of(path, edit[1].strip().splitlines()[-1])
    assert result.where.endswith(f"(mlp.py:{line})"), result.where


_DEV_LOOP = '''def gradient_descent(X, Y, alpha, iterations, X_dev=None, Y_dev=None):
    W1, b1, W2, b2 = init_params()
    for i in range(iterations):
        Z1, A1, Z2, A2 = forward_prop(W1, b1, W2, b2, X)
        dW1, db1, dW2, db2 = backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y)
        W1, b1, W2, b2 = update_params(W1, b1, W2, b2, dW1, db1, dW2, db2, alpha)
        if X_dev is not None:
            _, _, _, A2_dev = forward_prop(W1, b1, W2, b2, X_dev)
            print("dev acc", get_accuracy(get_predictions(A2_dev), Y_dev))
    return W1, b1, W2, b2
'''
_DEV_ADAPTER = '''from tinygrad_edu.check import Adapter


def adapter(program):
    program.p = p = dict(zip(["W1", "b1", "W2", "b2"], program.init_params()))

    def forward(x):
        return program.forward_prop(*p.values(), x)

    def update(x, y, lr):
        grads = program.backward_prop(*forward(x), p["W1"], p["W2"], x, y)
        p.update(zip(p, program.update_params(*p.values(), *grads, lr)))

    return Adapter(program, params=[f"p['{k}']" for k in p], layout="columns",
                   targets="labels", forward=lambda x: forward(x)[3], update=update, lr=0.1,
                   epoch=lambda x, y: program.gradient_descent(x, y, 0.1, 1, x[:, :50],
                                                               y[:50]),
                   epoch_calls="update_params",
                   evaluate=lambda x, labels: program.get_accuracy(
                       program.get_predictions(forward(x)[3]), labels))
'''


@pytest.mark.parametrize("scored, ok", [("X_dev", True), ("X", False)])
def test_a_dev_figure_through_weights_trained_in_the_loop_is_not_on_the_training_data(
        programs, scored, ok):
    """A functional loop whose weights are local names (W1, b1, ... = update_params(W1, ...))
    scores `forward_prop(W1, b1, W2, b2, X_dev)` under "dev acc": the weights are made of X
    through their gradients, and that read was "the held-out figure it shows is on X" (a
    false alarm). Scoring X itself there still is."""
    path = programs / "functional" / "simple_nn.py"
    text = path.read_text()
    start, end = text.index("def gradient_descent"), text.index("X_train = data")
    loop = _DEV_LOOP.replace("W2, b2, X_dev)", f"W2, b2, {scored})")
    path.write_text(text[:start] + loop + "\n\n" + text[end:])
    path.with_name("adapter.py").write_text(_DEV_ADAPTER)
    evaluation = next(r for r in _adapted(path).results if r.check == "evaluation")
    if ok:
        assert evaluation.status == "ok", evaluation.summary
        return
    assert evaluation.status == "wrong" and "examples it trains on" in evaluation.summary, \
        evaluation.summary


@pytest.mark.parametrize("edit", [
    ("(np.sqrt(self.v[key]) + 1e-7)", "(np.sqrt(self.m[key]) + 1e-7)"),
    ("(grads[key] ** 2 - self.v[key])", "(grads[key] - self.v[key])"),
])
def test_an_adam_step_that_makes_nan_names_its_square_root(programs, edit):
    """√m̂ for √v̂, or a v that sums g instead of g²: the root of a negative number makes the
    parameters nan in one step. It read "the step is nan× η·∇C: the learning rate is scaled by
    nan somewhere", at the line before; now it says what the root must be of, at its line."""
    report = _optimizer_net(programs, edit=edit)
    update = next(r for r in report.results if r.check == "update")
    assert update.status == "wrong" and "nan or ∞ (not a number)" in update.summary and \
        "running mean of g²" in update.summary, update.summary
    line = _line_of(programs / "dlfs" / "common" / "optimizer.py", "np.sqrt(self.")
    assert update.where == f"Adam.update (optimizer.py:{line})", update.where


def test_a_params_dict_class_with_forward_and_gradients_is_the_books_shape(programs):
    """A TwoLayerNet-shaped class (self.params, loss, accuracy) whose predict is called forward
    and whose gradient is gradients, trained through an optimizer object: it was "no shape the
    checker knows"; the optimizer's step and the script's loop called net.gradient."""
    path = programs / "dlfs" / "ch06" / "optimizer_net.py"
    text = path.read_text()
    for old, new in [("def predict(", "def forward("), ("self.predict(", "self.forward("),
                     ("def gradient(", "def gradients("), ("network.gradient(",
                                                           "network.gradients(")]:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text)
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results), \
        [r.summary for r in report.results]


def test_a_decay_counter_in_the_update_loop_is_named_at_its_line(programs):
    """network.py stepping layer by layer with a learning rate decayed by a counter it advances
    inside that loop: once per layer, not per batch. The counter's line, not the step's."""
    old = ("        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in "
           "zip(self.weights, nabla_w)]\n        self.biases = [b - (eta / len(mini_batch)) * "
           "nb for b, nb in zip(self.biases, nabla_b)]\n")
    new = ("        for i in range(len(self.weights)):\n"
           "            self.steps += 1\n"
           "            lr = eta / (1.0 + 0.001 * self.steps)\n"
           "            self.weights[i] = self.weights[i] - (lr / len(mini_batch)) * nabla_w[i]\n"
           "            self.biases[i] = self.biases[i] - (lr / len(mini_batch)) * nabla_b[i]\n")
    path = _variant(programs, old, new)
    sizes = "        self.sizes = sizes\n"
    path.write_text(path.read_text().replace(sizes, sizes + "        self.steps = 0\n"))
    update = check_program(path, checks=["update"]).results[0]
    assert update.status == "wrong" and "once per layer" in update.summary, update.summary
    assert update.where == f"Network.update_mini_batch (network.py:"\
                           f"{_line_of(path, 'self.steps += 1')})", update.where


def test_cached_activations_read_by_a_method_the_evaluation_calls_are_named_there(programs):
    """evaluate calls self.predict(x), which returns np.argmax(self.output) cached by the last
    feedforward: the line in predict, not evaluate's."""
    path = _variant(programs, "            a = sigmoid(np.dot(w, a) + b)\n        return a\n",
                    "            a = sigmoid(np.dot(w, a) + b)\n        self.output = a\n"
                    "        return a\n\n    def predict(self, x):\n"
                    "        return np.argmax(self.output)\n")
    path.write_text(path.read_text().replace("(np.argmax(self.feedforward(x)), y)",
                                             "(self.predict(x), y)"))
    evaluation = check_program(path, checks=["evaluation"]).results[0]
    assert evaluation.status == "wrong" and "(self.output)" in evaluation.summary, \
        evaluation.summary
    assert evaluation.where == f"Network.predict (network.py:" \
                               f"{_line_of(path, 'return np.argmax(self.output)')})", \
        evaluation.where


@pytest.mark.parametrize("program", ["functional/simple_nn.py", "coursera/deep_nn.py",
                                     "coursera_w4/dnn_app.py", "funcmom/train.py"])
def test_a_program_of_functions_is_recognized_without_an_adapter(programs, program):
    """init_params / forward_prop / backward_prop / update_params (the video tutorial, here
    with momentum whose velocities come from an init_velocity() whose results only the
    training function names) and Coursera's parameters dict (initialize_parameters_deep(
    layers_dims), the sizes from the script's own call; a script loop with no training
    function): each function called with what its arguments are named for. They needed an
    adapter."""
    report = check_program(programs / program)
    assert report.ok, [f"{r.check}: {r.summary}" for r in report.wrong]
    assert any(n.startswith("recognized a program of functions") for n in report.notes), \
        report.notes
    ran = {r.check for r in report.results if r.status == "ok"}
    assert {"forward", "gradients", "update", "learning"} <= ran, ran
    if program != "coursera_w4/dnn_app.py":  # its loop is the script's: nothing to run
        assert {"minibatches", "evaluation"} <= ran, ran


_LEARNERS = Path(__file__).with_name("learners")


@pytest.mark.parametrize("program", [
    "functional/mnist_nn_scalar_db.py", "functional/mnist_nn_train_labels.py",
    "coursera/dnn_app_dZL_sign.py", "coursera/dnn_app_return_in_loop.py",
    "coursera/dnn_app_overlapping_batches.py"])
def test_a_program_of_functions_gets_the_findings_its_adapter_gets(program):
    """The seeds' functional and Coursera programs, checked as they are, say what they say with
    their hand-written adapters: each check that runs both ways has the same verdict, at the
    same place (the one a finding points at)."""
    import importlib.util

    path = _LEARNERS / program
    spec = importlib.util.spec_from_file_location(f"adapter_{path.stem}",
                                                  path.with_name("adapter.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plain = {r.check: r for r in check_program(path).results}
    adapted = {r.check: r for r in check_program(path, adapter=module.adapter).results}
    both = [c for c in plain if c in adapted and "skipped" not in
            (plain[c].status, adapted[c].status)]
    assert {"forward", "gradients", "update"} <= set(both), both
    assert [(c, plain[c].status, plain[c].where if plain[c].status == "wrong" else None)
            for c in both] == [(c, adapted[c].status, adapted[c].where if adapted[c].status ==
                                "wrong" else None) for c in both]
    assert any(r.status == "wrong" for r in plain.values())


def test_a_cost_function_without_its_minus_is_named(programs):
    """compute_cost returning Σ y·ln a / m, without the minus: the cost it prints is negative
    and rises as the network learns, which reads as "not learning". The forward check names it
    at its line (the forward pass itself is right); with the minus it passes (the test above)."""
    path = programs / "coursera" / "deep_nn.py"
    text = path.read_text()
    old = "return -np.sum(Y * np.log(AL + 1e-12)) / m"
    assert old in text
    path.write_text(text.replace(old, old.replace("-np.sum", "np.sum")))
    forward = check_program(path, checks=["forward"]).results[0]
    assert forward.status == "wrong" and "returns minus the cross-entropy" in forward.summary, \
        forward.summary
    assert forward.where == f"compute_cost (deep_nn.py:{_line_of(path, 'np.sum(Y * np.log')})", \
        forward.where


def test_a_misspelt_call_in_the_epoch_loop_is_run_and_named(programs):
    """fit's loop calls self.update_minibatch, which the class lacks: fit was not taken for the
    epoch loop (the minibatch check skipped, the program passing); run, it fails at that line,
    and the finding says which name was meant."""
    path = _renamed(programs, "fit")
    path.write_text(path.read_text().replace("self.update_mini_batch(mini_batch, eta)",
                                             "self.update_minibatch(mini_batch, eta)"))
    result = check_program(path, checks=["minibatches"]).results[0]
    assert result.status == "error" and "'update_minibatch'" in result.summary, result.summary
    assert result.where == f"Network.fit (network.py:{_line_of(path, 'update_minibatch(')})"
    assert any("did you mean update_mini_batch?" in d for d in result.details), result.details


def test_a_numbered_attributes_class_without_the_1_over_m_is_named(programs):
    """mlp.py's loss is a mean (its own loss(X, Y) tells, read on 7 examples against 3 and 4),
    so a backward without the / m is m times too large, not the gradient of a summed cost."""
    path = programs / "attrnet" / "mlp.py"
    text = path.read_text()
    assert "dz2 = (self.out - Y) / m" in text
    path.write_text(text.replace("dz2 = (self.out - Y) / m", "dz2 = self.out - Y"))
    gradients = next(r for r in check_program(path).results if r.check == "gradients")
    assert gradients.status == "wrong" and "times too large" in gradients.summary, \
        gradients.summary


def test_an_accuracy_that_takes_the_argmax_of_its_targets_is_given_one_hot_ones(programs):
    """accuracy(X, Y) with np.argmax(Y, axis=0): one-hot columns, as the learner's script gives
    it. Handed the digits, it compared every prediction with one class (a false alarm)."""
    path = programs / "attrnet" / "colnet.py"
    text = path.read_text()
    old = "    def accuracy(self, X, y):\n        return np.mean(np.argmax(self.forward(X), " \
          "axis=0) == y)"
    assert old in text
    path.write_text(text.replace(old, "    def accuracy(self, X, Y):\n        return np.mean("
                                 "np.argmax(self.forward(X), axis=0) == np.argmax(Y, axis=0))")
                    .replace("self.accuracy(X, y)", "self.accuracy(X, Y)"))
    report = check_program(path)
    assert report.ok, [f"{r.check}: {r.summary}" for r in report.wrong]


@pytest.mark.parametrize("scored", ["X_test, labels_test", "X, Y.argmax(axis=0)"])
def test_a_training_function_given_test_data_is_run_and_read(programs, scored):
    """model(X, Y, X_test, labels_test, ...) that prints a training accuracy each epoch: its
    held-out arguments, with no defaults, blocked the epoch (given the training data now), and
    a forward pass to print an accuracy is no training batch (it read as batches that overlap).
    A `test_acc` of the training data is named at its own line, not the training figure's."""
    path = programs / "coursera" / "deep_nn.py"
    text = path.read_text()
    old = "def model(X, Y, layers_dims,"
    assert old in text
    text = text.replace(old, "def model(X, Y, X_test, labels_test, layers_dims,").replace(
        '            print("Cost after epoch %i: %f" % (i, cost_total))\n',
        '            print("Cost after epoch %i: %f" % (i, cost_total))\n'
        '        train_acc = predict(X, Y.argmax(axis=0), parameters)\n'
        f'        test_acc = predict({scored}, parameters)\n'
        '        print("train", train_acc, "test", test_acc)\n')
    path.write_text(text.replace("model(train_x, train_y, [784",
                                 "model(train_x, train_y, test_x, test_labels, [784"))
    results = {r.check: r for r in check_program(path).results}
    assert results["minibatches"].status == "ok", results["minibatches"].summary
    if scored.startswith("X_test"):
        assert results["evaluation"].status == "ok", results["evaluation"].summary
        return
    evaluation = results["evaluation"]
    assert evaluation.status == "wrong" and "never scores it" in evaluation.summary, \
        evaluation.summary
    assert evaluation.where == f"model (deep_nn.py:{_line_of(path, 'test_acc = predict(')})"


def test_a_bias_stepped_up_the_gradient_beside_momentum_is_named(programs):
    """Momentum written as Coursera's, v = βv + (1 − β)·g, whose first step is 0.1·η·∇C, beside
    a bias velocity with its sign flipped: the bias moves by −0.1·η·∇C where the others move
    by 0.1·η·∇C. It read "the learning rate is scaled by -0.1 somewhere"."""
    path = programs / "funcmom" / "train.py"
    text = path.read_text()
    for k in ("W1", "b1", "W2", "b2"):
        old = f"v{k} = beta * v{k} - alpha * d{k}"
        assert old in text
        sign = "+" if k == "b1" else "-"
        text = text.replace(old, f"v{k} = beta * v{k} {sign} (1 - beta) * alpha * d{k}")
    call = "train(X_train, Y_train, 0.1, 0.9, 10, 64)"  # η = 0.05: not 1 − β, read as η twice
    assert call in text
    path.write_text(text.replace(call, call.replace("0.1,", "0.05,")))
    update = next(r for r in check_program(path).results if r.check == "update")
    assert update.status == "wrong" and "b1: the sign is flipped: they move by -0.1·η·∇C" in \
        update.summary, update.summary


def test_a_program_of_functions_with_dropout_pairs_its_own_passes(programs):
    """Coursera's dropout week on MNIST: forward_propagation_with_dropout and its backward in
    the training loop, forward_propagation without dropout after it to print the cost, a
    backward that returns `gradients` which the loop calls `grads`, and layers_dims set inside
    model() from X.shape[0]. It was refused (the sizes), then paired the passes wrongly (the
    forward without dropout with the backward that unpacks the dropout's cache); the forward
    check is shown the pass without dropout, and the gradients, which draw, are skipped."""
    report = check_program(programs / "funcdrop" / "dropout_nn.py")
    results = {r.check: r for r in report.results}
    assert report.ok, [f"{r.check}: {r.summary}" for r in report.wrong]
    assert results["forward"].summary.startswith("forward_propagation returns"), \
        results["forward"].summary
    assert results["gradients"].status == "skipped" and "draw random numbers" in \
        results["gradients"].summary
    assert {"update", "minibatches", "learning"} <= {c for c, r in results.items()
                                                      if r.status == "ok"}


def test_a_step_that_draws_is_told_apart_from_one_that_does_not(programs):
    """The learning check's test for dropout in a step: a slower fall than plain SGD's is then
    expected, not 'works against its own gradient'."""
    from tinygrad_edu.check import learning

    data = make_data(784, train_size=40, test_size=30)
    for program, draws in (("funcdrop/dropout_nn.py", True), ("coursera/deep_nn.py", False)):
        learner = recognize(load(programs / program), data)
        sub = data.train.take(slice(0, 20))
        assert learning._draws(learner, sub, 10, 0.1, learner.snapshot()) is draws, program


@pytest.mark.parametrize("update_too", [True, False])
def test_a_flipped_output_delta_added_by_the_update_is_two_signs_that_cancel(programs,
                                                                             update_too):
    """dZ = Y - AL with `parameters[...] += learning_rate * grads[...]`: every step is right, so
    the gradients check says the signs cancel instead of a ✗ (the program learns); with the
    update's minus kept, the flipped δ is the finding it was."""
    path = programs / "coursera" / "deep_nn.py"
    text = path.read_text().replace("    dZ = AL - Y\n", "    dZ = Y - AL\n")
    if update_too:
        text = text.replace("] -= learning_rate * grads[", "] += learning_rate * grads[")
    path.write_text(text)
    report = check_program(path)
    gradients = next(r for r in report.results if r.check == "gradients")
    if update_too:
        assert report.ok and gradients.status == "ok" and "the two signs cancel" in \
            gradients.summary, gradients.summary
        return
    assert gradients.status == "wrong" and "exactly -1× autograd's" in gradients.summary


def test_a_one_hot_helper_that_shifts_the_labels_is_named(programs):
    """one_hot(Y) putting each 1 at Y - 1: the output layer's gradients are wrong because the
    targets are; the place is the line that sets the 1, not backward_prop's δ line."""
    path = programs / "functional" / "simple_nn.py"
    text = path.read_text()
    old = "one_hot_Y[np.arange(Y.size), Y] = 1"
    assert old in text
    path.write_text(text.replace(old, "one_hot_Y[np.arange(Y.size), Y - 1] = 1"))
    gradients = next(r for r in check_program(path).results if r.check == "gradients")
    assert gradients.status == "wrong", gradients.summary
    assert gradients.where == f"one_hot (simple_nn.py:{_line_of(path, 'Y - 1] = 1')})", \
        gradients.where
    assert gradients.details[0].startswith("one_hot(Y) does not put each example's 1 at its "
                                           "label: for label 3 it puts it at 2"), \
        gradients.details[0]


def test_a_softmax_that_returns_its_cache_too_is_tried(programs):
    """Coursera's softmax(Z) returns (A, cache): one over the wrong axis was not tried (the
    pair is not an array), so the forward finding stayed on L_model_forward's def line."""
    path = programs / "coursera" / "deep_nn.py"
    text = path.read_text()
    for old, new in [("    return T / np.sum(T, axis=0, keepdims=True)\n",
                      "    return T / np.sum(T, axis=1, keepdims=True), Z\n"),
                     ("    AL = softmax(ZL)\n", "    AL, _ = softmax(ZL)\n")]:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    forward = check_program(path, checks=["forward"]).results[0]
    assert forward.status == "wrong" and forward.where.startswith("softmax (deep_nn.py:"), \
        forward.where
    assert "normalizes over the examples (axis=1)" in forward.details[0], forward.details[0]


def test_a_learning_rate_decayed_at_every_call_is_named(programs):
    """An optimizer that multiplies its η by 0.95 at every update: fine per epoch, gone within
    the first epoch per batch. A second call on the same batch from the same weights moves
    them 0.95× as far; the line that decays is the place. (The checker no longer resets the
    optimizer's own η before each call, which hid the decay.)"""
    edit = ("            params[key] -= self.lr * grads[key]\n",
            "            params[key] -= self.lr * grads[key]\n        self.lr *= 0.95\n")
    report = _optimizer_net(programs, "SGD(lr=0.05)", edit=edit)
    update = next(r for r in report.results if r.check == "update")
    assert update.status == "wrong" and "0.95× as far the second time and 0.9025× the third" in \
        update.summary, update.summary
    line = _line_of(programs / "dlfs" / "common" / "optimizer.py", "self.lr *= 0.95")
    assert update.where == f"SGD.update (optimizer.py:{line})", update.where


def test_a_learning_rate_decayed_per_example_is_named(programs):
    """network.py with η / (1 + 0.05·t), t advanced for every example of the mini-batch: η
    falls a fifth at every call. The counter's line is the place."""
    path = _variant(programs, "            delta_nabla_b, delta_nabla_w = self.backprop(x, y)\n",
                    "            delta_nabla_b, delta_nabla_w = self.backprop(x, y)\n"
                    "            self.t += 1\n")
    sizes = "        self.sizes = sizes\n"
    text = path.read_text().replace(sizes, sizes + "        self.t = 0\n")
    path.write_text(text.replace("(eta / len(mini_batch))",
                                 "(eta / (1 + 0.05 * self.t) / len(mini_batch))"))
    update = check_program(path, checks=["update"]).results[0]
    assert update.status == "wrong" and "at every call" in update.summary, update.summary
    assert update.where == f"Network.update_mini_batch (network.py:{_line_of(path, 'self.t += 1')})"


def test_a_slice_that_multiplies_a_stepped_index_again_is_named(programs):
    """start already steps by batch_size (range(0, n, batch_size)) and the slice multiplies it
    again: 1 batch in every 64 trained. The slice's line, not fit's def line, with why."""
    path = programs / "attrnet" / "mlp.py"
    text = path.read_text()
    old = "batch = order[start:start + batch_size]"
    assert old in text
    path.write_text(text.replace(old, "batch = order[start * batch_size:(start + 1) * batch_size]"))
    result = check_program(path, checks=["minibatches"]).results[0]
    assert result.status == "wrong" and "trains on only" in result.summary, result.summary
    assert result.where == f"MLP.fit (mlp.py:{_line_of(path, 'order[start * batch_size')})", \
        result.where
    assert "start already steps by the batch size" in result.details[0], result.details[0]


def test_a_velocity_that_keeps_every_gradient_is_named(programs):
    """Momentum without its μ, v = v − η·g: the first step is plain SGD's, so it passed; the
    same batch from the same weights then moves them exactly 2× and 3× as far. The velocity's
    line is the place. With μ = 0.9 (the program as it is) it passes: test above."""
    path = programs / "funcmom" / "train.py"
    text = path.read_text()
    for k in ("W1", "b1", "W2", "b2"):
        old = f"v{k} = beta * v{k} - alpha * d{k}"
        assert old in text
        text = text.replace(old, f"v{k} = v{k} - alpha * d{k}")
    path.write_text(text)
    update = next(r for r in check_program(path).results if r.check == "update")
    assert update.status == "wrong" and "exactly 2× as far the second time and 3× the third" in \
        update.summary, update.summary
    assert update.where == f"update_params (train.py:{_line_of(path, 'vW1 = vW1 - alpha')})", \
        update.where


def test_a_class_whose_update_applies_the_gradients_it_kept_is_stepped(programs):
    """self.backward(X, Y) keeps self.dW1, ...; self.update() steps by them and self.learning_rate
    (settler/net.py): the two are the update step, fit is the epoch loop, and every check runs
    and passes; update(self, lr) is read the same way; a `return` after the first layer leaves
    the others unmoved, said at the update."""
    path = programs / "settler" / "net.py"
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results), str(report)
    assert "update() steps the parameters by the gradients backward keeps" in str(report)
    assert "η = 0.5: self.learning_rate as your script builds Net" in report.notes
    text = path.read_text()
    path.write_text(text.replace("def update(self):", "def update(self, lr):")
                    .replace("self.learning_rate * self.d", "lr * self.d")
                    .replace("self.update()", "self.update(self.learning_rate)"))
    report = check_program(path)
    assert report.ok and "update(lr) steps the parameters" in str(report), str(report)
    path.write_text(text.replace("        self.b1 -= self.learning_rate * self.db1\n",
                                 "        return\n"))
    update = next(r for r in check_program(path).results if r.check == "update")
    assert update.status == "wrong" and "never updates self.b1, self.W2, self.b2" in \
        update.summary, update.summary


def test_a_class_whose_update_applies_a_gradients_dict_is_stepped(programs):
    """grads = self.backward(xb, yb); self.update(grads, lr) (applier/net.py, its cost np.mean
    over every entry): the two are the update step, train is the epoch loop, and every check
    but the evaluation (it has none) runs on it and passes; a W2 stepped up its gradient is the
    update check's finding, at that line."""
    path = programs / "applier" / "net.py"
    report = check_program(path)
    ran = {r.check: r.status for r in report.results}
    assert ran["update"] == ran["minibatches"] == ran["learning"] == "ok", str(report)
    assert "update(grads, lr) applies what backward returns" in str(report)
    text = path.read_text()
    assert 'self.W2 -= lr * grads["W2"]' in text
    path.write_text(text.replace('self.W2 -= lr * grads["W2"]', 'self.W2 += lr * grads["W2"]'))
    update = next(r for r in check_program(path).results if r.check == "update")
    assert update.status == "wrong" and "W2" in update.summary and "sign is flipped" in \
        update.summary, update.summary
    assert update.where == f"NeuralNetwork.update (net.py:{_line_of(path, 'self.W2 += lr')})", \
        update.where


def test_nielsen_rewritten_to_take_a_whole_mini_batch_at_once(programs):
    """The book's exercise, network.py fully matrix-based: rows (m, 784), weights (n_in, n_out),
    biases (1, n_out), backprop(x, y) summing over the batch, update_mini_batch(x_batch,
    y_batch, eta), SGD((X, Y), ...) and evaluate((X, y)). Every check runs and passes; a hidden
    layer's δ without its σ′ is found at its line."""
    path = programs / "nielsen_matrix" / "network.py"
    report = check_program(path)
    assert report.ok and all(r.status == "ok" for r in report.results), str(report)
    assert any(n.startswith("recognized Nielsen's Network taking a whole mini-batch at once "
                            "(rows)") for n in report.notes), report.notes
    old = "            delta = np.dot(delta, self.weights[-l + 1].T) * sp\n"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, old.replace(" * sp", "")))
    gradients = next(r for r in check_program(path).results if r.check == "gradients")
    assert gradients.status == "wrong" and "the layer above agrees" in gradients.summary
    assert gradients.where == f"Network.backprop (network.py:{_line_of(path, old.strip()[:30])})"
