"""The mini-batches check: one epoch of the learner's own loop on an instrumented training set,
its update replaced by a recorder: how many distinct examples it trains on and how often ("604 of
60,000 used; example 479 used 125 times"), overlapping batches, and the same order every epoch.

A last partial batch dropped is fine, and so is sampling with replacement (DLFS draws each batch
with np.random.choice). It imports calls only: the oracle is not needed.
"""

import ast
import dataclasses
import re
from pathlib import Path

import numpy as np

from .calls import called_name, function, function_node, raised, skipped, where
from .report import CheckResult

EPOCH = {"mnist": 60_000, "digits32": 1_934}  # a training epoch of each bundled dataset


def _contiguous(batch):
    return len(batch) > 1 and all(b - a == 1 for a, b in zip(batch, batch[1:]))


def _shared(batches):
    """How many examples two consecutive batches have in common, on average: about size²/n for
    random draws, size − step for slices of one (shuffled) list that step by less than the
    batch size."""
    pairs = list(zip(batches, batches[1:]))
    return sum(len(set(a).intersection(b)) for a, b in pairs) / len(pairs) if pairs else 0.0


def _most_uses(draws, n, chance=1e-6):
    """The most times any of n examples is drawn in `draws` uniform random draws, but for a
    `chance` of exceeding it: the Poisson tail, so a long random run (DLFS's 10,000 iterations
    of np.random.choice) is not taken for overlapping slices."""
    lam = draws / n
    k, pmf, tail = 0, np.exp(-lam), 1.0
    while n * tail >= chance and k < draws:
        tail -= pmf  # tail is P(X > k) after this step
        k += 1
        pmf *= lam / k
    return max(k, 1)


def run(learner, data, oracle):
    """Record one epoch of the learner's batches and count how each example is used."""
    if learner.batches is None:
        return skipped("minibatches", f"{learner.name} has no epoch loop the checker can run")
    # The instrumented examples carry only their index, so the epoch can be as long as the
    # learner's own: "604 of 60,000 used" reads as the learner's epoch does.
    n = EPOCH.get(data.name, len(data.train))
    name = function(learner, "epoch", "the epoch loop")
    place = where(learner, "epoch")
    try:
        recorded = learner.batches(n)
        n = getattr(recorded, "n", None) or n  # fewer, where the update ran for real
        first = [[int(i) for i in b] for b in recorded]
        again = min(n, 1000)  # a second, shorter epoch: is the order the same every time?
        second = [[int(i) for i in b] for b in learner.batches(again)]
    except Exception as e:
        return raised("minibatches", e, learner, "epoch")
    kept = (f"minibatches: {name} uses what {function(learner, 'update', 'the update')} "
            "returns, so the recorder ran it too (as the Adapter's epoch_keep=True does)")
    if getattr(recorded, "kept", False) and kept not in learner.notes:
        learner.notes.append(kept)
    flat = [i for b in first for i in b]
    if not flat:
        return CheckResult("minibatches", "wrong", f"{name} trains on no batch at all in an "
                           f"epoch of {n:,} examples", where=place)
    outside = [i for i in flat if not 0 <= i < n]
    if outside:
        return CheckResult("minibatches", "wrong", f"{name} asks for example {outside[0]}, "
                           f"outside the {n:,} it was given", where=place)
    checked, wrong = getattr(recorded, "checked", 0), getattr(recorded, "wrong", 0)
    held_out = getattr(learner.batches, "held_out", [])
    if checked and held_out and getattr(recorded, "moved", 0) > 0.9 * checked:
        line = _line_naming(learner, held_out)
        return CheckResult(
            "minibatches", "wrong", f"{name} trains on the labels of its held-out data "
            f"({', '.join(held_out)}): {recorded.moved:,} of the first {checked:,} targets in "
            "its batches are those the checker gave it as held-out labels, not the training "
            "examples' own",
            details=["the checker gave the held-out arguments labels of their own (each "
                     "example's moved on by one) and the batches carry them: the training "
                     "images are paired with the test labels; pair them with the training "
                     "labels"],
            where=line or place, data={"labels_checked": checked,
                                       "labels_held_out": recorded.moved})
    if checked and wrong > checked / 2:  # by chance, one label in n_out would be right
        return CheckResult(
            "minibatches", "wrong", f"{name} pairs the examples with other examples' labels: "
            f"{wrong:,} of the first {checked:,} targets in its batches are not their own "
            "example's",
            details=["the images and the labels are shuffled apart (two different "
                     "permutations, or one array shuffled and not the other): shuffle both "
                     "with one permutation, p = np.random.permutation(m); X, Y = X[p], Y[p] "
                     "(X[:, p] for examples as columns)"],
            where=_shuffle_apart(learner) or place,
            data={"labels_checked": checked, "labels_wrong": wrong})
    counts = np.bincount(flat, minlength=n)
    used, draws = int((counts > 0).sum()), len(flat)
    worst = int(np.argmax(counts))
    sizes = [len(b) for b in first]
    size = learner.batch_size or max(set(sizes), key=sizes.count)
    facts = f"{used:,} of {n:,} used; example {worst} used {counts[worst]} times"
    data_ = {"examples": n, "used": used, "draws": draws, "batches": len(first),
             "most_used": worst, "most_used_times": int(counts[worst])}
    epoch = f"one epoch of {name} ({len(first):,} batch{'es' if len(first) != 1 else ''} of {size})"
    details = []
    k = len(second) - 1  # the batches both epochs have whole: the same ones first, unshuffled?
    once = None
    if k > 1 and first[:k] == second[:k]:
        unused = _unused_shuffle(learner)
        if unused is not None:  # it draws an order, then walks the data in its own
            line, text = unused
            return CheckResult("minibatches", "wrong",
                               f"{name} draws a shuffled order at line {line} (`{text}`), but "
                               "its batches come in the same order every epoch: that order is "
                               "never used",
                               details=["index the examples with it (x, y = training_data["
                                        "order[i]], or X[order], Y[order]) or shuffle the list "
                                        "itself (random.shuffle(training_data))"],
                               where=str(dataclasses.replace(learner.where["epoch"], line=line)),
                               data={"examples": n, "batches": len(first)})
        details.append("the batches come in the same order every epoch: they are not shuffled "
                       "(shuffle the training data at the start of each epoch)")
    elif size > 1:
        once = _shuffled_once(learner, second, again)
    if once is not None:
        line, loop = once
        at = f", at line {line}, before its epoch loop (line {loop})" if line else \
            ", before its epoch loop"
        details.insert(0, f"it shuffles the training data once{at}: every epoch then trains "
                       "on the same batches in the same order; shuffle at the start of each "
                       "epoch, inside the loop")
        if line:
            place = str(dataclasses.replace(learner.where["epoch"], line=line))
    claims_sgd = "sgd" in name.lower() or "stochastic" in name.lower()
    if counts.max() <= 1:
        missing = n - used
        if missing == 0:
            summary = f"{epoch} uses each of the {n:,} examples once"
        elif missing < size and (sorted(flat) == list(range(used)) or not details):
            # the tail of the list, or (shuffled every epoch) other examples each epoch
            summary = (f"{epoch} uses {used:,} of {n:,} examples once each; the last partial "
                       f"batch of {missing} is dropped, which is fine")
        elif _held_out(learner.where.get("epoch")) and sorted(flat) == list(
                range(min(flat), min(flat) + used)):  # one block: the rest set aside on purpose
            line, text = _held_out(learner.where.get("epoch"))
            summary = (f"{epoch} uses {used:,} of {n:,} examples once each; it holds out the "
                       f"other {missing:,} at line {line} (`{text}`) and never trains on them: "
                       "a validation set, which is fine")
        else:
            scaled = _scaled_slice(learner.where.get("epoch"))
            if scaled is not None:  # X[i * batch_size:...] with i stepping by batch_size
                line, text, var = scaled
                details.insert(0, f"`{text}`: {var} already steps by the batch size, and the "
                               "slice multiplies it by the batch size again, so it jumps over "
                               f"all but one batch in every {size}; slice X[{var}:{var} + "
                               f"{size}] (or let {var} count batches: range(n // {size}))")
                place = str(dataclasses.replace(learner.where["epoch"], line=line))
            return CheckResult("minibatches", "wrong",
                               f"{epoch} trains on only {used:,} of {n:,} examples",
                               details=details, where=place, data=data_)
        if details and (claims_sgd or once):  # shuffling once says SGD was meant
            return CheckResult("minibatches", "wrong", f"{name}: {details[0]}", where=place,
                               data=data_)
        return CheckResult("minibatches", "ok", summary, details=details, where=place,
                           data=data_)
    # Some example is used more than once: sampling with replacement, or overlapping batches,
    # from all the examples or from one block of them (x_train = x_train[:300] before the loop)
    lo, hi = min(flat), max(flat) + 1
    pool = hi - lo if hi - lo <= 0.9 * n else n
    expected = 1 - np.exp(-draws / pool)
    shared = _shared(first)
    sliding = shared >= max(1.0, 2 * size * size / pool)  # far more than random draws share
    if not sliding and not any(_contiguous(b) for b in first) and \
            abs(used / pool - expected) < 0.05 and counts.max() < _most_uses(draws, pool):
        if pool < n:
            cut = _prefix_slice(learner.where.get("epoch"), lo, hi)
            return CheckResult(
                "minibatches", "wrong", f"{epoch} trains on only {used:,} of {n:,} examples: it "
                f"draws its batches at random with replacement from examples {lo:,} to "
                f"{hi - 1:,} alone",
                details=[(f"`{cut[1]}` at line {cut[0]} keeps" if cut else "a slice of the "
                          f"training data before the loop (x_train[:{hi}]) keeps") +
                         f" only {hi - lo:,} examples (Deep Learning from Scratch's overfitting "
                         "demos do so on purpose; to learn the digits, train on them all)"],
                where=str(dataclasses.replace(learner.where["epoch"], line=cut[0])) if cut
                else place, data=data_)
        return CheckResult("minibatches", "ok",
                           f"{epoch} draws its batches at random with replacement: {facts}, "
                           f"as expected of {draws:,} random draws", details=details,
                           where=place, data=data_)
    starts = [b[0] for b in first]
    steps = {b - a for a, b in zip(starts, starts[1:])}
    if all(_contiguous(b) for b in first[:-1]) and len(steps) == 1 and 0 < min(steps) < size:
        step = steps.pop()
        details.insert(0, f"batch k starts at example k·{step} but holds {size}: the slices "
                       f"step by {step}, not by the batch size, so they overlap; take "
                       f"data[k:k + {size}] for k in range(0, n, {size})")
    elif sliding:  # the same slices of a shuffled list: no index runs in order
        step = max(size - round(shared), 1)
        details.insert(0, f"consecutive batches share {shared:.2g} of their {size} examples on "
                       f"average: the slices step by {step}, not by the batch size, so they "
                       f"overlap ({len(first):,} batches where {n:,} examples make "
                       f"{-(-n // size):,}); take data[k:k + {size}] for k in range(0, n, "
                       f"{size})")
    else:
        details.insert(0, f"{draws:,} example-uses in an epoch of {n:,}: batches overlap, "
                       "or some examples are repeated")
    line = _slice_line(learner.where.get("epoch"), step) if details[0].startswith(
        ("batch k starts", "consecutive batches")) else None
    at = place if line is None else str(dataclasses.replace(learner.where["epoch"], line=line))
    if line is None and details[0].startswith(("batch k starts", "consecutive batches")):
        at = _generator_slice(learner, step) or at  # the batches come from a function it calls
    return CheckResult("minibatches", "wrong", f"{name}'s batches overlap: {facts}",
                       details=details, where=at, data=data_)


_SHUFFLES = ("shuffle", "permutation", "sample", "choice")


def _unused_shuffle(learner):
    """(line, text) of a shuffle the epoch function draws (`order = np.random.permutation(n)`)
    when its batches still come in the same order every epoch; None when it has none, or seeds
    a generator itself (then the same order every call is what it asks for)."""
    w = learner.where.get("epoch")
    node = function_node(w)
    if node is None:
        return None
    calls = [c for c in ast.walk(node) if isinstance(c, ast.Call)]
    if any(called_name(c) in ("seed", "default_rng", "RandomState", "Random") for c in calls):
        return None
    shuffles = sorted((c for c in calls if called_name(c) in ("shuffle", "permutation")),
                      key=lambda c: c.lineno)  # (a choice may be dropout's, not an order)
    if not shuffles:
        return None
    line = shuffles[0].lineno
    return line, Path(w.file).read_text().splitlines()[line - 1].strip()


def _shuffled_once(learner, second, again):
    """(the shuffle's line or None, the epoch loop's line or None) when the epoch function
    shuffles once, before the loop over its epochs: seen in two epochs of one run where the
    recognizer can ask for them (learner.repeats), else read from the code, conservatively (no
    call inside the loop that might shuffle); None otherwise."""
    w, update = learner.where.get("epoch"), learner.where.get("update")
    node = function_node(w)
    short = update.function.rpartition(".")[2] if update is not None else None
    loops = [n for n in ast.walk(node) if isinstance(n, (ast.For, ast.While)) and any(
        isinstance(c, ast.Call) and called_name(c) == short for c in ast.walk(n))] if node else []
    loop = loops[0] if loops else None  # the outermost loop around the update
    shuffles = [c for c in ast.walk(node) if isinstance(c, ast.Call) and
                called_name(c) in _SHUFFLES] if node else []
    before = [c.lineno for c in shuffles if loop is not None and c.lineno < loop.lineno]
    located = (min(before), loop.lineno) if before else (None, None)
    if learner.repeats is not None:
        two = [[int(i) for i in b] for b in learner.repeats(again)]
        per = len(second)
        return located if len(two) == 2 * per and two[:per] == two[per:] else None
    if loop is None or not before or "epoch" not in ast.unparse(
            loop.iter if isinstance(loop, ast.For) else loop.test).lower():
        return None  # an adapter's epoch is one epoch: a loop over batches is not over epochs
    inside = [c for c in ast.walk(loop) if isinstance(c, ast.Call)]
    own = {f.name for f in ast.walk(ast.parse(Path(w.file).read_text()))
           if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
    if any(called_name(c) in _SHUFFLES or called_name(c) in own - {short} for c in inside):
        return None  # a shuffle, or a function of the learner's that might shuffle
    return located


def _held_out(w):
    """(line, text) of the statement that sets part of the epoch function's training argument
    aside (`validation = training_data[-n_val:]`) when the function also rebinds that argument
    to a slice of itself (`training_data = training_data[:-n_val]`); else None."""
    node = function_node(w)
    args = [a.arg for a in node.args.args if a.arg != "self"] if node is not None else []
    train = next((a for a in args if "train" in a.lower()), args[0] if args else None)
    slices = [n for n in ast.walk(node) if isinstance(n, ast.Assign) and any(
        isinstance(v, ast.Subscript) and isinstance(v.value, ast.Name) and v.value.id == train
        and (isinstance(v.slice, ast.Slice) or isinstance(v.slice, ast.Tuple) and any(
            isinstance(e, ast.Slice) and (e.lower or e.upper) for e in v.slice.elts))
        for v in ast.walk(n.value))] if train else []  # X[-n:], or X[:, k:] for columns

    def named(n, pattern):
        return any(isinstance(t, ast.Name) and re.search(pattern, t.id)
                   for e in n.targets for t in ast.walk(e))
    kept = [n for n in slices if any(isinstance(t, ast.Name) and t.id == train
                                     for e in n.targets for t in ast.walk(e))]
    if kept:
        aside = [n for n in slices if n not in kept] or [  # train, val = train[:k], train[k:]
            n for n in kept
            if sum(isinstance(t, ast.Name) for e in n.targets for t in ast.walk(e)) > 1]
    else:  # new names for both parts: X_train = X[:, k:] beside X_val = X[:, :k]
        kept = [n for n in slices if named(n, r"(?i)train") and not named(n, r"(?i)val|dev|hold")]
        aside = [n for n in slices if named(n, r"(?i)val|dev|hold")]
    if kept and aside and aside[0] is not kept[0] and _same_end(kept[0], aside[0], train):
        return None  # X[:, :n - k] beside X[:, :k]: both from the start, so they overlap
    return (aside[0].lineno, ast.unparse(aside[0])) if kept and aside else None


def _same_end(a, b, name):
    """Whether the first slices of name in assignments a and b both start at the beginning
    (no lower bound) or both run to the end (no upper bound): then they overlap."""
    def first(n):
        for v in ast.walk(n.value):
            if isinstance(v, ast.Subscript) and isinstance(v.value, ast.Name) and \
                    v.value.id == name:
                parts = v.slice.elts if isinstance(v.slice, ast.Tuple) else [v.slice]
                return next((e for e in parts if isinstance(e, ast.Slice)
                             and (e.lower or e.upper)), None)
        return None
    x, y = first(a), first(b)
    return x is not None and y is not None and (
        x.lower is None and y.lower is None or x.upper is None and y.upper is None)


def _prefix_slice(w, lo, hi):
    """(line, text) of an assignment in the epoch's file that keeps examples lo to hi − 1 of a
    name (x_train = x_train[:300]), when one does with those numbers written out; else None."""
    try:
        tree = ast.parse(Path(w.file).read_text()) if w is not None else None
    except (OSError, SyntaxError, ValueError):
        return None
    for n in ast.walk(tree) if tree is not None else ():
        if isinstance(n, ast.Assign) and isinstance(n.value, ast.Subscript) and \
                isinstance(n.value.slice, ast.Slice) and n.value.slice.step is None:
            bounds = [n.value.slice.lower, n.value.slice.upper]
            values = [None if b is None else b.value if isinstance(b, ast.Constant) else "?"
                      for b in bounds]
            if values[0] in (None, lo) and values[1] == hi:
                return n.lineno, ast.unparse(n)
    return None


def _generator_slice(learner, step=None):
    """Where (as str) of the slice in a function the epoch function calls (a get_batches
    generator: `for start in range(0, n - size + 1, size // 2): idx = order[start:start +
    size]`) that a range() with a step of its own drives; None when there is no one such."""
    epoch = function_node(learner.where.get("epoch"))
    if epoch is None:
        return None
    names = {called_name(c) for c in ast.walk(epoch) if isinstance(c, ast.Call)}
    found = []
    for file in dict.fromkeys(learner.files):
        try:
            tree = ast.parse(Path(file).read_text())
        except (OSError, SyntaxError, ValueError):
            continue
        for f in ast.walk(tree):
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name in names \
                    and f is not epoch:
                line = _stepped_slice(f, step == 1)
                if line is not None:
                    found.append(f"{f.name} ({Path(file).name}:{line})")
    return found[0] if len(found) == 1 else None


def _stepped_slice(node, by_one=False):
    """The line of node's data[k:k + size] whose k runs over a range() with a step (by_one:
    or without one, `for k in range(0, num_complete_minibatches)`)."""
    stepped = {loop.target.id for loop in ast.walk(node) if isinstance(loop, ast.For)
               and isinstance(loop.target, ast.Name) and isinstance(loop.iter, ast.Call)
               and ast.unparse(loop.iter.func) == "range"
               and (len(loop.iter.args) == 3 or by_one)}
    return _slice_from(node, stepped)


def _scaled_slice(w):
    """(line, the slice's text, k) for a slice data[k * size:(k + 1) * size] whose k already
    runs over a range() with a step (range(0, n, size)); None when there is none."""
    node = function_node(w)
    stepped = {loop.target.id for loop in ast.walk(node) if isinstance(loop, ast.For)
               and isinstance(loop.target, ast.Name) and isinstance(loop.iter, ast.Call)
               and ast.unparse(loop.iter.func) == "range" and len(loop.iter.args) == 3} \
        if node is not None else set()
    for n in ast.walk(node) if stepped else ():
        if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Slice) and \
                isinstance(n.slice.lower, ast.BinOp) and isinstance(n.slice.lower.op, ast.Mult):
            names = {v.id for v in ast.walk(n.slice.lower) if isinstance(v, ast.Name)}
            if names & stepped:
                return n.lineno, ast.unparse(n), sorted(names & stepped)[0]
    return None


def _slice_from(node, names):
    """The line of node's first slice data[k:k + size] (or [k:size + k]) with k in names."""
    for n in ast.walk(node) if node is not None else ():
        if isinstance(n, ast.Slice) and isinstance(n.lower, ast.Name) and \
                n.lower.id in names and isinstance(n.upper, ast.BinOp) and \
                any(isinstance(v, ast.Name) and v.id == n.lower.id
                    for v in (n.upper.left, n.upper.right)):
            return n.lineno
    return None


def _slice_line(w, step=1):
    """The line of the epoch's function at fault for slices data[k:k + size] that step by step:
    with k from a range() without a step, the slice; with k from range(0, n, step), that step
    written out (`for start in range(0, n, 10):` beside batches of 100) or computed
    (`range(0, n, batch_size // 2)`), the range's line.
    None when there is no such line."""
    node = function_node(w)
    stepped_by_one, stepped = set(), {}
    for n in ast.walk(node) if node is not None else ():
        loops = [n] if isinstance(n, ast.For) else n.generators if isinstance(
            n, (ast.ListComp, ast.GeneratorExp)) else []
        for loop in loops:
            it = loop.iter
            if isinstance(loop.target, ast.Name) and isinstance(it, ast.Call) and \
                    ast.unparse(it.func) == "range":
                if len(it.args) < 3:
                    stepped_by_one.add(loop.target.id)
                elif isinstance(it.args[2], ast.Constant) and it.args[2].value == step or \
                        not isinstance(it.args[2], (ast.Constant, ast.Name)):
                    stepped[loop.target.id] = it.lineno  # or computed: batch_size // 2
    if step == 1:
        return _slice_from(node, stepped_by_one)
    return next((line for name, line in stepped.items() if _slice_from(node, {name})), None)


def _shuffle_apart(learner):
    """Where (as str) of the epoch function's first shuffle of one array in place
    (`np.random.shuffle(X_train)`, the images shuffled apart from their labels), or None."""
    w = learner.where.get("epoch")
    node = function_node(w)
    if node is None:
        return None
    alone = min((c.lineno for c in ast.walk(node) if isinstance(c, ast.Call)
                 and called_name(c) == "shuffle" and len(c.args) == 1), default=None)
    return str(dataclasses.replace(w, line=alone)) if alone is not None else None


def _line_naming(learner, names):
    """Where (as str) of the first line of the epoch function that names one of names (the
    held-out labels it pairs with the training images), or None."""
    w = learner.where.get("epoch")
    node = function_node(w)
    if node is None:
        return None
    pattern = re.compile(r"\b(%s)\b" % "|".join(map(re.escape, names)))
    lines = Path(w.file).read_text().splitlines()
    body = [k for k in range(node.lineno + 1, (node.end_lineno or node.lineno) + 1)
            if pattern.search(lines[k - 1].split("#")[0])]
    # a line that pairs them with something (zip, a slice beside the images) before any other
    paired = [k for k in body if re.search(r"zip\(|,.*\[|\[.*,", lines[k - 1])]
    return str(dataclasses.replace(w, line=(paired or body)[0])) if body else None
