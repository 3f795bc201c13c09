"""JIT6xx against torch.export.export on bench/export_corpus/ (realistic small modules).

Each module is exported (non-strict, the default) with every dim of its first input marked
``Dim.AUTO``, then the exported program runs the first and a second input of other sizes and
is compared with eager. Verdict "bad": export raises, or the program raises or differs on an
input. jitlint's prediction: any JIT6xx finding with ``--modes export``. Prints the table and
recall / false positives; ``--markdown FILE`` writes it.

    python bench/export_corpus.py [--markdown bench/export_corpus/RESULTS.md]
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import sys
import time
import warnings
from pathlib import Path

import torch
from torch.export import Dim

from jitlint.linter.config import Settings
from jitlint.linter.engine import check_source

HERE = Path(__file__).parent / "export_corpus"
# file -> (class, first input shape, second input shape)
MODELS = {
    "mlp.py": ("MLP", (4, 8), (6, 8)),
    "attention.py": ("SelfAttention", (2, 5, 8), (3, 7, 8)),
    "attention_sym.py": ("SelfAttention", (2, 5, 8), (3, 7, 8)),
    "rnn_loop.py": ("Recurrent", (2, 5, 8), (3, 7, 8)),
    "gru.py": ("Encoder", (2, 5, 8), (3, 7, 8)),
    "early_exit.py": ("EarlyExit", (4, 8), (6, 8)),
    "gated_item.py": ("Gated", (4, 8), (6, 8)),
    "resize_branch.py": ("Head", (2, 3, 16, 16), (3, 3, 6, 6)),
    "convnet.py": ("ConvNet", (2, 3, 16, 16), (3, 3, 12, 10)),
    "residual.py": ("ResNetTiny", (2, 3, 16, 16), (3, 3, 12, 10)),
    "squeeze_excite.py": ("SqueezeExcite", (2, 4, 8, 8), (3, 4, 6, 5)),
    "flatten_int.py": ("Flatten", (2, 3, 4), (3, 5, 6)),
    "flatten_sym.py": ("Flatten", (2, 3, 4), (3, 5, 6)),
    "counter.py": ("RunningScale", (4, 8), (6, 8)),
    "buffer_state.py": ("RunningMean", (4, 8), (6, 8)),
    "numpy_post.py": ("ClipNumpy", (4, 8), (6, 8)),
    "random_aug.py": ("NoiseAug", (4, 8), (6, 8)),
    "torch_noise.py": ("NoiseAug", (4, 8), (6, 8)),
    "rank_branch.py": ("AnyRank", (4, 8), (6, 8)),
    "seq_len_loop.py": ("PerRow", (4, 8), (6, 8)),
    "pos_encoding.py": ("Positional", (2, 5, 8), (3, 7, 8)),
    "topk_item.py": ("KeepLarge", (4, 8), (6, 8)),
    "helper_branch.py": ("Normalized", (4, 8), (6, 8)),
    "where_norm.py": ("Normalized", (4, 8), (6, 8)),
}


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"export_corpus_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _same(a, b) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.shape == b.shape and torch.allclose(a, b, rtol=1e-5, atol=1e-6)
    return False


def export_verdict(cls, shapes):
    torch.manual_seed(0)
    inputs = [(torch.randn(*s),) for s in shapes]
    torch.manual_seed(0)
    target = cls().eval()
    torch.manual_seed(0)
    eager = cls().eval()
    example = copy.deepcopy(inputs[0])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            program = torch.export.export(target, example, dynamic_shapes=({i: Dim.AUTO for i in range(example[0].dim())},)).module()
    except Exception as exc:  # noqa: BLE001
        return "bad", f"export fails: {type(exc).__name__}"
    for i, args in enumerate(inputs):
        torch.manual_seed(1)
        want = eager(*copy.deepcopy(args))
        torch.manual_seed(1)
        try:
            got = program(*copy.deepcopy(args))
        except Exception as exc:  # noqa: BLE001
            return "bad", f"input {i}: {str(exc).splitlines()[0][:60]}"
        if not _same(want, got):
            return "bad", f"input {i}: differs from eager"
    return "ok", ""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--markdown")
    args = parser.parse_args()
    settings = Settings(select=["JIT6"], modes=["export"])
    rows = []
    start = time.perf_counter()
    for name, (root, *shapes) in MODELS.items():
        path = HERE / name
        findings = [f for f in check_source(path.read_text(), name, settings) if f.code.startswith("JIT6")]
        verdict, why = export_verdict(getattr(_load(path), root), shapes)
        rows.append((name, verdict, why, sorted({f"{f.code}:{f.row}" for f in findings})))
    elapsed = time.perf_counter() - start
    bad = [r for r in rows if r[1] == "bad"]
    ok = [r for r in rows if r[1] == "ok"]
    caught = [r for r in bad if r[3]]
    false_pos = [r for r in ok if r[3]]
    lines = ["| file | torch.export | why | jitlint |", "|---|---|---|---|"]
    lines += [f"| {n} | {v} | {w} | {', '.join(c) or '-'} |" for n, v, w, c in rows]
    lines += ["", f"{len(rows)} modules: {len(bad)} bad for torch.export, {len(ok)} ok. "
                  f"Recall {len(caught)}/{len(bad)}; false positives {len(false_pos)}/{len(ok)} "
                  f"({', '.join(r[0] for r in false_pos) or 'none'}); missed: "
                  f"{', '.join(r[0] for r in bad if not r[3]) or 'none'}. {elapsed:.1f} s."]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text("# JIT6xx vs torch.export on bench/export_corpus\n\n"
                                       f"torch {torch.__version__}, non-strict, every dim `Dim.AUTO`, "
                                       "generated by `python bench/export_corpus.py --markdown ...`.\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
