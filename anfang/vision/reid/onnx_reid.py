"""ReID plug-in for a user-supplied ONNX model (e.g. an OSNet or a fast-reid export), chosen by config.

``reid: {type: onnx, path: osnet.onnx, input: [256, 128]}``: the crop is resized to ``input`` (height,
width), normalised with ImageNet mean/std (what torchreid/fast-reid exports expect; override with
``mean``/``std``), fed as NCHW float32 RGB, and the first output is flattened and L2-normalised.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Protocol

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from anfang.vision.reid.descriptor import HandcraftedReid


class ReidConfig(BaseModel):
    """``reid:`` in the records config."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["lomo", "onnx"] = "lomo"
    path: Path | None = None
    input: tuple[int, int] = (256, 128)  # height, width
    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    layout: Literal["nchw", "nhwc"] = "nchw"
    threads: int = Field(default=1, ge=1)


class ReidEmbedder(Protocol):
    """Anything that turns a BGR person crop into a unit feature vector of length ``dim``."""

    name: str
    dim: int

    def embed(self, crop: np.ndarray) -> np.ndarray: ...


class OnnxReid:
    """Runs an ONNX ReID network on one crop at a time (batch 1; the graph may have a dynamic batch)."""

    name = "onnx"

    def __init__(self, cfg: ReidConfig, models_dir: Path | None = None) -> None:
        from anfang.vision.onnx_utils import make_session

        if cfg.path is None:
            raise ValueError("reid.path: an ONNX file is required when reid.type is 'onnx'")
        path = Path(cfg.path).expanduser()
        if not path.is_absolute() and not path.exists() and models_dir is not None:
            path = Path(models_dir) / path
        if not path.is_file():
            raise ValueError(f"reid.path: no ONNX file at {path}")
        self.cfg = cfg
        self.session = make_session(path, threads=cfg.threads)
        self.input_name = self.session.get_inputs()[0].name
        self._mean = np.asarray(cfg.mean, np.float32) * 255.0
        self._std = np.asarray(cfg.std, np.float32) * 255.0
        self.dim = int(self.embed(np.zeros((cfg.input[0], cfg.input[1], 3), np.uint8)).shape[0])

    def embed(self, crop: np.ndarray) -> np.ndarray:
        h, w = self.cfg.input
        rgb = cv2.cvtColor(cv2.resize(crop, (w, h), interpolation=cv2.INTER_LINEAR), cv2.COLOR_BGR2RGB)
        x = (rgb.astype(np.float32) - self._mean) / self._std
        x = x.transpose(2, 0, 1)[None] if self.cfg.layout == "nchw" else x[None]
        out = np.asarray(self.session.run(None, {self.input_name: np.ascontiguousarray(x)})[0], np.float32)
        vec = out.reshape(-1)
        return vec / max(float(np.linalg.norm(vec)), 1e-12)


def create_reid(cfg: ReidConfig | None = None, models_dir: Path | None = None) -> ReidEmbedder:
    cfg = cfg or ReidConfig()
    if cfg.type == "onnx":
        return OnnxReid(cfg, models_dir)
    return HandcraftedReid()
