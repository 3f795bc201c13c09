from typing import List, Optional, Tuple

import libcst as cst

from ..analysis import py_signatures
from ..analysis.names import dotted_name
from ..analysis.syntax import all_params, iter_descendants
from ..analysis.typecheck.torchscript import TENSOR, is_subtype, parse_annotation, spell
from .base import Example, Rule


def _is_interface(cls: cst.ClassDef, fctx) -> bool:
    return any(fctx.names.resolve(dotted_name(d.decorator)) == "torch.jit.interface" for d in cls.decorators)


def _methods(cls: cst.ClassDef):
    return {s.name.value: s for s in cls.body.body if isinstance(s, cst.FunctionDef)} \
        if isinstance(cls.body, cst.IndentedBlock) else {}


def _signature(fn: cst.FunctionDef, fctx) -> Optional[List[Tuple[str, object]]]:
    """(name, TorchScript type) of the parameters after ``self`` (unannotated: Tensor);
    None with ``*args``/``**kwargs``."""
    if isinstance(fn.params.star_arg, cst.Param) or fn.params.star_kwarg is not None:
        return None
    params = all_params(fn.params)[1:]
    return [(p.name.value, parse_annotation(p.annotation, fctx.names) if p.annotation is not None else TENSOR)
            for p in params]


def _mismatch(iface: cst.FunctionDef, impl_params, impl_return, fctx) -> Optional[str]:
    want = _signature(iface, fctx)
    if want is None or impl_params is None:
        return None
    if len(want) != len(impl_params):
        return f"`{iface.name.value}` takes {len(impl_params)} arguments, the interface {len(want)}"
    for (wn, wt), (gn, gt) in zip(want, impl_params):
        if wn != gn:
            return f"`{iface.name.value}` names its argument `{gn}` where the interface names it `{wn}`"
        if gt is not None and is_subtype(wt, gt) is False:
            return (f"argument `{gn}` of `{iface.name.value}` is `{spell(gt)}`, the interface's `{spell(wt)}` does "
                    f"not fit it")
    if impl_return is not None:
        want_ret = parse_annotation(iface.returns, fctx.names) if iface.returns is not None else None
        if is_subtype(impl_return, want_ret) is False:
            return f"`{iface.name.value}` returns `{spell(impl_return)}`, the interface `{spell(want_ret)}`"
    return None


class InterfaceConformance(Rule):
    """
    ## What it does
    Flags a submodule assigned in ``__init__`` to an attribute the class annotates with a
    ``@torch.jit.interface`` type of the same file when the module's methods do not match the
    interface's: a method missing, another number of arguments, an argument named otherwise
    (``nn.Linear.forward`` takes ``input``, not ``x``), an argument type the interface's does
    not fit, or a return type that does not fit the interface's. Modules of the file and
    ``torch.nn`` modules (whose ``forward`` signatures come from torch 2.13) are checked.

    ## Why is this bad?
    TorchScript checks each such submodule against the interface when the module is scripted
    ("Attribute layer is not of annotated type Iface: Method on class 'Linear' (1) does not
    match interface method (2)"): argument names must be equal, arguments may be wider than
    the interface's, returns narrower. Python never checks, so the mismatch shows only when
    scripting.

    ## Example
    ```python
    @torch.jit.interface
    class LayerIface(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            pass

    class Net(nn.Module):
        layer: LayerIface

        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(3, 3)
    ```

    ## Use instead
    Name the interface's arguments as the implementations do:
    ```python
    @torch.jit.interface
    class LayerIface(nn.Module):
        def forward(self, input: torch.Tensor) -> torch.Tensor:
            pass
    ```

    ## Fix safety
    No automatic fix: the interface or the implementation may be what is wrong.
    """

    code = "JIT159"
    name = "interface-conformance"
    message = "this submodule does not match the interface its attribute is annotated with"

    INVALID = [
        Example(
            """
            import torch
            from torch import nn

            @torch.jit.interface
            class LayerIface(nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    pass

            class Net(nn.Module):
                layer: LayerIface

                def __init__(self):
                    super().__init__()
                    self.layer = nn.Linear(3, 3)  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.layer.forward(x)
            """,
            root="Net",
            inputs="[(torch.ones(1, 3),)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            @torch.jit.interface
            class ScaleIface(nn.Module):
                def forward(self, x: torch.Tensor, k: float) -> torch.Tensor:
                    pass

            class Scale(nn.Module):
                def forward(self, x: torch.Tensor, k: int) -> torch.Tensor:
                    return x * k

            class Net(nn.Module):
                scale: ScaleIface

                def __init__(self):
                    super().__init__()
                    self.scale = Scale()  # MARK

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scale.forward(x, 2.0)
            """,
            root="Net",
            inputs="[(torch.ones(1, 3),)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import Optional
            import torch
            from torch import nn

            @torch.jit.interface
            class LayerIface(nn.Module):
                def forward(self, input: torch.Tensor) -> torch.Tensor:
                    pass

            @torch.jit.interface
            class ScaleIface(nn.Module):
                def forward(self, x: torch.Tensor, k: int) -> torch.Tensor:
                    pass

            class Scale(nn.Module):
                def forward(self, x: torch.Tensor, k: Optional[int]) -> torch.Tensor:
                    return x * (1 if k is None else k)

            class Net(nn.Module):
                layer: LayerIface
                scale: ScaleIface

                def __init__(self):
                    super().__init__()
                    self.layer = nn.Linear(3, 3)
                    self.scale = Scale()

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    return self.scale.forward(self.layer.forward(x), 2)
            """,
            root="Net",
            inputs="[(torch.ones(1, 3),)]",
        ),
    ]

    def check_class(self, cls, fctx) -> None:
        if not isinstance(cls.node.body, cst.IndentedBlock) or "__init__" not in cls.methods:
            return
        declared = {}
        for stmt in cls.node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.AnnAssign) \
                    and isinstance(stmt.body[0].target, cst.Name):
                ann = stmt.body[0].annotation.annotation
                iface = fctx.class_nodes.get(ann.value) if isinstance(ann, cst.Name) else None
                if iface is not None and _is_interface(iface, fctx):
                    declared[stmt.body[0].target.value] = iface
        if not declared:
            return
        init = cls.methods["__init__"]
        me = init.params.params[0].name.value if init.params.params else "self"
        for node in iter_descendants(init.body):
            if not (isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.value, cst.Call)):
                continue
            target = node.targets[0].target
            if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                    and target.value.value == me and target.attr.value in declared):
                continue
            attr = target.attr.value
            problem = self._problem(declared[attr], node.value, fctx)
            if problem is not None:
                iface = declared[attr].name.value
                fctx.report(node, f"`{me}.{attr}` is annotated `{iface}` but the module assigned here does not "
                                  f"match it: {problem}; torch.jit.script rejects the module (\"Attribute {attr} is "
                                  f"not of annotated type {iface}\")",
                            requires=(("module", cls.id), ("attr_used", cls.id, attr)))

    def _problem(self, iface: cst.ClassDef, call: cst.Call, fctx) -> Optional[str]:
        func = dotted_name(call.func)
        if func is None:
            return None
        wanted = _methods(iface)
        local = fctx.class_nodes.get(func)
        binding = fctx.names.bindings.get(func)
        if local is not None and binding is not None and binding.kind == "class":
            if any(not (isinstance(b.value, (cst.Name, cst.Attribute))
                        and (fctx.names.resolve(dotted_name(b.value)) or "").startswith("torch.nn"))
                   for b in local.bases):
                return None  # project bases may define the methods
            have = _methods(local)
            for name, method in wanted.items():
                impl = have.get(name)
                if impl is None:
                    if name == "forward":
                        return None  # may come from a torch.nn base
                    return f"it has no method `{name}`"
                ret = parse_annotation(impl.returns, fctx.names) if impl.returns is not None else None
                found = _mismatch(method, _signature(impl, fctx), ret, fctx)
                if found is not None:
                    return found
            return None
        qual = fctx.names.resolve(func)
        params = py_signatures.module_forward(qual) if qual else None
        if params is None or set(wanted) != {"forward"}:
            return None
        if any(p[1] == "k" for p in params):
            return None
        return _mismatch(wanted["forward"], [(p[0], None) for p in params], None, fctx)
