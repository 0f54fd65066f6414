"""The engine's forward pass as one module: uint8 crops in, embedding and head outputs out.

Scaling the pixels, the trunk, the ImageNet head (for the zero-shot prior), GeM, the projection,
every trained head and the early feature maps the colour head reads run as one graph. Under torch
(CUDA) the module runs as it is; on the CPU it is exported once to ONNX (`vision/onnx_graphs.py`),
so a batch is a single ONNX Runtime call and no small torch op runs between the trunk and the
answer.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from vision.trunk import to_trunk_input

FIXED_OUTPUTS = ("embedding", "baseline", "imagenet")
CROP_GRID = 14  # the colour head reads the tapped maps (28x28, 14x14) averaged onto this grid


def pooled_maps(taps: list[torch.Tensor]) -> torch.Tensor:
    """The `COLOUR_TAPS` blocks' maps → (B, COLOUR_CHANNELS, CROP_GRID, CROP_GRID), the
    `colour_maps` output (fixed kernels: the exporter cannot take an adaptive pooling)."""
    return torch.cat([F.avg_pool2d(maps, maps.shape[-1] // CROP_GRID)
                      if maps.shape[-1] > CROP_GRID else maps for maps in taps], dim=1)


class InferenceModel(nn.Module):
    def __init__(self, trunk: nn.Module, head: nn.Module):
        super().__init__()
        self.trunk = trunk
        self.head = head
        self.output_names = (FIXED_OUTPUTS + tuple(spec.name for spec in head.config.heads)
                             + ("colour_maps",))

    def forward(self, crops: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(B, H, W, 3) uint8 crops → one tensor per name in `output_names`."""
        features, taps = self.trunk.forward_with_taps(to_trunk_input(crops))
        return self.from_features(features) + (pooled_maps(taps),)

    def from_features(self, features: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """(B, 1280, h, w) trunk feature maps → every output but the last, `colour_maps`
        (training metrics use this)."""
        avg = features.mean(dim=(-2, -1))
        pooled = self.head.pooled(features)
        outputs = [self.head.embed(pooled), F.normalize(avg, dim=-1),
                   torch.softmax(self.trunk.imagenet_logits(avg), dim=-1)]
        for spec in self.head.config.heads:
            logits = self.head.heads[spec.name](pooled)
            outputs.append(torch.sigmoid(logits) if spec.multi_label else
                           torch.softmax(logits, dim=-1))
        return tuple(outputs)

    def named(self, outputs, zs_matrix: np.ndarray) -> dict[str, np.ndarray]:
        """Outputs as numpy arrays by name, plus `zeroshot`: the ImageNet probabilities mapped
        onto the site's category slugs."""
        named = {name: value.float().cpu().numpy() if isinstance(value, torch.Tensor) else value
                 for name, value in zip(self.output_names, outputs)}
        named["zeroshot"] = named["imagenet"] @ zs_matrix
        return named
