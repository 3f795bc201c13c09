"""Code the compiler does not compile or does not trace (issue 15, part 5 false alarms), held
against the real torch: jitlint must stay silent where torch accepts, and the same code
outside that scope must still be flagged where torch rejects or the trace is wrong.

(The other part-5 false alarms are VALID examples of their rules: ModuleList slices and an
interface-annotated local in JIT140, a dataclass's ``__post_init__`` in JIT138.)
"""

from __future__ import annotations

import torch

from compiler import load_example, script_verdict, trace_verdict
from jitlint.linter.config import Settings
from jitlint.linter.engine import check_source


def _codes(source: str, *, script=(), trace=()):
    settings = Settings(select=["ALL"], modes=["script", "trace"], script_roots=list(script),
                        trace_roots=list(trace))
    return sorted({f.code for f in check_source(source, "model.py", settings)
                   if f.code.startswith(("JIT1", "JIT2", "JIT3"))})


IGNORED_BLOCK = """
import torch


class Net(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.jit._IgnoreContextManager(x="inp:torch.Tensor", y="out:torch.Tensor"):
            import math
            try:
                y = x + math.sqrt(4.0)
            except Exception:
                y = x
        return y + 1
"""

SAME_BLOCK_COMPILED = IGNORED_BLOCK.replace(
    '        with torch.jit._IgnoreContextManager(x="inp:torch.Tensor", y="out:torch.Tensor"):\n', "        if True:\n")


def test_ignore_context_manager_body_is_not_compiled():
    assert _codes(IGNORED_BLOCK, script=["Net"]) == []
    verdict, detail = script_verdict(load_example(IGNORED_BLOCK), "Net", [(torch.ones(2),)])
    assert verdict == "matches", detail


def test_the_same_body_outside_it_is_flagged():
    codes = _codes(SAME_BLOCK_COMPILED, script=["Net"])
    assert "JIT101" in codes and "JIT110" in codes
    verdict, _ = script_verdict(load_example(SAME_BLOCK_COMPILED), "Net", [(torch.ones(2),)])
    assert verdict == "rejected"


SCRIPTED_HELPER = """
import torch


@torch.jit.script
def helper(x: torch.Tensor) -> torch.Tensor:
    if x.sum() > 0:
        return x * 2
    return x - float(x.size(0))


class Net(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return helper(x) + 1
"""

PLAIN_HELPER = SCRIPTED_HELPER.replace("@torch.jit.script\n", "")
INPUTS = [(torch.ones(3),), (-torch.ones(5),)]


def test_scripted_function_called_while_tracing_is_compiled_not_traced():
    assert _codes(SCRIPTED_HELPER, trace=["Net"]) == []
    verdict, detail = trace_verdict(load_example(SCRIPTED_HELPER), "Net", INPUTS)
    assert verdict == "matches", detail


def test_the_same_helper_unscripted_is_traced_and_flagged():
    codes = _codes(PLAIN_HELPER, trace=["Net"])
    assert "JIT304" in codes
    verdict, _ = trace_verdict(load_example(PLAIN_HELPER), "Net", INPUTS)
    assert verdict == "diverges"
