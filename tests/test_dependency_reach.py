"""Dependency reach: what the compiler compiles in files that were not checked is reported at
the checked file's call site (linter/dependencies.py).

The library case reads real timm sources: its wheel, fetched with ``pip download --no-deps``
and unzipped into a site directory of the test's own (never installed, never imported by
jitlint); without the registry the case is skipped. The compiler's verdict on the library
class is taken from torch.jit.script on the very file jitlint names (timm's
``layers/split_batchnorm.py`` imports only torch, so it loads alone).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import torch

from jitlint.linter.config import Settings
from jitlint.linter.engine import check_files

TIMM = "timm==1.0.15"


@pytest.fixture(scope="session")
def timm_site(tmp_path_factory) -> Path:
    """A site directory holding timm's sources, unpacked from the registry's wheel."""
    where = tmp_path_factory.mktemp("wheels")
    try:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-input", "-q", TIMM,
                        "-d", str(where)], check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"cannot download {TIMM} (offline?): {exc}")
    wheels = list(where.glob("timm-*.whl"))
    if not wheels:
        pytest.skip(f"no wheel for {TIMM}")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheels[0]) as zf:
        zf.extractall(site)
    return site


def write(root: Path, files: dict) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def lint(root: Path, files, use_cache=False, context=(), **kw):
    settings = Settings(project_root=str(root), cache_dir=str(root / ".cache"), **kw)
    return check_files([str(root / f) for f in list(files) + list(context)], settings, use_cache=use_cache,
                       context=[str(root / f) for f in context])


def found(report):
    return [(Path(f.path).name, f.row, f.code) for f in report.findings]


USER = """\
import torch
from timm.layers import Mlp, SplitBatchNorm2d


def export():
    return torch.jit.script(SplitBatchNorm2d(8))


ok = torch.jit.script(Mlp(8))
"""


def test_timm_layer_finding_reported_at_the_user_line(timm_site, tmp_path):
    # the real compiler rejects the class, in the file jitlint names
    source = timm_site / "timm" / "layers" / "split_batchnorm.py"
    spec = importlib.util.spec_from_file_location("split_batchnorm_alone", source)
    alone = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(alone)
    with pytest.raises(Exception, match="super"):
        torch.jit.script(alone.SplitBatchNorm2d(8))
    torch.jit.script(torch.nn.Linear(8, 8))  # the harness itself compiles

    root = write(tmp_path, {"model.py": USER})
    report = lint(root, ["model.py"], search_paths=[str(timm_site)])
    assert found(report) == [("model.py", 6, "JIT139"), ("model.py", 6, "JIT139")]
    messages = sorted(f.message for f in report.findings)
    assert "(in dependency timm/layers/split_batchnorm.py:33, compiled from here)" in messages[0]
    assert "timm/layers/split_batchnorm.py:38" in messages[1]
    assert report.findings[0].related[0][0] == str(source)
    # without dependency reach the user file alone shows nothing
    assert found(lint(root, ["model.py"], search_paths=[str(timm_site)], dependencies=False)) == []


def test_timm_through_python_option_subclass_submodule_noqa_and_ignores(timm_site, tmp_path, monkeypatch):
    root = write(tmp_path, {"model.py": """\
        import torch
        from timm.layers import SplitBatchNorm2d


        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.act = torch.nn.ReLU()
                self.norm = SplitBatchNorm2d(8)

            def forward(self, x):
                return self.norm(self.act(x))


        class Norm(SplitBatchNorm2d):
            pass


        accepted = torch.jit.script(SplitBatchNorm2d(8))  # noqa: JIT139
        """})
    # --python: the target interpreter's sys.path (here PYTHONPATH adds the unpacked wheel)
    monkeypatch.setenv("PYTHONPATH", str(timm_site))
    report = lint(root, ["model.py"], python=sys.executable, select=["JIT139", "JIT005"])
    # the submodule's assignment and the subclass; the noqa'd root is suppressed, not unused
    assert sorted(set(found(report))) == [("model.py", 9, "JIT139"), ("model.py", 15, "JIT139")]
    in_place = lint(root, ["model.py"], python=sys.executable, select=["JIT139"],
                    show_dependency_findings_in_place=True)
    assert {Path(f.path).name for f in in_place.findings} == {"model.py", "split_batchnorm.py"}
    ignored = lint(root, ["model.py"], python=sys.executable, extend_ignore_dependencies=["timm.layers"])
    # the library's finding accepted by config: the noqa left on the root is now unused
    assert found(ignored) == [("model.py", 19, "JIT005")]


PROJECT = {
    "pyproject.toml": "[tool.jitlint]\n",
    "pkg/__init__.py": "",
    "pkg/helpers.py": """\
        import torch


        def safe_log(x: torch.Tensor) -> torch.Tensor:
            try:
                return torch.log(x)
            except RuntimeError:
                return x


        def never_compiled(x):
            try:
                return x
            except Exception:
                return x
        """,
    "pkg/model.py": """\
        import torch

        from .helpers import never_compiled, safe_log


        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.scale = never_compiled(2.0)

            def forward(self, x):
                y = x + 1
                return safe_log(y)
        """,
}


def test_project_helper_not_named_on_the_command_line(tmp_path):
    root = write(tmp_path, PROJECT)
    sys.path.insert(0, str(root))
    try:
        from pkg.model import Net  # the compiler's verdict on the project itself

        with pytest.raises(Exception, match="try"):
            torch.jit.script(Net())
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "pkg" or m.startswith("pkg.")]:
            del sys.modules[name]
    report = lint(root, ["pkg/model.py"])
    assert found(report) == [("model.py", 13, "JIT101")]
    assert "(in dependency pkg/helpers.py:5, compiled from here)" in report.findings[0].message
    # at the call itself: `safe_log(y)` spans columns 16-27 of `        return safe_log(y)`
    site = report.findings[0]
    assert (site.row, site.column, site.end_row, site.end_column) == (13, 16, 13, 27)
    # the helper called only in __init__ is not compiled: its try is not reported anywhere
    assert [f.row for f in lint(root, ["pkg/model.py"], show_dependency_findings_in_place=True).findings
            if f.path.endswith("helpers.py")] == [5]
    # the whole project checked: the helper's finding at its own place, nothing new at the call
    assert found(lint(root, ["pkg/model.py", "pkg/helpers.py"])) == [("helpers.py", 5, "JIT101")]
    # cold, then warm through the cache: the same findings
    cold = lint(root, ["pkg/model.py"], use_cache=True)
    warm = lint(root, ["pkg/model.py"], use_cache=True)
    assert found(cold) == found(warm) == found(report)
    assert warm.cache_hits == 2


def test_pre_commit_run_reports_the_staged_file(tmp_path):
    """The shipped hook's entry (`jitlint check --force-exclude --context .`) on a commit that
    stages only the user file: the unstaged helper is context, its finding is at the call."""
    root = write(tmp_path, PROJECT)
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(git + ["init", "-q"], cwd=root, check=True)
    subprocess.run(git + ["add", "."], cwd=root, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "init"], cwd=root, check=True)
    model = root / "pkg" / "model.py"
    model.write_text(model.read_text() + "\n\nTWO = 2\n")
    subprocess.run(git + ["add", "pkg/model.py"], cwd=root, check=True)
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=root, check=True,
                            capture_output=True, text=True).stdout.split()
    assert staged == ["pkg/model.py"]
    hook = [sys.executable, "-m", "jitlint", "check", "--force-exclude", "--context", ".", "--no-cache"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run(hook + staged, cwd=root, capture_output=True, text=True, env=env)
    assert run.returncode == 1, run.stderr
    assert "pkg/model.py:13:16: JIT101" in run.stdout
    assert "in dependency pkg/helpers.py:5" in run.stdout
    assert "helpers.py:5:5" not in run.stdout
    # the user's own hook without --context: the same finding
    run = subprocess.run(hook[:4] + ["--no-cache"] + staged, cwd=root, capture_output=True, text=True, env=env)
    assert "pkg/model.py:13:16: JIT101" in run.stdout


REEXPORTS = {
    "pyproject.toml": "[tool.jitlint]\n",
    "pkg/__init__.py": """\
        from . import metrics
        from .metrics import score as reexported_score
        """,
    "pkg/metrics.py": """\
        import torch

        ALLOWED = {1, 2}


        def score(x: torch.Tensor, k: int) -> torch.Tensor:
            if k in ALLOWED:
                return x + 1
            return x
        """,
    "pkg/model_a.py": """\
        import torch

        from . import metrics


        class A(torch.nn.Module):
            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return metrics.score(x, 1)
        """,
    "pkg/model_b.py": """\
        import torch

        from pkg import reexported_score


        class B(torch.nn.Module):
            def forward(self, x: torch.Tensor) -> torch.Tensor:
                return reexported_score(x, 1)
        """,
    "user_a.py": "import torch\nfrom pkg.model_a import A\n\nscripted = torch.jit.script(A())\n",
    "user_b.py": "import torch\nfrom pkg.model_b import B\n\nscripted = torch.jit.script(B())\n",
}


@pytest.mark.parametrize("which", ["a", "b"])
def test_module_level_set_reached_through_package_reexports(tmp_path, which):
    """``from . import metrics; metrics.score(...)`` and a name the package's ``__init__``
    re-exports: the set read by the unnamed helper file is reported at the user's script call."""
    root = write(tmp_path, REEXPORTS)
    sys.path.insert(0, str(root))
    try:
        model = importlib.import_module(f"pkg.model_{which}")
        with pytest.raises(Exception, match="python value of type 'set' cannot be used as a value"):
            torch.jit.script(getattr(model, which.upper())())
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "pkg" or m.startswith("pkg.")]:
            del sys.modules[name]
    report = lint(root, [f"user_{which}.py"])
    assert found(report) == [(f"user_{which}.py", 4, "JIT107")]
    assert "(in dependency pkg/metrics.py:7, compiled from here)" in report.findings[0].message
    assert report.findings[0].column == len("scripted = ") + 1


def test_instance_held_in_a_variable_is_a_root(tmp_path):
    """``model = Net(); torch.jit.script(model)``, with ``Net`` from a file (or library) that
    local inference does not type: ``Net`` is the root, at module level and in a function; a
    factory's result is not the factory (its own body is never compiled)."""
    root = write(tmp_path, {**PROJECT, "user.py": """\
        import torch

        from pkg.helpers import never_compiled
        from pkg.model import Net

        model = Net()
        scripted = torch.jit.script(model)


        def export():
            net = Net()
            net.eval()
            return torch.jit.script(net)


        def factory():
            made = never_compiled(Net())
            return torch.jit.script(made)


        chained = torch.jit.script(Net().eval())
        held = Net().to("cpu").eval()
        scripted_held = torch.jit.script(held)
        """})
    report = lint(root, ["user.py"])
    assert found(report) == [("user.py", 7, "JIT101"), ("user.py", 13, "JIT101"), ("user.py", 21, "JIT101"),
                             ("user.py", 23, "JIT101")]
