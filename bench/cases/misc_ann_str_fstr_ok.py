# case: ok
import torch
def root(x: torch.Tensor, n: int) -> torch.Tensor:
    z: str = f"{n}"
    b: bool = n > 2
    return x
