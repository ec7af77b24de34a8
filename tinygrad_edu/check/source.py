"""Loading a learner's file without running its script part, and reading what that part said.

``load(path)`` keeps the file's imports, functions, classes and constant assignments and skips its
top-level calls, loops, ``__main__`` block and assignments that do work (loading data, training),
with the file's folder on sys.path and as the cwd while it imports, its sibling modules loaded the
same safe way, and nothing left behind in sys.modules, sys.path or the cwd. The skipped statements
are kept (``module.__skipped__``) so recognizers can read ``net.SGD(training_data, 30, 10, 3.0)``.
``give_data`` swaps the learner's MNIST loaders for the bundled data. Standard library and numpy.
"""

import ast
import builtins
import contextlib
import importlib.abc
import importlib.util
import inspect
import os
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Calls that change nothing but the import path or the random state: kept, so that
# `sys.path.append(os.pardir)` before `from common.layers import *` works as for the learner.
_HARMLESS_CALLS = {"sys.path.append", "sys.path.insert", "sys.path.extend", "np.random.seed",
                   "numpy.random.seed", "random.seed", "warnings.filterwarnings",
                   "np.set_printoptions", "np.seterr"}
# Calls that read files or the network, wait for a person, or plot: an assignment that makes one
# is the script part even when the callee is not the learner's own.
_WORK_WORDS = ("load", "read", "open", "fetch", "download", "input", "train", "fit", "sgd",
               "show", "plot", "figure", "subplots", "listdir", "glob", "walk")
_PYTHON2_NAMES = {"xrange": "range", "raw_input": "input", "unicode": "str", "unichr": "chr",
                  "basestring": "str", "cPickle": "pickle", "izip": "zip"}


class LearnerFileError(ImportError):
    """The learner's file (or a module it imports) cannot be imported; names the file and line."""

    def __init__(self, message, file, line):
        super().__init__(f"{Path(file).name}:{line}: {message}" if line else message)
        self.file, self.line, self.message = str(file), line, message


@dataclass
class Skipped:
    """A top-level statement of the learner's script part that load() did not run."""

    file: str
    line: int
    text: str  # the statement's source
    node: ast.stmt

    def __str__(self):
        return f"{Path(self.file).name}:{self.line}: {' '.join(self.text.split())}"


def load(path, target=None):
    """Import the learner's file at path as a fresh module without running its script part.

    The module gains ``__skipped__`` (the Skipped statements, file order), ``__learner_files__``
    (the learner's files it and its siblings came from), ``__python2__`` (Python 2 leftovers
    found, each a message) and ``__missing__`` (libraries this machine lacks, such as matplotlib,
    each bound to a stand-in that fails only when used). target, when given, must name something
    the file defines.
    Syntax errors and failing imports raise LearnerFileError with the learner's file and line.
    """
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise FileNotFoundError(f"check: no such file: {path}; pass the learner's .py file, "
                                "optionally followed by :ClassOrFunction")
    folder = path.parent
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    saved_modules = dict(sys.modules)
    finder = _LearnerFinder([str(folder)], saved_path)
    hidden = _hide_shadowed(folder, finder)
    sys.path.insert(0, str(folder))
    sys.meta_path.insert(0, finder)
    os.chdir(folder)
    try:
        module = _new_module(path.stem, path)  # never put in sys.modules: no collisions
        _exec_safely(module, path, finder)
    finally:
        sys.meta_path.remove(finder)
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        for name in set(sys.modules) - set(saved_modules):
            if name in finder.loaded:  # the learner's modules; numpy's submodules may stay
                del sys.modules[name]
        sys.modules.update(hidden)
    module.__learner_files__ = [str(path), *sorted(finder.loaded.values())]
    if target is not None and not hasattr(module, target.split(".")[0]):
        defined = [n for n, v in vars(module).items() if _defined_in(v, module)]
        raise LookupError(f"check: {path.name} defines no {target!r}; it defines "
                          f"{', '.join(defined) or 'no classes or functions'}")
    return module


def function_of(lines, arguments, like, qualname):
    """A function made of the learner's own statements (line numbers as in their file) that
    takes arguments, compiled in the file and module of like (a function of theirs, or
    anything with its __name__, __globals__ and __code__.co_filename): the checks run the
    lines of a loop as one step and point at them (`params[k] -= lr * grads[k]` in train)."""
    made = ast.FunctionDef(name=like.__name__, args=ast.arguments(
        posonlyargs=[], args=[ast.arg(a) for a in arguments], vararg=None, kwonlyargs=[],
        kw_defaults=[], kwarg=None, defaults=[]), body=list(lines), decorator_list=[],
        returns=None, type_params=[])
    ast.copy_location(made, lines[0])
    code = compile(ast.fix_missing_locations(ast.Module([made], type_ignores=[])),
                   like.__code__.co_filename, "exec")
    inner = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    function = types.FunctionType(inner, like.__globals__, like.__name__)
    function.__qualname__ = qualname
    return function


def read_script(path):
    """The Skipped statements and {name: literal} constants of a script, without running it.

    For the training scripts that sit beside a DLFS network (``train_neuralnet.py``): their
    ``learning_rate = 0.1`` and ``network = TwoLayerNet(input_size=784, ...)``.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    tree = _parse(text, path)
    statements, constants = [], {}
    for node in _flatten(tree.body):
        statements.append(Skipped(str(path), node.lineno, ast.get_source_segment(text, node) or "",
                                  node))
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            with contextlib.suppress(ValueError, TypeError, SyntaxError, MemoryError):
                value = ast.literal_eval(node.value)
                if isinstance(node.targets[0], ast.Name):
                    constants[node.targets[0].id] = value
    return statements, constants


LOADERS = ("load_data_wrapper", "load_data", "load_mnist", "handwritingData")  # give_data's
_LOADING = re.compile(r"load|read|img2vec|parse", re.IGNORECASE)  # how learners name a loader


def own_loaders(module):
    """The learner's own data-loading functions that no check runs, by name (load_digits,
    img2vector): not the books' loaders give_data swaps for the bundled data."""
    found = []
    for mod in [module, *getattr(module, "__learner_modules__", [])]:
        for name, value in vars(mod).items():
            if inspect.isfunction(value) and _defined_in(value, mod) and \
                    _LOADING.search(name) and name not in LOADERS and name not in found \
                    and not _loads_a_network(value):
                found.append(name)
    return found


def _loads_a_network(fn):
    """Whether fn reads a saved network back (network2's load(filename), from JSON), not data."""
    try:
        return "json" in inspect.getsource(fn)
    except (OSError, TypeError):
        return False


def give_data(module, data):
    """Swap the learner's MNIST loaders, wherever their modules hold them, for the bundled data.

    Nielsen's ``load_data_wrapper``/``load_data``, DLFS's ``load_mnist`` and the 32×32 digits'
    ``handwritingData(folder)`` return data in the layout the originals return (lists of column
    pairs; tuples of row arrays; a matrix and a list of labels). The checks never
    need a loader; a learner function they call (a ``train`` that loads its own data) might.
    """
    replacements = {"load_data_wrapper": _nielsen_wrapper(data), "load_data": _nielsen_raw(data),
                    "load_mnist": _dlfs(data), "handwritingData": _digits_folder(data)}
    for mod in [module, *getattr(module, "__learner_modules__", [])]:
        for name, fake in replacements.items():
            original = getattr(mod, name, None)
            if callable(original):
                for holder in [module, *getattr(module, "__learner_modules__", [])]:
                    for key, value in list(vars(holder).items()):
                        if value is original:
                            setattr(holder, key, fake)


# ----- the safe import ----------------------------------------------------------------------------

class _LearnerFinder(importlib.abc.MetaPathFinder):
    """Finds the learner's own modules (beside the file, or on paths the file added) first."""

    def __init__(self, folders, system_path):
        self.folders, self.system_path, self.loaded = folders, set(system_path), {}
        self.modules = []

    def _learner_dirs(self):
        dirs = list(self.folders)
        dirs += [str(Path(p).resolve()) for p in sys.path if p not in self.system_path and p]
        return dirs

    def find_spec(self, name, path, target=None):
        base = name.rpartition(".")[2]
        roots = self._learner_dirs()
        search = roots if path is None else [
            p for p in path if any(_under(p, r) for r in roots)]
        for folder in search:
            file, package = Path(folder) / f"{base}.py", Path(folder) / base
            if package.is_dir() and (package / "__init__.py").is_file():
                file = package / "__init__.py"
            elif package.is_dir() and not file.is_file():
                file = None  # a folder without __init__.py: a namespace package
            elif not file.is_file():
                continue
            loader = _SafeLoader(file, self)
            return importlib.util.spec_from_file_location(
                name, file if file else package / "__init__.py", loader=loader,
                submodule_search_locations=[str(package)] if package.is_dir() else None)
        return None


class _SafeLoader(importlib.abc.Loader):
    def __init__(self, file, finder):
        self.file, self.finder = file, finder

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        self.finder.loaded[module.__name__] = str(self.file or "")
        self.finder.modules.append(module)
        if self.file is not None:
            _exec_safely(module, Path(self.file), self.finder)


def _under(path, root):
    try:
        Path(path).resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def _hide_shadowed(folder, finder):
    """Take out of sys.modules what the learner's own files would shadow (their `network`)."""
    hidden = {}
    for name in list(sys.modules):
        top = name.partition(".")[0]
        if (folder / f"{top}.py").is_file() or (folder / top / "__init__.py").is_file():
            hidden[name] = sys.modules.pop(name)
    return hidden


def _new_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    module.__name__ = name  # not "__main__": the learner's guarded block stays skipped
    return module


def _parse(text, path):
    try:
        return ast.parse(text, filename=str(path))
    except SyntaxError as e:
        message = e.msg
        if "Missing parentheses in call to 'print'" in message or (
                e.text and e.text.lstrip().startswith("print ")):
            message = (f"{message}: this is Python 2's print statement; in Python 3 write "
                       "print(...) with parentheses")
        elif "indent" in message.lower():
            message = f"{message} (check the indentation of the lines around it)"
        raise LearnerFileError(f"SyntaxError: {message}", path, e.lineno) from None


def _exec_safely(module, path, finder):
    text = path.read_text(encoding="utf-8", errors="replace")
    tree = _parse(text, path)
    module.__dict__.setdefault("__skipped__", [])
    module.__dict__.setdefault("__python2__", [])
    module.__dict__.setdefault("__missing__", [])
    module.__learner_modules__ = finder.modules
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in _PYTHON2_NAMES:
            module.__python2__.append(
                f"{path.name}:{node.lineno}: {node.id} is Python 2; in Python 3 use "
                f"{_PYTHON2_NAMES[node.id]}")
    kept = _split(tree.body, text, path, module.__skipped__, _library_names(tree))
    for node in kept:
        code = compile(ast.Module([node], type_ignores=[]), str(path), "exec")
        try:
            exec(code, module.__dict__)
        except LearnerFileError:
            raise
        except (ImportError, SyntaxError) as e:
            if isinstance(e, ModuleNotFoundError) and _stub_missing(module, node, e):
                module.__missing__.append(
                    f"{path.name}:{node.lineno}: {e.name} cannot be imported here (not "
                    f"installed, or not beside your file): `{ast.unparse(node)}` gets a "
                    "stand-in that fails only if a check calls it")
                continue
            name = getattr(e, "name", None)
            hint = _PYTHON2_NAMES.get(name or "", None)
            extra = f" ({name} is Python 2; in Python 3 use {hint})" if hint else ""
            raise LearnerFileError(f"{type(e).__name__}: {e}{extra}", path,
                                   _learner_line(e, path) or node.lineno) from None
        except Exception as e:
            if not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                # a constant that needs something the script part made: skip it too
                module.__skipped__.append(_skipped(node, text, path))
                continue
            raise LearnerFileError(f"{type(e).__name__}: {e}", path,
                                   _learner_line(e, path) or node.lineno) from None
    module.__python2__[:] = [  # xrange = range in a shim: the file runs on both
        n for n in module.__python2__ if n.split(": ")[1].split()[0] not in module.__dict__]


def _expit(x, out=None):
    """scipy.special.expit, the logistic sigmoid 1/(1 + e^−x), in numpy."""
    with np.errstate(over="ignore"):
        return np.divide(1.0, 1.0 + np.exp(-np.asarray(x, dtype=float)), out=out)


# What numpy computes the same, for a library this machine lacks: Make Your Own Neural
# Network's sigmoid is scipy.special.expit, and scipy is no dependency of ours
_NUMPY_SAME = {"scipy.special.expit": _expit}


class _Missing:
    """Stands in for a library the learner imports but this machine lacks (matplotlib, keras for
    its MNIST download, tqdm): harmless until used, then an error that says what happened."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        return _Missing(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs):
        same = _NUMPY_SAME.get(self._name)
        if same is not None:  # a function numpy computes as well (Rashid's sigmoid)
            return same(*args, **kwargs)
        error = ModuleNotFoundError(f"{self._name.partition('.')[0]} cannot be imported where "
                                    f"the checker runs, and your code called {self._name}")
        error.missing = self._name  # calls.raised skips the check, saying what to install
        raise error

    def __iter__(self):  # `for x in tqdm(...)` fails on the call above, not here
        raise TypeError(f"{self._name} stands in for a library that is not installed")


def _stub_missing(module, node, error):
    """Bind what a failed import would have bound to stand-ins: the checks need neither the
    learner's plotting library nor the loader module they did not send. False for Python 2's
    modules (named as such by the caller) and for imports inside a function or class."""
    missing = (error.name or "").partition(".")[0]
    if not missing or missing in _PYTHON2_NAMES or not isinstance(
            node, (ast.Import, ast.ImportFrom)):
        return False
    if isinstance(node, ast.ImportFrom) and node.level:
        return False  # `from .helpers import x`: the learner's own package
    for alias in node.names:
        if isinstance(node, ast.Import):
            bound = alias.asname or alias.name.partition(".")[0]
            full = alias.name if alias.asname else bound
        else:
            bound, full = alias.asname or alias.name, f"{node.module}.{alias.name}"
        if bound != "*":
            setattr(module, bound, _Missing(full))
    return True


def _learner_line(error, path):
    tb, line = error.__traceback__, None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _skipped(node, text, path):
    return Skipped(str(path), node.lineno, ast.get_source_segment(text, node) or "", node)


def _flatten(body):
    """Top-level statements, with if/try/with bodies opened up (the script part lives there)."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _flatten(node.body)
            yield from _flatten(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _flatten(node.body)
        elif isinstance(node, (ast.For, ast.While, ast.With)):
            yield node
            yield from _flatten(node.body)
        else:
            yield node


def opened(body):
    """A script's statements in order, the bodies of its if, try and with blocks opened up (a
    training script under `if __name__ == "__main__":`), loops kept whole."""
    for node in body:
        if isinstance(node, ast.If):
            yield from opened(node.body)
            yield from opened(node.orelse)
        elif isinstance(node, (ast.Try, ast.With)):
            yield from opened(node.body)
        else:
            yield node


def _library_names(tree):
    """The names the file binds to the standard library's or numpy's modules and objects."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for alias in node.names:
                top = (module or alias.name).partition(".")[0]
                if top in sys.stdlib_module_names or top == "numpy":
                    names.add(alias.asname or alias.name.partition(".")[0])
    for node in getattr(tree, "body", []):  # rng = np.random.default_rng(0): numpy's too
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call) and \
                _dotted(node.value.func).partition(".")[0] in names and \
                not _does_work(node.value, names):
            names.add(node.targets[0].id)
    return names


def _split(body, text, path, skipped, library):
    """The statements to run; the rest are appended to skipped (a whole block as one)."""
    kept = []
    for node in body:
        if _is_main_guard(node):
            skipped.extend(_skipped(n, text, path) for n in _flatten(node.body))
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef,
                               ast.AsyncFunctionDef)):
            kept.append(node)
        elif isinstance(node, ast.If):
            node.body = _split(node.body, text, path, skipped, library) or [ast.Pass()]
            node.orelse = _split(node.orelse, text, path, skipped, library)
            ast.fix_missing_locations(node)
            kept.append(node)
        elif isinstance(node, ast.Try):
            node.body = _split(node.body, text, path, skipped, library) or [ast.Pass()]
            ast.fix_missing_locations(node)
            kept.append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if node.value is not None and _does_work(node.value, library):
                skipped.append(_skipped(node, text, path))
            else:
                kept.append(node)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            kept.append(node)  # a docstring
        elif isinstance(node, ast.Expr) and isinstance(node.value, (ast.Name, ast.Attribute)):
            kept.append(node)  # a probe: `try: xrange` / `except NameError: xrange = range`
        elif (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
              and _dotted(node.value.func) in _HARMLESS_CALLS):
            kept.append(node)
        elif isinstance(node, (ast.Pass, ast.Global)):
            kept.append(node)
        else:  # calls, loops, with-blocks, prints, del, ...: the script part
            skipped.extend(_skipped(n, text, path) for n in _flatten([node]))
    return kept


def _is_main_guard(node):
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    names = [node.test.left, *node.test.comparators]
    return any(isinstance(n, ast.Name) and n.id == "__name__" for n in names)


def _dotted(func):
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def _does_work(value, library):
    """True when evaluating value calls anything but the standard library, numpy and builtins
    (the learner's own code, a sibling's loader, a constructor), or reads, trains or plots."""
    for node in ast.walk(value):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if any(word in name.rpartition(".")[2].lower() for word in _WORK_WORDS):
                return True  # np.loadtxt, open, pickle.load, plt.subplots, ...
            root = name.partition(".")[0]
            if root not in library and root not in vars(builtins):
                return True  # Network([784, 30, 10]), mnist_loader.load_data_wrapper()
    return False


def _defined_in(value, module):
    return getattr(value, "__module__", None) == module.__name__ and callable(value)


# ----- the bundled data in the learners' loaders' layouts -----------------------------------------

def _columns(sample, one_hot):
    xs = [x.reshape(-1, 1) for x in sample.X]
    ys = [y.reshape(-1, 1) for y in sample.Y] if one_hot else [int(t) for t in sample.labels]
    return list(zip(xs, ys))


def _nielsen_wrapper(data):
    def load_data_wrapper(*args, **kwargs):
        """The bundled subset as Nielsen's load_data_wrapper returns it: (train, val, test)."""
        return _columns(data.train, True), _columns(data.test, False), _columns(data.test, False)
    return load_data_wrapper


def _nielsen_raw(data):
    def load_data(*args, **kwargs):
        """The bundled subset as Nielsen's load_data returns it: (X rows, labels) three times."""
        test = (data.test.X.astype(np.float32), data.test.labels.astype(np.int64))
        return (data.train.X.astype(np.float32), data.train.labels.astype(np.int64)), test, test
    return load_data


def _dlfs(data):
    def load_mnist(normalize=True, flatten=True, one_hot_label=False):
        """The bundled subset as DLFS's load_mnist returns it: ((x, t), (x, t))."""
        def part(sample):
            x = sample.X if normalize else (sample.X * 255).astype(np.uint8)
            x = x if flatten else x.reshape(-1, 1, 28, 28)
            return x, (sample.Y if one_hot_label else sample.labels)
        return part(data.train), part(data.test)
    return load_mnist


def _digits_folder(data):
    def handwritingData(path, *args, **kwargs):
        """The bundled subset as handwritingData(folder) returns it: (X rows, list of labels)."""
        sample = data.test if "test" in str(path).lower() else data.train
        return sample.X.copy(), [int(t) for t in sample.labels]
    return handwritingData
