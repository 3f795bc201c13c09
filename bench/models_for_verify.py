"""Small, realistic models for ``bench/verify_overhead.py`` (and usable as
``jitlint verify bench/models_for_verify.py::cnn`` targets).

Each is written the way deployable TorchScript code is written (annotated, no Python-only
constructs), so both compilers accept it and the benchmark measures verification overhead,
not failure reporting.
"""

from typing import List, Tuple

import torch
import torch.nn.functional as F
from torch import nn


class SmallCNN(nn.Module):
    def __init__(self, classes: int = 10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.AdaptiveAvgPool2d(4),
        )
        self.head = nn.Linear(32 * 4 * 4, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x).flatten(1))


class AttentionBlock(nn.Module):
    """Pre-norm transformer block: multi-head self-attention (scaled_dot_product_attention)
    plus an MLP, both residual.

    Written with explicit projections rather than ``nn.MultiheadAttention``: in eval mode the
    latter takes a fast path under ``torch.no_grad()`` only, so ``torch.jit.trace``'s default
    ``check_trace`` re-run records a different graph and tracing fails ("Graphs differed
    across invocations") - a real finding ``jitlint verify`` reports, but not what this
    benchmark is about.
    """

    def __init__(self, dim: int = 64, heads: int = 4):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        q = q.reshape(b, n, self.heads, d // self.heads).transpose(1, 2)
        k = k.reshape(b, n, self.heads, d // self.heads).transpose(1, 2)
        v = v.reshape(b, n, self.heads, d // self.heads).transpose(1, 2)
        attended = F.scaled_dot_product_attention(q, k, v)
        x = x + self.proj(attended.transpose(1, 2).reshape(b, n, d))
        return x + self.mlp(self.norm2(x))


class TorchMHABlock(nn.Module):
    """The same block with nn.MultiheadAttention: scripts fine, fails the default trace check."""

    def __init__(self, dim: int = 64, heads: int = 4):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm(x)
        attended, _ = self.attn(h, h, h, need_weights=False)
        return x + attended


class LSTMTagger(nn.Module):
    def __init__(self, vocab: int = 100, dim: int = 32, tags: int = 7):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, dim, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * dim, tags)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        states, _ = self.lstm(self.embed(tokens))
        return torch.log_softmax(self.out(states), dim=-1)


def _seeded(seed: int = 0):
    torch.manual_seed(seed)


def cnn() -> Tuple[nn.Module, List[tuple]]:
    _seeded()
    return SmallCNN().eval(), [(torch.randn(b, 3, 32, 32),) for b in (4, 2, 8)]


def attention() -> Tuple[nn.Module, List[tuple]]:
    _seeded()
    return AttentionBlock().eval(), [(torch.randn(b, n, 64),) for b, n in ((2, 16), (3, 9), (1, 24))]


def lstm_tagger() -> Tuple[nn.Module, List[tuple]]:
    _seeded()
    return LSTMTagger().eval(), [(torch.randint(0, 100, (b, n)),) for b, n in ((2, 12), (4, 7), (1, 20))]


def torch_mha() -> Tuple[nn.Module, List[tuple]]:
    _seeded()
    return TorchMHABlock().eval(), [(torch.randn(2, 16, 64),), (torch.randn(3, 9, 64),)]


CASES = {"cnn": cnn, "attention": attention, "lstm_tagger": lstm_tagger}
