"""``p: T = []`` -> ``p: Optional[T] = None`` with the container built in the body (JIT120).

:func:`none_default` rewrites one parameter of a function named by its qualified name (``fn``,
``M.forward``)::

    def fn(x, acc: List[int] = []):        def fn(x, acc: Optional[List[int]] = None):
        ...                          ->        if acc is None:
                                                   acc_default: List[int] = []
                                                   acc = acc_default
                                               ...

The statement goes first in the body (after a docstring). The container is built through an
annotated local because TorchScript types an empty ``{}`` (or one nested in a literal) from the
annotation of the variable it initialises, not from the earlier ``Optional`` declaration
(measured with torch 2.13: ``d = {}`` for ``Optional[Dict[str, float]]`` is rejected).
Raises :class:`CodemodFailed` when the parameter or its default is not there.
"""

from __future__ import annotations

import libcst as cst

from .hoist import _find, _function_node, _parse, _replace_body
from .registry import CodemodFailed


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr) and isinstance(stmt.body[0].value, (cst.SimpleString,
                                                                                        cst.ConcatenatedString)))


def none_default(source: str, qualname: str, param: str, optional_annotation: str, annotation: str,
                 temp: str) -> str:
    module = _parse(source)
    index, parts = _find(module, qualname)
    fn = _function_node(module.body[index], parts)
    params = fn.params
    groups = ("params", "kwonly_params", "posonly_params")
    found = None
    for group in groups:
        for p in getattr(params, group):
            if p.name.value == param:
                found = (group, p)
    if found is None or found[1].default is None:
        raise CodemodFailed(f"no parameter `{param}` with a default in {qualname}")
    group, p = found
    default = cst.Module([]).code_for_node(p.default)
    new_p = p.with_changes(annotation=cst.Annotation(cst.parse_expression(optional_annotation)),
                           default=cst.Name("None"))
    new_group = [new_p if q is p else q for q in getattr(params, group)]
    fn = fn.with_changes(params=params.with_changes(**{group: new_group}))
    indent = module.default_indent
    stmt = cst.parse_statement(f"if {param} is None:\n{indent}{temp}: {annotation} = {default}\n"
                               f"{indent}{param} = {temp}\n", config=module.config_for_parsing)
    if not isinstance(fn.body, cst.IndentedBlock):
        raise CodemodFailed("a one-line function body")
    body = list(fn.body.body)
    at = 1 if body and _is_docstring(body[0]) else 0
    if at < len(body):
        stmt = stmt.with_changes(leading_lines=body[at].leading_lines)
        body[at] = body[at].with_changes(leading_lines=[])
    body.insert(at, stmt)
    fn = fn.with_changes(body=fn.body.with_changes(body=body))
    return _replace_body(module, index, parts, fn).code
