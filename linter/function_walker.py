"""One pass over a function body: dispatch rule hooks, track types and compiler state.

libcst's visitor framework rebuilds every node it visits (about as costly as a parse);
this walker reads the frozen dataclasses directly and dispatches ``visit_<NodeName>``
hooks from a table built once per run. While walking it also

- keeps the local type environment current (assignments, branches, ``is None`` refinement),
- tracks regions the script compiler skips (``if not torch.jit.is_scripting():``) or the
  tracer never runs (``if torch.jit.is_scripting():``), following the compiler's real rules:
  only ``torch.jit.is_scripting()`` is folded in script mode (``is_tracing()`` is not), folding
  goes through ``not``/``and``/``or``, and a statically-taken branch that returns makes the rest
  of the block dead,
- records the calls and ``self.x`` reads the project step needs to compute reach.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from .analysis.context import FunctionContext
from .analysis.guards import _orelse_body, always_exits, refinements, static_value
from .analysis.arg_values import call_arguments, spec_of, uses_params
from .analysis.typecheck.inference import annotation_type
from .analysis.modes import FILE, SCRIPT, TRACE
from .analysis.summary import CallRef, FunctionSummary, RootRef
from .analysis.syntax import _all_params, _children_list, iter_children
from .analysis.typecheck.lattice import NONE, SINT, SIZE, TENSOR, kind, strip_optional

Hook = Tuple[object, Callable, str, bool]  # rule, bound method, mode, frontend

_COMPREHENSIONS = frozenset({cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp})
# Expressions whose children are walked with type refinement or scoping (see walk_expr).
_SPECIAL_EXPRS = frozenset({cst.Lambda, cst.BooleanOperation, cst.IfExp}) | _COMPREHENSIONS
_STORE_CONTAINERS = frozenset({cst.Tuple, cst.List, cst.Element, cst.StarredElement})
# nn.Module methods that return the module itself: ``Net(...).eval().to(device)`` is a ``Net``
_SELF_RETURNING = frozenset("eval train to cpu cuda float double half bfloat16 requires_grad_".split())


def _constructed(call: cst.Call) -> cst.Call:
    """``Net(...)`` for ``Net(...).eval().to(device)``; the call itself otherwise."""
    while (isinstance(call.func, cst.Attribute) and call.func.attr.value in _SELF_RETURNING
           and isinstance(call.func.value, cst.Call)):
        call = call.func.value
    return call

# Calls that hand a project object to a compiler: their first argument becomes a root.
ROOT_CALLS = {
    "torch.jit.script": "script",
    "torch.jit.trace": "trace",
    "torch.jit.trace_module": "trace",
    "torch.export.export": "export",
}


def _ignore_context_manager(stmt: cst.With) -> int:
    """1 for ``with torch.jit._IgnoreContextManager(...):``, spelled as torch/jit/frontend.py
    recognises it (that exact attribute chain on the first item), else 0."""
    expr = stmt.items[0].item if stmt.items else None
    func = expr.func if isinstance(expr, cst.Call) else None
    return int(isinstance(func, cst.Attribute) and func.attr.value == "_IgnoreContextManager"
               and isinstance(func.value, cst.Attribute) and func.value.attr.value == "jit"
               and isinstance(func.value.value, cst.Name) and func.value.value.value == "torch")


class Dispatch:
    """Node class -> hooks of the selected rules, built once per run."""

    def __init__(self, rules: Sequence[object]):
        self.rules = tuple(rules)
        self._parts: Optional[Tuple["Dispatch", "Dispatch"]] = None
        self.by_type: Dict[type, List[Hook]] = {}
        self.function_start: List[Hook] = []
        self.function_end: List[Hook] = []
        self.class_hooks: List[Tuple[object, Callable]] = []
        self.module_hooks: List[Tuple[object, Callable]] = []
        for rule in rules:
            for attr in dir(type(rule)):
                if attr.startswith("visit_"):
                    node_cls = getattr(cst, attr[6:], None)
                    if node_cls is None:
                        raise RuntimeError(f"{rule.code}: {attr} names no libcst node")
                    self.by_type.setdefault(node_cls, []).append(
                        (rule, getattr(rule, attr), rule.mode, rule.frontend)
                    )
            if hasattr(rule, "function_start"):
                self.function_start.append((rule, rule.function_start, rule.mode, rule.frontend))
            if hasattr(rule, "function_end"):
                self.function_end.append((rule, rule.function_end, rule.mode, rule.frontend))
            if hasattr(rule, "check_class"):
                self.class_hooks.append((rule, rule.check_class))
            if hasattr(rule, "check_module"):
                self.module_hooks.append((rule, rule.check_module))

    def parts(self) -> Tuple["Dispatch", "Dispatch"]:
        """(file part, reach part) for walking: the hooks of FILE-mode rules, and those of the
        rules whose findings need reach (script, trace, export). A function no compiler reaches
        needs only the first (see FileAnalyzer.run, which runs class and module hooks from the
        whole dispatch)."""
        if self._parts is None:
            self._parts = (Dispatch([r for r in self.rules if r.mode == FILE]),
                           Dispatch([r for r in self.rules if r.mode != FILE]))
        return self._parts


# -- static evaluation of torch.jit.is_scripting()/is_tracing() guards --------------------


def _instance_dependent(test: cst.BaseExpression, ctx: FunctionContext) -> bool:
    """Does ``test`` read a per-instance compile-time constant of ``self``?

    The script compiler folds ``if self.flag:`` on ``Final``/``__constants__`` attributes, and
    ``self.x is None`` on attributes that hold None in some instances, compiling only the branch
    each instance takes. Such branches are compiled for some configurations only; jitlint
    reports script problems only in code compiled for every configuration, so both branches are
    treated like code the compiler skips (frontend rules still apply).
    """
    facts = ctx.function.class_facts if ctx.function is not None else None
    if facts is None or not (facts.constant_attrs or facts.maybe_none_attrs):
        return False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _instance_dependent(test.expression, ctx)
    if isinstance(test, cst.BooleanOperation):
        return _instance_dependent(test.left, ctx) or _instance_dependent(test.right, ctx)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        comp = test.comparisons[0]
        if (isinstance(comp.operator, (cst.Is, cst.IsNot)) and isinstance(comp.comparator, cst.Name)
                and comp.comparator.value == "None"):
            test = test.left
            attrs = facts.maybe_none_attrs | facts.constant_attrs
        else:
            return False
    else:
        attrs = facts.constant_attrs
    return (isinstance(test, cst.Attribute) and isinstance(test.value, cst.Name)
            and test.value.value == "self" and test.attr.value in attrs)


# -- None refinement -----------------------------------------------------------------------


class FunctionWalker:
    """Walks one function body (or module-level code) for one file."""

    def __init__(self, dispatch: Dispatch, ctx: FunctionContext, summary: Optional[FunctionSummary]):
        self.dispatch = dispatch
        self.ctx = ctx
        self.summary = summary
        self.by_type = dispatch.by_type
        self.is_function = ctx.function is not None
        self.roots: Optional[list] = None

    # -- hook dispatch ------------------------------------------------------------------
    def _fire(self, hooks: List, node: cst.CSTNode) -> None:
        ctx = self.ctx
        for rule, hook, mode, frontend in hooks:
            if mode == SCRIPT:
                if not self.is_function or ctx.nested:
                    continue
                if ctx.script_dead and not frontend:
                    continue
            elif mode == TRACE:
                if not self.is_function or ctx.trace_dead:
                    continue
            elif mode != FILE and not self.is_function:
                continue
            ctx.rule = rule
            ctx.file.rule = rule
            try:
                hook(node, ctx)
            except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the run
                ctx.file.internal_error(rule, node, exc)

    # -- entry points -------------------------------------------------------------------
    def walk_function(self, fn: cst.FunctionDef) -> None:
        self._fire_function_hooks(self.dispatch.function_start, fn)
        self.walk_block(fn.body.body if isinstance(fn.body, cst.IndentedBlock) else fn.body.body)
        self._fire_function_hooks(self.dispatch.function_end, fn)

    def _fire_function_hooks(self, hooks: List[Hook], fn: cst.FunctionDef) -> None:
        """Run function_start/function_end hooks; like :meth:`_fire`, a rule that raises
        becomes a JIT003 naming it instead of discarding every finding of the file."""
        ctx = self.ctx
        for rule, hook, mode, frontend in hooks:
            if mode == FILE or self.is_function:
                ctx.rule = rule
                try:
                    hook(fn, ctx)
                except Exception as exc:  # noqa: BLE001 - one broken rule must not stop the run
                    ctx.file.internal_error(rule, fn, exc)

    def walk_block(self, stmts: Sequence[cst.BaseStatement]) -> None:
        ctx = self.ctx
        dead_script = dead_trace = 0
        conds = 0  # `if not augment: return x`: the rest runs only when the test goes the other way
        for stmt in stmts:
            self.walk_statement(stmt)
            if isinstance(stmt, cst.If) and self.is_function and not ctx.nested \
                    and static_value(stmt.test, ctx, TRACE) is None:
                cond = spec_of(stmt.test, ctx)
                if uses_params(cond):
                    if always_exits(stmt.body.body):
                        ctx.trace_conds.append((cond, False))
                        conds += 1
                    elif stmt.orelse is not None and always_exits(_orelse_body(stmt.orelse)):
                        ctx.trace_conds.append((cond, True))
                        conds += 1
            if isinstance(stmt, cst.If):
                for mode in (SCRIPT, TRACE):
                    value = static_value(stmt.test, ctx, mode) if self.is_function else None
                    if value is None:
                        continue
                    taken = stmt.body.body if value else (_orelse_body(stmt.orelse) if stmt.orelse else ())
                    if taken and always_exits(taken):
                        if mode == SCRIPT and not dead_script:
                            dead_script = 1
                            ctx.script_dead += 1
                        elif mode == TRACE and not dead_trace:
                            dead_trace = 1
                            ctx.trace_dead += 1
        ctx.script_dead -= dead_script
        ctx.trace_dead -= dead_trace
        if conds:
            del ctx.trace_conds[-conds:]

    def walk_statement(self, stmt: cst.CSTNode) -> None:  # noqa: C901 - statement dispatch
        ctx = self.ctx
        hooks = self.by_type.get(type(stmt))
        if hooks:
            self._fire(hooks, stmt)
        infer = ctx.infer
        if isinstance(stmt, cst.SimpleStatementLine):
            ctx.parents.append(stmt)
            for small in stmt.body:
                self.walk_small(small)
            ctx.parents.pop()
            return
        ctx.parents.append(stmt)
        try:
            if isinstance(stmt, cst.If):
                self._walk_if(stmt)
            elif isinstance(stmt, cst.For):
                self.walk_expr(stmt.iter)
                if infer is not None:
                    self._bind_target(stmt.target, self._element_type(infer.type_of(stmt.iter)))
                self._walk_target(stmt.target)
                before = infer.snapshot() if infer else None
                ctx.loop_depth += 1
                ctx.conditions.append(stmt.iter)
                self.walk_block(stmt.body.body)
                ctx.conditions.pop()
                ctx.loop_depth -= 1
                if infer:
                    infer.restore(infer.merge(before, infer.env) if before is not None else infer.env)
                if stmt.orelse is not None:
                    self._walk_else(stmt.orelse)
            elif isinstance(stmt, cst.While):
                self.walk_expr(stmt.test)
                before = infer.snapshot() if infer else None
                ctx.loop_depth += 1
                ctx.conditions.append(stmt.test)
                if infer:
                    self._refine(refinements(stmt.test, True))
                self.walk_block(stmt.body.body)
                ctx.conditions.pop()
                ctx.loop_depth -= 1
                if infer and before is not None:
                    infer.restore(infer.merge(before, infer.env))
                if stmt.orelse is not None:
                    self._walk_else(stmt.orelse)
            elif isinstance(stmt, (cst.Try, cst.TryStar)):
                self.walk_block(stmt.body.body)
                for handler in stmt.handlers:
                    if handler.type is not None:
                        self.walk_expr(handler.type)
                    self.walk_block(handler.body.body)
                if stmt.orelse is not None:
                    self.walk_block(stmt.orelse.body.body)
                if stmt.finalbody is not None:
                    self.walk_block(stmt.finalbody.body.body)
            elif isinstance(stmt, cst.With):
                for item in stmt.items:
                    self.walk_expr(item.item)
                    if item.asname is not None and infer is not None:
                        self._bind_target(item.asname.name, None)
                ignored = _ignore_context_manager(stmt)
                ctx.nested += ignored  # the frontend moves the body into an @torch.jit.ignore function
                self.walk_block(stmt.body.body)
                ctx.nested -= ignored
            elif isinstance(stmt, cst.FunctionDef):
                self._walk_nested(stmt)
            elif isinstance(stmt, cst.ClassDef):
                ctx.nested += 1
                for node in iter_children(stmt):
                    self.walk_expr(node) if not isinstance(node, cst.BaseSuite) else self.walk_block(node.body)
                ctx.nested -= 1
            elif isinstance(stmt, cst.Match):
                self.walk_expr(stmt.subject)
                for case in stmt.cases:
                    self.walk_block(case.body.body)
            else:
                for child in iter_children(stmt):
                    if isinstance(child, cst.BaseSuite):
                        self.walk_block(child.body)
                    else:
                        self.walk_expr(child)
        finally:
            ctx.parents.pop()

    def _walk_else(self, orelse: cst.Else) -> None:
        hooks = self.by_type.get(cst.Else)
        if hooks:
            self._fire(hooks, orelse)
        self.walk_block(orelse.body.body)

    def _walk_nested(self, fn: cst.FunctionDef) -> None:
        ctx = self.ctx
        for dec in fn.decorators:
            self.walk_expr(dec.decorator)
        ctx.nested += 1
        infer = ctx.infer
        saved = infer.snapshot() if infer else None
        saved_locals = set(infer.locals) if infer else None
        if infer:
            for p in _all_params(fn.params):
                infer.bind(p.name.value, annotation_type(p.annotation, ctx.names) if p.annotation else None)
        self.walk_block(fn.body.body if isinstance(fn.body, cst.IndentedBlock) else fn.body.body)
        if infer:
            infer.restore(saved)
            infer.locals = saved_locals
            infer.bind(fn.name.value, ("func", "<nested>"))
        ctx.nested -= 1

    def _walk_if(self, stmt: cst.If) -> None:
        ctx = self.ctx
        infer = ctx.infer
        self.walk_expr(stmt.test)
        script_v = static_value(stmt.test, ctx, SCRIPT) if self.is_function else None
        trace_v = static_value(stmt.test, ctx, TRACE) if self.is_function else None
        per_instance = script_v is None and self.is_function and _instance_dependent(stmt.test, ctx)
        before = infer.snapshot() if infer else None
        # a test on the function's own parameters: trace reach folds it with what callers pass
        cond = spec_of(stmt.test, ctx) if self.is_function and trace_v is None and not ctx.nested else None
        cond = cond if cond is not None and uses_params(cond) else None
        # body
        dead_s = script_v is False or per_instance
        dead_t = trace_v is False
        ctx.script_dead += dead_s
        ctx.trace_dead += dead_t
        ctx.conditions.append(stmt.test)
        if infer:
            self._refine(refinements(stmt.test, True))
        if cond is not None:
            ctx.trace_conds.append((cond, True))
        self.walk_block(stmt.body.body)
        if cond is not None:
            ctx.trace_conds.pop()
        ctx.conditions.pop()
        ctx.script_dead -= dead_s
        ctx.trace_dead -= dead_t
        body_exits = always_exits(stmt.body.body)
        after_body = infer.snapshot() if infer else None
        # else
        if infer:
            infer.restore(before)
            self._refine(refinements(stmt.test, False))
        else_exits = False
        if stmt.orelse is not None:
            dead_s = script_v is True or per_instance
            dead_t = trace_v is True
            ctx.script_dead += dead_s
            ctx.trace_dead += dead_t
            if cond is not None:
                ctx.trace_conds.append((cond, False))
            if isinstance(stmt.orelse, cst.If):
                ctx.parents.append(stmt.orelse)
                hooks = self.by_type.get(cst.If)
                if hooks:
                    self._fire(hooks, stmt.orelse)
                self._walk_if(stmt.orelse)
                ctx.parents.pop()
                else_exits = always_exits([stmt.orelse])
            else:
                self._walk_else(stmt.orelse)
                else_exits = always_exits(stmt.orelse.body.body)
            if cond is not None:
                ctx.trace_conds.pop()
            ctx.script_dead -= dead_s
            ctx.trace_dead -= dead_t
        if infer:
            after_else = infer.snapshot()
            if body_exits and not else_exits:
                infer.restore(after_else)
            elif else_exits and not body_exits:
                infer.restore(after_body)
            else:
                infer.restore(infer.merge(after_body, after_else))

    def _refine(self, refs: Dict[str, str]) -> None:
        infer = self.ctx.infer
        for name, how in refs.items():
            if name not in infer.env:
                continue
            if how == "notnone":
                infer.env[name] = strip_optional(infer.env[name]) if infer.env[name] != NONE else None
            else:
                infer.env[name] = NONE

    def walk_small(self, small: cst.CSTNode) -> None:
        ctx = self.ctx
        infer = ctx.infer
        hooks = self.by_type.get(type(small))
        if hooks:
            self._fire(hooks, small)
        ctx.parents.append(small)
        if isinstance(small, cst.Assign):
            self.walk_expr(small.value)
            for target in small.targets:
                self._walk_target(target.target)
            if infer is not None:
                t = infer.type_of(small.value)
                for target in small.targets:
                    self._bind_target(target.target, t, small.value)
        elif isinstance(small, cst.AnnAssign):
            self.walk_expr(small.annotation.annotation)
            if small.value is not None:
                self.walk_expr(small.value)
            self._walk_target(small.target)
            if infer is not None:
                t = annotation_type(small.annotation, ctx.names)
                if t is None and small.value is not None:
                    t = infer.type_of(small.value)
                self._bind_target(small.target, t)
        elif isinstance(small, cst.AugAssign):
            self.walk_expr(small.value)
            self._walk_target(small.target)
            if infer is not None and isinstance(small.target, cst.Name):
                old = infer.type_of(small.target)
                new = infer.type_of(small.value)
                if TENSOR in (old, new):
                    infer.bind(small.target.value, TENSOR)
        elif isinstance(small, cst.Assert):
            self.walk_expr(small.test)
            if small.msg is not None:
                self.walk_expr(small.msg)
            if infer is not None:
                self._refine(refinements(small.test, True))
        else:
            for child in iter_children(small):
                self.walk_expr(child)
        ctx.parents.pop()

    def _walk_target(self, target: cst.BaseExpression) -> None:
        """Visit an assignment target (rules see it; self.x writes are recorded)."""
        if isinstance(target, cst.Name):
            hooks = self.by_type.get(cst.Name)
            if hooks:
                self._fire(hooks, target)
            return
        self.walk_expr(target, store=True)

    def _bind_target(self, target: cst.BaseExpression, t, value: Optional[cst.BaseExpression] = None) -> None:
        infer = self.ctx.infer
        if infer is None:
            return
        if isinstance(target, cst.Name):
            infer.bind(target.value, t)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elems = target.elements
            k = kind(t)
            for i, el in enumerate(elems):
                et = None
                if k == SIZE:
                    et = SINT
                elif k == "tuple" and t[1] is not None and len(t[1]) == len(elems):
                    et = t[1][i]
                elif k == "list":
                    et = t[1]
                elif t == TENSOR and not isinstance(value, cst.Call):
                    # (a call "returning a Tensor" that is unpacked is most likely a module or
                    # helper returning a tuple whose type the local inference only guessed)
                    et = TENSOR
                if isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(elems):
                    et = infer.type_of(value.elements[i].value)
                if isinstance(el, cst.StarredElement):
                    self._bind_target(el.value, ("list", et))
                else:
                    self._bind_target(el.value, et)

    def _element_type(self, t):
        k = kind(t)
        if t == TENSOR:
            return TENSOR
        if k == SIZE:
            return SINT
        if k == "list":
            return t[1]
        if k == "tuple":
            return t[1][0] if t[1] and all(e == t[1][0] for e in t[1]) else None
        if k == "range":
            return SINT if any(a in (SINT,) for a in t[1]) else "int"
        if k == "dict":
            return t[1]
        if k == "enumerate":
            return None
        if k in ("modlist",):
            return ("module", t[1]) if t[1] else ("module", "torch.nn.Module")
        return None

    # -- expressions ----------------------------------------------------------------------
    def walk_expr(self, node: cst.CSTNode, store: bool = False) -> None:  # noqa: C901
        ctx = self.ctx
        hooks = self.by_type.get(type(node))
        if hooks:
            self._fire(hooks, node)
        summary = self.summary
        t = type(node)
        if summary is not None:
            if t is cst.Call:
                self._record_call(node)
            elif t is cst.Attribute and type(node.value) is cst.Name and node.value.value == "self":
                if not store and not ctx.script_dead and not ctx.nested:
                    summary.script_attr_reads.setdefault(node.attr.value, True)
        if t not in _SPECIAL_EXPRS:
            ctx.parents.append(node)
            if t is cst.Attribute or t is cst.Arg:
                self.walk_expr(node.value)
            else:
                sub_store = store and t in _STORE_CONTAINERS
                for child in _children_list(node):
                    self.walk_expr(child, store=sub_store)
            ctx.parents.pop()
            return
        if t is cst.Lambda:
            ctx.nested += 1
            ctx.parents.append(node)
            infer = ctx.infer
            saved = infer.snapshot() if infer else None
            if infer:
                for p in _all_params(node.params):
                    infer.bind(p.name.value, None)
            self.walk_expr(node.body)
            if infer:
                infer.restore(saved)
            ctx.parents.pop()
            ctx.nested -= 1
            return
        if t is cst.BooleanOperation and ctx.infer is not None:
            ctx.parents.append(node)
            self.walk_expr(node.left)
            saved = ctx.infer.snapshot()
            self._refine(refinements(node.left, isinstance(node.operator, cst.And)))
            self.walk_expr(node.right)
            ctx.infer.restore(saved)
            ctx.parents.pop()
            return
        if t is cst.IfExp and ctx.infer is not None:
            ctx.parents.append(node)
            self.walk_expr(node.test)
            saved = ctx.infer.snapshot()
            self._refine(refinements(node.test, True))
            self.walk_expr(node.body)
            ctx.infer.restore(saved)
            self._refine(refinements(node.test, False))
            self.walk_expr(node.orelse)
            ctx.infer.restore(saved)
            ctx.parents.pop()
            return
        if t in _COMPREHENSIONS and ctx.infer is not None:
            ctx.parents.append(node)
            infer = ctx.infer
            saved = infer.snapshot()
            comp = node.for_in
            while comp is not None:
                self.walk_expr(comp.iter)
                self._bind_target(comp.target, self._element_type(infer.type_of(comp.iter)))
                self._walk_target(comp.target)
                for cond in comp.ifs:
                    hooks = self.by_type.get(cst.CompIf)
                    if hooks:
                        self._fire(hooks, cond)
                    self.walk_expr(cond.test)
                comp = comp.inner_for_in
            if isinstance(node, cst.DictComp):
                self.walk_expr(node.key)
                self.walk_expr(node.value)
            else:
                self.walk_expr(node.elt)
            infer.restore(saved)
            ctx.parents.pop()
            return
        ctx.parents.append(node)
        if isinstance(node, cst.Attribute):
            self.walk_expr(node.value)
        elif isinstance(node, cst.Arg):
            self.walk_expr(node.value)
        else:
            sub_store = store and isinstance(node, (cst.Tuple, cst.List, cst.Element, cst.StarredElement))
            for child in iter_children(node):
                self.walk_expr(child, store=sub_store)
        ctx.parents.pop()

    def _record_root(self, mode: str, node: cst.Call) -> None:
        if not node.args or self.roots is None:
            return
        arg = node.args[0].value
        ctx = self.ctx
        if isinstance(arg, cst.Call):
            arg = _constructed(arg)
            target = ctx.resolve(arg.func)
            if target is None and isinstance(arg.func, cst.Name):
                target = ctx.names.resolve(arg.func.value)
            if target is not None:
                self.roots.append(RootRef(target, mode, True))
            return
        if isinstance(arg, cst.Name) and ctx.infer is not None and arg.value in ctx.infer.locals:
            t = ctx.infer.env.get(arg.value)
            if isinstance(t, tuple) and t[0] in ("module", "class"):
                self.roots.append(RootRef(str(t[1]), mode, True))
            else:
                self._root_from_assignment(arg.value, mode)
            return
        target = ctx.resolve(arg)
        if target is not None:
            self.roots.append(RootRef(target, mode, False, top_level=not self.is_function))
        elif isinstance(arg, cst.Name):
            self._root_from_assignment(arg.value, mode)

    def _root_from_assignment(self, name: str, mode: str) -> None:
        """``model = Net(...)`` then ``torch.jit.script(model)``, with ``model`` bound once in the
        scope (a class of another file or library, which local inference does not type): the
        instance root ``Net`` (reach ignores it when ``Net`` turns out to be a function)."""
        ctx = self.ctx
        fn = ctx.function.node if ctx.function is not None else None
        if fn is not None:
            p = fn.params
            if any(q.name.value == name for q in _all_params(p)):
                return
            stmts = fn.body.body if isinstance(fn.body, cst.IndentedBlock) else ()
        else:
            stmts = ctx.file.module.body
        bindings = 0
        value = None
        todo = list(stmts)
        while todo:
            node = todo.pop()
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                bindings += node.name.value == name
                continue
            if isinstance(node, cst.Lambda):
                continue
            targets = ()
            if isinstance(node, cst.Assign):
                targets = tuple(t.target for t in node.targets)
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor, cst.NamedExpr)):
                targets = (node.target,)
            elif isinstance(node, (cst.AsName, cst.Global, cst.Nonlocal, cst.ImportAlias)):
                text = ctx.code_of(node)
                bindings += name in text.replace(",", " ").split()
            for t in targets:
                names = [t] if isinstance(t, cst.Name) else [n for n in iter_children(t) if isinstance(n, cst.Name)]
                if isinstance(t, (cst.Tuple, cst.List)):
                    names = [el.value for el in t.elements]
                for n in names:
                    if isinstance(n, cst.Name) and n.value == name:
                        bindings += 1
                        if isinstance(node, cst.Assign) and len(node.targets) == 1 and n is t:
                            value = node.value
            todo.extend(iter_children(node))
        if bindings != 1 or not isinstance(value, cst.Call):
            return
        value = _constructed(value)
        target = ctx.resolve(value.func) if isinstance(value.func, (cst.Name, cst.Attribute)) else None
        if target is not None:
            self.roots.append(RootRef(target, mode, True, top_level=not self.is_function))

    def _record_call(self, node: cst.Call) -> None:
        ctx = self.ctx
        func = node.func
        script_live = not ctx.script_dead and not ctx.nested
        trace_live = not ctx.trace_dead
        ref = None
        qual_any = ctx.resolve(func) if isinstance(func, (cst.Attribute, cst.Name)) else None
        if qual_any in ROOT_CALLS:
            self._record_root(ROOT_CALLS[qual_any], node)
            return
        if isinstance(func, cst.Attribute):
            owner = func.value
            if isinstance(owner, cst.Name) and owner.value == "self":
                ref = CallRef("self", func.attr.value, script_live, trace_live)
            elif isinstance(owner, cst.Call) and isinstance(owner.func, cst.Name) and owner.func.value == "super":
                ref = CallRef("super", func.attr.value, script_live, trace_live)
            elif (isinstance(owner, cst.Attribute) and isinstance(owner.value, cst.Name)
                  and owner.value.value == "self"):
                ref = CallRef("selfattr", f"{owner.attr.value}.{func.attr.value}", script_live, trace_live)
            else:
                qual = ctx.resolve(func)
                if qual is not None and not qual.startswith(("torch.", "builtins.", "math.")):
                    ref = CallRef("name", qual, script_live, trace_live)
        elif isinstance(func, cst.Name):
            name = func.value
            if ctx.infer is not None and name in ctx.infer.locals:
                return
            qual = ctx.names.resolve(name)
            if qual is not None and not qual.startswith(("builtins.", "torch.")):
                ref = CallRef("name", qual, script_live, trace_live)
        if ref is not None:
            if ref.kind in ("name", "self") and self.is_function and not ctx.nested:  # arg_values
                ref.args = call_arguments(node, ctx)
                ref.trace_cond = tuple(ctx.trace_conds)
            self.summary.calls.append(ref)
        # self.x = <function> style calls through attributes are handled by the class summary.


