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
import re
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
sys.modules[_spec.name] = manifest  # dataclasses look their module up while they are made
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
            assert bug.check in CHECKS and bug.what, (case.path, bug)
            assert bug.names or bug.check in ("learning", "minibatches"), (case.path, bug)
            assert bug.line in source, (case.path, bug.line)
            # a name may be a key the code builds ("W" + str(l)), so one of them, not each
            words = [re.split(r"[.\[\]'\"]", name) for name in bug.names]
            assert not words or any(all(w in source for w in parts) for parts in words), \
                (case.path, bug.names)
        if case.fixed is not None:
            fixed = CASES[case.fixed]
            assert case.bugs and fixed.bugs == () and fixed.fixed is None, case.path
            # the fix changes the program; the faulty line itself may stay (a missing `return a`
            # or forward call is fixed by adding a line), so the tests below run both versions
            assert fixed.file.read_text(encoding="utf-8") != source, case.path
            assert fixed.style == case.style and fixed.target == case.target, case.path
    planted = [c for c in manifest.CASES if c.bugs and not c.path.startswith("seed")]
    assert len(planted) >= 12
    assert {c.style for c in planted} >= {"nielsen2", "dlfs4", "functional", "coursera", "nnfs",
                                          "3b1b", "script"}
    assert {p.name for p in LEARNERS.iterdir() if p.is_dir()} >= {"seed000", "seed000_fixed",
                                                                   "seed001", "seed001_fixed",
                                                                   "seed002", "seed003"}


def test_the_corpus_readme_lists_every_case():
    readme = (LEARNERS / "README.md").read_text(encoding="utf-8")
    for case in manifest.CASES:
        assert f"| `{case.path}` |" in readme, case.path


def test_every_program_compiles_and_needs_no_tinygrad_edu():
    files = sorted(LEARNERS.rglob("*.py"))
    assert len(files) > 30
    for file in files:
        source = file.read_text(encoding="utf-8")
        compile(source, str(file), "exec")
        if file.parent != LEARNERS and file.name != "adapter.py":  # the adapter is for the checker
            assert "tinygrad_edu" not in source, file


def test_every_adapter_file_defines_adapter_of_the_program():
    adapters = {case.adapter for case in manifest.CASES if case.adapter}
    assert adapters == {str(p.relative_to(LEARNERS)) for p in LEARNERS.rglob("adapter.py")}
    for path in adapters:
        tree = ast.parse((LEARNERS / path).read_text(encoding="utf-8"))
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        assert [f.args.args[0].arg for f in functions if f.name == "adapter"] == ["program"], path
    for case in manifest.CASES:  # a recognized shape needs none; everything else has one
        assert (case.adapter is None) == (case.style in {"nielsen", "nielsen2", "dlfs", "dlfs4",
                                                         "script"}), case.path


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
    mod.dense1, mod.activation1 = mod.Layer_Dense(784, 32), mod.Activation_ReLU()
    mod.dense2 = mod.Layer_Dense(32, 10)
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
    "functional/mnist_nn_fixed.py": (learn_functional, 500),
    "coursera/dnn_app.py": (learn_coursera, 1000),
    "nnfs/nnfs_mnist.py": (learn_nnfs, 3000),
    "rashid/neural_network.py": (learn_rashid, 500),
    "rashid/neural_network_fixed.py": (learn_rashid, 500),
    "globals3b1b/digits.py": (learn_globals, 800),
}


def test_every_correct_program_is_in_the_learning_test():
    # the Rashid book version learns too, and so does the video's one_hot on a full batch that
    # holds every digit
    clean = {c.path for c in manifest.CASES if not c.bugs or c.style == "rashid"}
    clean.add("functional/mnist_nn.py")
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


# ----- every planted bug is really there, and gone from the fixed version -------------------------

def numeric_grad(f, a, n=12, h=1e-6):
    """{flat index: ∂f/∂a} by central differences at n entries of a spread over it, a changed in
    place and put back."""
    flat = a.reshape(-1)  # a view: the learner's array itself
    out = {}
    for i in np.unique(np.linspace(0, flat.size - 1, n).astype(int)):
        keep = flat[i]
        flat[i] = keep + h
        up = f()
        flat[i] = keep - h
        down = f()
        flat[i] = keep
        out[i] = (up - down) / (2 * h)
    return out


def agrees(grad, numeric, rtol=1e-4, atol=1e-7):
    flat = np.asarray(grad, dtype=np.float64).reshape(-1)
    return all(np.isclose(flat[i], g, rtol=rtol, atol=atol) for i, g in numeric.items())


def test_seed000_bugs(mnist):
    Xtr, ytr, Xte, yte = mnist
    buggy, fixed = load("seed000/neural_network.py"), load("seed000_fixed/neural_network.py")
    # evaluation: test() scores the output cached by the last forward pass, for every image; half
    # the labels here are the network's own predictions, so an honest test() says 50
    for mod in (buggy, fixed):
        nn = mod.Neural_Network()
        predictions = [(nn.feedforward(x), int(np.argmax(nn.layer[3])))[1] for x in Xte[:50]]
        labels = np.array(predictions[:25] + [(p + 1) % 10 for p in predictions[25:]])
        nn.layer[3] = np.eye(10)[(predictions[0] + 2) % 10]  # as if left by another image
        stale = 100 * np.mean(labels == (predictions[0] + 2) % 10)
        assert stale != 50
        assert nn.test(list(zip(Xte[:50], labels.tolist()))) == (stale if mod is buggy else 50)
    # update: gradient_step never runs the forward pass, so the images do not matter
    labels = [int(label) for label in ytr[:10]]
    after = {}
    for mod in (buggy, fixed):
        for first, images in ((True, Xtr[:10]), (False, Xtr[10:20])):
            nn = mod.Neural_Network()
            nn.feedforward(Xtr[20])  # whatever ran last
            nn.gradient_step(list(zip(images, labels)), 3.0)
            after[mod, first] = nn.W
    assert all(np.array_equal(a, b) for a, b in zip(after[buggy, True], after[buggy, False]))
    assert not np.allclose(after[fixed, True][0], after[fixed, False][0])
    # minibatches: batch k starts at example k, not at k * 125
    for mod, distinct in ((buggy, 1000 // 125 + 124), (fixed, 1000)):
        nn, used = mod.Neural_Network(), []
        nn.gradient_step = lambda batch, eta, used=used: used.append([i for i, _ in batch])
        quiet(nn.train, [(i, 0) for i in range(1000)], 1, 3.0)
        assert len(set(sum(used, []))) == distinct
        assert len(used) == 8 if mod is buggy else sum(map(len, used)) == 1000


def test_seed001_feedforward_returns_nothing(mnist):
    x = mnist[0][0].reshape(784, 1)
    assert load("seed001/network.py").Network([784, 30, 10]).feedforward(x) is None
    out = load("seed001_fixed/network.py").Network([784, 30, 10]).feedforward(x)
    assert out.shape == (10, 1) and np.all((out > 0) & (out < 1))


def test_seed002_and_dlfs4_gradients_are_the_numerical_ones_and_the_variants_are_not():
    rng = np.random.default_rng(0)
    x, t = rng.random((7, 6)), np.eye(3)[rng.integers(0, 3, 7)]
    for path in ("seed002/ch05/two_layer_net.py", "dlfs4/ch04/two_layer_net.py"):
        np.random.seed(0)
        net = load(path).TwoLayerNet(6, 5, 3, weight_init_std=0.5)
        grads = net.gradient(x, t)
        loss = lambda net=net: net.loss(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            assert agrees(grads[key], numeric_grad(loss, net.params[key])), key
        numerical = net.numerical_gradient(x, t)  # the learner's own central differences
        assert all(np.allclose(numerical[k], grads[k], atol=1e-6) for k in grads)
    np.random.seed(0)
    correct = load("dlfs4/ch04/two_layer_net.py").TwoLayerNet(6, 5, 3, weight_init_std=0.5)
    np.random.seed(0)
    no_mean = load("dlfs4/ch04/two_layer_net_no_batch_mean.py").TwoLayerNet(6, 5, 3, 0.5)
    np.random.seed(0)
    wrong_axis = load("dlfs4/ch04/two_layer_net_bias_wrong_axis.py").TwoLayerNet(6, 5, 3, 0.5)
    right = correct.gradient(x, t)
    assert all(np.allclose(no_mean.gradient(x, t)[k], 7 * right[k]) for k in right)
    bad = wrong_axis.gradient(x, t)
    assert bad["b1"].shape == (7,) != wrong_axis.params["b1"].shape
    assert all(np.allclose(bad[k], right[k]) for k in ("W1", "W2", "b2"))


def nielsen_cost(net, x, y):
    return float(net.cost.fn(net.feedforward(x), y)) if hasattr(net, "cost") else \
        0.5 * float(np.sum((net.feedforward(x) - y) ** 2))


@pytest.mark.parametrize("path,bad_layers", [("seed001_fixed/network.py", ()),
                                             ("nielsen2/network2.py", ()),
                                             ("nielsen2/network2_sigma_of_a.py", (0, 1))])
def test_nielsen_backprop_against_finite_differences(path, bad_layers):
    np.random.seed(0)
    net = load(path).Network([5, 4, 4, 3])
    x, y = np.random.rand(5, 1), np.eye(3)[[1]].T
    nabla_b, nabla_w = net.backprop(x, y)
    for layer, (b, w) in enumerate(zip(net.biases, net.weights)):
        fine = (agrees(nabla_w[layer], numeric_grad(lambda: nielsen_cost(net, x, y), w))
                and agrees(nabla_b[layer], numeric_grad(lambda: nielsen_cost(net, x, y), b)))
        assert fine == (layer not in bad_layers), (path, layer)


def test_nielsen2_shuffle_and_eta_variants():
    rng = np.random.default_rng(0)
    data = [(rng.random((4, 1)), np.eye(3)[[i % 3]].T) for i in range(10)]
    quiet(load("nielsen2/network2.py").Network([4, 3, 3]).SGD, list(data), 1, 5, 0.5)
    with pytest.raises(TypeError):  # None is not subscriptable: the data became None
        quiet(load("nielsen2/network2_shuffle.py").Network([4, 3, 3]).SGD, list(data), 1, 5, 0.5)
    steps = {}
    for path in ("nielsen2/network2.py", "nielsen2/network2_eta_not_over_m.py"):
        np.random.seed(0)
        net = load(path).Network([4, 3, 3])
        w, b = net.weights[0].copy(), net.biases[0].copy()
        net.update_mini_batch(data[:5], 0.5, 0.0, len(data))
        steps[path] = net.weights[0] - w, net.biases[0] - b
    (w_ok, b_ok), (w_bad, b_bad) = steps.values()
    assert np.allclose(w_bad, 5 * w_ok) and np.allclose(b_bad, b_ok)


def test_functional_variants():
    correct = load("functional/mnist_nn_fixed.py")
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = rng.normal(size=(4, 6)), rng.normal(size=(4, 1)), rng.normal(size=(10, 4)), \
        rng.normal(size=(10, 1))
    X, Y = rng.random((6, 9)), np.array([0, 1, 2, 2, 1, 0, 0, 1, 2])  # no 9 in this batch

    def cost():  # the mean cross-entropy that backward_prop is the gradient of
        A2 = correct.forward_prop(W1, b1, W2, b2, X)[3]
        return -np.mean(np.log(A2[Y, np.arange(Y.size)]))

    grads = correct.backward_prop(*correct.forward_prop(W1, b1, W2, b2, X), W1, W2, X, Y)
    for grad, param in zip(grads, (W1, b1, W2, b2)):
        assert agrees(grad, numeric_grad(cost, param))
    scalar = load("functional/mnist_nn_scalar_db.py")
    bad = scalar.backward_prop(*scalar.forward_prop(W1, b1, W2, b2, X), W1, W2, X, Y)
    assert np.ndim(bad[1]) == np.ndim(bad[3]) == 0 and np.allclose(bad[0], grads[0])
    # evaluation: test_accuracy scores against the global Y_train, not the labels it is given
    # (here the network's own predictions, so an honest figure is 1.0)
    train_labels = load("functional/mnist_nn_train_labels.py")
    with contextlib.redirect_stdout(io.StringIO()):
        labels = correct.make_predictions(X, W1, b1, W2, b2)
        train_labels.Y_train = (labels + 1) % 10
        assert correct.test_accuracy(X, labels, W1, b1, W2, b2) == 1.0
        assert train_labels.test_accuracy(X, labels, W1, b1, W2, b2) == 0.0
    # the video's one_hot(Y) has Y.max() + 1 rows: this batch without a 9 cannot be learned from
    video = load("functional/mnist_nn.py")
    with pytest.raises(ValueError, match="broadcast"):
        video.backward_prop(*video.forward_prop(W1, b1, W2, b2, X), W1, W2, X, Y)


def test_coursera_variants():
    X, Y = np.arange(256.0)[None, :], np.zeros((1, 256))
    # four batches of 64 starting at columns 0, 1, 2, 3 cover columns 0..66 of the shuffled set
    for path, distinct in (("coursera/dnn_app.py", 256),
                           ("coursera/dnn_app_overlapping_batches.py", 3 + 64)):
        batches = load(path).random_mini_batches(X, Y, 64, seed=1)
        used = np.concatenate([bx.ravel() for bx, _ in batches])
        assert len(np.unique(used)) == distinct, path
    layers = [6, 5, 4, 3]
    for path, moved in (("coursera/dnn_app.py", {1, 2, 3}),
                        ("coursera/dnn_app_return_in_loop.py", {1})):
        mod = load(path)
        rng = np.random.default_rng(0)
        X, Y = rng.random((6, 8)), np.eye(3)[rng.integers(0, 3, 8)].T
        params = mod.initialize_parameters_deep(layers)
        before = {k: v.copy() for k, v in params.items()}
        AL, caches = mod.L_model_forward(X, params)
        grads = mod.L_model_backward(AL, Y, caches)
        if path == "coursera/dnn_app.py":  # the gradient of compute_cost, checked once
            cost = lambda mod=mod, X=X, Y=Y, params=params: mod.compute_cost(
                mod.L_model_forward(X, params)[0], Y)
            for key in before:
                assert agrees(grads["d" + key], numeric_grad(cost, params[key]), rtol=1e-3), key
        params = mod.update_parameters(params, grads, 0.1)
        changed = {l for l in (1, 2, 3) if not np.array_equal(params[f"W{l}"], before[f"W{l}"])}
        assert changed == moved, path


def test_nnfs_variants(mnist):
    Xtr, ytr, Xte, yte = mnist
    steps = {}
    for path in ("nnfs/nnfs_mnist.py", "nnfs/nnfs_mnist_decay_per_layer.py"):
        mod = load(path)
        nnfs_layers(mod)
        for k in range(3):
            w1, w2 = mod.dense1.weights.copy(), mod.dense2.weights.copy()
            mod.train_step(Xtr[k * 32:(k + 1) * 32], ytr[k * 32:(k + 1) * 32])
        # the learning rate each layer got in the last step
        lr1 = np.sum((w1 - mod.dense1.weights) * mod.dense1.dweights) / \
            np.sum(mod.dense1.dweights ** 2)
        lr2 = np.sum((w2 - mod.dense2.weights) * mod.dense2.dweights) / \
            np.sum(mod.dense2.dweights ** 2)
        steps[path] = mod.optimizer.iterations, lr1, lr2
    assert steps["nnfs/nnfs_mnist.py"][0] == 3
    assert np.isclose(steps["nnfs/nnfs_mnist.py"][1], steps["nnfs/nnfs_mnist.py"][2])
    iterations, lr1, lr2 = steps["nnfs/nnfs_mnist_decay_per_layer.py"]
    assert iterations == 6 and lr2 < lr1 * 0.995
    # evaluation: the cached variant scores the last training batch's outputs
    for path in ("nnfs/nnfs_mnist.py", "nnfs/nnfs_mnist_cached_eval.py"):
        mod = load(path)
        nnfs_layers(mod)
        for k in range(20):
            mod.train_step(Xtr[k * 64:(k + 1) * 64], ytr[k * 64:(k + 1) * 64])
        stale = np.mean(np.argmax(mod.loss_activation.output, axis=1) == yte[:64])
        figure = mod.evaluate(Xte[:64], yte[:64])
        mod.forward(Xte[:64], yte[:64])
        honest = np.mean(np.argmax(mod.loss_activation.output, axis=1) == yte[:64])
        assert stale != honest and figure == (honest if path == "nnfs/nnfs_mnist.py" else stale)


def test_rashid_wih_update_is_the_books_rule_not_the_gradient():
    rng = np.random.default_rng(0)
    x, t = rng.random(5) * 0.99 + 0.01, np.array([0.01, 0.99, 0.01])
    for path, wih_is_gradient in (("rashid/neural_network.py", False),
                                  ("rashid/neural_network_fixed.py", True)):
        np.random.seed(0)
        n = load(path).neuralNetwork(5, 4, 3, 0.1)
        cost = lambda n=n: 0.5 * float(np.sum((n.query(x).ravel() - t) ** 2))
        expected = {name: numeric_grad(cost, getattr(n, name)) for name in ("wih", "who")}
        before = {name: getattr(n, name).copy() for name in ("wih", "who")}
        assert n.train(x, t) is None
        for name, numeric in expected.items():
            step = (before[name] - getattr(n, name)) / 0.1  # the update, as a gradient
            assert agrees(step, numeric, rtol=1e-5) == (name == "who" or wih_is_gradient), name


def globals_net(path):
    """The 3b1b globals program with its module-level weights, seeded as the file seeds them."""
    return load(path)


def test_globals3b1b_backprop_and_its_variants(mnist):
    Xtr, ytr = mnist[0], mnist[1]
    x, y = Xtr[0], np.eye(10)[ytr[0]]
    correct = globals_net("globals3b1b/digits.py")

    def cost():
        correct.forward(x)
        return float(np.sum((correct.a4 - y) ** 2))

    correct.forward(x)
    grads = correct.backprop(y)
    params = [correct.W1, correct.b1, correct.W2, correct.b2, correct.W3, correct.b3, correct.W4,
              correct.b4]
    for grad, param in zip(grads, params):
        assert agrees(grad, numeric_grad(cost, param), rtol=1e-4, atol=1e-9)
    for path, wrong in (("globals3b1b/digits_transposed_dw2.py", {2}),
                        ("globals3b1b/digits_wrong_layer_w.py", {0, 1})):
        mod = globals_net(path)
        mod.forward(x)
        bad = mod.backprop(y)
        differs = {i for i, (g, b) in enumerate(zip(grads, bad)) if not np.allclose(g, b)}
        assert differs == wrong, path
    # update before forward: the step does not depend on this example's image
    for path, stale in (("globals3b1b/digits.py", False),
                        ("globals3b1b/digits_stale_activations.py", True)):
        after = []
        for image in (Xtr[1], Xtr[2]):
            mod = globals_net(path)
            mod.forward(Xtr[0])
            mod.train_step(image, int(ytr[1]), 1.0)
            after.append(mod.W1)
        assert np.array_equal(after[0], after[1]) == stale, path


def test_seed003_backward_updates_in_place_by_the_gradient(digits):
    X, y = digits
    mod = load("seed003/net.py")
    np.random.seed(0)
    net = mod.Net()
    x, label = X[0].reshape(1024, 1), np.eye(10)[[y[0]]].T
    net.W1 *= 0.05  # out of saturation, so the finite differences see a slope
    cost = lambda: float(net.forward(x, label, mod.Sigmoid)[0])
    expected = {name: numeric_grad(cost, getattr(net, name), h=1e-5)
                for name in ("W1", "b1", "W2", "b2", "W3", "b3")}
    arrays = {name: getattr(net, name) for name in expected}
    before = {name: a.copy() for name, a in arrays.items()}
    net.forward(x, label, mod.Sigmoid)
    assert net.backward(label, mod.Sigmoid) is None
    for name, numeric in expected.items():
        assert getattr(net, name) is arrays[name], name  # the same array, changed in place
        assert agrees((before[name] - arrays[name]) / net.alpha, numeric, rtol=1e-4), name
