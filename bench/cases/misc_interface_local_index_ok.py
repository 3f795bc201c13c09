# case: ok (part 5: interface-annotated local)
import torch

@torch.jit.interface
class LayerIface(torch.nn.Module):
    def forward(self, input: torch.Tensor) -> torch.Tensor:
        pass

class root(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(3, 3) for _ in range(3)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        i = 1
        layer: LayerIface = self.layers[i]
        return layer.forward(x)
