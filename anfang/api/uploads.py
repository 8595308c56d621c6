"""One reader for every uploaded file: a size limit (413) and a clear 422 for an empty or unreadable one.

Every route that takes an ``UploadFile`` reads it through :func:`read_upload` (bytes) or
:func:`read_picture` (a decoded BGR image), so the limit and the messages are the same everywhere.
"""

from __future__ import annotations

import numpy as np
from fastapi import HTTPException, UploadFile, status

from anfang.video.images import PictureError, decode_picture

MAX_UPLOAD = 8 * 1024 * 1024  # bytes; a 4K JPEG is ~2 MB


async def read_upload(upload: UploadFile, what: str, limit: int = MAX_UPLOAD) -> bytes:
    """The upload's bytes; 413 when larger than ``limit``, 422 when empty."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"{what}: larger than {limit} bytes")
    if not data:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{what}: empty file")
    return data


async def read_picture(upload: UploadFile, what: str, limit: int = MAX_UPLOAD, min_side: int = 1) -> np.ndarray:
    """The upload decoded as a picture; 413 / 422 with a message naming ``what``."""
    data = await read_upload(upload, what, limit)
    try:
        return decode_picture(data, what, min_side)
    except PictureError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
