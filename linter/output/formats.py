"""The renderers. Each takes findings plus the source lines of the files they point into.

Formats, as ruff spells them: ``concise`` (default), ``full``, ``grouped``, ``json``,
``json-lines``, ``junit``, ``gitlab``, ``pylint``, ``rdjson``, ``azure``, ``sarif``, ``github``
(``render_<name>`` with ``-`` spelled ``_``).

Severity levels: a rule class may set its own ``severity`` (``error``, ``warning`` or
``note``/``info``). A rule that keeps the base class's value gets its family's level:
``error`` for JIT1xx/JIT2xx/JIT5xx (the compiler rejects the code, or it cannot be exported),
``warning`` for JIT3xx/JIT4xx (trace hazards, deprecated APIs), ``note`` for JIT0xx (the
tool's own notices: unreadable or skipped files). SARIF's ``level`` is that level; GitLab maps
it to ``major``/``minor``/``info``, rdjson to ``ERROR``/``WARNING``/``INFO``, Azure to
``error``/``warning`` (it has no note).
"""

from __future__ import annotations

import hashlib
import json
import os
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Dict, List, Sequence

from ... import __version__
from ..finding import Finding
from . import RULES_DOC, rule_url

FAMILY_LEVELS = {"JIT0": "note", "JIT1": "error", "JIT2": "error", "JIT3": "warning",
                 "JIT4": "warning", "JIT5": "error"}
_LEVEL_ALIASES = {"error": "error", "warning": "warning", "note": "note", "info": "note"}


def rule_level(code: str) -> str:
    """``error``, ``warning`` or ``note`` for a rule code (see the module docstring)."""
    from ..rules import all_rules
    from ..rules.base import Rule

    rule = all_rules().get(code)
    if rule is not None:
        for klass in rule.__mro__:
            if klass is Rule or klass is object:
                break
            if "severity" in vars(klass):
                level = _LEVEL_ALIASES.get(str(klass.severity).lower())
                if level is not None:
                    return level
                break
    return FAMILY_LEVELS.get(code[:4], "error")


def _plain(markdown: str) -> str:
    """A rule's markdown doc as plain text: headings lose ``##``, fences disappear."""
    out = []
    for line in markdown.splitlines():
        if line.startswith("```"):
            continue
        if line.startswith("#"):
            line = line.lstrip("#").strip()
        out.append(line.replace("``", "").replace("`", ""))
    return "\n".join(out).strip()



def where(f: Finding) -> str:
    """``path:row:col``, or ruff's ``nb.ipynb:cell 3:row:col`` for a notebook cell."""
    cell = f"cell {f.cell}:" if f.cell is not None else ""
    return f"{f.path}:{cell}{f.row}:{f.column}"

# The applicabilities ``--fix`` applies in this run: ``[*]`` marks exactly the findings it
# would fix (unsafe ones too under ``--unsafe-fixes``, as in ruff). Set by the CLI.
_MARKED = {"safe"}


def show_unsafe_fixes(on: bool) -> None:
    _MARKED.clear()
    _MARKED.update({"safe", "unsafe"} if on else {"safe"})


def _fixable(f: Finding) -> str:
    return "[*] " if f.fix is not None and f.fix.applicability in _MARKED else ""


def render_concise(findings: Sequence[Finding], sources) -> str:
    lines = [f"{where(f)}: {f.code} {_fixable(f)}{f.message}" for f in findings]
    return "\n".join(lines) + ("\n" if lines else "")


def _frame(f: Finding, lines: List[str]) -> List[str]:
    if not lines or f.row > len(lines) or f.cell is not None:  # a notebook's lines are its JSON
        return []
    out = []
    first = max(1, f.row - 2)
    width = len(str(min(len(lines), f.row + 1)))
    for n in range(first, min(len(lines), f.row + 1) + 1):
        text = lines[n - 1].rstrip("\n")
        out.append(f"  {str(n).rjust(width)} | {text}")
        if n == f.row:
            end = f.end_column if f.end_row == f.row and f.end_column > f.column else len(text) + 1
            out.append(f"  {' ' * width} | {' ' * (f.column - 1)}{'^' * max(1, end - f.column)} {f.code}")
    return out


def render_full(findings: Sequence[Finding], sources: Dict[str, List[str]]) -> str:
    from ..rules import all_rules

    rules = all_rules()
    chunks = []
    for f in findings:
        block = [f"{where(f)}: {f.code} {_fixable(f)}{f.message}"]
        block.extend(_frame(f, sources.get(f.path, [])))
        rule = rules.get(f.code)
        if rule is not None:
            hint = rule.doc_section("Use instead")
            summary = " ".join(hint.split("```")[0].split()) if hint else ""
            if summary:
                block.append(f"  = help: {summary}")
            block.append(f"  = docs: {rule_url(f.code, f.name)}")
        if f.fix is not None:
            block.append(f"  = fix ({f.fix.applicability}): {f.fix.message}")
        chunks.append("\n".join(block))
    return "\n\n".join(chunks) + ("\n" if chunks else "")


def to_json_obj(f: Finding) -> dict:
    return {
        "cell": None,
        "code": f.code,
        "end_location": {"row": f.end_row, "column": f.end_column},
        "filename": f.path,
        "fix": f.fix.to_json() if f.fix is not None else None,
        **({"cell": f.cell} if f.cell is not None else {}),
        "location": {"row": f.row, "column": f.column},
        "message": f.message,
        "noqa_row": f.noqa_row,
        "url": rule_url(f.code, f.name),
        # trace findings: what would have to vary to break the trace (trace-dynamic's groups)
        **({"varies": list(f.varies)} if f.varies else {}),
    }


def render_json(findings: Sequence[Finding], sources) -> str:
    return json.dumps([to_json_obj(f) for f in findings], indent=2) + "\n"


def render_github(findings: Sequence[Finding], sources) -> str:
    out = []
    for f in findings:
        msg = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        out.append(
            f"::error title=jitlint ({f.code}),file={f.path},line={f.row},col={f.column},"
            f"endLine={f.end_row},endColumn={f.end_column}::{f.path}:{f.row}:{f.column}: {f.code} {msg}"
        )
    return "\n".join(out) + ("\n" if out else "")


def render_sarif(findings: Sequence[Finding], sources) -> str:
    from ..rules import all_rules

    used = sorted({f.code for f in findings})
    rules = all_rules()
    sarif_rules = []
    for code in used:
        rule = rules.get(code)
        if rule is None:
            continue
        sarif_rules.append({
            "id": code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary() or rule.message},
            "fullDescription": {"text": _plain(rule.doc()) or rule.message, "markdown": rule.doc() or rule.message},
            "help": {"text": _plain(rule.doc()) or rule.message, "markdown": rule.doc() or rule.message},
            "helpUri": rule_url(code, rule.name),
            "defaultConfiguration": {"level": rule_level(code)},
            "properties": {"family": code[:4]},
        })
    results = []
    levels: Dict[str, str] = {}
    for f in findings:
        results.append({
            "ruleId": f.code,
            "level": levels.setdefault(f.code, rule_level(f.code)),
            "message": {"text": f.message},
            **({"properties": {"varies": list(f.varies)}} if f.varies else {}),
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": f.path.replace("\\", "/")},
                    "region": {"startLine": f.row, "startColumn": f.column,
                               "endLine": f.end_row, "endColumn": f.end_column},
                }
            }],
        })
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "jitlint", "version": __version__,
                                 "informationUri": RULES_DOC.as_uri(), "rules": sarif_rules}},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2) + "\n"


def render_statistics(findings: Sequence[Finding]) -> str:
    counts = Counter((f.code, f.name) for f in findings)
    fixable = Counter(f.code for f in findings if f.fix is not None and f.fix.applicability in _MARKED)
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0])):
        mark = "[*]" if fixable.get(code) else "   "
        lines.append(f"{str(n).rjust(width)}\t{code}\t{mark} {name}")
    return "\n".join(lines) + ("\n" if lines else "")


def render_statistics_json(findings: Sequence[Finding]) -> str:
    """ruff's ``--statistics --output-format json``: [{code, name, count, fixable}]."""
    counts = Counter((f.code, f.name) for f in findings)
    fixable = Counter(f.code for f in findings if f.fix is not None and f.fix.applicability in _MARKED)
    rows = [{"code": code, "name": name, "count": n, "fixable": bool(fixable.get(code))}
            for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))]
    return json.dumps(rows, indent=2) + "\n"


def _lines(out: List[str]) -> str:
    return "\n".join(out) + ("\n" if out else "")


def render_json_lines(findings: Sequence[Finding], sources) -> str:
    return _lines([json.dumps(to_json_obj(f)) for f in findings])


def render_pylint(findings: Sequence[Finding], sources) -> str:
    return _lines([f"{f.path}:{f.row}: [{f.code}] {f.message}" for f in findings])


def render_azure(findings: Sequence[Finding], sources) -> str:
    out = []
    for f in findings:
        kind = "error" if rule_level(f.code) == "error" else "warning"
        msg = f.message.replace("\r", " ").replace("\n", " ")
        out.append(f"##vso[task.logissue type={kind};sourcepath={f.path};linenumber={f.row};"
                   f"columnnumber={f.column};code={f.code};]{msg}")
    return _lines(out)


def render_grouped(findings: Sequence[Finding], sources) -> str:
    """ruff's grouped output: a header per file, then ``row:col CODE message`` aligned."""
    groups: Dict[str, List[Finding]] = {}
    for f in findings:
        groups.setdefault(f.path, []).append(f)
    out: List[str] = []
    for path, group in groups.items():
        out.append(f"{path}:")
        places = [(f"cell {f.cell}:" if f.cell is not None else "") + str(f.row) for f in group]
        row_w = max(len(p) for p in places)
        col_w = max(len(str(f.column)) for f in group)
        for place, f in zip(places, group):
            out.append(f"  {place.rjust(row_w)}:{str(f.column).ljust(col_w)} {f.code} {_fixable(f)}{f.message}")
        out.append("")
    return _lines(out)


_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "note": "info"}


def _gitlab_path(path: str) -> str:
    root = os.environ.get("CI_PROJECT_DIR")
    if root:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
        if not rel.startswith(".."):
            path = rel
    return path.replace("\\", "/")


def render_gitlab(findings: Sequence[Finding], sources) -> str:
    """GitLab Code Quality report; paths relative to ``$CI_PROJECT_DIR`` when set."""
    seen: Counter = Counter()
    issues = []
    for f in findings:
        path = _gitlab_path(f.path)
        key = f"{f.code}\0{path}\0{f.message}"
        seen[key] += 1  # identical findings in one file still get distinct fingerprints
        fingerprint = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:16]
        issues.append({
            "check_name": f.code,
            "description": f"{f.code}: {f.message}",
            "fingerprint": fingerprint,
            "location": {"path": path, "lines": {"begin": f.row, "end": f.end_row}},
            "severity": _GITLAB_SEVERITY[rule_level(f.code)],
            "type": "issue",
            "categories": ["Bug Risk"],
        })
    return json.dumps(issues, indent=2) + "\n"


_RDJSON_SEVERITY = {"error": "ERROR", "warning": "WARNING", "note": "INFO"}


def render_rdjson(findings: Sequence[Finding], sources) -> str:
    """reviewdog's Diagnostic Format (rdjson), with fixes as suggestions."""
    def rng(row, col, end_row, end_col):
        return {"start": {"line": row, "column": col}, "end": {"line": end_row, "column": end_col}}

    diagnostics = []
    for f in findings:
        diag = {
            "message": f.message,
            "location": {"path": f.path, "range": rng(f.row, f.column, f.end_row, f.end_column)},
            "severity": _RDJSON_SEVERITY[rule_level(f.code)],
            "code": {"value": f.code, "url": rule_url(f.code, f.name)},
        }
        if f.fix is not None:
            diag["suggestions"] = [{"range": rng(e.row, e.column, e.end_row, e.end_column), "text": e.content}
                                   for e in f.fix.edits]
        diagnostics.append(diag)
    doc = {"source": {"name": "jitlint", "url": RULES_DOC.as_uri()}, "severity": "WARNING",
           "diagnostics": diagnostics}
    return json.dumps(doc, indent=2) + "\n"


def render_junit(findings: Sequence[Finding], sources) -> str:
    """JUnit XML as ruff writes it: a testsuite per file, a failing testcase per finding."""
    root = ET.Element("testsuites", name="jitlint", tests=str(max(1, len(findings))),
                      failures=str(len(findings)), errors="0")
    if not findings:
        suite = ET.SubElement(root, "testsuite", name="jitlint", tests="1", disabled="0", errors="0",
                              failures="0", package="org.jitlint")
        ET.SubElement(suite, "testcase", name="org.jitlint", classname="jitlint")
    groups: Dict[str, List[Finding]] = {}
    for f in findings:
        groups.setdefault(f.path, []).append(f)
    for path, group in groups.items():
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(len(group)), disabled="0",
                              errors="0", failures=str(len(group)), package="org.jitlint")
        classname = os.path.splitext(path)[0]
        for f in group:
            case = ET.SubElement(suite, "testcase", name=f"org.jitlint.{f.code}", classname=classname,
                                 line=str(f.row), column=str(f.column))
            cell = f"cell {f.cell}, " if f.cell is not None else ""
            failure = ET.SubElement(case, "failure", message=f.message)
            failure.text = f"{cell}line {f.row}, col {f.column}, {f.message}"
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
