from typing import Dict, Iterator, List

import libcst as cst

from ..analysis.names import dotted_name
from ..analysis.syntax import binding_targets, iter_descendants
from .base import Example, Rule

_OVERLOADS = frozenset({"torch.jit._overload", "torch.jit._overload_method"})


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_overload_decl(fn: cst.FunctionDef, ctx) -> bool:
    for dec in fn.decorators:
        node = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
        if ctx.names.resolve(dotted_name(node)) in _OVERLOADS:
            return True
    return False


def _none_params(fn: cst.FunctionDef, siblings, fctx) -> Dict[str, str]:
    """``{parameter: the decorator's name}`` for the parameters of the implementation ``fn``
    that an ``@torch.jit._overload(_method)`` declaration among ``siblings`` annotates ``None``
    (and that the body never rebinds: after ``y = ...`` the compiler types ``y`` anew)."""
    result: Dict[str, str] = {}
    if _is_overload_decl(fn, fctx):
        return result
    own = {p.name.value for p in list(fn.params.posonly_params) + list(fn.params.params) + list(fn.params.kwonly_params)}
    found: Dict[str, str] = {}
    for decl in siblings:
        if (not isinstance(decl, cst.FunctionDef) or decl is fn or decl.name.value != fn.name.value
                or not _is_overload_decl(decl, fctx)):
            continue
        for p in list(decl.params.posonly_params) + list(decl.params.params) + list(decl.params.kwonly_params):
            if p.annotation is not None and _is_none(p.annotation.annotation) and p.name.value in own:
                found.setdefault(p.name.value, next(
                    fctx.names.resolve(dotted_name(d.decorator)) for d in decl.decorators
                    if fctx.names.resolve(dotted_name(d.decorator)) in _OVERLOADS))
    if not found:
        return result
    rebound = set()
    for sub in iter_descendants(fn.body):
        for t in binding_targets(sub):
            rebound.update(n.value for n in [t, *iter_descendants(t)] if isinstance(n, cst.Name))
    return {name: which for name, which in found.items() if name not in rebound}


def _implementations(siblings, fctx) -> Iterator[cst.FunctionDef]:
    """The last ``def`` of each name among ``siblings`` that has overload declarations."""
    last: Dict[str, cst.FunctionDef] = {}
    declared = set()
    for stmt in siblings:
        if isinstance(stmt, cst.FunctionDef):
            if _is_overload_decl(stmt, fctx):
                declared.add(stmt.name.value)
            else:
                last[stmt.name.value] = stmt
    for name, fn in last.items():
        if name in declared:
            yield fn


def _operands(node: cst.BooleanOperation, op: type) -> List[cst.BaseExpression]:
    out: List[cst.BaseExpression] = []
    for side in (node.left, node.right):
        if isinstance(side, cst.BooleanOperation) and isinstance(side.operator, op):
            out.extend(_operands(side, op))
        else:
            out.append(side)
    return out


def _none_test(node: cst.BaseExpression, name: str, op: type) -> bool:
    """``name is not None`` (for ``and``) / ``name is None`` (for ``or``)."""
    if not isinstance(node, cst.Comparison) or len(node.comparisons) != 1:
        return False
    target = node.comparisons[0]
    want = cst.IsNot if op is cst.And else cst.Is
    return (isinstance(node.left, cst.Name) and node.left.value == name and isinstance(target.operator, want)
            and _is_none(target.comparator))


def _failing_uses(expr: cst.BaseExpression, name: str) -> Iterator[cst.BaseExpression]:
    """Reads of ``name`` that TorchScript rejects for a NoneType value: ``name.attr``,
    ``name[...]``, ``name`` as an arithmetic operand."""
    for node in [expr, *iter_descendants(expr)]:
        if isinstance(node, (cst.Attribute, cst.Subscript)):
            value = node.value
            if isinstance(value, cst.Name) and value.value == name:
                yield node
        elif isinstance(node, cst.BinaryOperation):
            for side in (node.left, node.right):
                if isinstance(side, cst.Name) and side.value == name:
                    yield node
                    break


class OverloadNoneParameter(Rule):
    """
    ## What it does
    Flags, in the implementation of a function or method with ``@torch.jit._overload`` /
    ``@torch.jit._overload_method`` declarations, uses of a parameter that a declaration
    annotates ``None`` which TorchScript cannot compile for a ``NoneType`` value: the parameter
    as a truth value (``if y:``, ``if not y:``, ``x if y else z``, ``y or d``), a read of it on the
    other side of its own ``None`` test in ``and``/``or`` (``y is not None and y.numel() > 0``,
    ``y is None or y.sum() == 0``), and ``y == None`` / ``y != None``.

    ## Why is this bad?
    TorchScript compiles the implementation once per declaration, with the declaration's
    parameter types. With ``y: None`` the parameter is a ``NoneType``: it has no truth value
    ("Could not cast value of type NoneType to bool"), ``==`` has no ``NoneType`` overload
    ("Arguments for call are not valid"), and a ``None`` test inside ``and``/``or`` does not
    remove the other operand the way an ``if y is None:`` statement removes its dead branch, so
    ``y.numel()`` is compiled for a ``NoneType`` ("'NoneType' object has no attribute or method
    'numel'"). ``if y is None:`` / ``if y is not None:`` statements, ``x + y if y is not None
    else x`` and ``isinstance(y, torch.Tensor)`` compile for both declarations.

    ## Example
    ```python
    @torch.jit._overload
    def add(x: torch.Tensor, y: None) -> torch.Tensor: ...

    @torch.jit._overload
    def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor: ...

    def add(x, y=None):
        if y is not None and y.numel() > 0:
            return x + y
        return x
    ```

    ## Use instead
    ```python
    def add(x, y=None):
        if y is not None:
            if y.numel() > 0:
                return x + y
        return x
    ```

    ## Fix safety
    No automatic fix: ``if y:`` and ``if y is not None:`` differ in eager Python for a Tensor
    ``y`` (its value against its presence), and splitting a condition changes the code's shape.
    """

    code = "JIT163"
    name = "overload-none-parameter"
    message = "an overload declares a parameter None, and the implementation uses it in a way NoneType cannot compile"

    INVALID = [
        Example(
            """
            import torch

            @torch.jit._overload
            def add(x: torch.Tensor, y: None) -> torch.Tensor:
                pass

            @torch.jit._overload
            def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
                pass

            def add(x, y=None):
                if not y:  # MARK
                    return x
                return x + y

            def fn(x: torch.Tensor) -> torch.Tensor:
                return add(x, None) + add(x, x)
            """,
            inputs="[(torch.ones(1),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                @torch.jit._overload_method
                def combine(self, x: torch.Tensor, y: None) -> torch.Tensor:
                    pass

                @torch.jit._overload_method
                def combine(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
                    pass

                def combine(self, x, y=None):
                    if y is not None and y.numel() > 0:  # MARK
                        return x + y
                    return x

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.combine(x, None) + self.combine(x, x)
            """,
            root="M",
        ),
        Example(
            """
            import torch

            @torch.jit._overload
            def add(x: torch.Tensor, y: None) -> torch.Tensor:
                pass

            @torch.jit._overload
            def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
                pass

            def add(x, y=None):
                if y != None:  # MARK
                    return x + y
                return x

            def fn(x: torch.Tensor) -> torch.Tensor:
                return add(x, None) + add(x, x)
            """,
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                @torch.jit._overload_method
                def combine(self, x: torch.Tensor, y: None) -> torch.Tensor:
                    pass

                @torch.jit._overload_method
                def combine(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
                    pass

                def combine(self, x, y=None):
                    if y is None:
                        return x
                    if y.numel() > 0 and x is not None:
                        x = x + y
                    return x

                @torch.jit._overload_method
                def scale(self, x: torch.Tensor, s: None) -> torch.Tensor:
                    pass

                @torch.jit._overload_method
                def scale(self, x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
                    pass

                def scale(self, x, s=None):
                    if s is None:
                        s = torch.ones_like(x)
                    if s.sum() > 0 or not isinstance(s, torch.Tensor):
                        x = x * s
                    return x * s if s is not None else x

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    y = self.combine(x, None) + self.combine(x, x)
                    return self.scale(y, None) + self.scale(y, x)
            """,
            root="M", inputs="[(torch.ones(2),)]",
        ),
    ]

    # -- the scan: over the implementation itself, once per file (reach decides if it is compiled) --
    def check_module(self, analyzer, fctx) -> None:
        if "_overload" not in fctx.source:
            return
        body = fctx.module.body
        for fn in _implementations(body, fctx):
            self._scan(fn, body, analyzer.qual(fn.name.value), fctx)

    def check_class(self, cls, fctx) -> None:
        if "_overload_method" not in fctx.source or not isinstance(cls.node.body, cst.IndentedBlock):
            return
        body = cls.node.body.body
        for fn in _implementations(body, fctx):
            self._scan(fn, body, f"{cls.id}.{fn.name.value}", fctx)

    def _scan(self, fn: cst.FunctionDef, siblings, fid: str, fctx) -> None:
        params = _none_params(fn, siblings, fctx)
        if not params:
            return
        requires = (("reach", fid, "script"),)
        seen = set()

        def report(node, name, why):
            if id(node) in seen:
                return
            seen.add(id(node))
            which = params[name].rsplit(".", 1)[-1]
            fctx.report(node, f"an `@torch.jit.{which}` declaration of `{fn.name.value}` types `{name}` as `None`, "
                              f"and TorchScript compiles this body for that declaration: {why}", requires=requires)

        def truth(expr):
            if isinstance(expr, cst.Name) and expr.value in params:
                report(expr, expr.value, f"it has no truth value (\"Could not cast value of type NoneType to bool\"); "
                                         f"test `{expr.value} is not None` (or `is None`)")

        for node in iter_descendants(fn.body):
            if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
                continue
            if isinstance(node, (cst.If, cst.While, cst.IfExp, cst.Assert)):
                truth(node.test)
            elif isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
                truth(node.expression)
            elif isinstance(node, cst.BooleanOperation):
                self._boolean(node, params, truth, report)
            elif isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
                target = node.comparisons[0]
                if not isinstance(target.operator, (cst.Equal, cst.NotEqual)):
                    continue
                for a, b in ((node.left, target.comparator), (target.comparator, node.left)):
                    if isinstance(a, cst.Name) and a.value in params and _is_none(b):
                        op = "is not" if isinstance(target.operator, cst.NotEqual) else "is"
                        report(node, a.value, f"`==`/`!=` has no NoneType overload (\"Arguments for call are not "
                                              f"valid\"); write `{a.value} {op} None`")
                        break

    @staticmethod
    def _boolean(node: cst.BooleanOperation, params, truth, report) -> None:
        op = type(node.operator)
        operands = _operands(node, op)
        for operand in operands:
            truth(operand)
        for name in params:
            guarded = False
            for operand in operands:
                if guarded:
                    use = next(_failing_uses(operand, name), None)
                    if use is not None:
                        test, joiner = ("is not None", "and") if op is cst.And else ("is None", "or")
                        report(use, name, f"`{name} {test} {joiner} ...` does not remove this read for that "
                                          f"declaration (\"'NoneType' object has no attribute or method ...\"); nest "
                                          f"it under `if {name} {test}:` instead")
                        break
                if _none_test(operand, name, op):
                    guarded = True
