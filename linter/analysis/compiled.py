"""Compiled or not: the TorchScript decorators and what they make of a function.

``@torch.jit.ignore``/``unused``/``export``/``_overload``, functions the compiler never
compiles (module ``__init__``, ``*args``), overload implementations compiled with their
declarations' signatures, and type-comment signatures. Shared by the JIT1/JIT2/JIT5 rules.
"""

from __future__ import annotations

from typing import List, Optional

import libcst as cst

from .names import NameTable, dotted_name

JIT_FLAGS = {
    "torch.jit.export": "export",
    "torch.jit.ignore": "ignore",
    "torch.jit.unused": "unused",
    "torch.jit.script": "script",
    "torch.jit.script_if_tracing": "script_if_tracing",
    "torch.jit._overload_method": "overload",
    "torch.jit._overload": "overload",
    "torch.jit.script_method": "script_method",
    "torch.jit._script.script_method": "script_method",
}


def decorator_name(dec: cst.Decorator, names: NameTable) -> str:
    node = dec.decorator
    if isinstance(node, cst.Call):
        node = node.func
    dotted = dotted_name(node)
    if dotted is None:
        return "<expr>"
    return names.resolve(dotted) or dotted


def jit_flag(fn: cst.FunctionDef, ctx) -> Optional[str]:
    """"ignore" / "unused" for a function decorated with torch.jit.ignore / unused
    (``ignore(drop=True)`` is ``unused``)."""
    for dec in fn.decorators:
        flag = JIT_FLAGS.get(decorator_name(dec, ctx.names))
        if flag == "ignore" and isinstance(dec.decorator, cst.Call):
            for arg in dec.decorator.args:
                if (arg.keyword is None or arg.keyword.value == "drop") and isinstance(arg.value, cst.Name) \
                        and arg.value.value == "True":
                    flag = "unused"
        if flag in ("ignore", "unused"):
            return flag
    return None


def never_compiled(ctx) -> bool:
    """Functions torch.jit.script never compiles, known from this file alone: ``__init__`` of an
    nn.Module (modules are compiled from their instances), and functions with ``*args`` or
    ``**kwargs`` (rejected outright, JIT117). Findings there would be dropped by the reach
    step anyway; skipping them early saves the work."""
    info = ctx.function
    if info is None:
        return True
    scratch = ctx.scratch
    cached = scratch.get("never_compiled")
    if cached is None:
        cached = (info.name == "__init__" and info.class_facts is not None and info.class_facts.is_module_guess) or \
            any(p.kind in ("star", "starstar") for p in info.params)
        scratch["never_compiled"] = cached
    return cached


def functions_named(name: str, siblings, ctx) -> List[cst.FunctionDef]:
    """The ``def name`` statements among ``siblings`` (a module or class body).

    Indexed once per body and file: looking up a function's overload declarations by scanning
    the whole body for every function made one large file quadratic."""
    index = ctx.file.__dict__.setdefault("_functions_by_name", {})
    key = id(siblings)
    by_name = index.get(key)
    if by_name is None:
        by_name = {}
        for stmt in siblings:
            if isinstance(stmt, cst.FunctionDef):
                by_name.setdefault(stmt.name.value, []).append(stmt)
        index[key] = by_name
    return by_name.get(name, [])


def overload_implementation(ctx) -> bool:
    """The implementation of a function or method with ``@torch.jit._overload(_method)``
    declarations: TorchScript compiles it with each declaration's signature, so its own
    (usually unannotated) signature is not what the compiler sees."""
    info = ctx.function
    fn = info.node
    siblings = info.class_node.body.body if info.class_node is not None else ctx.file.module.body
    for stmt in functions_named(fn.name.value, siblings, ctx):
        if stmt is not fn:
            for dec in stmt.decorators:
                node = dec.decorator.func if isinstance(dec.decorator, cst.Call) else dec.decorator
                name = ctx.names.resolve(dotted_name(node)) or dotted_name(node) or ""
                if name.rsplit(".", 1)[-1] in ("_overload", "_overload_method"):
                    return True
    return False


def has_type_comment(fn: cst.FunctionDef, ctx) -> bool:
    """Whether TorchScript may take the signature from a ``# type: (...) -> ...`` comment.

    torch.jit.annotations uses a type comment only when the signature has no annotation at
    all; it finds it anywhere in the function's source (``# type: ignore`` excepted)."""
    info = ctx.function
    if info.return_annotation is not None or any(p.annotation is not None for p in info.params):
        return False
    has_any = ctx.file.__dict__.get("_has_type_comments")
    if has_any is None:  # once per file, not once per function
        source = ctx.file.source
        has_any = ctx.file.__dict__["_has_type_comments"] = "# type:" in source or "#type:" in source
    if not has_any:
        return False
    for line in ctx.code_of(fn).splitlines():
        at = line.find("# type:")
        if at < 0:
            at = line.find("#type:")
        if at >= 0 and not line[at:].split(":", 1)[1].strip().startswith("ignore"):
            return True
    return False
