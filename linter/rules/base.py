"""The base class every rule file subclasses, and the Example type its tests are made of.

A rule is one small file (``jitNNN_kebab_name.py``): its class carries the stable code,
the kebab-case name, the message users see, a docstring in ruff's template (What it does /
Why is this bad? / Example / Use instead / Fix safety) and ``VALID``/``INVALID`` examples.
The examples are executable evidence: ``tests/test_rule_examples.py`` runs each through
jitlint *and* through the real TorchScript compiler or tracer.

Rules hook into the engine with ``visit_<LibcstNodeName>(self, node, ctx)`` methods, called
for nodes inside function bodies (``ctx`` is a :class:`jitlint.linter.analysis.context.FunctionContext`),
plus optional ``check_class(self, cls, mctx)`` and ``check_module(self, mctx)`` hooks for
class-level and file-level checks. Rules keep no state between calls: everything a rule
learns about a function lives on ``ctx``.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import ClassVar, List, Optional, Sequence, Tuple

# Which compilation a rule is about. The engine only reports a rule's finding in code
# that the matching compiler really processes (see jitlint.linter.analysis.reach).
from ..analysis.modes import ANY, EXPORT, FILE, SCRIPT, TRACE  # noqa: F401  (re-exported for rules)

FAMILIES = {
    "JIT0": "jitlint itself (files it could not analyse)",
    "JIT1": "constructs torch.jit.script rejects or compiles differently from Python",
    "JIT2": "types torch.jit.script cannot infer or infers wrongly (annotations needed)",
    "JIT3": "torch.jit.trace hazards (the trace is wrong or fails for other inputs)",
    "JIT4": "deprecated TorchScript API",
    "JIT5": "serialization and deployment hazards",
    "JIT6": "torch.export hazards (export fails, or the exported program rejects or miscomputes other inputs)",
}


@dataclass(frozen=True)
class Example:
    """One code example of a rule, checked by jitlint and by the real compiler.

    ``code`` is a complete module. ``root`` names what the compiler is given: a function
    (scripted/traced as is) or an ``nn.Module`` class (instantiated with no arguments).
    ``inputs`` is a Python expression evaluating to a list of argument tuples; for trace
    examples the first tuple is the trace input and the rest are compared with eager.
    ``expect`` says how the compiler proves an INVALID example wrong:

    - ``"reject"``: ``torch.jit.script`` raises;
    - ``"diverge"``: the scripted result differs from eager, or raises where eager does not;
    - ``"trace-diverge"``: ``torch.jit.trace`` raises, or the trace differs from eager
      (or raises) on a later input; ``check`` may name a function ``check(traced, root)``
      in the example that returns True when the trace is wrong;
    - ``"save-fails"``: scripting works but ``torch.jit.save`` fails;
    - ``"warns"``: executing the module emits a DeprecationWarning/FutureWarning from torch;
    - ``"runtime-fails"``: the scripted result raises on this machine (e.g. a hard-coded
      CUDA device) while the valid form runs.

    VALID examples must compile (script or trace, per ``mode``) and match eager.
    ``line`` is the 1-based line of ``code`` (after dedent) where an INVALID example must be
    flagged; it defaults to the line carrying a ``# MARK`` comment.
    """

    code: str
    root: str = "fn"
    inputs: str = "[(torch.ones(3),)]"
    expect: str = "reject"
    mode: str = SCRIPT
    check: Optional[str] = None
    line: Optional[int] = None

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def marked_line(self) -> Optional[int]:
        if self.line is not None:
            return self.line
        for i, text in enumerate(self.source.splitlines(), start=1):
            if "# MARK" in text:
                return i
        return None


class Rule:
    """Base class: subclasses set the class attributes and define visit hooks."""

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    message: ClassVar[str] = ""
    mode: ClassVar[str] = SCRIPT
    # True for constructs rejected by TorchScript's Python-AST frontend
    # (torch/jit/frontend.py): those fail even inside ``if not torch.jit.is_scripting():``
    # because the frontend parses the whole function before any dead-code elimination.
    frontend: ClassVar[bool] = False
    # Rules outside the default selection are enabled by --select/--extend-select.
    default: ClassVar[bool] = True
    severity: ClassVar[str] = "error"
    # What a fix of this rule does to behaviour; None when the rule offers no fix.
    fix_safety: ClassVar[Optional[str]] = None
    # Trace rules: what would have to vary to break the trace, for findings that do not say it
    # themselves (``ctx.report(..., varies=...)``); groups of linter/analysis/trace_dims.py.
    varies: ClassVar[Tuple[str, ...]] = ()
    # Catalog snippet ids (../shared/ground-truth) whose behaviour this rule encodes.
    evidence: ClassVar[Tuple[str, ...]] = ()
    VALID: ClassVar[List[Example]] = []
    INVALID: ClassVar[List[Example]] = []

    @property
    def family(self) -> str:
        return self.code[:4]

    @classmethod
    def doc(cls) -> str:
        return textwrap.dedent(cls.__doc__ or "").strip()

    @classmethod
    def doc_section(cls, title: str) -> str:
        """The text of one ``## title`` section of the docstring (empty if absent)."""
        lines = cls.doc().splitlines()
        out: List[str] = []
        inside = False
        for line in lines:
            if line.startswith("## "):
                if inside:
                    break
                inside = line[3:].strip().lower() == title.lower()
                continue
            if inside:
                out.append(line)
        return "\n".join(out).strip()

    @classmethod
    def summary(cls) -> str:
        return cls.doc_section("What it does").split("\n\n")[0].replace("\n", " ")

    def hooks(self) -> Sequence[str]:
        return [n for n in dir(type(self)) if n.startswith("visit_")]
