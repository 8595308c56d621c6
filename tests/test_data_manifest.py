"""tests/data matches its manifest: every file listed, none extra, each with the recorded size and sha256.

A clone whose data is broken (a Git LFS pointer, an end-of-line conversion, a file lost) fails here by
name, instead of as a puzzling accuracy drop somewhere else.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

TEST_DATA = Path(__file__).resolve().parent / "data"
MANIFEST = TEST_DATA / "MANIFEST.md"
NOT_DATA = {"MANIFEST.md", ".gitattributes"}
ROW = re.compile(r"^\| (?P<path>[^|]+?) \| (?P<size>\d+) \| (?P<sha>[0-9a-f]{64}) \| (?P<source>[a-z0-9-]+) \|$")


def manifest() -> tuple[dict[str, tuple[int, str, str]], set[str]]:
    """The file table ``path -> (bytes, sha256, source)`` and the source ids that have a section."""
    text = MANIFEST.read_text(encoding="utf-8")
    _, table = text.split("\n## Files\n", 1)
    rows = {}
    for line in table.splitlines():
        if m := ROW.match(line):
            rows[m["path"]] = (int(m["size"]), m["sha"], m["source"])
    return rows, set(re.findall(r"^### ([a-z0-9-]+)$", text, re.MULTILINE))


def test_manifest_lists_every_file_with_a_described_source() -> None:
    rows, sources = manifest()
    assert len(rows) > 250, f"{MANIFEST}: file table not found or truncated ({len(rows)} rows)"
    on_disk = {p.relative_to(TEST_DATA).as_posix() for p in TEST_DATA.rglob("*") if p.is_file()} - NOT_DATA
    assert not sorted(set(rows) - on_disk), f"listed in {MANIFEST} but missing: {sorted(set(rows) - on_disk)}"
    assert not sorted(on_disk - set(rows)), f"not in {MANIFEST} (add source + licence): {sorted(on_disk - set(rows))}"
    undescribed = {src for _, _, src in rows.values()} - sources
    assert not undescribed, f"sources without a '### <id>' section in {MANIFEST}: {sorted(undescribed)}"


def test_files_match_their_sha256() -> None:
    rows, _ = manifest()
    bad = []
    for rel, (size, sha, _) in sorted(rows.items()):
        path = TEST_DATA / rel
        if not path.is_file():
            continue  # reported by the test above
        blob = path.read_bytes()
        if len(blob) != size or hashlib.sha256(blob).hexdigest() != sha:
            hint = " (a Git LFS pointer?)" if blob.startswith(b"version https://git-lfs") else ""
            bad.append(f"{rel}: {len(blob)} bytes, sha256 {hashlib.sha256(blob).hexdigest()[:12]}…{hint}")
    assert not bad, f"tests/data differs from {MANIFEST} (broken checkout?):\n" + "\n".join(bad)


def test_manifest_paths_are_plain() -> None:
    """Paths stay inside tests/data (no '..', no absolute paths)."""
    rows, _ = manifest()
    assert all(not Path(p).is_absolute() and ".." not in Path(p).parts for p in rows)
