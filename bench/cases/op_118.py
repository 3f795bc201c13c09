# case: E010
import torch

def root(x: torch.Tensor) -> torch.Tensor:
    return torch.nn.functional.gelu(x, approx='tanh')
