"""Face watchlists (布控) and face comparison: thin wrappers over :class:`~anfang.faces.library.FaceLibrary`.

Enrolment takes multipart photo uploads; every photo must show a face or nothing is stored. Changes go to
the audit chain (who put whom on a watchlist is itself sensitive). Writes: admin or operator; reads and face
comparison: console users (viewer too); the auditor, who sees the audit log only, neither.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile, status
from pydantic import BaseModel, Field

from anfang.api.deps import Principal, audit, current_user, get_platform, require_role
from anfang.api.params import RowId
from anfang.api.uploads import read_upload
from anfang.faces.component import Faces
from anfang.faces.library import FaceLibrary, FaceLibraryError, best_face, decode_image
from anfang.platform import Platform
from anfang.security.identities import hide_names
from anfang.vision.face.analyze import similarity

router = APIRouter(tags=["faces"])
_writer = [Depends(require_role("admin", "operator"))]
_reader = [Depends(require_role("admin", "operator", "viewer"))]


class WatchlistIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    kind: Literal["blacklist", "whitelist"] = "blacklist"


def _library(platform: Platform = Depends(get_platform)) -> FaceLibrary:
    return platform.get(Faces).library


def _call(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202 - maps library errors to HTTP codes
    try:
        return fn(*args, **kwargs)
    except KeyError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc.args[0]) if exc.args else "not found") from None
    except FaceLibraryError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None


def _names(rows: list[dict], user: Principal) -> list[dict]:
    """Watchlist and person names are identities: masked for users without see_identities."""
    return rows if user.see_identities else [hide_names(r) for r in rows]


@router.get("/watchlists", dependencies=_reader)
def list_watchlists(library: FaceLibrary = Depends(_library), user: Principal = Depends(current_user)) -> list[dict]:
    return _names(library.watchlists(), user)


@router.post("/watchlists", status_code=status.HTTP_201_CREATED, dependencies=_writer)
def create_watchlist(body: WatchlistIn, request: Request, library: FaceLibrary = Depends(_library)) -> dict:
    try:
        out = library.create_watchlist(body.name, body.kind)
    except FaceLibraryError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    audit(request, "watchlist.create", str(out["id"]), {"name": body.name, "kind": body.kind})
    return out


@router.get("/watchlists/{watchlist_id}", dependencies=_reader)
def get_watchlist(
    watchlist_id: RowId, library: FaceLibrary = Depends(_library), user: Principal = Depends(current_user)
) -> dict:
    return _names([_call(library.watchlist, watchlist_id)], user)[0]


@router.delete("/watchlists/{watchlist_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=_writer)
def delete_watchlist(watchlist_id: RowId, request: Request, library: FaceLibrary = Depends(_library)) -> None:
    _call(library.delete_watchlist, watchlist_id)
    audit(request, "watchlist.delete", str(watchlist_id))


@router.get("/watchlists/{watchlist_id}/people", dependencies=_reader)
def list_people(
    watchlist_id: RowId, library: FaceLibrary = Depends(_library), user: Principal = Depends(current_user)
) -> list[dict]:
    return _names(_call(library.people, watchlist_id), user)


@router.post("/watchlists/{watchlist_id}/people", status_code=status.HTTP_201_CREATED, dependencies=_writer)
async def add_person(
    watchlist_id: RowId,
    request: Request,
    name: str = Form(min_length=1, max_length=128),
    note: str = Form("", max_length=512),
    photos: list[UploadFile] = File(...),
    library: FaceLibrary = Depends(_library),
) -> dict:
    data = [await read_upload(p, f"photos.{i}") for i, p in enumerate(photos)]
    out = _call(library.add_person, watchlist_id, name, data, note)
    audit(request, "watchlist.person.add", str(out["id"]), {"watchlist": watchlist_id, "name": name})
    return out


@router.post("/people/{person_id}/photos", status_code=status.HTTP_201_CREATED, dependencies=_writer)
async def add_photo(
    person_id: RowId, request: Request, photo: UploadFile = File(...), library: FaceLibrary = Depends(_library)
) -> dict:
    out = _call(library.add_photo, person_id, await read_upload(photo, "photo"))
    audit(request, "watchlist.person.photo", str(person_id))
    return out


@router.delete("/people/{person_id}", status_code=status.HTTP_204_NO_CONTENT, dependencies=_writer)
def delete_person(person_id: RowId, request: Request, library: FaceLibrary = Depends(_library)) -> None:
    _call(library.delete_person, person_id)
    audit(request, "watchlist.person.delete", str(person_id))


@router.post("/faces/compare", dependencies=_reader)
async def compare(
    image1: UploadFile = File(...),
    image2: UploadFile = File(...),
    platform: Platform = Depends(get_platform),
    library: FaceLibrary = Depends(_library),
) -> dict:
    """Similarity of the largest face in each image, and same/different at the configured threshold."""
    faces = []
    for i, upload in enumerate((image1, image2), start=1):
        try:
            faces.append(best_face(library.analyzer, decode_image(await read_upload(upload, f"image{i}"))))
        except FaceLibraryError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"image{i}: {exc}") from None
    sim = similarity(faces[0].embedding, faces[1].embedding)
    threshold = platform.config.faces.match_threshold
    return {
        "similarity": round(sim, 4),
        "threshold": threshold,
        "same": sim >= threshold,
        "faces": [f.to_dict() for f in faces],
    }
