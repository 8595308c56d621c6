"""Person re-identification embeddings: a hand-crafted default and a user-supplied ONNX plug-in."""

from anfang.vision.reid.descriptor import HandcraftedReid
from anfang.vision.reid.onnx_reid import OnnxReid, ReidConfig, ReidEmbedder, create_reid

__all__ = ["HandcraftedReid", "OnnxReid", "ReidConfig", "ReidEmbedder", "create_reid"]
