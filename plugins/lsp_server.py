"""``jitlint server``: a Language Server over stdio (pygls 2, lsprotocol), the editor door.

One engine, one more door: each workspace folder is a :class:`ProjectState` of the engine
(every file analysed once, through the cache), and an edit re-analyses the one changed buffer
from memory (``ProjectState.analyze``/``update``) while reach is decided again over the
cached per-file summaries, so a helper's findings appear in its own file when another
workspace file scripts or traces it. A file outside every workspace folder is checked as a
project of its own (per-file reach). Fixes go through the linter's ``--fix`` door
(``linter/fixing.py``): one fix is applied exactly as a pass of the fix loop applies it
(edits, imports, codemod) and "Fix all" runs the fix loop over the unsaved buffer.

Static side: nothing here imports torch or runs user code. The engine turns a rule that
raises into a JIT003 finding; an error of the server's own is reported as a JIT003
diagnostic too, never a dead server.

Features: diagnostics pushed (``textDocument/publishDiagnostics``) or pulled
(``textDocument/diagnostic``, when the client can), with code, the rule's doc URL, severity,
the ``Deprecated`` tag for JIT4xx (``Unnecessary`` for an unused noqa, JIT005) and related
information; code actions (a quick fix per finding, safe and unsafe labelled; "Disable
JITnnn for this line"; ``source.fixAll.jitlint``); hover with the rule's documentation on a
finding or on a code of a ``# noqa:`` comment; configuration from the workspace's
``pyproject.toml``/``jitlint.toml`` (reloaded on ``workspace/didChangeWatchedFiles``) and the
client's ``jitlint`` settings (select, extendSelect, ignore, modes, unsafeFixes).
"""

from __future__ import annotations

import asyncio
import difflib
import os
import re
import sys
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from ..linter.api import SAFE, UNSAFE, Finding, ProjectState, Settings, check_source, load_settings, rule_doc

FIX_ALL_KIND = "source.fixAll.jitlint"
SETTINGS_SECTION = "jitlint"
CONFIG_NAMES = ("pyproject.toml", "jitlint.toml", ".jitlint.toml")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NOQA_CODES = re.compile(r"#\s*noqa\s*:\s*(.*)$", re.IGNORECASE)
_CODE = re.compile(r"JIT\d{3}", re.IGNORECASE)


# --- positions: findings are 1-based rows and columns in code points (rows split as libcst
# splits them); LSP positions are 0-based, columns in the negotiated encoding's code units.

def _lines(text: str) -> List[str]:
    lines = _LINE.findall(text)
    return lines or [""]


def _units(chars: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf32:
        return len(chars)
    if encoding == types.PositionEncodingKind.Utf8:
        return len(chars.encode("utf-8", "surrogatepass"))
    return len(chars.encode("utf-16-le", "surrogatepass")) // 2


def _position(lines: Sequence[str], row: int, column: int, encoding: str) -> types.Position:
    if row < 1:
        return types.Position(0, 0)
    if row > len(lines):
        last = lines[-1].rstrip("\r\n")
        return types.Position(len(lines) - 1, _units(last, encoding))
    line = lines[row - 1].rstrip("\r\n")
    return types.Position(row - 1, _units(line[: max(0, column - 1)], encoding))


def _column_of(line: str, character: int, encoding: str) -> int:
    """The code-point index in ``line`` of an LSP character offset."""
    if encoding == types.PositionEncodingKind.Utf32:
        return character
    count = 0
    for i, ch in enumerate(line):
        if count >= character:
            return i
        count += _units(ch, encoding)
    return len(line)


def _before(a: types.Position, b: types.Position) -> bool:
    return (a.line, a.character) < (b.line, b.character)


def _touches(r: types.Range, start: types.Position, end: types.Position) -> bool:
    """Does ``r`` overlap or touch the range start..end (a cursor is an empty range)?"""
    return not _before(r.end, start) and not _before(end, r.start)


def text_edits(old: str, new: str, encoding: str) -> List[types.TextEdit]:
    """The line hunks that turn ``old`` into ``new``, as LSP text edits."""
    a, b = _lines(old), _lines(new)
    if old == "":
        a = []
    out = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = types.Position(i1, 0)
        end = types.Position(i2, 0)
        if i2 == len(a) and a and not a[-1].endswith(("\n", "\r")):
            end = types.Position(i2 - 1, _units(a[-1], encoding))  # a last line without newline
        out.append(types.TextEdit(types.Range(start, end), "".join(b[j1:j2])))
    return out


# --- the projects

@dataclass
class _Buffer:
    uri: str
    path: str
    version: Optional[int]
    text: str
    findings: List[Finding]
    diagnostics: List[types.Diagnostic]


class _Project:
    """One workspace folder: its settings and the engine's state over its files."""

    def __init__(self, root: str, settings: Settings):
        from ..linter.discovery import discover

        self.root = root
        self.settings = settings
        files = [os.path.abspath(f) for f in discover([root], settings).files]
        self.state = ProjectState(files, settings, jobs=1, use_cache=True)
        self.state.results = {os.path.abspath(k): v for k, v in self.state.results.items()}

    def contains(self, path: str) -> bool:
        try:
            return os.path.commonpath([self.root, path]) == self.root
        except ValueError:
            return False

    def set_text(self, path: str, text: Optional[str]) -> None:
        """The file's content is now ``text`` (an open buffer), or what is on disk (None);
        a file that is gone leaves the project."""
        if text is None:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                self.state.results.pop(path, None)
                return
        else:
            data = text.encode("utf-8", "surrogatepass")
        self.state.update(path, self.state.analyze(path, data))

    def findings(self, paths) -> Dict[str, List[Finding]]:
        """The findings in these files (the open buffers), reach decided over all files."""
        out: Dict[str, List[Finding]] = {}
        for f in self.state.findings(set(paths)):
            out.setdefault(os.path.abspath(f.path), []).append(f)
        return out


def _as_list(value) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value]


def apply_client_settings(settings: Settings, client: Dict[str, Any]) -> Settings:
    """The client's ``jitlint`` settings over the workspace's configuration: ``select``
    replaces the selection, ``extendSelect``/``ignore`` add to it, ``modes`` replaces the
    compile modes, ``unsafeFixes`` makes "Fix all" apply unsafe fixes too."""
    changes: Dict[str, Any] = {}
    get = lambda *names: next((client[n] for n in names if n in client and client[n] is not None), None)  # noqa: E731
    if get("select") is not None:
        changes["select"] = _as_list(get("select"))
    if get("extendSelect", "extend-select", "extend_select") is not None:
        changes["extend_select"] = settings.extend_select + _as_list(get("extendSelect", "extend-select", "extend_select"))
    if get("ignore") is not None:
        changes["ignore"] = settings.ignore + _as_list(get("ignore"))
    if get("modes") is not None:
        changes["modes"] = _as_list(get("modes"))
    if get("unsafeFixes", "unsafe-fixes", "unsafe_fixes") is not None:
        changes["unsafe_fixes"] = bool(get("unsafeFixes", "unsafe-fixes", "unsafe_fixes"))
    return replace(settings, **changes) if changes else settings


class JitlintServer(LanguageServer):
    def __init__(self):
        super().__init__("jitlint", __version__)
        self.client_settings: Dict[str, Any] = {}
        self.projects: Dict[str, _Project] = {}
        self.buffers: Dict[str, _Buffer] = {}
        self.loose_settings: Dict[str, Settings] = {}
        self.indexed = False
        self.dirty: set = set()
        self.scheduled = False

    # -- settings and projects

    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    def pulls(self) -> bool:
        caps = self.client_capabilities
        return bool(caps and caps.text_document and caps.text_document.diagnostic is not None)

    def settings_for(self, directory: str) -> Settings:
        from ..linter.config import ConfigError, select_codes
        from ..linter.rules import rule_index

        try:
            settings = apply_client_settings(load_settings(None, Path(directory)), self.client_settings)
            select_codes(settings, rule_index())  # unknown codes are a ConfigError now, not later
            return settings
        except ConfigError as exc:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"jitlint: {exc}"))
            try:
                return load_settings(None, Path(directory))
            except ConfigError:
                return replace(Settings(), project_root=directory)

    def index(self) -> None:
        """(Re)build a project per workspace folder, then analyse the open buffers again."""
        roots = [to_fs_path(f.uri) for f in self.workspace.folders.values()]
        if not roots and self.workspace.root_path:
            roots = [self.workspace.root_path]
        self.projects = {}
        self.loose_settings = {}
        for root in roots:
            if not root:
                continue
            root = os.path.abspath(root)
            try:
                self.projects[root] = _Project(root, self.settings_for(root))
            except Exception as exc:  # noqa: BLE001 - a broken folder must not stop the server
                self.log(f"cannot index {root}: {type(exc).__name__}: {exc}")
        self.indexed = True
        self.dirty.clear()
        for project in self.projects.values():
            for buf in self.buffers.values():
                if project.contains(buf.path):
                    project.set_text(buf.path, buf.text)
        self.refresh(list(self.buffers))

    def project_of(self, path: str) -> Optional[_Project]:
        best = None
        for root, project in self.projects.items():
            if project.contains(path) and (best is None or len(root) > len(best.root)):
                best = project
        return best

    def log(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(types.MessageType.Log, f"jitlint: {message}"))

    # -- analysis

    def refresh(self, uris: Sequence[str]) -> None:
        """Analyse these buffers again (their projects' reach too) and report every open buffer
        whose findings changed."""
        if not self.indexed:
            self.index()
            return
        touched: Dict[int, _Project] = {}
        loose = []
        for uri in uris:
            buf = self.buffers.get(uri)
            if buf is None:
                continue
            project = self.project_of(buf.path)
            if project is None:
                loose.append(buf)
            else:
                touched[id(project)] = project
        for project in touched.values():
            try:
                by_path = project.findings(b.path for b in self.buffers.values() if project.contains(b.path))
            except Exception as exc:  # noqa: BLE001
                by_path = None
                error = self.internal_error(exc)
            for buf in self.buffers.values():
                if not project.contains(buf.path):
                    continue
                found = by_path.get(buf.path, []) if by_path is not None else [replace(error, path=buf.path)]
                self.report(buf, found, force=buf.uri in uris)
        for buf in loose:
            try:
                directory = os.path.dirname(buf.path)
                if directory not in self.loose_settings:
                    self.loose_settings[directory] = self.settings_for(directory)
                found = check_source(buf.text, buf.path, self.loose_settings[directory])
            except Exception as exc:  # noqa: BLE001
                found = [replace(self.internal_error(exc), path=buf.path)]
            self.report(buf, found, force=True)

    def internal_error(self, exc: Exception) -> Finding:
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" ({tb[-1].filename.rsplit(os.sep, 1)[-1]}:{tb[-1].lineno})" if tb else ""
        self.log("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        name = (rule_doc("JIT003") or ("internal-error",))[0]
        return Finding("JIT003", name, f"internal error: {type(exc).__name__}: {exc}{where}", "", 1, 1, 1, 1)

    def report(self, buf: _Buffer, findings: List[Finding], *, force: bool) -> None:
        if not force and findings == buf.findings:
            return
        buf.findings = findings
        buf.diagnostics = [self.diagnostic(buf, f) for f in findings]
        if self.pulls():
            if not force:
                self.request_refresh()
            return
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=buf.uri, version=buf.version, diagnostics=buf.diagnostics))

    def request_refresh(self) -> None:
        caps = self.client_capabilities
        ws = caps.workspace if caps else None
        if ws and ws.diagnostics and ws.diagnostics.refresh_support:
            self.workspace_diagnostic_refresh(None)

    def diagnostic(self, buf: _Buffer, f: Finding) -> types.Diagnostic:
        enc = self.encoding()
        lines = _lines(buf.text)
        start = _position(lines, f.row, f.column, enc)
        end = _position(lines, f.end_row, f.end_column, enc)
        if _before(end, start):
            end = start
        tags = []
        if f.code.startswith("JIT4"):
            tags.append(types.DiagnosticTag.Deprecated)
        if f.code == "JIT005":
            tags.append(types.DiagnosticTag.Unnecessary)
        doc = rule_doc(f.code)
        related = []
        for path, row, text in f.related:
            path = os.path.abspath(path)
            other = self.buffers.get(from_fs_path(path) or "")
            rel_lines = _lines(other.text) if other else lines if path == buf.path else [""]
            pos = _position(rel_lines, row, 1, enc) if (other or path == buf.path) else types.Position(max(0, row - 1), 0)
            related.append(types.DiagnosticRelatedInformation(
                types.Location(from_fs_path(path) or path, types.Range(pos, pos)), text))
        severity = types.DiagnosticSeverity.Warning if f.severity == "warning" else types.DiagnosticSeverity.Error
        if f.severity == "info":
            severity = types.DiagnosticSeverity.Information
        message = f.message
        if f.fix is not None and f.fix.applicability in (SAFE, UNSAFE):
            message += " [fixable]" if f.fix.applicability == SAFE else " [unsafe fix available]"
        return types.Diagnostic(
            range=types.Range(start, end), message=message, severity=severity, code=f.code,
            code_description=types.CodeDescription(doc[2]) if doc else None, source="jitlint",
            tags=tags or None, related_information=related or None,
            data={"code": f.code, "row": f.row, "column": f.column})

    # -- documents

    def open(self, uri: str, version: Optional[int], text: str) -> None:
        path = os.path.abspath(to_fs_path(uri) or uri)
        self.buffers[uri] = _Buffer(uri, path, version, text, [], [])
        self.changed(uri, version, text)

    def changed(self, uri: str, version: Optional[int], text: str) -> None:
        """A buffer's new text: analysed once the messages already received are handled, so a
        burst of keystrokes is analysed once, at its last version (requests flush first)."""
        buf = self.buffers.get(uri)
        if buf is None:
            return
        buf.version, buf.text = version, text
        self.dirty.add(uri)
        if self.scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self.scheduled = True
        loop.call_soon(self.flush)

    def flush(self) -> None:
        self.scheduled = False
        if not self.dirty:
            return
        uris = [u for u in self.dirty if u in self.buffers]
        self.dirty.clear()
        if not self.indexed:
            self.index()
            return
        ok = []
        for uri in uris:
            buf = self.buffers[uri]
            project = self.project_of(buf.path)
            try:
                if project is not None:
                    project.set_text(buf.path, buf.text)
                ok.append(uri)
            except Exception as exc:  # noqa: BLE001
                self.report(buf, [replace(self.internal_error(exc), path=buf.path)], force=True)
        self.refresh(ok)

    def close(self, uri: str) -> None:
        self.dirty.discard(uri)
        buf = self.buffers.pop(uri, None)
        if buf is None:
            return
        project = self.project_of(buf.path)
        if not self.pulls():
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        if project is not None:
            project.set_text(buf.path, None)  # what is on disk counts again
            others = [u for u, b in self.buffers.items() if project.contains(b.path)]
            if others:
                self.refresh_others(project)

    def refresh_others(self, project: _Project) -> None:
        by_path = project.findings(b.path for b in self.buffers.values() if project.contains(b.path))
        for buf in self.buffers.values():
            if project.contains(buf.path):
                self.report(buf, by_path.get(buf.path, []), force=False)

    def files_changed(self, changes: Sequence[types.FileEvent]) -> None:
        paths = [os.path.abspath(to_fs_path(c.uri) or c.uri) for c in changes]
        if any(os.path.basename(p) in CONFIG_NAMES for p in paths):
            self.index()  # the configuration changed: settings, selection, file set
            return
        touched = {}
        for change, path in zip(changes, paths):
            if not path.endswith((".py", ".pyi")) or from_fs_path(path) in self.buffers:
                continue  # an open buffer's text is the one that counts
            project = self.project_of(path)
            if project is None:
                continue
            if change.type == types.FileChangeType.Deleted:
                project.state.results.pop(path, None)
            else:
                project.set_text(path, None)
            touched[id(project)] = project
        for project in touched.values():
            self.refresh_others(project)

    # -- code actions

    def actions(self, params: types.CodeActionParams) -> List[types.CodeAction]:
        buf = self.buffers.get(params.text_document.uri)
        if buf is None:
            return []
        only = params.context.only
        wants = lambda kind: only is None or any(kind == k or kind.startswith(k + ".") for k in only)  # noqa: E731
        out: List[types.CodeAction] = []
        enc = self.encoding()
        if wants(types.CodeActionKind.QuickFix):
            for f, diag in zip(buf.findings, buf.diagnostics):
                if not _touches(diag.range, params.range.start, params.range.end):
                    continue
                if f.fix is not None and f.fix.applicability in (SAFE, UNSAFE):
                    try:
                        from ..linter.fixing import apply_fix

                        new = apply_fix(buf.text, f.fix)
                    except ValueError:
                        new = buf.text
                    if new != buf.text:
                        label = "" if f.fix.applicability == SAFE else " (unsafe)"
                        out.append(types.CodeAction(
                            title=f"Fix {f.code}{label}: {f.fix.message}", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diag], is_preferred=f.fix.applicability == SAFE,
                            edit=self.edit(buf, text_edits(buf.text, new, enc))))
                if not f.code.startswith("JIT0") or f.code == "JIT005":
                    from ..linter.add_noqa import add_noqa_to_text

                    new, added = add_noqa_to_text(buf.text, {f.noqa_row or f.row: {f.code}})
                    if added:
                        out.append(types.CodeAction(
                            title=f"Disable {f.code} for this line", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diag], edit=self.edit(buf, text_edits(buf.text, new, enc))))
        if wants(FIX_ALL_KIND) and self.fixable(buf):
            action = types.CodeAction(title="Fix all jitlint", kind=FIX_ALL_KIND,
                                      data={"uri": buf.uri, "version": buf.version})
            if not self.resolves_edits():
                action = self.resolve(action)
            out.append(action)
        return out

    def unsafe(self, buf: _Buffer) -> bool:
        project = self.project_of(buf.path)
        if project is not None:
            return project.settings.unsafe_fixes
        return bool(self.client_settings.get("unsafeFixes"))

    def fixable(self, buf: _Buffer) -> bool:
        unsafe = self.unsafe(buf)
        return any(f.fix is not None and (f.fix.applicability == SAFE or (unsafe and f.fix.applicability == UNSAFE))
                   for f in buf.findings)

    def resolves_edits(self) -> bool:
        caps = self.client_capabilities
        ca = caps.text_document.code_action if caps and caps.text_document else None
        return bool(ca and ca.resolve_support and "edit" in ca.resolve_support.properties)

    def resolve(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data or {}
        buf = self.buffers.get(data.get("uri", ""))
        if buf is None or action.kind != FIX_ALL_KIND:
            return action
        action.edit = self.edit(buf, text_edits(buf.text, self.fix_all(buf), self.encoding()))
        return action

    def fix_all(self, buf: _Buffer) -> str:
        """The buffer's text after the fix loop (the project's reach; only this file changes)."""
        from ..linter.fixing import fix_buffer

        project = self.project_of(buf.path)
        if project is not None and buf.path in project.state.results:
            state = project.state
        else:
            directory = os.path.dirname(buf.path)
            settings = self.loose_settings.get(directory) or self.settings_for(directory)
            state = ProjectState([], settings, use_cache=False, stdin=(buf.path, buf.text))
        report = fix_buffer(state, buf.path, buf.text, unsafe=self.unsafe(buf))
        fx = report.files.get(buf.path)
        return fx.text if fx is not None else buf.text

    def edit(self, buf: _Buffer, edits: List[types.TextEdit]) -> types.WorkspaceEdit:
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=buf.uri, version=buf.version),
            edits=edits)])

    # -- hover

    def hover(self, params: types.HoverParams) -> Optional[types.Hover]:
        buf = self.buffers.get(params.text_document.uri)
        if buf is None:
            return None
        pos = params.position
        codes: List[str] = []
        where: Optional[types.Range] = None
        for f, diag in zip(buf.findings, buf.diagnostics):
            if _touches(diag.range, pos, pos) and f.code not in codes:
                codes.append(f.code)
                where = where or diag.range
        lines = _lines(buf.text)
        if pos.line < len(lines):
            line = lines[pos.line].rstrip("\r\n")
            col = _column_of(line, pos.character, self.encoding())
            comment = _NOQA_CODES.search(line)
            if comment:
                for m in _CODE.finditer(line, comment.start(1)):
                    if m.start() <= col <= m.end():
                        codes = [m.group(0).upper()]
                        enc = self.encoding()
                        where = types.Range(types.Position(pos.line, _units(line[: m.start()], enc)),
                                            types.Position(pos.line, _units(line[: m.end()], enc)))
        parts = []
        for code in codes:
            doc = rule_doc(code)
            if doc is None:
                continue
            name, text, url = doc
            parts.append(f"### {code} {name}\n\n{text}\n\n[Documentation]({url})")
        if not parts:
            return None
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, "\n\n---\n\n".join(parts)), where)


def create_server() -> JitlintServer:
    server = JitlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: JitlintServer, params: types.InitializeParams):
        options = params.initialization_options
        if isinstance(options, dict):
            settings = options.get("settings", options)
            if isinstance(settings, dict):
                ls.client_settings = dict(settings.get(SETTINGS_SECTION, settings))

    @server.feature(types.INITIALIZED)
    async def initialized(ls: JitlintServer, params: types.InitializedParams):
        await pull_settings(ls)
        caps = ls.client_capabilities
        watch = caps.workspace.did_change_watched_files if caps and caps.workspace else None
        if watch and watch.dynamic_registration:
            watchers = [types.FileSystemWatcher(glob_pattern=f"**/{n}") for n in CONFIG_NAMES + ("*.py",)]
            try:
                await ls.client_register_capability_async(types.RegistrationParams([types.Registration(
                    "jitlint-watch", types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    types.DidChangeWatchedFilesRegistrationOptions(watchers))]))
            except Exception as exc:  # noqa: BLE001 - a client that refuses still gets diagnostics
                ls.log(f"cannot watch files: {exc}")
        ls.index()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: JitlintServer, params: types.DidOpenTextDocumentParams):
        doc = params.text_document
        ls.open(doc.uri, doc.version, doc.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: JitlintServer, params: types.DidChangeTextDocumentParams):
        doc = ls.workspace.get_text_document(params.text_document.uri)
        ls.changed(doc.uri, params.text_document.version, doc.source)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=True))
    def did_save(ls: JitlintServer, params: types.DidSaveTextDocumentParams):
        buf = ls.buffers.get(params.text_document.uri)
        if buf is not None:
            ls.changed(buf.uri, buf.version, params.text if params.text is not None else buf.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: JitlintServer, params: types.DidCloseTextDocumentParams):
        ls.flush()
        ls.close(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                    types.DiagnosticOptions(identifier="jitlint", inter_file_dependencies=True,
                                            workspace_diagnostics=False))
    def pull(ls: JitlintServer, params: types.DocumentDiagnosticParams):
        ls.flush()
        buf = ls.buffers.get(params.text_document.uri)
        return types.RelatedFullDocumentDiagnosticReport(items=buf.diagnostics if buf else [])

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=True))
    def code_action(ls: JitlintServer, params: types.CodeActionParams):
        ls.flush()
        return ls.actions(params)

    @server.feature(types.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: JitlintServer, action: types.CodeAction):
        ls.flush()
        return ls.resolve(action)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: JitlintServer, params: types.HoverParams):
        ls.flush()
        return ls.hover(params)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: JitlintServer, params: types.DidChangeWatchedFilesParams):
        ls.flush()
        ls.files_changed(params.changes)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration(ls: JitlintServer, params: types.DidChangeConfigurationParams):
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get(SETTINGS_SECTION), dict):
            ls.client_settings = dict(settings[SETTINGS_SECTION])
        else:
            await pull_settings(ls)
        ls.index()

    return server


async def pull_settings(ls: JitlintServer) -> None:
    caps = ls.client_capabilities
    if not (caps and caps.workspace and caps.workspace.configuration):
        return
    try:
        result = await ls.workspace_configuration_async(types.ConfigurationParams(
            [types.ConfigurationItem(section=SETTINGS_SECTION)]))
    except Exception as exc:  # noqa: BLE001
        ls.log(f"cannot read the client's settings: {exc}")
        return
    if result and isinstance(result[0], dict):
        ls.client_settings = dict(result[0])


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``jitlint server``: serve the Language Server Protocol over stdin/stdout."""
    create_server().start_io()
    return 0


if __name__ == "__main__":
    sys.exit(main())
