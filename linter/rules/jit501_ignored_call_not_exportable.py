from typing import Optional

import libcst as cst

from ..analysis.compiled import jit_flag, never_compiled
from ..analysis.guards import SCRIPTING_CALLS, TRACING_CALLS, TRACING_HELPER_NAMES, always_exits
from .base import Example, Rule

_NOT_PROJECT = ("torch.", "builtins.", "math.", "typing.", "collections.", "numpy.", "warnings.", "functools.",
                "itertools.", "operator.", "os.", "sys.", "logging.", "random.", "time.", "re.", "copy.")

# nn.Module's own methods (never decorated by the project).
_MODULE_API = frozenset(
    "add_module register_buffer register_parameter register_module apply cuda cpu to type float double half "
    "bfloat16 train eval modules children named_modules named_children parameters named_parameters buffers "
    "named_buffers state_dict load_state_dict zero_grad requires_grad_ get_submodule get_parameter get_buffer "
    "extra_repr register_forward_hook register_forward_pre_hook register_full_backward_hook forward".split()
)

_MESSAGES = {
    "ignore": ("`{label}` is `@torch.jit.ignore`: the compiled code calls back into Python, so the scripted "
               "module works in this process but `torch.jit.save` fails (\"Could not export Python function "
               "call\"); compile the helper, or keep it only for eager code (`if not torch.jit.is_scripting():`)"),
    "unused": ("`{label}` is `@torch.jit.unused`: TorchScript replaces its body by an exception, so this call "
               "raises when the compiled code reaches it (\"This Python function is annotated to be ignored "
               "and cannot be run\"); guard it with `if not torch.jit.is_scripting():` or compile the helper"),
}


def _scripted_value(test: cst.BaseExpression, ctx) -> Optional[bool]:
    """What ``test`` evaluates to when a *scripted* module runs: ``torch.jit.is_scripting()``
    is True, ``torch.jit.is_tracing()`` (and library helpers such as ``torchvision._is_tracing()``)
    False; None when it depends on anything else."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        v = _scripted_value(test.expression, ctx)
        return None if v is None else not v
    if isinstance(test, cst.BooleanOperation):
        left, right = _scripted_value(test.left, ctx), _scripted_value(test.right, ctx)
        if isinstance(test.operator, cst.And):
            return False if False in (left, right) else (True if left is True and right is True else None)
        return True if True in (left, right) else (False if left is False and right is False else None)
    if isinstance(test, cst.Call) and not test.args:
        name = ctx.resolve(test.func) or ""
        if name in SCRIPTING_CALLS:
            return True
        if name in TRACING_CALLS or name.rsplit(".", 1)[-1] in TRACING_HELPER_NAMES:
            return False
    return None


def _suites(stmt: cst.CSTNode):
    for name in ("body", "orelse", "finalbody"):
        part = getattr(stmt, name, None)
        if isinstance(part, cst.BaseSuite):
            yield part.body
        elif isinstance(part, (cst.Else, cst.Finally)):
            yield part.body.body
    for handler in getattr(stmt, "handlers", ()) or ():
        yield handler.body.body


def never_runs_scripted(ctx) -> bool:
    """Is the current node in code a scripted module never executes: a branch taken only while
    tracing (``if torch.jit.is_tracing():``, ``torchvision._is_tracing()``), or after
    ``if not torch.jit.is_tracing(): return ...``? Such code is compiled, not run."""
    for p in ctx.parents:
        if isinstance(p, cst.If):
            v = _scripted_value(p.test, ctx)
            in_body = any(c is p.test for c in ctx.conditions)
            if v is not None and v != in_body:
                return True
    chain = [p for p in ctx.parents if isinstance(p, cst.BaseStatement)]
    fn = ctx.function.node
    blocks = [fn.body.body] if isinstance(fn.body, cst.IndentedBlock) else []
    for outer, inner in zip(chain, chain[1:]):
        blocks.append(next((b for b in _suites(outer) if any(s is inner for s in b)), ()))
    for block, current in zip(blocks, chain):
        for stmt in block:
            if stmt is current:
                break
            if isinstance(stmt, cst.If):
                v = _scripted_value(stmt.test, ctx)
                taken = stmt.body.body if v else (stmt.orelse.body.body if isinstance(stmt.orelse, cst.Else) else ())
                if v is not None and taken and always_exits(taken):
                    return True
    return False


class IgnoredCallNotExportable(Rule):
    """
    ## What it does
    Flags calls from compiled code to functions or methods decorated with
    ``@torch.jit.ignore`` or ``@torch.jit.unused`` (in this file, inherited from a base class,
    or imported from another file of the project).

    ## Why is this bad?
    ``@torch.jit.ignore`` keeps the function as a Python call inside the TorchScript graph: the
    module scripts and runs in the same process, but ``torch.jit.save`` fails ("Could not
    export Python function call 'py_helper'. Remove calls to Python functions before
    export"), so the model cannot be deployed without Python. ``@torch.jit.unused`` replaces
    the body by an exception: the module scripts and saves, but the call raises when it is
    reached ("This Python function is annotated to be ignored and cannot be run"). Calls under
    ``if not torch.jit.is_scripting():`` are not compiled and not reported; ``@torch.jit.unused``
    calls that a scripted module never executes (under ``if torch.jit.is_tracing():``, after
    ``if not torch.jit.is_tracing(): return ...``: ONNX export paths) are not reported either.

    ## Example
    ```python
    class M(nn.Module):
        @torch.jit.ignore
        def py_helper(self, x: torch.Tensor) -> torch.Tensor:
            return torch.from_numpy(np.sort(x.numpy()))

        def forward(self, x):
            return self.py_helper(x) + 1
    ```

    ## Use instead
    Write the helper in TorchScript (``torch.sort``), or call it only in eager mode:
    ```python
        def forward(self, x):
            if not torch.jit.is_scripting():
                x = self.py_helper(x)
            return x + 1
    ```

    ## Fix safety
    No automatic fix: what the Python helper computes has to be re-expressed or dropped.
    """

    code = "JIT501"
    name = "ignored-call-not-exportable"
    message = "compiled code calls a @torch.jit.ignore/@torch.jit.unused function"
    evidence = ("s420", "s422")

    INVALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                @torch.jit.ignore
                def py_helper(self, x: torch.Tensor) -> torch.Tensor:
                    return x * 2

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.py_helper(x) + 1  # MARK
            """,
            root="M",
            expect="save-fails",
        ),
        Example(
            """
            import torch

            @torch.jit.ignore
            def py_helper(x: torch.Tensor) -> torch.Tensor:
                return x * 2

            def fn(x: torch.Tensor) -> torch.Tensor:
                return py_helper(x) + 1  # MARK
            """,
            expect="save-fails",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                @torch.jit.unused
                def py_only(self, x: torch.Tensor) -> torch.Tensor:
                    return x * {1: 2}[1]

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if x.numel() > 2:
                        return self.py_only(x)  # MARK
                    return x + 1
            """,
            root="M",
            expect="diverge",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            class M(torch.nn.Module):
                @torch.jit.ignore
                def py_helper(self, x: torch.Tensor) -> torch.Tensor:
                    return x * 2

                @torch.jit.unused
                def py_only(self, x: torch.Tensor) -> torch.Tensor:
                    return x * 3

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if not torch.jit.is_scripting():
                        x = self.py_helper(x)
                    if torch.jit.is_scripting():
                        return x + 1
                    return self.py_only(x)
            """,
            root="M",
            expect="save-fails",
        ),
        Example(
            """
            import torch

            @torch.jit.unused
            def onnx_only(x: torch.Tensor) -> torch.Tensor:
                return x * 3

            def fn(x: torch.Tensor) -> torch.Tensor:
                if torch.jit.is_tracing():
                    x = onnx_only(x)
                if not torch.jit.is_tracing():
                    return x + 1
                return onnx_only(x)
            """,
            expect="save-fails",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if never_compiled(ctx):
            return
        if isinstance(func, cst.Name):
            self._name_call(node, func, ctx)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            self._method_call(node, func.attr.value, ctx)

    def _name_call(self, node: cst.Call, func: cst.Name, ctx) -> None:
        name = func.value
        if ctx.infer is not None and name in ctx.infer.locals:
            return
        local = ctx.file.function_nodes.get(name)
        if local is not None:
            binding = ctx.names.bindings.get(name)
            if binding is not None and binding.kind == "function":
                flag = jit_flag(local, ctx)
                if flag and not (flag == "unused" and never_runs_scripted(ctx)):
                    ctx.report(node, _MESSAGES[flag].format(label=f"{name}()"))
            return
        binding = ctx.names.bindings.get(name)
        if binding is None or binding.kind != "import" or binding.target.startswith(_NOT_PROJECT):
            return
        if name[:1].isupper():
            return  # a class
        for flag in self._flags(ctx):
            ctx.report(node, _MESSAGES[flag].format(label=f"{name}()"),
                       requires=(("function_flag", binding.target, flag),))

    def _method_call(self, node: cst.Call, name: str, ctx) -> None:
        fn = ctx.function
        if fn is None or fn.class_node is None or fn.is_staticmethod:
            return
        facts = ctx.class_facts
        if facts is not None and name in facts.attr_types:
            return  # a submodule or a function-valued attribute
        if name in _MODULE_API:
            return
        for stmt in fn.class_node.body.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
                flag = jit_flag(stmt, ctx)
                if flag and not (flag == "unused" and never_runs_scripted(ctx)):
                    ctx.report(node, _MESSAGES[flag].format(label=f"self.{name}()"))
                return
        if not any(b.keyword is None for b in fn.class_node.bases):
            return
        class_id = fn.id.rsplit(".", 1)[0]
        for flag in self._flags(ctx):
            ctx.report(node, _MESSAGES[flag].format(label=f"self.{name}()"),
                       requires=(("method_flag", class_id, name, flag),))

    @staticmethod
    def _flags(ctx):
        return ("ignore",) if never_runs_scripted(ctx) else ("ignore", "unused")
