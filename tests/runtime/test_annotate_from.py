"""``jitlint fix --annotate-from``: annotations written from the types eager forward observed,
then verified like any fix. Real files, the real compiler, real worker processes.

The model below is rejected by ``torch.jit.script`` because three parameters are unannotated
(TorchScript takes them for Tensors) while forward passes a float, ``None`` or a list of ints.
No static rule is selected (``--select JIT4``), so every change comes from what ran.
"""

import importlib.util
import os
import sys
import textwrap

import pytest
import torch

from jitlint.codemods.observed_annotations import Observation, annotation_findings
from jitlint.linter.cli import main
from jitlint.runtime import fix_and_verify
from jitlint.runtime.fix_verify import VERIFIED
from jitlint.runtime.observed_types import join, type_of

FAST = dict(modes=("script",), devices=("cpu",), save_load=False, use_cache=False, select=["JIT4"])

MODEL = """
    import torch
    from torch import nn


    def scale(x, factor, bias=None):
        y = x * factor
        if bias is not None:
            y = y + bias
        return y


    def first(x, sizes):
        return x + sizes[0]


    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.sizes = [2, 3]

        def forward(self, x):
            return scale(x, 2.0) + scale(x, 0.5, x) + first(x, self.sizes)


    def make():
        return M(), [(torch.ones(2, 3),), (torch.arange(6.0).reshape(3, 2),)]
"""


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "model.py").write_text(textwrap.dedent(MODEL).lstrip())
    return tmp_path


def _load(path):
    spec = importlib.util.spec_from_file_location(f"annotated_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_types_are_spelled_as_torchscript_does():
    assert type_of(torch.ones(1)) == "torch.Tensor"
    assert type_of(True) == "bool" and type_of(3) == "int" and type_of(2.5) == "float"
    assert type_of([1, 2]) == "List[int]" and type_of((1, 2.0)) == "Tuple[int, float]"
    assert type_of({"a": torch.ones(1)}) == "Dict[str, torch.Tensor]"
    assert type_of([]) is None and type_of([1, "a"]) is None and type_of(torch.nn.Linear(1, 1)) is None
    assert join({"torch.Tensor", "None"}) == "Optional[torch.Tensor]"
    assert join({"int", "float"}) is None and join({"None"}) is None


def test_the_original_is_rejected(project):
    module = _load(project / "model.py")
    with pytest.raises(Exception):
        torch.jit.script(module.M())


def test_observed_annotations_are_written_and_verified(project):
    target = f"{project}/model.py::make"
    report = fix_and_verify([str(project)], [], annotate_from=[target], **FAST)
    text = report.files[str(project / "model.py")].text
    assert "def scale(x, factor: float, bias: Optional[torch.Tensor] = None):" in text
    assert "def first(x, sizes: List[int]):" in text
    assert "from typing import List, Optional" in text
    assert "def forward(self, x):" in text  # Tensor is what TorchScript assumes: left alone
    assert {f.status for f in report.fixes} == {VERIFIED} and len(report.fixes) == 3
    assert not report.dropped
    # the compiler proves the written file, and eager is unchanged on the target's inputs
    (project / "fixed.py").write_text(text)
    fixed, original = _load(project / "fixed.py"), _load(project / "model.py")
    scripted = torch.jit.script(fixed.M())
    for (x,) in fixed.make()[1]:
        assert torch.equal(scripted(x), original.M()(x))
    assert (project / "model.py").read_text() == textwrap.dedent(MODEL).lstrip()  # nothing written yet


def test_cli_writes_the_annotations(project, capsys, monkeypatch):
    monkeypatch.chdir(project)
    code = main(["fix", "model.py", "--annotate-from", "model.py::make", "--select", "JIT4", "--mode", "script",
                 "--device", "cpu", "--no-save-load", "--no-progress", "--no-cache"])
    assert code == 0, capsys.readouterr()
    assert "factor: float" in (project / "model.py").read_text()


def test_annotations_skip_what_cannot_be_placed():
    text = textwrap.dedent("""
        class A:
            def f(self, n):
                return n

        def g(n): return n
        def g(n): return n  # defined twice: which one ran?

        def h(x: int, k):
            return x
    """)
    obs = [Observation("a.py", "A.f", {"self": "int", "n": "int"}), Observation("a.py", "g", {"n": "int"}),
           Observation("a.py", "h", {"x": "float", "k": "torch.Tensor"})]
    found = annotation_findings(text, "a.py", obs)
    assert [f.fix.message.split(" (")[0] for f in found] == ["Annotate `n` of `A.f` as `int`"]
