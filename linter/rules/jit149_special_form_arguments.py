from typing import Optional

import libcst as cst

from .base import Example, Rule


def _literal_string(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return not node.prefix.lower().startswith("b")
    if isinstance(node, cst.ConcatenatedString):
        return _literal_string(node.left) and _literal_string(node.right)
    return False


def _problem(name: str, node: cst.Call) -> Optional[str]:
    positional = [a for a in node.args if a.keyword is None]
    keywords = [a for a in node.args if a.keyword is not None]
    n = len(positional)
    if name == "hasattr":
        if n == 2 and not keywords and not _literal_string(positional[1].value):
            return ("`hasattr()` needs a string literal as its second argument in torch.jit.script (\"hasattr's "
                    "second argument must be a string literal\"): the compiler answers it while compiling")
        return None
    if name == "slice":
        if keywords:
            return "`slice()` takes no keyword arguments in torch.jit.script (\"Slice does not accept any keyword " \
                   "arguments\"): pass start, stop and step by position"
        if not 1 <= n <= 3:
            return f"`slice()` takes 1, 2 or 3 arguments (got {n}): torch.jit.script rejects it"
        return None
    if name == "range" and not keywords:
        if n == 0:
            return "`range()` without arguments is rejected by torch.jit.script (\"range expected at least 1 arguments\")"
        if n > 3:
            return f"`range()` takes at most 3 arguments (got {n}): torch.jit.script rejects it"
        return None
    if name == "enumerate":
        if n == 0 and not keywords:
            return "`enumerate()` without arguments is rejected by torch.jit.script"
        if n + len(keywords) > 2:
            return (f"`enumerate()` takes at most 2 arguments (got {n + len(keywords)}): torch.jit.script rejects "
                    f"it (\"enumerate expected at most 2 arguments\")")
        bad = [a.keyword.value for a in keywords if a.keyword.value != "start"]
        if bad:
            return f"`enumerate()` accepts only the keyword `start` in torch.jit.script (got `{bad[0]}`)"
        return None
    if name == "zip" and not node.args:
        return "`zip()` without arguments is rejected by torch.jit.script (\"zip expected at least 1 arguments\")"
    if name == "print" and keywords:
        return (f"`print()` takes no keyword arguments in torch.jit.script (got `{keywords[0].keyword.value}=`; "
                f"\"print doesn't accept any keyword arguments\"): format the text first, e.g. with an f-string")
    return None


class SpecialFormArguments(Rule):
    """
    ## What it does
    Flags calls of the builtins the TorchScript compiler emits itself (special forms, not
    operators with a schema) with arguments it rejects: ``hasattr`` with a name that is not
    a string literal, ``slice()`` with keywords or with other than 1-3 arguments, ``range()``
    with no or more than three arguments, ``enumerate()`` with more than two arguments or a
    keyword other than ``start``, ``zip()`` with none, ``print()`` with keywords
    (``end=``, ``sep=``, ``file=``, ``flush=``).

    ## Why is this bad?
    These calls never reach schema matching: the compiler's special forms check their
    arguments themselves and fail the whole function ("hasattr's second argument must be a
    string literal", "Slice does not accept any keyword arguments", "range expected at most 3
    arguments, got 4", "enumerate expected at most 2 arguments, got 3", "zip expected at
    least 1 arguments, got 0", "print doesn't accept any keyword arguments"). ``hasattr`` is
    answered while compiling, so the name has to be known then. Calls with ``*args``
    are left to the star-unpacking rule.

    ## Example
    ```python
    def forward(self, x):
        print("x:", x, end="")
        return x
    ```

    ## Use instead
    ```python
    def forward(self, x):
        print("x:", x)
        return x
    ```

    ## Fix safety
    No automatic fix: what the call should become (a literal name, a formatted string)
    depends on the code.
    """

    code = "JIT149"
    name = "special-form-arguments"
    message = "torch.jit.script rejects these arguments of a builtin it compiles itself"

    INVALID = [
        Example(
            """
            import torch

            class Net(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    name = "weight"
                    if hasattr(self, name):  # MARK
                        return x
                    return x + 1
            """,
            root="Net",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                s = slice(start=0, stop=1)  # MARK
                return x[s]
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                s = slice(0, 1, 1, 1)  # MARK
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                for i in range(0, 4, 1, 1):  # MARK
                    x = x + i
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                for i, v in enumerate([x], 0, 1):  # MARK
                    x = x + v
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                for a in zip():  # MARK
                    x = x + 1
                return x
            """
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                print("x:", x, end="")  # MARK
                return x
            """
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            class Net(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lin = torch.nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if hasattr(self, "lin"):
                        x = self.lin(x)
                    s = slice(0, 2)
                    for i, v in enumerate([x], start=1):
                        x = x + v * i
                    for a, b in zip([1, 2], [3, 4]):
                        x = x + a * b
                    for i in range(0, 4, 2):
                        x = x + i
                    print("x:", x[s])
                    return x
            """,
            root="Net",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if any(a.star for a in node.args):
            return
        qual = ctx.resolve(node.func)
        if qual is None or not qual.startswith("builtins.") or not isinstance(node.func, cst.Name):
            return
        problem = _problem(qual[9:], node)
        if problem is not None:
            ctx.report(node, problem)
