"""Pack models that a PyPI wheel ships ready as ONNX (today: PP-OCRv4 from ``rapidocr-onnxruntime``).

The wheel is downloaded with ``pip download --no-deps`` and only the ONNX members are copied out: installing
it would drag ``opencv-python`` 5 in beside our ``opencv-python-headless<5`` and break ``import cv2``.
The manifest entry records where each file came from and its sha256, like the converted models.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from anfang.models import specs
from anfang.models.pack import ModelPackError, sha256_file


def _wheel(dl: Path, package: str, version: str) -> Path:
    stem = package.replace("-", "_")
    found = sorted(dl.glob(f"{stem}-{version}-*.whl"))
    if found:
        return found[0]
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--disable-pip-version-check",
        f"{package}=={version}",
        "-d",
        str(dl),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    found = sorted(dl.glob(f"{stem}-{version}-*.whl"))
    if proc.returncode != 0 or not found:
        raise ModelPackError(f"pip download {package}=={version} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return found[0]


def _io(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    dims = lambda shape: [d if isinstance(d, int) else -1 for d in shape]  # noqa: E731
    inputs = [{"name": i.name, "shape": dims(i.shape), "dtype": "float32"} for i in sess.get_inputs()]
    outputs = [{"name": o.name, "shape": dims(o.shape)} for o in sess.get_outputs()]
    return inputs, outputs


def build_wheel_models(models_dir: Path, dl: Path, names: list[str], say: Any) -> dict[str, dict[str, Any]]:
    """Copy ``names`` out of their wheels into ``models_dir``; returns name → manifest entry."""
    dl.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict[str, Any]] = {}
    for name in names:
        spec = specs.WHEEL_MODELS[name]
        whl = _wheel(dl, spec["package"], spec["version"])
        target = models_dir / Path(spec["member"]).name
        with zipfile.ZipFile(whl) as zf:
            try:
                data = zf.read(spec["member"])
            except KeyError:
                raise ModelPackError(f"{whl.name} has no {spec['member']}") from None
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        inputs, outputs = _io(target)
        inputs[0]["normalisation"] = spec["normalisation"]
        outputs[0]["description"] = spec["description"]
        entries[name] = {
            "name": name,
            "file": target.name,
            "sha256": sha256_file(target),
            "size": target.stat().st_size,
            "source": f"pypi:{spec['package']}=={spec['version']}",
            "source_file": spec["member"],
            "licence": spec["licence"],
            "upstream": spec["upstream"],
            "inputs": inputs,
            "outputs": outputs,
            "converter": "copied unchanged from the wheel",
        }
        say(f"{name}: copied {target.name} from {whl.name} ({len(data) / 1e6:.1f} MB)")
    return entries
