"""The reach model: findings appear exactly in code the compiler compiles.

Each case is a small multi-file project on disk; the expectations mirror what torch 2.13's
compiler does (catalog s031/s032/s420/s422-s426/s437 and the guard experiments recorded in
the rule docs). JIT101 (``try``) is the probe: it is a frontend rule, so it also shows that
syntax-level problems are found even inside ``is_scripting()`` guards.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from jitlint.linter.config import Settings
from jitlint.linter.discovery import discover
from jitlint.linter.engine import check_files

TRY = "try:\n    pass\nfinally:\n    pass"


def body(code: str, indent: int) -> str:
    return textwrap.indent(code, " " * indent)


def make(tmp_path: Path, files: dict) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return tmp_path


def lint(root: Path, use_cache=False, **kw):
    settings = Settings(select=["JIT101"], project_root=str(root), cache_dir=str(root / ".cache"), **kw)
    found = discover([str(root)], settings)
    report = check_files(found.files, settings, use_cache=use_cache)
    return {(Path(f.path).name, f.row) for f in report.findings}, report


def reached(root: Path, **kw):
    """(function id, mode) pairs the project model says are compiled/traced."""
    from jitlint.linter.engine import analyze_text
    from jitlint.linter.discovery import module_name_for
    from jitlint.linter.analysis.reach import Project

    summaries = []
    for path in discover([str(root)], Settings(project_root=str(root))).files:
        module, package = module_name_for(path)
        summaries.append(analyze_text(path, Path(path).read_text(), module, package, ()).summary)
    project = Project(summaries, **kw)
    project.compute()
    return set(project.reached)


def test_only_compiled_methods_are_reported(tmp_path):
    root = make(tmp_path, {"m.py": """
        import torch
        from torch import nn

        class M(nn.Module):
            __jit_unused_properties__ = ["debug_info"]

            def forward(self, x):
                return self.used(x)

            def used(self, x):
                try:
                    pass
                finally:
                    pass
                return x

            def never_called(self, x):
                try:
                    pass
                finally:
                    pass

            @torch.jit.export
            def exported(self):
                try:
                    pass
                finally:
                    pass

            @property
            def prop(self):
                try:
                    pass
                finally:
                    pass
                return 1

            @property
            def debug_info(self):
                try:
                    pass
                finally:
                    pass
                return 1

            @torch.jit.ignore
            def ignored(self):
                try:
                    pass
                finally:
                    pass

            @torch.jit.unused
            def unused(self):
                try:
                    pass
                finally:
                    pass
        """})
    found, _ = lint(root)
    assert found == {("m.py", 11), ("m.py", 25), ("m.py", 32)}


def test_guards_hide_calls_not_syntax(tmp_path):
    root = make(tmp_path, {"m.py": """
        import torch
        from torch import nn

        def helper(x):
            try:
                pass
            finally:
                pass
            return x

        class M(nn.Module):
            def forward(self, x):
                if not torch.jit.is_scripting():
                    x = helper(x)
                if not torch.jit.is_scripting():
                    try:
                        pass
                    finally:
                        pass
                return x
        """})
    found, _ = lint(root, modes=["script"])
    assert found == {("m.py", 16)}  # the guarded call does not pull helper in; the guarded try fails


def test_is_tracing_does_not_hide_from_script(tmp_path):
    root = make(tmp_path, {"m.py": """
        import torch
        from torch import nn

        def helper(x):
            try:
                pass
            finally:
                pass
            return x

        class M(nn.Module):
            def forward(self, x):
                if torch.jit.is_tracing():
                    x = helper(x)
                return x
        """})
    found, _ = lint(root, modes=["script"])
    assert found == {("m.py", 5)}


def test_static_return_makes_rest_dead_for_script(tmp_path):
    root = make(tmp_path, {"m.py": """
        import torch
        from torch import nn

        def python_path(x):
            try:
                pass
            finally:
                pass
            return x

        class M(nn.Module):
            def forward(self, x):
                if torch.jit.is_scripting():
                    return x
                return python_path(x)
        """})
    assert lint(root, modes=["script"])[0] == set()
    assert ("m:python_path", "trace") in reached(root, modes=["trace"])


def test_cross_file_base_class_and_imported_helper(tmp_path):
    root = make(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/base.py": """
            from torch import nn

            class Base(nn.Module):
                pass
            """,
        "pkg/util.py": """
            def helper(x):
                try:
                    pass
                finally:
                    pass
                return x

            def unused_helper(x):
                try:
                    pass
                finally:
                    pass
                return x
            """,
        "pkg/head.py": """
            from .base import Base
            from . import util

            class Head(Base):
                def forward(self, x):
                    return util.helper(x)

            class NotAModule:
                def forward(self, x):
                    try:
                        pass
                    finally:
                        pass
            """,
    })
    found, _ = lint(root)
    assert found == {("util.py", 2)}


def test_script_decorated_and_passed_functions_are_roots(tmp_path):
    root = make(tmp_path, {"f.py": """
        import torch

        @torch.jit.script
        def decorated(x):
            try:
                pass
            finally:
                pass
            return x

        def passed(x):
            try:
                pass
            finally:
                pass
            return x

        def not_compiled(x):
            try:
                pass
            finally:
                pass
            return x

        def main():
            return torch.jit.script(passed)
        """})
    assert lint(root)[0] == {("f.py", 5), ("f.py", 12)}


def test_script_if_tracing_helpers_are_scripted_when_traced(tmp_path):
    root = make(tmp_path, {"m.py": """
        import torch
        from torch import nn

        @torch.jit.script_if_tracing
        def scripted_helper(x):
            try:
                pass
            finally:
                pass
            return x

        class M(nn.Module):
            def forward(self, x):
                return scripted_helper(x)
        """})
    got = reached(root, modes=["trace"])
    assert ("m:scripted_helper", "script") in got and ("m:scripted_helper", "trace") not in got


def test_cache_is_invalidated_by_changes_in_other_files(tmp_path):
    root = make(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/util.py": """
            def helper(x):
                try:
                    pass
                finally:
                    pass
                return x
            """,
        "pkg/model.py": """
            from torch import nn
            from .util import helper

            class M(nn.Module):
                def forward(self, x):
                    return helper(x)
            """,
    })
    first, report = lint(root, use_cache=True)
    assert first == {("util.py", 2)} and report.cache_hits == 0
    again, report = lint(root, use_cache=True)
    assert again == first and report.cache_hits == 3
    # util.py is unchanged, but nobody compiles helper any more: its finding must go
    (root / "pkg/model.py").write_text(
        "from torch import nn\n\nclass M(nn.Module):\n    def forward(self, x):\n        return x\n")
    after, report = lint(root, use_cache=True)
    assert after == set() and report.cache_hits == 2


def test_deferred_positions_match_eager_ones(tmp_path):
    """Without cache, findings are positioned after reach is known; the result is the same."""
    root = make(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/util.py": """
            def helper(x):
                try:
                    pass
                finally:
                    pass
                return x

            def unreached(x):
                try:
                    pass
                finally:
                    pass
            """,
        "pkg/model.py": """
            from torch import nn
            from .util import helper

            class M(nn.Module):
                def forward(self, x):
                    return helper(x)  # noqa: JIT999
            """,
    })
    settings = Settings(select=["ALL"], project_root=str(root), cache_dir=str(root / ".cache"))
    files = discover([str(root)], settings).files
    deferred = check_files(files, settings, use_cache=False).findings
    eager = check_files(files, settings, use_cache=True).findings
    assert deferred == eager and any(f.code == "JIT101" for f in deferred)


def test_cache_is_invalidated_when_jitlint_itself_changes(tmp_path, monkeypatch):
    """An editable install changes rules without a version bump: the cache key follows the
    analyser's own files, and the results of the old build are dropped."""
    from jitlint.linter import cache

    root = tmp_path / "proj"
    root.mkdir()
    (root / "m.py").write_text("import torch\n")
    lint(root, use_cache=True)
    first = sorted(p.name for p in (root / ".cache").iterdir() if p.is_dir())
    assert first == [cache.tool_key()]
    monkeypatch.setattr(cache, "_TOOL_KEY", "0.0.0-another-build")
    lint(root, use_cache=True)
    assert sorted(p.name for p in (root / ".cache").iterdir() if p.is_dir()) == ["0.0.0-another-build"]
