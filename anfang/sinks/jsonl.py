"""``jsonl``: append each event as one JSON line to a file, rotating by size.

``events.jsonl`` grows to ``max_bytes``, then becomes ``events.jsonl.1`` (the older ones shift to ``.2``
... up to ``backups``; the oldest is deleted) and a new file starts — like logrotate, so a log shipper
(Filebeat, Vector, fluent-bit) can tail it. Lines are the event's JSON (no image bytes; snapshot paths).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Literal

from pydantic import Field

from anfang.events.model import Event
from anfang.sinks.base import Sink, SinkConfigBase, register


class JsonlSinkConfig(SinkConfigBase):
    type: Literal["jsonl"] = "jsonl"
    path: Path = Path("events.jsonl")  # relative: under data_dir
    max_bytes: int = Field(default=100 * 1024 * 1024, ge=1024)  # rotate when the file would grow past this
    backups: int = Field(default=5, ge=0)  # rotated files kept (events.jsonl.1 ... .N)
    fsync: bool = False  # fsync after each line (slower; survives power loss)


@register("jsonl", JsonlSinkConfig, title={"en": "JSON lines file", "zh": "JSON 行文件"})
class JsonlSink(Sink):
    def __init__(self, cfg: JsonlSinkConfig, data_dir: Path) -> None:
        super().__init__(cfg, data_dir)
        path = Path(cfg.path).expanduser()
        self.path = path if path.is_absolute() else data_dir / path
        self.max_bytes = cfg.max_bytes
        self.backups = cfg.backups
        self.fsync = cfg.fsync
        self._file: IO[bytes] | None = None
        self.rotations = 0

    def _open(self) -> IO[bytes]:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "ab")  # noqa: SIM115 - kept open across writes
        return self._file

    def _rotate(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.backups == 0:
            self.path.unlink(missing_ok=True)
        else:
            self.path.with_name(f"{self.path.name}.{self.backups}").unlink(missing_ok=True)
            for i in range(self.backups - 1, 0, -1):
                older = self.path.with_name(f"{self.path.name}.{i}")
                if older.exists():
                    older.rename(self.path.with_name(f"{self.path.name}.{i + 1}"))
            if self.path.exists():
                self.path.rename(self.path.with_name(f"{self.path.name}.1"))
        self.rotations += 1

    def write(self, event: Event) -> None:
        line = (json.dumps(event.to_dict(), ensure_ascii=False) + "\n").encode("utf-8")
        f = self._open()
        if f.tell() > 0 and f.tell() + len(line) > self.max_bytes:
            self._rotate()
            f = self._open()
        f.write(line)
        f.flush()
        if self.fsync:
            import os

            os.fsync(f.fileno())

    def flush(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
