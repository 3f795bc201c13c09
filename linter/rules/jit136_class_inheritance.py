from typing import Optional, Set

import libcst as cst

from .base import Example, Rule

# Bases that never make a TorchScript class "derived" from a user class.
_FINE_BASE_PREFIXES = ("builtins.", "typing.", "typing_extensions.", "enum.", "abc.", "torch.", "collections.")


def _method_reason(cls) -> Optional[str]:
    """Why this derived class cannot be compiled: the inherited member it relies on."""
    methods = cls.methods
    if "__init__" not in methods:
        return "it has no `__init__` of its own (TorchScript does not inherit the base's)"
    own_attrs: Set[str] = set(cls.summary.init_attrs)
    for mname, method in methods.items():
        if not method.params.params:
            continue
        me = method.params.params[0].name.value
        for node in _calls(method.body):
            func = node.func
            if isinstance(func, cst.Attribute):
                owner = func.value
                if (isinstance(owner, cst.Call) and isinstance(owner.func, cst.Name) and owner.func.value == "super"):
                    return f"`{mname}` calls `super().{func.attr.value}(...)` (TorchScript has no `super()`)"
                if (isinstance(owner, cst.Name) and owner.value == me and func.attr.value not in methods
                        and func.attr.value not in own_attrs):
                    return (f"`{mname}` calls the inherited method `{me}.{func.attr.value}(...)` "
                            f"(TorchScript classes do not inherit methods)")
    return None


def _calls(body):
    from ..analysis.syntax import iter_descendants

    for node in iter_descendants(body):
        if isinstance(node, cst.Call):
            yield node


class ClassInheritance(Rule):
    """
    ## What it does
    Flags a user class (not an ``nn.Module``) that compiled code constructs and that derives
    from another user class, when it relies on inheritance: it has no ``__init__`` of its own,
    calls ``super()``, or calls a method only its base defines (in its own methods, or on an
    instance in compiled code: ``Child(2.0).scale(x)``). ``NamedTuple``, ``Enum`` and exception
    classes are not concerned.

    ## Why is this bad?
    TorchScript classes do not support inheritance: the base's methods are not inherited and
    ``super()`` does not exist. ``torch.jit.script`` fails with misleading messages ("'Tensor'
    object has no attribute or method '__init__'", "Class Child does not have an __init__
    function defined", "object has no attribute or method 'scale'") that point at a use, not at
    the class.

    ## Example
    ```python
    class Base:
        def __init__(self, k: float):
            self.k = k

        def scale(self, x: torch.Tensor) -> torch.Tensor:
            return x * self.k

    class Child(Base):
        def __init__(self, k: float):
            super().__init__(k)

    def fn(x: torch.Tensor) -> torch.Tensor:
        return Child(2.0).scale(x)
    ```

    ## Use instead
    Flatten the hierarchy (copy the base's methods into the class) or use composition:
    ```python
    class Child:
        def __init__(self, k: float):
            self.k = k

        def scale(self, x: torch.Tensor) -> torch.Tensor:
            return x * self.k
    ```

    ## Fix safety
    No automatic fix: flattening a hierarchy is a refactoring.
    """

    code = "JIT136"
    name = "class-inheritance"
    message = "TorchScript class relies on inheritance from a user class"
    evidence = ("s330", "s328")

    INVALID = [
        Example(
            """
            import torch

            class Base:
                def __init__(self, k: float):
                    self.k = k

                def scale(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.k

            class Child(Base):  # MARK
                def __init__(self, k: float):
                    super().__init__(k)

            def fn(x: torch.Tensor) -> torch.Tensor:
                return Child(2.0).scale(x)
            """,
        ),
        Example(
            """
            import torch

            class Base:
                def __init__(self, k: float):
                    self.k = k

                def scale(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.k

            class Child(Base):  # MARK
                def __init__(self, k: float):
                    self.k = k

                def run(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scale(x) + 1

            def fn(x: torch.Tensor) -> torch.Tensor:
                return Child(2.0).run(x)
            """,
        ),
        Example(
            """
            import torch

            class Base:
                def __init__(self, k: float):
                    self.k = k

            class Child(Base):  # MARK
                pass

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * Child(2.0).k
            """,
        ),
        Example(
            """
            import torch

            class Base:
                def __init__(self, k: float):
                    self.k = k

                def scale(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.k

            class Child(Base):
                def __init__(self, k: float):
                    self.k = k

            def fn(x: torch.Tensor) -> torch.Tensor:
                c = Child(2.0)
                return c.scale(x)  # MARK
            """,
        ),
    ]
    VALID = [
        Example(
            """
            import enum
            from typing import NamedTuple
            import torch

            class Color(enum.Enum):
                RED = 1

            class Out(NamedTuple):
                y: torch.Tensor

            class BaseErr(Exception):
                pass

            class SubErr(BaseErr):
                pass

            class Flat:
                def __init__(self, k: float):
                    self.k = k

                def scale(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.k

            def fn(x: torch.Tensor) -> torch.Tensor:
                if x.sum() > 100.0:
                    raise SubErr("too big")
                if Color.RED.value == 1:
                    x = x + 1
                return Out(Flat(2.0).scale(x)).y
            """,
        ),
        Example(
            """
            import torch

            class Base:
                def __init__(self, k: float):
                    self.k = k

                def scale(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.k

            class Child(Base):
                def __init__(self, k: float):
                    self.k = k

                def scale(self, x: torch.Tensor) -> torch.Tensor:
                    return x * self.k * 2

            def fn(x: torch.Tensor) -> torch.Tensor:
                return Child(2.0).scale(x)
            """,
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        """``Child(...).scale(x)`` where ``scale`` is only defined by a base class of this file's
        ``Child``: TorchScript classes do not inherit methods."""
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        t = ctx.type_of(func.value)
        if not isinstance(t, tuple) or t[0] != "class" or not t[1]:
            return
        name = str(t[1]).rsplit(".", 1)[-1]
        class_node = ctx.file.class_nodes.get(name)
        facts = ctx.file.classes.get(name)
        if class_node is None or facts is None or facts.qualname != t[1] or not class_node.bases:
            return
        method = func.attr.value
        if method.startswith("__") or any(
                isinstance(s, cst.FunctionDef) and s.name.value == method for s in class_node.body.body):
            return
        for base in class_node.bases:
            qual = ctx.resolve(base.value)
            if qual is None or qual.startswith(_FINE_BASE_PREFIXES):
                continue
            base_node = ctx.file.class_nodes.get(qual.rsplit(".", 1)[-1])
            if base_node is None or not any(
                    isinstance(s, cst.FunctionDef) and s.name.value == method for s in base_node.body.body):
                continue
            class_id = facts.qualname.rsplit(".", 1)[0] + ":" + name if "." in facts.qualname else ":" + name
            ctx.report(node, f"`{method}` is defined by `{base_node.name.value}`, the base class of `{name}`, but "
                             f"TorchScript classes do not inherit methods: define it in `{name}` (flatten the "
                             f"hierarchy) or use composition",
                       requires=(("not_module", class_id), ("class_is", qual, "plain")))
            return

    def check_class(self, cls, fctx) -> None:
        bases = [b for b in cls.base_names if b != "<expr>" and not b.startswith(_FINE_BASE_PREFIXES)
                 and b not in ("object",)]
        if not bases or cls.summary.is_namedtuple_or_enum or cls.summary.is_dataclass:
            return
        reason = _method_reason(cls)
        if reason is None:
            return
        for base in bases:
            fctx.report(
                cls.node.name,
                f"class `{cls.name}` is compiled as a TorchScript class and inherits from `{base.rsplit('.', 1)[-1]}`, "
                f"but TorchScript classes do not support inheritance: {reason}; flatten the hierarchy or use "
                f"composition",
                requires=(("script_class", cls.id), ("not_module", cls.id), ("class_is", base, "plain")),
            )
            return
