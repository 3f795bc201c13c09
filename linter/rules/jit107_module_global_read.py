from typing import Dict, Optional, Tuple

import libcst as cst

from ..analysis import torch_api
from ..analysis.names import dotted_name, iter_top_level
from ..analysis.typecheck.certain import bindings_of
from ..analysis.syntax import iter_descendants
from .base import Example, Rule

# Value kinds (``analyzer._value_kind``) of module-level names that torch.jit.script refuses
# to read, with the type its error names. Checked with torch 2.13 (m010, s013 and probes):
# complex numbers, nn.Module instances, functions and classes resolve; these do not.
_KINDS = {
    "int": "int", "float": "float", "str": "str", "bool": "bool", "tuple": "tuple",
    "list": "list", "dict": "dict", "set": "set", "Tensor": "Tensor", "None": "None",
    "dtype": "dtype", "lambda": "lambda",
    "call:builtins.int": "int", "call:builtins.float": "float", "call:builtins.str": "str",
    "call:builtins.bool": "bool", "call:builtins.len": "int", "call:builtins.tuple": "tuple",
    "call:builtins.list": "list", "call:builtins.dict": "dict", "call:builtins.set": "set",
    "call:builtins.sorted": "list", "call:torch.device": "device",
    "call:os.environ.get": "str", "call:os.getenv": "str",
}
# Imported names that are plain Python values (``from math import pi``).
_MATH_CONSTANTS = {"math.pi": "float", "math.e": "float", "math.inf": "float", "math.nan": "float",
                   "math.tau": "float"}
_SIMPLE_LITERALS = (cst.Integer, cst.Float, cst.SimpleString)


def _value_type(binding) -> Optional[str]:
    """The TorchScript-facing type of a top-level binding the compiler cannot read, or None."""
    if binding.kind == "value":
        t = _KINDS.get(binding.target)
        if t is None and binding.target.startswith("call:math."):
            fn = binding.target[10:]
            if fn in torch_api.MATH_SUPPORTED:
                t = "int" if fn in torch_api.MATH_INT_RESULTS else "float"
        return t
    if binding.kind == "import":
        target = binding.target
        if target in _MATH_CONSTANTS:
            return _MATH_CONSTANTS[target]
        if target.startswith("torch.") and target.count(".") == 1 and target[6:] in torch_api.DTYPE_NAMES:
            return "dtype"
    return None


def _top_level_facts(ctx) -> Dict[str, Tuple[int, int, Optional[cst.BaseExpression]]]:
    """Name -> (plain ``NAME = value`` bindings, other bindings, the value if bound once).

    "Other" bindings (imports, ``def``/``class``, ``for``/``with`` targets, tuple targets)
    make the run-time value unknown unless the import is the only one.
    """
    scratch = ctx.file.scratch
    facts = scratch.get("JIT107")
    if facts is not None:
        return facts
    facts = {}

    def bump(name: str, value: Optional[cst.BaseExpression], plain: bool) -> None:
        n_plain, n_other, _ = facts.get(name, (0, 0, None))
        if plain:
            facts[name] = (n_plain + 1, n_other, value if n_plain == 0 and n_other == 0 else None)
        else:
            facts[name] = (n_plain, n_other + 1, None)

    for stmt, _in_tc in iter_top_level(ctx.file.module.body):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    for t in small.targets:
                        if isinstance(t.target, cst.Name):
                            bump(t.target.value, small.value, True)
                        else:
                            for n in iter_descendants(t.target):
                                if isinstance(n, cst.Name):
                                    bump(n.value, None, False)
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    if small.value is not None:
                        bump(small.target.value, small.value, True)
                elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
                    bump(small.target.value, None, True)
                elif isinstance(small, (cst.Import, cst.ImportFrom)):
                    names = small.names
                    if isinstance(names, cst.ImportStar):
                        continue
                    for alias in names:
                        bound = alias.asname.name if alias.asname is not None else alias.name
                        while isinstance(bound, cst.Attribute):
                            bound = bound.value
                        if isinstance(bound, cst.Name):
                            bump(bound.value, None, False)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            bump(stmt.name.value, None, False)
        elif isinstance(stmt, (cst.For, cst.With, cst.While, cst.Match)):
            for n in iter_descendants(stmt):
                if isinstance(n, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
                    targets = [t.target for t in n.targets] if isinstance(n, cst.Assign) else [n.target]
                    for t in targets:
                        for m in [t, *iter_descendants(t)]:
                            if isinstance(m, cst.Name):
                                bump(m.value, None, False)
                elif isinstance(n, (cst.For, cst.CompFor)):
                    for m in [n.target, *iter_descendants(n.target)]:
                        if isinstance(m, cst.Name):
                            bump(m.value, None, False)
                elif isinstance(n, cst.AsName):
                    for m in [n.name, *iter_descendants(n.name)]:
                        if isinstance(m, cst.Name):
                            bump(m.value, None, False)
    scratch["JIT107"] = facts
    return facts


def _in_annotation(node: cst.Name, ctx) -> bool:
    for parent in reversed(ctx.parents):
        if isinstance(parent, cst.AnnAssign):
            ann = parent.annotation.annotation
            return ann is node or ann in ctx.parents
        if isinstance(parent, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            return False
    return False


def _literal_text(value: Optional[cst.BaseExpression], ctx, in_tuple: bool = False) -> Optional[str]:
    if isinstance(value, cst.Tuple):
        items = [_literal_text(el.value, ctx, True) if not isinstance(el, cst.StarredElement) else None
                 for el in value.elements]
        if any(i is None for i in items):
            return None
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, _SIMPLE_LITERALS):
        return ctx.code_of(value)
    if isinstance(value, cst.Name) and value.value in ("True", "False"):
        return value.value
    if (isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus)
            and isinstance(value.expression, (cst.Integer, cst.Float))):
        return ctx.code_of(value) if in_tuple else f"({ctx.code_of(value)})"
    return None


def _head_free(head: str, ctx) -> bool:
    """``head`` is not a local of the compiled function (so ``head.attr`` reads the global)."""
    infer = ctx.infer
    return not (infer is not None and head in infer.locals) and head not in bindings_of(ctx)


def _module_attribute(module: str, attr: str, ctx) -> Optional[Tuple[str, tuple]]:
    """``module.attr`` spelled with the file's own import of ``module`` (or one to add)."""
    for head, binding in ctx.names.bindings.items():
        if binding.kind == "import" and binding.target == module and "." not in head and _head_free(head, ctx):
            return f"{head}.{attr}", ()
    if module not in ctx.names.bindings and _head_free(module, ctx):
        return f"{module}.{attr}", ((module, None),)
    return None


def _inline(binding, value: Optional[cst.BaseExpression], ctx) -> Optional[Tuple[str, tuple]]:
    """What to write instead of the global: (text, imports it needs), or None."""
    if binding.kind == "import":
        module, _, attr = binding.target.rpartition(".")
        if module in ("math", "torch") and attr:
            return _module_attribute(module, attr, ctx)
        return None
    literal = _literal_text(value, ctx)
    if literal is not None:
        return literal, ()
    if isinstance(value, cst.Attribute):
        qual = ctx.names.resolve(dotted_name(value))
        head = dotted_name(value).split(".", 1)[0] if dotted_name(value) else None
        if qual and qual.startswith("torch.") and qual[6:] in torch_api.DTYPE_NAMES and head and _head_free(head, ctx):
            return ctx.code_of(value), ()
    return None


class ModuleGlobalRead(Rule):
    """
    ## What it does
    Flags reads of module-level names bound to plain Python values — numbers, strings,
    booleans, ``None``, tuples, lists, dicts, sets, dtypes, devices, tensors (``torch.ones(3)``),
    lambdas — from code that ``torch.jit.script`` compiles, ``Final``-annotated ones included,
    and of such values imported by name (``from math import pi``, ``from torch import float32``).

    ## Why is this bad?
    TorchScript does not capture Python globals: the compiler stops with "python value of type
    'float' cannot be used as a value. Perhaps it is a closed over global variable?" (``None``
    gives "undefined value", a lambda "Expected a single top-level function"). Only modules
    (``math.pi``, ``torch.float32``), functions, classes and ``nn.Module`` instances resolve.
    ``typing.Final`` does not help at module level.

    ## Example
    ```python
    SCALE = 2.0

    def fn(x: torch.Tensor) -> torch.Tensor:
        return x * SCALE
    ```

    ## Use instead
    Inline the constant, pass it as an argument, or store it on the module (a ``Final`` class
    attribute or an attribute set in ``__init__``); spell module constants through their
    module (``math.pi``, ``torch.float32``):
    ```python
    def fn(x: torch.Tensor, scale: float = SCALE) -> torch.Tensor:
        return x * scale
    ```

    ## Fix safety
    When the global is bound once to a plain number, string or boolean literal, or a tuple of
    them, the fix inlines that literal; a global bound once to a torch dtype
    (``DTYPE = torch.float64``) is replaced by the dtype's own spelling; a value imported by name
    from ``math`` or ``torch`` (``from math import pi``) is spelled through its module
    (``math.pi``, importing ``math`` when the file does not). Each is unsafe: if the program
    reassigns the global at run time, the compiled code keeps the old value (the inlined
    tuple is also a new object, equal to the global's, not the same one).
    """

    code = "JIT107"
    name = "module-global-read"
    message = "module-level Python values cannot be read from code torch.jit.script compiles"
    fix_safety = "unsafe"
    evidence = ("s013", "m010")

    INVALID = [
        Example(
            """
            import torch

            SCALE = 2.0

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * SCALE  # MARK
            """
        ),
        Example(
            """
            from typing import Final
            import torch

            NUM_STEPS: Final[int] = 3

            def fn(x: torch.Tensor) -> torch.Tensor:
                for _ in range(NUM_STEPS):  # MARK
                    x = x + 1
                return x
            """
        ),
        Example(
            """
            import torch

            SHAPE = (1, 3)

            class Net(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x.view(SHAPE)  # MARK
            """,
            root="Net",
        ),
        Example(
            """
            import torch
            from math import pi

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * pi  # MARK
            """
        ),
        Example(
            """
            import torch

            DTYPE = torch.float64

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x.to(DTYPE)  # MARK
            """
        ),
    ]
    VALID = [
        Example(
            """
            import math
            import torch
            import torch.nn.functional as F

            act = F.relu

            def helper(t: torch.Tensor) -> torch.Tensor:
                return t * 2

            def fn(x: torch.Tensor) -> torch.Tensor:
                SCALE = 3.0
                return act(helper(x)) * math.pi * SCALE + torch.tensor(0.5, dtype=torch.float32)
            """
        ),
        Example(
            """
            from typing import Final
            import torch

            SCALE = 2.0

            class Net(torch.nn.Module):
                scale: Final[float]

                def __init__(self):
                    super().__init__()
                    self.scale = SCALE

                def forward(self, x: torch.Tensor, k: float = SCALE) -> torch.Tensor:
                    return x * self.scale * k
            """,
            root="Net",
        ),
        Example(
            """
            import torch

            DEBUG = False

            def fn(x: torch.Tensor) -> torch.Tensor:
                if not torch.jit.is_scripting():
                    if DEBUG:
                        print(x)
                return x + 1
            """
        ),
    ]

    def visit_Name(self, node: cst.Name, ctx) -> None:
        name = node.value
        binding = ctx.names.bindings.get(name)
        if binding is None or binding.kind not in ("value", "import"):
            return
        what = _value_type(binding)
        if what is None:
            return
        infer = ctx.infer
        if infer is not None and name in infer.locals:
            return
        if isinstance(ctx.parent, cst.NameItem):
            return  # `global NAME` (global-statement reports it)
        if name in bindings_of(ctx) or _in_annotation(node, ctx):  # bound in the function: a local
            return
        n_plain, n_other, value = _top_level_facts(ctx).get(name, (0, 0, None))
        if binding.kind == "value" and (n_other or not n_plain):
            return
        if binding.kind == "import" and (n_other != 1 or n_plain):
            return
        fix = None
        inline = None
        if binding.kind == "import":
            inline = _inline(binding, None, ctx)
        elif value is not None and n_plain == 1:
            inline = _inline(binding, value, ctx)
        if inline is not None:
            text, imports = inline
            fix = ctx.unsafe_fix(f"Inline the value of `{name}` ({text})", [(node, text)], imports=imports)
        if what == "None":
            detail = "it is `None` at module level (\"undefined value\")"
        elif what == "lambda":
            detail = "it is a module-level lambda (use a `def`)"
        elif binding.kind == "import":
            detail = f"it is a {what} imported by name (spell it `{binding.target}`)"
        else:
            detail = f"it holds a Python {what}"
        ctx.report(node, f"`{name}` is a module-level global that torch.jit.script cannot read: {detail}; "
                         f"inline it, pass it as an argument or store it on the module", fix=fix)
