"""Fixes that must not be offered: each case is one the compiler-backed fixture pairs cannot
show (a pair proves what a fix does; these prove where it stays away). Static only, fast."""

from __future__ import annotations

import textwrap

import pytest

from jitlint.codemods.hoist import hoist_import, hoist_nested
from jitlint.codemods.registry import CodemodFailed
from jitlint.linter.config import Settings
from jitlint.linter.engine import check_source


def fixes(source: str, code: str, root: str):
    settings = Settings(select=[code], script_roots=[root])
    return [f.fix for f in check_source(textwrap.dedent(source), "x.py", settings) if f.code == code]


def test_optional_bound_after_the_def_gets_no_none_default():
    found = fixes("""
        from typing import List
        import torch

        def fn(x: torch.Tensor, acc: List[int] = []) -> int:
            return len(acc)

        from typing import Optional
    """, "JIT120", "fn")
    assert found == [None]


def test_none_default_offered_when_optional_comes_first():
    found = fixes("""
        from typing import List, Optional
        import torch

        def fn(x: torch.Tensor, acc: List[int] = []) -> int:
            return len(acc)
    """, "JIT120", "fn")
    assert found[0] is not None and found[0].codemod[0] == "none-default"


@pytest.mark.parametrize("body", [
    "    k = k + 1\n    def inner(t: torch.Tensor) -> torch.Tensor:\n        return t * k\n    return inner(x)\n",
    "    y = 2.0\n    def inner(t: torch.Tensor) -> torch.Tensor:\n        return t * y\n    return inner(x)\n",
    "    def inner(t: torch.Tensor) -> torch.Tensor:\n        return t\n    f = inner\n    return f(x)\n",
    "    def inner(t: torch.Tensor, s: float = 1.0) -> torch.Tensor:\n        return t * k\n    return inner(x)\n",
    "    def inner(t: torch.Tensor, s: list = []) -> torch.Tensor:\n        return t\n    return inner(x)\n",
])
def test_nested_def_not_hoisted(body):
    source = "import torch\n\ndef fn(x: torch.Tensor, k: float) -> torch.Tensor:\n" + body
    assert fixes(source, "JIT104", "fn") == [None]
    with pytest.raises(CodemodFailed):
        hoist_nested(source, "fn", "inner")


def test_import_not_hoisted_when_the_function_rebinds_the_name():
    source = "import torch\n\ndef fn(x: torch.Tensor) -> torch.Tensor:\n    import math\n    math = 3\n    return x\n"
    with pytest.raises(CodemodFailed):
        hoist_import(source, "fn", "import math")


def test_import_not_hoisted_over_a_different_module_binding():
    found = fixes("""
        import torch
        math = 3

        def fn(x: torch.Tensor) -> torch.Tensor:
            import math
            return x * math.pi
    """, "JIT110", "fn")
    assert found == [None]


def test_set_attribute_used_otherwise_than_in_keeps_no_fix():
    found = fixes("""
        import torch

        class M(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.allowed = {1, 2}

            def forward(self, x: torch.Tensor, k: int) -> torch.Tensor:
                if k in self.allowed:
                    return x + len(self.allowed)
                return x
    """, "JIT137", "M")
    assert found == [None]


def test_empty_attribute_with_an_untyped_use_gets_no_annotation():
    found = fixes("""
        import torch

        class M(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.items = []

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                for item in self.items:
                    x = x + item
                return x
    """, "JIT208", "M")
    assert found == [None]


def test_nested_class_calling_super_does_not_crash():
    # the nested class's method reads `__class__` (for `super()`), a cell the class itself makes:
    # the function's symbol table does not know the name (was JIT003: KeyError '__class__')
    source = textwrap.dedent("""
        import torch

        def fn(x: torch.Tensor) -> torch.Tensor:
            class Model(torch.nn.Module):
                def __init__(self):
                    super().__init__()
            return x
    """)
    findings = check_source(source, "x.py", Settings(select=["JIT104", "JIT003"], script_roots=["fn"]))
    assert [f.code for f in findings] == ["JIT104"]
