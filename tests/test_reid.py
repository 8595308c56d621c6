"""ReID: the hand-crafted descriptor finds a Market-1501 query's source frame; the ONNX plug-in runs a graph."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from anfang.vision.reid import HandcraftedReid, OnnxReid, ReidConfig, create_reid

pytestmark = pytest.mark.models


def test_query_ranks_its_source_frame_first(shared_data: Path, models_dir: Path) -> None:
    from anfang.vision.combo import ComboDetector

    root = shared_data / "reid" / "person_search_demo"
    query = cv2.imread(str(root / "query" / "0001_c1s1_001051_00.jpg"))
    reid = HandcraftedReid()
    q = reid.embed(query)
    assert q.shape == (512,) and q.dtype == np.float32 and np.linalg.norm(q) == pytest.approx(1.0, abs=1e-5)
    detector = ComboDetector(models_dir)
    best: dict[str, float] = {}
    frames = sorted((root / "frames").glob("*.jpg"))
    assert len(frames) == 16
    for path in frames:
        image = cv2.imread(str(path))
        dets = detector.detect(image)
        people = dets[dets.class_id == 0]
        crops = [image[int(y1) : int(y2), int(x1) : int(x2)] for x1, y1, x2, y2 in people.xyxy]
        sims = reid.embed_many(crops) @ q
        best[path.stem] = float(sims.max()) if len(sims) else -1.0
    ranking = sorted(best, key=best.__getitem__, reverse=True)
    assert ranking[0] == "c1s1_001051", ranking[:5]
    assert best["c1s1_001051"] > 0.9


def test_descriptor_separates_clothing() -> None:
    """Same picture re-encoded ≈ 1; a recoloured torso clearly lower (colour stripes carry identity)."""
    rng = np.random.default_rng(0)
    person = np.full((128, 64, 3), 90, np.uint8)
    person[20:64, 12:52] = (40, 40, 200)  # red coat (BGR)
    person[64:120, 16:48] = (120, 60, 20)  # blue trousers
    person = cv2.add(person, rng.integers(0, 20, person.shape, dtype=np.uint8))
    reid = HandcraftedReid()
    ok, jpeg = cv2.imencode(".jpg", person, [cv2.IMWRITE_JPEG_QUALITY, 80])
    again = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    other = person.copy()
    other[20:64, 12:52] = (40, 180, 40)  # green coat
    same, diff = reid.embed(person) @ reid.embed(again), reid.embed(person) @ reid.embed(other)
    assert same > 0.97 and diff < same - 0.1


def _tiny_onnx(path: Path) -> None:
    """NCHW image → spatial mean per channel (1x3) → MatMul 3x8: an 8-d "feature"."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = numpy_helper.from_array(np.arange(24, dtype=np.float32).reshape(3, 8) / 10 - 1, "w")
    axes = numpy_helper.from_array(np.array([2, 3], dtype=np.int64), "axes")
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["x", "axes"], ["m"], keepdims=0),
            helper.make_node("MatMul", ["m", "w"], ["feat"]),
        ],
        "tiny_reid",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, 256, 128])],
        [helper.make_tensor_value_info("feat", TensorProto.FLOAT, ["n", 8])],
        initializer=[w, axes],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.checker.check_model(model)
    onnx.save(model, path)


def test_onnx_plugin(tmp_path: Path) -> None:
    path = tmp_path / "tiny.onnx"
    _tiny_onnx(path)
    cfg = ReidConfig.model_validate({"type": "onnx", "path": str(path), "input": [256, 128]})
    reid = create_reid(cfg)
    assert isinstance(reid, OnnxReid) and reid.dim == 8
    red = np.zeros((100, 50, 3), np.uint8)
    red[..., 2] = 255
    blue = np.zeros((100, 50, 3), np.uint8)
    blue[..., 0] = 255
    a, b = reid.embed(red), reid.embed(blue)
    assert a.shape == (8,) and np.linalg.norm(a) == pytest.approx(1.0, abs=1e-5)
    # Reproduce the graph by hand: ImageNet-normalised channel means (RGB) times the weight matrix.
    mean, std = np.array([0.485, 0.456, 0.406]) * 255, np.array([0.229, 0.224, 0.225]) * 255
    expect = ((np.array([255.0, 0, 0]) - mean) / std) @ (np.arange(24).reshape(3, 8) / 10 - 1)
    assert np.allclose(a, expect / np.linalg.norm(expect), atol=1e-4)
    assert float(a @ b) < 0.99
    with pytest.raises(ValueError, match="reid.path"):
        create_reid(ReidConfig(type="onnx", path=tmp_path / "missing.onnx"))
