import libcst as cst

from jitlint.linter.rules.base import Example, Rule
from jitlint.linter.rules.jit210_ignored_function_unannotated import jit_flag

_NOT_PROJECT = ("torch.", "builtins.", "math.", "typing.", "collections.", "numpy.", "warnings.", "functools.",
                "itertools.", "operator.", "os.", "sys.", "logging.", "random.", "time.", "re.", "copy.")

_MESSAGES = {
    "ignore": ("`{label}` is `@torch.jit.ignore`: the compiled code calls back into Python, so the scripted "
               "module works in this process but `torch.jit.save` fails (\"Could not export Python function "
               "call\"); compile the helper, or keep it only for eager code (`if not torch.jit.is_scripting():`)"),
    "unused": ("`{label}` is `@torch.jit.unused`: TorchScript replaces its body by an exception, so this call "
               "raises when the compiled code reaches it (\"This Python function is annotated to be ignored "
               "and cannot be run\"); guard it with `if not torch.jit.is_scripting():` or compile the helper"),
}


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
    ``if not torch.jit.is_scripting():`` are not compiled and not reported.

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
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
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
                if flag:
                    ctx.report(node, _MESSAGES[flag].format(label=f"{name}()"))
            return
        binding = ctx.names.bindings.get(name)
        if binding is None or binding.kind != "import" or binding.target.startswith(_NOT_PROJECT):
            return
        if name[:1].isupper():
            return  # a class
        for flag in ("ignore", "unused"):
            ctx.report(node, _MESSAGES[flag].format(label=f"{name}()"),
                       requires=(("function_flag", binding.target, flag),))

    def _method_call(self, node: cst.Call, name: str, ctx) -> None:
        fn = ctx.function
        if fn is None or fn.class_node is None or fn.is_staticmethod:
            return
        facts = ctx.class_facts
        if facts is not None and name in facts.attr_types:
            return  # a submodule or a function-valued attribute
        for stmt in fn.class_node.body.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name:
                flag = jit_flag(stmt, ctx)
                if flag:
                    ctx.report(node, _MESSAGES[flag].format(label=f"self.{name}()"))
                return
        if not any(b.keyword is None for b in fn.class_node.bases):
            return
        class_id = fn.id.rsplit(".", 1)[0]
        for flag in ("ignore", "unused"):
            ctx.report(node, _MESSAGES[flag].format(label=f"self.{name}()"),
                       requires=(("method_flag", class_id, name, flag),))
