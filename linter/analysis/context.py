"""What a rule sees while it runs: the file, the function, types and compilation state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from ..finding import SAFE, UNSAFE
from .typecheck.inference import ClassFacts, Inferrer
from .names import NameTable
from .trace_dims import breaks_when, normalize
from .typecheck.lattice import Type


@dataclass
class FixSpec:
    """A fix before positions are known: replace each node's code with new text.

    A replacement's node may also be a raw ``(line, col0, end_line, end_col0)`` range
    (1-based lines, 0-based columns), e.g. to replace whole lines.
    """

    message: str
    replacements: Sequence[Tuple[cst.CSTNode, str]]
    applicability: str = SAFE
    # names the new text needs, (module, name or None); see finding.Fix
    imports: Tuple[Tuple[str, Optional[str]], ...] = ()
    # a named multi-site rewrite of codemods/ with plain arguments; see finding.Fix
    codemod: Optional[Tuple[str, tuple]] = None


@dataclass
class PendingFinding:
    rule: Any
    node: cst.CSTNode
    message: str
    requires: Tuple[tuple, ...]
    fix: Optional[FixSpec] = None
    # trace findings: what would have to vary to break the trace (analysis/trace_dims.py)
    varies: Tuple[str, ...] = ()


@dataclass
class Param:
    name: str
    node: cst.Param
    annotation: Optional[cst.Annotation]
    default: Optional[cst.BaseExpression]
    kind: str  # "positional", "posonly", "kwonly", "star", "starstar"
    type: Type = None


@dataclass
class FunctionInfo:
    """A function or method being analysed (top-level or in a top-level class)."""

    node: cst.FunctionDef
    id: str
    name: str
    qualname: str
    class_facts: Optional[ClassFacts]
    class_node: Optional[cst.ClassDef]
    decorators: Tuple[str, ...]
    params: List[Param]
    return_annotation: Optional[cst.Annotation]

    @property
    def is_method(self) -> bool:
        return self.class_facts is not None and not self.is_staticmethod

    @property
    def is_staticmethod(self) -> bool:
        return any(d.endswith("staticmethod") for d in self.decorators)

    @property
    def is_forward(self) -> bool:
        return self.class_facts is not None and self.name == "forward"

    def jit_decorated(self, which: str) -> bool:
        return any(d in (f"torch.jit.{which}", f"torch.jit._script.{which}") for d in self.decorators)


class FileContext:
    """Per-file state shared by all functions of a file."""

    def __init__(self, path: str, module: cst.Module, source: str, names: NameTable,
                 module_name: str, classes: Dict[str, ClassFacts], function_returns: Dict[str, Type],
                 class_nodes: Dict[str, cst.ClassDef], function_nodes: Dict[str, cst.FunctionDef]):
        self.path = path
        self.module = module
        self.source = source
        self.names = names
        self.module_name = module_name
        self.classes = classes
        self.function_returns = function_returns
        self.class_nodes = class_nodes
        self.function_nodes = function_nodes
        self.pending: List[PendingFinding] = []
        self.rule: Any = None  # the rule whose hook is running (set by the walker)
        # (rule code, node, "ExcType: message") for hooks that raised; reported as JIT003.
        self.errors: List[Tuple[str, cst.CSTNode, str]] = []
        # Per-file storage for rules (facts computed lazily once per file), keyed by rule code.
        self.scratch: Dict[str, Any] = {}

    def internal_error(self, rule: Any, node: cst.CSTNode, exc: BaseException) -> None:
        self.errors.append((rule.code, node, f"{type(exc).__name__}: {exc}"))

    def report(self, node: cst.CSTNode, message: Optional[str] = None, *, fix: Optional[FixSpec] = None,
               requires: Tuple[tuple, ...] = ()) -> None:
        """Report a finding that does not depend on reach (file-level rules)."""
        rule = self.rule
        self.pending.append(PendingFinding(rule, node, message or rule.message, tuple(requires), fix))

    def code_of(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)


class FunctionContext:
    """State of the walk inside one function body.

    ``script_dead``/``trace_dead`` count enclosing regions the script compiler does not
    compile semantically (``if not torch.jit.is_scripting():``) or that do not run while
    tracing (``if torch.jit.is_scripting():``); ``nested`` counts enclosing nested
    ``def``/``lambda`` bodies, which the script compiler never reaches (it stops at the def).
    """

    def __init__(self, file: FileContext, function: Optional[FunctionInfo], infer: Optional[Inferrer]):
        self.file = file
        self.function = function
        self.infer = infer
        self.script_dead = 0
        self.trace_dead = 0
        self.nested = 0
        self.loop_depth = 0
        self.parents: List[cst.CSTNode] = []
        self.rule: Any = None
        # Conditions of enclosing if/while statements (innermost last), for branch rules.
        self.conditions: List[cst.BaseExpression] = []
        # (test spec, taken) of enclosing branches on this function's parameters (arg_values)
        self.trace_conds: List[tuple] = []
        # Names assigned anywhere in the function (filled before the walk).
        self.assigned_names: set = set()
        self.scratch: Dict[str, Any] = {}  # per-function storage for rules, keyed by rule code

    # -- types ------------------------------------------------------------------------
    def type_of(self, node: cst.CSTNode) -> Type:
        if self.infer is None:
            return None
        return self.infer.type_of(node)

    def resolve(self, node: cst.BaseExpression) -> Optional[str]:
        """Qualified dotted name of an expression (None for locals and non-names)."""
        if self.infer is not None:
            return self.infer.resolve(node)
        from .names import dotted_name

        return self.file.names.resolve(dotted_name(node))

    @property
    def names(self) -> NameTable:
        return self.file.names

    @property
    def class_facts(self) -> Optional[ClassFacts]:
        return self.function.class_facts if self.function else None

    @property
    def parent(self) -> Optional[cst.CSTNode]:
        return self.parents[-1] if self.parents else None

    def code_of(self, node: cst.CSTNode) -> str:
        return self.file.code_of(node)

    # -- reporting ----------------------------------------------------------------------
    def report(self, node: cst.CSTNode, message: Optional[str] = None, *, fix: Optional[FixSpec] = None,
               requires: Tuple[tuple, ...] = (), varies: Tuple[str, ...] = ()) -> None:
        """``varies``: for trace findings, what would have to vary between the example input and
        a later call to break the trace (``trace_dims`` groups); the message then ends with the
        clause saying it, and ``trace-dynamic`` decides whether the finding is reported."""
        rule = self.rule
        reach: Tuple[tuple, ...] = ()
        if self.function is not None and rule.mode != "file":
            reach = (("reach", self.function.id, rule.mode),)
            if self.trace_conds and rule.mode == "trace":
                reach += (("trace_cond", self.function.id, tuple(self.trace_conds)),)
        message = message or rule.message
        varies = varies or getattr(rule, "varies", ())
        if varies:
            varies = normalize(varies)
            message = f"{message} ({breaks_when(varies)})"
        self.file.pending.append(
            PendingFinding(rule, node, message, reach + tuple(requires), fix, tuple(varies))
        )

    def unsafe_fix(self, message: str, replacements, *, imports=(), codemod=None) -> FixSpec:
        return FixSpec(message, replacements, UNSAFE, tuple(imports), codemod)

    def safe_fix(self, message: str, replacements, *, imports=(), codemod=None) -> FixSpec:
        return FixSpec(message, replacements, SAFE, tuple(imports), codemod)
