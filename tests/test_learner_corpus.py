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
