"""Generalized-mean (GeM) pooling (Radenović et al. 2018), as used by GrokNet."""
from __future__ import annotations

import torch
from torch import nn


def gem(features: torch.Tensor, p: torch.Tensor | float, eps: float = 1e-6) -> torch.Tensor:
    """Pool (B, C, H, W) maps to (B, C): (mean x^p)^(1/p). p=1 is average, p→∞ is max pooling.

    x^p is computed as exp(p·log x): the same function, but ONNX Runtime's Exp and Log are
    vectorised where its Pow is not (half the cost per feature map on the CPU).
    """
    powered = torch.exp(torch.log(features.clamp(min=eps)) * p)
    return powered.mean(dim=(-2, -1)).pow(1.0 / p)


class GeM(nn.Module):
    """GeM pooling with a learnable exponent p."""

    def __init__(self, p: float = 3.0, eps: float = 1e-6):
        super().__init__()
        self.p = nn.Parameter(torch.tensor(float(p)))
        self.eps = eps

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return gem(features, self.p.clamp(min=1.0), self.eps)
