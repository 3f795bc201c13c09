from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from ..analysis.compiled import has_type_comment, never_compiled, overload_implementation
from ..analysis.spellings import torch_spelling, typing_name
from ..analysis.statement_edits import annotate_param
from ..analysis.syntax import iter_descendants
from ..analysis.typecheck.lattice import BOOL, DEVICE, DTYPE, FLOAT, INT, STR
from ..analysis.value_kinds import _is_bytes, default_kind
from .base import Example, Rule

# What TorchScript calls the Python types of literal defaults (for messages).
_TYPE_WORDS = {INT: "an int", FLOAT: "a float", BOOL: "a bool", STR: "a str", DTYPE: "a dtype",
               DEVICE: "a device", "tuple": "a tuple", "bytes": "bytes", "complex": "a complex number"}


Imports = List[Tuple[str, Optional[str]]]


def _typing(ctx, name: str, imports: Imports) -> str:
    """``typing.<name>`` as this file spells it; else ``name``, recording the import the fix then
    declares, when the name is free; else the PEP 585 builtin (``tuple``, ``list``)."""
    spelled = typing_name(ctx, name)
    binding = ctx.names.bindings.get(name)
    if spelled is not None and not (spelled == name and binding.kind == "type-checking-import"):
        return spelled
    if binding is None or spelled == name:  # free, or bound only for type checkers
        imports.append(("typing", name))
        return name
    return name.lower()


def _torch(ctx, attr: str, imports: Imports) -> Optional[str]:
    """``torch.<attr>`` as this file spells it, else with ``import torch`` when ``torch`` is free."""
    spelled = torch_spelling(ctx, attr)
    if spelled is None and "torch" not in ctx.names.bindings:
        imports.append(("torch", None))
        return f"torch.{attr}"
    return spelled


def literal_annotation(node: cst.BaseExpression, ctx, depth: int = 0,
                       imports: Optional[Imports] = None) -> Optional[str]:
    """The annotation of a literal default (``2.0`` -> ``float``, ``(2, 2)`` -> ``Tuple[int, int]``),
    or None when it cannot be spelled for sure; the imports it needs are added to ``imports``."""
    if imports is None:
        imports = []
    if depth > 4:
        return None
    if isinstance(node, cst.Integer):
        return "int"
    if isinstance(node, cst.Float):
        return "float"
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return "str" if not _is_bytes(node) else None
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return "bool"
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        if isinstance(node.expression, (cst.Integer, cst.Float)):
            return literal_annotation(node.expression, ctx, depth + 1, imports)
        return None
    if isinstance(node, cst.Tuple):
        if not node.elements or any(isinstance(e, cst.StarredElement) for e in node.elements):
            return None
        inner = [literal_annotation(e.value, ctx, depth + 1, imports) for e in node.elements]
        if any(i is None for i in inner):
            return None
        return f"{_typing(ctx, 'Tuple', imports)}[{', '.join(inner)}]"
    if isinstance(node, cst.Attribute):
        qual = ctx.resolve(node)
        if qual and qual.startswith("torch.") and ctx.type_of(node) == DTYPE:
            return _torch(ctx, "dtype", imports)
    return None


def _assigned_names(fn: cst.FunctionDef) -> Set[str]:
    out: Set[str] = set()
    for node in iter_descendants(fn.body):
        targets = ()
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.NamedExpr)):
            targets = [node.target]
        elif isinstance(node, (cst.For, cst.CompFor)):
            targets = [node.target]
        elif isinstance(node, cst.AsName):
            targets = [node.name]
        for target in targets:
            for n in (target, *iter_descendants(target)):
                if isinstance(n, cst.Name):
                    out.add(n.value)
    return out


# torch functions whose first argument is a List[Tensor] (an unannotated parameter is a Tensor).
_TENSOR_LIST_FUNCS = frozenset({"cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack",
                                "column_stack", "row_stack"})


def _list_of_tensors(ctx, imports: Imports) -> Optional[str]:
    tensor = _torch(ctx, "Tensor", imports)
    if tensor is None:
        return None
    return f"{_typing(ctx, 'List', imports)}[{tensor}]"


class UnannotatedNonTensorParam(Rule):
    """
    ## What it does
    Flags a parameter of a compiled function or method that has no annotation although it
    is not a Tensor: its default is a number, a bool, a string, a tuple or a dtype
    (``k=2.0``, ``size=(2, 2)``, ``flag=True``), or the body uses it where only an int, a str
    or a list of Tensors is accepted (``range(n)``, ``mode == "train"``, ``torch.cat(xs)``).

    ## Why is this bad?
    TorchScript types every unannotated parameter as a Tensor. A non-Tensor default is
    rejected ("Expected a default value of type Tensor (inferred) on parameter "k". Because
    "k" was not annotated with an explicit type it is assumed to be type 'Tensor'"), and so
    are int/str/list uses of an unannotated parameter ("all inputs of range must be ints, found
    Tensor (inferred)", "Expected a value of type 'List[Tensor]' for argument 'tensors' but
    instead found type 'Tensor (inferred)'"). Functions whose signature is given by a ``# type:``
    comment or by ``@torch.jit._overload`` declarations are not reported (TorchScript reads
    those). ``mask=None`` is JIT202's case.

    ## Example
    ```python
    def fn(x, k=2.0, size=(2, 2)):
        return (x * k).reshape(size)

    def repeat(x, n):
        for _ in range(n):
            x = x + 1
        return x
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor, k: float = 2.0, size: Tuple[int, int] = (2, 2)) -> torch.Tensor:
        return (x * k).reshape(size)

    def repeat(x: torch.Tensor, n: int) -> torch.Tensor:
        for _ in range(n):
            x = x + 1
        return x
    ```

    ## Fix safety
    The fix adds the annotation the default (or the use) proves: ``int``, ``float``, ``bool``,
    ``str``, ``List[torch.Tensor]``, a dtype, or a tuple of those (``Tuple[...]``), spelled with
    the file's own imports and adding ``from typing import Tuple``/``List`` (or ``import torch``)
    when the file lacks them; PEP 585 ``tuple[...]``/``list[...]`` (which TorchScript supports)
    only when the name is bound to something else. Annotations do not change what eager Python
    does, and the added import binds a name the module did not bind, so the fix is safe; it is
    only offered for literal defaults whose type is certain.
    """

    code = "JIT201"
    name = "unannotated-non-tensor-param"
    message = "unannotated parameter is typed as a Tensor by torch.jit.script but is not one"
    fix_safety = "safe"
    evidence = ("s108", "s110", "s112")

    INVALID = [
        Example(
            """
            import torch

            def fn(x, k=2.0):  # MARK
                return x * k
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, size=(3, 1)) -> torch.Tensor:  # MARK
                return x.reshape(size)
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, n) -> torch.Tensor:
                for _ in range(n):  # MARK
                    x = x + 1
                return x
            """,
            inputs="[(torch.ones(3), 2)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x, mode):
                    if mode == "double":  # MARK
                        return x * 2
                    return x
            """,
            root="M",
            inputs="[(torch.ones(3), 'double')]",
        ),
        Example(
            """
            import torch

            class Select(torch.nn.Module):
                def __init__(self, mode: str = "cat"):
                    super().__init__()
                    self.mode = mode

                def forward(self, xs) -> torch.Tensor:
                    if self.mode == "first":
                        return xs[0]
                    return torch.cat(xs, dim=1)  # MARK
            """,
            root="Select",
            inputs="[([torch.ones(1, 2), torch.ones(1, 3)],)]",
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x, training=False, eps=1e-5):  # MARK
                    return x + eps if training else x
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Optional, Tuple
            import torch

            def fn(x, k: float = 2.0, size: Tuple[int, int] = (3, 1), m: Optional[torch.Tensor] = None,
                   n: int = 1) -> torch.Tensor:
                for _ in range(n):
                    x = x * k
                return x.reshape(size)
            """,
        ),
        Example(
            """
            import torch

            def fn(x, k=2):
                # type: (torch.Tensor, int) -> torch.Tensor
                return x * k
            """,
        ),
        Example(
            """
            from typing import List
            import torch

            @torch.jit._overload
            def scale(x: torch.Tensor, k: int) -> torch.Tensor:
                pass

            @torch.jit._overload
            def scale(x: torch.Tensor, k: List[int]) -> torch.Tensor:  # noqa: F811
                pass

            def scale(x, k=1):  # noqa: F811
                if isinstance(k, int):
                    return x * k
                return x * k[0]

            def fn(x: torch.Tensor) -> torch.Tensor:
                return scale(x, 2) + scale(x, [3])
            """,
        ),
        Example(
            """
            import torch

            def fn(x, y, n=torch.ones(1)):
                for row in range(x.size(0)):
                    y = y + x[row] * n
                return y
            """,
            inputs="[(torch.ones(2, 3), torch.zeros(3))]",
        ),
    ]

    def function_start(self, fn: cst.FunctionDef, ctx) -> None:
        if never_compiled(ctx):
            return
        info = ctx.function
        uses: Dict[str, object] = {}
        for p in info.params:
            if p.annotation is not None or p.kind in ("star", "starstar") or p.type == ("self",):
                continue
            if p.default is None:
                uses[p.name] = p
                continue
            what = default_kind(p.default, ctx)
            if what is None:
                continue
            if has_type_comment(fn, ctx) or overload_implementation(ctx):
                return
            default = ctx.code_of(p.default)
            imports: Imports = []
            ann = literal_annotation(p.default, ctx, imports=imports)
            if ann is None and isinstance(p.default, cst.Name):
                binding = ctx.names.value_kind(p.default.value)
                if binding is not None and binding.target in ("int", "float", "str", "bool"):
                    ann = binding.target
            if ann is None and what in (INT, FLOAT, BOOL, STR) and not isinstance(p.default, cst.Name):
                ann = what  # e.g. `1 / 3`, `-(2)`: an expression of literals
            fix = None
            hint = f"annotate it, e.g. `{p.name}: <type> = {default}`"
            if ann is not None:
                hint = f"annotate it: `{p.name}: {ann} = {default}`"
                fix = ctx.safe_fix(f"Annotate `{p.name}: {ann}`", annotate_param(p.node, ann, ctx),
                                   imports=imports)
            ctx.report(p.node, f"parameter `{p.name}` has no annotation, so torch.jit.script types it as a "
                               f"Tensor, but its default `{default}` is {_TYPE_WORDS[what]} (rejected: \"Expected a "
                               f"default value of type Tensor\"); {hint}", fix=fix)
        if uses:
            ctx.scratch[self.code] = {"params": uses, "assigned": None, "done": set()}

    # -- int/str uses of unannotated parameters without a default ----------------------------
    def _param(self, node: cst.BaseExpression, ctx):
        state = ctx.scratch.get(self.code)
        if state is None or not isinstance(node, cst.Name) or node.value not in state["params"]:
            return None
        if node.value in state["done"]:
            return None
        if state["assigned"] is None:
            state["assigned"] = _assigned_names(ctx.function.node)
            if has_type_comment(ctx.function.node, ctx) or overload_implementation(ctx):
                state["params"] = {}
                return None
        if node.value in state["assigned"]:
            return None
        return state["params"][node.value]

    def _report(self, node: cst.Name, p, ann: str, use: str, ctx, imports: Imports = ()) -> None:
        ctx.scratch[self.code]["done"].add(p.name)
        fix = ctx.safe_fix(f"Annotate `{p.name}: {ann}`", annotate_param(p.node, ann, ctx), imports=imports)
        article = "an" if ann == "int" else "a"
        ctx.report(node, f"parameter `{p.name}` has no annotation, so torch.jit.script types it as a Tensor, "
                         f"but it is used as {article} `{ann}` here ({use}); annotate it: `{p.name}: {ann}`", fix=fix)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        if self.code not in ctx.scratch or not node.args:
            return
        func = node.func
        if isinstance(func, cst.Name) and func.value == "range":
            if ctx.resolve(func) != "builtins.range":
                return
            for arg in node.args:
                if arg.star or arg.keyword is not None:
                    return
                p = self._param(arg.value, ctx)
                if p is not None:
                    self._report(arg.value, p, "int", "`range()` accepts only ints", ctx)
            return
        if isinstance(func, cst.Attribute) and func.attr.value in _TENSOR_LIST_FUNCS:
            first = node.args[0]
            if first.star or (first.keyword is not None and first.keyword.value != "tensors"):
                return
            if ctx.resolve(func) != f"torch.{func.attr.value}":
                return
            p = self._param(first.value, ctx)
            if p is not None:
                imports: Imports = []
                ann = _list_of_tensors(ctx, imports)
                if ann is not None:
                    self._report(first.value, p, ann, f"`torch.{func.attr.value}()` takes a list of Tensors", ctx,
                                 imports)

    def visit_Comparison(self, node: cst.Comparison, ctx) -> None:
        if self.code not in ctx.scratch or len(node.comparisons) != 1:
            return
        comp = node.comparisons[0]
        if not isinstance(comp.operator, (cst.Equal, cst.NotEqual)):
            return
        for side, other in ((node.left, comp.comparator), (comp.comparator, node.left)):
            if isinstance(other, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
                p = self._param(side, ctx)
                if p is not None:
                    self._report(side, p, "str", "compared with a string", ctx)
                    return
