"""The shape every feature of anfang takes: a :class:`Component` with declared needs and a typed context.

Why: features used to write attributes onto the platform and patch each other's methods at run time, so
reading one class no longer told what it did, and safety hung on the order of a hand-kept list. Here a
feature is one class that

- says which other components it ``needs`` (the start order is derived from that, never written down),
- gets a :class:`Context` (config, data dir, engine, bus, stores, the camera registry, and typed access to
  the components it needs),
- contributes per-camera observers, API routers, CLI command modules and plug-in modules (routers and
  commands are class-level: the API's shape and ``anfang --help`` never depend on the config or on a
  running platform; a route of a component that is off answers 503/404 itself),
- and has ``start`` / ``stop`` / ``purge`` (the platform's one retention loop calls every ``purge``).

Viseron's components and Home Assistant's integrations are the precedent: one small class per feature
that the core assembles, instead of a core that knows every feature.
"""

from __future__ import annotations

import graphlib
import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

if TYPE_CHECKING:
    from fastapi import APIRouter
    from sqlalchemy import Engine

    from anfang.config.models import AppConfig, CameraConfig
    from anfang.events.bus import EventBus
    from anfang.events.model import Event
    from anfang.pipeline.observer import ObserverFactory
    from anfang.security.keys import KeyStore
    from anfang.security.media import MediaPolicy
    from anfang.store.events import EventStore
    from anfang.store.space import DiskGuard

C = TypeVar("C", bound="Component")


class ComponentError(RuntimeError):
    """A component is missing, disabled where it is needed, or the needs form a cycle."""


class CameraRegistry(Protocol):
    """What components may do with cameras (the :class:`~anfang.platform.Platform` implements it)."""

    def cameras(self) -> list[CameraConfig]: ...

    def camera(self, camera_id: str) -> CameraConfig: ...

    def add_camera(self, camera: CameraConfig | dict[str, Any]) -> CameraConfig: ...


class Components(Protocol):
    """Typed lookup of running components: ``get(Security).users`` is checked by the type checker."""

    def get(self, kind: type[C]) -> C: ...

    def find(self, kind: type[C]) -> C | None: ...


@dataclass(frozen=True)
class Context:
    """Everything the core owns and hands to each component; built once by the platform.

    ``media`` is the evidence policy (signing, encryption at rest) every store that writes pictures is
    built with, so no store can be wired without it. ``components`` resolves the components this one
    declared in ``needs`` (and any other that is running; ``find`` for optional ones). ``sink`` is what
    pipelines call with an event: store it (through the policy), then announce it on the bus.
    """

    config: AppConfig
    data_dir: Path
    models_dir: Path
    engine: Engine
    bus: EventBus
    keys: KeyStore
    media: MediaPolicy
    events: EventStore
    sink: Callable[[Event], None]
    cameras: CameraRegistry
    components: Components
    space: DiskGuard  # the free-space policy every writer of the data dir consults (anfang/store/space.py)


class Component:
    """Base class of a feature. Subclasses set ``name`` and, where they need them, ``needs`` and the
    contributions, and override the hooks they use; every hook has a do-nothing default.

    ``__init__(ctx)`` builds the feature's objects but starts no threads or sockets: that is ``start()``.
    A component whose ``enabled(config)`` is false is not built at all (``Components.find`` gives None).
    A component that needs something besides the context (the detector a test injects) takes it as a
    keyword argument with a default, and the platform passes it.
    """

    name: ClassVar[str]
    needs: ClassVar[tuple[type[Component], ...]] = ()
    # Modules under anfang/cli/ with an ``add_parser(subparsers)`` function: this feature's commands.
    commands: ClassVar[tuple[str, ...]] = ()
    # Plug-in modules (sources, detectors, rules, sinks) that live in this feature's package.
    plugins: ClassVar[tuple[str, ...]] = ()

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @classmethod
    def enabled(cls, config: AppConfig) -> bool:
        return True

    def observers(self) -> Sequence[ObserverFactory]:
        """Per-camera stages this feature adds to every pipeline (built anew at each camera start)."""
        return ()

    @classmethod
    def routers(cls) -> Sequence[APIRouter]:
        """API routers, mounted under ``/api`` behind the authentication gate (for every registered
        component, enabled or not, so the API schema is the same whatever the config)."""
        return ()

    @classmethod
    def public_routers(cls) -> Sequence[APIRouter]:
        """API routers mounted under ``/api`` *without* the gate (login, health): keep these few."""
        return ()

    @classmethod
    def root_routers(cls) -> Sequence[APIRouter]:
        """Routers mounted at the application root, outside ``/api`` and without the session gate, for
        protocols whose paths a standard fixes and whose peers bring their own authentication (GA/T 1400's
        ``/VIID/...`` with HTTP Digest). Each route must authenticate its callers itself."""
        return ()

    def start(self) -> None:
        """Start threads, sockets, timers. Called in dependency order, before cameras start."""

    def stop(self) -> None:
        """Release what ``start`` took. Called in reverse dependency order, after cameras stop."""

    def purge(self, now: float) -> None:
        """Drop what this feature keeps past its retention (the platform's retention loop calls it)."""


# Every component of anfang, as "module:Class". Order here does not matter: the start order comes from
# ``needs`` (ties keep this order, so runs are repeatable). A new feature adds one line.
COMPONENTS: tuple[str, ...] = (
    "anfang.security.component:Security",
    "anfang.vision.component:Detection",
    "anfang.structuring.component:Structuring",
    "anfang.recording.component:Recording",
    "anfang.faces.component:Faces",
    "anfang.analytics.component:Heatmaps",
    "anfang.gb28181.component:Gb28181",
    "anfang.sinks.component:Sinks",
    "anfang.viid.component:Viid",
    "anfang.quality.component:Quality",
)


def load(spec: str) -> type[Component]:
    module, _, attr = spec.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, Component)):
        raise ComponentError(f"{spec} is not a Component")
    return cls


def component_classes(specs: Iterable[str] = COMPONENTS) -> list[type[Component]]:
    """The component classes in start order (each after everything it ``needs``)."""
    classes = [load(s) for s in specs]
    return start_order(classes)


def start_order(classes: Sequence[type[Component]]) -> list[type[Component]]:
    """Topological order by ``needs``; a need that is not in ``classes`` or a cycle is a ComponentError."""
    known = set(classes)
    graph: dict[type[Component], list[type[Component]]] = {}
    for cls in classes:
        for need in cls.needs:
            if need not in known:
                raise ComponentError(f"component {cls.name!r} needs {need.name!r}, which is not registered")
        graph[cls] = list(cls.needs)
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError as err:
        names = " -> ".join(c.name for c in err.args[1])
        raise ComponentError(f"component needs form a cycle: {names}") from None
    position = {cls: i for i, cls in enumerate(classes)}
    order: list[type[Component]] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        order.extend(ready)
        sorter.done(*ready)
    return order
