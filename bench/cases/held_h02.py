# case: ok
import torch
import torch.nn.functional as F
from typing import Dict
def root(x: torch.Tensor, temp: float = 1.0) -> Dict[str, torch.Tensor]:
    logits = x / temp
    probs = F.softmax(logits, dim=-1)
    logp = F.log_softmax(logits, -1)
    out: Dict[str, torch.Tensor] = {"probs": probs, "logp": logp}
    ent = -(probs * logp).sum(-1)
    out["entropy"] = ent
    return out
