"""check_program on classes that train in place, one example at a time, with no adapter:
Make Your Own Neural Network's neuralNetwork (tests/learners/rashid, in tests/test_check_corpus.py
with seed 003's Net), and here a port of the Coding Train's toy network (tests/check_programs/
toynn: weights_ih, bias_h, ..., stepped by deltas scaled by self.learning_rate) and the book's
class with biases and a softmax (tests/check_programs/rashid)."""

import shutil
from pathlib import Path

import pytest

from tinygrad_edu.check import check_program
from tinygrad_edu.check.source import load

PROGRAMS = Path(__file__).with_name("check_programs")

# the Coding Train's own rule: the hidden error is the output error sent back through the
# output weights, without the output sigmoid's slope (as in Make Your Own Neural Network)
BOOK_RULE = ("hidden_errors = self.weights_ho.T @ (output_errors * dsigmoid(outputs))",
             "hidden_errors = self.weights_ho.T @ output_errors")
# the output layer stepped before the hidden error is computed through its weights
STEPPED_FIRST = ("""        hidden_errors = self.weights_ho.T @ (output_errors * dsigmoid(outputs))
        hidden_gradient = dsigmoid(hidden) * hidden_errors * self.learning_rate

        # adjust the weights and biases by their deltas
        weight_ho_deltas = gradients @ hidden.T
        self.weights_ho += weight_ho_deltas
        self.bias_o += gradients
""", """        weight_ho_deltas = gradients @ hidden.T
        self.weights_ho += weight_ho_deltas
        self.bias_o += gradients

        hidden_errors = self.weights_ho.T @ (output_errors * dsigmoid(outputs))
        hidden_gradient = dsigmoid(hidden) * hidden_errors * self.learning_rate
""")


def _toy(tmp_path, *edits):
    """The toy network's folder copied, with edits (old, new) made to toy_nn.py."""
    folder = tmp_path / "toynn"
    shutil.copytree(PROGRAMS / "toynn", folder)
    path = folder / "toy_nn.py"
    text = path.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    return path


def _by_check(report):
    return {r.check: r for r in report.results}


def _line(where):
    file, _, line = where.rpartition("(")[2].rstrip(")").partition(":")
    return int(line)


def _text_at(path, where):
    return path.read_text().splitlines()[_line(where) - 1].strip()


def test_the_toy_network_is_recognized_and_passes(tmp_path):
    report = check_program(_toy(tmp_path))
    assert report.ok, [r.summary for r in report.wrong]
    by = _by_check(report)
    assert {"forward", "gradients", "update", "learning", "book"} <= \
        {c for c, r in by.items() if r.status == "ok"}
    assert by["gradients"].summary.startswith("NeuralNetwork.train's gradients agree")
    note = next(n for n in report.notes if n.startswith("recognized a class that trains"))
    assert "self.weights_ih, self.bias_h, self.weights_ho, self.bias_o by " \
           "self.learning_rate" in note and "predict is its forward pass" in note


def test_the_coding_trains_hidden_error_is_the_books_rule(tmp_path):
    path = _toy(tmp_path, BOOK_RULE)
    by = _by_check(check_program(path))
    assert by["book"].status == "wrong" and "self.weights_ho.T @ (t − o)" in by["book"].summary
    assert _text_at(path, by["book"].where) == BOOK_RULE[1]
    assert by["gradients"].status == "wrong" and "self.weights_ih" in " ".join(
        [by["gradients"].summary, *by["gradients"].details])


def test_a_weight_stepped_before_the_error_below_reads_it(tmp_path):
    """The output weights moved, then used for the hidden error: the update check names the
    weight, both lines, and sits at the line that reads it; the gradients check (read from
    the same update) says it is that finding."""
    path = _toy(tmp_path, STEPPED_FIRST)
    by = _by_check(check_program(path))
    update = by["update"]
    assert update.status == "wrong", update.summary
    assert update.summary.startswith("NeuralNetwork.train steps self.weights_ho (line ")
    assert "self.weights_ih, self.bias_h" in update.summary
    assert _text_at(path, update.where).startswith("hidden_errors = self.weights_ho.T")
    gradients = by["gradients"]
    assert gradients.status == "wrong" and gradients.where == update.where
    assert gradients.details[0].startswith("this is the update check's finding")


def test_the_books_class_with_biases_and_a_softmax_needs_no_adapter(tmp_path):
    folder = tmp_path / "rashid"
    shutil.copytree(PROGRAMS / "rashid", folder)
    (folder / "adapter.py").unlink()  # the adapter it used to need
    report = check_program(folder / "nn.py")
    assert report.ok, [r.summary for r in report.wrong]
    assert "softmax output" in _by_check(report)["forward"].summary


@pytest.mark.parametrize("extra", [False, True])
def test_arguments_are_filled_in_as_the_class_passes_them(tmp_path, extra):
    """forward(X, y, activate) and backward(y, activate), as seed 003 writes them: the
    activation is what the class's own loop passes (a function of the module), y the targets.
    An argument the checker cannot fill in is said by name."""
    source = (PROGRAMS / "toynn" / "toy_nn.py").read_text()
    source = source.replace("    def predict(self, input_array):",
                            "    def predict(self, input_array, scale):" if extra else
                            "    def predict(self, input_array, squash):")
    source = source.replace("        hidden = sigmoid(self.weights_ih @ inputs + self.bias_h)\n"
                            "        output = sigmoid(",
                            "        hidden = squash(self.weights_ih @ inputs + self.bias_h)\n"
                            "        output = squash(" if not extra else
                            "        hidden = sigmoid(self.weights_ih @ inputs + self.bias_h)\n"
                            "        output = sigmoid(", 1)
    source = source.replace("nn.predict(p)", "nn.predict(p, sigmoid)" if not extra else
                            "nn.predict(p, 1.0)")
    source = source.replace("    def train(self, input_array, target_array):",
                            "    def check(self, x):\n        return self.predict(x, sigmoid)\n\n"
                            "    def train(self, input_array, target_array):" if not extra else
                            "    def check(self, x, k):\n        return self.predict(x, k)\n\n"
                            "    def train(self, input_array, target_array):")
    folder = tmp_path / "toynn"
    folder.mkdir()
    (folder / "toy_nn.py").write_text(source)
    report = check_program(folder / "toy_nn.py")
    if not extra:
        assert report.ok, [r.summary for r in report.wrong]
        return
    assert report.results[0].check == "load"
    assert "NeuralNetwork.predict takes 'scale'" in report.results[0].summary


def test_weights_that_do_not_chain_are_named(tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "odd.py").write_text(
        "import numpy as np\n\n\nclass Net:\n    def __init__(self):\n"
        "        self.w_a = np.zeros((5, 784))\n        self.w_b = np.zeros((10, 6))\n"
        "        self.lr = 0.1\n\n    def query(self, x):\n"
        "        return self.w_b @ (self.w_a @ x)\n\n    def train(self, x, y):\n"
        "        self.w_a -= self.lr * np.ones((5, 784))\n"
        "        self.w_b -= self.lr * np.ones((10, 6))\n")
    report = check_program(folder / "odd.py")
    assert report.results[0].check == "load"
    assert "Net.train steps self.w_a (5, 784), self.w_b (10, 6), which do not chain" in \
        report.results[0].summary
    assert load(folder / "odd.py").Net  # the file itself loads: only its shape is unknown


# ----- a class of numbered attributes whose backward(X, y) steps them itself -------------------

SELF_STEP = PROGRAMS / "selfstep" / "nn.py"
W2_FIRST = ("""        dz1 = dz2 @ self.W2.T * self.a1 * (1 - self.a1)
        dW1 = X.T @ dz1 / m
        db1 = np.sum(dz1, axis=0, keepdims=True) / m
        self.W2 -= self.lr * dW2
        self.b2 -= self.lr * db2
""", """        self.W2 -= self.lr * dW2
        self.b2 -= self.lr * db2
        dz1 = dz2 @ self.W2.T * self.a1 * (1 - self.a1)
        dW1 = X.T @ dz1 / m
        db1 = np.sum(dz1, axis=0, keepdims=True) / m
""")
NO_FORWARD = ("""                self.forward(xb)
                self.backward(xb, yb)""", """                self.backward(xb, yb)""")
LR_ARGUMENT = [("def backward(self, X, y):", "def backward(self, X, y, learning_rate):"),
               ("self.W2 -= self.lr * dW2", "self.W2 -= learning_rate * dW2"),
               ("self.b2 -= self.lr * db2", "self.b2 -= learning_rate * db2"),
               ("self.W1 -= self.lr * dW1", "self.W1 -= learning_rate * dW1"),
               ("self.b1 -= self.lr * db1", "self.b1 -= learning_rate * db1"),
               ("self.backward(xb, yb)", "self.backward(xb, yb, self.lr)")]


def _self_step(tmp_path, *edits):
    folder = tmp_path / "selfstep"
    folder.mkdir()
    text = SELF_STEP.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    (folder / "nn.py").write_text(text)
    return folder / "nn.py"


# backward(X, y, output, learning_rate), given what the forward pass returned, as the loop does
LOOP_CALL = [("def backward(self, X, y):", "def backward(self, X, y, output, learning_rate):"),
             ("dz2 = self.a2 - y", "dz2 = output - y"),
             *LR_ARGUMENT[1:5],
             ("""                self.forward(xb)
                self.backward(xb, yb)""", """                output = self.forward(xb)
                self.backward(xb, yb, output, self.lr)""")]


@pytest.mark.parametrize("edits", [[], LR_ARGUMENT, LOOP_CALL],
                         ids=["self.lr", "lr argument", "as the loop calls it"])
def test_a_backward_that_steps_the_weights_is_the_update(tmp_path, edits):
    """It was read as a gradient method, and called wrong for changing the weights it
    differentiates. It is the update step, run after the forward pass the loop runs first, with
    η the self.lr the script builds the object with (passed to it, or read by it)."""
    report = check_program(_self_step(tmp_path, *edits))
    assert report.ok, [r.summary for r in report.wrong]
    by = _by_check(report)
    assert by["update"].summary.startswith("one call of NeuralNetwork.backward with η = 0.5 ")
    assert by["minibatches"].status == "ok" and "938 batches of 64" in by["minibatches"].summary
    assert "softmax cross-entropy" in by["book"].summary
    assert "η = 0.5: self.lr as your script builds NeuralNetwork" in report.notes


def test_a_weight_stepped_before_the_layer_below_reads_it(tmp_path):
    path = _self_step(tmp_path, W2_FIRST)
    update = _by_check(check_program(path))["update"]
    assert update.status == "wrong" and "steps self.W2 (line " in update.summary
    assert _text_at(path, update.where) == "dz1 = dz2 @ self.W2.T * self.a1 * (1 - self.a1)"


def test_a_loop_that_steps_without_a_forward_pass_uses_stale_activations(tmp_path):
    """Its loop calls backward alone: the checker calls it alone too, and the step follows
    what the forward pass before it left (the gradients read from it are not held against it)."""
    by = _by_check(check_program(_self_step(tmp_path, NO_FORWARD)))
    assert by["update"].status == "wrong", by["update"].summary
    assert "uses stale activations" in by["update"].summary


@pytest.mark.parametrize("bug", [False, True])
def test_lists_stepped_in_place_are_their_entries(tmp_path, bug):
    """self.weights[i] -= self.lr * ... in a loop over the layers: the parameters are the lists'
    entries (it raised building the network, reading the lists as arrays); a bias stepped up
    its gradient is found in them."""
    folder = tmp_path / "online"
    shutil.copytree(PROGRAMS / "online", folder)
    path = folder / "net.py"
    if bug:
        path.write_text(path.read_text().replace("self.biases[i] -= self.lr",
                                                 "self.biases[i] += self.lr"))
    report = check_program(path)
    if not bug:
        assert report.ok, [r.summary for r in report.wrong]
        note = next(n for n in report.notes if n.startswith("recognized a class that trains"))
        assert "self.weights[0], self.biases[0], self.weights[1], self.biases[1]" in note
        return
    update = _by_check(report)["update"]
    assert update.status == "wrong" and "self.biases[0]" in update.summary, update.summary


HELD_OUT = ("""    def train(self, X, y, epochs=10, batch_size=32):
        for epoch in range(epochs):
            perm = np.random.permutation(len(X))
            X, y = X[perm], y[perm]
            for i in range(0, len(X), batch_size):
                xb, yb = X[i:i + batch_size], y[i:i + batch_size]
                self.forward(xb)
                self.backward(xb, yb)
            loss = -np.mean(np.sum(y * np.log(self.forward(X) + 1e-9), axis=1))
            print(f"epoch {epoch} loss {loss:.4f}")""",
            """    def train(self, X, y, X_test, y_test, epochs=10, batch_size=32):
        for epoch in range(epochs):
            for i in range(0, len(X), batch_size):
                xb, yb = X[i:i + batch_size], y[i:i + batch_size]
                self.forward(xb)
                self.backward(xb, yb)
            acc = np.mean(np.argmax(self.forward(X_test), axis=1) == np.argmax(y_test, axis=1))
            print(f"epoch {epoch} test accuracy {acc:.4f}")""")
HELD_OUT_CALL = ("nn.train(x_train, y_train_oh, epochs=10, batch_size=64)",
                 "nn.train(x_train, y_train_oh, x_test, np.eye(10)[y_test], epochs=10, "
                 "batch_size=64)")


@pytest.mark.parametrize("bug", [False, True])
def test_training_images_paired_with_the_test_labels(tmp_path, bug):
    """train(X, y, X_test, y_test, ...): the checker gives the held-out labels each example's
    label moved on by one, so batches that carry them show, named at the line that pairs
    them; a loop that scores its test data and trains on its own labels is fine."""
    edits = [HELD_OUT, HELD_OUT_CALL]
    if bug:
        edits.append(("xb, yb = X[i:i + batch_size], y[i:i + batch_size]",
                      "xb, yb = X[i:i + batch_size], y_test[i:i + batch_size]"))
    path = _self_step(tmp_path, *[(old, new) for old, new in edits[:2]])
    if bug:
        text = path.read_text()
        path.write_text(text.replace(*edits[2]))
    minibatches = _by_check(check_program(path))["minibatches"]
    if not bug:
        assert minibatches.status == "ok", minibatches.summary
        return
    assert minibatches.status == "wrong"
    assert minibatches.summary.startswith("NeuralNetwork.train trains on the labels of its "
                                          "held-out data (y_test)")
    assert _text_at(path, minibatches.where) == edits[2][1]


def test_batches_that_step_by_a_computed_half_are_named_at_the_range(tmp_path):
    old = "for i in range(0, len(X), batch_size):"
    new = "for i in range(0, len(X) - batch_size, batch_size // 2):"
    path = _self_step(tmp_path, (old, new))
    minibatches = _by_check(check_program(path))["minibatches"]
    assert minibatches.status == "wrong" and "overlap" in minibatches.summary
    assert _text_at(path, minibatches.where) == new
