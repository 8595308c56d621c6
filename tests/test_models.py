"""Model pack: manifest integrity, tamper detection, CLI output, clear errors when the pack is missing."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from anfang.cli.models import add_parser, main
from anfang.models import specs
from anfang.models.pack import ModelPackError, load_manifest, model_path, sha256_file, verify_pack


@pytest.fixture()
def pack_copy(models_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the pack that a test may damage."""
    dst = tmp_path / "pack"
    dst.mkdir()
    manifest = load_manifest(models_dir)
    shutil.copy2(models_dir / "manifest.json", dst / "manifest.json")
    for entry in manifest["models"].values():
        shutil.copy2(models_dir / entry["file"], dst / entry["file"])
    return dst


def test_manifest_verifies_and_describes_core_models(models_dir: Path) -> None:
    assert verify_pack(models_dir) == []
    models = load_manifest(models_dir)["models"]
    for name in specs.CORE_MODELS:
        entry = models[name]
        assert len(entry["sha256"]) == 64
        assert entry["sha256"] == sha256_file(models_dir / entry["file"])
        assert entry["source"] in (
            f"npm:{specs.HUMAN_PACKAGE}@{specs.HUMAN_VERSION}",
            f"pypi:{specs.SSDLITE_PACKAGE}=={specs.SSDLITE_VERSION}",
        )
        assert entry["licence"]
        assert entry["inputs"][0]["normalisation"] and entry["inputs"][0]["dtype"]
        assert entry["outputs"] and all(o["description"] for o in entry["outputs"])
        # conversion was checked against TensorFlow at build time
        assert max(entry["max_abs_diff_vs_tf"].values()) < 0.05


def test_flipped_byte_is_named(pack_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    victim = pack_copy / load_manifest(pack_copy)["models"]["ssdlite"]["file"]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    problems = verify_pack(pack_copy)
    assert len(problems) == 1 and problems[0].startswith(victim.name) and "sha256" in problems[0]
    assert main(["models", "verify", "--models-dir", str(pack_copy)]) == 1
    assert victim.name in capsys.readouterr().err


def test_missing_file_is_named(pack_copy: Path) -> None:
    (pack_copy / "centernet.onnx").unlink()
    assert verify_pack(pack_copy) == ["centernet.onnx: missing"]
    with pytest.raises(ModelPackError, match="anfang models build"):
        model_path(pack_copy, "centernet")


def test_verify_ok_and_list_output(models_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "verify", "--models-dir", str(models_dir)]) == 0
    assert main(["models", "list", "--models-dir", str(models_dir)]) == 0
    out = capsys.readouterr().out
    for name, entry in load_manifest(models_dir)["models"].items():
        assert name in out and entry["file"] in out
    assert "512x512" in out  # centernet's input shape is shown


def test_no_pack_gives_clear_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ModelPackError, match="anfang models build"):
        model_path(tmp_path, "centernet")
    assert main(["models", "verify", "--models-dir", str(tmp_path)]) == 1
    assert main(["models", "list", "--models-dir", str(tmp_path)]) == 1
    assert "anfang models build" in capsys.readouterr().err
    (tmp_path / "manifest.json").write_text("{not json")
    assert "not valid JSON" in verify_pack(tmp_path)[0]


def test_build_is_a_no_op_on_a_verified_pack(pack_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from anfang.models import build

    def no_build(*_a: object, **_k: object) -> None:
        raise AssertionError("a verified pack must not trigger a build")

    monkeypatch.setattr(build, "ensure_build_venv", no_build)
    before = (pack_copy / "manifest.json").read_text()
    assert build.build_pack(pack_copy) == pack_copy / "manifest.json"
    assert (pack_copy / "manifest.json").read_text() == before
    # a damaged file is noticed and would be rebuilt
    (pack_copy / json.loads(before)["models"]["ssdlite"]["file"]).write_bytes(b"broken")
    with pytest.raises(AssertionError, match="must not trigger"):
        build.build_pack(pack_copy)


def test_add_parser_wires_subcommands() -> None:
    parser = argparse.ArgumentParser(prog="anfang")
    add_parser(parser.add_subparsers(dest="command"))
    for sub in ("build", "list", "verify"):
        args = parser.parse_args(["models", sub, "--models-dir", "/x"])
        assert callable(args.func) and args.models_dir == Path("/x")
    assert parser.parse_args(["models", "build", "--force"]).force is True
