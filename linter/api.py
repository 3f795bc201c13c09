"""The linter's public Python API (stable for the runtime verifier, editors and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from .config import Settings, load_settings
from .engine import ProjectState, check_source
from .finding import DISPLAY_ONLY, SAFE, UNSAFE, Edit, Finding, Fix
from .analysis.hoisting import NotHoistable, plan_import, plan_lambda_attribute, plan_lambda_to_def, plan_nested


def check_paths(paths: Sequence[str], settings: Optional[Settings] = None, *, jobs: int = 1,
                use_cache: bool = False) -> List[Finding]:
    """Findings for files/directories, analysed together as one project."""
    from .discovery import discover
    from .engine import check_files

    if settings is None:
        first = Path(paths[0]) if paths else Path(".")
        settings = load_settings(None, first if first.is_dir() else first.parent)
    found = discover(paths, settings)
    return check_files(found.files, settings, jobs=jobs, use_cache=use_cache).findings


def rule_doc(code: str) -> Optional[Tuple[str, str, str]]:
    """(name, documentation in markdown, doc URL) of a rule, or None for an unknown code."""
    from .output import rule_url
    from .rules import all_rules

    rule = all_rules().get(code.upper())
    if rule is None:
        return None
    return rule.name, rule.doc(), rule_url(rule.code, rule.name)


__all__ = ["check_paths", "rule_doc", "check_source", "load_settings", "Settings", "Finding", "Fix", "Edit",
           "SAFE", "UNSAFE", "DISPLAY_ONLY", "ProjectState",
           "NotHoistable", "plan_import", "plan_lambda_attribute", "plan_lambda_to_def", "plan_nested"]
