"""check.source: a learner's file imports without its script part, and leaves nothing behind."""

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu.check.program import make_data
from tinygrad_edu.check.source import LearnerFileError, give_data, load, read_script

PROGRAMS = Path(__file__).with_name("check_programs")


@pytest.fixture
def programs(tmp_path):
    """A copy of tests/check_programs, so a script part that did run would leave its file here."""
    shutil.copytree(PROGRAMS, tmp_path / "programs")
    return tmp_path / "programs"


def _state():
    return list(sys.path), os.getcwd(), set(sys.modules)


def test_script_part_is_not_run_and_is_kept(programs, capsys):
    module = load(programs / "nielsen" / "network.py")
    assert not (programs / "nielsen" / "script_part_ran.txt").exists()
    assert "loader self-test" not in capsys.readouterr().out  # the sibling's script part too
    skipped = [s.text for s in module.__skipped__]
    assert "net.SGD(training_data, 30, 10, 3.0, test_data=test_data)" in skipped
    assert "net = Network([784, 30, 10])" in skipped
    assert callable(module.Network.backprop) and callable(module.sigmoid)
    net = module.Network([4, 3, 2])  # the definitions work
    assert net.feedforward(np.zeros((4, 1))).shape == (2, 1)


def test_main_block_is_not_run(programs):
    module = load(programs / "network2" / "network2.py")
    assert module.__name__ != "__main__"
    assert any("sys.exit" in s.text for s in module.__skipped__)


def test_nothing_leaks_into_sys_modules_path_or_cwd(programs):
    before = _state()
    module = load(programs / "nielsen" / "network.py")
    after = _state()
    assert after[0] == before[0] and after[1] == before[1]
    assert {"network", "mnist_loader"}.isdisjoint(after[2] - before[2])
    assert module.mnist_loader.vectorized_result(3)[3, 0] == 1.0  # the sibling imported
    assert str(programs / "nielsen" / "mnist_loader.py") in module.__learner_files__


def test_os_pardir_layout_imports_common_and_leaves_no_package(programs):
    before = _state()
    module = load(programs / "dlfs" / "ch05" / "two_layer_net.py")
    after = _state()
    assert module.Affine.__name__ == "Affine"  # from common.layers, one folder up
    assert after[0] == before[0] and after[1] == before[1]
    assert not {m for m in after[2] - before[2] if m.split(".")[0] in ("common", "dataset")}


def test_two_learners_network_py_do_not_collide(tmp_path):
    for who, size in (("ann", 3), ("bob", 5)):
        (tmp_path / who).mkdir()
        (tmp_path / who / "helper.py").write_text(f"SIZE = {size}\n")
        (tmp_path / who / "network.py").write_text(
            "import helper\n\ndef size():\n    return helper.SIZE\n")
    ann = load(tmp_path / "ann" / "network.py")
    bob = load(tmp_path / "bob" / "network.py")
    assert (ann.size(), bob.size()) == (3, 5)


def test_constants_stay_and_assignments_that_work_are_skipped(tmp_path):
    (tmp_path / "net.py").write_text(
        "import numpy as np\n"
        "ETA = 3.0\n"
        "SIZES = [784, 30, 10]\n"
        "W = np.zeros((2, 2))\n"
        "def load():\n"
        "    raise RuntimeError('script part ran')\n"
        "data = load()\n"
        "X = np.loadtxt('missing.csv')\n"
        "for i in range(3):\n"
        "    print(i)\n"
        "if True:\n"
        "    def helper():\n"
        "        return ETA\n"
        "    train = load()\n"
        "from collections import OrderedDict\n"
        "import functools as ft\n"
        "LAYERS = OrderedDict(a=1)\n"
        "halve = ft.partial(np.multiply, 0.5)\n"
        "import tables\n"
        "TABLE = tables.table()\n")
    (tmp_path / "tables.py").write_text("def table():\n    raise RuntimeError('ran')\n")
    module = load(tmp_path / "net.py")
    assert module.LAYERS == {"a": 1} and module.halve(4) == 2  # the standard library's calls
    assert not hasattr(module, "TABLE")  # a sibling module's function is the learner's code
    assert module.ETA == 3.0 and module.SIZES == [784, 30, 10] and module.W.shape == (2, 2)
    assert module.helper() == 3.0  # an if-guarded def is kept
    assert not hasattr(module, "data") and not hasattr(module, "X")
    lines = {s.line for s in module.__skipped__}
    assert {7, 8, 9, 14, 20} <= lines


def test_syntax_error_names_file_and_line(tmp_path):
    (tmp_path / "net.py").write_text("import numpy as np\n\ndef f(:\n    pass\n")
    with pytest.raises(LearnerFileError) as e:
        load(tmp_path / "net.py")
    assert e.value.line == 3 and str(e.value).startswith("net.py:3: SyntaxError")


def test_python2_print_and_xrange_get_a_clear_message(tmp_path):
    (tmp_path / "old.py").write_text("def f():\n    print 'hello'\n")
    with pytest.raises(LearnerFileError, match="Python 2's print statement"):
        load(tmp_path / "old.py")
    (tmp_path / "old2.py").write_text("def f(n):\n    return [i for i in xrange(n)]\n")
    module = load(tmp_path / "old2.py")
    assert module.__python2__ == ["old2.py:2: xrange is Python 2; in Python 3 use range"]


def test_the_xrange_shim_of_code_that_runs_on_both_pythons_still_works(tmp_path):
    """`try: xrange` / `except NameError: xrange = range`: the bare name is a probe, not the
    script's work, so it runs and the handler binds xrange."""
    (tmp_path / "both.py").write_text("try:\n    xrange\nexcept NameError:\n    xrange = range\n"
                                      "\n\ndef f(n):\n    return list(xrange(n))\n")
    module = load(tmp_path / "both.py")
    assert module.f(3) == [0, 1, 2] and module.__python2__ == []


def test_weights_drawn_from_a_numpy_generator_at_module_level_are_kept(tmp_path):
    """`rng = np.random.default_rng(0)` then `W1 = rng.normal(...)`: numpy's work, not the
    script's, so W1 is there for the checks (a loader call beside it is still skipped)."""
    (tmp_path / "rows.py").write_text(
        "import numpy as np\n\nrng = np.random.default_rng(0)\n"
        "W1 = rng.normal(0, 0.1, (784, 16))\ndata = load_mnist('train.csv')\n")
    module = load(tmp_path / "rows.py")
    assert module.W1.shape == (784, 16) and not hasattr(module, "data")


def test_import_errors_name_the_learners_line(tmp_path):
    (tmp_path / "net.py").write_text("import numpy as np\nimport cPickle\n")
    with pytest.raises(LearnerFileError, match=r"net.py:2: .*cPickle is Python 2.*pickle"):
        load(tmp_path / "net.py")
    (tmp_path / "helper.py").write_text("import numpy\nfrom numpy import no_such_name\n")
    (tmp_path / "net2.py").write_text("import helper\n")
    with pytest.raises(LearnerFileError) as e:
        load(tmp_path / "net2.py")
    assert (Path(e.value.file).name, e.value.line) == ("helper.py", 2)
    assert "no_such_name" in str(e.value)


def test_missing_libraries_and_loaders_get_stand_ins_that_fail_when_used(tmp_path):
    (tmp_path / "net.py").write_text(
        "import numpy as np\n"
        "import matplotlib_not_here.pyplot as plt\n"
        "from keras_not_here.datasets import mnist\n"
        "import mnist_loader_not_sent\n"
        "def plot(xs):\n"
        "    plt.plot(xs)\n"
        "def double(x):\n"
        "    return 2 * x\n")
    module = load(tmp_path / "net.py")
    assert module.double(3) == 6  # the rest of the file works
    assert [m.split(":")[1] for m in module.__missing__] == ["2", "3", "4"]
    assert "matplotlib_not_here cannot be imported" in module.__missing__[0]
    with pytest.raises(ModuleNotFoundError, match="your code called matplotlib_not_here.pyplot"
                                                  ".plot"):
        module.plot([1, 2])


def test_missing_file_and_missing_target(programs):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load(programs / "nope.py")
    with pytest.raises(LookupError, match="defines no 'Netwrok'.*Network"):
        load(programs / "nielsen" / "network.py", "Netwrok")


def test_read_script_gives_the_training_scripts_constants(programs):
    statements, constants = read_script(programs / "dlfs" / "ch05" / "train_neuralnet.py")
    assert constants["learning_rate"] == 0.1 and constants["batch_size"] == 100
    assert any("TwoLayerNet(input_size=784" in s.text for s in statements)


def test_give_data_swaps_the_learners_loaders_for_bundled_data(programs):
    module = load(programs / "nielsen" / "network.py")
    data = make_data(784, train_size=20, test_size=10)
    give_data(module, data)
    training, validation, test = module.mnist_loader.load_data_wrapper()
    assert len(training) == 20 and training[0][0].shape == (784, 1)
    assert training[0][1].shape == (10, 1) and isinstance(test[0][1], int)
    np.testing.assert_array_equal(training[3][0].ravel(), data.train.X[3])
    dlfs = load(programs / "dlfs" / "ch05" / "train_neuralnet.py")
    give_data(dlfs, data)
    (x, t), (xt, tt) = dlfs.load_mnist(normalize=True, one_hot_label=True)
    assert x.shape == (20, 784) and t.shape == (20, 10) and xt.shape == (10, 784)


def test_give_data_fills_a_digits_folder_reader(tmp_path):
    (tmp_path / "net.py").write_text(
        "def handwritingData(path):\n    return open(path + '/0_1.txt').read()\n\n"
        "def train_from_disk():\n    return handwritingData('./trainingDigits')\n")
    module = load(tmp_path / "net.py")
    data = make_data(1024, train_size=12, test_size=5)
    give_data(module, data)
    X, labels = module.train_from_disk()  # the learner's function reaches the bundled digits
    assert X.shape == (12, 1024) and labels == [int(t) for t in data.train.labels]
