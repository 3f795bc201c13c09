"""The project model: which code torch.jit.script compiles and torch.jit.trace runs.

The script compiler starts from ``forward``, ``@torch.jit.export`` methods and every
``@property`` of each ``nn.Module`` (unless listed in ``__jit_unused_properties__``), plus
functions handed to ``torch.jit.script``; it then compiles everything those call: methods
through ``self``, module functions, functions imported from other files, submodules'
``forward`` (every submodule is compiled, used or not), and classes used from compiled code.
``@torch.jit.ignore``/``@torch.jit.unused`` bodies are not compiled, nor is code under a
statically false ``torch.jit.is_scripting()`` guard (the walker already marked those calls
dead). Tracing runs ``forward`` and everything it calls as plain Python, except
``@torch.jit.script_if_tracing`` helpers, which are scripted. ``torch.export.export`` (the
opt-in ``export`` mode) runs ``forward`` and what it calls as Python too, including
``script_if_tracing`` helpers (``torch.jit.is_tracing()`` is False while exporting, measured
with torch 2.13), and no ``torch.jit.is_tracing()`` guard is folded for it.

This step reads only per-file summaries, so it is rerun on every invocation while the
per-file analysis is cached: a change in one file re-decides reach everywhere.
"""

from __future__ import annotations

import fnmatch
from collections import deque
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..finding import Finding
from ..results import FileResult
from . import arg_values, torch_api
from .summary import ClassSummary, FileSummary, FunctionSummary

SCRIPT = "script"
TRACE = "trace"
EXPORT = "export"
# modes whose reach is what runs as Python (forward and everything it calls)
_RUN_MODES = (TRACE, EXPORT)


class Project:
    def __init__(self, summaries: Sequence[FileSummary], modes: Sequence[str] = (SCRIPT, TRACE),
                 extra_roots: Sequence[Tuple[str, str]] = (), module_bases: Sequence[str] = (),
                 auto_roots: bool = True, external_modules: Iterable[str] = (),
                 context_modules: Iterable[str] = ()):
        # auto_roots: every nn.Module class is a root (any of them may be scripted or traced).
        # Off, only explicit roots count (torch.jit.script/trace calls, decorators, configured
        # roots), with the submodules the compiler then compiles along with them.
        self.auto_roots = auto_roots
        # external_modules: modules read only for reach (installed libraries, project files not
        # named on the command line): never roots themselves, followed where checked code
        # reaches them; ``anchor`` records, per reached (function, mode), the first place in
        # the checked modules that made it compiled or traced
        self.external = frozenset(external_modules)
        # context_modules (``--context``): analysed in full and roots like the checked ones, but
        # not reported, so what they hold that checked code reaches is tracked like external code
        self.tracked = self.external | frozenset(context_modules)
        # (function, mode) of external code -> what reached it: ("via", (fid, mode)) for
        # other external code, or a place in the checked modules: ("function", fid, call
        # target, call kind), ("class", cid[, submodule attribute, class assigning it]) (a base or submodule of a checked class), ("root", module,
        # index in its summary's roots)
        self.callers: Dict[Tuple[str, str], List[tuple]] = {}
        self._anchor_now: List[Optional[tuple]] = [None]  # what reaches the code being added
        # with ``record_misses``, dotted names resolve() could not find (candidates to load)
        self.record_misses = False
        self.misses: Set[str] = set()
        self._submodule_roots_done: Set[Tuple[str, str]] = set()
        self.modules: Dict[str, FileSummary] = {}
        self.functions: Dict[str, FunctionSummary] = {}
        self.classes: Dict[str, ClassSummary] = {}
        self.function_module: Dict[str, str] = {}
        for s in summaries:
            self.modules.setdefault(s.module, s)
            self.functions.update(s.functions)
            self.classes.update(s.classes)
        self.modes = tuple(modes)
        self.extra_roots = tuple(extra_roots)
        self.module_bases = frozenset(module_bases)
        self._module_memo: Dict[str, bool] = {}
        self._mro_memo: Dict[str, List[str]] = {}
        self.reached: Dict[Tuple[str, str], str] = {}  # (fid, mode) -> how it was reached
        # (fid, mode) -> the classes (``self``'s concrete class, or None) it was reached for
        self.reached_in: Dict[Tuple[str, str], Set[Optional[str]]] = {}
        # trace mode: fid -> parameter -> what the traced callers pass (analysis/arg_values);
        # None when unknown (a root, a submodule's forward, a call hiding its arguments)
        self.param_values: Dict[str, Optional[Dict[str, frozenset]]] = {}
        self.used_attrs: Dict[str, Dict[str, str]] = {}  # class id -> attr -> first method using it
        self.script_classes: Set[str] = set()
        self._scripted: Optional[Set[str]] = None
        self._computed = False
        self._trace_root_ids: Optional[Set[str]] = None
        self._explicit_trace_root_ids: Set[str] = set()

    # -- name resolution across files -----------------------------------------------------
    def resolve(self, dotted: str, depth: int = 0) -> Optional[Tuple[str, str]]:
        """("class"|"function", id) for a dotted name defined in the project."""
        if not dotted or depth > 8:
            return None
        parts = dotted.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            summary = self.modules.get(module)
            if summary is None:
                continue
            rest = parts[cut:]
            name = rest[0]
            cid = f"{module}:{name}"
            if cid in self.classes:
                if len(rest) == 1:
                    return ("class", cid)
                if len(rest) == 2:
                    fid = f"{cid}.{rest[1]}"
                    if fid in self.functions:
                        return ("function", fid)
                return None
            if cid in self.functions and len(rest) == 1:
                return ("function", cid)
            target = summary.exports.get(name)
            if target is not None and target != dotted:
                again = ".".join([target] + rest[1:])
                if again != dotted:  # a package's ``from . import sub`` names itself: a miss
                    return self.resolve(again, depth + 1)
            if self.record_misses:
                self.misses.add(dotted)
            return None
        # a top-level module's own name (files outside packages)
        if self.record_misses and len(parts) > 1:
            self.misses.add(dotted)
        return None

    def is_external(self, ident: str) -> bool:
        """Whether a function or class id lives in a module read only for reach."""
        return bool(self.external) and ident.split(":", 1)[0] in self.external

    def is_tracked(self, ident: str) -> bool:
        """Whether what reaches a function or class id is recorded (see ``callers``)."""
        return bool(self.tracked) and ident.split(":", 1)[0] in self.tracked

    def anchors(self, key: Tuple[str, str]) -> List[tuple]:
        """The places in the checked modules that make external code ``(fid, mode)`` compiled
        or traced, in the order reach found them (see ``callers``)."""
        self.compute()
        out: List[tuple] = []
        seen = {key}
        todo = deque([key])
        while todo:
            for caller in self.callers.get(todo.popleft(), ()):
                if caller[0] != "via":
                    if caller not in out:
                        out.append(caller)
                elif caller[1] not in seen:
                    seen.add(caller[1])
                    todo.append(caller[1])
        return out

    # -- classes ------------------------------------------------------------------------------
    def is_module(self, class_id: str, _stack: Tuple[str, ...] = ()) -> bool:
        memo = self._module_memo.get(class_id)
        if memo is not None:
            return memo
        cls = self.classes.get(class_id)
        result = False
        if cls is not None and class_id not in _stack:
            for base in cls.bases:
                if torch_api.is_module_class_name(base) or base in self.module_bases:
                    result = True
                    break
                found = self.resolve(base)
                if found and found[0] == "class" and self.is_module(found[1], _stack + (class_id,)):
                    result = True
                    break
        self._module_memo[class_id] = result
        return result

    def mro(self, class_id: str) -> List[str]:
        memo = self._mro_memo.get(class_id)
        if memo is not None:
            return memo
        out: List[str] = []
        stack = [class_id]
        seen: Set[str] = set()
        while stack:
            cid = stack.pop(0)
            if cid in seen:
                continue
            seen.add(cid)
            out.append(cid)
            cls = self.classes.get(cid)
            if cls is None:
                continue
            for base in cls.bases:
                found = self.resolve(base)
                if found and found[0] == "class":
                    stack.append(found[1])
        self._mro_memo[class_id] = out
        return out

    def has_unresolved_bases(self, class_id: str) -> bool:
        for cid in self.mro(class_id):
            cls = self.classes.get(cid)
            if cls is None:
                return True
            for base in cls.bases:
                if base in ("builtins.object", "object"):
                    continue
                if self.resolve(base) is None and not torch_api.is_module_class_name(base) and base not in (
                        "torch.nn.Module",):
                    return True
        return False

    def lookup_method(self, class_id: str, name: str) -> Optional[str]:
        for cid in self.mro(class_id):
            cls = self.classes.get(cid)
            if cls is not None and name in cls.methods:
                return cls.methods[name]
        return None

    def class_of_function(self, fid: str) -> Optional[str]:
        fn = self.functions.get(fid)
        if fn is None or fn.class_name is None:
            return None
        return fid.split(":", 1)[0] + ":" + fn.class_name

    def attr_defined(self, class_id: str, attr: str) -> bool:
        for cid in self.mro(class_id):
            cls = self.classes.get(cid)
            if cls is not None and (attr in cls.init_attrs or attr in cls.methods):
                return True
        return False

    # -- reach ----------------------------------------------------------------------------------
    def compute(self) -> None:
        if self._computed:
            return
        self._computed = True
        work: deque = deque()
        anchor_now = self._anchor_now

        def add(fid: Optional[str], mode: str, ctx: Optional[str], how: str, binding=None) -> None:
            if fid is None or fid not in self.functions:
                return
            fn = self.functions[fid]
            if mode == TRACE and ("script_if_tracing" in fn.jit_flags or "script" in fn.jit_flags):
                mode = SCRIPT  # a scripted function called while tracing runs compiled, not traced
            if mode == SCRIPT and ("ignore" in fn.jit_flags or "unused" in fn.jit_flags):
                return
            key = (fid, mode)
            ctx_key = (fid, mode, ctx)
            if self.tracked and self.is_tracked(fid) and anchor_now[0] is not None:
                callers = self.callers.setdefault(key, [])
                if anchor_now[0] not in callers:
                    callers.append(anchor_now[0])
            if mode == TRACE and self._bind_values(fid, binding) and ctx_key in seen:
                # what the callers pass grew: branches on the parameters are judged again
                for again in self.reached_in.get(key, ()):
                    work.append((fid, mode, again))
            if ctx_key in seen:
                return
            seen.add(ctx_key)
            self.reached.setdefault(key, how)
            self.reached_in.setdefault(key, set()).add(ctx)
            work.append((fid, mode, ctx))

        seen: Set[Tuple[str, str, Optional[str]]] = set()
        for cid, cls in self.classes.items():
            if not self.auto_roots or self.is_external(cid) or not self.is_module(cid):
                continue
            anchor_now[0] = ("class", cid)
            for mode in self.modes:
                self._add_module_roots(cid, mode, add)
        for summary in self.modules.values():
            if summary.module in self.external:
                continue
            for index, root in enumerate(summary.roots):
                anchor_now[0] = ("root", summary.module, index)
                found = self.resolve(root.target)
                if found is None:
                    continue
                kind, ident = found
                if kind == "function" and root.is_instance:
                    continue  # torch.jit.script(make_model()): what the function returns is compiled
                if kind == "function":
                    via = "torch.export.export" if root.mode == EXPORT else f"torch.jit.{root.mode}"
                    add(ident, root.mode, self.class_of_function(ident), f"passed to {via}")
                elif self.is_module(ident):
                    self._add_module_roots(ident, root.mode, add)
                elif root.mode == SCRIPT:
                    self._add_script_class(ident, add)
        for pattern, mode in self.extra_roots:
            for fid, fn in self.functions.items():
                if _matches(pattern, fid) and not self.is_external(fid):
                    add(fid, mode, self.class_of_function(fid), "configured root")
            for cid in self.classes:
                if _matches(pattern, cid) and not self.is_external(cid):
                    anchor_now[0] = ("class", cid)
                    if self.is_module(cid):
                        self._add_module_roots(cid, mode, add)
                    elif mode == SCRIPT:
                        self._add_script_class(cid, add)
        while work:
            fid, mode, ctx = work.popleft()
            fn = self.functions[fid]
            if self.tracked:
                anchor_now[0] = ("via", (fid, mode)) if self.is_tracked(fid) else ("function", fid, "")
            if mode == SCRIPT and ctx is not None:
                uses = self.used_attrs.setdefault(ctx, {})
                for attr in fn.script_attr_reads:
                    uses.setdefault(attr, fn.name)
            own_class = self.class_of_function(fid)
            context = ctx or own_class
            user_side = bool(self.tracked) and not self.is_tracked(fid)
            for call in fn.calls:
                # export folds no is_tracing() guard: every call runs (script-only code aside)
                live = call.script_live if mode == SCRIPT else call.trace_live if mode == TRACE else True
                if not live:
                    continue
                if mode == TRACE and call.trace_cond and not arg_values.possible(call.trace_cond,
                                                                                  self.values_of(fid)):
                    continue  # under a branch on a parameter that no traced caller takes
                if user_side:
                    anchor_now[0] = ("function", fid, call.target, call.kind)
                how = f"called from {fn.qualname}"
                if call.kind == "self" and context is not None:
                    target = self.lookup_method(context, call.target)
                    if target is not None:
                        add(target, mode, context, how, self._binding(fid, call, target, mode))
                        continue
                    self._follow_attr(context, call.target, None, mode, add, how)
                elif call.kind == "selfattr" and context is not None:
                    attr, _, method = call.target.partition(".")
                    self._follow_attr(context, attr, method or None, mode, add, how)
                elif call.kind == "super" and own_class is not None and mode in _RUN_MODES:
                    for base in self.mro(own_class)[1:]:
                        cls = self.classes.get(base)
                        if cls is not None and call.target in cls.methods:
                            add(cls.methods[call.target], mode, context, how)
                            break
                elif call.kind == "name":
                    found = self.resolve(call.target)
                    if found is None:
                        continue
                    kind, ident = found
                    if kind == "function":
                        add(ident, mode, self.class_of_function(ident), how, self._binding(fid, call, ident, mode))
                    elif self.is_module(ident):
                        add(self.lookup_method(ident, "forward") if mode in _RUN_MODES else None, mode, ident, how)
                    elif mode == SCRIPT:
                        self._add_script_class(ident, add)
                    else:
                        add(self.lookup_method(ident, "__init__"), mode, ident, how)

    def _follow_attr(self, class_id: str, attr: str, method: Optional[str], mode: str, add, how: str) -> None:
        for cid in self.mro(class_id):
            cls = self.classes.get(cid)
            if cls is None:
                continue
            if attr in cls.function_attrs and method is None:
                found = self.resolve(cls.function_attrs[attr])
                if found and found[0] == "function":
                    add(found[1], mode, None, how)
                return
            if attr in cls.submodule_attrs:
                found = self.resolve(cls.submodule_attrs[attr])
                if found and found[0] == "class":
                    if mode == SCRIPT and self.lookup_method(found[1], "__prepare_scriptable__") is not None:
                        return
                    target = self.lookup_method(found[1], method or "forward")
                    add(target, mode, found[1], how)
                return

    def _via_class(self, cid: str, mode: str) -> Optional[tuple]:
        """For an external class added as a whole: record what reached it, and return the
        anchor to restore afterwards (None when there is nothing to track)."""
        if not self.tracked or not self.is_tracked(cid):
            return None
        key = (f"class {cid}", mode)
        saved = self._anchor_now[0]
        if saved is not None and saved != ("via", key):
            callers = self.callers.setdefault(key, [])
            if saved not in callers:
                callers.append(saved)
        self._anchor_now[0] = ("via", key)
        return (saved,)

    def _add_module_roots(self, cid: str, mode: str, add) -> None:
        restore = self._via_class(cid, mode)
        try:
            self._add_module_roots_of(cid, mode, add)
        finally:
            if restore is not None:
                self._anchor_now[0] = restore[0]

    def _add_module_roots_of(self, cid: str, mode: str, add) -> None:
        if (cid, mode) in self._submodule_roots_done:
            return
        self._submodule_roots_done.add((cid, mode))
        if mode == SCRIPT:
            # scripting a module compiles every submodule's forward, used or not
            checked = bool(self.tracked) and not self.is_tracked(cid)
            for c in self.mro(cid):
                cls = self.classes.get(c)
                if cls is None:
                    continue
                for attr, dotted in cls.submodule_attrs.items():
                    found = self.resolve(dotted)
                    if found and found[0] == "class" and self.is_module(found[1]):
                        saved = self._anchor_now[0]
                        if checked:
                            self._anchor_now[0] = ("class", cid, attr, c)
                        self._add_module_roots(found[1], SCRIPT, add)
                        self._anchor_now[0] = saved
        if mode in _RUN_MODES:
            add(self.lookup_method(cid, "forward"), mode, cid, "forward of an nn.Module")
            return
        if self.lookup_method(cid, "__prepare_scriptable__") is not None:
            # torch.jit.script compiles what __prepare_scriptable__ returns instead (e.g.
            # torchvision's v2 transforms hand over their v1 equivalents), not this class
            return
        unused_props: Set[str] = set()
        for c in self.mro(cid):
            cls = self.classes.get(c)
            if cls is not None:
                unused_props.update(cls.jit_unused_properties)
        done: Set[str] = set()
        for c in self.mro(cid):
            cls = self.classes.get(c)
            if cls is None:
                continue
            for name, fid in cls.methods.items():
                if name in done:
                    continue
                done.add(name)
                fn = self.functions.get(fid)
                if fn is None:
                    continue
                if name == "forward":
                    add(fid, SCRIPT, cid, "forward of an nn.Module")
                elif "export" in fn.jit_flags:
                    add(fid, SCRIPT, cid, "@torch.jit.export method")
                elif fn.is_property and name not in unused_props and "unused" not in fn.jit_flags:
                    add(fid, SCRIPT, cid, "@property of an nn.Module (compiled unless listed in __jit_unused_properties__)")

    def _add_script_class(self, cid: str, add) -> None:
        restore = self._via_class(cid, SCRIPT)
        try:
            self._add_script_class_of(cid, add)
        finally:
            if restore is not None:
                self._anchor_now[0] = restore[0]

    def _add_script_class_of(self, cid: str, add) -> None:
        cls = self.classes.get(cid)
        if cls is None or cls.is_namedtuple_or_enum or cid in self.script_classes:
            return
        self.script_classes.add(cid)
        for name, fid in cls.methods.items():
            add(fid, SCRIPT, cid, "method of a class used from compiled code")

    # -- predicates -----------------------------------------------------------------------------
    def check(self, requires: Iterable[tuple]) -> Optional[Dict[str, str]]:
        """None if a predicate fails, else the message fills the predicates produced."""
        self.compute()
        fills: Dict[str, str] = {}
        for pred in requires:
            kind = pred[0]
            if kind == "reach":
                _, fid, mode = pred
                if mode == "any":
                    if (fid, SCRIPT) not in self.reached and (fid, TRACE) not in self.reached:
                        return None
                elif (fid, mode) not in self.reached:
                    return None
            elif kind == "reach_variant":
                # ("reach_variant", fid, mode, variants, all_variants): an inherited method
                # reached for an instance whose nearest class among all_variants (the defining
                # class first, then same-file subclasses walked with their own attribute
                # types; see linter/subclass_variants.py) is one of variants
                _, fid, mode, variants, all_variants = pred
                if not self._reached_variant(fid, mode, variants, all_variants):
                    return None
            elif kind == "trace_cond":
                # ("trace_cond", fid, ((test spec, taken), ...)): code under branches on fid's
                # parameters, dropped when no traced caller passes values that take them
                _, fid, conds = pred
                if not arg_values.possible(conds, self.values_of(fid)):
                    return None
            elif kind == "module":
                if not self.is_module(pred[1]):
                    return None
            elif kind == "not_module":
                if self.is_module(pred[1]):
                    return None
            elif kind == "attr_used":
                _, cid, attr = pred
                user = self._attr_user(cid, attr)
                if user is None:
                    return None
                fills["use"] = user
            elif kind == "attr_undefined":
                _, cid, attr = pred
                if self.attr_defined(cid, attr) or self.has_unresolved_bases(cid):
                    return None
            elif kind == "attr_undefined_in_bases":
                # like attr_undefined, but the class itself is not consulted (its compiled
                # methods are the ones assigning the attribute); every base must be known
                _, cid, attr = pred
                if self.has_unresolved_bases(cid) or any(
                        attr in c.init_attrs or attr in c.methods
                        for c in (self.classes.get(b) for b in self.mro(cid)[1:]) if c is not None):
                    return None
            elif kind == "script_class":
                if pred[1] not in self.script_classes:
                    return None
            elif kind == "method_flag":
                _, cid, method, flag = pred
                fid = self.lookup_method(cid, method)
                fn = self.functions.get(fid) if fid else None
                if fn is None or flag not in fn.jit_flags:
                    return None
            elif kind == "decorator_drops":
                # a decorator defined in the project is reported only when its source shows that
                # the compiler drops it (functools.wraps) or rejects it (*args wrapper); one from
                # outside the project cannot be read and is reported
                _, dotted, called = pred
                found = self.resolve(dotted)
                if found and found[0] == "function":
                    fn = self.functions[found[1]]
                    if (fn.factory_kind if called else fn.decorator_kind) not in ("wraps", "varargs"):
                        return None
                elif self._in_project(dotted):
                    return None
            elif kind == "class_is":
                _, dotted, what = pred
                found = self.resolve(dotted)
                if not found or found[0] != "class":
                    return None
                cls = self.classes[found[1]]
                if what == "dataclass" and not cls.is_dataclass:
                    return None
                if what == "derived" and not _has_user_base(cls):
                    return None
                if what == "unscripted_dataclass" and (not cls.is_dataclass or found[1] in self._scripted_classes()):
                    return None
                if what == "plain" and not self._plain_class(found[1]):
                    return None
                if what == "autograd_function" and not self._autograd_function(found[1]):
                    return None
            elif kind == "function_flag":
                # ("function_flag", dotted, flag): a project function carrying a jit flag
                # ("ignore", "unused"...), e.g. an imported @torch.jit.ignore helper
                _, dotted, flag = pred
                found = self.resolve(dotted)
                if not found or found[0] != "function" or flag not in self.functions[found[1]].jit_flags:
                    return None
            elif kind == "trace_root":
                # ("trace_root", fid) or ("trace_root", fid, "explicit"): passed/configured only
                explicit = len(pred) > 2 and pred[2] == "explicit"
                if pred[1] not in (self._explicit_trace_roots() if explicit else self.trace_roots()):
                    return None
            else:
                raise ValueError(f"unknown predicate {kind}")
        return fills

    def values_of(self, fid: str) -> Dict[str, frozenset]:
        """What the traced callers of ``fid`` pass per parameter ({}: anything)."""
        return self.param_values.get(fid) or {}

    def _binding(self, caller: str, call, target: str, mode: str) -> Optional[Dict[str, frozenset]]:
        """The values ``call`` (made in ``caller``) passes to the parameters of ``target``; None
        when unknown. Trace mode only: the script compiler compiles callees generically."""
        if mode != TRACE or call.args is None:
            return None
        callee = self.functions.get(target)
        if callee is None or not callee.params:
            return None
        offset = 1 if (call.kind == "self" and not callee.is_staticmethod) or (
            call.kind == "name" and callee.is_classmethod) else 0
        env = self.values_of(caller)
        by_key = dict(call.args)
        out: Dict[str, frozenset] = {}
        for name, position, default in callee.params:
            if position is not None and position < offset:
                continue
            spec = by_key.get(name)
            if spec is None and position is not None:
                spec = by_key.get(position - offset)
            if spec is not None:
                out[name] = arg_values.evaluate(spec, env)
            elif default is not None:
                out[name] = arg_values.evaluate(default, {})
            else:
                out[name] = arg_values.ANY
        return out

    def _bind_values(self, fid: str, binding: Optional[Dict[str, frozenset]]) -> bool:
        """Join what one more traced call passes into ``fid``'s parameters; True when it grew."""
        if fid not in self.param_values:
            self.param_values[fid] = None if binding is None else dict(binding)
            return True
        current = self.param_values[fid]
        if current is None:
            return False
        if binding is None:
            self.param_values[fid] = None
            return True
        grew = False
        for name, values in binding.items():
            old = current.get(name, frozenset())
            if not values <= old:
                current[name] = old | values
                grew = True
        return grew

    def _reached_variant(self, fid: str, mode: str, variants, all_variants) -> bool:
        modes = (SCRIPT, TRACE) if mode == "any" else (mode,)
        for m in modes:
            for ctx in self.reached_in.get((fid, m), ()):
                nearest = all_variants[0]
                for cid in (self.mro(ctx) if ctx is not None else ()):
                    if cid in all_variants:
                        nearest = cid
                        break
                if nearest in variants:
                    return True
        return False

    def trace_roots(self) -> Set[str]:
        """Functions whose arguments and results are the traced graph's inputs and outputs:
        functions passed to ``torch.jit.trace``/configured as trace roots, and the ``forward``
        of nn.Module classes traced as a whole (passed/configured, or constructed by no method
        of another nn.Module: a module built inside another module is a submodule, which the
        tracer calls with whatever its parent passes)."""
        if self._trace_root_ids is not None:
            return self._trace_root_ids
        self.compute()
        roots: Set[str] = set()

        def add_class(cid: str) -> None:
            fid = self.lookup_method(cid, "forward")
            if fid is not None:
                roots.add(fid)

        for summary in self.modules.values():
            if summary.module in self.external:
                continue
            for root in summary.roots:
                found = self.resolve(root.target) if root.mode == TRACE else None
                if found and found[0] == "function":
                    roots.add(found[1])
                elif found and self.is_module(found[1]):
                    add_class(found[1])
        for pattern, mode in self.extra_roots:
            if mode != TRACE:
                continue
            roots.update(fid for fid in self.functions if _matches(pattern, fid) and not self.is_external(fid))
            for cid in self.classes:
                if _matches(pattern, cid) and not self.is_external(cid) and self.is_module(cid):
                    add_class(cid)
        self._explicit_trace_root_ids = set(roots)
        if self.auto_roots:
            submodules = self._constructed_by_modules()
            for cid in self.classes:
                if cid not in submodules and not self.is_external(cid) and self.is_module(cid):
                    add_class(cid)
        self._trace_root_ids = roots
        return roots

    def _explicit_trace_roots(self) -> Set[str]:
        """Trace roots passed to ``torch.jit.trace`` or configured, not guessed."""
        self.trace_roots()
        return self._explicit_trace_root_ids

    def _constructed_by_modules(self) -> Set[str]:
        """Classes constructed in a method of another nn.Module class, directly or through
        module-level functions those methods call (``self.layers = make_layers(...)``)."""
        out: Set[str] = set()
        for fid, fn in self.functions.items():
            owner = self.class_of_function(fid)
            if owner is None or not self.is_module(owner):
                continue
            frontier, seen = [fid], {fid}
            for _depth in range(3):
                following: List[str] = []
                for current in frontier:
                    for call in self.functions[current].calls:
                        if call.kind != "name":
                            continue
                        found = self.resolve(call.target)
                        if found is None:
                            continue
                        if found[0] == "class":
                            if found[1] != owner:
                                out.add(found[1])
                        elif found[1] not in seen and self.functions[found[1]].class_name is None:
                            seen.add(found[1])
                            following.append(found[1])
                frontier = following
                if not frontier:
                    break
        return out

    def _scripted_classes(self) -> Set[str]:
        """Classes scripted explicitly when their module is imported: ``@torch.jit.script`` on the
        class or a module-level ``torch.jit.script(Cls)`` (a call inside a function may run after
        the class was needed, or never), e.g. dataclasses."""
        if self._scripted is None:
            self._scripted = {cid for cid, cls in self.classes.items() if "torch.jit.script" in cls.decorators}
            for summary in self.modules.values():
                for root in summary.roots:
                    found = self.resolve(root.target) if root.mode == SCRIPT and root.top_level else None
                    if found and found[0] == "class":
                        self._scripted.add(found[1])
        return self._scripted

    def _plain_class(self, cid: str) -> bool:
        """A project class that is no nn.Module, NamedTuple, Enum or exception (nor derives from one)."""
        if self.is_module(cid):
            return False
        for c in self.mro(cid):
            cls = self.classes.get(c)
            if cls is not None and cls.is_namedtuple_or_enum:
                return False
        return True

    def _autograd_function(self, cid: str) -> bool:
        """A subclass of ``torch.autograd.Function`` (through project base classes)."""
        for c in self.mro(cid):
            cls = self.classes.get(c)
            if cls is not None and any(b in _AUTOGRAD_FUNCTION_BASES for b in cls.bases):
                return True
        return False

    def _in_project(self, dotted: str) -> bool:
        """Whether ``dotted`` names something inside a module of the project."""
        parts = dotted.split(".")
        return any(".".join(parts[:cut]) in self.modules for cut in range(len(parts) - 1, 0, -1))

    def _attr_user(self, cid: str, attr: str) -> Optional[str]:
        for ctx, uses in self.used_attrs.items():
            if attr in uses and cid in self.mro(ctx):
                return uses[attr]
        return None

    def filter(self, results: Iterable[FileResult]) -> List[Finding]:
        out: List[Finding] = []
        for result in results:
            for cond in result.conditionals:
                if not cond.requires:
                    out.append(cond.finding)
                    continue
                fills = self.check(cond.requires)
                if fills is None:
                    continue
                finding = cond.finding
                if fills and "{use}" in finding.message:
                    finding = finding.with_message(finding.message.replace("{use}", fills["use"]))
                out.append(finding)
        return out


_AUTOGRAD_FUNCTION_BASES = frozenset({
    "torch.autograd.Function", "torch.autograd.function.Function", "torch.autograd.function.InplaceFunction",
    "torch.autograd.InplaceFunction",
})


def _has_user_base(cls: ClassSummary) -> bool:
    return any(b not in ("builtins.object", "object") for b in cls.bases)


def _matches(pattern: str, ident: str) -> bool:
    module, _, qual = ident.partition(":")
    dotted = f"{module}.{qual}" if module else qual
    return (fnmatch.fnmatchcase(qual, pattern) or fnmatch.fnmatchcase(dotted, pattern)
            or fnmatch.fnmatchcase(ident, pattern))
