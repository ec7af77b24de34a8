"""The bug zoo (examples/bug_zoo.py): each planted mistake is caught, and verify names its place."""

import importlib.util
from pathlib import Path

import pytest

ZOO_PATH = Path(__file__).resolve().parent.parent / "examples" / "bug_zoo.py"
spec = importlib.util.spec_from_file_location("bug_zoo", ZOO_PATH)
zoo = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zoo)

EXPECTED = {  # bug: first_bad, words the diagnosis must contain
    "wrong_layer_W": ("z2", ["δ at z3 agrees, δ at z2 does not: the step z3 → z2, "
                             "δ² = ((W³)ᵀδ³) ⊙ σ'(z²), is wrong; yours uses W2 where BP2 "
                             "has W3, the W of the layer above"]),
    "sigma_prime_at_a": ("z2", ["δ at z3 agrees, δ at z2 does not", "⊙ σ'(z²)",
                                "yours is ∂C/∂a² ⊙ σ'(a²): the derivative is taken at a²"]),
    "missing_sigma_prime_at_output": ("z3", ["δ at the output z3 is wrong", "check BP1",
                                             "δᴸ = ∇ₐC ⊙ σ'(zᴸ)", "δ³ = ∂C/∂a³ ⊙ σ'(z³)",
                                             "∂C/∂a³ = (a³ − y)/m (m = 7 examples)",
                                             "yours is ∂C/∂a³ alone: the ⊙ σ'(z³) is missing"]),
    "transposed_dW": ("W2", ["δ at z2 agrees but ∂C/∂W2 has shape (10, 50), expected (50, 10) "
                             "(transposed)", "∂C/∂W² = (a¹)ᵀδ²"]),
    "missing_transpose": ("W2", ["δ at z2 agrees but ∂C/∂W2 does not: check ∂C/∂W² = δ²(a¹)ᵀ "
                                 "(shape, transpose, batch sum)"]),
    "no_batch_division": ("z2", ["δ at the output z2 is wrong",
                                 "m = 7 times too large: divide by the batch size",
                                 "(softmax(zᴸ) − y)/N"]),
    "bias_not_summed": ("b3", ["δ at z3 agrees but ∂C/∂b3 has shape (10, 7), expected (10, 1) "
                               "(not summed over the batch)", "∂C/∂b³ = Σ_batch δ³"]),
    "bias_wrong_axis": ("b3", ["δ at z3 agrees but ∂C/∂b3 has shape (1, 7), expected (10, 1) "
                               "(summed over the wrong axis: axis 0, the 10 neurons, instead "
                               "of axis 1, the 7 examples)"]),
    "stale_activations": ("z3", ["δ at the output z3 is wrong", "at this batch's a³",
                                 "∂C/∂a³ = 2(a³ − y)/m (m = 7 examples)"]),
    "feedforward_forgets_return": (None, ["raised TypeError", "'NoneType'",
                                          "in backprop_feedforward_forgets_return",
                                          "forget to `return`"]),
    "backprop_forgets_return": (None, ["your backprop returned None", "`return grads`"]),
    "missing_factor_2": ("z3", ["δ at the output z3 is wrong", "exactly 0.5× autograd's",
                                "the ½ of the cost", "check BP1"]),
}


def test_every_bug_has_an_expectation():
    assert [b.key for b in zoo.BUGS] == list(EXPECTED)
    assert len(zoo.BUGS) >= 8


@pytest.mark.parametrize("bug", zoo.BUGS, ids=[b.key for b in zoo.BUGS])
def test_the_diagnosis_names_the_right_place(bug):
    report = zoo.run(bug)
    first_bad, words = EXPECTED[bug.key]
    assert not report.ok
    assert report.first_bad == first_bad, str(report)
    for w in words:
        assert w in report.diagnosis, f"{w!r} not in: {report.diagnosis}"


def test_the_bugs_are_one_mistake_each():
    """With the mistake's rows left out, every other gradient a bug returns agrees: the zoo's
    shared helpers are right, so each diagnosis is about the planted mistake alone."""
    for bug in zoo.BUGS:
        report = zoo.run(bug)
        if report.first_bad is None:
            continue
        order = [r.name for r in report.rows]
        above = order[:order.index(report.first_bad)]
        assert all(r.ok is not False for r in report.rows if r.name in above), bug.key


def test_the_script_prints_every_diagnosis(capsys):
    zoo.main([])
    out = capsys.readouterr().out
    for k, bug in enumerate(zoo.BUGS, start=1):
        assert f"{k}. {bug.key}: " in out
    assert out.count("first_bad: ") == len(zoo.BUGS)
