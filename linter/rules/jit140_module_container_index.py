from typing import Optional

import libcst as cst

from ..analysis.container_loops import loop_rewrite
from ..analysis.types import kind
from .base import Example, Rule

# Containers as the inference types them: ("modlist", ...) or ("module", "torch.nn.ModuleList").
_CONTAINER_CLASSES = {}
for _name, _shape in (("Sequential", "list"), ("ModuleList", "list"), ("ParameterList", "list"),
                      ("ModuleDict", "dict"), ("ParameterDict", "dict")):
    _CONTAINER_CLASSES[f"torch.nn.{_name}"] = (_shape, f"nn.{_name}")
    _CONTAINER_CLASSES[f"torch.nn.modules.container.{_name}"] = (_shape, f"nn.{_name}")
_LIST_KINDS = {"modlist": "nn.ModuleList", "paramlist": "nn.ParameterList"}
_DICT_KINDS = {"moddict": "nn.ModuleDict", "paramdict": "nn.ParameterDict"}


def _container(t) -> Optional[tuple]:
    """("list"|"dict", display name) for module/parameter containers."""
    k = kind(t)
    if k in _LIST_KINDS:
        return ("list", _LIST_KINDS[k])
    if k in _DICT_KINDS:
        return ("dict", _DICT_KINDS[k])
    if k == "module":
        return _CONTAINER_CLASSES.get(t[1])
    return None


def _int_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Integer):
        return True
    return (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus))
            and isinstance(node.expression, cst.Integer))


def _str_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return True
    return isinstance(node, cst.ConcatenatedString) and _str_literal(node.left) and _str_literal(node.right)


def _non_constant_self_attr(node: cst.Attribute, ctx) -> bool:
    """True for ``self.x`` where the class (whose bases are all torch classes) does not declare
    ``x`` constant (``__constants__`` or a ``Final`` annotation): TorchScript rejects it."""
    fn = ctx.function
    if (fn is None or fn.class_node is None or not fn.is_method or not fn.params
            or not isinstance(node.value, cst.Name) or node.value.value != fn.params[0].name):
        return False
    cls = fn.class_node
    for base in cls.bases:
        qual = ctx.resolve(base.value)
        if qual is None or not qual.startswith("torch."):
            return False
    attr = node.attr.value
    for stmt in cls.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == attr:
                ann = small.annotation.annotation
                head = ann.value if isinstance(ann, cst.Subscript) else ann
                if ctx.resolve(head) in ("typing.Final", "typing_extensions.Final", "torch.jit.Final"):
                    return False
            if isinstance(small, cst.Assign) and any(
                    isinstance(t.target, cst.Name) and t.target.value == "__constants__" for t in small.targets):
                if attr in ctx.code_of(small.value):
                    return False
    return True


def _loop_fix(node: cst.Subscript, index: cst.BaseExpression, ctx):
    """Iterate the container instead of ``for i in range(len(...))`` when ``i`` is that loop's."""
    if not isinstance(index, cst.Name):
        return None
    for p in reversed(ctx.parents):
        if isinstance(p, cst.For) and isinstance(p.target, cst.Name) and p.target.value == index.value:
            rewrite = loop_rewrite(p, node.value, ctx)
            if rewrite is None:
                return None
            edit, safe = rewrite
            make = ctx.safe_fix if safe else ctx.unsafe_fix
            return make(f"Iterate `{ctx.code_of(node.value)}` itself", [edit])
        if isinstance(p, (cst.FunctionDef, cst.Lambda)):
            return None
    return None


class ModuleContainerIndex(Rule):
    """
    ## What it does
    Flags ``nn.ModuleList`` / ``nn.Sequential`` / ``nn.ParameterList`` attributes indexed with
    anything but an integer literal (``self.layers[i]``, ``self.layers[len(self.layers) - 1]``)
    or sliced (``self.layers[1:]``), and ``nn.ModuleDict`` / ``nn.ParameterDict`` indexed with
    anything but a string literal (``self.heads[name]``), in compiled code. Local aliases
    (``layers = self.layers``) are followed.

    ## Why is this bad?
    TorchScript unrolls module containers at compile time, so it must know which submodule an
    index selects: "Expected integer literal for index but got a variable or non-integer.
    ModuleList/Sequential indexing is only supported with integer literals", "Unable to extract
    string literal index. ModuleDict indexing is only supported with string literals". A sliced
    ModuleList compiles to modules that cannot be called ("object has no attribute or method
    '__call__'"), a sliced Sequential to a tuple. Literal indexes (also negative ones, and
    ``Final`` class constants), iteration, ``enumerate``, ``zip`` and ``.items()`` are supported.

    ## Example
    ```python
    def forward(self, x):
        for i in range(len(self.layers)):
            x = self.layers[i](x)
        return self.heads[self.task](x)
    ```

    ## Use instead
    ```python
    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        out = x
        for name, head in self.heads.items():
            if name == self.task:
                out = head(x)
        return out
    ```

    ## Fix safety
    ``for i in range(len(self.layers))`` whose body picks ``self.layers[i]`` becomes
    ``for layer in self.layers`` (``for i, layer in enumerate(self.layers)`` when ``i`` is used
    otherwise too, or after the loop), each ``self.layers[i]`` becoming ``layer``. Both visit the
    same modules in the same order unless the body adds or removes modules of the container
    while it runs. The fix is safe when the body can be seen not to: it calls no method of
    ``self`` other than submodules, passes ``self`` nowhere and rebinds neither ``i`` nor the
    container; otherwise it is unsafe. Other indexes (``self.seq[last]``, slices, ModuleDict keys)
    get no fix.
    """

    code = "JIT140"
    name = "module-container-index"
    message = "module container indexed with a non-literal"
    fix_safety = "safe"
    evidence = ("s416", "s418", "s417")

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for i in range(len(self.layers)):
                        x = self.layers[i](x)  # MARK
                    return x
            """,
            root="M",
            inputs="[(torch.ones(1, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.heads = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.Linear(2, 2)})

                def forward(self, x: torch.Tensor, name: str) -> torch.Tensor:
                    return self.heads[name](x)  # MARK
            """,
            root="M",
            inputs="[(torch.ones(1, 2), 'b')]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for layer in self.layers[1:]:  # MARK
                        x = layer(x)
                    return x
            """,
            root="M",
            inputs="[(torch.ones(1, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.seq = nn.Sequential(nn.Linear(2, 2), nn.ReLU())

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    last = len(self.seq) - 1
                    return self.seq[last](x)  # MARK
            """,
            root="M",
            inputs="[(torch.ones(1, 2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Final
            import torch
            from torch import nn

            class M(nn.Module):
                K: Final[int] = 1

                def __init__(self):
                    super().__init__()
                    self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
                    self.norms = nn.ModuleList([nn.LayerNorm(2) for _ in range(3)])
                    self.heads = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.Linear(2, 2)})

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for i, layer in enumerate(self.layers):
                        x = layer(x) + i
                    for layer, norm in zip(self.layers, self.norms):
                        x = norm(layer(x))
                    x = self.layers[0](x) + self.layers[-1](x) + self.layers[self.K](x)
                    return self.heads["a"](x) * len(self.layers)
            """,
            root="M",
            inputs="[(torch.ones(1, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.heads = nn.ModuleDict({"a": nn.Linear(2, 2), "b": nn.Linear(2, 2)})
                    self.sizes = [1, 2, 3]

                def forward(self, x: torch.Tensor, name: str) -> torch.Tensor:
                    out = x
                    for k, m in self.heads.items():
                        if k == name:
                            out = m(x)
                    for i in range(3):
                        out = out * self.sizes[i]
                    return out
            """,
            root="M",
            inputs="[(torch.ones(1, 2), 'b')]",
        ),
    ]

    def visit_Subscript(self, node: cst.Subscript, ctx) -> None:
        if len(node.slice) != 1:
            return
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            value = index.value
            if _int_literal(value) or _str_literal(value):
                return
            if isinstance(value, cst.Attribute) and not _non_constant_self_attr(value, ctx):
                return  # possibly a Final / __constants__ attribute
        container = _container(ctx.type_of(node.value))
        if container is None:
            return
        shape, display = container
        target = ctx.code_of(node.value)
        if isinstance(index, cst.Slice):
            if shape != "list":
                return
            ctx.report(node, f"slicing `{target}` ({display}) is not supported by torch.jit.script (the sliced "
                             f"modules cannot be called): iterate with `enumerate({target})` and skip indices")
            return
        if shape == "list":
            ctx.report(node, f"`{ctx.code_of(node)}`: an {display} can only be indexed with an integer literal in "
                             f"TorchScript: iterate with `for m in {target}` or `enumerate({target})`",
                       fix=_loop_fix(node, index.value, ctx))
        else:
            if isinstance(index.value, (cst.Integer, cst.UnaryOperation)):
                return
            ctx.report(node, f"`{ctx.code_of(node)}`: an {display} can only be indexed with a string literal in "
                             f"TorchScript: loop over `{target}.items()` and compare the keys")
