"""One shape for "what is wrong and where", shared by audit and evidence verification.

Verifiers return a list of these instead of raising on the first failure, so an operator sees every
damaged entry or file at once, and an empty list is the one unambiguous "all good".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """``kind`` is a stable machine word (edited, deleted, inserted, reordered, broken_link, checkpoint,
    signature, digest, missing_file, unlisted_file, manifest); ``message`` is for people."""

    kind: str
    message: str
    seq: int | None = None  # audit entry (or checkpoint's entry) the problem is about
    file: str | None = None  # bundle-relative path the problem is about

    def __str__(self) -> str:
        where = f"seq {self.seq}: " if self.seq is not None else (f"{self.file}: " if self.file else "")
        return f"[{self.kind}] {where}{self.message}"
