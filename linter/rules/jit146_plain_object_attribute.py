from typing import Dict, Optional, Tuple

import libcst as cst

from ..analysis.names import dotted_name
from ..analysis.syntax import iter_descendants
from .base import Example, Rule

# Parameter annotations naming Python objects TorchScript never converts (checked with torch
# 2.13: "failed to convert Python type: 'types.SimpleNamespace' to a TorchScript type").
_OBJECT_TYPES = {
    "types.SimpleNamespace": "a `types.SimpleNamespace`",
    "argparse.Namespace": "an `argparse.Namespace`",
}
_NOT_PROJECT = ("torch.", "builtins.", "typing.", "collections.", "enum.", "dataclasses.", "numpy.",
                "math.", "abc.", "types.", "argparse.")

# attr -> (assignment code, what the value is, extra requires, "read" | "member": which reads fail)
_Table = Dict[str, Tuple[str, str, Tuple[tuple, ...], str]]

# torch.distributed objects held in module attributes, checked with torch 2.13 (gloo, one process,
# and uninitialized): a ReduceOp never converts ("failed to convert Python type:
# 'torch._C._distributed_c10d.ReduceOp.RedOpType'"); a process group converts to an opaque
# 'Capsule' (None before init_process_group) whose methods do not exist ("'Capsule' object has no
# attribute or method 'size'"), so only member reads fail (`self.pg is None` compiles).
_REDUCE_OPS = ("torch.distributed.ReduceOp.", "torch.distributed.distributed_c10d.ReduceOp.")
_PROCESS_GROUPS = frozenset({
    "torch.distributed.group.WORLD", "torch.distributed.GroupMember.WORLD",
    "torch.distributed.distributed_c10d.GroupMember.WORLD", "torch.distributed.distributed_c10d.group.WORLD",
})
_GROUP_FACTORIES = frozenset({
    "torch.distributed.new_group", "torch.distributed.distributed_c10d.new_group",
    "torch.distributed.distributed_c10d._get_default_group",
})


def _distributed_kind(value: cst.BaseExpression, ctx) -> Optional[Tuple[str, str]]:
    if isinstance(value, cst.Attribute):
        qual = ctx.resolve(value)
        if qual is not None and qual.startswith(_REDUCE_OPS) and qual.count(".") == 3 + qual.startswith(_REDUCE_OPS[1]):
            return "a `torch.distributed.ReduceOp`", "read"
        if qual in _PROCESS_GROUPS:
            return "a process group", "member"
    elif isinstance(value, cst.Call) and isinstance(value.func, (cst.Name, cst.Attribute)):
        if ctx.resolve(value.func) in _GROUP_FACTORIES:
            return "a process group", "member"
    return None


def _self_attr(node: cst.BaseExpression, me: str) -> Optional[str]:
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == me:
        return node.attr.value
    return None


def _is_dataclass_decorator(dec: cst.Decorator, ctx) -> bool:
    expr = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
    dotted = dotted_name(expr)
    return dotted is not None and ctx.resolve(expr) in ("dataclasses.dataclass",)


def _varargs_init(node: cst.ClassDef) -> bool:
    """A plain same-file class (no bases, no decorators) whose ``__init__`` takes *args/**kwargs:
    TorchScript cannot compile it as a class, so its instances never convert."""
    if node.bases or node.decorators or not isinstance(node.body, cst.IndentedBlock):
        return False
    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__":
            return isinstance(stmt.params.star_arg, cst.Param) or stmt.params.star_kwarg is not None
    return False


def _class_kind(expr: cst.BaseExpression, ctx) -> Optional[Tuple[str, Tuple[tuple, ...]]]:
    """What an instance of the class named by ``expr`` is, when TorchScript surely cannot
    convert it: (description, extra requires); None when unknown or convertible."""
    dotted = dotted_name(expr)
    if dotted is None:
        return None
    if ctx.infer is not None and dotted.split(".")[0] in ctx.infer.locals:
        return None
    qual = ctx.resolve(expr)
    if qual in _OBJECT_TYPES:
        return _OBJECT_TYPES[qual], ()
    short = dotted.rsplit(".", 1)[-1]
    if isinstance(expr, cst.Name):
        binding = ctx.names.bindings.get(expr.value)
        if binding is None:
            return None
        if binding.kind == "class":
            node = ctx.file.class_nodes.get(expr.value)
            if node is None:
                return None
            if any(_is_dataclass_decorator(d, ctx) for d in node.decorators):
                return (f"an instance of the dataclass `{short}`",
                        (("class_is", binding.target, "unscripted_dataclass"),))
            if _varargs_init(node):
                return f"an instance of `{short}`, whose `__init__` takes `*args`/`**kwargs`", ()
            return None
        if binding.kind != "import":
            return None
        qual = binding.target
    if qual is None or qual.startswith(_NOT_PROJECT) or "." not in qual or not short[:1].isupper():
        return None
    return f"an instance of the dataclass `{short}`", (("class_is", qual, "unscripted_dataclass"),)


def _assigned_names(fn: cst.FunctionDef) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for sub in iter_descendants(fn.body):
        targets = []
        if isinstance(sub, cst.Assign):
            targets = [t.target for t in sub.targets]
        elif isinstance(sub, (cst.AnnAssign, cst.AugAssign)):
            targets = [sub.target]
        elif isinstance(sub, (cst.For, cst.CompFor)):
            targets = [sub.target]
        elif isinstance(sub, (cst.NamedExpr,)):
            targets = [sub.target]
        for t in targets:
            for n in ([el.value for el in t.elements] if isinstance(t, (cst.Tuple, cst.List)) else [t]):
                if isinstance(n, cst.Name):
                    counts[n.value] = counts.get(n.value, 0) + 1
    return counts


def _init_params(init: cst.FunctionDef) -> dict:
    return {p.name.value: p for p in list(init.params.params) + list(init.params.kwonly_params)}


def _table(class_node: cst.ClassDef, ctx) -> _Table:
    cache = ctx.file.scratch.setdefault("JIT146", {})
    key = id(class_node)
    if key in cache:
        return cache[key]
    writes: Dict[str, list] = {}
    declared = set()
    init = None
    body = class_node.body.body if isinstance(class_node.body, cst.IndentedBlock) else ()
    for stmt in body:  # the __init__ the walk below keeps (the last one with parameters)
        if isinstance(stmt, cst.FunctionDef) and stmt.params.params and stmt.name.value == "__init__":
            init = stmt
    if init is None or not _init_may_hold(init, _init_params(init), _assigned_names(init), ctx):
        cache[key] = {}
        return cache[key]
    init = None
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:  # class-level annotations / __constants__: the user typed it
                targets = ([small.target] if isinstance(small, cst.AnnAssign)
                           else [t.target for t in small.targets] if isinstance(small, cst.Assign) else [])
                declared.update(t.value for t in targets if isinstance(t, cst.Name))
                if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and
                                                         t.target.value == "__constants__" for t in small.targets):
                    declared.update(s.evaluated_value for s in iter_descendants(small.value)
                                    if isinstance(s, cst.SimpleString))
            continue
        if not isinstance(stmt, cst.FunctionDef) or not stmt.params.params:
            continue
        if stmt.name.value == "__init__":
            init = stmt
        me = stmt.params.params[0].name.value
        for sub in iter_descendants(stmt.body):
            if isinstance(sub, cst.Assign):
                for t in sub.targets:
                    nodes = [el.value for el in t.target.elements] if isinstance(t.target, (cst.Tuple, cst.List)) \
                        else [t.target]
                    for n in nodes:
                        attr = _self_attr(n, me)
                        if attr is not None:
                            single = len(sub.targets) == 1 and n is t.target
                            writes.setdefault(attr, []).append((stmt, sub if single else None))
            elif isinstance(sub, (cst.AnnAssign, cst.AugAssign)):
                attr = _self_attr(sub.target, me)
                if attr is not None:
                    writes.setdefault(attr, []).append((stmt, None))
            elif isinstance(sub, cst.Call):  # setattr(self, "x", ...), self.register_buffer("x", ...)
                for arg in sub.args[:2]:
                    if isinstance(arg.value, cst.SimpleString):
                        declared.add(arg.value.evaluated_value)
    table: _Table = {}
    if init is None:
        cache[key] = table
        return table
    params = _init_params(init)
    rebound = _assigned_names(init)
    for attr, entries in writes.items():
        if attr in declared or len(entries) != 1:
            continue
        fn, assign = entries[0]
        if fn is not init or assign is None:
            continue
        judged = _judge(assign.value, params, rebound, ctx)
        if judged is not None:
            table[attr] = (ctx.code_of(assign).strip(), *judged)
    cache[key] = table
    return table


def _judge(value: cst.BaseExpression, params, rebound, ctx) -> Optional[Tuple[str, tuple, str]]:
    """(what, extra requires, reads) for the value of an ``__init__`` assignment ``self.x = value``
    when it is an object TorchScript cannot convert, else None."""
    found = None
    if isinstance(value, cst.Name) and value.value in params and rebound.get(value.value, 0) == 0:
        ann = params[value.value].annotation
        if ann is not None:
            found = _class_kind(ann.annotation, ctx)
    elif isinstance(value, cst.Call) and not value.args or isinstance(value, cst.Call):
        kind = _class_kind(value.func, ctx)
        # SimpleNamespace(...) / Namespace(...) constructed here are JIT137's
        if kind is not None and kind[1]:
            found = kind
    if found is not None:
        return found[0], found[1], "read"
    dist = _distributed_kind(value, ctx)
    if dist is not None:
        return dist[0], (), dist[1]
    return None


def _init_may_hold(init: cst.FunctionDef, params, rebound, ctx) -> bool:
    """Whether some single-target ``self.x = value`` of ``__init__`` holds what :func:`_judge`
    flags: a table entry needs one, so without it the other methods need no walk."""
    me = init.params.params[0].name.value
    for sub in iter_descendants(init.body):
        if isinstance(sub, cst.Assign) and len(sub.targets) == 1 and _self_attr(sub.targets[0].target, me) is not None:
            if _judge(sub.value, params, rebound, ctx) is not None:
                return True
    return False


def _indent(block, module: cst.Module) -> str:
    return block.indent if getattr(block, "indent", None) is not None else module.default_indent


def _copy_fix(read: cst.Attribute, attr: str, field: str, fn, ctx):
    """Unsafe fix for ``self.cfg.field`` read by compiled code: ``self.cfg_field =
    self.cfg.field`` right after the one ``self.cfg = ...`` statement of ``__init__`` (reused when
    an earlier fix wrote it), and the read becomes ``self.cfg_field``. None when the read is a
    method call, the assignment is not a statement of its own directly in ``__init__``'s body,
    or the new name is taken."""
    grand = ctx.parents[-2] if len(ctx.parents) > 1 else None
    if isinstance(grand, cst.Call) and grand.func is read:
        return None  # self.cfg.method(...): not a field
    if isinstance(grand, (cst.AssignTarget, cst.AugAssign, cst.Del)) or (
            isinstance(grand, cst.AnnAssign) and grand.target is read):
        return None
    cls = fn.class_node
    if not isinstance(cls.body, cst.IndentedBlock):
        return None
    init = next((s for s in cls.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
    if init is None or not init.params.params or not isinstance(init.body, cst.IndentedBlock):
        return None
    me, init_me = fn.params[0].name, init.params.params[0].name.value
    new = f"{attr}_{field}"
    copy_text = f"{init_me}.{new} = {init_me}.{attr}.{field}"
    statement, copied = None, False
    for stmt in init.body.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            continue
        small = stmt.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            if _self_attr(small.targets[0].target, init_me) == attr:
                statement = stmt
            elif _self_attr(small.targets[0].target, init_me) == new:
                copied = ctx.code_of(small).strip() == copy_text and statement is not None
    if statement is None:
        return None
    if not copied and any(isinstance(n, cst.Attribute) and n.attr.value == new for n in iter_descendants(cls)):
        return None  # the name is used for something else
    replacements = [(read, f"{me}.{new}")]
    if not copied:
        indent = _indent(cls.body, ctx.file.module) + _indent(init.body, ctx.file.module)
        if statement.trailing_whitespace.comment is None:
            small = statement.body[0]
            replacements.append((small, f"{ctx.code_of(small)}\n{indent}{copy_text}"))
        else:  # keep the comment on its line: the copy goes in front of the next statement
            body = list(init.body.body)
            following = body[body.index(statement) + 1] if body.index(statement) + 1 < len(body) else None
            if not isinstance(following, cst.SimpleStatementLine) or len(following.body) != 1:
                return None
            small = following.body[0]
            replacements.append((small, f"{copy_text}\n{indent}{ctx.code_of(small)}"))
    return ctx.unsafe_fix(f"copy `{attr}.{field}` into `{me}.{new}` in `__init__` and read that", replacements)


class PlainObjectAttribute(Rule):
    """
    ## What it does
    Flags compiled code (``forward``, ``@torch.jit.export`` methods and what they call) that
    reads an ``nn.Module`` attribute holding a plain Python object TorchScript cannot convert:
    an attribute set once in ``__init__`` from a parameter annotated ``types.SimpleNamespace``,
    ``argparse.Namespace`` or a project dataclass that was never scripted itself, from an
    instance of such a dataclass constructed there (``self.cfg = Cfg(hidden=4)``), from a
    parameter annotated with a same-file class whose ``__init__`` takes ``*args``/``**kwargs``,
    or a ``torch.distributed`` object: a ``ReduceOp`` (``self.op = dist.ReduceOp.SUM``), or a
    process group (``self.pg = dist.group.WORLD``, ``dist.new_group(...)``) whose members compiled
    code reads (``self.pg.size()``).
    The finding is reported at the read and names the assignment. (``SimpleNamespace(...)``
    and mixed dict literals assigned directly are JIT137.)

    ## Why is this bad?
    ``torch.jit.script`` types module attributes from their values. A config object is
    converted only when TorchScript can compile its class; these cannot be, and the module is
    rejected at the read: "Module 'M' has no attribute 'cfg' (This attribute exists on the
    Python module, but we failed to convert Python type: 'Cfg' to a TorchScript type"). A plain
    class with typed ``__init__`` parameters may compile, so it is not reported; nor is an
    attribute with a class-level annotation. A process group does convert, to an opaque
    'Capsule' (None before ``init_process_group``) with no methods: ``self.pg is None`` compiles,
    ``self.pg.size()`` is rejected ("'Capsule' object has no attribute or method 'size'").

    ## Example
    ```python
    @dataclasses.dataclass
    class Cfg:
        hidden: int = 4

    class M(nn.Module):
        def __init__(self, cfg: Cfg):
            super().__init__()
            self.cfg = cfg

        def forward(self, x):
            return x * self.cfg.hidden
    ```

    ## Use instead
    ```python
    class M(nn.Module):
        def __init__(self, cfg: Cfg):
            super().__init__()
            self.hidden = cfg.hidden

        def forward(self, x):
            return x * self.hidden
    ```

    ## Fix safety
    For a field read (``self.cfg.hidden``), an unsafe fix adds ``self.cfg_hidden =
    self.cfg.hidden`` right after ``self.cfg = ...`` in ``__init__`` and reads ``self.cfg_hidden``
    instead (``self.cfg`` stays for eager code). It is unsafe because the field is then read
    once, at construction: code that changes ``self.cfg.hidden`` later (or a field that exists
    only later) no longer reaches compiled code, and the copy's type is what TorchScript infers
    from its value. There is no safe form: eager Python reads the field at each call. Method calls
    on the object and whole-object uses (``f(self.cfg)``) get no fix.
    """

    code = "JIT146"
    name = "plain-object-attribute"
    message = "compiled code reads a module attribute holding a Python object TorchScript cannot convert"

    INVALID = [
        Example(
            """
            import dataclasses
            import torch
            from torch import nn

            @dataclasses.dataclass
            class Cfg:
                hidden: int = 4

            class M(nn.Module):
                def __init__(self, cfg: Cfg = Cfg()):
                    super().__init__()
                    self.cfg = cfg

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.cfg.hidden  # MARK
            """,
            root="M",
        ),
        Example(
            """
            import dataclasses
            import torch
            from torch import nn

            @dataclasses.dataclass
            class Cfg:
                hidden: int = 4
                scale: float = 2.0

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.cfg = Cfg(hidden=3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scaled(x)

                def scaled(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.cfg.scale  # MARK
            """,
            root="M",
        ),
        Example(
            """
            import types
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self, cfg: types.SimpleNamespace = types.SimpleNamespace(eps=1e-5)):
                    super().__init__()
                    self.cfg = cfg

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + self.cfg.eps  # MARK
            """,
            root="M",
        ),
        Example(
            """
            import argparse
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self, args: argparse.Namespace = argparse.Namespace(eps=1e-5)):
                    super().__init__()
                    self.args = args

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + self.args.eps  # MARK
            """,
            root="M",
        ),
        Example(
            """
            import torch
            from torch import nn

            class Options:
                def __init__(self, eps: float = 1e-5, **extra):
                    self.eps = eps

            class M(nn.Module):
                def __init__(self, opts: Options = Options()):
                    super().__init__()
                    self.opts = opts

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x + self.opts.eps  # MARK
            """,
            root="M",
        ),
        Example(
            """
            import torch
            import torch.distributed as dist
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.op = dist.ReduceOp.SUM

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if self.op == dist.ReduceOp.MAX:  # MARK
                        return x.max()
                    return x.sum()
            """,
            root="M",
        ),
        Example(
            """
            import torch
            import torch.distributed as dist
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.pg = dist.group.WORLD

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x / self.pg.size()  # MARK
            """,
            root="M",
        ),
    ]
    VALID = [
        Example(
            """
            import torch
            import torch.distributed as dist
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.pg = dist.group.WORLD
                    self.world = dist.get_world_size(self.pg) if dist.is_initialized() else 1

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if self.pg is None:
                        return x
                    return x / self.world
            """,
            root="M",
            inputs="[(torch.ones(2),)]",
        ),
        Example(
            """
            import dataclasses
            import types
            import torch
            from torch import nn

            @dataclasses.dataclass
            class Cfg:
                hidden: int = 4

            @dataclasses.dataclass
            class Scripted:
                scale: float = 2.0

            torch.jit.script(Scripted)

            class Options:
                def __init__(self, eps: float = 1e-5):
                    self.eps = eps

            class M(nn.Module):
                def __init__(self, cfg: Cfg = Cfg(), opts: Options = Options(),
                             ns: types.SimpleNamespace = types.SimpleNamespace(bias=1.0)):
                    super().__init__()
                    self.hidden = cfg.hidden
                    self.cfg = cfg
                    self.opts = opts
                    self.sc = Scripted()
                    self.bias = ns.bias
                    self.ns = ns

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.hidden * self.sc.scale + self.opts.eps + self.bias
            """,
            root="M",
            inputs="[(torch.ones(2),)]",
        ),
    ]

    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        fn = ctx.function
        if fn is None or fn.class_node is None or not fn.is_method or not fn.params or fn.name == "__init__":
            return
        me = fn.params[0].name
        attr = _self_attr(node, me)
        if attr is None:
            return
        parent = ctx.parents[-1] if ctx.parents else None
        if isinstance(parent, cst.AssignTarget) or (isinstance(parent, (cst.AnnAssign, cst.AugAssign))
                                                     and parent.target is node):
            return
        entry = _table(fn.class_node, ctx).get(attr)
        if entry is None:
            return
        assign, what, extra, reads = entry
        field = None
        if len(ctx.parents) and isinstance(parent, cst.Attribute) and parent.value is node:
            field = parent.attr.value
        if reads == "member" and field is None:
            return  # a process group converts; `self.pg is None` or passing it on compiles
        seen = ctx.scratch.setdefault(self.code, set())
        if attr in seen:
            return
        seen.add(attr)
        if reads == "member":
            class_id = fn.id.rsplit(".", 1)[0]
            ctx.report(parent, f"`{me}.{attr}` holds {what} (`{assign}` in `__init__`), which TorchScript sees as an "
                               f"opaque object without methods (a 'Capsule', or None before `init_process_group`): "
                               f"torch.jit.script rejects `{me}.{attr}.{field}` (\"'Capsule' object has no attribute or "
                               f"method '{field}'\"); read what compiled code needs in `__init__` into a typed "
                               f"attribute (e.g. `{me}.{attr}_{field} = {me}.{attr}.{field}()`)",
                       requires=(("module", class_id),))
            return
        source = assign.split("=", 1)[1].strip() if "=" in assign else attr
        hint = (f"e.g. `{me}.{attr}_{field} = {source}.{field}` in `__init__`, read here as `{me}.{attr}_{field}`"
                if field else "copy the fields it needs into typed attributes (or `Final` constants) in `__init__`")
        class_id = fn.id.rsplit(".", 1)[0]
        fix = _copy_fix(parent, attr, field, fn, ctx) if field else None
        ctx.report(node, f"`{me}.{attr}` holds {what} (`{assign}` in `__init__`), which TorchScript cannot "
                         f"convert: torch.jit.script rejects the module here (\"Module has no attribute "
                         f"'{attr}' ... failed to convert Python type\"); copy the fields compiled code needs into "
                         f"typed attributes or `Final` constants in `__init__` ({hint})",
                   requires=(("module", class_id),) + extra, fix=fix)
