"""Integer parameters the database can hold.

SQLite (and PostgreSQL BIGINT) store signed 64-bit integers; a larger Python int raised ``OverflowError``
deep in the driver, a 500. Every integer that reaches a query is declared through these types, so a value out
of range is a 422 that names the parameter, before any handler runs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

DB_INT_MAX = 2**63 - 1

Offset = Annotated[int, Query(ge=0, le=DB_INT_MAX, description="rows to skip")]
RowId = Annotated[int, Path(ge=0, le=DB_INT_MAX)]
TrackId = Annotated[int, Path(ge=-DB_INT_MAX - 1, le=DB_INT_MAX)]
