"""Dependency reach: code the compiler compiles that lives outside the files being checked.

``torch.jit.script(model)`` compiles every method and function the model reaches, wherever it
lives: in project files not named on the command line (a pre-commit hook passes only the staged
files) and in installed libraries. This module finds those files statically (it reads them,
never imports them), as mypy's ``python_executable`` and pyright's ``venvPath`` do:

1. the search path: the project root and the folder above each checked file's top package,
   then ``search-paths``/``--extra-search-path``, then the target environment's import path (the
   site directories of the running interpreter, or of ``python = "..."``/``--python``, asked
   for its ``sys.path`` in a subprocess that imports nothing else);
2. loading driven by reach: a dotted name that reached code (a base class, a call, a
   submodule, a root) uses but no analysed file defines names a module; its file is analysed
   (through the cache, by content) and reach is decided again, until nothing new is needed.
   torch's own code is the boundary (known from the API tables, never re-analysed);
3. reporting at the user's call site: a finding in a dependency file is reported only when
   its function is reached from the checked files, at the first place in them that made it
   compiled (the ``torch.jit.script`` call, the class whose base or submodule it is, the
   call in a checked function), naming where the compiler fails in the dependency.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Sequence, Set, Tuple

from .config import ConfigError, Settings
from .finding import Finding
from .results import FileResult

# torch's own code: known from the API tables and schemas, never analysed as a dependency
BOUNDARY = frozenset({"torch", "functorch", "torchgen"})
MAX_DEPENDENCY_FILES = 2000
MAX_ROUNDS = 60


@dataclass
class Dependencies:
    """The files read for reach only, keyed by path, and where each one was found."""

    results: Dict[str, FileResult] = field(default_factory=dict)
    roots: Dict[str, str] = field(default_factory=dict)  # path -> the search-path folder it was found in
    modules: Set[str] = field(default_factory=set)
    cache_hits: int = 0


def interpreter_path(python: str) -> List[str]:
    """The import path of another interpreter (without its standard library)."""
    code = ("import sys, sysconfig; print(sysconfig.get_path('stdlib')); "
            "print(sysconfig.get_path('platstdlib')); print('\\n'.join(sys.path))")
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=30, check=True,
                             cwd=os.path.dirname(os.path.abspath(python)) or None)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError(f"python: cannot ask {python} for its import path: {exc}") from None
    lines = [line for line in out.stdout.splitlines()]
    stdlib = {os.path.normpath(p) for p in lines[:2] if p}
    return [p for p in lines[2:] if p and not _in_stdlib(p, stdlib)]


def _in_stdlib(path: str, stdlib: Set[str]) -> bool:
    path = os.path.normpath(path)
    if path.endswith(".zip"):
        return True
    for lib in stdlib:
        if path == lib or (path.startswith(lib + os.sep) and "site-packages" not in path and "dist-packages" not in path):
            return True
    return False


def _own_environment_path() -> List[str]:
    """The running environment's site directories (and what their .pth files add)."""
    import site
    import sysconfig

    dirs = []
    try:
        dirs.extend(site.getsitepackages())
    except AttributeError:  # pragma: no cover - very old virtualenv's site module
        pass
    user = getattr(site, "getusersitepackages", None)
    if user is not None and site.ENABLE_USER_SITE:
        dirs.append(user())
    stdlib = {os.path.normpath(sysconfig.get_path("stdlib")), os.path.normpath(sysconfig.get_path("platstdlib"))}
    for entry in sys.path:
        if entry and ("site-packages" in entry or "dist-packages" in entry) and not _in_stdlib(entry, stdlib):
            dirs.append(entry)
    return dirs


def search_path(settings: Settings, results: Dict[str, FileResult]) -> List[str]:
    """Where imports of reached code are looked for, in order, without duplicates."""
    out: List[str] = []
    root = os.path.abspath(settings.project_root)
    out.append(root)
    for result in results.values():
        path, module = os.path.abspath(result.path), result.summary.module
        if not module or not os.path.exists(path):
            continue
        depth = module.count(".") + (1 if os.path.basename(path).startswith("__init__.") else 0)
        top = os.path.dirname(path)
        for _ in range(depth):
            top = os.path.dirname(top)
        out.append(top)
    out.extend(os.path.join(root, p) if not os.path.isabs(p) else p for p in settings.search_paths)
    if settings.python:
        out.extend(interpreter_path(settings.python))
    else:
        out.extend(_own_environment_path())
    seen: Set[str] = set()
    unique = []
    for p in out:
        p = os.path.normpath(os.path.abspath(p))
        if p not in seen and os.path.isdir(p):
            seen.add(p)
            unique.append(p)
    return unique


def module_file(module: str, roots: Sequence[str]) -> Optional[Tuple[str, str]]:
    """(file, search-path folder) of a dotted module name, as the import system finds it."""
    parts = module.split(".")
    if parts[0] in BOUNDARY or not all(p.isidentifier() for p in parts):
        return None
    for root in roots:
        base = os.path.join(root, *parts)
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate, root
    return None


def load(results: Dict[str, FileResult], settings: Settings, project_for, analyze_one) -> Dependencies:
    """Analyse, for reach only, the files outside ``results`` that reached code needs.

    ``project_for(all_results, external_modules)`` builds the project model; ``analyze_one(path,
    module, package)`` analyses one file (through the cache) and returns (result, cache hit)."""
    deps = Dependencies()
    roots = search_path(settings, results)
    checked = {os.path.realpath(p) for p in results}
    known = {r.summary.module for r in results.values()}
    missing: Set[str] = set()
    asked: Set[str] = set()
    for _round in range(MAX_ROUNDS):
        project = project_for({**results, **deps.results}, deps.modules)
        project.record_misses = True
        project.compute()
        new = False
        for dotted in sorted(project.misses - asked):
            asked.add(dotted)
            parts = dotted.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                module = ".".join(parts[:cut])
                if module in known:
                    break
                if module in missing:
                    continue
                found = module_file(module, roots)
                if found is None:
                    missing.add(module)
                    continue
                path, root = found
                known.add(module)
                if os.path.realpath(path) in checked or len(deps.results) >= MAX_DEPENDENCY_FILES:
                    break
                package = module if os.path.basename(path).startswith("__init__.") else module.rpartition(".")[0]
                result, hit = analyze_one(path, module, package)
                deps.results[path] = result
                deps.roots[path] = root
                deps.modules.add(module)
                deps.cache_hits += int(hit)
                new = True
                break
        if not new:
            break
    return deps


def ignored(settings: Settings, module: str) -> bool:
    """``extend-ignore-dependencies``: findings of these packages (and their submodules) are accepted."""
    return any(module == p or module.startswith(p + ".") for p in settings.extend_ignore_dependencies)


Span = Tuple[int, int, int, int]  # row, column, end row, end column (1-based, in characters)


class _Lines:
    """Places of definitions and jit calls in the checked files, read with ``ast`` when needed."""

    def __init__(self):
        self._trees: Dict[str, Optional[ast.Module]] = {}
        self._lines: Dict[str, List[bytes]] = {}

    def tree(self, path: str) -> Optional[ast.Module]:
        if path not in self._trees:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
                self._trees[path] = ast.parse(data)
                self._lines[path] = data.splitlines()
            except (OSError, SyntaxError, ValueError, RecursionError):
                self._trees[path] = None
        return self._trees[path]

    def span(self, path: str, node: Optional[ast.AST]) -> Span:
        """The 1-based character span of ``node`` (ast counts columns in UTF-8 bytes)."""
        if node is None:
            return 1, 1, 1, 1
        lines = self._lines.get(path, [])

        def col(row: int, offset: Optional[int]) -> int:
            if offset is None or not 0 < row <= len(lines):
                return 1
            return len(lines[row - 1][:offset].decode("utf-8", errors="replace")) + 1

        row = node.lineno
        end_row = getattr(node, "end_lineno", None) or row
        start = col(row, node.col_offset)
        end = col(end_row, getattr(node, "end_col_offset", None))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            end_row, end = row, start  # the header, not the whole body
        return row, start, end_row, max(end, start) if end_row == row else end

    def definition(self, path: str, qualname: str) -> Optional[ast.AST]:
        tree = self.tree(path)
        node: Optional[ast.AST] = tree
        for name in qualname.split("."):
            if node is None:
                return None
            node = next((n for n in ast.iter_child_nodes(node)
                         if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name),
                        None)
        return node

    def call_line(self, path: str, qualname: str, target: str, kind: str) -> Span:
        """The first call in a checked function of the reach call ``target`` (of CallRef ``kind``)."""
        node = self.definition(path, qualname)
        if node is None:
            return 1, 1, 1, 1
        if target:
            name = target.partition(".")[0] if kind == "selfattr" else target.rsplit(".", 1)[-1]
            calls = [sub for sub in ast.walk(node) if isinstance(sub, ast.Call) and _last_name(sub.func) == name]
            if calls:
                return self.span(path, min(calls, key=lambda c: (c.lineno, c.col_offset)))
        return self.span(path, node)

    def assignment_line(self, path: str, qualname: str, attr: str) -> Optional[Span]:
        """The first ``self.<attr> = ...`` in a class's methods (its target)."""
        node = self.definition(path, qualname)
        if node is None:
            return None
        for sub in ast.walk(node):
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target] if isinstance(
                sub, (ast.AnnAssign, ast.AugAssign)) else []
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == attr and isinstance(target.value, ast.Name):
                    return self.span(path, target)
        return None

    def root_line(self, path: str, target: str, mode: str, nth: int = 0) -> Span:
        """The ``nth`` ``torch.jit.<mode>(...)`` call in source order that hands over
        ``target`` (by its last name), else the first such call of that mode."""
        tree = self.tree(path)
        if tree is None:
            return 1, 1, 1, 1
        name = target.rsplit(".", 1)[-1]
        # ``model = Net(...)`` then ``torch.jit.script(model)``: the variables holding an instance
        held = {sub.targets[0].id for sub in ast.walk(tree)
                if isinstance(sub, ast.Assign) and len(sub.targets) == 1 and isinstance(sub.targets[0], ast.Name)
                and isinstance(sub.value, ast.Call) and _last_name(_constructed(sub.value).func) == name}
        matching: List[ast.Call] = []
        calls: List[ast.Call] = []
        for sub in ast.walk(tree):
            if isinstance(sub, ast.Call) and _last_name(sub.func) == mode and sub.args:
                arg = sub.args[0]
                inner = _constructed(arg).func if isinstance(arg, ast.Call) else arg
                calls.append(sub)
                if _last_name(inner) == name or (isinstance(arg, ast.Name) and arg.id in held):
                    matching.append(sub)
        order = lambda c: (c.lineno, c.col_offset)  # noqa: E731
        matching.sort(key=order)
        if matching:
            return self.span(path, matching[min(nth, len(matching) - 1)])
        return self.span(path, min(calls, key=order)) if calls else (1, 1, 1, 1)


_SELF_RETURNING = frozenset("eval train to cpu cuda float double half bfloat16 requires_grad_".split())


def _constructed(call: ast.Call) -> ast.Call:
    """``Net(...)`` for ``Net(...).eval().to(device)`` (module methods returning the module)."""
    while (isinstance(call.func, ast.Attribute) and call.func.attr in _SELF_RETURNING
           and isinstance(call.func.value, ast.Call)):
        call = call.func.value
    return call


def _last_name(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def call_site_findings(project, sources: Dict[str, Tuple[FileResult, str]], reported: Dict[str, FileResult],
                       settings: Settings) -> List[Finding]:
    """The findings in reach of ``sources`` (path -> (result, the folder its path is shown
    relative to): dependency files, and context files that are not reported), at the call sites
    in the ``reported`` files (noqa there suppresses them and counts as used for JIT005), plus,
    with ``show-dependency-findings-in-place``, at their own place too."""
    from .file_checker import _suppressed, noqa_table

    lines = _Lines()
    noqa: Dict[str, tuple] = {}
    out: List[Finding] = []
    seen: Set[tuple] = set()
    by_path = {os.path.realpath(r.path): r for r in reported.values()}
    for path, (result, root) in sources.items():
        module = result.summary.module
        if ignored(settings, module):
            continue
        rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        for cond in result.conditionals:
            reach = [p for p in cond.requires if p[0] == "reach"]
            if not reach:
                continue  # code of a dependency is reported only where checked code reaches it
            fills = project.check(cond.requires)
            if fills is None:
                continue
            finding = cond.finding
            if fills and "{use}" in finding.message:
                finding = finding.with_message(finding.message.replace("{use}", fills["use"]))
            _, fid, mode = reach[0]
            anchors: List[tuple] = []
            for m in ((mode,) if mode != "any" else ("script", "trace")):
                anchors.extend(a for a in project.anchors((fid, m)) if a not in anchors)
            # a checked class that holds the dependency as a submodule compiles it whatever
            # its methods call: report there, not again at each call in its methods
            holders = {a[1] for a in anchors if a[0] == "class"}
            anchors = [a for a in anchors if a[0] != "function" or a[1].rpartition(".")[0] not in holders]
            reported = False
            for anchor in anchors:
                site = _site(project, anchor, lines)
                if site is None:
                    continue
                user_path, (row, col, end_row, end_col) = site
                user = by_path.get(os.path.realpath(user_path))
                key = (user_path, row, finding.code, rel, finding.row)
                if user is None or key in seen:
                    continue
                seen.add(key)
                if user_path not in noqa:
                    try:
                        with open(user_path, encoding="utf-8", errors="replace") as fh:
                            noqa[user_path] = noqa_table(fh.read())
                    except OSError:
                        noqa[user_path] = ({}, None, False)
                noqa_lines, file_codes, file_all = noqa[user_path]
                if file_all or (file_codes and _suppressed(finding.code, file_codes)):
                    continue
                if row in noqa_lines and _suppressed(finding.code, noqa_lines[row]):
                    user.suppressed = frozenset(user.suppressed) | {(row, finding.code)}
                    continue
                message = f"{finding.message} (in dependency {rel}:{finding.row}, compiled from here)"
                out.append(Finding(finding.code, finding.name, message, user.path, row, col,
                                   end_row, end_col, finding.severity, None, row,
                                   related=((path, finding.row, f"{finding.code}: {finding.message}"),),
                                   varies=finding.varies))
                reported = True
            if reported and settings.show_dependency_findings_in_place:
                out.append(replace(finding, fix=None))
    return out


def _site(project, anchor, lines: _Lines) -> Optional[Tuple[str, Span]]:
    """(path, span) in the checked files of a reach anchor (see Project.callers)."""
    if anchor is None:
        return None
    kind = anchor[0]
    if kind == "root":
        _, module, index = anchor
        summary = project.modules.get(module)
        if summary is None or index >= len(summary.roots):
            return None
        root = summary.roots[index]
        nth = sum(1 for r in summary.roots[:index] if (r.target, r.mode) == (root.target, root.mode))
        return summary.path, lines.root_line(summary.path, root.target, root.mode, nth)
    ident = anchor[1]
    module, _, qualname = ident.partition(":")
    summary = project.modules.get(module)
    if summary is None:
        return None
    if kind == "class":
        if len(anchor) > 3:
            # ("class", cid, attr, cid holding the assignment): the line assigning the submodule
            holder = project.modules.get(anchor[3].partition(":")[0])
            span = lines.assignment_line(holder.path, anchor[3].partition(":")[2], anchor[2]) if holder else None
            if span is not None:
                return holder.path, span
        return summary.path, lines.span(summary.path, lines.definition(summary.path, qualname))
    target, kind = (anchor[2], anchor[3]) if len(anchor) > 3 else ("", "")
    return summary.path, lines.call_line(summary.path, qualname, target, kind)
