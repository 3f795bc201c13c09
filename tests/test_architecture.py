"""The layer contracts of docs/ARCHITECTURE.md, held over the source tree with ``ast``.

import-linter cannot see the package in an editable install (the repository root is mapped
to ``jitlint`` by pyproject's package-dir), so the contracts are checked here: every import
statement, at any depth (lazy imports included), is resolved to a file of this tree.

- a rule (``linter/rules/jit*.py``) imports only the rule base, the analysis and ``finding``;
- the analysis (``linter/analysis/``) never imports rules, output, the CLI or the engine;
- the static side (``linter/``, ``codemods/``, the flake8 plugin, the package root) never
  imports torch or ``runtime/`` (one door: the ``verify`` subcommand's lazy dispatch);
- ``runtime/`` and ``codemods/`` reach the linter only through ``linter/api.py``;
- the linter reaches ``codemods/`` only from its ``--fix`` door (``linter/fixing.py``), and
  the rules and the analysis never (a rule describes edits; applying them is the codemods');
- every import inside the package is relative (so each names a file by its path).
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = ("linter", "runtime", "plugins", "codemods")


def package_files(root: Path) -> Iterator[Path]:
    for name in ("__init__.py", "__main__.py"):
        if (root / name).exists():
            yield root / name
    for folder in PACKAGE_DIRS:
        yield from sorted((root / folder).rglob("*.py"))


def module_of(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["jitlint", *parts])


def imports_of(root: Path, path: Path) -> Iterator[Tuple[int, str, bool]]:
    """(line, absolute module imported, was it relative) for every import in ``path``.

    ``from .x import name`` yields ``pkg.x.name`` too when that is a module of the tree, so
    ``from . import torch_api`` counts as importing ``torch_api``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module_of(root, path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, False
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target, bool(node.level)
            for alias in node.names:
                yield node.lineno, f"{target}.{alias.name}", bool(node.level)


def file_of(root: Path, module: str) -> Optional[str]:
    """The tree-relative path of a ``jitlint.*`` module ('linter/finding.py'), or None."""
    if module != "jitlint" and not module.startswith("jitlint."):
        return None
    parts = module.split(".")[1:]
    base = root.joinpath(*parts) if parts else root
    if base.with_suffix(".py").is_file():
        return str(base.with_suffix(".py").relative_to(root))
    if (base / "__init__.py").is_file():
        return str((base / "__init__.py").relative_to(root))
    return None


def is_rule(rel: str) -> bool:
    return rel.startswith("linter/rules/jit")


def violations(root: Path) -> List[str]:
    out: List[str] = []
    for path in package_files(root):
        rel = str(path.relative_to(root))
        for line, module, relative in imports_of(root, path):
            where = f"{rel}:{line}"
            top = module.split(".")[0]
            target = file_of(root, module)
            if top == "jitlint" and not relative:
                out.append(f"{where}: absolute import of {module} inside the package (use a relative import)")
            static_side = not rel.startswith(("runtime/", "plugins/pytest_plugin.py"))
            if static_side and top == "torch":
                out.append(f"{where}: the static side imports torch")
            if target is None:
                continue
            if static_side and target.startswith("runtime/") and not (
                    rel == "linter/cli.py" and target == "runtime/cli.py"):
                out.append(f"{where}: the static side imports {target}")
            if is_rule(rel) and target != rel:
                allowed = (target.startswith("linter/analysis/") or target in (
                    "linter/rules/base.py", "linter/finding.py", "linter/rules/__init__.py", "linter/__init__.py",
                    "__init__.py"))
                if is_rule(target):
                    out.append(f"{where}: a rule imports another rule ({target})")
                elif not allowed:
                    out.append(f"{where}: a rule imports {target} (only the rule base, analysis and finding)")
            if rel.startswith("linter/analysis/"):
                forbidden = target.startswith(("linter/rules/", "linter/output/")) or target in (
                    "linter/cli.py", "linter/engine.py", "linter/file_checker.py", "linter/function_walker.py",
                    "linter/cache.py", "linter/config.py", "linter/discovery.py", "linter/docs.py", "linter/api.py")
                if forbidden:
                    out.append(f"{where}: the analysis imports {target}")
            if rel.startswith("runtime/") and target.startswith("linter/") and target not in (
                    "linter/api.py", "linter/__init__.py"):
                out.append(f"{where}: runtime/ uses the linter outside its public API ({target})")
            if rel.startswith("codemods/") and target.startswith("linter/") and target not in (
                    "linter/api.py", "linter/__init__.py"):
                out.append(f"{where}: codemods/ uses the linter outside its public API ({target})")
            if rel.startswith("linter/") and target.startswith("codemods/") and rel != "linter/fixing.py":
                out.append(f"{where}: the linter imports {target} outside its --fix door")
    return out


def test_the_tree_keeps_its_contracts():
    assert violations(ROOT) == []


def _copy_tree(tmp_path: Path) -> Path:
    dest = tmp_path / "tree"
    for name in ("__init__.py", "__main__.py"):
        dest.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, dest / name)
    for folder in PACKAGE_DIRS:
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _plant(path: Path, line: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n\ndef _planted():\n    " + line + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "file, line, expected",
    [
        ("linter/rules/jit302_tensor_to_python.py", "from .jit101_try_statement import TryStatement",
         "a rule imports another rule"),
        ("linter/rules/jit302_tensor_to_python.py", "from ..function_walker import FunctionWalker",
         "a rule imports linter/function_walker.py"),
        ("linter/analysis/typecheck/lattice.py", "from ...rules import all_rules",
         "the analysis imports linter/rules/__init__.py"),
        ("linter/analysis/reach.py", "from ..output import render", "the analysis imports linter/output"),
        ("linter/engine.py", "import torch", "the static side imports torch"),
        ("codemods/__init__.py", "from ..runtime import verify", "the static side imports runtime/__init__.py"),
        ("runtime/verifier.py", "from ..linter.engine import check_files", "outside its public API"),
        ("codemods/fix_loop.py", "from ..linter.engine import check_files", "codemods/ uses the linter outside"),
        ("linter/rules/jit301_len_of_tensor.py", "from ...codemods.edits import apply_fixes",
         "the linter imports codemods/edits.py outside its --fix door"),
        ("linter/config.py", "from jitlint.linter import finding", "absolute import of jitlint.linter"),
    ],
)
def test_a_planted_violation_fails(tmp_path, file, line, expected):
    tree = _copy_tree(tmp_path)
    assert violations(tree) == []
    _plant(tree / file, line)
    found = violations(tree)
    assert any(expected in v and v.startswith(file) for v in found), found
