"""Analyse one file: parse once, learn its classes and names, walk every function once.

The result depends on the file's content only (plus the rule selection), which is what
makes it cacheable: findings that hinge on other files (is this function reachable from a
``forward``? is this class an nn.Module through a base class elsewhere?) carry predicates
that :mod:`jitlint.linter.analysis.reach` settles for the whole project on every run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from .analysis import torch_api
from .analysis.arg_values import param_table
from .analysis.compiled import JIT_FLAGS, decorator_name
from .analysis.context import FileContext, FunctionContext, FunctionInfo, Param
from .analysis.typecheck.inference import TENSOR_HINTS, ClassFacts, Inferrer, annotation_type
from .analysis.names import Binding, NameTable, _import_bindings, dotted_name, iter_top_level
from .analysis.noqa import FILE_NOQA_RE, NOQA_RE
from .analysis.positions import compute_ranges
from .analysis.summary import ClassSummary, FileSummary, FunctionSummary, RootRef
from .analysis.syntax import BODY_NODES, descendant_index, iter_children, nodes_of
from .analysis.typecheck.lattice import NONE, TENSOR, Type, join
from .finding import Edit, Finding, Fix
from .function_walker import Dispatch, FunctionWalker
from .results import Conditional
from .subclass_variants import walk_variants


@dataclass
class ClassInfo:
    """A top-level class of the file, for ``check_class`` hooks."""

    node: cst.ClassDef
    id: str
    name: str
    facts: ClassFacts
    summary: ClassSummary
    methods: Dict[str, cst.FunctionDef]
    base_names: Tuple[str, ...]


_NOQA_RE, _FILE_NOQA_RE = NOQA_RE, FILE_NOQA_RE


def build_name_table(module: cst.Module, module_name: str, package: str) -> NameTable:
    table = NameTable(module=module_name, package=package)
    for stmt, in_tc in iter_top_level(module.body):
        kind = "type-checking-import" if in_tc else "import"
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    _import_bindings(small, table, 0, kind)
                elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                    targets = ([t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target])
                    for target in targets:
                        if isinstance(target, cst.Name):
                            table.bindings[target.value] = Binding("value", _value_kind(small.value, table), 0)
        elif isinstance(stmt, cst.FunctionDef):
            table.bindings[stmt.name.value] = Binding("function", f"{module_name}.{stmt.name.value}" if module_name else stmt.name.value)
        elif isinstance(stmt, cst.ClassDef):
            table.bindings[stmt.name.value] = Binding("class", f"{module_name}.{stmt.name.value}" if module_name else stmt.name.value)
    return table


def _value_kind(value: Optional[cst.BaseExpression], table: NameTable) -> str:
    """A coarse description of what a module-level name holds (for the global-read rule)."""
    if value is None:
        return "annotation"
    if isinstance(value, cst.Integer):
        return "int"
    if isinstance(value, (cst.Float,)):
        return "float"
    if isinstance(value, cst.UnaryOperation) and isinstance(value.expression, (cst.Integer, cst.Float)):
        return "int" if isinstance(value.expression, cst.Integer) else "float"
    if isinstance(value, cst.Imaginary):
        return "complex"
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return "str"
    if isinstance(value, cst.Name):
        if value.value in ("True", "False"):
            return "bool"
        if value.value == "None":
            return "None"
        target = table.bindings.get(value.value)
        if target is not None and target.kind in ("function", "class", "import"):
            return "alias"
        return "name"
    if isinstance(value, cst.Tuple):
        return "tuple"
    if isinstance(value, (cst.List, cst.ListComp)):
        return "list"
    if isinstance(value, (cst.Dict, cst.DictComp)):
        return "dict"
    if isinstance(value, (cst.Set, cst.SetComp)):
        return "set"
    if isinstance(value, cst.BinaryOperation):
        left = _value_kind(value.left, table)
        right = _value_kind(value.right, table)
        if left in ("int", "float") and right in ("int", "float"):
            return "float" if "float" in (left, right) or isinstance(value.operator, cst.Divide) else "int"
        if left == right == "str":
            return "str"
        return "expr"
    if isinstance(value, cst.Call):
        name = table.resolve(dotted_name(value.func))
        if name in ("torch.tensor", "torch.zeros", "torch.ones", "torch.randn", "torch.arange",
                    "torch.full", "torch.empty", "torch.as_tensor", "torch.eye"):
            return "Tensor"
        if name in ("logging.getLogger",):
            return "logger"
        return "call:" + (name or "")
    if isinstance(value, cst.Lambda):
        return "lambda"
    if isinstance(value, cst.Attribute):
        name = table.resolve(dotted_name(value))
        if name is not None and name.startswith("torch.") and name[6:] in torch_api.DTYPE_NAMES:
            return "dtype"
    if isinstance(value, cst.Comparison) or (
            isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Not)):
        return "bool"
    return "expr"


def _params(fn: cst.FunctionDef) -> List[Param]:
    p = fn.params
    out: List[Param] = []
    for node in p.posonly_params:
        out.append(Param(node.name.value, node, node.annotation, node.default, "posonly"))
    for node in p.params:
        out.append(Param(node.name.value, node, node.annotation, node.default, "positional"))
    if isinstance(p.star_arg, cst.Param):
        out.append(Param(p.star_arg.name.value, p.star_arg, p.star_arg.annotation, None, "star"))
    for node in p.kwonly_params:
        out.append(Param(node.name.value, node, node.annotation, node.default, "kwonly"))
    if p.star_kwarg is not None:
        out.append(Param(p.star_kwarg.name.value, p.star_kwarg, p.star_kwarg.annotation, None, "starstar"))
    return out


class FileAnalyzer:
    def __init__(self, path: str, source: str, module_name: str, package: str, dispatch: Dispatch,
                 module: cst.Module):
        self.path = path
        self.source = source
        self.module_name = module_name
        self.package = package
        self.dispatch = dispatch
        self.module = module
        self.names = build_name_table(module, module_name, package)
        self.summary = FileSummary(path=path, module=module_name, package=package)
        self.class_facts: Dict[str, ClassFacts] = {}
        self.class_infos: List[ClassInfo] = []
        self.function_returns: Dict[str, Type] = {}
        self.class_nodes: Dict[str, cst.ClassDef] = {}
        self.function_nodes: Dict[str, cst.FunctionDef] = {}
        self.fctx: Optional[FileContext] = None
        # id(node) -> type from mypy in ``--types mypy`` mode (see jitlint.linter.analysis.typecheck.mypy_types)
        self.external_types: Optional[Dict[int, Type]] = None
        self._lazy = False  # run(lazy=True) walked with the FILE-mode rules only (see complete)
        # function node -> its body's descendants by type, shared with the rules (syntax.body_nodes)
        self.body_index: dict = {}
        self._walked_whole: Dict[Tuple[str, str], Tuple[int, int]] = {}  # lazy run: methods walked whole

    def qual(self, name: str) -> str:
        return f"{self.module_name}:{name}"

    # -- phase 1: classes and top-level functions ---------------------------------------------
    def collect(self) -> None:
        names = self.names
        for stmt in self.module.body:
            if isinstance(stmt, cst.FunctionDef):
                self.function_nodes[stmt.name.value] = stmt
                self.function_returns[stmt.name.value] = annotation_type(stmt.returns, names) if stmt.returns else None
            elif isinstance(stmt, cst.ClassDef):
                self.class_nodes[stmt.name.value] = stmt
        for name, node in self.class_nodes.items():
            self.class_facts[name] = self._class_facts_shell(node)
        # module-ness of local classes through local bases, then attribute types
        changed = True
        while changed:
            changed = False
            for name, node in self.class_nodes.items():
                facts = self.class_facts[name]
                if facts.is_module_guess:
                    continue
                for base in node.bases:
                    d = dotted_name(base.value)
                    if d in self.class_facts and self.class_facts[d].is_module_guess:
                        facts.is_module_guess = True
                        changed = True
        for name, node in self.class_nodes.items():
            self.class_infos.append(self._class_info(node, self.class_facts[name]))
        for name, node in self.function_nodes.items():
            flags = self._jit_flags(node)
            fid = self.qual(name)
            self.summary.functions[fid] = FunctionSummary(
                fid, name, name, None, tuple(decorator_name(d, names) for d in node.decorators),
                jit_flags=flags, decorator_kind=decorator_kind(node, names),
                factory_kind=factory_kind(node, names),
            )
            if "script" in flags:
                self.summary.roots.append(RootRef(f"{self.module_name}.{name}", "script"))
        for name, target in names.bindings.items():
            if target.kind in ("import", "function", "class"):
                self.summary.exports[name] = target.target

    def _jit_flags(self, fn: cst.FunctionDef) -> Tuple[str, ...]:
        flags = []
        for dec in fn.decorators:
            name = decorator_name(dec, self.names)
            flag = JIT_FLAGS.get(name)
            if flag == "ignore" and isinstance(dec.decorator, cst.Call):
                for arg in dec.decorator.args:
                    if (arg.keyword is not None and arg.keyword.value == "drop") or arg.keyword is None:
                        if isinstance(arg.value, cst.Name) and arg.value.value == "True":
                            flag = "unused"
            if flag:
                flags.append(flag)
            # (functools.cached_property is no `property`: TorchScript neither compiles it as one
            # nor calls it; forward reads the cached value as a plain attribute)
            if (name.endswith("property") or name == "builtins.property") and not name.endswith("cached_property"):
                flags.append("property")
            if name in ("builtins.staticmethod",):
                flags.append("staticmethod")
            if name in ("builtins.classmethod",):
                flags.append("classmethod")
            if name.endswith(".setter") or name.endswith(".deleter"):
                flags.append("property_accessor")
        return tuple(flags)

    def _class_facts_shell(self, node: cst.ClassDef) -> ClassFacts:
        qualname = f"{self.module_name}.{node.name.value}" if self.module_name else node.name.value
        facts = ClassFacts(qualname)
        for base in node.bases:
            if base.keyword is not None:
                continue
            resolved = self.names.resolve(dotted_name(base.value))
            if resolved and torch_api.is_module_class_name(resolved):
                facts.is_module_guess = True
        return facts

    def _class_info(self, node: cst.ClassDef, facts: ClassFacts) -> ClassInfo:
        names = self.names
        class_id = self.qual(node.name.value)
        base_names = []
        for base in node.bases:
            if base.keyword is not None:
                continue
            d = dotted_name(base.value)
            if d is None and isinstance(base.value, cst.Subscript):
                d = dotted_name(base.value.value)
            if d is None:
                base_names.append("<expr>")
                continue
            if d in self.class_nodes:
                base_names.append(f"{self.module_name}.{d}" if self.module_name else d)
            else:
                base_names.append(names.resolve(d) or d)
        methods: Dict[str, cst.FunctionDef] = {}
        annotations: Dict[str, Type] = {}
        constants: List[str] = []
        unused_props: List[str] = []
        class_level: List[str] = []
        for stmt in node.body.body:
            if isinstance(stmt, cst.FunctionDef):
                if stmt.name.value in methods and any(
                    decorator_name(d, names).endswith((".setter", ".deleter")) for d in stmt.decorators
                ):
                    continue
                earlier = methods.get(stmt.name.value)
                if earlier is not None and any(decorator_name(d, names).endswith(("_overload_method", "overload"))
                                               for d in earlier.decorators):
                    methods[stmt.name.value] = stmt  # the implementation after its overload declarations
                    continue
                methods.setdefault(stmt.name.value, stmt)
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        annotations[small.target.value] = annotation_type(small.annotation, names)
                        if _is_final(small.annotation.annotation, names):
                            facts.constant_attrs.add(small.target.value)
                        class_level.append(small.target.value)
                    elif isinstance(small, cst.Assign):
                        for t in small.targets:
                            if isinstance(t.target, cst.Name):
                                class_level.append(t.target.value)
                                if t.target.value in ("__constants__", "__jit_unused_properties__"):
                                    strings = _string_elements(small.value)
                                    (constants if t.target.value == "__constants__" else unused_props).extend(strings)
        # attribute assignments in every method (the compiler reads instance values)
        attr_types: Dict[str, Type] = {}
        assigned: List[str] = []
        function_attrs: Dict[str, str] = {}
        submodule_attrs: Dict[str, str] = {}
        for mname, mnode in methods.items():
            infer = Inferrer(names, self.function_returns, self.class_facts, None)
            for p in _params(mnode)[1:]:
                infer.bind(p.name, annotation_type(p.annotation, names) if p.annotation else None)
            for sub in nodes_of(descendant_index(self.body_index, mnode), cst.Assign, cst.AnnAssign, cst.Call):
                target = value = None
                if isinstance(sub, cst.Assign):
                    value = sub.value
                    for t in sub.targets:
                        for attr in _self_attrs(t.target):
                            assigned.append(attr)
                            if len(sub.targets) == 1 and isinstance(t.target, cst.Attribute):
                                target = attr
                    if len(sub.targets) == 1 and isinstance(sub.targets[0].target, cst.Tuple):
                        # self.stage, n = self._make_stage(...): what the method returns there
                        for attr, t in _unpacked_submodules(sub.targets[0].target, value, methods, names):
                            submodule_attrs.setdefault(attr, t[1])
                            attr_types[attr] = join(attr_types[attr], t) if attr in attr_types else t
                elif isinstance(sub, cst.AnnAssign):
                    for attr in _self_attrs(sub.target):
                        assigned.append(attr)
                        target = attr
                        value = sub.value
                elif isinstance(sub, cst.Call):
                    registered = _registered_attr(sub, names)
                    if registered is not None:
                        assigned.append(registered[0])
                        if mname == "__init__" or registered[0] not in attr_types:
                            attr_types[registered[0]] = join(attr_types[registered[0]], registered[1]) if registered[0] in attr_types else registered[1]
                    continue
                if target is None or value is None:
                    continue
                if mname != "__init__" and target in attr_types:
                    continue
                t = infer.type_of(value)
                if t is None and isinstance(value, cst.Call):
                    called = dotted_name(value.func)
                    resolved = names.resolve(called) if called else None
                    if resolved and resolved.rsplit(".", 1)[-1][:1].isupper() and not resolved.startswith("builtins."):
                        t = ("module", resolved)
                        submodule_attrs.setdefault(target, resolved)
                if isinstance(value, cst.Call) and t is not None and t[0] == "module":
                    called = dotted_name(value.func)
                    if called:
                        submodule_attrs.setdefault(target, names.resolve(called) or called)
                if isinstance(value, (cst.Name, cst.Attribute)):
                    ref = names.resolve(dotted_name(value))
                    if ref is not None and not ref.startswith("builtins.") and dotted_name(value).split(".")[0] not in infer.locals:
                        function_attrs.setdefault(target, ref)
                attr_types[target] = join(attr_types[target], t) if target in attr_types else t
        for name, t in annotations.items():
            if t is not None:
                attr_types[name] = t
        facts.attr_types = attr_types
        facts.constant_attrs.update(constants)
        facts.maybe_none_attrs = {
            name for name, t in attr_types.items()
            if name not in annotations and (t == NONE or (isinstance(t, tuple) and t[0] == "optional"))
        }
        facts.method_returns = {
            n: annotation_type(m.returns, names) if m.returns else None for n, m in methods.items()
        }
        fwd = methods.get("forward")
        if fwd is not None and fwd.returns is not None:
            facts.forward_return = annotation_type(fwd.returns, names)
        decorators = tuple(decorator_name(d, names) for d in node.decorators)
        summary = ClassSummary(
            id=class_id,
            name=node.name.value,
            bases=tuple(base_names),
            methods={n: f"{class_id}.{n}" for n in methods},
            decorators=decorators,
            class_annotations=tuple(annotations),
            init_attrs=tuple(dict.fromkeys(assigned + class_level)),
            function_attrs=function_attrs,
            submodule_attrs=submodule_attrs,
            jit_unused_properties=tuple(unused_props),
            constants=tuple(constants),
            is_dataclass=any(d in ("dataclasses.dataclass",) for d in decorators),
            is_namedtuple_or_enum=any(
                b in ("typing.NamedTuple", "enum.Enum", "enum.IntEnum", "typing_extensions.NamedTuple")
                or b.startswith("builtins.") and b.endswith(("Exception", "Error"))
                for b in base_names
            ),
        )
        self.summary.classes[class_id] = summary
        if "torch.jit.script" in decorators:
            self.summary.roots.append(RootRef(f"{self.module_name}.{node.name.value}", "script"))
        for mname, mnode in methods.items():
            fid = f"{class_id}.{mname}"
            flags = self._jit_flags(mnode)
            self.summary.functions[fid] = FunctionSummary(
                fid, mname, f"{node.name.value}.{mname}", node.name.value,
                tuple(decorator_name(d, names) for d in mnode.decorators),
                is_property="property" in flags,
                is_staticmethod="staticmethod" in flags,
                is_classmethod="classmethod" in flags,
                jit_flags=flags,
            )
        return ClassInfo(node, class_id, node.name.value, facts, summary, methods, tuple(base_names))

    # -- phase 2: walk ------------------------------------------------------------------------
    def run(self, lazy: bool = False) -> FileContext:
        """Walk the file. With ``lazy``, functions are walked with the FILE-mode rules only
        (plus the walk's own records: calls, roots, parameter tables, which reach is computed
        from); :meth:`complete` later walks the functions a compiler reaches with the other
        rules. Their findings in other functions would be dropped for want of reach anyway, and
        in most projects most functions are reached by no compiler (torch/nn: 205 of 6,990
        findings survive), so the rules' cost is paid where it counts."""
        self.collect()
        fctx = FileContext(self.path, self.module, self.source, self.names, self.module_name,
                           self.class_facts, self.function_returns, self.class_nodes, self.function_nodes)
        self.fctx = fctx
        fctx.scratch[BODY_NODES] = self.body_index
        self._lazy = lazy
        walk_dispatch = self.dispatch.parts()[0] if lazy else self.dispatch
        for name, node in self.function_nodes.items():
            self._walk_function(node, name, None, None, fctx, dispatch=walk_dispatch)
        own_walks = {}
        for info in self.class_infos:
            for mname, mnode in info.methods.items():
                start = len(fctx.pending)
                # a module's forward and exported methods are compiler roots when anything
                # compiles the module (torch/nn+ao: 251 of 268 forwards reached): walked whole
                # at once, instead of a second time in complete()
                whole = lazy and (mname == "forward" or "export" in
                                  self.summary.functions[f"{info.id}.{mname}"].jit_flags)
                self._walk_function(mnode, f"{info.name}.{mname}", info.facts, info.node, fctx,
                                    dispatch=self.dispatch if whole else walk_dispatch)
                own_walks[(info.id, mname)] = (start, len(fctx.pending))
                if whole:
                    self._walked_whole[(info.id, mname)] = own_walks[(info.id, mname)]
        if not lazy:
            # inherited methods per same-file subclass; their findings all need reach
            walk_variants(self, fctx, own_walks)
        self._walk_module_level(fctx)
        for rule, hook in self.dispatch.class_hooks:
            for info in self.class_infos:
                fctx.rule = rule
                try:
                    hook(info, fctx)
                except Exception as exc:  # noqa: BLE001
                    fctx.internal_error(rule, info.node, exc)
        for rule, hook in self.dispatch.module_hooks:
            fctx.rule = rule
            try:
                hook(self, fctx)
            except Exception as exc:  # noqa: BLE001
                fctx.internal_error(rule, self.module, exc)
        return fctx

    def complete(self, reached: Callable[[str], bool], noqa_rows: Sequence[int] = ()) -> None:
        """After a lazy :meth:`run`: walk the functions ``reached`` accepts (function ids) with
        the rules that need reach, and their same-file subclass variants. Functions holding
        one of ``noqa_rows`` are walked too: JIT005 counts a ``# noqa`` as used when it
        suppresses a finding, reached or not."""
        if not self._lazy:
            return
        self._lazy = False
        if noqa_rows:
            holding = self._functions_holding(set(noqa_rows))
            reached_only = reached

            def reached(fid: str) -> bool:
                return fid in holding or reached_only(fid)
        fctx = self.fctx
        dispatch = self.dispatch.parts()[1]
        for name, node in self.function_nodes.items():
            if reached(self.qual(name)):
                self._walk_function(node, name, None, None, fctx, throwaway_summary=True, dispatch=dispatch)
        own_walks = {}
        for info in self.class_infos:
            for mname, mnode in info.methods.items():
                if reached(f"{info.id}.{mname}"):
                    if (info.id, mname) in self._walked_whole:
                        own_walks[(info.id, mname)] = self._walked_whole[(info.id, mname)]
                        continue
                    start = len(fctx.pending)
                    self._walk_function(mnode, f"{info.name}.{mname}", info.facts, info.node, fctx,
                                        throwaway_summary=True, dispatch=dispatch)
                    own_walks[(info.id, mname)] = (start, len(fctx.pending))
        walk_variants(self, fctx, own_walks, dispatch=dispatch, only=set(own_walks))

    def _functions_holding(self, rows: set) -> set:
        """Ids of the top-level functions and methods whose lines (decorators included) hold
        one of ``rows``. Spans come from ``ast`` (a C parse, a fraction of a libcst codegen);
        defs of the same name all count for their id (a superset is safe: it only walks more)."""
        import ast

        try:
            tree = ast.parse(self.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return set(self.summary.functions)
        out = set()

        def holds(fn) -> bool:
            first = min([fn.lineno] + [d.lineno for d in fn.decorator_list])
            return any(first <= row <= fn.end_lineno for row in rows)

        defs = (ast.FunctionDef, ast.AsyncFunctionDef)
        for stmt in tree.body:
            if isinstance(stmt, defs) and holds(stmt):
                out.add(self.qual(stmt.name))
            elif isinstance(stmt, ast.ClassDef):
                for inner in stmt.body:
                    if isinstance(inner, defs) and holds(inner):
                        out.add(f"{self.qual(stmt.name)}.{inner.name}")
        return out

    def _walk_function(self, node: cst.FunctionDef, qualname: str, facts: Optional[ClassFacts],
                       class_node: Optional[cst.ClassDef], fctx: FileContext,
                       throwaway_summary: bool = False, dispatch: Optional[Dispatch] = None) -> None:
        names = self.names
        fid = self.qual(qualname)
        summary = self.summary.functions[fid]
        if throwaway_summary:  # a second walk (subclass_variants): the summary is already made
            summary = FunctionSummary(summary.id, summary.name, summary.qualname, summary.class_name,
                                      summary.decorators, jit_flags=summary.jit_flags,
                                      is_property=summary.is_property, is_staticmethod=summary.is_staticmethod,
                                      is_classmethod=summary.is_classmethod)
        params = _params(node)
        info = FunctionInfo(node, fid, node.name.value, qualname, facts, class_node,
                            summary.decorators, params, node.returns)
        infer = Inferrer(names, self.function_returns, self.class_facts, facts)
        infer.external = self.external_types
        skip_first = facts is not None and "staticmethod" not in summary.jit_flags
        unknown: List[Param] = []
        for i, p in enumerate(params):
            if skip_first and i == 0:
                p.type = ("self",)
                continue
            if p.annotation is not None:
                p.type = annotation_type(p.annotation, names)
            elif p.default is not None:
                p.type = infer.type_of(p.default)
            elif p.kind in ("star", "starstar"):
                p.type = None
            elif info.is_forward:
                p.type = TENSOR
            else:
                unknown.append(p)
            infer.bind(p.name, p.type)
        if skip_first and params:
            infer.env.pop(params[0].name, None)
            infer.locals.discard(params[0].name)
        if unknown:
            _guess_tensor_params(node, unknown, infer, self.body_index)
        ctx = FunctionContext(fctx, info, infer)
        summary.params = param_table(params, ctx)  # argument constants (analysis/arg_values)
        walker = FunctionWalker(dispatch or self.dispatch, ctx, summary)
        walker.roots = self.summary.roots if not throwaway_summary else []
        walker.walk_function(node)

    def _walk_module_level(self, fctx: FileContext) -> None:
        infer = Inferrer(self.names, self.function_returns, self.class_facts, None)
        infer.external = self.external_types
        ctx = FunctionContext(fctx, None, infer)
        dummy = FunctionSummary(self.qual("<module>"), "<module>", "<module>", None, ())
        walker = FunctionWalker(self.dispatch.parts()[0] if self._lazy else self.dispatch, ctx, dummy)
        walker.roots = self.summary.roots
        for stmt in self.module.body:
            if isinstance(stmt, cst.FunctionDef):
                for dec in stmt.decorators:
                    walker.walk_expr(dec.decorator)
                continue
            if isinstance(stmt, cst.ClassDef):
                for dec in stmt.decorators:
                    walker.walk_expr(dec.decorator)
                for base in stmt.bases:
                    walker.walk_expr(base.value)
                for inner in stmt.body.body:
                    if isinstance(inner, cst.FunctionDef):
                        for dec in inner.decorators:
                            walker.walk_expr(dec.decorator)
                    else:
                        walker.walk_statement(inner)
                continue
            walker.walk_statement(stmt)


_REBINDING = frozenset({cst.AugAssign, cst.AnnAssign, cst.NamedExpr})
_SCOPES = frozenset({cst.FunctionDef, cst.ClassDef, cst.Lambda})


def _returned_values(body: cst.CSTNode, name: str) -> Optional[List[Optional[cst.BaseExpression]]]:
    """Values of the ``return`` statements of a function body (not of nested scopes), or
    None if ``name`` is rebound in it (then returning ``name`` proves nothing)."""
    out: List[Optional[cst.BaseExpression]] = []
    stack = [body]
    while stack:
        node = stack.pop()
        t = type(node)  # libcst's node classes are final: exact types, without ABCMeta's isinstance
        if t is cst.Return:
            out.append(node.value)
        elif t is cst.Assign:
            if any(type(a.target) is cst.Name and a.target.value == name for a in node.targets):
                return None
        elif t in _REBINDING:
            if type(node.target) is cst.Name and node.target.value == name:
                return None
        elif t in _SCOPES and node is not body:
            continue
        stack.extend(iter_children(node))
    return out


def _wrapper_kind(wrapper: cst.FunctionDef, names: NameTable) -> str:
    for dec in wrapper.decorators:
        if decorator_name(dec, names).endswith("wraps"):
            return "wraps"
    p = wrapper.params
    if isinstance(p.star_arg, cst.Param) or p.star_kwarg is not None:
        return "varargs"
    return "plain"


def _combine(kinds: set) -> str:
    bad = kinds & {"wraps", "varargs"}
    if bad and not kinds & {"identity", "plain"}:
        return "wraps" if "wraps" in bad else "varargs"
    if kinds and kinds <= {"identity", "plain"}:
        return "identity" if kinds == {"identity"} else "plain"
    return ""


def decorator_kind(fn: cst.FunctionDef, names: NameTable, depth: int = 0) -> str:
    """What ``fn`` does when applied as ``@fn`` to a function that torch.jit.script compiles:
    ``"identity"`` (returns its argument: registries, markers), ``"wraps"`` (returns a
    ``functools.wraps`` wrapper: the compiler follows ``__wrapped__`` and drops it),
    ``"varargs"`` (returns a ``*args``/``**kwargs`` wrapper: rejected), ``"plain"`` (returns
    another fixed-signature def, which is compiled as is) or ``""`` (unknown). Each ``return``
    is classified (its argument, a nested wrapper def, or a nested decorator applied to the
    argument); a nested decorator returned as is is the ``@fn(...)`` path and is skipped."""
    if depth > 3 or not _may_return_name(fn):
        return ""
    params = list(fn.params.posonly_params) + list(fn.params.params)
    first = params[0].name.value if params else ""
    values = _returned_values(fn.body, first)
    if not values:
        return ""
    inner = {s.name.value: s for s in fn.body.body if isinstance(s, cst.FunctionDef)}
    kinds = set()
    for v in values:
        if isinstance(v, cst.Name) and first and v.value == first:
            kinds.add("identity")
        elif isinstance(v, cst.Name) and v.value in inner:
            if decorator_kind(inner[v.value], names, depth + 1):
                continue  # returns a decorator: the `@fn(...)` path of a dual-use decorator
            kinds.add(_wrapper_kind(inner[v.value], names))
        elif (isinstance(v, cst.Call) and isinstance(v.func, cst.Name) and v.func.value in inner and v.args
              and isinstance(v.args[0].value, cst.Name) and first and v.args[0].value.value == first):
            kinds.add(decorator_kind(inner[v.func.value], names, depth + 1))
        else:
            kinds.add("")
    return _combine(kinds)


def factory_kind(fn: cst.FunctionDef, names: NameTable) -> str:
    """``decorator_kind`` of the decorator that ``fn(...)`` returns (``@fn(args)``), or ``""``."""
    if not _may_return_name(fn):
        return ""
    params = list(fn.params.posonly_params) + list(fn.params.params)
    first = params[0].name.value if params else ""
    values = _returned_values(fn.body, first)
    if not values:
        return ""
    inner = {s.name.value: s for s in fn.body.body if isinstance(s, cst.FunctionDef)}
    kinds = set()
    for v in values:
        if isinstance(v, cst.Name) and v.value in inner:
            kinds.add(decorator_kind(inner[v.value], names, 1))
        elif isinstance(v, cst.Name) and first and v.value == first or (
                isinstance(v, cst.Call) and isinstance(v.func, cst.Name) and v.func.value in inner):
            continue  # the direct `@fn` path of a dual-use decorator
        else:
            kinds.add("")
    return _combine(kinds)


def _may_return_name(fn: cst.FunctionDef) -> bool:
    """Cheap pre-check for decorators: the body ends with ``return <name>`` or ``return <call>``
    and either defines a nested function or returns its first parameter."""
    if not isinstance(fn.body, cst.IndentedBlock) or not fn.body.body:
        return False
    last = fn.body.body[-1]
    if not (isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], cst.Return)
            and isinstance(last.body[-1].value, (cst.Name, cst.Call))):
        return False
    if any(isinstance(s, cst.FunctionDef) for s in fn.body.body):
        return True
    params = list(fn.params.posonly_params) + list(fn.params.params)
    value = last.body[-1].value
    return bool(params) and isinstance(value, cst.Name) and value.value == params[0].name.value


def _is_final(annotation: cst.BaseExpression, names: NameTable) -> bool:
    """``Final``/``Final[T]`` from typing, typing_extensions or torch.jit."""
    node = annotation.value if isinstance(annotation, cst.Subscript) else annotation
    dotted = dotted_name(node)
    if dotted is None:
        return False
    resolved = names.resolve(dotted) or dotted
    return resolved.rsplit(".", 1)[-1] == "Final"


def _guess_tensor_params(fn: cst.FunctionDef, params: List[Param], infer: Inferrer, body_index: dict) -> None:
    wanted = {p.name: p for p in params}
    for node in nodes_of(descendant_index(body_index, fn), cst.Attribute):
        if type(node.value) is cst.Name:
            name = node.value.value
            if name in wanted and node.attr.value in TENSOR_HINTS:
                p = wanted.pop(name)
                p.type = TENSOR
                infer.bind(name, TENSOR)
                if not wanted:
                    return


def _unpacked_submodules(target: cst.Tuple, value: cst.BaseExpression, methods: Dict[str, cst.FunctionDef],
                         names: NameTable) -> List[Tuple[str, Type]]:
    """``self.a, n = self.make(...)`` where every ``return`` of the class's own method ``make``
    is a tuple of the same length whose item for ``self.a`` constructs the same class (timm
    hrnet: ``return SequentialList(*modules), num_in_chs``): (attr, ("module", class))."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and isinstance(value.func.value, cst.Name) and value.func.value.value == "self"):
        return []
    method = methods.get(value.func.attr.value)
    if method is None or any(isinstance(el, cst.StarredElement) for el in target.elements):
        return []
    returns = _returned_values(method.body, "")
    if not returns or not all(isinstance(r, cst.Tuple) and len(r.elements) == len(target.elements)
                              and not any(isinstance(el, cst.StarredElement) for el in r.elements)
                              for r in returns):
        return []
    out: List[Tuple[str, Type]] = []
    for i, el in enumerate(target.elements):
        attrs = _self_attrs(el.value) if isinstance(el.value, cst.Attribute) else []
        if not attrs:
            continue
        classes = set()
        for r in returns:
            item = r.elements[i].value
            called = dotted_name(item.func) if isinstance(item, cst.Call) else None
            resolved = names.resolve(called) if called else None
            if not resolved or resolved.startswith("builtins.") or not resolved.rsplit(".", 1)[-1][:1].isupper():
                classes = set()
                break
            classes.add(resolved)
        if len(classes) == 1:
            out.append((attrs[0], ("module", classes.pop())))
    return out


def _self_attrs(target: cst.BaseExpression) -> List[str]:
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
        return [target.attr.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        out: List[str] = []
        for el in target.elements:
            out.extend(_self_attrs(el.value))
        return out
    return []


def _registered_attr(call: cst.Call, names: NameTable) -> Optional[Tuple[str, Type]]:
    func = call.func
    method = None
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
        method = func.attr.value
    elif isinstance(func, cst.Name) and func.value == "setattr":
        if call.args and isinstance(call.args[0].value, cst.Name) and call.args[0].value.value == "self":
            method = "setattr"
            args = call.args[1:]
            if args and isinstance(args[0].value, cst.SimpleString):
                return (_string_value(args[0].value), None)
        return None
    if method not in ("register_buffer", "register_parameter", "add_module", "register_module"):
        return None
    if not call.args or not isinstance(call.args[0].value, cst.SimpleString):
        return None
    name = _string_value(call.args[0].value)
    if name is None:
        return None
    if method in ("register_buffer", "register_parameter"):
        value = call.args[1].value if len(call.args) > 1 else None
        if isinstance(value, cst.Name) and value.value == "None":
            return (name, NONE)
        return (name, TENSOR)
    return (name, ("module", "torch.nn.Module"))


def _string_value(node: cst.SimpleString) -> Optional[str]:
    try:
        value = node.evaluated_value
    except Exception:  # noqa: BLE001
        return None
    return value if isinstance(value, str) else None


def _string_elements(value: cst.BaseExpression) -> List[str]:
    out: List[str] = []
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        for el in value.elements:
            if isinstance(el.value, cst.SimpleString):
                s = _string_value(el.value)
                if s is not None:
                    out.append(s)
    return out


# -- turning pending findings into positioned, noqa-filtered results ----------------------------

def noqa_table(source: str) -> Tuple[Dict[int, Optional[frozenset]], Optional[frozenset], bool]:
    """Line -> suppressed codes (None = all) and the file-level suppression."""
    lines: Dict[int, Optional[frozenset]] = {}
    file_codes: Optional[frozenset] = None
    file_all = False
    if "noqa" not in source and "NOQA" not in source:
        return lines, None, False
    for i, text in enumerate(source.splitlines(), start=1):
        if "#" not in text:
            continue
        m = _FILE_NOQA_RE.search(text)
        if m:
            if m.group("codes"):
                codes = frozenset(c.strip().upper() for c in m.group("codes").split(",") if c.strip())
                file_codes = (file_codes or frozenset()) | codes
            else:
                file_all = True
            continue
        m = _NOQA_RE.search(text)
        if m:
            codes = m.group("codes")
            lines[i] = (frozenset(c.strip().upper() for c in re.split(r"[,\s]+", codes) if c.strip())
                        if codes else None)
    return lines, file_codes, file_all


def _suppressed(code: str, codes: Optional[frozenset]) -> bool:
    if codes is None:
        return True
    return any(code == c or code.startswith(c) for c in codes)


def finalize(path: str, source: str, module: cst.Module, fctx: FileContext, rules_by_code,
             suppressed: Optional[set] = None) -> List[Conditional]:
    """Position the pending findings and drop those ``# noqa`` suppresses; ``suppressed``, when
    given, receives the (row, code) of each finding a line's ``# noqa`` suppressed (JIT005)."""
    pending = fctx.pending
    nodes = [p.node for p in pending]
    for p in pending:
        if p.fix is not None:
            nodes.extend(n for n, _ in p.fix.replacements if not isinstance(n, tuple))
    nodes.extend(node for _, node, _ in fctx.errors)
    ranges = compute_ranges(module, nodes) if nodes else {}
    noqa_lines, file_codes, file_all = noqa_table(source)
    source_lines = source.splitlines()
    out: List[Conditional] = []
    if file_all:
        return out
    seen = set()
    for p in pending:
        r = ranges.get(id(p.node))
        if r is None:
            continue
        rule = p.rule
        row, col, end_row, end_col = r[0], r[1] + 1, r[2], r[3] + 1
        if end_col == 1 and end_row > row and end_row - 2 < len(source_lines):
            # compound statements end after their last newline: end on the last line instead
            end_row -= 1
            end_col = len(source_lines[end_row - 1]) + 1
        if row in noqa_lines and _suppressed(rule.code, noqa_lines[row]):
            if suppressed is not None:
                suppressed.add((row, rule.code))
            continue
        if file_codes and _suppressed(rule.code, file_codes):
            continue
        key = (rule.code, row, col, p.message, p.requires)
        if key in seen:
            continue
        seen.add(key)
        fix = None
        if p.fix is not None:
            edits = []
            for node, text in p.fix.replacements:
                # a node, or a raw (line, col0, end_line, end_col0) range (e.g. whole lines)
                fr = node if isinstance(node, tuple) else ranges.get(id(node))
                if fr is None:
                    edits = None
                    break
                edits.append(Edit(text, fr[0], fr[1] + 1, fr[2], fr[3] + 1))
            if edits is not None and (edits or p.fix.codemod is not None):
                fix = Fix(p.fix.message, tuple(edits), p.fix.applicability, tuple(p.fix.imports), p.fix.codemod)
        finding = Finding(rule.code, rule.name, p.message, path, row, col, end_row, end_col,
                          rule.severity, fix, row, varies=p.varies)
        out.append(Conditional(finding, p.requires))
    internal = rules_by_code.get("JIT003")
    for code, node, text in fctx.errors:
        r = ranges.get(id(node), (1, 0, 1, 0))
        if internal is None:
            continue
        finding = Finding("JIT003", internal.name, f"internal error in rule {code}: {text}", path,
                          r[0], r[1] + 1, r[2], r[3] + 1, "error", None, r[0])
        out.append(Conditional(finding, ()))
    return out
