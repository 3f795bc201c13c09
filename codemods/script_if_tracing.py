"""Move a data-dependent ``if``/``for``/``while`` of traced code into a scripted helper.

``torch.jit.trace`` records the operations one example input runs: a Python branch or loop
decided by a Tensor's values or shape is frozen into the trace. A module-level
``@torch.jit.script_if_tracing`` function is run as plain Python eagerly and is compiled by
``torch.jit.script`` on its first call while tracing (torch 2.13, ground truth t023), so the
trace calls the compiled function and keeps its control flow. This codemod does the move::

    def fn(x):                              @torch.jit.script_if_tracing
        if x.sum() > 0:                     def _fn_branch(x: torch.Tensor) -> torch.Tensor:
            y = x * 2              ->           if x.sum() > 0:
        else:                                       y = x * 2
            y = -x                              else:
        return y + 1                                y = -x
                                                return y

                                            def fn(x):
                                                y = _fn_branch(x)
                                                return y + 1

The helper's parameters are the block's free variables (the local names it reads before
assigning them, in the order of their first read) and the ``self.attr`` values it reads;
it returns the names the block assigns that later code reads (and the inputs it changes in
place), annotated ``Tensor``, so a non-Tensor result fails loudly when the helper is compiled
instead of being frozen. A block that returns on all its paths becomes ``return _helper(...)``;
a block that returns on some paths only is extended to the end of the function when it is in
the function's own body (the whole tail then runs in the helper), else refused.

Arguments (plain data, from the rule; see ``linter/analysis/script_extraction.py``):
``(owner, function, path, kind, header, extend, types, torch_name)``: the top-level class
(``""`` for a function) and function holding the statement; the statement's path from the
function body (``(("body", 2), ("orelse", 0))``: suite and index at each level); its kind
(``"if"``, ``"for"``, ``"while"`` or ``"stmt"``); the source code of its test/iterable (or of
a call in the statement) to check the path still points at it; whether to move the rest of the
function with it; ``(name or "self.attr", annotation)`` pairs for the names the block reads
(``""``: unknown; ``"!why"``: a value the trace has already frozen, e.g. a size read outside);
and the name ``torch`` is bound to.

The code is refused (:class:`CodemodFailed`, nothing changed) when the move cannot be proved
to keep eager behaviour or when the trace would still freeze a value: a free variable whose
type is unknown or already frozen, that may be unassigned when the block starts, or a result
assigned on some paths only; ``self`` used other than by reading a Tensor/plain attribute;
``return`` on some paths of a block not in the function body; ``break``/``continue`` that leave
the block; nested functions, lambdas, ``try``, ``with``, ``global``/``nonlocal``, ``del``,
``yield``, walrus, loop ``else``; a list the block appends to; a block with no result.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider
from libcst.metadata.scope_provider import FunctionScope

from .registry import CodemodFailed

_LIST_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"})
_REFUSED = (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.Try, cst.TryStar, cst.With, cst.Global,
            cst.Nonlocal, cst.Del, cst.Yield, cst.Await, cst.NamedExpr, cst.Match, cst.Import, cst.ImportFrom)
_REFUSED_WHAT = {cst.FunctionDef: "a nested function", cst.ClassDef: "a nested class", cst.Lambda: "a lambda",
                 cst.Try: "`try`", cst.TryStar: "`try`", cst.With: "`with`", cst.Global: "`global`",
                 cst.Nonlocal: "`nonlocal`", cst.Del: "`del`", cst.Yield: "`yield`", cst.Await: "`await`",
                 cst.NamedExpr: "`:=`", cst.Match: "`match`", cst.Import: "an import",
                 cst.ImportFrom: "an import"}


def apply(source: str, owner: str, function: str, path: Sequence[Tuple[str, int]], kind: str, header: str,
          extend: bool, types: Sequence[Tuple[str, str]], torch_name: str = "torch") -> str:
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise CodemodFailed(f"the source does not parse: {exc}") from exc
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    top_index, fn = _find_function(module, owner, function)
    chain, suite, index = _follow(fn, path)
    stmt = suite[index]
    _check_header(module, stmt, kind, header)
    if extend and len(chain) != 1:
        raise CodemodFailed("only a statement of the function's own body can take the rest of the function with it")
    block = list(suite[index:]) if extend else [stmt]
    plan = _Plan(module, scopes, fn, chain, suite, index, block, dict(types), owner != "")
    if plan.partial_return and not extend:
        if len(chain) != 1:
            raise CodemodFailed("the block returns on some paths only, inside a nested statement")
        block = list(suite[index:])
        plan = _Plan(module, scopes, fn, chain, suite, index, block, dict(types), owner != "")
        if plan.partial_return:
            raise CodemodFailed("the block returns on some paths only, and the rest of the function does not return")
    return _rewrite(module, top_index, fn, path, suite, index, block, plan, function, kind, torch_name)


# -- finding the statement ---------------------------------------------------------------------

def _find_function(module: cst.Module, owner: str, function: str) -> Tuple[int, cst.FunctionDef]:
    def named(body, cls, name):
        return [(i, s) for i, s in enumerate(body) if isinstance(s, cls) and s.name.value == name]

    if owner:
        classes = named(module.body, cst.ClassDef, owner)
        if len(classes) != 1:
            raise CodemodFailed(f"no single top-level class `{owner}`")
        top_index, cls = classes[0]
        if not isinstance(cls.body, cst.IndentedBlock):
            raise CodemodFailed(f"class `{owner}` has no indented body")
        methods = named(cls.body.body, cst.FunctionDef, function)
        if len(methods) != 1:
            raise CodemodFailed(f"no single method `{owner}.{function}`")
        return top_index, methods[0][1]
    functions = named(module.body, cst.FunctionDef, function)
    if len(functions) != 1:
        raise CodemodFailed(f"no single top-level function `{function}`")
    return functions[0]


def _suite_of(stmt: cst.CSTNode, field: str) -> Sequence[cst.BaseStatement]:
    if field == "body":
        body = getattr(stmt, "body", None)
    elif field == "orelse":
        orelse = getattr(stmt, "orelse", None)
        body = orelse.body if isinstance(orelse, cst.Else) else None
    else:
        body = None
    if not isinstance(body, cst.IndentedBlock):
        raise CodemodFailed("the statement's path does not match the code")
    return body.body


def _follow(fn: cst.FunctionDef, path: Sequence[Tuple[str, int]]):
    """The statements along ``path`` (outermost first), the suite holding the last one, its index."""
    if not path:
        raise CodemodFailed("empty statement path")
    node: cst.CSTNode = fn
    chain: List[cst.BaseStatement] = []
    suite: Sequence[cst.BaseStatement] = ()
    index = 0
    for field, index in path:
        suite = _suite_of(node, field)
        if not 0 <= index < len(suite):
            raise CodemodFailed("the statement's path does not match the code")
        node = suite[index]
        chain.append(node)
    return chain, suite, index


def _check_header(module: cst.Module, stmt: cst.CSTNode, kind: str, header: str) -> None:
    expected = {"if": cst.If, "for": cst.For, "while": cst.While, "stmt": cst.SimpleStatementLine}.get(kind)
    if expected is None or not isinstance(stmt, expected):
        raise CodemodFailed(f"the statement is not a `{kind}` statement any more")
    if kind in ("if", "while"):
        found = module.code_for_node(stmt.test)
    elif kind == "for":
        found = module.code_for_node(stmt.iter)
    else:
        found = module.code_for_node(stmt)
        if header in found:
            return
    if found != header:
        raise CodemodFailed(f"the statement's header is `{found}`, not `{header}`")


# -- analysis ----------------------------------------------------------------------------------

def _descendants(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _target_names(target: cst.BaseExpression) -> List[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        out: List[cst.Name] = []
        for el in target.elements:
            out.extend(_target_names(el.value))
        return out
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


class _Plan:
    """What moving ``block`` out of ``fn`` needs: inputs, outputs, self attributes, return form."""

    def __init__(self, module, scopes, fn: cst.FunctionDef, chain, suite, index, block, types: Dict[str, str],
                 is_method: bool):
        self.module = module
        self.scopes = scopes
        self.fn = fn
        self.types = types
        self.block = block
        self._lenient = False
        self.block_ids: Set[int] = {id(n) for s in block for n in _descendants(s)}
        self.self_name: Optional[str] = None
        if is_method and fn.params.params:
            self.self_name = fn.params.params[0].name.value
        self.fscope = scopes.get(fn.body.body[0]) if fn.body.body else None
        if not isinstance(self.fscope, FunctionScope):
            raise CodemodFailed("the function's scope is unknown")
        self._refuse_constructs()
        if any(isinstance(n, (cst.Global, cst.Nonlocal)) for n in _descendants(fn.body)):
            raise CodemodFailed("the function declares `global`/`nonlocal` names")
        self.self_attrs = self._self_attrs()
        # flow: free variables (read before assigned in the block), definitely assigned names
        self.free: List[str] = []
        self.assigned: List[str] = []
        after = self._flow(block, set())
        self.all_exit = after is None
        self.has_return = any(isinstance(n, cst.Return) for s in block for n in _descendants(s))
        self.partial_return = self.has_return and not self.all_exit
        self.definite = after or set()
        self.entry = self._entry_defined(chain, suite, index)
        self.mutated = self._mutated()
        if self.partial_return:
            return
        self.inputs, self.outputs = self._signature()

    # constructs that cannot be moved
    def _refuse_constructs(self) -> None:
        for s in self.block:
            for n in _descendants(s):
                if isinstance(n, _REFUSED):
                    raise CodemodFailed(f"the block contains {_REFUSED_WHAT[type(n)]}")
                if isinstance(n, (cst.For, cst.While)) and n.orelse is not None:
                    raise CodemodFailed("the block contains a loop `else`")
        # break/continue must stay inside a loop of the block
        for s in self.block:
            self._loop_exits(s, inside=False)

    def _loop_exits(self, node: cst.CSTNode, inside: bool) -> None:
        if isinstance(node, (cst.Break, cst.Continue)) and not inside:
            raise CodemodFailed("`break`/`continue` in the block leaves it")
        for child in node.children:
            self._loop_exits(child, inside or isinstance(node, (cst.For, cst.While)))

    def _self_attrs(self) -> List[str]:
        attrs: List[str] = []
        if self.self_name is None:
            return attrs
        parents: Dict[int, cst.CSTNode] = {}
        for s in self.block:
            for n in _descendants(s):
                for c in n.children:
                    parents[id(c)] = n
        for s in self.block:
            for n in _descendants(s):
                if not (isinstance(n, cst.Name) and n.value == self.self_name):
                    continue
                if not self._is_local_load(n):
                    continue
                parent = parents.get(id(n))
                if not (isinstance(parent, cst.Attribute) and parent.value is n):
                    raise CodemodFailed(f"the block uses `{self.self_name}` itself, not one of its attributes")
                grand = parents.get(id(parent))
                name = parent.attr.value
                if isinstance(grand, cst.Call) and grand.func is parent:
                    raise CodemodFailed(f"the block calls `{self.self_name}.{name}(...)`, which a scripted function "
                                        f"cannot reach")
                if isinstance(grand, cst.Attribute) and grand.value is parent and isinstance(
                        parents.get(id(grand)), cst.Call) and parents[id(grand)].func is grand:
                    raise CodemodFailed(f"the block calls a method of `{self.self_name}.{name}`")
                if self._stored(parent, parents):
                    raise CodemodFailed(f"the block changes `{self.self_name}.{name}`")
                if name not in attrs:
                    attrs.append(name)
        return attrs

    @staticmethod
    def _stored(node: cst.CSTNode, parents: Dict[int, cst.CSTNode]) -> bool:
        """``node`` is (the base of) an assignment target, or the receiver of an in-place call."""
        child = node
        parent = parents.get(id(child))
        while isinstance(parent, (cst.Subscript, cst.Attribute)) and parent.value is child:
            child, parent = parent, parents.get(id(parent))
        if isinstance(parent, cst.AssignTarget) and parent.target is child:
            return True
        if isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is child:
            return True
        if isinstance(parent, cst.Call) and isinstance(child, cst.Attribute) and parent.func is child:
            method = child.attr.value
            return method.endswith("_") or method in _LIST_MUTATORS
        return False

    def _is_local_load(self, name: cst.Name) -> bool:
        scope = self.scopes.get(name)
        if scope is None:
            return False
        for access in scope.accesses[name]:
            if access.node is not name:
                continue
            for ref in access.referents:
                if getattr(ref, "scope", None) is self.fscope:
                    return True
        return False

    def _loads(self, node: Optional[cst.CSTNode]) -> List[str]:
        if node is None:
            return []
        return [n.value for n in _descendants(node) if isinstance(n, cst.Name) and self._is_local_load(n)
                and n.value != self.self_name]

    def _read(self, names: Iterable[str], defined: Set[str]) -> None:
        for name in names:
            if name not in defined and name not in self.free:
                self.free.append(name)

    def _store(self, names: Iterable[cst.Name], defined: Set[str]) -> None:
        for n in names:
            defined.add(n.value)
            if n.value not in self.assigned:
                self.assigned.append(n.value)

    def _flow(self, stmts: Sequence[cst.BaseStatement], defined: Set[str]) -> Optional[Set[str]]:
        """Definite assignment through ``stmts``: the names assigned on every path that goes on,
        or None when no path goes on (each returns, raises, breaks or continues)."""
        defined = set(defined)
        for s in stmts:
            if isinstance(s, cst.SimpleStatementLine):
                for small in s.body:
                    if isinstance(small, cst.Assign):
                        self._read(self._loads(small.value), defined)
                        for t in small.targets:
                            self._read(self._target_reads(t.target), defined)
                        for t in small.targets:
                            self._store(_target_names(t.target), defined)
                    elif isinstance(small, cst.AugAssign):
                        self._read(self._loads(small.value), defined)
                        self._read(self._loads(small.target), defined)
                        self._store(_target_names(small.target), defined)
                    elif isinstance(small, cst.AnnAssign):
                        self._read(self._loads(small.value), defined)
                        self._read(self._target_reads(small.target), defined)
                        if small.value is not None:
                            self._store(_target_names(small.target), defined)
                    elif isinstance(small, (cst.Return, cst.Raise)):
                        self._read(self._loads(small), defined)
                        return None
                    elif isinstance(small, (cst.Break, cst.Continue)):
                        return None
                    else:
                        self._read(self._loads(small), defined)
            elif isinstance(s, cst.If):
                self._read(self._loads(s.test), defined)
                body = self._flow(s.body.body, defined)
                if s.orelse is None:
                    other: Optional[Set[str]] = defined
                elif isinstance(s.orelse, cst.If):
                    other = self._flow([s.orelse], defined)
                else:
                    other = self._flow(s.orelse.body.body, defined)
                ways = [w for w in (body, other) if w is not None]
                if not ways:
                    return None
                defined = set.intersection(*ways)
            elif isinstance(s, cst.For):
                self._read(self._loads(s.iter), defined)
                inner = set(defined)
                self._read(self._target_reads(s.target), defined)
                self._store(_target_names(s.target), inner)
                self._flow(s.body.body, inner)
            elif isinstance(s, cst.While):
                self._read(self._loads(s.test), defined)
                self._flow(s.body.body, defined)
            elif not self._lenient:
                raise CodemodFailed(f"the block contains a `{type(s).__name__}` statement")
        return defined

    def _target_reads(self, target: cst.BaseExpression) -> List[str]:
        """Names a target reads: the bases and indexes of ``a[i] = ...`` / ``a.b = ...``."""
        if isinstance(target, (cst.Tuple, cst.List)):
            return [x for el in target.elements for x in self._target_reads(el.value)]
        if isinstance(target, cst.StarredElement):
            return self._target_reads(target.value)
        if isinstance(target, (cst.Subscript, cst.Attribute)):
            return self._loads(target)
        return []

    def _entry_defined(self, chain, suite, index) -> Set[str]:
        """Names certainly bound when the block starts: parameters, names assigned on every path
        before it in each enclosing suite, enclosing loop targets."""
        saved_free, saved_assigned = self.free, self.assigned
        self.free, self.assigned = [], []
        self._lenient = True
        try:
            defined: Set[str] = {p.name.value for p in _all_params(self.fn.params)}
            body: Sequence[cst.BaseStatement] = self.fn.body.body
            for depth, stmt in enumerate(chain):
                i = next(k for k, s in enumerate(body) if s is stmt)
                after = self._flow(body[:i], defined)
                if after is None:
                    return set()
                defined = after
                if depth == len(chain) - 1:
                    break
                nxt = chain[depth + 1]
                if isinstance(stmt, cst.For):
                    defined |= {n.value for n in _target_names(stmt.target)}
                body = stmt.body.body if any(s is nxt for s in stmt.body.body) else stmt.orelse.body.body
            return defined
        finally:
            self.free, self.assigned = saved_free, saved_assigned
            self._lenient = False

    def _mutated(self) -> Set[str]:
        """Names of the function whose object the block changes in place (``a[i] = v``,
        ``a.add_(1)``, ``a.append(v)``)."""
        parents: Dict[int, cst.CSTNode] = {}
        for s in self.block:
            for n in _descendants(s):
                for c in n.children:
                    parents[id(c)] = n
        out: Set[str] = set()
        for s in self.block:
            for n in _descendants(s):
                if isinstance(n, cst.Name) and n.value != self.self_name and self._is_local_load(n):
                    if self._stored(n, parents) and not (isinstance(parents.get(id(n)), cst.AssignTarget)):
                        parent = parents.get(id(n))
                        if isinstance(parent, cst.Attribute) and isinstance(parents.get(id(parent)), cst.Call) \
                                and parent.attr.value in _LIST_MUTATORS:
                            raise CodemodFailed(f"the block changes the list `{n.value}` in place: a list "
                                                f"returned to the trace has a fixed length")
                        out.add(n.value)
        return out

    def _reads_after(self) -> Set[str]:
        """Local names read by code that may run after the block: later statements, and the
        whole of an enclosing loop (its next iteration)."""
        names: Set[str] = set()
        seen_block = False
        loops: List[cst.CSTNode] = []

        def visit(node: cst.CSTNode, in_loop: Optional[cst.CSTNode]) -> None:
            nonlocal seen_block
            if id(node) in self.block_ids:
                if node is self.block[0]:
                    seen_block = True
                    if in_loop is not None:
                        loops.append(in_loop)
                return
            if isinstance(node, cst.Name) and self._is_local_load(node):
                if seen_block:
                    names.add(node.value)
            loop = in_loop
            if loop is None and isinstance(node, (cst.For, cst.While)):
                loop = node
            for child in node.children:
                visit(child, loop)

        visit(self.fn.body, None)
        for loop in loops:
            for n in _descendants(loop):
                if id(n) not in self.block_ids and isinstance(n, cst.Name) and self._is_local_load(n):
                    names.add(n.value)
        return names

    def _signature(self) -> Tuple[List[str], List[str]]:
        inputs = list(self.free)
        outputs: List[str] = []
        if not self.all_exit:
            later = self._reads_after()
            for name in self.assigned:
                if name in later:
                    outputs.append(name)
            for name in sorted(self.mutated):
                if name not in outputs and name in later:
                    outputs.append(name)
            for name in outputs:
                if name in self.definite:
                    continue
                if name not in self.entry:
                    raise CodemodFailed(f"`{name}` is assigned on some paths of the block only, and may be unassigned "
                                        f"after it")
                if name not in inputs:
                    inputs.append(name)
            if not outputs:
                raise CodemodFailed("the block has no result that later code reads (the trace would drop the call)")
        for name in inputs:
            if name not in self.entry:
                raise CodemodFailed(f"`{name}` may be unassigned when the block starts")
            annotation = self.types.get(name, "")
            if not annotation:
                raise CodemodFailed(f"the type of `{name}` is unknown")
            if annotation.startswith("!"):
                raise CodemodFailed(f"`{name}` is {annotation[1:]} computed before the block: passed to the helper it "
                                    f"would stay frozen in the trace")
        for name in outputs:
            annotation = self.types.get(name, "")
            if name in inputs and annotation and not annotation.endswith("Tensor"):
                raise CodemodFailed(f"the block changes `{name}`, a {annotation}: returned to the trace it would be "
                                    f"frozen")
        for attr in self.self_attrs:
            annotation = self.types.get(f"{self.self_name}.{attr}", "")
            if not annotation or annotation.startswith("!"):
                raise CodemodFailed(f"`{self.self_name}.{attr}` is not known to be a Tensor or a plain value")
        return inputs, outputs


def _all_params(params: cst.Parameters) -> List[cst.Param]:
    out = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            out.append(star)
    return out


# -- rewriting ---------------------------------------------------------------------------------

def _taken_names(node: cst.CSTNode) -> Set[str]:
    """Every name ``node`` binds or reads (not attribute names: ``x.scale`` takes no ``scale``)."""
    attrs = {id(n.attr) for n in _descendants(node) if isinstance(n, cst.Attribute)}
    return {n.value for n in _descendants(node) if isinstance(n, cst.Name) and id(n) not in attrs}


def _fresh(base: str, taken: Set[str]) -> str:
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


class _SelfAttrs(cst.CSTTransformer):
    def __init__(self, self_name: str, names: Dict[str, str]):
        self.self_name = self_name
        self.names = names

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if isinstance(updated.value, cst.Name) and updated.value.value == self.self_name \
                and updated.attr.value in self.names:
            return cst.Name(self.names[updated.attr.value])
        return updated


def _rewrite(module: cst.Module, top_index: int, fn: cst.FunctionDef, path, suite, index, block, plan: _Plan,
             function: str, kind: str, torch_name: str) -> str:
    taken = _taken_names(module)
    base = {"if": "branch", "for": "loop", "while": "loop"}.get(kind, "scripted")
    helper_name = _fresh(f"_{function.strip('_')}_{base}", taken)
    avoid = taken | _taken_names(fn)
    attr_params: Dict[str, str] = {}
    for attr in plan.self_attrs:
        attr_params[attr] = _fresh(attr if attr not in avoid else f"self_{attr}", avoid)

    params = [cst.Param(cst.Name(n), cst.Annotation(cst.parse_expression(plan.types[n]))) for n in plan.inputs]
    params += [cst.Param(cst.Name(p), cst.Annotation(cst.parse_expression(plan.types[f"{plan.self_name}.{a}"])))
               for a, p in attr_params.items()]
    body = [s.visit(_SelfAttrs(plan.self_name, attr_params)) if attr_params else s for s in block]
    body[0] = body[0].with_changes(leading_lines=())
    returns = None
    tensor = f"{torch_name}.Tensor"
    if not plan.all_exit:
        outs = plan.outputs
        body.append(cst.SimpleStatementLine([cst.Return(_names(outs))]))
        returns = cst.Annotation(cst.parse_expression(
            tensor if len(outs) == 1 else "tuple[" + ", ".join([tensor] * len(outs)) + "]"))
    top = module.body[top_index]
    blank = []
    for line in top.leading_lines:
        if line.comment is not None:
            break
        blank.append(line)
    helper = cst.FunctionDef(
        name=cst.Name(helper_name),
        params=cst.Parameters(params=params),
        body=cst.IndentedBlock(body=body),
        decorators=[cst.Decorator(cst.parse_expression(f"{torch_name}.jit.script_if_tracing"))],
        returns=returns,
        leading_lines=blank,
    )
    args = [cst.Arg(cst.Name(n)) for n in plan.inputs]
    args += [cst.Arg(cst.parse_expression(f"{plan.self_name}.{a}")) for a in attr_params]
    call = cst.Call(cst.Name(helper_name), args)
    if plan.all_exit:
        small: cst.BaseSmallStatement = cst.Return(call)
    else:
        outs = plan.outputs
        small = cst.Assign([cst.AssignTarget(_names(outs))], call)
    replacement = cst.SimpleStatementLine([small], leading_lines=block[0].leading_lines)
    new_suite = list(suite[:index]) + [replacement] + list(suite[index + len(block):])
    new_fn = _replace_suite(fn, path, new_suite)
    new_top = top.deep_replace(fn, new_fn) if top is not fn else new_fn
    two = [cst.EmptyLine(), cst.EmptyLine()]
    new_top = new_top.with_changes(leading_lines=two + list(top.leading_lines[len(blank):]))
    new_body = list(module.body[:top_index]) + [helper, new_top] + list(module.body[top_index + 1:])
    return module.with_changes(body=new_body).code


def _names(names: Sequence[str]) -> cst.BaseExpression:
    """``a`` or ``a, b`` (a return value or an assignment target)."""
    if len(names) == 1:
        return cst.Name(names[0])
    return cst.Tuple([cst.Element(cst.Name(n)) for n in names], lpar=(), rpar=())


def _replace_suite(node: cst.CSTNode, path: Sequence[Tuple[str, int]], new_suite: List[cst.BaseStatement]):
    """``node`` (the function, then each statement along ``path``) with the suite ``path`` ends in
    replaced by ``new_suite``. Each step names its field: the block may sit in an ``else:`` whose
    ``if`` body holds a statement just like it, so identity of the enclosing statement is not enough."""
    field, index = path[0]
    if len(path) == 1:
        body = list(new_suite)
    else:
        body = list(_suite_of(node, field))
        body[index] = _replace_suite(body[index], path[1:], new_suite)
    if field == "body":
        return node.with_changes(body=node.body.with_changes(body=body))
    orelse = node.orelse
    return node.with_changes(orelse=orelse.with_changes(body=orelse.body.with_changes(body=body)))
