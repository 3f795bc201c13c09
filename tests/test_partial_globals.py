"""Module-level functools.partial objects (linter/analysis/module_partials.py) as JIT504 and
JIT161 see them: only a name bound once in the file is certain; the compiler's side of each
verdict is held by the rules' examples (tests/test_rule_examples.py)."""

from __future__ import annotations

import textwrap

import pytest

from jitlint.linter.config import Settings
from jitlint.linter.engine import check_source

HEAD = """
import functools
import torch
import torch.nn.functional as F
from torch import nn

act = functools.partial(F.gelu, approximate="tanh")
"""


def codes(body: str):
    source = textwrap.dedent(HEAD) + textwrap.dedent(body)
    settings = Settings(select=["JIT504", "JIT161"], script_roots=["M"])
    return sorted({(f.code, f.row) for f in check_source(source, "example.py", settings)})


MODULE = """
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.fn = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return act(x) + self.fn(x)
"""


def test_certain_partial_is_reported_at_call_and_attribute():
    assert codes(MODULE) == [("JIT161", 12), ("JIT504", 15)]


@pytest.mark.parametrize("rebind", [
    "act = F.relu\n",
    "for act in (F.relu,):\n    pass\n",
    "def set_act():\n    global act\n    act = F.relu\n",
    "from torch.nn.functional import relu as act\n",
])
def test_rebound_name_is_unknown(rebind):
    assert codes(rebind + MODULE) == []


def test_local_shadow_is_not_the_global():
    assert codes("""
    class M(nn.Module):
        def __init__(self, act=F.relu):
            super().__init__()
            self.fn = act

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            act = F.relu
            return act(x) + self.fn(x)
    """) == []
