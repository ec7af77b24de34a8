"""The checker's reports and how they read: as text in a terminal, markdown, an HTML table in a
notebook, and JSON.

``Report`` is verify's: one row per compared gradient and a diagnosis. ``ProgramReport`` is the
whole-program checker's: one ``CheckResult`` per check. It imports nothing from the engine; the
checks in this package fill them in.
"""

import html
import json
import math
from dataclasses import asdict, dataclass, field

import numpy as np

MARK = {"ok": "✓", "wrong": "✗", "error": "✗", "skipped": "–"}
COLOUR = {"ok": "#1a7f37", "wrong": "#cf222e", "error": "#cf222e", "skipped": "#6e7781"}
ABOVE = "the checks above say which part of the step is wrong"  # the learning check's pointer

# ----- rows and the report ------------------------------------------------------------------------

@dataclass
class Row:
    """One compared gradient: ∂C/∂name from autograd (expected) and from the learner (got)."""

    name: str
    kind: str  # "δ" (∂C/∂ of a named intermediate) or "param"
    expected_shape: tuple
    got_shape: tuple | None = None
    max_abs: float | None = None
    max_rel: float | None = None
    ok: bool | None = None  # None: not returned, so not compared
    note: str = ""
    # Where it differs, when compared: how many entries disagree (of size), the worst entry's
    # index, and the learner's value there beside autograd's.
    n_bad: int | None = None
    size: int | None = None
    worst_index: tuple | None = None
    got_value: float | None = None
    expected_value: float | None = None


@dataclass
class Report:
    """What verify found: one row per gradient in backward order, and a one-line diagnosis."""

    rows: list
    diagnosis: str
    first_bad: str | None = None
    findings: list = field(default_factory=list)  # problems outside the rows: errors, bad keys
    missing: list = field(default_factory=list)  # parameters whose gradient was not returned
    title: str = "verify: your backprop against autograd (float64)"

    @property
    def ok(self):
        """True when every returned gradient agrees and every parameter's gradient was returned."""
        compared = [r for r in self.rows if r.ok is not None]
        return (bool(compared) and all(r.ok for r in compared) and not self.findings
                and not self.missing)

    def _cells(self):
        for r in self.rows:
            yield [r.name, r.kind, _shape(r.expected_shape), _shape(r.got_shape),
                   _number(r.max_abs), _number(r.max_rel),
                   {True: "✓", False: "✗", None: "–"}[r.ok], r.note]

    def __str__(self):
        if self.findings and all(r.ok is None for r in self.rows):
            # Nothing was compared (the learner's code raised, or returned no dict): the reason
            # leads, with the learner's line, instead of a table of "not compared" rows.
            lines = [self.title, f"diagnosis: {self.diagnosis}"]
            lines += [f"finding: {f}" for f in self.findings if f != self.diagnosis]
            if self.rows:
                lines.append("not compared: " + ", ".join(r.name for r in self.rows))
            return "\n".join(lines)
        head = ["name", "kind", "expected", "got", "max abs", "max rel", "ok", "note"]
        cells = [head, *self._cells()]
        widths = [max(len(c[k]) for c in cells) for k in range(len(head))]
        lines = [self.title]
        for c in cells:
            lines.append("  " + "  ".join(v.ljust(w) for v, w in zip(c, widths)).rstrip())
        lines += [f"finding: {f}" for f in self.findings]
        lines.append(f"diagnosis: {self.diagnosis}")
        return "\n".join(lines)

    def to_markdown(self):
        """The report as a markdown table, with the findings and the diagnosis below it."""
        head = ["name", "kind", "expected shape", "got shape", "max abs err", "max rel err", "ok",
                "note"]
        lines = [f"**{self.title}**", "", "| " + " | ".join(head) + " |",
                 "|" + "|".join("---" for _ in head) + "|"]
        for c in self._cells():
            lines.append("| " + " | ".join(v.replace("|", "\\|") for v in c) + " |")
        lines.append("")
        lines += [f"- finding: {f}" for f in self.findings]
        lines.append(f"**Diagnosis:** {self.diagnosis}")
        return "\n".join(lines)

    def _repr_markdown_(self):
        return self.to_markdown()

    def _repr_html_(self):
        """The report as an HTML table (✓ green, ✗ red), the findings and diagnosis under it."""
        head = ["name", "kind", "expected shape", "got shape", "max abs err", "max rel err", "ok",
                "note"]
        body = []
        for r, cells in zip(self.rows, self._cells()):
            status = {True: "ok", False: "wrong", None: "skipped"}[r.ok]
            tds = [f"<td>{_esc(c)}</td>" for c in cells]
            tds[6] = f'<td style="color:{COLOUR[status]};font-weight:bold">{_esc(cells[6])}</td>'
            style = ' style="background:#ffebe9"' if r.ok is False else ""
            body.append(f"<tr{style}>{''.join(tds)}</tr>")
        colour = COLOUR["ok" if self.ok else "wrong"]
        return "\n".join([
            '<div class="tinygrad-edu-report">', f"<p><b>{_esc(self.title)}</b></p>",
            "<table>", "<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>",
            "<tbody>", *body, "</tbody>", "</table>",
            *(f"<p>finding: {_esc(f)}</p>" for f in self.findings),
            f'<p style="color:{colour}"><b>Diagnosis:</b> {_esc(self.diagnosis)}</p>', "</div>"])

    def to_dict(self):
        """The report as plain data (lists, numbers, strings), the same keys as its fields."""
        return _plain({"title": self.title, "ok": self.ok, "diagnosis": self.diagnosis,
                       "first_bad": self.first_bad, "findings": self.findings,
                       "missing": self.missing, "rows": [asdict(r) for r in self.rows]})

    def to_json(self, indent=2):
        """to_dict() as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


def _shape(shape):
    return "–" if shape is None else str(tuple(shape))


def _number(x):
    return "–" if x is None else f"{x:.1e}"


@dataclass
class CheckResult:
    """What one whole-program check found, in the learner's own names."""

    check: str  # one of learner.CHECKS: "forward", "gradients", "update", ...
    status: str  # "ok", "wrong", "skipped" (could not run: summary says why), "error" (the
    # learner's code raised: summary gives the exception and the learner's line)
    summary: str  # one line: what was checked and what was found
    details: list = field(default_factory=list)  # further lines: numbers, what differs, the fix
    where: str | None = None  # the learner's function and line: "Network.feedforward (net.py:14)"
    report: Report | None = None  # the gradient Report behind it, for its table and --graph
    loss: object = None  # the oracle's loss Tensor (graph kept), for --graph
    data: dict = field(default_factory=dict)  # the numbers behind it, for --json

    @property
    def ok(self):
        return self.status in ("ok", "skipped")

    def to_dict(self):
        """The result as plain data: check, status, ok, summary, details, where, data, and the
        gradient table behind it (diagnosis and rows) or None."""
        return _plain({
            "check": self.check, "status": self.status, "ok": self.ok, "summary": self.summary,
            "details": self.details, "where": None if self.where is None else str(self.where),
            "data": self.data,
            "diagnosis": None if self.report is None else self.report.diagnosis,
            "gradients": None if self.report is None else [asdict(r) for r in self.report.rows]})


@dataclass
class ProgramReport:
    """Every whole-program check run on one learner's program, with what was recognized."""

    name: str  # "Network in seed001/network.py"
    results: list  # of CheckResult, in learner.CHECKS order
    notes: list = field(default_factory=list)  # what was recognized, what could not be checked
    seconds: float | None = None

    @property
    def ok(self):
        """True when no check found something wrong (skipped checks do not count against it)."""
        return all(r.ok for r in self.results)

    @property
    def wrong(self):
        """The checks that found something wrong, or could not run the learner's code."""
        return [r for r in self.results if not r.ok]

    @property
    def raised(self):
        """The checks where the learner's code raised an exception (not a hang, nor a program
        the checker could not take: those are errors too, but nothing was raised)."""
        return [r for r in self.results if r.status == "error" and "exception" in r.data]

    def verdict(self):
        """One line: all clear, or which checks found something wrong."""
        wrong = self.wrong
        skipped = sum(r.status == "skipped" for r in self.results)
        tail = f"; {skipped} skipped" if skipped else ""
        if not wrong:
            ran = len(self.results) - skipped
            if ran == 0:
                return f"no check could run ({skipped} skipped): see why above"
            return f"all {ran} checks that ran passed{tail}"
        return (f"{len(wrong)} of {len(self.results)} checks found something wrong: "
                f"{', '.join(r.check for r in wrong)}{tail}")

    def _table(self):
        """The failing check whose gradient table is worth showing, or None."""
        return next((r for r in self.wrong if r.report is not None), None)

    def __str__(self):
        width = max([len(r.check) for r in self.results] + [5])
        lines = [f"check {self.name}"]  # no seconds: the text stays the same run after run
        table = self._table()
        for r in self.raised:  # an exception first: everything after it may only inherit it
            lines.append(f"your code raised, in the {r.check} check: {r.summary}")
            if r.where:
                lines.append(f"  at {r.where}")
        for r in self.results:
            lines.append(f"  {MARK.get(r.status, '?')} {r.check.ljust(width)}  {r.summary}")
            pad = " " * (width + 6)
            if r.where and not r.ok:
                lines.append(f"{pad}at {r.where}")
            if not r.ok:
                lines += [f"{pad}{d}" for d in _details(r, r is table)]
            else:  # a passing check's caution: what works as written, and would not if changed
                lines += [f"{pad}{d}" for d in r.details if d.startswith(CAUTION)]
        if table is not None:
            lines += ["", f"{table.check}: the gradients, layer by layer",
                      *("  " + line for line in str(table.report).split("\n"))]
        lines += [f"note: {n}" for n in self.notes]
        lines.append(("✓ " if self.ok else "✗ ") + self.verdict())
        return "\n".join(lines)

    def to_markdown(self):
        """The report as markdown: one table row per check, then what the failing checks found."""
        lines = [f"**check {_md(self.name)}** — {_md(self.verdict())}", ""]
        for r in self.raised:
            at = f" (at `{r.where}`)" if r.where else ""
            lines += [f"> your code raised, in the {r.check} check: {_md(r.summary)}{at}", ""]
        lines += ["| | check | finding | where |", "|---|---|---|---|"]
        for r in self.results:
            where = f"`{r.where}`" if r.where else ""
            lines.append(f"| {MARK.get(r.status, '?')} | {r.check} | {_md(r.summary)} | "
                         f"{where} |")
        for r in self.wrong:
            if r.details:
                lines += ["", f"**{MARK[r.status]} {r.check}**",
                          *(f"- {_md(d)}" for d in r.details)]
        table = self._table()
        if table is not None:
            lines += ["", table.report.to_markdown()]
        if self.notes:
            lines += ["", *(f"- note: {_md(n)}" for n in self.notes)]
        return "\n".join(lines)

    def _repr_markdown_(self):
        return self.to_markdown()

    def _repr_html_(self):
        """An HTML table, one row per check (✓ green, ✗ red, – grey), the findings under it."""
        rows = []
        for r in self.results:
            colour = COLOUR.get(r.status, "#6e7781")
            details = "".join(f"<br><small>{_esc(d)}</small>" for d in r.details) \
                if not r.ok else ""
            style = ' style="background:#ffebe9"' if not r.ok else ""
            rows.append(f'<tr{style}><td style="color:{colour};font-weight:bold">'
                        f"{MARK.get(r.status, '?')}</td><td>{_esc(r.check)}</td>"
                        f"<td>{_esc(r.summary)}{details}</td>"
                        f"<td><code>{_esc(r.where or '')}</code></td></tr>")
        raised = [f'<p style="color:{COLOUR["error"]}"><b>your code raised</b>, in the '
                  f"{_esc(r.check)} check: {_esc(r.summary)}"
                  + (f" (at <code>{_esc(r.where)}</code>)" if r.where else "") + "</p>"
                  for r in self.raised]
        table = self._table()
        colour = COLOUR["ok" if self.ok else "wrong"]
        return "\n".join([
            '<div class="tinygrad-edu-program-report">', f"<p><b>check {_esc(self.name)}</b></p>",
            *raised, "<table>",
            "<thead><tr><th></th><th>check</th><th>finding</th><th>where</th></tr></thead>",
            "<tbody>", *rows, "</tbody>", "</table>",
            *([table.report._repr_html_()] if table is not None else []),
            *(f"<p><small>note: {_esc(n)}</small></p>" for n in self.notes),
            f'<p style="color:{colour}"><b>{_esc(self.verdict())}</b></p>', "</div>"])

    def to_dict(self):
        """The report as plain data: name, ok, seconds, verdict, notes and checks (one dict per
        check, see CheckResult.to_dict)."""
        return _plain({"name": self.name, "ok": self.ok, "seconds": self.seconds,
                       "verdict": self.verdict(), "notes": self.notes,
                       "checks": [r.to_dict() for r in self.results]})

    def to_json(self, indent=2):
        """to_dict() as JSON text (what `tinygrad-edu check PATH --json` prints)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


CAUTION = "a caution, not a fault: "  # a detail a passing check shows too


def _details(result, with_table):
    """A check's detail lines; those that repeat a row of the gradient table printed below it
    ("self.W[2]: all 160 entries differ; ...") are left to the table."""
    if not with_table:
        return result.details
    names = tuple(f"{row.name}: " for row in result.report.rows)
    return [d for d in result.details if not d.startswith(names)]


def _esc(text):
    return html.escape(str(text), quote=True)


def _md(text):
    """Text safe inside a markdown table cell: pipes escaped, line breaks as spaces."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _plain(value):
    """value with numpy scalars and arrays, tuples and non-finite floats made JSON's own."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # "nan", "inf": JSON has no numbers for them
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
