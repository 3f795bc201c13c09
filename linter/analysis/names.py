"""Name resolution without metadata providers: a file's imports and top-level bindings.

libcst's QualifiedNameProvider costs several parses per file; the rules only need to know
what a dotted name such as ``F.relu`` or ``nn.Module`` refers to, which a single look at the
module's top-level statements answers. Function-local shadowing of an imported name is
handled by the per-function analysis (locals win over this table).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Dict, Iterator, Optional, Set

import libcst as cst

BUILTIN_NAMES = frozenset(dir(builtins))


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def module_dotted(node: Optional[cst.CSTNode]) -> str:
    if node is None:
        return ""
    name = dotted_name(node)
    return name or ""


@dataclass
class Binding:
    """What a top-level name is bound to: an import target or a local definition."""

    kind: str  # "import", "function", "class", "value", "type-checking-import"
    target: str  # fully qualified dotted name for imports/defs; a value kind for "value"
    line: int = 0


@dataclass
class NameTable:
    module: str  # this file's dotted module name
    package: str  # the package relative imports are resolved against
    bindings: Dict[str, Binding] = field(default_factory=dict)
    type_checking_names: Set[str] = field(default_factory=set)

    def resolve(self, dotted: Optional[str]) -> Optional[str]:
        """The fully qualified name of a dotted expression, as far as imports tell.

        ``F.relu`` -> ``torch.nn.functional.relu`` given ``import torch.nn.functional as F``;
        a top-level def ``helper`` -> ``<module>.helper``; builtins -> ``builtins.len``.
        Returns None for names this table does not bind (locals, unknown globals).
        """
        if not dotted:
            return None
        head, _, rest = dotted.partition(".")
        binding = self.bindings.get(head)
        if binding is None:
            if head in BUILTIN_NAMES:
                base = "builtins." + head
            else:
                return None
        elif binding.kind in ("import", "type-checking-import", "function", "class"):
            base = binding.target
        else:
            return None
        return base + "." + rest if rest else base

    def value_kind(self, name: str) -> Optional[Binding]:
        b = self.bindings.get(name)
        return b if b is not None and b.kind == "value" else None


def resolve_relative(package: str, level: int, module: str) -> str:
    parts = package.split(".") if package else []
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    if module:
        return f"{base}.{module}" if base else module
    return base


def _import_bindings(stmt: cst.BaseSmallStatement, table: NameTable, line: int, kind: str) -> None:
    if isinstance(stmt, cst.Import):
        for alias in stmt.names:
            full = module_dotted(alias.name)
            if alias.asname is not None:
                table.bindings[dotted_name(alias.asname.name) or full] = Binding(kind, full, line)
            else:
                head = full.split(".")[0]
                table.bindings[head] = Binding(kind, head, line)
    elif isinstance(stmt, cst.ImportFrom):
        level = len(stmt.relative)
        mod = module_dotted(stmt.module)
        if level:
            mod = resolve_relative(table.package, level, mod)
        if isinstance(stmt.names, cst.ImportStar):
            return
        for alias in stmt.names:
            name = module_dotted(alias.name)
            local = dotted_name(alias.asname.name) if alias.asname is not None else name
            if local:
                table.bindings[local] = Binding(kind, f"{mod}.{name}" if mod else name, line)
                if kind == "type-checking-import":
                    table.type_checking_names.add(local)


def _is_type_checking_test(test: cst.BaseExpression) -> bool:
    name = dotted_name(test)
    return name in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def iter_top_level(body, in_type_checking: bool = False) -> Iterator[tuple]:
    """Top-level statements, descending into module-level if/try blocks (guarded imports)."""
    for stmt in body:
        if isinstance(stmt, cst.If):
            tc = in_type_checking or _is_type_checking_test(stmt.test)
            yield from iter_top_level(stmt.body.body, tc)
            orelse = stmt.orelse
            while orelse is not None:
                if isinstance(orelse, cst.If):
                    yield from iter_top_level(orelse.body.body, in_type_checking)
                    orelse = orelse.orelse
                else:
                    yield from iter_top_level(orelse.body.body, in_type_checking)
                    orelse = None
        elif isinstance(stmt, cst.Try):
            yield from iter_top_level(stmt.body.body, in_type_checking)
            for handler in stmt.handlers:
                yield from iter_top_level(handler.body.body, in_type_checking)
            if stmt.orelse is not None:
                yield from iter_top_level(stmt.orelse.body.body, in_type_checking)
        else:
            yield stmt, in_type_checking
