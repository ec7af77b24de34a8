"""check.globalvars: programs whose parameters are module-level globals (W1 = np.random.randn(...)
at the top of the file, or NNFS's dense1 = Layer_Dense(784, 32)), read and rebound by plain
functions, are checked with no adapter code; their script parts never run."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu.check.program import check_program, make_data
from tinygrad_edu.check.shapes import recognize
from tinygrad_edu.check.source import load

PROGRAMS = Path(__file__).with_name("check_programs")
GLOBALS = PROGRAMS / "globals"
CORPUS = Path(__file__).with_name("learners")


@pytest.fixture(scope="module")
def data():
    return make_data(784, train_size=40, test_size=30)


@pytest.fixture
def programs(tmp_path):
    """A copy of tests/check_programs/globals: a script part that ran would leave files here."""
    shutil.copytree(GLOBALS, tmp_path / "globals")
    return tmp_path / "globals"


def _variant(programs, name, *edits):
    path = programs / name
    text = path.read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    return path


def _line_of(path, text):
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _status(report):
    return {r.check: r.status for r in report.results}


# ----- recognized with no adapter -----------------------------------------------------------------

def test_3blue1brown_globals_are_the_parameters_and_the_kept_activation_the_output(data):
    """digits.py: W1..W4, b1..b4 at module level, forward(x) keeps a0..a4 in globals and returns
    nothing: the parameters are the globals layer by layer, the output is a4, one flat vector
    at a time, and the weights are the file's own (its np.random.seed(1), not the checker's)."""
    module = load(CORPUS / "globals3b1b" / "digits.py")
    learner = recognize(module, data)
    assert [(p.name, p.layer, p.role) for p in learner.params][:4] == [
        ("W1", 1, "W"), ("b1", 1, "b"), ("W2", 2, "W"), ("b2", 2, "b")]
    assert len(learner.params) == 8 and learner.one_at_a_time == "vector"
    np.random.seed(1)
    assert np.array_equal(learner.params[0].get(), np.random.randn(16, 784))
    out = learner.forward(data.test.X[:3])
    module.forward(data.test.X[2])
    assert out.shape == (3, 10) and np.allclose(out[2], module.a4)
    assert any("output read from a4" in n for n in learner.notes)
    assert learner.where["update"].function == "train_step"


def test_layer_objects_made_at_module_level_are_built_and_read(data):
    """nnfs_mnist.py makes dense1 = Layer_Dense(784, 32) and its optimizer in the script part
    that load() skips: the recognizer builds them, reads the gradients backward() leaves in
    dense1.dweights, and η from the optimizer and the batch size from BATCH_SIZE."""
    module = load(CORPUS / "nnfs" / "nnfs_mnist.py")
    learner = recognize(module, data)
    assert [p.name for p in learner.params] == ["dense1.weights", "dense1.biases",
                                                "dense2.weights", "dense2.biases"]
    assert learner.lr == 0.5 and learner.batch_size == 128
    grads = learner.grads(data.train.X[:5], data.train.Y[:5])
    assert grads["dense2.biases"].shape == (1, 10)
    assert any("dense1.dweights" in n for n in learner.notes)


def test_a_rows_script_with_softmax_and_mini_batches_passes_every_check(programs):
    """rows_softmax.py: (784, 64) weights, 1-D biases, backward returning a tuple, sgd_step that
    rebinds the globals, accuracy(X, labels), train(X, Y, epochs, batch_size, lr)."""
    report = check_program(programs / "rows_softmax.py")
    assert report.ok and all(s == "ok" for s in _status(report).values()), str(report)
    assert not (programs / "trained_W1.npy").exists()  # its script part did not run


def test_an_update_of_the_gradients_by_name_with_global_and_minus_equals_is_a_step(programs):
    """inplace_update.py has no step of one batch: forward_prop(X), backward_prop(X, Y) ->
    dW1, db1, dW2, db2 and update_params(dW1, db1, dW2, db2, alpha) with `global` and `-=`
    are the step, gradient_descent the loop; every check runs and passes."""
    report = check_program(programs / "inplace_update.py")
    assert report.ok and all(s == "ok" for s in _status(report).values()), str(report)
    update = next(r for r in report.results if r.check == "update")
    assert "update_params" in update.summary
    assert not (programs / "trained_W1.npy").exists()


def test_a_missing_sigma_prime_in_one_layer_is_named_at_its_line(programs):
    """no_sigma_prime.py: delta1 = delta2 @ W2.T drops σ'(z1); learn(x, digit, rate) takes the
    digit, backprop(x, target) the one-hot vector: each is handed what it takes."""
    path = programs / "no_sigma_prime.py"
    report = check_program(path, checks=["gradients", "update"])
    gradients = next(r for r in report.results if r.check == "gradients")
    assert gradients.status == "wrong" and "σ' is missing" in gradients.summary
    assert "b1" in gradients.summary
    assert gradients.where == f"backprop (no_sigma_prime.py:{_line_of(path, 'delta1 =')})"
    assert _status(report)["update"] == "ok"


def test_a_backward_that_takes_the_forward_passs_cache_and_a_global_lr(programs, tmp_path):
    """script/my_net.py (tests/check_programs): backward(X, Y, cache) gets the cache forward(X)
    returns, as train_step names it (out, cache = forward(Xb)), and train_step, which reads
    the global lr, is run with the checker's η set there: all checks pass, as with its
    adapter."""
    shutil.copytree(PROGRAMS / "script", tmp_path / "script")
    report = check_program(tmp_path / "script" / "my_net.py")
    assert report.ok and all(s == "ok" for s in _status(report).values()), str(report)
    assert any("η set in your global lr" in n for n in report.notes)


def test_a_bug_in_a_planted_mini_batch_loop_is_found(programs):
    """rows_softmax.py whose loop slices one example past each batch's start: the minibatches
    check runs the learner's own train() for one epoch and flags it."""
    path = _variant(programs, "rows_softmax.py",
                    ("idx = order[start:start + batch_size]", "idx = order[start:start + 1]"))
    report = check_program(path, checks=["minibatches"])
    assert _status(report)["minibatches"] == "wrong", str(report)


# ----- what is not run, and what cannot be recognized ---------------------------------------------

def test_an_own_class_that_loads_data_is_not_built(tmp_path, data):
    """Layer objects are built; a class of the learner's whose __init__ reads a file is not,
    even though its statement sits among them."""
    (tmp_path / "net.py").write_text(
        "import numpy as np\n\n\nclass Digits:\n    def __init__(self, path):\n"
        "        self.X = np.load(path)\n        open('touched.txt', 'w').close()\n\n\n"
        "class Dense:\n    def __init__(self, n_in, n_out):\n"
        "        self.weights = np.random.randn(n_in, n_out) * 0.01\n"
        "        self.biases = np.zeros((1, n_out))\n\n\n"
        "digits = Digits('mnist.npy')\nlayer = Dense(784, 10)\n\n\n"
        "def forward(X):\n    return X @ layer.weights + layer.biases\n\n\n"
        "def train_step(X, Y, lr):\n    g = X.T @ (forward(X) - Y) / len(X)\n"
        "    layer.weights -= lr * g\n")
    learner = recognize(load(tmp_path / "net.py"), data)
    assert [p.name for p in learner.params] == ["layer.weights", "layer.biases"]
    assert not (tmp_path / "touched.txt").exists()


def test_weights_sized_from_skipped_data_say_which_line_did_not_run(tmp_path, data):
    (tmp_path / "net.py").write_text(
        "import numpy as np\nfrom loader import load\n\nX, Y = load()\n"
        "W1 = np.random.randn(X.shape[1], 10)\nb1 = np.zeros(10)\n\n\n"
        "def forward(X):\n    return X @ W1 + b1\n\n\n"
        "def backward(X, Y):\n    return X.T @ (forward(X) - Y), (forward(X) - Y).sum(0)\n")
    with pytest.raises(LookupError, match=r"net\.py:5: `W1 = np\.random\.randn\(X\.shape\[1\], "
                                          r"10\)`.*check\.Adapter"):
        recognize(load(tmp_path / "net.py"), data)


def test_a_forward_the_checker_cannot_call_points_to_the_adapter(tmp_path, data):
    (tmp_path / "net.py").write_text(
        "import numpy as np\n\nW1 = np.zeros((784, 10))\nb1 = np.zeros(10)\n\n\n"
        "def forward(pixels, scale):\n    return pixels * scale @ W1 + b1\n\n\n"
        "def backward(X, Y):\n    return W1, b1\n")
    with pytest.raises(LookupError, match="forward.*takes the inputs by a name.*Adapter"):
        recognize(load(tmp_path / "net.py"), data)


NIELSEN_AT_MODULE_LEVEL = '''import random
import numpy as np
import mnist_loader

sizes = [784, 12, 10]
weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]
biases = [np.random.randn(y, 1) for y in sizes[1:]]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def feedforward(a):
    for b, w in zip(biases, weights):
        a = sigmoid(np.dot(w, a) + b)
    return a


def backprop(x, y):
    activations, zs = [x], []
    for b, w in zip(biases, weights):
        zs.append(np.dot(w, activations[-1]) + b)
        activations.append(sigmoid(zs[-1]))
    delta = (activations[-1] - y) * activations[-1] * (1 - activations[-1])
    nabla_b, nabla_w = [None, delta], [None, np.dot(delta, activations[-2].T)]
    s = activations[-2]
    delta = np.dot(weights[1].T, delta) * s * (1 - s)
    nabla_b[0], nabla_w[0] = delta, np.dot(delta, x.T)
    return nabla_b, nabla_w


def update_mini_batch(mini_batch, eta):
    global weights, biases
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in mini_batch:
        db, dw = backprop(x, y)
        nabla_b = [nb + d for nb, d in zip(nabla_b, db)]
        nabla_w = [nw + d for nw, d in zip(nabla_w, dw)]
    weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(weights, nabla_w)]
    biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(biases, nabla_b)]


def evaluate(test_data):
    return sum(int(np.argmax(feedforward(x)) == y) for x, y in test_data)


def SGD(training_data, epochs, mini_batch_size, eta):
    for j in range(epochs):
        random.shuffle(training_data)
        for k in range(0, len(training_data), mini_batch_size):
            update_mini_batch(training_data[k:k + mini_batch_size], eta)


training_data, validation_data, test_data = mnist_loader.load_data_wrapper()
SGD(training_data, 30, 10, 3.0)
'''


def test_network_py_written_as_module_level_lists_and_functions(tmp_path):
    """network.py without its class: lists weights and biases at module level, feedforward(a),
    backprop(x, y) -> (nabla_b, nabla_w), update_mini_batch(mini_batch, eta) over (x, y)
    pairs, evaluate(test_data) in a generator, SGD's loop: one column at a time, η and the
    batch size from the script's SGD(training_data, 30, 10, 3.0)."""
    (tmp_path / "net.py").write_text(NIELSEN_AT_MODULE_LEVEL)
    report = check_program(tmp_path / "net.py")
    assert report.ok and all(s == "ok" for s in _status(report).values()), str(report)
    assert any("weights[0], biases[0], weights[1], biases[1] (column)" in n
               for n in report.notes)
    assert any("η = 3.0 from your SGD(training_data, 30, 10, 3.0)" in n for n in report.notes)


@pytest.mark.parametrize("folder, name", [("vector", "net.py"), ("scaled", "pixels.py")])
def test_programs_once_adapted_give_what_their_adapters_give(tmp_path, folder, name):
    """tests/check_programs' globals scripts that needed an adapter.py: the same findings with
    no adapter (pixels.py's batch of 50 read from its own `range(0, len(order), 50)`)."""
    import importlib.util

    shutil.copytree(PROGRAMS / folder, tmp_path / folder)
    spec = importlib.util.spec_from_file_location(f"{folder}_adapter",
                                                  tmp_path / folder / "adapter.py")
    adapter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(adapter)
    mine = check_program(tmp_path / folder / name)
    theirs = check_program(tmp_path / folder / name, adapter=adapter.adapter)
    assert [(r.check, r.status, r.summary) for r in mine.results] == \
        [(r.check, r.status, r.summary) for r in theirs.results]


def test_globals_for_the_32x32_digits_get_data_of_their_size(tmp_path):
    """W1 = np.random.randn(16, 1024): recognized first against MNIST's 784 inputs, then again
    on the bundled 32×32 digits, as the checker does for classes."""
    for file in ("digits.py", "load_data.py"):
        shutil.copy(CORPUS / "globals3b1b" / file, tmp_path / file)
    path = _variant(tmp_path, "digits.py", ("W1 = np.random.randn(16, 784)",
                                            "W1 = np.random.randn(16, 1024)"))
    report = check_program(path, checks=["forward", "gradients"])
    assert report.ok, str(report)
    assert "1024-16-16-16-10" in report.results[0].summary


def _by(report):
    return {r.check: r for r in report.results}


def test_a_training_loop_with_epochs_is_not_one_step(programs):
    """train(x, y, epochs=10, batch=100, lr=0.2) loops over shuffled batches calling forward,
    backprop and update: it is the epoch loop, and update(dW1, ..., lr) the step. It was taken
    for one step, and blamed for the permutation it draws."""
    report = check_program(programs / "epoch_loop.py")
    assert report.ok, [r.summary for r in report.wrong]
    by = _by(report)
    assert by["update"].summary.startswith("one call of update with η = 0.2")
    assert by["minibatches"].summary.startswith("one epoch of train (")


def test_a_loop_over_zipped_images_and_labels_is_one_example_at_a_time(programs):
    """for img, lab in zip(images, labels): x = img.reshape(784, 1): the backprop returns δ as
    the bias's gradient, right for one column; read as batches, it was said to be unsummed."""
    report = check_program(programs / "zipped.py")
    assert report.ok, [r.summary for r in report.wrong]
    assert _by(report)["gradients"].status == "ok"


def test_network_py_inlined_as_a_script_is_read_one_example_at_a_time(programs):
    """network_script.py: network.py's lists and backprop(x, y) at module level, the epoch loop
    and update_mini_batch written out at the top level (`for x, y in mini_batch:
    backprop(x, y)`): backprop takes one (784, 1) column, its (nabla_b, nabla_w) read by shape,
    so the correct program passes; sigma_of_a.py's σ'(a) in the hidden layer is found at its
    line."""
    report = check_program(programs / "network_script.py")
    assert report.ok, str(report)
    assert _status(report)["gradients"] == "ok"
    assert any("weights[0], biases[0], weights[1], biases[1] (column)" in n
               for n in report.notes)
    path = programs / "sigma_of_a.py"
    gradients = next(r for r in check_program(path, checks=["gradients"]).results
                     if r.check == "gradients")
    assert gradients.status == "wrong" and "σ'(a)" in gradients.summary
    line = _line_of(path, "sigmoid_prime(activations")
    assert gradients.where == f"backprop (sigma_of_a.py:{line})"
