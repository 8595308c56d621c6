"""The GA/T 1400 HTTP routes (``/VIID/...``): a thin FastAPI shell over :class:`~anfang.viid.server.ViidServer`.

Mounted at the application root, outside ``/api`` and its session gate: VIID peers authenticate with HTTP
Digest (or, once registered, ``User-Identify``), never with anfang sessions. Bodies are read raw and parsed
here so a malformed one answers the standard's StatusCode 7/8 in a ``ResponseStatusObject`` rather than
FastAPI's 422. Every answer is ``application/VIID+JSON``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from anfang.viid.codes import Status
from anfang.viid.messages import (
    CONTENT_TYPE,
    MessageError,
    decode,
    encode,
    parse_notifications,
    parse_system,
    response,
    response_list,
    status_object,
    system_time,
    unwrap,
)
from anfang.viid.server import ViidServer
from anfang.viid.shapes import KINDS

router = APIRouter(prefix="/VIID", tags=["viid"])
_IMAGE_LISTS = {"person": "PersonList", "face": "FaceList", "motor_vehicle": "MotorVehicleList",
                "non_motor_vehicle": "NonMotorVehicleList"}  # fmt: skip


def _answer(body: Mapping[str, Any], status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(encode(body), status_code, headers=headers, media_type=CONTENT_TYPE)


def _server(request: Request) -> ViidServer | None:
    from anfang.viid.component import Viid

    platform = getattr(request.app.state, "platform", None)
    component = platform.find(Viid) if platform is not None else None
    return component.server if component is not None else None


Handler = Callable[[ViidServer, str, Request, bytes], Awaitable[Response]]


async def _gated(request: Request, handler: Handler, digest_only: bool = False) -> Response:
    """503 when the server is off, 401 + challenge without valid credentials, else ``handler``'s answer."""
    url = request.url.path
    server = _server(request)
    if server is None:
        return _answer(response(url, Status.DEVICE_ERROR, "", "the VIID server is off (viid.server.enabled)"), 503)
    host = request.client.host if request.client else ""
    auth = server.authenticate(request.method, request.headers, host, digest_only)
    if auth.peer is None:
        headers = {"WWW-Authenticate": auth.challenge} if auth.challenge else None
        return _answer(response(url, Status.INVALID_OPERATION, "", auth.error), 401, headers)
    size = int(request.headers.get("content-length") or 0)
    if size > server.config.max_body_mb * 1024 * 1024:
        return _answer(response(url, Status.INVALID_OPERATION, "", "request body too large"), 413)
    body = await request.body()
    try:
        return await handler(server, auth.peer, request, body)
    except MessageError as exc:
        return _answer(response(url, exc.status, "", str(exc)))


def _system(kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        async def run(server: ViidServer, peer: str, req: Request, body: bytes) -> Response:
            device = parse_system(decode(body), kind)
            host = req.client.host if req.client else ""
            if kind == "Register":
                code = server.register(peer, device, host)
            elif kind == "Keepalive":
                code = server.keepalive(peer, device, host)
            else:
                code = server.unregister(peer, device)
            text = None if code == Status.OK else f"{kind}: DeviceID {device} is not registered as {peer}"
            return _answer(response(req.url.path, code, device, text))

        return await _gated(request, run, digest_only=kind == "Register")

    handle.__name__ = kind.lower()
    return handle


router.add_api_route("/System/Register", _system("Register"), methods=["POST"], summary="Register (Digest)")
router.add_api_route("/System/UnRegister", _system("UnRegister"), methods=["POST"], summary="Unregister")
router.add_api_route("/System/Keepalive", _system("Keepalive"), methods=["POST"], summary="Keepalive")


@router.get("/System/Time", summary="The view library's time")
async def system_time_route(request: Request) -> Response:
    async def run(server: ViidServer, _peer: str, _req: Request, _body: bytes) -> Response:
        return _answer(system_time(server.config.server_id))

    return await _gated(request, run)


def _objects(kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        async def run(server: ViidServer, peer: str, req: Request, body: bytes) -> Response:
            items = [(kind, obj, None) for obj in unwrap(decode(body), kind)]
            answers = await run_in_threadpool(server.ingest, req.url.path, items, peer)
            return _answer(response_list(answers))

        return await _gated(request, run)

    handle.__name__ = f"post_{kind}"
    return handle


for _kind, (_list, _obj, _shape, _path) in KINDS.items():
    router.add_api_route(_path.removeprefix("/VIID"), _objects(_kind), methods=["POST"],
                         summary=f"Post {_shape} objects ({_list})")  # fmt: skip


@router.post("/Images", summary="Post images with the objects in them (ImageListObject)")
async def post_images(request: Request) -> Response:
    async def run(server: ViidServer, peer: str, req: Request, body: bytes) -> Response:
        outer = decode(body).get("ImageListObject")
        images = outer.get("Image") if isinstance(outer, Mapping) else None
        if isinstance(images, Mapping):
            images = [images]
        if not isinstance(images, list):
            raise MessageError("body lacks ImageListObject.Image")
        answers = []
        for image in images:
            info = image.get("ImageInfo") if isinstance(image, Mapping) else None
            image_id = str(info.get("ImageID", "")) if isinstance(info, Mapping) else ""
            try:
                scene = _image_data(image)
                items = [(kind, obj, scene) for kind, key in _IMAGE_LISTS.items()
                         for obj in _list_items(image.get(key), KINDS[kind][1])]  # fmt: skip
                if not items:
                    raise MessageError("Image: no Person/Face/MotorVehicle/NonMotorVehicle objects in it; anfang "
                                       "stores pictures as records of the objects they show", Status.INVALID_OPERATION)
            except MessageError as exc:
                answers.append(status_object(req.url.path, exc.status, image_id, str(exc)))
                continue
            results = await run_in_threadpool(server.ingest, req.url.path, items, peer)
            bad = [r for r in results if r["StatusCode"] != Status.OK]
            answers.append(bad[0] | {"Id": image_id} if bad else status_object(req.url.path, Status.OK, image_id))
        return _answer(response_list(answers))

    return await _gated(request, run)


def _image_data(image: Mapping[str, Any]) -> bytes | None:
    data = image.get("Data")
    if not data:
        return None
    try:
        return base64.b64decode(str(data))
    except (binascii.Error, ValueError):
        raise MessageError("Image.Data: not valid Base64") from None


def _list_items(value: Any, obj_key: str) -> list[Any]:
    items = value.get(obj_key) if isinstance(value, Mapping) else None
    return [items] if isinstance(items, Mapping) else list(items or [])


@router.post("/Subscribes", summary="Subscribe (or cancel, OperateType 1) to our records")
async def post_subscribes(request: Request) -> Response:
    async def run(server: ViidServer, peer: str, req: Request, body: bytes) -> Response:
        answers = await run_in_threadpool(server.subscribe, req.url.path, decode(body), peer)
        return _answer(response_list(answers))

    return await _gated(request, run)


@router.get("/Subscribes", summary="The caller's subscriptions")
async def get_subscribes(request: Request) -> Response:
    async def run(server: ViidServer, peer: str, _req: Request, _body: bytes) -> Response:
        subs = [s.raw for s in server.subscriptions(peer)]
        return _answer({"SubscribeListObject": {"SubscribeObject": subs}})

    return await _gated(request, run)


@router.delete("/Subscribes", summary="Cancel subscriptions (?IDList=a,b)")
async def delete_subscribes(request: Request) -> Response:
    async def run(server: ViidServer, peer: str, req: Request, _body: bytes) -> Response:
        ids = [i for i in req.query_params.get("IDList", "").split(",") if i]
        if not ids:
            raise MessageError("IDList: no SubscribeIDs given", Status.INVALID_OPERATION)
        server.cancel(ids, peer)
        return _answer(response_list(status_object(req.url.path, Status.OK, i) for i in ids))

    return await _gated(request, run)


@router.post("/SubscribeNotifications", summary="Notifications of a subscription we hold (objects are stored)")
async def post_notifications(request: Request) -> Response:
    async def run(server: ViidServer, peer: str, req: Request, body: bytes) -> Response:
        answers = []
        for notification_id, found in parse_notifications(decode(body)):
            items = [(kind, obj, None) for kind, objs in found.items() for obj in objs]
            results = await run_in_threadpool(server.ingest, req.url.path, items, peer) if items else []
            bad = [r for r in results if r["StatusCode"] != Status.OK]
            answers.append(bad[0] | {"Id": notification_id} if bad
                           else status_object(req.url.path, Status.OK, notification_id))  # fmt: skip
        return _answer(response_list(answers))

    return await _gated(request, run)
