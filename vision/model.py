"""GrokNet-style layers on top of the frozen trunk: GeM → 256-d embedding, plus task heads.

`GrokHead` takes the trunk's (B, 1280, H, W) feature maps. Every classification head reads the
same GeM-pooled vector; the embedding is a linear projection of it, L2-normalised, and its sign
bits are the compact binary code used for search at scale.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from vision.pooling import GeM
from vision.trunk import FEATURE_DIM


@dataclass
class HeadSpec:
    """One classification head: its labels and whether several can be true at once."""

    name: str
    labels: list[str]
    multi_label: bool = False


@dataclass
class ModelConfig:
    embedding_dim: int = 256
    gem_p: float = 3.0
    dropout: float = 0.2
    heads: list[HeadSpec] = field(default_factory=list)
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        heads = [HeadSpec(**head) for head in data.get("heads", [])]
        return cls(**{**data, "heads": heads})


class GrokHead(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.pool = GeM(config.gem_p)
        self.projection = nn.Linear(FEATURE_DIM, config.embedding_dim, bias=False)
        generator = torch.Generator().manual_seed(config.seed)
        # Until trained: a fixed, seeded orthogonal projection (a random rotation of the
        # pooled features, scaled down to 256-d), so embeddings are deterministic and meaningful.
        with torch.no_grad():
            q, _ = torch.linalg.qr(torch.randn(FEATURE_DIM, config.embedding_dim,
                                               generator=generator))
            self.projection.weight.copy_(q.T)
        self.dropout = nn.Dropout(config.dropout)
        self.heads = nn.ModuleDict({
            spec.name: nn.Linear(FEATURE_DIM, len(spec.labels)) for spec in config.heads})

    def pooled(self, features: torch.Tensor) -> torch.Tensor:
        return self.pool(features)

    def embed(self, pooled: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.projection(pooled), dim=-1)

    def logits(self, pooled: torch.Tensor) -> dict[str, torch.Tensor]:
        pooled = self.dropout(pooled)
        return {name: head(pooled) for name, head in self.heads.items()}

    def forward(self, features: torch.Tensor):
        pooled = self.pooled(features)
        return self.embed(pooled), self.logits(pooled)
