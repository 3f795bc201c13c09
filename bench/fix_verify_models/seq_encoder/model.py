import torch
from torch import nn


class Encoder(nn.Module):
    def __init__(self, vocab, dim):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True)

    def forward(self, tokens, lengths=None):
        h = self.emb(tokens)
        out, _ = self.rnn(h)
        if lengths is None:
            return out[:, -1]
        idx = (lengths - 1).clamp(min=0)
        return out[torch.arange(out.size(0)), idx]
