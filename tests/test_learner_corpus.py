"""The learner corpus in tests/learners/ is what its manifest says, independently of the checker:
every program compiles, every correct program learns on a slice of bundled data through its own
functions, and every planted bug is really there (and gone from the fixed version).

The programs' module-level scripts (loading the learner's files, training for minutes) never run
here: load() executes a file's imports, functions, classes and the assignments that need neither
the learner's data nor a call into the learner's own functions.
"""

import ast
import contextlib
import importlib.util
import io
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu.check.learner import CHECKS
from tinygrad_edu.data import load_digits32, load_mnist

LEARNERS = Path(__file__).resolve().parent / "learners"
_spec = importlib.util.spec_from_file_location("learners_manifest", LEARNERS / "manifest.py")
manifest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(manifest)
CASES = {case.path: case for case in manifest.CASES}

# calls an assignment may make and still count as a definition: numpy's constructors and the
# module's own classes; never the learner's loader, open(), np.loadtxt or a training function
SAFE_NUMPY = {"np.zeros", "np.ones", "np.array", "np.sqrt", "np.random.randn", "np.random.rand",
              "np.random.uniform", "np.random.normal", "np.random.seed"}


# ----- loading a program without its script --------------------------------------------------

def _calls_only(node, classes):
    """True when every call under node is a safe numpy constructor or a class of the module."""
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        name = ast.unparse(call.func)
        if name not in SAFE_NUMPY and name not in classes:
            return False
    return True


def _definitions(tree):
    """The top-level statements of tree that define things rather than run the learner's script."""
    classes = {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
            yield node
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            yield node  # a docstring
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            if ast.unparse(node.value.func) in {"sys.path.append", "sys.path.insert",
                                                "np.random.seed"}:
                yield node
        elif isinstance(node, ast.Assign) and _calls_only(node.value, classes):
            yield node


@contextlib.contextmanager
def _at(folder):
    """cwd and sys.path[0] at the learner's folder, as when they run `python file.py`; undone after,
    with the sibling modules it imported (every folder has its own mnist_loader, common, ...)."""
    old_cwd, old_path, old_modules = os.getcwd(), list(sys.path), set(sys.modules)
    os.chdir(folder)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path
        for name in set(sys.modules) - old_modules:
            if str(LEARNERS) in str(getattr(sys.modules[name], "__file__", "") or ""):
                del sys.modules[name]


def load(path):
    """The program at tests/learners/path as a module, its script part left out."""
    file = LEARNERS / path
    tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
    module = types.ModuleType(file.stem)
    module.__file__ = str(file)
    with _at(file.parent), contextlib.redirect_stdout(io.StringIO()):
        for node in _definitions(tree):
            code = compile(ast.Module([node], type_ignores=[]), str(file), "exec")
            try:
                exec(code, module.__dict__)
            except NameError:  # an assignment from the script's data (m, n = data.shape)
                if not isinstance(node, ast.Assign):
                    raise
    return module


def quiet(fn, *args, **kwargs):
    """fn(*args, **kwargs) with its prints swallowed and numpy's overflow in exp() allowed (a
    saturated sigmoid is the learner's business)."""
    with contextlib.redirect_stdout(io.StringIO()), np.errstate(over="ignore"):
        return fn(*args, **kwargs)


# ----- bundled data, cut to the learners' layouts ---------------------------------------------

@pytest.fixture(scope="module")
def mnist():
    """(X rows float64, labels) for 3000 training and 500 test digits."""
    ds = load_mnist()
    return (ds.train.X[:3000].astype(np.float64), ds.train.y[:3000],
            ds.test.X[:500].astype(np.float64), ds.test.y[:500])


@pytest.fixture(scope="module")
def digits():
    """(X rows of 0/1 float64, labels) for 600 training digits, spread over all ten classes."""
    X, y = load_digits32(split="train", dtype="float64")
    keep = np.random.default_rng(0).permutation(len(y))[:600]
    return X[keep], y[keep]


def one_hot(labels):
    return np.eye(10)[labels]


def write_digit_files(folder, X, labels):
    """X's rows as the 32×32 text files <label>_<n>.txt the learners' loaders read."""
    folder.mkdir(parents=True)
    for n, (x, label) in enumerate(zip(X, labels)):
        rows = ("".join(str(int(v)) for v in x[i:i + 32]) for i in range(0, 1024, 32))
        (folder / f"{label}_{n}.txt").write_text("\n".join(rows) + "\n")


# ----- the manifest -------------------------------------------------------------------------------

def test_manifest_describes_real_files_and_enough_bugs():
    styles = {"nielsen", "nielsen2", "dlfs", "dlfs4", "functional", "coursera", "nnfs", "rashid",
              "3b1b", "script"}
    for case in manifest.CASES:
        source = case.file.read_text(encoding="utf-8")
        assert case.style in styles and case.data in {"mnist", "digits32"}, case.path
        assert case.layout in {"columns", "rows"} and case.layout_notes, case.path
        if case.target is not None:
            assert f"class {case.target}" in source, case.path
        for bug in case.bugs:
            assert bug.check in CHECKS and bug.names and bug.what, (case.path, bug)
            assert bug.line in source, (case.path, bug.line)
            assert any(name in source for name in bug.names), (case.path, bug.names)
        if case.fixed is not None:
            fixed = CASES[case.fixed]
            assert case.bugs and fixed.bugs == () and fixed.fixed is None, case.path
            fixed_source = fixed.file.read_text(encoding="utf-8")
            for bug in case.bugs:  # the faulty line is gone (or, for a missing line, completed)
                assert bug.line not in fixed_source or fixed_source != source, case.path
    planted = [c for c in manifest.CASES if c.bugs and not c.path.startswith("seed")]
    assert len(planted) >= 12
    assert {c.style for c in planted} >= {"nielsen2", "dlfs4", "functional", "coursera", "nnfs",
                                          "3b1b", "script"}
    assert {p.name for p in LEARNERS.iterdir() if p.is_dir()} >= {"seed000", "seed000_fixed",
                                                                   "seed001", "seed001_fixed",
                                                                   "seed002", "seed003"}


def test_every_program_compiles_and_needs_no_tinygrad_edu():
    files = sorted(LEARNERS.rglob("*.py"))
    assert len(files) > 30
    for file in files:
        source = file.read_text(encoding="utf-8")
        compile(source, str(file), "exec")
        if file.parent != LEARNERS:
            assert "tinygrad_edu" not in source, file


def test_every_manifest_case_loads_without_its_script():
    for case in manifest.CASES:
        module = load(case.path)
        if case.target is not None:
            assert isinstance(getattr(module, case.target), type), case.path


# ----- every correct program learns, through its own functions ------------------------------------
# Each driver trains on a slice through the program's own training code and returns the mean cost
# on held-out examples before and after, and the accuracy after, as the program computes them.

def columns(X):
    return [x.reshape(-1, 1) for x in X]


def learn_seed000(mod, Xtr, ytr, Xte, yte):
    """Its gradient_step on mini-batches of 10: train()'s own batches of 125 need many epochs to
    leave the sigmoid plateau."""
    nn = mod.Neural_Network()

    def cost():
        total = 0.0
        for x, label in zip(Xte, yte):
            nn.feedforward(x)
            total += np.sum((nn.layer[3] - nn.y(label)) ** 2)
        return total / len(yte)

    before = cost()
    train = [(x, int(label)) for x, label in zip(Xtr, ytr)]
    for k in range(0, len(train), 10):
        nn.gradient_step(train[k:k + 10], 3.0)
    return before, cost(), nn.test([(x, int(label)) for x, label in zip(Xte, yte)]) / 100


def learn_nielsen(mod, Xtr, ytr, Xte, yte):
    net = mod.Network([784, 30, 10])
    train = list(zip(columns(Xtr), columns(one_hot(ytr))))
    test = list(zip(columns(Xte), yte.tolist()))

    def cost():
        return np.mean([np.sum((net.feedforward(x) - y) ** 2) for x, y in
                        zip(columns(Xte), columns(one_hot(yte)))])

    before = cost()
    if hasattr(net, "evaluate"):
        net.SGD(train, 1, 10, 3.0)
        correct = net.evaluate(test)
    else:  # network2: cross-entropy, L2
        net.SGD(train, 1, 10, 0.5, lmbda=5.0)
        correct = net.accuracy(test)
    return before, cost(), correct / len(yte)


def learn_dlfs(mod, Xtr, ytr, Xte, yte, hidden, learning_rate):
    np.random.seed(0)
    net = mod.TwoLayerNet(input_size=784, hidden_size=hidden, output_size=10)
    T, Tte = one_hot(ytr), one_hot(yte)
    before = net.loss(Xte, Tte)
    for _ in range(100):  # the training script's loop: random batches of 100
        mask = np.random.choice(len(Xtr), 100)
        grad = net.gradient(Xtr[mask], T[mask])
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= learning_rate * grad[key]
    return before, net.loss(Xte, Tte), net.accuracy(Xte, Tte)


def learn_seed003(mod, X, y, Xte, yte):
    np.random.seed(0)
    net = mod.Net()
    net.plotLosslist = lambda *args: None  # no window to show
    net.setLearnrate(0.5)  # its 0.01 needs hundreds of epochs from randn weights

    def cost():
        return np.mean([net.forward(x.reshape(1024, 1), one_hot(label).reshape(10, 1),
                                    mod.Sigmoid)[0] for x, label in zip(Xte, yte)])

    before = cost()
    net.train(X, list(y), Epoch=2)
    outputs = [net.forward(x.reshape(1024, 1), one_hot(label).reshape(10, 1), mod.Sigmoid)[1]
               for x, label in zip(Xte, yte)]
    return before, cost(), np.mean([np.argmax(o) for o in outputs] == yte)


def learn_functional(mod, Xtr, ytr, Xte, yte):
    np.random.seed(0)
    W1, b1, W2, b2 = mod.init_params()
    A2 = mod.forward_prop(W1, b1, W2, b2, Xte.T)[3]
    before = -np.mean(np.log(A2[yte, np.arange(len(yte))]))
    np.random.seed(0)  # gradient_descent starts from init_params() again
    W1, b1, W2, b2 = mod.gradient_descent(Xtr.T, ytr, 0.10, 60)
    A2 = mod.forward_prop(W1, b1, W2, b2, Xte.T)[3]
    after = -np.mean(np.log(A2[yte, np.arange(len(yte))]))
    return before, after, mod.test_accuracy(Xte.T, yte, W1, b1, W2, b2)


def learn_coursera(mod, Xtr, ytr, Xte, yte):
    parameters = mod.initialize_parameters_deep([784, 32, 16, 10])
    before = mod.compute_cost(mod.L_model_forward(Xte.T, parameters)[0], one_hot(yte).T)
    parameters, _ = mod.L_layer_model(Xtr.T, one_hot(ytr).T, [784, 32, 16, 10],
                                      learning_rate=0.1, num_epochs=2, mini_batch_size=64)
    after = mod.compute_cost(mod.L_model_forward(Xte.T, parameters)[0], one_hot(yte).T)
    return before, after, mod.predict(Xte.T, yte.reshape(1, -1), parameters)


def nnfs_layers(mod):
    """The module-level objects of the NNFS script, made afresh."""
    np.random.seed(0)
    mod.dense1, mod.activation1 = mod.Layer_Dense(784, 64), mod.Activation_ReLU()
    mod.dense2 = mod.Layer_Dense(64, 10)
    mod.loss_activation = mod.Activation_Softmax_Loss_CategoricalCrossentropy()
    mod.optimizer = mod.Optimizer_SGD(learning_rate=0.5, decay=1e-2)


def learn_nnfs(mod, Xtr, ytr, Xte, yte):
    nnfs_layers(mod)
    before = mod.forward(Xte, yte)
    for step in range(len(Xtr) // 128):
        mod.train_step(Xtr[step * 128:(step + 1) * 128], ytr[step * 128:(step + 1) * 128])
    return before, mod.forward(Xte, yte), mod.evaluate(Xte, yte)


def rashid_inputs(X):
    return X * 0.99 + 0.01


def rashid_targets(label):
    targets = np.zeros(10) + 0.01
    targets[label] = 0.99
    return targets


def learn_rashid(mod, Xtr, ytr, Xte, yte):
    np.random.seed(0)
    n = mod.neuralNetwork(784, 32, 10, 0.1)

    def cost():
        return np.mean([0.5 * np.sum((n.query(x).ravel() - rashid_targets(label)) ** 2)
                        for x, label in zip(rashid_inputs(Xte), yte)])

    before = cost()
    for x, label in zip(rashid_inputs(Xtr), ytr):
        n.train(x, rashid_targets(label))
    outputs = [n.query(x) for x in rashid_inputs(Xte)]
    return before, cost(), np.mean([np.argmax(o) for o in outputs] == yte)


def learn_globals(mod, Xtr, ytr, Xte, yte):
    def cost():
        total = 0.0
        for x, label in zip(Xte, yte):
            mod.forward(x)
            total += np.sum((mod.a4 - mod.wanted(label)) ** 2)
        return total / len(yte)

    before = cost()
    mod.train([(x, int(label)) for x, label in zip(Xtr, ytr)], 1, 1.0)
    return before, cost(), mod.accuracy([(x, int(label)) for x, label in zip(Xte, yte)])


LEARN = {  # path: (driver, training examples)
    "seed000_fixed/neural_network.py": (learn_seed000, 1000),
    "seed001_fixed/network.py": (learn_nielsen, 1000),
    "seed002/ch05/two_layer_net.py": (lambda *a: learn_dlfs(*a, 50, learning_rate=0.1), 3000),
    "nielsen2/network2.py": (learn_nielsen, 500),
    "dlfs4/ch04/two_layer_net.py": (lambda *a: learn_dlfs(*a, 32, learning_rate=0.5), 3000),
    "functional/mnist_nn.py": (learn_functional, 500),
    "coursera/dnn_app.py": (learn_coursera, 1000),
    "nnfs/nnfs_mnist.py": (learn_nnfs, 3000),
    "rashid/neural_network.py": (learn_rashid, 500),
    "rashid/neural_network_fixed.py": (learn_rashid, 500),
    "globals3b1b/digits.py": (learn_globals, 800),
}


def test_every_correct_program_is_in_the_learning_test():
    clean = {c.path for c in manifest.CASES if not c.bugs or c.style == "rashid"}
    assert clean == set(LEARN) | {"seed003/net.py", "script/train.py"}


@pytest.mark.parametrize("path", sorted(LEARN))
def test_correct_program_learns(path, mnist):
    driver, n = LEARN[path]
    Xtr, ytr, Xte, yte = mnist
    np.random.seed(0)
    before, after, accuracy = quiet(driver, load(path), Xtr[:n], ytr[:n], Xte[:200], yte[:200])
    assert after < 0.9 * before, (path, before, after)
    assert accuracy > 0.2, (path, accuracy)  # chance is 0.1


def test_seed003_learns_from_its_digits_folder(digits, tmp_path):
    X, y = digits
    write_digit_files(tmp_path / "trainingDigits", X[:300], y[:300])
    mod = load("seed003/net.py")
    with _at(tmp_path):
        trainMat, trainLabels = mod.handwritingData(mod.trainDataPath)
    assert trainMat.shape == (300, 1024) and sorted(trainLabels) == sorted(y[:300].tolist())
    before, after, accuracy = quiet(learn_seed003, mod, trainMat, trainLabels, X[300:], y[300:])
    assert after < 0.9 * before and accuracy > 0.2, (before, after, accuracy)


def run_script(path, folder):
    """The whole top-level script, run as the learner runs it, in folder holding its data; the loss
    it prints every 20 epochs and its last word. One BLAS thread: its 300 small full-batch epochs
    are slower with more on a shared machine."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(LEARNERS / path)], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines()]
    return [float(words[1]) for words in lines if len(words) == 3], lines[-1][-1]


def test_the_plain_script_learns_and_its_flipped_sign_climbs(digits, tmp_path):
    X, y = digits
    write_digit_files(tmp_path / "trainingDigits", X[:200], y[:200])
    losses, final_accuracy = run_script("script/train.py", tmp_path)
    assert losses[-1] < 0.5 * losses[0] and float(final_accuracy) > 0.5, (losses, final_accuracy)
    losses, final_accuracy = run_script("script/train_sign_flipped.py", tmp_path)
    assert losses[-1] > losses[0] and float(final_accuracy) < 0.3, (losses, final_accuracy)
