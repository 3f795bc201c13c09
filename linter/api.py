"""The linter's public Python API (stable for the runtime verifier, editors and tests)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Sequence

from .config import Settings, load_settings
from .engine import ProjectState, check_source
from .finding import DISPLAY_ONLY, SAFE, UNSAFE, Edit, Finding, Fix


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


__all__ = ["check_paths", "check_source", "load_settings", "Settings", "Finding", "Fix", "Edit",
           "SAFE", "UNSAFE", "DISPLAY_ONLY", "ProjectState"]
