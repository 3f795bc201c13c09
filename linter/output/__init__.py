"""Output formats: concise (default), full, grouped, json (ruff's schema), json-lines, junit,
gitlab, pylint, rdjson, azure, sarif, github (see formats.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, List, Sequence

from ..finding import Finding

# The rule docs ship with jitlint (pyproject package-data: docs/*.md), so a finding's URL
# points at the installed copy of docs/rules.md; ``jitlint rule CODE`` prints the same text.
RULES_DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def rule_url(code: str, name: str) -> str:
    return f"{RULES_DOC.as_uri()}#{code.lower()}-{name}"


def render(fmt: str, findings: Sequence[Finding], sources: Dict[str, List[str]]) -> str:
    from . import formats

    renderer: Callable = getattr(formats, "render_" + fmt.replace("-", "_"))
    return renderer(findings, sources)
