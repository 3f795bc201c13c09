"""Annotation fixes from types observed at run time (``jitlint fix --annotate-from``).

TorchScript assumes ``Tensor`` for every unannotated parameter, and the static side cannot
always know what a parameter holds (a config value passed three calls down). One eager run on
the user's inputs can: :mod:`jitlint.runtime.observed_types` records the runtime types of the
arguments of the functions forward runs, as TorchScript spells them (``int``, ``List[int]``,
``Optional[torch.Tensor]``...). This module turns them into ordinary fixes, so the fix loop
applies them, rolls back what breaks a file, and ``fix --verify`` proves or drops each one like
any rule's fix.

Only plain text here (libcst, no torch): an observation names a function by its file and
``__qualname__``; the fix annotates each unannotated parameter whose observed type is not
``Tensor`` (what TorchScript assumes anyway), never ``self``, ``*args``/``**kwargs``, or a
function whose qualified name is defined more than once in the file (which one ran?).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..linter.api import UNSAFE, Edit, Finding, Fix

CODE = "JIT201"
NAME = "unannotated-non-tensor-param"
_TYPING = ("List", "Dict", "Tuple", "Optional")


@dataclass(frozen=True)
class Observation:
    """What ran: ``qualname`` in ``path`` took these parameter types (TorchScript spellings)."""

    path: str
    qualname: str
    params: Dict[str, str] = field(default_factory=dict)
    source: str = ""  # the target that ran it, for messages


def _spell(annotation: str, module: cst.Module) -> Tuple[str, Tuple[Tuple[str, Optional[str]], ...]]:
    """``annotation`` as the file can say it, and the imports that needs."""
    imports: List[Tuple[str, Optional[str]]] = []
    if "torch.Tensor" in annotation:
        imports.append(("torch", None))
    for name in _TYPING:
        if re.search(rf"\b{name}\[", annotation):
            imports.append(("typing", name))
    return annotation, tuple(imports)


class _Defs(cst.CSTVisitor):
    """Every function definition with its ``__qualname__`` as CPython builds it."""

    def __init__(self) -> None:
        self.stack: List[Tuple[str, str]] = []  # (kind, name)
        self.found: Dict[str, List[cst.FunctionDef]] = {}

    def _qual(self, name: str) -> str:
        parts = []
        for kind, n in self.stack:
            parts.append(n)
            if kind == "def":
                parts.append("<locals>")
        return ".".join(parts + [name])

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.append(("class", node.name.value))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.found.setdefault(self._qual(node.name.value), []).append(node)
        self.stack.append(("def", node.name.value))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.pop()


def _is_method(qualname: str) -> bool:
    parts = qualname.split(".")
    return len(parts) > 1 and parts[-2] != "<locals>"


def annotation_findings(text: str, path: str, observations: Iterable[Observation]) -> List[Finding]:
    """One finding with a fix per parameter to annotate in ``text`` (empty when the text does
    not parse, or nothing observed is missing there)."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return []
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    defs = _Defs()
    wrapper.module.visit(defs)
    out: List[Finding] = []
    for obs in observations:
        found = defs.found.get(obs.qualname, [])
        if len(found) != 1:
            continue
        fn = found[0]
        if any(_is_staticmethod(d) for d in fn.decorators):
            skip_first = False
        else:
            skip_first = _is_method(obs.qualname)
        params = list(fn.params.posonly_params) + list(fn.params.params)
        if skip_first and params:
            params = params[1:]
        params += list(fn.params.kwonly_params)
        for param in params:
            name = param.name.value
            observed = obs.params.get(name)
            if param.annotation is not None or not observed or observed == "torch.Tensor":
                continue
            spelled, imports = _spell(observed, module)
            start = positions[param.name].start
            end = positions[param.name].end
            edits = [Edit(f"{name}: {spelled}", start.line, start.column + 1, end.line, end.column + 1)]
            if isinstance(param.equal, cst.AssignEqual) and param.default is not None:
                eq = positions[param.equal]
                edits.append(Edit(" = ", eq.start.line, eq.start.column + 1, eq.end.line, eq.end.column + 1))
            where = f" running {obs.source}" if obs.source else ""
            fix = Fix(f"Annotate `{name}` of `{obs.qualname}` as `{spelled}` (observed{where})", tuple(edits),
                      UNSAFE, imports=imports)
            out.append(Finding(
                code=CODE, name=NAME,
                message=(f"`{name}` of `{obs.qualname}` is unannotated, so TorchScript takes it for a Tensor; "
                         f"it held `{spelled}`{where}"),
                path=path, row=start.line, column=start.column + 1, end_row=end.line, end_column=end.column + 1,
                fix=fix))
    return out


def _is_staticmethod(decorator: cst.Decorator) -> bool:
    dec = decorator.decorator
    return isinstance(dec, cst.Name) and dec.value == "staticmethod"


def by_path(observations: Sequence[Observation]) -> Dict[str, List[Observation]]:
    out: Dict[str, List[Observation]] = {}
    for o in observations:
        out.setdefault(o.path, []).append(o)
    return out
