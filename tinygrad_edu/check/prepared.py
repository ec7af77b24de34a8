"""What the learner's script does to its data before the network sees it, read from the code.

The checks hand the learner's functions the bundled data themselves, so a script that scales its
training images by 1/255 and forgets its test images is not seen by running anything: the
network trains on inputs in [0, 1] and is scored on inputs in [0, 255], and the learner reads
"train 95%, test 10%" as a network that does not generalize. unscaled_test() reads the script
for it. Imports the standard library only.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

_SCALES = (255, 256)  # what pixels are divided by
_TRAIN = re.compile(r"(?i)train")
_INPUTS = re.compile(r"(?i)(^|_)x|x($|_)|image|img|pixel|input|feature|data")
_LABELS = re.compile(r"(?i)label|target|(^|_)y($|_)|^y|y$|class|digit")
# transforms that keep the values: a test array passed through one of these is not scaled
_KEEPS = {"reshape", "astype", "T", "flatten", "ravel", "transpose", "copy", "squeeze",
          "array", "asarray", "float32", "float64", "expand_dims"}


@dataclass
class Unscaled:
    train: str  # the training inputs' name (x_train)
    test: str  # its test twin's (x_test)
    scaled: int  # the line that scales the training inputs
    used: int  # a line that uses the test inputs unscaled
    factor: int  # 255 or 256
    file: str
    at: int  # where the test inputs should be divided: their last assignment before that use

    def sentence(self):
        return (f"your script divides {self.train} by {self.factor} (line {self.scaled}) but "
                f"never {self.test} (line {self.used}): the network learns from inputs in "
                f"[0, 1] and is scored on inputs up to 255, so the test figure "
                "your script prints is far below what these weights can do")


def _statements(tree):
    """The module's own statements: its top level and the body of `if __name__ == ...`."""
    for node in tree.body:
        if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
            yield from node.body
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                   ast.Import, ast.ImportFrom)):
            yield node


def _scripts(files):
    """(file, its own statements) for each of the learner's files that parses."""
    for file in files:
        try:
            tree = ast.parse(Path(file).read_text())
        except (OSError, SyntaxError, ValueError):
            continue
        yield file, list(_statements(tree))


def _divided(node):
    """[(name, factor)] for each `name ... / 255` (a division or `/=` by 255 or 256) in node."""
    found = []
    for n in ast.walk(node):
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div):
            left, right = n.left, n.right
        elif isinstance(n, ast.AugAssign) and isinstance(n.op, ast.Div):
            left, right = n.target, n.value
        else:
            continue
        if isinstance(right, ast.Constant) and right.value in _SCALES:
            found += [(m.id, int(right.value)) for m in ast.walk(left)
                      if isinstance(m, ast.Name)]
    return found


def _twin(name):
    """x_train -> x_test, train_images -> test_images, trainX -> testX (case kept)."""
    return _TRAIN.sub(lambda m: "".join(t.upper() if c.isupper() else t
                                        for c, t in zip(m.group(), "test")), name, count=1)


def unscaled_test(files):
    """The first Unscaled of the learner's files: training inputs divided by 255 (or 256) in the
    script (its top level and `if __name__ == "__main__":` block), their test twin (x_test for
    x_train) handed to a function and never divided, nor passed through anything but reshapes
    and casts; None when there is none."""
    for file, statements in _scripts(files):
        scaled, factors, changed, used, made = {}, {}, set(), {}, {}
        for s in statements:
            for name, factor in _divided(s):
                scaled.setdefault(name, s.lineno)
                factors.setdefault(name, factor)
            for n in ast.walk(s):
                if isinstance(n, ast.Assign):  # x_test = f(x_test): maybe scaled in f
                    targets = {t.id for t in ast.walk(ast.Tuple(n.targets))
                               if isinstance(t, ast.Name)}
                    for t in targets:
                        made.setdefault(t, []).append(s.lineno)
                    for _, factor in _divided(n.value)[:1]:  # X_test = images.T / 255.
                        for t in targets:
                            scaled.setdefault(t, s.lineno)
                            factors.setdefault(t, factor)
                    calls = {c.func.attr if isinstance(c.func, ast.Attribute) else
                             getattr(c.func, "id", "") for c in ast.walk(n.value)
                             if isinstance(c, ast.Call)}
                    if calls - _KEEPS:
                        changed |= {m.id for m in ast.walk(n.value) if isinstance(m, ast.Name)
                                    and m.id in targets}
                if isinstance(n, ast.Call):  # the test inputs handed to a function
                    for a in [*n.args, *(k.value for k in n.keywords)]:
                        for m in ast.walk(a):
                            if isinstance(m, ast.Name):
                                used.setdefault(m.id, s.lineno)
        for train, line in sorted(scaled.items(), key=lambda kv: kv[1]):
            test = _twin(train)
            if test == train or not _INPUTS.search(train) or \
                    _LABELS.search(train) and not _INPUTS.search(train):
                continue
            if test in scaled or test in changed or test not in used:
                continue
            prepared = [k for k in made.get(test, []) if k <= used[test]]
            return Unscaled(train, test, line, used[test], factors[train], str(file),
                            prepared[-1] if prepared else used[test])
    return None


_ONE_HOT = re.compile(r"(?i)eye\(|one_?hot|to_categorical|label_binarize")


@dataclass
class OneHotGiven:
    name: str  # the script's one-hot targets (Y_test)
    made: int  # the line that makes them one-hot
    call: int  # the line that hands them to the evaluation
    file: str


def _one_hots(statements):
    """{name: line} of the names the script makes one-hot: np.eye(10)[y], one_hot(y),
    to_categorical(y), or `Y[np.arange(m), labels] = 1` into an array of zeros."""
    found = {}
    for s in statements:
        for n in ast.walk(s):
            if not isinstance(n, ast.Assign) or len(n.targets) != 1:
                continue
            target = n.targets[0]
            if isinstance(target, ast.Name) and _ONE_HOT.search(ast.unparse(n.value)):
                found.setdefault(target.id, n.lineno)
            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and \
                    isinstance(n.value, ast.Constant) and n.value.value == 1 and \
                    re.search(r"range\(", ast.unparse(target.slice)):
                found.setdefault(target.value.id, n.lineno)
    return found


def one_hot_passed(files, function, position, argument):
    """The first call in the learner's script of function (by its name: `net.accuracy(...)`)
    that passes, as its argument at position (or by its keyword), a name the script made one-hot;
    None when there is none."""
    for file, statements in _scripts(files):
        hot = _one_hots(statements)
        for s in statements:
            for n in ast.walk(s):
                called = n.func.attr if isinstance(n, ast.Call) and \
                    isinstance(n.func, ast.Attribute) else getattr(getattr(n, "func", None),
                                                                   "id", None)
                if not isinstance(n, ast.Call) or called != function:
                    continue
                given = [n.args[position]] if position < len(n.args) else []
                given += [k.value for k in n.keywords if k.arg == argument]
                for g in given:
                    if isinstance(g, ast.Name) and g.id in hot and hot[g.id] <= n.lineno:
                        return OneHotGiven(g.id, hot[g.id], n.lineno, str(file))
    return None
