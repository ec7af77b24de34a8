"""The checker's report: one row per compared gradient and a diagnosis, as text and markdown.

It imports nothing from the engine; the checks in this package fill it in.
"""

from dataclasses import dataclass, field

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
