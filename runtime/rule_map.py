"""Compiler, tracer and runtime messages -> jitlint rule codes.

``jitlint check`` (static) and ``jitlint verify`` (runtime) must speak one vocabulary: when
``torch.jit.script`` rejects a construct, when a traced model raises on another input or
when ``torch.jit.save`` refuses a model, the report names the same ``JITnnn`` rule the
linter would have raised for that line.  This module is the single table that does it.

Each :class:`RuleEntry` is a regular expression over the message text.  Some messages are
ambiguous on their own (``'Tensor' object has no attribute or method 'forward'`` is really a
``super()`` call; ``Python builtin <built-in function time>`` is a library call, not a
builtin); for those an entry carries ``source_hint``, a regular expression the *user's
source line* the error points at must match, and such entries only apply when that line is
known.  Entries are tried in order, first match wins, so specific entries come before the
generic ones.  ``weak`` entries describe a symptom rather than a cause (a traced list of the
wrong length is usually produced by iterating over a tensor): callers prefer stronger
evidence (a TracerWarning at the line, a control-flow difference) when they have it.

The messages were taken from the ground-truth runs on torch 2.13 (see
``shared/ground-truth/CATALOG.md``); older releases use the same wording for everything
listed here except where two alternatives are given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional, Pattern, Tuple

#: Every rule code of the static linter with its name, so reports can print ``JIT302
#: tensor-to-python`` even for codes no runtime message maps to.
RULE_NAMES = {
    "JIT101": "try-statement",
    "JIT102": "unsupported-with",
    "JIT103": "lambda",
    "JIT104": "nested-definition",
    "JIT105": "generator-or-async",
    "JIT106": "global-statement",
    "JIT107": "module-global-read",
    "JIT108": "loop-else",
    "JIT109": "walrus",
    "JIT110": "import-in-function",
    "JIT111": "inconsistent-return-type",
    "JIT112": "missing-return",
    "JIT113": "recursion",
    "JIT114": "type-checking-import",
    "JIT115": "possibly-undefined-variable",
    "JIT116": "branch-type-change",
    "JIT117": "unsupported-signature",
    "JIT118": "star-unpacking",
    "JIT119": "double-star-unpacking",
    "JIT120": "mutable-default",
    "JIT121": "callable-parameter",
    "JIT122": "dropped-decorator",
    "JIT123": "set-usage",
    "JIT124": "comprehension-form",
    "JIT125": "fstring-format",
    "JIT126": "str-format-spec",
    "JIT127": "percent-format-spec",
    "JIT128": "mixed-type-ternary",
    "JIT129": "augmented-assignment",
    "JIT130": "unsupported-operator",
    "JIT131": "dict-key-type",
    "JIT132": "bool-op-value",
    "JIT133": "isinstance-form",
    "JIT134": "unsupported-builtin",
    "JIT135": "dataclass-in-script",
    "JIT136": "class-inheritance",
    "JIT137": "unsupported-attribute-value",
    "JIT138": "attribute-set-in-forward",
    "JIT139": "super-call",
    "JIT140": "module-container-index",
    "JIT141": "constant-reassigned",
    "JIT142": "class-name-introspection",
    "JIT143": "module-api-in-forward",
    "JIT144": "unsupported-library-call",
    "JIT145": "unsupported-tensor-api",
    "JIT201": "unannotated-non-tensor-param",
    "JIT202": "none-default-not-optional",
    "JIT203": "optional-not-refined",
    "JIT204": "none-initialized-variable",
    "JIT205": "empty-container-type",
    "JIT206": "tolist-needs-annotation",
    "JIT207": "unsupported-annotation",
    "JIT208": "empty-container-attribute",
    "JIT209": "optional-attribute-refinement",
    "JIT210": "ignored-function-unannotated",
    "JIT301": "len-of-tensor",
    "JIT302": "tensor-to-python",
    "JIT303": "size-to-python",
    "JIT304": "tensor-value-branch",
    "JIT305": "shape-dependent-branch",
    "JIT306": "shape-dependent-loop",
    "JIT307": "tensor-from-python-values",
    "JIT308": "baked-device",
    "JIT309": "python-rng",
    "JIT310": "module-state-mutation",
    "JIT311": "trace-output-structure",
    "JIT312": "trace-input-structure",
    "JIT313": "training-mode-branch",
    "JIT314": "side-effect-in-trace",
    "JIT401": "deprecated-jit-api",
    "JIT402": "script-module-subclass",
    "JIT403": "deprecated-jit-argument",
    "JIT501": "ignored-call-not-exportable",
    "JIT502": "autograd-function-in-script",
    "JIT503": "hardcoded-device",
}

# Phases a message can come from.
COMPILE = "compile"  # torch.jit.script / torch.jit.trace raised
RUN = "run"  # the compiled object raised while running
SAVE = "save"  # torch.jit.save / load raised
WARNING = "warning"  # a TracerWarning

# Fragments of user source that identify sizes/shapes (used to tell a shape-dependent
# conversion or branch from a value-dependent one).
SHAPE_SOURCE = r"\.shape\b|\.size\(|\blen\(|\.dim\(\)|\.ndim\b|\.numel\(\)|\.dtype\b"


@dataclass(frozen=True)
class RuleEntry:
    code: str
    pattern: Pattern[str]
    source_hint: Optional[Pattern[str]] = None
    phases: Tuple[str, ...] = ()
    modes: Tuple[str, ...] = ()
    weak: bool = False

    @property
    def name(self) -> str:
        return RULE_NAMES[self.code]


@dataclass(frozen=True)
class RuleMatch:
    """The rule a message was mapped to, and whether it is only a symptom (``weak``)."""

    code: str
    name: str
    weak: bool = False

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


def _entry(code, pattern, source_hint=None, phases=(), modes=(), weak=False, flags=0):
    return RuleEntry(
        code=code,
        pattern=re.compile(pattern, flags | re.DOTALL),
        source_hint=re.compile(source_hint) if source_hint else None,
        phases=tuple(phases),
        modes=tuple(modes),
        weak=weak,
    )


#: The mapping table, tried top to bottom.
RULE_TABLE: Tuple[RuleEntry, ...] = (
    # -- module attributes: the conversion failure names the real reason inside a
    #    generic "failed to convert" message, so the specific reasons come first.
    _entry("JIT208", r"List trace inputs must have elements|Dictionary inputs must have entries"),
    _entry(
        "JIT137",
        r"we failed to convert Python type|This function exists as an attribute on the Python module, "
        r"but we failed to compile it|Cannot infer concrete type of torch\.nn\.Module",
    ),
    # -- syntax the Python-AST frontend rejects
    _entry("JIT101", r"try blocks aren't supported"),
    _entry("JIT102", r"Unknown builtin op: aten::enable_grad|Expected <function \w+\.__aenter__"),
    _entry("JIT103", r"Lambda aren't supported"),
    _entry("JIT104", r"function definitions aren't supported|class definitions aren't supported"),
    # A lambda attribute/hook surfaces as "Expected a single top-level function"; the line
    # it points at tells the two apart.
    _entry("JIT103", r"Expected a single top-level function", source_hint=r"\blambda\b"),
    _entry("JIT105", r"Yield aren't supported|Expected a single top-level function"),
    _entry("JIT106", r"global variables aren't supported"),
    _entry("JIT107", r"python value of type '[^']+' cannot be used as a value"),
    _entry(
        "JIT108",
        r"else branches of (for|while) loops aren't supported|"
        r"__init__\(\): incompatible constructor arguments.*ErrorReport",
    ),
    _entry("JIT109", r"NamedExpr aren't supported"),
    _entry("JIT110", r"import statements aren't supported"),
    _entry("JIT111", r"Previous return statement returned a value of type"),
    _entry("JIT112", r"does not return along all paths"),
    _entry("JIT113", r"is called recursively"),
    _entry("JIT207", r"Unknown type name 'object'"),
    # isinstance(d, dict) / isinstance(m, nn.Module) / type(None) in a type position
    _entry(
        "JIT133",
        r"Unknown type name|Expression of type \w+ cannot be used in a type expression|"
        r"Attempted to use \w+ without contained types",
        source_hint=r"\bisinstance\(",
    ),
    _entry("JIT114", r"Unknown type name"),
    _entry("JIT115", r"is not defined in the (false|true) branch"),
    _entry(
        "JIT116",
        r"Cannot input a tensor of dimension other than 0 as a scalar argument|"
        r"Cannot input a tensor of type \w+ as an? \w+ argument",
    ),
    _entry(
        "JIT117",
        r"Compiled functions can't take variable number of arguments or use keyword-only arguments with defaults",
    ),
    _entry("JIT118", r"cannot statically infer the expected size of a list"),
    _entry("JIT119", r"keyword-arg expansion is not supported|Dict expansion"),
    _entry("JIT120", r"Mutable default parameters are not supported"),
    _entry("JIT121", r"Unknown type constructor Callable"),
    _entry("JIT123", r"\bSet aren't supported|SetComp aren't supported|(^|\n)\s*set\(Tensor 0\)"),
    _entry("JIT124", r"Comprehension ifs are not supported|Only a single generator is currently supported"),
    _entry("JIT125", r"Don't support formatting in JoinedStr|Don't support conversion in JoinedStr"),
    _entry("JIT127", r"The specifier %\S* is not supported in TorchScript format strings"),
    _entry("JIT128", r"if-expression's true branch has type"),
    _entry("JIT129", r"unsupported kind of augmented assignment"),
    _entry("JIT131", r"Cannot create dict for key type"),
    _entry(
        "JIT133",
        r"(^|\n)\s*type\(Tensor 0\) -> Tensor 0|"
        r"Subscripted generics cannot be used with class and instance checks",  # eager raising
    ),
    _entry("JIT135", r"Failed to get source for"),
    # "'Tensor' object has no attribute or method" is the compiler's way of saying that
    # super() resolved to nothing usable.
    _entry("JIT136", r"object has no attribute or method '__init__'", source_hint=r"\bsuper\(\)"),
    _entry("JIT139", r"object has no attribute or method '\w+'", source_hint=r"\bsuper\(\)"),
    _entry(
        "JIT140",
        r"ModuleList/Sequential indexing is only supported with integer literals|"
        r"ModuleDict indexing is only supported with string literals",
    ),
    _entry("JIT141", r"Tried to set nonexistent attribute", source_hint=r"__constants__"),
    _entry("JIT138", r"Tried to set nonexistent attribute"),
    _entry("JIT142", r"type object 'type' has no attribute '__globals__'"),
    _entry(
        "JIT143",
        r"Python builtin <built-in function \w+> is currently not supported",
        source_hint=r"self\.(named_)?(parameters|buffers|modules|children)\(",
    ),
    # ``time.time()``/``random.random()``/``functools.reduce``: a library call, even though
    # the compiler calls it a builtin.  Bare ``next()``/``iter()``/``setattr()`` are builtins.
    _entry(
        "JIT144",
        r"Python builtin <built-in (function|method) (?P<fn>\w+)[^>]*> is currently not supported",
        source_hint=r"\w\.\s*\w+\s*\(",
    ),
    _entry(
        "JIT134",
        r"Python builtin <built-in (function|method) \w+[^>]*> is currently not supported|"
        r"builtin cannot be used as a value|(^|\n)\s*prim::id\(",
    ),
    _entry(
        "JIT144",
        r"attribute lookup is not defined on python value of type|cannot create weak reference to 'numpy\.ufunc'",
    ),
    _entry("JIT145", r"'Tensor' object has no attribute or method|Unknown builtin op: aten::"),
    # -- annotations
    _entry(
        "JIT201",
        r"Expected a default value of type Tensor \(inferred\)|"
        r"all inputs of range must be ints, found Tensor \(inferred\)",
    ),
    _entry(
        "JIT202",
        r"Expected a proper Tensor but got None|Expected a default value of type [^\n]+? on parameter",
    ),
    _entry(
        "JIT209",
        r"Expected a value of type '[^']+' for argument '\w+' but instead found type 'Optional\[",
        source_hint=r"\bself\.\w+",
    ),
    _entry(
        "JIT203",
        r"Expected a value of type '[^']+' for argument '\w+' but instead found type 'Optional\[|"
        r"Could not cast value of type Optional\[[^\n]*\] to bool",
    ),
    _entry("JIT204", r"previously had type NoneType"),
    _entry(
        "JIT205",
        r"Could not match type \w+ to t in argument 'el'|aten::_set_item",
    ),
    _entry("JIT206", r"Expected type hint for result of tolist\(\)"),
    _entry(
        "JIT207",
        r"Expression of type dots|toIValue\(\) cannot handle converting to type|"
        r"but instead found type 'Any'|Attempted to use \w+ without contained types",
    ),
    _entry("JIT210", r"expected value of type \w+ for return value but instead got value of type"),
    # -- operators
    _entry("JIT130", r"aten::(eq|ne)\.Tensor\(Tensor self, Tensor other\).*instead found type 'Dict\["),
    # -- tracing: loud failures
    _entry("JIT310", r"Graphs differed across invocations"),
    _entry(
        "JIT311",
        r"Encountering a (dict|list) at the output of the tracer|didn't return any values",
    ),
    _entry("JIT311", r"Expected \d+ elements in a list but found \d+", weak=True),
    _entry(
        "JIT312",
        r"cannot be traced\. Only Tensors|expected at most \d+ argument\(s\) but received \d+ argument",
    ),
    _entry(
        "JIT308",
        r"is not on the expected device|Expected all tensors to be on the same device",
        modes=("trace",),
    ),
    _entry(
        "JIT503",
        r"Expected all tensors to be on the same device",
        modes=("script",),
    ),
    # -- TracerWarnings (the line they point at separates shapes from values)
    _entry("JIT301", r"Using len to get tensor shape", phases=(WARNING,)),
    _entry("JIT306", r"Iterating over a tensor", phases=(WARNING,)),
    _entry(
        "JIT307",
        r"(torch\.tensor|torch\.as_tensor|torch\.from_numpy) results are registered as constants",
        phases=(WARNING,),
    ),
    _entry(
        "JIT305",
        r"Converting a tensor to a Python boolean",
        source_hint=SHAPE_SOURCE,
        phases=(WARNING,),
    ),
    _entry("JIT304", r"Converting a tensor to a Python boolean", phases=(WARNING,)),
    # int()/float()/math.* of a size (``.item()`` says "number", ``.tolist()`` "list": values)
    _entry(
        "JIT303",
        r"Converting a tensor to a Python (integer|float|index)",
        source_hint=SHAPE_SOURCE,
        phases=(WARNING,),
    ),
    _entry(
        "JIT302",
        r"Converting a tensor to a (Python (integer|float|number|index|list)|NumPy array)",
        phases=(WARNING,),
    ),
    _entry("JIT313", r"Trace had nondeterministic nodes\. Did you forget call \.eval\(\)", phases=(WARNING,)),
    # -- export
    _entry("JIT501", r"Could not export Python function call"),
)


def _applies(entry: RuleEntry, phase: Optional[str], mode: Optional[str]) -> bool:
    if entry.phases and phase is not None and phase not in entry.phases:
        return False
    if entry.phases and phase is None:
        return False
    if entry.modes and mode is not None and mode not in entry.modes:
        return False
    return True


def classify(
    message: str,
    *,
    source_line: Optional[str] = None,
    phase: Optional[str] = None,
    mode: Optional[str] = None,
) -> Optional[RuleMatch]:
    """Map ``message`` to the rule that describes it, or ``None``.

    ``source_line`` is the user's line the message points at (if known); entries with a
    ``source_hint`` are only considered when it is given.  ``phase`` restricts entries that
    only make sense for one kind of message (TracerWarning texts are not error texts);
    ``mode`` ("script"/"trace") separates the same symptom's meaning in the two compilers.
    """
    text = str(message)
    for entry in RULE_TABLE:
        if not _applies(entry, phase, mode):
            continue
        if not entry.pattern.search(text):
            continue
        if entry.source_hint is not None:
            if source_line is None or not entry.source_hint.search(source_line):
                continue
        return RuleMatch(entry.code, entry.name, entry.weak)
    return None


def rule(code: str) -> RuleMatch:
    """The :class:`RuleMatch` for a known code (used by non-message evidence)."""
    return RuleMatch(code, RULE_NAMES[code])


def codes_in_table() -> Iterable[str]:
    return sorted({e.code for e in RULE_TABLE})


_NONEXISTENT_ATTR = re.compile(r"Tried to set nonexistent attribute: (\w+)")
_PYTHON_CALL = re.compile(r"Could not export Python function call '(\w+)'")


def refine_with_target(match: Optional[RuleMatch], message: str, target) -> Optional[RuleMatch]:
    """Sharpen a message-only match with facts about the verified object.

    Two rules cannot be told apart from the text alone: assigning a name listed in
    ``__constants__`` reads exactly like assigning an attribute that does not exist
    (JIT141 vs JIT138), and an ``autograd.Function`` left as a Python call fails export
    exactly like an ``@torch.jit.ignore`` helper (JIT502 vs JIT501).
    """
    if match is None or target is None:
        return match
    text = str(message)
    if match.code == "JIT138":
        found = _NONEXISTENT_ATTR.search(text)
        if found and any(found.group(1) in consts for consts in _constants_of(target)):
            return rule("JIT141")
    if match.code == "JIT501":
        found = _PYTHON_CALL.search(text)
        if found and _names_autograd_function(found.group(1), target):
            return rule("JIT502")
    return match


def _classes_of(target):
    modules = getattr(target, "modules", None)
    if callable(modules):
        try:
            return [type(m) for m in modules()]
        except Exception:  # noqa: BLE001 - a broken modules() must not break the report
            return [type(target)]
    return []


def _constants_of(target):
    return [set(getattr(cls, "__constants__", ()) or ()) for cls in _classes_of(target)]


def _names_autograd_function(name: str, target) -> bool:
    import sys

    import torch

    namespaces = []
    for cls in _classes_of(target) or [target]:
        module = sys.modules.get(getattr(cls, "__module__", ""), None)
        if module is not None:
            namespaces.append(vars(module))
    fn_globals = getattr(target, "__globals__", None)
    if isinstance(fn_globals, dict):
        namespaces.append(fn_globals)
    for namespace in namespaces:
        obj = namespace.get(name)
        if isinstance(obj, type) and issubclass(obj, torch.autograd.Function):
            return True
    return False
