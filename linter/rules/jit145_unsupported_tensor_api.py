from typing import Optional

import libcst as cst

from ..analysis.typecheck.lattice import DTYPE, INT, SINT, SIZE, TENSOR
from .base import Example, Rule

# Tensor methods and properties torch.jit.script rejects ("'Tensor' object has no attribute or
# method ..."): the re-scan of dir(torch.Tensor) in the catalog (m002) plus `names`.
_METHODS = {
    "bool": "use `x.to(torch.bool)`",
    "bfloat16": "use `x.to(torch.bfloat16)`",
    "nelement": "use `x.numel()`",
    "ndimension": "use `x.dim()`",
    "unique": "use `torch.unique(x, ...)`",
    "new": "use `x.new_empty(...)` / `x.new_zeros(...)`",
    "new_tensor": "use `torch.tensor(data, dtype=x.dtype, device=x.device)`",
    "numpy": "keep the data as a Tensor (use torch ops)",
    "data_ptr": "compare tensors with `is`, or move the check outside the model",
    "const_data_ptr": "move the check outside the model",
    "storage": "move storage handling outside the model",
    "untyped_storage": "move storage handling outside the model",
    "storage_type": "move storage handling outside the model",
    "is_shared": "move the check outside the model",
    "share_memory_": "call it outside the model",
    "register_hook": "register hooks outside the model",
    "register_post_accumulate_grad_hook": "register hooks outside the model",
    "apply_": "use vectorised torch ops",
    "map_": "use vectorised torch ops",
    "map2_": "use vectorised torch ops",
    "as_subclass": "keep a plain Tensor",
    "to_sparse_coo": "use `x.to_sparse()`",
    "dim_order": "move the check outside the model",
    "lu": "use `torch.linalg.lu_factor(x)`",
    "solve": "use `torch.linalg.solve`",
    "lstsq": "use `torch.linalg.lstsq`",
    "eig": "use `torch.linalg.eig`",
    "symeig": "use `torch.linalg.eigh`",
    "xpu": "move the tensor with `x.to(device)`",
    "ipu": "move the tensor with `x.to(device)`",
    "mtia": "move the tensor with `x.to(device)`",
    "module_load": "load state outside the model",
    "reinforce": "remove it (legacy API)",
}
_PROPERTIES = {
    "grad_fn": "autograd graph introspection happens outside the model",
    "grad_dtype": "read it outside the model",
    "volatile": "remove it (use `torch.no_grad()`)",
    "names": "named tensors are not supported: use positional dims",
}
_DTYPE_PROPERTIES = {"is_floating_point": "is_floating_point", "is_complex": "is_complex",
                     "is_signed": "is_signed", "itemsize": None}
_SIMPLE_FIXES = {
    "bool": lambda x, t: f"{x}.to({t}.bool)",
    "bfloat16": lambda x, t: f"{x}.to({t}.bfloat16)",
    "nelement": lambda x, t: f"{x}.numel()",
    "ndimension": lambda x, t: f"{x}.dim()",
}
# torch functions that are not TorchScript builtins ("Unknown builtin op: aten::finfo").
_FUNCTIONS = {
    "torch.finfo": "hard-code the constant, or compute it in `__init__` and store a float attribute",
    "torch.iinfo": "hard-code the constant, or compute it in `__init__` and store an int attribute",
    "torch.get_default_dtype": "pass the dtype explicitly (e.g. `x.dtype`)",
    "torch.set_default_dtype": "set it outside the model",
    "torch.is_tensor": "use `isinstance(x, torch.Tensor)`",
    "torch.is_storage": "move the check outside the model",
    "torch.from_numpy": "convert outside the model",
    "torch.typename": "move the check outside the model",
    "torch.get_num_threads": "read it outside the model",
    "torch.seed": "seed outside the model",
    "torch.cuda.is_available": "decide the device outside the model, or use the input's device (`x.device`)",
}
_FACTORIES = frozenset(
    "zeros ones empty full rand randn randint randperm arange range linspace logspace eye "
    "empty_strided zeros_like ones_like empty_like full_like rand_like randn_like randint_like".split()
)
_NEW_METHODS = frozenset({"new_zeros", "new_ones", "new_empty", "new_full"})


def _torch_alias(ctx) -> Optional[str]:
    """The local name bound to the ``torch`` module (for fixes), if any."""
    binding = ctx.names.bindings.get("torch")
    if binding is not None and binding.kind == "import" and binding.target == "torch":
        if ctx.infer is None or "torch" not in ctx.infer.locals:
            return "torch"
    return None


# `torch.iinfo(torch.<int dtype>).min/.max`: constants of the dtype (checked against torch by
# tests/codemods/fixtures/tensor_api_rewrites).
_IINFO = {}
for _names, _bits, _signed in ((("int8",), 8, True), (("uint8",), 8, False), (("int16", "short"), 16, True),
                               (("int32", "int"), 32, True), (("int64", "long"), 64, True)):
    for _n in _names:
        _IINFO[f"torch.{_n}"] = ((-(1 << (_bits - 1)), (1 << (_bits - 1)) - 1) if _signed else (0, (1 << _bits) - 1))


def _info_constant(qual: str, node: cst.Call, ctx):
    """`torch.iinfo(torch.int32).max` -> `2147483647`: the fix replaces the attribute read."""
    parent = ctx.parent
    if (qual != "torch.iinfo" or len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star
            or not isinstance(parent, cst.Attribute) or parent.value is not node
            or parent.attr.value not in ("min", "max")):
        return None
    bounds = _IINFO.get(ctx.resolve(node.args[0].value) or "")
    if bounds is None:
        return None
    value = bounds[0] if parent.attr.value == "min" else bounds[1]
    grand = ctx.parents[-2] if len(ctx.parents) >= 2 else None
    if value == -(1 << 63):  # the literal 9223372036854775808 does not fit the compiler's int64
        return ctx.safe_fix("Write the constant", [(parent, "(-9223372036854775807 - 1)")])
    wrap = isinstance(grand, cst.Attribute) or (value < 0 and isinstance(grand, (cst.BinaryOperation, cst.Subscript)))
    text = f"({value})" if wrap else str(value)
    return ctx.safe_fix("Write the constant", [(parent, text)])


def _without_arg(call: cst.Call, arg: cst.Arg) -> cst.Call:
    args = [a for a in call.args if a is not arg]
    if args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return call.with_changes(args=args)


class UnsupportedTensorApi(Rule):
    """
    ## What it does
    Flags Tensor methods and properties TorchScript does not have (``x.bool()``, ``x.numpy()``,
    ``x.unique()``, ``x.nelement()``, ``x.ndimension()``, ``x.new(...)``, ``x.new_tensor(...)``,
    ``x.data_ptr()``, ``x.storage()``, ``x.register_hook(...)``, ``x.grad_fn``, ``x.names``...)
    on values known to be Tensors; ``x.dtype.is_floating_point`` and ``x.size().numel()``; the
    legacy constructor ``torch.Tensor(...)``; torch functions that are not TorchScript builtins
    (``torch.finfo``, ``torch.iinfo``, ``torch.get_default_dtype``, ``torch.is_tensor``,
    ``torch.from_numpy``, ``torch.cuda.is_available()``); factory calls with ``requires_grad=``
    and ``nonzero(..., as_tuple=...)``.

    ## Why is this bad?
    ``torch.jit.script`` rejects them ("'Tensor' object has no attribute or method 'bool'",
    "Unknown builtin op: aten::finfo", "Arguments for call are not valid" for
    ``torch.zeros(3, requires_grad=True)``). The catalog re-scan found 33 such methods, including
    very common ones; the official "unsupported Tensor methods" page is empty in 2.13 because its
    generator looks for an outdated error message. ``torch.FloatTensor(...)``, ``x.to(torch.bool)``,
    ``x.numel()``, ``x.dim()``, ``torch.unique(x)``, ``x.is_floating_point()`` and
    ``torch.tensor(data, requires_grad=True)`` compile.

    ## Example
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        mask = (x > 0).bool()
        return x[mask] * x.nelement()
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor) -> torch.Tensor:
        mask = (x > 0).to(torch.bool)
        return x[mask] * x.numel()
    ```

    ## Fix safety
    Safe fixes, each exactly equivalent in eager Python and checked with the compiler:
    ``x.bool()`` -> ``x.to(torch.bool)``, ``x.bfloat16()`` -> ``x.to(torch.bfloat16)``,
    ``x.nelement()`` -> ``x.numel()``, ``x.ndimension()`` -> ``x.dim()``, ``x.unique(...)`` ->
    ``torch.unique(x, ...)``, ``x.dtype.is_floating_point`` -> ``x.is_floating_point()``,
    ``x.size().numel()`` -> ``x.numel()``, ``torch.is_tensor(x)`` -> ``isinstance(x, torch.Tensor)``,
    ``torch.zeros(3, requires_grad=flag)`` -> ``torch.zeros(3).requires_grad_(flag)`` (and dropping
    ``requires_grad=False``), ``nonzero(x, as_tuple=False)`` -> ``nonzero(x)``, ``x.new(n, m)`` with
    int sizes -> ``x.new_empty([n, m])``, ``x.new_tensor(data)`` -> ``torch.tensor(data,
    dtype=x.dtype, device=x.device)``, ``torch.iinfo(torch.int32).max`` (an integer dtype named
    literally, ``.min``/``.max``) -> the constant. Fixes that spell ``torch`` are offered only when
    ``torch`` is imported under that name. Two fixes are unsafe: ``torch.Tensor([...])`` ->
    ``torch.tensor([...], dtype=torch.float)``, which differs when the default dtype was changed
    with ``torch.set_default_dtype``, and ``nonzero(x, as_tuple=True)`` ->
    ``nonzero(x).unbind(1)``, which differs for a 0-dim ``x`` (an empty tuple instead of one index
    Tensor) and gives views of one index Tensor.
    """

    code = "JIT145"
    name = "unsupported-tensor-api"
    message = "Tensor API not supported by torch.jit.script"
    fix_safety = "safe or unsafe (see Fix safety)"
    evidence = ("s508", "s509", "s501")

    INVALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x + torch.Tensor([1.0, 2.0, 3.0])  # MARK
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                mask = (x > 1).bool()  # MARK
                return x * mask
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * x.nelement() + x.ndimension()  # MARK
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                eps = torch.finfo(x.dtype).eps  # MARK
                return x + eps
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                w = torch.zeros(3, requires_grad=True)  # MARK
                return x + w
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                if x.dtype.is_floating_point:  # MARK
                    return x * 2
                return x
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x * x.size().numel()  # MARK
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                (idx,) = torch.nonzero(x > 1, as_tuple=True)  # MARK
                return idx
            """,
        ),
        Example(
            """
            import torch

            class M(torch.nn.Module):
                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    if torch.cuda.is_available():  # MARK
                        return x.cuda()
                    return x
            """,
            root="M",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                return x.unique()  # MARK
            """,
            inputs="[(torch.tensor([3.0, 1.0, 3.0]),)]",
        ),
    ]
    VALID = [
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                mask = (x > 1).to(torch.bool)
                w = torch.zeros(3).requires_grad_(True)
                n = x.numel() + x.dim() + x.element_size()
                if x.is_floating_point() and isinstance(x, torch.Tensor):
                    n += 1
                u = torch.unique(x)
                return (x * mask + w) * n + u.sum() + torch.FloatTensor([1.0, 2.0, 3.0])
            """,
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                y = x.new_zeros(3) + torch.tensor([1.0, 2.0, 3.0], dtype=x.dtype, device=x.device,
                                                   requires_grad=True)
                idx = torch.nonzero(x > 1)
                return y.T * x.shape[0] + x.nbytes + idx.sum() + x.type_as(y).detach()
            """,
        ),
    ]

    # -- Tensor methods, properties, dtype properties, size().numel() ------------------------
    def visit_Attribute(self, node: cst.Attribute, ctx) -> None:
        attr = node.attr.value
        if attr in _METHODS or attr in _PROPERTIES:
            if ctx.type_of(node.value) != TENSOR:
                return
            self._tensor_member(node, attr, ctx)
        elif attr in _DTYPE_PROPERTIES:
            if ctx.type_of(node.value) != DTYPE:
                return
            call = ctx.parent
            if isinstance(call, cst.Call) and call.func is node:
                return  # e.g. `x.dtype.is_floating_point()` is another error; not claimed here
            fix = None
            base = node.value
            method = _DTYPE_PROPERTIES[attr]
            if (method is not None and isinstance(base, cst.Attribute) and base.attr.value == "dtype"
                    and ctx.type_of(base.value) == TENSOR):
                fix = ctx.safe_fix(f"Use `.{method}()` of the Tensor",
                                   [(node, f"{ctx.code_of(base.value)}.{method}()")])
            ctx.report(node, f"`dtype.{attr}` is not available in TorchScript (a dtype is an int there)"
                             + (f": use `x.{method}()` on the Tensor" if method else ""), fix=fix)
        elif attr == "numel":
            call = ctx.parent
            if not (isinstance(call, cst.Call) and call.func is node and not call.args):
                return
            base = node.value
            if ctx.type_of(base) != SIZE:
                return
            fix = None
            if (isinstance(base, cst.Call) and isinstance(base.func, cst.Attribute) and base.func.attr.value == "size"
                    and not base.args and ctx.type_of(base.func.value) == TENSOR):
                fix = ctx.safe_fix("Use `x.numel()`", [(call, f"{ctx.code_of(base.func.value)}.numel()")])
            elif (isinstance(base, cst.Attribute) and base.attr.value == "shape"
                    and ctx.type_of(base.value) == TENSOR):
                fix = ctx.safe_fix("Use `x.numel()`", [(call, f"{ctx.code_of(base.value)}.numel()")])
            ctx.report(call, "`size().numel()` is not supported by torch.jit.script (a size is a List[int]): "
                             "use `x.numel()`", fix=fix)

    def _tensor_member(self, node: cst.Attribute, attr: str, ctx) -> None:
        call = ctx.parent
        is_call = isinstance(call, cst.Call) and call.func is node
        receiver = ctx.code_of(node.value)
        if attr in _PROPERTIES:
            ctx.report(node, f"Tensor property `.{attr}` is not available in TorchScript: {_PROPERTIES[attr]}")
            return
        fix = None
        if is_call:
            torch_name = _torch_alias(ctx)
            simple = _SIMPLE_FIXES.get(attr)
            if simple is not None and not call.args and (torch_name or attr in ("nelement", "ndimension")):
                fix = ctx.safe_fix(f"Replace `.{attr}()`", [(call, simple(receiver, torch_name))])
            elif attr == "new" and call.args and all(
                    a.keyword is None and not a.star and (isinstance(a.value, cst.Integer)
                                                          or ctx.type_of(a.value) in (INT, SINT))
                    for a in call.args):
                # `x.new(n, m)` with int sizes: an uninitialised Tensor of x's dtype and device
                sizes = ", ".join(ctx.code_of(a.value) for a in call.args)
                if len(call.args) > 1:
                    sizes = f"[{sizes}]"
                fix = ctx.safe_fix("Use `x.new_empty(sizes)`", [(call, f"{receiver}.new_empty({sizes})")])
            elif (attr == "new_tensor" and torch_name and isinstance(node.value, cst.Name) and len(call.args) == 1
                    and call.args[0].keyword is None and not call.args[0].star):
                fix = ctx.safe_fix("Use `torch.tensor(data, dtype=x.dtype, device=x.device)`",
                                   [(call, f"{torch_name}.tensor({ctx.code_of(call.args[0].value)}, "
                                           f"dtype={receiver}.dtype, device={receiver}.device)")])
            elif attr == "unique" and torch_name and not any(a.star for a in call.args):
                rest = "".join(", " + ctx.code_of(a.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for a in call.args)
                fix = ctx.safe_fix("Use `torch.unique`", [(call, f"{torch_name}.unique({receiver}{rest})")])
            target = call
        else:
            target = node
        ctx.report(target, f"Tensor method `.{attr}()` is not supported by torch.jit.script: {_METHODS[attr]}",
                   fix=fix)

    # -- torch functions, legacy constructors, factory keywords -------------------------------
    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            name = func.attr.value
        elif isinstance(func, cst.Name):
            name = func.value
        else:
            return
        if isinstance(func, cst.Attribute) and (name in _NEW_METHODS or name == "nonzero"):
            if ctx.type_of(func.value) == TENSOR:
                self._keywords(node, name, ctx, method=True)
                return
            if name != "nonzero":
                return
        if not (name in _FACTORIES or name == "nonzero" or name.endswith("Tensor") or name in (
                "finfo", "iinfo", "get_default_dtype", "set_default_dtype", "is_tensor", "is_storage",
                "from_numpy", "typename", "get_num_threads", "seed", "is_available")):
            return
        qual = ctx.resolve(func)
        if qual is None or not qual.startswith("torch."):
            return
        if qual == "torch.Tensor" or (qual.startswith("torch.cuda.") and qual.endswith("Tensor")):
            fix = None
            torch_name = _torch_alias(ctx)
            if (qual == "torch.Tensor" and torch_name and len(node.args) == 1 and node.args[0].keyword is None
                    and isinstance(node.args[0].value, (cst.List, cst.Tuple))):
                fix = ctx.unsafe_fix("Use `torch.tensor(data, dtype=torch.float)`",
                                     [(node, f"{torch_name}.tensor({ctx.code_of(node.args[0].value)}, "
                                             f"dtype={torch_name}.float)")])
            ctx.report(node, f"legacy constructor `{qual}(...)` is not supported by torch.jit.script: use "
                             f"`torch.tensor(data, dtype=...)` for data or `torch.empty(sizes)` for sizes",
                       fix=fix)
            return
        hint = _FUNCTIONS.get(qual)
        if hint is not None:
            fix = _info_constant(qual, node, ctx)
            if (qual == "torch.is_tensor" and len(node.args) == 1 and node.args[0].keyword is None
                    and _torch_alias(ctx) and ctx.resolve(cst.Name("isinstance")) == "builtins.isinstance"):
                fix = ctx.safe_fix("Use `isinstance(x, torch.Tensor)`",
                                   [(node, f"isinstance({ctx.code_of(node.args[0].value)}, torch.Tensor)")])
            ctx.report(node, f"`{qual}()` is not supported by torch.jit.script: {hint}", fix=fix)
            return
        if qual.count(".") == 1 and (name in _FACTORIES or name == "nonzero"):
            self._keywords(node, name, ctx, method=False)

    def _keywords(self, node: cst.Call, name: str, ctx, method: bool) -> None:
        keywords = {a.keyword.value: a for a in node.args if a.keyword is not None}
        spelled = f".{name}" if method else f"torch.{name}"
        if name == "nonzero":
            arg = keywords.get("as_tuple")
            if arg is None:
                return
            fix = None
            if isinstance(arg.value, cst.Name) and arg.value.value == "False":
                fix = ctx.safe_fix("Drop `as_tuple=False`", [(node, ctx.code_of(_without_arg(node, arg)))])
            elif isinstance(arg.value, cst.Name) and arg.value.value == "True":
                fix = ctx.unsafe_fix("Use `.unbind(1)` of the index Tensor",
                                     [(node, ctx.code_of(_without_arg(node, arg)) + ".unbind(1)")])
            ctx.report(node, f"`{spelled}(..., as_tuple=...)` is not supported by torch.jit.script: use "
                             f"`{spelled}(...)` (an [n, dim] index Tensor) and `.unbind(1)` for per-dim indices",
                       fix=fix)
            return
        arg = keywords.get("requires_grad")
        if arg is None:
            return
        stripped = ctx.code_of(_without_arg(node, arg))
        value = arg.value
        if isinstance(value, cst.Name) and value.value == "False":
            new = stripped
        else:
            new = f"{stripped}.requires_grad_({ctx.code_of(value)})"
        fix = ctx.safe_fix("Move `requires_grad` to `.requires_grad_()`", [(node, new)])
        ctx.report(node, f"`{spelled}(..., requires_grad=...)` is not supported by torch.jit.script: "
                         f"call `.requires_grad_()` on the result (or drop `requires_grad=False`)", fix=fix)
