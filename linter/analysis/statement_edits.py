"""Text edits that replace whole statements or parameters, indented exactly like the original.

Rules describe fixes as edits; these helpers build the replacement text (or decline when it
cannot be done exactly, e.g. a multi-line string would be re-indented).
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .syntax import iter_descendants


def _suite_indent(suite, default: str) -> str:
    return suite.indent if getattr(suite, "indent", None) is not None else default


def statement_indent(ctx, stmt: cst.BaseStatement) -> Optional[str]:
    """The leading whitespace of ``stmt``'s first line, from the block structure (no positions
    needed): the class and function body indents plus one per enclosing block. ``stmt`` must be
    the statement being visited or one of its enclosing statements (``ctx.parents``)."""
    fn = ctx.function
    if fn is None or not isinstance(fn.node.body, cst.IndentedBlock):
        return None
    default = ctx.file.module.default_indent
    indent = ""
    if fn.class_node is not None:
        if not isinstance(fn.class_node.body, cst.IndentedBlock):
            return None
        indent += _suite_indent(fn.class_node.body, default)
    indent += _suite_indent(fn.node.body, default)
    chain = [p for p in ctx.parents if isinstance(p, cst.BaseStatement)]
    if stmt in chain:
        chain = chain[:chain.index(stmt) + 1]
    else:
        chain.append(stmt)  # a statement hook runs before the walker enters the statement
    for outer, inner in zip(chain, chain[1:]):
        if isinstance(outer, cst.If) and outer.orelse is inner:
            continue  # `elif`: same level as its `if`
        suites = []
        for name in ("body", "orelse", "finalbody"):
            part = getattr(outer, name, None)
            if isinstance(part, cst.BaseSuite):
                suites.append(part)
            elif part is not None and isinstance(getattr(part, "body", None), cst.BaseSuite):
                suites.append(part.body)
        suites.extend(h.body for h in getattr(outer, "handlers", ()) or ())
        suites.extend(c.body for c in getattr(outer, "cases", ()) or ())
        suite = next((x for x in suites if isinstance(x, cst.IndentedBlock) and any(st is inner for st in x.body)),
                     None)
        if suite is None:
            return None
        indent += _suite_indent(suite, default)
    return indent


def _multiline_string(nodes) -> bool:
    for node in nodes:
        for n in (node, *iter_descendants(node)):
            if isinstance(n, (cst.SimpleString, cst.FormattedStringText)) and "\n" in (
                    n.value if isinstance(n, cst.SimpleString) else n.value):
                return True
    return False


def statement_replacement(ctx, old: cst.BaseStatement, new: list):
    """``(old, text)`` replacing statement ``old`` (being walked, or enclosing the walk) by
    the statements ``new``, indented like ``old``; None when that cannot be done exactly
    (e.g. a multi-line string would be re-indented)."""
    indent = statement_indent(ctx, old)
    if indent is None or not new or _multiline_string(new):
        return None
    module = ctx.file.module
    new = [new[0].with_changes(leading_lines=[])] + list(new[1:])
    code = cst.Module(body=new, default_indent=module.default_indent,
                      default_newline=module.default_newline).code
    lines = code.split(module.default_newline)
    text = lines[0] + "".join(module.default_newline + (indent + line if line else line) for line in lines[1:])
    if isinstance(old, cst.SimpleStatementLine) and text.endswith(module.default_newline):
        text = text[: -len(module.default_newline)]  # a simple statement's range ends before its newline
        if old.trailing_whitespace.comment is not None:
            # ... and before its trailing comment, which stays where it is: not written twice
            tail = cst.Module([]).code_for_node(old.trailing_whitespace).rstrip("\r\n")
            if text.endswith(tail):
                text = text[: -len(tail)]
    return old, text


def annotate_param(param: cst.Param, ann: str, ctx):
    """Replacements turning ``name=default`` into ``name: ann = default`` (PEP 8 spacing)."""
    out = [(param.name, f"{param.name.value}: {ann}")]
    if isinstance(param.equal, cst.AssignEqual):
        out.append((param.equal, " = "))
    return out
