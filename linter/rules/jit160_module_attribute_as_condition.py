from typing import Dict, Optional, Tuple

import libcst as cst

from ..analysis import torch_api
from ..analysis.names import dotted_name
from ..analysis.syntax import iter_descendants, self_attribute
from .base import Example, Rule

# torch.nn classes whose truth value in eager Python is their length, not True.
_SIZED = frozenset(
    "Sequential ModuleList ModuleDict ParameterList ParameterDict".split()
)
_MODULE, _SIZED_MODULE, _NONE = "module", "sized", "none"


def _classify(value: cst.BaseExpression, ctx, depth: int = 0) -> Optional[str]:
    """What an attribute's assigned value is for truth testing: a torch.nn (or same-file)
    module, a sized container / a project module (``__len__``/``__bool__`` possible), None;
    None for anything else (unknown)."""
    if isinstance(value, cst.Name) and value.value == "None":
        return _NONE
    if isinstance(value, cst.IfExp) and depth < 4:
        a = _classify(value.body, ctx, depth + 1)
        b = _classify(value.orelse, ctx, depth + 1)
        if a is None or b is None:
            return None
        return _SIZED_MODULE if _SIZED_MODULE in (a, b) else (_MODULE if _MODULE in (a, b) else _NONE)
    if not isinstance(value, cst.Call):
        return None
    dotted = dotted_name(value.func)
    if dotted is None:
        return None
    if ctx.infer is not None and dotted.split(".")[0] in ctx.infer.locals:
        return None
    local = ctx.file.classes.get(dotted)
    if local is not None:
        return _SIZED_MODULE if local.is_module_guess else None
    qual = ctx.names.resolve(dotted)
    if qual is None or not qual.startswith("torch.nn.") or not torch_api.is_module_class_name(qual):
        return None
    return _SIZED_MODULE if qual.rsplit(".", 1)[-1] in _SIZED else _MODULE


def _attribute_kinds(class_node: cst.ClassDef, ctx) -> Dict[str, Tuple[str, bool]]:
    """For every ``self.<attr>`` the class assigns: the joined kind of all its values
    and whether one of them is None; attributes with an unknown value (or registered some
    other way) are left out."""
    cache = ctx.file.scratch.setdefault("JIT160", {})
    key = id(class_node)
    if key in cache:
        return cache[key]
    kinds: Dict[str, Optional[str]] = {}
    nones = set()

    def add(attr: str, k: Optional[str]) -> None:
        if k == _NONE:
            nones.add(attr)
        if attr in kinds and kinds[attr] is None:
            return
        if k is None:
            kinds[attr] = None
        elif attr not in kinds or kinds[attr] == k:
            kinds[attr] = k
        else:
            both = {kinds[attr], k}
            kinds[attr] = _SIZED_MODULE if _SIZED_MODULE in both else _MODULE

    for stmt in class_node.body.body if isinstance(class_node.body, cst.IndentedBlock) else ():
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:  # class-level declarations: unknown unless a module type
                if isinstance(small, (cst.AnnAssign, cst.Assign)):
                    targets = [small.target] if isinstance(small, cst.AnnAssign) else [t.target for t in small.targets]
                    for t in targets:
                        if isinstance(t, cst.Name):
                            kinds[t.value] = None
        if not isinstance(stmt, cst.FunctionDef):
            continue
        for sub in iter_descendants(stmt.body):
            if isinstance(sub, cst.Assign):
                for t in sub.targets:
                    for node in (t.target.elements if isinstance(t.target, (cst.Tuple, cst.List)) else [t.target]):
                        target = node.value if isinstance(node, cst.Element) else node
                        attr = self_attribute(target)
                        if attr is not None:
                            single = len(sub.targets) == 1 and target is t.target
                            add(attr, _classify(sub.value, ctx) if single else None)
            elif isinstance(sub, (cst.AnnAssign, cst.AugAssign)):
                attr = self_attribute(sub.target)
                if attr is not None:
                    value = sub.value if isinstance(sub, cst.AnnAssign) else None
                    add(attr, _classify(value, ctx) if value is not None else None)
            elif isinstance(sub, cst.Call):
                # setattr(self, "x", ...), self.add_module("x", ...), self.register_module(...)
                for arg in sub.args[:2]:
                    if isinstance(arg.value, cst.SimpleString):
                        kinds[arg.value.evaluated_value] = None
    result = {attr: (k, attr in nones) for attr, k in kinds.items() if k is not None}
    cache[key] = result
    return result


class ModuleAttributeAsCondition(Rule):
    """
    ## What it does
    Flags a submodule attribute used as a truth value in compiled code: ``if self.proj:``,
    ``if not self.norm:``, ``x if self.head else y``, ``self.drop and ...``, ``while``/``assert``
    on it, where every value the class assigns to the attribute is an ``nn.Module`` (an
    ``nn.Linear``, an ``nn.Sequential``, a project module) or ``None``.

    ## Why is this bad?
    TorchScript has no truth value for modules, nor for ``None``: ``torch.jit.script`` rejects
    the method ("Could not cast value of type __torch__.torch.nn.modules.linear.Linear to bool",
    "Could not cast value of type NoneType to bool"), for a module that defines ``__bool__`` or
    ``__len__`` too. The optional-submodule pattern compiles when it is written as an identity
    test: ``if self.proj is not None:`` is folded per instance.

    ## Example
    ```python
    def __init__(self, project: bool):
        super().__init__()
        self.proj = nn.Linear(4, 4) if project else None

    def forward(self, x):
        if self.proj:
            x = self.proj(x)
        return x
    ```

    ## Use instead
    ```python
    def forward(self, x):
        if self.proj is not None:
            x = self.proj(x)
        return x
    ```

    ## Fix safety
    ``self.proj`` becomes ``self.proj is not None`` (``not self.proj``: ``self.proj is None``).
    In eager Python a module is always true, so this is safe when the attribute holds ``None``
    or a torch.nn module that is not a container. ``nn.Sequential``, ``nn.ModuleList``,
    ``nn.ModuleDict`` (and the parameter containers) are false when empty, and project modules
    may define ``__len__``/``__bool__``: there the fix is unsafe (an empty container now counts
    as present).
    """

    code = "JIT160"
    name = "module-attribute-as-condition"
    message = "a submodule (or None) attribute used as a truth value is rejected by torch.jit.script"
    fix_safety = "safe for None and torch.nn modules; unsafe for containers and project modules"

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self, project: bool = True):
                    super().__init__()
                    self.proj = nn.Linear(2, 2) if project else None

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if self.proj:  # MARK
                        x = self.proj(x)
                    return x
            """,
            root="M", inputs="[(torch.ones(1, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.head = nn.Sequential(nn.Linear(2, 2), nn.ReLU())

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.head(x) if self.head else x  # MARK
            """,
            root="M", inputs="[(torch.ones(1, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.norm = None

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if not self.norm:  # MARK
                        return x + 1
                    return x
            """,
            root="M", inputs="[(torch.ones(1, 2),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.drop = nn.Dropout(0.0)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if self.drop and x.sum() > 0:  # MARK
                        x = self.drop(x)
                    return x
            """,
            root="M", inputs="[(torch.ones(1, 2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self, project: bool = True):
                    super().__init__()
                    self.proj = nn.Linear(2, 2) if project else None
                    self.use_bias = True
                    self.blocks = nn.ModuleList([nn.Identity()])
                    self.scale = None
                    self.scale = 2.0

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if self.proj is not None:
                        x = self.proj(x)
                    if self.use_bias and len(self.blocks) > 0:
                        x = x + 1
                    if self.scale:
                        x = x * self.scale
                    return x
            """,
            root="M", inputs="[(torch.ones(1, 2),)]",
        ),
    ]

    def visit_If(self, node: cst.If, ctx) -> None:
        self._check(node.test, node.test, False, ctx)

    def visit_While(self, node: cst.While, ctx) -> None:
        self._check(node.test, node.test, False, ctx)

    def visit_IfExp(self, node: cst.IfExp, ctx) -> None:
        self._check(node.test, node.test, False, ctx)

    def visit_Assert(self, node: cst.Assert, ctx) -> None:
        self._check(node.test, node.test, False, ctx)

    def visit_UnaryOperation(self, node: cst.UnaryOperation, ctx) -> None:
        if isinstance(node.operator, cst.Not):
            self._check(node.expression, node, True, ctx)

    def visit_BooleanOperation(self, node: cst.BooleanOperation, ctx) -> None:
        for side in (node.left, node.right):
            self._check(side, side, False, ctx)

    def _check(self, expr: cst.BaseExpression, replaced: cst.BaseExpression, negated: bool, ctx) -> None:
        attr = self_attribute(expr)
        fn = ctx.function
        if attr is None or fn is None or fn.class_node is None or fn.is_staticmethod:
            return
        if not fn.params or fn.params[0].name != "self":
            return
        facts = ctx.class_facts
        if facts is not None and attr in facts.constant_attrs:
            return
        entry = _attribute_kinds(fn.class_node, ctx).get(attr)
        if entry is None:
            return
        found, maybe_none = entry
        also = " (or None)" if maybe_none else ""
        code = ctx.code_of(expr)
        new = f"{code} is None" if negated else f"{code} is not None"
        if found == _NONE:
            what = "is None"
        elif found == _SIZED_MODULE:
            what = f"holds an nn.Module container or a project module{also}"
        else:
            what = f"holds an nn.Module{also}"
        fixer = ctx.unsafe_fix if found == _SIZED_MODULE else ctx.safe_fix
        fix = fixer(f"Use `{new}`", [(replaced, new)])
        ctx.report(expr, f"`{code}` {what}, which TorchScript cannot use as a truth value: torch.jit.script "
                         f"rejects it (\"Could not cast value of type ... to bool\"). Test `{new}` instead",
                   fix=fix)
