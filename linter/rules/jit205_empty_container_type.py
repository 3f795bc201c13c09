from typing import Dict, Optional, Tuple

import libcst as cst

from ..analysis.syntax import self_attribute
from ..analysis.typecheck.lattice import FLOAT, INT, SINT, STR, TENSOR, describe, kind
from ..analysis.typecheck.spelling import Imports, generic, spell_type
from ..analysis.value_kinds import empty_container, not_tensor
from .base import Example, Rule


class EmptyContainerType(Rule):
    """
    ## What it does
    Flags an unannotated empty list or dict (``lst = []``, ``d = {}``, ``list()``, ``dict()``)
    in compiled code that later receives elements of another type than TorchScript assumes:
    a non-Tensor ``append``/``insert``/``extend``/``+=`` on the list, a non-``str`` key or a
    non-Tensor value stored in the dict, or a return from a function annotated with another
    element type. The same for ``self.items = []`` in the ``__init__`` of a TorchScript class
    (not an ``nn.Module``: see JIT208) whose methods then append non-Tensors.

    ## Why is this bad?
    TorchScript cannot infer an element type from an empty literal: ``[]`` is a
    ``List[Tensor]`` and ``{}`` a ``Dict[str, Tensor]``. Appending an int is rejected ("Could
    not match type int to t in argument 'el': Type variable 't' previously matched to type
    Tensor is matched to type int"), and so are ``d["a"] = 1`` and ``d[0] = x``. The compiler
    points at the use; the fix belongs at the literal. Appending Tensors to ``[]`` and storing
    Tensors under str keys in ``{}`` are fine and not reported.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> List[int]:
        sizes = []
        for i in range(x.dim()):
            sizes.append(x.size(i))
        return sizes
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> List[int]:
        sizes: List[int] = []
        for i in range(x.dim()):
            sizes.append(x.size(i))
        return sizes
    ```

    ## Fix safety
    The fix annotates the empty literal with the element type the first offending use proves
    (``List[int]``, ``Dict[str, float]``...), spelled with the file's imports and adding the
    ``typing`` names (merged with the file's ``typing`` import) or ``import torch`` it lacks;
    the PEP 585 builtins (``list[int]``, which TorchScript supports) only when a typing name is
    bound to something else. Annotations do not change eager behaviour: safe. No fix is offered
    when a type cannot be spelled (an element whose type local inference does not know).
    """

    code = "JIT205"
    name = "empty-container-type"
    message = "empty list/dict literal gets elements of a type TorchScript does not assume"
    fix_safety = "safe"
    evidence = ("s303", "s304", "s305", "s306", "s329")

    INVALID = [
        Example(
            """
            from typing import List
            import torch

            def fn(x: torch.Tensor) -> List[int]:
                sizes = []  # MARK
                for i in range(x.dim()):
                    sizes.append(x.size(i))
                return sizes
            """,
        ),
        Example(
            """
            from typing import Dict
            import torch

            def fn(x: torch.Tensor) -> Dict[str, int]:
                d = {}  # MARK
                d["a"] = x.numel()
                return d
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                d = dict()  # MARK
                d[0] = x
                return d[0]
            """,
        ),
        Example(
            """
            import torch

            class Acc:
                def __init__(self):
                    self.items = []  # MARK

                def add(self, k: int) -> None:
                    self.items.append(k)

            def fn(x: torch.Tensor) -> int:
                a = Acc()
                a.add(3)
                return len(a.items)
            """,
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Dict, List
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                parts = []
                for i in range(3):
                    parts.append(x * i)
                named = {}
                named["first"] = parts[0]
                sizes: List[int] = []
                sizes.append(x.size(0))
                counts: Dict[int, float] = {}
                counts[0] = 1.0
                return torch.stack(parts) + named["first"] + sizes[0] + counts[0]
            """,
        ),
        Example(
            """
            from typing import List
            import torch

            class Acc:
                def __init__(self):
                    self.items: List[int] = []
                    self.tensors = []

                def add(self, k: int, t: torch.Tensor) -> None:
                    self.items.append(k)
                    self.tensors.append(t)

            def fn(x: torch.Tensor) -> int:
                a = Acc()
                a.add(3, x)
                return len(a.items) + len(a.tensors)
            """,
        ),
    ]

    # -- locals -----------------------------------------------------------------------------------
    def _state(self, ctx) -> Dict[str, tuple]:
        return ctx.scratch.setdefault(self.code, {})

    def visit_Assign(self, node: cst.Assign, ctx) -> None:
        state = ctx.scratch.get(self.code)
        for t in node.targets:
            target = t.target
            if isinstance(target, cst.Subscript):
                self._store(target, node.value, ctx)
        if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            name = node.targets[0].target.value
            what = empty_container(node.value, ctx)
            if what is not None and not self._typed_by_variable(name, ctx):
                self._state(ctx)[name] = (what, node.value, node)
                return
            if state:
                state.pop(name, None)
            return
        if state:
            for t in node.targets:
                for n in _names(t.target):
                    state.pop(n, None)

    @staticmethod
    def _typed_by_variable(name: str, ctx) -> bool:
        """An empty literal assigned inside a branch or loop to a variable that exists before
        it takes that variable's type (``if acc is None: acc = []`` with ``acc: Optional[List[int]]``);
        in straight-line code it is a fresh ``List[Tensor]`` (checked with torch 2.13)."""
        return bool(ctx.conditions) and ctx.infer is not None and name in ctx.infer.locals

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx) -> None:
        state = ctx.scratch.get(self.code)
        if state and isinstance(node.target, cst.Name):
            state.pop(node.target.value, None)

    def visit_AugAssign(self, node: cst.AugAssign, ctx) -> None:
        state = ctx.scratch.get(self.code)
        if not state or not isinstance(node.target, cst.Name) or node.target.value not in state:
            return
        if state[node.target.value][0] == "list" and isinstance(node.operator, cst.AddAssign):
            self._elements(node.target, node.value, "`+=`", ctx)
        else:
            state.pop(node.target.value, None)

    def _elements(self, owner: cst.BaseExpression, iterable: cst.BaseExpression, use: str, ctx) -> None:
        if isinstance(iterable, (cst.List, cst.Tuple)):
            for el in iterable.elements:
                if isinstance(el, cst.StarredElement):
                    return
                t = ctx.type_of(el.value)
                if not_tensor(t):
                    self._report_list(owner, t, use, ctx)
                    return
            return
        t = ctx.type_of(iterable)
        if kind(t) == "list" and not_tensor(t[1]):
            self._report_list(owner, t[1], use, ctx)

    def _store(self, target: cst.Subscript, value: cst.BaseExpression, ctx) -> None:
        owner = target.value
        if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
            return
        key = target.slice[0].slice.value
        if isinstance(owner, cst.Name):
            state = ctx.scratch.get(self.code)
            if not state or owner.value not in state or state[owner.value][0] != "dict":
                return
        elif self_attribute(owner) is None:
            return
        kt, vt = ctx.type_of(key), ctx.type_of(value)
        bad_key = kt is not None and kt != STR and (not_tensor(kt) or kt == TENSOR)
        if bad_key or not_tensor(vt):
            self._report_dict(owner, kt, vt, ctx)

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        if method not in ("append", "insert", "extend", "setdefault"):
            return
        owner = func.value
        if isinstance(owner, cst.Name):
            state = ctx.scratch.get(self.code)
            if not state or owner.value not in state:
                return
            what = state[owner.value][0]
        elif self_attribute(owner) is not None and ctx.function.class_node is not None:
            what = "list" if method != "setdefault" else "dict"
        else:
            return
        args = [a.value for a in node.args if not a.star and a.keyword is None]
        if what == "list":
            if method == "append" and len(args) == 1:
                t = ctx.type_of(args[0])
                if not_tensor(t):
                    self._report_list(owner, t, "`append`", ctx)
            elif method == "insert" and len(args) == 2:
                t = ctx.type_of(args[1])
                if not_tensor(t):
                    self._report_list(owner, t, "`insert`", ctx)
            elif method == "extend" and len(args) == 1:
                self._elements(owner, args[0], "`extend`", ctx)
        elif what == "dict" and method == "setdefault" and len(args) == 2:
            kt, vt = ctx.type_of(args[0]), ctx.type_of(args[1])
            if (kt is not None and kt != STR) or not_tensor(vt):
                self._report_dict(owner, kt, vt, ctx)

    def visit_Return(self, node: cst.Return, ctx) -> None:
        state = ctx.scratch.get(self.code)
        value = node.value
        if not state or not isinstance(value, cst.Name) or value.value not in state:
            return
        ret = ctx.function.return_annotation
        if ret is None:
            return
        from ..analysis.typecheck.inference import annotation_type

        t = annotation_type(ret, ctx.names)
        what = state[value.value][0]
        if what == "list" and kind(t) == "list" and not_tensor(t[1]):
            self._report_list(value, t[1], "the return annotation", ctx)
        elif what == "dict" and kind(t) == "dict" and (
                (t[1] is not None and t[1] != STR) or not_tensor(t[2])):
            self._report_dict(value, t[1], t[2], ctx)

    # -- reporting ----------------------------------------------------------------------------------
    def _report_list(self, owner: cst.BaseExpression, elem, use: str, ctx) -> None:
        imports: Imports = []
        ann = spell_type(elem, ctx, imports)
        full = generic("List", ctx, [ann], imports) if ann else None
        self._report(owner, "list", "List[T]", f"gets {_a(_describe(elem))} through {use}", full, ctx, imports)

    def _report_dict(self, owner: cst.BaseExpression, kt, vt, ctx) -> None:
        key = kt if kt is not None else STR
        value = vt if vt is not None else TENSOR
        imports: Imports = []
        k_s, v_s = spell_type(key, ctx, imports), spell_type(value, ctx, imports)
        full = generic("Dict", ctx, [k_s, v_s], imports) if k_s and v_s else None
        if key not in (STR, INT, SINT, FLOAT, TENSOR):
            full = None  # TorchScript dict keys are str, int, float, Tensor (or device/complex)
        parts = []
        if kt is not None and kt != STR:
            parts.append(f"`{_describe(kt)}` keys")
        if not_tensor(vt):
            parts.append(f"`{_describe(vt)}` values")
        self._report(owner, "dict", "Dict[K, V]", "gets " + " and ".join(parts), full, ctx, imports)

    def _report(self, owner, what: str, wanted: str, got: str, ann: Optional[str], ctx, imports: Imports) -> None:
        default = "`List[Tensor]`" if what == "list" else "`Dict[str, Tensor]`"
        if isinstance(owner, cst.Name):
            state = ctx.scratch[self.code]
            _, empty, assign = state.pop(owner.value)
            name = owner.value
            fix = None
            if ann is not None:
                fix = ctx.safe_fix(f"Annotate `{name}: {ann}`",
                                   [(assign, f"{name}: {ann} = {ctx.code_of(empty)}")], imports=imports)
            ctx.report(empty, f"`{name} = {ctx.code_of(empty)}` has no annotation, so TorchScript makes it "
                              f"{default}, but it {got}: torch.jit.script rejects that use; annotate it "
                              f"`{name}: {ann or wanted} = {ctx.code_of(empty)}`", fix=fix)
            return
        self._report_attr(owner, what, default, got, ann or wanted, ctx, imports)

    def _report_attr(self, owner: cst.Attribute, what: str, default: str, got: str, ann: str, ctx,
                     imports: Imports) -> None:
        """``self.items.append(3)`` in a TorchScript class whose ``__init__`` sets ``self.items = []``."""
        attr = owner.attr.value
        fn = ctx.function
        done = ctx.scratch.setdefault(self.code + "-attrs", set())
        if attr in done:
            return
        done.add(attr)
        found = _init_empty(fn.class_node, attr, ctx)
        if found is None or found[0] != what:
            return
        _, empty, assign = found
        class_id = fn.id.rsplit(".", 1)[0]
        fix = ctx.safe_fix(f"Annotate `self.{attr}: {ann}`", [(assign, f"self.{attr}: {ann} = {ctx.code_of(empty)}")],
                           imports=imports) if ann not in ("List[T]", "Dict[K, V]") else None
        ctx.report(empty, f"`self.{attr} = {ctx.code_of(empty)}` has no annotation, so TorchScript types the class "
                          f"attribute {default}, but `{fn.name}` {got.replace('gets', 'stores')}: torch.jit.script "
                          f"rejects that use; annotate it in `__init__`: `self.{attr}: {ann} = {ctx.code_of(empty)}`",
                   fix=fix, requires=(("not_module", class_id), ("script_class", class_id)))


def _describe(t) -> str:
    return describe(t).replace("unknown", "...")


def _a(text: str) -> str:
    return ("an " if text[:1] in "aeiouAEIOU" else "a ") + f"`{text}`"


def _names(target: cst.BaseExpression):
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for el in target.elements:
            yield from _names(el.value)
    elif isinstance(target, cst.StarredElement):
        yield from _names(target.value)


def _init_empty(class_node: Optional[cst.ClassDef], attr: str, ctx) -> Optional[Tuple[str, cst.CSTNode, cst.CSTNode]]:
    """("list"|"dict", literal, assignment) for the one unannotated ``self.<attr> = []/{}`` of
    the class's ``__init__`` (None when it is annotated anywhere or assigned more than once)."""
    if class_node is None:
        return None
    cache = ctx.file.scratch.setdefault("JIT205-init", {})
    key = (id(class_node), attr)
    if key in cache:
        return cache[key]
    result = None
    count = 0
    for stmt in class_node.body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.target.value == attr:
                    count += 2  # a class-level annotation types it
        if not (isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__"):
            continue
        from ..analysis.syntax import iter_descendants

        for node in iter_descendants(stmt.body):
            if isinstance(node, cst.Assign):
                if any(self_attribute(t.target) == attr for t in node.targets):
                    count += 1
                    what = empty_container(node.value, ctx) if len(node.targets) == 1 else None
                    result = (what, node.value, node) if what else None
            elif isinstance(node, cst.AnnAssign) and self_attribute(node.target) == attr:
                count += 2
    cache[key] = result if count == 1 else None
    return cache[key]
