"""The whole-program checker on the corpus of learners' programs (tests/learners/manifest.py):
every program is recognized with no adapter code (the scripts with no functions at all read
from their training loop), the programs with an adapter.py beside them go through it
too (`check PATH --adapter adapter.py`), each listed bug is flagged by the listed check in the
learner's own names, both ways, and the correct programs pass clean."""

import importlib.util
import sys
from pathlib import Path

import pytest

from tinygrad_edu.check.program import check_program

_spec = importlib.util.spec_from_file_location(
    "learners_manifest", Path(__file__).with_name("learners") / "manifest.py")
manifest = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = manifest  # dataclasses look their module up while they are made
_spec.loader.exec_module(manifest)

# the shapes check.shapes knows
RECOGNIZED = ("nielsen", "nielsen2", "dlfs", "dlfs4", "rashid", "functional", "coursera",
              "script")
# and programs of other styles it knows too (a 3b1b class with lists self.W and self.B; seed
# 003's class whose backward() steps self.W1, ... by self.alpha; module-level globals: W1, ...
# arrays, or NNFS's layer objects, read by plain functions)
RECOGNIZED_PATHS = ("seed000/", "seed000_fixed/", "seed003/", "globals3b1b/", "nnfs/")
CASES = [c for c in manifest.CASES if c.style in RECOGNIZED or c.path.startswith(RECOGNIZED_PATHS)]


def _text(result):
    return "\n".join([result.summary, *result.details, result.where or ""])


def _assert_findings(case, report, adapted=False):
    """Each listed bug flagged by its check in the learner's names; a clean program passes. A
    caution is named in a passing check where the checker reads how the program trains, and is
    a fault through an adapter that does not say (no epoch: the learning check's batches of 10)."""
    assert report.results[0].check != "load", report.results[0].summary
    if not case.bugs:
        assert report.ok, "\n".join(f"{r.check}: {_text(r)}" for r in report.wrong)
        return
    for bug in case.bugs:
        result = next(r for r in report.results if r.check == bug.check)
        if bug.caution and not adapted:  # the program as written works: named as a caution
            assert result.status == "ok" and "a caution, not a fault" in _text(result), \
                f"{bug.check} has no caution: {_text(result)}"
        else:
            assert result.status in ("wrong", "error"), f"{bug.check} missed: {bug.what}"
        for name in bug.names:
            assert name in _text(result), f"{bug.check} does not name {name}: {_text(result)}"
        if bug.at:
            assert bug.line in _line_at(case, result.where), \
                f"{bug.check} is at {result.where}, not at {bug.line!r}"


def _line_at(case, where):
    """The source line a finding's place names: 'Network.SGD (network2_shuffle.py:76)'."""
    file, _, line = where.rpartition("(")[2].rstrip(")").partition(":")
    path = next(Path(case.file).parent.rglob(file))
    return path.read_text().splitlines()[int(line) - 1]


@pytest.mark.parametrize("case", CASES, ids=[c.path for c in CASES])
def test_corpus_program(case):
    target = f"{case.file}:{case.target}" if case.target else case.file
    report = check_program(target)
    _assert_findings(case, report)


def test_the_corpus_has_recognized_programs_with_and_without_bugs():
    assert any(c.bugs for c in CASES) and any(not c.bugs for c in CASES)


ADAPTED = [c for c in manifest.CASES if c.adapter]


def _adapter_of(case):
    """The adapter(program) function of the learner's adapter.py beside the program."""
    path = Path(__file__).with_name("learners") / case.adapter
    spec = importlib.util.spec_from_file_location(f"corpus_adapter_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.adapter


@pytest.mark.parametrize("case", ADAPTED, ids=[c.path for c in ADAPTED])
def test_corpus_program_through_its_adapter(case):
    report = check_program(case.file, adapter=_adapter_of(case))
    _assert_findings(case, report, adapted=True)
