"""The renderers. Each takes findings plus the source lines of the files they point into."""

from __future__ import annotations

import json
from collections import Counter
from typing import Dict, List, Sequence

from ... import __version__
from ..finding import Finding
from . import RULES_DOC, rule_url



def where(f: Finding) -> str:
    """``path:row:col``, or ruff's ``nb.ipynb:cell 3:row:col`` for a notebook cell."""
    cell = f"cell {f.cell}:" if f.cell is not None else ""
    return f"{f.path}:{cell}{f.row}:{f.column}"

def _fixable(f: Finding) -> str:
    return "[*] " if f.fix is not None and f.fix.applicability == "safe" else ""


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
            "fullDescription": {"text": rule.doc()},
            "helpUri": rule_url(code, rule.name),
            "properties": {"family": code[:4]},
        })
    results = []
    for f in findings:
        results.append({
            "ruleId": f.code,
            "level": "error" if f.severity == "error" else "warning",
            "message": {"text": f.message},
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
    fixable = Counter(f.code for f in findings if f.fix is not None and f.fix.applicability == "safe")
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0])):
        mark = "[*]" if fixable.get(code) else "   "
        lines.append(f"{str(n).rjust(width)}\t{code}\t{mark} {name}")
    return "\n".join(lines) + ("\n" if lines else "")
