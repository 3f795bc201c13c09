"""``jitlint server`` end to end: pytest-lsp drives the real server process over stdio as an
editor would (initialize, open, change, diagnostics, code actions and the edits they carry,
fix all, hover, configuration, shutdown). The fixed texts are checked, not just the titles."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path
from typing import List

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "jitlint", "server"])

HELPERS = textwrap.dedent("""\
    def helper(x):
        try:
            y = x + 1
        except Exception:
            y = x
        return y
    """)

MODEL = textwrap.dedent("""\
    import torch

    from helpers import helper


    @torch.jit.script
    def run(x: torch.Tensor, pad_id=0):
        return helper(x) + pad_id
    """)

FIXED_MODEL = MODEL.replace("pad_id=0", "pad_id: int = 0")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "helpers.py").write_text(HELPERS)
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "pyproject.toml").write_text("[tool.jitlint]\n")
    return tmp_path


def _capabilities(pull: bool = False) -> types.ClientCapabilities:
    return types.ClientCapabilities(
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            diagnostics=types.DiagnosticWorkspaceClientCapabilities(refresh_support=True) if pull else None),
        text_document=types.TextDocumentClientCapabilities(
            diagnostic=types.DiagnosticClientCapabilities() if pull else None,
            code_action=types.CodeActionClientCapabilities(
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]))),
    )


async def _start(client: LanguageClient, root: Path, pull: bool = False, options=None) -> None:
    await client.initialize_session(types.InitializeParams(
        capabilities=_capabilities(pull), root_uri=from_fs_path(str(root)),
        workspace_folders=[types.WorkspaceFolder(from_fs_path(str(root)), "project")],
        initialization_options=options))


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


def _open(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))
    return uri


def _replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [types.TextDocumentContentChangeWholeDocument(text=text)]))


async def _wait(client: LanguageClient, uri: str, predicate, timeout: float = 20.0) -> List[types.Diagnostic]:
    """Wait until the diagnostics published for ``uri`` satisfy ``predicate``."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        found = list(client.diagnostics.get(uri, [])) if uri in client.diagnostics else None
        if found is not None and predicate(found):
            return found
        remaining = end - loop.time()
        if remaining <= 0:
            raise AssertionError(f"diagnostics for {uri} never matched: {found}")
        try:
            await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), remaining)
        except asyncio.TimeoutError:
            pass


def _codes(diags) -> List[str]:
    return sorted(str(d.code) for d in diags)


def _apply(text: str, edit: types.WorkspaceEdit) -> str:
    """Apply a WorkspaceEdit's text edits (LSP semantics: all ranges address the original)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: types.Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        return starts[pos.line] + pos.character  # ASCII sources: UTF-16 units are characters

    edits = [e for change in edit.document_changes for e in change.edits]
    out = text
    for e in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        out = out[:offset(e.range.start)] + e.new_text + out[offset(e.range.end):]
    return out


async def test_diagnostics_quick_fix_and_fixed_text(client: LanguageClient, project: Path):
    await _start(client, project)
    uri = _open(client, project / "model.py", MODEL)
    diags = await _wait(client, uri, lambda d: d)
    assert _codes(diags) == ["JIT201"]
    d = diags[0]
    assert d.source == "jitlint" and d.severity == types.DiagnosticSeverity.Error
    assert d.range.start == types.Position(6, 25)
    assert d.code_description.href.endswith("#jit201-untyped-non-tensor-default") or "#jit201-" in d.code_description.href

    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), d.range, types.CodeActionContext([d])))
    titles = [a.title for a in actions]
    fix = next(a for a in actions if a.title.startswith("Fix JIT201"))
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert "(unsafe)" not in fix.title
    assert _apply(MODEL, fix.edit) == FIXED_MODEL
    noqa = next(a for a in actions if a.title == "Disable JIT201 for this line")
    assert "def run(x: torch.Tensor, pad_id=0):  # noqa: JIT201\n" in _apply(MODEL, noqa.edit)
    assert any(t == "Fix all jitlint" for t in titles)

    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), d.range.start))
    assert hover.contents.value.startswith("### JIT201 ") and "## Fix safety" in hover.contents.value

    # a syntax error while typing is JIT001; the next valid edit clears it
    _replace_all(client, uri, MODEL.replace("return helper(x) + pad_id", "return helper(x +"), 2)
    diags = await _wait(client, uri, lambda d: _codes(d) == ["JIT001"])
    assert "syntax error" in diags[0].message
    assert await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(0, 0))) is None

    # the edit applied as the editor would: the finding goes, nothing stale stays
    _replace_all(client, uri, _apply(MODEL, fix.edit), 3)
    assert await _wait(client, uri, lambda d: not d) == []

    # a burst of edits: what is reported at the end is the last text's findings
    broken = MODEL.replace("return helper(x) + pad_id", "return (")
    for version, text in enumerate([MODEL, broken, FIXED_MODEL, MODEL, broken, MODEL], start=4):
        _replace_all(client, uri, text, version)
    await _wait(client, uri, lambda d: _codes(d) == ["JIT201"])
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), d.range, types.CodeActionContext([d])))
    assert _apply(MODEL, next(a for a in actions if a.title.startswith("Fix JIT201")).edit) == FIXED_MODEL


async def test_helper_in_another_file_is_reached_and_noqa_silences(client: LanguageClient, project: Path):
    await _start(client, project)
    uri = _open(client, project / "helpers.py", HELPERS)
    diags = await _wait(client, uri, lambda d: d)
    assert _codes(diags) == ["JIT101"]  # model.py (not open) scripts `helper`
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), diags[0].range, types.CodeActionContext(diags)))
    noqa = next(a for a in actions if a.title == "Disable JIT101 for this line")
    silenced = _apply(HELPERS, noqa.edit)
    assert "    try:  # noqa: JIT101\n" in silenced
    _replace_all(client, uri, silenced, 2)
    await _wait(client, uri, lambda d: not d)

    # hover on the noqa code shows the rule's documentation
    hover = await client.text_document_hover_async(types.HoverParams(
        types.TextDocumentIdentifier(uri), types.Position(1, silenced.splitlines()[1].index("JIT101") + 2)))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value.startswith("### JIT101 try-statement")
    assert "## What it does" in hover.contents.value

    # when the file that scripts the helper stops doing so, the helper is out of reach
    _replace_all(client, uri, HELPERS, 3)
    await _wait(client, uri, lambda d: _codes(d) == ["JIT101"])
    model = _open(client, project / "model.py", MODEL.replace("@torch.jit.script\n", ""))
    await _wait(client, model, lambda d: not d)
    await _wait(client, uri, lambda d: not d)


def _fix_all_request(uri: str) -> types.CodeActionParams:
    return types.CodeActionParams(types.TextDocumentIdentifier(uri), types.Range(types.Position(0, 0), types.Position(0, 0)),
                                  types.CodeActionContext([], only=[types.CodeActionKind.SourceFixAll]))


async def test_fix_all_converges_unsafe_fixes_labelled(client: LanguageClient, project: Path):
    text = textwrap.dedent("""\
        import torch


        @torch.jit.script
        def run(x: torch.Tensor, pad_id=0, mask=None):
            if mask is not None:
                x = x * mask
            return x + pad_id
        """)
    safe = text.replace("pad_id=0", "pad_id: int = 0")
    both = safe.replace("mask=None", "mask: Optional[torch.Tensor] = None").replace(
        "import torch\n", "import torch\nfrom typing import Optional\n")
    await _start(client, project)
    uri = _open(client, project / "other.py", text)
    diags = await _wait(client, uri, lambda d: d)
    assert _codes(diags) == ["JIT201", "JIT202"]
    actions = await client.text_document_code_action_async(_fix_all_request(uri))
    assert [a.kind for a in actions] == [FIX_ALL]
    assert actions[0].edit is None  # computed on resolve
    resolved = await client.code_action_resolve_async(actions[0])
    assert _apply(text, resolved.edit) == safe  # safe fixes only, as `jitlint check --fix`

    # the unsafe quick fix is offered, labelled, not preferred, and carries its import
    jit202 = next(d for d in diags if d.code == "JIT202")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), jit202.range, types.CodeActionContext([jit202])))
    fix = next(a for a in actions if a.title.startswith("Fix JIT202"))
    assert "(unsafe)" in fix.title and not fix.is_preferred
    assert "from typing import Optional\n" in _apply(text, fix.edit)

    # with unsafeFixes, fix all applies both; the loop converges and nothing is left to fix
    client.set_configuration({"unsafeFixes": True}, section="jitlint")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # analysed again
    (resolved,) = [await client.code_action_resolve_async(a)
                   for a in await client.text_document_code_action_async(_fix_all_request(uri))]
    assert _apply(text, resolved.edit) == both
    _replace_all(client, uri, both, 2)
    await _wait(client, uri, lambda d: not d)
    assert list(await client.text_document_code_action_async(_fix_all_request(uri))) == []


FIX_ALL = "source.fixAll.jitlint"


async def test_configuration_file_client_settings_and_loose_file(client: LanguageClient, project: Path,
                                                                  tmp_path_factory):
    await _start(client, project)
    uri = _open(client, project / "model.py", MODEL)
    await _wait(client, uri, lambda d: _codes(d) == ["JIT201"])

    # a file outside every workspace folder is checked alone; JIT4xx carries Deprecated
    elsewhere = tmp_path_factory.mktemp("loose") / "legacy.py"
    text = textwrap.dedent("""\
        import torch


        class M(torch.jit.ScriptModule):
            @torch.jit.script_method
            def forward(self, x):
                return x
        """)
    loose = _open(client, elsewhere, text)
    diags = await _wait(client, loose, lambda d: d)
    deprecated = [d for d in diags if str(d.code).startswith("JIT4")]
    assert deprecated and all(types.DiagnosticTag.Deprecated in d.tags for d in deprecated)

    # the workspace's configuration file, reloaded when the client says it changed
    (project / "pyproject.toml").write_text('[tool.jitlint]\nignore = ["JIT201"]\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(
        from_fs_path(str(project / "pyproject.toml")), types.FileChangeType.Changed)]))
    await _wait(client, uri, lambda d: not d)
    (project / "pyproject.toml").write_text("[tool.jitlint]\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(
        from_fs_path(str(project / "pyproject.toml")), types.FileChangeType.Changed)]))
    await _wait(client, uri, lambda d: _codes(d) == ["JIT201"])

    # the client's settings (workspace/configuration, section "jitlint") over the file's
    client.set_configuration({"ignore": ["JIT2"]}, section="jitlint")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _wait(client, uri, lambda d: not d)
    client.set_configuration({"select": ["JIT2"]}, section="jitlint")
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await _wait(client, uri, lambda d: _codes(d) == ["JIT201"])


async def test_pull_diagnostics(client: LanguageClient, project: Path):
    await _start(client, project, pull=True)
    uri = _open(client, project / "model.py", MODEL)
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        types.TextDocumentIdentifier(uri)))
    assert _codes(report.items) == ["JIT201"]
    _replace_all(client, uri, FIXED_MODEL, 2)
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        types.TextDocumentIdentifier(uri)))
    assert list(report.items) == []
    assert uri not in client.diagnostics  # nothing pushed to a client that pulls


async def test_same_findings_as_the_cli_on_the_examples(client: LanguageClient, tmp_path: Path):
    """The server is the engine kept warm: on a copy of examples/, what it reports for each open
    file is what `jitlint check` reports (code, start, end), in UTF-16 columns of ASCII text."""
    import shutil

    from jitlint.linter.api import check_paths, load_settings

    root = tmp_path / "examples"
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples", root)
    expected = {}
    for f in check_paths([str(root)], load_settings(None, root)):
        expected.setdefault(str(Path(f.path).resolve()), []).append(
            (f.code, f.row - 1, f.column - 1, f.end_row - 1, f.end_column - 1))
    assert len(expected) >= 3
    await _start(client, root)
    uris = {_open(client, path, path.read_text()): str(path.resolve()) for path in sorted(root.glob("*.py"))}
    for uri, path in uris.items():
        want = sorted(expected.get(path, []))
        got = await _wait(client, uri, lambda d, n=len(want): len(d) == n)
        assert sorted((d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
                      for d in got) == want
