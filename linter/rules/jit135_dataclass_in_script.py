from typing import Optional

import libcst as cst

from ..analysis.names import dotted_name
from ..analysis.spellings import bound_before
from .base import Example, Rule

_DATACLASS = ("dataclasses.dataclass",)
_NOT_PROJECT = ("torch.", "builtins.", "typing.", "collections.", "enum.", "dataclasses.", "numpy.",
                "math.", "abc.", "types.")


class DataclassInScript(Rule):
    """
    ## What it does
    Flags a ``@dataclasses.dataclass`` class that compiled code constructs or takes as a
    parameter/return type, unless the class was handed to ``torch.jit.script`` explicitly when
    its module is imported (``@torch.jit.script`` on the class, or a module-level
    ``torch.jit.script(Cfg)`` call in any file of the project; a call inside a function may run
    too late, or never, and does not count). Dataclasses from other files are recognised too.

    ## Why is this bad?
    TorchScript (since 2.0) can compile dataclasses, but only when it synthesises their
    ``__init__``, which happens when the class itself is scripted. Reached from compiled code,
    the generated ``__init__`` has no source file and ``torch.jit.script`` fails with
    ``OSError: Failed to get source for <function Cfg.__init__> using inspect.getsource``,
    with no source location pointing at the use.

    ## Example
    ```python
    @dataclasses.dataclass
    class Cfg:
        scale: float
        shift: int = 0

    def fn(x: torch.Tensor) -> torch.Tensor:
        c = Cfg(2.0, 1)
        return x * c.scale + c.shift
    ```

    ## Use instead
    ```python
    @torch.jit.script
    @dataclasses.dataclass
    class Cfg:
        scale: float
        shift: int = 0
    ```
    or call ``torch.jit.script(Cfg)`` once before scripting the code that uses it.

    ## Fix safety
    Unsafe (applied with ``--unsafe-fixes``), for a dataclass of the same file whose only
    decorator is a plain ``@dataclass`` / ``@dataclasses.dataclass`` (no arguments: ``frozen``,
    ``order`` and the like generate methods without source, which TorchScript cannot compile)
    and whose fields have no default or a literal one: the fix adds ``@torch.jit.script`` above
    it. The class stays a Python dataclass (``==``, ``repr``, fields are unchanged), but it is now
    compiled when the module is imported: that costs time at import, needs torch importable
    there, and a class TorchScript cannot compile now fails the import instead of the
    ``torch.jit.script`` call. Calling ``torch.jit.script(Cfg)`` explicitly is the alternative.
    """

    code = "JIT135"
    name = "dataclass-in-script"
    fix_safety = "unsafe"
    message = "dataclass used in compiled code without being scripted"
    evidence = ("s327",)

    INVALID = [
        Example(
            """
            import dataclasses
            import torch

            @dataclasses.dataclass
            class Cfg:
                scale: float
                shift: int = 0

            def fn(x: torch.Tensor) -> torch.Tensor:
                c = Cfg(2.0, 1)  # MARK
                return x * c.scale + c.shift
            """,
        ),
        Example(
            """
            from dataclasses import dataclass
            import torch

            @dataclass(frozen=True)
            class Cfg:
                scale: float

            def fn(x: torch.Tensor, c: Cfg) -> torch.Tensor:  # MARK
                return x * c.scale
            """,
            inputs="[(torch.ones(3), Cfg(2.0))]",
        ),
        Example(
            """
            import dataclasses
            import torch

            @dataclasses.dataclass
            class Cfg:
                scale: float

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * Cfg(2.0).scale  # MARK

            def export():
                torch.jit.script(Cfg)  # only helps if export() runs before fn is scripted
                return torch.jit.script(fn)
            """,
        ),
    ]
    VALID = [
        Example(
            """
            import dataclasses
            import torch

            @torch.jit.script
            @dataclasses.dataclass
            class Cfg:
                scale: float
                shift: int = 0

            def fn(x: torch.Tensor) -> torch.Tensor:
                c = Cfg(2.0, 1)
                return x * c.scale + c.shift
            """,
        ),
        Example(
            """
            from typing import NamedTuple
            import dataclasses
            import torch

            class Out(NamedTuple):
                y: torch.Tensor
                n: int

            @dataclasses.dataclass
            class Cfg:
                scale: float

            torch.jit.script(Cfg)

            def fn(x: torch.Tensor) -> torch.Tensor:
                c = Cfg(2.0)
                o = Out(x * c.scale, 1)
                return o.y + o.n
            """,
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        qual = self._class_name(node.func, ctx)
        if qual is None or not self._first(qual, ctx):
            return
        ctx.report(node, f"dataclass `{qual.rsplit('.', 1)[-1]}` is constructed in compiled code but was never "
                         f"scripted itself: torch.jit.script fails with \"OSError: Failed to get source for "
                         f"<function ...__init__>\"; decorate the class with `@torch.jit.script` or call "
                         f"`torch.jit.script({qual.rsplit('.', 1)[-1]})` first",
                   requires=(("class_is", qual, "unscripted_dataclass"),), fix=_script_fix(node.func, ctx))

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        annotations = [p.annotation for p in ctx.function.params if p.annotation is not None] if ctx.function else []
        if fn.returns is not None:
            annotations.append(fn.returns)
        for ann in annotations:
            node = ann.annotation
            if isinstance(node, cst.Subscript):  # Optional[Cfg], List[Cfg]
                inner = [el.slice.value for el in node.slice if isinstance(el.slice, cst.Index)]
            else:
                inner = [node]
            for expr in inner:
                qual = self._class_name(expr, ctx)
                if qual is not None and self._first(qual, ctx):
                    name = qual.rsplit(".", 1)[-1]
                    ctx.report(expr, f"dataclass `{name}` is used in a compiled signature but was never scripted "
                                     f"itself: torch.jit.script fails with \"OSError: Failed to get source\"; "
                                     f"decorate it with `@torch.jit.script` or call `torch.jit.script({name})` first",
                               requires=(("class_is", qual, "unscripted_dataclass"),), fix=_script_fix(expr, ctx))

    def _first(self, qual: str, ctx) -> bool:
        """Report each dataclass once per function (signature first, then the first construction)."""
        seen = ctx.scratch.setdefault(self.code, set())
        if qual in seen:
            return False
        seen.add(qual)
        return True

    @staticmethod
    def _class_name(func: cst.BaseExpression, ctx) -> Optional[str]:
        """The qualified name of a (possible) project dataclass named by ``func``."""
        if isinstance(func, cst.Name):
            name = func.value
            binding = ctx.names.bindings.get(name)
            if binding is None or (ctx.infer is not None and name in ctx.infer.locals):
                return None
            if binding.kind == "class":
                node = ctx.file.class_nodes.get(name)
                if node is None or not any(_is_dataclass_decorator(d, ctx) for d in node.decorators):
                    return None
                return binding.target
            if binding.kind != "import" or not name[:1].isupper():
                return None
            qual = binding.target
        elif isinstance(func, cst.Attribute):
            if not func.attr.value[:1].isupper():
                return None
            qual = ctx.resolve(func)
            if qual is None:
                return None
        else:
            return None
        if qual.startswith(_NOT_PROJECT) or "." not in qual:
            return None
        return qual


def _is_dataclass_decorator(dec: cst.Decorator, ctx) -> bool:
    node = dec.decorator
    if isinstance(node, cst.Call):
        node = node.func
    return ctx.names.resolve(dotted_name(node)) in _DATACLASS


def _literal_default(node: Optional[cst.BaseExpression]) -> bool:
    if node is None or isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    return (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
            and isinstance(node.expression, (cst.Integer, cst.Float)))


def _script_fix(ref: cst.BaseExpression, ctx):
    """``@torch.jit.script`` above the class's plain ``@dataclass`` (same-file classes only)."""
    if not isinstance(ref, cst.Name):
        return None
    binding = ctx.names.bindings.get(ref.value)
    node = ctx.file.class_nodes.get(ref.value) if binding is not None and binding.kind == "class" else None
    if node is None or len(node.decorators) != 1 or not _is_dataclass_decorator(node.decorators[0], ctx):
        return None
    dec = node.decorators[0].decorator
    if isinstance(dec, cst.Call):
        if dec.args:
            return None
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            continue
        if not isinstance(stmt, cst.SimpleStatementLine):
            return None
        for small in stmt.body:
            if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                continue
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and _literal_default(small.value):
                continue
            if isinstance(small, cst.Pass):
                continue
            return None
    imports = ()
    torch = None
    for head, b in ctx.names.bindings.items():
        if b.kind == "import" and b.target == "torch" and "." not in head:
            torch = head
            break
    if torch is None:
        if "torch" in ctx.names.bindings:
            return None
        torch, imports = "torch", (("torch", None),)
    if not bound_before(ctx, torch, ref.value):
        return None  # torch is imported after the class: the decorator would fail at import
    code = ctx.code_of(dec)
    return ctx.unsafe_fix(f"Decorate `{ref.value}` with `@{torch}.jit.script`", [(dec, f"{torch}.jit.script\n@{code}")],
                          imports=imports)
