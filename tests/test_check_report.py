"""How reports read: ProgramReport and verify's Report as text, markdown, HTML (escaped, ✓ green,
✗ red) and JSON (stable keys, a round trip), on hand-built results."""

import json

import numpy as np
import pytest

from tinygrad_edu.check import CheckResult, ProgramReport, Report, Row, check_preset

GREEN, RED = "#1a7f37", "#cf222e"


def gradient_report():
    rows = [Row("z3", "δ", (10, 7), (10, 7), 1e-17, 1e-16, True),
            Row("W3", "param", (10, 30), (10, 30), 0.5, 2.0, False, note="<b>2× autograd's</b>",
                n_bad=300, size=300, worst_index=(3, 4), got_value=np.float64(0.25),
                expected_value=0.125),
            Row("b2", "param", (30, 1), None, None, None, None)]
    return Report(rows, "δ at z3 agrees but ∂C/∂W3 does not | check BP4", first_bad="W3",
                  missing=["b2"])


def program_report(raised=False):
    results = [
        CheckResult("forward", "ok", "Network.feedforward returns the output (7, 10)",
                    where="Network.feedforward (network.py:40)"),
        CheckResult("gradients", "wrong", "∂C/∂self.weights[1] is 2× autograd's <x & y>",
                    details=["300 of 300 entries differ", "worst at example 4, neuron 3",
                             "W3: all 300 entries differ"],
                    where="Network.backprop (network.py:90)", report=gradient_report(),
                    data={"max_rel": np.float64(2.0), "ratio": float("nan"),
                          "shape": (10, 30), "counts": np.arange(3)}),
        CheckResult("minibatches", "skipped", "no epoch loop found"),
    ]
    if raised:
        results.insert(1, CheckResult("update", "error",
                                      "your code raised TypeError: 'NoneType' object is not "
                                      "iterable in Network.update_mini_batch (network.py:60)",
                                      details=["network.py:60: for x, y in mini_batch:"],
                                      where="Network.update_mini_batch (network.py:60)",
                                      data={"exception": "TypeError"}))
    return ProgramReport("Network in network.py", results, notes=["recognized Nielsen's Network"],
                         seconds=1.25)


def test_text_has_one_line_per_check_with_marks_then_the_failing_table():
    text = str(program_report())
    lines = text.split("\n")
    assert lines[0] == "check Network in network.py"
    assert lines[1].startswith("  ✓ forward ") and "feedforward returns" in lines[1]
    assert lines[2].startswith("  ✗ gradients ") and "self.weights[1]" in lines[2]
    assert lines[3].strip() == "at Network.backprop (network.py:90)"
    assert lines[4].strip() == "300 of 300 entries differ"
    assert "  – minibatches  no epoch loop found" in text
    assert "gradients: the gradients, layer by layer" in text
    assert "    W3    param" in text and "diagnosis: δ at z3 agrees" in text
    assert "note: recognized Nielsen's Network" in text
    assert "W3: all 300 entries differ" not in text  # the table below says it
    assert "- W3: all 300 entries differ" in program_report().to_markdown()
    assert lines[-1] == "✗ 1 of 3 checks found something wrong: gradients; 1 skipped"


def test_text_leads_with_the_learners_exception():
    lines = str(program_report(raised=True)).split("\n")
    assert lines[1].startswith("your code raised, in the update check: your code raised TypeError")
    assert lines[2] == "  at Network.update_mini_batch (network.py:60)"
    assert any(line.startswith("  ✗ update ") for line in lines[3:])
    assert lines[-1] == "✗ 2 of 4 checks found something wrong: update, gradients; 1 skipped"


def test_a_program_the_checker_cannot_take_is_not_called_an_exception():
    # an unknown shape is the checker's limit: the row says what to do, nothing was "raised"
    report = ProgramReport("my_net.py", [CheckResult("load", "error", "no shape the checker "
                                                     "knows in my_net.py ... --adapter")])
    text = str(report)
    assert "your code raised" not in text and "  ✗ load   no shape the checker knows" in text
    assert not report.ok


def test_a_clean_report_says_so():
    report = ProgramReport("net", [CheckResult("forward", "ok", "fine"),
                                   CheckResult("book", "skipped", "no book rule")])
    assert report.ok and str(report).split("\n")[-1] == "✓ all 1 checks that ran passed; 1 skipped"
    assert "the gradients, layer by layer" not in str(report)


def test_markdown_is_a_table_with_pipes_escaped():
    md = program_report(raised=True).to_markdown()
    assert md.startswith("**check Network in network.py** — 2 of 4 checks found")
    assert "> your code raised, in the update check:" in md
    assert "| | check | finding | where |" in md
    assert "| ✗ | gradients | ∂C/∂self.weights[1] is 2× autograd's <x & y> | " \
           "`Network.backprop (network.py:90)` |" in md
    assert "| – | minibatches | no epoch loop found |  |" in md
    assert "- 300 of 300 entries differ" in md
    assert "**Diagnosis:** δ at z3 agrees but" in md  # the gradient table's own markdown
    assert "| W3 | param | (10, 30) | (10, 30) |" in md
    assert program_report()._repr_markdown_() == program_report().to_markdown()


def test_html_is_escaped_and_coloured():
    page = program_report(raised=True)._repr_html_()
    assert "<x & y>" not in page and "&lt;x &amp; y&gt;" in page
    assert "<b>2× autograd's</b>" not in page and "&lt;b&gt;2× autograd&#x27;s&lt;/b&gt;" in page
    assert f'<td style="color:{GREEN};font-weight:bold">✓</td><td>forward</td>' in page
    assert f'<td style="color:{RED};font-weight:bold">✗</td><td>gradients</td>' in page
    assert "<small>worst at example 4, neuron 3</small>" in page
    assert page.count("<table>") == 2  # the checks, then the failing gradient table
    assert page.index("your code raised") < page.index("<table>")
    assert f'<p style="color:{RED}"><b>2 of 4 checks found something wrong' in page


def test_json_round_trips_with_stable_keys():
    report = program_report(raised=True)
    data = json.loads(report.to_json())
    assert data == report.to_dict()
    assert list(data) == ["name", "ok", "seconds", "verdict", "notes", "checks"]
    assert data["ok"] is False and [c["check"] for c in data["checks"]] == [
        "forward", "update", "gradients", "minibatches"]
    grads = data["checks"][2]
    assert list(grads) == ["check", "status", "ok", "summary", "details", "where", "data",
                           "diagnosis", "gradients"]
    assert grads["data"] == {"max_rel": 2.0, "ratio": "nan", "shape": [10, 30],
                             "counts": [0, 1, 2]}
    row = grads["gradients"][1]
    assert row["name"] == "W3" and row["worst_index"] == [3, 4] and row["got_value"] == 0.25
    assert row["n_bad"] == 300 and row["ok"] is False
    assert data["checks"][0]["gradients"] is None and data["checks"][1]["where"] == \
        "Network.update_mini_batch (network.py:60)"


def test_verify_report_renders_as_html_markdown_and_a_dict():
    report = gradient_report()
    page = report._repr_html_()
    assert f'<td style="color:{RED};font-weight:bold">✗</td>' in page
    assert f'<td style="color:{GREEN};font-weight:bold">✓</td>' in page
    assert "&lt;b&gt;2× autograd" in page and "<b>2×" not in page
    assert f'<p style="color:{RED}"><b>Diagnosis:</b> δ at z3 agrees' in page
    assert report._repr_markdown_() == report.to_markdown()
    data = json.loads(report.to_json())
    assert data == report.to_dict() and data["first_bad"] == "W3" and data["missing"] == ["b2"]
    assert [r["name"] for r in data["rows"]] == ["z3", "W3", "b2"] and data["ok"] is False


@pytest.mark.parametrize("preset", ["nielsen"])
def test_a_real_report_renders_every_way(preset):
    report = check_preset(preset, batch_size=3)
    assert report.to_dict()["ok"] is True and "✗" not in report._repr_html_()
    assert report._repr_html_().count("<tr") == len(report.rows) + 1
