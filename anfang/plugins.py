"""Plug-ins: sources, detectors, rules and sinks, each registered in its own module.

A plug-in module defines its pydantic config model (with a ``type: Literal["name"]`` field) next to its
implementation and registers both with :func:`register`::

    class HttpJpegSourceConfig(PluginConfig):
        type: Literal["http_jpeg"] = "http_jpeg"
        url: str

    @register("source", "http_jpeg", HttpJpegSourceConfig, title={"en": "HTTP snapshot", "zh": "HTTP 抓图"})
    class HttpJpegSource(Source): ...

Everything else is derived from this registry: the config's discriminated unions (``SourceConfig``,
``DetectorConfig``, ``RuleConfig``, ``SinkConfig`` in :mod:`anfang.config.models`), the CLI's
``--detector`` choices, the console's menus (through ``GET /api/plugins``) and the factories
(``create_source``, ``create_detector``, the rule engine, the sinks component). Adding a plug-in is one
new module (plus its test).

Discovery (:func:`discover`, deterministic, runs once):

1. every module of the plug-in packages in :data:`PACKAGES`, in name order (``pkgutil.iter_modules``);
2. the modules that components declare in their ``plugins`` class attribute: for each ``"module:Class"``
   of :data:`anfang.component.COMPONENTS` the attribute is read from the module's *source* (``ast``, the
   tuple of strings must be a literal), so discovery neither imports every feature nor depends on import
   order; a component whose attribute is not a literal is imported and the attribute read from the class.

Plug-in modules must stay cheap to import (the config imports them all) and must not import
:mod:`anfang.config.models` at module level: that module is what triggers discovery, so it would be
half-built. Shared config pieces live in :mod:`anfang.plugins` (:class:`PluginConfig`) and
:mod:`anfang.analytics.config` (zones, lines, schedules, the rule base).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import pkgutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, Union, get_args

from pydantic import BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)

Kind = Literal["source", "detector", "rule", "sink"]
KINDS: tuple[Kind, ...] = ("source", "detector", "rule", "sink")
# Every module of these packages is imported by discover(); a new plug-in is a new file in one of them.
PACKAGES: dict[Kind, str] = {
    "source": "anfang.sources",
    "detector": "anfang.vision.detectors",
    "rule": "anfang.analytics.rules",
    "sink": "anfang.sinks",
}

T = TypeVar("T")


class PluginError(RuntimeError):
    """A plug-in is registered twice, its config model does not match its type, or it cannot load."""


class PluginConfig(BaseModel):
    """Base of plug-in config models: unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Plugin:
    """One registered plug-in. ``factory`` is what the kind's builder calls:

    - source: ``factory(camera_id, cfg, components)`` → :class:`~anfang.sources.base.Source`
    - detector: ``factory(cfg, models_dir)`` → :class:`~anfang.vision.base.Detector`
    - rule: ``factory(camera_id, cfg, zone=..., line=...)`` (the zone/line its config names) → ``Rule``
    - sink: ``factory(cfg, data_dir)`` → :class:`~anfang.sinks.base.Sink`
    """

    kind: Kind
    name: str  # the config ``type``
    config: type[BaseModel]
    factory: Any
    module: str
    title: dict[str, str] = field(default_factory=dict)
    order: int = 100

    def describe(self) -> dict[str, Any]:
        """JSON-ready: titles and the config's JSON schema (what the console renders its forms from)."""
        return {
            "type": self.name,
            "title": {
                "en": self.title.get("en", self.name),
                "zh": self.title.get("zh", self.title.get("en", self.name)),
            },
            "schema": self.config.model_json_schema(),
        }


_REGISTRY: dict[Kind, dict[str, Plugin]] = {k: {} for k in KINDS}
_lock = threading.RLock()
_discovered = False


def _literal_type(config: type[BaseModel]) -> str | None:
    f = config.model_fields.get("type")
    if f is None:
        return None
    args = get_args(f.annotation)
    return str(args[0]) if len(args) == 1 else None


def register(
    kind: Kind, type_name: str, config: type[BaseModel], *, title: dict[str, str] | None = None, order: int = 100
) -> Callable[[T], T]:
    """Decorator: make the decorated class (or factory function) the ``kind`` plug-in ``type_name``.

    ``config`` is its pydantic model; its ``type`` field must be ``Literal[type_name]`` (the union's
    discriminator). ``title`` is ``{"en": ..., "zh": ...}`` for menus; ``order`` sorts the union and the
    menus (lower first, then by name) so the common choices come first in error messages and the console.
    """
    if kind not in _REGISTRY:
        raise PluginError(f"unknown plug-in kind {kind!r}; expected one of {', '.join(KINDS)}")
    if _literal_type(config) != type_name:
        raise PluginError(f"{kind} {type_name!r}: {config.__name__}.type must be Literal[{type_name!r}]")

    def deco(obj: T) -> T:
        module = str(getattr(obj, "__module__", "?"))
        with _lock:
            old = _REGISTRY[kind].get(type_name)
            if old is not None and old.module != module:
                raise PluginError(f"{kind} type {type_name!r} is registered twice: in {old.module} and in {module}")
            _REGISTRY[kind][type_name] = Plugin(kind, type_name, config, obj, module, dict(title or {}), order)
        return obj

    return deco


def _import(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception as err:
        raise PluginError(f"plug-in module {name} cannot be imported: {type(err).__name__}: {err}") from err


def _package_modules(package: str) -> list[str]:
    try:
        pkg = importlib.import_module(package)
    except ModuleNotFoundError:
        return []
    return sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


def _declared_plugins(spec: str) -> tuple[str, ...]:
    """The ``plugins`` attribute of the component ``module:Class``, read from its source where it is a literal."""
    module, _, cls_name = spec.partition(":")
    try:
        found = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return ()
    origin = found.origin if found else None
    if not origin or not origin.endswith(".py"):
        return ()
    tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
    cls = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls_name), None)
    for stmt in cls.body if cls else []:
        target, value = None, None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        if isinstance(target, ast.Name) and target.id == "plugins" and value is not None:
            try:
                return tuple(str(v) for v in ast.literal_eval(value))
            except ValueError:
                return _plugins_of_class(spec)
    return ()


def _plugins_of_class(spec: str) -> tuple[str, ...]:
    from anfang.component import load

    try:
        return tuple(load(spec).plugins)
    except Exception as err:  # a component that does not import (yet) must not break the config
        log.warning("component %s does not import (%s); its plug-ins are skipped", spec, err)
        return ()


def component_modules() -> list[str]:
    """Plug-in modules that live in feature packages, as their components declare them."""
    from anfang.component import COMPONENTS

    names: list[str] = []
    for spec in COMPONENTS:
        names.extend(_declared_plugins(spec))
    return list(dict.fromkeys(names))


def plugin_modules() -> list[str]:
    """Every module discovery imports, in import order."""
    names = [m for kind in KINDS for m in _package_modules(PACKAGES[kind])]
    return list(dict.fromkeys([*names, *component_modules()]))


def discover() -> None:
    """Import every plug-in module once (idempotent, thread-safe)."""
    global _discovered
    if _discovered:
        return
    with _lock:
        if _discovered:
            return
        for name in plugin_modules():
            _import(name)
        _discovered = True


def plugins(kind: Kind) -> list[Plugin]:
    """The ``kind`` plug-ins, in menu order (``order``, then type name)."""
    discover()
    return sorted(_REGISTRY[kind].values(), key=lambda p: (p.order, p.name))


def types(kind: Kind) -> list[str]:
    return [p.name for p in plugins(kind)]


def get(kind: Kind, type_name: str) -> Plugin:
    """The plug-in, or a :class:`KeyError` whose message lists the known types."""
    discover()
    try:
        return _REGISTRY[kind][type_name]
    except KeyError:
        raise KeyError(f"unknown {kind} type {type_name!r}; known: {', '.join(types(kind))}") from None


def config_union(kind: Kind) -> Any:
    """``Annotated[A | B | ..., Field(discriminator="type")]`` of the ``kind`` config models (one: the model)."""
    models = tuple(p.config for p in plugins(kind))
    if not models:
        raise PluginError(f"no {kind} plug-ins found")
    if len(models) == 1:
        return models[0]
    return Annotated[Union[models], Field(discriminator="type")]  # noqa: UP007 - built from a tuple


def describe() -> dict[str, dict[str, Any]]:
    """``{kind: {type: {"type", "title": {"en", "zh"}, "schema"}}}`` for the API and the console."""
    return {kind: {p.name: p.describe() for p in plugins(kind)} for kind in KINDS}
