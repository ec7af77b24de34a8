"""Checking a learner's whole program: ``check_program`` turns a file, module, object, Adapter or
Learner into a Learner, builds the bundled Data and the oracle, and runs each check in CHECKS order
under a time budget, turning a hang or an exception in the learner's code into a finding with the
learner's line. Imports the package's data and presets, and the check package's source, shapes,
learner, report and (by name, from CHECKS) the oracle and one module per check.
"""

import ast
import contextlib
import importlib
import inspect
import io
import linecache
import random
import re
import signal
import sys
import sysconfig
import threading
import time
import traceback
import warnings
from pathlib import Path

import numpy as np

from .. import presets
from ..data import load_digits32, load_mnist, one_hot
from .calls import function_node, returned_calls
from .learner import CHECKS, Data, Learner, Sample, Where, generators
from .prepared import one_hot_passed, unscaled_test
from .report import ABOVE, CheckResult, ProgramReport
from .shapes import recognize
from .source import LearnerFileError, give_data, load, own_loaders

TRAIN_SIZE = 300  # canonical examples the checks train and batch on
TEST_SIZE = 200
# Budgets catch hangs, not slowness: a whole check takes ~4 s on 2 idle cores, but a second BLAS
# thread waiting for a busy core can make it 3× slower (docs/benchmarks.md), which is not a hang.
BUDGET_S = 180.0  # the whole check; each check gets at most its own cap below
CHECK_BUDGET_S = {"forward": 30.0, "gradients": 30.0, "update": 30.0, "minibatches": 30.0,
                  "evaluation": 30.0, "learning": 60.0, "book": 30.0}


class CheckTimeout(TimeoutError):
    """A check ran past its time budget (raised inside it in the main thread)."""


def check_program(target, *, adapter=None, like=None, checks=None, data=None, seed=0, plot=None,
                  budget_s=None):
    """Check a learner's whole program and return a ProgramReport in the learner's own names.

    target: a path "file.py" or "file.py:ClassOrFunction", a module, a learner's object, an
    Adapter (anything with .learner()) or a Learner. adapter: a callable(module) returning an
    Adapter or a Learner, for programs no recognizer knows. like: a preset name ("nielsen",
    "scratch", "3b1b", "digits32", ...) whose cost and activation are tried first where the
    program does not show them (Learner.like). checks: the names
    to run (default all of CHECKS), or {name: run(learner, data, oracle)} to run other code
    (with "oracle": build(learner, data) in it, that builds the oracle).
    data: a learner.Data (default: a seeded subset of bundled MNIST, or of the 32×32 digits
    for 1024 inputs). plot: a path the learning check may draw its curves to. budget_s: seconds
    for all checks together, loading not counted (default 180; each check has its own cap,
    CHECK_BUDGET_S).
    """
    start = time.perf_counter()
    notes = []
    try:
        with _quiet():  # a constructor's print stays out of the report too
            learner, module, made = _with_budget(lambda: _learner(target, adapter, data, seed),
                                                 CHECK_BUDGET_S["forward"])
    except LearnerFileError as e:
        return _failed(str(target), "load", e.message, f"{Path(e.file).name}:{e.line}", start)
    except Exception as e:  # building the learner's object ran their code: name its line
        where = _outside_frame(e)
        ours = str(e).startswith("check: ")  # the checker's limit (a shape it does not know)
        message = str(e).removeprefix("check: ") if ours else \
            f"building your network raised {type(e).__name__}: {e}"
        if isinstance(e, CheckTimeout):
            message = f"building your network did not finish within {e} (an endless loop?)"
        raised = None if ours or isinstance(e, CheckTimeout) else type(e).__name__
        return _failed(str(target), "load", message, where, start, raised)
    # a dropout mask is the same in every call a check compares, drawn by numpy, random, or
    # the learner's own generator (an rng in the module or on its objects)
    learner.same_draws(generators(module, *_owners(learner)) if module is not None else
                       generators(*_owners(learner)))
    if module is not None:
        loaded_modules = [module, *getattr(module, "__learner_modules__", [])]
        learner.modules = learner.modules or loaded_modules
        for loaded in loaded_modules:
            notes += getattr(loaded, "__python2__", []) + getattr(loaded, "__missing__", [])
    if like is not None:
        preset = presets.get(like)
        learner.like = (preset.loss, preset.activation)
        notes.append(f"--like {preset.name}: cost {learner.cost or preset.loss}, activation "
                     f"{learner.activation or preset.activation}, where your program does not "
                     "show another")
    if data is None:
        n_in = _input_size(learner)
        data = made if made is not None and made.train.X.shape[1] == n_in else make_data(
            n_in, seed=seed)
    if module is not None:
        give_data(module, data)
        loaders = own_loaders(module)
        if loaders:
            notes.append(f"not run: {', '.join(loaders)}, your own loading code: the checks give "
                         f"your network the bundled {data.name} directly, so a loader that pairs "
                         "images with the wrong labels, or scales or drops some, is not seen "
                         "here (print a few images beside their labels to check it)")
    runs = _check_functions(checks, plot)
    budget = BUDGET_S if budget_s is None else float(budget_s)
    initial = learner.snapshot()
    with _quiet():
        _seed(seed)
        try:
            build = runs.pop("oracle", None) or _import("oracle").build
            oracle = build(learner, data)
            if getattr(oracle, "scales", None):  # said once, for every check that reads it
                notes.append(oracle.scaling())
            if getattr(oracle, "input_scale", 1) != 1:
                notes.append(oracle.input_scaling())
        except ModuleNotFoundError as e:
            return ProgramReport(learner.name, [CheckResult(
                "forward", "skipped", f"the checks are not installed here ({e})")],
                learner.notes + notes, time.perf_counter() - start)
        except Exception as e:
            return ProgramReport(learner.name, [_error("forward", e, learner, "building the "
                                                       "oracle from your parameters")],
                                 learner.notes + notes, time.perf_counter() - start)
    results, checks_start = [], time.perf_counter()  # the budget is the checks' own time
    for name, run in runs.items():
        left = budget - (time.perf_counter() - checks_start)
        if left <= 0:
            results.append(CheckResult(name, "skipped", f"not run: the time budget of {budget:g} "
                                       "s was spent by the checks before it"))
            continue
        learner.restore(initial)
        _seed(seed)
        results.append(_run_one(name, run, learner, data, oracle,
                                min(left, CHECK_BUDGET_S.get(name, 10.0))))
    learner.restore(initial)
    _after_none(results, learner)
    _after_stale(results)
    _after_output_helper(results)
    _after_cancelled_sign(results)
    _after_read_after_step(results)
    _after_unscaled_test(results, learner)
    _after_one_hot_passed(results, learner)
    _unexplained(results)
    return ProgramReport(learner.name, results, learner.notes + notes,
                         time.perf_counter() - start)


def _owners(learner):
    """The objects the learner's functions are bound to (a network whose self.rng draws)."""
    return [f.__self__ for f in (learner.forward, learner.grads, learner.step, learner.evaluate)
            if getattr(f, "__self__", None) is not None]


def _after_none(results, learner):
    """Checks that only tripped over the None a forward pass without `return` gave them are
    that finding's consequence, not findings of their own: skipped, saying so. Tripped over it:
    the error is about a None, or its line calls that forward pass (`np.argmax(self.forward(X),
    axis=1)` raises AxisError, not a NoneType error)."""
    forward = next((r for r in results if r.check == "forward"), None)
    if forward is None or forward.status != "wrong" or "returned" not in forward.data or \
            forward.data["returned"] is not None:
        return
    name = forward.summary.partition(" returns None")[0]
    # the forward pass's name (Sequential.predict) and those of the calls it returns (forward)
    names = {name.rpartition(".")[2]} | returned_calls(learner.where.get("forward"))
    calls_it = re.compile(r"\b(%s)\(" % "|".join(map(re.escape, sorted(names))))
    for r in results:
        if r.status == "error" and ("NoneType" in str(r.data.get("message", "")) or
                                    calls_it.search(_failing_line(r))):
            r.status = "skipped"
            r.summary = f"not checked: {name} returns None (see forward), and {r.summary}"


def _after_cancelled_sign(results):
    """Gradients exactly −1× autograd's beside an update the update check finds right: the
    backprop computes −∇C (dZL = Y − AL) and the update adds it (p + η·g). The two signs cancel
    and every step is right: not a finding, but said, beside the books' convention."""
    by = {r.check: r for r in results}
    gradients, update = by.get("gradients"), by.get("update")
    if gradients is None or update is None or gradients.status != "wrong" or \
            update.status != "ok" or "exactly -1× autograd's" not in gradients.summary or \
            "p − η·∇C" not in update.summary or (by.get("learning") and
                                                  by["learning"].status == "wrong"):
        return
    name = gradients.summary.partition(":")[0]
    gradients.status = "ok"
    gradients.details.insert(0, f"as your code computes them: {gradients.summary}")
    gradients.summary = (f"{name}'s gradients are −1× autograd's, the sign flipped ((y − a) where "
                         "the books have (a − y)), and your update adds them (p + η·g): the two "
                         "signs cancel, so each step goes down the gradient (see update); the "
                         "books' δᴸ = a − y with p − η·∇C keeps one convention for the next "
                         "change you make")
    book = by.get("book")
    if book is not None and book.status == "skipped" and "no textbook rule" in book.summary:
        book.summary = (f"{name}'s gradients are −1× autograd's, their signs cancelled by the "
                        "update's (see gradients)")


def _after_read_after_step(results):
    """Gradients read from an update (before − after) that steps a weight and then computes
    the error below with it: the gradients check's finding is the update check's, at its line."""
    by = {r.check: r for r in results}
    gradients, update = by.get("gradients"), by.get("update")
    if gradients is None or update is None or gradients.status != "wrong" or \
            "read_after_step" not in update.data:
        return
    w, step, read = update.data["read_after_step"]
    gradients.details.insert(0, f"this is the update check's finding: line {read} reads {w} "
                             f"after line {step} has stepped it, so the layers below it get "
                             "an error made with the new weights (see update)")
    gradients.where = update.where


def _after_unscaled_test(results, learner):
    """The script divides its training images by 255 and not its test images (read from its
    code: the checks give the learner's functions the data themselves, so nothing they run
    shows it): an evaluation finding at the line that prepares the test images (or uses them),
    whatever the learner's own evaluation function does with what it is given."""
    evaluation = next((r for r in results if r.check == "evaluation"), None)
    found = unscaled_test(learner.files) if evaluation is not None else None
    if found is None:
        return
    place = str(Where("your script", found.file, found.at))
    if evaluation.status == "wrong":
        evaluation.details.append(f"and {found.sentence()} ({place})")
        return
    if evaluation.status == "ok":
        evaluation.details.insert(0, f"as the checker calls it: {evaluation.summary}")
    evaluation.status, evaluation.summary, evaluation.where = "wrong", found.sentence(), place
    evaluation.details.append(f"divide {found.test} by {found.factor} as {found.train} is, "
                              "before anything scores it")
    evaluation.data["unscaled_test"] = [found.train, found.test, found.scaled, found.used]


def _after_one_hot_passed(results, learner):
    """An evaluation that is right when given the digits (it compares them with the predicted
    ones), which the learner's script hands one-hot targets it made itself (`Y_test =
    np.eye(10)[y_test]`, then `net.accuracy(X_test, Y_test)`): each predicted digit is compared
    with ten numbers, and the figure is not the accuracy. Read from the script's code."""
    evaluation = next((r for r in results if r.check == "evaluation"), None)
    w = learner.where.get("evaluate")
    node = function_node(w) if evaluation is not None and evaluation.status == "ok" else None
    names = [a.arg for a in node.args.args if a.arg != "self"] if node is not None else []
    if len(names) < 2:
        return
    argument = names[1]
    if any(isinstance(n, ast.Call) and ast.unparse(n.func).endswith("argmax") and any(
            isinstance(a, ast.Name) and a.id == argument
            for a in [*n.args[:1], getattr(n.func, "value", None)]) for n in ast.walk(node)):
        return  # it takes the digits out of one-hot targets itself: np.argmax(y), y.argmax()
    found = one_hot_passed(learner.files, node.name, 1, argument)
    if found is None:
        return
    name = w.function
    evaluation.details.insert(0, f"as the checker calls it, with the digits: {evaluation.summary}")
    evaluation.status = "wrong"
    evaluation.summary = (f"{name} compares the predicted digits with its {argument}, and your "
                          f"script hands it {found.name}, which it made one-hot (line "
                          f"{found.made}): each prediction is compared with {found.name}'s rows "
                          "of ten numbers, so the figure it prints is not the accuracy")
    evaluation.where = str(Where("your script", found.file, found.call))
    evaluation.details.append(f"pass the digits, or take np.argmax({argument}, axis=1) in "
                              f"{name} when it is given one-hot rows")
    evaluation.data["one_hot_passed"] = [found.name, found.made, found.call]


def _after_output_helper(results):
    """When the forward check found the output's own helper wrong (a softmax over the wrong
    axis), the wrong gradients, figures and training after it read that output too: each says
    so, and to fix the helper first (they stay findings: the check cannot tell what else is
    wrong until then)."""
    forward = next((r for r in results if r.check == "forward"), None)
    helper = forward.data.get("helper") if forward is not None and forward.status == "wrong" \
        else None
    if not helper:
        return
    for r in results:
        if r.check in ("gradients", "evaluation", "learning") and r.status == "wrong":
            r.details.insert(0, f"this may be the forward check's finding again: your output "
                             f"comes from {helper}, which is wrong; fix it first and check "
                             "again")


_SHAPES = re.compile(r"shape|broadcast|align|dimension|size", re.IGNORECASE)


def _after_stale(results):
    """Checks whose step raised over shapes after the update or gradients check found stale
    activations: arrays of an earlier forward pass on another number of examples (an
    evaluation's 200, a batch's 128) meet this batch's, so the raise is that finding's
    consequence: skipped, naming it."""
    stale = next((r for r in results if r.check in ("gradients", "update") and
                  r.status == "wrong" and "stale activations" in r.summary), None)
    if stale is None:
        return
    name = stale.summary.partition(" stale activations")[0].removesuffix(
        " computes its gradients from").removesuffix(" uses")
    for r in results:
        if r.status == "error" and r.check not in ("forward", "gradients") and \
                r.data.get("exception") in ("ValueError", "IndexError") and \
                _SHAPES.search(str(r.data.get("message", ""))):
            r.status = "skipped"
            r.summary = (f"not checked: {name} reads stale activations (see {stale.check}), "
                         f"and {r.summary}")


def _failing_line(result):
    """The text of the learner's line where result's exception was raised ('' if unknown)."""
    file, line = result.data.get("file"), result.data.get("line")
    return linecache.getline(file, line) if file and line else ""


def _unexplained(results):
    """A learning check that fails with no other check failing does not send the reader to the
    checks above: it says what they cannot see."""
    if any(r.status in ("wrong", "error") for r in results if r.check != "learning"):
        return
    for r in results:
        if r.check == "learning" and ABOVE in r.details:
            r.details[r.details.index(ABOVE)] = (
                "no check above explains it: the step differs from plain SGD in a way they "
                "cannot see from one step (gradients m× too large that read as a summed "
                "cost's: give the Adapter reduction='mean'; momentum or a learning-rate "
                "schedule that grows)")


def make_data(n_in=784, *, seed=0, train_size=TRAIN_SIZE, test_size=TEST_SIZE):
    """A seeded subset of the bundled data, canonical: MNIST for 784 inputs, digits32 for 1024."""
    rng = np.random.default_rng(seed)
    if n_in == 1024:
        name = "digits32"
        parts = {s: load_digits32(split=s, dtype="float64") for s in ("train", "test")}
        parts = {s: (X, y) for s, (X, y) in parts.items()}
    elif n_in == 784:
        name = "mnist"
        ds = load_mnist(normalize=False)
        parts = {"train": (ds.train.X, ds.train.y), "test": (ds.test.X, ds.test.y)}
    else:
        raise ValueError(f"check: the first layer reads {n_in} inputs; the bundled data has 784 "
                         "(MNIST 28×28) or 1024 (32×32 digits). Pass data=Data(...) for others")
    samples = {}
    for split, size in (("train", train_size), ("test", test_size)):
        X, y = parts[split]
        pick = np.sort(rng.choice(len(X), size=min(size, len(X)), replace=False))
        x = X[pick].astype(np.float64) / (255.0 if name == "mnist" else 1.0)
        labels = y[pick].astype(np.int64)
        samples[split] = Sample(x, one_hot(labels, 10, dtype="float64"), labels)
    return Data(name, samples["train"], samples["test"])


# ----- turning the target into a Learner ----------------------------------------------------------

def _learner(target, adapter, data, seed):
    """(Learner, the learner's module or None, the Data made for it or None) for any target."""
    if isinstance(target, Learner):
        return target, None, None
    module, name = None, None
    if isinstance(target, (str, Path)):
        path, _, name = str(target).rpartition(":") if _has_target(target) else (target, "", "")
        _seed(seed)  # weights drawn at import (W1 = np.random.randn(...)): the same every run
        module = load(path, name or None)
        name = name or None
    elif inspect.ismodule(target):
        module = target
    elif hasattr(target, "learner") and callable(target.learner):
        return target.learner(), None, None
    shape_data = data if data is not None else make_data(784, seed=seed)
    if module is not None:  # before the learner's code runs: a constructor may load data
        give_data(module, shape_data)
    if adapter is not None:
        _seed(seed)  # the adapter builds the network: its weights the same on every run
        made = adapter(module if module is not None else target)
        return (made if isinstance(made, Learner) else made.learner()), module, shape_data
    if module is not None and name is not None:
        found = module
        for part in name.split("."):
            found = getattr(found, part)
        if hasattr(found, "learner") and callable(found.learner) and not inspect.isclass(found):
            return found.learner(), module, None
    if module is None:
        return recognize(target, shape_data, seed=seed), None, shape_data
    learner = recognize(module, shape_data, name=name, seed=seed)
    n_in = _input_size(learner)
    if data is None and n_in != 784 and n_in == 1024:  # built from sizes the data implied
        shape_data = make_data(n_in, seed=seed)
        learner = recognize(module, shape_data, name=name, seed=seed)
    return learner, module, shape_data


def _has_target(target):
    _, sep, tail = str(target).rpartition(":")
    return bool(sep) and all(part.isidentifier() for part in tail.split("."))


def _input_size(learner):
    """The first layer's input size, from its weight's shape in the learner's layout."""
    first = [p for p in learner.params if p.layer == 1 and p.role == "W"]
    if not first:
        return 784
    shape = np.shape(first[0].get())
    if len(shape) != 2:
        return 784
    n = shape[1] if learner.layout == "columns" else shape[0]
    return n if n in (784, 1024) else max(shape) if max(shape) in (784, 1024) else n


def _failed(name, check, message, where, start, raised=None):
    """A report of one failed step; raised: the learner's exception's name, when there was one."""
    result = CheckResult(check, "error", message, where=where,
                         data={"exception": raised} if raised else {})
    return ProgramReport(name, [result], [], time.perf_counter() - start)


# ----- running one check --------------------------------------------------------------------------

def _import(name):
    return importlib.import_module(f"{__package__}.{name}")


def _check_functions(checks, plot=None):
    if isinstance(checks, dict):
        return dict(checks)
    names = CHECKS if checks is None else tuple(checks)
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"check_program: unknown check(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(CHECKS)}")
    runs = {}
    for name in names:
        def run(learner, data, oracle, name=name):
            check = _import(name).run
            if plot is not None and "plot" in inspect.signature(check).parameters:
                return check(learner, data, oracle, plot=plot)  # the learning check draws
            return check(learner, data, oracle)
        runs[name] = run
    return runs


def _seed(seed):
    np.random.seed(seed)
    random.seed(seed)


@contextlib.contextmanager
def _quiet():
    """The learner's prints ("Epoch 0 complete") and overflow warnings stay out of the report."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), \
            np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _run_one(name, run, learner, data, oracle, seconds):
    start = time.perf_counter()
    result = _run_guarded(name, run, learner, data, oracle, seconds)
    result.data.setdefault("seconds", round(time.perf_counter() - start, 3))
    return result


def _run_guarded(name, run, learner, data, oracle, seconds):
    with _quiet():
        try:
            result = _with_budget(lambda: run(learner, data, oracle), seconds)
        except CheckTimeout as e:
            where = _learner_frame(e, learner)
            return CheckResult(name, "error", f"did not finish within {seconds:.0f} s"
                               + (f": stuck in {where}" if where else "")
                               + "; an endless loop, or far more work than one check needs",
                               where=where)
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.{name}":
                return CheckResult(name, "skipped", f"the {name} check is not installed here")
            return _error(name, e, learner)
        except Exception as e:
            return _error(name, e, learner)
    if not isinstance(result, CheckResult):
        raise TypeError(f"check {name!r} returned {type(result).__name__}, not a CheckResult")
    return result


def _with_budget(call, seconds):
    """call() under a time budget: SIGALRM in the main thread, a watched thread elsewhere."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def alarm(signum, frame):
            raise CheckTimeout(f"{seconds:g} s")
        previous = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return call()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    box = {}

    def work():
        try:
            box["result"] = call()
        except BaseException as e:  # handed over to the caller's thread below
            box["error"] = e
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():  # it cannot be stopped from here; it runs on as a daemon thread
        frame = sys._current_frames().get(worker.ident)
        error = CheckTimeout(f"{seconds:g} s")
        error.frames = list(reversed(list(traceback.walk_stack(frame)))) if frame else []
        raise error
    if "error" in box:
        raise box["error"]
    return box["result"]


def _learner_frame(error, learner):
    """"Class.function (file:line)" of the innermost frame in the learner's own files."""
    files = {str(Path(f).resolve()) for f in learner.files if f}
    frames = getattr(error, "frames", None) or list(traceback.walk_tb(error.__traceback__))
    for frame, line in reversed(frames):
        code = frame.f_code
        if str(Path(code.co_filename).resolve()) in files:
            name = getattr(code, "co_qualname", code.co_name)  # Python 3.11 knows the class
            return f"{name} ({Path(code.co_filename).name}:{line})"
    return None


def _outside_frame(error):
    """"function (file:line)" of the innermost frame outside this package: the learner's."""
    # not ours, not numpy's, not the standard library's
    theirs = {Path(__file__).resolve().parents[1], *(Path(sysconfig.get_paths()[k]).resolve()
                                                    for k in ("stdlib", "purelib", "platlib"))}
    frames = getattr(error, "frames", None) or list(traceback.walk_tb(error.__traceback__))
    for frame, line in reversed(frames):
        code = frame.f_code
        file = Path(code.co_filename).resolve()
        if file.is_file() and not theirs & set(file.parents):
            return f"{getattr(code, 'co_qualname', code.co_name)} ({file.name}:{line})"
    return None


def _error(name, error, learner, doing=None):
    where = _learner_frame(error, learner)
    message = f"{type(error).__name__}: {error}"
    if isinstance(error, NameError) and getattr(error, "name", "") in ("xrange", "raw_input"):
        message += " (Python 2; in Python 3 write range / input)"
    summary = (f"{doing}: " if doing else "your code raised ") + message
    if where:
        summary += f" in {where}"
    lines = []
    frames = traceback.extract_tb(error.__traceback__)
    files = {str(Path(f).resolve()) for f in learner.files if f}
    for frame in frames:
        if str(Path(frame.filename).resolve()) in files and frame.line:
            lines.append(f"{Path(frame.filename).name}:{frame.lineno}: {frame.line}")
    return CheckResult(name, "error", summary, details=lines[-3:], where=where,
                       data={"exception": type(error).__name__, "message": str(error)})
