import re
from typing import Optional

import libcst as cst

from ..analysis.typecheck.lattice import BOOL, INT, SINT, SIZE, STR, TENSOR, kind
from .base import Example, Rule

# Builtins the compiler rejects whatever their arguments ("Python builtin <...> is currently
# not supported in Torchscript", or schema errors such as "iter(Tensor 0) -> Tensor 0").
_ALWAYS = {
    "id": "use `a is b` to compare identities",
    "next": "index the list (`xs[0]`) or loop over it",
    "iter": "loop over the container directly",
    "map": "use a list comprehension",
    "filter": "use a list comprehension with a loop and an `if` statement",
    "callable": "check the type with `isinstance` or restructure the code",
    "setattr": "assign the attribute directly (`self.name = value`, declared in `__init__`)",
    "delattr": "keep the attribute and reset its value instead",
    "repr": "use `str(...)`",
    "format": "use `str(...)` or an f-string without a format spec",
    "ascii": "use `str(...)`",
    "vars": "read the attributes you need explicitly",
    "dir": "read the attributes you need explicitly",
    "globals": "pass the values in as arguments",
    "locals": "pass the values in as arguments",
    "input": "read input outside the model",
    "open": "do file I/O outside the model",
    "eval": "write the expression as code",
    "exec": "write the statements as code",
    "compile": "write the code directly",
    "issubclass": "compare with `isinstance` on an instance",
    "bytes": "keep the data as a str or a Tensor",
    "bytearray": "keep the data as a str or a Tensor",
    "memoryview": "keep the data as a Tensor",
    "breakpoint": "debug the eager module instead",
}
_CANDIDATES = frozenset(_ALWAYS) | {
    "type", "reversed", "getattr", "sorted", "max", "min", "round", "sum", "tuple", "pow",
}


def _is_string_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _is_string_literal(node.left) and _is_string_literal(node.right)
    return False


def _is_module_api_call(node: cst.BaseExpression) -> bool:
    """``self.parameters()`` & co. (reported by JIT143, which names the real problem)."""
    from ..analysis.torch_api import MODULE_APIS

    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return False
    owner = node.func.value
    while isinstance(owner, cst.Attribute):
        owner = owner.value
    return isinstance(owner, cst.Name) and owner.value == "self" and node.func.attr.value in MODULE_APIS


class UnsupportedBuiltin(Rule):
    """
    ## What it does
    Flags calls of Python builtins, or forms of builtins, that ``torch.jit.script`` does not
    compile: ``type(x)``, ``id(x)``, ``next``, ``iter``, ``map``, ``filter``, ``callable``,
    ``setattr``/``delattr``, ``getattr`` with a non-literal name, ``reversed`` on anything but a
    Tensor, ``sorted(..., key=/reverse=)``, ``min``/``max`` with ``key=``/``default=``,
    ``sorted``/``min``/``max`` over a dict, ``round(v, n)``, ``sum(xs, start)``, ``sum`` of a list
    of Tensors, ``tuple(list)``, three-argument ``pow``, ``repr``, ``format``, ``vars``,
    ``dir``, ``eval``, ``open``...

    ## Why is this bad?
    TorchScript only knows a subset of the builtins, with fixed signatures. The others are
    rejected ("Python builtin <built-in function next> is currently not supported in
    Torchscript", "builtin cannot be used as a value", "Arguments for call are not valid",
    "getattr's second argument must be a string literal", "cannot statically infer the
    expected size of a list in this context"). ``type(x)`` of a Tensor even compiles to
    something else than the class. Names shadowed by a local variable or an import are not
    builtins and are not flagged.

    ## Example
    ```python
    def fn(x: torch.Tensor, y: torch.Tensor) -> bool:
        return id(x) == id(y)

    def first(xs: List[int]) -> int:
        return next(iter(xs))
    ```

    ## Use instead
    ```python
    def fn(x: torch.Tensor, y: torch.Tensor) -> bool:
        return x is y

    def first(xs: List[int]) -> int:
        return xs[0]
    ```
    ``sorted(xs)``, ``min``/``max`` of a list or of several values, ``sum(xs)``, ``round(v)``,
    ``abs``, ``divmod``, ``enumerate``, ``zip``, ``getattr(self, "literal")`` and ``hasattr`` are
    supported.

    ## Fix safety
    Safe fixes, each exactly equivalent in eager Python: ``id(a) == id(b)`` -> ``a is b`` (and
    ``!=`` -> ``is not``; names only, as temporaries may share an id), ``sorted(d)`` of a dict ->
    ``sorted(d.keys())``, ``sorted(xs, reverse=True)`` of ints/strs/bools ->
    ``sorted(xs)[::-1]`` (equal elements are indistinguishable; not for floats: ``-0.0``/``nan``),
    ``min(xs, default=d)`` -> ``(min(xs) if len(xs) > 0 else d)``, ``sum(xs, s)`` of ints ->
    ``(s + sum(xs))``, ``list(map(f, xs))`` -> ``[f(v) for v in xs]``, ``list(filter(f, xs))``
    -> ``[v for v in xs if f(v)]`` (``filter(None, xs)``: ``if bool(v)``; JIT124 then turns the
    comprehension's ``if`` into a loop), ``list(reversed(xs))`` ->
    ``xs[::-1]``, ``reversed(xs)`` in a comprehension that calls nothing -> ``xs[::-1]``, and
    ``type(v) == bool`` -> ``isinstance(v, bool)``. Unsafe fixes: ``reversed(xs)`` in a ``for``
    loop -> ``xs[::-1]`` (differs if the body mutates the list), ``next(iter(xs))`` ->
    ``xs[0]`` (IndexError instead of StopIteration on an empty list), ``type(v) == int`` ->
    ``isinstance(v, int)`` (true for bools and subclasses too), ``sum(ts)`` of Tensors ->
    ``torch.stack(ts).sum(0)`` (needs equal shapes and dtypes, sums integer Tensors to int64,
    may round differently over many Tensors), ``tuple(x.shape)`` -> ``x.shape`` (a
    ``torch.Size``, a tuple subclass). Note that compiled ``is`` on Tensors may be true for
    distinct Tensors (``x is x * 1``).
    """

    code = "JIT134"
    name = "unsupported-builtin"
    message = "this builtin is not supported by torch.jit.script"
    fix_safety = "safe or unsafe (see Fix safety)"
    evidence = ("s320", "s321", "s507", "s232", "s432", "s231")

    INVALID = [
        Example(
            """
            from typing import Union
            import torch

            def fn(x: torch.Tensor, k: Union[int, float]) -> torch.Tensor:
                if type(k) == int:  # MARK
                    return x * k
                return x
            """,
            inputs="[(torch.arange(3.0), 2)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, y: torch.Tensor) -> bool:
                return id(x) == id(y)  # MARK
            """,
            inputs="[(torch.ones(1), torch.ones(1))]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[int]) -> int:
                return next(iter(xs))  # MARK
            """,
            inputs="[([3, 1, 2],)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[int]) -> List[int]:
                return sorted(xs, reverse=True)  # MARK
            """,
            inputs="[([3, 1, 2],)]",
        ),
        Example(
            """
            from typing import List
            import torch

            def fn(xs: List[torch.Tensor]) -> torch.Tensor:
                return sum(xs)  # MARK
            """,
            inputs="[([torch.ones(2), torch.ones(2)],)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor) -> torch.Tensor:
                shape = tuple(x.shape)  # MARK
                return x.reshape(shape)
            """,
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layer0 = nn.Linear(3, 3)
                    self.layer1 = nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for i in range(2):
                        x = getattr(self, f"layer{i}")(x)  # MARK
                    return x
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
        Example(
            """
            import torch

            def fn(x: torch.Tensor, v: float) -> torch.Tensor:
                return x * round(v, 2)  # MARK
            """,
            inputs="[(torch.ones(3), 1.234)]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.layers = nn.ModuleList([nn.Linear(2, 2), nn.ReLU()])

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    for layer in reversed(self.layers):  # MARK
                        x = layer(x)
                    return x
            """,
            root="M",
            inputs="[(torch.ones(1, 2),)]",
        ),
    ]
    VALID = [
        Example(
            """
            from typing import List, Union
            import torch

            def fn(x: torch.Tensor, y: torch.Tensor, k: Union[int, float], xs: List[int]) -> torch.Tensor:
                n = sorted(xs)[0] + max(xs) + min(xs) + sum(xs) + abs(-3)
                for i, v in enumerate(xs):
                    n += i * v
                for a, b in zip(xs, xs):
                    n += a - b
                if isinstance(k, int) and x is not y:
                    n += 1
                return x * n
            """,
            inputs="[(torch.ones(3), torch.ones(3), 2, [3, 1, 2])]",
        ),
        Example(
            """
            import torch
            from torch import nn

            class M(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.k = 2
                    self.lin = nn.Linear(3, 3)

                def forward(self, x: torch.Tensor) -> torch.Tensor:
                    k = getattr(self, "k")
                    if hasattr(self, "missing"):
                        k = 100
                    return getattr(self, "lin")(x) * k
            """,
            root="M",
            inputs="[(torch.ones(1, 3),)]",
        ),
        Example(
            """
            from typing import List, Tuple
            import torch

            def fn(x: torch.Tensor, t: Tuple[int, int], type: int) -> torch.Tensor:
                # `type` is a parameter here, not the builtin
                s = list(t)
                u = tuple(t)
                return x.flip(0) * type + s[0] + u[1]
            """,
            inputs="[(torch.arange(3.0), (1, 2), 3)]",
        ),
    ]

    def visit_Call(self, node: cst.Call, ctx) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            name = func.value
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "builtins":
            name = func.attr.value
        else:
            return
        if name not in _CANDIDATES or ctx.resolve(func) != f"builtins.{name}":
            return
        hint = _ALWAYS.get(name)
        if hint is not None:
            if name in ("next", "iter", "list") and node.args and _is_module_api_call(node.args[0].value):
                return  # JIT143 reports the module API call itself
            ctx.report(node, f"`{name}()` is not supported by torch.jit.script: {hint}", fix=_fix(name, node, ctx))
            return
        problem = self._problem(name, node, ctx)
        if problem is not None:
            ctx.report(node, problem, fix=_fix(name, node, ctx))

    def _problem(self, name: str, node: cst.Call, ctx) -> Optional[str]:  # noqa: C901 - one case per builtin
        args = [a for a in node.args if a.keyword is None and not a.star]
        keywords = [a.keyword.value for a in node.args if a.keyword is not None]
        if name == "type":
            if len(args) == 1 and isinstance(args[0].value, cst.Name) and args[0].value.value == "self":
                return None  # JIT142 (class-name introspection)
            parent = ctx.parent
            if (len(args) == 1 and ctx.type_of(args[0].value) == TENSOR
                    and not isinstance(parent, (cst.Attribute, cst.Comparison, cst.ComparisonTarget))):
                return None  # `type(tensor)` alone compiles (e.g. in an error message)
            return ("`type()` is not supported by torch.jit.script (rejected, and for a Tensor compiled "
                    "to something other than its class): use `isinstance(x, T)`")
        if name == "reversed":
            if len(args) != 1:
                return None
            t = ctx.type_of(args[0].value)
            if t is None or t == TENSOR:
                return None
            return ("`reversed()` is not supported by torch.jit.script except on a Tensor: loop over "
                    "`range(len(xs) - 1, -1, -1)` and index instead")
        if name == "getattr":
            if len(args) >= 2 and not _is_string_literal(args[1].value):
                return ("`getattr()` with a non-literal attribute name is not supported by torch.jit.script "
                        "(its second argument must be a string literal)")
            return None
        if name in ("sorted", "max", "min"):
            bad_kw = [k for k in keywords if k in ("key", "reverse", "default")]
            if bad_kw:
                extra = " (sort ascending, then reverse the list with a loop)" if bad_kw[0] == "reverse" else ""
                return f"`{name}(..., {bad_kw[0]}=...)` is not supported by torch.jit.script{extra}"
            if len(args) == 1 and kind(ctx.type_of(args[0].value)) == "dict":
                return (f"`{name}()` over a dict is not supported by torch.jit.script: "
                        f"use `{name}(d.keys())`" if name == "sorted" else
                        f"`{name}()` over a dict is not supported by torch.jit.script: use `{name}(list(d.keys()))`")
            return None
        if name == "round":
            if len(args) == 2 or "ndigits" in keywords:
                return ("`round(v, ndigits)` is not supported by torch.jit.script (only `round(v)`); "
                        "use `torch.round(t, decimals=n)` for Tensors")
            return None
        if name == "sum":
            if len(args) == 2 or "start" in keywords:
                return "`sum(xs, start)` is not supported by torch.jit.script: add the start value separately"
            if len(args) == 1 and ctx.type_of(args[0].value) == ("list", TENSOR):
                return ("`sum()` of a list of Tensors is not supported by torch.jit.script: accumulate in a "
                        "loop (or `torch.stack(xs).sum(0)` when the shapes are equal)")
            return None
        if name == "tuple":
            if len(args) != 1:
                return None
            arg = args[0].value
            t = ctx.type_of(arg)
            if isinstance(arg, (cst.List, cst.ListComp)) or kind(t) == "list" or t in (SIZE, STR):
                return ("`tuple()` of a list is not supported by torch.jit.script (it cannot infer the tuple's "
                        "length): keep the list, or build the tuple explicitly `(xs[0], xs[1])`")
            return None
        if name == "pow":
            if len(args) == 3:
                return "three-argument `pow(a, b, mod)` is not supported by torch.jit.script: use `(a ** b) % mod`"
        return None


# -- fixes ----------------------------------------------------------------------------------
# Each rewrite below was checked on real values in eager Python (ints, strs, bools, floats
# with -0.0 and nan, empty lists) and with the compiler (tests/codemods/fixtures/builtin_*).
_EXACT_ORDER = frozenset({INT, SINT, STR, BOOL})  # equal elements are indistinguishable
_INT = frozenset({INT, SINT})


def _positional(node: cst.Call):
    return [a for a in node.args if a.keyword is None and not a.star]


def _keyword(node: cst.Call, name: str) -> Optional[cst.Arg]:
    for a in node.args:
        if a.keyword is not None and a.keyword.value == name:
            return a
    return None


def _is_pure(node: cst.BaseExpression) -> bool:
    """A name or a literal: evaluating it has no effect and gives the same object each time."""
    if isinstance(node, cst.Name):
        return True
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return isinstance(node.expression, (cst.Integer, cst.Float))
    return False


def _is_comprehension_iter(comp, node) -> bool:
    f = comp.for_in
    while f is not None:
        if f.iter is node:
            return True
        f = f.inner_for_in
    return False


def _calls_outside(comp, node) -> bool:
    """Whether the comprehension calls anything besides ``node`` (which may mutate the list)."""
    found = []

    class V(cst.CSTVisitor):
        def visit_Call(self, call):
            if call is node:
                return False
            found.append(call)
            return False

    comp.visit(V())
    return bool(found)


def _torch(ctx) -> Optional[str]:
    binding = ctx.names.bindings.get("torch")
    if binding is not None and binding.kind == "import" and binding.target == "torch":
        if ctx.infer is None or "torch" not in ctx.infer.locals:
            return "torch"
    return None


def _wrapping_list_call(args, keywords, parent, parents, ctx) -> Optional[cst.Call]:
    """The ``list(...)`` call around ``map(f, xs)`` / ``filter(f, xs)`` (two positional arguments,
    the builtin ``list`` with that one argument), which their fixes replace whole; else None."""
    if len(args) != 2 or keywords or not isinstance(parent, cst.Arg) or len(parents) < 2:
        return None
    call = parents[-2]
    if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "list"
            and len(call.args) == 1 and ctx.resolve(call.func) == "builtins.list"):
        return None
    return call


def _fix(name: str, node: cst.Call, ctx):  # noqa: C901 - one case per builtin
    if any(a.star for a in node.args):
        return None
    args = _positional(node)
    keywords = [a for a in node.args if a.keyword is not None]
    parents = ctx.parents
    parent = parents[-1] if parents else None
    if name == "id":
        # `id(a) == id(b)` -> `a is b`: both objects are alive during the comparison, so equal
        # ids mean the same object (not so for temporaries, hence names only).
        if not (isinstance(parent, cst.Comparison) and parent.left is node and len(parent.comparisons) == 1):
            return None
        target = parent.comparisons[0]
        other = target.comparator
        op = {cst.Equal: "is", cst.NotEqual: "is not"}.get(type(target.operator))
        if (op is None or len(args) != 1 or keywords or not isinstance(other, cst.Call)
                or not isinstance(other.func, cst.Name) or other.func.value != "id"
                or ctx.resolve(other.func) != "builtins.id" or len(other.args) != 1
                or other.args[0].keyword is not None or other.args[0].star
                or not isinstance(args[0].value, cst.Name) or not isinstance(other.args[0].value, cst.Name)):
            return None
        return ctx.safe_fix(f"Use `a {op} b`", [(parent, f"{args[0].value.value} {op} {other.args[0].value.value}")])
    if name == "sorted":
        if len(args) != 1:
            return None
        t = ctx.type_of(args[0].value)
        xs = ctx.code_of(args[0].value)
        if not keywords and kind(t) == "dict":
            return ctx.safe_fix("Sort the keys: `sorted(d.keys())`", [(node, f"sorted({xs}.keys())")])
        reverse = _keyword(node, "reverse")
        if (len(keywords) == 1 and reverse is not None and isinstance(reverse.value, cst.Name)
                and reverse.value.value in ("True", "False") and kind(t) == "list" and t[1] in _EXACT_ORDER):
            new = f"sorted({xs})[::-1]" if reverse.value.value == "True" else f"sorted({xs})"
            return ctx.safe_fix("Sort ascending and reverse the list", [(node, new)])
        return None
    if name in ("min", "max"):
        default = _keyword(node, "default")
        if (len(args) == 1 and len(keywords) == 1 and default is not None and isinstance(args[0].value, cst.Name)
                and kind(ctx.type_of(args[0].value)) == "list" and _is_pure(default.value)):
            xs = args[0].value.value
            return ctx.safe_fix(f"Test for an empty list instead of `default=`",
                                [(node, f"({name}({xs}) if len({xs}) > 0 else {ctx.code_of(default.value)})")])
        return None
    if name == "sum":
        t = ctx.type_of(args[0].value) if args else None
        if len(args) == 2 and not keywords and kind(t) == "list" and t[1] in _INT and _is_pure(args[1].value) \
                and ctx.type_of(args[1].value) in _INT:
            # int addition is associative: start + sum(xs) == sum(xs, start)
            return ctx.safe_fix("Add the start value separately",
                                [(node, f"({ctx.code_of(args[1].value)} + sum({ctx.code_of(args[0].value)}))")])
        torch_name = _torch(ctx)
        if len(args) == 1 and not keywords and t == ("list", TENSOR) and torch_name:
            return ctx.unsafe_fix("Use `torch.stack(xs).sum(0)`",
                                  [(node, f"{torch_name}.stack({ctx.code_of(args[0].value)}).sum(0)")])
        return None
    if name == "reversed":
        if len(args) != 1 or keywords or kind(ctx.type_of(args[0].value)) != "list":
            return None
        new = f"{ctx.code_of(args[0].value)}[::-1]"
        if isinstance(parent, cst.Arg) and len(parents) >= 2:
            call = parents[-2]
            if (isinstance(call, cst.Call) and isinstance(call.func, cst.Name) and call.func.value == "list"
                    and len(call.args) == 1 and ctx.resolve(call.func) == "builtins.list"):
                return ctx.safe_fix("Use a reversed copy `xs[::-1]`", [(call, new)])
            return None
        if isinstance(parent, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)) \
                and _is_comprehension_iter(parent, node):
            # the copy is taken before the loop: the same as long as nothing mutates the list
            if not _calls_outside(parent, node):
                return ctx.safe_fix("Loop over a reversed copy `xs[::-1]`", [(node, new)])
            return ctx.unsafe_fix("Loop over a reversed copy `xs[::-1]`", [(node, new)])
        if isinstance(parent, cst.For) and parent.iter is node:
            return ctx.unsafe_fix("Loop over a reversed copy `xs[::-1]`", [(node, new)])
        return None
    if name == "map":
        call = _wrapping_list_call(args, keywords, parent, parents, ctx)
        if call is None:
            return None
        func = args[0].value
        if not (isinstance(func, cst.Name) or (isinstance(func, cst.Attribute) and ctx.resolve(func))):
            return None
        code = ctx.code_of(func)
        var = next(v for v in ("v", "_v", "_v0", "_v1", "_v2") if v not in code.split("."))
        return ctx.safe_fix("Use a list comprehension",
                            [(call, f"[{code}({var}) for {var} in {ctx.code_of(args[1].value)}]")])
    if name == "filter":
        # list(filter(f, xs)) -> [v for v in xs if f(v)] (None: the truth test bool(v)); the
        # comprehension's `if` is then JIT124's to turn into a loop
        call = _wrapping_list_call(args, keywords, parent, parents, ctx)
        if call is None:
            return None
        func, xs = args[0].value, ctx.code_of(args[1].value)
        if isinstance(func, cst.Name) and func.value == "None":
            code = None
        elif isinstance(func, cst.Name) or (isinstance(func, cst.Attribute) and ctx.resolve(func)):
            code = ctx.code_of(func)
        else:
            return None
        taken = set(re.findall(r"\w+", f"{code or ''} {xs}"))
        var = next(v for v in ("v", "_v", "_v0", "_v1", "_v2", "_v3") if v not in taken)
        test = f"bool({var})" if code is None else f"{code}({var})"
        return ctx.safe_fix("Use a list comprehension", [(call, f"[{var} for {var} in {xs} if {test}]")])
    if name == "next":
        inner = args[0].value if len(args) == 1 and not keywords else None
        if (isinstance(inner, cst.Call) and isinstance(inner.func, cst.Name) and inner.func.value == "iter"
                and ctx.resolve(inner.func) == "builtins.iter" and len(inner.args) == 1
                and inner.args[0].keyword is None and not inner.args[0].star
                and kind(ctx.type_of(inner.args[0].value)) == "list"):
            return ctx.unsafe_fix("Index the list: `xs[0]`", [(node, f"{ctx.code_of(inner.args[0].value)}[0]")])
        return None
    if name == "type":
        if not (len(args) == 1 and not keywords and isinstance(parent, cst.Comparison) and parent.left is node
                and len(parent.comparisons) == 1):
            return None
        target = parent.comparisons[0]
        if not isinstance(target.operator, (cst.Equal, cst.Is)):
            return None
        cls = target.comparator
        if not isinstance(cls, cst.Name) or cls.value not in ("int", "float", "str", "bool") \
                or ctx.resolve(cls) != f"builtins.{cls.value}":
            return None
        new = f"isinstance({ctx.code_of(args[0].value)}, {cls.value})"
        if cls.value == "bool":  # bool has no subclasses
            return ctx.safe_fix("Use `isinstance`", [(parent, new)])
        return ctx.unsafe_fix("Use `isinstance`", [(parent, new)])
    if name == "tuple":
        if len(args) == 1 and not keywords and ctx.type_of(args[0].value) == SIZE:
            return ctx.unsafe_fix("Keep the size (a `torch.Size`, itself a tuple)",
                                  [(node, ctx.code_of(args[0].value))])
        return None
    return None
