"""JIT163 on overloaded implementations: reported only where the compiler compiles the body
(the method is reached from compiled code) and only for a parameter the body does not rebind.
The compiler's verdicts on the reported forms are the rule's examples (tests/test_rule_examples.py)."""

from __future__ import annotations

import textwrap

from jitlint.linter.config import Settings
from jitlint.linter.engine import check_source

SOURCE = """
import torch
from torch import nn


class M(nn.Module):
    @torch.jit._overload_method
    def combine(self, x: torch.Tensor, y: None) -> torch.Tensor:
        pass

    @torch.jit._overload_method
    def combine(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        pass

    def combine(self, x, y=None):
        REBIND
        if not y:
            return x
        return x + y

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return CALL
"""


def rows(rebind="pass", call="self.combine(x, None) + self.combine(x, x)"):
    source = textwrap.dedent(SOURCE).replace("REBIND", rebind).replace("CALL", call)
    settings = Settings(select=["JIT163"], script_roots=["M"])
    return [f.row for f in check_source(source, "example.py", settings)]


def test_reached_implementation_is_reported():
    assert rows() == [17]


def test_unreached_implementation_is_silent():
    assert rows(call="x") == []


def test_rebound_parameter_is_silent():
    assert rows(rebind="y = x if y is None else y") == []


def test_overloaded_method_implementation_is_walked():
    """The class's method is the implementation after its ``_overload_method`` declarations
    (Python keeps the last ``def``), so every rule sees its body: here JIT101, which the
    compiler reports for this body ("try/except" is not supported)."""
    source = textwrap.dedent(SOURCE).replace(
        "REBIND", "try:\n            pass\n        except Exception:\n            pass").replace(
        "CALL", "self.combine(x, x)")
    settings = Settings(select=["JIT101"], script_roots=["M"])
    assert [f.row for f in check_source(source, "example.py", settings)] == [16]
