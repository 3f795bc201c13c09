"""The script-if-tracing codemod alone: what it writes, what it refuses, names it picks.

The fixture pairs (``fixtures/sit_*``) hold its output against the compiler; these tests pin
the shapes of code it must refuse (``CodemodFailed``, nothing changed), its choice of names,
and that a second run changes nothing. Arguments come from the rules (so the tests follow
what they really pass), or are written by hand for stale/odd arguments.
"""

from __future__ import annotations

import textwrap
from typing import Tuple

import pytest

from jitlint.codemods.fix_loop import fix_source
from jitlint.codemods.registry import CodemodFailed, apply_codemod
from jitlint.codemods.script_if_tracing import apply
from jitlint.linter.config import Settings
from jitlint.linter.engine import check_source

FILENAME = "x.py"


def settings(code: str, root: str) -> Settings:
    return Settings(select=[code], modes=["trace"], trace_roots=[root])


def args_for(source: str, code: str = "JIT304", root: str = "fn") -> Tuple:
    """The codemod arguments of the first ``code`` finding offering this fix."""
    for f in check_source(source, FILENAME, settings(code, root)):
        if f.code == code and f.fix is not None and f.fix.codemod is not None:
            name, args = f.fix.codemod
            assert name == "script-if-tracing"
            return tuple(args)
    raise AssertionError(f"no {code} finding offers the script-if-tracing fix")


def no_fix(source: str, code: str = "JIT304", root: str = "fn") -> bool:
    found = [f for f in check_source(source, FILENAME, settings(code, root)) if f.code == code]
    assert found, f"no {code} finding"
    return all(f.fix is None for f in found)


def src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def refused(source: str, code: str = "JIT304", root: str = "fn") -> str:
    with pytest.raises(CodemodFailed) as info:
        apply(source, *args_for(source, code, root))
    return str(info.value)


# -- what it writes ---------------------------------------------------------------------------

def test_if_assigning_a_name_read_later():
    source = src("""
        import torch


        def fn(x):
            y = x + 1
            if x.sum() > 0:
                y = y * 2
            return y
    """)
    assert apply(source, *args_for(source)) == src("""
        import torch


        @torch.jit.script_if_tracing
        def _fn_branch(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            if x.sum() > 0:
                y = y * 2
            return y


        def fn(x):
            y = x + 1
            y = _fn_branch(x, y)
            return y
    """)


def test_block_in_an_else_branch_beside_a_similar_if_body():
    """The block is found by its path's fields: here it is the ``else:`` suite's first statement
    while the ``if`` body's first statement is another branch (timm's patch_embed once lost its
    ``if`` body to this, and the loop never converged)."""
    source = src("""
        import torch


        def fn(x, flag: bool):
            if flag:
                if x.sum() > 0:
                    x = x * 3
                y = x - 1
            else:
                if x.sum() > 0:
                    x = x * 2
                y = x + 1
            return y
    """)
    findings = [f for f in check_source(source, FILENAME, settings("JIT304", "fn")) if f.code == "JIT304"]
    in_else = next(f for f in findings if "else" in str(f.fix.codemod[1][2]))
    name, args = in_else.fix.codemod
    out = apply(source, *args)
    assert out == src("""
        import torch


        @torch.jit.script_if_tracing
        def _fn_branch(x: torch.Tensor) -> torch.Tensor:
            if x.sum() > 0:
                x = x * 2
            return x


        def fn(x, flag: bool):
            if flag:
                if x.sum() > 0:
                    x = x * 3
                y = x - 1
            else:
                x = _fn_branch(x)
                y = x + 1
            return y
    """)
    report = fix_source(source, FILENAME, settings("JIT304", "fn"), unsafe=True)
    assert not report.rolled_back and not report.not_converged
    fixed = report.files[FILENAME].text
    assert "x = x * 3" in fixed and "x = x * 2" in fixed  # both branches kept, each moved once
    again = fix_source(fixed, FILENAME, settings("JIT304", "fn"), unsafe=True)
    assert again.fixed == 0 and not again.changed


def test_registry_reaches_it():
    source = src("""
        import torch

        def fn(x):
            y = x
            if x.sum() > 0:
                y = -x
            return y
    """)
    assert apply_codemod("script-if-tracing", source, args_for(source)) == apply(source, *args_for(source))


def test_if_returning_on_some_paths_takes_the_rest_of_the_function():
    source = src("""
        import torch

        def fn(x: torch.Tensor):
            z = x * 2
            if z.sum() > 0:
                return z
            w = z - 1
            return w * 3
    """)
    out = apply(source, *args_for(source))
    assert "def fn(x: torch.Tensor):\n    z = x * 2\n    return _fn_branch(z)\n" in out
    assert ("def _fn_branch(z: torch.Tensor):\n    if z.sum() > 0:\n        return z\n"
            "    w = z - 1\n    return w * 3\n") in out


def test_block_returning_on_every_path():
    source = src("""
        import torch

        def fn(x):
            if x.sum() > 0:
                return x
            else:
                return -x
    """)
    out = apply(source, *args_for(source))
    assert "def fn(x):\n    return _fn_branch(x)\n" in out


def test_two_results_and_self_attributes():
    source = src("""
        import torch
        from torch import nn

        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("w", torch.ones(2))

            def forward(self, x):
                w = x * 0
                if x.sum() > 0:
                    a = x * self.w
                    b = w + self.w
                else:
                    a = x
                    b = w
                return a + b
    """)
    out = apply(source, *args_for(source, root="M"))
    # `w` is a local of forward: the attribute's parameter gets another name
    assert "def _forward_branch(x: torch.Tensor, w: torch.Tensor, self_w: torch.Tensor) -> " \
           "tuple[torch.Tensor, torch.Tensor]:" in out
    assert "        a, b = _forward_branch(x, w, self.w)\n" in out
    assert "a = x * self_w" in out


def test_in_place_change_of_an_input_is_returned():
    source = src("""
        import torch

        def fn(x):
            y = x.clone()
            if x.sum() > 0:
                y[0] = 1.0
            return y
    """)
    out = apply(source, *args_for(source))
    assert "    y = _fn_branch(x, y)\n" in out


def test_for_loop_over_a_size():
    source = src("""
        import torch

        def fn(x):
            acc = x[0] * 0
            for i in range(x.size(0)):
                acc = acc + x[i]
            return acc
    """)
    out = apply(source, *args_for(source, "JIT306"))
    assert "def _fn_loop(x: torch.Tensor, acc: torch.Tensor) -> torch.Tensor:" in out


def test_read_in_the_next_iteration_of_an_enclosing_loop_is_a_result():
    source = src("""
        import torch

        def fn(x: torch.Tensor, n: int = 3):
            y = x
            for _ in range(n):
                z = y * 2
                if z.sum() > 0:
                    y = z - 1
            return x
    """)
    out = apply(source, *args_for(source))
    assert "        y = _fn_branch(z, y)\n" in out


def test_plain_parameters_are_annotated():
    source = src("""
        import torch

        def fn(x, k: int = 2, eps: float = 0.5, flags: bool = True):
            y = x
            if x.sum() > k:
                y = x * eps if flags else x
            return y
    """)
    out = apply(source, *args_for(source))
    assert "(x: torch.Tensor, k: int, eps: float, flags: bool, y: torch.Tensor)" in out


def test_torch_alias_is_used():
    source = src("""
        import torch as th

        def fn(x):
            y = x
            if x.sum() > 0:
                y = -x
            return y
    """)
    out = apply(source, *args_for(source))
    assert "@th.jit.script_if_tracing\ndef _fn_branch(x: th.Tensor, y: th.Tensor) -> th.Tensor:" in out


def test_comments_stay_with_the_call_and_the_function():
    source = src("""
        import torch


        # the model
        def fn(x):
            y = x
            # flip negative sums
            if x.sum() < 0:
                y = -x
            return y
    """)
    out = apply(source, *args_for(source))
    assert out.startswith("import torch\n\n\n@torch.jit.script_if_tracing\ndef _fn_branch(")
    assert ("    return y\n\n\n# the model\ndef fn(x):\n    y = x\n"
            "    # flip negative sums\n    y = _fn_branch(x, y)\n") in out


# -- names ------------------------------------------------------------------------------------

def test_helper_name_does_not_collide():
    source = src("""
        import torch

        _fn_branch = 1
        _fn_branch_2 = 2

        def fn(x):
            y = x
            if x.sum() > 0:
                y = -x
            return y + _fn_branch + _fn_branch_2
    """)
    out = apply(source, *args_for(source))
    assert "def _fn_branch_3(" in out and "y = _fn_branch_3(x, y)" in out


def test_two_fixes_in_one_file_get_two_names():
    source = src("""
        import torch

        def fn(x):
            y = x
            if x.sum() > 0:
                y = -x
            if y.mean() > 1:
                y = y / 2
            return y
    """)
    report = fix_source(source, FILENAME, settings("JIT304", "fn"), unsafe=True)
    text = report.files[FILENAME].text
    assert not report.rolled_back and not report.not_converged
    assert "def _fn_branch(" in text and "def _fn_branch_2(" in text
    assert "y = _fn_branch(x, y)\n    y = _fn_branch_2(y)\n" in text


# -- idempotence ------------------------------------------------------------------------------

def test_second_run_changes_nothing():
    source = src("""
        import torch

        def fn(x):
            y = x
            if x.sum() > 0:
                y = -x
            return y
    """)
    args = args_for(source)
    out = apply(source, *args)
    with pytest.raises(CodemodFailed):
        apply(out, *args)  # the statement is not there any more
    again = fix_source(out, FILENAME, settings("JIT304", "fn"), unsafe=True)
    assert again.fixed == 0 and not again.changed


def test_stale_arguments_are_refused():
    source = src("""
        import torch

        def fn(x):
            y = x
            if x.sum() > 0:
                y = -x
            return y
    """)
    owner, function, path, kind, header, extend, types, torch_name = args_for(source)
    with pytest.raises(CodemodFailed, match="header"):
        apply(source, owner, function, path, kind, "x.mean() > 0", extend, types, torch_name)
    with pytest.raises(CodemodFailed, match="path"):
        apply(source, owner, function, (("body", 7),), kind, header, extend, types, torch_name)
    with pytest.raises(CodemodFailed, match="not a `for`"):
        apply(source, owner, function, path, "for", header, extend, types, torch_name)
    with pytest.raises(CodemodFailed, match="no single top-level function"):
        apply(source, owner, "gn", path, kind, header, extend, types, torch_name)


# -- what it refuses --------------------------------------------------------------------------

def test_result_assigned_on_one_branch_only():
    assert "some paths" in refused(src("""
        import torch

        def fn(x):
            if x.sum() > 0:
                y = x * 2
            return y
    """))


def test_return_on_some_paths_inside_a_nested_statement():
    assert "some paths" in refused(src("""
        import torch

        def fn(x, n: int = 2):
            for _ in range(n):
                if x.sum() > 0:
                    return x
                x = x - 1
            return x
    """))


def test_free_variable_of_unknown_type():
    message = refused(src("""
        import torch

        def fn(x):
            table = make_table()
            y = x
            if x.sum() > 0:
                y = x * table
            return y
    """))
    assert "`table`" in message and "unknown" in message


def test_size_read_before_the_block_is_frozen():
    assert "frozen" in refused(src("""
        import torch

        def fn(x):
            n = x.size(0)
            y = x
            if x.sum() > n:
                y = x * 2
            return y
    """))


def test_number_read_from_a_tensor_before_the_block_is_frozen():
    assert "frozen" in refused(src("""
        import torch

        def fn(x):
            k = int(x.max())
            y = x
            if x.sum() > 0:
                y = x * k
            return y
    """))


def test_submodule_call():
    assert "calls `self.proj(...)`" in refused(src("""
        import torch
        from torch import nn

        class M(nn.Module):
            def __init__(self):
                super().__init__()
                self.proj = nn.Linear(2, 2)

            def forward(self, x):
                if x.sum() > 0:
                    x = self.proj(x)
                return x
    """), root="M")


def test_attribute_store():
    assert "changes `self.last`" in refused(src("""
        import torch
        from torch import nn

        class M(nn.Module):
            def forward(self, x):
                if x.sum() > 0:
                    self.last = x
                    x = x * 2
                return x
    """), root="M")


def test_self_used_whole():
    assert "itself" in refused(src("""
        import torch
        from torch import nn

        def helper(m, x):
            return x

        class M(nn.Module):
            def forward(self, x):
                if x.sum() > 0:
                    x = helper(self, x)
                return x
    """), root="M")


def test_break_leaving_the_block():
    assert "break" in refused(src("""
        import torch

        def fn(x, n: int = 3):
            for _ in range(n):
                x = x - 1
                if x.sum() < 0:
                    x = -x
                    break
            return x
    """))


@pytest.mark.parametrize("body, what", [
    ("        f = lambda v: v * 2\n        x = f(x)\n", "lambda"),
    ("        with torch.no_grad():\n            x = x * 2\n", "`with`"),
    ("        try:\n            x = x * 2\n        except RuntimeError:\n            x = x\n", "`try`"),
])
def test_unsupported_constructs(body, what):
    source = "import torch\n\ndef fn(x):\n    if x.sum() > 0:\n" + body + "    return x\n"
    assert what in refused(source)


def test_list_appended_to():
    assert "list" in refused(src("""
        import torch

        def fn(x):
            out = [x]
            if x.sum() > 0:
                out.append(x * 2)
            return torch.stack(out)
    """))


def test_no_result():
    assert "no result" in refused(src("""
        import torch

        def fn(x):
            if x.sum() > 0:
                print(x)
            return x
    """))


def test_result_that_is_not_a_tensor():
    assert "frozen" in refused(src("""
        import torch

        def fn(x, k: int = 1):
            if x.sum() > 0:
                k = k + 1
            return x * k
    """))


# -- where the rules offer it -----------------------------------------------------------------

def test_not_offered_for_elif_or_nested_functions():
    assert no_fix(src("""
        import torch

        def fn(x, flag: bool = True):
            y = x
            if flag:
                y = x
            elif x.sum() > 0:
                y = -x
            return y
    """))


def test_not_offered_for_tolist():
    assert no_fix(src("""
        import torch

        def fn(x):
            vals = x.tolist()
            return torch.tensor([v * 2 for v in vals])
    """), "JIT302")


def test_item_in_a_nested_plain_statement_is_not_offered():
    assert no_fix(src("""
        import torch

        def fn(x, flag: bool = True):
            if flag:
                m = x.mean().item()
                x = x - m
            return x
    """), "JIT302")


def test_torch_import_is_declared_when_missing():
    source = src("""
        from torch import nn


        class M(nn.Module):
            def forward(self, x):
                y = x
                if x.sum() > 0:
                    y = -x
                return y
    """)
    for f in check_source(source, FILENAME, settings("JIT304", "M")):
        assert f.fix is not None and ("torch", None) in f.fix.imports
    report = fix_source(source, FILENAME, settings("JIT304", "M"), unsafe=True)
    text = report.files[FILENAME].text
    assert not report.rolled_back and not report.not_converged
    assert "import torch\n" in text and "@torch.jit.script_if_tracing\ndef _forward_branch(x: torch.Tensor" in text
    compile(text, FILENAME, "exec")


def test_parameter_of_a_helper_is_not_taken_for_a_tensor():
    # `n` would be a Tensor only if `helper` itself were handed to torch.jit.trace; the finding
    # does not depend on that, so the fix must not annotate `n: torch.Tensor` (it is an int).
    message = refused(src("""
        import torch

        def helper(x, n):
            y = x
            if x.sum() > 0:
                y = x * n
            return y

        def fn(x):
            return helper(x, 3)
    """))
    assert "`n`" in message and "unknown" in message
