"""A tokenizer-like preprocessing module that maps characters to ids and pads a batch."""

import logging
from typing import Dict, List

import torch
from torch import nn

log = logging.getLogger(__name__)


class CharTokenizer(nn.Module):
    def __init__(self, alphabet: str, max_len: int = 32):
        super().__init__()
        self.vocab = {ch: i + 2 for i, ch in enumerate(alphabet)}
        self.specials = {"<pad>", "<unk>"}
        self.max_len = max_len

    def encode(self, text: str) -> List[int]:
        ids = []
        for ch in text.lower():
            ids.append(self.vocab.get(ch, 1))
        return ids[: self.max_len]

    def forward(self, texts: List[str], pad_id=0) -> torch.Tensor:
        batch = [self.encode(t) for t in texts if t]
        longest = max([len(b) for b in batch])
        out = torch.full((len(batch), longest), pad_id, dtype=torch.long)
        for row, ids in enumerate(batch):
            out[row, : len(ids)] = torch.tensor(ids)
        try:
            log.debug("encoded %d texts", len(texts))
        except Exception:
            pass
        return out
