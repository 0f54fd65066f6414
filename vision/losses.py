"""The losses GrokNet trains with: softmax CE, multi-label BCE, ArcFace, double-margin contrastive."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class ArcFace(nn.Module):
    """Additive angular margin (Deng et al. 2019) on L2-normalised embeddings.

    Logits are s·cos(θ) for every identity, with the target's replaced by s·cos(θ + m): the
    target must win by an angular margin m, which makes identities compact on the sphere.
    """

    def __init__(self, dim: int, classes: int, scale: float = 30.0, margin: float = 0.3):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(classes, dim))
        nn.init.xavier_uniform_(self.weight)
        self.scale, self.margin = scale, margin

    def logits(self, embeddings: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        cosine = F.normalize(embeddings, dim=-1) @ F.normalize(self.weight, dim=-1).T
        theta = torch.acos(cosine.clamp(-1 + 1e-6, 1 - 1e-6))
        target_theta = (theta.gather(1, targets[:, None]) + self.margin).clamp(max=math.pi)
        adjusted = cosine.scatter(1, targets[:, None], torch.cos(target_theta))
        return self.scale * adjusted

    def forward(self, embeddings: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(self.logits(embeddings, targets), targets)


def double_margin_contrastive(embeddings: torch.Tensor, identities: torch.Tensor,
                              positive_margin: float = 0.8,
                              negative_margin: float = 0.3) -> torch.Tensor:
    """Pairwise loss on cosine similarity with two margins.

    Same-identity pairs are pulled until their similarity reaches `positive_margin`; other pairs
    are pushed until it drops to `negative_margin`. Pairs already past their margin cost nothing.
    """
    embeddings = F.normalize(embeddings, dim=-1)
    similarity = embeddings @ embeddings.T
    same = identities[:, None] == identities[None, :]
    off_diagonal = ~torch.eye(len(identities), dtype=torch.bool, device=embeddings.device)
    positives, negatives = same & off_diagonal, ~same
    loss = embeddings.new_zeros(())
    if positives.any():
        loss = loss + F.relu(positive_margin - similarity[positives]).mean()
    if negatives.any():
        loss = loss + F.relu(similarity[negatives] - negative_margin).mean()
    return loss


def softmax_ce(logits: torch.Tensor, targets: torch.Tensor, smoothing: float = 0.1):
    return F.cross_entropy(logits, targets, label_smoothing=smoothing)


def multi_label_bce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, targets)
