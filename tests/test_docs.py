"""The docs tell the truth: every ```python block in README.md and docs/*.md runs, the output shown
under a block is the output it prints, quoted source is still in the source, links lead somewhere,
and docs/api.md and docs/ops.md cover every public name and every primitive.

Rules for writing docs, as this file enforces them:

- Each file's ```python blocks run in order, in one namespace, in a fresh Python process whose
  working directory is an empty temporary folder. A block preceded (on its nearest non-blank line)
  by ``<!-- not-run: reason -->`` is skipped; when the reason is ``quoted from <path>``, the block
  must appear verbatim in that file (a line ``...`` may stand for lines left out).
- A ```text block right after a run block (only blank lines between) is that block's expected
  stdout. Words and layout must match; numbers may differ in the 7th significant digit.
- A block that renders a graph needs Graphviz's `dot`. Where `dot` is not on PATH (a new user's
  laptop), such a block fails with viz.MISSING_DOT's words: it is skipped with that reason and the
  file's later blocks still run; everywhere else every block runs.
- To see what the blocks of a file print: ``python tests/test_docs.py docs/engine.md``; add
  ``--update`` to write that output into the ```text blocks (then read the diff).
"""

import importlib
import inspect
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tinygrad_edu
from tinygrad_edu import Tensor, functional, ops

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+-]*)")
NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(.*?)\s*-->$")
QUOTED = re.compile(r"^quoted from (\S+)")


def _rel(path):
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def parse_blocks(text):
    """The ```python blocks of a markdown text: dicts with code, line (of the first code line),
    not_run (the reason or None) and output (the ```text block right after it, or None)."""
    lines = text.split("\n")
    blocks, i, previous = [], 0, ""
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        indent, fence, lang = len(m.group(1)), m.group(2), m.group(3).lower()
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            j += 1
        body = [line[len(line[:indent]) - len(line[:indent].lstrip()):]  # dedent a listed block
                for line in lines[i + 1:j]]
        reason = NOT_RUN.match(previous)
        blocks.append({"lang": lang, "code": "\n".join(body) + "\n", "line": i + 2,
                       "not_run": reason.group(1) if reason else None, "output": None,
                       "end": j})
        previous, i = "", j + 1
    python = []
    for k, b in enumerate(blocks):
        if b["lang"] not in ("python", "py"):
            continue
        after = blocks[k + 1] if k + 1 < len(blocks) else None
        if after is not None and after["lang"] == "text" and b["not_run"] is None and all(
                not line.strip() for line in lines[b["end"] + 1:after["line"] - 2]):
            b["output"], b["output_at"] = after["code"], (after["line"] - 1, after["end"])
        python.append(b)
    return python


def _cases():
    cases = []
    for path in DOCS:
        if path.exists():
            blocks = parse_blocks(path.read_text(encoding="utf-8"))
            cases += [pytest.param(path, k, id=f"{_rel(path)}#{k + 1}") for k in range(len(blocks))]
    return cases


# ----- running a file's blocks in a fresh process ------------------------------------------------

DRIVER = r"""
import contextlib, io, json, shutil, sys, traceback
blocks = json.load(sys.stdin)
namespace, results = {"__name__": "__main__"}, []
for b in blocks:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(b["code"], b["file"], "exec"), namespace)
        results.append({"output": out.getvalue(), "error": None})
    except BaseException as e:
        if shutil.which("dot") is None and "Graphviz program `dot` is not installed" in str(e):
            results.append({"output": out.getvalue(), "error": None, "needs_dot": True})
            continue  # the graph is not drawn; what the next blocks compute still runs
        results.append({"output": out.getvalue(), "error": traceback.format_exc()})
        break
sys.__stdout__.write("\n@@RESULTS@@" + json.dumps(results))
"""

_runs = {}


def run_file(path, cwd):
    """Run the blocks of one file in order; return one result per python block (None: not run)."""
    if path in _runs:
        return _runs[path]
    blocks = parse_blocks(path.read_text(encoding="utf-8"))
    todo = [{"code": "\n" * (b["line"] - 1) + b["code"], "file": str(path)}  # tracebacks: md lines
            for b in blocks if b["not_run"] is None]
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", DRIVER],
                          input=json.dumps(todo), capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)
    if "@@RESULTS@@" not in proc.stdout:
        raise AssertionError(f"{_rel(path)}: the Python process running its blocks died "
                             f"(exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    ran = iter(json.loads(proc.stdout.split("@@RESULTS@@")[-1]))
    results = [None if b["not_run"] is not None else next(ran, "unreached") for b in blocks]
    _runs[path] = results
    return results


NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:nan|inf)\b")


def same_output(expected, actual):
    """Equal up to whitespace and to numbers that agree to about 7 significant digits."""
    def split(text):
        return NUMBER.split(re.sub(r"\s+", "", text)), NUMBER.findall(text)

    (words_e, nums_e), (words_a, nums_a) = split(expected), split(actual)
    if words_e != words_a or len(nums_e) != len(nums_a):
        return False
    return all(e == a or math.isclose(float(e), float(a), rel_tol=1e-6, abs_tol=1e-12)
               for e, a in zip(nums_e, nums_a))


def _show(code, line):
    return "\n".join(f"{line + i:5d} | {text}" for i, text in enumerate(code.rstrip().split("\n")))


@pytest.mark.parametrize("path, k", _cases())
def test_code_block(path, k, tmp_path):
    block = parse_blocks(path.read_text(encoding="utf-8"))[k]
    where = f"{_rel(path)}, python block {k + 1} (line {block['line']})"
    if block["not_run"] is not None:
        quoted = QUOTED.match(block["not_run"])
        if quoted is None:
            pytest.skip(f"not-run: {block['not_run']}")
        source = (ROOT / quoted.group(1)).read_text(encoding="utf-8")
        for chunk in re.split(r"\n[ \t]*\.\.\.[ \t]*\n", "\n" + block["code"].rstrip() + "\n"):
            chunk = chunk.strip("\n")
            if chunk not in source:
                pytest.fail(f"{where} quotes {quoted.group(1)}, but this part is no longer in "
                            f"that file:\n{chunk}", pytrace=False)
        return
    result = run_file(path, tmp_path)[k]
    if result == "unreached":
        pytest.fail(f"{where} did not run: an earlier block of the file failed")
    if result.get("needs_dot"):
        pytest.skip(f"{where} renders a graph with Graphviz's `dot`, which is not on PATH "
                    "(install Graphviz to run it)")
    if result["error"] is not None:
        pytest.fail(f"{where} failed:\n{_show(block['code'], block['line'])}\n\n{result['error']}",
                    pytrace=False)
    if block["output"] is not None and not same_output(block["output"], result["output"]):
        pytest.fail(f"{where} prints something else than the doc shows.\n"
                    f"{_show(block['code'], block['line'])}\n\n--- the doc shows:\n"
                    f"{block['output']}--- the block printed:\n{result['output']}", pytrace=False)


# ----- links -------------------------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
                  r"|^\s*\[[^\]]+\]:\s*(\S+)|(?:src|href)=\"([^\"]+)\"", re.M)


def _outside_fences(text):
    """The lines of a markdown text that are not inside a fenced code block."""
    kept, fence = [], None
    for line in text.split("\n"):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m.group(2)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None:
            kept.append(line)
    return kept


def anchors(text):
    """The #anchors GitHub gives the headings of a markdown text."""
    seen, found = {}, set()
    for line in _outside_fences(text):
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1))
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


@pytest.mark.parametrize("path", [p for p in DOCS if p.exists()], ids=_rel)
def test_relative_links_point_to_existing_files(path):
    text = path.read_text(encoding="utf-8")
    broken = []
    prose = re.sub(r"`[^`\n]*`", "", "\n".join(_outside_fences(text)))  # not code spans
    for m in LINK.finditer(prose):
        target = next(g for g in m.groups() if g)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        if not dest.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and dest.suffix == ".md":
            if anchor not in anchors(dest.read_text(encoding="utf-8")):
                broken.append(f"{target} (no heading with anchor #{anchor} in {dest.name})")
    assert not broken, f"{_rel(path)} has broken links:\n  " + "\n  ".join(broken)


# ----- api.md and ops.md cover the code ----------------------------------------------------------

ITEM = re.compile(r"^(?:#{2,4}|[-*])\s+(?=`)")
SPAN = re.compile(r"`([\w.]+)(\([^`]*\))?`")


def api_entries(text):
    """(name, "(params)" or None) for every name an entry of api.md documents.

    An entry is a list item or heading that starts with code spans: `Tensor.sum(axis=None,
    keepdims=False)`, or several, `Tensor.shape`, `Tensor.dtype`, before the dash that describes
    them.
    """
    items, current = [], None
    for line in _outside_fences(text):
        if ITEM.match(line):
            current = [line]
            items.append(current)
        elif current is not None and line.startswith("  ") and line.strip():
            current.append(line)
        else:
            current = None
    entries = []
    for lines in items:
        head = " ".join(line.strip() for line in lines).split(" — ")[0]
        entries += [(m.group(1), m.group(2)) for m in SPAN.finditer(head)]
    return entries


_MISSING = object()


def _resolve(name):
    """(object, owner class or None) an api.md name refers to: Tensor.sum, F.mse_loss, no_grad..."""
    head, *rest = name.split(".")
    if head == "tinygrad_edu" and rest:
        head, *rest = rest
    if head == "tinygrad_edu":
        obj = tinygrad_edu
    elif head == "F":
        obj = functional
    elif f"tinygrad_edu.{head}" in sys.modules and rest:  # explain.explain_preset: the module
        obj = sys.modules[f"tinygrad_edu.{head}"]
    elif hasattr(tinygrad_edu, head):
        obj = getattr(tinygrad_edu, head)
    else:
        obj = importlib.import_module(f"tinygrad_edu.{head}")
    owner = None
    for part in rest:
        if inspect.isclass(obj):
            owner, cls = obj, obj
            obj = inspect.getattr_static(cls, part, _MISSING)
            if obj is _MISSING:  # an attribute set in __init__, such as Tape.outputs
                try:
                    source = inspect.getsource(cls.__init__)
                except (OSError, TypeError):  # a dataclass's generated __init__
                    source = ""
                if f"self.{part} =" not in source and part not in getattr(
                        cls, "__dataclass_fields__", {}):
                    raise AttributeError(f"{cls.__name__} has no attribute {part!r}")
                return None, owner
        else:
            owner, obj = None, getattr(obj, part)
    return obj, owner


def _api_entries():
    path = ROOT / "docs" / "api.md"
    if not path.exists():
        pytest.skip("docs/api.md is not written yet")
    return api_entries(path.read_text(encoding="utf-8"))


def test_api_md_names_every_public_name():
    names = {name.removeprefix("tinygrad_edu.") for name, _ in _api_entries()}
    wanted = set(tinygrad_edu.__all__)
    wanted |= {f"Tensor.{n}" for n in dir(Tensor) if not n.startswith("_")}
    wanted |= {f"F.{n}" for n, f in vars(functional).items() if not n.startswith("_")
               and inspect.isfunction(f) and f.__module__ == functional.__name__}
    wanted |= {"check.gradcheck"}
    missing = sorted(wanted - names)
    assert not missing, "docs/api.md has no entry (a list item or heading starting with `name`) " \
                        f"for: {', '.join(missing)}"


def _params(text):
    text = text.replace("<built-in function print>", "print")
    text = re.sub(r"<class 'numpy\.(\w+)'>", r"np.\1", text)
    text = NUMBER.sub(lambda m: repr(float(m.group())), text.replace('"', "'"))
    return re.sub(r"\s+", "", text)


def test_api_md_names_exist_and_signatures_match_the_code():
    wrong = []
    for name, params in _api_entries():
        try:
            obj, owner = _resolve(name)
        except (AttributeError, ImportError) as e:
            wrong.append(f"{name}: no such name in the package ({e})")
            continue
        if params is None:
            continue
        if isinstance(obj, (staticmethod, classmethod)):
            obj, owner = obj.__func__, owner if isinstance(obj, classmethod) else None
        sig = inspect.signature(obj)
        if owner is not None and inspect.isfunction(obj):  # a method: drop self (or cls)
            sig = sig.replace(parameters=list(sig.parameters.values())[1:])
        if _params(params) != _params(str(sig)):
            wrong.append(f"{name}{params}: the code says {name}{sig}")
    assert not wrong, "docs/api.md disagrees with the code:\n  " + "\n  ".join(wrong)


def test_ops_md_gives_every_primitive_with_its_formula():
    path = ROOT / "docs" / "ops.md"
    if not path.exists():
        pytest.skip("docs/ops.md is not written yet")
    rows = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        m = re.match(r"^\|\s*`(\w+)`\s*\|", line)
        if m:
            rows[m.group(1)] = line
    problems = [f"{p.name}: no table row starting with `{p.name}`" if p.name not in rows else
                f"{p.name}: its row does not show the formula {p.formula!r}"
                for p in ops.PRIMITIVES.values()
                if p.name not in rows or p.formula not in rows[p.name]]
    assert not problems, "docs/ops.md is out of date:\n  " + "\n  ".join(problems)


# ----- the checks above can fail ----------------------------------------------------------------

def test_wrong_output_failing_blocks_and_not_run_blocks_are_told_apart(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("```python\nv = 1.5\nprint(v, [v])\n```\n\n```text\n1.5000001 [1.5]\n```\n"
                   "```python\nprint(v + 1)\n```\n```text\n3.5\n```\n"
                   "<!-- not-run: shows a typo -->\n\n```python\nprint(\n```\n"
                   "  ```python\n  1 / 0\n  ```\n```python\nprint('never')\n```\n")
    blocks = parse_blocks(doc.read_text())
    assert [b["not_run"] for b in blocks] == [None, None, "shows a typo", None, None]
    assert blocks[3]["code"] == "1 / 0\n" and blocks[3]["line"] == 21
    results = run_file(doc, tmp_path)
    assert same_output(blocks[0]["output"], results[0]["output"])
    assert not same_output(blocks[1]["output"], results[1]["output"])  # 2.5, not 3.5
    assert results[2] is None and results[4] == "unreached"
    assert "ZeroDivisionError" in results[3]["error"] and "doc.md\", line 21" in results[3]["error"]


def test_output_comparison_allows_only_tiny_numerical_differences():
    assert same_output("Tensor([0.5, 1. ])\n", "Tensor([0.5       , 1.0000000001])")
    assert not same_output("Tensor([0.5, 1.])", "Tensor([0.5, 1.001])")
    assert not same_output("Tensor([0.5, 1.])", "Tensor([0.5, 1., 2.])")
    assert not same_output("op=add", "op=mul")


def test_api_entries_and_anchors_are_read_as_github_reads_them():
    text = "- `a.b(x=1e-6)`, `c` — one\n  `d` (not an entry)\n- `e`,\n  `f` — two\nSee `g`.\n"
    assert api_entries(text) == [("a.b", "(x=1e-6)"), ("c", None), ("e", None), ("f", None)]
    assert _params("(x=1e-6, y=\"s\")") == _params("(x=1e-06, y='s')")
    assert anchors("## `retain_grad`: the δ of a layer\n# ops.py: A\n## A\n```\n# no\n```\n") == {
        "retain_grad-the-δ-of-a-layer", "opspy-a", "a"}


if __name__ == "__main__":
    # python tests/test_docs.py FILE...: print what each python block prints;
    # with --update, also write it into the ```text blocks that follow them (then read the diff).
    import tempfile

    update = "--update" in sys.argv
    for arg in [a for a in sys.argv[1:] if a != "--update"]:
        path = Path(arg).resolve()
        lines = path.read_text(encoding="utf-8").split("\n")
        blocks = parse_blocks("\n".join(lines))
        with tempfile.TemporaryDirectory() as cwd:
            results = run_file(path, cwd)
        for b, r in reversed(list(zip(blocks, results))):
            if isinstance(r, dict) and update and b["output"] is not None and not r["error"]:
                start, end = b["output_at"]
                lines[start:end] = r["output"].rstrip("\n").split("\n")
        for k, (b, r) in enumerate(zip(blocks, results)):
            print(f"===== {_rel(path)}#{k + 1} (line {b['line']})", end=" ")
            if r is None or r == "unreached":
                print("not run" if r is None else "not reached")
                continue
            print("\n" + r["output"] + (r["error"] or ""), end="")
        if update:
            path.write_text("\n".join(lines), encoding="utf-8")
