"""Generalized-mean (GeM) pooling (Radenović et al. 2018), as used by GrokNet."""
from __future__ import annotations

import torch
from torch import nn


def gem(features: torch.Tensor, p: torch.Tensor | float, eps: float = 1e-6) -> torch.Tensor:
    """Pool (B, C, H, W) maps to (B, C): (mean x^p)^(1/p). p=1 is average, p→∞ is max pooling.

    Exported to ONNX, x^p becomes exp(p·log x): the same function, but ONNX Runtime vectorises
    Exp and Log and not Pow (half the cost per feature map on the CPU). Training keeps `pow`, so
    the shipped weights stay exactly reproducible.
    """
    features = features.clamp(min=eps)
    if torch.onnx.is_in_onnx_export():
        powered = torch.exp(torch.log(features) * p)
    else:
        powered = features.pow(p)
    return powered.mean(dim=(-2, -1)).pow(1.0 / p)


class GeM(nn.Module):
    """GeM pooling with a learnable exponent p."""

    def __init__(self, p: float = 3.0, eps: float = 1e-6):
        super().__init__()
        self.p = nn.Parameter(torch.tensor(float(p)))
        self.eps = eps

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return gem(features, self.p.clamp(min=1.0), self.eps)
