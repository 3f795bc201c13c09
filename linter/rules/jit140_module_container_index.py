import re
from typing import Optional

import libcst as cst

from ..analysis.container_loops import loop_rewrite
from ..analysis.hoisting import file_source
from ..analysis.positions import compute_ranges
from ..analysis.typecheck.lattice import kind
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


_NOT_INTERFACE = ("builtins.", "typing.", "torch.")


def _plain(node: cst.BaseExpression) -> bool:
    """A name, an attribute chain of names or a literal: evaluating it calls nothing."""
    if isinstance(node, cst.Name) or _int_literal(node) or _str_literal(node) or isinstance(node, cst.Float):
        return True
    return isinstance(node, cst.Attribute) and _plain(node.value)


def _dict_return_fix(node: cst.Subscript, key: cst.BaseExpression, ctx):
    """``return self.heads[name](x)`` -> a loop over ``self.heads.items()`` returning the call of
    the module whose key equals ``name``, then ``raise KeyError(name)`` (what the lookup raised)."""
    parents = ctx.parents
    if len(parents) < 3 or not isinstance(key, cst.Name):
        return None
    call, ret, line = parents[-1], parents[-2], parents[-3]
    if not (isinstance(call, cst.Call) and call.func is node and isinstance(ret, cst.Return) and ret.value is call
            and isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and ctx.function is not None):
        return None
    if any(a.star or not _plain(a.value) for a in call.args) or not _plain(node.value):
        return None
    fn_code = ctx.code_of(ctx.function.node)
    names = next(((k, m) for k, m in (("key", "module"), ("key_", "module_"), ("k_", "m_"))
                  if not re.search(rf"\b({k}|{m})\b", fn_code)), None)
    if names is None:
        return None
    k, m = names
    row = compute_ranges(ctx.file.module, [line]).get(id(line))
    if row is None:
        return None
    text_line = file_source(ctx.file).splitlines()[row[0] - 1]
    indent = text_line[: len(text_line) - len(text_line.lstrip())]
    step = ctx.file.module.default_indent
    args = ", ".join(ctx.code_of(a).rstrip(", ").strip() for a in call.args)
    key_code = ctx.code_of(key)
    text = (f"for {k}, {m} in {ctx.code_of(node.value)}.items():\n{indent}{step}if {k} == {key_code}:\n"
            f"{indent}{step}{step}return {m}({args})\n{indent}raise KeyError({key_code})")
    return ctx.safe_fix(f"Loop over `{ctx.code_of(node.value)}.items()` and return the module whose key is "
                        f"`{key_code}`", [(ret, text)])


def _interface_annotated(node: cst.Subscript, ctx) -> bool:
    """Is ``node`` the value of ``name: Ann = node`` with an annotation that may be a
    ``@torch.jit.interface`` (anything but a builtin, typing or torch type)?"""
    for parent in reversed(ctx.parents):
        if isinstance(parent, cst.AnnAssign):
            if parent.value is not node:
                return False
            qual = ctx.resolve(parent.annotation.annotation)
            return qual is None or not qual.startswith(_NOT_INTERFACE)
    return False


def _sliced_modules_called(node: cst.Subscript, ctx) -> bool:
    """Is ``node`` (a sliced module list) the iterable of a ``for`` (directly or through
    ``enumerate``/``zip``) whose body calls a loop variable (``layer(x)``)?"""
    loop = None
    for parent in reversed(ctx.parents):
        if isinstance(parent, cst.For):
            loop = parent
            break
        if not isinstance(parent, (cst.Call, cst.Arg)):
            return False
    if loop is None:
        return False
    it = loop.iter
    if it is not node and not (isinstance(it, cst.Call) and any(a.value is node for a in it.args)):
        return False
    names = {n.value for n in _iter_all(loop.target) if isinstance(n, cst.Name)}
    return any(isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and n.func.value in names
               for n in _iter_all(loop.body))


def _iter_all(node: cst.CSTNode):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.children)


class ModuleContainerIndex(Rule):
    """
    ## What it does
    Flags ``nn.ModuleList`` / ``nn.Sequential`` / ``nn.ParameterList`` attributes indexed with
    anything but an integer literal (``self.layers[i]``, ``self.layers[len(self.layers) - 1]``)
    or sliced in a loop that calls its modules (``for m in self.layers[1:]: x = m(x)``), and ``nn.ModuleDict`` / ``nn.ParameterDict`` indexed with
    anything but a string literal (``self.heads[name]``), in compiled code. Local aliases
    (``layers = self.layers``) are followed.

    ## Why is this bad?
    TorchScript unrolls module containers at compile time, so it must know which submodule an
    index selects: "Expected integer literal for index but got a variable or non-integer.
    ModuleList/Sequential indexing is only supported with integer literals", "Unable to extract
    string literal index. ModuleDict indexing is only supported with string literals". A sliced
    ModuleList compiles, but the modules a loop takes from it cannot be called ("object has no
    attribute or method '__call__'": ``layer.forward(x)`` and ``len()`` work), a sliced
    Sequential likewise. A local annotated with a ``@torch.jit.interface`` type may take any
    index (``m: Iface = self.layers[i]``, checked at run time). Literal indexes (also negative ones, and
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
    container; otherwise it is unsafe. ``return self.heads[name](x)`` on an ``nn.ModuleDict``
    (a name as key, arguments that are names, attributes or literals) becomes a loop over
    ``self.heads.items()`` returning the call of the module whose key equals ``name``, followed
    by ``raise KeyError(name)``: safe, the same module is called with the same arguments, and a
    missing key raises the ``KeyError(name)`` the lookup raised (the arguments, evaluated after
    the lookup before, call nothing). Other indexes (``self.seq[last]``, slices, other uses of
    a ModuleDict entry) get no fix.
    """

    code = "JIT140"
    name = "module-container-index"
    message = "module container indexed with a non-literal"
    fix_safety = "safe or unsafe (see Fix safety)"
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
            import torch
            from torch import nn

            @torch.jit.interface
            class LayerIface(nn.Module):
                def forward(self, input: torch.Tensor) -> torch.Tensor:
                    pass

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for layer in self.layers[1:]:
                        x = layer.forward(x)
                    n = len(self.layers[:2])
                    i = n - 1
                    chosen: LayerIface = self.layers[i]
                    return chosen.forward(x) * n
            """,
            root="M",
            inputs="[(torch.ones(1, 2),)]",
        ),
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
            if shape != "list" or not _sliced_modules_called(node, ctx):
                return  # a slice compiles; only calling its modules (`layer(x)`) fails
            ctx.report(node, f"slicing `{target}` ({display}) is not supported by torch.jit.script (the sliced "
                             f"modules cannot be called): iterate with `enumerate({target})` and skip indices")
            return
        if shape == "list":
            if _interface_annotated(node, ctx):
                return  # `m: SomeInterface = self.layers[i]` compiles (the index is checked at run time)
            ctx.report(node, f"`{ctx.code_of(node)}`: an {display} can only be indexed with an integer literal in "
                             f"TorchScript: iterate with `for m in {target}` or `enumerate({target})`",
                       fix=_loop_fix(node, index.value, ctx))
        else:
            if isinstance(index.value, (cst.Integer, cst.UnaryOperation)):
                return
            ctx.report(node, f"`{ctx.code_of(node)}`: an {display} can only be indexed with a string literal in "
                             f"TorchScript: loop over `{target}.items()` and compare the keys",
                       fix=_dict_return_fix(node, index.value, ctx))
