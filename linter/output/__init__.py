"""Output formats: concise (default), full, json (ruff's schema), sarif, github."""

from __future__ import annotations

from typing import Callable, Dict, List, Sequence

from ..finding import Finding

DOCS_URL = "https://github.com/jitlint/jitlint/blob/main/docs/rules.md#{anchor}"


def rule_url(code: str, name: str) -> str:
    return DOCS_URL.format(anchor=f"{code.lower()}-{name}")


def render(fmt: str, findings: Sequence[Finding], sources: Dict[str, List[str]]) -> str:
    from . import formats

    renderer: Callable = getattr(formats, "render_" + fmt)
    return renderer(findings, sources)
