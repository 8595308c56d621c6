"""The component shape: start order from declared needs, typed lookup, lifecycle and the retention pass.

These use the real Platform (SQLite, keys, migrations) with test components added to the real list, so
they check the assembly a feature relies on, not a stand-in for it.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from anfang.component import COMPONENTS, Component, ComponentError, Context, start_order
from anfang.config.models import AppConfig
from anfang.platform import Platform
from anfang.security.component import Security
from anfang.vision.hog import HogDetector

CALLS: list[str] = []


class Base(Component):
    name = "base"

    def start(self) -> None:
        CALLS.append(f"start {self.name}")

    def stop(self) -> None:
        CALLS.append(f"stop {self.name}")

    def purge(self, now: float) -> None:
        CALLS.append(f"purge {self.name}")


class Store(Base):
    name = "store"
    needs: ClassVar[tuple[type[Component], ...]] = (Security,)


class Desk(Base):
    """Needs Store: must start after it and stop before it, whatever the list order."""

    name = "desk"
    needs: ClassVar[tuple[type[Component], ...]] = (Store,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.store = ctx.components.get(Store)  # what it needs is already built


class Off(Base):
    name = "off"

    @classmethod
    def enabled(cls, config: AppConfig) -> bool:
        return False


class NeedsOff(Base):
    name = "needs-off"
    needs: ClassVar[tuple[type[Component], ...]] = (Off,)


@pytest.fixture(autouse=True)
def _module() -> Iterator[None]:
    """Register this file's classes under an importable name, as a feature package would be."""
    mod = types.ModuleType("anfang_test_components")
    for cls in (Store, Desk, Off, NeedsOff):
        setattr(mod, cls.__name__, cls)
    sys.modules[mod.__name__] = mod
    CALLS.clear()
    yield
    del sys.modules[mod.__name__]


def _config(tmp_path: Path) -> AppConfig:
    return AppConfig.model_validate({"data_dir": str(tmp_path / "data"), "detector": {"type": "hog"}})


def test_start_order_follows_needs_not_the_list() -> None:
    order = start_order([Desk, Store, Security])
    assert order.index(Security) < order.index(Store) < order.index(Desk)


def test_ties_keep_the_list_order() -> None:
    a = type("A", (Component,), {"name": "a"})
    b = type("B", (Component,), {"name": "b"})
    assert start_order([b, a]) == [b, a]
    assert start_order([a, b]) == [a, b]


def test_a_cycle_is_named() -> None:
    a = type("A", (Component,), {"name": "a"})
    b = type("B", (Component,), {"name": "b", "needs": (a,)})
    a.needs = (b,)
    with pytest.raises(ComponentError, match="cycle"):
        start_order([a, b])


def test_an_unregistered_need_is_named() -> None:
    with pytest.raises(ComponentError, match="'desk' needs 'store', which is not registered"):
        start_order([Desk])


def test_platform_builds_starts_stops_and_purges_in_order(tmp_path: Path) -> None:
    specs = (*COMPONENTS, "anfang_test_components:Desk", "anfang_test_components:Store", "anfang_test_components:Off")
    platform = Platform(_config(tmp_path), detector=HogDetector(), components=specs)
    desk = platform.get(Desk)
    assert desk.store is platform.get(Store)
    assert platform.find(Off) is None  # disabled: not built at all
    with pytest.raises(ComponentError, match="'off' is not running"):
        platform.get(Off)
    platform.start()
    platform.purge_expired()
    platform.stop()
    ours = [c for c in CALLS if c.split()[1] in ("store", "desk")]
    lifecycle = [c for c in ours if not c.startswith("purge")]
    assert lifecycle == ["start store", "start desk", "stop desk", "stop store"]
    # The retention thread's first pass and the explicit one: each component's purge ran, store's first.
    purges = [c for c in ours if c.startswith("purge")]
    assert "purge desk" in purges and purges.index("purge store") < purges.index("purge desk")


def test_a_need_that_is_off_stops_the_platform_with_its_name(tmp_path: Path) -> None:
    specs = (*COMPONENTS, "anfang_test_components:Off", "anfang_test_components:NeedsOff")
    with pytest.raises(ComponentError, match="'needs-off' needs off, which is off"):
        Platform(_config(tmp_path), detector=HogDetector(), components=specs)


def test_every_registered_component_has_a_docstring_and_a_unique_name() -> None:
    from anfang.component import component_classes

    classes = component_classes()
    names = [c.name for c in classes]
    assert len(names) == len(set(names))
    for cls in classes:
        assert (cls.__doc__ or "").strip(), f"{cls.__name__} has no docstring saying why it exists"
