"""Per-file facts the project step needs to decide what the compiler really compiles.

A summary is computed from one file's content only (so it can be cached by content hash);
everything that depends on other files (which classes are nn.Modules through a base class
elsewhere, who calls a helper) is resolved later by :mod:`jitlint.linter.analysis.reach`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


@dataclass
class CallRef:
    """A call made by a function, with whether it is live in each compilation mode.

    ``kind`` is ``"self"`` (``self.m(...)``), ``"name"`` (a resolved dotted name or a bare
    local name), ``"selfattr"`` (``self.attr(...)``: a submodule or function attribute),
    ``"super"`` (``super().m(...)``) or ``"class"`` (construction of a class by name).
    """

    kind: str
    target: str
    script_live: bool
    trace_live: bool
    line_hint: int = 0
    # (position or keyword, spec) per argument (analysis/arg_values), None with */** arguments
    args: Optional[tuple] = None
    # (test spec, taken) of the enclosing branches on the caller's parameters (trace folding)
    trace_cond: tuple = ()


@dataclass
class FunctionSummary:
    id: str  # "<module>:<qualname>"
    name: str
    qualname: str
    class_name: Optional[str]
    decorators: Tuple[str, ...]
    calls: List[CallRef] = field(default_factory=list)
    # self.<attr> reads in code the script compiler processes (attr -> True)
    script_attr_reads: Dict[str, bool] = field(default_factory=dict)
    attr_writes: Tuple[str, ...] = ()
    is_property: bool = False
    is_staticmethod: bool = False
    is_classmethod: bool = False
    jit_flags: Tuple[str, ...] = ()  # subset of: export, ignore, unused, script, script_if_tracing, overload
    # what the function does as a decorator, ``@f`` / ``@f(...)`` (see analyzer.decorator_kind):
    # "identity", "wraps", "varargs", "plain" or "" (unknown)
    decorator_kind: str = ""
    factory_kind: str = ""
    # (name, position or None for keyword-only, default spec or None) per parameter, self
    # included (analysis/arg_values); () when unknown
    params: tuple = ()


@dataclass
class ClassSummary:
    id: str
    name: str
    bases: Tuple[str, ...]  # resolved dotted names (or raw dotted text when unresolved)
    methods: Dict[str, str]  # method name -> function id
    decorators: Tuple[str, ...] = ()
    class_annotations: Tuple[str, ...] = ()
    init_attrs: Tuple[str, ...] = ()  # attributes assigned in any method of the class
    # attr -> dotted name of a project function assigned to it (self.act = helper)
    function_attrs: Dict[str, str] = field(default_factory=dict)
    # attr -> dotted class name constructed into it (self.block = Block(...))
    submodule_attrs: Dict[str, str] = field(default_factory=dict)
    jit_unused_properties: Tuple[str, ...] = ()
    constants: Tuple[str, ...] = ()
    is_dataclass: bool = False
    is_namedtuple_or_enum: bool = False


@dataclass
class RootRef:
    """A project object handed to ``torch.jit.script``/``trace`` (or decorated with them)."""

    target: str  # dotted name as resolved in the file
    mode: str  # "script" | "trace"
    is_instance: bool = False  # torch.jit.script(Model()) rather than torch.jit.script(fn)
    top_level: bool = False  # a module-level call (runs at import), not one inside a function


@dataclass
class FileSummary:
    path: str
    module: str
    package: str
    functions: Dict[str, FunctionSummary] = field(default_factory=dict)
    classes: Dict[str, ClassSummary] = field(default_factory=dict)
    # name bound at top level -> dotted target (imports) or "<module>.<name>" (defs)
    exports: Dict[str, str] = field(default_factory=dict)
    roots: List[RootRef] = field(default_factory=list)
