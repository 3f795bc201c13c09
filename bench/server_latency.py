"""Latency and memory of ``jitlint server`` as an editor sees them.

Workspace: a copy of every ``.py`` file under ``torch/nn`` and ``torch/ao`` of the installed torch
(found without importing it; about 300 files, the corpus of ``bench/speed.py``), in a temporary folder, opened as one workspace folder. The
client is pygls's own, over stdio, against ``python -m jitlint server``. Measured:

- initial indexing: from ``initialized`` to the first diagnostics of the file opened right
  after it (the server indexes the workspace first), cold (no cache) and warm (a second server
  over the same workspace, the cache filled by the first);
- edits: ``didChange`` of the workspace file closest to 1,000 lines (a full-text change that
  alters one line, as a keystroke does), the time until its ``publishDiagnostics`` for that
  version arrives; median and p95 over ``--edits`` (default 20) edits after a warm-up;
- memory: the server's resident set (VmRSS from ``/proc``) after indexing and after the edits.

Goal (issue 9): p95 <= 100 ms. Run: ``python bench/server_latency.py`` (``--json FILE`` to keep
the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path


def torch_root() -> Path:
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("torch is not installed in this interpreter: pip install torch==2.13.0")
    return Path(list(spec.submodule_search_locations)[0])


def make_workspace(dest: Path) -> Path:
    for folder in ("nn", "ao"):
        shutil.copytree(torch_root() / folder, dest / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyi", "*.so"))
    (dest / "pyproject.toml").write_text("[tool.jitlint]\n")
    return dest


def thousand_line_file(root: Path) -> Path:
    files = sorted(root.rglob("*.py"))
    return min(files, key=lambda p: (abs(len(p.read_text(encoding="utf-8").splitlines()) - 1000), str(p)))


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Client(LanguageClient):
    def __init__(self):
        super().__init__("bench", "1")
        self.published: dict = {}
        self.waiters: dict = {}

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams):
            self.published[params.uri] = (params.version, len(params.diagnostics))
            fut = self.waiters.pop((params.uri, params.version), None)
            if fut is not None and not fut.done():
                fut.set_result(time.perf_counter())

    def expect(self, uri: str, version: int) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self.waiters[(uri, version)] = fut
        return fut


async def session(root: Path, target: Path, edits: int) -> dict:
    client = Client()
    await client.start_io(sys.executable, "-m", "jitlint", "server")
    pid = client._server.pid
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(root)),
        workspace_folders=[types.WorkspaceFolder(from_fs_path(str(root)), "bench")]))
    uri = from_fs_path(str(target))
    text = target.read_text(encoding="utf-8")
    first = client.expect(uri, 1)
    t0 = time.perf_counter()
    client.initialized(types.InitializedParams())
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    indexing = await asyncio.wait_for(first, 600) - t0
    rss_indexed = rss_mb(pid)
    lines = text.splitlines(keepends=True)
    middle = len(lines) // 2
    times = []
    for i in range(edits + 3):  # three warm-up edits
        version = i + 2
        changed = lines[:middle] + [f"_jitlint_bench_edit = {i}\n"] + lines[middle:]
        done = client.expect(uri, version)
        t1 = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument("".join(changed))]))
        elapsed = await asyncio.wait_for(done, 60) - t1
        if i >= 3:
            times.append(elapsed * 1000)
    rss_after = rss_mb(pid)
    findings = client.published.get(uri, (None, 0))[1]
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return {"indexing_s": round(indexing, 3), "edit_median_ms": round(statistics.median(times), 1),
            "edit_p95_ms": round(p95, 1), "edit_max_ms": round(times[-1], 1), "rss_indexed_mb": round(rss_indexed),
            "rss_after_mb": round(rss_after), "diagnostics_in_file": findings}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jitlint-server-bench-") as tmp:
        root = make_workspace(Path(tmp))
        target = thousand_line_file(root)
        files = len(list(root.rglob("*.py")))
        n_lines = len(target.read_text(encoding="utf-8").splitlines())
        print(f"workspace: {files} files (torch/nn, torch/ao); edited file: {target.relative_to(root)} ({n_lines} lines)")
        out = {"files": files, "edited_file": str(target.relative_to(root)), "edited_lines": n_lines}
        for label in ("cold", "warm"):
            result = asyncio.run(session(root, target, args.edits))
            out[label] = result
            print(f"{label}: indexing {result['indexing_s']} s, edit->diagnostics median {result['edit_median_ms']} ms, "
                  f"p95 {result['edit_p95_ms']} ms (max {result['edit_max_ms']} ms), RSS {result['rss_indexed_mb']} MB "
                  f"after indexing, {result['rss_after_mb']} MB after {args.edits + 3} edits")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
